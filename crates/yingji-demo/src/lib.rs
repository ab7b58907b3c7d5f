//! The demo province: Jiangsu's real cities, counties, waterways and chemical-park locations
//! (`assets/demo/jiangsu-geo.json`) populated with fictitious, clearly-marked records — risk
//! sources, intakes, teams, experts, warehouses and stock — for drills and for trying Yingji.
//!
//! Deterministic: the same seed gives the same database, byte for byte in every table. Every
//! generated record has `data_source = 'demo'`; real geography has `data_source = 'reference'`,
//! and `meta.dataset = 'demo'` tells the UI to show the demo banner.

mod catalog;
pub mod geo;
mod prep;
pub mod rng;

/// The chemicals the demo risk sources hold (name, CAS, UN number): the chemical library covers them all.
pub use catalog::CHEMICALS as DEMO_CHEMICALS;

use std::collections::BTreeMap;

use rusqlite::Transaction;
use yingji_store::{
    query::{haversine_m, line_length_m, project_onto_line as project, LatLon},
    records::*,
    Store, StoreError,
};

use crate::{catalog::*, geo::Geo, rng::Rng};

/// The seed `yingji init --demo` uses unless told otherwise.
pub const DEFAULT_SEED: u64 = 2026;
/// The creation time stamped on every demo record, so that the database is reproducible.
pub const DEMO_TIMESTAMP: &str = "2026-01-01T00:00:00Z";
const DEMO: &str = "demo";
const REFERENCE: &str = "reference";

