//! Human-readable durations for scenario files: "90m", "6h", "2d", "1.5h", "45s"; and
//! calendar times ("2018-10-01T08:00") for scenarios that say when time zero is.
//!
//! Durations are kept in minutes (f64) until the scenario is resolved against the
//! step length, where they become whole steps. Calendar times have no time zone: they
//! are the local clock of the place the scenario describes, in the proleptic Gregorian
//! calendar.

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

/// A calendar date and time of day without time zone, to the second.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Timestamp {
    /// Minutes since 1970-01-01 00:00.
    minutes: f64,
}

impl Timestamp {
    /// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM` or `YYYY-MM-DD HH:MM`, optionally with
    /// `:SS` (years 1 to 9999).
    pub fn parse(text: &str) -> Result<Timestamp, String> {
        let bad = || {
            format!(
                "\"{text}\" is not a calendar time: write YYYY-MM-DD or YYYY-MM-DDTHH:MM, \
                 e.g. 2018-10-01T08:00"
            )
        };
        let t = text.trim();
        let (date, time) = match t.split_once(['T', ' ']) {
            Some((d, tm)) => (d, Some(tm.trim())),
            None => (t, None),
        };
        let num = |s: &str, digits: usize| -> Result<i64, String> {
            if s.len() == digits && s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse().map_err(|_| bad())
            } else {
                Err(bad())
            }
        };
        let mut d = date.split('-');
        let (Some(y), Some(m), Some(dd), None) = (d.next(), d.next(), d.next(), d.next()) else {
            return Err(bad());
        };
        let (y, m, dd) = (num(y, 4)?, num(m, 2)?, num(dd, 2)?);
        let days = days_from_civil(y, m, dd);
        if y < 1 || civil_from_days(days) != (y, m, dd) {
            return Err(format!("\"{text}\": {y:04}-{m:02}-{dd:02} is not a date"));
        }
        let mut minutes = days as f64 * 1440.0;
        if let Some(time) = time {
            let mut p = time.split(':');
            let (Some(h), Some(mi)) = (p.next(), p.next()) else {
                return Err(bad());
            };
            let sec = p.next().map(|s| num(s, 2)).transpose()?.unwrap_or(0);
            if p.next().is_some() {
                return Err(bad());
            }
            let (h, mi) = (num(h, 2)?, num(mi, 2)?);
            if h > 23 || mi > 59 || sec > 59 {
                return Err(format!(
                    "\"{text}\": {h:02}:{mi:02}:{sec:02} is not a time of day"
                ));
            }
            minutes += (h * 60 + mi) as f64 + sec as f64 / 60.0;
        }
        Ok(Timestamp { minutes })
    }

    /// This time plus `hours` hours.
    pub fn plus_hours(self, hours: f64) -> Timestamp {
        Timestamp {
            minutes: self.minutes + hours * 60.0,
        }
    }

    /// Hours from `origin` to this time (negative if earlier).
    pub fn hours_since(self, origin: Timestamp) -> f64 {
        (self.minutes - origin.minutes) / 60.0
    }

    /// The clock hour of day, in `[0, 24)`.
    pub fn hour_of_day(self) -> f64 {
        self.minutes.rem_euclid(1440.0) / 60.0
    }
}

impl fmt::Display for Timestamp {
    /// `YYYY-MM-DDTHH:MM`, with `:SS` when the seconds are not 0.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total_seconds = (self.minutes * 60.0).round() as i64;
        let days = total_seconds.div_euclid(86_400);
        let secs = total_seconds.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}",
            secs / 3600,
            secs % 3600 / 60
        )?;
        if secs % 60 != 0 {
            write!(f, ":{:02}", secs % 60)?;
        }
        Ok(())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Timestamp::parse(&text).map_err(de::Error::custom)
    }
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `days` after 1970-01-01 (Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_times_parse_and_print() {
        let t = Timestamp::parse("2018-10-01T08:00").unwrap();
        assert_eq!(t.to_string(), "2018-10-01T08:00");
        assert_eq!(t.hour_of_day(), 8.0);
        assert_eq!(Timestamp::parse("2018-10-01 08:00").unwrap(), t);
        let midnight = Timestamp::parse("2018-10-01").unwrap();
        assert_eq!(t.hours_since(midnight), 8.0);
        // 1970-01-01 is day 0; 2000-03-01 is day 11017 (a leap century).
        assert_eq!(Timestamp::parse("1970-01-02").unwrap().minutes, 1440.0);
        assert_eq!(
            Timestamp::parse("2000-03-01").unwrap().minutes,
            11_017.0 * 1440.0
        );
        assert_eq!(t.plus_hours(40.5).to_string(), "2018-10-03T00:30");
        assert_eq!(
            Timestamp::parse("2020-02-29T23:59:30").unwrap().to_string(),
            "2020-02-29T23:59:30"
        );
        for bad in [
            "2019-02-29",
            "2018-13-01",
            "2018-10-01T24:00",
            "18-10-01",
            "2018/10/01",
            "2018-10-01T8:00",
            "yesterday",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad}");
        }
    }

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
