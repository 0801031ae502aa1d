//! Observation windows end to end through `grapevine run`: windows only watch (the run
//! is byte-identical without them), their files agree with each other and with
//! `summary.json`, the calendar column follows `simulation.start`, and the files do not
//! depend on the thread count.

use crate::util::{Csv, Harness, ScenarioBuilder};

const WINDOWS: &str = r#"
[public]
share = 0.3
post_rate = 0.5

[[observe]]
kind = "monitor"
groups = 20
by = ["2h", "12h"]

[[observe]]
kind = "tipline"
name = "checkers"
report = 0.05
report_believers = 0.01
delay = "2h"
period = "3h"

[[observe]]
kind = "public"
"#;

fn scenario(name: &str, windows: bool, start: bool) -> String {
    let mut b = ScenarioBuilder::tiny(name).users(3_000);
    b.extra = if windows {
        WINDOWS.to_string()
    } else {
        "[public]\nshare = 0.3\npost_rate = 0.5\n".to_string()
    };
    let text = b.toml();
    if start {
        text.replace("start_hour = 8", "start = \"2018-10-01T08:00\"")
    } else {
        text
    }
}

#[test]
fn windows_only_watch_and_their_files_agree() {
    let h = Harness::new();
    h.write("with.toml", scenario("with", true, false));
    h.write("without.toml", scenario("without", false, false));
    h.run_ok("with.toml", "with", &[]);
    h.run_ok("without.toml", "without", &[]);
    assert_eq!(
        h.read("with/timeseries.csv"),
        h.read("without/timeseries.csv")
    );
    assert!(!h.join("without/observed.csv").exists());

    let observed = Csv::parse(&h.read("with/observed.csv"));
    assert_eq!(
        observed.header,
        ["replicate", "hours", "window", "count", "cumulative"]
    );
    let summary: serde_json::Value = serde_json::from_str(&h.read("with/summary.json")).unwrap();
    let events = Csv::parse(&h.read("with/observations.csv"));
    let (rep, win, count, cum) = (
        observed.col("replicate"),
        observed.col("window"),
        observed.u64s("count"),
        observed.u64s("cumulative"),
    );
    for r in 0..3u32 {
        for (k, name) in ["monitor", "checkers", "public"].iter().enumerate() {
            let rows: Vec<usize> = (0..observed.rows.len())
                .filter(|&i| {
                    observed.rows[i][rep] == r.to_string() && observed.rows[i][win] == *name
                })
                .collect();
            let mut acc = 0;
            for &i in &rows {
                acc += count[i];
                assert_eq!(cum[i], acc, "{name} replicate {r}");
            }
            let fig = &summary["runs"][r as usize]["observed"][k];
            assert_eq!(fig["window"], *name);
            assert_eq!(
                fig["rumor_seen"].as_u64().unwrap(),
                acc,
                "{name} replicate {r}"
            );
            let logged: u64 = events
                .rows
                .iter()
                .filter(|e| {
                    e[events.col("replicate")] == r.to_string()
                        && e[events.col("window")] == *name
                        && e[events.col("message")] == "rumor"
                })
                .map(|e| e[events.col("count")].parse::<u64>().unwrap())
                .sum();
            assert_eq!(logged, acc, "{name} replicate {r}");
        }
        // The tipline counts per 3 hours: 8 periods in a day; the monitor per hour.
        let periods = |name: &str| {
            (0..observed.rows.len())
                .filter(|&i| {
                    observed.rows[i][rep] == r.to_string() && observed.rows[i][win] == name
                })
                .count()
        };
        assert_eq!((periods("monitor"), periods("checkers")), (24, 8));
        let monitor = &summary["runs"][r as usize]["observed"][0];
        let share = monitor["posts_share"].as_f64().unwrap();
        assert!(share > 0.0 && share < 1.0, "{share}");
        assert_eq!(monitor["by"][0]["hours"], 2.0);
    }
    let agg = &summary["observation"];
    assert_eq!(agg.as_array().unwrap().len(), 3);
    assert_eq!(agg[0]["detected"]["runs"], 3);
    assert!(agg[0]["detected"]["interval"]["upper"].as_f64().unwrap() <= 1.0);
    assert_eq!(summary["scenario"]["observe"][1]["name"], "checkers");
}

#[test]
fn calendar_time_and_threads() {
    let h = Harness::new();
    h.write("cal.toml", scenario("cal", true, true));
    h.run_ok("cal.toml", "one", &["--threads", "1"]);
    h.run_ok("cal.toml", "two", &["--threads", "2"]);
    for f in ["observed.csv", "observations.csv", "summary.json"] {
        assert_eq!(
            h.read(format!("one/{f}")),
            h.read(format!("two/{f}")),
            "{f}"
        );
    }
    let observed = Csv::parse(&h.read("one/observed.csv"));
    assert_eq!(observed.col("time"), 2);
    assert_eq!(observed.rows[0][2], "2018-10-01T09:00");
    assert_eq!(observed.rows[23][2], "2018-10-02T08:00");
}
