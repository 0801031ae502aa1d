//! `grapevine calibrate` end to end: a run's own `observed.csv` as data, the files of
//! a finished calibration, resume, shards merged generation by generation into the
//! same posterior, and bad data or parameters refused with exit code 2 (a merge with
//! particles missing: 1).

use crate::calibrate::RECOVERY_SCENARIO;
use crate::util::{assert_no_panic, assert_success, Harness};

fn calibrate(h: &Harness, out: &str, extra: &[&str]) -> std::process::Output {
    calibrate_with(h, out, "300", "4", extra)
}

fn calibrate_with(
    h: &Harness,
    out: &str,
    budget: &str,
    generations: &str,
    extra: &[&str],
) -> std::process::Output {
    h.cmd()
        .args([
            "calibrate",
            "s.toml",
            "--data",
            "truth/observed.csv",
            "--fit",
            "rumor.appeal=0.05..0.8",
            "--fit",
            "observe[1].report=0.005..0.5:log",
            "--particles",
            "24",
            "--budget",
            budget,
            "--draws",
            "8",
            "--generations",
            generations,
            "--out",
            out,
            "-q",
        ])
        .args(extra)
        .output()
        .expect("spawn grapevine")
}

fn setup() -> Harness {
    let h = Harness::new();
    h.write("s.toml", RECOVERY_SCENARIO);
    h.run_ok("s.toml", "truth", &[]);
    h
}

#[test]
fn calibrate_resume_and_shards() {
    let h = setup();
    let out = calibrate(&h, "fit", &["--no-plots"]);
    assert_success(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("rumor.appeal = "), "{stdout}");
    assert!(
        stdout.contains("nowcast at the last observation (36 h)"),
        "{stdout}"
    );
    for f in [
        "calibration.json",
        "generations.csv",
        "posterior.csv",
        "result.json",
        "predictive.csv",
        "nowcast.csv",
        "nowcast.json",
        ".grapevine",
    ] {
        assert!(h.join("fit").join(f).is_file(), "{f}");
    }
    assert_eq!(h.read("fit/posterior.csv").lines().count(), 25);
    let posterior = h.read("fit/posterior.csv");

    // Without --resume the folder is refused; with it, nothing changes.
    let again = calibrate(&h, "fit", &["--no-plots"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--resume"));
    assert_success(&calibrate(&h, "fit", &["--no-plots", "--resume"]));
    assert_eq!(h.read("fit/posterior.csv"), posterior);

    // Two shards per generation, merged, until the calibration stops.
    let mut rounds = 0;
    while !h.join("sh/posterior.csv").exists() {
        rounds += 1;
        assert!(rounds <= 6, "did not finish");
        assert_success(&calibrate(&h, "sh", &["--shard", "1/2", "--no-plots"]));
        if rounds == 1 {
            let merge = calibrate(&h, "sh", &["--merge", "--no-plots"]);
            assert_eq!(merge.status.code(), Some(1), "a shard is missing");
            assert!(String::from_utf8_lossy(&merge.stderr).contains("missing from every shard"));
        }
        assert_success(&calibrate(&h, "sh", &["--shard", "0/2", "--no-plots"]));
        assert_success(&calibrate(&h, "sh", &["--merge", "--no-plots"]));
    }
    assert_eq!(h.read("sh/posterior.csv"), posterior);
    assert_eq!(h.read("sh/generations.csv"), h.read("fit/generations.csv"));
    assert_eq!(h.read("sh/nowcast.csv"), h.read("fit/nowcast.csv"));
}

#[test]
fn charts_are_drawn_and_reported() {
    let h = setup();
    assert_success(&calibrate_with(&h, "fit", "120", "2", &["--report"]));
    // The report: self-contained, every chart inline, numbers equal to the files.
    let html = h.read("fit/report.html");
    let doc = scraper::Html::parse_document(&html);
    crate::report::assert_self_contained(&doc, &html);
    assert!(crate::report::select(&doc, "figure > svg[role=img]").len() >= 6);
    let mut traced = 0;
    for file in ["result.json", "nowcast.json", "calibration.json"] {
        let json: serde_json::Value = serde_json::from_str(&h.read(format!("fit/{file}"))).unwrap();
        traced += crate::report::assert_traced_json(&doc, file, &json);
    }
    for file in ["generations.csv", "predictive.csv"] {
        traced += crate::report::assert_traced_csv(&doc, file, &h.read(format!("fit/{file}")));
    }
    assert!(traced > 20, "only {traced} numbers traced");
    for f in [
        "generations",
        "marginal-1",
        "marginal-2",
        "pair-1-2",
        "predictive",
        "nowcast",
    ] {
        assert!(h.join(format!("fit/plots/{f}.png")).is_file(), "{f}");
    }
}

#[test]
fn bad_data_and_parameters_are_refused() {
    let h = setup();
    h.write("bad.csv", "hours,window,count\n4,monitor,3\n8,radar,1\n");
    let out = h
        .cmd()
        .args([
            "calibrate",
            "s.toml",
            "--data",
            "bad.csv",
            "--fit",
            "rumor.appeal=0.1..0.5",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_no_panic(&stderr);
    assert!(
        stderr.contains(
            "bad.csv:3: window \"radar\" is not a window of s.toml (its windows: monitor, tipline)"
        ),
        "{stderr}"
    );
    h.write("bad.csv", "hours,window,count\n4,monitor,three\n");
    let out = h
        .cmd()
        .args([
            "calibrate",
            "s.toml",
            "--data",
            "bad.csv",
            "--fit",
            "rumor.appeal=0.1..0.5",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("bad.csv:2: count \"three\""), "{stderr}");
    let out = h
        .cmd()
        .args([
            "calibrate",
            "s.toml",
            "--data",
            "truth/observed.csv",
            "--fit",
            "rumor.apeal=0.1..0.5",
            "--fit",
            "sharing.believer=0.5..0.1",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("LOW < HIGH"), "{stderr}");
    let out = h
        .cmd()
        .args([
            "calibrate",
            "s.toml",
            "--data",
            "truth/observed.csv",
            "--fit",
            "rumor.apeal=0.1..0.5",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("--fit rumor.apeal=0.1..0.5: not a field"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `appeal`"), "{stderr}");
}
