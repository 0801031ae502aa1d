//! `grapevine sweep`, `merge`, `plot` and `run --from-sweep` end to end, on small
//! scenarios written into a temporary folder.

use crate::util::{assert_success, Harness};
use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A temporary folder with a small base scenario and sweep files.
struct Fixture {
    h: Harness,
}

impl Fixture {
    /// A base scenario of `users` users over `horizon`.
    fn new(users: u32, horizon: &str) -> Fixture {
        let h = Harness::new();
        h.write(
            "base.toml",
            format!(
                "name = \"small\"\n[simulation]\nhorizon = \"{horizon}\"\nreplicates = 1\n\
                 [population]\nusers = {users}\n[rumor]\nappeal = 0.4\n\
                 [sharing]\nbeliever = 0.5\n"
            ),
        );
        Fixture { h }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.h.join(name)
    }

    /// Writes a sweep file over the base scenario; returns its path.
    fn sweep_file(&self, name: &str, body: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, format!("scenario = \"base.toml\"\n{body}")).unwrap();
        p
    }

    /// 3 forward limits x 2 appeal values x 2 share probabilities... = 12 runs.
    fn twelve_runs(&self) -> PathBuf {
        self.sweep_file(
            "twelve.toml",
            "replicates = 2\nseed = 11\n[parameters]\n\
             platform.forward_limit = [1, 5, 20]\n\
             sharing.believer = [0.3, 0.6]\n",
        )
    }

    fn cmd(&self) -> Command {
        self.h.cmd()
    }

    fn sweep(&self, file: &Path, out: &str, extra: &[&str]) -> std::process::Output {
        self.h.sweep(file, out, extra)
    }
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Header, then data lines sorted (run ids sort as text in run order).
fn sorted_rows(p: &Path) -> Vec<String> {
    let text = read(p);
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[1..].sort();
    lines
}

