//! Weighted sampling of users by the alias method, laid out for one memory access per
//! draw.
//!
//! Generation draws hundreds of millions of members from sociability-weighted camps;
//! once the tables outgrow the caches every draw is a cache miss. `rand_distr`'s
//! `WeightedAliasIndex` keeps the odds and the aliases in two arrays and returns an
//! index into a third (the camp's users), so a draw costs three misses, one of them
//! dependent. Here each slot holds its odds, its own user and its alias's user side by
//! side. The table is built by the same procedure (Vose's method with last-in-first-out
//! stacks, the same floating-point steps) and drawn with the same two uniforms, so the
//! users drawn are exactly those `WeightedAliasIndex` would give (see the tests).

use crate::rng::Rng;
use rand::distr::Uniform;
use rand::Rng as _;

/// One slot of the table: a draw landing here keeps `own` if the second uniform is
/// below `odds`, else takes `alias`.
#[derive(Clone, Copy, Debug)]
struct Slot {
    odds: f32,
    own: u32,
    alias: u32,
}

/// Draws users with probability proportional to their weights.
#[derive(Clone, Debug)]
pub struct UserAlias {
    slots: Vec<Slot>,
    index: Uniform<u32>,
    within: Uniform<f32>,
}

impl UserAlias {
    /// A sampler over `users` with `weights` (same length). None if there are no users,
    /// a weight is negative, not finite or too large, or all weights are zero.
    pub fn new(users: &[u32], weights: &[f32]) -> Option<UserAlias> {
        assert_eq!(users.len(), weights.len());
        let n = u32::try_from(users.len()).ok().filter(|&n| n > 0)?;
        let nf = n as f32;
        let max_weight = f32::MAX / nf;
        if !weights.iter().all(|&w| (0.0..=max_weight).contains(&w)) {
            return None;
        }
        let sum = pairwise_sum(weights).min(f32::MAX);
        if sum == 0.0 {
            return None;
        }
        let mut odds: Vec<f32> = weights.iter().map(|&w| (w * nf).min(f32::MAX)).collect();
        let mut alias: Vec<u32> = (0..n).collect();
        let (mut small, mut big): (Vec<u32>, Vec<u32>) =
            (0..n).partition(|&i| odds[i as usize] < sum);
        // Pair the most recently pushed small slot with the most recently pushed big one.
        while let (Some(&s), Some(&b)) = (small.last(), big.last()) {
            small.pop();
            big.pop();
            alias[s as usize] = b;
            odds[b as usize] = odds[b as usize] - sum + odds[s as usize];
            if odds[b as usize] < sum {
                small.push(b);
            } else {
                big.push(b);
            }
        }
        // Left-overs are full up to rounding.
        for i in small.into_iter().chain(big) {
            odds[i as usize] = sum;
        }
        let slots = (0..n as usize)
            .map(|i| Slot {
                odds: odds[i],
                own: users[i],
                alias: users[alias[i] as usize],
            })
            .collect();
        Some(UserAlias {
            slots,
            index: Uniform::new(0, n).ok()?,
            within: Uniform::new(0.0, sum).ok()?,
        })
    }

    /// One user.
    #[inline]
    pub fn sample(&self, rng: &mut Rng) -> u32 {
        let candidate = rng.sample(self.index);
        let x = rng.sample(self.within);
        let slot = &self.slots[candidate as usize];
        if x < slot.odds {
            slot.own
        } else {
            slot.alias
        }
    }
}

/// Pairwise summation (halves until 32 values, then in order), as `rand_distr` sums.
fn pairwise_sum(values: &[f32]) -> f32 {
    if values.len() <= 32 {
        values.iter().sum()
    } else {
        let (a, b) = values.split_at(values.len() / 2);
        pairwise_sum(a) + pairwise_sum(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::from_seed;
    use rand_distr::weighted::WeightedAliasIndex;
    use rand_distr::{Distribution, LogNormal};

    /// Same users as `rand_distr`'s alias index for the same draws, over weight sets of
    /// many sizes and shapes (heavy tails, zeros, equal weights, one user).
    #[test]
    fn draws_exactly_what_weighted_alias_index_draws() {
        let mut r = from_seed(99);
        let heavy = LogNormal::new(0.0, 1.5).unwrap();
        for (case, n) in [1usize, 2, 3, 31, 32, 33, 100, 1000, 20_000]
            .into_iter()
            .enumerate()
        {
            let users: Vec<u32> = (0..n as u32).map(|i| i * 7 + 3).collect();
            let weight_sets: [Vec<f32>; 3] = [
                (0..n).map(|_| heavy.sample(&mut r) as f32).collect(),
                (0..n)
                    .map(|i| if i % 3 == 0 { 0.0 } else { 1.0 + i as f32 })
                    .collect(),
                vec![1.0; n],
            ];
            for weights in weight_sets {
                let ours = UserAlias::new(&users, &weights);
                let theirs = WeightedAliasIndex::new(weights.clone()).ok();
                assert_eq!(ours.is_some(), theirs.is_some(), "case {case}");
                let (Some(ours), Some(theirs)) = (ours, theirs) else {
                    continue;
                };
                let (mut a, mut b) = (from_seed(case as u64), from_seed(case as u64));
                for _ in 0..5000 {
                    assert_eq!(ours.sample(&mut a), users[theirs.sample(&mut b)], "n {n}");
                }
            }
        }
    }

    #[test]
    fn refuses_what_weighted_alias_index_refuses() {
        for weights in [vec![], vec![0.0, 0.0], vec![1.0, -1.0], vec![1.0, f32::NAN]] {
            let users: Vec<u32> = (0..weights.len() as u32).collect();
            assert!(UserAlias::new(&users, &weights).is_none(), "{weights:?}");
            assert!(WeightedAliasIndex::new(weights).is_err());
        }
    }
}
