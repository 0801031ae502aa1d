//! Analyst reports: one self-contained HTML file per result folder.
//!
//! [`write_report`] reads a folder Grapevine wrote (a run, a comparison, a sweep with
//! or without a sensitivity analysis, a calibration), says in words what the figures
//! show, inlines its charts as SVG and its figures as tables, and writes one HTML file
//! that needs nothing else: no scripts, fonts or images from anywhere, readable offline
//! and printable on A4. Every number in the text keeps, in its markup, the file and key
//! it was read from, so it can be traced and tested.
//!
//! Like the charts, the report is drawn from the files in the folder, never from engine
//! state, so `grapevine report DIR` on a folder written months ago gives the report
//! `run --report` gave then.

mod calibration;
mod comparison;
mod figures;
pub mod html;
mod reference;
mod run;
mod settings;
mod source;
mod svg;
mod sweep;
mod words;

use crate::error::ReportError;
use html::{Block, Cell, Paragraph, Section, Span, Table};
use source::SummaryFile;
use std::path::{Path, PathBuf};

/// The file name of a report inside its result folder.
pub const REPORT_FILE: &str = "report.html";

/// What the report says about how it was made.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The command line that made the report, as typed.
    pub command_line: String,
    /// When the report was made, as shown (`2026-12-01 17:40 UTC`).
    pub generated: String,
}

/// The kinds of result folder a report can be made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FolderKind {
    /// `grapevine run`: `summary.json`.
    Run,
    /// `grapevine compare`: `comparison.csv`.
    Comparison,
    /// `grapevine sweep`: `runs.csv` and `sweep.json` (with `sensitivity.csv` for a
    /// sensitivity design).
    Sweep,
    /// `grapevine calibrate`: `posterior.csv` and `generations.csv`.
    Calibration,
}

/// Which kind of result `dir` holds, from the files in it.
pub fn folder_kind(dir: &Path) -> Result<FolderKind, ReportError> {
    if !dir.is_dir() {
        return Err(ReportError::NotResults {
            path: dir.to_path_buf(),
            message: "no such folder".into(),
        });
    }
    let has = |f: &str| dir.join(f).is_file();
    if has("comparison.csv") {
        Ok(FolderKind::Comparison)
    } else if has("sweep.json") && has("runs.csv") {
        Ok(FolderKind::Sweep)
    } else if has("generations.csv") || has("posterior.csv") {
        Ok(FolderKind::Calibration)
    } else if has("summary.json") {
        Ok(FolderKind::Run)
    } else {
        Err(ReportError::NotResults {
            path: dir.to_path_buf(),
            message: "it holds none of summary.json (a run), comparison.csv (a comparison), runs.csv with sweep.json (a sweep) or generations.csv (a calibration); give the folder grapevine wrote its results to".into(),
        })
    }
}

/// State shared by the builders while a report is made.
#[derive(Debug)]
pub(crate) struct Context {
    options: Options,
    /// Folder the report is written into: links are relative to it.
    report_dir: PathBuf,
    /// Charts inlined so far (their ids must be unique in the page).
    charts: usize,
    /// The run whose scenario and seed the provenance quotes.
    provenance_summary: Option<SummaryFile>,
    /// More provenance rows from the builder (sweep seed, calibration settings).
    provenance: Vec<(String, String)>,
}

impl Context {
    /// The address of `target` relative to the report's folder, for a link.
    fn link(&self, target: &Path) -> String {
        href(&relative(&self.report_dir, target))
    }
}

/// `target` relative to the folder `from` (both made absolute first); `target` itself
/// when they share nothing.
fn relative(from: &Path, target: &Path) -> PathBuf {
    let abs = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let target_abs = match (target.parent(), target.file_name()) {
        (Some(parent), Some(name)) => abs(parent).join(name),
        _ => abs(target),
    };
    let from = abs(from);
    let a: Vec<_> = from.components().collect();
    let b: Vec<_> = target_abs.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return target_abs;
    }
    let mut out = PathBuf::new();
    for _ in common..a.len() {
        out.push("..");
    }
    for c in &b[common..] {
        out.push(c);
    }
    out
}

/// A relative path as a URL path: `/` separators, reserved characters escaped.
fn href(path: &Path) -> String {
    let mut out = String::new();
    for (i, c) in path.components().enumerate() {
        if i > 0 {
            out.push('/');
        }
        for ch in c.as_os_str().to_string_lossy().chars() {
            match ch {
                ' ' => out.push_str("%20"),
                '#' => out.push_str("%23"),
                '?' => out.push_str("%3F"),
                '%' => out.push_str("%25"),
                _ => out.push(ch),
            }
        }
    }
    out
}

/// The HTML of the report of `dir`, with links relative to `report_dir`.
pub fn render_report(
    dir: &Path,
    report_dir: &Path,
    options: &Options,
) -> Result<String, ReportError> {
    let kind = folder_kind(dir)?;
    let mut ctx = Context {
        options: options.clone(),
        report_dir: report_dir.to_path_buf(),
        charts: 0,
        provenance_summary: None,
        provenance: Vec::new(),
    };
    let doc = match kind {
        FolderKind::Run => run::document(dir, &mut ctx)?,
        FolderKind::Comparison => comparison::document(dir, &mut ctx)?,
        FolderKind::Sweep => sweep::document(dir, &mut ctx)?,
        FolderKind::Calibration => calibration::document(dir, &mut ctx)?,
    };
    let provenance = provenance_table(&ctx);
    Ok(html::render(&doc, &provenance))
}

