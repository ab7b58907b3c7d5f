//! [`MapPacks`]: the registry of loaded archives and the request resolver the
//! desktop shell's `tiles://` URI scheme calls.
//!
//! Routes (all `GET`; paths are percent-decoded segment by segment; a query
//! string or fragment is ignored; a full URL such as
//! `tiles://localhost/base/3/6/2.pbf` or `http://tiles.localhost/…` is accepted too):
//!
//! | path | answer |
//! | --- | --- |
//! | `/style.json` | the style file given at construction, `{{base}}` replaced by [`MapPacksConfig::base_url`] |
//! | `/base/{z}/{x}/{y}.{ext}` | a tile of the base map |
//! | `/pack/{id}/{z}/{x}/{y}.{ext}` | a tile of an extra pack |
//! | `/base.json`, `/pack/{id}.json` | TileJSON 3.0 for that archive (absolute tile URLs under `base_url`) |
//! | `/packs.json` | [`MapPacks::list`] as JSON |
//! | `/glyphs/{fontstack}/{start}-{end}.pbf` | SDF glyphs from the glyph folder; the first font of the comma-separated stack that has the range wins |
//! | `/sprites/{name}.json|.png` | sprite sheets from the sprite folder (`name@2x.png` etc.) |
//!
//! Status codes: 200 with a body; **204** (empty body) for a tile that is
//! absent but inside the archive's zoom range — MapLibre draws nothing there
//! (vector) or a transparent tile (raster, MapLibre ≥ 4); **404** for unknown
//! routes/packs/files, a tile extension that does not match the archive, or a
//! zoom outside the archive's range — MapLibre then keeps showing the parent
//! tile instead; **400** for malformed paths, including any attempt at
//! directory traversal (`..`, `/` or `\` inside a segment, absolute names);
//! **500** when a file is unreadable or damaged (logged with `tracing`).
//!
//! Every response must carry `Access-Control-Allow-Origin: *`: the webview
//! page's origin (`tauri://localhost`, `http://tauri.localhost`, or the dev
//! server) differs from the `tiles:` scheme's, and MapLibre fetches tiles from
//! a web worker with `fetch`. [`Response::headers`] lists exactly what to send.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use serde::Serialize;

use crate::archive::{sniff_encoding, ArchiveInfo, TileArchive, TileCoord, TileType, MAX_TILE_BYTES};
use crate::error::TileError;

/// Construction-time settings of a [`MapPacks`] registry.
#[derive(Debug, Clone)]
pub struct MapPacksConfig {
    /// Style served at `/style.json` (read on every request, so edits show after a reload).
    pub style_path: Option<PathBuf>,
    /// Folder of `<font name>/<start>-<end>.pbf` glyph files.
    pub glyphs_dir: Option<PathBuf>,
    /// Folder of sprite files (`<name>.json`, `<name>.png`, `<name>@2x.json`, …).
    pub sprites_dir: Option<PathBuf>,
    /// Origin the webview uses for this scheme, without trailing slash:
    /// `tiles://localhost` on Linux/macOS, `http://tiles.localhost` on Windows
    /// (Tauri's default there). Used in TileJSON, [`PackInfo`] URLs and for `{{base}}` in the style.
    pub base_url: String,
    /// Decompress gzip/deflate tiles and glyphs before answering (default `true`).
    ///
    /// Keep it on for a Tauri custom scheme: a custom-protocol response does
    /// not go through the webview's HTTP stack, and whether a
    /// `Content-Encoding: gzip` header is honoured there differs between
    /// WebView2, WKWebView and WebKitGTK. Decompressing a vector tile takes
    /// tens of microseconds. With `false`, bodies are passed through and
    /// [`Response::content_encoding`] says how they are encoded.
    pub decompress: bool,
}

impl Default for MapPacksConfig {
    fn default() -> Self {
        MapPacksConfig {
            style_path: None,
            glyphs_dir: None,
            sprites_dir: None,
            base_url: "tiles://localhost".into(),
            decompress: true,
        }
    }
}

/// One loaded archive as the UI sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackInfo {
    /// `"base"` for the base map, otherwise the pack id used in `/pack/{id}/…`.
    pub id: String,
    pub is_base: bool,
    /// Tile URL template for a MapLibre source, e.g. `tiles://localhost/pack/county/{z}/{x}/{y}.pbf`.
    pub tiles_url: String,
    /// TileJSON URL for a MapLibre source's `url`.
    pub tilejson_url: String,
    pub archive: ArchiveInfo,
}

/// The answer to one request: status, headers' values and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    /// `Some("gzip")` etc. when the body is still compressed (only with
    /// [`MapPacksConfig::decompress`] off, or for brotli/zstd archives).
    pub content_encoding: Option<&'static str>,
    pub body: Vec<u8>,
}

