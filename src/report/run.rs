//! The report of one scenario run (`grapevine run`): what happened in words, the
//! charts, the figures with their spread, events, camps, figures at report times, and
//! the scenario as resolved.

use super::html::{Block, Cell, Document, Paragraph, Section, Table, Value};
use super::source::SummaryFile;
use super::{figures, settings, words, Context};
use crate::error::ReportError;
use crate::metrics::bands::Band;
use serde_json::Value as Json;
use std::path::Path;

/// Figures of the key-figures table, in order (those absent from the file are skipped).
const KEY_FIGURES: &[&str] = &[
    "final_reach_share",
    "final_reach",
    "final_believers_share",
    "final_believers",
    "final_belief_index",
    "peak_believers",
    "hours_to_10pct",
    "hours_to_50pct",
    "hours_to_90pct",
    "peak_hours",
    "posts",
    "posts_original",
    "posts_forwarded",
    "posts_labelled",
    "share_actions",
    "deliveries",
    "cascade_size",
    "cascade_depth",
    "cascade_max_breadth",
    "structural_virality",
    "reach_tree_depth",
    "reach_tree_virality",
    "final_correction_reached",
    "final_corrected",
    "public_posts",
    "public_reach",
    "hours_to_first_public_post",
    "hours_to_press",
    "hours_to_crisis",
];

/// The report of the run folder `dir`.
pub fn document(dir: &Path, ctx: &mut Context) -> Result<Document, ReportError> {
    let s = SummaryFile::read(&dir.join("summary.json"), "summary.json")?;
    let scenario = &s.json["scenario"];
    let mut doc = Document {
        title: s.scenario_label(),
        kind: format!(
            "Scenario run: {} replicates of {} users",
            words::count(s.replicates() as f64),
            words::count(s.users() as f64)
        ),
        description: scenario
            .get("description")
            .and_then(Json::as_str)
            .map(str::to_string),
        ..Document::default()
    };
    let camps = camp_figures(&s);
    doc.summary = summary(&s, &camps);

    let mut over_time = Section::new("over-time", "Spread over time");
    for (stem, title, alt, caption) in [
        (
            "virality",
            "Share of users reached, believing and spreading",
            "Line chart over time of the share of users reached by the rumor, believing it and spreading it: the median over the replicates with a shaded band from the 5th to the 95th percentile.",
            "Median (line) and 5\u{2013}95% band over the replicates; dashed lines mark the scenario's dates, later seeding waves and interventions.",
        ),
        (
            "spillover",
            "From private chats to public, press and crisis",
            "Two panels over time: the share of users reached in private chats, and public posts in the last hour, each as the mean with a 5\u{2013}95% band; dashed lines mark press pickup and crisis at their median times.",
            "Mean (line) and 5\u{2013}95% band; stage lines sit at the median time among the runs that reached the stage, with the number of such runs.",
        ),
    ] {
        if let Some(f) = figures::chart(dir, stem, title, alt, caption, ctx) {
            over_time.blocks.push(f);
        }
    }
    for stem in figures::other_charts(dir, &["virality", "spillover"]) {
        if let Some(f) = figures::chart(
            dir,
            &stem,
            &stem.replace(['-', '_'], " "),
            "Chart written by Grapevine with this run.",
            "",
            ctx,
        ) {
            over_time.blocks.push(f);
        }
    }
    doc.sections.push(over_time);

    let mut figures = Section::new("figures", "Key figures");
    figures.blocks.push(Block::Table(key_figures(&s)));
    if let Some(t) = at_times(&s) {
        figures.blocks.push(Block::Table(t));
    }
    if camps.len() >= 2 {
        figures.blocks.push(camps_chart(&s, &camps, ctx));
        figures.blocks.push(Block::Table(camps_table(&s, &camps)));
    }
    doc.sections.push(figures);

    if let Some(t) = events(&s) {
        let mut sec = Section::new("events", "Events");
        sec.blocks.push(Block::Paragraph(Paragraph::text(
            "How often each event happened across the replicates, with Wilson's 95% interval for its probability; stages also give when they happened, over the runs that reached them.",
        )));
        sec.blocks.push(Block::Table(t));
        doc.sections.push(sec);
    }

    if let Some(sec) = observation_section(&s) {
        doc.sections.push(sec);
    }

    doc.sections
        .push(scenario_section(&s, "scenario", "Scenario"));
    doc.sections.push(super::limits_section());
    doc.sections.push(super::files_section(dir, ctx));
    ctx.provenance_summary = Some(s);
    Ok(doc)
}

