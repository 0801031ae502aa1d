//! Event probabilities across runs, with confidence intervals: the share of runs in
//! which something happened (press pickup, a crisis, reach above a threshold, an
//! outbreak at all), the paired difference of two such shares between scenarios whose
//! replicate `r` shares random numbers, and figures computed only over the runs where
//! the event happened, which carry how many runs that was.
//!
//! Intervals for one proportion `x / n` at level `1 - alpha`, with `z = Phi^-1(1 - alpha/2)`:
//!
//! - **Wilson score** (Wilson 1927): the `p` whose score test does not reject,
//!   `(x + z^2/2) / (n + z^2) +- z / (n + z^2) * sqrt(x (n - x) / n + z^2 / 4)`.
//!   Coverage close to nominal even for small `n` and `x` near 0 or `n`; it is the
//!   default ([`IntervalMethod::Wilson`]).
//! - **Clopper-Pearson** (Clopper & Pearson 1934), "exact": lower bound the
//!   `alpha/2` quantile of Beta(x, n - x + 1), upper bound the `1 - alpha/2` quantile
//!   of Beta(x + 1, n - x) (0 and 1 when `x = 0` or `x = n`). Coverage at least nominal
//!   by construction, so wider than needed on average.
//!
//! Newcombe (1998a) compares both with other methods and recommends Wilson's; the
//! tests reproduce the values of its Table I.
//!
//! The **paired difference** `p_variant - p_reference` from paired binary outcomes
//! (replicate `r` of both scenarios) uses Newcombe's (1998b) method 10, the
//! "square-and-add" interval built from the two marginal Wilson intervals and the
//! correlation of the pairs:
//!
//! ```text
//!                      variant yes   variant no
//!     reference yes        a             c
//!     reference no         b             d          n = a + b + c + d
//!
//!     p1 = (a + b) / n  (variant),  p2 = (a + c) / n  (reference),  D = p1 - p2
//!     (l1, u1), (l2, u2) = Wilson intervals of p1 and p2
//!     phi = C / sqrt((a+b)(c+d)(a+c)(b+d)),   C = ad - bc - n/2  if ad - bc > n/2,
//!                                                 0              if 0 <= ad - bc <= n/2,
//!                                                 ad - bc        if ad - bc < 0
//!     (phi = 0 when a margin is empty)
//!     lower = D - sqrt((p1 - l1)^2 - 2 phi (p1 - l1)(u2 - p2) + (u2 - p2)^2)
//!     upper = D + sqrt((p2 - l2)^2 - 2 phi (p2 - l2)(u1 - p1) + (u1 - p1)^2)
//! ```
//!
//! It stays inside `[-1, 1]`, needs no iteration, and has coverage close to nominal
//! (Newcombe 1998b; Fagerland, Lydersen & Laake 2017, ch. 8, whose worked example the
//! tests reproduce). When both scenarios give the same outcome in every replicate the
//! difference is exactly 0, and the interval around it is narrow but not empty: it
//! is as wide as the data allow the discordance to be.
//!
//! # References
//! - Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
//!   inference. *JASA* 22(158), 209-212.
//! - Clopper, C. J., Pearson, E. S. (1934). The use of confidence or fiducial limits
//!   illustrated in the case of the binomial. *Biometrika* 26(4), 404-413.
//! - Newcombe, R. G. (1998a). Two-sided confidence intervals for the single proportion:
//!   comparison of seven methods. *Statistics in Medicine* 17, 857-872.
//! - Newcombe, R. G. (1998b). Improved confidence intervals for the difference between
//!   binomial proportions based on paired data. *Statistics in Medicine* 17, 2635-2650.
//! - Fagerland, M. W., Lydersen, S., Laake, P. (2017). *Statistical Analysis of
//!   Contingency Tables*. Chapman & Hall/CRC.

use super::bands::Band;
use super::special::{beta_quantile, normal_quantile};
use crate::error::ProbabilityError;
use serde::Serialize;
use std::fmt;

