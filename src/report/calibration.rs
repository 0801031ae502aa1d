//! The report of a calibration (`grapevine calibrate`): what the data say about each
//! fitted parameter against its prior, how well the calibrated model reproduces the
//! data, the nowcast of what no window saw, the sampler's generations, the data and
//! the scenario as the calibration recorded it.
//!
//! Everything is read from the folder's files: `calibration.json` (settings, priors,
//! merged scenario, data), `result.json` (stop reason and marginals), `nowcast.json`
//! (nowcast, predictive check), `generations.csv`, `predictive.csv` and the charts in
//! `plots/`. A folder whose calibration has not stopped yet (no `result.json`) still
//! gets a report of what it holds, the posterior being then computed from
//! `posterior.csv` when it exists.

use super::html::{Block, Cell, Document, Paragraph, Section, Span, Table, Value};
use super::source::{read_text, CsvTable};
use super::{figures, settings, words, Context};
use crate::calibrate::population::weighted_quantile;
use crate::error::ReportError;
use serde_json::Value as Json;
use std::path::Path;

/// Folder of the charts inside a calibration folder.
const PLOTS: &str = "plots";

/// A JSON file of the folder, read with its name for tracing.
#[derive(Clone, Debug)]
struct JsonFile {
    name: &'static str,
    json: Json,
}

impl JsonFile {
    /// Reads `dir/name`; `None` when the folder has no such file.
    fn read(dir: &Path, name: &'static str) -> Result<Option<JsonFile>, ReportError> {
        let path = dir.join(name);
        if !path.is_file() {
            return Ok(None);
        }
        let json = serde_json::from_str(&read_text(&path)?).map_err(|e| ReportError::Format {
            path: path.clone(),
            message: e.to_string(),
        })?;
        Ok(Some(JsonFile { name, json }))
    }

    fn number(&self, pointer: &str) -> Option<f64> {
        self.json.pointer(pointer).and_then(Json::as_f64)
    }

    fn text(&self, pointer: &str) -> Option<&str> {
        self.json.pointer(pointer).and_then(Json::as_str)
    }

    /// The value at `pointer`, shown with `shown`, traced to `file:dotted.key`.
    fn traced(&self, pointer: &str, shown: impl Fn(f64) -> String) -> Option<Value> {
        let v = self.number(pointer)?;
        Some(Value {
            shown: shown(v),
            exact: v,
            source: format!("{}:{}", self.name, dotted(pointer)),
        })
    }
}

