//! Which chats a spreader forwards to in one share action.
//!
//! Candidates are the user's chats except the one the message came from, chats where
//! only the owner may post (unless the user is the owner), and chats with nobody else
//! in them. Each candidate has weight `share_weight(kind) x camp_preference` (the
//! latter only for chats dominated by the user's own camp). The user picks
//! `min(fanout, forward limit)` chats by weighted sampling without replacement
//! (Efraimidis-Spirakis keys `ln(U) / w`, largest first).
//!
//! Two rules refine this. A forward of an already-forwarded copy may go to at most
//! `forwarded_group_limit` group chats (every kind but direct; WhatsApp's 2022 rule):
//! chats are then taken in key order, skipping groups once the group limit is met.
//! With persistence on ([`ChatChooser::walk`]), a spreader ranks its chats once per
//! message (a stream keyed by run and user only, so every action sees the same
//! ranking) and each share action posts the next chats of that ranking, so no chat
//! gets the message twice.
//!
//! # Complexity
//! O(d log d) for a user in d chats, reading only the user's own row of chats and
//! slot bytes (no per-chat lookups).

use crate::population::{slot, Population, FANOUT_ALL};
use crate::rng::Rng;
use crate::scenario::ChatKind;
use rand::Rng as _;

/// Fixed parameters of chat choice.
pub struct ChatChooser {
    /// Weight of each chat kind, by kind index.
    pub kind_weight: [f64; 7],
    /// Multiplier for chats whose dominant camp is the sender's.
    pub camp_preference: f64,
}

impl ChatChooser {
    /// Weight of a chat for a user from its slot byte (None if the user cannot forward
    /// there), or None for the chat the message came from.
    #[inline]
    fn weight(&self, slot: u8, c: u32, exclude: Option<u32>) -> Option<f64> {
        if slot & slot::POSTABLE == 0 || Some(c) == exclude {
            return None;
        }
        let mut w = self.kind_weight[(slot & slot::KIND) as usize];
        if slot & slot::SAME_CAMP != 0 {
            w *= self.camp_preference;
        }
        (w > 0.0).then_some(w)
    }

