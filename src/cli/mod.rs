//! The command-line interface: flags, help text, progress bars and the short reports
//! printed at the end. It only wires library calls together; every model decision
//! lives in the library. One file per command.

mod calibrate;
mod check;
mod compare;
mod generate;
mod report;
mod run;
mod sweep;
mod validate;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use grapevine::scenario::Scenario;

/// Prints a line on stdout; a closed pipe (`grapevine check x | head`) is not an error.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// Prints a line on stderr; a closed pipe (`grapevine run x 2>&1 | head -1`) is not
/// an error, and never a panic as with `eprintln!`.
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

pub(crate) use note;
pub(crate) use say;

/// Reports a finished swap of a result folder: a warning if the old results could not
/// be removed (the new ones are saved: not an error, exit code 0).
pub(crate) fn report_saved(done: &grapevine::output::dir::Committed) {
    if let Some((old, e)) = &done.old_copy_left {
        note!(
            "warning: results saved in {}, but the old copy could not be removed: {}: {e}; \
             delete it by hand",
            done.path.display(),
            old.display()
        );
    }
}

/// Prints what was recovered from interrupted runs.
pub(crate) fn report_notes(notes: &[String]) {
    for n in notes {
        note!("note: {n}");
    }
}

/// Grapevine: simulate how misinformation travels through closed messaging groups.
#[derive(Parser, Debug)]
#[command(name = "grapevine", version, about, long_about = None, after_help = "\
Examples:
  grapevine run scenarios/baseline.toml           results in output/baseline/
  grapevine check scenarios/baseline.toml         validate, print sizes and memory
  grapevine run my.toml --replicates 100 --seed 7 --out results/my-run
  grapevine sweep scenarios/sweeps/forward-limit-vs-fact-check.toml

Scenario reference: docs/scenario.md; sweeps: docs/sweeps.md; calibration:
docs/calibration.md")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a scenario: time series, bands, summary and charts in output/<name>/.
    Run(run::RunArgs),
    /// Validate a scenario and print the population size and memory estimate.
    Check(check::CheckArgs),
    /// Run (or reuse) several scenarios and compare them with the first: table,
    /// comparison.csv and an overlay chart.
    Compare(compare::CompareArgs),
    /// Write the scenario's generated population as CSV tables (members, chats, users)
    /// that a scenario can import back.
    Generate(generate::GenerateArgs),
    /// Check the engine against theory (percolation, SIR, Maki-Thompson, trees);
    /// exit code 1 if any case fails.
    Validate(validate::ValidateArgs),
    /// Run a parameter sweep: runs.csv (one row per run), points.csv, sweep.json, charts.
    Sweep(sweep::SweepArgs),
    /// Merge the folders of a sharded sweep into the files an unsharded sweep writes;
    /// exit code 1 if runs are missing or conflict.
    Merge(sweep::MergeArgs),
    /// Chart a figure of a sweep against a parameter, or a heatmap over two.
    Plot(sweep::PlotArgs),
    /// Fit a scenario's parameters to what its observation windows saw (ABC-SMC):
    /// posterior, predictive and nowcast; resumable, shardable (docs/calibration.md).
    Calibrate(calibrate::CalibrateArgs),
    /// Analyse a sweep with design = "morris" or "sobol": sensitivity.csv and tornado
    /// charts (done at the end of such a sweep or merge; this redoes it).
    Sensitivity(sweep::SensitivityArgs),
    /// Turn a result folder (run, comparison, sweep, sensitivity analysis,
    /// calibration) into one self-contained HTML report: summary in words, charts,
    /// tables, scenario, limits and provenance; readable offline, printable on A4.
    Report(report::ReportArgs),
}

#[derive(Args, Debug, Clone)]
pub struct ExecArgs {
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, short = 'j', value_name = "T")]
    pub threads: Option<usize>,
    /// No progress bar and no report on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Ctrl-C (SIGINT) and SIGTERM: the first one sets `stop`, and records its number in
/// `which`; long work checks `stop` between replicates (between runs in a sweep),
/// removes its staging folder and ends with exit code 128 + the number (130, 143). A
/// second one stops the process at once (what a killed process leaves is cleaned by
/// the next run).
struct Signals {
    stop: Arc<AtomicBool>,
    which: Arc<AtomicUsize>,
}

static SIGNALS: OnceLock<Signals> = OnceLock::new();

fn signals() -> &'static Signals {
    SIGNALS.get_or_init(|| {
        let s = Signals {
            stop: Arc::new(AtomicBool::new(false)),
            which: Arc::new(AtomicUsize::new(0)),
        };
        #[cfg(unix)]
        {
            use signal_hook::consts::{SIGINT, SIGTERM, SIGXFSZ};
            use signal_hook::flag;
            for sig in [SIGINT, SIGTERM] {
                // Registered first, so it sees the flag as the previous signal left it.
                let _ = flag::register_conditional_default(sig, Arc::clone(&s.stop));
                let _ = flag::register_usize(sig, Arc::clone(&s.which), sig as usize);
                let _ = flag::register(sig, Arc::clone(&s.stop));
            }
            // Over a file-size limit, let the write fail (and the staging folder be
            // removed) instead of being killed by the signal.
            let _ = flag::register(SIGXFSZ, Arc::new(AtomicBool::new(false)));
        }
        s
    })
}

/// The flag Ctrl-C and SIGTERM set.
pub(crate) fn stop_flag() -> &'static AtomicBool {
    &signals().stop
}

/// The exit code of a command that failed after Ctrl-C or SIGTERM: 128 + the signal
/// number (130, 143); `None` if no such signal came.
pub fn signal_exit_code() -> Option<u8> {
    let sig = SIGNALS.get()?.which.load(Ordering::Relaxed);
    (sig != 0).then(|| 128u8.saturating_add(sig as u8))
}

/// Entry point used by `main.rs`.
pub fn main() -> Result<ExitCode> {
    let cli = Cli::parse();
    signals();
    match cli.command {
        Command::Run(a) => run::run(a),
        Command::Check(a) => check::check(a),
        Command::Compare(a) => compare::compare(a),
        Command::Validate(a) => validate::validate(a),
        Command::Generate(a) => generate::generate(a),
        Command::Sweep(a) => sweep::sweep(a),
        Command::Merge(a) => sweep::merge(a),
        Command::Plot(a) => sweep::plot(a),
        Command::Calibrate(a) => calibrate::calibrate(a),
        Command::Sensitivity(a) => sweep::sensitivity(a),
        Command::Report(a) => report::report(a),
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
    load_scenario_at(path, seed, replicates, None)
}

/// As [`load_scenario`], with `--at` replacing the scenario's `[report] at`.
pub fn load_scenario_at(
    path: &Path,
    seed: Option<u64>,
    replicates: Option<u32>,
    at: Option<&[String]>,
) -> Result<Scenario> {
    Ok(Scenario::load_adjusted(path, |cfg| {
        if let Some(s) = seed {
            cfg.simulation.seed = s;
        }
        if let Some(r) = replicates {
            cfg.simulation.replicates = r;
        }
        if let Some(at) = at {
            cfg.report.at = at.to_vec();
        }
    })?)
}

/// `--at 24h,48h,election-day`: times (durations or marker ids) at which figures are
/// read; replaces the scenario's `[report] at`.
#[derive(Args, Debug, Clone, Default)]
pub struct AtArgs {
    /// Also report figures at these times: durations ("48h", "2d") or marker ids
    /// ("election-day"), comma-separated; replaces the scenario's [report] at.
    #[arg(long, value_name = "TIMES", value_delimiter = ',')]
    pub at: Option<Vec<String>>,
}
