//! Special functions behind the intervals of [`super::probability`]: the log-gamma
//! function, the regularised incomplete beta function and its inverse (the beta
//! quantile, which gives the exact Clopper-Pearson interval), and the standard normal
//! distribution function and its inverse (the `z` of Wilson's interval).
//!
//! Written here rather than taken from a crate because four small functions are all
//! that is needed; each is checked against SciPy 1.17 (`scipy.special`) in the tests.
//!
//! - `ln_gamma`: Lanczos approximation (g = 7, nine coefficients), relative error
//!   about 1e-15 for positive arguments; the reflection formula below 1/2.
//! - `beta_inc`: the continued fraction of the incomplete beta function evaluated by
//!   the modified Lentz method (Press et al., *Numerical Recipes*, 3rd ed., 6.4), with
//!   the symmetry `I_x(a, b) = 1 - I_{1-x}(b, a)` so that it always converges fast.
//! - `erfc`: through the regularised upper incomplete gamma function,
//!   `erfc(x) = Q(1/2, x^2)`, by its series or its continued fraction (NR 6.2).
//! - Quantiles invert the monotone distribution functions by bisection down to
//!   adjacent floating-point numbers: slower than Newton steps but never diverges, and
//!   interval computations call them a handful of times.

use std::f64::consts::PI;

/// Relative accuracy at which the series and continued fractions stop.
const EPS: f64 = 1e-16;
/// Iteration cap of the series and continued fractions; convergence takes far fewer
/// (about `sqrt(max(a, b))` terms for the beta fraction).
const MAX_TERMS: usize = 100_000;
/// A number small enough to stand for zero in Lentz's method.
const TINY: f64 = 1e-300;

