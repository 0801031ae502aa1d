//! `grapevine check`: validate a scenario and estimate its size and memory.

use super::{load_scenario, note, say};
use anyhow::{Context, Result};
use clap::Args;
use grapevine::error::human_bytes;
use grapevine::simulation;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// Threads assumed for the memory estimate (default: all cores).
    #[arg(long, short = 'j', value_name = "T")]
    threads: Option<usize>,
}

pub fn check(a: CheckArgs) -> Result<ExitCode> {
    let scn = load_scenario(&a.scenario, None, None)?;
    let threads = a.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let est = if scn.is_imported() {
        let pop = simulation::build_population(&scn)?;
        simulation::check_against_population(&scn, &pop)?;
        for w in simulation::warnings(&pop) {
            note!("warning: {w}");
        }
        simulation::estimate_memory(&scn, threads, Some(&pop))
    } else {
        simulation::estimate_memory(&scn, threads, None)
    };
    let capacity = simulation::check_capacity(&est)
        .with_context(|| format!("scenario {}", a.scenario.display()));
    say!(
        "scenario {}: {}",
        scn.name,
        if capacity.is_ok() { "OK" } else { "TOO LARGE" }
    );
    say!(
        "  {} steps of {} min ({} h), {} replicates, seed {}",
        scn.simulation.steps,
        scn.simulation.step_minutes,
        scn.simulation.horizon.hours(),
        scn.simulation.replicates,
        scn.simulation.seed
    );
    let kind = if scn.is_imported() {
        "imported"
    } else {
        "generated (expected)"
    };
    say!(
        "  population, {kind}: {} users, {} chats, {} memberships",
        est.users,
        est.chats,
        est.memberships
    );
    say!("  memory: {est}");
    if let Some(avail) = simulation::available_memory(threads) {
        say!(
            "  available: {} ({})",
            human_bytes(avail.bytes),
            avail.source
        );
    }
    capacity?;
    Ok(ExitCode::SUCCESS)
}
