//! Briggs plume rise for buoyant stacks and fires (Briggs 1969, 1975; EPA ISC3 User's Guide
//! Vol. II, EPA-454/B-95-003b; spec §6). Buoyancy-dominated rise only: momentum-dominated
//! (cold jet) rise is not modelled.
//!
//! ```text
//! Fb  = g·vs·ds²·(Ts − Ta)/(4·Ts)                         buoyancy flux, m⁴/s³
//! A–D: x_f = 49·Fb^(5/8) (Fb < 55), 119·Fb^(2/5) (Fb ≥ 55)
//!      Δh(x) = 1.6·Fb^(1/3)·x^(2/3)/u for x ≤ x_f; the final rise uses x = x_f
//! E–F: s = (g/Ta)·dθ/dz,  Δh = 2.6·(Fb/(u·s))^(1/3),  x_f = 2.0715·u/√s
//! ```
//!
//! Verified: the A–D final rise equals ISC3's closed forms 21.425·Fb^(3/4)/u (Fb < 55) and
//! 38.71·Fb^(3/5)/u (Fb ≥ 55), as coded in aefarrell/GasDispersion.jl `src/utils/plume_rise.jl`
//! (test `final_rise_matches_isc3_closed_forms`); the stable-case distance 2.0715·u/√s is the
//! one coded there too. GasDispersion.jl also caps the stable rise by the calm-air formula
//! 4·Fb^(1/4)·s^(−3/8); the spec does not, and neither does this crate.

use serde::{Deserialize, Serialize};

use crate::constants::STANDARD_GRAVITY_M_S2;
use crate::error::{check, ModelError};
use crate::fields::{Fields, FromFields};
use crate::plume::check_wind_speed;
use crate::stability::StabilityClass;

/// Buoyancy flux at which the A–D distance-to-final-rise formula changes, m⁴/s³
/// (Briggs 1975; EPA-454/B-95-003b Vol. II).
const FB_BREAK_M4_S3: f64 = 55.0;

/// Potential temperature gradient dθ/dz for class E, K/m (ISC3 default; spec §6).
const DTHETA_DZ_E_K_M: f64 = 0.020;

/// Potential temperature gradient dθ/dz for class F, K/m (ISC3 default; spec §6).
const DTHETA_DZ_F_K_M: f64 = 0.035;

/// Buoyancy flux Fb = g·vs·ds²·(Ts − Ta)/(4·Ts), m⁴/s³ (Briggs 1969).
pub fn buoyancy_flux_m4_s3(exit_velocity_m_s: f64, diameter_m: f64, stack_temp_k: f64, ambient_temp_k: f64) -> f64 {
    STANDARD_GRAVITY_M_S2 * exit_velocity_m_s * diameter_m * diameter_m * (stack_temp_k - ambient_temp_k)
        / (4.0 * stack_temp_k)
}

/// Stability parameter s = (g/Ta)·dθ/dz, 1/s², for the stable classes E and F.
pub fn stability_parameter_per_s2(class: StabilityClass, ambient_temp_k: f64) -> Option<f64> {
    let dtheta_dz_k_m = match class {
        StabilityClass::E => DTHETA_DZ_E_K_M,
        StabilityClass::F => DTHETA_DZ_F_K_M,
        _ => return None,
    };
    Some(STANDARD_GRAVITY_M_S2 / ambient_temp_k * dtheta_dz_k_m)
}

/// Transitional (2/3-law) rise at downwind distance `x_m`: 1.6·Fb^(1/3)·x^(2/3)/u
/// (Briggs 1969; spec §6).
pub fn two_thirds_law_rise_m(buoyancy_flux_m4_s3: f64, wind_speed_m_s: f64, x_m: f64) -> f64 {
    1.6 * buoyancy_flux_m4_s3.cbrt() * x_m.powf(2.0 / 3.0) / wind_speed_m_s
}

/// `{"model": "plume_rise", "exit_velocity_m_s", "diameter_m", "stack_temp_k", "ambient_temp_k",
/// "wind_speed_m_s", "stability"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlumeRiseRequest {
    pub exit_velocity_m_s: f64,
    pub diameter_m: f64,
    pub stack_temp_k: f64,
    pub ambient_temp_k: f64,
    /// Wind speed at the stack top, m/s.
    pub wind_speed_m_s: f64,
    pub stability: StabilityClass,
}

impl FromFields for PlumeRiseRequest {
    fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
        Ok(PlumeRiseRequest {
            exit_velocity_m_s: f.number("exit_velocity_m_s")?,
            diameter_m: f.number("diameter_m")?,
            stack_temp_k: f.number("stack_temp_k")?,
            ambient_temp_k: f.number("ambient_temp_k")?,
            wind_speed_m_s: f.number("wind_speed_m_s")?,
            stability: f.name("stability")?,
        })
    }
}

/// The buoyancy flux, where the plume levels off, and how high it has risen there.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PlumeRiseResponse {
    pub buoyancy_flux_m4_s3: f64,
    pub final_rise_distance_m: f64,
    pub final_rise_m: f64,
}

