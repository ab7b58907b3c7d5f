//! Wind speed with height: the power law `u(z) = u_ref·(z/z_ref)^p` (spec §5).
//!
//! Exponents p from the EPA ISC3 User's Guide Vol. II (EPA-454/B-95-003b), section on wind
//! speed profiles (after Irwin 1979). Verified against aefarrell/GasDispersion.jl
//! (`src/utils/equation_sets/irwin.jl` rural, `isc3.jl` urban) and its reference values in
//! `test/utils/isc3_tests.jl`. The CCPS variant of the urban E/F exponents (0.40/0.60) that
//! GasDispersion.jl also carries is not offered here.

use serde::{Deserialize, Serialize};

use crate::error::{check, ModelError};
use crate::fields::{Fields, FromFields, Named};
use crate::stability::StabilityClass;

/// Ground roughness category of the power-law exponents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Terrain {
    Rural,
    Urban,
}

impl Named for Terrain {
    const EXPECTED: &'static str = "a terrain \"rural\" or \"urban\"";
    fn from_name(name: &str) -> Option<Self> {
        match name {
            "rural" => Some(Terrain::Rural),
            "urban" => Some(Terrain::Urban),
            _ => None,
        }
    }
}

/// ISC3 rural power-law exponents, A–F (EPA-454/B-95-003b Vol. II; Irwin 1979).
pub const ISC3_RURAL_EXPONENTS: [f64; 6] = [0.07, 0.07, 0.10, 0.15, 0.35, 0.55];

/// ISC3 urban power-law exponents, A–F (EPA-454/B-95-003b Vol. II; Irwin 1979).
pub const ISC3_URBAN_EXPONENTS: [f64; 6] = [0.15, 0.15, 0.20, 0.25, 0.30, 0.30];

/// The power-law exponent p for a terrain and class.
pub fn power_law_exponent(terrain: Terrain, class: StabilityClass) -> f64 {
    match terrain {
        Terrain::Rural => ISC3_RURAL_EXPONENTS[class.index()],
        Terrain::Urban => ISC3_URBAN_EXPONENTS[class.index()],
    }
}

/// Wind speed at height `z_m` from a measurement `u_ref_m_s` at `z_ref_m`.
pub fn wind_speed_at_height_m_s(
    u_ref_m_s: f64,
    z_ref_m: f64,
    z_m: f64,
    class: StabilityClass,
    terrain: Terrain,
) -> f64 {
    u_ref_m_s * (z_m / z_ref_m).powf(power_law_exponent(terrain, class))
}

/// `{"model": "wind_profile", "u_ref_m_s", "z_ref_m", "z_m", "stability", "terrain"}` → `{u_m_s}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindProfileRequest {
    pub u_ref_m_s: f64,
    pub z_ref_m: f64,
    pub z_m: f64,
    pub stability: StabilityClass,
    pub terrain: Terrain,
}

/// The wind speed at the requested height.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WindProfileResponse {
    pub u_m_s: f64,
}

impl FromFields for WindProfileRequest {
    fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
        Ok(WindProfileRequest {
            u_ref_m_s: f.number("u_ref_m_s")?,
            z_ref_m: f.number("z_ref_m")?,
            z_m: f.number("z_m")?,
            stability: f.name("stability")?,
            terrain: f.name("terrain")?,
        })
    }
}

/// The wind speed at `z_m`.
pub fn run(request: &WindProfileRequest) -> Result<WindProfileResponse, ModelError> {
    check::non_negative("u_ref_m_s", request.u_ref_m_s, "the measured wind speed")?;
    check::positive("z_ref_m", request.z_ref_m, "the measurement height")?;
    check::positive("z_m", request.z_m, "the height")?;
    Ok(WindProfileResponse {
        u_m_s: wind_speed_at_height_m_s(
            request.u_ref_m_s,
            request.z_ref_m,
            request.z_m,
            request.stability,
            request.terrain,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use StabilityClass::*;

    /// aefarrell/GasDispersion.jl `test/utils/isc3_tests.jl` ("Windspeed by powerlaw"):
    /// 3 m/s at 1 m, extrapolated to 10 m.
    #[test]
    fn matches_gasdispersion_jl() {
        let rural = [
            (A, 3.5246926648185886),
            (B, 3.5246926648185886),
            (C, 3.776776235382502),
            (D, 4.237612633868263),
            (E, 6.716163415705019),
            (F, 10.644401677007265),
        ];
        let urban = [
            (A, 4.237612633868263),
            (B, 4.237612633868263),
            (C, 4.754679577383341),
            (D, 5.334838230116768),
            (E, 5.985786944906638),
            (F, 5.985786944906638),
        ];
        for (terrain, table) in [(Terrain::Rural, rural), (Terrain::Urban, urban)] {
            for (class, want) in table {
                let got = wind_speed_at_height_m_s(3.0, 1.0, 10.0, class, terrain);
                assert!(((got - want) / want).abs() < 1e-12, "{terrain:?} {class:?}: {got}");
            }
        }
    }

    #[test]
    fn heights_must_be_positive() {
        let r = WindProfileRequest { u_ref_m_s: 3.0, z_ref_m: 10.0, z_m: 0.0, stability: D, terrain: Terrain::Rural };
        assert_eq!(run(&r).unwrap_err().field(), "z_m");
    }
}
