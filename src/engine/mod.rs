//! The engine: runs the step of `docs/model.md#one-step` for one replicate on a shared
//! population. This file holds a replicate's state ([`Replicate`]), the run loop and
//! the order of the phases; each phase lives in a file of its own.
//!
//! One step, in order:
//! 0. **Interventions** due now fire ([`interventions`]); moderation and ban events
//!    scheduled earlier take effect.
//! 1. **Posting** (`posting.rs`): spreaders whose share action is due (and seeds due
//!    now, placed by `seeding.rs`) pick chats ([`choice`]) and post; each chosen chat is
//!    one post (`message.rs`). The correction, once launched, travels by the same
//!    machinery.
//! 2. **Delivery** (`delivery.rs`): every member of a posted chat except the sender
//!    gets a copy. First copies extend the cascade tree; a sender whose recipients
//!    already knew the story may stop (stifling).
//! 3. **Reading** (`reading.rs`): users with unread copies read them with probability
//!    activity x rhythm (with limited attention, only the copies they will see are
//!    filed); rumor copies decide belief ([`belief`]: one draw per copy, or one per
//!    session from the most persuasive copy), the first correction copy acceptance or
//!    correction; new believers (and a few rejecters) become spreaders after a delay.
//!    The step at which a user will read is found when copies reach them (the first
//!    step whose keyed draw says they open the app), and the copies wait in that step's
//!    inbox: a step touches only the users who read in it, not every user with unread
//!    copies.
//! 4. **Recording**: the counts are kept current on every transition ([`state`]), so a
//!    record costs O(camps); the [`public`] layer adds its columns, and trigger
//!    conditions are evaluated on the record ([`interventions`]).
//!
//! What every phase is run with (rules in force, parameters derived once per scenario)
//! is in `params.rs`.
//!
//! Every phase reads the state as it was when the phase began and writes its changes
//! afterwards in a fixed order; every random draw is keyed by (seed, replicate, step,
//! user, purpose). Results are therefore identical for any thread count, and a variant
//! that differs only by an intervention shares every draw until the intervention fires.
//!
//! # Complexity
//! A step costs O(due spreaders + their chats + copies delivered + copies read), never
//! O(users): a rumor that dies early costs almost nothing, and the loop stops as soon as
//! nothing is pending, scheduled or seeded. Finding a user's reading step costs one
//! keyed draw per step they wait, in a tight loop, once per wait.

pub mod belief;
pub mod choice;
mod delivery;
pub mod interventions;
mod message;
mod params;
mod posting;
pub mod public;
mod reading;
mod seeding;
pub mod state;
#[cfg(test)]
mod testkit;

use crate::population::Population;
use crate::record::{CascadeEntry, Sharer, StepRecord};
pub use crate::record::{RunOutput, Stages};
use crate::rng::{self, Purpose};
use crate::scenario::Scenario;
use interventions::Interventions;
use message::Inbox;
pub use message::{Msg, Post, NO_CHAT, NO_SENDER};
pub use params::{Params, Rules};
pub use seeding::resolve_ids;
use seeding::SeedStep;
use state::{flag, Belief, State, NO_POST};

/// Work items below which a phase runs sequentially: rayon's overhead would dominate.
const PAR_MIN: usize = 2048;

/// One replicate in progress.
#[derive(Clone)]
pub(crate) struct Run<'a> {
    pop: &'a Population,
    scn: &'a Scenario,
    params: &'a Params,
    rules: Rules,
    seed: u64,
    run: u64,
    state: State<'a>,
    posts: Vec<Post>,
    /// Recipients of this step's posts with `chat == NO_CHAT`, by post id.
    direct: Vec<(u32, Vec<u32>)>,
    /// Unread copies by the step at which their reader reads them; the last inbox (at
    /// the horizon) holds copies whose reader does not read within the horizon.
    inbox: Vec<Vec<Inbox>>,
    /// Copies in the inboxes.
    unread: u64,
    /// Users whose rumor share action is due at each step.
    agenda: Vec<Vec<u32>>,
    /// Users whose correction share action is due at each step.
    corr_agenda: Vec<Vec<u32>>,
    /// Agenda entries not yet processed (both agendas).
    outstanding: u64,
    seeds: Vec<SeedStep>,
    last_seed_step: Option<u32>,
    interventions: Interventions,
    cascade: Vec<CascadeEntry>,
    max_hops: u32,
    /// Users who made at least one rumor post, in order of their first post.
    posters: Vec<u32>,
    /// The sharers' tree: one entry per user who posted the rumor (seeds, chat posters
    /// and mass-messaging accounts included), in order of their first post.
    sharers: Vec<Sharer>,
    /// Step of the rumor's first post (fading interest counts age from it).
    first_rumor: Option<u32>,
    /// This step's rumor posts by hop and forward actions, counted while posting.
    by_hop: posting::ByHop,
    /// The public layer, if the scenario has `[public]`.
    public: Option<public::PublicLayer>,
    /// Acceptance and efficacy of a `response` answer.
    response_effect: (f64, f64),
    /// Logit effects of the prebunks with an `effect` fired so far, in firing order
    /// (`State::prebunk` indexes them from 1).
    prebunk_effects: Vec<f64>,
}

