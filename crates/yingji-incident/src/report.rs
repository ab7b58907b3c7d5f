//! Reports up the chain: 初报, 续报 and 处理结果报告, drafted from the incident's data in the
//! structure of 突发环境事件信息报告办法 (环境保护部令第17号, 2011) 第十二条, which lists what each
//! report contains. Every edit is a new version (a new row); the sent text never changes.
//! Status (sent → received → acknowledged) is a sequence of append-only events.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use yingji_store::{new_id, Clock};

use crate::{append, invalid, open_incident, IncidentError, LogKind, Result};

text_enum!(
    /// 第十二条: the three kinds of report.
    ReportKind {
        Initial = "initial", "初报", "initial report";
        FollowUp = "follow_up", "续报", "follow-up report";
        Result = "result", "处理结果报告", "result report";
    }
);

text_enum!(
    /// Where a report stands; each step is an event.
    ReportStatus {
        Sent = "sent", "已报送", "sent";
        Received = "received", "已接收", "received";
        Acknowledged = "acknowledged", "已确认", "acknowledged";
    }
);

/// One version of a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub id: String,
    pub incident_id: String,
    pub kind: ReportKind,
    pub version: i64,
    pub title: String,
    pub body: String,
    pub drafted_by: String,
    pub created_at: String,
    /// The latest status, if it has been sent.
    pub status: Option<ReportStatus>,
    pub status_at: Option<String>,
}

fn yuan(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{:.2} 万元", v / 10_000.0)
    } else {
        format!("{v:.0} 元")
    }
}

/// Drafts a report's text from what the database holds. Items the console cannot know (cause,
/// monitoring data, …) are left as 【待填写】 for the author, never invented.
pub fn draft(conn: &Connection, incident_id: &str, kind: ReportKind) -> Result<(String, String)> {
    let inc = crate::get(conn, incident_id)?;
    let pollutants = crate::pollutants(conn, incident_id)?;
    let log = crate::log_of(conn, incident_id)?;
    let region: String = conn
        .query_row("SELECT name_zh FROM regions WHERE code = ?1", [&inc.region_code], |r| r.get(0))
        .optional()?
        .unwrap_or_default();
    let tier = inc.confirmed_tier.map(|t| t.label_zh()).unwrap_or("尚未确认");
    let drill = if inc.exercise { "【演练】" } else { "" };
    let title = format!("{drill}关于{}的突发环境事件{}", inc.name, kind.label_zh());
    let pollutant_text = if pollutants.is_empty() {
        "【待填写】".to_owned()
    } else {
        pollutants
            .iter()
            .map(|p| {
                let q = p.estimated_quantity_kg.map(|q| format!("，估计约 {q} 千克")).unwrap_or_default();
                if p.cas.is_empty() {
                    format!("{}{q}", p.name_zh)
                } else {
                    format!("{}（CAS {}）{q}", p.name_zh, p.cas)
                }
            })
            .collect::<Vec<_>>()
            .join("；")
    };
    let actions: Vec<String> = log
        .iter()
        .filter(|e| !matches!(e.kind, LogKind::Alarm | LogKind::Report))
        .map(|e| format!("{} {}（{}）", beijing(&e.recorded_at), e.body, e.author))
        .collect();
    let actions_text = if actions.is_empty() { "【待填写】".to_owned() } else { actions.join("\n") };
    let mut s = Vec::new();
    let mut n = 0;
    let mut sec = |s: &mut Vec<String>, head: &str, body: String| {
        n += 1;
        s.push(format!("{}、{head}\n{body}", chinese_number(n)));
    };
    sec(
        &mut s,
        "发生时间、地点",
        format!(
            "{}，{}（北纬 {:.5}°，东经 {:.5}°）。事件类型：{}。",
            beijing(&inc.occurred_at),
            region,
            inc.lat,
            inc.lon,
            inc.incident_type.label_zh()
        ),
    );
    sec(&mut s, "信息来源", format!("{}，接报时间 {}。", inc.reported_by, beijing(&inc.created_at)));
    match kind {
        ReportKind::Initial => {
            sec(
                &mut s,
                "事件起因和性质",
                format!(
                    "{}。事件级别（初步认定）：{tier}。",
                    if inc.source_description.is_empty() { "【待填写】" } else { &inc.source_description }
                ),
            );
            sec(&mut s, "基本过程", "【待填写】".into());
            sec(&mut s, "主要污染物和数量", pollutant_text);
            sec(&mut s, "监测数据", "【待填写】".into());
            sec(&mut s, "人员受害情况", "【待填写】".into());
            sec(
                &mut s,
                "饮用水水源地等环境敏感点受影响情况",
                "【待填写】（附可能受影响的环境敏感点分布示意图）".into(),
            );
            sec(&mut s, "事件发展趋势", "【待填写】".into());
            sec(&mut s, "处置情况", actions_text);
            sec(&mut s, "拟采取的措施以及下一步工作建议", "【待填写】".into());
        }
        ReportKind::FollowUp => {
            sec(&mut s, "事件级别", tier.to_owned());
            sec(&mut s, "主要污染物和数量", pollutant_text);
            sec(&mut s, "处置进展情况", actions_text);
            sec(&mut s, "下一步工作", "【待填写】".into());
        }
        ReportKind::Result => {
            let summary = crate::closing_summary(conn, incident_id)?;
            let materials = if summary.materials.is_empty() {
                "无".to_owned()
            } else {
                summary
                    .materials
                    .iter()
                    .map(|m| format!("{} {} {}（{}）", m.item_name, m.quantity, m.unit, m.warehouse_name))
                    .collect::<Vec<_>>()
                    .join("；")
            };
            sec(&mut s, "事件级别", tier.to_owned());
            sec(&mut s, "主要污染物和数量", pollutant_text);
            sec(&mut s, "处理事件的措施、过程和结果", actions_text);
            sec(&mut s, "使用的应急物资", materials);
            sec(
                &mut s,
                "潜在或者间接危害以及损失",
                format!(
                    "直接经济损失估算 {}（物资 {}，其他已登记费用 {}）。潜在或间接危害：【待填写】",
                    yuan(summary.direct_loss_estimate_yuan),
                    yuan(summary.materials_cost_yuan),
                    yuan(summary.entered_costs_yuan)
                ),
            );
            sec(&mut s, "社会影响", "【待填写】".into());
            sec(&mut s, "处理后的遗留问题", "【待填写】".into());
            sec(&mut s, "责任追究", "【待填写】".into());
        }
    }
    s.push("报告单位：【待填写】    签发人：【待填写】    联系人及电话：【待填写】".into());
    Ok((title, s.join("\n\n")))
}

