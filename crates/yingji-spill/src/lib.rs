//! The spill models on the replica's data: a spill at a point is snapped onto the stored river
//! network, routed downstream by `yingji-model`'s network model, and reported at every
//! drinking-water intake and control work downstream — when the front arrives, how high, for
//! how long, and by when each sluice must close to hold it ("以空间换时间").
//!
//! A release may be instantaneous (a mass) or last a while (the mass spread evenly over
//! `duration_s`): the cloud at each point is then the model's Gaussian passage convolved with
//! the release's box, `C(t) = m/(Q·T)·½[erf((t−t̄)/(√2σ)) − erf((t−T−t̄)/(√2σ))]`
//! (superposition of slugs, spec §8.3, in the frozen-cloud form of §8.4).
//!
//! [`gas`] does the same for a toxic-gas release: threat-zone footprints on the map.
//!
//! This crate reads the store and calls the model; it writes nothing and reads no clock.

pub mod gas;

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use yingji_model::{
    river::{dispersion, ReceptorStats},
    river_network::{self, Cloud, NetworkReach, NetworkReceptor, NetworkRelease, RiverNetworkRequest},
};
use yingji_store::{
    query::{self, Kind, LatLon},
    records::{ControlWork, RiverReach, SensitiveTarget, TargetKind},
};

/// Channel slope used for the shear velocity where none is stored: 5 × 10⁻⁵, typical of the
/// lower Yangtze and the plain rivers and canals of Jiangsu (this crate's assumption; the
/// demo network stores no slopes).
pub const DEFAULT_SLOPE: f64 = 5e-5;
/// How far from a waterway a spill may be and still be put into it, metres.
pub const MAX_SNAP_DISTANCE_M: f64 = 5_000.0;

#[derive(Debug, thiserror::Error)]
pub enum SpillError {
    #[error("invalid {field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("no river reach within {max_km} km of {lat:.5}, {lon:.5}: the spill does not reach a mapped waterway")]
    NoWaterway { lat: f64, lon: f64, max_km: f64 },
    #[error("the river model refused the network: {0}")]
    Model(#[from] yingji_model::ModelError),
    #[error("reading the river network failed: {0}")]
    Store(#[from] rusqlite::Error),
}

/// A spill into a waterway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiverSpillRequest {
    pub lat: f64,
    pub lon: f64,
    /// Mass of pollutant that reaches the water, kg.
    pub mass_kg: f64,
    /// The concentration that counts as "affected", mg/L (e.g. the GB 3838-2002 limit).
    pub threshold_mg_l: f64,
    /// First-order loss rate, 1/s (0 for a conservative pollutant).
    #[serde(default)]
    pub decay_per_s: f64,
    /// How long the release lasts, s: `mass_kg` enters at an even rate over it. `None` (or 0)
    /// for an instantaneous release.
    #[serde(default)]
    pub duration_s: Option<f64>,
}

/// Points in each concentration–time series (this crate's choice: a smooth chart line).
pub const SERIES_POINTS: usize = 81;

/// What the spill does at one intake.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntakeImpact {
    pub target_id: String,
    pub name: String,
    pub region_code: String,
    pub reach_id: String,
    pub lat: f64,
    pub lon: f64,
    pub stats: ReceptorStats,
    /// The concentration as the spill passes, `[t_s, c_mg_l]`, from before the front to after
    /// the tail (4 σ either side).
    pub series: Vec<[f64; 2]>,
}

/// A control work downstream of the spill: close it before the front passes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interception {
    pub work_id: String,
    pub name: String,
    pub kind: String,
    pub region_code: String,
    pub lat: f64,
    pub lon: f64,
    /// When the concentration there first exceeds the threshold: the latest time to close, s
    /// after the release.
    pub close_by_s: f64,
    pub peak_mg_l: f64,
    /// The intakes downstream of it that closing it protects.
    pub protects: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiverSpillResult {
    pub model_version: String,
    pub release_reach_id: String,
    pub release_reach_name: String,
    /// How far the point was from the waterway, m.
    pub snap_distance_m: f64,
    /// Where along the reach the spill enters, m from its upstream end.
    pub release_offset_m: f64,
    /// Intakes the spill reaches above the threshold, earliest first.
    pub affected_intakes: Vec<IntakeImpact>,
    /// Intakes downstream it reaches but stays below the threshold at.
    pub intakes_below_threshold: Vec<IntakeImpact>,
    /// Control works the front reaches, earliest first.
    pub interceptions: Vec<Interception>,
    /// The reaches the spill passes above the threshold, from the release down, as lines.
    pub path: Vec<PathReach>,
}

