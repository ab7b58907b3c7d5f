//! Incident command in the façade: one method per user action on an incident, and the DTOs the
//! window and the CLI see (converted by hand from `yingji-incident`'s types).

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use yingji_incident::{
    self as inc,
    cap::{self, WarningArea, WarningLevel},
    deadline,
    dispatch::{self, NewRequest},
    report::{self, ReportKind, ReportStatus},
    severity::{self, Boundary, IntakeLevel, SeverityFacts},
    support::{self, Answer, SupportKind},
    IncidentError, IncidentType, LogKind, OrderStatus, Tier,
};

use crate::{ApiError, Console, ErrorCode};

impl From<IncidentError> for ApiError {
    fn from(e: IncidentError) -> ApiError {
        let en = e.to_string();
        match e {
            IncidentError::NotFound { kind, id } => {
                ApiError::new(ErrorCode::RecordNotFound, format!("找不到记录（{kind} {id}）。"), en)
            }
            IncidentError::Invalid { field, message_zh, .. } => ApiError::invalid(field, message_zh, en),
            IncidentError::Closed { id } => {
                ApiError::invalid("incident_id", format!("事件 {id} 已结案，不能再添加记录。"), en)
            }
            IncidentError::NotEnoughStock { available, unit, requested, .. } => ApiError::invalid(
                "quantity",
                format!("库存只剩 {available} {unit}，不足 {requested} {unit}。请少调一些或从其他仓库调拨。"),
                en,
            ),
            IncidentError::NoCjkFont { searched } => ApiError::new(
                ErrorCode::Internal,
                format!(
                    "找不到中文字体（查找了 {searched}）。请安装 fonts-noto-cjk，或用 YINGJI_CJK_FONT 指定字体文件。"
                ),
                en,
            ),
            IncidentError::Store(s) => s.into(),
            _ => ApiError::new(ErrorCode::Internal, format!("事件操作失败：{en}"), en),
        }
    }
}

fn parse<T>(field: &str, value: &str, parse: fn(&str) -> Option<T>, allowed: &[&str]) -> Result<T, ApiError> {
    parse(value).ok_or_else(|| {
        ApiError::invalid(
            field,
            format!("「{value}」不是有效的取值，可选：{}", allowed.join(" / ")),
            format!("{value:?} is not one of {}", allowed.join(", ")),
        )
    })
}

macro_rules! parse_enum {
    ($field:literal, $value:expr, $ty:ty) => {
        parse($field, $value, <$ty>::parse, &<$ty>::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>())
    };
}

/// A pollutant of an incident.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PollutantDto {
    pub name_zh: String,
    #[serde(default)]
    pub cas: String,
    #[ts(optional)]
    pub estimated_quantity_kg: Option<f64>,
}

/// What the operator enters when an alarm comes in.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewIncidentDto {
    pub name: String,
    /// water | air | soil | transport | fire_water | marine | other
    pub incident_type: String,
    pub lat: f64,
    pub lon: f64,
    #[ts(optional)]
    pub region_code: Option<String>,
    #[ts(optional)]
    pub risk_source_id: Option<String>,
    #[serde(default)]
    pub source_description: String,
    /// RFC 3339; now when left out.
    #[ts(optional)]
    pub occurred_at: Option<String>,
    pub reported_by: String,
    #[serde(default)]
    pub exercise: bool,
    #[serde(default)]
    pub pollutants: Vec<PollutantDto>,
}

/// An incident in lists.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct IncidentDto {
    pub id: String,
    pub region_code: String,
    pub region_name: String,
    pub name: String,
    pub incident_type: String,
    pub incident_type_zh: String,
    pub incident_type_en: String,
    pub lat: f64,
    pub lon: f64,
    pub risk_source_id: Option<String>,
    pub source_description: String,
    pub occurred_at: String,
    pub reported_by: String,
    /// open | closed
    pub status: String,
    pub confirmed_tier: Option<String>,
    /// A drill: everything it produces is marked as an exercise.
    pub exercise: bool,
    /// When the console learned of it (the reporting deadlines start here).
    pub created_at: String,
}

