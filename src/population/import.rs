//! Importing a population from files instead of generating it.
//!
//! [`import`] reads the files named in the scenario's `[population]` section, relative
//! to the scenario file's folder: either an edge list (`edges`, each edge becomes a
//! direct chat) or a membership table (`members`, with an optional per-chat table
//! `chat_table`), and in both cases an optional per-user table (`user_table`).
//! Attributes the files do not give are drawn from the scenario's distributions with
//! keyed random streams, so they do not depend on which other columns are present.
//! The result is the same [`Population`] the generator builds, plus the original ids
//! as labels and an [`ImportReport`] of what was dropped. [`super::export`] writes a
//! population back in the table formats read here.
//!
//! Rows are read by the `rows` submodule (a small CSV dialect with physical line
//! numbers) and ids are mapped by the `ids` submodule. Every bad row is an
//! [`ImportError::Row`] naming the file, the 1-based physical line and what to change.

mod ids;
mod rows;

use super::{Chats, Csr, ImportReport, Population, Users, FANOUT_ALL, NO_OWNER};
use crate::error::ImportError;
use crate::rng::{self, Purpose};
use crate::scenario::{nearest, ChatKind, IntDist, PopulationSource, Scenario};
use ids::{IdError, IdMap, MAX_IDS};
use rand::Rng as _;
use rows::{RowError, Rows, Sep};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// Columns of the user table; `user` is required.
const USER_COLUMNS: [&str; 7] = [
    "user",
    "camp",
    "skepticism",
    "activity",
    "fanout",
    "followers",
    "isolated",
];
/// Columns of the chat table; `chat` is required.
const CHAT_COLUMNS: [&str; 5] = ["chat", "kind", "trust", "owner", "camp"];
/// Columns of the membership table; `chat` and `user` are required.
const MEMBER_COLUMNS: [&str; 3] = ["chat", "user", "kind"];

/// First-row pairs taken as the header of an edge list (compared case-insensitively).
const EDGE_HEADERS: [(&str, &str); 12] = [
    ("source", "target"),
    ("src", "dst"),
    ("from", "to"),
    ("u", "v"),
    ("a", "b"),
    ("i", "j"),
    ("node1", "node2"),
    ("node_1", "node_2"),
    ("user1", "user2"),
    ("user_1", "user_2"),
    ("id1", "id2"),
    ("source_id", "target_id"),
];

/// Stream `step` index of each drawn user attribute (see [`import`]).
const DRAW_CAMP: u64 = 0;
const DRAW_SKEPTICISM: u64 = 1;
const DRAW_ACTIVITY: u64 = 2;
const DRAW_FANOUT: u64 = 3;

/// Builds a population from the files named in `scenario.config.population`.
///
/// Paths are relative to [`Scenario::base_dir`]. Files are read in this order, and
/// dense ids are given in order of first appearance across them: the user table, the
/// chat table, then the membership table or edge list. So a population written by
/// [`super::export::write_population`] comes back with the same ids.
///
/// # Edge list (`edges`)
/// One edge per line; the first two fields are the two users. Fields are separated by
/// commas; if the first line has no comma, by tabs if it has a tab, else by runs of
/// spaces (as written by networkx and EoN). Lines starting with `#` or `%` are
/// comments; blank lines are skipped.
///
/// **Header rule**: the first row is a header if neither of its first two fields is an
/// integer, and either the pair is a usual header name (`source,target`, `src,dst`,
/// `from,to`, `u,v`, `a,b`, `i,j`, `node1,node2`, `user1,user2`, `id1,id2`, ...,
/// case-insensitive) or the second row's two fields are both integers. Otherwise the
/// first row is an edge. An edge list of string ids whose first edge is literally one
/// of those names (say `a,b`) must therefore start with a header row.
///
/// **Width rule**: without a header every row has exactly two fields; with one, as
/// many as the header names (`source,target,weight`: three), and the extra columns are
/// ignored. A row with more or fewer fields is an error, never cut to two. networkx's
/// data column (a third or later field that opens with `{`, e.g. `{'weight': 1}`, with
/// whatever follows it) is not counted.
///
/// Each remaining edge becomes a direct chat of 2 members (in the order written), with
/// no owner, the direct kind's trust (the scenario's, or the built-in default), and the
/// camp of its first member. Self-loops and repeated edges (in either orientation) are
/// dropped and counted in the report; a user seen only in a self-loop is kept as an
/// isolated user.
///
/// # Membership table (`members`)
/// Header required, columns by name in any order: `chat`, `user` and optionally `kind`.
/// Chats and members keep file order; a repeated (chat, user) pair is dropped and
/// counted. Chats too small to deliver anything are kept.
///
/// # Chat table (`chat_table`, with `members` only)
/// Header `chat` plus any of `kind`, `trust` (in [0, 1]), `owner` (a user id, who must
/// be a member; only the owner may post) and `camp` (a camp name). A chat's kind is the
/// membership table's `kind`, else the chat table's, else `community`; the two files
/// must not disagree. Trust defaults to the kind's trust, the owner to none, the camp
/// to the majority camp of the members (ties to the lowest camp index).
///
/// # User table (`user_table`)
/// Header `user` plus any of `camp` (a camp name of the scenario), `skepticism` and
/// `activity` (in [0, 1]), `fanout` (1 to 65534, or `all`), `followers` (>= 0) and
/// `isolated` (`true`, `false` or empty). Every user of the table must be in the
/// membership table or edge list, except those marked `isolated` = true, which must
/// not be: they are users in no chat (as [`super::export`] writes them). A row for any
/// other user is an error, as it would add a user in no chat and dilute every share.
/// A missing column, an empty cell, or a
/// user missing from the table falls back to the scenario: followers 0, every other
/// attribute drawn from `population.camps` shares or the attribute's distribution,
/// each from its own stream `rng::stream(seed, 0, a, user, Purpose::Import)` with `a`
/// = 0 camp, 1 skepticism, 2 activity, 3 fanout. Drawn fanouts are clamped to
/// 1..=65534 (`dist = "all"` gives [`FANOUT_ALL`]).
///
/// Unknown columns in the three tables are refused, so a misspelt column never
/// silently falls back to drawn values.
///
/// # Errors
/// [`ImportError::Io`] if a file cannot be read, [`ImportError::Row`] for the first
/// bad row (file, physical line, what is wrong), [`ImportError::File`] for a file that
/// is unusable as a whole (empty, no edges, more than `u32::MAX - 1` ids) or a
/// scenario naming no or contradictory files.
///
/// # Complexity
/// One streaming pass per file with one table lookup per id, then O(n + m log d) to
/// drop repeats (a bucket sort by user, then a sort per bucket) and O(n + m) to index
/// user -> chats. For an edge list of m edges the finished population takes about 34
/// bytes per edge (chat -> members and its offsets, user -> chats, per-chat
/// attributes); reading needs at most 17 bytes per edge more, freed before the
/// population is assembled. Measured: 10^7 edges among 10^6 integer ids load in about
/// 2.5 s with a 420 MB peak (release build, 2 shared cores); see the ignored test
/// `import_1e7_edges`.
pub fn import(scenario: &Scenario) -> Result<Population, ImportError> {
    let pc = &scenario.population;
    let base = scenario.base_dir();
    let mut im = Importer::new(scenario);
    if let Some(p) = &pc.user_table {
        im.read_user_table(&Src::new(&base, p))?;
    }
    match &pc.source {
        PopulationSource::Edges { edges } => {
            let pairs = im.read_edges(&Src::new(&base, edges))?;
            Ok(im.finish_edges(pairs))
        }
        PopulationSource::Members {
            members,
            chat_table,
        } => {
            if let Some(t) = chat_table {
                im.read_chat_table(&Src::new(&base, t))?;
            }
            let members = im.read_members(&Src::new(&base, members))?;
            im.finish_members(members)
        }
        PopulationSource::Generated { .. } | PopulationSource::Network { .. } => {
            Err(ImportError::File {
                file: base,
                reason: "the scenario names no population file: set population.edges or \
                         population.members"
                    .into(),
            })
        }
    }
}

