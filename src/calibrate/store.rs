//! The files of a calibration folder, written so that nothing finished is ever lost or
//! recomputed:
//!
//! | file | content |
//! | --- | --- |
//! | `calibration.json` | the settings and the problem (what is fitted to what): a resume, a shard or a merge must match them |
//! | `generations/particles-TTT.csv` | particles of generation `TTT` as they are found, one row each, appended and flushed (completion order) |
//! | `shard-I-of-N/particles-TTT.csv` | the same, for the particles a shard computed |
//! | `generations/abandoned-TTT.json`, `shard-I-of-N/abandoned-TTT.json` | generation `TTT` did not fit in this budget (so it is not tried again with the same or a smaller one) |
//! | `generations/generation-TTT.csv` | a finished generation: particle, parameters, weight, distance, runs (index order) |
//! | `generations.csv` | one row per finished generation: tolerance, particles, runs, acceptance rate, ESS, total runs |
//! | `posterior.csv` | the last finished generation, written when the calibration stops |
//! | `result.json` | why it stopped, and the posterior's marginals |
//!
//! A finished generation's file is the truth; `generations.csv` is derived from the
//! generation files (tolerances follow from the previous generation). Floats are
//! written in their shortest round-trip form, so a value read back is the value
//! written, bit for bit, and a resumed calibration continues exactly as an
//! uninterrupted one. A particles file's torn last line (no newline, or the wrong
//! number of fields) is dropped and the file rewritten before anything is appended; a
//! damaged line elsewhere is an error with its file and line.

use super::population::{GenerationSummary, Particle, Population};
use super::prior::Parameter;
use super::smc::{Accepted, Settings};
use crate::error::{CalibrationError, OutputError};
use crate::output::dir::write_atomic;
use crate::output::files::csv_field;
use crate::sweep::exec::Shard;
use crate::sweep::runs::split_fields;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The description of a calibration folder.
pub const CALIBRATION_JSON: &str = "calibration.json";
/// One row per finished generation.
pub const GENERATIONS_CSV: &str = "generations.csv";
/// Folder of the generation and particles files.
pub const GENERATIONS_DIR: &str = "generations";
/// The final generation.
pub const POSTERIOR_CSV: &str = "posterior.csv";
/// Why the calibration stopped, and the marginals.
pub const RESULT_JSON: &str = "result.json";
/// Files and folders of the core calibration (`--force` removes them, and shard
/// folders).
pub const CORE_FILES: [&str; 5] = [
    CALIBRATION_JSON,
    GENERATIONS_CSV,
    GENERATIONS_DIR,
    POSTERIOR_CSV,
    RESULT_JSON,
];

/// The contents of `calibration.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CalibrationFile {
    /// Version of Grapevine that started the calibration.
    pub grapevine_version: String,
    /// Sampler settings; a resume, shard or merge must match them.
    pub settings: Settings,
    /// What is fitted to what (model, data, distance), as the caller describes it.
    pub problem: serde_json::Value,
    /// The budget of the last whole run or merge (informational: it may change).
    pub budget: u64,
    /// How particle seeds and streams are formed (documentation for readers).
    pub randomness: String,
}

impl CalibrationFile {
    /// Describes a calibration.
    pub fn new(settings: &Settings, problem: &serde_json::Value, budget: u64) -> Self {
        CalibrationFile {
            grapevine_version: env!("CARGO_PKG_VERSION").into(),
            settings: settings.clone(),
            problem: problem.clone(),
            budget,
            randomness: "proposal of attempt a of particle i in generation t: \
                         rng::stream(seed, t, i, a, Purpose::Calibration); its simulation \
                         seed: derive_seed(seed, [0x41424353494D, t, i, a])"
                .into(),
        }
    }

    /// Reads `DIR/calibration.json`; `None` when it does not exist.
    pub fn read(dir: &Path) -> Result<Option<CalibrationFile>, CalibrationError> {
        let path = dir.join(CALIBRATION_JSON);
        if !path.exists() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&path).map_err(|source| CalibrationError::Io {
            file: path.clone(),
            source,
        })?;
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| CalibrationError::Row {
                file: path,
                line: e.line() as u64,
                reason: format!("not a Grapevine calibration description: {e}"),
            })
    }

    /// Writes `DIR/calibration.json` atomically.
    pub fn write(&self, dir: &Path) -> Result<(), CalibrationError> {
        write_atomic(&dir.join(CALIBRATION_JSON), |w| {
            serde_json::to_writer_pretty(&mut *w, self)?;
            writeln!(w)
        })?;
        Ok(())
    }

    /// Whether `self` describes the same calibration as `settings` and `problem`.
    pub fn same(&self, settings: &Settings, problem: &serde_json::Value) -> bool {
        self.settings == *settings && self.problem == *problem
    }
}

