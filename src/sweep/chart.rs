//! Charts of a sweep, drawn from its written `runs.csv`: a figure against one
//! parameter (median line and 5-95% band over the runs at each value, one line per
//! value of a second parameter) and a heatmap of the median over two parameters.
//!
//! A parameter with at most [`MAX_GROUPS`] distinct values is charted value by value;
//! a numeric one with more (random and latin-hypercube designs) is cut into
//! [`BINS`] equal-width bins. Positive values spread over two decades or more are
//! charted on a log10 axis (ticks labelled with the values), except durations; a
//! request can force either. Durations such as `"6h"` are charted in hours; other text
//! values by position. Runs at points that share the charted values are pooled, so with
//! three or more parameters a line shows the spread over the others too. Axes, titles
//! and legends use the parameters' and figures' labels (with units, shares in percent);
//! events are charted as the share of runs with them and Wilson's 95% interval.

use super::runs::{self, value_field, RUNS_CSV};
use super::{Sweep, SweepFile};
use crate::error::SweepError;
use crate::metrics::bands::Band;
use crate::metrics::labels::label;
use crate::metrics::probability::{Level, Proportion};
use crate::plot::{self, Heatmap, Panel, Series, TimeChart};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Folder, inside a sweep folder, of the charts.
pub const PLOTS_DIR: &str = "plots";
/// Most distinct values charted one by one.
pub const MAX_GROUPS: usize = 12;
/// Bins for numeric parameters with more distinct values.
pub const BINS: usize = 10;
/// Ratio of the largest to the smallest value from which listed values are charted
/// on a log10 axis.
pub const LOG_SPAN: f64 = 100.0;
/// Figures charted automatically at the end of a sweep.
pub const AUTO_FIGURES: [&str; 2] = ["final_reach_share", "final_believers_share"];
/// Events charted automatically (as the share of runs with them) when they happen at
/// some values of the first parameter and not at others.
pub const AUTO_EVENTS: [&str; 4] = ["outbreak", "public", "press", "crisis"];
/// Most lines in a chart drawn automatically (one per value of the second parameter).
const AUTO_MAX_LINES: usize = 8;

/// What to chart.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Request {
    /// Parameter path on the x axis.
    pub x: String,
    /// Figure (a `runs.csv` column); an event (0/1 column) is charted as the share of
    /// runs with it, with Wilson's 95% interval.
    pub y: String,
    /// Parameter path giving one line per value (or the heatmap's rows).
    pub by: Option<String>,
    /// A heatmap of the median over `x` and `by` instead of lines.
    pub heatmap: bool,
    /// Force a log (true) or linear (false) x axis; default: chosen from the values.
    pub log_x: Option<bool>,
    /// Only the runs in which this event happened (e.g. `outbreak`): the conditional
    /// curve of an all-or-nothing outcome.
    pub given: Option<String>,
}

/// How one parameter's values fall into groups along an axis.
struct Axis {
    label: String,
    /// Group labels and positions, in axis order.
    groups: Vec<(String, f64)>,
    /// Group of each point.
    of_point: Vec<usize>,
    /// Tick positions and labels when the axis is not linear in the values.
    ticks: Vec<(f64, String)>,
}

fn numeric(v: &toml::Value) -> Option<(f64, bool)> {
    match v {
        toml::Value::Integer(i) => Some((*i as f64, false)),
        toml::Value::Float(f) => Some((*f, false)),
        toml::Value::String(s) => crate::duration::parse(s).ok().map(|d| (d.hours(), true)),
        _ => None,
    }
}

