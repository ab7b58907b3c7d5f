//! A tabletop drill scripted through the CLI, as a facilitator and players would run it: the
//! short canal scenario started from a demo replica at ×60 (one real second = one drill
//! minute), player actions through `yingji incident …` on the drill database, a pause, the run
//! to the end, the evaluation's figures, its PDF, and replay at a chosen time. Then sync refuses
//! to mix a drill with real data, against a real hub process.

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
    thread::sleep,
    time::{Duration, Instant},
};

use serde_json::Value;
use yingji_tests::built_binary;

fn yingji(db: &Path, args: &[&str]) -> Output {
    Command::new(built_binary("yingji"))
        .args(args)
        .env("YINGJI_LANG", "en")
        .env("YINGJI_DB", db)
        .env("YINGJI_AUTHOR", "指挥长 李明")
        .output()
        .unwrap()
}

fn json(out: Output) -> Value {
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn demo(dir: &Path) -> PathBuf {
    let db = dir.join("demo.db");
    let out = Command::new(built_binary("yingji")).args(["init", "--demo", db.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    db
}

fn scenario() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("drills/short-canal.json")
}

/// Sleeps until the drill clock (×60 from `t0`) reaches drill minute `min`.
fn until_minute(t0: Instant, min: u64) {
    let target = t0 + Duration::from_secs(min);
    if let Some(d) = target.checked_duration_since(Instant::now()) {
        sleep(d);
    }
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

#[test]
fn a_short_drill_at_x60_from_start_to_evaluation() {
    let dir = tempfile::tempdir().unwrap();
    let replica = demo(dir.path());
    let db = dir.path().join("drill.db");
    let scenario = scenario();
    let started = json(yingji(
        &db,
        &["drill", "start", scenario.to_str().unwrap(), "--from", replica.to_str().unwrap(), "--speed", "60"],
    ));
    let mut t0 = Instant::now();
    let incident = s(&started["incident_id"]).to_owned();
    assert_eq!(started["clock"]["speed"], 60);
    assert_eq!(started["clock"]["drill_start_at"], "2027-01-14T18:00:00Z");
    // Starting again over the same file is refused; the replica stays a real one.
    let again = yingji(&db, &["drill", "start", scenario.to_str().unwrap(), "--from", replica.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(json(yingji(&replica, &["incident", "list"])).as_array().unwrap().len(), 0);
    let inc = json(yingji(&db, &["incident", "show", &incident]));
    assert_eq!(inc["incident"]["exercise"], true);

    // Minute 8: a decision after the reading at minute 5.
    until_minute(t0, 8);
    let e = json(yingji(
        &db,
        &["incident", "log", &incident, "--kind", "decision", "--body", "启动三级响应，通知下游水厂"],
    ));
    let logged_min = minute_of(s(&e["recorded_at"]));
    assert!((7..=11).contains(&logged_min), "logged at drill minute {logged_min}");
    // Minute 18: the initial report saved and sent.
    until_minute(t0, 18);
    let r = json(yingji(&db, &["incident", "report", "save", &incident, "--kind", "initial"]));
    json(yingji(&db, &["incident", "report", "mark", s(&r["id"]), "--status", "sent"]));
    // The facilitator pauses: the drill time stands still for two real seconds.
    let paused = json(yingji(&db, &["drill", "clock", "pause", "--by", "导调 张华"]));
    let paused_at = Instant::now();
    assert_eq!(paused["running"], false);
    sleep(Duration::from_secs(2));
    let still = json(yingji(&db, &["drill", "clock"]));
    assert_eq!(still["drill_now"], paused["drill_now"], "paused: the clock stands");
    let resumed = json(yingji(&db, &["drill", "clock", "resume", "--by", "导调 张华"]));
    assert_eq!(resumed["running"], true);
    t0 += Instant::now() - paused_at; // the drill clock lost the paused real time
    let bad = yingji(&db, &["drill", "clock", "speed", "61", "--by", "导调"]);
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("×1 to ×60"));
    // Minute 36: the jammed gate at 淮安水利枢纽 (inject at 30) is closed by hand.
    until_minute(t0, 36);
    json(yingji(&db, &["incident", "gate", &incident, "--work", "淮安水利枢纽", "--note", "手动关闭 2 号闸门"]));
    // Injects so far: the three due, the fourth (minute 45) not yet.
    let status = json(yingji(&db, &["drill", "status"]));
    let delivered: Vec<bool> = status["injects"].as_array().unwrap().iter().map(|i| i["delivered"] == true).collect();
    assert_eq!(delivered, [true, true, true, false]);
    // To the end (minute 60) and a little past it: the clock stops there.
    until_minute(t0, 62);
    let end = json(yingji(&db, &["drill", "status"]));
    assert_eq!(end["clock"]["ended"], true);
    assert_eq!(end["clock"]["drill_now"], "2027-01-14T19:00:00Z");
    assert!(end["injects"].as_array().unwrap().iter().all(|i| i["delivered"] == true));

    let pdf = dir.path().join("evaluation.pdf");
    let ev = json(yingji(&db, &["drill", "evaluate", "--pdf", pdf.to_str().unwrap()]));
    let f = &ev["first_report"];
    assert_eq!(f["tier"], "larger");
    assert_eq!(f["deadline_min"], 240.0);
    assert_eq!(f["met"], true);
    let sent = f["sent_min"].as_f64().unwrap();
    assert!((17.0..=22.0).contains(&sent), "sent {sent} min after the alarm");
    let gate = ev["gates"].as_array().unwrap().iter().find(|g| g["name"] == "淮安水利枢纽").expect("gate figure");
    assert_eq!(gate["needed"], true);
    let closed = gate["closed_min"].as_f64().unwrap();
    assert!((45.0..=49.0).contains(&closed), "closed {closed} min after the release");
    assert!(gate["plume_arrival_min"].as_f64().unwrap() > 0.0);
    assert_eq!((ev["teams_called"].as_u64(), ev["teams_needed"].as_u64()), (Some(0), Some(2)));
    let outcomes: Vec<&str> = ev["injects"].as_array().unwrap().iter().map(|i| s(&i["outcome"])).collect();
    assert_eq!(outcomes, ["met", "met", "met", "missed"]);
    assert_eq!(ev["injects_missed"], 1);
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"), "a PDF");

    // Replay at minute 12: the decision, not yet the report or the gate.
    let at = json(yingji(&db, &["drill", "replay", "--at", "2027-01-15T02:12:00+08:00"]));
    let kinds: Vec<&str> = at["detail"]["log"].as_array().unwrap().iter().map(|e| s(&e["kind"])).collect();
    assert_eq!(kinds, ["alarm", "decision"]);
    assert!(at["detail"]["reports"].as_array().unwrap().is_empty());
    assert!(at["gates_closed"].as_array().unwrap().is_empty());
    assert_eq!(at["injects_delivered"].as_array().unwrap().len(), 1);
    let late = json(yingji(&db, &["drill", "replay", "--at", "2027-01-15T03:00:00+08:00"]));
    assert_eq!(late["detail"]["reports"][0]["status"], "sent");
    assert_eq!(late["gates_closed"][0], "淮安水利枢纽");
}

/// Drill minute of a drill-time stamp (the short scenario starts at 18:00 UTC).
fn minute_of(t: &str) -> i64 {
    let hm = &t[11..16];
    let (h, m): (i64, i64) = (hm[..2].parse().unwrap(), hm[3..].parse().unwrap());
    (h - 18) * 60 + m
}

struct Hub(std::process::Child, String);

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn hub(dir: &Path, name: &str, drill: bool) -> (Hub, String) {
    let spec = dir.join(name);
    let mut args = vec!["hub", "init", "--demo", spec.to_str().unwrap()];
    if drill {
        args.push("--drill");
    }
    let out = Command::new(built_binary("yingji")).args(&args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = Command::new(built_binary("yingji"))
        .args(["hub", "token", "issue", "--db", spec.to_str().unwrap(), "--region", "320800", "--role", "editor"])
        .output()
        .unwrap();
    let token: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut child = Command::new(built_binary("yingji"))
        .args(["hub", "serve", "--db", spec.to_str().unwrap(), "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(!line.trim().is_empty(), "hub did not start");
    (Hub(child, format!("http://{}", line.trim())), s(&token["token"]).to_owned())
}

fn sync(db: &Path, hub: &Hub, token: &str) -> Output {
    Command::new(built_binary("yingji"))
        .args(["sync", "--db", db.to_str().unwrap(), "--hub", &hub.1])
        .env("YINGJI_HUB_TOKEN", token)
        .env("YINGJI_LANG", "en")
        .output()
        .unwrap()
}

#[test]
fn sync_never_pairs_a_drill_with_real_data() {
    let dir = tempfile::tempdir().unwrap();
    let replica = demo(dir.path());
    let db = dir.path().join("drill.db");
    json(yingji(
        &db,
        &["drill", "start", scenario().to_str().unwrap(), "--from", replica.to_str().unwrap(), "--paused"],
    ));
    let (real_hub, real_token) = hub(dir.path(), "real-hub.db", false);
    let (drill_hub, drill_token) = hub(dir.path(), "drill-hub.db", true);
    let out = sync(&db, &real_hub, &real_token);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("drill syncs only with a drill hub"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = sync(&replica, &drill_hub, &drill_token);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("real data never syncs with a drill"));
    // A drill with its drill hub syncs: the drill, its incident and its clock reach the hub.
    let out = sync(&db, &drill_hub, &drill_token);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let hub_db = rusqlite::Connection::open(dir.path().join("drill-hub.db")).unwrap();
    let n: i64 = hub_db
        .query_row("SELECT count(*) FROM hub_rows WHERE tbl IN ('drills', 'drill_events', 'incidents')", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(n, 3, "the drill row, its start event and the incident");
}

/// The ready scenarios are built into the program: listed without a folder (from any working
/// directory) and started by their `builtin:` name.
#[test]
fn the_built_in_scenarios_list_and_start_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let replica = demo(dir.path());
    let out = Command::new(built_binary("yingji"))
        .args(["drill", "scenarios"])
        .current_dir(dir.path())
        .env("YINGJI_LANG", "en")
        .output()
        .unwrap();
    let list = json(out);
    let paths: Vec<&str> = list.as_array().unwrap().iter().map(|x| s(&x["path"])).collect();
    assert_eq!(
        paths,
        [
            "builtin:grand-canal-benzene-tanker.json",
            "builtin:nanjing-chlorine-release.json",
            "builtin:yangtze-fire-water-yizheng.json"
        ]
    );
    assert!(list.as_array().unwrap().iter().all(|x| x["error"].is_null() && x["user"] == false));
    let db = dir.path().join("drill.db");
    let started = json(yingji(
        &db,
        &[
            "drill",
            "start",
            "builtin:nanjing-chlorine-release.json",
            "--from",
            replica.to_str().unwrap(),
            "--paused",
            "--by",
            "导调",
        ],
    ));
    assert_eq!(started["title"], list[1]["title"]);
    let bad =
        yingji(&db, &["drill", "start", "builtin:nope.json", "--from", replica.to_str().unwrap(), "--by", "导调"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no built-in scenario nope.json"));
}
