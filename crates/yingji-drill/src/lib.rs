//! Tabletop drills. A drill runs in its own database: a copy of a replica marked in `meta`
//! (`drill.id`), so nothing of a drill can reach real data. Every incident created there is an
//! exercise (yingji-incident and a trigger of migration 0009 enforce it), CAP says `Exercise`,
//! and sync refuses to pair a drill replica with a non-drill hub and back.
//!
//! * [`scenario`]: the scenario file (initial event, timed injects, what is needed).
//! * [`clock`]: drill time from append-only clock events; [`clock::DrillClock`] is the `Clock`
//!   every incident action on a drill database is stamped with.
//! * Injects are delivered when drill time passes them, exactly once: the event's id is derived
//!   from the drill and the inject (`INSERT OR IGNORE` here, insert-once at the hub).
//! * [`evaluate`]: the figures after (or during) the drill; [`replay`]: the state as of a time.
//!
//! This crate reads time only from the `Clock` it is given; it knows nothing of the UI or the api.

#[macro_use]
extern crate yingji_store;

pub mod clock;
pub mod evaluate;
pub mod replay;
pub mod scenario;

use std::path::Path;

use clock::{fmt_micros, ClockState, CLOCK_KINDS};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use scenario::Scenario;
use serde::{Deserialize, Serialize};
use time::Duration;
use yingji_incident::{self as inc, IncidentError, IncidentType};
use yingji_store::{new_id, Clock, FixedClock, Store, StoreError, Timestamp};

/// The `meta` key that marks a drill database (value: the drill's id).
pub const META_DRILL_ID: &str = "drill.id";

/// Why a drill action was refused. Messages say what to do next.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DrillError {
    #[error("invalid {field}: {message}")]
    Invalid { field: &'static str, message: String, message_zh: String },
    #[error("{path}: {message}")]
    File { path: String, message: String },
    #[error("{path} already exists; give a new file for the drill database (a drill never overwrites a file)")]
    Exists { path: String },
    #[error(
        "this database is not a drill; start one with `yingji drill start SCENARIO.json --from REPLICA --db DRILL.db`"
    )]
    NotADrill,
    #[error("{path} is already a drill database; start a drill from a real replica")]
    AlreadyADrill { path: String },
    #[error("this drill database has no drill yet (sync it with the drill hub first)")]
    NoDrillYet,
    #[error("the drill is over (drill time reached the scenario's end); start a new drill to play again")]
    Ended,
    #[error(transparent)]
    Incident(#[from] IncidentError),
    #[error("the river model failed: {0}")]
    Spill(#[from] yingji_spill::SpillError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for DrillError {
    fn from(e: rusqlite::Error) -> DrillError {
        DrillError::Store(StoreError::Query(e))
    }
}

pub type Result<T, E = DrillError> = std::result::Result<T, E>;

pub(crate) fn invalid(field: &'static str, zh: impl Into<String>, en: impl Into<String>) -> DrillError {
    DrillError::Invalid { field, message: en.into(), message_zh: zh.into() }
}

pub(crate) fn parse_time(field: &'static str, s: &str) -> Result<Timestamp> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).map_err(|e| {
        invalid(
            field,
            format!("时间「{s}」不是 RFC 3339 格式（例如 2027-01-15T02:00:00+08:00）"),
            format!("{s:?} is not an RFC 3339 time (e.g. 2027-01-15T02:00:00+08:00): {e}"),
        )
    })
}

/// The drill id of a drill database, `None` for a real replica.
pub fn drill_id(conn: &Connection) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT value FROM meta WHERE key = ?1", [META_DRILL_ID], |r| r.get(0)).optional()?)
}

/// A drill as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drill {
    pub id: String,
    pub region_code: String,
    pub title: String,
    pub scenario: Scenario,
    pub drill_start_at: String,
    pub incident_id: String,
    pub started_by: String,
    pub created_at: String,
}