    /// Appends to `out` the chats user `u` forwards to, at most `limit`, each with the
    /// chat's kind index. `keyed` is scratch space, reused between calls.
    #[allow(clippy::too_many_arguments)]
    pub fn choose(
        &self,
        pop: &Population,
        u: u32,
        exclude: Option<u32>,
        limit: u32,
        rng: &mut Rng,
        out: &mut Vec<(u32, u8)>,
        keyed: &mut Vec<(f64, u32, u8)>,
    ) {
        let fanout = pop.users.fanout[u as usize];
        let k = if fanout == FANOUT_ALL {
            limit
        } else {
            (fanout as u32).min(limit)
        } as usize;
        if k == 0 {
            return;
        }
        let (chats, slots) = pop.chats_of(u);
        let start = out.len();
        // Fast path, no draws: when every eligible chat fits, take them all in order.
        // The eligible chats are written to `out` directly; only if there are too many
        // are they taken back and sampled by weight.
        out.extend(
            chats
                .iter()
                .zip(slots)
                .filter(|&(&c, &s)| self.weight(s, c, exclude).is_some())
                .map(|(&c, &s)| (c, s & slot::KIND)),
        );
        let eligible = out.len() - start;
        if eligible <= k {
            return;
        }
        out.truncate(start);
        keyed.clear();
        for (&c, &s) in chats.iter().zip(slots) {
            if let Some(w) = self.weight(s, c, exclude) {
                // ln(U)/w is a monotone transform of U^(1/w); U in (0, 1].
                let u01 = 1.0 - rng.random::<f64>();
                keyed.push((u01.ln() / w, c, s & slot::KIND));
            }
        }
        keyed.select_nth_unstable_by(k - 1, |a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        keyed.truncate(k);
        keyed.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        out.extend(keyed.iter().map(|&(_, c, k)| (c, k)));
        debug_assert!(out.len() - start == k);
    }

    /// As [`ChatChooser::choose`], for a forward under the one-group rule: at most
    /// `groups` of the chosen chats may be group chats. Candidates are taken in key
    /// order (chat order when all of them fit), skipping groups over the limit.
    #[allow(clippy::too_many_arguments)]
    pub fn choose_grouped(
        &self,
        pop: &Population,
        u: u32,
        exclude: Option<u32>,
        limit: u32,
        groups: u32,
        rng: &mut Rng,
        out: &mut Vec<(u32, u8)>,
        keyed: &mut Vec<(f64, u32, u8)>,
    ) {
        let fanout = pop.users.fanout[u as usize];
        let k = if fanout == FANOUT_ALL {
            limit
        } else {
            (fanout as u32).min(limit)
        } as usize;
        if k == 0 {
            return;
        }
        self.rank(pop, u, exclude, rng, keyed, k, groups);
        let mut taken_groups = 0;
        for &(_, c, kind) in keyed.iter() {
            if out.len() >= k {
                break;
            }
            if is_group(kind) {
                if taken_groups >= groups {
                    continue;
                }
                taken_groups += 1;
            }
            out.push((c, kind));
        }
    }

    /// Fills `keyed` with the chats `u` may forward to, in the order they are taken:
    /// chat order without draws when at most `fit` of them, with at most `groups` group
    /// chats, are eligible (they are then all taken); otherwise by weighted sampling
    /// without replacement (one draw per eligible chat, in chat order, largest key
    /// first, ties to the lower chat id).
    #[allow(clippy::too_many_arguments)]
    fn rank(
        &self,
        pop: &Population,
        u: u32,
        exclude: Option<u32>,
        rng: &mut Rng,
        keyed: &mut Vec<(f64, u32, u8)>,
        fit: usize,
        groups: u32,
    ) {
        let (chats, slots) = pop.chats_of(u);
        keyed.clear();
        keyed.extend(
            chats
                .iter()
                .zip(slots)
                .filter(|&(&c, &s)| self.weight(s, c, exclude).is_some())
                .map(|(&c, &s)| (0.0, c, s & slot::KIND)),
        );
        let n_groups = keyed.iter().filter(|e| is_group(e.2)).count();
        if keyed.len() <= fit && n_groups as u64 <= groups as u64 {
            return;
        }
        keyed.clear();
        for (&c, &s) in chats.iter().zip(slots) {
            if let Some(w) = self.weight(s, c, exclude) {
                let u01 = 1.0 - rng.random::<f64>();
                keyed.push((u01.ln() / w, c, s & slot::KIND));
            }
        }
        keyed.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    }

    /// One share action under persistence: appends to `out` the next chats of `u`'s
    /// ranking from position `from`, within the current intention (the ranking's
    /// positions `[j k, (j + 1) k)`, k = fanout, "all" = every eligible chat), at most
    /// `limit` chats and at most `groups` group chats; stops at the first chat that
    /// would break a limit, so the ranking is followed in order. `rng` must be the
    /// spreader's ranking stream (the same at every action).
    #[allow(clippy::too_many_arguments)]
    pub fn walk(
        &self,
        pop: &Population,
        u: u32,
        exclude: Option<u32>,
        from: u16,
        limit: u32,
        groups: u32,
        rng: &mut Rng,
        out: &mut Vec<(u32, u8)>,
        keyed: &mut Vec<(f64, u32, u8)>,
    ) -> Progress {
        let fanout = pop.users.fanout[u as usize];
        let from = from as usize;
        // Everything fits in one action from the start: no ranking is needed.
        let fit = if from == 0 { limit as usize } else { 0 };
        let fit = if fanout == FANOUT_ALL {
            fit
        } else {
            fit.min(fanout as usize)
        };
        self.rank(pop, u, exclude, rng, keyed, fit, groups);
        let eligible = keyed.len().min(RANK_END as usize);
        let k = if fanout == FANOUT_ALL {
            eligible
        } else {
            fanout as usize
        };
        if k == 0 || from >= eligible {
            return Progress {
                next: from as u16,
                end: from as u16,
                eligible: eligible as u16,
            };
        }
        let end = ((from / k + 1) * k).min(eligible);
        let (mut i, mut taken_groups) = (from, 0u32);
        while i < end && ((i - from) as u64) < limit as u64 {
            let (_, c, kind) = keyed[i];
            if is_group(kind) {
                if taken_groups >= groups {
                    break;
                }
                taken_groups += 1;
            }
            out.push((c, kind));
            i += 1;
        }
        Progress {
            next: i as u16,
            end: end as u16,
            eligible: eligible as u16,
        }
    }
}

/// Largest ranking position kept per user (2 bytes): chats past it are never reached.
pub const RANK_END: u16 = u16::MAX;

/// Where one share action under persistence left a spreader in its ranking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Ranking position after the action (chats posted so far).
    pub next: u16,
    /// End of the current intention: `next < end` means the limit cut it short.
    pub end: u16,
    /// Chats in the ranking.
    pub eligible: u16,
}

/// Whether a chat of this kind index is a group chat for the one-group rule: every
/// kind but direct (broadcast lists included, an assumption).
#[inline]
fn is_group(kind: u8) -> bool {
    kind != ChatKind::Direct as u8
}
