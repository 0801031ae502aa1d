//! A scenario as a model to calibrate: parameter vectors become scenarios (parameter
//! paths as in sweeps, [`crate::sweep::set_path`]), scenarios become runs, and runs
//! become distances to the observed data ([`super::observed`]).
//!
//! Each simulation runs the scenario with the fitted values written in, `simulation.seed`
//! set to the simulation's seed and one replicate, and only up to the last observed time
//! (nothing in a step depends on later ones). Values are written as the base scenario
//! holds them: a whole number for an integer field (the sampler's value rounded), a
//! duration in hours (`"5.25h"`) for a duration field, a number otherwise.
//!
//! The population is built once, from the base scenario's seed, and shared by every
//! simulation, as `grapevine run` shares it among replicates; unless a fitted parameter
//! shapes the population (a path under `population.`, `platform.group_cap`,
//! `platform.broadcast_cap`, `platform.preset`, `public.share` or `public.followers`) or
//! the scenario sets `simulation.fresh_population`: then each simulation builds its own
//! from its seed, as a sweep run does.

use super::observed::ObservedData;
use super::prior::Parameter;
use crate::engine::{self, Params};
use crate::error::CalibrationError;
use crate::population::Population;
use crate::record::RunOutput;
use crate::scenario::Scenario;
use crate::simulation;
use crate::sweep::set_path;
use crate::sweep::spec::{parse_path, Segment};
use std::path::{Path, PathBuf};

/// Name of the distance, recorded with every calibration.
pub const DISTANCE: &str = "relative RMS of cumulative counts per window (observed.rs, v1)";

/// Path prefixes of parameters that shape the population.
const POPULATION_PATHS: [&str; 6] = [
    "population.",
    "platform.group_cap",
    "platform.broadcast_cap",
    "platform.preset",
    "public.share",
    "public.followers",
];

/// How a fitted value is written into the scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ValueKind {
    Float,
    Integer,
    Hours,
}

impl ValueKind {
    fn value(self, x: f64) -> toml::Value {
        match self {
            ValueKind::Float => toml::Value::Float(x),
            ValueKind::Integer => toml::Value::Integer(x.round() as i64),
            ValueKind::Hours => toml::Value::String(format!("{x}h")),
        }
    }
}

/// A scenario, the parameters fitted in it and the data it is fitted to.
pub struct ScenarioModel {
    path: PathBuf,
    base: toml::Value,
    scenario: Scenario,
    params: Vec<Parameter>,
    kinds: Vec<ValueKind>,
    data: ObservedData,
    shared: Option<Population>,
    per_simulation: bool,
    /// Nanoseconds spent in the engine (all threads), and simulations run.
    engine: std::sync::atomic::AtomicU64,
    runs: std::sync::atomic::AtomicU64,
}

impl ScenarioModel {
    /// Loads the scenario, checks every parameter path at both ends of its prior (all
    /// problems at once), and reads the data against the scenario's windows.
    pub fn new(
        scenario: &Path,
        params: &[Parameter],
        data: &Path,
    ) -> Result<ScenarioModel, CalibrationError> {
        let base = Scenario::load_value(scenario)?;
        let checked = Scenario::from_value(base.clone(), scenario)?;
        let mut problems = Vec::new();
        let mut kinds = Vec::new();
        for p in params {
            match value_kind(&base, scenario, p) {
                Ok(k) => kinds.push(k),
                Err(m) => {
                    problems.push(format!("--fit {}={}: {m}", p.name, p.prior));
                    kinds.push(ValueKind::Float);
                }
            }
        }
        if !problems.is_empty() {
            return Err(CalibrationError::Settings(problems.join("\n")));
        }
        if checked.observe.is_empty() {
            return Err(CalibrationError::Settings(format!(
                "{} has no [[observe]] windows: calibration compares what windows see with \
                 the data",
                scenario.display()
            )));
        }
        let data = ObservedData::read(data, &checked, scenario)?;
        let per_simulation = checked.simulation.fresh_population && !checked.is_imported()
            || params
                .iter()
                .any(|p| POPULATION_PATHS.iter().any(|q| p.name.starts_with(q)));
        Ok(ScenarioModel {
            path: scenario.to_path_buf(),
            base,
            scenario: checked,
            params: params.to_vec(),
            kinds,
            data,
            shared: None,
            per_simulation,
            engine: Default::default(),
            runs: Default::default(),
        })
    }

