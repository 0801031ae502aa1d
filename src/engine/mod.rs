//! The engine: runs the step of MODEL.md for one replicate on a shared population.
//!
//! One step, in order:
//! 1. **Posting**: spreaders whose share action is due (and seeds due now) pick chats
//!    ([`choice`]) and post; each chosen chat is one post.
//! 2. **Delivery**: every member of a posted chat except the sender gets a copy. First
//!    copies extend the cascade tree; a sender whose recipients already knew the story
//!    may stop (stifling).
//! 3. **Reading**: users with unread copies read all of them with probability
//!    activity x rhythm; copies convince one after another ([`belief`]); new believers
//!    (and a few rejecters) become spreaders after a delay.
//! 4. **Recording**: the counts are kept current on every transition, so a record costs
//!    O(1).
//!
//! Every phase reads the state as it was when the phase began and writes its changes
//! afterwards in a fixed order; every random draw is keyed by (seed, replicate, step,
//! user, purpose). Results are therefore identical for any thread count.
//!
//! # Complexity
//! A step costs O(due spreaders + their chats + copies delivered + unread copies), never
//! O(users): a rumor that dies early costs almost nothing, and the loop stops as soon as
//! nothing is pending, scheduled or seeded.

pub mod belief;
pub mod choice;
pub mod state;

use crate::metrics::{CascadeEntry, StepRecord};
use crate::population::Population;
use crate::rng::{self, Purpose};
use crate::scenario::{ChatKind, ChatKindSpec, DelayDist, Limit, Scenario};
use belief::BeliefModel;
use choice::ChatChooser;
use rand::Rng as _;
use rayon::prelude::*;
use state::{flag, Belief, Role, State, NO_POST};

/// Work items below which a phase runs sequentially: rayon's overhead would dominate.
const PAR_MIN: usize = 2048;

/// Everything one replicate produced.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunOutput {
    /// One record per step.
    pub records: Vec<StepRecord>,
    /// One entry per user reached, in the order they were reached.
    pub cascade: Vec<CascadeEntry>,
}

/// What delivering one post produced: copies kept for reading, recipients, and
/// recipients who had already read the rumor.
type Delivered = (Vec<(u32, u32)>, u32, u32);

/// One post: a copy of the rumor sent into one chat.
#[derive(Clone, Copy, Debug)]
struct Post {
    sender: u32,
    chat: u32,
    hop: u32,
    labelled: bool,
}

/// Seeds that act at one step.
#[derive(Default)]
struct SeedStep {
    users: Vec<u32>,
    /// (chat, poster)
    chats: Vec<(u32, u32)>,
}

/// Parameters derived once per scenario and shared by all replicates.
pub struct Params {
    chooser: ChatChooser,
    belief: BeliefModel,
    forward_limit: u32,
    labelled_limit: u32,
    label_hops: u32,
    p_share_believer: f64,
    p_share_rejecter: f64,
    stifling: f64,
    actions: u16,
    delay_steps: f64,
    interval_steps: f64,
    delay_dist: DelayDist,
}

/// `shares_left` value for spreaders with unlimited actions.
const UNLIMITED_SHARES: u16 = u16::MAX;

impl Params {
    /// Derives engine parameters from a checked scenario.
    pub fn new(scn: &Scenario) -> Params {
        let c = &scn.config;
        let kind_weight = std::array::from_fn(|k| {
            let kind = ChatKind::from_index(k as u8);
            scn.kinds[k].as_ref().map_or_else(
                || ChatKindSpec::defaults(kind).share_weight,
                |s| s.share_weight,
            )
        });
        let step = scn.step_minutes;
        Params {
            chooser: ChatChooser {
                kind_weight,
                camp_preference: c.sharing.camp_preference,
            },
            belief: BeliefModel::new(scn),
            forward_limit: c.platform.forward_limit.get(),
            labelled_limit: c.platform.labelled_forward_limit.get(),
            label_hops: c.platform.label_hops,
            p_share_believer: (c.sharing.believer * c.rumor.virality).min(1.0),
            p_share_rejecter: (c.sharing.rejecter * c.rumor.virality).min(1.0),
            stifling: c.sharing.stifling,
            actions: match c.sharing.actions {
                Limit::Unlimited => UNLIMITED_SHARES,
                Limit::Count(n) => n.min(UNLIMITED_SHARES as u32 - 1) as u16,
            },
            delay_steps: c.sharing.delay.minutes() / step,
            interval_steps: c.sharing.interval.unwrap_or(c.sharing.delay).minutes() / step,
            delay_dist: c.sharing.delay_dist,
        }
    }

