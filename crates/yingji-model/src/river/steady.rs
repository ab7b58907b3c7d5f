//! Continuous release into a river, steady state (HJ 2.3-2018 one-dimensional steady-state
//! river model; spec §8.2):
//!
//! ```text
//! C0   = (Cp·Qp + Ch·Qh)/(Qp + Qh)                         complete mixing at the outfall
//! C(x) = C0·exp[(u·x/(2E))·(1 − √(1 + 4kE/u²))]          x ≥ 0, downstream
//! ```
//!
//! The exponent is evaluated as `−2kx / (u·(1 + √(1 + 4kE/u²)))`, the same number without the
//! cancellation of `1 − √(1 + ε)` for small ε; it also gives the pure-advection limit
//! `C0·exp(−kx/u)` at E = 0.
//!
//! Verified: C(x) solves `E·C'' − u·C' − k·C = 0` with C(0) = C0 (checked by finite
//! differences in the tests); this is the decaying root of the characteristic equation.
//! Not verified: the guideline text of HJ 2.3-2018 itself (not opened here). Chapra's (1997)
//! infinite-domain point-source solution has C(0) = C0/√(1 + 4kE/u²) instead of C0, because it
//! lets the load disperse upstream too; the two differ by under 1 % while 4kE/u² < 0.02.

use serde::{Deserialize, Serialize};

use crate::error::{check, ModelError};
use crate::fields::{Fields, FromFields};

/// Fully mixed concentration at the outfall, mg/L (any consistent concentration unit).
pub fn mixed_concentration_mg_l(
    effluent_mg_l: f64,
    effluent_flow_m3_s: f64,
    upstream_mg_l: f64,
    upstream_flow_m3_s: f64,
) -> f64 {
    (effluent_mg_l * effluent_flow_m3_s + upstream_mg_l * upstream_flow_m3_s)
        / (effluent_flow_m3_s + upstream_flow_m3_s)
}

/// Fraction of the outfall concentration left at `x_m` downstream.
pub fn steady_fraction(velocity_m_s: f64, dispersion_m2_s: f64, decay_per_s: f64, x_m: f64) -> f64 {
    let (u, e, k) = (velocity_m_s, dispersion_m2_s, decay_per_s);
    let root = (1.0 + 4.0 * k * e / (u * u)).sqrt();
    (-2.0 * k * x_m / (u * (1.0 + root))).exp()
}

/// `{"model": "river_steady", "effluent_mg_l", "effluent_flow_m3_s", "upstream_mg_l",
/// "upstream_flow_m3_s", "velocity_m_s", "dispersion_m2_s", "decay_per_s", "receptors_x_m"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiverSteadyRequest {
    pub effluent_mg_l: f64,
    pub effluent_flow_m3_s: f64,
    pub upstream_mg_l: f64,
    pub upstream_flow_m3_s: f64,
    pub velocity_m_s: f64,
    pub dispersion_m2_s: f64,
    pub decay_per_s: f64,
    /// Distances downstream of the outfall, m (≥ 0).
    pub receptors_x_m: Vec<f64>,
}

impl FromFields for RiverSteadyRequest {
    fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
        Ok(RiverSteadyRequest {
            effluent_mg_l: f.number("effluent_mg_l")?,
            effluent_flow_m3_s: f.number("effluent_flow_m3_s")?,
            upstream_mg_l: f.number("upstream_mg_l")?,
            upstream_flow_m3_s: f.number("upstream_flow_m3_s")?,
            velocity_m_s: f.number("velocity_m_s")?,
            dispersion_m2_s: f.number("dispersion_m2_s")?,
            decay_per_s: f.number("decay_per_s")?,
            receptors_x_m: f.numbers("receptors_x_m")?,
        })
    }
}

/// Concentrations at the receptors, in the order given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiverSteadyResponse {
    pub c_mg_l: Vec<f64>,
}

