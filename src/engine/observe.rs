//! Observation windows (`docs/model.md#observation`): what a monitoring project, a
//! fact-checkers' tipline and the public layer's counts would have seen of a run. The
//! windows only watch: nothing here changes the run, and a scenario without
//! `[[observe]]` has no observer at all (one branch per step and per reader).
//!
//! - **Monitor**: at the start of a replicate the monitor joins its groups (the largest
//!   eligible, or drawn by size or uniformly without replacement: each eligible chat
//!   gets the key `ln(U) / w` from its own keyed draw, `w` its size or 1, and the
//!   largest keys win, as in chat choice). After every step, each post of that step into
//!   a watched group (rumor, correction or answer) is an observation with its hop and
//!   label.
//! - **Tipline**: a user who reads the rumor for the first time reports it with
//!   probability `report_believers` if that reading convinced them, `report`
//!   otherwise; the report arrives a fixed or geometric number of steps later (0
//!   possible: the same step), if within the horizon.
//! - **Public**: each step's public posts are one observation counting them (steps
//!   repeated after an early stop are not observed, so the known defect of
//!   `public_posts` does not reach the window).
//!
//! Randomness: window `k` chooses its groups from draws keyed
//! `(replicate, 2^48 + k, chat, Observation)`; a tipline reader `u` reading at step `t`
//! draws its report and delay from the stream `(replicate, k * 2^32 + t, u,
//! Observation)`. Adding a window never shifts another window's draws or the run's.

use super::{Msg, Run};
use crate::population::Population;
use crate::record::{Observed, ObservedEvent, ObservedMessage, StepRecord, NO_SUBJECT};
use crate::rng::{self, Purpose};
use crate::scenario::{ChatKind, DelayDist, MonitorChoice, Scenario, Window};
use rand::Rng as _;
use std::collections::HashMap;

/// Step-key offset of the draws that choose a monitor's groups.
const SETUP: u64 = 1 << 48;

/// The windows of one replicate and what they saw so far.
#[derive(Clone, Debug)]
pub(super) struct Observer {
    windows: Vec<Watch>,
    /// Watched chat -> mask of the monitor windows watching it.
    watched: HashMap<u32, u64>,
    /// Per window: the chats it watches, increasing (monitors only).
    chats: Vec<Vec<u32>>,
    events: Vec<ObservedEvent>,
    steps: u32,
}

/// A window's rules, resolved to steps.
#[derive(Clone, Debug)]
enum Watch {
    Monitor,
    Tipline {
        report: f64,
        report_believers: f64,
        /// Mean delay in steps.
        delay: f64,
        fixed: bool,
        camp: Option<u8>,
    },
    Public,
}

impl Observer {
    /// The observer of replicate `run`; `None` when the scenario has no windows.
    pub(super) fn new(
        pop: &Population,
        scn: &Scenario,
        seed: u64,
        run: u64,
    ) -> Option<Box<Observer>> {
        if scn.observe.is_empty() {
            return None;
        }
        let step = scn.simulation.step_minutes;
        let key = rng::RunKey::new(seed, run);
        let mut watched: HashMap<u32, u64> = HashMap::new();
        let mut chats = Vec::with_capacity(scn.observe.len());
        let windows = scn
            .observe
            .iter()
            .enumerate()
            .map(|(k, o)| {
                let mut mine = Vec::new();
                let watch = match &o.window {
                    Window::Monitor {
                        groups,
                        kinds,
                        camp,
                        choose,
                    } => {
                        mine = choose_groups(pop, kinds, *camp, *choose, *groups, |chat| {
                            key.uniform(SETUP + k as u64, chat as u64, Purpose::Observation)
                        });
                        for &c in &mine {
                            *watched.entry(c).or_default() |= 1u64 << k;
                        }
                        Watch::Monitor
                    }
                    Window::Tipline {
                        report,
                        report_believers,
                        delay,
                        delay_dist,
                        camp,
                    } => Watch::Tipline {
                        report: *report,
                        report_believers: *report_believers,
                        delay: delay.minutes() / step,
                        fixed: *delay_dist == DelayDist::Fixed,
                        camp: *camp,
                    },
                    Window::Public => Watch::Public,
                };
                chats.push(mine);
                watch
            })
            .collect();
        Some(Box::new(Observer {
            windows,
            watched,
            chats,
            events: Vec::new(),
            steps: scn.simulation.steps,
        }))
    }

