//! Test-only writers: a tiny PMTiles v3 writer and an MBTiles builder.
//!
//! The PMTiles writer follows the spec's layout (header, root directory,
//! metadata, leaf directories, tile data), merges consecutive identical tiles
//! into runs, stores identical contents once and can nest leaf directories.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::Path;

use crate::archive::TileCoord;
use crate::pmtiles::{zxy_to_tile_id, Entry, HEADER_LEN};

#[derive(Clone)]
pub(crate) struct PmtSpec {
    pub tiles: Vec<(TileCoord, Vec<u8>)>,
    /// Header tile type byte: 1 = MVT, 2 = PNG, 0 = unknown.
    pub tile_type: u8,
    pub internal_gzip: bool,
    pub tile_gzip: bool,
    /// How many times to push the entries down into leaf directories.
    pub leaf_levels: u8,
    pub leaf_size: usize,
    pub metadata: String,
    pub bounds: [f64; 4],
    pub center: [f64; 3],
}

impl PmtSpec {
    pub fn vector() -> PmtSpec {
        PmtSpec {
            tiles: Vec::new(),
            tile_type: 1,
            internal_gzip: true,
            tile_gzip: false,
            leaf_levels: 0,
            leaf_size: 1000,
            metadata: r#"{"name":"test"}"#.into(),
            bounds: [116.0, 30.0, 122.0, 35.0],
            center: [119.0, 32.5, 2.0],
        }
    }
}

/// Replaces a file's contents in place (write at 0, then set the length).
///
/// Much faster than `fs::write` for the many-variants tests: truncating a
/// file to zero and rewriting it makes ext4 flush the data each time.
pub(crate) fn overwrite(path: &Path, bytes: &[u8]) {
    let f = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(path).unwrap();
    let mut w = &f;
    w.write_all(bytes).unwrap();
    f.set_len(bytes.len() as u64).unwrap();
}

pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn encode_dir(entries: &[Entry], compress: bool) -> Vec<u8> {
    let mut out = Vec::new();
    varint(&mut out, entries.len() as u64);
    let mut last = 0;
    for e in entries {
        varint(&mut out, e.tile_id - last);
        last = e.tile_id;
    }
    for e in entries {
        varint(&mut out, u64::from(e.run_length));
    }
    for e in entries {
        varint(&mut out, u64::from(e.length));
    }
    for (i, e) in entries.iter().enumerate() {
        let follows = i > 0 && e.offset == entries[i - 1].offset + u64::from(entries[i - 1].length);
        varint(&mut out, if follows { 0 } else { e.offset + 1 });
    }
    if compress {
        gzip(&out)
    } else {
        out
    }
}

fn e7(v: f64) -> [u8; 4] {
    ((v * 10_000_000.0).round() as i32).to_le_bytes()
}

