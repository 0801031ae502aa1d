//! Charts of a sweep, drawn from its written `runs.csv`: a figure against one
//! parameter (median line and 5-95% band over the runs at each value, one line per
//! value of a second parameter) and a heatmap of the median over two parameters.
//!
//! A parameter with at most [`MAX_GROUPS`] distinct values is charted value by value;
//! a numeric one with more (random and latin-hypercube designs) is cut into
//! [`BINS`] equal-width bins. Positive values spread over two decades or more are
//! charted on a log10 axis. Durations such as `"6h"` are charted in hours; other text
//! values by position. Runs at points that share the charted values are pooled, so with
//! three or more parameters a line shows the spread over the others too.

use super::runs::{self, value_field, RUNS_CSV};
use super::{Sweep, SweepFile};
use crate::error::SweepError;
use crate::metrics::bands::Band;
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
/// Most lines in a chart drawn automatically (one per value of the second parameter).
const AUTO_MAX_LINES: usize = 8;

/// What to chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// Parameter path on the x axis.
    pub x: String,
    /// Figure (a `runs.csv` column).
    pub y: String,
    /// Parameter path giving one line per value (or the heatmap's rows).
    pub by: Option<String>,
    /// A heatmap of the median over `x` and `by` instead of lines.
    pub heatmap: bool,
}

/// How one parameter's values fall into groups along an axis.
struct Axis {
    label: String,
    /// Group labels and positions, in axis order.
    groups: Vec<(String, f64)>,
    /// Group of each point.
    of_point: Vec<usize>,
}

fn numeric(v: &toml::Value) -> Option<(f64, bool)> {
    match v {
        toml::Value::Integer(i) => Some((*i as f64, false)),
        toml::Value::Float(f) => Some((*f, false)),
        toml::Value::String(s) => crate::duration::parse(s).ok().map(|d| (d.hours(), true)),
        _ => None,
    }
}

