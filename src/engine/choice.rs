//! Which chats a spreader forwards to in one share action.
//!
//! Candidates are the user's chats except the one the message came from, chats where
//! only the owner may post (unless the user is the owner), and chats with nobody else
//! in them. Each candidate has weight `share_weight(kind) x camp_preference` (the
//! latter only for chats dominated by the user's own camp). The user picks
//! `min(fanout, forward limit)` chats by weighted sampling without replacement
//! (Efraimidis-Spirakis keys `ln(U) / w`, largest first).
//!
//! # Complexity
//! O(d log d) for a user in d chats, reading only the user's own row of chats and
//! slot bytes (no per-chat lookups).

use crate::population::{slot, Population, FANOUT_ALL};
use crate::rng::Rng;
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
}
