//! MBTiles reader on `rusqlite` (the workspace's bundled SQLite).
//!
//! MBTiles 1.3: a `metadata(name, value)` table and a `tiles(zoom_level,
//! tile_column, tile_row, tile_data)` table or view, rows in the TMS scheme
//! (`tile_row = 2^z − 1 − y`). Deduplicated layouts (`map` + `images` tables
//! behind a `tiles` view) work too because only the `tiles` name is queried.
//!
//! Connections are opened read-only and pooled: a `rusqlite::Connection` is
//! `Send` but not `Sync`, so each reader takes one from the pool for the
//! duration of a query and puts it back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::archive::{
    ArchiveInfo, ArchiveKind, CommonMeta, FileFacts, Parts, Reader, StoredTile, TileCoord, TileType, WORLD_BOUNDS,
};
use crate::error::TileError;

/// Idle connections kept for reuse; more may be open briefly under load.
const POOL_SIZE: usize = 8;

const TILE_SQL: &str = "SELECT tile_data FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3";

pub(crate) struct MbtilesReader {
    path: PathBuf,
    pool: Mutex<Vec<Connection>>,
    info: ArchiveInfo,
    metadata: serde_json::Value,
}

fn open_connection(path: &Path) -> Result<Connection, TileError> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| TileError::sqlite(path, e))?;
    // Archives are read-only; a writer elsewhere (a half-finished import) must not block us long.
    conn.busy_timeout(std::time::Duration::from_millis(500)).map_err(|e| TileError::sqlite(path, e))?;
    Ok(conn)
}

fn value_text(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(r) => Some(r.to_string()),
        ValueRef::Null => None,
    }
}

/// Prepare-time "no such column" (reported as `SqliteFailure` or `SqlInputError`
/// depending on the SQLite build).
fn is_missing_column(e: &rusqlite::Error) -> bool {
    e.to_string().contains("no such column")
}

fn parse_floats(s: &str) -> Vec<f64> {
    s.split(',').filter_map(|p| p.trim().parse::<f64>().ok()).filter(|f| f.is_finite()).collect()
}

