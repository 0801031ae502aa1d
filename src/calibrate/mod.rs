//! Calibration: approximate Bayesian computation by sequential Monte Carlo (ABC-SMC),
//! the posterior of a model's parameters given data the model can only be compared
//! with by simulating it.
//!
//! This part is generic: a model is a closure `simulate(theta, seed) -> distance`
//! (the distance between a simulation at the parameter vector `theta`, on the natural
//! scale, and the data), so the sampler is tested on toy models with known posteriors
//! ([`toy`]) and knows nothing of the engine.
//!
//! - [`prior`]: uniform and log-uniform priors, and the working scale they are uniform
//!   on;
//! - [`population`]: weighted particles, effective sample size, weighted quantiles;
//! - [`kernel`]: the component-wise Gaussian perturbation kernel of Beaumont et al.
//!   (2009);
//! - [`smc`]: settings, tolerance schedule, stopping rules, the search for one
//!   particle, importance weights;
//! - [`store`]: the calibration folder (generations written as they finish, particles
//!   as they are found), resume and shards;
//! - [`toy`]: the normal-mean model with its analytic posterior.
//!
//! [`run`] drives the sampler over a folder: it continues from whatever the folder
//! holds (finished generations, particles already found by this process or by shards),
//! computes the particles still missing in parallel (rayon), writes each finished
//! generation, and stops by the rules of [`smc`]. A particle is a function of (seed,
//! generation, particle index) and the previous generation alone, so the result is the
//! same for every thread count, after any interruption, and however a generation is
//! split into shards (particle index modulo N, [`Mode::Shard`]) and merged
//! ([`Mode::Merge`]). The library does not print: progress is reported through a
//! callback.

pub mod chart;
pub mod fit;
pub mod kernel;
pub mod model;
pub mod nowcast;
pub mod observed;
pub mod population;
pub mod prior;
pub mod smc;
pub mod store;
pub mod toy;

pub use population::{GenerationSummary, Marginal, Particle, Population};
pub use prior::{Parameter, Prior, Shape};
pub use smc::{Accepted, Settings, Stop};

use crate::error::CalibrationError;
use crate::output::dir::{check_destination, claim, lock, lock_shared, DirLock};
use crate::sweep::exec::{Existing, Shard};
use rayon::prelude::*;
use serde::Serialize;
use std::io::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use store::{CalibrationFile, ParticleRow};

/// Which part of the work this process does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Everything, generation after generation, until a stopping rule holds.
    Whole,
    /// The particles `i` with `i % N == I` of the next unfinished generation, into
    /// `DIR/shard-I-of-N/`; nothing else.
    Shard(Shard),
    /// Gathers the shards' particles of the next unfinished generation and finishes it
    /// (an error naming the missing particles if any is missing); then writes the
    /// result if a stopping rule holds. Computes nothing.
    Merge,
}

/// A calibration to run (or continue) in a folder.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// Sampler settings: parameters and priors, particles per generation, tolerance
    /// schedule, stopping rules and seed.
    pub settings: &'a Settings,
    /// What is fitted to what, as the caller describes it: stored in
    /// `calibration.json`, and a resume, shard or merge must match it.
    pub problem: &'a serde_json::Value,
    /// Most simulations in all (see [`smc`] for how it bounds a generation).
    pub budget: u64,
    /// The calibration folder (created if missing; a shard writes into a subfolder).
    pub dir: &'a Path,
    /// Which part of the work this process does.
    pub mode: Mode,
    /// What to do with a folder that already holds a calibration (whole runs only:
    /// shards and merges always continue it).
    pub existing: Existing,
    /// Set (by a signal handler) to stop: no new simulation starts, the particles found
    /// so far are kept, and [`run`] returns [`CalibrationError::Interrupted`].
    pub interrupt: Option<&'a AtomicBool>,
}

