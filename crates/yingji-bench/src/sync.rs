//! `yingji-bench --sync`: sync against a hub on loopback. Targets (issue 5): first full pull of
//! the demo province < 10 s, a 1,000-change push < 1 s; and hub throughput with 100 simulated
//! counties syncing at once (pushes/s, pulls/s).

use std::{
    path::Path,
    sync::{mpsc, Arc},
    time::Instant,
};

use anyhow::Context;
use serde_json::{json, Map};
use yingji_api::{Console, StockMovement};
use yingji_store::Store;
use yingji_sync::{
    client::Client,
    proto::{Change, PushRequest},
};

const TARGET_FULL_PULL_S: f64 = 10.0;
const TARGET_PUSH_1000_S: f64 = 1.0;
const COUNTIES: usize = 100;
const ROUNDS: usize = 5;

#[allow(clippy::print_stdout)]
pub fn run(dir: &Path, hub_storage: Option<&str>) -> anyhow::Result<()> {
    let dir = tempfile_dir(dir)?;
    let hub_db = match hub_storage {
        Some(db) => std::path::PathBuf::from(db),
        None => dir.join("hub.db"),
    };
    let hub_path = hub_db.to_str().context("path")?.to_owned();
    println!("hub storage: {}", if hub_storage.is_some() { "given (--sync-hub-db)" } else { "SQLite file" });
    yingji_api::hub_init(&hub_db, Some(yingji_demo::DEFAULT_SEED))?;
    let province = yingji_api::hub_token_issue(&hub_path, "320000", "viewer")?.token;
    let (tx, rx) = mpsc::channel();
    let serve_path = hub_path.clone();
    std::thread::spawn(move || {
        yingji_api::hub_serve(&serve_path, "127.0.0.1:0", None, |addr| tx.send(addr).unwrap_or(()))
    });
    let url = format!("http://{}", rx.recv()?);

    // 1. First full pull of the whole demo province into an empty replica.
    let empty = dir.join("empty.db");
    yingji_api::init(&empty, false, 0)?;
    let t = Instant::now();
    let s = yingji_api::sync_once(&empty, &url, &province, None, &mut |_| {})?;
    let full_pull_s = t.elapsed().as_secs_f64();
    println!(
        "first full pull, demo province      {:>8.2} s  ({} changes; target < {TARGET_FULL_PULL_S} s)",
        full_pull_s, s.pulled_changes
    );

    // 2. A 1,000-change push from a demo replica (1,000 stock movements of one county).
    let demo = dir.join("demo.db");
    yingji_api::init(&demo, true, yingji_demo::DEFAULT_SEED)?;
    let (item, region): (String, String) = Store::open(&demo)?.conn().query_row(
        "SELECT id, region_code FROM stock_items WHERE region_code LIKE '3201%' AND region_code <> '320100' ORDER BY id LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let editor = yingji_api::hub_token_issue(&hub_path, &region, "editor")?.token;
    let mut console = Console::open(&demo)?;
    for i in 0..1000 {
        console.add_ledger_entry(&StockMovement {
            stock_item_id: item.clone(),
            entry_kind: "receipt".into(),
            quantity_delta: 1.0,
            note: format!("bench {i}"),
        })?;
    }
    drop(console);
    let mut store = Store::open(&demo)?;
    let client = Client::new(&url, &editor);
    let t = Instant::now();
    let batch = yingji_sync::replica::next_batch(&mut store)?.context("a batch")?;
    let answer = client.push(&batch)?;
    yingji_sync::replica::ack_batch(&mut store, &answer.batch_id)?;
    let push_s = t.elapsed().as_secs_f64();
    println!(
        "1,000-change push (stamp+send+ack)  {:>8.3} s  ({} applied; target < {TARGET_PUSH_1000_S} s)",
        push_s, answer.applied
    );

    // 3. 100 counties at once: each pushes 10 new ledger entries and pulls, ROUNDS times.
    let counties: Vec<(String, String)> = {
        let store = Store::open(&demo)?;
        let mut stmt = store.conn().prepare(
            "SELECT region_code, min(id) FROM stock_items WHERE region_code NOT LIKE '%00' GROUP BY region_code ORDER BY region_code",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    let tokens: Vec<(String, String, String)> = counties
        .iter()
        .cycle()
        .take(COUNTIES)
        .map(|(region, item)| {
            Ok((yingji_api::hub_token_issue(&hub_path, region, "editor")?.token, region.clone(), item.clone()))
        })
        .collect::<anyhow::Result<_>>()?;
    let url = Arc::new(url);
    let t = Instant::now();
    let handles: Vec<_> = tokens
        .into_iter()
        .enumerate()
        .map(|(n, (token, region, item))| {
            let url = url.clone();
            std::thread::spawn(move || -> anyhow::Result<(usize, usize)> {
                let client = Client::new(&url, &token);
                let (mut pushes, mut pulls) = (0, 0);
                let mut cursor = 0;
                for round in 0..ROUNDS {
                    let changes = (0..10)
                        .map(|i| {
                            let id = format!("bench-{n}-{round}-{i}");
                            let mut fields = Map::new();
                            for (k, v) in [
                                ("id", json!(id)),
                                ("stock_item_id", json!(item)),
                                ("region_code", json!(region)),
                                ("entry_kind", json!("receipt")),
                                ("quantity_delta", json!(1.0)),
                                ("note", json!("")),
                                ("recorded_at", json!("2026-11-29T00:00:00Z")),
                                ("data_source", json!("bench")),
                                ("created_at", json!("2026-11-29T00:00:00Z")),
                            ] {
                                fields.insert(k.into(), v);
                            }
                            Change {
                                tbl: "stock_ledger".into(),
                                id,
                                region_code: region.clone(),
                                hlc: format!("{:015}-{:06}-bench{n}", 1_800_000_000_000u64 + round as u64, i),
                                insert: true,
                                deleted: false,
                                fields,
                                base: Map::new(),
                            }
                        })
                        .collect();
                    let batch = PushRequest {
                        batch_id: format!("bench-{n}-{round}"),
                        replica_id: format!("bench{n}"),
                        changes,
                    };
                    client.push(&batch)?;
                    pushes += 1;
                    loop {
                        let page = client.pull(cursor)?;
                        pulls += 1;
                        cursor = page.cursor;
                        if page.remaining == 0 {
                            break;
                        }
                    }
                }
                Ok((pushes, pulls))
            })
        })
        .collect();
    let (mut pushes, mut pulls) = (0, 0);
    for h in handles {
        let (a, b) = h.join().map_err(|_| anyhow::anyhow!("a county thread panicked"))??;
        pushes += a;
        pulls += b;
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{COUNTIES} counties at once, {ROUNDS} rounds      {:>8.2} s  ({:.0} pushes/s of 10 changes, {:.0} pull pages/s; first pulls are whole scopes)",
        secs,
        pushes as f64 / secs,
        pulls as f64 / secs
    );
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}

fn tempfile_dir(base: &Path) -> anyhow::Result<std::path::PathBuf> {
    let dir = base.join("sync-bench");
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
