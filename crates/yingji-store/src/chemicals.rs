//! The chemical and disposal library: `assets/chemicals/library.json` (made by
//! `assets/chemicals/build.py`) compiled into the program and loaded into the `chemicals` table.
//!
//! Every database gets the library when it is opened or created; a database whose library is
//! missing or differs from the compiled one is reloaded, in one transaction.

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::{
    query::{self, Kind, SearchFilter},
    Clock,
};

/// The library as shipped with this program.
pub const LIBRARY_JSON: &str = include_str!("../../../assets/chemicals/library.json");

/// Province-wide reference data is filed under the province.
pub const PROVINCE_CODE: &str = "320000";

/// A number with the table or method it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sourced {
    pub value: f64,
    pub source: String,
}

/// A level of concern (AEGL, ERPG, PAC) in ppm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Level {
    pub name: String,
    pub tier: u8,
    pub ppm: f64,
    pub source: String,
    pub verified: bool,
}

/// An occupational exposure limit from the `chemicals` package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OccupationalLimit {
    pub name: String,
    pub value: f64,
    pub unit: String,
    pub source: String,
}

/// The GB 3838-2002 limit that applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gb3838 {
    pub limit_mg_l: f64,
    pub item: String,
    pub source: String,
    pub verified: bool,
}

/// Short texts in both languages with their source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Texts {
    pub zh: Vec<String>,
    pub en: Vec<String>,
    pub source: String,
    pub verified: bool,
    #[serde(default)]
    pub class_zh: Option<String>,
    #[serde(default)]
    pub class_en: Option<String>,
}

/// One chemical of the library.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LibraryEntry {
    pub cas: String,
    pub un_number: String,
    pub name_zh: String,
    pub name_en: String,
    pub names_source: String,
    pub hazard_class: String,
    pub molar_mass_g_mol: Sourced,
    pub density_kg_m3: Option<Sourced>,
    pub vapor_pressure_pa: Option<Sourced>,
    pub boiling_point_k: Option<Sourced>,
    pub occupational_limits: Vec<OccupationalLimit>,
    pub levels: Vec<Level>,
    pub gb3838: Option<Gb3838>,
    pub hazards: Texts,
    pub disposal: Texts,
}

/// The whole library file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Library {
    pub format_version: u32,
    pub package: String,
    pub reference_temperature_k: f64,
    pub air_molar_mass_g_mol: f64,
    pub inputs_sha256: String,
    pub chemicals: Vec<LibraryEntry>,
}

/// Parses the compiled library.
pub fn library() -> Result<Library, crate::StoreError> {
    serde_json::from_str(LIBRARY_JSON).map_err(|e| crate::StoreError::Invalid {
        field: "assets/chemicals/library.json".into(),
        message: format!("the compiled chemical library does not parse ({e}); rebuild it with build.py"),
    })
}

/// The compiled library, parsed once per process.
pub fn compiled() -> Result<&'static Library, crate::StoreError> {
    static LIB: std::sync::OnceLock<Library> = std::sync::OnceLock::new();
    if let Some(lib) = LIB.get() {
        return Ok(lib);
    }
    let lib = library()?;
    Ok(LIB.get_or_init(|| lib))
}

