//! Threat zones: how far downwind, and how wide, the ground-level concentration of a toxic gas
//! stays at or above each level of concern (spec §7).
//!
//! * Threat distance: the largest x where the ground-level centreline concentration (plume), or
//!   the ground-level concentration at the puff centre when it passes x (puff), is ≥ the level.
//!   Found on a log grid of 100 points per decade from 1 m to 100 km, then refined by bisection
//!   in log x; both sides of the maximum are searched, so elevated sources work.
//! * Half-width at x: `y(x) = σy·√(2·ln(C(x,0,0)/LOC))` where C > LOC; the zone reports its
//!   maximum over x (golden-section refinement around the best grid point).
//! * Levels are given in ppm and converted at 25 °C and 1 atm: `mg/m³ = ppm·MW/24.45`.
//!
//! Warnings (text, in the response): the gas is denser than air (molar mass above 28.96 g/mol),
//! where a neutrally buoyant Gaussian model under-predicts near-field concentrations; a distance
//! beyond the model's 10 km range (ALOHA does not report beyond 10 km); a distance below 100 m,
//! where the model is unreliable; a distance that reaches the 100 km search limit.

use serde::{Deserialize, Serialize};

use crate::constants::{ppm_to_kg_m3, AIR_MOLAR_MASS_G_MOL};
use crate::error::{check, ModelError};
use crate::fields::{Fields, FromFields, Named};
use crate::numeric::{bisect, golden_max};
use crate::plume::{self, PlumeSource};
use crate::puff::{self, PuffSource};
use crate::sigma::{SigmaChoice, Sigmas, MAX_DISTANCE_M};

/// Nearest distance searched, m (this crate's choice); zones shorter than this are reported as 0.
const SEARCH_MIN_M: f64 = 1.0;

/// Grid points per decade of distance in the search (this crate's choice; bisection refines).
const GRID_POINTS_PER_DECADE: f64 = 100.0;

/// The Gaussian models' range, m: ALOHA does not report threat distances beyond 10 km (spec §7).
pub const MODEL_RANGE_M: f64 = 10_000.0;

/// Below this distance the Gaussian model is not reliable, m (ALOHA; spec §7).
pub const NEAR_FIELD_M: f64 = 100.0;

/// The release whose threat zones are wanted: a plume or puff request without receptors,
/// tagged by `"model"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum ThreatRelease {
    Plume(PlumeSource),
    Puff(PuffSource),
}

enum ReleaseModel {
    Plume,
    Puff,
}

impl Named for ReleaseModel {
    const EXPECTED: &'static str = "a release model \"plume\" or \"puff\"";
    fn from_name(name: &str) -> Option<Self> {
        match name {
            "plume" => Some(ReleaseModel::Plume),
            "puff" => Some(ReleaseModel::Puff),
            _ => None,
        }
    }
}

impl FromFields for ThreatRelease {
    fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
        match f.name::<ReleaseModel>("model")? {
            ReleaseModel::Plume => PlumeSource::from_fields(f).map(ThreatRelease::Plume),
            ReleaseModel::Puff => PuffSource::from_fields(f).map(ThreatRelease::Puff),
        }
    }
}

impl ThreatRelease {
    fn check(&self) -> Result<(), ModelError> {
        let sigma = match self {
            ThreatRelease::Plume(p) => {
                p.check()?;
                p.sigma
            }
            ThreatRelease::Puff(p) => {
                p.check()?;
                p.sigma
            }
        };
        if let SigmaChoice::Fixed(_) = sigma {
            return Err(ModelError::invalid(
                "sigma",
                "threat zones need σ that grow with distance: give a σ set name (e.g. \"briggs_rural\"), not fixed values",
            ));
        }
        Ok(())
    }

    /// σ at downwind distance `x_m`.
    fn sigmas_at(&self, x_m: f64) -> Sigmas {
        match self {
            ThreatRelease::Plume(p) => p.sigmas_at(x_m),
            ThreatRelease::Puff(p) => p.sigmas_at(x_m),
        }
    }

