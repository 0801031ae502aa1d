//! Charts of a finished calibration, in `plots/`: the tolerance schedule, each
//! parameter's marginal posterior, each pair's joint posterior, the posterior predictive
//! of every window with the data drawn over it, and the nowcast of the hidden quantities
//! with the last observed time marked.
//!
//! Marginals are weighted histograms (30 bins over the prior's range, on its working
//! scale: a log-uniform parameter is charted as `log10` of its value) drawn as step
//! curves with markers at the 5%, 50% and 95% posterior quantiles; pairs are weighted
//! 2-D histograms (15 x 15 bins, cells holding the posterior mass in percent).

use super::nowcast::Predictive;
use super::population::{weighted_quantile, GenerationSummary, Population};
use super::prior::{Parameter, Shape};
use crate::error::OutputError;
use crate::output::charts::time_axis;
use crate::plot::{self, format_number, Heatmap, Marker, Panel, Series, TimeChart};
use crate::scenario::Scenario;
use std::path::Path;

/// Folder of the charts in a calibration folder.
pub const PLOTS_DIR: &str = "plots";
const MARGINAL_BINS: usize = 30;
const PAIR_BINS: usize = 15;

/// Draws every chart into `dir/plots/`.
pub fn draw_all(
    dir: &Path,
    scn: &Scenario,
    params: &[Parameter],
    generations: &[GenerationSummary],
    posterior: &Population,
    predictive: &Predictive,
    data: &super::observed::ObservedData,
) -> Result<(), OutputError> {
    let plots = dir.join(PLOTS_DIR);
    std::fs::create_dir_all(&plots).map_err(|source| OutputError::Io {
        path: plots.clone(),
        source,
    })?;
    generations_chart(&plots, generations)?;
    for k in 0..params.len() {
        marginal_chart(&plots, params, posterior, k, &format!("marginal-{}", k + 1))?;
        for j in k + 1..params.len() {
            pair_chart(
                &plots,
                params,
                posterior,
                k,
                j,
                &format!("pair-{}-{}", k + 1, j + 1),
            )?;
        }
    }
    predictive_chart(&plots, scn, predictive, data)?;
    nowcast_chart(&plots, scn, predictive, data.last_hours())
}

/// A parameter as charted: its working value in `log10` for log-uniform priors.
fn charted(p: &Parameter, x: f64) -> f64 {
    match p.prior.shape {
        Shape::Uniform => x,
        Shape::LogUniform => x.log10(),
    }
}

fn axis_label(p: &Parameter) -> String {
    match p.prior.shape {
        Shape::Uniform => p.name.clone(),
        Shape::LogUniform => format!("log10 {}", p.name),
    }
}

/// A pair chart's axis title: its cells are equal on the working scale.
fn pair_label(p: &Parameter) -> String {
    match p.prior.shape {
        Shape::Uniform => p.name.clone(),
        Shape::LogUniform => format!("{} (log scale)", p.name),
    }
}

/// `generations.png`: tolerance (log scale) and acceptance rate per generation, against
/// the simulations run so far: what each tolerance cost (and whole-number x ticks, which
/// generation numbers would not get with only a few generations).
fn generations_chart(dir: &Path, rows: &[GenerationSummary]) -> Result<(), OutputError> {
    let rows: Vec<&GenerationSummary> = rows.iter().filter(|r| r.epsilon.is_finite()).collect();
    let x: Vec<f64> = rows.iter().map(|r| r.total_runs as f64).collect();
    let line = |label: &str, y: Vec<f64>| Series {
        label: label.into(),
        x: x.clone(),
        median: y,
        band: None,
    };
    let chart = TimeChart {
        // Round numbers of hours: the calibration charts run on hours since time zero.
        x_ticks: Vec::new(),
        title: "Calibration: tolerance and acceptance by generation".into(),
        subtitle: Some(format!(
            "one point per generation: {} after the prior sample",
            rows.len()
        )),
        x_label: "Simulations run so far (cumulative)".into(),
        panels: vec![
            Panel {
                y_label: "Tolerance (distance)".into(),
                series: vec![line("tolerance", rows.iter().map(|r| r.epsilon).collect())],
                log_y: true,
            },
            Panel {
                y_label: "Acceptance rate (%)".into(),
                series: vec![line(
                    "acceptance",
                    rows.iter().map(|r| 100.0 * r.acceptance_rate).collect(),
                )],
                log_y: false,
            },
        ],
        markers: Vec::new(),
        spans: Vec::new(),
    };
    plot::draw_time_chart(&chart, dir, "generations").map(|_| ())
}

