//! Phase 1 of a step, posting (`docs/model.md#one-step`, `#chat-choice`): the seeds
//! due now become seeds, every spreader whose share action is due (and every user due
//! to forward the correction) picks chats ([`super::choice`]) and posts one copy into
//! each, `chats` seeds and mass-messaging accounts post their originals, and each due
//! spreader's action is booked (one action used, the next scheduled or the spreader
//! stops). Rumor posts into chats an admin closed are dropped, and every rumor post is
//! counted for moderation and bans.
//!
//! With persistence on (`sharing.persistence`), a due spreader's action follows its
//! ranking of chats ([`super::choice::ChatChooser::walk`]); an action cut short by a
//! limit is followed by another with probability persistence x novelty (a keyed
//! `Persistence` draw), and an intention ends when its chats are posted or the spreader
//! gives up.
//!
//! Chat choice runs in parallel over blocks of users, each with its own keyed stream;
//! the posts are appended in user order, so the order of posts (which is the order
//! copies are read in) does not depend on the thread count.

use super::choice::Progress;
use super::params::UNLIMITED_SHARES;
use super::state::{flag, Role, NO_POST};
use super::{Msg, Post, Run, NO_CHAT, PAR_MIN};
use crate::record::Sharer;
use crate::rng::{self, Purpose};
use rayon::prelude::*;

/// Rumor posts of one step by hop, and forward actions.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct ByHop {
    pub original: u64,
    pub forwarded: u64,
    pub labelled: u64,
    pub actions: u64,
}

impl ByHop {
    /// Counts `made` posts of one share action, which all share `p`'s hop and label.
    fn add(&mut self, p: &Post, made: u64) {
        if p.hop == 0 {
            self.original += made;
        } else {
            self.actions += 1;
            if p.labelled {
                self.labelled += made;
            } else {
                self.forwarded += made;
            }
        }
    }
}

