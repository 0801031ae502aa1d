//! The sensitivity analysis of a sweep with a `morris` or `sobol` design, from its
//! written `runs.csv`: `sensitivity.csv` and a tornado chart per figure.
//!
//! Point `i` of such a sweep is row `i` of the design ([`super::design`]), so the
//! analysis reads each point's output as the mean of the figure over its replicates
//! (NaN values left out; a point with no value makes the figure unanalysable, and it is
//! skipped with a note). With a paired sweep (the default) replicate r of every point
//! shares its random numbers, so the differences between points that Morris and Sobol'
//! take are not drowned by run-to-run noise.
//!
//! `sensitivity.csv` columns: `figure`, `parameter` (its path), `label`, `method`
//! (`morris` or `sobol`), `index` (`mu_star`, `mu`, `sigma`; `first`, `total`),
//! `estimate`, `se` (bootstrap standard error), `lower`, `upper` (bootstrap 95%
//! percentile interval); `se` and the interval are empty for `mu` and `sigma`.
//! Morris effects are in the figure's units per the whole range of the parameter.

use super::runs::{self, RUNS_CSV};
use super::spec::DesignKind;
use super::SweepFile;
use crate::error::SweepError;
use crate::metrics::labels::label;
use crate::output::dir::write_atomic;
use crate::output::files::csv_field;
use crate::plot::{self, Bar, BarChart};
use crate::sensitivity::{Bootstrap, MorrisDesign, SobolBase, SobolDesign};
use std::path::{Path, PathBuf};

/// Name of the table in a sweep folder.
pub const SENSITIVITY_CSV: &str = "sensitivity.csv";

/// One row of `sensitivity.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexRow {
    /// The figure analysed (a `runs.csv` column).
    pub figure: String,
    /// Index of the parameter in the sweep.
    pub parameter: usize,
    /// The method: `morris` (screening) or `sobol` (variance decomposition).
    pub method: &'static str,
    /// Which index of the method this row estimates (`mu_star`, `mu`, `sigma`; or the
    /// Sobol first- and total-order indices).
    pub index: &'static str,
    /// The estimate.
    pub estimate: f64,
    /// Its standard error (bootstrap; NaN where none is estimated).
    pub se: f64,
    /// Lower end of its bootstrap confidence interval (NaN where none).
    pub lower: f64,
    /// Upper end of its bootstrap confidence interval (NaN where none).
    pub upper: f64,
}

/// What the analysis found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Analysis {
    /// One row per figure, parameter and index.
    pub rows: Vec<IndexRow>,
    /// Figures left out, with why.
    pub skipped: Vec<(String, String)>,
    /// Charts written.
    pub charts: Vec<PathBuf>,
}

/// The figures analysed: the sweep's `figures`, else final reach and believers shares
/// and the shares at report times.
pub fn figures(file: &SweepFile) -> Vec<String> {
    let s = &file.sweep;
    match &s.sensitivity {
        Some(p) if !p.figures.is_empty() => p.figures.clone(),
        _ => ["final_reach_share", "final_believers_share"]
            .iter()
            .map(|f| f.to_string())
            .chain(
                s.at_columns
                    .iter()
                    .filter(|c| c.starts_with("reach_share@") || c.starts_with("believers_share@"))
                    .cloned(),
            )
            .collect(),
    }
}

/// Analyses `DIR/runs.csv` of a sensitivity sweep, writes `DIR/sensitivity.csv` and
/// (unless `charts` is false) a tornado chart per figure into `DIR/plots/`.
pub fn analyse_dir(dir: &Path, file: &SweepFile, charts: bool) -> Result<Analysis, SweepError> {
    let sweep = &file.sweep;
    let Some(plan) = &sweep.sensitivity else {
        return Err(SweepError::Usage(format!(
            "{} is a {} sweep: sensitivity needs design = \"morris\" or \"sobol\"",
            dir.display(),
            sweep.design
        )));
    };
    let names = runs::figure_names(sweep);
    let wanted = figures(file);
    let cols: Vec<usize> = wanted
        .iter()
        .map(|f| {
            names
                .iter()
                .position(|n| n == f)
                .ok_or_else(|| SweepError::Usage(format!("\"{f}\" is not a figure of this sweep")))
        })
        .collect::<Result<_, _>>()?;
    let points = sweep.point_count();
    let mut sum = vec![vec![0.0; wanted.len()]; points];
    let mut count = vec![vec![0u32; wanted.len()]; points];
    runs::scan(&dir.join(RUNS_CSV), sweep, |ix, line| {
        let (p, _) = sweep.run_parts(ix);
        let f = runs::row_figures(line, names.len());
        for (k, &c) in cols.iter().enumerate() {
            if f[c].is_finite() {
                sum[p][k] += f[c];
                count[p][k] += 1;
            }
        }
        Ok(())
    })?;
    let k = sweep.parameters.len();
    let boot = Bootstrap::default();
    let report = sweep
        .point_scenario(0, &file.origin.base_scenario)
        .ok()
        .map(|s| s.report);
    let mut out = Analysis::default();
    for (j, figure) in wanted.iter().enumerate() {
        let outputs: Vec<f64> = (0..points)
            .map(|p| {
                if count[p][j] == 0 {
                    f64::NAN
                } else {
                    sum[p][j] / f64::from(count[p][j])
                }
            })
            .collect();
        let rows: Result<Vec<IndexRow>, _> = match sweep.design {
            DesignKind::Morris => MorrisDesign::new(
                k,
                plan.trajectories.unwrap_or(0) as usize,
                plan.levels.unwrap_or(4) as usize,
                sweep.seed,
            )
            .and_then(|d| d.analyse(&outputs, boot))
            .map(|m| {
                m.effects
                    .iter()
                    .flat_map(|e| {
                        let row = |index, estimate, se, lower, upper| IndexRow {
                            figure: figure.clone(),
                            parameter: e.parameter,
                            method: "morris",
                            index,
                            estimate,
                            se,
                            lower,
                            upper,
                        };
                        let s = e.mu_star;
                        [
                            row(
                                "mu_star",
                                s.value,
                                s.std_error,
                                s.interval.lower,
                                s.interval.upper,
                            ),
                            row("mu", e.mu, f64::NAN, f64::NAN, f64::NAN),
                            row("sigma", e.sigma, f64::NAN, f64::NAN, f64::NAN),
                        ]
                    })
                    .collect()
            }),
            DesignKind::Sobol => SobolDesign::new(
                k,
                plan.samples.unwrap_or(0) as usize,
                sweep.seed,
                SobolBase::Sequence,
            )
            .and_then(|d| d.analyse(&outputs, boot))
            .map(|s| {
                s.indices
                    .iter()
                    .flat_map(|i| {
                        [("first", i.first), ("total", i.total)].map(|(index, e)| IndexRow {
                            figure: figure.clone(),
                            parameter: i.parameter,
                            method: "sobol",
                            index,
                            estimate: e.value,
                            se: e.std_error,
                            lower: e.interval.lower,
                            upper: e.interval.upper,
                        })
                    })
                    .collect()
            }),
            other => {
                return Err(SweepError::Usage(format!(
                    "a {other} design has no sensitivity analysis"
                )))
            }
        };
        match rows {
            Ok(rows) => {
                if charts {
                    out.charts
                        .extend(tornado(dir, file, figure, &rows, report.as_ref())?);
                }
                out.rows.extend(rows);
            }
            Err(e) => out.skipped.push((figure.clone(), e.to_string())),
        }
    }
    write_table(&dir.join(SENSITIVITY_CSV), file, &out.rows)?;
    Ok(out)
}

