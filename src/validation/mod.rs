//! The validation suite: reference cases with known answers, run through the real
//! engine from the scenarios in `scenarios/validation/`, compared with theory.
//!
//! Each statistical case reports the simulated mean and its standard error over
//! replicates, and passes when `|mean - theory| <= 4 SE + allowance`. The allowance
//! covers the finite-size corrections of order 1/N that the infinite-population
//! formulas leave out; it is derived per case (see `docs/validation.md`), never tuned
//! to make a case pass. Informational rows (the Maki-Thompson figure at coarse
//! contact rates, showing the synchronous-step bias) have no pass/fail.

pub mod theory;

use crate::metrics::summary::RunSummary;
use crate::population::generate;
use crate::scenario::{Limit, NetworkModel, Scenario, ScenarioConfig};
use crate::simulation::{self, Results};
use serde::Serialize;

/// Scenario files of the cases, embedded so `validate` works from any folder.
const PERCOLATION: &str = include_str!("../../scenarios/validation/percolation-er.toml");
const WELL_MIXED: &str = include_str!("../../scenarios/validation/well-mixed-sir.toml");
const MAKI_THOMPSON: &str = include_str!("../../scenarios/validation/maki-thompson.toml");
const TREE: &str = include_str!("../../scenarios/validation/tree.toml");

/// Tolerance in standard errors.
pub const Z_MAX: f64 = 4.0;

/// One row of the validation table.
#[derive(Clone, Debug, Serialize)]
pub struct CaseResult {
    /// The reference case, e.g. "percolation: large-outbreak size".
    pub case: String,
    /// Its parameters, e.g. "N=100000 c=2 T=0.8".
    pub parameters: String,
    /// The value theory gives.
    pub theory: f64,
    /// The simulated mean over replicates (or the exact value for exact cases).
    pub mean: f64,
    /// Standard error of `mean` (0 for exact cases).
    pub se: f64,
    /// Finite-size allowance added to the tolerance.
    pub allowance: f64,
    /// (mean - theory) / se; 0 when se is 0.
    pub z: f64,
    /// Runs behind the figure.
    pub runs: usize,
    /// Pass or fail; None for informational rows.
    pub pass: Option<bool>,
}

impl CaseResult {
    fn statistical(
        case: &str,
        parameters: String,
        theory: f64,
        values: &[f64],
        allowance: f64,
        judged: bool,
    ) -> CaseResult {
        let (mean, se) = mean_se(values);
        let z = if se > 0.0 { (mean - theory) / se } else { 0.0 };
        let pass = judged.then(|| (mean - theory).abs() <= Z_MAX * se + allowance);
        CaseResult {
            case: case.into(),
            parameters,
            theory,
            mean,
            se,
            allowance,
            z,
            runs: values.len(),
            pass,
        }
    }
}

/// Mean and standard error of the mean; NaN mean for no values.
pub fn mean_se(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    if values.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mean = values.iter().sum::<f64>() / n;
    if values.len() < 2 {
        return (mean, 0.0);
    }
    let var = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Sizes of the suite.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    /// Nodes of the Erdos-Renyi graphs.
    pub percolation_users: u64,
    /// Replicates per percolation case.
    pub percolation_runs: u32,
    /// Users of the well-mixed population.
    pub well_mixed_users: u64,
    /// Replicates per well-mixed case.
    pub well_mixed_runs: u32,
    /// Users of the Maki-Thompson population.
    pub mt_users: u64,
    /// Replicates per Maki-Thompson case.
    pub mt_runs: u32,
    /// Contact rates per step of the Maki-Thompson cases.
    pub mt_rates: &'static [f64],
    /// Multiplier of the star and path sizes.
    pub tree_scale: u64,
}

