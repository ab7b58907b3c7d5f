//! Emergency plans (突发环境事件应急预案) and the revision each owes.
//!
//! A plan is drafted (编制), reviewed (评审) and filed (备案); a filed plan is revised at least
//! every [`REVISION_INTERVAL_YEARS`] years, after which the new version is reviewed and filed
//! again. The deadline is never stored: it is the current version's issue date plus three
//! years, compared with today's date from the [`Clock`].

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};
use time::Date;
use yingji_store::{
    new_id,
    records::{RegionLevel, RiskSource, RiskSourceKind, SensitiveTarget, TargetKind},
    Clock,
};

use crate::{add_years, format_date, invalid, parse_date, required, today, PrepError, Result};

/// A plan is revised at least every 3 years: 企业事业单位突发环境事件应急预案备案管理办法（试行）
/// (环发〔2015〕4号) 第十二条 (“至少每三年对环境应急预案进行一次回顾性评估”, revised where the
/// review finds it needed) and 突发环境事件应急预案管理暂行办法 (环发〔2010〕113号).
pub const REVISION_INTERVAL_YEARS: i32 = 3;
/// How many days ahead a revision is listed as due soon: one quarter (this crate's choice, so a
/// revision can be drafted, reviewed and filed in time).
pub const DUE_SOON_DAYS: i64 = 90;

text_enum!(
    /// Whose plan it is.
    PlanSubject {
        Enterprise = "enterprise", "企业", "enterprise";
        ChemicalPark = "chemical_park", "化工园区", "chemical park";
        WaterSource = "water_source", "饮用水水源地", "drinking-water source";
        County = "county", "县（区）", "county";
        City = "city", "设区市", "city";
    }
);

text_enum!(
    /// Filing status (编制 / 评审 / 备案).
    PlanStatus {
        Drafting = "drafting", "编制中", "drafting";
        UnderReview = "under_review", "评审中", "under review";
        Filed = "filed", "已备案", "filed";
    }
);

text_enum!(
    /// Where a plan stands against its revision deadline (computed, never stored).
    RevisionState {
        NotIssued = "not_issued", "尚未发布", "not yet issued";
        Current = "current", "有效期内", "current";
        DueSoon = "due_soon", "即将到期", "revision due soon";
        Overdue = "overdue", "逾期未修订", "revision overdue";
    }
);

/// A plan as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub id: String,
    pub region_code: String,
    pub subject_kind: PlanSubject,
    pub subject_id: String,
    pub title: String,
    pub status: PlanStatus,
    pub issued_on: Option<String>,
    pub filed_on: Option<String>,
    pub filing_number: String,
    pub owner_org: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub data_source: String,
    pub created_at: String,
    pub updated_at: String,
}

impl Plan {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<Plan> {
        Ok(Plan {
            id: r.get("id")?,
            region_code: r.get("region_code")?,
            subject_kind: r.get("subject_kind")?,
            subject_id: r.get("subject_id")?,
            title: r.get("title")?,
            status: r.get("status")?,
            issued_on: r.get("issued_on")?,
            filed_on: r.get("filed_on")?,
            filing_number: r.get("filing_number")?,
            owner_org: r.get("owner_org")?,
            contact_name: r.get("contact_name")?,
            contact_phone: r.get("contact_phone")?,
            data_source: r.get("data_source")?,
            created_at: r.get("created_at")?,
            updated_at: r.get("updated_at")?,
        })
    }

