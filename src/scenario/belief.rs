//! The `[belief]` section: how reading a copy turns into believing it. The section as
//! written and as checked have the same fields (every field has a default), so one
//! type serves both; its `check` keeps every value in range.

use super::violations::Violations;
use serde::{Deserialize, Serialize};

/// Which belief model converts a read copy into belief.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BeliefModel {
    /// Logistic in appeal, trust, skepticism, camp, label and repetition.
    Logistic,
    /// Every copy convinces with the same `probability` (for validation).
    Constant,
}

/// `[belief]`: the belief model and its weights (see `docs/model.md#belief`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BeliefSpec {
    /// Logistic or constant.
    pub model: BeliefModel,
    /// Per-copy probability for the constant model.
    pub probability: f64,
    /// Logit gain per unit of chat trust above 0.5.
    pub trust_weight: f64,
    /// Logit loss per unit of reader skepticism above 0.5.
    pub skepticism_weight: f64,
    /// Logit gain for readers outside the target camp (loss inside it).
    pub camp_weight: f64,
    /// Logit loss for a copy labelled "forwarded many times".
    pub label_penalty: f64,
    /// Logit gain times ln(1 + copies read before), the illusory-truth effect.
    pub repetition_weight: f64,
}

impl Default for BeliefSpec {
    fn default() -> Self {
        BeliefSpec {
            model: BeliefModel::Logistic,
            probability: 0.3,
            trust_weight: 2.0,
            skepticism_weight: 3.0,
            camp_weight: 1.0,
            label_penalty: 0.5,
            repetition_weight: 0.4,
        }
    }
}

impl BeliefSpec {
    /// Checks the section.
    pub(super) fn check(&self, v: &mut Violations) {
        if !(0.0..=1.0).contains(&self.probability) {
            v.add(
                "belief.probability",
                format!("{} is out of range: allowed 0 to 1", self.probability),
            );
        }
        for (f, x) in [
            ("trust_weight", self.trust_weight),
            ("skepticism_weight", self.skepticism_weight),
            ("camp_weight", self.camp_weight),
            ("label_penalty", self.label_penalty),
            ("repetition_weight", self.repetition_weight),
        ] {
            v.range(&format!("belief.{f}"), x, -50.0, 50.0);
        }
    }
}
