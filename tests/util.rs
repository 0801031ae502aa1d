//! Test harness shared by the CLI tests: a [`Harness`] owns a temporary folder, writes
//! scenario files into it and builds `grapevine` invocations that run inside it, and a
//! few readers turn the result files back into numbers.
//!
//! Scenario text comes from [`ScenarioBuilder`], which starts from a tiny seeded case
//! (2,000 users, one day, three replicates, seeded in two political chats) that runs in
//! well under a second, so most tests only state what they change.

#![allow(dead_code)] // each test module uses a different part of the harness

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

/// Files every `grapevine run` writes.
pub const RUN_FILES: [&str; 6] = [
    "timeseries.csv",
    "bands.csv",
    "summary.json",
    "virality.png",
    "virality.svg",
    ".grapevine",
];

/// Flip to `false` only while the chart module is a stub that writes empty files; the
/// chart assertions in `cli_run` then check existence only.
pub const REAL_CHARTS: bool = true;

/// A temporary working folder plus a way to run the binary inside it.
pub struct Harness {
    dir: tempfile::TempDir,
}

impl Default for Harness {
    fn default() -> Self {
        Harness::new()
    }
}

impl Harness {
    /// A fresh, empty temporary folder.
    pub fn new() -> Harness {
        let dir = tempfile::Builder::new()
            .prefix("grapevine-test-")
            .tempdir()
            .expect("create temp dir");
        Harness { dir }
    }

    /// The folder itself.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `rel` inside the folder.
    pub fn join(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes `contents` to `rel` (creating parent folders) and returns its full path.
    pub fn write(&self, rel: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create parent folder");
        }
        fs::write(&path, contents).expect("write test file");
        path
    }

    /// Reads `rel` as text.
    pub fn read(&self, rel: impl AsRef<Path>) -> String {
        let path = self.join(rel);
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
    }

    /// Reads `rel` as bytes.
    pub fn read_bytes(&self, rel: impl AsRef<Path>) -> Vec<u8> {
        let path = self.join(rel);
        fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
    }

    /// `grapevine` with the folder as current directory and a clean environment for
    /// the variables that change its behaviour or its error output.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_grapevine"));
        cmd.current_dir(self.path())
            .env_remove("RUST_BACKTRACE")
            .env_remove("RUST_LIB_BACKTRACE")
            .env_remove("RAYON_NUM_THREADS")
            // A test run inside a Slurm job must not become a shard of its sweep.
            .env_remove("SLURM_ARRAY_TASK_ID")
            .env_remove("SLURM_ARRAY_TASK_COUNT")
            .env_remove("SLURM_ARRAY_TASK_MIN")
            .timeout(std::time::Duration::from_secs(120));
        cmd
    }

    /// `grapevine sweep FILE --out OUT --quiet EXTRA...`, whatever its outcome.
    pub fn sweep(&self, file: &Path, out: &str, extra: &[&str]) -> Output {
        self.cmd()
            .arg("sweep")
            .arg(file)
            .args(["--out", out, "--quiet"])
            .args(extra)
            .output()
            .expect("spawn grapevine")
    }

    /// `grapevine run SCENARIO --out OUT --quiet EXTRA...`, asserted to succeed.
    pub fn run_ok(&self, scenario: &str, out: &str, extra: &[&str]) -> Output {
        let output = self
            .cmd()
            .args(["run", scenario, "--out", out, "--quiet"])
            .args(extra)
            .output()
            .expect("spawn grapevine");
        assert_success(&output);
        output
    }
}

/// Asserts that a finished command succeeded; otherwise shows its exit status and
/// standard error.
pub fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "exit {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A scenario file's text, starting from a tiny seeded case.
#[derive(Clone, Debug)]
pub struct ScenarioBuilder {
    pub name: String,
    pub users: u64,
    pub horizon: String,
    pub step: String,
    pub replicates: u32,
    pub seed: u64,
    /// Extra TOML appended at the end (sections of its own).
    pub extra: String,
}

