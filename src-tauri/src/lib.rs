//! The desktop shell: registers the façade's functions as Tauri commands and nothing more.
//! Every command locks the open console, calls one `yingji_api` function and returns its
//! result; the logic lives in the core crates.

mod drill;
mod incident;
mod model;
mod prep;
mod sync;

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex, OnceLock},
    time::Instant,
};

use tauri::{Manager, State};
use yingji_api::{
    ApiError, Console, ErrorCode, MapData, MapPackDto, Maps, NearQuery, NearResult, Overview, RegionDto,
    ResourceDetail, ResourceKind, ResourcePage, ResourceQuery, SearchHitDto, StockHitDto, StockQuery, SubtypeCount,
};

/// The console the window works on, or why it could not be opened (shown by the UI).
pub struct AppState(Mutex<Result<Console, ApiError>>);

/// The offline maps behind the `tiles://` scheme.
pub struct MapState(Arc<Maps>);

pub(crate) fn with<T>(
    state: &State<'_, AppState>,
    f: impl FnOnce(&mut Console) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let mut guard = state.0.lock().map_err(|_| {
        ApiError::new(
            ErrorCode::Internal,
            "内部错误：数据库连接已失效，请重启程序。",
            "internal error: restart the app",
        )
    })?;
    match guard.as_mut() {
        Ok(console) => f(console),
        Err(e) => Err(e.clone()),
    }
}

#[tauri::command]
async fn overview(state: State<'_, AppState>) -> Result<Overview, ApiError> {
    with(&state, |c| c.overview())
}

#[tauri::command]
async fn regions(state: State<'_, AppState>) -> Result<Vec<RegionDto>, ApiError> {
    with(&state, |c| c.regions())
}

#[tauri::command]
async fn list_resources(state: State<'_, AppState>, query: ResourceQuery) -> Result<ResourcePage, ApiError> {
    with(&state, |c| c.list_resources(&query))
}

#[tauri::command]
async fn subtypes(state: State<'_, AppState>, kind: ResourceKind) -> Result<Vec<SubtypeCount>, ApiError> {
    with(&state, |c| c.subtypes(kind))
}

#[tauri::command]
async fn resource_detail(
    state: State<'_, AppState>,
    kind: ResourceKind,
    id: String,
) -> Result<ResourceDetail, ApiError> {
    with(&state, |c| c.resource_detail(kind, &id))
}

#[tauri::command]
async fn search(
    state: State<'_, AppState>,
    text: String,
    region_code: Option<String>,
    limit: u32,
) -> Result<Vec<SearchHitDto>, ApiError> {
    with(&state, |c| c.search(&text, region_code.as_deref(), limit))
}

#[tauri::command]
async fn chemical_search(
    state: State<'_, AppState>,
    text: String,
    limit: u32,
) -> Result<Vec<yingji_api::ChemicalSummaryDto>, ApiError> {
    with(&state, |c| c.chemical_search(&text, limit))
}

#[tauri::command]
async fn chemical(state: State<'_, AppState>, cas: String) -> Result<yingji_api::ChemicalDto, ApiError> {
    with(&state, |c| c.chemical(&cas))
}

#[tauri::command]
async fn nearest_stock(state: State<'_, AppState>, query: StockQuery) -> Result<Vec<StockHitDto>, ApiError> {
    with(&state, |c| c.nearest_stock(&query))
}

#[tauri::command]
async fn data_version(state: State<'_, AppState>) -> Result<i64, ApiError> {
    with(&state, |c| c.data_version())
}

#[tauri::command]
async fn map_data(state: State<'_, AppState>) -> Result<MapData, ApiError> {
    with(&state, |c| c.map_data())
}

#[tauri::command]
async fn near(state: State<'_, AppState>, query: NearQuery) -> Result<NearResult, ApiError> {
    with(&state, |c| c.near(&query))
}

#[tauri::command]
async fn map_packs(maps: State<'_, MapState>) -> Result<Vec<MapPackDto>, ApiError> {
    Ok(maps.0.list())
}

