//! The ABC-SMC sampler's rules: settings, the tolerance schedule, stopping, how one
//! particle of a generation is found, and importance weights.
//!
//! # One generation
//! Generation 0 draws `N` parameter vectors from the prior and simulates each once; all
//! are accepted (tolerance infinite) with equal weights. Generation `t >= 1` has the
//! tolerance `eps_t = max(min_epsilon, q_alpha)`, `q_alpha` the weighted `alpha`-quantile
//! of generation `t - 1`'s distances (Del Moral, Doucet & Jasra 2012; Drovandi & Pettitt
//! 2011 use the same rule), and finds each particle `i` by attempts `a = 0, 1, ...`:
//!
//! 1. draw a parent `j` with probability `w_j` and perturb it with the kernel
//!    ([`super::kernel`]); a proposal outside the prior's support is discarded without
//!    a simulation;
//! 2. simulate it with seed `derive_seed(seed, [SIMULATION_TAG, t, i, a])`;
//! 3. accept it if its distance is at most `eps_t` (a NaN distance counts as infinite:
//!    accepted in generation 0 only).
//!
//! The accepted particles get the weights of Toni et al. (2009) and Beaumont et al.
//! (2009): `w_i ∝ pi(z_i) / sum_j w_j K(z_i | z_j)`, computed on the working scale in
//! logarithms (log-sum-exp) and normalised.
//!
//! Every random number of attempt `a` of particle `i` in generation `t` comes from the
//! stream `rng::stream(seed, t, i, a, Purpose::Calibration)`, and its simulation from
//! its own seed, so a particle is a function of (seed, generation, particle) and the
//! previous generation only: the same whatever the thread count, the shard that
//! computes it, or an interruption before it.
//!
//! # Stopping
//! Checked before each generation `t >= 1`, in this order: the last tolerance reached
//! `min_epsilon` ([`Stop::Tolerance`]); the last acceptance rate fell below
//! `min_acceptance` ([`Stop::Acceptance`]); `max_generations` generations are finished
//! ([`Stop::Generations`]); the simulations so far reached the budget
//! ([`Stop::Budget`]); the next tolerance would not be smaller than the last
//! ([`Stop::Stalled`], e.g. when most distances are tied at 0).
//!
//! The budget also bounds a generation: generation `t` finishes only if its
//! simulations fit in what is left, `budget - used`. Its particles' simulations are
//! counted as they start; once the count exceeds what is left, no new simulation
//! starts and the generation is abandoned ([`Stop::Budget`]), the previous one being
//! the result. Every simulation started is one that the generation would have run, so
//! "abandoned" means exactly "its simulations do not fit in the budget", whatever the
//! thread count or timing; a calibration runs at most the budget plus the simulations
//! under way when it is exceeded (one per thread). A generation that finishes is the
//! same whatever the budget: raising the budget on resume continues a calibration
//! exactly as if it had had the larger budget from the start.
//!
//! # References
//! - Toni, T., Welch, D., Strelkowa, N., Ipsen, A., Stumpf, M. P. H. (2009). Approximate
//!   Bayesian computation scheme for parameter inference and model selection in
//!   dynamical systems. *J. R. Soc. Interface* 6(31), 187-202.
//! - Beaumont, M. A., Cornuet, J.-M., Marin, J.-M., Robert, C. P. (2009). Adaptive
//!   approximate Bayesian computation. *Biometrika* 96(4), 983-990.
//! - Del Moral, P., Doucet, A., Jasra, A. (2012). An adaptive sequential Monte Carlo
//!   method for approximate Bayesian computation. *Statistics and Computing* 22(5),
//!   1009-1020.
//! - Drovandi, C. C., Pettitt, A. N. (2011). Estimation of parameters for
//!   macroparasite population evolution using approximate Bayesian computation.
//!   *Biometrics* 67(1), 225-233.

use super::kernel::Kernel;
use super::population::{draw_index, weighted_quantile, Population};
use super::prior::Parameter;
use crate::error::CalibrationError;
use crate::rng::{self, derive_seed, Purpose};
use rand::Rng as _;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Key part of simulation seeds ("ABCSIM").
pub const SIMULATION_TAG: u64 = 0x4142_4353_494D;
/// Proposals outside the prior in a row after which a particle is given up: the kernel
/// is then far wider than the support, which a finished generation cannot produce.
pub const MAX_OUTSIDE: u32 = 100_000;
/// Most particles a generation may have.
pub const MAX_PARTICLES: u32 = 10_000_000;

