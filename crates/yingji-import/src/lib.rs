//! Imports the lists counties keep in spreadsheets. The column layout is in `docs/import.md`;
//! headers may be Chinese or English. A file is imported whole or not at all: a bad row stops
//! the import with its row number and reason, unless the caller asks to skip bad rows.
//! Re-importing a file updates the records it names (same name in the same region) instead of
//! duplicating them; a changed stock quantity becomes a stock-take correction in the ledger.

mod read;

use std::path::Path;

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use yingji_store::{records::*, Clock, Store, StoreError};

pub use read::read_table;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Teams,
    Experts,
    Warehouses,
    Stock,
    RiskSources,
}

impl ImportKind {
    pub const ALL: &'static [ImportKind] =
        &[ImportKind::Teams, ImportKind::Experts, ImportKind::Warehouses, ImportKind::Stock, ImportKind::RiskSources];

    pub fn parse(s: &str) -> Option<ImportKind> {
        Some(match s {
            "teams" | "队伍" => ImportKind::Teams,
            "experts" | "专家" => ImportKind::Experts,
            "warehouses" | "物资库" => ImportKind::Warehouses,
            "stock" | "物资" => ImportKind::Stock,
            "risk_sources" | "风险源" => ImportKind::RiskSources,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Teams => "teams",
            ImportKind::Experts => "experts",
            ImportKind::Warehouses => "warehouses",
            ImportKind::Stock => "stock",
            ImportKind::RiskSources => "risk_sources",
        }
    }

    /// The columns of this kind: (key, Chinese header, required).
    pub fn columns(self) -> &'static [(&'static str, &'static str, bool)] {
        match self {
            ImportKind::Teams => &[
                ("name", "名称", true),
                ("region_code", "区划代码", true),
                ("team_type", "类型", true),
                ("size", "人数", true),
                ("specialties", "专长", false),
                ("equipment", "装备", false),
                ("base_address", "驻地", false),
                ("contact_name", "联系人", false),
                ("contact_phone", "电话", false),
                ("lat", "纬度", true),
                ("lon", "经度", true),
            ],
            ImportKind::Experts => &[
                ("name", "姓名", true),
                ("region_code", "区划代码", true),
                ("specialty", "专业", true),
                ("organisation", "单位", false),
                ("title", "职称", false),
                ("contact_phone", "电话", false),
                ("lat", "纬度", false),
                ("lon", "经度", false),
            ],
            ImportKind::Warehouses => &[
                ("name", "名称", true),
                ("region_code", "区划代码", true),
                ("owner", "管理单位", false),
                ("address", "地址", false),
                ("contact_name", "联系人", false),
                ("contact_phone", "电话", false),
                ("lat", "纬度", true),
                ("lon", "经度", true),
            ],
            ImportKind::Stock => &[
                ("warehouse", "物资库", true),
                ("name", "物资名称", true),
                ("category", "类别", true),
                ("spec", "规格", false),
                ("quantity", "数量", true),
                ("unit", "单位", true),
                ("expiry_date", "有效期", false),
            ],
            ImportKind::RiskSources => &[
                ("name", "名称", true),
                ("region_code", "区划代码", true),
                ("kind", "类型", false),
                ("grade", "风险等级", true),
                ("industry", "行业", false),
                ("address", "地址", false),
                ("contact_name", "联系人", false),
                ("contact_phone", "电话", false),
                ("lat", "纬度", true),
                ("lon", "经度", true),
                ("chemicals", "化学品", false),
            ],
        }
    }
}

