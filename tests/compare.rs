//! `grapevine compare` end to end, and the common-random-numbers property it relies on.
//!
//! The CLI tests compare a tiny base scenario (1,500 users, one day, six replicates)
//! with a variant that `extends` it and adds a fact-check, and with a reseeded copy:
//! the table, `comparison.csv`, the chart and every scenario's result folder are
//! checked, the paired differences are recomputed from the two `summary.json` files,
//! and `--reuse` is shown to leave matching results untouched and to re-run only the
//! scenario that changed. The library tests show that a variant differing only by an
//! intervention produces the same step records as its base until the intervention
//! fires, and different ones after.

use crate::util::{assert_no_panic, Csv, Harness, ScenarioBuilder, RUN_FILES};
use grapevine::scenario::Scenario;
use grapevine::simulation;
use serde_json::Value;

const COMPARISON_HEADER: &str = "scenario,seed,replicates,figure,median,p5,p95,diff_median,\
paired,paired_diff_median,paired_diff_p5,paired_diff_p95,runs_with_value,label";

/// Figures reported per scenario, in order.
const FIGURES: [&str; 7] = [
    "final_reach",
    "final_reach_share",
    "final_believers",
    "final_believers_share",
    "hours_to_50pct",
    "cascade_depth",
    "structural_virality",
];

const REPLICATES: u32 = 6;

fn base() -> ScenarioBuilder {
    ScenarioBuilder::tiny("base")
        .users(1_500)
        .replicates(REPLICATES)
}

/// A variant of `base.toml` with a fact-check after `at`, checking `users` random users.
fn fact_check_variant(at: &str, users: u32) -> String {
    format!(
        "extends = \"base.toml\"\nname = \"fact-check\"\n\n\
         [[interventions]]\nkind = \"fact_check\"\nat = \"{at}\"\nusers = {users}\n"
    )
}

/// Writes the three scenario files of the CLI tests.
fn scenarios(h: &Harness) {
    h.write("base.toml", base().toml());
    h.write("fact-check.toml", fact_check_variant("3h", 150));
    h.write(
        "reseeded.toml",
        "extends = \"base.toml\"\nname = \"reseeded\"\n\n[simulation]\nseed = 7\n",
    );
}

const ARGS: [&str; 6] = [
    "compare",
    "base.toml",
    "fact-check.toml",
    "reseeded.toml",
    "--out",
    "cmp",
];

/// Runs `grapevine compare` on the three scenarios with `extra` flags; returns stdout.
fn compare_ok(h: &Harness, extra: &[&str]) -> String {
    let out = h
        .cmd()
        .args(ARGS)
        .args(["--quiet"])
        .args(extra)
        .output()
        .expect("spawn grapevine");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "compare failed:\n{stderr}");
    assert!(
        stderr.is_empty(),
        "--quiet compare wrote to stderr:\n{stderr}"
    );
    String::from_utf8(out.stdout).expect("UTF-8 stdout")
}

fn summary(h: &Harness, scenario: &str) -> Value {
    serde_json::from_str(&h.read(format!("cmp/{scenario}/summary.json"))).unwrap()
}

