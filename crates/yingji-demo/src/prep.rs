//! Demo preparedness records (migration 0008): an emergency plan for every enterprise, chemical
//! park, drinking-water intake, county and city, and hazard inspections of the larger risk
//! sources with findings at every stage of their loop. All fictitious, `data_source = 'demo'`.
//!
//! Drawn from a generator of their own (seeded from the demo seed), after everything else, so
//! the rest of the demo province is the same as before these were added.

use rusqlite::{params, Transaction};

use crate::{rng::Rng, DemoError, DEMO, DEMO_TIMESTAMP};

/// Mixed into the demo seed for this module's generator ("PREP" in ASCII).
const PREP_STREAM: u64 = 0x5052_4550;

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar
/// (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms", civil_from_days).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn date(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// 2021-01-01 as days since 1970-01-01.
const DAY_2021_01_01: i64 = 18_628;
/// 2026-10-31 as days since 1970-01-01: no demo date is later.
const DAY_2026_10_31: i64 = 20_757;

struct Subject {
    kind: &'static str,
    id: String,
    region_code: String,
    name: String,
    owner: String,
    contact_name: String,
    contact_phone: String,
    /// L, M or H: the risk grade letter of the filing number.
    grade_letter: &'static str,
}

fn subjects(tx: &Transaction<'_>) -> Result<Vec<Subject>, DemoError> {
    let mut out = Vec::new();
    let mut stmt = tx.prepare(
        "SELECT kind, id, region_code, name, grade, contact_name, contact_phone FROM risk_sources
         WHERE kind IN ('enterprise', 'chemical_park') ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        let kind: String = r.get(0)?;
        let name: String = r.get(3)?;
        let grade: String = r.get(4)?;
        Ok(Subject {
            kind: if kind == "enterprise" { "enterprise" } else { "chemical_park" },
            id: r.get(1)?,
            region_code: r.get(2)?,
            owner: if kind == "enterprise" { name.clone() } else { format!("{name}管理委员会") },
            name,
            contact_name: r.get(5)?,
            contact_phone: r.get(6)?,
            grade_letter: match grade.as_str() {
                "major" => "H",
                "larger" => "M",
                _ => "L",
            },
        })
    })?;
    for s in rows {
        out.push(s?);
    }
    let mut stmt = tx.prepare(
        "SELECT id, region_code, name, contact_name, contact_phone FROM sensitive_targets
         WHERE kind = 'drinking_water_intake' ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Subject {
            kind: "water_source",
            id: r.get(0)?,
            region_code: r.get(1)?,
            name: r.get(2)?,
            owner: String::new(),
            contact_name: r.get(3)?,
            contact_phone: r.get(4)?,
            grade_letter: "L",
        })
    })?;
    for s in rows {
        out.push(s?);
    }
    let mut stmt =
        tx.prepare("SELECT code, level, name_zh FROM regions WHERE level IN ('city', 'county') ORDER BY code")?;
    let rows = stmt.query_map([], |r| {
        let level: String = r.get(1)?;
        let name: String = r.get(2)?;
        Ok(Subject {
            kind: if level == "city" { "city" } else { "county" },
            id: r.get(0)?,
            region_code: r.get(0)?,
            owner: format!("{name}人民政府"),
            name,
            contact_name: String::new(),
            contact_phone: String::new(),
            grade_letter: "L",
        })
    })?;
    for s in rows {
        out.push(s?);
    }
    Ok(out)
}

/// Writes the demo plans and inspections.
pub(crate) fn populate(tx: &Transaction<'_>, seed: u64) -> Result<(), DemoError> {
    let mut rng = Rng::new(seed ^ PREP_STREAM);
    let subjects = subjects(tx)?;
    let mut seq_per_region: std::collections::HashMap<(String, i64), u32> = std::collections::HashMap::new();
    for s in &subjects {
        // Issued between 2021 and mid-2026: those issued before late 2023 owe their revision.
        let issued_day = DAY_2021_01_01 + rng.int(0, 5 * 365 + 150);
        let roll = rng.unit();
        let (status, issued, filed) = if roll < 0.80 {
            let filed_day = (issued_day + rng.int(5, 60)).min(DAY_2026_10_31);
            ("filed", Some(issued_day), Some(filed_day))
        } else if roll < 0.88 {
            ("under_review", Some(issued_day), None)
        } else if roll < 0.94 {
            // A revision in progress: the old version's dates stand until the new one is filed.
            let filed_day = (issued_day + rng.int(5, 60)).min(DAY_2026_10_31);
            ("drafting", Some(issued_day), Some(filed_day))
        } else {
            ("drafting", None, None)
        };
        let filing_number = match filed {
            Some(f) => {
                let year = civil_from_days(f).0;
                let n = seq_per_region.entry((s.region_code.clone(), year)).or_insert(0);
                *n += 1;
                // 备案编号: 行政区划代码-年份-流水号-风险级别 (环发〔2015〕4号 附件 format; fictitious).
                format!("{}-{year}-{:03}-{}", s.region_code, n, s.grade_letter)
            }
            None => String::new(),
        };
        let title = match s.kind {
            "water_source" => format!("{}饮用水水源地突发环境事件应急预案", s.name),
            _ => format!("{}突发环境事件应急预案", s.name),
        };
        tx.execute(
            "INSERT INTO emergency_plans (id, region_code, subject_kind, subject_id, title, status, issued_on, filed_on,
                 filing_number, owner_org, contact_name, contact_phone, data_source, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)",
            params![
                rng.uuid(),
                s.region_code,
                s.kind,
                s.id,
                title,
                status,
                issued.map(date),
                filed.map(date),
                filing_number,
                s.owner,
                s.contact_name,
                s.contact_phone,
                DEMO,
                DEMO_TIMESTAMP
            ],
        )?;
    }
    inspections(tx, &mut rng)
}

