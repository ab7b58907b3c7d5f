//! One incident walked from alarm to closing through the `yingji incident` commands, as a
//! county duty officer would script it; the CAP export is validated against the OASIS schema.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

use serde_json::Value;
use yingji_tests::{built_binary, target_dir};

fn yingji(db: &Path, args: &[&str]) -> Output {
    Command::new(built_binary("yingji"))
        .args(args)
        .env("YINGJI_LANG", "en")
        .env("YINGJI_DB", db)
        .env("YINGJI_AUTHOR", "指挥长 李明")
        .output()
        .unwrap()
}

fn json(out: Output) -> Value {
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
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

/// The OASIS CAP 1.2 schema, fetched by scripts/fetch-cap-schema.sh.
fn cap_schema() -> PathBuf {
    let xsd = target_dir().join("cap/CAP-v1.2-schema.xsd");
    assert!(xsd.exists(), "{} is missing: run scripts/fetch-cap-schema.sh", xsd.display());
    xsd
}

#[test]
fn one_drill_from_alarm_to_closing() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let inc = json(yingji(
        &db,
        &[
            "incident",
            "new",
            "--name",
            "演练：某化工厂苯泄漏入江",
            "--type",
            "water",
            "--lat",
            "32.20",
            "--lon",
            "119.45",
            "--reported-by",
            "值班员 王伟",
            "--occurred-at",
            "2026-11-29T13:40:00+08:00",
            "--exercise",
            "--pollutant",
            "苯:71-43-2:5000",
            "--source",
            "储罐出料阀破裂",
        ],
    ));
    let id = s(&inc["id"]).to_owned();
    assert_eq!(inc["exercise"], true);
    assert!(s(&inc["region_code"]).starts_with("32"));

    // Severity: 6 000 evacuated → 较大 under 附件1 三、(2); the commander confirms; deadlines follow.
    let tier = json(yingji(&db, &["incident", "tier", &id, "--evacuated", "6000", "--confirm", "larger"]));
    assert_eq!(tier["suggestion"]["tier"], "larger");
    assert!(s(&tier["suggestion"]["reasons"][0]["clause"]).contains("附件1 三、(2)"));
    assert_eq!(tier["deadlines"].as_array().unwrap().len(), 1);
    let remaining = tier["deadlines"][0]["remaining_s"].as_i64().unwrap();
    assert!((4 * 3600 - 120..=4 * 3600).contains(&remaining), "{remaining}");
    let major = json(yingji(&db, &["incident", "deadlines", &id, "--tier", "major"]));
    assert_eq!(major.as_array().unwrap().len(), 2, "2 h to the province, then 1 h onward");

    // Support: teams ranked, the first one called and ordered out; its order goes on scene.
    let teams = json(yingji(&db, &["incident", "support", &id, "--kind", "team", "--limit", "5"]));
    let team = s(&teams[0]["id"]).to_owned();
    assert!(!teams[0]["matched"].as_array().unwrap().is_empty());
    json(yingji(&db, &["incident", "call", &id, "--kind", "team", "--target", &team, "--answer", "accepted"]));
    let experts = json(yingji(&db, &["incident", "support", &id, "--kind", "expert", "--limit", "3"]));
    json(yingji(
        &db,
        &["incident", "call", &id, "--kind", "expert", "--target", s(&experts[0]["id"]), "--answer", "no_answer"],
    ));
    let order = json(yingji(&db, &["incident", "order", &id, "--team", &team, "--task", "下游 3 km 布设围油栏"]));
    json(yingji(&db, &["incident", "order", "--order", s(&order["id"]), "--status", "on_scene"]));

    // Materials: nearest first, from as many warehouses as needed; one arrives.
    let cands = json(yingji(&db, &["incident", "dispatch", &id, "--item", "活性炭"]));
    assert!(cands[0]["travel_minutes"].as_f64().unwrap() > 0.0);
    let out = json(yingji(
        &db,
        &[
            "incident",
            "dispatch",
            &id,
            "--item",
            "活性炭",
            "--quantity",
            "30",
            "--unit",
            "吨",
            "--unit-cost-yuan",
            "8000",
        ],
    ));
    assert_eq!(out["shortfall"], 0.0);
    let allocations = out["allocations"].as_array().unwrap();
    let total: f64 = allocations.iter().map(|a| a["quantity"].as_f64().unwrap()).sum();
    assert!((total - 30.0).abs() < 1e-9);
    json(yingji(&db, &["incident", "arrive", s(&allocations[0]["id"])]));

    // A log entry, then its correction.
    let note = json(yingji(&db, &["incident", "log", &id, "--kind", "decision", "--body", "关闭下游 2 号取水口"]));
    let fix = json(yingji(
        &db,
        &["incident", "log", &id, "--corrects", s(&note["id"]), "--body", "更正：关闭下游 3 号取水口"],
    ));
    assert_eq!(fix["corrects_id"], note["id"]);

    // Reports: the initial report drafted, saved, sent and acknowledged.
    let draft = json(yingji(&db, &["incident", "report", "draft", &id, "--kind", "initial"]));
    assert!(s(&draft["title"]).starts_with("【演练】关于演练：某化工厂苯泄漏入江的突发环境事件初报"));
    let saved = json(yingji(&db, &["incident", "report", "save", &id, "--kind", "initial"]));
    for status in ["sent", "received", "acknowledged"] {
        json(yingji(&db, &["incident", "report", "mark", s(&saved["id"]), "--status", status]));
    }

    // Both file formats parse; the PDF carries the Chinese text (its font is embedded).
    let pdf = dir.path().join("initial.pdf");
    let docx = dir.path().join("initial.docx");
    json(yingji(
        &db,
        &["incident", "report", "export", s(&saved["id"]), "--format", "pdf", "--out", pdf.to_str().unwrap()],
    ));
    json(yingji(
        &db,
        &["incident", "report", "export", s(&saved["id"]), "--format", "docx", "--out", docx.to_str().unwrap()],
    ));
    let text = Command::new("pdftotext").arg(&pdf).arg("-").output().expect("pdftotext (poppler-utils) is installed");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("某化工厂苯泄漏入江"), "{text}");
    assert!(text.contains("主要污染物和数量"), "{text}");
    let fonts = Command::new("pdffonts").arg(&pdf).output().unwrap();
    let fonts = String::from_utf8_lossy(&fonts.stdout);
    assert!(fonts.contains("CJK") && fonts.lines().skip(2).all(|l| l.contains(" yes ")), "font not embedded: {fonts}");
    let doc_xml = Command::new("unzip").arg("-p").arg(&docx).arg("word/document.xml").output().unwrap();
    assert!(String::from_utf8_lossy(&doc_xml.stdout).contains("某化工厂苯泄漏入江"));
    docx_renders_with_its_embedded_font_alone(&docx, dir.path());

    // A warning over a 5 km circle, exported as CAP and validated against the OASIS schema.
    let cap = dir.path().join("warning.xml");
    let warning = json(yingji(
        &db,
        &[
            "incident",
            "warn",
            &id,
            "--level",
            "orange",
            "--headline",
            "苯泄漏：下游暂停取水",
            "--radius-m",
            "5000",
            "--area-desc",
            "事发点周边 5 km",
            "--cap",
            cap.to_str().unwrap(),
            "--sender",
            "yingji@320000.example",
        ],
    ));
    assert_eq!(warning["ring"].as_array().unwrap().len(), 33);
    let xml = std::fs::read_to_string(&cap).unwrap();
    assert!(xml.contains("<status>Exercise</status>") && xml.contains("<category>Env</category>"));
    let lint = Command::new("xmllint").args(["--noout", "--schema"]).arg(cap_schema()).arg(&cap).output().unwrap();
    assert!(lint.status.success(), "{}", String::from_utf8_lossy(&lint.stderr));
    // The check has teeth: a status outside CAP's list is refused by the schema.
    let bad = dir.path().join("bad.xml");
    std::fs::write(&bad, xml.replace("<status>Exercise</status>", "<status>Drill</status>")).unwrap();
    let lint = Command::new("xmllint").args(["--noout", "--schema"]).arg(cap_schema()).arg(&bad).output().unwrap();
    assert!(!lint.status.success(), "xmllint accepted an invalid CAP status");

    // Costs, then closing: the summary has the timeline, materials and the loss estimate.
    json(yingji(&db, &["incident", "cost", &id, "--description", "租用清污船", "--amount-yuan", "12000"]));
    let closed = json(yingji(&db, &["incident", "close", &id, "--summary", "泄漏已控制，下游水质恢复达标"]));
    assert_eq!(closed["incident"]["status"], "closed");
    assert_eq!(closed["direct_loss_estimate_yuan"].as_f64().unwrap(), 30.0 * 8000.0 + 12000.0);
    let kinds: Vec<&str> = closed["timeline"].as_array().unwrap().iter().map(|e| s(&e["kind"])).collect();
    for k in [
        "alarm",
        "tier",
        "call",
        "order",
        "dispatch",
        "arrival",
        "decision",
        "correction",
        "report",
        "warning",
        "cost",
        "closing",
    ] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }

    // Closed: nothing more is taken (bad input → exit 2), and the log cannot be edited in SQL either.
    let late = yingji(&db, &["incident", "log", &id, "--body", "补记"]);
    assert_eq!(late.status.code(), Some(2), "{}", String::from_utf8_lossy(&late.stderr));
    assert!(String::from_utf8_lossy(&late.stderr).contains("closed"));
    let store = yingji_store::Store::open(&db).unwrap();
    let err = store.conn().execute("UPDATE incident_log SET body = '改写' WHERE incident_id = ?1", [&id]).unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let detail = json(yingji(&db, &["incident", "show", &id]));
    assert_eq!(detail["reports"][0]["status"], "acknowledged");
    assert_eq!(detail["orders"][0]["status"], "on_scene");
    assert_eq!(detail["calls"].as_array().unwrap().len(), 2);
}

