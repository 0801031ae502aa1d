//! Typed errors of the library. The CLI adds context and maps them to exit codes;
//! the library itself never prints or exits.

use std::fmt;
use std::path::PathBuf;

/// One problem with one field of a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    /// Key path, e.g. `population.chats.family.trust`.
    pub field: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

/// A scenario that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file cannot be read.
    #[error("cannot read scenario {}: {source}", file.display())]
    Io {
        file: PathBuf,
        source: std::io::Error,
    },
    /// TOML syntax or type error, with the parser's line/column snippet.
    #[error("{}: {message}", file.display())]
    Parse { file: PathBuf, message: String },
    /// Values out of range or inconsistent; all of them.
    #[error("{}", Invalid(file, violations))]
    Invalid {
        file: PathBuf,
        violations: Vec<Violation>,
    },
}

struct Invalid<'a>(&'a PathBuf, &'a [Violation]);

impl fmt::Display for Invalid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.1.len();
        write!(
            f,
            "{}: {n} invalid value{}:",
            self.0.display(),
            if n == 1 { "" } else { "s" }
        )?;
        for v in self.1 {
            write!(f, "\n  {}: {}", v.field, v.message)?;
        }
        Ok(())
    }
}

impl ScenarioError {
    pub(crate) fn parse(file: &std::path::Path, message: String) -> Self {
        ScenarioError::Parse {
            file: file.to_path_buf(),
            message,
        }
    }
}

/// A population file (edge list, membership table, user table) that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {}: {source}", file.display())]
    Io {
        file: PathBuf,
        source: std::io::Error,
    },
    /// A bad row: file, 1-based line, reason.
    #[error("{}:{line}: {reason}", file.display())]
    Row {
        file: PathBuf,
        line: u64,
        reason: String,
    },
    /// The file as a whole is unusable (empty, too large, ...).
    #[error("{}: {reason}", file.display())]
    File { file: PathBuf, reason: String },
}

/// A run that must not start, or cannot go on, because of its size.
#[derive(Debug, thiserror::Error)]
pub enum CapacityError {
    /// The estimate exceeds what the process may use (`limit` says which bound).
    #[error(
        "the run needs about {} of memory but only {} is available ({limit}); \
         reduce population.users, the number of chats, or --threads",
        human_bytes(*needed),
        human_bytes(*available)
    )]
    TooLarge {
        needed: u64,
        available: u64,
        limit: String,
    },
    /// The system refused the memory for a large array (an address-space or commit
    /// limit lower than the guard could see).
    #[error(
        "out of memory: the system refused {} for {what}; \
         reduce population.users, the number of chats, or --threads",
        human_bytes(*bytes)
    )]
    Allocation { what: &'static str, bytes: u64 },
}

/// A population that cannot be built: its files are bad, or memory ran out.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Capacity(#[from] CapacityError),
}

/// Work stopped on request (Ctrl-C, SIGTERM) before it was complete.
#[derive(Debug, thiserror::Error)]
#[error("stopped by a signal before the work was complete")]
pub struct Interrupted;

/// Output that cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{} exists and was not written by Grapevine (no .grapevine marker); \
         refusing to overwrite it: choose another --out",
        path.display()
    )]
    NotOurs { path: PathBuf },
    #[error("cannot draw chart {}: {message}", path.display())]
    Plot { path: PathBuf, message: String },
    /// Files of the user's in a Grapevine folder have the names of new results.
    #[error(
        "{} holds files that Grapevine did not write but that have the names of new \
         results: {}; move them away or choose another --out (nothing was changed)",
        path.display(),
        names.join(", ")
    )]
    Clash { path: PathBuf, names: Vec<String> },
    /// Another process is writing into the folder.
    #[error(
        "{} is in use by another grapevine process (a sweep, resume or merge running \
         there); wait for it to finish, or stop it, and try again",
        path.display()
    )]
    Locked { path: PathBuf },
}

/// A result file written earlier that cannot be read back (`summary.json` and
/// `bands.csv`, which `grapevine compare` reads to build its comparison).
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file is not in the shape Grapevine writes; the message says where.
    #[error("{}: {message}", path.display())]
    Format { path: PathBuf, message: String },
}

/// Formats a byte count as KiB/MiB/GiB with one decimal.
pub fn human_bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut x = b as f64;
    let mut u = 0;
    while x >= 1024.0 && u < UNITS.len() - 1 {
        x /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{x:.1} {}", UNITS[u])
    }
}

/// One point of a sweep whose scenario does not check.
#[derive(Clone, Debug, PartialEq)]
pub struct PointProblem {
    /// Point id, e.g. `p00003`.
    pub point: String,
    /// The point's parameter values, e.g. `platform.forward_limit = 0`.
    pub assignment: String,
    /// What the scenario check said (field and message).
    pub message: String,
}

/// A sweep that cannot be read, run, resumed or merged.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// A file cannot be read.
    #[error("cannot read {}: {source}", file.display())]
    Io {
        file: PathBuf,
        source: std::io::Error,
    },
    /// TOML or JSON syntax or type error, or an unknown field.
    #[error("{}: {message}", file.display())]
    Parse { file: PathBuf, message: String },
    /// Values of the sweep file out of range or inconsistent; all of them.
    #[error("{}", Invalid(file, violations))]
    Invalid {
        file: PathBuf,
        violations: Vec<Violation>,
    },
    /// The base scenario itself cannot be used.
    #[error("base scenario: {0}")]
    Scenario(#[from] ScenarioError),
    /// Points whose scenario does not check; all of them, before any run starts.
    #[error("{}", BadPoints(file, problems))]
    Points {
        file: PathBuf,
        problems: Vec<PointProblem>,
    },
    /// A run failed (population import, seed ids).
    #[error("run {run}: {message}")]
    Run { run: String, message: String },
    /// The output folder already holds a sweep and neither resume nor force was asked.
    #[error(
        "{} already holds a sweep: pass --resume to continue it or --force to start it over",
        path.display()
    )]
    Exists { path: PathBuf },
    /// A folder holds results of a different sweep (resume, merge).
    #[error("{}: {what}", path.display())]
    Mismatch { path: PathBuf, what: String },
    /// A `runs.csv` row that is damaged somewhere other than at the end.
    #[error("{}:{line}: {reason}", file.display())]
    Row {
        file: PathBuf,
        line: u64,
        reason: String,
    },
    /// A run id that is not part of the sweep.
    #[error("\"{id}\" is not a run of this sweep: {reason}")]
    UnknownRun { id: String, reason: String },
    /// A request that does not fit the sweep: a bad `--shard` or Slurm array
    /// environment, an unknown parameter or figure for a chart.
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Output(#[from] OutputError),
    /// Stopped on request; the runs finished so far are in `runs.csv`.
    #[error(transparent)]
    Interrupted(#[from] Interrupted),
}

/// Most point problems listed in a message; the rest are counted.
const MAX_LISTED: usize = 20;

struct BadPoints<'a>(&'a PathBuf, &'a [PointProblem]);

impl fmt::Display for BadPoints<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.1.len();
        write!(
            f,
            "{}: {n} point{} give{} an invalid scenario (no run was started):",
            self.0.display(),
            if n == 1 { "" } else { "s" },
            if n == 1 { "s" } else { "" }
        )?;
        for p in self.1.iter().take(MAX_LISTED) {
            write!(f, "\n  point {} ({}):", p.point, p.assignment)?;
            for line in p.message.lines() {
                write!(f, "\n    {line}")?;
            }
        }
        if n > MAX_LISTED {
            write!(f, "\n  ... and {} more", n - MAX_LISTED)?;
        }
        Ok(())
    }
}
