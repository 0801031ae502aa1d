//! The perturbation kernel: a component-wise Gaussian on the working scale whose
//! variance is twice the weighted variance of the previous generation (Beaumont,
//! Cornuet, Marin & Robert 2009, who show that this choice minimises the
//! Kullback-Leibler divergence between the proposal and the next target for a
//! Gaussian kernel; Filippi et al. 2013 discuss it as the "component-wise" kernel).
//!
//! ```text
//!     K(z | z') = prod_k N(z_k; z'_k, s_k^2),   s_k^2 = 2 Var_w(z_k)
//! ```
//!
//! `z` is a particle on the working scale (see [`super::prior`]). A variance of 0 (all
//! particles equal in one coordinate) would freeze that coordinate for good, so `s_k`
//! is at least a billionth of the prior's working width.
//!
//! # References
//! - Beaumont, M. A., Cornuet, J.-M., Marin, J.-M., Robert, C. P. (2009). Adaptive
//!   approximate Bayesian computation. *Biometrika* 96(4), 983-990.
//! - Filippi, S., Barnes, C. P., Cornebise, J., Stumpf, M. P. H. (2013). On optimality
//!   of kernels for approximate Bayesian computation using sequential Monte Carlo.
//!   *Statistical Applications in Genetics and Molecular Biology* 12(1), 87-107.

use super::population::{weighted_mean_var, Population};
use super::prior::Parameter;
use rand::Rng as _;
use rand_distr::StandardNormal;

/// Smallest kernel sd, as a share of the prior's working width.
const MIN_SD_SHARE: f64 = 1e-9;

/// A component-wise Gaussian kernel on the working scale.
#[derive(Clone, Debug, PartialEq)]
pub struct Kernel {
    /// Standard deviation per parameter.
    pub sd: Vec<f64>,
}

impl Kernel {
    /// The kernel for proposals from `pop`: `s_k^2 = 2 Var_w(z_k)`.
    pub fn fit(pop: &Population, params: &[Parameter]) -> Kernel {
        let w = pop.weights();
        let sd = (0..params.len())
            .map(|k| {
                let (_, var) = weighted_mean_var(&pop.working(params, k), &w);
                let (a, b) = params[k].prior.working_range();
                (2.0 * var).sqrt().max(MIN_SD_SHARE * (b - a))
            })
            .collect();
        Kernel { sd }
    }

    /// A draw from `K(. | from)`.
    pub fn perturb(&self, from: &[f64], r: &mut crate::rng::Rng) -> Vec<f64> {
        from.iter()
            .zip(&self.sd)
            .map(|(z, s)| z + s * r.sample::<f64, _>(StandardNormal))
            .collect()
    }

    /// `ln K(to | from)`, without the constant `-k/2 ln(2 pi) - sum ln s_k`, which is
    /// the same for every pair and cancels when weights are normalised.
    #[inline]
    pub fn log_density_unnormalised(&self, to: &[f64], from: &[f64]) -> f64 {
        to.iter()
            .zip(from)
            .zip(&self.sd)
            .map(|((a, b), s)| {
                let d = (a - b) / s;
                -0.5 * d * d
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::population::Particle;
    use crate::calibrate::prior::Prior;

    fn pop(values: &[f64], weights: &[f64]) -> Population {
        Population {
            generation: 0,
            epsilon: f64::INFINITY,
            particles: values
                .iter()
                .zip(weights)
                .enumerate()
                .map(|(i, (&x, &w))| Particle {
                    index: i as u32,
                    theta: vec![x],
                    weight: w,
                    distance: 0.0,
                    runs: 1,
                })
                .collect(),
        }
    }

    #[test]
    fn variance_is_twice_the_weighted_variance_on_the_working_scale() {
        let lin = [Parameter {
            name: "a".into(),
            prior: Prior::uniform(0.0, 10.0).unwrap(),
        }];
        let k = Kernel::fit(&pop(&[1.0, 3.0], &[0.5, 0.5]), &lin);
        assert!((k.sd[0] - 2f64.sqrt()).abs() < 1e-12);
        let log = [Parameter {
            name: "b".into(),
            prior: Prior::log_uniform(0.01, 100.0).unwrap(),
        }];
        // ln 0.1 and ln 10 are 2 ln 10 apart: variance (ln 10)^2.
        let k = Kernel::fit(&pop(&[0.1, 10.0], &[0.5, 0.5]), &log);
        assert!((k.sd[0] - 2f64.sqrt() * 10f64.ln()).abs() < 1e-12);
        let k = Kernel::fit(&pop(&[2.0, 2.0], &[0.5, 0.5]), &lin);
        assert_eq!(k.sd[0], 1e-8);
    }

    #[test]
    fn draws_follow_the_kernel() {
        let k = Kernel { sd: vec![2.0] };
        let n = 20_000;
        let draws: Vec<f64> = (0..n)
            .map(|i| {
                let mut r = crate::rng::from_seed(i);
                k.perturb(&[1.0], &mut r)[0]
            })
            .collect();
        let (m, v) = weighted_mean_var(&draws, &vec![1.0; n as usize]);
        assert!((m - 1.0).abs() < 4.0 * 2.0 / (n as f64).sqrt(), "{m}");
        assert!((v.sqrt() - 2.0).abs() < 0.05, "{v}");
        assert_eq!(k.log_density_unnormalised(&[3.0], &[1.0]), -0.5);
    }
}
