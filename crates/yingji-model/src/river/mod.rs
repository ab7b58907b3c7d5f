//! Rivers, one-dimensional (mixed over the cross-section): a spill travelling down one uniform
//! reach with advection u, longitudinal dispersion E and first-order loss k (Taylor 1954;
//! Fischer et al. 1979; spec §8):
//!
//! ```text
//! ∂C/∂t + u·∂C/∂x = E·∂²C/∂x² − k·C
//! ```
//!
//! * Instantaneous (slug) release of M at x = 0, t = 0 (HJ 2.3-2018 instantaneous 1D river
//!   model; Chapra 1997):
//!   `C(x,t) = M/(A·√(4πEt))·exp(−(x − ut)²/(4Et))·exp(−kt)`.
//! * Finite-duration release, load W for T seconds (spec §8.3): the slug kernel integrated over
//!   the release, in closed form (derived here, for any k ≥ 0, from
//!   ∫₀ᵗ (πs)^{−½}·e^{−a²/s − b²s} ds = (1/2b)·[e^{−2ab}·erfc(a/√t − b√t) − e^{2ab}·erfc(a/√t + b√t)]):
//!   with γ = √(u² + 4kE),
//!   `I(x,t) = ∫₀ᵗ K ds = (1/2γ)·[e^{(xu−|x|γ)/2E}·erfc((|x|−γt)/2√(Et)) − e^{(xu+|x|γ)/2E}·erfc((|x|+γt)/2√(Et))]`
//!   and `C = (W/A)·[I(x,t) − I(x,t−T)]`. For k = 0 this is the Ogata–Banks form. The tests
//!   check it against direct quadrature of the slug kernel.
//! * Receptor statistics: at a fixed x the concentration rises to one peak and falls (the slug
//!   kernel is unimodal in t, and so is its integral over a sliding window), so the first and
//!   last times above a threshold bracket the peak and are found by bisection.
//!   Slug peak time: `t_p = x²/(E + √(E² + (u² + 4Ek)·x²))` (spec §8.1, rationalised).
//!
//! The 1D solution holds only after cross-sectional mixing (spec §8.5); real rivers have
//! longer tails than this model (dead zones).
//!
//! Not verified: worked river examples from Chapra (1997) or Fischer et al. (1979) — neither
//! book was available here. The tests instead check exact identities (mass, peak time,
//! the closed form against quadrature) and a case worked by hand.

pub mod dispersion;
pub mod steady;

use std::f64::consts::PI;

use serde::{Deserialize, Serialize};

use crate::constants::{kg_m3_to_mg_l, KG_M3_PER_MG_L};
use crate::error::{check, ModelError};
use crate::fields::{Fields, FromFields};
use crate::numeric::{bisect, exp_times_erfc};

/// A uniform reach: mean velocity, cross-section, longitudinal dispersion and first-order loss.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Reach {
    pub velocity_m_s: f64,
    pub area_m2: f64,
    pub dispersion_m2_s: f64,
    /// First-order loss rate k (decay + volatilisation + settling), 1/s.
    pub decay_per_s: f64,
}

impl FromFields for Reach {
    fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
        Ok(Reach {
            velocity_m_s: f.number("velocity_m_s")?,
            area_m2: f.number("area_m2")?,
            dispersion_m2_s: f.number("dispersion_m2_s")?,
            decay_per_s: f.number("decay_per_s")?,
        })
    }
}

impl Reach {
    /// Checks the reach; field paths are relative to it.
    pub fn check(&self) -> Result<(), ModelError> {
        check::positive("velocity_m_s", self.velocity_m_s, "the mean velocity (the river must flow)")?;
        check::positive("area_m2", self.area_m2, "the cross-sectional area")?;
        check::positive("dispersion_m2_s", self.dispersion_m2_s, "the longitudinal dispersion coefficient")?;
        check::non_negative("decay_per_s", self.decay_per_s, "the first-order loss rate")
    }

    /// Flow Q = u·A, m³/s.
    pub fn flow_m3_s(&self) -> f64 {
        self.velocity_m_s * self.area_m2
    }

    /// γ = √(u² + 4kE), m/s.
    fn gamma_m_s(&self) -> f64 {
        (self.velocity_m_s * self.velocity_m_s + 4.0 * self.decay_per_s * self.dispersion_m2_s).sqrt()
    }

