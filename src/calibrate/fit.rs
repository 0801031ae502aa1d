//! A scenario calibrated to observed data, from the request to the files: the sampler
//! ([`super::run`]) on a [`ScenarioModel`], then, once it stops, the posterior
//! predictive and the nowcast ([`super::nowcast`]) and the charts ([`super::chart`]).
//! What `grapevine calibrate` runs.
//!
//! Files written besides the sampler's (`calibration.json`, `generations.csv`,
//! `generations/`, `posterior.csv`, `result.json`):
//!
//! | file | content |
//! | --- | --- |
//! | `predictive.csv` | per window with data and step: `window,step,hours,[time,]median,p5,p95` of the cumulative items seen, across posterior draws |
//! | `nowcast.csv` | per step: `step,hours,[time,]` then `<q>_median,<q>_p5,<q>_p95` for `reached`, `read`, `believers` and, with two or more camps, `reached_<camp>`, `believers_<camp>` |
//! | `nowcast.json` | the hidden quantities at the last observed time and at the horizon, the posterior's marginals, how many observed points the predictive 5-95% band holds |
//! | `plots/` | `generations`, `marginal-K`, `pair-I-J`, `predictive`, `nowcast` (PNG and SVG) |
//!
//! They are computed afresh whenever a calibration stops (also on a resume that finds
//! it stopped), from the posterior file, so they always describe what it holds.

use super::model::ScenarioModel;
use super::nowcast::{self, Predictive};
use super::prior::Parameter;
use super::{chart, Mode, Outcome, Progress, Report, Request, Settings};
use crate::error::CalibrationError;
use crate::metrics::bands::Band;
use crate::output::dir::write_atomic;
use crate::output::files::csv_field;
use crate::sweep::exec::Existing;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::AtomicBool;

/// The predictive bands of the windows.
pub const PREDICTIVE_CSV: &str = "predictive.csv";
/// The nowcast bands of the hidden quantities.
pub const NOWCAST_CSV: &str = "nowcast.csv";
/// The nowcast at the last observed time and at the horizon.
pub const NOWCAST_JSON: &str = "nowcast.json";
/// Files and folders written here (`--force` removes them with the sampler's).
pub const FIT_FILES: [&str; 4] = [PREDICTIVE_CSV, NOWCAST_CSV, NOWCAST_JSON, chart::PLOTS_DIR];

/// A calibration of a scenario to data.
#[derive(Clone, Debug)]
pub struct Fit<'a> {
    /// The scenario file (TOML) whose parameters are fitted; it must define the
    /// windows the data name.
    pub scenario: &'a Path,
    /// The observed data: a CSV of window counts (format in [`super::observed`]).
    pub data: &'a Path,
    /// Parameters (key paths as in sweeps) and priors.
    pub params: Vec<Parameter>,
    /// Sampler settings other than the parameters (whose list is replaced by `params`).
    pub settings: Settings,
    /// Most simulations the sampler may run, over all generations (see
    /// [`Request::budget`](super::Request::budget)); the predictive's draws are
    /// extra.
    pub budget: u64,
    /// Posterior draws simulated for the predictive and the nowcast.
    pub draws: u32,
    /// Output folder: the sampler's files and those of [`FIT_FILES`].
    pub out: &'a Path,
    /// Which part of the work this process does (whole, shard or merge).
    pub mode: Mode,
    /// What to do with a folder that already holds a calibration (whole runs only).
    pub existing: Existing,
    /// Simulations at once (memory is checked for this many).
    pub threads: usize,
    /// Set (by a signal handler) to stop: the particles found so far are kept.
    pub interrupt: Option<&'a AtomicBool>,
    /// Draw the charts.
    pub plots: bool,
}

