//! The four fuzz targets and what each one drives: the scenario parser (a file and an
//! `extends` base), the sweep parser, the population CSV importers and the reading of
//! `runs.csv` on resume. Shared by the fuzzer (`examples/fuzz/main.rs`) and by the
//! test that replays the inputs it found (`tests/fuzz_replay.rs`), so a regression
//! input is driven exactly as it was when found.
//!
//! A [`Bench`] is a scratch folder prepared once per target: a copy of the shipped
//! `scenarios/` tree (so `extends` and a sweep's base scenario resolve), the population
//! tables of a small generated population, or a finished small sweep. [`Bench::exec`]
//! writes one input into its slot and calls the library as the command line would,
//! stopping before anything is simulated. The property checked is the library's
//! contract: it returns, without panicking, either a value or a typed error whose
//! message says something. A panic propagates to the caller, which catches it; an
//! error with an empty message is returned as `Err`.

#![allow(dead_code)] // the fuzzer and the replay test each use part of it

use grapevine::population::{export, generate, import};
use grapevine::scenario::Scenario;
use grapevine::simulation;
use grapevine::sweep::{self, aggregate, exec, merge, runs, SweepFile};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

/// Largest generated population a fuzzed scenario is built for (checked, never run):
/// users and memberships (a well-mixed reference network has n^2 / 2).
const MAX_PREPARED_USERS: u64 = 2_000;
const MAX_PREPARED_MEMBERSHIPS: u64 = 20_000;
/// Most points a fuzzed sweep is resolved for: resolving checks every point's scenario,
/// and a sweep may legitimately have a million points (a minute of checking, not a
/// finding).
const MAX_RESOLVED_POINTS: u64 = 10_000;

/// What is fuzzed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A scenario file, loaded and checked, and as the base of a file that extends it.
    Scenario,
    /// A sweep file, parsed, checked and resolved against the shipped scenarios.
    Sweep,
    /// One of the population tables (members, chats, users, edges), imported.
    Csv,
    /// A sweep's `runs.csv`, read on resume, aggregated and merged.
    Runs,
}

/// Every target, in the order `--target all` runs them.
pub const TARGETS: [Target; 4] = [Target::Scenario, Target::Sweep, Target::Csv, Target::Runs];

impl Target {
    /// The target's name on the command line and in `tests/fuzz-regressions/`.
    pub fn name(self) -> &'static str {
        match self {
            Target::Scenario => "scenario",
            Target::Sweep => "sweep",
            Target::Csv => "csv",
            Target::Runs => "runs",
        }
    }

    /// The target named `name`.
    pub fn parse(name: &str) -> Option<Target> {
        TARGETS.into_iter().find(|t| t.name() == name)
    }
}

/// One starting input: the slot it goes into (a file name) and its bytes.
#[derive(Clone, Debug)]
pub struct Seed {
    /// For `csv`, the table (`members.csv`, `chats.csv`, `users.csv`, `edges.csv`);
    /// for the other targets, the shipped file it came from (for reports only).
    pub slot: String,
    pub bytes: Vec<u8>,
}

/// A scratch folder prepared for one target, with the seed inputs.
pub struct Bench {
    pub target: Target,
    dir: tempfile::TempDir,
    pub seeds: Vec<Seed>,
    /// The CSV tables as generated (each input replaces one of them).
    tables: Vec<Seed>,
    /// The finished sweep whose `runs.csv` is fuzzed.
    sweep_file: Option<SweepFile>,
}

fn io_err(what: &str, e: impl std::fmt::Display) -> String {
    format!("{what}: {e}")
}

/// Copies `from` into `to` recursively (regular files and folders only).
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let dest = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &dest)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), dest)?;
        }
    }
    Ok(())
}