/// `DIR/generations/generation-TTT.csv`.
pub fn generation_file(dir: &Path, generation: u32) -> PathBuf {
    dir.join(GENERATIONS_DIR)
        .join(format!("generation-{generation:03}.csv"))
}

/// The particles file of generation `generation` in `dir` (`DIR/generations/` for the
/// whole calibration, the shard folder itself for a shard).
pub fn particles_file(dir: &Path, shard: Option<Shard>, generation: u32) -> PathBuf {
    let folder = match shard {
        None => dir.join(GENERATIONS_DIR),
        Some(s) => dir.join(s.folder_name()),
    };
    folder.join(format!("particles-{generation:03}.csv"))
}

fn names(params: &[Parameter]) -> Vec<String> {
    params
        .iter()
        .map(|p| csv_field(&p.name).into_owned())
        .collect()
}

/// Header of a generation file and of `posterior.csv`.
pub fn population_header(params: &[Parameter]) -> String {
    format!(
        "particle,{},weight,distance,runs\n",
        names(params).join(",")
    )
}

/// Writes a population (a generation file or `posterior.csv`) atomically.
pub fn write_population(
    path: &Path,
    params: &[Parameter],
    pop: &Population,
) -> Result<(), OutputError> {
    write_atomic(path, |w| {
        w.write_all(population_header(params).as_bytes())?;
        for p in &pop.particles {
            let theta: Vec<String> = p.theta.iter().map(f64::to_string).collect();
            writeln!(
                w,
                "{},{},{},{},{}",
                p.index,
                theta.join(","),
                p.weight,
                p.distance,
                p.runs
            )?;
        }
        Ok(())
    })
}

/// Reads a population written by [`write_population`]: `particles` rows in index
/// order, with the header of `params`.
pub fn read_population(
    path: &Path,
    params: &[Parameter],
    generation: u32,
    epsilon: f64,
    particles: u32,
) -> Result<Population, CalibrationError> {
    let text = std::fs::read_to_string(path).map_err(|source| CalibrationError::Io {
        file: path.to_path_buf(),
        source,
    })?;
    let bad = |line: usize, reason: String| CalibrationError::Row {
        file: path.to_path_buf(),
        line: line as u64 + 1,
        reason,
    };
    let mut lines = text.lines();
    let header = population_header(params);
    if lines.next() != Some(header.trim_end()) {
        return Err(bad(
            0,
            format!(
                "not a generation of this calibration: the header should be {}",
                header.trim_end()
            ),
        ));
    }
    let k = params.len();
    let mut out = Vec::with_capacity(particles as usize);
    for (n, line) in lines.enumerate() {
        let f = split_fields(line);
        if f.len() != k + 4 {
            return Err(bad(
                n + 1,
                format!("{} fields, expected {}", f.len(), k + 4),
            ));
        }
        let index: u32 = f[0]
            .parse()
            .map_err(|_| bad(n + 1, format!("particle \"{}\" is not a number", f[0])))?;
        if index as usize != out.len() {
            return Err(bad(
                n + 1,
                format!("particle {index} where particle {} was expected", out.len()),
            ));
        }
        let num = |i: usize| -> Result<f64, CalibrationError> {
            f[i].parse::<f64>()
                .map_err(|_| bad(n + 1, format!("\"{}\" is not a number", f[i])))
        };
        let theta = (1..=k).map(num).collect::<Result<Vec<f64>, _>>()?;
        if let Some((p, x)) = params
            .iter()
            .zip(&theta)
            .find(|(p, x)| !(x.is_finite() && p.prior.low <= **x && **x <= p.prior.high))
        {
            return Err(bad(
                n + 1,
                format!("{} = {x} lies outside its prior {}", p.name, p.prior),
            ));
        }
        let weight = num(k + 1)?;
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(bad(n + 1, format!("weight {weight} is not a weight")));
        }
        let distance = num(k + 2)?;
        let runs: u32 = f[k + 3]
            .parse()
            .map_err(|_| bad(n + 1, format!("runs \"{}\" is not a count", f[k + 3])))?;
        out.push(Particle {
            index,
            theta,
            weight,
            distance,
            runs,
        });
    }
    if out.len() != particles as usize {
        return Err(bad(
            out.len(),
            format!(
                "{} particles, the calibration has {particles} per generation",
                out.len()
            ),
        ));
    }
    Ok(Population {
        generation,
        epsilon,
        particles: out,
    })
}

