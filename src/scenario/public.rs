//! The `[public]` section: public spill-over (private -> public -> press -> crisis).
//! Written and checked forms have the same fields (each has a default), so one type
//! serves both; its `check` keeps them in range. The dynamics are in
//! `docs/model.md#spill-over`.

use super::dist::IntDist;
use super::violations::Violations;
use crate::duration::Duration;
use serde::{Deserialize, Serialize};

/// `[public]`: users' public presence and the public, press and crisis stages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PublicSpec {
    /// Share of generated users with a public account (imports use `followers`).
    pub share: f64,
    /// Followers of a public account.
    pub followers: IntDist,
    /// Rate (per hour) at which a believer with a public account posts about the
    /// rumor publicly; each believer posts at most once.
    pub post_rate: f64,
    /// Mean number of further public posts each public post triggers (Hawkes branching
    /// ratio, scaled per post by its author's followers relative to the mean).
    pub branching_ratio: f64,
    /// Mean delay of a triggered public post after the post that triggered it.
    pub decay: Duration,
    /// Size of the public conversation that can join in (saturates the cascade);
    /// 0 means ten times the private population.
    pub public_users: u64,
    /// Users who see a public post and forward the rumor into their private chats,
    /// per public post.
    pub feedback: f64,
    /// When the press picks the story up.
    pub press: Press,
    /// When a crisis is declared.
    pub crisis: Crisis,
}

impl Default for PublicSpec {
    fn default() -> Self {
        PublicSpec {
            share: 0.2,
            followers: IntDist::Lognormal {
                median: 150.0,
                sigma: 1.5,
                min: 1,
                max: 10_000_000,
            },
            post_rate: 0.01,
            branching_ratio: 0.8,
            decay: Duration::from_hours(6.0),
            public_users: 0,
            feedback: 0.05,
            press: Press::default(),
            crisis: Crisis::default(),
        }
    }
}

/// `[public.press]`: when the press picks the story up, and what that does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Press {
    /// Sliding window over which public posts are counted.
    pub window: Duration,
    /// Public posts within the window above which the press may pick the story up.
    pub threshold: f64,
    /// Chance per hour of a pickup while the volume is above the threshold.
    pub pickup_rate: f64,
    /// Coverage goes on while the volume stays above this share of the threshold.
    pub sustain: f64,
    /// Extra public posts per hour caused by press coverage.
    pub public_boost: f64,
    /// Multiplier on private re-injection (feedback) during coverage.
    pub feedback_boost: f64,
}

impl Default for Press {
    fn default() -> Self {
        Press {
            window: Duration::from_hours(24.0),
            threshold: 200.0,
            pickup_rate: 0.1,
            sustain: 0.5,
            public_boost: 20.0,
            feedback_boost: 2.0,
        }
    }
}

/// `[public.crisis]`: a crisis is declared when press coverage goes on and public
/// volume stays above `threshold` for `duration`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Crisis {
    /// Public posts within the press window.
    pub threshold: f64,
    /// How long coverage and volume must last.
    pub duration: Duration,
}

impl Default for Crisis {
    fn default() -> Self {
        Crisis {
            threshold: 1000.0,
            duration: Duration::from_hours(24.0),
        }
    }
}

impl PublicSpec {
    /// Checks the section; `step` is the simulation's step length.
    pub(super) fn check(&self, step: Duration, v: &mut Violations) {
        let at = |f: &str| format!("public.{f}");
        for (f, x) in [("share", self.share), ("press.sustain", self.press.sustain)] {
            if !(0.0..=1.0).contains(&x) {
                v.add(&at(f), format!("{x} is out of range: allowed 0 to 1"));
            }
        }
        v.check(&at("followers"), self.followers.check(false));
        for (f, x, hi) in [
            ("post_rate", self.post_rate, 1000.0),
            ("branching_ratio", self.branching_ratio, 100.0),
            ("feedback", self.feedback, 1000.0),
            ("press.threshold", self.press.threshold, 1e12),
            ("press.pickup_rate", self.press.pickup_rate, 1000.0),
            ("press.public_boost", self.press.public_boost, 1e9),
            ("press.feedback_boost", self.press.feedback_boost, 1e6),
            ("crisis.threshold", self.crisis.threshold, 1e12),
        ] {
            v.range(&at(f), x, 0.0, hi);
        }
        if self.decay.minutes() <= 0.0 {
            v.add(&at("decay"), "must be longer than 0".into());
        }
        if self.press.window.minutes() < step.minutes() {
            v.add(
                &at("press.window"),
                format!("{} is shorter than one step ({step})", self.press.window),
            );
        }
    }

    /// Whether the public cascade is sub- or super-critical.
    pub fn criticality(&self) -> &'static str {
        if self.branching_ratio < 1.0 {
            "sub-critical"
        } else {
            "super-critical"
        }
    }
}
