//! `grapevine report` and `--report` end to end: the HTML is parsed with a real HTML
//! parser (scraper, html5ever underneath) and checked to reference nothing outside the
//! file, to hold every chart and table a reader expects, and to quote numbers equal to
//! the result files they name (each quoted number carries its source in `data-source`).

use crate::util::{assert_no_panic, assert_success, Harness, ScenarioBuilder};
use scraper::{Html, Selector};
use serde_json::Value;

pub(crate) fn select(doc: &Html, css: &str) -> Vec<String> {
    let sel = Selector::parse(css).expect("a valid selector");
    doc.select(&sel).map(|e| e.html()).collect()
}

/// Nothing a browser would fetch or run: no scripts, external style sheets, images,
/// frames or objects; links only to files beside the report or anchors within it.
pub(crate) fn assert_self_contained(doc: &Html, html: &str) {
    for css in [
        "script",
        "link",
        "img",
        "iframe",
        "object",
        "embed",
        "image",
        "use",
        "foreignObject",
        "[src]",
    ] {
        assert!(select(doc, css).is_empty(), "the report has a <{css}>");
    }
    let a = Selector::parse("[href]").unwrap();
    for e in doc.select(&a) {
        let href = e.value().attr("href").unwrap();
        let lower = href.to_ascii_lowercase();
        assert!(
            !(lower.contains("://")
                || lower.starts_with("//")
                || lower.starts_with('/')
                || lower.contains(':')),
            "link to {href} leaves the report's folder"
        );
        assert!(e.value().name() == "a", "href on a <{}>", e.value().name());
    }
    assert!(!html.contains("@import"));
    assert!(!html.contains("url(http"));
}

/// Every `<data class="figure">` whose source is `FILE:dotted.path` in a JSON file
/// equals the value at that path; returns how many were checked.
pub(crate) fn assert_traced_json(doc: &Html, file: &str, json: &Value) -> usize {
    let sel = Selector::parse("data.figure").unwrap();
    let mut checked = 0;
    for e in doc.select(&sel) {
        let source = e.value().attr("data-source").unwrap();
        let value: f64 = e.value().attr("value").unwrap().parse().unwrap();
        let Some(path) = source.strip_prefix(&format!("{file}:")) else {
            continue;
        };
        if path.contains('[') || path.contains(' ') {
            continue; // computed over runs: checked separately
        }
        let pointer = format!("/{}", path.replace('.', "/"));
        let expected = json
            .pointer(&pointer)
            .and_then(Value::as_f64)
            .unwrap_or_else(|| panic!("{source}: no number at {pointer}"));
        assert_eq!(value, expected, "{source}");
        checked += 1;
    }
    checked
}

/// Every `<data class="figure">` whose source is `FILE:LINE:COLUMN` of a CSV file
/// equals that field; returns how many were checked.
pub(crate) fn assert_traced_csv(doc: &Html, file: &str, text: &str) -> usize {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    let sel = Selector::parse("data.figure").unwrap();
    let mut checked = 0;
    for e in doc.select(&sel) {
        let source = e.value().attr("data-source").unwrap();
        let Some(rest) = source.strip_prefix(&format!("{file}:")) else {
            continue;
        };
        let (line, column) = rest.split_once(':').expect("FILE:LINE:COLUMN");
        let line: usize = line.parse().unwrap();
        let col = rows[0]
            .iter()
            .position(|h| h == column)
            .expect("a column of the file");
        let expected: f64 = rows[line - 1][col].parse().unwrap();
        let value: f64 = e.value().attr("value").unwrap().parse().unwrap();
        assert_eq!(value, expected, "{source}");
        checked += 1;
    }
    checked
}

fn captions(doc: &Html) -> Vec<String> {
    let sel = Selector::parse("caption").unwrap();
    doc.select(&sel)
        .map(|e| e.text().collect::<String>())
        .collect()
}

fn scenario() -> ScenarioBuilder {
    let mut s = ScenarioBuilder::tiny("reported").users(1_500).replicates(4);
    s.extra = r#"
[[simulation.markers]]
label = "Vote"
at = "18h"

[report]
at = ["6h", "vote"]

[[interventions]]
kind = "fact_check"
at = "6h"
subscribers = 300

[public]
share = 0.3
"#
    .into();
    s
}