fn axis(sweep: &Sweep, path: &str, log_x: Option<bool>) -> Result<Axis, SweepError> {
    let Some(j) = sweep.parameters.iter().position(|p| p.path == path) else {
        let names: Vec<&str> = sweep.parameters.iter().map(|p| p.path.as_str()).collect();
        return Err(SweepError::Usage(format!(
            "\"{path}\" is not a parameter of this sweep; parameters are {}",
            names.join(", ")
        )));
    };
    let name = sweep.parameters[j].display();
    let values: Vec<&toml::Value> = sweep.points.iter().map(|p| &p[j]).collect();
    let mut distinct: Vec<&toml::Value> = Vec::new();
    for v in &values {
        if !distinct.contains(v) {
            distinct.push(v);
        }
    }
    let nums: Option<Vec<(f64, bool)>> = distinct.iter().map(|v| numeric(v)).collect();
    let hours_unit = |hours: bool| {
        if hours && sweep.parameters[j].label.is_none() {
            " (hours)"
        } else {
            ""
        }
    };
    match nums {
        Some(nums) if distinct.len() <= MAX_GROUPS => {
            let hours = nums.iter().any(|n| n.1);
            let mut order: Vec<usize> = (0..distinct.len()).collect();
            order.sort_by(|&a, &b| nums[a].0.total_cmp(&nums[b].0));
            // Values spread over two decades or more (forward limits 1, 5, 20, 256)
            // are placed on a log10 scale so the small ones stay apart; durations stay
            // linear unless asked for.
            let lo = nums.iter().map(|n| n.0).fold(f64::INFINITY, f64::min);
            let hi = nums.iter().map(|n| n.0).fold(f64::NEG_INFINITY, f64::max);
            let auto = !hours && lo > 0.0 && hi / lo >= LOG_SPAN && distinct.len() >= 3;
            let log = log_x.unwrap_or(auto) && lo > 0.0;
            let groups: Vec<(String, f64)> = order
                .iter()
                .map(|&k| {
                    let x = nums[k].0;
                    (value_field(distinct[k]), if log { x.log10() } else { x })
                })
                .collect();
            let rank: HashMap<usize, usize> =
                order.iter().enumerate().map(|(r, &k)| (k, r)).collect();
            let of_point = values
                .iter()
                .map(|v| rank[&distinct.iter().position(|d| d == v).unwrap_or(0)])
                .collect();
            let ticks = if log {
                groups.clone().into_iter().map(|(l, x)| (x, l)).collect()
            } else {
                Vec::new()
            };
            Ok(Axis {
                label: format!(
                    "{name}{}{}",
                    hours_unit(hours),
                    if log { ", log scale" } else { "" }
                ),
                groups,
                of_point,
                ticks,
            })
        }
        Some(nums) => {
            let hours = nums.iter().any(|n| n.1);
            let lo = nums.iter().map(|n| n.0).fold(f64::INFINITY, f64::min);
            let hi = nums.iter().map(|n| n.0).fold(f64::NEG_INFINITY, f64::max);
            let log = log_x.unwrap_or(false) && lo > 0.0;
            let f = |x: f64| if log { x.log10() } else { x };
            let width = (f(hi) - f(lo)) / BINS as f64;
            let bin = |x: f64| (((f(x) - f(lo)) / width) as usize).min(BINS - 1);
            let groups = (0..BINS)
                .map(|b| {
                    let c = f(lo) + width * (b as f64 + 0.5);
                    let shown = if log { 10f64.powf(c) } else { c };
                    (format!("{:.3}", shown), c)
                })
                .collect();
            let of_point = values
                .iter()
                .map(|v| bin(numeric(v).map_or(lo, |n| n.0)))
                .collect();
            Ok(Axis {
                label: format!(
                    "{name}{} ({BINS} equal-width bins{})",
                    hours_unit(hours),
                    if log { " of its log" } else { "" }
                ),
                groups,
                of_point,
                ticks: Vec::new(),
            })
        }
        None if distinct.len() <= 2 * MAX_GROUPS => {
            let groups: Vec<(String, f64)> = distinct
                .iter()
                .enumerate()
                .map(|(k, v)| (value_field(v), k as f64))
                .collect();
            let of_point = values
                .iter()
                .map(|v| distinct.iter().position(|d| d == v).unwrap_or(0))
                .collect();
            Ok(Axis {
                label: name,
                ticks: groups.iter().map(|(l, x)| (*x, l.clone())).collect(),
                groups,
                of_point,
            })
        }
        None => Err(SweepError::Usage(format!(
            "\"{path}\" has {} distinct non-numeric values: too many to chart",
            distinct.len()
        ))),
    }
}

