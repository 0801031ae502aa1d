//! The `[correction]` section: how the correction (fact-check) works once an
//! intervention launches it, and how its effect on a believer depends on the reader
//! (`docs/model.md#correction`). Written and checked forms have the same fields (each
//! has a default), so one type serves both; its `check` keeps them in range.

use super::rumor::Stance;
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
    /// Chance that a believer who reads the correction in a chat of trust 0.5, and
    /// whose camp the rumor neither flatters nor attacks, is corrected (continued
    /// influence: corrections work only partly).
    pub efficacy: f64,
    /// Logit gain of the efficacy per unit of the chat's trust above 0.5 (0: trust
    /// does not matter).
    pub trust_weight: f64,
    /// Multipliers of the efficacy by the rumor's stance towards the reader's camp.
    pub stance_factor: EfficacyByStance,
    /// Share of a believer's belief a correction leaves (continued influence), counted
    /// in the belief index; corrected users do not spread either way.
    pub residual: f64,
    /// Chance that a reader who accepts the correction forwards it (one share action).
    pub share: f64,
    /// Mean delay before forwarding the correction.
    pub delay: Duration,
}

impl Default for Correction {
    fn default() -> Self {
        Correction {
            // Assumption: no specific number found.
            acceptance: 0.8,
            // Derived: Martel & Rand 2024 (warnings cut belief in false headlines by
            // 27.6%); Walter & Murphy 2018 (real-world corrections weaker).
            efficacy: 0.30,
            // Derived: Margolin et al. 2018 (accepted 73% from friends, 39% from
            // strangers).
            trust_weight: 2.5,
            stance_factor: EfficacyByStance::default(),
            // Derived: Chan et al. 2017 (persistence d 0.75-1.06 over misinformation d
            // 2.41-3.08).
            residual: 0.33,
            share: 0.1,
            delay: Duration::from_minutes(120.0),
        }
    }
}

/// `[correction.stance_factor]`: multipliers of the correction's efficacy by the
/// rumor's stance towards the reader's camp (`for`, `indifferent`, `against`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EfficacyByStance {
    /// Readers whose camp the rumor flatters.
    #[serde(rename = "for")]
    pub for_: f64,
    /// Readers whose camp the rumor neither flatters nor attacks.
    pub indifferent: f64,
    /// Readers whose camp the rumor attacks.
    pub against: f64,
}

impl Default for EfficacyByStance {
    /// Derived (a proxy): Walter et al. 2020, fact-checks d = 0.17 for conservatives,
    /// 0.29 overall, 0.43 for liberals (ratios 0.59 / 1 / 1.48).
    fn default() -> Self {
        EfficacyByStance {
            for_: 0.6,
            indifferent: 1.0,
            against: 1.5,
        }
    }
}

impl EfficacyByStance {
    /// The multiplier for a reader towards whose camp the rumor has stance `s`.
    pub fn of(&self, s: Stance) -> f64 {
        match s {
            Stance::For => self.for_,
            Stance::Indifferent => self.indifferent,
            Stance::Against => self.against,
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
                ("residual", self.residual),
                ("share", self.share),
            ],
        );
        v.range("correction.trust_weight", self.trust_weight, -50.0, 50.0);
        let f = self.stance_factor;
        for (name, x) in [
            ("for", f.for_),
            ("indifferent", f.indifferent),
            ("against", f.against),
        ] {
            v.range(&format!("correction.stance_factor.{name}"), x, 0.0, 100.0);
        }
    }

    /// Chance that a believer is corrected by a correction with base efficacy
    /// `efficacy` (the section's, or a response's) read through a chat of `trust`, the
    /// rumor having stance `stance` towards the reader's camp:
    /// `min(1, factor(stance) x logistic(logit(efficacy) + trust_weight (trust - 0.5)))`.
    /// With `trust_weight` 0 the logistic is skipped, so the result is `efficacy x
    /// factor` exactly (and `efficacy` itself with a factor of 1).
    pub fn efficacy_for(&self, efficacy: f64, trust: f32, stance: Stance) -> f64 {
        let base = if self.trust_weight == 0.0 {
            efficacy
        } else {
            let x = (efficacy / (1.0 - efficacy)).ln() + self.trust_weight * (trust as f64 - 0.5);
            1.0 / (1.0 + (-x).exp())
        };
        (self.stance_factor.of(stance) * base).min(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked examples of `docs/model.md#correction`: with the defaults, trust 0.2
    /// gives 0.168, 0.5 gives 0.300, 0.75 gives 0.445, 0.9 gives 0.538 for an indifferent
    /// reader; a flattered reader gets 0.6 of that, an attacked one 1.5 times (at most 1).
    #[test]
    fn efficacy_by_trust_and_stance() {
        let c = Correction::default();
        let e = |t: f32, s| c.efficacy_for(c.efficacy, t, s);
        for (t, want) in [(0.2, 0.1684), (0.5, 0.30), (0.75, 0.4447), (0.9, 0.5381)] {
            assert!((e(t, Stance::Indifferent) - want).abs() < 1e-4, "{t}");
        }
        assert!((e(0.5, Stance::For) - 0.18).abs() < 1e-12);
        assert!((e(0.5, Stance::Against) - 0.45).abs() < 1e-12);
        // A certain answer stays certain (logit of 1 is infinite), capped at 1.
        assert_eq!(c.efficacy_for(1.0, 0.3, Stance::Against), 1.0);
        assert_eq!(c.efficacy_for(0.0, 0.9, Stance::Against), 0.0);
    }

    /// Trust weight 0 and factors 1 give the efficacy itself, bit for bit.
    #[test]
    fn switched_off_is_the_plain_efficacy() {
        let c = Correction {
            trust_weight: 0.0,
            stance_factor: EfficacyByStance {
                for_: 1.0,
                indifferent: 1.0,
                against: 1.0,
            },
            ..Correction::default()
        };
        for e in [0.0, 0.3, 0.4, 0.123456789, 1.0] {
            assert_eq!(c.efficacy_for(e, 0.9, Stance::For).to_bits(), e.to_bits());
        }
    }
}
