//! `grapevine sweep`, `grapevine merge` and `grapevine plot`: parameter sweeps from
//! the command line. Flags, the Slurm environment, the progress bar and the final
//! report live here; everything else is in [`grapevine::sweep`].

use super::{init_threads, note, progress, say, ExecArgs};
use anyhow::{Context, Result};
use clap::Args;
use grapevine::error::human_bytes;
use grapevine::simulation;
use grapevine::sweep::{self, aggregate, chart, exec, merge, SweepFile};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct SweepArgs {
    /// Sweep file (TOML): base scenario, parameters, design, replicates, seed.
    sweep: PathBuf,
    /// Output folder [default: output/<sweep name>]; a shard writes into
    /// <out>/shard-I-of-N.
    #[arg(long, short = 'o', value_name = "DIR")]
    out: Option<PathBuf>,
    /// Continue a stopped sweep: keep the finished runs, run the others.
    #[arg(long)]
    resume: bool,
    /// Delete the sweep already in the output folder and start over.
    #[arg(long, conflicts_with = "resume")]
    force: bool,
    /// Run only shard I of N (runs whose index k has k % N == I) [default: from
    /// SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT and SLURM_ARRAY_TASK_MIN if set].
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// Also keep every run's time series in series/<run>.csv.
    #[arg(long)]
    keep_series: bool,
    /// Do not draw the charts at the end.
    #[arg(long)]
    no_plots: bool,
    /// Check the sweep file and every point's scenario, print the sweep's size, and
    /// run nothing.
    #[arg(long)]
    check: bool,
    #[command(flatten)]
    exec: ExecArgs,
}

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Sweep folders to merge (usually the shard-I-of-N folders of one sweep).
    #[arg(required = true, value_name = "DIR")]
    dirs: Vec<PathBuf>,
    /// Output folder [default: the folder that holds the inputs, if they share one].
    #[arg(long, short = 'o', value_name = "DIR")]
    out: Option<PathBuf>,
    /// Do not draw the charts.
    #[arg(long)]
    no_plots: bool,
    /// No report on stderr.
    #[arg(long, short = 'q')]
    quiet: bool,
}

#[derive(Args, Debug)]
pub struct PlotArgs {
    /// A sweep folder (with sweep.json and runs.csv).
    dir: PathBuf,
    /// Parameter on the x axis (its path, e.g. platform.forward_limit).
    #[arg(long, value_name = "PARAM")]
    x: String,
    /// Figure to chart (a runs.csv column).
    #[arg(long, value_name = "FIGURE", default_value = "final_reach_share")]
    y: String,
    /// One line per value of this parameter (with --heatmap: the rows).
    #[arg(long, value_name = "PARAM")]
    by: Option<String>,
    /// Draw a heatmap of the median over --x and --by instead of lines.
    #[arg(long, requires = "by")]
    heatmap: bool,
}

/// The shard from `--shard`, else from Slurm's array variables.
fn shard(flag: Option<&str>) -> Result<Option<exec::Shard>> {
    if let Some(s) = flag {
        return Ok(Some(exec::Shard::parse(s)?));
    }
    let var = |k: &str| std::env::var(k).ok();
    Ok(exec::Shard::from_slurm(
        var("SLURM_ARRAY_TASK_ID").as_deref(),
        var("SLURM_ARRAY_TASK_COUNT").as_deref(),
        var("SLURM_ARRAY_TASK_MIN").as_deref(),
        var("SLURM_ARRAY_TASK_STEP").as_deref(),
    )?)
}

