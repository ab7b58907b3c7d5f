//! Preparedness in the façade: emergency plans and their revisions, plan cards, hazard
//! inspections and the case library — one method per user action, DTOs converted by hand from
//! `yingji-prep`'s types.

use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use yingji_prep::{
    attach::{self, AttachmentInfo, Owner},
    card::{self, CardContact, PlanCard},
    cases::{self, Case, SimilarCase},
    inspect::{self, FindingView, Inspection},
    plans::{self, PlanStep, PlanView},
    PrepError,
};

use crate::{ApiError, Console, ErrorCode};

impl From<PrepError> for ApiError {
    fn from(e: PrepError) -> ApiError {
        let en = e.to_string();
        match e {
            PrepError::NotFound { kind, id } => ApiError {
                field: None,
                ..ApiError::new(ErrorCode::RecordNotFound, format!("找不到记录（{kind} {id}），请检查编号。"), en)
            },
            PrepError::Invalid { field, message_zh, .. } => ApiError::invalid(field, message_zh, en),
            PrepError::TooLarge { file_name, size_bytes, max_bytes } => ApiError::invalid(
                "file",
                format!(
                    "{file_name} 有 {:.1} MB，附件最大 {:.0} MB。请压缩或拆分后再上传。",
                    size_bytes as f64 / 1_048_576.0,
                    max_bytes as f64 / 1_048_576.0
                ),
                en,
            ),
            PrepError::WrongType { file_name, expected, .. } => ApiError::invalid(
                "file",
                format!(
                    "{file_name} 不是 {} 文件（按文件内容判断，与扩展名无关）。预案附件请用 PDF 或 DOCX，隐患证据还可用 JPEG/PNG 照片。",
                    expected.replace(" or ", " 或 ")
                ),
                en,
            ),
            PrepError::Transition { from, allowed, .. } => ApiError::invalid(
                "status",
                format!(
                    "隐患当前为「{}」，下一步只能是：{}",
                    from.label_zh(),
                    from.next().map_or("（已闭环，不能再变更）".to_owned(), |s| format!("「{}」", s.label_zh()))
                ),
                format!("{en} (allowed: {allowed})"),
            ),
            PrepError::Io { path, source } => ApiError::new(
                ErrorCode::Internal,
                format!("无法读写文件 {}：{source}", path.display()),
                en,
            ),
            PrepError::Pdf(inc) => inc.into(),
            PrepError::Spill(s) => s.into(),
            PrepError::Store(s) => s.into(),
            _ => ApiError::new(ErrorCode::Internal, format!("预案与隐患功能出错：{en}"), en),
        }
    }
}

fn io(path: &Path, e: std::io::Error) -> ApiError {
    PrepError::Io { path: path.to_owned(), source: e }.into()
}

// ---- DTOs ------------------------------------------------------------------------------------

/// A file kept with a plan or a finding (without its bytes).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct AttachmentDto {
    pub id: String,
    pub file_name: String,
    /// application/pdf, the DOCX media type, image/jpeg or image/png (read from the bytes).
    pub media_type: String,
    #[ts(type = "number")]
    pub size_bytes: u64,
    pub sha256: String,
    pub added_by: String,
    pub created_at: String,
}

impl From<AttachmentInfo> for AttachmentDto {
    fn from(a: AttachmentInfo) -> Self {
        AttachmentDto {
            id: a.id,
            file_name: a.file_name,
            media_type: a.media_type,
            size_bytes: a.size_bytes,
            sha256: a.sha256,
            added_by: a.added_by,
            created_at: a.created_at,
        }
    }
}

/// An emergency plan with its revision state.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct PlanDto {
    pub id: String,
    pub region_code: String,
    pub region_name: String,
    /// enterprise | chemical_park | water_source | county | city
    pub subject_kind: String,
    pub subject_id: String,
    pub subject_name: String,
    pub title: String,
    /// drafting | under_review | filed
    pub status: String,
    pub issued_on: Option<String>,
    pub filed_on: Option<String>,
    pub filing_number: String,
    pub owner_org: String,
    pub contact_name: String,
    pub contact_phone: String,
    /// Issue date + 3 years (环发〔2015〕4号 第十二条).
    pub revision_due_on: Option<String>,
    /// not_issued | current | due_soon | overdue
    pub revision_state: String,
    /// Days past the revision deadline (negative: days left).
    #[ts(type = "number | null")]
    pub days_overdue: Option<i64>,
    pub is_demo: bool,
    pub attachments: Vec<AttachmentDto>,
}

