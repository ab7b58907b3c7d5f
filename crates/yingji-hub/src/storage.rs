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
    /// Whether this is a drill hub (`hub_meta` key `drill`).
    fn is_drill(&self) -> Result<bool, HubError>;
    /// Marks a new hub a drill hub (before any device syncs with it).
    fn mark_drill(&self) -> Result<(), HubError>;
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

pub(crate) fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

pub(crate) fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("plain data serialises")
}

impl SqliteHub {
    pub fn open(path: &Path) -> Result<SqliteHub, HubError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        conn.execute_batch(SCHEMA)?;
        let pause_in_tx = pause_from_env();
        Ok(SqliteHub { conn: Mutex::new(conn), pause_in_tx })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Seeds an empty hub with every synced row of `store` as the baseline `label`.
    pub fn seed_baseline(&self, store: &yingji_store::Store, label: &str) -> Result<i64, HubError> {
        let mut conn = self.lock();
        let mut tx = conn.transaction()?;
        let seq = seed(&mut tx, store, label)?;
        tx.commit()?;
        Ok(seq)
    }
}

/// The statements a push and a seed need, so the merge rules are written once, in [`apply_push`],
/// for both backends. Every call runs inside the backend's open transaction.
pub(crate) trait HubTx {
    fn read_row(&mut self, tbl: &str, id: &str) -> Result<Option<Row>, HubError>;
    fn write_row(
        &mut self,
        change: &Change,
        fields: &Map<String, Value>,
        versions: &Map<String, Value>,
        deleted: &str,
    ) -> Result<(), HubError>;
    fn log(&mut self, change: &Change) -> Result<(), HubError>;
    fn get_meta(&mut self, key: &str) -> Result<Option<String>, HubError>;
    fn set_meta(&mut self, key: &str, value: &str) -> Result<(), HubError>;
    fn row_exists(&mut self, tbl: &str, id: &str) -> Result<bool, HubError>;
    fn row_count(&mut self) -> Result<i64, HubError>;
    fn max_seq(&mut self) -> Result<i64, HubError>;
    fn ledger_insert(&mut self, id: &str, item: &str, delta: f64) -> Result<(), HubError>;
    fn ledger_sum(&mut self, item: &str) -> Result<f64, HubError>;
    fn batch_response(&mut self, batch_id: &str) -> Result<Option<String>, HubError>;
    fn record_batch(&mut self, batch_id: &str, response: &str) -> Result<(), HubError>;
}

/// Writes every synced row of `store` into an empty hub as the baseline `label`.
pub(crate) fn seed(tx: &mut dyn HubTx, store: &yingji_store::Store, label: &str) -> Result<i64, HubError> {
    if tx.row_count()? > 0 {
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
            tx.write_row(&change, &change.fields, &Map::new(), "")?;
            tx.log(&change)?;
            if let Some((item, delta)) = table.ledger {
                let item = change.fields[item].as_str().unwrap_or_default();
                tx.ledger_insert(&change.id, item, change.fields[delta].as_f64().unwrap_or_default())?;
            }
        }
    }
    let seq = tx.max_seq()?;
    tx.set_meta("baseline", label)?;
    tx.set_meta("baseline_seq", &seq.to_string())?;
    Ok(seq)
}

fn get_meta(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT value FROM hub_meta WHERE key = ?1", [key], |r| r.get(0)).optional()
}

pub(crate) type Row = (String, String, Map<String, Value>, Map<String, Value>);

/// Whether a change belongs to province-wide reference data (pulled by every replica).
pub(crate) fn is_reference(tbl: &str) -> bool {
    synced_table(tbl).is_some_and(|t| t.scope == SyncScope::Reference)
}

pub(crate) fn parse_map(text: &str) -> Map<String, Value> {
    serde_json::from_str(text).unwrap_or_default()
}

