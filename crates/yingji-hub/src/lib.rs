//! The provincial hub: replicas push batches of changes and pull pages of the hub's log
//! (`yingji_sync::proto`). Merge at the hub: per-field last-writer-wins by HLC, concurrent
//! edits listed in `sync_conflicts`, append-only rows inserted once, stock over-allocations
//! flagged in `sync_over_allocations`. Scope and rights in [`scope`]; storage behind
//! [`storage::HubStorage`] (SQLite: [`storage::SqliteHub`]).

mod error;
pub mod scope;
pub mod server;
pub mod storage;

pub use error::HubError;
pub use storage::{Device, HubStorage, SqliteHub};

/// Seeds a new hub at `path` with the demo province (`seed`), the same rows `yingji init --demo`
/// creates, as baseline `demo:<seed>`. Returns the number of log entries.
pub fn init_demo(path: &std::path::Path, seed: u64) -> Result<i64, HubError> {
    let hub = SqliteHub::open(path)?;
    let mut store = yingji_store::Store::open_in_memory()?;
    yingji_demo::populate(&mut store, seed).map_err(|e| HubError::Config(format!("demo data: {e}")))?;
    hub.seed_baseline(&store, &format!("demo:{seed}"))
}
