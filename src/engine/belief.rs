//! The chance that reading convinces a reader.
//!
//! Logistic model (`docs/model.md#belief`), with trust and skepticism centred at 0.5 so that
//! `appeal` reads as "chance that an average reader in a middling-trust chat believes
//! a first copy":
//!
//! `logit p = logit(appeal) + trust_weight (trust - 0.5) - skepticism_weight
//! (skepticism - 0.5) + C(camp) - label_penalty [labelled] + repetition_weight
//! ln(1 + earlier exposures) - prebunk effect`.
//!
//! The camp term C is `+camp_weight` for a camp the rumor flatters, `-camp_weight` for
//! one it attacks and 0 for one it is indifferent to (`rumor.stance`; the legacy
//! `rumor.target_camp` attacks the target and flatters every other camp). With
//! `belief.exposure = "copies"` every copy read is a draw with this probability; with
//! `"sources"` a session makes one draw from the largest [`BeliefModel::logit`] among
//! its copies plus the repetition term (`reading.rs`). The constant model gives every
//! draw the same probability (validation against percolation theory). The label
//! penalty is a platform rule (it can change during a run), so it comes with the
//! [`Rules`] in force.

use super::Rules;
use crate::population::Population;
use crate::scenario::{self, Scenario, Stance};

/// What the belief model needs to know about a reader.
#[derive(Clone, Copy, Debug)]
pub struct Reader {
    /// Skepticism, including any (legacy) prebunking boost.
    pub skepticism: f32,
    /// Index of the reader's camp in `population.camps` (0 when there are no camps).
    pub camp: u8,
    /// Logit loss from prebunking (the `effect` form), 0 if not prebunked.
    pub prebunk: f64,
}

impl Reader {
    /// User `u` of `pop`, with `boost` added to their skepticism and no prebunking
    /// effect.
    pub fn of(pop: &Population, u: u32, boost: f32) -> Reader {
        Reader {
            skepticism: pop.users.skepticism[u as usize] + boost,
            camp: pop.users.camp[u as usize],
            prebunk: 0.0,
        }
    }
}