/// The drill of this database (`NoDrillYet` on a drill copy whose drill row has not arrived).
pub fn current(conn: &Connection) -> Result<Drill> {
    let id = drill_id(conn)?.ok_or(DrillError::NotADrill)?;
    let row: Option<(String, String, String, String, String, String, String)> = conn
        .query_row(
            "SELECT region_code, title, scenario_json, drill_start_at, incident_id, started_by, created_at FROM drills WHERE id = ?1",
            [&id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
        )
        .optional()?;
    let (region_code, title, json, drill_start_at, incident_id, started_by, created_at) =
        row.ok_or(DrillError::NoDrillYet)?;
    Ok(Drill {
        id,
        region_code,
        title,
        scenario: Scenario::parse(&json)?,
        drill_start_at,
        incident_id,
        started_by,
        created_at,
    })
}

/// How a drill is started.
#[derive(Debug, Clone)]
pub struct StartOptions {
    pub speed: u8,
    /// Start with the clock paused (the facilitator presses start).
    pub paused: bool,
    pub started_by: String,
}

/// Starts a drill: copies the replica `from` to the new file `to` (SQLite `VACUUM INTO`, so the
/// replica is read, never written), marks the copy a drill, resets its sync identity, creates
/// the scenario's incident (an exercise) at the drill's start time and starts the clock.
pub fn start(from: &Path, to: &Path, scenario: &Scenario, opts: &StartOptions, real: &dyn Clock) -> Result<Drill> {
    scenario.validate()?;
    clock::check_speed(opts.speed)?;
    if opts.started_by.trim().is_empty() {
        return Err(invalid("started_by", "请填写导调人", "started_by must not be empty"));
    }
    if to.exists() {
        return Err(DrillError::Exists { path: to.display().to_string() });
    }
    let source = Store::open(from)?;
    if drill_id(source.conn())?.is_some() {
        return Err(DrillError::AlreadyADrill { path: from.display().to_string() });
    }
    let target = to
        .to_str()
        .ok_or_else(|| invalid("db", "演练数据库路径须为 UTF-8", "the drill database path must be UTF-8"))?;
    source.conn().execute("VACUUM INTO ?1", [target])?;
    drop(source);
    let mut store = Store::open(to)?;
    let drill_start = scenario.start()?;
    let id = new_id();
    let tx = store.transaction()?;
    // A drill copy is a new replica: it keeps the baseline (so a drill hub seeded alike needs no
    // full pull) but none of the real replica's identity, cursor, queued changes or hub.
    tx.execute("DELETE FROM meta WHERE key LIKE 'sync.%' AND key <> 'sync.baseline'", [])?;
    tx.execute("DELETE FROM sync_outbox", [])?;
    tx.execute("INSERT INTO meta (key, value) VALUES (?1, ?2)", params![META_DRILL_ID, id])?;
    let drill = create_in(&tx, &id, scenario, drill_start, opts, real)?;
    tx.commit()?;
    Ok(drill)
}

fn create_in(
    tx: &Transaction<'_>,
    id: &str,
    scenario: &Scenario,
    drill_start: Timestamp,
    opts: &StartOptions,
    real: &dyn Clock,
) -> Result<Drill> {
    let i = &scenario.incident;
    let incident_type = IncidentType::parse(&i.incident_type).ok_or_else(|| {
        invalid(
            "incident_type",
            format!("事件类型「{}」无效", i.incident_type),
            format!("{:?} is not an incident type", i.incident_type),
        )
    })?;
    let occurred = drill_start - Duration::minutes(i64::from(i.occurred_min_before));
    let mut source = i.source_description.clone();
    let c = &i.conditions;
    let mut cond = Vec::new();
    if !c.weather.is_empty() {
        cond.push(c.weather.clone());
    }
    if let Some(t) = c.air_temp_c {
        cond.push(format!("气温 {t} ℃"));
    }
    if let (Some(d), Some(v)) = (c.wind_from_deg, c.wind_speed_m_s) {
        cond.push(format!("风向 {d}°，风速 {v} m/s"));
    }
    if !c.river.is_empty() {
        cond.push(c.river.clone());
    }
    if !cond.is_empty() {
        source = format!("{source}（{}）", cond.join("；"));
    }
    let new = inc::NewIncident {
        name: i.name.clone(),
        incident_type,
        lat: i.lat,
        lon: i.lon,
        region_code: i.region_code.clone(),
        risk_source_id: None,
        source_description: source,
        occurred_at: Some(inc::rfc3339(occurred)),
        reported_by: i.reported_by.clone(),
        exercise: true,
        pollutants: i
            .pollutants
            .iter()
            .map(|p| inc::Pollutant {
                name_zh: p.name_zh.clone(),
                cas: p.cas.clone(),
                estimated_quantity_kg: p.estimated_quantity_kg,
            })
            .collect(),
    };
    let incident = inc::create(tx, &FixedClock(drill_start), &new)?;
    let real_now = real.now();
    let created_at = inc::rfc3339(real_now);
    tx.execute(
        "INSERT INTO drills (id, region_code, title, scenario_json, drill_start_at, incident_id, started_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            id,
            incident.region_code,
            scenario.title.trim(),
            serde_json::to_string(scenario).expect("a scenario serialises"),
            inc::rfc3339(drill_start),
            incident.id,
            opts.started_by.trim(),
            created_at
        ],
    )?;
    let state = ClockState {
        real_at: real_now,
        drill_at: drill_start,
        speed: opts.speed,
        running: !opts.paused,
        end_at: scenario.end()?,
    };
    insert_clock_event(tx, id, &incident.region_code, "start", &state, opts.started_by.trim(), "")?;
    current(tx)
}