/// A row that could not be imported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowError {
    /// The row number as the spreadsheet shows it (the header is row 1).
    pub row: usize,
    pub column: Option<String>,
    /// Why, in English.
    pub message: String,
    /// Why, in Chinese.
    pub message_zh: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(c) => write!(f, "row {}, column {c}: {}", self.row, self.message),
            None => write!(f, "row {}: {}", self.row, self.message),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
    #[error("{path} has no data rows under its header")]
    Empty { path: String },
    #[error("cannot tell what {path} holds from its headers ({headers}); pass --kind teams|experts|warehouses|stock|risk_sources")]
    UnknownKind { path: String, headers: String },
    #[error("{path} lacks the column {column} ({column_zh}) that {kind} need; see docs/import.md")]
    MissingColumn { path: String, kind: &'static str, column: &'static str, column_zh: &'static str },
    #[error("{} bad row(s), nothing imported (fix them, or pass --skip-bad to import the rest):\n{}", .rows.len(), .rows.iter().map(|r| format!("  {r}")).collect::<Vec<_>>().join("\n"))]
    BadRows { rows: Vec<RowError> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub kind: ImportKind,
    pub inserted: usize,
    pub updated: usize,
    /// Rows left out because `skip_bad` was set.
    pub skipped: Vec<RowError>,
}

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub kind: Option<ImportKind>,
    pub skip_bad: bool,
}

/// A table read from a file: normalised headers and rows of text cells.
#[derive(Debug, Clone)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

fn header_key(kind: ImportKind, header: &str) -> Option<&'static str> {
    let h = header.trim().trim_start_matches('\u{feff}').trim_end_matches('*');
    kind.columns().iter().find(|(key, zh, _)| h.eq_ignore_ascii_case(key) || h == *zh).map(|(key, _, _)| *key)
}

fn detect(table: &Table) -> Option<ImportKind> {
    let score = |k: ImportKind| {
        let required_ok = k
            .columns()
            .iter()
            .filter(|c| c.2)
            .all(|(key, _, _)| table.headers.iter().any(|h| header_key(k, h) == Some(*key)));
        let matched = table.headers.iter().filter(|h| header_key(k, h).is_some()).count();
        (required_ok, matched)
    };
    let mut best: Vec<(ImportKind, usize)> = ImportKind::ALL
        .iter()
        .filter_map(|&k| match score(k) {
            (true, n) => Some((k, n)),
            _ => None,
        })
        .collect();
    best.sort_by_key(|b| std::cmp::Reverse(b.1));
    match best.as_slice() {
        [only] => Some(only.0),
        [a, b, ..] if a.1 > b.1 => Some(a.0),
        _ => None,
    }
}

/// Imports a CSV or XLSX file into the store.
pub fn import_file(
    store: &mut Store,
    path: &Path,
    options: &ImportOptions,
    clock: &dyn Clock,
) -> Result<ImportReport, ImportError> {
    let table = read_table(path)?;
    import_table(store, &table, &path.display().to_string(), options, clock)
}

/// Imports an already-read table.
pub fn import_table(
    store: &mut Store,
    table: &Table,
    path: &str,
    options: &ImportOptions,
    clock: &dyn Clock,
) -> Result<ImportReport, ImportError> {
    if table.rows.is_empty() {
        return Err(ImportError::Empty { path: path.to_owned() });
    }
    let kind = match options.kind.or_else(|| detect(table)) {
        Some(k) => k,
        None => return Err(ImportError::UnknownKind { path: path.to_owned(), headers: table.headers.join(", ") }),
    };
    let index: Vec<Option<&'static str>> = table.headers.iter().map(|h| header_key(kind, h)).collect();
    for (key, zh, required) in kind.columns() {
        if *required && !index.contains(&Some(*key)) {
            return Err(ImportError::MissingColumn {
                path: path.to_owned(),
                kind: kind.as_str(),
                column: key,
                column_zh: zh,
            });
        }
    }
    let now = clock.now_rfc3339();
    let source = format!("import:{}", Path::new(path).file_name().and_then(|s| s.to_str()).unwrap_or(path));
    let tx = store.transaction()?;
    let mut report = ImportReport { kind, inserted: 0, updated: 0, skipped: Vec::new() };
    let mut bad = Vec::new();
    for (i, cells) in table.rows.iter().enumerate() {
        let row_no = i + 2;
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let row = Row { no: row_no, cells, index: &index };
        let ctx = Ctx { conn: &tx, now: &now, source: &source };
        match import_row(&ctx, kind, &row) {
            Ok(true) => report.inserted += 1,
            Ok(false) => report.updated += 1,
            Err(RowFailure::Bad(e)) => bad.push(e),
            Err(RowFailure::Db(e)) => return Err(ImportError::Store(StoreError::Query(e))),
        }
    }
    if !bad.is_empty() && !options.skip_bad {
        // Dropping the transaction rolls every row back.
        return Err(ImportError::BadRows { rows: bad });
    }
    report.skipped = bad;
    tx.commit().map_err(StoreError::Query)?;
    Ok(report)
}

