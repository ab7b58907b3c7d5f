//! What the hub keeps, behind [`HubStorage`]; [`SqliteHub`] is the one-file backend.
//! The hub is schema-agnostic: it stores each record as JSON (`fields`) with the HLC of each
//! field (`versions`), keeps the log replicas pull from, and knows tables only through
//! `SYNCED_TABLES` (kind and scope).

use std::{path::Path, sync::Mutex, time::Duration};

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use yingji_store::{
    capture::{synced_table, SyncKind, SyncScope},
    Clock,
};
use yingji_sync::{
    hlc::{Hlc, BASELINE},
    proto::{Change, LoggedChange, PullResponse, PushRequest, PushResponse},
};

use crate::{
    scope::{self, RegionInfo},
    HubError,
};

/// A registered device, as its token says.
#[derive(Debug, Clone)]
pub struct Device {
    pub id: String,
    pub region_code: String,
    pub role: String,
}

/// Bookkeeping fields: last-writer-wins, but never listed as conflicts.
pub const NOT_CONFLICTS: &[&str] = &["updated_at"];

/// Roles a token can carry.
pub const ROLES: &[&str] = &["editor", "viewer"];

/// The hub's storage. Every method is one transaction.
pub trait HubStorage: Send + Sync {
    fn baseline(&self) -> Result<(String, i64), HubError>;
    fn device(&self, token: &str) -> Result<Device, HubError>;
    fn issue_token(&self, region_code: &str, role: &str, issued_at: &str) -> Result<(Device, String), HubError>;
    fn revoke_token(&self, id: &str) -> Result<bool, HubError>;
    fn push(&self, device: &Device, batch: &PushRequest, clock: &dyn Clock) -> Result<PushResponse, HubError>;
    fn pull(&self, device: &Device, after: i64, limit: usize) -> Result<PullResponse, HubError>;
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS hub_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS hub_tokens (
    id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, region_code TEXT NOT NULL, role TEXT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0, issued_at TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS hub_rows (
    tbl TEXT NOT NULL, row_id TEXT NOT NULL, region_code TEXT NOT NULL, deleted TEXT NOT NULL DEFAULT '',
    fields TEXT NOT NULL, versions TEXT NOT NULL, PRIMARY KEY (tbl, row_id)) STRICT;
CREATE TABLE IF NOT EXISTS hub_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, row_id TEXT NOT NULL,
    region_code TEXT NOT NULL, reference INTEGER NOT NULL, change TEXT NOT NULL) STRICT;
CREATE INDEX IF NOT EXISTS hub_log_region ON hub_log (region_code, seq);
CREATE TABLE IF NOT EXISTS hub_batches (batch_id TEXT PRIMARY KEY, response TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS hub_ledger (id TEXT PRIMARY KEY, item TEXT NOT NULL, delta REAL NOT NULL) STRICT;
CREATE INDEX IF NOT EXISTS hub_ledger_item ON hub_ledger (item);
";

/// Test hook: milliseconds the hub sleeps inside the push transaction before committing, so a
/// test can kill it there deterministically.
pub const PAUSE_ENV: &str = "YINGJI_HUB_TEST_PAUSE_IN_TX_MS";
/// Test hook: a file the hub creates when it starts that pause.
pub const PAUSE_MARKER_ENV: &str = "YINGJI_HUB_TEST_PAUSE_MARKER";

pub struct SqliteHub {
    conn: Mutex<Connection>,
    pause_in_tx: Option<Duration>,
}

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("plain data serialises")
}

impl SqliteHub {
    pub fn open(path: &Path) -> Result<SqliteHub, HubError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        conn.execute_batch(SCHEMA)?;
        let pause_in_tx = std::env::var(PAUSE_ENV).ok().and_then(|v| v.parse().ok()).map(Duration::from_millis);
        Ok(SqliteHub { conn: Mutex::new(conn), pause_in_tx })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Seeds an empty hub with every synced row of `store` as the baseline `label`.
    pub fn seed_baseline(&self, store: &yingji_store::Store, label: &str) -> Result<i64, HubError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let existing: i64 = tx.query_row("SELECT count(*) FROM hub_rows", [], |r| r.get(0))?;
        if existing > 0 {
            return Err(HubError::Config("the hub already holds records; seed only a new hub".into()));
        }
        for table in yingji_store::capture::SYNCED_TABLES {
            let cols = yingji_store::capture::table_columns(store.conn(), table.name)?;
            if cols.is_empty() {
                continue;
            }
            let list = cols.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
            let mut stmt = store.conn().prepare(&format!("SELECT {list} FROM \"{}\" ORDER BY rowid", table.name))?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let mut fields = Map::new();
                for (i, c) in cols.iter().enumerate() {
                    fields.insert(c.clone(), yingji_sync::replica::to_json(r.get_ref(i)?));
                }
                let change = Change {
                    tbl: table.name.to_owned(),
                    id: fields["id"].as_str().unwrap_or_default().to_owned(),
                    region_code: fields["region_code"].as_str().unwrap_or_default().to_owned(),
                    hlc: BASELINE.to_owned(),
                    insert: true,
                    deleted: false,
                    fields,
                    base: Map::new(),
                };
                write_row(&tx, &change, &change.fields, &Map::new(), "")?;
                log(&tx, &change)?;
                if let Some((item, delta)) = table.ledger {
                    tx.execute(
                        "INSERT INTO hub_ledger (id, item, delta) VALUES (?1, ?2, ?3)",
                        params![change.id, change.fields[item].as_str(), change.fields[delta].as_f64()],
                    )?;
                }
            }
        }
        let seq: i64 = tx.query_row("SELECT COALESCE(max(seq), 0) FROM hub_log", [], |r| r.get(0))?;
        set_meta(&tx, "baseline", label)?;
        set_meta(&tx, "baseline_seq", &seq.to_string())?;
        tx.commit()?;
        Ok(seq)
    }
}

