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
        /// The file concerned.
        file: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// TOML syntax or type error, with the parser's line/column snippet.
    #[error("{}: {message}", file.display())]
    Parse {
        /// The file concerned.
        file: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Values out of range or inconsistent; all of them.
    #[error("{}", Invalid(file, violations))]
    Invalid {
        /// The file concerned.
        file: PathBuf,
        /// Every violation found.
        violations: Vec<Violation>,
    },
    /// A value of the wrong type or an unknown key, located: the file that set it (a
    /// base of `within` when it came through `extends`), its line and key path.
    #[error("{}", FieldError(file, line, field, message, within))]
    Field {
        /// The file concerned.
        file: PathBuf,
        /// The 1-based line.
        line: Option<usize>,
        /// Key path of the value.
        field: String,
        /// What is wrong.
        message: String,
        /// The scenario that extends the file, when the value came through `extends`.
        within: Option<PathBuf>,
    },
}

struct FieldError<'a>(
    &'a PathBuf,
    &'a Option<usize>,
    &'a String,
    &'a String,
    &'a Option<PathBuf>,
);

impl fmt::Display for FieldError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let FieldError(file, line, field, message, within) = self;
        write!(f, "{}", file.display())?;
        if let Some(l) = line {
            write!(f, ":{l}")?;
        }
        write!(f, ": {field}: {message}")?;
        if let Some(w) = within {
            write!(f, "\n  (in a base of {}, through `extends`)", w.display())?;
        }
        Ok(())
    }
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
    /// A file or folder cannot be read or written.
    #[error("cannot read {}: {source}", file.display())]
    Io {
        /// The file concerned.
        file: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// A bad row: file, 1-based line, reason.
    #[error("{}:{line}: {reason}", file.display())]
    Row {
        /// The file concerned.
        file: PathBuf,
        /// The 1-based line.
        line: u64,
        /// What is wrong and what to change.
        reason: String,
    },
    /// The file as a whole is unusable (empty, too large, ...).
    #[error("{}: {reason}", file.display())]
    File {
        /// The file concerned.
        file: PathBuf,
        /// What is wrong and what to change.
        reason: String,
    },
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
        /// Bytes the run needs.
        needed: u64,
        /// Bytes that may be used.
        available: u64,
        /// Which limit is the tightest (available memory, cgroup, ulimit).
        limit: String,
    },
    /// The system refused the memory for a large array (an address-space or commit
    /// limit lower than the guard could see).
    #[error(
        "out of memory: the system refused {} for {what}; \
         reduce population.users, the number of chats, or --threads",
        human_bytes(*bytes)
    )]
    Allocation {
        /// What was being allocated or measured.
        what: &'static str,
        /// Bytes asked for.
        bytes: u64,
    },
}

/// Work stopped on request (Ctrl-C, SIGTERM) before it was complete.
#[derive(Debug, thiserror::Error)]
#[error("stopped by a signal before the work was complete")]
pub struct Interrupted;

/// A scenario whose population cannot be built: too large for memory, a population
/// file that cannot be imported, or ids the population does not have.
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    /// The run would not fit in memory (checked before anything is allocated).
    #[error(transparent)]
    Capacity(#[from] CapacityError),
    /// An imported population file cannot be used.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// A value checked against the population (seed or intervention ids) is wrong.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
}

/// Output that cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A file or folder cannot be read or written.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The folder exists, is not empty and was not written by Grapevine.
    #[error(
        "{} exists and was not written by Grapevine (no .grapevine marker); \
         refusing to overwrite it: choose another --out",
        path.display()
    )]
    NotOurs {
        /// The path concerned.
        path: PathBuf,
    },
    /// A chart cannot be drawn.
    #[error("cannot draw chart {}: {message}", path.display())]
    Plot {
        /// The path concerned.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Files of the user's in a Grapevine folder have the names of new results.
    #[error(
        "{} holds files that Grapevine did not write but that have the names of new \
         results: {}; move them away or choose another --out (nothing was changed)",
        path.display(),
        names.join(", ")
    )]
    Clash {
        /// The path concerned.
        path: PathBuf,
        /// The names that clash.
        names: Vec<String>,
    },
    /// Another process is writing into the folder.
    #[error(
        "{} is in use by another grapevine process (a sweep, resume or merge running \
         there); wait for it to finish, or stop it, and try again",
        path.display()
    )]
    Locked {
        /// The path concerned.
        path: PathBuf,
    },
}

