//! Compressed sparse rows: the adjacency layout for chat -> members and user -> chats.
//!
//! Offsets are u64 so that more than 2^32 memberships fit; targets are u32 ids.

use crate::error::CapacityError;
use rayon::prelude::*;

/// Columns per block when transposing: the block's cursors (8 bytes each) and output
/// stay in the processor's caches while its entries are placed.
const COLUMN_BLOCK: usize = 1 << 16;
/// Entries partitioned at a time when transposing (12-16 bytes each in the buffer).
pub(crate) const TRANSPOSE_CHUNK: u64 = 1 << 25;

/// Rows in a run of equal-length rows before the run is addressed arithmetically.
const RUN_MIN: usize = 1 << 16;
/// Runs kept (the longest), so that finding a row's run stays a short scan.
const RUNS_MAX: usize = 4;

/// Rows of u32 ids stored back to back. Row `i` is `targets[offsets[i]..offsets[i+1]]`.
///
/// Long runs of rows of one length (the direct chats of a population: two members each)
/// are also recorded as runs, and a row in a run is found by arithmetic instead of
/// reading its offsets: one cache miss fewer per row looked up at random.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Csr {
    offsets: Vec<u64>,
    targets: Vec<u32>,
    runs: Vec<Run>,
}

/// Rows `first..end`, each `len` long, the first starting at `start`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Run {
    first: usize,
    end: usize,
    start: usize,
    len: usize,
}

impl Csr {
    /// Builds from offsets and targets. Offsets must start at 0, be non-decreasing and
    /// end at `targets.len()`.
    pub fn from_parts(offsets: Vec<u64>, targets: Vec<u32>) -> Csr {
        debug_assert_eq!(offsets.first(), Some(&0));
        debug_assert_eq!(offsets.last().copied(), Some(targets.len() as u64));
        let runs = equal_length_runs(&offsets);
        Csr {
            offsets,
            targets,
            runs,
        }
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
        &self.targets[self.row_range(i)]
    }

    /// Positions of row `i` in [`Csr::targets`].
    #[inline]
    pub fn row_range(&self, i: usize) -> std::ops::Range<usize> {
        for r in &self.runs {
            if (r.first..r.end).contains(&i) {
                let start = r.start + (i - r.first) * r.len;
                return start..start + r.len;
            }
        }
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
        self.row_range(i).len()
    }

    /// The transpose (for each target id in `0..n_cols`, the rows that contain it, in
    /// increasing row order), plus one value per entry of it computed by `f(row, target)` of
    /// the original entry (and stored in the transpose's order). Computing the values
    /// here, while each row is read in order, costs nothing extra; computing them
    /// afterwards from the transpose would look each row up at random.
    ///
    /// Placing entries straight into their columns writes at random all over the output
    /// (a cache miss per entry once it outgrows the caches). Instead, entries are first
    /// partitioned by column block (`COLUMN_BLOCK` columns, whose cursors and output fit
    /// in cache), in order, and then each block places its entries. Rows are taken in
    /// chunks of at most `TRANSPOSE_CHUNK` entries to bound the partition buffer.
    /// Both passes run in parallel; the result does not depend on the thread count:
    /// every column lists its rows in increasing order.
    pub fn transpose_with<T: Copy + Default + Send + Sync>(
        &self,
        n_cols: usize,
        f: impl Fn(u32, u32) -> T + Sync,
    ) -> (Csr, Vec<T>) {
        super::or_abort(self.try_transpose_with(n_cols, f))
    }

    /// As [`Csr::transpose_with`], with [`CapacityError::Allocation`] instead of an
    /// abort if the system refuses the memory for the transpose or its buffers.
    pub fn try_transpose_with<T: Copy + Default + Send + Sync>(
        &self,
        n_cols: usize,
        f: impl Fn(u32, u32) -> T + Sync,
    ) -> Result<(Csr, Vec<T>), CapacityError> {
        self.transpose_in_blocks(n_cols, COLUMN_BLOCK, TRANSPOSE_CHUNK, f)
    }

