//! Change capture for sync. Which tables sync, and how, is declared once in [`SYNCED_TABLES`];
//! on every open the store creates TEMP triggers for them (generated from `PRAGMA table_info`,
//! so the schema itself does not change) that note each insert, update and delete in
//! `sync_outbox`. While remote changes are applied, [`Store::applying_remote`] switches capture
//! off for this connection only; the index triggers of `0002` keep firing.

use std::sync::Arc;

use rusqlite::{functions::FunctionFlags, Connection};

use crate::{Clock, Store, StoreError, SystemClock};

/// How a table's rows merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncKind {
    /// Per-field last-writer-wins by hybrid logical clock; deletes are tombstones.
    Descriptive,
    /// Rows are inserted once and never rewritten or deleted (stock ledger, logs, reports, runs).
    AppendOnly,
}

/// Who receives a table's rows and who may write them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncScope {
    /// Follows the row's `region_code`: pulled by its region and the regions around it, written
    /// only by replicas of that region (or a city/province above it).
    Regional,
    /// Province-wide reference data: every replica pulls it, only a province replica writes it.
    Reference,
}

/// One synced table.
#[derive(Debug, Clone, Copy)]
pub struct SyncedTable {
    pub name: &'static str,
    pub kind: SyncKind,
    pub scope: SyncScope,
    /// For a stock ledger: (stock item column, quantity column) whose sum the hub checks.
    pub ledger: Option<(&'static str, &'static str)>,
}

const fn t(name: &'static str, kind: SyncKind, scope: SyncScope) -> SyncedTable {
    SyncedTable { name, kind, scope, ledger: None }
}

use SyncKind::*;
use SyncScope::*;

/// Every table that syncs, parents before children. Adding a table to sync is one line here.
pub const SYNCED_TABLES: &[SyncedTable] = &[
    t("regions", Descriptive, Reference),
    t("river_nodes", Descriptive, Reference),
    t("river_reaches", Descriptive, Reference),
    t("control_works", Descriptive, Reference),
    t("risk_sources", Descriptive, Regional),
    t("risk_source_chemicals", Descriptive, Regional),
    t("sensitive_targets", Descriptive, Regional),
    t("teams", Descriptive, Regional),
    t("experts", Descriptive, Regional),
    t("warehouses", Descriptive, Regional),
    t("stock_items", Descriptive, Regional),
    SyncedTable {
        name: "stock_ledger",
        kind: AppendOnly,
        scope: Regional,
        ledger: Some(("stock_item_id", "quantity_delta")),
    },
    // Inputs, version and results are immutable (the table's own triggers); only the label and
    // the incident it belongs to can change later, so those two merge field by field.
    t("model_runs", Descriptive, Regional),
    // Incident command (migration 0007): the incident's status and confirmed tier are a cache of
    // its log and merge field by field; everything else is written once.
    t("incidents", Descriptive, Regional),
    t("incident_pollutants", AppendOnly, Regional),
    t("incident_log", AppendOnly, Regional),
    t("incident_orders", AppendOnly, Regional),
    t("support_calls", AppendOnly, Regional),
    t("material_requests", AppendOnly, Regional),
    t("material_allocations", AppendOnly, Regional),
    t("incident_reports", AppendOnly, Regional),
    t("report_status_events", AppendOnly, Regional),
    t("incident_warnings", AppendOnly, Regional),
    t("incident_costs", AppendOnly, Regional),
    t("incident_closings", AppendOnly, Regional),
    // Preparedness (migration 0008): a plan's status and dates merge field by field; an
    // inspection, its findings and their status events are written once. Attachments
    // (`prep_attachments`) and the case library stay local (see the migration).
    t("emergency_plans", Descriptive, Regional),
    t("inspections", AppendOnly, Regional),
    t("inspection_findings", AppendOnly, Regional),
    t("finding_events", AppendOnly, Regional),
    // Tabletop drills (migration 0009): the scenario played and the drill clock's events and
    // delivered injects, written once, so consoles synced through a drill hub share one clock.
    t("drills", AppendOnly, Regional),
    t("drill_events", AppendOnly, Regional),
    t("sync_conflicts", Descriptive, Regional),
    t("sync_over_allocations", Descriptive, Regional),
];

/// The declaration of a synced table, by name.
pub fn synced_table(name: &str) -> Option<&'static SyncedTable> {
    SYNCED_TABLES.iter().find(|t| t.name == name)
}

/// The columns of a table, in schema order.
pub fn table_columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT name FROM pragma_table_info(?1)")?;
    let cols = stmt.query_map([table], |r| r.get(0))?.collect();
    cols
}

/// Registers `yj_now_ms()` (the clock the capture triggers stamp writes with).
pub(crate) fn register_clock(conn: &Connection, clock: Arc<dyn Clock>) -> rusqlite::Result<()> {
    conn.create_scalar_function("yj_now_ms", 0, FunctionFlags::SQLITE_UTF8, move |_| {
        let now = clock.now();
        Ok((now.unix_timestamp_nanos() / 1_000_000) as i64)
    })
}

