//! The result files of a scenario run: `timeseries.csv`, `bands.csv`,
//! `summary.json` and, on request, `cascade.csv`. Column names are stable; they come
//! from the tables in `metrics` (`timeseries`, `bands`, `summary::FIGURES`) that the
//! tables of `docs/model.md#metrics` are generated from. Numbers are plain (no
//! thousands separators), floats in their shortest round-trip form, so spreadsheets
//! and pandas read them as they are.

use super::dir::write_atomic;
use crate::error::OutputError;
use crate::metrics::bands::{step_bands, Band, BAND_COLUMNS};
use crate::metrics::summary::{aggregate, RunSummary};
use crate::metrics::timeseries::{belief_index, Value, CAMP_COLUMNS, TIMESERIES};
use crate::metrics::StepRecord;
use crate::population::{ImportReport, Population};
use crate::record::RunOutput;
use crate::scenario::Scenario;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Writes one row per replicate and step: the columns of [`TIMESERIES`], then, with
/// more than one camp, the [`CAMP_COLUMNS`] of each camp.
pub fn write_timeseries(
    path: &Path,
    scn: &Scenario,
    pop: &Population,
    runs: &[RunOutput],
) -> Result<(), OutputError> {
    let camps = if pop.camp_names.len() > 1 {
        pop.camp_names.as_slice()
    } else {
        &[]
    };
    write_atomic(path, |w| {
        let names: Vec<&str> = TIMESERIES.iter().map(|c| c.name).collect();
        write!(w, "{}", names.join(","))?;
        for camp in camps {
            for c in CAMP_COLUMNS {
                write!(w, ",{}", csv_field(&format!("{}_{camp}", c.prefix)))?;
            }
        }
        let start = scn.simulation.start;
        if start.is_some() {
            write!(w, ",{TIME_COLUMN}")?;
        }
        writeln!(w)?;
        for (rep, run) in runs.iter().enumerate() {
            for (i, r) in run.records.iter().enumerate() {
                for (k, c) in TIMESERIES.iter().enumerate() {
                    let sep = if k == 0 { "" } else { "," };
                    match c.value {
                        Value::Replicate => write!(w, "{sep}{rep}")?,
                        Value::Hours => write!(w, "{sep}{}", scn.hours_at(r.step))?,
                        Value::Count(f) => write!(w, "{sep}{}", f(r))?,
                        Value::BeliefIndex => {
                            write!(w, "{sep}{}", belief_index(r, scn.correction.residual))?
                        }
                    }
                }
                if let Some(per_camp) = run.camp_records.get(i).filter(|_| !camps.is_empty()) {
                    for counts in per_camp {
                        for c in CAMP_COLUMNS {
                            write!(w, ",{}", (c.value)(counts))?;
                        }
                    }
                }
                if let Some(t) = start {
                    write!(w, ",{}", t.plus_hours(scn.hours_at(r.step)))?;
                }
                writeln!(w)?;
            }
        }
        Ok(())
    })
}

/// Name of the calendar-time column that `timeseries.csv` and `bands.csv` end with when
/// the scenario has a `simulation.start`: the end of the step, `2018-10-01T08:10`.
pub const TIME_COLUMN: &str = "time";

/// Per-step bands across replicates, as written to `bands.csv`.
#[derive(Clone, Debug)]
pub struct BandTable {
    /// Hours at the end of each step.
    pub hours: Vec<f64>,
    /// Calendar time at the end of each step (`simulation.start`); empty without one.
    pub time: Vec<String>,
    /// `bands[step][column]` for [`BAND_COLUMNS`].
    pub bands: Vec<[Band; 3]>,
}

impl BandTable {
    /// Computes the table from the runs.
    pub fn new(scn: &Scenario, runs: &[RunOutput]) -> BandTable {
        let slices: Vec<&[StepRecord]> = runs.iter().map(|r| r.records.as_slice()).collect();
        let bands = step_bands(&slices);
        let hours: Vec<f64> = (0..bands.len() as u32).map(|s| scn.hours_at(s)).collect();
        BandTable {
            time: match scn.simulation.start {
                Some(t) => hours.iter().map(|h| t.plus_hours(*h).to_string()).collect(),
                None => Vec::new(),
            },
            hours,
            bands,
        }
    }
}