/// An opened table: its rows, the position of each known column, and its width.
type Table<const N: usize> = (Rows<BufReader<File>>, [Option<usize>; N], usize);

/// One population file, named in messages.
struct Src {
    path: PathBuf,
}

impl Src {
    fn new(base: &Path, name: &str) -> Src {
        Src {
            path: base.join(name),
        }
    }

    fn row(&self, line: u64, reason: impl Into<String>) -> ImportError {
        ImportError::Row {
            file: self.path.clone(),
            line,
            reason: reason.into(),
        }
    }

    fn file(&self, reason: impl Into<String>) -> ImportError {
        ImportError::File {
            file: self.path.clone(),
            reason: reason.into(),
        }
    }

    fn rows_err(&self, e: RowError) -> ImportError {
        match e {
            RowError::Io(source) => ImportError::Io {
                file: self.path.clone(),
                source,
            },
            RowError::Bad { line, reason } => self.row(line, reason),
        }
    }

    fn id_err(&self, line: u64, what: &str, e: IdError) -> ImportError {
        match e {
            IdError::Empty => self.row(line, format!("empty {what} id")),
            IdError::NotUtf8 => self.row(line, format!("the {what} id is not valid UTF-8")),
            IdError::TooMany => self.file(format!(
                "more than {MAX_IDS} distinct {what} ids; ids are 32-bit"
            )),
        }
    }

    /// Opens the file and guesses its separator (see [`rows::Sep::sniff`]).
    fn open(
        &self,
        comments: &'static [u8],
        fallback: Sep,
    ) -> Result<Rows<BufReader<File>>, ImportError> {
        let io = |source| ImportError::Io {
            file: self.path.clone(),
            source,
        };
        let mut r = BufReader::with_capacity(1 << 20, File::open(&self.path).map_err(io)?);
        let sep = Sep::sniff(r.fill_buf().map_err(io)?, comments, fallback);
        Ok(Rows::new(r, sep, comments))
    }

    /// Opens a table and reads its header: the position of each of `names` (`None` if
    /// absent), the number of columns, and the header's line.
    fn open_table<const N: usize>(
        &self,
        names: [&str; N],
        required: &[&str],
    ) -> Result<Table<N>, ImportError> {
        let mut rows = self.open(b"", Sep::Comma)?;
        let expected = || {
            let opt: Vec<&str> = names
                .iter()
                .filter(|n| !required.contains(n))
                .copied()
                .collect();
            format!(
                "the header must name {} and may name {}",
                required.join(", "),
                opt.join(", ")
            )
        };
        let Some(line) = rows.next().map_err(|e| self.rows_err(e))? else {
            return Err(self.file(format!("is empty; {}", expected())));
        };
        let mut cols = [None; N];
        for i in 0..rows.len() {
            let name = String::from_utf8_lossy(rows.field(i)).to_ascii_lowercase();
            let Some(k) = names.iter().position(|n| *n == name) else {
                let hint = nearest(&name, &names)
                    .map(|n| format!("did you mean \"{n}\"? "))
                    .unwrap_or_default();
                return Err(self.row(
                    line,
                    format!("unknown column \"{name}\"; {hint}{}", expected()),
                ));
            };
            if cols[k].is_some() {
                return Err(self.row(line, format!("column \"{name}\" appears twice")));
            }
            cols[k] = Some(i);
        }
        for r in required {
            if let Some(k) = names.iter().position(|n| n == r) {
                if cols[k].is_none() {
                    return Err(self.row(line, format!("no \"{r}\" column; {}", expected())));
                }
            }
        }
        let width = rows.len();
        Ok((rows, cols, width))
    }
}

/// Checks that a table row has as many fields as the header.
fn check_width<R: BufRead>(
    src: &Src,
    rows: &Rows<R>,
    line: u64,
    width: usize,
) -> Result<(), ImportError> {
    if rows.len() == width {
        Ok(())
    } else {
        Err(src.row(
            line,
            format!(
                "expected {width} column{} as in the header, found {}",
                if width == 1 { "" } else { "s" },
                rows.len()
            ),
        ))
    }
}

/// The non-empty cell of optional column `col`, if any.
fn cell<R: BufRead>(rows: &Rows<R>, col: Option<usize>) -> Option<&[u8]> {
    col.map(|c| rows.field(c)).filter(|f| !f.is_empty())
}

fn show(b: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(b)
}

/// A value in [0, 1], parsed as f32 directly so that written values read back exactly.
fn parse_unit(name: &str, b: &[u8]) -> Result<f32, String> {
    let s = show(b);
    let x: f32 = s
        .parse()
        .map_err(|_| format!("{name} \"{s}\" is not a number"))?;
    if (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(format!("{name} \"{s}\" is outside [0, 1]"))
    }
}

fn parse_fanout(b: &[u8]) -> Result<u16, String> {
    let s = show(b);
    if s.eq_ignore_ascii_case("all") {
        return Ok(FANOUT_ALL);
    }
    match s.parse::<u32>() {
        Ok(n) if (1..FANOUT_ALL as u32).contains(&n) => Ok(n as u16),
        _ => Err(format!(
            "fanout \"{s}\" must be a whole number from 1 to {}, or \"all\"",
            FANOUT_ALL - 1
        )),
    }
}

fn parse_followers(b: &[u8]) -> Result<u32, String> {
    let s = show(b);
    s.parse::<u32>().map_err(|_| {
        format!(
            "followers \"{s}\" must be a whole number from 0 to {}",
            u32::MAX
        )
    })
}

fn parse_isolated(b: &[u8]) -> Result<bool, String> {
    match show(b).as_ref() {
        "true" => Ok(true),
        "false" => Ok(false),
        s => Err(format!("isolated \"{s}\" must be true or false (or empty)")),
    }
}

fn parse_kind(b: &[u8]) -> Result<ChatKind, String> {
    let s = show(b);
    ChatKind::parse(&s).ok_or_else(|| {
        let names: Vec<&str> = ChatKind::ALL.iter().map(|k| k.name()).collect();
        let hint = nearest(&s, &names)
            .map(|n| format!("did you mean \"{n}\"? "))
            .unwrap_or_default();
        format!(
            "kind \"{s}\" is not a chat kind; {hint}kinds are {}",
            names.join(", ")
        )
    })
}