/// The scenario as resolved: platform rules, seeding, interventions, every setting.
pub fn scenario_section(s: &SummaryFile, id: &str, title: &str) -> Section {
    let scenario = &s.json["scenario"];
    let start = s.start();
    let mut sec = Section::new(id, title);
    sec.blocks.push(Block::Paragraph(Paragraph::text(
        "The scenario exactly as the runs used it, every default filled in; durations are written as in scenario files (30m, 6h, 2d).",
    )));
    if let Some(t) = settings::platform_table(scenario) {
        sec.blocks.push(Block::Table(t));
    }
    if let Some(t) = settings::seeds_table(scenario, start) {
        sec.blocks.push(Block::Table(t));
    }
    if let Some(t) =
        settings::interventions_table(scenario, start, &fired(s), s.replicates() as usize)
    {
        sec.blocks.push(Block::Table(t));
    }
    sec.blocks.extend(settings::settings_blocks(scenario));
    sec
}

/// What the observation windows (`[[observe]]`) saw: per window, the chance it saw the
/// rumor at all, when it first did, and what share of the spread it saw; and the
/// chance of a detection by each time asked for.
fn observation_section(s: &SummaryFile) -> Option<Section> {
    let windows = s.json.get("observation")?.as_array()?;
    if windows.is_empty() {
        return None;
    }
    let dash = || Cell::Number("\u{2013}".into());
    // A traced probability with its Wilson interval: `100% (44–100%)`.
    let chance = |pointer: &str| -> Cell {
        match s.traced(&format!("{pointer}/estimate"), words::percent) {
            Some(v) => {
                let lo = s
                    .number(&format!("{pointer}/interval/lower"))
                    .unwrap_or(f64::NAN);
                let hi = s
                    .number(&format!("{pointer}/interval/upper"))
                    .unwrap_or(f64::NAN);
                Cell::Value(Value {
                    shown: format!(
                        "{} ({}\u{2013}{})",
                        v.shown,
                        words::percent(lo),
                        words::percent(hi)
                    ),
                    ..v
                })
            }
            None => dash(),
        }
    };
    // A traced band of a share: `9.7% (9.6–9.9%)`.
    let share = |pointer: &str| -> Cell {
        match (
            s.traced(&format!("{pointer}/median"), words::percent),
            s.number(&format!("{pointer}/p5")),
            s.number(&format!("{pointer}/p95")),
        ) {
            (Some(m), Some(lo), Some(hi)) => Cell::Value(Value {
                shown: format!(
                    "{} ({}\u{2013}{})",
                    m.shown,
                    words::percent(lo),
                    words::percent(hi)
                ),
                ..m
            }),
            _ => dash(),
        }
    };
    let mut items = Vec::new();
    let mut rows = Vec::new();
    let mut by_rows = Vec::new();
    for (w, win) in windows.iter().enumerate() {
        let name = win["window"].as_str().unwrap_or("?").to_string();
        let kind = win["kind"].as_str().unwrap_or("?").to_string();
        let base = format!("/observation/{w}");
        let hits = win
            .pointer("/detected/hits")
            .and_then(Json::as_u64)
            .unwrap_or(0);
        let runs = win
            .pointer("/detected/runs")
            .and_then(Json::as_u64)
            .unwrap_or(0);
        let mut p = Paragraph::default();
        p.0.push(super::html::Span::Strong(format!("{name} ({kind}): ")));
        if hits == 0 {
            p.push(format!(
                "saw nothing in any of the {runs} runs (95% interval for the chance it would: "
            ));
            if let (Some(lo), Some(hi)) = (
                s.traced(&format!("{base}/detected/interval/lower"), words::percent),
                s.traced(&format!("{base}/detected/interval/upper"), words::percent),
            ) {
                p.value(lo).push("\u{2013}").value(hi);
            }
            p.push(").");
        } else {
            p.push("first saw the rumor a median ");
            if let Some(h) = s.traced(
                &format!("{base}/first_detection_band/median"),
                words::duration,
            ) {
                p.value(h);
            }
            p.push(" after the first post");
            if hits < runs {
                p.push(format!(
                    " (in the {hits} of {runs} runs where it saw it at all)"
                ));
            }
            let posts = s.traced(&format!("{base}/posts_share/median"), words::percent);
            let users = s.traced(&format!("{base}/users_share/median"), words::percent);
            if let Some(v) = &posts {
                p.push("; it saw ")
                    .value(v.clone())
                    .push(" of all rumor posts");
            }
            if let Some(v) = users {
                p.push(if posts.is_some() {
                    " and "
                } else {
                    "; it saw "
                });
                p.value(v).push(" of the users the rumor reached");
            }
            p.push(".");
        }
        items.push(p);
        let first = match (
            s.traced(&format!("{base}/first_detection_band/median"), |h| {
                format!("{h:.1} h")
            }),
            s.number(&format!("{base}/first_detection_band/p5")),
            s.number(&format!("{base}/first_detection_band/p95")),
        ) {
            (Some(m), Some(lo), Some(hi)) => Cell::Value(Value {
                shown: format!("{} ({lo:.1}\u{2013}{hi:.1} h)", m.shown),
                ..m
            }),
            _ => dash(),
        };
        rows.push(vec![
            Cell::Text(name.clone()),
            Cell::Text(kind),
            chance(&format!("{base}/detected")),
            first,
            share(&format!("{base}/posts_share")),
            share(&format!("{base}/users_share")),
        ]);
        for (k, by) in win["by"].as_array().into_iter().flatten().enumerate() {
            let hours = by["hours"].as_f64().unwrap_or(f64::NAN);
            let when = match s.start() {
                Some(start) => format!(
                    "{} ({})",
                    words::duration(hours),
                    crate::output::charts::day_label(start.plus_hours(hours), true)
                ),
                None => words::duration(hours),
            };
            let seen = s
                .traced(&format!("{base}/by/{k}/seen/median"), words::count)
                .map_or_else(dash, Cell::Value);
            by_rows.push(vec![
                Cell::Text(name.clone()),
                Cell::Text(when),
                chance(&format!("{base}/by/{k}/probability")),
                seen,
            ]);
        }
    }
    let mut sec = Section::new("observation", "What the observation windows saw");
    sec.blocks.push(Block::Paragraph(Paragraph::text(
        "What the scenario's observation windows ([[observe]]) would have seen: a monitor of public groups, a fact-checkers' tipline, the public layer. Nothing a window does changes the run.",
    )));
    sec.blocks.push(Block::List(items));
    sec.blocks.push(Block::Table(Table {
        caption: "Each window: chance it saw the rumor (95% interval), when it first did (median, 5\u{2013}95%), and the share of posts and of reached users it saw (median, 5\u{2013}95%)".into(),
        columns: vec![
            "Window".into(),
            "Kind".into(),
            "Saw it".into(),
            "First seen after".into(),
            "Share of posts seen".into(),
            "Share of reached users seen".into(),
        ],
        rows,
        note: Some("Times since the first post, over the runs where the window saw the rumor. Every observation is in observations.csv, counts per period in observed.csv.".into()),
    }));
    if !by_rows.is_empty() {
        sec.blocks.push(Block::Table(Table {
            caption: "Detections by time: chance the window had seen the rumor (95% interval), and items seen (median)".into(),
            columns: vec!["Window".into(), "By".into(), "Chance".into(), "Items seen".into()],
            rows: by_rows,
            note: None,
        }));
    }
    Some(sec)
}

