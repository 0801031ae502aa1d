//! Issue 13, the analyst's questions answered by one command each: paired sweeps with a
//! reference point, figures at times and events in `runs.csv`/`points.csv`, and the
//! sensitivity designs (Morris, Sobol') run on the sweep machinery (resume, shards,
//! merge) into `sensitivity.csv` and tornado charts.

use crate::util::{assert_success, Harness, ScenarioBuilder};
use assert_cmd::Command;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A temporary folder with a small base scenario (two camps, a marker, report times).
struct Fixture {
    h: Harness,
}

impl Fixture {
    fn new() -> Fixture {
        let h = Harness::new();
        let text = ScenarioBuilder::tiny("small")
            .users(400)
            .replicates(1)
            .toml()
            .replacen("name = ", "label = \"Small test case\"\nname = ", 1)
            + "[[simulation.markers]]\nlabel = \"Evening\"\nat = \"12h\"\n\
               [report]\nat = [\"6h\", \"evening\"]\n";
        h.write("base.toml", text);
        Fixture { h }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.h.join(name)
    }

    fn sweep_file(&self, name: &str, body: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, format!("scenario = \"base.toml\"\n{body}")).unwrap();
        p
    }

    fn cmd(&self) -> Command {
        self.h.cmd()
    }

    fn sweep(&self, file: &Path, out: &str, extra: &[&str]) -> std::process::Output {
        self.h.sweep(file, out, extra)
    }
}

/// A CSV file as a header and rows of fields (no quoted commas in these files' values).
fn table(p: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut lines = text.lines();
    let header = lines.next().unwrap().split(',').map(String::from).collect();
    let rows = lines
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    (header, rows)
}

fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

#[test]
fn a_point_identical_to_the_reference_differs_by_zero_in_every_replicate() {
    let f = Fixture::new();
    // `description` changes nothing in a run: points 0 and 1 are the same scenario.
    let file = f.sweep_file(
        "ref.toml",
        "replicates = 6\nseed = 3\nreference = { description = \"a\" }\n[parameters]\n\
         description = [\"a\", \"b\"]\n\
         \"platform.forward_limit\" = { values = [1, 20], label = \"Forward limit (chats)\" }\n",
    );
    let out = f.sweep(&file, "out", &["--no-plots"]);
    assert_success(&out);
    // The printed table: labels, probabilities with intervals, the paired differences.
    let printed = String::from_utf8_lossy(&out.stdout);
    for want in [
        "Forward limit (chats)",
        "Outbreak (reach > 1%)",
        "Difference from the reference point p00000 (Description = a, Forward limit (chats) = 1), paired by replicate",
    ] {
        assert!(printed.contains(want), "{want}\n{printed}");
    }
    let (h, runs) = table(&f.path("out/runs.csv"));
    for name in ["reach_share@6h", "reach_share@evening", "outbreak", "seed"] {
        col(&h, name);
    }
    // Replicate r of every point has the same seed.
    let seed = col(&h, "seed");
    let rep = col(&h, "replicate");
    let mut seeds: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in &runs {
        seeds
            .entry(r[rep].clone())
            .or_default()
            .push(r[seed].clone());
    }
    for (r, s) in &seeds {
        assert_eq!(s.len(), 4, "replicate {r}");
        assert!(s.iter().all(|x| x == &s[0]), "replicate {r}: {s:?}");
    }
    // Same scenario, same seed: the same figures, run for run.
    let first_figure = col(&h, "final_reach");
    let by_point_rep = |desc: &str, limit: &str| -> Vec<Vec<String>> {
        let (d, l) = (col(&h, "description"), col(&h, "platform.forward_limit"));
        let mut rows: Vec<&Vec<String>> = runs
            .iter()
            .filter(|r| r[d] == desc && r[l] == limit)
            .collect();
        rows.sort_by_key(|r| r[rep].parse::<u32>().unwrap());
        rows.iter().map(|r| r[first_figure..].to_vec()).collect()
    };
    assert_eq!(by_point_rep("a", "1"), by_point_rep("b", "1"));

    let (h, points) = table(&f.path("out/points.csv"));
    let diff_cols: Vec<usize> = h
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            c.ends_with("_diff_median")
                || c.ends_with("_diff_p5")
                || c.ends_with("_diff_p95")
                || c.ends_with("_diff")
        })
        .map(|(i, _)| i)
        .collect();
    assert!(diff_cols.len() > 20, "{h:?}");
    col(&h, "outbreak_probability");
    col(&h, "outbreak_diff_lower");
    col(&h, "reach_share@evening_diff_median");
    let d = col(&h, "description");
    let l = col(&h, "platform.forward_limit");
    for p in &points {
        let twin_of_reference = p[l] == "1"; // the reference is the first point: a, 1
        if twin_of_reference {
            for &c in &diff_cols {
                let x: f64 = p[c].parse().unwrap();
                assert!(
                    x == 0.0 || x.is_nan(),
                    "point {} ({}), {} = {x}",
                    p[0],
                    p[d],
                    h[c]
                );
            }
        }
    }
    // A different forward limit is a real difference in some replicate.
    let spread = col(&h, "final_reach_diff_p95");
    let low = col(&h, "final_reach_diff_p5");
    assert!(points
        .iter()
        .filter(|p| p[l] == "20")
        .any(|p| p[spread] != "0" || p[low] != "0"));

    // sweep.json says how seeds were drawn.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(f.path("out/sweep.json")).unwrap()).unwrap();
    assert_eq!(json["sweep"]["paired"], true);
    assert_eq!(json["sweep"]["reference"], 0);
}

