//! Weighted particle populations: one finished generation of the sampler, and the
//! weighted statistics read from it (effective sample size, means, variances on the
//! working scale, quantiles of parameters and distances).
//!
//! Weighted quantiles interpolate linearly between the midpoints of the sorted values'
//! cumulative weights: with values `x_(1) <= ... <= x_(n)` and weights `w_(i)` summing
//! to 1, `x_(i)` sits at `c_i = w_(1) + ... + w_(i) - w_(i)/2`, and the `q`-quantile is
//! interpolated between the two values whose positions bracket `q` (the first or last
//! value outside `[c_1, c_n]`). With equal weights this is Hazen's quantile (type 5 of
//! Hyndman & Fan 1996); it is also what pyabc's `weighted_quantile` computes, so the
//! tolerance schedules of the two implementations can be compared.

use super::prior::Parameter;
use serde::Serialize;

/// One accepted particle: a parameter vector (natural scale), its normalised weight,
/// the distance of its simulation, and the simulations it took to be accepted.
#[derive(Clone, Debug, PartialEq)]
pub struct Particle {
    /// Particle index in its generation, `0..particles`.
    pub index: u32,
    /// Parameter values on the natural scale, in parameter order.
    pub theta: Vec<f64>,
    /// Normalised importance weight (the weights of a generation sum to 1).
    pub weight: f64,
    /// Distance between the accepted simulation and the data.
    pub distance: f64,
    /// Simulations run for this particle (proposals outside the prior not counted).
    pub runs: u32,
}

/// A finished generation: its tolerance and its particles in index order.
#[derive(Clone, Debug, PartialEq)]
pub struct Population {
    /// Generation number, from 0 (the prior sample).
    pub generation: u32,
    /// Tolerance: every particle's distance is at most this (infinite for generation 0).
    pub epsilon: f64,
    /// Particles in index order.
    pub particles: Vec<Particle>,
}

/// The row of `generations.csv` for one finished generation.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct GenerationSummary {
    /// Generation number, from 0 (the prior sample).
    pub generation: u32,
    /// Tolerance of the generation (infinite for generation 0).
    pub epsilon: f64,
    /// Particles in the generation.
    pub particles: usize,
    /// Simulations run in this generation.
    pub runs: u64,
    /// `particles / runs`.
    pub acceptance_rate: f64,
    /// Effective sample size of the weights, `1 / sum w_i^2`.
    pub ess: f64,
    /// Simulations run in this and every earlier generation.
    pub total_runs: u64,
}

/// Posterior summary of one parameter on its natural scale.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Marginal {
    /// The parameter's name (its key path).
    pub name: String,
    /// Weighted posterior mean.
    pub mean: f64,
    /// Weighted posterior standard deviation.
    pub sd: f64,
    /// Weighted posterior median (50% quantile).
    pub median: f64,
    /// Lower end of the central 90% credible interval (weighted 5% quantile).
    pub q05: f64,
    /// Upper end of the central 90% credible interval (weighted 95% quantile).
    pub q95: f64,
}

impl Population {
    /// Simulations run in this generation.
    pub fn runs(&self) -> u64 {
        self.particles.iter().map(|p| p.runs as u64).sum()
    }

    /// Effective sample size `(sum w)^2 / sum w^2` (Liu 2001; Kong et al. 1994).
    pub fn ess(&self) -> f64 {
        let (s, s2) = self.particles.iter().fold((0.0, 0.0), |(s, s2), p| {
            (s + p.weight, s2 + p.weight * p.weight)
        });
        if s2 > 0.0 {
            s * s / s2
        } else {
            0.0
        }
    }

    /// Weights in index order.
    pub fn weights(&self) -> Vec<f64> {
        self.particles.iter().map(|p| p.weight).collect()
    }

    /// Values of parameter `k` on the working scale, in index order.
    pub fn working(&self, params: &[Parameter], k: usize) -> Vec<f64> {
        let prior = &params[k].prior;
        self.particles
            .iter()
            .map(|p| prior.to_working(p.theta[k]))
            .collect()
    }

    /// The generation's row of `generations.csv`, given the runs of earlier ones.
    pub fn summary(&self, earlier_runs: u64) -> GenerationSummary {
        let runs = self.runs();
        GenerationSummary {
            generation: self.generation,
            epsilon: self.epsilon,
            particles: self.particles.len(),
            runs,
            acceptance_rate: if runs > 0 {
                self.particles.len() as f64 / runs as f64
            } else {
                f64::NAN
            },
            ess: self.ess(),
            total_runs: earlier_runs + runs,
        }
    }

    /// Posterior mean, sd, median and 90% interval of every parameter.
    pub fn marginals(&self, params: &[Parameter]) -> Vec<Marginal> {
        let w = self.weights();
        params
            .iter()
            .enumerate()
            .map(|(k, p)| {
                let x: Vec<f64> = self.particles.iter().map(|q| q.theta[k]).collect();
                let (mean, var) = weighted_mean_var(&x, &w);
                Marginal {
                    name: p.name.clone(),
                    mean,
                    sd: var.sqrt(),
                    median: weighted_quantile(&x, &w, 0.5),
                    q05: weighted_quantile(&x, &w, 0.05),
                    q95: weighted_quantile(&x, &w, 0.95),
                }
            })
            .collect()
    }