/// The `.toml` files under `dir`, sorted, as seeds.
fn toml_seeds(dir: &Path, out: &mut Vec<Seed>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for p in entries {
        if p.is_dir() {
            toml_seeds(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "toml") {
            out.push(Seed {
                slot: p.display().to_string(),
                bytes: std::fs::read(&p)?,
            });
        }
    }
    Ok(())
}

/// Where a fuzzed scenario is written: one folder below `scenarios/`, so that the
/// shipped variants' `extends = "../x.toml"` finds its base.
const SCENARIO_SLOT: &str = "scenarios/fuzz/input.toml";
/// Where a fuzzed base scenario is written, and the file that extends it.
const BASE_SLOT: &str = "scenarios/fuzz/base.toml";
const CHILD: &str = "scenarios/fuzz/child.toml";
/// Where a fuzzed sweep file is written (beside the shipped one).
const SWEEP_SLOT: &str = "scenarios/sweeps/fuzz.toml";

/// Sweep seeds of the designs the shipped sweep does not use.
const LHS_SWEEP: &str = "name = \"lhs\"\nscenario = \"../baseline.toml\"\n\
design = \"latin-hypercube\"\nsamples = 40\nreplicates = 3\nseed = 7\n[parameters]\n\
rumor.appeal = { min = 0.1, max = 0.9 }\nplatform.forward_limit = { min = 1, max = 20, integer = true }\n\
\"sharing.believer\" = { min = 0.2, max = 0.8, steps = 7 }\n";
const RANDOM_SWEEP: &str = "scenario = \"../brazil-2018/factcheck-6h.toml\"\n\
design = \"random\"\nsamples = 25\n[parameters]\n\"interventions[0].at\" = [\"6h\", \"1d\"]\n\
sharing.believer = { min = 0.1, max = 0.9 }\nrumor.appeal = [0.2, 0.5]\n";

/// Scenario of the CSV target's membership tables (its camps are those written).
const MEMBERS_SCENARIO: &str = "[simulation]\nhorizon = \"1d\"\nreplicates = 1\n\
[population]\nmembers = \"members.csv\"\nchat_table = \"chats.csv\"\nuser_table = \"users.csv\"\n\
camps = [{ name = \"left\", share = 0.5 }, { name = \"right\", share = 0.5 }]\n\
[[seeds]]\nusers = 1\n";
/// Scenario of the CSV target's edge list.
const EDGES_SCENARIO: &str = "[simulation]\nhorizon = \"1d\"\nreplicates = 1\n\
[population]\nedges = \"edges.csv\"\n[[seeds]]\nusers = 1\n";
/// The generated population whose tables seed the CSV target.
const POPULATION_SCENARIO: &str = "[simulation]\nseed = 16\n[population]\nusers = 120\n\
camps = [{ name = \"left\", share = 0.5 }, { name = \"right\", share = 0.5 }]\n\
[population.chats.family]\nper_user = 1.0\n[population.chats.political]\nper_user = 0.5\n\
[population.chats.direct]\nper_user = 2.0\n";

/// Base scenario and sweep whose `runs.csv` seeds the runs target: 6 points x 2
/// replicates of a 150-user day, with a string parameter (quoted in `runs.csv`).
const RUNS_BASE: &str = "name = \"small\"\n[simulation]\nhorizon = \"1d\"\nreplicates = 1\n\
[population]\nusers = 150\n[rumor]\nappeal = 0.4\n[sharing]\nbeliever = 0.5\n";
const RUNS_SWEEP: &str = "scenario = \"base.toml\"\nreplicates = 2\nseed = 11\n\
[parameters]\nplatform.forward_limit = [1, 5, \"unlimited\"]\nsharing.believer = [0.3, 0.6]\n";

impl Bench {
    /// Prepares the scratch folder of `target`; `repo` is the repository's root (for
    /// the shipped `scenarios/`).
    pub fn new(target: Target, repo: &Path) -> Result<Bench, String> {
        let dir = tempfile::Builder::new()
            .prefix(&format!("grapevine-fuzz-{}-", target.name()))
            .tempdir()
            .map_err(|e| io_err("scratch folder", e))?;
        let root = dir.path().to_path_buf();
        let root = root.as_path();
        let shipped = repo.join("scenarios");
        let mut bench = Bench {
            target,
            seeds: Vec::new(),
            tables: Vec::new(),
            sweep_file: None,
            dir,
        };
        match target {
            Target::Scenario | Target::Sweep => {
                copy_tree(&shipped, &root.join("scenarios")).map_err(|e| io_err("copy", e))?;
                std::fs::create_dir_all(root.join("scenarios/fuzz"))
                    .map_err(|e| io_err("mkdir", e))?;
                let from = if target == Target::Scenario {
                    shipped.clone()
                } else {
                    shipped.join("sweeps")
                };
                let mut seeds = Vec::new();
                toml_seeds(&from, &mut seeds).map_err(|e| io_err("seeds", e))?;
                if target == Target::Scenario {
                    seeds.retain(|s| !s.slot.contains("/sweeps/"));
                } else {
                    // The shipped sweep is a grid: add the other designs and ranges.
                    for extra in [LHS_SWEEP, RANDOM_SWEEP] {
                        seeds.push(Seed {
                            slot: "built-in".into(),
                            bytes: extra.as_bytes().to_vec(),
                        });
                    }
                }
                std::fs::write(
                    root.join(CHILD),
                    "extends = \"base.toml\"\nname = \"child\"\n[simulation]\nreplicates = 2\n",
                )
                .map_err(|e| io_err("child", e))?;
                bench.seeds = seeds;
            }
            Target::Csv => {
                let scn = Scenario::from_toml_str(POPULATION_SCENARIO, "population")
                    .map_err(|e| e.to_string())?;
                let pop = generate::generate(&scn);
                let tables = root.join("tables");
                export::write_population(&pop, &tables).map_err(|e| e.to_string())?;
                for name in ["members.csv", "chats.csv", "users.csv"] {
                    let bytes = std::fs::read(tables.join(name)).map_err(|e| io_err(name, e))?;
                    bench.tables.push(Seed {
                        slot: name.into(),
                        bytes,
                    });
                }
                bench.tables.push(Seed {
                    slot: "edges.csv".into(),
                    bytes: edge_list(&pop),
                });
                bench.seeds = bench.tables.clone();
                // The other dialects of an edge list: tabs without a header, spaces
                // with comments and networkx's data column.
                let edges = String::from_utf8_lossy(&bench.tables[3].bytes).into_owned();
                let rows: Vec<&str> = edges.lines().skip(1).take(40).collect();
                bench.seeds.push(Seed {
                    slot: "edges.csv".into(),
                    bytes: rows.join("\n").replace(',', "\t").into_bytes(),
                });
                let spaced: String = rows
                    .iter()
                    .map(|r| format!("{} {{'weight': 1}}\n", r.replace(',', " ")))
                    .collect();
                bench.seeds.push(Seed {
                    slot: "edges.csv".into(),
                    bytes: format!("% a comment\n# another\n{spaced}").into_bytes(),
                });
                std::fs::write(root.join("members.toml"), MEMBERS_SCENARIO)
                    .map_err(|e| io_err("scenario", e))?;
                std::fs::write(root.join("edges.toml"), EDGES_SCENARIO)
                    .map_err(|e| io_err("scenario", e))?;
            }
            Target::Runs => {
                std::fs::write(root.join("base.toml"), RUNS_BASE).map_err(|e| io_err("base", e))?;
                let spec = root.join("sweep.toml");
                std::fs::write(&spec, RUNS_SWEEP).map_err(|e| io_err("sweep", e))?;
                let (sweep, origin) = sweep::load(&spec).map_err(|e| e.to_string())?;
                let file = SweepFile::new(&sweep, origin, None);
                let done = root.join("done");
                let prepared = exec::prepare(&file, &done, exec::Existing::Refuse)
                    .map_err(|e| e.to_string())?;
                let never = AtomicBool::new(false);
                exec::execute(&file, &prepared, false, &mut |_| {}, &never)
                    .map_err(|e| e.to_string())?;
                drop(prepared);
                let full =
                    std::fs::read(done.join(runs::RUNS_CSV)).map_err(|e| io_err("runs.csv", e))?;
                let text = String::from_utf8_lossy(&full).into_owned();
                let lines: Vec<&str> = text.split_inclusive('\n').collect();
                let half: String = lines[..lines.len() / 2].concat();
                bench.seeds = vec![
                    Seed {
                        slot: "runs.csv".into(),
                        bytes: full.clone(),
                    },
                    Seed {
                        slot: "runs.csv".into(),
                        bytes: half.into_bytes(),
                    },
                ];
                bench.sweep_file = Some(file);
            }
        }
        Ok(bench)
    }

    /// The scratch folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Drives the library with one input in `slot`. `Ok` whether the library accepted
    /// or refused the input (the first reader's verdict); `Err` when it broke its
    /// contract without panicking.
    pub fn exec(&self, slot: &str, input: &[u8]) -> Result<Verdict, String> {
        match self.target {
            Target::Scenario => self.exec_scenario(input),
            Target::Sweep => self.exec_sweep(input),
            Target::Csv => self.exec_csv(slot, input),
            Target::Runs => self.exec_runs(input),
        }
    }

    fn write(&self, rel: &str, bytes: &[u8]) -> Result<PathBuf, String> {
        let p = self.dir.path().join(rel);
        std::fs::write(&p, bytes).map_err(|e| io_err(rel, e))?;
        Ok(p)
    }

    fn exec_scenario(&self, input: &[u8]) -> Result<Verdict, String> {
        let path = self.write(SCENARIO_SLOT, input)?;
        let loaded = described(Scenario::load(&path))?;
        let verdict = Verdict::of(&loaded);
        if let Ok(scn) = loaded {
            after_check(&scn)?;
        }
        // The same text as the base of a file that extends it.
        self.write(BASE_SLOT, input)?;
        if let Ok(scn) = described(Scenario::load(&self.dir.path().join(CHILD)))? {
            after_check(&scn)?;
        }
        Ok(verdict)
    }

    fn exec_sweep(&self, input: &[u8]) -> Result<Verdict, String> {
        let path = self.write(SWEEP_SLOT, input)?;
        let Ok(text) = std::str::from_utf8(input) else {
            return described(sweep::load(&path)).map(|r| Verdict::of(&r));
        };
        let spec = described(sweep::spec::parse(text, &path))?;
        let Ok(spec) = spec else {
            return Ok(Verdict::of(&spec));
        };
        if spec.point_count() > MAX_RESOLVED_POINTS {
            return Ok(Verdict::Refused(format!(
                "not resolved: {} points",
                spec.point_count()
            )));
        }
        let loaded = described(sweep::load(&path))?;
        let verdict = Verdict::of(&loaded);
        if let Ok((sweep, origin)) = loaded {
            let file = SweepFile::new(&sweep, origin, None);
            // Every run's scenario can be rebuilt from sweep.json alone.
            for ix in [0, sweep.run_count().saturating_sub(1)] {
                described(file.run_scenario(ix))?
                    .map_err(|e| format!("a resolved sweep's run {ix} has no scenario: {e}"))?;
            }
        }
        Ok(verdict)
    }

    fn exec_csv(&self, slot: &str, input: &[u8]) -> Result<Verdict, String> {
        let scenario = if slot == "edges.csv" {
            "edges.toml"
        } else {
            "members.toml"
        };
        for t in &self.tables {
            let bytes = if t.slot == slot { input } else { &t.bytes };
            self.write(&t.slot, bytes)?;
        }
        let scn = Scenario::load(&self.dir.path().join(scenario))
            .map_err(|e| format!("the CSV target's scenario does not load: {e}"))?;
        let imported = described(import::import(&scn))?;
        let verdict = Verdict::of(&imported);
        if let Ok(pop) = imported {
            described(simulation::check_against_population(&scn, &pop))?.ok();
            let _ = simulation::warnings(&pop);
            let est = simulation::estimate_memory(&scn, 1, Some(&pop));
            described(simulation::check_capacity(&est))?.ok();
        }
        Ok(verdict)
    }

    fn exec_runs(&self, input: &[u8]) -> Result<Verdict, String> {
        let file = self
            .sweep_file
            .as_ref()
            .expect("the runs target has a sweep");
        let dir = self.dir.path().join("resume");
        let out = self.dir.path().join("merged");
        for d in [&dir, &out] {
            if d.exists() {
                std::fs::remove_dir_all(d).map_err(|e| io_err("clean", e))?;
            }
        }
        std::fs::create_dir_all(&dir).map_err(|e| io_err("mkdir", e))?;
        // A sweep folder as a sweep leaves it: marked as Grapevine's, with sweep.json.
        grapevine::output::dir::write_marker(&dir).map_err(|e| e.to_string())?;
        file.write(&dir).map_err(|e| e.to_string())?;
        let runs_path = self.write("resume/runs.csv", input)?;
        described(runs::read(&runs_path, &file.sweep))?.ok();
        // Resume: the rows kept, the file repaired, the runs still to do.
        let prepared = described(exec::prepare(file, &dir, exec::Existing::Resume))?;
        let Ok(prepared) = prepared else {
            return Ok(Verdict::of(&prepared));
        };
        if prepared.done + prepared.todo.len() as u64 != prepared.total {
            return Err(format!(
                "resume counts {} done and {} to do of {} runs",
                prepared.done,
                prepared.todo.len(),
                prepared.total
            ));
        }
        drop(prepared);
        described(aggregate::aggregate_dir(&dir, &file.sweep))?.ok();
        described(merge::merge(&[dir], &out))?.ok();
        Ok(Verdict::Accepted)
    }
}

/// What the first reader of an input said.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    Accepted,
    /// Refused, with the error's message.
    Refused(String),
}