/// A confidence level strictly between 0 and 1.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Level(f64);

impl Level {
    /// The 95% level used throughout Grapevine's reports.
    pub const P95: Level = Level(0.95);

    /// A checked level; refuses values outside (0, 1) and NaN.
    pub fn new(level: f64) -> Result<Level, ProbabilityError> {
        if level > 0.0 && level < 1.0 {
            Ok(Level(level))
        } else {
            Err(ProbabilityError::Level(level))
        }
    }

    /// The level as a number, e.g. 0.95.
    pub fn get(self) -> f64 {
        self.0
    }

    /// The two-sided normal quantile `Phi^-1(1 - alpha/2)`, e.g. 1.96 at 95%.
    pub fn z(self) -> f64 {
        normal_quantile(0.5 + self.0 / 2.0)
    }

    /// `alpha = 1 - level`.
    pub fn alpha(self) -> f64 {
        1.0 - self.0
    }
}

impl Default for Level {
    fn default() -> Level {
        Level::P95
    }
}

/// A closed interval `[lower, upper]`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Interval {
    /// Lower end.
    pub lower: f64,
    /// Upper end.
    pub upper: f64,
}

impl Interval {
    /// True when `x` lies in the interval (bounds included).
    pub fn contains(&self, x: f64) -> bool {
        self.lower <= x && x <= self.upper
    }

    /// `upper - lower`.
    pub fn width(&self) -> f64 {
        self.upper - self.lower
    }
}

/// How the interval of one proportion is computed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IntervalMethod {
    /// Wilson's score interval.
    #[default]
    Wilson,
    /// The exact Clopper-Pearson interval.
    ClopperPearson,
}

impl fmt::Display for IntervalMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IntervalMethod::Wilson => "Wilson score",
            IntervalMethod::ClopperPearson => "Clopper-Pearson exact",
        })
    }
}

/// `hits` runs with the event out of `runs` runs (`runs >= 1`, `hits <= runs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Proportion {
    hits: u64,
    runs: u64,
}

impl Proportion {
    /// A checked count.
    pub fn new(hits: u64, runs: u64) -> Result<Proportion, ProbabilityError> {
        if runs == 0 {
            Err(ProbabilityError::NoRuns)
        } else if hits > runs {
            Err(ProbabilityError::HitsExceedRuns { hits, runs })
        } else {
            Ok(Proportion { hits, runs })
        }
    }

    /// The count of `true` outcomes, one outcome per run.
    pub fn of(outcomes: impl IntoIterator<Item = bool>) -> Result<Proportion, ProbabilityError> {
        let (hits, runs) = outcomes
            .into_iter()
            .fold((0, 0), |(h, n), o| (h + u64::from(o), n + 1));
        Proportion::new(hits, runs)
    }

    /// Runs with the event.
    pub fn hits(self) -> u64 {
        self.hits
    }

    /// All runs.
    pub fn runs(self) -> u64 {
        self.runs
    }

    /// The point estimate `hits / runs`.
    pub fn estimate(self) -> f64 {
        self.hits as f64 / self.runs as f64
    }

    /// Wilson's score interval at `level`; exactly 0 (1) at the lower (upper) end when
    /// no run (every run) had the event.
    pub fn wilson(self, level: Level) -> Interval {
        let (x, n) = (self.hits as f64, self.runs as f64);
        let z = level.z();
        let z2 = z * z;
        let centre = (x + z2 / 2.0) / (n + z2);
        let half = z / (n + z2) * (x * (n - x) / n + z2 / 4.0).sqrt();
        Interval {
            lower: if self.hits == 0 {
                0.0
            } else {
                (centre - half).max(0.0)
            },
            upper: if self.hits == self.runs {
                1.0
            } else {
                (centre + half).min(1.0)
            },
        }
    }