impl Response {
    /// Value for the `Access-Control-Allow-Origin` header on every response.
    pub const ALLOW_ORIGIN: &'static str = "*";

    /// All headers to send, in order: `Access-Control-Allow-Origin: *`,
    /// `Content-Type` (not for 204) and `Content-Encoding` when set.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let mut h = vec![("Access-Control-Allow-Origin", Self::ALLOW_ORIGIN.to_string())];
        if self.status != 204 {
            h.push(("Content-Type", self.content_type.to_string()));
        }
        if let Some(e) = self.content_encoding {
            h.push(("Content-Encoding", e.to_string()));
        }
        h
    }

    fn ok(content_type: &'static str, content_encoding: Option<&'static str>, body: Vec<u8>) -> Response {
        Response { status: 200, content_type, content_encoding, body }
    }

    fn json(value: &impl Serialize) -> Response {
        match serde_json::to_vec(value) {
            Ok(body) => Response::ok("application/json", None, body),
            Err(e) => Response::text(500, format!("cannot serialise JSON: {e}")),
        }
    }

    fn text(status: u16, message: impl Into<String>) -> Response {
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            content_encoding: None,
            body: message.into().into_bytes(),
        }
    }

    fn no_content(content_type: &'static str) -> Response {
        Response { status: 204, content_type, content_encoding: None, body: Vec::new() }
    }
}

#[derive(Default)]
struct State {
    base: Option<Arc<TileArchive>>,
    /// Extra packs in layering order (first = lowest above the base).
    packs: Vec<(String, Arc<TileArchive>)>,
}

/// The base map plus extra packs, safe to share between the URI-scheme
/// handler threads (`Send + Sync`). Opening an archive happens outside the
/// lock; requests only hold a read lock long enough to clone an `Arc`.
pub struct MapPacks {
    config: MapPacksConfig,
    state: RwLock<State>,
}

impl std::fmt::Debug for MapPacks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MapPacks")
            .field("config", &self.config)
            .field("packs", &self.list().iter().map(|p| p.id.clone()).collect::<Vec<_>>())
            .finish()
    }
}

const BASE_ID: &str = "base";
const MAX_ID_LEN: usize = 64;

/// Whether `id` can name an extra pack.
pub fn is_valid_pack_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id != BASE_ID
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// A pack id from a file name: lower-case ASCII letters, digits and `_`, other
/// runs become `-` (Chinese file names yield `"pack"`, then `pack-2`, …).
fn id_from_path(path: &Path) -> String {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let mut id = String::new();
    for c in stem.chars().map(|c| c.to_ascii_lowercase()) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
            if id.len() >= 48 {
                break;
            }
            id.push(c);
        } else if !id.is_empty() && !id.ends_with('-') {
            id.push('-');
        }
    }
    let id = id.trim_end_matches('-');
    if id.is_empty() {
        "pack".into()
    } else {
        id.into()
    }
}

impl MapPacks {
    pub fn new(config: MapPacksConfig) -> MapPacks {
        MapPacks { config, state: RwLock::new(State::default()) }
    }

