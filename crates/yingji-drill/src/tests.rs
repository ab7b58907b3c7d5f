use time::{macros::datetime, Duration};
use yingji_incident::{
    self as inc,
    report::{self, ReportKind, ReportStatus},
    IncidentType, LogKind,
};
use yingji_store::Store;

use crate::{
    clock::DrillClock,
    evaluate::{evaluate, InjectOutcome},
    replay::replay,
    testutil::{demo_replica, scenario, tempdir, ManualClock},
    *,
};

fn opts() -> StartOptions {
    StartOptions { speed: 60, paused: false, started_by: "导调 张华".into() }
}

fn started() -> (std::path::PathBuf, std::sync::Arc<ManualClock>, Drill) {
    let replica = demo_replica();
    let db = tempdir().join("drill.db");
    let real = std::sync::Arc::new(ManualClock::new());
    let d = start(&replica, &db, &scenario(), &opts(), real.as_ref()).unwrap();
    (db, real, d)
}

#[test]
fn a_drill_is_its_own_database_and_takes_only_exercises() {
    let replica = demo_replica();
    let db = tempdir().join("drill.db");
    let real = ManualClock::new();
    let d = start(&replica, &db, &scenario(), &opts(), &real).unwrap();
    // The replica is untouched and not a drill.
    let r = Store::open(&replica).unwrap();
    assert_eq!(drill_id(r.conn()).unwrap(), None);
    assert_eq!(r.conn().query_row("SELECT count(*) FROM incidents", [], |r| r.get::<_, i64>(0)).unwrap(), 0);
    drop(r);
    // The copy is: the scenario's incident is an exercise, received at the drill's start.
    let mut store = Store::open(&db).unwrap();
    assert_eq!(drill_id(store.conn()).unwrap().as_deref(), Some(d.id.as_str()));
    let i = inc::get(store.conn(), &d.incident_id).unwrap();
    assert!(i.exercise);
    assert_eq!(i.created_at, "2027-01-14T18:00:00Z");
    assert_eq!(i.occurred_at, "2027-01-14T17:50:00Z");
    // A player who forgets the exercise flag still creates an exercise.
    let tx = store.transaction().unwrap();
    let mut new = inc::NewIncident {
        name: "另一起".into(),
        incident_type: IncidentType::Water,
        lat: 32.2,
        lon: 119.45,
        region_code: None,
        risk_source_id: None,
        source_description: String::new(),
        occurred_at: None,
        reported_by: "值班员".into(),
        exercise: false,
        pollutants: vec![],
    };
    let second = inc::create(&tx, &real, &new).unwrap();
    assert!(second.exercise);
    assert!(inc::log_of(&tx, &second.id).unwrap()[0].body.contains("【演练】"));
    // Written past the core, the database itself refuses a real incident.
    new.name = "x".into();
    let err = tx
        .execute(
            "INSERT INTO incidents (id, region_code, name, incident_type, lat, lon, occurred_at, reported_by, status, exercise, data_source, created_at, updated_at)
             VALUES ('x', ?1, 'x', 'water', 32, 119, 't', 'a', 'open', 0, 'console', 't', 't')",
            [&i.region_code],
        )
        .unwrap_err();
    assert!(err.to_string().contains("drill database"), "{err}");
    drop(tx);
    // Never over an existing file, never from a drill.
    assert!(matches!(start(&replica, &db, &scenario(), &opts(), &real), Err(DrillError::Exists { .. })));
    let again = tempdir().join("again.db");
    assert!(matches!(start(&db, &again, &scenario(), &opts(), &real), Err(DrillError::AlreadyADrill { .. })));
}

#[test]
fn the_clock_stamps_incident_actions_in_drill_time_and_pauses() {
    let (db, real, d) = started();
    let clock = DrillClock::open(&db, &d.id, real.clone()).unwrap();
    let mut store = Store::open(&db).unwrap();
    real.advance(Duration::seconds(10)); // ×60: 10 drill minutes
    assert_eq!(clock.now(), datetime!(2027-01-14 18:10 UTC));
    let tx = store.transaction().unwrap();
    let e = inc::log(&tx, &clock, &d.incident_id, LogKind::Decision, "指挥长", "启动应急响应").unwrap();
    assert_eq!(e.recorded_at, "2027-01-14T18:10:00Z");
    set_clock(&tx, real.as_ref(), ClockAction::Pause, None, "导调").unwrap();
    tx.commit().unwrap();
    real.advance(Duration::minutes(30));
    assert_eq!(clock.now(), datetime!(2027-01-14 18:10 UTC), "paused: the drill time stands");
    let tx = store.transaction().unwrap();
    set_clock(&tx, real.as_ref(), ClockAction::Speed, Some(1), "导调").unwrap();
    set_clock(&tx, real.as_ref(), ClockAction::Resume, None, "导调").unwrap();
    tx.commit().unwrap();
    real.advance(Duration::seconds(90));
    assert_eq!(clock.now(), datetime!(2027-01-14 18:11:30 UTC));
    let v = clock_view(store.conn(), real.as_ref()).unwrap();
    assert_eq!((v.speed, v.running, v.ended), (1, true, false));
    assert_eq!(v.elapsed_min, 11.5);
}

