//! Orchestrates one scenario: builds (or imports) the population once, runs the
//! replicates in parallel, and summarises each run.
//!
//! Replicates run in waves of at most `threads` at a time so memory stays bounded by
//! the number of threads, not the number of replicates; inside a replicate the engine
//! parallelises its own phases.

use crate::engine::{self, state::State, Params, RunOutput};
use crate::error::{human_bytes, CapacityError};
use crate::metrics::summary::{self, RunSummary};
use crate::population::{self, generate, Population};
use crate::scenario::Scenario;
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};

/// Results of all replicates of a scenario.
pub struct Results {
    /// One output per replicate, in replicate order.
    pub runs: Vec<RunOutput>,
    /// One summary per replicate, in replicate order.
    pub summaries: Vec<RunSummary>,
}

/// Estimated memory of a run before anything is allocated.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct MemoryEstimate {
    pub users: u64,
    pub chats: u64,
    pub memberships: u64,
    pub population_bytes: u64,
    pub per_replicate_bytes: u64,
    pub concurrent_replicates: u64,
    pub total_bytes: u64,
}

impl std::fmt::Display for MemoryEstimate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} users, {} chats, {} memberships; population {}, {} per replicate x {} at once; about {} in all",
            self.users,
            self.chats,
            self.memberships,
            human_bytes(self.population_bytes),
            human_bytes(self.per_replicate_bytes),
            self.concurrent_replicates,
            human_bytes(self.total_bytes)
        )
    }
}

/// Estimates the memory a scenario needs with `threads` replicates at once.
/// For imported populations, `known` gives the sizes once the files are read.
pub fn estimate_memory(
    scn: &Scenario,
    threads: usize,
    known: Option<&Population>,
) -> MemoryEstimate {
    let (users, chats, memberships, population_bytes) = match known {
        Some(p) => (
            p.n_users() as u64,
            p.n_chats() as u64,
            p.n_memberships() as u64,
            p.heap_bytes(),
        ),
        None => {
            let e = generate::estimate(scn);
            (e.users, e.chats, e.memberships, e.bytes())
        }
    };
    let concurrent = (threads.max(1) as u64).min(scn.config.simulation.replicates as u64);
    // State arrays, plus unread copies and posts: bounded in practice by a few bytes per
    // membership while a rumor is at its peak.
    let per_replicate = users * State::BYTES_PER_USER + memberships * 2 + scn.steps as u64 * 128;
    MemoryEstimate {
        users,
        chats,
        memberships,
        population_bytes,
        per_replicate_bytes: per_replicate,
        concurrent_replicates: concurrent,
        total_bytes: population_bytes + per_replicate * concurrent,
    }
}

/// Memory the system reports as available (Linux `MemAvailable`), if known.
pub fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Refuses a run whose estimate exceeds the available memory.
pub fn check_capacity(estimate: &MemoryEstimate) -> Result<(), CapacityError> {
    match available_memory() {
        Some(avail) if estimate.total_bytes > avail => Err(CapacityError::TooLarge {
            needed: estimate.total_bytes,
            available: avail,
        }),
        _ => Ok(()),
    }
}

/// Builds the scenario's population: generated, or imported from its files.
pub fn build_population(scn: &Scenario) -> Result<Population, crate::error::ImportError> {
    if scn.is_imported() {
        population::import::import(scn)
    } else {
        Ok(generate(scn))
    }
}

/// Checks what can only be checked once the population exists (seed ids).
pub fn check_against_population(
    scn: &Scenario,
    pop: &Population,
) -> Result<(), crate::error::ScenarioError> {
    let mut violations = Vec::new();
    for (i, seed) in scn.config.seeds.iter().enumerate() {
        if let Some(ids) = &seed.ids {
            if let Err(message) = engine::resolve_ids(pop, ids) {
                violations.push(crate::error::Violation {
                    field: format!("seeds[{i}].ids"),
                    message,
                });
            }
        }
    }
    for (i, iv) in scn.config.interventions.iter().enumerate() {
        let ids = match iv {
            crate::scenario::InterventionConfig::FactCheck { ids, .. }
            | crate::scenario::InterventionConfig::Response { ids, .. } => ids,
            _ => &None,
        };
        if let Some(ids) = ids {
            if let Err(message) = engine::resolve_ids(pop, ids) {
                violations.push(crate::error::Violation {
                    field: format!("interventions[{i}].ids"),
                    message,
                });
            }
        }
    }
    if violations.is_empty() {
        Ok(())
    } else {
        Err(crate::error::ScenarioError::Invalid {
            file: scn.path.clone().unwrap_or_default(),
            violations,
        })
    }
}

/// Runs replicates `0..replicates`, `threads` at a time; `on_step` is called once per
/// simulated step of any replicate. With `fresh_population`, each replicate builds
/// its own population (seeded by the replicate) and `shared` is only used for its
/// size; otherwise every replicate runs on `shared`. Keeps every replicate's cascade.
pub fn simulate(
    shared: &Population,
    scn: &Scenario,
    replicates: u32,
    threads: usize,
    on_step: &(dyn Fn() + Sync),
) -> Results {
    let never = AtomicBool::new(false);
    simulate_keeping(shared, scn, replicates, threads, true, on_step, &never)
}

/// As [`simulate`]; without `keep_cascades`, each replicate's cascade is dropped as
/// soon as its summary is computed, so memory does not grow with the number of
/// replicates by the size of their cascades (28 bytes per user reached).
///
/// Once `stop` is set (Ctrl-C), no new wave of replicates starts: the replicates under
/// way finish and the results hold fewer than `replicates` runs.
pub fn simulate_keeping(
    shared: &Population,
    scn: &Scenario,
    replicates: u32,
    threads: usize,
    keep_cascades: bool,
    on_step: &(dyn Fn() + Sync),
    stop: &AtomicBool,
) -> Results {
    let params = Params::new(scn);
    let fresh = scn.config.simulation.fresh_population && !scn.is_imported();
    let mut camp_sizes = vec![0u64; shared.camp_names.len()];
    for &c in &shared.users.camp {
        camp_sizes[c as usize] += 1;
    }
    let camps: Vec<(String, u64)> = shared.camp_names.iter().cloned().zip(camp_sizes).collect();
    let ctx = summary::Context {
        users: shared.n_users() as u64,
        camps: &camps,
    };
    let one = |r: u32| -> (RunOutput, summary::RunSummary) {
        let mut out = if fresh && r > 0 {
            let pop = generate::generate_seeded(scn, generate::population_seed(scn, r));
            engine::run_replicate(&pop, scn, &params, r, on_step)
        } else {
            engine::run_replicate(shared, scn, &params, r, on_step)
        };
        let s = summary::summarize(r, &ctx, &out, |s| scn.hours_at(s));
        if !keep_cascades {
            out.cascade = Vec::new();
        }
        (out, s)
    };
    let ids: Vec<u32> = (0..replicates).collect();
    let mut runs = Vec::with_capacity(replicates as usize);
    let mut summaries = Vec::with_capacity(replicates as usize);
    for wave in ids.chunks(threads.max(1)) {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let outs: Vec<(RunOutput, summary::RunSummary)> =
            wave.par_iter().map(|&r| one(r)).collect();
        for (o, s) in outs {
            runs.push(o);
            summaries.push(s);
        }
    }
    Results { runs, summaries }
}
