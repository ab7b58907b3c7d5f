//! Tabletop drills in the façade: start a drill (a copy of the replica), the facilitator's
//! clock, the inject feed, replay as of a time, the evaluation and its PDF, and the scenario
//! files. DTOs converted by hand from `yingji-drill`'s types.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use yingji_drill::{
    self as drill,
    evaluate::{self, Evaluation},
    scenario::{self, Scenario},
    ClockAction, DrillError,
};
use yingji_store::SystemClock;

use crate::{
    incidents::{allocation_dto, log_dto, report_dto, warning_dto},
    ApiError, Console, ErrorCode, IncidentDetailDto, OrderDto, PollutantDto, SupportCallDto,
};

impl From<DrillError> for ApiError {
    fn from(e: DrillError) -> ApiError {
        let en = e.to_string();
        match e {
            DrillError::Invalid { field, message_zh, .. } => ApiError::invalid(field, message_zh, en),
            DrillError::File { path, message } => {
                ApiError::new(ErrorCode::InvalidInput, format!("无法读写文件 {path}：{message}"), en)
            }
            DrillError::Exists { path } => ApiError::new(
                ErrorCode::DatabaseExists,
                format!("{path} 已存在；演练数据库请另给一个新文件名（演练从不覆盖文件）。"),
                en,
            ),
            DrillError::NotADrill => {
                ApiError::new(ErrorCode::NotADrill, "当前数据库不是演练数据库。请先用演练脚本开始一次演练。", en)
            }
            DrillError::AlreadyADrill { path } => ApiError::new(
                ErrorCode::InvalidInput,
                format!("{path} 已经是演练数据库；请从真实的数据库开始演练。"),
                en,
            ),
            DrillError::NoDrillYet => {
                ApiError::new(ErrorCode::NotADrill, "这个演练数据库还没有收到演练（请先与演练中心同步）。", en)
            }
            DrillError::Ended => {
                ApiError::new(ErrorCode::InvalidInput, "演练已结束（演练时间已到）。如需再练，请重新开始一次演练。", en)
            }
            DrillError::Incident(i) => i.into(),
            DrillError::Store(s) => s.into(),
            other => ApiError::new(ErrorCode::Internal, format!("演练操作失败：{other}"), en),
        }
    }
}

/// A scenario file as the scenario list shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ScenarioSummaryDto {
    /// A file, or `builtin:NAME.json` for a ready scenario built into the program.
    pub path: String,
    /// The user's own (saved or imported in the editor), as opposed to a ready one.
    pub user: bool,
    pub title: String,
    pub title_en: String,
    pub summary: String,
    pub start_at: String,
    pub duration_min: u32,
    pub injects: u32,
    /// Why the file cannot be used, if it cannot (the list shows it instead of hiding it).
    pub error: Option<ApiError>,
}

/// The drill clock.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DrillClockDto {
    pub drill_now: String,
    pub drill_start_at: String,
    pub drill_end_at: String,
    pub elapsed_min: f64,
    pub speed: u8,
    pub running: bool,
    pub ended: bool,
}

/// One scenario inject with its state.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DrillInjectDto {
    pub id: String,
    pub at_min: u32,
    pub kind: String,
    pub kind_zh: String,
    pub kind_en: String,
    pub text: String,
    pub text_en: String,
    pub place: String,
    pub due_at: String,
    pub delivered: bool,
    /// The expected response (`log`, `report`, `report_sent`, `order`, `call`, `materials`,
    /// `warning`, `gate_closed`), its time limit and, for a gate, which one.
    pub expect: Option<String>,
    pub within_min: Option<u32>,
    pub control_work: Option<String>,
}

/// Everything the drill banner and the facilitator bar show.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DrillStatusDto {
    pub drill_id: String,
    pub title: String,
    pub title_en: String,
    pub incident_id: String,
    pub clock: DrillClockDto,
    pub injects: Vec<DrillInjectDto>,
    /// The database the drill was copied from (to go back to).
    pub source_path: Option<String>,
}

