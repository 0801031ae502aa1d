//! Reference networks whose edges become direct chats: Erdos-Renyi G(n, m), the
//! complete graph, a star, a path and a balanced tree. They give the engine inputs
//! with known answers (percolation, well-mixed SIR, Maki-Thompson, structural
//! virality of known trees).

use crate::rng::{self, Purpose};
use crate::scenario::ReferenceNetwork;
use rand::Rng as _;
use rayon::prelude::*;

/// Edges of the network on `n` users, each as (a, b) with a < b, sorted, no duplicates.
///
/// # Complexity
/// Erdos-Renyi: O(m log m) for m edges (parallel draws, one sort). Complete graph:
/// O(n^2) edges.
pub fn edges(net: ReferenceNetwork, n: u32, seed: u64) -> Vec<(u32, u32)> {
    match net {
        ReferenceNetwork::ErdosRenyi { mean_degree } => erdos_renyi(n, mean_degree, seed),
        ReferenceNetwork::Complete => (0..n)
            .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
            .collect(),
        ReferenceNetwork::Star => (1..n).map(|b| (0, b)).collect(),
        ReferenceNetwork::Path => (1..n).map(|b| (b - 1, b)).collect(),
        ReferenceNetwork::Tree { branching } => {
            let k = branching as u64;
            (1..n).map(|c| (((c as u64 - 1) / k) as u32, c)).collect()
        }
    }
}

/// G(n, m) with m = round(n c / 2): m distinct uniform pairs.
fn erdos_renyi(n: u32, mean_degree: f64, seed: u64) -> Vec<(u32, u32)> {
    let max_edges = n as u64 * (n as u64).saturating_sub(1) / 2;
    let m = ((n as f64 * mean_degree / 2.0).round() as u64).min(max_edges) as usize;
    if n < 2 || m == 0 {
        return Vec::new();
    }
    let draw = |i: u64| {
        let mut r = rng::stream(seed, 0, u64::MAX, i, Purpose::ChatMembers);
        loop {
            let a = r.random_range(0..n);
            let b = r.random_range(0..n);
            if a != b {
                return (a.min(b), a.max(b));
            }
        }
    };
    let mut edges: Vec<(u32, u32)> = (0..m as u64).into_par_iter().map(draw).collect();
    edges.par_sort_unstable();
    edges.dedup();
    // Replace duplicates with fresh draws until m distinct edges exist.
    let mut next = m as u64;
    while edges.len() < m {
        let missing = m - edges.len();
        edges.extend((next..next + missing as u64).map(draw));
        next += missing as u64;
        edges.sort_unstable();
        edges.dedup();
    }
    edges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erdos_renyi_has_exact_edge_count() {
        let e = edges(ReferenceNetwork::ErdosRenyi { mean_degree: 4.0 }, 10_000, 5);
        assert_eq!(e.len(), 20_000);
        assert!(e.windows(2).all(|w| w[0] < w[1]));
        assert!(e.iter().all(|&(a, b)| a < b && b < 10_000));
    }

    #[test]
    fn small_models() {
        assert_eq!(edges(ReferenceNetwork::Complete, 4, 0).len(), 6);
        assert_eq!(
            edges(ReferenceNetwork::Star, 5, 0),
            vec![(0, 1), (0, 2), (0, 3), (0, 4)]
        );
        assert_eq!(edges(ReferenceNetwork::Path, 3, 0), vec![(0, 1), (1, 2)]);
        assert_eq!(
            edges(ReferenceNetwork::Tree { branching: 3 }, 5, 0),
            vec![(0, 1), (0, 2), (0, 3), (1, 4)]
        );
    }
}
