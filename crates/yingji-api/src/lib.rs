//! The façade of the core: one function per user action. The desktop shell (`src-tauri`) and
//! the `yingji` CLI call only this; the UI's JSON types (DTOs) live only here and are exported
//! to TypeScript (`ui/src/bindings/`) by ts-rs, converted by hand from the domain types.

mod chemicals;
mod drill_scenarios;
mod drills;
mod dto;
mod error;
mod incident_models;
mod incident_window;
mod incidents;
mod maps;
mod model_runs;
mod prep;
mod sync;
mod sync_agent;

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::Arc,
};

pub use chemicals::*;
pub use drill_scenarios::*;
pub use drills::*;
pub use dto::*;
pub use error::{ApiError, ErrorCode};
pub use incident_models::*;
pub use incident_window::*;
pub use incidents::*;
pub use maps::{MapPackDto, Maps, BASE_ARCHIVE};
pub use model_runs::*;
pub use prep::*;
pub use sync::*;
pub use sync_agent::*;
use yingji_store::{
    query::{self, Kind, LatLon},
    records::{self, *},
    Clock, Store, SystemClock,
};
pub use yingji_tiles::Response as TileResponse;

/// An open replica and what the UI needs beside it.
pub struct Console {
    store: Store,
    /// Business time: the system clock, or on a drill database the drill clock.
    clock: Arc<dyn Clock>,
    /// Wall-clock time (the drill clock's own events are stamped with it).
    real_clock: Arc<dyn Clock>,
    region_names: HashMap<String, String>,
}

/// The longest radius a one-click query accepts, km.
pub const MAX_RADIUS_KM: f64 = 500.0;

impl Console {
    /// Opens an existing replica. On a drill database every action is stamped in drill time.
    pub fn open(path: &Path) -> Result<Console, ApiError> {
        Console::with_real_clock(Store::open(path)?, Arc::new(SystemClock))
    }

    /// Opens `store` with `real` as the wall clock; a drill database gets its drill clock on it.
    pub fn with_real_clock(store: Store, real: Arc<dyn Clock>) -> Result<Console, ApiError> {
        let drill = yingji_drill::drill_id(store.conn())?;
        let clock: Arc<dyn Clock> = match (drill, store.path()) {
            (Some(id), Some(path)) => Arc::new(yingji_drill::clock::DrillClock::open(path, &id, real.clone())?),
            _ => real.clone(),
        };
        let mut console = Console::with_store(store, clock)?;
        console.real_clock = real;
        Ok(console)
    }

