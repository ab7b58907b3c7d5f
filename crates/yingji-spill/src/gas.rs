//! A toxic-gas release at a point on the map: `yingji-model`'s threat zones (Gaussian plume or
//! puff, spec §7) turned into footprints on the ground — one polygon per level of concern, in
//! WGS-84 lon/lat, drawn downwind of the release.
//!
//! The footprint of a level is the region where the ground-level concentration is at or above
//! it: at each downwind distance x its half-width is `σy·√(2·ln(C(x,0,0)/LOC))` (the model's
//! [`ThreatRelease::half_width_m`]), so the outline is traced by sampling x from the source to
//! the threat distance and placing ±half-width across the wind. Local metres become degrees on
//! a sphere of the mean Earth radius (equirectangular about the release point: within 0.1 % of
//! the true distance over the model's 10 km range at Jiangsu's latitudes).
//!
//! Like the rest of this crate it reads no clock and writes nothing.

use serde::{Deserialize, Serialize};
use yingji_model::{
    constants::{ppm_to_kg_m3, AIR_MOLAR_MASS_G_MOL},
    plume::PlumeSource,
    puff::PuffSource,
    sigma::{SigmaChoice, SigmaSet},
    stability::{self, Insolation, Sky, StabilityClass},
    threat_zone::{self, LevelOfConcern, ThreatRelease, ThreatZoneRequest, MODEL_RANGE_M, NEAR_FIELD_M},
    wind::{self, Terrain},
};

use crate::SpillError;

/// Mean Earth radius, m (IUGG; Moritz 1980, Geodetic Reference System 1980, R₁).
pub const EARTH_MEAN_RADIUS_M: f64 = 6_371_008.8;
/// Height of a standard wind measurement, m (WMO No. 8, Guide to Instruments, §5.1: 10 m).
pub const WIND_REFERENCE_HEIGHT_M: f64 = 10.0;
/// Points along each side of a footprint outline (this crate's choice: smooth at any zoom).
pub const FOOTPRINT_SAMPLES: usize = 96;

/// How the stability class is known: given, or from Turner's table (1970, Table 1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StabilityInput {
    /// A Pasquill class A–F read off elsewhere.
    Class { class: StabilityClass },
    /// Daytime with the given incoming solar radiation.
    Day { insolation: Insolation },
    /// Night with a cloud cover in oktas (0–8).
    Night { cloud_oktas: u8 },
    /// Heavy overcast, day or night (always D).
    Overcast,
}

/// Continuous (a rate) or instantaneous (a mass).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GasSource {
    Continuous { rate_kg_s: f64 },
    Instantaneous { mass_kg: f64 },
}

/// A gas release at a point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GasReleaseRequest {
    pub lat: f64,
    pub lon: f64,
    pub molar_mass_g_mol: f64,
    /// Levels of concern, most severe first (e.g. AEGL-3, AEGL-2, AEGL-1).
    pub levels: Vec<LevelOfConcern>,
    /// Wind speed measured at 10 m, m/s.
    pub wind_speed_10m_m_s: f64,
    /// Where the wind blows FROM, degrees clockwise from north (meteorological convention).
    pub wind_from_deg: f64,
    pub stability: StabilityInput,
    pub terrain: Terrain,
    pub source: GasSource,
    pub height_m: f64,
}

/// What a responder must be told next to the zones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum GasWarning {
    /// Heavier than air: the neutrally buoyant model under-predicts near the source.
    DenserThanAir,
    /// The level's zone is longer than the model's 10 km range.
    BeyondRange { level: String },
    /// The level's zone is shorter than 100 m, where the model is unreliable.
    NearField { level: String },
}