    pub fn config(&self) -> &MapPacksConfig {
        &self.config
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|p| p.into_inner())
    }

    fn base_url(&self) -> &str {
        self.config.base_url.trim_end_matches('/')
    }

    fn pack_info(&self, id: &str, archive: &TileArchive) -> PackInfo {
        let is_base = id == BASE_ID;
        let prefix =
            if is_base { format!("{}/base", self.base_url()) } else { format!("{}/pack/{id}", self.base_url()) };
        PackInfo {
            id: id.to_string(),
            is_base,
            tiles_url: format!("{prefix}/{{z}}/{{x}}/{{y}}.{}", archive.info().tile_type.extension()),
            tilejson_url: format!("{prefix}.json"),
            archive: archive.info().clone(),
        }
    }

    /// Opens `path` and makes it the base map (replacing any previous one).
    pub fn set_base(&self, path: impl AsRef<Path>) -> Result<PackInfo, TileError> {
        let archive = Arc::new(TileArchive::open(path)?);
        let info = self.pack_info(BASE_ID, &archive);
        self.write().base = Some(archive);
        Ok(info)
    }

    /// Unloads the base map; base tile requests then answer 404.
    pub fn clear_base(&self) -> Option<PackInfo> {
        let old = self.write().base.take();
        old.map(|a| self.pack_info(BASE_ID, &a))
    }

    /// Opens `path` as an extra pack on top of the others, with an id derived
    /// from the file name (made unique with `-2`, `-3`, …).
    pub fn add(&self, path: impl AsRef<Path>) -> Result<PackInfo, TileError> {
        let path = path.as_ref();
        let archive = Arc::new(TileArchive::open(path)?);
        let wanted = id_from_path(path);
        let mut state = self.write();
        let taken = |id: &str| id == BASE_ID || state.packs.iter().any(|(p, _)| p == id);
        let mut id = wanted.clone();
        let mut n = 2;
        while taken(&id) {
            id = format!("{wanted}-{n}");
            n += 1;
        }
        state.packs.push((id.clone(), archive.clone()));
        drop(state);
        Ok(self.pack_info(&id, &archive))
    }

    /// Opens `path` as an extra pack with the given id.
    pub fn add_with_id(&self, id: &str, path: impl AsRef<Path>) -> Result<PackInfo, TileError> {
        if !is_valid_pack_id(id) {
            return Err(TileError::InvalidPackId(id.to_string()));
        }
        if self.read().packs.iter().any(|(p, _)| p == id) {
            return Err(TileError::DuplicatePack(id.to_string()));
        }
        let archive = Arc::new(TileArchive::open(path)?);
        let mut state = self.write();
        if state.packs.iter().any(|(p, _)| p == id) {
            return Err(TileError::DuplicatePack(id.to_string()));
        }
        state.packs.push((id.to_string(), archive.clone()));
        drop(state);
        Ok(self.pack_info(id, &archive))
    }

    /// Unloads an extra pack. Requests already reading it finish normally.
    pub fn remove(&self, id: &str) -> Result<PackInfo, TileError> {
        let mut state = self.write();
        let pos =
            state.packs.iter().position(|(p, _)| p == id).ok_or_else(|| TileError::UnknownPack(id.to_string()))?;
        let (id, archive) = state.packs.remove(pos);
        drop(state);
        Ok(self.pack_info(&id, &archive))
    }

    /// The base map (if loaded) first, then the extra packs bottom to top.
    pub fn list(&self) -> Vec<PackInfo> {
        let state = self.read();
        state
            .base
            .iter()
            .map(|a| self.pack_info(BASE_ID, a))
            .chain(state.packs.iter().map(|(id, a)| self.pack_info(id, a)))
            .collect()
    }

    /// The archive behind `id` (`"base"` for the base map), e.g. for a benchmark.
    pub fn get(&self, id: &str) -> Option<Arc<TileArchive>> {
        let state = self.read();
        if id == BASE_ID {
            state.base.clone()
        } else {
            state.packs.iter().find(|(p, _)| p == id).map(|(_, a)| a.clone())
        }
    }

    /// Answers one request; never panics, whatever the path. See the module
    /// documentation for routes and status codes.
    pub fn resolve(&self, url_path: &str) -> Response {
        let path = request_path(url_path);
        let Some(rest) = path.strip_prefix('/') else {
            return Response::text(400, "request path must start with '/'");
        };
        let mut segs: Vec<String> = Vec::new();
        for raw in rest.split('/') {
            match decode_segment(raw) {
                Some(s) if is_safe_segment(&s) => segs.push(s),
                Some(_) => return Response::text(400, format!("refused path segment {raw:?}")),
                None => return Response::text(400, format!("malformed percent-encoding in {raw:?}")),
            }
        }
        let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
        match segs.as_slice() {
            ["style.json"] => self.style(),
            ["packs.json"] => Response::json(&self.list()),
            ["base.json"] => match self.get(BASE_ID) {
                Some(a) => self.tilejson(BASE_ID, &a),
                None => Response::text(404, "no base map is loaded"),
            },
            ["base", z, x, y] => match self.get(BASE_ID) {
                Some(a) => self.tile(&a, z, x, y),
                None => Response::text(404, "no base map is loaded"),
            },
            ["pack", file] if file.ends_with(".json") => {
                let id = &file[..file.len() - ".json".len()];
                match self.get(id).filter(|_| id != BASE_ID) {
                    Some(a) => self.tilejson(id, &a),
                    None => Response::text(404, format!("no map pack {id:?}")),
                }
            }
            ["pack", id, z, x, y] => match self.get(id).filter(|_| *id != BASE_ID) {
                Some(a) => self.tile(&a, z, x, y),
                None => Response::text(404, format!("no map pack {id:?}")),
            },
            ["glyphs", fontstack, range] => self.glyphs(fontstack, range),
            ["sprites", file] => self.sprite(file),
            _ => Response::text(404, format!("no such resource: {path}")),
        }
    }

    fn encode_body(&self, data: Vec<u8>, encoding: Option<&'static str>, content_type: &'static str) -> Response {
        match encoding {
            Some(enc @ ("gzip" | "deflate")) if self.config.decompress => {
                match crate::archive::decompress(enc, &data, MAX_TILE_BYTES) {
                    Ok(plain) => Response::ok(content_type, None, plain),
                    Err(e) => {
                        tracing::warn!(error = %e, "damaged compressed tile or glyph");
                        Response::text(500, e.to_string())
                    }
                }
            }
            // brotli/zstd cannot be decoded here: pass through and label them.
            enc => Response::ok(content_type, enc, data),
        }
    }

    fn tile(&self, archive: &TileArchive, z: &str, x: &str, y_ext: &str) -> Response {
        let (y, ext) = match y_ext.split_once('.') {
            Some((y, ext)) => (y, Some(ext)),
            None => (y_ext, None),
        };
        let (Some(z), Some(x), Some(y)) = (parse_num(z), parse_num(x), parse_num(y)) else {
            return Response::text(400, "tile path must be /{z}/{x}/{y}.{ext} with decimal numbers");
        };
        let info = archive.info();
        if let Some(ext) = ext {
            if !info.tile_type.accepts_extension(ext) {
                return Response::text(
                    404,
                    format!("this archive holds .{} tiles, not .{ext}", info.tile_type.extension()),
                );
            }
        }
        let coord = u8::try_from(z).ok().and_then(|z| TileCoord::new(z, x, y));
        let Some(c) = coord.filter(|c| c.z >= info.min_zoom && c.z <= info.max_zoom) else {
            return Response::text(404, "tile outside the archive's zoom range or the tile grid");
        };
        match archive.tile(c.z, c.x, c.y) {
            Ok(Some(t)) => self.encode_body(t.data, t.content_encoding, t.content_type),
            Ok(None) => Response::no_content(info.tile_type.content_type()),
            Err(e) => {
                tracing::warn!(error = %e, z = c.z, x = c.x, y = c.y, "tile read failed");
                Response::text(500, e.to_string())
            }
        }
    }

    fn tilejson(&self, id: &str, archive: &TileArchive) -> Response {
        let p = self.pack_info(id, archive);
        let i = &p.archive;
        let mut tj = serde_json::Map::new();
        tj.insert("tilejson".into(), "3.0.0".into());
        tj.insert("tiles".into(), serde_json::json!([p.tiles_url]));
        tj.insert("scheme".into(), "xyz".into());
        tj.insert("minzoom".into(), i.min_zoom.into());
        tj.insert("maxzoom".into(), i.max_zoom.into());
        tj.insert("bounds".into(), serde_json::json!(i.bounds));
        tj.insert("center".into(), serde_json::json!(i.center));
        for (k, v) in [("name", &i.name), ("attribution", &i.attribution), ("description", &i.description)] {
            if let Some(v) = v {
                tj.insert(k.into(), v.clone().into());
            }
        }
        if i.tile_type == TileType::Mvt {
            let layers = archive.metadata().get("vector_layers").cloned().unwrap_or_else(|| serde_json::json!([]));
            tj.insert("vector_layers".into(), layers);
        }
        Response::json(&tj)
    }

    fn style(&self) -> Response {
        let Some(path) = &self.config.style_path else {
            return Response::text(404, "no style is configured");
        };
        match std::fs::read_to_string(path) {
            Ok(s) => Response::ok("application/json", None, s.replace("{{base}}", self.base_url()).into_bytes()),
            Err(e) => file_error(path, e),
        }
    }

    fn glyphs(&self, fontstack: &str, range: &str) -> Response {
        let Some(dir) = &self.config.glyphs_dir else {
            return Response::text(404, "no glyph folder is configured");
        };
        let valid_range = range
            .strip_suffix(".pbf")
            .and_then(|r| r.split_once('-'))
            .and_then(|(a, b)| Some((parse_num(a)?, parse_num(b)?)))
            .is_some_and(|(start, end)| start % 256 == 0 && end == start + 255 && end <= 65_535);
        if !valid_range {
            return Response::text(400, format!("bad glyph range {range:?}: expected e.g. 0-255.pbf"));
        }
        let fonts: Vec<&str> = fontstack.split(',').map(str::trim).filter(|f| !f.is_empty()).collect();
        if fonts.is_empty() || !fonts.iter().all(|f| is_safe_file_name(f)) {
            return Response::text(400, format!("refused font stack {fontstack:?}"));
        }
        for font in &fonts {
            let file = dir.join(font).join(range);
            match std::fs::read(&file) {
                Ok(data) => {
                    let enc = sniff_encoding(&data).filter(|e| *e == "gzip");
                    return self.encode_body(data, enc, "application/x-protobuf");
                }
                Err(e) if is_missing(&file, &e) => continue,
                Err(e) => return file_error(&file, e),
            }
        }
        Response::text(404, format!("no glyphs {range} for font stack {fontstack:?}"))
    }

    fn sprite(&self, file: &str) -> Response {
        let Some(dir) = &self.config.sprites_dir else {
            return Response::text(404, "no sprite folder is configured");
        };
        let content_type = if file.ends_with(".json") {
            "application/json"
        } else if file.ends_with(".png") {
            "image/png"
        } else {
            return Response::text(404, "sprites are .json or .png files");
        };
        if !is_safe_file_name(file) {
            return Response::text(400, format!("refused sprite name {file:?}"));
        }
        let path = dir.join(file);
        match std::fs::read(&path) {
            Ok(data) => Response::ok(content_type, None, data),
            Err(e) => file_error(&path, e),
        }
    }
}