    /// The slug kernel K(x,s) = exp(−(x−us)²/(4Es) − ks)/√(4πEs), 1/m, at `age_s` = s seconds
    /// after the release (zero for s ≤ 0); a slug of M kg gives C = (M/A)·K.
    pub fn kernel_per_m(&self, x_m: f64, age_s: f64) -> f64 {
        if age_s <= 0.0 {
            return 0.0;
        }
        let (u, e, k) = (self.velocity_m_s, self.dispersion_m2_s, self.decay_per_s);
        let d = x_m - u * age_s;
        (-(d * d) / (4.0 * e * age_s) - k * age_s).exp() / (4.0 * PI * e * age_s).sqrt()
    }

    /// ln K(x,s) up to a constant; −∞ for s ≤ 0.
    fn ln_kernel(&self, x_m: f64, age_s: f64) -> f64 {
        if age_s <= 0.0 {
            return f64::NEG_INFINITY;
        }
        let (u, e, k) = (self.velocity_m_s, self.dispersion_m2_s, self.decay_per_s);
        let d = x_m - u * age_s;
        -0.5 * age_s.ln() - (d * d) / (4.0 * e * age_s) - k * age_s
    }

    /// Time of the slug's peak at `x_m`, s: `x²/(E + √(E² + (u² + 4Ek)·x²))` (0 at x = 0).
    pub fn slug_peak_time_s(&self, x_m: f64) -> f64 {
        let (u, e, k) = (self.velocity_m_s, self.dispersion_m2_s, self.decay_per_s);
        x_m * x_m / (e + (e * e + (u * u + 4.0 * e * k) * x_m * x_m).sqrt())
    }

    /// `∫₀ᵗ K(x,s) ds`, s/m (see the module documentation).
    pub fn kernel_integral_s_per_m(&self, x_m: f64, t_s: f64) -> f64 {
        if t_s <= 0.0 {
            return 0.0;
        }
        let (u, e) = (self.velocity_m_s, self.dispersion_m2_s);
        let gamma = self.gamma_m_s();
        let ax = x_m.abs();
        let root = 2.0 * (e * t_s).sqrt();
        let a1 = (x_m * u - ax * gamma) / (2.0 * e);
        let a2 = (x_m * u + ax * gamma) / (2.0 * e);
        let z1 = (ax - gamma * t_s) / root;
        let z2 = (ax + gamma * t_s) / root;
        (exp_times_erfc(a1, z1) - exp_times_erfc(a2, z2)) / (2.0 * gamma)
    }

    /// `∫ₜ^∞ K(x,s) ds`, s/m; the complement of [`Reach::kernel_integral_s_per_m`], computed
    /// without cancellation for late times.
    pub fn kernel_tail_s_per_m(&self, x_m: f64, t_s: f64) -> f64 {
        let (u, e) = (self.velocity_m_s, self.dispersion_m2_s);
        let gamma = self.gamma_m_s();
        let ax = x_m.abs();
        let a1 = (x_m * u - ax * gamma) / (2.0 * e);
        if t_s <= 0.0 {
            return a1.exp() / gamma;
        }
        let root = 2.0 * (e * t_s).sqrt();
        let a2 = (x_m * u + ax * gamma) / (2.0 * e);
        let z1 = (ax - gamma * t_s) / root;
        let z2 = (ax + gamma * t_s) / root;
        (exp_times_erfc(a1, -z1) + exp_times_erfc(a2, z2)) / (2.0 * gamma)
    }
}

/// Concentration of an instantaneous release, kg/m³ (zero for t ≤ 0).
pub fn slug_concentration_kg_m3(mass_kg: f64, reach: &Reach, x_m: f64, t_s: f64) -> f64 {
    mass_kg / reach.area_m2 * reach.kernel_per_m(x_m, t_s)
}

/// Concentration of a release of `rate_kg_s` from t = 0 to `duration_s`, kg/m³.
pub fn finite_release_concentration_kg_m3(rate_kg_s: f64, duration_s: f64, reach: &Reach, x_m: f64, t_s: f64) -> f64 {
    if t_s <= 0.0 {
        return 0.0;
    }
    let window_s = if t_s <= duration_s {
        reach.kernel_integral_s_per_m(x_m, t_s)
    } else if t_s - duration_s >= reach.slug_peak_time_s(x_m) {
        // The window [t − T, t] lies after the kernel's peak: use the tails (no cancellation).
        reach.kernel_tail_s_per_m(x_m, t_s - duration_s) - reach.kernel_tail_s_per_m(x_m, t_s)
    } else {
        reach.kernel_integral_s_per_m(x_m, t_s) - reach.kernel_integral_s_per_m(x_m, t_s - duration_s)
    };
    rate_kg_s / reach.area_m2 * window_s.max(0.0)
}