    /// Inserts the row as it is (the demo writes through this).
    pub fn insert(&self, conn: &Connection) -> rusqlite::Result<()> {
        conn.prepare_cached(
            "INSERT INTO emergency_plans (id, region_code, subject_kind, subject_id, title, status, issued_on, filed_on,
                 filing_number, owner_org, contact_name, contact_phone, data_source, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?
        .execute(params![
            self.id,
            self.region_code,
            self.subject_kind,
            self.subject_id,
            self.title,
            self.status,
            self.issued_on,
            self.filed_on,
            self.filing_number,
            self.owner_org,
            self.contact_name,
            self.contact_phone,
            self.data_source,
            self.created_at,
            self.updated_at
        ])?;
        Ok(())
    }

    /// The date the revision is due: the issue date plus three years (`None` before the first issue).
    pub fn revision_due(&self) -> Option<Date> {
        let issued = parse_date("issued_on", self.issued_on.as_deref()?).ok()?;
        Some(add_years(issued, REVISION_INTERVAL_YEARS))
    }

    /// Where the plan stands on `today`, and by how many days it is overdue (negative: days left).
    pub fn revision_state(&self, today: Date) -> (RevisionState, Option<i64>) {
        let Some(due) = self.revision_due() else { return (RevisionState::NotIssued, None) };
        let days_over = (today - due).whole_days();
        let state = if days_over > 0 {
            RevisionState::Overdue
        } else if -days_over <= DUE_SOON_DAYS {
            RevisionState::DueSoon
        } else {
            RevisionState::Current
        };
        (state, Some(days_over))
    }
}

/// A plan with what is computed for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanView {
    pub plan: Plan,
    pub subject_name: String,
    pub revision_due_on: Option<String>,
    pub revision_state: RevisionState,
    /// Days past the deadline (negative: days left); `None` before the first issue.
    pub days_overdue: Option<i64>,
    pub attachments: Vec<crate::attach::AttachmentInfo>,
}

/// What the user enters for a new plan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewPlan {
    pub subject_kind: String,
    pub subject_id: String,
    pub title: String,
    pub status: String,
    pub issued_on: Option<String>,
    pub filed_on: Option<String>,
    pub filing_number: String,
    pub owner_org: String,
    pub contact_name: String,
    pub contact_phone: String,
}

/// The subject's region and name, checking that it exists and is of the stated kind.
pub fn subject(conn: &Connection, kind: PlanSubject, id: &str) -> Result<(String, String)> {
    let wrong = |what_zh: &str, what_en: &str| {
        invalid(
            "subject_id",
            format!("{id} 不是{what_zh}，不能作为「{}」预案的对象", kind.label_zh()),
            format!("{id} is not {what_en}, so it cannot be the subject of a {} plan", kind.label_en()),
        )
    };
    match kind {
        PlanSubject::Enterprise | PlanSubject::ChemicalPark => {
            let s = RiskSource::get(conn, id)?.ok_or(PrepError::NotFound { kind: "risk source", id: id.to_owned() })?;
            let want =
                if kind == PlanSubject::Enterprise { RiskSourceKind::Enterprise } else { RiskSourceKind::ChemicalPark };
            if s.kind != want {
                return Err(wrong(want.label_zh(), want.label_en()));
            }
            Ok((s.region_code, s.name))
        }
        PlanSubject::WaterSource => {
            let t = SensitiveTarget::get(conn, id)?
                .ok_or(PrepError::NotFound { kind: "drinking-water source", id: id.to_owned() })?;
            if !matches!(t.kind, TargetKind::DrinkingWaterIntake | TargetKind::SourceProtectionZone) {
                return Err(wrong("饮用水水源地", "a drinking-water source"));
            }
            Ok((t.region_code, t.name))
        }
        PlanSubject::County | PlanSubject::City => {
            let r = yingji_store::records::Region::get(conn, id)?
                .ok_or(PrepError::NotFound { kind: "region", id: id.to_owned() })?;
            let want = if kind == PlanSubject::County { RegionLevel::County } else { RegionLevel::City };
            if r.level != want {
                return Err(wrong(want.label_zh(), want.label_en()));
            }
            Ok((r.code, r.name_zh))
        }
    }
}

/// Something a plan can be about, as offered when a plan is entered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubjectOption {
    pub id: String,
    pub name: String,
    pub region_code: String,
    /// What tells two of the same name apart: the address of a risk source, the kind of a water
    /// source (`drinking_water_intake` | `source_protection_zone`), the pinyin of a region.
    pub detail: String,
}

