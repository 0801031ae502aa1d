//! Merging shard folders into the folder an unsharded sweep writes.
//!
//! Every input must hold the same sweep (`sweep.json`). Rows are united by run id:
//! exact repeats are dropped, a run id with two different rows is a conflict (the
//! first input's row is kept), and runs of the sweep found in no input are missing.
//! The output's `runs.csv` is sorted by run id, so it equals an unsharded sweep's
//! `runs.csv` after sorting; `points.csv` is computed from it. Every row is checked
//! against the sweep as on resume ([`runs::check_row`]). Inputs are read under a
//! shared lock (refused while a sweep still writes into one) and the output is written
//! under an exclusive one ([`crate::output::dir::lock`]).

use super::aggregate::{point_rows, write_points, POINTS_CSV};
use super::runs::{self, RUNS_CSV};
use super::SweepFile;
use crate::error::{OutputError, SweepError};
use crate::output::dir::{self, check_destination, write_atomic};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What a merge found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MergeReport {
    /// Sweep folders merged.
    pub inputs: usize,
    /// Runs in the sweep.
    pub runs: u64,
    /// Distinct runs written.
    pub written: u64,
    /// Rows that repeated another row exactly (dropped).
    pub duplicates: u64,
    /// Inputs whose `runs.csv` ended in a torn line (dropped).
    pub torn: Vec<PathBuf>,
    /// Run ids found with different rows.
    pub conflicts: Vec<String>,
    /// Run ids of the sweep found in no input.
    pub missing: Vec<String>,
}

impl MergeReport {
    /// Whether every run is present exactly once.
    pub fn complete(&self) -> bool {
        self.conflicts.is_empty() && self.missing.is_empty()
    }
}

/// Merges the sweep folders `inputs` into `out` (created, or a folder Grapevine wrote;
/// it may be the folder that holds the shard folders).
pub fn merge(inputs: &[PathBuf], out: &Path) -> Result<MergeReport, SweepError> {
    let Some(first) = inputs.first() else {
        return Err(SweepError::Usage(
            "nothing to merge: give sweep folders".into(),
        ));
    };
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    if inputs.iter().any(|i| canon(i) == canon(out)) {
        return Err(SweepError::Usage(format!(
            "{} is one of the inputs: merge into another folder",
            out.display()
        )));
    }
    // Refused while a sweep still writes into an input (shared locks let merges
    // read at once); the output is locked for writing.
    let _reading: Vec<dir::DirLock> = inputs
        .iter()
        .filter(|i| i.is_dir())
        .map(|i| dir::lock_shared(i))
        .collect::<Result<_, _>>()?;
    let head = SweepFile::read(first)?;
    let sweep = &head.sweep;
    let mut report = MergeReport {
        inputs: inputs.len(),
        runs: sweep.run_count(),
        ..Default::default()
    };
    let mut rows: BTreeMap<u64, String> = BTreeMap::new();
    for dir in inputs {
        let f = SweepFile::read(dir)?;
        if f.sweep != *sweep {
            return Err(SweepError::Mismatch {
                path: dir.clone(),
                what: format!(
                    "holds a different sweep than {} (sweep file or base scenario differ)",
                    first.display()
                ),
            });
        }
        let runs_file = runs::read(&dir.join(RUNS_CSV), sweep)?;
        if runs_file.torn {
            report.torn.push(dir.clone());
        }
        report.duplicates += runs_file.duplicates;
        report.conflicts.extend(runs_file.conflicts);
        for (ix, line) in runs_file.rows {
            match rows.get(&ix) {
                Some(existing) if *existing == line => report.duplicates += 1,
                Some(_) => report.conflicts.push(sweep.run_id(ix)),
                None => {
                    rows.insert(ix, line);
                }
            }
        }
    }
    report.conflicts.sort();
    report.conflicts.dedup();
    report.written = rows.len() as u64;
    report.missing = (0..sweep.run_count())
        .filter(|ix| !rows.contains_key(ix))
        .map(|ix| sweep.run_id(ix))
        .collect();

    check_destination(out)?;
    std::fs::create_dir_all(out).map_err(|source| OutputError::Io {
        path: out.to_path_buf(),
        source,
    })?;
    let _writing = dir::lock(out)?;
    dir::clean_stale_temp(out);
    dir::write_marker(out)?;
    SweepFile {
        shard: None,
        ..head.clone()
    }
    .write(out)?;
    write_atomic(&out.join(RUNS_CSV), |w| {
        w.write_all(runs::header(sweep).as_bytes())?;
        for line in rows.values() {
            w.write_all(line.as_bytes())?;
        }
        Ok(())
    })?;
    let points = point_rows(sweep, rows.iter().map(|(ix, l)| (*ix, l.as_str())));
    write_points(&out.join(POINTS_CSV), sweep, &points)?;
    Ok(report)
}
