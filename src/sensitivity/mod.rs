//! Global sensitivity analysis: which parameters move a figure, and by how much, over
//! the whole range of every parameter at once.
//!
//! - [`morris`]: Morris elementary effects, a screening method: `r (k + 1)` model runs
//!   rank `k` parameters by the mean absolute effect of a jump in each (mu*), and show
//!   by the spread of the effects (sigma) which act through interactions or nonlinearly.
//! - [`sobol`]: variance-based Sobol' indices: the share of the output's variance due
//!   to each parameter alone (first order) and with all its interactions (total
//!   order), from `N (k + 2)` runs of Saltelli's design, with bootstrap intervals.
//! - [`sequence`]: the Sobol' low-discrepancy sequence behind the Sobol' design.
//! - [`functions`]: test functions with known indices (Ishigami, linear), for the
//!   tests, the cross-check against SALib and anyone checking the estimators.
//!
//! Design and analysis are separate so that the model runs can go through the sweep
//! machinery (streamed, resumed, sharded, on Slurm): a design lists points in the unit
//! cube `[0, 1]^k` by row id (`point(row)`, or all of them with `points()`), the
//! caller maps each coordinate to its parameter's range (for sweeps, `Domain::at`)
//! and runs the model, and the design's `analyse` takes the outputs indexed by row id.
//! A design is determined by its arguments and seed: every random draw comes from a
//! stream keyed by (seed, purpose, index) through [`crate::rng::derive_seed`], so the
//! points and the bootstrap are the same on every machine, thread count and shard, and
//! any row can be computed on its own.
//!
//! Effects and indices are reported per parameter in the order the design was given.

pub mod functions;
pub mod morris;
pub mod sequence;
pub mod sobol;

pub use morris::{MorrisDesign, MorrisEffect, MorrisEffects};
pub use sequence::SobolSequence;
pub use sobol::{SobolBase, SobolDesign, SobolIndex, SobolIndices};

use crate::error::SensitivityError;
use crate::metrics::bands::quantile_sorted;
use crate::metrics::probability::{Interval, Level};
use crate::rng::{self, derive_seed};
use rand::Rng as _;
use serde::Serialize;

/// Most model runs a design may ask for; anything near it is a mistake in the
/// arguments, not a plan (a day of runs at a millisecond each is 8.6e7).
pub const MAX_ROWS: u64 = 1 << 26;

/// How the uncertainty of an estimate is assessed: `resamples` bootstrap resamples
/// (Efron & Tibshirani 1993), a percentile interval at `level`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Bootstrap {
    /// Number of resamples, at least 2 (1000 is usual for 95% percentile intervals).
    pub resamples: usize,
    /// Confidence level of the percentile interval.
    pub level: Level,
}

impl Default for Bootstrap {
    fn default() -> Bootstrap {
        Bootstrap {
            resamples: 1000,
            level: Level::P95,
        }
    }
}

impl Bootstrap {
    fn check(&self) -> Result<(), SensitivityError> {
        if self.resamples < 2 {
            return Err(SensitivityError::TooFew {
                what: "bootstrap resamples",
                got: self.resamples,
                min: 2,
            });
        }
        Ok(())
    }
}

/// A point estimate with its bootstrap standard error and percentile interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Estimate {
    /// The estimate from all the data.
    pub value: f64,
    /// Standard deviation of the bootstrap replicates (NaN if fewer than two are
    /// finite).
    pub std_error: f64,
    /// Percentile interval of the bootstrap replicates.
    pub interval: Interval,
}