    /// Opens the replica at `path`, building the demo province there first if no file exists —
    /// what the desktop does when no database is configured.
    pub fn open_or_create_demo(path: &Path) -> Result<Console, ApiError> {
        if !path.exists() {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| {
                    ApiError::new(
                        ErrorCode::Internal,
                        format!("无法创建数据目录 {}：{e}", dir.display()),
                        format!("cannot create the data folder {}: {e}", dir.display()),
                    )
                })?;
            }
            init(path, true, yingji_demo::DEFAULT_SEED)?;
        }
        Console::open(path)
    }

    pub fn with_store(mut store: Store, clock: Arc<dyn Clock>) -> Result<Console, ApiError> {
        // The case library is reference data shipped with the program, like the chemical library.
        yingji_prep::cases::ensure_loaded(&mut store, clock.as_ref())?;
        let region_names = records::regions(store.conn())?.into_iter().map(|r| (r.code, r.name_zh)).collect();
        Ok(Console { store, real_clock: clock.clone(), clock, region_names })
    }

    fn region_name(&self, code: &str) -> String {
        self.region_names.get(code).cloned().unwrap_or_default()
    }

    /// What the start page shows: the dataset, totals and counts per city.
    pub fn overview(&self) -> Result<Overview, ApiError> {
        let conn = self.store.conn();
        let cities = query::city_counts(conn)?
            .into_iter()
            .map(|c| CityRow {
                code: c.code,
                name_zh: c.name_zh,
                name_pinyin: c.name_pinyin,
                teams: c.teams as u32,
                experts: c.experts as u32,
                warehouses: c.warehouses as u32,
                stock_items: c.stock_items as u32,
                risk_sources: c.risk_sources as u32,
                major_risk_sources: c.major_risk_sources as u32,
                targets: c.targets as u32,
                intakes: c.intakes as u32,
            })
            .collect::<Vec<_>>();
        let mut totals = Vec::new();
        for kind in ResourceKind::ALL {
            let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {}", kind.table()), [], |r| r.get(0))?;
            totals.push(KindCount { kind: *kind, count: n as u32 });
        }
        Ok(Overview { dataset: self.dataset()?, totals, cities })
    }

    /// Which database is open and whether it is the demo.
    pub fn dataset(&self) -> Result<DatasetInfo, ApiError> {
        let conn = self.store.conn();
        let meta =
            |key: &str| -> Result<Option<String>, ApiError> {
                Ok(conn
                    .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                    .map(Some)
                    .or_else(|e| if e == rusqlite::Error::QueryReturnedNoRows { Ok(None) } else { Err(e) })?)
            };
        Ok(DatasetInfo {
            path: self.store.path().map(|p| p.display().to_string()).unwrap_or_default(),
            is_demo: meta("dataset")?.as_deref() == Some("demo"),
            note: meta("demo_note")?,
            schema_version: yingji_store::schema_version(conn)?,
        })
    }

    /// Province, cities and counties, for the region filter.
    pub fn regions(&self) -> Result<Vec<RegionDto>, ApiError> {
        Ok(records::regions(self.store.conn())?
            .into_iter()
            .map(|r| RegionDto {
                code: r.code,
                parent_code: r.parent_code,
                level: r.level.as_str().to_owned(),
                name_zh: r.name_zh,
                name_pinyin: r.name_pinyin,
            })
            .collect())
    }

    /// One page of a resource panel.
    pub fn list_resources(&self, q: &ResourceQuery) -> Result<ResourcePage, ApiError> {
        let (total, rows) = query::list(
            self.store.conn(),
            &query::ListQuery {
                kind: Some(q.kind.kind()),
                text: q.text.clone(),
                region_prefix: q.region_code.as_deref().map(region_prefix),
                subtype: q.subtype.clone(),
                offset: q.offset,
                limit: if q.limit == 0 { 50 } else { q.limit },
            },
        )?;
        let items = rows
            .into_iter()
            .map(|r| ResourceRow {
                kind: q.kind,
                region_name: self.region_name(&r.region_code),
                id: r.id,
                name: r.name,
                subtype: r.subtype,
                secondary: r.secondary,
                region_code: r.region_code,
                grade: r.grade.map(|g| g.as_str().to_owned()),
                quantity: r.quantity,
                unit: r.unit,
                lat: r.lat,
                lon: r.lon,
            })
            .collect();
        Ok(ResourcePage { total: total as u32, items })
    }

    /// The values of a panel's type filter.
    pub fn subtypes(&self, kind: ResourceKind) -> Result<Vec<SubtypeCount>, ApiError> {
        Ok(query::subtypes(self.store.conn(), kind.kind())?
            .into_iter()
            .map(|(value, count)| SubtypeCount {
                value,
                count: count as u32,
                vocab: kind.subtype_vocab().map(str::to_owned),
            })
            .collect())
    }

    /// Everything about one record.
    pub fn resource_detail(&self, kind: ResourceKind, id: &str) -> Result<ResourceDetail, ApiError> {
        let conn = self.store.conn();
        let missing =
            || ApiError::from(yingji_store::StoreError::RecordNotFound { kind: kind.table(), id: id.to_owned() });
        let f = |key: &str, value: &str| DetailField { key: key.to_owned(), value: value.to_owned(), vocab: None };
        let v = |key: &str, value: &str, vocab: &str| DetailField {
            key: key.to_owned(),
            value: value.to_owned(),
            vocab: Some(vocab.to_owned()),
        };
        let mut d = match kind {
            ResourceKind::Team => {
                let t = Team::get(conn, id)?.ok_or_else(missing)?;
                ResourceDetail::new(kind, &t.id, &t.name, &t.region_code, Some((t.lat, t.lon)), &t.data_source).with(
                    vec![
                        f("team_type", &t.team_type),
                        f("size", &t.size.to_string()),
                        f("specialties", &t.specialties),
                        f("equipment", &t.equipment),
                        f("base_address", &t.base_address),
                        f("contact_name", &t.contact_name),
                        f("contact_phone", &t.contact_phone),
                    ],
                )
            }
            ResourceKind::Expert => {
                let e = Expert::get(conn, id)?.ok_or_else(missing)?;
                let pos = e.lat.zip(e.lon);
                ResourceDetail::new(kind, &e.id, &e.name, &e.region_code, pos, &e.data_source).with(vec![
                    f("specialty", &e.specialty),
                    f("organisation", &e.organisation),
                    f("title", &e.title),
                    f("contact_phone", &e.contact_phone),
                ])
            }
            ResourceKind::Warehouse => {
                let w = Warehouse::get(conn, id)?.ok_or_else(missing)?;
                let mut d =
                    ResourceDetail::new(kind, &w.id, &w.name, &w.region_code, Some((w.lat, w.lon)), &w.data_source)
                        .with(vec![
                            f("owner", &w.owner),
                            f("address", &w.address),
                            f("contact_name", &w.contact_name),
                            f("contact_phone", &w.contact_phone),
                        ]);
                d.stock = records::stock_of(conn, &w.id)?
                    .into_iter()
                    .map(|(s, quantity)| StockLineDto {
                        id: s.id,
                        name: s.name,
                        category: s.category.as_str().to_owned(),
                        spec: s.spec,
                        quantity,
                        unit: s.unit,
                        expiry_date: s.expiry_date,
                    })
                    .collect();
                d
            }
            ResourceKind::StockItem => {
                let s = StockItem::get(conn, id)?.ok_or_else(missing)?;
                let w = Warehouse::get(conn, &s.warehouse_id)?.ok_or_else(missing)?;
                let quantity = records::stock_quantity(conn, &s.id)?;
                let mut d =
                    ResourceDetail::new(kind, &s.id, &s.name, &s.region_code, Some((w.lat, w.lon)), &s.data_source)
                        .with(vec![
                            v("category", s.category.as_str(), "stock_category"),
                            f("spec", &s.spec),
                            f("quantity", &format!("{} {}", fmt_quantity(quantity), s.unit)),
                            f("expiry_date", s.expiry_date.as_deref().unwrap_or("")),
                            f("warehouse", &w.name),
                            f("contact_name", &w.contact_name),
                            f("contact_phone", &w.contact_phone),
                        ]);
                d.ledger = records::ledger_of(conn, &s.id)?
                    .into_iter()
                    .map(|l| LedgerDto {
                        id: l.id,
                        entry_kind: l.entry_kind.as_str().to_owned(),
                        quantity_delta: l.quantity_delta,
                        note: l.note,
                        recorded_at: l.recorded_at,
                    })
                    .collect();
                d
            }
            ResourceKind::RiskSource => {
                let r = RiskSource::get(conn, id)?.ok_or_else(missing)?;
                let park = match &r.park_id {
                    Some(p) => RiskSource::get(conn, p)?.map(|p| p.name).unwrap_or_default(),
                    None => String::new(),
                };
                let mut d = ResourceDetail::new(kind, &r.id, &r.name, &r.region_code, r.lat.zip(r.lon), &r.data_source)
                    .with(vec![
                        v("risk_kind", r.kind.as_str(), "risk_kind"),
                        v("grade", r.grade.as_str(), "grade"),
                        f("industry", &r.industry),
                        f("park", &park),
                        f("address", &r.address),
                        f("contact_name", &r.contact_name),
                        f("contact_phone", &r.contact_phone),
                    ]);
                d.chemicals = records::chemicals_of(conn, &r.id)?
                    .into_iter()
                    .map(|c| HeldChemicalDto {
                        name_zh: c.name_zh,
                        cas: c.cas,
                        un_number: c.un_number,
                        max_quantity_t: c.max_quantity_t,
                    })
                    .collect();
                d
            }
            ResourceKind::Target => {
                let t = SensitiveTarget::get(conn, id)?.ok_or_else(missing)?;
                let reach = match &t.reach_id {
                    Some(r) => RiverReach::get(conn, r)?.map(|r| r.name).unwrap_or_default(),
                    None => String::new(),
                };
                ResourceDetail::new(kind, &t.id, &t.name, &t.region_code, Some((t.lat, t.lon)), &t.data_source).with(
                    vec![
                        v("target_kind", t.kind.as_str(), "target_kind"),
                        f("capacity", &t.capacity),
                        f("reach", &reach),
                        f("contact_name", &t.contact_name),
                        f("contact_phone", &t.contact_phone),
                    ],
                )
            }
        };
        d.fields.retain(|f| !f.value.is_empty());
        d.region_name = self.region_name(&d.region_code);
        Ok(d)
    }

    /// One search box over places, resources, risk sources and chemicals.
    pub fn search(&self, text: &str, region_code: Option<&str>, limit: u32) -> Result<Vec<SearchHitDto>, ApiError> {
        let filter =
            query::SearchFilter { kinds: vec![], region_prefix: region_code.map(region_prefix), per_kind: Some(5) };
        let conn = self.store.conn();
        let hits = query::search(conn, text, &filter, limit.clamp(1, 200) as usize)?;
        hits.into_iter()
            .map(|h| {
                let at = match (h.lat, h.lon) {
                    (Some(lat), Some(lon)) => Some(LatLon { lat, lon }),
                    _ => yingji_store::map::locate(conn, h.kind, &h.item_id)?,
                };
                Ok(SearchHitDto {
                    kind: h.kind.as_str().to_owned(),
                    resource_kind: ResourceKind::from_kind(h.kind),
                    region_name: self.region_name(&h.region_code),
                    item_id: h.item_id,
                    name: h.name,
                    matched: h.matched,
                    region_code: h.region_code,
                    lat: at.map(|p| p.lat),
                    lon: at.map(|p| p.lon),
                })
            })
            .collect()
    }

    /// Everything the one map draws: points, lines and zones from the replica.
    pub fn map_data(&self) -> Result<MapData, ApiError> {
        use yingji_store::map;
        let conn = self.store.conn();
        let mut points: Vec<MapPointDto> = map::points(conn)?
            .into_iter()
            .map(|p| MapPointDto {
                kind: p.kind.as_str().to_owned(),
                id: p.id,
                name: p.name,
                subtype: p.subtype,
                grade: p.grade,
                figure: p.figure,
                lat: p.lat,
                lon: p.lon,
            })
            .collect();
        // Incidents: subtype is the status (open | closed), grade the confirmed tier.
        points.extend(yingji_incident::list(conn)?.into_iter().map(|i| MapPointDto {
            kind: "incident".to_owned(),
            id: i.id,
            name: i.name,
            subtype: i.status.as_str().to_owned(),
            grade: i.confirmed_tier.map(|t| t.as_str().to_owned()),
            figure: None,
            lat: i.lat,
            lon: i.lon,
        }));
        let mut lines = Vec::new();
        for l in map::lines(conn)? {
            lines.push(MapLineDto {
                kind: l.kind.as_str().to_owned(),
                coordinates: geometry_coordinates(&l.geometry_json, "LineString")?,
                id: l.id,
                name: l.name,
                subtype: l.subtype,
            });
        }
        let mut areas = Vec::new();
        for a in map::areas(conn)? {
            let rings: Vec<Vec<[f64; 2]>> = geometry_coordinates(&a.geometry_json, "Polygon")?;
            areas.push(MapAreaDto {
                kind: a.kind.as_str().to_owned(),
                id: a.id,
                name: a.name,
                ring: rings.into_iter().next().unwrap_or_default(),
            });
        }
        Ok(MapData { points, lines, areas })
    }

    /// Everything within a radius of a point, grouped by kind, nearest first; or the `nearest`
    /// N of the given kinds when `nearest` is set.
    pub fn near(&self, q: &NearQuery) -> Result<NearResult, ApiError> {
        let center = LatLon::checked(q.lat, q.lon)?;
        if !(q.radius_km > 0.0 && q.radius_km <= MAX_RADIUS_KM) {
            return Err(ApiError::invalid(
                "radius_km",
                format!("半径须大于 0 且不超过 {MAX_RADIUS_KM} 公里"),
                format!("the radius must be above 0 and at most {MAX_RADIUS_KM} km"),
            ));
        }
        let mut kinds = Vec::new();
        for k in &q.kinds {
            kinds.push(Kind::parse(k).ok_or_else(|| {
                let known: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
                ApiError::invalid(
                    "kind",
                    format!("未知类型 {k}，可选：{}", known.join(", ")),
                    format!("unknown kind {k}; one of {}", known.join(", ")),
                )
            })?);
        }
        let radius_m = q.radius_km * 1000.0;
        let conn = self.store.conn();
        let item = |h: query::NearHit| NearItem {
            region_name: self.region_name(&h.region_code),
            item_id: h.item_id,
            name: h.name,
            region_code: h.region_code,
            lat: h.lat,
            lon: h.lon,
            distance_m: h.distance_m.round(),
        };
        let mut groups: Vec<NearGroup> = Vec::new();
        match q.nearest {
            Some(n) => {
                for h in query::nearest(conn, center, &kinds, n as usize, radius_m)? {
                    let kind = h.kind.as_str();
                    match groups.iter_mut().find(|g| g.kind == kind) {
                        Some(g) => g.items.push(item(h)),
                        None => groups.push(NearGroup { kind: kind.to_owned(), count: 0, items: vec![item(h)] }),
                    }
                }
                for g in &mut groups {
                    g.count = g.items.len() as u32;
                }
            }
            None => {
                let per_kind = q.per_kind.map_or(usize::MAX, |n| n as usize);
                for k in query::within_by_kind(conn, center, radius_m, &kinds, per_kind)? {
                    groups.push(NearGroup {
                        kind: k.kind.as_str().to_owned(),
                        count: k.count as u32,
                        items: k.nearest.into_iter().map(item).collect(),
                    });
                }
            }
        }
        groups.sort_by(|a, b| a.kind.cmp(&b.kind));
        Ok(NearResult { lat: q.lat, lon: q.lon, radius_km: q.radius_km, groups })
    }

    /// The stock lines of the `nearest` warehouses holding an item, nearest first.
    pub fn nearest_stock(&self, q: &StockQuery) -> Result<Vec<StockHitDto>, ApiError> {
        let center = LatLon::checked(q.lat, q.lon)?;
        if q.item.trim().is_empty() {
            return Err(ApiError::invalid(
                "item",
                "请填写物资名称（如 活性炭）",
                "name the item (e.g. activated carbon, 活性炭)",
            ));
        }
        if !(1..=100).contains(&q.nearest) {
            return Err(ApiError::invalid("nearest", "数量须在 1 到 100 之间", "the number must be from 1 to 100"));
        }
        Ok(query::nearest_stock(self.store.conn(), center, &q.item, q.nearest as usize)?
            .into_iter()
            .map(|h| StockHitDto {
                region_name: self.region_name(&h.region_code),
                warehouse_id: h.warehouse_id,
                warehouse_name: h.warehouse_name,
                lat: h.lat,
                lon: h.lon,
                distance_m: h.distance_m.round(),
                stock_item_id: h.stock_item_id,
                item_name: h.item_name,
                spec: h.spec,
                quantity: h.quantity,
                unit: h.unit,
            })
            .collect())
    }

    /// A spill into a waterway at a point, routed through the replica's river network to the
    /// intakes and control works downstream (`yingji-spill`).
    pub fn river_spill(
        &self,
        request: &yingji_spill::RiverSpillRequest,
    ) -> Result<yingji_spill::RiverSpillResult, yingji_spill::SpillError> {
        yingji_spill::river_spill(self.store.conn(), request)
    }

    /// A number that changes whenever another connection (the CLI, an import, sync) commits to
    /// the database; the window polls it to follow changes at once.
    pub fn data_version(&self) -> Result<i64, ApiError> {
        Ok(self.store.conn().query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// Rows per table (`yingji stats`).
    pub fn stats(&self) -> Result<Vec<TableCount>, ApiError> {
        Ok(query::table_counts(self.store.conn())?
            .into_iter()
            .map(|(table, count)| TableCount { table, count: count as u64 })
            .collect())
    }

    /// Imports a county's spreadsheet.
    pub fn import_file(&mut self, path: &Path, kind: Option<&str>, skip_bad: bool) -> Result<ImportSummary, ApiError> {
        let kind = match kind {
            None => None,
            Some(k) => Some(yingji_import::ImportKind::parse(k).ok_or_else(|| {
                ApiError::invalid(
                    "kind",
                    format!("未知导入类型 {k}，可选 teams|experts|warehouses|stock|risk_sources"),
                    format!("unknown import kind {k}; one of teams|experts|warehouses|stock|risk_sources"),
                )
            })?),
        };
        let report = yingji_import::import_file(
            &mut self.store,
            path,
            &yingji_import::ImportOptions { kind, skip_bad },
            self.clock.as_ref(),
        )?;
        Ok(ImportSummary {
            kind: report.kind.as_str().to_owned(),
            inserted: report.inserted as u32,
            updated: report.updated as u32,
            skipped: report
                .skipped
                .into_iter()
                .map(|r| SkippedRow {
                    row: r.row as u32,
                    column: r.column,
                    message: r.message,
                    message_zh: r.message_zh,
                })
                .collect(),
        })
    }

    /// The underlying store, for the CLI's and tests' direct reads.
    pub fn store(&self) -> &Store {
        &self.store
    }
}

/// One request of the JSON model contract (docs/model-api.md), answered by `yingji-model`.
pub fn run_model_json(request: &serde_json::Value) -> Result<serde_json::Value, yingji_model::ModelError> {
    yingji_model::run_json(request)
}

pub use yingji_spill::{RiverSpillRequest, RiverSpillResult, SpillError};

/// Creates a replica at `path`: empty, or the demo province built from `seed`.
pub fn init(path: &Path, demo: bool, seed: u64) -> Result<PathBuf, ApiError> {
    let mut store = Store::create(path)?;
    if demo {
        yingji_demo::populate(&mut store, seed).map_err(|e| match e {
            yingji_demo::DemoError::Store(s) => ApiError::from(s),
            other => ApiError::new(ErrorCode::Internal, format!("生成演示数据失败：{other}"), other.to_string()),
        })?;
    }
    sync::mark_baseline(&mut store, &if demo { format!("demo:{seed}") } else { "empty".to_owned() })?;
    drop(store);
    Ok(path.to_owned())
}

/// The `coordinates` of a stored GeoJSON geometry of the given type.
fn geometry_coordinates<T: serde::de::DeserializeOwned>(json: &str, expected: &str) -> Result<T, ApiError> {
    let bad = |why: String| {
        ApiError::new(
            ErrorCode::Internal,
            format!("数据库中的几何数据有误：{why}"),
            format!("a stored geometry is invalid: {why}"),
        )
    };
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| bad(e.to_string()))?;
    if value["type"] != expected {
        return Err(bad(format!("expected a {expected}, found {}", value["type"])));
    }
    serde_json::from_value(value["coordinates"].clone()).map_err(|e| bad(e.to_string()))
}

/// A region code as a prefix: `320100` (a city) matches its counties `3201xx`; `320000` all.
fn region_prefix(code: &str) -> String {
    let code = code.trim();
    if code.len() == 6 && code.ends_with("0000") {
        code[..2].to_owned()
    } else if code.len() == 6 && code.ends_with("00") {
        code[..4].to_owned()
    } else {
        code.to_owned()
    }
}

fn fmt_quantity(q: f64) -> String {
    if q.fract() == 0.0 {
        format!("{q:.0}")
    } else {
        format!("{q:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_prefixes() {
        assert_eq!(region_prefix("320000"), "32");
        assert_eq!(region_prefix("320100"), "3201");
        assert_eq!(region_prefix("320115"), "320115");
    }
}
