//! The `[correction]` section: how the correction (fact-check) works once an
//! intervention launches it. Written and checked forms have the same fields (each has
//! a default), so one type serves both; its `check` keeps them in range.

use super::violations::Violations;
use crate::duration::Duration;
use serde::{Deserialize, Serialize};

/// `[correction]`: acceptance, efficacy and forwarding of the correction.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Correction {
    /// Chance that a reader who does not believe the rumor accepts the correction
    /// (and becomes immune to the rumor).
    pub acceptance: f64,
    /// Chance that a believer who reads the correction is corrected (continued
    /// influence: corrections work only partly).
    pub efficacy: f64,
    /// Chance that a reader who accepts the correction forwards it (one share action).
    pub share: f64,
    /// Mean delay before forwarding the correction.
    pub delay: Duration,
}

impl Default for Correction {
    fn default() -> Self {
        Correction {
            acceptance: 0.8,
            efficacy: 0.4,
            share: 0.1,
            delay: Duration::from_minutes(120.0),
        }
    }
}

impl Correction {
    /// Checks the section.
    pub(super) fn check(&self, v: &mut Violations) {
        v.probabilities(
            "correction",
            &[
                ("acceptance", self.acceptance),
                ("efficacy", self.efficacy),
                ("share", self.share),
            ],
        );
    }
}
