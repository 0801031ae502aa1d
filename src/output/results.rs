//! Reading a result folder back: the per-run figures and resolved scenario of
//! `summary.json`, and the per-step bands of `bands.csv` (both written by [`super::files`]).
//!
//! `grapevine compare` builds its table, `comparison.csv` and chart from these files,
//! whether it has just written them or reuses them from an earlier run, so the two paths
//! give the same comparison. [`reuse`] decides whether a folder still holds the results
//! of a scenario as it is now.

use super::files::{bands_header, BandTable};
use crate::error::ResultsError;
use crate::metrics::bands::{Band, BAND_COLUMNS};
use crate::metrics::summary::RunSummary;
use crate::scenario::Scenario;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The parts of `summary.json` that are read back; other keys are ignored.
#[derive(Clone, Debug, Deserialize)]
pub struct SavedSummary {
    /// The version that wrote the file.
    pub grapevine_version: String,
    /// The scenario's name.
    pub scenario_name: String,
    /// Master seed.
    pub seed: u64,
    /// Number of replicates.
    pub replicates: usize,
    /// Users in the population.
    pub users: u64,
    /// One per replicate, in replicate order (checked on reading).
    pub runs: Vec<RunSummary>,
    /// The resolved scenario the runs were made with.
    pub scenario: serde_json::Value,
}

/// A result folder read back.
#[derive(Clone, Debug)]
pub struct SavedRun {
    /// From `summary.json`.
    pub summary: SavedSummary,
    /// From `bands.csv`.
    pub bands: BandTable,
}

fn format_error(path: &Path, message: impl Into<String>) -> ResultsError {
    ResultsError::Format {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

fn read_text(path: &Path) -> Result<String, ResultsError> {
    std::fs::read_to_string(path).map_err(|source| ResultsError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads `summary.json`, checking that its runs are replicates `0..replicates` in order.
pub fn read_summary(path: &Path) -> Result<SavedSummary, ResultsError> {
    let text = read_text(path)?;
    let s: SavedSummary =
        serde_json::from_str(&text).map_err(|e| format_error(path, e.to_string()))?;
    if s.runs.len() != s.replicates {
        return Err(format_error(
            path,
            format!(
                "\"replicates\" is {} but \"runs\" holds {} runs",
                s.replicates,
                s.runs.len()
            ),
        ));
    }
    if let Some((i, r)) = s
        .runs
        .iter()
        .enumerate()
        .find(|(i, r)| r.replicate as usize != *i)
    {
        return Err(format_error(
            path,
            format!("runs[{i}] is replicate {}, expected {i}", r.replicate),
        ));
    }
    Ok(s)
}

/// Reads `bands.csv` into the table it was written from.
pub fn read_bands(path: &Path) -> Result<BandTable, ResultsError> {
    let text = read_text(path)?;
    let mut lines = text.lines();
    let expected = bands_header();
    let timed_header = format!("{expected},{}", super::files::TIME_COLUMN);
    let mut timed = false;
    match lines.next() {
        Some(h) if h == expected => {}
        Some(h) if h == timed_header => timed = true,
        Some(h) => {
            return Err(format_error(
                path,
                format!("line 1: header is {h:?}, expected {expected:?}"),
            ))
        }
        None => return Err(format_error(path, "the file is empty")),
    }
    let mut table = BandTable {
        hours: Vec::new(),
        time: Vec::new(),
        bands: Vec::new(),
    };
    let width = 2 + 3 * BAND_COLUMNS.len() + usize::from(timed);
    for (i, line) in lines.enumerate() {
        let at = |message: String| format_error(path, format!("line {}: {message}", i + 2));
        let mut fields: Vec<&str> = line.split(',').collect();
        if fields.len() != width {
            return Err(at(format!("{} fields, expected {width}", fields.len())));
        }
        if timed {
            table
                .time
                .push(fields.pop().unwrap_or_default().to_string());
        }
        let step: usize = fields[0]
            .parse()
            .map_err(|_| at(format!("step {:?} is not a whole number", fields[0])))?;
        if step != i {
            return Err(at(format!("step {step}, expected {i}")));
        }
        let mut nums = Vec::with_capacity(fields.len() - 1);
        for f in &fields[1..] {
            nums.push(
                f.parse::<f64>()
                    .map_err(|_| at(format!("{f:?} is not a number")))?,
            );
        }
        table.hours.push(nums[0]);
        table.bands.push(std::array::from_fn(|c| Band {
            median: nums[1 + 3 * c],
            p5: nums[2 + 3 * c],
            p95: nums[3 + 3 * c],
        }));
    }
    Ok(table)
}

/// Every replicate's reach and believers per step, from `timeseries.csv`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunSeries {
    /// `reached[r][t]`: replicate r, step t.
    pub reached: Vec<Vec<u64>>,
    /// `believers[r][t]`.
    pub believers: Vec<Vec<u64>>,
}

/// Reads the `replicate`, `reached` and `believers` columns of a `timeseries.csv`.
pub fn read_series(path: &Path) -> Result<RunSeries, ResultsError> {
    let text = read_text(path)?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .ok_or_else(|| format_error(path, format!("no column {name}")))
    };
    let (rep, reached, believers) = (col("replicate")?, col("reached")?, col("believers")?);
    let mut out = RunSeries::default();
    for (i, line) in lines.enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        let num = |c: usize| -> Result<u64, ResultsError> {
            f.get(c).and_then(|x| x.parse().ok()).ok_or_else(|| {
                format_error(
                    path,
                    format!("line {}: column {} is not a count", i + 2, c + 1),
                )
            })
        };
        let r = num(rep)? as usize;
        if r >= out.reached.len() {
            out.reached.resize(r + 1, Vec::new());
            out.believers.resize(r + 1, Vec::new());
        }
        out.reached[r].push(num(reached)?);
        out.believers[r].push(num(believers)?);
    }
    Ok(out)
}

/// Reads `summary.json` and `bands.csv` of a result folder.
pub fn read_folder(folder: &Path) -> Result<SavedRun, ResultsError> {
    Ok(SavedRun {
        summary: read_summary(&folder.join("summary.json"))?,
        bands: read_bands(&folder.join("bands.csv"))?,
    })
}

/// Why saved results do not belong to the scenario as it is now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mismatch {
    /// Written by another Grapevine version, whose engine may differ.
    Version {
        /// The version that wrote the results.
        saved: String,
        /// This version.
        current: String,
    },
    /// Another master seed.
    Seed {
        /// The seed of the saved results.
        saved: u64,
        /// The seed asked for.
        current: u64,
    },
    /// Another number of replicates.
    Replicates {
        /// Replicates saved.
        saved: usize,
        /// Replicates asked for.
        current: usize,
    },
    /// A setting differs.
    Setting {
        /// The first differing key path (e.g. `sharing.believer`), or empty if the
        /// scenario as a whole cannot be compared.
        key: String,
    },
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mismatch::Version { saved, current } => {
                write!(f, "written by grapevine {saved}, this is {current}")
            }
            Mismatch::Seed { saved, current } => write!(f, "seed was {saved}, is now {current}"),
            Mismatch::Replicates { saved, current } => {
                write!(f, "{saved} replicates saved, {current} asked for")
            }
            Mismatch::Setting { key } if key.is_empty() => write!(f, "the scenario changed"),
            Mismatch::Setting { key } => write!(f, "{key} changed"),
        }
    }
}