#[test]
fn injects_are_delivered_once_when_their_time_comes() {
    let (db, real, _) = started();
    let mut a = Store::open(&db).unwrap();
    let mut b = Store::open(&db).unwrap(); // a second console on the same drill
    real.advance(Duration::seconds(4)); // drill minute 4: nothing due
    let tx = a.transaction().unwrap();
    assert!(deliver_due(&tx, real.as_ref()).unwrap().is_empty());
    tx.commit().unwrap();
    real.advance(Duration::seconds(12)); // minute 16: two due
    let tx = a.transaction().unwrap();
    let got: Vec<String> = deliver_due(&tx, real.as_ref()).unwrap().into_iter().map(|i| i.id).collect();
    assert_eq!(got, ["reading-1", "media-1"]);
    tx.commit().unwrap();
    let tx = b.transaction().unwrap();
    assert!(deliver_due(&tx, real.as_ref()).unwrap().is_empty(), "the other console delivers nothing twice");
    tx.commit().unwrap();
    real.advance(Duration::minutes(5)); // long past the end
    let tx = b.transaction().unwrap();
    assert_eq!(deliver_due(&tx, real.as_ref()).unwrap().len(), 2);
    tx.commit().unwrap();
    let f = feed(a.conn()).unwrap();
    assert_eq!(f.iter().filter(|e| e.kind == "inject").count(), 4);
    assert_eq!(f.iter().filter(|e| e.kind == "end").count(), 1);
    let reading = f.iter().find(|e| e.inject_id.as_deref() == Some("reading-1")).unwrap();
    assert_eq!(reading.drill_at, "2027-01-14T18:05:00.000000Z", "delivered at its drill time");
    let v = clock_view(a.conn(), real.as_ref()).unwrap();
    assert!(v.ended && !v.running);
    assert_eq!(v.drill_now, "2027-01-14T19:00:00Z");
    let tx = a.transaction().unwrap();
    assert!(matches!(set_clock(&tx, real.as_ref(), ClockAction::Resume, None, "导调"), Err(DrillError::Ended)));
}