/// Per intervention, the hours at which it fired in the runs where it did.
pub fn fired(s: &SummaryFile) -> Vec<Vec<f64>> {
    let mut out: Vec<Vec<f64>> = Vec::new();
    for run in s.json["runs"].as_array().into_iter().flatten() {
        for (i, h) in run["interventions_fired_hours"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            if out.len() <= i {
                out.resize(i + 1, Vec::new());
            }
            if let Some(h) = h.as_f64() {
                out[i].push(h);
            }
        }
    }
    out
}

/// Values of a per-run number over the runs (JSON pointer inside each run) where
/// `keep` holds.
fn per_run(s: &SummaryFile, pointer: &str, keep: impl Fn(&Json) -> bool) -> Vec<f64> {
    s.json["runs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| keep(r))
        .filter_map(|r| r.pointer(pointer).and_then(Json::as_f64))
        .collect()
}

/// `(hits, runs, estimate, lower, upper)` of an event, traced.
struct EventNumbers {
    hits: u64,
    runs: u64,
    p: Value,
    lower: Value,
    upper: Value,
    median_hours: Option<Value>,
}

fn event_numbers(s: &SummaryFile, name: &str) -> Option<EventNumbers> {
    let (i, e) = s.event(name)?;
    let base = format!("/events/{i}");
    Some(EventNumbers {
        hits: e.pointer("/probability/hits")?.as_u64()?,
        runs: e.pointer("/probability/runs")?.as_u64()?,
        p: s.traced(&format!("{base}/probability/estimate"), words::percent)?,
        lower: s.traced(
            &format!("{base}/probability/interval/lower"),
            words::percent,
        )?,
        upper: s.traced(
            &format!("{base}/probability/interval/upper"),
            words::percent,
        )?,
        median_hours: s.traced(&format!("{base}/when/median/value"), words::duration),
    })
}

/// The summary on top, in plain words.
fn summary(s: &SummaryFile, camps: &[CampFigures]) -> Vec<Block> {
    let mut out = Vec::new();
    let runs = s.replicates();
    let users = s.users();
    let horizon = s.horizon_hours().map_or("run".to_string(), |h| {
        format!("{} horizon", words::duration(h))
    });
    let outbreak = event_numbers(s, "outbreak");
    let threshold = s.report.outbreak.describe();
    let reach = s.aggregate("final_reach_share", "median");
    let mut p = Paragraph::default();
    match &outbreak {
        Some(o) if o.hits == 0 => {
            p.push(format!(
                "The rumor did not take off: in none of the {runs} runs did it reach more than {threshold} of users (95% interval for the chance that it does: "
            ));
            p.value(o.lower.clone())
                .push("\u{2013}")
                .value(o.upper.clone());
            p.push("). In the median run it reached ");
            if let Some(v) = s.aggregate("final_reach", "median") {
                p.value(Value {
                    shown: words::count(v.exact),
                    ..v
                });
            }
            p.push(" users");
            if let Some(r) = reach.clone() {
                p.push(" (").value(r).push(" of the population)");
            }
            p.push(".");
        }
        Some(o) if o.hits < o.runs => {
            p.push(format!("The rumor took off (reached more than {threshold} of users) in {} of {runs} runs (", o.hits));
            p.value(o.p.clone()).push("; 95% interval ");
            p.value(o.lower.clone())
                .push("\u{2013}")
                .value(o.upper.clone());
            p.push("). Outcomes split into runs that die out and runs that spread, so quote the chance together with the spread when it happens: ");
            let took_off =
                |r: &Json| r.pointer("/events/outbreak").and_then(Json::as_f64) == Some(1.0);
            for (name, what) in [
                ("final_reach_share", "reached"),
                ("final_believers_share", "believed it"),
            ] {
                let values = per_run(s, &format!("/{name}"), took_off);
                if values.is_empty() {
                    continue;
                }
                let b = Band::of(values.iter().copied());
                let source = format!("{}:runs[events.outbreak = 1].{name}", s.name);
                if name == "final_reach_share" {
                    p.push("in those runs a median ");
                } else {
                    p.push(" and ");
                }
                p.value(Value {
                    shown: words::percent(b.median),
                    exact: b.median,
                    source: format!("{source} (median)"),
                });
                p.push(format!(" of users {what} (5\u{2013}95%: "));
                p.value(Value {
                    shown: words::percent(b.p5),
                    exact: b.p5,
                    source: format!("{source} (p5)"),
                });
                p.push("\u{2013}");
                p.value(Value {
                    shown: words::percent(b.p95),
                    exact: b.p95,
                    source: format!("{source} (p95)"),
                });
                p.push(")");
            }
            p.push(". Over all runs, including those that died out, the median reach was ");
            if let Some(r) = reach.clone() {
                p.value(r);
            }
            p.push(".");
        }
        _ => {
            p.push("In the median run the rumor reached ");
            if let Some(r) = reach.clone() {
                p.value(r);
            }
            p.push(" of users");
            if let Some(v) = s.aggregate("final_reach", "median") {
                p.push(" (").value(Value {
                    shown: words::count(v.exact),
                    ..v
                });
                p.push(format!(" of {})", words::count(users as f64)));
            }
            p.push(format!(
                " by the end of the {horizon} (5\u{2013}95% of the {runs} runs: "
            ));
            range(&mut p, s, "final_reach_share");
            p.push(")");
            if let Some(h) = s.traced("/aggregate/hours_to_50pct/median", words::duration) {
                p.push("; half of that reach came within ").value(h);
            }
            p.push(". A median ");
            if let Some(b) = s.aggregate("final_believers_share", "median") {
                p.value(Value {
                    shown: words::percent(b.exact),
                    ..b
                });
            }
            p.push(" of users believed it (");
            range(&mut p, s, "final_believers_share");
            p.push(").");
        }
    }
    out.push(p);

    if let Some(p) = camps_sentence(s, camps) {
        out.push(p);
    }
    for t in &s.report.times {
        let mut p = Paragraph::default();
        let when = match s.start() {
            Some(start) => format!(
                "By {} ({})",
                t.label,
                crate::output::charts::day_label(start.plus_hours(t.hours), true)
            ),
            None => format!("By {}", t.label),
        };
        let reach = format!("reach_share@{}", t.id);
        let Some(r) = s.aggregate(&reach, "median") else {
            continue;
        };
        p.push(format!("{when}, a median "));
        p.value(Value {
            shown: words::percent(r.exact),
            ..r
        });
        p.push(" of users had been reached (");
        range(&mut p, s, &reach);
        p.push(")");
        let bel = format!("believers_share@{}", t.id);
        if let Some(b) = s.aggregate(&bel, "median") {
            p.push(" and ").value(Value {
                shown: words::percent(b.exact),
                ..b
            });
            p.push(" believed it (");
            range(&mut p, s, &bel);
            p.push(")");
        }
        p.push(".");
        out.push(p);
    }
    if !s.json["scenario"]["public"].is_null() {
        out.push(stages_sentence(s));
    }
    if let Some(p) = interventions_sentence(s) {
        out.push(p);
    }
    out.into_iter().map(Block::Paragraph).collect()
}

/// `31–44%` from the p5 and p95 of a share figure, each traced.
fn range(p: &mut Paragraph, s: &SummaryFile, figure: &str) {
    if let (Some(lo), Some(hi)) = (s.aggregate(figure, "p5"), s.aggregate(figure, "p95")) {
        p.value(Value {
            shown: words::percent(lo.exact).trim_end_matches('%').to_string(),
            ..lo
        });
        p.push("\u{2013}");
        p.value(Value {
            shown: words::percent(hi.exact),
            ..hi
        });
    }
}

/// A camp's reach and belief: the spread over the runs of each camp's share, read once
/// for the summary, the chart and the table.
struct CampFigures {
    name: String,
    users: f64,
    reach: Band,
    belief: Band,
}

/// Per camp (in the order of `summary.json`), the bands over the runs of the shares of
/// its members reached and believing.
fn camp_figures(s: &SummaryFile) -> Vec<CampFigures> {
    let camps = s
        .json
        .pointer("/runs/0/camps")
        .and_then(Json::as_array)
        .map_or(&[][..], Vec::as_slice);
    camps
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let band = |field: &str| Band::of(per_run(s, &format!("/camps/{k}/{field}"), |_| true));
            CampFigures {
                name: c["camp"].as_str().unwrap_or("?").to_string(),
                users: c["users"].as_f64().unwrap_or(0.0),
                reach: band("final_reach_share"),
                belief: band("final_believers_share"),
            }
        })
        .collect()
}

