//! Running a sweep: the output folder, resume, shards, and the parallel run loop.
//!
//! Runs execute on the rayon pool (`par_bridge` over the runs still to do, so they
//! start roughly in run order); each run builds its own population, so memory is that
//! of one run per thread whatever the number of runs, and per-run time series are
//! dropped unless asked for (`series/<run>.csv`). Results come back over a bounded
//! channel to the calling thread, the only writer of `runs.csv`, which appends one
//! row per run with a single `write` as soon as the run finishes.
//!
//! Resume reads `runs.csv`, drops a torn last line, rewrites the file cleanly
//! (atomically) if anything was dropped, and runs only the missing runs. A shard
//! `I/N` owns the runs whose index `k` has `k % N == I`. One process at a time works
//! in a sweep folder: [`prepare`] takes the folder's lock, held until the sweep is
//! done. Ctrl-C stops it between runs ([`execute`]'s `interrupt`).

use super::runs::{self, RUNS_CSV};
use super::{SweepFile, SWEEP_JSON};
use crate::error::{OutputError, SweepError};
use crate::metrics::summary::RunSummary;
use crate::output::dir::{self, check_destination, write_atomic, DirLock};
use crate::simulation;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// Folder, inside a sweep folder, of per-run time series (`--keep-series`).
pub const SERIES_DIR: &str = "series";
/// Files and folders a sweep writes; `--force` removes exactly these.
pub const SWEEP_FILES: [&str; 6] = [
    SWEEP_JSON,
    RUNS_CSV,
    super::aggregate::POINTS_CSV,
    super::sensitivity::SENSITIVITY_CSV,
    SERIES_DIR,
    super::chart::PLOTS_DIR,
];

/// One slice of a sweep: the runs whose index `k` has `k % count == index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// Which slice this is, from 0 to `count - 1` (the `I` of `--shard I/N`).
    pub index: u32,
    /// Into how many slices the sweep is cut (the `N` of `--shard I/N`).
    pub count: u32,
}

impl Shard {
    /// A shard, if `index < count`.
    pub fn new(index: u64, count: u64) -> Result<Shard, SweepError> {
        if count == 0 || index >= count || count > u32::MAX as u64 {
            return Err(SweepError::Usage(format!(
                "shard {index}/{count} does not exist: shards are I/N with 0 <= I < N"
            )));
        }
        Ok(Shard {
            index: index as u32,
            count: count as u32,
        })
    }

    /// Parses `I/N`, e.g. `0/4`.
    pub fn parse(text: &str) -> Result<Shard, SweepError> {
        let parsed = text
            .split_once('/')
            .and_then(|(i, n)| Some((i.trim().parse().ok()?, n.trim().parse().ok()?)));
        match parsed {
            Some((i, n)) => Shard::new(i, n),
            None => Err(SweepError::Usage(format!(
                "--shard {text}: write I/N, e.g. 0/4 for the first of four shards"
            ))),
        }
    }

    /// The shard of a Slurm array task: `I = (SLURM_ARRAY_TASK_ID - MIN) / STEP`,
    /// `N = SLURM_ARRAY_TASK_COUNT`. `None` when `task_id` is unset.
    pub fn from_slurm(
        task_id: Option<&str>,
        count: Option<&str>,
        min: Option<&str>,
        step: Option<&str>,
    ) -> Result<Option<Shard>, SweepError> {
        let Some(id) = task_id else { return Ok(None) };
        let num = |name: &str, v: Option<&str>, default: Option<u64>| -> Result<u64, SweepError> {
            match v.map(str::trim) {
                Some(t) => t
                    .parse()
                    .map_err(|_| SweepError::Usage(format!("{name}={t} is not a whole number"))),
                None => default.ok_or_else(|| {
                    SweepError::Usage(format!("SLURM_ARRAY_TASK_ID is set but {name} is not"))
                }),
            }
        };
        let id = num("SLURM_ARRAY_TASK_ID", Some(id), None)?;
        let count = num("SLURM_ARRAY_TASK_COUNT", count, None)?;
        let min = num("SLURM_ARRAY_TASK_MIN", min, Some(0))?;
        let step = num("SLURM_ARRAY_TASK_STEP", step, Some(1))?.max(1);
        if id < min || (id - min) % step != 0 {
            return Err(SweepError::Usage(format!(
                "SLURM_ARRAY_TASK_ID={id} is not in the array (min {min}, step {step})"
            )));
        }
        Shard::new((id - min) / step, count).map(Some)
    }

    /// Whether run `index` belongs to this shard.
    pub fn owns(&self, index: u64) -> bool {
        index % self.count as u64 == self.index as u64
    }

    /// Name of the shard's folder inside the sweep folder, e.g. `shard-0-of-4`.
    pub fn folder_name(&self) -> String {
        format!("shard-{}-of-{}", self.index, self.count)
    }
}

/// What to do with an existing sweep folder.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Existing {
    /// Refuse a folder that already holds a sweep.
    #[default]
    Refuse,
    /// Continue the sweep in the folder: keep its finished runs.
    Resume,
    /// Delete the sweep's files in the folder and start over.
    Restart,
}

