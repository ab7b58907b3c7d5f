//! A direct, synchronous reader of PMTiles version 3.
//!
//! Why not the `pmtiles` crate: its reader is async-only (tokio), its mmap
//! backend would need `unsafe` (forbidden in this workspace) and it requires a
//! newer Rust than the workspace's `rust-version`. The format is small:
//!
//! * a fixed 127-byte little-endian header (offsets/lengths of the root
//!   directory, JSON metadata, leaf directories and tile data; compression;
//!   tile type; zoom range; bounds and center as `i32` × 10⁻⁷ degrees);
//! * directories: `n`, then `n` tile-id deltas, `n` run lengths, `n` lengths,
//!   `n` offsets, all unsigned LEB128 varints, the whole optionally gzipped
//!   ("internal compression"). An offset of `0` after the first entry means
//!   "right after the previous entry", otherwise `offset - 1`. A run length of
//!   `0` marks a pointer to a leaf directory (offset relative to the leaf
//!   section); `k > 0` means `k` consecutive tile ids share those bytes
//!   (offset relative to the tile-data section);
//! * tile ids number tiles along a Hilbert curve per zoom level, after all
//!   tiles of lower zooms.
//!
//! Reads use positional I/O (`pread` on Unix, `seek_read` on Windows) on one
//! shared file handle, so concurrent readers never contend on a lock except
//! for the small leaf-directory cache.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::archive::{
    decompress, sniff_encoding, ArchiveInfo, ArchiveKind, CommonMeta, FileFacts, Parts, Reader, StoredTile, TileCoord,
    TileType, MAX_ZOOM,
};
use crate::error::TileError;

pub(crate) const HEADER_LEN: usize = 127;
/// Directories and metadata larger than this (decompressed or not) are refused as corrupt.
const MAX_SECTION_BYTES: u64 = 64 << 20;
/// Root → leaf → leaf … : deeper nesting than this is treated as a cycle.
const MAX_DEPTH: usize = 4;
/// Parsed leaf directories kept in memory.
const LEAF_CACHE_CAPACITY: usize = 64;

/// Tile id of `z/x/y` (Hilbert order within a zoom level), `None` for coordinates outside the pyramid.
pub fn zxy_to_tile_id(z: u8, x: u32, y: u32) -> Option<u64> {
    if z > MAX_ZOOM {
        return None;
    }
    let n: u64 = 1 << z;
    let (mut x, mut y) = (u64::from(x), u64::from(y));
    if x >= n || y >= n {
        return None;
    }
    let mut d: u64 = 0;
    let mut s = n >> 1;
    while s > 0 {
        let rx = u64::from(x & s != 0);
        let ry = u64::from(y & s != 0);
        d += s * s * ((3 * rx) ^ ry);
        if ry == 0 {
            if rx == 1 {
                x = n - 1 - x;
                y = n - 1 - y;
            }
            std::mem::swap(&mut x, &mut y);
        }
        s >>= 1;
    }
    Some(pyramid_base(z) + d)
}

/// Inverse of [`zxy_to_tile_id`]; `None` past zoom 31.
pub fn tile_id_to_zxy(id: u64) -> Option<TileCoord> {
    for z in 0..=MAX_ZOOM {
        let base = pyramid_base(z);
        let count = 1u64 << (2 * u32::from(z));
        if id < base + count {
            let mut t = id - base;
            let (mut x, mut y) = (0u64, 0u64);
            let mut s = 1u64;
            let n = 1u64 << z;
            while s < n {
                let rx = 1 & (t / 2);
                let ry = 1 & (t ^ rx);
                if ry == 0 {
                    if rx == 1 {
                        x = s - 1 - x;
                        y = s - 1 - y;
                    }
                    std::mem::swap(&mut x, &mut y);
                }
                x += s * rx;
                y += s * ry;
                t /= 4;
                s *= 2;
            }
            return Some(TileCoord { z, x: u32::try_from(x).ok()?, y: u32::try_from(y).ok()? });
        }
    }
    None
}

/// The last tile id of zoom 31, the highest a PMTiles v3 archive can address.
pub const MAX_TILE_ID: u64 = 6_148_914_691_236_517_204;

/// Number of tiles in all zoom levels below `z`: (4^z − 1) / 3.
fn pyramid_base(z: u8) -> u64 {
    ((1u64 << (2 * u32::from(z))) - 1) / 3
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    Unknown,
    None,
    Gzip,
    Brotli,
    Zstd,
    Other(u8),
}

impl Compression {
    fn from_byte(b: u8) -> Compression {
        match b {
            0 => Compression::Unknown,
            1 => Compression::None,
            2 => Compression::Gzip,
            3 => Compression::Brotli,
            4 => Compression::Zstd,
            other => Compression::Other(other),
        }
    }

