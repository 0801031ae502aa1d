//! Figures at chosen times (`[report] at`, `--at 48h,election-day`): reach, belief, per
//! camp, correction reach and the spill-over stages reached, read from a run's
//! per-step records at the end of the step that contains each time
//! ([`crate::scenario::report::ReportTime`]), so every value equals what
//! `timeseries.csv` holds at that step.
//!
//! Columns are named `<figure>@<time>`: `reach_share@48h`,
//! `believers_share_left@election-day`, `press@6d`. `@` is kept in CSV headers as
//! it is (pandas and spreadsheets read it; in pandas, `df["reach_share@48h"]`).
//!
//! The figures are declared once, in [`AT_FIGURES`] and [`CAMP_AT_FIGURES`], from which
//! the table in `docs/model.md#figures-at-times` is generated: a new per-step column
//! joins with one entry there. Figures of kind [`AtKind::Flag`] are events (0 or 1 per
//! run) and are kept with the run's other events ([`super::events`]).

use super::{CampCounts, StepRecord};
use crate::record::{RunOutput, Stages};
use crate::scenario::report::{Report, ReportTime};
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What a figure at a time holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AtKind {
    /// A share of users (of the camp, for camp figures), from 0 to 1.
    Share,
    /// 0 or 1: whether something had happened by then (an event).
    Flag,
}

/// What a figure at a time is computed from: the run up to the step of the time.
#[derive(Clone, Copy, Debug)]
pub struct AtInput<'a> {
    /// The record of the step (the row of `timeseries.csv`).
    pub record: &'a StepRecord,
    /// The records of every step up to and including it.
    pub records: &'a [StepRecord],
    /// When the spill-over stages were first reached in the run.
    pub stages: &'a Stages,
    /// The step.
    pub step: u32,
    /// Users in the population.
    pub users: u64,
    /// Users reached from which a run is an outbreak (`[report] outbreak`).
    pub outbreak_users: f64,
}

impl AtInput<'_> {
    fn share(&self, x: u64) -> f64 {
        if self.users > 0 {
            x as f64 / self.users as f64
        } else {
            0.0
        }
    }

    fn by_now(&self, stage: Option<u32>) -> f64 {
        f64::from(u8::from(stage.is_some_and(|s| s <= self.step)))
    }
}

/// One figure read at each report time.
#[derive(Clone, Copy, Debug)]
pub struct AtFigure {
    /// Name before `@<time>`.
    pub name: &'static str,
    /// Share or flag.
    pub kind: AtKind,
    /// Exact definition (Markdown), for `docs/model.md`.
    pub meaning: &'static str,
    /// Only with a `[public]` section.
    pub public_only: bool,
    /// Its value.
    pub value: fn(&AtInput) -> f64,
}

/// The figures read at every report time, in column order.
pub const AT_FIGURES: &[AtFigure] = &[
    AtFigure {
        name: "reach_share",
        kind: AtKind::Share,
        meaning: "`reached / N` at the step",
        public_only: false,
        value: |i| i.share(i.record.reached),
    },
    AtFigure {
        name: "believers_share",
        kind: AtKind::Share,
        meaning: "`believers / N` at the step",
        public_only: false,
        value: |i| i.share(i.record.believers),
    },
    AtFigure {
        name: "correction_reach_share",
        kind: AtKind::Share,
        meaning: "`correction_reached / N` at the step",
        public_only: false,
        value: |i| i.share(i.record.correction_reached),
    },
    AtFigure {
        name: "outbreak",
        kind: AtKind::Flag,
        meaning: "1 if `reached` exceeds the outbreak threshold (`[report] outbreak`, default 1% of users) at the step",
        public_only: false,
        value: |i| f64::from(u8::from(i.record.reached as f64 > i.outbreak_users)),
    },
    AtFigure {
        name: "public",
        kind: AtKind::Flag,
        meaning: "1 if the first public post was made in this step or before",
        public_only: true,
        value: |i| i.by_now(i.stages.first_public_post),
    },
    AtFigure {
        name: "press",
        kind: AtKind::Flag,
        meaning: "1 if the press picked the story up in this step or before",
        public_only: true,
        value: |i| i.by_now(i.stages.press),
    },
    AtFigure {
        name: "crisis",
        kind: AtKind::Flag,
        meaning: "1 if a crisis was declared in this step or before",
        public_only: true,
        value: |i| i.by_now(i.stages.crisis),
    },
];

/// One figure read per camp (with two or more camps), named `<prefix>_<camp>@<time>`.
#[derive(Clone, Copy, Debug)]
pub struct CampAtFigure {
    /// Name before `_<camp>@<time>`.
    pub prefix: &'static str,
    /// Exact definition (Markdown).
    pub meaning: &'static str,
    /// Its value from the camp's counts and size.
    pub value: fn(&CampCounts, u64) -> f64,
}

/// The per-camp figures read at every report time, after [`AT_FIGURES`].
pub const CAMP_AT_FIGURES: &[CampAtFigure] = &[
    CampAtFigure {
        prefix: "reach_share",
        meaning: "`reached_<camp>` / users of the camp, at the step",
        value: |c, n| camp_share(c.reached, n),
    },
    CampAtFigure {
        prefix: "believers_share",
        meaning: "`believers_<camp>` / users of the camp, at the step",
        value: |c, n| camp_share(c.believers, n),
    },
];

