//! The sweep file: parsing and checking, before any point is generated.
//!
//! A sweep file names a base scenario (relative to the sweep file), the scenario
//! parameters to vary by their key path (`platform.forward_limit`,
//! `interventions[0].at`), a design, replicates per point and a seed. Parsing is two
//! steps, as for scenarios: a serde mirror with `deny_unknown_fields`, then a walk over
//! the `[parameters]` table that checks every value and reports every violation at
//! once with its key path. Whether a path exists in the scenario format is checked
//! later, against the base scenario, by [`super::Sweep::resolve`].
//!
//! The format is documented in `docs/sweeps.md`.

use crate::error::{SweepError, Violation};
use crate::scenario::nearest;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Most points a sweep may have (every point is checked before the first run).
pub const MAX_POINTS: u64 = 1_000_000;
/// Most runs (points x replicates) a sweep may have.
pub const MAX_RUNS: u64 = 100_000_000;
/// Most replicates per point.
pub const MAX_REPLICATES: u32 = 1_000_000;
/// Scenario fields that the sweep sets for every run and that may not be varied.
pub const RESERVED_PATHS: [&str; 2] = ["simulation.seed", "simulation.replicates"];

/// How points are chosen from the parameters' domains.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DesignKind {
    /// Every combination of the listed values (ranges need `steps`).
    #[default]
    Grid,
    /// `samples` points drawn independently and uniformly.
    Random,
    /// `samples` points, each parameter's domain cut into `samples` equal strata and
    /// every stratum used exactly once (McKay et al. 1979).
    LatinHypercube,
    /// Morris elementary effects: `trajectories` trajectories of `k + 1` points on a
    /// grid of `levels` levels (sensitivity screening, [`crate::sensitivity::morris`]).
    Morris,
    /// Saltelli's design for Sobol' indices: `samples` base samples, `samples (k + 2)`
    /// points ([`crate::sensitivity::sobol`]).
    Sobol,
}

impl DesignKind {
    /// Whether the design is a sensitivity analysis (analysed at the end of the sweep).
    pub fn is_sensitivity(self) -> bool {
        matches!(self, DesignKind::Morris | DesignKind::Sobol)
    }
}

impl std::fmt::Display for DesignKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DesignKind::Grid => "grid",
            DesignKind::Random => "random",
            DesignKind::LatinHypercube => "latin-hypercube",
            DesignKind::Morris => "morris",
            DesignKind::Sobol => "sobol",
        })
    }
}

/// The values one parameter may take.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Domain {
    /// Given values, used as written into the scenario (numbers, strings such as
    /// `"6h"` or `"unlimited"`, or whole tables such as a distribution).
    List {
        /// The values, in the order given; none repeated.
        values: Vec<toml::Value>,
    },
    /// A numeric interval; with `steps`, `steps` evenly spaced values from `min` to
    /// `max` inclusive; without, a continuous range (random and latin-hypercube only).
    Range {
        /// Lower end, included.
        min: f64,
        /// Upper end, included; greater than `min`.
        max: f64,
        /// Number of evenly spaced values (at least 2); `None`: continuous.
        steps: Option<u32>,
        /// Whole numbers only (`integer = true`); default false.
        integer: bool,
        /// Log-uniform: positions map to `min (max/min)^u` (both positive).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        log: bool,
    },
}

impl Domain {
    /// The number of values of a finite domain (lists, stepped ranges).
    pub fn count(&self) -> Option<usize> {
        match self {
            Domain::List { values } => Some(values.len()),
            Domain::Range { steps: Some(n), .. } => Some(*n as usize),
            Domain::Range { steps: None, .. } => None,
        }
    }

