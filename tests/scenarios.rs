//! The shipped files under `scenarios/` stay valid: every scenario file is loaded and
//! checked as written, then run at a tiny size through the library (population, then
//! simulate) and its records checked against the accounting identities; every sweep
//! file (under `scenarios/sweeps/`) is loaded with the sweep loader, which checks every
//! point, and its first and last points run at the same tiny size.
//!
//! A scenario that stops loading after a change to the format, or that the engine can
//! no longer run, fails here rather than in an analyst's hands. All problems are
//! collected and reported at once.

use grapevine::metrics::timeseries::{Kind, TIMESERIES};
use grapevine::population::Population;
use grapevine::record::RunOutput;
use grapevine::scenario::Scenario;
use grapevine::{simulation, sweep};
use std::path::{Path, PathBuf};

/// Users of every tiny run: enough for every shipped seed count and camp.
const TINY_USERS: u64 = 600;

fn scenarios_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// Every `.toml` file under `dir`, sorted.
fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read scenarios folder") {
            let path = entry.expect("folder entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn is_sweep(path: &Path) -> bool {
    path.strip_prefix(scenarios_dir())
        .is_ok_and(|rel| rel.starts_with("sweeps"))
}

fn rel(path: &Path) -> String {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Prepares the population as a run does (memory, population, id checks) and runs one
/// replicate; returns what went wrong, if anything.
fn run_tiny(scn: &Scenario) -> Result<(Population, RunOutput), String> {
    let pop = simulation::prepare(scn, 1).map_err(|e| format!("prepare: {e}"))?;
    let mut results = simulation::simulate(&pop, scn, 1, 1, &|| {});
    let run = results.runs.pop().ok_or("no run")?;
    Ok((pop, run))
}

/// The identities every run keeps, whatever the scenario.
fn check_run(scn: &Scenario, pop: &Population, run: &RunOutput) -> Result<(), String> {
    let users = pop.n_users() as u64;
    if run.records.len() != scn.simulation.steps as usize {
        return Err(format!(
            "{} records for {} steps",
            run.records.len(),
            scn.simulation.steps
        ));
    }
    let mut prev = None;
    for (t, r) in run.records.iter().enumerate() {
        let at = |m: String| format!("step {t}: {m}");
        if r.step as usize != t {
            return Err(at(format!("record says step {}", r.step)));
        }
        let states = r.unaware + r.exposed + r.rejecters + r.believers + r.immune + r.corrected;
        if states != users {
            return Err(at(format!("belief states add up to {states}, not {users}")));
        }
        if r.read > r.reached || r.reached > users {
            return Err(at(format!(
                "read {} reached {} users {users}",
                r.read, r.reached
            )));
        }
        for c in TIMESERIES {
            let v = c.count(r);
            if c.kind == Kind::Flag && v.is_some_and(|v| v > 1) {
                return Err(at(format!("flag {} is {v:?}", c.name)));
            }
            if let (Some(p), true) = (prev, c.kind.never_shrinks()) {
                if let (Some(now), Some(before)) = (v, c.count(p)) {
                    if now < before {
                        return Err(at(format!("{} shrank from {before} to {now}", c.name)));
                    }
                }
            }
        }
        let before = prev.map_or(0, |p| p.reached);
        if r.new_reached != r.reached - before {
            return Err(at(format!(
                "new_reached {} but reached went {before} -> {}",
                r.new_reached, r.reached
            )));
        }
        if let Some(camps) = run.camp_records.get(t) {
            let reached: u64 = camps.iter().map(|c| c.reached).sum();
            let believers: u64 = camps.iter().map(|c| c.believers).sum();
            if !camps.is_empty() && (reached, believers) != (r.reached, r.believers) {
                return Err(at(format!(
                    "camps add up to {reached} reached, {believers} believers; \
                     the step has {}, {}",
                    r.reached, r.believers
                )));
            }
        }
        prev = Some(r);
    }
    let last_reached = prev.map_or(0, |p| p.reached);
    if run.cascade.len() as u64 != last_reached {
        return Err(format!(
            "cascade has {} entries, {last_reached} users reached",
            run.cascade.len()
        ));
    }
    Ok(())
}

/// Loads a scenario as written, then at the tiny size, runs it and checks the run.
fn check_scenario(path: &Path) -> Result<(), String> {
    Scenario::load(path).map_err(|e| format!("as written: {e}"))?;
    let scn = Scenario::load_adjusted(path, |c| {
        c.population.users = TINY_USERS;
        c.simulation.replicates = 1;
    })
    .map_err(|e| format!("tiny: {e}"))?;
    let (pop, run) = run_tiny(&scn)?;
    if !scn.is_imported() && pop.n_users() as u64 != TINY_USERS {
        return Err(format!("{} users, not {TINY_USERS}", pop.n_users()));
    }
    check_run(&scn, &pop, &run)
}

/// Loads a sweep file (which checks every point), then runs its first and last points
/// at the tiny size.
fn check_sweep(path: &Path) -> Result<(), String> {
    let (sw, origin) = sweep::load(path).map_err(|e| e.to_string())?;
    if sw.points.is_empty() {
        return Err("no points".into());
    }
    for i in [0, sw.points.len() - 1] {
        let mut value = sw.base.clone();
        let tiny = [
            ("population.users", TINY_USERS as i64),
            ("simulation.replicates", 1),
        ];
        let assigned = sw.parameters.iter().map(|p| p.path.as_str());
        for (p, v) in assigned.zip(&sw.points[i]) {
            sweep::set_path(&mut value, p, v.clone()).map_err(|e| format!("point {i}: {e}"))?;
        }
        for (p, v) in tiny {
            sweep::set_path(&mut value, p, v.into()).map_err(|e| format!("point {i}: {e}"))?;
        }
        let scn = Scenario::from_value(value, &origin.base_scenario)
            .map_err(|e| format!("point {i}: {e}"))?;
        let (pop, run) = run_tiny(&scn).map_err(|e| format!("point {i}: {e}"))?;
        check_run(&scn, &pop, &run).map_err(|e| format!("point {i}: {e}"))?;
    }
    Ok(())
}

#[test]
fn every_shipped_scenario_and_sweep_loads_and_runs_tiny() {
    let files = toml_files(&scenarios_dir());
    let (sweeps, scenarios): (Vec<&PathBuf>, Vec<&PathBuf>) =
        files.iter().partition(|p| is_sweep(p));
    // Guard against a walk that silently finds nothing.
    assert!(
        scenarios.len() >= 20,
        "only {} scenario files",
        scenarios.len()
    );
    assert!(!sweeps.is_empty(), "no sweep files under scenarios/sweeps/");
    let mut problems = Vec::new();
    for path in scenarios {
        if let Err(e) = check_scenario(path) {
            problems.push(format!("{}: {e}", rel(path)));
        }
    }
    for path in sweeps {
        if let Err(e) = check_sweep(path) {
            problems.push(format!("{} (sweep): {e}", rel(path)));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