/// A new plan as entered.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewPlanDto {
    pub subject_kind: String,
    pub subject_id: String,
    pub title: String,
    /// drafting | under_review | filed
    pub status: String,
    #[serde(default)]
    #[ts(optional)]
    pub issued_on: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub filed_on: Option<String>,
    #[serde(default)]
    pub filing_number: String,
    #[serde(default)]
    pub owner_org: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_phone: String,
}

/// Something a new plan can be about: a risk source, a drinking-water source or a region.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct PlanSubjectDto {
    /// The id to put in `NewPlanDto.subject_id` (a region's code for county and city plans).
    pub id: String,
    pub name: String,
    pub region_name: String,
    /// A risk source's address, a water source's kind (drinking_water_intake |
    /// source_protection_zone) or a region's pinyin.
    pub detail: String,
}

/// Which plans to list.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PlanFilterDto {
    #[serde(default)]
    #[ts(optional)]
    pub region_code: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub subject_id: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub subject_kind: Option<String>,
    #[serde(default)]
    pub overdue_only: bool,
}

/// A step of a plan: `review` (drafting → under review), `file` (→ filed, with the dates and
/// the filing number), `revise` (filed → drafting a revision).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PlanStepDto {
    pub step: String,
    #[serde(default)]
    #[ts(optional)]
    pub issued_on: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub filed_on: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub filing_number: Option<String>,
}

/// Plans of one region by revision state.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RegionPlansDto {
    pub region_code: String,
    pub region_name: String,
    pub total: u32,
    pub overdue: u32,
    pub due_soon: u32,
    pub not_issued: u32,
}

/// A chemical on the plan card.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CardChemicalDto {
    pub name_zh: String,
    pub name_en: String,
    pub cas: String,
    pub un_number: String,
    pub max_quantity_t: f64,
    pub in_library: bool,
    pub hazards_zh: Vec<String>,
    pub hazards_en: Vec<String>,
    pub disposal_zh: Vec<String>,
    pub disposal_en: Vec<String>,
    /// False when the library's texts are hand-written and not yet checked.
    pub texts_verified: bool,
    pub gb3838_limit_mg_l: Option<f64>,
}

/// A downstream intake on the card.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CardIntakeDto {
    pub target_id: String,
    pub name: String,
    pub region_name: String,
    /// When the front exceeds the arrival threshold, s after the release.
    pub front_s: Option<f64>,
    /// When the peak passes, s after the release.
    pub peak_s: f64,
}

/// A control work to close.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CardWorkDto {
    pub work_id: String,
    pub name: String,
    pub kind: String,
    pub close_by_s: f64,
    pub protects: Vec<String>,
}

/// The river section of the card: a reference release on the stored network.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CardRiverDto {
    pub reach_name: String,
    pub snap_distance_m: f64,
    pub model_version: String,
    pub release_kg: f64,
    pub threshold_mg_l: f64,
    pub intakes: Vec<CardIntakeDto>,
    pub works: Vec<CardWorkDto>,
}

/// A team, expert or stockpile to call.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CardContactDto {
    pub id: String,
    pub name: String,
    pub detail: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub region_name: String,
    pub distance_m: f64,
}

/// One level of the three-level containment.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ContainmentLevelDto {
    /// enterprise | park | river
    pub level: String,
    pub steps_zh: Vec<String>,
    pub steps_en: Vec<String>,
}

/// The park a risk source lies in.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CardParkDto {
    pub id: String,
    pub name: String,
    pub contact_name: String,
    pub contact_phone: String,
}

/// The one-page plan card of a risk source.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct PlanCardDto {
    pub generated_at: String,
    pub risk_source_id: String,
    pub name: String,
    pub kind: String,
    pub grade: String,
    pub industry: String,
    pub address: String,
    pub region_code: String,
    pub region_name: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub contact_name: String,
    pub contact_phone: String,
    pub is_demo: bool,
    pub park: Option<CardParkDto>,
    pub plan: Option<PlanDto>,
    pub park_plan: Option<PlanDto>,
    pub chemicals: Vec<CardChemicalDto>,
    pub more_chemicals: u32,
    pub river: Option<CardRiverDto>,
    pub river_unavailable_zh: Option<String>,
    pub river_unavailable_en: Option<String>,
    pub teams: Vec<CardContactDto>,
    pub experts: Vec<CardContactDto>,
    pub stockpiles: Vec<CardContactDto>,
    pub containment: Vec<ContainmentLevelDto>,
    pub open_findings: u32,
    pub overdue_findings: u32,
}

/// A finding as entered with its inspection.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewFindingDto {
    pub description: String,
    /// general | major
    pub severity: String,
    /// YYYY-MM-DD
    pub deadline_on: String,
    pub owner: String,
    #[serde(default)]
    pub evidence: String,
}

