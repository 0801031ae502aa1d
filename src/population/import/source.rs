//! One population file as its reader sees it: the path named in messages, the input
//! opened with its separator guessed, and the errors that name the file (and, for a
//! bad row, its physical line).
//!
//! Below it, `rows.rs` splits an input into rows numbered by physical line and `ids.rs`
//! maps ids; their errors become [`ImportError`]s here. Above it, `tables.rs` and
//! `edges.rs` read each kind of file. Readers take any [`BufRead`] with the [`Src`]
//! that names it: [`super::import`] gives them the file from [`Src::open`], unit tests
//! a table in memory.

use super::ids::{IdError, MAX_IDS};
use super::rows::{RowError, Rows, Sep};
use crate::error::ImportError;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

/// One population file, named in messages.
pub(super) struct Src {
    pub(super) path: PathBuf,
}

impl Src {
    /// The file `name` of the scenario, relative to the scenario's folder `base`.
    pub(super) fn new(base: &Path, name: &str) -> Src {
        Src {
            path: base.join(name),
        }
    }

    /// A bad row: `file:line: reason`.
    pub(super) fn row(&self, line: u64, reason: impl Into<String>) -> ImportError {
        ImportError::Row {
            file: self.path.clone(),
            line,
            reason: reason.into(),
        }
    }

    /// A file unusable as a whole.
    pub(super) fn file(&self, reason: impl Into<String>) -> ImportError {
        ImportError::File {
            file: self.path.clone(),
            reason: reason.into(),
        }
    }

    fn io(&self, source: io::Error) -> ImportError {
        ImportError::Io {
            file: self.path.clone(),
            source,
        }
    }

    /// The error of a row that could not be read.
    pub(super) fn rows_err(&self, e: RowError) -> ImportError {
        match e {
            RowError::Io(source) => self.io(source),
            RowError::Bad { line, reason } => self.row(line, reason),
        }
    }

    /// The error of an id that cannot be used: a bad row, or a file with too many ids.
    pub(super) fn id_err(&self, line: u64, what: &str, e: IdError) -> ImportError {
        match e {
            IdError::Empty => self.row(line, format!("empty {what} id")),
            IdError::NotUtf8 => self.row(line, format!("the {what} id is not valid UTF-8")),
            IdError::TooMany => self.file(format!(
                "more than {MAX_IDS} distinct {what} ids; ids are 32-bit"
            )),
        }
    }

    /// Opens the file, with a buffer large enough that reading is not bound by calls.
    /// Only a regular file is opened: a FIFO without a writer would block the open
    /// forever, and a device such as `/dev/zero` is one endless row that fills memory.
    pub(super) fn open(&self) -> Result<BufReader<File>, ImportError> {
        let meta = std::fs::metadata(&self.path).map_err(|e| self.io(e))?;
        if meta.is_dir() {
            return Err(self.file("is a folder, not a population file"));
        }
        if !meta.is_file() {
            return Err(self.file(
                "is not a regular file (a pipe or device): a population file must be a file",
            ));
        }
        let file = File::open(&self.path).map_err(|e| self.io(e))?;
        Ok(BufReader::with_capacity(1 << 20, file))
    }

    /// The rows of `input`, with the separator guessed from its first row (see
    /// [`Sep::sniff`]); lines whose first non-blank byte is in `comments` are skipped.
    pub(super) fn rows<R: BufRead>(
        &self,
        mut input: R,
        comments: &'static [u8],
        fallback: Sep,
    ) -> Result<Rows<R>, ImportError> {
        let head = input.fill_buf().map_err(|e| self.io(e))?;
        let sep = Sep::sniff(head, comments, fallback);
        Ok(Rows::new(input, sep, comments))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_file_and_line() {
        let src = Src::new(Path::new("no-such-folder"), "g.csv");
        let e = src.rows_err(RowError::Bad {
            line: 3,
            reason: "bad".into(),
        });
        assert_eq!(e.to_string(), "no-such-folder/g.csv:3: bad");
        match src.id_err(4, "chat", IdError::Empty) {
            ImportError::Row { file, line, reason } => {
                assert_eq!((file, line), (PathBuf::from("no-such-folder/g.csv"), 4));
                assert_eq!(reason, "empty chat id");
            }
            other => panic!("{other}"),
        }
        assert!(matches!(
            src.id_err(4, "user", IdError::TooMany),
            ImportError::File { .. }
        ));
        assert!(matches!(src.open(), Err(ImportError::Io { .. })));
    }

    #[test]
    fn the_separator_is_guessed_from_the_first_row() {
        let src = Src::new(Path::new(""), "g.txt");
        let mut rows = src
            .rows("# c\n1 2 3\n".as_bytes(), b"#", Sep::Space)
            .unwrap();
        assert_eq!(rows.next().unwrap(), Some(2));
        assert_eq!(rows.len(), 3);
        let mut rows = src.rows("a b,c\n".as_bytes(), b"", Sep::Space).unwrap();
        rows.next().unwrap();
        assert_eq!(rows.field(0), b"a b");
    }
}