fn camp_share(x: u64, n: u64) -> f64 {
    if n > 0 {
        x as f64 / n as f64
    } else {
        0.0
    }
}

/// `name@time`.
pub fn at_name(name: &str, time: &ReportTime) -> String {
    format!("{name}@{}", time.id)
}

/// Values with names, in a fixed order; written to JSON as an object (NaN as `null`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NamedValues(pub Vec<(String, f64)>);

impl NamedValues {
    /// True when there are no values.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value named `name`.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }

    /// Adds a value at the end.
    pub fn push(&mut self, name: impl Into<String>, value: f64) {
        self.0.push((name.into(), value));
    }

    /// The names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(n, _)| n.as_str())
    }
}

impl Serialize for NamedValues {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, &(!v.is_nan()).then_some(*v))?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for NamedValues {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = NamedValues;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of numbers")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<NamedValues, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = a.next_entry::<String, Option<f64>>()? {
                    out.push((k, v.unwrap_or(f64::NAN)));
                }
                Ok(NamedValues(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// The population facts the figures need.
#[derive(Clone, Copy, Debug)]
pub struct AtContext<'a> {
    /// Users in the population.
    pub users: u64,
    /// (name, users) of each camp; camp figures only with two or more.
    pub camps: &'a [(String, u64)],
    /// Whether the scenario has a public layer (stage flags only then).
    pub public: bool,
}

/// Figures at every report time: the shares (`at`) and the flags, including the
/// report's extra events at each time (`events`), each in column order.
pub fn values(report: &Report, ctx: &AtContext, run: &RunOutput) -> (NamedValues, NamedValues) {
    let mut shares = NamedValues::default();
    let mut flags = NamedValues::default();
    let outbreak_users = report.outbreak.users(ctx.users);
    for t in &report.times {
        // An early stop leaves no record past the last step: the state then holds.
        let Some(last) = run.records.len().checked_sub(1) else {
            continue;
        };
        let i = (t.step as usize).min(last);
        let input = AtInput {
            record: &run.records[i],
            records: &run.records[..=i],
            stages: &run.stages,
            step: t.step,
            users: ctx.users,
            outbreak_users,
        };
        for f in AT_FIGURES.iter().filter(|f| ctx.public || !f.public_only) {
            let v = (f.value)(&input);
            match f.kind {
                AtKind::Share => shares.push(at_name(f.name, t), v),
                AtKind::Flag => flags.push(at_name(f.name, t), v),
            }
        }
        if ctx.camps.len() > 1 {
            let counts = run.camp_records.get(i);
            for f in CAMP_AT_FIGURES {
                for (c, (camp, n)) in ctx.camps.iter().enumerate() {
                    let v = counts
                        .and_then(|cs| cs.get(c))
                        .map_or(f64::NAN, |cc| (f.value)(cc, *n));
                    shares.push(at_name(&format!("{}_{camp}", f.prefix), t), v);
                }
            }
        }
        for e in &report.events {
            let hit = e.condition.holds(input.record, ctx.users);
            flags.push(at_name(&e.name, t), f64::from(u8::from(hit)));
        }
    }
    (shares, flags)
}

/// The names [`values`] gives, in order: (shares, flags).
pub fn names(report: &Report, ctx: &AtContext) -> (Vec<String>, Vec<String>) {
    let run = RunOutput {
        records: vec![StepRecord::default()],
        camp_records: vec![vec![CampCounts::default(); ctx.camps.len()]],
        ..Default::default()
    };
    let (s, f) = values(report, ctx, &run);
    (
        s.names().map(String::from).collect(),
        f.names().map(String::from).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    #[test]
    fn values_are_read_at_the_step_of_each_time() {
        let scn = Scenario::from_toml_str(
            "[simulation]\nhorizon = \"4h\"\nstep = \"1h\"\n[report]\nat = [\"2h\", \"150m\"]\n\
             events = [\"believers > 3\"]\n",
            "t",
        )
        .unwrap();
        let rec = |step: u32, reached: u64, believers: u64| StepRecord {
            step,
            reached,
            believers,
            ..Default::default()
        };
        let run = RunOutput {
            records: vec![rec(0, 1, 1), rec(1, 5, 2), rec(2, 9, 4), rec(3, 10, 4)],
            stages: Stages {
                press: Some(2),
                ..Default::default()
            },
            ..Default::default()
        };
        let ctx = AtContext {
            users: 100,
            camps: &[],
            public: true,
        };
        let (s, f) = values(&scn.report, &ctx, &run);
        // 2h is the end of step 1; 150m lies in step 2.
        assert_eq!(s.get("reach_share@2h"), Some(0.05));
        assert_eq!(s.get("reach_share@150m"), Some(0.09));
        assert_eq!(s.get("believers_share@150m"), Some(0.04));
        assert_eq!(f.get("outbreak@2h"), Some(1.0));
        assert_eq!(f.get("press@2h"), Some(0.0));
        assert_eq!(f.get("press@150m"), Some(1.0));
        assert_eq!(f.get("believers_above_3@2h"), Some(0.0));
        assert_eq!(f.get("believers_above_3@150m"), Some(1.0));
        let (sn, fnames) = names(&scn.report, &ctx);
        assert_eq!(sn, s.names().collect::<Vec<_>>());
        assert_eq!(fnames, f.names().collect::<Vec<_>>());
        let json = serde_json::to_string(&s).unwrap();
        let back: NamedValues = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
    }
}