/// Whether a field is an integer: an optional sign and at least one digit.
fn is_integer(b: &[u8]) -> bool {
    let d = b.strip_prefix(b"-").or(b.strip_prefix(b"+")).unwrap_or(b);
    !d.is_empty() && d.iter().all(u8::is_ascii_digit)
}

/// Fields of an edge-list row, not counting networkx's data column: in a
/// space-separated file, the fields from the first one that opens with `{` (a Python
/// dict such as `{'weight': 1}`, itself split at its spaces) are one column, ignored.
fn edge_fields<R: BufRead>(rows: &Rows<R>) -> usize {
    (0..rows.len())
        .find(|&i| i >= 2 && rows.field(i).starts_with(b"{"))
        .unwrap_or(rows.len())
}

fn is_header_pair(a: &[u8], b: &[u8]) -> bool {
    EDGE_HEADERS
        .iter()
        .any(|(x, y)| a.eq_ignore_ascii_case(x.as_bytes()) && b.eq_ignore_ascii_case(y.as_bytes()))
}

/// Attributes a user table gives for one user.
#[derive(Clone, Debug, Default)]
struct UserRow {
    /// Line of the row in the user table (0: not in the table).
    line: u64,
    camp: Option<u8>,
    skepticism: Option<f32>,
    activity: Option<f32>,
    fanout: Option<u16>,
    followers: Option<u32>,
    /// Marked as a user in no chat (`isolated` = true).
    isolated: bool,
}

/// Where a chat's kind was given.
#[derive(Clone, Copy, Debug)]
enum KindFrom {
    Table(u64),
    Members(u64),
}

/// What the chat table and membership table say about one chat.
#[derive(Clone, Debug, Default)]
struct PendingChat {
    /// Line of the row in the chat table (0: not in the table).
    line: u64,
    kind: Option<(ChatKind, KindFrom)>,
    trust: Option<f32>,
    owner: Option<u32>,
    camp: Option<u8>,
}

/// State shared by the readers of one import.
struct Importer<'a> {
    scenario: &'a Scenario,
    camp_names: Vec<String>,
    users: IdMap,
    user_rows: Vec<UserRow>,
    chats: IdMap,
    pending: Vec<PendingChat>,
    chat_table: Option<PathBuf>,
    /// The user table, if any, and which of its users the membership table or edge
    /// list names (the users of the table are the first ids).
    user_table: Option<PathBuf>,
    in_network: Vec<bool>,
    report: ImportReport,
}

/// A membership table: chat -> members, in file order, repeats dropped.
struct Members {
    members: Csr,
    file: PathBuf,
}

impl<'a> Importer<'a> {
    fn new(scenario: &'a Scenario) -> Self {
        Importer {
            scenario,
            camp_names: scenario.camp_names(),
            users: IdMap::default(),
            user_rows: Vec::new(),
            chats: IdMap::default(),
            pending: Vec::new(),
            chat_table: None,
            user_table: None,
            in_network: Vec::new(),
            report: ImportReport::default(),
        }
    }

    /// A user id of the membership table or edge list: noted as in the network.
    fn member_id(&mut self, src: &Src, line: u64, b: &[u8]) -> Result<u32, ImportError> {
        let u = self.user_id(src, line, b)?;
        if let Some(seen) = self.in_network.get_mut(u as usize) {
            *seen = true;
        }
        Ok(u)
    }

    /// Checks, once the membership table or edge list is read, that every user of the
    /// user table is in it, or marked `isolated` and not in it: a stray row would
    /// otherwise add a user in no chat and dilute every share.
    fn check_table_users(&self, network: &Path) -> Result<(), ImportError> {
        let Some(table) = &self.user_table else {
            return Ok(());
        };
        for (u, &seen) in self.in_network.iter().enumerate() {
            let row = &self.user_rows[u];
            if row.line == 0 || seen != row.isolated {
                continue;
            }
            let user = self.users.label(u as u32);
            let reason = if seen {
                format!(
                    "user \"{user}\" is marked isolated but is in {}; remove the mark",
                    network.display()
                )
            } else {
                format!(
                    "user \"{user}\" is in no chat of {}: an extra user would dilute every \
                     share; remove the row, add the user to {}, or mark it with \
                     `isolated` = true",
                    network.display(),
                    network.display()
                )
            };
            return Err(ImportError::Row {
                file: table.clone(),
                line: row.line,
                reason,
            });
        }
        Ok(())
    }

    fn camp(&self, b: &[u8]) -> Result<u8, String> {
        let s = show(b);
        match self.camp_names.iter().position(|c| *c == s) {
            Some(i) => Ok(i as u8),
            None => {
                let names: Vec<String> =
                    self.camp_names.iter().map(|c| format!("\"{c}\"")).collect();
                Err(format!(
                    "camp \"{s}\" is not a camp of the scenario; camps are {}",
                    names.join(", ")
                ))
            }
        }
    }

    fn user_id(&mut self, src: &Src, line: u64, b: &[u8]) -> Result<u32, ImportError> {
        self.users
            .get_or_insert(b)
            .map_err(|e| src.id_err(line, "user", e))
    }

    fn chat_id(&mut self, src: &Src, line: u64, b: &[u8]) -> Result<u32, ImportError> {
        let c = self
            .chats
            .get_or_insert(b)
            .map_err(|e| src.id_err(line, "chat", e))?;
        if c as usize == self.pending.len() {
            self.pending.push(PendingChat::default());
        }
        Ok(c)
    }

    fn read_user_table(&mut self, src: &Src) -> Result<(), ImportError> {
        let (mut rows, cols, width) = src.open_table(USER_COLUMNS, &["user"])?;
        let [user, camp, skepticism, activity, fanout, followers, isolated] = cols;
        self.user_table = Some(src.path.clone());
        while let Some(line) = rows.next().map_err(|e| src.rows_err(e))? {
            self.report.rows_read += 1;
            check_width(src, &rows, line, width)?;
            let u = self.user_id(src, line, rows.field(user.unwrap_or(0)))? as usize;
            if u >= self.user_rows.len() {
                self.user_rows.resize(u + 1, UserRow::default());
            }
            let first = self.user_rows[u].line;
            if first != 0 {
                return Err(src.row(
                    line,
                    format!(
                        "user \"{}\" is listed twice (first on line {first})",
                        self.users.label(u as u32)
                    ),
                ));
            }
            let bad = |r: String| src.row(line, r);
            let row = UserRow {
                line,
                camp: cell(&rows, camp)
                    .map(|b| self.camp(b))
                    .transpose()
                    .map_err(bad)?,
                skepticism: cell(&rows, skepticism)
                    .map(|b| parse_unit("skepticism", b))
                    .transpose()
                    .map_err(bad)?,
                activity: cell(&rows, activity)
                    .map(|b| parse_unit("activity", b))
                    .transpose()
                    .map_err(bad)?,
                fanout: cell(&rows, fanout)
                    .map(parse_fanout)
                    .transpose()
                    .map_err(bad)?,
                followers: cell(&rows, followers)
                    .map(parse_followers)
                    .transpose()
                    .map_err(bad)?,
                isolated: cell(&rows, isolated)
                    .map(parse_isolated)
                    .transpose()
                    .map_err(bad)?
                    .unwrap_or(false),
            };
            self.user_rows[u] = row;
        }
        self.in_network = vec![false; self.users.len()];
        Ok(())
    }

