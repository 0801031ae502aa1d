//! The `[attention]` section: limited attention (`docs/model.md#attention`). A user who
//! opens the app does not read every pending copy: a copy sinks under the messages
//! posted after it in its chat, an app-open reads a bounded number of messages, and a
//! copy left unread too long is lost. Written and checked forms have the same fields
//! (each has a default), so one type serves both; its `check` keeps them in range.
//!
//! The formulas are here too ([`visibility`], [`budget`]), so that the engine and the
//! documentation's worked examples use one definition.

use super::kind::ChatKind;
use super::switch::Switch;
use super::violations::Violations;
use crate::duration::Duration;
use serde::{Deserialize, Serialize};

/// `[attention]`: which copies a reader actually reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Attention {
    /// Master switch: false reads every pending copy (the model before limited
    /// attention), whatever the other fields say.
    pub enabled: bool,
    /// A copy not read within this time of its arrival is lost; "off": never.
    pub expiry: Switch<Duration>,
    /// Newer messages above a copy in its chat at which its chance to be read halves;
    /// "off": position does not matter.
    pub half_visible: Switch<f64>,
    /// Messages an app-open reads at most, on average; "off": no bound.
    pub reads_per_open: Switch<f64>,
    /// Background messages per member per day, by chat kind.
    pub traffic: Traffic,
}

impl Default for Attention {
    fn default() -> Self {
        Attention {
            enabled: true,
            // Derived anchor: 80% of images stop being shared within two days (de Freitas
            // Melo et al. 2019); as a read cut-off an assumption.
            expiry: Switch::On(Duration::from_hours(48.0)),
            // Shape from Hodas & Lerman 2012 and Weng et al. 2012; value an assumption
            // (two to three phone screens of scroll-back).
            half_visible: Switch::On(30.0),
            // Assumption: no measurement found.
            reads_per_open: Switch::On(60.0),
            traffic: Traffic::default(),
        }
    }
}

/// `[attention.traffic]`: messages posted per member per day in chats of each kind
/// (the chat's background traffic is this times its members). Broadcast-list messages
/// and mass messages land in a one-to-one conversation, whose traffic is the
/// `broadcast` rate times 2.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Traffic {
    /// Family groups; default 3.3 (an assumed 20 messages a day over a median of 6
    /// members).
    pub family: f64,
    /// Friends' groups; default 3.0 (30 a day over 10 members, assumed).
    pub friends: f64,
    /// Work groups; default 1.7 (20 a day over 12 members, assumed).
    pub work: f64,
    /// Community groups; default 1.0 (40 a day over 40 members, assumed).
    pub community: f64,
    /// Political groups; default 1.4, derived from Caetano et al. 2018.
    pub political: f64,
    /// Broadcast lists and mass messages, which land in a one-to-one conversation of
    /// traffic `broadcast` times 2; default 2.5.
    pub broadcast: f64,
    /// One-to-one conversations; default 2.5 (5 a day over 2 members, assumed).
    pub direct: f64,
}

impl Default for Traffic {
    /// Political groups: 1.4 messages per member per day, derived from Caetano et al.
    /// 2018 (270,000 messages, 81 groups, ~7,000 users, 28 days). The other kinds are
    /// assumptions per chat per day (family 20, friends 30, work 20, community 40,
    /// direct 5) divided by the kind's default median size (6, 10, 12, 40, 2);
    /// broadcast lists land in a one-to-one conversation, like direct chats.
    fn default() -> Self {
        Traffic {
            family: 3.3,
            friends: 3.0,
            work: 1.7,
            community: 1.0,
            political: 1.4,
            broadcast: 2.5,
            direct: 2.5,
        }
    }
}

impl Traffic {
    /// Messages per member per day in chats of `kind`.
    pub fn of(&self, kind: ChatKind) -> f64 {
        match kind {
            ChatKind::Family => self.family,
            ChatKind::Friends => self.friends,
            ChatKind::Work => self.work,
            ChatKind::Community => self.community,
            ChatKind::Political => self.political,
            ChatKind::Broadcast => self.broadcast,
            ChatKind::Direct => self.direct,
        }
    }

    /// Background messages per day in a chat of `kind` with `members` members, as a
    /// reader of it sees them: a broadcast list's copy lands in a one-to-one
    /// conversation (2 members) whatever the list's size.
    pub fn per_day(&self, kind: ChatKind, members: usize) -> f64 {
        let members = if kind == ChatKind::Broadcast {
            2
        } else {
            members
        };
        self.of(kind) * members as f64
    }
}

