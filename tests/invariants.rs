//! Property tests of the engine through the library API: on small random scenarios
//! (50-800 users, random chat mixes, belief and sharing parameters, forward limits,
//! seeds, horizons and step lengths), every step record and every cascade obeys the
//! accounting identities of `metrics::record`.
//!
//! Generators are size-limited so 32 cases run in a few seconds. Failure persistence
//! is off: a failing case is printed shrunk, and belongs in a named regression test.

use grapevine::engine::{Params, Replicate, RunOutput};
use grapevine::metrics::StepRecord;
use grapevine::population::{self, Population};
use grapevine::scenario::Scenario;
use grapevine::simulation;
use proptest::prelude::*;
use proptest::test_runner::Config;
use std::collections::HashSet;

/// Chat kinds with the range of `per_user` each may get.
const KINDS: [(&str, f64); 7] = [
    ("family", 3.0),
    ("friends", 3.0),
    ("work", 2.0),
    ("community", 2.0),
    ("political", 1.0),
    ("broadcast", 1.0),
    ("direct", 10.0),
];

/// Camp layouts: names and shares (adding up to 1 exactly).
const CAMPS: [&[(&str, f64)]; 3] = [
    &[("all", 1.0)],
    &[("left", 0.5), ("right", 0.5)],
    &[("left", 0.375), ("right", 0.375), ("neutral", 0.25)],
];

/// One random scenario.
#[derive(Clone, Debug)]
struct Case {
    seed: u64,
    users: u64,
    horizon_hours: u32,
    step_minutes: u32,
    replicates: u32,
    camps: usize,
    target_camp: bool,
    /// `per_user` of each kind in [`KINDS`]; `None` leaves the kind out.
    per_user: [Option<f64>; 7],
    appeal: f64,
    virality: f64,
    constant_model: bool,
    probability: f64,
    weights: [f64; 5],
    believer: f64,
    rejecter: f64,
    stifling: f64,
    actions: Option<u32>,
    delay_minutes: u32,
    fixed_delay: bool,
    forward_limit: Option<u32>,
    label_hops: u32,
    labelled_forward_limit: Option<u32>,
    /// (at hours, users or chats, count, kind index)
    seeds: Vec<(u32, bool, u32, usize)>,
}

fn limit(l: Option<u32>) -> String {
    l.map_or_else(|| "\"unlimited\"".to_string(), |n| n.to_string())
}

impl Case {
    fn toml(&self) -> String {
        let mut t = format!(
            "[simulation]\nseed = {}\nstep = \"{}m\"\nhorizon = \"{}h\"\nreplicates = {}\n\n",
            self.seed, self.step_minutes, self.horizon_hours, self.replicates
        );
        let camps = CAMPS[self.camps];
        let camp_list: Vec<String> = camps
            .iter()
            .map(|(n, s)| format!("{{ name = \"{n}\", share = {s} }}"))
            .collect();
        t += &format!(
            "[population]\nusers = {}\ncamps = [{}]\n\n",
            self.users,
            camp_list.join(", ")
        );
        for (k, (name, _)) in KINDS.iter().enumerate() {
            if let Some(p) = self.per_user[k] {
                t += &format!("[population.chats.{name}]\nper_user = {p}\n\n");
            }
        }
        t += &format!(
            "[platform]\nforward_limit = {}\nlabel_hops = {}\nlabelled_forward_limit = {}\n\n",
            limit(self.forward_limit),
            self.label_hops,
            limit(self.labelled_forward_limit)
        );
        t += &format!(
            "[rumor]\nappeal = {}\nvirality = {}\n",
            self.appeal, self.virality
        );
        if self.target_camp {
            t += &format!("target_camp = \"{}\"\n", camps[camps.len() - 1].0);
        }
        let [tw, sw, cw, lp, rw] = self.weights;
        t += &format!(
            "\n[belief]\nmodel = \"{}\"\nprobability = {}\ntrust_weight = {tw}\n\
             skepticism_weight = {sw}\ncamp_weight = {cw}\nlabel_penalty = {lp}\n\
             repetition_weight = {rw}\n\n",
            if self.constant_model {
                "constant"
            } else {
                "logistic"
            },
            self.probability
        );
        t += &format!(
            "[sharing]\nbeliever = {}\nrejecter = {}\nstifling = {}\nactions = {}\n\
             delay = \"{}m\"\ndelay_dist = \"{}\"\n\n",
            self.believer,
            self.rejecter,
            self.stifling,
            limit(self.actions),
            self.delay_minutes,
            if self.fixed_delay {
                "fixed"
            } else {
                "exponential"
            }
        );
        let present: Vec<usize> = (0..KINDS.len())
            .filter(|&k| self.per_user[k].is_some())
            .collect();
        for &(at, by_users, count, kind) in &self.seeds {
            let at = at.min(self.horizon_hours);
            t += &format!("[[seeds]]\nat = \"{at}h\"\n");
            if by_users {
                t += &format!("users = {count}\n\n");
            } else {
                let kind = KINDS[present[kind % present.len()]].0;
                t += &format!("chats = {count}\nkind = \"{kind}\"\n\n");
            }
        }
        t
    }
}