/// Metres per degree of latitude on the mean sphere.
const M_PER_DEG: f64 = yingji_store::query::EARTH_MEAN_RADIUS_M * std::f64::consts::PI / 180.0;

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the embedded demo geography (assets/demo/jiangsu-geo.json) is invalid: {0}")]
    Geo(#[from] serde_json::Error),
    #[error("the demo geography is inconsistent: {0}")]
    Inconsistent(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("writing the demo data failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// How many records of each kind the demo holds (the minimums).
pub mod targets {
    pub const ENTERPRISES: usize = 420;
    pub const INTAKES: usize = 80;
    pub const TEAMS: usize = 150;
    pub const EXPERTS: usize = 400;
    pub const WAREHOUSES: usize = 60;
    pub const STOCK_LINES: usize = 2000;
}

/// Fills an empty store with the demo province.
pub fn populate(store: &mut Store, seed: u64) -> Result<(), DemoError> {
    let geo = geo::load()?;
    let tx = store.transaction()?;
    Builder { tx: &tx, rng: Rng::new(seed), geo: &geo, counties: Vec::new(), reaches: Vec::new(), parks: Vec::new() }
        .build(seed)?;
    prep::populate(&tx, seed)?;
    tx.commit().map_err(StoreError::Query)?;
    Ok(())
}

struct County {
    code: String,
    name: String,
    city_name: String,
    pos: LatLon,
}

struct ReachGeom {
    id: String,
    river_id: String,
    name: String,
    line: Vec<LatLon>,
}

struct ParkRef {
    id: String,
    name: String,
    county: String,
    pos: LatLon,
}

struct Builder<'a> {
    tx: &'a Transaction<'a>,
    rng: Rng,
    geo: &'a Geo,
    counties: Vec<County>,
    reaches: Vec<ReachGeom>,
    parks: Vec<ParkRef>,
}

fn ll(p: [f64; 2]) -> LatLon {
    LatLon { lat: p[1], lon: p[0] }
}

/// Moves `p` by `distance_m` on `bearing_rad` (flat-earth step, fine for a few km).
fn offset(p: LatLon, distance_m: f64, bearing_rad: f64) -> LatLon {
    LatLon {
        lat: p.lat + distance_m * bearing_rad.cos() / M_PER_DEG,
        lon: p.lon + distance_m * bearing_rad.sin() / (M_PER_DEG * p.lat.to_radians().cos()),
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn line_json(line: &[LatLon]) -> String {
    let coords: Vec<[f64; 2]> = line.iter().map(|p| [round6(p.lon), round6(p.lat)]).collect();
    serde_json::json!({ "type": "LineString", "coordinates": coords }).to_string()
}

/// The point `distance_m` along a polyline.
fn point_along(line: &[LatLon], distance_m: f64) -> LatLon {
    let mut left = distance_m;
    for w in line.windows(2) {
        let seg = haversine_m(w[0], w[1]);
        if left <= seg && seg > 0.0 {
            let t = left / seg;
            return LatLon { lat: w[0].lat + t * (w[1].lat - w[0].lat), lon: w[0].lon + t * (w[1].lon - w[0].lon) };
        }
        left -= seg;
    }
    *line.last().expect("non-empty line")
}

impl Builder<'_> {
    fn build(mut self, seed: u64) -> Result<(), DemoError> {
        for (k, v) in [
            ("dataset", "demo".to_owned()),
            ("demo_seed", seed.to_string()),
            ("demo_note", "演示数据：行政区划、河流与园区位置为公开资料；企业、队伍、专家、物资均为虚构。".to_owned()),
        ] {
            self.tx.execute("INSERT INTO meta(key, value) VALUES (?1, ?2)", (k, v))?;
        }
        self.regions()?;
        self.rivers()?;
        self.control_works()?;
        self.intakes()?;
        self.parks()?;
        self.enterprises()?;
        self.lines()?;
        self.other_targets()?;
        self.teams()?;
        self.experts()?;
        self.warehouses()?;
        Ok(())
    }

    fn person(&mut self) -> String {
        format!("{}{}", self.rng.pick(SURNAMES), self.rng.pick(GIVEN_NAMES))
    }

    /// A phone number in a block no carrier assigns to subscribers' ranges used here: demo only.
    fn phone(&mut self) -> String {
        format!("138-0000-{:04}", self.rng.int(0, 9999))
    }

    fn nearest_county(&self, p: LatLon) -> &County {
        self.counties
            .iter()
            .min_by(|a, b| haversine_m(a.pos, p).total_cmp(&haversine_m(b.pos, p)))
            .expect("counties loaded")
    }

    fn county(&self, code: &str) -> Result<&County, DemoError> {
        self.counties
            .iter()
            .find(|c| c.code == code)
            .ok_or_else(|| DemoError::Inconsistent(format!("unknown county code {code}")))
    }

    fn regions(&mut self) -> Result<(), DemoError> {
        let p = &self.geo.province;
        let region = |code: &str, parent: Option<&str>, level, name: &str, pinyin: &str, lat, lon| Region {
            id: code.to_owned(),
            code: code.to_owned(),
            parent_code: parent.map(str::to_owned),
            level,
            region_code: code.to_owned(),
            name_zh: name.to_owned(),
            name_pinyin: pinyin.to_owned(),
            lat: Some(lat),
            lon: Some(lon),
            data_source: REFERENCE.to_owned(),
            created_at: DEMO_TIMESTAMP.to_owned(),
            updated_at: DEMO_TIMESTAMP.to_owned(),
        };
        region(&p.code, None, RegionLevel::Province, &p.name_zh, &p.name_pinyin, p.lat, p.lon).insert(self.tx)?;
        for c in &self.geo.cities {
            let cp = &c.place;
            region(&cp.code, Some(&p.code), RegionLevel::City, &cp.name_zh, &cp.name_pinyin, cp.lat, cp.lon)
                .insert(self.tx)?;
            for k in &c.counties {
                region(&k.code, Some(&cp.code), RegionLevel::County, &k.name_zh, &k.name_pinyin, k.lat, k.lon)
                    .insert(self.tx)?;
                self.counties.push(County {
                    code: k.code.clone(),
                    name: k.name_zh.clone(),
                    city_name: cp.name_zh.clone(),
                    pos: LatLon { lat: k.lat, lon: k.lon },
                });
            }
        }
        Ok(())
    }

    /// Every river vertex becomes a node and every pair of vertices a reach; a river's first and
    /// last vertices are replaced by the node they join (a vertex of another river, or a lake).
    fn rivers(&mut self) -> Result<(), DemoError> {
        let geo = self.geo;
        let node_id = |river: &str, i: usize| format!("node-{river}-{i:03}");
        let lake_node = |lake: &str| format!("node-lake-{lake}");
        let resolve =
            |j: &geo::Junction| -> Result<(String, LatLon), DemoError> {
                match j {
                    geo::Junction::River { river, at_index } => {
                        let r = geo.rivers.iter().find(|r| &r.id == river).ok_or_else(|| {
                            DemoError::Inconsistent(format!("river {river} referenced but not defined"))
                        })?;
                        let v = r.line.get(*at_index).ok_or_else(|| {
                            DemoError::Inconsistent(format!("river {river} has no vertex {at_index}"))
                        })?;
                        Ok((node_id(river, *at_index), ll(*v)))
                    }
                    geo::Junction::Lake { lake } => {
                        let l = geo.lakes.iter().find(|l| &l.id == lake).ok_or_else(|| {
                            DemoError::Inconsistent(format!("lake {lake} referenced but not defined"))
                        })?;
                        Ok((lake_node(lake), LatLon { lat: l.lat, lon: l.lon }))
                    }
                }
            };
        // Nodes first (BTreeMap: a stable order and one row per shared node).
        let mut nodes: BTreeMap<String, (String, NodeKind, LatLon)> = BTreeMap::new();
        for l in &geo.lakes {
            nodes.insert(lake_node(&l.id), (l.name_zh.clone(), NodeKind::Lake, LatLon { lat: l.lat, lon: l.lon }));
        }
        let mut river_nodes: Vec<Vec<(String, LatLon)>> = Vec::new();
        for r in &geo.rivers {
            if r.line.len() < 2 {
                return Err(DemoError::Inconsistent(format!("river {} has fewer than two vertices", r.id)));
            }
            let last = r.line.len() - 1;
            let mut ids = Vec::with_capacity(r.line.len());
            for (i, v) in r.line.iter().enumerate() {
                let joined = match i {
                    0 => r.starts_from.as_ref(),
                    i if i == last => r.flows_into.as_ref(),
                    _ => None,
                };
                let (id, pos) = match joined {
                    Some(j) => resolve(j)?,
                    None => {
                        let kind = if i == 0 {
                            NodeKind::Source
                        } else if i == last {
                            NodeKind::Mouth
                        } else {
                            NodeKind::Point
                        };
                        let id = node_id(&r.id, i);
                        let entry =
                            nodes.entry(id.clone()).or_insert((format!("{}{}号节点", r.name_zh, i), kind, ll(*v)));
                        if entry.1 == NodeKind::Point {
                            entry.1 = kind;
                        }
                        (id, ll(*v))
                    }
                };
                ids.push((id, pos));
            }
            river_nodes.push(ids);
        }
        // Every vertex another river joins is a junction (lakes stay lakes).
        for r in &geo.rivers {
            for j in [&r.starts_from, &r.flows_into].into_iter().flatten() {
                if let geo::Junction::River { river, at_index } = j {
                    let id = node_id(river, *at_index);
                    if let Some(n) = nodes.get_mut(&id) {
                        if n.1 != NodeKind::Lake {
                            n.1 = NodeKind::Junction;
                        }
                    } else {
                        let r2 = geo.rivers.iter().find(|x| &x.id == river).expect("resolved above");
                        nodes.insert(
                            id,
                            (format!("{}{}号节点", r2.name_zh, at_index), NodeKind::Junction, ll(r2.line[*at_index])),
                        );
                    }
                }
            }
        }
        for (id, (name, kind, pos)) in &nodes {
            let region = self.nearest_county(*pos).code.clone();
            RiverNode {
                id: id.clone(),
                region_code: region,
                name: name.clone(),
                kind: *kind,
                lat: round6(pos.lat),
                lon: round6(pos.lon),
                data_source: REFERENCE.to_owned(),
                created_at: DEMO_TIMESTAMP.to_owned(),
                updated_at: DEMO_TIMESTAMP.to_owned(),
            }
            .insert(self.tx)?;
        }
        for (r, ids) in geo.rivers.iter().zip(&river_nodes) {
            for (i, w) in ids.windows(2).enumerate() {
                let line = vec![w[0].1, w[1].1];
                let length_m = line_length_m(&line).max(1.0);
                let mid = point_along(&line, length_m / 2.0);
                let county = self.nearest_county(mid);
                let id = format!("reach-{}-{:03}", r.id, i);
                let name = format!("{}（{}段 {}）", r.name_zh, county.name, i + 1);
                RiverReach {
                    id: id.clone(),
                    region_code: county.code.clone(),
                    river_id: r.id.clone(),
                    name: name.clone(),
                    from_node: w[0].0.clone(),
                    to_node: w[1].0.clone(),
                    length_m: length_m.round(),
                    velocity_m_s: r.typical.velocity_m_s,
                    width_m: r.typical.width_m,
                    depth_m: r.typical.depth_m,
                    flow_m3_s: r.typical.flow_m3_s,
                    lat: round6(mid.lat),
                    lon: round6(mid.lon),
                    geometry_json: line_json(&line),
                    data_source: REFERENCE.to_owned(),
                    created_at: DEMO_TIMESTAMP.to_owned(),
                    updated_at: DEMO_TIMESTAMP.to_owned(),
                }
                .insert(self.tx)?;
                self.reaches.push(ReachGeom { id, river_id: r.id.clone(), name, line });
            }
        }
        Ok(())
    }

    /// The reach nearest to `p` (of `river` if given and known), with the offset along it.
    fn snap(&self, p: LatLon, river: Option<&str>) -> (&ReachGeom, f64, f64) {
        let on_river = river.filter(|r| self.reaches.iter().any(|x| x.river_id == *r));
        self.reaches
            .iter()
            .filter(|r| on_river.is_none_or(|id| r.river_id == id))
            .map(|r| {
                let (d, along) = project(&r.line, p);
                (r, d, along)
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .expect("reaches loaded")
    }

    fn control_works(&mut self) -> Result<(), DemoError> {
        for w in &self.geo.control_works {
            let pos = LatLon { lat: w.lat, lon: w.lon };
            let (reach_id, along) = {
                let (reach, _, along) = self.snap(pos, Some(&w.river));
                (reach.id.clone(), along)
            };
            let kind = ControlWorkKind::parse(&w.kind)
                .ok_or_else(|| DemoError::Inconsistent(format!("unknown control work kind {}", w.kind)))?;
            ControlWork {
                id: self.rng.uuid(),
                region_code: self.nearest_county(pos).code.clone(),
                kind,
                name: w.name_zh.clone(),
                reach_id: Some(reach_id),
                reach_offset_m: Some(along.round()),
                can_hold: w.can_hold,
                can_divert: w.can_divert,
                lat: w.lat,
                lon: w.lon,
                data_source: REFERENCE.to_owned(),
                created_at: DEMO_TIMESTAMP.to_owned(),
                updated_at: DEMO_TIMESTAMP.to_owned(),
            }
            .insert(self.tx)?;
        }
        Ok(())
    }

    fn intake(
        &mut self,
        name: String,
        pos: LatLon,
        river: Option<&str>,
        county: Option<&str>,
    ) -> Result<(), DemoError> {
        let (reach_id, along, snapped, nearest) = {
            let (reach, _, along) = self.snap(pos, river);
            let snapped = point_along(&reach.line, along);
            (reach.id.clone(), along, snapped, self.nearest_county(snapped).code.clone())
        };
        // The county that runs the intake, where known (an intake may sit nearer the opposite bank's seat).
        let region = match county {
            Some(code) => self.county(code)?.code.clone(),
            None => nearest,
        };
        // First-level protection zone of a river intake (HJ 338-2018 §6.2.1.1): 1000 m upstream,
        // 100 m downstream, drawn here as a 300 m-wide box around the intake.
        let zone = {
            let (a, b) = (offset(snapped, 1000.0, 0.0), offset(snapped, 100.0, std::f64::consts::PI));
            let (w, e) = (
                offset(snapped, 150.0, -std::f64::consts::FRAC_PI_2),
                offset(snapped, 150.0, std::f64::consts::FRAC_PI_2),
            );
            let ring = [[w.lon, b.lat], [e.lon, b.lat], [e.lon, a.lat], [w.lon, a.lat], [w.lon, b.lat]];
            let ring: Vec<[f64; 2]> = ring.iter().map(|p| [round6(p[0]), round6(p[1])]).collect();
            serde_json::json!({ "type": "Polygon", "coordinates": [ring] }).to_string()
        };
        let capacity = format!("{} 万m³/d", self.rng.int(5, 60));
        let contact = self.person();
        let phone = self.phone();
        SensitiveTarget {
            id: self.rng.uuid(),
            region_code: region,
            kind: TargetKind::DrinkingWaterIntake,
            name,
            reach_id: Some(reach_id),
            reach_offset_m: Some(along.round()),
            capacity,
            zone_json: Some(zone),
            contact_name: contact,
            contact_phone: phone,
            lat: round6(snapped.lat),
            lon: round6(snapped.lon),
            data_source: DEMO.to_owned(),
            created_at: DEMO_TIMESTAMP.to_owned(),
            updated_at: DEMO_TIMESTAMP.to_owned(),
        }
        .insert(self.tx)?;
        Ok(())
    }

    fn intakes(&mut self) -> Result<(), DemoError> {
        let sites: Vec<_> = self
            .geo
            .intake_sites
            .iter()
            .map(|s| (s.name_zh.clone(), ll([s.lon, s.lat]), s.river.clone(), s.county_code.clone()))
            .collect();
        for (name, pos, river, county) in &sites {
            self.intake(name.clone(), *pos, Some(river), Some(county))?;
        }
        // More intakes along the main rivers, named after the county whose reach they are on.
        let main: Vec<usize> = (0..self.reaches.len()).filter(|&i| self.reaches[i].line.len() >= 2).collect();
        let mut n = sites.len();
        let mut per_county: BTreeMap<String, usize> = BTreeMap::new();
        while n < targets::INTAKES {
            let i = *self.rng.pick(&main);
            let r = &self.reaches[i];
            let along = self.rng.range(0.2, 0.8) * line_length_m(&r.line);
            let pos = point_along(&r.line, along);
            let county = self.nearest_county(pos);
            let river_name = r.name.split('（').next().unwrap_or(&r.name).to_owned();
            let k = per_county.entry(county.code.clone()).or_insert(0);
            *k += 1;
            let name = format!("{}{}第{}水厂取水口", county.name, river_name, k);
            let river = r.river_id.clone();
            self.intake(name, pos, Some(&river), None)?;
            n += 1;
        }
        Ok(())
    }

    fn parks(&mut self) -> Result<(), DemoError> {
        for p in &self.geo.chemical_parks {
            let county = self.county(&p.county_code)?.code.clone();
            let id = self.rng.uuid();
            let contact = self.person();
            let phone = self.phone();
            RiskSource {
                id: id.clone(),
                region_code: county.clone(),
                kind: RiskSourceKind::ChemicalPark,
                name: p.name_zh.clone(),
                grade: RiskGrade::Major,
                industry: p.main_products.join("、"),
                address: String::new(),
                park_id: None,
                lat: Some(p.lat),
                lon: Some(p.lon),
                geometry_json: None,
                contact_name: contact,
                contact_phone: phone,
                data_source: REFERENCE.to_owned(),
                created_at: DEMO_TIMESTAMP.to_owned(),
                updated_at: DEMO_TIMESTAMP.to_owned(),
            }
            .insert(self.tx)?;
            self.parks.push(ParkRef { id, name: p.name_zh.clone(), county, pos: LatLon { lat: p.lat, lon: p.lon } });
        }
        Ok(())
    }

    fn enterprises(&mut self) -> Result<(), DemoError> {
        if self.parks.is_empty() {
            return Err(DemoError::Inconsistent("no chemical parks".into()));
        }
        let mut used = std::collections::BTreeSet::new();
        for _ in 0..targets::ENTERPRISES {
            // Four in five inside a park, the rest near a county seat.
            let (pos, region, park) = if self.rng.chance(0.8) {
                let k = self.rng.int(0, self.parks.len() as i64 - 1) as usize;
                let (d, b) = (self.rng.range(300.0, 3500.0), self.rng.range(0.0, std::f64::consts::TAU));
                let p = &self.parks[k];
                (offset(p.pos, d, b), p.county.clone(), Some(p.id.clone()))
            } else {
                let k = self.rng.int(0, self.counties.len() as i64 - 1) as usize;
                let (d, b) = (self.rng.range(2000.0, 9000.0), self.rng.range(0.0, std::f64::consts::TAU));
                let c = &self.counties[k];
                (offset(c.pos, d, b), c.code.clone(), None)
            };
            let (industry_word, industry, chem_pool) = *self.rng.pick(INDUSTRIES);
            let county = self.county(&region)?;
            let city_short = county.city_name.trim_end_matches('市').to_owned();
            let county_name = county.name.clone();
            let mut name;
            loop {
                let trade = *self.rng.pick(TRADE_NAMES);
                name = format!("{city_short}{trade}{industry_word}有限公司");
                if used.insert(name.clone()) {
                    break;
                }
                name = format!("江苏{trade}{industry_word}股份有限公司（{county_name}）");
                if used.insert(name.clone()) {
                    break;
                }
            }
            let grade = match self.rng.unit() {
                u if u < 0.15 => RiskGrade::Major,
                u if u < 0.5 => RiskGrade::Larger,
                _ => RiskGrade::General,
            };
            let id = self.rng.uuid();
            let contact = self.person();
            let phone = self.phone();
            let road = self.rng.int(1, 99);
            RiskSource {
                id: id.clone(),
                region_code: region.clone(),
                kind: RiskSourceKind::Enterprise,
                name,
                grade,
                industry: industry.to_owned(),
                address: format!("{county_name}化工路{road}号"),
                park_id: park,
                lat: Some(round6(pos.lat)),
                lon: Some(round6(pos.lon)),
                geometry_json: None,
                contact_name: contact,
                contact_phone: phone,
                data_source: DEMO.to_owned(),
                created_at: DEMO_TIMESTAMP.to_owned(),
                updated_at: DEMO_TIMESTAMP.to_owned(),
            }
            .insert(self.tx)?;
            let n = self.rng.int(1, 4) as usize;
            let mut held = std::collections::BTreeSet::new();
            for _ in 0..n {
                held.insert(*self.rng.pick(chem_pool));
            }
            for c in held {
                let (cname, cas, un) = CHEMICALS[c];
                // Log-uniform between 1 t and 5,000 t.
                let q = 10f64.powf(self.rng.range(0.0, 3.7));
                ChemicalHolding {
                    id: self.rng.uuid(),
                    risk_source_id: id.clone(),
                    region_code: region.clone(),
                    name_zh: cname.to_owned(),
                    cas: cas.to_owned(),
                    un_number: un.to_owned(),
                    max_quantity_t: (q * 10.0).round() / 10.0,
                    data_source: DEMO.to_owned(),
                    created_at: DEMO_TIMESTAMP.to_owned(),
                    updated_at: DEMO_TIMESTAMP.to_owned(),
                }
                .insert(self.tx)?;
            }
        }
        Ok(())
    }

    /// Pipelines and hazardous-goods road corridors as line risk sources.
    fn lines(&mut self) -> Result<(), DemoError> {
        let geo = self.geo;
        for (kind, lines, industry) in [
            (RiskSourceKind::Pipeline, &geo.pipelines, "油气输送管道"),
            (RiskSourceKind::TransportRoad, &geo.hazmat_roads, "危险货物道路运输"),
        ] {
            for l in lines.iter() {
                let line: Vec<LatLon> = l.line.iter().map(|p| ll(*p)).collect();
                if line.len() < 2 {
                    continue;
                }
                let mid = point_along(&line, line_length_m(&line) / 2.0);
                let region = self.nearest_county(mid).code.clone();
                let contact = self.person();
                let phone = self.phone();
                RiskSource {
                    id: self.rng.uuid(),
                    region_code: region,
                    kind,
                    name: l.name_zh.clone(),
                    grade: RiskGrade::Larger,
                    industry: industry.to_owned(),
                    address: String::new(),
                    park_id: None,
                    lat: Some(round6(mid.lat)),
                    lon: Some(round6(mid.lon)),
                    geometry_json: Some(line_json(&line)),
                    contact_name: contact,
                    contact_phone: phone,
                    data_source: DEMO.to_owned(),
                    created_at: DEMO_TIMESTAMP.to_owned(),
                    updated_at: DEMO_TIMESTAMP.to_owned(),
                }
                .insert(self.tx)?;
            }
        }
        Ok(())
    }

    /// A school and a hospital near every county seat.
    fn other_targets(&mut self) -> Result<(), DemoError> {
        let counties: Vec<(String, String, LatLon)> =
            self.counties.iter().map(|c| (c.code.clone(), c.name.clone(), c.pos)).collect();
        for (code, name, pos) in counties {
            for (kind, label, capacity) in [
                (TargetKind::School, "实验学校", format!("{} 名学生", self.rng.int(6, 30) * 100)),
                (TargetKind::Hospital, "人民医院", format!("{} 张床位", self.rng.int(3, 15) * 100)),
            ] {
                let p = offset(pos, self.rng.range(300.0, 2500.0), self.rng.range(0.0, std::f64::consts::TAU));
                let contact = self.person();
                let phone = self.phone();
                SensitiveTarget {
                    id: self.rng.uuid(),
                    region_code: code.clone(),
                    kind,
                    name: format!("{name}{label}"),
                    reach_id: None,
                    reach_offset_m: None,
                    capacity,
                    zone_json: None,
                    contact_name: contact,
                    contact_phone: phone,
                    lat: round6(p.lat),
                    lon: round6(p.lon),
                    data_source: DEMO.to_owned(),
                    created_at: DEMO_TIMESTAMP.to_owned(),
                    updated_at: DEMO_TIMESTAMP.to_owned(),
                }
                .insert(self.tx)?;
            }
        }
        // Real national nature reserves (approximate centres).
        for (name, lon, lat) in [
            ("江苏盐城湿地珍禽国家级自然保护区", 120.50, 33.60),
            ("江苏大丰麋鹿国家级自然保护区", 120.83, 33.00),
            ("泗洪洪泽湖湿地国家级自然保护区", 118.38, 33.32),
        ] {
            let pos = LatLon { lat, lon };
            SensitiveTarget {
                id: self.rng.uuid(),
                region_code: self.nearest_county(pos).code.clone(),
                kind: TargetKind::NatureReserve,
                name: name.to_owned(),
                reach_id: None,
                reach_offset_m: None,
                capacity: String::new(),
                zone_json: None,
                contact_name: String::new(),
                contact_phone: String::new(),
                lat,
                lon,
                data_source: REFERENCE.to_owned(),
                created_at: DEMO_TIMESTAMP.to_owned(),
                updated_at: DEMO_TIMESTAMP.to_owned(),
            }
            .insert(self.tx)?;
        }
        Ok(())
    }

    fn teams(&mut self) -> Result<(), DemoError> {
        let n_counties = self.counties.len();
        for i in 0..targets::TEAMS {
            // One team per county first, then teams at the chemical parks.
            let (region, place, pos) = if i < n_counties {
                let c = &self.counties[i];
                (c.code.clone(), c.name.clone(), c.pos)
            } else {
                let p = &self.parks[(i - n_counties) % self.parks.len()];
                (p.county.clone(), p.name.clone(), p.pos)
            };
            let (team_type, specialties, equipment) = if i < n_counties {
                *self.rng.pick(&TEAM_TYPES[..6])
            } else {
                *self.rng.pick(&[TEAM_TYPES[1], TEAM_TYPES[6], TEAM_TYPES[0]])
            };
            let k = self.rng.int(2, specialties.len() as i64) as usize;
            let specs: Vec<&str> = specialties[..k].to_vec();
            let pos = offset(pos, self.rng.range(200.0, 3000.0), self.rng.range(0.0, std::f64::consts::TAU));
            let contact = self.person();
            let phone = self.phone();
            let road = self.rng.int(1, 199);
            let seq = i / 50 + 1;
            let name = if seq == 1 { format!("{place}{team_type}队") } else { format!("{place}{team_type}{seq}队") };
            Team {
                id: self.rng.uuid(),
                region_code: region,
                name,
                team_type: team_type.to_owned(),
                size: self.rng.int(8, 60),
                specialties: specs.join("、"),
                equipment: equipment.to_owned(),
                base_address: format!("{place}应急路{road}号"),
                contact_name: contact,
                contact_phone: phone,
                lat: round6(pos.lat),
                lon: round6(pos.lon),
                data_source: DEMO.to_owned(),
                created_at: DEMO_TIMESTAMP.to_owned(),
                updated_at: DEMO_TIMESTAMP.to_owned(),
            }
            .insert(self.tx)?;
        }
        Ok(())
    }

    fn experts(&mut self) -> Result<(), DemoError> {
        for _ in 0..targets::EXPERTS {
            let (org, city) = *self.rng.pick(ORGANISATIONS);
            let city_pos = self
                .geo
                .cities
                .iter()
                .find(|c| c.place.code == city)
                .map(|c| LatLon { lat: c.place.lat, lon: c.place.lon })
                .ok_or_else(|| DemoError::Inconsistent(format!("organisation city {city} unknown")))?;
            let pos = offset(city_pos, self.rng.range(0.0, 5000.0), self.rng.range(0.0, std::f64::consts::TAU));
            let region = self.nearest_county(pos).code.clone();
            let name = self.person();
            let phone = self.phone();
            Expert {
                id: self.rng.uuid(),
                region_code: region,
                name,
                specialty: (*self.rng.pick(EXPERT_SPECIALTIES)).to_owned(),
                organisation: org.to_owned(),
                title: (*self.rng.pick(EXPERT_TITLES)).to_owned(),
                contact_phone: phone,
                lat: Some(round6(pos.lat)),
                lon: Some(round6(pos.lon)),
                data_source: DEMO.to_owned(),
                created_at: DEMO_TIMESTAMP.to_owned(),
                updated_at: DEMO_TIMESTAMP.to_owned(),
            }
            .insert(self.tx)?;
        }
        Ok(())
    }

    fn warehouses(&mut self) -> Result<(), DemoError> {
        let mut lines_left = targets::STOCK_LINES;
        let cities: Vec<(String, String, LatLon)> = self
            .geo
            .cities
            .iter()
            .map(|c| (c.place.code.clone(), c.place.name_zh.clone(), LatLon { lat: c.place.lat, lon: c.place.lon }))
            .collect();
        for i in 0..targets::WAREHOUSES {
            // A municipal store in every city, the rest at chemical parks and counties.
            let (name, owner, base) = if i < cities.len() {
                let (_, city, pos) = &cities[i];
                (format!("{city}环境应急物资储备库"), format!("{city}生态环境局"), *pos)
            } else if i < cities.len() + self.parks.len() {
                let p = &self.parks[i - cities.len()];
                (format!("{}应急物资库", p.name), format!("{}管委会", p.name), p.pos)
            } else {
                let c = &self.counties[(i * 7) % self.counties.len()];
                (format!("{}应急物资储备点", c.name), format!("{}生态环境分局", c.name), c.pos)
            };
            let pos = offset(base, self.rng.range(500.0, 4000.0), self.rng.range(0.0, std::f64::consts::TAU));
            let region = self.nearest_county(pos).code.clone();
            let wid = self.rng.uuid();
            let contact = self.person();
            let phone = self.phone();
            let road = self.rng.int(1, 299);
            Warehouse {
                id: wid.clone(),
                region_code: region.clone(),
                name,
                owner,
                address: format!("{}储备路{road}号", self.nearest_county(pos).name),
                contact_name: contact,
                contact_phone: phone,
                lat: round6(pos.lat),
                lon: round6(pos.lon),
                data_source: DEMO.to_owned(),
                created_at: DEMO_TIMESTAMP.to_owned(),
                updated_at: DEMO_TIMESTAMP.to_owned(),
            }
            .insert(self.tx)?;
            let remaining_houses = targets::WAREHOUSES - i;
            let n = lines_left.div_ceil(remaining_houses).min(STOCK_CATALOGUE.len());
            lines_left -= n;
            // n distinct catalogue items: a seeded partial shuffle.
            let mut order: Vec<usize> = (0..STOCK_CATALOGUE.len()).collect();
            for j in 0..n {
                let k = j + self.rng.int(0, (order.len() - j - 1) as i64) as usize;
                order.swap(j, k);
            }
            let mut picked = order[..n].to_vec();
            picked.sort_unstable();
            for c in picked {
                let (item, category, unit, spec, (lo, hi), shelf_years) = STOCK_CATALOGUE[c];
                let category = StockCategory::parse(category).expect("catalogue categories are valid");
                let quantity = self.rng.range(lo, hi);
                let quantity = if quantity >= 10.0 { quantity.round() } else { (quantity * 10.0).round() / 10.0 };
                let expiry = (shelf_years > 0).then(|| {
                    format!("{}-{:02}-01", 2026 + self.rng.int(0, i64::from(shelf_years)), self.rng.int(1, 12))
                });
                let sid = self.rng.uuid();
                StockItem {
                    id: sid.clone(),
                    region_code: region.clone(),
                    warehouse_id: wid.clone(),
                    name: item.to_owned(),
                    category,
                    spec: spec.to_owned(),
                    unit: unit.to_owned(),
                    expiry_date: expiry,
                    data_source: DEMO.to_owned(),
                    created_at: DEMO_TIMESTAMP.to_owned(),
                    updated_at: DEMO_TIMESTAMP.to_owned(),
                }
                .insert(self.tx)?;
                LedgerEntry {
                    id: self.rng.uuid(),
                    stock_item_id: sid,
                    region_code: region.clone(),
                    entry_kind: LedgerKind::Receipt,
                    quantity_delta: quantity,
                    note: "演示数据初始入库".to_owned(),
                    recorded_at: DEMO_TIMESTAMP.to_owned(),
                    data_source: DEMO.to_owned(),
                    created_at: DEMO_TIMESTAMP.to_owned(),
                }
                .insert(self.tx)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_finds_offset_along_line() {
        let line = [LatLon { lat: 32.0, lon: 118.0 }, LatLon { lat: 32.0, lon: 118.1 }];
        let (d, along) = project(&line, LatLon { lat: 32.001, lon: 118.05 });
        assert!((d - 111.2).abs() < 1.0, "{d}");
        assert!((along - line_length_m(&line) / 2.0).abs() < 5.0, "{along}");
    }
}
