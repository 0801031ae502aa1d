//! Charts of a scenario run, drawn from the same band table that `bands.csv` holds.

use super::files::BandTable;
use crate::error::OutputError;
use crate::plot::{self, Marker, Panel, Series, TimeChart};
use crate::scenario::Scenario;
use std::path::{Path, PathBuf};

/// Time axis in days for horizons of two days or more, else hours; with a calendar
/// start (`simulation.start`) the axis is labelled with dates ([`time_ticks`]).
pub fn time_axis(scn: &Scenario) -> (f64, &'static str) {
    let days = scn.simulation.horizon.hours() >= 48.0;
    match (scn.simulation.start.is_some(), days) {
        (true, _) => (
            if days { 1.0 / 24.0 } else { 1.0 },
            "Date and time (local time of the scenario)",
        ),
        (false, true) => (1.0 / 24.0, "Time since first post (days)"),
        (false, false) => (1.0, "Time since first post (hours)"),
    }
}

const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `Mon 1 Oct` for a calendar time, `Mon 1 Oct 14:00` with `clock`.
pub fn day_label(t: crate::duration::Timestamp, clock: bool) -> String {
    // The display form is YYYY-MM-DDTHH:MM[:SS]; days since 1970-01-01 (a Thursday)
    // give the weekday.
    let text = t.to_string();
    let (m, d) = (
        text[5..7].parse::<usize>().unwrap_or(1),
        text[8..10].parse::<usize>().unwrap_or(1),
    );
    let epoch = crate::duration::Timestamp::parse("1970-01-01").expect("a valid date");
    let days = (t.hours_since(epoch) / 24.0).floor() as i64;
    let wd = WEEKDAYS[days.rem_euclid(7) as usize];
    let mut out = format!("{wd} {d} {}", MONTHS[(m - 1).min(11)]);
    if clock {
        out.push(' ');
        out.push_str(&text[11..16]);
    }
    out
}

/// Ticks of a time axis in chart units: with a calendar start, each midnight (dates,
/// "Mon 1 Oct") over two days or more, else every few hours with the clock time; without
/// one, none (round numbers are chosen from the range).
pub fn time_ticks(scn: &Scenario, scale: f64) -> Vec<(f64, String)> {
    let Some(start) = scn.simulation.start else {
        return Vec::new();
    };
    let horizon = scn.simulation.horizon.hours();
    let first_midnight = (24.0 - start.hour_of_day()) % 24.0;
    let mut out = Vec::new();
    if horizon >= 48.0 {
        // One tick per day, or per week past four weeks.
        let every = if horizon > 28.0 * 24.0 {
            7.0 * 24.0
        } else {
            24.0
        };
        let mut h = first_midnight;
        while h <= horizon + 1e-9 {
            out.push((h * scale, day_label(start.plus_hours(h), false)));
            h += every;
        }
    } else {
        let every = [1.0, 2.0, 3.0, 6.0, 12.0]
            .into_iter()
            .find(|e| horizon / e <= 12.0)
            .unwrap_or(24.0);
        let offset = (every - start.hour_of_day() % every) % every;
        let mut h = offset;
        while h <= horizon + 1e-9 {
            let t = start.plus_hours(h);
            let text = t.to_string();
            let label = if out.is_empty() || t.hour_of_day() < every {
                day_label(t, true)
            } else {
                text[11..16].to_string()
            };
            out.push((h * scale, label));
            h += every;
        }
    }
    out
}

/// Markers for the seeding waves after the first ("seed wave 2, 1d"), so a jump in a
/// curve can be read against the wave that caused it.
pub fn seed_markers(scn: &Scenario, scale: f64) -> Vec<Marker> {
    let mut times: Vec<f64> = scn.seeds.iter().map(|s| s.at.hours()).collect();
    times.sort_by(f64::total_cmp);
    times.dedup();
    times
        .iter()
        .enumerate()
        .skip(1)
        .map(|(i, h)| Marker {
            x: h * scale,
            label: format!(
                "seed wave {}, {}",
                i + 1,
                crate::duration::Duration::from_hours(*h)
            ),
        })
        .collect()
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
            let name = iv.action.kind_name().replace('_', " ");
            let label = match &iv.trigger {
                crate::scenario::Trigger::At(d) => format!("{name} ({d})"),
                crate::scenario::Trigger::When { text, .. } => format!("{name} (when {text})"),
            };
            median_marker(hours, runs.len(), scale, &label, false)
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
        title: format!("{}: share of users reached", scn.label),
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
            .chain(seed_markers(scn, scale))
            .chain(intervention_markers(scn, runs, scale))
            .collect(),
        spans: Vec::new(),
        x_ticks: time_ticks(scn, scale),
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
        title: format!("{}: from private chats to public, press and crisis", scn.label),
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
        x_ticks: time_ticks(scn, scale),
    };
    plot::draw_time_chart(&chart, dir, "spillover")
}
