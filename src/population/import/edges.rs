//! The edge list: one edge per row, each to become a direct chat of its two users.
//!
//! Unlike the headed tables (`tables.rs`), an edge list comes from many tools: comma-,
//! tab- or space-separated, with `#` and `%` comment lines, with or without a header
//! row, sometimes with networkx's data column. This file holds the rules that decide
//! which first row is a header and how many fields every row must have (both stated
//! on [`super::import`] and in `docs/scenario.md`), and reads the edges as pairs of
//! dense user ids, each checked by `cells.rs` and mapped by the [`Importer`]. Self-loops
//! are dropped as they are read; `assembly.rs` drops repeated edges and turns the rest
//! into chats.

use super::cells::is_integer;
use super::ids::MAX_IDS;
use super::rows::{Rows, Sep};
use super::source::Src;
use super::Importer;
use crate::error::ImportError;
use std::io::BufRead;

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

/// Fields of an edge-list row, not counting networkx's data column: in a
/// space-separated file, the fields from the first one that opens with `{` (a Python
/// dict such as `{'weight': 1}`, itself split at its spaces) are one column, ignored.
fn edge_fields<R: BufRead>(rows: &Rows<R>) -> usize {
    (0..rows.len())
        .find(|&i| i >= 2 && rows.field(i).starts_with(b"{"))
        .unwrap_or(rows.len())
}

/// Whether a first row's two fields are a usual pair of header names.
fn is_header_pair(a: &[u8], b: &[u8]) -> bool {
    EDGE_HEADERS
        .iter()
        .any(|(x, y)| a.eq_ignore_ascii_case(x.as_bytes()) && b.eq_ignore_ascii_case(y.as_bytes()))
}

impl Importer<'_> {
    /// Reads the edge list: the two users of every edge in file order, as a flat list
    /// of pairs. Self-loops are dropped and counted here, as they are read; repeated
    /// edges are kept for `assembly.rs` to drop.
    pub(super) fn read_edges<R: BufRead>(
        &mut self,
        src: &Src,
        input: R,
    ) -> Result<Vec<u32>, ImportError> {
        let mut rows = src.rows(input, b"#%", Sep::Space)?;
        // Every row has `width` fields: two without a header, as many as the header
        // names with one. A row with more is refused, never cut to two.
        let check = |rows: &Rows<R>, line, width: usize| {
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
        Ok(pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::population::import::testkit::{edges, fails, labels, row_err, rows, scenario, src};
    use std::path::Path;

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

    /// Reads an edge list held in memory: the pairs read and the report's (rows read,
    /// self-loops dropped), or the error.
    fn read(text: &str) -> Result<(Vec<u32>, (u64, u64)), ImportError> {
        let s = scenario(Path::new(""), "");
        let mut im = Importer::new(&s);
        let pairs = im.read_edges(&src("g.csv"), text.as_bytes())?;
        Ok((pairs, (im.report.rows_read, im.report.self_loops_dropped)))
    }

    #[test]
    fn edges_are_read_as_pairs_with_self_loops_dropped_and_repeats_kept() {
        let (pairs, counts) = read("# comment\n1,2\n2,2\n2,1\n1,2\n3,1\n").unwrap();
        // Dense ids by first appearance (1, 2, 3); repeats are left to the assembly.
        assert_eq!(pairs, [0, 1, 1, 0, 0, 1, 2, 0]);
        assert_eq!(counts, (5, 1));
    }

    #[test]
    fn the_first_row_is_a_header_only_by_the_rule() {
        let rows_read = |text: &str| read(text).unwrap().1 .0;
        assert_eq!(rows_read("x,y\n1,2\n"), 1, "names over integers");
        assert_eq!(rows_read("SRC,Dst\nann,bob\n"), 1, "usual names");
        assert_eq!(rows_read("ann,bob\nbob,cy\n"), 2, "names over names");
        assert_eq!(rows_read("1,x\n2,y\n"), 2, "an integer in the first row");
        assert_eq!(rows_read("x,y\n"), 1, "a single row of unusual names");
        let e = read("source,target\n").unwrap_err();
        assert_eq!(e.to_string(), "g.csv: has no edges, only a header");
        let e = read("\n# nothing\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "g.csv: is empty: expected one edge `source,target` per line"
        );
        let e = read("1,1\n2,2\n").unwrap_err();
        assert_eq!(e.to_string(), "g.csv: has no edges besides 2 self-loop(s)");
    }

    #[test]
    fn a_bad_row_in_memory_gives_its_physical_line() {
        // Comment and blank lines count; a row whose quoted field spans two lines is
        // dated from its first.
        let cases = [
            (
                "# a\n% b\n\n1,2\n3\n",
                5,
                "expected 2 columns (two user ids), found 1",
            ),
            (
                "1,2\n\"3\n\",4\n5,6,7\n",
                4,
                "3 fields, expected 2 (two user ids)",
            ),
            (
                "source,target,weight\n1,2,3\n\n2,3\n",
                4,
                "2 fields, expected 3 as in the header",
            ),
            (
                "1 2\n2 3 {'weight': 1}\n3\n",
                3,
                "expected 2 columns (two user ids), found 1",
            ),
            ("1\t2\n\t3\n", 2, "empty user id"),
            ("1,2\n2,\"3\n", 2, "a quoted field is never closed"),
        ];
        for (text, line, reason) in cases {
            let (file, l, r) = row_err(read(text).unwrap_err());
            assert_eq!((file.as_str(), l), ("g.csv", line), "{text:?}: {r}");
            assert!(r.starts_with(reason), "{text:?}: {r}");
        }
    }

    #[test]
    fn header_names_and_the_data_column() {
        assert!(is_header_pair(b"Source", b"TARGET"));
        assert!(is_header_pair(b"node_1", b"node_2"));
        assert!(!is_header_pair(b"target", b"source"));
        assert!(!is_header_pair(b"source", b""));
        let text = "1 2 {'weight': 1, 'w': 3}\n1 2 x {}\n{ 2\n";
        let mut r = Rows::new(text.as_bytes(), Sep::Space, b"");
        let mut widths = Vec::new();
        while r.next().unwrap().is_some() {
            widths.push((r.len(), edge_fields(&r)));
        }
        // The dict is split at its spaces but counts for nothing; a `{` among the
        // first two fields is an id.
        assert_eq!(widths, [(6, 2), (4, 3), (2, 2)]);
    }
}
