//! The offline maps: the packaged base map and the map packs a user adds, served to the map
//! view through the shell's `tiles://` scheme. The shell only forwards requests to [`Maps::resolve`].

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use serde::Serialize;
use ts_rs::TS;
use yingji_tiles::{MapPacks, MapPacksConfig, PackInfo, Response, TileError};

use crate::{ApiError, ErrorCode};

/// The base map as shipped: `offline-tiles/` (see its README).
pub const BASE_ARCHIVE: &str = "jiangsu.pmtiles";

/// A loaded map archive as the UI lists it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct MapPackDto {
    /// `base`, or the pack's id.
    pub id: String,
    pub is_base: bool,
    pub name: String,
    /// `pmtiles` or `mbtiles`.
    pub format: String,
    /// `mvt`, `png`, `jpeg` or `webp`.
    pub tile_type: String,
    pub tiles_url: String,
    pub min_zoom: u8,
    pub max_zoom: u8,
    /// `[west, south, east, north]`, degrees.
    pub bounds: [f64; 4],
    /// Vector layers of the archive (empty for raster).
    pub vector_layers: Vec<String>,
    /// When the data was built, as the archive says, if it says.
    pub built: Option<String>,
    /// File modification time, seconds since 1970 (UTC).
    #[ts(type = "number | null")]
    pub modified_unix: Option<i64>,
    #[ts(type = "number")]
    pub file_size: u64,
}

impl From<PackInfo> for MapPackDto {
    fn from(p: PackInfo) -> MapPackDto {
        let a = p.archive;
        MapPackDto {
            name: a
                .name
                .clone()
                .unwrap_or_else(|| a.path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default()),
            id: p.id,
            is_base: p.is_base,
            format: format!("{:?}", a.kind).to_lowercase(),
            tile_type: format!("{:?}", a.tile_type).to_lowercase(),
            tiles_url: p.tiles_url,
            min_zoom: a.min_zoom,
            max_zoom: a.max_zoom,
            bounds: a.bounds,
            vector_layers: a.vector_layers,
            built: a.built,
            modified_unix: a.modified_unix,
            file_size: a.file_size,
        }
    }
}

fn tile_error(e: TileError) -> ApiError {
    ApiError::new(ErrorCode::InvalidInput, format!("无法打开地图包：{e}"), format!("cannot open the map pack: {e}"))
}

/// The base map and the map packs.
pub struct Maps {
    packs: Arc<MapPacks>,
    packs_dir: PathBuf,
}

impl Maps {
    /// Loads the base map and style from `assets_dir` (the `offline-tiles` folder) and every
    /// `.pmtiles`/`.mbtiles` in `packs_dir` (the user's map packs, created if missing).
    /// A missing base map is not an error here: the map view then says so.
    pub fn open(assets_dir: &Path, packs_dir: &Path) -> Maps {
        let packs = Arc::new(MapPacks::new(MapPacksConfig {
            style_path: Some(assets_dir.join("style.json")),
            glyphs_dir: Some(assets_dir.join("glyphs")),
            ..MapPacksConfig::default()
        }));
        if let Err(e) = packs.set_base(assets_dir.join(BASE_ARCHIVE)) {
            tracing::warn!("no base map: {e}");
        }
        let _ = std::fs::create_dir_all(packs_dir);
        let mut files: Vec<PathBuf> = std::fs::read_dir(packs_dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "pmtiles" || e == "mbtiles"))
            .collect();
        files.sort();
        for f in files {
            if let Err(e) = packs.add(&f) {
                tracing::warn!("skipping map pack {}: {e}", f.display());
            }
        }
        Maps { packs, packs_dir: packs_dir.to_owned() }
    }

    /// What the `tiles://localhost/<path>` scheme answers.
    pub fn resolve(&self, path: &str) -> Response {
        self.packs.resolve(path)
    }

    /// The base map first, then the packs bottom to top.
    pub fn list(&self) -> Vec<MapPackDto> {
        self.packs.list().into_iter().map(MapPackDto::from).collect()
    }

    /// Adds a map pack: the file is checked, copied into the packs folder (so it stays loaded
    /// after a restart) and layered above the others.
    pub fn add(&self, file: &Path) -> Result<MapPackDto, ApiError> {
        // Open it where it is first: a bad file is refused before anything is copied.
        yingji_tiles::TileArchive::open(file).map_err(tile_error)?;
        let name = file
            .file_name()
            .ok_or_else(|| ApiError::invalid("path", "请给出地图包文件的路径", "give the path of the map pack file"))?;
        let target = self.packs_dir.join(name);
        if target != file {
            if target.exists() {
                return Err(ApiError::new(
                    ErrorCode::InvalidInput,
                    format!("已有同名地图包 {}，请先移除它或改名", name.to_string_lossy()),
                    format!(
                        "a map pack named {} is already loaded; remove it or rename the file",
                        name.to_string_lossy()
                    ),
                ));
            }
            std::fs::copy(file, &target).map_err(|e| {
                ApiError::new(
                    ErrorCode::Internal,
                    format!("无法复制地图包：{e}"),
                    format!("cannot copy the map pack: {e}"),
                )
            })?;
        }
        self.packs.add(&target).map(MapPackDto::from).map_err(tile_error)
    }

    /// Unloads a pack and deletes its copy from the packs folder.
    pub fn remove(&self, id: &str) -> Result<MapPackDto, ApiError> {
        let info = self.packs.remove(id).map_err(tile_error)?;
        if info.archive.path.starts_with(&self.packs_dir) {
            let _ = std::fs::remove_file(&info.archive.path);
        }
        Ok(info.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_packaged_base_map_carries_its_data_date_for_the_age_shown() {
        let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../offline-tiles");
        let packs = std::env::temp_dir().join(format!("yingji-maps-test-{}", std::process::id()));
        let maps = Maps::open(&assets, &packs);
        let list = maps.list();
        let base = list.iter().find(|p| p.is_base).expect("the base map is listed");
        // A data date from the archive, not the file's time (a checkout or copy resets that).
        let built = base.built.as_deref().expect("the base map has a data date");
        assert!(built.len() == 10 && built.as_bytes()[4] == b'-' && built.as_bytes()[7] == b'-', "YYYY-MM-DD: {built}");
        let _ = std::fs::remove_dir_all(&packs);
    }
}