struct Row<'a> {
    no: usize,
    cells: &'a [String],
    index: &'a [Option<&'static str>],
}

enum RowFailure {
    Bad(RowError),
    Db(rusqlite::Error),
}

impl From<rusqlite::Error> for RowFailure {
    fn from(e: rusqlite::Error) -> Self {
        RowFailure::Db(e)
    }
}

impl Row<'_> {
    fn get(&self, key: &str) -> &str {
        self.index.iter().position(|k| *k == Some(key)).and_then(|i| self.cells.get(i)).map(|s| s.trim()).unwrap_or("")
    }

    fn bad(&self, column: &str, message_zh: String, message: String) -> RowFailure {
        RowFailure::Bad(RowError { row: self.no, column: Some(column.to_owned()), message, message_zh })
    }

    fn required(&self, key: &str) -> Result<String, RowFailure> {
        let v = self.get(key);
        if v.is_empty() {
            return Err(self.bad(key, "为空，但此列必填".to_owned(), "is empty but required".to_owned()));
        }
        Ok(v.to_owned())
    }

    fn number(&self, key: &str, required: bool) -> Result<Option<f64>, RowFailure> {
        let v = self.get(key).replace(',', "");
        if v.is_empty() {
            return if required {
                Err(self.bad(key, "为空，但此列必填".to_owned(), "is empty but required".to_owned()))
            } else {
                Ok(None)
            };
        }
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(Some(x)),
            _ => Err(self.bad(key, format!("「{v}」不是数字"), format!("{v:?} is not a number"))),
        }
    }

    /// WGS-84 latitude and longitude; both or neither when optional.
    fn position(&self, required: bool) -> Result<Option<(f64, f64)>, RowFailure> {
        let (lat, lon) = (self.number("lat", required)?, self.number("lon", required)?);
        match (lat, lon) {
            (Some(lat), Some(lon)) => {
                if (70.0..=140.0).contains(&lat) && (0.0..=60.0).contains(&lon) {
                    return Err(self.bad(
                        "lat",
                        format!("纬度 {lat} 与经度 {lon} 似乎填反了"),
                        format!("latitude {lat} and longitude {lon} look swapped"),
                    ));
                }
                if !(-90.0..=90.0).contains(&lat) {
                    return Err(self.bad(
                        "lat",
                        format!("纬度 {lat} 超出 −90…90"),
                        format!("latitude {lat} is outside −90…90"),
                    ));
                }
                if !(-180.0..=180.0).contains(&lon) {
                    return Err(self.bad(
                        "lon",
                        format!("经度 {lon} 超出 −180…180"),
                        format!("longitude {lon} is outside −180…180"),
                    ));
                }
                Ok(Some((lat, lon)))
            }
            (None, None) => Ok(None),
            _ => Err(self.bad(
                "lat",
                "纬度和经度须同时填写".to_owned(),
                "latitude and longitude must be given together".to_owned(),
            )),
        }
    }

    fn region(&self, conn: &Connection) -> Result<String, RowFailure> {
        let code = self.required("region_code")?;
        let known: Option<String> = conn
            .prepare_cached("SELECT code FROM regions WHERE code = ?1")?
            .query_row([&code], |r| r.get(0))
            .optional()?;
        known.ok_or_else(|| {
            self.bad(
                "region_code",
                format!("{code} 不是已知的行政区划代码"),
                format!("{code} is not a known administrative code"),
            )
        })
    }
}