#[tauri::command]
async fn add_map_pack(maps: State<'_, MapState>, path: String) -> Result<MapPackDto, ApiError> {
    maps.0.add(Path::new(&path))
}

#[tauri::command]
async fn remove_map_pack(maps: State<'_, MapState>, id: String) -> Result<MapPackDto, ApiError> {
    maps.0.remove(&id)
}

/// When the app was launched (see `launched_at`), for the start-up benchmark.
static STARTED: OnceLock<Instant> = OnceLock::new();

/// When the app was launched: `YINGJI_LAUNCHED_AT_NS` (Unix ns, set by the start-up benchmark just
/// before it executes the app, so loading the libraries before `main` is counted too), else now.
fn launched_at() -> Instant {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};
    let now = Instant::now();
    let launched = std::env::var("YINGJI_LAUNCHED_AT_NS").ok().and_then(|v| v.parse().ok()).map(Duration::from_nanos);
    // Wall time only to place the launch on this process's monotonic clock; no business logic.
    #[allow(clippy::disallowed_methods)]
    let wall = SystemTime::now().duration_since(UNIX_EPOCH).ok();
    // A stamp from the future or over a minute old is not this launch's.
    let ago =
        launched.zip(wall).and_then(|(launched, wall)| wall.checked_sub(launched)).filter(|ago| ago.as_secs() < 60);
    ago.and_then(|ago| now.checked_sub(ago)).unwrap_or(now)
}

/// The view to open first: `--view map` opens the one map (the UI remembers nothing else).
#[tauri::command]
async fn startup_view() -> Result<Option<String>, ApiError> {
    Ok(arg_value("--view").map(|p| p.to_string_lossy().into_owned()))
}

/// Steps of the shell's start, in ms after the process started (for the start-up benchmark).
static SETUP_MARKS: Mutex<Vec<(&'static str, u64)>> = Mutex::new(Vec::new());

fn setup_mark(name: &'static str) {
    let ms = STARTED.get().map_or(0, |t| t.elapsed().as_millis() as u64);
    if let Ok(mut marks) = SETUP_MARKS.lock() {
        marks.push((name, ms));
    }
}

/// The map drew its first frame: how long after the process started, in ms. `marks` are the
/// page's start-up steps and `now` the page's clock at the call (both `performance.now()`), so
/// they can be placed on the process's time line. With `--exit-after-first-frame` (the start-up
/// benchmark) the figure and the steps are printed and the app exits.
#[tauri::command]
async fn first_map_frame<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    marks: std::collections::BTreeMap<String, f64>,
    now: f64,
) -> Result<u64, ApiError> {
    let elapsed_ms = STARTED.get().map_or(0.0, |t| t.elapsed().as_secs_f64() * 1000.0);
    let ms = elapsed_ms as u64;
    // The page's time origin on the process's time line.
    let page_origin_ms = elapsed_ms - now;
    let mut steps: Vec<(String, f64)> =
        SETUP_MARKS.lock().map(|m| m.iter().map(|(n, ms)| ((*n).to_owned(), *ms as f64)).collect()).unwrap_or_default();
    steps.push(("page-origin".to_owned(), page_origin_ms));
    let mut page: Vec<(String, f64)> = marks.into_iter().map(|(n, t)| (n, page_origin_ms + t)).collect();
    page.sort_by(|a, b| a.1.total_cmp(&b.1));
    steps.extend(page);
    let steps = steps.iter().map(|(n, t)| format!("{n}={t:.0}")).collect::<Vec<_>>().join(" ");
    tracing::info!("first map frame after {ms} ms ({steps})");
    if std::env::args().any(|a| a == "--exit-after-first-frame") {
        #[allow(clippy::print_stdout)] // the benchmark reads these lines
        {
            println!("first-map-frame-ms={ms}");
            println!("start-up steps (ms after process start): {steps}");
        }
        app.exit(0);
    }
    Ok(ms)
}