    /// [`Csr::transpose_with`] with explicit column block and chunk sizes.
    fn transpose_in_blocks<T: Copy + Default + Send + Sync>(
        &self,
        n_cols: usize,
        column_block: usize,
        chunk: u64,
        f: impl Fn(u32, u32) -> T + Sync,
    ) -> Result<(Csr, Vec<T>), CapacityError> {
        let what = "the user -> chats index";
        let offsets = self.column_offsets(n_cols)?;
        let mut cursor: Vec<u64> = Vec::new();
        super::try_reserve(&mut cursor, n_cols, what)?;
        cursor.extend_from_slice(&offsets[..n_cols]);
        let mut targets = super::try_filled(self.targets.len(), 0u32, what)?;
        let mut values = super::try_filled(self.targets.len(), T::default(), what)?;
        let n_blocks = n_cols.div_ceil(column_block).max(1);
        let threads = rayon::current_num_threads().max(1);
        let mut row = 0;
        while row < self.rows() {
            // The next chunk of rows, cut into one part per thread.
            let start = self.offsets[row];
            let end = self.offsets[row..].partition_point(|&o| o - start <= chunk);
            let last = (row + end - 1).max(row + 1).min(self.rows());
            let parts: Vec<(usize, usize)> = (0..threads)
                .map(|p| {
                    let cut = |k: usize| row + (last - row) * k / threads;
                    (cut(p), cut(p + 1))
                })
                .filter(|(a, b)| a < b)
                .collect();
            // Pass 1: each part partitions its entries by column block, in row order.
            let partitioned: Vec<Vec<Vec<(u32, u32, T)>>> = parts
                .par_iter()
                .map(|&(lo, hi)| {
                    let mut sizes = vec![0usize; n_blocks];
                    for &t in &self.targets[self.offsets[lo] as usize..self.offsets[hi] as usize] {
                        sizes[t as usize / column_block] += 1;
                    }
                    let mut blocks: Vec<Vec<(u32, u32, T)>> = Vec::with_capacity(n_blocks);
                    for size in sizes {
                        let mut b = Vec::new();
                        super::try_reserve(&mut b, size, "the transpose's buffer")?;
                        blocks.push(b);
                    }
                    for r in lo..hi {
                        for &t in self.row(r) {
                            blocks[t as usize / column_block].push((t, r as u32, f(r as u32, t)));
                        }
                    }
                    Ok(blocks)
                })
                .collect::<Result<_, CapacityError>>()?;
            // Pass 2: each column block places its entries, parts in order.
            let mut jobs = Vec::with_capacity(n_blocks);
            let (mut rest_t, mut rest_v) = (targets.as_mut_slice(), values.as_mut_slice());
            let mut placed = 0u64;
            for (b, cur) in cursor.chunks_mut(column_block).enumerate() {
                let hi = ((b + 1) * column_block).min(n_cols);
                let len = (offsets[hi] - placed) as usize;
                let (t, tail_t) = rest_t.split_at_mut(len);
                let (v, tail_v) = rest_v.split_at_mut(len);
                jobs.push((b, placed, cur, t, v));
                (rest_t, rest_v, placed) = (tail_t, tail_v, offsets[hi]);
            }
            jobs.into_par_iter()
                .for_each(|(b, base, cur, out_t, out_v)| {
                    let first_col = b * column_block;
                    for part in &partitioned {
                        for &(t, r, v) in &part[b] {
                            let c = &mut cur[t as usize - first_col];
                            out_t[(*c - base) as usize] = r;
                            out_v[(*c - base) as usize] = v;
                            *c += 1;
                        }
                    }
                });
            row = last;
        }
        Ok((Csr::from_parts(offsets, targets), values))
    }

