//! Morris elementary effects (Morris 1991), with the mu* measure of Campolongo,
//! Cariboni & Saltelli (2007): a screening of `k` parameters in `r (k + 1)` runs.
//!
//! # Design
//! Each parameter takes `p` levels `0, 1/(p-1), ..., 1` (`p` even), and a jump is
//! `delta = p / (2 (p - 1))`, i.e. `p/2` levels, so every level is reached equally
//! often. A trajectory starts from a base point `x*` whose coordinates are drawn from
//! the lower levels `{0, ..., 1 - delta}`, and moves one parameter at a time, in a
//! random order, by `+delta` or `-delta` (random directions), in Morris's matrix form
//!
//! ```text
//!     B* = (J x* + (delta/2) [(2 B - J) D* + J]) P*
//! ```
//!
//! with `B` the strictly lower triangular matrix of ones, `J` all ones, `D*` the random
//! signs and `P*` the random permutation: point 0 has `x*_i` where the direction of
//! `i` is up and `x*_i + delta` where it is down, and point `s` differs from point
//! `s - 1` only in the `s`-th parameter of the order. Trajectory `t` draws its base
//! point, signs and order from the stream keyed by (seed, `t`), so any row of the
//! design can be computed alone. Rows are numbered trajectory by trajectory:
//! row `t (k + 1) + s` is point `s` of trajectory `t`.
//!
//! # Analysis
//! The elementary effect of parameter `i` in trajectory `t` is
//! `EE_i^t = (y(x + delta e_i) - y(x)) / delta`, taken in the direction the trajectory
//! moved (for a step down, `x` is the lower point). Over the `r` trajectories:
//!
//! ```text
//!     mu_i    = (1/r) sum_t EE_i^t
//!     mu*_i   = (1/r) sum_t |EE_i^t|                (Campolongo et al. 2007)
//!     sigma_i = sqrt( (1/(r-1)) sum_t (EE_i^t - mu_i)^2 )
//! ```
//!
//! Effects are in output units per the whole range of the parameter (a jump of
//! `delta` is a share `delta` of the range), so parameters of different units compare
//! directly; divide by `max - min` for effects per unit of a parameter. A large mu*
//! marks an important parameter; a large sigma relative to mu* marks one that acts
//! through interactions or nonlinearly; `|mu|` much below mu* marks effects of both
//! signs. mu* carries a bootstrap interval over trajectories. The formulas and the
//! sample standard deviation match SALib's `morris.analyze` (checked by
//! `scripts/crosscheck-sensitivity.sh`).
//!
//! Campolongo et al. (2007) also choose the `r` trajectories out of many candidates to
//! spread them out; that optimisation is not done here (trajectories are independent
//! draws).
//!
//! # References
//! - Morris, M. D. (1991). Factorial sampling plans for preliminary computational
//!   experiments. *Technometrics* 33(2), 161-174.
//! - Campolongo, F., Cariboni, J., Saltelli, A. (2007). An effective screening design
//!   for sensitivity analysis of large models. *Environmental Modelling & Software*
//!   22(10), 1509-1518.
//!
//! # Complexity
//! One row: O(k) (its trajectory is redrawn). All rows and the analysis: O(r k^2)
//! for the points, O(r k + resamples r k) for the analysis.

use super::{check_outputs, resample, rows_of, Bootstrap, Estimate};
use crate::error::SensitivityError;
use crate::rng::{self, derive_seed};
use rand::Rng as _;
use serde::Serialize;

/// Key part of trajectory streams ("MORRIS").
const TRAJECTORY_TAG: u64 = 0x4D4F_5252_4953;
/// Key part of bootstrap streams ("MORRBOOT").
const BOOTSTRAP_TAG: u64 = 0x4D4F_5252_424F_4F54;

/// A Morris design: `trajectories` trajectories of `dims + 1` points on a grid of
/// `levels` levels per parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MorrisDesign {
    dims: usize,
    trajectories: usize,
    levels: usize,
    seed: u64,
}

/// One trajectory in level indices (`0..levels`).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Trajectory {
    /// Levels of point 0.
    start: Vec<usize>,
    /// The parameter moved at step `s` is `order[s - 1]`.
    order: Vec<usize>,
    /// Whether each parameter moves up (else down).
    up: Vec<bool>,
}

