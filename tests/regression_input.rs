//! Regression tests for the input findings of the reliability review (issue 16,
//! findings 1 and 12): every input is read once and bounded, and messages name the
//! file, the line and the field. One test per finding, named after it; each failed
//! before its fix.

use crate::util::{assert_no_panic, assert_success, Harness, ScenarioBuilder};
use std::io::Write;
use std::process::Stdio;
use std::time::Duration;

/// Runs `grapevine ARGS`, asserts exit code 2 without a panic, returns stderr.
fn refused(h: &Harness, args: &[&str]) -> String {
    let out = h
        .cmd()
        .args(args)
        .timeout(Duration::from_secs(20))
        .output()
        .expect("spawn grapevine");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{args:?}\nstderr:\n{stderr}");
    assert_no_panic(&stderr);
    stderr
}

#[test]
fn extends_pointing_at_a_fifo_is_refused_without_hanging() {
    let h = Harness::new();
    let fifo = h.join("base.toml");
    let status = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !status.is_ok_and(|s| s.success()) {
        return; // no mkfifo on this system
    }
    h.write("v.toml", "extends = \"base.toml\"\n");
    let err = refused(&h, &["check", "v.toml"]);
    assert!(
        err.contains("base.toml") && err.contains("not a regular file"),
        "{err}"
    );
}

#[test]
fn extends_pointing_at_dev_zero_is_refused_without_reading_it() {
    let h = Harness::new();
    h.write("v.toml", "extends = \"/dev/zero\"\n");
    let err = refused(&h, &["check", "v.toml"]);
    assert!(
        err.contains("/dev/zero") && err.contains("not a regular file"),
        "{err}"
    );
}

/// Found while writing the fuzzer (docs/fuzzing.md): a population file (`members`, `edges`,
/// `chat_table`, `user_table`) at a FIFO blocked `check` forever (SIGTERM included), and
/// at `/dev/zero` read one endless row until the process aborted (exit 134).
#[test]
fn population_file_at_a_fifo_or_device_is_refused() {
    let h = Harness::new();
    h.write("z.toml", "[population]\nmembers = \"/dev/zero\"\n");
    let err = refused(&h, &["check", "z.toml"]);
    assert!(
        err.contains("/dev/zero") && err.contains("not a regular file"),
        "{err}"
    );
    h.write("d.toml", "[population]\nedges = \".\"\n");
    let err = refused(&h, &["check", "d.toml"]);
    assert!(err.contains("is a folder"), "{err}");
    let fifo = h.join("edges.csv");
    let status = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !status.is_ok_and(|s| s.success()) {
        return; // no mkfifo on this system
    }
    h.write("f.toml", "[population]\nedges = \"edges.csv\"\n");
    let err = refused(&h, &["check", "f.toml"]);
    assert!(
        err.contains("edges.csv") && err.contains("not a regular file"),
        "{err}"
    );
}

/// Found while writing the fuzzer (docs/fuzzing.md): a sweep whose base `scenario` is a
/// FIFO blocked `sweep --check` forever (SIGTERM included), and a sweep file at
/// `/dev/zero` was read until memory ran out. The base must be a regular file, as a base
/// named by `extends`; the sweep file is read once, bounded.
#[test]
fn sweep_base_at_a_fifo_is_refused_and_the_sweep_file_is_bounded() {
    let h = Harness::new();
    let err = refused(&h, &["sweep", "/dev/zero", "--check"]);
    assert!(err.contains("larger than 1024 KiB"), "{err}");
    let fifo = h.join("base.toml");
    let status = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !status.is_ok_and(|s| s.success()) {
        return; // no mkfifo on this system
    }
    h.write(
        "s.toml",
        "scenario = \"base.toml\"\n[parameters]\nrumor.appeal = [0.1, 0.2]\n",
    );
    let err = refused(&h, &["sweep", "s.toml", "--check"]);
    assert!(
        err.contains("base.toml") && err.contains("not a regular file"),
        "{err}"
    );
}