/// Runs replicate `replicate` of a scenario on a population; `on_step` is called once
/// per simulated step (for progress reporting).
pub fn run_replicate(
    pop: &Population,
    scn: &Scenario,
    params: &Params,
    replicate: u32,
    on_step: &(dyn Fn() + Sync),
) -> RunOutput {
    let mut rep = Replicate::new(pop, scn, params, replicate);
    let mut records = Vec::with_capacity(scn.simulation.steps as usize);
    let mut camp_records = Vec::new();
    let track_camps = pop.camp_names.len() > 1;
    while rep.next < scn.simulation.steps {
        let Some(r) = rep.step() else {
            // Nothing can happen any more: the rest of the horizon repeats this state.
            let mut r = records
                .last()
                .copied()
                .unwrap_or_else(|| rep.run.state.record(rep.next));
            for s in rep.next..scn.simulation.steps {
                r.step = s;
                r.new_reached = 0;
                r.deliveries = 0;
                r.posts = 0;
                r.copies_unseen = 0;
                r.posts_original = 0;
                r.posts_forwarded = 0;
                r.posts_labelled = 0;
                r.share_actions = 0;
                records.push(r);
                if track_camps {
                    camp_records.push(rep.run.state.camps.clone());
                }
                on_step();
            }
            break;
        };
        records.push(r);
        if track_camps {
            camp_records.push(rep.run.state.camps.clone());
        }
        on_step();
    }
    let run = rep.run;
    let stages = run
        .public
        .as_ref()
        .map_or_else(Stages::default, |p| Stages {
            first_public_post: p.first_post,
            press: p.press_at,
            crisis: p.crisis_at,
        });
    RunOutput {
        records,
        camp_records,
        cascade: run.cascade,
        sharers: run.sharers,
        fired: run.interventions.fired(),
        stages,
    }
}

/// A replicate advanced one step at a time, for benchmarks and tools that look at a
/// run part-way. A clone is a snapshot: it continues exactly as the original would.
pub struct Replicate<'a> {
    run: Run<'a>,
    next: u32,
}

impl Clone for Replicate<'_> {
    /// Also keeps the spare capacity of the post list, so that the clone's next step
    /// costs what the original's would (a tight clone would copy every earlier post to
    /// grow it).
    fn clone(&self) -> Self {
        let mut run = self.run.clone();
        run.posts
            .reserve_exact(self.run.posts.capacity() - self.run.posts.len());
        Replicate {
            run,
            next: self.next,
        }
    }
}

impl<'a> Replicate<'a> {
    /// Replicate `replicate` of a scenario, before its first step.
    pub fn new(
        pop: &'a Population,
        scn: &'a Scenario,
        params: &'a Params,
        replicate: u32,
    ) -> Replicate<'a> {
        Replicate {
            run: Run::new(pop, scn, params, replicate),
            next: 0,
        }
    }

    /// The step that [`Replicate::step`] runs next.
    pub fn next_step(&self) -> u32 {
        self.next
    }

    /// Runs the next step and returns its record; None (without advancing) once the
    /// horizon is reached or nothing is pending, scheduled or still to be seeded.
    pub fn step(&mut self) -> Option<StepRecord> {
        let t = self.next;
        if t >= self.run.scn.simulation.steps || self.run.is_quiet(t) {
            return None;
        }
        let r = self.run.step(t);
        self.run
            .interventions
            .observe(&r, self.run.pop.n_users() as u64);
        self.next += 1;
        Some(r)
    }
}

