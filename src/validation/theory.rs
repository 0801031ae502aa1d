//! Closed-form results the engine is checked against.

/// Root in (0, 1] of `x = 1 - exp(-a x)` for a > 1 (0 for a <= 1): the giant
/// cluster of bond percolation on an Erdos-Renyi graph (a = c T) and the final size of
/// well-mixed SIR (a = R0). Solved by bisection on `f(x) = 1 - exp(-a x) - x`, which is
/// positive below the root and negative above it.
pub fn final_size(a: f64) -> f64 {
    if a <= 1.0 {
        return 0.0;
    }
    let f = |x: f64| 1.0 - (-a * x).exp() - x;
    let (mut lo, mut hi) = (1e-12, 1.0);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Share of a well-mixed population that never hears a Maki-Thompson rumor:
/// the root in (0, 1) of `theta = exp(-2 (1 - theta))`, about 0.2032.
pub fn maki_thompson_ignorants() -> f64 {
    // theta = exp(-2 (1 - theta)) <=> with x = 1 - theta: x = 1 - exp(-2 x).
    1.0 - final_size(2.0)
}

/// Structural virality of a balanced tree with branching `b` on `n` nodes numbered
/// breadth-first (children of u are b u + 1 ..= b u + b): the mean distance between
/// two nodes, from the subtree sizes (each edge lies on `s (n - s)` paths).
pub fn tree_virality(b: u64, n: u64) -> f64 {
    let mut sub = vec![1u64; n as usize];
    for c in (1..n).rev() {
        sub[((c - 1) / b) as usize] += sub[c as usize];
    }
    let sum: f64 = (1..n)
        .map(|c| (sub[c as usize] * (n - sub[c as usize])) as f64)
        .sum();
    2.0 * sum / (n as f64 * (n as f64 - 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_roots() {
        assert!((final_size(2.0) - 0.796_812_130_0).abs() < 1e-9);
        assert!((maki_thompson_ignorants() - 0.203_187_869_9).abs() < 1e-9);
        assert_eq!(final_size(0.9), 0.0);
    }

    #[test]
    fn tree_virality_matches_brute_force() {
        // All-pairs distances by walking up to the common ancestor.
        let (b, n) = (3u64, 40u64);
        let parent = |u: u64| (u - 1) / b;
        let depth = |mut u: u64| {
            let mut d = 0;
            while u > 0 {
                u = parent(u);
                d += 1;
            }
            d
        };
        let mut total = 0u64;
        for x in 0..n {
            for y in x + 1..n {
                let (mut a, mut c) = (x, y);
                let mut dist = 0;
                while a != c {
                    if depth(a) >= depth(c) {
                        a = parent(a);
                    } else {
                        c = parent(c);
                    }
                    dist += 1;
                }
                total += dist;
            }
        }
        let brute = total as f64 / (n * (n - 1) / 2) as f64;
        assert!((tree_virality(b, n) - brute).abs() < 1e-12);
    }
}
