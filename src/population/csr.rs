//! Compressed sparse rows: the adjacency layout for chat -> members and user -> chats.
//!
//! Offsets are u64 so that more than 2^32 memberships fit; targets are u32 ids.

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
        let mut counts = vec![0u64; n_cols + 1];
        for &t in &self.targets {
            counts[t as usize + 1] += 1;
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let offsets = counts.clone();
        let mut cursor = counts;
        let mut targets = vec![0u32; self.targets.len()];
        for r in 0..self.rows() {
            for &t in self.row(r) {
                let c = &mut cursor[t as usize];
                targets[*c as usize] = r as u32;
                *c += 1;
            }
        }
        Csr { offsets, targets }
    }

    /// Bytes held by this structure.
    pub fn heap_bytes(&self) -> u64 {
        (self.offsets.capacity() * 8 + self.targets.capacity() * 4) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