/// What was released at x = 0 from t = 0: a mass at once, or a rate for a duration.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RiverRelease {
    Instantaneous { mass_kg: f64 },
    FiniteDuration { rate_kg_s: f64, duration_s: f64 },
}

impl FromFields for RiverRelease {
    fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
        match (f.has("mass_kg"), f.has("rate_kg_s") || f.has("duration_s")) {
            (true, false) => Ok(RiverRelease::Instantaneous { mass_kg: f.number("mass_kg")? }),
            (false, true) => Ok(RiverRelease::FiniteDuration {
                rate_kg_s: f.number("rate_kg_s")?,
                duration_s: f.number("duration_s")?,
            }),
            (true, true) => Err(ModelError::invalid(
                f.path(),
                "give either mass_kg (an instantaneous release) or rate_kg_s and duration_s (a release over time), not both",
            )),
            (false, false) => Err(ModelError::invalid(
                f.path(),
                "give mass_kg (an instantaneous release) or rate_kg_s and duration_s (a release over time)",
            )),
        }
    }
}

impl RiverRelease {
    fn check(&self) -> Result<(), ModelError> {
        match *self {
            RiverRelease::Instantaneous { mass_kg } => check::non_negative("mass_kg", mass_kg, "the released mass"),
            RiverRelease::FiniteDuration { rate_kg_s, duration_s } => {
                check::non_negative("rate_kg_s", rate_kg_s, "the release rate")?;
                check::positive("duration_s", duration_s, "the release duration")
            }
        }
    }

    /// Concentration at `x_m` and `t_s` in `reach`, kg/m³.
    pub fn concentration_kg_m3(&self, reach: &Reach, x_m: f64, t_s: f64) -> f64 {
        match *self {
            RiverRelease::Instantaneous { mass_kg } => slug_concentration_kg_m3(mass_kg, reach, x_m, t_s),
            RiverRelease::FiniteDuration { rate_kg_s, duration_s } => {
                finite_release_concentration_kg_m3(rate_kg_s, duration_s, reach, x_m, t_s)
            }
        }
    }

    /// Time of the peak concentration at `x_m`, s.
    pub fn peak_time_s(&self, reach: &Reach, x_m: f64) -> f64 {
        let slug_peak_s = reach.slug_peak_time_s(x_m);
        match *self {
            RiverRelease::Instantaneous { .. } => slug_peak_s,
            RiverRelease::FiniteDuration { duration_s, .. } => {
                if slug_peak_s <= 0.0 {
                    return duration_s; // at the outfall the concentration rises until the release stops
                }
                // dC/dt ∝ K(t) − K(t − T): positive before, negative after a single root in
                // [max(T, t_p), t_p + T].
                let lo = slug_peak_s.max(duration_s);
                let hi = slug_peak_s + duration_s;
                bisect(lo, hi, |t| reach.ln_kernel(x_m, t) < reach.ln_kernel(x_m, t - duration_s))
            }
        }
    }
}

/// When a receptor sees the spill: first and last times above the threshold (`null` when the
/// threshold is never reached), and the peak.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceptorStats {
    pub name: String,
    pub first_above_s: Option<f64>,
    /// `null` only for a network receptor the spill never reaches.
    pub peak_time_s: Option<f64>,
    pub peak_mg_l: f64,
    pub last_above_s: Option<f64>,
}

/// First and last crossing of `threshold` by a unimodal `c(t)` with its peak at `t_peak_s`
/// (c(0) is taken as the start; a peak below the threshold gives `None`s).
pub(crate) fn threshold_crossings(c: impl Fn(f64) -> f64, t_peak_s: f64, threshold: f64) -> (Option<f64>, Option<f64>) {
    if c(t_peak_s) < threshold {
        return (None, None);
    }
    let first = if c(0.0) >= threshold { 0.0 } else { bisect(0.0, t_peak_s, |t| c(t) >= threshold) };
    let mut step = t_peak_s.max(1.0);
    let mut hi = t_peak_s + step;
    for _ in 0..200 {
        if c(hi) < threshold {
            break;
        }
        step *= 2.0;
        hi = t_peak_s + step;
    }
    let last = bisect(t_peak_s, hi, |t| c(t) >= threshold);
    (Some(first), Some(last))
}

