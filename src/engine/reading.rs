//! Filing and reading (`docs/model.md#one-step`, `#reading`, `#belief`, `#sharing`):
//! each recipient's new copies are filed under the step at which they will open the
//! app (found by keyed draws against activity x rhythm when the copies arrive), and in
//! phase 3 the users whose reading step it is read all their filed copies in posting
//! order: rumor copies decide belief ([`super::belief`]), the first correction copy
//! decides acceptance, and readers may decide to spread the rumor or forward the
//! correction.
//!
//! Each reader's session is decided in parallel from the state as it was before the
//! phase ([`ReadOutcome`]) and applied afterwards in user order, so results do not
//! depend on the thread count.

use super::state::{flag, Belief, Role, NO_POST, NO_STEP};
use super::{belief, Inbox, Msg, Params, Run, PAR_MIN};
use crate::population::Population;
use crate::rng::{self, Purpose};
use rand::Rng as _;
use rayon::prelude::*;

/// What reading did to one user, computed in parallel and applied in order.
struct ReadOutcome {
    user: u32,
    /// Rumor copies read.
    copies: u32,
    convinced_by: u32,
    first_post: u32,
    belief: Belief,
    spread_after: Option<u32>,
    /// The correction post read, if any.
    corr_post: u32,
    corr_share_after: Option<u32>,
}