#[test]
fn a_run_report_is_self_contained_complete_and_quotes_summary_json() {
    let h = Harness::new();
    h.write("s.toml", scenario().toml());
    h.run_ok("s.toml", "out", &["--report"]);
    let html = h.read("out/report.html");
    let doc = Html::parse_document(&html);
    assert_self_contained(&doc, &html);

    // Charts: virality, spill-over and by camp, inline, labelled for screen readers.
    let svgs = select(&doc, "figure > svg[role=img]");
    assert_eq!(svgs.len(), 3, "virality, spillover and camp charts");
    for svg in &svgs {
        assert!(svg.contains("<title") && svg.contains("<desc"));
    }
    let caps = captions(&doc);
    for expected in [
        "Figures at the end of the run",
        "Figures at the report's times",
        "By camp",
        "Events",
        "Platform rules in force",
        "Seeding",
        "Interventions timeline",
        "How these results and this report were made",
    ] {
        assert!(
            caps.iter().any(|c| c.starts_with(expected)),
            "no table \"{expected}\" in {caps:?}"
        );
    }
    // Real tables: column headers and row headers.
    assert!(!select(&doc, "thead th[scope=col]").is_empty());
    assert!(!select(&doc, "tbody th[scope=row]").is_empty());

    // Every number quoted from summary.json equals it, the summary's included.
    let summary: Value = serde_json::from_str(&h.read("out/summary.json")).unwrap();
    let checked = assert_traced_json(&doc, "summary.json", &summary);
    assert!(
        checked > 50,
        "only {checked} numbers traced to summary.json"
    );
    let in_summary = Selector::parse("#summary data.figure").unwrap();
    let reach = doc
        .select(&in_summary)
        .find(|e| {
            e.value().attr("data-source") == Some("summary.json:aggregate.final_reach_share.median")
        })
        .expect("the summary quotes the median reach");
    assert_eq!(
        reach.value().attr("value").unwrap().parse::<f64>().unwrap(),
        summary["aggregate"]["final_reach_share"]["median"]
            .as_f64()
            .unwrap()
    );

    // Provenance: seed, replicates and the scenario's hash; links to the CSV files.
    let text = doc.root_element().text().collect::<String>();
    assert!(text.contains("SHA-256"));
    assert!(select(&doc, "a[href=\"timeseries.csv\"]").len() == 1);
    assert!(select(&doc, "a[href=\"summary.json\"]").len() == 1);
}

#[test]
fn all_or_nothing_outcomes_are_said_as_a_chance() {
    // A rumor that rarely spreads: the summary gives the chance of an outbreak rather
    // than a median that sits at the seeds.
    let mut s = ScenarioBuilder::tiny("rare").users(1_500).replicates(8);
    s.extra = "\n[report]\noutbreak = \"20%\"\n".into();
    let toml = s
        .toml()
        .replace("appeal = 0.4", "appeal = 0.05")
        .replace("believer = 0.5", "believer = 0.05");
    let h = Harness::new();
    h.write("s.toml", toml);
    h.run_ok("s.toml", "out", &["--report"]);
    let summary: Value = serde_json::from_str(&h.read("out/summary.json")).unwrap();
    let hits = summary["events"][0]["probability"]["hits"]
        .as_u64()
        .unwrap();
    let doc = Html::parse_document(&h.read("out/report.html"));
    let sel = Selector::parse("#summary p").unwrap();
    let first: String = doc.select(&sel).next().unwrap().text().collect();
    if hits == 0 {
        assert!(first.starts_with("The rumor did not take off"), "{first}");
    } else if hits < 8 {
        assert!(first.starts_with("The rumor took off"), "{first}");
    } else {
        assert!(first.starts_with("In the median run"), "{first}");
    }
    assert!(assert_traced_json(&doc, "summary.json", &summary) > 10);
}

