//! Reads over the indexes: what is near a point, text search, counts and resource lists.

use rusqlite::{types::Value, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::records::{RiskGrade, StockCategory};

text_enum!(
    /// What an index row points at.
    Kind {
        Region = "region", "行政区", "region";
        RiskSource = "risk_source", "风险源", "risk source";
        Target = "target", "敏感目标", "sensitive target";
        Reach = "reach", "河段", "river reach";
        ControlWork = "control_work", "闸坝", "control work";
        Team = "team", "应急队伍", "response team";
        Expert = "expert", "专家", "expert";
        Warehouse = "warehouse", "物资库", "warehouse";
        StockItem = "stock_item", "应急物资", "stock item";
        Chemical = "chemical", "化学品", "chemical";
    }
);

/// Mean Earth radius R₁ of the IUGG (Moritz 1980, Geodetic Reference System 1980), metres.
pub const EARTH_MEAN_RADIUS_M: f64 = 6_371_008.8;
/// Metres per degree of latitude on the mean sphere: 2πR/360.
const M_PER_DEG_LAT: f64 = EARTH_MEAN_RADIUS_M * std::f64::consts::PI / 180.0;

/// A WGS-84 position in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

impl LatLon {
    /// Checks that the position is a WGS-84 coordinate.
    pub fn checked(lat: f64, lon: f64) -> Result<LatLon, crate::StoreError> {
        if !(-90.0..=90.0).contains(&lat) || lat.is_nan() {
            return Err(crate::StoreError::Invalid {
                field: "lat".into(),
                message: format!("latitude {lat} is outside −90…90 degrees"),
            });
        }
        if !(-180.0..=180.0).contains(&lon) || lon.is_nan() {
            return Err(crate::StoreError::Invalid {
                field: "lon".into(),
                message: format!("longitude {lon} is outside −180…180 degrees"),
            });
        }
        Ok(LatLon { lat, lon })
    }
}

/// Great-circle distance on the mean sphere (haversine formula; Sinnott 1984,
/// "Virtues of the Haversine", Sky & Telescope 68(2):159), metres.
pub fn haversine_m(a: LatLon, b: LatLon) -> f64 {
    let (phi1, phi2) = (a.lat.to_radians(), b.lat.to_radians());
    let d_phi = phi2 - phi1;
    let d_lambda = (b.lon - a.lon).to_radians();
    let h = (d_phi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (d_lambda / 2.0).sin().powi(2);
    2.0 * EARTH_MEAN_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// Distance from `p` to a polyline, and the distance along the polyline to its nearest point,
/// metres (a local flat projection around `p`: fine for reaches and roads of a few km).
pub fn project_onto_line(line: &[LatLon], p: LatLon) -> (f64, f64) {
    let k = p.lat.to_radians().cos();
    let xy = |q: LatLon| ((q.lon - p.lon) * k * M_PER_DEG_LAT, (q.lat - p.lat) * M_PER_DEG_LAT);
    let (mut best, mut best_along, mut along) = (f64::INFINITY, 0.0, 0.0);
    for w in line.windows(2) {
        let (a, b) = (xy(w[0]), xy(w[1]));
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len2 = dx * dx + dy * dy;
        let t = if len2 > 0.0 { (-(a.0 * dx + a.1 * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
        let d = ((a.0 + t * dx).powi(2) + (a.1 + t * dy).powi(2)).sqrt();
        let seg = haversine_m(w[0], w[1]);
        if d < best {
            best = d;
            best_along = along + t * seg;
        }
        along += seg;
    }
    (best, best_along)
}

/// Length of a polyline on the mean sphere, metres.
pub fn line_length_m(line: &[LatLon]) -> f64 {
    line.windows(2).map(|w| haversine_m(w[0], w[1])).sum()
}

/// One located thing near a point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NearHit {
    pub kind: Kind,
    pub item_id: String,
    pub name: String,
    pub region_code: String,
    pub lat: f64,
    pub lon: f64,
    pub distance_m: f64,
}

fn kinds_clause(kinds: &[Kind], params: &mut Vec<Value>) -> String {
    if kinds.is_empty() {
        return String::new();
    }
    let marks: Vec<&str> = kinds
        .iter()
        .map(|k| {
            params.push(Value::Text(k.as_str().to_owned()));
            "?"
        })
        .collect();
    format!(" AND kind IN ({})", marks.join(","))
}

impl Kind {
    /// The kind's coordinate on the R*Tree's kind dimension (`geo_rtree`, migration 0005): a
    /// kind spans [code, code + 1]. Stable: stored in every replica's index. The codes are 1,000
    /// apart, far more than the province's extent in degrees, so that the R*Tree's splits (which
    /// minimise volume and overlap) keep each kind in nodes of its own and a one-kind query
    /// visits no others.
    pub fn index_code(self) -> i64 {
        1_000
            * match self {
                Kind::Region => 1,
                Kind::RiskSource => 2,
                Kind::Target => 3,
                Kind::Reach => 4,
                Kind::ControlWork => 5,
                Kind::Team => 6,
                Kind::Expert => 7,
                Kind::Warehouse => 8,
                Kind::StockItem => 9,
                // Not located: never in the R*Tree.
                Kind::Chemical => 10,
            }
    }
}

/// An index entry seen from the R*Tree's nodes alone (no lookup of its auxiliary columns): its
/// key and a distance known to within `err_m`.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    key_id: i64,
    approx_m: f64,
    err_m: f64,
}

impl Candidate {
    fn surely_within(&self, radius_m: f64) -> bool {
        self.approx_m + self.err_m <= radius_m
    }
    fn maybe_within(&self, radius_m: f64) -> bool {
        self.approx_m - self.err_m <= radius_m
    }
}

/// The kind codes to probe for: one probe per kind, or one over the whole kind range.
fn probes(kinds: &[Kind]) -> Vec<(i64, i64)> {
    if kinds.is_empty() {
        return vec![(i64::MIN, i64::MAX)];
    }
    let mut codes: Vec<i64> = kinds.iter().map(|k| k.index_code()).collect();
    codes.sort_unstable();
    codes.dedup();
    codes.into_iter().map(|c| (c, c)).collect()
}

/// Every index entry whose box may lie within `radius_m` of `center`, read from the R*Tree's
/// nodes only. The nodes hold each box in 32-bit floats rounded outwards, so the box centre is
/// within half the box's diagonal of the stored position (about a metre for a point); that
/// bound is the candidate's `err_m`.
fn scan(conn: &Connection, center: LatLon, radius_m: f64, kinds: &[Kind]) -> rusqlite::Result<Vec<Candidate>> {
    let d_lat = radius_m / M_PER_DEG_LAT;
    let cos_lat = center.lat.to_radians().cos().max(1e-6);
    let d_lon = (radius_m / (M_PER_DEG_LAT * cos_lat)).min(180.0);
    let mut stmt = conn.prepare_cached(
        "SELECT key_id, min_kind, min_lon, max_lon, min_lat, max_lat FROM geo_rtree
         WHERE min_lon <= ?1 AND max_lon >= ?2 AND min_lat <= ?3 AND max_lat >= ?4
           AND min_kind <= ?5 AND max_kind >= ?6",
    )?;
    let mut out = Vec::new();
    for (lo, hi) in probes(kinds) {
        let mut rows = stmt.query(rusqlite::params![
            center.lon + d_lon,
            center.lon - d_lon,
            center.lat + d_lat,
            center.lat - d_lat,
            hi,
            lo
        ])?;
        while let Some(r) = rows.next()? {
            let (min_lon, max_lon, min_lat, max_lat): (f64, f64, f64, f64) =
                (r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
            let mid = LatLon { lat: (min_lat + max_lat) / 2.0, lon: (min_lon + max_lon) / 2.0 };
            let corner = LatLon { lat: max_lat, lon: max_lon };
            // + 0.5 m for the rounding of the stored position itself and of the arithmetic.
            let candidate = Candidate {
                key_id: r.get(0)?,
                approx_m: haversine_m(center, mid),
                err_m: haversine_m(mid, corner) + 0.5,
            };
            if candidate.maybe_within(radius_m) {
                out.push(candidate);
            }
        }
    }
    Ok(out)
}

/// The full index row of one candidate, with its exact distance.
fn fetch(conn: &Connection, center: LatLon, key_id: i64) -> rusqlite::Result<NearHit> {
    conn.prepare_cached("SELECT kind, item_id, name, region_code, lat, lon FROM geo_rtree WHERE key_id = ?1")?
        .query_row([key_id], |r| {
            let pos = LatLon { lat: r.get(4)?, lon: r.get(5)? };
            Ok(NearHit {
                kind: r.get(0)?,
                item_id: r.get(1)?,
                name: r.get(2)?,
                region_code: r.get(3)?,
                lat: pos.lat,
                lon: pos.lon,
                distance_m: haversine_m(center, pos),
            })
        })
}

fn sort_hits(hits: &mut [NearHit]) {
    hits.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m).then_with(|| a.item_id.cmp(&b.item_id)));
}

/// The `n` nearest of `candidates` within `radius_m` by exact distance, nearest first, fetching
/// only those that can be among them.
fn nearest_of(
    conn: &Connection,
    center: LatLon,
    candidates: &[Candidate],
    n: usize,
    radius_m: f64,
) -> rusqlite::Result<Vec<NearHit>> {
    if n == 0 || candidates.is_empty() {
        return Ok(Vec::new());
    }
    // Anything whose lower bound exceeds the n-th smallest upper bound cannot be among the n.
    let mut upper: Vec<f64> = candidates.iter().map(|c| c.approx_m + c.err_m).collect();
    let bound = if upper.len() > n { *upper.select_nth_unstable_by(n - 1, f64::total_cmp).1 } else { f64::INFINITY };
    let mut hits = Vec::new();
    for c in candidates.iter().filter(|c| c.approx_m - c.err_m <= bound) {
        let hit = fetch(conn, center, c.key_id)?;
        if hit.distance_m <= radius_m {
            hits.push(hit);
        }
    }
    sort_hits(&mut hits);
    hits.truncate(n);
    Ok(hits)
}

/// Everything of the given kinds (all kinds if empty) within `radius_m` of `center`, nearest
/// first: candidates from the R*Tree bounding box (one probe per kind, on the kind dimension),
/// then exact great-circle distance.
pub fn within(conn: &Connection, center: LatLon, radius_m: f64, kinds: &[Kind]) -> rusqlite::Result<Vec<NearHit>> {
    // Every hit is listed, so its row is read in the same probe (no second lookup per hit).
    let d_lat = radius_m / M_PER_DEG_LAT;
    let d_lon = (radius_m / (M_PER_DEG_LAT * center.lat.to_radians().cos().max(1e-6))).min(180.0);
    let mut stmt = conn.prepare_cached(
        "SELECT kind, item_id, name, region_code, lat, lon FROM geo_rtree
         WHERE min_lon <= ?1 AND max_lon >= ?2 AND min_lat <= ?3 AND max_lat >= ?4
           AND min_kind <= ?5 AND max_kind >= ?6",
    )?;
    let mut hits = Vec::new();
    for (lo, hi) in probes(kinds) {
        let mut rows = stmt.query(rusqlite::params![
            center.lon + d_lon,
            center.lon - d_lon,
            center.lat + d_lat,
            center.lat - d_lat,
            hi,
            lo
        ])?;
        while let Some(r) = rows.next()? {
            let pos = LatLon { lat: r.get(4)?, lon: r.get(5)? };
            let distance_m = haversine_m(center, pos);
            if distance_m <= radius_m {
                hits.push(NearHit {
                    kind: r.get(0)?,
                    item_id: r.get(1)?,
                    name: r.get(2)?,
                    region_code: r.get(3)?,
                    lat: pos.lat,
                    lon: pos.lon,
                    distance_m,
                });
            }
        }
    }
    sort_hits(&mut hits);
    Ok(hits)
}

/// What one kind holds within a radius: how many, and the nearest of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindWithin {
    pub kind: Kind,
    /// Everything of this kind within the radius.
    pub count: usize,
    /// The nearest `per_kind` of them, nearest first.
    pub nearest: Vec<NearHit>,
}

/// One cell of an R*Tree node of `geo_rtree`: a child node (inner nodes) or an entry (leaves),
/// with its box as the node stores it (32-bit floats rounded outwards).
#[derive(Debug, Clone, Copy)]
struct NodeCell {
    id: i64,
    min_kind: f64,
    max_kind: f64,
    min_lon: f64,
    max_lon: f64,
    min_lat: f64,
    max_lat: f64,
}

/// The nodes of `geo_rtree`, read from its `%_node` shadow table. Format (SQLite's R*Tree
/// module, rtree.c header and <https://sqlite.org/rtree.html> §"Shadow tables"): node 1 is the
/// root and its first 2 bytes hold the tree's depth; then a 2-byte cell count; then the cells,
/// each an 8-byte id followed by 2 × 3 four-byte coordinates (min, max per dimension in column
/// order: kind, lon, lat), all big-endian. Leaves are at depth 0. Read only, within the caller's
/// read, so a query sees one state of the tree.
struct RtreeNodes<'c> {
    stmt: rusqlite::CachedStatement<'c>,
}

/// geo_rtree has three dimensions (kind, lon, lat): 8 + 6 × 4 bytes a cell.
const RTREE_CELL_BYTES: usize = 32;

impl<'c> RtreeNodes<'c> {
    fn new(conn: &'c Connection) -> rusqlite::Result<Self> {
        Ok(Self { stmt: conn.prepare_cached("SELECT data FROM geo_rtree_node WHERE nodeno = ?1")? })
    }

    fn blob(&mut self, nodeno: i64) -> rusqlite::Result<Vec<u8>> {
        self.stmt.query_row([nodeno], |r| r.get(0))
    }

    /// The depth of the tree (0: the root is a leaf).
    fn depth(&mut self) -> rusqlite::Result<u16> {
        let b = self.blob(1)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn count(&mut self, nodeno: i64) -> rusqlite::Result<usize> {
        let b = self.blob(nodeno)?;
        Ok(usize::from(u16::from_be_bytes([b[2], b[3]])))
    }

    fn cells(&mut self, nodeno: i64) -> rusqlite::Result<Vec<NodeCell>> {
        let b = self.blob(nodeno)?;
        let n = usize::from(u16::from_be_bytes([b[2], b[3]]));
        let coord = |at: usize| f64::from(f32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]));
        Ok((0..n)
            .map(|i| 4 + i * RTREE_CELL_BYTES)
            .filter(|at| at + RTREE_CELL_BYTES <= b.len())
            .map(|at| {
                let mut id = [0u8; 8];
                id.copy_from_slice(&b[at..at + 8]);
                NodeCell {
                    id: i64::from_be_bytes(id),
                    min_kind: coord(at + 8),
                    max_kind: coord(at + 12),
                    min_lon: coord(at + 16),
                    max_lon: coord(at + 20),
                    min_lat: coord(at + 24),
                    max_lat: coord(at + 28),
                }
            })
            .collect())
    }

    /// How many entries the subtree under `nodeno` (at `depth`) holds: only node headers are
    /// read at the leaves.
    fn subtree_len(&mut self, nodeno: i64, depth: u16) -> rusqlite::Result<usize> {
        if depth == 0 {
            return self.count(nodeno);
        }
        let mut n = 0;
        for c in self.cells(nodeno)? {
            n += self.subtree_len(c.id, depth - 1)?;
        }
        Ok(n)
    }
}

