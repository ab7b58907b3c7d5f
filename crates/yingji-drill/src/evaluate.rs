//! The drill's evaluation: time to the first report against its deadline, time to close each
//! gate against the plume's arrival there (the river model of yingji-spill), resources called
//! against what the scenario says is needed, and injects whose expected response did not come
//! in time. Computed from the append-only incident tables and the drill events, at any moment.

use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use time::Duration;
use yingji_incident::{self as inc, deadline, gate, Tier};
use yingji_store::Timestamp;

use crate::{current, parse_time, scenario::ResponseKind, Result};

/// The first report against its deadline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirstReport {
    /// The tier the deadline follows: the one players confirmed, else the scenario's expected one.
    pub tier: String,
    pub tier_confirmed: bool,
    /// When the console learned of the incident (the deadline counts from it).
    pub known_at: String,
    pub deadline_at: String,
    /// The deadline, minutes after `known_at`.
    pub deadline_min: f64,
    /// When the first report was marked sent, if it was.
    pub sent_at: Option<String>,
    /// Minutes from `known_at` to sending.
    pub sent_min: Option<f64>,
    /// Deadline − sending, minutes (negative: late).
    pub margin_min: Option<f64>,
    pub met: bool,
}

/// One control work the plume reaches (or that players closed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateFigure {
    pub work_id: String,
    pub name: String,
    /// When the concentration there first exceeds the threshold (the latest time to close).
    pub plume_arrival_at: Option<String>,
    /// Minutes after the release.
    pub plume_arrival_min: Option<f64>,
    pub closed_at: Option<String>,
    /// Minutes after the release.
    pub closed_min: Option<f64>,
    /// Arrival − closing, minutes (negative: closed after the plume passed).
    pub margin_min: Option<f64>,
    /// The scenario lists it as one to close.
    pub needed: bool,
    /// Closed before the plume arrived (or, for one the plume does not reach, closed at all).
    pub in_time: bool,
}

/// A material needed against what was allocated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MaterialFigure {
    pub item: String,
    pub unit: String,
    pub needed: f64,
    pub allocated: f64,
}

/// Resources called against needed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceFigures {
    pub teams_needed: u32,
    /// Distinct teams ordered or whose call was accepted.
    pub teams_called: u32,
    pub experts_needed: u32,
    /// Distinct experts whose call was accepted.
    pub experts_called: u32,
    pub materials: Vec<MaterialFigure>,
}

text_enum!(
    /// Where an inject's expected response stands.
    InjectOutcome {
        Met = "met", "按时响应", "met";
        Late = "late", "响应迟缓", "late";
        Missed = "missed", "未响应", "missed";
        Pending = "pending", "等待响应", "pending";
        NotDue = "not_due", "尚未注入", "not yet due";
        NoResponseExpected = "none", "无需响应", "no response expected";
    }
);

/// One inject and the response to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InjectFigure {
    pub id: String,
    pub kind: String,
    pub text: String,
    pub due_at: String,
    pub at_min: u32,
    pub expected: Option<String>,
    pub within_min: Option<u32>,
    /// The first matching action at or after the inject.
    pub responded_at: Option<String>,
    /// Minutes from the inject to the response.
    pub response_min: Option<f64>,
    pub outcome: InjectOutcome,
}

/// The evaluation of a drill as of `as_of` (drill time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub drill_id: String,
    pub title: String,
    pub incident_id: String,
    pub incident_name: String,
    pub drill_start_at: String,
    pub as_of: String,
    pub elapsed_min: f64,
    pub first_report: FirstReport,
    pub gates: Vec<GateFigure>,
    /// Why no plume arrival times could be computed (no river spill in the scenario, or the
    /// model refused the place), if so.
    pub gates_note: Option<String>,
    pub resources: ResourceFigures,
    pub injects: Vec<InjectFigure>,
    pub injects_missed: u32,
    /// Player log entries (everything but the alarm).
    pub log_entries: u32,
}

