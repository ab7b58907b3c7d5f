//! Sync against a real hub process (`yingji hub serve` on 127.0.0.1:0, bound before the test
//! talks to it), driven through the façade as the window does and through the CLI.

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::Arc,
};

use serde_json::{json, Value};
use yingji_api::{Console, StockMovement};
use yingji_store::{Clock, Store, Timestamp};
use yingji_tests::built_binary;

/// Where the hub keeps its data: a SQLite file, or a schema of its own in the PostgreSQL
/// database `test` on 127.0.0.1 (created here, dropped when this value is dropped).
#[derive(Clone, Copy, Debug)]
enum Backend {
    Sqlite,
    Postgres,
}

struct HubDb {
    spec: String,
    pg_schema: Option<String>,
}

const PG_BASE: &str = "postgres://postgres@127.0.0.1:5432/test";

impl HubDb {
    fn new(dir: &Path, backend: Backend) -> HubDb {
        match backend {
            Backend::Sqlite => HubDb { spec: dir.join("hub.db").to_str().unwrap().to_owned(), pg_schema: None },
            Backend::Postgres => {
                static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
                let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let schema = format!("yj_sync_test_{}_{n}", std::process::id());
                let mut pg =
                    ::postgres::Client::connect(PG_BASE, ::postgres::NoTls).expect("PostgreSQL on 127.0.0.1:5432");
                pg.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")).unwrap();
                HubDb { spec: format!("{PG_BASE}?options=-csearch_path%3D{schema}"), pg_schema: Some(schema) }
            }
        }
    }

    fn count(&self, sql: &str) -> i64 {
        hub_count(&self.spec, sql)
    }
}

/// One number from the hub's storage (`spec` as given to `--db`).
fn hub_count(spec: &str, sql: &str) -> i64 {
    if spec.starts_with("postgres://") {
        ::postgres::Client::connect(spec, ::postgres::NoTls).unwrap().query_one(sql, &[]).unwrap().get(0)
    } else {
        rusqlite::Connection::open(spec).unwrap().query_row(sql, [], |r| r.get(0)).unwrap()
    }
}