/// Values of figure `y` by (x group, by group), over the runs where `given` happened.
fn cells(
    dir: &Path,
    sweep: &Sweep,
    y: &str,
    given: Option<&str>,
    x: &Axis,
    by: Option<&Axis>,
) -> Result<HashMap<(usize, usize), Vec<f64>>, SweepError> {
    let names = runs::figure_names(sweep);
    let find = |y: &str| {
        names.iter().position(|n| n == y).ok_or_else(|| {
            SweepError::Usage(format!(
                "\"{y}\" is not a figure; figures are {}",
                names.join(", ")
            ))
        })
    };
    let k = find(y)?;
    let g = given.map(find).transpose()?;
    let mut out: HashMap<(usize, usize), Vec<f64>> = HashMap::new();
    runs::scan(&dir.join(RUNS_CSV), sweep, |ix, line| {
        let (p, _) = sweep.run_parts(ix);
        let f = runs::row_figures(line, names.len());
        if g.is_some_and(|g| f[g].is_nan() || f[g] < 0.5) {
            return Ok(());
        }
        let key = (x.of_point[p], by.map_or(0, |b| b.of_point[p]));
        out.entry(key).or_default().push(f[k]);
        Ok(())
    })?;
    Ok(out)
}

/// A name as it appears in a chart's file name: anything but ASCII letters, digits,
/// `_` and `-` becomes `_` (`interventions[0].at` -> `interventions_0__at`).
pub fn stem_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The point of a set of values on a chart: median and 5-95% band of a figure, or for
/// an event the share of runs with it and Wilson's 95% interval, in display units.
fn summarise(values: &[f64], event: bool, scale: f64) -> Option<Band> {
    if event {
        let p = Proportion::of(values.iter().filter(|v| !v.is_nan()).map(|v| *v > 0.5)).ok()?;
        let i = p.wilson(Level::P95);
        Some(Band {
            median: 100.0 * p.estimate(),
            p5: 100.0 * i.lower,
            p95: 100.0 * i.upper,
        })
    } else {
        let b = Band::of(values.iter().copied());
        Some(Band {
            median: b.median * scale,
            p5: b.p5 * scale,
            p95: b.p95 * scale,
        })
    }
}

/// `Response time` -> `response time`, for a label inside a sentence (an acronym such as
/// "SIR" stays as it is).
fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match (c.next(), c.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && !b.is_uppercase() => a
            .to_lowercase()
            .chain(std::iter::once(b))
            .chain(c)
            .collect(),
        _ => s.to_string(),
    }
}

