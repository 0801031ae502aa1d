//! Compressed sparse rows: the adjacency layout for chat -> members and user -> chats.
//!
//! Offsets are u64 so that more than 2^32 memberships fit; targets are u32 ids.

use rayon::prelude::*;

/// Rows of u32 ids stored back to back. Row `i` is `targets[offsets[i]..offsets[i+1]]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Csr {
    offsets: Vec<u64>,
    targets: Vec<u32>,
}

impl Csr {
    /// Builds from offsets and targets. Offsets must start at 0, be non-decreasing and
    /// end at `targets.len()`.
    pub fn from_parts(offsets: Vec<u64>, targets: Vec<u32>) -> Csr {
        debug_assert_eq!(offsets.first(), Some(&0));
        debug_assert_eq!(offsets.last().copied(), Some(targets.len() as u64));
        Csr { offsets, targets }
    }

    /// Builds from rows given as one flat list plus each row's length.
    pub fn from_lengths(lengths: impl IntoIterator<Item = u32>, targets: Vec<u32>) -> Csr {
        let mut offsets = vec![0u64];
        let mut acc = 0u64;
        for l in lengths {
            acc += l as u64;
            offsets.push(acc);
        }
        Csr::from_parts(offsets, targets)
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Total number of entries.
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// Row `i`.
    #[inline]
    pub fn row(&self, i: usize) -> &[u32] {
        &self.targets[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    /// Positions of row `i` in [`Csr::targets`].
    #[inline]
    pub fn row_range(&self, i: usize) -> std::ops::Range<usize> {
        self.offsets[i] as usize..self.offsets[i + 1] as usize
    }

    /// All entries, row after row.
    #[inline]
    pub fn targets(&self) -> &[u32] {
        &self.targets
    }

    /// Length of row `i`.
    #[inline]
    pub fn row_len(&self, i: usize) -> usize {
        (self.offsets[i + 1] - self.offsets[i]) as usize
    }

    /// The transpose: for each target id in `0..n_cols`, the rows that contain it, in
    /// increasing row order.
    ///
    /// # Complexity
    /// O(rows + entries) time, one counting pass and one placement pass.
    pub fn transpose(&self, n_cols: usize) -> Csr {
        self.transpose_with(n_cols, |_, _| ()).0
    }

    /// The transpose, plus one value per entry of it computed by `f(row, target)` of
    /// the original entry (and stored in the transpose's order). Computing the values
    /// here, while each row is read in order, costs one write per entry; computing them
    /// afterwards from the transpose would look each row up at random.
    ///
    /// Parallel without changing the result: the columns are split into one range per
    /// thread (at most 16); each thread reads all entries in order and places only those
    /// in its range, so every transposed row keeps increasing row order.
    pub fn transpose_with<T: Copy + Default + Send>(
        &self,
        n_cols: usize,
        f: impl Fn(u32, u32) -> T + Sync,
    ) -> (Csr, Vec<T>) {
        let parts = rayon::current_num_threads().clamp(1, 16);
        let bounds: Vec<usize> = (0..=parts).map(|p| n_cols * p / parts).collect();
        let ranges: Vec<(usize, usize)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
        // Entries per column, each range counted by its own thread.
        let counts: Vec<Vec<u64>> = ranges
            .par_iter()
            .map(|&(lo, hi)| {
                let mut c = vec![0u64; hi - lo];
                for &t in &self.targets {
                    if let Some(n) = (t as usize).checked_sub(lo).and_then(|i| c.get_mut(i)) {
                        *n += 1;
                    }
                }
                c
            })
            .collect();
        let mut offsets = Vec::with_capacity(n_cols + 1);
        offsets.push(0u64);
        let mut acc = 0u64;
        for c in counts.iter().flatten() {
            acc += c;
            offsets.push(acc);
        }
        drop(counts);
        let mut targets = vec![0u32; self.targets.len()];
        let mut values = vec![T::default(); self.targets.len()];
        // Each range owns the slice of the output between its first and last offset.
        let mut jobs = Vec::with_capacity(parts);
        let (mut rest_t, mut rest_v) = (targets.as_mut_slice(), values.as_mut_slice());
        for &(lo, hi) in &ranges {
            let len = (offsets[hi] - offsets[lo]) as usize;
            let (t, tail_t) = rest_t.split_at_mut(len);
            let (v, tail_v) = rest_v.split_at_mut(len);
            jobs.push((lo, hi, t, v));
            (rest_t, rest_v) = (tail_t, tail_v);
        }
        jobs.into_par_iter().for_each(|(lo, hi, out_t, out_v)| {
            let base = offsets[lo];
            let mut cursor: Vec<u64> = offsets[lo..hi].iter().map(|o| o - base).collect();
            for r in 0..self.rows() {
                for &t in self.row(r) {
                    let Some(c) = (t as usize).checked_sub(lo).and_then(|i| cursor.get_mut(i))
                    else {
                        continue;
                    };
                    out_t[*c as usize] = r as u32;
                    out_v[*c as usize] = f(r as u32, t);
                    *c += 1;
                }
            }
        });
        (Csr { offsets, targets }, values)
    }

    /// Bytes held by this structure.
    pub fn heap_bytes(&self) -> u64 {
        (self.offsets.capacity() * 8 + self.targets.capacity() * 4) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splitting the columns between threads does not change the transpose or the
    /// order of its values.
    #[test]
    fn transpose_is_the_same_for_any_thread_count() {
        // 300 rows of pseudo-random length and targets over 97 columns.
        let mut x = 12345u64;
        let mut next = |m: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % m
        };
        let lengths: Vec<u32> = (0..300).map(|_| next(6) as u32).collect();
        let total: u32 = lengths.iter().sum();
        let targets: Vec<u32> = (0..total).map(|_| next(97) as u32).collect();
        let c = Csr::from_lengths(lengths, targets);
        // Reference: rows in order, each entry appended to its column.
        let mut rows = vec![Vec::new(); 97];
        for r in 0..c.rows() {
            for &t in c.row(r) {
                rows[t as usize].push((r as u32, r as u64 * 1000 + t as u64));
            }
        }
        for threads in [1, 2, 3, 5] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let (t, v) = pool.install(|| c.transpose_with(97, |r, t| r as u64 * 1000 + t as u64));
            for (col, want) in rows.iter().enumerate() {
                let got: Vec<(u32, u64)> = t
                    .row(col)
                    .iter()
                    .copied()
                    .zip(v[t.row_range(col)].iter().copied())
                    .collect();
                assert_eq!(&got, want, "column {col} with {threads} threads");
            }
        }
    }

    #[test]
    fn transpose_inverts_rows() {
        let c = Csr::from_lengths([2, 0, 3], vec![1, 2, 0, 1, 2]);
        assert_eq!(c.row(0), &[1, 2]);
        assert_eq!(c.row(1), &[] as &[u32]);
        let t = c.transpose(3);
        assert_eq!(t.row(0), &[2]);
        assert_eq!(t.row(1), &[0, 2]);
        assert_eq!(t.row(2), &[0, 2]);
        assert_eq!(t.transpose(3), c);
    }
}