    /// HTTP content coding name (`None` for "no compression" and "unknown").
    fn http_name(self) -> Option<&'static str> {
        match self {
            Compression::Gzip => Some("gzip"),
            Compression::Brotli => Some("br"),
            Compression::Zstd => Some("zstd"),
            Compression::Other(_) => Some("unknown"),
            Compression::None | Compression::Unknown => None,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Header {
    pub root_offset: u64,
    pub root_length: u64,
    pub metadata_offset: u64,
    pub metadata_length: u64,
    pub leaf_offset: u64,
    pub leaf_length: u64,
    pub data_offset: u64,
    pub data_length: u64,
    pub addressed_tiles: u64,
    pub internal_compression: Compression,
    pub tile_compression: Compression,
    pub tile_type: u8,
    pub min_zoom: u8,
    pub max_zoom: u8,
    pub bounds: [f64; 4],
    pub center: [f64; 3],
}

fn u64_at(b: &[u8; HEADER_LEN], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

fn e7_at(b: &[u8; HEADER_LEN], at: usize) -> f64 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[at..at + 4]);
    f64::from(i32::from_le_bytes(a)) / 10_000_000.0
}

impl Header {
    /// Parses the fixed header; the caller has checked magic and version.
    pub(crate) fn parse(b: &[u8; HEADER_LEN]) -> Header {
        Header {
            root_offset: u64_at(b, 8),
            root_length: u64_at(b, 16),
            metadata_offset: u64_at(b, 24),
            metadata_length: u64_at(b, 32),
            leaf_offset: u64_at(b, 40),
            leaf_length: u64_at(b, 48),
            data_offset: u64_at(b, 56),
            data_length: u64_at(b, 64),
            addressed_tiles: u64_at(b, 72),
            // 80: tile entries, 88: tile contents, 96: clustered — not needed for reading.
            internal_compression: Compression::from_byte(b[97]),
            tile_compression: Compression::from_byte(b[98]),
            tile_type: b[99],
            min_zoom: b[100],
            max_zoom: b[101],
            bounds: [e7_at(b, 102), e7_at(b, 106), e7_at(b, 110), e7_at(b, 114)],
            center: [e7_at(b, 119), e7_at(b, 123), f64::from(b[118])],
        }
    }
}

/// One directory entry, offsets already made absolute within their section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry {
    pub tile_id: u64,
    pub offset: u64,
    pub length: u32,
    /// 0 = pointer to a leaf directory.
    pub run_length: u32,
}

fn read_varint(buf: &mut &[u8]) -> Result<u64, String> {
    let mut value: u64 = 0;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = buf.split_first().ok_or("directory ends inside a number")?;
        *buf = rest;
        let bits = u64::from(byte & 0x7f);
        if shift == 63 && bits > 1 {
            return Err("number in directory is too large".into());
        }
        value |= bits << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("number in directory is too long".into())
}

/// Decodes a (decompressed) directory.
pub(crate) fn parse_directory(mut buf: &[u8]) -> Result<Vec<Entry>, String> {
    let buf = &mut buf;
    let n = read_varint(buf)?;
    // Every entry takes at least four bytes, so `n` cannot exceed what is left.
    let n = usize::try_from(n)
        .ok()
        .filter(|&n| n <= buf.len() / 4)
        .ok_or("directory entry count is larger than the directory")?;
    let mut entries = vec![Entry { tile_id: 0, offset: 0, length: 0, run_length: 0 }; n];
    let mut id: u64 = 0;
    for (i, e) in entries.iter_mut().enumerate() {
        let delta = read_varint(buf)?;
        if i > 0 && delta == 0 {
            return Err("directory tile ids are not increasing".into());
        }
        id = id.checked_add(delta).ok_or("directory tile id overflows")?;
        e.tile_id = id;
    }
    for e in entries.iter_mut() {
        e.run_length = u32::try_from(read_varint(buf)?).map_err(|_| "run length too large")?;
        let last = e.tile_id.checked_add(u64::from(e.run_length.saturating_sub(1)));
        if last.is_none_or(|last| last > MAX_TILE_ID) {
            return Err("directory names a tile beyond zoom 31".into());
        }
    }
    for e in entries.iter_mut() {
        e.length = u32::try_from(read_varint(buf)?).map_err(|_| "entry length too large")?;
        if e.length == 0 {
            return Err("directory entry with zero length".into());
        }
    }
    let mut prev: Option<(u64, u32)> = None;
    for e in entries.iter_mut() {
        let raw = read_varint(buf)?;
        e.offset = match (raw, prev) {
            (0, Some((off, len))) => off.checked_add(u64::from(len)).ok_or("entry offset overflows")?,
            (0, None) => return Err("first directory entry has no offset".into()),
            (raw, _) => raw - 1,
        };
        prev = Some((e.offset, e.length));
    }
    Ok(entries)
}