    /// Builds the shared population (unless each simulation builds its own), checking
    /// memory for `threads` simulations at once.
    pub fn prepare(&mut self, threads: usize) -> Result<(), CalibrationError> {
        let scn = self
            .scenario
            .with_run(self.scenario.simulation.seed, threads as u32)?;
        if self.per_simulation {
            simulation::check_capacity(&simulation::estimate_memory(&scn, threads, None))
                .map_err(crate::error::PrepareError::from)?;
        } else if self.shared.is_none() {
            self.shared = Some(simulation::prepare(&scn, threads)?);
        }
        Ok(())
    }

    /// The checked base scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The observed data.
    pub fn data(&self) -> &ObservedData {
        &self.data
    }

    /// The fitted parameters.
    pub fn params(&self) -> &[Parameter] {
        &self.params
    }

    /// Whether each simulation builds its own population.
    pub fn per_simulation_population(&self) -> bool {
        self.per_simulation
    }

    /// The shared population, once [`ScenarioModel::prepare`] built it.
    pub fn shared_population(&self) -> Option<&Population> {
        self.shared.as_ref()
    }

    /// What is fitted to what, for `calibration.json`: the merged base scenario, the
    /// data, the distance and how populations are built.
    pub fn problem(&self) -> serde_json::Value {
        serde_json::json!({
            "scenario": serde_json::to_value(&self.base).unwrap_or_default(),
            "data": self.data.windows,
            "distance": DISTANCE,
            "population": if self.per_simulation { "per simulation" } else { "shared" },
        })
    }

    /// The scenario at `theta` (natural scale) with `seed` and one replicate.
    pub fn scenario_at(&self, theta: &[f64], seed: u64) -> Result<Scenario, String> {
        let mut v = self.base.clone();
        for ((p, k), &x) in self.params.iter().zip(&self.kinds).zip(theta) {
            set_path(&mut v, &p.name, k.value(x))?;
        }
        for (path, value) in [
            (
                "simulation.seed",
                toml::Value::Integer(seed as i64 & i64::MAX),
            ),
            ("simulation.replicates", toml::Value::Integer(1)),
        ] {
            set_path(&mut v, path, value)?;
        }
        let assignment = || {
            self.params
                .iter()
                .zip(theta)
                .map(|(p, x)| format!("{} = {x}", p.name))
                .collect::<Vec<_>>()
                .join(", ")
        };
        Scenario::from_value(v, &self.path).map_err(|e| format!("at {}: {e}", assignment()))
    }

    /// Runs the model at `theta` with `seed` for `steps` steps (at most the horizon).
    pub fn run(
        &self,
        theta: &[f64],
        seed: u64,
        steps: u32,
    ) -> Result<(Scenario, RunOutput), String> {
        let scn = self.scenario_at(theta, seed)?;
        let params = Params::new(&scn);
        let started = std::time::Instant::now();
        let out = if self.per_simulation {
            let pop = simulation::build_population(&scn).map_err(|e| e.to_string())?;
            simulation::check_against_population(&scn, &pop).map_err(|e| e.to_string())?;
            engine::run_replicate_for(&pop, &scn, &params, 0, steps, &|| {})
        } else {
            let pop = self
                .shared
                .as_ref()
                .ok_or("the shared population was not built (prepare first)")?;
            engine::run_replicate_for(pop, &scn, &params, 0, steps, &|| {})
        };
        use std::sync::atomic::Ordering::Relaxed;
        self.engine
            .fetch_add(started.elapsed().as_nanos() as u64, Relaxed);
        self.runs.fetch_add(1, Relaxed);
        Ok((scn, out))
    }

