//! Charts of a scenario run, drawn from the same band table that `bands.csv` holds.

use super::files::BandTable;
use crate::error::OutputError;
use crate::plot::{self, Marker, Panel, Series, TimeChart};
use crate::scenario::Scenario;
use std::path::{Path, PathBuf};

/// Time axis in days for horizons of two days or more, else hours.
pub fn time_axis(scn: &Scenario) -> (f64, &'static str) {
    if scn.simulation.horizon.hours() >= 48.0 {
        (1.0 / 24.0, "Time since first post (days)")
    } else {
        (1.0, "Time since first post (hours)")
    }
}

/// Markers of the scenario (`[[simulation.markers]]`) in chart units.
pub fn scenario_markers(scn: &Scenario, scale: f64) -> Vec<Marker> {
    scn.simulation
        .markers
        .iter()
        .map(|m| Marker {
            x: m.at.hours() * scale,
            label: m.label.clone(),
        })
        .collect()
}

/// Vertical lines for the interventions that fired, at their median firing time over
/// the replicates in which they fired (a `when` trigger can fire at different times).
pub fn intervention_markers(
    scn: &Scenario,
    runs: &[crate::record::RunOutput],
    scale: f64,
) -> Vec<Marker> {
    scn.interventions
        .iter()
        .enumerate()
        .filter_map(|(i, iv)| {
            // An intervention acts from the start of the step it fires in.
            let hours = runs
                .iter()
                .filter_map(|r| r.fired.get(i).copied().flatten())
                .map(|s| s as f64 * scn.simulation.step_minutes / 60.0);
            median_marker(
                hours,
                runs.len(),
                scale,
                &iv.action.kind_name().replace('_', " "),
                false,
            )
        })
        .collect()
}

/// A marker at the median of `hours` (one value per run that reached the event); the
/// label counts the runs when not all of them did, or always with `always_count`.
fn median_marker(
    hours: impl Iterator<Item = f64>,
    runs: usize,
    scale: f64,
    label: &str,
    always_count: bool,
) -> Option<Marker> {
    let hours: Vec<f64> = hours.collect();
    if hours.is_empty() {
        return None;
    }
    let median = crate::metrics::bands::Band::of(hours.iter().copied()).median;
    let label = if always_count || hours.len() < runs {
        format!("{label} ({}/{runs} runs)", hours.len())
    } else {
        label.to_string()
    };
    Some(Marker {
        x: median * scale,
        label,
    })
}

/// `virality.png` and `virality.svg`: share of users reached, believing and spreading
/// over time, median line with the 5-95% band across replicates.
pub fn virality_chart(
    dir: &Path,
    scn: &Scenario,
    table: &BandTable,
    users: u64,
    runs: &[crate::record::RunOutput],
) -> Result<[PathBuf; 2], OutputError> {
    let replicates = runs.len();
    let (scale, x_label) = time_axis(scn);
    let pct = 100.0 / users.max(1) as f64;
    let x: Vec<f64> = std::iter::once(0.0)
        .chain(table.hours.iter().map(|h| h * scale))
        .collect();
    let series = ["Reached", "Believers", "Spreaders"]
        .iter()
        .enumerate()
        .map(|(c, label)| {
            let col = |f: fn(&crate::metrics::bands::Band) -> f64| -> Vec<f64> {
                std::iter::once(0.0)
                    .chain(table.bands.iter().map(|row| f(&row[c]) * pct))
                    .collect()
            };
            Series {
                label: label.to_string(),
                x: x.clone(),
                median: col(|b| b.median),
                band: Some((col(|b| b.p5), col(|b| b.p95))),
            }
        })
        .collect();
    let chart = TimeChart {
        title: format!("{}: share of users reached", scn.name),
        subtitle: Some(format!(
            "median and 5-95% band over {replicates} replicates, {users} users"
        )),
        x_label: x_label.to_string(),
        panels: vec![Panel {
            y_label: "Share of users (%)".into(),
            series,
            log_y: false,
        }],
        markers: scenario_markers(scn, scale)
            .into_iter()
            .chain(intervention_markers(scn, runs, scale))
            .collect(),
        spans: Vec::new(),
    };
    plot::draw_time_chart(&chart, dir, "virality")
}

