//! Shape of a cascade forest: depth, breadth and structural virality, for the reach tree
//! and the sharers' tree (`docs/model.md#cascade-shape`).
//!
//! Structural virality is the mean shortest-path distance between two nodes of the
//! cascade tree (Goel et al. 2016, "The structural virality of online diffusion").
//! For a tree of n nodes it equals `2 / (n (n - 1)) * sum over edges of s (n - s)`,
//! where s is the size of the subtree below the edge: each edge lies on the path of
//! exactly `s (n - s)` pairs. This gives an O(n) computation from subtree sizes.
//! With several seeds the cascade is a forest: we report the value of the largest tree
//! and the size-weighted mean over trees of two or more nodes.

use super::CascadeEntry;
use crate::record::Sharer;
use serde::{Deserialize, Serialize};

/// Shape figures of a cascade forest.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CascadeShape {
    /// Nodes in the forest (users reached).
    pub size: u64,
    /// Number of trees (seeds).
    pub trees: u64,
    /// Nodes in the largest tree.
    pub largest_tree: u64,
    /// Largest depth (edges from a root) of any node.
    pub depth: u32,
    /// Largest number of nodes at one depth (summed over trees).
    pub max_breadth: u64,
    /// Structural virality of the largest tree (0 for a single node).
    pub structural_virality: f64,
    /// Size-weighted mean structural virality over trees with two or more nodes.
    pub structural_virality_mean: f64,
}

/// Computes the shape of a forest given in an order where every parent comes before
/// its children (the order in which the engine reaches users): the reach tree.
///
/// # Complexity
/// O(n) time and memory.
pub fn shape(entries: &[CascadeEntry]) -> CascadeShape {
    shape_of(entries.iter().map(|e| (e.user, e.parent)))
}

/// The shape of the sharers' tree (in order of first post, so parents come first).
///
/// # Complexity
/// O(n) time and memory.
pub fn sharers_shape(sharers: &[Sharer]) -> CascadeShape {
    shape_of(sharers.iter().map(|e| (e.user, e.parent)))
}

/// The shape of a forest of `(user, parent)` nodes, parents before their children.
fn shape_of(nodes: impl ExactSizeIterator<Item = (u32, Option<u32>)> + Clone) -> CascadeShape {
    let n = nodes.len();
    if n == 0 {
        return CascadeShape::default();
    }
    // Position of each user in the list: user ids are dense, so a table (4 bytes per
    // user) is much faster than hashing tens of millions of them.
    let users = nodes
        .clone()
        .map(|(u, _)| u as usize + 1)
        .max()
        .unwrap_or(0);
    let mut position = vec![u32::MAX; users];
    for (i, (u, _)) in nodes.clone().enumerate() {
        position[u as usize] = i as u32;
    }
    // parent position for each node; usize::MAX for roots.
    let parent: Vec<usize> = nodes
        .map(|(_, p)| {
            p.and_then(|p| position.get(p as usize).copied())
                .filter(|&i| i != u32::MAX)
                .map_or(usize::MAX, |i| i as usize)
        })
        .collect();
    drop(position);
    let mut depth = vec![0u32; n];
    let mut root = vec![0usize; n];
    for i in 0..n {
        if parent[i] == usize::MAX {
            root[i] = i;
        } else {
            depth[i] = depth[parent[i]] + 1;
            root[i] = root[parent[i]];
        }
    }
    let max_depth = depth.iter().copied().max().unwrap_or(0);
    let mut per_level = vec![0u64; max_depth as usize + 1];
    for &d in &depth {
        per_level[d as usize] += 1;
    }
    // Subtree sizes, accumulated children-first (reverse order).
    let mut sub = vec![1u64; n];
    for i in (0..n).rev() {
        if parent[i] != usize::MAX {
            sub[parent[i]] += sub[i];
        }
    }
    // Sum of s (n_tree - s) over edges, per tree.
    let mut edge_sum = vec![0.0f64; n];
    for i in 0..n {
        if parent[i] != usize::MAX {
            let nt = sub[root[i]] as f64;
            edge_sum[root[i]] += sub[i] as f64 * (nt - sub[i] as f64);
        }
    }
    let virality = |r: usize| {
        let nt = sub[r] as f64;
        if nt < 2.0 {
            0.0
        } else {
            2.0 * edge_sum[r] / (nt * (nt - 1.0))
        }
    };
    let roots: Vec<usize> = (0..n).filter(|&i| parent[i] == usize::MAX).collect();
    // Largest tree; ties go to the earliest root so the figure is deterministic.
    let largest = roots
        .iter()
        .copied()
        .max_by_key(|&r| (sub[r], std::cmp::Reverse(r)))
        .unwrap_or(0);
    let (mut wsum, mut wtot) = (0.0, 0.0);
    for &r in &roots {
        if sub[r] >= 2 {
            wsum += sub[r] as f64 * virality(r);
            wtot += sub[r] as f64;
        }
    }
    CascadeShape {
        size: n as u64,
        trees: roots.len() as u64,
        largest_tree: sub[largest],
        depth: max_depth,
        max_breadth: per_level.iter().copied().max().unwrap_or(0),
        structural_virality: virality(largest),
        structural_virality_mean: if wtot > 0.0 { wsum / wtot } else { 0.0 },
    }
}