impl ScenarioBuilder {
    /// 2,000 users in two camps, one day in 10-minute steps, three replicates, the
    /// rumor seeded in two political chats of one camp.
    pub fn tiny(name: &str) -> ScenarioBuilder {
        ScenarioBuilder {
            name: name.to_string(),
            users: 2_000,
            horizon: "1d".into(),
            step: "10m".into(),
            replicates: 3,
            seed: 42,
            extra: String::new(),
        }
    }

    pub fn users(mut self, users: u64) -> Self {
        self.users = users;
        self
    }

    pub fn replicates(mut self, replicates: u32) -> Self {
        self.replicates = replicates;
        self
    }

    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    pub fn horizon(mut self, horizon: &str) -> Self {
        self.horizon = horizon.to_string();
        self
    }

    /// The scenario as TOML.
    pub fn toml(&self) -> String {
        format!(
            r#"name = "{name}"

[simulation]
seed = {seed}
step = "{step}"
horizon = "{horizon}"
replicates = {replicates}
start_hour = 8

[population]
users = {users}
camps = [{{ name = "left", share = 0.5 }}, {{ name = "right", share = 0.5 }}]
activity = {{ dist = "beta", alpha = 3.0, beta = 3.0 }}
rhythm = "flat"

[population.chats.family]
per_user = 1.0

[population.chats.friends]
per_user = 1.5

[population.chats.political]
per_user = 0.5
size = {{ dist = "lognormal", median = 60, sigma = 0.5, min = 10, max = 256 }}

[population.chats.direct]
per_user = 4

[rumor]
appeal = 0.4
target_camp = "left"

[sharing]
believer = 0.5
rejecter = 0.05
delay = "30m"
actions = 2

[[seeds]]
chats = 2
kind = "political"
camp = "right"
{extra}"#,
            name = self.name,
            seed = self.seed,
            step = self.step,
            horizon = self.horizon,
            replicates = self.replicates,
            users = self.users,
            extra = self.extra,
        )
    }
}

/// A CSV file as a header and rows of raw fields (no quoting: generated populations
/// label users and chats by number).
#[derive(Clone, Debug)]
pub struct Csv {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Csv {
    pub fn parse(text: &str) -> Csv {
        assert!(text.ends_with('\n'), "CSV does not end with a newline");
        let mut lines = text.lines();
        let header: Vec<String> = lines
            .next()
            .expect("CSV has a header")
            .split(',')
            .map(str::to_string)
            .collect();
        let rows: Vec<Vec<String>> = lines
            .map(|l| l.split(',').map(str::to_string).collect())
            .collect();
        for (i, r) in rows.iter().enumerate() {
            assert_eq!(
                r.len(),
                header.len(),
                "row {} has {} fields, header has {}",
                i + 2,
                r.len(),
                header.len()
            );
        }
        Csv { header, rows }
    }

    /// Index of a column, panicking with the header if absent.
    pub fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {:?}", self.header))
    }

    /// A column as unsigned integers.
    pub fn u64s(&self, name: &str) -> Vec<u64> {
        let c = self.col(name);
        self.rows
            .iter()
            .map(|r| {
                r[c].parse()
                    .unwrap_or_else(|_| panic!("{name} = {:?} is not an integer", r[c]))
            })
            .collect()
    }

    /// A column as floats.
    pub fn f64s(&self, name: &str) -> Vec<f64> {
        let c = self.col(name);
        self.rows
            .iter()
            .map(|r| {
                r[c].parse()
                    .unwrap_or_else(|_| panic!("{name} = {:?} is not a number", r[c]))
            })
            .collect()
    }
}

/// Snapshot of every file under `dir`: relative path -> bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in fs::read_dir(dir).expect("read dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).expect("under root").to_path_buf();
                out.insert(rel, fs::read(&path).expect("read file"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Asserts that stderr shows an orderly error, not a panic.
pub fn assert_no_panic(stderr: &str) {
    assert!(!stderr.contains("panicked"), "panic in stderr:\n{stderr}");
    assert!(
        !stderr.contains("RUST_BACKTRACE"),
        "backtrace hint in stderr:\n{stderr}"
    );
}