#[test]
fn small_sweep_writes_runs_points_and_provenance() {
    let f = Fixture::new(300, "1d");
    let file = f.twelve_runs();
    assert_success(&f.sweep(&file, "a", &["--threads", "2"]));
    let rows = sorted_rows(&f.path("a/runs.csv"));
    assert_eq!(rows.len(), 13);
    assert!(rows[0].starts_with(
        "run,point,platform.forward_limit,sharing.believer,replicate,seed,final_reach,"
    ));
    assert!(
        rows[1].starts_with("p00000-r0000,p00000,1,0.3,0,"),
        "{}",
        rows[1]
    );
    assert!(
        rows[12].starts_with("p00005-r0001,p00005,20,0.6,1,"),
        "{}",
        rows[12]
    );
    let points = read(&f.path("a/points.csv"));
    assert_eq!(points.lines().count(), 7);
    assert!(points
        .lines()
        .nth(1)
        .unwrap()
        .starts_with("p00000,1,0.3,2,"));
    let json: serde_json::Value = serde_json::from_str(&read(&f.path("a/sweep.json"))).unwrap();
    assert_eq!(json["runs"], 12);
    assert_eq!(json["sweep"]["seed"], 11);
    assert!(f.path("a/plots").is_dir());

    // The thread count changes nothing but the order of rows.
    assert_success(&f.sweep(&file, "b", &["--threads", "1"]));
    assert_eq!(rows, sorted_rows(&f.path("b/runs.csv")));
    assert_eq!(points, read(&f.path("b/points.csv")));

    // Time series only on request, one file per run.
    assert!(!f.path("a/series").exists());
    assert_success(&f.sweep(&file, "c", &["--keep-series", "--no-plots"]));
    let series = read(&f.path("c/series/p00005-r0001.csv"));
    assert_eq!(
        series.lines().count(),
        1 + 144,
        "header and one row per step"
    );
    assert_eq!(std::fs::read_dir(f.path("c/series")).unwrap().count(), 12);
    assert!(!f.path("c/plots").exists());

    // Charts on request.
    let out = f
        .cmd()
        .args([
            "plot",
            "a",
            "--x",
            "platform.forward_limit",
            "--by",
            "sharing.believer",
            "--heatmap",
        ])
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
    let out = f
        .cmd()
        .args(["plot", "a", "--x", "rumor.appeal"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a parameter of this sweep"));
}

#[test]
fn from_sweep_reproduces_a_row() {
    let f = Fixture::new(300, "1d");
    assert_success(&f.sweep(&f.twelve_runs(), "a", &[]));
    let runs = read(&f.path("a/runs.csv"));
    let header: Vec<&str> = runs.lines().next().unwrap().split(',').collect();
    for id in ["p00003-r0001", "p00000-r0000"] {
        let row: Vec<&str> = runs
            .lines()
            .find(|l| l.starts_with(id))
            .unwrap()
            .split(',')
            .collect();
        let out_dir = format!("rerun-{id}");
        assert_success(
            &f.cmd()
                .args([
                    "run",
                    "--from-sweep",
                    "a",
                    "--run",
                    id,
                    "--out",
                    &out_dir,
                    "--quiet",
                ])
                .output()
                .unwrap(),
        );
        let summary: serde_json::Value =
            serde_json::from_str(&read(&f.path(&format!("{out_dir}/summary.json")))).unwrap();
        assert_eq!(summary["seed"].as_u64().unwrap().to_string(), row[5]);
        assert_eq!(summary["replicates"], 1);
        let first_figure = header.iter().position(|c| *c == "final_reach").unwrap();
        for (name, value) in header[first_figure..].iter().zip(&row[first_figure..]) {
            // Event outcomes are the run's `events` (0 or 1), figures its aggregate.
            let event = &summary["runs"][0]["events"][*name];
            let again = if event.is_null() {
                &summary["aggregate"][*name]["median"]
            } else {
                event
            };
            let expected: f64 = value.parse().unwrap();
            match again.as_f64() {
                Some(x) => assert_eq!(x, expected, "{id} {name}"),
                None => assert!(expected.is_nan(), "{id} {name}: {again} vs {value}"),
            }
        }
    }
    let out = f
        .cmd()
        .args(["run", "--from-sweep", "a", "--run", "p00009-r0000"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a run of this sweep"));
}

#[test]
fn resume_after_kill_gives_the_rows_of_an_uninterrupted_sweep() {
    let f = Fixture::new(2000, "2d");
    let file = f.sweep_file(
        "long.toml",
        "replicates = 6\nseed = 3\n[parameters]\n\
         platform.forward_limit = [1, 5, 20, 256]\n\
         rumor.appeal = { min = 0.2, max = 0.6, steps = 2 }\n",
    );
    let bin = assert_cmd::cargo::cargo_bin("grapevine");
    let mut child = std::process::Command::new(&bin)
        .current_dir(f.h.path())
        .args([
            "sweep",
            "long.toml",
            "--out",
            "killed",
            "--quiet",
            "--threads",
            "2",
        ])
        .env_remove("SLURM_ARRAY_TASK_ID")
        .spawn()
        .unwrap();
    let runs = f.path("killed/runs.csv");
    let started = Instant::now();
    loop {
        let rows =
            std::fs::read_to_string(&runs).map_or(0, |t| t.lines().count().saturating_sub(1));
        if rows >= 2 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no rows after 60 s"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sweep ended before it could be killed"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let before = read(&runs);
    let done = before.lines().count() - 1;
    assert!(
        done < 48,
        "the sweep finished before the kill ({done} rows): make it longer"
    );
    // A kill can cut a row short: simulate it.
    let torn = before.lines().nth(1).unwrap();
    std::fs::write(&runs, format!("{before}{}", &torn[..torn.len() / 2])).unwrap();

    // A sweep folder is not overwritten by accident.
    let out = f.sweep(&file, "killed", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--resume"));

    assert_success(&f.sweep(&file, "killed", &["--resume"]));
    assert_success(&f.sweep(&file, "whole", &[]));
    let resumed = sorted_rows(&runs);
    assert_eq!(resumed.len(), 49, "no row lost, none duplicated");
    assert_eq!(resumed, sorted_rows(&f.path("whole/runs.csv")));
    assert_eq!(
        read(&f.path("killed/points.csv")),
        read(&f.path("whole/points.csv"))
    );
    assert!(read(&runs).ends_with('\n'));

    // Resuming a finished sweep runs nothing and changes nothing.
    assert_success(&f.sweep(&file, "killed", &["--resume"]));
    assert_eq!(sorted_rows(&runs), resumed);
}

#[test]
fn shards_merge_into_the_unsharded_sweep() {
    let f = Fixture::new(300, "1d");
    let file = f.twelve_runs();
    assert_success(&f.sweep(&file, "whole", &[]));
    assert_success(&f.sweep(&file, "sharded", &["--shard", "0/3"]));
    // Slurm's array variables pick the shard when --shard is not given.
    for id in ["11", "12"] {
        assert_success(
            &f.cmd()
                .args(["sweep", "twelve.toml", "--out", "sharded", "--quiet"])
                .env("SLURM_ARRAY_TASK_ID", id)
                .env("SLURM_ARRAY_TASK_COUNT", "3")
                .env("SLURM_ARRAY_TASK_MIN", "10")
                .output()
                .unwrap(),
        );
    }
    let shard_rows = |i: u32| {
        read(&f.path(&format!("sharded/shard-{i}-of-3/runs.csv")))
            .lines()
            .count()
            - 1
    };
    assert_eq!((shard_rows(0), shard_rows(1), shard_rows(2)), (4, 4, 4));

    // Missing runs are reported (exit 1) and the rest is still merged.
    let out = f
        .cmd()
        .args([
            "merge",
            "sharded/shard-0-of-3",
            "sharded/shard-2-of-3",
            "--out",
            "partial",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("4 runs missing"));

    // The default output is the folder that holds the shards.
    let out = f
        .cmd()
        .args([
            "merge",
            "sharded/shard-0-of-3",
            "sharded/shard-1-of-3",
            "sharded/shard-2-of-3",
            "sharded/shard-2-of-3",
        ])
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(
        sorted_rows(&f.path("sharded/runs.csv")),
        sorted_rows(&f.path("whole/runs.csv"))
    );
    assert_eq!(
        read(&f.path("sharded/points.csv")),
        read(&f.path("whole/points.csv"))
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("4 repeated rows dropped"));
}

#[test]
fn invalid_points_are_reported_before_any_run() {
    let f = Fixture::new(300, "1d");
    let file = f.sweep_file(
        "bad.toml",
        "replicates = 2\n[parameters]\nsharing.believer = [0.5, 1.5]\nplatform.forward_limit = [1, 0]\n",
    );
    let out = f.sweep(&file, "bad", &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("3 points give an invalid scenario"), "{err}");
    assert!(
        err.contains("point p00002 (sharing.believer = 1.5, platform.forward_limit = 1)"),
        "{err}"
    );
    assert!(!f.path("bad").exists(), "nothing is written");

    // --check validates every point and runs nothing.
    let out = f.sweep(&f.twelve_runs(), "checked", &["--check"]);
    assert_success(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("6 points x 2 replicates = 12 runs"));
    assert!(!f.path("checked").exists());

    let file = f.sweep_file(
        "typo.toml",
        "[parameters]\nplatform.forwrd_limit = [1, 2]\n",
    );
    let out = f.sweep(&file, "typo", &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("parameters.platform.forwrd_limit"), "{err}");
    assert!(err.contains("did you mean `forward_limit`"), "{err}");
}
