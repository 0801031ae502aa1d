//! Axis ranges chosen from the data, and the way numbers are written on axes and cells.
//!
//! The chart modules ask here which values are drawable and what range an axis should
//! span, so every degenerate case (no data, a single value, all zeros, NaN) is decided in
//! one place and never reaches plotters, whose tick generator assumes a sane, finite,
//! non-empty range.

/// Values beyond this magnitude are treated as missing: they are far outside anything the
/// simulator produces and would make plotters' tick search misbehave.
const MAX_ABS: f64 = 1e15;

/// True for a value that can be placed on a linear axis.
pub(crate) fn usable(v: f64) -> bool {
    v.is_finite() && v.abs() <= MAX_ABS
}

/// True for a value that can be placed on a logarithmic axis.
pub(crate) fn usable_log(v: f64) -> bool {
    usable(v) && v > 0.0
}

/// A half-open data interval `lo..hi` on one axis, always with `lo < hi`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Extent {
    pub lo: f64,
    pub hi: f64,
}

impl Extent {
    /// The range plotters builds an axis from.
    pub(crate) fn range(self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }

    /// `v` clamped into the extent.
    pub(crate) fn clamp(self, v: f64) -> f64 {
        v.clamp(self.lo, self.hi)
    }
}

/// Smallest and largest of the values accepted by `keep`, or `None` if there are none.
pub(crate) fn bounds(
    values: impl IntoIterator<Item = f64>,
    keep: impl Fn(f64) -> bool,
) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|&v| keep(v))
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// An axis that spans the data exactly (a time axis, a colour scale). A single value (or
/// none) is widened so it sits in the middle of a visible range instead of collapsing it.
pub(crate) fn data_extent(b: Option<(f64, f64)>) -> Extent {
    match b {
        None => Extent { lo: 0.0, hi: 1.0 },
        Some((lo, hi)) if too_narrow(lo, hi) => {
            let mid = (lo + hi) / 2.0;
            let pad = (mid.abs() * 0.05).max(0.5);
            Extent {
                lo: mid - pad,
                hi: mid + pad,
            }
        }
        Some((lo, hi)) => Extent { lo, hi },
    }
}

/// A linear y axis starts at zero (so heights compare honestly), reaches below zero only
/// if the data does, and leaves 5% headroom above the highest value.
pub(crate) fn linear_y_extent(b: Option<(f64, f64)>) -> Extent {
    let (lo, hi) = b.unwrap_or((0.0, 0.0));
    let lo = lo.min(0.0);
    let hi = hi.max(0.0);
    if too_narrow(lo, hi) {
        // All zeros (or no data): a unit axis shows the flat line at the bottom.
        return Extent { lo, hi: lo + 1.0 };
    }
    let pad = (hi - lo) * 0.05;
    Extent {
        lo: if hi > 0.0 { lo } else { lo - pad },
        hi: if hi > 0.0 { hi + pad } else { hi },
    }
}

/// A log y axis spans whole decades around the positive data: 10^floor .. 10^ceil.
pub(crate) fn log_y_extent(positive: Option<(f64, f64)>) -> Extent {
    let Some((lo, hi)) = positive else {
        return log_y_extent(Some((1.0, 10.0)));
    };
    let lo = 10f64.powf(lo.log10().floor());
    let mut hi = 10f64.powf(hi.log10().ceil());
    if hi <= lo {
        hi = lo * 10.0;
    }
    // A hair wider than the decades, so rounding in plotters' tick search (which works
    // with natural logarithms) cannot drop the ticks at the two ends.
    Extent {
        lo: lo * (1.0 - 1e-9),
        hi: hi * (1.0 + 1e-9),
    }
}

/// A width too small for plotters to place ticks in (it divides by the width).
fn too_narrow(lo: f64, hi: f64) -> bool {
    let scale = lo.abs().max(hi.abs()).max(1e-300);
    hi - lo <= scale * 1e-9
}

