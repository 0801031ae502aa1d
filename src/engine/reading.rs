//! Filing and reading (`docs/model.md#one-step`, `#reading`, `#attention`, `#belief`,
//! `#repeated-exposure`, `#correction`, `#sharing`): each recipient's new copies are
//! filed under the step at which they will open the app (found by keyed draws against
//! activity x rhythm when the copies arrive), and with limited attention only the
//! copies the reader will actually see are filed. In phase 3 the users whose reading
//! step it is read their filed copies in posting order: rumor copies decide belief
//! ([`super::belief`], one draw per copy or one per session), the first correction copy
//! decides acceptance or correction, and readers may decide to spread the rumor or
//! forward the correction.
//!
//! Each reader's session is decided in parallel from the state as it was before the
//! phase ([`ReadOutcome`]) and applied afterwards in user order, so results do not
//! depend on the thread count.

use super::belief::Reader;
use super::state::{flag, Belief, Role, NO_POST, NO_STEP};
use super::{Inbox, Msg, Params, Run, PAR_MIN};
use crate::population::Population;
use crate::rng::{self, Purpose};
use rand::Rng as _;
use rayon::prelude::*;

/// What reading did to one user, computed in parallel and applied in order.
struct ReadOutcome {
    user: u32,
    /// Rumor copies read.
    copies: u32,
    /// Exposures this session added (copies, or distinct senders).
    exposures: u32,
    convinced_by: u32,
    first_post: u32,
    belief: Belief,
    spread_after: Option<u32>,
    /// The correction post read, if any.
    corr_post: u32,
    corr_share_after: Option<u32>,
}

/// What limited attention keeps of one reader's new copies.
#[derive(Clone, Copy)]
enum Keep {
    All,
    None,
    /// Each copy with its read chance, from the reader's budget.
    Draw(f64),
}

/// Distinct senders of the rumor copies read in one session. Sessions rarely hold more
/// than a few copies, so the first few senders live in an array scanned linearly;
/// more spill into a vector.
struct Senders {
    few: [u32; 8],
    n: usize,
    more: Vec<u32>,
}

impl Senders {
    fn new() -> Senders {
        Senders {
            few: [0; 8],
            n: 0,
            more: Vec::new(),
        }
    }

    /// Adds a sender; returns whether it is new this session.
    fn insert(&mut self, s: u32) -> bool {
        if self.few[..self.n].contains(&s) || self.more.contains(&s) {
            return false;
        }
        if self.n < self.few.len() {
            self.few[self.n] = s;
            self.n += 1;
        } else {
            self.more.push(s);
        }
        true
    }

    fn len(&self) -> u32 {
        (self.n + self.more.len()) as u32
    }
}

