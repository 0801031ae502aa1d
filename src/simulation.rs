//! Orchestrates one scenario: builds (or imports) the population once ([`prepare`]),
//! runs the replicates in parallel and summarises each run ([`simulate`]), all in
//! memory; [`crate::output::write_run_folder`] writes the results as a separate step.
//!
//! Replicates run in waves of at most `threads` at a time so memory stays bounded by
//! the number of threads, not the number of replicates; inside a replicate the engine
//! parallelises its own phases.

use crate::engine::{self, state::State, Params, RunOutput};
use crate::error::{human_bytes, CapacityError, PrepareError};
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

/// Memory of the program before any population: code, allocator, thread stacks and
/// the chart font (measured: 13.4 MiB peak for a 1,000-user run).
pub const PROGRAM_BYTES: u64 = 14 << 20;

/// Bytes per entry in the partition buffer of the user -> chats transpose, a
/// `(u32, u32, u8)`; the buffer holds at most [`crate::population::csr`]'s chunk of
/// entries.
const TRANSPOSE_ENTRY_BYTES: u64 = std::mem::size_of::<(u32, u32, u8)>() as u64;

/// Bytes kept per step of every replicate until the result files are written: the
/// step record, and per camp its counts.
const RECORD_BYTES: u64 = std::mem::size_of::<crate::record::StepRecord>() as u64 + 24;
const CAMP_RECORD_BYTES: u64 = 16;

/// Estimated peak memory of a run before anything is allocated.
///
/// The peak is the larger of two moments: building the population (the finished
/// population plus the transpose that indexes user -> chats: a cursor per user and a
/// partition buffer of 12 bytes per membership, at most 2^25 of them at a time), and
/// simulating (the population, one state per replicate running at once, and the time
/// series of every replicate kept for the result files), plus [`PROGRAM_BYTES`].
/// Measured against the peak resident memory of `scenarios/baseline.toml` at 10^5,
/// 10^6 and 10^7 users (`benches/memory.sh`, docs/performance.md): within 10%.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct MemoryEstimate {
    /// Users of the population.
    pub users: u64,
    /// Chats of the population.
    pub chats: u64,
    /// Memberships (user in chat) of the population.
    pub memberships: u64,
    /// The finished population.
    pub population_bytes: u64,
    /// Held on top of the population while it is built (0 for one already built).
    pub building_bytes: u64,
    /// One replicate's state, posts and unread copies (and, with
    /// `fresh_population`, its own population while it is built).
    pub per_replicate_bytes: u64,
    /// Replicates that run at once (the threads, at most the replicates).
    pub concurrent_replicates: u64,
    /// Time series of every replicate, kept until the result files are written.
    pub kept_bytes: u64,
    /// Worker threads (the allocator reserves address space per thread).
    pub threads: u64,
    /// Everything together: what the run is checked against.
    pub total_bytes: u64,
}

impl std::fmt::Display for MemoryEstimate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} users, {} chats, {} memberships; population {} (+{} while building), \
             {} per replicate x {} at once, {} of time series; about {} in all",
            self.users,
            self.chats,
            self.memberships,
            human_bytes(self.population_bytes),
            human_bytes(self.building_bytes),
            human_bytes(self.per_replicate_bytes),
            self.concurrent_replicates,
            human_bytes(self.kept_bytes),
            human_bytes(self.total_bytes)
        )
    }
}

/// Estimates the memory a scenario needs with `threads` replicates at once.
/// For imported populations, `known` gives the sizes once the files are read (the
/// population is then already built: nothing more for building it).
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
    // Shared by the replicates, with the population: limited attention's budgets.
    let population_bytes = population_bytes + users * Params::bytes_per_user(scn);
    let building = users * 8
        + TRANSPOSE_ENTRY_BYTES * memberships.min(crate::population::csr::TRANSPOSE_CHUNK);
    let building_bytes = if known.is_some() { 0 } else { building };
    let replicates = scn.simulation.replicates as u64;
    let concurrent = (threads.max(1) as u64).min(replicates);
    // State arrays, plus unread copies and posts: bounded in practice by a few bytes per
    // membership while a rumor is at its peak.
    let state = State::BYTES_PER_USER
        + match scn.sharing.persistence {
            Some(_) => State::PERSISTENCE_BYTES,
            None => 0,
        };
    let mut per_replicate = users * state + memberships * 2;
    if scn.simulation.fresh_population && !scn.is_imported() {
        per_replicate += population_bytes + building;
    }
    let camps = scn.population.camps.len() as u64;
    let per_step = RECORD_BYTES
        + if camps > 1 {
            camps * CAMP_RECORD_BYTES
        } else {
            0
        };
    let kept_bytes = replicates * scn.simulation.steps as u64 * per_step;
    let simulating = population_bytes + per_replicate * concurrent + kept_bytes;
    let built = population_bytes + building_bytes;
    MemoryEstimate {
        users,
        chats,
        memberships,
        population_bytes,
        building_bytes,
        per_replicate_bytes: per_replicate,
        concurrent_replicates: concurrent,
        kept_bytes,
        threads: threads.max(1) as u64,
        total_bytes: PROGRAM_BYTES + simulating.max(built),
    }
}