    /// Value `i` of a finite domain (`i < count`); a continuous range gives its `min`.
    fn nth(&self, i: usize) -> toml::Value {
        match self {
            Domain::List { values } => values[i].clone(),
            Domain::Range {
                min,
                max,
                steps,
                integer,
                log,
            } => {
                let n = steps.unwrap_or(1) as usize;
                let x = if i + 1 == n {
                    *max
                } else {
                    let t = i as f64 / (n - 1) as f64;
                    if *log {
                        round_significant(min * (max / min).powf(t))
                    } else {
                        round_significant(min + (max - min) * t)
                    }
                };
                if *integer {
                    toml::Value::Integer(x.round() as i64)
                } else {
                    toml::Value::Float(x)
                }
            }
        }
    }

    /// The finite list of values, if the domain has one (lists, stepped ranges).
    pub fn values(&self) -> Option<Vec<toml::Value>> {
        let n = self.count()?;
        Some((0..n).map(|i| self.nth(i)).collect())
    }

    /// The value at position `u` in `[0, 1)` of the domain: a list or stepped range is
    /// cut into equal cells, one per value; a continuous range is scaled linearly
    /// (integers: each whole number from `min` to `max` gets an equal share).
    ///
    /// # Complexity
    /// O(1): a stepped range's value is computed, not looked up in its list (a random
    /// design of a million points over a million steps would otherwise build 10^12
    /// values).
    pub fn at(&self, u: f64) -> toml::Value {
        let u = u.clamp(0.0, 1.0);
        if let Some(n) = self.count() {
            return self.nth(((u * n as f64) as usize).min(n - 1));
        }
        match *self {
            Domain::Range {
                min,
                max,
                integer: true,
                log: false,
                ..
            } => {
                let span = max - min + 1.0;
                toml::Value::Integer((min + (u * span).floor()).min(max) as i64)
            }
            Domain::Range {
                min,
                max,
                integer: true,
                log: true,
                ..
            } => {
                // Log-uniform over [min, max + 1), so max gets its share too.
                let x = (min * ((max + 1.0) / min).powf(u)).floor();
                toml::Value::Integer(x.clamp(min, max) as i64)
            }
            Domain::Range {
                min,
                max,
                log: true,
                ..
            } => toml::Value::Float(round_significant(min * (max / min).powf(u))),
            Domain::Range { min, max, .. } => toml::Value::Float(min + u * (max - min)),
            Domain::List { .. } => unreachable!("lists always have a count"),
        }
    }
}

/// Rounds to 12 significant digits, so that `0.1 + 0.2` is written as `0.3`.
fn round_significant(x: f64) -> f64 {
    format!("{x:.11e}").parse().unwrap_or(x)
}

/// One segment of a parameter path: a table key or an array index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// A table key, e.g. `platform` or `forward_limit`.
    Key(String),
    /// The i-th entry of an array (from 0), written `[i]`.
    Index(usize),
}

/// Splits `interventions[0].at` into `interventions`, `[0]`, `at`.
pub fn parse_path(path: &str) -> Result<Vec<Segment>, String> {
    let bad = |why: &str| {
        Err(format!(
            "\"{path}\" is not a parameter path ({why}); write keys separated by dots, with \
             [i] for the i-th entry of a list, e.g. `platform.forward_limit` or `interventions[0].at`"
        ))
    };
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => part.split_at(i),
            None => (part, ""),
        };
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return bad("empty key or a character other than letters, digits, _ and -");
        }
        out.push(Segment::Key(key.to_string()));
        while !rest.is_empty() {
            let Some(close) = rest.find(']') else {
                return bad("unclosed [");
            };
            let Ok(i) = rest[1..close].parse::<usize>() else {
                return bad("an index must be a whole number >= 0");
            };
            out.push(Segment::Index(i));
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return bad("text after ]");
            }
        }
    }
    Ok(out)
}

/// One varied parameter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Parameter {
    /// Key path in the scenario, e.g. `platform.forward_limit`; also its column name.
    pub path: String,
    /// The values it takes.
    pub domain: Domain,
    /// For charts and tables, with its unit: "Forward limit (chats)".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