fn get_meta(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT value FROM hub_meta WHERE key = ?1", [key], |r| r.get(0)).optional()
}

fn set_meta(conn: &Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO hub_meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2",
        [key, value],
    )?;
    Ok(())
}

fn log(tx: &Transaction<'_>, change: &Change) -> rusqlite::Result<()> {
    let reference = synced_table(&change.tbl).is_some_and(|t| t.scope == SyncScope::Reference);
    tx.execute(
        "INSERT INTO hub_log (tbl, row_id, region_code, reference, change) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![change.tbl, change.id, change.region_code, reference, json(change)],
    )?;
    Ok(())
}

fn write_row(
    tx: &Transaction<'_>,
    change: &Change,
    fields: &Map<String, Value>,
    versions: &Map<String, Value>,
    deleted: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO hub_rows (tbl, row_id, region_code, deleted, fields, versions) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (tbl, row_id) DO UPDATE SET deleted = ?4, fields = ?5, versions = ?6",
        params![change.tbl, change.id, change.region_code, deleted, json(fields), json(versions)],
    )?;
    Ok(())
}

type Row = (String, String, Map<String, Value>, Map<String, Value>);

fn read_row(tx: &Transaction<'_>, tbl: &str, id: &str) -> rusqlite::Result<Option<Row>> {
    tx.query_row(
        "SELECT region_code, deleted, fields, versions FROM hub_rows WHERE tbl = ?1 AND row_id = ?2",
        [tbl, id],
        |r| {
            let f: String = r.get(2)?;
            let v: String = r.get(3)?;
            Ok((
                r.get(0)?,
                r.get(1)?,
                serde_json::from_str(&f).unwrap_or_default(),
                serde_json::from_str(&v).unwrap_or_default(),
            ))
        },
    )
    .optional()
}

fn version_of(versions: &Map<String, Value>, field: &str) -> String {
    versions.get(field).and_then(Value::as_str).unwrap_or(BASELINE).to_owned()
}

/// The state of one push while it is applied.
struct Apply<'a> {
    tx: &'a Transaction<'a>,
    hlc: Hlc,
    wall_ms: u64,
    created_at: String,
    applied: u32,
    conflicts: u32,
}