/// Why a folder's results cannot be reused.
#[derive(Debug, thiserror::Error)]
pub enum NotReusable {
    /// The folder holds no results.
    #[error("no earlier results in {}", .0.display())]
    Missing(PathBuf),
    /// The results cannot be read back.
    #[error("earlier results unreadable: {0}")]
    Unreadable(#[from] ResultsError),
    /// The results are of another scenario, seed, replicate count or version.
    #[error("earlier results are stale: {0}")]
    Changed(Mismatch),
}

/// A JSON value as it reads back from its own text, so numbers compare as written
/// rather than as computed (JSON float parsing is not guaranteed to round-trip).
fn as_written(value: &impl serde::Serialize) -> Option<serde_json::Value> {
    serde_json::from_str(&serde_json::to_string(value).ok()?).ok()
}

/// The first key path at which two JSON values differ, if any.
fn first_difference(a: &serde_json::Value, b: &serde_json::Value, path: &str) -> Option<String> {
    use serde_json::Value;
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| match (x.get(k), y.get(k)) {
                (Some(p), Some(q)) => first_difference(p, q, &join(k)),
                _ => Some(join(k)),
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, &format!("{path}[{i}]"))),
        _ if a == b => None,
        _ => Some(path.to_string()),
    }
}

/// Checks that saved results were made by this version from `scn` as it is now: same
/// resolved scenario (every setting, defaults filled in), seed and replicates.
///
/// Files a scenario imports (edge lists, user tables) are named, not compared: after
/// editing them, run without reuse.
pub fn check_saved(saved: &SavedSummary, scn: &Scenario) -> Result<(), Mismatch> {
    let current = env!("CARGO_PKG_VERSION");
    if saved.grapevine_version != current {
        return Err(Mismatch::Version {
            saved: saved.grapevine_version.clone(),
            current: current.to_string(),
        });
    }
    let sim = &scn.simulation;
    if saved.seed != sim.seed {
        return Err(Mismatch::Seed {
            saved: saved.seed,
            current: sim.seed,
        });
    }
    if saved.replicates != sim.replicates as usize {
        return Err(Mismatch::Replicates {
            saved: saved.replicates,
            current: sim.replicates as usize,
        });
    }
    let (Some(now), Some(then)) = (as_written(&scn.to_config()), as_written(&saved.scenario))
    else {
        return Err(Mismatch::Setting { key: String::new() });
    };
    match first_difference(&then, &now, "") {
        None => Ok(()),
        Some(key) => Err(Mismatch::Setting { key }),
    }
}