/// The header of `bands.csv`: `step`, `hours`, then `<column>_median`, `_p5` and
/// `_p95` of each of [`BAND_COLUMNS`].
pub fn bands_header() -> String {
    let mut h = String::from("step,hours");
    for c in BAND_COLUMNS {
        h.push_str(&format!(",{c}_median,{c}_p5,{c}_p95"));
    }
    h
}

/// Writes `bands.csv`: one row per step with the columns of [`bands_header`].
pub fn write_bands(path: &Path, table: &BandTable) -> Result<(), OutputError> {
    write_atomic(path, |w| {
        let timed = !table.time.is_empty();
        write!(w, "{}", bands_header())?;
        if timed {
            write!(w, ",{TIME_COLUMN}")?;
        }
        writeln!(w)?;
        for (s, row) in table.bands.iter().enumerate() {
            write!(w, "{s},{}", table.hours[s])?;
            for b in row {
                write!(w, ",{},{},{}", b.median, b.p5, b.p95)?;
            }
            if let Some(t) = table.time.get(s).filter(|_| timed) {
                write!(w, ",{t}")?;
            }
            writeln!(w)?;
        }
        Ok(())
    })
}

/// The contents of `summary.json`.
#[derive(Serialize)]
pub struct SummaryFile<'a> {
    /// The version that wrote the file (results of another version may differ).
    pub grapevine_version: &'static str,
    /// The scenario's name.
    pub scenario_name: &'a str,
    /// Master seed.
    pub seed: u64,
    /// Number of replicates.
    pub replicates: usize,
    /// Users in the population.
    pub users: u64,
    /// Chats in the population.
    pub chats: u64,
    /// Chat memberships in the population.
    pub memberships: u64,
    /// What an imported population's files held; `None` when generated.
    pub import: Option<&'a ImportReport>,
    /// Median, p5 and p95 across replicates of every per-run figure, and of every
    /// figure at a report time (`reach_share@48h`).
    pub aggregate: BTreeMap<String, Band>,
    /// The report times as resolved (hours, step, calendar time) and the outbreak
    /// threshold.
    pub report: ReportSummary,
    /// Probability of every event across replicates, with 95% intervals.
    pub events: Vec<crate::metrics::events::EventReport>,
    /// Probability and median time of each spill-over stage (public, press, crisis).
    pub stages: BTreeMap<&'static str, crate::metrics::summary::StageOdds>,
    /// Whether the public cascade is sub- or super-critical (branching ratio < or > 1).
    pub public_cascade: Option<&'static str>,
    /// The figures of each replicate, in replicate order.
    pub runs: &'a [RunSummary],
    /// Each observation window across replicates (absent without `[[observe]]`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub observation: Vec<crate::metrics::observation::WindowAggregate>,
    /// The scenario with every default filled in.
    pub scenario: crate::scenario::ScenarioConfig,
}

/// The band across runs of every figure at a report time.
fn aggregate_at(runs: &[RunSummary]) -> Vec<(String, Band)> {
    let Some(first) = runs.first() else {
        return Vec::new();
    };
    first
        .at
        .names()
        .map(|n| {
            let b = Band::of(runs.iter().map(|r| r.at.get(n).unwrap_or(f64::NAN)));
            (n.to_string(), b)
        })
        .collect()
}

/// One report time as resolved, in `summary.json`.
#[derive(Clone, Debug, Serialize)]
pub struct TimeSummary {
    /// As in column names: `48h`, `election-day`.
    pub id: String,
    /// For tables: `48 h`, `Election day`.
    pub label: String,
    /// The time asked for, in hours since time zero.
    pub hours: f64,
    /// The step whose end it is read at.
    pub step: u32,
    /// Hours at the end of that step (the `hours` of its `timeseries.csv` row).
    pub step_end_hours: f64,
    /// The calendar time asked for, with `simulation.start`.
    pub time: Option<String>,
}

/// The `report` entry of `summary.json`.
#[derive(Clone, Debug, Serialize)]
pub struct ReportSummary {
    /// Calendar time of time zero (`simulation.start`), if given.
    pub start: Option<String>,
    /// The times figures are read at.
    pub times: Vec<TimeSummary>,
    /// Reach from which a run counts as an outbreak, e.g. `1%`.
    pub outbreak: String,
}