impl MorrisDesign {
    /// A design for `dims` parameters (at least 1) with `trajectories` trajectories
    /// (at least 2, for sigma; 10 to 50 are usual) on a grid of `levels` levels (even,
    /// at least 2; 4 to 8 are usual).
    pub fn new(
        dims: usize,
        trajectories: usize,
        levels: usize,
        seed: u64,
    ) -> Result<MorrisDesign, SensitivityError> {
        if dims == 0 {
            return Err(SensitivityError::NoParameters);
        }
        if trajectories < 2 {
            return Err(SensitivityError::TooFew {
                what: "Morris trajectories",
                got: trajectories,
                min: 2,
            });
        }
        if levels < 2 || levels % 2 == 1 {
            return Err(SensitivityError::Levels(levels));
        }
        rows_of(trajectories, dims + 1)?;
        Ok(MorrisDesign {
            dims,
            trajectories,
            levels,
            seed,
        })
    }

    /// Number of parameters.
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// Number of trajectories.
    pub fn trajectories(&self) -> usize {
        self.trajectories
    }

    /// Number of grid levels per parameter.
    pub fn levels(&self) -> usize {
        self.levels
    }

    /// The jump `delta = p / (2 (p - 1))` in unit-cube terms.
    pub fn delta(&self) -> f64 {
        self.levels as f64 / (2.0 * (self.levels - 1) as f64)
    }

    /// Number of model runs: `trajectories (dims + 1)`.
    pub fn rows(&self) -> usize {
        self.trajectories * (self.dims + 1)
    }

    /// The jump in levels, `p/2`.
    fn jump(&self) -> usize {
        self.levels / 2
    }

    /// Trajectory `t`, from its own stream: base levels, then directions, then order.
    fn trajectory(&self, t: usize) -> Trajectory {
        let mut r = rng::from_seed(derive_seed(self.seed, &[TRAJECTORY_TAG, t as u64]));
        let base: Vec<usize> = (0..self.dims)
            .map(|_| r.random_range(0..self.jump()))
            .collect();
        let up: Vec<bool> = (0..self.dims).map(|_| r.random::<bool>()).collect();
        let mut order: Vec<usize> = (0..self.dims).collect();
        for i in (1..self.dims).rev() {
            order.swap(i, r.random_range(0..=i));
        }
        let start = base
            .iter()
            .zip(&up)
            .map(|(&b, &u)| if u { b } else { b + self.jump() })
            .collect();
        Trajectory { start, order, up }
    }

    /// Levels of point `step` of a trajectory.
    fn levels_at(&self, t: &Trajectory, step: usize) -> Vec<usize> {
        let mut at = t.start.clone();
        for &i in &t.order[..step] {
            if t.up[i] {
                at[i] += self.jump();
            } else {
                at[i] -= self.jump();
            }
        }
        at
    }

    fn unit(&self, levels: &[usize]) -> Vec<f64> {
        let top = (self.levels - 1) as f64;
        levels.iter().map(|&l| l as f64 / top).collect()
    }

    /// The point of `row` in the unit cube (coordinates are grid levels in `[0, 1]`).
    pub fn point(&self, row: usize) -> Result<Vec<f64>, SensitivityError> {
        if row >= self.rows() {
            return Err(SensitivityError::Row {
                row,
                rows: self.rows(),
            });
        }
        let t = self.trajectory(row / (self.dims + 1));
        Ok(self.unit(&self.levels_at(&t, row % (self.dims + 1))))
    }

    /// Every point, by row id.
    pub fn points(&self) -> Vec<Vec<f64>> {
        let mut out = Vec::with_capacity(self.rows());
        for t in 0..self.trajectories {
            let traj = self.trajectory(t);
            for s in 0..=self.dims {
                out.push(self.unit(&self.levels_at(&traj, s)));
            }
        }
        out
    }

