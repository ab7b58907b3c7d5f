//! Incident command: from the first call to the closing summary, offline.
//!
//! * The command log (`incident_log`) and every table but `incidents` are append-only (SQLite
//!   triggers refuse UPDATE and DELETE); a mistake is corrected by a later entry that references
//!   it. `incidents.status` and `confirmed_tier` are a cache of what the log says.
//! * Time comes only from a [`Clock`]; ids are random UUIDs (stable text ids, so the tables sync).
//! * Writes take a `&Transaction` (one user action = one transaction), reads a `&Connection`.

// `text_enum!` (closed vocabularies stored as text) from the store, for every module here.
#[macro_use]
extern crate yingji_store;

pub mod cap;
pub mod deadline;
pub mod dispatch;
pub mod export;
pub mod gate;
pub mod report;
pub mod severity;
pub mod support;

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};
pub use severity::Tier;
use yingji_store::{new_id, Clock, StoreError};

/// Why an incident action was refused. Messages say what to do next.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IncidentError {
    #[error("no {kind} with id {id}; list incidents with `yingji incident list`")]
    NotFound { kind: &'static str, id: String },
    #[error("invalid {field}: {message}")]
    Invalid { field: &'static str, message: String, message_zh: String },
    #[error("incident {id} is closed; closed incidents take no new entries")]
    Closed { id: String },
    #[error("only {available} {unit} of stock item {stock_item_id} are left, {requested} asked; allocate less or from another warehouse")]
    NotEnoughStock { stock_item_id: String, requested: f64, available: f64, unit: String },
    #[error("no Chinese font found (looked at {searched}); install fonts-noto-cjk or set YINGJI_CJK_FONT to a .ttf/.otf/.ttc path")]
    NoCjkFont { searched: String },
    #[error("export failed: {message}")]
    Export { message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for IncidentError {
    fn from(e: rusqlite::Error) -> IncidentError {
        IncidentError::Store(StoreError::Query(e))
    }
}

pub type Result<T, E = IncidentError> = std::result::Result<T, E>;

pub(crate) fn invalid(field: &'static str, zh: impl Into<String>, en: impl Into<String>) -> IncidentError {
    IncidentError::Invalid { field, message: en.into(), message_zh: zh.into() }
}

text_enum!(
    /// What kind of incident.
    IncidentType {
        Water = "water", "水污染", "water pollution";
        Air = "air", "大气污染", "air pollution";
        Soil = "soil", "土壤污染", "soil pollution";
        Transport = "transport", "危化品运输事故", "hazmat transport accident";
        FireWater = "fire_water", "消防废水", "fire-fighting water";
        Marine = "marine", "海洋污染", "marine pollution";
        Other = "other", "其他", "other";
    }
);

text_enum!(
    /// Incident state.
    IncidentStatus {
        Open = "open", "处置中", "open";
        Closed = "closed", "已结案", "closed";
    }
);

text_enum!(
    /// Kinds of command log entry.
    LogKind {
        Alarm = "alarm", "接报", "alarm";
        Decision = "decision", "决策", "decision";
        Order = "order", "指令", "order";
        Call = "call", "调用", "call";
        Arrival = "arrival", "到达", "arrival";
        Note = "note", "记录", "note";
        Tier = "tier", "定级", "tier";
        Dispatch = "dispatch", "物资调拨", "dispatch";
        Report = "report", "报告", "report";
        Warning = "warning", "预警", "warning";
        Cost = "cost", "费用", "cost";
        Correction = "correction", "更正", "correction";
        Closing = "closing", "结案", "closing";
    }
);

text_enum!(
    /// Status of an order to a team; each change is a log entry.
    OrderStatus {
        Issued = "issued", "已下达", "issued";
        Acknowledged = "acknowledged", "已确认", "acknowledged";
        EnRoute = "en_route", "出发", "en route";
        OnScene = "on_scene", "到场", "on scene";
        Completed = "completed", "完成", "completed";
        Cancelled = "cancelled", "取消", "cancelled";
    }
);

/// A pollutant as entered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pollutant {
    pub name_zh: String,
    pub cas: String,
    pub estimated_quantity_kg: Option<f64>,
}

/// What the operator enters when an alarm comes in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewIncident {
    pub name: String,
    pub incident_type: IncidentType,
    pub lat: f64,
    pub lon: f64,
    /// The county; found from the position (nearest county seat) when left out.
    pub region_code: Option<String>,
    pub risk_source_id: Option<String>,
    pub source_description: String,
    /// RFC 3339; the clock's now when left out.
    pub occurred_at: Option<String>,
    pub reported_by: String,
    pub exercise: bool,
    pub pollutants: Vec<Pollutant>,
}

/// An incident as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub id: String,
    pub region_code: String,
    pub name: String,
    pub incident_type: IncidentType,
    pub lat: f64,
    pub lon: f64,
    pub risk_source_id: Option<String>,
    pub source_description: String,
    pub occurred_at: String,
    pub reported_by: String,
    pub status: IncidentStatus,
    pub confirmed_tier: Option<Tier>,
    pub exercise: bool,
    pub data_source: String,
    /// When the console learned of it: the start of the reporting deadlines.
    pub created_at: String,
    pub updated_at: String,
}