impl Apply<'_> {
    fn hub_change(
        &mut self,
        tbl: &str,
        id: &str,
        region: &str,
        fields: Map<String, Value>,
        insert: bool,
    ) -> rusqlite::Result<()> {
        let hlc = self.hlc.tick(self.wall_ms).to_string();
        let change = Change {
            tbl: tbl.into(),
            id: id.into(),
            region_code: region.into(),
            hlc: hlc.clone(),
            insert,
            deleted: false,
            fields: fields.clone(),
            base: Map::new(),
        };
        let (mut all, mut versions) = match read_row(self.tx, tbl, id)? {
            Some((_, _, f, v)) => (f, v),
            None => (Map::new(), Map::new()),
        };
        for (k, v) in fields {
            versions.insert(k.clone(), hlc.clone().into());
            all.insert(k, v);
        }
        write_row(self.tx, &change, &all, &versions, "")?;
        log(self.tx, &change)
    }

    #[allow(clippy::too_many_arguments)]
    fn conflict(
        &mut self,
        c: &Change,
        field: &str,
        winner: (&Value, &str),
        loser: (&Value, &str),
    ) -> rusqlite::Result<()> {
        self.conflicts += 1;
        let mut f = Map::new();
        let id = uuid::Uuid::new_v4().to_string();
        for (k, v) in [
            ("id", Value::from(id.clone())),
            ("region_code", c.region_code.clone().into()),
            ("tbl", c.tbl.clone().into()),
            ("row_id", c.id.clone().into()),
            ("field", field.into()),
            ("winner_value", winner.0.to_string().into()),
            ("winner_hlc", winner.1.into()),
            ("loser_value", loser.0.to_string().into()),
            ("loser_hlc", loser.1.into()),
            ("resolved", 0.into()),
            ("resolution", "".into()),
            ("data_source", "hub".into()),
            ("created_at", self.created_at.clone().into()),
            ("updated_at", self.created_at.clone().into()),
        ] {
            f.insert(k.into(), v);
        }
        self.hub_change("sync_conflicts", &id, &c.region_code, f, true)
    }

    fn descriptive(&mut self, c: &Change) -> Result<(), HubError> {
        let current = read_row(self.tx, &c.tbl, &c.id)?;
        let (mut fields, mut versions, tombstone) = match &current {
            Some((region, deleted, f, v)) => {
                if region != &c.region_code {
                    return Err(HubError::BadRequest(format!("{} {}: a record's region cannot change", c.tbl, c.id)));
                }
                (f.clone(), v.clone(), deleted.clone())
            }
            None => (Map::new(), Map::new(), String::new()),
        };
        if !c.insert && !c.deleted && current.is_none() {
            return Err(HubError::BadRequest(format!("{} {}: update of a record the hub does not know", c.tbl, c.id)));
        }
        // Concurrent writes: the writer had seen a version other than the hub's, and the values differ.
        for (field, seen) in &c.base {
            if NOT_CONFLICTS.contains(&field.as_str()) {
                continue;
            }
            let seen = seen.as_str().unwrap_or(BASELINE);
            let hub_version = version_of(&versions, field);
            let hub_value = fields.get(field).cloned().unwrap_or(Value::Null);
            let new_value = c.fields.get(field).cloned();
            let differs = match &new_value {
                Some(v) => v != &hub_value,
                None => true, // a delete against a value the deleter never saw
            };
            if hub_version != seen && differs && hub_version.as_str() != c.hlc.as_str() {
                let lost = new_value.clone().unwrap_or(Value::from("<deleted>"));
                if c.hlc.as_str() > hub_version.as_str() {
                    self.conflict(c, field, (&lost, &c.hlc), (&hub_value, &hub_version))?;
                } else {
                    self.conflict(c, field, (&hub_value, &hub_version), (&lost, &c.hlc))?;
                }
            }
        }
        if !tombstone.is_empty() {
            if !c.deleted && !c.fields.is_empty() {
                let value = Value::Object(c.fields.clone());
                self.conflict(c, "_deleted", (&Value::from("<deleted>"), &tombstone), (&value, &c.hlc))?;
            }
            return Ok(()); // a deleted record stays deleted
        }
        if c.deleted {
            write_row(self.tx, c, &fields, &versions, &c.hlc)?;
            log(self.tx, c)?;
            self.applied += 1;
            return Ok(());
        }
        let mut accepted = Map::new();
        for (field, value) in &c.fields {
            if c.hlc.as_str() > version_of(&versions, field).as_str() {
                accepted.insert(field.clone(), value.clone());
                fields.insert(field.clone(), value.clone());
                versions.insert(field.clone(), c.hlc.clone().into());
            }
        }
        if accepted.is_empty() {
            return Ok(());
        }
        write_row(self.tx, c, &fields, &versions, "")?;
        log(self.tx, &Change { fields: accepted, base: Map::new(), insert: current.is_none(), ..c.clone() })?;
        self.applied += 1;
        Ok(())
    }
}

impl HubStorage for SqliteHub {
    fn baseline(&self) -> Result<(String, i64), HubError> {
        let conn = self.lock();
        let label = get_meta(&conn, "baseline")?.unwrap_or_else(|| "empty".to_owned());
        let seq = get_meta(&conn, "baseline_seq")?.and_then(|s| s.parse().ok()).unwrap_or(0);
        Ok((label, seq))
    }

