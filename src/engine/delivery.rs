//! Phase 2 of a step, delivery (`docs/model.md#one-step`, `#stifling`): every member
//! of a posted chat except the sender (or every listed recipient of a mass message)
//! gets a copy, kept unless it can no longer change anything for them; each spreader
//! who posted the rumor may then stop (stifling), on the share of recipients who had
//! already read it. Reach marking follows: a recipient's first rumor copy makes them
//! reached and adds them to the cascade, with the earliest-posted copy's sender as
//! parent.
//!
//! Delivery runs in parallel chunks of posts and is bound by memory latency; the
//! chunks' results are joined in post order, so nothing depends on the thread count.

use super::state::{flag, Role};
use super::{Inbox, Msg, Params, Post, Run, NO_CHAT, PAR_MIN};
use crate::population::Population;
use crate::record::CascadeEntry;
use crate::rng::{self, Purpose};
use crate::scenario::ChatKind;
use rayon::prelude::*;

/// What delivering a chunk of posts produced.
struct Delivered {
    /// Copies kept for reading.
    copies: Vec<Inbox>,
    /// Per post: recipients, and recipients who had already read the rumor.
    counts: Vec<(u32, u32)>,
    /// Rumor copies delivered.
    deliveries: u64,
    /// Largest hop of a rumor post that reached someone.
    max_hop: u32,
}

/// Posts per parallel delivery task.
const DELIVERY_CHUNK: usize = 256;

