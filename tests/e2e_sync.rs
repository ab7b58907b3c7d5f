//! Sync as the window shows it: a replica started with a hub syncs in the background, the
//! footer says online with nothing waiting; with the hub gone an edit waits, the footer says
//! offline, and the sync panel says why and that nothing is lost.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
};

use serde_json::{json, Value};
use yingji_api::{Console, ResourceKind, ResourceQuery};
use yingji_tests::{built_binary, target_dir, webdriver::Driver};

fn yingji(args: &[&str]) -> std::process::Output {
    Command::new(built_binary("yingji")).args(args).env("YINGJI_LANG", "en").output().unwrap()
}

#[test]
fn the_footer_follows_the_hub_online_then_offline_and_keeps_the_edit() {
    let app = built_binary("yingji-desktop");
    let dir = tempfile::tempdir().unwrap();
    let hub_db = dir.path().join("hub.db");
    let out = yingji(&["hub", "init", "--demo", hub_db.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out =
        yingji(&["hub", "token", "issue", "--db", hub_db.to_str().unwrap(), "--region", "320115", "--role", "editor"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let issued: Value = serde_json::from_slice(&out.stdout).unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, issued["token"].as_str().unwrap()).unwrap();
    let mut hub = Command::new(built_binary("yingji"))
        .args(["hub", "serve", "--db", hub_db.to_str().unwrap(), "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut addr = String::new();
    BufReader::new(hub.stdout.take().unwrap()).read_line(&mut addr).unwrap();
    let url = format!("http://{}", addr.trim());

    let db = dir.path().join("county.db");
    yingji_api::init(&db, true, 2026).unwrap();
    // A team of the county this device belongs to (江宁区, 320115).
    let team = Console::open(&db)
        .unwrap()
        .list_resources(&ResourceQuery {
            kind: ResourceKind::Team,
            text: None,
            region_code: Some("320115".into()),
            subtype: None,
            offset: 0,
            limit: 1,
        })
        .unwrap()
        .items
        .remove(0);

    let driver = Driver::start(dir.path());
    let s = driver.session(
        &app,
        &["--db", db.to_str().unwrap(), "--hub", &url, "--hub-token-file", token_file.to_str().unwrap()],
    );
    s.wait_for("the start page", "return document.body.dataset.ready === 'true'", json!([]));
    s.wait_for(
        "the footer to say online",
        "const b = document.querySelector('[data-testid=sync-badge]'); return b && b.dataset.online === 'true'",
        json!([]),
    );

    // The hub goes away; an edit made now waits in the replica.
    let _ = hub.kill();
    let _ = hub.wait();
    let mut console = Console::open(&db).unwrap();
    console.update_field("teams", &team.id, "contact_phone", &json!("025-5210-0000")).unwrap();
    let pending = console.sync_status().unwrap().pending_changes;
    assert!(pending >= 1, "the edit waits to go up");
    drop(console);

    let badge = s.find("[data-testid=sync-badge]");
    s.click(&badge);
    s.wait_for("the sync panel", "return document.querySelector('[data-testid=sync-title]') !== null", json!([]));
    // By script: the panel is redrawn as the state changes, so a found element may be stale.
    s.script("document.querySelector('[data-testid=sync-now]').click(); return true", json!([]));
    s.wait_for(
        "the footer to say offline",
        "const b = document.querySelector('[data-testid=sync-badge]'); return b && b.dataset.online === 'false'",
        json!([]),
    );
    let error = s.wait_for(
        "why the sync failed",
        "const e = document.querySelector('[data-testid=sync-error]'); return e ? e.textContent : ''",
        json!([]),
    );
    let error = error.as_str().unwrap().to_owned();
    assert!(error.contains("上次同步失败") && error.contains("不会丢失"), "{error}");
    let footer = s.text(&s.find("[data-testid=sync-badge]"));
    assert!(footer.contains("离线") && footer.contains(&format!("待上传 {pending}")), "{footer}");
    let shots = target_dir().join("e2e-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    s.screenshot(&shots.join("sync-offline.png"));
}
