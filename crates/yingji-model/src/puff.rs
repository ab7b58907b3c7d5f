//! Gaussian puff: an instantaneous release of mass M carried by the wind, with reflection at
//! the ground (CCPS 1999; spec §2):
//!
//! ```text
//! C(x,y,z,t) = 2M / ((2π)^{3/2} σx σy σz) · exp(−(x−ut)²/2σx²) · exp(−y²/2σy²)
//!              · ½[exp(−(z−H)²/2σz²) + exp(−(z+H)²/2σz²)]
//! ```
//!
//! σ are evaluated at the distance travelled by the puff centre, x_c = u·t; σx = σy.
//! The Slade (1968) puff σ (`slade_puff`) are the usual choice.

use serde::{Deserialize, Serialize};

use crate::error::{check, ModelError};
use crate::fields::{Fields, FromFields};
use crate::numeric::two_pi_pow_three_halves;
use crate::plume::{check_point, check_wind_speed};
use crate::sigma::{self, SigmaChoice, Sigmas};
use crate::stability::StabilityClass;

/// Puff concentration, kg/m³, at distance `along_m` = x − u·t from the puff centre (downwind
/// positive), crosswind offset `y_m` and height `z_m`; σx = σy.
///
/// The CCPS (1999) p. 101 puff: 1 kg at ground level, class F, 2 m/s, seen at the puff centre
/// 500 m downwind after 250 s (σ from Slade's table; the book misprints σy as 6.1 m):
///
/// ```
/// use yingji_model::{puff, sigma, stability::StabilityClass};
///
/// let s = sigma::slade_puff(StabilityClass::F, 500.0);
/// let c = puff::concentration_kg_m3(1.0, 0.0, s, 0.0, 0.0, 0.0);
/// assert!((c - 2.2500e-3).abs() < 1e-7);
/// ```
pub fn concentration_kg_m3(mass_kg: f64, height_m: f64, sigmas: Sigmas, along_m: f64, y_m: f64, z_m: f64) -> f64 {
    let Sigmas { sigma_y_m: sy, sigma_z_m: sz } = sigmas;
    let sx = sy;
    let downwind = (-(along_m * along_m) / (2.0 * sx * sx)).exp();
    let crosswind = (-(y_m * y_m) / (2.0 * sy * sy)).exp();
    let below = z_m - height_m;
    let image = z_m + height_m;
    let vertical = 0.5 * ((-(below * below) / (2.0 * sz * sz)).exp() + (-(image * image) / (2.0 * sz * sz)).exp());
    2.0 * mass_kg / (two_pi_pow_three_halves() * sx * sy * sz) * downwind * crosswind * vertical
}

/// Ground-level concentration at the puff centre, kg/m³:
/// `2M/((2π)^{3/2} σx σy σz)·exp(−H²/2σz²)` (spec §2).
pub fn ground_centre_kg_m3(mass_kg: f64, height_m: f64, sigmas: Sigmas) -> f64 {
    concentration_kg_m3(mass_kg, height_m, sigmas, 0.0, 0.0, 0.0)
}

/// An instantaneous release: the puff request without its receptors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PuffSource {
    pub mass_kg: f64,
    pub height_m: f64,
    pub wind_speed_m_s: f64,
    /// Required when `sigma` names a set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stability: Option<StabilityClass>,
    pub sigma: SigmaChoice,
}

impl FromFields for PuffSource {
    fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
        let mass_kg = f.number("mass_kg")?;
        let height_m = f.number("height_m")?;
        let wind_speed_m_s = f.number("wind_speed_m_s")?;
        let stability = f.optional_name("stability")?;
        let (value, path) = f.raw("sigma")?;
        let sigma = SigmaChoice::from_json(value, &path)?;
        Ok(PuffSource { mass_kg, height_m, wind_speed_m_s, stability, sigma })
    }
}

impl PuffSource {
    /// Checks the release; field paths are relative to the release.
    pub fn check(&self) -> Result<(), ModelError> {
        check::non_negative("mass_kg", self.mass_kg, "the released mass")?;
        check::non_negative("height_m", self.height_m, "the release height")?;
        check_wind_speed("wind_speed_m_s", self.wind_speed_m_s)?;
        self.sigma.check(self.stability)
    }