    fn read_chat_table(&mut self, src: &Src) -> Result<(), ImportError> {
        let (mut rows, cols, width) = src.open_table(CHAT_COLUMNS, &["chat"])?;
        let [chat, kind, trust, owner, camp] = cols;
        self.chat_table = Some(src.path.clone());
        while let Some(line) = rows.next().map_err(|e| src.rows_err(e))? {
            self.report.rows_read += 1;
            check_width(src, &rows, line, width)?;
            let c = self.chat_id(src, line, rows.field(chat.unwrap_or(0)))? as usize;
            let first = self.pending[c].line;
            if first != 0 {
                return Err(src.row(
                    line,
                    format!(
                        "chat \"{}\" is listed twice (first on line {first})",
                        self.chats.label(c as u32)
                    ),
                ));
            }
            let bad = |r: String| src.row(line, r);
            let kind = cell(&rows, kind).map(parse_kind).transpose().map_err(bad)?;
            let trust = cell(&rows, trust)
                .map(|b| parse_unit("trust", b))
                .transpose()
                .map_err(bad)?;
            let camp = cell(&rows, camp)
                .map(|b| self.camp(b))
                .transpose()
                .map_err(bad)?;
            let owner = match cell(&rows, owner) {
                Some(b) => Some(self.user_id(src, line, b)?),
                None => None,
            };
            self.pending[c] = PendingChat {
                line,
                kind: kind.map(|k| (k, KindFrom::Table(line))),
                trust,
                owner,
                camp,
            };
        }
        Ok(())
    }

    fn read_members(&mut self, src: &Src) -> Result<Members, ImportError> {
        let (mut rows, cols, width) = src.open_table(MEMBER_COLUMNS, &["chat", "user"])?;
        let [chat, user, kind] = cols;
        let (mut chat_of, mut user_of) = (Vec::new(), Vec::new());
        while let Some(line) = rows.next().map_err(|e| src.rows_err(e))? {
            self.report.rows_read += 1;
            check_width(src, &rows, line, width)?;
            let c = self.chat_id(src, line, rows.field(chat.unwrap_or(0)))?;
            let u = self.member_id(src, line, rows.field(user.unwrap_or(1)))?;
            if let Some(b) = cell(&rows, kind) {
                let k = parse_kind(b).map_err(|r| src.row(line, r))?;
                match self.pending[c as usize].kind {
                    None => self.pending[c as usize].kind = Some((k, KindFrom::Members(line))),
                    Some((k0, from)) if k0 != k => {
                        let whence = match from {
                            KindFrom::Members(l) => format!("on line {l}"),
                            KindFrom::Table(l) => format!(
                                "in {} line {l}",
                                self.chat_table
                                    .as_deref()
                                    .unwrap_or(Path::new(""))
                                    .display()
                            ),
                        };
                        return Err(src.row(
                            line,
                            format!(
                                "kind \"{k}\" contradicts kind \"{k0}\" given for chat \"{}\" {whence}",
                                self.chats.label(c)
                            ),
                        ));
                    }
                    Some(_) => {}
                }
            }
            if chat_of.len() >= u32::MAX as usize {
                return Err(src.file(format!("more than {} memberships", u32::MAX)));
            }
            chat_of.push(c);
            user_of.push(u);
        }
        if chat_of.is_empty() {
            return Err(src.file("has no memberships: expected rows `chat,user` after the header"));
        }
        self.check_table_users(&src.path)?;
        let n_chats = self.chats.len();
        let keep = first_occurrences(chat_of.len(), n_chats, |i| (chat_of[i], user_of[i]));
        let mut lengths = vec![0u32; n_chats];
        let mut kept = 0usize;
        for (i, &c) in chat_of.iter().enumerate() {
            if keep[i] {
                lengths[c as usize] += 1;
                kept += 1;
            }
        }
        self.report.duplicates_dropped += (chat_of.len() - kept) as u64;
        let members = group(&lengths, kept, |f| {
            for (i, (&c, &u)) in chat_of.iter().zip(&user_of).enumerate() {
                if keep[i] {
                    f(c, u);
                }
            }
        });
        Ok(Members {
            members,
            file: src.path.clone(),
        })
    }

    fn read_edges(&mut self, src: &Src) -> Result<Vec<u32>, ImportError> {
        let mut rows = src.open(b"#%", Sep::Space)?;
        // Every row has `width` fields: two without a header, as many as the header
        // names with one. A row with more is refused, never cut to two.
        let check = |rows: &Rows<BufReader<File>>, line, width: usize| {
            let n = edge_fields(rows);
            if n == width {
                Ok(())
            } else if n < 2 {
                Err(src.row(
                    line,
                    format!("expected 2 columns (two user ids), found {n}"),
                ))
            } else if width == 2 {
                Err(src.row(
                    line,
                    format!(
                        "{n} fields, expected 2 (two user ids); an edge list with more \
                         columns needs a header naming them, e.g. `source,target,weight`"
                    ),
                ))
            } else {
                Err(src.row(
                    line,
                    format!("{n} fields, expected {width} as in the header"),
                ))
            }
        };
        let Some(l1) = rows.next().map_err(|e| src.rows_err(e))? else {
            return Err(src.file("is empty: expected one edge `source,target` per line"));
        };
        let w1 = edge_fields(&rows);
        if w1 < 2 {
            check(&rows, l1, 2)?;
        }
        let (a1, b1) = (rows.field(0).to_vec(), rows.field(1).to_vec());
        let l2 = rows.next().map_err(|e| src.rows_err(e))?;
        let second_numeric = l2.is_some() && is_integer(rows.field(0)) && is_integer(rows.field(1));
        let header =
            !is_integer(&a1) && !is_integer(&b1) && (is_header_pair(&a1, &b1) || second_numeric);
        let width = if header { w1 } else { 2 };
        let mut pairs: Vec<u32> = Vec::new();
        let mut self_loops = 0u64;
        let mut add = |im: &mut Importer, line: u64, a: &[u8], b: &[u8]| {
            im.report.rows_read += 1;
            let a = im.member_id(src, line, a)?;
            let b = im.member_id(src, line, b)?;
            if a == b {
                self_loops += 1;
            } else if pairs.len() / 2 >= MAX_IDS {
                return Err(src.file(format!("has more than {MAX_IDS} edges")));
            } else {
                pairs.push(a);
                pairs.push(b);
            }
            Ok(())
        };
        if !header {
            if w1 != width {
                return Err(src.row(
                    l1,
                    format!(
                        "{w1} fields, expected 2 (two user ids); an edge list with more \
                         columns needs a header naming them, e.g. `source,target,weight`"
                    ),
                ));
            }
            add(self, l1, &a1, &b1)?;
        }
        if let Some(l2) = l2 {
            check(&rows, l2, width)?;
            add(self, l2, rows.field(0), rows.field(1))?;
            while let Some(line) = rows.next().map_err(|e| src.rows_err(e))? {
                check(&rows, line, width)?;
                add(self, line, rows.field(0), rows.field(1))?;
            }
        }
        self.check_table_users(&src.path)?;
        self.report.self_loops_dropped += self_loops;
        if pairs.is_empty() {
            return Err(src.file(if self_loops > 0 {
                format!("has no edges besides {self_loops} self-loop(s)")
            } else {
                "has no edges, only a header".to_string()
            }));
        }
        let m = pairs.len() / 2;
        let keep = first_occurrences(m, self.users.len(), |i| {
            let (a, b) = (pairs[2 * i], pairs[2 * i + 1]);
            (a.min(b), a.max(b))
        });
        let mut w = 0;
        for (i, &k) in keep.iter().enumerate() {
            if k {
                pairs[2 * w] = pairs[2 * i];
                pairs[2 * w + 1] = pairs[2 * i + 1];
                w += 1;
            }
        }
        pairs.truncate(2 * w);
        pairs.shrink_to_fit();
        self.report.duplicates_dropped += (m - w) as u64;
        Ok(pairs)
    }

