//! Incident command's commands: each calls one `yingji_api` function (see `incidents.rs`,
//! `incident_models.rs` and `incident_window.rs` there). Exports go to the app data folder's
//! `exports/`, whose path the window shows.

use std::path::PathBuf;

use tauri::{Manager, State};
use yingji_api::{
    AllocationDto, AllocationPickDto, ApiError, ClosingSummaryDto, DeadlineDto, DispatchCandidateDto, ErrorCode,
    ExportedFileDto, IncidentDetailDto, IncidentDto, IncidentModelInput, IncidentModelsDto, IncidentZoneDto,
    LogEntryDto, MaterialRequestDto, ModelRunDto, NewIncidentDto, NewWarningDto, OrderDto, ReportDraftDto, ReportDto,
    RequestOutcomeDto, SeverityFactsDto, SupportCallDto, SupportCandidateDto, TierSuggestionDto, WarningDto,
};

use crate::{with, AppState};

/// Where exported reports and CAP files go: `exports/` in the app data folder.
fn exports_dir<R: tauri::Runtime>(app: &tauri::AppHandle<R>) -> Result<PathBuf, ApiError> {
    app.path().app_data_dir().map(|d| d.join("exports")).map_err(|e| {
        ApiError::new(
            ErrorCode::Internal,
            format!("找不到应用数据目录：{e}"),
            format!("cannot find the app data folder: {e}"),
        )
    })
}

#[tauri::command]
pub async fn create_incident(state: State<'_, AppState>, new: NewIncidentDto) -> Result<IncidentDto, ApiError> {
    with(&state, |c| c.create_incident(&new))
}

#[tauri::command]
pub async fn list_incidents(state: State<'_, AppState>) -> Result<Vec<IncidentDto>, ApiError> {
    with(&state, |c| c.list_incidents())
}

#[tauri::command]
pub async fn incident_detail(state: State<'_, AppState>, id: String) -> Result<IncidentDetailDto, ApiError> {
    with(&state, |c| c.incident_detail(&id))
}

#[tauri::command]
pub async fn run_incident_models(
    state: State<'_, AppState>,
    id: String,
    input: IncidentModelInput,
) -> Result<IncidentModelsDto, ApiError> {
    with(&state, |c| c.run_incident_models(&id, &input))
}

#[tauri::command]
pub async fn incident_model_runs(state: State<'_, AppState>, id: String) -> Result<Vec<ModelRunDto>, ApiError> {
    with(&state, |c| c.incident_model_runs(&id))
}

#[tauri::command]
pub async fn incident_zones(state: State<'_, AppState>, id: String) -> Result<Vec<IncidentZoneDto>, ApiError> {
    with(&state, |c| c.incident_zones(&id))
}

#[tauri::command]
pub async fn suggest_tier(facts: SeverityFactsDto) -> Result<TierSuggestionDto, ApiError> {
    yingji_api::suggest_tier(&facts)
}

#[tauri::command]
pub async fn confirm_tier(
    state: State<'_, AppState>,
    id: String,
    tier: String,
    author: String,
    note: String,
) -> Result<LogEntryDto, ApiError> {
    with(&state, |c| c.confirm_tier(&id, &tier, &author, &note))
}

#[tauri::command]
pub async fn incident_deadlines(
    state: State<'_, AppState>,
    id: String,
    tier: Option<String>,
) -> Result<Vec<DeadlineDto>, ApiError> {
    with(&state, |c| c.incident_deadlines(&id, tier.as_deref()))
}

#[tauri::command]
pub async fn add_log_entry(
    state: State<'_, AppState>,
    id: String,
    kind: String,
    author: String,
    body: String,
) -> Result<LogEntryDto, ApiError> {
    with(&state, |c| c.add_log_entry(&id, &kind, &author, &body))
}

#[tauri::command]
pub async fn correct_log_entry(
    state: State<'_, AppState>,
    id: String,
    corrects_id: String,
    author: String,
    body: String,
) -> Result<LogEntryDto, ApiError> {
    with(&state, |c| c.correct_log_entry(&id, &corrects_id, &author, &body))
}

#[tauri::command]
pub async fn order_team(
    state: State<'_, AppState>,
    id: String,
    team_id: String,
    task: String,
    author: String,
) -> Result<OrderDto, ApiError> {
    with(&state, |c| c.order_team(&id, &team_id, &task, &author))
}