impl Parameter {
    /// The label, or the path's last key in words.
    pub fn display(&self) -> String {
        self.label
            .clone()
            .unwrap_or_else(|| crate::metrics::labels::parameter_words(&self.path))
    }
}

/// The point every other point is compared with.
#[derive(Clone, Debug, PartialEq)]
pub enum Reference {
    /// By id, e.g. `p00003`.
    Point(String),
    /// By the values of some parameters, e.g. `{ "platform.forward_limit" = 256 }`.
    Values(toml::Table),
}

/// A checked sweep file.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepSpec {
    /// Name of the sweep (output folder); defaults to the file's stem.
    pub name: String,
    /// Free text, kept in `sweep.json`.
    pub description: Option<String>,
    /// The base scenario, resolved against the sweep file's folder.
    pub scenario: PathBuf,
    /// How points are chosen; default grid.
    pub design: DesignKind,
    /// Number of points for random and latin-hypercube designs.
    pub samples: Option<u32>,
    /// Runs per point.
    pub replicates: u32,
    /// Master seed of the sweep: design draws and every run's seed derive from it.
    pub seed: u64,
    /// Parameters in file order (the first one varies slowest in a grid).
    pub parameters: Vec<Parameter>,
    /// Replicate r of every point uses the same seed (common random numbers).
    pub paired: bool,
    /// The point the others are compared with.
    pub reference: Option<Reference>,
    /// Report times (`[report] at` of every point's scenario), if given.
    pub at: Option<Vec<String>>,
    /// Morris: trajectories.
    pub trajectories: Option<u32>,
    /// Morris: levels per parameter.
    pub levels: Option<u32>,
    /// Sensitivity designs: the figures analysed (default: final reach and believers
    /// shares, and the figures at report times).
    pub figures: Vec<String>,
}

impl SweepSpec {
    /// Number of points the design produces.
    pub fn point_count(&self) -> u64 {
        match self.design {
            DesignKind::Grid => self.parameters.iter().fold(1u64, |acc, p| {
                acc.saturating_mul(p.domain.count().map_or(0, |n| n as u64))
            }),
            DesignKind::Morris => {
                (self.trajectories.unwrap_or(0) as u64) * (self.parameters.len() as u64 + 1)
            }
            DesignKind::Sobol => {
                (self.samples.unwrap_or(0) as u64) * (self.parameters.len() as u64 + 2)
            }
            _ => self.samples.unwrap_or(0) as u64,
        }
    }
}

/// The sweep file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSweep {
    name: Option<String>,
    description: Option<String>,
    scenario: String,
    #[serde(default)]
    design: DesignKind,
    samples: Option<i64>,
    #[serde(default = "default_replicates")]
    replicates: i64,
    #[serde(default = "default_seed")]
    seed: u64,
    paired: Option<bool>,
    reference: Option<toml::Value>,
    at: Option<Vec<String>>,
    trajectories: Option<i64>,
    levels: Option<i64>,
    figures: Option<Vec<String>>,
    parameters: toml::Table,
}

fn default_replicates() -> i64 {
    10
}
fn default_seed() -> u64 {
    1
}

/// Largest sweep file read, in bytes. Real sweep files are a few kilobytes.
pub const MAX_SWEEP_BYTES: u64 = 1 << 20;

/// Reads and checks a sweep file.
pub fn load(path: &Path) -> Result<SweepSpec, SweepError> {
    parse(&read_text(path)?, path)
}