    /// Every user's attributes: from the user table where given, drawn otherwise.
    fn build_users(&self) -> Users {
        let n = self.users.len();
        let p = &self.scenario.population;
        let seed = self.scenario.simulation.seed;
        let draw = |attr: u64, u: usize| rng::stream(seed, 0, attr, u as u64, Purpose::Import);
        let shares: Vec<f64> = p.camps.iter().map(|c| c.share).collect();
        let none = UserRow::default();
        let mut users = Users {
            camp: Vec::with_capacity(n),
            skepticism: Vec::with_capacity(n),
            activity: Vec::with_capacity(n),
            fanout: Vec::with_capacity(n),
            followers: Vec::with_capacity(n),
        };
        for u in 0..n {
            let row = self.user_rows.get(u).unwrap_or(&none);
            let camp = row
                .camp
                .unwrap_or_else(|| draw_camp(&shares, &mut draw(DRAW_CAMP, u)));
            let unit = |d: &crate::scenario::RealDist, attr| {
                d.sample(&mut draw(attr, u)).clamp(0.0, 1.0) as f32
            };
            let skepticism = row
                .skepticism
                .unwrap_or_else(|| unit(&p.skepticism, DRAW_SKEPTICISM));
            let activity = row
                .activity
                .unwrap_or_else(|| unit(&p.activity, DRAW_ACTIVITY));
            let fanout = row.fanout.unwrap_or_else(|| match p.fanout {
                IntDist::All => FANOUT_ALL,
                ref d => d
                    .sample(&mut draw(DRAW_FANOUT, u), u32::MAX)
                    .clamp(1, FANOUT_ALL as u32 - 1) as u16,
            });
            users.camp.push(camp);
            users.skepticism.push(skepticism);
            users.activity.push(activity);
            users.fanout.push(fanout);
            users.followers.push(row.followers.unwrap_or(0));
        }
        users
    }

    fn kind_trust(&self, kind: ChatKind) -> f32 {
        self.scenario.kind_spec(kind).trust as f32
    }

    fn population(
        self,
        users: Users,
        chats: Chats,
        chat_labels: Option<Vec<String>>,
    ) -> Population {
        let mut pop = Population {
            users,
            chats,
            camp_names: self.camp_names,
            user_labels: Some(self.users.into_labels()),
            chat_labels,
            import_report: Some(self.report),
            ..Population::default()
        };
        pop.index_user_chats();
        pop
    }

    fn finish_edges(self, pairs: Vec<u32>) -> Population {
        let users = self.build_users();
        let m = pairs.len() / 2;
        let trust = self.kind_trust(ChatKind::Direct);
        let camp = pairs
            .chunks_exact(2)
            .map(|p| users.camp[p[0] as usize])
            .collect();
        let chats = Chats {
            kind: vec![ChatKind::Direct; m],
            trust: vec![trust; m],
            camp,
            owner: vec![NO_OWNER; m],
            members: Csr::from_parts((0..=m as u64).map(|i| 2 * i).collect(), pairs),
        };
        self.population(users, chats, None)
    }

    fn finish_members(mut self, m: Members) -> Result<Population, ImportError> {
        let users = self.build_users();
        let n = self.chats.len();
        let mut chats = Chats {
            kind: Vec::with_capacity(n),
            trust: Vec::with_capacity(n),
            camp: Vec::with_capacity(n),
            owner: Vec::with_capacity(n),
            members: Csr::default(),
        };
        let mut counts = vec![0u32; self.camp_names.len().max(1)];
        for (c, p) in self.pending.iter().enumerate() {
            let kind = p.kind.map_or(ChatKind::Community, |k| k.0);
            let row = m.members.row(c);
            if let Some(o) = p.owner {
                if !row.contains(&o) {
                    let file = self.chat_table.clone().unwrap_or_default();
                    let chat = self.chats.label(c as u32);
                    return Err(ImportError::Row {
                        file,
                        line: p.line,
                        reason: format!(
                            "owner \"{}\" is not a member of chat \"{chat}\"; add the row \
                             \"{chat},{}\" to {}",
                            self.users.label(o),
                            self.users.label(o),
                            m.file.display()
                        ),
                    });
                }
            }
            chats.kind.push(kind);
            chats
                .trust
                .push(p.trust.unwrap_or_else(|| self.kind_trust(kind)));
            chats.owner.push(p.owner.unwrap_or(NO_OWNER));
            chats.camp.push(
                p.camp
                    .unwrap_or_else(|| majority_camp(row, &users.camp, &mut counts)),
            );
        }
        chats.members = m.members;
        let labels = std::mem::take(&mut self.chats).into_labels();
        Ok(self.population(users, chats, Some(labels)))
    }
}

/// A camp index drawn by the scenario's shares.
fn draw_camp(shares: &[f64], rng: &mut rng::Rng) -> u8 {
    if shares.len() <= 1 {
        return 0;
    }
    let x: f64 = rng.random();
    let mut acc = 0.0;
    for (i, s) in shares.iter().enumerate() {
        acc += s;
        if x < acc {
            return i as u8;
        }
    }
    shares.iter().rposition(|&s| s > 0.0).unwrap_or(0) as u8
}