/// Writes `sensitivity.csv`.
fn write_table(path: &Path, file: &SweepFile, rows: &[IndexRow]) -> Result<(), SweepError> {
    let params = &file.sweep.parameters;
    let num = |x: f64| {
        if x.is_nan() {
            String::new()
        } else {
            x.to_string()
        }
    };
    write_atomic(path, |w| {
        writeln!(
            w,
            "figure,parameter,label,method,index,estimate,se,lower,upper"
        )?;
        for r in rows {
            writeln!(
                w,
                "{},{},{},{},{},{},{},{},{}",
                csv_field(&r.figure),
                csv_field(&params[r.parameter].path),
                csv_field(&params[r.parameter].display()),
                r.method,
                r.index,
                r.estimate,
                num(r.se),
                num(r.lower),
                num(r.upper)
            )?;
        }
        Ok(())
    })?;
    Ok(())
}

/// The tornado chart of one figure: mu* with its interval (Morris), or the total-order
/// index with its interval and the first-order index inside it (Sobol').
fn tornado(
    dir: &Path,
    file: &SweepFile,
    figure: &str,
    rows: &[IndexRow],
    report: Option<&crate::scenario::report::Report>,
) -> Result<Vec<PathBuf>, SweepError> {
    let sweep = &file.sweep;
    let l = label(figure, report);
    let main = if sweep.design == DesignKind::Morris {
        "mu_star"
    } else {
        "total"
    };
    let bars = rows
        .iter()
        .filter(|r| r.index == main)
        .map(|r| {
            let inner = rows
                .iter()
                .find(|o| o.parameter == r.parameter && o.index == "first")
                .map(|o| o.estimate);
            let scale = if main == "mu_star" { l.scale } else { 1.0 };
            Bar {
                label: sweep.parameters[r.parameter].display(),
                value: r.estimate * scale,
                interval: Some((r.lower * scale, r.upper * scale)),
                inner,
            }
        })
        .collect();
    let runs = sweep.run_count();
    let (x_label, main_label, inner_label, subtitle) = if main == "mu_star" {
        (
            format!(
                "Mean absolute effect of moving a parameter across its range on: {}",
                l.full()
            ),
            "mu* (bootstrap 95% interval)".to_string(),
            None,
            format!(
                "{}: Morris elementary effects, {} trajectories of {} levels, {runs} runs \
                 (replicates averaged per point)",
                sweep.name,
                sweep
                    .sensitivity
                    .as_ref()
                    .and_then(|p| p.trajectories)
                    .unwrap_or(0),
                sweep
                    .sensitivity
                    .as_ref()
                    .and_then(|p| p.levels)
                    .unwrap_or(4),
            ),
        )
    } else {
        (
            format!("Share of the variance of: {}", l.full()),
            "total-order index (bootstrap 95% interval)".to_string(),
            Some("first-order index".to_string()),
            format!(
                "{}: Sobol' indices from Saltelli's design, {} base samples, {runs} runs \
                 (replicates averaged per point)",
                sweep.name,
                sweep
                    .sensitivity
                    .as_ref()
                    .and_then(|p| p.samples)
                    .unwrap_or(0),
            ),
        )
    };
    let chart = BarChart {
        title: format!("What moves {}", l.what.to_lowercase()),
        subtitle: Some(subtitle),
        x_label,
        main_label,
        inner_label,
        bars,
    };
    let plots = dir.join(super::chart::PLOTS_DIR);
    std::fs::create_dir_all(&plots).map_err(|source| crate::error::OutputError::Io {
        path: plots.clone(),
        source,
    })?;
    let stem = format!(
        "tornado-{}",
        figure
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            })
            .collect::<String>()
    );
    Ok(plot::draw_bar_chart(&chart, &plots, &stem)?.to_vec())
}