/// A sweep folder ready to run.
#[derive(Debug)]
pub struct Prepared {
    /// The sweep folder.
    pub dir: PathBuf,
    /// Runs of this shard (or of the sweep).
    pub total: u64,
    /// Runs already in `runs.csv`.
    pub done: u64,
    /// Runs left to do, in run order.
    pub todo: Vec<u64>,
    /// A torn last line or duplicated rows were dropped from `runs.csv`.
    pub repaired: bool,
    /// The folder's exclusive lock, held until the sweep is done with it.
    pub lock: DirLock,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SweepError + '_ {
    move |source| {
        SweepError::Output(OutputError::Io {
            path: path.to_path_buf(),
            source,
        })
    }
}

/// Sets up `dir` for `file`'s sweep (or shard): creates it, or checks that it holds
/// the same sweep and reads the runs it has (resume), or clears it (restart).
/// A folder Grapevine did not write is never touched. The folder is locked first, so
/// that a second process (a requeued task while the first still runs) is refused with
/// [`crate::error::OutputError::Locked`]; temporary files left there by a process
/// that is gone are removed.
pub fn prepare(file: &SweepFile, dir: &Path, existing: Existing) -> Result<Prepared, SweepError> {
    check_destination(dir)?;
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let lock = dir::lock(dir)?;
    dir::clean_stale_temp(dir);
    let runs_path = dir.join(RUNS_CSV);
    let has_sweep = dir.join(SWEEP_JSON).exists() || runs_path.exists();
    let mut done = HashSet::new();
    let mut repaired = false;
    if has_sweep {
        match existing {
            Existing::Refuse => {
                return Err(SweepError::Exists {
                    path: dir.to_path_buf(),
                })
            }
            Existing::Restart => {
                for name in SWEEP_FILES {
                    let p = dir.join(name);
                    if p.is_dir() {
                        std::fs::remove_dir_all(&p).map_err(io(&p))?;
                    } else if p.exists() {
                        std::fs::remove_file(&p).map_err(io(&p))?;
                    }
                }
            }
            Existing::Resume => {
                if dir.join(SWEEP_JSON).exists() {
                    let old = SweepFile::read(dir)?;
                    if old.sweep != file.sweep {
                        return Err(SweepError::Mismatch {
                            path: dir.to_path_buf(),
                            what: "holds a different sweep (the sweep file or its base \
                                   scenario changed since it started); use another --out \
                                   or --force to start over"
                                .into(),
                        });
                    }
                    if old.shard != file.shard {
                        return Err(SweepError::Mismatch {
                            path: dir.to_path_buf(),
                            what: format!(
                                "holds {}, not {}",
                                shard_name(old.shard),
                                shard_name(file.shard)
                            ),
                        });
                    }
                }
                if runs_path.exists() {
                    let f = runs::scan(&runs_path, &file.sweep, |ix, _| {
                        done.insert(ix);
                        Ok(())
                    })?;
                    if let Some(id) = f.conflicts.first() {
                        return Err(SweepError::Mismatch {
                            path: runs_path,
                            what: format!("run {id} appears twice with different figures"),
                        });
                    }
                    if let Some(ix) = done
                        .iter()
                        .find(|ix| file.shard.is_some_and(|s| !s.owns(**ix)))
                    {
                        return Err(SweepError::Mismatch {
                            path: runs_path,
                            what: format!(
                                "run {} does not belong to {}",
                                file.sweep.run_id(*ix),
                                shard_name(file.shard)
                            ),
                        });
                    }
                    repaired = f.torn || f.duplicates > 0;
                    if repaired {
                        rewrite_clean(&runs_path, file)?;
                    }
                }
            }
        }
    }
    dir::write_marker(dir)?;
    file.write(dir)?;
    if !runs_path.exists() {
        let header = runs::header(&file.sweep);
        write_atomic(&runs_path, |w| w.write_all(header.as_bytes()))?;
    }
    let owned = |ix: &u64| file.shard.is_none_or(|s| s.owns(*ix));
    let all = 0..file.sweep.run_count();
    let total = all.clone().filter(owned).count() as u64;
    let todo: Vec<u64> = all.filter(|ix| owned(ix) && !done.contains(ix)).collect();
    Ok(Prepared {
        dir: dir.to_path_buf(),
        total,
        done: done.len() as u64,
        todo,
        repaired,
        lock,
    })
}

/// Rewrites `runs.csv` (atomically) with its header and good rows only.
fn rewrite_clean(runs_path: &Path, file: &SweepFile) -> Result<(), SweepError> {
    let mut failure = None;
    let written = write_atomic(runs_path, |w| {
        w.write_all(runs::header(&file.sweep).as_bytes())?;
        let scanned = runs::scan(runs_path, &file.sweep, |_, line| {
            w.write_all(line.as_bytes()).map_err(io(runs_path))
        });
        scanned.map(|_| ()).map_err(|e| {
            failure = Some(e);
            std::io::Error::other("runs.csv could not be read back")
        })
    });
    match (failure, written) {
        (Some(e), _) => Err(e),
        (None, r) => Ok(r?),
    }
}

