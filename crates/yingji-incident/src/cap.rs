//! Public warnings (blue/yellow/orange/red, 国家突发环境事件应急预案 2014, 3.2 预警 — 红色 highest)
//! with an area in WGS-84, exported as OASIS Common Alerting Protocol 1.2 XML.

use rusqlite::{params, Connection, Transaction};
use serde::{Deserialize, Serialize};
use yingji_store::{new_id, query::EARTH_MEAN_RADIUS_M, Clock};

use crate::{append, invalid, open_incident, Incident, LogKind, Result};

text_enum!(
    /// 预警级别 (国家突发环境事件应急预案 2014, 3.2.1 预警分级: 红、橙、黄、蓝).
    WarningLevel {
        Blue = "blue", "蓝色预警", "blue";
        Yellow = "yellow", "黄色预警", "yellow";
        Orange = "orange", "橙色预警", "orange";
        Red = "red", "红色预警", "red";
    }
);

impl WarningLevel {
    /// CAP 1.2 (OASIS, 2010) §3.2.2 urgency, severity and certainty for each colour: red =
    /// 特别严重 (Extreme), orange = 严重 (Severe), yellow = 较重 (Moderate), blue = 一般 (Minor).
    pub fn cap_codes(self) -> (&'static str, &'static str, &'static str) {
        match self {
            WarningLevel::Red => ("Immediate", "Extreme", "Observed"),
            WarningLevel::Orange => ("Immediate", "Severe", "Likely"),
            WarningLevel::Yellow => ("Expected", "Moderate", "Likely"),
            WarningLevel::Blue => ("Future", "Minor", "Possible"),
        }
    }
}

/// A warning as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    pub id: String,
    pub incident_id: String,
    pub level: WarningLevel,
    pub headline: String,
    pub description: String,
    pub instruction: String,
    pub area_desc: String,
    /// Outer ring, (lat, lon) degrees, closed (first = last).
    pub ring: Vec<(f64, f64)>,
    pub issued_by: String,
    pub issued_at: String,
}

/// The area of a new warning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WarningArea {
    /// A ring given by the caller (e.g. a threat zone of the model), (lat, lon) pairs.
    Polygon(Vec<(f64, f64)>),
    /// A circle of this radius around the incident, as a 32-gon.
    Buffer { radius_m: f64 },
}

/// A circle around a point as a closed polygon of `n` vertices (spherical destination formula,
/// Sinnott 1984 / Vincenty's sphere case), (lat, lon) degrees.
pub fn buffer_ring(lat: f64, lon: f64, radius_m: f64, n: usize) -> Vec<(f64, f64)> {
    let d = radius_m / EARTH_MEAN_RADIUS_M;
    let (phi1, l1) = (lat.to_radians(), lon.to_radians());
    let mut ring: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let brg = 2.0 * std::f64::consts::PI * i as f64 / n as f64;
            let phi2 = (phi1.sin() * d.cos() + phi1.cos() * d.sin() * brg.cos()).asin();
            let l2 = l1 + (brg.sin() * d.sin() * phi1.cos()).atan2(d.cos() - phi1.sin() * phi2.sin());
            (phi2.to_degrees(), l2.to_degrees())
        })
        .collect();
    ring.push(ring[0]);
    ring
}

fn check_ring(ring: &[(f64, f64)]) -> Result<Vec<(f64, f64)>> {
    let mut ring = ring.to_vec();
    if ring.first() != ring.last() {
        if let Some(first) = ring.first().copied() {
            ring.push(first);
        }
    }
    // CAP 1.2 §3.2.4: a polygon is at least four pairs, the first and last the same.
    if ring.len() < 4 {
        return Err(invalid(
            "area",
            "预警范围至少需要 3 个不同的点",
            "a warning area needs at least 3 distinct points",
        ));
    }
    if ring.iter().any(|(la, lo)| !(-90.0..=90.0).contains(la) || !(-180.0..=180.0).contains(lo)) {
        return Err(invalid("area", "预警范围坐标超出经纬度范围", "a point of the area is outside WGS-84 ranges"));
    }
    Ok(ring)
}