/// Draws one chart into `DIR/plots/`; returns the PNG and SVG paths.
pub fn draw(dir: &Path, file: &SweepFile, req: &Request) -> Result<Vec<PathBuf>, SweepError> {
    let sweep = &file.sweep;
    let x = axis(sweep, &req.x, req.log_x)?;
    let by = req
        .by
        .as_deref()
        .map(|b| axis(sweep, b, None))
        .transpose()?;
    let data = cells(dir, sweep, &req.y, req.given.as_deref(), &x, by.as_ref())?;
    let plots = dir.join(PLOTS_DIR);
    std::fs::create_dir_all(&plots).map_err(|source| crate::error::OutputError::Io {
        path: plots.clone(),
        source,
    })?;
    let report = sweep
        .point_scenario(0, &file.origin.base_scenario)
        .ok()
        .map(|s| s.report);
    let ylab = label(&req.y, report.as_ref());
    let given = req.given.as_deref().map(|g| label(g, report.as_ref()).what);
    let runs = data.values().map(Vec::len).sum::<usize>();
    let all_runs = (sweep.run_count() as usize).max(runs);
    let over = match &given {
        Some(g) => format!(
            "over the {runs} of {all_runs} runs with: {}",
            g.to_lowercase()
        ),
        None => format!("over {runs} runs"),
    };
    let y_title = if ylab.event {
        format!("{} (% of runs)", ylab.what)
    } else {
        ylab.full()
    };
    if req.heatmap {
        let Some(by) = by else {
            return Err(SweepError::Usage(
                "a heatmap needs a second parameter (--by)".into(),
            ));
        };
        let values = (0..by.groups.len())
            .map(|b| {
                (0..x.groups.len())
                    .map(|a| {
                        data.get(&(a, b))
                            .and_then(|v| summarise(v, ylab.event, ylab.scale))
                            .map_or(f64::NAN, |b| b.median)
                    })
                    .collect()
            })
            .collect();
        let h = Heatmap {
            title: format!(
                "{}: {} {over}",
                sweep.name,
                if ylab.event {
                    "share of runs"
                } else {
                    "median"
                }
            ),
            x_label: x.label.clone(),
            y_label: by.label.clone(),
            value_label: if ylab.event {
                y_title.clone()
            } else {
                format!("{} (median)", ylab.full())
            },
            x_values: x.groups.iter().map(|g| g.0.clone()).collect(),
            y_values: by.groups.iter().map(|g| g.0.clone()).collect(),
            values,
        };
        let stem = format!(
            "{}-heatmap-{}-{}",
            stem_part(&req.y),
            stem_part(&req.x),
            stem_part(req.by.as_deref().unwrap_or_default())
        );
        return Ok(plot::draw_heatmap(&h, &plots, &stem)?.to_vec());
    }
    let lines: Vec<(usize, Option<&str>)> = match &by {
        Some(b) => b
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| (i, Some(g.0.as_str())))
            .collect(),
        None => vec![(0, None)],
    };
    let by_name = req.by.as_deref().and_then(|b| {
        sweep
            .parameters
            .iter()
            .find(|p| p.path == b)
            .map(|p| p.display())
    });
    let series = lines
        .into_iter()
        .filter_map(|(b, l)| {
            let pts: Vec<(f64, Band)> = x
                .groups
                .iter()
                .enumerate()
                .filter_map(|(a, g)| {
                    data.get(&(a, b))
                        .and_then(|v| summarise(v, ylab.event, ylab.scale))
                        .map(|band| (g.1, band))
                })
                .collect();
            (!pts.is_empty()).then(|| Series {
                label: match (l, &by_name) {
                    (Some(l), Some(p)) => format!("{p} = {l}"),
                    _ => String::new(),
                },
                x: pts.iter().map(|p| p.0).collect(),
                median: pts.iter().map(|p| p.1.median).collect(),
                band: Some((
                    pts.iter().map(|p| p.1.p5).collect(),
                    pts.iter().map(|p| p.1.p95).collect(),
                )),
            })
        })
        .collect();
    let chart = TimeChart {
        title: match &given {
            Some(g) => format!(
                "{} in the runs with {} against {}",
                ylab.what,
                lower_first(g),
                lower_first(&x.label)
            ),
            None => format!("{} against {}", ylab.what, lower_first(&x.label)),
        },
        subtitle: Some(if ylab.event {
            format!(
                "{}: share of runs with the event and its Wilson 95% interval, {over}",
                sweep.name
            )
        } else {
            format!("{}: median and 5-95% band {over}", sweep.name)
        }),
        x_label: x.label.clone(),
        panels: vec![Panel {
            y_label: y_title,
            series,
            log_y: false,
        }],
        markers: Vec::new(),
        spans: Vec::new(),
        x_ticks: x.ticks.clone(),
    };
    let given_part = req
        .given
        .as_deref()
        .map(|g| format!("-given-{}", stem_part(g)))
        .unwrap_or_default();
    let stem = match &req.by {
        Some(b) => format!(
            "{}{given_part}-vs-{}-by-{}",
            stem_part(&req.y),
            stem_part(&req.x),
            stem_part(b)
        ),
        None => format!("{}{given_part}-vs-{}", stem_part(&req.y), stem_part(&req.x)),
    };
    Ok(plot::draw_time_chart(&chart, &plots, &stem)?.to_vec())
}