impl HubTx for Transaction<'_> {
    fn read_row(&mut self, tbl: &str, id: &str) -> Result<Option<Row>, HubError> {
        Ok(self
            .query_row(
                "SELECT region_code, deleted, fields, versions FROM hub_rows WHERE tbl = ?1 AND row_id = ?2",
                [tbl, id],
                |r| {
                    let (f, v): (String, String) = (r.get(2)?, r.get(3)?);
                    Ok((r.get(0)?, r.get(1)?, parse_map(&f), parse_map(&v)))
                },
            )
            .optional()?)
    }

    fn write_row(
        &mut self,
        change: &Change,
        fields: &Map<String, Value>,
        versions: &Map<String, Value>,
        deleted: &str,
    ) -> Result<(), HubError> {
        self.execute(
            "INSERT INTO hub_rows (tbl, row_id, region_code, deleted, fields, versions) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (tbl, row_id) DO UPDATE SET deleted = ?4, fields = ?5, versions = ?6",
            params![change.tbl, change.id, change.region_code, deleted, json(fields), json(versions)],
        )?;
        Ok(())
    }

    fn log(&mut self, change: &Change) -> Result<(), HubError> {
        self.execute(
            "INSERT INTO hub_log (tbl, row_id, region_code, reference, change) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![change.tbl, change.id, change.region_code, is_reference(&change.tbl), json(change)],
        )?;
        Ok(())
    }

    fn get_meta(&mut self, key: &str) -> Result<Option<String>, HubError> {
        Ok(get_meta(self, key)?)
    }

    fn set_meta(&mut self, key: &str, value: &str) -> Result<(), HubError> {
        self.execute(
            "INSERT INTO hub_meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2",
            [key, value],
        )?;
        Ok(())
    }

    fn row_exists(&mut self, tbl: &str, id: &str) -> Result<bool, HubError> {
        Ok(self.query_row("SELECT EXISTS (SELECT 1 FROM hub_rows WHERE tbl = ?1 AND row_id = ?2)", [tbl, id], |r| {
            r.get(0)
        })?)
    }

    fn row_count(&mut self) -> Result<i64, HubError> {
        Ok(self.query_row("SELECT count(*) FROM hub_rows", [], |r| r.get(0))?)
    }

    fn max_seq(&mut self) -> Result<i64, HubError> {
        Ok(self.query_row("SELECT COALESCE(max(seq), 0) FROM hub_log", [], |r| r.get(0))?)
    }

    fn ledger_insert(&mut self, id: &str, item: &str, delta: f64) -> Result<(), HubError> {
        self.execute("INSERT INTO hub_ledger (id, item, delta) VALUES (?1, ?2, ?3)", params![id, item, delta])?;
        Ok(())
    }

    fn ledger_sum(&mut self, item: &str) -> Result<f64, HubError> {
        Ok(self.query_row("SELECT COALESCE(sum(delta), 0) FROM hub_ledger WHERE item = ?1", [item], |r| r.get(0))?)
    }

    fn batch_response(&mut self, batch_id: &str) -> Result<Option<String>, HubError> {
        Ok(self
            .query_row("SELECT response FROM hub_batches WHERE batch_id = ?1", [batch_id], |r| r.get(0))
            .optional()?)
    }

    fn record_batch(&mut self, batch_id: &str, response: &str) -> Result<(), HubError> {
        self.execute("INSERT INTO hub_batches (batch_id, response) VALUES (?1, ?2)", [batch_id, response])?;
        Ok(())
    }
}

fn version_of(versions: &Map<String, Value>, field: &str) -> String {
    versions.get(field).and_then(Value::as_str).unwrap_or(BASELINE).to_owned()
}