/// The contents of `nowcast.json`.
#[derive(Clone, Debug, Serialize)]
pub struct NowcastFile {
    /// Posterior draws simulated for the bands.
    pub draws: u32,
    /// Hours from time zero to the last observed point of any window.
    pub last_observed_hours: f64,
    /// Calendar time of the last observation, with `simulation.start`.
    pub last_observed_time: Option<String>,
    /// Hours from time zero to the end of the simulation (`simulation.horizon`).
    pub horizon_hours: f64,
    /// Band across draws of each hidden quantity at the last observed time.
    pub at_last_observed: BTreeMap<String, Band>,
    /// The same at the horizon.
    pub at_horizon: BTreeMap<String, Band>,
    /// Share of the observed points inside the predictive 5-95% band of their window.
    pub data_inside_predictive_band: f64,
    /// Observed points (one per window and time) compared with the predictive band.
    pub observed_points: usize,
    /// Posterior summary of each parameter on its natural scale.
    pub parameters: Vec<super::Marginal>,
    /// `shared` (built once from the scenario's seed) or `per simulation`.
    pub population: &'static str,
}

/// What a fit did: the sampler's report and, once it stopped, the nowcast.
#[derive(Clone, Debug)]
pub struct FitReport {
    /// The sampler's generations and how its call ended.
    pub sampler: Report,
    /// The contents of `nowcast.json`; `None` unless the calibration has stopped.
    pub nowcast: Option<NowcastFile>,
    /// Where the time went.
    pub timing: Timing,
}

/// Where the time of a fit went (wall-clock seconds of this call; engine seconds are
/// summed over threads).
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Timing {
    /// The sampler, from start to stop (simulations, bookkeeping, files).
    pub sampler_wall: f64,
    /// Engine time of the sampler's simulations, over all threads.
    pub sampler_engine: f64,
    /// Simulations the sampler ran in this call.
    pub sampler_runs: u64,
    /// Predictive draws, charts and files.
    pub report_wall: f64,
    /// Threads the simulations ran on.
    pub threads: usize,
}

impl Timing {
    /// Share of the sampler's thread time spent in the engine: the rest is bookkeeping
    /// (scenarios built from parameter vectors, distances, proposals, weights, files)
    /// and threads idle at the end of a generation.
    pub fn engine_share(&self) -> f64 {
        self.sampler_engine / (self.sampler_wall * self.threads as f64)
    }
}

/// Runs (or continues, shards, merges) a calibration; `progress` hears the sampler.
pub fn fit(f: &Fit, progress: &(dyn Fn(Progress) + Sync)) -> Result<FitReport, CalibrationError> {
    let mut model = ScenarioModel::new(f.scenario, &f.params, f.data)?;
    let settings = Settings {
        parameters: f.params.clone(),
        ..f.settings.clone()
    };
    settings.check(f.budget)?;
    let problem = model.problem();
    if f.mode != Mode::Merge {
        model.prepare(f.threads)?;
    }
    if f.mode == Mode::Whole && f.existing == Existing::Restart {
        remove(f.out)?;
    }
    let request = Request {
        settings: &settings,
        problem: &problem,
        budget: f.budget,
        dir: f.out,
        mode: f.mode,
        existing: f.existing,
        interrupt: f.interrupt,
    };
    let started = std::time::Instant::now();
    let sampler = super::run(
        &request,
        |theta, seed| model.distance(theta, seed),
        progress,
    )?;
    let (engine, runs) = model.engine_time();
    let mut timing = Timing {
        sampler_wall: started.elapsed().as_secs_f64(),
        sampler_engine: engine,
        sampler_runs: runs,
        report_wall: 0.0,
        threads: f.threads,
    };
    let Outcome::Finished { posterior, .. } = &sampler.outcome else {
        return Ok(FitReport {
            sampler,
            nowcast: None,
            timing,
        });
    };
    let started = std::time::Instant::now();
    if f.mode == Mode::Merge {
        model.prepare(f.threads)?;
    }
    let predictive = nowcast::predict(&model, posterior, f.draws, settings.seed, f.interrupt)?;
    let now = nowcast_file(&model, &predictive, posterior, &settings);
    write_predictive(f.out, &model, &predictive)?;
    write_atomic(&f.out.join(NOWCAST_JSON), |w| {
        serde_json::to_writer_pretty(&mut *w, &now)?;
        writeln!(w)
    })?;
    if f.plots {
        chart::draw_all(
            f.out,
            model.scenario(),
            &settings.parameters,
            &sampler.generations,
            posterior,
            &predictive,
            model.data(),
        )?;
    }
    timing.report_wall = started.elapsed().as_secs_f64();
    Ok(FitReport {
        sampler,
        nowcast: Some(now),
        timing,
    })
}