    /// Cumulative weights, for drawing parents.
    pub(crate) fn cumulative(&self) -> Vec<f64> {
        let mut acc = 0.0;
        self.particles
            .iter()
            .map(|p| {
                acc += p.weight;
                acc
            })
            .collect()
    }
}

/// Index of the parent drawn by `u` in `[0, 1)` from cumulative weights: the first
/// index whose cumulative weight exceeds `u` times the total.
pub(crate) fn draw_index(cumulative: &[f64], u: f64) -> usize {
    let total = cumulative.last().copied().unwrap_or(0.0);
    let target = u * total;
    cumulative
        .partition_point(|&c| c <= target)
        .min(cumulative.len().saturating_sub(1))
}

/// Weighted mean and variance `sum w (x - mean)^2 / sum w` (weights need not sum to 1).
pub fn weighted_mean_var(x: &[f64], w: &[f64]) -> (f64, f64) {
    let total: f64 = w.iter().sum();
    if total <= 0.0 || x.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mean = x.iter().zip(w).map(|(x, w)| x * w).sum::<f64>() / total;
    let var = x
        .iter()
        .zip(w)
        .map(|(x, w)| w * (x - mean) * (x - mean))
        .sum::<f64>()
        / total;
    (mean, var)
}

/// Weighted `q`-quantile by midpoint interpolation (see the module header); NaN for no
/// values. Infinite values sort last and may be the result.
pub fn weighted_quantile(x: &[f64], w: &[f64], q: f64) -> f64 {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(a.cmp(&b)));
    let total: f64 = w.iter().sum();
    if order.is_empty() || total <= 0.0 {
        return f64::NAN;
    }
    let mut acc = 0.0;
    let mut prev: Option<(f64, f64)> = None;
    for &i in &order {
        let c = (acc + w[i] / 2.0) / total;
        acc += w[i];
        if c >= q {
            return match prev {
                None => x[i],
                Some((pc, px)) if c > pc && px.is_finite() && x[i].is_finite() => {
                    px + (q - pc) / (c - pc) * (x[i] - px)
                }
                Some(_) => x[i],
            };
        }
        prev = Some((c, x[i]));
    }
    x[*order.last().expect("not empty")]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_weight_quantiles_are_hazen() {
        let x = [3.0, 1.0, 4.0, 2.0];
        let w = [1.0; 4];
        // Positions 0.125, 0.375, 0.625, 0.875 for 1, 2, 3, 4.
        assert_eq!(weighted_quantile(&x, &w, 0.5), 2.5);
        assert_eq!(weighted_quantile(&x, &w, 0.125), 1.0);
        assert_eq!(weighted_quantile(&x, &w, 0.05), 1.0);
        assert_eq!(weighted_quantile(&x, &w, 0.99), 4.0);
        assert!((weighted_quantile(&x, &w, 0.25) - 1.5).abs() < 1e-12);
        // numpy: np.interp(0.3, np.cumsum(w) - w / 2, [1, 2, 3, 4]) with
        // w = [0.1, 0.2, 0.3, 0.4]: midpoints 0.05, 0.2, 0.45, 0.8, so 2 + 0.1 / 0.25.
        let wq = weighted_quantile(&[1.0, 2.0, 3.0, 4.0], &[0.1, 0.2, 0.3, 0.4], 0.3);
        assert!((wq - 2.4).abs() < 1e-12, "{wq}");
        assert!(weighted_quantile(&[], &[], 0.5).is_nan());
        assert_eq!(
            weighted_quantile(&[1.0, f64::INFINITY], &[1.0, 1.0], 0.9),
            f64::INFINITY
        );
    }

    #[test]
    fn ess_and_moments() {
        let pop = Population {
            generation: 1,
            epsilon: 1.0,
            particles: [0.5, 0.25, 0.25]
                .iter()
                .enumerate()
                .map(|(i, &w)| Particle {
                    index: i as u32,
                    theta: vec![i as f64],
                    weight: w,
                    distance: 0.0,
                    runs: 2,
                })
                .collect(),
        };
        assert!((pop.ess() - 1.0 / (0.25 + 0.0625 * 2.0)).abs() < 1e-12);
        assert_eq!(pop.runs(), 6);
        let s = pop.summary(10);
        assert_eq!((s.runs, s.total_runs, s.acceptance_rate), (6, 16, 0.5));
        let (m, v) = weighted_mean_var(&[0.0, 1.0, 2.0], &[0.5, 0.25, 0.25]);
        assert_eq!(m, 0.75);
        assert!((v - (0.5 * 0.5625 + 0.25 * 0.0625 + 0.25 * 1.5625)).abs() < 1e-12);
        let c = pop.cumulative();
        assert_eq!(draw_index(&c, 0.0), 0);
        assert_eq!(draw_index(&c, 0.49), 0);
        assert_eq!(draw_index(&c, 0.5), 1);
        assert_eq!(draw_index(&c, 0.999), 2);
    }
}