/// The state of one push while it is applied.
struct Apply<'a> {
    tx: &'a mut dyn HubTx,
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
    ) -> Result<(), HubError> {
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
        let (mut all, mut versions) = match self.tx.read_row(tbl, id)? {
            Some((_, _, f, v)) => (f, v),
            None => (Map::new(), Map::new()),
        };
        for (k, v) in fields {
            versions.insert(k.clone(), hlc.clone().into());
            all.insert(k, v);
        }
        self.tx.write_row(&change, &all, &versions, "")?;
        self.tx.log(&change)
    }

    #[allow(clippy::too_many_arguments)]
    fn conflict(
        &mut self,
        c: &Change,
        field: &str,
        winner: (&Value, &str),
        loser: (&Value, &str),
    ) -> Result<(), HubError> {
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
        let current = self.tx.read_row(&c.tbl, &c.id)?;
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
            self.tx.write_row(c, &fields, &versions, &c.hlc)?;
            self.tx.log(c)?;
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
        self.tx.write_row(c, &fields, &versions, "")?;
        self.tx.log(&Change { fields: accepted, base: Map::new(), insert: current.is_none(), ..c.clone() })?;
        self.applied += 1;
        Ok(())
    }
}

impl HubStorage for SqliteHub {
    fn is_drill(&self) -> Result<bool, HubError> {
        Ok(get_meta(&self.lock(), "drill")?.is_some())
    }

