//! `grapevine run`: one scenario, all replicates, all result files; or one run of a
//! sweep alone (`--from-sweep DIR --run ID`), with the scenario and seed it had there.
//! Its core, [`execute`], is shared with `grapevine compare`, which runs each scenario
//! the same way.

use super::{init_threads, note, progress, report_notes, report_saved, say, ExecArgs};
use anyhow::{Context, Result};
use clap::Args;
use grapevine::error::PrepareError;
use grapevine::metrics::summary::RunSummary;
use grapevine::output::{self, dir};
use grapevine::population::Population;
use grapevine::scenario::Scenario;
use grapevine::simulation;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Scenario file (TOML).
    #[arg(required_unless_present = "from_sweep")]
    scenario: Option<PathBuf>,
    /// Re-run one run of a sweep alone: the sweep folder (with sweep.json).
    #[arg(long, value_name = "DIR", requires = "run", conflicts_with_all = ["scenario", "seed", "replicates", "at"])]
    from_sweep: Option<PathBuf>,
    /// The run id to re-run from --from-sweep, e.g. p00012-r0003.
    #[arg(long, value_name = "ID", requires = "from_sweep")]
    run: Option<String>,
    /// Output folder [default: output/<scenario name>].
    #[arg(long, short = 'o', value_name = "DIR")]
    out: Option<PathBuf>,
    /// Override simulation.seed.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Override simulation.replicates.
    #[arg(long, short = 'r', value_name = "R")]
    replicates: Option<u32>,
    /// Also write cascade.csv (who first reached whom, at which hop, step and chat).
    #[arg(long)]
    cascade: bool,
    /// Also write report.html in the output folder: a self-contained HTML report of the
    /// results (as `grapevine report DIR` writes).
    #[arg(long)]
    report: bool,
    #[command(flatten)]
    at: super::AtArgs,
    #[command(flatten)]
    exec: ExecArgs,
}

pub fn run(a: RunArgs) -> Result<ExitCode> {
    let (scn, default_out, source) = match (&a.scenario, &a.from_sweep, &a.run) {
        (_, Some(dir), Some(id)) => {
            let file = grapevine::sweep::SweepFile::read(dir)?;
            let index = file.sweep.run_index(id)?;
            let scn = file
                .run_scenario(index)
                .with_context(|| format!("rebuilding run {id} of {}", dir.display()))?;
            let out = format!("{}-{}", file.sweep.name, file.sweep.run_id(index));
            let source = file.origin.base_scenario.clone();
            (scn, PathBuf::from("output").join(out), source)
        }
        // clap does not enforce `requires` here: say it rather than ignore --run.
        (_, None, Some(id)) => {
            anyhow::bail!("--run {id} needs --from-sweep DIR, the folder of the sweep")
        }
        (Some(path), _, _) => {
            let scn = super::load_scenario_at(path, a.seed, a.replicates, a.at.at.as_deref())?;
            let out = PathBuf::from("output").join(&scn.name);
            (scn, out, path.clone())
        }
        _ => anyhow::bail!("give a scenario file, or --from-sweep DIR --run ID"),
    };
    let out = a.out.unwrap_or(default_out);
    let threads = init_threads(a.exec.threads)?;
    let quiet = a.exec.quiet;
    let started = std::time::Instant::now();
    let reps = scn.simulation.replicates;
    let (out, summaries) = execute(
        &scn,
        &source,
        &out,
        &Execute {
            threads,
            quiet,
            cascade: a.cascade,
            label: "simulating",
        },
    )?;

    if !quiet {
        let agg = grapevine::metrics::summary::aggregate(&summaries);
        let get = |k: &str| {
            agg.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, b)| *b)
                .unwrap_or_default()
        };
        let reach = get("final_reach_share");
        let bel = get("final_believers_share");
        let t50 = get("hours_to_50pct");
        note!(
            "final reach {:.1}% (5-95%: {:.1}-{:.1}%), believers {:.1}%, hours to 50% of reach {:.1}  [{} replicates, {:.1} s]",
            100.0 * reach.median,
            100.0 * reach.p5,
            100.0 * reach.p95,
            100.0 * bel.median,
            t50.median,
            reps,
            started.elapsed().as_secs_f64()
        );
        for line in report_lines(&scn, &summaries) {
            note!("{line}");
        }
    }
    if a.report {
        let path = super::report::write(&out, None)?;
        if !quiet {
            note!("report: {}", path.display());
        }
    }
    say!("{}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// The figures at report times and the event probabilities of a finished run, one
/// line each, for the report printed after a run.
fn report_lines(scn: &Scenario, summaries: &[RunSummary]) -> Vec<String> {
    use grapevine::metrics::{bands::Band, events, labels::label};
    let mut out = Vec::new();
    let report = Some(&scn.report);
    for t in &scn.report.times {
        let cell = |base: &str| {
            let name = format!("{base}@{}", t.id);
            let b = Band::of(
                summaries
                    .iter()
                    .map(|s| s.at.get(&name).unwrap_or(f64::NAN)),
            );
            format!(
                "{:.1}% (5-95%: {:.1}-{:.1}%)",
                100.0 * b.median,
                100.0 * b.p5,
                100.0 * b.p95
            )
        };
        out.push(format!(
            "by {}: reach {}, believers {}",
            t.label,
            cell("reach_share"),
            cell("believers_share")
        ));
    }
    for e in events::report(summaries) {
        let mut line = format!("P({}) = {}", label(&e.name, report).what, e.probability);
        if let Some(w) = e.when.as_ref().filter(|_| !e.name.contains('@')) {
            line.push_str(&format!("; {}", w.median.describe("median", " h", 1)));
        }
        out.push(line);
    }
    out
}

/// How [`execute`] runs a scenario.
pub(super) struct Execute<'a> {
    pub threads: usize,
    pub quiet: bool,
    /// Also write `cascade.csv`.
    pub cascade: bool,
    /// Progress bar label.
    pub label: &'a str,
}