/// Briggs final plume rise.
pub fn run(request: &PlumeRiseRequest) -> Result<PlumeRiseResponse, ModelError> {
    check::positive("exit_velocity_m_s", request.exit_velocity_m_s, "the stack exit velocity")?;
    check::positive("diameter_m", request.diameter_m, "the stack diameter")?;
    check::positive("ambient_temp_k", request.ambient_temp_k, "the ambient temperature")?;
    check::positive("stack_temp_k", request.stack_temp_k, "the stack gas temperature")?;
    if request.stack_temp_k <= request.ambient_temp_k {
        return Err(ModelError::invalid(
            "stack_temp_k",
            format!(
                "the stack gas ({} K) must be hotter than the air ({} K) for buoyant rise; \
                 momentum-only rise is not modelled (use the stack height as the release height)",
                request.stack_temp_k, request.ambient_temp_k
            ),
        ));
    }
    check_wind_speed("wind_speed_m_s", request.wind_speed_m_s)?;
    let u = request.wind_speed_m_s;
    let fb = buoyancy_flux_m4_s3(
        request.exit_velocity_m_s,
        request.diameter_m,
        request.stack_temp_k,
        request.ambient_temp_k,
    );
    let (final_rise_distance_m, final_rise_m) =
        match stability_parameter_per_s2(request.stability, request.ambient_temp_k) {
            None => {
                // x_f = 3.5·x*, x* = 14·Fb^(5/8) or 34·Fb^(2/5) (Briggs 1975; EPA-454/B-95-003b Vol. II).
                let x_f = if fb < FB_BREAK_M4_S3 { 49.0 * fb.powf(5.0 / 8.0) } else { 119.0 * fb.powf(0.4) };
                (x_f, two_thirds_law_rise_m(fb, u, x_f))
            }
            // Stable buoyant rise and its distance (Briggs 1975; EPA-454/B-95-003b Vol. II).
            Some(s) => (2.0715 * u / s.sqrt(), 2.6 * (fb / (u * s)).cbrt()),
        };
    Ok(PlumeRiseResponse { buoyancy_flux_m4_s3: fb, final_rise_distance_m, final_rise_m })
}

#[cfg(test)]
mod tests {
    use super::*;
    use StabilityClass::*;

    fn stack(class: StabilityClass) -> PlumeRiseRequest {
        PlumeRiseRequest {
            exit_velocity_m_s: 10.0,
            diameter_m: 2.0,
            stack_temp_k: 450.0,
            ambient_temp_k: 298.15,
            wind_speed_m_s: 5.0,
            stability: class,
        }
    }

    /// The spec's 2/3-law at x_f reproduces ISC3's final-rise forms:
    /// 1.6·49^(2/3) = 21.425 (Fb < 55) and 1.6·119^(2/3) = 38.71 (Fb ≥ 55), each times
    /// Fb^(1/3 + 5/12 = 3/4) or Fb^(1/3 + 4/15 = 3/5), over u.
    #[test]
    fn final_rise_matches_isc3_closed_forms() {
        assert!((1.6 * 49f64.powf(2.0 / 3.0) - 21.425).abs() < 1e-3);
        assert!((1.6 * 119f64.powf(2.0 / 3.0) - 38.71).abs() < 1e-2);
        for (velocity, diameter) in [(5.0, 0.5), (10.0, 2.0), (20.0, 5.0)] {
            let r = run(&PlumeRiseRequest { exit_velocity_m_s: velocity, diameter_m: diameter, ..stack(D) }).unwrap();
            let fb = r.buoyancy_flux_m4_s3;
            let isc3 = if fb < 55.0 { 21.425 * fb.powf(0.75) } else { 38.71 * fb.powf(0.6) } / 5.0;
            assert!(((r.final_rise_m - isc3) / isc3).abs() < 1e-4, "Fb {fb}: {} vs {isc3}", r.final_rise_m);
        }
    }

    /// By hand, a 2 m stack at 10 m/s, 450 K into 298.15 K air, u = 5 m/s, class D:
    /// Fb = 9.80665·10·2²·(450 − 298.15)/(4·450) = 392.27·151.85/1800 = 33.092 m⁴/s³ (< 55),
    /// x_f = 49·33.092^(5/8) = 49·8.909 = 436.5 m, Δh = 21.425·33.092^(3/4)/5 = 21.425·13.797/5 = 59.12 m.
    /// Class F: s = 9.80665/298.15·0.035 = 1.1512e-3 s⁻², Δh = 2.6·(33.092/(5·1.1512e-3))^(1/3)
    /// = 2.6·17.92 = 46.6 m, x_f = 2.0715·5/0.033929 = 305.3 m.
    #[test]
    fn worked_stack_by_hand() {
        let d = run(&stack(D)).unwrap();
        assert!((d.buoyancy_flux_m4_s3 - 33.092).abs() < 1e-3, "{d:?}");
        assert!((d.final_rise_distance_m - 436.5).abs() < 0.1, "{d:?}");
        assert!((d.final_rise_m - 59.12).abs() < 0.01, "{d:?}");
        let f = run(&stack(F)).unwrap();
        assert!((f.final_rise_m - 46.6).abs() < 0.1, "{f:?}");
        assert!((f.final_rise_distance_m - 305.3).abs() < 0.1, "{f:?}");
    }

    #[test]
    fn cold_stack_is_refused() {
        let e = run(&PlumeRiseRequest { stack_temp_k: 290.0, ..stack(D) }).unwrap_err();
        assert_eq!(e.field(), "stack_temp_k");
    }
}
