//! The `[sharing]` section checked: who shares, when, how often, and when they stop.

use super::config::{DelayDist, Limit, SharingConfig};
use super::violations::Violations;
use crate::duration::Duration;

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
        Sharing {
            believer: raw.believer,
            rejecter: raw.rejecter,
            delay: raw.delay,
            delay_dist: raw.delay_dist,
            actions: raw.actions,
            interval: raw.interval.unwrap_or(raw.delay),
            stifling: raw.stifling,
            camp_preference: raw.camp_preference,
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
        }
    }
}
