//! `points.csv`: per point, the median, 5% and 95% quantiles of every figure across
//! the point's runs, the probability of every event with its Wilson 95% interval, and,
//! when the sweep names a reference point, every point's difference from it; computed
//! from `runs.csv` (never from live engine state).
//!
//! When the sweep has an `outbreak` event, `outbreak_runs` and the final reach and
//! believers shares over the runs with an outbreak only follow the event columns
//! (`final_reach_share_given_outbreak_median`, ...; NaN when no run had one).
//!
//! Quantiles are [`Band::of`] (type 7, NaNs ignored) of the values sorted, so the
//! result does not depend on the order in which runs finished. Rows are in point order.
//!
//! Differences from the reference: in a paired sweep (replicate r of every point shares
//! its random numbers) the median and 5-95% range of the per-replicate differences
//! `point[r] - reference[r]`, and for events the paired difference of probabilities
//! with Newcombe's interval; unpaired, the difference of medians (no range) and the
//! unpaired Newcombe interval. The reference point itself differs by exactly 0 in
//! every replicate.

use super::runs::{self, RUNS_CSV};
use super::Sweep;
use crate::error::SweepError;
use crate::metrics::bands::Band;
use crate::metrics::comparison::unpaired_difference;
use crate::metrics::probability::{Interval, Level, PairedDifference, Proportion};
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
    /// One band per value figure ([`FIGURES`](crate::metrics::summary::FIGURES) and
    /// the figures at report times), in column order.
    pub bands: Vec<Band>,
    /// One per event column: runs with the event out of runs with a value.
    pub events: Vec<Option<Proportion>>,
    /// With a reference point: per value figure, the band of the paired differences
    /// (unpaired: the difference of medians, p5 and p95 NaN).
    pub diffs: Vec<Band>,
    /// With a reference point: per event, the difference of probabilities and its 95%
    /// interval.
    pub event_diffs: Vec<Option<(f64, Interval)>>,
    /// Over the runs with an outbreak only, per figure of [`GIVEN_OUTBREAK`]: its band
    /// (NaN when no run had one); and how many runs that was. Empty when the sweep has
    /// no `outbreak` column.
    pub given_outbreak: Vec<Band>,
    /// Runs with an outbreak (the denominator of `given_outbreak`).
    pub outbreak_runs: u32,
}

/// Figures also summarised over the runs with an outbreak only: when runs split into
/// outbreaks and fizzles, a median of 0 inside a 0-65% band says nothing, the median
/// over the runs that took off does.
pub const GIVEN_OUTBREAK: [&str; 2] = ["final_reach_share", "final_believers_share"];

/// Figure values of the reference point's runs, by replicate.
pub type ReferenceRows = BTreeMap<u32, Vec<f64>>;

/// Aggregates rows of `runs.csv` by point as they are read. A point's figures are
/// kept only until all its replicates are in (rows come roughly in run order), so
/// memory stays small however many runs a sweep has.
pub struct Aggregator<'a> {
    sweep: &'a Sweep,
    figures: usize,
    reference: Option<ReferenceRows>,
    open: BTreeMap<usize, Vec<(u32, Vec<f64>)>>,
    closed: BTreeMap<usize, PointRow>,
}

