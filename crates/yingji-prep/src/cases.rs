//! The case library: past incidents with their timeline, what was done and the lessons
//! (`assets/cases/cases.json`, compiled in). Reference data: loaded into `case_library` when a
//! replica is opened if missing or different, never synced. "Cases like this incident" match
//! an incident's type and pollutants.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use yingji_store::{Clock, Store};

use crate::{PrepError, Result};

/// The library as shipped with this program.
pub const CASES_JSON: &str = include_str!("../../../assets/cases/cases.json");

/// A pollutant of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CasePollutant {
    pub name_zh: String,
    pub name_en: String,
    /// Empty when the substance has no single CAS number (e.g. a waste).
    pub cas: String,
}

/// One moment of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseEvent {
    pub when: String,
    pub zh: String,
    pub en: String,
}

/// One past incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub id: String,
    pub title_zh: String,
    pub title_en: String,
    pub occurred_on: String,
    pub place_zh: String,
    /// Incident types of `yingji_incident::IncidentType` (water, air, fire_water, …).
    pub incident_types: Vec<String>,
    pub pollutants: Vec<CasePollutant>,
    pub summary_zh: String,
    pub summary_en: String,
    pub timeline: Vec<CaseEvent>,
    pub actions_zh: Vec<String>,
    pub actions_en: Vec<String>,
    pub lessons_zh: Vec<String>,
    pub lessons_en: Vec<String>,
    /// The public official source the case is summarised from.
    pub source: String,
    /// False: summarised for Yingji, not checked word by word against the source.
    pub verified: bool,
}

#[derive(Debug, Deserialize)]
struct Library {
    format_version: u32,
    cases: Vec<Case>,
}

/// Parses the compiled library and checks it.
pub fn compiled() -> Result<Vec<Case>> {
    let lib: Library = serde_json::from_str(CASES_JSON).map_err(|e| PrepError::CaseLibrary(e.to_string()))?;
    if lib.format_version != 1 {
        return Err(PrepError::CaseLibrary(format!("unknown format version {}", lib.format_version)));
    }
    let mut seen = std::collections::HashSet::new();
    for c in &lib.cases {
        if !seen.insert(c.id.as_str()) {
            return Err(PrepError::CaseLibrary(format!("case id {} twice", c.id)));
        }
        crate::parse_date("occurred_on", &c.occurred_on)
            .map_err(|_| PrepError::CaseLibrary(format!("{}: bad date", c.id)))?;
        for t in &c.incident_types {
            if yingji_incident::IncidentType::parse(t).is_none() {
                return Err(PrepError::CaseLibrary(format!("{}: unknown incident type {t}", c.id)));
            }
        }
        if c.source.trim().is_empty() {
            return Err(PrepError::CaseLibrary(format!("{}: no source", c.id)));
        }
    }
    Ok(lib.cases)
}

fn library_hash() -> String {
    Sha256::digest(CASES_JSON.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Loads the compiled library unless the database holds it already; returns whether it loaded.
/// One transaction: the old rows are replaced all at once or not at all.
pub fn ensure_loaded(store: &mut Store, clock: &dyn Clock) -> Result<bool> {
    let hash = library_hash();
    let loaded = |c: &Connection| -> rusqlite::Result<bool> {
        Ok(c.query_row("SELECT sha256 FROM case_library_version WHERE id = 1", [], |r| r.get::<_, String>(0))
            .optional()?
            .is_some_and(|h| h == hash))
    };
    if loaded(store.conn())? {
        return Ok(false);
    }
    let cases = compiled()?;
    let tx = store.transaction()?;
    if loaded(&tx)? {
        return Ok(false);
    }
    tx.execute("DELETE FROM case_library", [])?;
    for c in &cases {
        tx.execute(
            "INSERT INTO case_library (id, incident_type, occurred_on, title_zh, title_en, pollutants, detail_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                c.id,
                c.incident_types.join(","),
                c.occurred_on,
                c.title_zh,
                c.title_en,
                serde_json::to_string(&c.pollutants).expect("pollutants serialise"),
                serde_json::to_string(c).expect("a case serialises")
            ],
        )?;
    }
    tx.execute(
        "INSERT INTO case_library_version (id, sha256, entries, loaded_at) VALUES (1, ?1, ?2, ?3)
         ON CONFLICT(id) DO UPDATE SET sha256 = excluded.sha256, entries = excluded.entries, loaded_at = excluded.loaded_at",
        params![hash, cases.len() as i64, clock.now_rfc3339()],
    )?;
    tx.commit()?;
    Ok(true)
}

/// All cases, newest first.
pub fn list(conn: &Connection) -> Result<Vec<Case>> {
    let mut stmt = conn.prepare_cached("SELECT detail_json FROM case_library ORDER BY occurred_on DESC, id")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for json in rows {
        out.push(serde_json::from_str(&json?).map_err(|e| PrepError::CaseLibrary(e.to_string()))?);
    }
    Ok(out)
}

/// One case.
pub fn get(conn: &Connection, id: &str) -> Result<Case> {
    let json: Option<String> =
        conn.query_row("SELECT detail_json FROM case_library WHERE id = ?1", [id], |r| r.get(0)).optional()?;
    let json = json.ok_or(PrepError::NotFound { kind: "case", id: id.to_owned() })?;
    serde_json::from_str(&json).map_err(|e| PrepError::CaseLibrary(e.to_string()))
}

/// A case and why it is like the incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimilarCase {
    pub case: Case,
    /// The incident type matches.
    pub same_type: bool,
    /// The pollutants both share (Chinese names).
    pub shared_pollutants: Vec<String>,
}