/// Statistics of a release at a receptor `x_m` downstream (negative: upstream).
pub fn receptor_stats(
    release: &RiverRelease,
    reach: &Reach,
    name: &str,
    x_m: f64,
    threshold_mg_l: f64,
) -> ReceptorStats {
    let threshold_kg_m3 = threshold_mg_l * KG_M3_PER_MG_L;
    let t_peak_s = release.peak_time_s(reach, x_m);
    let c = |t: f64| release.concentration_kg_m3(reach, x_m, t);
    let (first_above_s, last_above_s) = threshold_crossings(c, t_peak_s, threshold_kg_m3);
    ReceptorStats {
        name: name.to_string(),
        first_above_s,
        peak_time_s: Some(t_peak_s),
        peak_mg_l: kg_m3_to_mg_l(c(t_peak_s)),
        last_above_s,
    }
}

/// A named receptor at `x_m` from the release (downstream positive).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiverReceptor {
    pub name: String,
    pub x_m: f64,
}

impl FromFields for RiverReceptor {
    fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
        Ok(RiverReceptor { name: f.text("name")?, x_m: f.number("x_m")? })
    }
}

/// A point in space and time where the concentration is wanted.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RiverPoint {
    pub x_m: f64,
    pub t_s: f64,
}

impl FromFields for RiverPoint {
    fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
        Ok(RiverPoint { x_m: f.number("x_m")?, t_s: f.number("t_s")? })
    }
}

/// `{"model": "river", "release", "reach", "receptors", "threshold_mg_l", "at"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiverRequest {
    pub release: RiverRelease,
    pub reach: Reach,
    pub receptors: Vec<RiverReceptor>,
    pub threshold_mg_l: f64,
    /// Optional in JSON.
    #[serde(default)]
    pub at: Vec<RiverPoint>,
}

impl FromFields for RiverRequest {
    fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
        Ok(RiverRequest {
            release: f.object("release")?,
            reach: f.object("reach")?,
            receptors: f.list("receptors")?,
            threshold_mg_l: f.number("threshold_mg_l")?,
            at: f.optional_list("at")?,
        })
    }
}

/// A concentration, mg/L.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ConcentrationMgL {
    pub c_mg_l: f64,
}

/// Receptor statistics and point concentrations, in the order asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiverResponse {
    pub receptors: Vec<ReceptorStats>,
    pub at: Vec<ConcentrationMgL>,
}