/// `marginal-K.png`: the weighted histogram of parameter `k` as a step curve.
fn marginal_chart(
    dir: &Path,
    params: &[Parameter],
    pop: &Population,
    k: usize,
    stem: &str,
) -> Result<(), OutputError> {
    let p = &params[k];
    let (lo, hi) = (charted(p, p.prior.low), charted(p, p.prior.high));
    let width = (hi - lo) / MARGINAL_BINS as f64;
    let mut mass = vec![0.0; MARGINAL_BINS];
    for q in &pop.particles {
        let b = (((charted(p, q.theta[k]) - lo) / width) as usize).min(MARGINAL_BINS - 1);
        mass[b] += q.weight;
    }
    let total: f64 = mass.iter().sum();
    // A step curve: each bin's density held across the bin.
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for (b, m) in mass.iter().enumerate() {
        let density = m / total.max(f64::MIN_POSITIVE) / width;
        x.push(lo + b as f64 * width);
        y.push(density);
        x.push(lo + (b + 1) as f64 * width);
        y.push(density);
    }
    let values: Vec<f64> = pop
        .particles
        .iter()
        .map(|q| charted(p, q.theta[k]))
        .collect();
    let w = pop.weights();
    let markers = [(0.05, "5%"), (0.5, "median"), (0.95, "95%")]
        .iter()
        .map(|&(q, label)| Marker {
            x: weighted_quantile(&values, &w, q),
            label: label.into(),
        })
        .collect();
    let chart = TimeChart {
        // Round numbers of hours: the calibration charts run on hours since time zero.
        x_ticks: Vec::new(),
        title: format!("Posterior of {}", p.name),
        subtitle: Some(format!(
            "weighted histogram of {} particles (ESS {:.0}); prior {} {}",
            pop.particles.len(),
            pop.ess(),
            match p.prior.shape {
                Shape::Uniform => "uniform on",
                Shape::LogUniform => "log-uniform on",
            },
            p.prior
        )),
        x_label: axis_label(p),
        panels: vec![Panel {
            y_label: "Posterior density".into(),
            series: vec![Series {
                label: String::new(),
                x,
                median: y,
                band: None,
            }],
            log_y: false,
        }],
        markers,
        spans: Vec::new(),
    };
    plot::draw_time_chart(&chart, dir, stem).map(|_| ())
}

/// `pair-I-J.png`: the weighted 2-D histogram of parameters `a` and `b`.
fn pair_chart(
    dir: &Path,
    params: &[Parameter],
    pop: &Population,
    a: usize,
    b: usize,
    stem: &str,
) -> Result<(), OutputError> {
    let range = |k: usize| {
        let p = &params[k];
        (charted(p, p.prior.low), charted(p, p.prior.high))
    };
    let ((alo, ahi), (blo, bhi)) = (range(a), range(b));
    let bin = |x: f64, lo: f64, hi: f64| {
        (((x - lo) / (hi - lo) * PAIR_BINS as f64) as usize).min(PAIR_BINS - 1)
    };
    let mut cells = vec![vec![0.0; PAIR_BINS]; PAIR_BINS];
    let total: f64 = pop.particles.iter().map(|q| q.weight).sum();
    for q in &pop.particles {
        let i = bin(charted(&params[a], q.theta[a]), alo, ahi);
        let j = bin(charted(&params[b], q.theta[b]), blo, bhi);
        cells[j][i] += 100.0 * q.weight / total;
    }
    // Cells are labelled by the value at their centre, not its logarithm: a reader
    // wants 0.0085, not -2.07.
    let centres = |k: usize, lo: f64, hi: f64| -> Vec<String> {
        (0..PAIR_BINS)
            .map(|i| {
                let c = lo + (i as f64 + 0.5) * (hi - lo) / PAIR_BINS as f64;
                match params[k].prior.shape {
                    Shape::Uniform => format_number(c, 3),
                    Shape::LogUniform => format_number(10f64.powf(c), 2),
                }
            })
            .collect()
    };
    let h = Heatmap {
        title: format!(
            "Joint posterior of {} and {}",
            params[a].name, params[b].name
        ),
        x_label: pair_label(&params[a]),
        y_label: pair_label(&params[b]),
        value_label: "Posterior mass (%)".into(),
        x_values: centres(a, alo, ahi),
        y_values: centres(b, blo, bhi),
        values: cells,
    };
    plot::draw_heatmap(&h, dir, stem).map(|_| ())
}

