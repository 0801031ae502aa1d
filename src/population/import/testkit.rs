//! Test fixtures for the import's unit tests: scenarios whose `[population]` section
//! names files in a temporary folder, whole imports from text, and the pieces to drive
//! one reader on a table held in memory ([`src`]) and read the file and line of the
//! error it gives ([`row_err`]).

use super::import;
use super::source::Src;
use crate::error::ImportError;
use crate::population::{Csr, Population};
use crate::scenario::Scenario;
use std::fs;
use std::path::Path;

/// `[population]` lines declaring two camps, "a" and "b", of equal shares.
pub(super) const TWO_CAMPS: &str =
    "camps = [{ name = \"a\", share = 0.5 }, { name = \"b\", share = 0.5 }]\n";

/// A scenario in `dir` whose `[population]` section is `population`.
pub(super) fn scenario(dir: &Path, population: &str) -> Scenario {
    let text = format!("[simulation]\nseed = 7\n[population]\n{population}");
    let mut s = Scenario::from_toml_str(&text, "t.toml").unwrap();
    s.path = Some(dir.join("s.toml"));
    s
}

/// Writes file `name` in `dir`.
pub(super) fn write(dir: &Path, name: &str, text: &str) {
    fs::write(dir.join(name), text).unwrap();
}

/// Imports an edge list given as text.
pub(super) fn edges(text: &str) -> Population {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "g.csv", text);
    import(&scenario(dir.path(), "edges = \"g.csv\"\n")).unwrap()
}

/// The rows of an index, as vectors.
pub(super) fn rows(c: &Csr) -> Vec<Vec<u32>> {
    (0..c.rows()).map(|r| c.row(r).to_vec()).collect()
}

/// The user labels of an imported population.
pub(super) fn labels(p: &Population) -> Vec<&str> {
    p.user_labels
        .as_ref()
        .unwrap()
        .iter()
        .map(String::as_str)
        .collect()
}

/// The (file name, line, reason) of a row error, or panics.
pub(super) fn row_err(e: ImportError) -> (String, u64, String) {
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
pub(super) fn fails(files: &[(&str, &str)], population: &str) -> ImportError {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        write(dir.path(), name, text);
    }
    import(&scenario(dir.path(), population)).unwrap_err()
}

/// A file named `name` for a reader given its input in memory.
pub(super) fn src(name: &str) -> Src {
    Src::new(Path::new(""), name)
}