/// An inspection as entered.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewInspectionDto {
    pub risk_source_id: String,
    /// YYYY-MM-DD
    pub inspected_on: String,
    pub inspectors: String,
    #[serde(default)]
    pub summary: String,
    pub findings: Vec<NewFindingDto>,
}

/// An inspection.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct InspectionDto {
    pub id: String,
    pub region_code: String,
    pub region_name: String,
    pub risk_source_id: String,
    pub inspected_on: String,
    pub inspectors: String,
    pub summary: String,
    pub is_demo: bool,
    /// The findings recorded with it (filled when it is recorded).
    pub finding_ids: Vec<String>,
}

/// One status change of a finding.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct FindingEventDto {
    pub id: String,
    pub status: String,
    pub author: String,
    pub note: String,
    pub evidence: String,
    pub recorded_at: String,
}

/// A hazard finding and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct FindingDto {
    pub id: String,
    pub inspection_id: String,
    pub region_code: String,
    pub region_name: String,
    pub risk_source_id: String,
    pub risk_source_name: String,
    pub inspected_on: String,
    pub description: String,
    /// general | major
    pub severity: String,
    pub deadline_on: String,
    pub owner: String,
    pub evidence: String,
    /// found | rectifying | verified
    pub status: String,
    /// The status it may move to next (`None` once verified).
    pub next_status: Option<String>,
    pub overdue: bool,
    #[ts(type = "number | null")]
    pub days_overdue: Option<i64>,
    pub is_demo: bool,
    pub events: Vec<FindingEventDto>,
    pub attachments: Vec<AttachmentDto>,
}

/// Which findings to list.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FindingFilterDto {
    #[serde(default)]
    #[ts(optional)]
    pub region_code: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub risk_source_id: Option<String>,
    #[serde(default)]
    pub open_only: bool,
    #[serde(default)]
    pub overdue_only: bool,
}

/// Open and overdue findings of one region.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RegionFindingsDto {
    pub region_code: String,
    pub region_name: String,
    pub open: u32,
    pub overdue: u32,
    pub major_overdue: u32,
}

/// A pollutant of a past case.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CasePollutantDto {
    pub name_zh: String,
    pub name_en: String,
    pub cas: String,
}

/// A past case in a list.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CaseSummaryDto {
    pub id: String,
    pub title_zh: String,
    pub title_en: String,
    pub occurred_on: String,
    pub place_zh: String,
    pub incident_types: Vec<String>,
    pub pollutants: Vec<CasePollutantDto>,
}

/// One moment of a past case.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CaseEventDto {
    pub when: String,
    pub zh: String,
    pub en: String,
}

/// A past case in full.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CaseDto {
    pub summary: CaseSummaryDto,
    pub summary_zh: String,
    pub summary_en: String,
    pub timeline: Vec<CaseEventDto>,
    pub actions_zh: Vec<String>,
    pub actions_en: Vec<String>,
    pub lessons_zh: Vec<String>,
    pub lessons_en: Vec<String>,
    /// The official report or statement it is summarised from.
    pub source: String,
    /// False: summarised for Yingji, not checked word by word against the source.
    pub verified: bool,
}

/// A case like an incident, and why.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SimilarCaseDto {
    pub case: CaseSummaryDto,
    pub same_type: bool,
    pub shared_pollutants: Vec<String>,
}

fn case_summary(c: &Case) -> CaseSummaryDto {
    CaseSummaryDto {
        id: c.id.clone(),
        title_zh: c.title_zh.clone(),
        title_en: c.title_en.clone(),
        occurred_on: c.occurred_on.clone(),
        place_zh: c.place_zh.clone(),
        incident_types: c.incident_types.clone(),
        pollutants: c
            .pollutants
            .iter()
            .map(|p| CasePollutantDto { name_zh: p.name_zh.clone(), name_en: p.name_en.clone(), cas: p.cas.clone() })
            .collect(),
    }
}

impl Console {
    fn plan_dto(&self, v: PlanView) -> PlanDto {
        let p = v.plan;
        PlanDto {
            region_name: self.region_name(&p.region_code),
            subject_kind: p.subject_kind.as_str().to_owned(),
            status: p.status.as_str().to_owned(),
            revision_state: v.revision_state.as_str().to_owned(),
            revision_due_on: v.revision_due_on,
            days_overdue: v.days_overdue,
            subject_name: v.subject_name,
            is_demo: p.data_source == "demo",
            attachments: v.attachments.into_iter().map(Into::into).collect(),
            id: p.id,
            region_code: p.region_code,
            subject_id: p.subject_id,
            title: p.title,
            issued_on: p.issued_on,
            filed_on: p.filed_on,
            filing_number: p.filing_number,
            owner_org: p.owner_org,
            contact_name: p.contact_name,
            contact_phone: p.contact_phone,
        }
    }