    /// The elementary effects `ee[i][t]` of parameter `i` in trajectory `t`, from one
    /// output per row.
    pub fn elementary_effects(&self, outputs: &[f64]) -> Result<Vec<Vec<f64>>, SensitivityError> {
        check_outputs(outputs, self.rows())?;
        let delta = self.delta();
        let mut ee = vec![vec![0.0; self.trajectories]; self.dims];
        for t in 0..self.trajectories {
            let traj = self.trajectory(t);
            let y = &outputs[t * (self.dims + 1)..(t + 1) * (self.dims + 1)];
            for s in 1..=self.dims {
                let i = traj.order[s - 1];
                let step = if traj.up[i] { delta } else { -delta };
                ee[i][t] = (y[s] - y[s - 1]) / step;
            }
        }
        Ok(ee)
    }

    /// mu, mu* (with a bootstrap interval over trajectories) and sigma of every
    /// parameter, from one output per row.
    pub fn analyse(
        &self,
        outputs: &[f64],
        bootstrap: Bootstrap,
    ) -> Result<MorrisEffects, SensitivityError> {
        bootstrap.check()?;
        let ee = self.elementary_effects(outputs)?;
        let r = self.trajectories as f64;
        let samples: Vec<Vec<usize>> = (0..bootstrap.resamples)
            .map(|b| resample(self.seed, BOOTSTRAP_TAG, b, self.trajectories))
            .collect();
        let effects = ee
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let mu = e.iter().sum::<f64>() / r;
                let mu_star = e.iter().map(|x| x.abs()).sum::<f64>() / r;
                let sigma = (e.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (r - 1.0)).sqrt();
                let replicates = samples
                    .iter()
                    .map(|idx| idx.iter().map(|&t| e[t].abs()).sum::<f64>() / r)
                    .collect();
                MorrisEffect {
                    parameter: i,
                    mu,
                    mu_star: Estimate::from_replicates(mu_star, replicates, bootstrap.level),
                    sigma,
                }
            })
            .collect();
        Ok(MorrisEffects {
            effects,
            trajectories: self.trajectories,
            levels: self.levels,
            delta: self.delta(),
            resamples: bootstrap.resamples,
            level: bootstrap.level.get(),
        })
    }
}

/// The Morris measures of one parameter.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MorrisEffect {
    /// Index of the parameter in the design.
    pub parameter: usize,
    /// Mean elementary effect.
    pub mu: f64,
    /// Mean absolute elementary effect, with its bootstrap error and interval.
    pub mu_star: Estimate,
    /// Sample standard deviation of the elementary effects.
    pub sigma: f64,
}

/// The Morris measures of every parameter, in design order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MorrisEffects {
    /// One entry per parameter.
    pub effects: Vec<MorrisEffect>,
    /// Trajectories of the design (`r`).
    pub trajectories: usize,
    /// Levels of the grid (`p`).
    pub levels: usize,
    /// The jump, `p / (2 (p - 1))`.
    pub delta: f64,
    /// Bootstrap resamples of the mu* intervals.
    pub resamples: usize,
    /// Confidence level of the mu* intervals.
    pub level: f64,
}

impl MorrisEffects {
    /// Parameter indices from the largest mu* to the smallest (ties in design order).
    pub fn ranking(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.effects.len()).collect();
        order.sort_by(|&a, &b| {
            self.effects[b]
                .mu_star
                .value
                .total_cmp(&self.effects[a].mu_star.value)
        });
        order
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sensitivity::functions::Linear;

    fn run(design: &MorrisDesign, f: impl Fn(&[f64]) -> f64) -> Vec<f64> {
        design.points().iter().map(|p| f(p)).collect()
    }