/// The results in `folder` if they are those of `scn` as it is now (see
/// [`check_saved`]); otherwise why not.
pub fn reuse(folder: &Path, scn: &Scenario) -> Result<SavedRun, NotReusable> {
    if !folder.join("summary.json").is_file() {
        return Err(NotReusable::Missing(folder.to_path_buf()));
    }
    let saved = read_folder(folder)?;
    check_saved(&saved.summary, scn).map_err(NotReusable::Changed)?;
    Ok(saved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn first_difference_names_the_key_path() {
        let a = json!({"sharing": {"believer": 0.5, "delay": "30m"}, "seeds": [{"chats": 2}]});
        let mut b = a.clone();
        assert_eq!(first_difference(&a, &b, ""), None);
        b["sharing"]["believer"] = json!(0.4);
        assert_eq!(
            first_difference(&a, &b, "").as_deref(),
            Some("sharing.believer")
        );
        let mut c = a.clone();
        c["seeds"][0]["chats"] = json!(3);
        assert_eq!(
            first_difference(&a, &c, "").as_deref(),
            Some("seeds[0].chats")
        );
        let mut d = a.clone();
        d["interventions"] = json!([]);
        assert_eq!(
            first_difference(&a, &d, "").as_deref(),
            Some("interventions")
        );
    }

    #[test]
    fn bands_round_trip_through_the_file() {
        let t = tempfile::tempdir().unwrap();
        let path = t.path().join("bands.csv");
        let b = |m: f64| Band {
            median: m,
            p5: m * 0.5,
            p95: m * 1.5 + 0.1,
        };
        let table = BandTable {
            time: Vec::new(),
            hours: vec![1.0 / 6.0, 2.0 / 6.0, 0.5],
            bands: vec![
                [b(1.0), b(1.0), b(0.0)],
                [b(3.3), b(2.7), b(1.0 / 3.0)],
                [b(7.0), b(f64::NAN), b(2.0)],
            ],
        };
        crate::output::files::write_bands(&path, &table).unwrap();
        let back = read_bands(&path).unwrap();
        assert_eq!(back.hours, table.hours);
        for (x, y) in back.bands.iter().zip(&table.bands) {
            for (p, q) in x.iter().zip(y) {
                for (u, v) in [(p.median, q.median), (p.p5, q.p5), (p.p95, q.p95)] {
                    assert!(u == v || (u.is_nan() && v.is_nan()), "{u} != {v}");
                }
            }
        }
    }

    #[test]
    fn malformed_files_are_refused_with_the_place() {
        let t = tempfile::tempdir().unwrap();
        let path = t.path().join("bands.csv");
        std::fs::write(
            &path,
            format!("{}\n0,0.1,1,1,1,1,1,1,1,x,1\n", bands_header()),
        )
        .unwrap();
        let e = read_bands(&path).unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("\"x\""), "{e}");
        std::fs::write(&path, "step,hours\n").unwrap();
        assert!(read_bands(&path).is_err());
        std::fs::write(&path, "").unwrap();
        assert!(read_bands(&path).is_err());

        let summary = t.path().join("summary.json");
        std::fs::write(&summary, "{\"seed\": 1}").unwrap();
        let e = read_summary(&summary).unwrap_err().to_string();
        assert!(e.contains("summary.json"), "{e}");
        assert!(matches!(
            reuse(&t.path().join("nowhere"), &tiny()),
            Err(NotReusable::Missing(_))
        ));
    }

    fn tiny() -> Scenario {
        Scenario::from_toml_str(
            "[simulation]\nhorizon = \"2h\"\nreplicates = 2\n[population]\nusers = 300\n",
            "tiny",
        )
        .unwrap()
    }

    #[test]
    fn saved_results_match_only_the_same_scenario() {
        let scn = tiny();
        let saved = SavedSummary {
            grapevine_version: env!("CARGO_PKG_VERSION").into(),
            scenario_name: scn.name.clone(),
            seed: scn.simulation.seed,
            replicates: 2,
            users: 300,
            runs: Vec::new(),
            // Through text, as read from summary.json.
            scenario: serde_json::from_str(
                &serde_json::to_string_pretty(&scn.to_config()).unwrap(),
            )
            .unwrap(),
        };
        assert_eq!(check_saved(&saved, &scn), Ok(()));

        let mut changed = scn.clone();
        changed.sharing.believer = 0.123;
        assert_eq!(
            check_saved(&saved, &changed),
            Err(Mismatch::Setting {
                key: "sharing.believer".into()
            })
        );
        let mut more = scn.clone();
        more.simulation.replicates = 3;
        assert!(matches!(
            check_saved(&saved, &more),
            Err(Mismatch::Replicates {
                saved: 2,
                current: 3
            })
        ));
        let mut reseeded = scn.clone();
        reseeded.simulation.seed = 99;
        assert!(matches!(
            check_saved(&saved, &reseeded),
            Err(Mismatch::Seed { .. })
        ));
        let old = SavedSummary {
            grapevine_version: "0.0.0-old".into(),
            ..saved
        };
        assert!(matches!(
            check_saved(&old, &scn),
            Err(Mismatch::Version { .. })
        ));
    }
}
