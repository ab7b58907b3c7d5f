//! Materials dispatch: a request → stock nearest first with an estimated travel time →
//! allocations from one or more warehouses, each a `dispatch` entry of the stock ledger written
//! in the same transaction, never more than the stock level at that moment → arrival (a log entry).

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use yingji_store::{new_id, query, records::stock_quantity, Clock};

use crate::{append, invalid, open_incident, IncidentError, LogKind, Result};

/// Road distance ÷ straight-line distance. Ballou, Rahardja & Sakai (2002), "Selected country
/// circuity factors for road travel distance estimation", Transportation Research A 36(9):843–848,
/// report 1.12–2.10 across countries, most between 1.2 and 1.4; 1.3 until road routing exists.
pub const ROAD_DETOUR_FACTOR: f64 = 1.3;
/// Average speed of a loaded truck, km/h: the design speed of a class-II highway is 60–80 km/h
/// (JTG B01-2014 公路工程技术标准, 3.5.1); we take the lower value for mixed roads.
pub const TRUCK_SPEED_KM_H: f64 = 60.0;
/// How many warehouses the nearest-first list looks at.
pub const CANDIDATE_WAREHOUSES: usize = 10;

/// Estimated road travel time for a straight-line distance, minutes.
pub fn travel_minutes(distance_m: f64) -> f64 {
    distance_m * ROAD_DETOUR_FACTOR / 1000.0 / TRUCK_SPEED_KM_H * 60.0
}

/// A stock line that could serve a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub stock_item_id: String,
    pub item_name: String,
    pub warehouse_id: String,
    pub warehouse_name: String,
    pub quantity: f64,
    pub unit: String,
    pub distance_m: f64,
    pub travel_minutes: f64,
}

/// Stock matching `item` in the nearest warehouses, nearest first, with travel times.
pub fn candidates(conn: &Connection, lat: f64, lon: f64, item: &str) -> Result<Vec<Candidate>> {
    let hits = query::nearest_stock(conn, query::LatLon { lat, lon }, item, CANDIDATE_WAREHOUSES)?;
    Ok(hits
        .into_iter()
        .map(|h| Candidate {
            travel_minutes: travel_minutes(h.distance_m),
            stock_item_id: h.stock_item_id,
            item_name: h.item_name,
            warehouse_id: h.warehouse_id,
            warehouse_name: h.warehouse_name,
            quantity: h.quantity,
            unit: h.unit,
            distance_m: h.distance_m,
        })
        .collect())
}

/// A request for materials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewRequest {
    pub item: String,
    pub quantity: f64,
    pub unit: String,
    /// Unit cost, yuan per `unit`, for the direct loss estimate.
    pub unit_cost_yuan: Option<f64>,
}

/// One warehouse's share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Allocation {
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

/// A request and what was allocated to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestOutcome {
    pub request_id: String,
    pub item: String,
    pub requested: f64,
    pub unit: String,
    pub allocated: f64,
    /// What no warehouse nearby could supply (0 when fully served).
    pub shortfall: f64,
    pub allocations: Vec<Allocation>,
}

/// Records a request (logged).
pub fn request(
    tx: &Transaction<'_>,
    clock: &dyn Clock,
    incident_id: &str,
    req: &NewRequest,
    author: &str,
) -> Result<String> {
    let inc = open_incident(tx, incident_id)?;
    if req.item.trim().is_empty() {
        return Err(invalid("item", "请填写物资名称", "item must not be empty"));
    }
    if !(req.quantity > 0.0 && req.quantity.is_finite()) {
        return Err(invalid("quantity", "需求数量必须大于 0", "quantity must be > 0"));
    }
    if req.unit_cost_yuan.is_some_and(|c| !(c >= 0.0 && c.is_finite())) {
        return Err(invalid("unit_cost_yuan", "单价必须是非负数", "unit_cost_yuan must be ≥ 0"));
    }
    let id = new_id();
    let now = clock.now_rfc3339();
    tx.execute(
        "INSERT INTO material_requests (id, incident_id, region_code, item, quantity, unit, unit_cost_yuan, requested_by, requested_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
        params![id, incident_id, inc.region_code, req.item.trim(), req.quantity, req.unit.trim(), req.unit_cost_yuan, author, now],
    )?;
    append(
        tx,
        clock,
        incident_id,
        LogKind::Dispatch,
        author,
        &format!("物资需求：{} {} {}", req.item.trim(), req.quantity, req.unit.trim()),
        Some(("material_requests", &id)),
        None,
    )?;
    Ok(id)
}