/// A reach on the spill's path, for the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathReach {
    pub id: String,
    pub name: String,
    /// `[lon, lat]` pairs.
    pub coordinates: Vec<[f64; 2]>,
}

/// A reach as the model needs it: its hydraulics from the store, its dispersion estimated by
/// Fischer (1975) from width, depth, velocity and slope.
fn network_reach(r: &RiverReach, decay_per_s: f64) -> NetworkReach {
    let shear_m_s = dispersion::shear_velocity_m_s(r.width_m, r.depth_m, DEFAULT_SLOPE);
    NetworkReach {
        id: r.id.clone(),
        from: r.from_node.clone(),
        to: r.to_node.clone(),
        length_m: r.length_m,
        velocity_m_s: r.velocity_m_s,
        // The area that carries the stored flow at the stored velocity (the survey's width × depth
        // is rounder than its flow).
        area_m2: r.flow_m3_s / r.velocity_m_s,
        dispersion_m2_s: dispersion::fischer_1975_m2_s(r.width_m, r.depth_m, r.velocity_m_s, shear_m_s),
        decay_per_s,
        flow_m3_s: r.flow_m3_s,
    }
}

fn reaches(conn: &Connection) -> rusqlite::Result<Vec<RiverReach>> {
    let mut stmt = conn.prepare_cached("SELECT * FROM river_reaches ORDER BY id")?;
    let rows = stmt.query_map([], RiverReach::from_row)?;
    rows.collect()
}

fn line_of(r: &RiverReach) -> Vec<LatLon> {
    let coords: Vec<[f64; 2]> = serde_json::from_str::<serde_json::Value>(&r.geometry_json)
        .ok()
        .and_then(|g| serde_json::from_value(g["coordinates"].clone()).ok())
        .unwrap_or_default();
    coords.into_iter().map(|c| LatLon { lat: c[1], lon: c[0] }).collect()
}

/// Where a spill at `p` enters the network: the nearest reach and the offset along it.
pub fn snap(conn: &Connection, p: LatLon) -> Result<(RiverReach, f64, f64), SpillError> {
    let candidates = query::within(conn, p, MAX_SNAP_DISTANCE_M + 20_000.0, &[Kind::Reach])?;
    let mut best: Option<(RiverReach, f64, f64)> = None;
    for c in candidates {
        let Some(reach) = RiverReach::get(conn, &c.item_id)? else { continue };
        let line = line_of(&reach);
        let (d, along) = query::project_onto_line(&line, p);
        if best.as_ref().is_none_or(|b| d < b.1) {
            // Scale the offset to the stored length (the geometry is simplified).
            let geometric = query::line_length_m(&line);
            let offset = if geometric > 0.0 { along / geometric * reach.length_m } else { 0.0 };
            best = Some((reach, d, offset));
        }
    }
    match best {
        Some(b) if b.1 <= MAX_SNAP_DISTANCE_M => Ok(b),
        _ => Err(SpillError::NoWaterway { lat: p.lat, lon: p.lon, max_km: MAX_SNAP_DISTANCE_M / 1000.0 }),
    }
}