/// What the sampler is doing, for progress reports.
#[derive(Clone, Copy, Debug)]
pub enum Progress<'a> {
    /// A generation starts: `todo` particles to find, `done` already found.
    Generation {
        /// Generation number, from 0 (the prior sample).
        generation: u32,
        /// Its tolerance: a particle is accepted when its distance is at most this
        /// (infinite for generation 0).
        epsilon: f64,
        /// Particles still to find in this call.
        todo: u32,
        /// Particles already found (earlier calls, shards) and kept.
        done: u32,
    },
    /// One particle was found after `runs` simulations.
    Particle {
        /// The generation it belongs to.
        generation: u32,
        /// Simulations it took (proposals outside the prior not counted).
        runs: u32,
    },
    /// A generation finished.
    Finished(&'a GenerationSummary),
}

/// A generation abandoned because its simulations did not fit in the budget.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Abandoned {
    /// The generation that was abandoned (the last finished one is the posterior).
    pub generation: u32,
    /// Simulations that were left for it: it needed more.
    pub left: u64,
}

/// How a call to [`run`] ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The calibration stopped; `posterior` is its last finished generation.
    Finished {
        /// The stopping rule that held.
        stop: Stop,
        /// The last finished generation.
        posterior: Population,
        /// The generation started and abandoned for lack of budget, if any.
        abandoned: Option<Abandoned>,
    },
    /// A shard found its particles of `generation` (`found` in this call).
    ShardDone {
        /// The generation the shard worked on.
        generation: u32,
        /// Particles found in this call.
        found: u32,
    },
    /// A shard had nothing to do: the calibration has stopped.
    NothingToDo,
    /// A merge finished `generation`; more generations are due.
    Merged {
        /// The generation the merge finished.
        generation: u32,
    },
}

/// The result of [`run`]: every finished generation and how the call ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// Summaries of every finished generation, in order (from the folder and this call).
    pub generations: Vec<GenerationSummary>,
    /// How the call ended.
    pub outcome: Outcome,
}

/// The contents of `result.json`.
#[derive(Clone, Debug, Serialize)]
pub struct ResultFile<'a> {
    /// The stopping rule that held.
    pub stop: Stop,
    /// The stopping rule in words.
    pub stop_reason: String,
    /// Finished generations, the prior sample included.
    pub generations: usize,
    /// Particles per generation.
    pub particles: usize,
    /// Tolerance of the posterior (the last finished generation).
    pub epsilon: f64,
    /// Effective sample size of the posterior's weights, `1 / sum w_i^2` (1 to
    /// `particles`).
    pub ess: f64,
    /// Simulations of the finished generations (an abandoned generation's are not
    /// counted: how many ran depends on when it was abandoned).
    pub total_runs: u64,
    /// The generation abandoned for lack of budget, if any.
    pub abandoned: Option<Abandoned>,
    /// Posterior mean, sd, median and 90% credible interval per parameter.
    pub parameters: Vec<Marginal>,
    /// The rows of `generations.csv`, one per finished generation.
    pub generation_rows: &'a [GenerationSummary],
}

