//! Numbers in words for a reader: percentages rounded as a report would quote them,
//! durations in minutes, hours or days, counts with thousands separators.

use super::html::Value;
use crate::metrics::labels::Label;

/// A share in `[0, 1]` as a percentage rounded for prose: `38%`, `4.5%`, `0.31%`.
pub fn percent(share: f64) -> String {
    let p = 100.0 * share;
    if !p.is_finite() {
        return "n/a".into();
    }
    let a = p.abs();
    let text = if a == 0.0 || a >= 9.95 {
        format!("{p:.0}")
    } else if a >= 0.995 {
        format!("{p:.1}")
    } else if a >= 0.00995 {
        format!("{p:.2}")
    } else {
        "<0.01".to_string()
    };
    format!("{text}%")
}

/// A difference of shares in percentage points, signed: `+2.3 pp`, `-10 pp`.
pub fn points(diff: f64) -> String {
    let p = 100.0 * diff;
    // What rounds to zero is shown without a sign: "-0.0 pp" reads as a decrease.
    if p.abs() < 0.05 {
        return "0.0 pp".into();
    }
    let text = if p.abs() >= 9.95 {
        format!("{p:+.0}")
    } else {
        format!("{p:+.1}")
    };
    format!("{} pp", text.replace('-', "\u{2212}"))
}

/// A count: `46,243`; non-integers with up to three significant digits.
pub fn count(n: f64) -> String {
    if !n.is_finite() {
        return "n/a".into();
    }
    if (n - n.round()).abs() > 1e-9 {
        return crate::plot::format_number(n, 3);
    }
    let digits = format!("{:.0}", n.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0.0 {
        out.insert(0, '\u{2212}');
    }
    out
}

/// A duration for prose: `40 minutes`, `7.3 hours`, `3.2 days`.
pub fn duration(hours: f64) -> String {
    if !hours.is_finite() {
        return "n/a".into();
    }
    if hours < 1.0 {
        let m = (hours * 60.0).round();
        return format!("{m:.0} minute{}", if m == 1.0 { "" } else { "s" });
    }
    if hours < 48.0 {
        return format!("{hours:.1} hours");
    }
    format!("{:.1} days", hours / 24.0)
}

/// A figure's value as a table shows it, with its unit: `46.2%`, `24.2 h`, `9`.
pub fn figure(label: &Label, v: f64) -> String {
    if !v.is_finite() {
        return "\u{2013}".into();
    }
    if label.event {
        return percent(v);
    }
    if label.scale == 100.0 {
        return format!("{:.1}%", v * 100.0);
    }
    if label.hours {
        return format!("{v:.1} h");
    }
    count(v)
}

/// A traced value shown with [`figure`].
pub fn figure_value(label: &Label, v: f64, source: String) -> Value {
    Value {
        shown: figure(label, v),
        exact: v,
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_as_quoted() {
        assert_eq!(percent(0.38), "38%");
        assert_eq!(percent(0.0995), "10%");
        assert_eq!(percent(0.045), "4.5%");
        assert_eq!(percent(0.0031), "0.31%");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(1e-7), "<0.01%");
        assert_eq!(points(-0.1), "\u{2212}10 pp");
        assert_eq!(points(0.023), "+2.3 pp");
        assert_eq!(points(-0.0001), "0.0 pp");
    }

    #[test]
    fn counts_and_durations() {
        assert_eq!(count(46243.0), "46,243");
        assert_eq!(count(999.0), "999");
        assert_eq!(count(-1234567.0), "\u{2212}1,234,567");
        assert_eq!(duration(0.5), "30 minutes");
        assert_eq!(duration(24.2), "24.2 hours");
        assert_eq!(duration(76.8), "3.2 days");
    }
}