/// The destination folder, staged now so an unwritable one is found before any work,
/// and the population (see [`simulation::prepare`]). `file` names the scenario in
/// messages about its size.
pub(super) fn prepare(
    scn: &Scenario,
    file: &Path,
    out: &Path,
    threads: usize,
) -> Result<(dir::Staging, Population)> {
    let staging =
        dir::Staging::new(out).with_context(|| format!("output folder {}", out.display()))?;
    report_notes(staging.notes());
    let pop = simulation::prepare(scn, threads).map_err(|e| match e {
        PrepareError::Capacity(e) => {
            anyhow::Error::new(e).context(format!("scenario {}", file.display()))
        }
        other => other.into(),
    })?;
    Ok((staging, pop))
}

/// Everything `grapevine run` does once the scenario is loaded: prepares the folder
/// and the population, runs every replicate and writes the result folder `out`
/// (staged, swapped in only when complete). Returns the folder and the per-run
/// summaries.
pub(super) fn execute(
    scn: &Scenario,
    file: &Path,
    out: &Path,
    how: &Execute,
) -> Result<(PathBuf, Vec<RunSummary>)> {
    let (threads, quiet) = (how.threads, how.quiet);
    let started = std::time::Instant::now();
    let (staging, pop) = prepare(scn, file, out, threads)?;
    let built = started.elapsed();
    for w in simulation::warnings(&pop) {
        note!("warning: {w}");
    }
    if !quiet {
        note!(
            "population: {} users, {} chats, {} memberships ({:.1} s)",
            pop.n_users(),
            pop.n_chats(),
            pop.n_memberships(),
            built.as_secs_f64()
        );
        if let Some(r) = &pop.import_report {
            note!(
                "import: {} rows read, {} self-loops and {} duplicates dropped",
                r.rows_read,
                r.self_loops_dropped,
                r.duplicates_dropped
            );
        }
    }
    let reps = scn.simulation.replicates;
    let pb = progress(reps as u64 * scn.simulation.steps as u64, quiet, how.label);
    let results = simulation::simulate_keeping(
        &pop,
        scn,
        reps,
        threads,
        how.cascade,
        &|| pb.inc(1),
        super::stop_flag(),
    );
    pb.finish_and_clear();
    if results.runs.len() < reps as usize {
        // Dropping the staging folder removes it; the old results stay as they were.
        return Err(anyhow::Error::new(grapevine::error::Interrupted)
            .context(format!("nothing was saved: {} is unchanged", out.display())));
    }
    let simulated = started.elapsed();
    output::write_run_folder(staging.path(), scn, &pop, &results, how.cascade)?;
    let done = staging
        .commit()
        .with_context(|| format!("saving results to {}", out.display()))?;
    report_saved(&done);
    let out = done.path;
    if !quiet {
        let done = started.elapsed();
        note!(
            "time: population {:.2} s, simulation {:.2} s, output {:.2} s",
            built.as_secs_f64(),
            (simulated - built).as_secs_f64(),
            (done - simulated).as_secs_f64()
        );
    }
    Ok((out, results.summaries))
}