/// Where belief concentrated, by camp (medians over runs of each camp's share).
fn camps_sentence(s: &SummaryFile, camps: &[CampFigures]) -> Option<Paragraph> {
    if camps.len() < 2 {
        return None;
    }
    let mut medians: Vec<(String, Value)> = camps
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let m = c.belief.median;
            (
                c.name.clone(),
                Value {
                    shown: words::percent(m),
                    exact: m,
                    source: format!(
                        "{}:runs[*].camps[{k}].final_believers_share (median)",
                        s.name
                    ),
                },
            )
        })
        .collect();
    medians.sort_by(|a, b| b.1.exact.total_cmp(&a.1.exact));
    let mut p = Paragraph::default();
    let (top, rest) = medians.split_first()?;
    if rest
        .iter()
        .all(|(_, v)| (v.exact - top.1.exact).abs() < 1e-12)
    {
        p.push("Belief was the same in every camp: a median ");
        p.value(top.1.clone())
            .push(" of each camp's members believed the rumor.");
        return Some(p);
    }
    p.push(format!("Belief was highest in camp {}: a median ", top.0));
    p.value(top.1.clone());
    p.push(" of its members believed the rumor, against ");
    for (i, (name, v)) in rest.iter().enumerate() {
        if i > 0 {
            p.push(if i + 1 == rest.len() { " and " } else { ", " });
        }
        p.value(v.clone()).push(format!(" in {name}"));
    }
    p.push(".");
    Some(p)
}

