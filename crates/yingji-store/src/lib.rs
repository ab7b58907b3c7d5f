//! The local SQLite replica of the province's emergency resources.
//!
//! * The schema lives only in `migrations/NNNN_name.sql` (embedded at compile time); opening a
//!   database runs what is pending in one transaction and refuses one made by a newer Yingji.
//! * Every located record is in an R*Tree (`geo_index`), every named one in FTS5 (`search_fts`,
//!   trigram, plus `search_grams` for 1–2 character Chinese queries); triggers keep them in step.
//! * Time is passed in through a [`Clock`]; nothing here reads the system clock itself.
//! * Read functions borrow `&Connection`; writes take a `&Transaction` or `&mut Store`.

pub mod capture;
pub mod chemicals;
mod clock;
mod error;
mod migrate;
#[macro_use]
pub mod records;
pub mod map;
pub mod query;
pub mod runs;
mod text;

use std::{
    fs::File,
    io::Read,
    path::{Path, PathBuf},
    time::Duration,
};

pub use clock::{Clock, FixedClock, SystemClock, Timestamp};
pub use error::StoreError;
pub use migrate::{schema_version, LATEST_SCHEMA_VERSION};
use rusqlite::{Connection, OpenFlags, Transaction};

/// How long a statement waits for another process's lock before it gives up with
/// [`StoreError::Locked`].
pub const BUSY_TIMEOUT: Duration = Duration::from_millis(1500);

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// An open replica.
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
}

impl Store {
    /// Opens an existing Yingji database, applying pending migrations.
    ///
    /// A missing file, a file that is not SQLite, a damaged file, a database of another program,
    /// one made by a newer Yingji and one locked by another process are each refused with their
    /// own error; in none of those cases is the file written.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        let path = path.as_ref();
        check_header(path)?;
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(|e| StoreError::from_sqlite(path, e))?;
        let mut store = Store { conn, path: Some(path.to_owned()) };
        store.prepare(false)?;
        Ok(store)
    }

    /// Creates a new, empty Yingji database at `path`; refuses to overwrite an existing file.
    pub fn create(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        let path = path.as_ref();
        if path.exists() {
            return Err(StoreError::AlreadyExists { path: path.to_owned() });
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| StoreError::from_sqlite(path, e))?;
        let mut store = Store { conn, path: Some(path.to_owned()) };
        store.prepare(true)?;
        Ok(store)
    }

    /// A fresh database in memory, for tests and benchmarks.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory().map_err(|e| StoreError::from_sqlite(Path::new(":memory:"), e))?;
        let mut store = Store { conn, path: None };
        store.prepare(true)?;
        Ok(store)
    }

    fn prepare(&mut self, new: bool) -> Result<(), StoreError> {
        let path = self.path.clone().unwrap_or_else(|| PathBuf::from(":memory:"));
        let map = |e| StoreError::from_sqlite(&path, e);
        self.conn.busy_timeout(BUSY_TIMEOUT).map_err(map)?;
        text::register_functions(&self.conn).map_err(map)?;
        // Reading the schema first: a damaged file fails here, before anything is written.
        let tables: i64 = self.conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0)).map_err(map)?;
        if tables == 0 && !new {
            return Err(StoreError::NotYingji { path });
        }
        if tables > 0 {
            let ours: i64 = self
                .conn
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
                    [],
                    |r| r.get(0),
                )
                .map_err(map)?;
            if ours == 0 {
                return Err(StoreError::NotYingji { path });
            }
            let version = migrate::schema_version(&self.conn).map_err(map)?;
            if version > LATEST_SCHEMA_VERSION {
                return Err(StoreError::TooNew { path, db_version: version, app_version: LATEST_SCHEMA_VERSION });
            }
        }
        if self.path.is_some() {
            // WAL: readers never block the writer, and a crash loses no committed transaction.
            let mode: String = self.conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(map)?;
            debug_assert_eq!(mode, "wal");
            self.conn.pragma_update(None, "synchronous", "NORMAL").map_err(map)?;
        }
        self.conn.pragma_update(None, "foreign_keys", "ON").map_err(map)?;
        migrate::apply_pending(&mut self.conn).map_err(map)?;
        chemicals::ensure_loaded(&mut self.conn, chemicals::compiled()?, &SystemClock).map_err(|e| match e {
            StoreError::Query(q) => map(q),
            other => other,
        })?;
        // After the library: it is shipped with the program, loaded on every replica, never synced.
        capture::install(&self.conn).map_err(map)?;
        Ok(())
    }

    /// The connection, for reads.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Starts a write transaction (taken immediately, so a lock held elsewhere fails fast).
    pub fn transaction(&mut self) -> Result<Transaction<'_>, StoreError> {
        let path = self.path.clone().unwrap_or_else(|| PathBuf::from(":memory:"));
        self.conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| StoreError::from_sqlite(&path, e))
    }

    /// Where the database lives (`None` in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Maps a SQLite error of this store to a [`StoreError`] that names the file.
    pub fn error(&self, e: rusqlite::Error) -> StoreError {
        StoreError::from_sqlite(self.path.as_deref().unwrap_or(Path::new(":memory:")), e)
    }
}

/// Refuses, without writing, anything that is not a SQLite 3 database file.
fn check_header(path: &Path) -> Result<(), StoreError> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(StoreError::NotFound { path: path.to_owned() })
        }
        Err(source) => return Err(StoreError::Io { path: path.to_owned(), source }),
    };
    let mut header = [0u8; 16];
    let mut read = 0;
    while read < header.len() {
        match file.read(&mut header[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(source) => return Err(StoreError::Io { path: path.to_owned(), source }),
        }
    }
    if read < header.len() || &header != SQLITE_HEADER {
        return Err(StoreError::NotSqlite { path: path.to_owned() });
    }
    Ok(())
}

/// A new random record id.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
