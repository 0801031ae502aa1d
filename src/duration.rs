//! Human-readable durations for scenario files: "90m", "6h", "2d", "1.5h", "45s".
//!
//! Durations are kept in minutes (f64) until the scenario is resolved against the
//! step length, where they become whole steps.

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A non-negative length of simulated time.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Duration {
    minutes: f64,
}

impl Duration {
    /// A duration of `minutes` minutes (must be finite and >= 0).
    pub fn from_minutes(minutes: f64) -> Self {
        Duration { minutes }
    }
    /// A duration of `hours` hours.
    pub fn from_hours(hours: f64) -> Self {
        Duration {
            minutes: hours * 60.0,
        }
    }
    /// Length in minutes.
    pub fn minutes(self) -> f64 {
        self.minutes
    }
    /// Length in hours.
    pub fn hours(self) -> f64 {
        self.minutes / 60.0
    }
    /// Number of whole steps of `step_minutes` this duration covers, rounded to the
    /// nearest step.
    pub fn steps(self, step_minutes: f64) -> u64 {
        (self.minutes / step_minutes).round() as u64
    }
}

/// Longest duration accepted, in minutes: a million days, the longest horizon
/// (a million steps of one day). Every duration in whole steps then fits a `u32`.
pub const MAX_MINUTES: f64 = 1_000_000.0 * 1440.0;

/// Parses "90m", "6h", "2d", "1.5h", "30s", "1w"; a bare number is refused because the
/// unit would be a guess.
pub fn parse(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    // The unit is the trailing run of letters, so a number in scientific notation
    // ("1e3h") keeps its exponent.
    let split = t.trim_end_matches(|c: char| c.is_ascii_alphabetic()).len();
    if split == t.len() {
        return Err(format!(
            "\"{text}\" has no unit; write e.g. \"90m\", \"6h\" or \"2d\" (s, m, h, d, w)"
        ));
    }
    let (num, unit) = t.split_at(split);
    let value: f64 = num.trim().parse().map_err(|_| {
        format!("\"{text}\" does not start with a number; write e.g. \"90m\", \"6h\" or \"2d\"")
    })?;
    let per_unit = match unit.trim() {
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0 / 60.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 1.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 60.0,
        "d" | "day" | "days" => 1440.0,
        "w" | "week" | "weeks" => 10080.0,
        other => {
            return Err(format!(
                "\"{text}\" has unknown unit \"{other}\"; use s, m, h, d or w"
            ))
        }
    };
    if !value.is_finite() || value < 0.0 {
        return Err(format!(
            "\"{text}\" must be a finite, non-negative duration"
        ));
    }
    if value * per_unit > MAX_MINUTES {
        return Err(format!(
            "\"{text}\" is out of range: durations are at most {} days",
            MAX_MINUTES / 1440.0
        ));
    }
    Ok(Duration {
        minutes: value * per_unit,
    })
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.minutes;
        if m != 0.0 && (m / 1440.0).fract() == 0.0 {
            write!(f, "{}d", m / 1440.0)
        } else if m != 0.0 && (m / 60.0).fract() == 0.0 {
            write!(f, "{}h", m / 60.0)
        } else {
            write!(f, "{m}m")
        }
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        parse(&text).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(parse("90m").unwrap().minutes(), 90.0);
        assert_eq!(parse("6h").unwrap().minutes(), 360.0);
        assert_eq!(parse("2d").unwrap().minutes(), 2880.0);
        assert_eq!(parse("1.5h").unwrap().minutes(), 90.0);
        assert_eq!(parse(" 30 s ").unwrap().minutes(), 0.5);
        assert_eq!(parse("1w").unwrap().hours(), 168.0);
    }

    #[test]
    fn refuses_bad_text() {
        assert!(parse("90").unwrap_err().contains("no unit"));
        assert!(parse("5y").unwrap_err().contains("unknown unit"));
        // An exponent is part of the number, not of the unit.
        assert_eq!(parse("1e3m").unwrap().minutes(), 1000.0);
        assert!(parse("1e30h").unwrap_err().contains("at most 1000000 days"));
        assert!(parse("1e400h").unwrap_err().contains("finite"));
        assert!(parse("-3h").is_err());
        assert!(parse("h").is_err());
    }

    #[test]
    fn displays_round_trip() {
        for s in ["2d", "6h", "90m", "0m"] {
            assert_eq!(parse(s).unwrap().to_string(), s);
        }
        assert_eq!(parse("1.5h").unwrap().steps(10.0), 9);
    }
}
