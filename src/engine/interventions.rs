//! Interventions at run time: when each fires, and what it does to the run.
//!
//! An intervention fires at the start of the step its `at` time falls in, or at the
//! start of the step after its `when` condition first holds. Its own random draws use
//! `Purpose::Intervention` keyed by the intervention's index, so adding an intervention
//! never shifts another decision's random numbers: a scenario and a variant that
//! differs only by an intervention agree exactly until it first changes something.

use super::seeding::{random_chats, random_users, resolve_ids};
use super::state::{flag, Belief, Role};
use super::{Msg, Post, Run, NO_CHAT, NO_SENDER};
use crate::population::{Population, NO_OWNER};
use crate::record::StepRecord;
use crate::rng::{self, Purpose};
use crate::scenario::{
    Action, BanRule, Condition, CorrectionTarget, Prebunking, Scenario, Trigger,
};
use std::collections::{BTreeMap, HashSet};

/// Salt separating moderation's per-chat draws from other intervention draws.
const MODERATION_SALT: u64 = 0x6D6F64;

/// One planned intervention.
#[derive(Clone)]
struct Planned {
    at_step: Option<u32>,
    condition: Option<Condition>,
    fired: Option<u32>,
    action: Action,
}

/// A moderation that is in force.
#[derive(Clone)]
struct Moderation {
    index: usize,
    share: f64,
    delay_steps: u32,
    kinds: [bool; 7],
}

impl Moderation {
    /// Whether chat `c` has an admin who moderates (keyed per replicate and chat).
    fn selects(&self, pop: &Population, seed: u64, run: u64, c: u32) -> bool {
        self.kinds[pop.chats.kind[c as usize].index()]
            && rng::uniform(
                seed,
                run,
                MODERATION_SALT + self.index as u64,
                c as u64,
                Purpose::Intervention,
            ) < self.share
    }
}

/// A ban that takes effect at a step.
#[derive(Clone, Copy)]
enum Ban {
    /// The `top` heaviest forwarders at that time.
    Top(u32),
    /// One user who crossed the post threshold.
    User(u32),
}

/// Run-time state of all interventions of a replicate.
#[derive(Clone)]
pub struct Interventions {
    planned: Vec<Planned>,
    /// Interventions whose condition held after the last step.
    fire_next: Vec<usize>,
    moderations: Vec<Moderation>,
    /// Chats whose first rumor post has been seen by an active moderation.
    watched: HashSet<u32>,
    /// Chats an admin has cleaned: further rumor posts there are deleted at once.
    closed: HashSet<u32>,
    moderation_events: BTreeMap<u32, Vec<u32>>,
    ban_events: BTreeMap<u32, Vec<Ban>>,
    /// (post threshold, detection delay in steps) of a `min_posts` ban in force.
    min_posts: Option<(u32, u32)>,
    step_minutes: f64,
}

impl Interventions {
    /// The interventions of a scenario, none fired yet.
    pub fn new(scn: &Scenario) -> Interventions {
        let planned = scn
            .interventions
            .iter()
            .map(|iv| {
                let (at_step, condition) = match &iv.trigger {
                    Trigger::At(d) => (Some(scn.step_of(*d)), None),
                    Trigger::When { condition, .. } => (None, Some(*condition)),
                };
                Planned {
                    at_step,
                    condition,
                    fired: None,
                    action: iv.action.clone(),
                }
            })
            .collect();
        Interventions {
            planned,
            fire_next: Vec::new(),
            moderations: Vec::new(),
            watched: HashSet::new(),
            closed: HashSet::new(),
            moderation_events: BTreeMap::new(),
            ban_events: BTreeMap::new(),
            min_posts: None,
            step_minutes: scn.simulation.step_minutes,
        }
    }

    /// Step at which each intervention fired.
    pub fn fired(&self) -> Vec<Option<u32>> {
        self.planned.iter().map(|p| p.fired).collect()
    }

    /// Evaluates trigger conditions after a step.
    pub fn observe(&mut self, r: &StepRecord, users: u64) {
        for (i, p) in self.planned.iter().enumerate() {
            if p.fired.is_none()
                && p.condition.is_some_and(|c| c.holds(r, users))
                && !self.fire_next.contains(&i)
            {
                self.fire_next.push(i);
            }
        }
    }

    /// True when nothing is left to fire or take effect at or after step `t`.
    pub fn is_quiet(&self, t: u32) -> bool {
        self.fire_next.is_empty()
            && self.moderation_events.is_empty()
            && self.ban_events.is_empty()
            && !self
                .planned
                .iter()
                .any(|p| p.fired.is_none() && p.at_step.is_some_and(|s| s >= t))
    }