    /// Seconds spent in the engine so far (summed over threads; population builds per
    /// simulation included), and the simulations run.
    pub fn engine_time(&self) -> (f64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (
            self.engine.load(Relaxed) as f64 * 1e-9,
            self.runs.load(Relaxed),
        )
    }

    /// Steps up to the last observed time.
    pub fn observed_steps(&self) -> u32 {
        let step = self.scenario.simulation.step_minutes;
        ((self.data.last_hours() * 60.0 / step + 1e-9).floor() as u32)
            .clamp(1, self.scenario.simulation.steps)
    }

    /// The distance between a simulation at `theta` with `seed` and the data.
    pub fn distance(&self, theta: &[f64], seed: u64) -> Result<f64, String> {
        let (scn, out) = self.run(theta, seed, self.observed_steps())?;
        Ok(self.data.distance(&scn, &out))
    }
}

/// How parameter `p` is written into the scenario: as the base holds the value, or,
/// for a value the base leaves to its default, the first kind the scenario accepts.
/// Both ends of the prior must give a valid scenario.
fn value_kind(base: &toml::Value, file: &Path, p: &Parameter) -> Result<ValueKind, String> {
    if p.name == "simulation.seed" || p.name == "simulation.replicates" {
        return Err("the calibration sets the seed and the replicates of every simulation".into());
    }
    let candidates: Vec<ValueKind> = match value_at(base, &p.name)? {
        Some(toml::Value::Integer(_)) => vec![ValueKind::Integer],
        Some(toml::Value::Float(_)) => vec![ValueKind::Float],
        Some(toml::Value::String(s)) if crate::duration::parse(s).is_ok() => vec![ValueKind::Hours],
        Some(other) => {
            return Err(format!(
                "the scenario holds {} there, not a number or a duration",
                other.type_str()
            ))
        }
        None => vec![ValueKind::Float, ValueKind::Integer, ValueKind::Hours],
    };
    // The first error that is not about the value's type says what is wrong.
    let mut best: Option<String> = None;
    let mut last = String::new();
    for k in candidates {
        let check = |x: f64| -> Result<(), String> {
            let mut v = base.clone();
            set_path(&mut v, &p.name, k.value(x))?;
            Scenario::from_value(v, file)
                .map(|_| ())
                .map_err(|e| match e {
                    crate::error::ScenarioError::Invalid { violations, .. } => violations
                        .iter()
                        .map(|v| format!("{}: {}", v.field, v.message))
                        .collect::<Vec<_>>()
                        .join("; "),
                    other => other.to_string(),
                })
        };
        match check(p.prior.low).and_then(|()| check(p.prior.high)) {
            Ok(()) => return Ok(k),
            Err(m) if !m.contains("invalid type") && best.is_none() => best = Some(m),
            Err(m) => last = m,
        }
    }
    let last = best.unwrap_or(last);
    Err(if last.contains("unknown field") {
        format!("not a field of the scenario format: {last}")
    } else {
        last
    })
}

