//! Issue 6's "done when": one incident walked in the real window from alarm to closing with the
//! network cut (no hub reachable), then synced to a hub on loopback, and a PROVINCE replica
//! synced from the hub shows it with all its reports and its log.
//!
//! The device is a city's (淮安市, 320800, editor): it may write its own counties' records,
//! including the stock ledger of its own warehouses. (A material taken from another city's
//! warehouse would make the hub refuse the whole batch: see the report of this branch.)

use std::{
    io::{BufRead, BufReader},
    net::TcpListener,
    path::Path,
    process::{Command, Stdio},
};

use serde_json::{json, Value};
use yingji_api::{Console, NearQuery, ResourceKind, RiverSpillRequest};
use yingji_tests::{built_binary, target_dir, webdriver::Driver};

const CITY: &str = "320800";

fn yingji(args: &[&str]) -> std::process::Output {
    Command::new(built_binary("yingji")).args(args).env("YINGJI_LANG", "en").output().unwrap()
}

fn ok_json(out: std::process::Output) -> Value {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn token(hub_db: &Path, region: &str, role: &str, file: &Path) {
    let issued = ok_json(yingji(&[
        "hub",
        "token",
        "issue",
        "--db",
        hub_db.to_str().unwrap(),
        "--region",
        region,
        "--role",
        role,
    ]));
    std::fs::write(file, issued["token"].as_str().unwrap()).unwrap();
}

/// A risk source of the city next to the Grand Canal whose 5 t benzene spill reaches a
/// drinking-water intake above the GB 3838 limit (0.01 mg/L): the fixture, found through the
/// façade's read-only river model (nothing is saved).
fn pick_risk_source(db: &Path) -> (String, String, String) {
    let c = Console::open(db).unwrap();
    let near = c
        .near(&NearQuery {
            lat: 33.64,
            lon: 118.87,
            radius_km: 40.0,
            kinds: vec!["risk_source".into()],
            nearest: None,
            per_kind: Some(80),
        })
        .unwrap();
    for it in &near.groups[0].items {
        let d = c.resource_detail(ResourceKind::RiskSource, &it.item_id).unwrap();
        if !d.region_code.starts_with(&CITY[..4]) {
            continue;
        }
        let req = RiverSpillRequest {
            lat: d.lat.unwrap(),
            lon: d.lon.unwrap(),
            mass_kg: 5_000.0,
            threshold_mg_l: 0.01,
            decay_per_s: 0.0,
            duration_s: None,
        };
        if c.river_spill(&req).is_ok_and(|x| !x.affected_intakes.is_empty()) {
            return (d.id, d.name, d.region_code);
        }
    }
    panic!("no risk source of {CITY} by the canal whose spill reaches an intake");
}

#[test]
fn one_incident_from_alarm_to_closing_offline_then_synced_to_the_province() {
    let app = built_binary("yingji-desktop");
    let dir = tempfile::tempdir().unwrap();
    let shots = target_dir().join("e2e-screenshots");
    std::fs::create_dir_all(&shots).unwrap();

    // The hub and its tokens exist, but the hub is not running while the incident is worked:
    // the window is offline (and the test namespace has only loopback).
    let hub_db = dir.path().join("hub.db");
    let out = yingji(&["hub", "init", "--demo", hub_db.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let city_token = dir.path().join("city.token");
    let province_token = dir.path().join("province.token");
    token(&hub_db, CITY, "editor", &city_token);
    token(&hub_db, "320000", "viewer", &province_token);
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");

    let db = dir.path().join("city.db");
    yingji_api::init(&db, true, 2026).unwrap();
    let (source_id, source_name, source_region) = pick_risk_source(&db);

    let driver = Driver::start(dir.path());
    let s = driver.session(
        &app,
        &["--db", db.to_str().unwrap(), "--hub", &url, "--hub-token-file", city_token.to_str().unwrap()],
    );
    s.wait_for("the start page", "return document.body.dataset.ready === 'true'", json!([]));
    s.wait_for(
        "the footer to say offline",
        "const b = document.querySelector('[data-testid=sync-badge]'); return b && b.dataset.online === 'false'",
        json!([]),
    );

    // ---- alarm, from the risk source's detail view ----
    s.click(&s.find("[data-testid=nav-risk_source]"));
    s.wait_for("the risk source list", "return document.querySelector('[data-testid=filter-text]')", json!([]));
    s.type_into(&s.find("[data-testid=filter-text]"), &source_name);
    s.wait_for(
        "the risk source among the rows",
        "return [...document.querySelectorAll('[data-testid=result-row]')].some(r => r.dataset.id === arguments[0])",
        json!([source_id]),
    );
    s.script(
        "document.querySelector(`[data-testid=result-row][data-id=\"${arguments[0]}\"]`).click(); return true",
        json!([source_id]),
    );
    s.wait_for("the alarm button", "return document.querySelector('[data-testid=detail-alarm]')", json!([]));
    s.script("document.querySelector('[data-testid=detail-alarm]').click(); return true", json!([]));
    s.wait_for("the alarm form", "return document.querySelector('[data-testid=alarm-form]')", json!([]));
    let operator = s.find("[data-testid=inc-operator]");
    s.type_into(&operator, "指挥长 李明");
    s.script(
        "document.querySelector('[data-testid=inc-operator]').dispatchEvent(new Event('change')); return true",
        json!([]),
    );
    let prefilled = s.script("return document.querySelector('[data-testid=alarm-lat]').value", json!([]));
    assert!(!prefilled.as_str().unwrap().is_empty(), "the position comes from the risk source");
    s.type_into(&s.find("[data-testid=alarm-reporter]"), "值班员 王伟");
    s.type_into(&s.find("[data-testid=alarm-source]"), "储罐出料阀破裂，物料经雨水管网入江");
    s.script("document.querySelector('[data-testid=alarm-exercise]').click(); return true", json!([]));
    // Benzene from the chemical library, 5 000 kg.
    s.type_into(&s.find("[data-testid=alarm-chem-search]"), "苯");
    s.wait_for(
        "benzene in the library hits",
        "return document.querySelector('[data-testid=alarm-chem-hit][data-cas=\"71-43-2\"]')",
        json!([]),
    );
    s.script(
        "document.querySelector('[data-testid=alarm-chem-hit][data-cas=\"71-43-2\"]').click(); \
         const rows = [...document.querySelectorAll('[data-testid=alarm-pollutant]')]; \
         const row = rows.find(r => r.children[1].textContent === '71-43-2'); \
         const q = row.querySelector('[data-testid=alarm-qty]'); q.value = '5000'; return true",
        json!([]),
    );
    s.screenshot(&shots.join("incident-alarm.png"));
    s.script("document.querySelector('[data-testid=alarm-submit]').click(); return true", json!([]));

    // The incident opens with the river model's result: intakes and arrival times.
    let id = s.wait_for(
        "the new incident with its river model",
        "const h = document.querySelector('[data-testid=inc-head]'); \
         return h && document.querySelector('[data-testid=inc-model-river]') ? h.dataset.id : null",
        json!([]),
    );
    let id = id.as_str().unwrap().to_owned();
    let intakes = s.script("return document.querySelectorAll('[data-testid=inc-intake]').length", json!([]));
    assert!(intakes.as_u64().unwrap() >= 1, "the affected intakes are listed");
    let arrival = s.text(&s.find("[data-testid=inc-intake] td.strong"));
    assert!(arrival.contains("min") || arrival.contains(" h "), "an arrival time: {arrival}");
    s.wait_for(
        "nearby resources",
        "return document.querySelectorAll('[data-testid=inc-near] .near-group').length",
        json!([]),
    );
    s.screenshot(&shots.join("incident-overview.png"));

    // ---- severity: 6 000 evacuated → 较大; the commander confirms; the deadline counts down ----
    s.script("document.querySelector('[data-testid=inc-tab-severity]').click(); return true", json!([]));
    let evacuated = s.find("[data-testid=sev-evacuated]");
    s.script("document.querySelector('[data-testid=sev-evacuated]').value = ''; return true", json!([]));
    s.type_into(&evacuated, "6000");
    s.script("document.querySelector('[data-testid=sev-suggest]').click(); return true", json!([]));
    let tier = s.wait_for(
        "the suggested tier",
        "return document.querySelector('[data-testid=sev-suggestion]')?.dataset.tier",
        json!([]),
    );
    assert_eq!(tier, json!("larger"));
    s.script("document.querySelector('[data-testid=sev-confirm]').click(); return true", json!([]));
    s.wait_for("the confirmed tier", "return document.querySelector('[data-testid=inc-tier]')", json!([]));
    let left = s.wait_for(
        "a running countdown",
        "const d = document.querySelector('[data-testid=deadline] [data-due]'); return d ? d.textContent : null",
        json!([]),
    );
    // 4 h for 较大, just started: between 3:50:00 and 4:00:00 left (4:00:00 before the first tick).
    let left = left.as_str().unwrap();
    let hms: Vec<u64> = left.rsplit(' ').next().unwrap_or("").split(':').filter_map(|p| p.parse().ok()).collect();
    assert_eq!(hms.len(), 3, "{left}");
    let secs = hms[0] * 3600 + hms[1] * 60 + hms[2];
    assert!(
        left.contains("剩余") && (3 * 3600 + 50 * 60..=4 * 3600).contains(&secs),
        "4 h for 较大, just started: {left}"
    );

    // ---- the command log: an entry, then its correction ----
    s.script("document.querySelector('[data-testid=inc-tab-log]').click(); return true", json!([]));
    s.type_into(&s.find("[data-testid=log-body]"), "决定关闭下游 2 号取水口");
    s.script("document.querySelector('[data-testid=log-add]').click(); return true", json!([]));
    s.wait_for(
        "the decision in the log",
        "return [...document.querySelectorAll('[data-testid=log-entry][data-kind=decision]')].length === 1",
        json!([]),
    );
    s.script(
        "document.querySelector('[data-testid=log-entry][data-kind=decision] [data-testid=log-correct]').click(); return true",
        json!([]),
    );
    s.wait_for("the correction form", "return document.querySelector('[data-testid=log-correcting]')", json!([]));
    s.type_into(&s.find("[data-testid=log-body]"), "更正：关闭下游 3 号取水口");
    s.script("document.querySelector('[data-testid=log-add]').click(); return true", json!([]));
    s.wait_for(
        "the correction in the log, the entry kept",
        "return document.querySelector('[data-testid=log-entry][data-kind=correction]') && \
                document.querySelector('[data-testid=log-entry][data-kind=decision].corrected')",
        json!([]),
    );
    s.screenshot(&shots.join("incident-log.png"));

    // ---- support: a team ordered out (then on scene), an expert called ----
    s.script("document.querySelector('[data-testid=inc-tab-support]').click(); return true", json!([]));
    s.wait_for("ranked teams", "return document.querySelector('[data-testid=support-row-team]')", json!([]));
    s.wait_for("ranked experts", "return document.querySelector('[data-testid=support-row-expert]')", json!([]));
    s.script(
        "const row = document.querySelector('[data-testid=support-row-team]'); \
         row.querySelector('[data-task]').value = '下游 3 km 布设拦截坝并投加活性炭'; \
         row.querySelector('[data-testid=order-team]').click(); return true",
        json!([]),
    );
    s.wait_for("the order", "return document.querySelector('[data-testid=order-row]')", json!([]));
    s.script(
        "const sel = document.querySelector('[data-testid=order-status]'); sel.value = 'on_scene'; \
         sel.dispatchEvent(new Event('change')); return true",
        json!([]),
    );
    s.wait_for(
        "the team on scene",
        "return document.querySelector('[data-testid=order-row][data-status=on_scene]')",
        json!([]),
    );
    s.script(
        "document.querySelector('[data-testid=support-row-expert] [data-testid=call-accepted]').click(); return true",
        json!([]),
    );
    s.wait_for(
        "the expert's call",
        "return document.querySelector('[data-testid=call-row][data-answer=accepted]')",
        json!([]),
    );

    // ---- materials: activated carbon from the city's own nearest warehouse; it arrives ----
    let console = Console::open(&db).unwrap();
    let candidates = console.dispatch_candidates(&id, "活性炭").unwrap();
    let mine = candidates
        .iter()
        .find(|c| {
            console
                .resource_detail(ResourceKind::StockItem, &c.stock_item_id)
                .unwrap()
                .region_code
                .starts_with(&CITY[..4])
                && c.quantity >= 2.0
        })
        .expect("activated carbon in a warehouse of the city")
        .clone();
    drop(console);
    s.script("document.querySelector('[data-testid=inc-tab-materials]').click(); return true", json!([]));
    s.wait_for("the material form", "return document.querySelector('[data-testid=mat-find]')", json!([]));
    s.script(
        "const set = (t, v) => { const e = document.querySelector(`[data-testid=${t}]`); e.value = v; }; \
         set('mat-item', '活性炭'); set('mat-quantity', '2'); set('mat-unit', arguments[0]); set('mat-cost', '8000'); \
         document.querySelector('[data-testid=mat-find]').click(); return true",
        json!([mine.unit]),
    );
    s.wait_for(
        "the candidates, nearest first",
        "return document.querySelector(`[data-testid=mat-candidate][data-id=\"${arguments[0]}\"]`)",
        json!([mine.stock_item_id]),
    );
    s.script(
        "document.querySelector(`[data-pick=\"${arguments[0]}\"]`).value = '2'; \
         document.querySelector('[data-testid=mat-allocate]').click(); return true",
        json!([mine.stock_item_id]),
    );
    s.wait_for("the allocation", "return document.querySelector('[data-testid=allocation]')", json!([]));
    s.script("document.querySelector('[data-testid=mat-arrive]').click(); return true", json!([]));
    s.wait_for(
        "the arrival",
        "return document.querySelector('[data-testid=allocation][data-arrived=true]')",
        json!([]),
    );

    // ---- the initial report: drafted, edited, saved, exported as PDF and DOCX, sent ----
    s.script("document.querySelector('[data-testid=inc-tab-reports]').click(); return true", json!([]));
    s.script("document.querySelector('[data-testid=report-draft]').click(); return true", json!([]));
    s.wait_for(
        "the drafted report",
        "return document.querySelector('[data-testid=report-body]')?.value.length > 50",
        json!([]),
    );
    s.type_into(&s.find("[data-testid=report-body]"), "\n（值班员补充：现场已布设拦截坝。）");
    s.script("document.querySelector('[data-testid=report-save]').click(); return true", json!([]));
    s.wait_for(
        "the saved report",
        "return document.querySelector('[data-testid=report-row][data-status=draft]')",
        json!([]),
    );
    s.script("document.querySelector('[data-testid=report-pdf]').click(); return true", json!([]));
    let pdf = s.wait_for(
        "the PDF's path",
        "return document.querySelector('[data-testid=report-path-pdf]')?.textContent",
        json!([]),
    );
    s.script("document.querySelector('[data-testid=report-docx]').click(); return true", json!([]));
    let docx = s.wait_for(
        "the DOCX's path",
        "return document.querySelector('[data-testid=report-path-docx]')?.textContent",
        json!([]),
    );
    s.script("document.querySelector('[data-testid=report-mark-sent]').click(); return true", json!([]));
    s.wait_for(
        "the report sent",
        "return document.querySelector('[data-testid=report-row][data-status=sent]')",
        json!([]),
    );
    // Let the redrawn table paint before the picture (not part of the check).
    std::thread::sleep(std::time::Duration::from_millis(500));
    s.screenshot(&shots.join("incident-reports.png"));
    let (pdf, docx) = (Path::new(pdf.as_str().unwrap()), Path::new(docx.as_str().unwrap()));
    assert!(pdf.starts_with(dir.path()), "exports go to the app data folder under HOME: {}", pdf.display());
    let text = Command::new("pdftotext").arg(pdf).arg("-").output().expect("pdftotext (poppler-utils) is installed");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("初报") && text.contains("现场已布设拦截坝"), "{text}");
    let doc_xml = Command::new("unzip").arg("-p").arg(docx).arg("word/document.xml").output().unwrap();
    assert!(String::from_utf8_lossy(&doc_xml.stdout).contains("现场已布设拦截坝"));
    let page = shots.join("incident-report-pdf");
    let out =
        Command::new("pdftoppm").args(["-png", "-r", "60", "-f", "1", "-l", "1"]).arg(pdf).arg(&page).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::copy(docx, shots.join("incident-report.docx")).unwrap();

    // ---- a warning over 5 km, exported as CAP 1.2 and validated ----
    s.script("document.querySelector('[data-testid=inc-tab-warnings]').click(); return true", json!([]));
    s.wait_for("the warning form", "return document.querySelector('[data-testid=warn-issue]')", json!([]));
    s.script(
        "const set = (t, v) => { const e = document.querySelector(`[data-testid=${t}]`); e.value = v; }; \
         set('warn-level', 'orange'); set('warn-area', 'radius:5'); set('warn-instruction', '下游暂停取水，居民改用桶装水'); \
         document.querySelector('[data-testid=warn-issue]').click(); return true",
        json!([]),
    );
    s.wait_for("the warning", "return document.querySelector('[data-testid=warning-row]')", json!([]));
    s.script("document.querySelector('[data-testid=warn-cap]').click(); return true", json!([]));
    let cap = s.wait_for(
        "the CAP file",
        "return document.querySelector('[data-testid=warn-cap-path]')?.textContent",
        json!([]),
    );
    let cap = Path::new(cap.as_str().unwrap());
    let xml = std::fs::read_to_string(cap).unwrap();
    assert!(xml.contains("<status>Exercise</status>") && xml.contains("<severity>Severe</severity>"), "{xml}");
    let xsd = target_dir().join("cap/CAP-v1.2-schema.xsd");
    assert!(xsd.exists(), "{} is missing: run scripts/fetch-cap-schema.sh", xsd.display());
    let lint = Command::new("xmllint").args(["--noout", "--schema"]).arg(&xsd).arg(cap).output().unwrap();
    assert!(lint.status.success(), "{}", String::from_utf8_lossy(&lint.stderr));

    // ---- closing: a cost, the summary, confirmed ----
    s.script("document.querySelector('[data-testid=inc-tab-closing]').click(); return true", json!([]));
    s.wait_for("the closing summary", "return document.querySelector('[data-testid=close-figures]')", json!([]));
    s.script(
        "document.querySelector('[data-testid=cost-desc]').value = '租用清污船'; \
         document.querySelector('[data-testid=cost-amount]').value = '12000'; \
         document.querySelector('[data-testid=cost-add]').click(); return true",
        json!([]),
    );
    let loss = s.wait_for(
        "the loss estimate with the cost",
        "const l = document.querySelector('[data-testid=close-loss]')?.textContent || ''; return l.includes('28,000') || l.includes('28000') ? l : null",
        json!([]),
    );
    assert!(loss.as_str().is_some(), "2 t × 8 000 + 12 000 yuan");
    s.type_into(&s.find("[data-testid=close-summary]"), "泄漏已控制，下游水质恢复达标");
    s.script("document.querySelector('[data-testid=close-start]').click(); return true", json!([]));
    s.wait_for("the confirmation", "return document.querySelector('[data-testid=close-confirm-box]')", json!([]));
    assert_eq!(
        s.script("return document.querySelector('[data-testid=inc-head]').dataset.status", json!([])),
        json!("open"),
        "nothing is closed before the confirmation"
    );
    s.script("document.querySelector('[data-testid=close-confirm]').click(); return true", json!([]));
    s.wait_for(
        "the incident closed",
        "return document.querySelector('[data-testid=inc-head][data-status=closed]')",
        json!([]),
    );
    s.wait_for("the closing time", "return document.querySelector('[data-testid=closed-at]')", json!([]));
    s.screenshot(&shots.join("incident-closing.png"));

    // ---- the map's incidents layer holds it ----
    s.script("document.querySelector('[data-testid=nav-map]').click(); return true", json!([]));
    s.wait_for("the map with its data", "return document.getElementById('map')?.dataset.ready === 'true'", json!([]));
    s.wait_for("the incident on the map", "return document.getElementById('map').dataset.incidents === '1'", json!([]));
    assert_eq!(s.script("return !!document.querySelector('[data-layer=incidents]')", json!([])), json!(true));

    // ---- the hub comes up on loopback; the window syncs ----
    let hub = Command::new(built_binary("yingji"))
        .args(["hub", "serve", "--db", hub_db.to_str().unwrap(), "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    struct Stop(std::process::Child);
    impl Drop for Stop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut hub = Stop(hub);
    let mut line = String::new();
    BufReader::new(hub.0.stdout.take().unwrap()).read_line(&mut line).unwrap();
    s.script("document.querySelector('[data-testid=sync-badge]').click(); return true", json!([]));
    s.wait_for("the sync panel", "return document.querySelector('[data-testid=sync-now]') !== null", json!([]));
    s.script("document.querySelector('[data-testid=sync-now]').click(); return true", json!([]));
    s.wait_for(
        "the footer to say online with nothing waiting",
        "const b = document.querySelector('[data-testid=sync-badge]'); \
         return b && b.dataset.online === 'true' && b.textContent.includes('待上传 0')",
        json!([]),
    );

    // ---- the province's replica pulls it: the incident with all its reports and its log ----
    let county = ok_json(
        Command::new(built_binary("yingji"))
            .args(["incident", "show", &id])
            .env("YINGJI_DB", &db)
            .env("YINGJI_LANG", "en")
            .output()
            .unwrap(),
    );
    let province = dir.path().join("province.db");
    yingji_api::init(&province, true, 2026).unwrap();
    let out = yingji(&[
        "sync",
        "--db",
        province.to_str().unwrap(),
        "--hub",
        &url,
        "--token-file",
        province_token.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let shown = ok_json(
        Command::new(built_binary("yingji"))
            .args(["incident", "show", &id])
            .env("YINGJI_DB", &province)
            .env("YINGJI_LANG", "en")
            .output()
            .unwrap(),
    );
    assert_eq!(shown["incident"]["status"], "closed");
    assert_eq!(shown["incident"]["confirmed_tier"], "larger");
    assert_eq!(shown["incident"]["region_code"], json!(source_region));
    assert_eq!(shown["reports"], county["reports"], "all reports, with their status");
    assert_eq!(shown["reports"][0]["status"], "sent");
    assert_eq!(shown["log"], county["log"], "the whole log");
    assert_eq!(shown["orders"], county["orders"]);
    assert_eq!(shown["calls"], county["calls"]);
    assert_eq!(shown["allocations"], county["allocations"]);
    assert_eq!(shown["warnings"], county["warnings"]);
    let runs = Console::open(&province).unwrap().incident_model_runs(&id).unwrap();
    assert_eq!(runs.len(), 1, "the model run made at the alarm came along");
    drop(hub);
}
