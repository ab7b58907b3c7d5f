//! [`TileArchive`]: one read-only map archive (PMTiles v3 or MBTiles) and the
//! types describing it.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::TileError;
use crate::mbtiles::MbtilesReader;
use crate::pmtiles::PmtilesReader;

/// Highest zoom level addressable (PMTiles v3 and practical MBTiles limit).
pub const MAX_ZOOM: u8 = 31;

/// Decompressed tiles larger than this are refused (a "zip bomb" guard).
pub(crate) const MAX_TILE_BYTES: usize = 64 << 20;

/// Which container format an archive uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ArchiveKind {
    Pmtiles,
    Mbtiles,
}

/// What the tiles of an archive contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TileType {
    /// Mapbox Vector Tile (protobuf), the `.pbf` / `.mvt` tiles MapLibre styles.
    Mvt,
    Png,
    Jpeg,
    Webp,
    Avif,
    /// The archive does not say and the first tile did not tell either.
    Unknown,
}

impl TileType {
    /// The `Content-Type` to serve tiles of this type with.
    pub fn content_type(self) -> &'static str {
        match self {
            TileType::Mvt => "application/x-protobuf",
            TileType::Png => "image/png",
            TileType::Jpeg => "image/jpeg",
            TileType::Webp => "image/webp",
            TileType::Avif => "image/avif",
            TileType::Unknown => "application/octet-stream",
        }
    }

    /// The canonical file extension used in tile URL templates (`pbf`, `png`, `jpg`, …).
    pub fn extension(self) -> &'static str {
        match self {
            TileType::Mvt => "pbf",
            TileType::Png => "png",
            TileType::Jpeg => "jpg",
            TileType::Webp => "webp",
            TileType::Avif => "avif",
            TileType::Unknown => "bin",
        }
    }

    /// Whether a request extension (without the dot, any case) may name tiles of this type.
    pub fn accepts_extension(self, ext: &str) -> bool {
        let ext = ext.to_ascii_lowercase();
        match self {
            TileType::Mvt => matches!(ext.as_str(), "pbf" | "mvt"),
            TileType::Png => ext == "png",
            TileType::Jpeg => matches!(ext.as_str(), "jpg" | "jpeg"),
            TileType::Webp => ext == "webp",
            TileType::Avif => ext == "avif",
            TileType::Unknown => true,
        }
    }

    /// Parses an MBTiles `format` metadata value.
    pub(crate) fn from_mbtiles_format(format: &str) -> Option<TileType> {
        match format.trim().to_ascii_lowercase().as_str() {
            "pbf" | "mvt" | "application/x-protobuf" | "application/vnd.mapbox-vector-tile" => Some(TileType::Mvt),
            "png" | "image/png" => Some(TileType::Png),
            "jpg" | "jpeg" | "image/jpeg" => Some(TileType::Jpeg),
            "webp" | "image/webp" => Some(TileType::Webp),
            "avif" | "image/avif" => Some(TileType::Avif),
            _ => None,
        }
    }

    /// Guesses the type from a tile's first bytes.
    pub(crate) fn sniff(data: &[u8]) -> TileType {
        if data.starts_with(b"\x89PNG\r\n\x1a\n") {
            TileType::Png
        } else if data.starts_with(&[0xff, 0xd8, 0xff]) {
            TileType::Jpeg
        } else if data.len() >= 12 && &data[0..4] == b"RIFF" && &data[8..12] == b"WEBP" {
            TileType::Webp
        } else if data.len() >= 12 && &data[4..8] == b"ftyp" && &data[8..12] == b"avif" {
            TileType::Avif
        } else if sniff_encoding(data).is_some() || data.first() == Some(&0x1a) {
            // Compressed, or a protobuf starting with field 3 (`layers`) — a vector tile.
            TileType::Mvt
        } else {
            TileType::Unknown
        }
    }
}

/// A tile address in the XYZ ("slippy map", Google) scheme that MapLibre uses:
/// `y = 0` is the northern edge. MBTiles' TMS rows are flipped internally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct TileCoord {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

impl TileCoord {
    /// The coordinate if it addresses a tile that can exist (`z ≤ 31`, `x, y < 2^z`).
    pub fn new(z: u8, x: u32, y: u32) -> Option<TileCoord> {
        if z > MAX_ZOOM {
            return None;
        }
        let n = 1u64 << z;
        (u64::from(x) < n && u64::from(y) < n).then_some(TileCoord { z, x, y })
    }
}