impl Run<'_> {
    /// Files this step's copies (sorted by user) in the inbox of the step at which their
    /// reader reads: the one already set for a reader with unread copies, else the first
    /// step from now whose keyed reading draw succeeds (the horizon if none does). With
    /// limited attention, copies the reader will not see are not filed; returns the
    /// number of rumor copies lost so.
    pub(super) fn file_copies(&mut self, t: u32, new_copies: &[Inbox]) -> u64 {
        if self.params.attention.is_some() {
            return self.file_attended(t, new_copies);
        }
        let (pop, params, st) = (self.pop, self.params, &self.state);
        let key = rng::RunKey::new(self.seed, self.run);
        let steps = self.scn.simulation.steps;
        let when =
            |group: &[Inbox]| -> u32 { read_step(pop, params, st, key, steps, t, group[0].user) };
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
        0
    }

    /// [`Run::file_copies`] with limited attention (`docs/model.md#attention`). For a
    /// reader who will read at step s (before the horizon), every copy of the group is
    /// lost if s - t exceeds the expiry; otherwise each copy is seen with probability
    /// budget(reader) x visibility(newer messages above it), one draw per copy in
    /// posting order from the stream (t, reader, Attention). Copies whose reader does
    /// not read before the horizon are filed there as without attention.
    fn file_attended<'c>(&mut self, t: u32, new_copies: &'c [Inbox]) -> u64 {
        let (pop, params, st) = (self.pop, self.params, &self.state);
        let Some(att) = &params.attention else {
            unreachable!("called with attention on")
        };
        let key = rng::RunKey::new(self.seed, self.run);
        let steps = self.scn.simulation.steps;
        let seen = |group: &'c [Inbox]| {
            let u = group[0].user;
            let s = read_step(pop, params, st, key, steps, t, u);
            let waited = s.saturating_sub(t);
            let keep = if s >= steps {
                Keep::All
            } else if att.expiry_steps.is_some_and(|e| waited as f64 > e) {
                Keep::None
            } else if att.draws() {
                Keep::Draw(att.budget(pop, u))
            } else {
                Keep::All
            };
            let mut draws = matches!(keep, Keep::Draw(_))
                .then(|| key.stream(t as u64, u as u64, Purpose::Attention));
            group
                .iter()
                .filter(move |c| match (keep, draws.as_mut()) {
                    (Keep::Draw(budget), Some(r)) => {
                        r.random::<f64>() < att.read_chance(budget, c.traffic, waited)
                    }
                    (Keep::None, _) => false,
                    _ => true,
                })
                .map(move |c| (s, *c))
        };
        let filed: Vec<(u32, Inbox)> = if new_copies.len() >= PAR_MIN / 8 {
            new_copies
                .par_chunk_by(|a, b| a.user == b.user)
                .flat_map_iter(seen)
                .collect()
        } else {
            new_copies
                .chunk_by(|a, b| a.user == b.user)
                .flat_map(seen)
                .collect()
        };
        let rumor = |c: &Inbox| c.msg == Msg::Rumor;
        let lost = new_copies.iter().filter(|c| rumor(c)).count() as u64
            - filed.iter().filter(|(_, c)| rumor(c)).count() as u64;
        for &(at, c) in &filed {
            self.state.read_at[c.user as usize] = at;
            self.inbox[at as usize].push(c);
        }
        self.unread += filed.len() as u64;
        lost
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
        let (posts, effects, rule) = (&self.posts, &self.prebunk_effects, params.exposure);
        let key = rng::RunKey::new(self.seed, self.run);
        let decide = |group: &[Inbox]| -> ReadOutcome {
            let u = group[0].user;
            debug_assert!(opens_app(pop, params, key, t, u));
            let mut rb = key.stream(t as u64, u as u64, Purpose::Belief);
            let mut rc = key.stream(t as u64, u as u64, Purpose::Correction);
            let prior = st.exposures[u as usize] as u32;
            let boost = if st.has(u, flag::PREBUNKED) {
                rules.prebunk_boost
            } else {
                0.0
            };
            let mut reader = Reader::of(pop, u, boost);
            if let Some(&k) = st.prebunk.get(u as usize).filter(|&&k| k > 0) {
                reader.prebunk = effects[k as usize - 1];
            }
            let was = st.belief[u as usize];
            // A reader who rejected the rumor in an earlier session, having had enough
            // exposures then to be judged, resists it.
            let resist =
                rule.resistance > 0.0 && was == Belief::Rejecter && prior >= rule.threshold;
            let mut cur = was;
            let (mut convinced_by, mut first_post, mut copies) = (NO_POST, NO_POST, 0u32);
            let mut convinced_labelled = false;
            let (mut corr_post, mut accepted) = (NO_POST, false);
            // With exposure by sources: the senders read this session, and the most
            // persuasive copy read since the last draw (its logit and post).
            let mut senders = Senders::new();
            let (mut best, mut best_post, mut best_labelled) = (None::<f64>, NO_POST, false);
            // One draw for the copies read since the last: from the most persuasive, with
            // the exposures so far (`seen` senders this session); below the threshold
            // nobody is convinced.
            let session_draw = |rb: &mut rng::Rng, best: Option<f64>, seen: u32| -> bool {
                prior + seen >= rule.threshold && {
                    let (earlier, resistance) = if resist {
                        (0, rule.resistance)
                    } else {
                        (prior + seen - 1, 0.0)
                    };
                    rb.random::<f64>()
                        < params.belief.session_probability(best, earlier, resistance)
                }
            };
            for post in group {
                let pid = post.post;
                match post.msg {
                    Msg::Rumor => {
                        if first_post == NO_POST {
                            first_post = pid;
                        }
                        let open = matches!(cur, Belief::Exposed | Belief::Rejecter);
                        if rule.sources {
                            senders.insert(posts[pid as usize].sender);
                            if open {
                                let x =
                                    params
                                        .belief
                                        .logit(reader, post.trust, post.labelled, &rules);
                                // The first of the most persuasive copies.
                                if best_post == NO_POST || x > best {
                                    (best, best_post, best_labelled) = (x, pid, post.labelled);
                                }
                            }
                        } else if open {
                            cur = if prior + copies + 1 < rule.threshold {
                                Belief::Rejecter
                            } else {
                                let (earlier, resistance) = if resist {
                                    (0, rule.resistance)
                                } else {
                                    (prior + copies, 0.0)
                                };
                                let p = params.belief.probability(
                                    reader,
                                    post.trust,
                                    post.labelled,
                                    earlier,
                                    resistance,
                                    &rules,
                                );
                                if rb.random::<f64>() < p {
                                    convinced_by = pid;
                                    convinced_labelled = post.labelled;
                                    Belief::Believer
                                } else {
                                    Belief::Rejecter
                                }
                            };
                        }
                        copies += 1;
                    }
                    Msg::Correction | Msg::Response if corr_post == NO_POST => {
                        // The rumor copies read before the correction decide first.
                        if best_post != NO_POST {
                            (cur, convinced_by) = if session_draw(&mut rb, best, senders.len()) {
                                convinced_labelled = best_labelled;
                                (Belief::Believer, best_post)
                            } else {
                                (Belief::Rejecter, convinced_by)
                            };
                            (best, best_post) = (None, NO_POST);
                        }
                        corr_post = pid;
                        let (acceptance, efficacy) = match post.msg {
                            Msg::Response => response,
                            _ => (params.corr_acceptance, params.corr_efficacy),
                        };
                        let (p, after) = match cur {
                            Belief::Believer => (
                                params.efficacy(efficacy, post.trust, reader.camp),
                                Belief::Corrected,
                            ),
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
            if best_post != NO_POST {
                (cur, convinced_by) = if session_draw(&mut rb, best, senders.len()) {
                    convinced_labelled = best_labelled;
                    (Belief::Believer, best_post)
                } else {
                    (Belief::Rejecter, convinced_by)
                };
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
                exposures: if rule.sources { senders.len() } else { copies },
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
            s.exposures[u as usize] =
                s.exposures[u as usize].saturating_add(o.exposures.min(u16::MAX as u32) as u16);
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

/// The step at which user `u`, receiving copies at step `t`, reads them: the one
/// already set if they have unread copies waiting, else the first step from `t` whose
/// keyed reading draw succeeds (`steps`, the horizon, if none does).
#[inline(always)]
fn read_step(
    pop: &Population,
    params: &Params,
    st: &super::state::State,
    key: rng::RunKey,
    steps: u32,
    t: u32,
    u: u32,
) -> u32 {
    let at = st.read_at[u as usize];
    if at != NO_STEP && at >= t {
        return at;
    }
    (t..steps)
        .find(|&s| opens_app(pop, params, key, s, u))
        .unwrap_or(steps)
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

    /// Deterministic settings with limited attention: expiry 20 minutes (two steps),
    /// the other parts as given.
    fn attention(extra: &str) -> String {
        format!("[attention]\nenabled = true\nexpiry = \"20m\"\n{extra}")
    }

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
        assert_eq!(run.state.exposures[1..3], [2, 2]);
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
            assert_eq!(run.state.exposures[u], 3);
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
        assert_eq!(run.state.exposures[1..3], [0, 1]);
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

    /// A copy whose reader opens the app three steps (30 minutes) after it arrived is
    /// lost under an expiry of 20 minutes; at two steps it is kept. With expiry alone
    /// nothing is drawn and nothing else is lost.
    #[test]
    fn expired_copies_are_lost() {
        let w = World::with(
            &attention("half_visible = \"off\"\nreads_per_open = \"off\""),
            5,
            &[(ChatKind::Family, &[0, 1, 2, 3])],
        );
        let mut run = w.run();
        run.state.read_at[1] = 3;
        run.state.read_at[2] = 2;
        let first = run.posts.len();
        run.add_post(Post::original(run.pop, 0, 0, Msg::Rumor));
        let (copies, _) = run.deliver(0, first);
        run.mark_reach(0, &copies);
        assert_eq!(run.file_copies(0, &copies), 1);
        assert_eq!(
            (run.inbox[0].len(), run.inbox[2].len(), run.inbox[3].len()),
            (1, 1, 0)
        );
        assert_eq!(run.unread, 2);
        // Reached, never to read it: user 1 stays exposed.
        run.read(0);
        assert_eq!(run.state.belief[1], Belief::Exposed);
    }

    /// The per-open budget by hand: user 1 is in a family chat of 3 (48 messages per
    /// member per day: 144 a day, one per ten-minute step), receives a broadcast list
    /// (2 x 72 a day: one more per step) and owns one (not read); reading at most half a
    /// message per open with activity 1 and a flat rhythm gives 0.5 / 2 = 0.25.
    #[test]
    fn the_budget_by_hand() {
        let traffic = "[attention.traffic]\nfamily = 48\nbroadcast = 72\npolitical = 0\n";
        let w = World::with(
            &format!("{}\nreads_per_open = 0.5\n{traffic}", attention("")),
            5,
            &[
                (ChatKind::Family, &[0, 1, 2]),
                (ChatKind::Broadcast, &[3, 1, 4]),
                (ChatKind::Broadcast, &[1, 2, 4]),
            ],
        );
        let mut pop = w.pop.clone();
        pop.chats.owner[1] = 3;
        pop.chats.owner[2] = 1;
        pop.index_user_chats();
        let att = w.params.attention.as_ref().unwrap();
        assert!((att.budget(&pop, 1) - 0.25).abs() < 1e-12);
        // User 0 only has the family chat: one message per step, budget 0.5.
        assert!((att.budget(&pop, 0) - 0.5).abs() < 1e-12);
        // Computed once for the population, the same budgets are looked up.
        let params = super::super::Params::new(&w.scn).with_population(&pop);
        let cached = params.attention.as_ref().unwrap();
        for u in 0..5 {
            assert_eq!(cached.budget(&pop, u), att.budget(&pop, u), "user {u}");
        }
        // Visibility: 144 messages a day, read one step after arrival (1.5 steps of
        // newer messages), half_visible 30: 1 / (1 + 1.5 / 30).
        assert!((att.read_chance(1.0, 144, 1) - 1.0 / 1.05).abs() < 1e-12);
        assert!((att.read_chance(0.5, 144, 0) - 0.5 / (1.0 + 0.5 / 30.0)).abs() < 1e-12);
    }

    /// Copies are seen with their read chance: 2,000 readers each get one copy seen
    /// with probability 1/2 (budget 1, visibility 1/2), so about 1,000 are filed
    /// (binomial SE 22.4; 4 SE allowed), and the others are counted unseen.
    #[test]
    fn half_the_copies_are_seen_at_a_read_chance_of_one_half() {
        let n = 2000u32;
        let members: Vec<u32> = (0..=n).collect();
        // A group of 2,001: 1.4 x 2,001 messages a day, read in the arrival step (half
        // a step of newer messages): newer = 2801.4 x 0.5 / 144, so half_visible =
        // newer gives visibility 1/2.
        let newer = (1.4f64 * 2001.0).round() * 0.5 / 144.0;
        let w = World::with(
            &attention(&format!(
                "half_visible = {newer}\nreads_per_open = \"off\"\n"
            )),
            n as usize + 1,
            &[(ChatKind::Political, &members)],
        );
        let mut run = w.run();
        run.add_post(Post::original(run.pop, 0, 0, Msg::Rumor));
        let (copies, _) = run.deliver(0, 0);
        assert!(copies.iter().all(|c| c.traffic == 2801));
        run.mark_reach(0, &copies);
        let lost = run.file_copies(0, &copies);
        let seen = run.inbox[0].len() as f64;
        assert_eq!(lost + seen as u64, n as u64);
        assert!((seen - 1000.0).abs() <= 4.0 * 22.37, "{seen}");
    }

    /// Exposure by sources: two copies from one sender in one session are one exposure,
    /// a copy from another sender a second; by copies, every copy counts.
    #[test]
    fn exposures_count_distinct_senders_per_session() {
        for (exposure, counts) in [("sources", [2, 1]), ("copies", [3, 2])] {
            let mut w = World::with(
                &format!("[belief]\nexposure = \"{exposure}\"\n"),
                5,
                &[
                    (ChatKind::Family, &[0, 1, 2]),
                    (ChatKind::Friends, &[0, 1, 2]),
                    (ChatKind::Work, &[3, 1]),
                ],
            );
            w.params.belief = BeliefModel::Constant(0.0);
            let mut run = w.run();
            deliver_and_file(&mut run, 0, &[(0, 0), (0, 1), (3, 2)]);
            run.read(0);
            assert_eq!(run.state.exposures[1..3], counts, "{exposure}");
            // A later session from the same sender counts again.
            deliver_and_file(&mut run, 1, &[(0, 0)]);
            run.read(1);
            assert_eq!(run.state.exposures[1], counts[0] + 1, "{exposure}");
        }
    }

    /// Complex contagion with a threshold of 2: a certain copy does not convince a
    /// reader with one exposure (two copies of one sender), who becomes a rejecter; a
    /// later copy from a second sender does. Two senders in one session convince at
    /// once.
    #[test]
    fn the_threshold_waits_for_a_second_sender() {
        let mut w = World::with(
            "[belief]\nexposure = \"sources\"\nthreshold = 2\n",
            6,
            &[
                (ChatKind::Family, &[0, 1]),
                (ChatKind::Friends, &[0, 1]),
                (ChatKind::Work, &[3, 1]),
                (ChatKind::Family, &[0, 2]),
                (ChatKind::Work, &[3, 2]),
            ],
        );
        w.params.p_share_by_camp.fill(0.0);
        w.params.p_share_uniform = Some(0.0);
        let mut run = w.run();
        deliver_and_file(&mut run, 0, &[(0, 0), (0, 1), (0, 3), (3, 4)]);
        run.read(0);
        assert_eq!(run.state.belief[1..3], [Belief::Rejecter, Belief::Believer]);
        // Convinced by the first (equally persuasive) copy of the session.
        assert_eq!(run.state.source_post[2], 2);
        deliver_and_file(&mut run, 1, &[(3, 2)]);
        run.read(1);
        assert_eq!(run.state.belief[1], Belief::Believer);
        assert_eq!(run.state.exposures[1], 2);
    }

    /// One draw per session, from the most persuasive copy: a reader gets a work copy
    /// (trust 0.5) and then a family copy (trust 0.9); with an appeal of 1 - 1e-12 both
    /// convince, and the family copy, the more persuasive, is the one forwarded.
    #[test]
    fn the_most_persuasive_copy_convinces() {
        let w = World::with(
            "[belief]\nmodel = \"logistic\"\nexposure = \"sources\"\n[rumor]\nappeal = 0.999999999999\n",
            4,
            &[(ChatKind::Work, &[0, 1]), (ChatKind::Family, &[2, 1])],
        );
        let mut run = w.run();
        deliver_and_file(&mut run, 0, &[(0, 0), (2, 1)]);
        run.read(0);
        assert_eq!(run.state.belief[1], Belief::Believer);
        assert_eq!(run.state.source_post[1], 1);
    }

    /// A reader who rejected the rumor in an earlier session resists it: with a
    /// resistance of 50 logit a certain-looking copy (appeal 1 - 1e-12, logit 27.6)
    /// does not convince them; a reader exposed for the first time is convinced.
    #[test]
    fn rejecters_resist_later_copies() {
        for exposure in ["sources", "copies"] {
            let w = World::with(
                &format!(
                    "[belief]\nmodel = \"logistic\"\nexposure = \"{exposure}\"\n\
                     rejecter_resistance = 50\n[rumor]\nappeal = 0.999999999999\n"
                ),
                4,
                &[(ChatKind::Work, &[0, 1, 2])],
            );
            let mut run = w.run();
            run.state.mark_reached(1);
            run.state.mark_read(1);
            run.state.set_belief(1, Belief::Rejecter);
            run.state.exposures[1] = 1;
            deliver_and_file(&mut run, 0, &[(0, 0)]);
            run.read(0);
            assert_eq!(
                run.state.belief[1..3],
                [Belief::Rejecter, Belief::Believer],
                "{exposure}"
            );
        }
    }

    /// Corrections by reader: with efficacy 1 a believer whose camp the rumor flatters
    /// (factor 0) is never corrected and one whose camp it attacks (factor 1) always is,
    /// whatever the chat's trust (logit of 1 is infinite).
    #[test]
    fn the_correction_depends_on_the_readers_camp() {
        let mut w = World::with(
            "[population]\ncamps = [{ name = \"a\", share = 0.5 }, { name = \"b\", share = 0.5 }]\n\
             [rumor]\nstance = { a = \"for\", b = \"against\" }\n\
             [correction]\nefficacy = 1.0\nstance_factor = { for = 0.0, against = 1.0 }\n",
            3,
            &[(ChatKind::Work, &[0, 1, 2])],
        );
        w.pop.camp_names = vec!["a".into(), "b".into()];
        w.pop.users.camp[2] = 1;
        let mut run = w.run();
        run.make_spreader(1, 4, NO_POST);
        run.make_spreader(2, 4, NO_POST);
        run.add_post(Post::original(&w.pop, 0, 0, Msg::Correction));
        let (copies, _) = run.deliver(0, 0);
        run.mark_reach(0, &copies);
        run.file_copies(0, &copies);
        run.read(0);
        assert_eq!(
            run.state.belief[1..3],
            [Belief::Believer, Belief::Corrected]
        );
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
