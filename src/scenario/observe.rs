//! The `[[observe]]` entries: the narrow windows through which analysts see a rumor in
//! closed messaging groups, written, checked and rebuilt.
//!
//! - `monitor`: a monitoring project that joined some groups (how many, of which kinds
//!   and dominant camp, chosen as real monitors choose them: the largest, by size, or at
//!   random) and logs every post of the rumor and of the correction made there;
//! - `tipline`: a fact-checkers' tipline to which each user who reads the rumor reports
//!   it with some probability, after some delay;
//! - `public`: the public layer's posts (needs `[public]`).
//!
//! Each entry is a named window; its events are counted per `period` in `observed.csv`,
//! and the detections by the times in `by` are summarised across replicates. The engine
//! side is `src/engine/observe.rs`; the model is described in
//! `docs/model.md#observation`.

use super::config::DelayDist;
use super::kind::ChatKind;
use super::rumor::camp_name;
use super::violations::Violations;
use super::{Camp, ChatKindSpec, PublicSpec, Scenario, Simulation};
use crate::duration::{Duration, Timestamp};
use serde::{Deserialize, Serialize};

/// Most windows a scenario may have (the engine keeps a 64-bit mask per chat).
pub const MAX_WINDOWS: usize = 64;

/// How a monitor chooses the groups it joins.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonitorChoice {
    /// The largest eligible groups (ties to the lower chat id): a project that sought
    /// out the biggest public groups.
    Largest,
    /// Eligible groups drawn without replacement with probability proportional to
    /// their size: groups found through invite links shared in public, which large
    /// groups are more likely to have.
    #[default]
    BySize,
    /// Eligible groups drawn uniformly without replacement.
    Random,
}

/// One `[[observe]]` entry as written.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ObserveConfig {
    /// Groups joined by a monitoring project.
    Monitor {
        /// Window name (default `monitor`).
        name: Option<String>,
        /// Number of groups joined.
        groups: u32,
        /// Kinds of chat it joins (default: political).
        chat_kinds: Option<Vec<ChatKind>>,
        /// Dominant camp of the groups it joins, if restricted.
        camp: Option<String>,
        /// How it chooses among eligible groups (default `by_size`).
        choose: Option<MonitorChoice>,
        /// Counting period in `observed.csv` (default 1h).
        period: Option<Duration>,
        /// Times at which detection is summarised (default 6h, 24h, 72h).
        by: Option<Vec<Duration>>,
    },
    /// Reports of readers to a fact-checkers' tipline.
    Tipline {
        /// Window name (default `tipline`).
        name: Option<String>,
        /// Probability that a user who reads the rumor and does not believe it reports
        /// it (once).
        report: f64,
        /// The same for a user whom the rumor convinced (default: `report`).
        report_believers: Option<f64>,
        /// Mean delay between reading and the report's arrival (default 6h).
        delay: Option<Duration>,
        /// Fixed or exponential delay (default exponential).
        delay_dist: Option<DelayDist>,
        /// Only readers of this camp use the tipline, if given.
        camp: Option<String>,
        /// Counting period in `observed.csv` (default 1h).
        period: Option<Duration>,
        /// Times at which detection is summarised (default 6h, 24h, 72h).
        by: Option<Vec<Duration>>,
    },
    /// The public layer's posts, counted.
    Public {
        /// Window name (default `public`).
        name: Option<String>,
        /// Counting period in `observed.csv` (default 1h).
        period: Option<Duration>,
        /// Times at which detection is summarised (default 6h, 24h, 72h).
        by: Option<Vec<Duration>>,
    },
}

/// A checked observation window.
#[derive(Clone, Debug, PartialEq)]
pub struct Observe {
    /// The window's name, unique in the scenario.
    pub name: String,
    /// What it sees.
    pub window: Window,
    /// Counting period of `observed.csv`.
    pub period: Duration,
    /// Times (within the horizon, increasing) at which detection is summarised.
    pub by: Vec<Duration>,
}

/// What a window sees.
#[derive(Clone, Debug, PartialEq)]
pub enum Window {
    /// Every rumor and correction post into `groups` chosen chats.
    Monitor {
        /// Number of chats monitored (at least 1).
        groups: u32,
        /// Kinds of chat eligible (not empty).
        kinds: Vec<ChatKind>,
        /// Dominant camp of eligible chats, if restricted.
        camp: Option<u8>,
        /// How the monitored chats are chosen among the eligible ones (default by size).
        choose: MonitorChoice,
    },
    /// One report per reader who reports, `delay` after reading.
    Tipline {
        /// Probability for a reader the rumor did not convince.
        report: f64,
        /// Probability for a reader it convinced.
        report_believers: f64,
        /// Mean delay between reading and the report's arrival (default 6h).
        delay: Duration,
        /// Fixed or exponential delay (default exponential).
        delay_dist: DelayDist,
        /// Camp of the readers who report, if restricted.
        camp: Option<u8>,
    },
    /// The public layer's posts per step.
    Public,
}

