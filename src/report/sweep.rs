//! The report of a sweep (`grapevine sweep`): what was varied and how the figures and
//! event chances move with it, in words and charts; the points table, the differences
//! from the reference point, and, for a Morris or Sobol design, the sensitivity ranking.
//!
//! Figures come from `points.csv` and `sensitivity.csv` as the sweep wrote them;
//! `sweep.json` gives the design, parameters and base scenario.

use super::html::{Block, Cell, Document, Paragraph, Section, Span, Table, Value};
use super::source::{read_text, CsvTable};
use super::{figures, settings, words, Context};
use crate::error::ReportError;
use crate::metrics::labels::{label, parameter_words, Label};
use serde_json::Value as Json;
use std::path::Path;

/// Most points shown in the points table (random designs can have thousands; all are
/// in points.csv).
const MAX_POINT_ROWS: usize = 60;

/// Figure labels, with the base scenario's markers naming report times
/// (`believers_share@election-day` is "Believers by Election day").
struct Labels(crate::scenario::report::Report);

impl Labels {
    fn of_base(base: &Json) -> Labels {
        let mut report = crate::scenario::report::Report::default();
        for m in base
            .pointer("/simulation/markers")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let Some(text) = m["label"].as_str() else {
                continue;
            };
            let id = m["id"]
                .as_str()
                .map_or_else(|| crate::scenario::report::slug(text), str::to_string);
            report.times.push(crate::scenario::report::ReportTime {
                id,
                label: text.to_string(),
                hours: 0.0,
                step: 0,
            });
        }
        Labels(report)
    }

    fn of(&self, name: &str) -> Label {
        label(name, Some(&self.0))
    }
}

/// A parameter of the sweep: path and label.
struct Parameter {
    path: String,
    label: String,
    domain: String,
}