/// Public post, press pickup and crisis: how often and when.
fn stages_sentence(s: &SummaryFile) -> Paragraph {
    let mut p = Paragraph::default();
    let mut first = true;
    for (name, what) in [
        ("public", "a public post appeared"),
        ("press", "the press picked the story up"),
        ("crisis", "it became a crisis"),
    ] {
        let Some(e) = event_numbers(s, name) else {
            continue;
        };
        p.push(if first { "In public: " } else { "; " });
        first = false;
        if e.hits == 0 {
            p.push(format!(
                "{what} in none of the {} runs (95% interval for the chance: ",
                e.runs
            ));
            p.value(e.lower).push("\u{2013}").value(e.upper).push(")");
            continue;
        }
        p.push(format!("{what} in "));
        p.value(e.p).push(" of runs (95% interval ");
        p.value(e.lower).push("\u{2013}").value(e.upper).push(")");
        if let Some(h) = e.median_hours {
            p.push(", a median ").value(h).push(" after the first post");
            if e.hits < e.runs {
                p.push(format!(" in the {} runs where it did", e.hits));
            }
        }
    }
    if first {
        p.push("The scenario has a public layer, but no stage figures were recorded.");
    } else {
        p.push(".");
    }
    p
}

/// What the interventions did: when they fired.
fn interventions_sentence(s: &SummaryFile) -> Option<Paragraph> {
    let list = s.json["scenario"]["interventions"].as_array()?;
    if list.is_empty() {
        return None;
    }
    let fired = fired(s);
    let runs = s.replicates();
    let mut p = Paragraph::default();
    p.push("Interventions: ");
    for (i, iv) in list.iter().enumerate() {
        if i > 0 {
            p.push("; ");
        }
        let kind = iv["kind"]
            .as_str()
            .unwrap_or("intervention")
            .replace('_', " ");
        let hits = fired.get(i).map_or(0, Vec::len);
        let when = iv["at"]
            .as_str()
            .map(|a| format!("at {a}"))
            .or_else(|| iv["when"].as_str().map(|w| format!("when {w}")))
            .unwrap_or_default();
        let fired_text = match hits as u64 {
            0 => format!("never fired in {runs} runs"),
            h if h == runs => "fired in every run".to_string(),
            h => format!("fired in {h} of {runs} runs"),
        };
        p.push(format!("{kind} {when} ({fired_text})"));
    }
    p.push(". The figures above include their effect.");
    Some(p)
}