    /// Steps until a share action with mean wait `mean` steps (at least one).
    fn wait(&self, mean: f64, rng: &mut rng::Rng) -> u32 {
        match self.delay_dist {
            DelayDist::Fixed => mean.round().max(1.0) as u32,
            DelayDist::Exponential if mean <= 1.0 => 1,
            DelayDist::Exponential => {
                // Geometric on {1, 2, ...} with mean `mean`.
                let p = 1.0 / mean;
                let u = 1.0 - rng.random::<f64>();
                1 + (u.ln() / (1.0 - p).ln()).floor().min(1e9) as u32
            }
        }
    }
}

/// One replicate in progress.
struct Run<'a> {
    pop: &'a Population,
    scn: &'a Scenario,
    params: &'a Params,
    seed: u64,
    run: u64,
    state: State,
    posts: Vec<Post>,
    /// Unread copies as (user, post), sorted.
    pending: Vec<(u32, u32)>,
    /// Users whose share action is due at each step.
    agenda: Vec<Vec<u32>>,
    /// Agenda entries not yet processed.
    outstanding: u64,
    seeds: Vec<SeedStep>,
    last_seed_step: Option<u32>,
    cascade: Vec<CascadeEntry>,
    max_hops: u32,
}

/// What reading did to one user, computed in parallel and applied in order.
struct ReadOutcome {
    user: u32,
    copies: u32,
    convinced_by: u32,
    first_post: u32,
    spread_after: Option<u32>,
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
    let mut run = Run::new(pop, scn, params, replicate);
    let mut records = Vec::with_capacity(scn.steps as usize);
    for t in 0..scn.steps {
        if run.is_quiet(t) {
            // Nothing can happen any more: the rest of the horizon repeats this state.
            let mut r = records
                .last()
                .copied()
                .unwrap_or_else(|| run.state.record(t));
            for s in t..scn.steps {
                r.step = s;
                r.new_reached = 0;
                r.deliveries = 0;
                r.posts = 0;
                records.push(r);
                on_step();
            }
            break;
        }
        records.push(run.step(t));
        on_step();
    }
    RunOutput {
        records,
        cascade: run.cascade,
    }
}

