//! The report of a comparison (`grapevine compare`): each scenario against the first
//! (the reference) in words, the overlay chart, the figures and their paired
//! differences, the events, what differs between the scenarios, and the reference
//! scenario as resolved.
//!
//! Figures come from `comparison.csv` and `events.csv`, the files the comparison wrote;
//! each scenario's `summary.json` (in its sub-folder) gives its label and settings.

use super::html::{Block, Cell, Document, Paragraph, Section, Span, Table, Value};
use super::source::{CsvTable, SummaryFile};
use super::{figures, settings, words, Context};
use crate::error::ReportError;
use crate::metrics::labels::Label;
use std::path::Path;

/// A row of `comparison.csv` or `events.csv` read back, with its line for tracing.
struct Row<'a> {
    table: &'a CsvTable,
    file: &'static str,
    /// Index in the table's rows (line = index + 2).
    index: usize,
}

impl Row<'_> {
    fn number(&self, column: &str) -> Option<f64> {
        self.table.number(&self.table.rows[self.index], column)
    }

    fn text(&self, column: &str) -> &str {
        self.table
            .get(&self.table.rows[self.index], column)
            .unwrap_or("")
    }

    /// Appends `open`, the traced values of the columns `lo` and `hi` shown with
    /// `show` and joined by `sep`, and `close`, when both columns have a value.
    fn push_range(
        &self,
        p: &mut Paragraph,
        [lo, hi]: [&str; 2],
        [open, sep, close]: [&str; 3],
        show: fn(f64) -> String,
    ) {
        if let (Some(lo), Some(hi)) = (self.value(lo, show), self.value(hi, show)) {
            p.push(open).value(lo).push(sep).value(hi).push(close);
        }
    }

    /// A traced value of a column shown with `show`.
    fn value(&self, column: &str, show: impl Fn(f64) -> String) -> Option<Value> {
        let v = self.number(column)?;
        Some(Value {
            shown: show(v),
            exact: v,
            source: format!("{}:{}:{column}", self.file, self.index + 2),
        })
    }
}

/// The first row of `table` for (scenario, key) in column `key_column`.
fn find<'a>(
    table: &'a CsvTable,
    file: &'static str,
    scenario: &str,
    key_column: &str,
    key: &str,
) -> Option<Row<'a>> {
    let index = table.rows.iter().position(|r| {
        table.get(r, "scenario") == Some(scenario) && table.get(r, key_column) == Some(key)
    })?;
    Some(Row { table, file, index })
}

/// One compared scenario: its name (folder), label and summary.
struct Arm {
    name: String,
    label: String,
    summary: Option<SummaryFile>,
}