/// Median and 5–95% range of the key figures.
fn key_figures(s: &SummaryFile) -> Table {
    let rows = KEY_FIGURES
        .iter()
        .filter(|f| s.json["aggregate"].get(**f).is_some())
        .map(|f| {
            let label = s.label(f);
            let cell = |stat| match s.aggregate(f, stat) {
                Some(v) => Cell::Value(v),
                None => Cell::Number("\u{2013}".into()),
            };
            vec![
                Cell::Text(label.what.clone()),
                cell("median"),
                cell("p5"),
                cell("p95"),
                Cell::Code((*f).to_string()),
            ]
        })
        .collect();
    Table {
        caption: format!(
            "Figures at the end of the run: median and 5\u{2013}95% range over {} replicates",
            s.replicates()
        ),
        columns: vec![
            "Figure".into(),
            "Median".into(),
            "5%".into(),
            "95%".into(),
            "Name in summary.json".into(),
        ],
        rows,
        note: Some("Times are hours since the first post; a dash means the figure has no value in any run (for example, time to press pickup when the press never picked it up).".into()),
    }
}

/// Figures at the report's times: one row per figure, one column per time.
fn at_times(s: &SummaryFile) -> Option<Table> {
    let times = &s.report.times;
    if times.is_empty() {
        return None;
    }
    let mut bases: Vec<String> = Vec::new();
    for name in s.json["aggregate"].as_object()?.keys() {
        if let Some((base, _)) = name.split_once('@') {
            if !bases.iter().any(|b| b == base) {
                bases.push(base.to_string());
            }
        }
    }
    let rows = bases
        .iter()
        .map(|base| {
            let label = s.label(base);
            std::iter::once(Cell::Text(label.full()))
                .chain(times.iter().map(|t| {
                    let name = format!("{base}@{}", t.id);
                    match (
                        s.aggregate(&name, "median"),
                        s.number(&format!("/aggregate/{name}/p5")),
                        s.number(&format!("/aggregate/{name}/p95")),
                    ) {
                        (Some(m), Some(lo), Some(hi)) => Cell::Value(Value {
                            shown: format!(
                                "{} ({}\u{2013}{})",
                                m.shown,
                                words::figure(&label, lo),
                                words::figure(&label, hi)
                            ),
                            ..m
                        }),
                        _ => Cell::Number("\u{2013}".into()),
                    }
                }))
                .collect()
        })
        .collect();
    Some(Table {
        caption: "Figures at the report's times: median (5\u{2013}95%) over the replicates".into(),
        columns: std::iter::once("Figure".to_string())
            .chain(times.iter().map(|t| match s.start() {
                Some(start) => format!(
                    "By {} ({})",
                    t.label,
                    crate::output::charts::day_label(start.plus_hours(t.hours), true)
                ),
                None => format!("By {}", t.label),
            }))
            .collect(),
        rows,
        note: None,
    })
}

