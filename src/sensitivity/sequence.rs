//! The Sobol' low-discrepancy sequence (Sobol' 1967), the base samples of
//! [`super::sobol::SobolDesign`].
//!
//! Dimension 1 is the van der Corput sequence in base 2; dimension `j >= 2` is built
//! from a primitive polynomial over GF(2) of degree `s`,
//! `x^s + a_1 x^(s-1) + ... + a_(s-1) x + 1`, and initial odd integers
//! `m_1, ..., m_s` (`m_k < 2^k`) by Bratley and Fox's recurrence
//!
//! ```text
//!     m_k = 2 a_1 m_(k-1) xor 4 a_2 m_(k-2) xor ... xor 2^(s-1) a_(s-1) m_(k-s+1)
//!           xor 2^s m_(k-s) xor m_(k-s)
//! ```
//!
//! giving direction numbers `v_k = m_k / 2^k`. Point `i` is the xor of the `v_k` for
//! the bits `k` set in the Gray code `i xor (i >> 1)`, the order of Antonov and
//! Saleev (1979). The polynomials and initial numbers are those of Joe and Kuo (2008),
//! file `new-joe-kuo-6.21201`, for the first [`SobolSequence::MAX_DIMS`]
//! dimensions: the same table and order as SciPy's `scipy.stats.qmc.Sobol` (unscrambled),
//! so the points are identical to SciPy's and SALib's (checked by
//! `scripts/crosscheck-sensitivity.sh` and pinned in the tests).
//!
//! The sequence is not scrambled and starts at the origin; it is not thinned or
//! skipped either (Owen 2020 shows that dropping the first points hurts). Its
//! balance properties hold for sample sizes that are powers of two.
//!
//! # References
//! - Sobol', I. M. (1967). On the distribution of points in a cube and the approximate
//!   evaluation of integrals. *USSR Comput. Math. Math. Phys.* 7(4), 86-112.
//! - Bratley, P., Fox, B. L. (1988). Algorithm 659: Implementing Sobol's quasirandom
//!   sequence generator. *ACM TOMS* 14(1), 88-100.
//! - Antonov, I. A., Saleev, V. M. (1979). An economic method of computing LP_tau
//!   sequences. *USSR Comput. Math. Math. Phys.* 19(1), 252-256.
//! - Joe, S., Kuo, F. Y. (2008). Constructing Sobol sequences with better
//!   two-dimensional projections. *SIAM J. Sci. Comput.* 30(5), 2635-2654.
//! - Owen, A. B. (2020). On dropping the first Sobol' point. arXiv:2008.08051.
//!
//! # Complexity
//! Building: O(dims x 32). One point: O(dims x log2(index)).

use crate::error::SensitivityError;

/// Bits of the direction numbers: points are multiples of 2^-32, exact in an `f64`,
/// and the first 2^32 points are distinct in every dimension.
const BITS: usize = 32;

