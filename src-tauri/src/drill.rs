//! The drill commands: each calls one `yingji_api` function (see `drills.rs` there). Starting
//! or leaving a drill swaps the console the window works on.

use std::path::{Path, PathBuf};

use tauri::State;
use yingji_api::{
    ApiError, Console, DrillClockDto, DrillEvaluationDto, DrillReplayDto, DrillStatusDto, ErrorCode,
    ScenarioSummaryDto, StartDrillDto,
};

use crate::{arg_value, with, AppState};

/// The scenario folder: `--drills DIR`, else `YINGJI_DRILLS`, else the source tree's `assets/drills`.
fn drills_dir() -> PathBuf {
    arg_value("--drills")
        .or_else(|| std::env::var_os("YINGJI_DRILLS").map(PathBuf::from))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/drills"))
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
pub async fn drill_scenarios() -> Result<Vec<ScenarioSummaryDto>, ApiError> {
    yingji_api::list_scenarios(&drills_dir())
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
