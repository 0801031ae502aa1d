//! Test fixtures for the phase unit tests: a tiny hand-built population with settings
//! under which every outcome can be worked out by hand (activity 1 and a flat rhythm,
//! so every copy is read in the step it arrives; the constant belief model with
//! probability 1, one draw per copy; no limited attention; every believer spreads
//! once, one step later; no forward limit, no label, no stifling). A test changes what
//! it studies on [`World::params`] (or writes it into the scenario with
//! [`World::with`]) before it starts a run.

use super::state::{Belief, Role};
use super::{Msg, Params, Post, Run};
use crate::duration::Duration;
use crate::population::Population;
use crate::scenario::{ChatKind, Scenario, Seed, SeedTarget};

/// Ten-minute steps over one hour: six steps.
const DETERMINISTIC: &str = r#"
    name = "hand"
    [simulation]
    seed = 7
    step = "10m"
    horizon = "1h"
    replicates = 1
    [population]
    users = 10
    activity = { dist = "constant", value = 1.0 }
    fanout = { dist = "all" }
    rhythm = "flat"
    [platform]
    forward_limit = "unlimited"
    labelled_forward_limit = "unlimited"
    label_hops = 0
    [belief]
    model = "constant"
    probability = 1.0
    exposure = "copies"
    rejecter_resistance = 0.0
    [attention]
    enabled = false
    [sharing]
    believer = 1.0
    rejecter = 0.0
    delay = "10m"
    interval = "10m"
    actions = 1
    stifling = 0.0
    persistence = "off"
    novelty_half_life = "off"
    stance_factor = { for = 1.0, indifferent = 1.0, against = 1.0 }
    label_factor = 1.0
    [[seeds]]
    ids = ["0"]
"#;

/// `base` with the sections of `extra` merged in: keys of a section both have take
/// `extra`'s value, other sections and arrays of tables are appended.
fn merge(base: &str, extra: &str) -> String {
    let mut doc: toml::Table = toml::from_str(base).unwrap();
    let more: toml::Table = toml::from_str(extra).unwrap();
    for (k, v) in more {
        match (doc.get_mut(&k), v) {
            (Some(toml::Value::Table(into)), toml::Value::Table(from)) => into.extend(from),
            (_, v) => {
                doc.insert(k, v);
            }
        }
    }
    toml::to_string(&doc).unwrap()
}

/// A population, the deterministic scenario (without seeds unless a test adds them)
/// and its parameters: what a [`Run`] borrows.
pub(super) struct World {
    pub pop: Population,
    pub scn: Scenario,
    pub params: Params,
}

impl World {
    /// `users` users and the given chats ([`Population::from_chats`]).
    pub fn new(users: usize, chats: &[(ChatKind, &[u32])]) -> World {
        World::with("", users, chats)
    }

    /// As [`World::new`], with `extra` appended to the scenario file (for arrays of
    /// tables such as `[[interventions]]`); a line `key = value` in `extra` under a
    /// section the scenario already has replaces that section's key.
    pub fn with(extra: &str, users: usize, chats: &[(ChatKind, &[u32])]) -> World {
        let text = merge(DETERMINISTIC, extra);
        let mut scn = Scenario::from_toml_str(&text, "hand").unwrap();
        scn.seeds.clear();
        let params = Params::new(&scn);
        World {
            pop: Population::from_chats(users, chats),
            scn,
            params,
        }
    }

    /// Adds a `[[seeds]]` entry acting at minute `at`.
    pub fn seed(&mut self, at: f64, target: SeedTarget) {
        self.scn.seeds.push(Seed {
            at: Duration::from_minutes(at),
            target,
        });
    }

    /// Replicate 0, before its first step.
    pub fn run(&self) -> Run<'_> {
        Run::new(&self.pop, &self.scn, &self.params, 0)
    }
}

impl Run<'_> {
    /// Makes `u` a believing spreader (reached, read, one action per the parameters)
    /// whose share action is due at step `t`, forwarding post `source` (an original
    /// post if [`NO_POST`]).
    pub(super) fn make_spreader(&mut self, u: u32, t: u32, source: u32) {
        self.state.mark_reached(u);
        self.state.mark_read(u);
        self.state.set_belief(u, Belief::Believer);
        self.state.set_role(u, Role::Spreader);
        self.state.shares_left[u as usize] = self.params.actions;
        self.state.source_post[u as usize] = source;
        self.schedule(u, t as u64, Msg::Rumor);
    }

    /// The posts made since post `first`, as (sender, chat, hop).
    pub(super) fn posts_since(&self, first: usize) -> Vec<(u32, u32, u32)> {
        self.posts[first..]
            .iter()
            .map(|p: &Post| (p.sender, p.chat, p.hop))
            .collect()
    }
}