/// The first report against its deadline.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct FirstReportDto {
    pub tier: String,
    pub tier_confirmed: bool,
    pub known_at: String,
    pub deadline_at: String,
    pub deadline_min: f64,
    pub sent_at: Option<String>,
    pub sent_min: Option<f64>,
    pub margin_min: Option<f64>,
    pub met: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct GateFigureDto {
    pub work_id: String,
    pub name: String,
    pub plume_arrival_at: Option<String>,
    pub plume_arrival_min: Option<f64>,
    pub closed_at: Option<String>,
    pub closed_min: Option<f64>,
    pub margin_min: Option<f64>,
    pub needed: bool,
    pub in_time: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct MaterialFigureDto {
    pub item: String,
    pub unit: String,
    pub needed: f64,
    pub allocated: f64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct InjectFigureDto {
    pub id: String,
    pub kind: String,
    pub text: String,
    pub due_at: String,
    pub at_min: u32,
    pub expected: Option<String>,
    pub within_min: Option<u32>,
    pub responded_at: Option<String>,
    pub response_min: Option<f64>,
    /// met | late | missed | pending | not_due | none
    pub outcome: String,
}

/// The drill's evaluation.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DrillEvaluationDto {
    pub drill_id: String,
    pub title: String,
    pub incident_id: String,
    pub incident_name: String,
    pub drill_start_at: String,
    pub as_of: String,
    pub elapsed_min: f64,
    pub first_report: FirstReportDto,
    pub gates: Vec<GateFigureDto>,
    pub gates_note: Option<String>,
    pub teams_needed: u32,
    pub teams_called: u32,
    pub experts_needed: u32,
    pub experts_called: u32,
    pub materials: Vec<MaterialFigureDto>,
    pub injects: Vec<InjectFigureDto>,
    pub injects_missed: u32,
    pub log_entries: u32,
}

/// The incident as it stood at a drill time.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DrillReplayDto {
    pub as_of: String,
    pub elapsed_min: f64,
    pub detail: IncidentDetailDto,
    /// Names of the control works closed by then.
    pub gates_closed: Vec<String>,
    /// Ids of the injects delivered by then.
    pub injects_delivered: Vec<String>,
    /// What the map shows as of then.
    pub map: DrillReplayMapDto,
}

/// A control work on the replay map.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ReplayWorkDto {
    pub id: String,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    /// Among the scenario's gates to close.
    pub needed: bool,
    /// Closed by then.
    pub closed: bool,
    pub closed_at: Option<String>,
}

/// An intake the river model found affected, as of then.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ReplayIntakeDto {
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    /// Drill time the spill first exceeds the threshold there (release + first_above_s).
    pub first_above_at: Option<String>,
}

/// The map as it stood at the replay time: the incident, the model results saved by then
/// (threat zones of gas runs, river paths and affected intakes of river runs) and the control
/// works with their state then.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DrillReplayMapDto {
    pub incident_lat: f64,
    pub incident_lon: f64,
    pub incident_name: String,
    /// open | closed, as of then.
    pub incident_status: String,
    /// Model runs saved by then.
    pub model_runs: u32,
    pub zones: Vec<crate::IncidentZoneDto>,
    /// River reaches above the threshold, `[lon, lat]` lines.
    pub river_paths: Vec<Vec<[f64; 2]>>,
    pub intakes: Vec<ReplayIntakeDto>,
    pub works: Vec<ReplayWorkDto>,
    /// Other incidents the players had opened by then.
    pub other_incidents: Vec<ReplayIncidentDto>,
}

/// Another incident on the replay map.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ReplayIncidentDto {
    pub id: String,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    /// Closed by then.
    pub closed: bool,
}

/// The console's "now", for the countdowns: drill time on a drill database (running at
/// `speed`, or standing still when paused or ended), else the wall clock.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConsoleTimeDto {
    /// RFC 3339.
    pub now: String,
    pub drill: bool,
    /// Console seconds per real second (1 outside a drill).
    pub speed: u8,
    /// Whether the console's time moves (false when a drill is paused or over).
    pub running: bool,
}