/// The entry covering `tile_id`: the last entry with `tile_id ≤ id` if it is a
/// leaf pointer or its run reaches `id`.
fn find_entry(entries: &[Entry], tile_id: u64) -> Option<Entry> {
    let idx = entries.partition_point(|e| e.tile_id <= tile_id);
    let e = *entries.get(idx.checked_sub(1)?)?;
    if e.run_length == 0 || tile_id - e.tile_id < u64::from(e.run_length) {
        Some(e)
    } else {
        None
    }
}

/// Leaf directories by `(offset, length)`, each with the tick of its last use.
#[derive(Default)]
struct LeafCache {
    tick: u64,
    map: HashMap<(u64, u32), CachedLeaf>,
}

type CachedLeaf = (Arc<[Entry]>, u64);

pub(crate) struct PmtilesReader {
    path: PathBuf,
    file: File,
    file_len: u64,
    header: Header,
    root: Arc<[Entry]>,
    leaves: Mutex<LeafCache>,
    info: ArchiveInfo,
    metadata: serde_json::Value,
}

impl PmtilesReader {
    pub(crate) fn open(path: &Path, facts: FileFacts) -> Result<PmtilesReader, TileError> {
        let file = File::open(path).map_err(|e| TileError::io(path, e))?;
        let corrupt = |d: &str| TileError::corrupt(path, d);
        if facts.size < HEADER_LEN as u64 {
            return Err(corrupt("the file is shorter than a PMTiles header (truncated)"));
        }
        let mut hb = [0u8; HEADER_LEN];
        read_exact_at(&file, &mut hb, 0).map_err(|e| TileError::io(path, e))?;
        if &hb[0..7] != b"PMTiles" {
            return Err(TileError::NotAnArchive { path: path.to_path_buf(), reason: "unknown file signature".into() });
        }
        // Some early v3 writers stored the version as the ASCII digit '3'
        // (0x33); other readers accept those files, so do we.
        if hb[7] != 3 && hb[7] != b'3' {
            return Err(TileError::UnsupportedVersion { path: path.to_path_buf(), version: hb[7] });
        }
        let header = Header::parse(&hb);

        let unsupported = |what: &'static str, c: Compression| TileError::UnsupportedCompression {
            path: path.to_path_buf(),
            what,
            compression: match c {
                Compression::Brotli => "brotli",
                Compression::Zstd => "zstd",
                _ => "an unknown",
            },
        };
        match header.internal_compression {
            Compression::None | Compression::Gzip | Compression::Unknown => {}
            c => return Err(unsupported("directories", c)),
        }
        if let Compression::Other(_) = header.tile_compression {
            return Err(unsupported("tiles", header.tile_compression));
        }

        let section_ok = |off: u64, len: u64| off.checked_add(len).is_some_and(|end| end <= facts.size);
        if !section_ok(header.root_offset, header.root_length) || header.root_length == 0 {
            return Err(corrupt("the root directory lies outside the file (truncated?)"));
        }
        if !section_ok(header.metadata_offset, header.metadata_length) {
            return Err(corrupt("the metadata lies outside the file (truncated?)"));
        }
        if !section_ok(header.leaf_offset, header.leaf_length) {
            return Err(corrupt("the leaf directories lie outside the file (truncated?)"));
        }
        if !section_ok(header.data_offset, header.data_length) {
            return Err(corrupt("the tile data lies outside the file (truncated?)"));
        }
        if header.min_zoom > header.max_zoom || header.max_zoom > MAX_ZOOM {
            return Err(corrupt("the zoom range in the header is invalid"));
        }

        let mut reader = PmtilesReader {
            path: path.to_path_buf(),
            file,
            file_len: facts.size,
            header: header.clone(),
            root: Arc::from(Vec::new()),
            leaves: Mutex::new(LeafCache::default()),
            info: ArchiveInfo {
                kind: ArchiveKind::Pmtiles,
                tile_type: TileType::Unknown,
                tile_encoding: header.tile_compression.http_name(),
                min_zoom: header.min_zoom,
                max_zoom: header.max_zoom,
                bounds: header.bounds,
                center: header.center,
                name: None,
                attribution: None,
                description: None,
                vector_layers: Vec::new(),
                built: None,
                modified_unix: facts.modified_unix,
                file_size: facts.size,
                tile_count: (header.addressed_tiles > 0).then_some(header.addressed_tiles),
                path: path.to_path_buf(),
            },
            metadata: serde_json::Value::Object(Default::default()),
        };
        reader.root = reader.load_directory(header.root_offset, header.root_length)?;

