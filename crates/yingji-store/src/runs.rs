//! Saved model runs (`model_runs`, append-only): what was run, with which model version, and the
//! key figures of the answer. The JSON columns are opaque here; the façade gives them types.

use rusqlite::{Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

/// One saved run, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelRun {
    pub id: String,
    pub region_code: String,
    pub created_at: String,
    /// `gas_release` or `river_spill`.
    pub kind: String,
    pub model_version: String,
    pub inputs_json: String,
    pub summary_json: String,
    pub label: Option<String>,
    pub incident_id: Option<String>,
}

impl ModelRun {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<ModelRun> {
        Ok(ModelRun {
            id: row.get("id")?,
            region_code: row.get("region_code")?,
            created_at: row.get("created_at")?,
            kind: row.get("kind")?,
            model_version: row.get("model_version")?,
            inputs_json: row.get("inputs_json")?,
            summary_json: row.get("summary_json")?,
            label: row.get("label")?,
            incident_id: row.get("incident_id")?,
        })
    }

    /// Saves the run (a run is saved once; the table refuses changes).
    pub fn insert(&self, conn: &Connection) -> rusqlite::Result<()> {
        conn.prepare_cached(
            "INSERT INTO model_runs (id, region_code, created_at, kind, model_version, inputs_json, summary_json, label, incident_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(rusqlite::params![
            self.id,
            self.region_code,
            self.created_at,
            self.kind,
            self.model_version,
            self.inputs_json,
            self.summary_json,
            self.label,
            self.incident_id
        ])?;
        Ok(())
    }

    pub fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<ModelRun>> {
        conn.prepare_cached("SELECT * FROM model_runs WHERE id = ?1")?.query_row([id], ModelRun::from_row).optional()
    }

    /// The latest `limit` runs, newest first.
    pub fn latest(conn: &Connection, limit: u32) -> rusqlite::Result<Vec<ModelRun>> {
        let mut stmt = conn.prepare_cached("SELECT * FROM model_runs ORDER BY created_at DESC, rowid DESC LIMIT ?1")?;
        let rows = stmt.query_map([limit], ModelRun::from_row)?;
        rows.collect()
    }

    /// The runs made for an incident, oldest first.
    pub fn of_incident(conn: &Connection, incident_id: &str) -> rusqlite::Result<Vec<ModelRun>> {
        let mut stmt =
            conn.prepare_cached("SELECT * FROM model_runs WHERE incident_id = ?1 ORDER BY created_at, rowid")?;
        let rows = stmt.query_map([incident_id], ModelRun::from_row)?;
        rows.collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    fn run(id: &str, at: &str) -> ModelRun {
        ModelRun {
            id: id.into(),
            region_code: "320100".into(),
            created_at: at.into(),
            kind: "river_spill".into(),
            model_version: "1.0.0".into(),
            inputs_json: r#"{"mass_kg": 1}"#.into(),
            summary_json: "{}".into(),
            label: None,
            incident_id: None,
        }
    }

    /// Saved runs read back unchanged, newest first; the table refuses edits and deletions but
    /// lets a run be attached to an incident.
    #[test]
    fn runs_round_trip_and_stay_unchanged() {
        let store = Store::open_in_memory().unwrap();
        let conn = store.conn();
        let a = run("a", "2026-11-29T06:00:00Z");
        let b = run("b", "2026-11-29T07:00:00Z");
        a.insert(conn).unwrap();
        b.insert(conn).unwrap();
        assert_eq!(ModelRun::get(conn, "a").unwrap().unwrap(), a);
        assert_eq!(ModelRun::latest(conn, 10).unwrap(), vec![b.clone(), a.clone()]);
        assert!(conn.execute("UPDATE model_runs SET inputs_json = '{}' WHERE id = 'a'", []).is_err());
        assert!(conn.execute("DELETE FROM model_runs WHERE id = 'a'", []).is_err());
        conn.execute("UPDATE model_runs SET incident_id = 'inc-1' WHERE id = 'a'", []).unwrap();
        assert_eq!(ModelRun::get(conn, "a").unwrap().unwrap().incident_id.as_deref(), Some("inc-1"));
        assert_eq!(
            ModelRun::of_incident(conn, "inc-1").unwrap().iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["a"]
        );
        assert!(ModelRun::of_incident(conn, "inc-2").unwrap().is_empty());
        assert!(run("c", "x").insert(conn).is_ok());
        let mut bad = run("d", "2026-11-29T07:00:00Z");
        bad.inputs_json = "not json".into();
        assert!(bad.insert(conn).is_err());
    }
}