/// How to start a drill from the window or the CLI.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct StartDrillDto {
    pub scenario_path: String,
    /// 1–60.
    pub speed: u8,
    pub paused: bool,
    pub started_by: String,
}

fn evaluation_dto(e: Evaluation) -> DrillEvaluationDto {
    let f = e.first_report;
    DrillEvaluationDto {
        drill_id: e.drill_id,
        title: e.title,
        incident_id: e.incident_id,
        incident_name: e.incident_name,
        drill_start_at: e.drill_start_at,
        as_of: e.as_of,
        elapsed_min: e.elapsed_min,
        first_report: FirstReportDto {
            tier: f.tier,
            tier_confirmed: f.tier_confirmed,
            known_at: f.known_at,
            deadline_at: f.deadline_at,
            deadline_min: f.deadline_min,
            sent_at: f.sent_at,
            sent_min: f.sent_min,
            margin_min: f.margin_min,
            met: f.met,
        },
        gates: e
            .gates
            .into_iter()
            .map(|g| GateFigureDto {
                work_id: g.work_id,
                name: g.name,
                plume_arrival_at: g.plume_arrival_at,
                plume_arrival_min: g.plume_arrival_min,
                closed_at: g.closed_at,
                closed_min: g.closed_min,
                margin_min: g.margin_min,
                needed: g.needed,
                in_time: g.in_time,
            })
            .collect(),
        gates_note: e.gates_note,
        teams_needed: e.resources.teams_needed,
        teams_called: e.resources.teams_called,
        experts_needed: e.resources.experts_needed,
        experts_called: e.resources.experts_called,
        materials: e
            .resources
            .materials
            .into_iter()
            .map(|m| MaterialFigureDto { item: m.item, unit: m.unit, needed: m.needed, allocated: m.allocated })
            .collect(),
        injects: e
            .injects
            .into_iter()
            .map(|i| InjectFigureDto {
                id: i.id,
                kind: i.kind,
                text: i.text,
                due_at: i.due_at,
                at_min: i.at_min,
                expected: i.expected,
                within_min: i.within_min,
                responded_at: i.responded_at,
                response_min: i.response_min,
                outcome: i.outcome.as_str().into(),
            })
            .collect(),
        injects_missed: e.injects_missed,
        log_entries: e.log_entries,
    }
}

fn parse_as_of(s: &str) -> Result<yingji_store::Timestamp, ApiError> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).map_err(|_| {
        ApiError::invalid(
            "as_of",
            format!("时间「{s}」不是 RFC 3339 格式（例如 2027-01-15T02:30:00+08:00）"),
            format!("{s:?} is not an RFC 3339 time (e.g. 2027-01-15T02:30:00+08:00)"),
        )
    })
}

/// The scenario files in a folder (`assets/drills/` by default), each with its error if it has one.
pub fn list_scenarios(dir: &Path) -> Result<Vec<ScenarioSummaryDto>, ApiError> {
    Ok(scenario::list_folder(dir)?
        .into_iter()
        .map(|(path, s)| crate::drill_scenarios::summary(path.display().to_string(), false, s.map_err(ApiError::from)))
        .collect())
}

/// A scenario file's text, checked (for the scenario editor).
pub fn read_scenario(path: &Path) -> Result<String, ApiError> {
    Ok(Scenario::load(path)?.to_json())
}

/// Checks a scenario's JSON and saves it to `path` (the scenario editor's save).
pub fn save_scenario(path: &Path, json: &str) -> Result<ScenarioSummaryDto, ApiError> {
    let s = Scenario::parse(json)?;
    std::fs::write(path, s.to_json()).map_err(|e| {
        ApiError::new(
            ErrorCode::Internal,
            format!("无法写入 {}：{e}", path.display()),
            format!("cannot write {}: {e}", path.display()),
        )
    })?;
    Ok(crate::drill_scenarios::summary(path.display().to_string(), false, Ok(s)))
}