impl NodeCell {
    /// The kind code of a box holding one kind only (each kind spans [code, code + 1]).
    fn single_kind(&self) -> Option<i64> {
        let code = self.min_kind.round();
        (self.min_kind >= code - 0.01 && self.max_kind <= code + 1.01).then_some(code as i64)
    }

    fn holds_kind(&self, codes: &[i64]) -> bool {
        codes.is_empty() || codes.iter().any(|c| (*c as f64) <= self.max_kind && (*c as f64) + 1.0 >= self.min_kind)
    }

    /// Great-circle distance from `p` to the nearest and to the farthest point of the box,
    /// measured at the box point nearest to `p` in each coordinate and at the farthest corner.
    /// On a sphere the true nearest point of a lat/lon box can lie slightly off those points;
    /// `BOX_SLACK` covers that.
    fn distances_m(&self, p: LatLon) -> (f64, f64) {
        let near =
            LatLon { lat: p.lat.clamp(self.min_lat, self.max_lat), lon: p.lon.clamp(self.min_lon, self.max_lon) };
        let far = LatLon {
            lat: if p.lat - self.min_lat > self.max_lat - p.lat { self.min_lat } else { self.max_lat },
            lon: if p.lon - self.min_lon > self.max_lon - p.lon { self.min_lon } else { self.max_lon },
        };
        (haversine_m(p, near), haversine_m(p, far))
    }
}