fn insert_clock_event(
    tx: &Connection,
    drill_id: &str,
    region: &str,
    kind: &str,
    s: &ClockState,
    by: &str,
    body: &str,
) -> Result<()> {
    let id = if kind == "end" { format!("{drill_id}:end") } else { new_id() };
    tx.execute(
        "INSERT OR IGNORE INTO drill_events (id, drill_id, region_code, kind, real_at, drill_at, speed, running, inject_id, body, by_whom, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9, ?10, ?5)",
        params![id, drill_id, region, kind, fmt_micros(s.real_at), fmt_micros(s.drill_at), s.speed, s.running, body, by],
    )?;
    Ok(())
}

/// The clock as a facilitator sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClockView {
    pub drill_now: String,
    pub drill_start_at: String,
    pub drill_end_at: String,
    /// Drill minutes since the start.
    pub elapsed_min: f64,
    pub speed: u8,
    pub running: bool,
    pub ended: bool,
}

/// The clock now.
pub fn clock_view(conn: &Connection, real: &dyn Clock) -> Result<ClockView> {
    let d = current(conn)?;
    let s = clock::latest(conn, &d.id)?.ok_or(DrillError::NoDrillYet)?;
    let now = clock::whole_seconds(s.drill_time(real.now()));
    let start = parse_time("drill_start_at", &d.drill_start_at)?;
    Ok(ClockView {
        drill_now: inc::rfc3339(now),
        drill_start_at: d.drill_start_at,
        drill_end_at: inc::rfc3339(s.end_at),
        elapsed_min: (now - start).as_seconds_f64() / 60.0,
        speed: s.speed,
        running: s.running && now < s.end_at,
        ended: now >= s.end_at,
    })
}

text_enum!(
    /// What the facilitator does with the clock.
    ClockAction {
        Pause = "pause", "暂停", "pause";
        Resume = "resume", "继续", "resume";
        Speed = "speed", "调速", "speed";
        End = "end", "结束", "end";
    }
);

/// Pauses, resumes, changes the speed of or ends the drill clock (an appended event); delivers
/// the injects that fell due before it.
pub fn set_clock(
    tx: &Transaction<'_>,
    real: &dyn Clock,
    action: ClockAction,
    speed: Option<u8>,
    by: &str,
) -> Result<ClockView> {
    if by.trim().is_empty() {
        return Err(invalid("by", "请填写导调人", "by must not be empty"));
    }
    let d = current(tx)?;
    deliver_due(tx, real)?;
    let s = clock::latest(tx, &d.id)?.ok_or(DrillError::NoDrillYet)?;
    let now = real.now();
    if s.ended(now) {
        return Err(DrillError::Ended);
    }
    let (kind, next) = match action {
        ClockAction::Pause => ("pause", s.paused(now)),
        ClockAction::Resume => ("resume", s.resumed(now)),
        ClockAction::Speed => {
            let v = speed.ok_or_else(|| invalid("speed", "请给出速度（1–60）", "give the speed (1–60)"))?;
            ("speed", s.with_speed(now, v)?)
        }
        ClockAction::End => ("end", ClockState { end_at: s.drill_time(now), ..s.paused(now) }),
    };
    insert_clock_event(tx, &d.id, &d.region_code, kind, &next, by.trim(), "")?;
    clock_view(tx, real)
}