/// Removes the files of a fit (not the sampler's: [`super::run`] clears those).
fn remove(dir: &Path) -> Result<(), CalibrationError> {
    for name in FIT_FILES {
        let p = dir.join(name);
        let r = if p.is_dir() {
            std::fs::remove_dir_all(&p)
        } else if p.exists() {
            std::fs::remove_file(&p)
        } else {
            Ok(())
        };
        r.map_err(|source| {
            CalibrationError::Output(crate::error::OutputError::Io { path: p, source })
        })?;
    }
    Ok(())
}

fn nowcast_file(
    model: &ScenarioModel,
    pred: &Predictive,
    posterior: &super::Population,
    settings: &Settings,
) -> NowcastFile {
    let scn = model.scenario();
    let step = scn.simulation.step_minutes;
    let last = model.data().last_hours();
    let horizon = scn.simulation.horizon.hours();
    let (inside, points) = pred.coverage(model);
    NowcastFile {
        draws: pred.draws,
        last_observed_hours: last,
        last_observed_time: scn.calendar_at(last).map(|t| t.to_string()),
        horizon_hours: horizon,
        at_last_observed: pred.hidden_at(last, step).into_iter().collect(),
        at_horizon: pred.hidden_at(horizon, step).into_iter().collect(),
        data_inside_predictive_band: inside,
        observed_points: points,
        parameters: posterior.marginals(&settings.parameters),
        population: if model.per_simulation_population() {
            "per simulation"
        } else {
            "shared"
        },
    }
}

/// Writes `predictive.csv` and `nowcast.csv`.
fn write_predictive(
    dir: &Path,
    model: &ScenarioModel,
    pred: &Predictive,
) -> Result<(), CalibrationError> {
    let scn = model.scenario();
    let calendar = scn.simulation.start.is_some();
    let time = |h: f64| {
        scn.calendar_at(h)
            .map(|t| format!("{t},"))
            .unwrap_or_default()
    };
    let time_col = if calendar { "time," } else { "" };
    write_atomic(&dir.join(PREDICTIVE_CSV), |w| {
        writeln!(w, "window,step,hours,{time_col}median,p5,p95")?;
        for c in &pred.windows {
            for (s, (b, h)) in c.bands.iter().zip(&pred.hours).enumerate() {
                writeln!(
                    w,
                    "{},{s},{h},{}{},{},{}",
                    csv_field(&c.name),
                    time(*h),
                    b.median,
                    b.p5,
                    b.p95
                )?;
            }
        }
        Ok(())
    })?;
    write_atomic(&dir.join(NOWCAST_CSV), |w| {
        let cols: Vec<String> = pred
            .hidden
            .iter()
            .flat_map(|c| {
                ["median", "p5", "p95"].map(|q| csv_field(&format!("{}_{q}", c.name)).into_owned())
            })
            .collect();
        writeln!(w, "step,hours,{time_col}{}", cols.join(","))?;
        for (s, h) in pred.hours.iter().enumerate() {
            let vals: Vec<String> = pred
                .hidden
                .iter()
                .flat_map(|c| {
                    let b = c.bands[s];
                    [b.median, b.p5, b.p95].map(|x| x.to_string())
                })
                .collect();
            writeln!(w, "{s},{h},{}{}", time(*h), vals.join(","))?;
        }
        Ok(())
    })?;
    Ok(())
}