    #[test]
    fn trajectories_move_one_parameter_by_delta_each_step() {
        for (dims, levels) in [(1, 2), (3, 4), (7, 6), (12, 8)] {
            let d = MorrisDesign::new(dims, 20, levels, 5).unwrap();
            let pts = d.points();
            assert_eq!(pts.len(), d.rows());
            let grid = (levels - 1) as f64;
            for t in 0..20 {
                let traj = &pts[t * (dims + 1)..(t + 1) * (dims + 1)];
                let mut moved = vec![false; dims];
                for s in 1..=dims {
                    let changed: Vec<usize> = (0..dims)
                        .filter(|&i| traj[s][i] != traj[s - 1][i])
                        .collect();
                    assert_eq!(changed.len(), 1, "one parameter per step");
                    let i = changed[0];
                    assert!(!moved[i], "each parameter moves once");
                    moved[i] = true;
                    let jump = (traj[s][i] - traj[s - 1][i]).abs();
                    assert!((jump - d.delta()).abs() < 1e-12, "{jump}");
                }
                for p in traj {
                    for &x in p {
                        assert!((0.0..=1.0).contains(&x));
                        assert!(((x * grid).round() - x * grid).abs() < 1e-9, "on the grid");
                    }
                }
            }
        }
    }

    #[test]
    fn levels_are_visited_evenly() {
        // With p = 4 the base level is 0 or 1/3 and the jump 2/3: over many
        // trajectories each of the four levels holds about a quarter of the points.
        let d = MorrisDesign::new(2, 2000, 4, 11).unwrap();
        let mut counts = [0usize; 4];
        for p in d.points() {
            counts[(p[0] * 3.0).round() as usize] += 1;
        }
        let n = d.rows() as f64;
        for c in counts {
            // Binomial sd of a share near 1/4 over 6000 points is 0.0056.
            assert!((c as f64 / n - 0.25).abs() < 0.03, "{counts:?}");
        }
    }

    #[test]
    fn linear_function_has_exact_effects() {
        // EE_i = c_i exactly: mu = c_i, mu* = |c_i|, sigma = 0.
        let f = Linear {
            coefficients: vec![3.0, -2.0, 0.5, 0.0, 10.0],
        };
        let d = MorrisDesign::new(5, 10, 4, 42).unwrap();
        let m = d
            .analyse(&run(&d, |u| f.at_unit(u)), Bootstrap::default())
            .unwrap();
        for (e, &c) in m.effects.iter().zip(&f.coefficients) {
            assert!((e.mu - c).abs() < 1e-12, "{e:?}");
            assert!((e.mu_star.value - c.abs()).abs() < 1e-12);
            assert!(e.sigma < 1e-12);
            assert!(e.mu_star.interval.width() < 1e-12);
        }
        assert_eq!(m.ranking(), [4, 0, 1, 2, 3]);
    }

    #[test]
    fn interaction_shows_in_sigma_and_sign_changes_in_mu() {
        // f = u0 u1 + (u2 - 1/2)^2: EE_0 = u1 and EE_1 = u0 vary with the other
        // parameter; EE_2 = +-(jump) changes sign with the side of 1/2; u3 is inert.
        let d = MorrisDesign::new(4, 40, 4, 3).unwrap();
        let f = |u: &[f64]| u[0] * u[1] + (u[2] - 0.5).powi(2);
        let m = d.analyse(&run(&d, f), Bootstrap::default()).unwrap();
        let e = &m.effects;
        assert!(e[0].sigma > 0.1 && e[1].sigma > 0.1);
        // For u2 on levels {0, 1/3} -> {2/3, 1}: (x+2/3-1/2)^2 - (x-1/2)^2 = (2/3)(2x - 1/3)
        // per jump 2/3, i.e. 2x - 1/3 = -1/3 or +1/3: |EE| = 1/3 always, mean near 0.
        assert!((e[2].mu_star.value - 1.0 / 3.0).abs() < 1e-12);
        assert!(e[2].mu.abs() < e[2].mu_star.value);
        assert_eq!((e[3].mu, e[3].mu_star.value, e[3].sigma), (0.0, 0.0, 0.0));
        let first = m.ranking()[0];
        assert!(first == 0 || first == 1);
    }