/// The error of the box distances above, as a share of the distance plus metres: the offset of
/// the true nearest point of a box edge on the sphere grows as d² · tan(lat) / 2R (about 5 m at
/// 10 km and 32°N), far below 1 % of d within the province; plus float rounding.
fn box_slack_m(d_m: f64) -> f64 {
    0.01 * d_m + 2.0
}

/// Per kind (all kinds if `kinds` is empty), in kind order: how many things lie within
/// `radius_m` of `center` (exactly) and the nearest `per_kind` of them.
///
/// Walks the R*Tree's nodes itself: a subtree of one kind whose box lies wholly inside the
/// circle is counted from its leaves' headers, without reading its entries; a box wholly
/// outside is skipped; only entries in boxes crossing the circle are looked at, and only those
/// within a metre or so of it are looked up. So a click in a chemical park with tens of
/// thousands of things around reads a few hundred node headers. The nearest ones per kind come
/// from a best-first walk of the same tree.
pub fn within_by_kind(
    conn: &Connection,
    center: LatLon,
    radius_m: f64,
    kinds: &[Kind],
    per_kind: usize,
) -> rusqlite::Result<Vec<KindWithin>> {
    let codes: Vec<i64> = kinds.iter().map(|k| k.index_code()).collect();
    let mut nodes = RtreeNodes::new(conn)?;
    let root_depth = nodes.depth()?;
    let mut counts: std::collections::BTreeMap<i64, usize> = std::collections::BTreeMap::new();
    let mut stack = vec![(1_i64, root_depth)];
    while let Some((nodeno, depth)) = stack.pop() {
        for cell in nodes.cells(nodeno)? {
            if !cell.holds_kind(&codes) {
                continue;
            }
            let (near_m, far_m) = cell.distances_m(center);
            if near_m - box_slack_m(near_m) > radius_m {
                continue;
            }
            if depth == 0 {
                let Some(code) = cell.single_kind() else { continue };
                let mid = LatLon { lat: (cell.min_lat + cell.max_lat) / 2.0, lon: (cell.min_lon + cell.max_lon) / 2.0 };
                let candidate = Candidate {
                    key_id: cell.id,
                    approx_m: haversine_m(center, mid),
                    err_m: haversine_m(mid, LatLon { lat: cell.max_lat, lon: cell.max_lon }) + 0.5,
                };
                if candidate.surely_within(radius_m)
                    || (candidate.maybe_within(radius_m) && fetch(conn, center, cell.id)?.distance_m <= radius_m)
                {
                    *counts.entry(code).or_default() += 1;
                }
            } else if let Some(code) = cell.single_kind().filter(|_| far_m + box_slack_m(far_m) <= radius_m) {
                *counts.entry(code).or_default() += nodes.subtree_len(cell.id, depth - 1)?;
            } else {
                stack.push((cell.id, depth - 1));
            }
        }
    }
    let mut out = Vec::new();
    for (code, count) in counts {
        let Some(kind) = Kind::ALL.iter().copied().find(|k| k.index_code() == code) else { continue };
        if count > 0 {
            let nearest = nearest_in_tree(conn, &mut nodes, root_depth, center, code, per_kind.min(count), radius_m)?;
            out.push(KindWithin { kind, count, nearest });
        }
    }
    Ok(out)
}

