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
        // Fading interest: the same factor for every share decision of this step.
        let novelty = self.params.novelty_at(t, self.first_rumor);
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
            let mut convinced_labelled = false;
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
                                convinced_labelled = post.labelled;
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
            // The stance and label factors are exactly 1 when off, and so is the
            // novelty factor: the products then equal today's probabilities.
            let p_share = if cur == Belief::Believer && convinced_by != NO_POST {
                // The reader's camp is looked up only when the stance factors differ.
                let p = match params.p_share_uniform {
                    Some(p) => p,
                    None => params.p_share_by_camp[pop.users.camp[u as usize] as usize],
                };
                let p = if convinced_labelled {
                    p * params.label_factor
                } else {
                    p
                };
                p * novelty
            } else if was == Belief::Exposed && cur == Belief::Rejecter {
                params.p_share_rejecter * novelty
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

#[cfg(test)]
mod tests {
    //! Filing and phase 3 on hand-built populations, with activity 1, a flat rhythm and
    //! the constant belief model: every outcome is certain.
    use super::super::belief::BeliefModel;
    use super::super::state::{flag, Belief, Role, NO_POST};
    use super::super::testkit::World;
    use super::super::{Msg, Post, Run};
    use crate::scenario::ChatKind;

    /// Users 0 and 3 each post once into a chat with users 1 and 2, who therefore hold
    /// two copies each (posts 0 and 1).
    fn two_chats() -> World {
        World::new(
            5,
            &[
                (ChatKind::Family, &[0, 1, 2]),
                (ChatKind::Friends, &[3, 1, 2]),
            ],
        )
    }

    /// Posts, delivers and files this step's copies, as a step does before reading.
    fn deliver_and_file(run: &mut Run, t: u32, posts: &[(u32, u32)]) {
        let first = run.posts.len();
        for &(sender, chat) in posts {
            run.add_post(Post::original(run.pop, sender, chat, Msg::Rumor));
        }
        let (copies, _) = run.deliver(t, first);
        run.mark_reach(t, &copies);
        run.file_copies(t, &copies);
    }

    /// With activity 1 and a flat rhythm, every pending copy is filed for this step
    /// and read in it.
    #[test]
    fn activity_one_reads_every_copy_at_once() {
        let w = two_chats();
        let mut run = w.run();
        deliver_and_file(&mut run, 2, &[(0, 0), (3, 1)]);
        assert_eq!(run.state.read_at[1..3], [2, 2]);
        assert_eq!((run.inbox[2].len(), run.unread), (4, 4));
        run.read(2);
        assert!(run.inbox[2].is_empty() && run.unread == 0);
        assert_eq!(run.state.copies_read[1..3], [2, 2]);
        assert!(run.state.has(1, flag::READ) && run.state.has(2, flag::READ));
        assert_eq!(run.state.read, 2);
    }

    /// Probability 1 convinces on the first copy read: that copy's post is the one the
    /// new believer forwards, one step later.
    #[test]
    fn certain_belief_convinces_on_the_first_copy() {
        let w = two_chats();
        let mut run = w.run();
        deliver_and_file(&mut run, 0, &[(0, 0), (3, 1)]);
        run.read(0);
        for u in [1, 2] {
            assert_eq!(run.state.belief[u], Belief::Believer);
            assert_eq!(run.state.source_post[u], 0);
            assert_eq!(run.state.role[u], Role::Spreader);
        }
        assert_eq!(run.agenda[1], [1, 2]);
        assert_eq!(run.state.belief_counts[Belief::Believer as usize], 2);
    }

    /// Probability 0 never convinces, however many copies are read: readers become
    /// rejecters and (with `rejecter = 0`) never spread.
    #[test]
    fn impossible_belief_never_convinces() {
        let mut w = two_chats();
        w.params.belief = BeliefModel::Constant(0.0);
        let mut run = w.run();
        deliver_and_file(&mut run, 0, &[(0, 0), (3, 1)]);
        run.read(0);
        deliver_and_file(&mut run, 1, &[(0, 0)]);
        run.read(1);
        for u in [1, 2] {
            assert_eq!(run.state.belief[u], Belief::Rejecter);
            assert_eq!(run.state.copies_read[u], 3);
            assert_eq!(
                (run.state.role[u], run.state.source_post[u]),
                (Role::None, NO_POST)
            );
        }
        assert_eq!(run.outstanding, 0);
    }

    /// A user who never opens the app has their copies filed at the horizon, where
    /// they stay unread.
    #[test]
    fn inactive_users_never_read() {
        let mut w = two_chats();
        w.pop.users.activity[1] = 0.0;
        let mut run = w.run();
        deliver_and_file(&mut run, 0, &[(0, 0)]);
        let horizon = w.scn.simulation.steps;
        assert_eq!(run.state.read_at[1..3], [horizon, 0]);
        assert_eq!(run.inbox[horizon as usize].len(), 1);
        run.read(0);
        assert_eq!(run.state.belief[1..3], [Belief::Exposed, Belief::Believer]);
        assert_eq!(run.unread, 1);
        assert!(!run.is_quiet(1));
    }

    /// Copies for a user who believed before reading them are dropped unread.
    #[test]
    fn copies_that_can_change_nothing_are_dropped() {
        let w = two_chats();
        let mut run = w.run();
        deliver_and_file(&mut run, 0, &[(0, 0)]);
        run.state.set_belief(1, Belief::Believer);
        run.read(0);
        assert_eq!(run.state.copies_read[1..3], [0, 1]);
        assert_eq!(run.state.role[1], Role::None);
    }

    /// A correction read with acceptance 1 makes an unaware reader immune; one read with
    /// efficacy 1 corrects a believing spreader, who stops.
    #[test]
    fn certain_corrections_immunise_and_correct() {
        let mut w = World::new(3, &[(ChatKind::Family, &[0, 1, 2])]);
        w.params.corr_acceptance = 1.0;
        w.params.corr_efficacy = 1.0;
        let mut run = w.run();
        run.make_spreader(2, 4, NO_POST);
        run.add_post(Post::original(&w.pop, 0, 0, Msg::Correction));
        let (copies, _) = run.deliver(0, 0);
        run.mark_reach(0, &copies);
        run.file_copies(0, &copies);
        run.read(0);
        assert_eq!(run.state.belief[1..3], [Belief::Immune, Belief::Corrected]);
        assert_eq!(
            (run.state.role[2], run.state.shares_left[2]),
            (Role::Stifler, 0)
        );
        assert_eq!(run.state.corr_read, 2);
    }
    /// The believer share probability follows the reader's camp: with probability 1
    /// in camp 0 and 0 in camp 1 (as a stance factor of 0 for an attacked camp gives),
    /// of two readers convinced by the same copy only the first spreads.
    #[test]
    fn the_share_probability_follows_the_readers_camp() {
        let mut w = two_chats();
        w.pop.users.camp[2] = 1;
        w.pop.camp_names.push("b".into());
        w.params.p_share_by_camp[1] = 0.0;
        w.params.p_share_uniform = None;
        let mut run = w.run();
        deliver_and_file(&mut run, 0, &[(0, 0)]);
        run.read(0);
        assert_eq!(run.state.belief[1..3], [Belief::Believer, Belief::Believer]);
        assert_eq!(run.state.role[1..3], [Role::Spreader, Role::None]);
    }

    /// A label factor of 0 stops believers convinced by a labelled copy from sharing,
    /// and only them.
    #[test]
    fn a_labelled_convincing_copy_is_shared_by_label_factor() {
        let mut w = two_chats();
        w.params.label_factor = 0.0;
        let mut run = w.run();
        let mut labelled = Post::original(run.pop, 0, 0, Msg::Rumor);
        labelled.labelled = true;
        run.add_post(labelled);
        let (copies, _) = run.deliver(0, 0);
        run.mark_reach(0, &copies);
        run.file_copies(0, &copies);
        run.read(0);
        assert_eq!(run.state.belief[1], Belief::Believer);
        assert_eq!(run.state.role[1..3], [Role::None, Role::None]);
        let mut w = two_chats();
        w.params.label_factor = 0.0;
        let mut run = w.run();
        deliver_and_file(&mut run, 0, &[(0, 0)]);
        run.read(0);
        assert_eq!(run.state.role[1..3], [Role::Spreader, Role::Spreader]);
    }

    /// Fading interest: a reader convinced in the step of the rumor's first post shares
    /// (r(0) = 1); with a half-life of one minute and exponent 2, r is about 1e-300
    /// thirty minutes later, and nobody shares.
    #[test]
    fn fading_interest_ends_sharing_once_the_rumor_is_old() {
        let mut w = two_chats();
        w.params.novelty = Some(crate::scenario::Novelty {
            half_life: crate::duration::Duration::from_minutes(1.0),
            exponent: 2.0,
        });
        let mut run = w.run();
        run.first_rumor = Some(0);
        deliver_and_file(&mut run, 0, &[(0, 0)]);
        run.read(0);
        assert_eq!(run.state.role[1..3], [Role::Spreader, Role::Spreader]);
        let mut run = w.run();
        run.first_rumor = Some(0);
        deliver_and_file(&mut run, 3, &[(0, 0)]);
        run.read(3);
        assert_eq!(run.state.belief[1..3], [Belief::Believer, Belief::Believer]);
        assert_eq!(run.state.role[1..3], [Role::None, Role::None]);
    }
}
