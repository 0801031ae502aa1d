//! Comparing scenarios: each scenario's figures across replicates, their difference
//! against the first scenario, and, where the design allows it, the paired
//! per-replicate difference.
//!
//! Every random draw is keyed by (seed, replicate, step, user, purpose), so replicate
//! `r` of a variant that shares the first scenario's seed sees the same random numbers
//! as replicate `r` of the first scenario until the variant's change first matters
//! (common random numbers). The difference `variant[r] - first[r]` then removes most of
//! the replicate-to-replicate noise both runs share, and its 5-95% range is far tighter
//! than the gap between two independent bands. This module only computes; the output
//! stage writes `comparison.csv`, the chart and the printed table from its result.

use super::bands::Band;
use super::probability::{
    EventProbability, Interval, IntervalMethod, Level, PairedDifference, Proportion,
};
use super::summary::{figure_value, RunSummary};

/// The figures compared, by their [`super::summary::figures`] names, in the order they are reported.
pub const COMPARED_FIGURES: [&str; 7] = [
    "final_reach",
    "final_reach_share",
    "final_believers",
    "final_believers_share",
    "hours_to_50pct",
    "cascade_depth",
    "structural_virality",
];

/// One scenario's runs as given to [`compare`].
#[derive(Clone, Copy, Debug)]
pub struct Arm<'a> {
    /// Scenario name.
    pub name: &'a str,
    /// Master seed the runs were made with.
    pub seed: u64,
    /// One summary per replicate, in replicate order.
    pub runs: &'a [RunSummary],
}

/// Whether a scenario's replicates pair with the first scenario's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pairing {
    /// Same seed, same replicates: replicate `r` is compared with replicate `r`.
    Paired,
    /// A different master seed: the random numbers are not shared.
    DifferentSeed {
        /// This scenario's seed.
        seed: u64,
        /// The first scenario's seed.
        first: u64,
    },
    /// A different number of replicates (or replicate ids that do not line up).
    DifferentReplicates {
        /// This scenario's replicates.
        replicates: usize,
        /// The first scenario's replicates.
        first: usize,
    },
}

impl Pairing {
    /// True for [`Pairing::Paired`].
    pub fn is_paired(&self) -> bool {
        matches!(self, Pairing::Paired)
    }
}

impl std::fmt::Display for Pairing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Pairing::Paired => write!(f, "paired"),
            Pairing::DifferentSeed { seed, first } => {
                write!(f, "unpaired: seed {seed}, first scenario's seed {first}")
            }
            Pairing::DifferentReplicates { replicates, first } => write!(
                f,
                "unpaired: {replicates} replicates, first scenario has {first}"
            ),
        }
    }
}

/// One figure of one scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct FigureComparison {
    /// A name from [`COMPARED_FIGURES`], or a figure at a report time
    /// (`reach_share@48h`).
    pub figure: String,
    /// Runs in which the figure has a value (a time never reached has none).
    pub runs_with_value: usize,
    /// Median, p5 and p95 across this scenario's replicates (NaN runs left out).
    pub band: Band,
    /// This scenario's median minus the first scenario's median.
    pub diff_median: f64,
    /// Median, p5 and p95 of the per-replicate differences `this[r] - first[r]`
    /// (pairs with a NaN on either side left out); `None` when unpaired.
    pub paired_diff: Option<Band>,
}

/// Every compared figure of one scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioComparison {
    /// The scenario's name.
    pub name: String,
    /// Its master seed.
    pub seed: u64,
    /// Its number of replicates.
    pub replicates: usize,
    /// How the replicates relate to the first scenario's. The first scenario is paired
    /// with itself, so its differences are all zero.
    pub pairing: Pairing,
    /// One entry per [`COMPARED_FIGURES`] name, in that order, then one per figure at a
    /// report time of the first scenario.
    pub figures: Vec<FigureComparison>,
    /// One entry per event of the first scenario (`outbreak`, `press@48h`, ...).
    pub events: Vec<EventComparison>,
}

/// One event of one scenario: its probability, and its difference from the first
/// scenario's.
#[derive(Clone, Debug, PartialEq)]
pub struct EventComparison {
    /// Event name, e.g. `press@48h`.
    pub event: String,
    /// Share of this scenario's runs with the event, Wilson's 95% interval.
    pub probability: EventProbability,
    /// The exact (Clopper-Pearson) 95% interval.
    pub exact: Interval,
    /// This probability minus the first scenario's, with Newcombe's 95% interval:
    /// for paired pairs of runs (replicate r with replicate r), or, unpaired, from the
    /// two independent Wilson intervals. `None` if either has no run with a value.
    pub difference: Option<(f64, Interval)>,
}

