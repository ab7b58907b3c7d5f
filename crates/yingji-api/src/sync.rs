//! Sync with the provincial hub, for the window and the CLI: status, one sync round, the
//! conflict and over-allocation lists, and ordinary edits (captured for sync like any write).
//! Hub administration (`serve`, `init`, tokens) is here too, so the CLI reaches it through the
//! façade.

use std::{net::SocketAddr, path::Path, sync::Arc};

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use yingji_store::{capture::synced_table, Clock, Store, SystemClock};
use yingji_sync::{client::Client, SyncError};

use crate::{ApiError, Console, ErrorCode};

pub use yingji_sync::client::Progress as SyncProgress;

/// What the window shows about sync.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SyncStatus {
    pub hub_url: Option<String>,
    /// RFC 3339, UTC.
    pub last_success: Option<String>,
    #[ts(type = "number")]
    pub pending_changes: i64,
    #[ts(type = "number")]
    pub open_conflicts: i64,
    #[ts(type = "number")]
    pub open_over_allocations: i64,
}

/// A concurrent edit the hub found: the winner is applied, the loser kept here.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Conflict {
    pub id: String,
    pub region_code: String,
    pub table: String,
    pub row_id: String,
    pub field: String,
    /// JSON text of each value.
    pub winner_value: String,
    pub loser_value: String,
    pub resolved: bool,
    pub resolution: String,
}

/// A stock item whose ledger went below zero after replicas that were apart both dispatched.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct OverAllocation {
    pub stock_item_id: String,
    pub region_code: String,
    pub quantity: f64,
    pub resolved: bool,
    pub resolution: String,
}

/// What one sync round did.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SyncSummary {
    #[ts(type = "number")]
    pub pushed_changes: u64,
    #[ts(type = "number")]
    pub pulled_changes: u64,
    #[ts(type = "number")]
    pub applied_changes: u64,
    #[ts(type = "number")]
    pub conflicts_found: u64,
    #[ts(type = "number")]
    pub over_allocations_found: u64,
}

/// A stock movement (quantities change only through the ledger).
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct StockMovement {
    pub stock_item_id: String,
    /// receipt | dispatch | return | write_off | correction
    pub entry_kind: String,
    /// In the item's unit; negative for dispatches and write-offs.
    pub quantity_delta: f64,
    pub note: String,
}

/// A token just issued by the hub (shown once; the hub keeps only its hash).
#[derive(Debug, Clone, Serialize)]
pub struct IssuedToken {
    pub id: String,
    pub region_code: String,
    pub role: String,
    pub token: String,
}

impl From<SyncError> for ApiError {
    fn from(e: SyncError) -> ApiError {
        let en = e.to_string();
        match e {
            SyncError::Store(s) => s.into(),
            SyncError::Unreachable { url, .. } => ApiError::new(
                ErrorCode::SyncUnreachable,
                format!("无法连接省级枢纽 {url}。请检查网络和地址；本机的修改仍在排队，不会丢失。"),
                en,
            ),
            SyncError::UntrustedHub { url, .. } => ApiError::new(
                ErrorCode::SyncUnreachable,
                format!("省级枢纽 {url} 的 TLS 证书不受信任，未发送任何数据。若枢纽使用自签名证书，请用 --ca（或 YINGJI_HUB_CA）指定该证书。"),
                en,
            ),
            SyncError::TokenStore(reason) => ApiError::new(
                ErrorCode::Internal,
                format!("无法保存或读取设备令牌：{reason}"),
                en,
            ),
            SyncError::BadCa { path, reason } => ApiError::invalid(
                "ca",
                format!("无法使用 CA 证书文件 {path}：{reason}"),
                en,
            ),
            SyncError::Refused { message_zh, message_en, .. } => {
                ApiError::new(ErrorCode::SyncRefused, message_zh, message_en)
            }
            SyncError::VersionMismatch { ours_schema, hub_schema, .. } => ApiError::new(
                ErrorCode::SyncVersionMismatch,
                format!("本机数据结构版本 {ours_schema} 与枢纽版本 {hub_schema} 不一致，请升级较旧的一方。"),
                en,
            ),
            SyncError::DrillMismatch { replica_is_drill } => ApiError::new(
                ErrorCode::SyncRefused,
                if replica_is_drill {
                    "这是演练数据库，而枢纽是真实枢纽：演练只能与演练枢纽同步（yingji hub init --drill）。未发送任何数据。"
                } else {
                    "枢纽是演练枢纽，而这是真实数据库：真实数据从不与演练同步。未发送任何数据。"
                },
                en,
            ),
            other => ApiError::new(ErrorCode::Internal, format!("同步失败：{other}"), other.to_string()),
        }
    }
}

