//! The `[report]` section checked: the times at which figures are read (`at`: durations
//! such as `"48h"` or marker ids such as `"election-day"`), what counts as an outbreak,
//! and extra threshold events (`"reach > 50%"`). Nothing here changes a run: the
//! section only says which figures and event probabilities the outputs carry
//! (`metrics::at`, `metrics::events`).
//!
//! A time `T` is read at the end of the step that contains it, the row of
//! `timeseries.csv` with the smallest `hours` at or after `T` (a time on a step
//! boundary is the end of the step before it: `48h` is the row with `hours = 48`).

use super::condition::{Condition, Metric};
use super::simulation::Simulation;
use super::violations::Violations;
use serde::{Deserialize, Serialize};

/// Most times one report may ask for (each adds a dozen columns to every table).
pub const MAX_TIMES: usize = 24;
/// Most extra events.
pub const MAX_EVENTS: usize = 24;
/// Share of users reached from which a run counts as an outbreak, unless the scenario
/// says otherwise.
pub const DEFAULT_OUTBREAK: f64 = 0.01;

/// `[report]` as written.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportConfig {
    /// Times at which figures are read: durations (`"48h"`) or marker ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub at: Vec<String>,
    /// Reach from which a run is an outbreak: a percentage (`"1%"`) or a number of
    /// users (`"500"`); default 1%.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbreak: Option<String>,
    /// Extra events: conditions on reach or believers, e.g. `"reach > 50%"`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<String>,
}

impl ReportConfig {
    /// True when nothing is set (the section is then left out of written scenarios).
    pub fn is_empty(&self) -> bool {
        self == &ReportConfig::default()
    }
}

/// One time at which figures are read.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReportTime {
    /// As it names columns: the duration as written (`48h`) or the marker id.
    pub id: String,
    /// For tables and charts: `48 h`, or the marker's label (`Election day`).
    pub label: String,
    /// The time asked for, in hours since time zero.
    pub hours: f64,
    /// The step whose end is the first at or after `hours`.
    pub step: u32,
}

/// A number of users, or a share of the population.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub enum Threshold {
    /// A share of users in `[0, 1]`.
    Share(f64),
    /// A number of users.
    Users(f64),
}

impl Threshold {
    /// The threshold in users for a population of `users`.
    pub fn users(self, users: u64) -> f64 {
        match self {
            Threshold::Share(s) => s * users as f64,
            Threshold::Users(n) => n,
        }
    }

    /// `1%`, `500 users`.
    pub fn describe(self) -> String {
        match self {
            Threshold::Share(s) => format!("{}%", trim(100.0 * s)),
            Threshold::Users(n) => format!("{} users", trim(n)),
        }
    }

    /// `1pct`, `500`: for names.
    fn name_part(self) -> String {
        match self {
            Threshold::Share(s) => format!("{}pct", trim(100.0 * s).replace('.', "_")),
            Threshold::Users(n) => trim(n).replace('.', "_"),
        }
    }
}

/// A number without float noise or trailing zeros: 12 significant digits.
fn trim(x: f64) -> String {
    let s = format!("{:.10}", x);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// An extra event: a condition on reach or believers, tested at the end of the run and
/// at every report time.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventCondition {
    /// Column name, e.g. `reach_above_50pct`.
    pub name: String,
    /// As written, e.g. `reach > 50%`.
    pub text: String,
    /// The parsed condition (reach, read or believers only).
    pub condition: Condition,
}

/// The checked `[report]` section.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Times at which figures are read, in the order given.
    pub times: Vec<ReportTime>,
    /// Reach from which a run is an outbreak.
    pub outbreak: Threshold,
    /// Extra events, in the order given.
    pub events: Vec<EventCondition>,
    /// As written (kept to write the scenario back).
    pub config: ReportConfig,
}

impl Default for Report {
    fn default() -> Report {
        Report {
            times: Vec::new(),
            outbreak: Threshold::Share(DEFAULT_OUTBREAK),
            events: Vec::new(),
            config: ReportConfig::default(),
        }
    }
}

