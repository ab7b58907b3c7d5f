//! Small numerical tools: the complementary error function, bisection, golden-section search.
//! Nothing here knows about units.

use std::f64::consts::PI;

/// 1/√π.
const FRAC_1_SQRT_PI: f64 = 0.564_189_583_547_756_3;

/// Below this argument `erfc` is computed as 1 − erf from the series (erfc ≥ 0.157 there, so
/// the subtraction loses little); above it from the continued fraction, which needs under 200
/// terms from x = 1 on. Both sides are accurate to ~1e-14 relative.
const SERIES_LIMIT: f64 = 1.0;

/// erf(x) for 0 ≤ x < SERIES_LIMIT from the all-positive series
/// erf(x) = (2/√π)·e^{−x²}·Σₙ (2x²)ⁿ·x / (1·3·5···(2n+1))  (Abramowitz & Stegun 7.1.6).
fn erf_series(x: f64) -> f64 {
    let two_x2 = 2.0 * x * x;
    let mut term = x;
    let mut sum = x;
    let mut n = 0.0;
    while term > sum * 1e-17 {
        n += 1.0;
        term *= two_x2 / (2.0 * n + 1.0);
        sum += term;
    }
    2.0 * FRAC_1_SQRT_PI * (-x * x).exp() * sum
}

/// e^{x²}·erfc(x) for x ≥ SERIES_LIMIT, from the continued fraction
/// erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))))  (A&S 7.1.14),
/// evaluated by the modified Lentz method.
fn erfcx_continued_fraction(x: f64) -> f64 {
    let tiny = 1e-300;
    let mut f = x;
    let mut c = x;
    let mut d = 0.0;
    for n in 1..500 {
        let a = n as f64 / 2.0;
        d = x + a * d;
        d = if d.abs() < tiny { tiny } else { d };
        c = x + a / c;
        c = if c.abs() < tiny { tiny } else { c };
        d = 1.0 / d;
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    FRAC_1_SQRT_PI / f
}

/// The scaled complementary error function e^{x²}·erfc(x), for x ≥ 0.
pub(crate) fn erfcx(x: f64) -> f64 {
    debug_assert!(x >= 0.0);
    if x < SERIES_LIMIT {
        (x * x).exp() * (1.0 - erf_series(x))
    } else {
        erfcx_continued_fraction(x)
    }
}

/// The complementary error function erfc(x) = 1 − erf(x), for any x.
pub(crate) fn erfc(x: f64) -> f64 {
    if x < 0.0 {
        2.0 - erfc(-x)
    } else if x < SERIES_LIMIT {
        1.0 - erf_series(x)
    } else {
        (-x * x).exp() * erfcx_continued_fraction(x)
    }
}

/// The error function erf(x) = 1 − erfc(x), for any x (A&S 7.1.6 and 7.1.14, as above).
pub fn erf(x: f64) -> f64 {
    1.0 - erfc(x)
}

/// e^{a}·erfc(z), computed without overflow when a is large and erfc(z) tiny.
pub(crate) fn exp_times_erfc(a: f64, z: f64) -> f64 {
    if z > 0.0 {
        (a - z * z).exp() * erfcx(z)
    } else {
        a.exp() * erfc(z)
    }
}

/// Finds x in [lo, hi] where `above(x)` switches, given `above(lo) != above(hi)`.
/// Returns the midpoint of the final bracket (relative width below 1e-12).
pub(crate) fn bisect(mut lo: f64, mut hi: f64, mut above: impl FnMut(f64) -> bool) -> f64 {
    let lo_side = above(lo);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi || (hi - lo) <= 1e-12 * hi.abs().max(lo.abs()) {
            break;
        }
        if above(mid) == lo_side {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// The argument of the maximum of a unimodal `f` on [lo, hi] by golden-section search.
pub(crate) fn golden_max(mut lo: f64, mut hi: f64, mut f: impl FnMut(f64) -> f64) -> f64 {
    let inv_phi = (5f64.sqrt() - 1.0) / 2.0;
    let mut a = hi - inv_phi * (hi - lo);
    let mut b = lo + inv_phi * (hi - lo);
    let mut fa = f(a);
    let mut fb = f(b);
    for _ in 0..200 {
        if (hi - lo) <= 1e-12 * hi.abs().max(lo.abs()).max(1e-300) {
            break;
        }
        if fa < fb {
            lo = a;
            a = b;
            fa = fb;
            b = lo + inv_phi * (hi - lo);
            fb = f(b);
        } else {
            hi = b;
            b = a;
            fb = fa;
            a = hi - inv_phi * (hi - lo);
            fa = f(a);
        }
    }
    0.5 * (lo + hi)
}

/// √(2π).
pub(crate) const SQRT_2PI: f64 = 2.506_628_274_631_000_7;

/// (2π)^{3/2}.
pub(crate) fn two_pi_pow_three_halves() -> f64 {
    2.0 * PI * SQRT_2PI
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Oracle: erfc(x) = (2/√π)∫ₓ^∞ e^{−t²} dt by composite Simpson on [x, x + 12].
    fn erfc_by_quadrature(x: f64) -> f64 {
        let n = 200_000;
        let h = 12.0 / n as f64;
        let f = |t: f64| (-t * t).exp();
        let mut s = f(x) + f(x + 12.0);
        for i in 1..n {
            let t = x + i as f64 * h;
            s += if i % 2 == 1 { 4.0 } else { 2.0 } * f(t);
        }
        2.0 * FRAC_1_SQRT_PI * s * h / 3.0
    }

    #[test]
    fn erfc_matches_quadrature() {
        for &x in &[-3.0, -1.0, -0.2, 0.0, 0.1, 0.5, 0.9999, 1.0, 1.0001, 1.7, 2.5, 3.0, 4.2, 6.0] {
            let want = erfc_by_quadrature(x);
            let got = erfc(x);
            assert!(((got - want) / want).abs() < 1e-12, "erfc({x}) = {got}, quadrature {want}");
        }
    }

    /// Reference values of erfc (A&S Table 7.1, to the digits printed there).
    #[test]
    fn erfc_table_values() {
        // A&S Table 7.1: erf(0.5) = 0.5204998778, erf(1) = 0.8427007929, erf(2) = 0.9953222650.
        assert!((erfc(0.5) - (1.0 - 0.520_499_877_8)).abs() < 1e-10);
        assert!((erfc(1.0) - (1.0 - 0.842_700_792_9)).abs() < 1e-10);
        assert!((erfc(2.0) - (1.0 - 0.995_322_265_0)).abs() < 1e-10);
    }

    #[test]
    fn erfcx_is_continuous_at_the_method_switch() {
        let x = SERIES_LIMIT;
        let series = (x * x).exp() * (1.0 - erf_series(x));
        let fraction = erfcx_continued_fraction(x);
        assert!(((series - fraction) / fraction).abs() < 1e-12, "{series} vs {fraction}");
        // Large argument: erfcx(x) ≈ 1/(x√π)·(1 − 1/(2x²)) (A&S 7.1.23).
        let x = 1e4;
        assert!((erfcx(x) * x / FRAC_1_SQRT_PI - (1.0 - 0.5 / (x * x))).abs() < 1e-12);
    }

    #[test]
    fn bisect_and_golden() {
        let root = bisect(0.0, 2.0, |x| x * x >= 2.0);
        assert!((root - 2f64.sqrt()).abs() < 1e-11);
        let arg = golden_max(0.0, 3.0, |x| -(x - 1.25) * (x - 1.25));
        assert!((arg - 1.25).abs() < 1e-6);
    }
}
