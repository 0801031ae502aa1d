//! The `[belief]` section: how reading a copy turns into believing it, and how
//! repeated exposure counts (`docs/model.md#belief`, `#repeated-exposure`). The section
//! as written and as checked have the same fields (every field has a default), so one
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

/// What repeated exposure counts (`docs/model.md#repeated-exposure`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Exposure {
    /// One belief draw per reading session, from the most persuasive copy read, with
    /// repetition counted in exposure events (distinct senders per session).
    Sources,
    /// Every copy read is an independent draw and repetition counts copies (the model
    /// before repeated exposure was grounded; bond percolation in validation).
    Copies,
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
    /// Logit gain for readers of a camp the rumor flatters, loss for a camp it attacks
    /// (`rumor.stance`; with the legacy `rumor.target_camp`: loss in the target, gain
    /// everywhere else).
    pub camp_weight: f64,
    /// Logit loss for a copy labelled "forwarded many times".
    pub label_penalty: f64,
    /// Logit gain times ln(1 + earlier exposures), the illusory-truth effect.
    pub repetition_weight: f64,
    /// What counts as an exposure: distinct senders per session, or copies.
    pub exposure: Exposure,
    /// Logit loss on later sessions for a reader who read and rejected the rumor, who
    /// then also gets no repetition gain; 0: rejecters are treated like anyone else.
    pub rejecter_resistance: f64,
    /// Complex contagion: exposures needed before a reader can be convinced (1: off).
    pub threshold: u32,
}

impl Default for BeliefSpec {
    fn default() -> Self {
        BeliefSpec {
            model: BeliefModel::Logistic,
            probability: 0.3,
            trust_weight: 2.0,
            skepticism_weight: 3.0,
            // Derived: Pfänder & Altay 2025, discordant news judged less accurate,
            // d = 0.78 (range 0.35-0.7 per side depending on the reading of d).
            camp_weight: 0.5,
            // Assumption, bounded: label effects small (Hall et al. 2024).
            label_penalty: 0.1,
            // Derived: Hassan & Barber 2021 (log shape), Henderson et al. 2021 (size).
            repetition_weight: 0.4,
            exposure: Exposure::Sources,
            // Assumption on size, direction solid (Brashier et al. 2020; Calvillo &
            // Smelter 2020).
            rejecter_resistance: 1.0,
            threshold: 1,
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
        v.range(
            "belief.rejecter_resistance",
            self.rejecter_resistance,
            0.0,
            50.0,
        );
        if !(1..=u16::MAX as u32).contains(&self.threshold) {
            v.add(
                "belief.threshold",
                format!("{} is out of range: allowed 1 to 65535", self.threshold),
            );
        }
    }
}
