//! The outputs of `grapevine compare`: `comparison.csv`, the overlay chart
//! `comparison.png`/`.svg` and the text table printed at the end.
//!
//! Everything here is drawn from a [`Comparison`] (computed by
//! [`crate::metrics::comparison`] from the runs in each scenario's `summary.json`) and
//! from each scenario's `bands.csv` as read back by [`super::results`]; nothing looks at
//! engine state.
//!
//! `comparison.csv` is in long format, one row per scenario and figure, so
//! `pandas.read_csv(...).pivot(index="scenario", columns="figure", values="median")`
//! gives the wide table. Columns:
//!
//! | column | meaning |
//! |---|---|
//! | `scenario`, `seed`, `replicates` | the scenario's name, master seed and replicate count |
//! | `figure` | one of [`COMPARED_FIGURES`](crate::metrics::comparison::COMPARED_FIGURES) (names as in `summary.json`) |
//! | `median`, `p5`, `p95` | across the scenario's replicates |
//! | `diff_median` | this median minus the first scenario's median |
//! | `paired` | `true` when the scenario shares the first's seed and replicate count |
//! | `paired_diff_median`, `paired_diff_p5`, `paired_diff_p95` | quantiles of the per-replicate differences `this[r] - first[r]`; empty when not paired |
//! | `runs_with_value` | runs in which the figure has a value (hours to 50% of a rumor that never spread have none): the quantiles are over these runs |
//! | `label` | the figure's label with its unit, as charts show it |
//!
//! Figures at report times (`reach_share@48h`) follow the seven fixed ones.
//!
//! `events.csv`, one row per scenario and event (`outbreak`, `press`, `press@48h`, ...):
//!
//! | column | meaning |
//! |---|---|
//! | `scenario`, `event`, `label` | names and the event's label |
//! | `runs`, `hits`, `probability` | runs with a value, runs with the event, their share |
//! | `lower`, `upper` | Wilson 95% interval |
//! | `exact_lower`, `exact_upper` | Clopper-Pearson ("exact") 95% interval |
//! | `paired` | whether the difference is paired by replicate |
//! | `diff`, `diff_lower`, `diff_upper` | probability minus the first scenario's, Newcombe's 95% interval (paired: method 10 on the pairs; unpaired: from the two Wilson intervals) |
//!
//! The first scenario is the reference: it is paired with itself and its differences
//! are 0. Undefined values (hours to 50% of a rumor that never spread) are left out of
//! the quantiles; a figure undefined in every run is written `NaN`.

use super::dir::write_atomic;
use super::files::{csv_field, BandTable};
use crate::error::OutputError;
use crate::metrics::bands::{Band, BAND_COLUMNS};
use crate::metrics::comparison::{Comparison, Pairing, ScenarioComparison};
use crate::metrics::labels::label;
use crate::metrics::probability::{Level, Proportion};
use crate::metrics::summary::RunSummary;
use crate::plot::{self, Panel, Series, TimeChart};
use crate::scenario::report::Report;
use crate::scenario::Scenario;
use std::path::{Path, PathBuf};

/// Columns of `comparison.csv`.
pub const COMPARISON_COLUMNS: [&str; 14] = [
    "scenario",
    "seed",
    "replicates",
    "figure",
    "median",
    "p5",
    "p95",
    "diff_median",
    "paired",
    "paired_diff_median",
    "paired_diff_p5",
    "paired_diff_p95",
    "runs_with_value",
    "label",
];

/// Columns of `events.csv`.
pub const EVENT_COLUMNS: [&str; 14] = [
    "scenario",
    "event",
    "label",
    "runs",
    "hits",
    "probability",
    "lower",
    "upper",
    "exact_lower",
    "exact_upper",
    "paired",
    "diff",
    "diff_lower",
    "diff_upper",
];