/// Runs (or continues) the calibration of `request` with the model `simulate`, which
/// returns the distance between a simulation at `theta` with `seed` and the data.
pub fn run<F, E>(
    request: &Request,
    simulate: F,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Report, CalibrationError>
where
    F: Fn(&[f64], u64) -> Result<f64, E> + Sync,
    E: std::fmt::Display,
{
    let settings = request.settings;
    settings.check(request.budget)?;
    let dir = request.dir;
    let _locks = prepare(request)?;
    let interrupted = || request.interrupt.is_some_and(|i| i.load(Ordering::Relaxed));
    let params = &settings.parameters;
    let n = settings.particles;
    let mut gens = load_generations(dir, settings)?;
    let mut summaries = summaries(&gens);
    loop {
        if let Some(stop) = smc::stop_rule(settings, &gens, request.budget) {
            return finish(request, gens, summaries, stop, None);
        }
        let t = gens.len() as u32;
        let epsilon = gens
            .last()
            .map_or(f64::INFINITY, |last| smc::next_epsilon(settings, last));
        let left = smc::remaining(&gens, request.budget);
        let abandoned = Abandoned {
            generation: t,
            left,
        };
        if store::abandoned_budget(dir, t)?.is_some_and(|b| b >= request.budget) {
            return finish(request, gens, summaries, Stop::Budget, Some(abandoned));
        }
        let proposer = smc::Proposer::new(settings, gens.last());
        let settled = settled(dir, settings, t)?;
        let shard = match request.mode {
            Mode::Shard(s) => Some(s),
            _ => None,
        };
        let todo: Vec<u32> = (0..n)
            .filter(|i| shard.is_none_or(|s| s.owns(*i as u64)) && !settled.contains_key(i))
            .collect();
        if request.mode == Mode::Merge && !todo.is_empty() {
            return Err(missing(t, &todo));
        }
        progress(Progress::Generation {
            generation: t,
            epsilon,
            todo: todo.len() as u32,
            done: settled.len() as u32,
        });
        // Simulations counted as they start, those of the particles already found
        // included: once the count passes what is left, the generation cannot fit.
        let counted: u64 = settled.values().map(|a| a.runs as u64).sum();
        let started = AtomicU64::new(counted);
        let over = AtomicBool::new(counted > left);
        if !todo.is_empty() && !over.load(Ordering::Relaxed) {
            let file = store::particles_file(dir, shard, t);
            let out = Mutex::new(store::open_particles(&file, params, n)?);
            let failed = AtomicBool::new(false);
            let may_simulate = || {
                if over.load(Ordering::Relaxed) || failed.load(Ordering::Relaxed) || interrupted() {
                    return false;
                }
                if started.fetch_add(1, Ordering::Relaxed) >= left {
                    over.store(true, Ordering::Relaxed);
                    return false;
                }
                true
            };
            todo.par_iter().try_for_each(|&i| {
                if over.load(Ordering::Relaxed) || failed.load(Ordering::Relaxed) || interrupted() {
                    return Ok(());
                }
                let found = proposer
                    .find(i, epsilon, &may_simulate, &simulate)
                    .inspect_err(|_| failed.store(true, Ordering::Relaxed))?;
                let Some(found) = found else {
                    return Ok(());
                };
                let runs = found.runs;
                let line = store::particles_line(&ParticleRow { particle: i, found });
                {
                    let mut f = out
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    f.write_all(line.as_bytes())
                        .and_then(|()| f.flush())
                        .map_err(|source| {
                            failed.store(true, Ordering::Relaxed);
                            CalibrationError::Output(crate::error::OutputError::Io {
                                path: file.clone(),
                                source,
                            })
                        })?;
                }
                progress(Progress::Particle {
                    generation: t,
                    runs,
                });
                Ok::<(), CalibrationError>(())
            })?;
        }
        if interrupted() {
            return Err(crate::error::Interrupted.into());
        }
        if over.load(Ordering::Relaxed) {
            let record = store::abandoned_file(dir, shard, t);
            ensure_dir(record.parent().unwrap_or(dir))?;
            store::write_abandoned(&record, t, request.budget)?;
            return finish(request, gens, summaries, Stop::Budget, Some(abandoned));
        }
        if shard.is_some() {
            return Ok(Report {
                generations: summaries,
                outcome: Outcome::ShardDone {
                    generation: t,
                    found: todo.len() as u32,
                },
            });
        }
        let found = settled_all(dir, settings, t)?;
        if found.iter().map(|a| a.runs as u64).sum::<u64>() > left {
            // Particles found by shards, or under a larger budget, may add up to more.
            return finish(request, gens, summaries, Stop::Budget, Some(abandoned));
        }
        let thetas: Vec<Vec<f64>> = found.iter().map(|a| a.theta.clone()).collect();
        let weights = proposer.weights(&thetas);
        let pop = Population {
            generation: t,
            epsilon,
            particles: found
                .into_iter()
                .zip(weights)
                .enumerate()
                .map(|(i, (a, weight))| Particle {
                    index: i as u32,
                    theta: a.theta,
                    weight,
                    distance: a.distance,
                    runs: a.runs,
                })
                .collect(),
        };
        let path = store::generation_file(dir, t);
        ensure_dir(&dir.join(store::GENERATIONS_DIR))?;
        store::write_population(&path, params, &pop)?;
        // Continue from the file, as a resumed calibration would.
        gens.push(store::read_population(&path, params, t, epsilon, n)?);
        summaries = self::summaries(&gens);
        store::write_generations(dir, &summaries)?;
        progress(Progress::Finished(summaries.last().expect("just pushed")));
        if request.mode == Mode::Merge {
            return match smc::stop_rule(settings, &gens, request.budget) {
                Some(stop) => finish(request, gens, summaries, stop, None),
                None => Ok(Report {
                    generations: summaries,
                    outcome: Outcome::Merged { generation: t },
                }),
            };
        }
    }
}

fn ensure_dir(dir: &Path) -> Result<(), CalibrationError> {
    std::fs::create_dir_all(dir).map_err(|source| {
        CalibrationError::Output(crate::error::OutputError::Io {
            path: dir.to_path_buf(),
            source,
        })
    })
}

/// Sets the folder up for the request and locks it: a whole run creates it (or resumes
/// it, or clears it) and a merge needs it, both holding its exclusive lock; a shard joins
/// it (creating it if it is the first), holding a shared lock on it and the exclusive
/// lock of its shard folder, so shards run at once but never beside a whole run or a
/// merge, and a shard never runs twice at once.
fn prepare(request: &Request) -> Result<Vec<DirLock>, CalibrationError> {
    let dir = request.dir;
    check_destination(dir)?;
    claim(dir)?;
    let mut locks = vec![match request.mode {
        Mode::Shard(_) => lock_shared(dir)?,
        Mode::Whole | Mode::Merge => lock(dir)?,
    }];
    let existing = CalibrationFile::read(dir)?;
    let fresh = CalibrationFile::new(request.settings, request.problem, request.budget);
    let mismatch = || CalibrationError::Mismatch {
        path: dir.to_path_buf(),
        what: "holds a different calibration (scenario, data, parameters, priors or \
               settings differ); use another --out, or --force to start over"
            .into(),
    };
    match (request.mode, existing) {
        (Mode::Merge, None) => {
            return Err(CalibrationError::Mismatch {
                path: dir.to_path_buf(),
                what: "holds no calibration to merge".into(),
            })
        }
        (Mode::Merge, Some(old)) => {
            if !old.same(request.settings, request.problem) {
                return Err(mismatch());
            }
            fresh.write(dir)?;
        }
        (Mode::Shard(_), Some(old)) => {
            if !old.same(request.settings, request.problem) {
                return Err(mismatch());
            }
        }
        (Mode::Shard(_) | Mode::Whole, None) => fresh.write(dir)?,
        (Mode::Whole, Some(old)) => match request.existing {
            Existing::Refuse => {
                return Err(CalibrationError::Exists {
                    path: dir.to_path_buf(),
                })
            }
            Existing::Resume => {
                if !old.same(request.settings, request.problem) {
                    return Err(mismatch());
                }
                fresh.write(dir)?;
            }
            Existing::Restart => {
                clear(dir)?;
                fresh.write(dir)?;
            }
        },
    }
    if let Mode::Shard(s) = request.mode {
        let folder = dir.join(s.folder_name());
        claim(&folder)?;
        locks.push(lock(&folder)?);
    }
    Ok(locks)
}

/// Removes a calibration's files and shard folders from `dir` (nothing else).
pub fn clear(dir: &Path) -> Result<(), CalibrationError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| CalibrationError::Output(crate::error::OutputError::Io { path, source })
    };
    let mut paths: Vec<std::path::PathBuf> =
        store::CORE_FILES.iter().map(|f| dir.join(f)).collect();
    paths.extend(
        store::shard_folders(dir)?
            .into_iter()
            .map(|s| dir.join(s.folder_name())),
    );
    for p in paths {
        if p.is_dir() {
            std::fs::remove_dir_all(&p).map_err(io(&p))?;
        } else if p.exists() {
            std::fs::remove_file(&p).map_err(io(&p))?;
        }
    }
    Ok(())
}