    /// The exact Clopper-Pearson interval at `level`.
    pub fn clopper_pearson(self, level: Level) -> Interval {
        let (x, n) = (self.hits as f64, self.runs as f64);
        let a2 = level.alpha() / 2.0;
        Interval {
            lower: if self.hits == 0 {
                0.0
            } else {
                beta_quantile(a2, x, n - x + 1.0)
            },
            upper: if self.hits == self.runs {
                1.0
            } else {
                beta_quantile(1.0 - a2, x + 1.0, n - x)
            },
        }
    }

    /// The interval by `method`.
    pub fn interval(self, method: IntervalMethod, level: Level) -> Interval {
        match method {
            IntervalMethod::Wilson => self.wilson(level),
            IntervalMethod::ClopperPearson => self.clopper_pearson(level),
        }
    }

    /// Estimate and interval together, ready for a report.
    pub fn probability(self, method: IntervalMethod, level: Level) -> EventProbability {
        EventProbability {
            hits: self.hits,
            runs: self.runs,
            estimate: self.estimate(),
            interval: self.interval(method, level),
            method,
            level: level.get(),
        }
    }
}

/// The probability of an event across runs with its confidence interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct EventProbability {
    /// Runs with the event.
    pub hits: u64,
    /// All runs.
    pub runs: u64,
    /// `hits / runs`.
    pub estimate: f64,
    /// The confidence interval of the probability.
    pub interval: Interval,
    /// How the interval was computed.
    pub method: IntervalMethod,
    /// Confidence level of `interval`, e.g. 0.95.
    pub level: f64,
}

impl fmt::Display for EventProbability {
    /// `3.5% (95% CI 1.7-7.0%; 7 of 200 runs)`; the formatter's precision (default 1)
    /// is the number of decimals of the percentages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = f.precision().unwrap_or(1);
        write!(
            f,
            "{:.d$}% ({} CI {:.d$}-{:.d$}%; {} of {} runs)",
            100.0 * self.estimate,
            percent_label(self.level),
            100.0 * self.interval.lower,
            100.0 * self.interval.upper,
            self.hits,
            self.runs,
        )
    }
}

/// `95%`, `99.9%`: a level as a short percentage.
fn percent_label(level: f64) -> String {
    let p = 100.0 * level;
    if (p - p.round()).abs() < 1e-9 {
        format!("{}%", p.round())
    } else {
        format!("{}%", (p * 1e6).round() / 1e6)
    }
}

/// The 2x2 table of paired outcomes (replicate `r` of a reference and a variant).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PairedTable {
    /// Event in both runs of the pair.
    pub both: u64,
    /// Event in the variant's run only.
    pub variant_only: u64,
    /// Event in the reference's run only.
    pub reference_only: u64,
    /// Event in neither.
    pub neither: u64,
}

impl PairedTable {
    /// Counts the pairs `(reference[r], variant[r])`.
    pub fn of(reference: &[bool], variant: &[bool]) -> Result<PairedTable, ProbabilityError> {
        if reference.len() != variant.len() {
            return Err(ProbabilityError::Unpaired {
                reference: reference.len(),
                variant: variant.len(),
            });
        }
        if reference.is_empty() {
            return Err(ProbabilityError::NoRuns);
        }
        let mut t = PairedTable::default();
        for (&r, &v) in reference.iter().zip(variant) {
            match (r, v) {
                (true, true) => t.both += 1,
                (false, true) => t.variant_only += 1,
                (true, false) => t.reference_only += 1,
                (false, false) => t.neither += 1,
            }
        }
        Ok(t)
    }

    /// Number of pairs.
    pub fn pairs(&self) -> u64 {
        self.both + self.variant_only + self.reference_only + self.neither
    }

    /// The variant's proportion (an error for an empty table).
    pub fn variant(&self) -> Result<Proportion, ProbabilityError> {
        Proportion::new(self.both + self.variant_only, self.pairs())
    }

    /// The reference's proportion (an error for an empty table).
    pub fn reference(&self) -> Result<Proportion, ProbabilityError> {
        Proportion::new(self.both + self.reference_only, self.pairs())
    }
}

