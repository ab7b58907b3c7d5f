//! The drill commands: each calls one `yingji_api` function (see `drills.rs` there). Starting
//! or leaving a drill swaps the console the window works on.

use std::path::{Path, PathBuf};

use tauri::{Manager, State};
use yingji_api::{
    ApiError, Console, DrillClockDto, DrillEvaluationDto, DrillReplayDto, DrillStatusDto, ErrorCode, ScenarioDto,
    ScenarioOptionsDto, ScenarioSaveDto, ScenarioSummaryDto, StartDrillDto,
};

use crate::{arg_value, with, AppState};

/// The ready scenarios' folder: `--drills DIR`, else `YINGJI_DRILLS`, else none (the scenarios
/// built into the program).
fn drills_dir() -> Option<PathBuf> {
    arg_value("--drills").or_else(|| std::env::var_os("YINGJI_DRILLS").map(PathBuf::from))
}

/// The user's own scenarios (saved or imported in the editor): `drills/` in the app data folder.
fn user_drills_dir<R: tauri::Runtime>(app: &tauri::AppHandle<R>) -> Result<PathBuf, ApiError> {
    app.path().app_data_dir().map(|d| d.join("drills")).map_err(|e| {
        ApiError::new(ErrorCode::Internal, format!("找不到应用数据目录：{e}"), format!("no app data folder: {e}"))
    })
}

/// Replaces the open console with one on `path`.
fn reopen(state: &State<'_, AppState>, path: &Path) -> Result<(), ApiError> {
    let console = Console::open(path)?;
    let mut guard = state
        .0
        .lock()
        .map_err(|_| ApiError::new(ErrorCode::Internal, "内部错误：请重启程序。", "internal error: restart the app"))?;
    *guard = Ok(console);
    Ok(())
}

#[tauri::command]
pub async fn drill_current(state: State<'_, AppState>) -> Result<Option<DrillStatusDto>, ApiError> {
    with(&state, |c| c.current_drill())
}

#[tauri::command]
pub async fn drill_scenarios<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> Result<Vec<ScenarioSummaryDto>, ApiError> {
    yingji_api::list_all_scenarios(drills_dir().as_deref(), &user_drills_dir(&app)?)
}

#[tauri::command]
pub async fn drill_scenario_options() -> Result<ScenarioOptionsDto, ApiError> {
    Ok(yingji_api::scenario_options())
}

#[tauri::command]
pub async fn drill_scenario_new() -> Result<ScenarioDto, ApiError> {
    Ok(yingji_api::new_scenario_now())
}

#[tauri::command]
pub async fn drill_scenario_read(path: String) -> Result<ScenarioDto, ApiError> {
    yingji_api::scenario_for_editor(&path)
}

#[tauri::command]
pub async fn drill_scenario_check(scenario: ScenarioDto) -> Result<Vec<yingji_api::ScenarioProblemDto>, ApiError> {
    Ok(yingji_api::check_scenario(&scenario))
}

#[tauri::command]
pub async fn drill_scenario_save<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    scenario: ScenarioDto,
    path: Option<String>,
) -> Result<ScenarioSaveDto, ApiError> {
    yingji_api::save_user_scenario(&user_drills_dir(&app)?, &scenario, path.as_deref())
}

#[tauri::command]
pub async fn drill_scenario_import<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    file_name: String,
    text: String,
) -> Result<ScenarioSaveDto, ApiError> {
    yingji_api::import_scenario(&user_drills_dir(&app)?, &file_name, &text)
}

/// Writes a copy of a scenario to the download folder (else the app data folder) to share.
#[tauri::command]
pub async fn drill_scenario_export<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    path: String,
) -> Result<String, ApiError> {
    let dir = app.path().download_dir().or_else(|_| app.path().app_data_dir()).map_err(|e| {
        ApiError::new(ErrorCode::Internal, format!("找不到下载目录：{e}"), format!("no download folder: {e}"))
    })?;
    yingji_api::export_scenario(&path, &dir)
}

#[tauri::command]
pub async fn drill_start(state: State<'_, AppState>, start: StartDrillDto) -> Result<DrillStatusDto, ApiError> {
    let from = with(&state, |c| {
        c.store().path().map(Path::to_path_buf).ok_or_else(|| {
            ApiError::new(ErrorCode::Internal, "当前数据库没有文件路径", "the open database has no path")
        })
    })?;
    let to = yingji_api::new_drill_path(&from);
    let status = yingji_api::start_drill(&from, &to, &start)?;
    reopen(&state, &to)?;
    Ok(status)
}

#[tauri::command]
pub async fn drill_leave(state: State<'_, AppState>) -> Result<(), ApiError> {
    let source = with(&state, |c| Ok(c.drill_status()?.source_path))?;
    let source = source.ok_or_else(|| {
        ApiError::new(
            ErrorCode::NotADrill,
            "不知道演练是从哪个数据库复制的",
            "the drill does not say where it was copied from",
        )
    })?;
    reopen(&state, Path::new(&source))
}

#[tauri::command]
pub async fn drill_clock(
    state: State<'_, AppState>,
    action: String,
    speed: Option<u8>,
    by: String,
) -> Result<DrillClockDto, ApiError> {
    with(&state, |c| c.drill_clock(&action, speed, &by))
}

#[tauri::command]
pub async fn drill_evaluation(
    state: State<'_, AppState>,
    as_of: Option<String>,
) -> Result<DrillEvaluationDto, ApiError> {
    with(&state, |c| c.drill_evaluation(as_of.as_deref()))
}

#[tauri::command]
pub async fn drill_export_evaluation(state: State<'_, AppState>, as_of: Option<String>) -> Result<String, ApiError> {
    with(&state, |c| c.export_drill_evaluation_beside(as_of.as_deref()))
}

#[tauri::command]
pub async fn drill_replay(state: State<'_, AppState>, as_of: String) -> Result<DrillReplayDto, ApiError> {
    with(&state, |c| c.drill_replay(&as_of))
}

/// The console's now (drill time in a drill), its speed and whether it runs: the countdowns.
#[tauri::command]
pub async fn console_time(state: State<'_, AppState>) -> Result<yingji_api::ConsoleTimeDto, ApiError> {
    with(&state, |c| c.console_time())
}
