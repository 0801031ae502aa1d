//! `grapevine sweep`, `grapevine merge` and `grapevine plot`: parameter sweeps from
//! the command line. Flags, the Slurm environment, the progress bar and the final
//! report live here; everything else is in [`grapevine::sweep`].

use super::{init_threads, note, progress, say, ExecArgs};
use anyhow::{Context, Result};
use clap::Args;
use grapevine::error::human_bytes;
use grapevine::simulation;
use grapevine::sweep::{self, aggregate, chart, exec, merge, sensitivity, SweepFile};
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
    /// Also write report.html in the sweep folder at the end: a self-contained HTML
    /// report (as `grapevine report DIR` writes). Not with --shard: merge the shards,
    /// then run grapevine report on the merged folder.
    #[arg(long, conflicts_with = "shard")]
    report: bool,
    /// Check the sweep file and every point's scenario, print the sweep's size, and
    /// run nothing.
    #[arg(long)]
    check: bool,
    #[command(flatten)]
    at: super::AtArgs,
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
    /// Put --x on a log axis (default: when its values are positive, not durations,
    /// and span two decades or more).
    #[arg(long, conflicts_with = "linear_x")]
    log_x: bool,
    /// Put --x on a linear axis.
    #[arg(long)]
    linear_x: bool,
    /// Only the runs in which this event happened (e.g. outbreak): the curve of an
    /// all-or-nothing outcome conditional on taking off.
    #[arg(long, value_name = "EVENT")]
    given: Option<String>,
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
    let (sw, origin) = sweep::load_at(&a.sweep, a.at.at.as_deref())?;
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
    let rows = aggregate::aggregate_dir(&dir, &sw)?;
    if shard.is_none() && !a.no_plots {
        // The results are complete; a chart that cannot be drawn is only reported.
        if let Err(e) = chart::automatic(&dir, &file) {
            note!("warning: charts not drawn: {e}");
        }
    }
    if shard.is_none() && sw.sensitivity.is_some() {
        let analysis = sensitivity::analyse_dir(&dir, &file, !a.no_plots)?;
        say!("{}", sensitivity_table(&file, &analysis).trim());
    } else if shard.is_none() {
        say!("{}", points_table(&file, &rows).trim_end());
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
    if a.report {
        if shard.is_some() {
            note!("note: no report for one shard; merge the shards, then run grapevine report on the merged folder");
        } else {
            let path = super::report::write(&dir, None)?;
            if !quiet {
                note!("report: {}", path.display());
            }
        }
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
    if report.complete() {
        let file = SweepFile::read(&out)?;
        if file.sweep.sensitivity.is_some() {
            let analysis = sensitivity::analyse_dir(&out, &file, !a.no_plots)?;
            say!("{}", sensitivity_table(&file, &analysis).trim());
        } else {
            let rows = aggregate::aggregate_dir(&out, &file.sweep)?;
            say!("{}", points_table(&file, &rows).trim_end());
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

#[derive(Args, Debug)]
pub struct SensitivityArgs {
    /// The folder of a sweep with design = "morris" or "sobol" (its runs.csv).
    dir: PathBuf,
    /// Do not draw the tornado charts.
    #[arg(long)]
    no_plots: bool,
}

/// The printed result of a sensitivity analysis: per figure, the parameters from the
/// most to the least influential, each index with its bootstrap 95% interval.
fn sensitivity_table(file: &SweepFile, a: &sensitivity::Analysis) -> String {
    let params = &file.sweep.parameters;
    let report = file
        .sweep
        .point_scenario(0, &file.origin.base_scenario)
        .ok()
        .map(|s| s.report);
    let mut out = String::new();
    let mut figures: Vec<&str> = a.rows.iter().map(|r| r.figure.as_str()).collect();
    figures.dedup();
    for f in figures {
        let rows: Vec<&sensitivity::IndexRow> = a.rows.iter().filter(|r| r.figure == f).collect();
        let morris = rows.first().is_some_and(|r| r.method == "morris");
        // Morris effects are in the figure's units: shares shown in percentage points.
        let l = grapevine::metrics::labels::label(f, report.as_ref());
        let scale = if morris { l.scale } else { 1.0 };
        let unit = if l.scale == 100.0 {
            "percentage points".to_string()
        } else if l.unit.is_empty() {
            "figure units".to_string()
        } else {
            l.unit.clone()
        };
        let main = if morris { "mu_star" } else { "total" };
        let mut ranked: Vec<&&sensitivity::IndexRow> =
            rows.iter().filter(|r| r.index == main).collect();
        ranked.sort_by(|x, y| y.estimate.total_cmp(&x.estimate));
        out.push_str(&format!(
            "\n{} ({f}): {}\n",
            l.what,
            if morris {
                format!("Morris mu* [bootstrap 95%], mu, sigma, in {unit} per whole range")
            } else {
                "Sobol' total-order [bootstrap 95%], first-order [bootstrap 95%]".to_string()
            }
        ));
        let width = ranked
            .iter()
            .map(|r| params[r.parameter].display().chars().count())
            .max()
            .unwrap_or(0);
        for r in ranked {
            let other = |index: &str| {
                rows.iter()
                    .find(|o| o.parameter == r.parameter && o.index == index)
            };
            let extra = if morris {
                format!(
                    "mu {:+.2}  sigma {:.2}",
                    scale * other("mu").map_or(f64::NAN, |o| o.estimate),
                    scale * other("sigma").map_or(f64::NAN, |o| o.estimate)
                )
            } else {
                other("first").map_or(String::new(), |o| {
                    format!("first {:.3} [{:.3}, {:.3}]", o.estimate, o.lower, o.upper)
                })
            };
            let digits = if morris { 2 } else { 3 };
            out.push_str(&format!(
                "  {:<width$}  {:.digits$} [{:.digits$}, {:.digits$}]  {extra}\n",
                params[r.parameter].display(),
                scale * r.estimate,
                scale * r.lower,
                scale * r.upper
            ));
        }
    }
    for (f, why) in &a.skipped {
        out.push_str(&format!("{f}: not analysed: {why}\n"));
    }
    out
}

/// A percentage with one decimal and its interval: `8.0% [4.1, 15.0]`.
fn pct_interval(p: f64, lo: f64, hi: f64) -> String {
    if p.is_nan() {
        return "-".into();
    }
    format!("{:.1}% [{:.1}, {:.1}]", 100.0 * p, 100.0 * lo, 100.0 * hi)
}

/// The printed result of a sweep: per point, its parameter values (labelled), the
/// median final reach with its 5-95% range, and the probability of every event at the
/// end of the run with its Wilson 95% interval; with a reference point, then every
/// point's paired difference from it (percentage points, Newcombe's 95% interval for
/// events; median and 5-95% of the per-replicate differences for reach).
fn points_table(file: &SweepFile, rows: &[aggregate::PointRow]) -> String {
    use grapevine::metrics::labels::label;
    let sw = &file.sweep;
    let report = sw
        .point_scenario(0, &file.origin.base_scenario)
        .ok()
        .map(|s| s.report);
    let values = aggregate::value_figures(sw);
    let reach = values.iter().position(|f| f == "final_reach_share");
    // Events at the end of the run only; those at report times are in points.csv.
    let events: Vec<(usize, &String)> = sw
        .event_columns
        .iter()
        .enumerate()
        .filter(|(_, e)| !e.contains('@'))
        .collect();
    let mut header: Vec<String> = sw.parameters.iter().map(|p| p.display()).collect();
    header.push("Runs".into());
    header.push("Users reached (%, median [5%, 95%])".into());
    let given = rows.iter().any(|r| !r.given_outbreak.is_empty());
    if given {
        header.push("Reached if outbreak (%, median, runs)".into());
    }
    for (_, e) in &events {
        header.push(label(e, report.as_ref()).what);
    }
    let mut table: Vec<Vec<String>> = vec![header];
    for r in rows {
        let mut line: Vec<String> = sw.points[r.point]
            .iter()
            .map(sweep::runs::value_field)
            .collect();
        line.push(r.runs.to_string());
        line.push(reach.map_or("-".into(), |j| {
            let b = &r.bands[j];
            format!(
                "{:.1} [{:.1}, {:.1}]",
                100.0 * b.median,
                100.0 * b.p5,
                100.0 * b.p95
            )
        }));
        if given {
            line.push(match r.given_outbreak.first() {
                Some(b) if r.outbreak_runs > 0 => {
                    format!("{:.1}, {} of {}", 100.0 * b.median, r.outbreak_runs, r.runs)
                }
                _ => format!("-, 0 of {}", r.runs),
            });
        }
        for (k, _) in &events {
            line.push(r.events[*k].map_or("-".into(), |p| {
                let i = p.wilson(grapevine::metrics::probability::Level::P95);
                pct_interval(p.estimate(), i.lower, i.upper)
            }));
        }
        table.push(line);
    }
    let mut out = format!(
        "{}: {} points x {} replicates{}; event probabilities with Wilson 95% intervals\n",
        sw.name,
        sw.point_count(),
        sw.replicates,
        if sw.paired {
            " (paired: replicate r of every point shares its random numbers)"
        } else {
            ""
        }
    );
    out.push_str(&align(&table));
    if let Some(reference) = sw.reference {
        out.push_str(&format!(
            "\nDifference from the reference point {} ({}), {}\n",
            sw.point_id(reference),
            sw.parameters
                .iter()
                .zip(&sw.points[reference])
                .map(|(p, v)| format!("{} = {}", p.display(), sweep::runs::value_field(v)))
                .collect::<Vec<_>>()
                .join(", "),
            if sw.paired {
                "paired by replicate: percentage points, Newcombe 95% intervals"
            } else {
                "unpaired: percentage points, Newcombe 95% intervals"
            }
        ));
        let mut header: Vec<String> = sw.parameters.iter().map(|p| p.display()).collect();
        header.push(if sw.paired {
            "Users reached (pts, median [5%, 95%] of replicates)".into()
        } else {
            "Users reached (pts, difference of medians)".into()
        });
        for (_, e) in &events {
            header.push(label(e, report.as_ref()).what);
        }
        let mut table = vec![header];
        for r in rows {
            let mut line: Vec<String> = sw.points[r.point]
                .iter()
                .map(sweep::runs::value_field)
                .collect();
            line.push(reach.and_then(|j| r.diffs.get(j)).map_or("-".into(), |b| {
                if b.p5.is_nan() {
                    format!("{:+.1}", 100.0 * b.median)
                } else {
                    format!(
                        "{:+.1} [{:+.1}, {:+.1}]",
                        100.0 * b.median,
                        100.0 * b.p5,
                        100.0 * b.p95
                    )
                }
            }));
            for (k, _) in &events {
                line.push(
                    r.event_diffs
                        .get(*k)
                        .copied()
                        .flatten()
                        .map_or("-".into(), |(d, i)| {
                            format!(
                                "{:+.1} [{:+.1}, {:+.1}]",
                                100.0 * d,
                                100.0 * i.lower,
                                100.0 * i.upper
                            )
                        }),
                );
            }
            table.push(line);
        }
        out.push_str(&align(&table));
    }
    out
}

/// Rows of cells as text columns, each as wide as its widest cell, two spaces apart.
fn align(rows: &[Vec<String>]) -> String {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width: Vec<usize> = (0..n)
        .map(|j| {
            rows.iter()
                .filter_map(|r| r.get(j))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(j, c)| format!("{c:<w$}", w = width[j]))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// `grapevine sensitivity DIR`: (re)analyses a finished sensitivity sweep.
pub fn sensitivity(a: SensitivityArgs) -> Result<ExitCode> {
    let file = SweepFile::read(&a.dir)?;
    let analysis = sensitivity::analyse_dir(&a.dir, &file, !a.no_plots)?;
    say!("{}", sensitivity_table(&file, &analysis).trim());
    for p in &analysis.charts {
        say!("{}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}

pub fn plot(a: PlotArgs) -> Result<ExitCode> {
    let file = SweepFile::read(&a.dir)?;
    let req = chart::Request {
        x: a.x,
        y: a.y,
        by: a.by,
        heatmap: a.heatmap,
        log_x: match (a.log_x, a.linear_x) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
        given: a.given,
    };
    for p in chart::draw(&a.dir, &file, &req)? {
        say!("{}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}