    /// Whether rumor posts into chat `c` are deleted by its admin.
    pub fn blocks(&self, c: u32) -> bool {
        // Checked for every post: the common case (nothing closed) must not hash.
        !self.closed.is_empty() && c != NO_CHAT && self.closed.contains(&c)
    }

    /// Whether rumor posts must go through [`Interventions::blocks`] and
    /// [`Interventions::rumor_posted`] (a moderation is in force or a chat is closed).
    pub fn watches_posts(&self) -> bool {
        !self.moderations.is_empty() || !self.closed.is_empty()
    }

    /// Notes a rumor post into chat `c`: a moderated chat is cleaned a delay later.
    pub fn rumor_posted(&mut self, pop: &Population, seed: u64, run: u64, c: u32, t: u32) {
        if c == NO_CHAT || self.moderations.is_empty() || self.watched.contains(&c) {
            return;
        }
        if let Some(m) = self
            .moderations
            .iter()
            .find(|m| m.selects(pop, seed, run, c))
        {
            self.watched.insert(c);
            self.moderation_events
                .entry(t + m.delay_steps)
                .or_default()
                .push(c);
        }
    }

    /// Notes that user `u`'s rumor posts went from `before` to `after` in one action.
    pub fn user_posted(&mut self, u: u32, before: u16, after: u16, t: u32) {
        if let Some((threshold, delay)) = self.min_posts {
            if (before as u32) < threshold && threshold <= after as u32 {
                self.ban_events
                    .entry(t + delay)
                    .or_default()
                    .push(Ban::User(u));
            }
        }
    }

    fn steps(&self, d: crate::duration::Duration) -> u32 {
        (d.minutes() / self.step_minutes).round() as u32
    }
}

/// Phase 0 of a step: fires interventions due at `t` and applies scheduled events.
pub(crate) fn act(run: &mut Run, t: u32) {
    let mut due: Vec<usize> = std::mem::take(&mut run.interventions.fire_next);
    for (i, p) in run.interventions.planned.iter().enumerate() {
        if p.fired.is_none() && p.at_step == Some(t) {
            due.push(i);
        }
    }
    due.sort_unstable();
    due.dedup();
    for i in due {
        if run.interventions.planned[i].fired.is_none() {
            run.interventions.planned[i].fired = Some(t);
            let action = run.interventions.planned[i].action.clone();
            fire(run, i, &action, t);
        }
    }
    if let Some(chats) = run.interventions.moderation_events.remove(&t) {
        moderate(run, &chats, t);
    }
    if let Some(bans) = run.interventions.ban_events.remove(&t) {
        for b in bans {
            ban(run, b);
        }
    }
}

