//! Preparedness in the real window: a risk source's plan card opened from its details (with its
//! downstream intakes from the river model and its three levels of containment), a hazard
//! finding recorded on it and moved round its loop to verified, and the overdue plans listed.

use serde_json::json;
use yingji_api::{Console, ResourceKind, ResourceQuery};
use yingji_tests::{built_binary, target_dir, webdriver::Driver};

/// Clicks by script: WebDriver clicks on redrawn elements fail silently (see e2e_sync).
fn click(s: &yingji_tests::webdriver::Session, css: &str) {
    s.wait_for("the element to click", "return !!document.querySelector(arguments[0])", json!([css]));
    s.script("document.querySelector(arguments[0]).click()", json!([css]));
}

fn set(s: &yingji_tests::webdriver::Session, css: &str, value: &str) {
    s.script(
        "const el = document.querySelector(arguments[0]); el.value = arguments[1];
         el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true}));",
        json!([css, value]),
    );
}

#[test]
fn a_plan_card_from_a_risk_source_a_finding_round_its_loop_and_the_overdue_plans() {
    let app = built_binary("yingji-desktop");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    yingji_api::init(&db, true, 2026).unwrap();
    // A demo enterprise in a chemical park with intakes downstream.
    let console = Console::open(&db).unwrap();
    let page = console
        .list_resources(&ResourceQuery {
            kind: ResourceKind::RiskSource,
            text: None,
            region_code: None,
            subtype: Some("enterprise".into()),
            offset: 0,
            limit: 200,
        })
        .unwrap();
    let (source, card) = page
        .items
        .iter()
        .find_map(|r| {
            let c = console.plan_card(&r.id).unwrap();
            (c.park.is_some() && c.river.as_ref().is_some_and(|x| !x.intakes.is_empty())).then(|| (r.clone(), c))
        })
        .expect("a demo enterprise in a park with intakes downstream");
    let first_intake = card.river.as_ref().unwrap().intakes[0].name.clone();
    drop(console);
    let shots = target_dir().join("e2e-screenshots");

    let driver = Driver::start(dir.path());
    let s = driver.session(&app, &["--db", db.to_str().unwrap()]);
    s.wait_for("the start page", "return document.body.dataset.ready === 'true'", json!([]));

    // The risk source's details, then its plan card.
    click(&s, "[data-testid=nav-risk_source]");
    s.wait_for(
        "the risk-source list",
        "return document.querySelectorAll('[data-testid=result-row]').length",
        json!([]),
    );
    set(&s, "[data-testid=filter-text]", &source.name);
    let row = format!("[data-testid=result-row][data-id='{}']", source.id);
    click(&s, &row);
    s.wait_for(
        "the risk source's details",
        "return document.querySelector('[data-testid=detail-name]')?.textContent === arguments[0]",
        json!([source.name]),
    );
    click(&s, "[data-testid=detail-plan-card]");
    s.wait_for(
        "the plan card",
        "return document.querySelector('[data-testid=card-name]')?.textContent.startsWith(arguments[0])",
        json!([source.name]),
    );
    let intakes = s.wait_for(
        "the downstream intakes on the card",
        "return [...document.querySelectorAll('[data-testid=card-intakes] tbody tr')].map(r => r.cells[0].textContent)",
        json!([]),
    );
    assert_eq!(intakes[0], json!(first_intake), "the nearest intake in time first, as the model says");
    let levels = s.script("return [...document.querySelectorAll('.prep-level')].map(l => l.dataset.level)", json!([]));
    assert_eq!(levels, json!(["enterprise", "park", "river"]));
    assert!(s
        .script("return document.querySelectorAll('[data-testid=card-teams] tr').length", json!([]))
        .as_u64()
        .is_some_and(|n| n == 3));
    s.screenshot(&shots.join("prep-plan-card.png"));

    // The card's PDF goes to the download folder (HOME is the test's folder).
    click(&s, "[data-testid=card-pdf]");
    let message = s.wait_for(
        "the PDF to be written",
        "return document.querySelector('[data-testid=prep-message]')?.textContent",
        json!([]),
    );
    let path = message.as_str().unwrap().rsplit(['：', ' ']).next().unwrap().to_owned();
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(bytes.starts_with(b"%PDF-"));

    // A hazard found on the card: recorded, then rectifying, then verified.
    click(&s, "[data-testid=card-record]");
    s.wait_for("the inspection form", "return !!document.querySelector('[data-testid=inspect-form]')", json!([]));
    set(&s, "[data-testid=prep-operator]", "检查组 王五");
    set(&s, "[data-testid=inspect-date]", "2026-11-20");
    set(&s, "[data-testid=inspect-inspectors]", "县生态环境局 王五、赵六");
    set(&s, "[data-testid=inspect-description]", "雨水排口切换阀失灵，事故废水可能直排");
    set(&s, "[data-testid=inspect-severity]", "major");
    set(&s, "[data-testid=inspect-deadline]", "2026-11-25");
    set(&s, "[data-testid=inspect-owner]", "企业安环部 李四");
    set(&s, "[data-testid=inspect-evidence]", "现场照片 3 张");
    click(&s, "[data-testid=inspect-save]");
    s.wait_for(
        "the new finding, found and overdue",
        "const st = document.querySelector('[data-testid=finding-status]');
         return st?.dataset.status === 'found' && !!document.querySelector('#detail .prep-state.overdue')",
        json!([]),
    );
    s.screenshot(&shots.join("prep-finding-found.png"));
    set(&s, "[data-testid=finding-note]", "已更换切换阀，待复查");
    click(&s, "[data-testid=finding-advance]");
    s.wait_for(
        "rectifying",
        "return document.querySelector('[data-testid=finding-status]')?.dataset.status === 'rectifying'",
        json!([]),
    );
    set(&s, "[data-testid=finding-note]", "复查合格，予以销号");
    click(&s, "[data-testid=finding-advance]");
    s.wait_for(
        "verified",
        "return document.querySelector('[data-testid=finding-status]')?.dataset.status === 'verified'",
        json!([]),
    );
    let events = s.script(
        "return [...document.querySelectorAll('[data-testid=finding-events] li')].map(l => l.dataset.status)",
        json!([]),
    );
    assert_eq!(events, json!(["found", "rectifying", "verified"]));
    s.screenshot(&shots.join("prep-finding-verified.png"));

    // The overdue plans, per region and listed.
    click(&s, "[data-testid=nav-prep]");
    click(&s, "[data-testid=prep-tab-plans]");
    let n =
        s.wait_for("the overdue plans", "return document.querySelectorAll('[data-testid=plan-row]').length", json!([]));
    assert!(n.as_u64().unwrap() > 0);
    let states = s.script(
        "return [...new Set([...document.querySelectorAll('[data-testid=plan-row] [data-state]')].map(e => e.dataset.state))]",
        json!([]),
    );
    assert_eq!(states, json!(["overdue"]));
    assert!(s
        .script("return document.querySelectorAll('[data-testid=plan-regions] tbody tr').length", json!([]))
        .as_u64()
        .is_some_and(|n| n > 0));
    click(&s, "[data-testid=plan-row]");
    s.wait_for("a plan's details", "return !!document.querySelector('[data-testid=plan-title]')", json!([]));
    s.screenshot(&shots.join("prep-plans.png"));

    // The findings dashboard and the case library draw too.
    click(&s, "[data-testid=prep-tab-findings]");
    s.wait_for(
        "the findings dashboard",
        "return document.querySelectorAll('[data-testid=finding-regions] tbody tr').length",
        json!([]),
    );
    s.screenshot(&shots.join("prep-findings.png"));
    click(&s, "[data-testid=prep-tab-cases]");
    click(&s, "[data-testid=case-row][data-id='2005-songhua-nitrobenzene']");
    s.wait_for(
        "the Songhua case",
        "return document.querySelector('[data-testid=case-source]')?.textContent.includes('国务院')",
        json!([]),
    );
    s.screenshot(&shots.join("prep-cases.png"));
}