/// The share of runs with `event` at each value of the first parameter, if some
/// values of it have the event in some runs but not in others.
fn event_varies(dir: &Path, sweep: &Sweep, event: &str, x: &Axis) -> bool {
    let Ok(data) = cells(dir, sweep, event, None, x, None) else {
        return false;
    };
    let shares: Vec<f64> = data
        .values()
        .filter_map(|v| summarise(v, true, 1.0))
        .map(|b| b.median)
        .collect();
    shares.iter().any(|&p| p > 0.0) && shares.iter().any(|&p| p < 100.0)
}

/// The charts chosen from the sweep's shape: with one parameter, each figure of
/// [`AUTO_FIGURES`] against it; with two or more, against the first with one line per
/// value of the second (when it has few values), and a heatmap over the first two.
/// Events that happen at some values of the first parameter and not at others (an
/// outbreak at all, press pickup, a crisis) are charted as the share of runs with them;
/// when the outbreak is all-or-nothing (between 5% and 95% of runs at some value), the
/// final reach and believers are charted over the runs with an outbreak only instead of
/// over all runs (whose median at 0 inside a wide band would say nothing).
/// Parameters that cannot be charted (too many distinct text values) are left out;
/// sensitivity designs get none (their tornado charts say what matters).
pub fn automatic(dir: &Path, file: &SweepFile) -> Result<Vec<PathBuf>, SweepError> {
    let sweep = &file.sweep;
    if sweep.design.is_sensitivity() {
        // Morris and Sobol' points move every parameter at once: a figure against one
        // of them pools over the others' arbitrary values. Their charts are the tornado
        // charts ([`super::sensitivity`]); `grapevine plot` still draws any on request.
        return Ok(Vec::new());
    }
    let chartable: Vec<(&str, usize)> = sweep
        .parameters
        .iter()
        .filter_map(|p| {
            axis(sweep, &p.path, None)
                .ok()
                .map(|a| (p.path.as_str(), a.groups.len()))
        })
        .collect();
    let mut out = Vec::new();
    let Some(&(x, _)) = chartable.first() else {
        return Ok(out);
    };
    let second = chartable.get(1).copied();
    let lines_by = second.filter(|s| s.1 <= AUTO_MAX_LINES).map(|s| s.0);
    let req = |y: &str, by: Option<&str>, heatmap, given: Option<&str>| Request {
        x: x.to_string(),
        y: y.to_string(),
        by: by.map(str::to_string),
        heatmap,
        log_x: None,
        given: given.map(str::to_string),
    };
    let xa = axis(sweep, x, None)?;
    // All-or-nothing: at some value, between 5% and 95% of the runs have an outbreak.
    let all_or_nothing = sweep.event_columns.iter().any(|c| c == "outbreak")
        && cells(dir, sweep, "outbreak", None, &xa, None)?
            .values()
            .filter_map(|v| summarise(v, true, 1.0))
            .any(|b| (5.0..=95.0).contains(&b.median));
    for y in AUTO_FIGURES {
        if all_or_nothing {
            // A median at 0 inside a 0-65% band says nothing: the figure over the runs
            // that took off, beside the chance of taking off (below).
            out.extend(draw(dir, file, &req(y, lines_by, false, Some("outbreak")))?);
        } else {
            out.extend(draw(dir, file, &req(y, lines_by, false, None))?);
        }
        if let Some((by, _)) = second {
            out.extend(draw(dir, file, &req(y, Some(by), true, None))?);
        }
    }
    for e in AUTO_EVENTS {
        if !sweep.event_columns.iter().any(|c| c == e) || !event_varies(dir, sweep, e, &xa) {
            continue;
        }
        out.extend(draw(dir, file, &req(e, lines_by, false, None))?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::lower_first;

    #[test]
    fn labels_inside_a_title_start_in_lower_case_unless_an_acronym() {
        assert_eq!(
            lower_first("Response time (hours)"),
            "response time (hours)"
        );
        assert_eq!(lower_first("SIR rate"), "SIR rate");
        assert_eq!(lower_first(""), "");
        assert_eq!(lower_first("x"), "x");
    }
}