impl From<yingji_hub::HubError> for ApiError {
    fn from(e: yingji_hub::HubError) -> ApiError {
        let code = match (&e, e.status()) {
            (yingji_hub::HubError::Config(_), _) | (_, 400 | 403 | 413) => ErrorCode::InvalidInput,
            _ => ErrorCode::Internal,
        };
        ApiError::new(code, e.message_zh(), e.to_string())
    }
}

fn bad(field: &str, zh: String, en: String) -> ApiError {
    ApiError::invalid(field, zh, en)
}

impl Console {
    /// Refuses, before anything is written, an edit the hub would refuse (and that would then
    /// block the queue): once the replica has synced, it knows its device's region and role.
    fn check_write_right(&self, table: &str, region_code: &str) -> Result<(), ApiError> {
        use yingji_sync::replica::{meta_get, META_REGION, META_ROLE};
        let conn = self.store.conn();
        let (Some(region), role) = (meta_get(conn, META_REGION)?, meta_get(conn, META_ROLE)?) else {
            return Ok(()); // never synced: no device yet
        };
        let reference = synced_table(table).is_some_and(|t| t.scope == yingji_store::capture::SyncScope::Reference);
        let allowed = role.as_deref() == Some("editor")
            && if reference {
                yingji_hub::scope::is_province(&region)
            } else {
                yingji_hub::scope::may_write(&region, region_code)
            };
        if allowed {
            return Ok(());
        }
        Err(ApiError::new(
            ErrorCode::InvalidInput,
            format!("本设备（区域 {region}）无权修改区域 {region_code} 的{table}记录，修改未保存。"),
            format!("this device (region {region}) may not change {table} records of region {region_code}; nothing was saved"),
        ))
    }

    fn record_region(&self, table: &str, id: &str) -> Result<String, ApiError> {
        let region: Option<String> = rusqlite::OptionalExtension::optional(self.store.conn().query_row(
            &format!("SELECT region_code FROM \"{table}\" WHERE id = ?1"),
            [id],
            |r| r.get(0),
        ))?;
        region.ok_or_else(|| {
            ApiError::new(
                ErrorCode::RecordNotFound,
                format!("找不到记录（{table} {id}）"),
                format!("no record {table} {id}"),
            )
        })
    }

    /// Online/offline is the caller's last `sync_once` result; this is what the replica knows.
    pub fn sync_status(&self) -> Result<SyncStatus, ApiError> {
        let s = yingji_sync::replica::status(self.store.conn())?;
        Ok(SyncStatus {
            hub_url: s.hub_url,
            last_success: s.last_success,
            pending_changes: s.pending_changes,
            open_conflicts: s.open_conflicts,
            open_over_allocations: s.open_over_allocations,
        })
    }

