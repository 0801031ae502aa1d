//! The `[rumor]` section checked: the message being followed.

use super::config::RumorConfig;
use super::violations::Violations;
use super::Camp;

/// The rumor: how believable and how shareable it is, and whom it attacks.
#[derive(Clone, Debug, PartialEq)]
pub struct Rumor {
    /// Chance an average reader believes one copy at first sight, in (0, 1).
    pub appeal: f64,
    /// Multiplier on the share probabilities (>= 0).
    pub virality: f64,
    /// Index of the camp the rumor attacks, if any.
    pub target_camp: Option<u8>,
}

/// The rumor's stance towards a camp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stance {
    /// The rumor flatters the camp (congenial).
    For,
    /// The rumor neither flatters nor attacks the camp.
    Indifferent,
    /// The rumor attacks the camp.
    Against,
}

impl Rumor {
    /// The rumor's stance towards camp `camp` (an index into the population's camps).
    /// With `target_camp` (the legacy rule): the target is attacked and every other camp
    /// is flattered; without one, every camp is indifferent.
    pub fn stance_of(&self, camp: u8) -> Stance {
        match self.target_camp {
            None => Stance::Indifferent,
            Some(t) if t == camp => Stance::Against,
            Some(_) => Stance::For,
        }
    }

    /// Checks the section against the population's camps.
    pub(super) fn check(raw: &RumorConfig, camps: &[Camp], v: &mut Violations) -> Rumor {
        if !(raw.appeal > 0.0 && raw.appeal < 1.0) {
            v.add(
                "rumor.appeal",
                format!("{} is out of range: allowed 0 < appeal < 1", raw.appeal),
            );
        }
        v.range("rumor.virality", raw.virality, 0.0, 100.0);
        Rumor {
            appeal: raw.appeal,
            virality: raw.virality,
            target_camp: v.opt_camp("rumor.target_camp", raw.target_camp.as_deref(), camps),
        }
    }

    /// The section as written.
    pub(super) fn to_config(&self, camps: &[Camp]) -> RumorConfig {
        RumorConfig {
            appeal: self.appeal,
            virality: self.virality,
            target_camp: camp_name(self.target_camp, camps),
        }
    }
}

/// The name of an optional camp index, for writing a section back.
pub(super) fn camp_name(camp: Option<u8>, camps: &[Camp]) -> Option<String> {
    camp.map(|c| camps[c as usize].name.clone())
}