fn minutes(d: Duration) -> f64 {
    (d.as_seconds_f64() / 60.0 * 10.0).round() / 10.0
}

fn times(conn: &Connection, sql: &str, incident_id: &str) -> Result<Vec<Timestamp>> {
    let mut stmt = conn.prepare(sql)?;
    let rows: Vec<String> = stmt.query_map([incident_id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    rows.iter().map(|s| parse_time("time", s)).collect()
}

/// When each kind of response happened, for matching injects' expectations.
struct Actions {
    log: Vec<Timestamp>,
    report: Vec<Timestamp>,
    report_sent: Vec<Timestamp>,
    order: Vec<Timestamp>,
    call: Vec<Timestamp>,
    materials: Vec<Timestamp>,
    warning: Vec<Timestamp>,
    gates: Vec<(Timestamp, gate::GateClosure)>,
}

impl Actions {
    fn read(conn: &Connection, incident_id: &str) -> Result<Actions> {
        let gates = gate::closures_of(conn, incident_id)?
            .into_iter()
            .map(|g| Ok((parse_time("closed_at", &g.closed_at)?, g)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Actions {
            log: times(
                conn,
                "SELECT recorded_at FROM incident_log WHERE incident_id = ?1 AND kind <> 'alarm'",
                incident_id,
            )?,
            report: times(conn, "SELECT created_at FROM incident_reports WHERE incident_id = ?1", incident_id)?,
            report_sent: times(
                conn,
                "SELECT e.at FROM report_status_events e JOIN incident_reports r ON r.id = e.report_id
                 WHERE r.incident_id = ?1 AND e.status = 'sent'",
                incident_id,
            )?,
            order: times(conn, "SELECT issued_at FROM incident_orders WHERE incident_id = ?1", incident_id)?,
            call: times(conn, "SELECT called_at FROM support_calls WHERE incident_id = ?1", incident_id)?,
            materials: times(conn, "SELECT requested_at FROM material_requests WHERE incident_id = ?1", incident_id)?,
            warning: times(conn, "SELECT issued_at FROM incident_warnings WHERE incident_id = ?1", incident_id)?,
            gates,
        })
    }

    /// The first response of `kind` at or after `from` (and not after `as_of`).
    fn first(&self, kind: ResponseKind, work: Option<&str>, from: Timestamp, as_of: Timestamp) -> Option<Timestamp> {
        let list: Vec<Timestamp> = match kind {
            ResponseKind::Log => self.log.clone(),
            ResponseKind::Report => self.report.clone(),
            ResponseKind::ReportSent => self.report_sent.clone(),
            ResponseKind::Order => self.order.clone(),
            ResponseKind::Call => self.call.clone(),
            ResponseKind::Materials => self.materials.clone(),
            ResponseKind::Warning => self.warning.clone(),
            ResponseKind::GateClosed => {
                self.gates.iter().filter(|(_, g)| work.is_none_or(|w| g.work_name == w)).map(|(t, _)| *t).collect()
            }
        };
        list.into_iter().filter(|t| *t >= from && *t <= as_of).min()
    }
}

/// The evaluation as of drill time `as_of`.
pub fn evaluate(conn: &Connection, as_of: Timestamp) -> Result<Evaluation> {
    let d = current(conn)?;
    let incident = inc::get(conn, &d.incident_id)?;
    let start = parse_time("drill_start_at", &d.drill_start_at)?;
    let known = parse_time("created_at", &incident.created_at)?;
    let occurred = parse_time("occurred_at", &incident.occurred_at)?;
    let actions = Actions::read(conn, &incident.id)?;

    // First report.
    let (tier, tier_confirmed) = match incident.confirmed_tier {
        Some(t) => (t, true),
        None => (d.scenario.expected_tier.as_deref().and_then(Tier::parse).unwrap_or(Tier::General), false),
    };
    let dl = deadline::deadlines(tier, known, None, as_of);
    let deadline_at = parse_time("due_at", &dl[0].due_at)?;
    let sent = actions.report_sent.iter().copied().filter(|t| *t <= as_of).min();
    let first_report = FirstReport {
        tier: tier.as_str().into(),
        tier_confirmed,
        known_at: incident.created_at.clone(),
        deadline_at: dl[0].due_at.clone(),
        deadline_min: minutes(deadline_at - known),
        sent_at: sent.map(inc::rfc3339),
        sent_min: sent.map(|t| minutes(t - known)),
        margin_min: sent.map(|t| minutes(deadline_at - t)),
        met: sent.is_some_and(|t| t <= deadline_at),
    };

    // Gates against the plume.
    let mut gates = Vec::new();
    let mut gates_note = None;
    let end = d.scenario.end()?;
    if let Some(sp) = &d.scenario.river_spill {
        let req = yingji_spill::RiverSpillRequest {
            lat: incident.lat,
            lon: incident.lon,
            mass_kg: sp.mass_kg,
            threshold_mg_l: sp.threshold_mg_l,
            decay_per_s: sp.decay_per_s,
            duration_s: sp.duration_s,
        };
        match yingji_spill::river_spill(conn, &req) {
            Ok(res) => {
                for i in res.interceptions {
                    let arrival = crate::clock::whole_seconds(occurred + Duration::seconds_f64(i.close_by_s));
                    let needed = d.scenario.needed.gates.contains(&i.name);
                    let closed =
                        actions.gates.iter().find(|(t, g)| g.work_id == i.work_id && *t <= as_of).map(|(t, _)| *t);
                    // Only the works the plume reaches within the drill, or that matter here.
                    if arrival > end && !needed && closed.is_none() {
                        continue;
                    }
                    gates.push(GateFigure {
                        work_id: i.work_id,
                        name: i.name,
                        plume_arrival_at: Some(inc::rfc3339(arrival)),
                        plume_arrival_min: Some(minutes(arrival - occurred)),
                        closed_at: closed.map(inc::rfc3339),
                        closed_min: closed.map(|t| minutes(t - occurred)),
                        margin_min: closed.map(|t| minutes(arrival - t)),
                        needed,
                        in_time: closed.is_some_and(|t| t <= arrival),
                    });
                }
            }
            Err(e) => gates_note = Some(format!("河流模型无法计算：{e}")),
        }
    } else {
        gates_note = Some("本演练脚本没有入河泄漏，无闸门到达时间".into());
    }
    for (t, g) in &actions.gates {
        if *t <= as_of && !gates.iter().any(|f| f.work_id == g.work_id) {
            gates.push(GateFigure {
                work_id: g.work_id.clone(),
                name: g.work_name.clone(),
                plume_arrival_at: None,
                plume_arrival_min: None,
                closed_at: Some(g.closed_at.clone()),
                closed_min: Some(minutes(*t - occurred)),
                margin_min: None,
                needed: d.scenario.needed.gates.contains(&g.work_name),
                in_time: true,
            });
        }
    }
    for name in &d.scenario.needed.gates {
        if !gates.iter().any(|g| &g.name == name) {
            let id: Option<String> =
                conn.query_row("SELECT id FROM control_works WHERE name = ?1", [name], |r| r.get(0)).ok();
            gates.push(GateFigure {
                work_id: id.unwrap_or_default(),
                name: name.clone(),
                plume_arrival_at: None,
                plume_arrival_min: None,
                closed_at: None,
                closed_min: None,
                margin_min: None,
                needed: true,
                in_time: false,
            });
        }
    }

    // Resources.
    let as_of_s = inc::rfc3339(as_of);
    let count = |sql: &str| -> Result<u32> {
        Ok(conn.query_row(sql, params![incident.id, as_of_s], |r| r.get::<_, i64>(0))? as u32)
    };
    let teams_called = count(
        "SELECT count(*) FROM (SELECT team_id FROM incident_orders WHERE incident_id = ?1 AND issued_at <= ?2
         UNION SELECT team_id FROM support_calls WHERE incident_id = ?1 AND team_id IS NOT NULL AND answer = 'accepted' AND called_at <= ?2)",
    )?;
    let experts_called = count(
        "SELECT count(DISTINCT expert_id) FROM support_calls WHERE incident_id = ?1 AND expert_id IS NOT NULL AND answer = 'accepted' AND called_at <= ?2",
    )?;
    let mut materials = Vec::new();
    for m in &d.scenario.needed.materials {
        let allocated: f64 = conn.query_row(
            "SELECT COALESCE(SUM(a.quantity), 0.0) FROM material_allocations a JOIN stock_items s ON s.id = a.stock_item_id
             WHERE a.incident_id = ?1 AND a.dispatched_at <= ?2 AND instr(s.name, ?3) > 0",
            params![incident.id, as_of_s, m.item],
            |r| r.get(0),
        )?;
        materials.push(MaterialFigure { item: m.item.clone(), unit: m.unit.clone(), needed: m.quantity, allocated });
    }
    let resources = ResourceFigures {
        teams_needed: d.scenario.needed.teams,
        teams_called,
        experts_needed: d.scenario.needed.experts,
        experts_called,
        materials,
    };

    // Injects.
    let mut injects = Vec::new();
    for inj in d.scenario.injects_in_order() {
        let due = start + Duration::minutes(i64::from(inj.at_min));
        let (outcome, responded) = match &inj.expect {
            _ if due > as_of => (InjectOutcome::NotDue, None),
            None => (InjectOutcome::NoResponseExpected, None),
            Some(e) => {
                let by = due + Duration::minutes(i64::from(e.within_min));
                let first = actions.first(e.response, e.control_work.as_deref(), due, as_of);
                let outcome = match first {
                    Some(t) if t <= by => InjectOutcome::Met,
                    Some(_) => InjectOutcome::Late,
                    None if as_of > by => InjectOutcome::Missed,
                    None => InjectOutcome::Pending,
                };
                (outcome, first)
            }
        };
        injects.push(InjectFigure {
            id: inj.id.clone(),
            kind: inj.kind.as_str().into(),
            text: inj.text.clone(),
            due_at: inc::rfc3339(due),
            at_min: inj.at_min,
            expected: inj.expect.as_ref().map(|e| e.response.as_str().into()),
            within_min: inj.expect.as_ref().map(|e| e.within_min),
            responded_at: responded.map(inc::rfc3339),
            response_min: responded.map(|t| minutes(t - due)),
            outcome,
        });
    }
    let injects_missed =
        injects.iter().filter(|i| matches!(i.outcome, InjectOutcome::Missed | InjectOutcome::Late)).count() as u32;
    let log_entries = actions.log.iter().filter(|t| **t <= as_of).count() as u32;
    Ok(Evaluation {
        drill_id: d.id,
        title: d.title,
        incident_id: incident.id,
        incident_name: incident.name,
        drill_start_at: d.drill_start_at,
        as_of: inc::rfc3339(as_of),
        elapsed_min: minutes(as_of - start),
        first_report,
        gates,
        gates_note,
        resources,
        injects,
        injects_missed,
        log_entries,
    })
}

fn opt_min(v: Option<f64>) -> String {
    v.map(|m| format!("{m:.1} 分钟")).unwrap_or_else(|| "—".into())
}

fn local(t: &str) -> String {
    // Drill times are shown in Beijing time (UTC+8), as the players read them.
    parse_time("time", t)
        .ok()
        .map(|t| {
            let b = t.to_offset(time::UtcOffset::from_hms(8, 0, 0).expect("UTC+8 is valid"));
            format!("{:04}-{:02}-{:02} {:02}:{:02}", b.year(), b.month() as u8, b.day(), b.hour(), b.minute())
        })
        .unwrap_or_else(|| t.to_owned())
}

/// The evaluation as a text report (title, body) for the PDF.
pub fn to_text(e: &Evaluation) -> (String, String) {
    let title = format!("【演练】{} 评估报告", e.title);
    let mut b = String::new();
    let mut line = |s: String| {
        b.push_str(&s);
        b.push('\n');
    };
    line(format!("事件：{}（演练）", e.incident_name));
    line(format!(
        "演练开始：{}；评估时刻：{}（演练第 {:.0} 分钟）",
        local(&e.drill_start_at),
        local(&e.as_of),
        e.elapsed_min
    ));
    line(String::new());
    line("一、首报时限".into());
    let f = &e.first_report;
    line(format!(
        "级别：{}（{}）；时限：获知后 {:.0} 分钟内，即 {} 前",
        Tier::parse(&f.tier).map(|t| t.label_zh()).unwrap_or(&f.tier),
        if f.tier_confirmed { "已确认" } else { "脚本预设，未确认" },
        f.deadline_min,
        local(&f.deadline_at)
    ));
    match (&f.sent_at, f.sent_min, f.margin_min) {
        (Some(at), Some(m), Some(margin)) => line(format!(
            "首报报送：{}，获知后 {m:.1} 分钟；{}",
            local(at),
            if f.met {
                format!("按时（提前 {margin:.1} 分钟）")
            } else {
                format!("超时 {:.1} 分钟", -margin)
            }
        )),
        _ => line("首报报送：未报送".into()),
    }
    line(String::new());
    line("二、闸门关闭与污染团到达".into());
    if let Some(n) = &e.gates_note {
        line(n.clone());
    }
    if e.gates.is_empty() {
        line("无".into());
    }
    for g in &e.gates {
        line(format!(
            "{}{}：污染团到达 {}（泄漏后 {}）；关闭 {}（泄漏后 {}）；{}",
            g.name,
            if g.needed { "（须关闭）" } else { "" },
            g.plume_arrival_at.as_deref().map(local).unwrap_or_else(|| "未到达".into()),
            opt_min(g.plume_arrival_min),
            g.closed_at.as_deref().map(local).unwrap_or_else(|| "未关闭".into()),
            opt_min(g.closed_min),
            match (g.closed_at.is_some(), g.margin_min) {
                (false, _) => "—".to_owned(),
                (true, Some(m)) if g.in_time => format!("及时，余量 {m:.1} 分钟"),
                (true, Some(m)) => format!("迟了 {:.1} 分钟", -m),
                (true, None) => "已关闭".to_owned(),
            }
        ));
    }
    line(String::new());
    line("三、资源调用（已调用 / 需要）".into());
    let r = &e.resources;
    line(format!("队伍：{} / {}", r.teams_called, r.teams_needed));
    line(format!("专家：{} / {}", r.experts_called, r.experts_needed));
    for m in &r.materials {
        line(format!("{}：{} / {} {}", m.item, m.allocated, m.needed, m.unit));
    }
    line(String::new());
    line(format!("四、注入事件（未按时响应 {} 个）", e.injects_missed));
    for i in &e.injects {
        line(format!(
            "第 {} 分钟 {}：{} —— {}{}",
            i.at_min,
            i.id,
            i.text,
            InjectOutcome::label_zh(i.outcome),
            i.response_min.map(|m| format!("（{m:.1} 分钟后响应）")).unwrap_or_default()
        ));
    }
    line(String::new());
    line(format!("指挥记录条数（不含接报）：{}", e.log_entries));
    (title, b)
}

/// The evaluation as a PDF (the incident crate's text PDF with the CJK font).
pub fn to_pdf(e: &Evaluation) -> Result<Vec<u8>> {
    let (title, body) = to_text(e);
    Ok(inc::export::report_pdf(&title, &body)?)
}