/// Labels for the ticks of one axis. A linear axis writes all its ticks alike: the same
/// number of decimals, and one unit suffix chosen from the largest tick (0, 5k, 10k, 15k
/// rather than 0, 5,000, 10k, 15k). A log axis writes each decade on its own terms:
/// 0.1, 1, 10, 100, 1k, 10k.
pub(crate) fn tick_labels(ticks: &[f64], log: bool) -> Vec<String> {
    if log {
        return ticks.iter().map(|&v| format_log_tick(v)).collect();
    }
    let largest = ticks.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let (div, suffix) = if largest >= 1e6 {
        (1e6, "M")
    } else if largest >= 1e4 {
        (1e3, "k")
    } else {
        (1.0, "")
    };
    let decimals = ticks
        .iter()
        .map(|&v| decimals_needed(v / div))
        .max()
        .unwrap_or(0);
    ticks
        .iter()
        .map(|&v| {
            let mut s = format!("{:.decimals$}", v / div);
            if s.trim_start_matches('-')
                .chars()
                .all(|c| c == '0' || c == '.')
            {
                return "0".into();
            }
            if suffix.is_empty() {
                s = group_thousands(&s);
            }
            s + suffix
        })
        .collect()
}

/// Fewest decimals (up to 10) that write `v` without visible rounding, ignoring
/// floating-point noise such as the tail of `0.30000000000000004`.
fn decimals_needed(v: f64) -> usize {
    let tolerance = 1e-9 * v.abs().max(1e-12);
    (0..=10)
        .find(|&d| {
            let p = 10f64.powi(d as i32);
            ((v * p).round() / p - v).abs() <= tolerance
        })
        .unwrap_or(10)
}

fn format_log_tick(v: f64) -> String {
    let a = v.abs();
    if (1e3..1e6).contains(&a) {
        format!("{}k", format_number(v / 1e3, 6))
    } else {
        format_number(v, 6)
    }
}

/// Writes `v` with at most `sig` significant digits: thousands with separators, 10^4 and
/// above with a k/M suffix, very large or small values in scientific notation.
pub(crate) fn format_number(v: f64, sig: u32) -> String {
    if v == 0.0 {
        return "0".into();
    }
    if !v.is_finite() {
        return v.to_string();
    }
    let a = v.abs();
    if !(1e-4..1e9).contains(&a) {
        let s = format!("{:.*e}", sig.saturating_sub(1).min(2) as usize, v);
        let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = if mantissa.contains('.') {
            mantissa.trim_end_matches('0').trim_end_matches('.')
        } else {
            mantissa
        };
        return format!("{mantissa}e{exponent}");
    }
    let (scaled, suffix) = if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e4 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let magnitude = scaled.abs().log10().floor() as i32;
    let decimals = (sig as i32 - 1 - magnitude).clamp(0, 12) as usize;
    let mut s = format!("{scaled:.decimals$}");
    if s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    if s == "-0" {
        s = "0".into();
    }
    if suffix.is_empty() {
        s = group_thousands(&s);
    }
    s + suffix
}

/// One way of writing every value of a set (the cells of a heatmap), so they read alike:
/// the same number of decimals, chosen to give the largest value three significant
/// digits (none if all values are whole), and one k/M suffix.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ValueFormat {
    div: f64,
    suffix: &'static str,
    decimals: usize,
}

impl ValueFormat {
    /// The format for `values`; unusable values (NaN, infinities) are ignored.
    pub(crate) fn for_values(values: impl IntoIterator<Item = f64>) -> Self {
        let (mut largest, mut whole) = (0.0f64, true);
        for v in values.into_iter().filter(|v| usable(*v)) {
            largest = largest.max(v.abs());
            whole &= v.fract() == 0.0;
        }
        let (div, suffix) = if largest >= 1e6 {
            (1e6, "M")
        } else if largest >= 1e4 {
            (1e3, "k")
        } else {
            (1.0, "")
        };
        let scaled = largest / div;
        let decimals = if (whole && suffix.is_empty()) || scaled == 0.0 {
            0
        } else {
            (2 - scaled.log10().floor() as i32).clamp(0, 6) as usize
        };
        ValueFormat {
            div,
            suffix,
            decimals,
        }
    }

    pub(crate) fn format(&self, v: f64) -> String {
        let d = self.decimals;
        let s = format!("{:.d$}", v / self.div);
        let s = match s.strip_prefix('-') {
            Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
            _ => s,
        };
        if self.suffix.is_empty() {
            group_thousands(&s)
        } else {
            s + self.suffix
        }
    }
}