/// Routes a spill at a point through the stored river network.
pub fn river_spill(conn: &Connection, req: &RiverSpillRequest) -> Result<RiverSpillResult, SpillError> {
    let p = LatLon::checked(req.lat, req.lon).map_err(|_| SpillError::Invalid {
        field: "lat",
        message: format!("{}, {} is not a WGS-84 position", req.lat, req.lon),
    })?;
    if !(req.mass_kg > 0.0 && req.mass_kg.is_finite()) {
        return Err(SpillError::Invalid { field: "mass_kg", message: "the spilled mass must be above 0 kg".into() });
    }
    let duration_s = req.duration_s.unwrap_or(0.0);
    if !(duration_s >= 0.0 && duration_s.is_finite()) {
        return Err(SpillError::Invalid {
            field: "duration_s",
            message: "the release duration must be 0 s or more".into(),
        });
    }
    if !(req.threshold_mg_l > 0.0 && req.threshold_mg_l.is_finite()) {
        return Err(SpillError::Invalid {
            field: "threshold_mg_l",
            message: "the threshold must be above 0 mg/L".into(),
        });
    }
    let (release_reach, snap_m, offset_m) = snap(conn, p)?;
    let stored = reaches(conn)?;
    let network = Downstream::new(&stored);
    let by_id = &network.by_id;

    // Receptors: every intake and control work on a reach downstream of the release.
    let downstream = network.of(&release_reach.id);
    let on = |reach: &Option<String>, off: Option<f64>| -> Option<(String, f64)> {
        let r = reach.as_deref()?;
        if !downstream.contains(r) {
            return None;
        }
        let off = off.unwrap_or(0.0).min(by_id.get(r).map_or(0.0, |x| x.length_m));
        (r != release_reach.id || off >= offset_m).then(|| (r.to_owned(), off))
    };
    let intakes: Vec<(SensitiveTarget, String, f64)> = {
        let mut stmt = conn
            .prepare_cached("SELECT * FROM sensitive_targets WHERE kind = ?1 AND reach_id IS NOT NULL ORDER BY id")?;
        let rows = stmt.query_map([TargetKind::DrinkingWaterIntake], SensitiveTarget::from_row)?;
        let mut out = Vec::new();
        for t in rows {
            let t = t?;
            if let Some((r, off)) = on(&t.reach_id, t.reach_offset_m) {
                out.push((t, r, off));
            }
        }
        out
    };
    let works: Vec<(ControlWork, String, f64)> = {
        let mut stmt = conn.prepare_cached("SELECT * FROM control_works WHERE reach_id IS NOT NULL ORDER BY id")?;
        let rows = stmt.query_map([], ControlWork::from_row)?;
        let mut out = Vec::new();
        for w in rows {
            let w = w?;
            if let Some((r, off)) = on(&w.reach_id, w.reach_offset_m) {
                out.push((w, r, off));
            }
        }
        out
    };
    let mut receptors: Vec<NetworkReceptor> = Vec::new();
    for (t, r, off) in &intakes {
        receptors.push(NetworkReceptor { name: format!("target:{}", t.id), reach: r.clone(), offset_m: *off });
    }
    for (w, r, off) in &works {
        receptors.push(NetworkReceptor { name: format!("work:{}", w.id), reach: r.clone(), offset_m: *off });
    }
    let request = RiverNetworkRequest {
        reaches: stored.iter().map(|r| network_reach(r, req.decay_per_s)).collect(),
        release: NetworkRelease { reach: release_reach.id.clone(), offset_m, mass_kg: req.mass_kg },
        receptors,
        threshold_mg_l: req.threshold_mg_l,
    };
    let routing = river_network::route(&request)?;
    let threshold_kg_m3 = req.threshold_mg_l * yingji_model::constants::KG_M3_PER_MG_L;
    let mut passing: HashMap<String, (ReceptorStats, Vec<[f64; 2]>)> = HashMap::new();
    for (i, receptor) in request.receptors.iter().enumerate() {
        let reach = routing.receptor_reaches[i];
        let flow_m3_s = request.reaches[reach].flow_m3_s;
        let stats = match routing.cloud_at(&request, reach, receptor.offset_m) {
            Some(cloud) if cloud.mass_kg > 0.0 => {
                let passage = Passage { cloud, flow_m3_s, duration_s };
                (passage.stats(&receptor.name, threshold_kg_m3), passage.series())
            }
            _ => (
                ReceptorStats {
                    name: receptor.name.clone(),
                    first_above_s: None,
                    peak_time_s: None,
                    peak_mg_l: 0.0,
                    last_above_s: None,
                },
                Vec::new(),
            ),
        };
        passing.insert(receptor.name.clone(), stats);
    }
    let stats: HashMap<&str, &ReceptorStats> = passing.iter().map(|(k, v)| (k.as_str(), &v.0)).collect();

    let mut affected = Vec::new();
    let mut below = Vec::new();
    for (t, r, _) in &intakes {
        let Some(s) = stats.get(format!("target:{}", t.id).as_str()) else { continue };
        if s.peak_time_s.is_none() {
            continue; // not reached (a branch the spill does not enter)
        }
        let impact = IntakeImpact {
            target_id: t.id.clone(),
            name: t.name.clone(),
            region_code: t.region_code.clone(),
            reach_id: r.clone(),
            lat: t.lat,
            lon: t.lon,
            stats: (*s).clone(),
            series: passing[&format!("target:{}", t.id)].1.clone(),
        };
        if s.first_above_s.is_some() {
            affected.push(impact);
        } else {
            below.push(impact);
        }
    }
    affected.sort_by(|a, b| {
        a.stats.first_above_s.unwrap_or(f64::MAX).total_cmp(&b.stats.first_above_s.unwrap_or(f64::MAX))
    });
    below.sort_by(|a, b| b.stats.peak_mg_l.total_cmp(&a.stats.peak_mg_l));

    let affected_ids: BTreeSet<&str> = affected.iter().map(|a| a.target_id.as_str()).collect();
    let mut interceptions = Vec::new();
    for (w, r, off) in &works {
        let Some(s) = stats.get(format!("work:{}", w.id).as_str()) else { continue };
        let Some(close_by_s) = s.first_above_s else { continue };
        let below_work = network.of(r);
        let protects = intakes
            .iter()
            .filter(|(t, tr, toff)| {
                affected_ids.contains(t.id.as_str())
                    && (if tr == r { toff >= off } else { below_work.contains(tr.as_str()) })
            })
            .map(|(t, _, _)| t.id.clone())
            .collect();
        interceptions.push(Interception {
            work_id: w.id.clone(),
            name: w.name.clone(),
            kind: w.kind.as_str().to_owned(),
            region_code: w.region_code.clone(),
            lat: w.lat,
            lon: w.lon,
            close_by_s,
            peak_mg_l: s.peak_mg_l,
            protects,
        });
    }
    interceptions.sort_by(|a, b| a.close_by_s.total_cmp(&b.close_by_s));

    // The path: the release reach, and every reach the spill enters above the threshold.
    let mut path = Vec::new();
    for (i, r) in stored.iter().enumerate() {
        let above = if r.id == release_reach.id {
            true
        } else {
            routing.entering[i].is_some_and(|c| {
                Passage { cloud: c, flow_m3_s: r.flow_m3_s, duration_s }.peak_kg_m3() >= threshold_kg_m3
            })
        };
        if above {
            path.push(PathReach {
                id: r.id.clone(),
                name: r.name.clone(),
                coordinates: line_of(r).into_iter().map(|p| [p.lon, p.lat]).collect(),
            });
        }
    }

    Ok(RiverSpillResult {
        model_version: yingji_model::MODEL_VERSION.to_owned(),
        release_reach_id: release_reach.id.clone(),
        release_reach_name: release_reach.name.clone(),
        snap_distance_m: snap_m.round(),
        release_offset_m: offset_m.round(),
        affected_intakes: affected,
        intakes_below_threshold: below,
        interceptions,
        path,
    })
}