/// What defines a calibration besides the model and the data: parameters with their
/// priors, population size, tolerance schedule, stopping rules and seed. The budget is
/// not part of it (it may be raised on resume).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Parameters and priors, in order.
    pub parameters: Vec<Parameter>,
    /// Particles per generation, `N`.
    pub particles: u32,
    /// Quantile of the last generation's distances that becomes the next tolerance.
    pub alpha: f64,
    /// Master seed.
    pub seed: u64,
    /// Stop once the tolerance reaches this (0: never for this reason).
    pub min_epsilon: f64,
    /// Stop once a generation's acceptance rate falls below this (0: never).
    pub min_acceptance: f64,
    /// Most generations, generation 0 included.
    pub max_generations: u32,
}

impl Settings {
    /// Settings with the usual defaults: `alpha` 0.5, no minimum tolerance, acceptance
    /// floor 1%, at most 20 generations.
    pub fn new(parameters: Vec<Parameter>, particles: u32, seed: u64) -> Settings {
        Settings {
            parameters,
            particles,
            alpha: 0.5,
            seed,
            min_epsilon: 0.0,
            min_acceptance: 0.01,
            max_generations: 20,
        }
    }

    /// Refuses settings that do not define a calibration; all problems at once.
    pub fn check(&self, budget: u64) -> Result<(), CalibrationError> {
        let mut problems = Vec::new();
        if self.parameters.is_empty() {
            problems.push("no parameter to fit".to_string());
        }
        let mut names: Vec<&str> = self.parameters.iter().map(|p| p.name.as_str()).collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            problems.push(format!("parameter {} is fitted twice", w[0]));
        }
        if !(2..=MAX_PARTICLES).contains(&self.particles) {
            problems.push(format!(
                "particles must be 2 to {MAX_PARTICLES}, got {}",
                self.particles
            ));
        }
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            problems.push(format!(
                "the tolerance quantile alpha must be strictly between 0 and 1, got {}",
                self.alpha
            ));
        }
        if !(self.min_epsilon >= 0.0 && self.min_epsilon.is_finite()) {
            problems.push(format!(
                "the minimum tolerance must be a finite number >= 0, got {}",
                self.min_epsilon
            ));
        }
        if !(0.0..1.0).contains(&self.min_acceptance) {
            problems.push(format!(
                "the minimum acceptance rate must be in [0, 1), got {}",
                self.min_acceptance
            ));
        }
        if self.max_generations == 0 {
            problems.push("at least one generation is needed".into());
        }
        if budget < self.particles as u64 {
            problems.push(format!(
                "the budget ({budget} simulations) is below one generation ({} particles)",
                self.particles
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(CalibrationError::Settings(problems.join("; ")))
        }
    }
}

/// Why a calibration stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stop {
    /// The tolerance reached the minimum asked for.
    Tolerance,
    /// A generation's acceptance rate fell below the floor.
    Acceptance,
    /// The most generations asked for are finished.
    Generations,
    /// The budget of simulations is spent (or the next generation could not finish
    /// within it).
    Budget,
    /// The tolerance stopped decreasing.
    Stalled,
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stop::Tolerance => "the tolerance reached its minimum",
            Stop::Acceptance => "the acceptance rate fell below its floor",
            Stop::Generations => "the last generation asked for is finished",
            Stop::Budget => "the budget of simulations is spent",
            Stop::Stalled => "the tolerance stopped decreasing",
        })
    }
}

/// The tolerance of the generation after `last`.
pub fn next_epsilon(settings: &Settings, last: &Population) -> f64 {
    let d: Vec<f64> = last.particles.iter().map(|p| p.distance).collect();
    weighted_quantile(&d, &last.weights(), settings.alpha).max(settings.min_epsilon)
}