/// `p_variant - p_reference` from paired outcomes, with Newcombe's interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct PairedDifference {
    /// `(variant_only - reference_only) / pairs`.
    pub estimate: f64,
    /// The confidence interval of the difference.
    pub interval: Interval,
    /// The paired outcomes the difference comes from.
    pub table: PairedTable,
    /// Confidence level of `interval`, e.g. 0.95.
    pub level: f64,
}

impl PairedDifference {
    /// Newcombe's (1998b) method 10 interval for a checked table (see the module docs).
    pub fn of_table(
        table: PairedTable,
        level: Level,
    ) -> Result<PairedDifference, ProbabilityError> {
        let n = table.pairs();
        let (v, r) = (table.variant()?, table.reference()?);
        let (p1, p2) = (v.estimate(), r.estimate());
        let (w1, w2) = (v.wilson(level), r.wilson(level));
        let estimate = (table.variant_only as f64 - table.reference_only as f64) / n as f64;

        let [a, b, c, d] = [
            table.both,
            table.variant_only,
            table.reference_only,
            table.neither,
        ]
        .map(|x| x as f64);
        let margins = (a + b) * (c + d) * (a + c) * (b + d);
        let phi = if margins == 0.0 {
            0.0
        } else {
            let cross = a * d - b * c;
            let numerator = if cross > n as f64 / 2.0 {
                cross - n as f64 / 2.0
            } else if cross >= 0.0 {
                0.0
            } else {
                cross
            };
            numerator / margins.sqrt()
        };
        let square_and_add = |x: f64, y: f64| (x * x - 2.0 * phi * x * y + y * y).max(0.0).sqrt();
        let lower = estimate - square_and_add(p1 - w1.lower, w2.upper - p2);
        let upper = estimate + square_and_add(p2 - w2.lower, w1.upper - p1);
        Ok(PairedDifference {
            estimate,
            interval: Interval {
                lower: lower.max(-1.0),
                upper: upper.min(1.0),
            },
            table,
            level: level.get(),
        })
    }

    /// The difference of the event's probability between paired runs: `reference[r]`
    /// and `variant[r]` are the outcomes of replicate `r` of both scenarios.
    pub fn of(
        reference: &[bool],
        variant: &[bool],
        level: Level,
    ) -> Result<PairedDifference, ProbabilityError> {
        PairedDifference::of_table(PairedTable::of(reference, variant)?, level)
    }
}

impl fmt::Display for PairedDifference {
    /// `-6.2 points (95% CI -11.9 to -0.5)`: percentage points, the formatter's
    /// precision (default 1) as decimals.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = f.precision().unwrap_or(1);
        write!(
            f,
            "{:+.d$} points ({} CI {:+.d$} to {:+.d$})",
            100.0 * self.estimate,
            percent_label(self.level),
            100.0 * self.interval.lower,
            100.0 * self.interval.upper,
        )
    }
}

/// A figure computed only over the runs where an event happened (e.g. the median
/// hours to press pickup), with how many runs that was, so that a report can say
/// "median 14 h, over 7 of 200 runs".
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Conditional<T> {
    /// The figure; `None` when the event happened in no run.
    pub value: Option<T>,
    /// Runs with the event, over which `value` was computed.
    pub hits: u64,
    /// All runs.
    pub runs: u64,
}

impl<T> Conditional<T> {
    /// The share of runs behind the figure.
    pub fn proportion(&self) -> Result<Proportion, ProbabilityError> {
        Proportion::new(self.hits, self.runs)
    }

    /// "over 7 of 200 runs", "over all 200 runs", "in none of 200 runs".
    pub fn qualifier(&self) -> String {
        let runs = if self.runs == 1 { "run" } else { "runs" };
        if self.hits == 0 {
            format!("in none of {} {runs}", self.runs)
        } else if self.hits == self.runs {
            if self.runs == 1 {
                "over the only run".to_string()
            } else {
                format!("over all {} runs", self.runs)
            }
        } else {
            format!("over {} of {} {runs}", self.hits, self.runs)
        }
    }