impl<'a> Run<'a> {
    fn new(pop: &'a Population, scn: &'a Scenario, params: &'a Params, replicate: u32) -> Run<'a> {
        let seed = scn.config.simulation.seed;
        let mut run = Run {
            pop,
            scn,
            params,
            seed,
            run: replicate as u64,
            state: State::new(pop.n_users()),
            posts: Vec::new(),
            pending: Vec::new(),
            agenda: vec![Vec::new(); scn.steps as usize],
            outstanding: 0,
            seeds: Vec::new(),
            last_seed_step: None,
            cascade: Vec::new(),
            max_hops: 0,
        };
        run.place_seeds();
        run
    }

    /// Chooses this replicate's seed users and chats.
    fn place_seeds(&mut self) {
        let (pop, scn) = (self.pop, self.scn);
        let mut by_step: std::collections::BTreeMap<u32, SeedStep> = Default::default();
        for (i, sc) in scn.config.seeds.iter().enumerate() {
            let step = scn.step_of(sc.at);
            let camp = sc
                .camp
                .as_ref()
                .and_then(|n| pop.camp_names.iter().position(|c| c == n))
                .map(|c| c as u8);
            let mut r = rng::stream(self.seed, self.run, i as u64, 0, Purpose::Seeding);
            let entry = by_step.entry(step).or_default();
            if let Some(ids) = &sc.ids {
                entry
                    .users
                    .extend(resolve_ids(pop, ids).unwrap_or_default());
            } else if let Some(count) = sc.users {
                let eligible: Vec<u32> = match camp {
                    None => Vec::new(), // all users: sampled without listing them
                    Some(c) => (0..pop.n_users() as u32)
                        .filter(|&u| pop.users.camp[u as usize] == c)
                        .collect(),
                };
                let total = if camp.is_some() {
                    eligible.len()
                } else {
                    pop.n_users()
                };
                for k in sample_distinct(total, count as usize, &mut r) {
                    entry.users.push(if camp.is_some() {
                        eligible[k]
                    } else {
                        k as u32
                    });
                }
            } else if let (Some(count), Some(kind)) = (sc.chats, sc.kind) {
                let eligible: Vec<u32> = (0..pop.n_chats() as u32)
                    .filter(|&c| {
                        pop.chats.kind[c as usize] == kind
                            && camp.is_none_or(|cc| pop.chats.camp[c as usize] == cc)
                            && pop.chats.members.row_len(c as usize) >= 2
                    })
                    .collect();
                for k in sample_distinct(eligible.len(), count as usize, &mut r) {
                    let chat = eligible[k];
                    let owner = pop.chats.owner[chat as usize];
                    let members = pop.chats.members.row(chat as usize);
                    let poster = if owner != crate::population::NO_OWNER {
                        owner
                    } else {
                        members[r.random_range(0..members.len())]
                    };
                    entry.chats.push((chat, poster));
                }
            }
        }
        self.last_seed_step = by_step.keys().next_back().copied();
        let steps = self.scn.steps as usize;
        self.seeds = (0..steps).map(|_| SeedStep::default()).collect();
        for (s, e) in by_step {
            self.seeds[s as usize] = e;
        }
    }

    /// True when nothing is pending, scheduled or still to be seeded.
    fn is_quiet(&self, t: u32) -> bool {
        self.pending.is_empty()
            && self.outstanding == 0
            && self.last_seed_step.is_none_or(|s| s < t)
    }

    /// Makes `u` a seed: a reached, convinced root of the cascade.
    fn become_seed(&mut self, u: u32, t: u32, role: Role) {
        if self.state.mark_reached(u) {
            self.cascade.push(CascadeEntry {
                user: u,
                parent: None,
                hops: 0,
                step: t,
                chat: None,
            });
        }
        self.state.mark_read(u);
        if self.state.belief[u as usize] != Belief::Believer {
            self.state.set_belief(u, Belief::Believer);
        }
        if self.state.role[u as usize] == Role::None && role != Role::None {
            self.state.set_role(u, role);
        }
    }

    fn step(&mut self, t: u32) -> StepRecord {
        let first_post = self.posts.len();
        self.post(t);
        let (new_copies, deliveries) = self.deliver(t, first_post);
        let new_reached = self.mark_reach(t, &new_copies);
        self.read(t, new_copies);
        let mut r = self.state.record(t);
        r.new_reached = new_reached;
        r.deliveries = deliveries;
        r.posts = (self.posts.len() - first_post) as u64;
        r.max_hops = self.max_hops;
        r
    }

    /// Phase 1: due spreaders and seeds post.
    fn post(&mut self, t: u32) {
        let seeds = std::mem::take(&mut self.seeds[t as usize]);
        let mut due = std::mem::take(&mut self.agenda[t as usize]);
        self.outstanding -= due.len() as u64;
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
        let st = &self.state;
        due.retain(|&u| {
            st.role[u as usize] == Role::Spreader && st.flags[u as usize] & flag::BANNED == 0
        });

        let (pop, params, posts) = (self.pop, self.params, &self.posts);
        let (seed, run) = (self.seed, self.run);
        let source = |u: u32| {
            let s = st.source_post[u as usize];
            (s != NO_POST).then(|| posts[s as usize])
        };
        let chosen: Vec<Post> = due
            .par_iter()
            .with_min_len(PAR_MIN / 8)
            .flat_map_iter(|&u| {
                let src = source(u);
                let hop = src.map_or(0, |p| p.hop + 1);
                let labelled = params.label_hops > 0 && hop >= params.label_hops;
                // An original post is not a forward; a forward of a labelled copy gets
                // the labelled limit.
                let limit = match src {
                    None => u32::MAX,
                    Some(p) if p.labelled => params.labelled_limit,
                    Some(_) => params.forward_limit,
                };
                let mut r = rng::stream(seed, run, t as u64, u as u64, Purpose::ChatChoice);
                let mut out = Vec::new();
                params
                    .chooser
                    .choose(pop, u, src.map(|p| p.chat), limit, &mut r, &mut out);
                out.into_iter().map(move |chat| Post {
                    sender: u,
                    chat,
                    hop,
                    labelled,
                })
            })
            .collect();
        self.posts.extend(chosen);
        for &(chat, poster) in &seeds.chats {
            self.become_seed(poster, t, Role::None);
            self.posts.push(Post {
                sender: poster,
                chat,
                hop: 0,
                labelled: false,
            });
        }
        // Book-keeping of the share action itself.
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
                self.schedule(u, at);
            }
        }
    }

    fn schedule(&mut self, u: u32, at: u64) {
        if at < self.agenda.len() as u64 {
            self.agenda[at as usize].push(u);
            self.outstanding += 1;
        }
    }

    /// Phase 2: copies to every member but the sender; stifling of senders.
    /// Returns the new copies, sorted by (user, post), and the number delivered.
    fn deliver(&mut self, t: u32, first_post: usize) -> (Vec<(u32, u32)>, u64) {
        let (pop, st) = (self.pop, &self.state);
        let new_posts = &self.posts[first_post..];
        // Per post: copies kept, recipients, recipients who had already read the rumor.
        let per_post: Vec<Delivered> = new_posts
            .par_iter()
            .enumerate()
            .with_min_len(64)
            .map(|(i, p)| {
                let pid = (first_post + i) as u32;
                let mut copies = Vec::new();
                let (mut recipients, mut knew) = (0u32, 0u32);
                for &m in pop.chats.members.row(p.chat as usize) {
                    if m == p.sender {
                        continue;
                    }
                    recipients += 1;
                    let f = st.flags[m as usize];
                    knew += (f & flag::READ != 0) as u32;
                    let open = matches!(
                        st.belief[m as usize],
                        Belief::Unaware | Belief::Exposed | Belief::Rejecter
                    );
                    if open || f & flag::REACHED == 0 {
                        copies.push((m, pid));
                    }
                }
                (copies, recipients, knew)
            })
            .collect();
        let mut new_copies = Vec::with_capacity(per_post.iter().map(|p| p.0.len()).sum());
        let mut deliveries = 0u64;
        // Stifling: one decision per sender, on the share of its recipients who knew.
        let mut i = 0;
        while i < per_post.len() {
            let sender = new_posts[i].sender;
            let (mut rec, mut knew) = (0u64, 0u64);
            while i < per_post.len() && new_posts[i].sender == sender {
                let (copies, r, k) = &per_post[i];
                new_copies.extend_from_slice(copies);
                if *r > 0 {
                    self.max_hops = self.max_hops.max(new_posts[i].hop);
                }
                rec += *r as u64;
                knew += *k as u64;
                i += 1;
            }
            deliveries += rec;
            if knew > 0
                && self.params.stifling > 0.0
                && self.state.role[sender as usize] == Role::Spreader
            {
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
            new_copies.par_sort_unstable();
        } else {
            new_copies.sort_unstable();
        }
        (new_copies, deliveries)
    }

    /// Extends the cascade with users reached for the first time (their earliest post
    /// this step is their first copy). Returns how many.
    fn mark_reach(&mut self, t: u32, new_copies: &[(u32, u32)]) -> u64 {
        let mut count = 0;
        let mut last = u32::MAX;
        for &(u, pid) in new_copies {
            if u == last {
                continue;
            }
            last = u;
            if self.state.mark_reached(u) {
                let p = self.posts[pid as usize];
                self.cascade.push(CascadeEntry {
                    user: u,
                    parent: Some(p.sender),
                    hops: p.hop,
                    step: t,
                    chat: Some(p.chat),
                });
                count += 1;
            }
        }
        count
    }

    /// Phase 3: users with unread copies read them (or keep them for later).
    fn read(&mut self, t: u32, new_copies: Vec<(u32, u32)>) {
        let old = std::mem::take(&mut self.pending);
        let mut merged = merge_sorted(old, new_copies);
        // Copies to users whose mind is made up are dropped, not read.
        let st = &self.state;
        merged
            .retain(|&(u, _)| matches!(st.belief[u as usize], Belief::Exposed | Belief::Rejecter));
        let rhythm = self.scn.rhythm_at(t) as f64;
        let (pop, params, posts) = (self.pop, self.params, &self.posts);
        let (seed, run) = (self.seed, self.run);
        let decide = |group: &[(u32, u32)]| -> Option<ReadOutcome> {
            let u = group[0].0;
            let p_read = pop.users.activity[u as usize] as f64 * rhythm;
            if rng::uniform(seed, run, t as u64, u as u64, Purpose::Reading) >= p_read {
                return None;
            }
            let mut rb = rng::stream(seed, run, t as u64, u as u64, Purpose::Belief);
            let prior = st.copies_read[u as usize] as u32;
            let mut convinced_by = NO_POST;
            for (i, &(_, pid)) in group.iter().enumerate() {
                let post = &posts[pid as usize];
                let p =
                    params
                        .belief
                        .probability(pop, u, post.chat, post.labelled, prior + i as u32);
                if rb.random::<f64>() < p {
                    convinced_by = pid;
                    break;
                }
            }
            let was = st.belief[u as usize];
            let p_share = if convinced_by != NO_POST {
                params.p_share_believer
            } else if was == Belief::Exposed {
                params.p_share_rejecter
            } else {
                0.0
            };
            let mut spread_after = None;
            if p_share > 0.0 && st.role[u as usize] == Role::None {
                let mut rs = rng::stream(seed, run, t as u64, u as u64, Purpose::Sharing);
                if rs.random::<f64>() < p_share {
                    spread_after = Some(params.wait(params.delay_steps, &mut rs));
                }
            }
            Some(ReadOutcome {
                user: u,
                copies: group.len() as u32,
                convinced_by,
                first_post: group[0].1,
                spread_after,
            })
        };
        let outcomes: Vec<Option<ReadOutcome>> = if merged.len() >= PAR_MIN {
            merged.par_chunk_by(|a, b| a.0 == b.0).map(decide).collect()
        } else {
            merged.chunk_by(|a, b| a.0 == b.0).map(decide).collect()
        };
        let mut keep = Vec::with_capacity(merged.len() / 2);
        for (group, outcome) in merged.chunk_by(|a, b| a.0 == b.0).zip(outcomes) {
            match outcome {
                None => keep.extend_from_slice(group),
                Some(o) => self.apply(t, o),
            }
        }
        self.pending = keep;
    }

    fn apply(&mut self, t: u32, o: ReadOutcome) {
        let u = o.user;
        let s = &mut self.state;
        s.mark_read(u);
        s.copies_read[u as usize] =
            s.copies_read[u as usize].saturating_add(o.copies.min(u16::MAX as u32) as u16);
        if o.convinced_by != NO_POST {
            s.set_belief(u, Belief::Believer);
            s.source_post[u as usize] = o.convinced_by;
        } else if s.belief[u as usize] == Belief::Exposed {
            s.set_belief(u, Belief::Rejecter);
        }
        if let Some(wait) = o.spread_after {
            s.set_role(u, Role::Spreader);
            s.shares_left[u as usize] = self.params.actions;
            if s.source_post[u as usize] == NO_POST {
                s.source_post[u as usize] = o.first_post;
            }
            self.schedule(u, t as u64 + wait as u64);
        }
    }
}

