//! The provincial hub: replicas push batches of changes and pull pages of the hub's log
//! (`yingji_sync::proto`). Merge at the hub: per-field last-writer-wins by HLC, concurrent
//! edits listed in `sync_conflicts`, append-only rows inserted once, stock over-allocations
//! flagged in `sync_over_allocations`. Scope and rights in [`scope`]; storage behind
//! [`storage::HubStorage`] (SQLite: [`storage::SqliteHub`], PostgreSQL: [`postgres::PostgresHub`]).

mod error;
pub mod postgres;
pub mod scope;
pub mod server;
pub mod storage;

pub use error::HubError;
pub use postgres::{is_postgres_url, PostgresHub};
pub use server::TlsFiles;
pub use storage::{Device, HubStorage, SqliteHub};

/// Seeds a new hub at `db` (a SQLite file or a `postgres://` URL) with the demo province
/// (`seed`), the same rows `yingji init --demo` creates, as baseline `demo:<seed>`. Returns the
/// number of log entries.
pub fn init_demo(db: &str, seed: u64) -> Result<i64, HubError> {
    let mut store = yingji_store::Store::open_in_memory()?;
    yingji_demo::populate(&mut store, seed).map_err(|e| HubError::Config(format!("demo data: {e}")))?;
    let label = format!("demo:{seed}");
    if is_postgres_url(db) {
        PostgresHub::open(db)?.seed_baseline(&store, &label)
    } else {
        SqliteHub::open(std::path::Path::new(db))?.seed_baseline(&store, &label)
    }
}

/// Opens the hub storage `db` names: a `postgres://` URL or a SQLite file.
pub fn open_storage(db: &str) -> Result<std::sync::Arc<dyn HubStorage>, HubError> {
    Ok(if is_postgres_url(db) {
        std::sync::Arc::new(PostgresHub::open(db)?)
    } else {
        std::sync::Arc::new(SqliteHub::open(std::path::Path::new(db))?)
    })
}