/// The packaged base map: `--maps DIR` or `YINGJI_MAPS`, else `offline-tiles/` among the app's
/// resources, else the source tree's (development builds and tests).
fn maps_dir(resource_dir: Option<PathBuf>) -> PathBuf {
    if let Some(dir) = arg_value("--maps").or_else(|| std::env::var_os("YINGJI_MAPS").map(PathBuf::from)) {
        return dir;
    }
    if let Some(dir) =
        resource_dir.map(|d| d.join("offline-tiles")).filter(|d| d.join(yingji_api::BASE_ARCHIVE).exists())
    {
        return dir;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../offline-tiles")
}

pub(crate) fn arg_value(flag: &str) -> Option<PathBuf> {
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == flag {
            return args.next().map(PathBuf::from);
        }
        if let Some(v) = a.strip_prefix(&format!("{flag}=")) {
            return Some(PathBuf::from(v));
        }
    }
    None
}

/// Where the database is: `--db PATH`, else `YINGJI_DB`, else `None` (the app data folder).
pub fn configured_db() -> Option<PathBuf> {
    arg_value("--db").or_else(|| std::env::var_os("YINGJI_DB").map(PathBuf::from))
}

/// The application with all its commands; tests build the same one.
pub fn builder<R: tauri::Runtime>(db: Option<PathBuf>) -> tauri::Builder<R> {
    tauri::Builder::<R>::new()
        .setup(move |app| {
            setup_mark("setup");
            let opened = match &db {
                // A configured database must exist: never create one behind the user's back.
                Some(path) => Console::open(path),
                // Otherwise the demo province in the app's data folder, built on first start.
                None => match app.path().app_data_dir() {
                    Ok(dir) => Console::open_or_create_demo(&dir.join("yingji.db")),
                    Err(e) => Err(ApiError::new(
                        ErrorCode::Internal,
                        format!("找不到应用数据目录：{e}"),
                        format!("cannot find the app data folder: {e}"),
                    )),
                },
            };
            if let Err(e) = &opened {
                tracing::error!(code = ?e.code, "cannot open the database: {}", e.message_en);
            }
            setup_mark("console-open");
            // Sync runs beside the window on its own connection to the same file.
            let db_path = opened.as_ref().ok().and_then(|c| c.store().path().map(Path::to_path_buf));
            if let Some(path) = db_path {
                app.manage(sync::start(path));
            }
            app.manage(AppState(Mutex::new(opened)));
            let packs_dir = app.path().app_data_dir().map(|d| d.join("maps")).unwrap_or_else(|_| PathBuf::from("maps"));
            let maps = Maps::open(&maps_dir(app.path().resource_dir().ok()), &packs_dir);
            app.manage(MapState(Arc::new(maps)));
            setup_mark("maps-open");
            Ok(())
        })
        // Tiles, glyphs and the style from the local archives: no port, no network.
        .register_asynchronous_uri_scheme_protocol("tiles", |ctx, request, responder| {
            let maps = ctx.app_handle().state::<MapState>().0.clone();
            let path = request.uri().path().to_owned();
            std::thread::spawn(move || {
                let r = maps.resolve(&path);
                let mut response = tauri::http::Response::builder().status(r.status);
                for (name, value) in r.headers() {
                    response = response.header(name, value);
                }
                match response.body(r.body) {
                    Ok(response) => responder.respond(response),
                    Err(e) => tracing::error!("tiles://{path}: {e}"),
                }
            });
        })
        .invoke_handler(tauri::generate_handler![
            overview,
            regions,
            list_resources,
            subtypes,
            resource_detail,
            search,
            chemical_search,
            chemical,
            map_data,
            near,
            nearest_stock,
            map_packs,
            add_map_pack,
            remove_map_pack,
            startup_view,
            first_map_frame,
            sync::sync_agent_state,
            sync::sync_now,
            sync::sync_status,
            sync::sync_conflicts,
            sync::sync_over_allocations,
            sync::resolve_conflict,
            data_version,
            model::gas_release,
            model::river_spill_run,
            model::model_runs,
            model::rerun_model_run,
            model::compare_model_runs,
            model::source_strength,
            incident::create_incident,
            incident::list_incidents,
            incident::incident_detail,
            incident::run_incident_models,
            incident::incident_model_runs,
            incident::incident_zones,
            incident::suggest_tier,
            incident::confirm_tier,
            incident::incident_deadlines,
            incident::add_log_entry,
            incident::correct_log_entry,
            incident::order_team,
            incident::set_order_status,
            incident::rank_support,
            incident::record_support_call,
            incident::dispatch_candidates,
            incident::request_materials,
            incident::allocate_material,
            incident::record_arrival,
            incident::draft_report,
            incident::save_report,
            incident::mark_report,
            incident::export_report,
            incident::issue_warning,
            incident::export_warning_cap,
            incident::add_incident_cost,
            incident::closing_summary,
            incident::close_incident,
            prep::plans,
            prep::add_plan,
            prep::advance_plan,
            prep::plans_by_region,
            prep::attach_plan_file,
            prep::attach_finding_file,
            prep::plan_card,
            prep::plan_card_pdf,
            prep::record_inspection,
            prep::findings,
            prep::advance_finding,
            prep::findings_by_region,
            prep::cases,
            prep::case,
            prep::cases_like_incident,
            prep::plan_subjects,
            prep::attach_plan_bytes,
            prep::attach_finding_bytes,
            prep::save_attachment,
            drill::drill_current,
            drill::drill_scenarios,
            drill::drill_start,
            drill::drill_leave,
            drill::drill_clock,
            drill::drill_evaluation,
            drill::drill_export_evaluation,
            drill::drill_replay,
            drill::drill_scenario_options,
            drill::drill_scenario_new,
            drill::drill_scenario_read,
            drill::drill_scenario_check,
            drill::drill_scenario_save,
            drill::drill_scenario_import,
            drill::drill_scenario_export,
            drill::console_time,
            sync::sync_drill_mode
        ])
}