/// Writes `generations.csv` atomically.
pub fn write_generations(dir: &Path, rows: &[GenerationSummary]) -> Result<(), OutputError> {
    write_atomic(&dir.join(GENERATIONS_CSV), |w| {
        writeln!(
            w,
            "generation,epsilon,particles,runs,acceptance_rate,ess,total_runs"
        )?;
        for r in rows {
            writeln!(
                w,
                "{},{},{},{},{},{},{}",
                r.generation,
                r.epsilon,
                r.particles,
                r.runs,
                r.acceptance_rate,
                r.ess,
                r.total_runs
            )?;
        }
        Ok(())
    })
}

/// One row of a particles file: a particle found.
#[derive(Clone, Debug, PartialEq)]
pub struct ParticleRow {
    /// Particle index in its generation, `0..particles`.
    pub particle: u32,
    /// What was accepted and at what cost.
    pub found: Accepted,
}

/// Header of a particles file.
pub fn particles_header(params: &[Parameter]) -> String {
    format!(
        "particle,runs,attempt,distance,{}\n",
        names(params).join(",")
    )
}

/// A particles-file line, with its newline.
pub fn particles_line(row: &ParticleRow) -> String {
    let a = &row.found;
    let theta: Vec<String> = a.theta.iter().map(f64::to_string).collect();
    format!(
        "{},{},{},{},{}\n",
        row.particle,
        a.runs,
        a.attempt,
        a.distance,
        theta.join(",")
    )
}

/// A particles file read back.
#[derive(Debug, Default)]
pub struct ParticlesFile {
    /// The complete rows, in file order.
    pub rows: Vec<ParticleRow>,
    /// The last line was torn (and is not in `rows`).
    pub torn: bool,
}

/// Reads a particles file of a calibration with `params` and `particles` particles.
pub fn read_particles(
    path: &Path,
    params: &[Parameter],
    particles: u32,
) -> Result<ParticlesFile, CalibrationError> {
    let text = std::fs::read_to_string(path).map_err(|source| CalibrationError::Io {
        file: path.to_path_buf(),
        source,
    })?;
    let bad = |line: usize, reason: String| CalibrationError::Row {
        file: path.to_path_buf(),
        line: line as u64 + 1,
        reason,
    };
    let header = particles_header(params);
    if !text.starts_with(&header) {
        // A header torn by a crash right after creating the file.
        if header.starts_with(&text) {
            return Ok(ParticlesFile {
                rows: Vec::new(),
                torn: true,
            });
        }
        return Err(bad(
            0,
            format!(
                "not a particles file of this calibration: the header should be {}",
                header.trim_end()
            ),
        ));
    }
    let body = &text[header.len()..];
    let k = params.len();
    let lines: Vec<&str> = body.split_inclusive('\n').collect();
    let mut out = ParticlesFile::default();
    for (n, raw) in lines.iter().enumerate() {
        let last = n + 1 == lines.len();
        let line = raw.strip_suffix('\n');
        let fields = line.map(split_fields);
        let complete = fields.as_ref().is_some_and(|f| f.len() == k + 4);
        if !complete {
            if last {
                out.torn = true;
                break;
            }
            return Err(bad(n + 1, "a damaged row (wrong number of fields)".into()));
        }
        let f = fields.expect("complete");
        let count = |i: usize, what: &str| -> Result<u32, CalibrationError> {
            f[i].parse()
                .map_err(|_| bad(n + 1, format!("{what} \"{}\" is not a count", f[i])))
        };
        let num = |i: usize| -> Result<f64, CalibrationError> {
            f[i].parse::<f64>()
                .map_err(|_| bad(n + 1, format!("\"{}\" is not a number", f[i])))
        };
        let particle = count(0, "particle")?;
        if particle >= particles {
            return Err(bad(
                n + 1,
                format!("particle {particle}: the calibration has {particles} per generation"),
            ));
        }
        let theta = (4..4 + k).map(num).collect::<Result<Vec<f64>, _>>()?;
        if let Some((p, x)) = params
            .iter()
            .zip(&theta)
            .find(|(p, x)| !(x.is_finite() && p.prior.low <= **x && **x <= p.prior.high))
        {
            return Err(bad(
                n + 1,
                format!("{} = {x} lies outside its prior {}", p.name, p.prior),
            ));
        }
        out.rows.push(ParticleRow {
            particle,
            found: Accepted {
                theta,
                distance: num(3)?,
                runs: count(1, "runs")?,
                attempt: count(2, "attempt")?,
            },
        });
    }
    Ok(out)
}