impl ScenarioComparison {
    /// The entry for a figure name, if it is one of [`COMPARED_FIGURES`].
    pub fn figure(&self, name: &str) -> Option<&FigureComparison> {
        self.figures.iter().find(|f| f.figure == name)
    }

    /// The entry for an event name.
    pub fn event(&self, name: &str) -> Option<&EventComparison> {
        self.events.iter().find(|e| e.event == name)
    }
}

/// The comparison of several scenarios against the first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Comparison {
    /// In the order given; the first is the reference.
    pub scenarios: Vec<ScenarioComparison>,
}

/// The values of the compared figures of one run, in the order of `names`
/// (NaN where a figure is undefined, e.g. hours to 50% of a rumor that never spread).
fn compared_values(run: &RunSummary, names: &[String]) -> Vec<f64> {
    names.iter().map(|n| figure_value(run, n)).collect()
}

/// The outcomes of `event` in each run (`None`: no value).
fn outcomes(runs: &[RunSummary], event: &str) -> Vec<Option<bool>> {
    runs.iter()
        .map(|r| r.events.get(event).filter(|v| !v.is_nan()).map(|v| v > 0.5))
        .collect()
}

/// `p_variant - p_reference` of independent samples, with Newcombe's (1998)
/// square-and-add interval from the two Wilson intervals (method 10 with no
/// correlation).
pub fn unpaired_difference(
    variant: Proportion,
    reference: Proportion,
    level: Level,
) -> (f64, Interval) {
    let (p1, p2) = (variant.estimate(), reference.estimate());
    let (w1, w2) = (variant.wilson(level), reference.wilson(level));
    let d = p1 - p2;
    let lower = d - ((p1 - w1.lower).powi(2) + (w2.upper - p2).powi(2)).sqrt();
    let upper = d + ((w1.upper - p1).powi(2) + (p2 - w2.lower).powi(2)).sqrt();
    (
        d,
        Interval {
            lower: lower.max(-1.0),
            upper: upper.min(1.0),
        },
    )
}

/// The event comparison of `own` against `first`.
fn compare_event(
    event: &str,
    own: &[RunSummary],
    first: &[RunSummary],
    paired: bool,
) -> Option<EventComparison> {
    let level = Level::P95;
    let mine = outcomes(own, event);
    let p = Proportion::of(mine.iter().flatten().copied()).ok()?;
    let theirs = outcomes(first, event);
    let difference = if paired {
        let (r, v): (Vec<bool>, Vec<bool>) = theirs
            .iter()
            .zip(&mine)
            .filter_map(|(a, b)| Some(((*a)?, (*b)?)))
            .unzip();
        PairedDifference::of(&r, &v, level)
            .ok()
            .map(|d| (d.estimate, d.interval))
    } else {
        Proportion::of(theirs.iter().flatten().copied())
            .ok()
            .map(|q| unpaired_difference(p, q, level))
    };
    Some(EventComparison {
        event: event.to_string(),
        probability: p.probability(IntervalMethod::Wilson, level),
        exact: p.clopper_pearson(level),
        difference,
    })
}

/// How `arm` pairs with `first`.
fn pairing(arm: &Arm, first: &Arm) -> Pairing {
    if arm.seed != first.seed {
        return Pairing::DifferentSeed {
            seed: arm.seed,
            first: first.seed,
        };
    }
    let aligned = arm.runs.len() == first.runs.len()
        && arm
            .runs
            .iter()
            .zip(first.runs)
            .all(|(a, b)| a.replicate == b.replicate);
    if aligned {
        Pairing::Paired
    } else {
        Pairing::DifferentReplicates {
            replicates: arm.runs.len(),
            first: first.runs.len(),
        }
    }
}