/// Writes `comparison.csv` (see the module docs for its columns); `report` labels the
/// figures at report times.
pub fn write_comparison(
    path: &Path,
    comparison: &Comparison,
    report: Option<&Report>,
) -> Result<(), OutputError> {
    write_atomic(path, |w| {
        writeln!(w, "{}", COMPARISON_COLUMNS.join(","))?;
        for s in &comparison.scenarios {
            for f in &s.figures {
                let b = f.band;
                write!(
                    w,
                    "{},{},{},{},{},{},{},{},{}",
                    csv_field(&s.name),
                    s.seed,
                    s.replicates,
                    f.figure,
                    b.median,
                    b.p5,
                    b.p95,
                    f.diff_median,
                    s.pairing.is_paired()
                )?;
                match f.paired_diff {
                    Some(d) => write!(w, ",{},{},{}", d.median, d.p5, d.p95)?,
                    None => write!(w, ",,,")?,
                }
                writeln!(
                    w,
                    ",{},{}",
                    f.runs_with_value,
                    csv_field(&label(&f.figure, report).full())
                )?;
            }
        }
        Ok(())
    })
}

/// Writes `events.csv` (see the module docs for its columns).
pub fn write_events(
    path: &Path,
    comparison: &Comparison,
    report: Option<&Report>,
) -> Result<(), OutputError> {
    write_atomic(path, |w| {
        writeln!(w, "{}", EVENT_COLUMNS.join(","))?;
        for s in &comparison.scenarios {
            for e in &s.events {
                let p = &e.probability;
                write!(
                    w,
                    "{},{},{},{},{},{},{},{},{},{},{}",
                    csv_field(&s.name),
                    e.event,
                    csv_field(&label(&e.event, report).what),
                    p.runs,
                    p.hits,
                    p.estimate,
                    p.interval.lower,
                    p.interval.upper,
                    e.exact.lower,
                    e.exact.upper,
                    s.pairing.is_paired()
                )?;
                match e.difference {
                    Some((d, i)) => writeln!(w, ",{d},{},{}", i.lower, i.upper)?,
                    None => writeln!(w, ",,,")?,
                }
            }
        }
        Ok(())
    })
}

/// One scenario's curves on the comparison chart, from its `bands.csv` (and, for
/// all-or-nothing outcomes, its `timeseries.csv`).
#[derive(Clone, Copy, Debug)]
pub struct Curve<'a> {
    /// Legend text: the scenario's label.
    pub name: &'a str,
    /// The scenario's per-step bands.
    pub bands: &'a BandTable,
    /// Population size, to turn counts into shares.
    pub users: u64,
    /// Replicates behind the bands.
    pub replicates: usize,
    /// Every replicate's reach and believers per step (from `timeseries.csv`), for
    /// the outbreak probability and the curves over the runs that took off; `None`
    /// draws the bands only.
    pub series: Option<&'a super::results::RunSeries>,
}

/// A band column of a curve as a series in % of users, starting from (0, 0) like the
/// run charts.
fn series(curve: &Curve, column: &str, scale: f64) -> Series {
    let c = BAND_COLUMNS.iter().position(|n| *n == column).unwrap_or(0);
    let pct = 100.0 / curve.users.max(1) as f64;
    let x = std::iter::once(0.0)
        .chain(curve.bands.hours.iter().map(|h| h * scale))
        .collect();
    let col = |f: fn(&Band) -> f64| -> Vec<f64> {
        std::iter::once(0.0)
            .chain(curve.bands.bands.iter().map(|row| f(&row[c]) * pct))
            .collect()
    };
    Series {
        label: curve.name.to_string(),
        x,
        median: col(|b| b.median),
        band: Some((col(|b| b.p5), col(|b| b.p95))),
    }
}

/// Share of a curve's runs with an outbreak by each step (reach above `threshold`
/// users), with Wilson's 95% interval, in %.
fn outbreak_series(
    curve: &Curve,
    runs: &super::results::RunSeries,
    threshold: f64,
    scale: f64,
) -> Series {
    let steps = curve.bands.hours.len();
    let (mut m, mut lo, mut hi) = (vec![0.0], vec![0.0], vec![0.0]);
    for t in 0..steps {
        let hits = runs
            .reached
            .iter()
            .filter(|r| r.get(t).is_some_and(|&x| x as f64 > threshold))
            .count() as u64;
        let p = Proportion::new(hits, runs.reached.len().max(1) as u64)
            .unwrap_or_else(|_| Proportion::new(0, 1).expect("0 of 1"));
        let i = p.wilson(Level::P95);
        m.push(100.0 * p.estimate());
        lo.push(100.0 * i.lower);
        hi.push(100.0 * i.upper);
    }
    Series {
        label: curve.name.to_string(),
        x: std::iter::once(0.0)
            .chain(curve.bands.hours.iter().map(|h| h * scale))
            .collect(),
        median: m,
        band: Some((lo, hi)),
    }
}