/// One tile's bytes as stored in the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tile {
    /// The stored bytes; still compressed when `content_encoding` is set.
    pub data: Vec<u8>,
    /// `Content-Type` of the decoded tile (see [`TileType::content_type`]).
    pub content_type: &'static str,
    /// HTTP content coding of `data` (`"gzip"`, `"deflate"`, `"br"`, `"zstd"`) or `None` when plain.
    pub content_encoding: Option<&'static str>,
}

impl Tile {
    /// The tile with gzip/deflate undone (`content_encoding` becomes `None`).
    ///
    /// Plain tiles are returned unchanged. Brotli and zstd are not supported
    /// and give [`TileError::Decompress`].
    pub fn decompressed(self) -> Result<Tile, TileError> {
        match self.content_encoding {
            None => Ok(self),
            Some(encoding) => Ok(Tile {
                data: decompress(encoding, &self.data, MAX_TILE_BYTES)?,
                content_type: self.content_type,
                content_encoding: None,
            }),
        }
    }
}

/// What the map-packs screen and the style need to know about an archive.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArchiveInfo {
    pub kind: ArchiveKind,
    pub tile_type: TileType,
    /// Archive-wide tile compression when the format declares one (PMTiles);
    /// MBTiles tiles are sniffed one by one, so this is `None` for them.
    pub tile_encoding: Option<&'static str>,
    pub min_zoom: u8,
    pub max_zoom: u8,
    /// `[west, south, east, north]` in degrees (WGS 84).
    pub bounds: [f64; 4],
    /// `[longitude, latitude, zoom]`.
    pub center: [f64; 3],
    pub name: Option<String>,
    pub attribution: Option<String>,
    pub description: Option<String>,
    /// Ids of the vector layers (`vector_layers[].id`), empty for raster archives.
    pub vector_layers: Vec<String>,
    /// Build or data time found in the metadata, verbatim (no standard key exists;
    /// a few common ones are looked up), `None` if absent.
    pub built: Option<String>,
    /// File modification time, seconds since the Unix epoch.
    pub modified_unix: Option<i64>,
    /// File size in bytes.
    pub file_size: u64,
    /// Number of addressed tiles when the format records it (PMTiles header).
    pub tile_count: Option<u64>,
    pub path: PathBuf,
}

/// Stored bytes of a tile and the encoding the archive declares for them.
pub(crate) type StoredTile = (Vec<u8>, Option<&'static str>);

/// What a format reader hands to [`TileArchive`].
pub(crate) type Parts = (Reader, ArchiveInfo, serde_json::Value);

pub(crate) enum Reader {
    Pmtiles(PmtilesReader),
    Mbtiles(MbtilesReader),
}

/// A read-only map archive, opened once and shared between threads
/// (`TileArchive: Send + Sync`; all methods take `&self`).
pub struct TileArchive {
    reader: Reader,
    info: ArchiveInfo,
    metadata: serde_json::Value,
}

impl std::fmt::Debug for TileArchive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TileArchive").field("info", &self.info).finish_non_exhaustive()
    }
}

/// File facts gathered before the format-specific open.
pub(crate) struct FileFacts {
    pub size: u64,
    pub modified_unix: Option<i64>,
}

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