/// The risk sources, water sources or regions a plan of `kind` can be about, whose name (or
/// pinyin, or id) contains `text`, by name; at most `limit`. Works for one-character names
/// too (a plain `LIKE`, the sets are a few thousand rows at most).
pub fn subjects(conn: &Connection, kind: &str, text: &str, limit: usize) -> Result<Vec<SubjectOption>> {
    let kind = subject_kind(kind)?;
    let text = text.trim();
    let pattern = format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let sql = match kind {
        PlanSubject::Enterprise | PlanSubject::ChemicalPark => {
            "SELECT id, name, region_code, address FROM risk_sources
             WHERE kind = ?1 AND (name LIKE ?2 ESCAPE '\\' OR id = ?3) ORDER BY name, id LIMIT ?4"
        }
        PlanSubject::WaterSource => {
            "SELECT id, name, region_code, kind FROM sensitive_targets
             WHERE kind IN ('drinking_water_intake', 'source_protection_zone') AND ?1 = ?1
               AND (name LIKE ?2 ESCAPE '\\' OR id = ?3) ORDER BY name, id LIMIT ?4"
        }
        PlanSubject::County | PlanSubject::City => {
            "SELECT code, name_zh, code, name_pinyin FROM regions
             WHERE level = ?1 AND (name_zh LIKE ?2 ESCAPE '\\' OR name_pinyin LIKE ?2 ESCAPE '\\' OR code = ?3)
             ORDER BY code LIMIT ?4"
        }
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params![kind.as_str(), pattern, text, limit as i64], |r| {
        Ok(SubjectOption { id: r.get(0)?, name: r.get(1)?, region_code: r.get(2)?, detail: r.get(3)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn parse_enum<T: Copy>(field: &'static str, value: &str, parse: fn(&str) -> Option<T>, all: &[&str]) -> Result<T> {
    parse(value).ok_or_else(|| {
        invalid(
            field,
            format!("「{value}」不是有效的取值，可选：{}", all.join(" / ")),
            format!("{value:?} is not one of {}", all.join(", ")),
        )
    })
}

pub(crate) fn subject_kind(value: &str) -> Result<PlanSubject> {
    let all: Vec<&str> = PlanSubject::ALL.iter().map(|v| v.as_str()).collect();
    parse_enum("subject_kind", value, PlanSubject::parse, &all)
}

pub(crate) fn status(value: &str) -> Result<PlanStatus> {
    let all: Vec<&str> = PlanStatus::ALL.iter().map(|v| v.as_str()).collect();
    parse_enum("status", value, PlanStatus::parse, &all)
}

/// Checks the dates of a plan: not in the future, filed on or after issue, filed plans have both.
fn check_dates(
    today: Date,
    status: PlanStatus,
    issued_on: Option<&str>,
    filed_on: Option<&str>,
) -> Result<(Option<String>, Option<String>)> {
    fn nonempty(s: Option<&str>) -> Option<&str> {
        s.map(str::trim).filter(|s| !s.is_empty())
    }
    let issued = nonempty(issued_on).map(|s| parse_date("issued_on", s)).transpose()?;
    let filed = nonempty(filed_on).map(|s| parse_date("filed_on", s)).transpose()?;
    for (field, d) in [("issued_on", issued), ("filed_on", filed)] {
        if let Some(d) = d {
            if d > today {
                return Err(invalid(
                    field,
                    format!("日期 {} 在今天（{}）之后", format_date(d), format_date(today)),
                    format!("{} is after today ({})", format_date(d), format_date(today)),
                ));
            }
        }
    }
    if let (Some(i), Some(f)) = (issued, filed) {
        if f < i {
            return Err(invalid(
                "filed_on",
                format!("备案日期 {} 早于发布日期 {}", format_date(f), format_date(i)),
                format!("filed on {} is before issued on {}", format_date(f), format_date(i)),
            ));
        }
    }
    if status == PlanStatus::Filed && (issued.is_none() || filed.is_none()) {
        return Err(invalid(
            if issued.is_none() { "issued_on" } else { "filed_on" },
            "已备案的预案需要填写发布日期和备案日期",
            "a filed plan needs both its issue date and its filing date",
        ));
    }
    Ok((issued.map(format_date), filed.map(format_date)))
}

/// Adds a plan.
pub fn add(tx: &Transaction<'_>, clock: &dyn Clock, new: &NewPlan) -> Result<Plan> {
    let kind = subject_kind(&new.subject_kind)?;
    let status = status(&new.status)?;
    if new.subject_id.trim().is_empty() {
        return Err(invalid(
            "subject_id",
            format!("请选择预案对象（{}）", kind.label_zh()),
            format!("choose whose plan it is (a {})", kind.label_en()),
        ));
    }
    let title = required("title", "预案名称", &new.title)?;
    let (region_code, _) = subject(tx, kind, new.subject_id.trim()).map_err(|e| match e {
        PrepError::NotFound { id, .. } => invalid(
            "subject_id",
            format!("找不到{}「{id}」，请从列表中选择", kind.label_zh()),
            format!("there is no {} with id {id}: choose one from the list", kind.label_en()),
        ),
        e => e,
    })?;
    let (issued_on, filed_on) = check_dates(today(clock), status, new.issued_on.as_deref(), new.filed_on.as_deref())?;
    let now = clock.now_rfc3339();
    let plan = Plan {
        id: new_id(),
        region_code,
        subject_kind: kind,
        subject_id: new.subject_id.trim().to_owned(),
        title,
        status,
        issued_on,
        filed_on,
        filing_number: new.filing_number.trim().to_owned(),
        owner_org: new.owner_org.trim().to_owned(),
        contact_name: new.contact_name.trim().to_owned(),
        contact_phone: new.contact_phone.trim().to_owned(),
        data_source: "local".to_owned(),
        created_at: now.clone(),
        updated_at: now,
    };
    plan.insert(tx)?;
    Ok(plan)
}

/// One plan by id.
pub fn get(conn: &Connection, id: &str) -> Result<Plan> {
    conn.prepare_cached("SELECT * FROM emergency_plans WHERE id = ?1")?
        .query_row([id], Plan::from_row)
        .optional()?
        .ok_or(PrepError::NotFound { kind: "emergency plan", id: id.to_owned() })
}

/// A step in a plan's life.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum PlanStep {
    /// Drafting → under review (评审).
    Review,
    /// Under review → filed (备案), with the issue date of the version and the filing date.
    File { issued_on: String, filed_on: String, filing_number: String },
    /// Filed → drafting: a revision is begun. The old version's dates stay until the new one
    /// is filed, so an overdue plan stays overdue while it is being revised.
    Revise,
}

/// Moves a plan one step on.
pub fn advance(tx: &Transaction<'_>, clock: &dyn Clock, id: &str, step: &PlanStep) -> Result<Plan> {
    let mut plan = get(tx, id)?;
    let refuse = |want: PlanStatus, what_zh: &str, what_en: &str| {
        invalid(
            "status",
            format!("预案当前为「{}」，只有「{}」的预案才能{what_zh}", plan.status.label_zh(), want.label_zh()),
            format!("the plan is {}; only a plan that is {} can be {what_en}", plan.status.label_en(), want.label_en()),
        )
    };
    match step {
        PlanStep::Review => {
            if plan.status != PlanStatus::Drafting {
                return Err(refuse(PlanStatus::Drafting, "提交评审", "sent for review"));
            }
            plan.status = PlanStatus::UnderReview;
        }
        PlanStep::File { issued_on, filed_on, filing_number } => {
            if plan.status != PlanStatus::UnderReview {
                return Err(refuse(PlanStatus::UnderReview, "备案", "filed"));
            }
            let (i, f) = check_dates(today(clock), PlanStatus::Filed, Some(issued_on), Some(filed_on))?;
            plan.status = PlanStatus::Filed;
            plan.issued_on = i;
            plan.filed_on = f;
            plan.filing_number = filing_number.trim().to_owned();
        }
        PlanStep::Revise => {
            if plan.status != PlanStatus::Filed {
                return Err(refuse(PlanStatus::Filed, "开始修订", "revised"));
            }
            plan.status = PlanStatus::Drafting;
        }
    }
    plan.updated_at = clock.now_rfc3339();
    tx.execute(
        "UPDATE emergency_plans SET status = ?2, issued_on = ?3, filed_on = ?4, filing_number = ?5, updated_at = ?6
         WHERE id = ?1",
        params![plan.id, plan.status, plan.issued_on, plan.filed_on, plan.filing_number, plan.updated_at],
    )?;
    Ok(plan)
}

/// The code prefix that selects a region and what lies in it: 320000 → "32", 320100 → "3201".
pub fn region_prefix(code: &str) -> String {
    let code = code.trim();
    if code.len() == 6 && code.ends_with("0000") {
        code[..2].to_owned()
    } else if code.len() == 6 && code.ends_with("00") {
        code[..4].to_owned()
    } else {
        code.to_owned()
    }
}

/// Which plans to list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanFilter {
    /// A region and everything in it.
    pub region_code: Option<String>,
    pub subject_id: Option<String>,
    pub subject_kind: Option<String>,
    /// Only plans whose revision is overdue.
    pub overdue_only: bool,
}

/// Plans, most overdue first, then the ones due soonest.
pub fn list(conn: &Connection, clock: &dyn Clock, filter: &PlanFilter) -> Result<Vec<PlanView>> {
    let kind = filter.subject_kind.as_deref().filter(|s| !s.is_empty()).map(subject_kind).transpose()?;
    let prefix = filter.region_code.as_deref().filter(|s| !s.is_empty()).map(|c| format!("{}%", region_prefix(c)));
    let mut stmt = conn.prepare_cached(
        "SELECT p.*, COALESCE(r.name, t.name, g.name_zh, '') AS subject_name
         FROM emergency_plans p
         LEFT JOIN risk_sources r ON p.subject_kind IN ('enterprise', 'chemical_park') AND r.id = p.subject_id
         LEFT JOIN sensitive_targets t ON p.subject_kind = 'water_source' AND t.id = p.subject_id
         LEFT JOIN regions g ON p.subject_kind IN ('county', 'city') AND g.code = p.subject_id
         WHERE (?1 IS NULL OR p.region_code LIKE ?1) AND (?2 IS NULL OR p.subject_id = ?2)
           AND (?3 IS NULL OR p.subject_kind = ?3)
         ORDER BY p.region_code, p.id",
    )?;
    let rows = stmt.query_map(params![prefix, filter.subject_id, kind], |r| {
        Ok((Plan::from_row(r)?, r.get::<_, String>("subject_name")?))
    })?;
    let today = today(clock);
    let mut out = Vec::new();
    for row in rows {
        let (plan, subject_name) = row?;
        let (state, days) = plan.revision_state(today);
        if filter.overdue_only && state != RevisionState::Overdue {
            continue;
        }
        out.push(PlanView {
            revision_due_on: plan.revision_due().map(format_date),
            revision_state: state,
            days_overdue: days,
            subject_name,
            attachments: Vec::new(),
            plan,
        });
    }
    out.sort_by(|a, b| {
        let rank = |v: &PlanView| match v.revision_state {
            RevisionState::Overdue => 0,
            RevisionState::DueSoon => 1,
            RevisionState::NotIssued => 2,
            RevisionState::Current => 3,
        };
        rank(a)
            .cmp(&rank(b))
            .then_with(|| b.days_overdue.unwrap_or(i64::MIN).cmp(&a.days_overdue.unwrap_or(i64::MIN)))
            .then_with(|| a.plan.region_code.cmp(&b.plan.region_code))
            .then_with(|| a.plan.id.cmp(&b.plan.id))
    });
    for v in &mut out {
        v.attachments = crate::attach::of_plan(conn, &v.plan.id)?;
    }
    Ok(out)
}

/// Plans of one region (its own code: a county, or a city's own plans), by revision state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionPlans {
    pub region_code: String,
    pub total: u32,
    pub overdue: u32,
    pub due_soon: u32,
    pub not_issued: u32,
}

/// Revision states counted per region, the regions with the most overdue plans first.
pub fn by_region(conn: &Connection, clock: &dyn Clock) -> Result<Vec<RegionPlans>> {
    let all = list(conn, clock, &PlanFilter::default())?;
    let mut map: std::collections::BTreeMap<String, RegionPlans> = std::collections::BTreeMap::new();
    for v in all {
        let e = map.entry(v.plan.region_code.clone()).or_insert_with(|| RegionPlans {
            region_code: v.plan.region_code.clone(),
            total: 0,
            overdue: 0,
            due_soon: 0,
            not_issued: 0,
        });
        e.total += 1;
        match v.revision_state {
            RevisionState::Overdue => e.overdue += 1,
            RevisionState::DueSoon => e.due_soon += 1,
            RevisionState::NotIssued => e.not_issued += 1,
            RevisionState::Current => {}
        }
    }
    let mut out: Vec<RegionPlans> = map.into_values().collect();
    out.sort_by(|a, b| b.overdue.cmp(&a.overdue).then_with(|| a.region_code.cmp(&b.region_code)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil;

    fn enterprise(conn: &Connection) -> RiskSource {
        conn.query_row(
            "SELECT * FROM risk_sources WHERE kind = 'enterprise' ORDER BY id LIMIT 1",
            [],
            RiskSource::from_row,
        )
        .unwrap()
    }

    #[test]
    fn revision_is_due_three_years_after_issue() {
        let today = parse_date("t", "2026-11-29").unwrap();
        let mut p = Plan {
            id: "p".into(),
            region_code: "320115".into(),
            subject_kind: PlanSubject::County,
            subject_id: "320115".into(),
            title: "t".into(),
            status: PlanStatus::Filed,
            issued_on: Some("2023-11-29".into()),
            filed_on: Some("2023-12-05".into()),
            filing_number: String::new(),
            owner_org: String::new(),
            contact_name: String::new(),
            contact_phone: String::new(),
            data_source: "test".into(),
            created_at: String::new(),
            updated_at: String::new(),
        };
        // Due today: not yet overdue, due soon.
        assert_eq!(p.revision_state(today), (RevisionState::DueSoon, Some(0)));
        p.issued_on = Some("2023-11-28".into());
        assert_eq!(p.revision_state(today), (RevisionState::Overdue, Some(1)));
        p.issued_on = Some("2024-02-20".into());
        assert_eq!(p.revision_state(today), (RevisionState::DueSoon, Some(-83)), "due 2027-02-20, 83 days ahead");
        p.issued_on = Some("2024-03-01".into());
        assert_eq!(p.revision_state(today), (RevisionState::Current, Some(-92)), "92 days ahead: more than a quarter");
        p.issued_on = Some("2024-06-01".into());
        assert_eq!(p.revision_state(today).0, RevisionState::Current);
        p.issued_on = None;
        assert_eq!(p.revision_state(today), (RevisionState::NotIssued, None));
    }

    #[test]
    fn subjects_are_found_by_part_of_their_name_and_only_of_the_right_kind() {
        let store = testutil::demo();
        let e = enterprise(store.conn());
        let part: String = e.name.chars().take(2).collect();
        let found = subjects(store.conn(), "enterprise", &part, 50).unwrap();
        assert!(found.iter().any(|o| o.id == e.id), "{part} finds {}", e.name);
        assert!(found.iter().all(|o| o.name.contains(&part) || o.id == part));
        // Every one offered is accepted as the subject of a plan of that kind.
        for kind in ["enterprise", "chemical_park", "water_source", "county", "city"] {
            let all = subjects(store.conn(), kind, "", 5).unwrap();
            assert!(!all.is_empty(), "{kind}");
            for o in &all {
                let (region, name) = subject(store.conn(), subject_kind(kind).unwrap(), &o.id).unwrap();
                assert_eq!((region, name), (o.region_code.clone(), o.name.clone()), "{kind} {}", o.id);
            }
        }
        // A park is not offered as an enterprise; an id finds itself; wildcards are literal.
        let parks = subjects(store.conn(), "chemical_park", "", 500).unwrap();
        let ents = subjects(store.conn(), "enterprise", "", 5000).unwrap();
        assert!(parks.iter().all(|p| !ents.iter().any(|x| x.id == p.id)));
        assert_eq!(subjects(store.conn(), "enterprise", &e.id, 5).unwrap()[0].id, e.id);
        assert!(subjects(store.conn(), "enterprise", "%", 5).unwrap().is_empty());
        assert!(!subjects(store.conn(), "city", "nanjing", 5).unwrap().is_empty(), "pinyin finds 南京");
        assert!(matches!(
            subjects(store.conn(), "factory", "", 5),
            Err(PrepError::Invalid { field: "subject_kind", .. })
        ));
    }

    #[test]
    fn a_plan_is_drafted_reviewed_filed_and_revised() {
        let mut store = testutil::demo();
        let clock = testutil::clock();
        let e = enterprise(store.conn());
        let tx = store.transaction().unwrap();
        let plan = add(
            &tx,
            &clock,
            &NewPlan {
                subject_kind: "enterprise".into(),
                subject_id: e.id.clone(),
                title: format!("{}突发环境事件应急预案", e.name),
                status: "drafting".into(),
                ..NewPlan::default()
            },
        )
        .unwrap();
        assert_eq!(plan.region_code, e.region_code);
        assert_eq!(plan.data_source, "local");
        let err = advance(
            &tx,
            &clock,
            &plan.id,
            &PlanStep::File {
                issued_on: "2026-10-01".into(),
                filed_on: "2026-10-10".into(),
                filing_number: String::new(),
            },
        )
        .unwrap_err();
        assert!(matches!(err, PrepError::Invalid { field: "status", .. }), "{err}");
        advance(&tx, &clock, &plan.id, &PlanStep::Review).unwrap();
        let future = advance(
            &tx,
            &clock,
            &plan.id,
            &PlanStep::File {
                issued_on: "2026-10-01".into(),
                filed_on: "2026-12-10".into(),
                filing_number: String::new(),
            },
        )
        .unwrap_err();
        assert!(matches!(future, PrepError::Invalid { field: "filed_on", .. }), "{future}");
        let filed = advance(
            &tx,
            &clock,
            &plan.id,
            &PlanStep::File {
                issued_on: "2026-10-01".into(),
                filed_on: "2026-10-10".into(),
                filing_number: "320115-2026-001-L".into(),
            },
        )
        .unwrap();
        assert_eq!(filed.status, PlanStatus::Filed);
        assert_eq!(filed.revision_due().map(format_date).as_deref(), Some("2029-10-01"));
        let revising = advance(&tx, &clock, &plan.id, &PlanStep::Revise).unwrap();
        assert_eq!(revising.status, PlanStatus::Drafting);
        assert_eq!(revising.issued_on.as_deref(), Some("2026-10-01"), "the old version counts until the new is filed");
        tx.commit().unwrap();
    }

    #[test]
    fn a_plan_needs_a_subject_of_its_kind() {
        let mut store = testutil::demo();
        let clock = testutil::clock();
        let e = enterprise(store.conn());
        let tx = store.transaction().unwrap();
        let wrong = add(
            &tx,
            &clock,
            &NewPlan {
                subject_kind: "chemical_park".into(),
                subject_id: e.id.clone(),
                title: "x".into(),
                status: "drafting".into(),
                ..NewPlan::default()
            },
        )
        .unwrap_err();
        assert!(matches!(wrong, PrepError::Invalid { field: "subject_id", .. }), "{wrong}");
        let missing = add(
            &tx,
            &clock,
            &NewPlan {
                subject_kind: "county".into(),
                subject_id: "999999".into(),
                title: "x".into(),
                status: "drafting".into(),
                ..NewPlan::default()
            },
        )
        .unwrap_err();
        // An unknown subject is a field to correct in the form, not a missing record.
        assert!(matches!(missing, PrepError::Invalid { field: "subject_id", .. }), "{missing}");
        let none = add(
            &tx,
            &clock,
            &NewPlan {
                subject_kind: "county".into(),
                title: "x".into(),
                status: "drafting".into(),
                ..NewPlan::default()
            },
        )
        .unwrap_err();
        assert!(
            matches!(none, PrepError::Invalid { field: "subject_id", ref message_zh, .. } if message_zh.contains("请选择")),
            "{none}"
        );
        let filed_without_dates = add(
            &tx,
            &clock,
            &NewPlan {
                subject_kind: "county".into(),
                subject_id: "320115".into(),
                title: "x".into(),
                status: "filed".into(),
                ..NewPlan::default()
            },
        )
        .unwrap_err();
        assert!(matches!(filed_without_dates, PrepError::Invalid { field: "issued_on", .. }));
    }

    #[test]
    fn demo_plans_cover_every_source_county_and_city_and_some_are_overdue() {
        let store = testutil::demo();
        let clock = testutil::clock();
        let conn = store.conn();
        let uncovered: i64 = conn
            .query_row(
                "SELECT count(*) FROM risk_sources s WHERE s.kind IN ('enterprise', 'chemical_park')
                 AND NOT EXISTS (SELECT 1 FROM emergency_plans p WHERE p.subject_id = s.id)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(uncovered, 0);
        let regions_without: i64 = conn
            .query_row(
                "SELECT count(*) FROM regions g WHERE g.level IN ('county', 'city')
                 AND NOT EXISTS (SELECT 1 FROM emergency_plans p WHERE p.subject_id = g.code)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(regions_without, 0);
        let overdue = list(conn, &clock, &PlanFilter { overdue_only: true, ..PlanFilter::default() }).unwrap();
        assert!(!overdue.is_empty());
        assert!(overdue.iter().all(|v| v.revision_state == RevisionState::Overdue && v.days_overdue.unwrap() > 0));
        assert!(overdue.windows(2).all(|w| w[0].days_overdue >= w[1].days_overdue), "most overdue first");
        let regions = by_region(conn, &clock).unwrap();
        assert_eq!(regions.iter().map(|r| r.overdue as usize).sum::<usize>(), overdue.len());
        // A city's filter takes its counties' plans too.
        let nanjing =
            list(conn, &clock, &PlanFilter { region_code: Some("320100".into()), ..PlanFilter::default() }).unwrap();
        assert!(nanjing.iter().all(|v| v.plan.region_code.starts_with("3201")) && !nanjing.is_empty());
    }
}
