//! Calling up support: teams and experts ranked by how well their specialties match the
//! incident (its type and pollutants) and then by distance; who was called, when, and the answer.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use yingji_store::{new_id, query, Clock};

use crate::{append, invalid, open_incident, IncidentError, IncidentType, LogKind, Pollutant, Result};

/// Chemical classes by CAS number (the demo catalogue's chemicals; see yingji-demo catalog.rs).
/// Toxic or flammable gases (GB 30000.6-2013 / GB 30000.8 classes) call for gas specialists.
const TOXIC_GASES: &[&str] = &[
    "7782-50-5",
    "7664-41-7",
    "7783-06-4",
    "7664-39-3",
    "75-44-5",
    "75-21-8",
    "75-01-4",
    "68476-85-7",
    "74-85-1",
    "115-07-1",
    "106-99-0",
];
/// Oils: spill booms and skimmers.
const OILS: &[&str] = &["86290-81-5", "68334-30-5", "8002-05-9"];
/// Strong acids and bases: neutralisation and decontamination.
const CORROSIVES: &[&str] = &["7647-01-0", "7664-93-9", "7697-37-2", "1310-73-2", "64-19-7", "7664-39-3"];
/// Highly toxic to people (poisoning care, toxicology).
const ACUTE_TOXIC: &[&str] =
    &["143-33-9", "75-44-5", "98-95-3", "62-53-3", "107-13-1", "108-95-2", "7783-06-4", "7782-50-5"];

/// The specialty keywords wanted for an incident, most important first (team specialties and
/// expert specialties of the demo data's vocabulary, yingji-demo catalog.rs TEAM_TYPES /
/// EXPERT_SPECIALTIES).
pub fn wanted_specialties(kind: IncidentType, pollutants: &[Pollutant]) -> Vec<&'static str> {
    let mut w: Vec<&'static str> = vec!["危化品泄漏处置", "环境应急管理", "危险化学品安全"];
    match kind {
        IncidentType::Water | IncidentType::FireWater => {
            w.extend(["水质应急监测", "河道截污", "闸坝调度", "水污染控制", "饮用水安全", "水文水资源"])
        }
        IncidentType::Air => w.extend(["大气应急监测", "有毒气体处置", "大气污染控制"]),
        IncidentType::Soil => w.extend(["土壤应急监测", "土壤污染修复", "固体废物处置"]),
        IncidentType::Transport => w.extend(["堵漏", "洗消", "水质应急监测", "大气应急监测"]),
        IncidentType::Marine => w.extend(["溢油围控", "溢油回收", "海洋环境"]),
        IncidentType::Other => w.push("环境监测"),
    }
    for p in pollutants {
        let cas = p.cas.trim();
        if TOXIC_GASES.contains(&cas) || p.name_zh.contains('气') {
            w.extend(["有毒气体处置", "大气应急监测", "大气污染控制"]);
        }
        if OILS.contains(&cas) || p.name_zh.contains('油') {
            w.extend(["溢油围控", "溢油回收", "水面清污"]);
        }
        if CORROSIVES.contains(&cas) || p.name_zh.contains('酸') || p.name_zh.contains("碱") {
            w.extend(["洗消", "堵漏"]);
        }
        if ACUTE_TOXIC.contains(&cas) {
            w.extend(["中毒救治", "毒理学"]);
        }
    }
    let mut seen = std::collections::HashSet::new();
    w.retain(|s| seen.insert(*s));
    w
}

text_enum!(
    /// Team or expert.
    SupportKind {
        Team = "team", "应急队伍", "team";
        Expert = "expert", "专家", "expert";
    }
);

/// A ranked candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupportCandidate {
    pub kind: SupportKind,
    pub id: String,
    pub name: String,
    /// Team type or the expert's organisation.
    pub detail: String,
    pub specialties: String,
    pub matched: Vec<String>,
    /// Matched keywords weighted by rank in the wanted list (higher is better).
    pub score: f64,
    pub distance_m: Option<f64>,
    pub contact_phone: String,
}