/// Starts a drill: copies the replica `from` to the new file `to`, marks it a drill, creates
/// the scenario's incident (an exercise) and starts the clock. Open `to` to play.
pub fn start_drill(from: &Path, to: &Path, start: &StartDrillDto) -> Result<DrillStatusDto, ApiError> {
    let scenario = crate::load_scenario(&start.scenario_path)?;
    let opts = drill::StartOptions { speed: start.speed, paused: start.paused, started_by: start.started_by.clone() };
    drill::start(from, to, &scenario, &opts, &SystemClock)?;
    {
        let store = yingji_store::Store::open(to)?;
        store
            .conn()
            .execute("INSERT INTO meta (key, value) VALUES ('drill.source_path', ?1)", [from.display().to_string()])?;
    }
    Console::open(to)?.drill_status()
}

/// Where the window puts a new drill database: `drills/` beside the replica, a new name each time.
pub fn new_drill_path(replica: &Path) -> PathBuf {
    let dir = replica.parent().map(|p| p.join("drills")).unwrap_or_else(|| PathBuf::from("drills"));
    let _ = std::fs::create_dir_all(&dir);
    dir.join(format!("drill-{}.db", &yingji_store::new_id()[..8]))
}

impl Console {
    /// The drill of the open database, `None` for a real replica (the window's banner asks
    /// this every second; it delivers the injects that fell due).
    pub fn current_drill(&mut self) -> Result<Option<DrillStatusDto>, ApiError> {
        if !self.is_drill()? {
            return Ok(None);
        }
        self.drill_status().map(Some)
    }

    /// Writes the evaluation PDF beside the drill database and returns its path.
    pub fn export_drill_evaluation_beside(&self, as_of: Option<&str>) -> Result<String, ApiError> {
        let db = self.store.path().ok_or_else(|| {
            ApiError::new(ErrorCode::Internal, "内存数据库没有文件路径", "an in-memory database has no path")
        })?;
        let path = db.with_extension("evaluation.pdf");
        self.export_drill_evaluation(as_of, &path)?;
        Ok(path.display().to_string())
    }

    /// The console's now: drill time in a drill (with its speed and whether it runs), else the
    /// wall clock. The incident screen counts its reporting deadlines from it.
    pub fn console_time(&self) -> Result<ConsoleTimeDto, ApiError> {
        if !self.is_drill()? {
            return Ok(ConsoleTimeDto {
                now: yingji_incident::rfc3339(self.real_clock.now()),
                drill: false,
                speed: 1,
                running: true,
            });
        }
        let v = drill::clock_view(self.store.conn(), self.real_clock.as_ref())?;
        Ok(ConsoleTimeDto { now: v.drill_now, drill: true, speed: v.speed, running: v.running && !v.ended })
    }

    /// Whether the open database is a drill (the window shows 演练 on every screen).
    pub fn is_drill(&self) -> Result<bool, ApiError> {
        Ok(drill::drill_id(self.store.conn())?.is_some())
    }

    /// The drill's clock, injects and title; delivers the injects that fell due.
    pub fn drill_status(&mut self) -> Result<DrillStatusDto, ApiError> {
        let real = self.real_clock.clone();
        let tx = self.store.transaction()?;
        drill::deliver_due(&tx, real.as_ref())?;
        tx.commit()?;
        let conn = self.store.conn();
        let d = drill::current(conn)?;
        let source_path: Option<String> =
            conn.query_row("SELECT value FROM meta WHERE key = 'drill.source_path'", [], |r| r.get(0)).ok();
        Ok(DrillStatusDto {
            clock: self.drill_clock_dto()?,
            injects: drill::injects(conn)?
                .into_iter()
                .map(|s| DrillInjectDto {
                    id: s.inject.id,
                    at_min: s.inject.at_min,
                    kind: s.inject.kind.as_str().into(),
                    kind_zh: s.inject.kind.label_zh().into(),
                    kind_en: s.inject.kind.label_en().into(),
                    text: s.inject.text,
                    text_en: s.inject.text_en,
                    place: s.inject.place,
                    due_at: s.due_at,
                    delivered: s.delivered_real_at.is_some(),
                    expect: s.inject.expect.as_ref().map(|e| e.response.as_str().into()),
                    within_min: s.inject.expect.as_ref().map(|e| e.within_min),
                    control_work: s.inject.expect.and_then(|e| e.control_work),
                })
                .collect(),
            drill_id: d.id,
            title: d.title,
            title_en: d.scenario.title_en,
            incident_id: d.incident_id,
            source_path,
        })
    }