    fn device(&self, token: &str) -> Result<Device, HubError> {
        let conn = self.lock();
        conn.query_row(
            "SELECT id, region_code, role FROM hub_tokens WHERE hash = ?1 AND revoked = 0",
            [sha256_hex(token)],
            |r| Ok(Device { id: r.get(0)?, region_code: r.get(1)?, role: r.get(2)? }),
        )
        .optional()?
        .ok_or(HubError::Unauthorized)
    }

    fn issue_token(&self, region_code: &str, role: &str, issued_at: &str) -> Result<(Device, String), HubError> {
        if region_code.len() != 6 || !region_code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(HubError::BadRequest(format!(
                "region code {region_code:?} is not a 6-digit code such as 320102"
            )));
        }
        if !ROLES.contains(&role) {
            return Err(HubError::BadRequest(format!("role {role:?} is not one of {}", ROLES.join(", "))));
        }
        let token = format!("yj1_{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
        let device =
            Device { id: uuid::Uuid::new_v4().to_string(), region_code: region_code.into(), role: role.into() };
        self.lock().execute(
            "INSERT INTO hub_tokens (id, hash, region_code, role, issued_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![device.id, sha256_hex(&token), region_code, role, issued_at],
        )?;
        Ok((device, token))
    }

    fn revoke_token(&self, id: &str) -> Result<bool, HubError> {
        Ok(self.lock().execute("UPDATE hub_tokens SET revoked = 1 WHERE id = ?1", [id])? > 0)
    }

