//! Closing a control work (sluice, gate, ship lock, pump station) to hold a spill back: a
//! structured `decision` entry of the command log that names the work (`ref_table =
//! 'control_works'`), so the closing time can be set against the plume's arrival there.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use yingji_store::Clock;

use crate::{append, open_incident, IncidentError, LogEntry, LogKind, Result};

/// A control work closed during an incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateClosure {
    pub log_id: String,
    pub work_id: String,
    pub work_name: String,
    pub closed_by: String,
    pub closed_at: String,
}

/// Records that a control work (by id, or by its exact name) was closed: a `decision` log
/// entry referencing it.
pub fn close_control_work(
    tx: &Transaction<'_>,
    clock: &dyn Clock,
    incident_id: &str,
    work_id: &str,
    author: &str,
    note: &str,
) -> Result<LogEntry> {
    open_incident(tx, incident_id)?;
    let work: Option<(String, String, String)> = tx
        .query_row(
            "SELECT id, name, kind FROM control_works WHERE id = ?1 OR name = ?1 ORDER BY id = ?1 DESC LIMIT 1",
            [work_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let (work_id, name, kind) =
        work.ok_or_else(|| IncidentError::NotFound { kind: "control work", id: work_id.to_owned() })?;
    let kind_zh = match kind.as_str() {
        "sluice" => "水闸",
        "gate" => "闸门",
        "dam" => "坝",
        "pump_station" => "泵站",
        "ship_lock" => "船闸",
        _ => "控制工程",
    };
    let body = if note.trim().is_empty() {
        format!("关闭控制工程：{name}（{kind_zh}）")
    } else {
        format!("关闭控制工程：{name}（{kind_zh}）。{}", note.trim())
    };
    append(tx, clock, incident_id, LogKind::Decision, author, &body, Some(("control_works", &work_id)), None)
}

/// The control works closed during an incident, in the order they were closed.
pub fn closures_of(conn: &Connection, incident_id: &str) -> Result<Vec<GateClosure>> {
    let mut stmt = conn.prepare(
        "SELECT l.id, l.ref_id, c.name, l.author, l.recorded_at FROM incident_log l
         JOIN control_works c ON c.id = l.ref_id
         WHERE l.incident_id = ?1 AND l.ref_table = 'control_works' ORDER BY l.recorded_at, l.rowid",
    )?;
    let rows = stmt.query_map(params![incident_id], |r| {
        Ok(GateClosure {
            log_id: r.get(0)?,
            work_id: r.get(1)?,
            work_name: r.get(2)?,
            closed_by: r.get(3)?,
            closed_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{clock, demo};

    #[test]
    fn a_closed_gate_is_a_log_entry_naming_the_work() {
        let mut store = demo();
        let tx = store.transaction().unwrap();
        let inc = crate::create(&tx, &clock(), &crate::tests::alarm()).unwrap();
        let work: String =
            tx.query_row("SELECT id FROM control_works WHERE name = '三河闸'", [], |r| r.get(0)).unwrap();
        let e = close_control_work(&tx, &clock(), &inc.id, &work, "指挥长", "").unwrap();
        assert_eq!(e.kind, LogKind::Decision);
        assert_eq!(e.body, "关闭控制工程：三河闸（水闸）");
        let closed = closures_of(&tx, &inc.id).unwrap();
        assert_eq!(closed.len(), 1);
        assert_eq!(closed[0].work_name, "三河闸");
        assert!(close_control_work(&tx, &clock(), &inc.id, "nope", "指挥长", "").is_err());
    }
}