    fn drill_clock_dto(&self) -> Result<DrillClockDto, ApiError> {
        let v = drill::clock_view(self.store.conn(), self.real_clock.as_ref())?;
        Ok(DrillClockDto {
            drill_now: v.drill_now,
            drill_start_at: v.drill_start_at,
            drill_end_at: v.drill_end_at,
            elapsed_min: v.elapsed_min,
            speed: v.speed,
            running: v.running,
            ended: v.ended,
        })
    }

    /// The facilitator pauses (`pause`), resumes (`resume`), sets the speed (`speed`, 1–60) or
    /// ends (`end`) the drill clock.
    pub fn drill_clock(&mut self, action: &str, speed: Option<u8>, by: &str) -> Result<DrillClockDto, ApiError> {
        let action = ClockAction::parse(action).ok_or_else(|| {
            ApiError::invalid(
                "action",
                format!("「{action}」不是有效的操作，可选：pause / resume / speed / end"),
                format!("{action:?} is not one of pause, resume, speed, end"),
            )
        })?;
        let real = self.real_clock.clone();
        let tx = self.store.transaction()?;
        drill::set_clock(&tx, real.as_ref(), action, speed, by)?;
        tx.commit()?;
        self.drill_clock_dto()
    }

    /// The evaluation as of a drill time (the drill clock's now when left out).
    pub fn drill_evaluation(&self, as_of: Option<&str>) -> Result<DrillEvaluationDto, ApiError> {
        let t = match as_of {
            Some(s) => parse_as_of(s)?,
            None => self.clock.now(),
        };
        Ok(evaluation_dto(evaluate::evaluate(self.store.conn(), t)?))
    }

    /// Writes the evaluation as a PDF (Chinese font embedded) to `path`.
    pub fn export_drill_evaluation(&self, as_of: Option<&str>, path: &Path) -> Result<(), ApiError> {
        let t = match as_of {
            Some(s) => parse_as_of(s)?,
            None => self.clock.now(),
        };
        let pdf = evaluate::to_pdf(&evaluate::evaluate(self.store.conn(), t)?)?;
        std::fs::write(path, pdf).map_err(|e| {
            ApiError::new(
                ErrorCode::Internal,
                format!("无法写入 {}：{e}", path.display()),
                format!("cannot write {}: {e}", path.display()),
            )
        })
    }

