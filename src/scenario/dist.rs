//! Parameter distributions used in scenario files, and how to sample them.
//!
//! Scenario authors write e.g. `skepticism = { dist = "beta", alpha = 2, beta = 3 }` or
//! `size = { dist = "lognormal", median = 8, sigma = 0.6, min = 3, max = 40 }`.
//! `RealDist` describes attributes in a range (skepticism, activity); `IntDist` describes
//! counts (chat sizes, fanout).

use crate::rng::Rng;
use rand::Rng as _;
use rand_distr::{Beta, Distribution, LogNormal, Poisson};
use serde::{Deserialize, Serialize};

/// A distribution of a real-valued user attribute.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
pub enum RealDist {
    /// Every user gets `value`.
    Constant {
        /// The value.
        value: f64,
    },
    /// Uniform on `[min, max]`.
    Uniform {
        /// Lower end.
        min: f64,
        /// Upper end.
        max: f64,
    },
    /// Beta(alpha, beta) on [0, 1]; mean alpha / (alpha + beta).
    Beta {
        /// First shape parameter (> 0).
        alpha: f64,
        /// Second shape parameter (> 0).
        beta: f64,
    },
}

impl RealDist {
    /// Checks the parameters; `lo..=hi` is the attribute's allowed range.
    pub fn check(&self, lo: f64, hi: f64) -> Result<(), String> {
        let inside = |x: f64| x.is_finite() && x >= lo && x <= hi;
        match *self {
            RealDist::Constant { value } if !inside(value) => Err(format!(
                "value = {value} is outside the allowed range [{lo}, {hi}]"
            )),
            RealDist::Uniform { min, max } if !(inside(min) && inside(max) && min <= max) => Err(
                format!("min = {min}, max = {max}: need {lo} <= min <= max <= {hi}"),
            ),
            RealDist::Beta { alpha, beta }
                if !(alpha.is_finite() && beta.is_finite() && alpha > 0.0 && beta > 0.0) =>
            {
                Err(format!("alpha = {alpha}, beta = {beta}: both must be > 0"))
            }
            RealDist::Beta { .. } if lo > 0.0 || hi < 1.0 => Err(format!(
                "a beta distribution covers [0, 1], wider than the allowed [{lo}, {hi}]"
            )),
            _ => Ok(()),
        }
    }

    /// The distribution's mean.
    pub fn mean(&self) -> f64 {
        match *self {
            RealDist::Constant { value } => value,
            RealDist::Uniform { min, max } => 0.5 * (min + max),
            RealDist::Beta { alpha, beta } => alpha / (alpha + beta),
        }
    }

    /// Draws one value. Parameters must have passed [`RealDist::check`].
    pub fn sample(&self, rng: &mut Rng) -> f64 {
        match *self {
            RealDist::Constant { value } => value,
            RealDist::Uniform { min, max } => min + (max - min) * rng.random::<f64>(),
            RealDist::Beta { alpha, beta } => Beta::new(alpha, beta)
                .map(|d| d.sample(rng))
                .unwrap_or(alpha / (alpha + beta)),
        }
    }
}

/// A distribution of a whole-number count (chat size, fanout, contacts).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
pub enum IntDist {
    /// Always `value`.
    Constant {
        /// The value.
        value: u32,
    },
    /// Uniform on `min..=max`.
    Uniform {
        /// Smallest value.
        min: u32,
        /// Largest value.
        max: u32,
    },
    /// `min` plus a Poisson count with mean `mean - min`, capped at `max`.
    Poisson {
        /// Mean before the cap.
        mean: f64,
        /// Smallest value (default 0).
        #[serde(default)]
        min: u32,
        /// Largest value (default: none).
        #[serde(default = "u32_max")]
        max: u32,
    },
    /// Discrete power law: P(k) proportional to k^-exponent on `min..=max` (heavy tail).
    Zipf {
        /// Exponent of the power law (> 1 for a finite mean without a cap).
        exponent: f64,
        /// Smallest value (default 1).
        #[serde(default = "one")]
        min: u32,
        /// Largest value.
        max: u32,
    },
    /// Rounded log-normal with the given median and log-scale sigma, clamped to `min..=max`.
    Lognormal {
        /// Median.
        median: f64,
        /// Standard deviation of the logarithm.
        sigma: f64,
        /// Smallest value (default 1).
        #[serde(default = "one")]
        min: u32,
        /// Largest value (default: none).
        #[serde(default = "u32_max")]
        max: u32,
    },
    /// Every chat the user can post to (only meaningful for fanout).
    All,
}

fn u32_max() -> u32 {
    u32::MAX
}
fn one() -> u32 {
    1
}

impl IntDist {
    /// Checks parameters. `allow_all` says whether `dist = "all"` makes sense here.
    pub fn check(&self, allow_all: bool) -> Result<(), String> {
        match *self {
            IntDist::Uniform { min, max } if min > max => Err(format!("min = {min} > max = {max}")),
            IntDist::Poisson { mean, min, max } if !(mean.is_finite() && mean >= min as f64 && min <= max) => {
                Err(format!("mean = {mean}, min = {min}, max = {max}: need min <= mean and min <= max"))
            }
            IntDist::Zipf { exponent, min, max } if !(exponent.is_finite() && exponent > 0.0 && min >= 1 && min <= max) => {
                Err(format!("exponent = {exponent}, min = {min}, max = {max}: need exponent > 0 and 1 <= min <= max"))
            }
            IntDist::Zipf { min, max, .. } if max - min > 10_000_000 => {
                Err(format!("min = {min}, max = {max}: a zipf range wider than 10^7 is not supported"))
            }
            IntDist::Lognormal { median, sigma, min, max }
                if !(median.is_finite() && median > 0.0 && sigma.is_finite() && sigma >= 0.0 && min <= max) =>
            {
                Err(format!("median = {median}, sigma = {sigma}, min = {min}, max = {max}: need median > 0, sigma >= 0, min <= max"))
            }
            IntDist::All if !allow_all => Err("dist = \"all\" is only allowed for fanout".into()),
            _ => Ok(()),
        }
    }