/// One entry of the command log.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct LogEntryDto {
    pub id: String,
    pub kind: String,
    pub kind_zh: String,
    pub kind_en: String,
    pub author: String,
    pub body: String,
    pub ref_table: Option<String>,
    pub ref_id: Option<String>,
    pub order_status: Option<String>,
    /// The entry this one corrects.
    pub corrects_id: Option<String>,
    pub recorded_at: String,
}

/// The facts the severity tier is suggested from.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SeverityFactsDto {
    #[serde(default)]
    pub deaths: u32,
    #[serde(default)]
    pub poisoned_or_injured: u32,
    #[serde(default)]
    pub evacuated: u32,
    #[serde(default)]
    pub direct_loss_yuan: f64,
    /// township | county | city: the level of the town whose drinking-water source stopped.
    #[ts(optional)]
    pub intake_interrupted: Option<String>,
    /// county | city | province | national
    #[ts(optional)]
    pub cross_boundary: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TierReasonDto {
    pub tier: String,
    pub clause: String,
    pub reason_zh: String,
    pub reason_en: String,
}

/// The suggested tier with the criteria met.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TierSuggestionDto {
    pub tier: String,
    pub tier_zh: String,
    pub tier_en: String,
    pub reasons: Vec<TierReasonDto>,
}