#[tauri::command]
pub async fn set_order_status(
    state: State<'_, AppState>,
    order_id: String,
    status: String,
    author: String,
) -> Result<LogEntryDto, ApiError> {
    with(&state, |c| c.set_order_status(&order_id, &status, &author))
}

#[tauri::command]
pub async fn rank_support(
    state: State<'_, AppState>,
    id: String,
    kind: String,
    limit: u32,
) -> Result<Vec<SupportCandidateDto>, ApiError> {
    with(&state, |c| c.rank_support(&id, &kind, limit))
}

#[tauri::command]
#[allow(clippy::too_many_arguments)] // one argument per field of the call, as the façade takes them
pub async fn record_support_call(
    state: State<'_, AppState>,
    id: String,
    kind: String,
    target_id: String,
    answer: String,
    note: String,
    author: String,
) -> Result<SupportCallDto, ApiError> {
    with(&state, |c| c.record_support_call(&id, &kind, &target_id, &answer, &note, &author))
}

#[tauri::command]
pub async fn dispatch_candidates(
    state: State<'_, AppState>,
    id: String,
    item: String,
) -> Result<Vec<DispatchCandidateDto>, ApiError> {
    with(&state, |c| c.dispatch_candidates(&id, &item))
}

#[tauri::command]
pub async fn request_materials(
    state: State<'_, AppState>,
    id: String,
    req: MaterialRequestDto,
    picks: Vec<AllocationPickDto>,
    author: String,
) -> Result<RequestOutcomeDto, ApiError> {
    with(&state, |c| c.request_materials_from(&id, &req, &picks, &author))
}

#[tauri::command]
pub async fn allocate_material(
    state: State<'_, AppState>,
    request_id: String,
    stock_item_id: String,
    quantity: f64,
    author: String,
) -> Result<AllocationDto, ApiError> {
    with(&state, |c| c.allocate_material(&request_id, &stock_item_id, quantity, &author))
}

#[tauri::command]
pub async fn record_arrival(state: State<'_, AppState>, allocation_id: String, author: String) -> Result<(), ApiError> {
    with(&state, |c| c.record_arrival(&allocation_id, &author))
}

#[tauri::command]
pub async fn draft_report(state: State<'_, AppState>, id: String, kind: String) -> Result<ReportDraftDto, ApiError> {
    with(&state, |c| c.draft_report(&id, &kind))
}

#[tauri::command]
pub async fn save_report(
    state: State<'_, AppState>,
    id: String,
    kind: String,
    text: Option<ReportDraftDto>,
    author: String,
) -> Result<ReportDto, ApiError> {
    with(&state, |c| c.save_report(&id, &kind, text, &author))
}

#[tauri::command]
pub async fn mark_report(
    state: State<'_, AppState>,
    report_id: String,
    status: String,
    by: String,
) -> Result<ReportDto, ApiError> {
    with(&state, |c| c.mark_report(&report_id, &status, &by))
}

#[tauri::command]
pub async fn export_report<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    report_id: String,
    format: String,
) -> Result<ExportedFileDto, ApiError> {
    let dir = exports_dir(&app)?;
    with(&state, |c| c.export_report_to(&report_id, &format, &dir))
}

#[tauri::command]
pub async fn issue_warning(
    state: State<'_, AppState>,
    id: String,
    warning: NewWarningDto,
    author: String,
) -> Result<WarningDto, ApiError> {
    with(&state, |c| c.issue_warning(&id, &warning, &author))
}

#[tauri::command]
pub async fn export_warning_cap<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    warning_id: String,
) -> Result<ExportedFileDto, ApiError> {
    let dir = exports_dir(&app)?;
    with(&state, |c| c.export_warning_cap_to(&warning_id, &dir))
}

#[tauri::command]
pub async fn add_incident_cost(
    state: State<'_, AppState>,
    id: String,
    description: String,
    amount_yuan: f64,
    author: String,
) -> Result<(), ApiError> {
    with(&state, |c| c.add_incident_cost(&id, &description, amount_yuan, &author))
}

#[tauri::command]
pub async fn closing_summary(state: State<'_, AppState>, id: String) -> Result<ClosingSummaryDto, ApiError> {
    with(&state, |c| c.closing_summary(&id))
}

#[tauri::command]
pub async fn close_incident(
    state: State<'_, AppState>,
    id: String,
    summary: String,
    author: String,
) -> Result<ClosingSummaryDto, ApiError> {
    with(&state, |c| c.close_incident(&id, &summary, &author))
}