/// Whether to stop before the generation after `gens` (finished generations, in
/// order), and why.
pub fn stop_rule(settings: &Settings, gens: &[Population], budget: u64) -> Option<Stop> {
    let last = gens.last()?;
    let used: u64 = gens.iter().map(Population::runs).sum();
    let runs = last.runs();
    if last.generation > 0 && last.epsilon <= settings.min_epsilon {
        Some(Stop::Tolerance)
    } else if runs > 0 && (last.particles.len() as f64 / runs as f64) < settings.min_acceptance {
        Some(Stop::Acceptance)
    } else if gens.len() as u64 >= settings.max_generations as u64 {
        Some(Stop::Generations)
    } else if used >= budget {
        Some(Stop::Budget)
    } else if next_epsilon(settings, last) >= last.epsilon {
        Some(Stop::Stalled)
    } else {
        None
    }
}

/// Simulations the generation after `gens` may run: the budget minus the simulations
/// of the finished generations.
pub fn remaining(gens: &[Population], budget: u64) -> u64 {
    budget.saturating_sub(gens.iter().map(Population::runs).sum())
}

/// A particle found: accepted at attempt `attempt` after `runs` simulations.
#[derive(Clone, Debug, PartialEq)]
pub struct Accepted {
    /// Parameter values on the natural scale.
    pub theta: Vec<f64>,
    /// Distance between the accepted simulation and the data (at most the
    /// generation's tolerance).
    pub distance: f64,
    /// Simulations run (proposals outside the prior not counted).
    pub runs: u32,
    /// The attempt that was accepted (proposals outside the prior counted).
    pub attempt: u32,
}

/// Proposes parameter vectors for one generation: from the prior for generation 0,
/// else by perturbing a weighted draw from the previous generation.
pub struct Proposer<'a> {
    settings: &'a Settings,
    generation: u32,
    previous: Option<Previous>,
}

struct Previous {
    working: Vec<Vec<f64>>,
    log_weights: Vec<f64>,
    cumulative: Vec<f64>,
    kernel: Kernel,
}

