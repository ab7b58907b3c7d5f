//! Offline map archives for the Yingji console: no window, no network.
//!
//! * [`TileArchive`] opens one read-only archive — **PMTiles v3** (read by
//!   this crate's own small reader, see [`pmtiles`]) or **MBTiles** (SQLite,
//!   read with `rusqlite`; TMS rows are flipped so callers always use XYZ) —
//!   and answers [`TileArchive::tile`]`(z, x, y)` and [`TileArchive::info`].
//! * [`MapPacks`] holds the base map plus extra packs layered above it and
//!   resolves the request paths of the desktop shell's `tiles://` URI scheme
//!   (tiles, TileJSON, glyphs, sprites, the style) into a [`Response`].
//!
//! Everything is `Send + Sync` and takes `&self`: share one `Arc<MapPacks>`
//! between the scheme handler's threads.
//!
//! Benchmarks: [`TileArchive::sample_coords`] picks N random present tiles
//! once; time [`TileArchive::tile`] (or [`MapPacks::resolve`]) over them.

#![forbid(unsafe_code)]

mod archive;
mod error;
mod mbtiles;
mod packs;
pub mod pmtiles;
#[cfg(test)]
mod testutil;

pub use archive::{ArchiveInfo, ArchiveKind, Tile, TileArchive, TileCoord, TileType, MAX_ZOOM};
pub use error::TileError;
pub use packs::{is_valid_pack_id, MapPacks, MapPacksConfig, PackInfo, Response};