impl Sizes {
    /// The full suite (minutes on two cores).
    pub const FULL: Sizes = Sizes {
        percolation_users: 100_000,
        percolation_runs: 200,
        well_mixed_users: 2000,
        well_mixed_runs: 200,
        mt_users: 2000,
        mt_runs: 200,
        mt_rates: &[0.5, 0.2, 0.1, 0.05, 0.02],
        tree_scale: 4,
    };
    /// Fast sizes for `cargo test` (seconds).
    pub const QUICK: Sizes = Sizes {
        percolation_users: 20_000,
        percolation_runs: 60,
        well_mixed_users: 600,
        well_mixed_runs: 60,
        mt_users: 1000,
        mt_runs: 60,
        mt_rates: &[0.2, 0.05],
        tree_scale: 1,
    };
}

/// An embedded validation scenario in its raw form, edited by a case (sizes, rates)
/// before [`rebuild`] checks it.
struct Case {
    config: ScenarioConfig,
    name: &'static str,
}

fn base(text: &str, name: &'static str) -> Case {
    // The embedded files are part of the build; a failure here is a bug, caught by tests.
    let config =
        toml::from_str(text).unwrap_or_else(|e| panic!("embedded validation scenario {name}: {e}"));
    Case { config, name }
}

/// Checks an edited case. Each case gets its own seed, derived from the file's seed and
/// the case's parameters, so that cases are independent: with one seed they would share
/// random numbers (common random numbers) and their errors would move together.
fn rebuild(case: &Case) -> Scenario {
    let (mut config, name) = (case.config.clone(), case.name);
    let key = format!(
        "{:?}{:?}{:?}{:?}",
        config.population.users,
        config.population.network,
        config.belief.probability,
        config.sharing.delay
    );
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    });
    config.simulation.seed = crate::rng::derive_seed(config.simulation.seed, &[hash]);
    Scenario::check(config, None, name)
        .unwrap_or_else(|e| panic!("validation scenario {name}: {e}"))
}

fn run(scn: &Scenario, threads: usize) -> Results {
    let pop = generate::generate(scn);
    simulation::simulate(&pop, scn, scn.simulation.replicates, threads, &|| {})
}

fn believers_share(r: &RunSummary) -> f64 {
    r.final_believers_share
}

/// Bond percolation on Erdos-Renyi graphs: large-outbreak size and probability.
fn percolation(sizes: &Sizes, threads: usize, out: &mut Vec<CaseResult>) {
    for &(c, t) in &[(2.0, 0.8), (4.0, 0.5), (5.0, 0.6), (10.0, 0.25)] {
        let mut s = base(PERCOLATION, "percolation-er");
        let n = sizes.percolation_users;
        s.config.population.users = n;
        if let Some(net) = s.config.population.network.as_mut() {
            net.mean_degree = Some(c);
        }
        s.config.belief.probability = t;
        s.config.simulation.replicates = sizes.percolation_runs;
        let s = rebuild(&s);
        let res = run(&s, threads);
        let theory = theory::final_size(c * t);
        // Small outbreaks stay far below N^(2/3); large ones are near S N.
        let cut = (n as f64).powf(2.0 / 3.0) / n as f64;
        let shares: Vec<f64> = res.summaries.iter().map(believers_share).collect();
        let large: Vec<f64> = shares.iter().copied().filter(|&x| x > cut).collect();
        let params = format!("N={n} c={c} T={t} cT={}", c * t);
        out.push(CaseResult::statistical(
            "percolation: large-outbreak size",
            params.clone(),
            theory,
            &large,
            10.0 / n as f64,
            true,
        ));
        let hits: Vec<f64> = shares.iter().map(|&x| (x > cut) as u8 as f64).collect();
        let mut row = CaseResult::statistical(
            "percolation: outbreak probability",
            params,
            theory,
            &hits,
            10.0 / n as f64,
            true,
        );
        // Binomial standard error under the theory's probability.
        row.se = (theory * (1.0 - theory) / hits.len() as f64).sqrt();
        row.z = (row.mean - theory) / row.se;
        row.pass = Some((row.mean - theory).abs() <= Z_MAX * row.se + row.allowance);
        out.push(row);
    }
}