/// Median and 5-95% band, per step, of a count over the runs that had an outbreak by
/// the end, in % of users; and how many runs that was.
fn conditional_series(
    curve: &Curve,
    runs: &super::results::RunSeries,
    values: &[Vec<u64>],
    threshold: f64,
    scale: f64,
) -> (Series, usize) {
    let took_off: Vec<usize> = (0..runs.reached.len())
        .filter(|&r| {
            runs.reached[r]
                .last()
                .is_some_and(|&x| x as f64 > threshold)
        })
        .collect();
    let pct = 100.0 / curve.users.max(1) as f64;
    let steps = curve.bands.hours.len();
    let (mut m, mut lo, mut hi) = (vec![0.0], vec![0.0], vec![0.0]);
    for t in 0..steps {
        let b = Band::of(
            took_off
                .iter()
                .map(|&r| values[r].get(t).map_or(f64::NAN, |&x| x as f64 * pct)),
        );
        m.push(b.median);
        lo.push(b.p5);
        hi.push(b.p95);
    }
    (
        Series {
            label: curve.name.to_string(),
            x: std::iter::once(0.0)
                .chain(curve.bands.hours.iter().map(|h| h * scale))
                .collect(),
            median: m,
            band: Some((lo, hi)),
        },
        took_off.len(),
    )
}

/// Whether runs of a curve split into outbreaks and fizzles: between 5% and 95% of them
/// had an outbreak by the end.
fn all_or_nothing(runs: &super::results::RunSeries, threshold: f64) -> bool {
    let n = runs.reached.len();
    if n == 0 {
        return false;
    }
    let hits = runs
        .reached
        .iter()
        .filter(|r| r.last().is_some_and(|&x| x as f64 > threshold))
        .count();
    let p = hits as f64 / n as f64;
    (0.05..=0.95).contains(&p)
}