/// LibreOffice, on a machine whose only fonts are DejaVu (no CJK font at all), turns the DOCX
/// into a PDF whose Chinese text is set in the font the DOCX carries: the embedded subset is
/// found, de-obfuscated and used.
fn docx_renders_with_its_embedded_font_alone(docx: &Path, dir: &Path) {
    let fc = dir.join("fonts.conf");
    std::fs::write(
        &fc,
        format!(
            "<?xml version=\"1.0\"?><!DOCTYPE fontconfig SYSTEM \"fonts.dtd\"><fontconfig>\
             <dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>{}</cachedir></fontconfig>",
            dir.join("fc-cache").display()
        ),
    )
    .unwrap();
    let out_dir = dir.join("lo-out");
    let status = Command::new("soffice")
        .args(["--headless", "--norestore", "--convert-to", "pdf", "--outdir"])
        .arg(&out_dir)
        .arg(docx)
        .arg(format!("-env:UserInstallation=file://{}", dir.join("lo-profile").display()))
        .env("FONTCONFIG_FILE", &fc)
        .env("SAL_USE_VCLPLUGIN", "svp")
        .output()
        .expect("LibreOffice (libreoffice-writer-nogui) is installed");
    let pdf = out_dir.join(docx.with_extension("pdf").file_name().unwrap());
    assert!(pdf.exists(), "LibreOffice made no PDF: {}", String::from_utf8_lossy(&status.stderr));
    let fonts = Command::new("pdffonts").arg(&pdf).output().unwrap();
    let fonts = String::from_utf8_lossy(&fonts.stdout);
    assert!(fonts.contains("CJK"), "the embedded CJK font was not used: {fonts}");
    let text = Command::new("pdftotext").arg(&pdf).arg("-").output().unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("主要污染物和数量"));
}
