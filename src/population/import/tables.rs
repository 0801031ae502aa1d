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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::population::import::testkit::{fails, row_err, scenario, src, TWO_CAMPS};
    use crate::population::FANOUT_ALL;
    use crate::scenario::Scenario;

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

    /// The scenario of the in-memory tests: two camps, "a" and "b".
    fn two_camps() -> Scenario {
        scenario(Path::new(""), TWO_CAMPS)
    }

    /// Reads the header of a membership table held in memory.
    fn header(text: &str) -> Result<([Option<usize>; 3], usize), ImportError> {
        let (_, cols, width) = open_table(
            &src("m.csv"),
            text.as_bytes(),
            MEMBER_COLUMNS,
            &["chat", "user"],
        )?;
        Ok((cols, width))
    }

    #[test]
    fn the_header_names_columns_in_any_order_and_case() {
        assert_eq!(
            header("Kind,USER,chat\n").unwrap(),
            ([Some(2), Some(1), Some(0)], 3)
        );
        assert_eq!(
            header("user,chat\n").unwrap(),
            ([Some(1), Some(0), None], 2)
        );
    }

    #[test]
    fn header_errors_are_on_the_header_line() {
        let cases = [
            ("\n\nchat,user,chat\n", 3, "column \"chat\" appears twice"),
            (
                "\nuser\n",
                2,
                "no \"chat\" column; the header must name chat, user and may name kind",
            ),
            (
                "chat,user,kin\n",
                1,
                "unknown column \"kin\"; did you mean \"kind\"? the header must name chat, \
                 user and may name kind",
            ),
        ];
        for (text, line, reason) in cases {
            let e = header(text).unwrap_err();
            assert_eq!(
                row_err(e),
                ("m.csv".into(), line, reason.into()),
                "{text:?}"
            );
        }
        assert_eq!(
            header("\n\n").unwrap_err().to_string(),
            "m.csv: is empty; the header must name chat, user and may name kind"
        );
    }

    #[test]
    fn every_row_has_the_width_of_the_header() {
        let s = two_camps();
        let mut im = Importer::new(&s);
        let e = im
            .read_user_table(&src("u.csv"), "user\n1\n\n2,a\n".as_bytes())
            .unwrap_err();
        let reason = "expected 1 column as in the header, found 2";
        assert_eq!(row_err(e), ("u.csv".into(), 4, reason.into()));
    }

    #[test]
    fn the_user_table_gives_the_first_ids_and_their_attributes() {
        let s = two_camps();
        let mut im = Importer::new(&s);
        let text = "user,fanout,camp,isolated\nzed,all,b,true\n7,3,,\n";
        im.read_user_table(&src("u.csv"), text.as_bytes()).unwrap();
        assert_eq!((im.users.label(0), im.users.label(1)), ("zed", "7"));
        let r = &im.user_rows;
        assert_eq!(
            (r[0].line, r[0].fanout, r[0].camp, r[0].isolated),
            (2, Some(FANOUT_ALL), Some(1), true)
        );
        assert_eq!(
            (r[1].line, r[1].fanout, r[1].camp, r[1].isolated),
            (3, Some(3), None, false)
        );
        assert_eq!(r[1].skepticism, None);
        assert_eq!(im.in_network, [false, false]);
        assert_eq!(im.report.rows_read, 2);
    }

    #[test]
    fn a_bad_chat_table_row_in_memory_gives_its_physical_line() {
        let s = two_camps();
        let mut im = Importer::new(&s);
        // Line 1 the header, lines 2-3 one row (a quoted id spans them), 4 blank.
        let text = "chat,trust,camp\n\"family\nchat\",0.5,a\n\ng2,0.5,c\n";
        let e = im
            .read_chat_table(&src("c.csv"), text.as_bytes())
            .unwrap_err();
        let reason = "camp \"c\" is not a camp of the scenario; camps are \"a\", \"b\"";
        assert_eq!(row_err(e), ("c.csv".into(), 5, reason.into()));
        assert_eq!(im.chats.label(0), "family\nchat");
        assert_eq!(im.pending[0].line, 2);
    }

    #[test]
    fn memberships_are_read_in_file_order_with_repeats() {
        let s = two_camps();
        let mut im = Importer::new(&s);
        let text = "chat,user\ng,u1\nh,u2\ng,u1\ng,u2\n";
        let m = im.read_members(&src("m.csv"), text.as_bytes()).unwrap();
        assert_eq!((m.chat_of, m.user_of), (vec![0, 1, 0, 0], vec![0, 1, 0, 1]));
        assert_eq!(m.file, Path::new("m.csv"));
        assert_eq!(im.report.rows_read, 4);
        assert_eq!(
            im.report.duplicates_dropped, 0,
            "the assembly drops repeats"
        );
    }

    #[test]
    fn a_kind_contradicting_the_chat_table_names_its_file_and_line() {
        let s = two_camps();
        let mut im = Importer::new(&s);
        im.read_chat_table(&src("c.csv"), "chat,kind\n\ng,work\n".as_bytes())
            .unwrap();
        let text = "chat,user,kind\ng,u1,\ng,u2,Work\ng,u3,family\n";
        let e = im
            .read_members(&src("m.csv"), text.as_bytes())
            .err()
            .unwrap();
        let reason =
            "kind \"family\" contradicts kind \"work\" given for chat \"g\" in c.csv line 3";
        assert_eq!(row_err(e), ("m.csv".into(), 4, reason.into()));
    }

    #[test]
    fn users_of_the_user_table_must_be_in_the_network_unless_isolated() {
        let s = two_camps();
        let read = |members: &str| {
            let mut im = Importer::new(&s);
            let users = "user,isolated\nu1,\nloner,true\nu2,\n";
            im.read_user_table(&src("u.csv"), users.as_bytes())?;
            im.read_members(&src("m.csv"), members.as_bytes())
                .map(|_| ())
        };
        assert!(read("chat,user\ng,u1\ng,u2\n").is_ok());
        let (file, line, reason) = row_err(read("chat,user\ng,u1\n").unwrap_err());
        assert_eq!((file.as_str(), line), ("u.csv", 4));
        assert!(
            reason.starts_with("user \"u2\" is in no chat of m.csv"),
            "{reason}"
        );
        let e = read("chat,user\ng,u1\ng,u2\ng,loner\n").unwrap_err();
        let reason = "user \"loner\" is marked isolated but is in m.csv; remove the mark";
        assert_eq!(row_err(e), ("u.csv".into(), 3, reason.into()));
    }
}