    fn mark_drill(&self) -> Result<(), HubError> {
        self.lock().execute("INSERT OR REPLACE INTO hub_meta (key, value) VALUES ('drill', '1')", [])?;
        Ok(())
    }

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
        check_token_request(region_code, role)?;
        let token = new_token();
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
        let mut tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let response = apply_push(&mut tx, device, batch, clock, self.pause_in_tx)?;
        tx.commit()?;
        Ok(response)
    }

    fn pull(&self, device: &Device, after: i64, limit: usize) -> Result<PullResponse, HubError> {
        let conn = self.lock();
        let regions = {
            let mut stmt = conn.prepare("SELECT fields FROM hub_rows WHERE tbl = 'regions' AND deleted = ''")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
            regions_from(rows)
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

/// Applies one pushed batch inside the backend's open transaction (the caller commits): a batch
/// already applied returns its recorded answer; rights are checked before anything is written.
pub(crate) fn apply_push(
    tx: &mut dyn HubTx,
    device: &Device,
    batch: &PushRequest,
    clock: &dyn Clock,
    pause_in_tx: Option<Duration>,
) -> Result<PushResponse, HubError> {
    if let Some(done) = tx.batch_response(&batch.batch_id)? {
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
            SyncScope::Regional => {
                scope::may_write(&device.region_code, &c.region_code)
                    || (is_mutual_aid_dispatch(c) && sees_region(tx, &device.region_code, &c.region_code)?)
            }
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
    if let Some(t) = tx.get_meta("hlc")? {
        hlc.observe(&t);
    }
    let wall_ms = (clock.now().unix_timestamp_nanos() / 1_000_000) as u64;
    let mut apply = Apply { tx, hlc, wall_ms, created_at: clock.now_rfc3339(), applied: 0, conflicts: 0 };
    let mut items = std::collections::BTreeSet::new();
    for c in &batch.changes {
        apply.hlc.observe(&c.hlc);
        let decl = synced_table(&c.tbl).expect("checked above");
        if let Some((item_col, delta_col)) = decl.ledger {
            if apply.tx.row_exists(&c.tbl, &c.id)? {
                continue; // exactly once
            }
            let item = c.fields.get(item_col).and_then(Value::as_str).unwrap_or_default().to_owned();
            let delta = c
                .fields
                .get(delta_col)
                .and_then(Value::as_f64)
                .ok_or_else(|| HubError::BadRequest(format!("{} {}: {delta_col} must be a number", c.tbl, c.id)))?;
            apply.tx.ledger_insert(&c.id, &item, delta)?;
            items.insert(item);
        }
        if decl.kind == SyncKind::AppendOnly {
            if !apply.tx.row_exists(&c.tbl, &c.id)? {
                apply.tx.write_row(c, &c.fields, &Map::new(), "")?;
                apply.tx.log(c)?;
                apply.applied += 1;
            }
        } else {
            apply.descriptive(c)?;
        }
    }
    let mut over = 0;
    for item in items {
        let sum = apply.tx.ledger_sum(&item)?;
        if sum >= 0.0 {
            continue;
        }
        over += 1;
        let region = apply.tx.read_row("stock_items", &item)?.map(|r| r.0).unwrap_or_default();
        let existing = apply.tx.read_row("sync_over_allocations", &item)?;
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
    let hlc = apply.hlc.to_string();
    tx_finish(apply.tx, &batch.batch_id, &hlc, &response)?;
    if let Some(pause) = pause_in_tx {
        if let Ok(marker) = std::env::var(PAUSE_MARKER_ENV) {
            std::fs::write(marker, b"paused")?;
        }
        std::thread::sleep(pause);
    }
    Ok(response)
}

fn tx_finish(tx: &mut dyn HubTx, batch_id: &str, hlc: &str, response: &PushResponse) -> Result<(), HubError> {
    tx.set_meta("hlc", hlc)?;
    tx.record_batch(batch_id, &json(response))
}

/// A dispatch from another region's stock (mutual aid across a boundary): a new `stock_ledger`
/// entry of kind `dispatch` that takes stock out. A device may write one for any warehouse it
/// sees (its pull scope); the over-allocation check after the batch catches a stock line
/// drawn below zero from two sides.
fn is_mutual_aid_dispatch(c: &Change) -> bool {
    c.tbl == "stock_ledger"
        && c.insert
        && !c.deleted
        && c.fields.get("entry_kind").and_then(Value::as_str) == Some("dispatch")
        && c.fields.get("quantity_delta").and_then(Value::as_f64).is_some_and(|q| q < 0.0)
}

/// Whether records of `record_region` are in the pull scope of a device of `device_region`
/// (the pairwise form of [`scope::visible_regions`]).
fn sees_region(tx: &mut dyn HubTx, device_region: &str, record_region: &str) -> Result<bool, HubError> {
    if scope::is_province(device_region) || device_region == record_region || scope::is_province(record_region) {
        return Ok(true);
    }
    let (own, other) = (scope::city_of(device_region), scope::city_of(record_region));
    if own == other {
        return Ok(true);
    }
    let mut info = |code: &str| -> Result<Option<RegionInfo>, HubError> {
        Ok(tx
            .read_row("regions", code)?
            .filter(|row| row.1.is_empty())
            .and_then(|row| regions_from([json(&row.2)]).pop()))
    };
    let (Some(a), Some(b)) = (info(&own)?, info(&other)?) else { return Ok(false) };
    let visible = scope::visible_regions(device_region, &[a, b]).unwrap_or_default();
    Ok(visible.contains(&other))
}

/// The regions a pull's scope is computed from, from the `fields` JSON of the `regions` rows.
pub(crate) fn regions_from(fields: impl IntoIterator<Item = String>) -> Vec<RegionInfo> {
    fields
        .into_iter()
        .map(|text| {
            let f = parse_map(&text);
            RegionInfo {
                code: f.get("code").and_then(Value::as_str).unwrap_or_default().into(),
                parent_code: f.get("parent_code").and_then(Value::as_str).map(Into::into),
                level: f.get("level").and_then(Value::as_str).unwrap_or_default().into(),
                lat: f.get("lat").and_then(Value::as_f64),
                lon: f.get("lon").and_then(Value::as_f64),
            }
        })
        .collect()
}

/// Reads the pause-in-transaction test hook.
pub(crate) fn pause_from_env() -> Option<Duration> {
    std::env::var(PAUSE_ENV).ok().and_then(|v| v.parse().ok()).map(Duration::from_millis)
}

pub(crate) fn new_token() -> String {
    format!("yj1_{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple())
}

pub(crate) fn check_token_request(region_code: &str, role: &str) -> Result<(), HubError> {
    if region_code.len() != 6 || !region_code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(HubError::BadRequest(format!("region code {region_code:?} is not a 6-digit code such as 320102")));
    }
    if !ROLES.contains(&role) {
        return Err(HubError::BadRequest(format!("role {role:?} is not one of {}", ROLES.join(", "))));
    }
    Ok(())
}