/// Reach and belief per camp: medians over the runs.
fn camps_table(s: &SummaryFile, camps: &[CampFigures]) -> Table {
    let rows = camps
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let stat = |b: &Band, field: &str| {
                let show = |x: f64| format!("{:.1}%", 100.0 * x);
                Cell::Value(Value {
                    shown: format!("{} ({}\u{2013}{})", show(b.median), show(b.p5), show(b.p95)),
                    exact: b.median,
                    source: format!("{}:runs[*].camps[{k}].{field} (median)", s.name),
                })
            };
            vec![
                Cell::Text(c.name.clone()),
                Cell::Number(words::count(c.users)),
                stat(&c.reach, "final_reach_share"),
                stat(&c.belief, "final_believers_share"),
            ]
        })
        .collect();
    Table {
        caption: "By camp: share of each camp's members reached and believing, median (5\u{2013}95%) over the replicates".into(),
        columns: vec![
            "Camp".into(),
            "Members".into(),
            "Reached".into(),
            "Believers".into(),
        ],
        rows,
        note: None,
    }
}

/// Reach (bar, with its 5–95% whisker) and belief (inner bar) per camp, medians over
/// the runs, drawn here since no file of the run holds it.
fn camps_chart(s: &SummaryFile, camps: &[CampFigures], ctx: &mut Context) -> Block {
    let bars = camps
        .iter()
        .map(|c| crate::plot::Bar {
            label: c.name.clone(),
            value: 100.0 * c.reach.median,
            interval: Some((100.0 * c.reach.p5, 100.0 * c.reach.p95)),
            inner: Some(100.0 * c.belief.median),
        })
        .collect();
    let chart = crate::plot::BarChart {
        title: format!("{}: reach and belief by camp", s.scenario_label()),
        subtitle: Some(format!(
            "median over {} replicates; whiskers: 5-95% of the reach",
            s.replicates()
        )),
        x_label: "Share of the camp's members (%)".into(),
        main_label: "Reached (median, 5-95%)".into(),
        inner_label: Some("Believers (median)".into()),
        bars,
    };
    ctx.charts += 1;
    let title = "Reach and belief by camp";
    let alt = "Horizontal bars, one per camp: the median share of the camp's members reached, with a whisker from the 5th to the 95th percentile, and inside it the median share who believe the rumor.";
    let svg = crate::plot::bar_chart_svg(&chart)
        .and_then(|text| super::svg::prepare(&text, ctx.charts, title, alt));
    match svg {
        Ok(svg) => Block::Figure(super::html::Figure {
            svg,
            title: title.into(),
            alt: alt.into(),
            caption: "Camps sorted by reach; the numbers are in the table below.".into(),
            files: Vec::new(),
        }),
        Err(why) => Block::Paragraph(Paragraph::text(format!(
            "The chart by camp could not be drawn: {why}."
        ))),
    }
}

/// Every event with its probability, interval and timing.
fn events(s: &SummaryFile) -> Option<Table> {
    let list = s.json.get("events")?.as_array()?;
    if list.is_empty() {
        return None;
    }
    let rows = list
        .iter()
        .filter_map(|e| {
            let name = e["name"].as_str()?;
            let n = event_numbers(s, name)?;
            Some(vec![
                Cell::Text(s.label(name).what),
                Cell::Value(n.p),
                Cell::Value(Value {
                    shown: format!("{}\u{2013}{}", n.lower.shown, n.upper.shown),
                    ..n.lower
                }),
                Cell::Number(format!("{} of {}", n.hits, n.runs)),
                match n.median_hours {
                    Some(h) => Cell::Value(h),
                    None => Cell::Number("\u{2013}".into()),
                },
            ])
        })
        .collect();
    Some(Table {
        caption: "Events: share of runs in which each happened".into(),
        columns: vec![
            "Event".into(),
            "Probability".into(),
            "95% interval".into(),
            "Runs".into(),
            "Median time (runs with the event)".into(),
        ],
        rows,
        note: Some("Wilson score interval; \"by\" events count the runs in which the event had happened by that time.".into()),
    })
}