/// `comparison.png` and `comparison.svg`: share of users reached (top panel) and
/// believing (bottom panel) over time, median line and 5-95% band per scenario, one
/// colour per scenario in the order given (distinct up to sixteen scenarios). The time
/// axis, dates and markers (`[[simulation.markers]]`, seed waves) are the first
/// scenario's.
///
/// When a scenario's runs split into outbreaks and fizzles (between 5% and 95% of its
/// runs have an outbreak), a median at zero inside a 0-80% band would say nothing: the
/// chart then shows the share of runs with an outbreak by each time (with Wilson's 95%
/// interval), and reach and belief over the runs that had one, saying how many.
pub fn comparison_chart(
    dir: &Path,
    first: &Scenario,
    curves: &[Curve],
) -> Result<[PathBuf; 2], OutputError> {
    let (scale, x_label) = super::charts::time_axis(first);
    let panel = |column: &str, y_label: &str| Panel {
        y_label: y_label.into(),
        series: curves.iter().map(|c| series(c, column, scale)).collect(),
        log_y: false,
    };
    let mut reps: Vec<usize> = curves.iter().map(|c| c.replicates).collect();
    reps.dedup();
    let over = match reps.as_slice() {
        [n] => format!("{n} replicates per scenario"),
        _ => "replicates (counts differ by scenario)".to_string(),
    };
    let threshold = |c: &Curve| first.report.outbreak.users(c.users);
    let split = curves
        .iter()
        .any(|c| c.series.is_some_and(|r| all_or_nothing(r, threshold(c))));
    let (panels, subtitle) = if split && curves.iter().all(|c| c.series.is_some()) {
        let empty = super::results::RunSeries::default();
        fn runs_of<'a>(
            c: &Curve<'a>,
            empty: &'a super::results::RunSeries,
        ) -> &'a super::results::RunSeries {
            c.series.unwrap_or(empty)
        }
        // The legend says how many runs took off, so the conditional panels' curves carry
        // their denominators; the two conditional panels share one legend.
        let names: Vec<String> = curves
            .iter()
            .map(|c| {
                let r = runs_of(c, &empty);
                let k = r
                    .reached
                    .iter()
                    .filter(|x| x.last().is_some_and(|&v| v as f64 > threshold(c)))
                    .count();
                format!("{}: outbreak in {k} of {} runs", c.name, r.reached.len())
            })
            .collect();
        // Wide conditional bands of several scenarios overlap into one blur: beyond two
        // scenarios the conditional panels show the medians only.
        let bands = curves.len() <= 2;
        let outbreak = curves
            .iter()
            .map(|c| {
                // No legend on the top panel: its bands fill every corner, and the
                // panel below names the same colours over free space.
                let mut s = outbreak_series(c, runs_of(c, &empty), threshold(c), scale);
                s.label = String::new();
                s
            })
            .collect();
        // Reach and belief over the runs that took off, labelled with the denominators.
        let conditional = |values: fn(&super::results::RunSeries) -> &[Vec<u64>]| -> Vec<Series> {
            curves
                .iter()
                .zip(&names)
                .map(|(c, n)| {
                    let runs = runs_of(c, &empty);
                    let (mut s, _) = conditional_series(c, runs, values(runs), threshold(c), scale);
                    s.label = n.clone();
                    if !bands {
                        s.band = None;
                    }
                    s
                })
                .collect()
        };
        let reach = conditional(|r| &r.reached);
        let believers = conditional(|r| &r.believers);
        let t = first.report.outbreak.describe();
        (
            vec![
                Panel {
                    y_label: format!("Runs with reach > {t} (%)"),
                    series: outbreak,
                    log_y: false,
                },
                Panel {
                    y_label: "Reached, runs with an outbreak (%)".into(),
                    series: reach,
                    log_y: false,
                },
                Panel {
                    y_label: "Believers, runs with an outbreak (%)".into(),
                    series: believers,
                    log_y: false,
                },
            ],
            format!(
                "Runs split into outbreaks and fizzles. Top: share of runs with an outbreak \
                 (reach > {t}) by each time, Wilson 95% interval. Below: median{} over the \
                 runs with an outbreak.",
                if bands { " and 5-95% band" } else { "" }
            ),
        )
    } else {
        (
            vec![
                panel("reached", "Users reached (%)"),
                panel("believers", "Users who believe the rumor (%)"),
            ],
            format!("median and 5-95% band over {over}"),
        )
    };
    let chart = TimeChart {
        title: "Reach and belief by scenario".into(),
        subtitle: Some(subtitle),
        x_label: x_label.to_string(),
        panels,
        markers: super::charts::scenario_markers(first, scale)
            .into_iter()
            .chain(super::charts::seed_markers(first, scale))
            .collect(),
        spans: Vec::new(),
        x_ticks: super::charts::time_ticks(first, scale),
    };
    plot::draw_time_chart(&chart, dir, "comparison")
}

/// A number for the table: `-` when undefined.
fn num(x: f64, decimals: usize) -> String {
    if x.is_nan() {
        "-".into()
    } else {
        format!("{x:.decimals$}")
    }
}

/// A difference in percentage points for the table: the paired median and 5-95% range,
/// or the difference of medians marked "unpaired".
fn diff_pp(s: &ScenarioComparison, figure: &str) -> String {
    let Some(f) = s.figure(figure) else {
        return "-".into();
    };
    let pp = |x: f64| {
        if x.is_nan() {
            "-".to_string()
        } else {
            format!("{:+.1}", 100.0 * x)
        }
    };
    match f.paired_diff {
        Some(d) => format!("{} [{}, {}]", pp(d.median), pp(d.p5), pp(d.p95)),
        None => format!("{} unpaired", pp(f.diff_median)),
    }
}

