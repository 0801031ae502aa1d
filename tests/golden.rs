//! Golden outputs: the exact result files of three tiny seeded scenarios, pinned byte
//! for byte, in the spirit of rand's value-stability tests. Each case lives in
//! `tests/golden/<case>/`: its `scenario.toml` and the `timeseries.csv`,
//! `summary.json`, `bands.csv` and `cascade.csv` that
//! `grapevine run scenario.toml --cascade` wrote for it. The test runs the real binary
//! again and compares every file.
//!
//! - `baseline`: three camps, the default chat mix, forward limit and label.
//! - `brand-complaint`: `[public]` spill-over to press and crisis, and a `response`.
//! - `brazil`: camps, political groups and broadcast lists, mass messaging, a
//!   `fact_check` and a `moderation`.
//!
//! A failure means the model's output changed. When that is intended (a fix, a new
//! column, a changed default, a new version number in `summary.json`), rewrite the
//! files with `GRAPEVINE_UPDATE_GOLDEN=1 cargo test --test tests golden::`, read the
//! diff, and say in the commit why each change is right: a changed byte is a deliberate,
//! reviewed update, never a side effect.

use crate::util::{assert_success, Harness};
use std::path::PathBuf;

/// The files pinned for each case (charts are drawn from these and not pinned).
const FILES: [&str; 4] = ["timeseries.csv", "summary.json", "bands.csv", "cascade.csv"];

fn case_dir(case: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(case)
}

/// Whether to rewrite the pinned files instead of failing.
fn updating() -> bool {
    std::env::var_os("GRAPEVINE_UPDATE_GOLDEN").is_some_and(|v| v != "0" && !v.is_empty())
}

/// Where two texts first differ, as "line N" with both lines.
fn first_difference(pinned: &str, now: &str) -> String {
    let (mut a, mut b) = (pinned.lines(), now.lines());
    for n in 1.. {
        match (a.next(), b.next()) {
            (Some(x), Some(y)) if x == y => continue,
            (x, y) => {
                return format!(
                    "line {n}:\n  pinned: {}\n  now:    {}",
                    x.unwrap_or("(end of file)"),
                    y.unwrap_or("(end of file)")
                )
            }
        }
    }
    unreachable!("1.. does not end")
}

fn check(case: &str) {
    let dir = case_dir(case);
    let h = Harness::new();
    let out = h.join("out");
    let run = h
        .cmd()
        .arg("run")
        .arg(dir.join("scenario.toml"))
        .arg("--out")
        .arg(&out)
        .args(["--quiet", "--cascade"])
        .output()
        .expect("spawn grapevine");
    assert_success(&run);
    let mut differ = Vec::new();
    for f in FILES {
        let now = std::fs::read(out.join(f)).unwrap_or_else(|e| panic!("read {f}: {e}"));
        let pinned_path = dir.join(f);
        if updating() {
            if std::fs::read(&pinned_path).ok().as_ref() != Some(&now) {
                std::fs::write(&pinned_path, &now).expect("write golden file");
            }
            continue;
        }
        let pinned = std::fs::read(&pinned_path)
            .unwrap_or_else(|e| panic!("read {}: {e}", pinned_path.display()));
        if pinned != now {
            differ.push(format!(
                "{f}: {}",
                first_difference(
                    &String::from_utf8_lossy(&pinned),
                    &String::from_utf8_lossy(&now)
                )
            ));
        }
    }
    assert!(
        differ.is_empty(),
        "golden case {case}: the output changed.\n{}\n\nIf the change is intended, rewrite \
         with GRAPEVINE_UPDATE_GOLDEN=1 cargo test --test tests golden:: and explain every \
         changed byte in the commit.",
        differ.join("\n")
    );
}

#[test]
fn baseline_outputs_are_pinned() {
    check("baseline");
}

#[test]
fn brand_complaint_outputs_are_pinned() {
    check("brand-complaint");
}

#[test]
fn brazil_outputs_are_pinned() {
    check("brazil");
}

#[test]
fn pinned_files_stay_small() {
    for case in ["baseline", "brand-complaint", "brazil"] {
        for f in FILES {
            let path = case_dir(case).join(f);
            let len = std::fs::metadata(&path).map_or(0, |m| m.len());
            assert!(
                len < 64 * 1024,
                "{}: {len} bytes; keep golden cases tiny",
                path.display()
            );
        }
    }
}
