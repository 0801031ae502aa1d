//! The public layer: spill-over from private chats to public networks, the press and
//! a crisis.
//!
//! Believers with a public account post about the rumor publicly at a rate
//! (`post_rate` per hour, once each). Public posts excite further public posts: a
//! discrete-time Hawkes process with an exponential kernel of mean delay `decay`, in
//! which a post triggers on average `branching_ratio` others, scaled by its author's
//! followers relative to the mean (crowd posts count as average). The process
//! saturates as the public conversation (`public_users`) is used up. Public posts feed
//! the rumor back into private chats (`feedback` users per post, who forward it as
//! new seeds). The press picks the story up with a rate once public volume over a
//! sliding window passes a threshold; coverage adds public posts and feedback; a crisis
//! is declared when coverage and high volume persist for a duration (so a crisis never
//! precedes press pickup).
//!
//! Everything here is aggregate (counts of public posts), keyed by (seed, replicate,
//! step) so it is deterministic, and costs O(1) per step plus O(1) per public poster.

use crate::rng::{self, Purpose};
use crate::scenario::{PublicSpec, Scenario};
use rand::Rng as _;
use rand_distr::{Distribution, Poisson};
use std::collections::VecDeque;

/// Parameters of the public layer in per-step units.
#[derive(Clone, Debug)]
pub struct PublicParams {
    p_post: f64,
    branching: f64,
    /// Share of a post's remaining excitation that survives one step.
    keep: f64,
    mean_followers: f64,
    public_users: f64,
    feedback: f64,
    window: usize,
    press_threshold: f64,
    p_pickup: f64,
    sustain: f64,
    press_posts: f64,
    feedback_boost: f64,
    crisis_threshold: f64,
    crisis_steps: u32,
}

impl PublicParams {
    /// Per-step parameters from the scenario's `[public]` table; `mean_followers` is
    /// the mean over users with a public account.
    pub fn new(cfg: &PublicSpec, scn: &Scenario, users: u64, mean_followers: f64) -> PublicParams {
        let h = scn.simulation.step_minutes / 60.0;
        let steps_of = |d: crate::duration::Duration| {
            (d.minutes() / scn.simulation.step_minutes).round().max(1.0)
        };
        PublicParams {
            p_post: 1.0 - (-cfg.post_rate * h).exp(),
            branching: cfg.branching_ratio,
            keep: (-scn.simulation.step_minutes / cfg.decay.minutes()).exp(),
            mean_followers: mean_followers.max(1.0),
            public_users: if cfg.public_users == 0 {
                10.0 * users as f64
            } else {
                cfg.public_users as f64
            },
            feedback: cfg.feedback,
            window: steps_of(cfg.press.window) as usize,
            press_threshold: cfg.press.threshold,
            p_pickup: 1.0 - (-cfg.press.pickup_rate * h).exp(),
            sustain: cfg.press.sustain,
            press_posts: cfg.press.public_boost * h,
            feedback_boost: cfg.press.feedback_boost,
            crisis_threshold: cfg.crisis.threshold,
            crisis_steps: steps_of(cfg.crisis.duration) as u32,
        }
    }

    /// Per-step chance that a believer with a public account posts publicly.
    pub fn p_post(&self) -> f64 {
        self.p_post
    }
}

/// What the public layer did in one step.
#[derive(Clone, Debug, Default)]
pub struct PublicStep {
    /// Public posts made this step: believers' own posts, posts triggered by earlier
    /// ones and, while the press covers the story, press-driven posts.
    pub posts: u64,
    /// Users who saw it in public and now forward it privately.
    pub reinjected: Vec<u32>,
}

/// Run-time state of the public layer of one replicate.
#[derive(Clone)]
pub struct PublicLayer {
    /// The per-step parameters the layer was made with.
    pub params: PublicParams,
    /// Believers due to post publicly, by step.
    agenda: Vec<Vec<u32>>,
    outstanding: u64,
    excitation: f64,
    total_posts: f64,
    /// Public impressions so far: the followers of every believer's post plus the mean
    /// follower count for every triggered or press-driven post.
    pub impressions: u64,
    window: VecDeque<u64>,
    window_sum: u64,
    picked_up: bool,
    /// Whether the press covers the story this step: it has picked it up and public
    /// volume over the window is still at least `sustain` times the press threshold.
    pub covering: bool,
    /// Whether a crisis has been declared (it stays declared for the rest of the run).
    pub crisis: bool,
    crisis_run: u32,
    /// Step of the first public post, if any.
    pub first_post: Option<u32>,
    /// Step at which the press picked the story up, if it did.
    pub press_at: Option<u32>,
    /// Step at which the crisis was declared, if it was.
    pub crisis_at: Option<u32>,
}

fn poisson(mean: f64, r: &mut rng::Rng) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    Poisson::new(mean).map(|d| d.sample(r) as u64).unwrap_or(0)
}

impl PublicLayer {
    /// An empty public layer for a run of `steps` steps.
    pub fn new(params: PublicParams, steps: u32) -> PublicLayer {
        PublicLayer {
            params,
            agenda: vec![Vec::new(); steps as usize],
            outstanding: 0,
            excitation: 0.0,
            total_posts: 0.0,
            impressions: 0,
            window: VecDeque::new(),
            window_sum: 0,
            picked_up: false,
            covering: false,
            crisis: false,
            crisis_run: 0,
            first_post: None,
            press_at: None,
            crisis_at: None,
        }
    }

    /// Schedules a public post by a new believer `u` with a public account, after a
    /// geometric wait drawn from `r`.
    pub fn schedule(&mut self, u: u32, t: u32, r: &mut rng::Rng) {
        let p = self.params.p_post;
        if p <= 0.0 {
            return;
        }
        let wait = if p >= 1.0 {
            0.0
        } else {
            ((1.0 - r.random::<f64>()).ln() / (1.0 - p).ln()).floor()
        };
        let at = t as f64 + wait;
        if at < self.agenda.len() as f64 {
            self.agenda[at as usize].push(u);
            self.outstanding += 1;
        }
    }