/// One level's footprint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Footprint {
    pub name: String,
    pub ppm: f64,
    pub distance_m: f64,
    pub max_half_width_m: f64,
    /// Closed outline, `[lon, lat]` pairs (first = last); empty when the level is never reached.
    pub ring: Vec<[f64; 2]>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GasReleaseResult {
    pub model_version: String,
    pub stability: StabilityClass,
    /// Wind speed at the release height used by the model, m/s.
    pub wind_speed_m_s: f64,
    /// The direction the cloud travels, degrees clockwise from north.
    pub downwind_deg: f64,
    pub footprints: Vec<Footprint>,
    pub warnings: Vec<GasWarning>,
}

/// The class to use: given, or Turner's (split cells rounded to the more stable class).
pub fn stability_class(input: StabilityInput, wind_10m_m_s: f64) -> Result<StabilityClass, SpillError> {
    let sky = match input {
        StabilityInput::Class { class } => return Ok(class),
        StabilityInput::Day { insolation } => Sky::Day(insolation),
        StabilityInput::Night { cloud_oktas } => Sky::night_from_cloud_oktas(cloud_oktas)?,
        StabilityInput::Overcast => Sky::HeavyOvercast,
    };
    Ok(stability::turner_class(wind_10m_m_s, sky)?)
}

/// A point `downwind_m` along and `left_m` across (to the left of the travel direction) from
/// `(lat, lon)`, for a cloud travelling towards `bearing_deg`; `[lon, lat]`.
pub fn offset_lon_lat(lat: f64, lon: f64, bearing_deg: f64, downwind_m: f64, left_m: f64) -> [f64; 2] {
    let b = bearing_deg.to_radians();
    let east_m = downwind_m * b.sin() - left_m * b.cos();
    let north_m = downwind_m * b.cos() + left_m * b.sin();
    let dlat = (north_m / EARTH_MEAN_RADIUS_M).to_degrees();
    let dlon = (east_m / (EARTH_MEAN_RADIUS_M * lat.to_radians().cos())).to_degrees();
    [lon + dlon, lat + dlat]
}

/// Threat-zone footprints of a gas release.
pub fn gas_release(req: &GasReleaseRequest) -> Result<GasReleaseResult, SpillError> {
    if !(req.lat.is_finite() && req.lon.is_finite() && req.lat.abs() <= 89.0 && req.lon.abs() <= 180.0) {
        return Err(SpillError::Invalid {
            field: "lat",
            message: format!("{}, {} is not a WGS-84 position", req.lat, req.lon),
        });
    }
    if !(req.wind_from_deg.is_finite() && (0.0..=360.0).contains(&req.wind_from_deg)) {
        return Err(SpillError::Invalid {
            field: "wind_from_deg",
            message: format!("the wind direction must be from 0 to 360 degrees (got {})", req.wind_from_deg),
        });
    }
    if req.levels.is_empty() {
        return Err(SpillError::Invalid { field: "levels", message: "give at least one level of concern".into() });
    }
    let class = stability_class(req.stability, req.wind_speed_10m_m_s)?;
    // The wind at the release height by the ISC3 power law; at or below 10 m the 10 m value.
    let wind_speed_m_s = if req.height_m > WIND_REFERENCE_HEIGHT_M {
        wind::wind_speed_at_height_m_s(
            req.wind_speed_10m_m_s,
            WIND_REFERENCE_HEIGHT_M,
            req.height_m,
            class,
            req.terrain,
        )
    } else {
        req.wind_speed_10m_m_s
    };
    let release = match req.source {
        GasSource::Continuous { rate_kg_s } => ThreatRelease::Plume(PlumeSource {
            q_kg_s: rate_kg_s,
            height_m: req.height_m,
            wind_speed_m_s,
            stability: Some(class),
            sigma: SigmaChoice::Set(match req.terrain {
                Terrain::Rural => SigmaSet::BriggsRural,
                Terrain::Urban => SigmaSet::BriggsUrban,
            }),
        }),
        GasSource::Instantaneous { mass_kg } => ThreatRelease::Puff(PuffSource {
            mass_kg,
            height_m: req.height_m,
            wind_speed_m_s,
            stability: Some(class),
            sigma: SigmaChoice::Set(SigmaSet::SladePuff),
        }),
    };
    let request = ThreatZoneRequest {
        release: release.clone(),
        molar_mass_g_mol: req.molar_mass_g_mol,
        levels: req.levels.clone(),
    };
    let zones = threat_zone::run(&request)?;

    let downwind_deg = (req.wind_from_deg + 180.0) % 360.0;
    let mut warnings = Vec::new();
    if req.molar_mass_g_mol > AIR_MOLAR_MASS_G_MOL {
        warnings.push(GasWarning::DenserThanAir);
    }
    let mut footprints = Vec::with_capacity(zones.zones.len());
    for (zone, level) in zones.zones.iter().zip(&req.levels) {
        if zone.distance_m > MODEL_RANGE_M {
            warnings.push(GasWarning::BeyondRange { level: zone.name.clone() });
        } else if zone.distance_m > 0.0 && zone.distance_m < NEAR_FIELD_M {
            warnings.push(GasWarning::NearField { level: zone.name.clone() });
        }
        let loc_kg_m3 = ppm_to_kg_m3(level.ppm, req.molar_mass_g_mol);
        let ring = if zone.distance_m > 0.0 {
            outline(&release, loc_kg_m3, zone.distance_m)
                .into_iter()
                .map(|(x, y)| offset_lon_lat(req.lat, req.lon, downwind_deg, x, y))
                .collect()
        } else {
            Vec::new()
        };
        footprints.push(Footprint {
            name: zone.name.clone(),
            ppm: level.ppm,
            distance_m: zone.distance_m,
            max_half_width_m: zone.max_half_width_m,
            ring,
        });
    }
    Ok(GasReleaseResult {
        model_version: yingji_model::MODEL_VERSION.to_owned(),
        stability: class,
        wind_speed_m_s,
        downwind_deg,
        footprints,
        warnings,
    })
}