/// Settings of the web engine (WebKitGTK, JavaScriptCore) for the machine it runs on, as
/// environment variables its processes inherit; set before the window starts, and never over a
/// value the user set. Together they took 0.15–0.19 s off the start-up on the 2-core VMs this is
/// built on (scripts/bench-startup.sh, alternating runs); FTL off alone about 0.07 s, CPU painting
/// alone within the noise.
#[cfg(target_os = "linux")]
fn tune_web_engine() {
    let set = |name: &str, value: &str| {
        if std::env::var_os(name).is_none() {
            // Called first thing in `run`, before any other thread exists.
            std::env::set_var(name, value);
        }
    };
    // No GPU (no DRM render node: a VM, or a laptop without its driver): OpenGL is emulated on the
    // CPU (llvmpipe), so WebKit's Skia painting the page "on the GPU" costs more than painting on
    // the CPU (WebKitGTK ≥ 2.46). The map's WebGL is not affected.
    let has_render_node = std::fs::read_dir("/dev/dri")
        .map(|d| d.flatten().any(|e| e.file_name().to_string_lossy().starts_with("renderD")))
        .unwrap_or(false);
    if !has_render_node {
        set("WEBKIT_SKIA_ENABLE_CPU_RENDERING", "1");
    }
    // Two cores or fewer: JavaScriptCore's top tier (FTL) compiles compete with the map's first
    // tiles for the cores. The tiers below it (baseline, DFG) still compile the hot code.
    if std::thread::available_parallelism().map_or(true, |n| n.get() <= 2) {
        set("JSC_useFTLJIT", "0");
    }
}

/// Starts the window.
pub fn run() -> anyhow::Result<()> {
    STARTED.get_or_init(launched_at);
    #[cfg(target_os = "linux")]
    tune_web_engine();
    setup_mark("main");
    let db = configured_db();
    builder::<tauri::Wry>(db).run(tauri::generate_context!())?;
    Ok(())
}
