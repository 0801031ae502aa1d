//! The command-line interface: flags, help text, progress bars and the short reports
//! printed at the end. It only wires library calls together; every model decision
//! lives in the library.

use crate::error::human_bytes;
use crate::output::{charts, dir, files};
use crate::population::generate;
use crate::scenario::Scenario;
use crate::simulation;
use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Prints a line on stdout; a closed pipe (`grapevine check x | head`) is not an error.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// Grapevine: simulate how misinformation travels through closed messaging groups.
#[derive(Parser, Debug)]
#[command(name = "grapevine", version, about, long_about = None, after_help = "\
Examples:
  grapevine run scenarios/baseline.toml           results in output/baseline/
  grapevine check scenarios/baseline.toml         validate, print sizes and memory
  grapevine run my.toml --replicates 100 --seed 7 --out results/my-run

Scenario reference: docs/scenario.md")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a scenario: time series, bands, summary and charts in output/<name>/.
    Run(RunArgs),
    /// Validate a scenario and print the population size and memory estimate.
    Check(CheckArgs),
    /// Check the engine against theory (percolation, SIR, Maki-Thompson, trees);
    /// exit code 1 if any case fails.
    Validate(ValidateArgs),
}

#[derive(Args, Debug)]
struct ValidateArgs {
    /// Small sizes (seconds instead of minutes); what `cargo test` runs.
    #[arg(long)]
    quick: bool,
    /// Also write the table as CSV to this file.
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    #[command(flatten)]
    exec: ExecArgs,
}

/// Options shared by commands that execute simulations.
#[derive(Args, Debug, Clone)]
pub struct ExecArgs {
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, short = 'j', value_name = "T")]
    pub threads: Option<usize>,
    /// No progress bar and no report on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Args, Debug)]
struct RunArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
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
    #[command(flatten)]
    exec: ExecArgs,
}

#[derive(Args, Debug)]
struct CheckArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// Threads assumed for the memory estimate (default: all cores).
    #[arg(long, short = 'j', value_name = "T")]
    threads: Option<usize>,
}

/// Entry point used by `main.rs`.
pub fn main() -> Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(a) => run(a),
        Command::Check(a) => check(a),
        Command::Validate(a) => validate(a),
    }
}

/// Sets up the global thread pool; returns the thread count in use.
pub fn init_threads(threads: Option<usize>) -> Result<usize> {
    let n = threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    anyhow::ensure!(
        (1..=1024).contains(&n),
        "--threads {n} is out of range: allowed 1 to 1024"
    );
    // Fails only if already initialised (tests calling twice): keep the existing pool.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build_global();
    Ok(rayon::current_num_threads())
}

