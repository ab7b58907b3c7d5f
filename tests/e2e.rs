//! The real window, driven through tauri-driver and WebKitWebDriver under Xvfb.
//! Run by `scripts/test.sh` (`cargo test -p yingji-tests --features e2e --test e2e`).

use serde_json::json;
use yingji_api::{Console, ResourceKind, ResourceQuery};
use yingji_tests::{built_binary, target_dir, webdriver::Driver};

mod e2e_drill;
mod e2e_drill_editor;
mod e2e_incident;
mod e2e_model;
mod e2e_prep;
mod e2e_sync;

/// The app starts on the demo data; a search for a team by part of its Chinese name finds it,
/// and its detail view shows its contact.
#[test]
fn search_a_team_by_part_of_its_name_and_see_its_contact() {
    let app = built_binary("yingji-desktop");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    yingji_api::init(&db, true, 2026).unwrap();

    // A team and a three-character piece from the middle of its name.
    let console = Console::open(&db).unwrap();
    let page = console
        .list_resources(&ResourceQuery {
            kind: ResourceKind::Team,
            text: Some("监测".into()),
            region_code: None,
            subtype: None,
            offset: 0,
            limit: 5,
        })
        .unwrap();
    let team = &page.items[0];
    let detail = console.resource_detail(ResourceKind::Team, &team.id).unwrap();
    let phone = detail.fields.iter().find(|f| f.key == "contact_phone").unwrap().value.clone();
    // A three-character piece of its name that no other team has: "part of its Chinese name".
    let chars: Vec<char> = team.name.chars().collect();
    let piece = chars
        .windows(3)
        .map(|w| w.iter().collect::<String>())
        .find(|p| {
            let q = ResourceQuery {
                kind: ResourceKind::Team,
                text: Some(p.clone()),
                region_code: None,
                subtype: None,
                offset: 0,
                limit: 2,
            };
            console.list_resources(&q).unwrap().total == 1
        })
        .expect("a distinctive piece of the name");
    assert_ne!(piece, team.name);
    drop(console);

    let driver = Driver::start(dir.path());
    let s = driver.session(&app, &["--db", db.to_str().unwrap()]);
    s.wait_for("the start page", "return document.body.dataset.ready === 'true'", json!([]));
    // The start page shows counts per city, read from the demo database.
    let cities = s.script("return document.querySelectorAll('[data-testid=city-table] tbody tr').length", json!([]));
    assert_eq!(cities, json!(14), "province level + 13 cities");

    let search = s.find("[data-testid=global-search]");
    s.type_into(&search, &piece);
    let hit = s.wait_for(
        "the team among the search hits",
        "const want = arguments[0];
         const hits = [...document.querySelectorAll('[data-testid=search-hit][data-kind=team]')];
         const i = hits.findIndex(h => h.querySelector('.hit-name').textContent === want);
         return i >= 0 ? i + 1 : null;",
        json!([team.name]),
    );
    let nth = hit.as_u64().unwrap();
    let el = s.find(&format!("[data-testid=search-hit][data-kind=team]:nth-child({nth})"));
    s.click(&el);
    s.wait_for(
        "the team's detail view",
        "return document.querySelector('[data-testid=detail-name]')?.textContent === arguments[0]",
        json!([team.name]),
    );
    let shown = s.text(&s.find("[data-field=contact_phone]"));
    assert_eq!(shown, phone);
    let contact = s.text(&s.find("[data-field=contact_name]"));
    assert!(!contact.is_empty());
    s.screenshot(&target_dir().join("e2e-screenshots/team-detail.png"));

    // A county imports its list with the CLI while the window is open: the window follows.
    let csv = dir.path().join("teams.csv");
    std::fs::write(
        &csv,
        "名称,区划代码,类型,人数,纬度,经度\n江宁区第二危化品处置队,320115,危化品处置,24,31.95,118.84\n",
    )
    .unwrap();
    let out = std::process::Command::new(built_binary("yingji"))
        .args(["import", "--db", db.to_str().unwrap(), csv.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    s.wait_for(
        "the team count to follow the import",
        "return document.querySelector('[data-testid=nav-team] .count')?.textContent === '151'",
        json!([]),
    );
}

/// The one map: the layers from the replica draw, a click in query mode asks what is around, and the
/// answer lists resources by kind, nearest first.
#[test]
fn one_map_draws_layers_and_answers_a_one_click_query() {
    let app = built_binary("yingji-desktop");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    yingji_api::init(&db, true, 2026).unwrap();

    // scripts/test.sh runs these tests in a network namespace with only loopback.
    if std::env::var_os("YINGJI_E2E_OFFLINE").is_some() {
        // /proc/net/dev lists the interfaces of this process's network namespace.
        let dev = std::fs::read_to_string("/proc/net/dev").unwrap();
        let interfaces: Vec<&str> = dev.lines().skip(2).filter_map(|l| l.split(':').next()).map(str::trim).collect();
        assert_eq!(interfaces, ["lo"], "the network is not cut off");
    }
    let driver = Driver::start(dir.path());
    let s = driver.session(&app, &["--db", db.to_str().unwrap()]);
    s.wait_for("the start page", "return document.body.dataset.ready === 'true'", json!([]));
    s.click(&s.find("[data-testid=nav-map]"));
    s.wait_for("the map with its data", "return document.getElementById('map')?.dataset.ready === 'true'", json!([]));
    // A WebGL canvas is there and every layer group has a toggle.
    let toggles =
        s.script("return document.querySelectorAll('[data-testid=map-layers] input[type=checkbox]').length", json!([]));
    assert_eq!(toggles, json!(9), "8 resource layers and the incidents");
    assert_eq!(s.script("return !!document.querySelector('#map canvas')", json!([])), json!(true));
    // The base map comes from the packaged archive through tiles://, with no network.
    assert_eq!(s.script("return document.getElementById('map').dataset.base", json!([])), json!("loaded"));
    s.wait_for("base map tiles", "return Number(document.getElementById('map').dataset.baseTiles || 0) > 3", json!([]));
    let packs = s.script(
        "return [...document.querySelectorAll('[data-testid=map-packs] tr[data-pack]')].map(r => r.dataset.pack)",
        json!([]),
    );
    assert_eq!(packs, json!(["base"]));

    // A county's detailed map added as a map pack (MBTiles of PNG tiles over Jiangning): it is
    // listed with its zoom range and area, and its tiles are drawn above the base map.
    let pack = county_map_pack(dir.path());
    s.script("document.querySelector('[data-testid=map-packs]').open = true; return true", json!([]));
    let path = s.find("[data-testid=pack-path]");
    s.type_into(&path, pack.to_str().unwrap());
    s.script("document.querySelector('[data-testid=pack-add]').click(); return true", json!([]));
    let row = s.wait_for(
        "the county pack in the list",
        "const r = document.querySelector('[data-testid=map-packs] tr[data-pack]:not([data-pack=base])'); \
         return r ? r.textContent : null",
        json!([]),
    );
    let row = row.as_str().unwrap();
    assert!(row.contains("江宁测试图") && row.contains("9–11") && row.contains("118.70"), "{row}");
    s.wait_for(
        "the pack's tiles drawn",
        "return Number(document.getElementById('map').dataset.packTiles || 0) > 0",
        json!([]),
    );
    std::thread::sleep(std::time::Duration::from_millis(800));
    s.screenshot(&target_dir().join("e2e-screenshots/one-map-pack.png"));

    // Pick the point in the middle of the map (over the county pack) with a 50 km radius.
    s.script(
        "const n = document.querySelector('[data-testid=stock-n]'); if (n) { n.value = '3'; } return true;",
        json!([]),
    );
    s.script("const r = document.querySelector('[data-testid=near-radius]'); r.value = '50'; r.dispatchEvent(new Event('change')); return true;", json!([]));
    let centre = s.script(
        "const r = document.querySelector('#map canvas').getBoundingClientRect(); \
         return [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)]",
        json!([]),
    );
    s.click(&s.find("[data-testid=near-mode]"));
    s.click_at(centre[0].as_i64().unwrap(), centre[1].as_i64().unwrap());
    let total = s.wait_for(
        "the one-click query's answer",
        "return document.querySelector('[data-testid=near-total]')?.textContent",
        json!([]),
    );
    assert!(total.as_str().unwrap().chars().any(|c| c.is_ascii_digit()), "{total}");
    let groups = s.script("return [...document.querySelectorAll('.near-group')].map(g => g.dataset.kind)", json!([]));
    assert!(groups.as_array().unwrap().len() >= 3, "{groups}");
    assert!(!groups.as_array().unwrap().contains(&json!("reach")), "{groups}");
    // From there: the 3 nearest warehouses holding activated carbon (活性炭).
    s.click(&s.find("[data-testid=stock-run]"));
    let rows = s.wait_for(
        "the nearest stock",
        "return document.querySelectorAll('[data-testid=stock-hits] tr').length",
        json!([]),
    );
    assert!(rows.as_u64().unwrap() >= 3, "{rows}");
    // Let the map finish fitting the query circle before the picture (not part of the check).
    std::thread::sleep(std::time::Duration::from_millis(1500));
    s.screenshot(&target_dir().join("e2e-screenshots/one-map-query.png"));

    // Search: the map flies to the hit (Gaoyou, 32.78 N 119.46 E).
    let search = s.find("[data-testid=global-search]");
    s.type_into(&search, "高邮市");
    s.wait_for(
        "a region hit",
        "return document.querySelector('[data-testid=search-hit][data-kind=region]')",
        json!([]),
    );
    s.type_into(&search, "\u{E007}"); // Enter
    s.wait_for(
        "the map over Gaoyou",
        "const c = (document.getElementById('map').dataset.center || '0,0').split(',').map(Number); \
         return Math.abs(c[0] - 32.78) < 0.1 && Math.abs(c[1] - 119.46) < 0.1",
        json!([]),
    );
}

/// The chemical library: a search for part of a Chinese name lists the chemical; its page shows
/// the CAS number, a level of concern and the "not verified" mark of hand-entered values.
#[test]
fn chemical_library_search_and_detail() {
    let app = built_binary("yingji-desktop");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("plain.db");
    // A database without the demo data: the library is loaded into every new database.
    yingji_api::init(&db, false, 2026).unwrap();
    let console = Console::open(&db).unwrap();
    let want = console.chemical("107-13-1").unwrap();
    assert_eq!(want.name_zh, "丙烯腈");
    let level = want.levels.iter().find(|l| l.tier == 2).expect("a tier-2 level").name.clone();
    drop(console);

    let driver = Driver::start(dir.path());
    let s = driver.session(&app, &["--db", db.to_str().unwrap()]);
    s.wait_for("the start page", "return document.body.dataset.ready === 'true'", json!([]));
    s.click(&s.find("[data-testid=nav-chemicals]"));
    let search = s.wait_for(
        "the library search box",
        "return document.querySelector('[data-testid=chem-search]') !== null",
        json!([]),
    );
    assert_eq!(search, json!(true));
    s.type_into(&s.find("[data-testid=chem-search]"), "烯腈");
    s.wait_for(
        "丙烯腈 among the rows",
        // The filtered list, not the full one shown before the search ran.
        "const rows = document.querySelectorAll('[data-testid=chem-row]');
         return rows.length > 0 && rows.length < 10
             && document.querySelector('[data-testid=chem-row][data-cas=\"107-13-1\"]') !== null;",
        json!([]),
    );
    s.screenshot(&target_dir().join("e2e-screenshots/chemical-list.png"));
    s.click(&s.find("[data-testid=chem-row][data-cas=\"107-13-1\"] td.name"));
    s.wait_for(
        "the chemical's page",
        "return document.querySelector('[data-testid=chem-cas]')?.textContent === '107-13-1'",
        json!([]),
    );
    let levels = s.text(&s.find("[data-testid=chem-levels]"));
    assert!(levels.contains(&level), "{levels}");
    assert!(levels.contains("ppm"), "{levels}");
    let marks = s.script("return document.querySelectorAll('[data-testid=chem-unverified]').length", json!([]));
    assert!(marks.as_u64().unwrap() > 0, "hand-entered values carry the mark");
    s.screenshot(&target_dir().join("e2e-screenshots/chemical-detail.png"));
}

/// A small county map pack: an MBTiles file (format 1.3) of translucent PNG tiles over Jiangning,
/// zoom 9–11, the kind of detailed map a county office adds.
fn county_map_pack(dir: &std::path::Path) -> std::path::PathBuf {
    let png = dir.join("tile.png");
    let made = std::process::Command::new("convert")
        .args(["-size", "256x256", "xc:rgba(200,60,40,0.35)", "-stroke", "rgb(120,20,10)", "-strokewidth", "4"])
        .args(["-fill", "none", "-draw", "rectangle 2,2 253,253"])
        .arg(&png)
        .status()
        .expect("ImageMagick's convert is installed");
    assert!(made.success());
    let tile = std::fs::read(&png).unwrap();
    let path = dir.join("jiangning.mbtiles");
    let db = rusqlite::Connection::open(&path).unwrap();
    db.execute_batch(
        "CREATE TABLE metadata (name TEXT, value TEXT);
         CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
         CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);",
    )
    .unwrap();
    let (west, south, east, north) = (118.70, 31.80, 119.05, 32.05);
    for (k, v) in [
        ("name", "江宁测试图".to_owned()),
        ("format", "png".to_owned()),
        ("minzoom", "9".to_owned()),
        ("maxzoom", "11".to_owned()),
        ("bounds", format!("{west},{south},{east},{north}")),
    ] {
        db.execute("INSERT INTO metadata VALUES (?1, ?2)", [k, &v]).unwrap();
    }
    // Web Mercator tile numbers (OSM slippy map convention); MBTiles rows count from the south (TMS).
    let tile_xy = |lon: f64, lat: f64, z: u32| {
        let n = f64::from(1u32 << z);
        let x = ((lon + 180.0) / 360.0 * n).floor() as u32;
        let lat_r = lat.to_radians();
        let y = ((1.0 - (lat_r.tan() + 1.0 / lat_r.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor() as u32;
        (x, y)
    };
    for z in 9..=11 {
        let (x0, y0) = tile_xy(west, north, z);
        let (x1, y1) = tile_xy(east, south, z);
        for x in x0..=x1 {
            for y in y0..=y1 {
                let row = (1u32 << z) - 1 - y;
                db.execute("INSERT INTO tiles VALUES (?1, ?2, ?3, ?4)", rusqlite::params![z, x, row, tile]).unwrap();
            }
        }
    }
    path
}
