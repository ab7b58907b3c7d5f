//! Spatial and text queries over a small hand-made replica, checked against brute force.

use proptest::prelude::*;
use yingji_store::{
    query::{self, haversine_m, Kind, LatLon, SearchFilter},
    records::*,
    Store,
};

const T: &str = "2026-01-01T00:00:00Z";

fn region(store: &Store, code: &str, parent: Option<&str>, level: RegionLevel, name: &str, pinyin: &str) {
    Region {
        id: code.into(),
        code: code.into(),
        parent_code: parent.map(Into::into),
        level,
        region_code: code.into(),
        name_zh: name.into(),
        name_pinyin: pinyin.into(),
        lat: Some(32.0),
        lon: Some(118.8),
        data_source: "test".into(),
        created_at: T.into(),
        updated_at: T.into(),
    }
    .insert(store.conn())
    .unwrap();
}

fn team(store: &Store, id: &str, name: &str, lat: f64, lon: f64) {
    Team {
        id: id.into(),
        region_code: "320115".into(),
        name: name.into(),
        team_type: "危化品处置".into(),
        size: 20,
        specialties: "堵漏、洗消".into(),
        equipment: String::new(),
        base_address: String::new(),
        contact_name: "王伟".into(),
        contact_phone: "138-0000-0001".into(),
        lat,
        lon,
        data_source: "test".into(),
        created_at: T.into(),
        updated_at: T.into(),
    }
    .insert(store.conn())
    .unwrap();
}

fn base() -> Store {
    let store = Store::open_in_memory().unwrap();
    region(&store, "320000", None, RegionLevel::Province, "江苏省", "Jiangsu Sheng");
    region(&store, "320100", Some("320000"), RegionLevel::City, "南京市", "Nanjing Shi");
    region(&store, "320115", Some("320100"), RegionLevel::County, "江宁区", "Jiangning Qu");
    store
}

fn sample() -> Store {
    let store = base();
    team(&store, "t1", "江宁区危化品处置队", 31.95, 118.84);
    team(&store, "t2", "南京化工园区消防救援队", 32.25, 118.80);
    team(&store, "t3", "六合环境应急监测队", 32.34, 118.83);
    let rs = RiskSource {
        id: "r1".into(),
        region_code: "320115".into(),
        kind: RiskSourceKind::Enterprise,
        name: "南京恒泰化工有限公司".into(),
        grade: RiskGrade::Major,
        industry: "基础化学原料制造".into(),
        address: String::new(),
        park_id: None,
        lat: Some(32.2),
        lon: Some(118.8),
        geometry_json: None,
        contact_name: String::new(),
        contact_phone: String::new(),
        data_source: "test".into(),
        created_at: T.into(),
        updated_at: T.into(),
    };
    rs.insert(store.conn()).unwrap();
    for (id, name, cas, un) in [("c1", "苯", "71-43-2", "1114"), ("c2", "氯气", "7782-50-5", "1017")] {
        ChemicalHolding {
            id: id.into(),
            risk_source_id: "r1".into(),
            region_code: "320115".into(),
            name_zh: name.into(),
            cas: cas.into(),
            un_number: un.into(),
            max_quantity_t: 10.0,
            data_source: "test".into(),
            created_at: T.into(),
            updated_at: T.into(),
        }
        .insert(store.conn())
        .unwrap();
    }
    store
}

fn names(store: &Store, text: &str) -> Vec<String> {
    query::search(store.conn(), text, &SearchFilter::default(), 20).unwrap().into_iter().map(|h| h.name).collect()
}

#[test]
fn search_finds_any_part_of_a_chinese_name() {
    let s = sample();
    // All three teams are of type 危化品处置, but the one with it in its name ranks first.
    assert_eq!(names(&s, "危化品")[0], "江宁区危化品处置队");
    assert_eq!(names(&s, "监测队"), ["六合环境应急监测队"]);
    // Two characters: below the trigram tokenizer's reach, served by the gram table.
    assert_eq!(names(&s, "消防"), ["南京化工园区消防救援队"]);
    assert!(names(&s, "化工").contains(&"南京恒泰化工有限公司".to_owned()));
}