/// The `n` nearest entries of one kind within `radius_m`, nearest first, by a best-first walk
/// of the R*Tree (Hjaltason & Samet 1999, "Distance browsing in spatial databases"): nodes and
/// entries are taken in order of their least possible distance, so the walk stops as soon as
/// `n` entries are known to be nearer than anything not yet opened.
fn nearest_in_tree(
    conn: &Connection,
    nodes: &mut RtreeNodes<'_>,
    root_depth: u16,
    center: LatLon,
    code: i64,
    n: usize,
    radius_m: f64,
) -> rusqlite::Result<Vec<NearHit>> {
    use std::{cmp::Reverse, collections::BinaryHeap};
    #[derive(PartialEq)]
    struct Key(f64);
    impl Eq for Key {}
    impl PartialOrd for Key {
        fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
            Some(self.cmp(other))
        }
    }
    impl Ord for Key {
        fn cmp(&self, other: &Self) -> std::cmp::Ordering {
            self.0.total_cmp(&other.0)
        }
    }
    enum Item {
        Node(i64, u16),
        Entry(i64),
        Hit(NearHit),
    }
    if n == 0 {
        return Ok(Vec::new());
    }
    // (least possible distance, tie-break sequence) → item
    let mut heap: BinaryHeap<Reverse<(Key, u64)>> = BinaryHeap::new();
    let mut items: Vec<Option<Item>> = Vec::new();
    fn push(heap: &mut BinaryHeap<Reverse<(Key, u64)>>, items: &mut Vec<Option<Item>>, d: f64, item: Item) {
        items.push(Some(item));
        heap.push(Reverse((Key(d), items.len() as u64 - 1)));
    }
    push(&mut heap, &mut items, 0.0, Item::Node(1, root_depth));
    let mut hits: Vec<NearHit> = Vec::new();
    let codes = [code];
    // Hits of equal distance are ordered by item id; collect until the next key exceeds the n-th.
    while let Some(Reverse((Key(d), i))) = heap.pop() {
        if hits.len() >= n && d > hits[n - 1].distance_m {
            break;
        }
        let Some(item) = items.get_mut(i as usize).and_then(Option::take) else { continue };
        match item {
            Item::Node(nodeno, depth) => {
                for cell in nodes.cells(nodeno)? {
                    if !cell.holds_kind(&codes) {
                        continue;
                    }
                    let (near_m, _) = cell.distances_m(center);
                    let lower = (near_m - box_slack_m(near_m)).max(0.0);
                    if lower > radius_m {
                        continue;
                    }
                    if depth == 0 {
                        if cell.single_kind() == Some(code) {
                            push(&mut heap, &mut items, lower, Item::Entry(cell.id));
                        }
                    } else {
                        push(&mut heap, &mut items, lower, Item::Node(cell.id, depth - 1));
                    }
                }
            }
            Item::Entry(key_id) => {
                let hit = fetch(conn, center, key_id)?;
                if hit.distance_m <= radius_m {
                    push(&mut heap, &mut items, hit.distance_m, Item::Hit(hit));
                }
            }
            Item::Hit(hit) => {
                hits.push(hit);
                sort_hits(&mut hits);
            }
        }
    }
    sort_hits(&mut hits);
    hits.truncate(n);
    Ok(hits)
}