impl Run<'_> {
    /// Adds a post and returns its id.
    pub(super) fn add_post(&mut self, p: Post) -> u32 {
        self.posts.push(p);
        (self.posts.len() - 1) as u32
    }

    /// Phase 1: due spreaders and seeds post.
    pub(super) fn post(&mut self, t: u32) {
        let seeds = std::mem::take(&mut self.seeds[t as usize]);
        let mut due = std::mem::take(&mut self.agenda[t as usize]);
        let mut corr_due = std::mem::take(&mut self.corr_agenda[t as usize]);
        self.outstanding -= (due.len() + corr_due.len()) as u64;
        for &u in &seeds.users {
            if self.state.role[u as usize] == Role::None {
                self.become_seed(u, t, Role::Spreader);
                self.state.shares_left[u as usize] = self.params.actions;
                self.state.source_post[u as usize] = NO_POST;
            }
            due.push(u);
        }
        due.sort_unstable();
        due.dedup();
        corr_due.sort_unstable();
        corr_due.dedup();
        let st = &self.state;
        due.retain(|&u| st.role[u as usize] == Role::Spreader && !st.has(u, flag::BANNED));
        corr_due.retain(|&u| !st.has(u, flag::BANNED));

        let (rumor_posts, progress) = self.choose_posts(t, &due, Msg::Rumor);
        let (corr_posts, _) = self.choose_posts(t, &corr_due, Msg::Correction);
        let n_posts = |parts: &[Vec<Post>]| parts.iter().map(Vec::len).sum::<usize>();
        self.posts.reserve(
            n_posts(&rumor_posts) + n_posts(&corr_posts) + seeds.chats.len() + seeds.direct.len(),
        );
        // A sender's posts are contiguous: counted once per sender. Without moderation
        // every post goes through as it is, copied in bulk.
        let watched = self.interventions.watches_posts();
        for group in rumor_posts
            .iter()
            .flat_map(|part| part.chunk_by(|a, b| a.sender == b.sender))
        {
            let made = if watched {
                group.iter().filter(|&&p| self.publish_rumor(p, t)).count() as u32
            } else {
                self.posts.extend_from_slice(group);
                group.len() as u32
            };
            if made > 0 {
                // One action's posts share their hop and label.
                self.by_hop.add(&group[0], made as u64);
                self.count_posts(group[0].sender, made, t);
                self.note_sharer(group[0].sender, t);
            }
        }
        for part in &corr_posts {
            self.posts.extend_from_slice(part);
        }
        for &(chat, poster) in &seeds.chats {
            self.become_seed(poster, t, Role::None);
            if self.publish_rumor(Post::original(self.pop, poster, chat, Msg::Rumor), t) {
                self.by_hop.original += 1;
                self.note_sharer(poster, t);
            }
        }
        for (account, to) in seeds.direct {
            self.become_seed(account, t, Role::None);
            let pid = self.add_post(Post::original(self.pop, account, NO_CHAT, Msg::Rumor));
            self.direct.push((pid, to));
            self.by_hop.original += 1;
            self.note_sharer(account, t);
        }
        if self.params.persistence.is_some() {
            self.book_persistent(t, due, progress);
            return;
        }
        // Book-keeping of the share actions themselves.
        let (seed, run, params) = (self.seed, self.run, self.params);
        for u in due {
            let left = &mut self.state.shares_left[u as usize];
            if *left != UNLIMITED_SHARES {
                *left = left.saturating_sub(1);
            }
            if *left == 0 {
                self.state.set_role(u, Role::Stifler);
            } else {
                let mut r = rng::stream(seed, run, t as u64, u as u64, Purpose::Schedule);
                let at = t as u64 + params.wait(params.interval_steps, &mut r) as u64;
                self.schedule(u, at, Msg::Rumor);
            }
        }
    }

    /// Book-keeping of share actions under persistence: each due spreader's ranking
    /// position moves on; an action cut short by a limit is followed by another with
    /// probability persistence x novelty, else the spreader gives up the rest of that
    /// intention; a finished (or abandoned) intention uses one action, and a spreader
    /// with no action or no chat left stops.
    fn book_persistent(&mut self, t: u32, due: Vec<u32>, progress: Vec<Vec<Progress>>) {
        let (seed, run, params) = (self.seed, self.run, self.params);
        let q = params.persistence.unwrap_or(0.0) * params.novelty_at(t, self.first_rumor);
        for (u, p) in due.into_iter().zip(progress.into_iter().flatten()) {
            let mut pos = p.next;
            let mut r = rng::stream(seed, run, t as u64, u as u64, Purpose::Schedule);
            if p.next < p.end {
                let go_on = q > 0.0
                    && rng::uniform(seed, run, t as u64, u as u64, Purpose::Persistence) < q;
                if go_on {
                    self.state.ranked[u as usize] = pos;
                    let at = t as u64 + params.wait(params.interval_steps, &mut r) as u64;
                    self.schedule(u, at, Msg::Rumor);
                    continue;
                }
                pos = p.end;
            }
            self.state.ranked[u as usize] = pos;
            let left = &mut self.state.shares_left[u as usize];
            if *left != UNLIMITED_SHARES {
                *left = left.saturating_sub(1);
            }
            if *left == 0 || pos >= p.eligible {
                self.state.set_role(u, Role::Stifler);
            } else {
                let at = t as u64 + params.wait(params.interval_steps, &mut r) as u64;
                self.schedule(u, at, Msg::Rumor);
            }
        }
    }

    /// Records `u`'s first rumor post (at step `t`) as a node of the sharers' tree, its
    /// parent the sender of the copy `u` forwards (none for an original).
    fn note_sharer(&mut self, u: u32, t: u32) {
        if self.state.has(u, flag::SHARED) {
            return;
        }
        self.state.flags[u as usize] |= flag::SHARED;
        if self.first_rumor.is_none() {
            self.first_rumor = Some(t);
        }
        let src = self.state.source_post[u as usize];
        self.sharers.push(Sharer {
            user: u,
            parent: (src != NO_POST).then(|| self.posts[src as usize].sender),
        });
    }

    /// Adds a rumor post unless its chat's admin deletes it (a closed chat); an active
    /// moderation notes the chat. Returns whether the post went out.
    fn publish_rumor(&mut self, p: Post, t: u32) -> bool {
        if self.interventions.blocks(p.chat) {
            return false;
        }
        self.interventions
            .rumor_posted(self.pop, self.seed, self.run, p.chat, t);
        self.add_post(p);
        true
    }

    /// Counts `made` rumor posts by `u` in one share action (for bans).
    fn count_posts(&mut self, u: u32, made: u32, t: u32) {
        let n = &mut self.state.posts_made[u as usize];
        if *n == 0 {
            self.posters.push(u);
        }
        let before = *n;
        *n = (*n as u32 + made).min(u16::MAX as u32) as u16;
        let after = *n;
        self.interventions.user_posted(u, before, after, t);
    }

    /// The posts that `users` make in a share action of message `msg`, in user order,
    /// in parts (one per block of users, so they are not copied once more to be joined);
    /// with persistence on, for the rumor, also each user's [`Progress`] in user order.
    #[allow(clippy::type_complexity)]
    fn choose_posts(
        &self,
        t: u32,
        users: &[u32],
        msg: Msg,
    ) -> (Vec<Vec<Post>>, Vec<Vec<Progress>>) {
        let (pop, params, posts, st, rules) =
            (self.pop, self.params, &self.posts, &self.state, self.rules);
        let key = rng::RunKey::new(self.seed, self.run);
        let purpose = match msg {
            Msg::Rumor => Purpose::ChatChoice,
            Msg::Correction | Msg::Response => Purpose::Correction,
        };
        let persistent = msg == Msg::Rumor && params.persistence.is_some();
        // One output and one pair of scratch buffers per block of users, not per user.
        let block = |users: &[u32]| -> (Vec<Post>, Vec<Progress>) {
            let (mut out, mut chats, mut keyed) = (Vec::new(), Vec::new(), Vec::new());
            let mut progress = Vec::new();
            // The posts being forwarded, looked up at random: in a pass of their own so
            // that the loads overlap.
            let sources: Vec<Option<Post>> = users
                .iter()
                .map(|&u| {
                    let s = match msg {
                        Msg::Rumor => st.source_post[u as usize],
                        Msg::Correction | Msg::Response => {
                            st.corr_source.get(u as usize).copied().unwrap_or(NO_POST)
                        }
                    };
                    (s != NO_POST).then(|| posts[s as usize])
                })
                .collect();
            for (&u, &src) in users.iter().zip(&sources) {
                let hop = src.map_or(0, |p| p.hop + 1);
                let labelled = rules.label_hops > 0 && hop >= rules.label_hops;
                // An original post is not a forward; a forward of a labelled copy gets
                // the labelled limit.
                let limit = match src {
                    None => u32::MAX,
                    Some(p) if p.labelled => rules.labelled_limit,
                    Some(_) => rules.forward_limit,
                };
                // WhatsApp's 2022 rule: a copy that was itself forwarded goes to few groups.
                let groups = match src {
                    Some(p) if p.hop >= 1 => rules.forwarded_group_limit,
                    _ => u32::MAX,
                };
                chats.clear();
                if persistent {
                    let mut r = key.stream(0, u as u64, Purpose::ChatRanking);
                    progress.push(params.chooser.walk(
                        pop,
                        u,
                        src.map(|p| p.chat),
                        st.ranked[u as usize],
                        limit,
                        groups,
                        &mut r,
                        &mut chats,
                        &mut keyed,
                    ));
                } else if groups == u32::MAX {
                    let mut r = key.stream(t as u64, u as u64, purpose);
                    params.chooser.choose(
                        pop,
                        u,
                        src.map(|p| p.chat),
                        limit,
                        &mut r,
                        &mut chats,
                        &mut keyed,
                    );
                } else {
                    let mut r = key.stream(t as u64, u as u64, purpose);
                    params.chooser.choose_grouped(
                        pop,
                        u,
                        src.map(|p| p.chat),
                        limit,
                        groups,
                        &mut r,
                        &mut chats,
                        &mut keyed,
                    );
                }
                out.extend(chats.iter().map(|&(chat, kind)| Post {
                    sender: u,
                    chat,
                    hop,
                    labelled,
                    msg,
                    kind,
                }));
            }
            (out, progress)
        };
        if users.len() < PAR_MIN / 8 {
            let (posts, progress) = block(users);
            return (vec![posts], vec![progress]);
        }
        users.par_chunks(PAR_MIN / 8).map(block).unzip()
    }
}