/// The finished generations in `dir`, in order (generation files 0, 1, ... up to the
/// first missing one).
pub fn load_generations(
    dir: &Path,
    settings: &Settings,
) -> Result<Vec<Population>, CalibrationError> {
    let mut gens: Vec<Population> = Vec::new();
    loop {
        let t = gens.len() as u32;
        let path = store::generation_file(dir, t);
        if !path.exists() {
            return Ok(gens);
        }
        let epsilon = gens
            .last()
            .map_or(f64::INFINITY, |last| smc::next_epsilon(settings, last));
        gens.push(store::read_population(
            &path,
            &settings.parameters,
            t,
            epsilon,
            settings.particles,
        )?);
    }
}

fn summaries(gens: &[Population]) -> Vec<GenerationSummary> {
    let mut total = 0;
    gens.iter()
        .map(|g| {
            let s = g.summary(total);
            total = s.total_runs;
            s
        })
        .collect()
}

/// Particles of generation `t` already found, by index.
fn settled(
    dir: &Path,
    settings: &Settings,
    t: u32,
) -> Result<std::collections::BTreeMap<u32, Accepted>, CalibrationError> {
    let rows = store::gather(dir, &settings.parameters, settings.particles, t)?;
    let mut out = std::collections::BTreeMap::new();
    for (i, rows) in rows {
        let found = store::settle(&rows).map_err(|reason| CalibrationError::Mismatch {
            path: dir.to_path_buf(),
            what: format!("generation {t}: {reason}"),
        })?;
        if let Some(f) = found {
            out.insert(i, f);
        }
    }
    Ok(out)
}

