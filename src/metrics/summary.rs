//! Per-run figures (final reach and belief, timing, the sharers' and the reach tree's
//! shapes, posts by hop) and their
//! aggregation across replicates. The figures written to files are declared once, in
//! [`FIGURES`], which the run-figure table of `docs/model.md` is generated from.

use super::at::NamedValues;
use super::bands::Band;
use super::cascade::{self, CascadeShape};
use super::StepRecord;
use serde::{Deserialize, Serialize};

/// Figures of one run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// Replicate number, from 0.
    pub replicate: u32,
    /// Users in the population.
    pub users: u64,
    /// Users reached by the end.
    pub final_reach: u64,
    /// `final_reach / users`.
    pub final_reach_share: f64,
    /// Users who read the rumor by the end.
    pub final_read: u64,
    /// Believers at the end.
    pub final_believers: u64,
    /// `final_believers / users`.
    pub final_believers_share: f64,
    /// Largest number of believers at any step.
    pub peak_believers: u64,
    /// Hours until reach first hit 10% of its final value (None if nobody was reached).
    pub hours_to_10pct: Option<f64>,
    /// As `hours_to_10pct`, for 50%.
    pub hours_to_50pct: Option<f64>,
    /// As `hours_to_10pct`, for 90%.
    pub hours_to_90pct: Option<f64>,
    /// Step with the most new reach (the first such step).
    pub peak_step: u32,
    /// Hours at the end of `peak_step`.
    pub peak_hours: f64,
    /// Rumor copies delivered over the run.
    pub deliveries: u64,
    /// Rumor posts over the run.
    pub posts: u64,
    /// Largest hop of a delivered rumor post.
    pub max_hops: u32,
    /// Shape of the sharers' forest: seeds and users who posted the rumor, each linked
    /// to the sender of the copy they forwarded (the literature's cascade tree).
    pub cascade: CascadeShape,
    /// Shape of the reach forest: every user reached, linked to the sender of their
    /// first copy.
    pub reach_tree: CascadeShape,
    /// Rumor posts at hop 0 over the run.
    pub posts_original: u64,
    /// Unlabelled rumor posts at hop 1 or more over the run.
    pub posts_forwarded: u64,
    /// Labelled rumor posts over the run.
    pub posts_labelled: u64,
    /// Forward actions over the run.
    pub share_actions: u64,
    /// Users the correction reached by the end.
    pub final_correction_reached: u64,
    /// Users immune at the end.
    pub final_immune: u64,
    /// Users corrected at the end.
    pub final_corrected: u64,
    /// The belief index at the end: believers + residual x corrected.
    #[serde(default)]
    pub final_belief_index: f64,
    /// Hours at which each intervention fired (None if it never did).
    pub interventions_fired_hours: Vec<Option<f64>>,
    /// Per camp (with more than one camp): final reach and belief.
    pub camps: Vec<CampSummary>,
    /// Hours to the first public post (None: never).
    pub hours_to_first_public_post: Option<f64>,
    /// Hours to the press pickup (None: never).
    pub hours_to_press: Option<f64>,
    /// Hours to the crisis (None: never).
    pub hours_to_crisis: Option<f64>,
    /// Public posts over the run.
    pub public_posts: u64,
    /// Public impressions over the run.
    pub public_reach: u64,
    /// What each observation window saw (empty without `[[observe]]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub observed: Vec<super::observation::WindowFigures>,
    /// Figures at the report times (`reach_share@48h`, ...; [`super::at`]).
    #[serde(default, skip_serializing_if = "NamedValues::is_empty")]
    pub at: NamedValues,
    /// Event outcomes, 1 or 0 (`outbreak`, `press`, `press@48h`, ...;
    /// [`super::events`]).
    #[serde(default, skip_serializing_if = "NamedValues::is_empty")]
    pub events: NamedValues,
}

/// Final figures of one camp.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CampSummary {
    /// The camp's name.
    pub camp: String,
    /// Users of the camp.
    pub users: u64,
    /// Users of the camp reached by the end.
    pub final_reach: u64,
    /// `final_reach` as a share of the camp's users.
    pub final_reach_share: f64,
    /// Believers of the camp at the end.
    pub final_believers: u64,
    /// `final_believers` as a share of the camp's users.
    pub final_believers_share: f64,
}

