//! The demo province: sizes the issue asks for, a connected river network, determinism.

use std::collections::{BTreeMap, BTreeSet};

use yingji_store::{query, Store};

fn demo(seed: u64) -> Store {
    let mut store = Store::open_in_memory().unwrap();
    yingji_demo::populate(&mut store, seed).unwrap();
    store
}

fn count(store: &Store, sql: &str) -> i64 {
    store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn has_the_records_a_drill_needs() {
    let s = demo(yingji_demo::DEFAULT_SEED);
    assert_eq!(count(&s, "SELECT count(*) FROM regions WHERE level = 'city'"), 13);
    assert_eq!(count(&s, "SELECT count(*) FROM regions WHERE level = 'county'"), 95);
    assert!(count(&s, "SELECT count(*) FROM risk_sources") >= 400);
    assert!(count(&s, "SELECT count(*) FROM risk_sources WHERE kind = 'chemical_park'") >= 20);
    assert_eq!(count(&s, "SELECT count(*) FROM sensitive_targets WHERE kind = 'drinking_water_intake'"), 80);
    assert_eq!(count(&s, "SELECT count(*) FROM teams"), 150);
    assert_eq!(count(&s, "SELECT count(*) FROM experts"), 400);
    assert_eq!(count(&s, "SELECT count(*) FROM warehouses"), 60);
    assert_eq!(count(&s, "SELECT count(*) FROM stock_items"), 2000);
    // Every stock line has a positive quantity from its ledger.
    assert_eq!(count(&s, "SELECT count(*) FROM stock_levels WHERE quantity <= 0"), 0);
    // Every intake is on a reach, and every record is marked as demo or reference.
    assert_eq!(
        count(&s, "SELECT count(*) FROM sensitive_targets WHERE kind = 'drinking_water_intake' AND reach_id IS NULL"),
        0
    );
    for table in query::COUNTED_TABLES {
        let unmarked =
            count(&s, &format!("SELECT count(*) FROM {table} WHERE data_source NOT IN ('demo', 'reference')"));
        assert_eq!(unmarked, 0, "{table}");
    }
}

#[test]
fn main_waterways_form_one_connected_network() {
    let s = demo(yingji_demo::DEFAULT_SEED);
    let mut stmt = s.conn().prepare("SELECT from_node, to_node FROM river_reaches").unwrap();
    let edges: Vec<(String, String)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect();
    let mut adj: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, b) in &edges {
        adj.entry(a).or_default().push(b);
        adj.entry(b).or_default().push(a);
    }
    let start = adj.keys().next().copied().unwrap();
    let mut seen = BTreeSet::from([start]);
    let mut stack = vec![start];
    while let Some(n) = stack.pop() {
        for m in &adj[n] {
            if seen.insert(m) {
                stack.push(m);
            }
        }
    }
    let rivers: BTreeSet<String> = {
        let mut stmt = s.conn().prepare("SELECT DISTINCT river_id FROM river_reaches").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    for r in ["yangtze", "grand_canal_north", "grand_canal_south", "huaihe", "qinhuai", "taipu"] {
        assert!(rivers.contains(r), "{r} missing");
    }
    // Allow stand-alone coastal rivers, but the main network must hold nearly every node.
    assert!(seen.len() * 10 >= adj.len() * 9, "{} of {} nodes connected", seen.len(), adj.len());
}

/// Same seed, same database: every row of every table, in id order.
#[test]
fn same_seed_same_database() {
    let dump = |s: &Store| {
        let mut out = Vec::new();
        for table in query::COUNTED_TABLES {
            let mut stmt = s.conn().prepare(&format!("SELECT * FROM {table} ORDER BY id")).unwrap();
            let n = stmt.column_count();
            let rows = stmt
                .query_map([], |r| {
                    (0..n)
                        .map(|i| r.get::<_, rusqlite::types::Value>(i).map(|v| format!("{v:?}")))
                        .collect::<Result<Vec<_>, _>>()
                })
                .unwrap();
            for row in rows {
                out.push(format!("{table}|{}", row.unwrap().join("|")));
            }
        }
        out
    };
    let (a, b, c) = (demo(7), demo(7), demo(8));
    assert_eq!(dump(&a), dump(&b));
    assert_ne!(dump(&a), dump(&c));
}
