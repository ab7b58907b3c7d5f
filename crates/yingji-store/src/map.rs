//! What the one map draws: every located record as a point, lines (river reaches, pipelines,
//! hazmat roads) and areas (intake protection zones), straight from the record tables.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::query::{Kind, LatLon};

/// A located record on the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapPoint {
    pub kind: Kind,
    pub id: String,
    pub name: String,
    /// Kind within the kind (risk source kind, target kind, team type, control-work kind, …).
    pub subtype: String,
    /// Risk grade of risk sources.
    pub grade: Option<String>,
    /// A short figure for the label or popup: team size, stock lines of a warehouse, experts of an organisation.
    pub figure: Option<f64>,
    pub lat: f64,
    pub lon: f64,
}

/// A line on the map: a river reach, a pipeline or a hazmat road section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapLine {
    pub kind: Kind,
    pub id: String,
    pub name: String,
    /// `river` id for reaches, risk source kind for the others.
    pub subtype: String,
    /// GeoJSON geometry text.
    pub geometry_json: String,
}

/// An area on the map: the protection zone of an intake.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapArea {
    pub kind: Kind,
    pub id: String,
    pub name: String,
    pub geometry_json: String,
}

const POINTS_SQL: &str = "
    SELECT 'risk_source', id, name, kind, grade, NULL, lat, lon FROM risk_sources
        WHERE lat IS NOT NULL AND geometry_json IS NULL
    UNION ALL SELECT 'target', id, name, kind, NULL, NULL, lat, lon FROM sensitive_targets
    UNION ALL SELECT 'control_work', id, name, kind, NULL, NULL, lat, lon FROM control_works
    UNION ALL SELECT 'team', id, name, team_type, NULL, size, lat, lon FROM teams
    UNION ALL SELECT 'warehouse', w.id, w.name, w.owner, NULL,
        (SELECT count(*) FROM stock_items s WHERE s.warehouse_id = w.id), w.lat, w.lon FROM warehouses w
    UNION ALL SELECT 'expert', min(id), organisation, specialty, NULL, count(*), avg(lat), avg(lon) FROM experts
        WHERE lat IS NOT NULL GROUP BY organisation
";

/// Every located record as a point. Experts are drawn once per organisation (with how many).
pub fn points(conn: &Connection) -> rusqlite::Result<Vec<MapPoint>> {
    let mut stmt = conn.prepare_cached(POINTS_SQL)?;
    let rows = stmt.query_map([], |r| {
        Ok(MapPoint {
            kind: r.get(0)?,
            id: r.get(1)?,
            name: r.get(2)?,
            subtype: r.get(3)?,
            grade: r.get(4)?,
            figure: r.get(5)?,
            lat: r.get(6)?,
            lon: r.get(7)?,
        })
    })?;
    rows.collect()
}

/// River reaches, pipelines and hazmat road sections.
pub fn lines(conn: &Connection) -> rusqlite::Result<Vec<MapLine>> {
    let mut stmt = conn.prepare_cached(
        "SELECT 'reach', id, name, river_id, geometry_json FROM river_reaches
         UNION ALL SELECT 'risk_source', id, name, kind, geometry_json FROM risk_sources WHERE geometry_json IS NOT NULL",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(MapLine { kind: r.get(0)?, id: r.get(1)?, name: r.get(2)?, subtype: r.get(3)?, geometry_json: r.get(4)? })
    })?;
    rows.collect()
}

/// Protection zones of drinking-water intakes.
pub fn areas(conn: &Connection) -> rusqlite::Result<Vec<MapArea>> {
    let mut stmt =
        conn.prepare_cached("SELECT 'target', id, name, zone_json FROM sensitive_targets WHERE zone_json IS NOT NULL")?;
    let rows = stmt
        .query_map([], |r| Ok(MapArea { kind: r.get(0)?, id: r.get(1)?, name: r.get(2)?, geometry_json: r.get(3)? }))?;
    rows.collect()
}

/// Where a record is (its point, or for a line its representative point).
pub fn locate(conn: &Connection, kind: Kind, id: &str) -> rusqlite::Result<Option<LatLon>> {
    let sql = match kind {
        Kind::Region => "SELECT lat, lon FROM regions WHERE id = ?1",
        Kind::RiskSource => "SELECT lat, lon FROM risk_sources WHERE id = ?1",
        Kind::Target => "SELECT lat, lon FROM sensitive_targets WHERE id = ?1",
        Kind::Reach => "SELECT lat, lon FROM river_reaches WHERE id = ?1",
        Kind::ControlWork => "SELECT lat, lon FROM control_works WHERE id = ?1",
        Kind::Team => "SELECT lat, lon FROM teams WHERE id = ?1",
        Kind::Expert => "SELECT lat, lon FROM experts WHERE id = ?1",
        Kind::Warehouse => "SELECT lat, lon FROM warehouses WHERE id = ?1",
        // Library entries have no place.
        Kind::Chemical => return Ok(None),
        Kind::StockItem => {
            "SELECT w.lat, w.lon FROM stock_items s JOIN warehouses w ON w.id = s.warehouse_id WHERE s.id = ?1"
        }
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query([id])?;
    Ok(match rows.next()? {
        Some(r) => match (r.get::<_, Option<f64>>(0)?, r.get::<_, Option<f64>>(1)?) {
            (Some(lat), Some(lon)) => Some(LatLon { lat, lon }),
            _ => None,
        },
        None => None,
    })
}