/// Well-mixed SIR (Reed-Frost on the complete graph): large-outbreak final size.
fn well_mixed(sizes: &Sizes, threads: usize, out: &mut Vec<CaseResult>) {
    for &r0 in &[1.5, 2.0, 3.0] {
        let mut s = base(WELL_MIXED, "well-mixed-sir");
        let n = sizes.well_mixed_users;
        s.config.population.users = n;
        s.config.belief.probability = r0 / (n as f64 - 1.0);
        s.config.simulation.replicates = sizes.well_mixed_runs;
        let s = rebuild(&s);
        let res = run(&s, threads);
        let cut = (n as f64).powf(2.0 / 3.0) / n as f64;
        let large: Vec<f64> = res
            .summaries
            .iter()
            .map(believers_share)
            .filter(|&x| x > cut)
            .collect();
        let params = format!("N={n} R0={r0} p=R0/(N-1)");
        out.push(CaseResult::statistical(
            "well-mixed SIR: final size",
            params,
            theory::final_size(r0),
            &large,
            2.0 / n as f64,
            true,
        ));
    }
}

/// Maki-Thompson on the complete graph: share never reached, for several rates.
fn maki_thompson(sizes: &Sizes, threads: usize, out: &mut Vec<CaseResult>) {
    let smallest = sizes.mt_rates.iter().copied().fold(f64::INFINITY, f64::min);
    for &rate in sizes.mt_rates {
        let mut s = base(MAKI_THOMPSON, "maki-thompson");
        let n = sizes.mt_users;
        s.config.population.users = n;
        s.config.simulation.replicates = sizes.mt_runs;
        s.config.sharing.delay =
            crate::duration::Duration::from_minutes(s.config.simulation.step.minutes() / rate);
        s.config.sharing.actions = Limit::Unlimited;
        // Enough steps for the rumor to die out: about 40 contact times.
        s.config.simulation.horizon = crate::duration::Duration::from_minutes(
            s.config.simulation.step.minutes() * (40.0 / rate).max(200.0) * 5.0,
        );
        let s = rebuild(&s);
        let res = run(&s, threads);
        let never: Vec<f64> = res
            .summaries
            .iter()
            .map(|r| 1.0 - r.final_reach_share)
            .collect();
        let params = format!("N={n} contact rate={rate}/step");
        out.push(CaseResult::statistical(
            "Maki-Thompson: share never reached",
            params,
            theory::maki_thompson_ignorants(),
            &never,
            2.0 / n as f64,
            rate == smallest,
        ));
    }
}

/// Structural virality of cascades that are known trees.
fn trees(sizes: &Sizes, threads: usize, out: &mut Vec<CaseResult>) {
    let k = sizes.tree_scale;
    let cases: [(NetworkModel, u64, Option<u32>, f64); 4] = [
        (
            NetworkModel::Star,
            250 * k,
            None,
            crate::metrics::cascade::star_virality(250 * k),
        ),
        (
            NetworkModel::Path,
            100 * k,
            None,
            crate::metrics::cascade::path_virality(100 * k),
        ),
        (
            NetworkModel::Tree,
            255,
            Some(2),
            theory::tree_virality(2, 255),
        ),
        (
            NetworkModel::Tree,
            1093,
            Some(3),
            theory::tree_virality(3, 1093),
        ),
    ];
    for (model, n, b, expected) in cases {
        let mut s = base(TREE, "tree");
        s.config.population.users = n;
        if let Some(net) = s.config.population.network.as_mut() {
            net.model = model;
            net.branching = b;
        }
        let s = rebuild(&s);
        let res = run(&s, threads);
        let sv = res.summaries[0].reach_tree.structural_virality;
        let params = match b {
            Some(b) => format!("{model:?} n={n} b={b}").to_lowercase(),
            None => format!("{model:?} n={n}").to_lowercase(),
        };
        let exact =
            (sv - expected).abs() <= 1e-9 * expected.max(1.0) && res.summaries[0].final_reach == n;
        out.push(CaseResult {
            case: "structural virality".into(),
            parameters: params,
            theory: expected,
            mean: sv,
            se: 0.0,
            allowance: 0.0,
            z: 0.0,
            runs: 1,
            pass: Some(exact),
        });
    }
}