impl MbtilesReader {
    pub(crate) fn open(path: &Path, facts: FileFacts) -> Result<MbtilesReader, TileError> {
        let conn = open_connection(path)?;
        let sql = |e| TileError::sqlite(path, e);
        let not_mbtiles = |detail: &str| TileError::NotMbtiles { path: path.to_path_buf(), detail: detail.into() };

        // Reading the schema is the first real access: garbage after a valid
        // SQLite header fails here.
        let mut objects: Vec<String> = Vec::new();
        {
            let mut st = conn
                .prepare(
                    "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name IN ('tiles', 'metadata')",
                )
                .map_err(sql)?;
            let rows = st.query_map([], |r| r.get::<_, String>(0)).map_err(sql)?;
            for r in rows {
                objects.push(r.map_err(sql)?);
            }
        }
        if !objects.iter().any(|o| o == "tiles") {
            return Err(not_mbtiles("it has no `tiles` table"));
        }
        if let Err(e) = conn.prepare(TILE_SQL) {
            return Err(if is_missing_column(&e) {
                not_mbtiles(&format!("its `tiles` table lacks a column ({e})"))
            } else {
                sql(e)
            });
        }

        let mut meta: BTreeMap<String, String> = BTreeMap::new();
        if objects.iter().any(|o| o == "metadata") {
            let mut st = conn.prepare("SELECT name, value FROM metadata").map_err(|e| {
                if is_missing_column(&e) {
                    not_mbtiles("its `metadata` table lacks the `name`/`value` columns")
                } else {
                    sql(e)
                }
            })?;
            let mut rows = st.query([]).map_err(sql)?;
            while let Some(row) = rows.next().map_err(sql)? {
                let (Ok(k), Ok(v)) = (row.get_ref(0), row.get_ref(1)) else {
                    continue;
                };
                if let (Some(k), Some(v)) = (value_text(k), value_text(v)) {
                    meta.insert(k, v);
                }
            }
        }

        // Metadata as one JSON object; the MBTiles `json` row (vector_layers, …) is merged in.
        let mut json = serde_json::Map::new();
        for (k, v) in &meta {
            if k != "json" {
                json.insert(k.clone(), serde_json::Value::String(v.clone()));
            }
        }
        if let Some(extra) = meta.get("json") {
            match serde_json::from_str::<serde_json::Value>(extra) {
                Ok(serde_json::Value::Object(o)) => json.extend(o),
                _ => tracing::warn!(path = %path.display(), "MBTiles `json` metadata is not a JSON object; ignored"),
            }
        }
        let metadata = serde_json::Value::Object(json);
        let common = CommonMeta::from_json(&metadata);

        let zoom_meta = |k: &str| meta.get(k).and_then(|v| v.trim().parse::<u8>().ok()).filter(|z| *z <= 31);
        let (mut min_zoom, mut max_zoom) = (zoom_meta("minzoom"), zoom_meta("maxzoom"));
        if min_zoom.is_none() || max_zoom.is_none() {
            let (lo, hi): (Option<i64>, Option<i64>) = conn
                .query_row("SELECT min(zoom_level), max(zoom_level) FROM tiles", [], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(sql)?;
            let clamp = |z: Option<i64>| z.and_then(|z| u8::try_from(z.clamp(0, 31)).ok());
            min_zoom = min_zoom.or(clamp(lo));
            max_zoom = max_zoom.or(clamp(hi));
        }
        let min_zoom = min_zoom.unwrap_or(0);
        let max_zoom = max_zoom.unwrap_or(min_zoom).max(min_zoom);

        let tile_type = match meta.get("format").and_then(|f| TileType::from_mbtiles_format(f)) {
            Some(t) => t,
            None => {
                let first: Option<Vec<u8>> = conn
                    .query_row("SELECT tile_data FROM tiles WHERE tile_data IS NOT NULL LIMIT 1", [], |r| r.get(0))
                    .optional()
                    .map_err(sql)?;
                first.map_or(TileType::Unknown, |d| TileType::sniff(&d))
            }
        };

        let bounds = match meta.get("bounds").map(|b| parse_floats(b)).as_deref() {
            Some(&[w, s, e, n]) if w < e && s < n => [w, s, e, n],
            _ => WORLD_BOUNDS,
        };
        let center = match meta.get("center").map(|c| parse_floats(c)).as_deref() {
            Some(&[lon, lat, z]) => [lon, lat, z],
            Some(&[lon, lat]) => [lon, lat, f64::from(min_zoom)],
            _ => [(bounds[0] + bounds[2]) / 2.0, (bounds[1] + bounds[3]) / 2.0, f64::from(min_zoom)],
        };

        let info = ArchiveInfo {
            kind: ArchiveKind::Mbtiles,
            tile_type,
            tile_encoding: None,
            min_zoom,
            max_zoom,
            bounds,
            center,
            name: common.name,
            attribution: common.attribution,
            description: common.description,
            vector_layers: common.vector_layers,
            built: common.built,
            modified_unix: facts.modified_unix,
            file_size: facts.size,
            tile_count: None,
            path: path.to_path_buf(),
        };
        Ok(MbtilesReader { path: path.to_path_buf(), pool: Mutex::new(vec![conn]), info, metadata })
    }

    pub(crate) fn into_parts(self) -> Parts {
        let info = self.info.clone();
        let metadata = self.metadata.clone();
        (Reader::Mbtiles(self), info, metadata)
    }

    /// Runs `f` with a pooled connection.
    fn with_conn<T>(&self, f: impl FnOnce(&Connection) -> Result<T, TileError>) -> Result<T, TileError> {
        let pooled = self.pool.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match pooled {
            Some(c) => c,
            None => open_connection(&self.path)?,
        };
        let result = f(&conn);
        let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        if pool.len() < POOL_SIZE {
            pool.push(conn);
        }
        result
    }

    pub(crate) fn tile(&self, c: TileCoord) -> Result<Option<StoredTile>, TileError> {
        let tms_row = (1u64 << c.z) - 1 - u64::from(c.y);
        self.with_conn(|conn| {
            let sql = |e| TileError::sqlite(&self.path, e);
            let mut st = conn.prepare_cached(TILE_SQL).map_err(sql)?;
            let data: Option<Option<Vec<u8>>> = st
                .query_row(rusqlite::params![i64::from(c.z), i64::from(c.x), tms_row as i64], |r| r.get(0))
                .optional()
                .map_err(sql)?;
            Ok(data.flatten().map(|d| (d, None)))
        })
    }

    pub(crate) fn for_each_coord(&self, f: &mut dyn FnMut(TileCoord)) -> Result<(), TileError> {
        self.with_conn(|conn| {
            let sql = |e| TileError::sqlite(&self.path, e);
            let mut st = conn
                .prepare("SELECT zoom_level, tile_column, tile_row FROM tiles WHERE tile_data IS NOT NULL")
                .map_err(sql)?;
            let mut rows = st.query([]).map_err(sql)?;
            while let Some(row) = rows.next().map_err(sql)? {
                let (Ok(z), Ok(x), Ok(row_tms)) = (row.get::<_, i64>(0), row.get::<_, i64>(1), row.get::<_, i64>(2))
                else {
                    continue;
                };
                let (Ok(z), Ok(x), Ok(row_tms)) = (u8::try_from(z), u32::try_from(x), u32::try_from(row_tms)) else {
                    continue;
                };
                if z > 31 || u64::from(row_tms) >= 1u64 << z {
                    continue;
                }
                let y = ((1u64 << z) - 1 - u64::from(row_tms)) as u32;
                if let Some(c) = TileCoord::new(z, x, y) {
                    f(c);
                }
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{write_mbtiles, MbtSpec};
    use crate::{TileArchive, TileError};
    use std::io::Write;

    fn sample() -> MbtSpec {
        let mut spec = MbtSpec::vector();
        spec.meta = vec![
            ("name".into(), "县级详图".into()),
            ("format".into(), "pbf".into()),
            ("bounds".into(), "118.5,31.9,119.1,32.3".into()),
            ("center".into(), "118.8,32.05,12".into()),
            ("minzoom".into(), "2".into()),
            ("maxzoom".into(), "14".into()),
            ("attribution".into(), "© 县自然资源局".into()),
            ("json".into(), r#"{"vector_layers":[{"id":"roads"},{"id":"buildings"}]}"#.into()),
        ];
        spec.tiles = vec![
            (TileCoord { z: 2, x: 3, y: 1 }, b"z2".to_vec()),
            (TileCoord { z: 14, x: 13_700, y: 6_700 }, b"deep".to_vec()),
            (TileCoord { z: 3, x: 0, y: 0 }, b"north-west".to_vec()),
        ];
        spec
    }

    #[test]
    fn round_trip_with_tms_flip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.mbtiles");
        let spec = sample();
        write_mbtiles(&path, &spec);
        let a = TileArchive::open(&path).unwrap();
        for (c, data) in &spec.tiles {
            assert_eq!(&a.tile(c.z, c.x, c.y).unwrap().unwrap().data, data);
        }
        // The y-flip: the z3 tile is stored at TMS row 7; asking XYZ y=7 finds nothing.
        assert_eq!(a.tile(3, 0, 7).unwrap(), None);
        let conn = Connection::open(&path).unwrap();
        let row: i64 = conn.query_row("SELECT tile_row FROM tiles WHERE zoom_level = 3", [], |r| r.get(0)).unwrap();
        assert_eq!(row, 7);
        // Missing and impossible tiles.
        assert_eq!(a.tile(2, 0, 0).unwrap(), None);
        assert_eq!(a.tile(2, 4, 0).unwrap(), None);
        assert_eq!(a.tile(40, 0, 0).unwrap(), None);
    }

    #[test]
    fn info_from_metadata() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("i.mbtiles");
        write_mbtiles(&path, &sample());
        let a = TileArchive::open(&path).unwrap();
        let i = a.info();
        assert_eq!(i.kind, ArchiveKind::Mbtiles);
        assert_eq!(i.tile_type, TileType::Mvt);
        assert_eq!((i.min_zoom, i.max_zoom), (2, 14));
        assert_eq!(i.bounds, [118.5, 31.9, 119.1, 32.3]);
        assert_eq!(i.center, [118.8, 32.05, 12.0]);
        assert_eq!(i.name.as_deref(), Some("县级详图"));
        assert_eq!(i.attribution.as_deref(), Some("© 县自然资源局"));
        assert_eq!(i.vector_layers, vec!["roads".to_string(), "buildings".to_string()]);
        assert_eq!(i.file_size, std::fs::metadata(&path).unwrap().len());
        assert_eq!(a.metadata()["format"], "pbf");
    }

    #[test]
    fn info_derived_without_metadata() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bare.mbtiles");
        let mut spec = sample();
        spec.meta.clear();
        spec.tiles = vec![
            (TileCoord { z: 5, x: 1, y: 1 }, b"\x89PNG\r\n\x1a\nabc".to_vec()),
            (TileCoord { z: 9, x: 1, y: 1 }, b"\x89PNG\r\n\x1a\ndef".to_vec()),
        ];
        write_mbtiles(&path, &spec);
        let a = TileArchive::open(&path).unwrap();
        let i = a.info();
        assert_eq!((i.min_zoom, i.max_zoom), (5, 9));
        assert_eq!(i.tile_type, TileType::Png);
        assert_eq!(i.bounds, WORLD_BOUNDS);
        let t = a.tile(5, 1, 1).unwrap().unwrap();
        assert_eq!(t.content_type, "image/png");
        assert_eq!(t.content_encoding, None);
    }

    #[test]
    fn gzipped_vector_tiles_are_detected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gz.mbtiles");
        let mut spec = sample();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"\x1a\x02hi").unwrap();
        spec.tiles = vec![(TileCoord { z: 2, x: 1, y: 1 }, gz.finish().unwrap())];
        write_mbtiles(&path, &spec);
        let a = TileArchive::open(&path).unwrap();
        let t = a.tile(2, 1, 1).unwrap().unwrap();
        assert_eq!(t.content_encoding, Some("gzip"));
        assert_eq!(t.decompressed().unwrap().data, b"\x1a\x02hi");
    }

    #[test]
    fn deduplicated_view_layout_works() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dedup.mbtiles");
        let mut spec = sample();
        spec.dedup_view = true;
        spec.tiles.push((TileCoord { z: 3, x: 1, y: 0 }, b"north-west".to_vec()));
        write_mbtiles(&path, &spec);
        let a = TileArchive::open(&path).unwrap();
        for (c, data) in &spec.tiles {
            assert_eq!(&a.tile(c.z, c.x, c.y).unwrap().unwrap().data, data);
        }
        let mut n = 0;
        a.for_each_coord(|_| n += 1).unwrap();
        assert_eq!(n, spec.tiles.len());
    }