    /// What the windows saw, once the run is over: events ordered by window and step,
    /// and the users each window saw.
    pub(super) fn finish(mut self, pop: &Population) -> Observed {
        self.events.sort_by_key(|e| (e.window, e.step));
        let users_seen = self
            .windows
            .iter()
            .enumerate()
            .map(|(k, w)| {
                let mine = self
                    .events
                    .iter()
                    .filter(|e| e.window as usize == k && e.message == ObservedMessage::Rumor);
                match w {
                    Watch::Monitor => {
                        let mut users: std::collections::HashSet<u32> = Default::default();
                        let mut seen_chat: std::collections::HashSet<u32> = Default::default();
                        for e in mine {
                            if seen_chat.insert(e.subject) {
                                users.extend(pop.chats.members.row(e.subject as usize));
                            }
                        }
                        users.len() as u64
                    }
                    Watch::Tipline { .. } => mine.count() as u64,
                    Watch::Public => 0,
                }
            })
            .collect();
        Observed {
            events: self.events,
            users_seen,
            chats: self.chats,
        }
    }
}

/// The groups a monitor joins: chats of `kinds` (and dominant `camp`) with at least
/// two members, `count` of them by `choose`; `u(chat)` is the chat's keyed uniform.
fn choose_groups(
    pop: &Population,
    kinds: &[ChatKind],
    camp: Option<u8>,
    choose: MonitorChoice,
    count: u32,
    u: impl Fn(u32) -> f64,
) -> Vec<u32> {
    let size = |c: u32| pop.chats.members.row_len(c as usize);
    let eligible = (0..pop.n_chats() as u32).filter(|&c| {
        kinds.contains(&pop.chats.kind[c as usize])
            && camp.is_none_or(|cc| pop.chats.camp[c as usize] == cc)
            && size(c) >= 2
    });
    // Larger keys win; ties go to the lower chat id.
    let mut keyed: Vec<(f64, u32)> = match choose {
        MonitorChoice::Largest => eligible.map(|c| (size(c) as f64, c)).collect(),
        MonitorChoice::BySize => eligible
            .map(|c| ((1.0 - u(c)).ln() / size(c) as f64, c))
            .collect(),
        MonitorChoice::Random => eligible.map(|c| ((1.0 - u(c)).ln(), c)).collect(),
    };
    keyed.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut out: Vec<u32> = keyed
        .into_iter()
        .take(count as usize)
        .map(|(_, c)| c)
        .collect();
    out.sort_unstable();
    out
}

impl Run<'_> {
    /// After step `t` (whose posts start at `first_post`, record `r`): monitors log the
    /// step's posts into their groups, public windows its public posts.
    pub(super) fn observe_step(&mut self, t: u32, first_post: usize, r: &StepRecord) {
        let Some(obs) = self.observer.as_mut() else {
            return;
        };
        if !obs.watched.is_empty() {
            for p in &self.posts[first_post..] {
                let Some(&mask) = obs.watched.get(&p.chat) else {
                    continue;
                };
                let message = match p.msg {
                    Msg::Rumor => ObservedMessage::Rumor,
                    Msg::Correction => ObservedMessage::Correction,
                    Msg::Response => ObservedMessage::Response,
                };
                for k in (0..64).filter(|k| mask & (1u64 << k) != 0) {
                    obs.events.push(ObservedEvent {
                        window: k as u16,
                        step: t,
                        message,
                        hop: p.hop,
                        labelled: p.labelled,
                        subject: p.chat,
                        count: 1,
                    });
                }
            }
        }
        if r.public_posts > 0 {
            for (k, w) in obs.windows.iter().enumerate() {
                if matches!(w, Watch::Public) {
                    obs.events.push(ObservedEvent {
                        window: k as u16,
                        step: t,
                        message: ObservedMessage::Rumor,
                        hop: 0,
                        labelled: false,
                        subject: NO_SUBJECT,
                        count: r.public_posts.min(u32::MAX as u64) as u32,
                    });
                }
            }
        }
    }

    /// Before a reader's session at step `t` is applied: a first reading of the rumor
    /// (`copies` rumor copies, the first being `first_post`; `believes` if it convinced
    /// them) may be reported to each tipline.
    pub(super) fn observe_read(
        &mut self,
        t: u32,
        u: u32,
        copies: u32,
        first_post: u32,
        believes: bool,
    ) {
        let Some(obs) = self.observer.as_mut() else {
            return;
        };
        if copies == 0 || self.state.has(u, super::state::flag::READ) {
            return;
        }
        let post = self.posts.get(first_post as usize).copied();
        let key = rng::RunKey::new(self.seed, self.run);
        for (k, w) in obs.windows.iter().enumerate() {
            let Watch::Tipline {
                report,
                report_believers,
                delay,
                fixed,
                camp,
            } = w
            else {
                continue;
            };
            if camp.is_some_and(|c| self.pop.users.camp[u as usize] != c) {
                continue;
            }
            let mut r = key.stream(
                ((k as u64) << 32) | t as u64,
                u as u64,
                Purpose::Observation,
            );
            let p = if believes { *report_believers } else { *report };
            if r.random::<f64>() >= p {
                continue;
            }
            let wait = if *fixed {
                delay.round() as u64
            } else {
                geometric(*delay, r.random::<f64>())
            };
            let at = t as u64 + wait;
            if at < obs.steps as u64 {
                obs.events.push(ObservedEvent {
                    window: k as u16,
                    step: at as u32,
                    message: ObservedMessage::Rumor,
                    hop: post.map_or(0, |p| p.hop),
                    labelled: post.is_some_and(|p| p.labelled),
                    subject: u,
                    count: 1,
                });
            }
        }
    }
}