/// Joe and Kuo's (2008) `new-joe-kuo-6.21201`, dimensions 2 to 128: for each, the
/// degree `s` of the primitive polynomial, its inner coefficients `a` as an integer
/// (`a_1` the most significant of `s - 1` bits), and the initial `m_1..m_s`.
#[rustfmt::skip]
const JOE_KUO: [(u32, u32, &[u32]); SobolSequence::MAX_DIMS - 1] = [
    (1, 0, &[1]),
    (2, 1, &[1, 3]),
    (3, 1, &[1, 3, 1]),
    (3, 2, &[1, 1, 1]),
    (4, 1, &[1, 1, 3, 3]),
    (4, 4, &[1, 3, 5, 13]),
    (5, 2, &[1, 1, 5, 5, 17]),
    (5, 4, &[1, 1, 5, 5, 5]),
    (5, 7, &[1, 1, 7, 11, 19]),
    (5, 11, &[1, 1, 5, 1, 1]),
    (5, 13, &[1, 1, 1, 3, 11]),
    (5, 14, &[1, 3, 5, 5, 31]),
    (6, 1, &[1, 3, 3, 9, 7, 49]),
    (6, 13, &[1, 1, 1, 15, 21, 21]),
    (6, 16, &[1, 3, 1, 13, 27, 49]),
    (6, 19, &[1, 1, 1, 15, 7, 5]),
    (6, 22, &[1, 3, 1, 15, 13, 25]),
    (6, 25, &[1, 1, 5, 5, 19, 61]),
    (7, 1, &[1, 3, 7, 11, 23, 15, 103]),
    (7, 4, &[1, 3, 7, 13, 13, 15, 69]),
    (7, 7, &[1, 1, 3, 13, 7, 35, 63]),
    (7, 8, &[1, 3, 5, 9, 1, 25, 53]),
    (7, 14, &[1, 3, 1, 13, 9, 35, 107]),
    (7, 19, &[1, 3, 1, 5, 27, 61, 31]),
    (7, 21, &[1, 1, 5, 11, 19, 41, 61]),
    (7, 28, &[1, 3, 5, 3, 3, 13, 69]),
    (7, 31, &[1, 1, 7, 13, 1, 19, 1]),
    (7, 32, &[1, 3, 7, 5, 13, 19, 59]),
    (7, 37, &[1, 1, 3, 9, 25, 29, 41]),
    (7, 41, &[1, 3, 5, 13, 23, 1, 55]),
    (7, 42, &[1, 3, 7, 3, 13, 59, 17]),
    (7, 50, &[1, 3, 1, 3, 5, 53, 69]),
    (7, 55, &[1, 1, 5, 5, 23, 33, 13]),
    (7, 56, &[1, 1, 7, 7, 1, 61, 123]),
    (7, 59, &[1, 1, 7, 9, 13, 61, 49]),
    (7, 62, &[1, 3, 3, 5, 3, 55, 33]),
    (8, 14, &[1, 3, 1, 15, 31, 13, 49, 245]),
    (8, 21, &[1, 3, 5, 15, 31, 59, 63, 97]),
    (8, 22, &[1, 3, 1, 11, 11, 11, 77, 249]),
    (8, 38, &[1, 3, 1, 11, 27, 43, 71, 9]),
    (8, 47, &[1, 1, 7, 15, 21, 11, 81, 45]),
    (8, 49, &[1, 3, 7, 3, 25, 31, 65, 79]),
    (8, 50, &[1, 3, 1, 1, 19, 11, 3, 205]),
    (8, 52, &[1, 1, 5, 9, 19, 21, 29, 157]),
    (8, 56, &[1, 3, 7, 11, 1, 33, 89, 185]),
    (8, 67, &[1, 3, 3, 3, 15, 9, 79, 71]),
    (8, 70, &[1, 3, 7, 11, 15, 39, 119, 27]),
    (8, 84, &[1, 1, 3, 1, 11, 31, 97, 225]),
    (8, 97, &[1, 1, 1, 3, 23, 43, 57, 177]),
    (8, 103, &[1, 3, 7, 7, 17, 17, 37, 71]),
    (8, 115, &[1, 3, 1, 5, 27, 63, 123, 213]),
    (8, 122, &[1, 1, 3, 5, 11, 43, 53, 133]),
    (9, 8, &[1, 3, 5, 5, 29, 17, 47, 173, 479]),
    (9, 13, &[1, 3, 3, 11, 3, 1, 109, 9, 69]),
    (9, 16, &[1, 1, 1, 5, 17, 39, 23, 5, 343]),
    (9, 22, &[1, 3, 1, 5, 25, 15, 31, 103, 499]),
    (9, 25, &[1, 1, 1, 11, 11, 17, 63, 105, 183]),
    (9, 44, &[1, 1, 5, 11, 9, 29, 97, 231, 363]),
    (9, 47, &[1, 1, 5, 15, 19, 45, 41, 7, 383]),
    (9, 52, &[1, 3, 7, 7, 31, 19, 83, 137, 221]),
    (9, 55, &[1, 1, 1, 3, 23, 15, 111, 223, 83]),
    (9, 59, &[1, 1, 5, 13, 31, 15, 55, 25, 161]),
    (9, 62, &[1, 1, 3, 13, 25, 47, 39, 87, 257]),
    (9, 67, &[1, 1, 1, 11, 21, 53, 125, 249, 293]),
    (9, 74, &[1, 1, 7, 11, 11, 7, 57, 79, 323]),
    (9, 81, &[1, 1, 5, 5, 17, 13, 81, 3, 131]),
    (9, 82, &[1, 1, 7, 13, 23, 7, 65, 251, 475]),
    (9, 87, &[1, 3, 5, 1, 9, 43, 3, 149, 11]),
    (9, 91, &[1, 1, 3, 13, 31, 13, 13, 255, 487]),
    (9, 94, &[1, 3, 3, 1, 5, 63, 89, 91, 127]),
    (9, 103, &[1, 1, 3, 3, 1, 19, 123, 127, 237]),
    (9, 104, &[1, 1, 5, 7, 23, 31, 37, 243, 289]),
    (9, 109, &[1, 1, 5, 11, 17, 53, 117, 183, 491]),
    (9, 122, &[1, 1, 1, 5, 1, 13, 13, 209, 345]),
    (9, 124, &[1, 1, 3, 15, 1, 57, 115, 7, 33]),
    (9, 137, &[1, 3, 1, 11, 7, 43, 81, 207, 175]),
    (9, 138, &[1, 3, 1, 1, 15, 27, 63, 255, 49]),
    (9, 143, &[1, 3, 5, 3, 27, 61, 105, 171, 305]),
    (9, 145, &[1, 1, 5, 3, 1, 3, 57, 249, 149]),
    (9, 152, &[1, 1, 3, 5, 5, 57, 15, 13, 159]),
    (9, 157, &[1, 1, 1, 11, 7, 11, 105, 141, 225]),
    (9, 167, &[1, 3, 3, 5, 27, 59, 121, 101, 271]),
    (9, 173, &[1, 3, 5, 9, 11, 49, 51, 59, 115]),
    (9, 176, &[1, 1, 7, 1, 23, 45, 125, 71, 419]),
    (9, 181, &[1, 1, 3, 5, 23, 5, 105, 109, 75]),
    (9, 182, &[1, 1, 7, 15, 7, 11, 67, 121, 453]),
    (9, 185, &[1, 3, 7, 3, 9, 13, 31, 27, 449]),
    (9, 191, &[1, 3, 1, 15, 19, 39, 39, 89, 15]),
    (9, 194, &[1, 1, 1, 1, 1, 33, 73, 145, 379]),
    (9, 199, &[1, 3, 1, 15, 15, 43, 29, 13, 483]),
    (9, 218, &[1, 1, 7, 3, 19, 27, 85, 131, 431]),
    (9, 220, &[1, 3, 3, 3, 5, 35, 23, 195, 349]),
    (9, 227, &[1, 3, 3, 7, 9, 27, 39, 59, 297]),
    (9, 229, &[1, 1, 3, 9, 11, 17, 13, 241, 157]),
    (9, 230, &[1, 3, 7, 15, 25, 57, 33, 189, 213]),
    (9, 234, &[1, 1, 7, 1, 9, 55, 73, 83, 217]),
    (9, 236, &[1, 3, 3, 13, 19, 27, 23, 113, 249]),
    (9, 241, &[1, 3, 5, 3, 23, 43, 3, 253, 479]),
    (9, 244, &[1, 1, 5, 5, 11, 5, 45, 117, 217]),
    (9, 253, &[1, 3, 3, 7, 29, 37, 33, 123, 147]),
    (10, 4, &[1, 3, 1, 15, 5, 5, 37, 227, 223, 459]),
    (10, 13, &[1, 1, 7, 5, 5, 39, 63, 255, 135, 487]),
    (10, 19, &[1, 3, 1, 7, 9, 7, 87, 249, 217, 599]),
    (10, 22, &[1, 1, 3, 13, 9, 47, 7, 225, 363, 247]),
    (10, 50, &[1, 3, 7, 13, 19, 13, 9, 67, 9, 737]),
    (10, 55, &[1, 3, 5, 5, 19, 59, 7, 41, 319, 677]),
    (10, 64, &[1, 1, 5, 3, 31, 63, 15, 43, 207, 789]),
    (10, 69, &[1, 1, 7, 9, 13, 39, 3, 47, 497, 169]),
    (10, 98, &[1, 3, 1, 7, 21, 17, 97, 19, 415, 905]),
    (10, 107, &[1, 3, 7, 1, 3, 31, 71, 111, 165, 127]),
    (10, 115, &[1, 1, 5, 11, 1, 61, 83, 119, 203, 847]),
    (10, 121, &[1, 3, 3, 13, 9, 61, 19, 97, 47, 35]),
    (10, 127, &[1, 1, 7, 7, 15, 29, 63, 95, 417, 469]),
    (10, 134, &[1, 3, 1, 9, 25, 9, 71, 57, 213, 385]),
    (10, 140, &[1, 3, 5, 13, 31, 47, 101, 57, 39, 341]),
    (10, 145, &[1, 1, 3, 3, 31, 57, 125, 173, 365, 551]),
    (10, 152, &[1, 3, 7, 1, 13, 57, 67, 157, 451, 707]),
    (10, 158, &[1, 1, 1, 7, 21, 13, 105, 89, 429, 965]),
    (10, 161, &[1, 1, 5, 9, 17, 51, 45, 119, 157, 141]),
    (10, 171, &[1, 3, 7, 7, 13, 45, 91, 9, 129, 741]),
    (10, 181, &[1, 3, 7, 1, 23, 57, 67, 141, 151, 571]),
    (10, 194, &[1, 1, 3, 11, 17, 47, 93, 107, 375, 157]),
    (10, 199, &[1, 3, 3, 5, 11, 21, 43, 51, 169, 915]),
    (10, 203, &[1, 1, 5, 3, 15, 55, 101, 67, 455, 625]),
    (10, 208, &[1, 3, 5, 9, 1, 23, 29, 47, 345, 595]),
    (10, 227, &[1, 3, 7, 7, 5, 49, 29, 155, 323, 589]),
    (10, 242, &[1, 3, 3, 7, 5, 41, 127, 61, 261, 717]),
];