    /// Offsets of the transpose: entries per column, summed. Each thread scans all
    /// entries and counts one range of columns.
    fn column_offsets(&self, n_cols: usize) -> Result<Vec<u64>, CapacityError> {
        let threads = rayon::current_num_threads().clamp(1, 16);
        // Each thread scans all entries once and counts the columns of its blocks.
        let counts: Vec<Vec<u32>> = (0..threads)
            .into_par_iter()
            .map(|p| {
                let (lo, hi) = (n_cols * p / threads, n_cols * (p + 1) / threads);
                let mut c = vec![0u32; hi - lo];
                for &t in &self.targets {
                    if let Some(n) = (t as usize).checked_sub(lo).and_then(|i| c.get_mut(i)) {
                        *n += 1;
                    }
                }
                c
            })
            .collect();
        let mut offsets = Vec::new();
        super::try_reserve(&mut offsets, n_cols + 1, "the user -> chats index")?;
        offsets.push(0u64);
        let mut acc = 0u64;
        for &c in counts.iter().flatten() {
            acc += c as u64;
            offsets.push(acc);
        }
        Ok(offsets)
    }

    /// Bytes held by this structure.
    pub fn heap_bytes(&self) -> u64 {
        (self.offsets.capacity() * 8 + self.targets.capacity() * 4) as u64
    }
}

/// The longest runs of at least [`RUN_MIN`] consecutive rows of equal length.
fn equal_length_runs(offsets: &[u64]) -> Vec<Run> {
    let mut runs = Vec::new();
    let rows = offsets.len().saturating_sub(1);
    let mut first = 0;
    while first < rows {
        let len = offsets[first + 1] - offsets[first];
        let mut end = first + 1;
        while end < rows && offsets[end + 1] - offsets[end] == len {
            end += 1;
        }
        if end - first >= RUN_MIN {
            runs.push(Run {
                first,
                end,
                start: offsets[first] as usize,
                len: len as usize,
            });
        }
        first = end;
    }
    runs.sort_by_key(|r| std::cmp::Reverse(r.end - r.first));
    runs.truncate(RUNS_MAX);
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splitting the work between threads, column blocks and row chunks does not change
    /// the transpose or the order of its values.
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
        // Column blocks of 97 (one), 8 and 1 columns; chunks of all, 50 and 1 entries.
        for (threads, block, chunk) in [(1, 97, 1 << 20), (2, 8, 50), (3, 1, 1), (5, 8, 7)] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let (t, v) = pool.install(|| {
                c.transpose_in_blocks(97, block, chunk, |r, t| r as u64 * 1000 + t as u64)
                    .unwrap()
            });
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

    /// Rows in long runs of equal length (found by arithmetic) are the rows the
    /// offsets give, runs of empty rows included.
    #[test]
    fn rows_in_runs_are_found_by_arithmetic_and_agree_with_the_offsets() {
        let mut lengths = vec![3u32, 0, 5, 1];
        lengths.extend(std::iter::repeat_n(2, RUN_MIN + 10));
        lengths.extend([4, 2, 7]);
        lengths.extend(std::iter::repeat_n(0, RUN_MIN));
        lengths.extend(std::iter::repeat_n(1, RUN_MIN - 1)); // one row short of a run
        let total: u32 = lengths.iter().sum();
        let c = Csr::from_lengths(lengths.clone(), (0..total).collect());
        assert_eq!(c.runs.len(), 2);
        let mut start = 0usize;
        for (i, &l) in lengths.iter().enumerate() {
            let want = start..start + l as usize;
            assert_eq!(c.row_range(i), want, "row {i}");
            assert_eq!(c.row_len(i), l as usize);
            start += l as usize;
        }
    }

    #[test]
    fn transpose_inverts_rows() {
        let c = Csr::from_lengths([2, 0, 3], vec![1, 2, 0, 1, 2]);
        assert_eq!(c.row(0), &[1, 2]);
        assert_eq!(c.row(1), &[] as &[u32]);
        let t = c.transpose_with(3, |_, _| ()).0;
        assert_eq!(t.row(0), &[2]);
        assert_eq!(t.row(1), &[0, 2]);
        assert_eq!(t.row(2), &[0, 2]);
        assert_eq!(t.transpose_with(3, |_, _| ()).0, c);
    }
}
