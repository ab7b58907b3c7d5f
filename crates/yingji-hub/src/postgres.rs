//! The PostgreSQL backend: the same tables, statements and merge rules ([`apply_push`]) as the
//! SQLite hub, for a hub that many counties reach at once.
//!
//! Why the synchronous `postgres` crate behind one mutex, not an async pool: [`HubStorage`] is
//! synchronous (the server calls it in `spawn_blocking`), and pushes must commit in the order of
//! their log sequence numbers: with two pushes in flight, a `BIGSERIAL` value taken by the slower
//! one would become visible after a replica had already pulled past it, and that change would be
//! skipped. So pushes are serialised anyway (the mutex, plus a transaction-scoped advisory lock
//! in case two hub processes share a database); pulls are short reads.

use std::{sync::Mutex, time::Duration};

use postgres::{Client, NoTls, Transaction};
use serde_json::{Map, Value};
use yingji_store::Clock;
use yingji_sync::proto::{Change, LoggedChange, PullResponse, PushRequest, PushResponse};

use crate::{
    scope,
    storage::{
        apply_push, check_token_request, is_reference, json, new_token, parse_map, pause_from_env, regions_from, seed,
        sha256_hex, Device, HubStorage, HubTx, Row,
    },
    HubError,
};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS hub_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS hub_tokens (
    id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, region_code TEXT NOT NULL, role TEXT NOT NULL,
    revoked BOOLEAN NOT NULL DEFAULT FALSE, issued_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS hub_rows (
    tbl TEXT NOT NULL, row_id TEXT NOT NULL, region_code TEXT NOT NULL, deleted TEXT NOT NULL DEFAULT '',
    fields TEXT NOT NULL, versions TEXT NOT NULL, PRIMARY KEY (tbl, row_id));
CREATE TABLE IF NOT EXISTS hub_log (
    seq BIGSERIAL PRIMARY KEY, tbl TEXT NOT NULL, row_id TEXT NOT NULL,
    region_code TEXT NOT NULL, reference BOOLEAN NOT NULL, change TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS hub_log_region ON hub_log (region_code, seq);
CREATE TABLE IF NOT EXISTS hub_batches (batch_id TEXT PRIMARY KEY, response TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS hub_ledger (id TEXT PRIMARY KEY, item TEXT NOT NULL, delta DOUBLE PRECISION NOT NULL);
CREATE INDEX IF NOT EXISTS hub_ledger_item ON hub_ledger (item);
";

/// Key of the advisory lock that serialises pushes (any constant; "yingji" in ASCII).
const PUSH_LOCK_KEY: i64 = 0x79_69_6e_67_6a_69;

/// Whether `db` names a PostgreSQL database rather than a SQLite file.
pub fn is_postgres_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

pub struct PostgresHub {
    url: String,
    client: Mutex<Client>,
    pause_in_tx: Option<Duration>,
}

impl From<postgres::Error> for HubError {
    fn from(e: postgres::Error) -> HubError {
        HubError::Postgres(e.to_string())
    }
}

fn connect(url: &str) -> Result<Client, HubError> {
    Client::connect(url, NoTls).map_err(|e| HubError::Config(format!("cannot connect to PostgreSQL hub database: {e}")))
}

impl PostgresHub {
    /// Connects (e.g. `postgres://postgres@127.0.0.1/test`; `?options=-csearch_path%3Dname` picks
    /// a schema) and creates the hub's tables if they are missing.
    pub fn open(url: &str) -> Result<PostgresHub, HubError> {
        let mut client = connect(url)?;
        client.batch_execute(SCHEMA)?;
        Ok(PostgresHub { url: url.to_owned(), client: Mutex::new(client), pause_in_tx: pause_from_env() })
    }

    /// The connection, reopened first if the server closed it (e.g. after a database restart),
    /// so the hub recovers without being restarted itself.
    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Client>, HubError> {
        let mut client = self.client.lock().unwrap_or_else(|p| p.into_inner());
        if client.is_closed() {
            tracing::warn!("PostgreSQL connection closed; reconnecting");
            *client = connect(&self.url)?;
        }
        Ok(client)
    }

    /// Seeds an empty hub with every synced row of `store` as the baseline `label`.
    pub fn seed_baseline(&self, store: &yingji_store::Store, label: &str) -> Result<i64, HubError> {
        let mut client = self.lock()?;
        let mut tx = PgTx(client.transaction()?);
        let seq = seed(&mut tx, store, label)?;
        tx.0.commit()?;
        Ok(seq)
    }
}

struct PgTx<'a>(Transaction<'a>);

impl HubTx for PgTx<'_> {
    fn read_row(&mut self, tbl: &str, id: &str) -> Result<Option<Row>, HubError> {
        let row = self.0.query_opt(
            "SELECT region_code, deleted, fields, versions FROM hub_rows WHERE tbl = $1 AND row_id = $2",
            &[&tbl, &id],
        )?;
        Ok(row.map(|r| (r.get(0), r.get(1), parse_map(r.get(2)), parse_map(r.get(3)))))
    }

    fn write_row(
        &mut self,
        change: &Change,
        fields: &Map<String, Value>,
        versions: &Map<String, Value>,
        deleted: &str,
    ) -> Result<(), HubError> {
        self.0.execute(
            "INSERT INTO hub_rows (tbl, row_id, region_code, deleted, fields, versions) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (tbl, row_id) DO UPDATE SET deleted = $4, fields = $5, versions = $6",
            &[&change.tbl, &change.id, &change.region_code, &deleted, &json(fields), &json(versions)],
        )?;
        Ok(())
    }

    fn log(&mut self, change: &Change) -> Result<(), HubError> {
        self.0.execute(
            "INSERT INTO hub_log (tbl, row_id, region_code, reference, change) VALUES ($1, $2, $3, $4, $5)",
            &[&change.tbl, &change.id, &change.region_code, &is_reference(&change.tbl), &json(change)],
        )?;
        Ok(())
    }

    fn get_meta(&mut self, key: &str) -> Result<Option<String>, HubError> {
        Ok(self.0.query_opt("SELECT value FROM hub_meta WHERE key = $1", &[&key])?.map(|r| r.get(0)))
    }

    fn set_meta(&mut self, key: &str, value: &str) -> Result<(), HubError> {
        self.0.execute(
            "INSERT INTO hub_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2",
            &[&key, &value],
        )?;
        Ok(())
    }

    fn row_exists(&mut self, tbl: &str, id: &str) -> Result<bool, HubError> {
        Ok(self
            .0
            .query_one("SELECT EXISTS (SELECT 1 FROM hub_rows WHERE tbl = $1 AND row_id = $2)", &[&tbl, &id])?
            .get(0))
    }

    fn row_count(&mut self) -> Result<i64, HubError> {
        Ok(self.0.query_one("SELECT count(*) FROM hub_rows", &[])?.get(0))
    }

    fn max_seq(&mut self) -> Result<i64, HubError> {
        Ok(self.0.query_one("SELECT COALESCE(max(seq), 0)::BIGINT FROM hub_log", &[])?.get(0))
    }

    fn ledger_insert(&mut self, id: &str, item: &str, delta: f64) -> Result<(), HubError> {
        self.0.execute("INSERT INTO hub_ledger (id, item, delta) VALUES ($1, $2, $3)", &[&id, &item, &delta])?;
        Ok(())
    }

    fn ledger_sum(&mut self, item: &str) -> Result<f64, HubError> {
        Ok(self
            .0
            .query_one("SELECT COALESCE(sum(delta), 0)::DOUBLE PRECISION FROM hub_ledger WHERE item = $1", &[&item])?
            .get(0))
    }

    fn batch_response(&mut self, batch_id: &str) -> Result<Option<String>, HubError> {
        Ok(self.0.query_opt("SELECT response FROM hub_batches WHERE batch_id = $1", &[&batch_id])?.map(|r| r.get(0)))
    }

    fn record_batch(&mut self, batch_id: &str, response: &str) -> Result<(), HubError> {
        self.0.execute("INSERT INTO hub_batches (batch_id, response) VALUES ($1, $2)", &[&batch_id, &response])?;
        Ok(())
    }
}

impl HubStorage for PostgresHub {
    fn is_drill(&self) -> Result<bool, HubError> {
        Ok(self.lock()?.query_opt("SELECT value FROM hub_meta WHERE key = 'drill'", &[])?.is_some())
    }

    fn mark_drill(&self) -> Result<(), HubError> {
        self.lock()?.execute(
            "INSERT INTO hub_meta (key, value) VALUES ('drill', '1') ON CONFLICT (key) DO UPDATE SET value = '1'",
            &[],
        )?;
        Ok(())
    }

    fn baseline(&self) -> Result<(String, i64), HubError> {
        let mut client = self.lock()?;
        let mut meta = |key: &str| -> Result<Option<String>, HubError> {
            Ok(client.query_opt("SELECT value FROM hub_meta WHERE key = $1", &[&key])?.map(|r| r.get(0)))
        };
        let label = meta("baseline")?.unwrap_or_else(|| "empty".to_owned());
        let seq = meta("baseline_seq")?.and_then(|s| s.parse().ok()).unwrap_or(0);
        Ok((label, seq))
    }

    fn device(&self, token: &str) -> Result<Device, HubError> {
        let row = self.lock()?.query_opt(
            "SELECT id, region_code, role FROM hub_tokens WHERE hash = $1 AND NOT revoked",
            &[&sha256_hex(token)],
        )?;
        row.map(|r| Device { id: r.get(0), region_code: r.get(1), role: r.get(2) }).ok_or(HubError::Unauthorized)
    }

    fn issue_token(&self, region_code: &str, role: &str, issued_at: &str) -> Result<(Device, String), HubError> {
        check_token_request(region_code, role)?;
        let token = new_token();
        let device =
            Device { id: uuid::Uuid::new_v4().to_string(), region_code: region_code.into(), role: role.into() };
        self.lock()?.execute(
            "INSERT INTO hub_tokens (id, hash, region_code, role, issued_at) VALUES ($1, $2, $3, $4, $5)",
            &[&device.id, &sha256_hex(&token), &region_code, &role, &issued_at],
        )?;
        Ok((device, token))
    }

    fn revoke_token(&self, id: &str) -> Result<bool, HubError> {
        Ok(self.lock()?.execute("UPDATE hub_tokens SET revoked = TRUE WHERE id = $1", &[&id])? > 0)
    }

    fn push(&self, device: &Device, batch: &PushRequest, clock: &dyn Clock) -> Result<PushResponse, HubError> {
        let mut client = self.lock()?;
        let mut tx = client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&PUSH_LOCK_KEY])?;
        let mut tx = PgTx(tx);
        let response = apply_push(&mut tx, device, batch, clock, self.pause_in_tx)?;
        tx.0.commit()?;
        Ok(response)
    }

    fn pull(&self, device: &Device, after: i64, limit: usize) -> Result<PullResponse, HubError> {
        let mut client = self.lock()?;
        let mut tx = client
            .build_transaction()
            .read_only(true)
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .start()?;
        let rows = tx.query("SELECT fields FROM hub_rows WHERE tbl = 'regions' AND deleted = ''", &[])?;
        let regions = regions_from(rows.iter().map(|r| r.get::<_, String>(0)));
        let visible: Option<Vec<String>> =
            scope::visible_regions(&device.region_code, &regions).map(|s| s.into_iter().collect());
        let filter = "seq > $1 AND ($2::TEXT[] IS NULL OR reference OR region_code = ANY($2))";
        let rows = tx.query(
            &format!("SELECT seq, change FROM hub_log WHERE {filter} ORDER BY seq LIMIT $3"),
            &[&after, &visible, &(limit as i64)],
        )?;
        let mut changes = Vec::new();
        for row in rows {
            let change: Change = serde_json::from_str(row.get(1)).map_err(|e| HubError::BadRequest(e.to_string()))?;
            changes.push(LoggedChange { seq: row.get(0), change });
        }
        let cursor = match changes.last() {
            Some(c) => c.seq,
            None => tx.query_one("SELECT COALESCE(max(seq), 0)::BIGINT FROM hub_log", &[])?.get(0),
        };
        let cursor = cursor.max(after);
        let remaining: i64 =
            tx.query_one(&format!("SELECT count(*) FROM hub_log WHERE {filter}"), &[&cursor, &visible])?.get(0);
        tx.commit()?;
        Ok(PullResponse { changes, cursor, remaining })
    }
}