/// Every particle of generation `t`, in index order.
fn settled_all(dir: &Path, settings: &Settings, t: u32) -> Result<Vec<Accepted>, CalibrationError> {
    let mut found = settled(dir, settings, t)?;
    let todo: Vec<u32> = (0..settings.particles)
        .filter(|i| !found.contains_key(i))
        .collect();
    if !todo.is_empty() {
        return Err(missing(t, &todo));
    }
    Ok((0..settings.particles)
        .filter_map(|i| found.remove(&i))
        .collect())
}

fn missing(t: u32, todo: &[u32]) -> CalibrationError {
    let shown: Vec<String> = todo.iter().take(10).map(u32::to_string).collect();
    CalibrationError::Incomplete(format!(
        "generation {t}: {} particle{} missing from every shard ({}{}); run the missing \
         shards (or the whole calibration with --resume) first",
        todo.len(),
        if todo.len() == 1 { " is" } else { "s are" },
        shown.join(", "),
        if todo.len() > shown.len() {
            ", ..."
        } else {
            ""
        }
    ))
}

/// Writes `posterior.csv` and `result.json` for a calibration that stopped.
fn finish(
    request: &Request,
    gens: Vec<Population>,
    summaries: Vec<GenerationSummary>,
    stop: Stop,
    abandoned: Option<Abandoned>,
) -> Result<Report, CalibrationError> {
    if matches!(request.mode, Mode::Shard(_)) {
        return Ok(Report {
            generations: summaries,
            outcome: Outcome::NothingToDo,
        });
    }
    let dir = request.dir;
    let params = &request.settings.parameters;
    let posterior = gens
        .into_iter()
        .next_back()
        .ok_or_else(|| CalibrationError::Settings("no generation finished".into()))?;
    store::write_population(&dir.join(store::POSTERIOR_CSV), params, &posterior)?;
    let last = summaries.last().copied();
    let result = ResultFile {
        stop,
        stop_reason: stop.to_string(),
        generations: summaries.len(),
        particles: posterior.particles.len(),
        epsilon: posterior.epsilon,
        ess: posterior.ess(),
        total_runs: last.map_or(0, |s| s.total_runs),
        abandoned,
        parameters: posterior.marginals(params),
        generation_rows: &summaries,
    };
    crate::output::dir::write_atomic(&dir.join(store::RESULT_JSON), |w| {
        serde_json::to_writer_pretty(&mut *w, &result)?;
        writeln!(w)
    })?;
    Ok(Report {
        generations: summaries,
        outcome: Outcome::Finished {
            stop,
            posterior,
            abandoned,
        },
    })
}