    #[test]
    fn empty_blob_is_no_tile() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.mbtiles");
        let mut spec = sample();
        spec.tiles.push((TileCoord { z: 4, x: 4, y: 4 }, Vec::new()));
        write_mbtiles(&path, &spec);
        assert_eq!(TileArchive::open(&path).unwrap().tile(4, 4, 4).unwrap(), None);
    }

    #[test]
    fn sqlite_without_tiles_is_not_mbtiles() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE incidents(id INTEGER PRIMARY KEY, name TEXT);").unwrap();
        drop(conn);
        let err = TileArchive::open(&path).unwrap_err();
        assert!(matches!(err, TileError::NotMbtiles { .. }), "{err}");
        assert!(err.to_string().contains("tiles"));

        let path2 = dir.path().join("wrong_columns.mbtiles");
        let conn = Connection::open(&path2).unwrap();
        conn.execute_batch("CREATE TABLE tiles(z INTEGER, x INTEGER, y INTEGER, data BLOB);").unwrap();
        drop(conn);
        assert!(matches!(TileArchive::open(&path2), Err(TileError::NotMbtiles { .. })));
    }

    #[test]
    fn garbage_after_sqlite_header_is_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.mbtiles");
        let mut bytes = b"SQLite format 3\0".to_vec();
        bytes.extend((0..8192u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
        std::fs::write(&path, &bytes).unwrap();
        let err = TileArchive::open(&path).unwrap_err();
        assert!(matches!(err, TileError::Corrupt { .. } | TileError::Sqlite { .. }), "{err}");
    }

    #[test]
    fn truncated_mbtiles_fail_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let good_path = dir.path().join("good.mbtiles");
        let mut spec = sample();
        for i in 0..200u32 {
            spec.tiles.push((TileCoord { z: 10, x: i, y: i }, vec![i as u8; 300]));
        }
        write_mbtiles(&good_path, &spec);
        let good = std::fs::read(&good_path).unwrap();
        let path = dir.path().join("cut.mbtiles");
        let mut lengths: Vec<usize> =
            std::iter::successors(Some(1usize), |l| Some(l * 3 / 2 + 1)).take_while(|l| *l < good.len()).collect();
        // Losing only the last pages: the schema still opens, some tiles cannot be read.
        lengths.extend([good.len() - 4096, good.len() - 1024, good.len() - 1]);
        let mut tile_errors = 0;
        for len in lengths {
            crate::testutil::overwrite(&path, &good[..len]);
            match TileArchive::open(&path) {
                Err(TileError::Corrupt { .. }) => {}
                Err(other) => panic!("len {len}: unexpected {other}"),
                Ok(a) => {
                    for (c, _) in &spec.tiles {
                        match a.tile(c.z, c.x, c.y) {
                            Ok(_) => {}
                            Err(TileError::Corrupt { .. }) => tile_errors += 1,
                            Err(other) => panic!("len {len}: unexpected {other}"),
                        }
                    }
                }
            }
        }
        assert!(tile_errors > 0);
    }

    #[test]
    fn concurrent_reads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.mbtiles");
        let mut spec = sample();
        for i in 0..64u32 {
            spec.tiles.push((TileCoord { z: 8, x: i, y: 255 - i }, i.to_le_bytes().to_vec()));
        }
        write_mbtiles(&path, &spec);
        let a = std::sync::Arc::new(TileArchive::open(&path).unwrap());
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let a = a.clone();
                let tiles = spec.tiles.clone();
                std::thread::spawn(move || {
                    for _ in 0..5 {
                        for (c, data) in &tiles {
                            assert_eq!(&a.tile(c.z, c.x, c.y).unwrap().unwrap().data, data);
                        }
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        let s = a.sample_coords(10, 3).unwrap();
        assert_eq!(s.len(), 10);
        for c in s {
            assert!(a.tile(c.z, c.x, c.y).unwrap().is_some());
        }
    }
}