#[test]
fn scenario_from_a_pipe_is_read_once_not_replaced_by_defaults() {
    let h = Harness::new();
    // Not the defaults: a seed and a name the default scenario does not have.
    let text = ScenarioBuilder::tiny("from-pipe").seed(9).toml();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_grapevine"))
        .current_dir(h.path())
        .args(["check", "/dev/stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn grapevine");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_success(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("scenario from-pipe: OK"), "{stdout}");
    assert!(stdout.contains("seed 9"), "{stdout}");
}

#[test]
fn oversized_scenario_file_is_refused() {
    let h = Harness::new();
    let mut text = ScenarioBuilder::tiny("big").toml();
    text.push_str(&"# padding\n".repeat(120_000));
    h.write("big.toml", text);
    let err = refused(&h, &["check", "big.toml"]);
    assert!(
        err.contains("big.toml") && err.contains("larger than"),
        "{err}"
    );
}

#[test]
fn error_inside_interventions_names_entry_field_and_line() {
    let h = Harness::new();
    let text = ScenarioBuilder::tiny("iv").toml()
        + "\n[[interventions]]\nkind = \"fact_check\"\nat = \"6h\"\nsubscribers = 100\n\
           \n[[interventions]]\nkind = \"moderation\"\nat = \"1h\"\nshare = \"x\"\ndelay = \"1h\"\n";
    let line = text.lines().position(|l| l == "share = \"x\"").unwrap() + 1;
    h.write("iv.toml", &text);
    let err = refused(&h, &["check", "iv.toml"]);
    let at = format!("iv.toml:{line}: interventions[1].share");
    assert!(err.contains(&at), "expected {at:?} in:\n{err}");
    h.write("iv.toml", text.replace("share = \"x\"", "sahre = 0.3"));
    let err = refused(&h, &["check", "iv.toml"]);
    assert!(err.contains("interventions[1].sahre"), "{err}");
    assert!(err.contains("did you mean `share`"), "{err}");
}

#[test]
fn duration_with_exponent_is_not_an_unknown_unit() {
    let h = Harness::new();
    let text = ScenarioBuilder::tiny("exp")
        .toml()
        .replace("horizon = \"1d\"", "horizon = \"1e30h\"");
    h.write("exp.toml", text);
    let err = refused(&h, &["check", "exp.toml"]);
    assert!(!err.contains("unknown unit"), "{err}");
    assert!(err.contains("at most 1000000 days"), "{err}");
}

#[test]
fn bad_value_from_a_base_names_both_files() {
    let h = Harness::new();
    h.write(
        "base.toml",
        ScenarioBuilder::tiny("base")
            .toml()
            .replace("appeal = 0.4", "appeal = 1.5"),
    );
    h.write(
        "variant.toml",
        "extends = \"base.toml\"\nname = \"variant\"\n",
    );
    let err = refused(&h, &["check", "variant.toml"]);
    assert!(err.contains("variant.toml"), "{err}");
    assert!(
        err.contains("rumor.appeal") && err.contains("set in base.toml"),
        "{err}"
    );
}

#[test]
fn extends_at_a_text_file_says_it_is_not_a_scenario() {
    let h = Harness::new();
    h.write("notes.txt", "remember to call the press office\n");
    h.write("v.toml", "extends = \"notes.txt\"\n");
    let err = refused(&h, &["check", "v.toml"]);
    assert!(err.contains("notes.txt: is not a scenario"), "{err}");
    assert!(!err.contains("press office"), "echoes the file:\n{err}");
}

#[test]
fn names_with_control_characters_or_too_long_are_refused() {
    let h = Harness::new();
    let tiny = ScenarioBuilder::tiny("ok").toml();
    h.write(
        "ctl.toml",
        tiny.replace("name = \"ok\"", "name = \"a\\u0007b\""),
    );
    let err = refused(&h, &["check", "ctl.toml"]);
    assert!(
        err.contains("name") && err.contains("control character"),
        "{err}"
    );
    let long = "x".repeat(300);
    h.write(
        "long.toml",
        tiny.replace("name = \"ok\"", &format!("name = \"{long}\"")),
    );
    let err = refused(&h, &["check", "long.toml"]);
    assert!(err.contains("at most 100"), "{err}");
    h.write(
        "camp.toml",
        tiny.replace("name = \"left\"", "name = \"le\\nft\""),
    );
    let err = refused(&h, &["check", "camp.toml"]);
    assert!(err.contains("population.camps[0].name"), "{err}");
}

#[test]
fn population_without_chats_warns() {
    let h = Harness::new();
    // Every chat has one member: nobody can receive anything.
    h.write("members.csv", "chat,user\nc1,a\nc2,b\nc3,c\n");
    h.write(
        "alone.toml",
        "[simulation]\nhorizon = \"1d\"\nreplicates = 1\n\
         [population]\nmembers = \"members.csv\"\n\
         [[seeds]]\nids = [\"a\"]\n",
    );
    let out = h
        .cmd()
        .args(["run", "alone.toml", "--out", "out", "--quiet"])
        .output()
        .unwrap();
    assert_success(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: the population has no chat with two or more members"),
        "{stderr}"
    );
}
