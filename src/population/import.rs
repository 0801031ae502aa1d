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
//! This file holds the order in which files are read ([`import`]) and the state the
//! readers share (`Importer`: ids, what each file said). The work is split by
//! concern, from the bytes up:
//! - `rows.rs`: a small CSV dialect read row by row, numbered by physical line;
//! - `ids.rs`: external user and chat ids to dense ids, in order of first appearance;
//! - `cells.rs`: one field checked and converted (numbers, kinds, camps, booleans);
//! - `source.rs`: one file opened, its separator guessed, errors naming it;
//! - `tables.rs`: the headed tables (user, chat, membership) with their header and
//!   width rules;
//! - `edges.rs`: the edge list with its header and width rules;
//! - `assembly.rs`: the population built from what was read (repeats dropped, the
//!   chat -> members and user -> chats indexes, chat defaults, drawn attributes).
//!
//! Every bad row is an [`ImportError::Row`] naming the file, the 1-based physical line
//! and what to change.

mod assembly;
mod cells;
mod edges;
mod ids;
mod rows;
mod source;
mod tables;
#[cfg(test)]
mod testkit;

use super::{ImportReport, Population};
use crate::error::ImportError;
use crate::scenario::{ChatKind, PopulationSource, Scenario};
use ids::IdMap;
use source::Src;
use std::path::PathBuf;

/// Builds a population from the files named in the checked `scenario.population`
/// ([`crate::scenario::PopulationSpec`]): its `source` (a
/// [`PopulationSource::Edges`] edge list, or a [`PopulationSource::Members`] membership
/// table with its optional chat table) and its optional `user_table`.
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
/// 1..=65534 (`dist = "all"` gives [`FANOUT_ALL`](super::FANOUT_ALL)).
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
        let src = Src::new(&base, p);
        im.read_user_table(&src, src.open()?)?;
    }
    match &pc.source {
        PopulationSource::Edges { edges } => {
            let src = Src::new(&base, edges);
            let pairs = im.read_edges(&src, src.open()?)?;
            Ok(im.finish_edges(pairs))
        }
        PopulationSource::Members {
            members,
            chat_table,
        } => {
            if let Some(t) = chat_table {
                let src = Src::new(&base, t);
                im.read_chat_table(&src, src.open()?)?;
            }
            let src = Src::new(&base, members);
            let members = im.read_members(&src, src.open()?)?;
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

/// What the files of one import have said so far: shared by the readers, which fill
/// it, and by the assembly, which builds the population from it.
struct Importer<'a> {
    scenario: &'a Scenario,
    camp_names: Vec<String>,
    /// User ids seen in any file, in order of first appearance.
    users: IdMap,
    /// What the user table gives, by dense user id (users after its last are absent).
    user_rows: Vec<UserRow>,
    /// Chat ids seen in the chat or membership table, in order of first appearance.
    chats: IdMap,
    /// What the chat and membership tables give, by dense chat id.
    pending: Vec<PendingChat>,
    /// The chat table, if any, named when its kind or owner is contradicted.
    chat_table: Option<PathBuf>,
    /// The user table, if any, and which of its users the membership table or edge
    /// list names (the users of the table are the first ids).
    user_table: Option<PathBuf>,
    in_network: Vec<bool>,
    report: ImportReport,
}

/// A membership table as read: the chat and user of every row, in file order,
/// repeats included.
struct Memberships {
    chat_of: Vec<u32>,
    user_of: Vec<u32>,
    /// The membership table, named when an owner is not a member.
    file: PathBuf,
}

impl<'a> Importer<'a> {
    /// An import for `scenario`, before any file is read.
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

    /// A user id of any file, mapped to its dense id.
    fn user_id(&mut self, src: &Src, line: u64, b: &[u8]) -> Result<u32, ImportError> {
        self.users
            .get_or_insert(b)
            .map_err(|e| src.id_err(line, "user", e))
    }

    /// A chat id of the chat or membership table, mapped to its dense id; a new chat
    /// starts with nothing given.
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
}

#[cfg(test)]
mod tests {
    use super::testkit::{fails, scenario};
    use super::*;
    use crate::rng;
    use rand::Rng as _;
    use std::fs;

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
