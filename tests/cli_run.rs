//! `grapevine run` and `grapevine check` end to end on a tiny scenario: every result
//! file exists, has the documented shape, and agrees with the others (bands with the
//! time series, cascade with reach, cascade shape in `summary.json` with a
//! recomputation from `cascade.csv`).

use crate::util::{assert_no_panic, Csv, Harness, ScenarioBuilder, REAL_CHARTS, RUN_FILES};
use serde_json::Value;
use std::collections::HashMap;

const TIMESERIES_HEADER: &str = "replicate,step,hours,reached,read,unaware,exposed,rejecters,\
believers,immune,corrected,spreaders,stiflers,new_reached,deliveries,posts,max_hops,correction_reached,correction_read,public_posts,public_reach,press,crisis,\
copies_unseen,belief_index,posts_original,posts_forwarded,posts_labelled,share_actions";

const BANDS_HEADER: &str = "step,hours,reached_median,reached_p5,reached_p95,\
believers_median,believers_p5,believers_p95,spreaders_median,spreaders_p5,spreaders_p95";

const CASCADE_HEADER: &str = "replicate,user,parent,hops,step,chat,shared,source_parent";

/// Steps of the tiny scenario: one day of 10-minute steps.
const STEPS: usize = 144;
const REPLICATES: usize = 3;
const USERS: u64 = 2_000;