#[cfg(test)]
mod tests {
    //! Phase 1 on hand-built populations: who posts where, worked out by hand.
    use super::super::state::{flag, Role, NO_POST};
    use super::super::testkit::World;
    use super::super::{Msg, Post, Run, NO_CHAT};
    use crate::scenario::ChatKind;

    /// An original post (no copy forwarded) goes into every chat the user may forward
    /// into, whatever the forward limit.
    #[test]
    fn an_original_goes_into_every_chat() {
        let mut w = World::new(
            4,
            &[(ChatKind::Family, &[0, 1]), (ChatKind::Work, &[0, 2, 3])],
        );
        w.params.rules.forward_limit = 1;
        let mut run = w.run();
        run.make_spreader(0, 0, NO_POST);
        run.post(0);
        assert_eq!(run.posts_since(0), [(0, 0, 0), (0, 1, 0)]);
        // Its only share action is used up.
        assert_eq!(run.state.role[0], Role::Stifler);
        assert_eq!((run.state.posts_made[0], run.posters.clone()), (2, vec![0]));
    }

    /// Two groups joined by one user: the bridge forwards what came from group A into
    /// group B only, never back into A; a member of A alone has nowhere to forward.
    #[test]
    fn the_bridge_forwards_into_the_other_group_only() {
        let w = World::new(
            5,
            &[
                (ChatKind::Friends, &[0, 1, 2]),
                (ChatKind::Friends, &[2, 3, 4]),
            ],
        );
        let mut run = w.run();
        let from_a = run.add_post(Post::original(&w.pop, 0, 0, Msg::Rumor));
        run.make_spreader(1, 1, from_a);
        run.make_spreader(2, 1, from_a);
        run.post(1);
        assert_eq!(run.posts_since(1), [(2, 1, 1)]);
        // Both used their action, posting or not.
        assert_eq!(run.state.role[1..3], [Role::Stifler, Role::Stifler]);
    }