/// The report of the comparison folder `dir`.
pub fn document(dir: &Path, ctx: &mut Context) -> Result<Document, ReportError> {
    let figures_csv = CsvTable::read(&dir.join("comparison.csv"))?;
    let events_csv = match dir.join("events.csv") {
        p if p.is_file() => CsvTable::read(&p)?,
        _ => CsvTable::default(),
    };
    for column in [
        "scenario",
        "figure",
        "median",
        "p5",
        "p95",
        "paired_diff_median",
    ] {
        if figures_csv.column(column).is_none() {
            return Err(ReportError::Format {
                path: dir.join("comparison.csv"),
                message: format!(
                    "no column \"{column}\": not a comparison.csv written by grapevine compare"
                ),
            });
        }
    }
    let mut names: Vec<String> = Vec::new();
    for row in &figures_csv.rows {
        let name = figures_csv.get(row, "scenario").unwrap_or("").to_string();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    if names.len() < 2 {
        return Err(ReportError::Format {
            path: dir.join("comparison.csv"),
            message: "fewer than two scenarios".into(),
        });
    }
    let arms: Vec<Arm> = names
        .iter()
        .map(|name| {
            let path = dir.join(name).join("summary.json");
            let summary = SummaryFile::read(&path, format!("{name}/summary.json")).ok();
            Arm {
                name: name.clone(),
                label: summary
                    .as_ref()
                    .map_or_else(|| name.clone(), SummaryFile::scenario_label),
                summary,
            }
        })
        .collect();
    let reference = &arms[0];
    let labels = |figure: &str| -> Label {
        match &reference.summary {
            Some(s) => s.label(figure),
            None => crate::metrics::labels::label(figure, None),
        }
    };
    let fig =
        |arm: &Arm, figure: &str| find(&figures_csv, "comparison.csv", &arm.name, "figure", figure);

    let mut doc = Document {
        title: format!("{} and {} alternatives", reference.label, arms.len() - 1),
        kind: format!("Comparison of {} scenarios", arms.len()),
        description: reference
            .summary
            .as_ref()
            .and_then(|s| s.text("/scenario/description").map(str::to_string)),
        ..Document::default()
    };

    // Summary.
    let replicates: Vec<String> = arms
        .iter()
        .filter_map(|a| fig(a, "final_reach_share").map(|r| r.text("replicates").to_string()))
        .collect();
    let paired = arms
        .iter()
        .skip(1)
        .all(|a| fig(a, "final_reach_share").is_some_and(|r| r.text("paired") == "true"));
    let mut intro = Paragraph::default();
    intro.push(format!(
        "{} scenarios compared with the reference, {}, ",
        arms.len() - 1,
        reference.label
    ));
    let same_reps = replicates.windows(2).all(|w| w[0] == w[1]);
    if same_reps {
        intro.push(format!(
            "each over {} replicates",
            replicates.first().map_or("?", String::as_str)
        ));
    } else {
        intro.push("with different numbers of replicates");
    }
    intro.push(if paired {
        ". Every scenario shares the reference's seed, so replicate r of each starts from the same random numbers and differences are taken replicate by replicate (paired): the ranges of differences below are the 5th to 95th percentiles of those per-replicate differences."
    } else {
        ". Not every scenario shares the reference's seed and replicates: differences are between medians, without a paired range."
    });
    doc.summary.push(Block::Paragraph(intro));
    let mut items = Vec::new();
    let mut biggest: Option<(f64, &Arm)> = None;
    for arm in arms.iter().skip(1) {
        let mut p = Paragraph::default();
        p.0.push(Span::Strong(format!("{}: ", arm.label)));
        let Some(reach) = fig(arm, "final_reach_share") else {
            continue;
        };
        p.push("reached ");
        if let Some(v) = reach.value("median", words::percent) {
            p.value(v);
        }
        p.push(" of users (");
        difference(&mut p, &reach, paired);
        p.push(")");
        if let Some(bel) = fig(arm, "final_believers_share") {
            p.push("; ");
            if let Some(v) = bel.value("median", words::percent) {
                p.value(v);
            }
            p.push(" believed it (");
            difference(&mut p, &bel, paired);
            p.push(")");
        }
        if let Some(d) = reach.number(if paired {
            "paired_diff_median"
        } else {
            "diff_median"
        }) {
            if biggest.is_none_or(|(b, _)| d < b) {
                biggest = Some((d, arm));
            }
        }
        p.push(".");
        items.push(p);
    }
    if let Some(reach) = fig(reference, "final_reach_share") {
        let mut p = Paragraph::default();
        p.push(format!(
            "In the reference, {}, the rumor reached a median ",
            reference.label
        ));
        if let Some(v) = reach.value("median", words::percent) {
            p.value(v);
        }
        p.push(" of users (5\u{2013}95%: ");
        reach.push_range(&mut p, ["p5", "p95"], ["", "\u{2013}", ""], words::percent);
        p.push(").");
        if let Some((d, arm)) = biggest {
            if d < 0.0 {
                p.push(format!(
                    " The largest reduction in reach comes from {}: ",
                    arm.label
                ));
                p.push(words::points(d));
                p.push(".");
            } else {
                p.push(" No alternative reduced the median reach.");
            }
        }
        doc.summary.push(Block::Paragraph(p));
    }
    if !items.is_empty() {
        doc.summary
            .push(Block::Paragraph(Paragraph::text("Against the reference:")));
        doc.summary.push(Block::List(items));
    }
    for p in events_sentences(&arms, &events_csv) {
        doc.summary.push(Block::Paragraph(p));
    }

    // Charts.
    let mut charts = Section::new("over-time", "Spread over time");
    if let Some(f) = figures::chart(
        dir,
        "comparison",
        "Scenarios compared over time",
        "Line chart over time with one line per scenario: the median share of users reached (and, in further panels, believing), each with its 5\u{2013}95% band over the replicates.",
        "Median (line) and 5\u{2013}95% band over the replicates of each scenario.",
        ctx,
    ) {
        charts.blocks.push(f);
    }
    for stem in figures::other_charts(dir, &["comparison"]) {
        if let Some(f) = figures::chart(
            dir,
            &stem,
            &stem.replace(['-', '_'], " "),
            "Chart written by grapevine compare.",
            "",
            ctx,
        ) {
            charts.blocks.push(f);
        }
    }
    doc.sections.push(charts);

    // Figures.
    let mut sec = Section::new("figures", "Figures and differences");
    let main = [
        "final_reach_share",
        "final_believers_share",
        "hours_to_50pct",
        "cascade_depth",
        "structural_virality",
    ];
    // Two figures per table: a median with its range and a difference with its range
    // per figure is as wide as an A4 page takes.
    let main: Vec<String> = main.iter().map(|s| s.to_string()).collect();
    for chunk in main.chunks(2) {
        sec.blocks.push(Block::Table(figures_table(
            &arms,
            chunk,
            &fig,
            &labels,
            paired,
            "Figures at the end of the run: median (5\u{2013}95%) over the replicates, and the difference from the reference",
        )));
    }
    let mut at_figures: Vec<String> = Vec::new();
    for row in &figures_csv.rows {
        if let Some(f) = figures_csv.get(row, "figure") {
            let base = f.split('@').next().unwrap_or("");
            if f.contains('@')
                && matches!(base, "reach_share" | "believers_share")
                && !at_figures.iter().any(|x| x == f)
            {
                at_figures.push(f.to_string());
            }
        }
    }
    if !at_figures.is_empty() {
        for chunk in at_figures.chunks(2) {
            sec.blocks.push(Block::Table(figures_table(
                &arms,
                chunk,
                &fig,
                &labels,
                paired,
                "Reach and belief at the report's times: median (5\u{2013}95%), and the difference from the reference",
            )));
        }
    }
    doc.sections.push(sec);

    if !events_csv.rows.is_empty() {
        let mut sec = Section::new("events", "Events");
        sec.blocks.extend(events_blocks(&arms, &events_csv));
        doc.sections.push(sec);
    }

    // What differs.
    let mut sec = Section::new("differences", "What differs between the scenarios");
    if let Some(r) = &reference.summary {
        let mut rows = Vec::new();
        for arm in arms.iter().skip(1) {
            let Some(s) = &arm.summary else { continue };
            let d = settings::differences(&r.json["scenario"], &s.json["scenario"]);
            if d.is_empty() {
                rows.push(vec![
                    Cell::Text(arm.label.clone()),
                    Cell::Text("(nothing: the same settings)".into()),
                    Cell::Text(String::new()),
                    Cell::Text(String::new()),
                ]);
            }
            for (i, (path, a, b)) in d.into_iter().enumerate() {
                rows.push(vec![
                    Cell::Text(if i == 0 {
                        arm.label.clone()
                    } else {
                        String::new()
                    }),
                    Cell::Code(path),
                    Cell::Text(a),
                    Cell::Text(b),
                ]);
            }
        }
        sec.blocks.push(Block::Table(Table {
            caption: format!(
                "Settings that differ from the reference, {}",
                reference.label
            ),
            columns: vec![
                "Scenario".into(),
                "Setting".into(),
                "Reference".into(),
                "This scenario".into(),
            ],
            rows,
            note: None,
        }));
        let platform_rows: Vec<Vec<Cell>> = arms
            .iter()
            .filter_map(|a| {
                let p = a
                    .summary
                    .as_ref()?
                    .json
                    .pointer("/scenario/platform")?
                    .clone();
                Some(
                    std::iter::once(Cell::Text(a.label.clone()))
                        .chain(
                            [
                                "preset",
                                "forward_limit",
                                "label_hops",
                                "labelled_forward_limit",
                                "forwarded_group_limit",
                                "group_cap",
                            ]
                            .iter()
                            .map(|k| Cell::Number(settings::show(&p[*k]))),
                        )
                        .collect(),
                )
            })
            .collect();
        sec.blocks.push(Block::Table(Table {
            caption: "Platform rules in force in each scenario".into(),
            columns: vec![
                "Scenario".into(),
                "Preset".into(),
                "Forward limit".into(),
                "Label from hop".into(),
                "Labelled forward limit".into(),
                "Forwarded per group".into(),
                "Largest group".into(),
            ],
            rows: platform_rows,
            note: None,
        }));
        // Each scenario's own timeline, under one header: the scenario, then the
        // columns of the timeline table.
        let mut timeline: Option<Table> = None;
        for arm in &arms {
            let Some(s) = &arm.summary else { continue };
            let Some(t) = settings::interventions_table(
                &s.json["scenario"],
                s.start(),
                &super::run::fired(s),
                s.replicates() as usize,
            ) else {
                continue;
            };
            let all = timeline.get_or_insert_with(|| Table {
                caption: "Interventions timeline of each scenario".into(),
                columns: std::iter::once("Scenario".to_string())
                    .chain(t.columns.iter().cloned())
                    .collect(),
                rows: Vec::new(),
                note: None,
            });
            for (i, r) in t.rows.into_iter().enumerate() {
                let name = if i == 0 {
                    arm.label.clone()
                } else {
                    String::new()
                };
                all.rows
                    .push(std::iter::once(Cell::Text(name)).chain(r).collect());
            }
        }
        if let Some(t) = timeline {
            sec.blocks.push(Block::Table(t));
        }
    } else {
        sec.blocks.push(Block::Paragraph(Paragraph::text(format!(
            "The reference's summary.json ({}/summary.json) cannot be read, so the settings cannot be compared.",
            reference.name
        ))));
    }
    doc.sections.push(sec);

    if let Some(r) = &reference.summary {
        doc.sections.push(super::run::scenario_section(
            r,
            "scenario",
            &format!("Reference scenario: {}", reference.label),
        ));
    }
    doc.sections.push(super::limits_section());
    let mut files = super::files_section(dir, ctx);
    files.blocks.push(Block::Paragraph(Paragraph::text(
        "Each scenario's own results (time series, bands, summary and charts) are in its folder:",
    )));
    files.blocks.push(Block::List(
        arms.iter()
            .map(|a| {
                Paragraph(vec![
                    Span::Text(format!("{}: ", a.label)),
                    Span::Link {
                        href: ctx.link(&dir.join(&a.name).join("summary.json")),
                        text: format!("{}/summary.json", a.name),
                    },
                ])
            })
            .collect(),
    ));
    doc.sections.push(files);

    for arm in &arms {
        if let Some(s) = &arm.summary {
            ctx.provenance.push((
                format!("Scenario {} (SHA-256 of its resolved JSON)", arm.name),
                super::scenario_hash(&s.json["scenario"]),
            ));
        }
    }
    ctx.provenance_summary = reference.summary.clone();
    Ok(doc)
}

/// `−9.5 pp against the reference, paired 5–95%: −12 to −6.9 pp`, traced.
fn difference(p: &mut Paragraph, row: &Row<'_>, paired: bool) {
    if paired {
        if let Some(v) = row.value("paired_diff_median", words::points) {
            p.value(v);
        }
        p.push(" against the reference; paired 5\u{2013}95%: ");
        row.push_range(
            p,
            ["paired_diff_p5", "paired_diff_p95"],
            ["", " to ", ""],
            words::points,
        );
    } else if let Some(v) = row.value("diff_median", words::points) {
        p.value(v).push(" against the reference's median");
    }
}

/// A table with one row per scenario and, per figure, its median (5–95%) and the
/// difference from the reference.
fn figures_table<'a>(
    arms: &[Arm],
    figures: &[String],
    fig: &dyn Fn(&Arm, &str) -> Option<Row<'a>>,
    labels: &dyn Fn(&str) -> Label,
    paired: bool,
    caption: &str,
) -> Table {
    let mut columns = vec!["Scenario".to_string()];
    for f in figures {
        let l = labels(f);
        columns.push(l.full());
        columns.push(format!("\u{0394} {}", l.what));
    }
    let rows = arms
        .iter()
        .enumerate()
        .map(|(k, arm)| {
            let mut row = vec![Cell::Text(arm.label.clone())];
            for f in figures {
                let l = labels(f);
                match fig(arm, f) {
                    Some(r) => {
                        let show = |v: f64| words::figure(&l, v);
                        let cell = match (r.value("median", show), r.number("p5"), r.number("p95"))
                        {
                            (Some(m), Some(lo), Some(hi)) => Cell::Value(Value {
                                shown: format!("{} ({}\u{2013}{})", m.shown, show(lo), show(hi)),
                                ..m
                            }),
                            (Some(m), _, _) => Cell::Value(m),
                            _ => Cell::Number("\u{2013}".into()),
                        };
                        row.push(cell);
                        let diff = |v: f64| {
                            if l.scale == 100.0 {
                                words::points(v)
                            } else {
                                let s = words::figure(&l, v);
                                if v > 0.0 {
                                    format!("+{s}")
                                } else {
                                    s
                                }
                            }
                        };
                        let d = if k == 0 {
                            Cell::Number("reference".into())
                        } else if paired {
                            match (
                                r.value("paired_diff_median", diff),
                                r.number("paired_diff_p5"),
                                r.number("paired_diff_p95"),
                            ) {
                                (Some(m), Some(lo), Some(hi)) => Cell::Value(Value {
                                    shown: format!("{} ({} to {})", m.shown, diff(lo), diff(hi)),
                                    ..m
                                }),
                                (Some(m), _, _) => Cell::Value(m),
                                _ => Cell::Number("\u{2013}".into()),
                            }
                        } else {
                            r.value("diff_median", diff)
                                .map_or(Cell::Number("\u{2013}".into()), Cell::Value)
                        };
                        row.push(d);
                    }
                    None => {
                        row.push(Cell::Number("\u{2013}".into()));
                        row.push(Cell::Number("\u{2013}".into()));
                    }
                }
            }
            row
        })
        .collect();
    Table {
        caption: caption.to_string(),
        columns,
        rows,
        note: Some(if paired {
            "\u{0394}: median of the per-replicate differences from the reference, with their 5th to 95th percentiles; shares in percentage points (pp).".into()
        } else {
            "\u{0394}: difference of medians from the reference; shares in percentage points (pp)."
                .into()
        }),
    }
}