    /// Cuts the public excitation by `share` (an organisation's public answer).
    pub fn damp(&mut self, share: f64) {
        self.excitation *= 1.0 - share;
    }

    /// True when nothing public can happen any more.
    pub fn is_quiet(&self) -> bool {
        self.outstanding == 0 && self.excitation * (1.0 - self.params.keep) < 1e-4 && !self.covering
    }

    /// Advances one step. `authors(users)` keeps the users still believing and returns
    /// their followers; `users` is the private population size (for re-injection).
    pub fn step(
        &mut self,
        t: u32,
        seed: u64,
        run: u64,
        users: u32,
        authors: impl FnOnce(&[u32]) -> Vec<u32>,
    ) -> PublicStep {
        let p = &self.params;
        let due = std::mem::take(&mut self.agenda[t as usize]);
        self.outstanding -= due.len() as u64;
        let followers = authors(&due);
        let mut r = rng::stream(seed, run, t as u64, 0, Purpose::Public);
        let saturation = (1.0 - self.total_posts / p.public_users).max(0.0);
        let crowd = poisson(self.excitation * (1.0 - p.keep) * saturation, &mut r);
        let press = if self.covering {
            poisson(p.press_posts * saturation, &mut r)
        } else {
            0
        };
        let organic = followers.len() as u64;
        let posts = organic + crowd + press;
        let added: f64 = followers
            .iter()
            .map(|&f| p.branching * f as f64 / p.mean_followers)
            .sum::<f64>()
            + (crowd + press) as f64 * p.branching;
        self.excitation = self.excitation * p.keep + added;
        self.total_posts += posts as f64;
        self.impressions += followers.iter().map(|&f| f as u64).sum::<u64>()
            + ((crowd + press) as f64 * p.mean_followers) as u64;
        if posts > 0 && self.first_post.is_none() {
            self.first_post = Some(t);
        }
        self.window.push_back(posts);
        self.window_sum += posts;
        if self.window.len() > p.window {
            self.window_sum -= self.window.pop_front().unwrap_or(0);
        }
        let volume = self.window_sum as f64;
        if !self.picked_up && volume >= p.press_threshold && r.random::<f64>() < p.p_pickup {
            self.picked_up = true;
            self.press_at = Some(t);
        }
        self.covering = self.picked_up && volume >= p.sustain * p.press_threshold;
        if self.covering && volume >= p.crisis_threshold {
            self.crisis_run += 1;
        } else {
            self.crisis_run = 0;
        }
        if !self.crisis && self.crisis_run >= p.crisis_steps {
            self.crisis = true;
            self.crisis_at = Some(t);
        }
        let boost = if self.covering { p.feedback_boost } else { 1.0 };
        let k = poisson(p.feedback * posts as f64 * boost, &mut r);
        let reinjected = (0..k).map(|_| r.random_range(0..users)).collect();
        PublicStep { posts, reinjected }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(branching: f64) -> PublicParams {
        PublicParams {
            p_post: 0.0,
            branching,
            keep: (-10.0f64 / 360.0).exp(),
            mean_followers: 100.0,
            public_users: 1e12,
            feedback: 0.0,
            window: 144,
            press_threshold: f64::INFINITY,
            p_pickup: 0.0,
            sustain: 0.5,
            press_posts: 0.0,
            feedback_boost: 1.0,
            crisis_threshold: f64::INFINITY,
            crisis_steps: 144,
        }
    }

    /// Total public posts of a cascade started by one post of average followers.
    fn cascade_size(branching: f64, run: u64, steps: u32) -> u64 {
        let mut layer = PublicLayer::new(params(branching), steps);
        let mut total = 0;
        for t in 0..steps {
            let authors = if t == 0 { vec![100] } else { Vec::new() };
            total += layer.step(t, 9, run, 10, |_| authors).posts;
            if t > 0 && layer.is_quiet() {
                break;
            }
        }
        total
    }

    #[test]
    fn subcritical_cascade_has_mean_size_one_over_one_minus_n() {
        // A Galton-Watson cascade with Poisson(n) offspring has mean total size 1/(1-n)
        // and variance n/(1-n)^3; 4000 cascades give a standard error of ~0.04 at n = 0.5.
        let n = 0.5;
        let runs = 4000;
        let sizes: Vec<f64> = (0..runs).map(|r| cascade_size(n, r, 5000) as f64).collect();
        let mean = sizes.iter().sum::<f64>() / runs as f64;
        let se = (n / (1.0f64 - n).powi(3) / runs as f64).sqrt();
        assert!(
            (mean - 1.0 / (1.0 - n)).abs() < 4.0 * se,
            "mean {mean}, expected 2 +/- {se}"
        );
    }

    #[test]
    fn supercritical_cascade_grows() {
        let grown = (0..20)
            .filter(|&r| cascade_size(1.5, r, 600) > 1000)
            .count();
        // P(extinction) of Poisson(1.5) branching is about 0.42; most of 20 cascades explode.
        assert!(grown >= 6, "{grown} of 20 grew");
    }

    #[test]
    fn subcritical_volume_dies_out() {
        let mut layer = PublicLayer::new(params(0.5), 2000);
        let mut last = 1;
        for t in 0..2000 {
            let authors = if t == 0 { vec![100; 50] } else { Vec::new() };
            last = layer.step(t, 1, 0, 10, |_| authors).posts;
        }
        assert_eq!(last, 0);
        assert!(layer.is_quiet());
    }
}
