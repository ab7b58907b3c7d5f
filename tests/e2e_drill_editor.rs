//! The scenario editor in the real window: a new scenario authored with two injects (the
//! core's problems shown beside the fields first), saved to the user's folder, exported and
//! imported back, started at ×60; an inject arrives, the incident's countdown runs in drill
//! time, and the replay at a chosen minute shows the map and the panels as they were then.
//! No `--drills`: the ready scenarios come from those built into the program.

use serde_json::{json, Value};
use yingji_tests::{built_binary, target_dir, webdriver::Driver};

use crate::e2e_drill::{drill_db, until_minute, yingji};

/// Sets a form control's value as typing would (input, then change).
const SET: &str = "const el = document.querySelector(`[data-testid=${arguments[0]}]`);
    if (!el) return false;
    el.value = String(arguments[1]);
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
    return true";

#[test]
fn author_a_scenario_in_the_editor_then_run_it_and_replay_the_map() {
    let app = built_binary("yingji-desktop");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    yingji_api::init(&db, true, 2026).unwrap();
    let shots = target_dir().join("e2e-screenshots");
    std::fs::create_dir_all(&shots).unwrap();

    let driver = Driver::start(dir.path());
    let s = driver.session(&app, &["--db", db.to_str().unwrap()]);
    s.wait_for("the start page", "return document.body.dataset.ready === 'true'", json!([]));
    s.script("document.querySelector('[data-testid=nav-drill]').click(); return true", json!([]));
    // The ready scenarios built into the program, none of them the user's, all usable.
    let ready = s.wait_for(
        "the built-in scenarios",
        "const rows = [...document.querySelectorAll('[data-testid=drill-scenarios] tbody tr')];
         return rows.length ? rows.map(r => [r.dataset.path, r.dataset.user, !!r.querySelector('.error-text')]) : null",
        json!([]),
    );
    let ready = ready.as_array().unwrap();
    assert_eq!(ready.len(), 3, "{ready:?}");
    assert!(ready.iter().all(|r| r[0].as_str().unwrap().starts_with("builtin:") && r[1] == "false" && r[2] == false));

    // A new scenario; saving it empty shows the core's problems beside the fields.
    s.script("document.querySelector('[data-testid=drill-new-scenario]').click(); return true", json!([]));
    s.wait_for("the editor", "return document.querySelector('[data-testid=ed-form]') !== null", json!([]));
    s.wait_for(
        "the editor's map",
        "return document.querySelector('[data-testid=ed-map]').dataset.ready === 'true'",
        json!([]),
    );
    s.type_into(&s.find("[data-testid=ed-title]"), "运河苯泄漏（编辑器演练）");
    s.script("document.querySelector('[data-testid=ed-save]').click(); return true", json!([]));
    let problems = s.wait_for(
        "the problems of an unfinished scenario",
        "const p = [...document.querySelectorAll('[data-testid=ed-problems] li')].map(l => l.dataset.field);
         return p.length ? p : null",
        json!([]),
    );
    assert_eq!(problems, json!(["incident.name", "incident.reported_by", "incident.position"]));
    let beside = s.script(
        "return [...document.querySelectorAll('[data-error-for] [data-testid=ed-field-error]')].map(e => e.textContent)",
        json!([]),
    );
    assert!(beside.as_array().unwrap().iter().any(|m| m.as_str().unwrap().contains("报告人")), "{beside}");
    // What was typed is still there.
    assert_eq!(
        s.script("return document.querySelector('[data-testid=ed-title]').value", json!([])),
        json!("运河苯泄漏（编辑器演练）")
    );
    s.screenshot(&shots.join("drill-editor-problems.png"));

    // The position by a click on the map, then typed exactly.
    let centre = s.script(
        "const el = document.querySelector('[data-testid=ed-map] canvas'); el.scrollIntoView({block: 'center'});
         const r = el.getBoundingClientRect(); return [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)]",
        json!([]),
    );
    s.click_at(centre[0].as_i64().unwrap(), centre[1].as_i64().unwrap());
    let picked = s.wait_for(
        "a position picked on the map",
        "const v = document.querySelector('[data-testid=ed-lat]').value; return v ? Number(v) : null",
        json!([]),
    );
    assert!((20.0..45.0).contains(&picked.as_f64().unwrap()), "{picked}");
    for (id, v) in [
        ("ed-title_en", "Canal benzene spill (editor drill)"),
        ("ed-start_at", "2027-01-15T02:00"),
        ("ed-duration_min", "30"),
        ("ed-name", "【演练】里运河苯泄漏"),
        ("ed-incident_type", "transport"),
        ("ed-lat", "33.52"),
        ("ed-lon", "119.1"),
        ("ed-reported_by", "110 指挥中心"),
        ("ed-occurred_min_before", "5"),
        ("ed-wind_from", "20"),
        ("ed-wind_speed", "3"),
        ("ed-tier", "larger"),
        ("ed-teams", "1"),
        ("ed-gates", "淮安水利枢纽"),
    ] {
        assert_eq!(s.script(SET, json!([id, v])), json!(true), "{id}");
    }
    // A pollutant picked from the chemical library: its CAS number comes with it.
    s.script("document.querySelector('[data-testid=ed-add-pollutant]').click(); return true", json!([]));
    s.type_into(&s.find("[data-testid=ed-pollutant-name-0]"), "苯");
    s.wait_for(
        "the library's hits",
        "return [...document.querySelectorAll('#ed-chemicals option')].some(o => o.value === '苯')",
        json!([]),
    );
    s.script(SET, json!(["ed-pollutant-name-0", "苯"]));
    assert_eq!(
        s.script("return document.querySelector('[data-testid=ed-pollutant-cas-0]').value", json!([])),
        json!("71-43-2")
    );
    s.script(SET, json!(["ed-pollutant-kg-0", "8000"]));
    s.script("document.querySelector('[data-testid=ed-river-on]').click(); return true", json!([]));
    s.script(SET, json!(["ed-mass", "5000"]));
    s.script(SET, json!(["ed-threshold", "0.01"]));
    // Two injects, the second put before the first by its minute.
    s.script("document.querySelector('[data-testid=ed-add-inject]').click(); return true", json!([]));
    s.script(SET, json!(["ed-inject-min-0", "6"]));
    s.script(SET, json!(["ed-inject-kind-0", "reading"]));
    s.script(SET, json!(["ed-inject-text-0", "监测站报告：淮安水利枢纽上游苯 0.3 mg/L"]));
    s.script(SET, json!(["ed-inject-expect-0", "log"]));
    s.script(SET, json!(["ed-inject-within-0", "10"]));
    s.script("document.querySelector('[data-testid=ed-add-inject]').click(); return true", json!([]));
    s.script(SET, json!(["ed-inject-kind-1", "media_call"]));
    s.script(SET, json!(["ed-inject-text-1", "记者来电询问运河水能否饮用"]));
    s.script(SET, json!(["ed-inject-min-1", "2"]));
    let order = s.wait_for(
        "the injects sorted by minute",
        "const m = [...document.querySelectorAll('[data-testid^=ed-inject-min-]')].map(e => Number(e.value));
         return m.length === 2 && m[0] === 2 ? m : null",
        json!([]),
    );
    assert_eq!(order, json!([2, 6]));
    assert_eq!(
        s.script("return document.querySelector('[data-testid=ed-inject-text-0]').value", json!([])),
        json!("记者来电询问运河水能否饮用")
    );
    // The problems went away as the fields were filled.
    s.wait_for("no problems left", "return document.querySelector('[data-testid=ed-problems] li') === null", json!([]));
    s.script("document.querySelector('[data-testid=ed-injects]').scrollIntoView(); return true", json!([]));
    s.screenshot(&shots.join("drill-editor-injects.png"));
    s.script("document.querySelector('[data-testid=ed-form]').scrollIntoView(); return true", json!([]));
    s.screenshot(&shots.join("drill-editor-filled.png"));
    s.script("document.querySelector('[data-testid=ed-save]').click(); return true", json!([]));

    // Saved to the user's folder, listed beside the ready ones.
    let notice = s.wait_for(
        "the saved notice",
        "const n = document.querySelector('[data-testid=drill-notice]'); return n ? n.textContent : null",
        json!([]),
    );
    assert!(notice.as_str().unwrap().contains("已保存"), "{notice}");
    let mine = s.script(
        "return [...document.querySelectorAll('[data-testid=drill-scenarios] tbody tr[data-user=true]')].map(r => r.dataset.path)",
        json!([]),
    );
    let mine: Vec<String> = serde_json::from_value(mine).unwrap();
    assert_eq!(mine.len(), 1);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&mine[0]).unwrap()).unwrap();
    assert_eq!(saved["format"], "yingji-drill/1");
    assert_eq!(saved["start_at"], "2027-01-15T02:00:00+08:00");
    assert_eq!(saved["incident"]["pollutants"][0]["cas"], "71-43-2");
    assert_eq!(saved["injects"][0]["at_min"], 2);
    assert_eq!(saved["injects"][1]["expect"]["response"], "log");
    assert!(mine[0].contains(".local/share/cn.yingji.console/drills/"), "{}", mine[0]);

    // Export a copy to share, and import it back (as a colleague would): a second own scenario.
    let row = "[data-testid=drill-scenarios] tbody tr[data-user=true] [data-testid^=drill-export-]";
    s.script(&format!("document.querySelector('{row}').click(); return true"), json!([]));
    let exported = s.wait_for(
        "the exported copy",
        "const n = document.querySelector('[data-testid=drill-notice]'); return n && n.textContent.includes('已导出') ? n.textContent : null",
        json!([]),
    );
    let exported = exported.as_str().unwrap();
    let path = exported.split('：').nth(1).unwrap().split('（').next().unwrap().trim().to_owned();
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), saved);
    s.script(
        "const dt = new DataTransfer(); dt.items.add(new File([arguments[0]], 'from-colleague.json', { type: 'application/json' }));
         const input = document.querySelector('[data-testid=drill-import]'); input.files = dt.files;
         input.dispatchEvent(new Event('change')); return true",
        json!([text]),
    );
    s.wait_for(
        "the imported scenario",
        "return document.querySelectorAll('[data-testid=drill-scenarios] tbody tr[data-user=true]').length === 2",
        json!([]),
    );
    // A file that is not a scenario is refused with the reason, and nothing is added.
    s.script(
        "const dt = new DataTransfer(); dt.items.add(new File(['{\"format\": \"yingji-drill/1\"}'], 'notes.json'));
         const input = document.querySelector('[data-testid=drill-import]'); input.files = dt.files;
         input.dispatchEvent(new Event('change')); return true",
        json!([]),
    );
    let refused = s.wait_for(
        "the refused import",
        "const n = document.querySelector('[data-testid=drill-notice]'); return n && n.textContent.includes('无法导入') ? n.textContent : null",
        json!([]),
    );
    let refused = refused.as_str().unwrap();
    assert!(refused.contains("notes.json") && refused.contains("缺少字段 title"), "{refused}");
    s.screenshot(&shots.join("drill-scenarios-mine.png"));

    // Start the authored scenario at ×60.
    s.script(
        "const v = document.querySelector('[data-testid=drill-start-speed]'); v.value = '60'; v.dispatchEvent(new Event('change'));
         document.querySelector(`tr[data-path=\"${arguments[0]}\"] [data-testid^=drill-start-]`).click(); return true",
        json!([mine[0]]),
    );
    s.wait_for(
        "the drill banner",
        "const b = document.querySelector('[data-testid=drill-banner]'); return b && !b.hidden && b.dataset.state === 'running'",
        json!([]),
    );
    let drill = drill_db(dir.path());
    let status = yingji(&drill, &["drill", "status"]);
    let incident = status["incident_id"].as_str().unwrap().to_owned();
    assert_eq!(status["title"], "运河苯泄漏（编辑器演练）");
    // The first inject (minute 2) arrives in the feed.
    let first = s.wait_for(
        "an inject in the feed",
        "const r = document.querySelector('[data-testid=drill-feed] tr.delivered'); return r ? r.textContent : null",
        json!([]),
    );
    assert!(first.as_str().unwrap().contains("记者来电"), "{first}");
    // The footer says what sync does during the drill.
    let footer = s.wait_for(
        "the footer's drill sync line",
        "const b = document.querySelector('[data-testid=sync-badge]'); return b && b.dataset.drillMode ? b.textContent : null",
        json!([]),
    );
    assert!(footer.as_str().unwrap().contains("演练中：演练数据不同步"), "{footer}");

    // The players confirm 较大 and close the gate (CLI on the drill database).
    until_minute(&drill, 3.0);
    yingji(&drill, &["incident", "tier", &incident, "--evacuated", "6000", "--confirm", "larger"]);
    let closed_at = until_minute(&drill, 8.0)["elapsed_min"].as_f64().unwrap();
    yingji(&drill, &["incident", "gate", &incident, "--work", "淮安水利枢纽"]);
    // The incident's countdown runs in drill time: 4 h from 02:00 drill time, less the minutes
    // played (by the wall clock it would be months away).
    s.script("document.querySelector('[data-testid=nav-incidents]').click(); return true", json!([]));
    s.wait_for("the incident list", "return document.querySelector('[data-testid=inc-row]') !== null", json!([]));
    s.script(
        "document.querySelector(`[data-testid=inc-row][data-id=\"${arguments[0]}\"]`).click(); return true",
        json!([incident]),
    );
    let left = s.wait_for(
        "a countdown in drill time",
        "const d = document.querySelector('[data-testid=inc-deadlines][data-clock=drill] [data-due]'); return d ? d.textContent : null",
        json!([]),
    );
    let hms: Vec<u64> = left
        .as_str()
        .unwrap()
        .split(|c: char| !c.is_ascii_digit())
        .filter(|x| !x.is_empty())
        .map(|x| x.parse().unwrap())
        .collect();
    let secs = hms[0] * 3600 + hms[1] * 60 + hms[2];
    assert!((3 * 3600 + 20 * 60..=3 * 3600 + 55 * 60).contains(&secs), "{left}");
    s.screenshot(&shots.join("drill-incident-countdown.png"));
    // The players run the models (the river model: no wind was given, so no gas zones).
    s.script("document.querySelector('[data-testid=inc-rerun]').click(); return true", json!([]));
    s.wait_for(
        "the river model's result",
        "return document.querySelector('[data-testid=inc-model-river]') !== null",
        json!([]),
    );
    let modelled_at = yingji(&drill, &["drill", "clock"])["elapsed_min"].as_f64().unwrap();

    // Replay at minute 1: nothing delivered, the gate open; after the closing: both injects, shut.
    until_minute(&drill, modelled_at.max(closed_at) + 3.0);
    s.script("document.querySelector('[data-testid=nav-drill]').click(); return true", json!([]));
    s.wait_for("the drill page", "return document.querySelector('[data-testid=drill-tab-replay]') !== null", json!([]));
    s.script("document.querySelector('[data-testid=drill-tab-replay]').click(); return true", json!([]));
    s.wait_for(
        "the replay map",
        "return document.querySelector('[data-testid=drill-replay-map]')?.dataset.ready === 'true'",
        json!([]),
    );
    let set = "const r = document.querySelector('[data-testid=drill-replay-slider]'); r.value = String(arguments[0]);
               r.dispatchEvent(new Event('input')); return true";
    s.script(set, json!([1]));
    let at1 = s.wait_for(
        "the map at minute 1",
        "const at = document.querySelector('[data-testid=drill-replay-at]').textContent;
         const m = document.querySelector('[data-testid=drill-replay-map]').dataset;
         return at.includes('第 1 分钟') && m.minute === '1' ? [m.worksOpen, m.worksClosed, m.incidentStatus] : null",
        json!([]),
    );
    assert_eq!(at1, json!(["淮安水利枢纽", "", "open"]));
    assert_eq!(
        s.script("return document.querySelector('[data-testid=drill-replay-map]').dataset.riverPaths", json!([])),
        json!("0")
    );
    assert_eq!(
        s.script("return document.querySelector('[data-testid=drill-replay-injects]') === null", json!([])),
        json!(true)
    );
    let tier1 = s.text(&s.find("[data-testid=drill-replay-status]"));
    assert!(!tier1.contains("较大"), "not confirmed at minute 1: {tier1}");
    s.screenshot(&shots.join("drill-replay-map-1.png"));
    // Between the closing and the model run: the gate shut, no river path yet.
    if modelled_at.floor() > closed_at.ceil() {
        let m = closed_at.ceil() as i64;
        s.script(set, json!([m]));
        let between = s.wait_for(
            "the map between the closing and the model run",
            "const m = document.querySelector('[data-testid=drill-replay-map]').dataset;
             return m.minute === String(arguments[0]) ? [m.worksClosed, m.riverPaths] : null",
            json!([m]),
        );
        assert_eq!(between, json!(["淮安水利枢纽", "0"]));
    }
    let later = (modelled_at.max(closed_at).ceil() as i64) + 1;
    s.script(set, json!([later]));
    let after = s.wait_for(
        "the map after the gate closed and the model run",
        "const m = document.querySelector('[data-testid=drill-replay-map]').dataset;
         const p = document.querySelector('[data-testid=drill-replay]').dataset;
         return m.minute === String(arguments[0]) && p.minute === String(arguments[0]) ? [m.worksOpen, m.worksClosed] : null",
        json!([later]),
    );
    assert_eq!(after, json!(["", "淮安水利枢纽"]));
    let paths = s.wait_for(
        "the river path of the model run",
        "const n = Number(document.querySelector('[data-testid=drill-replay-map]').dataset.riverPaths); return n > 0 ? n : null",
        json!([]),
    );
    assert!(paths.as_u64().unwrap() > 0);
    let models = s.text(&s.find("[data-testid=drill-replay-models]"));
    assert!(models.contains("模型运行 1 次"), "{models}");
    let injects = s.wait_for(
        "the injects delivered by then",
        "const l = document.querySelectorAll('[data-testid=drill-replay-injects] li'); return l.length || null",
        json!([]),
    );
    assert_eq!(injects, json!(2));
    let tier = s.text(&s.find("[data-testid=drill-replay-status]"));
    assert!(tier.contains("较大"), "{tier}");
    std::thread::sleep(std::time::Duration::from_millis(800));
    s.screenshot(&shots.join("drill-replay-map-after.png"));
}
