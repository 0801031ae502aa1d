//! `grapevine check`: validate a scenario and estimate its size and memory.

use super::{load_scenario, say};
use crate::error::human_bytes;
use crate::population::generate;
use crate::simulation;
use anyhow::Result;
use clap::Args;
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