    fn finding_dto(&self, f: FindingView) -> FindingDto {
        FindingDto {
            region_name: self.region_name(&f.region_code),
            severity: f.severity.as_str().to_owned(),
            status: f.status.as_str().to_owned(),
            next_status: f.status.next().map(|s| s.as_str().to_owned()),
            is_demo: f.data_source == "demo",
            events: f
                .events
                .into_iter()
                .map(|e| FindingEventDto {
                    id: e.id,
                    status: e.status.as_str().to_owned(),
                    author: e.author,
                    note: e.note,
                    evidence: e.evidence,
                    recorded_at: e.recorded_at,
                })
                .collect(),
            attachments: f.attachments.into_iter().map(Into::into).collect(),
            id: f.id,
            inspection_id: f.inspection_id,
            region_code: f.region_code,
            risk_source_id: f.risk_source_id,
            risk_source_name: f.risk_source_name,
            inspected_on: f.inspected_on,
            description: f.description,
            deadline_on: f.deadline_on,
            owner: f.owner,
            evidence: f.evidence,
            overdue: f.overdue,
            days_overdue: f.days_overdue,
        }
    }

    fn inspection_dto(&self, i: Inspection, finding_ids: Vec<String>) -> InspectionDto {
        InspectionDto {
            region_name: self.region_name(&i.region_code),
            is_demo: i.data_source == "demo",
            id: i.id,
            region_code: i.region_code,
            risk_source_id: i.risk_source_id,
            inspected_on: i.inspected_on,
            inspectors: i.inspectors,
            summary: i.summary,
            finding_ids,
        }
    }

    fn contact_dto(&self, c: CardContact) -> CardContactDto {
        CardContactDto {
            region_name: self.region_name(&c.region_code),
            id: c.id,
            name: c.name,
            detail: c.detail,
            contact_name: c.contact_name,
            contact_phone: c.contact_phone,
            distance_m: c.distance_m,
        }
    }

    fn card_dto(&self, c: PlanCard) -> PlanCardDto {
        let s = c.source;
        PlanCardDto {
            generated_at: c.generated_at,
            region_name: self.region_name(&s.region_code),
            kind: s.kind.as_str().to_owned(),
            grade: s.grade.as_str().to_owned(),
            is_demo: c.is_demo,
            park: c.park.map(|p| CardParkDto {
                id: p.id,
                name: p.name,
                contact_name: p.contact_name,
                contact_phone: p.contact_phone,
            }),
            plan: c.plan.map(|p| self.plan_dto(p)),
            park_plan: c.park_plan.map(|p| self.plan_dto(p)),
            chemicals: c
                .chemicals
                .into_iter()
                .map(|h| CardChemicalDto {
                    name_zh: h.name_zh,
                    name_en: h.name_en,
                    cas: h.cas,
                    un_number: h.un_number,
                    max_quantity_t: h.max_quantity_t,
                    in_library: h.in_library,
                    hazards_zh: h.hazards_zh,
                    hazards_en: h.hazards_en,
                    disposal_zh: h.disposal_zh,
                    disposal_en: h.disposal_en,
                    texts_verified: h.texts_verified,
                    gb3838_limit_mg_l: h.gb3838_limit_mg_l,
                })
                .collect(),
            more_chemicals: c.more_chemicals as u32,
            river: c.river.map(|r| CardRiverDto {
                reach_name: r.reach_name,
                snap_distance_m: r.snap_distance_m,
                model_version: r.model_version,
                release_kg: r.release_kg,
                threshold_mg_l: r.threshold_mg_l,
                intakes: r
                    .intakes
                    .into_iter()
                    .map(|i| CardIntakeDto {
                        region_name: self.region_name(&i.region_code),
                        target_id: i.target_id,
                        name: i.name,
                        front_s: i.front_s,
                        peak_s: i.peak_s,
                    })
                    .collect(),
                works: r
                    .works
                    .into_iter()
                    .map(|w| CardWorkDto {
                        work_id: w.work_id,
                        name: w.name,
                        kind: w.kind,
                        close_by_s: w.close_by_s,
                        protects: w.protects,
                    })
                    .collect(),
            }),
            river_unavailable_zh: c.river_unavailable_zh,
            river_unavailable_en: c.river_unavailable_en,
            teams: c.teams.into_iter().map(|x| self.contact_dto(x)).collect(),
            experts: c.experts.into_iter().map(|x| self.contact_dto(x)).collect(),
            stockpiles: c.stockpiles.into_iter().map(|x| self.contact_dto(x)).collect(),
            containment: c
                .containment
                .into_iter()
                .map(|l| ContainmentLevelDto { level: l.level, steps_zh: l.steps_zh, steps_en: l.steps_en })
                .collect(),
            open_findings: c.open_findings as u32,
            overdue_findings: c.overdue_findings as u32,
            risk_source_id: s.id,
            name: s.name,
            industry: s.industry,
            address: s.address,
            region_code: s.region_code,
            lat: s.lat,
            lon: s.lon,
            contact_name: s.contact_name,
            contact_phone: s.contact_phone,
        }
    }