#[test]
fn unpaired_sweeps_keep_per_point_seeds_and_resume_checks_new_columns() {
    let f = Fixture::new();
    let file = f.sweep_file(
        "u.toml",
        "replicates = 3\nseed = 3\npaired = false\n[parameters]\ndescription = [\"a\", \"b\"]\n",
    );
    assert_success(&f.sweep(&file, "out", &["--no-plots", "--at", "3h"]));
    let (h, runs) = table(&f.path("out/runs.csv"));
    col(&h, "reach_share@3h");
    assert!(
        !h.iter().any(|c| c == "reach_share@6h"),
        "--at replaces [report] at"
    );
    let seed = col(&h, "seed");
    let seeds: std::collections::HashSet<&String> = runs.iter().map(|r| &r[seed]).collect();
    assert_eq!(seeds.len(), 6, "every run its own seed");
    // Resume on a finished sweep: nothing to do, same rows.
    let before = std::fs::read_to_string(f.path("out/runs.csv")).unwrap();
    assert_success(&f.sweep(&file, "out", &["--no-plots", "--at", "3h", "--resume"]));
    assert_eq!(
        before,
        std::fs::read_to_string(f.path("out/runs.csv")).unwrap()
    );
}

#[test]
fn morris_design_runs_on_the_sweep_machinery_and_writes_the_table_and_tornado() {
    let f = Fixture::new();
    let file = f.sweep_file(
        "m.toml",
        "design = \"morris\"\ntrajectories = 3\nlevels = 4\nreplicates = 2\nseed = 9\n\
         figures = [\"final_reach_share\", \"reach_share@evening\"]\n[parameters]\n\
         \"rumor.appeal\" = { min = 0.1, max = 0.6, label = \"Rumor appeal\" }\n\
         \"platform.forward_limit\" = { min = 1, max = 64, integer = true, log = true, label = \"Forward limit (chats)\" }\n",
    );
    // 3 trajectories x (2 + 1) points x 2 replicates = 18 runs, in two shards.
    for i in 0..2 {
        let shard = format!("{i}/2");
        assert_success(&f.sweep(&file, "s", &["--shard", &shard]));
    }
    let merged = f
        .cmd()
        .args([
            "merge",
            "s/shard-0-of-2",
            "s/shard-1-of-2",
            "--out",
            "m",
            "--quiet",
        ])
        .output()
        .unwrap();
    assert_success(&merged);
    let (h, rows) = table(&f.path("m/sensitivity.csv"));
    assert_eq!(
        h,
        [
            "figure",
            "parameter",
            "label",
            "method",
            "index",
            "estimate",
            "se",
            "lower",
            "upper"
        ]
    );
    // 2 figures x 2 parameters x (mu_star, mu, sigma).
    assert_eq!(rows.len(), 12, "{rows:?}");
    assert!(rows
        .iter()
        .any(|r| r[2] == "Forward limit (chats)" && r[4] == "mu_star"));
    assert!(f.path("m/plots/tornado-final_reach_share.png").is_file());

    // The unsharded sweep gives the same table; so does a resume and the command.
    assert_success(&f.sweep(&file, "one", &[]));
    let one = std::fs::read_to_string(f.path("one/sensitivity.csv")).unwrap();
    assert_eq!(
        one,
        std::fs::read_to_string(f.path("m/sensitivity.csv")).unwrap()
    );
    assert_success(&f.sweep(&file, "one", &["--resume"]));
    let out = f
        .cmd()
        .args(["sensitivity", "one", "--no-plots"])
        .output()
        .unwrap();
    assert_success(&out);
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("Rumor appeal"), "{printed}");
    assert!(printed.contains("mu*"), "{printed}");
    assert_eq!(
        one,
        std::fs::read_to_string(f.path("one/sensitivity.csv")).unwrap()
    );

    // A grid sweep has no sensitivity analysis.
    let grid = f.sweep_file(
        "g.toml",
        "replicates = 1\n[parameters]\ndescription = [\"a\"]\n",
    );
    assert_success(&f.sweep(&grid, "g", &["--no-plots"]));
    let out = f.cmd().args(["sensitivity", "g"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("morris"));
}