/// The spill passing one point: the routed cloud, the flow it is diluted in, and how long the
/// release lasted (0 for instantaneous).
struct Passage {
    cloud: Cloud,
    flow_m3_s: f64,
    duration_s: f64,
}

impl Passage {
    /// σ of the passage time, s, kept above 1 ms so a receptor at the release point stays finite.
    fn sigma_s(&self) -> f64 {
        self.cloud.time_variance_s2.sqrt().max(1e-3)
    }

    /// Concentration at `t_s` after the release starts, kg/m³: the Gaussian passage, or for a
    /// release lasting T its convolution with the box of the release (module documentation).
    fn c_kg_m3(&self, t_s: f64) -> f64 {
        if self.duration_s <= 0.0 {
            return self.cloud.concentration_kg_m3(self.flow_m3_s, t_s);
        }
        let s = std::f64::consts::SQRT_2 * self.sigma_s();
        let d = t_s - self.cloud.mean_time_s;
        self.cloud.mass_kg / (self.flow_m3_s * self.duration_s)
            * 0.5
            * (yingji_model::erf(d / s) - yingji_model::erf((d - self.duration_s) / s))
    }

    fn peak_time_s(&self) -> f64 {
        self.cloud.mean_time_s + self.duration_s / 2.0
    }

    fn peak_kg_m3(&self) -> f64 {
        if self.duration_s <= 0.0 {
            self.cloud.peak_kg_m3(self.flow_m3_s)
        } else {
            self.c_kg_m3(self.peak_time_s())
        }
    }