    /// The replay map: model runs saved by then drawn again from their inputs (the models are
    /// deterministic), the works with their state then.
    fn replay_map(&self, r: &drill::replay::ReplayState) -> Result<DrillReplayMapDto, ApiError> {
        let mut zones = Vec::new();
        let mut river_paths = Vec::new();
        let mut intakes: Vec<ReplayIntakeDto> = Vec::new();
        for run in &r.model_runs {
            match self.run_dto(run.clone())?.inputs {
                crate::RunInputs::GasRelease(g) => {
                    for z in self.compute_gas(&g)?.zones.into_iter().filter(|z| z.ring.len() >= 4) {
                        zones.push(crate::IncidentZoneDto {
                            run_id: run.id.clone(),
                            substance: g.substance.name.clone(),
                            name: z.name,
                            ppm: z.ppm,
                            distance_m: z.distance_m,
                            ring: z.ring.iter().map(|[lon, lat]| (*lat, *lon)).collect(),
                        });
                    }
                }
                crate::RunInputs::RiverSpill(v) => {
                    let res = self.compute_river(&v)?;
                    river_paths.extend(res.path);
                    // The spill started when the incident happened.
                    let start = time::OffsetDateTime::parse(
                        &r.incident.occurred_at,
                        &time::format_description::well_known::Rfc3339,
                    )
                    .ok();
                    for i in res.affected {
                        if intakes.iter().any(|x| x.name == i.name) {
                            continue;
                        }
                        let first_above_at = match (start, i.first_above_s) {
                            (Some(t), Some(s)) => Some(yingji_incident::rfc3339(t + time::Duration::seconds_f64(s))),
                            _ => None,
                        };
                        intakes.push(ReplayIntakeDto { name: i.name, lat: i.lat, lon: i.lon, first_above_at });
                    }
                }
            }
        }
        Ok(DrillReplayMapDto {
            incident_lat: r.incident.lat,
            incident_lon: r.incident.lon,
            incident_name: r.incident.name.clone(),
            incident_status: r.incident.status.as_str().into(),
            model_runs: r.model_runs.len() as u32,
            other_incidents: r
                .other_incidents
                .iter()
                .map(|o| ReplayIncidentDto {
                    id: o.id.clone(),
                    name: o.name.clone(),
                    lat: o.lat,
                    lon: o.lon,
                    closed: o.closed,
                })
                .collect(),
            zones,
            river_paths,
            intakes,
            works: r
                .works
                .iter()
                .map(|w| ReplayWorkDto {
                    id: w.id.clone(),
                    name: w.name.clone(),
                    lat: w.lat,
                    lon: w.lon,
                    needed: w.needed,
                    closed: w.closed_at.is_some(),
                    closed_at: w.closed_at.clone(),
                })
                .collect(),
        })
    }