    #[test]
    fn ishigami_effects_match_their_exact_expectation_on_four_levels() {
        // On the levels -pi, -pi/3, pi/3, pi a jump is 2/3 of the range: sin x1 changes
        // by +-sqrt(3)/2 and x3^4 by +-(80/81) pi^4 at every jump, and each level is
        // equally likely at the other parameters. Hence
        //   mu*_1 = (3/2)(sqrt 3/2)(1 + b pi^4 (1 + 1/81) / 2)
        //   mu*_2 = (3/2) a (3/4)                     (sin^2 x2 moves 0 <-> 3/4)
        //   mu*_3 = (3/2) b (80/81) pi^4 (sqrt 3/2) / 2   (sin x1 = 0 half the time)
        let f = crate::sensitivity::functions::Ishigami::STANDARD;
        let (a, b, pi4) = (f.a, f.b, std::f64::consts::PI.powi(4));
        let h = 3f64.sqrt() / 2.0;
        let exact = [
            1.5 * h * (1.0 + b * pi4 * (1.0 + 1.0 / 81.0) / 2.0),
            1.5 * a * 0.75,
            1.5 * b * (80.0 / 81.0) * pi4 * h / 2.0,
        ];
        let d = MorrisDesign::new(3, 200, 4, 8).unwrap();
        let m = d
            .analyse(&run(&d, |u| f.at_unit(u)), Bootstrap::default())
            .unwrap();
        // x2's effect is the same in every trajectory (up to sin(pi) != 0 in floats).
        assert!((m.effects[1].mu_star.value - exact[1]).abs() < 1e-9);
        for (e, want) in m.effects.iter().zip(exact) {
            let se = e.mu_star.std_error;
            assert!(
                (e.mu_star.value - want).abs() <= 4.0 * se.max(1e-9),
                "x{}: mu* {} vs {want}, SE {se}",
                e.parameter + 1,
                e.mu_star.value
            );
        }
    }

    #[test]
    fn rows_are_reproducible_one_at_a_time() {
        let d = MorrisDesign::new(6, 8, 6, 99).unwrap();
        let all = d.points();
        for (row, p) in all.iter().enumerate() {
            assert_eq!(&d.point(row).unwrap(), p);
        }
        assert_eq!(all, MorrisDesign::new(6, 8, 6, 99).unwrap().points());
        assert_ne!(all, MorrisDesign::new(6, 8, 6, 100).unwrap().points());
        assert_eq!(
            d.point(d.rows()),
            Err(SensitivityError::Row { row: 56, rows: 56 })
        );
    }

    #[test]
    fn design_points_are_pinned() {
        // Golden values: a change here changes every published Morris design.
        let d = MorrisDesign::new(2, 2, 4, 1).unwrap();
        let pts = d.points();
        let third = 1.0 / 3.0;
        assert_eq!(pts.len(), 6);
        let levels: Vec<Vec<usize>> = pts
            .iter()
            .map(|p| p.iter().map(|x| (x / third).round() as usize).collect())
            .collect();
        assert_eq!(levels, PINNED);
    }

    const PINNED: [[usize; 2]; 6] = [[0, 2], [0, 0], [2, 0], [3, 1], [1, 1], [1, 3]];

    #[test]
    fn bad_designs_and_outputs_are_refused() {
        assert_eq!(
            MorrisDesign::new(0, 10, 4, 1),
            Err(SensitivityError::NoParameters)
        );
        assert!(matches!(
            MorrisDesign::new(3, 1, 4, 1),
            Err(SensitivityError::TooFew { min: 2, .. })
        ));
        for p in [0, 1, 3, 5] {
            assert_eq!(
                MorrisDesign::new(3, 10, p, 1),
                Err(SensitivityError::Levels(p))
            );
        }
        assert!(matches!(
            MorrisDesign::new(1 << 20, 1 << 10, 4, 1),
            Err(SensitivityError::TooLarge { .. })
        ));
        let d = MorrisDesign::new(2, 3, 4, 1).unwrap();
        assert!(matches!(
            d.analyse(&[0.0; 8], Bootstrap::default()),
            Err(SensitivityError::Outputs {
                expected: 9,
                got: 8
            })
        ));
        let mut y = vec![0.0; 9];
        y[4] = f64::NAN;
        assert!(matches!(
            d.analyse(&y, Bootstrap::default()),
            Err(SensitivityError::NonFinite { count: 1, .. })
        ));
        let b = Bootstrap {
            resamples: 1,
            ..Bootstrap::default()
        };
        assert!(matches!(
            d.analyse(&[0.0; 9], b),
            Err(SensitivityError::TooFew { .. })
        ));
    }
}
