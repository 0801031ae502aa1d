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

#[test]
fn conflicting_flags_are_usage_errors() {
    let h = Harness::new();
    h.write("tiny.toml", ScenarioBuilder::tiny("tiny").toml());
    let err = fails(&h, &["sweep", "s.toml", "--resume", "--force", "--quiet"]);
    assert_mentions(&err, &["--resume", "--force"]);
    let err = fails(&h, &["run", "tiny.toml", "--run", "p00000-r0000"]);
    assert_mentions(&err, &["--from-sweep"]);
    assert_eq!(entries(&h), ["tiny.toml"]);
}

#[test]
fn extends_problems_name_the_file() {
    let h = Harness::new();
    h.write("variant.toml", "extends = \"no-base.toml\"\n");
    let err = fails(&h, &["check", "variant.toml"]);
    assert_mentions(&err, &["cannot read scenario", "no-base.toml"]);
    h.write("a.toml", "extends = \"b.toml\"\n");
    h.write("b.toml", "extends = \"a.toml\"\n");
    let err = fails(&h, &["run", "a.toml", "--quiet"]);
    assert_mentions(&err, &["extends", "a cycle?"]);
    assert!(!h.join("output").exists());
}

#[test]
fn ids_not_in_the_population_are_refused() {
    let h = Harness::new();
    let mut s = ScenarioBuilder::tiny("ids").replicates(1);
    s.extra = "\n[[seeds]]\nids = [\"99999\"]\n".into();
    h.write("ids.toml", s.toml());
    let err = fails(&h, &["run", "ids.toml", "--out", "res", "--quiet"]);
    assert_mentions(
        &err,
        &[
            "ids.toml",
            "seeds[1].ids",
            "user \"99999\" is not in the population",
        ],
    );
    assert_eq!(entries(&h), ["ids.toml"], "a refused run wrote something");
}

#[test]
fn unusable_population_files_are_named() {
    let h = Harness::new();
    for (file, text, message) in [
        ("empty.csv", "", "empty.csv: is empty"),
        (
            "header.csv",
            "source,target\n",
            "header.csv: has no edges, only a header",
        ),
        (
            "loops.csv",
            "1,1\n2,2\n",
            "loops.csv: has no edges besides 2 self-loop(s)",
        ),
    ] {
        h.write(file, text);
        h.write("s.toml", format!("[population]\nedges = \"{file}\"\n"));
        let err = fails(&h, &["check", "s.toml"]);
        assert_mentions(&err, &[message]);
    }
    h.write("m.csv", "chat,user\n");
    h.write("s.toml", "[population]\nmembers = \"m.csv\"\n");
    assert_mentions(
        &fails(&h, &["check", "s.toml"]),
        &["m.csv: has no memberships"],
    );
    h.write(
        "s.toml",
        "[population]\nmembers = \"m.csv\"\nedges = \"header.csv\"\n",
    );
    let err = fails(&h, &["check", "s.toml"]);
    assert_mentions(&err, &["population.edges", "either `edges` or `members`"]);
}

/// A file of the user's in a results folder that has the name of a new result is
/// neither replaced nor lost: the run is refused and nothing changes.
#[test]
fn foreign_file_with_the_name_of_a_result_is_refused() {
    let h = Harness::new();
    h.write(
        "tiny.toml",
        ScenarioBuilder::tiny("tiny").replicates(1).toml(),
    );
    h.run_ok("tiny.toml", "res", &[]);
    h.write("res/cascade.csv", "my own cascade\n");
    let before = snapshot(&h.join("res"));
    let err = fails(
        &h,
        &["run", "tiny.toml", "--out", "res", "--quiet", "--cascade"],
    );
    assert_mentions(
        &err,
        &["res", "did not write", "cascade.csv", "nothing was changed"],
    );
    assert_eq!(snapshot(&h.join("res")), before);
    assert_eq!(entries(&h), ["res", "tiny.toml"]);
}