    pub fn conflicts(&self) -> Result<Vec<Conflict>, ApiError> {
        let mut stmt = self.store.conn().prepare(
            "SELECT id, region_code, tbl, row_id, field, winner_value, loser_value, resolved, resolution
             FROM sync_conflicts ORDER BY resolved, created_at, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Conflict {
                id: r.get(0)?,
                region_code: r.get(1)?,
                table: r.get(2)?,
                row_id: r.get(3)?,
                field: r.get(4)?,
                winner_value: r.get(5)?,
                loser_value: r.get(6)?,
                resolved: r.get(7)?,
                resolution: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn over_allocations(&self) -> Result<Vec<OverAllocation>, ApiError> {
        let mut stmt = self.store.conn().prepare(
            "SELECT stock_item_id, region_code, quantity, resolved, resolution FROM sync_over_allocations ORDER BY resolved, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(OverAllocation {
                stock_item_id: r.get(0)?,
                region_code: r.get(1)?,
                quantity: r.get(2)?,
                resolved: r.get(3)?,
                resolution: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Marks a conflict resolved with a note (synced like any edit). To keep the losing value
    /// instead, edit the field as well.
    pub fn resolve_conflict(&mut self, id: &str, resolution: &str) -> Result<(), ApiError> {
        let region = self.record_region("sync_conflicts", id)?;
        self.check_write_right("sync_conflicts", &region)?;
        let now = self.clock.now_rfc3339();
        let tx = self.store.transaction()?;
        let n = tx.execute(
            "UPDATE sync_conflicts SET resolved = 1, resolution = ?2, updated_at = ?3 WHERE id = ?1",
            rusqlite::params![id, resolution, now],
        )?;
        tx.commit().map_err(|e| self.store.error(e))?;
        if n == 0 {
            return Err(bad("id", format!("找不到冲突 {id}"), format!("no conflict {id}")));
        }
        Ok(())
    }

    /// Sets one field of one record of a synced descriptive table (value as JSON).
    pub fn update_field(
        &mut self,
        table: &str,
        id: &str,
        field: &str,
        value: &serde_json::Value,
    ) -> Result<(), ApiError> {
        let decl = synced_table(table).filter(|t| t.kind == yingji_store::capture::SyncKind::Descriptive).ok_or_else(
            || {
                bad(
                    "table",
                    format!("{table} 不是可编辑的描述型数据表"),
                    format!("{table} is not an editable descriptive table"),
                )
            },
        )?;
        let cols = yingji_store::capture::table_columns(self.store.conn(), decl.name)?;
        if !cols.iter().any(|c| c == field) || ["id", "region_code", "created_at", "updated_at"].contains(&field) {
            return Err(bad(
                "field",
                format!("{table} 没有可修改的字段 {field}"),
                format!("{table} has no editable field {field}"),
            ));
        }
        let region = self.record_region(table, id)?;
        self.check_write_right(table, &region)?;
        let now = self.clock.now_rfc3339();
        let tx = self.store.transaction()?;
        let n = tx
            .execute(
                &format!("UPDATE \"{table}\" SET \"{field}\" = ?2, updated_at = ?3 WHERE id = ?1"),
                rusqlite::params![id, yingji_sync::replica::to_sql(value), now],
            )
            .map_err(|e| bad("value", format!("值无效：{e}"), format!("invalid value: {e}")))?;
        tx.commit().map_err(|e| self.store.error(e))?;
        if n == 0 {
            return Err(ApiError::new(
                ErrorCode::RecordNotFound,
                format!("找不到记录（{table} {id}）"),
                format!("no record {table} {id}"),
            ));
        }
        Ok(())
    }

    /// Deletes a record of a synced descriptive table (a tombstone for sync).
    pub fn delete_record(&mut self, table: &str, id: &str) -> Result<(), ApiError> {
        synced_table(table).filter(|t| t.kind == yingji_store::capture::SyncKind::Descriptive).ok_or_else(|| {
            bad("table", format!("{table} 的记录不能删除"), format!("records of {table} cannot be deleted"))
        })?;
        let region = self.record_region(table, id)?;
        self.check_write_right(table, &region)?;
        let tx = self.store.transaction()?;
        let n = tx.execute(&format!("DELETE FROM \"{table}\" WHERE id = ?1"), [id])?;
        tx.commit().map_err(|e| self.store.error(e))?;
        if n == 0 {
            return Err(ApiError::new(
                ErrorCode::RecordNotFound,
                format!("找不到记录（{table} {id}）"),
                format!("no record {table} {id}"),
            ));
        }
        Ok(())
    }

    /// Adds a stock movement; returns the new entry's id.
    pub fn add_ledger_entry(&mut self, entry: &StockMovement) -> Result<String, ApiError> {
        let item_region = self.record_region("stock_items", &entry.stock_item_id)?;
        self.check_write_right("stock_ledger", &item_region)?;
        let now = self.clock.now_rfc3339();
        let id = yingji_store::new_id();
        let tx = self.store.transaction()?;
        let region: Option<String> = rusqlite::OptionalExtension::optional(tx.query_row(
            "SELECT region_code FROM stock_items WHERE id = ?1",
            [&entry.stock_item_id],
            |r| r.get(0),
        ))?;
        let region = region.ok_or_else(|| {
            bad(
                "stock_item_id",
                format!("找不到物资 {}", entry.stock_item_id),
                format!("no stock item {}", entry.stock_item_id),
            )
        })?;
        tx.execute(
            "INSERT INTO stock_ledger (id, stock_item_id, region_code, entry_kind, quantity_delta, note, recorded_at, data_source, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'console', ?7)",
            rusqlite::params![id, entry.stock_item_id, region, entry.entry_kind, entry.quantity_delta, entry.note, now],
        )
        .map_err(|e| bad("entry_kind", format!("库存记录无效：{e}"), format!("invalid ledger entry: {e}")))?;
        tx.commit().map_err(|e| self.store.error(e))?;
        Ok(id)
    }
}

/// One full sync round of the replica at `db` with the hub (push, then pull). Opens its own
/// connection and holds no write transaction while waiting on the network, so it can run in
/// a background task beside an open `Console`.
pub fn sync_once(
    db: &Path,
    hub_url: &str,
    token: &str,
    clock: Option<Arc<dyn Clock>>,
    progress: &mut dyn FnMut(SyncProgress),
) -> Result<SyncSummary, ApiError> {
    sync_once_with_ca(db, hub_url, token, None, clock, progress)
}

/// [`sync_once`] with an `https://` hub whose certificate is trusted through the PEM file `ca`
/// (a self-signed hub or a private CA); without `ca` the public roots are trusted.
pub fn sync_once_with_ca(
    db: &Path,
    hub_url: &str,
    token: &str,
    ca: Option<&Path>,
    clock: Option<Arc<dyn Clock>>,
    progress: &mut dyn FnMut(SyncProgress),
) -> Result<SyncSummary, ApiError> {
    let clock = clock.unwrap_or_else(|| Arc::new(SystemClock));
    let client = match ca {
        Some(ca) => Client::with_ca(hub_url, token, ca)?,
        None => Client::new(hub_url, token),
    };
    let s = client.sync_once(db, clock, progress)?;
    Ok(SyncSummary {
        pushed_changes: s.pushed_changes,
        pulled_changes: s.pulled_changes,
        applied_changes: s.applied_changes,
        conflicts_found: s.conflicts_found,
        over_allocations_found: s.over_allocations_found,
    })
}

/// Declares what a freshly created replica holds as its baseline (see ARCHITECTURE.md, Sync).
pub(crate) fn mark_baseline(store: &mut Store, label: &str) -> Result<(), ApiError> {
    Ok(yingji_sync::replica::mark_baseline(store, label)?)
}

/// `yingji hub init`: a new hub database (a SQLite file, or the tables in a `postgres://`
/// database), seeded with the demo province when `demo_seed` is set.
pub fn hub_init(db: &Path, demo_seed: Option<u64>) -> Result<i64, ApiError> {
    hub_init_with(db, demo_seed, false)
}

/// Creates a hub; `drill` makes it a drill hub, which pairs only with drill databases.
pub fn hub_init_with(db: &Path, demo_seed: Option<u64>, drill: bool) -> Result<i64, ApiError> {
    let n = hub_init_plain(db, demo_seed)?;
    if drill {
        yingji_hub::open_storage(&db.to_string_lossy())?.mark_drill()?;
    }
    Ok(n)
}

fn hub_init_plain(db: &Path, demo_seed: Option<u64>) -> Result<i64, ApiError> {
    let spec = db.to_string_lossy();
    if !yingji_hub::is_postgres_url(&spec) && db.exists() {
        return Err(ApiError::new(
            ErrorCode::DatabaseExists,
            format!("{} 已存在。", db.display()),
            format!("{} already exists", db.display()),
        ));
    }
    match demo_seed {
        Some(seed) => Ok(yingji_hub::init_demo(&spec, seed)?),
        None => {
            yingji_hub::open_storage(&spec)?;
            Ok(0)
        }
    }
}

fn open_hub(db: &str) -> Result<Arc<dyn yingji_hub::HubStorage>, ApiError> {
    if !yingji_hub::is_postgres_url(db) && !Path::new(db).exists() {
        return Err(ApiError::new(
            ErrorCode::DatabaseNotFound,
            format!("枢纽数据库 {db} 不存在，请先运行 `yingji hub init {db}`。"),
            format!("hub database {db} does not exist: run `yingji hub init {db}` first"),
        ));
    }
    Ok(yingji_hub::open_storage(db)?)
}

/// `yingji hub serve`: serves until the process ends; `on_ready` gets the bound address.
/// HTTPS with `tls` = (certificate PEM, private key PEM); plain HTTP only on loopback.
pub fn hub_serve(
    db: &str,
    listen: &str,
    tls: Option<(&Path, &Path)>,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<(), ApiError> {
    let hub = open_hub(db)?;
    let tls = tls.map(|(cert, key)| yingji_hub::TlsFiles { cert: cert.to_owned(), key: key.to_owned() });
    Ok(yingji_hub::server::serve(hub, Arc::new(SystemClock), listen, tls.as_ref(), on_ready)?)
}

pub fn hub_token_issue(db: &str, region_code: &str, role: &str) -> Result<IssuedToken, ApiError> {
    let hub = open_hub(db)?;
    let (device, token) = hub.issue_token(region_code, role, &SystemClock.now_rfc3339())?;
    Ok(IssuedToken { id: device.id, region_code: device.region_code, role: device.role, token })
}

pub fn hub_token_revoke(db: &str, id: &str) -> Result<bool, ApiError> {
    Ok(open_hub(db)?.revoke_token(id)?)
}

/// Where [`save_hub_token`] kept the device token.
#[derive(Debug, Clone)]
pub enum TokenSaved {
    Keychain,
    /// No OS keychain answered (`keychain_error`): the token is in the 0600 file `path`; warn the user.
    File {
        path: String,
        keychain_error: String,
    },
}

/// Keeps the device token for `hub_url` in the OS keychain, or else in a 0600 file beside the
/// replica `db`.
pub fn save_hub_token(db: &Path, hub_url: &str, token: &str) -> Result<TokenSaved, ApiError> {
    Ok(match yingji_sync::token_store::save(db, hub_url, token)? {
        yingji_sync::token_store::Saved::Keychain => TokenSaved::Keychain,
        yingji_sync::token_store::Saved::File { path, keychain_error } => {
            TokenSaved::File { path: path.display().to_string(), keychain_error }
        }
    })
}

/// The device token saved for `hub_url` (keychain first, then the fallback file), if any.
pub fn saved_hub_token(db: &Path, hub_url: &str) -> Result<Option<String>, ApiError> {
    Ok(yingji_sync::token_store::load(db, hub_url)?)
}