        if header.metadata_length > 0 {
            let raw = reader.read_section(header.metadata_offset, header.metadata_length, "metadata")?;
            match serde_json::from_slice::<serde_json::Value>(&raw) {
                Ok(v @ serde_json::Value::Object(_)) => reader.metadata = v,
                Ok(_) | Err(_) => {
                    tracing::warn!(path = %path.display(), "PMTiles metadata is not a JSON object; ignored");
                }
            }
        }
        let common = CommonMeta::from_json(&reader.metadata);
        reader.info.name = common.name;
        reader.info.attribution = common.attribution;
        reader.info.description = common.description;
        reader.info.vector_layers = common.vector_layers;
        reader.info.built = common.built;
        reader.info.tile_type = match header.tile_type {
            1 => TileType::Mvt,
            2 => TileType::Png,
            3 => TileType::Jpeg,
            4 => TileType::Webp,
            5 => TileType::Avif,
            _ => reader.sniff_type()?,
        };
        Ok(reader)
    }

    pub(crate) fn into_parts(self) -> Parts {
        let info = self.info.clone();
        let metadata = self.metadata.clone();
        (Reader::Pmtiles(self), info, metadata)
    }

    /// Tile type from the first stored tile, for archives whose header says "unknown".
    fn sniff_type(&self) -> Result<TileType, TileError> {
        let mut first = None;
        let mut dir = self.root.clone();
        for _ in 0..=MAX_DEPTH {
            match dir.first().copied() {
                Some(e) if e.run_length == 0 => dir = self.leaf(e)?,
                Some(e) => {
                    first = Some(e);
                    break;
                }
                None => break,
            }
        }
        let Some(e) = first else {
            return Ok(TileType::Unknown);
        };
        let data = self.read_tile_bytes(e)?;
        Ok(TileType::sniff(&data))
    }

    fn read_section(&self, offset: u64, length: u64, what: &str) -> Result<Vec<u8>, TileError> {
        if length > MAX_SECTION_BYTES {
            return Err(TileError::corrupt(&self.path, format!("the {what} is implausibly large")));
        }
        let mut buf = vec![0u8; usize::try_from(length).unwrap_or(0)];
        read_exact_at(&self.file, &mut buf, offset).map_err(|e| TileError::io(&self.path, e))?;
        let encoding = match self.header.internal_compression {
            Compression::Gzip => Some("gzip"),
            // "Unknown": trust the bytes.
            Compression::Unknown => sniff_encoding(&buf),
            _ => None,
        };
        match encoding {
            Some(enc) => decompress(enc, &buf, MAX_SECTION_BYTES as usize)
                .map_err(|e| TileError::corrupt(&self.path, format!("the {what} cannot be decompressed ({e})"))),
            None => Ok(buf),
        }
    }

    fn load_directory(&self, offset: u64, length: u64) -> Result<Arc<[Entry]>, TileError> {
        let raw = self.read_section(offset, length, "directory")?;
        parse_directory(&raw)
            .map(Arc::from)
            .map_err(|d| TileError::corrupt(&self.path, format!("bad directory at byte {offset}: {d}")))
    }

    fn leaf(&self, e: Entry) -> Result<Arc<[Entry]>, TileError> {
        let key = (e.offset, e.length);
        {
            let mut cache = self.leaves.lock().unwrap_or_else(|p| p.into_inner());
            cache.tick += 1;
            let tick = cache.tick;
            if let Some((dir, used)) = cache.map.get_mut(&key) {
                *used = tick;
                return Ok(dir.clone());
            }
        }
        if e.offset.checked_add(u64::from(e.length)).is_none_or(|end| end > self.header.leaf_length) {
            return Err(TileError::corrupt(&self.path, "a leaf directory lies outside the leaf section"));
        }
        let dir = self.load_directory(self.header.leaf_offset + e.offset, u64::from(e.length))?;
        let mut cache = self.leaves.lock().unwrap_or_else(|p| p.into_inner());
        if cache.map.len() >= LEAF_CACHE_CAPACITY {
            if let Some(oldest) = cache.map.iter().min_by_key(|(_, (_, used))| *used).map(|(k, _)| *k) {
                cache.map.remove(&oldest);
            }
        }
        let tick = cache.tick;
        cache.map.insert(key, (dir.clone(), tick));
        Ok(dir)
    }

    fn read_tile_bytes(&self, e: Entry) -> Result<Vec<u8>, TileError> {
        let start = self.header.data_offset.checked_add(e.offset);
        if start.and_then(|s| s.checked_add(u64::from(e.length))).is_none_or(|end| end > self.file_len) {
            return Err(TileError::corrupt(&self.path, "a tile lies outside the file (truncated?)"));
        }
        let mut buf = vec![0u8; e.length as usize];
        read_exact_at(&self.file, &mut buf, start.unwrap_or(0)).map_err(|err| TileError::io(&self.path, err))?;
        Ok(buf)
    }

    /// Stored bytes and the archive-declared encoding of the tile at `c`.
    pub(crate) fn tile(&self, c: TileCoord) -> Result<Option<StoredTile>, TileError> {
        let Some(id) = zxy_to_tile_id(c.z, c.x, c.y) else {
            return Ok(None);
        };
        let mut dir = self.root.clone();
        for _ in 0..=MAX_DEPTH {
            match find_entry(&dir, id) {
                None => return Ok(None),
                Some(e) if e.run_length == 0 => dir = self.leaf(e)?,
                Some(e) => {
                    let data = self.read_tile_bytes(e)?;
                    return Ok(Some((data, self.header.tile_compression.http_name())));
                }
            }
        }
        Err(TileError::corrupt(&self.path, "leaf directories are nested too deeply"))
    }

    pub(crate) fn for_each_coord(&self, f: &mut dyn FnMut(TileCoord)) -> Result<(), TileError> {
        self.walk(&self.root.clone(), 0, f)
    }

    fn walk(&self, dir: &[Entry], depth: usize, f: &mut dyn FnMut(TileCoord)) -> Result<(), TileError> {
        if depth > MAX_DEPTH {
            return Err(TileError::corrupt(&self.path, "leaf directories are nested too deeply"));
        }
        for e in dir {
            if e.run_length == 0 {
                let leaf = self.leaf(*e)?;
                self.walk(&leaf, depth + 1, f)?;
            } else {
                for id in e.tile_id..e.tile_id.saturating_add(u64::from(e.run_length)) {
                    let c = tile_id_to_zxy(id)
                        .ok_or_else(|| TileError::corrupt(&self.path, "a directory names a tile beyond zoom 31"))?;
                    f(c);
                }
            }
        }
        Ok(())
    }
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset) {
            Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(not(any(unix, windows)))]
