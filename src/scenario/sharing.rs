//! The `[sharing]` section checked: who shares, when, how often, and when they stop;
//! persistence under forward limits, fading interest, and the share multipliers by
//! stance and label.

use super::config::{DelayDist, Limit, SharingConfig};
use super::switch::Switch;
use super::violations::Violations;
use crate::duration::Duration;
use serde::{Deserialize, Serialize};

/// Sharing behaviour with every default resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Sharing {
    /// Probability that a new believer becomes a spreader.
    pub believer: f64,
    /// Probability that a reader who does not believe shares anyway.
    pub rejecter: f64,
    /// Mean delay from becoming a spreader to the first share action.
    pub delay: Duration,
    /// How delays are drawn.
    pub delay_dist: DelayDist,
    /// Share actions per spreader.
    pub actions: Limit,
    /// Mean gap between successive share actions.
    pub interval: Duration,
    /// Probability of stopping per share action, times the share of recipients who
    /// already knew the story.
    pub stifling: f64,
    /// Weight multiplier for chats whose dominant camp is the spreader's own.
    pub camp_preference: f64,
    /// Chance to make the next share action when a forward limit left intended chats
    /// unposted (`docs/model.md#persistence`); None: off (today's one action per
    /// intention, no memory of chats).
    pub persistence: Option<f64>,
    /// Novelty decay of the share probability (`docs/model.md#fading-interest`); None: off.
    pub novelty: Option<Novelty>,
    /// Multipliers of the believer share probability by the rumor's stance towards the
    /// reader's camp.
    pub stance_factor: StanceFactors,
    /// Multiplier of the believer share probability when the convincing copy was
    /// labelled "forwarded many times".
    pub label_factor: f64,
}

/// Fading interest: the share probability times r(age) = exp(-(age / tau)^exponent),
/// age measured from the rumor's first post, tau chosen so that r(half_life) = 1/2.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Novelty {
    /// Age at which r = 1/2.
    pub half_life: Duration,
    /// Stretching exponent (Wu and Huberman 2007).
    pub exponent: f64,
}

impl Novelty {
    /// The scale tau, in minutes: half_life / (ln 2)^(1 / exponent).
    pub fn tau_minutes(&self) -> f64 {
        self.half_life.minutes() / std::f64::consts::LN_2.powf(1.0 / self.exponent)
    }

    /// The factor r at an age of `minutes`.
    pub fn factor(&self, minutes: f64) -> f64 {
        (-(minutes / self.tau_minutes()).powf(self.exponent)).exp()
    }
}

impl Sharing {
    /// Checks the section; `interval` defaults to `delay`.
    pub(super) fn check(raw: &SharingConfig, v: &mut Violations) -> Sharing {
        v.probabilities(
            "sharing",
            &[
                ("believer", raw.believer),
                ("rejecter", raw.rejecter),
                ("stifling", raw.stifling),
            ],
        );
        if raw.actions == Limit::Count(0) {
            v.add("sharing.actions", "must be >= 1 or \"unlimited\"".into());
        }
        if !(raw.camp_preference.is_finite() && raw.camp_preference >= 0.0) {
            v.add(
                "sharing.camp_preference",
                format!("{} must be >= 0", raw.camp_preference),
            );
        }
        if let Switch::On(q) = raw.persistence {
            v.range("sharing.persistence", q, 0.0, 1.0);
        }
        if let Switch::On(h) = raw.novelty_half_life {
            if h.minutes() <= 0.0 {
                v.add(
                    "sharing.novelty_half_life",
                    "must be longer than 0 (or \"off\")".into(),
                );
            }
        }
        if !(raw.novelty_exponent > 0.0 && raw.novelty_exponent <= 2.0) {
            v.add(
                "sharing.novelty_exponent",
                format!(
                    "{} is out of range: allowed 0 < exponent <= 2",
                    raw.novelty_exponent
                ),
            );
        }
        let f = raw.stance_factor;
        for (name, x) in [
            ("for", f.for_),
            ("indifferent", f.indifferent),
            ("against", f.against),
        ] {
            v.range(&format!("sharing.stance_factor.{name}"), x, 0.0, 100.0);
        }
        v.range("sharing.label_factor", raw.label_factor, 0.0, 1.0);
        Sharing {
            believer: raw.believer,
            rejecter: raw.rejecter,
            delay: raw.delay,
            delay_dist: raw.delay_dist,
            actions: raw.actions,
            interval: raw.interval.unwrap_or(raw.delay),
            stifling: raw.stifling,
            camp_preference: raw.camp_preference,
            persistence: raw.persistence.on(),
            novelty: raw.novelty_half_life.on().map(|half_life| Novelty {
                half_life,
                exponent: raw.novelty_exponent,
            }),
            stance_factor: raw.stance_factor,
            label_factor: raw.label_factor,
        }
    }

    /// The section as written, every default filled in.
    pub(super) fn to_config(&self) -> SharingConfig {
        SharingConfig {
            believer: self.believer,
            rejecter: self.rejecter,
            delay: self.delay,
            delay_dist: self.delay_dist,
            actions: self.actions,
            interval: Some(self.interval),
            stifling: self.stifling,
            camp_preference: self.camp_preference,
            persistence: self.persistence.map_or(Switch::Off, Switch::On),
            novelty_half_life: self
                .novelty
                .map_or(Switch::Off, |n| Switch::On(n.half_life)),
            novelty_exponent: self
                .novelty
                .map_or(SharingConfig::default().novelty_exponent, |n| n.exponent),
            stance_factor: self.stance_factor,
            label_factor: self.label_factor,
        }
    }
}

/// Multipliers by the rumor's stance towards a camp (`for`, `indifferent`, `against`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StanceFactors {
    /// Camps the rumor flatters.
    #[serde(rename = "for")]
    pub for_: f64,
    /// Camps the rumor neither flatters nor attacks.
    pub indifferent: f64,
    /// Camps the rumor attacks.
    pub against: f64,
}

impl StanceFactors {
    /// Every factor 1: no effect.
    pub const NONE: StanceFactors = StanceFactors {
        for_: 1.0,
        indifferent: 1.0,
        against: 1.0,
    };
}

impl Default for StanceFactors {
    /// The sharing defaults: partisans share congenial false news more (direction:
    /// Osmundsen et al. 2021, Pennycook et al. 2021; sizes an assumption).
    fn default() -> Self {
        StanceFactors {
            for_: 2.0,
            indifferent: 1.0,
            against: 0.3,
        }
    }
}