#[test]
fn sobol_design_writes_first_and_total_indices() {
    let f = Fixture::new();
    let file = f.sweep_file(
        "s.toml",
        "design = \"sobol\"\nsamples = 8\nreplicates = 1\nseed = 9\n[parameters]\n\
         \"rumor.appeal\" = { min = 0.1, max = 0.6 }\n\
         \"sharing.believer\" = { min = 0.1, max = 0.6 }\n",
    );
    assert_success(&f.sweep(&file, "o", &[]));
    let (_, rows) = table(&f.path("o/sensitivity.csv"));
    // Default figures: final reach, final believers, reach and believers at 6h and
    // evening = 6 figures x 2 parameters x (first, total).
    assert_eq!(rows.len(), 24, "{rows:?}");
    assert!(rows.iter().all(|r| r[3] == "sobol"));
    assert!(f.path("o/plots/tornado-final_reach_share.png").is_file());
}

#[test]
fn sensitivity_settings_are_checked() {
    let f = Fixture::new();
    for (body, says) in [
        (
            "design = \"morris\"\nreplicates = 1\n[parameters]\n\"rumor.appeal\" = { min = 0.1, max = 0.5 }\n",
            "trajectories",
        ),
        (
            "design = \"morris\"\ntrajectories = 4\nlevels = 5\nreplicates = 1\n[parameters]\n\"rumor.appeal\" = { min = 0.1, max = 0.5 }\n",
            "odd",
        ),
        (
            "design = \"sobol\"\nsamples = 8\nreplicates = 1\nfigures = [\"nope\"]\n[parameters]\n\"rumor.appeal\" = { min = 0.1, max = 0.5 }\n",
            "not a figure",
        ),
        (
            "replicates = 1\nreference = \"p00009\"\n[parameters]\ndescription = [\"a\"]\n",
            "reference",
        ),
    ] {
        let file = f.sweep_file("bad.toml", body);
        let out = f.sweep(&file, "bad", &["--check"]);
        assert_eq!(out.status.code(), Some(2), "{body}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{body}: {err}");
    }
}

#[test]
fn figures_at_times_equal_the_timeseries_at_that_step() {
    let f = Fixture::new();
    let out = f
        .cmd()
        .args([
            "run",
            "base.toml",
            "--out",
            "r",
            "--quiet",
            "--replicates",
            "2",
        ])
        .output()
        .unwrap();
    assert_success(&out);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(f.path("r/summary.json")).unwrap()).unwrap();
    let (h, rows) = table(&f.path("r/timeseries.csv"));
    let (hours, reached, rep) = (col(&h, "hours"), col(&h, "reached"), col(&h, "replicate"));
    for (r, run) in json["runs"].as_array().unwrap().iter().enumerate() {
        for (id, at) in [("6h", 6.0), ("evening", 12.0)] {
            let row = rows
                .iter()
                .find(|x| x[rep] == r.to_string() && x[hours].parse::<f64>().unwrap() >= at - 1e-9)
                .unwrap();
            let want = row[reached].parse::<f64>().unwrap() / 400.0;
            assert!(want > 0.0);
            let got = run["at"][format!("reach_share@{id}")]
                .as_f64()
                .unwrap_or_else(|| panic!("no at.{id}.reach_share in {}", run));
            assert!(
                (got - want).abs() < 1e-12,
                "replicate {r} at {id}: {got} vs {want}"
            );
        }
    }
}
