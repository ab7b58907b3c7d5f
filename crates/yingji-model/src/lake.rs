//! Lakes and wide rivers, two-dimensional and mixed over the depth: an instantaneous release
//! of mass M at the origin, carried along x by a uniform current u, spreading with dispersion
//! coefficients Ex and Ey and lost at first-order rate k (spec §8.6):
//!
//! ```text
//! C(x,y,t) = M/(4π·h·t·√(Ex·Ey)) · exp(−(x − ut)²/(4Ex·t) − y²/(4Ey·t) − kt)
//! ```
//!
//! The time of the peak at a fixed point solves `(u²/Ex + 4k)·t² + 4t − (x²/Ex + y²/Ey) = 0`
//! (from ∂ln C/∂t = 0, derived here), i.e. `t = s/(2 + √(4 + a·s))` with `s = x²/Ex + y²/Ey`
//! and `a = u²/Ex + 4k`.
//!
//! Verified by the tests: mass conservation `∫∫C·h dx dy = M·e^{−kt}`, and the peak time against
//! a numerical maximisation. Not modelled: shores (no reflection), wind-driven circulation.

use std::f64::consts::PI;

use serde::{Deserialize, Serialize};

use crate::error::{check, ModelError};
use crate::fields::{Fields, FromFields};

/// `{"model": "lake", "mass_kg", "depth_m", "ex_m2_s", "ey_m2_s", "velocity_m_s", "decay_per_s",
/// "at", "peaks"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LakeRequest {
    pub mass_kg: f64,
    pub depth_m: f64,
    pub ex_m2_s: f64,
    pub ey_m2_s: f64,
    /// Current along +x, m/s (0 for still water).
    pub velocity_m_s: f64,
    pub decay_per_s: f64,
    /// Optional in JSON: points in space and time.
    #[serde(default)]
    pub at: Vec<LakePoint>,
    /// Optional in JSON: points whose peak (time and concentration) is wanted.
    #[serde(default)]
    pub peaks: Vec<LakeSite>,
}

/// A point and time, m and s from the release.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LakePoint {
    pub x_m: f64,
    pub y_m: f64,
    pub t_s: f64,
}

/// A point, m from the release.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LakeSite {
    pub x_m: f64,
    pub y_m: f64,
}

impl FromFields for LakePoint {
    fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
        Ok(LakePoint { x_m: f.number("x_m")?, y_m: f.number("y_m")?, t_s: f.number("t_s")? })
    }
}

impl FromFields for LakeSite {
    fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
        Ok(LakeSite { x_m: f.number("x_m")?, y_m: f.number("y_m")? })
    }
}

impl FromFields for LakeRequest {
    fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
        Ok(LakeRequest {
            mass_kg: f.number("mass_kg")?,
            depth_m: f.number("depth_m")?,
            ex_m2_s: f.number("ex_m2_s")?,
            ey_m2_s: f.number("ey_m2_s")?,
            velocity_m_s: f.number("velocity_m_s")?,
            decay_per_s: f.number("decay_per_s")?,
            at: f.optional_list("at")?,
            peaks: f.optional_list("peaks")?,
        })
    }
}

impl LakeRequest {
    /// Depth-mixed concentration at (x, y, t), kg/m³; zero for t ≤ 0.
    pub fn concentration_kg_m3(&self, x_m: f64, y_m: f64, t_s: f64) -> f64 {
        if t_s <= 0.0 {
            return 0.0;
        }
        let (ex, ey) = (self.ex_m2_s, self.ey_m2_s);
        let along = x_m - self.velocity_m_s * t_s;
        let exponent = -(along * along) / (4.0 * ex * t_s) - (y_m * y_m) / (4.0 * ey * t_s) - self.decay_per_s * t_s;
        self.mass_kg / (4.0 * PI * self.depth_m * t_s * (ex * ey).sqrt()) * exponent.exp()
    }

    /// Time of the peak at (x, y), s: `s/(2 + √(4 + a·s))`.
    pub fn peak_time_s(&self, x_m: f64, y_m: f64) -> f64 {
        let s = x_m * x_m / self.ex_m2_s + y_m * y_m / self.ey_m2_s;
        let a = self.velocity_m_s * self.velocity_m_s / self.ex_m2_s + 4.0 * self.decay_per_s;
        s / (2.0 + (4.0 + a * s).sqrt())
    }

    fn check(&self) -> Result<(), ModelError> {
        check::non_negative("mass_kg", self.mass_kg, "the released mass")?;
        check::positive("depth_m", self.depth_m, "the mixed depth")?;
        check::positive("ex_m2_s", self.ex_m2_s, "the dispersion coefficient along the current")?;
        check::positive("ey_m2_s", self.ey_m2_s, "the dispersion coefficient across the current")?;
        check::non_negative("velocity_m_s", self.velocity_m_s, "the current speed (along +x)")?;
        check::non_negative("decay_per_s", self.decay_per_s, "the first-order loss rate")?;
        for (i, p) in self.at.iter().enumerate() {
            check::finite(&format!("at[{i}].x_m"), p.x_m, "x")?;
            check::finite(&format!("at[{i}].y_m"), p.y_m, "y")?;
            check::finite(&format!("at[{i}].t_s"), p.t_s, "t")?;
        }
        for (i, p) in self.peaks.iter().enumerate() {
            check::finite(&format!("peaks[{i}].x_m"), p.x_m, "x")?;
            check::finite(&format!("peaks[{i}].y_m"), p.y_m, "y")?;
            if p.x_m == 0.0 && p.y_m == 0.0 {
                return Err(ModelError::invalid(
                    format!("peaks[{i}]"),
                    "the release point itself has an unbounded peak at t = 0; choose a point away from it",
                ));
            }
        }
        Ok(())
    }
}