compile_error!("yingji-tiles needs positional file reads (Unix or Windows)");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{overwrite, write_pmtiles, PmtSpec};
    use crate::{TileArchive, TileError};

    #[test]
    fn hilbert_ids_match_the_spec_vectors() {
        assert_eq!(zxy_to_tile_id(0, 0, 0), Some(0));
        assert_eq!(zxy_to_tile_id(1, 0, 0), Some(1));
        assert_eq!(zxy_to_tile_id(1, 0, 1), Some(2));
        assert_eq!(zxy_to_tile_id(1, 1, 1), Some(3));
        assert_eq!(zxy_to_tile_id(1, 1, 0), Some(4));
        assert_eq!(zxy_to_tile_id(2, 0, 0), Some(5));
        assert_eq!(zxy_to_tile_id(2, 1, 3), Some(11));
        assert_eq!(zxy_to_tile_id(3, 3, 0), Some(26));
        assert_eq!(zxy_to_tile_id(20, 0, 0), Some(366_503_875_925));
        assert_eq!(zxy_to_tile_id(28, 0, 0), Some(24_019_198_012_642_645));
        assert_eq!(zxy_to_tile_id(31, 0, 0), Some(1_537_228_672_809_129_301));
        let max = (1u32 << 31) - 1;
        assert_eq!(zxy_to_tile_id(31, max, max), Some(4_611_686_018_427_387_903));
        assert_eq!(zxy_to_tile_id(31, 0, max), Some(3_074_457_345_618_258_602));
        assert_eq!(zxy_to_tile_id(31, max, 0), Some(6_148_914_691_236_517_204));
        assert_eq!(zxy_to_tile_id(32, 0, 0), None);
        assert_eq!(zxy_to_tile_id(2, 4, 0), None);
    }

    #[test]
    fn hilbert_round_trip() {
        let mut next = 0u64;
        for z in 0..=6u8 {
            let n = 1u32 << z;
            let mut ids: Vec<u64> = Vec::new();
            for x in 0..n {
                for y in 0..n {
                    let id = zxy_to_tile_id(z, x, y).unwrap();
                    assert_eq!(tile_id_to_zxy(id), Some(TileCoord { z, x, y }));
                    ids.push(id);
                }
            }
            ids.sort_unstable();
            // Each zoom level fills exactly the next 4^z ids.
            assert_eq!(ids.first(), Some(&next));
            assert!(ids.windows(2).all(|w| w[1] == w[0] + 1));
            next += u64::from(n) * u64::from(n);
        }
        for (z, x, y) in [(14u8, 13_700, 6_700), (20, 876_543, 412_345), (31, 123_456_789, 2_000_000_000)] {
            let id = zxy_to_tile_id(z, x, y).unwrap();
            assert_eq!(tile_id_to_zxy(id), Some(TileCoord { z, x, y }));
        }
        assert_eq!(zxy_to_tile_id(31, (1 << 31) - 1, 0), Some(MAX_TILE_ID));
        assert!(tile_id_to_zxy(MAX_TILE_ID).is_some());
        assert_eq!(tile_id_to_zxy(MAX_TILE_ID + 1), None);
        assert_eq!(tile_id_to_zxy(u64::MAX), None);
    }

    #[test]
    fn directory_decoding_refuses_garbage() {
        assert!(parse_directory(&[]).is_err());
        // Claims 100 entries but has 2 bytes.
        assert!(parse_directory(&[100, 0]).is_err());
        // Varint that never ends.
        assert!(parse_directory(&[0xff; 20]).is_err());
        // One entry with offset 0 as first entry (invalid).
        assert!(parse_directory(&[1, 5, 1, 10, 0]).is_err());
        // One entry with zero length.
        assert!(parse_directory(&[1, 5, 1, 0, 1]).is_err());
        // Valid: one entry id 5, run 1, len 10, offset 0 (encoded 1).
        assert_eq!(
            parse_directory(&[1, 5, 1, 10, 1]).unwrap(),
            vec![Entry { tile_id: 5, offset: 0, length: 10, run_length: 1 }]
        );
        // A run past the last tile of zoom 31.
        let mut beyond = vec![1u8];
        let mut v = MAX_TILE_ID;
        while v >= 0x80 {
            beyond.push((v as u8) | 0x80);
            v >>= 7;
        }
        beyond.extend([v as u8, 2, 10, 1]);
        assert!(parse_directory(&beyond).is_err());
        let run_at = beyond.len() - 3;
        beyond[run_at] = 1; // a run of one: the very last tile is fine
        assert!(parse_directory(&beyond).is_ok());
        // Non-increasing ids.
        assert!(parse_directory(&[2, 5, 0, 1, 1, 10, 10, 1, 0]).is_err());
    }

    #[test]
    fn find_entry_respects_runs_and_leaves() {
        let dir = [
            Entry { tile_id: 0, offset: 0, length: 1, run_length: 1 },
            Entry { tile_id: 5, offset: 1, length: 1, run_length: 3 },
            Entry { tile_id: 20, offset: 0, length: 9, run_length: 0 },
        ];
        assert_eq!(find_entry(&dir, 0).map(|e| e.tile_id), Some(0));
        assert_eq!(find_entry(&dir, 1), None);
        assert_eq!(find_entry(&dir, 7).map(|e| e.tile_id), Some(5));
        assert_eq!(find_entry(&dir, 8), None);
        assert_eq!(find_entry(&dir, 1_000).map(|e| e.run_length), Some(0));
        assert_eq!(find_entry(&[], 3), None);
    }

    fn spec_with_tiles() -> PmtSpec {
        let mut spec = PmtSpec::vector();
        for z in 0..=4u8 {
            let n = 1u32 << z;
            for x in 0..n {
                for y in 0..n {
                    if (x + y) % 3 != 1 {
                        spec.tiles.push((TileCoord { z, x, y }, format!("tile {z}/{x}/{y}").into_bytes()));
                    }
                }
            }
        }
        spec
    }

    fn check_all(spec: &PmtSpec) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.pmtiles");
        std::fs::write(&path, write_pmtiles(spec)).unwrap();
        let a = TileArchive::open(&path).unwrap();
        for (c, data) in &spec.tiles {
            let t = a.tile(c.z, c.x, c.y).unwrap().unwrap_or_else(|| panic!("missing {c:?}"));
            let t = t.decompressed().unwrap();
            assert_eq!(&t.data, data, "{c:?}");
        }
        // Every absent coordinate stays absent.
        for z in 0..=4u8 {
            let n = 1u32 << z;
            for x in 0..n {
                for y in 0..n {
                    let present = spec.tiles.iter().any(|(c, _)| *c == TileCoord { z, x, y });
                    assert_eq!(a.tile(z, x, y).unwrap().is_some(), present, "{z}/{x}/{y}");
                }
            }
        }
        assert_eq!(a.tile(5, 0, 0).unwrap(), None);
        assert_eq!(a.tile(2, 9, 0).unwrap(), None);
        let mut seen = Vec::new();
        a.for_each_coord(|c| seen.push(c)).unwrap();
        seen.sort();
        let mut want: Vec<TileCoord> = spec.tiles.iter().map(|(c, _)| *c).collect();
        want.sort();
        assert_eq!(seen, want);
    }

    #[test]
    fn round_trip_root_only_uncompressed() {
        let mut spec = spec_with_tiles();
        spec.internal_gzip = false;
        check_all(&spec);
    }

    #[test]
    fn round_trip_gzip_directories_with_one_level_of_leaves() {
        let mut spec = spec_with_tiles();
        spec.leaf_levels = 1;
        spec.leaf_size = 7;
        check_all(&spec);
    }

    #[test]
    fn round_trip_two_levels_of_leaves() {
        let mut spec = spec_with_tiles();
        spec.leaf_levels = 2;
        spec.leaf_size = 3;
        check_all(&spec);
    }

    #[test]
    fn run_lengths_and_shared_contents() {
        let mut spec = PmtSpec::vector();
        // A whole zoom level of identical "ocean" tiles (one run after sorting by id),
        // plus one different tile, plus repeats of the first content elsewhere.
        for x in 0..8u32 {
            for y in 0..8u32 {
                let data = if (x, y) == (3, 3) { b"island".to_vec() } else { b"ocean".to_vec() };
                spec.tiles.push((TileCoord { z: 3, x, y }, data));
            }
        }
        spec.tiles.push((TileCoord { z: 1, x: 0, y: 0 }, b"ocean".to_vec()));
        check_all_at_zoom3(&spec);
        let bytes = write_pmtiles(&spec);
        // 65 tiles but content stored twice only: the file stays small.
        assert!(bytes.len() < 1_000, "{}", bytes.len());
    }

    fn check_all_at_zoom3(spec: &PmtSpec) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.pmtiles");
        std::fs::write(&path, write_pmtiles(spec)).unwrap();
        let a = TileArchive::open(&path).unwrap();
        for (c, data) in &spec.tiles {
            assert_eq!(&a.tile(c.z, c.x, c.y).unwrap().unwrap().data, data);
        }
        assert_eq!(a.tile(1, 1, 1).unwrap(), None);
        let mut count = 0;
        a.for_each_coord(|_| count += 1).unwrap();
        assert_eq!(count, 65);
    }

    #[test]
    fn gzip_tiles_are_reported_and_decompressible() {
        let mut spec = spec_with_tiles();
        spec.tile_gzip = true;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.pmtiles");
        std::fs::write(&path, write_pmtiles(&spec)).unwrap();
        let a = TileArchive::open(&path).unwrap();
        assert_eq!(a.info().tile_encoding, Some("gzip"));
        let t = a.tile(2, 1, 2).unwrap().unwrap();
        assert_eq!(t.content_encoding, Some("gzip"));
        assert_eq!(t.content_type, "application/x-protobuf");
        assert_eq!(t.decompressed().unwrap().data, b"tile 2/1/2");
    }

    #[test]
    fn info_comes_from_header_and_metadata() {
        let mut spec = spec_with_tiles();
        spec.metadata = serde_json::json!({
            "name": "江苏省底图",
            "attribution": "© OpenStreetMap contributors",
            "vector_layers": [{"id": "roads"}, {"id": "water"}],
            "planetiler:osm:osmosisreplicationtime": "2026-01-01T00:00:00Z"
        })
        .to_string();
        spec.bounds = [116.36, 30.75, 121.97, 35.13];
        spec.center = [118.78, 32.04, 4.0];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("info.pmtiles");
        let bytes = write_pmtiles(&spec);
        std::fs::write(&path, &bytes).unwrap();
        let a = TileArchive::open(&path).unwrap();
        let i = a.info();
        assert_eq!(i.kind, ArchiveKind::Pmtiles);
        assert_eq!(i.tile_type, TileType::Mvt);
        assert_eq!((i.min_zoom, i.max_zoom), (0, 4));
        for (got, want) in i.bounds.iter().zip(spec.bounds) {
            assert!((got - want).abs() < 1e-6, "{got} vs {want}");
        }
        assert!((i.center[0] - 118.78).abs() < 1e-6 && (i.center[1] - 32.04).abs() < 1e-6);
        assert_eq!(i.center[2], 4.0);
        assert_eq!(i.name.as_deref(), Some("江苏省底图"));
        assert_eq!(i.attribution.as_deref(), Some("© OpenStreetMap contributors"));
        assert_eq!(i.vector_layers, vec!["roads".to_string(), "water".to_string()]);
        assert_eq!(i.built.as_deref(), Some("2026-01-01T00:00:00Z"));
        assert_eq!(i.file_size, bytes.len() as u64);
        assert_eq!(i.tile_count, Some(spec.tiles.len() as u64));
        assert!(i.modified_unix.is_some());
        assert_eq!(a.metadata()["vector_layers"][0]["id"], "roads");
    }

    #[test]
    fn unknown_tile_type_is_sniffed() {
        let mut spec = PmtSpec::vector();
        spec.tile_type = 0;
        spec.tiles.push((TileCoord { z: 0, x: 0, y: 0 }, b"\x89PNG\r\n\x1a\nrest".to_vec()));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("u.pmtiles");
        std::fs::write(&path, write_pmtiles(&spec)).unwrap();
        assert_eq!(TileArchive::open(&path).unwrap().info().tile_type, TileType::Png);
    }

    fn open_bytes(bytes: &[u8]) -> Result<TileArchive, TileError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.pmtiles");
        std::fs::write(&path, bytes).unwrap();
        TileArchive::open(&path)
    }

    #[test]
    fn wrong_version_and_compression_are_named() {
        let good = write_pmtiles(&spec_with_tiles());
        let mut v4 = good.clone();
        v4[7] = 4;
        assert!(matches!(open_bytes(&v4), Err(TileError::UnsupportedVersion { version: 4, .. })));
        let mut ascii3 = good.clone();
        ascii3[7] = b'3';
        assert!(open_bytes(&ascii3).is_ok(), "early writers' ASCII '3' version byte");
        let mut brotli = good.clone();
        brotli[97] = 3;
        let err = open_bytes(&brotli).unwrap_err();
        assert!(matches!(err, TileError::UnsupportedCompression { compression: "brotli", .. }), "{err}");
        let mut zoom = good.clone();
        zoom[100] = 9; // min zoom above max zoom
        assert!(matches!(open_bytes(&zoom), Err(TileError::Corrupt { .. })));
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let mut spec = spec_with_tiles();
        spec.leaf_levels = 1;
        spec.leaf_size = 5;
        let good = write_pmtiles(&spec);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.pmtiles");
        // Every cut inside the header, directories and metadata; every 7th byte in the tile data.
        let data_offset = u64::from_le_bytes(good[56..64].try_into().unwrap()) as usize;
        let lengths = (0..data_offset + 16).chain((data_offset + 16..good.len()).step_by(7));
        for len in lengths {
            overwrite(&path, &good[..len]);
            match TileArchive::open(&path) {
                Err(TileError::Corrupt { .. } | TileError::EmptyFile { .. }) => {}
                Err(other) => panic!("len {len}: unexpected error {other}"),
                // The header and root survive: tiles past the cut must fail cleanly.
                Ok(a) => {
                    let mut failures = 0;
                    for (c, _) in &spec.tiles {
                        match a.tile(c.z, c.x, c.y) {
                            Ok(_) => {}
                            Err(TileError::Corrupt { .. }) => failures += 1,
                            Err(other) => panic!("len {len}: unexpected error {other}"),
                        }
                    }
                    assert!(failures > 0, "len {len}: truncation went unnoticed");
                }
            }
        }
    }

    #[test]
    fn random_corruption_never_panics() {
        let mut spec = spec_with_tiles();
        spec.leaf_levels = 1;
        spec.leaf_size = 6;
        let good = write_pmtiles(&spec);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.pmtiles");
        let mut state = 0x1234_5678_9abc_def0u64;
        let mut rand = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..300 {
            let mut bytes = good.clone();
            for _ in 0..(1 + rand() % 8) {
                let at = (rand() % bytes.len() as u64) as usize;
                bytes[at] = rand() as u8;
            }
            overwrite(&path, &bytes);
            if let Ok(a) = TileArchive::open(&path) {
                for (c, _) in &spec.tiles {
                    if let Ok(Some(t)) = a.tile(c.z, c.x, c.y) {
                        let _ = t.decompressed();
                    }
                }
                let _ = a.sample_coords(10, 1);
            }
        }
    }

    #[test]
    fn concurrent_reads_share_one_archive() {
        let mut spec = spec_with_tiles();
        spec.leaf_levels = 1;
        spec.leaf_size = 4;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.pmtiles");
        std::fs::write(&path, write_pmtiles(&spec)).unwrap();
        let a = std::sync::Arc::new(TileArchive::open(&path).unwrap());
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let a = a.clone();
                let tiles = spec.tiles.clone();
                std::thread::spawn(move || {
                    for (i, (c, data)) in tiles.iter().enumerate().cycle().skip(t * 17).take(400) {
                        let got = a.tile(c.z, c.x, c.y).unwrap().unwrap();
                        assert_eq!(&got.data, data, "{i}");
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    }

    #[test]
    fn sampling_is_deterministic_and_hits_real_tiles() {
        let spec = spec_with_tiles();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.pmtiles");
        std::fs::write(&path, write_pmtiles(&spec)).unwrap();
        let a = TileArchive::open(&path).unwrap();
        let s1 = a.sample_coords(20, 7).unwrap();
        assert_eq!(s1, a.sample_coords(20, 7).unwrap());
        assert_ne!(s1, a.sample_coords(20, 8).unwrap());
        assert_eq!(s1.len(), 20);
        for c in &s1 {
            assert!(a.tile(c.z, c.x, c.y).unwrap().is_some());
        }
        assert_eq!(a.sample_coords(10_000, 1).unwrap().len(), spec.tiles.len());
        assert!(a.sample_coords(0, 1).unwrap().is_empty());
    }
}