    /// Ground-level concentration on the wind axis at `x_m`, kg/m³ (for a puff, when its centre
    /// passes x).
    pub fn ground_centreline_kg_m3(&self, x_m: f64) -> f64 {
        match self {
            ThreatRelease::Plume(p) => {
                plume::ground_centreline_kg_m3(p.q_kg_s, p.wind_speed_m_s, p.height_m, p.sigmas_at(x_m))
            }
            ThreatRelease::Puff(p) => puff::ground_centre_kg_m3(p.mass_kg, p.height_m, p.sigmas_at(x_m)),
        }
    }

    /// Half-width of the region above `loc_kg_m3` at `x_m`, m (0 where the centreline is below it).
    pub fn half_width_m(&self, x_m: f64, loc_kg_m3: f64) -> f64 {
        let c = self.ground_centreline_kg_m3(x_m);
        if c <= loc_kg_m3 {
            return 0.0;
        }
        self.sigmas_at(x_m).sigma_y_m * (2.0 * (c / loc_kg_m3).ln()).sqrt()
    }
}

/// A level of concern: a name (e.g. "AEGL-2") and a concentration in ppm by volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelOfConcern {
    pub name: String,
    pub ppm: f64,
}

impl FromFields for LevelOfConcern {
    fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
        Ok(LevelOfConcern { name: f.text("name")?, ppm: f.number("ppm")? })
    }
}

/// `{"model": "threat_zone", "release", "molar_mass_g_mol", "levels"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreatZoneRequest {
    pub release: ThreatRelease,
    pub molar_mass_g_mol: f64,
    pub levels: Vec<LevelOfConcern>,
}

impl FromFields for ThreatZoneRequest {
    fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
        Ok(ThreatZoneRequest {
            release: f.object("release")?,
            molar_mass_g_mol: f.number("molar_mass_g_mol")?,
            levels: f.list("levels")?,
        })
    }
}

/// The zone of one level: 0 and 0 when the level is never reached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Zone {
    pub name: String,
    pub distance_m: f64,
    pub max_half_width_m: f64,
}

/// Zones in the order of the levels, and warnings a responder must see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreatZoneResponse {
    pub zones: Vec<Zone>,
    pub warnings: Vec<String>,
}

/// The search grid, m: log-spaced from 1 m to 100 km.
fn grid_m() -> Vec<f64> {
    let decades = (MAX_DISTANCE_M / SEARCH_MIN_M).log10();
    let n = (decades * GRID_POINTS_PER_DECADE).round() as usize;
    (0..=n).map(|i| SEARCH_MIN_M * 10f64.powf(decades * i as f64 / n as f64)).collect()
}

/// The release evaluated on the search grid: distance, centreline concentration and σy.
struct Profile {
    x_m: Vec<f64>,
    c_kg_m3: Vec<f64>,
    sigma_y_m: Vec<f64>,
}

impl Profile {
    fn new(release: &ThreatRelease) -> Profile {
        let x_m = grid_m();
        let c_kg_m3 = x_m.iter().map(|&x| release.ground_centreline_kg_m3(x)).collect();
        let sigma_y_m = x_m.iter().map(|&x| release.sigmas_at(x).sigma_y_m).collect();
        Profile { x_m, c_kg_m3, sigma_y_m }
    }

    /// Half-width above `loc_kg_m3` at grid point `i`, m.
    fn half_width_m(&self, i: usize, loc_kg_m3: f64) -> f64 {
        let c = self.c_kg_m3[i];
        if c <= loc_kg_m3 {
            0.0
        } else {
            self.sigma_y_m[i] * (2.0 * (c / loc_kg_m3).ln()).sqrt()
        }
    }
}

/// Distance and maximum half-width of the zone above `loc_kg_m3`, and whether the zone reaches
/// the search limit.
fn zone_extent(release: &ThreatRelease, loc_kg_m3: f64, profile: &Profile) -> (f64, f64, bool) {
    let (grid, c) = (&profile.x_m, &profile.c_kg_m3);
    let Some(last_above) = c.iter().rposition(|&ci| ci >= loc_kg_m3) else {
        return (0.0, 0.0, false);
    };
    let reaches_limit = last_above == grid.len() - 1;
    let distance_m = if reaches_limit {
        MAX_DISTANCE_M
    } else {
        let (lo, hi) = (grid[last_above].ln(), grid[last_above + 1].ln());
        bisect(lo, hi, |ln_x| release.ground_centreline_kg_m3(ln_x.exp()) >= loc_kg_m3).exp()
    };
    let widths: Vec<f64> = (0..grid.len()).map(|i| profile.half_width_m(i, loc_kg_m3)).collect();
    let best = widths.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map(|(i, _)| i).unwrap_or(0);
    let lo = grid[best.saturating_sub(1)].ln();
    let hi = grid[(best + 1).min(grid.len() - 1)].ln();
    let ln_x = golden_max(lo, hi, |ln_x| release.half_width_m(ln_x.exp(), loc_kg_m3));
    let max_half_width_m = release.half_width_m(ln_x.exp(), loc_kg_m3).max(widths[best]);
    (distance_m, max_half_width_m, reaches_limit)
}