/// "Not there" rather than "unreadable": no such file, a file where a
/// folder was expected, or a folder where a file was expected.
fn is_missing(path: &Path, e: &std::io::Error) -> bool {
    e.kind() == ErrorKind::NotFound || !path.is_file()
}

fn file_error(path: &Path, e: std::io::Error) -> Response {
    if is_missing(path, &e) {
        Response::text(404, format!("not found: {}", path.file_name().unwrap_or_default().to_string_lossy()))
    } else {
        tracing::warn!(path = %path.display(), error = %e, "cannot read map resource");
        Response::text(500, format!("cannot read {}: {e}", path.display()))
    }
}

/// The path part of a request: scheme and authority, query and fragment removed.
fn request_path(url: &str) -> &str {
    let rest = match url.find("://") {
        Some(i) => {
            let after = &url[i + 3..];
            after.find('/').map_or("/", |j| &after[j..])
        }
        None => url,
    };
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    &rest[..end]
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-decodes one path segment; `None` if malformed or not UTF-8.
fn decode_segment(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hi = hex(*b.get(i + 1)?)?;
            let lo = hex(*b.get(i + 2)?)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Refuses decoded segments that could step outside a folder.
fn is_safe_segment(s: &str) -> bool {
    s != "." && s != ".." && !s.contains(['/', '\\', '\0'])
}

/// A single file or folder name inside a served folder: no separators, no
/// leading dot (hidden files, `..`), no drive or stream colon, no control characters.
fn is_safe_file_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && !s.starts_with('.')
        && !s.chars().any(|c| c.is_control() || matches!(c, '/' | '\\' | ':'))
        && Path::new(s).components().count() == 1
        && matches!(Path::new(s).components().next(), Some(std::path::Component::Normal(_)))
}

/// A plain decimal `u32` (no sign, no spaces, at most 10 digits).
fn parse_num(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 10 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{gzip, write_mbtiles, write_pmtiles, MbtSpec, PmtSpec};

    struct Fixture {
        _dir: tempfile::TempDir,
        packs: MapPacks,
        root: PathBuf,
    }

    fn fixture(decompress: bool) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();

        let mut spec = PmtSpec::vector();
        spec.tile_gzip = true;
        spec.metadata = r#"{"name":"base","vector_layers":[{"id":"roads","fields":{}}]}"#.into();
        for (z, x, y) in [(0, 0, 0), (1, 1, 0), (2, 3, 1), (4, 13, 6)] {
            spec.tiles.push((TileCoord { z, x, y }, format!("\x1a{z}/{x}/{y}").into_bytes()));
        }
        std::fs::write(root.join("base.pmtiles"), write_pmtiles(&spec)).unwrap();

        let mut m = MbtSpec::vector();
        m.meta.retain(|(k, _)| k != "format");
        m.meta.push(("format".into(), "png".into()));
        m.tiles = vec![(TileCoord { z: 3, x: 6, y: 3 }, b"\x89PNG\r\n\x1a\ncounty".to_vec())];
        write_mbtiles(&root.join("Nanjing County 2026.mbtiles"), &m);

        std::fs::create_dir_all(root.join("glyphs/Noto Sans Regular")).unwrap();
        std::fs::create_dir_all(root.join("glyphs/Noto Sans CJK SC Regular")).unwrap();
        std::fs::write(root.join("glyphs/Noto Sans Regular/0-255.pbf"), b"latin").unwrap();
        std::fs::write(root.join("glyphs/Noto Sans CJK SC Regular/19968-20223.pbf"), gzip(b"cjk")).unwrap();
        std::fs::write(root.join("secret.txt"), b"do not serve").unwrap();
        std::fs::create_dir_all(root.join("sprites")).unwrap();
        std::fs::write(root.join("sprites/basic@2x.json"), b"{}").unwrap();
        std::fs::write(
            root.join("style.json"),
            r#"{"version":8,"sources":{"base":{"type":"vector","url":"{{base}}/base.json"}},"glyphs":"{{base}}/glyphs/{fontstack}/{range}.pbf"}"#,
        )
        .unwrap();

        let packs = MapPacks::new(MapPacksConfig {
            style_path: Some(root.join("style.json")),
            glyphs_dir: Some(root.join("glyphs")),
            sprites_dir: Some(root.join("sprites")),
            decompress,
            ..MapPacksConfig::default()
        });
        packs.set_base(root.join("base.pmtiles")).unwrap();
        Fixture { _dir: dir, packs, root }
    }

    #[test]
    fn request_paths_and_percent_decoding() {
        assert_eq!(request_path("/base/1/2/3.pbf"), "/base/1/2/3.pbf");
        assert_eq!(request_path("tiles://localhost/style.json?x=1#f"), "/style.json");
        assert_eq!(request_path("http://tiles.localhost"), "/");
        assert_eq!(request_path("/a?b/c"), "/a");
        assert_eq!(decode_segment("Noto%20Sans%2CB").as_deref(), Some("Noto Sans,B"));
        assert_eq!(decode_segment("%E6%B1%9F%E8%8B%8F").as_deref(), Some("江苏"));
        assert_eq!(decode_segment("100%"), None);
        assert_eq!(decode_segment("%4"), None);
        assert_eq!(decode_segment("%+1"), None);
        assert_eq!(decode_segment("%C3%28"), None);
        assert!(!is_safe_segment(".."));
        assert!(is_safe_segment("..."));
        assert!(is_safe_file_name("Noto Sans CJK SC Regular"));
        assert!(!is_safe_file_name("..."));
        assert!(!is_safe_file_name("a\\b"));
    }

    #[test]
    fn registry_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<MapPacks>();
        assert_send_sync::<TileArchive>();
        assert_send_sync::<Response>();
    }

    #[test]
    fn base_tiles_are_served_decompressed() {
        let f = fixture(true);
        let r = f.packs.resolve("/base/2/3/1.pbf");
        assert_eq!(r.status, 200);
        assert_eq!(r.body, b"\x1a2/3/1");
        assert_eq!(r.content_type, "application/x-protobuf");
        assert_eq!(r.content_encoding, None);
        assert!(r.headers().contains(&("Access-Control-Allow-Origin", "*".to_string())));
        assert!(!r.headers().iter().any(|(k, _)| *k == "Content-Encoding"));
        // .mvt and no extension work too; full URLs and query strings are accepted.
        assert_eq!(f.packs.resolve("/base/2/3/1.mvt").status, 200);
        assert_eq!(f.packs.resolve("/base/2/3/1").status, 200);
        assert_eq!(f.packs.resolve("tiles://localhost/base/2/3/1.pbf?v=3").body, b"\x1a2/3/1");
        assert_eq!(f.packs.resolve("http://tiles.localhost/base/4/13/6.pbf").body, b"\x1a4/13/6");
    }

    #[test]
    fn passthrough_keeps_gzip_and_says_so() {
        let f = fixture(false);
        let r = f.packs.resolve("/base/2/3/1.pbf");
        assert_eq!(r.status, 200);
        assert_eq!(r.content_encoding, Some("gzip"));
        assert!(r.headers().contains(&("Content-Encoding", "gzip".to_string())));
        assert_eq!(crate::archive::decompress("gzip", &r.body, 1 << 20).unwrap(), b"\x1a2/3/1");
    }

    #[test]
    fn status_codes_for_missing_tiles() {
        let f = fixture(true);
        // Absent but inside the zoom range: 204 with an empty body, no Content-Type header.
        let r = f.packs.resolve("/base/2/0/0.pbf");
        assert_eq!((r.status, r.body.len()), (204, 0));
        assert_eq!(r.headers(), vec![("Access-Control-Allow-Origin", "*".to_string())]);
        // Beyond max zoom, outside the grid, wrong extension, unknown pack: 404.
        for p in ["/base/5/0/0.pbf", "/base/2/4/0.pbf", "/base/2/3/1.png", "/pack/nope/0/0/0.pbf", "/nothing"] {
            assert_eq!(f.packs.resolve(p).status, 404, "{p}");
        }
        // Malformed numbers: 400.
        for p in
            ["/base/a/0/0.pbf", "/base/-1/0/0.pbf", "/base/2/+3/1.pbf", "/base/99999999999/0/0.pbf", "/base/2/ 3/1.pbf"]
        {
            assert_eq!(f.packs.resolve(p).status, 400, "{p}");
        }
        assert_eq!(f.packs.resolve("/base/300/0/0.pbf").status, 404);
        assert_eq!(f.packs.resolve("").status, 400);
    }

    #[test]
    fn packs_add_list_remove() {
        let f = fixture(true);
        let county = f.packs.add(f.root.join("Nanjing County 2026.mbtiles")).unwrap();
        assert_eq!(county.id, "nanjing-county-2026");
        assert_eq!(county.tiles_url, "tiles://localhost/pack/nanjing-county-2026/{z}/{x}/{y}.png");
        assert_eq!(county.tilejson_url, "tiles://localhost/pack/nanjing-county-2026.json");
        let again = f.packs.add(f.root.join("Nanjing County 2026.mbtiles")).unwrap();
        assert_eq!(again.id, "nanjing-county-2026-2");

        let r = f.packs.resolve("/pack/nanjing-county-2026/3/6/3.png");
        assert_eq!((r.status, r.content_type), (200, "image/png"));
        assert_eq!(r.body, b"\x89PNG\r\n\x1a\ncounty");
        assert_eq!(f.packs.resolve("/pack/nanjing-county-2026/3/6/4.png").status, 204);

        let ids: Vec<String> = f.packs.list().into_iter().map(|p| p.id).collect();
        assert_eq!(ids, ["base", "nanjing-county-2026", "nanjing-county-2026-2"]);
        assert!(f.packs.list()[0].is_base);

        f.packs.remove("nanjing-county-2026").unwrap();
        assert_eq!(f.packs.resolve("/pack/nanjing-county-2026/3/6/3.png").status, 404);
        assert!(matches!(f.packs.remove("nanjing-county-2026"), Err(TileError::UnknownPack(_))));
        assert!(matches!(f.packs.remove("base"), Err(TileError::UnknownPack(_))));
        assert_eq!(f.packs.list().len(), 2);

        // The base is not reachable as a pack.
        assert_eq!(f.packs.resolve("/pack/base/2/3/1.pbf").status, 404);
        f.packs.clear_base().unwrap();
        assert_eq!(f.packs.resolve("/base/2/3/1.pbf").status, 404);
        assert_eq!(f.packs.list().len(), 1);
    }

    #[test]
    fn explicit_ids_are_validated() {
        let f = fixture(true);
        let path = f.root.join("Nanjing County 2026.mbtiles");
        for bad in ["", "base", "Upper", "a/b", "..", "有", &"x".repeat(65)] {
            assert!(matches!(f.packs.add_with_id(bad, &path), Err(TileError::InvalidPackId(_))), "{bad}");
        }
        f.packs.add_with_id("county_1", &path).unwrap();
        assert!(matches!(f.packs.add_with_id("county_1", &path), Err(TileError::DuplicatePack(_))));
        assert!(matches!(f.packs.add_with_id("ok", f.root.join("missing.pmtiles")), Err(TileError::NotFound { .. })));
        assert!(matches!(f.packs.add(f.root.join("secret.txt")), Err(TileError::NotAnArchive { .. })));
        assert_eq!(f.packs.list().len(), 2);
    }

    #[test]
    fn ids_from_file_names() {
        assert_eq!(id_from_path(Path::new("/a/Jiangsu-Base_v2.pmtiles")), "jiangsu-base_v2");
        assert_eq!(id_from_path(Path::new("/a/江苏省.pmtiles")), "pack");
        assert_eq!(id_from_path(Path::new("/a/江苏 county 01.mbtiles")), "county-01");
        assert_eq!(id_from_path(Path::new("/a/base.pmtiles")), "base");
        let long = "a".repeat(100) + ".pmtiles";
        assert!(is_valid_pack_id(&id_from_path(Path::new(&long))));
    }

    #[test]
    fn style_gets_the_base_url() {
        let f = fixture(true);
        let r = f.packs.resolve("/style.json");
        assert_eq!((r.status, r.content_type), (200, "application/json"));
        let style: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(style["sources"]["base"]["url"], "tiles://localhost/base.json");
        assert_eq!(style["glyphs"], "tiles://localhost/glyphs/{fontstack}/{range}.pbf");
    }

    #[test]
    fn tilejson_and_pack_list() {
        let f = fixture(true);
        f.packs.add(f.root.join("Nanjing County 2026.mbtiles")).unwrap();
        let tj: serde_json::Value = serde_json::from_slice(&f.packs.resolve("/base.json").body).unwrap();
        assert_eq!(tj["tiles"][0], "tiles://localhost/base/{z}/{x}/{y}.pbf");
        assert_eq!(tj["minzoom"], 0);
        assert_eq!(tj["maxzoom"], 4);
        assert_eq!(tj["vector_layers"][0]["id"], "roads");
        assert_eq!(tj["name"], "base");
        let tj: serde_json::Value =
            serde_json::from_slice(&f.packs.resolve("/pack/nanjing-county-2026.json").body).unwrap();
        assert_eq!(tj["tiles"][0], "tiles://localhost/pack/nanjing-county-2026/{z}/{x}/{y}.png");
        assert!(tj.get("vector_layers").is_none());
        assert_eq!(f.packs.resolve("/pack/nope.json").status, 404);
        let list: serde_json::Value = serde_json::from_slice(&f.packs.resolve("/packs.json").body).unwrap();
        assert_eq!(list[1]["archive"]["kind"], "mbtiles");
        assert_eq!(list[1]["archive"]["tile_type"], "png");
    }

    #[test]
    fn glyphs_with_font_fallback() {
        let f = fixture(true);
        let r = f.packs.resolve("/glyphs/Noto%20Sans%20Regular/0-255.pbf");
        assert_eq!((r.status, r.body.as_slice()), (200, &b"latin"[..]));
        // Fallback through the stack; gzip on disk is decompressed.
        let r = f.packs.resolve("/glyphs/Noto%20Sans%20Regular%2CNoto%20Sans%20CJK%20SC%20Regular/19968-20223.pbf");
        assert_eq!((r.status, r.body.as_slice(), r.content_encoding), (200, &b"cjk"[..], None));
        let f2 = fixture(false);
        let r = f2.packs.resolve("/glyphs/Noto%20Sans%20CJK%20SC%20Regular/19968-20223.pbf");
        assert_eq!(r.content_encoding, Some("gzip"));
        assert_eq!(f.packs.resolve("/glyphs/Noto%20Sans%20Regular/256-511.pbf").status, 404);
        assert_eq!(f.packs.resolve("/glyphs/Unknown%20Font/0-255.pbf").status, 404);
        for bad in [
            "/glyphs/Noto%20Sans%20Regular/0-256.pbf",
            "/glyphs/Noto%20Sans%20Regular/1-256.pbf",
            "/glyphs/Noto%20Sans%20Regular/65536-65791.pbf",
            "/glyphs/x/0-255.txt",
        ] {
            assert_eq!(f.packs.resolve(bad).status, 400, "{bad}");
        }
    }

    #[test]
    fn traversal_is_refused() {
        let f = fixture(true);
        for bad in [
            "/glyphs/../secret.txt/0-255.pbf",
            "/glyphs/..%2F..%2Fsecret.txt/0-255.pbf",
            "/glyphs/%2E%2E/0-255.pbf",
            "/glyphs/..%5Csecret/0-255.pbf",
            "/glyphs/Noto%20Sans%20Regular,..%2Fx/0-255.pbf",
            "/glyphs/.hidden/0-255.pbf",
            "/glyphs/C:%5Cwindows/0-255.pbf",
            "/glyphs/%00/0-255.pbf",
            "/glyphs/a%ZZ/0-255.pbf",
            "/glyphs/%FF%FE/0-255.pbf",
            "/sprites/..%2Fstyle.json",
            "/sprites/.%2E",
            "/pack/..%2Fbase/0/0/0.pbf",
            "/base/../style.json",
        ] {
            let r = f.packs.resolve(bad);
            assert_eq!(r.status, 400, "{bad}: {}", String::from_utf8_lossy(&r.body));
            assert_ne!(r.body, b"do not serve");
        }
        // A font name that is an existing folder outside, reached by name only, is still inside glyphs/.
        assert_eq!(f.packs.resolve("/glyphs/secret.txt/0-255.pbf").status, 404);
    }

    #[test]
    fn sprites_are_served() {
        let f = fixture(true);
        let r = f.packs.resolve("/sprites/basic@2x.json");
        assert_eq!((r.status, r.content_type), (200, "application/json"));
        assert_eq!(f.packs.resolve("/sprites/basic.png").status, 404);
        assert_eq!(f.packs.resolve("/sprites/basic.txt").status, 404);
    }

    #[test]
    fn unconfigured_resources_are_404() {
        let packs = MapPacks::new(MapPacksConfig::default());
        for p in ["/style.json", "/glyphs/a/0-255.pbf", "/sprites/a.json", "/base/0/0/0.pbf", "/base.json"] {
            assert_eq!(packs.resolve(p).status, 404, "{p}");
        }
        let list: serde_json::Value = serde_json::from_slice(&packs.resolve("/packs.json").body).unwrap();
        assert_eq!(list, serde_json::json!([]));
    }

    #[test]
    fn garbage_requests_never_panic() {
        let f = fixture(true);
        let mut state = 42u64;
        let alphabet = b"/%.09azAZ-_,\\:?#\x7f ";
        for _ in 0..3_000 {
            let mut s = String::from("/");
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            for i in 0..(state % 40) {
                s.push(alphabet[((state >> (i % 50)) as usize + i as usize) % alphabet.len()] as char);
            }
            let r = f.packs.resolve(&s);
            assert!([200, 204, 400, 404].contains(&r.status), "{s}: {}", r.status);
        }
        for s in ["/base/0/0/0.pbf%", "/%", "//", "/base//0/0", "tiles://", "tiles://localhost", "/pack/.json"] {
            let r = f.packs.resolve(s);
            assert!(r.status >= 200, "{s}");
        }
    }

    #[test]
    fn concurrent_resolve_while_packs_change() {
        let f = fixture(true);
        let packs = Arc::new(f.packs);
        let county = f.root.join("Nanjing County 2026.mbtiles");
        let readers: Vec<_> = (0..3)
            .map(|_| {
                let packs = packs.clone();
                std::thread::spawn(move || {
                    for _ in 0..300 {
                        assert_eq!(packs.resolve("/base/1/1/0.pbf").status, 200);
                        let s = packs.resolve("/pack/county/3/6/3.png").status;
                        assert!(s == 200 || s == 404);
                    }
                })
            })
            .collect();
        for _ in 0..20 {
            packs.add_with_id("county", &county).unwrap();
            packs.remove("county").unwrap();
        }
        for r in readers {
            r.join().unwrap();
        }
    }
}