#[test]
fn evaluation_and_replay_of_a_scripted_drill() {
    let (db, real, d) = started();
    let clock = DrillClock::open(&db, &d.id, real.clone()).unwrap();
    let mut store = Store::open(&db).unwrap();
    let step = |store: &mut Store, secs: i64, f: &dyn Fn(&rusqlite::Transaction<'_>)| {
        real.advance(Duration::seconds(secs));
        let tx = store.transaction().unwrap();
        deliver_due(&tx, real.as_ref()).unwrap();
        f(&tx);
        tx.commit().unwrap();
    };
    let id = d.incident_id.clone();
    // Minute 8: a decision after the reading (inject at 5, expected within 15).
    step(&mut store, 8, &|tx| {
        inc::log(tx, &clock, &id, LogKind::Decision, "指挥长", "启动三级响应，通知下游水厂").unwrap();
    });
    // Minute 20: the initial report drafted and sent (deadline for 较大: 4 h after 02:00).
    step(&mut store, 12, &|tx| {
        let r = report::save(tx, &clock, &id, ReportKind::Initial, None, "值班员").unwrap();
        report::mark(tx, &clock, &r.id, ReportStatus::Sent, "值班员").unwrap();
    });
    // Minute 40: 淮安水利枢纽 closed (gate inject at 30, within 20).
    step(&mut store, 20, &|tx| {
        let work: String =
            tx.query_row("SELECT id FROM control_works WHERE name = '淮安水利枢纽'", [], |r| r.get(0)).unwrap();
        inc::gate::close_control_work(tx, &clock, &id, &work, "指挥长", "手动关闭 2 号闸门").unwrap();
    });
    // One team ordered at minute 42; the team-delayed inject at 45 gets no new order.
    step(&mut store, 2, &|tx| {
        let team: String = tx.query_row("SELECT id FROM teams ORDER BY id LIMIT 1", [], |r| r.get(0)).unwrap();
        inc::order_team(tx, &clock, &id, &team, "下游布设监测点", "指挥长").unwrap();
    });
    step(&mut store, 30, &|_| {}); // to the end
    let now = clock.now();
    assert_eq!(now, datetime!(2027-01-14 19:00 UTC));
    let e = evaluate(store.conn(), now).unwrap();
    let f = &e.first_report;
    assert_eq!((f.tier.as_str(), f.tier_confirmed), ("larger", false));
    assert_eq!(f.deadline_min, 240.0);
    assert_eq!(f.sent_min, Some(20.0));
    assert_eq!(f.margin_min, Some(220.0));
    assert!(f.met);
    let g = e.gates.iter().find(|g| g.name == "淮安水利枢纽").expect("the plume reaches the works");
    assert!(g.needed);
    assert_eq!(g.closed_min, Some(50.0), "closed 50 min after the release (10 min before the alarm)");
    let arrival = g.plume_arrival_min.unwrap();
    assert!(arrival > 100.0, "the works are about 2 h downstream: {arrival}");
    assert!((g.margin_min.unwrap() - (arrival - 50.0)).abs() <= 0.1, "margin = arrival − closing");
    assert!(g.in_time);
    assert_eq!((e.resources.teams_called, e.resources.teams_needed), (1, 2));
    assert_eq!((e.resources.experts_called, e.resources.experts_needed), (0, 1));
    assert_eq!(e.resources.materials[0].allocated, 0.0);
    let outcomes: Vec<(&str, InjectOutcome)> = e.injects.iter().map(|i| (i.id.as_str(), i.outcome)).collect();
    assert_eq!(
        outcomes,
        [
            ("reading-1", InjectOutcome::Met),
            ("media-1", InjectOutcome::Met),
            ("gate-1", InjectOutcome::Met),
            ("team-1", InjectOutcome::Missed)
        ]
    );
    assert_eq!(e.injects_missed, 1);
    assert_eq!(e.injects[0].response_min, Some(3.0));
    // The same drill evaluated at minute 30: the gate is not closed, the team inject not due.
    let mid = evaluate(store.conn(), datetime!(2027-01-14 18:30 UTC)).unwrap();
    assert_eq!(mid.injects[3].outcome, InjectOutcome::NotDue);
    assert_eq!(mid.injects[2].outcome, InjectOutcome::Pending);
    assert!(mid.gates.iter().find(|g| g.name == "淮安水利枢纽").unwrap().closed_at.is_none());
    let (title, body) = evaluate::to_text(&e);
    assert!(title.contains("演练") && body.contains("淮安水利枢纽") && body.contains("未响应"), "{body}");

    // Replay at minute 25: the decision and the sent report, no gate, no order, two injects.
    let r = replay::replay(store.conn(), datetime!(2027-01-14 18:25 UTC)).unwrap();
    assert_eq!(r.log.iter().map(|e| e.kind).collect::<Vec<_>>(), [LogKind::Alarm, LogKind::Decision, LogKind::Report]);
    assert_eq!(r.reports.len(), 1);
    assert_eq!(r.reports[0].status, Some(ReportStatus::Sent));
    assert!(r.orders.is_empty() && r.gates_closed.is_empty());
    assert_eq!(r.injects.len(), 2);
    // The map: the gate to close is there, where the works are, still open at minute 25.
    let w = r.works.iter().find(|w| w.name == "淮安水利枢纽").expect("the scenario's gate is on the map");
    assert!(w.needed && w.closed_at.is_none());
    let (lat, lon): (f64, f64) = store
        .conn()
        .query_row("SELECT lat, lon FROM control_works WHERE name = '淮安水利枢纽'", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((w.lat, w.lon), (lat, lon));
    // Replay at minute 10: the report does not exist yet.
    let r = replay(store.conn(), datetime!(2027-01-14 18:10 UTC)).unwrap();
    assert!(r.reports.is_empty());
    assert_eq!(r.log.len(), 2);
    // At the end: everything.
    let r = replay(store.conn(), now).unwrap();
    assert_eq!((r.orders.len(), r.gates_closed.len(), r.injects.len()), (1, 1, 4));
    let w = r.works.iter().find(|w| w.name == "淮安水利枢纽").unwrap();
    assert_eq!(w.closed_at.as_deref(), Some(r.gates_closed[0].closed_at.as_str()));
    assert_eq!(r.works.len(), 1, "a closed work that is also needed is drawn once");
}

#[test]
fn a_scenario_lists_every_problem_in_form_order() {
    let mut s = scenario();
    assert!(s.problems().is_empty());
    s.title = " ".into();
    s.incident.lat = 95.0;
    s.incident.incident_type = "flood".into();
    s.expected_tier = Some("huge".into());
    s.injects[1].at_min = 61;
    s.injects[2].id = s.injects[0].id.clone();
    let p = s.problems();
    let fields: Vec<(&str, Option<usize>)> = p.iter().map(|p| (p.field, p.inject)).collect();
    assert_eq!(
        fields,
        [
            ("title", None),
            ("incident.incident_type", None),
            ("incident.position", None),
            ("expected_tier", None),
            ("injects", Some(1)),
            ("injects", Some(2))
        ]
    );
    assert!(p[2].message_zh.contains("WGS-84"));
    // validate() refuses with the first.
    match s.validate() {
        Err(DrillError::Invalid { field, message_zh, .. }) => {
            assert_eq!(field, "title");
            assert!(message_zh.contains("演练名称"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_malformed_scenario_is_explained_in_chinese_with_its_place() {
    let zh = |text: &str| match Scenario::parse(text) {
        Err(DrillError::Invalid { message_zh, .. }) => message_zh,
        other => panic!("{other:?}"),
    };
    let good = scenario().to_json();
    // A syntax error, an early end, an unknown field and a wrong type; a missing field below.
    let broken = good.replacen("\"title\":", "\"title\"", 1);
    let renamed = good.replacen("\"start_at\"", "\"start_at_\"", 1);
    let wrong_type =
        good.replacen(&format!("\"duration_min\": {}", scenario().duration_min), "\"duration_min\": \"两小时\"", 1);
    assert_ne!(wrong_type, good, "the test scenario has the field the test changes");
    let title_line = good.lines().position(|l| l.contains("\"title\":")).unwrap() + 1;
    let at_title = format!("第 {title_line} 行");
    let half = good.char_indices().nth(good.chars().count() / 2).unwrap().0;
    let cases = [
        (broken.as_str(), at_title.as_str(), "不是有效的 JSON"),
        (&good[..half], "行", "意外结束"),
        (renamed.as_str(), "start_at_", "未知字段"),
        (wrong_type.as_str(), "行", "值类型不对"),
    ];
    for (text, place, what) in cases {
        let m = zh(text);
        assert!(m.contains(place) && m.contains(what), "{m}");
        // None of serde's English words.
        for word in ["expected", "line", "column", "missing", "unknown", "invalid"] {
            assert!(!m.contains(word), "{m}");
        }
    }
    let without_title = {
        let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
        v.as_object_mut().unwrap().remove("title");
        v.to_string()
    };
    assert!(zh(&without_title).contains("缺少字段 title"), "{}", zh(&without_title));
}

#[test]
fn the_built_in_scenarios_parse_and_sorting_orders_injects_by_minute() {
    for (name, text) in scenario::BUILT_IN {
        let s = Scenario::parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!s.injects.is_empty(), "{name}");
    }
    let mut s = scenario();
    s.injects.reverse();
    s.sort_injects();
    let mins: Vec<u32> = s.injects.iter().map(|i| i.at_min).collect();
    assert_eq!(mins, [5, 15, 30, 45]);
}

#[test]
fn replay_shows_the_incidents_players_opened_only_from_when_they_did() {
    let (db, real, d) = started();
    let clock = DrillClock::open(&db, &d.id, real.clone()).unwrap();
    let mut store = Store::open(&db).unwrap();
    real.advance(Duration::seconds(10)); // ×60: minute 10
    let tx = store.transaction().unwrap();
    let other = inc::create(
        &tx,
        &clock,
        &inc::NewIncident {
            name: "下游又报一起".into(),
            incident_type: IncidentType::Water,
            lat: 33.4,
            lon: 119.2,
            region_code: None,
            risk_source_id: None,
            source_description: String::new(),
            occurred_at: None,
            reported_by: "值班员".into(),
            exercise: true,
            pollutants: vec![],
        },
    )
    .unwrap();
    tx.commit().unwrap();
    let r = replay(store.conn(), datetime!(2027-01-14 18:05 UTC)).unwrap();
    assert!(r.other_incidents.is_empty());
    assert!(r.model_runs.is_empty());
    let r = replay(store.conn(), datetime!(2027-01-14 18:15 UTC)).unwrap();
    assert_eq!(r.other_incidents.len(), 1);
    assert_eq!((r.other_incidents[0].id.as_str(), r.other_incidents[0].closed), (other.id.as_str(), false));
    assert_eq!((r.other_incidents[0].lat, r.other_incidents[0].lon), (33.4, 119.2));
}