fn fire(run: &mut Run, index: usize, action: &Action, t: u32) {
    let (seed, r) = (run.seed, run.run);
    let key = |agent: u64| rng::stream(seed, r, 1000 + index as u64, agent, Purpose::Intervention);
    match action {
        Action::ForwardLimit {
            limit,
            labelled_limit,
        } => {
            run.rules.forward_limit = limit.get();
            // Labelled copies are never allowed more chats than unlabelled ones.
            run.rules.labelled_limit = run.rules.labelled_limit.min(limit.get());
            if let Some(l) = labelled_limit {
                run.rules.labelled_limit = l.get();
            }
        }
        Action::Label {
            hops,
            penalty,
            forward_limit,
        } => {
            run.rules.label_hops = *hops;
            if let Some(p) = penalty {
                run.rules.label_penalty = *p;
            }
            run.rules.labelled_limit = forward_limit.get();
        }
        Action::FactCheck { target } => {
            let pop = run.pop;
            let mut rng = key(0);
            let checkers: Vec<u32> = match target {
                &CorrectionTarget::Users { count, camp } => {
                    random_users(pop, camp, count as usize, &mut rng)
                }
                CorrectionTarget::Ids(ids) => resolve_ids(pop, ids).unwrap_or_default(),
                CorrectionTarget::Subscribers { .. } | CorrectionTarget::Chats { .. } => Vec::new(),
            };
            for u in checkers {
                start_correction(run, u);
                run.set_corr_source(u, super::state::NO_POST);
                run.schedule(u, t as u64, Msg::Correction);
            }
            if let &CorrectionTarget::Subscribers { count, camp } = target {
                let to = random_users(pop, camp, count as usize, &mut rng);
                let pid = run.add_post(Post::original(pop, NO_SENDER, NO_CHAT, Msg::Correction));
                run.direct.push((pid, to));
            }
            if let &CorrectionTarget::Chats { count, kind, camp } = target {
                for (chat, poster) in random_chats(pop, kind, camp, count as usize, &mut rng) {
                    start_correction(run, poster);
                    run.add_post(Post::original(pop, poster, chat, Msg::Correction));
                }
            }
        }
        Action::Moderation {
            share,
            delay,
            kinds: moderated,
        } => {
            let mut kinds = [false; 7];
            for k in moderated {
                kinds[k.index()] = true;
            }
            let delay_steps = run.interventions.steps(*delay);
            run.interventions.moderations.push(Moderation {
                index,
                share: *share,
                delay_steps,
                kinds,
            });
            // Groups where the rumor already circulates are cleaned a delay from now.
            let chats: Vec<u32> = run
                .posts
                .iter()
                .filter(|p| p.msg == Msg::Rumor && p.chat != NO_CHAT)
                .map(|p| p.chat)
                .collect();
            for c in chats {
                run.interventions.rumor_posted(run.pop, seed, r, c, t);
            }
        }
        Action::Ban { delay, rule } => {
            let d = run.interventions.steps(*delay);
            match *rule {
                BanRule::Top(k) => run
                    .interventions
                    .ban_events
                    .entry(t + d)
                    .or_default()
                    .push(Ban::Top(k)),
                BanRule::MinPosts(x) => {
                    run.interventions.min_posts = Some((x, d));
                    for &u in &run.posters {
                        if run.state.posts_made[u as usize] as u32 >= x {
                            run.interventions
                                .ban_events
                                .entry(t + d)
                                .or_default()
                                .push(Ban::User(u));
                        }
                    }
                }
            }
        }
        Action::Response {
            ids,
            acceptance,
            efficacy,
            public_damping,
        } => {
            run.response_effect = (*acceptance, *efficacy);
            let sources: Vec<u32> = match ids {
                Some(ids) => resolve_ids(run.pop, ids).unwrap_or_default(),
                None => complaint_sources(run, t),
            };
            for u in sources {
                // The source stops, and the answer goes to every chat it can post in.
                run.state.flags[u as usize] |= flag::BANNED;
                if run.state.role[u as usize] == Role::Spreader {
                    run.state.set_role(u, Role::Stifler);
                    run.state.shares_left[u as usize] = 0;
                }
                run.state.mark_corr_read(u);
                let pop = run.pop;
                for &c in pop.user_chats.row(u as usize) {
                    if pop.may_post(u, c) && pop.chats.members.row_len(c as usize) >= 2 {
                        run.add_post(Post::original(pop, u, c, Msg::Response));
                    }
                }
                if pop.users.followers[u as usize] > 0 {
                    if let Some(public) = run.public.as_mut() {
                        public.damp(*public_damping);
                    }
                }
            }
        }
        &Action::Prebunk {
            share,
            strength,
            camp,
        } => {
            // The legacy boost: one applies to every prebunked user, the largest fired.
            // An effect: each prebunked user keeps the largest of the effects that
            // reached them, as an index into the effects fired (0: none).
            let effect = match strength {
                Prebunking::Boost(boost) => {
                    run.rules.prebunk_boost = run.rules.prebunk_boost.max(boost as f32);
                    None
                }
                Prebunking::Effect(e) => {
                    run.prebunk_effects.push(e);
                    if run.state.prebunk.is_empty() {
                        run.state.prebunk = vec![0; run.pop.n_users()];
                    }
                    Some((e, run.prebunk_effects.len() as u8))
                }
            };
            for u in 0..run.pop.n_users() as u32 {
                if camp.is_none_or(|c| run.pop.users.camp[u as usize] == c)
                    && rng::uniform(
                        seed,
                        r,
                        1000 + index as u64,
                        u as u64,
                        Purpose::Intervention,
                    ) < share
                {
                    run.state.flags[u as usize] |= flag::PREBUNKED;
                    if let Some((e, mark)) = effect {
                        let held = &mut run.state.prebunk[u as usize];
                        if *held == 0 || run.prebunk_effects[*held as usize - 1] < e {
                            *held = mark;
                        }
                    }
                }
            }
        }
    }
}

