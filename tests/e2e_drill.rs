//! A tabletop drill in the real window: the short canal scenario started from the drill page,
//! run at ×60 to its end while players act through the CLI on the same drill database (the
//! incident screens are another module's), then the evaluation page shows the figures and the
//! replay timeline shows the state of a chosen drill minute.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use serde_json::{json, Value};
use yingji_tests::{built_binary, target_dir, webdriver::Driver};

/// Runs `yingji` on the drill database as a player would; its JSON output.
pub(crate) fn yingji(db: &Path, args: &[&str]) -> Value {
    let out = Command::new(built_binary("yingji"))
        .args(args)
        .env("YINGJI_LANG", "en")
        .env("YINGJI_DB", db)
        .env("YINGJI_AUTHOR", "指挥长 李明")
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Waits (polling the CLI) until the drill clock reaches drill minute `min`; the clock then.
pub(crate) fn until_minute(db: &Path, min: f64) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let c = yingji(db, &["drill", "clock"]);
        if c["elapsed_min"].as_f64().unwrap() >= min || c["ended"] == true {
            return c;
        }
        assert!(std::time::Instant::now() < deadline, "the drill clock does not reach minute {min}: {c}");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// The drill database the window made in `dir/drills`.
pub(crate) fn drill_db(dir: &Path) -> PathBuf {
    let drills = dir.join("drills");
    std::fs::read_dir(&drills)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "db"))
        .expect("the window made a drill database")
}