/// A result file written earlier that cannot be read back (`summary.json` and
/// `bands.csv`, which `grapevine compare` reads to build its comparison).
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    /// A file or folder cannot be read or written.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The file is not in the shape Grapevine writes; the message says where.
    #[error("{}: {message}", path.display())]
    Format {
        /// The path concerned.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// A report that cannot be made (`grapevine report`, `--report`).
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A result file cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// A result file is not in the shape Grapevine writes; the message says where.
    #[error("{}: {message}", path.display())]
    Format {
        /// The path concerned.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The folder is not a result folder Grapevine wrote.
    #[error("{} is not a Grapevine result folder: {message}", path.display())]
    NotResults {
        /// The folder given.
        path: PathBuf,
        /// What was looked for.
        message: String,
    },
    /// The report file cannot be written.
    #[error("cannot write the report {}: {message}", path.display())]
    Write {
        /// The report's path.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
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
        /// The file concerned.
        file: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// TOML or JSON syntax or type error, or an unknown field.
    #[error("{}: {message}", file.display())]
    Parse {
        /// The file concerned.
        file: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Values of the sweep file out of range or inconsistent; all of them.
    #[error("{}", Invalid(file, violations))]
    Invalid {
        /// The file concerned.
        file: PathBuf,
        /// Every violation found.
        violations: Vec<Violation>,
    },
    /// The base scenario itself cannot be used.
    #[error("base scenario: {0}")]
    Scenario(#[from] ScenarioError),
    /// Points whose scenario does not check; all of them, before any run starts.
    #[error("{}", BadPoints(file, problems))]
    Points {
        /// The file concerned.
        file: PathBuf,
        /// Every point whose scenario does not check.
        problems: Vec<PointProblem>,
    },
    /// A run failed (population import, seed ids).
    #[error("run {run}: {message}")]
    Run {
        /// The run id.
        run: String,
        /// What is wrong.
        message: String,
    },
    /// The output folder already holds a sweep and neither resume nor force was asked.
    #[error(
        "{} already holds a sweep: pass --resume to continue it or --force to start it over",
        path.display()
    )]
    Exists {
        /// The path concerned.
        path: PathBuf,
    },
    /// A folder holds results of a different sweep (resume, merge).
    #[error("{}: {what}", path.display())]
    Mismatch {
        /// The path concerned.
        path: PathBuf,
        /// What was being allocated or measured.
        what: String,
    },
    /// A `runs.csv` row that is damaged somewhere other than at the end.
    #[error("{}:{line}: {reason}", file.display())]
    Row {
        /// The file concerned.
        file: PathBuf,
        /// The 1-based line.
        line: u64,
        /// What is wrong and what to change.
        reason: String,
    },
    /// A run id that is not part of the sweep.
    #[error("\"{id}\" is not a run of this sweep: {reason}")]
    UnknownRun {
        /// The id as given.
        id: String,
        /// What is wrong and what to change.
        reason: String,
    },
    /// A request that does not fit the sweep: a bad `--shard` or Slurm array
    /// environment, an unknown parameter or figure for a chart.
    #[error("{0}")]
    Usage(String),
    /// Writing results failed.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The sensitivity analysis of a sweep's runs failed.
    #[error("sensitivity analysis: {0}")]
    Sensitivity(#[from] SensitivityError),
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

/// Counts or outcomes that do not define a proportion or a paired difference.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ProbabilityError {
    /// A proportion of zero runs.
    #[error("no runs: a probability needs at least one run")]
    NoRuns,
    /// More runs with the event than runs.
    #[error("{hits} runs with the event out of only {runs} runs")]
    HitsExceedRuns {
        /// Runs in which the event happened.
        hits: u64,
        /// Runs in all.
        runs: u64,
    },
    /// Paired outcomes of different lengths.
    #[error(
        "paired outcomes need one outcome per replicate on both sides: \
         {reference} reference and {variant} variant replicates"
    )]
    Unpaired {
        /// Outcomes of the reference.
        reference: usize,
        /// Outcomes of the variant.
        variant: usize,
    },
    /// A confidence level outside (0, 1).
    #[error("confidence level {0} is not strictly between 0 and 1")]
    Level(f64),
}

/// A sensitivity design that cannot be built, or model outputs that cannot be analysed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SensitivityError {
    /// A design without parameters.
    #[error("a sensitivity design needs at least one parameter")]
    NoParameters,
    /// Too few trajectories, base samples or bootstrap resamples.
    #[error("{what} must be at least {min}, got {got}")]
    TooFew {
        /// What was being allocated or measured.
        what: &'static str,
        /// What was given.
        got: usize,
        /// The least allowed.
        min: usize,
    },
    /// A Morris grid whose number of levels is odd or below 2.
    #[error(
        "a Morris grid needs an even number of levels (at least 2), got {0}: \
         with an odd number the jump p/(2(p-1)) falls between levels"
    )]
    Levels(usize),
    /// More parameters than the built-in Sobol sequence has dimensions for.
    #[error(
        "{parameters} parameters need {needed} dimensions of the Sobol sequence, which \
         has direction numbers for {max}; use uniform base samples instead"
    )]
    TooManyParameters {
        /// Number of parameters.
        parameters: usize,
        /// Bytes the run needs.
        needed: usize,
        /// The most allowed.
        max: usize,
    },
    /// A design with more model runs than is reasonable to ask for.
    #[error("the design needs {rows} model runs, more than the {max} allowed")]
    TooLarge {
        /// Rows concerned.
        rows: u128,
        /// The most allowed.
        max: u64,
    },
    /// A row id outside the design.
    #[error("row {row} is not in the design, which has {rows} rows")]
    Row {
        /// The row.
        row: usize,
        /// Rows concerned.
        rows: usize,
    },
    /// Outputs not one per row.
    #[error("the design has {expected} rows but {got} outputs were given")]
    Outputs {
        /// How many were expected.
        expected: usize,
        /// What was given.
        got: usize,
    },
    /// Outputs that are NaN or infinite; the first few rows are listed.
    #[error(
        "{count} output{} not finite (NaN or infinite), first at row{} {}",
        if *count == 1 { " is" } else { "s are" },
        if rows.len() == 1 { "" } else { "s" },
        rows.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(", ")
    )]
    NonFinite {
        /// How many.
        count: usize,
        /// Rows concerned.
        rows: Vec<usize>,
    },
    /// Every output equal: no variance to apportion among the parameters.
    #[error("the output is the same in every run: it has no variance to apportion")]
    ConstantOutput,
}