    /// A user in five chats with fanout "all" forwarding under a forward limit of 2
    /// posts into exactly two distinct chats of theirs.
    #[test]
    fn a_binding_forward_limit_caps_the_chats() {
        let chats: Vec<(ChatKind, &[u32])> = vec![
            (ChatKind::Family, &[0, 1]),
            (ChatKind::Friends, &[0, 2]),
            (ChatKind::Work, &[0, 3]),
            (ChatKind::Community, &[0, 4]),
            (ChatKind::Direct, &[0, 5]),
        ];
        let mut w = World::new(6, &chats);
        w.params.rules.forward_limit = 2;
        let mut run = w.run();
        // A copy that came outside every chat: no chat of user 0 is excluded.
        let mass = run.add_post(Post::original(&w.pop, 5, NO_CHAT, Msg::Rumor));
        run.make_spreader(0, 0, mass);
        run.post(0);
        let posts = run.posts_since(1);
        assert_eq!(posts.len(), 2);
        assert!(
            posts[0].1 != posts[1].1 && posts.iter().all(|&(s, c, h)| s == 0 && c < 5 && h == 1)
        );
        assert_eq!(run.state.posts_made[0], 2);
    }

    /// The copy forwarded at hop `label_hops` or later is labelled, and a labelled copy
    /// is forwarded under the labelled limit.
    #[test]
    fn labelled_copies_use_the_labelled_limit() {
        let chats: Vec<(ChatKind, &[u32])> = vec![
            (ChatKind::Direct, &[0, 1]),
            (ChatKind::Direct, &[0, 2]),
            (ChatKind::Direct, &[0, 3]),
            (ChatKind::Direct, &[0, 4]),
        ];
        let mut w = World::new(5, &chats);
        w.params.rules.label_hops = 1;
        w.params.rules.labelled_limit = 3;
        let mut run = w.run();
        let mut labelled = Post::original(&w.pop, 9, NO_CHAT, Msg::Rumor);
        labelled.labelled = true;
        let src = run.add_post(labelled);
        run.make_spreader(0, 0, src);
        run.post(0);
        assert_eq!(run.posts_since(1).len(), 3);
        assert!(run.posts[1..].iter().all(|p| p.labelled && p.hop == 1));
    }

