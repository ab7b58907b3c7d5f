//! Hazard inspections (隐患排查) of risk sources and the closed loop of each finding:
//! found (发现) → rectifying (整改中) → verified (验收销号).
//!
//! Everything is append-only: an inspection, its findings and each status change (an event) are
//! written once, so sync only ever inserts. The loop only moves forward, so a finding's status
//! is the furthest status among its events — the same on every replica whatever order the
//! events arrived in. A finding not yet verified is overdue once its rectification deadline
//! (a calendar day in Beijing time) has passed by the [`Clock`].

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};
use time::Date;
use yingji_store::{new_id, records::RiskSource, Clock};

use crate::{format_date, invalid, parse_date, required, today, PrepError, Result};

text_enum!(
    /// Hazard grade of 企业突发环境事件隐患排查和治理工作指南（试行）(环境保护部公告 2016年第74号):
    /// 重大 (major) or 一般 (general) 突发环境事件隐患.
    Severity {
        General = "general", "一般隐患", "general hazard";
        Major = "major", "重大隐患", "major hazard";
    }
);

text_enum!(
    /// Where a finding is in its loop.
    FindingStatus {
        Found = "found", "待整改", "found";
        Rectifying = "rectifying", "整改中", "rectifying";
        Verified = "verified", "已验收销号", "verified";
    }
);

impl FindingStatus {
    fn rank(self) -> u8 {
        match self {
            FindingStatus::Found => 0,
            FindingStatus::Rectifying => 1,
            FindingStatus::Verified => 2,
        }
    }

    /// The one status this one may move to.
    pub fn next(self) -> Option<FindingStatus> {
        match self {
            FindingStatus::Found => Some(FindingStatus::Rectifying),
            FindingStatus::Rectifying => Some(FindingStatus::Verified),
            FindingStatus::Verified => None,
        }
    }
}

/// A finding as entered with its inspection.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewFinding {
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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewInspection {
    pub risk_source_id: String,
    /// YYYY-MM-DD
    pub inspected_on: String,
    pub inspectors: String,
    #[serde(default)]
    pub summary: String,
    pub findings: Vec<NewFinding>,
}

/// An inspection as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inspection {
    pub id: String,
    pub region_code: String,
    pub risk_source_id: String,
    pub inspected_on: String,
    pub inspectors: String,
    pub summary: String,
    pub data_source: String,
    pub created_at: String,
}

/// One status change of a finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingEvent {
    pub id: String,
    pub status: FindingStatus,
    pub author: String,
    pub note: String,
    pub evidence: String,
    pub recorded_at: String,
}

/// A finding with its computed status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingView {
    pub id: String,
    pub inspection_id: String,
    pub region_code: String,
    pub risk_source_id: String,
    pub risk_source_name: String,
    pub inspected_on: String,
    pub description: String,
    pub severity: Severity,
    pub deadline_on: String,
    pub owner: String,
    pub evidence: String,
    pub status: FindingStatus,
    /// Not verified and past its deadline.
    pub overdue: bool,
    /// Days past the deadline (negative: days left); `None` once verified.
    pub days_overdue: Option<i64>,
    pub data_source: String,
    pub events: Vec<FindingEvent>,
    pub attachments: Vec<crate::attach::AttachmentInfo>,
}

#[allow(clippy::too_many_arguments)] // one event row: each argument is a column
fn insert_event(
    tx: &Transaction<'_>,
    clock: &dyn Clock,
    finding_id: &str,
    region_code: &str,
    status: FindingStatus,
    author: &str,
    note: &str,
    evidence: &str,
) -> Result<FindingEvent> {
    let now = clock.now_rfc3339();
    let e = FindingEvent {
        id: new_id(),
        status,
        author: author.to_owned(),
        note: note.trim().to_owned(),
        evidence: evidence.trim().to_owned(),
        recorded_at: now.clone(),
    };
    tx.execute(
        "INSERT INTO finding_events (id, finding_id, region_code, status, author, note, evidence, recorded_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        params![e.id, finding_id, region_code, e.status, e.author, e.note, e.evidence, now],
    )?;
    Ok(e)
}

