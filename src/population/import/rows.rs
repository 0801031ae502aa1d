//! Delimited rows read line by line, numbered by physical line, for [`super`].
//!
//! The population files are small CSV dialects: comma-, tab- or space-separated, with
//! RFC 4180 quoting for comma and tab (`"a, b"`, `""` for a quote, a quoted field may
//! span lines), blank lines skipped, optional comment lines, unquoted fields trimmed of
//! surrounding spaces and tabs, and a UTF-8 byte-order mark ignored. The reader is
//! written here rather than taken from `csv::Reader` because error messages must name
//! the physical line of a row, and `csv` dates a row from the end of the previous one
//! (blank and comment lines in between shift it). One buffer per reader is reused for
//! every row, so reading allocates nothing per row.

use std::io::{self, BufRead};

/// How fields are separated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Sep {
    /// `,` with quoting.
    Comma,
    /// A tab with quoting.
    Tab,
    /// Runs of spaces and tabs, no quoting (networkx, EoN, KONECT edge lists).
    Space,
}

impl Sep {
    /// Guesses the separator from the first line that is neither blank nor a comment:
    /// a comma makes it comma-separated, else a tab tab-separated, else `fallback`.
    pub(super) fn sniff(head: &[u8], comments: &[u8], fallback: Sep) -> Sep {
        for line in head.split(|&b| b == b'\n') {
            let t = trim(strip_bom(line));
            if t.is_empty() || t.first().is_some_and(|b| comments.contains(b)) {
                continue;
            }
            return if t.contains(&b',') {
                Sep::Comma
            } else if t.contains(&b'\t') {
                Sep::Tab
            } else {
                fallback
            };
        }
        fallback
    }
}

/// Why a row could not be read.
#[derive(Debug)]
pub(super) enum RowError {
    /// The underlying reader failed.
    Io(io::Error),
    /// The row is malformed (an unclosed quote, text after a closing quote).
    Bad { line: u64, reason: String },
}

/// A reader of delimited rows. Call [`Rows::next`], then look at the fields of the row
/// just read with [`Rows::len`] and [`Rows::field`].
pub(super) struct Rows<R> {
    src: R,
    sep: Sep,
    comments: &'static [u8],
    lines: u64,
    raw: Vec<u8>,
    buf: Vec<u8>,
    ends: Vec<usize>,
}

enum Split {
    Done,
    OpenQuote,
    Bad(&'static str),
}

impl<R: BufRead> Rows<R> {
    /// Reads rows separated by `sep`; lines whose first non-blank byte is in
    /// `comments` are skipped.
    pub(super) fn new(src: R, sep: Sep, comments: &'static [u8]) -> Self {
        Rows {
            src,
            sep,
            comments,
            lines: 0,
            raw: Vec::new(),
            buf: Vec::new(),
            ends: Vec::new(),
        }
    }

    /// Advances to the next row that is neither blank nor a comment and returns the
    /// 1-based physical line it starts on, or `None` at the end of the input.
    pub(super) fn next(&mut self) -> Result<Option<u64>, RowError> {
        loop {
            self.raw.clear();
            if !self.read_line()? {
                return Ok(None);
            }
            let line = self.lines;
            let t = trim(&self.raw);
            if t.is_empty() || t.first().is_some_and(|b| self.comments.contains(b)) {
                continue;
            }
            loop {
                match self.split() {
                    Split::Done => return Ok(Some(line)),
                    Split::Bad(reason) => {
                        return Err(RowError::Bad {
                            line,
                            reason: reason.into(),
                        })
                    }
                    Split::OpenQuote => {
                        self.raw.push(b'\n');
                        if !self.read_line()? {
                            return Err(RowError::Bad {
                                line,
                                reason: "a quoted field is never closed (a \" is missing)".into(),
                            });
                        }
                    }
                }
            }
        }
    }

    /// Number of fields in the current row.
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Field `i` of the current row (empty if there is no such field).
    pub(super) fn field(&self, i: usize) -> &[u8] {
        let start = match i.checked_sub(1) {
            Some(j) => self.ends.get(j).copied(),
            None => Some(0),
        };
        match (start, self.ends.get(i)) {
            (Some(start), Some(&end)) => &self.buf[start..end],
            _ => &[],
        }
    }

    /// Appends one physical line to `raw` without its terminator; false at the end.
    fn read_line(&mut self) -> Result<bool, RowError> {
        let start = self.raw.len();
        let n = self
            .src
            .read_until(b'\n', &mut self.raw)
            .map_err(RowError::Io)?;
        if n == 0 {
            return Ok(false);
        }
        self.lines += 1;
        if self.raw.last() == Some(&b'\n') {
            self.raw.pop();
        }
        if self.raw.last() == Some(&b'\r') {
            self.raw.pop();
        }
        if self.lines == 1 && self.raw[start..].starts_with(BOM) {
            self.raw.drain(start..start + BOM.len());
        }
        Ok(true)
    }