fn score(text: &str, wanted: &[&str]) -> (f64, Vec<String>) {
    let mut s = 0.0;
    let mut matched = Vec::new();
    for (i, w) in wanted.iter().enumerate() {
        if text.contains(w) {
            s += 1.0 / (1.0 + i as f64 * 0.1);
            matched.push((*w).to_owned());
        }
    }
    (s, matched)
}

/// Teams and experts ranked: specialty score first, then distance (experts without a location last).
pub fn rank(conn: &Connection, incident_id: &str, kind: SupportKind, limit: usize) -> Result<Vec<SupportCandidate>> {
    let inc = crate::get(conn, incident_id)?;
    let wanted = wanted_specialties(inc.incident_type, &crate::pollutants(conn, incident_id)?);
    let here = query::LatLon { lat: inc.lat, lon: inc.lon };
    let sql = match kind {
        SupportKind::Team => {
            "SELECT id, name, team_type, team_type || '、' || specialties, lat, lon, contact_phone FROM teams"
        }
        SupportKind::Expert => {
            "SELECT id, name, organisation || ' ' || title, specialty, lat, lon, contact_phone FROM experts"
        }
    };
    let mut stmt = conn.prepare(sql)?;
    let mut out: Vec<SupportCandidate> = stmt
        .query_map([], |r| {
            let specialties: String = r.get(3)?;
            let (lat, lon): (Option<f64>, Option<f64>) = (r.get(4)?, r.get(5)?);
            let (s, matched) = score(&specialties, &wanted);
            Ok(SupportCandidate {
                kind,
                id: r.get(0)?,
                name: r.get(1)?,
                detail: r.get(2)?,
                specialties,
                matched,
                score: s,
                distance_m: lat.zip(lon).map(|(lat, lon)| query::haversine_m(here, query::LatLon { lat, lon })),
                contact_phone: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    out.retain(|c| c.score > 0.0);
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.distance_m.unwrap_or(f64::INFINITY).total_cmp(&b.distance_m.unwrap_or(f64::INFINITY)))
            .then_with(|| a.id.cmp(&b.id))
    });
    out.truncate(limit);
    Ok(out)
}

text_enum!(
    /// What the one called answered.
    Answer {
        Accepted = "accepted", "同意", "accepted";
        Declined = "declined", "拒绝", "declined";
        NoAnswer = "no_answer", "未接通", "no answer";
    }
);

/// A call made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupportCall {
    pub id: String,
    pub kind: SupportKind,
    pub target_id: String,
    pub name: String,
    pub called_at: String,
    pub called_by: String,
    pub answer: Answer,
    pub note: String,
}

/// Records a call and its answer (and a `call` log entry).
#[allow(clippy::too_many_arguments)]
pub fn record_call(
    tx: &Transaction<'_>,
    clock: &dyn Clock,
    incident_id: &str,
    kind: SupportKind,
    target_id: &str,
    answer: Answer,
    note: &str,
    author: &str,
) -> Result<SupportCall> {
    let inc = open_incident(tx, incident_id)?;
    let table = match kind {
        SupportKind::Team => "teams",
        SupportKind::Expert => "experts",
    };
    let name: Option<String> =
        tx.query_row(&format!("SELECT name FROM {table} WHERE id = ?1"), [target_id], |r| r.get(0)).optional()?;
    let name = name.ok_or_else(|| IncidentError::NotFound { kind: kind.label_en(), id: target_id.to_owned() })?;
    if author.trim().is_empty() {
        return Err(invalid("author", "请填写呼叫人", "author must not be empty"));
    }
    let id = new_id();
    let now = clock.now_rfc3339();
    let (team, expert) = match kind {
        SupportKind::Team => (Some(target_id), None),
        SupportKind::Expert => (None, Some(target_id)),
    };
    tx.execute(
        "INSERT INTO support_calls (id, incident_id, region_code, team_id, expert_id, called_at, called_by, answer, note, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?6)",
        params![id, incident_id, inc.region_code, team, expert, now, author, answer, note],
    )?;
    append(
        tx,
        clock,
        incident_id,
        LogKind::Call,
        author,
        &format!(
            "呼叫{}{name}：{}{}",
            kind.label_zh(),
            answer.label_zh(),
            if note.is_empty() { String::new() } else { format!("（{note}）") }
        ),
        Some(("support_calls", &id)),
        None,
    )?;
    Ok(SupportCall {
        id,
        kind,
        target_id: target_id.into(),
        name,
        called_at: now,
        called_by: author.into(),
        answer,
        note: note.into(),
    })
}