/// Memory this process may still use with `threads` threads: the smallest of the
/// system's available memory, its control group's room and its address-space limit
/// (see [`crate::limits`]); `None` if nothing is known.
pub fn available_memory(threads: usize) -> Option<crate::limits::Bound> {
    crate::limits::available(threads)
}

/// Refuses a run whose estimate exceeds the memory this process may use, naming the
/// bound that refuses it.
pub fn check_capacity(estimate: &MemoryEstimate) -> Result<(), CapacityError> {
    match available_memory(estimate.threads as usize) {
        Some(b) if estimate.total_bytes > b.bytes => Err(CapacityError::TooLarge {
            needed: estimate.total_bytes,
            available: b.bytes,
            limit: b.source,
        }),
        _ => Ok(()),
    }
}

/// Everything a run needs before its replicates, in the order that fails fast: memory
/// for a generated population (checked before allocating it), the population itself,
/// the checks that need it (seed and intervention ids), and memory for an imported
/// population once its size is known. `threads` is the number of replicates that will
/// run at once.
pub fn prepare(scn: &Scenario, threads: usize) -> Result<Population, PrepareError> {
    if !scn.is_imported() {
        check_capacity(&estimate_memory(scn, threads, None))?;
    }
    let pop = build_population(scn)?;
    check_against_population(scn, &pop)?;
    if scn.is_imported() {
        check_capacity(&estimate_memory(scn, threads, Some(&pop)))?;
    }
    Ok(pop)
}

/// Things about a population that make a run pointless or misleading without making it
/// wrong, for the caller to show as warnings: no chat with two or more members (nobody
/// can receive anything), or most users in no chat at all.
pub fn warnings(pop: &Population) -> Vec<String> {
    let mut out = Vec::new();
    let chats = pop.n_chats();
    let shared = (0..chats)
        .filter(|&c| pop.chats.members.row_len(c) >= 2)
        .count();
    if shared == 0 {
        out.push(format!(
            "the population has no chat with two or more members ({} chats, {} users): \
             nobody can receive the rumor",
            chats,
            pop.n_users()
        ));
    } else {
        let alone = (0..pop.n_users())
            .filter(|&u| pop.user_chats.row_len(u) == 0)
            .count();
        if alone * 2 > pop.n_users() {
            out.push(format!(
                "{alone} of {} users are in no chat: they can never be reached",
                pop.n_users()
            ));
        }
    }
    out
}

/// Builds the scenario's population: generated, or imported from its files. A
/// generated population whose large arrays the system refuses is
/// [`CapacityError::Allocation`], not an abort.
pub fn build_population(scn: &Scenario) -> Result<Population, PrepareError> {
    if scn.is_imported() {
        Ok(population::import::import(scn)?)
    } else {
        Ok(generate::try_generate(scn)?)
    }
}

/// Checks what can only be checked once the population exists (seed ids).
pub fn check_against_population(
    scn: &Scenario,
    pop: &Population,
) -> Result<(), crate::error::ScenarioError> {
    let mut violations = Vec::new();
    let named = scn
        .seeds
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("seeds[{i}].ids"), s.ids()))
        .chain(
            scn.interventions
                .iter()
                .enumerate()
                .map(|(i, iv)| (format!("interventions[{i}].ids"), iv.action.ids())),
        );
    for (field, ids) in named {
        if let Some(ids) = ids {
            if let Err(message) = engine::resolve_ids(pop, ids) {
                violations.push(crate::error::Violation { field, message });
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

/// As [`simulate`]; without `keep_cascades`, each replicate's cascades (reach and
/// sharers) are dropped as soon as its summary is computed, so memory does not grow
/// with the number of replicates by the size of their cascades (28 bytes per user
/// reached, 12 per sharer).
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
    let params = Params::new(scn).with_population(shared);
    let fresh = scn.simulation.fresh_population && !scn.is_imported();
    let mut camp_sizes = vec![0u64; shared.camp_names.len()];
    for &c in &shared.users.camp {
        camp_sizes[c as usize] += 1;
    }
    let camps: Vec<(String, u64)> = shared.camp_names.iter().cloned().zip(camp_sizes).collect();
    let ctx = summary::Context {
        users: shared.n_users() as u64,
        camps: &camps,
        residual: scn.correction.residual,
    };
    let at_ctx = crate::metrics::at::AtContext {
        users: ctx.users,
        camps: &camps,
        public: scn.public.is_some(),
    };
    let one = |r: u32| -> (RunOutput, summary::RunSummary) {
        let mut out = if fresh && r > 0 {
            let pop = generate::generate_seeded(scn, generate::population_seed(scn, r));
            let params = Params::new(scn).with_population(&pop);
            engine::run_replicate(&pop, scn, &params, r, on_step)
        } else {
            engine::run_replicate(shared, scn, &params, r, on_step)
        };
        let mut s = summary::summarize(r, &ctx, &out, |s| scn.hours_at(s));
        s.observed = crate::metrics::observation::window_figures(scn, &out);
        crate::metrics::events::add_report(&mut s, &scn.report, &at_ctx, &out);
        if !keep_cascades {
            out.cascade = Vec::new();
            out.sharers = Vec::new();
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