/// What the database holds: (format version, inputs hash), if any library was loaded.
pub fn loaded_version(conn: &Connection) -> rusqlite::Result<Option<(u32, String)>> {
    conn.query_row("SELECT format_version, inputs_sha256 FROM chemical_library WHERE id = 1", [], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .optional()
}

/// Loads `lib` unless the database already holds it; returns whether it loaded. One transaction:
/// the old rows are replaced all at once or not at all.
pub fn ensure_loaded(conn: &mut Connection, lib: &Library, clock: &dyn Clock) -> Result<bool, crate::StoreError> {
    if loaded_version(conn)?.is_some_and(|(v, h)| v == lib.format_version && h == lib.inputs_sha256) {
        return Ok(false);
    }
    let now = clock.now_rfc3339();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    // Re-check inside the write lock: another process may have loaded it meanwhile.
    if loaded_version(&tx)?.is_some_and(|(v, h)| v == lib.format_version && h == lib.inputs_sha256) {
        return Ok(false);
    }
    tx.execute("DELETE FROM chemicals", [])?;
    {
        let mut stmt = tx.prepare(
            "INSERT INTO chemicals(id, region_code, cas, un_number, name_zh, name_en, molar_mass_g_mol, density_kg_m3,
                 vapor_pressure_pa, boiling_point_k, gb3838_limit_mg_l, detail_json, data_source, created_at, updated_at)
             VALUES (?1, ?2, ?1, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)",
        )?;
        for e in &lib.chemicals {
            let detail = serde_json::to_string(e).expect("a library entry serialises");
            stmt.execute(rusqlite::params![
                e.cas,
                PROVINCE_CODE,
                e.un_number,
                e.name_zh,
                e.name_en,
                e.molar_mass_g_mol.value,
                e.density_kg_m3.as_ref().map(|s| s.value),
                e.vapor_pressure_pa.as_ref().map(|s| s.value),
                e.boiling_point_k.as_ref().map(|s| s.value),
                e.gb3838.as_ref().map(|g| g.limit_mg_l),
                detail,
                format!("assets/chemicals/library.json ({}; inputs {})", lib.package, &lib.inputs_sha256[..12]),
                now,
            ])?;
        }
    }
    tx.execute(
        "INSERT INTO chemical_library(id, format_version, inputs_sha256, entries, loaded_at) VALUES (1, ?1, ?2, ?3, ?4)
         ON CONFLICT(id) DO UPDATE SET format_version = excluded.format_version,
             inputs_sha256 = excluded.inputs_sha256, entries = excluded.entries, loaded_at = excluded.loaded_at",
        rusqlite::params![lib.format_version, lib.inputs_sha256, lib.chemicals.len() as i64, now],
    )?;
    tx.commit()?;
    Ok(true)
}

/// One row of a chemical list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChemicalSummary {
    pub cas: String,
    pub un_number: String,
    pub name_zh: String,
    pub name_en: String,
    pub molar_mass_g_mol: f64,
}

fn summary(r: &rusqlite::Row<'_>) -> rusqlite::Result<ChemicalSummary> {
    Ok(ChemicalSummary {
        cas: r.get(0)?,
        un_number: r.get(1)?,
        name_zh: r.get(2)?,
        name_en: r.get(3)?,
        molar_mass_g_mol: r.get(4)?,
    })
}

const SUMMARY_COLUMNS: &str = "cas, un_number, name_zh, name_en, molar_mass_g_mol";

/// Chemicals matching any part of the Chinese name, its pinyin, the English name, CAS or UN
/// number, best first; an empty text lists the first `limit` in pinyin order of the Chinese name.
pub fn search(conn: &Connection, text: &str, limit: usize) -> rusqlite::Result<Vec<ChemicalSummary>> {
    if text.trim().is_empty() {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM chemicals ORDER BY yj_pinyin(name_zh), name_zh, cas LIMIT ?1"
        ))?;
        let rows = stmt.query_map([limit as i64], summary)?;
        return rows.collect();
    }
    let filter = SearchFilter { kinds: vec![Kind::Chemical], ..Default::default() };
    let hits = query::search(conn, text, &filter, limit)?;
    let mut stmt = conn.prepare_cached(&format!("SELECT {SUMMARY_COLUMNS} FROM chemicals WHERE id = ?1"))?;
    let mut out = Vec::with_capacity(hits.len());
    for h in hits {
        if let Some(s) = stmt.query_row([&h.item_id], summary).optional()? {
            out.push(s);
        }
    }
    Ok(out)
}

