//! The replica's side of the merge rules: stamping captured writes with the HLC, batching them
//! for the hub, and applying what the hub sends (per-field last-writer-wins, tombstones,
//! append-only rows inserted once).

use rusqlite::{params, types::ValueRef, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use yingji_store::{
    capture::{synced_table, table_columns, SyncKind},
    Store,
};

use crate::{
    hlc::{Hlc, BASELINE},
    proto::{Change, PullResponse, PushRequest, BATCH_SIZE},
    SyncError,
};

/// Keys in `meta`.
pub const META_REPLICA_ID: &str = "sync.replica_id";
pub const META_HLC: &str = "sync.hlc";
pub const META_CURSOR: &str = "sync.cursor";
pub const META_BASELINE: &str = "sync.baseline";
pub const META_BATCH: &str = "sync.batch";
pub const META_LAST_SYNC: &str = "sync.last_success";
pub const META_HUB: &str = "sync.hub_url";
/// The region and role the hub registered this replica's device with (learnt at each sync).
pub const META_REGION: &str = "sync.region";
pub const META_ROLE: &str = "sync.role";

pub fn meta_get(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()
}

pub fn meta_set(conn: &Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2",
        [key, value],
    )?;
    Ok(())
}

/// Declares everything now in the replica to be its baseline (what `yingji init` created: the
/// same rows the hub seeded with `hub init` of the same label), so none of it is pushed.
pub fn mark_baseline(store: &mut Store, label: &str) -> Result<(), SyncError> {
    let tx = store.transaction()?;
    tx.execute("DELETE FROM sync_outbox", [])?;
    meta_set(&tx, META_BASELINE, label)?;
    tx.commit()?;
    Ok(())
}

/// This replica's id (created on first use).
pub fn replica_id(conn: &Connection) -> rusqlite::Result<String> {
    if let Some(id) = meta_get(conn, META_REPLICA_ID)? {
        return Ok(id);
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    meta_set(conn, META_REPLICA_ID, &id)?;
    Ok(id)
}

fn load_hlc(conn: &Connection) -> rusqlite::Result<Hlc> {
    let replica = replica_id(conn)?;
    let mut hlc = Hlc::zero(&replica);
    if let Some(text) = meta_get(conn, META_HLC)? {
        hlc.observe(&text);
    }
    Ok(hlc)
}

/// An SQLite value as JSON.
pub fn to_json(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => Value::from(f),
        ValueRef::Text(t) => Value::from(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::from(b.iter().map(|x| format!("{x:02x}")).collect::<String>()),
    }
}

/// A JSON value bound as an SQLite value.
pub fn to_sql(v: &Value) -> rusqlite::types::Value {
    use rusqlite::types::Value as V;
    match v {
        Value::Null => V::Null,
        Value::Bool(b) => V::Integer(*b as i64),
        Value::Number(n) if n.is_i64() => V::Integer(n.as_i64().unwrap_or_default()),
        Value::Number(n) => V::Real(n.as_f64().unwrap_or_default()),
        Value::String(s) => V::Text(s.clone()),
        other => V::Text(other.to_string()),
    }
}

fn read_row(conn: &Connection, tbl: &str, id: &str, cols: &[String]) -> rusqlite::Result<Option<Map<String, Value>>> {
    let list = cols.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
    conn.query_row(&format!("SELECT {list} FROM \"{tbl}\" WHERE id = ?1"), [id], |r| {
        let mut m = Map::new();
        for (i, c) in cols.iter().enumerate() {
            m.insert(c.clone(), to_json(r.get_ref(i)?));
        }
        Ok(m)
    })
    .optional()
}

fn field_version_opt(conn: &Connection, tbl: &str, id: &str, field: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT hlc FROM sync_field_versions WHERE tbl = ?1 AND row_id = ?2 AND field = ?3",
        [tbl, id, field],
        |r| r.get(0),
    )
    .optional()
}

fn field_version(conn: &Connection, tbl: &str, id: &str, field: &str) -> rusqlite::Result<String> {
    Ok(field_version_opt(conn, tbl, id, field)?.unwrap_or_else(|| BASELINE.to_owned()))
}

fn set_version(conn: &Connection, tbl: &str, id: &str, field: &str, hlc: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO sync_field_versions (tbl, row_id, field, hlc) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (tbl, row_id, field) DO UPDATE SET hlc = ?4",
        params![tbl, id, field, hlc],
    )?;
    Ok(())
}