impl<'a> Run<'a> {
    fn new(pop: &'a Population, scn: &'a Scenario, params: &'a Params, replicate: u32) -> Run<'a> {
        let seed = scn.simulation.seed;
        let steps = scn.simulation.steps as usize;
        let mut run = Run {
            pop,
            scn,
            params,
            rules: params.rules,
            seed,
            run: replicate as u64,
            state: State::new(&pop.users.camp, pop.camp_names.len().max(1)),
            posts: Vec::new(),
            direct: Vec::new(),
            inbox: vec![Vec::new(); steps + 1],
            unread: 0,
            agenda: vec![Vec::new(); steps],
            corr_agenda: vec![Vec::new(); steps],
            outstanding: 0,
            seeds: Vec::new(),
            last_seed_step: None,
            interventions: Interventions::new(scn),
            cascade: Vec::new(),
            max_hops: 0,
            posters: Vec::new(),
            sharers: Vec::new(),
            first_rumor: None,
            by_hop: Default::default(),
            public: scn.public.as_ref().map(|cfg| {
                let (sum, count) = pop
                    .users
                    .followers
                    .iter()
                    .filter(|&&f| f > 0)
                    .fold((0u64, 0u64), |(s, c), &f| (s + f as u64, c + 1));
                let mean = if count > 0 {
                    sum as f64 / count as f64
                } else {
                    1.0
                };
                public::PublicLayer::new(
                    public::PublicParams::new(cfg, scn, pop.n_users() as u64, mean),
                    scn.simulation.steps,
                )
            }),
            response_effect: (1.0, 1.0),
            prebunk_effects: Vec::new(),
        };
        if params.persistence.is_some() {
            run.state.ranked = vec![0; pop.n_users()];
        }
        run.place_seeds();
        run
    }

    /// True when nothing is pending, scheduled or still to be seeded.
    fn is_quiet(&self, t: u32) -> bool {
        self.unread == 0
            && self.outstanding == 0
            && self.last_seed_step.is_none_or(|s| s < t)
            && self.interventions.is_quiet(t)
            && self.public.as_ref().is_none_or(|p| p.is_quiet())
    }

    /// A user who has just come to believe: with a public account, they may post about
    /// it publicly later.
    fn note_believer(&mut self, u: u32, t: u32) {
        if let Some(public) = self.public.as_mut() {
            if self.pop.users.followers[u as usize] > 0 {
                let mut r = rng::stream(self.seed, self.run, t as u64, u as u64, Purpose::Public);
                public.schedule(u, t, &mut r);
            }
        }
    }

    /// Phase 4: the public layer; users who saw the rumor in public forward it
    /// privately from the next step.
    fn public_step(&mut self, t: u32, r: &mut StepRecord) {
        let Some(public) = self.public.as_mut() else {
            return;
        };
        let (pop, st) = (self.pop, &self.state);
        let out = public.step(t, self.seed, self.run, pop.n_users() as u32, |due| {
            due.iter()
                .filter(|&&u| st.belief[u as usize] == Belief::Believer && !st.has(u, flag::BANNED))
                .map(|&u| pop.users.followers[u as usize])
                .collect()
        });
        r.public_posts = out.posts;
        r.public_reach = public.impressions;
        r.press = public.covering as u64;
        r.crisis = public.crisis as u64;
        let next = t as usize + 1;
        // Only people open to the rumor forward what they saw in public.
        let open: Vec<u32> = out
            .reinjected
            .into_iter()
            .filter(|&u| {
                matches!(
                    st.belief[u as usize],
                    Belief::Unaware | Belief::Exposed | Belief::Rejecter
                ) && !st.has(u, flag::BANNED)
            })
            .collect();
        if next < self.seeds.len() && !open.is_empty() {
            self.seeds[next].users.extend(open);
            self.last_seed_step = Some(
                self.last_seed_step
                    .map_or(next as u32, |s| s.max(next as u32)),
            );
        }
    }

    fn step(&mut self, t: u32) -> StepRecord {
        let first_post = self.posts.len();
        let reached_before = self.state.reached;
        interventions::act(self, t);
        self.post(t);
        let (new_copies, deliveries) = self.deliver(t, first_post);
        self.mark_reach(t, &new_copies);
        let unseen = self.file_copies(t, &new_copies);
        drop(new_copies);
        self.read(t);
        let mut r = self.state.record(t);
        r.copies_unseen = unseen;
        r.new_reached = self.state.reached - reached_before;
        r.deliveries = deliveries;
        r.posts = self.posts[first_post..]
            .iter()
            .filter(|p| p.msg == Msg::Rumor)
            .count() as u64;
        // Rumor posts by hop and forward actions, counted per share action while posting.
        let by_hop = std::mem::take(&mut self.by_hop);
        r.posts_original = by_hop.original;
        r.posts_forwarded = by_hop.forwarded;
        r.posts_labelled = by_hop.labelled;
        r.share_actions = by_hop.actions;
        r.max_hops = self.max_hops;
        self.public_step(t, &mut r);
        r
    }

    fn schedule(&mut self, u: u32, at: u64, msg: Msg) {
        if at < self.agenda.len() as u64 {
            match msg {
                Msg::Rumor => self.agenda[at as usize].push(u),
                Msg::Correction | Msg::Response => self.corr_agenda[at as usize].push(u),
            }
            self.outstanding += 1;
        }
    }

    /// Records which correction post `u` forwards (allocating the column on first use).
    fn set_corr_source(&mut self, u: u32, post: u32) {
        if self.state.corr_source.is_empty() {
            self.state.corr_source = vec![NO_POST; self.pop.n_users()];
        }
        self.state.corr_source[u as usize] = post;
    }
}

#[cfg(test)]
mod tests {
    //! Whole steps on hand-built populations, with outcomes worked out by hand.
    use super::testkit::World;
    use super::*;
    use crate::scenario::{ChatKind, SeedTarget};