/// A calibration that cannot be set up, run, resumed or merged.
#[derive(Debug, thiserror::Error)]
pub enum CalibrationError {
    /// Settings that do not define a calibration (particles, quantile, budget, priors).
    #[error("{0}")]
    Settings(String),
    /// The simulator failed on a proposed parameter vector.
    #[error(
        "generation {generation}, particle {particle}, attempt {attempt}: the simulation \
         failed: {message}"
    )]
    Simulation {
        /// Generation of the failing proposal.
        generation: u32,
        /// Particle index in that generation.
        particle: u32,
        /// Attempt number of that particle.
        attempt: u32,
        /// The simulator's message.
        message: String,
    },
    /// The output folder already holds a calibration and neither resume nor force was
    /// asked.
    #[error(
        "{} already holds a calibration: pass --resume to continue it or --force to start it over",
        path.display()
    )]
    Exists {
        /// The output folder.
        path: PathBuf,
    },
    /// A folder holds a different calibration (resume, shards, merge).
    #[error("{}: {what}", path.display())]
    Mismatch {
        /// The folder or file that differs.
        path: PathBuf,
        /// What differs.
        what: String,
    },
    /// A damaged row in a file the calibration wrote (or an observed-data row).
    #[error("{}:{line}: {reason}", file.display())]
    Row {
        /// The file.
        file: PathBuf,
        /// Line number, from 1.
        line: u64,
        /// What is wrong with the row.
        reason: String,
    },
    /// A file cannot be read.
    #[error("cannot read {}: {source}", file.display())]
    Io {
        /// The file.
        file: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A merge found particles missing from every shard (or conflicting rows).
    #[error("{0}")]
    Incomplete(String),
    /// The scenario cannot be used.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The scenario's population cannot be built.
    #[error(transparent)]
    Prepare(#[from] PrepareError),
    /// Stopped on request; finished particles and generations are kept.
    #[error(transparent)]
    Interrupted(#[from] Interrupted),
    #[error(transparent)]
    /// A calibration file cannot be written.
    Output(#[from] OutputError),
}
