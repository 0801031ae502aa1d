//! What the observation windows saw, as figures: per run, when each window first saw
//! the rumor, how much of the spread it saw and how much it had seen by chosen times;
//! across runs, the probability that it saw the rumor at all and by each time (with
//! Wilson intervals, [`super::probability`]), the median time of first detection over
//! the runs where it happened, and bands of the shares. And the counts per period that
//! `observed.csv` holds, which calibration compares with real data.
//!
//! Times are the hours at the end of the step in which an observation was made (a
//! tipline report: the step it arrived), as everywhere in the outputs.

use super::bands::Band;
use super::probability::{Conditional, EventProbability, IntervalMethod, Level, Proportion};
use crate::record::{ObservedMessage, RunOutput};
use crate::scenario::{Scenario, Window};
use serde::{Deserialize, Serialize};

/// Figures of one window in one run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WindowFigures {
    /// The window's name.
    pub window: String,
    /// `monitor`, `tipline` or `public`.
    pub kind: String,
    /// Hours of the first rumor observation; `None`: the window never saw the rumor.
    pub first_detection_hours: Option<f64>,
    /// Rumor items seen: posts in the monitored groups, reports, public posts.
    pub rumor_seen: u64,
    /// Correction and answer posts seen (monitors).
    pub correction_seen: u64,
    /// Monitors: rumor posts seen as a share of all the run's rumor posts.
    pub posts_share: Option<f64>,
    /// Users seen: members of monitored groups the rumor reached there, or reporters.
    pub users_seen: Option<u64>,
    /// `users_seen` as a share of the users the rumor reached.
    pub users_share: Option<f64>,
    /// Rumor items seen by each of the window's chosen times.
    pub by: Vec<Detection>,
}

/// Rumor items a window had seen by a time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    /// Hours since time zero.
    pub hours: f64,
    /// Rumor items the window had seen by then (cumulative).
    pub seen: u64,
}