    /// σ when the puff centre has travelled `x_m` (> 0).
    pub fn sigmas_at(&self, x_m: f64) -> Sigmas {
        self.sigma.at(self.stability, x_m)
    }

    /// Concentration at a receptor, kg/m³; zero before the release (t ≤ 0).
    pub fn at(&self, receptor: &PuffReceptor) -> f64 {
        if receptor.t_s <= 0.0 {
            return 0.0;
        }
        let centre_m = self.wind_speed_m_s * receptor.t_s;
        let sigmas = self.sigmas_at(centre_m);
        concentration_kg_m3(self.mass_kg, self.height_m, sigmas, receptor.x_m - centre_m, receptor.y_m, receptor.z_m)
    }
}

/// A receptor point and time: x downwind, y crosswind, z above the ground (m); t after the
/// release (s).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PuffReceptor {
    pub x_m: f64,
    pub y_m: f64,
    pub z_m: f64,
    pub t_s: f64,
}

impl FromFields for PuffReceptor {
    fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
        Ok(PuffReceptor { x_m: f.number("x_m")?, y_m: f.number("y_m")?, z_m: f.number("z_m")?, t_s: f.number("t_s")? })
    }
}

/// `{"model": "puff", "mass_kg", "height_m", "wind_speed_m_s", "stability", "sigma", "receptors"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PuffRequest {
    #[serde(flatten)]
    pub source: PuffSource,
    pub receptors: Vec<PuffReceptor>,
}

impl FromFields for PuffRequest {
    fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
        Ok(PuffRequest { source: PuffSource::from_fields(f)?, receptors: f.list("receptors")? })
    }
}

/// Concentration at one receptor.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PuffReceptorResult {
    pub c_kg_m3: f64,
}

/// One result per receptor, in the order given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PuffResponse {
    pub receptors: Vec<PuffReceptorResult>,
}

/// Checks a receptor; field paths are relative to it.
fn check_receptor(r: &PuffReceptor, wind_speed_m_s: f64, sigma_grows: bool) -> Result<(), ModelError> {
    check_point(r.x_m, r.y_m, r.z_m)?;
    check::finite("t_s", r.t_s, "the time")?;
    let centre_m = wind_speed_m_s * r.t_s;
    if sigma_grows && centre_m > sigma::MAX_DISTANCE_M {
        return Err(ModelError::invalid(
            "t_s",
            format!(
                "by t = {} s the puff centre is {centre_m} m downwind, beyond the {} m the σ curves cover",
                r.t_s,
                sigma::MAX_DISTANCE_M
            ),
        ));
    }
    Ok(())
}