/// A base scenario and a sweep of 2 points x 2 replicates over it.
fn sweep_files(h: &Harness) {
    h.write(
        "base.toml",
        ScenarioBuilder::tiny("base")
            .users(300)
            .horizon("6h")
            .replicates(1)
            .toml(),
    );
    h.write(
        "sw.toml",
        "scenario = \"base.toml\"\nname = \"sw\"\nreplicates = 2\nseed = 3\n\
         [parameters]\nplatform.forward_limit = [1, 2]\n",
    );
}

fn sweep_ok(h: &Harness, args: &[&str]) {
    let out = h.cmd().args(args).output().unwrap();
    crate::util::assert_success(&out);
}

#[test]
fn bad_sweep_files_are_refused_before_any_run() {
    let h = Harness::new();
    sweep_files(&h);
    let err = fails(&h, &["sweep", "none.toml", "--quiet"]);
    assert_mentions(&err, &["cannot read none.toml"]);
    for (body, needles) in [
        (
            "replicates = 2\n[parameters]\nplatform.forward_limit = [1, 2\n",
            &["bad.toml", "line 4", "invalid array"][..],
        ),
        (
            "replicates = 0\n[parameters]\nplatform.forward_limit = [1, 2]\n",
            &[
                "bad.toml",
                "1 invalid value",
                "replicates: 0 is out of range",
            ][..],
        ),
        (
            "replicates = 1\n[parameters]\nplatform.forwrd_limit = [1, 2]\n",
            &[
                "parameters.platform.forwrd_limit",
                "did you mean `forward_limit`",
            ][..],
        ),
    ] {
        h.write("bad.toml", format!("scenario = \"base.toml\"\n{body}"));
        let err = fails(&h, &["sweep", "bad.toml", "--quiet"]);
        assert_mentions(&err, needles);
    }
    h.write("broken.toml", "[rumor\n");
    h.write(
        "bad.toml",
        "scenario = \"broken.toml\"\nreplicates = 1\n[parameters]\nrumor.appeal = [0.5]\n",
    );
    let err = fails(&h, &["sweep", "bad.toml", "--quiet"]);
    assert_mentions(&err, &["base scenario: broken.toml", "line 1"]);
    assert!(!h.join("output").exists());
}