    fn stats(&self, name: &str, threshold_kg_m3: f64) -> ReceptorStats {
        if self.duration_s <= 0.0 {
            return self.cloud.stats(name, self.flow_m3_s, threshold_kg_m3);
        }
        let peak_t = self.peak_time_s();
        let peak = self.peak_kg_m3();
        let (first, last) = if peak >= threshold_kg_m3 && peak > 0.0 {
            // The passage is symmetric about its peak and falls off monotonically on each side.
            let reach = self.duration_s / 2.0 + 10.0 * self.sigma_s();
            let above = |t: f64| self.c_kg_m3(t) >= threshold_kg_m3;
            let mut after = (peak_t, peak_t + reach);
            for _ in 0..100 {
                let mid = 0.5 * (after.0 + after.1);
                if above(mid) {
                    after.0 = mid;
                } else {
                    after.1 = mid;
                }
            }
            let half = after.0 - peak_t;
            (Some((peak_t - half).max(0.0)), Some(peak_t + half))
        } else {
            (None, None)
        };
        ReceptorStats {
            name: name.to_owned(),
            first_above_s: first,
            peak_time_s: Some(peak_t),
            peak_mg_l: yingji_model::constants::kg_m3_to_mg_l(peak),
            last_above_s: last,
        }
    }

    /// `[t_s, c_mg_l]` from 4 σ before the front of the passage to 4 σ after its tail.
    fn series(&self) -> Vec<[f64; 2]> {
        let sigma = self.sigma_s();
        let start = (self.cloud.mean_time_s - 4.0 * sigma).max(0.0);
        let end = self.cloud.mean_time_s + self.duration_s + 4.0 * sigma;
        (0..SERIES_POINTS)
            .map(|i| {
                let t = start + (end - start) * i as f64 / (SERIES_POINTS - 1) as f64;
                [t, yingji_model::constants::kg_m3_to_mg_l(self.c_kg_m3(t))]
            })
            .collect()
    }
}

/// The network's reaches by the node they leave, to walk downstream.
struct Downstream<'a> {
    leaving: BTreeMap<&'a str, Vec<&'a RiverReach>>,
    by_id: HashMap<&'a str, &'a RiverReach>,
}

impl<'a> Downstream<'a> {
    fn new(all: &'a [RiverReach]) -> Downstream<'a> {
        let mut leaving: BTreeMap<&str, Vec<&RiverReach>> = BTreeMap::new();
        for r in all {
            leaving.entry(r.from_node.as_str()).or_default().push(r);
        }
        Downstream { leaving, by_id: all.iter().map(|r| (r.id.as_str(), r)).collect() }
    }

    /// The reach `start` and every reach downstream of it.
    fn of(&self, start: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::from([start.to_owned()]);
        let mut queue: VecDeque<&str> = self.by_id.get(start).map(|r| r.to_node.as_str()).into_iter().collect();
        while let Some(node) = queue.pop_front() {
            for r in self.leaving.get(node).into_iter().flatten() {
                if seen.insert(r.id.clone()) {
                    queue.push_back(&r.to_node);
                }
            }
        }
        seen
    }
}
