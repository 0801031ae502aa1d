//! Reproducibility: the same scenario and seed give byte-identical result files for
//! any thread count, however it is set (`--threads` or `RAYON_NUM_THREADS`), and a
//! different seed gives different results.
//!
//! The scenario is large enough (30,000 users) for the engine's parallel phases to
//! engage, and has four replicates so waves of 1, 2 and 3 replicates differ.

use crate::util::{assert_success, Harness, ScenarioBuilder};

/// Files compared byte for byte (charts are drawn from `bands.csv`).
const DATA_FILES: [&str; 4] = ["timeseries.csv", "bands.csv", "summary.json", "cascade.csv"];

fn scenario(h: &Harness) {
    h.write(
        "det.toml",
        ScenarioBuilder::tiny("det")
            .users(30_000)
            .replicates(4)
            .seed(2024)
            .toml(),
    );
}

fn assert_same(h: &Harness, a: &str, b: &str) {
    for f in DATA_FILES {
        let (x, y) = (
            h.read_bytes(format!("{a}/{f}")),
            h.read_bytes(format!("{b}/{f}")),
        );
        assert!(!x.is_empty(), "{a}/{f} is empty");
        assert!(x == y, "{a}/{f} and {b}/{f} differ");
    }
}

#[test]
fn thread_count_does_not_change_results() {
    let h = Harness::new();
    scenario(&h);
    h.run_ok("det.toml", "t1", &["--cascade", "--threads", "1"]);
    h.run_ok("det.toml", "t2", &["--cascade", "--threads", "2"]);
    h.run_ok("det.toml", "t3", &["--cascade", "--threads", "3"]);
    assert_same(&h, "t1", "t2");
    assert_same(&h, "t1", "t3");

    // The pool size taken from the environment, no flag.
    let out = h
        .cmd()
        .env("RAYON_NUM_THREADS", "2")
        .args(["run", "det.toml", "--out", "env", "--quiet", "--cascade"])
        .output()
        .unwrap();
    assert_success(&out);
    assert_same(&h, "t1", "env");

    // The cascade is large enough that the parallel paths ran.
    let rows = h.read("t1/cascade.csv").lines().count() - 1;
    assert!(
        rows > 4 * 2_048,
        "only {rows} users reached in 4 replicates"
    );
}

#[test]
fn rerun_is_identical() {
    let h = Harness::new();
    scenario(&h);
    h.run_ok("det.toml", "a", &["--cascade"]);
    h.run_ok("det.toml", "b", &["--cascade"]);
    assert_same(&h, "a", "b");
}

#[test]
fn different_seed_gives_different_results() {
    let h = Harness::new();
    scenario(&h);
    h.run_ok("det.toml", "s2024", &["--cascade", "--threads", "2"]);
    h.run_ok(
        "det.toml",
        "s2025",
        &["--cascade", "--threads", "2", "--seed", "2025"],
    );
    for f in DATA_FILES {
        assert!(
            h.read_bytes(format!("s2024/{f}")) != h.read_bytes(format!("s2025/{f}")),
            "{f} is the same for seeds 2024 and 2025"
        );
    }
}
