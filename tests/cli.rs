//! The `yingji` binary as county IT staff script it: exit codes, JSON out, messages.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

use serde_json::Value;
use yingji_tests::built_binary;

fn yingji(args: &[&str]) -> Output {
    Command::new(built_binary("yingji")).args(args).env("YINGJI_LANG", "en").output().unwrap()
}

fn json(out: &Output) -> Value {
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn demo(dir: &Path) -> PathBuf {
    let db = dir.join("demo.db");
    let out = yingji(&["init", "--demo", db.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    db
}

#[test]
fn init_demo_then_stats_prints_counts_per_table() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let stats = json(&yingji(&["stats", "--json", db.to_str().unwrap()]));
    assert_eq!(stats["teams"], 150);
    assert_eq!(stats["experts"], 400);
    assert_eq!(stats["warehouses"], 60);
    assert_eq!(stats["stock_items"], 2000);
    assert!(stats["risk_sources"].as_u64().unwrap() >= 400);
    assert!(stats["river_reaches"].as_u64().unwrap() > 100);
    // Same seed, same counts; init refuses to overwrite.
    let again = yingji(&["init", "--demo", db.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("already exists"), "{}", stderr(&again));
}

#[test]
fn a_non_database_file_is_refused_in_the_users_language_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("teams.db");
    std::fs::write(&path, "名称,电话\n").unwrap();
    let out = yingji(&["stats", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("is not a SQLite database"), "{}", stderr(&out));
    // Chinese unless the user asks for English (LANG or YINGJI_LANG starting with "en").
    let zh = Command::new(built_binary("yingji"))
        .args(["stats", path.to_str().unwrap()])
        .env("LANG", "C.UTF-8")
        .env_remove("YINGJI_LANG")
        .output()
        .unwrap();
    assert!(stderr(&zh).contains("不是 SQLite 数据库"), "{}", stderr(&zh));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "名称,电话\n");
}

#[test]
fn query_near_groups_by_kind_nearest_first() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let db = db.to_str().unwrap();
    // Nanjing Jiangbei New Materials park, where the demo clusters enterprises.
    let all = json(&yingji(&["query", "near", "--db", db, "--lat", "32.27", "--lon", "118.80", "--radius-km", "15"]));
    let groups = all["groups"].as_array().unwrap();
    assert!(groups.iter().any(|g| g["kind"] == "risk_source"));
    for g in groups {
        let d: Vec<f64> = g["items"].as_array().unwrap().iter().map(|i| i["distance_m"].as_f64().unwrap()).collect();
        assert_eq!(g["count"].as_u64().unwrap() as usize, d.len());
        assert!(d.windows(2).all(|w| w[0] <= w[1]), "not sorted: {d:?}");
        assert!(d.iter().all(|m| *m <= 15_000.0));
    }
    let nearest = json(&yingji(&[
        "query",
        "near",
        "--db",
        db,
        "--lat",
        "32.27",
        "--lon",
        "118.80",
        "--radius-km",
        "200",
        "--kind",
        "warehouse",
        "--nearest",
        "5",
    ]));
    assert_eq!(nearest["groups"][0]["items"].as_array().unwrap().len(), 5);
    // The 3 nearest warehouses holding activated carbon, nearest first, every line holding some.
    let carbon = json(&yingji(&[
        "query",
        "near",
        "--db",
        db,
        "--lat",
        "32.27",
        "--lon",
        "118.80",
        "--nearest",
        "3",
        "--holding",
        "活性炭",
    ]));
    let lines = carbon.as_array().unwrap();
    let houses: std::collections::BTreeSet<&str> = lines.iter().map(|l| l["warehouse_id"].as_str().unwrap()).collect();
    assert_eq!(houses.len(), 3, "{carbon}");
    assert!(lines
        .iter()
        .all(|l| l["item_name"].as_str().unwrap().contains("活性炭") && l["quantity"].as_f64().unwrap() > 0.0));
    let d: Vec<f64> = lines.iter().map(|l| l["distance_m"].as_f64().unwrap()).collect();
    assert!(d.windows(2).all(|w| w[0] <= w[1]), "{d:?}");
    let bad = yingji(&["query", "near", "--db", db, "--lat", "95", "--lon", "118.8", "--radius-km", "5"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("latitude"), "{}", stderr(&bad));
}

#[test]
fn query_search_finds_chemicals_and_short_chinese_names() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let hits = json(&yingji(&["query", "search", "--db", db.to_str().unwrap(), "氯气"]));
    let hits = hits.as_array().unwrap();
    assert!(hits.iter().any(|h| h["kind"] == "risk_source" && h["matched"] == "氯气"), "{hits:?}");
    let by_cas = json(&yingji(&["query", "search", "--db", db.to_str().unwrap(), "7782-50-5"]));
    assert!(!by_cas.as_array().unwrap().is_empty());
    let places = json(&yingji(&["query", "search", "--db", db.to_str().unwrap(), "nanjing"]));
    assert!(places.as_array().unwrap().iter().any(|h| h["name"] == "南京市"));
}

const TEAMS_CSV: &str = "名称,区划代码,类型,人数,专长,联系人,电话,纬度,经度
江宁区第二危化品处置队,320115,危化品处置,24,堵漏、洗消,李强,138-0000-1111,31.95,118.84
六合区水上溢油队,320116,水上溢油,15,溢油围控,王敏,138-0000-2222,32.34,118.83
";

#[test]
fn import_csv_all_or_nothing_then_skip_bad_then_update() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let db = db.to_str().unwrap();
    let count = |name: &str| -> usize {
        let v = json(&yingji(&["query", "search", "--db", db, name]));
        v.as_array().unwrap().iter().filter(|h| h["name"] == name).count()
    };

    // Two good rows and two bad ones: nothing is imported, each bad row is named.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!(
            "{TEAMS_CSV}错误区划队,999999,危化品处置,10,,,,32.0,118.8\n坐标颠倒队,320115,消防救援,10,,,,118.8,32.0\n"
        ),
    )
    .unwrap();
    let out = yingji(&["import", "--db", db, bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("row 4") && err.contains("999999"), "{err}");
    assert!(err.contains("row 5") && err.contains("swapped"), "{err}");
    assert_eq!(count("江宁区第二危化品处置队"), 0);

    // --skip-bad imports the good rows and reports the bad ones.
    let report = json(&yingji(&["import", "--db", db, bad.to_str().unwrap(), "--skip-bad"]));
    assert_eq!(report["kind"], "teams");
    assert_eq!(report["inserted"], 2);
    assert_eq!(report["skipped"].as_array().unwrap().len(), 2);
    assert_eq!(count("江宁区第二危化品处置队"), 1);

    // Importing the corrected list again updates, never duplicates.
    let good = dir.path().join("good.csv");
    std::fs::write(&good, TEAMS_CSV.replace(",24,", ",30,")).unwrap();
    let report = json(&yingji(&["import", "--db", db, good.to_str().unwrap()]));
    assert_eq!((report["inserted"].as_u64(), report["updated"].as_u64()), (Some(0), Some(2)));
    assert_eq!(count("江宁区第二危化品处置队"), 1);
}