/// Creates the TEMP capture triggers (a no-op on a database without `sync_outbox`).
pub(crate) fn install(conn: &Connection) -> rusqlite::Result<()> {
    register_clock(conn, Arc::new(SystemClock))?;
    let has_outbox: i64 =
        conn.query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sync_outbox'", [], |r| {
            r.get(0)
        })?;
    if has_outbox == 0 {
        return Ok(());
    }
    let mut sql = String::from("CREATE TEMP TABLE IF NOT EXISTS yj_sync_applying (x INTEGER);\n");
    let quiet = "NOT EXISTS (SELECT 1 FROM temp.yj_sync_applying)";
    for table in SYNCED_TABLES {
        let cols = table_columns(conn, table.name)?;
        if cols.is_empty() {
            continue; // declared by a newer schema than this file has
        }
        let n = table.name;
        let changed: Vec<String> =
            cols.iter().map(|c| format!("CASE WHEN OLD.\"{c}\" IS NOT NEW.\"{c}\" THEN '{c}' END")).collect();
        sql.push_str(&format!(
            "DROP TRIGGER IF EXISTS temp.yj_sync_{n}_ai; DROP TRIGGER IF EXISTS temp.yj_sync_{n}_au;
             DROP TRIGGER IF EXISTS temp.yj_sync_{n}_ad;
             CREATE TEMP TRIGGER yj_sync_{n}_ai AFTER INSERT ON main.\"{n}\" WHEN {quiet} BEGIN
               INSERT INTO main.sync_outbox (tbl, row_id, region_code, op, columns, wall_ms)
               VALUES ('{n}', NEW.id, NEW.region_code, 'insert', '[]', yj_now_ms());
             END;
             CREATE TEMP TRIGGER yj_sync_{n}_au AFTER UPDATE ON main.\"{n}\" WHEN {quiet} BEGIN
               INSERT INTO main.sync_outbox (tbl, row_id, region_code, op, columns, wall_ms)
               VALUES ('{n}', NEW.id, NEW.region_code, 'update', json_array({}), yj_now_ms());
             END;
             CREATE TEMP TRIGGER yj_sync_{n}_ad AFTER DELETE ON main.\"{n}\" WHEN {quiet} BEGIN
               INSERT INTO main.sync_outbox (tbl, row_id, region_code, op, columns, wall_ms)
               VALUES ('{n}', OLD.id, OLD.region_code, 'delete', '[]', yj_now_ms());
             END;\n",
            changed.join(", ")
        ));
        if table.kind == SyncKind::AppendOnly {
            sql.push_str(&format!(
                "DROP TRIGGER IF EXISTS temp.yj_sync_{n}_bu;
                 CREATE TEMP TRIGGER yj_sync_{n}_bu BEFORE UPDATE ON main.\"{n}\" WHEN {quiet} BEGIN
                   SELECT RAISE(ABORT, '{n} is append-only: add a new entry instead of changing one');
                 END;\n"
            ));
        }
    }
    conn.execute_batch(&sql)
}

impl Store {
    /// Uses `clock` for the time stamped on captured writes (tests use fixed or offset clocks).
    pub fn set_capture_clock(&self, clock: Arc<dyn Clock>) -> Result<(), StoreError> {
        register_clock(&self.conn, clock).map_err(|e| self.error(e))
    }

    /// Runs `f` with capture off on this connection: for applying changes that came from the hub.
    pub fn applying_remote<T, E: From<rusqlite::Error>>(
        conn: &Connection,
        f: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        conn.execute("INSERT INTO temp.yj_sync_applying (x) VALUES (1)", [])?;
        let out = f();
        conn.execute("DELETE FROM temp.yj_sync_applying", [])?;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_are_captured_and_remote_applies_are_not() {
        let mut store = Store::open_in_memory().unwrap();
        let tx = store.transaction().unwrap();
        tx.execute(
            "INSERT INTO regions (id, code, parent_code, level, region_code, name_zh, name_pinyin, data_source, created_at, updated_at)
             VALUES ('320000', '320000', NULL, 'province', '320000', '江苏省', 'Jiangsu', 'test', 't', 't')",
            [],
        )
        .unwrap();
        tx.execute("UPDATE regions SET name_pinyin = 'Jiangsu Sheng' WHERE id = '320000'", []).unwrap();
        Store::applying_remote::<_, rusqlite::Error>(&tx, || {
            tx.execute("UPDATE regions SET name_zh = '苏' WHERE id = '320000'", [])
        })
        .unwrap();
        tx.commit().unwrap();
        let rows: Vec<(String, String)> = store
            .conn()
            .prepare("SELECT op, columns FROM sync_outbox ORDER BY seq")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0, "insert");
        assert_eq!(
            rows[1],
            (
                "update".to_owned(),
                r#"[null,null,null,null,null,null,"name_pinyin",null,null,null,null,null]"#.to_owned()
            )
        );
    }

    #[test]
    fn every_declared_table_exists() {
        let store = Store::open_in_memory().unwrap();
        for t in SYNCED_TABLES {
            let cols = table_columns(store.conn(), t.name).unwrap();
            assert!(cols.iter().any(|c| c == "id") && cols.iter().any(|c| c == "region_code"), "{}", t.name);
        }
    }
}