/// The value at a parameter path in a TOML value, if present.
fn value_at<'a>(root: &'a toml::Value, path: &str) -> Result<Option<&'a toml::Value>, String> {
    let mut cur = root;
    for seg in parse_path(path)? {
        let next = match (&seg, cur) {
            (Segment::Key(k), toml::Value::Table(t)) => t.get(k),
            (Segment::Index(i), toml::Value::Array(a)) => a.get(*i),
            _ => None,
        };
        match next {
            Some(v) => cur = v,
            None => return Ok(None),
        }
    }
    Ok(Some(cur))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::prior::Prior;

    fn setup(dir: &Path, fit: &[(&str, &str)]) -> Result<ScenarioModel, CalibrationError> {
        std::fs::write(
            dir.join("s.toml"),
            "[simulation]\nstep = \"1h\"\nhorizon = \"1d\"\nreplicates = 3\n\
             [population]\nusers = 400\n\
             [sharing]\nactions = 2\ndelay = \"2h\"\n\
             [[seeds]]\nchats = 2\nkind = \"political\"\n\
             [[interventions]]\nkind = \"fact_check\"\nat = \"12h\"\nusers = 3\n\
             [[observe]]\nkind = \"monitor\"\ngroups = 10\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("d.csv"),
            "hours,window,count\n6,monitor,3\n12,monitor,5\n",
        )
        .unwrap();
        let params: Vec<Parameter> = fit
            .iter()
            .map(|(n, r)| Parameter {
                name: n.to_string(),
                prior: Prior::parse(r).unwrap(),
            })
            .collect();
        ScenarioModel::new(&dir.join("s.toml"), &params, &dir.join("d.csv"))
    }

    #[test]
    fn values_are_written_as_the_scenario_holds_them() {
        let t = tempfile::tempdir().unwrap();
        let m = setup(
            t.path(),
            &[
                ("rumor.appeal", "0.1..0.5"),
                ("sharing.actions", "1..4"),
                ("interventions[0].at", "1..20"),
                ("sharing.believer", "0.1..1:log"),
            ],
        )
        .unwrap();
        assert_eq!(
            m.kinds,
            [
                ValueKind::Float,
                ValueKind::Integer,
                ValueKind::Hours,
                ValueKind::Float
            ]
        );
        let scn = m.scenario_at(&[0.3, 2.6, 5.5, 0.5], 99).unwrap();
        assert_eq!(scn.rumor.appeal, 0.3);
        assert_eq!(scn.sharing.actions, crate::scenario::Limit::Count(3));
        assert_eq!(
            scn.interventions[0].trigger,
            crate::scenario::Trigger::At(crate::duration::Duration::from_hours(5.5))
        );
        assert_eq!((scn.simulation.seed, scn.simulation.replicates), (99, 1));
        assert!(!m.per_simulation_population());
        assert_eq!(m.observed_steps(), 12);
    }

    #[test]
    fn bad_parameters_are_all_reported() {
        let t = tempfile::tempdir().unwrap();
        let e = setup(
            t.path(),
            &[
                ("rumor.apeal", "0.1..0.5"),
                ("rumor.appeal", "0.5..1.5"),
                ("seeds", "1..2"),
                ("simulation.seed", "1..2"),
            ],
        )
        .err()
        .unwrap()
        .to_string();
        assert!(e.contains("--fit rumor.apeal=0.1..0.5: not a field"), "{e}");
        assert!(
            e.contains("--fit rumor.appeal=0.5..1.5: rumor.appeal: 1.5 is out of range"),
            "{e}"
        );
        assert!(
            e.contains("--fit seeds=1..2: the scenario holds array there"),
            "{e}"
        );
        assert!(
            e.contains("--fit simulation.seed=1..2: the calibration sets the seed"),
            "{e}"
        );
    }

    #[test]
    fn simulations_give_distances_and_population_parameters_rebuild() {
        let t = tempfile::tempdir().unwrap();
        let mut m = setup(t.path(), &[("rumor.appeal", "0.1..0.5")]).unwrap();
        m.prepare(1).unwrap();
        let d = m.distance(&[0.3], 5).unwrap();
        assert!(d.is_finite() && d >= 0.0);
        assert_eq!(d, m.distance(&[0.3], 5).unwrap());
        let (_, out) = m.run(&[0.3], 5, 12).unwrap();
        assert_eq!(out.records.len(), 12);
        let m = setup(
            t.path(),
            &[("population.chats.political.per_user", "0.1..0.5")],
        )
        .unwrap();
        assert!(m.per_simulation_population());
    }
}