/// "1234.5" -> "1,234.5"; shorter integer parts are left alone.
fn group_thousands(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (int, frac) = rest.split_once('.').map_or((rest, ""), |(i, f)| (i, f));
    if int.len() <= 3 {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    let frac = if frac.is_empty() {
        String::new()
    } else {
        format!(".{frac}")
    };
    format!("{sign}{out}{frac}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_written_alike_and_without_noise() {
        let labels = |t: &[f64]| tick_labels(t, false);
        assert_eq!(
            labels(&[0.0, 0.1, 0.2, 0.30000000000000004]),
            ["0", "0.1", "0.2", "0.3"]
        );
        assert_eq!(labels(&[0.0, 0.5, 1.0, 1.5]), ["0", "0.5", "1.0", "1.5"]);
        assert_eq!(labels(&[0.0, 2500.0, 5000.0]), ["0", "2,500", "5,000"]);
        assert_eq!(labels(&[0.0, 5000.0, 10_000.0]), ["0", "5k", "10k"]);
        assert_eq!(labels(&[-2e6, 0.0, 2e6]), ["-2M", "0", "2M"]);
        let log = tick_labels(&[0.1, 1.0, 10.0, 1000.0, 1e4, 1e6], true);
        assert_eq!(log, ["0.1", "1", "10", "1k", "10k", "1M"]);
        assert_eq!(format_number(0.123_456, 3), "0.123");
        assert_eq!(format_number(12_345.0, 3), "12.3k");
        assert_eq!(format_number(2e10, 3), "2e10");
        assert_eq!(format_number(1.5e10, 3), "1.5e10");
        assert_eq!(format_number(0.0, 3), "0");
    }

    #[test]
    fn a_set_of_values_is_written_alike() {
        let f = ValueFormat::for_values([0.917, 22.0, 36.0, f64::NAN]);
        assert_eq!([f.format(0.917), f.format(22.0)], ["0.9", "22.0"]);
        let f = ValueFormat::for_values([3.0, 40.0, 1200.0]);
        assert_eq!([f.format(3.0), f.format(1200.0)], ["3", "1,200"]);
        let f = ValueFormat::for_values([0.0012, 0.0049]);
        assert_eq!(f.format(0.0012), "0.00120");
        let f = ValueFormat::for_values([2_500.0, 45_000.0]);
        assert_eq!([f.format(2_500.0), f.format(45_000.0)], ["2.5k", "45.0k"]);
        let f = ValueFormat::for_values([-0.001, 1.0]);
        assert_eq!(f.format(-0.001), "0.00");
        assert_eq!(ValueFormat::for_values([]).format(0.0), "0");
    }

    #[test]
    fn degenerate_ranges_are_widened() {
        assert_eq!(data_extent(None), Extent { lo: 0.0, hi: 1.0 });
        let e = data_extent(Some((5.0, 5.0)));
        assert!(e.lo < 5.0 && e.hi > 5.0);
        assert_eq!(
            linear_y_extent(Some((0.0, 0.0))),
            Extent { lo: 0.0, hi: 1.0 }
        );
        let e = linear_y_extent(Some((3.0, 10.0)));
        assert_eq!(e.lo, 0.0);
        assert!(e.hi > 10.0);
        let near = |e: Extent, lo: f64, hi: f64| {
            assert!(
                (e.lo / lo - 1.0).abs() < 1e-6 && (e.hi / hi - 1.0).abs() < 1e-6,
                "{e:?}"
            );
        };
        near(log_y_extent(Some((100.0, 100.0))), 100.0, 1000.0);
        near(log_y_extent(Some((3.0, 450.0))), 1.0, 1000.0);
        near(log_y_extent(None), 1.0, 10.0);
    }

    #[test]
    fn bounds_skip_unusable_values() {
        let b = bounds([f64::NAN, 2.0, f64::INFINITY, -1.0, 1e300], usable);
        assert_eq!(b, Some((-1.0, 2.0)));
        assert_eq!(bounds([0.0, -3.0], usable_log), None);
    }
}
