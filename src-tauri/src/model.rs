//! The model panel's commands: each calls one `yingji_api` function (see `model_runs.rs` there).

use tauri::State;
use yingji_api::{
    ApiError, GasRunInput, GasRunResult, ModelRunDto, RerunDto, RiverRunInput, RiverRunResult, RunComparisonDto,
    SourceStrengthDto, SourceStrengthInput,
};

use crate::{with, AppState};

#[tauri::command]
pub async fn gas_release(state: State<'_, AppState>, input: GasRunInput) -> Result<GasRunResult, ApiError> {
    with(&state, |c| c.gas_release(&input))
}

#[tauri::command]
pub async fn river_spill_run(state: State<'_, AppState>, input: RiverRunInput) -> Result<RiverRunResult, ApiError> {
    with(&state, |c| c.river_spill_run(&input))
}

#[tauri::command]
pub async fn model_runs(state: State<'_, AppState>) -> Result<Vec<ModelRunDto>, ApiError> {
    with(&state, |c| c.model_runs())
}

#[tauri::command]
pub async fn rerun_model_run(state: State<'_, AppState>, id: String) -> Result<RerunDto, ApiError> {
    with(&state, |c| c.rerun_model_run(&id))
}

#[tauri::command]
pub async fn compare_model_runs(
    state: State<'_, AppState>,
    a: String,
    b: String,
) -> Result<RunComparisonDto, ApiError> {
    with(&state, |c| c.compare_model_runs(&a, &b))
}

#[tauri::command]
pub async fn source_strength(input: SourceStrengthInput) -> Result<SourceStrengthDto, ApiError> {
    yingji_api::source_strength(&input)
}