/// The `n` nearest things of the given kinds, searching outwards from 2 km up to `max_radius_m`.
/// Everything within the radius that first surely holds `n` hits is nearer than anything outside
/// it, so the answer is exact. The radius grows by the density seen so far (at least ×1.5; ×4
/// when nothing was seen), so a point far from everything does not read a whole province at once.
pub fn nearest(
    conn: &Connection,
    center: LatLon,
    kinds: &[Kind],
    n: usize,
    max_radius_m: f64,
) -> rusqlite::Result<Vec<NearHit>> {
    let mut radius_m: f64 = 2_000.0;
    loop {
        let r = radius_m.min(max_radius_m);
        let candidates = scan(conn, center, r, kinds)?;
        let sure = candidates.iter().filter(|c| c.surely_within(r)).count();
        if sure >= n || r >= max_radius_m {
            return nearest_of(conn, center, &candidates, n, r);
        }
        let grow = if sure == 0 { 4.0 } else { ((n as f64 / sure as f64).sqrt() * 1.25).max(1.5) };
        radius_m = r * grow;
    }
}

/// A text search hit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub kind: Kind,
    pub item_id: String,
    /// The name of the thing found.
    pub name: String,
    /// What matched, when it is not the name (a chemical held by a risk source, say).
    pub matched: Option<String>,
    pub region_code: String,
    /// Where the thing is, when its index row is located (WGS-84 degrees).
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// Narrows a search.
#[derive(Debug, Clone, Default)]
pub struct SearchFilter {
    /// Only these kinds (all if empty).
    pub kinds: Vec<Kind>,
    /// Only records whose region code starts with this (e.g. `3201` for Nanjing).
    pub region_prefix: Option<String>,
    /// At most this many hits of each kind.
    pub per_kind: Option<usize>,
}