#[test]
fn search_finds_risk_sources_by_the_chemicals_they_hold() {
    let s = sample();
    let mut hits = query::search(s.conn(), "苯", &SearchFilter::default(), 20).unwrap();
    // The chemical library (province-wide reference data) answers too; it is tested on its own.
    assert!(hits.iter().any(|h| h.kind == Kind::Chemical && h.name == "苯"));
    hits.retain(|h| h.kind != Kind::Chemical);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].kind, Kind::RiskSource);
    assert_eq!(hits[0].name, "南京恒泰化工有限公司");
    assert_eq!(hits[0].matched.as_deref(), Some("苯"));
    let held = |text: &str| -> Vec<String> {
        let filter = SearchFilter { kinds: vec![Kind::RiskSource], ..Default::default() };
        query::search(s.conn(), text, &filter, 20).unwrap().into_iter().map(|h| h.name).collect()
    };
    assert_eq!(held("7782-50-5"), ["南京恒泰化工有限公司"]);
    assert_eq!(held("UN1017"), ["南京恒泰化工有限公司"]);
    assert_eq!(held("氯气"), ["南京恒泰化工有限公司"]);
}

#[test]
fn search_by_pinyin_and_region_code() {
    let s = sample();
    assert!(names(&s, "jiangning").contains(&"江宁区".to_owned()));
    assert!(names(&s, "jnq").contains(&"江宁区".to_owned()));
    assert!(names(&s, "320115").contains(&"江宁区".to_owned()));
}

#[test]
fn pinyin_u_umlaut_is_found_as_typed_with_v() {
    let s = base();
    team(&s, "t-cl", "氯气处置队", 32.0, 118.8);
    for typed in ["lvqi", "lüqi", "lvqichuzhi"] {
        assert!(names(&s, typed).contains(&"氯气处置队".to_owned()), "{typed}");
    }
    assert!(!names(&s, "luqi").contains(&"氯气处置队".to_owned()), "lu is another syllable");
}

#[test]
fn search_filters_by_kind_and_region_and_follows_edits() {
    let s = sample();
    let teams = SearchFilter { kinds: vec![Kind::Team], region_prefix: Some("3201".into()), per_kind: None };
    assert_eq!(query::search(s.conn(), "队", &teams, 20).unwrap().len(), 3);
    let elsewhere = SearchFilter { kinds: vec![Kind::Team], region_prefix: Some("3202".into()), per_kind: None };
    assert!(query::search(s.conn(), "队", &elsewhere, 20).unwrap().is_empty());
    // Renaming and deleting keep the index in step.
    s.conn().execute("UPDATE teams SET name = '秦淮河水上溢油队' WHERE id = 't1'", []).unwrap();
    assert!(!names(&s, "危化品处置队").contains(&"江宁区危化品处置队".to_owned()));
    assert_eq!(names(&s, "溢油"), ["秦淮河水上溢油队"]);
    s.conn().execute("DELETE FROM teams WHERE id = 't1'", []).unwrap();
    assert!(names(&s, "溢油").is_empty());
    assert!(query::within(s.conn(), LatLon { lat: 31.95, lon: 118.84 }, 1000.0, &[Kind::Team]).unwrap().is_empty());
}

#[test]
fn per_kind_limit_keeps_every_kind_in_the_answer() {
    let s = sample();
    for i in 0..30 {
        team(&s, &format!("x{i}"), &format!("化工应急分队{i}"), 32.0, 118.8);
    }
    let all = query::search(s.conn(), "化工", &SearchFilter::default(), 10).unwrap();
    assert!(all.iter().all(|h| h.kind == Kind::Team), "teams crowd out the rest: {all:?}");
    let f = SearchFilter { per_kind: Some(3), ..SearchFilter::default() };
    let mixed = query::search(s.conn(), "化工", &f, 10).unwrap();
    assert_eq!(mixed.iter().filter(|h| h.kind == Kind::Team).count(), 3);
    assert!(mixed.iter().any(|h| h.kind == Kind::RiskSource));
}

