//! `grapevine compare`: run (or reuse) several scenarios and compare them with the
//! first.
//!
//! Layout of the output folder `DIR` (default `output/compare-<first scenario's name>`):
//! one result folder per scenario, `DIR/<name>/`, exactly as `grapevine run` writes it,
//! plus `comparison.csv` and `comparison.png`/`.svg`. Each scenario folder is staged and
//! swapped in when complete, so a failure in a later scenario keeps the earlier ones
//! for `--reuse`. The comparison is always computed from the files in those folders
//! ([`grapevine::output::results`]), whether just written or reused.

use super::run::{execute, Execute};
use super::{init_threads, note, say, ExecArgs};
use anyhow::{bail, Context, Result};
use clap::Args;
use grapevine::metrics::comparison::{compare as compare_arms, Arm};
use grapevine::output::comparison::{
    comparison_chart, report_tables, table, write_comparison, write_events, Curve,
};
use grapevine::output::{dir, results};
use grapevine::scenario::Scenario;
use grapevine::simulation;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Scenario files (TOML); the first is the reference the others are compared with.
    #[arg(required = true, num_args = 2.., value_name = "SCENARIO")]
    scenarios: Vec<PathBuf>,
    /// Output folder [default: output/compare-<first scenario's name>].
    #[arg(long, short = 'o', value_name = "DIR")]
    out: Option<PathBuf>,
    /// Override simulation.replicates of every scenario.
    #[arg(long, short = 'r', value_name = "R")]
    replicates: Option<u32>,
    /// Reuse DIR/<name>/ when it holds results of the same scenario (every resolved
    /// setting, seed, replicates and Grapevine version); run the others.
    #[arg(long)]
    reuse: bool,
    /// Also write report.html in the output folder: a self-contained HTML report of the
    /// comparison (as `grapevine report DIR` writes).
    #[arg(long)]
    report: bool,
    #[command(flatten)]
    at: super::AtArgs,
    #[command(flatten)]
    exec: ExecArgs,
}

pub fn compare(a: CompareArgs) -> Result<ExitCode> {
    let scns: Vec<Scenario> = a
        .scenarios
        .iter()
        .map(|p| super::load_scenario_at(p, None, a.replicates, a.at.at.as_deref()))
        .collect::<Result<_>>()?;
    for (i, s) in scns.iter().enumerate() {
        if let Some(j) = scns[..i].iter().position(|o| o.name == s.name) {
            bail!(
                "{} and {} are both named \"{}\": their results would share one folder; \
                 give one of them another `name`",
                a.scenarios[j].display(),
                a.scenarios[i].display(),
                s.name
            );
        }
    }
    let out = a
        .out
        .unwrap_or_else(|| PathBuf::from("output").join(format!("compare-{}", scns[0].name)));
    let threads = init_threads(a.exec.threads)?;
    let quiet = a.exec.quiet;
    // Refuse before running anything: a scenario too large for memory, a foreign folder.
    for (s, file) in scns.iter().zip(&a.scenarios) {
        if !s.is_imported() {
            simulation::check_capacity(&simulation::estimate_memory(s, threads, None))
                .with_context(|| format!("scenario {}", file.display()))?;
        }
    }
    dir::claim(&out).with_context(|| format!("output folder {}", out.display()))?;

    let started = std::time::Instant::now();
    let n = scns.len();
    let mut saved = Vec::with_capacity(n);
    for (i, (scn, file)) in scns.iter().zip(&a.scenarios).enumerate() {
        let folder = out.join(&scn.name);
        let reused = if a.reuse {
            match results::reuse(&folder, scn) {
                Ok(s) => Some(s),
                Err(why) => {
                    if !quiet {
                        note!("[{}/{n}] {}: {why}", i + 1, scn.name);
                    }
                    None
                }
            }
        } else {
            None
        };
        let run = match reused {
            Some(s) => {
                if !quiet {
                    note!("[{}/{n}] {}: reusing {}", i + 1, scn.name, folder.display());
                }
                s
            }
            None => {
                if !quiet {
                    note!(
                        "[{}/{n}] {}: running {} replicates",
                        i + 1,
                        scn.name,
                        scn.simulation.replicates
                    );
                }
                let how = Execute {
                    threads,
                    quiet,
                    cascade: false,
                    label: &scn.name,
                };
                let folder = execute(scn, file, &folder, &how)?.0;
                results::read_folder(&folder)
                    .with_context(|| format!("reading back {}", folder.display()))?
            }
        };
        saved.push(run);
    }

    let arms: Vec<Arm> = saved
        .iter()
        .map(|s| Arm {
            name: &s.summary.scenario_name,
            seed: s.summary.seed,
            runs: &s.summary.runs,
        })
        .collect();
    let comparison = compare_arms(&arms);
    let report = Some(&scns[0].report);
    write_comparison(&out.join("comparison.csv"), &comparison, report)?;
    write_events(&out.join("events.csv"), &comparison, report)?;
    // Every replicate's curve, for outcomes that split into outbreaks and fizzles.
    let series: Vec<Option<results::RunSeries>> = scns
        .iter()
        .map(|s| results::read_series(&out.join(&s.name).join("timeseries.csv")).ok())
        .collect();
    let curves: Vec<Curve> = saved
        .iter()
        .zip(&scns)
        .zip(&series)
        .map(|((s, scn), series)| Curve {
            name: &scn.label,
            bands: &s.bands,
            users: s.summary.users,
            replicates: s.summary.replicates,
            series: series.as_ref(),
        })
        .collect();
    comparison_chart(&out, &scns[0], &curves)?;
    if !quiet {
        note!(
            "compared {n} scenarios in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    // Printed tables name scenarios by their labels; the CSV files keep the names.
    let mut shown = comparison.clone();
    for (s, scn) in shown.scenarios.iter_mut().zip(&scns) {
        s.name = scn.label.clone();
    }
    say!("{}", table(&shown).trim_end());
    let runs: Vec<&[grapevine::metrics::summary::RunSummary]> =
        saved.iter().map(|s| s.summary.runs.as_slice()).collect();
    let more = report_tables(&shown, report, &runs);
    if !more.trim().is_empty() {
        say!("{}", more.trim_end());
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