    // ---- plans -----------------------------------------------------------------------------

    /// Plans, the most overdue revisions first.
    pub fn plans(&self, filter: &PlanFilterDto) -> Result<Vec<PlanDto>, ApiError> {
        let f = plans::PlanFilter {
            region_code: filter.region_code.clone(),
            subject_id: filter.subject_id.clone(),
            subject_kind: filter.subject_kind.clone(),
            overdue_only: filter.overdue_only,
        };
        Ok(plans::list(self.store.conn(), self.clock.as_ref(), &f)?.into_iter().map(|v| self.plan_dto(v)).collect())
    }

    /// One plan.
    pub fn plan(&self, id: &str) -> Result<PlanDto, ApiError> {
        let p = plans::get(self.store.conn(), id)?;
        let f = plans::PlanFilter { subject_id: Some(p.subject_id.clone()), ..Default::default() };
        plans::list(self.store.conn(), self.clock.as_ref(), &f)?
            .into_iter()
            .find(|v| v.plan.id == id)
            .map(|v| self.plan_dto(v))
            .ok_or_else(|| PrepError::NotFound { kind: "emergency plan", id: id.to_owned() }.into())
    }

    /// Adds a plan.
    pub fn add_plan(&mut self, new: &NewPlanDto) -> Result<PlanDto, ApiError> {
        let n = plans::NewPlan {
            subject_kind: new.subject_kind.clone(),
            subject_id: new.subject_id.clone(),
            title: new.title.clone(),
            status: new.status.clone(),
            issued_on: new.issued_on.clone(),
            filed_on: new.filed_on.clone(),
            filing_number: new.filing_number.clone(),
            owner_org: new.owner_org.clone(),
            contact_name: new.contact_name.clone(),
            contact_phone: new.contact_phone.clone(),
        };
        let clock = self.clock.clone();
        let tx = self.store.transaction()?;
        let p = plans::add(&tx, clock.as_ref(), &n)?;
        tx.commit()?;
        self.plan(&p.id)
    }

    /// Moves a plan on: review, file (with dates and number) or begin a revision.
    pub fn advance_plan(&mut self, id: &str, step: &PlanStepDto) -> Result<PlanDto, ApiError> {
        let s = match step.step.as_str() {
            "review" => PlanStep::Review,
            "file" => PlanStep::File {
                issued_on: step.issued_on.clone().unwrap_or_default(),
                filed_on: step.filed_on.clone().unwrap_or_default(),
                filing_number: step.filing_number.clone().unwrap_or_default(),
            },
            "revise" => PlanStep::Revise,
            other => {
                return Err(ApiError::invalid(
                    "step",
                    format!("「{other}」不是有效的步骤，可选：review（提交评审）/ file（备案）/ revise（开始修订）"),
                    format!("{other:?} is not a step: review, file or revise"),
                ))
            }
        };
        let clock = self.clock.clone();
        let tx = self.store.transaction()?;
        plans::advance(&tx, clock.as_ref(), id, &s)?;
        tx.commit()?;
        self.plan(id)
    }

    /// Revision states per region, the regions with the most overdue plans first.
    pub fn plans_by_region(&self) -> Result<Vec<RegionPlansDto>, ApiError> {
        Ok(plans::by_region(self.store.conn(), self.clock.as_ref())?
            .into_iter()
            .map(|r| RegionPlansDto {
                region_name: self.region_name(&r.region_code),
                region_code: r.region_code,
                total: r.total,
                overdue: r.overdue,
                due_soon: r.due_soon,
                not_issued: r.not_issued,
            })
            .collect())
    }

    /// The risk sources, water sources or regions a new plan of `subject_kind` can be about,
    /// whose name (or pinyin, or id) contains `text`; at most 50, by name.
    pub fn plan_subjects(&self, subject_kind: &str, text: &str) -> Result<Vec<PlanSubjectDto>, ApiError> {
        Ok(plans::subjects(self.store.conn(), subject_kind, text, 50)?
            .into_iter()
            .map(|o| PlanSubjectDto {
                region_name: self.region_name(&o.region_code),
                id: o.id,
                name: o.name,
                detail: o.detail,
            })
            .collect())
    }

