//! Bad input of every class is refused with exit code 2 and a message that says where
//! the problem is (file, field, value, allowed range), never with a panic; and a refused
//! run never touches folders it does not own or results it would have replaced.

use crate::util::{assert_no_panic, snapshot, Harness, ScenarioBuilder};
use std::time::{Duration, Instant};

/// Runs `grapevine ARGS` in the harness folder, asserts exit code 2, no panic, no
/// "OK" on stdout (nothing at all for `run`), and returns stderr.
fn fails(h: &Harness, args: &[&str]) -> String {
    let out = h.cmd().args(args).output().expect("spawn grapevine");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(2),
        "grapevine {args:?}: expected exit code 2, got {}\nstderr:\n{stderr}",
        out.status
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    if args.first() == Some(&"run") {
        assert!(stdout.is_empty(), "failed run printed:\n{stdout}");
    }
    assert!(
        !stdout.contains("OK"),
        "grapevine {args:?} said OK and failed:\n{stdout}"
    );
    assert_no_panic(&stderr);
    stderr
}

/// Asserts that `text` contains every one of `needles`.
#[track_caller]
fn assert_mentions(text: &str, needles: &[&str]) {
    for n in needles {
        assert!(text.contains(n), "message lacks {n:?}:\n{text}");
    }
}

/// Names of the entries of the harness folder, sorted (to spot staging leftovers).
fn entries(h: &Harness) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(h.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn malformed_toml_reports_line_and_column() {
    let h = Harness::new();
    h.write("broken.toml", "name = \"x\"\n\n[rumor]\nappeal = 0.3.5\n");
    let err = fails(&h, &["run", "broken.toml", "--quiet"]);
    assert_mentions(&err, &["broken.toml", "line 4", "column", "appeal = 0.3.5"]);
    assert!(!h.join("output").exists());
}

#[test]
fn unknown_field_suggests_nearest_name() {
    let h = Harness::new();
    h.write("typo.toml", "[simulation]\nreplicats = 3\n");
    let err = fails(&h, &["run", "typo.toml", "--quiet"]);
    assert_mentions(
        &err,
        &["typo.toml", "replicats", "did you mean `replicates`"],
    );
    assert!(
        err.contains("simulation") || err.contains("line 2"),
        "{err}"
    );
}

#[test]
fn unknown_variant_suggests_nearest_name() {
    let h = Harness::new();
    h.write("kind.toml", "[[seeds]]\nchats = 2\nkind = \"politcal\"\n");
    let err = fails(&h, &["check", "kind.toml"]);
    assert_mentions(&err, &["kind.toml", "politcal", "did you mean `political`"]);
    // Located by key path or by line.
    assert!(err.contains("seeds") || err.contains("line 3"), "{err}");
}

#[test]
fn out_of_range_value_names_field_value_and_range() {
    let h = Harness::new();
    h.write("range.toml", "[rumor]\nappeal = 1.5\n");
    let err = fails(&h, &["run", "range.toml", "--quiet"]);
    assert_mentions(
        &err,
        &[
            "range.toml",
            "rumor.appeal",
            "1.5",
            "allowed",
            "0 < appeal < 1",
        ],
    );
}

#[test]
fn every_violation_is_reported_at_once() {
    let h = Harness::new();
    h.write(
        "many.toml",
        "[simulation]\nreplicates = 0\n\n[rumor]\nappeal = 1.5\n\n[sharing]\nbeliever = 2\n",
    );
    let err = fails(&h, &["run", "many.toml", "--quiet"]);
    assert_mentions(
        &err,
        &[
            "many.toml",
            "3 invalid values",
            "simulation.replicates",
            "rumor.appeal",
            "sharing.believer",
        ],
    );
    // `check` reports the same list.
    let err = fails(&h, &["check", "many.toml"]);
    assert_mentions(
        &err,
        &["simulation.replicates", "rumor.appeal", "sharing.believer"],
    );
}

#[test]
fn missing_scenario_file_is_named() {
    let h = Harness::new();
    let err = fails(&h, &["run", "no-such-scenario.toml", "--quiet"]);
    assert_mentions(&err, &["no-such-scenario.toml"]);
    assert!(
        err.contains("No such file") || err.contains("not found") || err.contains("cannot read"),
        "{err}"
    );
    assert!(!h.join("output").exists());
}

/// A scenario whose population would need tens of TiB.
const HUGE: &str =
    "[population]\nusers = 4000000000\n\n[population.chats.direct]\nper_user = 500\n";

/// Runs `args` on [`HUGE`] and checks it is refused quickly, with an estimate.
fn refuses_huge(args: &[&str]) {
    let h = Harness::new();
    h.write("huge.toml", HUGE);
    let started = Instant::now();
    let err = fails(&h, args);
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "{args:?} took {took:?}: it allocated before refusing?"
    );
    assert_mentions(&err, &["memory", "TiB", "population.users", "huge.toml"]);
    assert_eq!(entries(&h), ["huge.toml"], "a refused run wrote something");
}