    /// A phrase for a report: `describe("median", " h", 0)` gives
    /// `median 14 h, over 7 of 200 runs`, or `median: none, the event happened in
    /// none of 200 runs`.
    pub fn describe(&self, label: &str, unit: &str, decimals: usize) -> String
    where
        T: fmt::Display,
    {
        match &self.value {
            Some(v) => format!("{label} {v:.decimals$}{unit}, {}", self.qualifier()),
            None => format!("{label}: none, the event happened {}", self.qualifier()),
        }
    }
}

impl Conditional<f64> {
    /// The median (type 7, as in [`Band`]) of the values of the runs where the event
    /// happened: one entry per run, `None` for a run without it. NaN values count as
    /// runs without the event.
    pub fn median(values: impl IntoIterator<Item = Option<f64>>) -> Conditional<f64> {
        let mut hit = Vec::new();
        let mut runs = 0u64;
        for v in values {
            runs += 1;
            if let Some(x) = v.filter(|x| !x.is_nan()) {
                hit.push(x);
            }
        }
        Conditional {
            value: (!hit.is_empty()).then(|| Band::of(hit.iter().copied()).median),
            hits: hit.len() as u64,
            runs,
        }
    }
}

impl<T: fmt::Display> fmt::Display for Conditional<T> {
    /// `14, over 7 of 200 runs` (the value formatted with the formatter's own
    /// options, so `{:.1}` rounds it), or `no value: in none of 200 runs`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(v) => {
                v.fmt(f)?;
                write!(f, ", {}", self.qualifier())
            }
            None => write!(f, "no value: {}", self.qualifier()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(hits: u64, runs: u64) -> Proportion {
        Proportion::new(hits, runs).unwrap()
    }

    fn assert_interval(got: Interval, lower: f64, upper: f64, tol: f64, what: &str) {
        assert!(
            (got.lower - lower).abs() <= tol && (got.upper - upper).abs() <= tol,
            "{what}: got [{}, {}], want [{lower}, {upper}]",
            got.lower,
            got.upper
        );
    }

    #[test]
    fn wilson_reproduces_newcombe_1998_table_1() {
        // Newcombe (1998a), Table I, method 3 (score, no continuity correction).
        for (x, n, lo, hi) in [
            (81, 263, 0.2553, 0.3662),
            (15, 148, 0.0624, 0.1605),
            (0, 20, 0.0, 0.1611),
            (1, 29, 0.0061, 0.1718),
        ] {
            assert_interval(
                p(x, n).wilson(Level::P95),
                lo,
                hi,
                5e-5,
                &format!("{x}/{n}"),
            );
        }
    }

    #[test]
    fn wilson_matches_computed_values() {
        // scipy.stats.binomtest(x, n).proportion_ci(method="wilson"), and the closed
        // forms at the edges: [0, z^2/(n + z^2)] and [n/(n + z^2), 1].
        assert_interval(
            p(7, 200).wilson(Level::P95),
            0.017055542008567185,
            0.07047061152229073,
            1e-14,
            "7/200",
        );
        let z2 = 1.959963984540054f64.powi(2);
        let w = p(0, 20).wilson(Level::P95);
        assert_eq!(w.lower, 0.0);
        assert!((w.upper - z2 / (20.0 + z2)).abs() < 1e-14);
        let w = p(20, 20).wilson(Level::P95);
        assert_eq!(w.upper, 1.0);
        assert!((w.lower - 20.0 / (20.0 + z2)).abs() < 1e-14);
        assert!((w.lower - 0.8388748419471808).abs() < 1e-14);
    }

    #[test]
    fn clopper_pearson_reproduces_published_and_closed_form_values() {
        // Newcombe (1998a), Table I, method 5 (exact).
        for (x, n, lo, hi) in [
            (81, 263, 0.2527, 0.3676),
            (15, 148, 0.0578, 0.1617),
            (0, 20, 0.0, 0.1684),
            (1, 29, 0.0009, 0.1776),
        ] {
            assert_interval(
                p(x, n).clopper_pearson(Level::P95),
                lo,
                hi,
                5e-5,
                &format!("{x}/{n}"),
            );
        }
        // x = 0 and x = n have closed forms: upper 1 - (alpha/2)^(1/n), lower its mirror.
        let cp = p(0, 20).clopper_pearson(Level::P95);
        assert_eq!(cp.lower, 0.0);
        assert!((cp.upper - (1.0 - 0.025f64.powf(1.0 / 20.0))).abs() < 1e-13);
        let cp = p(20, 20).clopper_pearson(Level::P95);
        assert_eq!(cp.upper, 1.0);
        assert!((cp.lower - 0.025f64.powf(1.0 / 20.0)).abs() < 1e-13);
        // scipy.stats.binomtest(7, 200).proportion_ci(method="exact")
        assert_interval(
            p(7, 200).clopper_pearson(Level::P95),
            0.014185525898419246,
            0.0707809983509772,
            1e-12,
            "7/200",
        );
    }

    #[test]
    fn exact_interval_is_wider_than_wilson_and_levels_nest() {
        for (x, n) in [(0, 10), (3, 10), (7, 200), (199, 200), (50, 100)] {
            let (w, cp) = (
                p(x, n).wilson(Level::P95),
                p(x, n).clopper_pearson(Level::P95),
            );
            assert!(cp.width() >= w.width(), "{x}/{n}");
            let wide = p(x, n).wilson(Level::new(0.99).unwrap());
            assert!(wide.lower <= w.lower && wide.upper >= w.upper, "{x}/{n}");
            assert!(w.contains(p(x, n).estimate()) && cp.contains(p(x, n).estimate()));
        }
    }

    #[test]
    fn bad_counts_and_levels_are_refused() {
        assert_eq!(Proportion::new(0, 0), Err(ProbabilityError::NoRuns));
        assert_eq!(
            Proportion::new(3, 2),
            Err(ProbabilityError::HitsExceedRuns { hits: 3, runs: 2 })
        );
        assert_eq!(Proportion::of([]), Err(ProbabilityError::NoRuns));
        for l in [0.0, 1.0, -0.5, f64::NAN] {
            assert!(Level::new(l).is_err(), "{l}");
        }
        assert_eq!(
            PairedDifference::of(&[true], &[true, false], Level::P95),
            Err(ProbabilityError::Unpaired {
                reference: 1,
                variant: 2
            })
        );
        assert_eq!(
            PairedDifference::of(&[], &[], Level::P95),
            Err(ProbabilityError::NoRuns)
        );
    }

    #[test]
    fn paired_difference_reproduces_fagerland_worked_example() {
        // Fagerland, Lydersen & Laake (2017), ch. 8: complete response before (rows)
        // and after (columns) consolidation therapy (Cavo et al. 2012), table
        // [[59, 6], [16, 80]]: estimate -0.0621, 95% CI -0.1186 to -0.0046. Rows play
        // the variant here, columns the reference.
        let table = PairedTable {
            both: 59,
            variant_only: 6,
            reference_only: 16,
            neither: 80,
        };
        let d = PairedDifference::of_table(table, Level::P95).unwrap();
        assert!((d.estimate - (-0.0621)).abs() < 5e-5, "{}", d.estimate);
        assert_interval(d.interval, -0.1186, -0.0046, 5e-5, "Cavo 2012");
        // The same table from outcomes.
        let mut reference = Vec::new();
        let mut variant = Vec::new();
        for (r, v, count) in [
            (true, true, 59),
            (false, true, 6),
            (true, false, 16),
            (false, false, 80),
        ] {
            reference.extend(std::iter::repeat_n(r, count));
            variant.extend(std::iter::repeat_n(v, count));
        }
        assert_eq!(
            PairedDifference::of(&reference, &variant, Level::P95),
            Ok(d)
        );
    }

    #[test]
    fn identical_paired_outcomes_give_exactly_zero_with_a_tight_interval() {
        for (hits, n) in [(7usize, 200usize), (0, 200), (200, 200), (1, 20)] {
            let outcomes: Vec<bool> = (0..n).map(|i| i < hits).collect();
            let d = PairedDifference::of(&outcomes, &outcomes, Level::P95).unwrap();
            assert_eq!(d.estimate, 0.0);
            assert!(d.interval.contains(0.0));
            assert!((d.interval.lower + d.interval.upper).abs() < 1e-15);
            // Pairing makes it narrower than the square-and-add interval of two
            // independent samples with the same proportions (phi = 0), which it equals
            // only when a margin is empty (no run or every run had the event).
            let w = p(hits as u64, n as u64).wilson(Level::P95);
            let x = p(hits as u64, n as u64).estimate();
            let unpaired = ((x - w.lower).powi(2) + (w.upper - x).powi(2)).sqrt();
            if hits == 0 || hits == n {
                assert!((d.interval.upper - unpaired).abs() < 1e-15);
            } else {
                assert!(d.interval.upper < unpaired, "{hits}/{n}: {:?}", d.interval);
            }
        }
        // Pinned: 7 of 200 in both gives +-2.0 points, half the unpaired +-4.0.
        let seven: Vec<bool> = (0..200).map(|i| i < 7).collect();
        let d = PairedDifference::of(&seven, &seven, Level::P95).unwrap();
        assert!((d.interval.upper - 0.02003478698348292).abs() < 1e-15);
    }

    #[test]
    fn paired_difference_swaps_sign_with_the_roles() {
        let r = [
            true, true, false, false, true, false, false, false, true, false,
        ];
        let v = [
            true, false, false, false, false, false, false, false, true, false,
        ];
        let d = PairedDifference::of(&r, &v, Level::P95).unwrap();
        let e = PairedDifference::of(&v, &r, Level::P95).unwrap();
        assert_eq!(d.estimate, -0.2);
        assert_eq!(e.estimate, 0.2);
        assert!((d.interval.lower + e.interval.upper).abs() < 1e-15);
        assert!((d.interval.upper + e.interval.lower).abs() < 1e-15);
        assert!(d.interval.lower >= -1.0 && e.interval.upper <= 1.0);
    }

    #[test]
    fn conditional_figures_say_how_many_runs_they_cover() {
        let hours = [None, Some(14.0), None, Some(10.0), Some(20.0), None, None];
        let c = Conditional::median(hours);
        assert_eq!(c.value, Some(14.0));
        assert_eq!((c.hits, c.runs), (3, 7));
        assert_eq!(
            c.describe("median", " h", 0),
            "median 14 h, over 3 of 7 runs"
        );
        assert_eq!(format!("{c:.1}"), "14.0, over 3 of 7 runs");
        assert_eq!(c.qualifier(), "over 3 of 7 runs");
        let none = Conditional::median([None, Some(f64::NAN)]);
        assert_eq!(none.value, None);
        assert_eq!(none.to_string(), "no value: in none of 2 runs");
        assert_eq!(
            none.describe("median", " h", 0),
            "median: none, the event happened in none of 2 runs"
        );
        let all = Conditional::median([Some(1.0), Some(3.0)]);
        assert_eq!(all.qualifier(), "over all 2 runs");
        assert_eq!(all.proportion().unwrap().estimate(), 1.0);
    }

    #[test]
    fn probabilities_print_for_reports() {
        let e = p(7, 200).probability(IntervalMethod::Wilson, Level::P95);
        assert_eq!(e.to_string(), "3.5% (95% CI 1.7-7.0%; 7 of 200 runs)");
        let d = PairedDifference::of_table(
            PairedTable {
                both: 59,
                variant_only: 6,
                reference_only: 16,
                neither: 80,
            },
            Level::P95,
        )
        .unwrap();
        assert_eq!(d.to_string(), "-6.2 points (95% CI -11.9 to -0.5)");
    }
}