fn quote_term(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

/// Splits a query into the FTS5 expressions for the trigram table (terms of 3+ characters) and
/// for the gram table (terms of 1–2 characters). Both are `None` for an empty query.
fn match_expressions(text: &str) -> (Option<String>, Option<String>) {
    let terms: Vec<String> = text
        .split(|c: char| c.is_whitespace() || c == '"')
        .filter(|t| !t.is_empty())
        .map(|t| t.to_lowercase())
        .collect();
    let (long, short): (Vec<&String>, Vec<&String>) = terms.iter().partition(|t| t.chars().count() >= 3);
    let join = |ts: Vec<&String>| {
        (!ts.is_empty()).then(|| ts.iter().map(|t| term_expression(t)).collect::<Vec<_>>().join(" AND "))
    };
    (join(long), join(short))
}

/// One query term as an FTS5 expression. Pinyin's ü is typed as `v` on Chinese keyboards
/// (氯气 → "lvqi") and may be stored either way, so a pinyin-like term with `v` or `ü` matches
/// both spellings.
fn term_expression(term: &str) -> String {
    let pinyin_like = term.chars().all(|c| c.is_ascii_lowercase() || c == 'ü');
    if !pinyin_like || !(term.contains('v') || term.contains('ü')) {
        return quote_term(term);
    }
    let mut spellings = vec![term.to_owned(), term.replace('v', "ü"), term.replace('ü', "v")];
    spellings.sort();
    spellings.dedup();
    format!("({})", spellings.iter().map(|t| quote_term(t)).collect::<Vec<_>>().join(" OR "))
}

/// A subquery selecting `(rowid, kind, item_id, region_code, name)` of the index rows that match
/// `text`, with its parameters; `None` for an empty query.
fn text_subquery(text: &str, params: &mut Vec<Value>) -> Option<String> {
    let (long, short) = match_expressions(text);
    let sql = match (long, short) {
        (None, None) => return None,
        (Some(l), None) => {
            params.push(Value::Text(l));
            "SELECT rowid, kind, item_id, region_code, name, rank FROM search_fts WHERE search_fts MATCH ?".to_owned()
        }
        (None, Some(s)) => {
            params.push(Value::Text(s));
            "SELECT f.rowid, f.kind, f.item_id, f.region_code, f.name, g.rank FROM search_grams g
             JOIN search_fts f ON f.rowid = g.rowid WHERE search_grams MATCH ?"
                .to_owned()
        }
        (Some(l), Some(s)) => {
            params.push(Value::Text(l));
            params.push(Value::Text(s));
            "SELECT rowid, kind, item_id, region_code, name, rank FROM search_fts WHERE search_fts MATCH ?
             AND rowid IN (SELECT rowid FROM search_grams WHERE search_grams MATCH ?)"
                .to_owned()
        }
    };
    Some(sql)
}

/// How many index matches a search ranks at most (see [`search`]).
pub const SEARCH_CANDIDATES: usize = 2_000;

/// Finds things by any part of their Chinese name, their pinyin, CAS or UN number, best first.
pub fn search(conn: &Connection, text: &str, filter: &SearchFilter, limit: usize) -> rusqlite::Result<Vec<SearchHit>> {
    let mut params = Vec::new();
    let Some(sub) = text_subquery(text, &mut params) else {
        return Ok(Vec::new());
    };
    // Rank a bounded set of candidates: ranking every match of a common word ("有限公司"
    // matches a third of a million-record replica) costs a second; the first candidates in
    // index order are ranked instead, and such a query is too broad to read through anyway.
    let mut inner = format!(
        "SELECT rowid AS key_id, kind, item_id, region_code, name, rank FROM ({sub} LIMIT {SEARCH_CANDIDATES}) WHERE 1"
    );
    inner.push_str(&kinds_clause(&filter.kinds, &mut params));
    if let Some(prefix) = &filter.region_prefix {
        // Not LIKE: FTS5 would take a LIKE on its own column as a trigram query.
        inner.push_str(" AND substr(region_code, 1, length(?)) = ?");
        params.push(Value::Text(prefix.clone()));
        params.push(Value::Text(prefix.clone()));
    }
    // Best first. With a per-kind cap every candidate is read in rank order, and the loop below
    // keeps the best few of each kind, so that one kind with many look-alike names (a hundred
    // warehouses holding 应急监测车) does not push the others out. Without one, over-fetch a
    // little: several rows may point at one thing (a risk source and its chemicals).
    let sql = match filter.per_kind {
        Some(_) => format!("SELECT kind, item_id, region_code, name, key_id FROM ({inner}) ORDER BY rank"),
        None => {
            params.push(Value::Integer((limit * 4 + 8) as i64));
            format!("SELECT kind, item_id, region_code, name, key_id FROM ({inner}) ORDER BY rank LIMIT ?")
        }
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    let mut seen = std::collections::HashSet::new();
    let mut per_kind: std::collections::HashMap<Kind, usize> = std::collections::HashMap::new();
    let mut hits = Vec::new();
    while let Some(r) = rows.next()? {
        let kind: Kind = r.get(0)?;
        let item_id: String = r.get(1)?;
        if !seen.insert((kind, item_id.clone())) {
            continue;
        }
        let n = per_kind.entry(kind).or_default();
        if filter.per_kind.is_some_and(|max| *n >= max) {
            continue;
        }
        *n += 1;
        let indexed_name: String = r.get(3)?;
        let (name, matched) = if kind == Kind::RiskSource {
            let own: String = conn
                .prepare_cached("SELECT name FROM risk_sources WHERE id = ?1")?
                .query_row([&item_id], |r| r.get(0))?;
            let matched = (own != indexed_name).then_some(indexed_name);
            (own, matched)
        } else {
            (indexed_name, None)
        };
        // The index row's own position, when it has one (a chemical row of a risk source or a
        // stock line has none: the caller locates those through their owner).
        let key_id: i64 = r.get(4)?;
        let at: Option<(f64, f64)> = conn
            .prepare_cached("SELECT lat, lon FROM geo_rtree WHERE key_id = ?1")?
            .query_row([key_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        hits.push(SearchHit {
            kind,
            item_id,
            name,
            matched,
            region_code: r.get(2)?,
            lat: at.map(|a| a.0),
            lon: at.map(|a| a.1),
        });
        if hits.len() == limit {
            break;
        }
    }
    Ok(hits)
}

/// The base record tables of the province (each row says its `data_source`), which the demo
/// fills. `yingji stats` counts every table of the schema, see [`table_counts`].
pub const COUNTED_TABLES: &[&str] = &[
    "regions",
    "risk_sources",
    "risk_source_chemicals",
    "sensitive_targets",
    "river_nodes",
    "river_reaches",
    "control_works",
    "teams",
    "experts",
    "warehouses",
    "stock_items",
    "stock_ledger",
];

/// Tables of the schema that hold bookkeeping rather than records, left out of [`table_counts`].
pub const UNCOUNTED_TABLES: &[&str] = &["meta", "schema_migrations", "index_keys", "case_library_version"];

/// Rows per table, for every ordinary table of the schema in the order the migrations create
/// them — so a table added by a later migration is counted without being listed here. Left
/// out: SQLite's own tables, virtual tables and their shadow tables (the R*Tree and FTS5
/// indexes, which mirror the records) and [`UNCOUNTED_TABLES`].
pub fn table_counts(conn: &Connection) -> rusqlite::Result<Vec<(String, i64)>> {
    let mut stmt = conn.prepare(
        "SELECT m.name FROM sqlite_schema m JOIN pragma_table_list t ON t.schema = 'main' AND t.name = m.name
         WHERE m.type = 'table' AND t.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
         ORDER BY m.rowid",
    )?;
    let names: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    names
        .into_iter()
        .filter(|t| !UNCOUNTED_TABLES.contains(&t.as_str()))
        .map(|t| {
            let n =
                conn.query_row(&format!("SELECT count(*) FROM \"{}\"", t.replace('"', "\"\"")), [], |r| r.get(0))?;
            Ok((t, n))
        })
        .collect()
}

/// Resource counts of one city (or of the province's own records, code `320000`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CityCounts {
    pub code: String,
    pub name_zh: String,
    pub name_pinyin: String,
    pub teams: i64,
    pub experts: i64,
    pub warehouses: i64,
    pub stock_items: i64,
    pub risk_sources: i64,
    pub major_risk_sources: i64,
    pub targets: i64,
    pub intakes: i64,
}

/// Counts per city, in code order. Records filed at province level count under the province.
pub fn city_counts(conn: &Connection) -> rusqlite::Result<Vec<CityCounts>> {
    let mut stmt = conn.prepare_cached(
        "SELECT code, name_zh, name_pinyin FROM regions WHERE level IN ('province', 'city') ORDER BY code",
    )?;
    let mut cities: Vec<CityCounts> = stmt
        .query_map([], |r| {
            Ok(CityCounts { code: r.get(0)?, name_zh: r.get(1)?, name_pinyin: r.get(2)?, ..Default::default() })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let city_of =
        "CASE WHEN substr(region_code, 3, 2) = '00' THEN region_code ELSE substr(region_code, 1, 4) || '00' END";
    let count = |sql_tail: &str| -> rusqlite::Result<Vec<(String, i64)>> {
        let sql = format!("SELECT {city_of} AS city, count(*) FROM {sql_tail} GROUP BY city");
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect()
    };
    type Setter = fn(&mut CityCounts, i64);
    let columns: [(&str, Setter); 8] = [
        ("teams", |c, n| c.teams = n),
        ("experts", |c, n| c.experts = n),
        ("warehouses", |c, n| c.warehouses = n),
        ("stock_items", |c, n| c.stock_items = n),
        ("risk_sources", |c, n| c.risk_sources = n),
        ("risk_sources WHERE grade = 'major'", |c, n| c.major_risk_sources = n),
        ("sensitive_targets", |c, n| c.targets = n),
        ("sensitive_targets WHERE kind = 'drinking_water_intake'", |c, n| c.intakes = n),
    ];
    for (tail, set) in columns {
        for (city, n) in count(tail)? {
            if let Some(c) = cities.iter_mut().find(|c| c.code == city) {
                set(c, n);
            }
        }
    }
    Ok(cities)
}

/// The resource lists of the side panels.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub kind: Option<Kind>,
    /// Any part of a name, pinyin, CAS or UN number.
    pub text: Option<String>,
    /// Region code prefix (`3201` for Nanjing, `320115` for Jiangning).
    pub region_prefix: Option<String>,
    /// Type within the kind: team type, expert specialty, stock category, risk source kind, target kind.
    pub subtype: Option<String>,
    pub offset: u32,
    pub limit: u32,
}

/// One row of a resource list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListRow {
    pub kind: Kind,
    pub id: String,
    pub name: String,
    /// The type within the kind (a code for closed vocabularies, text otherwise).
    pub subtype: String,
    /// A second line: specialties, organisation, warehouse, industry, capacity.
    pub secondary: String,
    pub region_code: String,
    pub grade: Option<RiskGrade>,
    pub quantity: Option<f64>,
    pub unit: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// How each listable kind maps onto its table.
struct ListSpec {
    table: &'static str,
    subtype: &'static str,
    secondary: &'static str,
    extra: &'static str,
}

fn list_spec(kind: Kind) -> Option<ListSpec> {
    let none = "NULL AS grade, NULL AS quantity, NULL AS unit, t.lat AS lat, t.lon AS lon";
    Some(match kind {
        Kind::Team => ListSpec { table: "teams", subtype: "t.team_type", secondary: "t.specialties", extra: none },
        Kind::Expert => ListSpec { table: "experts", subtype: "t.specialty", secondary: "t.organisation", extra: none },
        Kind::Warehouse => ListSpec { table: "warehouses", subtype: "t.owner", secondary: "t.address", extra: none },
        Kind::StockItem => ListSpec {
            table: "stock_items",
            subtype: "t.category",
            secondary: "(SELECT w.name FROM warehouses w WHERE w.id = t.warehouse_id)",
            extra: "NULL AS grade,
                    (SELECT COALESCE(SUM(l.quantity_delta), 0.0) FROM stock_ledger l WHERE l.stock_item_id = t.id) AS quantity,
                    t.unit AS unit,
                    (SELECT w.lat FROM warehouses w WHERE w.id = t.warehouse_id) AS lat,
                    (SELECT w.lon FROM warehouses w WHERE w.id = t.warehouse_id) AS lon",
        },
        Kind::RiskSource => ListSpec {
            table: "risk_sources",
            subtype: "t.kind",
            secondary: "t.industry",
            extra: "t.grade AS grade, NULL AS quantity, NULL AS unit, t.lat AS lat, t.lon AS lon",
        },
        Kind::Target => ListSpec { table: "sensitive_targets", subtype: "t.kind", secondary: "t.capacity", extra: none },
        Kind::Region | Kind::Reach | Kind::ControlWork | Kind::Chemical => return None,
    })
}

/// The kinds the resource panels list.
pub const LISTABLE: &[Kind] =
    &[Kind::Team, Kind::Expert, Kind::Warehouse, Kind::StockItem, Kind::RiskSource, Kind::Target];

/// One page of a resource list and the total number of matching rows.
pub fn list(conn: &Connection, q: &ListQuery) -> Result<(u64, Vec<ListRow>), crate::StoreError> {
    let kind = q.kind.unwrap_or(Kind::Team);
    let spec = list_spec(kind).ok_or_else(|| crate::StoreError::Invalid {
        field: "kind".into(),
        message: format!("{kind} has no resource list"),
    })?;
    let mut params: Vec<Value> = Vec::new();
    let mut filter = String::from(" WHERE 1");
    if let Some(text) = q.text.as_deref().filter(|t| !t.trim().is_empty()) {
        if let Some(sub) = text_subquery(text, &mut params) {
            filter.push_str(&format!(" AND t.id IN (SELECT item_id FROM ({sub}) WHERE kind = ?)"));
            params.push(Value::Text(kind.as_str().to_owned()));
        }
    }
    if let Some(prefix) = q.region_prefix.as_deref().filter(|p| !p.is_empty()) {
        filter.push_str(" AND t.region_code LIKE ? || '%'");
        params.push(Value::Text(prefix.to_owned()));
    }
    if let Some(sub) = q.subtype.as_deref().filter(|s| !s.is_empty()) {
        filter.push_str(&format!(" AND {} = ?", spec.subtype));
        params.push(Value::Text(sub.to_owned()));
    }
    let total: i64 = conn.query_row(
        &format!("SELECT count(*) FROM {} t{filter}", spec.table),
        rusqlite::params_from_iter(params.iter()),
        |r| r.get(0),
    )?;
    let sql = format!(
        "SELECT t.id, t.name, {} AS subtype, COALESCE({}, '') AS secondary, t.region_code, {}
         FROM {} t{filter} ORDER BY t.region_code, t.name, t.id LIMIT ? OFFSET ?",
        spec.subtype, spec.secondary, spec.extra, spec.table
    );
    params.push(Value::Integer(i64::from(q.limit.clamp(1, 500))));
    params.push(Value::Integer(i64::from(q.offset)));
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(params), |r| {
            Ok(ListRow {
                kind,
                id: r.get("id")?,
                name: r.get("name")?,
                subtype: r.get("subtype")?,
                secondary: r.get("secondary")?,
                region_code: r.get("region_code")?,
                grade: r.get("grade")?,
                quantity: r.get("quantity")?,
                unit: r.get("unit")?,
                lat: r.get("lat")?,
                lon: r.get("lon")?,
            })
        })
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())?;
    Ok((total as u64, rows))
}

/// The distinct types within a kind and how many records have each, most first.
pub fn subtypes(conn: &Connection, kind: Kind) -> rusqlite::Result<Vec<(String, i64)>> {
    let Some(spec) = list_spec(kind) else { return Ok(Vec::new()) };
    let sql =
        format!("SELECT {} AS s, count(*) AS n FROM {} t GROUP BY s ORDER BY n DESC, s", spec.subtype, spec.table);
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

/// Stock categories, in the guide's order, for the category filter.
pub fn stock_categories() -> &'static [StockCategory] {
    StockCategory::ALL
}

/// A warehouse holding a matching stock item, for "the 5 nearest stockpiles holding activated carbon".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StockHit {
    pub warehouse_id: String,
    pub warehouse_name: String,
    pub region_code: String,
    pub lat: f64,
    pub lon: f64,
    pub distance_m: f64,
    pub stock_item_id: String,
    pub item_name: String,
    pub spec: String,
    pub quantity: f64,
    pub unit: String,
}

/// The stock lines matching `item` (any part of the name, as in search) with a quantity above
/// zero, in the `n` warehouses nearest to `center`; nearest first, one row per stock line.
pub fn nearest_stock(conn: &Connection, center: LatLon, item: &str, n: usize) -> rusqlite::Result<Vec<StockHit>> {
    let mut params = Vec::new();
    let Some(sub) = text_subquery(item, &mut params) else { return Ok(Vec::new()) };
    let sql = format!(
        "SELECT w.id, w.name, w.region_code, w.lat, w.lon, s.id, s.name, s.spec, s.unit,
                (SELECT COALESCE(SUM(l.quantity_delta), 0.0) FROM stock_ledger l WHERE l.stock_item_id = s.id) AS quantity
         FROM stock_items s JOIN warehouses w ON w.id = s.warehouse_id
         WHERE s.id IN (SELECT item_id FROM ({sub}) WHERE kind = 'stock_item') AND quantity > 0"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut hits: Vec<StockHit> = stmt
        .query_map(rusqlite::params_from_iter(params), |r| {
            let (lat, lon): (f64, f64) = (r.get(3)?, r.get(4)?);
            Ok(StockHit {
                warehouse_id: r.get(0)?,
                warehouse_name: r.get(1)?,
                region_code: r.get(2)?,
                lat,
                lon,
                distance_m: haversine_m(center, LatLon { lat, lon }),
                stock_item_id: r.get(5)?,
                item_name: r.get(6)?,
                spec: r.get(7)?,
                unit: r.get(8)?,
                quantity: r.get(9)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    hits.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m).then_with(|| a.stock_item_id.cmp(&b.stock_item_id)));
    let mut warehouses = std::collections::HashSet::new();
    hits.retain(|h| {
        if warehouses.contains(&h.warehouse_id) {
            return true;
        }
        if warehouses.len() < n {
            warehouses.insert(h.warehouse_id.clone());
            return true;
        }
        false
    });
    Ok(hits)
}