impl Run<'_> {
    /// Files this step's copies (sorted by user) in the inbox of the step at which their
    /// reader reads: the one already set for a reader with unread copies, else the first
    /// step from now whose keyed reading draw succeeds (the horizon if none does).
    pub(super) fn file_copies(&mut self, t: u32, new_copies: &[Inbox]) {
        let (pop, params, st) = (self.pop, self.params, &self.state);
        let key = rng::RunKey::new(self.seed, self.run);
        let steps = self.scn.simulation.steps;
        let when = |group: &[Inbox]| -> u32 {
            let u = group[0].user;
            let at = st.read_at[u as usize];
            if at != NO_STEP && at >= t {
                return at;
            }
            (t..steps)
                .find(|&s| opens_app(pop, params, key, s, u))
                .unwrap_or(steps)
        };
        let groups: Vec<&[Inbox]> = new_copies.chunk_by(|a, b| a.user == b.user).collect();
        let read_steps: Vec<u32> = if groups.len() >= PAR_MIN / 8 {
            groups.par_iter().map(|g| when(g)).collect()
        } else {
            groups.iter().map(|g| when(g)).collect()
        };
        // Consecutive readers who read at the same step are filed in one copy.
        let mut filed = 0;
        let mut i = 0;
        while i < groups.len() {
            let at = read_steps[i];
            let mut len = 0;
            while i < groups.len() && read_steps[i] == at {
                self.state.read_at[groups[i][0].user as usize] = at;
                len += groups[i].len();
                i += 1;
            }
            self.inbox[at as usize].extend_from_slice(&new_copies[filed..filed + len]);
            filed += len;
        }
        self.unread += new_copies.len() as u64;
    }

    /// Phase 3: users whose reading step this is read their unread copies.
    pub(super) fn read(&mut self, t: u32) {
        let mut merged = std::mem::take(&mut self.inbox[t as usize]);
        self.unread -= merged.len() as u64;
        // Filed at different steps: group each reader's copies in posting order.
        if merged.len() >= PAR_MIN {
            merged.par_sort_unstable_by_key(Inbox::key);
        } else {
            merged.sort_unstable_by_key(Inbox::key);
        }
        // Copies that can no longer change anything are dropped, not read.
        let st = &self.state;
        merged.retain(|c| match c.msg {
            Msg::Rumor => matches!(
                st.belief[c.user as usize],
                Belief::Exposed | Belief::Rejecter
            ),
            Msg::Correction | Msg::Response => !st.has(c.user, flag::CORR_READ),
        });
        let response = self.response_effect;
        let (pop, params, rules) = (self.pop, self.params, self.rules);
        let key = rng::RunKey::new(self.seed, self.run);
        let decide = |group: &[Inbox]| -> ReadOutcome {
            let u = group[0].user;
            debug_assert!(opens_app(pop, params, key, t, u));
            let mut rb = key.stream(t as u64, u as u64, Purpose::Belief);
            let mut rc = key.stream(t as u64, u as u64, Purpose::Correction);
            let prior = st.copies_read[u as usize] as u32;
            let boost = if st.has(u, flag::PREBUNKED) {
                rules.prebunk_boost
            } else {
                0.0
            };
            let reader = belief::Reader::of(pop, u, boost);
            let was = st.belief[u as usize];
            let mut cur = was;
            let (mut convinced_by, mut first_post, mut copies) = (NO_POST, NO_POST, 0u32);
            let (mut corr_post, mut accepted) = (NO_POST, false);
            for post in group {
                let pid = post.post;
                match post.msg {
                    Msg::Rumor => {
                        if first_post == NO_POST {
                            first_post = pid;
                        }
                        if matches!(cur, Belief::Exposed | Belief::Rejecter) {
                            let p = params.belief.probability(
                                reader,
                                post.trust,
                                post.labelled,
                                prior + copies,
                                &rules,
                            );
                            if rb.random::<f64>() < p {
                                cur = Belief::Believer;
                                convinced_by = pid;
                            } else {
                                cur = Belief::Rejecter;
                            }
                        }
                        copies += 1;
                    }
                    Msg::Correction | Msg::Response if corr_post == NO_POST => {
                        corr_post = pid;
                        let (acceptance, efficacy) = match post.msg {
                            Msg::Response => response,
                            _ => (params.corr_acceptance, params.corr_efficacy),
                        };
                        let (p, after) = match cur {
                            Belief::Believer => (efficacy, Belief::Corrected),
                            Belief::Unaware | Belief::Exposed | Belief::Rejecter => {
                                (acceptance, Belief::Immune)
                            }
                            _ => (0.0, cur),
                        };
                        if rc.random::<f64>() < p {
                            cur = after;
                            accepted = true;
                        }
                    }
                    Msg::Correction | Msg::Response => {}
                }
            }
            let p_share = if cur == Belief::Believer && convinced_by != NO_POST {
                params.p_share_believer
            } else if was == Belief::Exposed && cur == Belief::Rejecter {
                params.p_share_rejecter
            } else {
                0.0
            };
            let mut spread_after = None;
            if p_share > 0.0 && st.role[u as usize] == Role::None {
                let mut rs = key.stream(t as u64, u as u64, Purpose::Sharing);
                if rs.random::<f64>() < p_share {
                    spread_after = Some(params.wait(params.delay_steps, &mut rs));
                }
            }
            let corr_share_after = (accepted && rc.random::<f64>() < params.corr_share)
                .then(|| params.wait(params.corr_delay_steps, &mut rc));
            ReadOutcome {
                user: u,
                copies,
                convinced_by,
                first_post,
                belief: cur,
                spread_after,
                corr_post,
                corr_share_after,
            }
        };
        let outcomes: Vec<ReadOutcome> = if merged.len() >= PAR_MIN {
            merged
                .par_chunk_by(|a, b| a.user == b.user)
                .map(decide)
                .collect()
        } else {
            merged
                .chunk_by(|a, b| a.user == b.user)
                .map(decide)
                .collect()
        };
        for outcome in outcomes {
            self.apply(t, outcome);
        }
    }

    fn apply(&mut self, t: u32, o: ReadOutcome) {
        let u = o.user;
        let s = &mut self.state;
        if o.copies > 0 {
            s.mark_read(u);
            s.copies_read[u as usize] =
                s.copies_read[u as usize].saturating_add(o.copies.min(u16::MAX as u32) as u16);
        }
        if o.corr_post != NO_POST {
            s.mark_corr_read(u);
        }
        s.set_belief(u, o.belief);
        if o.convinced_by != NO_POST {
            s.source_post[u as usize] = o.convinced_by;
        }
        let newly_believing = o.convinced_by != NO_POST && o.belief == Belief::Believer;
        if matches!(o.belief, Belief::Immune | Belief::Corrected)
            && s.role[u as usize] == Role::Spreader
        {
            // A corrected spreader stops spreading.
            s.set_role(u, Role::Stifler);
            s.shares_left[u as usize] = 0;
        }
        if let Some(wait) = o.spread_after {
            s.set_role(u, Role::Spreader);
            s.shares_left[u as usize] = self.params.actions;
            if s.source_post[u as usize] == NO_POST {
                s.source_post[u as usize] = o.first_post;
            }
            self.schedule(u, t as u64 + wait as u64, Msg::Rumor);
        }
        if let Some(wait) = o.corr_share_after {
            self.set_corr_source(u, o.corr_post);
            self.schedule(u, t as u64 + wait as u64, Msg::Correction);
        }
        if newly_believing {
            self.note_believer(u, t);
        }
    }
}

/// Whether user `u` opens the app (and reads everything unread) at step `t`: a keyed
/// draw against activity x the hour's rhythm.
#[inline]
fn opens_app(pop: &Population, params: &Params, key: rng::RunKey, t: u32, u: u32) -> bool {
    let p_read = pop.users.activity[u as usize] as f64 * params.rhythm[t as usize];
    // A draw in [0, 1) is never below 0: quiet hours cost no draw.
    p_read > 0.0 && key.uniform(t as u64, u as u64, Purpose::Reading) < p_read
}