/// Cases like an incident of `incident_type` with these pollutants `(name_zh, cas)`: a shared
/// pollutant (same CAS, or same Chinese name) counts more than the same type; best first.
pub fn similar(conn: &Connection, incident_type: &str, pollutants: &[(String, String)]) -> Result<Vec<SimilarCase>> {
    let mut out: Vec<(u32, SimilarCase)> = Vec::new();
    for case in list(conn)? {
        let same_type = case.incident_types.iter().any(|t| t == incident_type);
        let shared: Vec<String> = case
            .pollutants
            .iter()
            .filter(|p| {
                pollutants.iter().any(|(name, cas)| {
                    (!cas.trim().is_empty() && cas.trim() == p.cas)
                        || (!name.trim().is_empty() && name.trim() == p.name_zh)
                })
            })
            .map(|p| p.name_zh.clone())
            .collect();
        let score = 2 * shared.len() as u32 + u32::from(same_type);
        if score > 0 {
            out.push((score, SimilarCase { case, same_type, shared_pollutants: shared }));
        }
    }
    out.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.case.occurred_on.cmp(&a.1.case.occurred_on)));
    Ok(out.into_iter().map(|(_, c)| c).collect())
}

/// Cases like a recorded incident (its type and pollutants as logged).
pub fn like_incident(conn: &Connection, incident_id: &str) -> Result<Vec<SimilarCase>> {
    let incident_type: Option<String> =
        conn.query_row("SELECT incident_type FROM incidents WHERE id = ?1", [incident_id], |r| r.get(0)).optional()?;
    let incident_type = incident_type.ok_or(PrepError::NotFound { kind: "incident", id: incident_id.to_owned() })?;
    let mut stmt = conn.prepare_cached("SELECT name_zh, cas FROM incident_pollutants WHERE incident_id = ?1")?;
    let pollutants = stmt
        .query_map([incident_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    similar(conn, &incident_type, &pollutants)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil;

    #[test]
    fn the_library_has_the_required_cases_each_with_a_source() {
        let cases = compiled().unwrap();
        assert!(cases.len() >= 4);
        let songhua = cases.iter().find(|c| c.occurred_on == "2005-11-13").expect("Songhua 2005");
        assert!(songhua.pollutants.iter().any(|p| p.cas == "98-95-3"), "nitrobenzene");
        let xiangshui = cases.iter().find(|c| c.occurred_on == "2019-03-21").expect("Xiangshui 2019");
        assert!(xiangshui.summary_zh.contains("78 人死亡"));
        for c in &cases {
            assert!(!c.timeline.is_empty() && !c.actions_zh.is_empty() && !c.lessons_zh.is_empty(), "{}", c.id);
            assert_eq!(c.actions_zh.len(), c.actions_en.len(), "{}", c.id);
            assert_eq!(c.lessons_zh.len(), c.lessons_en.len(), "{}", c.id);
            assert!(c.source.contains('（'), "{}: the source names its publisher and date", c.id);
        }
    }

    #[test]
    fn loaded_once_and_matched_by_pollutant_then_type() {
        let mut store = testutil::demo();
        let clock = testutil::clock();
        // Opening the store does not load cases (the façade does); the first call loads, the second does not.
        assert!(ensure_loaded(&mut store, &clock).unwrap());
        assert!(!ensure_loaded(&mut store, &clock).unwrap());
        let conn = store.conn();
        assert_eq!(list(conn).unwrap().len(), compiled().unwrap().len());
        let hits = similar(conn, "water", &[("硝基苯".into(), String::new())]).unwrap();
        assert_eq!(hits[0].case.id, "2005-songhua-nitrobenzene");
        assert_eq!(hits[0].shared_pollutants, ["硝基苯"]);
        let by_cas = similar(conn, "air", &[("".into(), "7440-43-9".into())]).unwrap();
        assert_eq!(by_cas[0].case.id, "2012-longjiang-cadmium", "a shared pollutant beats the type");
        assert!(similar(conn, "marine", &[]).unwrap().is_empty());
        assert!(matches!(get(conn, "nope").unwrap_err(), PrepError::NotFound { .. }));
    }
}
