//! The engine: runs the step of `docs/model.md#one-step` for one replicate on a shared
//! population.
//!
//! One step, in order:
//! 0. **Interventions** due now fire ([`interventions`]); moderation and ban events
//!    scheduled earlier take effect.
//! 1. **Posting**: spreaders whose share action is due (and seeds due now) pick chats
//!    ([`choice`]) and post; each chosen chat is one post. The correction, once
//!    launched, travels by the same machinery.
//! 2. **Delivery**: every member of a posted chat except the sender gets a copy. First
//!    copies extend the cascade tree; a sender whose recipients already knew the story
//!    may stop (stifling).
//! 3. **Reading**: users with unread copies read all of them with probability
//!    activity x rhythm; copies act one after another in posting order ([`belief`]);
//!    new believers (and a few rejecters) become spreaders after a delay. The step at
//!    which a user will read is found when copies reach them (the first step whose
//!    keyed draw says they open the app), and the copies wait in that step's inbox: a
//!    step touches only the users who read in it, not every user with unread copies.
//! 4. **Recording**: the counts are kept current on every transition, so a record costs
//!    O(camps); trigger conditions are evaluated on it.
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
mod seeding;
pub mod state;

use crate::population::Population;
use crate::record::{CascadeEntry, StepRecord};
pub use crate::record::{RunOutput, Stages};
use crate::rng::{self, Purpose};
use crate::scenario::Scenario;
use interventions::Interventions;
use message::Inbox;
pub use message::{Msg, Post, NO_CHAT, NO_SENDER};
pub use params::{Params, Rules};
use rand::Rng as _;
use rayon::prelude::*;
pub use seeding::resolve_ids;
use seeding::SeedStep;
use state::{flag, Belief, Role, State, NO_POST, NO_STEP};

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
    /// The public layer, if the scenario has `[public]`.
    public: Option<public::PublicLayer>,
    /// Acceptance and efficacy of a `response` answer.
    response_effect: (f64, f64),
}

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
        };
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
        self.file_copies(t, &new_copies);
        drop(new_copies);
        self.read(t);
        let mut r = self.state.record(t);
        r.new_reached = self.state.reached - reached_before;
        r.deliveries = deliveries;
        r.posts = self.posts[first_post..]
            .iter()
            .filter(|p| p.msg == Msg::Rumor)
            .count() as u64;
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

    /// Files this step's copies (sorted by user) in the inbox of the step at which their
    /// reader reads: the one already set for a reader with unread copies, else the first
    /// step from now whose keyed reading draw succeeds (the horizon if none does).
    fn file_copies(&mut self, t: u32, new_copies: &[Inbox]) {
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
    fn read(&mut self, t: u32) {
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

    /// Records which correction post `u` forwards (allocating the column on first use).
    fn set_corr_source(&mut self, u: u32, post: u32) {
        if self.state.corr_source.is_empty() {
            self.state.corr_source = vec![NO_POST; self.pop.n_users()];
        }
        self.state.corr_source[u as usize] = post;
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