#[test]
fn population_too_large_for_memory_is_refused_fast() {
    refuses_huge(&["run", "huge.toml", "--out", "res", "--quiet"]);
}

#[test]
fn check_refuses_population_too_large_for_memory() {
    refuses_huge(&["check", "huge.toml"]);
}

#[test]
fn output_inside_a_regular_file_is_an_error() {
    let h = Harness::new();
    h.write(
        "tiny.toml",
        ScenarioBuilder::tiny("tiny").replicates(1).toml(),
    );
    h.write("blocker", "not a folder");
    let err = fails(&h, &["run", "tiny.toml", "--out", "blocker/res", "--quiet"]);
    assert_mentions(&err, &["blocker"]);
    assert_eq!(h.read("blocker"), "not a folder");
    assert_eq!(entries(&h), ["blocker", "tiny.toml"]);

    // --out naming the regular file itself is refused too, and the file is kept.
    let err = fails(&h, &["run", "tiny.toml", "--out", "blocker", "--quiet"]);
    assert_mentions(&err, &["blocker", "--out"]);
    assert_eq!(h.read("blocker"), "not a folder");
}

#[test]
fn foreign_non_empty_folder_is_refused_and_untouched() {
    let h = Harness::new();
    h.write(
        "tiny.toml",
        ScenarioBuilder::tiny("tiny").replicates(1).toml(),
    );
    h.write("thesis/chapter1.md", "# Precious\n");
    h.write("thesis/data/timeseries.csv", "not ours\n");
    let before = snapshot(&h.join("thesis"));
    let err = fails(&h, &["run", "tiny.toml", "--out", "thesis", "--quiet"]);
    assert_mentions(&err, &["thesis", ".grapevine", "--out"]);
    assert_eq!(snapshot(&h.join("thesis")), before, "files were touched");
    assert_eq!(entries(&h), ["thesis", "tiny.toml"], "staging leftovers");
}

#[test]
fn failed_run_leaves_previous_results_intact() {
    let h = Harness::new();
    h.write(
        "tiny.toml",
        ScenarioBuilder::tiny("tiny").replicates(2).toml(),
    );
    h.run_ok("tiny.toml", "res", &["--cascade"]);
    let before = snapshot(&h.join("res"));
    assert!(before.len() >= 6, "{:?}", before.keys());

    h.write("tiny.toml", "[rumor]\nappeal = 1.5\n");
    fails(
        &h,
        &["run", "tiny.toml", "--out", "res", "--quiet", "--cascade"],
    );
    assert_eq!(snapshot(&h.join("res")), before, "previous results changed");
    h.write("tiny.toml", "[rumor\n");
    fails(&h, &["run", "tiny.toml", "--out", "res", "--quiet"]);
    assert_eq!(snapshot(&h.join("res")), before, "previous results changed");
    assert_eq!(entries(&h), ["res", "tiny.toml"], "staging leftovers");
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let h = Harness::new();
    h.write("tiny.toml", ScenarioBuilder::tiny("tiny").toml());
    let err = fails(&h, &["run", "tiny.toml", "--frobnicate"]);
    assert_mentions(&err, &["--frobnicate"]);
    let err = fails(&h, &["sail", "tiny.toml"]);
    assert_mentions(&err, &["sail"]);
    fails(&h, &["run"]);
    assert!(!h.join("output").exists());
}

#[test]
fn zero_threads_is_refused() {
    let h = Harness::new();
    h.write("tiny.toml", ScenarioBuilder::tiny("tiny").toml());
    let err = fails(&h, &["run", "tiny.toml", "--threads", "0", "--quiet"]);
    assert_mentions(&err, &["--threads", "0"]);
    assert!(!h.join("output").exists());
}

/// The default folder is `output/<name>`; a `name` with path separators must neither
/// write outside `output/` nor panic. Refusing it (naming the field) or keeping the
/// results under `output/` are both fine.
#[test]
fn scenario_name_cannot_escape_the_output_folder() {
    let h = Harness::new();
    h.write(
        "work/esc.toml",
        ScenarioBuilder::tiny("../escaped").replicates(1).toml(),
    );
    let out = h
        .cmd()
        .current_dir(h.join("work"))
        .args(["run", "esc.toml", "--quiet"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_no_panic(&stderr);
    let mut written: Vec<String> = std::fs::read_dir(h.join("work"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "esc.toml" && n != "output")
        .collect();
    written.sort();
    assert!(
        written.is_empty(),
        "results written outside output/: {written:?}"
    );
    if !out.status.success() {
        assert_eq!(out.status.code(), Some(2));
        assert_mentions(&stderr, &["esc.toml", "name"]);
    }
}
