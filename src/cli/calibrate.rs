//! `grapevine calibrate`: fit a scenario's parameters to what its observation windows
//! saw, by ABC-SMC. Flags, the Slurm environment, the progress bar and the report live
//! here; everything else is in [`grapevine::calibrate`].

use super::{init_threads, note, progress, say, ExecArgs};
use anyhow::{Context, Result};
use clap::Args;
use grapevine::calibrate::fit::{self, Fit};
use grapevine::calibrate::{Mode, Outcome, Parameter, Progress, Settings};
use grapevine::error::CalibrationError;
use grapevine::sweep::exec::{Existing, Shard};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct CalibrateArgs {
    /// Scenario with [[observe]] windows (its values are the fixed ones).
    scenario: PathBuf,
    /// Observed data: CSV with hours (or time), window, count (or cumulative).
    #[arg(long, value_name = "OBSERVED.csv")]
    data: PathBuf,
    /// A parameter to fit and its prior: PATH=LOW..HIGH (uniform) or
    /// PATH=LOW..HIGH:log (log-uniform); paths as in sweeps. Repeat for each.
    #[arg(long, value_name = "PATH=LOW..HIGH[:log]", required = true)]
    fit: Vec<String>,
    /// Most simulations in all (a generation that does not fit is abandoned).
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    budget: u64,
    /// Particles per generation.
    #[arg(long, default_value_t = 200, value_name = "N")]
    particles: u32,
    /// Master seed of the calibration.
    #[arg(long, default_value_t = 1, value_name = "S")]
    seed: u64,
    /// Most generations, the prior sample included.
    #[arg(long, default_value_t = 20, value_name = "G")]
    generations: u32,
    /// Quantile of the last distances that becomes the next tolerance.
    #[arg(long, default_value_t = 0.5, value_name = "A")]
    alpha: f64,
    /// Stop once the tolerance is this small.
    #[arg(long, default_value_t = 0.0, value_name = "E")]
    min_epsilon: f64,
    /// Stop once a generation accepts fewer than this share of its simulations.
    #[arg(long, default_value_t = 0.01, value_name = "R")]
    min_acceptance: f64,
    /// Posterior draws simulated for the predictive and the nowcast.
    #[arg(long, default_value_t = 100, value_name = "N")]
    draws: u32,
    /// Output folder [default: output/<scenario name>-calibration].
    #[arg(long, short = 'o', value_name = "DIR")]
    out: Option<PathBuf>,
    /// Continue a stopped calibration (also with a larger --budget).
    #[arg(long)]
    resume: bool,
    /// Delete the calibration in the output folder and start over.
    #[arg(long, conflicts_with = "resume")]
    force: bool,
    /// Compute only the particles i with i % N == I of the next generation, into
    /// <out>/shard-I-of-N [default: from SLURM_ARRAY_TASK_ID, _COUNT and _MIN if set].
    #[arg(long, value_name = "I/N", conflicts_with_all = ["force", "merge"])]
    shard: Option<String>,
    /// Gather the shards' particles of the next generation and finish it (exit 1 if
    /// some are missing); writes the results once the calibration stops.
    #[arg(long, conflicts_with = "force")]
    merge: bool,
    /// Do not draw the charts.
    #[arg(long)]
    no_plots: bool,
    /// Also write report.html in the output folder once the calibration has stopped:
    /// a self-contained HTML report (as `grapevine report DIR` writes).
    #[arg(long, conflicts_with = "shard")]
    report: bool,
    #[command(flatten)]
    exec: ExecArgs,
}

fn shard(flag: Option<&str>) -> Result<Option<Shard>> {
    if let Some(s) = flag {
        return Ok(Some(Shard::parse(s)?));
    }
    let var = |k: &str| std::env::var(k).ok();
    Ok(Shard::from_slurm(
        var("SLURM_ARRAY_TASK_ID").as_deref(),
        var("SLURM_ARRAY_TASK_COUNT").as_deref(),
        var("SLURM_ARRAY_TASK_MIN").as_deref(),
        var("SLURM_ARRAY_TASK_STEP").as_deref(),
    )?)
}