#[test]
fn comparison_and_sweep_reports_quote_their_csv_files() {
    let h = Harness::new();
    let base = ScenarioBuilder::tiny("base").users(1_200).replicates(4);
    h.write("base.toml", base.toml());
    h.write(
        "limit.toml",
        "extends = \"base.toml\"\nname = \"limit-1\"\nlabel = \"Forward limit 1\"\n[platform]\nforward_limit = 1\n",
    );
    let out = h
        .cmd()
        .args([
            "compare",
            "base.toml",
            "limit.toml",
            "--out",
            "cmp",
            "--quiet",
            "--report",
        ])
        .output()
        .unwrap();
    assert_success(&out);
    let html = h.read("cmp/report.html");
    let doc = Html::parse_document(&html);
    assert_self_contained(&doc, &html);
    assert_eq!(
        select(&doc, "figure > svg[role=img]").len(),
        1,
        "the comparison chart"
    );
    assert!(assert_traced_csv(&doc, "comparison.csv", &h.read("cmp/comparison.csv")) >= 10);
    let caps = captions(&doc);
    assert!(caps
        .iter()
        .any(|c| c.starts_with("Settings that differ from the reference")));
    let text = doc.root_element().text().collect::<String>();
    assert!(
        text.contains("platform.forward_limit"),
        "the difference is named"
    );

    h.write(
        "sweep.toml",
        "name = \"appeal\"\nscenario = \"base.toml\"\ndesign = \"grid\"\nreplicates = 3\nseed = 7\n\
         [parameters]\n\"rumor.appeal\" = { values = [0.1, 0.6], label = \"Appeal\" }\n",
    );
    let out = h
        .cmd()
        .args(["sweep", "sweep.toml", "--out", "sw", "--quiet", "--report"])
        .output()
        .unwrap();
    assert_success(&out);
    let html = h.read("sw/report.html");
    let doc = Html::parse_document(&html);
    assert_self_contained(&doc, &html);
    assert!(
        !select(&doc, "figure > svg[role=img]").is_empty(),
        "the sweep's charts"
    );
    assert!(assert_traced_csv(&doc, "points.csv", &h.read("sw/points.csv")) >= 4);

    // A shard holds part of the runs: no report of it, a pointer to merge instead.
    let out = h
        .cmd()
        .args([
            "sweep",
            "sweep.toml",
            "--out",
            "sh",
            "--shard",
            "0/2",
            "--quiet",
        ])
        .output()
        .unwrap();
    assert_success(&out);
    let out = h
        .cmd()
        .args(["report", "sh/shard-0-of-2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("shard 0 of 2") && err.contains("grapevine merge"),
        "{err}"
    );
}

#[test]
fn report_of_a_folder_that_holds_no_results_exits_2() {
    let h = Harness::new();
    h.write("notes/readme.txt", "hello");
    let out = h.cmd().args(["report", "notes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_no_panic(&err);
    assert!(
        err.contains("notes is not a Grapevine result folder"),
        "{err}"
    );
    assert!(!h.join("notes/report.html").exists());
}

#[test]
fn a_report_written_later_is_replaced_with_the_results() {
    // `grapevine report DIR` records report.html as Grapevine's, so the next run into
    // DIR does not leave a report of the old results beside the new ones.
    let h = Harness::new();
    h.write("s.toml", ScenarioBuilder::tiny("later").users(1_000).toml());
    h.run_ok("s.toml", "out", &[]);
    let out = h.cmd().args(["report", "out"]).output().unwrap();
    assert_success(&out);
    assert!(h.read("out/.grapevine").lines().any(|l| l == "report.html"));
    h.run_ok("s.toml", "out", &["--seed", "9"]);
    assert!(
        !h.join("out/report.html").exists(),
        "a stale report was kept"
    );
}

#[test]
fn a_broken_result_file_exits_2_and_keeps_the_old_report() {
    let h = Harness::new();
    h.write(
        "s.toml",
        ScenarioBuilder::tiny("broken").users(1_000).toml(),
    );
    h.run_ok("s.toml", "out", &["--report"]);
    let before = h.read_bytes("out/report.html");
    h.write("out/summary.json", "{\"runs\": [");
    let out = h.cmd().args(["report", "out"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_no_panic(&err);
    assert!(err.contains("summary.json"), "{err}");
    assert_eq!(
        h.read_bytes("out/report.html"),
        before,
        "the old report was changed"
    );
}

#[test]
fn observation_windows_are_reported_per_window() {
    // "When would our monitor have seen it first, and what share does it see?"
    let h = Harness::new();
    h.write("s.toml", crate::calibrate::RECOVERY_SCENARIO);
    h.run_ok("s.toml", "out", &["--report", "--replicates", "3"]);
    let html = h.read("out/report.html");
    let doc = Html::parse_document(&html);
    assert_self_contained(&doc, &html);
    let summary: Value = serde_json::from_str(&h.read("out/summary.json")).unwrap();
    assert!(assert_traced_json(&doc, "summary.json", &summary) > 20);
    let sel = Selector::parse("#observation li").unwrap();
    let items: Vec<String> = doc.select(&sel).map(|e| e.text().collect()).collect();
    let windows = summary["observation"].as_array().unwrap();
    assert_eq!(items.len(), windows.len());
    for (item, w) in items.iter().zip(windows) {
        assert!(item.starts_with(w["window"].as_str().unwrap()), "{item}");
    }
    assert!(captions(&doc).iter().any(|c| c.starts_with("Each window")));
}

#[test]
fn a_report_into_a_missing_folder_is_a_write_error() {
    let h = Harness::new();
    h.write(
        "s.toml",
        ScenarioBuilder::tiny("nowhere").users(1_000).toml(),
    );
    h.run_ok("s.toml", "out", &[]);
    let out = h
        .cmd()
        .args(["report", "out", "--out", "missing/r.html"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_no_panic(&err);
    assert!(
        err.contains("cannot write the report missing/r.html"),
        "{err}"
    );
    assert!(err.contains("the folder missing does not exist"), "{err}");
}
