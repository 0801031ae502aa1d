//! `points.csv`: per point, the median, 5% and 95% quantiles of every figure across
//! the point's runs, computed from `runs.csv` (never from live engine state).
//!
//! Quantiles are [`Band::of`] (type 7, NaNs ignored) of the values sorted, so the
//! result does not depend on the order in which runs finished. Rows are in point order.

use super::runs::{self, RUNS_CSV};
use super::Sweep;
use crate::error::SweepError;
use crate::metrics::bands::Band;
use crate::output::dir::write_atomic;
use crate::output::files::csv_field;
use std::collections::BTreeMap;
use std::path::Path;

/// Name of the per-point file in a sweep folder.
pub const POINTS_CSV: &str = "points.csv";

/// The aggregate of one point.
#[derive(Clone, Debug, PartialEq)]
pub struct PointRow {
    pub point: usize,
    /// Runs of the point found in `runs.csv` (fewer than the replicates in a shard
    /// or an unfinished sweep).
    pub runs: u32,
    /// One band per figure, in [`runs::figure_names`] order.
    pub bands: Vec<Band>,
}

/// Aggregates rows of `runs.csv` (run index, line) by point.
pub fn point_rows<'a>(
    sweep: &Sweep,
    rows: impl IntoIterator<Item = (u64, &'a str)>,
) -> Vec<PointRow> {
    let nfig = runs::figure_names().len();
    let mut by_point: BTreeMap<usize, Vec<Vec<f64>>> = BTreeMap::new();
    for (ix, line) in rows {
        let (p, _) = sweep.run_parts(ix);
        by_point
            .entry(p)
            .or_default()
            .push(runs::row_figures(line, nfig));
    }
    by_point
        .into_iter()
        .map(|(point, figs)| PointRow {
            point,
            runs: figs.len() as u32,
            bands: (0..nfig)
                .map(|j| Band::of(figs.iter().map(|f| f.get(j).copied().unwrap_or(f64::NAN))))
                .collect(),
        })
        .collect()
}

/// Columns of `points.csv`.
pub fn columns(sweep: &Sweep) -> Vec<String> {
    let mut c = vec!["point".to_string()];
    c.extend(sweep.parameters.iter().map(|p| p.path.clone()));
    c.push("runs".into());
    for f in runs::figure_names() {
        for q in ["median", "p5", "p95"] {
            c.push(format!("{f}_{q}"));
        }
    }
    c
}

/// Writes `points.csv` (atomically).
pub fn write_points(path: &Path, sweep: &Sweep, rows: &[PointRow]) -> Result<(), SweepError> {
    write_atomic(path, |w| {
        let header: Vec<String> = columns(sweep)
            .iter()
            .map(|c| csv_field(c).into_owned())
            .collect();
        writeln!(w, "{}", header.join(","))?;
        for r in rows {
            write!(w, "{}", sweep.point_id(r.point))?;
            for v in &sweep.points[r.point] {
                write!(w, ",{}", runs::value_field(v))?;
            }
            write!(w, ",{}", r.runs)?;
            for b in &r.bands {
                write!(w, ",{},{},{}", b.median, b.p5, b.p95)?;
            }
            writeln!(w)?;
        }
        Ok(())
    })?;
    Ok(())
}

/// Reads `DIR/runs.csv` and writes `DIR/points.csv`; returns the rows.
pub fn aggregate_dir(dir: &Path, sweep: &Sweep) -> Result<Vec<PointRow>, SweepError> {
    let f = runs::read(&dir.join(RUNS_CSV), sweep)?;
    let rows = point_rows(sweep, f.rows.iter().map(|(ix, l)| (*ix, l.as_str())));
    write_points(&dir.join(POINTS_CSV), sweep, &rows)?;
    Ok(rows)
}