/// Natural logarithm of the gamma function for `x > 0` (NaN otherwise).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    if x < 0.5 {
        // Reflection: Gamma(x) Gamma(1 - x) = pi / sin(pi x).
        return (PI / (PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = C[0];
    for (i, &c) in C.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// `ln B(a, b) = ln Gamma(a) + ln Gamma(b) - ln Gamma(a + b)`.
fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// The regularised incomplete beta function `I_x(a, b)`: the distribution function at
/// `x` of a Beta(a, b) variable. `a, b > 0`; `x` is clamped to `[0, 1]`; NaN for
/// invalid shapes.
pub fn beta_inc(a: f64, b: f64, x: f64) -> f64 {
    if a.is_nan() || b.is_nan() || x.is_nan() || a <= 0.0 || b <= 0.0 {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front = (a * x.ln() + b * (1.0 - x).ln() - ln_beta(a, b)).exp();
    // The fraction converges fast for x below the mean-like point (a + 1)/(a + b + 2);
    // above it, use the symmetry.
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_fraction(b, a, 1.0 - x) / b
    }
}

/// The continued fraction of the incomplete beta function (NR eq. 6.4.5), by the
/// modified Lentz method.
fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let guard = |v: f64| if v.abs() < TINY { TINY } else { v };
    let mut c = 1.0;
    let mut d = 1.0 / guard(1.0 - qab * x / qap);
    let mut h = d;
    for m in 1..MAX_TERMS {
        let m = m as f64;
        let m2 = 2.0 * m;
        // Even step.
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 / guard(1.0 + aa * d);
        c = guard(1.0 + aa / c);
        h *= d * c;
        // Odd step.
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 / guard(1.0 + aa * d);
        c = guard(1.0 + aa / c);
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// The `p` quantile of a Beta(a, b) distribution: the `x` with `I_x(a, b) = p`.
/// NaN for invalid shapes or `p` outside `[0, 1]`.
pub fn beta_quantile(p: f64, a: f64, b: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) || a.is_nan() || b.is_nan() || a <= 0.0 || b <= 0.0 {
        return f64::NAN;
    }
    if p == 0.0 {
        return 0.0;
    }
    if p == 1.0 {
        return 1.0;
    }
    bisect(0.0, 1.0, |x| beta_inc(a, b, x) < p)
}

/// The complementary error function `erfc(x) = 1 - erf(x)`, accurate in both tails.
pub fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    gamma_q_half(x * x)
}

/// The regularised upper incomplete gamma function `Q(1/2, y)` for `y >= 0`.
fn gamma_q_half(y: f64) -> f64 {
    const A: f64 = 0.5;
    if y == 0.0 {
        return 1.0;
    }
    let ln_front = A * y.ln() - y - ln_gamma(A);
    if y < A + 1.0 {
        // Series for P(a, y) (NR eq. 6.2.5): all terms positive.
        let (mut ap, mut term) = (A, 1.0 / A);
        let mut sum = term;
        for _ in 0..MAX_TERMS {
            ap += 1.0;
            term *= y / ap;
            sum += term;
            if term.abs() < sum.abs() * EPS {
                break;
            }
        }
        1.0 - sum * ln_front.exp()
    } else {
        // Continued fraction for Q(a, y) (NR eq. 6.2.7), modified Lentz.
        let guard = |v: f64| if v.abs() < TINY { TINY } else { v };
        let mut b = y + 1.0 - A;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..MAX_TERMS {
            let i = i as f64;
            let an = -i * (i - A);
            b += 2.0;
            d = 1.0 / guard(an * d + b);
            c = guard(b + an / c);
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < EPS {
                break;
            }
        }
        ln_front.exp() * h
    }
}

/// The standard normal distribution function `Phi(z)`.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// The `p` quantile of the standard normal distribution (`Phi^-1(p)`); infinite at 0
/// and 1, NaN outside `[0, 1]`.
pub fn normal_quantile(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    if p == 0.5 {
        return 0.0;
    }
    if p > 0.5 {
        return -normal_quantile(1.0 - p);
    }
    // Phi(-40) is far below the smallest positive double.
    bisect(-40.0, 0.0, |z| normal_cdf(z) < p)
}

/// The boundary of a monotone predicate on `[lo, hi]` (true below it, false above),
/// located to adjacent floating-point numbers; returns the midpoint of the last pair.
fn bisect(mut lo: f64, mut hi: f64, below: impl Fn(f64) -> bool) -> f64 {
    // 1100 halvings reach adjacent doubles from any bracket inside [-40, 40], even
    // next to zero where doubles are densest.
    for _ in 0..1100 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if below(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Relative difference, with an absolute floor for values near zero.
    fn close(got: f64, want: f64, rel: f64) -> bool {
        (got - want).abs() <= rel * want.abs().max(1e-300)
    }

    #[test]
    fn ln_gamma_matches_scipy() {
        // scipy.special.gammaln
        for (x, want) in [
            (0.5, 0.5723649429247),
            (100.0, 359.1342053695754),
            (1e-3, 6.907178885383853),
            (7.3, 7.147892523022249),
        ] {
            assert!(close(ln_gamma(x), want, 1e-13), "{x}: {}", ln_gamma(x));
        }
        // Gamma(n) = (n - 1)!.
        assert!(close(ln_gamma(5.0), 24f64.ln(), 1e-14));
        assert!(ln_gamma(1.0).abs() < 1e-15 && ln_gamma(2.0).abs() < 1e-15);
        assert!(ln_gamma(0.0).is_nan() && ln_gamma(-1.0).is_nan());
    }

    #[test]
    fn incomplete_beta_matches_scipy() {
        // scipy.special.betainc(a, b, x)
        for (a, b, x, want) in [
            (2.0, 3.0, 0.4, 0.5247999999999999),
            (0.5, 0.5, 0.1, 0.20483276469913345),
            (7.0, 194.0, 0.02, 0.10856194692692268),
            (50.0, 60.0, 0.45, 0.4642352914306031),
            (1.0, 200.0, 0.001, 0.1813511705213643),
            (200.0, 1.0, 0.999, 0.8186488294786356),
        ] {
            let got = beta_inc(a, b, x);
            assert!(
                close(got, want, 1e-12),
                "I_{x}({a}, {b}) = {got}, want {want}"
            );
        }
        // Closed forms: I_x(a, 1) = x^a and I_x(1, b) = 1 - (1 - x)^b.
        assert!(close(beta_inc(3.0, 1.0, 0.3), 0.027, 1e-13));
        assert!(close(beta_inc(1.0, 4.0, 0.2), 1.0 - 0.8f64.powi(4), 1e-13));
        assert_eq!(beta_inc(2.0, 2.0, 0.0), 0.0);
        assert_eq!(beta_inc(2.0, 2.0, 1.0), 1.0);
        assert!(beta_inc(0.0, 2.0, 0.5).is_nan());
    }

    #[test]
    fn beta_quantile_matches_scipy() {
        // scipy.special.betaincinv(a, b, p)
        for (p, a, b, want) in [
            (0.025, 7.0, 194.0, 0.014185525898419246),
            (0.975, 8.0, 193.0, 0.0707809983509772),
            (0.025, 1.0, 20.0, 0.0012650894979498038),
            (0.975, 1.0, 20.0, 0.1684334709830853),
            (0.5, 2.0, 3.0, 0.3857275681323895),
            (1e-6, 3.0, 4.0, 0.003694265299405909),
        ] {
            let got = beta_quantile(p, a, b);
            assert!(
                close(got, want, 1e-11),
                "q({p}; {a}, {b}) = {got}, want {want}"
            );
        }
        assert_eq!(beta_quantile(0.0, 2.0, 3.0), 0.0);
        assert_eq!(beta_quantile(1.0, 2.0, 3.0), 1.0);
        assert!(beta_quantile(1.5, 2.0, 3.0).is_nan());
    }

    #[test]
    fn normal_functions_match_scipy() {
        // scipy.special.ndtri and scipy.special.erfc
        for (p, want) in [
            (0.975, 1.959963984540054),
            (0.995, 2.5758293035489004),
            (0.95, 1.6448536269514722),
            (0.8, 0.8416212335729143),
            (1e-10, -6.361340902404056),
        ] {
            let got = normal_quantile(p);
            assert!(close(got, want, 1e-13), "ndtri({p}) = {got}, want {want}");
        }
        assert_eq!(normal_quantile(0.5), 0.0);
        assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
        for (x, want) in [
            (0.1, 0.8875370839817152),
            (3.0, 2.2090496998585445e-05),
            (10.0, 2.0884875837625446e-45),
        ] {
            assert!(close(erfc(x), want, 1e-13), "erfc({x}) = {}", erfc(x));
        }
        assert!(close(erfc(-0.1), 2.0 - 0.8875370839817152, 1e-15));
        assert!(close(normal_cdf(1.959963984540054), 0.975, 1e-15));
    }
}
