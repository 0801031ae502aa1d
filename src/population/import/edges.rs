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