impl<'a> Proposer<'a> {
    /// The proposer of the generation after `last` (generation 0 if `None`).
    pub fn new(settings: &'a Settings, last: Option<&Population>) -> Proposer<'a> {
        let params = &settings.parameters;
        Proposer {
            settings,
            generation: last.map_or(0, |p| p.generation + 1),
            previous: last.map(|pop| Previous {
                working: pop
                    .particles
                    .iter()
                    .map(|p| working(params, &p.theta))
                    .collect(),
                log_weights: pop.particles.iter().map(|p| p.weight.ln()).collect(),
                cumulative: pop.cumulative(),
                kernel: Kernel::fit(pop, params),
            }),
        }
    }

    /// The kernel in use (none for generation 0).
    pub fn kernel(&self) -> Option<&Kernel> {
        self.previous.as_ref().map(|p| &p.kernel)
    }

    /// The proposal of attempt `attempt` for particle `particle`, on the natural scale;
    /// `None` when the perturbed vector lies outside the prior.
    pub fn propose(&self, particle: u32, attempt: u32) -> Option<Vec<f64>> {
        let params = &self.settings.parameters;
        let mut r = rng::stream(
            self.settings.seed,
            self.generation as u64,
            particle as u64,
            attempt as u64,
            Purpose::Calibration,
        );
        let Some(prev) = &self.previous else {
            return Some(
                params
                    .iter()
                    .map(|p| p.prior.at_unit(r.random::<f64>()))
                    .collect(),
            );
        };
        let parent = draw_index(&prev.cumulative, r.random::<f64>());
        let z = prev.kernel.perturb(&prev.working[parent], &mut r);
        params
            .iter()
            .zip(&z)
            .all(|(p, &z)| p.prior.contains_working(z))
            .then(|| {
                params
                    .iter()
                    .zip(&z)
                    .map(|(p, &z)| p.prior.to_natural(z))
                    .collect()
            })
    }

    /// Normalised importance weights of a finished generation's particles (natural
    /// scale, in index order): equal for generation 0, else
    /// `pi(z_i) / sum_j w_j K(z_i | z_j)`.
    pub fn weights(&self, thetas: &[Vec<f64>]) -> Vec<f64> {
        let n = thetas.len();
        let Some(prev) = &self.previous else {
            return vec![1.0 / n as f64; n];
        };
        let params = &self.settings.parameters;
        let logw: Vec<f64> = thetas
            .iter()
            .map(|theta| {
                let z = working(params, theta);
                let prior: f64 = params
                    .iter()
                    .zip(&z)
                    .map(|(p, &z)| p.prior.log_density_working(z))
                    .sum();
                let terms = prev
                    .working
                    .iter()
                    .zip(&prev.log_weights)
                    .map(|(from, lw)| lw + prev.kernel.log_density_unnormalised(&z, from));
                prior - log_sum_exp(terms)
            })
            .collect();
        let top = logw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let raw: Vec<f64> = logw.iter().map(|l| (l - top).exp()).collect();
        let total: f64 = raw.iter().sum();
        raw.iter().map(|w| w / total).collect()
    }

    /// Searches for particle `particle` with tolerance `epsilon`; `simulate(theta, seed)`
    /// returns the distance to the data. Before each simulation `may_simulate()` is
    /// asked; if it says no, the search ends with `None` (the budget is spent).
    pub fn find<E: fmt::Display>(
        &self,
        particle: u32,
        epsilon: f64,
        may_simulate: &(impl Fn() -> bool + ?Sized),
        simulate: &(impl Fn(&[f64], u64) -> Result<f64, E> + ?Sized),
    ) -> Result<Option<Accepted>, CalibrationError> {
        let (mut runs, mut outside) = (0u32, 0u32);
        let mut attempt = 0u32;
        loop {
            let Some(theta) = self.propose(particle, attempt) else {
                outside += 1;
                if outside >= MAX_OUTSIDE {
                    return Err(CalibrationError::Settings(format!(
                        "generation {}, particle {particle}: {MAX_OUTSIDE} proposals in a \
                         row fell outside the prior",
                        self.generation
                    )));
                }
                attempt += 1;
                continue;
            };
            outside = 0;
            if !may_simulate() {
                return Ok(None);
            }
            let seed = derive_seed(
                self.settings.seed,
                &[
                    SIMULATION_TAG,
                    self.generation as u64,
                    particle as u64,
                    attempt as u64,
                ],
            );
            let distance = simulate(&theta, seed).map_err(|e| CalibrationError::Simulation {
                generation: self.generation,
                particle,
                attempt,
                message: e.to_string(),
            })?;
            runs += 1;
            let distance = if distance.is_nan() {
                f64::INFINITY
            } else {
                distance
            };
            if distance <= epsilon {
                return Ok(Some(Accepted {
                    theta,
                    distance,
                    runs,
                    attempt,
                }));
            }
            attempt += 1;
        }
    }
}

/// A parameter vector on the working scale.
pub fn working(params: &[Parameter], theta: &[f64]) -> Vec<f64> {
    params
        .iter()
        .zip(theta)
        .map(|(p, &x)| p.prior.to_working(x))
        .collect()
}

/// `ln sum exp(x_i)` without overflow or underflow.
fn log_sum_exp(xs: impl Iterator<Item = f64> + Clone) -> f64 {
    let top = xs.clone().fold(f64::NEG_INFINITY, f64::max);
    if top == f64::NEG_INFINITY {
        return top;
    }
    top + xs.map(|x| (x - top).exp()).sum::<f64>().ln()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::population::Particle;
    use crate::calibrate::prior::Prior;

    fn settings() -> Settings {
        Settings::new(
            vec![Parameter {
                name: "mu".into(),
                prior: Prior::uniform(-5.0, 5.0).unwrap(),
            }],
            4,
            9,
        )
    }

    fn population(generation: u32, epsilon: f64, ds: &[f64], runs: u32) -> Population {
        Population {
            generation,
            epsilon,
            particles: ds
                .iter()
                .enumerate()
                .map(|(i, &d)| Particle {
                    index: i as u32,
                    theta: vec![i as f64],
                    weight: 1.0 / ds.len() as f64,
                    distance: d,
                    runs,
                })
                .collect(),
        }
    }

    #[test]
    fn settings_are_checked_together() {
        let mut s = settings();
        assert!(s.check(4).is_ok());
        s.particles = 1;
        s.alpha = 1.0;
        let e = s.check(0).unwrap_err().to_string();
        assert!(e.contains("particles must be"), "{e}");
        assert!(e.contains("alpha"), "{e}");
        assert!(e.contains("budget"), "{e}");
        let mut s = settings();
        s.parameters.push(s.parameters[0].clone());
        assert!(s.check(10).unwrap_err().to_string().contains("twice"));
    }

    #[test]
    fn schedule_and_stopping_rules() {
        let s = settings();
        let g0 = population(0, f64::INFINITY, &[1.0, 2.0, 3.0, 4.0], 1);
        assert_eq!(next_epsilon(&s, &g0), 2.5);
        assert_eq!(stop_rule(&s, std::slice::from_ref(&g0), 100), None);
        assert_eq!(remaining(std::slice::from_ref(&g0), 100), 96);
        assert_eq!(remaining(std::slice::from_ref(&g0), 3), 0);
        assert_eq!(remaining(&[], 5), 5);
        assert_eq!(
            stop_rule(&s, std::slice::from_ref(&g0), 4),
            Some(Stop::Budget)
        );
        // Acceptance 4 / 800 = 0.5% < 1%.
        let g1 = population(1, 2.5, &[0.5, 1.0, 1.5, 2.0], 200);
        assert_eq!(
            stop_rule(&s, &[g0.clone(), g1], 10_000),
            Some(Stop::Acceptance)
        );
        let tied = population(1, 1.0, &[1.0, 1.0, 1.0, 0.5], 2);
        assert_eq!(
            stop_rule(&s, &[g0.clone(), tied], 10_000),
            Some(Stop::Stalled)
        );
        let mut s2 = s.clone();
        s2.min_epsilon = 2.5;
        assert_eq!(next_epsilon(&s2, &population(1, 3.0, &[0.0; 4], 1)), 2.5);
        let g1 = population(1, 2.5, &[0.5, 1.0, 1.5, 2.0], 2);
        assert_eq!(
            stop_rule(&s2, &[g0.clone(), g1.clone()], 10_000),
            Some(Stop::Tolerance)
        );
        let mut s3 = s.clone();
        s3.max_generations = 2;
        assert_eq!(stop_rule(&s3, &[g0, g1], 10_000), Some(Stop::Generations));
    }

    #[test]
    fn proposals_are_keyed_and_inside_the_prior() {
        let s = settings();
        let p0 = Proposer::new(&s, None);
        assert_eq!(p0.propose(3, 0), p0.propose(3, 0));
        assert_ne!(p0.propose(3, 0), p0.propose(4, 0));
        let g0 = population(0, f64::INFINITY, &[1.0, 2.0, 3.0, 4.0], 1);
        let p1 = Proposer::new(&s, Some(&g0));
        let mut inside = 0;
        for a in 0..200 {
            if let Some(x) = p1.propose(0, a) {
                assert!((-5.0..=5.0).contains(&x[0]));
                inside += 1;
            }
        }
        assert!(inside > 150, "{inside}");
        assert_eq!(p0.weights(&[vec![0.0], vec![1.0]]), vec![0.5, 0.5]);
        // Symmetric parents around 1.5: a particle at the centre is proposed more
        // often, so weighs less than one at the edge.
        let w = p1.weights(&[vec![1.5], vec![4.9]]);
        assert!(w[0] < w[1] && (w[0] + w[1] - 1.0).abs() < 1e-12, "{w:?}");
    }

    #[test]
    fn a_particle_is_accepted_or_stopped_by_the_budget() {
        let s = settings();
        let p = Proposer::new(&s, None);
        let left = std::cell::Cell::new(7);
        let may = || {
            left.set(left.get() - 1);
            left.get() >= 0
        };
        let never = |_: &[f64], _: u64| -> Result<f64, String> { Ok(10.0) };
        assert_eq!(p.find(0, 1.0, &may, &never).unwrap(), None);
        assert_eq!(left.get(), -1);
        let yes = || true;
        let always = |x: &[f64], _: u64| -> Result<f64, String> { Ok(x[0].abs()) };
        let a = p.find(0, f64::INFINITY, &yes, &always).unwrap().unwrap();
        assert_eq!((a.runs, a.attempt), (1, 0));
        let fails = |_: &[f64], _: u64| -> Result<f64, String> { Err("boom".into()) };
        let e = p.find(2, 1.0, &yes, &fails).unwrap_err().to_string();
        assert!(e.contains("particle 2") && e.contains("boom"), "{e}");
        // A NaN distance is infinite: accepted only by an infinite tolerance.
        let nan = |_: &[f64], _: u64| -> Result<f64, String> { Ok(f64::NAN) };
        let a = p.find(0, f64::INFINITY, &yes, &nan).unwrap().unwrap();
        assert_eq!(a.distance, f64::INFINITY);
        left.set(3);
        assert_eq!(p.find(0, 1.0, &may, &nan).unwrap(), None);
    }
}