/// Per-replicate values of a figure in a `summary.json`.
fn per_run(s: &Value, figure: &str) -> Vec<f64> {
    s["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[figure].as_f64().unwrap())
        .collect()
}

/// Type-7 quantile (numpy's default) of unsorted values.
fn quantile(values: &[f64], q: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let h = (v.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(v.len() - 1);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// The row of `comparison.csv` for a scenario and figure.
fn row<'a>(csv: &'a Csv, scenario: &str, figure: &str) -> &'a [String] {
    csv.rows
        .iter()
        .find(|r| r[0] == scenario && r[3] == figure)
        .unwrap_or_else(|| panic!("no row for {scenario} / {figure}"))
}

#[test]
fn compare_writes_table_csv_chart_and_scenario_folders() {
    let h = Harness::new();
    scenarios(&h);
    let stdout = compare_ok(&h, &[]);

    // The table: a header, one row per scenario in order, notes, then the folder.
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("scenario") && lines[0].contains("believers diff (pp)"));
    assert!(lines[1].starts_with("base ") && lines[1].contains("reference"));
    assert!(lines[2].starts_with("fact-check ") && lines[2].contains(" ["));
    assert!(lines[3].starts_with("reseeded ") && lines[3].contains("unpaired"));
    assert!(stdout.contains("reseeded: unpaired: seed 7, first scenario's seed 42"));
    assert_eq!(lines.last(), Some(&"cmp"));

    let csv_text = h.read("cmp/comparison.csv");
    assert_eq!(csv_text.lines().next(), Some(COMPARISON_HEADER));
    let csv = Csv::parse(&csv_text);
    assert_eq!(csv.rows.len(), 3 * FIGURES.len());
    for (i, r) in csv.rows.iter().enumerate() {
        assert_eq!(r[0], ["base", "fact-check", "reseeded"][i / FIGURES.len()]);
        assert_eq!(r[3], FIGURES[i % FIGURES.len()]);
        assert_eq!(r[2], REPLICATES.to_string());
    }
    for f in FIGURES {
        let b = row(&csv, "base", f);
        assert_eq!(
            (&b[1][..], &b[7][..], &b[8][..]),
            ("42", "0", "true"),
            "{f}"
        );
        assert_eq!((&b[9][..], &b[10][..], &b[11][..]), ("0", "0", "0"), "{f}");
        let v = row(&csv, "fact-check", f);
        assert_eq!(v[8], "true", "same seed and replicates: paired");
        assert!(v[9..13].iter().all(|x| x.parse::<f64>().is_ok()), "{v:?}");
        assert!(!v[13].is_empty(), "a label: {v:?}");
        let r = row(&csv, "reseeded", f);
        assert_eq!((&r[1][..], &r[8][..]), ("7", "false"));
        assert!(r[9..12].iter().all(String::is_empty), "{r:?}");
    }

    // Medians agree with each scenario's own summary.json.
    let (sb, sv) = (summary(&h, "base"), summary(&h, "fact-check"));
    for (name, s) in [("base", &sb), ("fact-check", &sv)] {
        let agg = s["aggregate"]["final_believers_share"]["median"]
            .as_f64()
            .unwrap();
        let m: f64 = row(&csv, name, "final_believers_share")[4].parse().unwrap();
        assert!(close(agg, m), "{name}: {agg} vs {m}");
    }
    // Paired differences are taken replicate by replicate from the two files.
    let (b, v) = (
        per_run(&sb, "final_believers_share"),
        per_run(&sv, "final_believers_share"),
    );
    let diffs: Vec<f64> = v.iter().zip(&b).map(|(x, y)| x - y).collect();
    let r = row(&csv, "fact-check", "final_believers_share");
    for (q, col) in [(0.5, 9), (0.05, 10), (0.95, 11)] {
        let got: f64 = r[col].parse().unwrap();
        assert!(close(got, quantile(&diffs, q)), "q{q}: {got} vs {diffs:?}");
    }
    assert!(
        quantile(&diffs, 0.5) < 0.0,
        "the fact-check convinced no one: {diffs:?}"
    );

    // The chart, and a full result folder per scenario.
    assert!(h
        .read_bytes("cmp/comparison.png")
        .starts_with(b"\x89PNG\r\n\x1a\n"));
    let svg = h.read("cmp/comparison.svg");
    for name in ["base", "fact-check", "reseeded"] {
        assert!(svg.contains(name), "legend lacks {name}");
        for f in RUN_FILES {
            assert!(
                h.join("cmp").join(name).join(f).is_file(),
                "{name}/{f} missing"
            );
        }
    }
    assert!(h.join("cmp/.grapevine").is_file());
}

const NAMES: [&str; 3] = ["base", "fact-check", "reseeded"];

/// Adds a comment to the marker of every scenario folder; a re-run writes a new marker
/// without it (files of the user's would be carried over into the new folder).
fn leave_sentinels(h: &Harness) {
    for name in NAMES {
        let marker = format!("cmp/{name}/.grapevine");
        let text = h.read(&marker);
        h.write(&marker, format!("{text}# sentinel\n"));
    }
}

/// Which scenario folders were kept (not re-run) since [`leave_sentinels`].
fn kept(h: &Harness) -> Vec<bool> {
    NAMES
        .iter()
        .map(|n| h.read(format!("cmp/{n}/.grapevine")).contains("# sentinel"))
        .collect()
}