#[test]
fn empty_and_quote_only_queries_find_nothing() {
    let s = sample();
    assert!(names(&s, "").is_empty());
    assert!(names(&s, "  \"  ").is_empty());
    assert_eq!(names(&s, "\"危化品"), names(&s, "危化品"));
}

#[test]
fn haversine_matches_a_known_distance() {
    // Nanjing Xinjiekou to Shanghai People's Square ≈ 270 km on the sphere.
    let d = haversine_m(LatLon { lat: 32.0415, lon: 118.7781 }, LatLon { lat: 31.2304, lon: 121.4737 });
    assert!((d - 270_000.0).abs() < 3_000.0, "{d}");
}

/// The R*Tree's kind dimension holds each row's kind code, and a query for one kind never sees
/// another kind, however near.
#[test]
fn kind_filters_come_from_the_index_kind_dimension() {
    let store = sample();
    let mut stmt = store.conn().prepare("SELECT DISTINCT kind, min_kind, max_kind FROM geo_rtree").unwrap();
    let rows: Vec<(Kind, f64, f64)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().collect::<Result<_, _>>().unwrap();
    assert_eq!(rows.len(), 3, "regions, teams and the risk source: {rows:?}");
    for (kind, lo, hi) in rows {
        assert_eq!((lo, hi), (kind.index_code() as f64, kind.index_code() as f64 + 1.0), "{kind:?}");
    }
    // The regions sit at (32.0, 118.8), the risk source at (32.2, 118.8): nearer than any team.
    let c = LatLon { lat: 32.0, lon: 118.8 };
    let all = query::nearest(store.conn(), c, &[], 3, 100_000.0).unwrap();
    assert!(all.iter().all(|h| h.kind == Kind::Region), "{all:?}");
    let teams = query::nearest(store.conn(), c, &[Kind::Team], 3, 100_000.0).unwrap();
    assert_eq!(teams.iter().map(|h| h.item_id.as_str()).collect::<Vec<_>>(), ["t1", "t2", "t3"]);
    let two = query::within(store.conn(), c, 100_000.0, &[Kind::Team, Kind::RiskSource, Kind::Team]).unwrap();
    assert_eq!(two.iter().map(|h| h.item_id.as_str()).collect::<Vec<_>>(), ["t1", "r1", "t2", "t3"]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// `nearest` returns exactly the n closest points (by great-circle distance), in order, and
    /// `within` returns exactly the points inside the radius: same answer as brute force.
    #[test]
    fn nearest_and_within_agree_with_brute_force(
        points in prop::collection::vec((30.8f64..35.1, 116.4f64..121.9), 1..120),
        center in (30.8f64..35.1, 116.4f64..121.9),
        n in 1usize..15,
        radius_m in 1_000.0f64..150_000.0,
    ) {
        let store = base();
        for (i, (lat, lon)) in points.iter().enumerate() {
            team(&store, &format!("t{i:03}"), &format!("队伍{i}"), *lat, *lon);
        }
        let c = LatLon { lat: center.0, lon: center.1 };
        let mut brute: Vec<(f64, String)> = points.iter().enumerate()
            .map(|(i, (lat, lon))| (haversine_m(c, LatLon { lat: *lat, lon: *lon }), format!("t{i:03}")))
            .collect();
        brute.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));

        let got = query::nearest(store.conn(), c, &[Kind::Team], n, 2_000_000.0).unwrap();
        let want: Vec<&str> = brute.iter().take(n).map(|b| b.1.as_str()).collect();
        prop_assert_eq!(got.iter().map(|h| h.item_id.as_str()).collect::<Vec<_>>(), want);

        let got = query::within(store.conn(), c, radius_m, &[Kind::Team]).unwrap();
        let want: Vec<&str> = brute.iter().filter(|b| b.0 <= radius_m).map(|b| b.1.as_str()).collect();
        prop_assert_eq!(got.iter().map(|h| h.item_id.as_str()).collect::<Vec<_>>(), want.clone());

        // Counts per kind are exact and the listed ones are the nearest, whatever else is near.
        let groups = query::within_by_kind(store.conn(), c, radius_m, &[], n).unwrap();
        let teams = groups.iter().find(|g| g.kind == Kind::Team);
        prop_assert_eq!(teams.map_or(0, |g| g.count), want.len());
        let listed: Vec<&str> = teams.map(|g| g.nearest.iter().map(|h| h.item_id.as_str()).collect()).unwrap_or_default();
        prop_assert_eq!(listed, want.iter().take(n).copied().collect::<Vec<_>>());
        let regions = groups.iter().find(|g| g.kind == Kind::Region).map_or(0, |g| g.count);
        let region_distance = haversine_m(c, LatLon { lat: 32.0, lon: 118.8 });
        prop_assert_eq!(regions, if region_distance <= radius_m { 3 } else { 0 });
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// One-click counts stay exact with points crowded around the centre (many on whole
    /// hundredths of a degree, where 32-bit R*Tree boxes round), after moves and deletions,
    /// and the listed ones are the nearest.
    #[test]
    fn crowded_counts_agree_with_brute_force(
        offsets in prop::collection::vec((-0.12f64..0.12, -0.12f64..0.12, any::<bool>()), 1..150),
        center in (31.5f64..32.5, 118.5f64..119.5),
        radius_m in 100.0f64..15_000.0,
        moved in 0usize..150,
        removed in 0usize..150,
    ) {
        let store = base();
        let mut points: Vec<(f64, f64)> = offsets
            .iter()
            .map(|(dlat, dlon, round)| {
                let (lat, lon) = (center.0 + dlat, center.1 + dlon);
                if *round { ((lat * 100.0).round() / 100.0, (lon * 100.0).round() / 100.0) } else { (lat, lon) }
            })
            .collect();
        for (i, (lat, lon)) in points.iter().enumerate() {
            team(&store, &format!("t{i:03}"), &format!("队伍{i}"), *lat, *lon);
        }
        let m = moved % points.len();
        points[m] = (center.0 + 0.003, center.1 - 0.002);
        store.conn().execute("UPDATE teams SET lat = ?1, lon = ?2 WHERE id = ?3",
            rusqlite::params![points[m].0, points[m].1, format!("t{m:03}")]).unwrap();
        let gone = removed % points.len();
        store.conn().execute("DELETE FROM teams WHERE id = ?1", [format!("t{gone:03}")]).unwrap();

        let c = LatLon { lat: center.0, lon: center.1 };
        let mut want: Vec<(f64, String)> = points.iter().enumerate()
            .filter(|(i, _)| *i != gone)
            .map(|(i, p)| (haversine_m(c, LatLon { lat: p.0, lon: p.1 }), format!("t{i:03}")))
            .filter(|(d, _)| *d <= radius_m)
            .collect();
        want.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        let groups = query::within_by_kind(store.conn(), c, radius_m, &[Kind::Team, Kind::Region], 5).unwrap();
        let teams = groups.iter().find(|g| g.kind == Kind::Team);
        prop_assert_eq!(teams.map_or(0, |g| g.count), want.len());
        let listed: Vec<&str> = teams.map(|g| g.nearest.iter().map(|h| h.item_id.as_str()).collect()).unwrap_or_default();
        prop_assert_eq!(listed, want.iter().take(5).map(|w| w.1.as_str()).collect::<Vec<_>>());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    /// With tens of thousands of entries of several kinds crowded around the centre (an R*Tree
    /// three levels deep, so whole subtrees fall inside the circle and are counted from their
    /// leaves' headers), the one-click counts per kind are exact and the listed ones are the
    /// nearest, as brute force says.
    #[test]
    fn deep_tree_counts_and_nearest_agree_with_brute_force(
        seed in any::<u64>(),
        center in (31.5f64..32.5, 118.5f64..119.5),
        radius_m in 300.0f64..16_000.0,
        per_kind in 1usize..60,
    ) {
        let store = Store::open_in_memory().unwrap();
        let kinds = [Kind::Team, Kind::Warehouse, Kind::Expert];
        let mut rng = seed;
        let mut next = move || {
            // SplitMix64: a reproducible stream from the case's seed.
            rng = rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = rng;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            (z ^ (z >> 31)) as f64 / u64::MAX as f64
        };
        let mut points: Vec<(Kind, String, f64, f64)> = Vec::new();
        {
            let tx = store.conn().unchecked_transaction().unwrap();
            let mut insert = tx.prepare(
                "INSERT INTO geo_rtree(key_id, min_kind, max_kind, min_lon, max_lon, min_lat, max_lat,
                                       kind, item_id, name, region_code, lat, lon)
                 VALUES (?1, ?2, ?2 + 1, ?3, ?3, ?4, ?4, ?5, ?6, ?6, '320115', ?4, ?3)").unwrap();
            for i in 0..24_000_i64 {
                let kind = kinds[(i % 3) as usize];
                // Crowded: a third of the points within 2 km, the rest within about 20 km;
                // some on whole thousandths of a degree, where 32-bit boxes round.
                let spread = if i % 3 == 0 { 0.02 } else { 0.2 };
                let (mut lat, mut lon) = (center.0 + (next() - 0.5) * spread, center.1 + (next() - 0.5) * spread);
                if i % 7 == 0 {
                    lat = (lat * 1000.0).round() / 1000.0;
                    lon = (lon * 1000.0).round() / 1000.0;
                }
                let id = format!("{}{i:05}", kind.as_str());
                insert.execute(rusqlite::params![i + 1, kind.index_code(), lon, lat, kind.as_str(), id]).unwrap();
                points.push((kind, id, lat, lon));
            }
            drop(insert);
            tx.commit().unwrap();
        }
        let depth: Vec<u8> = store.conn().query_row("SELECT data FROM geo_rtree_node WHERE nodeno = 1", [], |r| r.get(0)).unwrap();
        prop_assert!(u16::from_be_bytes([depth[0], depth[1]]) >= 2, "the tree is deep");

        let c = LatLon { lat: center.0, lon: center.1 };
        let groups = query::within_by_kind(store.conn(), c, radius_m, &[], per_kind).unwrap();
        for kind in kinds {
            let mut want: Vec<(f64, &str)> = points.iter()
                .filter(|p| p.0 == kind)
                .map(|p| (haversine_m(c, LatLon { lat: p.2, lon: p.3 }), p.1.as_str()))
                .filter(|(d, _)| *d <= radius_m)
                .collect();
            want.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(b.1)));
            let got = groups.iter().find(|g| g.kind == kind);
            prop_assert_eq!(got.map_or(0, |g| g.count), want.len(), "count of {:?}", kind);
            let listed: Vec<&str> = got.map(|g| g.nearest.iter().map(|h| h.item_id.as_str()).collect()).unwrap_or_default();
            prop_assert_eq!(listed, want.iter().take(per_kind).map(|w| w.1).collect::<Vec<_>>(), "nearest {:?}", kind);
        }
        // One kind asked for: the others are not counted.
        let only = query::within_by_kind(store.conn(), c, radius_m, &[Kind::Expert], per_kind).unwrap();
        prop_assert!(only.iter().all(|g| g.kind == Kind::Expert));
    }
}