    /// The drill's incident as it stood at drill time `as_of`.
    pub fn drill_replay(&self, as_of: &str) -> Result<DrillReplayDto, ApiError> {
        let t = parse_as_of(as_of)?;
        let conn = self.store.conn();
        let r = drill::replay::replay(conn, t)?;
        let pollutants = yingji_incident::pollutants(conn, &r.incident.id)?
            .into_iter()
            .map(|p| PollutantDto { name_zh: p.name_zh, cas: p.cas, estimated_quantity_kg: p.estimated_quantity_kg })
            .collect();
        let map = self.replay_map(&r)?;
        Ok(DrillReplayDto {
            map,
            as_of: r.as_of,
            elapsed_min: r.elapsed_min,
            gates_closed: r.gates_closed.iter().map(|g| g.work_name.clone()).collect(),
            injects_delivered: r.injects.iter().filter_map(|e| e.inject_id.clone()).collect(),
            detail: IncidentDetailDto {
                pollutants,
                log: r.log.into_iter().map(log_dto).collect(),
                deadlines: Vec::new(),
                orders: r
                    .orders
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
                calls: r
                    .calls
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
                allocations: r.allocations.into_iter().map(allocation_dto).collect(),
                reports: r.reports.into_iter().map(report_dto).collect(),
                warnings: r.warnings.into_iter().map(warning_dto).collect(),
                incident: self.incident_dto(r.incident),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use yingji_store::{Clock, Store, Timestamp};

    use super::*;
    use crate::IncidentModelInput;

    struct Manual(Mutex<Timestamp>);
    impl Clock for Manual {
        fn now(&self) -> Timestamp {
            *self.0.lock().unwrap()
        }
    }

    fn scenario_file(dir: &Path) -> PathBuf {
        let p = dir.join("short.json");
        std::fs::write(&p, include_str!("../../../tests/drills/short-canal.json")).unwrap();
        p
    }

    #[test]
    fn the_console_time_is_drill_time_in_a_drill_and_the_wall_clock_outside() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("demo.db");
        crate::init(&db, true, 2026).unwrap();
        let real = Arc::new(Manual(Mutex::new(time::macros::datetime!(2026-11-29 09:00 UTC))));
        let c = Console::with_real_clock(Store::open(&db).unwrap(), real.clone()).unwrap();
        let t = c.console_time().unwrap();
        assert_eq!((t.now.as_str(), t.drill, t.speed, t.running), ("2026-11-29T09:00:00Z", false, 1, true));
        drop(c);
        let to = dir.path().join("drill.db");
        let start = StartDrillDto {
            scenario_path: scenario_file(dir.path()).display().to_string(),
            speed: 30,
            paused: false,
            started_by: "导调".into(),
        };
        let scenario = crate::load_scenario(&start.scenario_path).unwrap();
        let opts = drill::StartOptions { speed: 30, paused: false, started_by: "导调".into() };
        drill::start(&db, &to, &scenario, &opts, real.as_ref()).unwrap();
        let mut c = Console::with_real_clock(Store::open(&to).unwrap(), real.clone()).unwrap();
        *real.0.lock().unwrap() += time::Duration::seconds(20); // ×30: ten drill minutes
        let t = c.console_time().unwrap();
        assert_eq!((t.now.as_str(), t.drill, t.speed, t.running), ("2027-01-14T18:10:00Z", true, 30, true));
        c.drill_clock("pause", None, "导调").unwrap();
        *real.0.lock().unwrap() += time::Duration::seconds(20);
        let t = c.console_time().unwrap();
        assert_eq!((t.now.as_str(), t.running), ("2027-01-14T18:10:00Z", false));
    }

    #[test]
    fn the_replay_map_shows_the_model_results_and_gates_as_of_then() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("demo.db");
        crate::init(&db, true, 2026).unwrap();
        let real = Arc::new(Manual(Mutex::new(time::macros::datetime!(2026-11-29 09:00 UTC))));
        let to = dir.path().join("drill.db");
        let scenario = crate::load_scenario(&scenario_file(dir.path()).display().to_string()).unwrap();
        let opts = drill::StartOptions { speed: 60, paused: false, started_by: "导调".into() };
        let d = drill::start(&db, &to, &scenario, &opts, real.as_ref()).unwrap();
        let mut c = Console::with_real_clock(Store::open(&to).unwrap(), real.clone()).unwrap();
        // Minute 10: the river model for the incident (benzene, 8 t estimated).
        *real.0.lock().unwrap() += time::Duration::seconds(10);
        let models = c.run_incident_models(&d.incident_id, &IncidentModelInput::default()).unwrap();
        assert!(!models.river.is_empty(), "{:?}", models.skipped);
        *real.0.lock().unwrap() += time::Duration::seconds(10);
        // Minute 40: the gate closed.
        *real.0.lock().unwrap() += time::Duration::seconds(20);
        c.close_control_work(&d.incident_id, "淮安水利枢纽", "指挥长", "").unwrap();
        *real.0.lock().unwrap() += time::Duration::seconds(5);

        let at = |m: i64| {
            let t = time::macros::datetime!(2027-01-14 18:00 UTC) + time::Duration::minutes(m);
            yingji_incident::rfc3339(t)
        };
        let r5 = c.drill_replay(&at(5)).unwrap().map;
        assert_eq!((r5.incident_lat, r5.incident_lon), (33.52, 119.10));
        assert_eq!(r5.model_runs, 0);
        assert!(r5.river_paths.is_empty() && r5.intakes.is_empty());
        let gate = r5.works.iter().find(|w| w.name == "淮安水利枢纽").unwrap();
        assert!(gate.needed && !gate.closed);
        let r30 = c.drill_replay(&at(30)).unwrap().map;
        assert_eq!(r30.model_runs, 1);
        assert!(!r30.river_paths.is_empty(), "the spill's path is drawn");
        assert!(!r30.works.iter().find(|w| w.name == "淮安水利枢纽").unwrap().closed);
        let r45 = c.drill_replay(&at(45)).unwrap().map;
        let gate = r45.works.iter().find(|w| w.name == "淮安水利枢纽").unwrap();
        assert!(gate.closed && gate.closed_at.as_deref() == Some(at(40).as_str()), "{gate:?}");
        assert_eq!(r45.incident_status, "open");
    }
}