/// A stored UTC time as Beijing time for a report, e.g. "2026年11月29日 13时40分（北京时间）".
fn beijing(t: &str) -> String {
    match crate::parse_time("time", t) {
        Ok(t) => {
            let t = t.to_offset(time::UtcOffset::from_hms(8, 0, 0).expect("valid offset"));
            format!("{}年{}月{}日 {:02}时{:02}分（北京时间）", t.year(), t.month() as u8, t.day(), t.hour(), t.minute())
        }
        Err(_) => t.to_owned(),
    }
}

fn chinese_number(n: usize) -> &'static str {
    ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三"]
        .get(n)
        .copied()
        .unwrap_or("十四")
}

fn report_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Report> {
    Ok(Report {
        id: r.get(0)?,
        incident_id: r.get(1)?,
        kind: r.get(2)?,
        version: r.get(3)?,
        title: r.get(4)?,
        body: r.get(5)?,
        drafted_by: r.get(6)?,
        created_at: r.get(7)?,
        status: r.get(8)?,
        status_at: r.get(9)?,
    })
}

const REPORT_SELECT: &str =
    "SELECT r.id, r.incident_id, r.report_kind, r.version, r.title, r.body, r.drafted_by, r.created_at,
        (SELECT e.status FROM report_status_events e WHERE e.report_id = r.id ORDER BY e.at DESC, e.rowid DESC LIMIT 1),
        (SELECT e.at FROM report_status_events e WHERE e.report_id = r.id ORDER BY e.at DESC, e.rowid DESC LIMIT 1)
     FROM incident_reports r";

/// A report version by id.
pub fn get(conn: &Connection, report_id: &str) -> Result<Report> {
    conn.query_row(&format!("{REPORT_SELECT} WHERE r.id = ?1"), [report_id], report_from_row)
        .optional()?
        .ok_or_else(|| IncidentError::NotFound { kind: "report", id: report_id.to_owned() })
}

