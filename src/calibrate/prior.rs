//! Priors of the calibrated parameters: uniform or log-uniform on a finite range.
//!
//! Each prior has a **working scale** on which it is uniform: the parameter itself for a
//! uniform prior, its natural logarithm for a log-uniform one. The sampler perturbs,
//! weights and measures spread on that scale (a rate between 0.01 and 1 moves by
//! factors, not by hundredths), and hands the simulator values on the natural scale.
//! The natural value is the canonical form of a particle (it is what the files hold);
//! its working value is always recomputed from it, so a particle read back from a file
//! behaves exactly like the one that was written.

use crate::error::CalibrationError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The shape of a prior on its range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    /// Uniform density on `[low, high]`.
    Uniform,
    /// Density proportional to `1/x` on `[low, high]` (`0 < low`): uniform in `ln x`.
    LogUniform,
}

/// A checked prior: `low < high`, both finite, `low > 0` for a log-uniform prior.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Prior {
    /// Uniform or log-uniform density on `[low, high]`.
    pub shape: Shape,
    /// Lower bound of the range, on the natural scale (above 0 for log-uniform).
    pub low: f64,
    /// Upper bound of the range, on the natural scale.
    pub high: f64,
}

impl Prior {
    /// A uniform prior on `[low, high]`.
    pub fn uniform(low: f64, high: f64) -> Result<Prior, CalibrationError> {
        Prior::new(Shape::Uniform, low, high)
    }

    /// A log-uniform prior on `[low, high]`, `0 < low < high`.
    pub fn log_uniform(low: f64, high: f64) -> Result<Prior, CalibrationError> {
        Prior::new(Shape::LogUniform, low, high)
    }

    /// A checked prior of `shape` on `[low, high]`.
    pub fn new(shape: Shape, low: f64, high: f64) -> Result<Prior, CalibrationError> {
        if !(low.is_finite() && high.is_finite() && low < high) {
            return Err(CalibrationError::Settings(format!(
                "a prior range needs finite bounds with LOW < HIGH, got {low}..{high}"
            )));
        }
        if shape == Shape::LogUniform && low <= 0.0 {
            return Err(CalibrationError::Settings(format!(
                "a log-uniform prior needs LOW > 0, got {low}..{high}"
            )));
        }
        Ok(Prior { shape, low, high })
    }

    /// Parses `LOW..HIGH` (uniform) or `LOW..HIGH:log` (log-uniform).
    pub fn parse(text: &str) -> Result<Prior, CalibrationError> {
        let bad = || {
            CalibrationError::Settings(format!(
                "\"{text}\" is not a prior range: write LOW..HIGH or LOW..HIGH:log, e.g. 0.1..0.5"
            ))
        };
        let (range, shape) = match text.trim().rsplit_once(':') {
            Some((r, "log")) => (r, Shape::LogUniform),
            Some(_) => return Err(bad()),
            None => (text.trim(), Shape::Uniform),
        };
        let (lo, hi) = range.split_once("..").ok_or_else(bad)?;
        let num = |s: &str| s.trim().parse::<f64>().map_err(|_| bad());
        Prior::new(shape, num(lo)?, num(hi)?)
    }

    /// A natural value on the working scale.
    #[inline]
    pub fn to_working(&self, x: f64) -> f64 {
        match self.shape {
            Shape::Uniform => x,
            Shape::LogUniform => x.ln(),
        }
    }

    /// A working value on the natural scale, kept inside `[low, high]` (the logarithm
    /// and its inverse may round across a bound).
    #[inline]
    pub fn to_natural(&self, z: f64) -> f64 {
        let x = match self.shape {
            Shape::Uniform => z,
            Shape::LogUniform => z.exp(),
        };
        x.clamp(self.low, self.high)
    }

    /// The range on the working scale.
    pub fn working_range(&self) -> (f64, f64) {
        (self.to_working(self.low), self.to_working(self.high))
    }