/// What `summarize` needs to know about the population besides the run.
pub struct Context<'a> {
    /// Users in the population.
    pub users: u64,
    /// (name, users) of each camp.
    pub camps: &'a [(String, u64)],
    /// `correction.residual`, for the belief index.
    pub residual: f64,
}

/// Computes a run's figures from its output.
/// `hours_at(step)` gives the simulated hours at the end of a step.
pub fn summarize(
    replicate: u32,
    ctx: &Context,
    run: &crate::record::RunOutput,
    hours_at: impl Fn(u32) -> f64,
) -> RunSummary {
    let (users, records, cascade_entries) =
        (ctx.users, run.records.as_slice(), run.cascade.as_slice());
    let last = records.last().copied().unwrap_or_default();
    let time_to = |frac: f64| {
        let target = (frac * last.reached as f64).ceil().max(1.0) as u64;
        records
            .iter()
            .find(|r| r.reached >= target)
            .map(|r| hours_at(r.step))
    };
    // First step with the largest new reach, so ties resolve deterministically.
    let peak = records
        .iter()
        .fold(None::<&StepRecord>, |best, r| match best {
            Some(b) if b.new_reached >= r.new_reached => Some(b),
            _ => Some(r),
        });
    let peak_step = peak.map(|r| r.step).unwrap_or(0);
    let share = |x: u64| {
        if users > 0 {
            x as f64 / users as f64
        } else {
            0.0
        }
    };
    RunSummary {
        replicate,
        users,
        final_reach: last.reached,
        final_reach_share: share(last.reached),
        final_read: last.read,
        final_believers: last.believers,
        final_believers_share: share(last.believers),
        peak_believers: records.iter().map(|r| r.believers).max().unwrap_or(0),
        hours_to_10pct: time_to(0.1),
        hours_to_50pct: time_to(0.5),
        hours_to_90pct: time_to(0.9),
        peak_step,
        peak_hours: hours_at(peak_step),
        deliveries: records.iter().map(|r| r.deliveries).sum(),
        posts: records.iter().map(|r| r.posts).sum(),
        max_hops: last.max_hops,
        cascade: cascade::sharers_shape(&run.sharers),
        reach_tree: cascade::shape(cascade_entries),
        posts_original: records.iter().map(|r| r.posts_original).sum(),
        posts_forwarded: records.iter().map(|r| r.posts_forwarded).sum(),
        posts_labelled: records.iter().map(|r| r.posts_labelled).sum(),
        share_actions: records.iter().map(|r| r.share_actions).sum(),
        final_correction_reached: last.correction_reached,
        final_immune: last.immune,
        final_corrected: last.corrected,
        final_belief_index: super::timeseries::belief_index(&last, ctx.residual),
        interventions_fired_hours: run.fired.iter().map(|f| f.map(&hours_at)).collect(),
        hours_to_first_public_post: run.stages.first_public_post.map(&hours_at),
        hours_to_press: run.stages.press.map(&hours_at),
        hours_to_crisis: run.stages.crisis.map(&hours_at),
        public_posts: records.iter().map(|r| r.public_posts).sum(),
        public_reach: last.public_reach,
        observed: Vec::new(),
        at: NamedValues::default(),
        events: NamedValues::default(),
        camps: match run.camp_records.last() {
            Some(last_camps) if ctx.camps.len() > 1 => ctx
                .camps
                .iter()
                .zip(last_camps)
                .map(|((name, n), c)| {
                    let share = |x: u64| if *n > 0 { x as f64 / *n as f64 } else { 0.0 };
                    CampSummary {
                        camp: name.clone(),
                        users: *n,
                        final_reach: c.reached,
                        final_reach_share: share(c.reached),
                        final_believers: c.believers,
                        final_believers_share: share(c.believers),
                    }
                })
                .collect(),
            _ => Vec::new(),
        },
    }
}

/// One per-run figure: a column of a sweep's `runs.csv`, a key of `summary.json`'s
/// `aggregate`, and a row of the run-figure table in `docs/model.md#run-figures`
/// (generated from [`FIGURES`]).
#[derive(Clone, Copy, Debug)]
pub struct Figure {
    /// Name, as a column and key.
    pub name: &'static str,
    /// What it counts or measures.
    pub unit: &'static str,
    /// Exact definition (Markdown; may link to sections of `docs/model.md`).
    pub meaning: &'static str,
    /// Its value in a run's summary; NaN when undefined (a time never reached).
    pub value: fn(&RunSummary) -> f64,
    /// The values it may take (checked when a sweep's `runs.csv` is read back).
    pub range: FigureRange,
}