/// Steady concentrations downstream of a continuous outfall.
pub fn run(r: &RiverSteadyRequest) -> Result<RiverSteadyResponse, ModelError> {
    check::non_negative("effluent_mg_l", r.effluent_mg_l, "the effluent concentration")?;
    check::non_negative("effluent_flow_m3_s", r.effluent_flow_m3_s, "the effluent flow")?;
    check::non_negative("upstream_mg_l", r.upstream_mg_l, "the upstream concentration")?;
    check::non_negative("upstream_flow_m3_s", r.upstream_flow_m3_s, "the upstream flow")?;
    check::positive(
        "upstream_flow_m3_s",
        r.effluent_flow_m3_s + r.upstream_flow_m3_s,
        "the total flow (effluent + upstream)",
    )?;
    check::positive("velocity_m_s", r.velocity_m_s, "the mean velocity")?;
    check::non_negative("dispersion_m2_s", r.dispersion_m2_s, "the longitudinal dispersion coefficient")?;
    check::non_negative("decay_per_s", r.decay_per_s, "the first-order loss rate")?;
    for (i, &x) in r.receptors_x_m.iter().enumerate() {
        check::non_negative(&format!("receptors_x_m[{i}]"), x, "the distance downstream of the outfall")?;
    }
    let c0 = mixed_concentration_mg_l(r.effluent_mg_l, r.effluent_flow_m3_s, r.upstream_mg_l, r.upstream_flow_m3_s);
    let c_mg_l = r
        .receptors_x_m
        .iter()
        .map(|&x| c0 * steady_fraction(r.velocity_m_s, r.dispersion_m2_s, r.decay_per_s, x))
        .collect();
    Ok(RiverSteadyResponse { c_mg_l })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// By hand: 2 m³/s of effluent at 50 mg/L into 18 m³/s at 1 mg/L mixes to
    /// C0 = (100 + 18)/20 = 5.9 mg/L. With u = 0.3 m/s, E = 20 m²/s, k = 2e-5 /s
    /// (4kE/u² = 0.017 78, √1.017 78 = 1.008 85), at 10 km:
    /// exponent = −2·2e-5·10⁴/(0.3·2.008 85) = −0.663 73, C = 5.9·0.514 93 = 3.0381 mg/L;
    /// the advection-only form gives 5.9·e^{−0.666 67} = 3.0292 mg/L.
    #[test]
    fn outfall_by_hand() {
        let r = RiverSteadyRequest {
            effluent_mg_l: 50.0,
            effluent_flow_m3_s: 2.0,
            upstream_mg_l: 1.0,
            upstream_flow_m3_s: 18.0,
            velocity_m_s: 0.3,
            dispersion_m2_s: 20.0,
            decay_per_s: 2e-5,
            receptors_x_m: vec![0.0, 10_000.0],
        };
        let c = run(&r).unwrap().c_mg_l;
        assert!((c[0] - 5.9).abs() < 1e-12);
        assert!((c[1] - 3.0381).abs() < 1e-4, "{c:?}");
        let advection_only = run(&RiverSteadyRequest { dispersion_m2_s: 0.0, ..r }).unwrap().c_mg_l;
        assert!((advection_only[1] - 5.9 * (-2e-5 * 1e4 / 0.3f64).exp()).abs() < 1e-12);
    }

    /// The profile solves E·C'' − u·C' − k·C = 0 (second-order finite differences).
    #[test]
    fn solves_the_steady_equation() {
        let (u, e, k) = (0.4, 60.0, 5e-5);
        let c = |x: f64| steady_fraction(u, e, k, x);
        for x in [100.0, 2_000.0, 30_000.0] {
            let h = 1.0;
            let d1 = (c(x + h) - c(x - h)) / (2.0 * h);
            let d2 = (c(x + h) - 2.0 * c(x) + c(x - h)) / (h * h);
            let residual = e * d2 - u * d1 - k * c(x);
            assert!(residual.abs() < 1e-6 * k * c(x), "x={x}: {residual}");
        }
    }

    #[test]
    fn upstream_receptor_is_refused() {
        let r = RiverSteadyRequest {
            effluent_mg_l: 1.0,
            effluent_flow_m3_s: 1.0,
            upstream_mg_l: 0.0,
            upstream_flow_m3_s: 1.0,
            velocity_m_s: 0.3,
            dispersion_m2_s: 1.0,
            decay_per_s: 0.0,
            receptors_x_m: vec![10.0, -5.0],
        };
        assert_eq!(run(&r).unwrap_err().field(), "receptors_x_m[1]");
    }
}