/// The report of the sweep folder `dir`.
pub fn document(dir: &Path, ctx: &mut Context) -> Result<Document, ReportError> {
    let sweep_path = dir.join("sweep.json");
    let json: Json =
        serde_json::from_str(&read_text(&sweep_path)?).map_err(|e| ReportError::Format {
            path: sweep_path.clone(),
            message: e.to_string(),
        })?;
    let sweep = json.get("sweep").ok_or_else(|| ReportError::Format {
        path: sweep_path.clone(),
        message: "no \"sweep\": not a sweep.json written by grapevine sweep".into(),
    })?;
    if let Some(shard) = json.get("shard").filter(|s| !s.is_null()) {
        // A shard holds a share of the runs: its figures are not the sweep's.
        return Err(ReportError::Format {
            path: sweep_path.clone(),
            message: format!(
                "this folder is shard {} of {} of a sweep, with only part of its runs: merge the shards (grapevine merge) and report the merged folder",
                shard["index"].as_u64().unwrap_or(0),
                shard["count"].as_u64().unwrap_or(0)
            ),
        });
    }
    let points_path = dir.join("points.csv");
    if !points_path.is_file() {
        return Err(ReportError::Format {
            path: points_path,
            message: "missing: the sweep is not finished (a shard, or stopped); finish it with --resume or merge its shards first".into(),
        });
    }
    let points = CsvTable::read(&points_path)?;
    let sensitivity = match dir.join("sensitivity.csv") {
        p if p.is_file() => Some(CsvTable::read(&p)?),
        _ => None,
    };
    let name = sweep["name"].as_str().unwrap_or("sweep").to_string();
    let design = sweep["design"].as_str().unwrap_or("grid").to_string();
    let params: Vec<Parameter> = sweep["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let path = p["path"].as_str().unwrap_or("?").to_string();
            Parameter {
                label: p["label"]
                    .as_str()
                    .map_or_else(|| parameter_words(&path), str::to_string),
                domain: domain_words(&p["domain"]),
                path,
            }
        })
        .collect();
    let labels = Labels::of_base(&sweep["base"]);
    let runs = json["runs"].as_u64().unwrap_or(0);
    let replicates = sweep["replicates"].as_u64().unwrap_or(0);
    let base_name = sweep
        .pointer("/base/label")
        .or_else(|| sweep.pointer("/base/name"))
        .and_then(Json::as_str)
        .unwrap_or("the base scenario")
        .to_string();

    let kind = match design.as_str() {
        "morris" => "Sensitivity analysis (Morris screening)",
        "sobol" => "Sensitivity analysis (Sobol indices)",
        _ => "Parameter sweep",
    };
    let mut doc = Document {
        title: name.clone(),
        kind: format!(
            "{kind}: {} points, {} runs",
            points.rows.len(),
            words::count(runs as f64)
        ),
        description: sweep["description"].as_str().map(str::to_string),
        ..Document::default()
    };

    let mut intro = Paragraph::default();
    intro.push(format!(
        "{} runs of the scenario \u{201c}{base_name}\u{201d}: {} parameter points with {replicates} replicate{} each, varying {}. ",
        words::count(runs as f64),
        points.rows.len(),
        if replicates == 1 { "" } else { "s" },
        params
            .iter()
            .map(|p| format!("{} ({})", p.label, p.domain))
            .collect::<Vec<_>>()
            .join("; ")
    ));
    let paired = json["run_seeds"]
        .as_str()
        .is_some_and(|s| s.contains("paired"));
    if paired {
        intro.push("Replicate r of every point shares its random numbers (paired), so differences between points are mostly the parameters' doing, not chance.");
    }
    doc.summary.push(Block::Paragraph(intro));
    if let Some(sens) = &sensitivity {
        doc.summary
            .extend(ranking_sentences(sens, &design, &labels));
    } else {
        doc.summary
            .extend(range_sentences(&points, &params, &labels));
    }

    // Charts.
    let mut charts = Section::new("charts", "Charts");
    let mut stems = figures::other_charts(&dir.join("plots"), &[]);
    // The questions sweeps are run for first: reach, belief, then the events.
    let rank = |stem: &str| {
        [
            "tornado-final_reach",
            "tornado-",
            "final_reach_share-vs",
            "final_believers_share-vs",
            "press",
            "outbreak",
            "public",
            "crisis",
            "final_reach_share-given",
            "final_believers_share-given",
        ]
        .iter()
        .position(|p| stem.starts_with(p))
        .unwrap_or(usize::MAX)
    };
    stems.sort_by_key(|s| rank(s));
    for stem in stems {
        let (title, alt) = chart_title(&stem, &params, &labels);
        let caption = if stem.starts_with("tornado-") {
            "Bars: the index of each parameter; whiskers: its bootstrap 95% interval. Longer bars move the figure more."
        } else if POINT_EVENTS
            .iter()
            .chain(&["public"])
            .any(|e| stem.starts_with(&format!("{e}-")) || stem.starts_with(&format!("{e}_")))
        {
            "Share of runs with the event at each value (line) and its Wilson 95% interval (band)."
        } else {
            "Median (line) and 5\u{2013}95% band over the runs at each value."
        };
        if let Some(f) = figures::chart(&dir.join("plots"), &stem, &title, &alt, caption, ctx) {
            charts.blocks.push(f);
        }
    }
    if charts.blocks.is_empty() {
        charts.blocks.push(Block::Paragraph(Paragraph::text(
            "The sweep drew no charts (--no-plots); grapevine plot draws them from runs.csv.",
        )));
    }
    doc.sections.push(charts);

    if let Some(sens) = &sensitivity {
        let mut sec = Section::new("sensitivity", "Sensitivity indices");
        sec.blocks.push(Block::Paragraph(Paragraph::text(if design == "morris" {
            "Morris elementary effects: \u{03bc}* is the mean absolute effect of moving one parameter across its range (in the figure's unit), its 95% interval from bootstrap; \u{03c3} large against \u{03bc}* means the effect depends on the other parameters (interactions or non-linearity). A screening ranks parameters; it does not apportion variance."
        } else {
            "Sobol indices: first-order is the share of the figure's variance due to the parameter alone, total adds its interactions; 95% intervals from bootstrap."
        })));
        sec.blocks.extend(sensitivity_tables(sens, &labels));
        doc.sections.push(sec);
    }

    let mut sec = Section::new("points", "Figures by parameter point");
    // Figures and event chances in separate tables: together they are wider than a
    // printed page.
    for part in [Part::Figures, Part::Events] {
        if let Some(t) = points_table(&points, &params, &labels, part) {
            sec.blocks.push(Block::Table(t));
        }
    }
    if points.column("final_reach_share_diff_median").is_some() {
        for part in [Part::Figures, Part::Events] {
            if let Some(t) = reference_table(&points, &params, sweep, &labels, part) {
                sec.blocks.push(Block::Table(t));
            }
        }
    }
    doc.sections.push(sec);

    let mut sec = Section::new("design", "Design and base scenario");
    sec.blocks.push(Block::Table(Table {
        caption: "Parameters varied".into(),
        columns: vec![
            "Parameter".into(),
            "Name in the scenario file".into(),
            "Values".into(),
        ],
        rows: params
            .iter()
            .map(|p| {
                vec![
                    Cell::Text(p.label.clone()),
                    Cell::Code(p.path.clone()),
                    Cell::Text(p.domain.clone()),
                ]
            })
            .collect(),
        note: None,
    }));
    let mut design_rows = vec![
        vec![Cell::Text("Design".into()), Cell::Text(design.clone())],
        vec![
            Cell::Text("Replicates per point".into()),
            Cell::Number(replicates.to_string()),
        ],
        vec![
            Cell::Text("Seed".into()),
            Cell::Number(settings::show(&sweep["seed"])),
        ],
    ];
    if let Some(r) = sweep.get("reference").filter(|r| !r.is_null()) {
        let shown = match r.as_u64() {
            Some(i) if (i as usize) < points.rows.len() => {
                point_words(&points, i as usize, &params)
            }
            _ => settings::show(r),
        };
        design_rows.push(vec![
            Cell::Text("Reference point".into()),
            Cell::Text(shown),
        ]);
    }
    if let Some(s) = sweep.get("samples").filter(|s| !s.is_null()) {
        design_rows.push(vec![
            Cell::Text("Samples".into()),
            Cell::Number(settings::show(s)),
        ]);
    }
    sec.blocks.push(Block::Table(Table {
        caption: "Sweep design".into(),
        columns: vec!["Item".into(), "Value".into()],
        rows: design_rows,
        note: None,
    }));
    if let Some(base) = sweep.get("base") {
        if let Some(t) = settings::platform_table(base) {
            sec.blocks.push(Block::Table(t));
        }
        sec.blocks.push(Block::Paragraph(Paragraph::text(
            "The base scenario as the sweep file gives it (settings not written take their defaults, listed in the scenario reference); each point changes the parameters above.",
        )));
        sec.blocks.extend(settings::settings_blocks(base));
    }
    doc.sections.push(sec);

    doc.sections.push(super::limits_section());
    doc.sections.push(super::files_section(dir, ctx));
    ctx.provenance.extend([
        ("Sweep".into(), name),
        (
            "Sweep file".into(),
            json.pointer("/origin/sweep_file")
                .and_then(Json::as_str)
                .unwrap_or("")
                .to_string(),
        ),
        (
            "Results written by".into(),
            format!(
                "Grapevine {}",
                json["grapevine_version"].as_str().unwrap_or("?")
            ),
        ),
        ("Seed".into(), settings::show(&sweep["seed"])),
        ("Runs".into(), runs.to_string()),
        (
            "Base scenario (SHA-256 of its JSON in sweep.json)".into(),
            super::scenario_hash(&sweep["base"]),
        ),
    ]);
    Ok(doc)
}