/// The first dimensions of the Sobol' sequence; see the module docs.
#[derive(Clone, Debug)]
pub struct SobolSequence {
    /// `directions[d][k]`: direction number `v_(k+1)` of dimension `d`, scaled by 2^32.
    directions: Vec<[u32; BITS]>,
}

impl SobolSequence {
    /// Dimensions for which direction numbers are built in.
    pub const MAX_DIMS: usize = 128;

    /// The sequence in `dims` dimensions (1 to [`Self::MAX_DIMS`]).
    pub fn new(dims: usize) -> Result<SobolSequence, SensitivityError> {
        if dims == 0 {
            return Err(SensitivityError::NoParameters);
        }
        if dims > Self::MAX_DIMS {
            return Err(SensitivityError::TooManyParameters {
                parameters: dims,
                needed: dims,
                max: Self::MAX_DIMS,
            });
        }
        let mut directions = Vec::with_capacity(dims);
        // Dimension 1: every m_k = 1.
        directions.push(std::array::from_fn(|k| 1u32 << (BITS - 1 - k)));
        for &(s, a, init) in &JOE_KUO[..dims - 1] {
            directions.push(directions_of(s as usize, a, init));
        }
        Ok(SobolSequence { directions })
    }

    /// Number of dimensions.
    pub fn dims(&self) -> usize {
        self.directions.len()
    }

