//! The `[rumor]` section checked: the message being followed, and its stance towards
//! each camp (`docs/model.md#partisanship`).

use super::config::RumorConfig;
use super::violations::Violations;
use super::Camp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The rumor: how believable and how shareable it is, and whom it flatters or attacks.
#[derive(Clone, Debug, PartialEq)]
pub struct Rumor {
    /// Chance an average reader believes one copy at first sight, in (0, 1).
    pub appeal: f64,
    /// Multiplier on the share probabilities (>= 0).
    pub virality: f64,
    /// Index of the camp the rumor attacks, if any (the legacy shorthand: every other
    /// camp is flattered).
    pub target_camp: Option<u8>,
    /// The rumor's stance towards each camp, by camp index, when `rumor.stance` was
    /// given (camps it does not list are indifferent).
    pub stance: Option<Vec<Stance>>,
}

/// The rumor's stance towards a camp.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
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
    /// With `stance`, as listed (indifferent if not listed); with `target_camp` (the
    /// legacy rule): the target is attacked and every other camp is flattered; with
    /// neither, every camp is indifferent.
    pub fn stance_of(&self, camp: u8) -> Stance {
        if let Some(table) = &self.stance {
            return table
                .get(camp as usize)
                .copied()
                .unwrap_or(Stance::Indifferent);
        }
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
        if raw.target_camp.is_some() && raw.stance.is_some() {
            v.add(
                "rumor.stance",
                "give either `stance` or the legacy `target_camp`, not both".into(),
            );
        }
        let stance = raw.stance.as_ref().map(|table| {
            let mut per_camp = vec![Stance::Indifferent; camps.len()];
            for (name, &s) in table {
                if let Some(c) = v.camp(&format!("rumor.stance.{name}"), name, camps) {
                    per_camp[c as usize] = s;
                }
            }
            per_camp
        });
        Rumor {
            appeal: raw.appeal,
            virality: raw.virality,
            target_camp: v.opt_camp("rumor.target_camp", raw.target_camp.as_deref(), camps),
            stance,
        }
    }

    /// The section as written.
    pub(super) fn to_config(&self, camps: &[Camp]) -> RumorConfig {
        RumorConfig {
            appeal: self.appeal,
            virality: self.virality,
            target_camp: camp_name(self.target_camp, camps),
            stance: self.stance.as_ref().map(|table| {
                camps
                    .iter()
                    .zip(table)
                    .map(|(c, &s)| (c.name.clone(), s))
                    .collect::<BTreeMap<String, Stance>>()
            }),
        }
    }
}

/// The name of an optional camp index, for writing a section back.
pub(super) fn camp_name(camp: Option<u8>, camps: &[Camp]) -> Option<String> {
    camp.map(|c| camps[c as usize].name.clone())
}

#[cfg(test)]
mod tests {
    use super::super::Scenario;
    use super::*;

    const CAMPS: &str = "[population]\nusers = 10\ncamps = [{name = \"left\", share = 0.4}, \
                         {name = \"right\", share = 0.4}, {name = \"neutral\", share = 0.2}]\n";

    fn rumor(extra: &str) -> Result<Rumor, String> {
        Scenario::from_toml_str(&format!("{CAMPS}[rumor]\n{extra}"), "t")
            .map(|s| s.rumor)
            .map_err(|e| e.to_string())
    }

    /// A stance table names camps; unlisted camps are indifferent.
    #[test]
    fn stance_per_camp() {
        let r = rumor("stance = { right = \"for\", left = \"against\" }\n").unwrap();
        assert_eq!(
            [r.stance_of(0), r.stance_of(1), r.stance_of(2)],
            [Stance::Against, Stance::For, Stance::Indifferent]
        );
    }

    /// The legacy target camp: attacked; every other camp, neutrals included, flattered.
    #[test]
    fn target_camp_is_the_legacy_rule() {
        let r = rumor("target_camp = \"left\"\n").unwrap();
        assert_eq!(
            [r.stance_of(0), r.stance_of(1), r.stance_of(2)],
            [Stance::Against, Stance::For, Stance::For]
        );
        let none = rumor("").unwrap();
        assert_eq!(none.stance_of(1), Stance::Indifferent);
    }

    #[test]
    fn stance_and_target_camp_exclude_each_other() {
        let e = rumor("target_camp = \"left\"\nstance = { right = \"for\" }\n").unwrap_err();
        assert!(e.contains("not both"), "{e}");
        let e = rumor("stance = { centre = \"for\" }\n").unwrap_err();
        assert!(e.contains("rumor.stance.centre"), "{e}");
        let e = rumor("stance = { left = \"pro\" }\n").unwrap_err();
        assert!(e.contains("pro"), "{e}");
    }

    /// Written back, a stance table lists every camp and reads the same.
    #[test]
    fn stance_round_trips() {
        let s = Scenario::from_toml_str(
            &format!("{CAMPS}[rumor]\nstance = {{ right = \"for\" }}\n"),
            "t",
        )
        .unwrap();
        let again = Scenario::check(s.to_config(), None, "t").unwrap();
        assert_eq!(again.rumor, s.rumor);
    }
}
