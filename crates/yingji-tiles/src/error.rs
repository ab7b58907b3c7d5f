//! The one error type of this crate.
//!
//! Messages name the file and say what the user can do about it, because they
//! end up in the console's "map packs" screen more or less verbatim.

use std::path::PathBuf;

/// Everything that can go wrong when opening or reading a map archive, or
/// when managing the registry of map packs.
#[derive(Debug, thiserror::Error)]
pub enum TileError {
    /// The path does not exist.
    #[error("map file not found: {} — check the path or copy the map pack again", .path.display())]
    NotFound { path: PathBuf },

    /// The operating system refused to read the file (permissions, I/O error, …).
    #[error("cannot read map file {}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The file has zero bytes, usually an interrupted copy or download.
    #[error("map file {} is empty (0 bytes) — the copy or download was probably interrupted; copy it again", .path.display())]
    EmptyFile { path: PathBuf },

    /// Neither a PMTiles nor an SQLite/MBTiles file.
    #[error("{} is not a map archive ({reason}) — expected a .pmtiles (PMTiles v3) or .mbtiles file", .path.display())]
    NotAnArchive { path: PathBuf, reason: String },

    /// A PMTiles file of another format version (v1/v2 files are older, v4+ newer).
    #[error("{} is a PMTiles version {version} archive, but only version 3 is supported — convert it with `pmtiles convert`", .path.display())]
    UnsupportedVersion { path: PathBuf, version: u8 },

    /// The file starts right but its header, directories or tiles are damaged or truncated.
    #[error("map file {} is damaged: {detail} — copy or download it again", .path.display())]
    Corrupt { path: PathBuf, detail: String },

    /// The archive uses a compression this build cannot decode (brotli, zstd, …).
    #[error("map file {} uses {compression} compression for its {what}, which is not supported — rebuild it with gzip or no compression", .path.display())]
    UnsupportedCompression { path: PathBuf, what: &'static str, compression: &'static str },

    /// An SQLite database that lacks the MBTiles tables or columns.
    #[error("{} is an SQLite database but not an MBTiles map: {detail}", .path.display())]
    NotMbtiles { path: PathBuf, detail: String },

    /// Any other SQLite failure while reading an MBTiles file (locked, out of memory, …).
    #[error("cannot read MBTiles file {}: {source}", .path.display())]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },

    /// A tile or glyph body could not be decompressed.
    #[error("cannot decompress {encoding} data: {detail}")]
    Decompress { encoding: &'static str, detail: String },

    /// `MapPacks::remove`/`get` with an id that is not loaded.
    #[error("no map pack with id {0:?} is loaded")]
    UnknownPack(String),

    /// `MapPacks::add_with_id` with an id that is already taken.
    #[error("a map pack with id {0:?} is already loaded — remove it first or choose another id")]
    DuplicatePack(String),

    /// A pack id that could not appear in a URL path segment.
    #[error("invalid map pack id {0:?} — use 1 to 64 characters among a-z, 0-9, '-' and '_', not \"base\"")]
    InvalidPackId(String),
}

impl TileError {
    pub(crate) fn corrupt(path: &std::path::Path, detail: impl Into<String>) -> Self {
        TileError::Corrupt { path: path.to_path_buf(), detail: detail.into() }
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        if source.kind() == std::io::ErrorKind::NotFound {
            TileError::NotFound { path: path.to_path_buf() }
        } else if source.kind() == std::io::ErrorKind::UnexpectedEof {
            TileError::corrupt(path, "the file ends early (truncated)")
        } else {
            TileError::Io { path: path.to_path_buf(), source }
        }
    }

    /// Maps an SQLite error: damaged databases become [`TileError::Corrupt`].
    pub(crate) fn sqlite(path: &std::path::Path, source: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match source.sqlite_error_code() {
            Some(ErrorCode::DatabaseCorrupt) => TileError::corrupt(path, "the SQLite database is malformed"),
            Some(ErrorCode::NotADatabase) => {
                TileError::corrupt(path, "the SQLite header is valid but the database is not")
            }
            _ => TileError::Sqlite { path: path.to_path_buf(), source },
        }
    }
}