/// A parameter's domain as a reader reads it: `30m, 1h, 2h` or `0.05 to 0.5 (log
/// scale, whole numbers)`.
fn domain_words(d: &Json) -> String {
    match d["kind"].as_str() {
        Some("list") => settings::show(&d["values"]),
        Some("range") => {
            let mut s = format!(
                "{} to {}",
                settings::show(&d["min"]),
                settings::show(&d["max"])
            );
            let mut notes = Vec::new();
            if d["log"].as_bool() == Some(true) {
                notes.push("log scale");
            }
            if d["integer"].as_bool() == Some(true) {
                notes.push("whole numbers");
            }
            if let Some(n) = d["steps"].as_u64() {
                s.push_str(&format!(" in {n} steps"));
            }
            if !notes.is_empty() {
                s.push_str(&format!(" ({})", notes.join(", ")));
            }
            s
        }
        _ => settings::show(d),
    }
}

/// `press-vs-interventions_0__at` -> ("Press pickup against Response time", alt text).
fn chart_title(stem: &str, params: &[Parameter], labels: &Labels) -> (String, String) {
    let param_label = |part: &str| {
        params
            .iter()
            .find(|p| crate::sweep::chart::stem_part(&p.path) == part)
            .map_or_else(|| part.replace('_', " "), |p| p.label.clone())
    };
    if let Some(figure) = stem.strip_prefix("tornado-") {
        let l = figure_label(figure, labels);
        return (
            format!("Sensitivity of {}", l.what.to_lowercase()),
            format!(
                "Bar chart ranking the parameters by their influence on {}, with 95% intervals.",
                l.what.to_lowercase()
            ),
        );
    }
    if let Some((y, x)) = stem.split_once("-vs-") {
        let (x, by) = match x.split_once("-by-") {
            Some((x, b)) => (x, Some(b)),
            None => (x, None),
        };
        let (y, given) = match y.strip_suffix("-given-outbreak") {
            Some(y) => (y, " in runs with an outbreak"),
            None => (y, ""),
        };
        let l = figure_label(y, labels);
        let mut title = format!(
            "{}{given} against {}",
            l.what,
            param_label(x).to_lowercase()
        );
        if let Some(b) = by {
            title.push_str(&format!(", by {}", param_label(b).to_lowercase()));
        }
        let alt = format!("Chart of {}{given} (median and 5-95% band, or probability with 95% interval) for each value of {}.", l.what.to_lowercase(), param_label(x).to_lowercase());
        return (title, alt);
    }
    (
        stem.replace(['-', '_'], " "),
        "Chart written by the sweep.".into(),
    )
}