#[test]
fn a_short_drill_at_x60_in_the_window_then_evaluation_and_replay() {
    let app = built_binary("yingji-desktop");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    yingji_api::init(&db, true, 2026).unwrap();
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("drills");
    let shots = target_dir().join("e2e-screenshots");
    std::fs::create_dir_all(&shots).unwrap();

    let driver = Driver::start(dir.path());
    let s = driver.session(&app, &["--db", db.to_str().unwrap(), "--drills", scenarios.to_str().unwrap()]);
    s.wait_for("the start page", "return document.body.dataset.ready === 'true'", json!([]));
    assert_eq!(s.script("return document.querySelector('[data-testid=drill-banner]').hidden", json!([])), json!(true));
    s.script("document.querySelector('[data-testid=nav-drill]').click(); return true", json!([]));
    s.wait_for("the scenario list", "return document.querySelector('[data-testid=drill-start-0]') !== null", json!([]));
    s.script(
        "const v = document.querySelector('[data-testid=drill-start-speed]'); v.value = '60';
         v.dispatchEvent(new Event('change')); document.querySelector('[data-testid=drill-start-0]').click(); return true",
        json!([]),
    );
    s.wait_for(
        "the drill banner",
        "const b = document.querySelector('[data-testid=drill-banner]'); return b && !b.hidden && b.dataset.state === 'running'",
        json!([]),
    );
    let drill = drill_db(dir.path());
    let status = yingji(&drill, &["drill", "status"]);
    let incident = status["incident_id"].as_str().unwrap().to_owned();
    assert_eq!(status["clock"]["speed"], 60);
    assert_eq!(yingji(&drill, &["incident", "show", &incident])["incident"]["exercise"], true);

    // The players act (the CLI on the same drill database) while the window runs the clock.
    until_minute(&drill, 8.0);
    yingji(&drill, &["incident", "log", &incident, "--kind", "decision", "--body", "启动三级响应，通知下游水厂"]);
    until_minute(&drill, 18.0);
    let r = yingji(&drill, &["incident", "report", "save", &incident, "--kind", "initial"]);
    yingji(&drill, &["incident", "report", "mark", r["id"].as_str().unwrap(), "--status", "sent"]);
    until_minute(&drill, 22.0);
    // The facilitator bar: the clock and the injects delivered so far.
    let delivered = s.wait_for(
        "two injects in the feed",
        "const n = document.querySelectorAll('[data-testid=drill-feed] tr.delivered').length; return n >= 2 ? n : null",
        json!([]),
    );
    assert_eq!(delivered, json!(2));
    s.screenshot(&shots.join("drill-facilitator.png"));
    until_minute(&drill, 36.0);
    yingji(&drill, &["incident", "gate", &incident, "--work", "淮安水利枢纽"]);
    // The banner is on every screen: the start page too.
    s.script("document.querySelector('[data-testid=nav-overview]').click(); return true", json!([]));
    let banner = s.text(&s.find("[data-testid=drill-banner]"));
    assert!(banner.contains("演练模式") && banner.contains("×60"), "{banner}");
    s.screenshot(&shots.join("drill-banner-overview.png"));

    // Run to the end.
    until_minute(&drill, 60.0);
    s.wait_for(
        "the drill to end",
        "return document.querySelector('[data-testid=drill-banner]').dataset.state === 'ended'",
        json!([]),
    );
    s.script("document.querySelector('[data-testid=nav-drill]').click(); return true", json!([]));
    s.wait_for(
        "the drill page",
        "return document.querySelector('[data-testid=drill-tab-evaluation]') !== null",
        json!([]),
    );
    s.script("document.querySelector('[data-testid=drill-tab-evaluation]').click(); return true", json!([]));
    let outcomes = s.wait_for(
        "the evaluation's injects",
        "const rows = [...document.querySelectorAll('[data-testid=drill-eval-injects] tbody tr')];
         return rows.length === 4 ? rows.map(r => r.dataset.outcome) : null",
        json!([]),
    );
    assert_eq!(outcomes, json!(["met", "met", "met", "missed"]));
    let first = s.text(&s.find("[data-testid=drill-eval-first-report]"));
    assert!(first.contains("按时") && first.contains("240"), "{first}");
    let gates = s.text(&s.find("[data-testid=drill-eval-gates]"));
    assert!(gates.contains("淮安水利枢纽") && gates.contains("须关闭"), "{gates}");
    let resources = s.text(&s.find("[data-testid=drill-eval-resources]"));
    assert!(resources.contains("0 / 2"), "{resources}");
    s.script("document.querySelector('[data-testid=drill-eval-pdf]').click(); return true", json!([]));
    let pdf = s.wait_for(
        "the PDF's path",
        "const p = document.querySelector('[data-testid=drill-eval-pdf-path]'); return p ? p.textContent : null",
        json!([]),
    );
    let pdf = pdf.as_str().unwrap().split('：').nth(1).unwrap().trim().to_owned();
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"), "{pdf}");
    std::fs::copy(&pdf, shots.join("drill-evaluation.pdf")).unwrap();
    s.screenshot(&shots.join("drill-evaluation.png"));

    // Replay at minute 12: the decision, not yet the report or the gate; at 50 the gate is shut.
    s.script("document.querySelector('[data-testid=drill-tab-replay]').click(); return true", json!([]));
    s.wait_for(
        "the timeline",
        "return document.querySelector('[data-testid=drill-replay-slider]') !== null",
        json!([]),
    );
    let set = "const r = document.querySelector('[data-testid=drill-replay-slider]'); r.value = String(arguments[0]);
               r.dispatchEvent(new Event('input')); return true";
    s.script(set, json!([12]));
    let rows = s.wait_for(
        "the state at minute 12",
        "const at = document.querySelector('[data-testid=drill-replay-at]').textContent;
         const log = document.querySelectorAll('[data-testid=drill-replay-log] tr').length;
         return at.includes('第 12 分钟') && log > 0 ? log : null",
        json!([]),
    );
    assert_eq!(rows, json!(2), "alarm and decision");
    assert_eq!(
        s.script("return document.querySelector('[data-testid=drill-replay-reports]') === null", json!([])),
        json!(true)
    );
    s.screenshot(&shots.join("drill-replay-12.png"));
    s.script(set, json!([50]));
    let gates = s.wait_for(
        "the state at minute 50",
        "const g = document.querySelector('[data-testid=drill-replay-gates]'); return g ? g.textContent : null",
        json!([]),
    );
    assert!(gates.as_str().unwrap().contains("淮安水利枢纽"));
    s.screenshot(&shots.join("drill-replay-50.png"));
}