    fn push(&self, device: &Device, batch: &PushRequest, clock: &dyn Clock) -> Result<PushResponse, HubError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if let Some(done) = tx
            .query_row("SELECT response FROM hub_batches WHERE batch_id = ?1", [&batch.batch_id], |r| {
                r.get::<_, String>(0)
            })
            .optional()?
        {
            return serde_json::from_str(&done).map_err(|e| HubError::BadRequest(e.to_string()));
        }
        if device.role != "editor" {
            return Err(HubError::Forbidden(format!("a {} device cannot write", device.role)));
        }
        // Rights first, so a refused batch writes nothing.
        for c in &batch.changes {
            let decl = synced_table(&c.tbl).ok_or_else(|| HubError::BadRequest(format!("unknown table {}", c.tbl)))?;
            if Hlc::parse(&c.hlc).is_none() {
                return Err(HubError::BadRequest(format!("{} {}: bad clock value {:?}", c.tbl, c.id, c.hlc)));
            }
            let allowed = match decl.scope {
                SyncScope::Reference => scope::is_province(&device.region_code),
                SyncScope::Regional => scope::may_write(&device.region_code, &c.region_code),
            };
            if !allowed {
                return Err(HubError::Forbidden(format!(
                    "device of region {} may not write {} {} of region {}",
                    device.region_code, c.tbl, c.id, c.region_code
                )));
            }
            if decl.kind == SyncKind::AppendOnly && (!c.insert || c.deleted) {
                return Err(HubError::BadRequest(format!(
                    "{} is append-only: {} cannot be changed or deleted",
                    c.tbl, c.id
                )));
            }
        }
        let mut hlc = Hlc::zero("hub");
        if let Some(t) = get_meta(&tx, "hlc")? {
            hlc.observe(&t);
        }
        let wall_ms = (clock.now().unix_timestamp_nanos() / 1_000_000) as u64;
        let mut apply = Apply { tx: &tx, hlc, wall_ms, created_at: clock.now_rfc3339(), applied: 0, conflicts: 0 };
        let mut items = std::collections::BTreeSet::new();
        for c in &batch.changes {
            apply.hlc.observe(&c.hlc);
            let decl = synced_table(&c.tbl).expect("checked above");
            if let Some((item_col, delta_col)) = decl.ledger {
                let exists: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM hub_rows WHERE tbl = ?1 AND row_id = ?2)",
                    [&c.tbl, &c.id],
                    |r| r.get(0),
                )?;
                if exists {
                    continue; // exactly once
                }
                let item = c.fields.get(item_col).and_then(Value::as_str).unwrap_or_default().to_owned();
                let delta =
                    c.fields.get(delta_col).and_then(Value::as_f64).ok_or_else(|| {
                        HubError::BadRequest(format!("{} {}: {delta_col} must be a number", c.tbl, c.id))
                    })?;
                tx.execute("INSERT INTO hub_ledger (id, item, delta) VALUES (?1, ?2, ?3)", params![c.id, item, delta])?;
                items.insert(item);
            }
            if decl.kind == SyncKind::AppendOnly {
                let exists: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM hub_rows WHERE tbl = ?1 AND row_id = ?2)",
                    [&c.tbl, &c.id],
                    |r| r.get(0),
                )?;
                if !exists {
                    write_row(&tx, c, &c.fields, &Map::new(), "")?;
                    log(&tx, c)?;
                    apply.applied += 1;
                }
            } else {
                apply.descriptive(c)?;
            }
        }
        let mut over = 0;
        for item in items {
            let sum: f64 =
                tx.query_row("SELECT COALESCE(sum(delta), 0) FROM hub_ledger WHERE item = ?1", [&item], |r| r.get(0))?;
            if sum >= 0.0 {
                continue;
            }
            over += 1;
            let region = tx
                .query_row("SELECT region_code FROM hub_rows WHERE tbl = 'stock_items' AND row_id = ?1", [&item], |r| {
                    r.get::<_, String>(0)
                })
                .optional()?
                .unwrap_or_default();
            let existing = read_row(&tx, "sync_over_allocations", &item)?;
            let mut f = Map::new();
            f.insert("quantity".into(), sum.into());
            f.insert("resolved".into(), 0.into());
            f.insert("updated_at".into(), apply.created_at.clone().into());
            if existing.is_none() {
                for (k, v) in [
                    ("id", Value::from(item.clone())),
                    ("region_code", region.clone().into()),
                    ("stock_item_id", item.clone().into()),
                    ("resolution", "".into()),
                    ("data_source", "hub".into()),
                    ("created_at", apply.created_at.clone().into()),
                ] {
                    f.insert(k.into(), v);
                }
            }
            apply.hub_change("sync_over_allocations", &item, &region, f, existing.is_none())?;
        }
        let response = PushResponse {
            batch_id: batch.batch_id.clone(),
            applied: apply.applied,
            conflicts: apply.conflicts,
            over_allocations: over,
        };
        set_meta(&tx, "hlc", &apply.hlc.to_string())?;
        tx.execute(
            "INSERT INTO hub_batches (batch_id, response) VALUES (?1, ?2)",
            params![batch.batch_id, json(&response)],
        )?;
        if let Some(pause) = self.pause_in_tx {
            if let Ok(marker) = std::env::var(PAUSE_MARKER_ENV) {
                std::fs::write(marker, b"paused")?;
            }
            std::thread::sleep(pause);
        }
        tx.commit()?;
        Ok(response)
    }

    fn pull(&self, device: &Device, after: i64, limit: usize) -> Result<PullResponse, HubError> {
        let conn = self.lock();
        let regions: Vec<RegionInfo> = {
            let mut stmt = conn.prepare("SELECT fields FROM hub_rows WHERE tbl = 'regions' AND deleted = ''")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            let mut out = Vec::new();
            for f in rows {
                let f: Map<String, Value> = serde_json::from_str(&f?).unwrap_or_default();
                out.push(RegionInfo {
                    code: f.get("code").and_then(Value::as_str).unwrap_or_default().into(),
                    parent_code: f.get("parent_code").and_then(Value::as_str).map(Into::into),
                    level: f.get("level").and_then(Value::as_str).unwrap_or_default().into(),
                    lat: f.get("lat").and_then(Value::as_f64),
                    lon: f.get("lon").and_then(Value::as_f64),
                });
            }
            out
        };
        let visible = scope::visible_regions(&device.region_code, &regions).map(|s| json(&s));
        let filter = "seq > ?1 AND (?2 IS NULL OR reference = 1 OR region_code IN (SELECT value FROM json_each(?2)))";
        let mut stmt =
            conn.prepare(&format!("SELECT seq, change FROM hub_log WHERE {filter} ORDER BY seq LIMIT ?3"))?;
        let rows = stmt
            .query_map(params![after, visible, limit as i64], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        let mut changes = Vec::new();
        for row in rows {
            let (seq, text) = row?;
            let change: Change = serde_json::from_str(&text).map_err(|e| HubError::BadRequest(e.to_string()))?;
            changes.push(LoggedChange { seq, change });
        }
        let cursor = changes.last().map_or_else(
            || conn.query_row("SELECT COALESCE(max(seq), 0) FROM hub_log", [], |r| r.get(0)),
            |c| Ok(c.seq),
        )?;
        let cursor = cursor.max(after);
        let remaining: i64 =
            conn.query_row(&format!("SELECT count(*) FROM hub_log WHERE {filter}"), params![cursor, visible], |r| {
                r.get(0)
            })?;
        Ok(PullResponse { changes, cursor, remaining })
    }
}