    /// Splits `raw` into fields in `buf`/`ends`.
    fn split(&mut self) -> Split {
        self.buf.clear();
        self.ends.clear();
        let raw = &self.raw;
        let d = match self.sep {
            Sep::Comma => b',',
            Sep::Tab => b'\t',
            Sep::Space => {
                for f in raw
                    .split(|&b| b == b' ' || b == b'\t')
                    .filter(|f| !f.is_empty())
                {
                    self.buf.extend_from_slice(f);
                    self.ends.push(self.buf.len());
                }
                return Split::Done;
            }
        };
        let n = raw.len();
        let blank = |b: u8| b != d && (b == b' ' || b == b'\t');
        let mut i = 0;
        loop {
            while i < n && blank(raw[i]) {
                i += 1;
            }
            if i < n && raw[i] == b'"' {
                i += 1;
                loop {
                    let Some(j) = raw[i..].iter().position(|&b| b == b'"').map(|j| i + j) else {
                        return Split::OpenQuote;
                    };
                    self.buf.extend_from_slice(&raw[i..j]);
                    if raw.get(j + 1) == Some(&b'"') {
                        self.buf.push(b'"');
                        i = j + 2;
                    } else {
                        i = j + 1;
                        break;
                    }
                }
                while i < n && blank(raw[i]) {
                    i += 1;
                }
                if i < n && raw[i] != d {
                    return Split::Bad("unexpected text after the closing quote of a field");
                }
            } else {
                let s = i;
                while i < n && raw[i] != d {
                    i += 1;
                }
                self.buf.extend_from_slice(trim(&raw[s..i]));
            }
            self.ends.push(self.buf.len());
            if i >= n {
                return Split::Done;
            }
            i += 1;
        }
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(BOM).unwrap_or(b)
}

/// Trims ASCII spaces, tabs and carriage returns at both ends.
pub(super) fn trim(b: &[u8]) -> &[u8] {
    let blank = |c: &u8| matches!(c, b' ' | b'\t' | b'\r');
    let s = b.iter().position(|c| !blank(c)).unwrap_or(b.len());
    let e = b.iter().rposition(|c| !blank(c)).map_or(s, |e| e + 1);
    &b[s..e]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str, sep: Sep, comments: &'static [u8]) -> Vec<(u64, Vec<String>)> {
        let mut r = Rows::new(text.as_bytes(), sep, comments);
        let mut out = Vec::new();
        while let Some(line) = r.next().unwrap() {
            let f = (0..r.len())
                .map(|i| String::from_utf8(r.field(i).to_vec()).unwrap())
                .collect();
            out.push((line, f));
        }
        out
    }

    #[test]
    fn lines_are_physical_and_quotes_work() {
        let text = "\u{feff}a,b\n 1 , 2 \n\n# note\n\"x,\"\"y\"\"\",3\r\n\"p\nq\",4\n5,\n";
        let rows = all(text, Sep::Comma, b"#");
        let want: Vec<(u64, Vec<String>)> = vec![
            (1, vec!["a".into(), "b".into()]),
            (2, vec!["1".into(), "2".into()]),
            (5, vec!["x,\"y\"".into(), "3".into()]),
            (6, vec!["p\nq".into(), "4".into()]),
            (8, vec!["5".into(), "".into()]),
        ];
        assert_eq!(rows, want);
    }

    #[test]
    fn space_and_tab_rows() {
        let rows = all("% konect\n1  2 {}\n3\t4\n", Sep::Space, b"#%");
        assert_eq!(rows[0], (2, vec!["1".into(), "2".into(), "{}".into()]));
        assert_eq!(rows[1], (3, vec!["3".into(), "4".into()]));
        let rows = all("New York\tBoston\n", Sep::Tab, b"");
        assert_eq!(rows[0].1, ["New York", "Boston"]);
    }

    #[test]
    fn malformed_quotes_are_reported() {
        let mut r = Rows::new("1,2\n\"open,3\n".as_bytes(), Sep::Comma, b"");
        assert!(r.next().unwrap().is_some());
        assert!(matches!(r.next(), Err(RowError::Bad { line: 2, .. })));
        let mut r = Rows::new("\"a\"b,3\n".as_bytes(), Sep::Comma, b"");
        assert!(matches!(r.next(), Err(RowError::Bad { line: 1, .. })));
    }

    #[test]
    fn sniffing() {
        assert_eq!(Sep::sniff(b"# c\n\n1 2\n", b"#", Sep::Space), Sep::Space);
        assert_eq!(Sep::sniff(b"1\t2\n", b"#", Sep::Space), Sep::Tab);
        assert_eq!(Sep::sniff(b"a b,c\n", b"#", Sep::Space), Sep::Comma);
    }
}