/// A concentration, kg/m³.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LakeConcentration {
    pub c_kg_m3: f64,
}

/// The peak at a point: when, and how high.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LakePeak {
    pub t_s: f64,
    pub c_kg_m3: f64,
}

/// Concentrations and peaks in the order asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LakeResponse {
    pub at: Vec<LakeConcentration>,
    pub peaks: Vec<LakePeak>,
}

/// The 2D lake model for one request.
pub fn run(request: &LakeRequest) -> Result<LakeResponse, ModelError> {
    request.check()?;
    let at = request
        .at
        .iter()
        .map(|p| LakeConcentration { c_kg_m3: request.concentration_kg_m3(p.x_m, p.y_m, p.t_s) })
        .collect();
    let peaks = request
        .peaks
        .iter()
        .map(|p| {
            let t_s = request.peak_time_s(p.x_m, p.y_m);
            LakePeak { t_s, c_kg_m3: request.concentration_kg_m3(p.x_m, p.y_m, t_s) }
        })
        .collect();
    Ok(LakeResponse { at, peaks })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numeric::golden_max;
    use proptest::prelude::*;

    fn lake(u: f64, k: f64) -> LakeRequest {
        LakeRequest {
            mass_kg: 500.0,
            depth_m: 4.0,
            ex_m2_s: 2.0,
            ey_m2_s: 0.5,
            velocity_m_s: u,
            decay_per_s: k,
            at: vec![],
            peaks: vec![],
        }
    }

    /// In still water without loss the peak at distance r along x comes at t = r²/(4Ex)
    /// (s = r²/Ex, a = 0 → t = s/4): at 100 m with Ex = 2 m²/s, t = 1250 s, and
    /// C = M/(4π·h·t·√(Ex·Ey))·e^{−1} = 500/(4π·4·1250·1)·0.367 88 = 2.9275e-3 kg/m³.
    #[test]
    fn still_water_peak_by_hand() {
        let l = lake(0.0, 0.0);
        assert!((l.peak_time_s(100.0, 0.0) - 1250.0).abs() < 1e-9);
        let c = l.concentration_kg_m3(100.0, 0.0, 1250.0);
        assert!((c - 2.9275e-3).abs() < 1e-7, "{c}");
    }

    #[test]
    fn peak_time_is_the_maximum() {
        for (u, k) in [(0.0, 0.0), (0.05, 0.0), (0.1, 1e-5)] {
            let l = lake(u, k);
            for (x, y) in [(200.0, 0.0), (500.0, 80.0), (-50.0, 20.0), (0.0, 30.0)] {
                let t_p = l.peak_time_s(x, y);
                let numeric = golden_max(1.0, 1e6, |t| l.concentration_kg_m3(x, y, t).ln());
                assert!(((t_p - numeric) / t_p).abs() < 1e-6, "u={u} ({x},{y}): {t_p} vs {numeric}");
            }
        }
    }

    #[test]
    fn release_point_peak_is_refused() {
        let l = LakeRequest { peaks: vec![LakeSite { x_m: 0.0, y_m: 0.0 }], ..lake(0.1, 0.0) };
        assert_eq!(run(&l).unwrap_err().field(), "peaks[0]");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// Mass conservation: ∫∫ C·h dx dy = M·e^{−kt} at any time (trapezoid over ±9σ).
        #[test]
        fn holds_its_mass(
            u in 0.0f64..0.5, k in prop_oneof![Just(0.0), 1e-7f64..1e-4], t in 60.0f64..200_000.0,
            ex in 0.1f64..50.0, ey in 0.1f64..50.0,
        ) {
            let l = LakeRequest { ex_m2_s: ex, ey_m2_s: ey, ..lake(u, k) };
            let (sx, sy) = ((2.0 * ex * t).sqrt(), (2.0 * ey * t).sqrt());
            let n = 241;
            let (dx, dy) = (18.0 * sx / (n - 1) as f64, 18.0 * sy / (n - 1) as f64);
            let mut total = 0.0;
            for i in 0..n {
                for j in 0..n {
                    let x = u * t - 9.0 * sx + i as f64 * dx;
                    let y = -9.0 * sy + j as f64 * dy;
                    total += l.concentration_kg_m3(x, y, t);
                }
            }
            total *= dx * dy * l.depth_m;
            prop_assert!((total / (500.0 * (-k * t).exp()) - 1.0).abs() < 1e-6, "{total}");
        }

        /// The spill is symmetric about the current's axis: C(x, y, t) = C(x, −y, t).
        #[test]
        fn symmetric_in_y(x in -1000.0f64..5000.0, y in 0.0f64..1000.0, t in 1.0f64..1e5) {
            let l = lake(0.08, 1e-6);
            prop_assert_eq!(l.concentration_kg_m3(x, y, t), l.concentration_kg_m3(x, -y, t));
        }
    }
}