/// Records an inspection and its findings (each with its first event, `found`). Returns the
/// inspection and the ids of its findings, in the order given.
pub fn record(
    tx: &Transaction<'_>,
    clock: &dyn Clock,
    new: &NewInspection,
    author: &str,
) -> Result<(Inspection, Vec<String>)> {
    let author = required("author", "记录人", author)?;
    let source = RiskSource::get(tx, new.risk_source_id.trim())?
        .ok_or(PrepError::NotFound { kind: "risk source", id: new.risk_source_id.clone() })?;
    let inspected = parse_date("inspected_on", &new.inspected_on)?;
    let today = today(clock);
    if inspected > today {
        return Err(invalid(
            "inspected_on",
            format!("检查日期 {} 在今天（{}）之后", format_date(inspected), format_date(today)),
            format!("the inspection date {} is after today ({})", format_date(inspected), format_date(today)),
        ));
    }
    let inspectors = required("inspectors", "检查人员", &new.inspectors)?;
    let now = clock.now_rfc3339();
    let inspection = Inspection {
        id: new_id(),
        region_code: source.region_code.clone(),
        risk_source_id: source.id.clone(),
        inspected_on: format_date(inspected),
        inspectors,
        summary: new.summary.trim().to_owned(),
        data_source: "local".to_owned(),
        created_at: now.clone(),
    };
    tx.execute(
        "INSERT INTO inspections (id, region_code, risk_source_id, inspected_on, inspectors, summary, data_source, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            inspection.id,
            inspection.region_code,
            inspection.risk_source_id,
            inspection.inspected_on,
            inspection.inspectors,
            inspection.summary,
            inspection.data_source,
            inspection.created_at
        ],
    )?;
    let mut ids = Vec::new();
    for f in &new.findings {
        let description = required("description", "隐患描述", &f.description)?;
        let severity = Severity::parse(&f.severity).ok_or_else(|| {
            invalid(
                "severity",
                format!("「{}」不是有效的隐患等级，可选：general（一般）/ major（重大）", f.severity),
                format!("{:?} is not a hazard grade: general or major", f.severity),
            )
        })?;
        let deadline = parse_date("deadline_on", &f.deadline_on)?;
        if deadline < inspected {
            return Err(invalid(
                "deadline_on",
                format!("整改期限 {} 早于检查日期 {}", format_date(deadline), format_date(inspected)),
                format!("the deadline {} is before the inspection ({})", format_date(deadline), format_date(inspected)),
            ));
        }
        let owner = required("owner", "整改责任人", &f.owner)?;
        let id = new_id();
        tx.execute(
            "INSERT INTO inspection_findings (id, inspection_id, region_code, risk_source_id, description, severity,
                 deadline_on, owner, evidence, data_source, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'local', ?10)",
            params![
                id,
                inspection.id,
                inspection.region_code,
                inspection.risk_source_id,
                description,
                severity,
                format_date(deadline),
                owner,
                f.evidence.trim(),
                now
            ],
        )?;
        insert_event(tx, clock, &id, &inspection.region_code, FindingStatus::Found, &author, "", &f.evidence)?;
        ids.push(id);
    }
    Ok((inspection, ids))
}

/// Moves a finding one step along its loop: found → rectifying → verified. Verifying needs a
/// note or evidence saying what was checked.
pub fn advance(
    tx: &Transaction<'_>,
    clock: &dyn Clock,
    finding_id: &str,
    to: &str,
    author: &str,
    note: &str,
    evidence: &str,
) -> Result<FindingView> {
    let author = required("author", "操作人", author)?;
    let to = FindingStatus::parse(to).ok_or_else(|| {
        invalid(
            "status",
            format!("「{to}」不是有效的状态，可选：rectifying（整改中）/ verified（验收销号）"),
            format!("{to:?} is not a status: rectifying or verified"),
        )
    })?;
    let current = get(tx, clock, finding_id)?;
    if current.status.next() != Some(to) {
        return Err(PrepError::Transition {
            finding_id: finding_id.to_owned(),
            from: current.status,
            to,
            allowed: current.status.next().map_or("nothing (the loop is closed)".to_owned(), |s| s.to_string()),
        });
    }
    if to == FindingStatus::Verified && note.trim().is_empty() && evidence.trim().is_empty() {
        return Err(invalid(
            "evidence",
            "验收销号需写明验收情况或证据",
            "verifying a finding needs a note or evidence of what was checked",
        ));
    }
    insert_event(tx, clock, finding_id, &current.region_code, to, &author, note, evidence)?;
    get(tx, clock, finding_id)
}

