//! The model panel in the real window: from a risk source next to a river, a river spill shows
//! the affected intakes, their charts and the sluices to close; a gas release draws its
//! threat-zone footprints; both runs are saved, listed, compared and re-run.

use serde_json::json;
use yingji_api::{Console, ResourceKind, ResourceQuery, RiverSpillRequest};
use yingji_tests::{built_binary, target_dir, webdriver::Session};

/// Waits for `script` to be truthy; the model panel's error, if it shows one, fails at once.
fn wait_model(s: &Session, what: &str, script: &str) -> serde_json::Value {
    let guarded = format!(
        "const err = document.querySelector('[data-testid=model-error]'); \
         if (err) return 'MODEL ERROR: ' + err.textContent; {script}"
    );
    let v = s.wait_for(what, &guarded, json!([]));
    assert!(!v.as_str().is_some_and(|t| t.starts_with("MODEL ERROR")), "{what}: {v}");
    v
}

/// Scrolls an element of the (scrolling) model panel into view, then clicks it as a user would.
fn click_in_panel(s: &Session, css: &str) {
    s.script("document.querySelector(arguments[0]).scrollIntoView({block: 'center'}); return true;", json!([css]));
    s.click(&s.find(css));
}

fn fill(s: &Session, testid: &str, text: &str) {
    let css = format!("[data-testid={testid}]");
    s.script("document.querySelector(arguments[0]).scrollIntoView({block: 'center'}); return true;", json!([css]));
    let el = s.find(&css);
    s.script("arguments[0].value = ''; return true;", json!([{ "element-6066-11e4-a52e-4f735466cecf": el }]));
    s.type_into(&el, text);
}