/// The figures of every window of `scn` in one run (empty without windows).
pub fn window_figures(scn: &Scenario, run: &RunOutput) -> Vec<WindowFigures> {
    let posts: u64 = run.records.iter().map(|r| r.posts).sum();
    let reach = run.records.last().map_or(0, |r| r.reached);
    let share = |x: u64, of: u64| (of > 0).then(|| x as f64 / of as f64);
    scn.observe
        .iter()
        .enumerate()
        .map(|(k, o)| {
            let events = run
                .observed
                .events
                .iter()
                .filter(|e| e.window as usize == k);
            let (mut rumor, mut correction, mut first) = (0u64, 0u64, None);
            let mut rumor_at = Vec::new();
            for e in events {
                if e.message == ObservedMessage::Rumor {
                    rumor += e.count as u64;
                    first.get_or_insert(e.step);
                    rumor_at.push((scn.hours_at(e.step), e.count as u64));
                } else {
                    correction += e.count as u64;
                }
            }
            let users = match o.window {
                Window::Public => None,
                Window::Monitor { .. } | Window::Tipline { .. } => {
                    Some(run.observed.users_seen.get(k).copied().unwrap_or(0))
                }
            };
            WindowFigures {
                window: o.name.clone(),
                kind: o.window.kind().to_string(),
                first_detection_hours: first.map(|s| scn.hours_at(s)),
                rumor_seen: rumor,
                correction_seen: correction,
                posts_share: match o.window {
                    Window::Monitor { .. } => share(rumor, posts),
                    _ => None,
                },
                users_seen: users,
                users_share: users.and_then(|u| share(u, reach)),
                by: o
                    .by
                    .iter()
                    .map(|d| Detection {
                        hours: d.hours(),
                        seen: rumor_at
                            .iter()
                            .filter(|(h, _)| *h <= d.hours() + 1e-9)
                            .map(|(_, c)| c)
                            .sum(),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// A window across runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WindowAggregate {
    /// The window's name.
    pub window: String,
    /// `monitor`, `tipline` or `public`.
    pub kind: String,
    /// Probability that the window saw the rumor at all, with its 95% Wilson interval.
    pub detected: EventProbability,
    /// Median hours of first detection over the runs where it happened.
    pub first_detection: Conditional<f64>,
    /// Band of the hours of first detection over those runs.
    pub first_detection_band: Band,
    /// Per chosen time: probability of a detection by then, and band of items seen.
    pub by: Vec<DetectionOdds>,
    /// Band of rumor items seen.
    pub rumor_seen: Band,
    /// Band of the share of rumor posts seen (monitors).
    pub posts_share: Option<Band>,
    /// Band of the share of reached users seen (monitors, tiplines).
    pub users_share: Option<Band>,
}

/// Detection by one time, across runs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct DetectionOdds {
    /// Hours since time zero.
    pub hours: f64,
    /// Probability of at least one rumor observation by then.
    pub probability: EventProbability,
    /// Band of rumor items seen by then.
    pub seen: Band,
}

/// The windows across runs: `runs[r]` holds run `r`'s [`window_figures`]. Empty
/// without windows or runs.
pub fn aggregate(runs: &[&[WindowFigures]]) -> Vec<WindowAggregate> {
    let Some(first) = runs.first() else {
        return Vec::new();
    };
    let prob = |hits: u64| {
        Proportion::new(hits, runs.len() as u64)
            .map(|p| p.probability(IntervalMethod::Wilson, Level::P95))
    };
    first
        .iter()
        .enumerate()
        .filter_map(|(k, w)| {
            let all: Vec<&WindowFigures> = runs.iter().filter_map(|r| r.get(k)).collect();
            let times: Vec<Option<f64>> = all.iter().map(|f| f.first_detection_hours).collect();
            let detected = prob(times.iter().filter(|t| t.is_some()).count() as u64).ok()?;
            let by = w
                .by
                .iter()
                .enumerate()
                .filter_map(|(i, d)| {
                    let seen: Vec<u64> = all
                        .iter()
                        .map(|f| f.by.get(i).map_or(0, |x| x.seen))
                        .collect();
                    Some(DetectionOdds {
                        hours: d.hours,
                        probability: prob(seen.iter().filter(|&&s| s > 0).count() as u64).ok()?,
                        seen: Band::of(seen.iter().map(|&s| s as f64)),
                    })
                })
                .collect();
            let opt_band = |get: &dyn Fn(&WindowFigures) -> Option<f64>| {
                let v: Vec<f64> = all.iter().filter_map(|f| get(f)).collect();
                (!v.is_empty()).then(|| Band::of(v))
            };
            Some(WindowAggregate {
                window: w.window.clone(),
                kind: w.kind.clone(),
                detected,
                first_detection: Conditional::median(times.iter().copied()),
                first_detection_band: Band::of(times.iter().map(|t| t.unwrap_or(f64::NAN))),
                by,
                rumor_seen: Band::of(all.iter().map(|f| f.rumor_seen as f64)),
                posts_share: opt_band(&|f| f.posts_share),
                users_share: opt_band(&|f| f.users_share),
            })
        })
        .collect()
}

/// One row of `observed.csv`: what window `window` saw in replicate `replicate`
/// during the period ending at `hours`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PeriodCount {
    /// Replicate number, from 0.
    pub replicate: u32,
    /// Hours at the end of the period.
    pub hours: f64,
    /// Index of the window.
    pub window: usize,
    /// Rumor items seen in the period.
    pub count: u64,
    /// Rumor items seen from time zero to the end of the period.
    pub cumulative: u64,
}

/// Rumor items each window saw, per period of the window, over the whole horizon:
/// periods of `period` whole steps (at least one), the last one cut at the horizon.
pub fn period_counts(scn: &Scenario, replicate: u32, run: &RunOutput) -> Vec<PeriodCount> {
    let steps = scn.simulation.steps;
    let mut out = Vec::new();
    for (k, o) in scn.observe.iter().enumerate() {
        let per = o.period.steps(scn.simulation.step_minutes).max(1) as u32;
        let mut by_step = vec![0u64; steps as usize];
        for e in run
            .observed
            .events
            .iter()
            .filter(|e| e.window as usize == k && e.message == ObservedMessage::Rumor)
        {
            by_step[e.step as usize] += e.count as u64;
        }
        let mut cumulative = 0;
        for start in (0..steps).step_by(per as usize) {
            let end = (start + per).min(steps);
            let count: u64 = by_step[start as usize..end as usize].iter().sum();
            cumulative += count;
            out.push(PeriodCount {
                replicate,
                hours: scn.hours_at(end - 1),
                window: k,
                count,
                cumulative,
            });
        }
    }
    out
}

/// Cumulative rumor items of window `k` at the end of every step.
pub fn cumulative_by_step(scn: &Scenario, run: &RunOutput, k: usize) -> Vec<u64> {
    let mut by_step = vec![0u64; scn.simulation.steps as usize];
    for e in run
        .observed
        .events
        .iter()
        .filter(|e| e.window as usize == k && e.message == ObservedMessage::Rumor)
    {
        by_step[e.step as usize] += e.count as u64;
    }
    let mut acc = 0;
    for c in &mut by_step {
        acc += *c;
        *c = acc;
    }
    by_step
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{ObservedEvent, StepRecord};

    fn scenario() -> Scenario {
        Scenario::from_toml_str(
            "[simulation]\nstep = \"1h\"\nhorizon = \"10h\"\n\
             [[observe]]\nkind = \"monitor\"\ngroups = 2\nperiod = \"3h\"\nby = [\"2h\", \"9h\"]\n\
             [[observe]]\nkind = \"tipline\"\nreport = 0.5\n",
            "t",
        )
        .unwrap()
    }

    fn event(window: u16, step: u32, message: ObservedMessage) -> ObservedEvent {
        ObservedEvent {
            window,
            step,
            message,
            hop: 1,
            labelled: false,
            subject: 0,
            count: 1,
        }
    }

    fn run() -> RunOutput {
        let mut out = RunOutput {
            records: (0..10)
                .map(|s| StepRecord {
                    step: s,
                    posts: 2,
                    reached: 10 * (s as u64 + 1),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        };
        out.observed.events = vec![
            event(0, 2, ObservedMessage::Rumor),
            event(0, 2, ObservedMessage::Rumor),
            event(0, 3, ObservedMessage::Correction),
            event(0, 9, ObservedMessage::Rumor),
        ];
        out.observed.users_seen = vec![25, 0];
        out
    }

    #[test]
    fn figures_of_one_run() {
        let f = window_figures(&scenario(), &run());
        assert_eq!(f[0].first_detection_hours, Some(3.0));
        assert_eq!((f[0].rumor_seen, f[0].correction_seen), (3, 1));
        assert_eq!(f[0].posts_share, Some(3.0 / 20.0));
        assert_eq!(f[0].users_share, Some(0.25));
        assert_eq!(
            f[0].by,
            [
                Detection {
                    hours: 2.0,
                    seen: 0
                },
                Detection {
                    hours: 9.0,
                    seen: 2
                }
            ]
        );
        assert_eq!(f[1].first_detection_hours, None);
        assert_eq!(f[1].posts_share, None);
        assert_eq!(f[1].users_seen, Some(0));
    }

    #[test]
    fn counts_per_period_and_cumulative() {
        let scn = scenario();
        let rows = period_counts(&scn, 4, &run());
        let monitor: Vec<(f64, u64, u64)> = rows
            .iter()
            .filter(|r| r.window == 0)
            .map(|r| (r.hours, r.count, r.cumulative))
            .collect();
        // Steps 0-2, 3-5, 6-8, 9: hours at the end 3, 6, 9, 10.
        assert_eq!(
            monitor,
            [(3.0, 2, 2), (6.0, 0, 2), (9.0, 0, 2), (10.0, 1, 3)]
        );
        assert!(rows.iter().all(|r| r.replicate == 4));
        assert_eq!(rows.iter().filter(|r| r.window == 1).count(), 10);
        assert_eq!(cumulative_by_step(&scn, &run(), 0)[2..4], [2, 2]);
    }

    #[test]
    fn across_runs() {
        let scn = scenario();
        let a = window_figures(&scn, &run());
        let b = window_figures(&scn, &RunOutput::default());
        let agg = aggregate(&[&a, &b]);
        assert_eq!(agg[0].detected.hits, 1);
        assert_eq!(agg[0].first_detection.value, Some(3.0));
        assert_eq!(agg[0].first_detection.hits, 1);
        assert_eq!(agg[0].by[1].probability.hits, 1);
        assert_eq!(agg[0].by[0].probability.hits, 0);
        assert_eq!(agg[1].detected.hits, 0);
        assert!(aggregate(&[]).is_empty());
    }
}