    /// Smallest and largest value the distribution can produce.
    pub fn bounds(&self) -> (u32, u32) {
        match *self {
            IntDist::Constant { value } => (value, value),
            IntDist::Uniform { min, max }
            | IntDist::Poisson { min, max, .. }
            | IntDist::Zipf { min, max, .. }
            | IntDist::Lognormal { min, max, .. } => (min, max),
            IntDist::All => (0, u32::MAX),
        }
    }

    /// Approximate mean, used for sizing (chat counts, memory estimates). `cap` is an
    /// upper bound applied afterwards (e.g. the platform's group size cap).
    pub fn mean(&self, cap: u32) -> f64 {
        match *self {
            IntDist::Constant { value } => value.min(cap) as f64,
            IntDist::Uniform { min, max } => 0.5 * (min.min(cap) as f64 + max.min(cap) as f64),
            IntDist::Poisson { mean, max, .. } => mean.min(max as f64).min(cap as f64),
            IntDist::Zipf { exponent, min, max } => {
                let hi = max.min(cap).max(min);
                let (mut num, mut den) = (0.0, 0.0);
                for k in min..=hi.min(min.saturating_add(100_000)) {
                    let w = (k as f64).powf(-exponent);
                    num += w * k as f64;
                    den += w;
                }
                num / den
            }
            IntDist::Lognormal {
                median,
                sigma,
                min,
                max,
            } => (median * (0.5 * sigma * sigma).exp()).clamp(min as f64, max.min(cap) as f64),
            IntDist::All => f64::INFINITY,
        }
    }

    /// Draws one value, at most `cap`. `All` draws `u32::MAX` (caller interprets it).
    pub fn sample(&self, rng: &mut Rng, cap: u32) -> u32 {
        let v = match *self {
            IntDist::Constant { value } => value,
            IntDist::Uniform { min, max } => rng.random_range(min..=max),
            IntDist::Poisson { mean, min, max } => {
                let extra = mean - min as f64;
                let k = if extra > 0.0 {
                    Poisson::new(extra).map(|d| d.sample(rng)).unwrap_or(extra)
                } else {
                    0.0
                };
                (min as f64 + k).min(max as f64) as u32
            }
            IntDist::Zipf { exponent, min, max } => {
                sample_zipf(rng, exponent, min, max.min(cap).max(min))
            }
            IntDist::Lognormal {
                median,
                sigma,
                min,
                max,
            } => {
                let x = LogNormal::new(median.ln(), sigma)
                    .map(|d| d.sample(rng))
                    .unwrap_or(median);
                x.round().clamp(min as f64, max as f64) as u32
            }
            IntDist::All => u32::MAX,
        };
        v.min(cap)
    }
}

/// Power law on `min..=max` by inversion of the continuous density, rounded down;
/// exact enough for heavy-tailed fanouts and group sizes, and O(1).
fn sample_zipf(rng: &mut Rng, s: f64, min: u32, max: u32) -> u32 {
    let (a, b) = (min as f64, max as f64 + 1.0);
    let u: f64 = rng.random();
    let x = if (s - 1.0).abs() < 1e-9 {
        a * (b / a).powf(u)
    } else {
        let e = 1.0 - s;
        (a.powf(e) + u * (b.powf(e) - a.powf(e))).powf(1.0 / e)
    };
    (x.floor() as u32).clamp(min, max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::from_seed;

    #[test]
    fn beta_mean_matches() {
        let d = RealDist::Beta {
            alpha: 2.0,
            beta: 3.0,
        };
        let mut rng = from_seed(1);
        let n = 50_000;
        let m: f64 = (0..n).map(|_| d.sample(&mut rng)).sum::<f64>() / n as f64;
        // sd of Beta(2,3) is 0.2; 4 standard errors.
        assert!((m - 0.4).abs() < 4.0 * 0.2 / (n as f64).sqrt());
    }

    #[test]
    fn zipf_stays_in_range_and_is_heavy_tailed() {
        let d = IntDist::Zipf {
            exponent: 2.0,
            min: 1,
            max: 50,
        };
        let mut rng = from_seed(2);
        let xs: Vec<u32> = (0..20_000).map(|_| d.sample(&mut rng, u32::MAX)).collect();
        assert!(xs.iter().all(|&x| (1..=50).contains(&x)));
        let ones = xs.iter().filter(|&&x| x == 1).count() as f64 / xs.len() as f64;
        assert!(ones > 0.4, "most users forward to one chat, got {ones}");
        assert!(xs.iter().any(|&x| x >= 20), "a few forward to dozens");
    }

    #[test]
    fn cap_applies() {
        let d = IntDist::Constant { value: 900 };
        assert_eq!(d.sample(&mut from_seed(3), 256), 256);
        assert_eq!(d.mean(256), 256.0);
    }

    #[test]
    fn checks_refuse_bad_parameters() {
        assert!(RealDist::Beta {
            alpha: 0.0,
            beta: 1.0
        }
        .check(0.0, 1.0)
        .is_err());
        assert!(RealDist::Constant { value: 1.5 }.check(0.0, 1.0).is_err());
        assert!(IntDist::Uniform { min: 5, max: 2 }.check(false).is_err());
        assert!(IntDist::All.check(false).is_err());
        assert!(IntDist::All.check(true).is_ok());
    }
}