/// Builds cascade entries from `(user, parent)` pairs in reach order (tests, validation).
pub fn from_parents(pairs: &[(u32, Option<u32>)]) -> Vec<CascadeEntry> {
    pairs
        .iter()
        .map(|&(user, parent)| CascadeEntry {
            user,
            parent,
            hops: 0,
            step: 0,
            chat: None,
        })
        .collect()
}

/// Structural virality of a star with `n` nodes: 2 (n - 1) / n.
pub fn star_virality(n: u64) -> f64 {
    2.0 * (n as f64 - 1.0) / n as f64
}

/// Structural virality of a path with `n` nodes: (n + 1) / 3.
pub fn path_virality(n: u64) -> f64 {
    (n as f64 + 1.0) / 3.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_and_path_match_closed_forms() {
        let star: Vec<_> = std::iter::once((0, None))
            .chain((1..10).map(|u| (u, Some(0))))
            .collect();
        let s = shape(&from_parents(&star));
        assert!((s.structural_virality - star_virality(10)).abs() < 1e-12);
        assert_eq!((s.depth, s.max_breadth), (1, 9));
        let path: Vec<_> = std::iter::once((0, None))
            .chain((1..10).map(|u| (u, Some(u - 1))))
            .collect();
        let p = shape(&from_parents(&path));
        assert!((p.structural_virality - path_virality(10)).abs() < 1e-12);
        assert_eq!((p.depth, p.max_breadth), (9, 1));
    }

    #[test]
    fn forest_reports_largest_and_weighted_mean() {
        // Tree A: a pair (virality 1); tree B: star of 4 (virality 1.5); tree C: singleton.
        let f = [
            (0, None),
            (1, Some(0)),
            (2, None),
            (3, Some(2)),
            (4, Some(2)),
            (5, Some(2)),
            (6, None),
        ];
        let s = shape(&from_parents(&f));
        assert_eq!((s.trees, s.largest_tree, s.size), (3, 4, 7));
        assert!((s.structural_virality - 1.5).abs() < 1e-12);
        assert!((s.structural_virality_mean - (2.0 * 1.0 + 4.0 * 1.5) / 6.0).abs() < 1e-12);
    }

    #[test]
    fn empty_and_single() {
        assert_eq!(shape(&[]), CascadeShape::default());
        let s = shape(&from_parents(&[(5, None)]));
        assert_eq!((s.size, s.depth, s.structural_virality), (1, 0, 0.0));
    }
}