/// What values a per-run figure may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FigureRange {
    /// A whole number >= 0 (users, posts, copies, levels, trees).
    Count,
    /// A share of users, in [0, 1].
    Share,
    /// Hours >= 0, or NaN for a time never reached.
    Hours,
    /// A finite number >= 0 (peak time, structural virality, a weighted count).
    NonNegative,
    /// An event outcome: 0 or 1 (or NaN if the run could not tell).
    Flag,
}

/// NaN for a time never reached, so it is left out of aggregates.
fn opt(x: Option<f64>) -> f64 {
    x.unwrap_or(f64::NAN)
}

/// Every per-run figure, in a fixed order: the columns of per-run CSV rows and the
/// order of aggregated figures.
pub const FIGURES: &[Figure] = &[
    Figure {
        name: "final_reach",
        unit: "users",
        meaning: "`reached` at the last step",
        value: |s| s.final_reach as f64,
        range: FigureRange::Count,
    },
    Figure {
        name: "final_reach_share",
        unit: "share of users",
        meaning: "`final_reach / N`",
        value: |s| s.final_reach_share,
        range: FigureRange::Share,
    },
    Figure {
        name: "final_read",
        unit: "users",
        meaning: "`read` at the last step",
        value: |s| s.final_read as f64,
        range: FigureRange::Count,
    },
    Figure {
        name: "final_believers",
        unit: "users",
        meaning: "`believers` at the last step",
        value: |s| s.final_believers as f64,
        range: FigureRange::Count,
    },
    Figure {
        name: "final_believers_share",
        unit: "share of users",
        meaning: "`final_believers / N`",
        value: |s| s.final_believers_share,
        range: FigureRange::Share,
    },
    Figure {
        name: "peak_believers",
        unit: "users",
        meaning: "largest `believers` over all steps",
        value: |s| s.peak_believers as f64,
        range: FigureRange::Count,
    },
    Figure {
        name: "hours_to_10pct",
        unit: "hours",
        meaning: "hours of the first step with `reached ≥ max(1, ceil(0.1 × final_reach))`; undefined if nobody was reached",
        value: |s| opt(s.hours_to_10pct),
        range: FigureRange::Hours,
    },
    Figure {
        name: "hours_to_50pct",
        unit: "hours",
        meaning: "as `hours_to_10pct`, with 0.5",
        value: |s| opt(s.hours_to_50pct),
        range: FigureRange::Hours,
    },
    Figure {
        name: "hours_to_90pct",
        unit: "hours",
        meaning: "as `hours_to_10pct`, with 0.9",
        value: |s| opt(s.hours_to_90pct),
        range: FigureRange::Hours,
    },
    Figure {
        name: "peak_hours",
        unit: "hours",
        meaning: "hours of the first step with the largest `new_reached`",
        value: |s| s.peak_hours,
        range: FigureRange::NonNegative,
    },
    Figure {
        name: "deliveries",
        unit: "copies",
        meaning: "sum of `deliveries` over steps",
        value: |s| s.deliveries as f64,
        range: FigureRange::Count,
    },
    Figure {
        name: "posts",
        unit: "posts",
        meaning: "sum of `posts` over steps",
        value: |s| s.posts as f64,
        range: FigureRange::Count,
    },
    Figure {
        name: "cascade_depth",
        unit: "edges",
        meaning: "largest depth in the sharers' forest ([cascade shape](#cascade-shape)): \
                  the longest chain of forwards",
        value: |s| s.cascade.depth as f64,
        range: FigureRange::Count,
    },
    Figure {
        name: "cascade_max_breadth",
        unit: "users",
        meaning: "largest number of sharers at one depth, summed over trees",
        value: |s| s.cascade.max_breadth as f64,
        range: FigureRange::Count,
    },
    Figure {
        name: "structural_virality",
        unit: "edges",
        meaning: "structural virality of the largest tree of the sharers' forest",
        value: |s| s.cascade.structural_virality,
        range: FigureRange::NonNegative,
    },
    Figure {
        name: "structural_virality_mean",
        unit: "edges",
        meaning: "size-weighted mean structural virality over the sharers' trees of two or \
                  more nodes",
        value: |s| s.cascade.structural_virality_mean,
        range: FigureRange::NonNegative,
    },
    Figure {
        name: "cascade_trees",
        unit: "trees",
        meaning: "number of trees (roots) of the sharers' forest: users who posted an \
                  original",
        value: |s| s.cascade.trees as f64,
        range: FigureRange::Count,
    },
    Figure {
        name: "cascade_size",
        unit: "users",
        meaning: "sharers: users who posted the rumor at least once, seeds included",
        value: |s| s.cascade.size as f64,
        range: FigureRange::Count,
    },
    Figure {
        name: "final_correction_reached",
        unit: "users",
        meaning: "`correction_reached` at the last step",
        value: |s| s.final_correction_reached as f64,
        range: FigureRange::Count,
    },
    Figure {
        name: "final_immune",
        unit: "users",
        meaning: "`immune` at the last step",
        value: |s| s.final_immune as f64,
        range: FigureRange::Count,
    },
    Figure {
        name: "final_corrected",
        unit: "users",
        meaning: "`corrected` at the last step",
        value: |s| s.final_corrected as f64,
        range: FigureRange::Count,
    },
    Figure {
        name: "public_posts",
        unit: "posts",
        meaning: "sum of `public_posts` over steps (see the known defect above)",
        value: |s| s.public_posts as f64,
        range: FigureRange::Count,
    },
    Figure {
        name: "public_reach",
        unit: "impressions",
        meaning: "`public_reach` at the last step",
        value: |s| s.public_reach as f64,
        range: FigureRange::Count,
    },
    Figure {
        name: "hours_to_first_public_post",
        unit: "hours",
        meaning: "hours of the first step with a public post",
        value: |s| opt(s.hours_to_first_public_post),
        range: FigureRange::Hours,
    },
    Figure {
        name: "hours_to_press",
        unit: "hours",
        meaning: "hours of the press pickup step",
        value: |s| opt(s.hours_to_press),
        range: FigureRange::Hours,
    },
    Figure {
        name: "hours_to_crisis",
        unit: "hours",
        meaning: "hours of the crisis step",
        value: |s| opt(s.hours_to_crisis),
        range: FigureRange::Hours,
    },
    Figure {
        name: "final_belief_index",
        unit: "users",
        meaning: "`belief_index` at the last step: believers + `correction.residual` × \
                  corrected",
        value: |s| s.final_belief_index,
        range: FigureRange::NonNegative,
    },
    Figure {
        name: "reach_tree_depth",
        unit: "edges",
        meaning: "largest depth in the reach forest ([cascade shape](#cascade-shape))",
        value: |s| s.reach_tree.depth as f64,
        range: FigureRange::Count,
    },
    Figure {
        name: "reach_tree_max_breadth",
        unit: "users",
        meaning: "largest number of users reached at one depth of the reach forest, summed \
                  over trees",
        value: |s| s.reach_tree.max_breadth as f64,
        range: FigureRange::Count,
    },
    Figure {
        name: "reach_tree_virality",
        unit: "edges",
        meaning: "structural virality of the largest tree of the reach forest",
        value: |s| s.reach_tree.structural_virality,
        range: FigureRange::NonNegative,
    },
    Figure {
        name: "reach_tree_virality_mean",
        unit: "edges",
        meaning: "size-weighted mean structural virality over the reach forest's trees of \
                  two or more nodes",
        value: |s| s.reach_tree.structural_virality_mean,
        range: FigureRange::NonNegative,
    },
    Figure {
        name: "posts_original",
        unit: "posts",
        meaning: "sum of `posts_original` over steps",
        value: |s| s.posts_original as f64,
        range: FigureRange::Count,
    },
    Figure {
        name: "posts_forwarded",
        unit: "posts",
        meaning: "sum of `posts_forwarded` over steps",
        value: |s| s.posts_forwarded as f64,
        range: FigureRange::Count,
    },
    Figure {
        name: "posts_labelled",
        unit: "posts",
        meaning: "sum of `posts_labelled` over steps",
        value: |s| s.posts_labelled as f64,
        range: FigureRange::Count,
    },
    Figure {
        name: "share_actions",
        unit: "actions",
        meaning: "sum of `share_actions` over steps",
        value: |s| s.share_actions as f64,
        range: FigureRange::Count,
    },
];