/// Runs the tiny scenario once into `out`, with `--cascade`.
fn tiny_run(h: &Harness, out: &str) {
    h.write("tiny.toml", ScenarioBuilder::tiny("tiny").toml());
    let output = h.run_ok("tiny.toml", out, &["--cascade"]);
    assert!(
        output.stderr.is_empty(),
        "--quiet run wrote to stderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
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

fn json_f64(v: &Value, path: &[&str]) -> f64 {
    let mut cur = v;
    for k in path {
        cur = cur
            .get(k)
            .unwrap_or_else(|| panic!("summary.json has no {}", path.join(".")));
    }
    cur.as_f64()
        .unwrap_or_else(|| panic!("{} = {cur} is not a number", path.join(".")))
}

#[test]
fn run_writes_every_file() {
    let h = Harness::new();
    tiny_run(&h, "res");
    for f in RUN_FILES.iter().chain(&["cascade.csv"]) {
        assert!(h.join("res").join(f).is_file(), "{f} missing");
    }
    // Nothing but the result files: no staging leftovers beside or inside the folder.
    let mut names: Vec<String> = std::fs::read_dir(h.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["res", "tiny.toml"]);
    let inside = std::fs::read_dir(h.join("res")).unwrap().count();
    assert_eq!(inside, RUN_FILES.len() + 1);
}

#[test]
fn timeseries_has_header_and_one_row_per_replicate_and_step() {
    let h = Harness::new();
    tiny_run(&h, "res");
    let text = h.read("res/timeseries.csv");
    // Two camps: each adds its reach and believers after the common columns.
    let header =
        format!("{TIMESERIES_HEADER},reached_left,believers_left,reached_right,believers_right");
    assert_eq!(text.lines().next(), Some(header.as_str()));
    let ts = Csv::parse(&text);
    assert_eq!(ts.rows.len(), REPLICATES * STEPS);
    let reps = ts.u64s("replicate");
    let steps = ts.u64s("step");
    let hours = ts.f64s("hours");
    for (i, ((&r, &s), &hr)) in reps.iter().zip(&steps).zip(&hours).enumerate() {
        assert_eq!(r as usize, i / STEPS, "row {i}: replicate");
        assert_eq!(s as usize, i % STEPS, "row {i}: step");
        // Hours are written to 6 decimals (0.166667), so float noise never shows.
        let exact = (s as f64 + 1.0) / 6.0;
        assert!((hr - exact).abs() <= 5e-7, "row {i}: hours {hr}");
        assert_eq!(hr, (exact * 1e6).round() / 1e6, "row {i}: hours {hr}");
    }
    let reached = ts.u64s("reached");
    assert!(
        reached.iter().any(|&r| r > 10),
        "the tiny scenario should spread at all"
    );
    let belief_sum: Vec<u64> = (0..ts.rows.len())
        .map(|i| {
            [
                "unaware",
                "exposed",
                "rejecters",
                "believers",
                "immune",
                "corrected",
            ]
            .iter()
            .map(|c| ts.u64s(c)[i])
            .sum()
        })
        .collect();
    assert!(belief_sum.iter().all(|&s| s == USERS));
}

#[test]
fn bands_summarise_the_timeseries() {
    let h = Harness::new();
    tiny_run(&h, "res");
    let text = h.read("res/bands.csv");
    assert_eq!(text.lines().next(), Some(BANDS_HEADER));
    let bands = Csv::parse(&text);
    assert_eq!(bands.rows.len(), STEPS);
    assert_eq!(
        bands.u64s("step"),
        (0..STEPS as u64).collect::<Vec<_>>(),
        "one row per step, in order"
    );
    let ts = Csv::parse(&h.read("res/timeseries.csv"));
    for col in ["reached", "believers", "spreaders"] {
        let values = ts.f64s(col);
        let (med, p5, p95) = (
            bands.f64s(&format!("{col}_median")),
            bands.f64s(&format!("{col}_p5")),
            bands.f64s(&format!("{col}_p95")),
        );
        for s in 0..STEPS {
            let at: Vec<f64> = (0..REPLICATES).map(|r| values[r * STEPS + s]).collect();
            for (q, got) in [(0.5, med[s]), (0.05, p5[s]), (0.95, p95[s])] {
                let want = quantile(&at, q);
                assert!(close(got, want), "{col} q{q} step {s}: {got} != {want}");
            }
        }
    }
}

#[test]
fn summary_json_has_documented_keys() {
    let h = Harness::new();
    tiny_run(&h, "res");
    let s: Value = serde_json::from_str(&h.read("res/summary.json")).expect("valid JSON");
    assert_eq!(s["grapevine_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(s["scenario_name"], "tiny");
    assert_eq!(s["seed"], 42);
    assert_eq!(s["replicates"], REPLICATES as u64);
    assert_eq!(s["users"], USERS);
    for fig in [
        "final_reach",
        "final_reach_share",
        "final_believers",
        "hours_to_50pct",
        "cascade_depth",
        "structural_virality",
    ] {
        for q in ["median", "p5", "p95"] {
            json_f64(&s, &["aggregate", fig, q]);
        }
    }
    let runs = s["runs"].as_array().expect("runs is an array");
    assert_eq!(runs.len(), REPLICATES);
    for (i, r) in runs.iter().enumerate() {
        assert_eq!(r["replicate"], i as u64);
    }
    // The resolved scenario, defaults filled in.
    let scn = &s["scenario"];
    assert_eq!(scn["name"], "tiny");
    assert_eq!(
        scn["sharing"]["interval"], "30m",
        "interval defaults to delay"
    );
    assert!(scn["sharing"]["stifling"].is_number());
    assert!(scn["belief"]["model"].is_string());
    assert!(scn["population"]["chats"]["family"]["trust"].is_number());
    assert!(scn["platform"]["forward_limit"].is_number());

    // Final reach agrees with the last row of each replicate.
    let ts = Csv::parse(&h.read("res/timeseries.csv"));
    let reached = ts.u64s("reached");
    let finals: Vec<f64> = (0..REPLICATES)
        .map(|r| reached[(r + 1) * STEPS - 1] as f64)
        .collect();
    for (r, run) in runs.iter().enumerate() {
        assert_eq!(json_f64(run, &["final_reach"]), finals[r]);
    }
    assert!(close(
        json_f64(&s, &["aggregate", "final_reach", "median"]),
        quantile(&finals, 0.5)
    ));
}

/// Charts are checked for their file format only; what they show is the plot module's
/// business.
#[test]
fn charts_are_png_and_svg() {
    let h = Harness::new();
    tiny_run(&h, "res");
    let png = h.read_bytes("res/virality.png");
    let svg = h.read_bytes("res/virality.svg");
    if !REAL_CHARTS {
        // TODO(plot): remove once the real plot module is merged.
        return;
    }
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "virality.png is not a PNG ({} bytes)",
        png.len()
    );
    let svg = String::from_utf8(svg).expect("SVG is UTF-8");
    assert!(svg.contains("<svg"), "virality.svg has no <svg element");
}

#[test]
fn marker_file_identifies_the_folder() {
    let h = Harness::new();
    tiny_run(&h, "res");
    let marker = h.read("res/.grapevine");
    assert!(marker.contains("grapevine"), "{marker:?}");
}

/// One cascade row, parsed.
struct Edge {
    user: u64,
    parent: Option<u64>,
    hops: u64,
    step: u64,
}

/// Shape of a forest in reach order, computed independently of the crate.
#[derive(Debug)]
struct Shape {
    trees: usize,
    largest_tree: usize,
    depth: usize,
    max_breadth: usize,
    structural_virality: f64,
}

/// The sharers' forest from the file's rows (in reach order): rows with `shared = 1`,
/// each linked to its `source_parent`, put in an order where parents come first
/// (breadth-first from the roots), as [`shape`] needs.
fn sharers_in_tree_order(edges: &[(u64, Option<u64>)]) -> Vec<Edge> {
    let mut children: HashMap<u64, Vec<u64>> = HashMap::new();
    let mut queue: std::collections::VecDeque<u64> = std::collections::VecDeque::new();
    for &(user, parent) in edges {
        match parent {
            Some(p) => children.entry(p).or_default().push(user),
            None => queue.push_back(user),
        }
    }
    let mut out = Vec::new();
    let parent_of: HashMap<u64, Option<u64>> = edges.iter().copied().collect();
    while let Some(u) = queue.pop_front() {
        out.push(Edge {
            user: u,
            parent: parent_of[&u],
            hops: 0,
            step: 0,
        });
        queue.extend(children.remove(&u).unwrap_or_default());
    }
    assert_eq!(out.len(), edges.len(), "every sharer's parent is a sharer");
    out
}

fn shape(edges: &[Edge]) -> Shape {
    let pos: HashMap<u64, usize> = edges.iter().enumerate().map(|(i, e)| (e.user, i)).collect();
    assert_eq!(
        pos.len(),
        edges.len(),
        "a user appears twice in one replicate"
    );
    let parent: Vec<Option<usize>> = edges
        .iter()
        .enumerate()
        .map(|(i, e)| {
            e.parent.map(|p| {
                let j = *pos
                    .get(&p)
                    .unwrap_or_else(|| panic!("parent {p} of {} never reached", e.user));
                assert!(j < i, "parent {p} listed after its child {}", e.user);
                j
            })
        })
        .collect();
    // Depth and root by walking up the parent pointers.
    let walk = |mut i: usize| {
        let mut d = 0;
        while let Some(p) = parent[i] {
            i = p;
            d += 1;
        }
        (d, i)
    };
    let (depth, root): (Vec<usize>, Vec<usize>) = (0..edges.len()).map(walk).unzip();
    let mut breadth: HashMap<usize, usize> = HashMap::new();
    for &d in &depth {
        *breadth.entry(d).or_default() += 1;
    }
    let mut tree_size: HashMap<usize, usize> = HashMap::new();
    for &r in &root {
        *tree_size.entry(r).or_default() += 1;
    }
    // Largest tree; ties to the earliest root.
    let largest = tree_size
        .iter()
        .max_by_key(|&(&r, &n)| (n, std::cmp::Reverse(r)))
        .map(|(&r, _)| r)
        .expect("non-empty cascade");
    let members: Vec<usize> = (0..edges.len()).filter(|&i| root[i] == largest).collect();
    let n = members.len();

    // Mean pairwise distance from subtree sizes: each edge lies on s (n - s) paths.
    let mut sub = vec![1usize; edges.len()];
    for &i in members.iter().rev() {
        if let Some(p) = parent[i] {
            sub[p] += sub[i];
        }
    }
    let pairs = (n * (n.saturating_sub(1))) as f64 / 2.0;
    let edge_sum: f64 = members
        .iter()
        .filter(|&&i| parent[i].is_some())
        .map(|&i| (sub[i] * (n - sub[i])) as f64)
        .sum();
    let virality = if n < 2 { 0.0 } else { edge_sum / pairs };

    // Cross-check by brute force: distances from every node by breadth-first search.
    let local: HashMap<usize, usize> = members.iter().enumerate().map(|(k, &i)| (i, k)).collect();
    let mut adj = vec![Vec::new(); n];
    for &i in &members {
        if let Some(p) = parent[i] {
            adj[local[&i]].push(local[&p]);
            adj[local[&p]].push(local[&i]);
        }
    }
    let mut total = 0u64;
    let mut dist = vec![u32::MAX; n];
    let mut queue = std::collections::VecDeque::new();
    for s in 0..n {
        dist.fill(u32::MAX);
        dist[s] = 0;
        queue.push_back(s);
        while let Some(x) = queue.pop_front() {
            for &y in &adj[x] {
                if dist[y] == u32::MAX {
                    dist[y] = dist[x] + 1;
                    total += dist[y] as u64;
                    queue.push_back(y);
                }
            }
        }
    }
    if n >= 2 {
        let brute = total as f64 / 2.0 / pairs;
        assert!(close(brute, virality), "{brute} != {virality}");
    }
    Shape {
        trees: tree_size.len(),
        largest_tree: n,
        depth: depth.iter().copied().max().unwrap_or(0),
        max_breadth: breadth.values().copied().max().unwrap_or(0),
        structural_virality: virality,
    }
}

#[test]
fn cascade_matches_reach_and_summary_shape() {
    let h = Harness::new();
    tiny_run(&h, "res");
    let text = h.read("res/cascade.csv");
    assert_eq!(text.lines().next(), Some(CASCADE_HEADER));
    let cascade = Csv::parse(&text);
    let ts = Csv::parse(&h.read("res/timeseries.csv"));
    let (reached, max_hops) = (ts.u64s("reached"), ts.u64s("max_hops"));
    let summary: Value = serde_json::from_str(&h.read("res/summary.json")).unwrap();
    let mut per_rep: Vec<Vec<Edge>> = (0..REPLICATES).map(|_| Vec::new()).collect();
    let mut sharers: Vec<Vec<(u64, Option<u64>)>> = (0..REPLICATES).map(|_| Vec::new()).collect();
    let (c_rep, c_user, c_parent, c_hops, c_step, c_chat) = (
        cascade.col("replicate"),
        cascade.col("user"),
        cascade.col("parent"),
        cascade.col("hops"),
        cascade.col("step"),
        cascade.col("chat"),
    );
    let (c_shared, c_source) = (cascade.col("shared"), cascade.col("source_parent"));
    for row in &cascade.rows {
        let rep: usize = row[c_rep].parse().unwrap();
        // Every id column loads as integers (issue 13, data hygiene): a seed's missing
        // parent and chat are -1, not empty.
        let int = |c: usize| -> i64 { row[c].parse().unwrap_or_else(|_| panic!("{row:?}")) };
        let parent = u64::try_from(int(c_parent)).ok();
        // Seeds have neither parent nor chat; everyone else has both.
        assert_eq!(parent.is_none(), int(c_chat) == -1, "{row:?}");
        assert!(int(c_parent) >= -1 && int(c_chat) >= -1, "{row:?}");
        let user: u64 = row[c_user].parse().unwrap();
        assert!(user < USERS);
        per_rep[rep].push(Edge {
            user,
            parent,
            hops: row[c_hops].parse().unwrap(),
            step: row[c_step].parse().unwrap(),
        });
        // A missing source parent (non-sharers, originals) is -1 like a missing parent.
        let source = u64::try_from(int(c_source)).ok();
        match row[c_shared].as_str() {
            "1" => sharers[rep].push((user, source)),
            "0" => assert!(
                source.is_none(),
                "a non-sharer has no source parent: {row:?}"
            ),
            other => panic!("shared is 0 or 1, not {other}"),
        }
    }
    let (mut sv, mut reach_sv) = (Vec::new(), Vec::new());
    for (r, edges) in per_rep.iter().enumerate() {
        let final_reached = reached[(r + 1) * STEPS - 1];
        assert_eq!(edges.len() as u64, final_reached, "replicate {r}");
        let roots: Vec<&Edge> = edges.iter().filter(|e| e.parent.is_none()).collect();
        assert!(
            (1..=2).contains(&roots.len()),
            "seeded in 2 chats: {} roots",
            roots.len()
        );
        assert!(roots.iter().all(|e| e.hops == 0 && e.step == 0));
        // Rows are in reach order: steps never go back, and no copy came through more
        // hops than the time series says were delivered.
        assert!(edges.windows(2).all(|w| w[0].step <= w[1].step));
        let final_hops = max_hops[(r + 1) * STEPS - 1];
        assert!(edges.iter().all(|e| e.hops <= final_hops));

        // The sharers' tree (the literature's cascade) from `shared` and `source_parent`.
        let tree = sharers_in_tree_order(&sharers[r]);
        let got = shape(&tree);
        let run = &summary["runs"][r]["cascade"];
        let ctx = format!("sharers, replicate {r}: {got:?} vs {run}");
        assert_eq!(json_f64(run, &["size"]), tree.len() as f64, "{ctx}");
        assert_eq!(json_f64(run, &["trees"]), got.trees as f64, "{ctx}");
        assert_eq!(json_f64(run, &["depth"]), got.depth as f64, "{ctx}");
        assert_eq!(
            json_f64(run, &["max_breadth"]),
            got.max_breadth as f64,
            "{ctx}"
        );
        assert!(
            close(
                json_f64(run, &["structural_virality"]),
                got.structural_virality
            ),
            "{ctx}"
        );
        sv.push(got.structural_virality);
        // The sharers are the users who posted: a hop-h post is made by a sharer at
        // depth h, so the sharers' depth is the largest hop posted.
        assert_eq!(got.depth as u64, final_hops, "{ctx}");

        let got = shape(edges);
        let run = &summary["runs"][r]["reach_tree"];
        let ctx = format!("replicate {r}: {got:?} vs {run}");
        assert_eq!(json_f64(run, &["size"]), edges.len() as f64, "{ctx}");
        assert_eq!(json_f64(run, &["trees"]), got.trees as f64, "{ctx}");
        assert_eq!(
            json_f64(run, &["largest_tree"]),
            got.largest_tree as f64,
            "{ctx}"
        );
        assert_eq!(json_f64(run, &["depth"]), got.depth as f64, "{ctx}");
        assert_eq!(
            json_f64(run, &["max_breadth"]),
            got.max_breadth as f64,
            "{ctx}"
        );
        assert!(
            close(
                json_f64(run, &["structural_virality"]),
                got.structural_virality
            ),
            "{ctx}"
        );
        reach_sv.push(got.structural_virality);
    }
    let agg = json_f64(&summary, &["aggregate", "structural_virality", "median"]);
    assert!(close(agg, quantile(&sv, 0.5)), "{agg} vs {sv:?}");
    let agg = json_f64(&summary, &["aggregate", "reach_tree_virality", "median"]);
    assert!(
        close(agg, quantile(&reach_sv, 0.5)),
        "{agg} vs {reach_sv:?}"
    );
}

#[test]
fn check_prints_ok_and_memory_estimate() {
    let h = Harness::new();
    h.write("tiny.toml", ScenarioBuilder::tiny("tiny").toml());
    let out = h.cmd().args(["check", "tiny.toml"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("OK"), "{stdout}");
    assert!(stdout.contains("memory"), "{stdout}");
    assert!(
        stdout.contains("KiB") || stdout.contains("MiB"),
        "no size in the memory estimate: {stdout}"
    );
    assert!(!h.join("output").exists(), "check must not write results");
}

#[test]
fn run_help_lists_the_main_flags() {
    let h = Harness::new();
    let out = h.cmd().args(["run", "--help"]).output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in ["--out", "--seed", "--replicates", "--threads", "--quiet"] {
        assert!(help.contains(flag), "run --help lacks {flag}:\n{help}");
    }
}

#[test]
fn default_output_folder_is_output_slash_name() {
    let h = Harness::new();
    h.write(
        "scenarios/some-file.toml",
        ScenarioBuilder::tiny("tiny-default").replicates(1).toml(),
    );
    let out = h
        .cmd()
        .args(["run", "scenarios/some-file.toml", "--quiet"])
        .output()
        .unwrap();
    assert_no_panic(&String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success());
    // Named after the scenario's `name`, relative to the current folder.
    let dir = h.join("output/tiny-default");
    for f in RUN_FILES {
        assert!(dir.join(f).is_file(), "{f} missing in {}", dir.display());
    }
    assert!(!h.join("scenarios/output").exists());
    assert!(String::from_utf8_lossy(&out.stdout).contains("tiny-default"));
}

#[test]
fn overrides_change_seed_and_replicates() {
    let h = Harness::new();
    h.write("tiny.toml", ScenarioBuilder::tiny("tiny").toml());
    h.run_ok("tiny.toml", "res", &["--seed", "7", "--replicates", "2"]);
    let s: Value = serde_json::from_str(&h.read("res/summary.json")).unwrap();
    assert_eq!(s["seed"], 7);
    assert_eq!(s["replicates"], 2);
    assert_eq!(s["scenario"]["simulation"]["seed"], 7);
    assert_eq!(s["scenario"]["simulation"]["replicates"], 2);
    let ts = Csv::parse(&h.read("res/timeseries.csv"));
    assert_eq!(ts.rows.len(), 2 * STEPS);
}

#[test]
fn rerun_replaces_own_results() {
    let h = Harness::new();
    tiny_run(&h, "res");
    assert!(h.join("res/cascade.csv").is_file());
    // A second run into the same folder without --cascade replaces it entirely.
    h.run_ok("tiny.toml", "res", &[]);
    assert!(!h.join("res/cascade.csv").exists());
    assert!(h.join("res/.grapevine").is_file());
}