fn axis(sweep: &Sweep, path: &str) -> Result<Axis, SweepError> {
    let Some(j) = sweep.parameters.iter().position(|p| p.path == path) else {
        let names: Vec<&str> = sweep.parameters.iter().map(|p| p.path.as_str()).collect();
        return Err(SweepError::Usage(format!(
            "\"{path}\" is not a parameter of this sweep; parameters are {}",
            names.join(", ")
        )));
    };
    let values: Vec<&toml::Value> = sweep.points.iter().map(|p| &p[j]).collect();
    let mut distinct: Vec<&toml::Value> = Vec::new();
    for v in &values {
        if !distinct.contains(v) {
            distinct.push(v);
        }
    }
    let nums: Option<Vec<(f64, bool)>> = distinct.iter().map(|v| numeric(v)).collect();
    match nums {
        Some(nums) if distinct.len() <= MAX_GROUPS => {
            let hours = nums.iter().any(|n| n.1);
            let mut order: Vec<usize> = (0..distinct.len()).collect();
            order.sort_by(|&a, &b| nums[a].0.total_cmp(&nums[b].0));
            // Values spread over two decades or more (forward limits 1, 5, 20, 256)
            // are placed on a log10 scale so the small ones stay apart.
            let lo = nums.iter().map(|n| n.0).fold(f64::INFINITY, f64::min);
            let hi = nums.iter().map(|n| n.0).fold(f64::NEG_INFINITY, f64::max);
            let log = lo > 0.0 && hi / lo >= LOG_SPAN && distinct.len() >= 3;
            let groups = order
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
            let unit = if hours { " (hours)" } else { "" };
            Ok(Axis {
                label: if log {
                    format!("log10 of {path}{unit}")
                } else {
                    format!("{path}{unit}")
                },
                groups,
                of_point,
            })
        }
        Some(nums) => {
            let hours = nums.iter().any(|n| n.1);
            let lo = nums.iter().map(|n| n.0).fold(f64::INFINITY, f64::min);
            let hi = nums.iter().map(|n| n.0).fold(f64::NEG_INFINITY, f64::max);
            let width = (hi - lo) / BINS as f64;
            let bin = |x: f64| (((x - lo) / width) as usize).min(BINS - 1);
            let groups = (0..BINS)
                .map(|b| {
                    let c = lo + width * (b as f64 + 0.5);
                    (format!("{:.3}", c), c)
                })
                .collect();
            let of_point = values
                .iter()
                .map(|v| bin(numeric(v).map_or(lo, |n| n.0)))
                .collect();
            Ok(Axis {
                label: format!(
                    "{path}{} ({BINS} equal-width bins)",
                    if hours { " (hours)" } else { "" }
                ),
                groups,
                of_point,
            })
        }
        None if distinct.len() <= 2 * MAX_GROUPS => {
            let groups: Vec<(String, f64)> = distinct
                .iter()
                .enumerate()
                .map(|(k, v)| (value_field(v), k as f64))
                .collect();
            let key: Vec<String> = groups.iter().map(|(l, x)| format!("{x} = {l}")).collect();
            let of_point = values
                .iter()
                .map(|v| distinct.iter().position(|d| d == v).unwrap_or(0))
                .collect();
            Ok(Axis {
                label: format!("{path} ({})", key.join(", ")),
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

/// Values of figure `y` by (x group, by group).
fn cells(
    dir: &Path,
    sweep: &Sweep,
    y: &str,
    x: &Axis,
    by: Option<&Axis>,
) -> Result<HashMap<(usize, usize), Vec<f64>>, SweepError> {
    let names = runs::figure_names();
    let Some(k) = names.iter().position(|n| *n == y) else {
        return Err(SweepError::Usage(format!(
            "\"{y}\" is not a figure; figures are {}",
            names.join(", ")
        )));
    };
    let mut out: HashMap<(usize, usize), Vec<f64>> = HashMap::new();
    runs::scan(&dir.join(RUNS_CSV), sweep, |ix, line| {
        let (p, _) = sweep.run_parts(ix);
        let v = runs::row_figures(line, names.len())[k];
        let key = (x.of_point[p], by.map_or(0, |b| b.of_point[p]));
        out.entry(key).or_default().push(v);
        Ok(())
    })?;
    Ok(out)
}

fn stem_part(s: &str) -> String {
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

/// Draws one chart into `DIR/plots/`; returns the PNG and SVG paths.
pub fn draw(dir: &Path, file: &SweepFile, req: &Request) -> Result<Vec<PathBuf>, SweepError> {
    let sweep = &file.sweep;
    let x = axis(sweep, &req.x)?;
    let by = req.by.as_deref().map(|b| axis(sweep, b)).transpose()?;
    let data = cells(dir, sweep, &req.y, &x, by.as_ref())?;
    let plots = dir.join(PLOTS_DIR);
    std::fs::create_dir_all(&plots).map_err(|source| crate::error::OutputError::Io {
        path: plots.clone(),
        source,
    })?;
    let runs = data.values().map(Vec::len).sum::<usize>();
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
                            .map_or(f64::NAN, |v| Band::of(v.iter().copied()).median)
                    })
                    .collect()
            })
            .collect();
        let h = Heatmap {
            title: format!("{}: median {} over {runs} runs", sweep.name, req.y),
            x_label: x.label.clone(),
            y_label: by.label.clone(),
            value_label: format!("{} (median)", req.y),
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
    let series = lines
        .into_iter()
        .filter_map(|(b, label)| {
            let pts: Vec<(f64, Band)> = x
                .groups
                .iter()
                .enumerate()
                .filter_map(|(a, g)| {
                    data.get(&(a, b))
                        .map(|v| (g.1, Band::of(v.iter().copied())))
                })
                .collect();
            (!pts.is_empty()).then(|| Series {
                label: match (label, &req.by) {
                    (Some(l), Some(p)) => format!("{p} = {l}"),
                    _ => req.y.clone(),
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
        title: format!("{}: {} against {}", sweep.name, req.y, req.x),
        subtitle: Some(format!("median and 5-95% band over {runs} runs")),
        x_label: x.label.clone(),
        panels: vec![Panel {
            y_label: req.y.clone(),
            series,
            log_y: false,
        }],
        markers: Vec::new(),
        spans: Vec::new(),
    };
    let stem = match &req.by {
        Some(b) => format!(
            "{}-vs-{}-by-{}",
            stem_part(&req.y),
            stem_part(&req.x),
            stem_part(b)
        ),
        None => format!("{}-vs-{}", stem_part(&req.y), stem_part(&req.x)),
    };
    Ok(plot::draw_time_chart(&chart, &plots, &stem)?.to_vec())
}

/// The charts chosen from the sweep's shape: with one parameter, each figure of
/// [`AUTO_FIGURES`] against it; with two or more, against the first with one line per
/// value of the second (when it has few values), and a heatmap over the first two.
/// Parameters that cannot be charted (too many distinct text values) are left out.
pub fn automatic(dir: &Path, file: &SweepFile) -> Result<Vec<PathBuf>, SweepError> {
    let sweep = &file.sweep;
    let chartable: Vec<(&str, usize)> = sweep
        .parameters
        .iter()
        .filter_map(|p| {
            axis(sweep, &p.path)
                .ok()
                .map(|a| (p.path.as_str(), a.groups.len()))
        })
        .collect();
    let mut out = Vec::new();
    let Some(&(x, _)) = chartable.first() else {
        return Ok(out);
    };
    let second = chartable.get(1).copied();
    for y in AUTO_FIGURES {
        let req = |by: Option<&str>, heatmap| Request {
            x: x.to_string(),
            y: y.to_string(),
            by: by.map(str::to_string),
            heatmap,
        };
        let lines_by = second.filter(|s| s.1 <= AUTO_MAX_LINES).map(|s| s.0);
        out.extend(draw(dir, file, &req(lines_by, false))?);
        if let Some((by, _)) = second {
            out.extend(draw(dir, file, &req(Some(by), true))?);
        }
    }
    Ok(out)
}