impl Verdict {
    fn of<T, E: std::fmt::Display>(r: &Result<T, E>) -> Verdict {
        match r {
            Ok(_) => Verdict::Accepted,
            Err(e) => Verdict::Refused(e.to_string()),
        }
    }
}

/// `Err` if the library refused with an empty message; otherwise the result as is.
fn described<T, E: std::fmt::Display + std::fmt::Debug>(
    r: Result<T, E>,
) -> Result<Result<T, E>, String> {
    match &r {
        Err(e) if e.to_string().trim().is_empty() => {
            Err(format!("an error without a message: {e:?}"))
        }
        _ => Ok(r),
    }
}

/// What `grapevine check` does after loading a scenario, and for a small generated
/// population (or an imported one: the scratch folder holds only small files) what
/// `run` does before its first step. Nothing is simulated.
fn after_check(scn: &Scenario) -> Result<(), String> {
    let round_trip = Scenario::check(scn.to_config(), scn.path.clone(), &scn.name);
    if let Err(e) = round_trip {
        return Err(format!(
            "a checked scenario fails its own check when rewritten: {e}"
        ));
    }
    let est = simulation::estimate_memory(scn, 2, None);
    described(simulation::check_capacity(&est))?.ok();
    let small = est.users <= MAX_PREPARED_USERS && est.memberships <= MAX_PREPARED_MEMBERSHIPS;
    if scn.is_imported() || small {
        if let Ok(pop) = described(simulation::prepare(scn, 1))? {
            let _ = simulation::warnings(&pop);
        }
    }
    Ok(())
}

/// An edge list of the population's chats (each chat's consecutive members), with a
/// `source,target` header: the edge-list seed of the CSV target.
fn edge_list(pop: &grapevine::population::Population) -> Vec<u8> {
    let mut out = String::from("source,target\n");
    for c in 0..pop.n_chats() {
        for pair in pop.chats.members.row(c).windows(2) {
            out.push_str(&format!("{},{}\n", pair[0], pair[1]));
        }
    }
    out.into_bytes()
}