    /// Due users are taken once each; banned spreaders and stiflers do not post.
    #[test]
    fn only_unbanned_spreaders_post() {
        let w = World::new(3, &[(ChatKind::Family, &[0, 1, 2])]);
        let mut run = w.run();
        run.make_spreader(0, 0, NO_POST);
        run.schedule(0, 0, Msg::Rumor);
        run.make_spreader(1, 0, NO_POST);
        run.state.flags[1] |= flag::BANNED;
        run.make_spreader(2, 0, NO_POST);
        run.state.set_role(2, Role::Stifler);
        run.post(0);
        assert_eq!(run.posts_since(0), [(0, 0, 0)]);
        assert_eq!(run.outstanding, 0);
    }
    /// User 0 alone with one other member in each of five chats (direct chats, so the
    /// one-group rule never bites), and a copy of hop `hop` from outside every chat that
    /// user 0 forwards from step 0.
    fn five_chats_spreader(w: &World, hop: u32) -> Run<'_> {
        let mut run = w.run();
        let mut copy = Post::original(&w.pop, 5, NO_CHAT, Msg::Rumor);
        copy.hop = hop;
        let src = run.add_post(copy);
        run.make_spreader(0, 0, src);
        run
    }

    fn direct_chats(n: u32) -> Vec<(ChatKind, Vec<u32>)> {
        (1..=n).map(|m| (ChatKind::Direct, vec![0, m])).collect()
    }

    fn world(users: usize, chats: &[(ChatKind, Vec<u32>)]) -> World {
        let chats: Vec<(ChatKind, &[u32])> = chats.iter().map(|(k, m)| (*k, &m[..])).collect();
        World::new(users, &chats)
    }

    /// Persistence 1 under a forward limit of 2: a spreader who intends all five of its
    /// chats posts into 2, then 2, then 1 of them in three actions one step apart, never
    /// into the same chat twice, and then stops.
    #[test]
    fn a_persistent_spreader_reaches_every_chat_over_several_actions() {
        let mut w = world(6, &direct_chats(5));
        w.params.rules.forward_limit = 2;
        w.params.persistence = Some(1.0);
        let mut run = five_chats_spreader(&w, 0);
        let mut chats = Vec::new();
        for (t, expected) in [2, 2, 1].into_iter().enumerate() {
            let first = run.posts.len();
            run.post(t as u32);
            let posts = run.posts_since(first);
            assert_eq!(posts.len(), expected, "action at step {t}");
            chats.extend(posts.iter().map(|p| p.1));
        }
        chats.sort_unstable();
        assert_eq!(chats, [0, 1, 2, 3, 4]);
        assert_eq!((run.state.role[0], run.state.ranked[0]), (Role::Stifler, 5));
        assert_eq!(run.outstanding, 0);
    }

    /// Persistence 0: the spreader gives up after the first action cut short by the
    /// limit, exactly as without persistence (two chats, then a stifler).
    #[test]
    fn a_spreader_without_persistence_gives_up_after_one_action() {
        let mut w = world(6, &direct_chats(5));
        w.params.rules.forward_limit = 2;
        w.params.persistence = Some(0.0);
        let mut run = five_chats_spreader(&w, 0);
        run.post(0);
        assert_eq!(run.posts_since(1).len(), 2);
        assert_eq!((run.state.role[0], run.state.ranked[0]), (Role::Stifler, 5));
        assert_eq!(run.outstanding, 0);
    }

    /// With two intentions (`actions = 2`) of fanout 2 and no binding limit, the
    /// second action takes the next two chats of the same ranking: four distinct chats.
    #[test]
    fn each_intention_takes_the_next_chats_of_the_ranking() {
        let mut w = world(6, &direct_chats(5));
        w.pop.users.fanout[0] = 2;
        w.params.actions = 2;
        w.params.persistence = Some(1.0);
        let mut run = five_chats_spreader(&w, 0);
        run.post(0);
        run.post(1);
        let mut chats: Vec<u32> = run.posts_since(1).iter().map(|p| p.1).collect();
        assert_eq!(chats.len(), 4);
        chats.sort_unstable();
        chats.dedup();
        assert_eq!(chats.len(), 4, "no chat twice");
        assert_eq!((run.state.role[0], run.state.ranked[0]), (Role::Stifler, 4));
    }

    /// When the limit does not bind, persistence changes nothing: the same posts, in the
    /// same order, as the rule without memory.
    #[test]
    fn persistence_without_a_binding_limit_posts_as_before() {
        let mut w = world(6, &direct_chats(5));
        let posts = |w: &World| {
            let mut run = five_chats_spreader(w, 1);
            run.post(0);
            (run.posts_since(1), run.state.role[0])
        };
        let before = posts(&w);
        w.params.persistence = Some(0.5);
        assert_eq!(posts(&w), before);
        assert_eq!(before.0.len(), 5);
    }

    /// Three groups and two direct chats (hop-1 copy: the one-group rule applies):
    /// one action posts into one group and both direct chats; a copy of hop 0 (not
    /// itself forwarded) goes to all five.
    #[test]
    fn an_already_forwarded_copy_goes_to_one_group() {
        let chats = vec![
            (ChatKind::Family, vec![0, 1, 2]),
            (ChatKind::Friends, vec![0, 3, 4]),
            (ChatKind::Work, vec![0, 6, 7]),
            (ChatKind::Direct, vec![0, 5]),
            (ChatKind::Direct, vec![0, 8]),
        ];
        let mut w = world(9, &chats);
        w.params.rules.forwarded_group_limit = 1;
        let groups = |posts: &[(u32, u32, u32)]| posts.iter().filter(|p| p.1 < 3).count();
        let mut run = five_chats_spreader(&w, 1);
        run.post(0);
        let posts = run.posts_since(1);
        assert_eq!((posts.len(), groups(&posts)), (3, 1));
        assert!(posts.iter().any(|p| p.1 == 3) && posts.iter().any(|p| p.1 == 4));
        let mut run = five_chats_spreader(&w, 0);
        run.post(0);
        assert_eq!(run.posts_since(1).len(), 5);

        // With persistence 1, one group per action until every chat has the copy.
        w.params.persistence = Some(1.0);
        let mut run = five_chats_spreader(&w, 1);
        let mut all = Vec::new();
        for t in 0..5 {
            let first = run.posts.len();
            run.post(t);
            let posts = run.posts_since(first);
            assert!(groups(&posts) <= 1, "step {t}: {posts:?}");
            all.extend(posts.iter().map(|p| p.1));
        }
        all.sort_unstable();
        assert_eq!(all, [0, 1, 2, 3, 4]);
        assert_eq!(run.state.role[0], Role::Stifler);
    }
}
