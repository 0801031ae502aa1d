//! The headed tables: the user table, the chat table and the membership table.
//!
//! A table names its columns in a header row, in any order and any case; an unknown or
//! repeated column is refused (a misspelt column would otherwise fall back to drawn
//! values), and every row has as many fields as the header. Each row's cells are
//! checked by `cells.rs` and its ids mapped by the [`Importer`]; a bad row stops the
//! import with the file and its physical line ([`Src`]). What the tables say is kept
//! on the [`Importer`] (users' and chats' given attributes, chats' kinds) or returned
//! ([`Memberships`]) for `assembly.rs`, which builds the population from it. The edge
//! list, which has no header of its own, is read by `edges.rs`.
//!
//! The user table is read first, then the chat table, then the membership table, so
//! ids come in that order of first appearance (see [`super::import`]).

use super::cells::{
    cell, parse_camp, parse_fanout, parse_followers, parse_isolated, parse_kind, parse_unit,
};
use super::rows::{Rows, Sep};
use super::source::Src;
use super::{Importer, KindFrom, Memberships, PendingChat, UserRow};
use crate::error::ImportError;
use crate::scenario::nearest;
use std::io::BufRead;
use std::path::Path;

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

/// An opened table: its rows, the position of each known column, and its width.
type Table<R, const N: usize> = (Rows<R>, [Option<usize>; N], usize);

/// Reads the header of a table: the position of each of `names` (`None` if
/// absent) and the number of columns, which every row must have.
fn open_table<R: BufRead, const N: usize>(
    src: &Src,
    input: R,
    names: [&str; N],
    required: &[&str],
) -> Result<Table<R, N>, ImportError> {
    let mut rows = src.rows(input, b"", Sep::Comma)?;
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
    let Some(line) = rows.next().map_err(|e| src.rows_err(e))? else {
        return Err(src.file(format!("is empty; {}", expected())));
    };
    let mut cols = [None; N];
    for i in 0..rows.len() {
        let name = String::from_utf8_lossy(rows.field(i)).to_ascii_lowercase();
        let Some(k) = names.iter().position(|n| *n == name) else {
            let hint = nearest(&name, &names)
                .map(|n| format!("did you mean \"{n}\"? "))
                .unwrap_or_default();
            return Err(src.row(
                line,
                format!("unknown column \"{name}\"; {hint}{}", expected()),
            ));
        };
        if cols[k].is_some() {
            return Err(src.row(line, format!("column \"{name}\" appears twice")));
        }
        cols[k] = Some(i);
    }
    for r in required {
        if let Some(k) = names.iter().position(|n| n == r) {
            if cols[k].is_none() {
                return Err(src.row(line, format!("no \"{r}\" column; {}", expected())));
            }
        }
    }
    let width = rows.len();
    Ok((rows, cols, width))
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

impl Importer<'_> {
    /// Reads the user table: each user's given attributes, with the user table's users
    /// as the first ids.
    pub(super) fn read_user_table(
        &mut self,
        src: &Src,
        input: impl BufRead,
    ) -> Result<(), ImportError> {
        let (mut rows, cols, width) = open_table(src, input, USER_COLUMNS, &["user"])?;
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
                    .map(|b| parse_camp(&self.camp_names, b))
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

    /// Reads the chat table: each chat's given attributes, with its chats as the first
    /// chat ids. An owner is checked against the members when they are known
    /// (`assembly.rs`).
    pub(super) fn read_chat_table(
        &mut self,
        src: &Src,
        input: impl BufRead,
    ) -> Result<(), ImportError> {
        let (mut rows, cols, width) = open_table(src, input, CHAT_COLUMNS, &["chat"])?;
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
                .map(|b| parse_camp(&self.camp_names, b))
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

    /// Reads the membership table: the (chat, user) pair of every row in file order,
    /// repeats included (`assembly.rs` drops them), and each chat's kind if given.
    pub(super) fn read_members(
        &mut self,
        src: &Src,
        input: impl BufRead,
    ) -> Result<Memberships, ImportError> {
        let (mut rows, cols, width) = open_table(src, input, MEMBER_COLUMNS, &["chat", "user"])?;
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
        Ok(Memberships {
            chat_of,
            user_of,
            file: src.path.clone(),
        })
    }

    /// Checks, once the membership table or edge list is read, that every user of the
    /// user table is in it, or marked `isolated` and not in it: a stray row would
    /// otherwise add a user in no chat and dilute every share.
    pub(super) fn check_table_users(&self, network: &Path) -> Result<(), ImportError> {
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
}