struct Ctx<'a> {
    conn: &'a Connection,
    now: &'a str,
    source: &'a str,
}

impl Ctx<'_> {
    /// The id of an existing record with this name in this region, to update instead of duplicating.
    fn existing(&self, table: &str, name: &str, region: &str) -> rusqlite::Result<Option<(String, String)>> {
        self.conn
            .prepare_cached(&format!("SELECT id, created_at FROM {table} WHERE name = ?1 AND region_code = ?2"))?
            .query_row([name, region], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
    }
}

/// Imports one row; `Ok(true)` when inserted, `Ok(false)` when it updated an existing record.
fn import_row(ctx: &Ctx<'_>, kind: ImportKind, row: &Row<'_>) -> Result<bool, RowFailure> {
    let conn = ctx.conn;
    let new_id = yingji_store::new_id;
    match kind {
        ImportKind::Teams => {
            let name = row.required("name")?;
            let region = row.region(conn)?;
            let size = row.number("size", true)?.unwrap_or(0.0);
            if size < 0.0 || size.fract() != 0.0 {
                return Err(row.bad(
                    "size",
                    format!("人数 {size} 不是非负整数"),
                    format!("{size} is not a whole number of people"),
                ));
            }
            let (lat, lon) = row.position(true)?.expect("required");
            let existing = ctx.existing("teams", &name, &region)?;
            let (id, created) = existing.clone().unwrap_or_else(|| (new_id(), ctx.now.to_owned()));
            let t = Team {
                id,
                region_code: region,
                name,
                team_type: row.required("team_type")?,
                size: size as i64,
                specialties: row.get("specialties").to_owned(),
                equipment: row.get("equipment").to_owned(),
                base_address: row.get("base_address").to_owned(),
                contact_name: row.get("contact_name").to_owned(),
                contact_phone: row.get("contact_phone").to_owned(),
                lat,
                lon,
                data_source: ctx.source.to_owned(),
                created_at: created,
                updated_at: ctx.now.to_owned(),
            };
            upsert(existing.is_some(), || t.upsert(conn))
        }
        ImportKind::Experts => {
            let name = row.required("name")?;
            let region = row.region(conn)?;
            let pos = row.position(false)?;
            let existing = ctx.existing("experts", &name, &region)?;
            let (id, created) = existing.clone().unwrap_or_else(|| (new_id(), ctx.now.to_owned()));
            let e = Expert {
                id,
                region_code: region,
                name,
                specialty: row.required("specialty")?,
                organisation: row.get("organisation").to_owned(),
                title: row.get("title").to_owned(),
                contact_phone: row.get("contact_phone").to_owned(),
                lat: pos.map(|p| p.0),
                lon: pos.map(|p| p.1),
                data_source: ctx.source.to_owned(),
                created_at: created,
                updated_at: ctx.now.to_owned(),
            };
            upsert(existing.is_some(), || e.upsert(conn))
        }
        ImportKind::Warehouses => {
            let name = row.required("name")?;
            let region = row.region(conn)?;
            let (lat, lon) = row.position(true)?.expect("required");
            let existing = ctx.existing("warehouses", &name, &region)?;
            let (id, created) = existing.clone().unwrap_or_else(|| (new_id(), ctx.now.to_owned()));
            let w = Warehouse {
                id,
                region_code: region,
                name,
                owner: row.get("owner").to_owned(),
                address: row.get("address").to_owned(),
                contact_name: row.get("contact_name").to_owned(),
                contact_phone: row.get("contact_phone").to_owned(),
                lat,
                lon,
                data_source: ctx.source.to_owned(),
                created_at: created,
                updated_at: ctx.now.to_owned(),
            };
            upsert(existing.is_some(), || w.upsert(conn))
        }
        ImportKind::Stock => import_stock(ctx, row),
        ImportKind::RiskSources => import_risk_source(ctx, row),
    }
}

