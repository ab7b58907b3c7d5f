//! Preparedness commands (plans, plan cards, inspections, cases): each calls one `yingji_api`
//! function (see `prep.rs` there).

use std::path::PathBuf;

use tauri::{Manager, State};
use yingji_api::{
    ApiError, AttachmentDto, CaseDto, CaseSummaryDto, ErrorCode, FindingDto, FindingFilterDto, InspectionDto,
    NewInspectionDto, NewPlanDto, PlanCardDto, PlanDto, PlanFilterDto, PlanStepDto, RegionFindingsDto, RegionPlansDto,
    SimilarCaseDto,
};

use crate::{with, AppState};

#[tauri::command]
pub async fn plans(state: State<'_, AppState>, filter: PlanFilterDto) -> Result<Vec<PlanDto>, ApiError> {
    with(&state, |c| c.plans(&filter))
}

#[tauri::command]
pub async fn add_plan(state: State<'_, AppState>, plan: NewPlanDto) -> Result<PlanDto, ApiError> {
    with(&state, |c| c.add_plan(&plan))
}

#[tauri::command]
pub async fn advance_plan(state: State<'_, AppState>, id: String, step: PlanStepDto) -> Result<PlanDto, ApiError> {
    with(&state, |c| c.advance_plan(&id, &step))
}

#[tauri::command]
pub async fn plans_by_region(state: State<'_, AppState>) -> Result<Vec<RegionPlansDto>, ApiError> {
    with(&state, |c| c.plans_by_region())
}

#[tauri::command]
pub async fn attach_plan_file(
    state: State<'_, AppState>,
    plan_id: String,
    path: String,
    added_by: String,
) -> Result<AttachmentDto, ApiError> {
    with(&state, |c| c.attach_plan_file(&plan_id, std::path::Path::new(&path), &added_by))
}

#[tauri::command]
pub async fn attach_finding_file(
    state: State<'_, AppState>,
    finding_id: String,
    path: String,
    added_by: String,
) -> Result<AttachmentDto, ApiError> {
    with(&state, |c| c.attach_finding_file(&finding_id, std::path::Path::new(&path), &added_by))
}

#[tauri::command]
pub async fn plan_card(state: State<'_, AppState>, risk_source_id: String) -> Result<PlanCardDto, ApiError> {
    with(&state, |c| c.plan_card(&risk_source_id))
}

/// Writes the card's PDF to `path`, or to the user's download folder; returns where.
#[tauri::command]
pub async fn plan_card_pdf<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    risk_source_id: String,
    path: Option<String>,
) -> Result<String, ApiError> {
    let path = match path.filter(|p| !p.trim().is_empty()) {
        Some(p) => PathBuf::from(p),
        None => {
            let dir = app.path().download_dir().or_else(|_| app.path().app_data_dir()).map_err(|e| {
                ApiError::new(ErrorCode::Internal, format!("找不到下载目录：{e}"), format!("no download folder: {e}"))
            })?;
            std::fs::create_dir_all(&dir).map_err(|e| {
                ApiError::new(
                    ErrorCode::Internal,
                    format!("无法创建 {}：{e}", dir.display()),
                    format!("cannot create {}: {e}", dir.display()),
                )
            })?;
            dir.join(format!("plan-card-{risk_source_id}.pdf"))
        }
    };
    with(&state, |c| c.plan_card_pdf(&risk_source_id, &path))?;
    Ok(path.to_string_lossy().into_owned())
}

#[tauri::command]
pub async fn record_inspection(
    state: State<'_, AppState>,
    inspection: NewInspectionDto,
    author: String,
) -> Result<InspectionDto, ApiError> {
    with(&state, |c| c.record_inspection(&inspection, &author))
}

#[tauri::command]
pub async fn findings(state: State<'_, AppState>, filter: FindingFilterDto) -> Result<Vec<FindingDto>, ApiError> {
    with(&state, |c| c.findings(&filter))
}

#[tauri::command]
pub async fn advance_finding(
    state: State<'_, AppState>,
    id: String,
    status: String,
    author: String,
    note: String,
    evidence: String,
) -> Result<FindingDto, ApiError> {
    with(&state, |c| c.advance_finding(&id, &status, &author, &note, &evidence))
}

#[tauri::command]
pub async fn findings_by_region(state: State<'_, AppState>) -> Result<Vec<RegionFindingsDto>, ApiError> {
    with(&state, |c| c.findings_by_region())
}

#[tauri::command]
pub async fn cases(state: State<'_, AppState>) -> Result<Vec<CaseSummaryDto>, ApiError> {
    with(&state, |c| c.cases())
}

#[tauri::command]
pub async fn case(state: State<'_, AppState>, id: String) -> Result<CaseDto, ApiError> {
    with(&state, |c| c.case(&id))
}

#[tauri::command]
pub async fn cases_like_incident(
    state: State<'_, AppState>,
    incident_id: String,
) -> Result<Vec<SimilarCaseDto>, ApiError> {
    with(&state, |c| c.cases_like_incident(&incident_id))
}