fn opt_limit(max: u32) -> impl Strategy<Value = Option<u32>> {
    prop_oneof![3 => (1..=max).prop_map(Some), 1 => Just(None)]
}

fn case() -> impl Strategy<Value = Case> {
    let clock = (
        0..=i64::MAX as u64, // TOML integers are i64
        50u64..800,
        3u32..=48,
        prop::sample::select(vec![10u32, 15, 20, 30, 60]),
        1u32..=3,
    );
    let people = (
        0..CAMPS.len(),
        any::<bool>(),
        prop::array::uniform7(prop::option::weighted(0.6, 0.0..1.0f64)),
    );
    let rumor = (
        0.01..0.99f64,
        0.0..3.0f64,
        any::<bool>(),
        0.0..=1.0f64,
        prop::array::uniform5(-5.0..5.0f64),
    );
    let sharing = (
        0.0..=1.0f64,
        0.0..=0.3f64,
        0.0..=1.0f64,
        opt_limit(4),
        10u32..=180,
        any::<bool>(),
    );
    let platform = (opt_limit(10), 0u32..=6, opt_limit(10));
    let seeds = prop::collection::vec((0u32..12, any::<bool>(), 1u32..=4, 0usize..7), 1..=3);
    (clock, people, rumor, sharing, platform, seeds).prop_map(
        |(
            (seed, users, horizon_hours, step_minutes, replicates),
            (camps, target_camp, mut per_user),
            (appeal, virality, constant_model, probability, weights),
            (believer, rejecter, stifling, actions, delay_minutes, fixed_delay),
            (forward_limit, label_hops, labelled_forward_limit),
            seeds,
        )| {
            // Scale the unit draws to each kind's range; keep at least one kind.
            for (p, (_, max)) in per_user.iter_mut().zip(KINDS) {
                *p = p.map(|x| (x * max * 100.0).round() / 100.0);
            }
            if per_user.iter().all(|p| p.is_none_or(|x| x == 0.0)) {
                per_user[1] = Some(1.5);
            }
            Case {
                seed,
                users,
                horizon_hours,
                step_minutes,
                replicates,
                camps,
                target_camp,
                per_user,
                appeal,
                virality,
                constant_model,
                probability,
                weights,
                believer,
                rejecter,
                stifling,
                actions,
                delay_minutes,
                fixed_delay,
                forward_limit,
                label_hops,
                labelled_forward_limit,
                seeds,
            }
        },
    )
}

/// Builds and runs a case: scenario, population, runs.
fn simulate(c: &Case, threads: usize) -> Result<(Scenario, Population, Vec<RunOutput>), String> {
    let text = c.toml();
    let scn = Scenario::from_toml_str(&text, "case.toml")
        .map_err(|e| format!("generated scenario is invalid: {e}\n{text}"))?;
    let pop = population::generate(&scn);
    let results = simulation::simulate(&pop, &scn, c.replicates, threads, &|| {});
    Ok((scn, pop, results.runs))
}

fn config() -> Config {
    Config {
        cases: 32,
        failure_persistence: None,
        ..Config::default()
    }
}