/// Opens a particles file for appending: created with its header, or with a torn last
/// line dropped first (rewritten atomically).
pub fn open_particles(
    path: &Path,
    params: &[Parameter],
    particles: u32,
) -> Result<std::fs::File, CalibrationError> {
    let io = |source| {
        CalibrationError::Output(OutputError::Io {
            path: path.to_path_buf(),
            source,
        })
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let rewrite = if path.exists() {
        let read = read_particles(path, params, particles)?;
        read.torn.then_some(read.rows)
    } else {
        Some(Vec::new())
    };
    if let Some(rows) = rewrite {
        write_atomic(path, |w| {
            w.write_all(particles_header(params).as_bytes())?;
            for r in &rows {
                w.write_all(particles_line(r).as_bytes())?;
            }
            Ok(())
        })?;
    }
    std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(io)
}

/// Every particles-file row of generation `generation` in the folder and its shard
/// folders, by particle.
pub fn gather(
    dir: &Path,
    params: &[Parameter],
    particles: u32,
    generation: u32,
) -> Result<BTreeMap<u32, Vec<ParticleRow>>, CalibrationError> {
    let mut files = vec![particles_file(dir, None, generation)];
    for s in shard_folders(dir)? {
        files.push(particles_file(dir, Some(s), generation));
    }
    let mut rows: BTreeMap<u32, Vec<ParticleRow>> = BTreeMap::new();
    for f in files.iter().filter(|f| f.exists()) {
        for r in read_particles(f, params, particles)?.rows {
            rows.entry(r.particle).or_default().push(r);
        }
    }
    Ok(rows)
}

/// The shard folders (`shard-I-of-N`) in a calibration folder, sorted.
pub fn shard_folders(dir: &Path) -> Result<Vec<Shard>, CalibrationError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(CalibrationError::Io {
                file: dir.to_path_buf(),
                source,
            })
        }
    };
    let mut out = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let parsed = name
            .strip_prefix("shard-")
            .and_then(|r| r.split_once("-of-"))
            .and_then(|(i, n)| Shard::new(i.parse().ok()?, n.parse().ok()?).ok());
        if let Some(s) = parsed.filter(|_| e.path().is_dir()) {
            out.push(s);
        }
    }
    out.sort_by_key(|s| (s.count, s.index));
    Ok(out)
}

/// The particle that the rows found for it agree on; an error if two differ (which
/// only a different calibration, or a bug, can produce).
pub fn settle(rows: &[ParticleRow]) -> Result<Option<Accepted>, String> {
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    if rows.iter().any(|r| r.found != first.found) {
        return Err(format!(
            "particle {} was found twice with different results",
            first.particle
        ));
    }
    Ok(Some(first.found.clone()))
}

/// The file that records that `generation` did not fit in a budget.
pub fn abandoned_file(dir: &Path, shard: Option<Shard>, generation: u32) -> PathBuf {
    let folder = match shard {
        None => dir.join(GENERATIONS_DIR),
        Some(s) => dir.join(s.folder_name()),
    };
    folder.join(format!("abandoned-{generation:03}.json"))
}

/// Records that `generation` did not fit in `budget`.
pub fn write_abandoned(path: &Path, generation: u32, budget: u64) -> Result<(), OutputError> {
    write_atomic(path, |w| {
        writeln!(w, "{{\"generation\": {generation}, \"budget\": {budget}}}")
    })
}