/// Events whose probability differs between scenarios get a column each; events that
/// happened in every run of every scenario (or in none) are said in one sentence.
fn events_blocks(arms: &[Arm], events: &CsvTable) -> Vec<Block> {
    let mut names: Vec<(String, String)> = Vec::new();
    for row in &events.rows {
        let (Some(e), Some(l)) = (events.get(row, "event"), events.get(row, "label")) else {
            continue;
        };
        if !names.iter().any(|(n, _)| n == e) {
            names.push((e.to_string(), l.to_string()));
        }
    }
    let probabilities = |event: &str| -> Vec<f64> {
        arms.iter()
            .filter_map(|a| {
                find(events, "events.csv", &a.name, "event", event)
                    .and_then(|r| r.number("probability"))
            })
            .collect()
    };
    let (mut always, mut never, mut varying) = (Vec::new(), Vec::new(), Vec::new());
    for (name, label) in &names {
        let ps = probabilities(name);
        if ps.iter().all(|p| *p == 1.0) {
            always.push(label.clone());
        } else if ps.iter().all(|p| *p == 0.0) {
            never.push(label.clone());
        } else {
            varying.push((name.clone(), label.clone()));
        }
    }
    let mut out = Vec::new();
    let mut p = Paragraph::text("Probabilities are the share of runs with the event, with Wilson's 95% interval; differences from the reference are in percentage points with Newcombe's 95% interval.");
    if !always.is_empty() {
        p.push(format!(
            " In every run of every scenario: {}.",
            always.join("; ")
        ));
    }
    if !never.is_empty() {
        p.push(format!(" In no run of any scenario: {}.", never.join("; ")));
    }
    out.push(Block::Paragraph(p));
    if varying.is_empty() {
        return out;
    }
    let mut columns = vec!["Scenario".to_string()];
    for (_, label) in &varying {
        columns.push(label.clone());
    }
    let rows = arms
        .iter()
        .enumerate()
        .map(|(k, arm)| {
            std::iter::once(Cell::Text(arm.label.clone()))
                .chain(varying.iter().map(|(name, _)| {
                    match find(events, "events.csv", &arm.name, "event", name) {
                        Some(r) => match (
                            r.value("probability", words::percent),
                            r.number("lower"),
                            r.number("upper"),
                        ) {
                            (Some(pv), Some(lo), Some(hi)) => {
                                let mut shown = format!(
                                    "{} ({}\u{2013}{})",
                                    pv.shown,
                                    words::percent(lo),
                                    words::percent(hi)
                                );
                                if k > 0 {
                                    if let (Some(d), Some(dl), Some(du)) = (
                                        r.number("diff"),
                                        r.number("diff_lower"),
                                        r.number("diff_upper"),
                                    ) {
                                        shown.push_str(&format!(
                                            "; {} [{}, {}]",
                                            words::points(d),
                                            words::points(dl),
                                            words::points(du)
                                        ));
                                    }
                                }
                                Cell::Value(Value { shown, ..pv })
                            }
                            (Some(pv), _, _) => Cell::Value(pv),
                            _ => Cell::Number("\u{2013}".into()),
                        },
                        None => Cell::Number("\u{2013}".into()),
                    }
                }))
                .collect()
        })
        .collect();
    out.push(Block::Table(Table {
        caption: "Events whose chance differs between scenarios: probability (95% interval); difference from the reference [95% interval]".into(),
        columns,
        rows,
        note: None,
    }));
    out
}