/// The per-step identities, checked against the previous record.
/// `seeds` is the number of seeds reached in this step (they get no delivery).
fn check_record(
    r: &StepRecord,
    prev: &StepRecord,
    users: u64,
    seeds: u64,
) -> Result<(), TestCaseError> {
    let beliefs = r.unaware + r.exposed + r.rejecters + r.believers + r.immune + r.corrected;
    prop_assert_eq!(beliefs, users, "belief states do not partition the users");
    prop_assert!(r.reached >= prev.reached, "reach decreased");
    prop_assert!(r.reached <= users);
    prop_assert!(r.read <= r.reached, "read more than reached");
    prop_assert!(r.read >= prev.read, "read decreased");
    prop_assert!(r.spreaders + r.stiflers <= users);
    prop_assert!(r.max_hops >= prev.max_hops, "max_hops decreased");
    prop_assert!(
        r.deliveries + seeds >= r.new_reached,
        "{} new users reached by {} deliveries and {} seeds",
        r.new_reached,
        r.deliveries,
        seeds
    );
    prop_assert!(r.deliveries == 0 || r.posts > 0, "deliveries without posts");
    // A user who was reached is no longer unaware.
    prop_assert!(
        r.unaware + r.reached <= users,
        "reached users still unaware"
    );
    Ok(())
}

/// The cascade lists each reached user once, parents before children.
fn check_cascade(run: &RunOutput, users: u64) -> Result<(), TestCaseError> {
    let last = run.records.last().copied().unwrap_or_default();
    prop_assert_eq!(run.cascade.len() as u64, last.reached);
    let mut seen = HashSet::new();
    let mut prev_step = 0;
    for e in &run.cascade {
        prop_assert!((e.user as u64) < users);
        if let Some(p) = e.parent {
            prop_assert!(
                seen.contains(&p),
                "parent {} not before child {}",
                p,
                e.user
            );
            prop_assert!(e.chat.is_some(), "a non-seed without a chat");
            prop_assert!(e.hops <= last.max_hops);
        } else {
            prop_assert!(e.chat.is_none(), "a seed with a chat");
        }
        prop_assert!(seen.insert(e.user), "user {} reached twice", e.user);
        prop_assert!(e.step >= prev_step, "cascade out of step order");
        prev_step = e.step;
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn records_and_cascades_keep_their_identities(c in case(), threads in 1usize..=2) {
        let (scn, pop, runs) = simulate(&c, threads).map_err(TestCaseError::fail)?;
        let users = pop.n_users() as u64;
        prop_assert_eq!(users, c.users);
        prop_assert_eq!(runs.len(), c.replicates as usize);
        for run in &runs {
            prop_assert_eq!(run.records.len(), scn.simulation.steps as usize);
            let mut prev = StepRecord { unaware: users, ..StepRecord::default() };
            for (t, r) in run.records.iter().enumerate() {
                prop_assert_eq!(r.step as usize, t);
                let seeds = run.cascade.iter().filter(|e| e.parent.is_none() && e.step == r.step).count() as u64;
                check_record(r, &prev, users, seeds)?;
                prev = *r;
            }
            check_cascade(run, users)?;
        }
    }

    /// `new_reached` counts every user reached for the first time in a step, seeds
    /// included, so it adds up to the change in `reached`.
    #[test]
    fn new_reached_is_the_change_in_reach(c in case()) {
        let (_, pop, runs) = simulate(&c, 1).map_err(TestCaseError::fail)?;
        let users = pop.n_users() as u64;
        for (rep, run) in runs.iter().enumerate() {
            let mut prev = 0;
            for r in &run.records {
                prop_assert_eq!(
                    r.new_reached,
                    r.reached - prev,
                    "replicate {} step {}: reached {} -> {}",
                    rep, r.step, prev, r.reached
                );
                prev = r.reached;
            }
            let total: u64 = run.records.iter().map(|r| r.new_reached).sum();
            prop_assert!(total <= users);
        }
    }

    /// Stepping a replicate by hand gives the records of a whole run, and a clone taken
    /// part-way (a snapshot) continues exactly as the original.
    #[test]
    fn a_snapshot_continues_as_the_original(c in case(), cut in 0u32..40) {
        let (scn, pop, runs) = simulate(&c, 1).map_err(TestCaseError::fail)?;
        let params = Params::new(&scn);
        let mut rep = Replicate::new(&pop, &scn, &params, 0);
        let mut stepped = Vec::new();
        let mut snapshot = None;
        loop {
            if rep.next_step() == cut {
                snapshot = Some((rep.clone(), stepped.len()));
            }
            match rep.step() {
                Some(r) => stepped.push(r),
                None => break,
            }
        }
        prop_assert_eq!(&stepped[..], &runs[0].records[..stepped.len()]);
        if let Some((mut snap, from)) = snapshot {
            let mut rest = Vec::new();
            while let Some(r) = snap.step() {
                rest.push(r);
            }
            prop_assert_eq!(&rest[..], &stepped[from..]);
        }
    }
}