impl Run<'_> {
    /// Phase 2: copies to every member but the sender; stifling of senders.
    /// Returns the new copies, sorted by (user, post), and the rumor copies delivered.
    pub(super) fn deliver(&mut self, t: u32, first_post: usize) -> (Vec<Inbox>, u64) {
        let (pop, st, params) = (self.pop, &self.state, self.params);
        let new_posts = &self.posts[first_post..];
        let direct = std::mem::take(&mut self.direct);
        // Posts are delivered in parallel chunks; each chunk returns its copies and, per
        // post, (recipients, recipients who had already read the rumor). One allocation
        // per chunk, not per post: a complete graph makes millions of two-member posts.
        //
        // Delivery is bound by memory latency (chat offsets, then members, then each
        // recipient's flags, all at random), so a chunk runs in three passes, each over
        // loads that do not depend on one another: the processor then keeps many cache
        // misses in flight instead of waiting for each chain in turn.
        let deliver_chunk = |(c, chunk): (usize, &[Post])| -> Delivered {
            let first = first_post + c * DELIVERY_CHUNK;
            // Pass 1: each post's recipient list, the trust of its chat and, for limited
            // attention, the chat's background traffic.
            let rows: Vec<(&[u32], f32, u16)> = chunk
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let row = if p.chat == NO_CHAT {
                        let pid = (first + i) as u32;
                        direct
                            .binary_search_by_key(&pid, |d| d.0)
                            .map(|k| direct[k].1.as_slice())
                            .unwrap_or(&[])
                    } else {
                        pop.chats.members.row(p.chat as usize)
                    };
                    let traffic = match &params.attention {
                        None => 0,
                        Some(a) => {
                            let kind = (p.chat != NO_CHAT).then(|| ChatKind::from_index(p.kind));
                            a.chat_traffic(kind, row.len())
                        }
                    };
                    (row, Self::trust_of(pop, params, p), traffic)
                })
                .collect();
            // Pass 2: the recipients, as (user, index of the post in the chunk).
            let mut to = Vec::with_capacity(2 * chunk.len());
            for (i, (p, (row, _, _))) in chunk.iter().zip(&rows).enumerate() {
                to.extend(
                    row.iter()
                        .filter(|&&m| m != p.sender)
                        .map(|&m| (m, i as u32)),
                );
            }
            // Pass 3: each recipient's flags decide whether the copy is kept.
            let mut copies = Vec::with_capacity(to.len());
            let mut counts = vec![(0u32, 0u32); chunk.len()];
            for &(m, i) in &to {
                let f = st.flags[m as usize];
                let count = &mut counts[i as usize];
                count.0 += 1;
                let p = &chunk[i as usize];
                let keep = match p.msg {
                    Msg::Rumor => {
                        count.1 += (f & flag::READ != 0) as u32;
                        // Not yet reached, or reached and still open to persuasion.
                        f & (flag::CLOSED | flag::REACHED) != flag::CLOSED | flag::REACHED
                    }
                    Msg::Correction | Msg::Response => f & flag::CORR_READ == 0,
                };
                if keep {
                    copies.push(Inbox {
                        user: m,
                        post: first as u32 + i,
                        trust: rows[i as usize].1,
                        msg: p.msg,
                        labelled: p.labelled,
                        traffic: rows[i as usize].2,
                    });
                }
            }
            let (mut deliveries, mut max_hop) = (0u64, 0u32);
            for (p, &(rec, _)) in chunk.iter().zip(&counts) {
                if p.msg == Msg::Rumor && rec > 0 {
                    deliveries += rec as u64;
                    max_hop = max_hop.max(p.hop);
                }
            }
            Delivered {
                copies,
                counts,
                deliveries,
                max_hop,
            }
        };
        let chunks: Vec<Delivered> = if new_posts.len() > DELIVERY_CHUNK {
            new_posts
                .par_chunks(DELIVERY_CHUNK)
                .enumerate()
                .map(deliver_chunk)
                .collect()
        } else {
            new_posts
                .chunks(DELIVERY_CHUNK)
                .enumerate()
                .map(deliver_chunk)
                .collect()
        };
        let mut new_copies = Vec::with_capacity(chunks.iter().map(|c| c.copies.len()).sum());
        let mut deliveries = 0u64;
        for c in &chunks {
            new_copies.extend_from_slice(&c.copies);
            deliveries += c.deliveries;
            self.max_hops = self.max_hops.max(c.max_hop);
        }
        // Stifling: one decision per rumor sender, on the share of recipients who knew.
        let counts = chunks.iter().flat_map(|c| &c.counts);
        let mut per_post = new_posts.iter().zip(counts).peekable();
        while self.params.stifling > 0.0 {
            let Some(&(first, _)) = per_post.peek() else {
                break;
            };
            let (sender, msg) = (first.sender, first.msg);
            let (mut rec, mut knew) = (0u64, 0u64);
            while let Some((_, &(r, k))) =
                per_post.next_if(|(p, _)| p.sender == sender && p.msg == msg)
            {
                rec += r as u64;
                knew += k as u64;
            }
            if msg == Msg::Rumor && knew > 0 && self.state.role[sender as usize] == Role::Spreader {
                let p = self.params.stifling * knew as f64 / rec as f64;
                if rng::uniform(
                    self.seed,
                    self.run,
                    t as u64,
                    sender as u64,
                    Purpose::Stifling,
                ) < p
                {
                    self.state.set_role(sender, Role::Stifler);
                    self.state.shares_left[sender as usize] = 0;
                }
            }
        }
        if new_copies.len() >= PAR_MIN {
            new_copies.par_sort_unstable_by_key(Inbox::key);
        } else {
            new_copies.sort_unstable_by_key(Inbox::key);
        }
        (new_copies, deliveries)
    }

    /// Extends the cascade with users reached by the rumor for the first time (their
    /// earliest post this step is their first copy), and counts correction reach.
    pub(super) fn mark_reach(&mut self, t: u32, new_copies: &[Inbox]) {
        let mut last = (u32::MAX, Msg::Rumor);
        let mut first_copies = Vec::new();
        for c in new_copies {
            let u = c.user;
            if (u, c.msg) == last {
                continue;
            }
            last = (u, c.msg);
            match c.msg {
                Msg::Rumor => {
                    if self.state.mark_reached(u) {
                        first_copies.push((u, c.post));
                    }
                }
                Msg::Correction | Msg::Response => self.state.mark_corr_reached(u),
            }
        }
        // A separate pass over the posts (looked up at random) lets their loads overlap.
        let posts = &self.posts;
        self.cascade
            .extend(first_copies.into_iter().map(|(u, pid)| {
                let p = &posts[pid as usize];
                CascadeEntry {
                    user: u,
                    parent: Some(p.sender),
                    hops: p.hop,
                    step: t,
                    chat: (p.chat != NO_CHAT).then_some(p.chat),
                }
            }));
    }

    /// Trust of the chat a post came through: from its kind when every chat of a kind
    /// has the same trust (generated populations), else looked up.
    #[inline]
    fn trust_of(pop: &Population, params: &Params, p: &Post) -> f32 {
        if p.chat == NO_CHAT {
            params.direct_trust
        } else if let Some(by_kind) = &pop.trust_by_kind {
            by_kind[p.kind as usize]
        } else {
            pop.chats.trust[p.chat as usize]
        }
    }
}

#[cfg(test)]
mod tests {
    //! Phase 2 on hand-built populations: who gets a copy, who stops, who is reached.
    use super::super::state::{flag, Belief, Role, NO_POST};
    use super::super::testkit::World;
    use super::super::{Msg, Post, NO_CHAT};
    use crate::record::CascadeEntry;
    use crate::scenario::ChatKind;

    /// (user, post) of each copy kept.
    fn kept(copies: &[super::Inbox]) -> Vec<(u32, u32)> {
        copies.iter().map(|c| (c.user, c.post)).collect()
    }

    /// One post into a three-member chat reaches exactly the two others, never the
    /// sender, and makes them children of the sender in the cascade.
    #[test]
    fn a_post_reaches_the_other_two_members() {
        let w = World::new(4, &[(ChatKind::Family, &[0, 1, 2])]);
        let mut run = w.run();
        run.add_post(Post::original(&w.pop, 0, 0, Msg::Rumor));
        let (copies, deliveries) = run.deliver(0, 0);
        assert_eq!(kept(&copies), [(1, 0), (2, 0)]);
        assert_eq!(deliveries, 2);
        assert!(copies.iter().all(|c| c.trust == 0.9 && !c.labelled));
        run.mark_reach(0, &copies);
        assert_eq!(run.state.reached, 2);
        assert_eq!(
            run.state.belief[..4],
            [
                Belief::Unaware,
                Belief::Exposed,
                Belief::Exposed,
                Belief::Unaware
            ]
        );
        let child = |user| CascadeEntry {
            user,
            parent: Some(0),
            hops: 0,
            step: 0,
            chat: Some(0),
        };
        assert_eq!(run.cascade, [child(1), child(2)]);
    }

