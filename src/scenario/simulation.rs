//! The `[simulation]` section checked: the clock (step length, horizon, number of
//! steps), the master seed, replicates, the clock hour at time zero and chart markers.

use super::config::SimulationConfig;
use super::violations::Violations;
use super::MAX_STEPS;
use crate::duration::{Duration, Timestamp};
use serde::{Deserialize, Serialize};

/// A labelled time on charts, e.g. "Election day" at 6d.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Marker {
    /// Text shown on the chart.
    pub label: String,
    /// Time since the start.
    pub at: Duration,
    /// Name of the marker in `[report] at` and in column names; default: the label in
    /// lower case with `-` between words (`election-day`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

impl Marker {
    /// The marker's id: `id`, else the label made into one ([`super::report::slug`]).
    pub fn id(&self) -> String {
        self.id
            .clone()
            .unwrap_or_else(|| super::report::slug(&self.label))
    }
}

/// Clock, horizon, replicates, seed.
#[derive(Clone, Debug, PartialEq)]
pub struct Simulation {
    /// Master seed: same scenario + seed gives the same outputs.
    pub seed: u64,
    /// Length of one step.
    pub step: Duration,
    /// Simulated time span.
    pub horizon: Duration,
    /// Step length in minutes.
    pub step_minutes: f64,
    /// Number of steps in the horizon (at least 1).
    pub steps: u32,
    /// Build a new population for every replicate after the first.
    pub fresh_population: bool,
    /// Independent runs of the dynamics.
    pub replicates: u32,
    /// Clock hour (0 <= hour < 24) at time zero, for the daily rhythm.
    pub start_hour: f64,
    /// Calendar date and time of time zero, if the scenario has one.
    pub start: Option<Timestamp>,
    /// Labelled vertical lines on time charts.
    pub markers: Vec<Marker>,
}

impl Simulation {
    /// Checks the section; out-of-range values are reported and replaced by usable
    /// ones so that later sections can still be checked.
    pub(super) fn check(raw: &SimulationConfig, v: &mut Violations) -> Simulation {
        let step_minutes = raw.step.minutes();
        if !(1.0..=1440.0).contains(&step_minutes) {
            v.add(
                "simulation.step",
                format!("{} is out of range: allowed 1m to 1d", raw.step),
            );
        }
        let steps = if step_minutes > 0.0 {
            (raw.horizon.minutes() / step_minutes).round()
        } else {
            0.0
        };
        if steps < 1.0 || steps > MAX_STEPS as f64 {
            v.add(
                "simulation.horizon",
                format!(
                    "{} gives {steps} steps of {}: allowed 1 to {MAX_STEPS} steps",
                    raw.horizon, raw.step
                ),
            );
        }
        if !(1..=1_000_000).contains(&raw.replicates) {
            v.add(
                "simulation.replicates",
                format!("{} is out of range: allowed 1 to 1000000", raw.replicates),
            );
        }
        let start_hour = match (raw.start_hour, raw.start) {
            (Some(h), Some(t)) => {
                if h != t.hour_of_day() {
                    v.add(
                        "simulation.start_hour",
                        format!(
                            "{h} disagrees with `start` ({t}, hour {}): the start sets the \
                             hour, so leave `start_hour` out or make them agree",
                            t.hour_of_day()
                        ),
                    );
                }
                h
            }
            (Some(h), None) => h,
            (None, Some(t)) => t.hour_of_day(),
            (None, None) => 8.0,
        };
        if !(0.0..24.0).contains(&start_hour) {
            v.add(
                "simulation.start_hour",
                format!("{start_hour} is out of range: allowed 0 <= hour < 24"),
            );
        }
        for (i, m) in raw.markers.iter().enumerate() {
            v.label(&format!("simulation.markers[{i}].label"), &m.label);
            if m.at > raw.horizon {
                v.add(
                    &format!("simulation.markers[{i}].at"),
                    format!("{} is after the horizon {}", m.at, raw.horizon),
                );
            }
        }
        Simulation {
            seed: raw.seed,
            step: raw.step,
            horizon: raw.horizon,
            step_minutes,
            steps: steps.clamp(0.0, MAX_STEPS as f64) as u32,
            fresh_population: raw.fresh_population,
            replicates: raw.replicates,
            start_hour,
            start: raw.start,
            markers: raw.markers.clone(),
        }
    }

    /// The section as written, every default filled in.
    pub(super) fn to_config(&self) -> SimulationConfig {
        SimulationConfig {
            seed: self.seed,
            step: self.step,
            horizon: self.horizon,
            fresh_population: self.fresh_population,
            replicates: self.replicates,
            start_hour: Some(self.start_hour),
            start: self.start,
            markers: self.markers.clone(),
        }
    }

    /// Checks that a time `at` (of `field`) lies within the horizon.
    pub(super) fn within(&self, v: &mut Violations, field: &str, at: Duration) {
        if at > self.horizon {
            v.add(field, format!("{at} is after the horizon {}", self.horizon));
        }
    }
}