/// The zone's outline in local metres (downwind, left), closed: out along the left edge and
/// back along the right. Distances are spaced more densely near the source, where the zone
/// widens fastest; the widest point the model found is always included.
fn outline(release: &ThreatRelease, loc_kg_m3: f64, distance_m: f64) -> Vec<(f64, f64)> {
    let n = FOOTPRINT_SAMPLES;
    let mut xs: Vec<f64> = (0..=n).map(|i| distance_m * (i as f64 / n as f64).powi(2)).collect();
    // The distance where the half-width peaks, among the samples refined by golden sections.
    let widest = xs
        .iter()
        .copied()
        .max_by(|a, b| release.half_width_m(*a, loc_kg_m3).total_cmp(&release.half_width_m(*b, loc_kg_m3)))
        .unwrap_or(0.0);
    let mut best = (widest, release.half_width_m(widest, loc_kg_m3));
    let step = distance_m / (n as f64);
    let (mut lo, mut hi) = ((widest - step).max(0.0), (widest + step).min(distance_m));
    for _ in 0..60 {
        let a = lo + (hi - lo) * 0.382;
        let b = lo + (hi - lo) * 0.618;
        if release.half_width_m(a, loc_kg_m3) >= release.half_width_m(b, loc_kg_m3) {
            hi = b;
        } else {
            lo = a;
        }
    }
    let x = 0.5 * (lo + hi);
    if release.half_width_m(x, loc_kg_m3) > best.1 {
        best = (x, release.half_width_m(x, loc_kg_m3));
    }
    xs.push(best.0);
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    let width = |x: f64| if x <= 0.0 || x >= distance_m { 0.0 } else { release.half_width_m(x, loc_kg_m3) };
    let mut ring: Vec<(f64, f64)> = xs.iter().map(|&x| (x, width(x))).collect();
    ring.extend(xs.iter().rev().skip(1).map(|&x| (x, -width(x))));
    ring
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chlorine(wind_from_deg: f64) -> GasReleaseRequest {
        GasReleaseRequest {
            lat: 32.2,
            lon: 118.8,
            molar_mass_g_mol: 70.906,
            // AEGL-3, -2, -1 (60 min), ppm (spec §7.1, EPA AEGL table).
            levels: vec![
                LevelOfConcern { name: "AEGL-3".into(), ppm: 20.0 },
                LevelOfConcern { name: "AEGL-2".into(), ppm: 2.0 },
                LevelOfConcern { name: "AEGL-1".into(), ppm: 0.5 },
            ],
            wind_speed_10m_m_s: 3.0,
            wind_from_deg,
            stability: StabilityInput::Class { class: StabilityClass::D },
            terrain: Terrain::Rural,
            source: GasSource::Continuous { rate_kg_s: 2.0 },
            height_m: 0.0,
        }
    }

    /// Local metres of a `[lon, lat]` point relative to the release (east, north).
    fn local_m(req: &GasReleaseRequest, p: [f64; 2]) -> (f64, f64) {
        let east = (p[0] - req.lon).to_radians() * EARTH_MEAN_RADIUS_M * req.lat.to_radians().cos();
        let north = (p[1] - req.lat).to_radians() * EARTH_MEAN_RADIUS_M;
        (east, north)
    }

    /// A wind from the north carries the cloud south: the footprint lies south of the release,
    /// reaches exactly the threat distance and is as wide as the threat-zone model says.
    #[test]
    fn a_north_wind_draws_the_zone_south_with_the_model_s_length_and_width() {
        let req = chlorine(0.0);
        let r = gas_release(&req).unwrap();
        assert_eq!(r.downwind_deg, 180.0);
        let zones = threat_zone::run(&ThreatZoneRequest {
            release: ThreatRelease::Plume(PlumeSource {
                q_kg_s: 2.0,
                height_m: 0.0,
                wind_speed_m_s: 3.0,
                stability: Some(StabilityClass::D),
                sigma: SigmaChoice::Set(SigmaSet::BriggsRural),
            }),
            molar_mass_g_mol: 70.906,
            levels: req.levels.clone(),
        })
        .unwrap();
        for (f, z) in r.footprints.iter().zip(&zones.zones) {
            assert_eq!(f.distance_m, z.distance_m);
            assert_eq!(f.ring.first(), f.ring.last(), "{}: closed ring", f.name);
            let pts: Vec<(f64, f64)> = f.ring.iter().map(|&p| local_m(&req, p)).collect();
            let south = pts.iter().map(|p| -p.1).fold(f64::MIN, f64::max);
            let north = pts.iter().map(|p| p.1).fold(f64::MIN, f64::max);
            let half = pts.iter().map(|p| p.0.abs()).fold(0.0, f64::max);
            assert!(north < 1e-6, "{}: nothing upwind ({north} m north)", f.name);
            assert!((south - z.distance_m).abs() < 1e-3 * z.distance_m, "{}: {south} vs {}", f.name, z.distance_m);
            assert!(
                (half - z.max_half_width_m).abs() < 1e-3 * z.max_half_width_m,
                "{}: {half} vs {}",
                f.name,
                z.max_half_width_m
            );
            // Symmetric about the wind axis.
            let east = pts.iter().map(|p| p.0).fold(f64::MIN, f64::max);
            let west = pts.iter().map(|p| -p.0).fold(f64::MIN, f64::max);
            assert!((east - west).abs() < 1e-6 * east.max(1.0));
        }
        // Chlorine is heavier than air, and its AEGL-1 zone is beyond 10 km.
        assert_eq!(r.warnings[0], GasWarning::DenserThanAir);
        assert!(r.warnings.contains(&GasWarning::BeyondRange { level: "AEGL-1".into() }), "{:?}", r.warnings);
    }

    /// Rotating the wind rotates the footprint: from the west (270°) the zone lies east.
    #[test]
    fn a_west_wind_draws_the_zone_east() {
        let req = chlorine(270.0);
        let r = gas_release(&req).unwrap();
        assert_eq!(r.downwind_deg, 90.0);
        let f = &r.footprints[1];
        let pts: Vec<(f64, f64)> = f.ring.iter().map(|&p| local_m(&req, p)).collect();
        let far = pts.iter().map(|p| p.0).fold(f64::MIN, f64::max);
        assert!((far - f.distance_m).abs() < 1e-3 * f.distance_m);
        assert!(pts.iter().all(|p| p.0 > -1e-6));
        let half = pts.iter().map(|p| p.1.abs()).fold(0.0, f64::max);
        assert!((half - f.max_half_width_m).abs() < 1e-3 * f.max_half_width_m);
    }

    /// Turner's table from day/night and cloud: 3 m/s on a clear night is E, at 2.5 m/s on a
    /// day of moderate sunshine B (Turner 1970, Table 1).
    #[test]
    fn stability_from_the_sky() {
        assert_eq!(stability_class(StabilityInput::Night { cloud_oktas: 2 }, 3.0).unwrap(), StabilityClass::E);
        assert_eq!(stability_class(StabilityInput::Night { cloud_oktas: 6 }, 3.0).unwrap(), StabilityClass::D);
        assert_eq!(
            stability_class(StabilityInput::Day { insolation: Insolation::Moderate }, 2.5).unwrap(),
            StabilityClass::B
        );
        assert_eq!(stability_class(StabilityInput::Overcast, 1.0).unwrap(), StabilityClass::D);
        assert!(stability_class(StabilityInput::Night { cloud_oktas: 9 }, 3.0).is_err());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(40))]
        /// Whatever the wind direction, every footprint lies downwind of the release (nothing
        /// upwind, within 1 mm), reaches exactly its threat distance along the wind and is
        /// symmetric across it: the footprint is the same shape rotated.
        #[test]
        fn footprints_turn_with_the_wind(wind_from_deg in 0.0f64..360.0, rate_kg_s in 0.05f64..5.0) {
            let mut req = chlorine(wind_from_deg);
            req.source = GasSource::Continuous { rate_kg_s };
            let r = gas_release(&req).unwrap();
            let b = r.downwind_deg.to_radians();
            let (ux, uy) = (b.sin(), b.cos());
            for f in r.footprints.iter().filter(|f| f.distance_m > 0.0) {
                let along: Vec<f64> = f.ring.iter().map(|&p| { let (e, n) = local_m(&req, p); e * ux + n * uy }).collect();
                let across: Vec<f64> = f.ring.iter().map(|&p| { let (e, n) = local_m(&req, p); -e * uy + n * ux }).collect();
                proptest::prop_assert!(along.iter().all(|&a| a > -1e-3));
                let far = along.iter().copied().fold(f64::MIN, f64::max);
                proptest::prop_assert!((far - f.distance_m).abs() < 1e-3 * f.distance_m);
                let left = across.iter().copied().fold(f64::MIN, f64::max);
                let right = -across.iter().copied().fold(f64::MAX, f64::min);
                proptest::prop_assert!((left - right).abs() < 1e-3 * left.max(1.0));
                proptest::prop_assert!((left - f.max_half_width_m).abs() < 2e-3 * f.max_half_width_m);
            }
        }
    }

    #[test]
    fn a_puff_and_bad_input() {
        let mut req = chlorine(45.0);
        req.source = GasSource::Instantaneous { mass_kg: 500.0 };
        let r = gas_release(&req).unwrap();
        assert!(r.footprints.iter().all(|f| f.distance_m > 0.0 && f.ring.len() > 10));
        req.wind_from_deg = 400.0;
        assert!(matches!(gas_release(&req), Err(SpillError::Invalid { field: "wind_from_deg", .. })));
        req.wind_from_deg = 45.0;
        req.wind_speed_10m_m_s = 0.3;
        assert!(matches!(gas_release(&req), Err(SpillError::Model(_))));
    }
}