    /// Point `index` (0 is the origin) written into `out`, whose length must be
    /// [`Self::dims`]; coordinates in `[0, 1)`.
    pub fn fill(&self, index: u32, out: &mut [f64]) {
        let gray = index ^ (index >> 1);
        for (x, v) in out.iter_mut().zip(&self.directions) {
            let mut bits = gray;
            let mut acc = 0u32;
            let mut k = 0;
            while bits != 0 {
                if bits & 1 == 1 {
                    acc ^= v[k];
                }
                bits >>= 1;
                k += 1;
            }
            *x = f64::from(acc) / (1u64 << BITS) as f64;
        }
    }

    /// Point `index` as a new vector.
    pub fn point(&self, index: u32) -> Vec<f64> {
        let mut out = vec![0.0; self.dims()];
        self.fill(index, &mut out);
        out
    }
}

/// The direction numbers of one dimension from its polynomial and initial `m`.
fn directions_of(s: usize, a: u32, init: &[u32]) -> [u32; BITS] {
    let mut m = [0u64; BITS];
    for k in 0..BITS {
        m[k] = if k < s {
            u64::from(init[k])
        } else {
            // m_k = 2^s m_(k-s) xor m_(k-s) xor sum_l 2^l a_l m_(k-l).
            let mut x = (m[k - s] << s) ^ m[k - s];
            for l in 1..s {
                if (a >> (s - 1 - l)) & 1 == 1 {
                    x ^= m[k - l] << l;
                }
            }
            x
        };
    }
    // m_k < 2^(k+1), so v_k = m_k 2^(BITS-1-k) fits in BITS bits.
    std::array::from_fn(|k| (m[k] << (BITS - 1 - k)) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_points_match_scipy() {
        // scipy.stats.qmc.Sobol(d=6, scramble=False).random(8)
        let want = [
            [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            [0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
            [0.75, 0.25, 0.25, 0.25, 0.75, 0.75],
            [0.25, 0.75, 0.75, 0.75, 0.25, 0.25],
            [0.375, 0.375, 0.625, 0.875, 0.375, 0.125],
            [0.875, 0.875, 0.125, 0.375, 0.875, 0.625],
            [0.625, 0.125, 0.875, 0.625, 0.625, 0.875],
            [0.125, 0.625, 0.375, 0.125, 0.125, 0.375],
        ];
        let s = SobolSequence::new(6).unwrap();
        for (i, w) in want.iter().enumerate() {
            assert_eq!(s.point(i as u32), w, "point {i}");
        }
    }

    #[test]
    fn later_points_and_high_dimensions_match_scipy() {
        // scipy.stats.qmc.Sobol(d=128, scramble=False).random(1024)[i][dims]
        let s = SobolSequence::new(128).unwrap();
        let pick = |i: u32, dims: &[usize]| -> Vec<f64> {
            let p = s.point(i);
            dims.iter().map(|&d| p[d]).collect()
        };
        let dims = [0, 1, 2, 50, 127];
        assert_eq!(
            pick(1000, &dims),
            [
                0.2197265625,
                0.0966796875,
                0.5185546875,
                0.3525390625,
                0.5439453125
            ]
        );
        assert_eq!(
            pick(1023, &dims),
            [
                0.0009765625,
                0.7529296875,
                0.6123046875,
                0.2587890625,
                0.7001953125
            ]
        );
        assert_eq!(
            pick(5, &[120, 121, 122, 123, 124, 125, 126, 127]),
            [0.625, 0.625, 0.625, 0.125, 0.375, 0.875, 0.625, 0.125]
        );
    }

    #[test]
    fn every_dimension_is_stratified_at_powers_of_two() {
        // The first 2^m points of each dimension are exactly the multiples of 2^-m.
        let s = SobolSequence::new(SobolSequence::MAX_DIMS).unwrap();
        let m = 10;
        let n = 1usize << m;
        let mut seen = vec![vec![false; n]; s.dims()];
        for i in 0..n as u32 {
            for (d, x) in s.point(i).into_iter().enumerate() {
                let cell = x * n as f64;
                assert_eq!(cell.fract(), 0.0, "dim {d} point {i}");
                assert!(!seen[d][cell as usize], "dim {d} repeats {x}");
                seen[d][cell as usize] = true;
            }
        }
    }

    #[test]
    fn pairs_of_dimensions_form_nets() {
        // Dimensions 1 and 2 form a (0, m, 2)-net: each of the 2^m elementary boxes of
        // shape 2^-k x 2^-(m-k) holds exactly one of the first 2^m points.
        let s = SobolSequence::new(2).unwrap();
        let m = 8;
        let n = 1u32 << m;
        let pts: Vec<Vec<f64>> = (0..n).map(|i| s.point(i)).collect();
        for k in 0..=m {
            let mut hits = vec![0u32; n as usize];
            for p in &pts {
                let bx = (p[0] * f64::from(1u32 << k)) as u32;
                let by = (p[1] * f64::from(1u32 << (m - k))) as u32;
                hits[(bx * (1 << (m - k)) + by) as usize] += 1;
            }
            assert!(hits.iter().all(|&h| h == 1), "boxes 2^-{k} x 2^-{}", m - k);
        }
    }

    #[test]
    fn dimension_limits_are_enforced() {
        assert_eq!(
            SobolSequence::new(0).unwrap_err(),
            SensitivityError::NoParameters
        );
        assert!(matches!(
            SobolSequence::new(129),
            Err(SensitivityError::TooManyParameters { max: 128, .. })
        ));
    }
}