impl Window {
    /// The kind as written (`monitor`, `tipline`, `public`).
    pub fn kind(&self) -> &'static str {
        match self {
            Window::Monitor { .. } => "monitor",
            Window::Tipline { .. } => "tipline",
            Window::Public => "public",
        }
    }
}

/// What checking windows needs to know about the rest of the scenario.
pub(super) struct ObserveContext<'a> {
    pub simulation: &'a Simulation,
    pub camps: &'a [Camp],
    pub kinds: &'a [Option<ChatKindSpec>; 7],
    /// Whether chat kinds come from the scenario's own mix, so an absent kind has no
    /// chats.
    pub generated_mix: bool,
    pub public: Option<&'a PublicSpec>,
}

const DEFAULT_BY_HOURS: [f64; 3] = [6.0, 24.0, 72.0];

impl Observe {
    /// Checks every window; names must be unique.
    pub(super) fn check_all(
        raw: &[ObserveConfig],
        ctx: &ObserveContext,
        v: &mut Violations,
    ) -> Vec<Observe> {
        if raw.len() > MAX_WINDOWS {
            v.add(
                "observe",
                format!("{} windows: at most {MAX_WINDOWS}", raw.len()),
            );
        }
        let out: Vec<Observe> = raw
            .iter()
            .enumerate()
            .map(|(i, o)| Observe::check(i, o, ctx, v))
            .collect();
        for (i, o) in out.iter().enumerate() {
            if let Some(j) = out[..i].iter().position(|p| p.name == o.name) {
                v.add(
                    &format!("observe[{i}].name"),
                    format!(
                        "\"{}\" already names observe[{j}]: give each window its own `name`",
                        o.name
                    ),
                );
            }
        }
        out
    }

    fn check(i: usize, raw: &ObserveConfig, ctx: &ObserveContext, v: &mut Violations) -> Observe {
        let at = |f: &str| format!("observe[{i}].{f}");
        let sim = ctx.simulation;
        let (name, period, by) = match raw {
            ObserveConfig::Monitor {
                name, period, by, ..
            }
            | ObserveConfig::Tipline {
                name, period, by, ..
            }
            | ObserveConfig::Public { name, period, by } => (name, period, by),
        };
        let window = match raw {
            ObserveConfig::Monitor {
                groups,
                chat_kinds,
                camp,
                choose,
                ..
            } => {
                if *groups == 0 {
                    v.add(&at("groups"), "must be >= 1".into());
                }
                let kinds = chat_kinds.clone().unwrap_or(vec![ChatKind::Political]);
                if kinds.is_empty() {
                    v.add(&at("chat_kinds"), "the list is empty".into());
                }
                for k in &kinds {
                    if ctx.generated_mix && ctx.kinds[k.index()].is_none() {
                        v.add(
                            &at("chat_kinds"),
                            format!("no chats of kind \"{k}\" exist in this population"),
                        );
                    }
                }
                Window::Monitor {
                    groups: *groups,
                    kinds,
                    camp: v.opt_camp(&at("camp"), camp.as_deref(), ctx.camps),
                    choose: choose.unwrap_or_default(),
                }
            }
            ObserveConfig::Tipline {
                report,
                report_believers,
                delay,
                delay_dist,
                camp,
                ..
            } => {
                let believers = report_believers.unwrap_or(*report);
                v.probabilities(
                    &format!("observe[{i}]"),
                    &[("report", *report), ("report_believers", believers)],
                );
                let delay = delay.unwrap_or(Duration::from_hours(6.0));
                sim.within(v, &at("delay"), delay);
                Window::Tipline {
                    report: *report,
                    report_believers: believers,
                    delay,
                    delay_dist: delay_dist.unwrap_or(DelayDist::Exponential),
                    camp: v.opt_camp(&at("camp"), camp.as_deref(), ctx.camps),
                }
            }
            ObserveConfig::Public { .. } => {
                if ctx.public.is_none() {
                    v.add(
                        &at("kind"),
                        "a `public` window counts the public layer's posts: add a [public] \
                         section"
                            .into(),
                    );
                }
                Window::Public
            }
        };
        let name = name.clone().unwrap_or_else(|| window.kind().to_string());
        if name.trim().is_empty() || name.contains(',') {
            v.add(
                &at("name"),
                format!("\"{name}\" cannot name a window: use text without commas"),
            );
        } else {
            v.label(&at("name"), &name);
        }
        let period = period.unwrap_or(Duration::from_hours(1.0));
        if period.minutes() < sim.step_minutes || period > sim.horizon {
            v.add(
                &at("period"),
                format!(
                    "{period} is out of range: allowed one step ({}) to the horizon ({})",
                    sim.step, sim.horizon
                ),
            );
        }
        let by = match by {
            Some(b) => {
                for (k, d) in b.iter().enumerate() {
                    sim.within(v, &format!("observe[{i}].by[{k}]"), *d);
                }
                if b.windows(2).any(|w| w[1] <= w[0]) {
                    v.add(&at("by"), "times must increase".into());
                }
                b.clone()
            }
            None => DEFAULT_BY_HOURS
                .iter()
                .map(|&h| Duration::from_hours(h))
                .filter(|d| *d <= sim.horizon)
                .collect(),
        };
        Observe {
            name,
            window,
            period,
            by,
        }
    }

