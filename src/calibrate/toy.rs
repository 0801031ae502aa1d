//! A toy model with a known posterior, for the tests and for the cross-check against
//! pyabc (`scripts/crosscheck-abc.sh`): the mean of a normal distribution with known
//! standard deviation.
//!
//! Data: `n` observations with mean `xbar`, from `N(mu, sigma^2)`, `sigma` known. Prior:
//! `mu` uniform on `[low, high]`. The sample mean is sufficient, so the posterior is
//! `N(xbar, s^2)` with `s = sigma / sqrt(n)`, truncated to `[low, high]`
//! ([`NormalMean::posterior`]).
//!
//! The simulator draws `n` observations at `mu` and returns the distance
//! `|mean - xbar|`. ABC accepting distances up to `eps` targets the posterior of `mu`
//! given `|xbar_sim - xbar| <= eps`, which (far from the prior's bounds) is `N(xbar, s^2)`
//! convolved with the uniform distribution on `[-eps, eps]`: mean `xbar`, variance
//! `s^2 + eps^2 / 3` ([`NormalMean::abc_sd`]). As `eps -> 0` it tends to the posterior.

use crate::metrics::special::normal_cdf;
use rand::Rng as _;
use rand_distr::StandardNormal;
use std::convert::Infallible;

/// The normal-mean model: `n` observations of known `sigma` with mean `xbar`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NormalMean {
    /// Mean of the observations.
    pub xbar: f64,
    /// Known standard deviation of one observation (above 0).
    pub sigma: f64,
    /// Number of observations (at least 1).
    pub n: u32,
}

impl NormalMean {
    /// The distance of a simulation of `n` draws at `mu` (`theta[0]`) with `seed`.
    pub fn simulate(&self, theta: &[f64], seed: u64) -> Result<f64, Infallible> {
        let mut r = crate::rng::from_seed(seed);
        let sum: f64 = (0..self.n)
            .map(|_| theta[0] + self.sigma * r.sample::<f64, _>(StandardNormal))
            .sum();
        Ok((sum / self.n as f64 - self.xbar).abs())
    }

    /// Standard deviation of the sample mean, `sigma / sqrt(n)`.
    pub fn s(&self) -> f64 {
        self.sigma / (self.n as f64).sqrt()
    }

    /// Mean and standard deviation of the exact posterior under a uniform prior on
    /// `[low, high]`: a normal `N(xbar, s^2)` truncated to the prior's range.
    pub fn posterior(&self, low: f64, high: f64) -> (f64, f64) {
        let s = self.s();
        let (a, b) = ((low - self.xbar) / s, (high - self.xbar) / s);
        let phi = |z: f64| (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let z = normal_cdf(b) - normal_cdf(a);
        let mean = self.xbar + s * (phi(a) - phi(b)) / z;
        let var = s * s * (1.0 + (a * phi(a) - b * phi(b)) / z - ((phi(a) - phi(b)) / z).powi(2));
        (mean, var.sqrt())
    }

    /// Standard deviation of the ABC posterior at tolerance `eps`, far from the
    /// prior's bounds: `sqrt(s^2 + eps^2 / 3)`.
    pub fn abc_sd(&self, eps: f64) -> f64 {
        (self.s().powi(2) + eps * eps / 3.0).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncated_posterior_matches_its_limits() {
        let m = NormalMean {
            xbar: 1.0,
            sigma: 2.0,
            n: 16,
        };
        let (mean, sd) = m.posterior(-100.0, 100.0);
        assert!((mean - 1.0).abs() < 1e-12 && (sd - 0.5).abs() < 1e-9);
        // Truncated at the mean: a half-normal, mean xbar + s sqrt(2/pi),
        // sd s sqrt(1 - 2/pi).
        let (mean, sd) = m.posterior(1.0, 100.0);
        let pi = std::f64::consts::PI;
        assert!(
            (mean - (1.0 + 0.5 * (2.0 / pi).sqrt())).abs() < 1e-9,
            "{mean}"
        );
        assert!((sd - 0.5 * (1.0 - 2.0 / pi).sqrt()).abs() < 1e-9, "{sd}");
        assert!((m.abc_sd(0.0) - 0.5).abs() < 1e-15);
    }

    #[test]
    fn simulated_distances_have_the_sampling_spread() {
        let m = NormalMean {
            xbar: 0.0,
            sigma: 1.0,
            n: 4,
        };
        // E|N(0, 1/4)| = 0.5 sqrt(2/pi).
        let k = 20_000;
        let mean = (0..k).map(|s| m.simulate(&[0.0], s).unwrap()).sum::<f64>() / k as f64;
        let expected = 0.5 * (2.0 / std::f64::consts::PI).sqrt();
        assert!((mean - expected).abs() < 0.01, "{mean}");
    }
}