/// A stage marker at the median step it was reached over the runs that reached it.
fn stage_marker(
    scn: &Scenario,
    runs: &[crate::record::RunOutput],
    scale: f64,
    label: &str,
    stage: impl Fn(&crate::record::Stages) -> Option<u32>,
) -> Option<Marker> {
    // A stage is reached during its step, so it is marked at the step's end.
    let hours = runs
        .iter()
        .filter_map(|r| stage(&r.stages))
        .map(|s| scn.hours_at(s));
    median_marker(hours, runs.len(), scale, label, true)
}

/// Mean over runs, with the 5% and 95% quantiles, of a per-step value.
fn mean_band(
    runs: &[crate::record::RunOutput],
    steps: usize,
    value: impl Fn(&crate::record::RunOutput, usize) -> f64,
) -> [Vec<f64>; 3] {
    use crate::metrics::bands::Band;
    let mut out = [vec![0.0], vec![0.0], vec![0.0]];
    for s in 0..steps {
        let xs: Vec<f64> = runs.iter().map(|r| value(r, s)).collect();
        let b = Band::of(xs.iter().copied());
        out[0].push(xs.iter().sum::<f64>() / xs.len().max(1) as f64);
        out[1].push(b.p5);
        out[2].push(b.p95);
    }
    out
}

/// `spillover.png` and `spillover.svg`: private reach and public volume (posts in the
/// last hour) on panels that share the time axis, with press pickup and crisis marked
/// at their median times. Spill-over outcomes are often all-or-nothing across runs, so
/// the line is the mean (a median would sit at zero when most runs stay private).
pub fn spillover_chart(
    dir: &Path,
    scn: &Scenario,
    table: &BandTable,
    users: u64,
    runs: &[crate::record::RunOutput],
) -> Result<[PathBuf; 2], OutputError> {
    let (scale, x_label) = time_axis(scn);
    let pct = 100.0 / users.max(1) as f64;
    let x: Vec<f64> = std::iter::once(0.0)
        .chain(table.hours.iter().map(|h| h * scale))
        .collect();
    let steps = table.bands.len();
    let hour = ((60.0 / scn.simulation.step_minutes).round() as usize).max(1);
    let [reach, reach_lo, reach_hi] = mean_band(runs, steps, |r, s| {
        r.records.get(s).map_or(0.0, |x| x.reached as f64 * pct)
    });
    let [public, public_lo, public_hi] = mean_band(runs, steps, |r, s| {
        r.records[s.saturating_sub(hour - 1)..=s.min(r.records.len().saturating_sub(1))]
            .iter()
            .map(|x| x.public_posts as f64)
            .sum()
    });
    let chart = TimeChart {
        title: format!("{}: from private chats to public, press and crisis", scn.name),
        subtitle: Some(format!("mean and 5-95% band over {} replicates; stage lines at their median time among runs that reach them", runs.len())),
        x_label: x_label.to_string(),
        panels: vec![
            Panel {
                y_label: "Private reach (% of users)".into(),
                series: vec![Series { label: "Reached in private chats (mean)".into(), x: x.clone(), median: reach, band: Some((reach_lo, reach_hi)) }],
                log_y: false,
            },
            Panel {
                y_label: "Public posts in the last hour".into(),
                series: vec![Series { label: "Public posts (mean)".into(), x, median: public, band: Some((public_lo, public_hi)) }],
                log_y: false,
            },
        ],
        markers: scenario_markers(scn, scale)
            .into_iter()
            .chain(intervention_markers(scn, runs, scale))
            .chain(stage_marker(scn, runs, scale, "press pickup", |s| s.press))
            .chain(stage_marker(scn, runs, scale, "crisis", |s| s.crisis))
            .collect(),
        spans: Vec::new(),
    };
    plot::draw_time_chart(&chart, dir, "spillover")
}