#[test]
fn import_xlsx_stock_becomes_ledger_entries() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let db = db.to_str().unwrap();
    let write = |path: &Path, quantity: f64| {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in ["物资库", "物资名称", "类别", "规格", "数量", "单位", "有效期"].iter().enumerate()
        {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        for (c, v) in ["南京市环境应急物资储备库", "活性炭（测试）", "污染物降解", "颗粒", "", "吨", "2028-06-30"]
            .iter()
            .enumerate()
        {
            sheet.write_string(1, c as u16, *v).unwrap();
        }
        sheet.write_number(1, 4, quantity).unwrap();
        book.save(path).unwrap();
    };
    let file = dir.path().join("stock.xlsx");
    write(&file, 20.0);
    let report = json(&yingji(&["import", "--db", db, file.to_str().unwrap()]));
    assert_eq!((report["kind"].as_str(), report["inserted"].as_u64()), (Some("stock"), Some(1)));
    // A new count of the same line is a stock-take correction, not an overwrite.
    write(&file, 17.5);
    let report = json(&yingji(&["import", "--db", db, file.to_str().unwrap()]));
    assert_eq!(report["updated"], 1);
    let console = yingji_api::Console::open(Path::new(db)).unwrap();
    let (id, quantity, entries): (String, f64, i64) = console
        .store()
        .conn()
        .query_row(
            "SELECT s.id, (SELECT SUM(quantity_delta) FROM stock_ledger WHERE stock_item_id = s.id),
                    (SELECT count(*) FROM stock_ledger WHERE stock_item_id = s.id)
             FROM stock_items s WHERE s.name = '活性炭（测试）'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((quantity, entries), (17.5, 2), "{id}");
}

#[test]
fn model_run_answers_json_and_refuses_bad_input_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let req = dir.path().join("req.json");
    std::fs::write(&req, r#"{"model":"sigma","set":"isc3_rural","stability":"D","x_m":1000}"#).unwrap();
    let ok = json(&yingji(&["model", "run", req.to_str().unwrap()]));
    assert!(ok["sigma_y_m"].as_f64().unwrap() > 0.0);
    for (body, field) in [
        (r#"{"model":"sigma","set":"isc3_rural","stability":"Q","x_m":1000}"#, "stability"),
        (r#"{"model":"sigma","set":"isc3_rural","stability":"D"}"#, "x_m"),
        (r#"{"model":"nothing"}"#, "model"),
        ("not json", ""),
    ] {
        std::fs::write(&req, body).unwrap();
        let out = yingji(&["model", "run", req.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{body}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["error"]["field"], field, "{body}: {v}");
        assert!(v.get("sigma_y_m").is_none());
    }
}

#[test]
fn model_spill_routes_a_spill_through_the_demo_network() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let db = db.to_str().unwrap();
    // 5 t into the Grand Canal above Huai'an; 0.01 mg/L (benzene, GB 3838-2002 Table 3).
    let r = json(&yingji(&[
        "model",
        "spill",
        "--db",
        db,
        "--lat",
        "33.64",
        "--lon",
        "118.87",
        "--mass-kg",
        "5000",
        "--threshold-mg-l",
        "0.01",
    ]));
    assert!(r["release_reach_id"].as_str().unwrap().starts_with("reach-grand_canal_north"));
    let intakes = r["affected_intakes"].as_array().unwrap();
    assert!(intakes.len() >= 3, "{r}");
    assert!(!r["interceptions"].as_array().unwrap().is_empty());
    let far = yingji(&[
        "model",
        "spill",
        "--db",
        db,
        "--lat",
        "30.0",
        "--lon",
        "124.5",
        "--mass-kg",
        "1",
        "--threshold-mg-l",
        "0.01",
    ]);
    assert_eq!(far.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&far.stdout).unwrap();
    assert!(v["error"]["message"].as_str().unwrap().contains("no river reach"));
}

/// Runs saved from the map's model panel are listed by `yingji model runs`, newest first.
#[test]
fn model_runs_lists_the_saved_runs() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let empty = yingji(&["model", "runs", "--db", db.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&empty.stdout).contains("no saved model runs"), "{}", stderr(&empty));
    let mut console = yingji_api::Console::open(&db).unwrap();
    let run = console
        .river_spill_run(&yingji_api::RiverRunInput {
            lat: 33.64,
            lon: 118.87,
            place: "淮安".into(),
            region_code: None,
            substance: "苯".into(),
            cas: Some("71-43-2".into()),
            threshold_mg_l: 0.01,
            release: yingji_api::RiverReleaseInput::Continuous { rate_kg_s: 1.0, duration_s: 3600.0 },
            decay_per_s: 0.0,
            label: Some("drill".into()),
        })
        .unwrap();
    drop(console);
    let runs = json(&yingji(&["model", "runs", "--db", db.to_str().unwrap(), "--json"]));
    let runs = runs.as_array().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["id"], run.run_id.as_str());
    assert_eq!(runs[0]["kind"], "river_spill");
    assert_eq!(runs[0]["inputs"]["input"]["release"]["duration_s"], 3600.0);
    assert_eq!(runs[0]["label"], "drill");
    let text = yingji(&["model", "runs", "--db", db.to_str().unwrap()]);
    let line = String::from_utf8_lossy(&text.stdout).into_owned();
    assert!(line.contains(&run.run_id) && line.contains("river spill") && line.contains("[drill]"), "{line}");
}

#[test]
fn chem_search_and_show_on_a_plain_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("plain.db");
    assert!(yingji(&["init", db.to_str().unwrap()]).status.success());
    let db = db.to_str().unwrap();
    let hits = json(&yingji(&["chem", "search", "烯腈", "--db", db, "--json"]));
    assert!(hits.as_array().unwrap().iter().any(|h| h["cas"] == "107-13-1"), "{hits}");
    let by_un = json(&yingji(&["chem", "search", "UN1017", "--db", db, "--json"]));
    assert_eq!(by_un[0]["cas"], "7782-50-5");
    let chlorine = json(&yingji(&["chem", "show", "7782-50-5", "--db", db]));
    assert_eq!(chlorine["name_en"], "Chlorine");
    assert_eq!(chlorine["gas_denser_than_air"], true);
    assert!(!chlorine["levels"].as_array().unwrap().is_empty());
    let bad = yingji(&["chem", "show", "71-43-3", "--db", db]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("not a valid CAS number"));
    let missing = yingji(&["chem", "show", "58-08-2", "--db", db]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("no chemical with CAS number"));
}
