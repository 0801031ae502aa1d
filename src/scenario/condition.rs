//! Trigger conditions of interventions: `"reach > 5%"`, `"believers >= 100000"`.
//!
//! A condition compares one per-step count with a number of users or a percentage of
//! the population; it is evaluated after every step and fires its intervention at the
//! start of the next one.

use crate::record::StepRecord;
use serde::Serialize;

/// Counts a condition can test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Metric {
    /// Users ever reached (`reach` or `reached`).
    Reached,
    /// Users who ever read a copy.
    Read,
    /// Users who believe the rumor now.
    Believers,
    /// Users with share actions to come.
    Spreaders,
    /// Users who read the rumor and do not believe it.
    Rejecters,
    /// Copies delivered in the last step.
    Deliveries,
}

const METRICS: [(&str, Metric); 7] = [
    ("reach", Metric::Reached),
    ("reached", Metric::Reached),
    ("read", Metric::Read),
    ("believers", Metric::Believers),
    ("spreaders", Metric::Spreaders),
    ("rejecters", Metric::Rejecters),
    ("deliveries", Metric::Deliveries),
];

/// A parsed condition.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Condition {
    /// The count tested.
    pub metric: Metric,
    /// True for `>`/`>=`, false for `<`/`<=`.
    pub above: bool,
    /// True for `>=`/`<=` (the threshold itself satisfies the condition).
    pub inclusive: bool,
    /// Threshold as a number of users, or a share of users if `share` is set.
    pub value: f64,
    /// True when the threshold is a share of the population (`5%`).
    pub share: bool,
}

impl Condition {
    /// Parses `"<metric> <op> <number>[%]"`.
    pub fn parse(text: &str) -> Result<Condition, String> {
        let t = text.trim();
        let ops = [
            (">=", true, true),
            ("<=", false, true),
            (">", true, false),
            ("<", false, false),
        ];
        let (pos, (op, above, inclusive)) = ops
            .iter()
            .filter_map(|o| t.find(o.0).map(|p| (p, *o)))
            .min_by_key(|(p, o)| (*p, std::cmp::Reverse(o.0.len())))
            .ok_or_else(|| format!("\"{text}\" has no comparison: write e.g. \"reach > 5%\" or \"believers >= 100000\""))?;
        let name = t[..pos].trim().to_ascii_lowercase();
        let metric = METRICS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, m)| *m)
            .ok_or_else(|| {
                let names: Vec<&str> = METRICS.iter().map(|(n, _)| *n).collect();
                format!(
                    "\"{name}\" is not a count a condition can test; use one of {}",
                    names.join(", ")
                )
            })?;
        let rhs = t[pos + op.len()..].trim();
        let (num, share) = match rhs.strip_suffix('%') {
            Some(n) => (n.trim(), true),
            None => (rhs, false),
        };
        let v: f64 = num
            .parse()
            .map_err(|_| format!("\"{rhs}\" is not a number (or a percentage like 5%)"))?;
        if !v.is_finite() || v < 0.0 || (share && v > 100.0) {
            return Err(format!(
                "\"{rhs}\" is out of range: a count >= 0 or a percentage 0-100%"
            ));
        }
        Ok(Condition {
            metric,
            above,
            inclusive,
            value: if share { v / 100.0 } else { v },
            share,
        })
    }

    /// Whether the condition holds after a step with record `r` in a population of `users`.
    pub fn holds(&self, r: &StepRecord, users: u64) -> bool {
        let x = match self.metric {
            Metric::Reached => r.reached,
            Metric::Read => r.read,
            Metric::Believers => r.believers,
            Metric::Spreaders => r.spreaders,
            Metric::Rejecters => r.rejecters,
            Metric::Deliveries => r.deliveries,
        } as f64;
        let threshold = if self.share {
            self.value * users as f64
        } else {
            self.value
        };
        match (self.above, self.inclusive) {
            (true, true) => x >= threshold,
            (true, false) => x > threshold,
            (false, true) => x <= threshold,
            (false, false) => x < threshold,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_evaluates() {
        let c = Condition::parse("reach > 5%").unwrap();
        let r = StepRecord {
            reached: 51,
            ..Default::default()
        };
        assert!(c.holds(&r, 1000));
        assert!(!c.holds(&r, 2000));
        let c = Condition::parse("believers>=100000").unwrap();
        assert_eq!(
            (c.metric, c.inclusive, c.value),
            (Metric::Believers, true, 100000.0)
        );
        assert!(Condition::parse("reech > 5%")
            .unwrap_err()
            .contains("not a count"));
        assert!(Condition::parse("reach 5%").is_err());
        assert!(Condition::parse("reach > 500%").is_err());
    }
}