    fn attach_bytes(
        &mut self,
        owner: Owner<'_>,
        file_name: &str,
        bytes: &[u8],
        added_by: &str,
    ) -> Result<AttachmentDto, ApiError> {
        let clock = self.clock.clone();
        let tx = self.store.transaction()?;
        let a = attach::add(&tx, clock.as_ref(), owner, file_name, bytes, added_by)?;
        tx.commit()?;
        Ok(a.into())
    }

    /// Keeps a PDF or DOCX document with a plan, sent as bytes (by the window). The same checks
    /// as [`Console::attach_plan_file`]: at most 20 MB, the type read from the bytes.
    pub fn attach_plan_bytes(
        &mut self,
        plan_id: &str,
        file_name: &str,
        bytes: &[u8],
        added_by: &str,
    ) -> Result<AttachmentDto, ApiError> {
        self.attach_bytes(Owner::Plan(plan_id), file_name, bytes, added_by)
    }

    /// Keeps a photo or document as evidence of a finding, sent as bytes (by the window).
    pub fn attach_finding_bytes(
        &mut self,
        finding_id: &str,
        file_name: &str,
        bytes: &[u8],
        added_by: &str,
    ) -> Result<AttachmentDto, ApiError> {
        self.attach_bytes(Owner::Finding(finding_id), file_name, bytes, added_by)
    }

    /// Keeps a PDF or DOCX file with a plan (read from `path`).
    pub fn attach_plan_file(&mut self, plan_id: &str, path: &Path, added_by: &str) -> Result<AttachmentDto, ApiError> {
        let (name, bytes) = attach::read_file(path)?;
        self.attach_plan_bytes(plan_id, &name, &bytes, added_by)
    }

    /// Keeps a photo or document as evidence of a finding (read from `path`).
    pub fn attach_finding_file(
        &mut self,
        finding_id: &str,
        path: &Path,
        added_by: &str,
    ) -> Result<AttachmentDto, ApiError> {
        let (name, bytes) = attach::read_file(path)?;
        self.attach_finding_bytes(finding_id, &name, &bytes, added_by)
    }

    /// Writes an attachment's bytes to `path`; returns the file name it was kept under.
    pub fn save_attachment(&self, id: &str, path: &Path) -> Result<String, ApiError> {
        let (name, bytes) = attach::content(self.store.conn(), id)?;
        std::fs::write(path, bytes).map_err(|e| io(path, e))?;
        Ok(name)
    }

