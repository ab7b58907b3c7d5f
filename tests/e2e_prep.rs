//! Preparedness in the real window: a risk source's plan card opened from its details (with its
//! downstream intakes from the river model and its three levels of containment), a hazard
//! finding recorded on it and moved round its loop to verified, and the overdue plans listed;
//! a plan entered through the form, a PDF attached through the file chooser and saved back, and
//! the plan moved on with a confirmation.

use serde_json::json;
use yingji_api::{Console, ResourceKind, ResourceQuery};
use yingji_tests::{built_binary, target_dir, webdriver::Driver};

/// Clicks by script: WebDriver clicks on redrawn elements fail silently (see e2e_sync).
fn click(s: &yingji_tests::webdriver::Session, css: &str) {
    s.wait_for("the element to click", "return !!document.querySelector(arguments[0])", json!([css]));
    s.script("document.querySelector(arguments[0]).click()", json!([css]));
}

/// Lets WebKit paint what the DOM already holds: a screenshot taken at once can show the frame
/// before.
fn settle() {
    std::thread::sleep(std::time::Duration::from_millis(400));
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

    // In English, the card's PDF is in English too.
    click(&s, "[data-testid=lang-switch]");
    s.wait_for(
        "the card in English",
        "return document.querySelector('[data-testid=card-pdf]')?.textContent.includes('PDF') && document.documentElement.lang === 'en'",
        json!([]),
    );
    click(&s, "[data-testid=card-pdf]");
    let message = s.wait_for(
        "the English PDF to be written",
        "const m = document.querySelector('[data-testid=prep-message]')?.textContent; return m && m.includes('-en.pdf') && m",
        json!([]),
    );
    let path_en = message.as_str().unwrap().rsplit(['：', ' ']).next().unwrap().to_owned();
    assert!(path_en.ends_with("-en.pdf"), "{path_en}");
    let text =
        std::process::Command::new("pdftotext").args([&path_en, "-"]).output().expect("pdftotext (poppler-utils)");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Emergency response card") && text.contains(&source.name), "{text}");
    settle();
    s.screenshot(&shots.join("prep-plan-card-en.png"));
    click(&s, "[data-testid=lang-switch]");
    s.wait_for("Chinese again", "return document.documentElement.lang.startsWith('zh')", json!([]));

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
    // A photo as evidence, through the finding's file chooser.
    let photo = dir.path().join("现场照片.png");
    std::fs::write(&photo, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0").unwrap();
    let input = s.find("[data-testid=finding-attach-file]");
    s.type_into(&input, photo.to_str().unwrap());
    s.wait_for(
        "the photo among the finding's attachments",
        "return [...document.querySelectorAll('[data-testid=attachments] .prep-file-name')].some(e => e.textContent === '现场照片.png')",
        json!([]),
    );
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

#[test]
fn a_plan_entered_in_the_form_gets_a_pdf_through_the_file_chooser_and_moves_on_with_a_confirmation() {
    let app = built_binary("yingji-desktop");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    yingji_api::init(&db, true, 2026).unwrap();
    let console = Console::open(&db).unwrap();
    let subject = console.plan_subjects("enterprise", "").unwrap().into_iter().next().expect("a demo enterprise");
    let part: String = subject.name.chars().take(3).collect();
    drop(console);
    let pdf = dir.path().join("应急预案.pdf");
    let pdf_bytes = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n".to_vec();
    std::fs::write(&pdf, &pdf_bytes).unwrap();
    let fake = dir.path().join("not-a-plan.pdf");
    std::fs::write(&fake, "这只是一段文字，不是 PDF").unwrap();
    let shots = target_dir().join("e2e-screenshots");

    let driver = Driver::start(dir.path());
    let s = driver.session(&app, &["--db", db.to_str().unwrap()]);
    s.wait_for("the start page", "return document.body.dataset.ready === 'true'", json!([]));
    click(&s, "[data-testid=nav-prep]");
    click(&s, "[data-testid=prep-tab-plans]");
    click(&s, "[data-testid=plan-new]");
    s.wait_for("the new-plan form", "return !!document.querySelector('[data-testid=plan-form]')", json!([]));

    // Saved without a subject: refused next to the subject, and the title typed is kept.
    set(&s, "[data-testid=plan-form-title]", "测试企业突发环境事件应急预案");
    click(&s, "[data-testid=plan-form-save]");
    let why = s.wait_for(
        "the refusal next to the subject",
        "return document.querySelector('[data-testid=plan-form-error-subject_id]')?.textContent",
        json!([]),
    );
    assert!(!why.as_str().unwrap().is_empty());
    assert_eq!(
        s.script("return document.querySelector('[data-testid=plan-form-title]').value", json!([])),
        json!("测试企业突发环境事件应急预案")
    );

    // The subject found by part of its name and picked from the list.
    set(&s, "[data-testid=plan-form-subject-search]", &part);
    let option = format!("[data-testid=plan-form-subjects] [data-id='{}']", subject.id);
    click(&s, &option);
    s.wait_for(
        "the chosen subject",
        "return document.querySelector('[data-testid=plan-form-subject]')?.textContent.includes(arguments[0])",
        json!([subject.name]),
    );

    // Filed without a filing date: refused next to that date, in the UI's language.
    set(&s, "[data-testid=plan-form-status]", "filed");
    set(&s, "[data-testid=plan-form-issued-on]", "2026-06-01");
    click(&s, "[data-testid=plan-form-save]");
    let why = s.wait_for(
        "the refusal next to the filing date",
        "return document.querySelector('[data-testid=plan-form-error-filed_on]')?.textContent",
        json!([]),
    );
    assert!(why.as_str().unwrap().contains("备案日期"), "{why}");
    assert_eq!(
        s.script("return document.querySelector('[data-testid=plan-form-issued-on]').value", json!([])),
        json!("2026-06-01"),
        "nothing typed is lost"
    );
    settle();
    s.screenshot(&shots.join("prep-plan-form.png"));

    // Drafting needs no dates: saved, and its details open.
    set(&s, "[data-testid=plan-form-status]", "drafting");
    set(&s, "[data-testid=plan-form-issued-on]", "");
    click(&s, "[data-testid=plan-form-save]");
    s.wait_for(
        "the new plan's details",
        "return document.querySelector('[data-testid=plan-title]')?.textContent === arguments[0]",
        json!(["测试企业突发环境事件应急预案"]),
    );
    assert_eq!(
        s.script("return document.querySelector('.prep-steps li.on')?.dataset.status", json!([])),
        json!("drafting")
    );

    // A text file named .pdf is refused by its bytes; a real PDF is kept and listed.
    s.wait_for("the file chooser", "return !!document.querySelector('[data-testid=plan-attach-file]')", json!([]));
    let input = s.find("[data-testid=plan-attach-file]");
    s.type_into(&input, fake.to_str().unwrap());
    let why = s.wait_for(
        "the refusal of the fake PDF",
        "return document.querySelector('[data-testid=prep-error]')?.textContent",
        json!([]),
    );
    assert!(why.as_str().unwrap().contains("not-a-plan.pdf") && why.as_str().unwrap().contains("PDF"), "{why}");
    let input = s.find("[data-testid=plan-attach-file]");
    s.type_into(&input, pdf.to_str().unwrap());
    s.wait_for(
        "the PDF in the plan's attachments",
        "return [...document.querySelectorAll('[data-testid=attachments] .prep-file-name')].some(e => e.textContent === '应急预案.pdf')",
        json!([]),
    );

    s.script("document.querySelector('[data-testid=attachments]').scrollIntoView()", json!([]));
    settle();
    s.screenshot(&shots.join("prep-plan-attachments.png"));

    // Saved back to the download folder, byte for byte.
    click(&s, "[data-testid=attachment-save]");
    let message = s.wait_for(
        "the attachment to be saved",
        "return document.querySelector('[data-testid=prep-message]')?.textContent.includes('保存到') && document.querySelector('[data-testid=prep-message]').textContent",
        json!([]),
    );
    let saved = message.as_str().unwrap().rsplit("保存到 ").next().unwrap().trim().to_owned();
    assert_eq!(std::fs::read(&saved).unwrap_or_else(|e| panic!("{saved}: {e}")), pdf_bytes);

    // Moving on asks first: cancelled nothing changes; confirmed it is under review.
    click(&s, "[data-testid=plan-step-review]");
    s.wait_for(
        "the confirmation",
        "return document.querySelector('[data-testid=plan-step-confirmation]')?.textContent.includes('评审中')",
        json!([]),
    );
    settle();
    s.screenshot(&shots.join("prep-plan-confirm.png"));
    click(&s, "[data-testid=plan-step-cancel]");
    s.wait_for(
        "the confirmation to close",
        "return !document.querySelector('[data-testid=plan-step-confirmation]') && !!document.querySelector('[data-testid=plan-step-review]')",
        json!([]),
    );
    assert_eq!(
        s.script("return document.querySelector('.prep-steps li.on')?.dataset.status", json!([])),
        json!("drafting")
    );
    click(&s, "[data-testid=plan-step-review]");
    click(&s, "[data-testid=plan-step-confirm]");
    s.wait_for(
        "under review",
        "return document.querySelector('.prep-steps li.on')?.dataset.status === 'under_review'",
        json!([]),
    );
    settle();
    s.screenshot(&shots.join("prep-plan-detail.png"));
    let console = Console::open(&db).unwrap();
    let mine = console
        .plans(&yingji_api::PlanFilterDto { subject_id: Some(subject.id.clone()), ..Default::default() })
        .unwrap()
        .into_iter()
        .find(|p| p.title == "测试企业突发环境事件应急预案")
        .expect("the plan is in the database");
    assert_eq!((mine.status.as_str(), mine.attachments.len()), ("under_review", 1));
}