impl Drop for HubDb {
    fn drop(&mut self) {
        if let Some(schema) = &self.pg_schema {
            if let Ok(mut pg) = ::postgres::Client::connect(PG_BASE, ::postgres::NoTls) {
                let _ = pg.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
    }
}

struct Hub {
    child: Child,
    url: String,
    db: String,
}

impl Hub {
    fn start(db: &HubDb, env: &[(&str, &str)]) -> Hub {
        Hub::start_with(db, "127.0.0.1:0", &[], env)
    }

    /// `extra`: more `hub serve` arguments; with `--cert` the hub speaks HTTPS.
    fn start_with(db: &HubDb, listen: &str, extra: &[&str], env: &[(&str, &str)]) -> Hub {
        let mut cmd = Command::new(built_binary("yingji"));
        cmd.args(["hub", "serve", "--db", &db.spec, "--listen", listen])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert!(!line.trim().is_empty(), "hub did not start");
        let scheme = if extra.contains(&"--cert") { "https" } else { "http" };
        Hub { child, url: format!("{scheme}://{}", line.trim()), db: db.spec.clone() }
    }

    fn log_len(&self) -> i64 {
        hub_count(&self.db, "SELECT count(*) FROM hub_log")
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn yingji(args: &[&str]) -> std::process::Output {
    Command::new(built_binary("yingji")).args(args).env("YINGJI_LANG", "en").output().unwrap()
}

fn hub_db(dir: &Path, backend: Backend) -> HubDb {
    let db = HubDb::new(dir, backend);
    let out = yingji(&["hub", "init", "--demo", &db.spec]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    db
}

fn token(hub: &str, region: &str, role: &str) -> (String, String) {
    let out = yingji(&["hub", "token", "issue", "--db", hub, "--region", region, "--role", role]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    (v["id"].as_str().unwrap().to_owned(), v["token"].as_str().unwrap().to_owned())
}

fn replica(dir: &Path, name: &str, demo: bool) -> PathBuf {
    let db = dir.join(name);
    yingji_api::init(&db, demo, 2026).unwrap();
    db
}

fn sync(db: &Path, hub: &Hub, token: &str) -> Result<yingji_api::SyncSummary, yingji_api::ApiError> {
    yingji_api::sync_once(db, &hub.url, token, None, &mut |_| {})
}

fn one(db: &Path, sql: &str) -> Value {
    let store = Store::open(db).unwrap();
    store.conn().query_row(sql, [], |r| Ok(yingji_sync_value(r.get_ref(0)?))).unwrap()
}

fn yingji_sync_value(v: rusqlite::types::ValueRef<'_>) -> Value {
    match v {
        rusqlite::types::ValueRef::Null => Value::Null,
        rusqlite::types::ValueRef::Integer(i) => json!(i),
        rusqlite::types::ValueRef::Real(f) => json!(f),
        rusqlite::types::ValueRef::Text(t) => json!(String::from_utf8_lossy(t)),
        rusqlite::types::ValueRef::Blob(_) => Value::Null,
    }
}

/// Everything a replica holds in the synced tables, as text, for comparing replicas.
fn dump(db: &Path, tables: &[&str], region_prefix: &str) -> Vec<String> {
    let store = Store::open(db).unwrap();
    let mut out = Vec::new();
    for t in tables {
        let mut stmt = store
            .conn()
            .prepare(&format!("SELECT * FROM \"{t}\" WHERE region_code LIKE '{region_prefix}%' ORDER BY id"))
            .unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                let vals: Vec<Value> = (0..n).map(|i| yingji_sync_value(r.get_ref(i).unwrap())).collect();
                Ok(format!("{t} {}", Value::Array(vals)))
            })
            .unwrap();
        out.extend(rows.map(Result::unwrap));
    }
    out
}

fn team_of(db: &Path, region: &str) -> String {
    one(db, &format!("SELECT id FROM teams WHERE region_code = '{region}' ORDER BY id LIMIT 1"))
        .as_str()
        .unwrap()
        .to_owned()
}

/// A stock item of a Nanjing county with stock on hand, and its region.
fn stock_item(db: &Path) -> (String, String) {
    let store = Store::open(db).unwrap();
    store
        .conn()
        .query_row(
            "SELECT id, region_code FROM stock_levels WHERE region_code LIKE '3201%' AND region_code <> '320100'
             AND quantity > 0 ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

const COMPARED: &[&str] =
    &["teams", "experts", "warehouses", "stock_items", "stock_ledger", "sync_conflicts", "sync_over_allocations"];

fn two_replicas_converge_and_a_concurrent_edit_is_listed_as_a_conflict(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let store = hub_db(dir.path(), backend);
    let hub = Hub::start(&store, &[]);
    let (_, county) = token(&hub.db, "320102", "editor");
    let (_, city) = token(&hub.db, "320100", "editor");
    let a = replica(dir.path(), "a.db", true);
    let b = replica(dir.path(), "b.db", true);
    let team = team_of(&a, "320102");
    // Same field on both sides while apart: a conflict. Different fields: merged.
    let mut ca = Console::open(&a).unwrap();
    ca.update_field("teams", &team, "contact_phone", &json!("111")).unwrap();
    ca.update_field("teams", &team, "size", &json!(42)).unwrap();
    drop(ca);
    let mut cb = Console::open(&b).unwrap();
    cb.update_field("teams", &team, "contact_phone", &json!("222")).unwrap();
    cb.update_field("teams", &team, "equipment", &json!("围油栏")).unwrap();
    drop(cb);
    sync(&a, &hub, &county).unwrap();
    let sb = sync(&b, &hub, &city).unwrap();
    assert_eq!(sb.conflicts_found, 1, "{:#?}", Console::open(&b).unwrap().conflicts());
    sync(&a, &hub, &county).unwrap();
    for db in [&a, &b] {
        assert_eq!(one(db, &format!("SELECT size FROM teams WHERE id = '{team}'")), json!(42));
        assert_eq!(one(db, &format!("SELECT equipment FROM teams WHERE id = '{team}'")), json!("围油栏"));
        let c = Console::open(db).unwrap().conflicts().unwrap();
        assert_eq!(c.len(), 1, "the conflict is replicated to both sides");
        assert_eq!(c[0].field, "contact_phone");
        let mut both = [c[0].winner_value.clone(), c[0].loser_value.clone()];
        both.sort();
        assert_eq!(both, ["\"111\"".to_owned(), "\"222\"".to_owned()]);
    }
    assert_eq!(dump(&a, COMPARED, "3201"), dump(&b, COMPARED, "3201"));
    // Resolving it is an ordinary, synced edit.
    let id = Console::open(&a).unwrap().conflicts().unwrap()[0].id.clone();
    Console::open(&a).unwrap().resolve_conflict(&id, "keep 111").unwrap();
    sync(&a, &hub, &county).unwrap();
    sync(&b, &hub, &city).unwrap();
    assert_eq!(Console::open(&b).unwrap().sync_status().unwrap().open_conflicts, 0);
}

fn dispatching_more_than_there_was_is_flagged_on_both_sides_and_each_entry_exists_once(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let store = hub_db(dir.path(), backend);
    let hub = Hub::start(&store, &[]);
    let a = replica(dir.path(), "a.db", true);
    let b = replica(dir.path(), "b.db", true);
    let (item, region) = stock_item(&a);
    let (_, county) = token(&hub.db, &region, "editor");
    let (_, city) = token(&hub.db, "320100", "editor");
    let qty = one(&a, &format!("SELECT quantity FROM stock_levels WHERE id = '{item}'")).as_f64().unwrap();
    for db in [&a, &b] {
        let mut c = Console::open(db).unwrap();
        c.add_ledger_entry(&StockMovement {
            stock_item_id: item.clone(),
            entry_kind: "dispatch".into(),
            quantity_delta: -qty,
            note: "drill".into(),
        })
        .unwrap();
    }
    sync(&a, &hub, &county).unwrap();
    let sb = sync(&b, &hub, &city).unwrap();
    assert_eq!(sb.over_allocations_found, 1);
    sync(&a, &hub, &county).unwrap();
    sync(&a, &hub, &county).unwrap(); // a repeated sync changes nothing
    for db in [&a, &b] {
        let flags = Console::open(db).unwrap().over_allocations().unwrap();
        assert_eq!(flags.len(), 1);
        assert_eq!(flags[0].stock_item_id, item);
        assert!((flags[0].quantity + qty).abs() < 1e-9);
        assert_eq!(
            one(db, &format!("SELECT count(*) FROM stock_ledger WHERE stock_item_id = '{item}' AND note = 'drill'")),
            json!(2)
        );
    }
    assert_eq!(dump(&a, COMPARED, "3201"), dump(&b, COMPARED, "3201"));
}

fn an_empty_replica_pulls_its_scope_and_a_demo_replica_pulls_nothing(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let store = hub_db(dir.path(), backend);
    let hub = Hub::start(&store, &[]);
    let (_, county) = token(&hub.db, "320102", "viewer");
    let demo = replica(dir.path(), "demo.db", true);
    let empty = replica(dir.path(), "empty.db", false);
    let s = sync(&demo, &hub, &county).unwrap();
    assert_eq!(s.pulled_changes, 0, "a demo replica starts after the hub's demo baseline");
    let s = sync(&empty, &hub, &county).unwrap();
    assert!(s.pulled_changes > 1000);
    // Its city (Nanjing) arrives whole, Xuzhou (far away) does not; reference data is province-wide.
    assert_eq!(dump(&empty, COMPARED, "3201"), dump(&demo, COMPARED, "3201"));
    assert_eq!(one(&empty, "SELECT count(*) FROM teams WHERE region_code LIKE '3203%'"), json!(0));
    assert_eq!(one(&empty, "SELECT count(*) FROM regions"), one(&demo, "SELECT count(*) FROM regions"));
    assert_eq!(one(&empty, "SELECT count(*) FROM river_reaches"), one(&demo, "SELECT count(*) FROM river_reaches"));
    // The indexes followed the applied rows (triggers fired).
    let name = one(&empty, "SELECT name FROM teams ORDER BY id LIMIT 1").as_str().unwrap().to_owned();
    let hits = Console::open(&empty).unwrap().search(&name, None, 5).unwrap();
    assert!(!hits.is_empty(), "search finds {name}");
}

fn out_of_scope_revoked_malformed_oversized_and_mismatched_requests_are_refused_and_write_nothing(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let store = hub_db(dir.path(), backend);
    let hub = Hub::start(&store, &[]);
    let (_, county_a) = token(&hub.db, "320102", "editor");
    let (revoked_id, revoked) = token(&hub.db, "320102", "editor");
    let b = replica(dir.path(), "b.db", true);
    let before = hub.log_len();
    // County A's token writing county B's record.
    let team_b = team_of(&b, "320104");
    Console::open(&b).unwrap().update_field("teams", &team_b, "size", &json!(7)).unwrap();
    let err = sync(&b, &hub, &county_a).unwrap_err();
    assert_eq!(err.code, yingji_api::ErrorCode::SyncRefused);
    assert!(err.message_en.contains("320104"), "{}", err.message_en);
    assert_eq!(hub.log_len(), before);
    // A revoked token.
    let out = yingji(&["hub", "token", "revoke", "--db", &hub.db, "--id", &revoked_id]);
    assert!(out.status.success());
    let err = sync(&b, &hub, &revoked).unwrap_err();
    assert!(err.message_en.contains("revoked"), "{}", err.message_en);
    // Having met the hub, a replica refuses out-of-scope edits itself, before they queue up.
    let fresh = replica(dir.path(), "fresh.db", true);
    sync(&fresh, &hub, &county_a).unwrap();
    let err = Console::open(&fresh).unwrap().update_field("teams", &team_b, "size", &json!(8)).unwrap_err();
    assert_eq!(err.code, yingji_api::ErrorCode::InvalidInput);
    assert_eq!(Console::open(&fresh).unwrap().sync_status().unwrap().pending_changes, 0);
    let own = team_of(&fresh, "320102");
    Console::open(&fresh).unwrap().update_field("teams", &own, "size", &json!(8)).unwrap();
    // Raw requests: status and JSON body.
    let post = |token: &str, schema: &str, body: &[u8]| match ureq::post(&format!("{}/v1/push", hub.url))
        .set("authorization", &format!("Bearer {token}"))
        .set("x-yingji-protocol", "1")
        .set("x-yingji-schema", schema)
        .send_bytes(body)
    {
        Ok(r) => (r.status(), r.into_json::<Value>().unwrap()),
        Err(ureq::Error::Status(s, r)) => (s, r.into_json::<Value>().unwrap()),
        Err(e) => panic!("{e}"),
    };
    let schema = yingji_store::LATEST_SCHEMA_VERSION.to_string();
    let (status, body) = post(&revoked, &schema, b"{}");
    assert_eq!((status, body["code"].as_str()), (401, Some("unauthorized")));
    let (status, body) = post(&county_a, &schema, b"{\"batch_id\": ");
    assert_eq!((status, body["code"].as_str()), (400, Some("bad_request")));
    assert!(!body["message_zh"].as_str().unwrap().is_empty());
    let big = vec![b' '; yingji_sync::proto::MAX_BODY_BYTES + 10];
    let (status, body) = post(&county_a, &schema, &big);
    assert_eq!((status, body["code"].as_str()), (413, Some("too_large")));
    let (status, body) = post(&county_a, "999", b"{}");
    assert_eq!((status, body["code"].as_str()), (409, Some("version_mismatch")));
    // Append-only: an update of a ledger entry is refused.
    let bad = json!({"batch_id": "x1", "replica_id": "r", "changes": [{"tbl": "stock_ledger", "id": "l1",
        "region_code": "320102", "hlc": "000000000000001-000000-r", "insert": false, "fields": {"note": "x"}}]});
    let (status, _) = post(&county_a, &schema, bad.to_string().as_bytes());
    assert_eq!(status, 400);
    assert_eq!(hub.log_len(), before, "nothing was written by any refused request");
}

fn a_repeated_batch_is_applied_once_and_answered_the_same(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let store = hub_db(dir.path(), backend);
    let hub = Hub::start(&store, &[]);
    let a = replica(dir.path(), "a.db", true);
    let (item, region) = stock_item(&a);
    let (_, county) = token(&hub.db, &region, "editor");
    Console::open(&a)
        .unwrap()
        .add_ledger_entry(&StockMovement {
            stock_item_id: item,
            entry_kind: "receipt".into(),
            quantity_delta: 5.0,
            note: "once".into(),
        })
        .unwrap();
    let mut store = Store::open(&a).unwrap();
    let batch = yingji_sync::replica::next_batch(&mut store).unwrap().unwrap();
    let client = yingji_sync::client::Client::new(&hub.url, &county);
    let first = client.push(&batch).unwrap();
    let len = hub.log_len();
    let again = client.push(&batch).unwrap();
    assert_eq!(first, again);
    assert_eq!(hub.log_len(), len);
}

/// A clock that runs `offset_s` seconds off the computer's.
struct OffsetClock(i64);

impl Clock for OffsetClock {
    fn now(&self) -> Timestamp {
        yingji_store::SystemClock.now() + time::Duration::seconds(self.0)
    }
}

fn a_replica_whose_clock_is_an_hour_behind_still_wins_with_a_later_edit(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let store = hub_db(dir.path(), backend);
    let hub = Hub::start(&store, &[]);
    let (_, county) = token(&hub.db, "320102", "editor");
    let ahead = replica(dir.path(), "ahead.db", true);
    let behind = replica(dir.path(), "behind.db", true);
    let team = team_of(&ahead, "320102");
    let edit = |db: &Path, offset: i64, value: &str| {
        let clock: Arc<dyn Clock> = Arc::new(OffsetClock(offset));
        let store = Store::open(db).unwrap();
        store.set_capture_clock(clock.clone()).unwrap();
        let mut c = Console::with_store(store, clock).unwrap();
        c.update_field("teams", &team, "contact_name", &json!(value)).unwrap();
    };
    edit(&ahead, 3600, "先");
    sync(&ahead, &hub, &county).unwrap();
    sync(&behind, &hub, &county).unwrap();
    edit(&behind, 0, "后"); // later in real time, an hour earlier by its own clock
    sync(&behind, &hub, &county).unwrap();
    sync(&ahead, &hub, &county).unwrap();
    for db in [&ahead, &behind] {
        assert_eq!(one(db, &format!("SELECT contact_name FROM teams WHERE id = '{team}'")), json!("后"));
        assert_eq!(Console::open(db).unwrap().conflicts().unwrap().len(), 0, "it had seen the other edit");
    }
}

fn a_replica_offline_for_a_week_with_10000_changes_syncs_them_all(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let store = hub_db(dir.path(), backend);
    let hub = Hub::start(&store, &[]);
    let offline = replica(dir.path(), "offline.db", true);
    let other = replica(dir.path(), "other.db", true);
    let (_, region) = stock_item(&offline);
    let (_, county) = token(&hub.db, &region, "editor");
    let (_, city) = token(&hub.db, "320100", "viewer");
    let items: Vec<String> = {
        let store = Store::open(&offline).unwrap();
        let mut stmt = store.conn().prepare("SELECT id FROM stock_items WHERE region_code = ?1 ORDER BY id").unwrap();
        let ids = stmt.query_map([&region], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        ids
    };
    let mut c = Console::open(&offline).unwrap();
    for i in 0..10_000 {
        c.add_ledger_entry(&StockMovement {
            stock_item_id: items[i % items.len()].clone(),
            entry_kind: "receipt".into(),
            quantity_delta: 1.0,
            note: format!("week {i}"),
        })
        .unwrap();
    }
    drop(c);
    let s = sync(&offline, &hub, &county).unwrap();
    assert_eq!(s.pushed_changes, 10_000);
    sync(&other, &hub, &city).unwrap();
    assert_eq!(one(&other, "SELECT count(*) FROM stock_ledger WHERE note LIKE 'week %'"), json!(10_000));
    assert_eq!(dump(&offline, COMPARED, "3201"), dump(&other, COMPARED, "3201"));
}

fn wait_for(path: &Path) {
    let start = std::time::Instant::now();
    while !path.exists() {
        assert!(start.elapsed().as_secs() < 60, "{} never appeared", path.display());
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

fn sync_process(db: &Path, hub: &Hub, token: &str, env: &[(&str, &str)]) -> Child {
    let mut cmd = Command::new(built_binary("yingji"));
    cmd.args(["sync", "--db", db.to_str().unwrap(), "--hub", &hub.url])
        .env("YINGJI_HUB_TOKEN", token)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().unwrap()
}

fn dispatch(db: &Path, item: &str, note: &str) {
    Console::open(db)
        .unwrap()
        .add_ledger_entry(&StockMovement {
            stock_item_id: item.into(),
            entry_kind: "dispatch".into(),
            quantity_delta: -1.0,
            note: note.into(),
        })
        .unwrap();
}

fn kill_9_of_the_hub_inside_a_batch_and_of_the_client_inside_a_push_loses_and_doubles_nothing(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let hub_db = hub_db(dir.path(), backend);
    let a = replica(dir.path(), "a.db", true);
    let (item, region) = stock_item(&a);
    let (_, county) = token(&hub_db.spec, &region, "editor");
    let marker = dir.path().join("paused");
    let m = marker.to_str().unwrap().to_owned();
    let pause = [("YINGJI_HUB_TEST_PAUSE_IN_TX_MS", "3000"), ("YINGJI_HUB_TEST_PAUSE_MARKER", m.as_str())];

    // 1. The hub dies inside the push transaction: nothing of the batch is there after restart.
    dispatch(&a, &item, "hub-killed");
    let mut hub = Hub::start(&hub_db, &pause);
    let mut client = sync_process(&a, &hub, &county, &[]);
    wait_for(&marker);
    hub.child.kill().unwrap(); // SIGKILL
    hub.child.wait().unwrap();
    assert!(!client.wait().unwrap().success());
    assert_eq!(hub_db.count("SELECT count(*) FROM hub_log WHERE change LIKE '%hub-killed%'"), 0);
    drop(hub);
    let hub = Hub::start(&hub_db, &[]);
    sync(&a, &hub, &county).unwrap();
    assert_eq!(hub_db.count("SELECT count(*) FROM hub_log WHERE change LIKE '%hub-killed%'"), 1);
    drop(hub);

    // 2. The client dies while the hub applies its batch: the hub commits, the client resends the
    // same batch after restart and the hub answers it without applying it again.
    std::fs::remove_file(&marker).unwrap();
    dispatch(&a, &item, "client-killed");
    let hub = Hub::start(&hub_db, &pause);
    let mut client = sync_process(&a, &hub, &county, &[]);
    wait_for(&marker);
    client.kill().unwrap();
    client.wait().unwrap();
    let batches = hub_db.count("SELECT count(*) FROM hub_batches");
    sync(&a, &hub, &county).unwrap(); // waits behind the paused transaction, then resends
    assert_eq!(hub_db.count("SELECT count(*) FROM hub_batches"), batches + 1);
    assert_eq!(hub_db.count("SELECT count(*) FROM hub_log WHERE change LIKE '%client-killed%'"), 1);
    assert_eq!(one(&a, "SELECT count(*) FROM stock_ledger WHERE note IN ('hub-killed', 'client-killed')"), json!(2));
    assert_eq!(Console::open(&a).unwrap().sync_status().unwrap().pending_changes, 0);
}

fn kill_9_of_the_client_between_pull_pages_resumes_where_it_stopped(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let store = hub_db(dir.path(), backend);
    let hub = Hub::start(&store, &[]);
    let (_, county) = token(&hub.db, "320102", "viewer");
    let demo = replica(dir.path(), "demo.db", true);
    let empty = replica(dir.path(), "empty.db", false);
    let marker = dir.path().join("page");
    let pause = format!("30000:{}", marker.display());
    let mut client = sync_process(&empty, &hub, &county, &[("YINGJI_SYNC_TEST_PAUSE_AFTER_PAGE", pause.as_str())]);
    wait_for(&marker);
    client.kill().unwrap();
    client.wait().unwrap();
    let cursor = one(&empty, "SELECT value FROM meta WHERE key = 'sync.cursor'");
    assert_ne!(cursor, json!("0"), "the first page and its cursor were committed together");
    let partial = one(&empty, "SELECT count(*) FROM stock_items").as_i64().unwrap();
    let s = sync(&empty, &hub, &county).unwrap();
    assert!(s.pulled_changes > 0);
    assert!(partial < one(&empty, "SELECT count(*) FROM stock_items").as_i64().unwrap());
    assert_eq!(dump(&empty, COMPARED, "3201"), dump(&demo, COMPARED, "3201"));
}

#[test]
fn the_hub_refuses_plain_http_on_a_non_loopback_address() {
    let dir = tempfile::tempdir().unwrap();
    let db = hub_db(dir.path(), Backend::Sqlite);
    let out = yingji(&["hub", "serve", "--db", &db.spec, "--listen", "0.0.0.0:0"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("non-loopback"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn an_https_hub_with_a_self_signed_certificate_is_trusted_only_through_ca() {
    let dir = tempfile::tempdir().unwrap();
    let store = hub_db(dir.path(), Backend::Sqlite);
    let generated = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    let (cert, key) = (dir.path().join("hub.pem"), dir.path().join("hub.key"));
    std::fs::write(&cert, generated.cert.pem()).unwrap();
    std::fs::write(&key, generated.key_pair.serialize_pem()).unwrap();
    let tls = ["--cert", cert.to_str().unwrap(), "--key", key.to_str().unwrap()];
    let hub = Hub::start_with(&store, "127.0.0.1:0", &tls, &[]);
    assert!(hub.url.starts_with("https://127.0.0.1:"), "{}", hub.url);
    let (_, county) = token(&hub.db, "320102", "editor");
    let a = replica(dir.path(), "a.db", true);
    let b = replica(dir.path(), "b.db", true);
    let team = team_of(&a, "320102");
    Console::open(&a).unwrap().update_field("teams", &team, "size", &json!(41)).unwrap();

    // Without the hub's certificate: refused with a clear message, and nothing was sent.
    let before = hub.log_len();
    let err = sync(&a, &hub, &county).unwrap_err();
    assert_eq!(err.code, yingji_api::ErrorCode::SyncUnreachable);
    assert!(err.message_en.contains("does not trust") && err.message_en.contains("--ca"), "{}", err.message_en);
    assert!(err.message_zh.contains("证书不受信任"), "{}", err.message_zh);
    assert_eq!(hub.log_len(), before);
    // Plain HTTP to the HTTPS port gets no answer either.
    let plain = ureq::get(&format!("{}/v1/hello", hub.url.replace("https", "http"))).call();
    assert!(matches!(plain, Err(ureq::Error::Transport(_))), "{plain:?}");

    // With --ca (façade) the push goes through; with YINGJI_HUB_CA (CLI) the other replica pulls it.
    let s = yingji_api::sync_once_with_ca(&a, &hub.url, &county, Some(&cert), None, &mut |_| {}).unwrap();
    assert_eq!(s.pushed_changes, 1);
    let out = Command::new(built_binary("yingji"))
        .args(["sync", "--db", b.to_str().unwrap(), "--hub", &hub.url])
        .env("YINGJI_HUB_TOKEN", &county)
        .env("YINGJI_HUB_CA", &cert)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(one(&b, &format!("SELECT size FROM teams WHERE id = '{team}'")), json!(41));

    // With a certificate the hub may listen on a non-loopback address.
    let wide = Hub::start_with(&store, "0.0.0.0:0", &tls, &[]);
    assert!(wide.url.starts_with("https://0.0.0.0:"), "{}", wide.url);
}

/// `yingji sync` with no DBus session, hence no keychain (`--save-token` when `token` is given).
fn cli_sync_without_keychain(db: &Path, hub: &Hub, token: Option<&str>) -> std::process::Output {
    let mut cmd = Command::new(built_binary("yingji"));
    cmd.args(["sync", "--db", db.to_str().unwrap(), "--hub", &hub.url])
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("DISPLAY")
        .env_remove("YINGJI_HUB_TOKEN")
        .env("YINGJI_LANG", "en");
    if let Some(t) = token {
        cmd.arg("--save-token").env("YINGJI_HUB_TOKEN", t);
    }
    cmd.output().unwrap()
}

#[test]
fn a_saved_token_serves_later_syncs_from_the_keychain_or_a_warned_private_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = hub_db(dir.path(), Backend::Sqlite);
    let hub = Hub::start(&store, &[]);
    let (_, county) = token(&hub.db, "320102", "viewer");
    let never_logged = |out: &std::process::Output| {
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(!all.contains(&county), "the token was printed");
        all
    };

    // No keychain: a 0600 file beside the replica, with a warning.
    let a = replica(dir.path(), "a.db", true);
    let before = cli_sync_without_keychain(&a, &hub, None);
    assert!(!before.status.success(), "no token yet");
    let out = cli_sync_without_keychain(&a, &hub, Some(&county));
    let text = never_logged(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("warning: no OS keychain"), "{text}");
    let file = dir.path().join("a.db.hub-token");
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let later = cli_sync_without_keychain(&a, &hub, None);
    assert!(later.status.success(), "{}", never_logged(&later));

    // An unlocked GNOME Keyring (Secret Service): no file, and the next sync in the same DBus
    // session, without YINGJI_HUB_TOKEN, finds the token there. (Needs the gnome-keyring package.)
    let b = replica(dir.path(), "b.db", true);
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let args = |save: bool| {
        format!(
            "{} sync --db {} --hub {}{}",
            built_binary("yingji").display(),
            b.display(),
            hub.url,
            if save { " --save-token" } else { "" }
        )
    };
    let script = format!(
        "echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 90; {} && \
         env -u YINGJI_HUB_TOKEN {}",
        args(true),
        args(false)
    );
    let out = Command::new("dbus-run-session")
        .args(["--", "bash", "-c", &script])
        .env("HOME", &home)
        .env("YINGJI_LANG", "en")
        .env("YINGJI_HUB_TOKEN", &county)
        .output()
        .unwrap();
    let text = never_logged(&out);
    assert_ne!(out.status.code(), Some(90), "gnome-keyring-daemon is needed for this test: {text}");
    assert!(out.status.success(), "{text}");
    assert!(text.contains("token saved in the OS keychain"), "{text}");
    assert!(!dir.path().join("b.db.hub-token").exists(), "no fallback file when a keychain answers");
}

/// Every protocol test above runs against both hub backends.
/// A stock item with stock on hand in a region whose code starts with `prefix`.
fn stock_item_in(db: &Path, prefix: &str) -> String {
    one(
        db,
        &format!("SELECT id FROM stock_levels WHERE region_code LIKE '{prefix}%' AND quantity > 0 ORDER BY id LIMIT 1"),
    )
    .as_str()
    .unwrap()
    .to_owned()
}

/// Mutual aid: a Nanjing county may draw stock from a warehouse of neighbouring Zhenjiang (its
/// pull scope), not from Suzhou (beyond 100 km), and may not put stock into Zhenjiang's books.
fn a_county_dispatches_from_a_neighbouring_citys_stock_but_not_beyond_its_scope(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let store = hub_db(dir.path(), backend);
    let hub = Hub::start(&store, &[]);
    let (_, county) = token(&hub.db, "320102", "editor");
    let a = replica(dir.path(), "a.db", true);
    let zhenjiang = stock_item_in(&a, "3211");
    dispatch(&a, &zhenjiang, "支援镇江：调出 1");
    let before = hub.log_len();
    sync(&a, &hub, &county).unwrap();
    assert_eq!(hub.log_len(), before + 1, "the dispatch is at the hub");

    let far = replica(dir.path(), "far.db", true);
    dispatch(&far, &stock_item_in(&far, "3205"), "苏州：调出 1");
    let err = sync(&far, &hub, &county).unwrap_err();
    assert_eq!(err.code, yingji_api::ErrorCode::SyncRefused);
    assert!(err.message_en.contains("3205"), "{}", err.message_en);

    let receipt = replica(dir.path(), "receipt.db", true);
    Console::open(&receipt)
        .unwrap()
        .add_ledger_entry(&StockMovement {
            stock_item_id: stock_item_in(&receipt, "3211"),
            entry_kind: "receipt".into(),
            quantity_delta: 5.0,
            note: "入库到镇江".into(),
        })
        .unwrap();
    assert_eq!(sync(&receipt, &hub, &county).unwrap_err().code, yingji_api::ErrorCode::SyncRefused);
    assert_eq!(hub.log_len(), before + 1, "nothing else was written");
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $name() { super::$name(super::Backend::Sqlite) })*
        }
        mod postgres {
            $(#[test] fn $name() { super::$name(super::Backend::Postgres) })*
        }
    };
}

on_both_backends!(
    two_replicas_converge_and_a_concurrent_edit_is_listed_as_a_conflict,
    a_county_dispatches_from_a_neighbouring_citys_stock_but_not_beyond_its_scope,
    dispatching_more_than_there_was_is_flagged_on_both_sides_and_each_entry_exists_once,
    an_empty_replica_pulls_its_scope_and_a_demo_replica_pulls_nothing,
    out_of_scope_revoked_malformed_oversized_and_mismatched_requests_are_refused_and_write_nothing,
    a_repeated_batch_is_applied_once_and_answered_the_same,
    a_replica_whose_clock_is_an_hour_behind_still_wins_with_a_later_edit,
    a_replica_offline_for_a_week_with_10000_changes_syncs_them_all,
    kill_9_of_the_hub_inside_a_batch_and_of_the_client_inside_a_push_loses_and_doubles_nothing,
    kill_9_of_the_client_between_pull_pages_resumes_where_it_stopped,
);