impl Incident {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<Incident> {
        Ok(Incident {
            id: r.get("id")?,
            region_code: r.get("region_code")?,
            name: r.get("name")?,
            incident_type: r.get("incident_type")?,
            lat: r.get("lat")?,
            lon: r.get("lon")?,
            risk_source_id: r.get("risk_source_id")?,
            source_description: r.get("source_description")?,
            occurred_at: r.get("occurred_at")?,
            reported_by: r.get("reported_by")?,
            status: r.get("status")?,
            confirmed_tier: r.get("confirmed_tier")?,
            exercise: r.get("exercise")?,
            data_source: r.get("data_source")?,
            created_at: r.get("created_at")?,
            updated_at: r.get("updated_at")?,
        })
    }
}

/// One command log entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    pub id: String,
    pub incident_id: String,
    pub kind: LogKind,
    pub author: String,
    pub body: String,
    pub ref_table: Option<String>,
    pub ref_id: Option<String>,
    pub status: Option<OrderStatus>,
    pub corrects_id: Option<String>,
    pub recorded_at: String,
}

impl LogEntry {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<LogEntry> {
        Ok(LogEntry {
            id: r.get("id")?,
            incident_id: r.get("incident_id")?,
            kind: r.get("kind")?,
            author: r.get("author")?,
            body: r.get("body")?,
            ref_table: r.get("ref_table")?,
            ref_id: r.get("ref_id")?,
            status: r.get("status")?,
            corrects_id: r.get("corrects_id")?,
            recorded_at: r.get("recorded_at")?,
        })
    }
}

/// A time as stored: RFC 3339, UTC.
pub fn rfc3339(t: yingji_store::Timestamp) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .expect("RFC 3339 formats every UTC time")
}

pub(crate) fn parse_time(field: &'static str, s: &str) -> Result<yingji_store::Timestamp> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).map_err(|e| {
        invalid(
            field,
            format!("时间「{s}」不是 RFC 3339 格式（例如 2026-11-29T14:20:00+08:00）"),
            format!("{s:?} is not an RFC 3339 time (e.g. 2026-11-29T14:20:00+08:00): {e}"),
        )
    })
}

fn nonempty(field: &'static str, v: &str, zh: &str) -> Result<()> {
    if v.trim().is_empty() {
        return Err(invalid(field, format!("请填写{zh}"), format!("{field} must not be empty")));
    }
    Ok(())
}