pub fn calibrate(a: CalibrateArgs) -> Result<ExitCode> {
    let params = a
        .fit
        .iter()
        .map(|f| Parameter::parse(f))
        .collect::<Result<Vec<_>, _>>()?;
    let scn = grapevine::scenario::Scenario::load(&a.scenario)?;
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(format!("{}-calibration", scn.name)));
    let shard = if a.merge {
        None
    } else {
        shard(a.shard.as_deref())?
    };
    let mode = match (shard, a.merge) {
        (Some(s), _) => Mode::Shard(s),
        (None, true) => Mode::Merge,
        (None, false) => Mode::Whole,
    };
    let existing = match (a.resume, a.force) {
        (true, _) => Existing::Resume,
        (_, true) => Existing::Restart,
        _ => Existing::Refuse,
    };
    let threads = init_threads(a.exec.threads)?;
    let quiet = a.exec.quiet;
    let mut settings = Settings::new(params.clone(), a.particles, a.seed);
    settings.alpha = a.alpha;
    settings.min_epsilon = a.min_epsilon;
    settings.min_acceptance = a.min_acceptance;
    settings.max_generations = a.generations;
    let request = Fit {
        scenario: &a.scenario,
        data: &a.data,
        params,
        settings,
        budget: a.budget,
        draws: a.draws,
        out: &out,
        mode,
        existing,
        threads,
        interrupt: Some(super::stop_flag()),
        plots: !a.no_plots,
    };
    if !quiet {
        note!(
            "calibrating {} to {}: {} parameter{}, {} particles, budget {} simulations, {} threads{}",
            a.scenario.display(),
            a.data.display(),
            request.params.len(),
            if request.params.len() == 1 { "" } else { "s" },
            a.particles,
            a.budget,
            threads,
            match mode {
                Mode::Shard(s) => format!(" (shard {}/{})", s.index, s.count),
                Mode::Merge => " (merge)".into(),
                Mode::Whole => String::new(),
            }
        );
    }
    let pb = progress(a.particles as u64, quiet, "generation 0");
    let started = std::time::Instant::now();
    let on_progress = |p: Progress| match p {
        Progress::Generation {
            generation,
            epsilon,
            todo,
            done,
        } => {
            pb.set_message(format!("generation {generation}"));
            pb.set_length((todo + done) as u64);
            pb.set_position(done as u64);
            pb.reset_eta();
            if !quiet && epsilon.is_finite() {
                pb.println(format!("generation {generation}: tolerance {epsilon:.4}"));
            }
        }
        Progress::Particle { .. } => pb.inc(1),
        Progress::Finished(g) => {
            if !quiet {
                pb.println(format!(
                    "generation {} done: acceptance {:.1}%, ESS {:.0}, {} runs ({} in all)",
                    g.generation,
                    100.0 * g.acceptance_rate,
                    g.ess,
                    g.runs,
                    g.total_runs
                ));
            }
        }
    };
    let result = fit::fit(&request, &on_progress);
    pb.finish_and_clear();
    let report = match result {
        Err(CalibrationError::Incomplete(message)) => {
            note!("{message}");
            return Ok(ExitCode::from(1));
        }
        other => {
            other.with_context(|| format!("calibration results so far are in {}", out.display()))?
        }
    };
    let elapsed = started.elapsed().as_secs_f64();
    let t = report.timing;
    if !quiet && t.sampler_runs > 0 {
        note!(
            "time: sampler {:.1} s for {} simulations ({:.2} per second), {:.0}% of its \
             thread time in the engine; predictive, nowcast and charts {:.1} s",
            t.sampler_wall,
            t.sampler_runs,
            t.sampler_runs as f64 / t.sampler_wall,
            100.0 * t.engine_share(),
            t.report_wall
        );
    }
    match &report.sampler.outcome {
        Outcome::ShardDone { generation, found } => {
            if !quiet {
                note!("shard done: {found} particles of generation {generation} in {elapsed:.1} s");
            }
        }
        Outcome::NothingToDo => {
            if !quiet {
                note!(
                    "nothing to do: the calibration in {} has stopped",
                    out.display()
                );
            }
        }
        Outcome::Merged { generation } => {
            if !quiet {
                note!(
                    "merged generation {generation}; run the shards of generation {} next",
                    generation + 1
                );
            }
        }
        Outcome::Finished {
            stop,
            posterior,
            abandoned,
        } => {
            let total = report
                .sampler
                .generations
                .last()
                .map_or(0, |g| g.total_runs);
            say!(
                "stopped: {stop}{}; {} generations, {} simulations, tolerance {:.4}, ESS {:.0}",
                abandoned
                    .map(|a| format!(
                        " (generation {} needed more than the {} simulations left)",
                        a.generation, a.left
                    ))
                    .unwrap_or_default(),
                report.sampler.generations.len(),
                total,
                posterior.epsilon,
                posterior.ess()
            );
            say!("posterior (mean, 90% credible interval):");
            for m in posterior.marginals(&request.settings.parameters) {
                say!("  {} = {:.4} [{:.4}, {:.4}]", m.name, m.mean, m.q05, m.q95);
            }
            if let Some(now) = &report.nowcast {
                say!(
                    "nowcast at the last observation ({} h{}), median [5%, 95%] over {} draws:",
                    now.last_observed_hours,
                    now.last_observed_time
                        .as_ref()
                        .map(|t| format!(", {t}"))
                        .unwrap_or_default(),
                    now.draws
                );
                for (q, b) in &now.at_last_observed {
                    say!("  {q} = {:.0} [{:.0}, {:.0}]", b.median, b.p5, b.p95);
                }
                say!(
                    "observed points inside the predictive 5-95% band: {:.0}% of {}",
                    100.0 * now.data_inside_predictive_band,
                    now.observed_points
                );
            }
            if a.report {
                let path = super::report::write(&out, None)?;
                if !quiet {
                    note!("report: {}", path.display());
                }
            }
            if !quiet {
                note!("results in {} ({elapsed:.1} s this call)", out.display());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
