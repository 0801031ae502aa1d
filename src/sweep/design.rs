//! Designs: which points (one value per parameter) a sweep runs.
//!
//! - `grid`: every combination of the parameters' values, the first parameter varying
//!   slowest (like nested loops written in file order).
//! - `random`: `samples` points, each coordinate an independent uniform draw.
//! - `latin-hypercube`: `samples` points; for every parameter the unit interval is cut
//!   into `samples` equal strata and each stratum holds exactly one point, at a uniform
//!   position inside it; strata are paired across parameters by independent random
//!   permutations.
//!
//! A coordinate in `[0, 1)` becomes a value through [`Domain::at`]. Draws come from
//! streams keyed by (sweep seed, design, point, parameter), so the design is the same on
//! every machine and thread count, and adding a parameter at the end leaves the draws of
//! the others unchanged.
//!
//! # Complexity
//! O(points x parameters) time and memory.

use super::spec::{DesignKind, Domain, SweepSpec};
use crate::rng::{self, derive_seed};
use rand::Rng as _;

/// Key parts that separate design streams from run seeds (`[point, replicate]`, both
/// below 2^32).
const RANDOM_TAG: u64 = 0x5357_4545_5052_4E44; // "SWEEPRND"
const LHS_TAG: u64 = 0x5357_4545_504C_4853; // "SWEEPLHS"

/// The points of a checked sweep: `points[i][j]` is parameter `j`'s value at point `i`.
pub fn points(spec: &SweepSpec) -> Vec<Vec<toml::Value>> {
    let domains: Vec<&Domain> = spec.parameters.iter().map(|p| &p.domain).collect();
    match spec.design {
        DesignKind::Grid => grid(&domains),
        DesignKind::Random => {
            let units = random_units(spec.samples.unwrap_or(0) as usize, domains.len(), spec.seed);
            map_units(&units, &domains)
        }
        DesignKind::LatinHypercube => {
            let units = lhs_units(spec.samples.unwrap_or(0) as usize, domains.len(), spec.seed);
            map_units(&units, &domains)
        }
        DesignKind::Morris | DesignKind::Sobol => match sensitivity_units(spec) {
            Ok(units) => map_units(&units, &domains),
            Err(_) => Vec::new(),
        },
    }
}

/// The unit-cube points of a sensitivity design, row by row: point `i` of the sweep is
/// row `i` of the design, so the analysis can read outputs by point.
pub fn sensitivity_units(
    spec: &SweepSpec,
) -> Result<Vec<Vec<f64>>, crate::error::SensitivityError> {
    let k = spec.parameters.len();
    match spec.design {
        DesignKind::Morris => Ok(crate::sensitivity::MorrisDesign::new(
            k,
            spec.trajectories.unwrap_or(0) as usize,
            spec.levels.unwrap_or(4) as usize,
            spec.seed,
        )?
        .points()),
        DesignKind::Sobol => Ok(crate::sensitivity::SobolDesign::new(
            k,
            spec.samples.unwrap_or(0) as usize,
            spec.seed,
            crate::sensitivity::SobolBase::Sequence,
        )?
        .points()),
        _ => Ok(Vec::new()),
    }
}

/// Cartesian product, first domain slowest. Domains without a finite list (continuous
/// ranges, refused for grids by the spec) contribute nothing.
pub fn grid(domains: &[&Domain]) -> Vec<Vec<toml::Value>> {
    let lists: Vec<Vec<toml::Value>> = domains
        .iter()
        .map(|d| d.values().unwrap_or_default())
        .collect();
    let total: usize = lists.iter().map(Vec::len).product();
    (0..total)
        .map(|mut i| {
            let mut point = vec![toml::Value::Boolean(false); lists.len()];
            for (j, list) in lists.iter().enumerate().rev() {
                point[j] = list[i % list.len()].clone();
                i /= list.len();
            }
            point
        })
        .collect()
}

/// `n` points of independent uniforms in `[0, 1)^dims`.
pub fn random_units(n: usize, dims: usize, seed: u64) -> Vec<Vec<f64>> {
    (0..n)
        .map(|i| {
            (0..dims)
                .map(|d| {
                    rng::from_seed(derive_seed(seed, &[RANDOM_TAG, i as u64, d as u64]))
                        .random::<f64>()
                })
                .collect()
        })
        .collect()
}