pub fn sweep(a: SweepArgs) -> Result<ExitCode> {
    let (sw, origin) = sweep::load(&a.sweep)?;
    if a.check {
        say!(
            "sweep {}: OK, {} design, {} points x {} replicates = {} runs, every point's scenario checks",
            sw.name,
            sw.design,
            sw.point_count(),
            sw.replicates,
            sw.run_count()
        );
        for (i, _) in sw.points.iter().enumerate().take(5) {
            say!("  {}: {}", sw.point_id(i), sw.assignment(i));
        }
        if sw.point_count() > 5 {
            say!("  ...");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let shard = shard(a.shard.as_deref())?;
    let base = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(&sw.name));
    let dir = match shard {
        Some(s) => {
            exec::prepare_shard_parent(&base)?;
            base.join(s.folder_name())
        }
        None => base.clone(),
    };
    let threads = init_threads(a.exec.threads)?;
    let quiet = a.exec.quiet;
    // Memory: one run per thread; check the largest point.
    let largest = (0..sw.point_count())
        .filter_map(|p| sw.point_scenario(p, &origin.base_scenario).ok())
        .filter(|s| !s.is_imported())
        .map(|s| simulation::estimate_memory(&s, 1, None).total_bytes)
        .max()
        .unwrap_or(0);
    // The program itself is there once, not once per run.
    let program = simulation::PROGRAM_BYTES;
    let needed = (largest.saturating_sub(program))
        .saturating_mul(threads as u64)
        .saturating_add(program);
    if let Some(b) = simulation::available_memory(threads).filter(|b| needed > b.bytes) {
        return Err(grapevine::error::CapacityError::TooLarge {
            needed,
            available: b.bytes,
            limit: b.source,
        }
        .into());
    }
    let file = SweepFile::new(&sw, origin, shard);
    let existing = match (a.resume, a.force) {
        (true, _) => exec::Existing::Resume,
        (_, true) => exec::Existing::Restart,
        _ => exec::Existing::Refuse,
    };
    let prepared = exec::prepare(&file, &dir, existing)?;
    if !quiet {
        note!(
            "sweep {}: {} points x {} replicates = {} runs{}; {} to do, {} threads, about {} of memory",
            sw.name,
            sw.point_count(),
            sw.replicates,
            sw.run_count(),
            match shard {
                Some(s) => format!(" (shard {}/{}: {} runs)", s.index, s.count, prepared.total),
                None => String::new(),
            },
            prepared.todo.len(),
            threads,
            human_bytes(needed)
        );
        if prepared.repaired {
            note!("resume: dropped a torn last line or repeated rows from runs.csv");
        }
        if prepared.done > 0 {
            note!("resume: {} runs already done", prepared.done);
        }
    }
    let started = std::time::Instant::now();
    let pb = progress(prepared.total, quiet, "runs");
    pb.set_position(prepared.done);
    pb.reset_eta();
    let result = exec::execute(
        &file,
        &prepared,
        a.keep_series,
        &mut |_| pb.inc(1),
        super::stop_flag(),
    );
    pb.finish_and_clear();
    result.with_context(|| format!("sweep results so far are in {}", dir.display()))?;
    let elapsed = started.elapsed().as_secs_f64();
    aggregate::aggregate_dir(&dir, &sw)?;
    if shard.is_none() && !a.no_plots {
        // The results are complete; a chart that cannot be drawn is only reported.
        if let Err(e) = chart::automatic(&dir, &file) {
            note!("warning: charts not drawn: {e}");
        }
    }
    if !quiet {
        let n = prepared.todo.len();
        note!(
            "{n} runs in {elapsed:.1} s ({:.2} runs/s){}",
            n as f64 / elapsed.max(1e-9),
            if shard.is_some() {
                format!(
                    "; merge the shards with: grapevine merge {}/shard-*-of-{}",
                    base.display(),
                    shard.map_or(0, |s| s.count)
                )
            } else {
                String::new()
            }
        );
    }
    say!("{}", dir.display());
    Ok(ExitCode::SUCCESS)
}

/// The folder that holds every input, if they share one.
fn common_parent(dirs: &[PathBuf]) -> Option<PathBuf> {
    let parent = |d: &PathBuf| {
        std::fs::canonicalize(d)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
    };
    let first = parent(dirs.first()?)?;
    dirs.iter()
        .all(|d| parent(d).as_ref() == Some(&first))
        .then_some(first)
}

pub fn merge(a: MergeArgs) -> Result<ExitCode> {
    let out = match a.out.clone().or_else(|| common_parent(&a.dirs)) {
        Some(o) => o,
        None => anyhow::bail!("the inputs are in different folders: give --out"),
    };
    let report = merge::merge(&a.dirs, &out)?;
    if !a.no_plots && report.complete() {
        let file = SweepFile::read(&out)?;
        if let Err(e) = chart::automatic(&out, &file) {
            note!("warning: charts not drawn: {e}");
        }
    }
    if !a.quiet {
        note!(
            "merged {} folders: {} of {} runs, {} repeated rows dropped",
            report.inputs,
            report.written,
            report.runs,
            report.duplicates
        );
        for t in &report.torn {
            note!("  {}: torn last line of runs.csv ignored", t.display());
        }
        let list = |ids: &[String]| {
            let shown: Vec<&str> = ids.iter().take(10).map(String::as_str).collect();
            let more = ids.len().saturating_sub(10);
            format!(
                "{}{}",
                shown.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            )
        };
        if !report.missing.is_empty() {
            note!(
                "  {} runs missing: {}",
                report.missing.len(),
                list(&report.missing)
            );
        }
        if !report.conflicts.is_empty() {
            note!(
                "  {} runs duplicated with different figures (first kept): {}",
                report.conflicts.len(),
                list(&report.conflicts)
            );
        }
    }
    say!("{}", out.display());
    Ok(if report.complete() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub fn plot(a: PlotArgs) -> Result<ExitCode> {
    let file = SweepFile::read(&a.dir)?;
    let req = chart::Request {
        x: a.x,
        y: a.y,
        by: a.by,
        heatmap: a.heatmap,
    };
    for p in chart::draw(&a.dir, &file, &req)? {
        say!("{}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}