/// A geometric number of steps on {0, 1, ...} with mean `mean`, from a uniform `u` in
/// `[0, 1)`.
fn geometric(mean: f64, u: f64) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    let q = mean / (1.0 + mean);
    ((1.0 - u).ln() / q.ln()).floor().min(1e9) as u64
}

#[cfg(test)]
mod tests {
    use super::super::testkit::World;
    use super::*;
    use crate::scenario::SeedTarget;

    #[test]
    fn geometric_waits_have_the_mean() {
        let n = 100_000;
        let mean = (0..n)
            .map(|i| geometric(3.0, rng::uniform(1, 0, 0, i, Purpose::Observation)) as f64)
            .sum::<f64>()
            / n as f64;
        assert!((mean - 3.0).abs() < 0.05, "{mean}");
        assert_eq!(geometric(0.0, 0.5), 0);
    }

    #[test]
    fn monitors_choose_eligible_groups() {
        let w = World::new(
            6,
            &[
                (ChatKind::Political, &[0, 1, 2, 3]),
                (ChatKind::Political, &[0, 1]),
                (ChatKind::Family, &[2, 3, 4, 5]),
                (ChatKind::Political, &[4]),
                (ChatKind::Political, &[3, 4, 5]),
            ],
        );
        let pol = [ChatKind::Political];
        let largest = choose_groups(&w.pop, &pol, None, MonitorChoice::Largest, 2, |_| 0.5);
        assert_eq!(largest, [0, 4]);
        let all = choose_groups(&w.pop, &pol, None, MonitorChoice::Random, 10, |c| {
            c as f64 / 10.0
        });
        assert_eq!(all, [0, 1, 4], "the one-member chat is never watched");
        let fam = choose_groups(
            &w.pop,
            &[ChatKind::Family],
            None,
            MonitorChoice::BySize,
            1,
            |_| 0.3,
        );
        assert_eq!(fam, [2]);
    }

    /// A monitor on the second group of the bridge sees the bridge's post at hop 1;
    /// a certain tipline with no delay gets one report from each reader.
    #[test]
    fn windows_see_what_happens_in_their_groups() {
        let text = "[[observe]]\nkind = \"monitor\"\ngroups = 1\n\
                    [[observe]]\nkind = \"tipline\"\nreport = 1\ndelay = \"0m\"\n\
                    delay_dist = \"fixed\"\n";
        let mut w = World::with(
            text,
            5,
            &[
                (ChatKind::Friends, &[0, 1, 2]),
                (ChatKind::Political, &[2, 3, 4]),
            ],
        );
        w.seed(0.0, SeedTarget::Ids(vec!["0".into()]));
        let out = super::super::run_replicate(&w.pop, &w.scn, &w.params, 0, &|| {});
        let seen: Vec<_> = out
            .observed
            .events
            .iter()
            .map(|e| (e.window, e.step, e.hop, e.subject))
            .collect();
        // Monitor: the bridge (user 2) posts into chat 1 at step 1, hop 1. Tipline:
        // users 1 and 2 read at step 0 (hop 0), users 3 and 4 at step 1 (hop 1).
        assert_eq!(
            seen,
            [
                (0, 1, 1, 1),
                (1, 0, 0, 1),
                (1, 0, 0, 2),
                (1, 1, 1, 3),
                (1, 1, 1, 4)
            ]
        );
        assert_eq!(out.observed.users_seen, [3, 4]);
        assert_eq!(out.observed.chats, [vec![1], vec![]]);
    }
}
