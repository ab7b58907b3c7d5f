//! The public geography the demo stands on: `assets/demo/jiangsu-geo.json`.

use serde::Deserialize;

/// The file, embedded so `yingji init --demo` needs nothing beside the binary.
pub const JIANGSU_GEO_JSON: &str = include_str!("../../../assets/demo/jiangsu-geo.json");

#[derive(Debug, Deserialize)]
pub struct Geo {
    pub province: Place,
    pub cities: Vec<City>,
    pub rivers: Vec<River>,
    #[serde(default)]
    pub lakes: Vec<Lake>,
    #[serde(default)]
    pub chemical_parks: Vec<Park>,
    #[serde(default)]
    pub intake_sites: Vec<Site>,
    #[serde(default)]
    pub control_works: Vec<Work>,
    #[serde(default)]
    pub hazmat_roads: Vec<Line>,
    #[serde(default)]
    pub pipelines: Vec<Line>,
}

#[derive(Debug, Deserialize)]
pub struct Place {
    pub code: String,
    pub name_zh: String,
    pub name_pinyin: String,
    pub lon: f64,
    pub lat: f64,
}

#[derive(Debug, Deserialize)]
pub struct City {
    #[serde(flatten)]
    pub place: Place,
    pub counties: Vec<Place>,
}

#[derive(Debug, Deserialize)]
pub struct Hydraulics {
    pub velocity_m_s: f64,
    pub width_m: f64,
    pub depth_m: f64,
    pub flow_m3_s: f64,
}

/// Where a river starts or ends: a vertex of another river, or a lake.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Junction {
    River { river: String, at_index: usize },
    Lake { lake: String },
}

#[derive(Debug, Deserialize)]
pub struct River {
    pub id: String,
    pub name_zh: String,
    pub typical: Hydraulics,
    pub flows_into: Option<Junction>,
    pub starts_from: Option<Junction>,
    /// [lon, lat] vertices in flow direction.
    pub line: Vec<[f64; 2]>,
}

#[derive(Debug, Deserialize)]
pub struct Lake {
    pub id: String,
    pub name_zh: String,
    pub lon: f64,
    pub lat: f64,
}

#[derive(Debug, Deserialize)]
pub struct Park {
    pub name_zh: String,
    pub county_code: String,
    pub lon: f64,
    pub lat: f64,
    #[serde(default)]
    pub main_products: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct Site {
    pub name_zh: String,
    pub county_code: String,
    pub river: String,
    pub lon: f64,
    pub lat: f64,
}

#[derive(Debug, Deserialize)]
pub struct Work {
    pub name_zh: String,
    pub kind: String,
    pub river: String,
    pub lon: f64,
    pub lat: f64,
    #[serde(default)]
    pub can_hold: bool,
    #[serde(default)]
    pub can_divert: bool,
}

#[derive(Debug, Deserialize)]
pub struct Line {
    pub name_zh: String,
    pub line: Vec<[f64; 2]>,
}

pub fn load() -> Result<Geo, serde_json::Error> {
    serde_json::from_str(JIANGSU_GEO_JSON)
}