/// The events in words, scenario by scenario: the chance of an outbreak when some runs
/// die out (then medians over all runs hide the spread when it happens), and the
/// chance of press pickup when it is not certain.
fn events_sentences(arms: &[Arm], events: &CsvTable) -> Vec<Paragraph> {
    let probabilities = |e: &str| -> Vec<f64> {
        arms.iter()
            .filter_map(|a| {
                find(events, "events.csv", &a.name, "event", e)
                    .and_then(|r| r.number("probability"))
            })
            .collect()
    };
    let mut out = Vec::new();
    for event in ["outbreak", "press"] {
        let ps = probabilities(event);
        if ps.is_empty() || ps.iter().all(|p| *p == 1.0) {
            continue;
        }
        let label = find(events, "events.csv", &arms[0].name, "event", event)
            .map(|r| r.text("label").to_string())
            .unwrap_or_else(|| event.to_string());
        let mut p = Paragraph::default();
        if event == "outbreak" {
            p.push("Outcomes are all-or-nothing: in some runs the rumor dies out, so a median over all runs understates how far it goes when it spreads. ");
        }
        p.push(format!(
            "Chance of {} by the end of the run: ",
            label.to_lowercase()
        ));
        for (i, arm) in arms.iter().enumerate() {
            let Some(r) = find(events, "events.csv", &arm.name, "event", event) else {
                continue;
            };
            if i > 0 {
                p.push("; ");
            }
            p.push(format!("{} ", arm.label));
            if let Some(v) = r.value("probability", words::percent) {
                p.value(v);
            }
            r.push_range(
                &mut p,
                ["lower", "upper"],
                [" (", "\u{2013}", ")"],
                words::percent,
            );
        }
        p.push(".");
        out.push(p);
    }
    out
}