#[test]
fn model_panel_runs_a_river_spill_and_a_gas_release_from_a_risk_source() {
    let app = built_binary("yingji-desktop");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    yingji_api::init(&db, true, 2026).unwrap();

    // A risk source whose 5 t spill reaches at least one intake above 0.01 mg/L and passes a
    // control work (found through the façade, which does not save this probe).
    let console = Console::open(&db).unwrap();
    let page = console
        .list_resources(&ResourceQuery {
            kind: ResourceKind::RiskSource,
            text: None,
            region_code: None,
            subtype: None,
            offset: 0,
            limit: 400,
        })
        .unwrap();
    let source = page
        .items
        .iter()
        .filter(|r| r.lat.is_some() && r.lon.is_some())
        .find(|r| {
            let req = RiverSpillRequest {
                lat: r.lat.unwrap(),
                lon: r.lon.unwrap(),
                mass_kg: 5_000.0,
                threshold_mg_l: 0.01,
                decay_per_s: 0.0,
                duration_s: None,
            };
            console.river_spill(&req).is_ok_and(|x| !x.affected_intakes.is_empty() && !x.interceptions.is_empty())
        })
        .expect("a demo risk source next to a river with intakes and sluices downstream")
        .clone();
    assert!(console.model_runs().unwrap().is_empty());
    drop(console);

    let driver = yingji_tests::webdriver::Driver::start(dir.path());
    let s = driver.session(&app, &["--db", db.to_str().unwrap()]);
    s.wait_for("the start page", "return document.body.dataset.ready === 'true'", json!([]));
    // The risk source's detail view, from its panel.
    s.click(&s.find("[data-testid=nav-risk_source]"));
    s.wait_for("the risk source panel", "return document.querySelector('[data-testid=filter-text]')", json!([]));
    let filter = s.find("[data-testid=filter-text]");
    s.type_into(&filter, &source.name);
    s.wait_for(
        "the list filtered to the risk source",
        "const rows = [...document.querySelectorAll('[data-testid=result-row]')]; \
         return rows.length <= 3 && rows.some(r => r.dataset.id === arguments[0]);",
        json!([source.id]),
    );
    s.click(&s.find(&format!("[data-testid=result-row][data-id='{}'] td.name", source.id)));
    s.wait_for("its model button", "return document.querySelector('[data-testid=detail-model]')", json!([]));
    s.click(&s.find("[data-testid=detail-model]"));
    s.wait_for("the model panel over the map", "return document.getElementById('map')?.dataset.ready === 'true' && document.querySelector('[data-testid=model-title]')", json!([]));

    // River spill: 5 t of benzene, GB 3838-2002 limit 0.01 mg/L.
    s.click(&s.find("[data-testid=model-tab-river]"));
    fill(&s, "river-name", "苯");
    fill(&s, "river-threshold", "0.01");
    fill(&s, "river-mass", "5000");
    click_in_panel(&s, "[data-testid=river-run]");
    let intakes =
        wait_model(&s, "the intake table", "return document.querySelectorAll('[data-testid=intake-row]').length");
    assert!(intakes.as_u64().unwrap() >= 1);
    let works = s.script("return document.querySelectorAll('[data-testid=interception-row]').length", json!([]));
    assert!(works.as_u64().unwrap() >= 1, "{works}");
    let charts = s.script("return document.querySelectorAll('[data-testid=intake-chart] polyline').length", json!([]));
    assert_eq!(charts, intakes, "one chart per affected intake");
    let first =
        s.script("return document.querySelector('[data-testid=intake-row] td:nth-child(2)').textContent", json!([]));
    assert!(first.as_str().unwrap().contains("min") || first == json!("立即"), "arrival shown in h/min: {first}");
    assert!(
        s.script("return Number(document.getElementById('map').dataset.modelPath)", json!([])).as_u64().unwrap() >= 1
    );
    std::thread::sleep(std::time::Duration::from_millis(1500)); // let the map settle for the picture
    s.screenshot(&target_dir().join("e2e-screenshots/model-river.png"));
    s.script(
        "const d = document.getElementById('detail'); const c = document.querySelector('[data-testid=intake-chart]'); \
         d.scrollTop += c.getBoundingClientRect().top - d.getBoundingClientRect().top - 60; return true;",
        json!([]),
    );
    std::thread::sleep(std::time::Duration::from_millis(300));
    s.screenshot(&target_dir().join("e2e-screenshots/model-river-charts.png"));

    // Gas release: 1 kg/s of chlorine picked from the chemical library (molar mass and levels of
    // concern filled in from it), class D, wind from the east.
    s.click(&s.find("[data-testid=model-tab-gas]"));
    let search = s.find("[data-testid=chem-search]");
    s.type_into(&search, "氯气");
    s.wait_for(
        "chlorine in the library",
        "return document.querySelector('[data-testid=chem-hits] [data-cas=\"7782-50-5\"]')",
        json!([]),
    );
    s.click(&s.find("[data-testid=chem-hits] [data-cas=\"7782-50-5\"]"));
    wait_model(&s, "the picked chemical", "return document.querySelector('[data-testid=chem-picked]')?.textContent");
    let molar = s.script("return Number(document.querySelector('[data-testid=gas-molar]').value)", json!([]));
    assert!((molar.as_f64().unwrap() - 70.9).abs() < 0.1, "{molar}");
    let ppm = s.script(
        "return [0, 1, 2].map(i => Number(document.querySelector(`[data-testid=gas-level-ppm-${i}]`)?.value || 0))",
        json!([]),
    );
    let ppm: Vec<f64> = ppm.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    assert!(ppm.iter().all(|&p| p > 0.0) && ppm[0] > ppm[1] && ppm[1] > ppm[2], "levels most severe first: {ppm:?}");
    // The source model estimates a rate for a 10 mm hole at 5 bar and fills it in.
    click_in_panel(&s, "[data-testid=gas-source] summary");
    click_in_panel(&s, "[data-testid=gas-source-run]");
    wait_model(
        &s,
        "the source-strength estimate",
        "return document.querySelector('[data-testid=gas-source-note]')?.textContent",
    );
    let estimated = s.script("return Number(document.querySelector('[data-testid=gas-amount]').value)", json!([]));
    assert!(estimated.as_f64().unwrap() > 0.01 && estimated.as_f64().unwrap() < 1.0, "{estimated}");
    fill(&s, "gas-amount", "1");
    click_in_panel(&s, "[data-testid=gas-run]");
    let zones = wait_model(
        &s,
        "the footprints on the map",
        "return Number(document.getElementById('map').dataset.modelZones || 0)",
    );
    assert_eq!(zones, json!(3));
    let rows = s.script("return document.querySelectorAll('[data-testid=gas-zones] tbody tr').length", json!([]));
    assert_eq!(rows, json!(3));
    let warn = s.script(
        "return [...document.querySelectorAll('[data-testid=gas-warnings] li')].map(l => l.dataset.code)",
        json!([]),
    );
    assert!(warn.as_array().unwrap().contains(&json!("denser_than_air")), "{warn}");
    // The zones are drawn: rendered features of the fill layer exist in the window.
    let drawn = s.script("return document.querySelectorAll('#map canvas').length", json!([]));
    assert_eq!(drawn, json!(1));
    std::thread::sleep(std::time::Duration::from_millis(1500));
    s.screenshot(&target_dir().join("e2e-screenshots/model-gas.png"));

    // Saved runs: both listed; compared side by side; one re-run reproduces its figures.
    s.click(&s.find("[data-testid=model-tab-runs]"));
    let listed =
        wait_model(&s, "the saved runs", "return document.querySelectorAll('[data-testid=runs-table] tr').length");
    assert_eq!(listed, json!(2));
    for i in 1..=2 {
        s.click(&s.find(&format!("[data-testid=runs-table] tr:nth-child({i}) input[type=checkbox]")));
    }
    click_in_panel(&s, "[data-testid=runs-compare]");
    let compared = wait_model(
        &s,
        "the comparison",
        "return document.querySelectorAll('[data-testid=runs-comparison] tbody tr').length",
    );
    assert!(compared.as_u64().unwrap() >= 5, "{compared}");
    s.click(&s.find("[data-testid=runs-table] button.link"));
    let status =
        wait_model(&s, "the re-run", "return document.querySelector('[data-testid=rerun-status]')?.textContent");
    assert!(status.as_str().unwrap().contains("一致") && !status.as_str().unwrap().contains("不一致"), "{status}");
    s.screenshot(&target_dir().join("e2e-screenshots/model-runs.png"));
    drop(s);
    assert_eq!(Console::open(&db).unwrap().model_runs().unwrap().len(), 3, "two runs and a re-run saved");
}