/// The users a complaint came from: the cascade's roots so far and the seeds due by
/// step `t`.
fn complaint_sources(run: &Run, t: u32) -> Vec<u32> {
    let mut out: Vec<u32> = run
        .cascade
        .iter()
        .filter(|e| e.parent.is_none())
        .map(|e| e.user)
        .collect();
    for s in run.seeds.iter().take(t as usize + 1) {
        out.extend(&s.users);
        out.extend(s.chats.iter().map(|&(_, poster)| poster));
        out.extend(s.direct.iter().map(|(account, _)| *account));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// A user who posts the correction knows it, and is immune unless they believe.
fn start_correction(run: &mut Run, u: u32) {
    run.state.mark_corr_read(u);
    if matches!(
        run.state.belief[u as usize],
        Belief::Unaware | Belief::Exposed | Belief::Rejecter
    ) {
        run.state.set_belief(u, Belief::Immune);
    }
}

/// Admins of `chats` delete the rumor's unread copies there, block further copies and
/// post the correction.
fn moderate(run: &mut Run, chats: &[u32], t: u32) {
    let set: HashSet<u32> = chats.iter().copied().collect();
    let posts = &run.posts;
    for inbox in &mut run.inbox[t as usize..] {
        let before = inbox.len();
        inbox.retain(|c| {
            let p = &posts[c.post as usize];
            !(p.msg == Msg::Rumor && set.contains(&p.chat))
        });
        run.unread -= (before - inbox.len()) as u64;
    }
    for &c in chats {
        run.interventions.closed.insert(c);
        let owner = run.pop.chats.owner[c as usize];
        let admin = if owner != NO_OWNER {
            owner
        } else {
            run.pop.chats.members.row(c as usize)[0]
        };
        start_correction(run, admin);
        run.add_post(Post::original(run.pop, admin, c, Msg::Correction));
    }
    let _ = t;
}

fn ban(run: &mut Run, b: Ban) {
    let targets: Vec<u32> = match b {
        Ban::User(u) => vec![u],
        Ban::Top(k) => {
            let mut ranked = run.posters.clone();
            let made = &run.state.posts_made;
            ranked.sort_by_key(|&u| (std::cmp::Reverse(made[u as usize]), u));
            ranked.truncate(k as usize);
            ranked
        }
    };
    for u in targets {
        run.state.flags[u as usize] |= flag::BANNED;
        if run.state.role[u as usize] == Role::Spreader {
            run.state.set_role(u, Role::Stifler);
            run.state.shares_left[u as usize] = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    //! Each intervention moves the outcome in the expected direction on a small
    //! population, and does nothing when it never fires. Variants share the base's
    //! seed, so differences are paired (common random numbers).
    use crate::engine::RunOutput;
    use crate::population::generate;
    use crate::scenario::Scenario;
    use crate::simulation;

    const BASE: &str = r#"
        [simulation]
        seed = 11
        horizon = "2d"
        replicates = 6
        [population]
        users = 3000
        camps = [{ name = "a", share = 0.5 }, { name = "b", share = 0.5 }]
        activity = { dist = "beta", alpha = 3, beta = 5 }
        [platform]
        forward_limit = "unlimited"
        [rumor]
        appeal = 0.4
        [sharing]
        believer = 0.5
        delay = "30m"
        [[seeds]]
        chats = 4
        kind = "political"
    "#;

    fn outputs(extra: &str) -> Vec<RunOutput> {
        outputs_of(BASE, extra)
    }

    fn outputs_of(base: &str, extra: &str) -> Vec<RunOutput> {
        let scn = Scenario::from_toml_str(&format!("{base}\n{extra}"), "t").unwrap();
        let pop = generate(&scn);
        simulation::simulate(&pop, &scn, scn.simulation.replicates, 2, &|| {}).runs
    }

    fn total(runs: &[RunOutput], f: impl Fn(&crate::record::StepRecord) -> u64) -> u64 {
        runs.iter().map(|r| f(r.records.last().unwrap())).sum()
    }

    /// Sum over replicates of the step at which reach first passed half its final value.
    fn half_time(runs: &[RunOutput]) -> u64 {
        runs.iter()
            .map(|r| {
                let fin = r.records.last().unwrap().reached;
                r.records.iter().position(|x| 2 * x.reached >= fin).unwrap() as u64
            })
            .sum()
    }

    /// Posts are counted once per share action, so a threshold can be crossed (not just
    /// reached) within one action; either way the user is banned once.
    #[test]
    fn min_posts_bans_once_when_the_threshold_is_reached_or_crossed() {
        let scn = Scenario::from_toml_str(BASE, "t").unwrap();
        let mut iv = super::Interventions::new(&scn);
        iv.min_posts = Some((3, 2));
        iv.user_posted(7, 0, 2, 5); // below
        iv.user_posted(8, 1, 4, 5); // crossed within one action
        iv.user_posted(9, 3, 5, 5); // already past
        iv.user_posted(10, 2, 3, 6); // reached exactly
        let events: Vec<(u32, usize)> = iv.ban_events.iter().map(|(&s, b)| (s, b.len())).collect();
        assert_eq!(events, [(7, 1), (8, 1)]);
    }

    /// On a hand-built population (two groups joined by user 2, seeded at user 0), 3 of
    /// 5 users are reached after step 0 and all 5 after step 1: a `reach > 50%`
    /// condition fires at the start of step 1, a `reach > 90%` one at the start of step
    /// 2, each once; an `at` intervention fires in the step its time falls in.
    #[test]
    fn conditions_fire_at_the_start_of_the_next_step() {
        use super::super::testkit::World;
        use crate::scenario::{ChatKind, SeedTarget};
        let chats: [(ChatKind, &[u32]); 2] = [
            (ChatKind::Friends, &[0, 1, 2]),
            (ChatKind::Friends, &[2, 3, 4]),
        ];
        let mut w = World::with(
            "[[interventions]]\nkind = \"forward_limit\"\nwhen = \"reach > 50%\"\nlimit = 1\n\
             [[interventions]]\nkind = \"forward_limit\"\nwhen = \"reach > 90%\"\nlimit = 1\n\
             [[interventions]]\nkind = \"label\"\nat = \"20m\"\nhops = 1\n",
            5,
            &chats,
        );
        w.seed(0.0, SeedTarget::Ids(vec!["0".into()]));
        let out = crate::engine::run_replicate(&w.pop, &w.scn, &w.params, 0, &|| {});
        assert_eq!((out.records[0].reached, out.records[1].reached), (3, 5));
        assert_eq!(out.fired, [Some(1), Some(2), Some(2)]);
    }

    /// Prebunking by effect on a hand-built population of four: a prebunk of 0.3 on
    /// everyone at step 0 and one of 0.8 on camp b (users 2 and 3) at step 1 (both with
    /// share 1): users 0 and 1 keep 0.3, users 2 and 3 the larger 0.8; a third, weaker
    /// prebunk (0.1) on everyone changes nobody's. The legacy boost stays untouched.
    #[test]
    fn each_prebunked_user_keeps_the_largest_effect() {
        use super::super::testkit::World;
        use crate::scenario::ChatKind;
        let mut w = World::with(
            "[population]\ncamps = [{ name = \"a\", share = 0.5 }, { name = \"b\", share = 0.5 }]\n\
             [[interventions]]\nkind = \"prebunk\"\nat = \"0m\"\nshare = 1.0\neffect = 0.3\n\
             [[interventions]]\nkind = \"prebunk\"\nat = \"10m\"\nshare = 1.0\neffect = 0.8\ncamp = \"b\"\n\
             [[interventions]]\nkind = \"prebunk\"\nat = \"20m\"\nshare = 1.0\n",
            4,
            &[(ChatKind::Family, &[0, 1, 2, 3])],
        );
        w.pop.camp_names = vec!["a".into(), "b".into()];
        w.pop.users.camp[2..].fill(1);
        w.scn.interventions[2].action = crate::scenario::Action::Prebunk {
            share: 1.0,
            strength: crate::scenario::Prebunking::Effect(0.1),
            camp: None,
        };
        let mut run = w.run();
        for t in 0..3 {
            super::act(&mut run, t);
        }
        assert_eq!(run.prebunk_effects, [0.3, 0.8, 0.1]);
        assert_eq!(run.state.prebunk, [1, 1, 2, 2]);
        assert!((0..4).all(|u| run.state.has(u, super::flag::PREBUNKED)));
        assert_eq!(run.rules.prebunk_boost, 0.0);
    }

    #[test]
    fn never_firing_interventions_change_nothing() {
        let base = outputs("");
        let never = outputs(
            "[[interventions]]\nkind = \"fact_check\"\nwhen = \"reach > 99.9%\"\nsubscribers = 100\n\
             [[interventions]]\nkind = \"ban\"\nwhen = \"believers > 1000000\"\ndelay = \"1h\"\ntop = 10\n\
             [[interventions]]\nkind = \"forward_limit\"\nwhen = \"spreaders > 1000000\"\nlimit = 1\n",
        );
        for (a, b) in base.iter().zip(&never) {
            assert_eq!(a.records, b.records);
            assert_eq!(a.cascade, b.cascade);
        }
        assert!(never.iter().all(|r| r.fired.iter().all(Option::is_none)));
    }

    #[test]
    fn identical_until_the_intervention_fires() {
        let base = outputs("");
        let variant =
            outputs("[[interventions]]\nkind = \"fact_check\"\nat = \"12h\"\nsubscribers = 500\n");
        for (a, b) in base.iter().zip(&variant) {
            let fired = b.fired[0].unwrap() as usize;
            assert_eq!(fired, 72);
            assert_eq!(a.records[..fired], b.records[..fired]);
            assert_ne!(a.records[fired..], b.records[fired..]);
        }
    }

    #[test]
    fn stricter_forward_limit_slows_the_spread() {
        let base = outputs("");
        let strict =
            outputs("[[interventions]]\nkind = \"forward_limit\"\nat = \"0h\"\nlimit = 1\n");
        assert!(
            half_time(&strict) > half_time(&base),
            "{} vs {}",
            half_time(&strict),
            half_time(&base)
        );
        assert!(total(&strict, |r| r.reached) < total(&base, |r| r.reached));
    }

    #[test]
    fn label_lowers_belief() {
        let base = outputs("");
        let labelled =
            outputs("[[interventions]]\nkind = \"label\"\nat = \"0h\"\nhops = 1\npenalty = 3.0\n");
        assert!(total(&labelled, |r| r.believers) < total(&base, |r| r.believers));
    }

    #[test]
    fn fact_check_corrects_and_immunises() {
        let base = outputs("");
        let fc =
            outputs("[[interventions]]\nkind = \"fact_check\"\nat = \"3h\"\nsubscribers = 1500\n");
        assert!(total(&fc, |r| r.believers) < total(&base, |r| r.believers));
        assert!(total(&fc, |r| r.immune) > 0 && total(&fc, |r| r.corrected) > 0);
        assert!(total(&fc, |r| r.correction_reached) >= 1500);
        assert_eq!(total(&base, |r| r.correction_reached), 0);
        let earlier =
            outputs("[[interventions]]\nkind = \"fact_check\"\nat = \"1h\"\nsubscribers = 1500\n");
        assert!(
            total(&earlier, |r| r.believers) < total(&fc, |r| r.believers),
            "earlier fact-check, fewer believers"
        );
    }

    #[test]
    fn moderation_cuts_reach() {
        let base = outputs("");
        let m = outputs(
            "[[interventions]]\nkind = \"moderation\"\nat = \"0h\"\nshare = 1.0\ndelay = \"20m\"\n",
        );
        assert!(total(&m, |r| r.reached) < total(&base, |r| r.reached));
        assert!(total(&m, |r| r.correction_reached) > 0);
    }

    #[test]
    fn bans_cut_posts() {
        // Spreaders who share several times, so stopping them matters.
        let repeat = BASE.replace("delay = \"30m\"", "delay = \"30m\"\nactions = 4");
        let outputs = |extra: &str| outputs_of(&repeat, extra);
        let base = outputs("");
        let banned = outputs(
            "[[interventions]]\nkind = \"ban\"\nat = \"1h\"\ndelay = \"0m\"\nmin_posts = 1\n",
        );
        let posts = |runs: &[RunOutput]| {
            runs.iter()
                .flat_map(|r| r.records.iter().map(|x| x.posts))
                .sum::<u64>()
        };
        assert!(posts(&banned) < posts(&base));
        let top =
            outputs("[[interventions]]\nkind = \"ban\"\nat = \"2h\"\ndelay = \"30m\"\ntop = 50\n");
        assert!(posts(&top) < posts(&base));
    }

    #[test]
    fn prebunking_lowers_belief() {
        let base = outputs("");
        let pre = outputs(
            "[[interventions]]\nkind = \"prebunk\"\nat = \"0h\"\nshare = 0.8\nboost = 0.4\n",
        );
        assert!(total(&pre, |r| r.believers) < total(&base, |r| r.believers));
        let camp_b = outputs("[[interventions]]\nkind = \"prebunk\"\nat = \"0h\"\nshare = 1.0\nboost = 0.4\ncamp = \"b\"\n");
        let believers_of = |runs: &[RunOutput], c: usize| {
            runs.iter()
                .map(|r| r.camp_records.last().unwrap()[c].believers)
                .sum::<u64>()
        };
        assert!(believers_of(&camp_b, 1) < believers_of(&base, 1));
    }
}