impl Attention {
    /// Whether any part of limited attention acts: `enabled` and at least one of
    /// expiry, visibility and the per-open budget not "off".
    pub fn is_on(&self) -> bool {
        self.enabled
            && (self.expiry.on().is_some()
                || self.half_visible.on().is_some()
                || self.reads_per_open.on().is_some())
    }

    /// Checks the section.
    pub(super) fn check(&self, v: &mut Violations) {
        if let Switch::On(d) = self.expiry {
            if d.minutes() <= 0.0 {
                v.add(
                    "attention.expiry",
                    "must be longer than 0 (or \"off\")".into(),
                );
            }
        }
        if let Switch::On(h) = self.half_visible {
            if !(h.is_finite() && h > 0.0 && h <= 1e9) {
                v.add(
                    "attention.half_visible",
                    format!("{h} is out of range: allowed 0 < half_visible <= 1e9 (or \"off\")"),
                );
            }
        }
        if let Switch::On(r) = self.reads_per_open {
            if !(r.is_finite() && r > 0.0 && r <= 1e9) {
                v.add(
                    "attention.reads_per_open",
                    format!("{r} is out of range: allowed 0 < reads_per_open <= 1e9 (or \"off\")"),
                );
            }
        }
        for kind in ChatKind::ALL {
            v.range(
                &format!("attention.traffic.{kind}"),
                self.traffic.of(kind),
                0.0,
                1e4,
            );
        }
    }
}

/// Chance that a copy with `newer` messages above it in its chat is seen:
/// `1 / (1 + newer / half_visible)` (a hyperbolic decay with feed position).
#[inline]
pub fn visibility(newer: f64, half_visible: f64) -> f64 {
    1.0 / (1.0 + newer / half_visible)
}

/// Share of pending messages an app-open reads: `min(1, reads_per_open / pending)`,
/// where `pending = traffic_per_step / p_open` is the expected number of messages
/// arriving across the reader's chats between two app-opens (`traffic_per_step`
/// messages per step over all the reader's chats, `p_open` the chance to open the app
/// in a step). 1 when nothing arrives; 0 for a reader who never opens the app.
#[inline]
pub fn budget(reads_per_open: f64, traffic_per_step: f64, p_open: f64) -> f64 {
    if traffic_per_step <= 0.0 {
        1.0
    } else {
        (reads_per_open * p_open / traffic_per_step).min(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked examples of `docs/model.md#attention`.
    #[test]
    fn visibility_halves_at_half_visible() {
        assert_eq!(visibility(0.0, 30.0), 1.0);
        assert_eq!(visibility(30.0, 30.0), 0.5);
        assert_eq!(visibility(90.0, 30.0), 0.25);
        // 10 -> 0.75, 120 -> 0.2
        assert!((visibility(10.0, 30.0) - 0.75).abs() < 1e-12);
        assert!((visibility(120.0, 30.0) - 0.2).abs() < 1e-12);
    }

    /// 60 reads per open against 120 pending messages: half are read; a quiet reader
    /// reads everything.
    #[test]
    fn budget_caps_at_one() {
        // 12 messages per step, opening with chance 0.1: 120 pending per open.
        assert!((budget(60.0, 12.0, 0.1) - 0.5).abs() < 1e-12);
        assert_eq!(budget(60.0, 1.0, 0.1), 1.0);
        assert_eq!(budget(60.0, 0.0, 0.1), 1.0);
        assert_eq!(budget(60.0, 5.0, 0.0), 0.0);
    }

    /// Broadcast copies land in a one-to-one conversation.
    #[test]
    fn traffic_scales_with_members_except_broadcast() {
        let t = Traffic::default();
        assert!((t.per_day(ChatKind::Political, 100) - 140.0).abs() < 1e-9);
        assert_eq!(t.per_day(ChatKind::Broadcast, 256), 5.0);
        assert_eq!(t.per_day(ChatKind::Direct, 2), 5.0);
    }

    #[test]
    fn off_when_disabled_or_every_part_off() {
        let mut a = Attention::default();
        assert!(a.is_on());
        a.enabled = false;
        assert!(!a.is_on());
        a = Attention {
            expiry: Switch::Off,
            half_visible: Switch::Off,
            reads_per_open: Switch::Off,
            ..Attention::default()
        };
        assert!(!a.is_on());
    }
}