/// The 1D river model for one request.
pub fn run(request: &RiverRequest) -> Result<RiverResponse, ModelError> {
    request.release.check().map_err(|e| e.under("release"))?;
    request.reach.check().map_err(|e| e.under("reach"))?;
    check::positive("threshold_mg_l", request.threshold_mg_l, "the threshold")?;
    for (i, r) in request.receptors.iter().enumerate() {
        check::name(&format!("receptors[{i}].name"), &r.name)?;
        check::finite(&format!("receptors[{i}].x_m"), r.x_m, "the receptor position")?;
        if r.x_m == 0.0 && matches!(request.release, RiverRelease::Instantaneous { .. }) {
            return Err(ModelError::invalid(
                format!("receptors[{i}].x_m"),
                "a receptor at the release point sees an unbounded peak at t = 0; place it downstream (x_m > 0)",
            ));
        }
    }
    for (i, p) in request.at.iter().enumerate() {
        check::finite(&format!("at[{i}].x_m"), p.x_m, "x")?;
        check::finite(&format!("at[{i}].t_s"), p.t_s, "t")?;
    }
    let receptors = request
        .receptors
        .iter()
        .map(|r| receptor_stats(&request.release, &request.reach, &r.name, r.x_m, request.threshold_mg_l))
        .collect();
    let at = request
        .at
        .iter()
        .map(|p| ConcentrationMgL {
            c_mg_l: kg_m3_to_mg_l(request.release.concentration_kg_m3(&request.reach, p.x_m, p.t_s)),
        })
        .collect();
    Ok(RiverResponse { receptors, at })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reach(u: f64, a: f64, e: f64, k: f64) -> Reach {
        Reach { velocity_m_s: u, area_m2: a, dispersion_m2_s: e, decay_per_s: k }
    }

    /// Composite Simpson on [a, b] with n (even) intervals.
    fn simpson(f: impl Fn(f64) -> f64, a: f64, b: f64, n: usize) -> f64 {
        let h = (b - a) / n as f64;
        let mut s = f(a) + f(b);
        for i in 1..n {
            s += if i % 2 == 1 { 4.0 } else { 2.0 } * f(a + i as f64 * h);
        }
        s * h / 3.0
    }

    /// Oracle for ∫₀ᵗ K ds: Simpson in r = √s (ds = 2r dr), which removes the s^(−½) singularity.
    fn kernel_integral_by_quadrature(reach: &Reach, x: f64, t: f64) -> f64 {
        simpson(|r| 2.0 * r * reach.kernel_per_m(x, r * r), 0.0, t.sqrt(), 200_000)
    }

    /// A spill worked by hand: M = 100 kg into a reach with A = 50 m², u = 0.5 m/s,
    /// E = 30 m²/s, k = 0; receptor 10 km downstream.
    /// t_p = 10⁸/(30 + √(900 + 0.25·10⁸)) = 10⁸/5030.09 = 19 880.4 s (x/u = 20 000 s);
    /// √(4π·30·19 880.4) = 2737.65; (10 000 − 9940.18)²/(4·30·19 880.4) = 0.0015000;
    /// C_max = 100/(50·2737.65)·e^{−0.0015} = 7.2946e-4 kg/m³ = 0.72946 mg/L.
    /// The frozen-cloud estimate M/(A√(4πEx/u)) = 100/(50·2745.9) = 0.72837 mg/L is 0.15 % lower.
    #[test]
    fn slug_worked_by_hand() {
        let r = reach(0.5, 50.0, 30.0, 0.0);
        let release = RiverRelease::Instantaneous { mass_kg: 100.0 };
        let stats = receptor_stats(&release, &r, "intake", 10_000.0, 0.1);
        let t_p = stats.peak_time_s.unwrap();
        assert!((t_p - 19_880.36).abs() < 0.01, "{stats:?}");
        assert!((stats.peak_mg_l - 0.729_459).abs() < 1e-6, "{stats:?}");
        let frozen_cloud = 100.0 / (50.0 * (4.0 * PI * 30.0 * 10_000.0 / 0.5).sqrt()) * 1000.0;
        assert!((frozen_cloud - 0.728_366).abs() < 1e-6);
        // At the crossings the concentration equals the threshold.
        for t in [stats.first_above_s.unwrap(), stats.last_above_s.unwrap()] {
            let c = kg_m3_to_mg_l(release.concentration_kg_m3(&r, 10_000.0, t));
            assert!((c - 0.1).abs() < 1e-9, "{c} at {t}");
        }
    }

    /// The peak time is where the concentration is largest: compare with a dense scan.
    #[test]
    fn peak_times_are_maxima() {
        let r = reach(0.8, 120.0, 45.0, 2e-5);
        for release in [
            RiverRelease::Instantaneous { mass_kg: 500.0 },
            RiverRelease::FiniteDuration { rate_kg_s: 0.5, duration_s: 3600.0 },
            RiverRelease::FiniteDuration { rate_kg_s: 0.5, duration_s: 60_000.0 },
        ] {
            for x in [-300.0, 200.0, 3000.0, 40_000.0] {
                let t_p = release.peak_time_s(&r, x);
                let c_p = release.concentration_kg_m3(&r, x, t_p);
                let scan_max = (1..20_000)
                    .map(|i| release.concentration_kg_m3(&r, x, i as f64 * 10.0 * (t_p / 1e4).max(0.05)))
                    .fold(0.0, f64::max);
                assert!(c_p >= scan_max * (1.0 - 1e-9), "{release:?} x={x}: {c_p} < {scan_max}");
            }
        }
    }

    #[test]
    fn finite_release_at_the_outfall_peaks_when_it_stops() {
        let r = reach(0.5, 40.0, 20.0, 0.0);
        let release = RiverRelease::FiniteDuration { rate_kg_s: 1.0, duration_s: 1800.0 };
        let stats = receptor_stats(&release, &r, "outfall", 0.0, 0.001);
        assert_eq!(stats.peak_time_s, Some(1800.0));
        // C(0, t) = (W/(A·u))·erf(u·√t/(2√E)) rises from 0 at once.
        assert!(stats.first_above_s.unwrap() < 1e-3, "{stats:?}");
    }

    #[test]
    fn never_above_gives_nulls() {
        let r = reach(0.5, 40.0, 20.0, 0.0);
        let stats = receptor_stats(&RiverRelease::Instantaneous { mass_kg: 1.0 }, &r, "far", 50_000.0, 10.0);
        assert_eq!((stats.first_above_s, stats.last_above_s), (None, None));
        assert!(stats.peak_mg_l > 0.0 && stats.peak_mg_l < 10.0);
    }

    #[test]
    fn errors_name_the_field() {
        let request = RiverRequest {
            release: RiverRelease::Instantaneous { mass_kg: 1.0 },
            reach: reach(0.5, 40.0, 0.0, 0.0),
            receptors: vec![],
            threshold_mg_l: 0.01,
            at: vec![],
        };
        assert_eq!(run(&request).unwrap_err().field(), "reach.dispersion_m2_s");
        let request = RiverRequest {
            reach: reach(0.5, 40.0, 10.0, 0.0),
            receptors: vec![RiverReceptor { name: "a".into(), x_m: 0.0 }],
            ..request
        };
        assert_eq!(run(&request).unwrap_err().field(), "receptors[0].x_m");
    }

    fn any_reach() -> impl Strategy<Value = Reach> {
        (0.05f64..3.0, 5.0f64..2000.0, 0.5f64..300.0, prop_oneof![Just(0.0), 1e-7f64..1e-4])
            .prop_map(|(u, a, e, k)| reach(u, a, e, k))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// With no loss, everything released passes every downstream section:
        /// Q·∫C(x,t)dt = M for x > 0 (the identity ∫₀^∞ K dt = 1/u). Checked by quadrature.
        #[test]
        fn slug_mass_passes_each_section(r in any_reach(), x in 10.0f64..50_000.0, m in 1.0f64..1e4) {
            let r = Reach { decay_per_s: 0.0, ..r };
            // Advection-dominated (Péclet u·x/E ≥ 10), where the 1D model is used.
            let x = x.max(10.0 * r.dispersion_m2_s / r.velocity_m_s);
            let release = RiverRelease::Instantaneous { mass_kg: m };
            let t_p = release.peak_time_s(&r, x);
            let sigma_t = (2.0 * r.dispersion_m2_s * x / r.velocity_m_s.powi(3)).sqrt();
            let end = t_p + 40.0 * sigma_t;
            let passed = r.flow_m3_s() * simpson(|t| release.concentration_kg_m3(&r, x, t), 0.0, end, 200_000);
            prop_assert!((passed / m - 1.0).abs() < 1e-5, "passed {passed} of {m}");
            // The closed-form integral says the same, exactly.
            prop_assert!((r.velocity_m_s * r.kernel_tail_s_per_m(x, 0.0) - 1.0).abs() < 1e-12);
        }

        /// The closed form of the finite-duration release equals direct quadrature of the
        /// slug kernel over the release (seeded random cases; oracle = Simpson in √s).
        #[test]
        fn finite_release_matches_quadrature(
            r in any_reach(), x in -500.0f64..30_000.0, duration in 10.0f64..20_000.0, frac in 0.05f64..3.0,
        ) {
            let t = frac * (x.abs() / r.velocity_m_s + duration);
            let direct = if t <= duration {
                kernel_integral_by_quadrature(&r, x, t)
            } else {
                kernel_integral_by_quadrature(&r, x, t) - kernel_integral_by_quadrature(&r, x, t - duration)
            };
            let closed = finite_release_concentration_kg_m3(1.0, duration, &r, x, t) * r.area_m2;
            let scale = 1.0 / r.velocity_m_s;
            prop_assert!((closed - direct).abs() <= 1e-7 * scale + 1e-6 * direct.abs(),
                "x={x} t={t} T={duration}: closed {closed} vs quadrature {direct}");
        }

        /// A release over time with no loss also passes every section whole: Q·∫C dt = W·T.
        #[test]
        fn finite_release_mass_passes(r in any_reach(), x in 10.0f64..20_000.0, duration in 60.0f64..20_000.0) {
            let r = Reach { decay_per_s: 0.0, ..r };
            let x = x.max(10.0 * r.dispersion_m2_s / r.velocity_m_s);
            let release = RiverRelease::FiniteDuration { rate_kg_s: 2.0, duration_s: duration };
            let t_p = release.peak_time_s(&r, x);
            let sigma_t = (2.0 * r.dispersion_m2_s * x / r.velocity_m_s.powi(3)).sqrt();
            let end = t_p + duration + 40.0 * sigma_t;
            let passed = r.flow_m3_s() * simpson(|t| release.concentration_kg_m3(&r, x, t), 0.0, end, 200_000);
            prop_assert!((passed / (2.0 * duration) - 1.0).abs() < 1e-4, "passed {passed}");
        }
    }
}
