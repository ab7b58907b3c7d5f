use std::path::{Path, PathBuf};

use rusqlite::ErrorCode;

/// Why the store could not do what was asked. Messages say what to do next.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error(
        "database file {path} does not exist; create one with `yingji init {path}` or `yingji init --demo {path}`"
    )]
    NotFound { path: PathBuf },
    #[error("{path} already exists; choose another path or move the file away first")]
    AlreadyExists { path: PathBuf },
    #[error("{path} is not a SQLite database (or its header is damaged); the file was left untouched — check the path or restore it from a backup")]
    NotSqlite { path: PathBuf },
    #[error("{path} is damaged ({detail}); the file was left untouched — restore it from a backup or the hub")]
    Damaged { path: PathBuf, detail: String },
    #[error("{path} is a SQLite database but not a Yingji replica; the file was left untouched")]
    NotYingji { path: PathBuf },
    #[error("{path} was made by a newer Yingji (schema {db_version}, this program knows up to {app_version}); update Yingji to open it")]
    TooNew { path: PathBuf, db_version: u32, app_version: u32 },
    #[error("{path} is locked by another program; close the other Yingji window or command using it and try again")]
    Locked { path: PathBuf },
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no {kind} with id {id}")]
    RecordNotFound { kind: &'static str, id: String },
    #[error("invalid {field}: {message}")]
    Invalid { field: String, message: String },
    #[error("database query failed: {0}")]
    Query(#[from] rusqlite::Error),
    #[error("database error on {path}: {source}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
}

impl StoreError {
    pub(crate) fn from_sqlite(path: &Path, source: rusqlite::Error) -> StoreError {
        let path = path.to_owned();
        match source.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked { path },
            Some(ErrorCode::NotADatabase) => StoreError::NotSqlite { path },
            Some(ErrorCode::DatabaseCorrupt) => StoreError::Damaged { path, detail: source.to_string() },
            _ => StoreError::Sqlite { path, source },
        }
    }
}