    /// Two groups joined by one user, the rumor seeded in group A: step 0 reaches A,
    /// step 1 the bridge forwards into B (and A's other member has nowhere to forward),
    /// step 2 B's members have nowhere to forward, and then nothing is left to do.
    #[test]
    fn the_rumor_crosses_the_bridge_in_one_step() {
        let mut w = World::new(
            5,
            &[
                (ChatKind::Friends, &[0, 1, 2]),
                (ChatKind::Friends, &[2, 3, 4]),
            ],
        );
        w.seed(0.0, SeedTarget::Ids(vec!["0".into()]));
        let out = run_replicate(&w.pop, &w.scn, &w.params, 0, &|| {});
        let flows: Vec<_> = out
            .records
            .iter()
            .map(|r| {
                (
                    r.reached,
                    r.believers,
                    r.posts,
                    r.deliveries,
                    r.spreaders,
                    r.stiflers,
                    r.max_hops,
                )
            })
            .collect();
        assert_eq!(
            flows,
            [
                (3, 3, 1, 2, 2, 1, 0),
                (5, 5, 1, 2, 2, 3, 1),
                (5, 5, 0, 0, 0, 5, 1),
                (5, 5, 0, 0, 0, 5, 1),
                (5, 5, 0, 0, 0, 5, 1),
                (5, 5, 0, 0, 0, 5, 1),
            ]
        );
        let tree: Vec<_> = out
            .cascade
            .iter()
            .map(|e| (e.user, e.parent, e.hops, e.step, e.chat))
            .collect();
        assert_eq!(
            tree,
            [
                (0, None, 0, 0, None),
                (1, Some(0), 0, 0, Some(0)),
                (2, Some(0), 0, 0, Some(0)),
                (3, Some(2), 1, 1, Some(1)),
                (4, Some(2), 1, 1, Some(1)),
            ]
        );
    }

    /// The run stops as soon as nothing is pending, and a stepped replicate says so.
    #[test]
    fn a_replicate_stops_when_nothing_is_left() {
        let mut w = World::new(3, &[(ChatKind::Family, &[0, 1, 2])]);
        w.seed(0.0, SeedTarget::Ids(vec!["0".into()]));
        let mut rep = Replicate::new(&w.pop, &w.scn, &w.params, 0);
        let first = rep.step().unwrap();
        assert_eq!(
            (first.reached, first.new_reached, first.deliveries),
            (3, 3, 2)
        );
        // Step 1: users 1 and 2 act, but their only chat is the one the rumor came from.
        let second = rep.step().unwrap();
        assert_eq!((second.posts, second.stiflers), (0, 3));
        assert!(rep.step().is_none());
        assert_eq!(rep.next_step(), 2);
    }
    /// The bridge run again, for the sharers' tree and the posts by hop: only the seed
    /// (an original at step 0) and the bridge (a forward at step 1, parent the seed)
    /// posted; user 1 had nowhere to forward and users 3 and 4 neither.
    #[test]
    fn the_sharers_tree_and_posts_by_hop_of_the_bridge() {
        let mut w = World::new(
            5,
            &[
                (ChatKind::Friends, &[0, 1, 2]),
                (ChatKind::Friends, &[2, 3, 4]),
            ],
        );
        w.seed(0.0, SeedTarget::Ids(vec!["0".into()]));
        let out = run_replicate(&w.pop, &w.scn, &w.params, 0, &|| {});
        let sharers: Vec<_> = out.sharers.iter().map(|e| (e.user, e.parent)).collect();
        assert_eq!(sharers, [(0, None), (2, Some(0))]);
        let by_hop: Vec<_> = out.records[..3]
            .iter()
            .map(|r| {
                (
                    r.posts_original,
                    r.posts_forwarded,
                    r.posts_labelled,
                    r.share_actions,
                )
            })
            .collect();
        assert_eq!(by_hop, [(1, 0, 0, 0), (0, 1, 0, 1), (0, 0, 0, 0)]);
    }
}