/// A JSON pointer as a dotted key (`/parameters/0/median` → `parameters[0].median`).
fn dotted(pointer: &str) -> String {
    let mut out = String::new();
    for part in pointer.trim_start_matches('/').split('/') {
        if part.parse::<usize>().is_ok() {
            out.push_str(&format!("[{part}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&part.replace("~1", "/").replace("~0", "~"));
        }
    }
    out
}

/// What the calibration says about one fitted parameter.
#[derive(Clone, Debug, PartialEq)]
struct ParameterSummary {
    /// Key path in the scenario (`rumor.appeal`).
    name: String,
    /// `true` for a log-uniform prior.
    log: bool,
    /// Prior range.
    low: f64,
    high: f64,
    /// Posterior median and 90% credible interval, traced.
    median: Value,
    q05: Value,
    q95: Value,
    /// Posterior mean and standard deviation, when the file has them.
    mean: Option<Value>,
    sd: Option<Value>,
}

impl ParameterSummary {
    /// Width of the 90% credible interval as a share of the prior's range, on the
    /// prior's working scale (log for a log-uniform prior): how much the data narrowed
    /// what the prior allowed.
    fn narrowing(&self) -> f64 {
        let f = |x: f64| if self.log { x.log10() } else { x };
        (f(self.q95.exact) - f(self.q05.exact)) / (f(self.high) - f(self.low))
    }

    fn prior_text(&self) -> String {
        format!(
            "{}\u{2013}{}{}",
            param(self.low),
            param(self.high),
            if self.log { ", log-uniform" } else { "" }
        )
    }
}

/// A parameter value for prose and tables: three significant digits.
fn param(v: f64) -> String {
    if !v.is_finite() {
        return "\u{2013}".into();
    }
    if v == 0.0 {
        return "0".into();
    }
    if v.abs() >= 1000.0 {
        return words::count(v.round());
    }
    if v.abs() < 1e-4 {
        return format!("{v:.2e}");
    }
    let digits = (2 - v.abs().log10().floor() as i32).clamp(0, 8) as usize;
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The fitted parameters with their priors (from `calibration.json`) and posterior
/// summaries: from `result.json` when the calibration stopped, else from
/// `posterior.csv` (weighted quantiles, as the sampler computes them), else none.
fn posterior_summary(
    dir: &Path,
    calibration: &JsonFile,
    result: Option<&JsonFile>,
) -> Result<Vec<ParameterSummary>, ReportError> {
    let priors = calibration
        .json
        .pointer("/settings/parameters")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    // Until the calibration stops there is no posterior.csv: the last finished
    // generation is the posterior so far.
    let fallback = match dir.join("posterior.csv") {
        p if p.is_file() => Some(("posterior.csv".to_string(), p)),
        _ => last_generation_file(dir),
    };
    let csv = match &fallback {
        Some((_, path)) => Some(CsvTable::read(path)?),
        None => None,
    };
    let csv_name = fallback.as_ref().map_or("", |(n, _)| n.as_str());
    let mut out = Vec::new();
    for p in &priors {
        let Some(name) = p.get("name").and_then(Json::as_str) else {
            continue;
        };
        let prior = &p["prior"];
        let (Some(low), Some(high)) = (prior["low"].as_f64(), prior["high"].as_f64()) else {
            continue;
        };
        let log = prior["shape"].as_str() == Some("log-uniform");
        let from_result = result.and_then(|r| {
            let k = r
                .json
                .get("parameters")?
                .as_array()?
                .iter()
                .position(|m| m.get("name").and_then(Json::as_str) == Some(name))?;
            let at = |stat: &str| r.traced(&format!("/parameters/{k}/{stat}"), param);
            Some((at("median")?, at("q05")?, at("q95")?, at("mean"), at("sd")))
        });
        let found = from_result.or_else(|| {
            let csv = csv.as_ref()?;
            let (x, w): (Vec<f64>, Vec<f64>) = csv
                .rows
                .iter()
                .filter_map(|r| Some((csv.number(r, name)?, csv.number(r, "weight")?)))
                .unzip();
            if x.is_empty() {
                return None;
            }
            let at = |q: f64, what: &str| {
                let v = weighted_quantile(&x, &w, q);
                Value {
                    shown: param(v),
                    exact: v,
                    source: format!("{csv_name}:{name} (weighted {what})"),
                }
            };
            Some((
                at(0.5, "median"),
                at(0.05, "5%"),
                at(0.95, "95%"),
                None,
                None,
            ))
        });
        let Some((median, q05, q95, mean, sd)) = found else {
            continue;
        };
        out.push(ParameterSummary {
            name: name.to_string(),
            log,
            low,
            high,
            median,
            q05,
            q95,
            mean,
            sd,
        });
    }
    Ok(out)
}

/// The file of the last finished generation (`generations/generation-TTT.csv`, the
/// largest `TTT`), named as the report traces it.
fn last_generation_file(dir: &Path) -> Option<(String, std::path::PathBuf)> {
    std::fs::read_dir(dir.join("generations"))
        .ok()?
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let t: u32 = name
                .strip_prefix("generation-")?
                .strip_suffix(".csv")?
                .parse()
                .ok()?;
            Some((t, name, e.path()))
        })
        .max_by_key(|(t, _, _)| *t)
        .map(|(_, name, path)| (format!("generations/{name}"), path))
}

/// The report of the calibration folder `dir`.
pub fn document(dir: &Path, ctx: &mut Context) -> Result<Document, ReportError> {
    let calibration = JsonFile::read(dir, "calibration.json")?.ok_or_else(|| {
        ReportError::NotResults {
            path: dir.to_path_buf(),
            message: "it has no calibration.json, which every calibration folder holds; give the folder grapevine calibrate wrote to (--out)".into(),
        }
    })?;
    let result = JsonFile::read(dir, "result.json")?;
    let nowcast = JsonFile::read(dir, "nowcast.json")?;
    let generations = match dir.join("generations.csv") {
        p if p.is_file() => Some(CsvTable::read(&p)?),
        _ => None,
    };
    let params = posterior_summary(dir, &calibration, result.as_ref())?;
    let scenario = calibration
        .json
        .pointer("/problem/scenario")
        .cloned()
        .unwrap_or(Json::Null);
    let name = scenario
        .get("label")
        .or_else(|| scenario.get("name"))
        .and_then(Json::as_str)
        .unwrap_or("scenario")
        .to_string();

    let particles = calibration.number("/settings/particles");
    let generation_count = result
        .as_ref()
        .and_then(|r| r.number("/generations"))
        .or_else(|| generations.as_ref().map(|g| g.rows.len() as f64));
    let total_runs = result
        .as_ref()
        .and_then(|r| r.number("/total_runs"))
        .or_else(|| {
            let g = generations.as_ref()?;
            g.number(g.rows.last()?, "total_runs")
        });
    let mut kind = "Calibration (ABC-SMC)".to_string();
    let mut parts = Vec::new();
    if let Some(n) = particles {
        parts.push(format!("{} particles", words::count(n)));
    }
    if let Some(g) = generation_count {
        parts.push(format!(
            "{} generation{}",
            words::count(g),
            if g == 1.0 { "" } else { "s" }
        ));
    }
    if let Some(r) = total_runs {
        parts.push(format!("{} simulations", words::count(r)));
    }
    if !parts.is_empty() {
        kind = format!("{kind}: {}", parts.join(", "));
    }
    if result.is_none() {
        kind.push_str(" (not finished)");
    }

    let mut doc = Document {
        title: name.clone(),
        kind,
        description: scenario
            .get("description")
            .and_then(Json::as_str)
            .map(str::to_string),
        ..Document::default()
    };
    let windows = data_windows(&calibration);
    doc.summary = summary(
        result.as_ref(),
        nowcast.as_ref(),
        &params,
        &windows,
        &scenario,
    )
    .into_iter()
    .map(Block::Paragraph)
    .collect();

    let plots = dir.join(PLOTS);
    let mut known: Vec<String> = Vec::new();

    // The posterior: a table, then each marginal and each pair.
    let mut post = Section::new("posterior", "What the data say about the parameters");
    post.blocks.push(Block::Paragraph(Paragraph::text(
        "Each fitted parameter started from a prior range that the analyst set; the calibration kept the parameter values whose simulated windows came closest to the data. The posterior below is that sample, weighted: its median is a central estimate and its 90% credible interval the range that holds 90% of the posterior weight. An interval nearly as wide as the prior means the data say little about the parameter.",
    )));
    if !params.is_empty() {
        post.blocks.push(Block::Table(posterior_table(&params)));
    }
    for (k, p) in params.iter().enumerate() {
        let stem = format!("marginal-{}", k + 1);
        known.push(stem.clone());
        let scale = if p.log {
            " The horizontal axis is the logarithm (base 10) of the value, as the prior is log-uniform: \u{2212}2 is 0.01, \u{2212}1 is 0.1."
        } else {
            ""
        };
        if let Some(f) = figures::chart(
            &plots,
            &stem,
            &format!("Posterior of {}", p.name),
            &format!(
                "Histogram of the posterior weight of {} over its prior range {}, with markers at its 5% quantile {}, median {} and 95% quantile {}.",
                p.name,
                p.prior_text(),
                p.q05.shown,
                p.median.shown,
                p.q95.shown
            ),
            &format!(
                "Weighted histogram of the final generation over the prior range (30 bins); the markers are the 5%, 50% and 95% posterior quantiles (here {}, {} and {}). A flat histogram would mean the data do not inform the parameter.{scale}",
                p.q05.shown, p.median.shown, p.q95.shown
            ),
            ctx,
        ) {
            post.blocks.push(f);
        }
    }
    for i in 0..params.len() {
        for j in i + 1..params.len() {
            let stem = format!("pair-{}-{}", i + 1, j + 1);
            known.push(stem.clone());
            let (a, b) = (&params[i].name, &params[j].name);
            if let Some(f) = figures::chart(
                &plots,
                &stem,
                &format!("Joint posterior of {a} and {b}"),
                &format!(
                    "Heat map of the posterior weight over a 15 by 15 grid of {a} (horizontal) and {b} (vertical), each over its prior range."
                ),
                "Share of the posterior weight in each cell, in percent. A diagonal ridge means the two parameters trade off: the data fix a combination of them rather than each one.",
                ctx,
            ) {
                post.blocks.push(f);
            }
        }
    }
    doc.sections.push(post);

    // The model against the data.
    let mut fit = Section::new("fit", "The calibrated model against the data");
    fit.blocks.push(Block::Paragraph(Paragraph::text(
        "Simulations at parameter values drawn from the posterior, over the whole horizon, give for each observation window a band of what it would have seen. If the model can reproduce the data, most observed points lie inside the 5\u{2013}95% band.",
    )));
    known.push("predictive".into());
    if let Some(f) = figures::chart(
        &plots,
        "predictive",
        "Posterior predictive of the observation windows",
        &format!(
            "One panel per observation window ({}): the cumulative number of items the window would have seen over time, as the median and 5\u{2013}95% band across posterior draws, with the observed counts drawn over it as a line.",
            windows
                .iter()
                .map(|w| w.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        "Blue: median and 5\u{2013}95% band across simulations at posterior draws (they carry both the posterior's spread and the model's chance variation). Orange: the data (\u{201c}observed\u{201d}). The dashed line marks the last data; beyond it the band is a projection.",
        ctx,
    ) {
        fit.blocks.push(f);
    }
    if let Some(t) = predictive_table(dir, &windows)? {
        fit.blocks.push(Block::Table(t));
    }
    doc.sections.push(fit);

    // The nowcast.
    let mut now = Section::new("nowcast", "Nowcast: what the windows did not see");
    now.blocks.push(Block::Paragraph(Paragraph::text(
        "The same posterior draws give the quantities no window observes: users reached by the rumor, users who read it, believers, and the same per camp. Up to the last observed time this is a nowcast; beyond it, a projection that assumes nothing changes in the model.",
    )));
    known.push("nowcast".into());
    if let Some(f) = figures::chart(
        &plots,
        "nowcast",
        "Nowcast: users reached and believing",
        "Line chart over time of the number of users reached by the rumor and of believers, and in a second panel (with two or more camps) of the users reached in each camp, as the median and 5\u{2013}95% band across posterior draws; a dashed line marks the last observed time.",
        "Median (line) and 5\u{2013}95% band across simulations at posterior draws; the dashed line is the last observed time: to its left the windows constrain the model, to its right it is a projection.",
        ctx,
    ) {
        now.blocks.push(f);
    }
    if let Some(n) = &nowcast {
        if let Some(t) = nowcast_table(n, &scenario) {
            now.blocks.push(Block::Table(t));
        }
    } else {
        now.blocks.push(Block::Paragraph(Paragraph::text(
            "The folder has no nowcast.json: the calibration has not finished, so there is no nowcast yet.",
        )));
    }
    doc.sections.push(now);

    // The sampler.
    let mut sampler = Section::new("sampler", "How the sampler went");
    sampler.blocks.push(Block::Paragraph(sampler_paragraph(
        &calibration,
        result.as_ref(),
    )));
    known.push("generations".into());
    if let Some(f) = figures::chart(
        &plots,
        "generations",
        "Tolerance and acceptance by generation",
        "Two panels against the cumulative number of simulations: the tolerance of each generation (log scale), falling, and its acceptance rate in percent.",
        "Each point is a generation after the prior sample. The tolerance is the largest distance a kept simulation may have; the acceptance rate is particles kept per simulation run, and each halving of the tolerance roughly halves it.",
        ctx,
    ) {
        sampler.blocks.push(f);
    }
    if let Some(g) = &generations {
        sampler.blocks.push(Block::Table(generations_table(g)));
    }
    doc.sections.push(sampler);

    let others = figures::other_charts(
        &plots,
        &known.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    if !others.is_empty() {
        let mut sec = Section::new("other-charts", "Other charts");
        for stem in others {
            if let Some(f) = figures::chart(
                &plots,
                &stem,
                &stem.replace(['-', '_'], " "),
                "Chart written by Grapevine with this calibration.",
                "",
                ctx,
            ) {
                sec.blocks.push(f);
            }
        }
        doc.sections.push(sec);
    }

    doc.sections.push(data_section(&windows, &calibration));
    doc.sections.push(scenario_section(&scenario, &params));
    doc.sections.push(limits_section(result.as_ref()));
    let mut files = super::files_section(dir, ctx);
    let folders: Vec<(&str, &str)> = [
        (PLOTS, "the charts above, as PNG (for documents) and SVG (for editing)"),
        ("generations", "every finished generation's particles (generation-TTT.csv) and the sampler's working files"),
    ]
    .into_iter()
    .filter(|(f, _)| dir.join(f).is_dir())
    .collect();
    if let Some(Block::List(items)) = files.blocks.last_mut() {
        for (folder, what) in folders {
            items.push(Paragraph(vec![
                Span::Link {
                    href: ctx.link(&dir.join(folder)),
                    text: format!("{folder}/"),
                },
                Span::Text(format!(": {what}")),
            ]));
        }
    }
    doc.sections.push(files);
    ctx.provenance = provenance(&calibration, nowcast.as_ref(), &params);
    Ok(doc)
}

/// One observation window's data as `calibration.json` records it.
#[derive(Clone, Debug)]
struct WindowData {
    name: String,
    /// Index in `problem.data`, for tracing.
    index: usize,
    /// `(hours, cumulative count)`.
    points: Vec<(f64, f64)>,
}

fn data_windows(calibration: &JsonFile) -> Vec<WindowData> {
    calibration
        .json
        .pointer("/problem/data")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(index, w)| WindowData {
            name: w["name"].as_str().unwrap_or("?").to_string(),
            index,
            points: w["points"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
                .collect(),
        })
        .collect()
}

/// The calendar time `hours` after the scenario's start, when it has one.
fn calendar(scenario: &Json, hours: f64) -> Option<String> {
    let start = scenario.pointer("/simulation/start")?.as_str()?;
    let start = crate::duration::Timestamp::parse(start).ok()?;
    Some(crate::output::charts::day_label(
        start.plus_hours(hours),
        true,
    ))
}

/// A quantity of the nowcast in words (`reached`, `believers_left`).
fn quantity(name: &str) -> String {
    let (base, camp) = match name.split_once('_') {
        Some((b, c)) => (b, Some(c)),
        None => (name, None),
    };
    let what = match base {
        "reached" => "Users reached",
        "read" => "Users who read it",
        "believers" => "Believers",
        other => other,
    };
    match camp {
        Some(c) => format!("{what}, camp {c}"),
        None => what.to_string(),
    }
}

/// A band of `nowcast.json` at `/at/name`: median, p5, p95 traced.
fn band(n: &JsonFile, at: &str, name: &str) -> Option<(Value, Value, Value)> {
    let key = |stat: &str| {
        n.traced(
            &format!(
                "/{at}/{}/{stat}",
                name.replace('~', "~0").replace('/', "~1")
            ),
            |v| words::count(v.round()),
        )
    };
    Some((key("median")?, key("p5")?, key("p95")?))
}

/// `11,521 (9,277–13,183)` into `p`.
fn push_band(p: &mut Paragraph, (m, lo, hi): (Value, Value, Value)) {
    p.value(m).push(" (5\u{2013}95%: ");
    p.value(lo).push("\u{2013}").value(hi).push(")");
}

/// The summary on top, in plain words.
fn summary(
    result: Option<&JsonFile>,
    nowcast: Option<&JsonFile>,
    params: &[ParameterSummary],
    windows: &[WindowData],
    scenario: &Json,
) -> Vec<Paragraph> {
    let mut out = Vec::new();
    // What was done.
    let mut p = Paragraph::default();
    let names: Vec<&str> = windows.iter().map(|w| w.name.as_str()).collect();
    let points: usize = windows.iter().map(|w| w.points.len()).sum();
    let last = windows
        .iter()
        .filter_map(|w| w.points.last().map(|x| x.0))
        .fold(f64::NAN, f64::max);
    p.push(format!(
        "Grapevine fitted {} parameter{} of this scenario to what {} observation window{} saw",
        params.len(),
        if params.len() == 1 { "" } else { "s" },
        windows.len(),
        if windows.len() == 1 { "" } else { "s" },
    ));
    if !names.is_empty() {
        p.push(format!(" ({}; {points} points)", names.join(", ")));
    }
    if last.is_finite() {
        p.push(format!(" up to {}", hours_text(last, scenario)));
    }
    p.push(", by approximate Bayesian computation: simulating the scenario at many parameter values and keeping those whose windows came closest to the data");
    if let Some(r) = result {
        if let (Some(g), Some(t)) = (
            r.traced("/generations", words::count),
            r.traced("/total_runs", words::count),
        ) {
            p.push(" (").value(g).push(" generations, ").value(t);
            p.push(" simulations)");
        }
        if let Some(reason) = r.text("/stop_reason") {
            p.push(format!(
                ". It stopped because {}",
                reason.trim_end_matches('.')
            ));
        }
        if let Some(e) = r.traced("/epsilon", param) {
            p.push("; the kept simulations lie within a distance of ")
                .value(e)
                .push(" of the data (roughly, that fraction of what each window saw)");
        }
        p.push(".");
    } else {
        p.push(". The calibration has not finished (no result.json yet): the posterior below is its last finished generation, and there is no predictive check or nowcast yet.");
    }
    out.push(p);

    // The posterior.
    if !params.is_empty() {
        let mut p = Paragraph::default();
        p.push("What the data say, as the posterior median and 90% credible interval of each parameter against its prior range: ");
        for (i, s) in params.iter().enumerate() {
            if i > 0 {
                p.push("; ");
            }
            p.0.push(Span::Code(s.name.clone()));
            p.push(": median ").value(s.median.clone());
            p.push(" (90% credible interval ").value(s.q05.clone());
            p.push("\u{2013}").value(s.q95.clone());
            p.push(format!("; prior {})", s.prior_text()));
        }
        p.push(".");
        p.push(narrowing_sentence(params));
        out.push(p);
    }

    // The fit.
    if let Some(n) = nowcast {
        if let (Some(share), Some(points)) = (
            n.traced("/data_inside_predictive_band", words::percent),
            n.number("/observed_points"),
        ) {
            let mut p = Paragraph::default();
            p.push("How well the calibrated model reproduces the data: ");
            p.value(share.clone());
            p.push(format!(
                " of the {} observed points lie inside the 5\u{2013}95% band of simulations at ",
                words::count(points)
            ));
            if let Some(d) = n.traced("/draws", words::count) {
                p.value(d).push(" ");
            }
            p.push("parameter values drawn from the posterior. ");
            p.push(if share.exact >= 0.85 {
                "The model can reproduce what the windows saw."
            } else if share.exact >= 0.5 {
                "The model reproduces only part of what the windows saw: check the predictive chart for where the data leave the band before relying on the nowcast."
            } else {
                "That is far below 90%: the model cannot reproduce the data with any parameters within the priors, so the nowcast below should not be relied on."
            });
            out.push(p);
        }

        // The nowcast at the last observed time and at the horizon.
        for (at, hours_key, lead) in [
            ("at_last_observed", "/last_observed_hours", true),
            ("at_horizon", "/horizon_hours", false),
        ] {
            let Some(reached) = band(n, at, "reached") else {
                continue;
            };
            let mut p = Paragraph::default();
            let hours = n.number(hours_key).unwrap_or(f64::NAN);
            if lead {
                p.push(format!(
                    "Nowcast at the last observed time ({}): the model estimates that a median of ",
                    hours_text(hours, scenario)
                ));
            } else {
                p.push(format!(
                    "Projected to the end of the simulation ({}) with nothing changed in the model: ",
                    hours_text(hours, scenario)
                ));
            }
            push_users(&mut p, n, reached, scenario);
            p.push(" users had been reached");
            if let Some(b) = band(n, at, "believers") {
                p.push(", and ");
                push_band(&mut p, b);
                p.push(" believed the rumor");
            }
            p.push(".");
            let camps = camp_names(n, at);
            if lead && camps.len() > 1 {
                p.push(" By camp, believers: ");
                for (i, c) in camps.iter().enumerate() {
                    if i > 0 {
                        p.push(if i + 1 == camps.len() { " and " } else { ", " });
                    }
                    if let Some((m, lo, hi)) = band(n, at, &format!("believers_{c}")) {
                        p.value(m).push(" (");
                        p.value(lo).push("\u{2013}").value(hi);
                        p.push(format!(") in {c}"));
                    }
                }
                p.push(".");
            }
            out.push(p);
        }
    }

    out.push(Paragraph::text(
        "All of this is conditional on the model and the priors: parameters not fitted keep the scenario's values, the model's assumptions are taken as true, and other prior ranges would give another posterior. The bands hold the uncertainty left in the parameters and the model's chance variation, not the uncertainty in its structure.",
    ));
    out
}

/// How much the data narrowed each parameter's range, in words.
fn narrowing_sentence(params: &[ParameterSummary]) -> String {
    let group = |lo: f64, hi: f64| -> Vec<String> {
        params
            .iter()
            .filter(|s| s.narrowing() > lo && s.narrowing() <= hi)
            .map(|s| s.name.clone())
            .collect()
    };
    let (strong, partly, vague) = (group(f64::MIN, 0.5), group(0.5, 0.8), group(0.8, f64::MAX));
    let mut parts = Vec::new();
    if !strong.is_empty() {
        parts.push(format!(
            "narrow {} to at most half of the prior range",
            join_and(&strong)
        ));
    }
    if !partly.is_empty() {
        parts.push(format!("narrow {} only partly", join_and(&partly)));
    }
    if !vague.is_empty() {
        parts.push(format!(
            "say little about {} (an interval still spanning most of the prior, so the prior more than the data sets it)",
            join_and(&vague)
        ));
    }
    match parts.len() {
        0 => String::new(),
        1 => format!(" The data {}.", parts[0]),
        n => format!(
            " The data {}; they {}.",
            parts[..n - 1].join("; "),
            parts[n - 1]
        ),
    }
}

/// `a`, `a and b`, `a, b and c`.
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// `11,521 (58% of the 20,000 users; 5–95%: ...)`.
fn push_users(p: &mut Paragraph, n: &JsonFile, (m, lo, hi): (Value, Value, Value), scn: &Json) {
    let users = scn.pointer("/population/users").and_then(Json::as_f64);
    let share = users.filter(|u| *u > 0.0).map(|u| Value {
        shown: words::percent(m.exact / u),
        exact: m.exact / u,
        source: format!(
            "{}:{} / calibration.json:problem.scenario.population.users",
            n.name,
            m.source.split_once(':').map_or("", |(_, k)| k)
        ),
    });
    p.value(m);
    if let (Some(s), Some(u)) = (share, users) {
        p.push(" (").value(s);
        p.push(format!(" of the {} users; 5\u{2013}95%: ", words::count(u)));
    } else {
        p.push(" (5\u{2013}95%: ");
    }
    p.value(lo).push("\u{2013}").value(hi).push(")");
}

/// The camps of the nowcast, in file order (from `reached_<camp>` keys).
fn camp_names(n: &JsonFile, at: &str) -> Vec<String> {
    n.json
        .get(at)
        .and_then(Json::as_object)
        .into_iter()
        .flat_map(|m| m.keys())
        .filter_map(|k| k.strip_prefix("reached_").map(str::to_string))
        .collect()
}

/// `48 hours (2018-10-03 08:00)`.
fn hours_text(hours: f64, scenario: &Json) -> String {
    let h = if hours.is_finite() && (hours - hours.round()).abs() < 1e-9 {
        format!("{hours:.0} hours")
    } else {
        words::duration(hours)
    };
    match calendar(scenario, hours) {
        Some(c) => format!("{h} after time zero, {c}"),
        None => format!("{h} after time zero"),
    }
}

/// The posterior per parameter.
fn posterior_table(params: &[ParameterSummary]) -> Table {
    let opt = |v: &Option<Value>| match v {
        Some(v) => Cell::Value(v.clone()),
        None => Cell::Number("\u{2013}".into()),
    };
    Table {
        caption: "Posterior of each fitted parameter: weighted median, 90% credible interval (5% and 95% quantiles), mean and standard deviation, against its prior".into(),
        columns: vec![
            "Parameter".into(),
            "Median".into(),
            "5%".into(),
            "95%".into(),
            "Mean".into(),
            "SD".into(),
            "Prior range".into(),
            "Prior".into(),
            "Interval / prior width".into(),
        ],
        rows: params
            .iter()
            .map(|s| {
                vec![
                    Cell::Code(s.name.clone()),
                    Cell::Value(s.median.clone()),
                    Cell::Value(s.q05.clone()),
                    Cell::Value(s.q95.clone()),
                    opt(&s.mean),
                    opt(&s.sd),
                    Cell::Number(format!("{}\u{2013}{}", param(s.low), param(s.high))),
                    Cell::Text(if s.log { "log-uniform" } else { "uniform" }.into()),
                    Cell::Number(words::percent(s.narrowing())),
                ]
            })
            .collect(),
        note: Some("The last column is the width of the 90% credible interval as a share of the prior's range, on the prior's own scale (the logarithm for a log-uniform prior): near 100% the data say little about the parameter.".into()),
    }
}

/// The predictive band of a window at hours `t`: the last `predictive.csv` row of the
/// window ending at or before `t` (as the calibration compares them), with its line.
fn predicted_at(csv: &CsvTable, window: &str, t: f64) -> Option<(usize, f64, f64, f64)> {
    let (i, r) = csv
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| csv.get(r, "window") == Some(window))
        .filter(|(_, r)| csv.number(r, "hours").is_some_and(|h| h <= t + 1e-9))
        .max_by(|a, b| {
            let h = |r: &[String]| csv.number(r, "hours").unwrap_or(f64::NAN);
            h(a.1).total_cmp(&h(b.1))
        })?;
    Some((
        i + 2,
        csv.number(r, "median")?,
        csv.number(r, "p5")?,
        csv.number(r, "p95")?,
    ))
}

/// Observed points against the predictive band at their time: one row per observed
/// time, two columns per window.
fn predictive_table(dir: &Path, windows: &[WindowData]) -> Result<Option<Table>, ReportError> {
    let path = dir.join("predictive.csv");
    if !path.is_file() || windows.is_empty() {
        return Ok(None);
    }
    let csv = CsvTable::read(&path)?;
    let mut times: Vec<f64> = windows
        .iter()
        .flat_map(|w| w.points.iter().map(|p| p.0))
        .collect();
    times.sort_by(f64::total_cmp);
    times.dedup();
    let mut outside = 0;
    let rows = times
        .iter()
        .map(|&t| {
            let mut row = vec![Cell::Text(format!("{} h", param(t)))];
            for w in windows {
                let Some((k, &(_, c))) = w.points.iter().enumerate().find(|(_, p)| p.0 == t) else {
                    row.push(Cell::Number("\u{2013}".into()));
                    row.push(Cell::Number("\u{2013}".into()));
                    continue;
                };
                // Before the first step ends a window has seen nothing.
                let band = predicted_at(&csv, &w.name, t);
                let (lo, hi) = band.map_or((0.0, 0.0), |b| (b.2, b.3));
                let inside = lo <= c && c <= hi;
                if !inside {
                    outside += 1;
                }
                row.push(Cell::Value(Value {
                    shown: format!("{}{}", words::count(c), if inside { "" } else { " *" }),
                    exact: c,
                    source: format!("calibration.json:problem.data[{}].points[{k}][1]", w.index),
                }));
                row.push(match band {
                    Some((line, m, lo, hi)) => Cell::Value(Value {
                        shown: format!(
                            "{} ({}\u{2013}{})",
                            words::count(m.round()),
                            words::count(lo.round()),
                            words::count(hi.round())
                        ),
                        exact: m,
                        source: format!("predictive.csv:{line}:median"),
                    }),
                    None => Cell::Number("0 (0\u{2013}0)".into()),
                });
            }
            row
        })
        .collect();
    let mut columns = vec!["Time since time zero".to_string()];
    for w in windows {
        columns.push(format!("{}: observed", w.name));
        columns.push(format!("{}: predicted", w.name));
    }
    Ok(Some(Table {
        caption: "Observed against predicted: cumulative items each window saw, and the median (5\u{2013}95%) of simulations at posterior draws at the same time".into(),
        columns,
        rows,
        note: Some(format!(
            "* outside the predicted 5\u{2013}95% band ({outside} point{}). A simulated window is read at the last step ending at or before the observed time, as the calibration compares them; the bands per step are in predictive.csv.",
            if outside == 1 { "" } else { "s" }
        )),
    }))
}

/// The nowcast at the last observed time and at the horizon, per quantity.
fn nowcast_table(n: &JsonFile, scenario: &Json) -> Option<Table> {
    let names: Vec<String> = n
        .json
        .get("at_last_observed")?
        .as_object()?
        .keys()
        .cloned()
        .collect();
    // Overall quantities first, then per camp, as the nowcast computes them.
    let mut ordered: Vec<String> = ["reached", "read", "believers"]
        .iter()
        .filter(|q| names.iter().any(|n| n == *q))
        .map(|q| q.to_string())
        .collect();
    for c in camp_names(n, "at_last_observed") {
        for base in ["reached", "believers"] {
            let q = format!("{base}_{c}");
            if names.contains(&q) {
                ordered.push(q);
            }
        }
    }
    for q in &names {
        if !ordered.contains(q) {
            ordered.push(q.clone());
        }
    }
    let cells = |at: &str, q: &str| match band(n, at, q) {
        Some((m, lo, hi)) => [
            Cell::Value(m),
            Cell::Value(Value {
                shown: format!("{}\u{2013}{}", lo.shown, hi.shown),
                ..lo
            }),
        ],
        None => [
            Cell::Number("\u{2013}".into()),
            Cell::Number("\u{2013}".into()),
        ],
    };
    let last = n.number("/last_observed_hours").unwrap_or(f64::NAN);
    let horizon = n.number("/horizon_hours").unwrap_or(f64::NAN);
    let when = |h: f64| match calendar(scenario, h) {
        Some(c) => format!("{} h ({c})", param(h)),
        None => format!("{} h", param(h)),
    };
    Some(Table {
        caption: format!(
            "Nowcast in users: median and 5\u{2013}95% across {} posterior draws, at the last observed time, {}, and at the end of the simulation, {}",
            n.number("/draws").map_or("the".into(), words::count),
            when(last),
            when(horizon)
        ),
        columns: vec![
            "Quantity".into(),
            format!("At {} h: median", param(last)),
            "5\u{2013}95%".into(),
            format!("At {} h: median", param(horizon)),
            "5\u{2013}95%".into(),
            "Name in nowcast.json".into(),
        ],
        rows: ordered
            .iter()
            .map(|q| {
                let mut row = vec![Cell::Text(quantity(q))];
                row.extend(cells("at_last_observed", q));
                row.extend(cells("at_horizon", q));
                row.push(Cell::Code(q.clone()));
                row
            })
            .collect(),
        note: Some("The per-step bands are in nowcast.csv. Beyond the last observed time nothing constrains the model: the horizon columns are a projection under the scenario as fitted.".into()),
    })
}

/// How the sampler went, in words.
fn sampler_paragraph(calibration: &JsonFile, result: Option<&JsonFile>) -> Paragraph {
    let mut p = Paragraph::default();
    p.push("ABC-SMC: generation 0 draws ");
    if let Some(n) = calibration.traced("/settings/particles", words::count) {
        p.value(n).push(" ");
    }
    p.push("parameter vectors (particles) from the priors and simulates each once; each later generation keeps only simulations within a tolerance set to the ");
    match calibration.number("/settings/alpha") {
        Some(a) if (a - 0.5).abs() < 1e-12 => {
            p.push("median");
        }
        Some(_) => {
            if let Some(a) = calibration.traced("/settings/alpha", words::percent) {
                p.value(a).push(" quantile");
            }
        }
        None => {
            p.push("median");
        }
    }
    p.push(
        " of the previous generation's distances, proposing new particles near the previous ones. ",
    );
    if let Some(r) = result {
        if let Some(ess) = r.traced("/ess", |v| format!("{v:.0}")) {
            p.push("The final generation's effective sample size (how many equally weighted particles its weights are worth) is ")
                .value(ess)
                .push(".");
        }
        if let Some(g) = r.number("/abandoned/generation") {
            p.push(format!(
                " Generation {} was abandoned: it did not fit in what was left of the budget",
                g as u64
            ));
            if let Some(b) = calibration.traced("/budget", words::count) {
                p.push(" of ").value(b).push(" simulations");
            }
            p.push("; ");
            p.0.push(Span::Code("--resume".into()));
            p.push(" with a larger ");
            p.0.push(Span::Code("--budget".into()));
            p.push(" continues it.");
        }
    }
    p
}

/// `generations.csv` with its columns in words.
fn generations_table(g: &CsvTable) -> Table {
    let cols = [
        ("generation", "Generation"),
        ("epsilon", "Tolerance"),
        ("particles", "Particles"),
        ("runs", "Simulations"),
        ("acceptance_rate", "Acceptance rate"),
        ("ess", "ESS"),
        ("total_runs", "Simulations so far"),
    ];
    let present: Vec<(&str, &str)> = cols
        .iter()
        .copied()
        .filter(|(c, _)| g.column(c).is_some())
        .collect();
    Table {
        caption: "Generations of the sampler (generations.csv)".into(),
        columns: present.iter().map(|(_, h)| (*h).to_string()).collect(),
        rows: g
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                present
                    .iter()
                    .map(|(c, _)| {
                        let raw = g.get(r, c).unwrap_or("");
                        let Some(v) = raw.trim().parse::<f64>().ok() else {
                            return figures::number_cell(raw);
                        };
                        let shown = match *c {
                            "epsilon" if v.is_infinite() => "\u{221e} (prior sample)".into(),
                            "acceptance_rate" => words::percent(v),
                            "ess" => format!("{v:.0}"),
                            "epsilon" => param(v),
                            "generation" => format!("{v:.0}"),
                            _ => words::count(v),
                        };
                        Cell::Value(Value {
                            shown,
                            exact: v,
                            source: format!("generations.csv:{}:{c}", i + 2),
                        })
                    })
                    .collect()
            })
            .collect(),
        note: Some("Tolerance: the largest distance between a kept simulation's windows and the data. Acceptance rate: particles kept per simulation. ESS: effective sample size of the generation's weights, 1 / \u{03a3} w\u{00b2}.".into()),
    }
}

/// The data the calibration was fitted to, per window.
fn data_section(windows: &[WindowData], calibration: &JsonFile) -> Section {
    let scenario = calibration
        .json
        .pointer("/problem/scenario")
        .cloned()
        .unwrap_or(Json::Null);
    let mut sec = Section::new("data", "The data");
    let mut p = Paragraph::text("The observed counts, as the calibration read them (cumulative items each window saw since time zero); ");
    if let Some(d) = calibration.text("/problem/distance") {
        p.push("the distance between a simulation and these data is ");
        p.0.push(Span::Code(d.to_string()));
        p.push(".");
    } else {
        p.push("they are recorded in calibration.json.");
    }
    sec.blocks.push(Block::Paragraph(p));
    let observe = scenario.get("observe").and_then(Json::as_array);
    sec.blocks.push(Block::Table(Table {
        caption: "Observation windows with data".into(),
        columns: vec![
            "Window".into(),
            "Kind".into(),
            "Points".into(),
            "First time".into(),
            "Last time".into(),
            "Items seen by the last time".into(),
        ],
        rows: windows
            .iter()
            .map(|w| {
                let kind = observe
                    .and_then(|o| {
                        o.iter().find(|x| {
                            x.get("name").and_then(Json::as_str) == Some(w.name.as_str())
                                || x.get("kind").and_then(Json::as_str) == Some(w.name.as_str())
                        })
                    })
                    .and_then(|x| x.get("kind").and_then(Json::as_str))
                    .unwrap_or("")
                    .to_string();
                let when = |h: Option<f64>| match h {
                    Some(h) => match calendar(&scenario, h) {
                        Some(c) => format!("{h:.0} h ({c})"),
                        None => format!("{h:.0} h"),
                    },
                    None => "\u{2013}".into(),
                };
                let last = w.points.last();
                vec![
                    Cell::Text(w.name.clone()),
                    Cell::Text(kind),
                    Cell::Number(w.points.len().to_string()),
                    Cell::Number(when(w.points.first().map(|x| x.0))),
                    Cell::Number(when(last.map(|x| x.0))),
                    match last {
                        Some(&(_, c)) => Cell::Value(Value {
                            shown: words::count(c),
                            exact: c,
                            source: format!(
                                "calibration.json:problem.data[{}].points[{}][1]",
                                w.index,
                                w.points.len() - 1
                            ),
                        }),
                        None => Cell::Number("\u{2013}".into()),
                    },
                ]
            })
            .collect(),
        note: Some("Each observed point is compared with the posterior predictive in the section on the fit above.".into()),
    }));
    sec
}

/// The scenario as the calibration recorded it (merged with what it extends, not
/// resolved: settings it leaves out take Grapevine's defaults).
fn scenario_section(scenario: &Json, params: &[ParameterSummary]) -> Section {
    let mut sec = Section::new("scenario", "Scenario");
    let mut p = Paragraph::text(
        "The scenario as calibration.json records it: the scenario file merged with the files it extends. Settings it does not list take Grapevine's defaults. ",
    );
    if !params.is_empty() {
        p.push("The fitted parameters (");
        for (i, s) in params.iter().enumerate() {
            if i > 0 {
                p.push(", ");
            }
            p.0.push(Span::Code(s.name.clone()));
        }
        p.push(") were replaced by values drawn from their priors: the values below are the analyst's starting values, each followed by its posterior.");
    }
    sec.blocks.push(Block::Paragraph(p));
    if scenario.is_null() {
        sec.blocks.push(Block::Paragraph(Paragraph::text(
            "calibration.json records no scenario.",
        )));
        return sec;
    }
    if let Some(t) = observe_table(scenario, params) {
        sec.blocks.push(Block::Table(t));
    }
    if let Some(t) = settings::platform_table(scenario) {
        sec.blocks.push(Block::Table(t));
    }
    let start = scenario
        .pointer("/simulation/start")
        .and_then(Json::as_str)
        .and_then(|s| crate::duration::Timestamp::parse(s).ok());
    if let Some(t) = settings::seeds_table(scenario, start) {
        sec.blocks.push(Block::Table(t));
    }
    let mut blocks = settings::settings_blocks(scenario);
    mark_fitted(&mut blocks, params);
    sec.blocks.extend(blocks);
    sec
}

/// In setting tables, the value of a fitted parameter followed by its posterior, so a
/// reader does not take the starting value for the result.
fn mark_fitted(blocks: &mut [Block], params: &[ParameterSummary]) {
    for b in blocks {
        let Block::Table(t) = b else { continue };
        for row in &mut t.rows {
            // The setting's name is the row's code cell (settings tables start with it).
            let Some(Cell::Code(path)) = row.iter().find(|c| matches!(c, Cell::Code(_))) else {
                continue;
            };
            let Some(s) = params.iter().find(|s| &s.name == path) else {
                continue;
            };
            if let Some(Cell::Text(v)) = row.get_mut(1) {
                *v = format!(
                    "{v} (fitted: posterior median {}, 90% interval {}\u{2013}{})",
                    s.median.shown, s.q05.shown, s.q95.shown
                );
            }
        }
    }
}

/// The scenario's observation windows (`[[observe]]`) as written.
fn observe_table(scenario: &Json, params: &[ParameterSummary]) -> Option<Table> {
    let list = scenario.get("observe")?.as_array()?;
    if list.is_empty() {
        return None;
    }
    Some(Table {
        caption: "Observation windows ([[observe]]): what each window counts".into(),
        columns: vec!["Window".into(), "Settings".into()],
        rows: list
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let name = w
                    .get("name")
                    .or_else(|| w.get("kind"))
                    .and_then(Json::as_str)
                    .unwrap_or("?");
                let rest: serde_json::Map<String, Json> = w
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter(|(k, _)| *k != "name" && (*k != "kind" || w.get("name").is_some()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                let mut text = settings::show(&Json::Object(rest));
                let prefix = format!("observe[{i}].");
                for s in params {
                    if let Some(key) = s.name.strip_prefix(&prefix) {
                        text.push_str(&format!(
                            "; {} fitted: posterior median {}, 90% interval {}\u{2013}{}",
                            key.replace('_', " "),
                            s.median.shown,
                            s.q05.shown,
                            s.q95.shown
                        ));
                    }
                }
                vec![
                    Cell::Text(format!("{name} (observe[{i}])")),
                    Cell::Text(text),
                ]
            })
            .collect(),
        note: None,
    })
}

/// Limits of a calibration, then the model's.
fn limits_section(result: Option<&JsonFile>) -> Section {
    // Here the bands also hold the posterior's spread, which the paragraph below says.
    let mut s = super::limits(false);
    let mut p = Paragraph::text("For a calibration in particular: the posterior is the model's. Parameters not fitted are taken as known and the model's assumptions are not questioned by the data; a poor predictive check says the model cannot reproduce the data, not which assumption is wrong. ABC's posterior is that of \u{201c}the simulated windows are within the tolerance of the data\u{201d}");
    if let Some(e) = result.and_then(|r| r.traced("/epsilon", param)) {
        p.push(" (here ").value(e).push(")");
    }
    p.push(", wider than the exact posterior. The bands of the predictive and the nowcast hold both the posterior's spread and the model's chance variation, not the uncertainty in the model's structure. The windows are models too: a real monitor's choice of groups or a tipline's reporting is only as right as the scenario's [[observe]] entries. Each parameter vector was simulated once on one drawn population, so the data's own randomness limits what can be identified. See ");
    p.0.push(Span::Code("docs/calibration.md".into()));
    p.push(", section \u{201c}Limits\u{201d}.");
    s.blocks.insert(0, Block::Paragraph(p));
    s
}

/// Provenance rows: the calibration's settings.
fn provenance(
    calibration: &JsonFile,
    nowcast: Option<&JsonFile>,
    params: &[ParameterSummary],
) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    let c = &calibration.json;
    if let Some(v) = calibration.text("/grapevine_version") {
        rows.push(("Calibration started by".into(), format!("Grapevine {v}")));
    }
    if let Some(n) = calibration.text("/problem/scenario/name") {
        rows.push(("Scenario".into(), n.to_string()));
    }
    let num = |k: &str| c.pointer(k).map(|v| v.to_string());
    for (label, key) in [
        ("Seed", "/settings/seed"),
        ("Particles per generation", "/settings/particles"),
        ("Budget (simulations)", "/budget"),
        ("Tolerance quantile (alpha)", "/settings/alpha"),
        ("Minimum tolerance", "/settings/min_epsilon"),
        ("Minimum acceptance rate", "/settings/min_acceptance"),
        ("Most generations", "/settings/max_generations"),
    ] {
        if let Some(v) = num(key) {
            rows.push((label.into(), v));
        }
    }
    if let Some(d) = nowcast.and_then(|n| n.json.get("draws")) {
        rows.push((
            "Posterior draws (predictive, nowcast)".into(),
            d.to_string(),
        ));
    }
    if let Some(p) = calibration.text("/problem/population") {
        rows.push(("Population".into(), p.to_string()));
    }
    for s in params {
        rows.push((
            "Fitted".into(),
            format!(
                "--fit {}={}..{}{}",
                s.name,
                s.low,
                s.high,
                if s.log { ":log" } else { "" }
            ),
        ));
    }
    if let Some(p) = c.get("problem") {
        rows.push((
            "Calibration problem (SHA-256 of calibration.json's problem: scenario, data, distance)"
                .into(),
            super::scenario_hash(p),
        ));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calibration_json() -> JsonFile {
        JsonFile {
            name: "calibration.json",
            json: serde_json::json!({
                "grapevine_version": "0.1.0",
                "settings": {
                    "parameters": [
                        {"name": "rumor.appeal", "prior": {"shape": "uniform", "low": 0.05, "high": 0.6}},
                        {"name": "observe[1].report", "prior": {"shape": "log-uniform", "low": 0.001, "high": 0.1}}
                    ],
                    "particles": 4, "alpha": 0.5, "seed": 1,
                    "min_epsilon": 0.0, "min_acceptance": 0.01, "max_generations": 20
                },
                "problem": {"scenario": {"name": "s"}, "data": [], "distance": "d", "population": "shared"},
                "budget": 100
            }),
        }
    }

    #[test]
    fn posterior_is_read_from_result_json_with_priors() {
        let t = tempfile::tempdir().unwrap();
        let result = JsonFile {
            name: "result.json",
            json: serde_json::json!({"parameters": [
                {"name": "observe[1].report", "mean": 0.011, "sd": 0.004, "median": 0.01, "q05": 0.001, "q95": 0.1},
                {"name": "rumor.appeal", "mean": 0.25, "sd": 0.05, "median": 0.2, "q05": 0.15, "q95": 0.2876}
            ]}),
        };
        let s = posterior_summary(t.path(), &calibration_json(), Some(&result)).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].name, "rumor.appeal");
        assert!(!s[0].log);
        assert_eq!(s[0].median.exact, 0.2);
        assert_eq!(s[0].median.source, "result.json:parameters[1].median");
        assert_eq!(s[0].q95.shown, "0.288");
        assert!((s[0].narrowing() - 0.25).abs() < 1e-3);
        assert!(s[1].log);
        assert_eq!(s[1].q05.source, "result.json:parameters[0].q05");
        // The whole log-uniform prior: the data said nothing.
        assert!((s[1].narrowing() - 1.0).abs() < 1e-12);
        assert_eq!(s[1].prior_text(), "0.001\u{2013}0.1, log-uniform");
    }

    #[test]
    fn posterior_falls_back_to_weighted_quantiles_of_posterior_csv() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(
            t.path().join("posterior.csv"),
            "particle,rumor.appeal,observe[1].report,weight,distance,runs\n\
             0,0.1,0.01,0.25,0.3,2\n1,0.2,0.02,0.25,0.2,1\n\
             2,0.3,0.03,0.25,0.1,1\n3,0.4,0.04,0.25,0.4,3\n",
        )
        .unwrap();
        let s = posterior_summary(t.path(), &calibration_json(), None).unwrap();
        assert_eq!(s.len(), 2);
        let x = [0.1, 0.2, 0.3, 0.4];
        let w = [0.25; 4];
        assert_eq!(s[0].median.exact, weighted_quantile(&x, &w, 0.5));
        assert_eq!(
            s[0].median.source,
            "posterior.csv:rumor.appeal (weighted median)"
        );
        assert!(s[0].mean.is_none());
        // Before the calibration stops, the last finished generation stands in.
        let running = tempfile::tempdir().unwrap();
        let gens = running.path().join("generations");
        std::fs::create_dir_all(&gens).unwrap();
        for (t, x) in [(1, "0.1"), (2, "0.2"), (10, "0.5")] {
            std::fs::write(
                gens.join(format!("generation-{t:03}.csv")),
                format!("particle,rumor.appeal,observe[1].report,weight,distance,runs\n0,{x},0.01,1,0.3,2\n"),
            )
            .unwrap();
        }
        let s = posterior_summary(running.path(), &calibration_json(), None).unwrap();
        assert_eq!(s[0].median.exact, 0.5);
        assert_eq!(
            s[0].median.source,
            "generations/generation-010.csv:rumor.appeal (weighted median)"
        );
        // Without result.json or posterior.csv there is nothing to summarise.
        let empty = tempfile::tempdir().unwrap();
        assert!(posterior_summary(empty.path(), &calibration_json(), None)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn a_finished_folder_gives_a_traced_summary() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        let mut cal = calibration_json().json;
        cal["problem"] = serde_json::json!({
            "scenario": {"name": "s", "simulation": {"start": "2018-10-01T08:00"}, "population": {"users": 1000}},
            "data": [{"index": 0, "name": "monitor", "points": [[6.0, 4], [12.0, 9]]}],
            "distance": "d", "population": "shared"
        });
        std::fs::write(d.join("calibration.json"), cal.to_string()).unwrap();
        std::fs::write(
            d.join("result.json"),
            serde_json::json!({
                "stop_reason": "the budget of simulations is spent", "generations": 3,
                "total_runs": 346, "epsilon": 0.25, "ess": 3.5,
                "parameters": [
                    {"name": "rumor.appeal", "mean": 0.3, "sd": 0.1, "median": 0.3, "q05": 0.1, "q95": 0.55},
                    {"name": "observe[1].report", "mean": 0.01, "sd": 0.01, "median": 0.01, "q05": 0.005, "q95": 0.02}
                ]
            })
            .to_string(),
        )
        .unwrap();
        std::fs::write(
            d.join("nowcast.json"),
            serde_json::json!({
                "draws": 10, "last_observed_hours": 12.0, "horizon_hours": 24.0,
                "data_inside_predictive_band": 0.5, "observed_points": 2,
                "at_last_observed": {"reached": {"median": 500.0, "p5": 400.0, "p95": 600.0},
                                     "believers": {"median": 100.0, "p5": 50.0, "p95": 150.0}},
                "at_horizon": {"reached": {"median": 800.0, "p5": 700.0, "p95": 900.0}}
            })
            .to_string(),
        )
        .unwrap();
        std::fs::write(
            d.join("generations.csv"),
            "generation,epsilon,particles,runs,acceptance_rate,ess,total_runs\n0,inf,4,4,1,4,4\n",
        )
        .unwrap();
        std::fs::write(
            d.join("predictive.csv"),
            "window,step,hours,median,p5,p95\nmonitor,0,6,3,1,5\nmonitor,1,12,6,2,8\n",
        )
        .unwrap();
        let mut ctx = Context {
            options: super::super::Options::default(),
            report_dir: d.to_path_buf(),
            charts: 0,
            provenance_summary: None,
            provenance: Vec::new(),
        };
        let doc = document(d, &mut ctx).unwrap();
        assert_eq!(doc.title, "s");
        assert!(doc
            .kind
            .contains("4 particles, 3 generations, 346 simulations"));
        let values: Vec<&Value> = doc
            .summary
            .iter()
            .flat_map(|b| match b {
                Block::Paragraph(p) => p.0.as_slice(),
                _ => &[],
            })
            .filter_map(|s| match s {
                Span::Value(v) => Some(v),
                _ => None,
            })
            .collect();
        let find = |src: &str| values.iter().find(|v| v.source == src).copied();
        assert_eq!(
            find("result.json:parameters[0].median").unwrap().shown,
            "0.3"
        );
        assert_eq!(
            find("nowcast.json:data_inside_predictive_band")
                .unwrap()
                .shown,
            "50%"
        );
        assert_eq!(
            find("nowcast.json:at_last_observed.reached.median")
                .unwrap()
                .exact,
            500.0
        );
        assert_eq!(
            find("nowcast.json:at_horizon.reached.p95").unwrap().shown,
            "900"
        );
        let text: String = doc
            .summary
            .iter()
            .flat_map(|b| match b {
                Block::Paragraph(p) => p.0.as_slice(),
                _ => &[],
            })
            .filter_map(|s| match s {
                Span::Text(t) => Some(t.as_str()),
                _ => None,
            })
            .collect();
        // Half the points outside the band: the reader is told not to rely on it.
        assert!(text.contains("only part of what the windows saw"), "{text}");
        assert!(text.contains("conditional on the model and the priors"));
        assert!(
            text.contains("narrow observe[1].report to at most half"),
            "{text}"
        );
        assert!(ctx
            .provenance
            .iter()
            .any(|(k, v)| k == "Fitted" && v == "--fit rumor.appeal=0.05..0.6"));
        // The observed point at 12 h lies outside the predicted 2-8: it is marked.
        let html = super::super::html::render(&doc, &Table::default());
        assert!(html.contains(">9 *</data>"), "no marked point");
    }

    #[test]
    fn lists_read_as_words() {
        let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(join_and(&v(&["a"])), "a");
        assert_eq!(join_and(&v(&["a", "b", "c"])), "a, b and c");
    }

    #[test]
    fn names_and_numbers_read_as_words() {
        assert_eq!(dotted("/parameters/0/median"), "parameters[0].median");
        assert_eq!(
            dotted("/at_last_observed/reached_left/p5"),
            "at_last_observed.reached_left.p5"
        );
        assert_eq!(quantity("believers_left"), "Believers, camp left");
        assert_eq!(quantity("read"), "Users who read it");
        assert_eq!(param(0.26261), "0.263");
        assert_eq!(param(0.0098801), "0.00988");
        assert_eq!(param(5.25), "5.25");
        assert_eq!(param(12345.6), "12,346");
        assert_eq!(param(0.6), "0.6");
    }
}