/// Compares every scenario with the first.
///
/// Bands ignore NaN values; a figure that is NaN in every run gives NaN statistics,
/// and so does a scenario without runs. An empty `arms` gives an empty comparison.
///
/// # Complexity
/// O(scenarios x replicates x log replicates).
pub fn compare(arms: &[Arm]) -> Comparison {
    let Some(first) = arms.first() else {
        return Comparison::default();
    };
    let mut names: Vec<String> = COMPARED_FIGURES.iter().map(|s| s.to_string()).collect();
    if let Some(r) = first.runs.first() {
        names.extend(r.at.names().map(String::from));
    }
    let event_names: Vec<String> = first
        .runs
        .first()
        .map(|r| r.events.names().map(String::from).collect())
        .unwrap_or_default();
    let values = |arm: &Arm| -> Vec<Vec<f64>> {
        arm.runs
            .iter()
            .map(|r| compared_values(r, &names))
            .collect()
    };
    let first_values = values(first);
    let first_bands: Vec<Band> = (0..names.len())
        .map(|i| Band::of(first_values.iter().map(|v| v[i])))
        .collect();
    let scenarios = arms
        .iter()
        .map(|arm| {
            let own = values(arm);
            let pairing = pairing(arm, first);
            let figures = names
                .iter()
                .enumerate()
                .map(|(i, figure)| {
                    let band = Band::of(own.iter().map(|v| v[i]));
                    let runs_with_value = own.iter().filter(|v| !v[i].is_nan()).count();
                    let paired_diff = pairing.is_paired().then(|| {
                        // NaN on either side makes the difference NaN, which Band skips.
                        Band::of(own.iter().zip(&first_values).map(|(a, b)| a[i] - b[i]))
                    });
                    FigureComparison {
                        figure: figure.clone(),
                        runs_with_value,
                        band,
                        diff_median: band.median - first_bands[i].median,
                        paired_diff,
                    }
                })
                .collect();
            let events = event_names
                .iter()
                .filter_map(|e| compare_event(e, arm.runs, first.runs, pairing.is_paired()))
                .collect();
            ScenarioComparison {
                name: arm.name.to_string(),
                seed: arm.seed,
                replicates: arm.runs.len(),
                pairing,
                figures,
                events,
            }
        })
        .collect();
    Comparison { scenarios }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run with the given reach share, believer share and hours to 50% of reach.
    fn run(replicate: u32, reach: f64, believers: f64, t50: Option<f64>) -> RunSummary {
        RunSummary {
            replicate,
            users: 1000,
            final_reach: (reach * 1000.0) as u64,
            final_reach_share: reach,
            final_believers: (believers * 1000.0) as u64,
            final_believers_share: believers,
            hours_to_50pct: t50,
            ..Default::default()
        }
    }

    fn runs(values: &[(f64, f64)]) -> Vec<RunSummary> {
        values
            .iter()
            .enumerate()
            .map(|(r, &(reach, bel))| run(r as u32, reach, bel, Some(10.0 + r as f64)))
            .collect()
    }

    fn arm<'a>(name: &'a str, seed: u64, runs: &'a [RunSummary]) -> Arm<'a> {
        Arm { name, seed, runs }
    }

    fn get<'a>(c: &'a Comparison, s: usize, figure: &str) -> &'a FigureComparison {
        c.scenarios[s].figure(figure).unwrap()
    }

    #[test]
    fn paired_differences_remove_shared_noise() {
        // Replicates differ a lot from each other, but the variant is always exactly
        // 0.05 below the base on the same replicate: the paired band is a point.
        let base = runs(&[(0.2, 0.1), (0.5, 0.3), (0.8, 0.6), (0.3, 0.2), (0.6, 0.4)]);
        let variant = runs(&[
            (0.15, 0.05),
            (0.45, 0.25),
            (0.75, 0.55),
            (0.25, 0.15),
            (0.55, 0.35),
        ]);
        let c = compare(&[arm("base", 7, &base), arm("variant", 7, &variant)]);
        assert_eq!(c.scenarios.len(), 2);
        assert_eq!(c.scenarios[1].pairing, Pairing::Paired);
        let reach = get(&c, 1, "final_reach_share");
        let d = reach.paired_diff.unwrap();
        for x in [d.median, d.p5, d.p95] {
            assert!((x + 0.05).abs() < 1e-12, "{d:?}");
        }
        assert!((reach.diff_median + 0.05).abs() < 1e-12);
        // The unpaired spread of the variant is wide; the paired one is not.
        assert!(reach.band.p95 - reach.band.p5 > 0.4);
    }

    #[test]
    fn paired_quantiles_are_taken_over_the_differences() {
        // Differences 0, 1, 2, 3, 10 (numpy: median 2, p5 0.2, p95 8.6), while the
        // difference of medians is 3 - 0 = 3.
        let base: Vec<RunSummary> = [10.0, 0.0, 0.0, 0.0, 0.0]
            .iter()
            .enumerate()
            .map(|(r, &x)| run(r as u32, x, 0.0, None))
            .collect();
        let variant: Vec<RunSummary> = [10.0, 1.0, 2.0, 3.0, 10.0]
            .iter()
            .enumerate()
            .map(|(r, &x)| run(r as u32, x, 0.0, None))
            .collect();
        let c = compare(&[arm("a", 1, &base), arm("b", 1, &variant)]);
        let f = get(&c, 1, "final_reach_share");
        let d = f.paired_diff.unwrap();
        assert!((d.median - 2.0).abs() < 1e-12, "{d:?}");
        assert!((d.p5 - 0.2).abs() < 1e-12, "{d:?}");
        assert!((d.p95 - 8.6).abs() < 1e-12, "{d:?}");
        assert!((f.diff_median - 3.0).abs() < 1e-12);
    }

    #[test]
    fn first_scenario_is_paired_with_itself() {
        let base = runs(&[(0.2, 0.1), (0.5, 0.3), (0.8, 0.6)]);
        let c = compare(&[arm("base", 3, &base)]);
        let s = &c.scenarios[0];
        assert_eq!(s.pairing, Pairing::Paired);
        assert_eq!(s.replicates, 3);
        assert_eq!(s.figures.len(), COMPARED_FIGURES.len());
        for f in &s.figures {
            assert_eq!(f.diff_median, 0.0, "{}", f.figure);
            let d = f.paired_diff.unwrap();
            assert_eq!((d.median, d.p5, d.p95), (0.0, 0.0, 0.0), "{}", f.figure);
        }
    }

    #[test]
    fn different_seed_or_replicates_is_unpaired() {
        let base = runs(&[(0.2, 0.1), (0.5, 0.3), (0.8, 0.6)]);
        let fewer = runs(&[(0.2, 0.1), (0.5, 0.3)]);
        let c = compare(&[
            arm("base", 3, &base),
            arm("reseeded", 4, &base),
            arm("fewer", 3, &fewer),
        ]);
        assert_eq!(
            c.scenarios[1].pairing,
            Pairing::DifferentSeed { seed: 4, first: 3 }
        );
        assert_eq!(
            c.scenarios[2].pairing,
            Pairing::DifferentReplicates {
                replicates: 2,
                first: 3
            }
        );
        for s in &c.scenarios[1..] {
            assert!(!s.pairing.is_paired());
            assert!(s.figures.iter().all(|f| f.paired_diff.is_none()));
        }
        // The difference of medians is still reported: 0.35 - 0.5.
        let f = get(&c, 2, "final_reach_share");
        assert!((f.diff_median + 0.15).abs() < 1e-12);

        // Same count but replicate ids that do not line up.
        let mut shuffled = base.clone();
        shuffled.swap(0, 1);
        let c = compare(&[arm("base", 3, &base), arm("shuffled", 3, &shuffled)]);
        assert!(!c.scenarios[1].pairing.is_paired());
    }

    #[test]
    fn nan_figures_are_left_out_not_propagated() {
        // Hours to 50% is undefined in replicate 1 of the base and 2 of the variant:
        // only replicates 0 and 3 pair up (differences 1 and 3).
        let t = |r: u32, x: Option<f64>| run(r, 0.5, 0.2, x);
        let base = vec![
            t(0, Some(10.0)),
            t(1, None),
            t(2, Some(12.0)),
            t(3, Some(20.0)),
        ];
        let variant = vec![
            t(0, Some(11.0)),
            t(1, Some(5.0)),
            t(2, None),
            t(3, Some(23.0)),
        ];
        let c = compare(&[arm("a", 1, &base), arm("b", 1, &variant)]);
        let f = get(&c, 1, "hours_to_50pct");
        let d = f.paired_diff.unwrap();
        assert_eq!(d.median, 2.0);
        assert!(
            (d.p5 - 1.1).abs() < 1e-12 && (d.p95 - 2.9).abs() < 1e-12,
            "{d:?}"
        );
        // Band of the variant over its 3 defined values: 5, 11, 23 -> median 11.
        assert_eq!(f.band.median, 11.0);
        // Base median over 10, 12, 20 is 12.
        assert_eq!(f.diff_median, -1.0);

        // A figure undefined everywhere gives NaN, not a panic.
        let never: Vec<RunSummary> = (0..3).map(|r| t(r, None)).collect();
        let c = compare(&[arm("a", 1, &never), arm("b", 1, &never)]);
        let f = get(&c, 1, "hours_to_50pct");
        assert!(f.band.median.is_nan() && f.diff_median.is_nan());
        assert!(f.paired_diff.unwrap().median.is_nan());
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        assert!(compare(&[]).scenarios.is_empty());
        let none: Vec<RunSummary> = Vec::new();
        let one = runs(&[(0.5, 0.2)]);
        let c = compare(&[arm("empty", 1, &none), arm("one", 1, &one)]);
        assert_eq!(c.scenarios[0].replicates, 0);
        assert!(c.scenarios[0].figures[0].band.median.is_nan());
        assert!(!c.scenarios[1].pairing.is_paired());
        assert!(c.scenarios[1].figures[1].diff_median.is_nan());
    }
}