/// Issues a warning (and logs it).
#[allow(clippy::too_many_arguments)]
pub fn issue(
    tx: &Transaction<'_>,
    clock: &dyn Clock,
    incident_id: &str,
    level: WarningLevel,
    headline: &str,
    description: &str,
    instruction: &str,
    area_desc: &str,
    area: &WarningArea,
    author: &str,
) -> Result<Warning> {
    let inc = open_incident(tx, incident_id)?;
    if headline.trim().is_empty() {
        return Err(invalid("headline", "请填写预警标题", "headline must not be empty"));
    }
    let ring = match area {
        WarningArea::Polygon(r) => check_ring(r)?,
        WarningArea::Buffer { radius_m } => {
            if !(*radius_m > 0.0 && *radius_m <= 200_000.0) {
                return Err(invalid("radius_m", "缓冲半径须在 0–200 km 之间", "radius_m must be within 0–200 km"));
            }
            buffer_ring(inc.lat, inc.lon, *radius_m, 32)
        }
    };
    let coords: Vec<[f64; 2]> = ring.iter().map(|(la, lo)| [*lo, *la]).collect();
    let geojson = serde_json::json!({ "type": "Polygon", "coordinates": [coords] }).to_string();
    let id = new_id();
    let now = clock.now_rfc3339();
    tx.execute(
        "INSERT INTO incident_warnings (id, incident_id, region_code, level, headline, description, instruction, area_desc, area_json, issued_by, issued_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
        params![id, incident_id, inc.region_code, level, headline.trim(), description, instruction, area_desc, geojson, author, now],
    )?;
    append(
        tx,
        clock,
        incident_id,
        LogKind::Warning,
        author,
        &format!("发布{}：{}", level.label_zh(), headline.trim()),
        Some(("incident_warnings", &id)),
        None,
    )?;
    Ok(Warning {
        id,
        incident_id: incident_id.into(),
        level,
        headline: headline.trim().into(),
        description: description.into(),
        instruction: instruction.into(),
        area_desc: area_desc.into(),
        ring,
        issued_by: author.into(),
        issued_at: now,
    })
}