pub(crate) fn write_pmtiles(spec: &PmtSpec) -> Vec<u8> {
    let mut tiles: Vec<(u64, Vec<u8>)> = spec
        .tiles
        .iter()
        .map(|(c, d)| {
            let id = zxy_to_tile_id(c.z, c.x, c.y).unwrap();
            (id, if spec.tile_gzip { gzip(d) } else { d.clone() })
        })
        .collect();
    tiles.sort_by_key(|t| t.0);

    let mut data = Vec::new();
    let mut stored: HashMap<Vec<u8>, u64> = HashMap::new();
    let mut entries: Vec<Entry> = Vec::new();
    for (id, bytes) in tiles {
        let known = stored.get(&bytes).copied();
        if let (Some(last), Some(off)) = (entries.last_mut(), known) {
            if last.tile_id + u64::from(last.run_length) == id && last.offset == off {
                last.run_length += 1;
                continue;
            }
        }
        let offset = *stored.entry(bytes.clone()).or_insert_with(|| {
            let o = data.len() as u64;
            data.extend_from_slice(&bytes);
            o
        });
        entries.push(Entry { tile_id: id, offset, length: bytes.len() as u32, run_length: 1 });
    }
    let addressed: u64 = entries.iter().map(|e| u64::from(e.run_length)).sum();
    let tile_entries = entries.len() as u64;

    let mut leaves = Vec::new();
    let mut root_entries = entries;
    for _ in 0..spec.leaf_levels {
        root_entries = root_entries
            .chunks(spec.leaf_size.max(1))
            .map(|chunk| {
                let bytes = encode_dir(chunk, spec.internal_gzip);
                let e = Entry {
                    tile_id: chunk[0].tile_id,
                    offset: leaves.len() as u64,
                    length: bytes.len() as u32,
                    run_length: 0,
                };
                leaves.extend_from_slice(&bytes);
                e
            })
            .collect();
    }
    let root = encode_dir(&root_entries, spec.internal_gzip);
    let metadata = if spec.internal_gzip { gzip(spec.metadata.as_bytes()) } else { spec.metadata.as_bytes().to_vec() };

    let root_offset = HEADER_LEN as u64;
    let metadata_offset = root_offset + root.len() as u64;
    let leaf_offset = metadata_offset + metadata.len() as u64;
    let data_offset = leaf_offset + leaves.len() as u64;
    let min_zoom = spec.tiles.iter().map(|t| t.0.z).min().unwrap_or(0);
    let max_zoom = spec.tiles.iter().map(|t| t.0.z).max().unwrap_or(0);

    let mut h = Vec::with_capacity(HEADER_LEN);
    h.extend_from_slice(b"PMTiles\x03");
    for v in [
        root_offset,
        root.len() as u64,
        metadata_offset,
        metadata.len() as u64,
        leaf_offset,
        leaves.len() as u64,
        data_offset,
        data.len() as u64,
        addressed,
        tile_entries,
        stored.len() as u64,
    ] {
        h.extend_from_slice(&v.to_le_bytes());
    }
    h.push(1); // clustered
    h.push(if spec.internal_gzip { 2 } else { 1 });
    h.push(if spec.tile_gzip { 2 } else { 1 });
    h.push(spec.tile_type);
    h.push(min_zoom);
    h.push(max_zoom);
    for v in spec.bounds {
        h.extend_from_slice(&e7(v));
    }
    h.push(spec.center[2] as u8);
    h.extend_from_slice(&e7(spec.center[0]));
    h.extend_from_slice(&e7(spec.center[1]));
    assert_eq!(h.len(), HEADER_LEN);

    let mut out = h;
    out.extend_from_slice(&root);
    out.extend_from_slice(&metadata);
    out.extend_from_slice(&leaves);
    out.extend_from_slice(&data);
    out
}

#[derive(Clone)]
pub(crate) struct MbtSpec {
    pub meta: Vec<(String, String)>,
    pub tiles: Vec<(TileCoord, Vec<u8>)>,
    /// Use the deduplicated `map` + `images` tables behind a `tiles` view.
    pub dedup_view: bool,
}

impl MbtSpec {
    pub fn vector() -> MbtSpec {
        MbtSpec {
            meta: vec![
                ("name".into(), "test".into()),
                ("format".into(), "pbf".into()),
                ("minzoom".into(), "0".into()),
                ("maxzoom".into(), "4".into()),
            ],
            tiles: Vec::new(),
            dedup_view: false,
        }
    }
}

/// Writes `spec` as an MBTiles file (XYZ coordinates are flipped to TMS rows).
pub(crate) fn write_mbtiles(path: &Path, spec: &MbtSpec) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("CREATE TABLE metadata (name TEXT, value TEXT);").unwrap();
    if spec.dedup_view {
        conn.execute_batch(
            "CREATE TABLE map (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_id TEXT);
             CREATE UNIQUE INDEX map_index ON map (zoom_level, tile_column, tile_row);
             CREATE TABLE images (tile_data BLOB, tile_id TEXT);
             CREATE UNIQUE INDEX images_id ON images (tile_id);
             CREATE VIEW tiles AS
               SELECT map.zoom_level AS zoom_level, map.tile_column AS tile_column,
                      map.tile_row AS tile_row, images.tile_data AS tile_data
               FROM map JOIN images ON images.tile_id = map.tile_id;",
        )
        .unwrap();
    } else {
        conn.execute_batch(
            "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
             CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);",
        )
        .unwrap();
    }
    conn.execute_batch("BEGIN").unwrap();
    for (k, v) in &spec.meta {
        conn.execute("INSERT INTO metadata (name, value) VALUES (?1, ?2)", (k, v)).unwrap();
    }
    for (c, data) in &spec.tiles {
        let row = (1i64 << c.z) - 1 - i64::from(c.y);
        if spec.dedup_view {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            data.hash(&mut hasher);
            let id = format!("{:016x}", hasher.finish());
            conn.execute("INSERT OR IGNORE INTO images (tile_data, tile_id) VALUES (?1, ?2)", (data, &id)).unwrap();
            conn.execute(
                "INSERT INTO map (zoom_level, tile_column, tile_row, tile_id) VALUES (?1, ?2, ?3, ?4)",
                (c.z, c.x, row, &id),
            )
            .unwrap();
        } else {
            conn.execute(
                "INSERT INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?1, ?2, ?3, ?4)",
                (c.z, c.x, row, data),
            )
            .unwrap();
        }
    }
    conn.execute_batch("COMMIT").unwrap();
}