/// A figure's label from a file-name part (`reach_share_election-day` is
/// `reach_share@election-day` in files).
fn figure_label(part: &str, labels: &Labels) -> Label {
    let l = labels.of(part);
    if l.what.contains('_') || l.what.starts_with(char::is_lowercase) {
        if let Some((base, at)) = part.rsplit_once('_') {
            return labels.of(&format!("{base}@{at}"));
        }
    }
    l
}

/// `(point label, value)` of the points with the lowest and highest value of a column.
fn extremes(points: &CsvTable, column: &str) -> Option<((usize, f64), (usize, f64))> {
    let values: Vec<(usize, f64)> = points
        .rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| points.number(r, column).map(|v| (i, v)))
        .collect();
    let lo = values.iter().copied().min_by(|a, b| a.1.total_cmp(&b.1))?;
    let hi = values.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1))?;
    Some((lo, hi))
}

/// `response time 30m, ...`: the point's parameter values.
fn point_words(points: &CsvTable, row: usize, params: &[Parameter]) -> String {
    if let [p] = params {
        return format!(
            "at {}",
            points.get(&points.rows[row], &p.path).unwrap_or("?")
        );
    }
    params
        .iter()
        .map(|p| {
            format!(
                "{} {}",
                p.label.to_lowercase(),
                points.get(&points.rows[row], &p.path).unwrap_or("?")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A traced cell of row `i` of points.csv: the column `value` shown with `show`, then
/// `range` of the columns `lo` and `hi` when both have a value; a dash when `value`
/// has none.
fn point_cell(
    points: &CsvTable,
    i: usize,
    [value, lo, hi]: [String; 3],
    show: &dyn Fn(f64) -> String,
    range: &dyn Fn(f64, f64) -> String,
) -> Cell {
    let row = &points.rows[i];
    let Some(v) = points.number(row, &value) else {
        return Cell::Number("\u{2013}".into());
    };
    let mut shown = show(v);
    if let (Some(a), Some(b)) = (points.number(row, &lo), points.number(row, &hi)) {
        shown.push_str(&range(a, b));
    }
    Cell::Value(point_value(i, &value, v, shown))
}

/// `v`, shown as `shown`, traced to row `i` and `column` of points.csv.
fn point_value(i: usize, column: &str, v: f64, shown: String) -> Value {
    Value {
        shown,
        exact: v,
        source: format!("points.csv:{}:{column}", i + 2),
    }
}

/// How the main figures and event chances move across the points, in words.
fn range_sentences(points: &CsvTable, params: &[Parameter], labels: &Labels) -> Vec<Block> {
    let mut items = Vec::new();
    let mut candidates: Vec<(String, String)> = vec![
        ("final_reach_share_median".into(), "median reach".into()),
        (
            "final_believers_share_median".into(),
            "median share of believers".into(),
        ),
    ];
    for e in ["outbreak", "public", "press", "crisis"] {
        candidates.push((
            format!("{e}_probability"),
            format!("chance of {}", labels.of(e).what.to_lowercase()),
        ));
    }
    for (column, what) in candidates {
        let Some(((lo_row, lo), (hi_row, hi))) = extremes(points, &column) else {
            continue;
        };
        let mut p = Paragraph::default();
        let show = |v: f64| words::percent(v);
        if (hi - lo).abs() < 1e-12 {
            p.push(format!("The {what} is the same at every point: "));
            p.value(point_value(lo_row, &column, lo, show(lo)));
            p.push(".");
        } else {
            p.push(format!("The {what} ranges from "));
            p.value(point_value(lo_row, &column, lo, show(lo)));
            p.push(format!(" ({}) to ", point_words(points, lo_row, params)));
            p.value(point_value(hi_row, &column, hi, show(hi)));
            p.push(format!(" ({})", point_words(points, hi_row, params)));
            let base = column.trim_end_matches("_probability");
            if column.ends_with("_probability") {
                if let (Some(l), Some(u)) = (
                    points.number(&points.rows[hi_row], &format!("{base}_lower")),
                    points.number(&points.rows[hi_row], &format!("{base}_upper")),
                ) {
                    p.push(format!(
                        ", 95% interval {}\u{2013}{}",
                        words::percent(l).trim_end_matches('%'),
                        words::percent(u)
                    ));
                }
            }
            p.push(".");
        }
        items.push(p);
    }
    vec![Block::List(items)]
}

/// The most influential parameters per figure, in words.
fn ranking_sentences(sens: &CsvTable, design: &str, labels: &Labels) -> Vec<Block> {
    let main = if design == "morris" {
        "mu_star"
    } else {
        "total"
    };
    let mut figures: Vec<String> = Vec::new();
    for r in &sens.rows {
        if let Some(f) = sens.get(r, "figure") {
            if !figures.iter().any(|x| x == f) {
                figures.push(f.to_string());
            }
        }
    }
    let mut items = Vec::new();
    for f in figures {
        let l = labels.of(&f);
        let mut rows: Vec<(usize, f64)> = sens
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                sens.get(r, "figure") == Some(f.as_str()) && sens.get(r, "index") == Some(main)
            })
            .filter_map(|(i, r)| sens.number(r, "estimate").map(|v| (i, v)))
            .collect();
        rows.sort_by(|a, b| b.1.total_cmp(&a.1));
        if rows.is_empty() {
            continue;
        }
        let mut p = Paragraph::default();
        p.push(format!("{}: ", l.what));
        for (k, (i, v)) in rows.iter().take(3).enumerate() {
            if k > 0 {
                p.push(", then ");
            }
            let row = &sens.rows[*i];
            p.0.push(Span::Strong(
                sens.get(row, "label").unwrap_or("?").to_string(),
            ));
            let effect = |x: f64| {
                if l.scale == 100.0 {
                    format!("{:.1} pp", 100.0 * x)
                } else {
                    words::figure(&l, x)
                }
            };
            let shown = if main == "mu_star" {
                effect(*v)
            } else {
                format!("{v:.2}")
            };
            p.push(format!(
                " ({} ",
                if main == "mu_star" {
                    "\u{03bc}*"
                } else {
                    "total index"
                }
            ));
            p.value(Value {
                shown,
                exact: *v,
                source: format!("sensitivity.csv:{}:estimate", i + 2),
            });
            if let (Some(lo), Some(hi)) = (sens.number(row, "lower"), sens.number(row, "upper")) {
                let s = |x: f64| {
                    if main == "mu_star" {
                        effect(x)
                    } else {
                        format!("{x:.2}")
                    }
                };
                p.push(format!(", 95% interval {}\u{2013}{}", s(lo), s(hi)));
            }
            p.push(")");
        }
        p.push(if rows.len() > 3 {
            format!("; {} more in the table below.", rows.len() - 3)
        } else {
            ".".to_string()
        });
        items.push(p);
    }
    vec![
        Block::Paragraph(Paragraph::text(
            "Most influential parameters, figure by figure:",
        )),
        Block::List(items),
    ]
}

/// One table per figure: each parameter's indices with intervals.
fn sensitivity_tables(sens: &CsvTable, labels: &Labels) -> Vec<Block> {
    let mut figures: Vec<String> = Vec::new();
    let mut indices: Vec<String> = Vec::new();
    for r in &sens.rows {
        let (Some(f), Some(i)) = (sens.get(r, "figure"), sens.get(r, "index")) else {
            continue;
        };
        if !figures.iter().any(|x| x == f) {
            figures.push(f.to_string());
        }
        if !indices.iter().any(|x| x == i) {
            indices.push(i.to_string());
        }
    }
    let index_name = |i: &str| match i {
        "mu_star" => "\u{03bc}* (95% interval)".to_string(),
        "mu" => "\u{03bc}".to_string(),
        "sigma" => "\u{03c3}".to_string(),
        "first" => "First-order (95% interval)".to_string(),
        "total" => "Total (95% interval)".to_string(),
        other => other.to_string(),
    };
    figures
        .iter()
        .map(|f| {
            let l = labels.of(f);
            let mut params: Vec<(String, String)> = Vec::new();
            for r in &sens.rows {
                if sens.get(r, "figure") == Some(f.as_str()) {
                    let p = sens.get(r, "parameter").unwrap_or("?").to_string();
                    if !params.iter().any(|(x, _)| *x == p) {
                        params.push((p, sens.get(r, "label").unwrap_or("?").to_string()));
                    }
                }
            }
            let rows = params
                .iter()
                .map(|(p, lab)| {
                    let mut row = vec![Cell::Text(lab.clone()), Cell::Code(p.clone())];
                    for i in &indices {
                        let hit = sens.rows.iter().enumerate().find(|(_, r)| {
                            sens.get(r, "figure") == Some(f.as_str())
                                && sens.get(r, "parameter") == Some(p.as_str())
                                && sens.get(r, "index") == Some(i.as_str())
                        });
                        row.push(match hit {
                            Some((k, r)) => match sens.number(r, "estimate") {
                                Some(v) => {
                                    let mut shown = figures::short(v);
                                    if let (Some(lo), Some(hi)) =
                                        (sens.number(r, "lower"), sens.number(r, "upper"))
                                    {
                                        shown = format!(
                                            "{shown} ({}\u{2013}{})",
                                            figures::short(lo),
                                            figures::short(hi)
                                        );
                                    }
                                    Cell::Value(Value {
                                        shown,
                                        exact: v,
                                        source: format!("sensitivity.csv:{}:estimate", k + 2),
                                    })
                                }
                                None => Cell::Number("\u{2013}".into()),
                            },
                            None => Cell::Number("\u{2013}".into()),
                        });
                    }
                    row
                })
                .collect();
            Block::Table(Table {
                caption: format!("{}: sensitivity indices", l.full()),
                columns: ["Parameter", "Name in the scenario file"]
                    .iter()
                    .map(|s| s.to_string())
                    .chain(indices.iter().map(|i| index_name(i)))
                    .collect(),
                rows,
                note: Some(if l.scale == 100.0 {
                    "Effects of a share are in share units (0.1 = 10 percentage points).".into()
                } else {
                    String::new()
                })
                .filter(|s: &String| !s.is_empty()),
            })
        })
        .collect()
}

/// Columns of the points table: the main figures and events present in points.csv.
const POINT_FIGURES: &[&str] = &[
    "final_reach_share",
    "final_believers_share",
    "hours_to_50pct",
];
const POINT_EVENTS: &[&str] = &["outbreak", "press", "crisis"];

/// One row per point: parameter values, runs, the main figures and event chances.
/// Which columns a points table shows.
#[derive(Clone, Copy, PartialEq)]
enum Part {
    Figures,
    Events,
}

fn points_table(
    points: &CsvTable,
    params: &[Parameter],
    labels: &Labels,
    part: Part,
) -> Option<Table> {
    let figs: Vec<&str> = POINT_FIGURES
        .iter()
        .copied()
        .filter(|f| points.column(&format!("{f}_median")).is_some())
        .collect();
    let evs: Vec<&str> = POINT_EVENTS
        .iter()
        .copied()
        .filter(|e| points.column(&format!("{e}_probability")).is_some())
        .collect();
    // An A4 page takes about eight columns: with many parameters, events then the
    // time to 50% give way (they are in points.csv).
    let (mut figs, mut evs) = (figs, evs);
    match part {
        Part::Figures => evs.clear(),
        Part::Events => figs.clear(),
    }
    while params.len() + 1 + figs.len() + evs.len() > 7 && figs.len() + evs.len() > 1 {
        figs.pop();
        evs.pop();
    }
    if figs.is_empty() && evs.is_empty() {
        return None;
    }
    let mut columns: Vec<String> = params.iter().map(|p| p.label.clone()).collect();
    columns.push("Runs".into());
    columns.extend(figs.iter().map(|f| labels.of(f).full()));
    columns.extend(
        evs.iter()
            .map(|e| format!("{} (95% interval)", labels.of(e).what)),
    );
    let rows = points
        .rows
        .iter()
        .enumerate()
        .take(MAX_POINT_ROWS)
        .map(|(i, r)| {
            let mut row: Vec<Cell> = params
                .iter()
                .map(|p| figures::number_cell(points.get(r, &p.path).unwrap_or("")))
                .map(|c| match c {
                    Cell::Number(s) => Cell::Text(s),
                    c => c,
                })
                .collect();
            row.push(Cell::Number(
                points.get(r, "runs").unwrap_or("").to_string(),
            ));
            for f in &figs {
                let l = labels.of(f);
                let show = |v: f64| words::figure(&l, v);
                row.push(point_cell(
                    points,
                    i,
                    [format!("{f}_median"), format!("{f}_p5"), format!("{f}_p95")],
                    &show,
                    &|lo, hi| format!(" ({}\u{2013}{})", show(lo), show(hi)),
                ));
            }
            for e in &evs {
                row.push(point_cell(
                    points,
                    i,
                    [
                        format!("{e}_probability"),
                        format!("{e}_lower"),
                        format!("{e}_upper"),
                    ],
                    &words::percent,
                    &|lo, hi| {
                        format!(
                            " ({}\u{2013}{})",
                            words::percent(lo).trim_end_matches('%'),
                            words::percent(hi)
                        )
                    },
                ));
            }
            row
        })
        .collect();
    // The first cell heads the row: with several parameters it is the first one.
    Some(Table {
        caption: match part {
            Part::Figures => "Figures by point: median (5\u{2013}95%) over each point's runs",
            Part::Events => "Event chances by point: share of runs, with Wilson's 95% interval",
        }
        .into(),
        columns,
        rows,
        note: (points.rows.len() > MAX_POINT_ROWS).then(|| {
            format!(
                "The first {MAX_POINT_ROWS} of {} points; every point is in points.csv.",
                points.rows.len()
            )
        }),
    })
}

/// Differences of each point from the reference point.
fn reference_table(
    points: &CsvTable,
    params: &[Parameter],
    sweep: &Json,
    labels: &Labels,
    part: Part,
) -> Option<Table> {
    let mut columns: Vec<String> = params.iter().map(|p| p.label.clone()).collect();
    let mut figs: Vec<&str> = POINT_FIGURES
        .iter()
        .copied()
        .filter(|f| points.column(&format!("{f}_diff_median")).is_some())
        .collect();
    let mut evs: Vec<&str> = POINT_EVENTS
        .iter()
        .copied()
        .filter(|e| points.column(&format!("{e}_diff")).is_some())
        .collect();
    match part {
        Part::Figures => evs.clear(),
        Part::Events => figs.clear(),
    }
    while params.len() + figs.len() + evs.len() > 6 && figs.len() + evs.len() > 1 {
        figs.pop();
        evs.pop();
    }
    if figs.is_empty() && evs.is_empty() {
        return None;
    }
    columns.extend(
        figs.iter()
            .map(|f| format!("\u{0394} {}", labels.of(f).what)),
    );
    columns.extend(evs.iter().map(|e| {
        format!(
            "\u{0394} {} chance [95% interval]",
            labels.of(e).what.to_lowercase()
        )
    }));
    let rows = points
        .rows
        .iter()
        .enumerate()
        .take(MAX_POINT_ROWS)
        .map(|(i, r)| {
            let mut row: Vec<Cell> = params
                .iter()
                .map(|p| Cell::Text(points.get(r, &p.path).unwrap_or("").to_string()))
                .collect();
            for f in &figs {
                let l = labels.of(f);
                let show = |v: f64| {
                    if l.scale == 100.0 {
                        words::points(v)
                    } else {
                        words::figure(&l, v)
                    }
                };
                row.push(point_cell(
                    points,
                    i,
                    [
                        format!("{f}_diff_median"),
                        format!("{f}_diff_p5"),
                        format!("{f}_diff_p95"),
                    ],
                    &show,
                    &|lo, hi| format!(" ({} to {})", show(lo), show(hi)),
                ));
            }
            for e in &evs {
                row.push(point_cell(
                    points,
                    i,
                    [
                        format!("{e}_diff"),
                        format!("{e}_diff_lower"),
                        format!("{e}_diff_upper"),
                    ],
                    &words::points,
                    &|lo, hi| format!(" [{}, {}]", words::points(lo), words::points(hi)),
                ));
            }
            row
        })
        .collect();
    // sweep.json names the reference by its point index.
    let reference = match sweep["reference"].as_u64() {
        Some(i) if (i as usize) < points.rows.len() => point_words(points, i as usize, params),
        _ => settings::show(&sweep["reference"]),
    };
    Some(Table {
        caption: match part {
            Part::Figures => format!("Differences from the reference point ({reference}): median (5\u{2013}95%) of the per-replicate differences"),
            Part::Events => format!("Differences in event chances from the reference point ({reference}), with Newcombe's 95% interval"),
        },
        columns,
        rows,
        note: Some("Shares in percentage points (pp).".into()),
    })
}