#[test]
fn sweep_folder_problems_are_refused() {
    let h = Harness::new();
    sweep_files(&h);
    sweep_ok(&h, &["sweep", "sw.toml", "--out", "s", "--quiet"]);
    let err = fails(&h, &["sweep", "sw.toml", "--out", "s", "--quiet"]);
    assert_mentions(&err, &["s already holds a sweep", "--resume", "--force"]);
    let runs = h.read("s/runs.csv");

    // Another sweep in the folder.
    h.write(
        "sw2.toml",
        h.read("sw.toml").replace("seed = 3", "seed = 4"),
    );
    let err = fails(
        &h,
        &["sweep", "sw2.toml", "--out", "s", "--quiet", "--resume"],
    );
    assert_mentions(&err, &["s: holds a different sweep"]);

    // A shard's folder resumed as another shard (folders renamed by hand).
    sweep_ok(
        &h,
        &[
            "sweep", "sw.toml", "--out", "t", "--quiet", "--shard", "0/2",
        ],
    );
    std::fs::rename(h.join("t/shard-0-of-2"), h.join("t/shard-1-of-2")).unwrap();
    let err = fails(
        &h,
        &[
            "sweep", "sw.toml", "--out", "t", "--quiet", "--resume", "--shard", "1/2",
        ],
    );
    assert_mentions(&err, &["shard-1-of-2: holds shard 0/2, not shard 1/2"]);

    // A runs.csv of other columns, and a run twice with different figures.
    h.write("s/runs.csv", runs.replacen("run,point", "id,point", 1));
    let err = fails(
        &h,
        &["sweep", "sw.toml", "--out", "s", "--quiet", "--resume"],
    );
    assert_mentions(&err, &["runs.csv", "header does not match"]);
    let mut lines: Vec<&str> = runs.lines().collect();
    // Same run, another (valid) figure: its final reach plus one.
    let reach = lines[0]
        .split(',')
        .position(|c| c == "final_reach")
        .expect("a final_reach column");
    let mut fields: Vec<String> = lines[1].split(',').map(String::from).collect();
    fields[reach] = (fields[reach].parse::<u64>().unwrap() + 1).to_string();
    let changed = fields.join(",");
    lines.push(&changed);
    h.write("s/runs.csv", format!("{}\n", lines.join("\n")));
    let err = fails(
        &h,
        &["sweep", "sw.toml", "--out", "s", "--quiet", "--resume"],
    );
    assert_mentions(&err, &["appears twice with different figures"]);
    let out = h
        .cmd()
        .args(["merge", "s", "--out", "m", "--quiet", "--no-plots"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "a conflicting merge exits 1");
}

#[test]
fn sweep_requests_that_do_not_fit_are_usage_errors() {
    let h = Harness::new();
    sweep_files(&h);
    let err = fails(&h, &["sweep", "sw.toml", "--quiet", "--shard", "5/2"]);
    assert_mentions(&err, &["shard 5/2 does not exist"]);
    let out = h
        .cmd()
        .env("SLURM_ARRAY_TASK_ID", "x")
        .args(["sweep", "sw.toml", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_mentions(
        &String::from_utf8_lossy(&out.stderr),
        &["SLURM_ARRAY_TASK_ID=x is not a whole number"],
    );
    sweep_ok(
        &h,
        &["sweep", "sw.toml", "--out", "s", "--quiet", "--no-plots"],
    );
    let err = fails(&h, &["run", "--from-sweep", "s", "--run", "p00009-r0000"]);
    assert_mentions(
        &err,
        &["\"p00009-r0000\" is not a run of this sweep", "2 points"],
    );
    let err = fails(&h, &["run", "--from-sweep", "s", "--run", "zzz"]);
    assert_mentions(&err, &["run ids look like p00000-r0000"]);
    let err = fails(&h, &["plot", "s", "--x", "nothing"]);
    assert_mentions(&err, &["\"nothing\" is not a parameter of this sweep"]);
    let err = fails(
        &h,
        &["plot", "s", "--x", "platform.forward_limit", "--y", "fame"],
    );
    assert_mentions(&err, &["fame"]);
}

#[test]
fn a_failed_run_stops_the_sweep_and_names_it() {
    let h = Harness::new();
    h.write(
        "base.toml",
        "[population]\nedges = \"gone.csv\"\n[[seeds]]\nusers = 1\n",
    );
    h.write(
        "sw.toml",
        "scenario = \"base.toml\"\nreplicates = 1\n[parameters]\nrumor.appeal = [0.5]\n",
    );
    let err = fails(&h, &["sweep", "sw.toml", "--out", "s", "--quiet"]);
    assert_mentions(
        &err,
        &[
            "sweep results so far are in s",
            "run p00000-r0000",
            "gone.csv",
        ],
    );
}

#[test]
fn merge_refuses_requests_it_cannot_do() {
    let h = Harness::new();
    sweep_files(&h);
    sweep_ok(
        &h,
        &["sweep", "sw.toml", "--out", "s", "--quiet", "--no-plots"],
    );
    let err = fails(&h, &["merge", "s", "--out", "s", "--quiet"]);
    assert_mentions(&err, &["s is one of the inputs"]);
    let err = fails(&h, &["merge", "nowhere", "--out", "m", "--quiet"]);
    assert_mentions(&err, &["cannot read nowhere/sweep.json"]);
    std::fs::create_dir_all(h.join("deeper")).unwrap();
    std::fs::rename(h.join("s"), h.join("deeper/s")).unwrap();
    sweep_ok(
        &h,
        &["sweep", "sw.toml", "--out", "t", "--quiet", "--no-plots"],
    );
    let err = fails(&h, &["merge", "deeper/s", "t", "--quiet"]);
    assert_mentions(&err, &["the inputs are in different folders: give --out"]);
}