impl<'a> Aggregator<'a> {
    /// An aggregator; `reference` holds the reference point's rows when the sweep has
    /// one ([`reference_rows`]).
    pub fn new(sweep: &'a Sweep, reference: Option<ReferenceRows>) -> Aggregator<'a> {
        Aggregator {
            sweep,
            figures: runs::figure_names(sweep).len(),
            reference,
            open: BTreeMap::new(),
            closed: BTreeMap::new(),
        }
    }

    /// Adds one distinct row (run index, line).
    pub fn add(&mut self, index: u64, line: &str) {
        let (p, r) = self.sweep.run_parts(index);
        let figs = self.open.entry(p).or_default();
        figs.push((r, runs::row_figures(line, self.figures)));
        if figs.len() >= self.sweep.replicates as usize {
            if let Some(figs) = self.open.remove(&p) {
                self.closed.insert(p, self.point_row(p, &figs));
            }
        }
    }

    fn point_row(&self, point: usize, figs: &[(u32, Vec<f64>)]) -> PointRow {
        let events = self.sweep.event_columns.len();
        let values = self.figures - events;
        let col = |j: usize| {
            figs.iter()
                .map(move |f| f.1.get(j).copied().unwrap_or(f64::NAN))
        };
        let outcomes = |j: usize| col(j).filter(|v| !v.is_nan()).map(|v| v > 0.5);
        let bands: Vec<Band> = (0..values).map(|j| Band::of(col(j))).collect();
        let ev: Vec<Option<Proportion>> = (values..self.figures)
            .map(|j| Proportion::of(outcomes(j)).ok())
            .collect();
        let (mut diffs, mut event_diffs) = (Vec::new(), Vec::new());
        if let Some(reference) = &self.reference {
            let pairs: Vec<(&Vec<f64>, &Vec<f64>)> = figs
                .iter()
                .filter_map(|(r, v)| reference.get(r).map(|q| (v, q)))
                .collect();
            let at = |v: &Vec<f64>, j: usize| v.get(j).copied().unwrap_or(f64::NAN);
            for (j, mine) in bands.iter().enumerate() {
                diffs.push(if self.sweep.paired {
                    Band::of(pairs.iter().map(|(v, q)| at(v, j) - at(q, j)))
                } else {
                    let theirs = Band::of(reference.values().map(|q| at(q, j))).median;
                    Band {
                        median: mine.median - theirs,
                        p5: f64::NAN,
                        p95: f64::NAN,
                    }
                });
            }
            for (k, j) in (values..self.figures).enumerate() {
                event_diffs.push(if self.sweep.paired {
                    let (a, b): (Vec<bool>, Vec<bool>) = pairs
                        .iter()
                        .filter(|(v, q)| !at(v, j).is_nan() && !at(q, j).is_nan())
                        .map(|(v, q)| (at(q, j) > 0.5, at(v, j) > 0.5))
                        .unzip();
                    PairedDifference::of(&a, &b, Level::P95)
                        .ok()
                        .map(|d| (d.estimate, d.interval))
                } else {
                    let theirs = reference
                        .values()
                        .map(|q| at(q, j))
                        .filter(|v| !v.is_nan())
                        .map(|v| v > 0.5);
                    match (ev[k], Proportion::of(theirs).ok()) {
                        (Some(mine), Some(theirs)) => {
                            Some(unpaired_difference(mine, theirs, Level::P95))
                        }
                        _ => None,
                    }
                });
            }
        }
        let names = runs::figure_names(self.sweep);
        let (mut given_outbreak, mut outbreak_runs) = (Vec::new(), 0);
        if let Some(o) = names.iter().position(|n| n == "outbreak") {
            let took_off: Vec<&Vec<f64>> = figs
                .iter()
                .map(|f| &f.1)
                .filter(|f| f.get(o).is_some_and(|v| *v > 0.5))
                .collect();
            outbreak_runs = took_off.len() as u32;
            for g in GIVEN_OUTBREAK {
                let j = names.iter().position(|n| n == g);
                given_outbreak.push(Band::of(
                    took_off
                        .iter()
                        .map(|f| j.and_then(|j| f.get(j).copied()).unwrap_or(f64::NAN)),
                ));
            }
        }
        PointRow {
            point,
            runs: figs.len() as u32,
            bands,
            events: ev,
            diffs,
            event_diffs,
            given_outbreak,
            outbreak_runs,
        }
    }

    /// The rows of every point seen, in point order (points with fewer runs than
    /// replicates, as in a shard, included).
    pub fn finish(mut self) -> Vec<PointRow> {
        for (p, figs) in std::mem::take(&mut self.open) {
            let row = self.point_row(p, &figs);
            self.closed.insert(p, row);
        }
        self.closed.into_values().collect()
    }
}

/// The reference point's figure values by replicate, from rows of `runs.csv`; `None`
/// when the sweep has no reference.
pub fn reference_rows<'a>(
    sweep: &Sweep,
    rows: impl IntoIterator<Item = (u64, &'a str)>,
) -> Option<ReferenceRows> {
    let reference = sweep.reference?;
    let n = runs::figure_names(sweep).len();
    Some(
        rows.into_iter()
            .filter_map(|(ix, line)| {
                let (p, r) = sweep.run_parts(ix);
                (p == reference).then(|| (r, runs::row_figures(line, n)))
            })
            .collect(),
    )
}

/// Aggregates rows of `runs.csv` (run index, line) by point.
pub fn point_rows<'a>(
    sweep: &Sweep,
    rows: impl IntoIterator<Item = (u64, &'a str)> + Clone,
) -> Vec<PointRow> {
    let mut agg = Aggregator::new(sweep, reference_rows(sweep, rows.clone()));
    for (ix, line) in rows {
        agg.add(ix, line);
    }
    agg.finish()
}

/// The value figures of a sweep (all figures but the events), in column order.
pub fn value_figures(sweep: &Sweep) -> Vec<String> {
    let mut names = runs::figure_names(sweep);
    names.truncate(names.len() - sweep.event_columns.len());
    names
}

/// Columns of `points.csv`.
pub fn columns(sweep: &Sweep) -> Vec<String> {
    let mut c = vec!["point".to_string()];
    c.extend(sweep.parameters.iter().map(|p| p.path.clone()));
    c.push("runs".into());
    let values = value_figures(sweep);
    for f in &values {
        for q in ["median", "p5", "p95"] {
            c.push(format!("{f}_{q}"));
        }
    }
    for e in &sweep.event_columns {
        for q in ["probability", "lower", "upper"] {
            c.push(format!("{e}_{q}"));
        }
    }
    if sweep.event_columns.iter().any(|e| e == "outbreak") {
        c.push("outbreak_runs".into());
        for f in GIVEN_OUTBREAK {
            for q in ["median", "p5", "p95"] {
                c.push(format!("{f}_given_outbreak_{q}"));
            }
        }
    }
    if sweep.reference.is_some() {
        for f in &values {
            for q in ["diff_median", "diff_p5", "diff_p95"] {
                c.push(format!("{f}_{q}"));
            }
        }
        for e in &sweep.event_columns {
            for q in ["diff", "diff_lower", "diff_upper"] {
                c.push(format!("{e}_{q}"));
            }
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
            for e in &r.events {
                match e {
                    Some(p) => {
                        let i = p.wilson(Level::P95);
                        write!(w, ",{},{},{}", p.estimate(), i.lower, i.upper)?
                    }
                    None => write!(w, ",NaN,NaN,NaN")?,
                }
            }
            if sweep.event_columns.iter().any(|e| e == "outbreak") {
                write!(w, ",{}", r.outbreak_runs)?;
                for b in &r.given_outbreak {
                    write!(w, ",{},{},{}", b.median, b.p5, b.p95)?;
                }
            }
            if sweep.reference.is_some() {
                for b in &r.diffs {
                    write!(w, ",{},{},{}", b.median, b.p5, b.p95)?;
                }
                for d in &r.event_diffs {
                    match d {
                        Some((d, i)) => write!(w, ",{d},{},{}", i.lower, i.upper)?,
                        None => write!(w, ",NaN,NaN,NaN")?,
                    }
                }
            }
            writeln!(w)?;
        }
        Ok(())
    })?;
    Ok(())
}

/// Reads `DIR/runs.csv` and writes `DIR/points.csv`; returns the rows. With a
/// reference point the file is read twice (its rows first), so memory stays that of
/// the points under way.
pub fn aggregate_dir(dir: &Path, sweep: &Sweep) -> Result<Vec<PointRow>, SweepError> {
    let path = dir.join(RUNS_CSV);
    let reference = match sweep.reference {
        None => None,
        Some(_) => {
            let mut rows: Vec<(u64, String)> = Vec::new();
            let want = sweep.reference;
            runs::scan(&path, sweep, |ix, line| {
                if Some(sweep.run_parts(ix).0) == want {
                    rows.push((ix, line.to_string()));
                }
                Ok(())
            })?;
            reference_rows(sweep, rows.iter().map(|(i, l)| (*i, l.as_str())))
        }
    };
    let mut agg = Aggregator::new(sweep, reference);
    runs::scan(&path, sweep, |ix, line| {
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