/// The full library entry of one chemical by CAS number (`None` if the library has no such CAS).
pub fn by_cas(conn: &Connection, cas: &str) -> Result<Option<LibraryEntry>, crate::StoreError> {
    let detail: Option<String> = conn
        .prepare_cached("SELECT detail_json FROM chemicals WHERE cas = ?1")?
        .query_row([cas.trim()], |r| r.get(0))
        .optional()?;
    detail
        .map(|d| {
            serde_json::from_str(&d).map_err(|e| crate::StoreError::Invalid {
                field: "chemicals.detail_json".into(),
                message: format!("the library entry of {cas} does not parse ({e})"),
            })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FixedClock, Store};

    fn clock() -> FixedClock {
        FixedClock(time::macros::datetime!(2026-11-29 08:00 UTC))
    }

    fn names(hits: &[ChemicalSummary]) -> Vec<&str> {
        hits.iter().map(|h| h.name_zh.as_str()).collect()
    }

    #[test]
    fn a_new_database_holds_the_whole_library() {
        let store = Store::open_in_memory().unwrap();
        let n: i64 = store.conn().query_row("SELECT count(*) FROM chemicals", [], |r| r.get(0)).unwrap();
        assert_eq!(n as usize, library().unwrap().chemicals.len());
        let region: String =
            store.conn().query_row("SELECT DISTINCT region_code FROM chemicals", [], |r| r.get(0)).unwrap();
        assert_eq!(region, PROVINCE_CODE);
    }

    #[test]
    fn loading_twice_changes_nothing_and_an_older_library_is_replaced() {
        let mut store = Store::open_in_memory().unwrap();
        let lib = library().unwrap();
        let conn = &mut store.conn;
        assert!(!ensure_loaded(conn, &lib, &clock()).unwrap(), "already loaded at open");
        // An older library: another hash, one entry fewer and a changed name.
        let mut old = lib.clone();
        old.inputs_sha256 = "0".repeat(64);
        old.chemicals.pop();
        old.chemicals[0].name_zh = "旧名称".into();
        assert!(ensure_loaded(conn, &old, &clock()).unwrap());
        let count =
            |c: &Connection| -> i64 { c.query_row("SELECT count(*) FROM chemicals", [], |r| r.get(0)).unwrap() };
        assert_eq!(count(conn) as usize, lib.chemicals.len() - 1);
        assert_eq!(search(conn, "旧名称", 5).unwrap().len(), 1);
        assert!(ensure_loaded(conn, &lib, &clock()).unwrap());
        assert_eq!(count(conn) as usize, lib.chemicals.len());
        assert!(search(conn, "旧名称", 5).unwrap().is_empty(), "the index follows the reload");
        let fts: i64 =
            conn.query_row("SELECT count(*) FROM search_fts WHERE kind = 'chemical'", [], |r| r.get(0)).unwrap();
        assert_eq!(fts as usize, lib.chemicals.len(), "no stale index rows");
    }

    #[test]
    fn search_finds_chemicals_by_every_key() {
        let store = Store::open_in_memory().unwrap();
        let c = store.conn();
        assert!(names(&search(c, "苯", 50).unwrap()).contains(&"苯"), "one-character Chinese");
        assert!(names(&search(c, "硝基", 50).unwrap()).contains(&"硝基苯"), "part of a Chinese name");
        assert!(names(&search(c, "丙烯腈", 5).unwrap()).contains(&"丙烯腈"));
        assert!(names(&search(c, "xiaojiben", 5).unwrap()).contains(&"硝基苯"), "pinyin");
        assert!(names(&search(c, "jiaben", 5).unwrap()).contains(&"甲苯"), "pinyin");
        assert!(names(&search(c, "chlorine", 5).unwrap()).contains(&"氯气"), "English");
        assert_eq!(names(&search(c, "7782-50-5", 5).unwrap()), ["氯气"], "CAS");
        assert_eq!(names(&search(c, "UN1017", 5).unwrap()), ["氯气"], "UN number");
        assert!(names(&search(c, "1017", 5).unwrap()).contains(&"氯气"), "UN digits alone");
        assert!(search(c, "没有这种化学品", 5).unwrap().is_empty());
    }

    #[test]
    fn empty_text_lists_in_pinyin_order() {
        let store = Store::open_in_memory().unwrap();
        let hits = search(store.conn(), "  ", 10).unwrap();
        assert_eq!(hits.len(), 10);
        let keys: Vec<String> = hits.iter().map(|h| crate::text::pinyin_keys(&h.name_zh)).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
    }

    #[test]
    fn by_cas_reads_the_entry_back() {
        let store = Store::open_in_memory().unwrap();
        let e = by_cas(store.conn(), "71-43-2").unwrap().unwrap();
        assert_eq!(e.name_zh, "苯");
        assert!((e.molar_mass_g_mol.value - 78.11).abs() < 0.01);
        assert!(by_cas(store.conn(), "0-00-0").unwrap().is_none());
    }
}