/// The county whose seat is nearest to a point (the incident's region when none is given).
pub fn county_at(conn: &Connection, lat: f64, lon: f64) -> Result<String> {
    let k = lat.to_radians().cos().powi(2);
    conn.query_row(
        "SELECT code FROM regions WHERE level = 'county' AND lat IS NOT NULL
         ORDER BY (lat - ?1) * (lat - ?1) + ?3 * (lon - ?2) * (lon - ?2) LIMIT 1",
        params![lat, lon, k],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| {
        invalid(
            "region_code",
            "数据库中没有县级行政区，请指定行政区代码",
            "the database holds no counties; give region_code",
        )
    })
}

/// Receives an alarm: stores the incident, its pollutants and the first log entry.
pub fn create(tx: &Transaction<'_>, clock: &dyn Clock, new: &NewIncident) -> Result<Incident> {
    nonempty("name", &new.name, "事件名称")?;
    nonempty("reported_by", &new.reported_by, "报告人")?;
    yingji_store::query::LatLon::checked(new.lat, new.lon)?;
    let now = clock.now_rfc3339();
    let occurred_at = match &new.occurred_at {
        Some(s) => rfc3339(parse_time("occurred_at", s)?),
        None => now.clone(),
    };
    let region_code = match &new.region_code {
        Some(c) => {
            let known: Option<String> =
                tx.query_row("SELECT code FROM regions WHERE code = ?1", [c], |r| r.get(0)).optional()?;
            known.ok_or_else(|| {
                invalid("region_code", format!("行政区代码 {c} 不存在"), format!("no region with code {c}"))
            })?
        }
        None => county_at(tx, new.lat, new.lon)?,
    };
    if let Some(rs) = &new.risk_source_id {
        let n: i64 = tx.query_row("SELECT count(*) FROM risk_sources WHERE id = ?1", [rs], |r| r.get(0))?;
        if n == 0 {
            return Err(IncidentError::NotFound { kind: "risk source", id: rs.clone() });
        }
    }
    // A drill database (`meta` key `drill.id`, set by yingji-drill) takes only exercises.
    let exercise = new.exercise || is_drill_db(tx)?;
    let id = new_id();
    tx.execute(
        "INSERT INTO incidents (id, region_code, name, incident_type, lat, lon, risk_source_id, source_description,
            occurred_at, reported_by, status, confirmed_tier, exercise, data_source, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'open', NULL, ?11, 'console', ?12, ?12)",
        params![
            id,
            region_code,
            new.name.trim(),
            new.incident_type,
            new.lat,
            new.lon,
            new.risk_source_id,
            new.source_description,
            occurred_at,
            new.reported_by,
            exercise,
            now
        ],
    )?;
    for p in &new.pollutants {
        nonempty("pollutants", &p.name_zh, "污染物名称")?;
        if p.estimated_quantity_kg.is_some_and(|q| q.is_nan() || q < 0.0) {
            return Err(invalid("pollutants", "污染物估计量不能为负", "estimated_quantity_kg must be ≥ 0"));
        }
        tx.execute(
            "INSERT INTO incident_pollutants (id, incident_id, region_code, name_zh, cas, estimated_quantity_kg, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![new_id(), id, region_code, p.name_zh.trim(), p.cas.trim(), p.estimated_quantity_kg, now],
        )?;
    }
    let body = format!(
        "接报：{}（{}），{:.5}, {:.5}{}",
        new.name.trim(),
        new.incident_type.label_zh(),
        new.lat,
        new.lon,
        if exercise { "【演练】" } else { "" }
    );
    append(tx, clock, &id, LogKind::Alarm, &new.reported_by, &body, None, None)?;
    get(tx, &id)
}

/// Whether the database is a drill's copy: every incident created in it is an exercise.
pub fn is_drill_db(conn: &Connection) -> Result<bool> {
    let n: i64 = conn.query_row("SELECT count(*) FROM meta WHERE key = 'drill.id'", [], |r| r.get(0))?;
    Ok(n > 0)
}

