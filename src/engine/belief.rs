//! The chance that reading one copy convinces a reader.
//!
//! Logistic model (`docs/model.md#belief`), with trust and skepticism centred at 0.5 so that
//! `appeal` reads as "chance that an average reader in a middling-trust chat believes
//! a first copy":
//!
//! `logit p = logit(appeal) + trust_weight (trust - 0.5) - skepticism_weight
//! (skepticism - 0.5) +/- camp_weight - label_penalty [labelled] + repetition_weight
//! ln(1 + copies read before)`.
//!
//! The camp term is `-camp_weight` for readers in the rumor's target camp and
//! `+camp_weight` for everyone else (0 if the rumor has no target). The constant model
//! gives every copy the same probability (validation against percolation theory).
//! The label penalty is a platform rule (it can change during a run), so it comes
//! with the [`Rules`] in force.

use super::Rules;
use crate::population::Population;
use crate::scenario::{self, Scenario};

/// What the belief model needs to know about a reader.
#[derive(Clone, Copy, Debug)]
pub struct Reader {
    /// Skepticism, including any prebunking boost.
    pub skepticism: f32,
    pub camp: u8,
}

impl Reader {
    /// User `u` of `pop`, with `boost` added to their skepticism.
    pub fn of(pop: &Population, u: u32, boost: f32) -> Reader {
        Reader {
            skepticism: pop.users.skepticism[u as usize] + boost,
            camp: pop.users.camp[u as usize],
        }
    }
}

/// A belief model with its parameters resolved.
#[derive(Clone, Debug)]
pub enum BeliefModel {
    Constant(f64),
    Logistic {
        base: f64,
        trust_weight: f64,
        skepticism_weight: f64,
        camp_weight: f64,
        repetition_weight: f64,
        target: Option<u8>,
    },
}

impl BeliefModel {
    /// The model a scenario asks for.
    pub fn new(scn: &Scenario) -> BeliefModel {
        let b = &scn.belief;
        match b.model {
            scenario::BeliefModel::Constant => BeliefModel::Constant(b.probability),
            scenario::BeliefModel::Logistic => {
                let a = scn.rumor.appeal;
                BeliefModel::Logistic {
                    base: (a / (1.0 - a)).ln(),
                    trust_weight: b.trust_weight,
                    skepticism_weight: b.skepticism_weight,
                    camp_weight: b.camp_weight,
                    repetition_weight: b.repetition_weight,
                    target: scn.rumor.target_camp,
                }
            }
        }
    }

    /// Probability that `reader` believes a copy read in a chat of `trust`, after
    /// `earlier` copies, under the platform `rules` in force.
    #[inline]
    pub fn probability(
        &self,
        reader: Reader,
        trust: f32,
        labelled: bool,
        earlier: u32,
        rules: &Rules,
    ) -> f64 {
        match *self {
            BeliefModel::Constant(p) => p,
            BeliefModel::Logistic {
                base,
                trust_weight,
                skepticism_weight,
                camp_weight,
                repetition_weight,
                target,
            } => {
                let skep = reader.skepticism.min(1.0) as f64;
                let camp = match target {
                    None => 0.0,
                    Some(t) if reader.camp == t => -camp_weight,
                    Some(_) => camp_weight,
                };
                let x = base + trust_weight * (trust as f64 - 0.5)
                    - skepticism_weight * (skep - 0.5)
                    + camp
                    - if labelled { rules.label_penalty } else { 0.0 }
                    + repetition_weight * (1.0 + earlier as f64).ln();
                1.0 / (1.0 + (-x).exp())
            }
        }
    }
}