/// The id of a marker: its `id`, else its label in lower case with every run of
/// characters other than letters and digits turned into one `-` ("Election day" ->
/// "election-day").
pub fn slug(label: &str) -> String {
    let mut out = String::new();
    for c in label.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Whether `id` may name columns: letters, digits, `-` and `_`.
fn plain(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}

/// `48 h`, `1.5 h`: hours for tables.
pub fn hours_label(hours: f64) -> String {
    let s = format!("{hours:.2}");
    format!("{} h", s.trim_end_matches('0').trim_end_matches('.'))
}

impl Report {
    /// Checks the section against the clock and markers of `sim`.
    pub(super) fn check(raw: &ReportConfig, sim: &Simulation, v: &mut Violations) -> Report {
        let markers: Vec<(String, &str, f64)> = sim
            .markers
            .iter()
            .map(|m| (m.id(), m.label.as_str(), m.at.hours()))
            .collect();
        for (i, m) in sim.markers.iter().enumerate() {
            if let Some(id) = &m.id {
                if !plain(id) {
                    v.add(
                        &format!("simulation.markers[{i}].id"),
                        format!("\"{id}\" may hold only letters, digits, '-' and '_'"),
                    );
                }
            }
            if markers[..i].iter().any(|o| o.0 == markers[i].0) {
                v.add(
                    &format!("simulation.markers[{i}]"),
                    format!(
                        "id \"{}\" is used by an earlier marker: give one of them an `id`",
                        markers[i].0
                    ),
                );
            }
        }
        let step_h = sim.step_minutes / 60.0;
        let horizon = sim.horizon.hours();
        let mut times: Vec<ReportTime> = Vec::new();
        if raw.at.len() > MAX_TIMES {
            v.add(
                "report.at",
                format!("{} times: at most {MAX_TIMES}", raw.at.len()),
            );
        }
        for (i, text) in raw.at.iter().enumerate().take(MAX_TIMES) {
            let field = format!("report.at[{i}]");
            let t = text.trim();
            let found = if let Some(m) = markers.iter().find(|m| m.0 == t) {
                Some((m.0.clone(), m.1.to_string(), m.2))
            } else {
                match crate::duration::parse(t) {
                    Ok(d) => Some((t.to_string(), hours_label(d.hours()), d.hours())),
                    Err(_) => {
                        let ids: Vec<&str> = markers.iter().map(|m| m.0.as_str()).collect();
                        v.add(
                            &field,
                            format!(
                                "\"{t}\" is neither a duration (\"48h\", \"2d\") nor a marker id{}",
                                if ids.is_empty() {
                                    " (the scenario has no [[simulation.markers]])".to_string()
                                } else {
                                    format!("; marker ids are {}", ids.join(", "))
                                }
                            ),
                        );
                        None
                    }
                }
            };
            let Some((id, label, hours)) = found else {
                continue;
            };
            if !(0.0..=horizon).contains(&hours) {
                v.add(
                    &field,
                    format!(
                        "{t} is outside the run: from 0 to the horizon {}",
                        sim.horizon
                    ),
                );
                continue;
            }
            if times.iter().any(|o| o.id == id) {
                v.add(&field, format!("\"{t}\" is given twice"));
                continue;
            }
            // The end of the step containing the time: (start, end], step 0 for time 0.
            let last = sim.steps.saturating_sub(1);
            let step = ((hours / step_h - 1e-9).ceil() - 1.0).clamp(0.0, last as f64) as u32;
            times.push(ReportTime {
                id,
                label,
                hours,
                step,
            });
        }
        let outbreak = match &raw.outbreak {
            None => Threshold::Share(DEFAULT_OUTBREAK),
            Some(text) => match threshold(text) {
                Ok(t) => t,
                Err(m) => {
                    v.add("report.outbreak", m);
                    Threshold::Share(DEFAULT_OUTBREAK)
                }
            },
        };
        if raw.events.len() > MAX_EVENTS {
            v.add(
                "report.events",
                format!("{} events: at most {MAX_EVENTS}", raw.events.len()),
            );
        }
        let mut events: Vec<EventCondition> = Vec::new();
        for (i, text) in raw.events.iter().enumerate().take(MAX_EVENTS) {
            let field = format!("report.events[{i}]");
            match event(text) {
                Ok(e) if events.iter().any(|o| o.name == e.name) => {
                    v.add(&field, format!("\"{text}\" is given twice"))
                }
                Ok(e) => events.push(e),
                Err(m) => v.add(&field, m),
            }
        }
        Report {
            times,
            outbreak,
            events,
            config: raw.clone(),
        }
    }
}

/// `1%` or `500`.
fn threshold(text: &str) -> Result<Threshold, String> {
    let t = text.trim();
    let (num, share) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), true),
        None => (t, false),
    };
    match num.parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 && (!share || x <= 100.0) => Ok(if share {
            Threshold::Share(x / 100.0)
        } else {
            Threshold::Users(x)
        }),
        _ => Err(format!(
            "\"{text}\" is not a percentage (\"1%\") or a number of users (\"500\")"
        )),
    }
}