    /// A user who already believes gets no copy (it could change nothing), though the
    /// delivery is counted; a user reached but still open to persuasion does get one.
    #[test]
    fn believers_get_no_copy() {
        let w = World::new(4, &[(ChatKind::Family, &[0, 1, 2, 3])]);
        let mut run = w.run();
        run.state.mark_reached(1);
        run.state.set_belief(1, Belief::Believer);
        run.state.mark_reached(2);
        run.add_post(Post::original(&w.pop, 0, 0, Msg::Rumor));
        let (copies, deliveries) = run.deliver(0, 0);
        assert_eq!(kept(&copies), [(2, 0), (3, 0)]);
        assert_eq!(deliveries, 3);
        run.mark_reach(0, &copies);
        // Only user 3 is newly reached.
        assert_eq!(run.state.reached, 3);
        assert_eq!(run.cascade.len(), 1);
    }

    /// Copies of several posts come out sorted by recipient, then in posting order.
    #[test]
    fn copies_are_sorted_by_user_then_post() {
        let w = World::new(
            4,
            &[(ChatKind::Family, &[0, 2, 3]), (ChatKind::Work, &[1, 2])],
        );
        let mut run = w.run();
        run.add_post(Post::original(&w.pop, 0, 0, Msg::Rumor));
        run.add_post(Post::original(&w.pop, 1, 1, Msg::Rumor));
        let (copies, _) = run.deliver(0, 0);
        assert_eq!(kept(&copies), [(2, 0), (2, 1), (3, 0)]);
        // The work chat's trust comes with the copy.
        assert_eq!(copies[1].trust, 0.5);
        run.mark_reach(0, &copies);
        // User 2's earliest post this step is its parent.
        assert_eq!(run.cascade[0].parent, Some(0));
    }

    /// A mass message goes to its listed recipients only, outside every chat, with the
    /// trust of direct copies.
    #[test]
    fn a_mass_message_reaches_its_list() {
        let w = World::new(5, &[(ChatKind::Family, &[0, 1, 2, 3, 4])]);
        let mut run = w.run();
        let pid = run.add_post(Post::original(&w.pop, 0, NO_CHAT, Msg::Rumor));
        run.direct.push((pid, vec![1, 3]));
        let (copies, deliveries) = run.deliver(0, 0);
        assert_eq!(kept(&copies), [(1, 0), (3, 0)]);
        assert_eq!(deliveries, 2);
        assert!(copies.iter().all(|c| c.trust == w.params.direct_trust));
        run.mark_reach(0, &copies);
        assert_eq!(run.cascade[0].chat, None);
    }

    /// With stifling probability 1, a spreader whose recipients had all read the rumor
    /// stops; one whose recipients had not is not asked.
    #[test]
    fn stifling_one_stops_a_spreader_whose_recipients_knew() {
        let mut w = World::new(
            6,
            &[
                (ChatKind::Family, &[0, 1, 2]),
                (ChatKind::Family, &[3, 4, 5]),
            ],
        );
        w.params.stifling = 1.0;
        let mut run = w.run();
        for u in [1, 2] {
            run.state.mark_reached(u);
            run.state.mark_read(u);
            run.state.set_belief(u, Belief::Rejecter);
        }
        run.make_spreader(0, 0, NO_POST);
        run.make_spreader(3, 0, NO_POST);
        run.add_post(Post::original(&w.pop, 0, 0, Msg::Rumor));
        run.add_post(Post::original(&w.pop, 3, 1, Msg::Rumor));
        let (copies, _) = run.deliver(0, 0);
        assert_eq!(kept(&copies).len(), 4);
        assert_eq!(
            (run.state.role[0], run.state.shares_left[0]),
            (Role::Stifler, 0)
        );
        assert_eq!(run.state.role[3], Role::Spreader);
    }

    /// A correction copy is kept unless its recipient has read a correction.
    #[test]
    fn correction_copies_skip_those_who_read_one() {
        let w = World::new(3, &[(ChatKind::Family, &[0, 1, 2])]);
        let mut run = w.run();
        run.state.mark_corr_read(1);
        run.add_post(Post::original(&w.pop, 0, 0, Msg::Correction));
        let (copies, deliveries) = run.deliver(0, 0);
        assert_eq!(kept(&copies), [(2, 0)]);
        // Only rumor copies count as deliveries.
        assert_eq!(deliveries, 0);
        run.mark_reach(0, &copies);
        assert!(run.state.has(2, flag::CORR_REACHED) && !run.state.has(2, flag::REACHED));
    }
}