/// `predictive.png`: per window, the predictive band of cumulative items and the data.
fn predictive_chart(
    dir: &Path,
    scn: &Scenario,
    pred: &Predictive,
    data: &super::observed::ObservedData,
) -> Result<(), OutputError> {
    let (scale, x_label) = time_axis(scn);
    let x: Vec<f64> = pred.hours.iter().map(|h| h * scale).collect();
    let panels = pred
        .windows
        .iter()
        .zip(&data.windows)
        .take(plot::MAX_PANELS)
        .map(|(curve, w)| Panel {
            y_label: format!("{}: items seen", curve.name),
            series: vec![
                Series {
                    label: "posterior predictive (median, 5-95%)".into(),
                    x: x.clone(),
                    median: curve.bands.iter().map(|b| b.median).collect(),
                    band: Some((
                        curve.bands.iter().map(|b| b.p5).collect(),
                        curve.bands.iter().map(|b| b.p95).collect(),
                    )),
                },
                Series {
                    label: "observed".into(),
                    x: w.points.iter().map(|p| p.0 * scale).collect(),
                    median: w.points.iter().map(|p| p.1 as f64).collect(),
                    band: None,
                },
            ],
            log_y: false,
        })
        .collect();
    let chart = TimeChart {
        // Round numbers of hours: the calibration charts run on hours since time zero.
        x_ticks: Vec::new(),
        title: "Posterior predictive of the observation windows".into(),
        subtitle: Some(format!(
            "cumulative items seen; {} posterior draws",
            pred.draws
        )),
        x_label: x_label.into(),
        panels,
        markers: vec![Marker {
            x: data.last_hours() * scale,
            label: "last data".into(),
        }],
        spans: Vec::new(),
    };
    plot::draw_time_chart(&chart, dir, "predictive").map(|_| ())
}

/// `nowcast.png`: users reached and believing (and per camp), median and 5-95% band
/// across posterior draws, with the last observed time marked.
fn nowcast_chart(
    dir: &Path,
    scn: &Scenario,
    pred: &Predictive,
    last: f64,
) -> Result<(), OutputError> {
    let (scale, x_label) = time_axis(scn);
    let x: Vec<f64> = pred.hours.iter().map(|h| h * scale).collect();
    let series = |name: &str, label: &str| {
        pred.hidden.iter().find(|c| c.name == name).map(|c| Series {
            label: label.into(),
            x: x.clone(),
            median: c.bands.iter().map(|b| b.median).collect(),
            band: Some((
                c.bands.iter().map(|b| b.p5).collect(),
                c.bands.iter().map(|b| b.p95).collect(),
            )),
        })
    };
    let mut panels = vec![Panel {
        y_label: "Users".into(),
        series: [("reached", "reached"), ("believers", "believers")]
            .iter()
            .filter_map(|(n, l)| series(n, l))
            .collect(),
        log_y: false,
    }];
    let camps = scn.camp_names();
    if camps.len() > 1 {
        panels.push(Panel {
            y_label: "Users reached, per camp".into(),
            series: camps
                .iter()
                .filter_map(|c| series(&format!("reached_{c}"), c))
                .collect(),
            log_y: false,
        });
    }
    let chart = TimeChart {
        // Round numbers of hours: the calibration charts run on hours since time zero.
        x_ticks: Vec::new(),
        title: "Nowcast: what the windows did not see".into(),
        subtitle: Some(format!(
            "median and 5-95% band over {} posterior draws",
            pred.draws
        )),
        x_label: x_label.into(),
        panels,
        markers: vec![Marker {
            x: last * scale,
            label: "last data".into(),
        }],
        spans: Vec::new(),
    };
    plot::draw_time_chart(&chart, dir, "nowcast").map(|_| ())
}