/// Reads the text of a sweep file once, to its end or to [`MAX_SWEEP_BYTES`]: a sweep
/// file on a pipe is read once, and a device such as `/dev/zero` cannot fill memory.
pub fn read_text(path: &Path) -> Result<String, SweepError> {
    use std::io::Read;
    let io = |source| SweepError::Io {
        file: path.to_path_buf(),
        source,
    };
    let refuse = |message: String| SweepError::Parse {
        file: path.to_path_buf(),
        message,
    };
    if std::fs::metadata(path).map_err(io)?.is_dir() {
        return Err(refuse("is a folder, not a sweep file".into()));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(io)?
        .take(MAX_SWEEP_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_SWEEP_BYTES {
        return Err(refuse(format!(
            "is larger than {} KiB: a sweep file is a few kilobytes of TOML",
            MAX_SWEEP_BYTES / 1024
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        refuse(format!(
            "is not a sweep file: not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Parses and checks sweep text; `file` names it in messages and anchors the base
/// scenario path.
pub fn parse(text: &str, file: &Path) -> Result<SweepSpec, SweepError> {
    let raw: RawSweep = toml::from_str(text).map_err(|e| SweepError::Parse {
        file: file.to_path_buf(),
        message: crate::scenario::with_suggestion(&e.to_string()),
    })?;
    let mut v = Vec::new();
    let mut add = |field: String, message: String| v.push(Violation { field, message });

    let replicates = match u32::try_from(raw.replicates) {
        Ok(r) if (1..=MAX_REPLICATES).contains(&r) => r,
        _ => {
            add(
                "replicates".into(),
                format!(
                    "{} is out of range: allowed 1 to {MAX_REPLICATES}",
                    raw.replicates
                ),
            );
            1
        }
    };
    let samples = match (raw.design, raw.samples) {
        (DesignKind::Morris, Some(_)) => {
            add(
                "samples".into(),
                "a Morris design has `trajectories` (and `levels`), not `samples`".into(),
            );
            None
        }
        (DesignKind::Morris, None) => None,
        (DesignKind::Grid, Some(_)) => {
            add(
                "samples".into(),
                "a grid has one point per combination of values; `samples` is for \
                 random and latin-hypercube designs"
                    .into(),
            );
            None
        }
        (DesignKind::Grid, None) => None,
        (d, None) => {
            add("samples".into(), format!("a {d} design needs `samples`"));
            None
        }
        (_, Some(n)) => match u32::try_from(n) {
            Ok(n) if (1..=MAX_POINTS).contains(&(n as u64)) => Some(n),
            _ => {
                add(
                    "samples".into(),
                    format!("{n} is out of range: allowed 1 to {MAX_POINTS}"),
                );
                None
            }
        },
    };

    let small =
        |v: Option<i64>, what: &str, lo: i64, hi: i64, add: &mut dyn FnMut(String, String)| {
            v.and_then(|n| {
                if (lo..=hi).contains(&n) {
                    Some(n as u32)
                } else {
                    add(
                        what.into(),
                        format!("{n} is out of range: allowed {lo} to {hi}"),
                    );
                    None
                }
            })
        };
    let trajectories = small(raw.trajectories, "trajectories", 2, 100_000, &mut add);
    let levels = small(raw.levels, "levels", 2, 1000, &mut add);
    if let Some(l) = levels.filter(|l| l % 2 == 1) {
        add(
            "levels".into(),
            format!("{l} is odd: Morris levels are even (4, 6, 8)"),
        );
    }
    match raw.design {
        DesignKind::Morris => {
            if raw.trajectories.is_none() {
                add(
                    "trajectories".into(),
                    "a Morris design needs `trajectories` (10 to 50 are usual)".into(),
                );
            }
        }
        _ => {
            for (k, v) in [("trajectories", raw.trajectories), ("levels", raw.levels)] {
                if v.is_some() {
                    add(k.into(), "only a Morris design has this".into());
                }
            }
        }
    }
    if raw.figures.is_some() && !raw.design.is_sensitivity() {
        add(
            "figures".into(),
            "only sensitivity designs (morris, sobol) analyse figures".into(),
        );
    }
    let reference = match &raw.reference {
        None => None,
        Some(toml::Value::String(id)) => Some(Reference::Point(id.clone())),
        Some(toml::Value::Table(t)) if !t.is_empty() => Some(Reference::Values(t.clone())),
        Some(other) => {
            add(
                "reference".into(),
                format!(
                    "{other} is not a point: give its id (\"p00003\") or parameter values \
                     ({{ \"platform.forward_limit\" = 256 }})"
                ),
            );
            None
        }
    };
    if reference.is_some() && raw.design.is_sensitivity() {
        add(
            "reference".into(),
            "a sensitivity design has no reference point".into(),
        );
    }

    let mut parameters = Vec::new();
    walk("", &raw.parameters, &mut parameters, &mut add);
    if parameters.is_empty() && raw.parameters.is_empty() {
        add(
            "parameters".into(),
            "no parameter to vary; add e.g. `platform.forward_limit = [1, 5, 20]`".into(),
        );
    }
    for (i, p) in parameters.iter().enumerate() {
        let at = format!("parameters.{}", p.path);
        if let Err(m) = parse_path(&p.path) {
            add(at.clone(), m);
        }
        if RESERVED_PATHS.contains(&p.path.as_str()) {
            add(
                at.clone(),
                "set by the sweep for every run (the run's seed derives from the sweep \
                 seed; each run is one replicate): use the sweep's `seed` and `replicates`"
                    .into(),
            );
        }
        if parameters[..i].iter().any(|o| o.path == p.path) {
            add(at.clone(), "given twice".into());
        }
        if raw.design == DesignKind::Grid {
            if let Domain::Range { steps: None, .. } = p.domain {
                add(
                    at,
                    "a continuous range in a grid needs `steps` (the number of evenly \
                     spaced values from min to max)"
                        .into(),
                );
            }
        }
    }
    let mut spec = SweepSpec {
        name: raw.name.clone().unwrap_or_else(|| {
            file.file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("sweep")
                .to_string()
        }),
        description: raw.description,
        scenario: file.parent().unwrap_or(Path::new(".")).join(&raw.scenario),
        design: raw.design,
        samples,
        replicates,
        seed: raw.seed,
        parameters,
        paired: raw.paired.unwrap_or(true),
        reference,
        at: raw.at,
        trajectories,
        levels,
        figures: raw.figures.unwrap_or_default(),
    };
    if v.is_empty() && spec.design.is_sensitivity() {
        if let Err(e) = super::design::sensitivity_units(&spec) {
            v.push(Violation {
                field: "design".into(),
                message: e.to_string(),
            });
        }
    }
    if v.is_empty() {
        let points = spec.point_count();
        if points > MAX_POINTS {
            v.push(Violation {
                field: "parameters".into(),
                message: format!("the grid has {points} points: allowed up to {MAX_POINTS}"),
            });
        } else if points.saturating_mul(replicates as u64) > MAX_RUNS {
            v.push(Violation {
                field: "replicates".into(),
                message: format!(
                    "{points} points x {replicates} replicates is more than {MAX_RUNS} runs"
                ),
            });
        }
    }
    if !v.is_empty() {
        return Err(SweepError::Invalid {
            file: file.to_path_buf(),
            violations: v,
        });
    }
    spec.name = spec.name.trim().to_string();
    Ok(spec)
}

/// Collects the parameters of a `[parameters]` (sub)table: arrays are lists, tables
/// with `min` and `max` are ranges, other tables are path prefixes.
fn walk(
    prefix: &str,
    table: &toml::Table,
    out: &mut Vec<Parameter>,
    add: &mut dyn FnMut(String, String),
) {
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        let at = format!("parameters.{path}");
        match value {
            toml::Value::Array(values) => {
                if let Some(domain) = check_list(values, &at, add) {
                    out.push(Parameter {
                        path,
                        domain,
                        label: None,
                    });
                }
            }
            toml::Value::Table(t) if is_range(t) => {
                if let Some(domain) = check_range(t, &at, add) {
                    let label = label_of(t, &at, add);
                    out.push(Parameter {
                        path,
                        domain,
                        label,
                    });
                }
            }
            toml::Value::Table(t) if t.contains_key("values") => {
                for k in t
                    .keys()
                    .filter(|k| !["values", "label"].contains(&k.as_str()))
                {
                    add(
                        format!("{at}.{k}"),
                        "unknown key: a list of values has `values` and `label`".into(),
                    );
                }
                let label = label_of(t, &at, add);
                match t.get("values") {
                    Some(toml::Value::Array(values)) => {
                        if let Some(domain) = check_list(values, &format!("{at}.values"), add) {
                            out.push(Parameter {
                                path,
                                domain,
                                label,
                            });
                        }
                    }
                    _ => add(format!("{at}.values"), "give a list `[a, b, ...]`".into()),
                }
            }
            toml::Value::Table(t) if t.is_empty() => {
                add(at, "an empty table: give a list or a range".into())
            }
            toml::Value::Table(t) => walk(&path, t, out, add),
            other => add(
                at,
                format!(
                    "{other} is a single value: give a list `[a, b, ...]` or a range \
                     `{{ min = .., max = .. }}`"
                ),
            ),
        }
    }
}

/// The `label` of a parameter's table, checked.
fn label_of(t: &toml::Table, at: &str, add: &mut dyn FnMut(String, String)) -> Option<String> {
    match t.get("label") {
        None => None,
        Some(toml::Value::String(l))
            if !l.trim().is_empty() && l.chars().count() <= 100 && !l.contains(['\n', '\r']) =>
        {
            Some(l.clone())
        }
        Some(other) => {
            add(
                format!("{at}.label"),
                format!("{other} is not a label: one line of text, at most 100 characters"),
            );
            None
        }
    }
}

/// A table whose keys include `min` or `max` and whose values are all plain scalars.
fn is_range(t: &toml::Table) -> bool {
    (t.contains_key("min") || t.contains_key("max"))
        && t.values()
            .all(|v| !matches!(v, toml::Value::Table(_) | toml::Value::Array(_)))
}

fn check_list(
    values: &[toml::Value],
    at: &str,
    add: &mut dyn FnMut(String, String),
) -> Option<Domain> {
    if values.is_empty() {
        add(at.into(), "the list is empty".into());
        return None;
    }
    let mut ok = true;
    for (i, x) in values.iter().enumerate() {
        match x {
            toml::Value::Float(f) if !f.is_finite() => {
                add(format!("{at}[{i}]"), format!("{f} is not a finite number"));
                ok = false;
            }
            toml::Value::Datetime(_) => {
                add(format!("{at}[{i}]"), "dates are not scenario values".into());
                ok = false;
            }
            _ if values[..i].contains(x) => {
                add(format!("{at}[{i}]"), format!("{x} is listed twice"));
                ok = false;
            }
            _ => {}
        }
    }
    ok.then(|| Domain::List {
        values: values.to_vec(),
    })
}

fn check_range(t: &toml::Table, at: &str, add: &mut dyn FnMut(String, String)) -> Option<Domain> {
    const KEYS: [&str; 6] = ["min", "max", "steps", "integer", "log", "label"];
    let mut ok = true;
    for k in t.keys() {
        if !KEYS.contains(&k.as_str()) {
            let hint = nearest(k, &KEYS)
                .map(|b| format!("; did you mean `{b}`?"))
                .unwrap_or_default();
            add(
                format!("{at}.{k}"),
                format!("unknown key: a range has min, max, steps, integer, log and label{hint}"),
            );
            ok = false;
        }
    }
    let mut number = |k: &str| -> Option<f64> {
        let x = match t.get(k) {
            Some(toml::Value::Integer(i)) => Some(*i as f64),
            Some(toml::Value::Float(f)) if f.is_finite() => Some(*f),
            Some(other) => {
                add(
                    format!("{at}.{k}"),
                    format!("{other} is not a finite number"),
                );
                None
            }
            None => {
                add(
                    format!("{at}.{k}"),
                    "missing: a range needs min and max".into(),
                );
                None
            }
        };
        if x.is_none() {
            ok = false;
        }
        x
    };
    let (min, max) = (number("min"), number("max"));
    let integer = match t.get("integer") {
        None => false,
        Some(toml::Value::Boolean(b)) => *b,
        Some(other) => {
            add(
                format!("{at}.integer"),
                format!("{other} is not true or false"),
            );
            ok = false;
            false
        }
    };
    let steps = match t.get("steps") {
        None => None,
        Some(toml::Value::Integer(n)) if (2..=MAX_POINTS as i64).contains(n) => Some(*n as u32),
        Some(other) => {
            add(
                format!("{at}.steps"),
                format!("{other} is out of range: allowed 2 to {MAX_POINTS} (for one value, use a list)"),
            );
            ok = false;
            None
        }
    };
    let log = match t.get("log") {
        None => false,
        Some(toml::Value::Boolean(b)) => *b,
        Some(other) => {
            add(format!("{at}.log"), format!("{other} is not true or false"));
            ok = false;
            false
        }
    };
    let (min, max) = (min?, max?);
    if min >= max {
        add(at.into(), format!("min {min} must be less than max {max}"));
        ok = false;
    }
    if log && min <= 0.0 {
        add(
            at.into(),
            format!("log = true needs min > 0 (a log-uniform range), not {min}"),
        );
        ok = false;
    }
    if integer && (min.fract() != 0.0 || max.fract() != 0.0) {
        add(
            at.into(),
            format!("integer = true needs whole min and max, not {min} and {max}"),
        );
        ok = false;
    }
    let domain = Domain::Range {
        min,
        max,
        steps,
        integer,
        log,
    };
    if ok && integer {
        if let (Some(n), Some(values)) = (steps, domain.values()) {
            if values.windows(2).any(|w| w[0] == w[1]) {
                add(
                    format!("{at}.steps"),
                    format!(
                        "{n} steps between {min} and {max} repeat whole numbers: use at most {}",
                        (max - min) as u64 + 1
                    ),
                );
                ok = false;
            }
        }
    }
    ok.then_some(domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> Result<SweepSpec, SweepError> {
        parse(text, Path::new("dir/s.toml"))
    }

    /// Found while writing the fuzzer (issue 16): `at` built the whole list of a
    /// stepped range for every point, so a latin hypercube of 2,000 samples over a
    /// range of 10^6 steps built 2 * 10^9 values and never finished checking.
    #[test]
    fn a_stepped_range_is_not_listed_for_every_point() {
        let d = Domain::Range {
            min: 0.0,
            max: 1.0,
            steps: Some(MAX_POINTS as u32),
            integer: false,
            log: false,
        };
        let started = std::time::Instant::now();
        for k in 0..100_000 {
            d.at(k as f64 / 100_000.0);
        }
        assert!(started.elapsed().as_secs_f64() < 5.0);
        let small = Domain::Range {
            min: 1.0,
            max: 9.0,
            steps: Some(5),
            integer: true,
            log: false,
        };
        let values = small.values().unwrap();
        for (k, u) in [0.0, 0.19, 0.2, 0.5, 0.99, 1.0].into_iter().enumerate() {
            let i = ((u * 5.0) as usize).min(4);
            assert_eq!(small.at(u), values[i], "{k}: at({u})");
        }
        assert_eq!(small.count(), Some(5));
    }

    fn fields(text: &str) -> Vec<String> {
        match spec(text) {
            Err(SweepError::Invalid { violations, .. }) => {
                violations.into_iter().map(|v| v.field).collect()
            }
            other => panic!("expected violations, got {other:?}"),
        }
    }

    #[test]
    fn parameters_keep_file_order_and_paths() {
        let s = spec(
            "scenario = \"../base.toml\"\nreplicates = 3\n[parameters]\n\
             rumor.appeal = { min = 0.1, max = 0.9, steps = 5 }\n\
             platform.forward_limit = [1, 5, \"unlimited\"]\n\
             \"interventions[0].at\" = [\"6h\", \"24h\"]\n",
        )
        .unwrap();
        let paths: Vec<&str> = s.parameters.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "rumor.appeal",
                "platform.forward_limit",
                "interventions[0].at"
            ]
        );
        assert_eq!(s.scenario, Path::new("dir/../base.toml"));
        assert_eq!(s.name, "s");
        assert_eq!(s.point_count(), 5 * 3 * 2);
        let appeal: Vec<f64> = s.parameters[0]
            .domain
            .values()
            .unwrap()
            .iter()
            .map(|v| v.as_float().unwrap())
            .collect();
        assert_eq!(appeal, [0.1, 0.3, 0.5, 0.7, 0.9]);
    }

    #[test]
    fn every_violation_with_its_key_path() {
        let f = fields(
            "scenario = \"b.toml\"\nreplicates = 0\nsamples = 4\n[parameters]\n\
             rumor.appeal = { min = 0.9, max = 0.1 }\n\
             sharing.believer = 0.3\n\
             simulation.seed = [1, 2]\n\
             platform.forward_limit = [1, 1]\n\
             population.users = { min = 1, max = 9, stesp = 3 }\n",
        );
        assert_eq!(
            f,
            [
                "replicates",
                "samples",
                "parameters.rumor.appeal",
                "parameters.sharing.believer",
                "parameters.platform.forward_limit[1]",
                "parameters.population.users.stesp",
                "parameters.simulation.seed",
            ]
        );
    }

    #[test]
    fn continuous_ranges_need_steps_in_a_grid_only() {
        let text = "scenario = \"b.toml\"\n[parameters]\nrumor.appeal = { min = 0.1, max = 0.9 }\n";
        assert_eq!(fields(text), ["parameters.rumor.appeal"]);
        let lhs = format!("design = \"latin-hypercube\"\nsamples = 8\n{text}");
        assert_eq!(spec(&lhs).unwrap().point_count(), 8);
    }

    #[test]
    fn integer_steps_must_not_repeat() {
        let text = "scenario = \"b.toml\"\n[parameters]\n\
                    platform.forward_limit = { min = 1, max = 3, steps = 5, integer = true }\n";
        assert_eq!(fields(text), ["parameters.platform.forward_limit.steps"]);
    }

    #[test]
    fn unknown_top_level_key_is_refused_with_suggestion() {
        let e = spec("scenario = \"b.toml\"\nreplicate = 3\n[parameters]\na = [1]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("did you mean `replicates`"), "{e}");
    }

    #[test]
    fn shipped_example_parses() {
        let file = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/sweeps/forward-limit-vs-fact-check.toml");
        let s = load(&file).unwrap();
        let paths: Vec<&str> = s.parameters.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["platform.forward_limit", "interventions[0].at"]);
        assert_eq!((s.point_count(), s.replicates), (12, 20));
        assert!(s
            .scenario
            .ends_with("sweeps/../brazil-2018/factcheck-6h.toml"));
    }

    #[test]
    fn paths_split_into_keys_and_indices() {
        use Segment::*;
        assert_eq!(
            parse_path("interventions[0].at").unwrap(),
            [Key("interventions".into()), Index(0), Key("at".into())]
        );
        assert!(parse_path("a..b").is_err());
        assert!(parse_path("a[x]").is_err());
        assert!(parse_path("a[1]b").is_err());
    }

    #[test]
    fn domain_positions_cover_every_value() {
        let d = Domain::Range {
            min: 1.0,
            max: 4.0,
            steps: None,
            integer: true,
            log: false,
        };
        let got: Vec<i64> = [0.0, 0.26, 0.5, 0.99]
            .iter()
            .map(|&u| d.at(u).as_integer().unwrap())
            .collect();
        assert_eq!(got, [1, 2, 3, 4]);
        let l = Domain::List {
            values: vec!["a".into(), "b".into()],
        };
        assert_eq!(l.at(0.49).as_str(), Some("a"));
        assert_eq!(l.at(0.5).as_str(), Some("b"));
    }
}