/// Every version of every report of an incident.
pub fn reports_of(conn: &Connection, incident_id: &str) -> Result<Vec<Report>> {
    let mut stmt = conn.prepare(&format!(
        "{REPORT_SELECT} WHERE r.incident_id = ?1 ORDER BY r.created_at, r.report_kind, r.version"
    ))?;
    let rows = stmt.query_map([incident_id], report_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Saves a new version of a report (the drafted text when `body` is `None`).
pub fn save(
    tx: &Transaction<'_>,
    clock: &dyn Clock,
    incident_id: &str,
    kind: ReportKind,
    title_body: Option<(String, String)>,
    author: &str,
) -> Result<Report> {
    let inc = crate::get(tx, incident_id)?;
    if kind != ReportKind::Result {
        open_incident(tx, incident_id)?;
    }
    if author.trim().is_empty() {
        return Err(invalid("author", "请填写起草人", "author must not be empty"));
    }
    let (title, body) = match title_body {
        Some(tb) => tb,
        None => draft(tx, incident_id, kind)?,
    };
    if body.trim().is_empty() {
        return Err(invalid("body", "报告正文不能为空", "the report body must not be empty"));
    }
    let version: i64 = tx.query_row(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM incident_reports WHERE incident_id = ?1 AND report_kind = ?2",
        params![incident_id, kind],
        |r| r.get(0),
    )?;
    let id = new_id();
    tx.execute(
        "INSERT INTO incident_reports (id, incident_id, region_code, report_kind, version, title, body, drafted_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![id, incident_id, inc.region_code, kind, version, title, body, author, clock.now_rfc3339()],
    )?;
    get(tx, &id)
}

/// Marks a report version sent, received or acknowledged, in that order (and logs it).
pub fn mark(
    tx: &Transaction<'_>,
    clock: &dyn Clock,
    report_id: &str,
    status: ReportStatus,
    by: &str,
) -> Result<Report> {
    let report = get(tx, report_id)?;
    let expected_before = match status {
        ReportStatus::Sent => None,
        ReportStatus::Received => Some(ReportStatus::Sent),
        ReportStatus::Acknowledged => Some(ReportStatus::Received),
    };
    if report.status != expected_before {
        return Err(invalid(
            "status",
            format!(
                "报告当前状态为「{}」，不能直接标记为「{}」",
                report.status.map(|s| s.label_zh()).unwrap_or("草稿"),
                status.label_zh()
            ),
            format!(
                "the report is {}; it cannot become {} now",
                report.status.map(|s| s.label_en()).unwrap_or("a draft"),
                status.label_en()
            ),
        ));
    }
    let region: String =
        tx.query_row("SELECT region_code FROM incident_reports WHERE id = ?1", [report_id], |r| r.get(0))?;
    let now = clock.now_rfc3339();
    tx.execute(
        "INSERT INTO report_status_events (id, report_id, region_code, status, by_whom, at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![new_id(), report_id, region, status, by, now],
    )?;
    append(
        tx,
        clock,
        &report.incident_id,
        LogKind::Report,
        by,
        &format!("{} 第 {} 版{}", report.kind.label_zh(), report.version, status.label_zh()),
        Some(("incident_reports", report_id)),
        None,
    )?;
    get(tx, report_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{clock, demo};

    #[test]
    fn drafts_follow_the_official_items_versions_are_new_rows_and_status_goes_in_order() {
        let mut store = demo();
        let tx = store.transaction().unwrap();
        let inc = crate::create(&tx, &clock(), &crate::tests::alarm()).unwrap();
        let (title, body) = draft(&tx, &inc.id, ReportKind::Initial).unwrap();
        assert_eq!(title, "关于测试化工厂苯泄漏的突发环境事件初报");
        for item in [
            "发生时间、地点",
            "信息来源",
            "事件起因和性质",
            "主要污染物和数量",
            "监测数据",
            "人员受害情况",
            "饮用水水源地等环境敏感点受影响情况",
            "事件发展趋势",
            "处置情况",
            "拟采取的措施以及下一步工作建议",
        ] {
            assert!(body.contains(item), "missing {item}");
        }
        assert!(body.contains("苯（CAS 71-43-2）"));
        assert!(body.contains("2026年11月29日 13时40分（北京时间）"), "{body}");
        let v1 = save(&tx, &clock(), &inc.id, ReportKind::Initial, None, "值班员").unwrap();
        let v2 = save(
            &tx,
            &clock(),
            &inc.id,
            ReportKind::Initial,
            Some((title, body.replace("【待填写】", "暂无"))),
            "值班员",
        )
        .unwrap();
        assert_eq!((v1.version, v2.version), (1, 2));
        assert!(mark(&tx, &clock(), &v2.id, ReportStatus::Received, "市局").is_err());
        mark(&tx, &clock(), &v2.id, ReportStatus::Sent, "值班员").unwrap();
        mark(&tx, &clock(), &v2.id, ReportStatus::Received, "市局").unwrap();
        let r = mark(&tx, &clock(), &v2.id, ReportStatus::Acknowledged, "市局").unwrap();
        assert_eq!(r.status, Some(ReportStatus::Acknowledged));
        assert!(tx.execute("UPDATE incident_reports SET body = 'x' WHERE id = ?1", [&v2.id]).is_err());
        assert_eq!(reports_of(&tx, &inc.id).unwrap().len(), 2);
    }
}