#[test]
fn reuse_keeps_matching_results_and_reruns_changed_scenarios() {
    let h = Harness::new();
    scenarios(&h);
    let first = compare_ok(&h, &[]);
    let csv = h.read("cmp/comparison.csv");
    let summaries: Vec<String> = NAMES
        .iter()
        .map(|n| h.read(format!("cmp/{n}/summary.json")))
        .collect();
    leave_sentinels(&h);

    // Nothing changed: nothing is re-run, and the comparison is the same.
    let again = compare_ok(&h, &["--reuse"]);
    assert_eq!(kept(&h), [true, true, true], "--reuse re-ran a scenario");
    assert_eq!(first, again);
    assert_eq!(csv, h.read("cmp/comparison.csv"));

    // The same replicate count given on the command line is still the same scenario.
    compare_ok(&h, &["--reuse", "--replicates", &REPLICATES.to_string()]);
    assert_eq!(kept(&h), [true, true, true]);

    // Editing the variant re-runs the variant only; the reason is said on stderr.
    h.write("fact-check.toml", fact_check_variant("3h", 300));
    let out = h
        .cmd()
        .args(ARGS)
        .arg("--reuse")
        .output()
        .expect("spawn grapevine");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("fact-check: earlier results are stale: interventions[0].users changed"),
        "{stderr}"
    );
    assert!(stderr.contains("base: reusing"), "{stderr}");
    assert_eq!(kept(&h), [true, false, true]);
    assert_eq!(summaries[0], h.read("cmp/base/summary.json"));
    let s = summary(&h, "fact-check");
    assert_eq!(s["scenario"]["interventions"][0]["users"], 300);

    // Without --reuse everything runs again, to the same results for the base.
    leave_sentinels(&h);
    compare_ok(&h, &[]);
    assert_eq!(kept(&h), [false, false, false]);
    assert_eq!(summaries[0], h.read("cmp/base/summary.json"));
}

#[test]
fn compare_refuses_two_scenarios_with_one_name() {
    let h = Harness::new();
    h.write("base.toml", base().toml());
    h.write("copy.toml", "extends = \"base.toml\"\nname = \"base\"\n");
    let out = h
        .cmd()
        .args(["compare", "base.toml", "copy.toml", "--out", "cmp"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_no_panic(&stderr);
    for needle in ["base.toml", "copy.toml", "\"base\""] {
        assert!(stderr.contains(needle), "message lacks {needle}:\n{stderr}");
    }
    assert!(!h.join("cmp").exists(), "a refused comparison wrote output");

    // A folder Grapevine did not write is never touched.
    h.write("mine/notes.txt", "keep");
    h.write("other.toml", fact_check_variant("3h", 10));
    let out = h
        .cmd()
        .args(["compare", "base.toml", "other.toml", "--out", "mine"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_no_panic(&String::from_utf8_lossy(&out.stderr));
    assert_eq!(h.read("mine/notes.txt"), "keep");
    assert_eq!(std::fs::read_dir(h.join("mine")).unwrap().count(), 1);
}

/// Runs a scenario through the library exactly as `grapevine run` does.
fn simulate(toml: &str, name: &str) -> (Scenario, simulation::Results) {
    let scn = Scenario::from_toml_str(toml, name).unwrap();
    let pop = simulation::build_population(&scn).unwrap();
    simulation::check_against_population(&scn, &pop).unwrap();
    let reps = scn.simulation.replicates;
    let results = simulation::simulate(&pop, &scn, reps, 2, &|| {});
    (scn, results)
}

/// Base and variant (base plus `intervention`) share every record before the step at
/// which the intervention fires, and differ after it in at least one replicate.
fn assert_common_random_numbers(intervention: &str, at_step: u32) {
    let toml = base().toml();
    let (_, plain) = simulate(&toml, "base");
    let (scn, varied) = simulate(&format!("{toml}\n{intervention}"), "variant");
    assert_eq!(scn.interventions.len(), 1);
    let t = at_step as usize;
    let mut differs_after = false;
    for (r, (a, b)) in plain.runs.iter().zip(&varied.runs).enumerate() {
        assert_eq!(b.fired, [Some(at_step)], "replicate {r}");
        assert_eq!(a.records.len(), b.records.len());
        assert_eq!(
            a.records[..t],
            b.records[..t],
            "replicate {r}: records differ before the intervention"
        );
        differs_after |= a.records[t..] != b.records[t..];
    }
    assert!(differs_after, "the intervention changed nothing");
}

#[test]
fn fact_check_variant_shares_every_record_until_it_fires() {
    // 12 h in 10-minute steps: the fact-check acts at the start of step 72.
    assert_common_random_numbers(
        "[[interventions]]\nkind = \"fact_check\"\nat = \"12h\"\nusers = 150\n",
        72,
    );
}

#[test]
fn forward_limit_variant_shares_every_record_until_it_fires() {
    // The tiny rumor has spread by a few hours, so the limit must come while it is
    // still travelling to change anything: 1 h is step 6.
    assert_common_random_numbers(
        "[[interventions]]\nkind = \"forward_limit\"\nat = \"1h\"\nlimit = 1\n",
        6,
    );
}
