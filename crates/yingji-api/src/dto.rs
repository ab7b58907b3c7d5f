//! The JSON types the UI sees, exported to TypeScript by ts-rs (`#[ts(export)]`; the
//! `export_bindings_*` tests write `ui/src/bindings/`, and CI fails if they drift).

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use yingji_store::query::Kind;

/// The kinds the resource panels show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ResourceKind {
    Team,
    Expert,
    Warehouse,
    StockItem,
    RiskSource,
    Target,
}

impl ResourceKind {
    pub const ALL: &'static [ResourceKind] = &[
        ResourceKind::Team,
        ResourceKind::Expert,
        ResourceKind::Warehouse,
        ResourceKind::StockItem,
        ResourceKind::RiskSource,
        ResourceKind::Target,
    ];

    pub(crate) fn kind(self) -> Kind {
        match self {
            ResourceKind::Team => Kind::Team,
            ResourceKind::Expert => Kind::Expert,
            ResourceKind::Warehouse => Kind::Warehouse,
            ResourceKind::StockItem => Kind::StockItem,
            ResourceKind::RiskSource => Kind::RiskSource,
            ResourceKind::Target => Kind::Target,
        }
    }

    pub(crate) fn from_kind(k: Kind) -> Option<ResourceKind> {
        ResourceKind::ALL.iter().copied().find(|r| r.kind() == k)
    }

    pub(crate) fn table(self) -> &'static str {
        match self {
            ResourceKind::Team => "teams",
            ResourceKind::Expert => "experts",
            ResourceKind::Warehouse => "warehouses",
            ResourceKind::StockItem => "stock_items",
            ResourceKind::RiskSource => "risk_sources",
            ResourceKind::Target => "sensitive_targets",
        }
    }

    /// The closed vocabulary of the kind's type filter, if it has one (else free text).
    pub(crate) fn subtype_vocab(self) -> Option<&'static str> {
        match self {
            ResourceKind::StockItem => Some("stock_category"),
            ResourceKind::RiskSource => Some("risk_kind"),
            ResourceKind::Target => Some("target_kind"),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DatasetInfo {
    pub path: String,
    pub is_demo: bool,
    pub note: Option<String>,
    pub schema_version: u32,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct KindCount {
    pub kind: ResourceKind,
    pub count: u32,
}

/// Counts of one city on the start page.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CityRow {
    pub code: String,
    pub name_zh: String,
    pub name_pinyin: String,
    pub teams: u32,
    pub experts: u32,
    pub warehouses: u32,
    pub stock_items: u32,
    pub risk_sources: u32,
    pub major_risk_sources: u32,
    pub targets: u32,
    pub intakes: u32,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Overview {
    pub dataset: DatasetInfo,
    pub totals: Vec<KindCount>,
    pub cities: Vec<CityRow>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RegionDto {
    pub code: String,
    pub parent_code: Option<String>,
    /// province | city | county
    pub level: String,
    pub name_zh: String,
    pub name_pinyin: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ResourceQuery {
    pub kind: ResourceKind,
    #[ts(optional)]
    pub text: Option<String>,
    /// A province, city or county code; a city includes its counties.
    #[ts(optional)]
    pub region_code: Option<String>,
    #[ts(optional)]
    pub subtype: Option<String>,
    #[serde(default)]
    pub offset: u32,
    #[serde(default)]
    pub limit: u32,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ResourceRow {
    pub kind: ResourceKind,
    pub id: String,
    pub name: String,
    pub subtype: String,
    pub secondary: String,
    pub region_code: String,
    pub region_name: String,
    pub grade: Option<String>,
    pub quantity: Option<f64>,
    pub unit: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ResourcePage {
    pub total: u32,
    pub items: Vec<ResourceRow>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SubtypeCount {
    pub value: String,
    pub count: u32,
    /// The vocabulary that labels `value` (e.g. `stock_category`), or null for free text.
    pub vocab: Option<String>,
}

/// One labelled value of a detail view; the UI labels `key` and, with `vocab`, the value.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DetailField {
    pub key: String,
    pub value: String,
    pub vocab: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
/// A chemical a risk source holds (see the library's [`crate::ChemicalDto`] for its properties).
pub struct HeldChemicalDto {
    pub name_zh: String,
    pub cas: String,
    pub un_number: String,
    pub max_quantity_t: f64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct StockLineDto {
    pub id: String,
    pub name: String,
    pub category: String,
    pub spec: String,
    pub quantity: f64,
    pub unit: String,
    pub expiry_date: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct LedgerDto {
    pub id: String,
    pub entry_kind: String,
    pub quantity_delta: f64,
    pub note: String,
    pub recorded_at: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ResourceDetail {
    pub kind: ResourceKind,
    pub id: String,
    pub name: String,
    pub region_code: String,
    pub region_name: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// `demo`, `reference`, `import:<file>` …
    pub data_source: String,
    pub is_demo: bool,
    pub fields: Vec<DetailField>,
    pub chemicals: Vec<HeldChemicalDto>,
    pub stock: Vec<StockLineDto>,
    pub ledger: Vec<LedgerDto>,
}

impl ResourceDetail {
    pub(crate) fn new(
        kind: ResourceKind,
        id: &str,
        name: &str,
        region_code: &str,
        pos: Option<(f64, f64)>,
        data_source: &str,
    ) -> ResourceDetail {
        ResourceDetail {
            kind,
            id: id.to_owned(),
            name: name.to_owned(),
            region_code: region_code.to_owned(),
            region_name: String::new(),
            lat: pos.map(|p| p.0),
            lon: pos.map(|p| p.1),
            data_source: data_source.to_owned(),
            is_demo: data_source == "demo",
            fields: Vec::new(),
            chemicals: Vec::new(),
            stock: Vec::new(),
            ledger: Vec::new(),
        }
    }

    pub(crate) fn with(mut self, fields: Vec<DetailField>) -> ResourceDetail {
        self.fields = fields;
        self
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SearchHitDto {
    /// The index kind: region, risk_source, target, control_work, team, expert, warehouse, stock_item.
    pub kind: String,
    /// The panel that shows it, if any.
    pub resource_kind: Option<ResourceKind>,
    pub item_id: String,
    pub name: String,
    pub matched: Option<String>,
    pub region_code: String,
    pub region_name: String,
    /// Where it is, for the map to fly to.
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[ts(export)]
pub struct NearQuery {
    pub lat: f64,
    pub lon: f64,
    pub radius_km: f64,
    /// Index kinds to include; all when empty.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Only the N nearest.
    #[ts(optional)]
    pub nearest: Option<u32>,
    /// Without `nearest`: list at most this many of each kind (the counts stay exact); all if unset.
    #[serde(default)]
    #[ts(optional)]
    pub per_kind: Option<u32>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct NearItem {
    pub item_id: String,
    pub name: String,
    pub region_code: String,
    pub region_name: String,
    pub lat: f64,
    pub lon: f64,
    pub distance_m: f64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct NearGroup {
    pub kind: String,
    pub count: u32,
    pub items: Vec<NearItem>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct NearResult {
    pub lat: f64,
    pub lon: f64,
    pub radius_km: f64,
    pub groups: Vec<NearGroup>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableCount {
    pub table: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SkippedRow {
    pub row: u32,
    pub column: Option<String>,
    pub message: String,
    pub message_zh: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportSummary {
    pub kind: String,
    pub inserted: u32,
    pub updated: u32,
    pub skipped: Vec<SkippedRow>,
}

/// A located record on the one map.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct MapPointDto {
    /// Index kind: risk_source, target, control_work, team, warehouse, expert (one per organisation);
    /// or `incident` (subtype: open | closed; grade: the confirmed tier).
    pub kind: String,
    pub id: String,
    pub name: String,
    pub subtype: String,
    pub grade: Option<String>,
    pub figure: Option<f64>,
    pub lat: f64,
    pub lon: f64,
}

/// A line (river reach, pipeline, hazmat road) with its GeoJSON geometry.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct MapLineDto {
    pub kind: String,
    pub id: String,
    pub name: String,
    pub subtype: String,
    /// `[lon, lat]` pairs of a LineString.
    pub coordinates: Vec<[f64; 2]>,
}

/// An area (an intake's protection zone) as a polygon ring of `[lon, lat]`.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct MapAreaDto {
    pub kind: String,
    pub id: String,
    pub name: String,
    pub ring: Vec<[f64; 2]>,
}

/// Everything the one map draws from the replica.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct MapData {
    pub points: Vec<MapPointDto>,
    pub lines: Vec<MapLineDto>,
    pub areas: Vec<MapAreaDto>,
}

/// "The N nearest warehouses holding X".
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[ts(export)]
pub struct StockQuery {
    pub lat: f64,
    pub lon: f64,
    /// Any part of the item's name, e.g. 活性炭.
    pub item: String,
    pub nearest: u32,
}

/// A stock line in one of the nearest warehouses holding the item.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct StockHitDto {
    pub warehouse_id: String,
    pub warehouse_name: String,
    pub region_name: String,
    pub lat: f64,
    pub lon: f64,
    pub distance_m: f64,
    pub stock_item_id: String,
    pub item_name: String,
    pub spec: String,
    pub quantity: f64,
    pub unit: String,
}
