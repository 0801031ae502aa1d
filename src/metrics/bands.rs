//! Quantiles across replicates: the median and 5-95% band of curves and figures.
//!
//! Quantiles use linear interpolation between order statistics (Hyndman & Fan type 7,
//! the default of numpy and R), so they can be checked against `numpy.quantile`.

use super::StepRecord;
use serde::Serialize;

/// Median and the 5% and 95% quantiles of a set of values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Band {
    /// The median (50% quantile).
    pub median: f64,
    /// The 5% quantile.
    pub p5: f64,
    /// The 95% quantile.
    pub p95: f64,
}

/// Type-7 quantile of already sorted values; NaN for an empty slice.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * q;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

impl Band {
    /// The band of `values`, ignoring NaNs; all-NaN input gives NaNs.
    pub fn of(values: impl IntoIterator<Item = f64>) -> Band {
        let mut v: Vec<f64> = values.into_iter().filter(|x| !x.is_nan()).collect();
        v.sort_by(f64::total_cmp);
        Band {
            median: quantile_sorted(&v, 0.5),
            p5: quantile_sorted(&v, 0.05),
            p95: quantile_sorted(&v, 0.95),
        }
    }
}

/// The [timeseries columns](super::timeseries::TIMESERIES) that get per-step bands in
/// `bands.csv` and on charts.
pub const BAND_COLUMNS: [&str; 3] = ["reached", "believers", "spreaders"];

/// Per-step bands of [`BAND_COLUMNS`] across replicates: `result[step][column]`
/// (NaN for a name that is not a count column of the record). Replicates must all have
/// the same number of steps.
pub fn step_bands(runs: &[&[StepRecord]]) -> Vec<[Band; 3]> {
    let steps = runs.iter().map(|r| r.len()).min().unwrap_or(0);
    // Look the columns up once, not once per step and replicate.
    let columns = BAND_COLUMNS.map(super::timeseries::column);
    let value = |c: usize, r: &StepRecord| {
        columns[c]
            .and_then(|col| col.count(r))
            .map_or(f64::NAN, |v| v as f64)
    };
    (0..steps)
        .map(|s| std::array::from_fn(|c| Band::of(runs.iter().map(|r| value(c, &r[s])))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_numpy_type7() {
        // numpy.quantile([1, 2, 3, 4, 10], [0.05, 0.5, 0.95]) = [1.2, 3.0, 8.8]
        let b = Band::of([4.0, 1.0, 10.0, 3.0, 2.0]);
        assert!((b.p5 - 1.2).abs() < 1e-12);
        assert_eq!(b.median, 3.0);
        assert!((b.p95 - 8.8).abs() < 1e-12);
    }

    #[test]
    fn band_columns_are_counts_of_the_record() {
        let r = StepRecord {
            reached: 3,
            believers: 2,
            spreaders: 1,
            ..Default::default()
        };
        let bands = step_bands(&[&[r]]);
        assert_eq!(bands[0].map(|b| b.median), [3.0, 2.0, 1.0]);
    }

    #[test]
    fn degenerate_inputs() {
        assert!(Band::of([]).median.is_nan());
        assert_eq!(Band::of([7.0]).p95, 7.0);
        assert_eq!(Band::of([f64::NAN, 2.0]).median, 2.0);
    }
}