/// Turns captured writes (`sync_outbox`) into HLC-stamped changes (`sync_pending`), recording
/// the new field versions. Runs inside the caller's transaction; returns how many it stamped.
pub fn stamp(tx: &Transaction<'_>) -> Result<usize, SyncError> {
    let entries: Vec<(i64, String, String, String, String, String, i64)> = {
        let mut stmt =
            tx.prepare("SELECT seq, tbl, row_id, region_code, op, columns, wall_ms FROM sync_outbox ORDER BY seq")?;
        let rows =
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    if entries.is_empty() {
        return Ok(0);
    }
    let mut hlc = load_hlc(tx)?;
    let mut count = 0;
    for (_, tbl, id, region_code, op, columns, wall_ms) in &entries {
        let decl = synced_table(tbl).ok_or_else(|| SyncError::UnknownTable(tbl.clone()))?;
        let all_cols = table_columns(tx, tbl)?;
        let cols: Vec<String> = match op.as_str() {
            "insert" => all_cols.clone(),
            "update" => serde_json::from_str::<Vec<Option<String>>>(columns)
                .map_err(|e| SyncError::BadAnswer(e.to_string()))?
                .into_iter()
                .flatten()
                .collect(),
            _ => vec![],
        };
        let mut change = Change {
            tbl: tbl.clone(),
            id: id.clone(),
            region_code: region_code.clone(),
            hlc: String::new(),
            insert: op == "insert",
            deleted: op == "delete",
            fields: Map::new(),
            base: Map::new(),
        };
        if change.deleted {
            if decl.kind == SyncKind::AppendOnly {
                continue; // only by cascade from a deleted parent; the parent's tombstone carries it
            }
            for c in &all_cols {
                change.base.insert(c.clone(), field_version(tx, tbl, id, c)?.into());
            }
        } else {
            if cols.is_empty() {
                continue;
            }
            let Some(row) = read_row(tx, tbl, id, &cols)? else {
                continue; // deleted again before stamping; the delete entry follows
            };
            for c in &cols {
                if !change.insert {
                    change.base.insert(c.clone(), field_version(tx, tbl, id, c)?.into());
                }
            }
            change.fields = row;
        }
        change.hlc = hlc.tick(u64::try_from(*wall_ms).unwrap_or(0)).to_string();
        if change.deleted {
            set_version(tx, tbl, id, "_deleted", &change.hlc)?;
        }
        for c in change.fields.keys() {
            set_version(tx, tbl, id, c, &change.hlc)?;
        }
        tx.execute(
            "INSERT INTO sync_pending (change) VALUES (?1)",
            [serde_json::to_string(&change).map_err(|e| SyncError::BadAnswer(e.to_string()))?],
        )?;
        count += 1;
    }
    tx.execute("DELETE FROM sync_outbox WHERE seq <= ?1", [entries.last().map(|e| e.0)])?;
    meta_set(tx, META_HLC, &hlc.to_string())?;
    Ok(count)
}

#[derive(Serialize, Deserialize)]
struct OpenBatch {
    id: String,
    upto: i64,
}

/// The next batch to push: the one already sent but not acknowledged (same id, same changes,
/// so the hub answers it once), or a new one of up to `BATCH_SIZE` pending changes.
pub fn next_batch(store: &mut Store) -> Result<Option<PushRequest>, SyncError> {
    let tx = store.transaction()?;
    stamp(&tx)?;
    let open: Option<OpenBatch> = meta_get(&tx, META_BATCH)?.and_then(|t| serde_json::from_str(&t).ok());
    let (id, upto) = match open {
        Some(b) => (b.id, b.upto),
        None => {
            let upto: Option<i64> = tx.query_row(
                "SELECT max(seq) FROM (SELECT seq FROM sync_pending ORDER BY seq LIMIT ?1)",
                [BATCH_SIZE as i64],
                |r| r.get(0),
            )?;
            let Some(upto) = upto else {
                tx.commit()?;
                return Ok(None);
            };
            let b = OpenBatch { id: uuid::Uuid::new_v4().to_string(), upto };
            meta_set(&tx, META_BATCH, &serde_json::to_string(&b).map_err(|e| SyncError::BadAnswer(e.to_string()))?)?;
            (b.id, b.upto)
        }
    };
    let changes = {
        let mut stmt = tx.prepare("SELECT change FROM sync_pending WHERE seq <= ?1 ORDER BY seq")?;
        let rows = stmt.query_map([upto], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for text in rows {
            out.push(serde_json::from_str(&text?).map_err(|e| SyncError::BadAnswer(e.to_string()))?);
        }
        out
    };
    let replica_id = replica_id(&tx)?;
    tx.commit()?;
    Ok(Some(PushRequest { batch_id: id, replica_id, changes }))
}

/// The hub has the batch: drop it from the queue.
pub fn ack_batch(store: &mut Store, batch_id: &str) -> Result<(), SyncError> {
    let tx = store.transaction()?;
    let open: Option<OpenBatch> = meta_get(&tx, META_BATCH)?.and_then(|t| serde_json::from_str(&t).ok());
    if let Some(b) = open.filter(|b| b.id == batch_id) {
        tx.execute("DELETE FROM sync_pending WHERE seq <= ?1", [b.upto])?;
        tx.execute("DELETE FROM meta WHERE key = ?1", [META_BATCH])?;
    }
    tx.commit()?;
    Ok(())
}

/// Applies one page from the hub and stores its cursor, in one transaction: an interrupted pull
/// resumes after the last page applied. Local writes not yet stamped are stamped first so they
/// hold their versions against what arrives.
pub fn apply_page(store: &mut Store, page: &PullResponse) -> Result<usize, SyncError> {
    let tx = store.transaction()?;
    stamp(&tx)?;
    // Rows may arrive before rows they refer to within a page; checked at commit.
    tx.pragma_update(None, "defer_foreign_keys", "ON")?;
    let mut hlc = load_hlc(&tx)?;
    let mut applied = 0;
    let result = Store::applying_remote(&tx, || {
        for logged in &page.changes {
            if apply_change(&tx, &logged.change)? {
                applied += 1;
            }
            hlc.observe(&logged.change.hlc);
        }
        Ok::<(), SyncError>(())
    });
    result?;
    meta_set(&tx, META_HLC, &hlc.to_string())?;
    meta_set(&tx, META_CURSOR, &page.cursor.to_string())?;
    tx.commit()?;
    Ok(applied)
}

/// One remote change under the merge rules; `true` if it changed the replica.
pub fn apply_change(conn: &Connection, change: &Change) -> Result<bool, SyncError> {
    let decl = synced_table(&change.tbl).ok_or_else(|| SyncError::UnknownTable(change.tbl.clone()))?;
    let (tbl, id) = (change.tbl.as_str(), change.id.as_str());
    let exists: bool =
        conn.query_row(&format!("SELECT EXISTS (SELECT 1 FROM \"{tbl}\" WHERE id = ?1)",), [id], |r| r.get(0))?;
    if decl.kind == SyncKind::AppendOnly {
        if exists || change.deleted {
            return Ok(false);
        }
        insert_row(conn, tbl, &change.fields)?;
        return Ok(true);
    }
    let tombstone = field_version(conn, tbl, id, "_deleted")?;
    if change.deleted {
        if change.hlc.as_str() > tombstone.as_str() {
            set_version(conn, tbl, id, "_deleted", &change.hlc)?;
            if exists {
                conn.execute(&format!("DELETE FROM \"{tbl}\" WHERE id = ?1"), [id])?;
            }
            return Ok(exists);
        }
        return Ok(false);
    }
    if tombstone != BASELINE {
        return Ok(false); // a deleted row stays deleted
    }
    let mut newer = Map::new();
    for (field, value) in &change.fields {
        // No local version: never written here (or only by the baseline), so take it.
        let local = field_version_opt(conn, tbl, id, field)?;
        if local.is_none_or(|v| change.hlc > v) {
            newer.insert(field.clone(), value.clone());
        }
    }
    if newer.is_empty() {
        return Ok(false);
    }
    if exists {
        let sets = newer.keys().enumerate().map(|(i, c)| format!("\"{c}\" = ?{}", i + 2)).collect::<Vec<_>>();
        let mut values: Vec<rusqlite::types::Value> = vec![rusqlite::types::Value::Text(id.to_owned())];
        values.extend(newer.values().map(to_sql));
        conn.execute(
            &format!("UPDATE \"{tbl}\" SET {} WHERE id = ?1", sets.join(", ")),
            rusqlite::params_from_iter(values),
        )?;
    } else {
        insert_row(conn, tbl, &newer)?;
    }
    for field in newer.keys() {
        set_version(conn, tbl, id, field, &change.hlc)?;
    }
    Ok(true)
}

fn insert_row(conn: &Connection, tbl: &str, fields: &Map<String, Value>) -> rusqlite::Result<()> {
    let cols = fields.keys().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
    let marks = (1..=fields.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
    conn.execute(
        &format!("INSERT INTO \"{tbl}\" ({cols}) VALUES ({marks})"),
        rusqlite::params_from_iter(fields.values().map(to_sql)),
    )?;
    Ok(())
}

/// Numbers the sync status shows.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub replica_id: Option<String>,
    pub hub_url: Option<String>,
    pub last_success: Option<String>,
    pub pending_changes: i64,
    pub open_conflicts: i64,
    pub open_over_allocations: i64,
}

pub fn status(conn: &Connection) -> Result<Status, SyncError> {
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0));
    Ok(Status {
        replica_id: meta_get(conn, META_REPLICA_ID)?,
        hub_url: meta_get(conn, META_HUB)?,
        last_success: meta_get(conn, META_LAST_SYNC)?,
        pending_changes: count("SELECT (SELECT count(*) FROM sync_outbox) + (SELECT count(*) FROM sync_pending)")?,
        open_conflicts: count("SELECT count(*) FROM sync_conflicts WHERE resolved = 0")?,
        open_over_allocations: count("SELECT count(*) FROM sync_over_allocations WHERE resolved = 0")?,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn region_change(hlc: &str, fields: Value) -> Change {
        Change {
            tbl: "regions".into(),
            id: "320000".into(),
            region_code: "320000".into(),
            hlc: hlc.into(),
            insert: false,
            deleted: false,
            fields: fields.as_object().cloned().unwrap_or_default(),
            base: Map::new(),
        }
    }

    fn full_region(hlc: &str) -> Change {
        Change {
            insert: true,
            ..region_change(
                hlc,
                json!({"id": "320000", "code": "320000", "parent_code": null, "level": "province", "region_code": "320000",
                       "name_zh": "江苏省", "name_pinyin": "Jiangsu", "lat": 32.06, "lon": 118.8, "data_source": "t",
                       "created_at": "t", "updated_at": "t"}),
            )
        }
    }

    fn name(store: &Store) -> Option<String> {
        store.conn().query_row("SELECT name_zh FROM regions WHERE id = '320000'", [], |r| r.get(0)).optional().unwrap()
    }

    /// Per-field last-writer-wins: the order in which changes arrive does not matter.
    #[test]
    fn the_newest_write_of_each_field_wins_in_any_arrival_order() {
        let older = region_change("000000000000010-000000-a", json!({"name_zh": "旧", "name_pinyin": "old"}));
        let newer = region_change("000000000000020-000000-b", json!({"name_zh": "新"}));
        let mut results = Vec::new();
        for order in [[&older, &newer], [&newer, &older]] {
            let mut store = Store::open_in_memory().unwrap();
            let tx = store.transaction().unwrap();
            Store::applying_remote::<_, SyncError>(&tx, || {
                apply_change(&tx, &full_region(BASELINE))?;
                for c in order {
                    apply_change(&tx, c)?;
                }
                Ok(())
            })
            .unwrap();
            tx.commit().unwrap();
            let row: (String, String) = store
                .conn()
                .query_row("SELECT name_zh, name_pinyin FROM regions WHERE id = '320000'", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .unwrap();
            let outbox: i64 = store.conn().query_row("SELECT count(*) FROM sync_outbox", [], |r| r.get(0)).unwrap();
            assert_eq!(outbox, 0, "remote changes are not captured again");
            results.push(row);
        }
        assert_eq!(results[0], ("新".to_owned(), "old".to_owned()));
        assert_eq!(results[0], results[1]);
    }

    #[test]
    fn a_tombstone_is_final_and_local_writes_are_stamped_before_remote_ones_apply() {
        let mut store = Store::open_in_memory().unwrap();
        let tx = store.transaction().unwrap();
        Store::applying_remote::<_, SyncError>(&tx, || apply_change(&tx, &full_region(BASELINE))).unwrap();
        tx.commit().unwrap();
        // A local edit, not yet pushed, is newer than an older remote write of the same field.
        store.set_capture_clock(std::sync::Arc::new(yingji_store::FixedClock(time_at(1_000)))).unwrap();
        store.conn().execute("UPDATE regions SET name_zh = '本地' WHERE id = '320000'", []).unwrap();
        let page = |changes: Vec<Change>| PullResponse {
            changes: changes
                .into_iter()
                .enumerate()
                .map(|(i, change)| crate::proto::LoggedChange { seq: i as i64, change })
                .collect(),
            cursor: 7,
            remaining: 0,
        };
        apply_page(&mut store, &page(vec![region_change("000000000000500-000000-z", json!({"name_zh": "远端"}))]))
            .unwrap();
        assert_eq!(name(&store).as_deref(), Some("本地"));
        let pending: i64 = store.conn().query_row("SELECT count(*) FROM sync_pending", [], |r| r.get(0)).unwrap();
        assert_eq!(pending, 1);
        let tomb = Change { deleted: true, ..region_change("000000000002000-000000-z", json!({})) };
        let later = region_change("000000000003000-000000-y", json!({"name_zh": "复活"}));
        apply_page(&mut store, &page(vec![tomb, later])).unwrap();
        assert_eq!(name(&store), None, "a deleted record stays deleted");
        assert_eq!(meta_get(store.conn(), META_CURSOR).unwrap().as_deref(), Some("7"));
    }

    fn time_at(ms: i64) -> yingji_store::Timestamp {
        yingji_store::Timestamp::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).unwrap()
    }
}