/// The calls made for an incident, oldest first.
pub fn calls_of(conn: &Connection, incident_id: &str) -> Result<Vec<SupportCall>> {
    let mut stmt = conn.prepare(
        "SELECT c.id, c.team_id, c.expert_id, COALESCE(t.name, e.name), c.called_at, c.called_by, c.answer, c.note
         FROM support_calls c LEFT JOIN teams t ON t.id = c.team_id LEFT JOIN experts e ON e.id = c.expert_id
         WHERE c.incident_id = ?1 ORDER BY c.called_at, c.rowid",
    )?;
    let rows = stmt.query_map([incident_id], |r| {
        let team: Option<String> = r.get(1)?;
        let expert: Option<String> = r.get(2)?;
        Ok(SupportCall {
            id: r.get(0)?,
            kind: if team.is_some() { SupportKind::Team } else { SupportKind::Expert },
            target_id: team.or(expert).unwrap_or_default(),
            name: r.get(3)?,
            called_at: r.get(4)?,
            called_by: r.get(5)?,
            answer: r.get(6)?,
            note: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{clock, demo};

    #[test]
    fn a_chlorine_leak_wants_gas_specialists() {
        let w = wanted_specialties(
            IncidentType::Air,
            &[Pollutant { name_zh: "氯气".into(), cas: "7782-50-5".into(), estimated_quantity_kg: None }],
        );
        assert!(w.contains(&"有毒气体处置") && w.contains(&"中毒救治"));
        assert!(!w.contains(&"溢油回收"));
    }

    #[test]
    fn ranking_puts_matching_specialists_first_then_nearest_and_calls_are_recorded() {
        let mut store = demo();
        let tx = store.transaction().unwrap();
        let mut alarm = crate::tests::alarm();
        alarm.incident_type = IncidentType::Marine;
        alarm.pollutants =
            vec![Pollutant { name_zh: "柴油".into(), cas: "68334-30-5".into(), estimated_quantity_kg: Some(2e4) }];
        let inc = crate::create(&tx, &clock(), &alarm).unwrap();
        let teams = rank(&tx, &inc.id, SupportKind::Team, 20).unwrap();
        assert!(!teams.is_empty());
        assert!(teams[0].specialties.contains("溢油"), "{:?}", teams[0]);
        assert!(teams.windows(2).all(|w| w[0].score > w[1].score
            || (w[0].score == w[1].score && w[0].distance_m.unwrap() <= w[1].distance_m.unwrap())));
        let experts = rank(&tx, &inc.id, SupportKind::Expert, 5).unwrap();
        assert!(experts.iter().all(|e| !e.matched.is_empty()));
        let call = record_call(
            &tx,
            &clock(),
            &inc.id,
            SupportKind::Team,
            &teams[0].id,
            Answer::Accepted,
            "30 分钟到场",
            "指挥长",
        )
        .unwrap();
        let calls = calls_of(&tx, &inc.id).unwrap();
        assert_eq!(calls, vec![call]);
        assert!(tx.execute("DELETE FROM support_calls", []).is_err());
    }
}