/// An incident by id.
pub fn get(conn: &Connection, id: &str) -> Result<Incident> {
    conn.query_row("SELECT * FROM incidents WHERE id = ?1", [id], Incident::from_row)
        .optional()?
        .ok_or_else(|| IncidentError::NotFound { kind: "incident", id: id.to_owned() })
}

/// All incidents, newest first.
pub fn list(conn: &Connection) -> Result<Vec<Incident>> {
    let mut stmt = conn.prepare("SELECT * FROM incidents ORDER BY occurred_at DESC, id")?;
    let rows = stmt.query_map([], Incident::from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The incident's pollutants.
pub fn pollutants(conn: &Connection, incident_id: &str) -> Result<Vec<Pollutant>> {
    let mut stmt = conn.prepare(
        "SELECT name_zh, cas, estimated_quantity_kg FROM incident_pollutants WHERE incident_id = ?1 ORDER BY created_at, id",
    )?;
    let rows = stmt.query_map([incident_id], |r| {
        Ok(Pollutant { name_zh: r.get(0)?, cas: r.get(1)?, estimated_quantity_kg: r.get(2)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// An open incident, or why not.
pub(crate) fn open_incident(conn: &Connection, id: &str) -> Result<Incident> {
    let inc = get(conn, id)?;
    if inc.status == IncidentStatus::Closed {
        return Err(IncidentError::Closed { id: id.to_owned() });
    }
    Ok(inc)
}

/// Appends one log entry (the only way anything enters the log).
#[allow(clippy::too_many_arguments)]
pub(crate) fn append(
    tx: &Transaction<'_>,
    clock: &dyn Clock,
    incident_id: &str,
    kind: LogKind,
    author: &str,
    body: &str,
    reference: Option<(&str, &str)>,
    status: Option<OrderStatus>,
) -> Result<LogEntry> {
    nonempty("author", author, "记录人")?;
    let region: String =
        tx.query_row("SELECT region_code FROM incidents WHERE id = ?1", [incident_id], |r| r.get(0))?;
    let id = new_id();
    let now = clock.now_rfc3339();
    tx.execute(
        "INSERT INTO incident_log (id, incident_id, region_code, kind, author, body, ref_table, ref_id, status, corrects_id, recorded_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL, ?10, ?10)",
        params![id, incident_id, region, kind, author.trim(), body, reference.map(|r| r.0), reference.map(|r| r.1), status, now],
    )?;
    Ok(tx.query_row("SELECT * FROM incident_log WHERE id = ?1", [&id], LogEntry::from_row)?)
}

/// Adds a free entry (decision, call, arrival or note) to an open incident's log.
pub fn log(
    tx: &Transaction<'_>,
    clock: &dyn Clock,
    incident_id: &str,
    kind: LogKind,
    author: &str,
    body: &str,
) -> Result<LogEntry> {
    open_incident(tx, incident_id)?;
    if !matches!(kind, LogKind::Decision | LogKind::Call | LogKind::Arrival | LogKind::Note) {
        return Err(invalid(
            "kind",
            "自由记录只能是 决策/调用/到达/记录；其他类型由对应操作生成",
            "free entries are decision, call, arrival or note; other kinds come from their own actions",
        ));
    }
    nonempty("body", body, "记录内容")?;
    append(tx, clock, incident_id, kind, author, body, None, None)
}

/// Corrects an earlier entry by a new one that references it; the earlier entry stays.
pub fn correct(
    tx: &Transaction<'_>,
    clock: &dyn Clock,
    incident_id: &str,
    corrects_id: &str,
    author: &str,
    body: &str,
) -> Result<LogEntry> {
    nonempty("body", body, "更正内容")?;
    nonempty("author", author, "记录人")?;
    let of: Option<String> =
        tx.query_row("SELECT incident_id FROM incident_log WHERE id = ?1", [corrects_id], |r| r.get(0)).optional()?;
    if of.as_deref() != Some(incident_id) {
        return Err(IncidentError::NotFound { kind: "log entry of this incident", id: corrects_id.to_owned() });
    }
    let region: String =
        tx.query_row("SELECT region_code FROM incidents WHERE id = ?1", [incident_id], |r| r.get(0))?;
    let id = new_id();
    let now = clock.now_rfc3339();
    tx.execute(
        "INSERT INTO incident_log (id, incident_id, region_code, kind, author, body, ref_table, ref_id, status, corrects_id, recorded_at, created_at)
         VALUES (?1, ?2, ?3, 'correction', ?4, ?5, 'incident_log', ?6, NULL, ?6, ?7, ?7)",
        params![id, incident_id, region, author.trim(), body, corrects_id, now],
    )?;
    Ok(tx.query_row("SELECT * FROM incident_log WHERE id = ?1", [&id], LogEntry::from_row)?)
}

/// The log, oldest first.
pub fn log_of(conn: &Connection, incident_id: &str) -> Result<Vec<LogEntry>> {
    let mut stmt = conn.prepare("SELECT * FROM incident_log WHERE incident_id = ?1 ORDER BY recorded_at, rowid")?;
    let rows = stmt.query_map([incident_id], LogEntry::from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The commander confirms a tier: a `tier` log entry; the incident row caches it.
pub fn confirm_tier(
    tx: &Transaction<'_>,
    clock: &dyn Clock,
    incident_id: &str,
    tier: Tier,
    author: &str,
    note: &str,
) -> Result<LogEntry> {
    open_incident(tx, incident_id)?;
    let body = if note.trim().is_empty() {
        format!("确认事件级别：{}", tier.label_zh())
    } else {
        format!("确认事件级别：{}。{}", tier.label_zh(), note.trim())
    };
    let entry = append(tx, clock, incident_id, LogKind::Tier, author, &body, None, None)?;
    tx.execute(
        "UPDATE incidents SET confirmed_tier = ?2, updated_at = ?3 WHERE id = ?1",
        params![incident_id, tier, clock.now_rfc3339()],
    )?;
    Ok(entry)
}

/// An order to a team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub id: String,
    pub team_id: String,
    pub team_name: String,
    pub task: String,
    pub issued_by: String,
    pub issued_at: String,
    /// The latest status from the log.
    pub status: OrderStatus,
}

/// Orders a team to a task (status `issued`, logged).
pub fn order_team(
    tx: &Transaction<'_>,
    clock: &dyn Clock,
    incident_id: &str,
    team_id: &str,
    task: &str,
    author: &str,
) -> Result<Order> {
    let inc = open_incident(tx, incident_id)?;
    nonempty("task", task, "任务")?;
    let team: Option<String> =
        tx.query_row("SELECT name FROM teams WHERE id = ?1", [team_id], |r| r.get(0)).optional()?;
    let team_name = team.ok_or_else(|| IncidentError::NotFound { kind: "team", id: team_id.to_owned() })?;
    let id = new_id();
    let now = clock.now_rfc3339();
    tx.execute(
        "INSERT INTO incident_orders (id, incident_id, region_code, team_id, task, issued_by, issued_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        params![id, incident_id, inc.region_code, team_id, task.trim(), author, now],
    )?;
    append(
        tx,
        clock,
        incident_id,
        LogKind::Order,
        author,
        &format!("指令 {team_name}：{}", task.trim()),
        Some(("incident_orders", &id)),
        Some(OrderStatus::Issued),
    )?;
    Ok(Order {
        id,
        team_id: team_id.into(),
        team_name,
        task: task.trim().into(),
        issued_by: author.into(),
        issued_at: now,
        status: OrderStatus::Issued,
    })
}

/// A status change of an order, as a log entry.
pub fn order_status(
    tx: &Transaction<'_>,
    clock: &dyn Clock,
    order_id: &str,
    status: OrderStatus,
    author: &str,
) -> Result<LogEntry> {
    let row: Option<(String, String)> = tx
        .query_row(
            "SELECT o.incident_id, t.name FROM incident_orders o JOIN teams t ON t.id = o.team_id WHERE o.id = ?1",
            [order_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (incident_id, team) = row.ok_or_else(|| IncidentError::NotFound { kind: "order", id: order_id.to_owned() })?;
    open_incident(tx, &incident_id)?;
    append(
        tx,
        clock,
        &incident_id,
        LogKind::Order,
        author,
        &format!("{team}：{}", status.label_zh()),
        Some(("incident_orders", order_id)),
        Some(status),
    )
}

/// The incident's orders with their latest status.
pub fn orders_of(conn: &Connection, incident_id: &str) -> Result<Vec<Order>> {
    let mut stmt = conn.prepare(
        "SELECT o.id, o.team_id, t.name, o.task, o.issued_by, o.issued_at,
                (SELECT l.status FROM incident_log l WHERE l.ref_id = o.id AND l.status IS NOT NULL ORDER BY l.recorded_at DESC, l.rowid DESC LIMIT 1)
         FROM incident_orders o JOIN teams t ON t.id = o.team_id WHERE o.incident_id = ?1 ORDER BY o.issued_at, o.id",
    )?;
    let rows = stmt.query_map([incident_id], |r| {
        Ok(Order {
            id: r.get(0)?,
            team_id: r.get(1)?,
            team_name: r.get(2)?,
            task: r.get(3)?,
            issued_by: r.get(4)?,
            issued_at: r.get(5)?,
            status: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A cost entered by hand (yuan), logged.
pub fn add_cost(
    tx: &Transaction<'_>,
    clock: &dyn Clock,
    incident_id: &str,
    description: &str,
    amount_yuan: f64,
    author: &str,
) -> Result<()> {
    let inc = open_incident(tx, incident_id)?;
    nonempty("description", description, "费用说明")?;
    if !(amount_yuan >= 0.0 && amount_yuan.is_finite()) {
        return Err(invalid("amount_yuan", "金额必须是非负数", "amount_yuan must be a number ≥ 0"));
    }
    let id = new_id();
    let now = clock.now_rfc3339();
    tx.execute(
        "INSERT INTO incident_costs (id, incident_id, region_code, description, amount_yuan, recorded_by, recorded_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        params![id, incident_id, inc.region_code, description.trim(), amount_yuan, author, now],
    )?;
    append(
        tx,
        clock,
        incident_id,
        LogKind::Cost,
        author,
        &format!("费用：{} {amount_yuan:.2} 元", description.trim()),
        Some(("incident_costs", &id)),
        None,
    )?;
    Ok(())
}

/// A material line used, for the closing summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MaterialUsed {
    pub item_name: String,
    pub warehouse_name: String,
    pub quantity: f64,
    pub unit: String,
    pub cost_yuan: Option<f64>,
    pub arrived: bool,
}

/// The closing summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClosingSummary {
    pub incident: Incident,
    pub timeline: Vec<LogEntry>,
    pub materials: Vec<MaterialUsed>,
    /// Allocated quantity × the request's unit cost, over requests that have one, yuan.
    pub materials_cost_yuan: f64,
    /// Costs entered by hand, yuan.
    pub entered_costs_yuan: f64,
    /// materials + entered costs, yuan.
    pub direct_loss_estimate_yuan: f64,
    pub closed_at: Option<String>,
    pub summary_text: Option<String>,
}

/// The closing summary as it stands (before or after closing).
pub fn closing_summary(conn: &Connection, incident_id: &str) -> Result<ClosingSummary> {
    let incident = get(conn, incident_id)?;
    let timeline = log_of(conn, incident_id)?;
    let mut stmt = conn.prepare(
        "SELECT s.name, w.name, a.quantity, s.unit, r.unit_cost_yuan,
                EXISTS (SELECT 1 FROM incident_log l WHERE l.ref_id = a.id AND l.kind = 'arrival')
         FROM material_allocations a JOIN material_requests r ON r.id = a.request_id
         JOIN stock_items s ON s.id = a.stock_item_id JOIN warehouses w ON w.id = s.warehouse_id
         WHERE a.incident_id = ?1 ORDER BY a.dispatched_at, a.id",
    )?;
    let materials: Vec<MaterialUsed> = stmt
        .query_map([incident_id], |r| {
            let quantity: f64 = r.get(2)?;
            let unit_cost: Option<f64> = r.get(4)?;
            Ok(MaterialUsed {
                item_name: r.get(0)?,
                warehouse_name: r.get(1)?,
                quantity,
                unit: r.get(3)?,
                cost_yuan: unit_cost.map(|c| c * quantity),
                arrived: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let materials_cost_yuan = materials.iter().filter_map(|m| m.cost_yuan).sum::<f64>();
    let entered_costs_yuan: f64 = conn.query_row(
        "SELECT COALESCE(SUM(amount_yuan), 0.0) FROM incident_costs WHERE incident_id = ?1",
        [incident_id],
        |r| r.get(0),
    )?;
    let closing: Option<(String, String)> = conn
        .query_row("SELECT closed_at, summary FROM incident_closings WHERE incident_id = ?1", [incident_id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    Ok(ClosingSummary {
        incident,
        timeline,
        materials,
        materials_cost_yuan,
        entered_costs_yuan,
        direct_loss_estimate_yuan: materials_cost_yuan + entered_costs_yuan,
        closed_at: closing.as_ref().map(|c| c.0.clone()),
        summary_text: closing.map(|c| c.1),
    })
}

/// Closes the incident with a summary text; nothing can be added afterwards.
pub fn close(
    tx: &Transaction<'_>,
    clock: &dyn Clock,
    incident_id: &str,
    summary: &str,
    author: &str,
) -> Result<ClosingSummary> {
    let inc = open_incident(tx, incident_id)?;
    nonempty("summary", summary, "结案小结")?;
    let now = clock.now_rfc3339();
    append(tx, clock, incident_id, LogKind::Closing, author, &format!("结案：{}", summary.trim()), None, None)?;
    tx.execute(
        "INSERT INTO incident_closings (id, incident_id, region_code, summary, closed_by, closed_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![new_id(), incident_id, inc.region_code, summary.trim(), author, now],
    )?;
    tx.execute("UPDATE incidents SET status = 'closed', updated_at = ?2 WHERE id = ?1", params![incident_id, now])?;
    closing_summary(tx, incident_id)
}

#[cfg(test)]
pub(crate) mod testutil {
    use std::sync::OnceLock;

    use time::macros::datetime;
    use yingji_store::{FixedClock, Store};

    /// A copy of the demo province in a temporary folder that goes away with it.
    pub struct DemoStore {
        store: Store,
        _dir: tempfile::TempDir,
    }

    impl std::ops::Deref for DemoStore {
        type Target = Store;
        fn deref(&self) -> &Store {
            &self.store
        }
    }

    impl std::ops::DerefMut for DemoStore {
        fn deref_mut(&mut self) -> &mut Store {
            &mut self.store
        }
    }

    /// The demo province, built once and copied per test.
    pub fn demo() -> DemoStore {
        static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
        let bytes = BYTES.get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("demo.db");
            let mut store = Store::create(&path).unwrap();
            yingji_demo::populate(&mut store, yingji_demo::DEFAULT_SEED).unwrap();
            store.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;").unwrap();
            drop(store);
            std::fs::read(&path).unwrap()
        });
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("copy.db");
        std::fs::write(&path, bytes).unwrap();
        DemoStore { store: Store::open(&path).unwrap(), _dir: dir }
    }

    pub fn clock() -> FixedClock {
        FixedClock(datetime!(2026-11-29 06:00 UTC))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::testutil::{clock, demo};

    pub(crate) fn alarm() -> NewIncident {
        NewIncident {
            name: "测试化工厂苯泄漏".into(),
            incident_type: IncidentType::Water,
            lat: 32.20,
            lon: 119.45,
            region_code: None,
            risk_source_id: None,
            source_description: "储罐阀门破裂".into(),
            occurred_at: Some("2026-11-29T13:40:00+08:00".into()),
            reported_by: "值班员 王伟".into(),
            exercise: false,
            pollutants: vec![Pollutant {
                name_zh: "苯".into(),
                cas: "71-43-2".into(),
                estimated_quantity_kg: Some(5000.0),
            }],
        }
    }

    #[test]
    fn the_log_refuses_updates_and_deletes_and_takes_corrections() {
        let mut store = demo();
        let tx = store.transaction().unwrap();
        let inc = create(&tx, &clock(), &alarm()).unwrap();
        assert!(inc.region_code.starts_with("32") && inc.region_code.len() == 6);
        assert_eq!(inc.occurred_at, "2026-11-29T05:40:00Z");
        let e = log(&tx, &clock(), &inc.id, LogKind::Decision, "指挥长 李明", "启动三级响应").unwrap();
        let upd = tx.execute("UPDATE incident_log SET body = 'x' WHERE id = ?1", [&e.id]).unwrap_err();
        assert!(upd.to_string().contains("append-only"), "{upd}");
        let del = tx.execute("DELETE FROM incident_log WHERE id = ?1", [&e.id]).unwrap_err();
        assert!(del.to_string().contains("append-only"), "{del}");
        let c = correct(&tx, &clock(), &inc.id, &e.id, "指挥长 李明", "更正：启动二级响应").unwrap();
        assert_eq!(c.corrects_id.as_deref(), Some(e.id.as_str()));
        let entries = log_of(&tx, &inc.id).unwrap();
        assert_eq!(
            entries.iter().map(|e| e.kind).collect::<Vec<_>>(),
            [LogKind::Alarm, LogKind::Decision, LogKind::Correction]
        );
        assert_eq!(entries[1].body, "启动三级响应", "the corrected entry stays as it was");
        // A correction cannot point at another incident's entry, and free entries cannot forge kinds.
        assert!(correct(&tx, &clock(), &inc.id, "nope", "a", "b").is_err());
        assert!(log(&tx, &clock(), &inc.id, LogKind::Tier, "a", "b").is_err());
    }

    #[test]
    fn orders_change_status_through_the_log_and_closed_incidents_take_nothing() {
        let mut store = demo();
        let tx = store.transaction().unwrap();
        let inc = create(&tx, &clock(), &alarm()).unwrap();
        let team: String = tx.query_row("SELECT id FROM teams ORDER BY id LIMIT 1", [], |r| r.get(0)).unwrap();
        let o = order_team(&tx, &clock(), &inc.id, &team, "下游 5 km 处布设围油栏", "指挥长").unwrap();
        order_status(&tx, &clock(), &o.id, OrderStatus::OnScene, "联络员").unwrap();
        let orders = orders_of(&tx, &inc.id).unwrap();
        assert_eq!(orders[0].status, OrderStatus::OnScene);
        assert!(tx.execute("UPDATE incident_orders SET task = 'x'", []).is_err());
        confirm_tier(&tx, &clock(), &inc.id, Tier::Larger, "指挥长", "").unwrap();
        assert_eq!(get(&tx, &inc.id).unwrap().confirmed_tier, Some(Tier::Larger));
        add_cost(&tx, &clock(), &inc.id, "租用清污船", 12_000.0, "财务").unwrap();
        let s = close(&tx, &clock(), &inc.id, "泄漏已控制，水质达标", "指挥长").unwrap();
        assert_eq!(s.incident.status, IncidentStatus::Closed);
        assert_eq!(s.entered_costs_yuan, 12_000.0);
        assert_eq!(s.timeline.last().unwrap().kind, LogKind::Closing);
        assert!(matches!(log(&tx, &clock(), &inc.id, LogKind::Note, "a", "b"), Err(IncidentError::Closed { .. })));
    }
}