/// The same case twice, and with 1 and 2 threads: identical outputs.
fn determinism(out: &mut Vec<CaseResult>) {
    let mut s = base(PERCOLATION, "percolation-er");
    s.config.population.users = 20_000;
    s.config.simulation.replicates = 6;
    let s = rebuild(&s);
    let in_pool = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build();
        match pool {
            Ok(p) => p.install(|| run(&s, threads).runs),
            Err(_) => run(&s, threads).runs,
        }
    };
    let one = in_pool(1);
    let two = in_pool(2);
    let again = in_pool(2);
    let same = one == two && two == again;
    out.push(CaseResult {
        case: "determinism".into(),
        parameters: "percolation N=20000 x6, 1 vs 2 threads, twice".into(),
        theory: 1.0,
        mean: same as u8 as f64,
        se: 0.0,
        allowance: 0.0,
        z: 0.0,
        runs: 18,
        pass: Some(same),
    });
}

/// Runs every case; `progress` is told the name of each family as it starts.
pub fn run_suite(sizes: &Sizes, threads: usize, progress: &dyn Fn(&str)) -> Vec<CaseResult> {
    let mut out = Vec::new();
    progress("structural virality of known trees");
    trees(sizes, threads, &mut out);
    progress("bond percolation on Erdos-Renyi graphs");
    percolation(sizes, threads, &mut out);
    progress("well-mixed SIR");
    well_mixed(sizes, threads, &mut out);
    progress("Maki-Thompson rumor");
    maki_thompson(sizes, threads, &mut out);
    progress("determinism");
    determinism(&mut out);
    out
}

/// The table as fixed-width text (also pasted into docs/validation.md).
pub fn format_table(rows: &[CaseResult]) -> String {
    let mut s = format!(
        "| {:<36} | {:<46} | {:>9} | {:>21} | {:>6} | {:>9} | {:<6} |\n|{}|{}|{}|{}|{}|{}|{}|\n",
        "case",
        "parameters",
        "theory",
        "simulated (mean +/- SE)",
        "z",
        "allowance",
        "result",
        "-".repeat(38),
        "-".repeat(48),
        "-".repeat(11),
        "-".repeat(23),
        "-".repeat(8),
        "-".repeat(11),
        "-".repeat(8)
    );
    for r in rows {
        let result = match r.pass {
            Some(true) => "pass",
            Some(false) => "FAIL",
            None => "info",
        };
        let sim = if r.se > 0.0 {
            format!("{:.5} +/- {:.5}", r.mean, r.se)
        } else {
            format!("{:.5}", r.mean)
        };
        s.push_str(&format!(
            "| {:<36} | {:<46} | {:>9.5} | {:>21} | {:>6.2} | {:>9.6} | {:<6} |\n",
            r.case, r.parameters, r.theory, sim, r.z, r.allowance, result
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_scenarios_are_valid() {
        for (text, name) in [
            (PERCOLATION, "p"),
            (WELL_MIXED, "w"),
            (MAKI_THOMPSON, "m"),
            (TREE, "t"),
        ] {
            Scenario::from_toml_str(text, name).unwrap();
        }
    }

    #[test]
    fn mean_and_standard_error() {
        let (m, se) = mean_se(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(m, 2.5);
        assert!((se - (1.666_666_666_666_666_7f64 / 4.0).sqrt()).abs() < 1e-12);
    }
}