/// The largest budget in which `generation` is known not to fit, from the records of
/// the folder and its shards.
pub fn abandoned_budget(dir: &Path, generation: u32) -> Result<Option<u64>, CalibrationError> {
    let mut files = vec![abandoned_file(dir, None, generation)];
    for s in shard_folders(dir)? {
        files.push(abandoned_file(dir, Some(s), generation));
    }
    let mut best = None;
    for f in files.iter().filter(|f| f.exists()) {
        let text = std::fs::read_to_string(f).map_err(|source| CalibrationError::Io {
            file: f.clone(),
            source,
        })?;
        let budget = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.get("budget")?.as_u64())
            .ok_or_else(|| CalibrationError::Row {
                file: f.clone(),
                line: 1,
                reason: "not a record of an abandoned generation".into(),
            })?;
        best = best.max(Some(budget));
    }
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::prior::Prior;
    use std::io::Write as _;

    fn params() -> Vec<Parameter> {
        vec![
            Parameter {
                name: "a".into(),
                prior: Prior::uniform(0.0, 1.0).unwrap(),
            },
            Parameter {
                name: "b,c".into(),
                prior: Prior::log_uniform(0.1, 10.0).unwrap(),
            },
        ]
    }

    #[test]
    fn particles_round_trip_and_torn_lines_are_dropped() {
        let t = tempfile::tempdir().unwrap();
        let p = params();
        let path = particles_file(t.path(), None, 2);
        let rows = [3, 1].map(|i| ParticleRow {
            particle: i,
            found: Accepted {
                theta: vec![0.1 + 0.2, 1.0 / 3.0],
                distance: 0.25,
                runs: 4,
                attempt: 6 + i,
            },
        });
        let mut f = open_particles(&path, &p, 5).unwrap();
        for r in &rows {
            f.write_all(particles_line(r).as_bytes()).unwrap();
        }
        f.write_all(b"4,1,0,0.5,0.2").unwrap();
        drop(f);
        let read = read_particles(&path, &p, 5).unwrap();
        assert!(read.torn);
        assert_eq!(read.rows, rows);
        assert!(std::fs::read_to_string(&path)
            .unwrap()
            .starts_with("particle,runs,attempt,distance,a,\"b,c\"\n"));
        drop(open_particles(&path, &p, 5).unwrap());
        let read = read_particles(&path, &p, 5).unwrap();
        assert!(!read.torn && read.rows == rows);
        assert_eq!(gather(t.path(), &p, 5, 2).unwrap().len(), 2);

        let header = particles_header(&p);
        std::fs::write(&path, format!("{header}9,1,0,0.5,0.2,1\n")).unwrap();
        let e = read_particles(&path, &p, 5).unwrap_err().to_string();
        assert!(e.contains(":2: particle 9"), "{e}");
        std::fs::write(&path, format!("{header}1,1,0\n2,1,0,0.5,0.2,1\n")).unwrap();
        let e = read_particles(&path, &p, 5).unwrap_err().to_string();
        assert!(e.contains(":2: a damaged row"), "{e}");
        std::fs::write(&path, format!("{header}1,1,0,0.5,2,1\n")).unwrap();
        let e = read_particles(&path, &p, 5).unwrap_err().to_string();
        assert!(e.contains(":2: a = 2 lies outside its prior 0..1"), "{e}");
    }

    #[test]
    fn rows_of_one_particle_must_agree() {
        let row = |x: f64| ParticleRow {
            particle: 0,
            found: Accepted {
                theta: vec![x],
                distance: 0.1,
                runs: 5,
                attempt: 5,
            },
        };
        assert_eq!(settle(&[row(0.5), row(0.5)]).unwrap(), Some(row(0.5).found));
        assert!(settle(&[row(0.5), row(0.6)]).is_err());
        assert_eq!(settle(&[]).unwrap(), None);
    }

    #[test]
    fn abandoned_generations_are_recorded_per_budget() {
        let t = tempfile::tempdir().unwrap();
        assert_eq!(abandoned_budget(t.path(), 3).unwrap(), None);
        let own = abandoned_file(t.path(), None, 3);
        std::fs::create_dir_all(own.parent().unwrap()).unwrap();
        write_abandoned(&own, 3, 500).unwrap();
        let s = Shard::new(1, 2).unwrap();
        let shard = abandoned_file(t.path(), Some(s), 3);
        std::fs::create_dir_all(shard.parent().unwrap()).unwrap();
        write_abandoned(&shard, 3, 800).unwrap();
        assert_eq!(abandoned_budget(t.path(), 3).unwrap(), Some(800));
        assert_eq!(abandoned_budget(t.path(), 2).unwrap(), None);
    }

    #[test]
    fn populations_round_trip_exactly() {
        let t = tempfile::tempdir().unwrap();
        let p = params();
        let pop = Population {
            generation: 1,
            epsilon: 0.5,
            particles: (0..3)
                .map(|i| Particle {
                    index: i,
                    theta: vec![0.1 * i as f64 + 1e-17, 0.3 + 1.0 / 7.0],
                    weight: 1.0 / 3.0,
                    distance: f64::INFINITY,
                    runs: i + 1,
                })
                .collect(),
        };
        let path = generation_file(t.path(), 1);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        write_population(&path, &p, &pop).unwrap();
        assert_eq!(read_population(&path, &p, 1, 0.5, 3).unwrap(), pop);
        let e = read_population(&path, &p, 1, 0.5, 4)
            .unwrap_err()
            .to_string();
        assert!(e.contains("3 particles"), "{e}");
    }
}