impl TileArchive {
    /// Opens a `.pmtiles` (v3) or `.mbtiles` file; the format is detected
    /// from the first bytes, not from the file name.
    pub fn open(path: impl AsRef<Path>) -> Result<TileArchive, TileError> {
        let path = path.as_ref();
        let meta = std::fs::metadata(path).map_err(|e| TileError::io(path, e))?;
        if meta.is_dir() {
            return Err(TileError::NotAnArchive { path: path.to_path_buf(), reason: "it is a folder".into() });
        }
        if meta.len() == 0 {
            return Err(TileError::EmptyFile { path: path.to_path_buf() });
        }
        let facts = FileFacts {
            size: meta.len(),
            modified_unix: meta.modified().ok().and_then(|t| match t.duration_since(std::time::UNIX_EPOCH) {
                Ok(d) => i64::try_from(d.as_secs()).ok(),
                Err(e) => i64::try_from(e.duration().as_secs()).ok().map(|s| -s),
            }),
        };

        let mut magic = Vec::with_capacity(16);
        File::open(path)
            .map_err(|e| TileError::io(path, e))?
            .take(16)
            .read_to_end(&mut magic)
            .map_err(|e| TileError::io(path, e))?;

        let (reader, info, metadata) = if magic.starts_with(b"PMTiles") {
            PmtilesReader::open(path, facts)?.into_parts()
        } else if magic.len() >= 4 && &magic[0..2] == b"PM" && matches!(magic[2], 1 | 2) && magic[3] == 0 {
            // PMTiles v1/v2: magic 0x4D50 little-endian, then a u16 version.
            return Err(TileError::UnsupportedVersion { path: path.to_path_buf(), version: magic[2] });
        } else if magic.as_slice() == SQLITE_MAGIC {
            MbtilesReader::open(path, facts)?.into_parts()
        } else if SQLITE_MAGIC.starts_with(&magic) || b"PMTiles".starts_with(&magic) {
            return Err(TileError::corrupt(path, "the file ends inside its header (truncated)"));
        } else {
            return Err(TileError::NotAnArchive { path: path.to_path_buf(), reason: "unknown file signature".into() });
        };
        Ok(TileArchive { reader, info, metadata })
    }

    /// Facts about the archive, read once at open.
    pub fn info(&self) -> &ArchiveInfo {
        &self.info
    }

    /// The archive's metadata as a JSON object: the PMTiles JSON metadata, or
    /// the MBTiles `metadata` table (with its `json` row merged in). Useful
    /// for `vector_layers` and for building TileJSON.
    pub fn metadata(&self) -> &serde_json::Value {
        &self.metadata
    }

    pub fn path(&self) -> &Path {
        &self.info.path
    }

    /// The tile at XYZ `z/x/y`, `Ok(None)` when the archive has no tile there
    /// (including coordinates that cannot exist, e.g. `x ≥ 2^z`).
    ///
    /// The bytes are returned as stored: check [`Tile::content_encoding`] or
    /// call [`Tile::decompressed`].
    pub fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Tile>, TileError> {
        let Some(coord) = TileCoord::new(z, x, y) else {
            return Ok(None);
        };
        let found = match &self.reader {
            Reader::Pmtiles(r) => r.tile(coord)?,
            Reader::Mbtiles(r) => r.tile(coord)?,
        };
        Ok(found.filter(|(data, _)| !data.is_empty()).map(|(data, stored_encoding)| {
            let content_encoding = match (self.info.tile_type, stored_encoding) {
                (_, Some(e)) => Some(e),
                // Vector tiles are often gzipped even when the archive does not say so.
                (TileType::Mvt | TileType::Unknown, None) => sniff_encoding(&data),
                _ => None,
            };
            Tile { data, content_type: self.info.tile_type.content_type(), content_encoding }
        }))
    }

    /// Calls `f` for every tile coordinate present in the archive, in storage
    /// order. Cost is proportional to the number of tiles (every directory or
    /// every row is read): meant for tests, exports and benchmark set-up.
    pub fn for_each_coord(&self, mut f: impl FnMut(TileCoord)) -> Result<(), TileError> {
        match &self.reader {
            Reader::Pmtiles(r) => r.for_each_coord(&mut f),
            Reader::Mbtiles(r) => r.for_each_coord(&mut f),
        }
    }

    /// Up to `n` coordinates of tiles present in the archive, picked uniformly
    /// at random (reservoir sampling, deterministic for a given `seed`).
    ///
    /// This is what a benchmark needs: sample once, then time
    /// [`TileArchive::tile`] over the returned list. The set-up walks the
    /// whole archive (see [`TileArchive::for_each_coord`]).
    pub fn sample_coords(&self, n: usize, seed: u64) -> Result<Vec<TileCoord>, TileError> {
        let mut rng = SplitMix64(seed);
        let mut picked: Vec<TileCoord> = Vec::with_capacity(n.min(1 << 16));
        let mut seen: u64 = 0;
        self.for_each_coord(|c| {
            seen += 1;
            if picked.len() < n {
                picked.push(c);
            } else if n > 0 {
                let j = rng.next() % seen;
                if let Ok(j) = usize::try_from(j) {
                    if j < n {
                        picked[j] = c;
                    }
                }
            }
        })?;
        // Shuffle so that reads do not follow storage order (Fisher–Yates).
        for i in (1..picked.len()).rev() {
            let j = usize::try_from(rng.next() % (i as u64 + 1)).unwrap_or(0);
            picked.swap(i, j);
        }
        Ok(picked)
    }
}