/// Allocates `quantity` of one stock line to a request: a `dispatch` ledger entry and an
/// allocation row, refused when the stock level at this moment is lower.
pub fn allocate(
    tx: &Transaction<'_>,
    clock: &dyn Clock,
    request_id: &str,
    stock_item_id: &str,
    quantity: f64,
    author: &str,
) -> Result<Allocation> {
    let req: Option<(String, String)> = tx
        .query_row("SELECT incident_id, unit FROM material_requests WHERE id = ?1", [request_id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let (incident_id, req_unit) =
        req.ok_or_else(|| IncidentError::NotFound { kind: "material request", id: request_id.to_owned() })?;
    let inc = open_incident(tx, &incident_id)?;
    let item: Option<(String, String, String, String, f64, f64)> = tx
        .query_row(
            "SELECT s.name, s.unit, s.region_code, w.name, w.lat, w.lon FROM stock_items s JOIN warehouses w ON w.id = s.warehouse_id WHERE s.id = ?1",
            [stock_item_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .optional()?;
    let (item_name, unit, item_region, warehouse_name, wlat, wlon) =
        item.ok_or_else(|| IncidentError::NotFound { kind: "stock item", id: stock_item_id.to_owned() })?;
    if !req_unit.is_empty() && unit != req_unit {
        return Err(invalid(
            "stock_item_id",
            format!("库存单位「{unit}」与需求单位「{req_unit}」不同"),
            format!("the stock is counted in {unit:?}, the request in {req_unit:?}"),
        ));
    }
    if !(quantity > 0.0 && quantity.is_finite()) {
        return Err(invalid("quantity", "调拨数量必须大于 0", "quantity must be > 0"));
    }
    let available = stock_quantity(tx, stock_item_id)?;
    if quantity > available + 1e-9 {
        return Err(IncidentError::NotEnoughStock {
            stock_item_id: stock_item_id.into(),
            requested: quantity,
            available,
            unit,
        });
    }
    let now = clock.now_rfc3339();
    let ledger_id = new_id();
    tx.execute(
        "INSERT INTO stock_ledger (id, stock_item_id, region_code, entry_kind, quantity_delta, note, recorded_at, data_source, created_at)
         VALUES (?1, ?2, ?3, 'dispatch', ?4, ?5, ?6, 'console', ?6)",
        params![ledger_id, stock_item_id, item_region, -quantity, format!("incident:{incident_id}"), now],
    )?;
    let distance_m =
        query::haversine_m(query::LatLon { lat: inc.lat, lon: inc.lon }, query::LatLon { lat: wlat, lon: wlon });
    let minutes = travel_minutes(distance_m);
    let id = new_id();
    tx.execute(
        "INSERT INTO material_allocations (id, request_id, incident_id, region_code, stock_item_id, ledger_entry_id, quantity, distance_m, travel_minutes, dispatched_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
        params![id, request_id, incident_id, inc.region_code, stock_item_id, ledger_id, quantity, distance_m, minutes, now],
    )?;
    append(
        tx,
        clock,
        &incident_id,
        LogKind::Dispatch,
        author,
        &format!("调拨 {warehouse_name} {item_name} {quantity} {unit}，预计 {minutes:.0} 分钟到达"),
        Some(("material_allocations", &id)),
        None,
    )?;
    Ok(Allocation {
        id,
        request_id: request_id.into(),
        stock_item_id: stock_item_id.into(),
        item_name,
        warehouse_name,
        quantity,
        unit,
        distance_m,
        travel_minutes: minutes,
        ledger_entry_id: ledger_id,
        dispatched_at: now,
        arrived_at: None,
    })
}

/// Requests and allocates nearest first, from as many warehouses as needed (same unit only);
/// what the nearest warehouses cannot supply is the shortfall. One transaction.
pub fn request_nearest(
    tx: &Transaction<'_>,
    clock: &dyn Clock,
    incident_id: &str,
    req: &NewRequest,
    author: &str,
) -> Result<RequestOutcome> {
    let inc = open_incident(tx, incident_id)?;
    let request_id = request(tx, clock, incident_id, req, author)?;
    let mut left = req.quantity;
    let mut allocations = Vec::new();
    for c in candidates(tx, inc.lat, inc.lon, &req.item)? {
        if left <= 1e-9 {
            break;
        }
        if c.unit != req.unit.trim() || c.quantity <= 0.0 {
            continue;
        }
        let take = left.min(c.quantity);
        allocations.push(allocate(tx, clock, &request_id, &c.stock_item_id, take, author)?);
        left -= take;
    }
    let allocated = req.quantity - left.max(0.0);
    Ok(RequestOutcome {
        request_id,
        item: req.item.trim().into(),
        requested: req.quantity,
        unit: req.unit.trim().into(),
        allocated,
        shortfall: left.max(0.0),
        allocations,
    })
}

/// Records that an allocation arrived (an `arrival` log entry; once).
pub fn arrive(tx: &Transaction<'_>, clock: &dyn Clock, allocation_id: &str, author: &str) -> Result<()> {
    let row: Option<(String, String, f64, String)> = tx
        .query_row(
            "SELECT a.incident_id, s.name, a.quantity, s.unit FROM material_allocations a JOIN stock_items s ON s.id = a.stock_item_id WHERE a.id = ?1",
            [allocation_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let (incident_id, name, q, unit) =
        row.ok_or_else(|| IncidentError::NotFound { kind: "allocation", id: allocation_id.to_owned() })?;
    open_incident(tx, &incident_id)?;
    let done: i64 = tx.query_row(
        "SELECT count(*) FROM incident_log WHERE ref_id = ?1 AND kind = 'arrival'",
        [allocation_id],
        |r| r.get(0),
    )?;
    if done > 0 {
        return Err(invalid("allocation_id", "该批物资已登记到达", "this allocation has already arrived"));
    }
    append(
        tx,
        clock,
        &incident_id,
        LogKind::Arrival,
        author,
        &format!("物资到达：{name} {q} {unit}"),
        Some(("material_allocations", allocation_id)),
        None,
    )?;
    Ok(())
}

/// The incident's allocations with their arrival times.
pub fn allocations_of(conn: &Connection, incident_id: &str) -> Result<Vec<Allocation>> {
    let mut stmt = conn.prepare(
        "SELECT a.id, a.request_id, a.stock_item_id, s.name, w.name, a.quantity, s.unit, a.distance_m, a.travel_minutes, a.ledger_entry_id, a.dispatched_at,
                (SELECT l.recorded_at FROM incident_log l WHERE l.ref_id = a.id AND l.kind = 'arrival' LIMIT 1)
         FROM material_allocations a JOIN stock_items s ON s.id = a.stock_item_id JOIN warehouses w ON w.id = s.warehouse_id
         WHERE a.incident_id = ?1 ORDER BY a.dispatched_at, a.rowid",
    )?;
    let rows = stmt.query_map([incident_id], |r| {
        Ok(Allocation {
            id: r.get(0)?,
            request_id: r.get(1)?,
            stock_item_id: r.get(2)?,
            item_name: r.get(3)?,
            warehouse_name: r.get(4)?,
            quantity: r.get(5)?,
            unit: r.get(6)?,
            distance_m: r.get(7)?,
            travel_minutes: r.get(8)?,
            ledger_entry_id: r.get(9)?,
            dispatched_at: r.get(10)?,
            arrived_at: r.get(11)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{clock, demo};

    #[test]
    fn travel_time_uses_the_detour_factor_and_speed() {
        // 46.15 km straight → 60 km by road → 60 min at 60 km/h.
        assert!((travel_minutes(60_000.0 / 1.3) - 60.0).abs() < 1e-9);
    }

    #[test]
    fn nearest_first_from_several_warehouses_never_beyond_the_stock() {
        let mut store = demo();
        let tx = store.transaction().unwrap();
        let inc = crate::create(&tx, &clock(), &crate::tests::alarm()).unwrap();
        let cands = candidates(&tx, inc.lat, inc.lon, "活性炭").unwrap();
        assert!(cands.len() >= 2);
        assert!(cands.windows(2).all(|w| w[0].distance_m <= w[1].distance_m));
        // Ask for more than the nearest warehouse holds: it takes all of the first, then the next.
        let first = cands[0].quantity;
        let want = first + 0.5 * cands[1].quantity;
        let before: Vec<f64> = cands.iter().map(|c| stock_quantity(&tx, &c.stock_item_id).unwrap()).collect();
        let out = request_nearest(
            &tx,
            &clock(),
            &inc.id,
            &NewRequest { item: "活性炭".into(), quantity: want, unit: "吨".into(), unit_cost_yuan: Some(8000.0) },
            "物资组",
        )
        .unwrap();
        assert_eq!(out.allocations.len(), 2);
        assert_eq!(out.allocations[0].stock_item_id, cands[0].stock_item_id);
        assert!((out.allocations[0].quantity - first).abs() < 1e-9);
        assert!(out.shortfall.abs() < 1e-9);
        assert!((stock_quantity(&tx, &cands[0].stock_item_id).unwrap()).abs() < 1e-9);
        assert!(
            (stock_quantity(&tx, &cands[1].stock_item_id).unwrap() - (before[1] - 0.5 * cands[1].quantity)).abs()
                < 1e-6
        );
        // The ledger holds the dispatch; asking the emptied line for more is refused.
        let err = allocate(&tx, &clock(), &out.request_id, &cands[0].stock_item_id, 1.0, "物资组").unwrap_err();
        assert!(matches!(err, IncidentError::NotEnoughStock { .. }), "{err}");
        arrive(&tx, &clock(), &out.allocations[0].id, "现场").unwrap();
        assert!(arrive(&tx, &clock(), &out.allocations[0].id, "现场").is_err());
        let allocs = allocations_of(&tx, &inc.id).unwrap();
        assert!(allocs[0].arrived_at.is_some() && allocs[1].arrived_at.is_none());
        let s = crate::closing_summary(&tx, &inc.id).unwrap();
        assert!((s.materials_cost_yuan - want * 8000.0).abs() < 1e-3);
    }

    #[test]
    fn a_request_beyond_all_nearby_stock_reports_the_shortfall() {
        let mut store = demo();
        let tx = store.transaction().unwrap();
        let inc = crate::create(&tx, &clock(), &crate::tests::alarm()).unwrap();
        let total: f64 = candidates(&tx, inc.lat, inc.lon, "围油栏")
            .unwrap()
            .iter()
            .filter(|c| c.unit == "米")
            .map(|c| c.quantity)
            .sum();
        let out = request_nearest(
            &tx,
            &clock(),
            &inc.id,
            &NewRequest { item: "围油栏".into(), quantity: total + 100.0, unit: "米".into(), unit_cost_yuan: None },
            "物资组",
        )
        .unwrap();
        assert!((out.shortfall - 100.0).abs() < 1e-6, "{out:?}");
    }
}