    /// Whether a working value lies in the support.
    #[inline]
    pub fn contains_working(&self, z: f64) -> bool {
        let (a, b) = self.working_range();
        a <= z && z <= b
    }

    /// The natural value at a unit coordinate `u` in `[0, 1)` (uniform on the working
    /// scale).
    pub fn at_unit(&self, u: f64) -> f64 {
        let (a, b) = self.working_range();
        self.to_natural(a + u * (b - a))
    }

    /// Log density on the working scale: `-ln(width)` inside the support, `-inf`
    /// outside.
    pub fn log_density_working(&self, z: f64) -> f64 {
        let (a, b) = self.working_range();
        if a <= z && z <= b {
            -(b - a).ln()
        } else {
            f64::NEG_INFINITY
        }
    }
}

impl fmt::Display for Prior {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.low, self.high)?;
        if self.shape == Shape::LogUniform {
            f.write_str(":log")?;
        }
        Ok(())
    }
}

/// A calibrated parameter: a name (for sweeps and scenarios, its key path) and a prior.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Parameter {
    /// Key path of the scenario value it sets, e.g. `rumor.appeal`.
    pub name: String,
    /// Its prior, on the natural scale.
    pub prior: Prior,
}

impl Parameter {
    /// Parses `NAME=LOW..HIGH[:log]`, the form of `--fit`.
    pub fn parse(text: &str) -> Result<Parameter, CalibrationError> {
        let Some((name, range)) = text.split_once('=') else {
            return Err(CalibrationError::Settings(format!(
                "\"{text}\" does not fit a parameter: write PATH=LOW..HIGH[:log], \
                 e.g. rumor.appeal=0.1..0.5"
            )));
        };
        let name = name.trim();
        if name.is_empty() {
            return Err(CalibrationError::Settings(format!(
                "\"{text}\" names no parameter before '='"
            )));
        }
        Ok(Parameter {
            name: name.to_string(),
            prior: Prior::parse(range)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ranges_and_refuses_bad_ones() {
        let p = Prior::parse("0.1..0.5").unwrap();
        assert_eq!(p, Prior::uniform(0.1, 0.5).unwrap());
        let p = Prior::parse(" 1e-3..1:log").unwrap();
        assert_eq!(p.shape, Shape::LogUniform);
        assert_eq!((p.low, p.high), (1e-3, 1.0));
        assert_eq!(p.to_string(), "0.001..1:log");
        for bad in [
            "0.5..0.1",
            "1..1",
            "0..1:log",
            "-1..1:log",
            "a..b",
            "1-2",
            "0..1:ln",
        ] {
            assert!(Prior::parse(bad).is_err(), "{bad}");
        }
        let q = Parameter::parse("rumor.appeal=0.1..0.5").unwrap();
        assert_eq!(q.name, "rumor.appeal");
        assert!(Parameter::parse("rumor.appeal").is_err());
        assert!(Parameter::parse("=0..1").is_err());
    }

    #[test]
    fn working_scale_round_trips_inside_the_bounds() {
        let p = Prior::log_uniform(0.01, 1.0).unwrap();
        assert_eq!(p.working_range(), (0.01f64.ln(), 0.0));
        assert!((p.at_unit(0.5) - 0.1).abs() < 1e-12);
        assert_eq!(p.to_natural(p.to_working(1.0) + 1e-15), 1.0);
        assert_eq!(p.to_natural(-10.0), 0.01);
        assert!(p.contains_working(-1.0) && !p.contains_working(0.1));
        assert_eq!(p.log_density_working(0.5), f64::NEG_INFINITY);
        assert!((p.log_density_working(-1.0) + 100f64.ln().ln()).abs() < 1e-12);
        let u = Prior::uniform(-2.0, 2.0).unwrap();
        assert_eq!(u.at_unit(0.25), -1.0);
        assert_eq!(u.log_density_working(0.0), -(4f64.ln()));
    }
}