/// Writes the report of `dir` to `out` (default `dir/report.html`) through a temporary
/// file renamed into place, so a reader never opens half a report. Returns the path.
pub fn write_report(
    dir: &Path,
    out: Option<&Path>,
    options: &Options,
) -> Result<PathBuf, ReportError> {
    let out = out.map_or_else(|| dir.join(REPORT_FILE), Path::to_path_buf);
    let report_dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // Problems with where the report goes are write errors ("cannot write the
    // report"), not read errors.
    if !report_dir.is_dir() {
        return Err(ReportError::Write {
            path: out.clone(),
            message: format!("the folder {} does not exist", report_dir.display()),
        });
    }
    if out.is_dir() {
        return Err(ReportError::Write {
            path: out.clone(),
            message: "is a folder; give a file name ending in .html".into(),
        });
    }
    let html = render_report(dir, &report_dir, options)?;
    crate::output::dir::write_atomic(&out, |w| w.write_all(html.as_bytes())).map_err(|e| {
        ReportError::Write {
            path: out.clone(),
            message: e.to_string(),
        }
    })?;
    // A report inside the folder is one of its results: the next results written
    // there replace it rather than keep it beside results it no longer describes.
    let same = |a: &Path, b: &Path| match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if let (true, Some(name)) = (same(&report_dir, dir), out.file_name()) {
        crate::output::dir::record_entry(dir, &name.to_string_lossy()).map_err(|e| {
            ReportError::Write {
                path: out.clone(),
                message: e.to_string(),
            }
        })?;
    }
    Ok(out)
}

/// Provenance: what made the results and the report.
fn provenance_table(ctx: &Context) -> Table {
    let mut rows: Vec<(String, String)> = vec![(
        "Report made by".into(),
        format!(
            "Grapevine {}{}",
            env!("CARGO_PKG_VERSION"),
            option_env!("GRAPEVINE_COMMIT").map_or(String::new(), |c| format!(" (commit {c})"))
        ),
    )];
    rows.push(("Report made on".into(), ctx.options.generated.clone()));
    if !ctx.options.command_line.is_empty() {
        rows.push(("Command line".into(), ctx.options.command_line.clone()));
    }
    if let Some(s) = &ctx.provenance_summary {
        if let Some(v) = s.text("/grapevine_version") {
            rows.push(("Results written by".into(), format!("Grapevine {v}")));
        }
        rows.push((
            "Scenario".into(),
            s.text("/scenario_name").unwrap_or("").to_string(),
        ));
        if let Some(seed) = s.json.get("seed") {
            rows.push(("Seed".into(), seed.to_string()));
        }
        rows.push(("Replicates".into(), s.replicates().to_string()));
        rows.push(("Users".into(), words::count(s.users() as f64)));
        rows.push((
            "Resolved scenario (SHA-256 of its JSON in summary.json)".into(),
            scenario_hash(&s.json["scenario"]),
        ));
    }
    rows.extend(ctx.provenance.iter().cloned());
    Table {
        caption: "How these results and this report were made".into(),
        columns: vec!["Item".into(), "Value".into()],
        rows: rows
            .into_iter()
            .map(|(k, v)| vec![Cell::Text(k), Cell::Code(v)])
            .collect(),
        note: Some("The same scenario and seed give the same results, byte for byte, whatever the number of threads.".into()),
    }
}

/// SHA-256 of a resolved scenario's JSON, keys in sorted order (serde_json's map), so
/// two results made with the same scenario carry the same hash.
pub fn scenario_hash(scenario: &serde_json::Value) -> String {
    use sha2::{Digest, Sha256};
    let text = serde_json::to_string(scenario).unwrap_or_default();
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a reader must say when quoting the numbers.
fn limits_section() -> Section {
    limits(true)
}

/// [`limits_section`]; `replicate_ranges` says the report's ranges are the spread
/// across replicates only (not so for a calibration, whose bands carry the posterior's
/// spread too and say so themselves).
fn limits(replicate_ranges: bool) -> Section {
    let mut s = Section::new("limits", "Limits of the model");
    let ranges = if replicate_ranges {
        "The ranges are the spread across replicates of the same scenario: they show the chance variation of the model, not the uncertainty in its parameters or structure. "
    } else {
        ""
    };
    s.blocks.push(Block::Paragraph(Paragraph(vec![
        Span::Text("These are simulated outcomes of a model, not measurements: ".into()),
        Span::Text("the population, its groups and the behaviour of its users are generated from assumptions, and most behavioural parameters are illustrative or converted from published effect sizes rather than fitted to this case. ".into()),
        Span::Text(ranges.into()),
        Span::Text("Comparisons between scenarios run with the same seed are more reliable than absolute levels. ".into()),
        Span::Text("Quote the numbers as \u{201c}in this scenario, the model gives\u{2026}\u{201d}, and check the assumptions listed in ".into()),
        Span::Code("docs/model.md".into()),
        Span::Text(", section \u{201c}Assumptions\u{201d}, of the Grapevine documentation, and the scenario settings above.".into()),
    ])));
    s
}

/// Links to the result files beside the report.
fn files_section(dir: &Path, ctx: &Context) -> Section {
    let mut s = Section::new("files", "Result files");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            !n.starts_with('.')
                && [".csv", ".json", ".toml"]
                    .iter()
                    .any(|ext| n.ends_with(ext))
        })
        .collect();
    names.sort();
    s.blocks.push(Block::Paragraph(Paragraph::text(
        "The data behind this report, in the folder beside it (CSV files open in a spreadsheet or pandas; every column is described in the Grapevine documentation):",
    )));
    s.blocks.push(Block::List(
        names
            .iter()
            .map(|n| {
                Paragraph(vec![Span::Link {
                    href: ctx.link(&dir.join(n)),
                    text: n.clone(),
                }])
            })
            .collect(),
    ));
    s
}
