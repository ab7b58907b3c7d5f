//! Replay: the state of a drill's incident as of a drill time. Every incident table is
//! append-only with times, so the state at T is what was written at or before T; the few
//! cached fields (status, confirmed tier, an order's or report's latest status) are derived
//! again from the entries up to T.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use yingji_incident::{
    self as inc, cap, dispatch, gate, report, support, Incident, IncidentStatus, LogEntry, LogKind, Order, OrderStatus,
    Tier,
};
use yingji_store::Timestamp;

use crate::{current, feed, parse_time, FeedEvent, Result};

/// The incident and the drill as they stood at `as_of`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplayState {
    pub as_of: String,
    /// Drill minutes since the start.
    pub elapsed_min: f64,
    pub incident: Incident,
    pub log: Vec<LogEntry>,
    pub orders: Vec<Order>,
    pub calls: Vec<support::SupportCall>,
    pub allocations: Vec<dispatch::Allocation>,
    pub reports: Vec<report::Report>,
    pub warnings: Vec<cap::Warning>,
    pub gates_closed: Vec<gate::GateClosure>,
    /// The control works on the map: the scenario's gates to close and those closed, each
    /// with where it is and whether it was shut by then.
    pub works: Vec<WorkAsOf>,
    /// The other incidents players opened during the drill, as of then.
    pub other_incidents: Vec<OtherIncident>,
    /// The model runs of the incident saved by then (their inputs redraw zones and river paths).
    pub model_runs: Vec<yingji_store::runs::ModelRun>,
    /// Injects delivered by then (drill time at or before `as_of`).
    pub injects: Vec<FeedEvent>,
}

/// Another incident of the drill database (players may open more than the scenario's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OtherIncident {
    pub id: String,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    /// Closed by then.
    pub closed: bool,
}

/// A control work as the replay map draws it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkAsOf {
    pub id: String,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    /// Named among the scenario's gates to close.
    pub needed: bool,
    /// When it was closed, if by then.
    pub closed_at: Option<String>,
}

fn at_or_before(t: &str, as_of: Timestamp) -> bool {
    parse_time("time", t).is_ok_and(|t| t <= as_of)
}

/// The state as of drill time `as_of`.
pub fn replay(conn: &Connection, as_of: Timestamp) -> Result<ReplayState> {
    let d = current(conn)?;
    let start = parse_time("drill_start_at", &d.drill_start_at)?;
    let mut incident = inc::get(conn, &d.incident_id)?;
    let log: Vec<LogEntry> =
        inc::log_of(conn, &incident.id)?.into_iter().filter(|e| at_or_before(&e.recorded_at, as_of)).collect();
    // The cached fields, from the log up to then.
    incident.status =
        if log.iter().any(|e| e.kind == LogKind::Closing) { IncidentStatus::Closed } else { IncidentStatus::Open };
    incident.confirmed_tier = log.iter().rev().filter(|e| e.kind == LogKind::Tier).find_map(|e| {
        Tier::ALL.iter().copied().find(|t| e.body.starts_with(&format!("确认事件级别：{}", t.label_zh())))
    });
    let orders = inc::orders_of(conn, &incident.id)?
        .into_iter()
        .filter(|o| at_or_before(&o.issued_at, as_of))
        .map(|mut o| {
            o.status = log
                .iter()
                .rev()
                .find(|e| e.ref_id.as_deref() == Some(o.id.as_str()) && e.status.is_some())
                .and_then(|e| e.status)
                .unwrap_or(OrderStatus::Issued);
            o
        })
        .collect();
    let calls =
        support::calls_of(conn, &incident.id)?.into_iter().filter(|c| at_or_before(&c.called_at, as_of)).collect();
    let allocations = dispatch::allocations_of(conn, &incident.id)?
        .into_iter()
        .filter(|a| at_or_before(&a.dispatched_at, as_of))
        .map(|mut a| {
            if a.arrived_at.as_deref().is_some_and(|t| !at_or_before(t, as_of)) {
                a.arrived_at = None;
            }
            a
        })
        .collect();
    let mut status_stmt =
        conn.prepare("SELECT status, at FROM report_status_events WHERE report_id = ?1 ORDER BY at DESC, rowid DESC")?;
    let mut reports = Vec::new();
    for mut r in report::reports_of(conn, &incident.id)? {
        if !at_or_before(&r.created_at, as_of) {
            continue;
        }
        let events: Vec<(report::ReportStatus, String)> = status_stmt
            .query_map(params![r.id], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let then = events.into_iter().find(|(_, at)| at_or_before(at, as_of));
        r.status = then.as_ref().map(|e| e.0);
        r.status_at = then.map(|e| e.1);
        reports.push(r);
    }
    let warnings =
        cap::warnings_of(conn, &incident.id)?.into_iter().filter(|w| at_or_before(&w.issued_at, as_of)).collect();
    let gates_closed: Vec<gate::GateClosure> =
        gate::closures_of(conn, &incident.id)?.into_iter().filter(|g| at_or_before(&g.closed_at, as_of)).collect();
    let mut works: Vec<WorkAsOf> = Vec::new();
    let mut work_stmt = conn.prepare(
        "SELECT id, name, lat, lon FROM control_works WHERE id = ?1 OR name = ?1 ORDER BY id = ?1 DESC LIMIT 1",
    )?;
    let closed_ids: Vec<&str> = gates_closed.iter().map(|g| g.work_id.as_str()).collect();
    for (key, needed) in
        d.scenario.needed.gates.iter().map(|g| (g.as_str(), true)).chain(closed_ids.iter().map(|id| (*id, false)))
    {
        let row: Option<(String, String, f64, f64)> =
            work_stmt.query_row([key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).optional()?;
        let Some((id, name, lat, lon)) = row else { continue };
        if works.iter().any(|w| w.id == id) {
            continue;
        }
        let closed_at = gates_closed.iter().find(|g| g.work_id == id).map(|g| g.closed_at.clone());
        works.push(WorkAsOf { id, name, lat, lon, needed, closed_at });
    }
    let mut other_incidents = Vec::new();
    for o in inc::list(conn)? {
        if o.id == incident.id || !at_or_before(&o.created_at, as_of) {
            continue;
        }
        let closed =
            inc::log_of(conn, &o.id)?.iter().any(|e| e.kind == LogKind::Closing && at_or_before(&e.recorded_at, as_of));
        other_incidents.push(OtherIncident { id: o.id, name: o.name, lat: o.lat, lon: o.lon, closed });
    }
    let model_runs = yingji_store::runs::ModelRun::of_incident(conn, &incident.id)?
        .into_iter()
        .filter(|r| at_or_before(&r.created_at, as_of))
        .collect();
    let injects = feed(conn)?.into_iter().filter(|e| e.kind == "inject" && at_or_before(&e.drill_at, as_of)).collect();
    Ok(ReplayState {
        as_of: inc::rfc3339(as_of),
        elapsed_min: ((as_of - start).as_seconds_f64() / 60.0 * 10.0).round() / 10.0,
        incident,
        log,
        orders,
        calls,
        allocations,
        reports,
        warnings,
        gates_closed,
        works,
        other_incidents,
        model_runs,
        injects,
    })
}
