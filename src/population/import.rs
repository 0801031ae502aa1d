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
//! readers share ([`Importer`]: ids, what each file said). The work is split by
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

use super::{ImportReport, Population};
use crate::error::ImportError;
use crate::scenario::{ChatKind, PopulationSource, Scenario};
use ids::IdMap;
use source::Src;
use std::path::PathBuf;

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

/// A membership table as read: the chat and user of every row, in file order,
/// repeats included.
struct Memberships {
    chat_of: Vec<u32>,
    user_of: Vec<u32>,
    /// The membership table, named when an owner is not a member.
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
    use super::assembly::{first_occurrences, DRAW_ACTIVITY, DRAW_SKEPTICISM};
    use super::*;
    use crate::population::{Csr, FANOUT_ALL, NO_OWNER};
    use crate::rng::{self, Purpose};
    use rand::Rng as _;
    use std::fs;
    use std::path::Path;

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