/// Threat zones for each level of concern, in the order given.
pub fn run(request: &ThreatZoneRequest) -> Result<ThreatZoneResponse, ModelError> {
    request.release.check().map_err(|e| e.under("release"))?;
    check::positive("molar_mass_g_mol", request.molar_mass_g_mol, "the molar mass")?;
    for (i, level) in request.levels.iter().enumerate() {
        check::name(&format!("levels[{i}].name"), &level.name)?;
        check::positive(&format!("levels[{i}].ppm"), level.ppm, "the level of concern")?;
    }

    let mut warnings = Vec::new();
    if request.molar_mass_g_mol > AIR_MOLAR_MASS_G_MOL {
        warnings.push(format!(
            "the gas ({} g/mol) is denser than air ({AIR_MOLAR_MASS_G_MOL} g/mol): a neutrally buoyant \
             Gaussian model under-predicts near-field concentrations of a dense cloud; confirm these \
             zones with a heavy-gas model",
            request.molar_mass_g_mol
        ));
    }

    let profile = Profile::new(&request.release);
    let mut zones = Vec::with_capacity(request.levels.len());
    for level in &request.levels {
        let loc_kg_m3 = ppm_to_kg_m3(level.ppm, request.molar_mass_g_mol);
        let (distance_m, max_half_width_m, reaches_limit) = zone_extent(&request.release, loc_kg_m3, &profile);
        let name = &level.name;
        if reaches_limit {
            warnings.push(format!(
                "{name}: the level is still exceeded at the {MAX_DISTANCE_M} m search limit; the zone is longer than reported"
            ));
        } else if distance_m > MODEL_RANGE_M {
            warnings.push(format!(
                "{name}: the threat distance {distance_m:.0} m exceeds the model's {MODEL_RANGE_M} m range; report it as beyond 10 km"
            ));
        }
        if distance_m > 0.0 && distance_m < NEAR_FIELD_M {
            warnings.push(format!(
                "{name}: the threat distance {distance_m:.0} m is below {NEAR_FIELD_M} m, where the Gaussian model is unreliable"
            ));
        }
        zones.push(Zone { name: name.clone(), distance_m, max_half_width_m });
    }
    Ok(ThreatZoneResponse { zones, warnings })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigma::SigmaSet;
    use crate::stability::StabilityClass::{self, *};

    fn plume(q_kg_s: f64, height_m: f64, class: StabilityClass) -> ThreatRelease {
        ThreatRelease::Plume(PlumeSource {
            q_kg_s,
            height_m,
            wind_speed_m_s: 3.0,
            stability: Some(class),
            sigma: SigmaChoice::Set(SigmaSet::BriggsRural),
        })
    }

    fn level(name: &str, ppm: f64) -> LevelOfConcern {
        LevelOfConcern { name: name.into(), ppm }
    }

    /// At the reported distance the centreline concentration equals the level, and beyond it
    /// it is below; the half-width is zero at the distance and positive inside.
    #[test]
    fn distance_is_where_the_centreline_crosses_the_level() {
        for (height_m, class) in [(0.0, D), (0.0, F), (30.0, D), (50.0, B)] {
            let release = plume(1.0, height_m, class);
            let request = ThreatZoneRequest {
                release: release.clone(),
                molar_mass_g_mol: 17.031,
                levels: vec![level("L", 25.0)],
            };
            let zone = &run(&request).unwrap().zones[0];
            let loc = ppm_to_kg_m3(25.0, 17.031);
            let at = release.ground_centreline_kg_m3(zone.distance_m);
            assert!(((at - loc) / loc).abs() < 1e-6, "H={height_m} {class:?}: {at} vs {loc}");
            assert!(release.ground_centreline_kg_m3(zone.distance_m * 1.01) < loc);
            assert!(zone.max_half_width_m > 0.0);
            // The widest point is no wider than σy at the far end would allow with the peak concentration.
            assert!(zone.max_half_width_m < zone.distance_m);
        }
    }

    /// Ground-level 1 kg/s of ammonia, class D, u = 3 m/s, Briggs rural; a level of 25 ppm
    /// (17.4 mg/m³). By hand at the reported distance x: C = Q/(π u σy σz) must equal the level,
    /// i.e. σy·σz = 1/(π·3·1.7413e-5) = 6093 m². With σy = 0.08x/√(1+0.0001x) and
    /// σz = 0.06x/√(1+0.0015x), x = 1584.5 m gives σy = 117.77 m, σz = 51.74 m, product 6093 m².
    #[test]
    fn ammonia_ground_release_by_hand() {
        let request = ThreatZoneRequest {
            release: plume(1.0, 0.0, D),
            molar_mass_g_mol: 17.031,
            levels: vec![level("ERPG-1", 25.0)],
        };
        let response = run(&request).unwrap();
        let x = response.zones[0].distance_m;
        let s = crate::sigma::briggs_rural(D, x);
        let loc = 25.0 * 17.031 / 24.45 * 1e-6;
        assert!((s.sigma_y_m * s.sigma_z_m - 1.0 / (std::f64::consts::PI * 3.0 * loc)).abs() < 1e-3);
        assert!((x - 1584.5).abs() < 0.1, "{x}");
        assert!(response.warnings.is_empty(), "{:?}", response.warnings);
    }

    #[test]
    fn zones_keep_the_order_given_and_warn() {
        let request = ThreatZoneRequest {
            release: plume(2.0, 0.0, D),
            molar_mass_g_mol: 70.906,
            levels: vec![level("AEGL-3", 20.0), level("AEGL-1", 0.5), level("AEGL-2", 2.0)],
        };
        let response = run(&request).unwrap();
        let names: Vec<&str> = response.zones.iter().map(|z| z.name.as_str()).collect();
        assert_eq!(names, ["AEGL-3", "AEGL-1", "AEGL-2"]);
        assert!(response.zones[1].distance_m > response.zones[2].distance_m);
        assert!(response.zones[2].distance_m > response.zones[0].distance_m);
        assert!(response.warnings[0].contains("denser than air"), "{:?}", response.warnings);
        assert!(response.warnings.iter().any(|w| w.starts_with("AEGL-1") && w.contains("10000 m range")));
    }

    #[test]
    fn unreached_level_gives_an_empty_zone() {
        let request = ThreatZoneRequest {
            release: plume(1e-6, 50.0, D),
            molar_mass_g_mol: 17.0,
            levels: vec![level("high", 1e4)],
        };
        let zone = &run(&request).unwrap().zones[0];
        assert_eq!((zone.distance_m, zone.max_half_width_m), (0.0, 0.0));
    }

    #[test]
    fn puff_release_and_errors() {
        let release = ThreatRelease::Puff(PuffSource {
            mass_kg: 100.0,
            height_m: 0.0,
            wind_speed_m_s: 2.0,
            stability: Some(D),
            sigma: SigmaChoice::Set(SigmaSet::SladePuff),
        });
        let request = ThreatZoneRequest { release, molar_mass_g_mol: 34.08, levels: vec![level("AEGL-2", 27.0)] };
        let zone = &run(&request).unwrap().zones[0];
        assert!(zone.distance_m > 100.0, "{zone:?}");

        let mut bad = request.clone();
        bad.levels[0].ppm = 0.0;
        assert_eq!(run(&bad).unwrap_err().field(), "levels[0].ppm");
        let mut bad = request;
        if let ThreatRelease::Puff(p) = &mut bad.release {
            p.sigma = SigmaChoice::Fixed(Sigmas { sigma_y_m: 10.0, sigma_z_m: 5.0 });
        }
        assert_eq!(run(&bad).unwrap_err().field(), "release.sigma");
    }
}