/// Names and values of a summary's figures, in [`FIGURES`] order.
pub fn figures(s: &RunSummary) -> Vec<(&'static str, f64)> {
    FIGURES.iter().map(|f| (f.name, (f.value)(s))).collect()
}

/// A figure of a run by name: one of [`FIGURES`], a figure at a report time or an event
/// outcome; NaN when the run has no such figure.
pub fn figure_value(s: &RunSummary, name: &str) -> f64 {
    FIGURES
        .iter()
        .find(|f| f.name == name)
        .map(|f| (f.value)(s))
        .or_else(|| s.at.get(name))
        .or_else(|| s.events.get(name))
        .unwrap_or(f64::NAN)
}

/// Every figure of a run: [`FIGURES`], then the figures at report times, then the event
/// outcomes; the columns of a sweep's `runs.csv` after the run's parameters.
pub fn all_figures(s: &RunSummary) -> Vec<(String, f64)> {
    let mut out: Vec<(String, f64)> = figures(s)
        .into_iter()
        .map(|(n, v)| (n.to_string(), v))
        .collect();
    out.extend(s.at.0.iter().cloned());
    out.extend(s.events.0.iter().cloned());
    out
}

/// Median, p5 and p95 of every figure across runs, in [`figures`] order.
pub fn aggregate(runs: &[RunSummary]) -> Vec<(&'static str, Band)> {
    let per_run: Vec<Vec<(&'static str, f64)>> = runs.iter().map(figures).collect();
    let Some(first) = per_run.first() else {
        return Vec::new();
    };
    (0..first.len())
        .map(|i| (first[i].0, Band::of(per_run.iter().map(|f| f[i].1))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(step: u32, reached: u64, new: u64) -> StepRecord {
        StepRecord {
            step,
            reached,
            new_reached: new,
            ..Default::default()
        }
    }

    #[test]
    fn times_to_fractions_of_final_reach() {
        let r = [rec(0, 1, 1), rec(1, 5, 4), rec(2, 9, 4), rec(3, 10, 1)];
        let run = crate::record::RunOutput {
            records: r.to_vec(),
            ..Default::default()
        };
        let s = summarize(
            0,
            &Context {
                users: 100,
                camps: &[],
                residual: 0.0,
            },
            &run,
            |st| st as f64 + 1.0,
        );
        assert_eq!(s.hours_to_10pct, Some(1.0));
        assert_eq!(s.hours_to_50pct, Some(2.0));
        assert_eq!(s.hours_to_90pct, Some(3.0));
        assert_eq!(s.peak_step, 1, "ties go to the earliest step");
        assert_eq!(s.final_reach_share, 0.1);
    }
}

/// How often, and how soon, a spill-over stage was reached across runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct StageOdds {
    /// Share of runs that reached the stage.
    pub probability: f64,
    /// Median hours to the stage over the runs that reached it (None if none did).
    pub median_hours: Option<f64>,
    /// Runs that reached the stage.
    pub runs_reached: usize,
    /// Runs in all.
    pub runs: usize,
}

impl StageOdds {
    /// The odds of a stage from each run's hours to it.
    pub fn of(hours: impl IntoIterator<Item = Option<f64>>) -> StageOdds {
        let all: Vec<Option<f64>> = hours.into_iter().collect();
        let hit: Vec<f64> = all.iter().flatten().copied().collect();
        StageOdds {
            probability: if all.is_empty() {
                0.0
            } else {
                hit.len() as f64 / all.len() as f64
            },
            median_hours: (!hit.is_empty()).then(|| Band::of(hit.iter().copied()).median),
            runs_reached: hit.len(),
            runs: all.len(),
        }
    }
}

/// Odds of the three spill-over stages: first public post, press, crisis.
pub fn stage_odds(runs: &[RunSummary]) -> [(&'static str, StageOdds); 3] {
    [
        (
            "public",
            StageOdds::of(runs.iter().map(|r| r.hours_to_first_public_post)),
        ),
        (
            "press",
            StageOdds::of(runs.iter().map(|r| r.hours_to_press)),
        ),
        (
            "crisis",
            StageOdds::of(runs.iter().map(|r| r.hours_to_crisis)),
        ),
    ]
}