    /// Writes an attachment into the folder `dir` under its own name (made safe for a file
    /// name; ` (2)`, ` (3)`… before the extension when the name is taken, so nothing is
    /// overwritten); returns the path written.
    pub fn save_attachment_in(&self, id: &str, dir: &Path) -> Result<std::path::PathBuf, ApiError> {
        let (name, bytes) = attach::content(self.store.conn(), id)?;
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let safe: String = name
            .chars()
            .map(|c| {
                if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() {
                    '_'
                } else {
                    c
                }
            })
            .collect();
        let safe = safe.trim().trim_start_matches('.').to_owned();
        let safe = if safe.is_empty() { format!("attachment-{id}") } else { safe };
        let (stem, ext) = match safe.rfind('.') {
            Some(i) if i > 0 => (&safe[..i], &safe[i..]),
            _ => (safe.as_str(), ""),
        };
        for n in 1.. {
            let path = dir.join(if n == 1 { safe.clone() } else { format!("{stem} ({n}){ext}") });
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut f) => {
                    use std::io::Write;
                    f.write_all(&bytes).map_err(|e| io(&path, e))?;
                    return Ok(path);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io(&path, e)),
            }
        }
        unreachable!("some numbered name is free")
    }

    // ---- plan cards ------------------------------------------------------------------------

    /// The one-page plan card of a risk source.
    pub fn plan_card(&self, risk_source_id: &str) -> Result<PlanCardDto, ApiError> {
        Ok(self.card_dto(card::card(self.store.conn(), self.clock.as_ref(), risk_source_id)?))
    }

    /// The plan card as a one-page PDF in `lang` (`zh`, the default, or `en`), written to `path`.
    pub fn plan_card_pdf(&self, risk_source_id: &str, path: &Path, lang: &str) -> Result<(), ApiError> {
        let lang = card::Lang::parse(lang)?;
        let c = card::card(self.store.conn(), self.clock.as_ref(), risk_source_id)?;
        let bytes = card::pdf(&c, lang)?;
        std::fs::write(path, bytes).map_err(|e| io(path, e))
    }

    // ---- inspections -----------------------------------------------------------------------

    /// Records an inspection with its findings.
    pub fn record_inspection(&mut self, new: &NewInspectionDto, author: &str) -> Result<InspectionDto, ApiError> {
        let n = inspect::NewInspection {
            risk_source_id: new.risk_source_id.clone(),
            inspected_on: new.inspected_on.clone(),
            inspectors: new.inspectors.clone(),
            summary: new.summary.clone(),
            findings: new
                .findings
                .iter()
                .map(|f| inspect::NewFinding {
                    description: f.description.clone(),
                    severity: f.severity.clone(),
                    deadline_on: f.deadline_on.clone(),
                    owner: f.owner.clone(),
                    evidence: f.evidence.clone(),
                })
                .collect(),
        };
        let clock = self.clock.clone();
        let tx = self.store.transaction()?;
        let (i, ids) = inspect::record(&tx, clock.as_ref(), &n, author)?;
        tx.commit()?;
        Ok(self.inspection_dto(i, ids))
    }

    /// The inspections of a risk source, newest first.
    pub fn inspections(&self, risk_source_id: &str) -> Result<Vec<InspectionDto>, ApiError> {
        Ok(inspect::inspections_of(self.store.conn(), risk_source_id)?
            .into_iter()
            .map(|i| self.inspection_dto(i, Vec::new()))
            .collect())
    }

    /// Findings: overdue first, then open by deadline, then verified.
    pub fn findings(&self, filter: &FindingFilterDto) -> Result<Vec<FindingDto>, ApiError> {
        let f = inspect::FindingFilter {
            region_code: filter.region_code.clone(),
            risk_source_id: filter.risk_source_id.clone(),
            open_only: filter.open_only,
            overdue_only: filter.overdue_only,
        };
        Ok(inspect::list(self.store.conn(), self.clock.as_ref(), &f)?
            .into_iter()
            .map(|x| self.finding_dto(x))
            .collect())
    }

    /// One finding with its events.
    pub fn finding(&self, id: &str) -> Result<FindingDto, ApiError> {
        Ok(self.finding_dto(inspect::get(self.store.conn(), self.clock.as_ref(), id)?))
    }

    /// Moves a finding one step along its loop (rectifying, then verified).
    pub fn advance_finding(
        &mut self,
        id: &str,
        status: &str,
        author: &str,
        note: &str,
        evidence: &str,
    ) -> Result<FindingDto, ApiError> {
        let clock = self.clock.clone();
        let tx = self.store.transaction()?;
        let f = inspect::advance(&tx, clock.as_ref(), id, status, author, note, evidence)?;
        tx.commit()?;
        Ok(self.finding_dto(f))
    }

    /// Open and overdue findings per region.
    pub fn findings_by_region(&self) -> Result<Vec<RegionFindingsDto>, ApiError> {
        Ok(inspect::dashboard(self.store.conn(), self.clock.as_ref())?
            .into_iter()
            .map(|r| RegionFindingsDto {
                region_name: self.region_name(&r.region_code),
                region_code: r.region_code,
                open: r.open,
                overdue: r.overdue,
                major_overdue: r.major_overdue,
            })
            .collect())
    }

    // ---- case library ----------------------------------------------------------------------

    /// The case library, newest first.
    pub fn cases(&self) -> Result<Vec<CaseSummaryDto>, ApiError> {
        Ok(cases::list(self.store.conn())?.iter().map(case_summary).collect())
    }

    /// One case in full.
    pub fn case(&self, id: &str) -> Result<CaseDto, ApiError> {
        let c = cases::get(self.store.conn(), id)?;
        Ok(CaseDto {
            summary: case_summary(&c),
            summary_zh: c.summary_zh,
            summary_en: c.summary_en,
            timeline: c.timeline.into_iter().map(|e| CaseEventDto { when: e.when, zh: e.zh, en: e.en }).collect(),
            actions_zh: c.actions_zh,
            actions_en: c.actions_en,
            lessons_zh: c.lessons_zh,
            lessons_en: c.lessons_en,
            source: c.source,
            verified: c.verified,
        })
    }

    /// Cases like an incident: same pollutant first, then same kind of incident.
    pub fn cases_like_incident(&self, incident_id: &str) -> Result<Vec<SimilarCaseDto>, ApiError> {
        Ok(cases::like_incident(self.store.conn(), incident_id)?
            .into_iter()
            .map(|s: SimilarCase| SimilarCaseDto {
                case: case_summary(&s.case),
                same_type: s.same_type,
                shared_pollutants: s.shared_pollutants,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use yingji_store::FixedClock;

    use super::*;

    fn demo_console(dir: &Path) -> Console {
        let db = dir.join("demo.db");
        crate::init(&db, true, yingji_demo::DEFAULT_SEED).unwrap();
        let store = yingji_store::Store::open(&db).unwrap();
        Console::with_store(store, Arc::new(FixedClock(time::macros::datetime!(2026-11-29 02:00 UTC)))).unwrap()
    }

    #[test]
    fn plans_cards_findings_and_cases_through_the_facade() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = demo_console(dir.path());
        let overdue = c.plans(&PlanFilterDto { overdue_only: true, ..Default::default() }).unwrap();
        assert!(!overdue.is_empty() && overdue.iter().all(|p| p.revision_state == "overdue" && p.is_demo));
        assert!(!overdue[0].region_name.is_empty());
        let regions = c.plans_by_region().unwrap();
        assert_eq!(regions.iter().map(|r| r.overdue as usize).sum::<usize>(), overdue.len());

        // A plan document: a PDF file is kept; a text file is refused by its bytes.
        let pdf = dir.path().join("plan.pdf");
        std::fs::write(&pdf, b"%PDF-1.4\n%%EOF\n").unwrap();
        let a = c.attach_plan_file(&overdue[0].id, &pdf, "测试").unwrap();
        assert_eq!(a.media_type, "application/pdf");
        let txt = dir.path().join("plan.pdf.txt");
        std::fs::write(&txt, b"not a pdf").unwrap();
        let e = c.attach_plan_file(&overdue[0].id, &txt, "测试").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(e.message_zh.contains("PDF"), "{}", e.message_zh);
        assert_eq!(c.plan(&overdue[0].id).unwrap().attachments.len(), 1);

        // The same checks for bytes sent by the window: wrong type and too large are refused
        // with the same messages, a PDF is kept.
        let e = c.attach_plan_bytes(&overdue[0].id, "plan.pdf", b"not a pdf", "测试").unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidInput, Some("file")));
        assert!(e.message_zh.contains("PDF") && e.message_en.contains("not a PDF or DOCX"), "{e:?}");
        let mut big = b"%PDF-1.7\n".to_vec();
        big.resize(attach::MAX_ATTACHMENT_BYTES as usize + 1, b' ');
        let e = c.attach_plan_bytes(&overdue[0].id, "big.pdf", &big, "测试").unwrap_err();
        assert!(e.message_zh.contains("20 MB") && e.message_zh.contains("big.pdf"), "{}", e.message_zh);
        let b = c.attach_plan_bytes(&overdue[0].id, "b/../预案.pdf", b"%PDF-1.4\n%%EOF\n", "测试").unwrap();
        assert_eq!(c.plan(&overdue[0].id).unwrap().attachments.len(), 2);
        // Saved into a folder under a safe name, never over an existing file.
        let out = dir.path().join("downloads");
        let first = c.save_attachment_in(&b.id, &out).unwrap();
        let second = c.save_attachment_in(&b.id, &out).unwrap();
        assert_eq!(first, out.join("b_.._预案.pdf"));
        assert_eq!(second, out.join("b_.._预案 (2).pdf"));
        assert_eq!(std::fs::read(&second).unwrap(), b"%PDF-1.4\n%%EOF\n");

        // Subjects for the form, with their region's name.
        let counties = c.plan_subjects("county", "江宁").unwrap();
        assert_eq!(counties.len(), 1);
        assert_eq!((counties[0].id.as_str(), counties[0].region_name.as_str()), ("320115", "江宁区"));
        assert_eq!(c.plan_subjects("x", "").unwrap_err().field.as_deref(), Some("subject_kind"));

        // The card of the source of the first demo finding.
        let open = c.findings(&FindingFilterDto { open_only: true, ..Default::default() }).unwrap();
        let f = &open[0];
        let card = c.plan_card(&f.risk_source_id).unwrap();
        assert_eq!(card.risk_source_id, f.risk_source_id);
        assert!(card.open_findings >= 1);
        assert_eq!(card.containment.len(), 3);

        // Move an open finding to its end.
        let mut f = c.finding(&f.id).unwrap();
        while let Some(next) = f.next_status.clone() {
            f = c.advance_finding(&f.id, &next, "测试", "复查合格", "").unwrap();
        }
        assert_eq!((f.status.as_str(), f.overdue), ("verified", false));
        let e = c.advance_finding(&f.id, "verified", "测试", "x", "").unwrap_err();
        assert!(e.message_zh.contains("已闭环"), "{}", e.message_zh);

        let cases = c.cases().unwrap();
        assert!(cases.len() >= 4);
        let full = c.case("2019-xiangshui-explosion").unwrap();
        assert!(full.source.contains("调查报告"));
        assert_eq!(c.case("nope").unwrap_err().code, ErrorCode::RecordNotFound);
    }
}
