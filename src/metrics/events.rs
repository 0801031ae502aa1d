//! Events: things that happen in some runs and not in others (an outbreak at all, the
//! first public post, press pickup, a crisis, reach or belief above a threshold), each
//! a 0/1 outcome per run, and their probability across runs with a 95% interval.
//!
//! A run's outcomes are kept in its summary (`events`: the events of [`EVENTS`] and the
//! scenario's `[report] events` at the end of the run, then every event flag at every
//! report time, `press@48h`); sweeps write them as `runs.csv` columns. Across runs,
//! [`report`] gives each event's probability with Wilson's interval (and the exact
//! Clopper-Pearson one), and for events that have a time (the stages) the median time
//! over the runs where the event happened, with how many runs that was
//! ([`Conditional`]).

use super::at::{self, AtContext, NamedValues};
use super::probability::{Conditional, EventProbability, Interval, IntervalMethod, Level};
use super::summary::RunSummary;
use crate::record::RunOutput;
use crate::scenario::report::Report;
use serde::Serialize;

/// One built-in event.
#[derive(Clone, Copy, Debug)]
pub struct EventDef {
    /// Column name.
    pub name: &'static str,
    /// For tables and charts.
    pub label: &'static str,
    /// Exact definition (Markdown), for `docs/model.md`.
    pub meaning: &'static str,
    /// Only with a `[public]` section.
    pub public_only: bool,
    /// The figure that says when it happened, if it has one (a run's `hours_to_*`).
    pub hours: Option<&'static str>,
    /// Whether it happened in a run (`outbreak_users`: the outbreak threshold in users).
    pub outcome: fn(&RunSummary, f64) -> bool,
}

/// The built-in events, in column order.
pub const EVENTS: &[EventDef] = &[
    EventDef {
        name: "outbreak",
        label: "Outbreak",
        meaning: "final `reached` above the outbreak threshold (`[report] outbreak`, default 1% of users)",
        public_only: false,
        hours: None,
        outcome: |s, t| s.final_reach as f64 > t,
    },
    EventDef {
        name: "public",
        label: "Public post",
        meaning: "a public post was made (`hours_to_first_public_post` defined)",
        public_only: true,
        hours: Some("hours_to_first_public_post"),
        outcome: |s, _| s.hours_to_first_public_post.is_some(),
    },
    EventDef {
        name: "press",
        label: "Press pickup",
        meaning: "the press picked the story up (`hours_to_press` defined)",
        public_only: true,
        hours: Some("hours_to_press"),
        outcome: |s, _| s.hours_to_press.is_some(),
    },
    EventDef {
        name: "crisis",
        label: "Crisis",
        meaning: "a crisis was declared (`hours_to_crisis` defined)",
        public_only: true,
        hours: Some("hours_to_crisis"),
        outcome: |s, _| s.hours_to_crisis.is_some(),
    },
];

/// The event named `name` (without `@time`), if built in.
pub fn event(name: &str) -> Option<&'static EventDef> {
    EVENTS.iter().find(|e| e.name == name)
}

/// Fills a run summary's figures at report times (`at`) and its event outcomes
/// (`events`): the built-in events, the report's extra events on the last step, then
/// the flags at each report time.
pub fn add_report(s: &mut RunSummary, report: &Report, ctx: &AtContext, run: &RunOutput) {
    let threshold = report.outbreak.users(ctx.users);
    let mut events = NamedValues::default();
    for e in EVENTS.iter().filter(|e| ctx.public || !e.public_only) {
        events.push(e.name, f64::from(u8::from((e.outcome)(s, threshold))));
    }
    let last = run.records.last().copied().unwrap_or_default();
    for e in &report.events {
        let hit = e.condition.holds(&last, ctx.users);
        events.push(e.name.clone(), f64::from(u8::from(hit)));
    }
    let (shares, flags) = at::values(report, ctx, run);
    events.0.extend(flags.0);
    s.at = shares;
    s.events = events;
}

/// The names of the events at the end of a run that [`add_report`] gives, in order
/// (the flags at report times follow them).
pub fn final_names(report: &Report, ctx: &AtContext) -> Vec<String> {
    EVENTS
        .iter()
        .filter(|e| ctx.public || !e.public_only)
        .map(|e| e.name.to_string())
        .chain(report.events.iter().map(|e| e.name.clone()))
        .collect()
}

/// A figure over the runs where an event happened.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConditionalFigure {
    /// The figure, e.g. `hours_to_press`.
    pub figure: String,
    /// Its median over those runs, with their count.
    pub median: Conditional<f64>,
}

/// An event's probability across runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventReport {
    /// Column name, e.g. `press@48h`.
    pub name: String,
    /// Share of runs with the event and Wilson's 95% interval.
    pub probability: EventProbability,
    /// The exact (Clopper-Pearson) 95% interval.
    pub exact: Interval,
    /// When it happened, over the runs where it did (stages only).
    pub when: Option<ConditionalFigure>,
}

/// Every event of the runs (the names of the first run's `events`), with its
/// probability; runs without a value for an event are left out of its count. Empty for
/// no runs.
pub fn report(runs: &[RunSummary]) -> Vec<EventReport> {
    let Some(first) = runs.first() else {
        return Vec::new();
    };
    let level = Level::P95;
    first
        .events
        .names()
        .filter_map(|name| {
            let outcomes: Vec<bool> = runs
                .iter()
                .filter_map(|r| r.events.get(name).filter(|v| !v.is_nan()))
                .map(|v| v > 0.5)
                .collect();
            let p = super::probability::Proportion::of(outcomes).ok()?;
            let base = name.split('@').next().unwrap_or(name);
            let when = event(base).and_then(|e| e.hours).map(|figure| {
                let values = runs.iter().map(|r| {
                    let v = super::summary::figure_value(r, figure);
                    // By a report time: only the runs where it had happened by then.
                    let by_then = r.events.get(name).is_none_or(|x| x > 0.5);
                    (by_then && !v.is_nan()).then_some(v)
                });
                ConditionalFigure {
                    figure: figure.to_string(),
                    median: Conditional::median(values),
                }
            });
            Some(EventReport {
                name: name.to_string(),
                probability: p.probability(IntervalMethod::Wilson, level),
                exact: p.clopper_pearson(level),
                when,
            })
        })
        .collect()
}
