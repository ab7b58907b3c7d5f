//! Preparedness through the `yingji` command line, as a county would script it: plans and their
//! overdue revisions, a plan card as JSON and as a one-page PDF, an inspection finding moved
//! round its loop, and the case library.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

use serde_json::Value;
use yingji_api::{Console, ResourceKind, ResourceQuery};
use yingji_tests::{built_binary, target_dir};

fn yingji(db: &Path, args: &[&str]) -> Output {
    Command::new(built_binary("yingji")).args(args).env("YINGJI_LANG", "en").env("YINGJI_DB", db).output().unwrap()
}

fn json(out: Output) -> Value {
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn refused(out: Output) -> String {
    assert_eq!(out.status.code(), Some(2), "expected a refusal (exit 2): {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn demo(dir: &Path) -> PathBuf {
    let db = dir.join("demo.db");
    let out = Command::new(built_binary("yingji")).args(["init", "--demo", db.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    db
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

#[test]
fn plans_overdue_per_region_then_a_plan_is_added_filed_and_attached() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let overdue = json(yingji(&db, &["plan", "overdue", "--json"]));
    let plans = overdue["plans"].as_array().unwrap();
    assert!(!plans.is_empty(), "the demo has plans issued more than three years ago");
    assert!(plans.iter().all(|p| p["revision_state"] == "overdue" && p["days_overdue"].as_i64().unwrap() > 0));
    let per_region: i64 = overdue["regions"].as_array().unwrap().iter().map(|r| r["overdue"].as_i64().unwrap()).sum();
    assert_eq!(per_region as usize, plans.len());
    // A city's overdue list holds its counties' plans and nothing else.
    let nanjing = json(yingji(&db, &["plan", "list", "--overdue", "--region", "320100", "--json"]));
    assert!(nanjing.as_array().unwrap().iter().all(|p| s(&p["region_code"]).starts_with("3201")));

    // A new plan of Jiangning district: drafted, reviewed, filed.
    let plan = json(yingji(
        &db,
        &[
            "plan",
            "add",
            "--subject-kind",
            "county",
            "--subject-id",
            "320115",
            "--title",
            "江宁区突发环境事件应急预案（2026年修订）",
        ],
    ));
    let id = s(&plan["id"]).to_owned();
    assert_eq!((plan["status"].as_str(), plan["revision_state"].as_str()), (Some("drafting"), Some("not_issued")));
    let early =
        refused(yingji(&db, &["plan", "step", &id, "file", "--issued-on", "2026-06-01", "--filed-on", "2026-06-20"]));
    assert!(early.contains("under review"), "{early}");
    json(yingji(&db, &["plan", "step", &id, "review"]));
    let filed = json(yingji(
        &db,
        &[
            "plan",
            "step",
            &id,
            "file",
            "--issued-on",
            "2026-06-01",
            "--filed-on",
            "2026-06-20",
            "--filing-number",
            "320115-2026-001",
        ],
    ));
    assert_eq!(filed["status"], "filed");
    assert_eq!(filed["revision_due_on"], "2029-06-01");

    // The plan document: a DOCX is kept and comes back byte for byte; a wrong or oversized file is refused.
    let docx = dir.path().join("预案.docx");
    // A real Office Open XML package, as the incident reports' writer makes it.
    let zip = yingji_incident::export::report_docx("江宁区突发环境事件应急预案", "正文").unwrap();
    std::fs::write(&docx, &zip).unwrap();
    let a = json(yingji(&db, &["plan", "attach", &id, docx.to_str().unwrap(), "--by", "江宁区生态环境局"]));
    assert_eq!(a["media_type"], "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    let back = dir.path().join("back.docx");
    let out = yingji(&db, &["plan", "export", s(&a["id"]), back.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read(&back).unwrap(), zip);
    let fake = dir.path().join("fake.pdf");
    std::fs::write(&fake, "这不是 PDF").unwrap();
    let why = refused(yingji(&db, &["plan", "attach", &id, fake.to_str().unwrap()]));
    assert!(why.contains("not a PDF or DOCX"), "{why}");
    let big = dir.path().join("big.pdf");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(20 * 1024 * 1024 + 1).unwrap();
    let why = refused(yingji(&db, &["plan", "attach", &id, big.to_str().unwrap()]));
    assert!(why.contains("at most 20971520 bytes"), "{why}");
    let listed = json(yingji(&db, &["plan", "list", "--subject", "320115", "--json"]));
    let mine = listed.as_array().unwrap().iter().find(|p| p["id"] == id.as_str()).unwrap();
    assert_eq!(mine["attachments"].as_array().unwrap().len(), 1);
}

#[test]
fn stats_counts_the_preparedness_and_drill_tables_from_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let stats_of = |db: &Path| json(yingji(db, &["stats", "--json", db.to_str().unwrap()]));
    let count = |sql: &str| -> u64 {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap() as u64
    };
    let before = stats_of(&db);
    for table in [
        "emergency_plans",
        "prep_attachments",
        "inspections",
        "inspection_findings",
        "finding_events",
        "drills",
        "drill_events",
        "incidents",
        "model_runs",
        "teams",
    ] {
        assert_eq!(before[table].as_u64(), Some(count(&format!("SELECT count(*) FROM {table}"))), "{table}: {before}");
    }
    assert!(before["emergency_plans"].as_u64().unwrap() > 0 && before["inspection_findings"].as_u64().unwrap() > 0);
    // Index tables (virtual, shadow) and bookkeeping are not records.
    let keys: Vec<&String> = before.as_object().unwrap().keys().collect();
    for not in
        ["geo_rtree", "geo_rtree_node", "search_fts", "search_fts_data", "sqlite_sequence", "schema_migrations", "meta"]
    {
        assert!(!keys.iter().any(|k| k.as_str() == not), "{not} in {keys:?}");
    }
    // An attachment added is counted at once.
    let plan = json(yingji(&db, &["plan", "list", "--json"]))[0]["id"].as_str().unwrap().to_owned();
    let pdf = dir.path().join("p.pdf");
    std::fs::write(&pdf, b"%PDF-1.4\n%%EOF\n").unwrap();
    json(yingji(&db, &["plan", "attach", &plan, pdf.to_str().unwrap()]));
    let after = stats_of(&db);
    assert_eq!(after["prep_attachments"].as_u64().unwrap(), before["prep_attachments"].as_u64().unwrap() + 1);
}

fn source_in_a_park(db: &Path) -> String {
    let console = Console::open(db).unwrap();
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
    page.items
        .iter()
        .map(|r| r.id.clone())
        .find(|id| {
            let c = console.plan_card(id).unwrap();
            c.park.is_some() && !c.chemicals.is_empty() && c.river.as_ref().is_some_and(|r| !r.intakes.is_empty())
        })
        .expect("a demo enterprise in a park with chemicals and intakes downstream")
}

#[test]
fn a_plan_card_as_json_and_as_a_one_page_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let id = source_in_a_park(&db);
    let card = json(yingji(&db, &["card", &id]));
    assert_eq!(card["risk_source_id"], id.as_str());
    let levels: Vec<&str> = card["containment"].as_array().unwrap().iter().map(|l| s(&l["level"])).collect();
    assert_eq!(levels, ["enterprise", "park", "river"]);
    assert!(!card["river"]["intakes"].as_array().unwrap().is_empty());
    assert_eq!(card["teams"].as_array().unwrap().len(), 3);
    assert!(card["teams"].as_array().unwrap().iter().all(|t| !s(&t["contact_phone"]).is_empty()));

    let out_dir = target_dir().join("prep-screenshots");
    std::fs::create_dir_all(&out_dir).unwrap();
    let pdf = out_dir.join("plan-card.pdf");
    let out = yingji(&db, &["card", &id, "--pdf", pdf.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let info = Command::new("pdfinfo").arg(&pdf).output().expect("pdfinfo (poppler-utils)");
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.lines().any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(" 1")), "{info}");
    // The text is real text in the PDF (searchable), including the source's name.
    let text = Command::new("pdftotext").args([pdf.to_str().unwrap(), "-"]).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains(s(&card["name"])), "{text}");
    assert!(text.contains("三级防控") && text.contains("河流级"), "{text}");
    let png = Command::new("pdftoppm")
        .args(["-png", "-r", "80", "-singlefile", pdf.to_str().unwrap(), out_dir.join("plan-card").to_str().unwrap()])
        .status()
        .unwrap();
    assert!(png.success());
    // In English on request: the same one page, the template's words in English.
    let pdf_en = out_dir.join("plan-card-en.pdf");
    let out = yingji(&db, &["card", &id, "--pdf", pdf_en.to_str().unwrap(), "--lang", "en"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let info = Command::new("pdfinfo").arg(&pdf_en).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.lines().any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(" 1")), "{info}");
    let text = Command::new("pdftotext").args([pdf_en.to_str().unwrap(), "-"]).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Emergency response card") && text.contains("Three levels of containment"), "{text}");
    assert!(text.contains(s(&card["name"])) && !text.contains("三级防控"), "{text}");
    let png = Command::new("pdftoppm")
        .args([
            "-png",
            "-r",
            "80",
            "-singlefile",
            pdf_en.to_str().unwrap(),
            out_dir.join("plan-card-en").to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(png.success());
    let bad = refused(yingji(&db, &["card", &id, "--pdf", pdf_en.to_str().unwrap(), "--lang", "fr"]));
    assert!(bad.contains("zh or en"), "{bad}");
    let unknown = yingji(&db, &["card", "no-such-source"]);
    assert_eq!(unknown.status.code(), Some(1));
}

#[test]
fn an_inspection_finding_goes_round_its_loop() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let id = source_in_a_park(&db);
    let input = dir.path().join("inspection.json");
    std::fs::write(
        &input,
        serde_json::json!({
            "risk_source_id": id,
            "inspected_on": "2026-11-20",
            "inspectors": "县生态环境局 王五",
            "summary": "专项检查",
            "findings": [{
                "description": "雨水排口切换阀失灵",
                "severity": "major",
                "deadline_on": "2026-11-25",
                "owner": "企业安环部 李四",
                "evidence": "现场照片"
            }]
        })
        .to_string(),
    )
    .unwrap();
    let inspection = json(yingji(&db, &["inspect", "record", input.to_str().unwrap(), "--author", "王五"]));
    let finding = s(&inspection["finding_ids"][0]).to_owned();
    let f = json(yingji(&db, &["inspect", "show", &finding]));
    assert_eq!(f["status"], "found");
    // Overdue by the system clock: its deadline has passed (2026-11-25 < today).
    assert_eq!(f["overdue"], true, "{f}");
    let overdue = json(yingji(&db, &["inspect", "findings", "--overdue", "--source", &id, "--json"]));
    assert!(overdue.as_array().unwrap().iter().any(|x| x["id"] == finding.as_str()));
    let skip = refused(yingji(&db, &["inspect", "advance", &finding, "verified", "--author", "王五", "--note", "ok"]));
    assert!(skip.contains("rectifying"), "{skip}");
    let f = json(yingji(
        &db,
        &["inspect", "advance", &finding, "rectifying", "--author", "李四", "--note", "已更换切换阀"],
    ));
    assert_eq!(f["status"], "rectifying");
    let no_evidence = refused(yingji(&db, &["inspect", "advance", &finding, "verified", "--author", "王五"]));
    assert!(no_evidence.contains("evidence"), "{no_evidence}");
    let f = json(yingji(&db, &["inspect", "advance", &finding, "verified", "--author", "王五", "--note", "复查合格"]));
    assert_eq!((f["status"].as_str(), f["overdue"].as_bool()), (Some("verified"), Some(false)));
    assert_eq!(f["events"].as_array().unwrap().len(), 3);
    let board = json(yingji(&db, &["inspect", "dashboard", "--json"]));
    assert!(!board.as_array().unwrap().is_empty(), "the demo has open findings");
    // A photo as evidence: PNG by its bytes.
    let png = dir.path().join("evidence.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0").unwrap();
    let a = json(yingji(&db, &["inspect", "attach", &finding, png.to_str().unwrap(), "--by", "王五"]));
    assert_eq!(a["media_type"], "image/png");
}

#[test]
fn the_case_library_lists_shows_and_matches_an_incident() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let cases = json(yingji(&db, &["case", "list", "--json"]));
    let ids: Vec<&str> = cases.as_array().unwrap().iter().map(|c| s(&c["id"])).collect();
    assert!(ids.contains(&"2005-songhua-nitrobenzene") && ids.contains(&"2019-xiangshui-explosion"), "{ids:?}");
    let songhua = json(yingji(&db, &["case", "show", "2005-songhua-nitrobenzene"]));
    assert!(s(&songhua["source"]).contains("国务院"));
    assert!(!songhua["lessons_zh"].as_array().unwrap().is_empty());
    let inc = json(yingji(
        &db,
        &[
            "incident",
            "new",
            "--name",
            "演练：硝基苯泄漏入河",
            "--type",
            "water",
            "--lat",
            "32.20",
            "--lon",
            "119.45",
            "--reported-by",
            "值班员",
            "--occurred-at",
            "2026-11-29T13:40:00+08:00",
            "--exercise",
            "--pollutant",
            "硝基苯:98-95-3:2000",
        ],
    ));
    let like = json(yingji(&db, &["case", "like", s(&inc["id"])]));
    assert_eq!(like[0]["case"]["id"], "2005-songhua-nitrobenzene");
    assert_eq!(like[0]["shared_pollutants"][0], "硝基苯");
    let missing = yingji(&db, &["case", "show", "nope"]);
    assert_eq!(missing.status.code(), Some(1));
}