impl Estimate {
    /// The estimate `value` with the spread of its bootstrap `replicates` (non-finite
    /// replicates, from resamples where the estimator is undefined, are left out).
    fn from_replicates(value: f64, mut replicates: Vec<f64>, level: Level) -> Estimate {
        replicates.retain(|x| x.is_finite());
        replicates.sort_by(f64::total_cmp);
        let n = replicates.len();
        let std_error = if n < 2 {
            f64::NAN
        } else {
            let mean = replicates.iter().sum::<f64>() / n as f64;
            let ss: f64 = replicates.iter().map(|x| (x - mean).powi(2)).sum();
            (ss / (n - 1) as f64).sqrt()
        };
        let tail = level.alpha() / 2.0;
        Estimate {
            value,
            std_error,
            interval: Interval {
                lower: quantile_sorted(&replicates, tail),
                upper: quantile_sorted(&replicates, 1.0 - tail),
            },
        }
    }
}

/// Indices `0..n` drawn with replacement for bootstrap resample `b`, from a stream
/// keyed by (seed, tag, b).
fn resample(seed: u64, tag: u64, b: usize, n: usize) -> Vec<usize> {
    let mut r = rng::from_seed(derive_seed(seed, &[tag, b as u64]));
    (0..n).map(|_| r.random_range(0..n)).collect()
}

/// Refuses output vectors that are not one finite number per row.
fn check_outputs(outputs: &[f64], rows: usize) -> Result<(), SensitivityError> {
    if outputs.len() != rows {
        return Err(SensitivityError::Outputs {
            expected: rows,
            got: outputs.len(),
        });
    }
    let bad: Vec<usize> = (0..rows).filter(|&i| !outputs[i].is_finite()).collect();
    if !bad.is_empty() {
        return Err(SensitivityError::NonFinite {
            count: bad.len(),
            rows: bad.into_iter().take(5).collect(),
        });
    }
    Ok(())
}

/// `a * b` for a design size, refused above [`MAX_ROWS`].
fn rows_of(a: usize, b: usize) -> Result<usize, SensitivityError> {
    let rows = a as u128 * b as u128;
    if rows > u128::from(MAX_ROWS) {
        return Err(SensitivityError::TooLarge {
            rows,
            max: MAX_ROWS,
        });
    }
    Ok(rows as usize)
}

/// A unit coordinate mapped linearly to `[min, max]` (for continuous parameters with
/// uniform distributions; sweeps use their own `Domain::at`).
pub fn scale(unit: f64, min: f64, max: f64) -> f64 {
    min + unit * (max - min)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bootstrap_estimate_summarises_replicates() {
        let reps: Vec<f64> = (0..=100).map(f64::from).chain([f64::NAN]).collect();
        let e = Estimate::from_replicates(50.0, reps, Level::P95);
        assert_eq!(e.value, 50.0);
        // Type-7 quantiles of 0..=100 at 2.5% and 97.5%.
        assert!((e.interval.lower - 2.5).abs() < 1e-12);
        assert!((e.interval.upper - 97.5).abs() < 1e-12);
        // Sample sd of 0..=100: sqrt(101 * 102 / 12) = 29.3002...
        assert!((e.std_error - (101.0f64 * 102.0 / 12.0).sqrt()).abs() < 1e-12);
        let one = Estimate::from_replicates(1.0, vec![1.0], Level::P95);
        assert!(one.std_error.is_nan());
    }

    #[test]
    fn resamples_are_keyed_not_sequential() {
        assert_eq!(resample(7, 1, 3, 50), resample(7, 1, 3, 50));
        assert_ne!(resample(7, 1, 3, 50), resample(7, 1, 4, 50));
        assert_ne!(resample(7, 1, 3, 50), resample(7, 2, 3, 50));
        assert!(resample(7, 1, 3, 50).iter().all(|&i| i < 50));
    }

    #[test]
    fn outputs_are_checked() {
        assert_eq!(
            check_outputs(&[1.0, 2.0], 3),
            Err(SensitivityError::Outputs {
                expected: 3,
                got: 2
            })
        );
        let e = check_outputs(&[1.0, f64::NAN, f64::INFINITY], 3).unwrap_err();
        assert_eq!(
            e.to_string(),
            "2 outputs are not finite (NaN or infinite), first at rows 1, 2"
        );
        assert!(rows_of(1 << 20, 1 << 20).is_err());
    }
}