    /// The entry as written, every default filled in.
    pub(super) fn to_config(&self, camps: &[Camp]) -> ObserveConfig {
        let (name, period, by) = (
            Some(self.name.clone()),
            Some(self.period),
            Some(self.by.clone()),
        );
        match &self.window {
            Window::Monitor {
                groups,
                kinds,
                camp,
                choose,
            } => ObserveConfig::Monitor {
                name,
                groups: *groups,
                chat_kinds: Some(kinds.clone()),
                camp: camp_name(*camp, camps),
                choose: Some(*choose),
                period,
                by,
            },
            Window::Tipline {
                report,
                report_believers,
                delay,
                delay_dist,
                camp,
            } => ObserveConfig::Tipline {
                name,
                report: *report,
                report_believers: Some(*report_believers),
                delay: Some(*delay),
                delay_dist: Some(*delay_dist),
                camp: camp_name(*camp, camps),
                period,
                by,
            },
            Window::Public => ObserveConfig::Public { name, period, by },
        }
    }
}

impl Scenario {
    /// The observation window named `name`, with its index.
    pub fn window(&self, name: &str) -> Option<(usize, &Observe)> {
        self.observe
            .iter()
            .enumerate()
            .find(|(_, o)| o.name == name)
    }

    /// Calendar time at `hours` after time zero, if the scenario has a `start`.
    pub fn calendar_at(&self, hours: f64) -> Option<Timestamp> {
        self.simulation.start.map(|s| s.plus_hours(hours))
    }
}

#[cfg(test)]
mod tests {
    use crate::error::ScenarioError;
    use crate::scenario::Scenario;

    fn errors(text: &str) -> String {
        match Scenario::from_toml_str(text, "t.toml") {
            Err(e @ ScenarioError::Invalid { .. }) => e.to_string(),
            other => panic!("expected violations, got {other:?}"),
        }
    }

    #[test]
    fn windows_take_defaults_and_round_trip() {
        let text = "[simulation]\nhorizon = \"2d\"\n\
                    [[observe]]\nkind = \"monitor\"\ngroups = 30\n\
                    [[observe]]\nkind = \"tipline\"\nreport = 0.01\n";
        let s = Scenario::from_toml_str(text, "t").unwrap();
        assert_eq!(s.observe.len(), 2);
        assert_eq!(s.observe[0].name, "monitor");
        assert_eq!(s.observe[1].name, "tipline");
        assert_eq!(s.observe[0].by.len(), 2, "72h is after the 2d horizon");
        let super::Window::Tipline {
            report_believers,
            delay,
            ..
        } = &s.observe[1].window
        else {
            panic!()
        };
        assert_eq!((*report_believers, delay.hours()), (0.01, 6.0));
        let again = toml::to_string(&s.to_config()).unwrap();
        assert_eq!(
            Scenario::from_toml_str(&again, "t").unwrap().observe,
            s.observe
        );
        assert!(s.window("tipline").is_some() && s.window("x").is_none());
    }

    #[test]
    fn bad_windows_are_reported_with_their_paths() {
        let e = errors(
            "[[observe]]\nkind = \"monitor\"\ngroups = 0\ncamp = \"nobody\"\n\
             [[observe]]\nkind = \"monitor\"\ngroups = 3\nperiod = \"1m\"\n\
             [[observe]]\nkind = \"tipline\"\nreport = 2\n\
             [[observe]]\nkind = \"public\"\nby = [\"2h\", \"1h\"]\n",
        );
        for part in [
            "observe[0].groups: must be >= 1",
            "observe[0].camp: \"nobody\" is not a camp",
            "observe[1].name: \"monitor\" already names observe[0]",
            "observe[1].period: 1m is out of range",
            "observe[2].report: 2 is out of range",
            "observe[3].kind: a `public` window counts the public layer's posts",
            "observe[3].by: times must increase",
        ] {
            assert!(e.contains(part), "{part}\n{e}");
        }
        let e = Scenario::from_toml_str("[[observe]]\nkind = \"radar\"\n", "t.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("radar"), "{e}");
    }

    #[test]
    fn a_start_time_sets_the_clock() {
        let s =
            Scenario::from_toml_str("[simulation]\nstart = \"2018-10-01T14:30\"\n", "t").unwrap();
        assert_eq!(s.simulation.start_hour, 14.5);
        assert_eq!(s.calendar_at(10.0).unwrap().to_string(), "2018-10-02T00:30");
        let e = errors("[simulation]\nstart = \"2018-10-01\"\nstart_hour = 3\n");
        assert!(e.contains("disagrees with `start`"), "{e}");
        let agree = "[simulation]\nstart = \"2018-10-01T03:00\"\nstart_hour = 3\n";
        assert!(Scenario::from_toml_str(agree, "t").is_ok());
        let plain = Scenario::from_toml_str("", "t").unwrap();
        assert_eq!(plain.simulation.start_hour, 8.0);
        assert!(plain.calendar_at(1.0).is_none());
    }
}