/// Small deterministic PRNG for sampling (no `rand` dependency needed).
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// Recognises gzip and zlib ("deflate" in HTTP terms) streams by their header.
pub(crate) fn sniff_encoding(data: &[u8]) -> Option<&'static str> {
    match data {
        [0x1f, 0x8b, ..] => Some("gzip"),
        // zlib: CM = 8 (deflate), CINFO ≤ 7, and the 16-bit header is a multiple of 31.
        [cmf, flg, ..] if cmf & 0x0f == 8 && cmf >> 4 <= 7 && ((u16::from(*cmf) << 8) | u16::from(*flg)) % 31 == 0 => {
            Some("deflate")
        }
        _ => None,
    }
}

/// Undoes an HTTP content coding, refusing output larger than `limit` bytes.
pub(crate) fn decompress(encoding: &'static str, data: &[u8], limit: usize) -> Result<Vec<u8>, TileError> {
    let mut out = Vec::with_capacity(data.len().saturating_mul(3).min(limit));
    let reader: Box<dyn Read + '_> = match encoding {
        "gzip" => Box::new(flate2::read::MultiGzDecoder::new(data)),
        "deflate" => Box::new(flate2::read::ZlibDecoder::new(data)),
        other => {
            return Err(TileError::Decompress { encoding: other, detail: "this compression is not supported".into() })
        }
    };
    reader
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| TileError::Decompress { encoding, detail: e.to_string() })?;
    if out.len() > limit {
        return Err(TileError::Decompress { encoding, detail: format!("decompressed size exceeds {limit} bytes") });
    }
    Ok(out)
}

/// Pulls the common descriptive fields out of a metadata JSON object.
pub(crate) struct CommonMeta {
    pub name: Option<String>,
    pub attribution: Option<String>,
    pub description: Option<String>,
    pub vector_layers: Vec<String>,
    pub built: Option<String>,
}

impl CommonMeta {
    pub fn from_json(meta: &serde_json::Value) -> CommonMeta {
        let text = |key: &str| {
            meta.get(key).and_then(|v| match v {
                serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
        };
        let vector_layers = meta
            .get("vector_layers")
            .and_then(|v| v.as_array())
            .map(|layers| {
                layers.iter().filter_map(|l| l.get("id").and_then(|id| id.as_str()).map(str::to_owned)).collect()
            })
            .unwrap_or_default();
        const BUILT_KEYS: [&str; 7] = [
            "built",
            "created",
            "planetiler:osm:osmosisreplicationtime",
            "planetiler:buildtime",
            "osm:replication_time",
            "data_date",
            "mtime",
        ];
        CommonMeta {
            name: text("name"),
            attribution: text("attribution"),
            description: text("description"),
            vector_layers,
            built: BUILT_KEYS.iter().find_map(|k| text(k)),
        }
    }
}

/// Whole-world Web Mercator bounds, the default when an archive gives none.
pub(crate) const WORLD_BOUNDS: [f64; 4] = [-180.0, -85.051_129, 180.0, 85.051_129];

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn missing_file_is_not_found() {
        let dir = tempfile::tempdir().unwrap();
        let err = TileArchive::open(dir.path().join("nope.pmtiles")).unwrap_err();
        assert!(matches!(err, TileError::NotFound { .. }), "{err}");
        assert!(err.to_string().contains("nope.pmtiles"));
    }

    #[test]
    fn empty_file_and_folder_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("empty.mbtiles");
        File::create(&p).unwrap();
        assert!(matches!(TileArchive::open(&p), Err(TileError::EmptyFile { .. })));
        assert!(matches!(TileArchive::open(dir.path()), Err(TileError::NotAnArchive { .. })));
    }

    #[test]
    fn garbage_is_not_an_archive() {
        let dir = tempfile::tempdir().unwrap();
        for (i, bytes) in [&b"<html>404 not found</html>"[..], &b"PK\x03\x04zipfile"[..], &[0u8; 4096][..], &b"P"[..]]
            .iter()
            .enumerate()
        {
            let p = dir.path().join(format!("g{i}.pmtiles"));
            File::create(&p).unwrap().write_all(bytes).unwrap();
            let err = TileArchive::open(&p).unwrap_err();
            assert!(matches!(err, TileError::NotAnArchive { .. } | TileError::Corrupt { .. }), "{i}: {err}");
        }
    }

