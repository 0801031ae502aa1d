//! The posterior predictive and the nowcast: the model run over the whole horizon for
//! parameter vectors drawn from the posterior, giving bands of what the windows would
//! have seen (to set against the data) and of the quantities no window sees (users
//! reached, believers, per camp) at the last observed time and beyond.
//!
//! Draw `j` takes a particle with probability equal to its weight, from a uniform keyed
//! by `derive_seed(seed, [PREDICTIVE_TAG, j])`, and simulates it with the seed
//! `derive_seed(seed, [PREDICTIVE_TAG, j, 1])`: the draws are the same on every machine,
//! thread count and resume. Bands are type-7 quantiles across draws (median, 5%, 95%),
//! so they carry both the posterior's spread and the model's own randomness.

use super::model::ScenarioModel;
use super::population::{draw_index, Population};
use crate::error::CalibrationError;
use crate::metrics::bands::Band;
use crate::metrics::observation::cumulative_by_step;
use crate::rng::{self, derive_seed};
use rand::Rng as _;
use rayon::prelude::*;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};

/// Key part of predictive draws ("PREDICT").
pub const PREDICTIVE_TAG: u64 = 0x50_5245_4449_4354;

/// One named quantity over the steps: its band across draws at every step.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Curve {
    /// Quantity name as in `nowcast.csv` (`reached`, `believers_<camp>`, ...) or the
    /// window's name for the predictive.
    pub name: String,
    /// Band across draws (median, 5% and 95%) at each step of the simulation.
    pub bands: Vec<Band>,
}

/// The posterior predictive of the windows and the nowcast of hidden quantities.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Predictive {
    /// Number of posterior draws simulated.
    pub draws: u32,
    /// Hours at the end of every step.
    pub hours: Vec<f64>,
    /// Cumulative rumor items per window with data, in the data's window order.
    pub windows: Vec<Curve>,
    /// `reached`, `read`, `believers`, then per camp (two or more camps)
    /// `reached_<camp>`, `believers_<camp>`.
    pub hidden: Vec<Curve>,
    /// The particle of each draw.
    pub particles: Vec<u32>,
}

/// What one draw's run gave: per curve, the value at every step.
struct Drawn {
    particle: u32,
    windows: Vec<Vec<u64>>,
    hidden: Vec<Vec<u64>>,
}

/// Simulates `draws` posterior draws over the whole horizon, in parallel.
pub fn predict(
    model: &ScenarioModel,
    posterior: &Population,
    draws: u32,
    seed: u64,
    interrupt: Option<&AtomicBool>,
) -> Result<Predictive, CalibrationError> {
    let scn0 = model.scenario();
    let steps = scn0.simulation.steps;
    let cumulative = posterior.cumulative();
    let camps = scn0.camp_names();
    let one = |j: u32| -> Result<Drawn, CalibrationError> {
        if interrupt.is_some_and(|i| i.load(Ordering::Relaxed)) {
            return Err(crate::error::Interrupted.into());
        }
        let u = rng::from_seed(derive_seed(seed, &[PREDICTIVE_TAG, j as u64])).random::<f64>();
        let particle = &posterior.particles[draw_index(&cumulative, u)];
        let sim_seed = derive_seed(seed, &[PREDICTIVE_TAG, j as u64, 1]);
        let (scn, out) = model
            .run(&particle.theta, sim_seed, steps)
            .map_err(|message| CalibrationError::Simulation {
                generation: posterior.generation,
                particle: particle.index,
                attempt: j,
                message: format!("posterior predictive draw {j}: {message}"),
            })?;
        let windows = model
            .data()
            .windows
            .iter()
            .map(|w| cumulative_by_step(&scn, &out, w.index))
            .collect();
        let mut hidden: Vec<Vec<u64>> = vec![
            out.records.iter().map(|r| r.reached).collect(),
            out.records.iter().map(|r| r.read).collect(),
            out.records.iter().map(|r| r.believers).collect(),
        ];
        if camps.len() > 1 {
            for c in 0..camps.len() {
                hidden.push(out.camp_records.iter().map(|r| r[c].reached).collect());
                hidden.push(out.camp_records.iter().map(|r| r[c].believers).collect());
            }
        }
        Ok(Drawn {
            particle: particle.index,
            windows,
            hidden,
        })
    };
    let drawn: Vec<Drawn> = (0..draws)
        .into_par_iter()
        .map(one)
        .collect::<Result<_, _>>()?;
    let band = |get: &dyn Fn(&Drawn) -> &Vec<u64>| -> Vec<Band> {
        (0..steps as usize)
            .map(|s| Band::of(drawn.iter().map(|d| get(d)[s] as f64)))
            .collect()
    };
    let mut hidden_names = vec!["reached".to_string(), "read".into(), "believers".into()];
    if camps.len() > 1 {
        for c in &camps {
            hidden_names.push(format!("reached_{c}"));
            hidden_names.push(format!("believers_{c}"));
        }
    }
    Ok(Predictive {
        draws,
        hours: (0..steps).map(|s| scn0.hours_at(s)).collect(),
        windows: model
            .data()
            .windows
            .iter()
            .enumerate()
            .map(|(k, w)| Curve {
                name: w.name.clone(),
                bands: band(&|d| &d.windows[k]),
            })
            .collect(),
        hidden: hidden_names
            .into_iter()
            .enumerate()
            .map(|(k, name)| Curve {
                name,
                bands: band(&|d| &d.hidden[k]),
            })
            .collect(),
        particles: drawn.iter().map(|d| d.particle).collect(),
    })
}

impl Predictive {
    /// The band of every hidden quantity at `hours` (the last step ending at or before
    /// it), by name.
    pub fn hidden_at(&self, hours: f64, step_minutes: f64) -> Vec<(String, Band)> {
        let s = step_index(hours, step_minutes, self.hours.len());
        self.hidden
            .iter()
            .map(|c| (c.name.clone(), s.map_or_else(Band::default, |s| c.bands[s])))
            .collect()
    }

    /// Share of the observed points of `model`'s data that lie inside the predictive
    /// 5-95% band of their window, with the number of points.
    pub fn coverage(&self, model: &ScenarioModel) -> (f64, usize) {
        let step = model.scenario().simulation.step_minutes;
        let (mut inside, mut all) = (0, 0);
        for (w, curve) in model.data().windows.iter().zip(&self.windows) {
            for &(t, c) in &w.points {
                all += 1;
                let band = step_index(t, step, self.hours.len()).map(|s| curve.bands[s]);
                // Before the first step ends a window has seen nothing.
                let (lo, hi) = band.map_or((0.0, 0.0), |b| (b.p5, b.p95));
                if lo <= c as f64 && c as f64 <= hi {
                    inside += 1;
                }
            }
        }
        let share = if all > 0 {
            inside as f64 / all as f64
        } else {
            f64::NAN
        };
        (share, all)
    }
}

/// The index of the last step ending at or before `hours`, if any (as
/// [`super::observed::simulated_at`] counts).
pub fn step_index(hours: f64, step_minutes: f64, steps: usize) -> Option<usize> {
    let done = (hours * 60.0 / step_minutes + 1e-9).floor() as usize;
    (done > 0 && steps > 0).then(|| done.min(steps) - 1)
}