/// Dense ids of the users named in a seed's `ids`: imported labels where the
/// population has them, else dense ids. Errors name the first unknown id.
pub fn resolve_ids(pop: &Population, ids: &[String]) -> Result<Vec<u32>, String> {
    ids.iter()
        .map(|id| {
            let found = match &pop.user_labels {
                Some(labels) => labels.iter().position(|l| l == id).map(|i| i as u32),
                None => id
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|&u| (u as usize) < pop.n_users()),
            };
            found.ok_or_else(|| format!("user \"{id}\" is not in the population"))
        })
        .collect()
}

/// Merges two sorted vectors of distinct items.
fn merge_sorted(a: Vec<(u32, u32)>, b: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    if a.is_empty() {
        return b;
    }
    if b.is_empty() {
        return a;
    }
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] <= b[j] {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// `count` distinct indices from `0..total` (all of them, shuffled, if count >= total).
fn sample_distinct(total: usize, count: usize, r: &mut rng::Rng) -> Vec<usize> {
    if count * 2 >= total {
        let mut all: Vec<usize> = (0..total).collect();
        for i in 0..count.min(total) {
            let j = r.random_range(i..total);
            all.swap(i, j);
        }
        all.truncate(count.min(total));
        all
    } else {
        let mut seen = std::collections::HashSet::with_capacity(count);
        let mut out = Vec::with_capacity(count);
        while out.len() < count {
            let k = r.random_range(0..total);
            if seen.insert(k) {
                out.push(k);
            }
        }
        out
    }
}
