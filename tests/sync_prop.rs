//! Property test of convergence against a real hub process.

use std::{
    collections::{BTreeMap, BTreeSet},
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
};

use proptest::prelude::*;
use serde_json::{json, Value};
use yingji_api::{Console, StockMovement};
use yingji_store::Store;
use yingji_tests::built_binary;

#[derive(Debug, Clone)]
enum Op {
    Edit { replica: usize, team: usize, field: usize },
    Delete { replica: usize, team: usize },
    Dispatch { replica: usize, item: usize, qty: u8 },
    Sync { replica: usize },
}

const REPLICAS: usize = 3;
const TEAMS: usize = 3;
const FIELDS: &[&str] = &["contact_phone", "equipment"];

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..REPLICAS, 0..TEAMS, 0..FIELDS.len()).prop_map(|(replica, team, field)| Op::Edit { replica, team, field }),
        1 => (0..REPLICAS, 0..TEAMS).prop_map(|(replica, team)| Op::Delete { replica, team }),
        3 => (0..REPLICAS, 0..2usize, 1..20u8).prop_map(|(replica, item, qty)| Op::Dispatch { replica, item, qty }),
        4 => (0..REPLICAS).prop_map(|replica| Op::Sync { replica }),
    ]
}

struct Hub(Child, String);

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn yingji(args: &[&str]) -> std::process::Output {
    let out = Command::new(built_binary("yingji")).args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out
}

fn query(db: &Path, sql: &str) -> Vec<Vec<Value>> {
    let store = Store::open(db).unwrap();
    let mut stmt = store.conn().prepare(sql).unwrap();
    let n = stmt.column_count();
    let rows = stmt
        .query_map([], |r| {
            Ok((0..n)
                .map(|i| match r.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Null => Value::Null,
                    rusqlite::types::ValueRef::Integer(v) => json!(v),
                    rusqlite::types::ValueRef::Real(v) => json!(v),
                    rusqlite::types::ValueRef::Text(t) => json!(String::from_utf8_lossy(t)),
                    rusqlite::types::ValueRef::Blob(_) => Value::Null,
                })
                .collect())
        })
        .unwrap();
    rows.map(Result::unwrap).collect()
}

fn snapshot(db: &Path) -> Vec<Vec<Value>> {
    let mut out = Vec::new();
    for t in ["teams", "stock_ledger", "sync_conflicts", "sync_over_allocations"] {
        out.extend(query(db, &format!("SELECT '{t}', * FROM {t} WHERE region_code LIKE '3201%' ORDER BY id")));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3, failure_persistence: None, ..ProptestConfig::default() })]

    /// Invariant: after every replica has synced twice more, all replicas hold identical teams,
    /// ledgers, conflicts and over-allocation flags; each ledger entry exists exactly once; and
    /// every value written to a surviving team that is not its final value was either seen and
    /// overwritten by a later writer or is listed in `sync_conflicts`.
    #[test]
    fn replicas_converge_and_no_concurrent_edit_is_lost_silently(ops in proptest::collection::vec(op(), 10..40)) {
        let dir = tempfile::tempdir().unwrap();
        let hub_db = dir.path().join("hub.db");
        yingji(&["hub", "init", "--demo", hub_db.to_str().unwrap()]);
        let tok: Value = serde_json::from_slice(&yingji(&["hub", "token", "issue", "--db", hub_db.to_str().unwrap(), "--region", "320100"]).stdout).unwrap();
        let token = tok["token"].as_str().unwrap().to_owned();
        let mut child = Command::new(built_binary("yingji"))
            .args(["hub", "serve", "--db", hub_db.to_str().unwrap(), "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let hub = Hub(child, format!("http://{}", line.trim()));
        let template = dir.path().join("template.db");
        yingji_api::init(&template, true, 2026).unwrap();
        let dbs: Vec<PathBuf> = (0..REPLICAS).map(|i| {
            let p = dir.path().join(format!("r{i}.db"));
            std::fs::copy(&template, &p).unwrap();
            p
        }).collect();
        let teams: Vec<String> = query(&template, "SELECT id FROM teams WHERE region_code LIKE '3201%' ORDER BY id LIMIT 3")
            .into_iter().map(|r| r[0].as_str().unwrap().to_owned()).collect();
        let items: Vec<String> = query(&template, "SELECT id FROM stock_items WHERE region_code LIKE '3201%' ORDER BY id LIMIT 2")
            .into_iter().map(|r| r[0].as_str().unwrap().to_owned()).collect();
        let sync = |db: &Path| yingji_api::sync_once(db, &hub.1, &token, None, &mut |_| {}).unwrap();
        // (team, field) → written values; values a writer saw and overwrote.
        let mut written: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
        let mut overwritten: BTreeSet<String> = BTreeSet::new();
        let mut ledger_ids = Vec::new();
        for (n, op) in ops.iter().enumerate() {
            match op {
                Op::Edit { replica, team, field } => {
                    let (id, f) = (&teams[*team], FIELDS[*field]);
                    let seen = query(&dbs[*replica], &format!("SELECT {f} FROM teams WHERE id = '{id}'"));
                    let Some(row) = seen.first() else { continue };
                    overwritten.insert(row[0].as_str().unwrap_or_default().to_owned());
                    let value = format!("v{n}");
                    Console::open(&dbs[*replica]).unwrap().update_field("teams", id, f, &json!(value)).unwrap();
                    written.entry((id.clone(), f.to_owned())).or_default().insert(value);
                }
                Op::Delete { replica, team } => {
                    let _ = Console::open(&dbs[*replica]).unwrap().delete_record("teams", &teams[*team]);
                }
                Op::Dispatch { replica, item, qty } => {
                    ledger_ids.push(Console::open(&dbs[*replica]).unwrap().add_ledger_entry(&StockMovement {
                        stock_item_id: items[*item].clone(), entry_kind: "dispatch".into(),
                        quantity_delta: -f64::from(*qty), note: format!("op {n}"),
                    }).unwrap());
                }
                Op::Sync { replica } => { sync(&dbs[*replica]); }
            }
        }
        for _ in 0..2 {
            for db in &dbs { sync(db); }
        }
        let first = snapshot(&dbs[0]);
        for db in &dbs[1..] {
            prop_assert_eq!(&snapshot(db), &first);
        }
        for id in &ledger_ids {
            prop_assert_eq!(query(&dbs[0], &format!("SELECT count(*) FROM stock_ledger WHERE id = '{id}'"))[0][0].clone(), json!(1));
        }
        let conflicts: BTreeSet<String> = query(&dbs[0], "SELECT winner_value FROM sync_conflicts UNION SELECT loser_value FROM sync_conflicts")
            .into_iter().filter_map(|r| serde_json::from_str::<Value>(r[0].as_str()?).ok()?.as_str().map(str::to_owned)).collect();
        for ((id, f), values) in &written {
            let now = query(&dbs[0], &format!("SELECT {f} FROM teams WHERE id = '{id}'"));
            let Some(row) = now.first() else { continue }; // deleted: deletes win
            let fin = row[0].as_str().unwrap_or_default().to_owned();
            prop_assert!(values.contains(&fin) || values.is_empty());
            for v in values {
                prop_assert!(v == &fin || overwritten.contains(v) || conflicts.contains(v),
                    "value {} of {}.{} was lost silently", v, id, f);
            }
        }
    }
}