/// Puff concentrations at the receptors.
pub fn run(request: &PuffRequest) -> Result<PuffResponse, ModelError> {
    request.source.check()?;
    let sigma_grows = matches!(request.source.sigma, SigmaChoice::Set(_));
    for (i, r) in request.receptors.iter().enumerate() {
        check_receptor(r, request.source.wind_speed_m_s, sigma_grows)
            .map_err(|e| e.under(&format!("receptors[{i}]")))?;
    }
    let receptors = request.receptors.iter().map(|r| PuffReceptorResult { c_kg_m3: request.source.at(r) }).collect();
    Ok(PuffResponse { receptors })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigma::SigmaSet;
    use crate::stability::StabilityClass::*;
    use proptest::prelude::*;
    use std::f64::consts::PI;

    fn slade(class: StabilityClass, mass_kg: f64, height_m: f64) -> PuffSource {
        PuffSource {
            mass_kg,
            height_m,
            wind_speed_m_s: 2.0,
            stability: Some(class),
            sigma: SigmaChoice::Set(SigmaSet::SladePuff),
        }
    }

    /// CCPS (1999) *Guidelines for Consequence Analysis*, p. 101 puff example, as set up in
    /// aefarrell/GasDispersion.jl `test/models/gaussian_puff_tests.jl`: 1 kg (0.1 kg/s for 10 s)
    /// released at ground level, class F, u = 2 m/s; at x = 500 m, t = 250 s the receptor is at
    /// the puff centre, with σy = 0.02·500^0.89 = 5.0479 m and σz = 0.05·500^0.61 = 2.2148 m
    /// (the book misprints σy as 6.1 m, per that test). Expected
    /// C = 1/(√(2π)·π·σy²·σz) = 1/(2.5066·3.1416·25.482·2.2148) = 2.2500e-3 kg/m³.
    #[test]
    fn ccps_puff_example() {
        let c = slade(F, 1.0, 0.0).at(&PuffReceptor { x_m: 500.0, y_m: 0.0, z_m: 0.0, t_s: 250.0 });
        let (sy, sz) = (5.047929716825321, 2.214836678536473);
        let want = 1.0 / ((2.0 * PI).sqrt() * PI * sy * sy * sz);
        assert!(((c - want) / want).abs() < 1e-12, "{c} vs {want}");
        assert!((c - 2.2500e-3).abs() < 1e-7, "{c}");
        let before = slade(F, 1.0, 0.0).at(&PuffReceptor { x_m: 500.0, y_m: 0.0, z_m: 0.0, t_s: -250.0 });
        assert_eq!(before, 0.0);
    }

    #[test]
    fn puff_centre_beyond_range_is_an_error() {
        let request = PuffRequest {
            source: slade(D, 1.0, 0.0),
            receptors: vec![PuffReceptor { x_m: 0.0, y_m: 0.0, z_m: 0.0, t_s: 1e6 }],
        };
        assert_eq!(run(&request).unwrap_err().field(), "receptors[0].t_s");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// The puff holds all the released mass: ∫∫∫ C dx dy dz over z ≥ 0 = M at any time
        /// (the ground reflects), by trapezoidal quadrature over ±8σ.
        #[test]
        fn puff_conserves_mass(
            class in prop::sample::select(StabilityClass::ALL.to_vec()),
            t_s in 20.0f64..5000.0, height_m in 0.0f64..30.0, mass_kg in 0.1f64..1000.0,
        ) {
            let source = slade(class, mass_kg, height_m);
            let centre = source.wind_speed_m_s * t_s;
            let s = source.sigmas_at(centre);
            let (n_xy, n_z) = (49, 97);
            let half = 8.0 * s.sigma_y_m;
            let z_top = height_m + 8.0 * s.sigma_z_m;
            let d_xy = 2.0 * half / (n_xy - 1) as f64;
            let d_z = z_top / (n_z - 1) as f64;
            let mut total = 0.0;
            for i in 0..n_xy {
                let x = centre - half + i as f64 * d_xy;
                for j in 0..n_xy {
                    let y = -half + j as f64 * d_xy;
                    for k in 0..n_z {
                        let z = k as f64 * d_z;
                        let w = if k == 0 || k == n_z - 1 { 0.5 } else { 1.0 };
                        total += w * source.at(&PuffReceptor { x_m: x, y_m: y, z_m: z, t_s });
                    }
                }
            }
            total *= d_xy * d_xy * d_z;
            prop_assert!((total / mass_kg - 1.0).abs() < 1e-6, "∫C dV = {total}, M = {mass_kg}");
        }

        /// The puff is symmetric about the wind axis: C(x, y, z, t) = C(x, −y, z, t).
        #[test]
        fn symmetric_in_y(
            class in prop::sample::select(StabilityClass::ALL.to_vec()),
            x in -100.0f64..5000.0, y in 0.0f64..300.0, z in 0.0f64..50.0, t in 1.0f64..3000.0,
        ) {
            let source = slade(class, 10.0, 5.0);
            let plus = source.at(&PuffReceptor { x_m: x, y_m: y, z_m: z, t_s: t });
            let minus = source.at(&PuffReceptor { x_m: x, y_m: -y, z_m: z, t_s: t });
            prop_assert_eq!(plus, minus);
        }
    }
}