/// The incident's warnings, oldest first.
pub fn warnings_of(conn: &Connection, incident_id: &str) -> Result<Vec<Warning>> {
    let mut stmt = conn.prepare(
        "SELECT id, incident_id, level, headline, description, instruction, area_desc, area_json, issued_by, issued_at
         FROM incident_warnings WHERE incident_id = ?1 ORDER BY issued_at, rowid",
    )?;
    let rows = stmt.query_map([incident_id], |r| {
        let json: String = r.get(7)?;
        let v: serde_json::Value = serde_json::from_str(&json)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(7, rusqlite::types::Type::Text, Box::new(e)))?;
        let ring = v["coordinates"][0]
            .as_array()
            .map(|a| a.iter().map(|p| (p[1].as_f64().unwrap_or(f64::NAN), p[0].as_f64().unwrap_or(f64::NAN))).collect())
            .unwrap_or_default();
        Ok(Warning {
            id: r.get(0)?,
            incident_id: r.get(1)?,
            level: r.get(2)?,
            headline: r.get(3)?,
            description: r.get(4)?,
            instruction: r.get(5)?,
            area_desc: r.get(6)?,
            ring,
            issued_by: r.get(8)?,
            issued_at: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;")
}

/// China Standard Time, the zone the `sent` time is written in (CAP 1.2 §3.3.2 wants an offset).
const CST_OFFSET_H: i8 = 8;

/// The warning as a CAP 1.2 alert. `sender` identifies the issuing console (e.g. an e-mail-like
/// id of the department). Status is `Exercise` for drills, `Actual` otherwise.
pub fn to_cap_xml(incident: &Incident, w: &Warning, sender: &str) -> Result<String> {
    let sent = crate::parse_time("issued_at", &w.issued_at)?
        .to_offset(time::UtcOffset::from_hms(CST_OFFSET_H, 0, 0).expect("valid offset"));
    let sent = sent
        .format(time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]+08:00"))
        .expect("formats");
    let (urgency, severity, certainty) = w.level.cap_codes();
    let status = if incident.exercise { "Exercise" } else { "Actual" };
    let polygon: Vec<String> = w.ring.iter().map(|(la, lo)| format!("{la:.6},{lo:.6}")).collect();
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{id}</identifier>
  <sender>{sender}</sender>
  <sent>{sent}</sent>
  <status>{status}</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>zh-CN</language>
    <category>Env</category>
    <event>{event}</event>
    <urgency>{urgency}</urgency>
    <severity>{severity}</severity>
    <certainty>{certainty}</certainty>
    <senderName>{sender}</senderName>
    <headline>{headline}</headline>
    <description>{description}</description>
    <instruction>{instruction}</instruction>
    <area>
      <areaDesc>{area}</areaDesc>
      <polygon>{polygon}</polygon>
    </area>
  </info>
</alert>
"#,
        id = esc(&format!("yingji-{}", w.id)),
        sender = esc(sender),
        event = esc(&format!("突发环境事件{}：{}", w.level.label_zh(), incident.name)),
        headline = esc(&w.headline),
        description = esc(&w.description),
        instruction = esc(&w.instruction),
        area = esc(if w.area_desc.is_empty() { &incident.name } else { &w.area_desc }),
        polygon = polygon.join(" "),
    );
    Ok(xml)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{clock, demo};

    #[test]
    fn a_buffer_ring_is_closed_and_at_the_radius() {
        let ring = buffer_ring(32.0, 119.0, 5000.0, 32);
        assert_eq!(ring.len(), 33);
        assert_eq!(ring[0], ring[32]);
        for (la, lo) in &ring {
            let d = yingji_store::query::haversine_m(
                yingji_store::query::LatLon { lat: 32.0, lon: 119.0 },
                yingji_store::query::LatLon { lat: *la, lon: *lo },
            );
            assert!((d - 5000.0).abs() < 0.01, "{d}");
        }
    }

    #[test]
    fn cap_xml_says_exercise_for_drills_and_closes_the_polygon() {
        let mut store = demo();
        let tx = store.transaction().unwrap();
        let mut alarm = crate::tests::alarm();
        alarm.exercise = true;
        let inc = crate::create(&tx, &clock(), &alarm).unwrap();
        let w = issue(
            &tx,
            &clock(),
            &inc.id,
            WarningLevel::Orange,
            "下游取水口暂停取水",
            "苯泄漏 <5 t> & 扩散",
            "沿岸居民勿取用河水",
            "事发点下游 10 km 河段",
            &WarningArea::Polygon(vec![(32.2, 119.4), (32.2, 119.5), (32.3, 119.5)]),
            "指挥长",
        )
        .unwrap();
        let xml = to_cap_xml(&inc, &w, "yingji@320000.sthjt.js.gov.cn").unwrap();
        assert!(xml.contains("<status>Exercise</status>"));
        assert!(xml.contains("<sent>2026-11-29T14:00:00+08:00</sent>"));
        assert!(xml.contains("<severity>Severe</severity>"));
        assert!(xml.contains("&lt;5 t&gt; &amp; 扩散"));
        assert!(xml.contains(
            "<polygon>32.200000,119.400000 32.200000,119.500000 32.300000,119.500000 32.200000,119.400000</polygon>"
        ));
        assert_eq!(warnings_of(&tx, &inc.id).unwrap(), vec![w]);
        assert!(issue(
            &tx,
            &clock(),
            &inc.id,
            WarningLevel::Red,
            "x",
            "",
            "",
            "",
            &WarningArea::Polygon(vec![(1.0, 1.0)]),
            "a"
        )
        .is_err());
    }
}