/// A belief model with its parameters resolved.
#[derive(Clone, Debug)]
pub enum BeliefModel {
    /// Every draw succeeds with this probability, whoever reads what (`belief.model =
    /// "constant"`, used to validate against percolation theory).
    Constant(f64),
    /// The logistic model of the module header (`belief.model = "logistic"`).
    Logistic {
        /// `logit(rumor.appeal)`: the log-odds of an average reader in a middling-trust
        /// chat believing a first copy.
        base: f64,
        /// Log-odds gained per unit of chat trust above 0.5 (`belief.trust_weight`).
        trust_weight: f64,
        /// Log-odds lost per unit of reader skepticism above 0.5
        /// (`belief.skepticism_weight`).
        skepticism_weight: f64,
        /// Log-odds gained per unit of `ln(1 + earlier exposures)`
        /// (`belief.repetition_weight`): the illusory-truth effect.
        repetition_weight: f64,
        /// The camp term C of each camp, by camp index.
        camp_term: Vec<f64>,
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
                let camps = scn.population.camps.len().max(1);
                BeliefModel::Logistic {
                    base: (a / (1.0 - a)).ln(),
                    trust_weight: b.trust_weight,
                    skepticism_weight: b.skepticism_weight,
                    repetition_weight: b.repetition_weight,
                    camp_term: (0..camps)
                        .map(|c| match scn.rumor.stance_of(c as u8) {
                            Stance::For => b.camp_weight,
                            Stance::Indifferent => 0.0,
                            Stance::Against => -b.camp_weight,
                        })
                        .collect(),
                }
            }
        }
    }

    /// Probability that `reader` believes a copy read in a chat of `trust`, after
    /// `earlier` exposures, with `resistance` subtracted from the logit, under the
    /// platform `rules` in force: one draw per copy (`belief.exposure = "copies"`).
    #[inline]
    pub fn probability(
        &self,
        reader: Reader,
        trust: f32,
        labelled: bool,
        earlier: u32,
        resistance: f64,
        rules: &Rules,
    ) -> f64 {
        match *self {
            BeliefModel::Constant(p) => p,
            BeliefModel::Logistic {
                base,
                trust_weight,
                skepticism_weight,
                repetition_weight,
                ref camp_term,
            } => {
                let skep = reader.skepticism.min(1.0) as f64;
                let camp = camp_term.get(reader.camp as usize).copied().unwrap_or(0.0);
                // The order of the terms is the one the model had before prebunking
                // effects and resistance existed; those come last, so that at 0 they
                // leave the value bit for bit as it was.
                let x = base + trust_weight * (trust as f64 - 0.5)
                    - skepticism_weight * (skep - 0.5)
                    + camp
                    - if labelled { rules.label_penalty } else { 0.0 }
                    + repetition_weight * (1.0 + earlier as f64).ln()
                    - reader.prebunk
                    - resistance;
                1.0 / (1.0 + (-x).exp())
            }
        }
    }

    /// The logit of one copy without the repetition term, for a session's single draw
    /// (`belief.exposure = "sources"`); None for the constant model.
    #[inline]
    pub fn logit(&self, reader: Reader, trust: f32, labelled: bool, rules: &Rules) -> Option<f64> {
        match *self {
            BeliefModel::Constant(_) => None,
            BeliefModel::Logistic {
                base,
                trust_weight,
                skepticism_weight,
                ref camp_term,
                ..
            } => {
                let skep = reader.skepticism.min(1.0) as f64;
                let camp = camp_term.get(reader.camp as usize).copied().unwrap_or(0.0);
                Some(
                    base + trust_weight * (trust as f64 - 0.5) - skepticism_weight * (skep - 0.5)
                        + camp
                        - if labelled { rules.label_penalty } else { 0.0 }
                        - reader.prebunk,
                )
            }
        }
    }

    /// Probability of a session's single draw: the largest copy logit `best` (None for
    /// the constant model), plus `repetition_weight` ln(1 + `earlier`), minus
    /// `resistance`.
    #[inline]
    pub fn session_probability(&self, best: Option<f64>, earlier: u32, resistance: f64) -> f64 {
        match (self, best) {
            (
                BeliefModel::Logistic {
                    repetition_weight, ..
                },
                Some(best),
            ) => {
                let x = best + repetition_weight * (1.0 + earlier as f64).ln() - resistance;
                1.0 / (1.0 + (-x).exp())
            }
            (BeliefModel::Constant(p), _) => *p,
            (BeliefModel::Logistic { .. }, None) => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Rules {
        Rules {
            forward_limit: 5,
            labelled_limit: 5,
            label_hops: 5,
            label_penalty: 0.1,
            forwarded_group_limit: u32::MAX,
            prebunk_boost: 0.0,
        }
    }

    /// A model with appeal 0.5 (logit 0), trust and skepticism weights 2 and 3,
    /// repetition 0.4, and camps flattered (+0.5), indifferent (0), attacked (-0.5).
    fn model() -> BeliefModel {
        BeliefModel::Logistic {
            base: 0.0,
            trust_weight: 2.0,
            skepticism_weight: 3.0,
            repetition_weight: 0.4,
            camp_term: vec![0.5, 0.0, -0.5],
        }
    }

    fn reader(camp: u8) -> Reader {
        Reader {
            skepticism: 0.5,
            camp,
            prebunk: 0.0,
        }
    }

    fn sigma(x: f64) -> f64 {
        1.0 / (1.0 + (-x).exp())
    }

    /// Worked by hand: trust 0.5 and skepticism 0.5 leave the camp term alone.
    #[test]
    fn camp_terms_by_stance() {
        let m = model();
        let r = rules();
        for (camp, x) in [(0, 0.5), (1, 0.0), (2, -0.5)] {
            assert_eq!(
                m.probability(reader(camp), 0.5, false, 0, 0.0, &r),
                sigma(x)
            );
            assert_eq!(m.logit(reader(camp), 0.5, false, &r), Some(x));
        }
    }

    /// A stance table gives +camp_weight, 0 and -camp_weight; the legacy target camp
    /// -camp_weight in the target and +camp_weight everywhere else, neutrals included.
    #[test]
    fn camp_terms_from_the_scenario() {
        let camps = "[population]\nusers = 10\ncamps = [{name = \"l\", share = 0.4}, \
                     {name = \"r\", share = 0.4}, {name = \"n\", share = 0.2}]\n\
                     [belief]\ncamp_weight = 0.7\n[rumor]\n";
        let terms = |rumor: &str| {
            let scn = Scenario::from_toml_str(&format!("{camps}{rumor}"), "t").unwrap();
            match BeliefModel::new(&scn) {
                BeliefModel::Logistic { camp_term, .. } => camp_term,
                BeliefModel::Constant(_) => unreachable!(),
            }
        };
        assert_eq!(
            terms("stance = { r = \"for\", l = \"against\" }"),
            [-0.7, 0.7, 0.0]
        );
        assert_eq!(terms("target_camp = \"l\""), [-0.7, 0.7, 0.7]);
        assert_eq!(terms(""), [0.0, 0.0, 0.0]);
    }

    /// Label penalty, prebunking effect and resistance subtract; repetition adds
    /// 0.4 ln(1 + n).
    #[test]
    fn terms_add_in_logit() {
        let (m, r) = (model(), rules());
        let mut pre = reader(1);
        pre.prebunk = 0.5;
        assert!(
            (m.probability(pre, 0.5, true, 2, 1.0, &r) - sigma(-0.1 + 0.4 * 3f64.ln() - 0.5 - 1.0))
                .abs()
                < 1e-15
        );
        // One session draw from the best logit, 3 earlier exposures.
        let p = m.session_probability(Some(0.25), 3, 0.0);
        assert!((p - sigma(0.25 + 0.4 * 4f64.ln())).abs() < 1e-15);
        assert_eq!(
            BeliefModel::Constant(0.3).session_probability(None, 9, 1.0),
            0.3
        );
    }
}