/// The table printed by `grapevine compare`: one row per scenario with the medians of
/// final reach and believers (% of users), hours to 50% of final reach, cascade depth
/// and structural virality, then, for every scenario after the first, the difference
/// of reach and of believers against the first in percentage points. Ends with a note
/// explaining the differences and naming any unpaired scenario's reason.
pub fn table(comparison: &Comparison) -> String {
    let header = [
        "scenario",
        "seed",
        "reps",
        "reach %",
        "believers %",
        "hours to 50%",
        "depth",
        "virality",
        "reach diff (pp)",
        "believers diff (pp)",
    ];
    let median =
        |s: &ScenarioComparison, figure: &str| s.figure(figure).map_or(f64::NAN, |f| f.band.median);
    let mut rows: Vec<Vec<String>> = vec![header.iter().map(|h| h.to_string()).collect()];
    for (i, s) in comparison.scenarios.iter().enumerate() {
        let (reach_diff, bel_diff) = if i == 0 {
            ("reference".to_string(), "reference".to_string())
        } else {
            (
                diff_pp(s, "final_reach_share"),
                diff_pp(s, "final_believers_share"),
            )
        };
        rows.push(vec![
            s.name.clone(),
            s.seed.to_string(),
            s.replicates.to_string(),
            num(100.0 * median(s, "final_reach_share"), 1),
            num(100.0 * median(s, "final_believers_share"), 1),
            num(median(s, "hours_to_50pct"), 1),
            num(median(s, "cascade_depth"), 1),
            num(median(s, "structural_virality"), 2),
            reach_diff,
            bel_diff,
        ]);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &rows {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            let w = widths[c];
            // Names and the bracketed differences read best left-aligned.
            let cell = if c == 0 || c >= 8 {
                format!("{cell:<w$}")
            } else {
                format!("{cell:>w$}")
            };
            if c > 0 {
                line.push_str("  ");
            }
            line.push_str(&cell);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if let Some(first) = comparison.scenarios.first() {
        if comparison.scenarios.len() > 1 {
            out.push_str(&format!(
                "Differences against {}: median [5%, 95%] of per-replicate differences \
                 (same seed, so replicates share their random numbers until the scenarios diverge).\n",
                first.name
            ));
        }
        for s in &comparison.scenarios[1..] {
            if let Pairing::DifferentSeed { .. } | Pairing::DifferentReplicates { .. } = s.pairing {
                out.push_str(&format!(
                    "{}: {}; the difference shown is of medians.\n",
                    s.name, s.pairing
                ));
            }
        }
    }
    out
}

/// Lays out rows of cells as aligned columns: the first column left-aligned, the
/// others right-aligned unless `left` says otherwise.
fn columns(rows: &[Vec<String>], left: impl Fn(usize) -> bool) -> String {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..n)
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |x| x.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            let w = widths[c];
            if c > 0 {
                line.push_str("  ");
            }
            if c == 0 || left(c) {
                line.push_str(&format!("{cell:<w$}"));
            } else {
                line.push_str(&format!("{cell:>w$}"));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `31.2 [25.1, 36.0]` in the label's display unit.
fn band_cell(b: &Band, scale: f64) -> String {
    if b.median.is_nan() {
        return "-".into();
    }
    format!(
        "{:.1} [{:.1}, {:.1}]",
        b.median * scale,
        b.p5 * scale,
        b.p95 * scale
    )
}

/// `+3.2 [+1.0, +5.1]`.
fn diff_cell(b: &Band, scale: f64) -> String {
    if b.median.is_nan() {
        return "-".into();
    }
    format!(
        "{:+.1} [{:+.1}, {:+.1}]",
        b.median * scale,
        b.p5 * scale,
        b.p95 * scale
    )
}

/// The tables printed after the main one when the scenarios have report times or
/// events: for each figure read at the times (users reached, believers), one row per
/// scenario with the median [5%, 95%] at every time and, under every scenario after
/// the first, its difference against the first; then every event's probability with
/// its 95% interval and the difference against the first scenario. Figures computed
/// over the runs where an event happened say over how many.
pub fn report_tables(
    comparison: &Comparison,
    report: Option<&Report>,
    runs: &[&[RunSummary]],
) -> String {
    let mut out = String::new();
    let Some(first) = comparison.scenarios.first() else {
        return out;
    };
    let times: Vec<&crate::scenario::report::ReportTime> =
        report.map(|r| r.times.iter().collect()).unwrap_or_default();
    for base in ["reach_share", "believers_share"] {
        if times.is_empty() {
            break;
        }
        let names: Vec<String> = times.iter().map(|t| format!("{base}@{}", t.id)).collect();
        if first.figure(&names[0]).is_none() {
            continue;
        }
        let l = label(base, report);
        let mut rows = vec![std::iter::once("scenario".to_string())
            .chain(times.iter().map(|t| format!("by {}", t.label)))
            .collect::<Vec<_>>()];
        for (i, s) in comparison.scenarios.iter().enumerate() {
            let cells = names.iter().map(|n| {
                s.figure(n)
                    .map_or("-".into(), |f| band_cell(&f.band, l.scale))
            });
            rows.push(std::iter::once(s.name.clone()).chain(cells).collect());
            if i > 0 {
                let cells = names.iter().map(|n| match s.figure(n) {
                    Some(f) => match f.paired_diff {
                        Some(d) => diff_cell(&d, l.scale),
                        None => format!("{:+.1} unpaired", f.diff_median * l.scale),
                    },
                    None => "-".into(),
                });
                rows.push(
                    std::iter::once(format!("  minus {}", first.name))
                        .chain(cells)
                        .collect(),
                );
            }
        }
        out.push_str(&format!(
            "\n{}: median [5%, 95%] over replicates; differences: median [5%, 95%] of the \
             per-replicate differences, percentage points\n",
            l.full()
        ));
        out.push_str(&columns(&rows, |_| false));
    }
    if !first.events.is_empty() {
        let mut header = vec!["event".to_string()];
        for (i, s) in comparison.scenarios.iter().enumerate() {
            header.push(s.name.clone());
            if i > 0 {
                header.push(format!("{} minus {}", s.name, first.name));
            }
        }
        let mut rows = vec![header];
        for e in &first.events {
            let mut row = vec![label(&e.event, report).what];
            for (i, s) in comparison.scenarios.iter().enumerate() {
                let Some(x) = s.event(&e.event) else {
                    row.push("-".into());
                    if i > 0 {
                        row.push("-".into());
                    }
                    continue;
                };
                let p = &x.probability;
                row.push(format!(
                    "{:.0}% [{:.0}, {:.0}] {}/{}",
                    100.0 * p.estimate,
                    100.0 * p.interval.lower,
                    100.0 * p.interval.upper,
                    p.hits,
                    p.runs
                ));
                if i > 0 {
                    row.push(match x.difference {
                        Some((d, iv)) => format!(
                            "{:+.0} [{:+.0}, {:+.0}]{}",
                            100.0 * d,
                            100.0 * iv.lower,
                            100.0 * iv.upper,
                            if s.pairing.is_paired() {
                                ""
                            } else {
                                " unpaired"
                            }
                        ),
                        None => "-".into(),
                    });
                }
            }
            rows.push(row);
        }
        out.push_str(
            "\nEvent probabilities: % of runs [Wilson 95% interval] hits/runs; differences in \
             percentage points [Newcombe 95% interval], paired by replicate\n",
        );
        out.push_str(&columns(&rows, |_| false));
        // When the stages happened, over the runs where they did.
        let mut when = Vec::new();
        for (s, r) in comparison.scenarios.iter().zip(runs) {
            for e in crate::metrics::events::report(r) {
                if let (Some(w), false) = (&e.when, e.name.contains('@')) {
                    let l = label(&e.name, report);
                    when.push(format!(
                        "  {}: {} {}",
                        s.name,
                        l.what.to_lowercase(),
                        w.median.describe("median", " h", 1)
                    ));
                }
            }
        }
        if !when.is_empty() {
            out.push_str("Times of the stages, over the runs that reached them:\n");
            for w in when {
                out.push_str(&w);
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::comparison::{compare, Arm, COMPARED_FIGURES};
    use crate::metrics::summary::RunSummary;

    fn runs(seed_shift: f64, n: u32) -> Vec<RunSummary> {
        (0..n)
            .map(|r| RunSummary {
                replicate: r,
                users: 1000,
                final_reach_share: 0.3 + 0.05 * r as f64 + seed_shift,
                final_believers_share: 0.1 + 0.02 * r as f64 + seed_shift / 2.0,
                hours_to_50pct: if r == 0 { None } else { Some(5.0 + r as f64) },
                ..Default::default()
            })
            .collect()
    }

    fn sample() -> Comparison {
        let (a, b, c) = (runs(0.0, 4), runs(-0.1, 4), runs(-0.1, 4));
        compare(&[
            Arm {
                name: "base",
                seed: 1,
                runs: &a,
            },
            Arm {
                name: "fact-check",
                seed: 1,
                runs: &b,
            },
            Arm {
                name: "reseeded",
                seed: 2,
                runs: &c,
            },
        ])
    }

    #[test]
    fn csv_has_one_row_per_scenario_and_figure() {
        let t = tempfile::tempdir().unwrap();
        let path = t.path().join("comparison.csv");
        write_comparison(&path, &sample(), None).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], COMPARISON_COLUMNS.join(","));
        assert_eq!(lines.len(), 1 + 3 * COMPARED_FIGURES.len());
        for l in &lines[1..] {
            assert_eq!(l.split(',').count(), COMPARISON_COLUMNS.len(), "{l}");
        }
        let row = |scenario: &str, figure: &str| -> Vec<&str> {
            lines
                .iter()
                .map(|l| l.split(',').collect::<Vec<_>>())
                .find(|f| f[0] == scenario && f[3] == figure)
                .unwrap()
        };
        let r = row("fact-check", "final_reach_share");
        assert_eq!(r[8], "true");
        assert!((r[9].parse::<f64>().unwrap() + 0.1).abs() < 1e-12, "{r:?}");
        let r = row("reseeded", "final_reach_share");
        assert_eq!((r[8], r[9], r[10], r[11]), ("false", "", "", ""));
        let r = row("base", "hours_to_50pct");
        assert_eq!((r[4], r[7], r[9]), ("7", "0", "0"));
        // No cascade in the hand-made runs: depth 0 everywhere, still numbers.
        assert_eq!(row("base", "cascade_depth")[4], "0");
    }

    #[test]
    fn table_shows_paired_and_unpaired_differences() {
        let text = table(&sample());
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("scenario"), "{text}");
        assert!(lines[1].starts_with("base") && lines[1].contains("reference"));
        assert!(
            lines[2].contains("-10.0 [-10.0, -10.0]") && lines[2].contains("-5.0 [-5.0, -5.0]"),
            "{text}"
        );
        assert!(lines[3].contains("-10.0 unpaired"), "{text}");
        assert!(text.contains("reseeded: unpaired: seed 2"), "{text}");
        // Columns line up: every row is as wide as the header up to the diff columns.
        let at = lines[0].find("reach diff").unwrap();
        for l in &lines[1..4] {
            assert_eq!(&l[at - 2..at], "  ", "{text}");
        }
    }

    #[test]
    fn chart_is_written_from_band_tables() {
        let t = tempfile::tempdir().unwrap();
        let scn = Scenario::from_toml_str(
            "[simulation]\nhorizon = \"1d\"\n[[simulation.markers]]\nlabel = \"Fact-check\"\nat = \"12h\"\n",
            "base",
        )
        .unwrap();
        let band = |m: f64| Band {
            median: m,
            p5: m * 0.8,
            p95: m * 1.2,
        };
        let table = |k: f64| BandTable {
            time: Vec::new(),
            hours: (1..=24).map(f64::from).collect(),
            bands: (1..=24)
                .map(|h| {
                    let x = f64::from(h) * k;
                    [band(x * 10.0), band(x * 4.0), band(x)]
                })
                .collect(),
        };
        let (a, b) = (table(1.0), table(0.7));
        let curves = [
            Curve {
                name: "base",
                bands: &a,
                users: 1000,
                replicates: 6,
                series: None,
            },
            Curve {
                name: "fact-check",
                bands: &b,
                users: 1000,
                replicates: 6,
                series: None,
            },
        ];
        let [png, svg] = comparison_chart(t.path(), &scn, &curves).unwrap();
        assert!(std::fs::read(png).unwrap().starts_with(b"\x89PNG"));
        let svg = std::fs::read_to_string(svg).unwrap();
        assert!(svg.contains("fact-check") && svg.contains("Fact-check"));
    }
}