/// An inject as delivered (or still to come).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InjectState {
    pub inject: scenario::Inject,
    /// Drill time it falls due.
    pub due_at: String,
    /// Real time it was delivered, if it has been.
    pub delivered_real_at: Option<String>,
}

/// Delivers every inject whose time has come (and the end, once the clock reached it): one
/// `drill_events` row each, with a derived id, so a second console doing the same writes nothing.
/// Returns the injects delivered by this call.
pub fn deliver_due(tx: &Transaction<'_>, real: &dyn Clock) -> Result<Vec<scenario::Inject>> {
    let d = current(tx)?;
    let Some(s) = clock::latest(tx, &d.id)? else { return Ok(Vec::new()) };
    let real_now = real.now();
    let now = s.drill_time(real_now);
    let start = parse_time("drill_start_at", &d.drill_start_at)?;
    let mut out = Vec::new();
    for inj in d.scenario.injects_in_order() {
        let due = start + Duration::minutes(i64::from(inj.at_min));
        if due > now {
            break;
        }
        let n = tx.execute(
            "INSERT OR IGNORE INTO drill_events (id, drill_id, region_code, kind, real_at, drill_at, speed, running, inject_id, body, by_whom, created_at)
             VALUES (?1, ?2, ?3, 'inject', ?4, ?5, ?6, ?7, ?8, ?9, '演练导调', ?4)",
            params![
                format!("{}:inject:{}", d.id, inj.id),
                d.id,
                d.region_code,
                fmt_micros(real_now),
                fmt_micros(due),
                s.speed,
                s.running,
                inj.id,
                inj.text
            ],
        )?;
        if n == 1 {
            out.push(inj.clone());
        }
    }
    if s.ended(real_now) && s.running {
        let end = ClockState { real_at: real_now, drill_at: s.end_at, running: false, ..s };
        insert_clock_event(tx, &d.id, &d.region_code, "end", &end, "演练导调", "演练时间到")?;
    }
    Ok(out)
}

/// Every inject of the scenario with its due time and whether it was delivered.
pub fn injects(conn: &Connection) -> Result<Vec<InjectState>> {
    let d = current(conn)?;
    let start = parse_time("drill_start_at", &d.drill_start_at)?;
    let mut stmt = conn.prepare("SELECT real_at FROM drill_events WHERE drill_id = ?1 AND inject_id = ?2")?;
    let mut out = Vec::new();
    for inj in d.scenario.injects_in_order() {
        let delivered: Option<String> = stmt.query_row(params![d.id, inj.id], |r| r.get(0)).optional()?;
        out.push(InjectState {
            inject: inj.clone(),
            due_at: inc::rfc3339(start + Duration::minutes(i64::from(inj.at_min))),
            delivered_real_at: delivered,
        });
    }
    Ok(out)
}

/// One row of the drill's own event feed (clock changes and injects), oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedEvent {
    pub id: String,
    pub kind: String,
    pub real_at: String,
    pub drill_at: String,
    pub speed: u8,
    pub running: bool,
    pub inject_id: Option<String>,
    pub body: String,
    pub by_whom: String,
}

/// The drill's events, oldest first (by drill time, then real time).
pub fn feed(conn: &Connection) -> Result<Vec<FeedEvent>> {
    let d = current(conn)?;
    let mut stmt = conn.prepare(
        "SELECT id, kind, real_at, drill_at, speed, running, inject_id, body, by_whom FROM drill_events
         WHERE drill_id = ?1 ORDER BY drill_at, real_at, rowid",
    )?;
    let rows = stmt.query_map([&d.id], |r| {
        Ok(FeedEvent {
            id: r.get(0)?,
            kind: r.get(1)?,
            real_at: r.get(2)?,
            drill_at: r.get(3)?,
            speed: r.get(4)?,
            running: r.get(5)?,
            inject_id: r.get(6)?,
            body: r.get(7)?,
            by_whom: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Whether `kind IN CLOCK_KINDS` (for callers that filter the feed).
pub fn is_clock_kind(kind: &str) -> bool {
    CLOCK_KINDS.contains(&format!("'{kind}'"))
}

#[cfg(test)]
pub(crate) mod testutil;

#[cfg(test)]
mod tests;