/// One reporting deadline, for a countdown.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DeadlineDto {
    pub from_zh: String,
    pub from_en: String,
    pub to_zh: String,
    pub to_en: String,
    pub due_at: String,
    #[ts(type = "number")]
    pub remaining_s: i64,
    pub overdue: bool,
    pub article: String,
    /// The tier the deadline was computed for.
    pub tier: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct OrderDto {
    pub id: String,
    pub team_id: String,
    pub team_name: String,
    pub task: String,
    pub issued_by: String,
    pub issued_at: String,
    pub status: String,
    pub status_zh: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SupportCandidateDto {
    /// team | expert
    pub kind: String,
    pub id: String,
    pub name: String,
    pub detail: String,
    pub specialties: String,
    pub matched: Vec<String>,
    pub score: f64,
    pub distance_m: Option<f64>,
    pub contact_phone: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SupportCallDto {
    pub id: String,
    pub kind: String,
    pub target_id: String,
    pub name: String,
    pub called_at: String,
    pub called_by: String,
    pub answer: String,
    pub answer_zh: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DispatchCandidateDto {
    pub stock_item_id: String,
    pub item_name: String,
    pub warehouse_id: String,
    pub warehouse_name: String,
    pub quantity: f64,
    pub unit: String,
    pub distance_m: f64,
    /// Straight-line distance × road detour factor ÷ truck speed (yingji-incident dispatch.rs).
    pub travel_minutes: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MaterialRequestDto {
    pub item: String,
    pub quantity: f64,
    pub unit: String,
    #[ts(optional)]
    pub unit_cost_yuan: Option<f64>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AllocationDto {
    pub id: String,
    pub request_id: String,
    pub stock_item_id: String,
    pub item_name: String,
    pub warehouse_name: String,
    pub quantity: f64,
    pub unit: String,
    pub distance_m: f64,
    pub travel_minutes: f64,
    pub ledger_entry_id: String,
    pub dispatched_at: String,
    pub arrived_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RequestOutcomeDto {
    pub request_id: String,
    pub item: String,
    pub requested: f64,
    pub unit: String,
    pub allocated: f64,
    pub shortfall: f64,
    pub allocations: Vec<AllocationDto>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ReportDto {
    pub id: String,
    pub incident_id: String,
    /// initial | follow_up | result
    pub kind: String,
    pub kind_zh: String,
    #[ts(type = "number")]
    pub version: i64,
    pub title: String,
    pub body: String,
    pub drafted_by: String,
    pub created_at: String,
    /// sent | received | acknowledged; none while a draft
    pub status: Option<String>,
    pub status_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReportDraftDto {
    pub title: String,
    pub body: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewWarningDto {
    /// blue | yellow | orange | red
    pub level: String,
    pub headline: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub instruction: String,
    #[serde(default)]
    pub area_desc: String,
    /// The area's ring as [lat, lon] pairs (e.g. a threat zone); or leave it out and give radius_m.
    #[ts(optional)]
    pub polygon: Option<Vec<(f64, f64)>>,
    /// A circle of this radius around the incident.
    #[ts(optional)]
    pub radius_m: Option<f64>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct WarningDto {
    pub id: String,
    pub level: String,
    pub level_zh: String,
    pub headline: String,
    pub description: String,
    pub instruction: String,
    pub area_desc: String,
    /// Closed ring, [lat, lon] pairs.
    pub ring: Vec<(f64, f64)>,
    pub issued_by: String,
    pub issued_at: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct MaterialUsedDto {
    pub item_name: String,
    pub warehouse_name: String,
    pub quantity: f64,
    pub unit: String,
    pub cost_yuan: Option<f64>,
    pub arrived: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ClosingSummaryDto {
    pub incident: IncidentDto,
    pub timeline: Vec<LogEntryDto>,
    pub materials: Vec<MaterialUsedDto>,
    pub materials_cost_yuan: f64,
    pub entered_costs_yuan: f64,
    pub direct_loss_estimate_yuan: f64,
    pub closed_at: Option<String>,
    pub summary_text: Option<String>,
}

/// Everything about one incident, for its screen.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct IncidentDetailDto {
    pub incident: IncidentDto,
    pub pollutants: Vec<PollutantDto>,
    pub log: Vec<LogEntryDto>,
    /// From the confirmed tier; empty until one is confirmed.
    pub deadlines: Vec<DeadlineDto>,
    pub orders: Vec<OrderDto>,
    pub calls: Vec<SupportCallDto>,
    pub allocations: Vec<AllocationDto>,
    pub reports: Vec<ReportDto>,
    pub warnings: Vec<WarningDto>,
}

pub(crate) fn log_dto(e: inc::LogEntry) -> LogEntryDto {
    LogEntryDto {
        id: e.id,
        kind: e.kind.as_str().into(),
        kind_zh: e.kind.label_zh().into(),
        kind_en: e.kind.label_en().into(),
        author: e.author,
        body: e.body,
        ref_table: e.ref_table,
        ref_id: e.ref_id,
        order_status: e.status.map(|s| s.as_str().into()),
        corrects_id: e.corrects_id,
        recorded_at: e.recorded_at,
    }
}

pub(crate) fn allocation_dto(a: dispatch::Allocation) -> AllocationDto {
    AllocationDto {
        id: a.id,
        request_id: a.request_id,
        stock_item_id: a.stock_item_id,
        item_name: a.item_name,
        warehouse_name: a.warehouse_name,
        quantity: a.quantity,
        unit: a.unit,
        distance_m: a.distance_m.round(),
        travel_minutes: (a.travel_minutes * 10.0).round() / 10.0,
        ledger_entry_id: a.ledger_entry_id,
        dispatched_at: a.dispatched_at,
        arrived_at: a.arrived_at,
    }
}

pub(crate) fn report_dto(r: report::Report) -> ReportDto {
    ReportDto {
        id: r.id,
        incident_id: r.incident_id,
        kind: r.kind.as_str().into(),
        kind_zh: r.kind.label_zh().into(),
        version: r.version,
        title: r.title,
        body: r.body,
        drafted_by: r.drafted_by,
        created_at: r.created_at,
        status: r.status.map(|s| s.as_str().into()),
        status_at: r.status_at,
    }
}

pub(crate) fn warning_dto(w: cap::Warning) -> WarningDto {
    WarningDto {
        id: w.id,
        level: w.level.as_str().into(),
        level_zh: w.level.label_zh().into(),
        headline: w.headline,
        description: w.description,
        instruction: w.instruction,
        area_desc: w.area_desc,
        ring: w.ring,
        issued_by: w.issued_by,
        issued_at: w.issued_at,
    }
}

fn deadline_dtos(tier: Tier, ds: Vec<deadline::Deadline>) -> Vec<DeadlineDto> {
    ds.into_iter()
        .map(|d| DeadlineDto {
            from_zh: d.from_zh,
            from_en: d.from_en,
            to_zh: d.to_zh,
            to_en: d.to_en,
            due_at: d.due_at,
            remaining_s: d.remaining_s,
            overdue: d.overdue,
            article: d.article,
            tier: tier.as_str().into(),
        })
        .collect()
}

fn parse_time(field: &str, s: &str) -> Result<yingji_store::Timestamp, ApiError> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).map_err(|e| {
        ApiError::invalid(field, format!("「{s}」不是 RFC 3339 时间"), format!("{s:?} is not an RFC 3339 time: {e}"))
    })
}

/// The tier suggested by the 国家突发环境事件应急预案 criteria (no database needed).
pub fn suggest_tier(facts: &SeverityFactsDto) -> Result<TierSuggestionDto, ApiError> {
    let f = SeverityFacts {
        deaths: facts.deaths,
        poisoned_or_injured: facts.poisoned_or_injured,
        evacuated: facts.evacuated,
        direct_loss_yuan: if facts.direct_loss_yuan.is_finite() && facts.direct_loss_yuan >= 0.0 {
            facts.direct_loss_yuan
        } else {
            return Err(ApiError::invalid(
                "direct_loss_yuan",
                "直接经济损失必须是非负数",
                "direct_loss_yuan must be ≥ 0",
            ));
        },
        intake_interrupted: match &facts.intake_interrupted {
            Some(s) => Some(parse_enum!("intake_interrupted", s, IntakeLevel)?),
            None => None,
        },
        cross_boundary: match &facts.cross_boundary {
            Some(s) => Some(parse_enum!("cross_boundary", s, Boundary)?),
            None => None,
        },
    };
    let s = severity::suggest(&f);
    Ok(TierSuggestionDto {
        tier: s.tier.as_str().into(),
        tier_zh: s.tier.label_zh().into(),
        tier_en: s.tier.label_en().into(),
        reasons: s
            .reasons
            .into_iter()
            .map(|r| TierReasonDto {
                tier: r.tier.as_str().into(),
                clause: r.clause,
                reason_zh: r.reason_zh,
                reason_en: r.reason_en,
            })
            .collect(),
    })
}

impl Console {
    pub(crate) fn incident_dto(&self, i: inc::Incident) -> IncidentDto {
        IncidentDto {
            region_name: self.region_name(&i.region_code),
            id: i.id,
            region_code: i.region_code,
            name: i.name,
            incident_type: i.incident_type.as_str().into(),
            incident_type_zh: i.incident_type.label_zh().into(),
            incident_type_en: i.incident_type.label_en().into(),
            lat: i.lat,
            lon: i.lon,
            risk_source_id: i.risk_source_id,
            source_description: i.source_description,
            occurred_at: i.occurred_at,
            reported_by: i.reported_by,
            status: i.status.as_str().into(),
            confirmed_tier: i.confirmed_tier.map(|t| t.as_str().into()),
            exercise: i.exercise,
            created_at: i.created_at,
        }
    }

    /// Receives an alarm: a new incident with its pollutants and the first log entry.
    pub fn create_incident(&mut self, new: &NewIncidentDto) -> Result<IncidentDto, ApiError> {
        let n = inc::NewIncident {
            name: new.name.clone(),
            incident_type: parse_enum!("incident_type", &new.incident_type, IncidentType)?,
            lat: new.lat,
            lon: new.lon,
            region_code: new.region_code.clone(),
            risk_source_id: new.risk_source_id.clone(),
            source_description: new.source_description.clone(),
            occurred_at: new.occurred_at.clone(),
            reported_by: new.reported_by.clone(),
            exercise: new.exercise,
            pollutants: new
                .pollutants
                .iter()
                .map(|p| inc::Pollutant {
                    name_zh: p.name_zh.clone(),
                    cas: p.cas.clone(),
                    estimated_quantity_kg: p.estimated_quantity_kg,
                })
                .collect(),
        };
        let clock = self.clock.clone();
        let tx = self.store.transaction()?;
        let i = inc::create(&tx, clock.as_ref(), &n)?;
        tx.commit()?;
        Ok(self.incident_dto(i))
    }

    /// All incidents, newest first.
    pub fn list_incidents(&self) -> Result<Vec<IncidentDto>, ApiError> {
        Ok(inc::list(self.store.conn())?.into_iter().map(|i| self.incident_dto(i)).collect())
    }

    /// Everything about one incident, with the deadlines' time left now.
    pub fn incident_detail(&self, id: &str) -> Result<IncidentDetailDto, ApiError> {
        let conn = self.store.conn();
        let i = inc::get(conn, id)?;
        let deadlines = match i.confirmed_tier {
            Some(t) => self.deadlines_for(&i, t)?,
            None => Vec::new(),
        };
        Ok(IncidentDetailDto {
            pollutants: inc::pollutants(conn, id)?
                .into_iter()
                .map(|p| PollutantDto {
                    name_zh: p.name_zh,
                    cas: p.cas,
                    estimated_quantity_kg: p.estimated_quantity_kg,
                })
                .collect(),
            log: inc::log_of(conn, id)?.into_iter().map(log_dto).collect(),
            deadlines,
            orders: inc::orders_of(conn, id)?
                .into_iter()
                .map(|o| OrderDto {
                    id: o.id,
                    team_id: o.team_id,
                    team_name: o.team_name,
                    task: o.task,
                    issued_by: o.issued_by,
                    issued_at: o.issued_at,
                    status: o.status.as_str().into(),
                    status_zh: o.status.label_zh().into(),
                })
                .collect(),
            calls: support::calls_of(conn, id)?
                .into_iter()
                .map(|c| SupportCallDto {
                    id: c.id,
                    kind: c.kind.as_str().into(),
                    target_id: c.target_id,
                    name: c.name,
                    called_at: c.called_at,
                    called_by: c.called_by,
                    answer: c.answer.as_str().into(),
                    answer_zh: c.answer.label_zh().into(),
                    note: c.note,
                })
                .collect(),
            allocations: dispatch::allocations_of(conn, id)?.into_iter().map(allocation_dto).collect(),
            reports: report::reports_of(conn, id)?.into_iter().map(report_dto).collect(),
            warnings: cap::warnings_of(conn, id)?.into_iter().map(warning_dto).collect(),
            incident: self.incident_dto(i),
        })
    }

    fn deadlines_for(&self, i: &inc::Incident, tier: Tier) -> Result<Vec<DeadlineDto>, ApiError> {
        let known = parse_time("created_at", &i.created_at)?;
        Ok(deadline_dtos(tier, deadline::deadlines(tier, known, None, self.clock.now())))
    }

    /// The reporting deadlines for a tier (the confirmed one when `tier` is left out).
    pub fn incident_deadlines(&self, id: &str, tier: Option<&str>) -> Result<Vec<DeadlineDto>, ApiError> {
        let i = inc::get(self.store.conn(), id)?;
        let tier = match tier {
            Some(t) => parse_enum!("tier", t, Tier)?,
            None => i.confirmed_tier.ok_or_else(|| {
                ApiError::invalid("tier", "事件级别尚未确认，请指定级别", "no tier confirmed yet; give one")
            })?,
        };
        self.deadlines_for(&i, tier)
    }

    /// Adds a decision, call, arrival or note to the log.
    pub fn add_log_entry(&mut self, id: &str, kind: &str, author: &str, body: &str) -> Result<LogEntryDto, ApiError> {
        let kind = parse_enum!("kind", kind, LogKind)?;
        let clock = self.clock.clone();
        let tx = self.store.transaction()?;
        let e = inc::log(&tx, clock.as_ref(), id, kind, author, body)?;
        tx.commit()?;
        Ok(log_dto(e))
    }

    /// Corrects an earlier log entry with a new one (the earlier one stays).
    pub fn correct_log_entry(
        &mut self,
        id: &str,
        corrects_id: &str,
        author: &str,
        body: &str,
    ) -> Result<LogEntryDto, ApiError> {
        let clock = self.clock.clone();
        let tx = self.store.transaction()?;
        let e = inc::correct(&tx, clock.as_ref(), id, corrects_id, author, body)?;
        tx.commit()?;
        Ok(log_dto(e))
    }

    /// The commander confirms the tier (a log entry).
    pub fn confirm_tier(&mut self, id: &str, tier: &str, author: &str, note: &str) -> Result<LogEntryDto, ApiError> {
        let tier = parse_enum!("tier", tier, Tier)?;
        let clock = self.clock.clone();
        let tx = self.store.transaction()?;
        let e = inc::confirm_tier(&tx, clock.as_ref(), id, tier, author, note)?;
        tx.commit()?;
        Ok(log_dto(e))
    }

    /// Orders a team to a task.
    pub fn order_team(&mut self, id: &str, team_id: &str, task: &str, author: &str) -> Result<OrderDto, ApiError> {
        let clock = self.clock.clone();
        let tx = self.store.transaction()?;
        let o = inc::order_team(&tx, clock.as_ref(), id, team_id, task, author)?;
        tx.commit()?;
        Ok(OrderDto {
            id: o.id,
            team_id: o.team_id,
            team_name: o.team_name,
            task: o.task,
            issued_by: o.issued_by,
            issued_at: o.issued_at,
            status: o.status.as_str().into(),
            status_zh: o.status.label_zh().into(),
        })
    }

    /// A status change of an order (a log entry).
    pub fn set_order_status(&mut self, order_id: &str, status: &str, author: &str) -> Result<LogEntryDto, ApiError> {
        let status = parse_enum!("status", status, OrderStatus)?;
        let clock = self.clock.clone();
        let tx = self.store.transaction()?;
        let e = inc::order_status(&tx, clock.as_ref(), order_id, status, author)?;
        tx.commit()?;
        Ok(log_dto(e))
    }

    /// Teams or experts ranked by specialty match, then distance.
    pub fn rank_support(&self, id: &str, kind: &str, limit: u32) -> Result<Vec<SupportCandidateDto>, ApiError> {
        let kind = parse_enum!("kind", kind, SupportKind)?;
        Ok(support::rank(self.store.conn(), id, kind, if limit == 0 { 10 } else { limit as usize })?
            .into_iter()
            .map(|c| SupportCandidateDto {
                kind: c.kind.as_str().into(),
                id: c.id,
                name: c.name,
                detail: c.detail,
                specialties: c.specialties,
                matched: c.matched,
                score: (c.score * 1000.0).round() / 1000.0,
                distance_m: c.distance_m.map(f64::round),
                contact_phone: c.contact_phone,
            })
            .collect())
    }

    /// Records a call to a team or expert and the answer.
    pub fn record_support_call(
        &mut self,
        id: &str,
        kind: &str,
        target_id: &str,
        answer: &str,
        note: &str,
        author: &str,
    ) -> Result<SupportCallDto, ApiError> {
        let kind = parse_enum!("kind", kind, SupportKind)?;
        let answer = parse_enum!("answer", answer, Answer)?;
        let clock = self.clock.clone();
        let tx = self.store.transaction()?;
        let c = support::record_call(&tx, clock.as_ref(), id, kind, target_id, answer, note, author)?;
        tx.commit()?;
        Ok(SupportCallDto {
            id: c.id,
            kind: c.kind.as_str().into(),
            target_id: c.target_id,
            name: c.name,
            called_at: c.called_at,
            called_by: c.called_by,
            answer: c.answer.as_str().into(),
            answer_zh: c.answer.label_zh().into(),
            note: c.note,
        })
    }

    /// Stock of an item nearest the incident first, with travel times.
    pub fn dispatch_candidates(&self, id: &str, item: &str) -> Result<Vec<DispatchCandidateDto>, ApiError> {
        let i = inc::get(self.store.conn(), id)?;
        Ok(dispatch::candidates(self.store.conn(), i.lat, i.lon, item)?
            .into_iter()
            .map(|c| DispatchCandidateDto {
                stock_item_id: c.stock_item_id,
                item_name: c.item_name,
                warehouse_id: c.warehouse_id,
                warehouse_name: c.warehouse_name,
                quantity: c.quantity,
                unit: c.unit,
                distance_m: c.distance_m.round(),
                travel_minutes: (c.travel_minutes * 10.0).round() / 10.0,
            })
            .collect())
    }

    /// A material request allocated nearest first from one or more warehouses (one transaction).
    pub fn request_materials(
        &mut self,
        id: &str,
        req: &MaterialRequestDto,
        author: &str,
    ) -> Result<RequestOutcomeDto, ApiError> {
        let clock = self.clock.clone();
        let tx = self.store.transaction()?;
        let out = dispatch::request_nearest(
            &tx,
            clock.as_ref(),
            id,
            &NewRequest {
                item: req.item.clone(),
                quantity: req.quantity,
                unit: req.unit.clone(),
                unit_cost_yuan: req.unit_cost_yuan,
            },
            author,
        )?;
        tx.commit()?;
        Ok(RequestOutcomeDto {
            request_id: out.request_id,
            item: out.item,
            requested: out.requested,
            unit: out.unit,
            allocated: out.allocated,
            shortfall: out.shortfall,
            allocations: out.allocations.into_iter().map(allocation_dto).collect(),
        })
    }

    /// Allocates a chosen quantity of one stock line to a request.
    pub fn allocate_material(
        &mut self,
        request_id: &str,
        stock_item_id: &str,
        quantity: f64,
        author: &str,
    ) -> Result<AllocationDto, ApiError> {
        let clock = self.clock.clone();
        let tx = self.store.transaction()?;
        let a = dispatch::allocate(&tx, clock.as_ref(), request_id, stock_item_id, quantity, author)?;
        tx.commit()?;
        Ok(allocation_dto(a))
    }

    /// Records that an allocation arrived.
    pub fn record_arrival(&mut self, allocation_id: &str, author: &str) -> Result<(), ApiError> {
        let clock = self.clock.clone();
        let tx = self.store.transaction()?;
        dispatch::arrive(&tx, clock.as_ref(), allocation_id, author)?;
        tx.commit()?;
        Ok(())
    }

    /// The drafted text of a report (not saved).
    pub fn draft_report(&self, id: &str, kind: &str) -> Result<ReportDraftDto, ApiError> {
        let kind = parse_enum!("kind", kind, ReportKind)?;
        let (title, body) = report::draft(self.store.conn(), id, kind)?;
        Ok(ReportDraftDto { title, body })
    }

    /// Saves a new version of a report: the given text, or the draft when `text` is left out.
    pub fn save_report(
        &mut self,
        id: &str,
        kind: &str,
        text: Option<ReportDraftDto>,
        author: &str,
    ) -> Result<ReportDto, ApiError> {
        let kind = parse_enum!("kind", kind, ReportKind)?;
        let clock = self.clock.clone();
        let tx = self.store.transaction()?;
        let r = report::save(&tx, clock.as_ref(), id, kind, text.map(|t| (t.title, t.body)), author)?;
        tx.commit()?;
        Ok(report_dto(r))
    }

    /// Marks a report version sent, received or acknowledged.
    pub fn mark_report(&mut self, report_id: &str, status: &str, by: &str) -> Result<ReportDto, ApiError> {
        let status = parse_enum!("status", status, ReportStatus)?;
        let clock = self.clock.clone();
        let tx = self.store.transaction()?;
        let r = report::mark(&tx, clock.as_ref(), report_id, status, by)?;
        tx.commit()?;
        Ok(report_dto(r))
    }

    /// Writes a report version to `path` as `docx` or `pdf` (Chinese font embedded in the PDF).
    pub fn export_report(&self, report_id: &str, format: &str, path: &std::path::Path) -> Result<(), ApiError> {
        let r = report::get(self.store.conn(), report_id)?;
        let bytes = match format {
            "pdf" => yingji_incident::export::report_pdf(&r.title, &r.body)?,
            "docx" => yingji_incident::export::report_docx(&r.title, &r.body)?,
            other => {
                return Err(ApiError::invalid(
                    "format",
                    format!("不支持的格式「{other}」，可选 docx / pdf"),
                    format!("unknown format {other:?}; use docx or pdf"),
                ))
            }
        };
        std::fs::write(path, bytes).map_err(|e| {
            ApiError::new(
                ErrorCode::Internal,
                format!("无法写入 {}：{e}", path.display()),
                format!("cannot write {}: {e}", path.display()),
            )
        })
    }

    /// Issues a warning over a polygon or a circle around the incident.
    pub fn issue_warning(&mut self, id: &str, w: &NewWarningDto, author: &str) -> Result<WarningDto, ApiError> {
        let level = parse_enum!("level", &w.level, WarningLevel)?;
        let area = match (&w.polygon, w.radius_m) {
            (Some(p), _) => WarningArea::Polygon(p.clone()),
            (None, Some(r)) => WarningArea::Buffer { radius_m: r },
            (None, None) => {
                return Err(ApiError::invalid(
                    "polygon",
                    "请给出预警范围（多边形或半径）",
                    "give the area: a polygon or radius_m",
                ))
            }
        };
        let clock = self.clock.clone();
        let tx = self.store.transaction()?;
        let out = cap::issue(
            &tx,
            clock.as_ref(),
            id,
            level,
            &w.headline,
            &w.description,
            &w.instruction,
            &w.area_desc,
            &area,
            author,
        )?;
        tx.commit()?;
        Ok(warning_dto(out))
    }

    /// A warning as CAP 1.2 XML.
    pub fn warning_cap_xml(&self, warning_id: &str, sender: &str) -> Result<String, ApiError> {
        let conn = self.store.conn();
        let incident_id: String = conn
            .query_row("SELECT incident_id FROM incident_warnings WHERE id = ?1", [warning_id], |r| r.get(0))
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => ApiError::new(
                    ErrorCode::RecordNotFound,
                    format!("找不到预警 {warning_id}"),
                    format!("no warning with id {warning_id}"),
                ),
                e => e.into(),
            })?;
        let i = inc::get(conn, &incident_id)?;
        let w = cap::warnings_of(conn, &incident_id)?
            .into_iter()
            .find(|w| w.id == warning_id)
            .expect("the warning was just found by id");
        Ok(cap::to_cap_xml(&i, &w, sender)?)
    }

    /// A cost entered by hand, for the direct loss estimate.
    pub fn add_incident_cost(
        &mut self,
        id: &str,
        description: &str,
        amount_yuan: f64,
        author: &str,
    ) -> Result<(), ApiError> {
        let clock = self.clock.clone();
        let tx = self.store.transaction()?;
        inc::add_cost(&tx, clock.as_ref(), id, description, amount_yuan, author)?;
        tx.commit()?;
        Ok(())
    }

    fn closing_dto(&self, s: inc::ClosingSummary) -> ClosingSummaryDto {
        ClosingSummaryDto {
            incident: self.incident_dto(s.incident),
            timeline: s.timeline.into_iter().map(log_dto).collect(),
            materials: s
                .materials
                .into_iter()
                .map(|m| MaterialUsedDto {
                    item_name: m.item_name,
                    warehouse_name: m.warehouse_name,
                    quantity: m.quantity,
                    unit: m.unit,
                    cost_yuan: m.cost_yuan,
                    arrived: m.arrived,
                })
                .collect(),
            materials_cost_yuan: s.materials_cost_yuan,
            entered_costs_yuan: s.entered_costs_yuan,
            direct_loss_estimate_yuan: s.direct_loss_estimate_yuan,
            closed_at: s.closed_at,
            summary_text: s.summary_text,
        }
    }

    /// The closing summary as it stands.
    pub fn closing_summary(&self, id: &str) -> Result<ClosingSummaryDto, ApiError> {
        Ok(self.closing_dto(inc::closing_summary(self.store.conn(), id)?))
    }

    /// Closes the incident; nothing can be added afterwards.
    pub fn close_incident(&mut self, id: &str, summary: &str, author: &str) -> Result<ClosingSummaryDto, ApiError> {
        let clock = self.clock.clone();
        let tx = self.store.transaction()?;
        let s = inc::close(&tx, clock.as_ref(), id, summary, author)?;
        tx.commit()?;
        Ok(self.closing_dto(s))
    }

    /// Records that a control work (sluice, gate, ship lock, pump station) was closed: a
    /// structured log entry naming it, timed against the plume in a drill's evaluation.
    pub fn close_control_work(
        &mut self,
        id: &str,
        work_id: &str,
        author: &str,
        note: &str,
    ) -> Result<LogEntryDto, ApiError> {
        let clock = self.clock.clone();
        let tx = self.store.transaction()?;
        let e = yingji_incident::gate::close_control_work(&tx, clock.as_ref(), id, work_id, author, note)?;
        tx.commit()?;
        Ok(log_dto(e))
    }
}