impl ReportSummary {
    /// The report of a scenario.
    pub fn new(scn: &Scenario) -> ReportSummary {
        ReportSummary {
            start: scn.simulation.start.map(|t| t.to_string()),
            times: scn
                .report
                .times
                .iter()
                .map(|t| TimeSummary {
                    id: t.id.clone(),
                    label: t.label.clone(),
                    hours: t.hours,
                    step: t.step,
                    step_end_hours: scn.hours_at(t.step),
                    time: scn.time_at(t.hours).map(|x| x.to_string()),
                })
                .collect(),
            outbreak: scn.report.outbreak.describe(),
        }
    }
}

/// Writes `summary.json`.
pub fn write_summary(
    path: &Path,
    scn: &Scenario,
    pop: &Population,
    summaries: &[RunSummary],
) -> Result<(), OutputError> {
    let file = SummaryFile {
        grapevine_version: env!("CARGO_PKG_VERSION"),
        scenario_name: &scn.name,
        seed: scn.simulation.seed,
        replicates: summaries.len(),
        users: pop.n_users() as u64,
        chats: pop.n_chats() as u64,
        memberships: pop.n_memberships() as u64,
        import: pop.import_report.as_ref(),
        aggregate: aggregate(summaries)
            .into_iter()
            .map(|(k, b)| (k.to_string(), b))
            .chain(aggregate_at(summaries))
            .collect(),
        report: ReportSummary::new(scn),
        events: crate::metrics::events::report(summaries),
        stages: crate::metrics::summary::stage_odds(summaries)
            .into_iter()
            .collect(),
        public_cascade: scn.public.as_ref().map(|p| p.criticality()),
        runs: summaries,
        observation: crate::metrics::observation::aggregate(
            &summaries
                .iter()
                .map(|s| s.observed.as_slice())
                .collect::<Vec<_>>(),
        ),
        scenario: scn.to_config(),
    };
    write_atomic(path, |w| {
        serde_json::to_writer_pretty(&mut *w, &file)?;
        writeln!(w)
    })
}

/// Writes `cascade.csv`: one row per user reached, in reach order: replicate, user,
/// parent, hops, step, chat (the reach tree), then `shared` (1 if the user posted the
/// rumor) and `source_parent` (the sender of the copy they forwarded: the sharers'
/// tree), with imported ids where the population has them. A missing parent, chat or
/// source parent (seeds, non-sharers, originals) is written `-1` when the ids are whole
/// numbers (generated populations, imported ones with numeric ids), so the columns load
/// as integers; empty when they are text labels.
pub fn write_cascade(path: &Path, pop: &Population, runs: &[RunOutput]) -> Result<(), OutputError> {
    let whole = |labels: &Option<Vec<String>>| {
        labels
            .as_ref()
            .is_none_or(|l| l.iter().all(|x| x.parse::<i64>().is_ok()))
    };
    let none_user = if whole(&pop.user_labels) { "-1" } else { "" };
    let none_chat = if whole(&pop.chat_labels) { "-1" } else { "" };
    write_atomic(path, |w| {
        writeln!(
            w,
            "replicate,user,parent,hops,step,chat,shared,source_parent"
        )?;
        for (rep, run) in runs.iter().enumerate() {
            let sharers: std::collections::HashMap<u32, Option<u32>> =
                run.sharers.iter().map(|e| (e.user, e.parent)).collect();
            for e in &run.cascade {
                let parent = e
                    .parent
                    .map_or_else(|| none_user.to_string(), |p| pop.user_label(p));
                let chat = e
                    .chat
                    .map_or_else(|| none_chat.to_string(), |c| pop.chat_label(c));
                let shared = sharers.get(&e.user);
                let source = shared
                    .copied()
                    .flatten()
                    .map_or_else(|| none_user.to_string(), |p| pop.user_label(p));
                writeln!(
                    w,
                    "{rep},{},{},{},{},{},{},{}",
                    csv_field(&pop.user_label(e.user)),
                    csv_field(&parent),
                    e.hops,
                    e.step,
                    csv_field(&chat),
                    shared.is_some() as u8,
                    csv_field(&source)
                )?;
            }
        }
        Ok(())
    })
}

/// Quotes a field if it contains a comma, quote or line break.
pub fn csv_field(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\"")).into()
    } else {
        s.into()
    }
}