fn events(conn: &Connection, finding_id: &str) -> Result<Vec<FindingEvent>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, status, author, note, evidence, recorded_at FROM finding_events WHERE finding_id = ?1
         ORDER BY recorded_at, rowid",
    )?;
    let rows = stmt.query_map([finding_id], |r| {
        Ok(FindingEvent {
            id: r.get(0)?,
            status: r.get(1)?,
            author: r.get(2)?,
            note: r.get(3)?,
            evidence: r.get(4)?,
            recorded_at: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

const FINDING_SELECT: &str = "SELECT f.*, i.inspected_on, COALESCE(s.name, '') AS risk_source_name
     FROM inspection_findings f JOIN inspections i ON i.id = f.inspection_id
     LEFT JOIN risk_sources s ON s.id = f.risk_source_id";

fn view(conn: &Connection, today: Date, r: &Row<'_>) -> Result<FindingView> {
    let id: String = r.get("id")?;
    let events = events(conn, &id)?;
    let status = events.iter().map(|e| e.status).max_by_key(|s| s.rank()).unwrap_or(FindingStatus::Found);
    let deadline_on: String = r.get("deadline_on")?;
    let days_overdue = (status != FindingStatus::Verified)
        .then(|| parse_date("deadline_on", &deadline_on).ok().map(|d| (today - d).whole_days()))
        .flatten();
    Ok(FindingView {
        attachments: crate::attach::of_finding(conn, &id)?,
        inspection_id: r.get("inspection_id")?,
        region_code: r.get("region_code")?,
        risk_source_id: r.get("risk_source_id")?,
        risk_source_name: r.get("risk_source_name")?,
        inspected_on: r.get("inspected_on")?,
        description: r.get("description")?,
        severity: r.get("severity")?,
        owner: r.get("owner")?,
        evidence: r.get("evidence")?,
        data_source: r.get("data_source")?,
        overdue: days_overdue.is_some_and(|d| d > 0),
        days_overdue,
        deadline_on,
        status,
        events,
        id,
    })
}

/// One finding with its events.
pub fn get(conn: &Connection, clock: &dyn Clock, finding_id: &str) -> Result<FindingView> {
    let today = today(clock);
    let mut stmt = conn.prepare_cached(&format!("{FINDING_SELECT} WHERE f.id = ?1"))?;
    let mut rows = stmt.query([finding_id])?;
    match rows.next()? {
        Some(r) => view(conn, today, r),
        None => Err(PrepError::NotFound { kind: "finding", id: finding_id.to_owned() }),
    }
}

/// Which findings to list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FindingFilter {
    /// A region and everything in it.
    pub region_code: Option<String>,
    pub risk_source_id: Option<String>,
    /// Only findings not yet verified.
    pub open_only: bool,
    /// Only overdue findings.
    pub overdue_only: bool,
}

/// Findings: overdue first (most overdue first), then open ones by deadline, then verified ones.
pub fn list(conn: &Connection, clock: &dyn Clock, filter: &FindingFilter) -> Result<Vec<FindingView>> {
    let today = today(clock);
    let prefix =
        filter.region_code.as_deref().filter(|s| !s.is_empty()).map(|c| format!("{}%", crate::plans::region_prefix(c)));
    let mut stmt = conn.prepare_cached(&format!(
        "{FINDING_SELECT} WHERE (?1 IS NULL OR f.region_code LIKE ?1) AND (?2 IS NULL OR f.risk_source_id = ?2)
         ORDER BY f.deadline_on, f.id"
    ))?;
    let mut rows = stmt.query(params![prefix, filter.risk_source_id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let v = view(conn, today, r)?;
        if (filter.open_only && v.status == FindingStatus::Verified) || (filter.overdue_only && !v.overdue) {
            continue;
        }
        out.push(v);
    }
    out.sort_by(|a, b| {
        let rank = |v: &FindingView| {
            if v.overdue {
                0
            } else if v.status != FindingStatus::Verified {
                1
            } else {
                2
            }
        };
        rank(a)
            .cmp(&rank(b))
            .then_with(|| b.days_overdue.unwrap_or(i64::MIN).cmp(&a.days_overdue.unwrap_or(i64::MIN)))
            .then_with(|| b.severity.as_str().cmp(a.severity.as_str()))
            .then_with(|| a.id.cmp(&b.id))
    });
    Ok(out)
}

/// The inspections of a risk source, newest first.
pub fn inspections_of(conn: &Connection, risk_source_id: &str) -> Result<Vec<Inspection>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, region_code, risk_source_id, inspected_on, inspectors, summary, data_source, created_at
         FROM inspections WHERE risk_source_id = ?1 ORDER BY inspected_on DESC, created_at DESC",
    )?;
    let rows = stmt.query_map([risk_source_id], |r| {
        Ok(Inspection {
            id: r.get(0)?,
            region_code: r.get(1)?,
            risk_source_id: r.get(2)?,
            inspected_on: r.get(3)?,
            inspectors: r.get(4)?,
            summary: r.get(5)?,
            data_source: r.get(6)?,
            created_at: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Open and overdue findings of one region (a county, or a city's own).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionFindings {
    pub region_code: String,
    pub open: u32,
    pub overdue: u32,
    pub major_overdue: u32,
}

/// The dashboard: open and overdue findings per region, the most overdue regions first.
pub fn dashboard(conn: &Connection, clock: &dyn Clock) -> Result<Vec<RegionFindings>> {
    let open = list(conn, clock, &FindingFilter { open_only: true, ..FindingFilter::default() })?;
    let mut map: BTreeMap<String, RegionFindings> = BTreeMap::new();
    for f in open {
        let e = map.entry(f.region_code.clone()).or_insert_with(|| RegionFindings {
            region_code: f.region_code.clone(),
            open: 0,
            overdue: 0,
            major_overdue: 0,
        });
        e.open += 1;
        if f.overdue {
            e.overdue += 1;
            if f.severity == Severity::Major {
                e.major_overdue += 1;
            }
        }
    }
    let mut out: Vec<RegionFindings> = map.into_values().collect();
    out.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then(b.major_overdue.cmp(&a.major_overdue))
            .then_with(|| a.region_code.cmp(&b.region_code))
    });
    Ok(out)
}

/// Whether a finding exists (for the attachment owner check).
pub fn exists(conn: &Connection, finding_id: &str) -> Result<bool> {
    Ok(conn
        .query_row("SELECT 1 FROM inspection_findings WHERE id = ?1", [finding_id], |_| Ok(()))
        .optional()?
        .is_some())
}

#[cfg(test)]
mod tests {
    use yingji_store::FixedClock;

    use super::*;
    use crate::testutil;

    fn source(conn: &Connection) -> RiskSource {
        conn.query_row(
            "SELECT * FROM risk_sources WHERE kind = 'enterprise' ORDER BY id LIMIT 1",
            [],
            RiskSource::from_row,
        )
        .unwrap()
    }

    fn one_finding(deadline: &str) -> NewInspection {
        NewInspection {
            risk_source_id: String::new(),
            inspected_on: "2026-11-20".into(),
            inspectors: "王五、赵六".into(),
            summary: "例行检查".into(),
            findings: vec![NewFinding {
                description: "事故应急池被杂物占用，有效容积不足".into(),
                severity: "major".into(),
                deadline_on: deadline.into(),
                owner: "企业安环部 李四".into(),
                evidence: "现场照片 3 张".into(),
            }],
        }
    }

    #[test]
    fn a_finding_goes_round_the_loop_and_is_overdue_only_while_open() {
        let mut store = testutil::demo();
        let clock = testutil::clock(); // 2026-11-29 in Beijing
        let s = source(store.conn());
        let tx = store.transaction().unwrap();
        let mut new = one_finding("2026-11-28");
        new.risk_source_id = s.id.clone();
        let (inspection, ids) = record(&tx, &clock, &new, "检查组").unwrap();
        assert_eq!(inspection.region_code, s.region_code);
        let f = get(&tx, &clock, &ids[0]).unwrap();
        assert_eq!((f.status, f.overdue, f.days_overdue), (FindingStatus::Found, true, Some(1)));
        assert_eq!(f.risk_source_name, s.name);
        // A closed loop has no shortcuts.
        let skip = advance(&tx, &clock, &ids[0], "verified", "检查组", "ok", "").unwrap_err();
        assert!(matches!(skip, PrepError::Transition { from: FindingStatus::Found, .. }), "{skip}");
        let f = advance(&tx, &clock, &ids[0], "rectifying", "李四", "已清理杂物，正在复核容积", "").unwrap();
        assert_eq!((f.status, f.overdue), (FindingStatus::Rectifying, true));
        let no_evidence = advance(&tx, &clock, &ids[0], "verified", "检查组", " ", "").unwrap_err();
        assert!(matches!(no_evidence, PrepError::Invalid { field: "evidence", .. }));
        let f = advance(&tx, &clock, &ids[0], "verified", "检查组", "复查合格", "复查照片").unwrap();
        assert_eq!((f.status, f.overdue, f.days_overdue), (FindingStatus::Verified, false, None));
        assert_eq!(f.events.iter().map(|e| e.status).collect::<Vec<_>>(), FindingStatus::ALL);
        let closed = advance(&tx, &clock, &ids[0], "verified", "检查组", "again", "").unwrap_err();
        assert!(matches!(closed, PrepError::Transition { .. }));
        // Append-only: the database itself refuses edits.
        assert!(tx.execute("UPDATE finding_events SET note = 'x'", []).is_err());
        assert!(tx.execute("DELETE FROM inspection_findings", []).is_err());
        tx.commit().unwrap();
    }

    #[test]
    fn overdue_follows_the_clock_and_the_dashboard_counts_per_region() {
        let mut store = testutil::demo();
        let s = source(store.conn());
        let before = FixedClock(time::macros::datetime!(2026-11-25 02:00 UTC));
        let tx = store.transaction().unwrap();
        let mut new = one_finding("2026-11-27");
        new.risk_source_id = s.id.clone();
        new.inspected_on = "2026-11-24".into();
        let (_, ids) = record(&tx, &before, &new, "检查组").unwrap();
        tx.commit().unwrap();
        let f = get(store.conn(), &before, &ids[0]).unwrap();
        assert_eq!((f.overdue, f.days_overdue), (false, Some(-2)));
        // On the deadline day it is not yet overdue; the day after, it is.
        let on_day = FixedClock(time::macros::datetime!(2026-11-27 15:59 UTC)); // 23:59 in Beijing
        assert!(!get(store.conn(), &on_day, &ids[0]).unwrap().overdue);
        let after = FixedClock(time::macros::datetime!(2026-11-27 16:00 UTC)); // 00:00 on the 28th
        assert!(get(store.conn(), &after, &ids[0]).unwrap().overdue);
        let board = dashboard(store.conn(), &after).unwrap();
        let mine = board.iter().find(|r| r.region_code == s.region_code).unwrap();
        assert!(mine.overdue >= 1 && mine.major_overdue >= 1 && mine.open >= mine.overdue);
        let overdue = list(store.conn(), &after, &FindingFilter { overdue_only: true, ..Default::default() }).unwrap();
        assert!(overdue.iter().any(|f| f.id == ids[0]));
        assert!(overdue.iter().all(|f| f.overdue));
    }

    #[test]
    fn bad_inspections_are_refused_with_the_field() {
        let mut store = testutil::demo();
        let clock = testutil::clock();
        let s = source(store.conn());
        let tx = store.transaction().unwrap();
        let mut new = one_finding("2026-11-01");
        new.risk_source_id = s.id.clone();
        let e = record(&tx, &clock, &new, "检查组").unwrap_err();
        assert!(matches!(e, PrepError::Invalid { field: "deadline_on", .. }), "{e}");
        let mut future = one_finding("2027-01-01");
        future.risk_source_id = s.id.clone();
        future.inspected_on = "2026-12-01".into();
        assert!(matches!(
            record(&tx, &clock, &future, "x").unwrap_err(),
            PrepError::Invalid { field: "inspected_on", .. }
        ));
        let mut sev = one_finding("2027-01-01");
        sev.risk_source_id = s.id.clone();
        sev.findings[0].severity = "severe".into();
        assert!(matches!(record(&tx, &clock, &sev, "x").unwrap_err(), PrepError::Invalid { field: "severity", .. }));
        let mut nobody = one_finding("2027-01-01");
        nobody.risk_source_id = "nope".into();
        assert!(matches!(record(&tx, &clock, &nobody, "x").unwrap_err(), PrepError::NotFound { .. }));
    }
}
