//! Preparedness commands (plans, plan cards, inspections, cases): each calls one `yingji_api`
//! function (see `prep.rs` there).

use std::path::PathBuf;

use tauri::ipc::{InvokeBody, Request};
use tauri::{Manager, State};
use yingji_api::{
    ApiError, AttachmentDto, CaseDto, CaseSummaryDto, ErrorCode, FindingDto, FindingFilterDto, InspectionDto,
    NewInspectionDto, NewPlanDto, PlanCardDto, PlanDto, PlanFilterDto, PlanStepDto, PlanSubjectDto, RegionFindingsDto,
    RegionPlansDto, SimilarCaseDto,
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
pub async fn plan_subjects(
    state: State<'_, AppState>,
    subject_kind: String,
    text: String,
) -> Result<Vec<PlanSubjectDto>, ApiError> {
    with(&state, |c| c.plan_subjects(&subject_kind, &text))
}

/// The bytes of a file sent by the window as the raw body of the call (no JSON, no base64), with
/// what it belongs to in headers, percent-encoded by the window (`encodeURIComponent`): headers
/// carry ASCII only.
struct Upload<'a> {
    bytes: &'a [u8],
    owner_id: String,
    file_name: String,
    added_by: String,
}

fn upload<'a>(request: &'a Request<'_>) -> Result<Upload<'a>, ApiError> {
    let bad = |what: &str| {
        ApiError::new(
            ErrorCode::InvalidInput,
            format!("上传的文件不完整（缺少{what}），请重新选择文件。"),
            format!("the upload is incomplete ({what} missing): choose the file again"),
        )
    };
    let InvokeBody::Raw(bytes) = request.body() else { return Err(bad("文件内容 / file bytes")) };
    let header = |name: &str| -> Result<String, ApiError> {
        let v = request.headers().get(name).and_then(|v| v.to_str().ok()).ok_or_else(|| bad(name))?;
        percent_decode(v).ok_or_else(|| bad(name))
    };
    Ok(Upload {
        bytes,
        owner_id: header("x-yingji-owner")?,
        file_name: header("x-yingji-file-name")?,
        added_by: header("x-yingji-added-by")?,
    })
}

/// Undoes `encodeURIComponent`: `%XX` escapes of UTF-8 bytes. `None` for a broken escape.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Keeps a plan document sent by the window: `invoke("attach_plan_bytes", bytes, {headers})`.
#[tauri::command]
pub async fn attach_plan_bytes(state: State<'_, AppState>, request: Request<'_>) -> Result<AttachmentDto, ApiError> {
    let u = upload(&request)?;
    with(&state, |c| c.attach_plan_bytes(&u.owner_id, &u.file_name, u.bytes, &u.added_by))
}

/// Keeps a finding's evidence sent by the window, like [`attach_plan_bytes`].
#[tauri::command]
pub async fn attach_finding_bytes(state: State<'_, AppState>, request: Request<'_>) -> Result<AttachmentDto, ApiError> {
    let u = upload(&request)?;
    with(&state, |c| c.attach_finding_bytes(&u.owner_id, &u.file_name, u.bytes, &u.added_by))
}

fn download_dir<R: tauri::Runtime>(app: &tauri::AppHandle<R>) -> Result<PathBuf, ApiError> {
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
    Ok(dir)
}

/// Saves an attachment into the user's download folder (never overwriting); returns the path.
#[tauri::command]
pub async fn save_attachment<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> Result<String, ApiError> {
    let dir = download_dir(&app)?;
    let path = with(&state, |c| c.save_attachment_in(&id, &dir))?;
    Ok(path.to_string_lossy().into_owned())
}

#[tauri::command]
pub async fn plan_card(state: State<'_, AppState>, risk_source_id: String) -> Result<PlanCardDto, ApiError> {
    with(&state, |c| c.plan_card(&risk_source_id))
}

/// Writes the card's PDF (in `lang`: zh, the default, or en) to `path`, or to the user's download
/// folder; returns where.
#[tauri::command]
pub async fn plan_card_pdf<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    risk_source_id: String,
    path: Option<String>,
    lang: Option<String>,
) -> Result<String, ApiError> {
    let lang = lang.unwrap_or_default();
    let path = match path.filter(|p| !p.trim().is_empty()) {
        Some(p) => PathBuf::from(p),
        None => {
            let suffix = if lang.starts_with("en") { "-en" } else { "" };
            download_dir(&app)?.join(format!("plan-card-{risk_source_id}{suffix}.pdf"))
        }
    };
    with(&state, |c| c.plan_card_pdf(&risk_source_id, &path, &lang))?;
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

#[cfg(test)]
mod tests {
    #[test]
    fn percent_decoding_undoes_encode_uri_component() {
        // encodeURIComponent("江宁区 预案(2026).pdf")
        let enc = "%E6%B1%9F%E5%AE%81%E5%8C%BA%20%E9%A2%84%E6%A1%88(2026).pdf";
        assert_eq!(super::percent_decode(enc).as_deref(), Some("江宁区 预案(2026).pdf"));
        assert_eq!(super::percent_decode("a%2"), None);
        assert_eq!(super::percent_decode("%FF"), None, "not UTF-8");
    }
}