/// Parses an extra event such as `reach > 50%` into its condition and column name.
fn event(text: &str) -> Result<EventCondition, String> {
    let c = Condition::parse(text)?;
    let what = match c.metric {
        Metric::Reached => "reach",
        Metric::Read => "read",
        Metric::Believers => "believers",
        _ => {
            return Err(format!(
                "\"{text}\": report events test reach, read or believers"
            ))
        }
    };
    let op = match (c.above, c.inclusive) {
        (true, false) => "above",
        (true, true) => "at_least",
        (false, false) => "below",
        (false, true) => "at_most",
    };
    let t = if c.share {
        Threshold::Share(c.value)
    } else {
        Threshold::Users(c.value)
    };
    Ok(EventCondition {
        name: format!("{what}_{op}_{}", t.name_part()),
        text: text.trim().to_string(),
        condition: c,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    fn report(extra: &str) -> Result<Report, String> {
        Scenario::from_toml_str(
            &format!(
                "[simulation]\nhorizon = \"7d\"\nstep = \"10m\"\n\
                 [[simulation.markers]]\nlabel = \"Election day\"\nat = \"6d\"\n{extra}"
            ),
            "t",
        )
        .map(|s| s.report)
        .map_err(|e| e.to_string())
    }

    #[test]
    fn times_are_durations_or_marker_ids_read_at_the_end_of_their_step() {
        let r = report("[report]\nat = [\"48h\", \"election-day\", \"5m\", \"0h\"]\n").unwrap();
        let got: Vec<(&str, &str, f64, u32)> = r
            .times
            .iter()
            .map(|t| (t.id.as_str(), t.label.as_str(), t.hours, t.step))
            .collect();
        assert_eq!(
            got,
            [
                ("48h", "48 h", 48.0, 287),
                ("election-day", "Election day", 144.0, 863),
                ("5m", "0.08 h", 5.0 / 60.0, 0),
                ("0h", "0 h", 0.0, 0),
            ]
        );
        assert_eq!(r.outbreak, Threshold::Share(0.01));
    }

    #[test]
    fn bad_times_and_events_are_refused_with_their_key_path() {
        let e = report("[report]\nat = [\"sunday\", \"9d\", \"48h\", \"48h\"]\n").unwrap_err();
        assert!(
            e.contains("report.at[0]") && e.contains("marker ids are election-day"),
            "{e}"
        );
        assert!(
            e.contains("report.at[1]") && e.contains("outside the run"),
            "{e}"
        );
        assert!(e.contains("report.at[3]") && e.contains("twice"), "{e}");
        let e =
            report("[report]\nevents = [\"spreaders > 5\", \"reach >> 5\"]\noutbreak = \"x\"\n")
                .unwrap_err();
        assert!(
            e.contains("report.events[0]") && e.contains("report.events[1]"),
            "{e}"
        );
        assert!(e.contains("report.outbreak"), "{e}");
    }

    #[test]
    fn events_get_plain_names() {
        let r = report(
            "[report]\nevents = [\"reach > 50%\", \"believers >= 1000\"]\noutbreak = \"0.5%\"\n",
        )
        .unwrap();
        let names: Vec<&str> = r.events.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["reach_above_50pct", "believers_at_least_1000"]);
        assert_eq!(r.outbreak, Threshold::Share(0.005));
        assert_eq!(slug("Election day (1st round)"), "election-day-1st-round");
    }
}
