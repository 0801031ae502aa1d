//! Test functions with known sensitivity indices, evaluated on points of the unit
//! cube as the designs give them: the Ishigami function (Ishigami & Homma 1990), the
//! standard benchmark of variance-based methods, and a linear function, whose
//! elementary effects and indices have closed forms.
//!
//! # References
//! - Ishigami, T., Homma, T. (1990). An importance quantification technique in
//!   uncertainty analysis for computer models. *Proc. ISUMA '90*, 398-403.
//! - Sobol', I. M., Levitan, Yu. L. (1999). On the use of variance reducing
//!   multipliers in Monte Carlo computations of a global sensitivity index. *Comput.
//!   Phys. Commun.* 117, 52-61 (the Ishigami variances in closed form).

use std::f64::consts::PI;

/// `f(x) = sin x1 + a sin^2 x2 + b x3^4 sin x1`, `x_i` uniform on `[-pi, pi]`.
///
/// With `D = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2`, the partial variances are
/// `D1 = (1 + b pi^4/5)^2 / 2`, `D2 = a^2/8`, `D3 = 0`, `D13 = 8 b^2 pi^8 / 225`, and no
/// other term: `S1 = D1/D`, `S2 = D2/D`, `S3 = 0`, `ST1 = (D1 + D13)/D`, `ST2 = S2`,
/// `ST3 = D13/D`. For `a = 7, b = 0.1`: first order 0.3139, 0.4424, 0; total order
/// 0.5576, 0.4424, 0.2437.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ishigami {
    /// Weight of the `sin^2 x2` term.
    pub a: f64,
    /// Weight of the `x3^4 sin x1` term.
    pub b: f64,
}

impl Ishigami {
    /// The usual constants `a = 7`, `b = 0.1`.
    pub const STANDARD: Ishigami = Ishigami { a: 7.0, b: 0.1 };

    /// The function at `x` in `[-pi, pi]^3`.
    pub fn at(&self, x: [f64; 3]) -> f64 {
        x[0].sin() + self.a * x[1].sin().powi(2) + self.b * x[2].powi(4) * x[0].sin()
    }

    /// The function at a point `u` of the unit cube (three coordinates), mapped to
    /// `[-pi, pi]^3`.
    pub fn at_unit(&self, u: &[f64]) -> f64 {
        self.at([0, 1, 2].map(|i| super::scale(u[i], -PI, PI)))
    }

    /// The variance `D` of the output.
    pub fn variance(&self) -> f64 {
        let (a, b) = (self.a, self.b);
        a * a / 8.0 + b * PI.powi(4) / 5.0 + b * b * PI.powi(8) / 18.0 + 0.5
    }

    fn partials(&self) -> (f64, f64, f64) {
        let (a, b) = (self.a, self.b);
        let d1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
        let d2 = a * a / 8.0;
        let d13 = 8.0 * b * b * PI.powi(8) / 225.0;
        (d1, d2, d13)
    }

    /// First-order indices `S1, S2, S3`.
    pub fn first_order(&self) -> [f64; 3] {
        let (d1, d2, _) = self.partials();
        let d = self.variance();
        [d1 / d, d2 / d, 0.0]
    }

    /// Total-order indices `ST1, ST2, ST3`.
    pub fn total_order(&self) -> [f64; 3] {
        let (d1, d2, d13) = self.partials();
        let d = self.variance();
        [(d1 + d13) / d, d2 / d, d13 / d]
    }
}

/// `f(u) = c_1 u_1 + ... + c_k u_k` on the unit cube.
///
/// Every elementary effect of parameter `i` is exactly `c_i` (a jump of `delta` changes
/// `f` by `c_i delta`), so Morris gives `mu_i = c_i`, `mu*_i = |c_i|`, `sigma_i = 0`.
/// With uniform inputs, `Var f = sum c_i^2 / 12` and there are no interactions:
/// `S_i = ST_i = c_i^2 / sum_j c_j^2`.
#[derive(Clone, Debug, PartialEq)]
pub struct Linear {
    /// `c_i`, one per input.
    pub coefficients: Vec<f64>,
}

impl Linear {
    /// The function at a point of the unit cube.
    pub fn at_unit(&self, u: &[f64]) -> f64 {
        self.coefficients.iter().zip(u).map(|(c, x)| c * x).sum()
    }

    /// `S_i = ST_i = c_i^2 / sum_j c_j^2`.
    pub fn indices(&self) -> Vec<f64> {
        let total: f64 = self.coefficients.iter().map(|c| c * c).sum();
        self.coefficients.iter().map(|c| c * c / total).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ishigami_indices_are_the_published_ones() {
        let f = Ishigami::STANDARD;
        let round = |x: f64| (x * 1e4).round() / 1e4;
        assert_eq!(f.first_order().map(round), [0.3139, 0.4424, 0.0]);
        assert_eq!(f.total_order().map(round), [0.5576, 0.4424, 0.2437]);
        assert!((f.variance() - 13.8446).abs() < 1e-4, "{}", f.variance());
        // The centre of the cube is the origin: sin 0 = 0.
        assert_eq!(f.at_unit(&[0.5, 0.5, 0.5]), 0.0);
    }
}