/// Creates the folder that holds a sweep's shard folders, marked as Grapevine's so
/// that every shard (and `merge`) may write into it. Safe when shards start at once:
/// the marker is written before any shard folder exists.
pub fn prepare_shard_parent(base: &Path) -> Result<(), SweepError> {
    check_destination(base)?;
    std::fs::create_dir_all(base).map_err(io(base))?;
    Ok(dir::write_marker(base)?)
}

fn shard_name(s: Option<Shard>) -> String {
    match s {
        Some(s) => format!("shard {}/{}", s.index, s.count),
        None => "the whole sweep".into(),
    }
}

/// Runs `prepared.todo` on the global rayon pool and appends each finished run to
/// `runs.csv`; `on_run` is called on the calling thread after each row is written.
/// On the first failure, or once `interrupt` is set (Ctrl-C), no new run starts, the
/// runs under way finish and are written, and the error (or
/// [`SweepError::Interrupted`]) is returned.
pub fn execute(
    file: &SweepFile,
    prepared: &Prepared,
    keep_series: bool,
    on_run: &mut dyn FnMut(u64),
    interrupt: &AtomicBool,
) -> Result<(), SweepError> {
    let dir = &prepared.dir;
    let runs_path = dir.join(RUNS_CSV);
    let mut out = std::fs::OpenOptions::new()
        .append(true)
        .open(&runs_path)
        .map_err(io(&runs_path))?;
    let series = dir.join(SERIES_DIR);
    if keep_series {
        std::fs::create_dir_all(&series).map_err(io(&series))?;
    }
    let stop = AtomicBool::new(false);
    let (tx, rx) = std::sync::mpsc::sync_channel::<(u64, Result<RunSummary, SweepError>)>(
        2 * rayon::current_num_threads(),
    );
    let mut failure = None;
    let mut finished = 0usize;
    std::thread::scope(|s| {
        let stop = &stop;
        let series = keep_series.then_some(series.as_path());
        s.spawn(move || {
            prepared
                .todo
                .iter()
                .par_bridge()
                .for_each_with(tx, |tx, &ix| {
                    if stop.load(Ordering::Relaxed) || interrupt.load(Ordering::Relaxed) {
                        return;
                    }
                    let result = run_one(file, ix, series);
                    if tx.send((ix, result)).is_err() {
                        stop.store(true, Ordering::Relaxed);
                    }
                });
        });
        for (ix, result) in rx {
            let written = result.and_then(|summary| {
                let line = runs::row(&file.sweep, ix, &summary);
                out.write_all(line.as_bytes())
                    .and_then(|()| out.flush())
                    .map_err(io(&runs_path))
            });
            match written {
                Ok(()) => {
                    finished += 1;
                    on_run(ix)
                }
                Err(e) => {
                    stop.store(true, Ordering::Relaxed);
                    failure.get_or_insert(e);
                }
            }
        }
    });
    match failure {
        Some(e) => Err(e),
        None if finished < prepared.todo.len() && interrupt.load(Ordering::Relaxed) => {
            Err(crate::error::Interrupted.into())
        }
        None => Ok(()),
    }
}

/// One run: its scenario and population, the engine, the summary.
fn run_one(file: &SweepFile, ix: u64, series: Option<&Path>) -> Result<RunSummary, SweepError> {
    let id = file.sweep.run_id(ix);
    let fail = |message: String| SweepError::Run {
        run: id.clone(),
        message,
    };
    let scn = file.run_scenario(ix)?;
    let pop = simulation::build_population(&scn).map_err(|e| fail(e.to_string()))?;
    simulation::check_against_population(&scn, &pop).map_err(|e| fail(e.to_string()))?;
    let mut results = simulation::simulate(&pop, &scn, 1, 1, &|| {});
    if let Some(dir) = series {
        crate::output::files::write_timeseries(
            &dir.join(format!("{id}.csv")),
            &scn,
            &pop,
            &results.runs,
        )?;
    }
    results
        .summaries
        .pop()
        .ok_or_else(|| fail("the run produced no summary".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_runs() {
        let shards: Vec<Shard> = (0..3).map(|i| Shard::new(i, 3).unwrap()).collect();
        for k in 0..100 {
            assert_eq!(shards.iter().filter(|s| s.owns(k)).count(), 1);
        }
        assert_eq!(Shard::parse("1/3").unwrap(), shards[1]);
        assert!(Shard::parse("3/3").is_err());
        assert!(Shard::parse("1-3").is_err());
    }

    #[test]
    fn slurm_array_environment() {
        let s = Shard::from_slurm(Some("5"), Some("4"), Some("3"), None).unwrap();
        assert_eq!(s, Some(Shard { index: 2, count: 4 }));
        let s = Shard::from_slurm(Some("6"), Some("4"), Some("0"), Some("2")).unwrap();
        assert_eq!(s, Some(Shard { index: 3, count: 4 }));
        assert_eq!(
            Shard::from_slurm(None, Some("4"), None, None).unwrap(),
            None
        );
        assert!(Shard::from_slurm(Some("4"), Some("4"), None, None).is_err());
        assert!(Shard::from_slurm(Some("1"), None, None, None).is_err());
    }
}