/// A progress bar on stderr, hidden when stderr is not a terminal or when quiet.
pub fn progress(total: u64, quiet: bool, what: &str) -> ProgressBar {
    let target = if quiet {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr_with_hz(4)
    };
    let pb = ProgressBar::with_draw_target(Some(total), target);
    let style = ProgressStyle::with_template(
        "{msg:>12} [{bar:40}] {percent:>3}% {pos}/{len} ({per_sec}, eta {eta})",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    pb.set_style(style);
    pb.set_message(what.to_string());
    pb
}

/// Loads a scenario file with the CLI's overrides applied.
pub fn load_scenario(path: &Path, seed: Option<u64>, replicates: Option<u32>) -> Result<Scenario> {
    let mut scn = Scenario::load(path)?;
    if seed.is_some() || replicates.is_some() {
        let mut cfg = scn.config.clone();
        if let Some(s) = seed {
            cfg.simulation.seed = s;
        }
        if let Some(r) = replicates {
            cfg.simulation.replicates = r;
        }
        let name = scn.name.clone();
        scn = Scenario::check(cfg, scn.path.clone(), &name)?;
    }
    Ok(scn)
}

fn run(a: RunArgs) -> Result<ExitCode> {
    let scn = load_scenario(&a.scenario, a.seed, a.replicates)?;
    let out = a
        .out
        .unwrap_or_else(|| PathBuf::from("output").join(&scn.name));
    dir::check_destination(&out)?;
    let threads = init_threads(a.exec.threads)?;
    let quiet = a.exec.quiet;
    if !scn.is_imported() {
        simulation::check_capacity(&simulation::estimate_memory(&scn, threads, None))?;
    }
    let started = std::time::Instant::now();
    let pop = simulation::build_population(&scn)?;
    simulation::check_against_population(&scn, &pop)?;
    if scn.is_imported() {
        simulation::check_capacity(&simulation::estimate_memory(&scn, threads, Some(&pop)))?;
    }
    if !quiet {
        eprintln!(
            "population: {} users, {} chats, {} memberships ({:.1} s)",
            pop.n_users(),
            pop.n_chats(),
            pop.n_memberships(),
            started.elapsed().as_secs_f64()
        );
        if let Some(r) = &pop.import_report {
            eprintln!(
                "import: {} rows read, {} self-loops and {} duplicates dropped",
                r.rows_read, r.self_loops_dropped, r.duplicates_dropped
            );
        }
    }
    let reps = scn.config.simulation.replicates;
    let pb = progress(reps as u64 * scn.steps as u64, quiet, "simulating");
    let results = simulation::simulate(&pop, &scn, reps, threads, &|| pb.inc(1));
    pb.finish_and_clear();

    let staging = dir::Staging::new(&out)?;
    let d = staging.path();
    files::write_timeseries(&d.join("timeseries.csv"), &scn, &results.runs)?;
    let table = files::BandTable::new(&scn, &results.runs);
    files::write_bands(&d.join("bands.csv"), &table)?;
    files::write_summary(&d.join("summary.json"), &scn, &pop, &results.summaries)?;
    if a.cascade {
        files::write_cascade(&d.join("cascade.csv"), &pop, &results.runs)?;
    }
    charts::virality_chart(d, &scn, &table, pop.n_users() as u64, results.runs.len())?;
    let out = staging
        .commit()
        .with_context(|| format!("saving results to {}", out.display()))?;

    if !quiet {
        let agg = crate::metrics::summary::aggregate(&results.summaries);
        let get = |k: &str| {
            agg.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, b)| *b)
                .unwrap_or_default()
        };
        let reach = get("final_reach_share");
        let bel = get("final_believers_share");
        let t50 = get("hours_to_50pct");
        eprintln!(
            "final reach {:.1}% (5-95%: {:.1}-{:.1}%), believers {:.1}%, hours to 50% of reach {:.1}  [{} replicates, {:.1} s]",
            100.0 * reach.median,
            100.0 * reach.p5,
            100.0 * reach.p95,
            100.0 * bel.median,
            t50.median,
            reps,
            started.elapsed().as_secs_f64()
        );
    }
    say!("{}", out.display());
    Ok(ExitCode::SUCCESS)
}

fn check(a: CheckArgs) -> Result<ExitCode> {
    let scn = load_scenario(&a.scenario, None, None)?;
    let threads = a.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    say!("scenario {}: OK", scn.name);
    say!(
        "  {} steps of {} min ({} h), {} replicates, seed {}",
        scn.steps,
        scn.step_minutes,
        scn.config.simulation.horizon.hours(),
        scn.config.simulation.replicates,
        scn.config.simulation.seed
    );
    let est = if scn.is_imported() {
        let pop = simulation::build_population(&scn)?;
        simulation::estimate_memory(&scn, threads, Some(&pop))
    } else {
        let e = generate::estimate(&scn);
        say!(
            "  generated population (expected): {} users, {} chats, {} memberships",
            e.users,
            e.chats,
            e.memberships
        );
        simulation::estimate_memory(&scn, threads, None)
    };
    say!("  memory: {est}");
    if let Some(avail) = simulation::available_memory() {
        say!("  available: {}", human_bytes(avail));
    }
    simulation::check_capacity(&est)?;
    Ok(ExitCode::SUCCESS)
}

fn validate(a: ValidateArgs) -> Result<ExitCode> {
    let threads = init_threads(a.exec.threads)?;
    let sizes = if a.quick {
        crate::validation::Sizes::QUICK
    } else {
        crate::validation::Sizes::FULL
    };
    let quiet = a.exec.quiet;
    let started = std::time::Instant::now();
    let rows = crate::validation::run_suite(&sizes, threads, &|family| {
        if !quiet {
            eprintln!("[{:>6.1} s] {family}", started.elapsed().as_secs_f64());
        }
    });
    say!("{}", crate::validation::format_table(&rows));
    if let Some(path) = &a.csv {
        dir::write_atomic(path, |w| {
            let mut c = csv::Writer::from_writer(w);
            for r in &rows {
                c.serialize(r)?;
            }
            c.flush()
        })?;
    }
    let failed = rows.iter().filter(|r| r.pass == Some(false)).count();
    let judged = rows.iter().filter(|r| r.pass.is_some()).count();
    say!(
        "{} passed, {} failed ({:.1} s, {} threads)",
        judged - failed,
        failed,
        started.elapsed().as_secs_f64(),
        threads
    );
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
