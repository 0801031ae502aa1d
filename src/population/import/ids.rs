//! Dense ids for the external user and chat ids found in imported files.
//!
//! External ids are arbitrary strings; each distinct one gets the next dense u32 in
//! order of first appearance, and its text is kept as the label written in outputs.
//! Canonical decimal integers (no sign, no leading zero, at most 19 digits), by far the
//! most common ids of edge lists, are keyed by their value; any other id is keyed by its
//! bytes. The two kinds never collide, as a canonical integer is a distinct string from
//! every other id. Integer ids are usually dense (0..n, or close), so values below a
//! bound that grows with the number of ids seen (4 per id plus 65536) are looked up in
//! a plain array indexed by value: one cache miss per lookup instead of two, which
//! halves the time to map a large edge list. Larger values go to a hash table, and move
//! to the array when it grows past them.
//!
//! The hash tables use [`IdHasher`], a multiply-rotate hasher with a SplitMix64
//! finish: several times faster than the default SipHash on short keys. It is not
//! resistant to deliberately colliding keys, which is acceptable for files the user
//! chose to import.

use crate::rng::mix64;
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Most distinct ids: `u32::MAX` is reserved (no owner), and so is `u32::MAX - 1`.
pub(super) const MAX_IDS: usize = u32::MAX as usize - 1;

/// Why an id cannot be used.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum IdError {
    /// The field is empty.
    Empty,
    /// The field is not valid UTF-8.
    NotUtf8,
    /// There are already [`MAX_IDS`] distinct ids.
    TooMany,
}

/// A fast hasher for id keys (see the module documentation).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct IdHasher(u64);

impl IdHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(26) ^ w).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

impl Hasher for IdHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }
    #[inline]
    fn write_u64(&mut self, x: u64) {
        self.add(x);
    }
    #[inline]
    fn write_usize(&mut self, x: usize) {
        self.add(x as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        mix64(self.0)
    }
}

type Fast = BuildHasherDefault<IdHasher>;

/// Marks an integer value not seen yet in [`IdMap::direct`].
const UNSEEN: u32 = u32::MAX;

/// External id -> dense id, plus the labels in dense order.
#[derive(Debug, Default)]
pub(super) struct IdMap {
    /// Dense id of each small integer value ([`UNSEEN`] if not seen). An integer value
    /// is here if it is below `direct.len()`, in `ints` otherwise.
    direct: Vec<u32>,
    ints: HashMap<u64, u32, Fast>,
    strs: HashMap<Box<[u8]>, u32, Fast>,
    labels: Vec<String>,
}

impl IdMap {
    /// Number of distinct ids seen.
    pub(super) fn len(&self) -> usize {
        self.labels.len()
    }

    /// The dense id of `id`, giving it the next one if it is new.
    #[inline]
    pub(super) fn get_or_insert(&mut self, id: &[u8]) -> Result<u32, IdError> {
        if id.is_empty() {
            return Err(IdError::Empty);
        }
        let next = self.labels.len();
        if let Some(n) = canonical_integer(id) {
            if n >= self.direct.len() as u64 && n < 4 * next as u64 + 65_536 {
                self.grow(n);
            }
            if let Some(slot) = self.direct.get_mut(n as usize) {
                if *slot == UNSEEN {
                    if next >= MAX_IDS {
                        return Err(IdError::TooMany);
                    }
                    *slot = next as u32;
                    self.labels.push(n.to_string());
                }
                return Ok(*slot);
            }
            return match self.ints.entry(n) {
                Entry::Occupied(e) => Ok(*e.get()),
                Entry::Vacant(e) => {
                    if next >= MAX_IDS {
                        return Err(IdError::TooMany);
                    }
                    e.insert(next as u32);
                    self.labels.push(n.to_string());
                    Ok(next as u32)
                }
            };
        }
        if let Some(&d) = self.strs.get(id) {
            return Ok(d);
        }
        if next >= MAX_IDS {
            return Err(IdError::TooMany);
        }
        let text = std::str::from_utf8(id).map_err(|_| IdError::NotUtf8)?;
        self.strs.insert(id.into(), next as u32);
        self.labels.push(text.to_owned());
        Ok(next as u32)
    }

    /// Grows the direct array past `n` and moves the values it now covers out of the
    /// hash table.
    #[cold]
    fn grow(&mut self, n: u64) {
        let len = (n as usize + 1).next_power_of_two().max(1024);
        self.direct.resize(len, UNSEEN);
        let direct = &mut self.direct;
        self.ints
            .retain(|&v, &mut d| match direct.get_mut(v as usize) {
                Some(slot) => {
                    *slot = d;
                    false
                }
                None => true,
            });
    }

    /// The external id of dense id `d`.
    pub(super) fn label(&self, d: u32) -> &str {
        self.labels.get(d as usize).map_or("", String::as_str)
    }

    /// The labels in dense order, dropping the lookup tables.
    pub(super) fn into_labels(self) -> Vec<String> {
        self.labels
    }
}

/// The value of a canonical decimal integer: digits only, no leading zero (except "0"),
/// at most 19 digits so that it fits a u64.
#[inline]
fn canonical_integer(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 19 || (b[0] == b'0' && b.len() > 1) {
        return None;
    }
    let mut n = 0u64;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + (c - b'0') as u64;
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_dense_in_order_of_first_appearance() {
        let mut m = IdMap::default();
        let ids: Vec<u32> = ["7", "alice", "007", "7", "alice", "9999999999999999999999"]
            .iter()
            .map(|s| m.get_or_insert(s.as_bytes()).unwrap())
            .collect();
        assert_eq!(ids, [0, 1, 2, 0, 1, 3]);
        assert_eq!(m.label(2), "007");
        assert_eq!(m.get_or_insert(b""), Err(IdError::Empty));
        assert_eq!(m.get_or_insert(b"\xff"), Err(IdError::NotUtf8));
        assert_eq!(
            m.into_labels(),
            ["7", "alice", "007", "9999999999999999999999"]
        );
    }

    #[test]
    fn large_and_small_integers_share_one_id_space() {
        let mut m = IdMap::default();
        // 10^6 goes to the hash table first, then moves to the array as it grows.
        let mut values = vec![1_000_000u64, 5, 1 << 40];
        values.extend(0..300_000);
        values.extend([1_000_000, 5, 1 << 40]);
        let ids: Vec<u32> = values
            .iter()
            .map(|v| m.get_or_insert(v.to_string().as_bytes()).unwrap())
            .collect();
        assert_eq!(&ids[..3], &[0, 1, 2]);
        assert_eq!(ids[3 + 5], 1);
        assert_eq!(&ids[ids.len() - 3..], &[0, 1, 2]);
        assert_eq!(m.len(), 300_002);
        assert!(m.direct.len() > 1_000_000);
        assert_eq!(m.ints.len(), 1);
        assert_eq!(m.label(0), "1000000");
    }

    #[test]
    fn canonical_integers() {
        assert_eq!(canonical_integer(b"0"), Some(0));
        assert_eq!(
            canonical_integer(b"18446744073709551"),
            Some(18446744073709551)
        );
        assert_eq!(canonical_integer(b"01"), None);
        assert_eq!(canonical_integer(b"-1"), None);
        assert_eq!(canonical_integer(b"1e3"), None);
    }
}