/// The most common camp among `members` (ties to the lowest index; 0 if empty).
/// `counts` is scratch space of one slot per camp, all zero on entry and on return.
fn majority_camp(members: &[u32], camp: &[u8], counts: &mut [u32]) -> u8 {
    for &u in members {
        if let Some(c) = counts.get_mut(camp[u as usize] as usize) {
            *c += 1;
        }
    }
    let mut best = 0;
    for i in 0..counts.len() {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    for &u in members {
        if let Some(c) = counts.get_mut(camp[u as usize] as usize) {
            *c = 0;
        }
    }
    best as u8
}

/// Marks, among `n` keys `key(i) = (group, value)`, the first occurrence (lowest `i`)
/// of each distinct key; used to drop repeated edges and memberships while keeping
/// file order.
///
/// Keys are bucketed by group with a counting sort, then each bucket of packed
/// `(value, index)` words is sorted on its own. On 10^7 random edges among 10^6 users
/// this took 0.27 s, against 0.63-0.82 s for a `HashSet<u64>` of normalized pairs with a
/// fast hasher and 1.0-1.3 s with the default one: the buckets are small (a user's
/// degree) and sorted in cache, where a hash set takes a cache miss per edge.
///
/// # Complexity
/// O(n + n_groups + n log d) time for buckets of size d; 8 bytes per key plus 8 per
/// group of scratch, and the 1-byte-per-key result. `n` must fit in a u32.
fn first_occurrences(n: usize, n_groups: usize, key: impl Fn(usize) -> (u32, u32)) -> Vec<bool> {
    let mut start = vec![0usize; n_groups + 1];
    for i in 0..n {
        start[key(i).0 as usize + 1] += 1;
    }
    for g in 1..start.len() {
        start[g] += start[g - 1];
    }
    let mut packed = vec![0u64; n];
    let mut cursor = start.clone();
    for i in 0..n {
        let (g, v) = key(i);
        let c = &mut cursor[g as usize];
        packed[*c] = (v as u64) << 32 | i as u64;
        *c += 1;
    }
    drop(cursor);
    let mut keep = vec![false; n];
    for g in 0..n_groups {
        let bucket = &mut packed[start[g]..start[g + 1]];
        bucket.sort_unstable();
        let mut prev = None;
        for &x in bucket.iter() {
            let v = x >> 32;
            if prev != Some(v) {
                keep[(x & 0xFFFF_FFFF) as usize] = true;
                prev = Some(v);
            }
        }
    }
    keep
}

/// Builds rows from `(row, target)` pairs emitted by `each` in order, given each row's
/// length and the total; within a row, targets keep their order.
fn group(lengths: &[u32], total: usize, each: impl FnOnce(&mut dyn FnMut(u32, u32))) -> Csr {
    let mut offsets = Vec::with_capacity(lengths.len() + 1);
    let mut acc = 0u64;
    offsets.push(0);
    for &l in lengths {
        acc += l as u64;
        offsets.push(acc);
    }
    let mut cursor = offsets.clone();
    let mut targets = vec![0u32; total];
    each(&mut |r, t| {
        let c = &mut cursor[r as usize];
        targets[*c as usize] = t;
        *c += 1;
    });
    Csr::from_parts(offsets, targets)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    const TWO_CAMPS: &str =
        "camps = [{ name = \"a\", share = 0.5 }, { name = \"b\", share = 0.5 }]\n";

    /// A scenario in `dir` whose `[population]` section is `population`.
    fn scenario(dir: &Path, population: &str) -> Scenario {
        let text = format!("[simulation]\nseed = 7\n[population]\n{population}");
        let mut s = Scenario::from_toml_str(&text, "t.toml").unwrap();
        s.path = Some(dir.join("s.toml"));
        s
    }

    fn write(dir: &Path, name: &str, text: &str) {
        fs::write(dir.join(name), text).unwrap();
    }

    /// Imports an edge list given as text.
    fn edges(text: &str) -> Population {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "g.csv", text);
        import(&scenario(dir.path(), "edges = \"g.csv\"\n")).unwrap()
    }

    fn rows(c: &Csr) -> Vec<Vec<u32>> {
        (0..c.rows()).map(|r| c.row(r).to_vec()).collect()
    }

    fn labels(p: &Population) -> Vec<&str> {
        p.user_labels
            .as_ref()
            .unwrap()
            .iter()
            .map(String::as_str)
            .collect()
    }

    /// The (file name, line, reason) of a row error, or panics.
    fn row_err(e: ImportError) -> (String, u64, String) {
        match e {
            ImportError::Row { file, line, reason } => (
                file.file_name().unwrap().to_string_lossy().into_owned(),
                line,
                reason,
            ),
            other => panic!("expected a row error, got {other}"),
        }
    }

    /// Imports files (name, text) with the given `[population]` lines; returns the error.
    fn fails(files: &[(&str, &str)], population: &str) -> ImportError {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            write(dir.path(), name, text);
        }
        import(&scenario(dir.path(), population)).unwrap_err()
    }

    #[test]
    fn header_is_detected() {
        for text in [
            "source,target\n1,2\n2,3\n",
            "Source,Target,weight\n1,2,0.5\n2,3,1\n",
            "1,2\n2,3\n",
            "x,y\n1,2\n2,3\n",
        ] {
            let p = edges(text);
            assert_eq!(labels(&p), ["1", "2", "3"], "{text}");
            assert_eq!(p.import_report.as_ref().unwrap().rows_read, 2, "{text}");
        }
        // Known header names are a header even before string ids...
        assert_eq!(labels(&edges("from,to\nann,bob\n")), ["ann", "bob"]);
        // ...but two string ids followed by string ids are an edge.
        assert_eq!(labels(&edges("ann,bob\nbob,cy\n")), ["ann", "bob", "cy"]);
        // A numeric first row is always an edge.
        assert_eq!(labels(&edges("1,2\n")), ["1", "2"]);
    }

    #[test]
    fn space_and_tab_separated_edge_lists() {
        // networkx write_edgelist and KONECT style, with comments and a data column.
        let p = edges("# networkx\n% konect\n1 2 {}\n2   3 {'weight': 1}\n\n");
        assert_eq!(labels(&p), ["1", "2", "3"]);
        assert_eq!(rows(&p.chats.members), [[0, 1], [1, 2]]);
        let p = edges("u\tv\nNew York\tBoston\n");
        assert_eq!(labels(&p), ["New York", "Boston"]);
    }

    #[test]
    fn string_ids_become_direct_chats() {
        let p = edges("alice,bob\nbob,\"carol, jr\"\n");
        assert_eq!(labels(&p), ["alice", "bob", "carol, jr"]);
        assert_eq!(rows(&p.chats.members), [[0, 1], [1, 2]]);
        assert_eq!(rows(&p.user_chats), [vec![0], vec![0, 1], vec![1]]);
        assert_eq!(p.chats.kind, [ChatKind::Direct; 2]);
        assert_eq!(p.chats.owner, [NO_OWNER; 2]);
        assert_eq!(p.chats.trust, [0.8; 2]);
        assert_eq!(p.chat_labels, None);
    }

    #[test]
    fn direct_trust_and_first_member_camp_come_from_the_scenario() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "g.csv", "1,2\n2,3\n");
        write(dir.path(), "u.csv", "user,camp\n1,b\n2,a\n3,a\n");
        let s = scenario(
            dir.path(),
            &format!(
                "edges = \"g.csv\"\nuser_table = \"u.csv\"\n{TWO_CAMPS}\
                 [population.chats.direct]\ntrust = 0.25\n"
            ),
        );
        let p = import(&s).unwrap();
        assert_eq!(p.chats.trust, [0.25; 2]);
        assert_eq!(p.chats.camp, [1, 0]);
        assert_eq!(p.camp_names, ["a", "b"]);
    }

    #[test]
    fn self_loops_and_duplicates_are_dropped_and_counted() {
        let p = edges("1,2\n2,1\n1,1\n4,4\n1,2\n2,3\n3,2\n");
        let r = p.import_report.clone().unwrap();
        assert_eq!(r.self_loops_dropped, 2);
        assert_eq!(r.duplicates_dropped, 3);
        assert_eq!(r.rows_read, 7);
        assert_eq!(rows(&p.chats.members), [[0, 1], [1, 3]]);
        // User "4" appears only in a self-loop: kept, isolated.
        assert_eq!(labels(&p), ["1", "2", "4", "3"]);
        assert_eq!(p.user_chats.row_len(2), 0);
    }

    #[test]
    fn bad_edge_rows_name_file_and_line() {
        let e = fails(&[("g.csv", "1,2\n\n# c\n3\n")], "edges = \"g.csv\"\n");
        assert_eq!(
            row_err(e),
            (
                "g.csv".into(),
                4,
                "expected 2 columns (two user ids), found 1".into()
            )
        );
        // More fields than the file declares are refused, never cut to two.
        let e = fails(&[("g.csv", "1,2\n2,3\n3,4,5\n")], "edges = \"g.csv\"\n");
        let (file, line, reason) = row_err(e);
        assert_eq!((file.as_str(), line), ("g.csv", 3));
        assert!(reason.starts_with("3 fields, expected 2"), "{reason}");
        let e = fails(&[("g.csv", "1,2,7\n2,3,8\n")], "edges = \"g.csv\"\n");
        assert_eq!(row_err(e).1, 1);
        let e = fails(
            &[("g.csv", "source,target,weight\n1,2,0.5\n2,3\n")],
            "edges = \"g.csv\"\n",
        );
        let (_, line, reason) = row_err(e);
        assert_eq!(
            (line, reason.as_str()),
            (3, "2 fields, expected 3 as in the header")
        );
        let e = fails(&[("g.csv", "1,2\n,5\n")], "edges = \"g.csv\"\n");
        assert_eq!(row_err(e), ("g.csv".into(), 2, "empty user id".into()));
        let e = fails(&[("g.csv", "1,2\n\"3,4\n")], "edges = \"g.csv\"\n");
        assert_eq!(row_err(e).1, 2);
    }

    #[test]
    fn unusable_files_and_scenarios() {
        let e = fails(&[], "edges = \"nope.csv\"\n");
        match e {
            ImportError::Io { file, .. } => assert!(file.ends_with("nope.csv")),
            other => panic!("{other}"),
        }
        for text in ["", "\n# only a comment\n", "source,target\n", "1,1\n"] {
            let e = fails(&[("g.csv", text)], "edges = \"g.csv\"\n");
            assert!(matches!(e, ImportError::File { .. }), "{text:?}: {e}");
        }
        let e = fails(&[("m.csv", "chat,user\n")], "members = \"m.csv\"\n");
        assert!(e.to_string().contains("no memberships"), "{e}");
        let e = fails(&[], "");
        assert!(e.to_string().contains("names no population file"), "{e}");
    }

    #[test]
    fn membership_table_with_chat_table() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "m.csv",
            "user,chat,kind\nu1,fam,family\nu2,fam,\nu3,fam,family\nu2,fam,\n\
             u4,list,broadcast\nu1,list,\nu5,club,\nu3,club,\n",
        );
        write(
            dir.path(),
            "c.csv",
            "chat,owner,trust,camp\nlist,u4,,\nempty,,0.3,b\nclub,,0.125,\n",
        );
        write(
            dir.path(),
            "u.csv",
            "user,camp\nu1,a\nu2,b\nu3,b\nu4,a\nu5,a\n",
        );
        let s = scenario(
            dir.path(),
            &format!(
                "members = \"m.csv\"\nchat_table = \"c.csv\"\nuser_table = \"u.csv\"\n{TWO_CAMPS}"
            ),
        );
        let p = import(&s).unwrap();
        // Chats: chat table order first, then new chats of the membership table.
        let chats: Vec<&str> = p
            .chat_labels
            .as_ref()
            .unwrap()
            .iter()
            .map(String::as_str)
            .collect();
        assert_eq!(chats, ["list", "empty", "club", "fam"]);
        assert_eq!(labels(&p), ["u1", "u2", "u3", "u4", "u5"]);
        assert_eq!(
            rows(&p.chats.members),
            [vec![3, 0], vec![], vec![4, 2], vec![0, 1, 2]]
        );
        use ChatKind::*;
        assert_eq!(p.chats.kind, [Broadcast, Community, Community, Family]);
        assert_eq!(p.chats.owner, [3, NO_OWNER, NO_OWNER, NO_OWNER]);
        assert_eq!(p.chats.trust, [0.6, 0.3, 0.125, 0.9]);
        // Majority camp, ties to the lowest index; the table's camp wins.
        assert_eq!(p.chats.camp, [0, 1, 0, 1]);
        let r = p.import_report.unwrap();
        assert_eq!((r.duplicates_dropped, r.rows_read), (1, 16));
    }

    #[test]
    fn bad_membership_rows() {
        let m = "members = \"m.csv\"\n";
        let cases = [
            ("chat\ng1\n", 1, "no \"user\" column"),
            (
                "chat,usr\n",
                1,
                "unknown column \"usr\"; did you mean \"user\"?",
            ),
            (
                "chat,user\ng1,u1\ng1\n",
                3,
                "expected 2 columns as in the header, found 1",
            ),
            ("chat,user\n,u1\n", 2, "empty chat id"),
            (
                "chat,user,kind\ng1,u1,grup\n",
                2,
                "kind \"grup\" is not a chat kind",
            ),
            (
                "chat,user,kind\ng1,u1,work\ng1,u2,family\n",
                3,
                "kind \"family\" contradicts kind \"work\" given for chat \"g1\" on line 2",
            ),
        ];
        for (text, line, reason) in cases {
            let (file, l, r) = row_err(fails(&[("m.csv", text)], m));
            assert_eq!((file.as_str(), l), ("m.csv", line), "{text}: {r}");
            assert!(r.contains(reason), "{text}: {r}");
        }
    }

    #[test]
    fn bad_chat_table_rows() {
        let pop = "members = \"m.csv\"\nchat_table = \"c.csv\"\n";
        let members = "chat,user,kind\ng1,u1,work\ng1,u2,\n";
        let cases = [
            (
                "chat,trust\ng1,1.5\n",
                "c.csv",
                2,
                "trust \"1.5\" is outside [0, 1]",
            ),
            (
                "chat,trust\ng1,high\n",
                "c.csv",
                2,
                "trust \"high\" is not a number",
            ),
            (
                "chat,owner\ng1,u9\n",
                "c.csv",
                2,
                "owner \"u9\" is not a member of chat \"g1\"",
            ),
            (
                "chat,camp\ng1,blue\n",
                "c.csv",
                2,
                "camp \"blue\" is not a camp of the scenario; camps are \"all\"",
            ),
            (
                "chat\ng1\ng1\n",
                "c.csv",
                3,
                "chat \"g1\" is listed twice (first on line 2)",
            ),
            ("chat,colour\n", "c.csv", 1, "unknown column \"colour\""),
            (
                "chat,kind\ng1,family\n",
                "m.csv",
                2,
                "contradicts kind \"family\" given for chat \"g1\" in",
            ),
        ];
        for (text, file, line, reason) in cases {
            let (f, l, r) = row_err(fails(&[("m.csv", members), ("c.csv", text)], pop));
            assert_eq!((f.as_str(), l), (file, line), "{text}: {r}");
            assert!(r.contains(reason), "{text}: {r}");
        }
    }

    #[test]
    fn bad_user_table_rows() {
        let pop = format!("edges = \"g.csv\"\nuser_table = \"u.csv\"\n{TWO_CAMPS}");
        let cases = [
            (
                "user,skepticism\n1,1.7\n",
                2,
                "skepticism \"1.7\" is outside [0, 1]",
            ),
            (
                "user,activity\n1,NaN\n",
                2,
                "activity \"NaN\" is outside [0, 1]",
            ),
            (
                "user,camp\n1,a\n2,blue\n",
                3,
                "camp \"blue\" is not a camp of the scenario; camps are \"a\", \"b\"",
            ),
            (
                "user,fanout\n1,0\n",
                2,
                "fanout \"0\" must be a whole number from 1 to 65534, or \"all\"",
            ),
            (
                "user,followers\n1,-3\n",
                2,
                "followers \"-3\" must be a whole number",
            ),
            (
                "user\n1\n\n1\n",
                4,
                "user \"1\" is listed twice (first on line 2)",
            ),
            ("user,camp\n,a\n", 2, "empty user id"),
            ("user\n1\n2\n5\n", 4, "user \"5\" is in no chat of"),
            (
                "user,isolated\n2,\n1,true\n",
                3,
                "user \"1\" is marked isolated",
            ),
            (
                "user,isolated\n1,yes\n",
                2,
                "isolated \"yes\" must be true or false",
            ),
            ("user,skeptcism\n", 1, "did you mean \"skepticism\"?"),
            ("user,user\n", 1, "column \"user\" appears twice"),
        ];
        for (text, line, reason) in cases {
            let (f, l, r) = row_err(fails(&[("g.csv", "1,2\n"), ("u.csv", text)], &pop));
            assert_eq!((f.as_str(), l), ("u.csv", line), "{text}: {r}");
            assert!(r.contains(reason), "{text}: {r}");
        }
    }

    #[test]
    fn user_table_values_and_fallback_draws() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "g.csv", "1,2\n2,3\n3,4\n");
        write(
            dir.path(),
            "u.csv",
            "user,skepticism,fanout,followers,isolated\n2,0.5,all,10,\n3,,7,,\nloner,1,,,true\n",
        );
        write(
            dir.path(),
            "ids.csv",
            "user,isolated\n2,false\n3,\nloner,true\n",
        );
        let base = format!("edges = \"g.csv\"\n{TWO_CAMPS}");
        let with = |table: &str| {
            import(&scenario(
                dir.path(),
                &format!("{base}user_table = \"{table}\"\n"),
            ))
            .unwrap()
        };
        let (full, bare) = (with("u.csv"), with("ids.csv"));
        // The user table comes first: its users get the first ids.
        assert_eq!(labels(&full), ["2", "3", "loner", "1", "4"]);
        assert_eq!(labels(&bare), labels(&full));
        assert_eq!(full.user_chats.row_len(2), 0);
        let (f, b) = (&full.users, &bare.users);
        // Given values are used; empty cells, missing columns and users missing from the
        // table fall back to draws.
        assert_eq!(f.skepticism[0], 0.5);
        assert_eq!(f.skepticism[1], b.skepticism[1]);
        assert_eq!(f.skepticism[2], 1.0);
        assert_eq!(&f.skepticism[3..], &b.skepticism[3..]);
        assert_eq!(&f.fanout[..2], &[FANOUT_ALL, 7]);
        assert_eq!(&f.fanout[2..], &b.fanout[2..]);
        assert_eq!(f.followers, [10, 0, 0, 0, 0]);
        // Attributes without a column are drawn exactly as without those columns.
        assert_eq!((&f.camp, &f.activity), (&b.camp, &b.activity));
        // Each draw comes from its own keyed stream.
        let s = scenario(dir.path(), &base);
        let p = &s.population;
        for u in 0..5u64 {
            let mut r = rng::stream(7, 0, DRAW_ACTIVITY, u, Purpose::Import);
            assert_eq!(f.activity[u as usize], p.activity.sample(&mut r) as f32);
        }
        let mut r = rng::stream(7, 0, DRAW_SKEPTICISM, 1, Purpose::Import);
        assert_eq!(f.skepticism[1], p.skepticism.sample(&mut r) as f32);
        assert!(f.fanout[2..].iter().all(|&x| (1..=50).contains(&x)));
    }

    #[test]
    fn drawn_camps_follow_the_shares() {
        let n = 4000;
        let text: String = (0..n).map(|i| format!("{i},{}\n", (i + 1) % n)).collect();
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "g.csv", &text);
        let s = scenario(
            dir.path(),
            "edges = \"g.csv\"\ncamps = [{ name = \"a\", share = 0.3 }, { name = \"b\", share = 0.7 }]\n\
             skepticism = { dist = \"constant\", value = 0.25 }\nfanout = { dist = \"all\" }\n",
        );
        let p = import(&s).unwrap();
        let b = p.users.camp.iter().filter(|&&c| c == 1).count() as f64 / n as f64;
        let sd = (0.3f64 * 0.7 / n as f64).sqrt();
        assert!((b - 0.7).abs() < 4.0 * sd, "share of b {b}");
        assert!(p.users.skepticism.iter().all(|&x| x == 0.25));
        assert!(p.users.fanout.iter().all(|&f| f == FANOUT_ALL));
        assert_eq!(p.n_chats(), n);
    }

    #[test]
    fn first_occurrences_keep_the_earliest() {
        let keys = [(1, 5), (0, 2), (1, 5), (1, 4), (0, 2), (2, 0)];
        let keep = first_occurrences(keys.len(), 3, |i| keys[i]);
        assert_eq!(keep, [true, true, false, true, false, true]);
    }

    /// Loads a random edge list of 10^7 edges and prints the time and peak memory.
    /// Run with `cargo test --release --lib import_1e7 -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn import_1e7_edges() {
        use std::io::Write;
        let (m, n) = (10_000_000u64, 1_000_000u64);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.csv");
        let mut w = std::io::BufWriter::new(fs::File::create(&path).unwrap());
        let mut r = rng::from_seed(1);
        for _ in 0..m {
            writeln!(w, "{},{}", r.random_range(0..n), r.random_range(0..n)).unwrap();
        }
        drop(w);
        let bytes = fs::metadata(&path).unwrap().len();
        let s = scenario(dir.path(), "edges = \"g.csv\"\n");
        let t = std::time::Instant::now();
        let p = import(&s).unwrap();
        let secs = t.elapsed().as_secs_f64();
        let peak = fs::read_to_string("/proc/self/status").ok().and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(str::to_string)
        });
        println!(
            "{m} edges ({} MB) -> {} users, {} chats in {secs:.2} s; population {} MB; {:?}; {:?}",
            bytes / 1_000_000,
            p.n_users(),
            p.n_chats(),
            p.heap_bytes() / 1_000_000,
            peak,
            p.import_report
        );
    }
}