    #[test]
    fn truncated_signatures_are_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        for bytes in [&b"PMTil"[..], &b"SQLite for"[..]] {
            let p = dir.path().join("t.bin");
            File::create(&p).unwrap().write_all(bytes).unwrap();
            assert!(matches!(TileArchive::open(&p), Err(TileError::Corrupt { .. })));
        }
    }

    #[test]
    fn pmtiles_v2_is_unsupported_version() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("old.pmtiles");
        let mut bytes = b"PM\x02\x00".to_vec();
        bytes.resize(512_000, 0);
        File::create(&p).unwrap().write_all(&bytes).unwrap();
        let err = TileArchive::open(&p).unwrap_err();
        assert!(matches!(err, TileError::UnsupportedVersion { version: 2, .. }), "{err}");
        assert!(err.to_string().contains("pmtiles convert"));
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff_encoding(&[0x1f, 0x8b, 8, 0]), Some("gzip"));
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(b"hello").unwrap();
        let z = z.finish().unwrap();
        assert_eq!(sniff_encoding(&z), Some("deflate"));
        assert_eq!(sniff_encoding(&[0x1a, 0x05]), None);
        assert_eq!(sniff_encoding(&[]), None);
        assert_eq!(TileType::sniff(b"\x89PNG\r\n\x1a\n...."), TileType::Png);
        assert_eq!(TileType::sniff(&[0xff, 0xd8, 0xff, 0xe0]), TileType::Jpeg);
        assert_eq!(TileType::sniff(b"RIFF\0\0\0\0WEBPVP8 "), TileType::Webp);
        assert_eq!(TileType::sniff(&[0x1a, 0x02]), TileType::Mvt);
        assert_eq!(TileType::sniff(b"hello"), TileType::Unknown);
    }

    #[test]
    fn decompression_round_trip_and_errors() {
        let plain = b"vector tile bytes".repeat(50);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&plain).unwrap();
        let tile =
            Tile { data: gz.finish().unwrap(), content_type: "application/x-protobuf", content_encoding: Some("gzip") };
        let d = tile.decompressed().unwrap();
        assert_eq!(d.data, plain);
        assert_eq!(d.content_encoding, None);
        // Plain stays plain.
        assert_eq!(d.clone().decompressed().unwrap(), d);
        // Garbage marked gzip is an error, not a panic.
        let bad = Tile {
            data: vec![0x1f, 0x8b, 1, 2, 3],
            content_type: "application/x-protobuf",
            content_encoding: Some("gzip"),
        };
        assert!(matches!(bad.decompressed(), Err(TileError::Decompress { .. })));
        let br = Tile { data: vec![1, 2, 3], content_type: "application/x-protobuf", content_encoding: Some("br") };
        assert!(matches!(br.decompressed(), Err(TileError::Decompress { encoding: "br", .. })));
        // The size limit holds.
        assert!(decompress(
            "gzip",
            &{
                let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
                gz.write_all(&vec![0u8; 10_000]).unwrap();
                gz.finish().unwrap()
            },
            1000
        )
        .is_err());
    }

    #[test]
    fn tile_coord_validation() {
        assert!(TileCoord::new(0, 0, 0).is_some());
        assert!(TileCoord::new(0, 1, 0).is_none());
        assert!(TileCoord::new(3, 7, 7).is_some());
        assert!(TileCoord::new(3, 8, 0).is_none());
        assert!(TileCoord::new(31, u32::MAX >> 1, 0).is_some());
        assert!(TileCoord::new(32, 0, 0).is_none());
        assert!(TileCoord::new(255, 0, 0).is_none());
    }

    #[test]
    fn extension_matching() {
        assert!(TileType::Mvt.accepts_extension("pbf"));
        assert!(TileType::Mvt.accepts_extension("MVT"));
        assert!(!TileType::Mvt.accepts_extension("png"));
        assert!(TileType::Jpeg.accepts_extension("jpeg"));
        assert!(!TileType::Png.accepts_extension("jpg"));
    }
}