/// `n` latin-hypercube points in `[0, 1)^dims`: in every dimension, point `i` lies in
/// stratum `perm_d[i]`, i.e. in `[perm_d[i] / n, (perm_d[i] + 1) / n)`.
pub fn lhs_units(n: usize, dims: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut units = vec![vec![0.0; dims]; n];
    for d in 0..dims {
        let mut r = rng::from_seed(derive_seed(seed, &[LHS_TAG, d as u64]));
        let mut perm: Vec<u64> = (0..n as u64).collect();
        for i in (1..n).rev() {
            let j = r.random_range(0..=i as u64) as usize;
            perm.swap(i, j);
        }
        for (i, point) in units.iter_mut().enumerate() {
            let jitter: f64 = r.random();
            // Guard against rounding up to the next stratum.
            point[d] = ((perm[i] as f64 + jitter) / n as f64).min(f64::from_bits(
                ((perm[i] + 1) as f64 / n as f64).to_bits() - 1,
            ));
        }
    }
    units
}

fn map_units(units: &[Vec<f64>], domains: &[&Domain]) -> Vec<Vec<toml::Value>> {
    units
        .iter()
        .map(|u| u.iter().zip(domains).map(|(&x, d)| d.at(x)).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::spec::parse;
    use std::path::Path;

    fn list(values: &[i64]) -> Domain {
        Domain::List {
            values: values.iter().map(|&v| toml::Value::Integer(v)).collect(),
        }
    }

    #[test]
    fn grid_has_every_combination_first_parameter_slowest() {
        let (a, b, c) = (list(&[1, 2]), list(&[10, 20, 30]), list(&[7]));
        let g = grid(&[&a, &b, &c]);
        assert_eq!(g.len(), 6);
        let flat: Vec<(i64, i64)> = g
            .iter()
            .map(|p| (p[0].as_integer().unwrap(), p[1].as_integer().unwrap()))
            .collect();
        assert_eq!(flat, [(1, 10), (1, 20), (1, 30), (2, 10), (2, 20), (2, 30)]);
        assert!(g.iter().all(|p| p[2].as_integer() == Some(7)));
    }

    #[test]
    fn latin_hypercube_hits_every_stratum_once_per_dimension() {
        for (n, dims, seed) in [(1, 1, 1), (7, 3, 42), (100, 4, 9), (257, 2, 3)] {
            let u = lhs_units(n, dims, seed);
            assert_eq!(u.len(), n);
            for d in 0..dims {
                let mut hits = vec![0u32; n];
                for p in &u {
                    assert!((0.0..1.0).contains(&p[d]));
                    hits[(p[d] * n as f64) as usize] += 1;
                }
                assert!(hits.iter().all(|&h| h == 1), "n {n} dim {d}: {hits:?}");
            }
        }
    }

    #[test]
    fn latin_hypercube_of_a_list_uses_each_value_equally() {
        let s = parse(
            "scenario = \"b.toml\"\ndesign = \"latin-hypercube\"\nsamples = 12\n\
             [parameters]\nplatform.forward_limit = [1, 5, 20, 256]\n\
             rumor.appeal = { min = 0.1, max = 0.9 }\n",
            Path::new("s.toml"),
        )
        .unwrap();
        let p = points(&s);
        for v in [1, 5, 20, 256] {
            let n = p.iter().filter(|x| x[0].as_integer() == Some(v)).count();
            assert_eq!(n, 3, "value {v}");
        }
        assert!(p
            .iter()
            .all(|x| (0.1..0.9).contains(&x[1].as_float().unwrap())));
    }

    #[test]
    fn random_design_is_reproducible_and_seed_dependent() {
        let a = random_units(50, 3, 7);
        assert_eq!(a, random_units(50, 3, 7));
        assert_ne!(a, random_units(50, 3, 8));
        // A fourth parameter leaves the first three unchanged.
        let b = random_units(50, 4, 7);
        assert!(a.iter().zip(&b).all(|(x, y)| x[..] == y[..3]));
        let mean = a.iter().map(|p| p[0]).sum::<f64>() / 50.0;
        assert!((mean - 0.5).abs() < 0.15, "{mean}");
    }

    #[test]
    fn design_points_are_pinned() {
        // Golden values: a change here changes the points of every published sweep.
        assert_eq!(
            lhs_units(4, 1, 1),
            [
                [0.12459795613618779],
                [0.4092254914916742],
                [0.9062505759910904],
                [0.5080805465484454]
            ]
        );
        assert_eq!(
            random_units(1, 2, 1),
            [[0.6650523012356683, 0.6286742026740338]]
        );
    }
}