fn upsert(exists: bool, write: impl FnOnce() -> rusqlite::Result<()>) -> Result<bool, RowFailure> {
    write()?;
    Ok(!exists)
}

fn import_stock(ctx: &Ctx<'_>, row: &Row<'_>) -> Result<bool, RowFailure> {
    let conn = ctx.conn;
    let house = row.required("warehouse")?;
    let warehouse: Option<(String, String)> = conn
        .prepare_cached("SELECT id, region_code FROM warehouses WHERE id = ?1 OR name = ?1 ORDER BY id LIMIT 1")?
        .query_row([&house], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (warehouse_id, region) = warehouse.ok_or_else(|| {
        row.bad(
            "warehouse",
            format!("没有名为「{house}」的物资库，请先导入物资库"),
            format!("no warehouse named {house}; import the warehouses first"),
        )
    })?;
    let name = row.required("name")?;
    let category_text = row.required("category")?;
    let category = StockCategory::parse(&category_text).ok_or_else(|| {
        let known: Vec<&str> = StockCategory::ALL.iter().map(|c| c.label_zh()).collect();
        row.bad(
            "category",
            format!("「{category_text}」不是物资类别，可选：{}", known.join("、")),
            format!("{category_text} is not a category; use one of {}", known.join(", ")),
        )
    })?;
    let quantity = row.number("quantity", true)?.unwrap_or(0.0);
    if quantity < 0.0 {
        return Err(row.bad("quantity", format!("数量 {quantity} 为负数"), format!("{quantity} is negative")));
    }
    let expiry = match row.get("expiry_date") {
        "" => None,
        d if is_date(d) => Some(d.to_owned()),
        d => {
            return Err(row.bad(
                "expiry_date",
                format!("「{d}」不是 2027-06-30 这样的日期"),
                format!("{d} is not a date like 2027-06-30"),
            ))
        }
    };
    let spec = row.get("spec").to_owned();
    let existing: Option<(String, String)> = conn
        .prepare_cached("SELECT id, created_at FROM stock_items WHERE warehouse_id = ?1 AND name = ?2 AND spec = ?3")?
        .query_row([&warehouse_id, &name, &spec], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (id, created) = existing.clone().unwrap_or_else(|| (yingji_store::new_id(), ctx.now.to_owned()));
    StockItem {
        id: id.clone(),
        region_code: region.clone(),
        warehouse_id,
        name,
        category,
        spec,
        unit: row.required("unit")?,
        expiry_date: expiry,
        data_source: ctx.source.to_owned(),
        created_at: created,
        updated_at: ctx.now.to_owned(),
    }
    .upsert(conn)?;
    // The quantity is never written: the difference to the ledger's sum becomes an entry.
    let current = stock_quantity(conn, &id)?;
    let delta = quantity - current;
    if delta.abs() > 1e-9 {
        LedgerEntry {
            id: yingji_store::new_id(),
            stock_item_id: id,
            region_code: region,
            entry_kind: if existing.is_some() { LedgerKind::Correction } else { LedgerKind::Receipt },
            quantity_delta: delta,
            note: format!("导入 {}", ctx.source.trim_start_matches("import:")),
            recorded_at: ctx.now.to_owned(),
            data_source: ctx.source.to_owned(),
            created_at: ctx.now.to_owned(),
        }
        .insert(conn)?;
    }
    Ok(existing.is_none())
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && s[..4].parse::<u16>().is_ok()
        && s[5..7].parse::<u8>().is_ok_and(|m| (1..=12).contains(&m))
        && s[8..].parse::<u8>().is_ok_and(|d| (1..=31).contains(&d))
}

/// Parses `苯:71-43-2:1114:50; 甲苯:108-88-3:1294:20` (name:CAS:UN:maximum tonnes).
fn parse_chemicals(row: &Row<'_>) -> Result<Vec<(String, String, String, f64)>, RowFailure> {
    let text = row.get("chemicals");
    let mut out = Vec::new();
    for item in text.split([';', '；']).map(str::trim).filter(|s| !s.is_empty()) {
        let parts: Vec<&str> = item.split([':', '：']).map(str::trim).collect();
        let [name, cas, un, qty] = parts.as_slice() else {
            return Err(row.bad(
                "chemicals",
                format!("「{item}」应写作 名称:CAS:UN:吨数"),
                format!("{item:?} should be name:CAS:UN:tonnes"),
            ));
        };
        let q: f64 = qty.parse().ok().filter(|q: &f64| q.is_finite() && *q >= 0.0).ok_or_else(|| {
            row.bad(
                "chemicals",
                format!("「{item}」中的「{qty}」不是吨数"),
                format!("{qty:?} in {item:?} is not a quantity in tonnes"),
            )
        })?;
        out.push(((*name).to_owned(), (*cas).to_owned(), (*un).to_owned(), q));
    }
    Ok(out)
}

fn import_risk_source(ctx: &Ctx<'_>, row: &Row<'_>) -> Result<bool, RowFailure> {
    let conn = ctx.conn;
    let name = row.required("name")?;
    let region = row.region(conn)?;
    let kind = match row.get("kind") {
        "" => RiskSourceKind::Enterprise,
        k => RiskSourceKind::parse(k).ok_or_else(|| {
            row.bad(
                "kind",
                format!("「{k}」不是 企业/化工园区/管道/危化品运输路段"),
                format!("{k} is not enterprise/chemical_park/pipeline/transport_road"),
            )
        })?,
    };
    let grade_text = row.required("grade")?;
    let grade = RiskGrade::parse(&grade_text).ok_or_else(|| {
        row.bad(
            "grade",
            format!("「{grade_text}」不是 一般/较大/重大（HJ 941-2018）"),
            format!("{grade_text} is not general/larger/major (一般/较大/重大, HJ 941-2018)"),
        )
    })?;
    let (lat, lon) = row.position(true)?.expect("required");
    let chemicals = parse_chemicals(row)?;
    let existing = ctx.existing("risk_sources", &name, &region)?;
    let (id, created) = existing.clone().unwrap_or_else(|| (yingji_store::new_id(), ctx.now.to_owned()));
    RiskSource {
        id: id.clone(),
        region_code: region.clone(),
        kind,
        name,
        grade,
        industry: row.get("industry").to_owned(),
        address: row.get("address").to_owned(),
        park_id: None,
        lat: Some(lat),
        lon: Some(lon),
        geometry_json: None,
        contact_name: row.get("contact_name").to_owned(),
        contact_phone: row.get("contact_phone").to_owned(),
        data_source: ctx.source.to_owned(),
        created_at: created,
        updated_at: ctx.now.to_owned(),
    }
    .upsert(conn)?;
    if !chemicals.is_empty() {
        // The spreadsheet's list replaces the chemicals on record.
        conn.execute("DELETE FROM risk_source_chemicals WHERE risk_source_id = ?1", [&id])?;
        for (cname, cas, un, q) in chemicals {
            ChemicalHolding {
                id: yingji_store::new_id(),
                risk_source_id: id.clone(),
                region_code: region.clone(),
                name_zh: cname,
                cas,
                un_number: un,
                max_quantity_t: q,
                data_source: ctx.source.to_owned(),
                created_at: ctx.now.to_owned(),
                updated_at: ctx.now.to_owned(),
            }
            .insert(conn)?;
        }
    }
    Ok(existing.is_none())
}