const INSPECTORS: &[&str] = &["市生态环境局执法支队", "县生态环境局", "园区安全环保局", "省生态环境厅专项检查组"];
const FINDINGS: &[(&str, &str)] = &[
    ("事故应急池被杂物占用，有效容积不足", "major"),
    ("雨水排口未设置切换阀，事故废水可能直排", "major"),
    ("围堰破损，储罐区泄漏时无法收容", "major"),
    ("应急物资（吸附棉、沙袋）数量不足且未登记", "general"),
    ("应急预案未按规定开展演练", "general"),
    ("有毒气体报警仪未定期标定", "general"),
    ("危险废物贮存场所标识不全", "general"),
    ("清净下水排口在线监测设备故障", "general"),
];

/// Inspections of the major and larger enterprises, with findings at every stage.
fn inspections(tx: &Transaction<'_>, rng: &mut Rng) -> Result<(), DemoError> {
    let sources: Vec<(String, String)> = {
        let mut stmt = tx.prepare(
            "SELECT id, region_code FROM risk_sources WHERE kind = 'enterprise' AND grade IN ('major', 'larger') ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    // 2026-03-01 … 2026-10-31: inspections of this year.
    let first_day = 20_513;
    for (i, (source, region)) in sources.iter().enumerate() {
        if i % 2 == 1 {
            continue; // half of them were inspected this year
        }
        let day = first_day + rng.int(0, DAY_2026_10_31 - first_day);
        let inspection = rng.uuid();
        let at = |d: i64| format!("{}T02:00:00Z", date(d));
        tx.execute(
            "INSERT INTO inspections (id, region_code, risk_source_id, inspected_on, inspectors, summary, data_source, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![inspection, region, source, date(day), rng.pick(INSPECTORS), "年度环境安全隐患排查", DEMO, at(day)],
        )?;
        for _ in 0..rng.int(1, 3) {
            let (description, severity) = *rng.pick(FINDINGS);
            // 重大隐患 get a month, 一般隐患 two (this demo's choice).
            let deadline = day + if severity == "major" { 30 } else { 60 };
            let finding = rng.uuid();
            tx.execute(
                "INSERT INTO inspection_findings (id, inspection_id, region_code, risk_source_id, description, severity,
                     deadline_on, owner, evidence, data_source, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![finding, inspection, region, source, description, severity, date(deadline), "企业安全环保负责人", "现场检查记录", DEMO, at(day)],
            )?;
            let event = |status: &str, d: i64, note: &str, rng: &mut Rng| -> rusqlite::Result<usize> {
                tx.execute(
                    "INSERT INTO finding_events (id, finding_id, region_code, status, author, note, evidence, recorded_at, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, '', ?7, ?7)",
                    params![rng.uuid(), finding, region, status, "检查组", note, at(d)],
                )
            };
            event("found", day, "", rng)?;
            let stage = rng.unit();
            if stage > 0.3 {
                let d = (day + rng.int(1, 20)).min(DAY_2026_10_31);
                event("rectifying", d, "企业已制定整改方案", rng)?;
                if stage > 0.6 {
                    let v = (d + rng.int(5, 40)).min(DAY_2026_10_31);
                    event("verified", v, "复查合格，予以销号", rng)?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(DAY_2021_01_01), "2021-01-01");
        assert_eq!(date(DAY_2026_10_31), "2026-10-31");
        assert_eq!(date(20_513), "2026-03-01");
        assert_eq!(date(19_417), "2023-03-01");
        assert_eq!(date(19_416), "2023-02-28");
    }
}
