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
    /// Index of the point in the design (its row in `Sweep::points`).
    pub point: usize,
    /// Runs of the point found in `runs.csv` (fewer than the replicates in a shard
    /// or an unfinished sweep).
    pub runs: u32,
    /// One band per figure, in [`runs::figure_names`] order.
    pub bands: Vec<Band>,
}

/// Aggregates rows of `runs.csv` by point as they are read. A point's figures are
/// kept only until all its replicates are in (rows come roughly in run order), so
/// memory stays small however many runs a sweep has.
pub struct Aggregator<'a> {
    sweep: &'a Sweep,
    figures: usize,
    open: BTreeMap<usize, Vec<Vec<f64>>>,
    closed: BTreeMap<usize, PointRow>,
}

impl<'a> Aggregator<'a> {
    /// An empty aggregator for the runs of `sweep`.
    pub fn new(sweep: &'a Sweep) -> Aggregator<'a> {
        Aggregator {
            sweep,
            figures: runs::figure_names().len(),
            open: BTreeMap::new(),
            closed: BTreeMap::new(),
        }
    }

    /// Adds one distinct row (run index, line).
    pub fn add(&mut self, index: u64, line: &str) {
        let (p, _) = self.sweep.run_parts(index);
        let figs = self.open.entry(p).or_default();
        figs.push(runs::row_figures(line, self.figures));
        if figs.len() >= self.sweep.replicates as usize {
            if let Some(figs) = self.open.remove(&p) {
                self.closed.insert(p, self.band_row(p, &figs));
            }
        }
    }

    fn band_row(&self, point: usize, figs: &[Vec<f64>]) -> PointRow {
        PointRow {
            point,
            runs: figs.len() as u32,
            bands: (0..self.figures)
                .map(|j| Band::of(figs.iter().map(|f| f.get(j).copied().unwrap_or(f64::NAN))))
                .collect(),
        }
    }

    /// The rows of every point seen, in point order (points with fewer runs than
    /// replicates, as in a shard, included).
    pub fn finish(mut self) -> Vec<PointRow> {
        for (p, figs) in std::mem::take(&mut self.open) {
            let row = self.band_row(p, &figs);
            self.closed.insert(p, row);
        }
        self.closed.into_values().collect()
    }
}

/// Aggregates rows of `runs.csv` (run index, line) by point.
pub fn point_rows<'a>(
    sweep: &Sweep,
    rows: impl IntoIterator<Item = (u64, &'a str)>,
) -> Vec<PointRow> {
    let mut agg = Aggregator::new(sweep);
    for (ix, line) in rows {
        agg.add(ix, line);
    }
    agg.finish()
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
    let mut agg = Aggregator::new(sweep);
    runs::scan(&dir.join(RUNS_CSV), sweep, |ix, line| {
        agg.add(ix, line);
        Ok(())
    })?;
    let rows = agg.finish();
    write_points(&dir.join(POINTS_CSV), sweep, &rows)?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::summary::RunSummary;

    fn sweep() -> Sweep {
        Sweep::one_list("x", vec![1.into(), 2.into()], 3)
    }

    fn line(s: &Sweep, ix: u64, reach: u64) -> String {
        let summary = RunSummary {
            final_reach: reach,
            ..Default::default()
        };
        runs::row(s, ix, &summary)
    }

    #[test]
    fn bands_do_not_depend_on_row_order_and_partial_points_count_their_runs() {
        let s = sweep();
        let rows: Vec<(u64, String)> = [(0, 10), (4, 7), (1, 30), (2, 20), (3, 5)]
            .iter()
            .map(|&(ix, r)| (ix, line(&s, ix, r)))
            .collect();
        let a = point_rows(&s, rows.iter().map(|(i, l)| (*i, l.as_str())));
        let b = point_rows(&s, rows.iter().rev().map(|(i, l)| (*i, l.as_str())));
        // NaN != NaN: compare the printed rows.
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        assert_eq!((a[0].point, a[0].runs, a[0].bands[0].median), (0, 3, 20.0));
        assert_eq!((a[1].point, a[1].runs, a[1].bands[0].median), (1, 2, 6.0));
    }
}
