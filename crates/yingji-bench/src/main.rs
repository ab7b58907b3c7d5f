//! `yingji-bench`: latency figures for the project's speed targets.
//!
//! ```text
//! cargo run --release -p yingji-bench               # 1,000,000 synthetic records, a few minutes
//! cargo run --release -p yingji-bench -- --json     # the same, as JSON on stdout
//! cargo run -p yingji-bench -- --quick              # CI smoke run: small sizes, debug is fine
//! ```
//!
//! Measures, on the demo province and on a synthetic database of N located records (built once
//! into `target/bench/` by a child process, re-used while its size, seed, generator, schema and
//! way of loading match): nearest 10 teams (target median < 5 ms), text search (< 20 ms), the
//! one-click query within 10 km (< 10 ms); and the models: a threat zone (< 2 ms), a
//! 10,000-reach river network (< 100 ms) and the demo province run — a river spill from a demo
//! risk source to every intake downstream, through the façade (< 50 ms). Each line: warm-up, then one timed call per sample on
//! inputs taken round-robin; a line that exceeds its time budget (`--budget-s`, 30 s) stops
//! after at least 50 samples and is marked `*`. Progress goes to stderr; the table (or JSON) to
//! stdout, with the peak RSS of the benchmark process and the size of the synthetic file.
#![allow(clippy::print_stdout)]

mod stats;
mod sync;
mod synth;

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::Instant,
};

use anyhow::Context;
use clap::Parser;
use serde_json::{json, Value};
use stats::{fmt_ms, measure, Measurement, Plan};
use yingji_api::{Console, NearQuery};
use yingji_model::{river_network, threat_zone, Request};
use yingji_store::{
    query::{self, Kind, LatLon, SearchFilter},
    Store,
};

use yingji_demo::rng::Rng as SplitMix64;

/// Latency benchmarks of Yingji's speed targets.
#[derive(Parser, Debug)]
#[command(name = "yingji-bench", version)]
struct Args {
    /// Small sizes and few samples: a smoke run for CI (fine in a debug build).
    #[arg(long)]
    quick: bool,
    /// Only the sync benchmark: a hub on loopback, first full pull, 1,000-change push, 100 counties.
    #[arg(long)]
    sync: bool,
    /// With --sync: the hub's storage, e.g. a `postgres://…` URL naming an empty schema
    /// [default: a SQLite file in the bench folder].
    #[arg(long, value_name = "DB")]
    sync_hub_db: Option<String>,
    /// Located records in the synthetic database [default: 1000000, or 20000 with --quick].
    #[arg(long, value_name = "N")]
    records: Option<usize>,
    /// Timed samples per line [default: 200, or 30 with --quick].
    #[arg(long, value_name = "N")]
    samples: Option<usize>,
    /// Time budget per line, seconds: a line that runs longer stops early (after at least 50
    /// samples) and is marked `*`; 0 for none.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    budget_s: f64,
    /// Print the results as JSON on stdout instead of the table.
    #[arg(long)]
    json: bool,
    /// Where the benchmark databases live [default: <workspace>/target/bench].
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Rebuild the synthetic database even if a matching one exists.
    #[arg(long)]
    rebuild: bool,
    /// Seed of the synthetic data and of the query points.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Internal: build the synthetic database at this path and exit (run as a child process so
    /// that the benchmark's peak memory is not the build's).
    #[arg(long, hide = true, value_name = "PATH")]
    build_only: Option<PathBuf>,
    /// Set this PRAGMA (`name=value`, repeatable) on the benchmark's connections after opening,
    /// to try a store setting (e.g. `--pragma mmap_size=1073741824`). Off by default: the
    /// figures are then those of the store as it ships.
    #[arg(long, value_name = "NAME=VALUE")]
    pragma: Vec<String>,
    /// Build the synthetic database one `.insert()` per row into the indexed tables (as an
    /// import does) instead of staging each batch: slower; for comparing load paths.
    #[arg(long)]
    row_by_row: bool,
}

const TARGET_NEAREST_MS: f64 = 5.0;
const TARGET_SEARCH_MS: f64 = 20.0;
const TARGET_NEAR_MS: f64 = 10.0;
/// How many of each kind a one-click query lists, as the window asks (ui/src/main.ts `NEAR_LISTED`).
const ONE_CLICK_LISTED: u32 = 50;
const TARGET_THREAT_MS: f64 = 2.0;
const TARGET_NETWORK_MS: f64 = 100.0;
const TARGET_DEMO_SPILL_MS: f64 = 50.0;
const TARGET_TILE_MS: f64 = 1.0;

/// Short queries (1–2 characters) answered by the gram index.
const SHORT_QUERIES: &[&str] =
    &["苯", "氯气", "队", "液氨", "甲醇", "医院", "小学", "江阴", "恒泰", "王", "硫酸", "危化"];
/// Long queries (3+ characters) answered by the trigram index: Chinese words common in names,
/// pinyin, CAS and UN numbers. Pieces of names sampled from each database are added to these.
const LONG_QUERIES: &[&str] = &[
    "危化品",
    "取水口",
    "应急监测",
    "有限公司",
    "化工园区",
    "人民医院",
    "应急物资",
    "南京市",
    "nanjing",
    "jiangyin",
    "huagong",
    "yingji",
    "wangwei",
    "7782-50-5",
    "71-43-2",
    "67-56-1",
    "UN1017",
];
/// How many pieces of real names join the long queries.
const NAME_PIECES: usize = 13;

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(path) = &args.build_only {
        return build_child(path, args.records.unwrap_or(1_000_000), args.seed, args.row_by_row);
    }
    if args.sync {
        let dir = args.dir.clone().unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench"));
        std::fs::create_dir_all(&dir)?;
        return sync::run(&dir, args.sync_hub_db.as_deref());
    }
    let total = Instant::now();
    let records = args.records.unwrap_or(if args.quick { 20_000 } else { 1_000_000 });
    let samples = args.samples.unwrap_or(if args.quick { 30 } else { 200 }).max(1);
    let budget = (args.budget_s > 0.0).then(|| std::time::Duration::from_secs_f64(args.budget_s));
    let plan = Plan { warmup: (samples / 10).max(3), samples, budget };
    let release = !cfg!(debug_assertions);
    let pragmas: Vec<(String, String)> = args
        .pragma
        .iter()
        .map(|p| {
            p.split_once('=')
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .ok_or_else(|| anyhow::anyhow!("--pragma takes name=value, not {p:?}"))
        })
        .collect::<anyhow::Result<_>>()?;
    let dir = args.dir.clone().unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench"));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let dir = dir.canonicalize()?;
    eprintln!(
        "yingji-bench: {} build, {samples} samples per line ({} warm-up), synthetic database of {records} records",
        if release { "release" } else { "debug" },
        plan.warmup
    );
    if !release && !args.quick {
        eprintln!("  note: a debug build; the targets are for release builds (cargo run --release -p yingji-bench)");
    }

    // ---- databases -----------------------------------------------------------------------------
    let demo_path = dir.join("demo.sqlite");
    synth::remove_db(&demo_path)?;
    let t = Instant::now();
    yingji_api::init(&demo_path, true, yingji_demo::DEFAULT_SEED).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let demo_build_s = t.elapsed().as_secs_f64();
    eprintln!("  demo province built in {demo_build_s:.2} s at {}", demo_path.display());

    let synth_path = dir.join(format!("synthetic-{records}.sqlite"));
    let loading = if args.row_by_row { synth::Loading::RowByRow } else { synth::Loading::Staged };
    let reused = !args.rebuild && synth::check_existing(&synth_path, records, args.seed, loading).is_some();
    let mut synth_build: Option<Value> = None;
    if reused {
        eprintln!("  synthetic database re-used: {} (matches size, seed and schema)", synth_path.display());
    } else {
        synth::remove_db(&synth_path)?;
        eprintln!("  building the synthetic database at {} …", synth_path.display());
        let out = Command::new(std::env::current_exe()?)
            .arg("--build-only")
            .arg(&synth_path)
            .args(["--records", &records.to_string(), "--seed", &args.seed.to_string()])
            .args(args.row_by_row.then_some("--row-by-row"))
            .stderr(Stdio::inherit())
            .output()
            .context("running the synthetic database build")?;
        anyhow::ensure!(out.status.success(), "building the synthetic database failed ({})", out.status);
        let v: Value = serde_json::from_slice(&out.stdout).context("reading the build's report")?;
        eprintln!(
            "  synthetic database built in {:.1} s ({} located records, {} chemicals; build peak RSS {})",
            v["build_s"].as_f64().unwrap_or(f64::NAN),
            v["located"],
            v["chemicals"],
            fmt_kb(v["peak_rss_kb"].as_u64())
        );
        synth_build = Some(v);
    }
    let synth_bytes = synth::db_bytes(&synth_path);
    let synth_label = format!("synthetic {}", human_count(records));

    // ---- inputs --------------------------------------------------------------------------------
    let mut rng = SplitMix64::new(args.seed ^ 0x5EED);
    let points: Vec<LatLon> = (0..samples.max(plan.warmup))
        .map(|_| LatLon { lat: rng.range(synth::LAT.0, synth::LAT.1), lon: rng.range(synth::LON.0, synth::LON.1) })
        .collect();

    let mut results: Vec<Measurement> = Vec::new();
    let mut per_query: Vec<(String, Measurement)> = Vec::new();
    let mut rings: Vec<(String, Vec<Ring>)> = Vec::new();
    for (label, path) in [("demo".to_owned(), &demo_path), (synth_label.clone(), &synth_path)] {
        eprintln!("  measuring on {label} …");
        let console = Console::open(path).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let conn = console.store().conn();
        for (key, value) in &pragmas {
            conn.pragma_update(None, key, value).with_context(|| format!("PRAGMA {key} = {value}"))?;
        }
        let mut qrng = SplitMix64::new(args.seed ^ 0x0000_9E37);
        let mut long: Vec<String> = LONG_QUERIES.iter().map(|s| (*s).to_owned()).collect();
        for name in synth::sample_names(conn, &mut qrng, NAME_PIECES * 10)? {
            if long.len() >= LONG_QUERIES.len() + NAME_PIECES {
                break;
            }
            if let Some(piece) = synth::piece_of(&name, &mut qrng) {
                if !long.contains(&piece) {
                    long.push(piece);
                }
            }
        }
        let short: Vec<String> = SHORT_QUERIES.iter().map(|s| (*s).to_owned()).collect();
        let q_label: &dyn Fn(&String) -> String = &|q: &String| q.clone();

        let nearest_teams =
            |p: &LatLon| query::nearest(conn, *p, &[Kind::Team], 10, yingji_api::MAX_RADIUS_KM * 1000.0);
        let m =
            measure("nearest 10 teams (query::nearest)", &label, Some(TARGET_NEAREST_MS), plan, &points, None, |p| {
                Ok(nearest_teams(p)?.len())
            })?;
        rings.push((label.clone(), by_ring(&m, &points, nearest_teams)?));
        results.push(m);
        results.push(measure(
            "nearest 10 teams (Console::near)",
            &label,
            Some(TARGET_NEAREST_MS),
            plan,
            &points,
            None,
            |p| {
                let r = console
                    .near(&NearQuery {
                        lat: p.lat,
                        lon: p.lon,
                        radius_km: yingji_api::MAX_RADIUS_KM,
                        kinds: vec!["team".into()],
                        nearest: Some(10),
                        per_kind: None,
                    })
                    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
                Ok(r.groups.iter().map(|g| g.items.len()).sum())
            },
        )?);
        for (what, queries) in [("short 1–2 chars", &short), ("long 3+ chars", &long)] {
            let m = measure(
                &format!("text search {what} (Console::search)"),
                &label,
                Some(TARGET_SEARCH_MS),
                plan,
                queries,
                Some(q_label),
                |q| Ok(console.search(q, None, 20).map_err(|e| anyhow::anyhow!("{e:?}"))?.len()),
            )?;
            per_query.push((format!("{label}, Console::search"), m.clone()));
            results.push(m);
        }
        for (what, queries) in [("short 1–2 chars", &short), ("long 3+ chars", &long)] {
            results.push(measure(
                &format!("text search {what} (query::search)"),
                &label,
                Some(TARGET_SEARCH_MS),
                plan,
                queries,
                None,
                |q| Ok(query::search(conn, q, &SearchFilter::default(), 20)?.len()),
            )?);
        }
        results.push(measure(
            "one-click 10 km, all kinds (Console::near)",
            &label,
            Some(TARGET_NEAR_MS),
            plan,
            &points,
            None,
            |p| {
                let r = console
                    .near(&NearQuery {
                        lat: p.lat,
                        lon: p.lon,
                        radius_km: 10.0,
                        kinds: vec![],
                        nearest: None,
                        per_kind: Some(ONE_CLICK_LISTED),
                    })
                    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
                Ok(r.groups.iter().map(|g| g.count as usize).sum())
            },
        )?);
        let sites = synth::risk_source_sites(conn, &mut qrng, points.len())?;
        results.push(measure(
            "one-click 10 km at risk sources (Console::near)",
            &label,
            Some(TARGET_NEAR_MS),
            plan,
            &sites,
            None,
            |p| {
                let r = console
                    .near(&NearQuery {
                        lat: p.lat,
                        lon: p.lon,
                        radius_km: 10.0,
                        kinds: vec![],
                        nearest: None,
                        per_kind: Some(ONE_CLICK_LISTED),
                    })
                    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
                Ok(r.groups.iter().map(|g| g.count as usize).sum())
            },
        )?);
        results.push(measure(
            "one-click 10 km, all kinds (query::within_by_kind)",
            &label,
            Some(TARGET_NEAR_MS),
            plan,
            &points,
            None,
            |p| {
                let groups = query::within_by_kind(conn, *p, 10_000.0, &[], ONE_CLICK_LISTED as usize)?;
                Ok(groups.iter().map(|g| g.count).sum())
            },
        )?);
        results.push(measure(
            "one-click 10 km at risk sources (query::within_by_kind)",
            &label,
            Some(TARGET_NEAR_MS),
            plan,
            &sites,
            None,
            |p| {
                let groups = query::within_by_kind(conn, *p, 10_000.0, &[], ONE_CLICK_LISTED as usize)?;
                Ok(groups.iter().map(|g| g.count).sum())
            },
        )?);
    }

    // ---- models --------------------------------------------------------------------------------
    eprintln!("  measuring the models …");
    let threat_json = json!({
        "model": "threat_zone",
        "molar_mass_g_mol": 70.906,
        "levels": [{"name": "AEGL-3", "ppm": 20}, {"name": "AEGL-2", "ppm": 2}, {"name": "AEGL-1", "ppm": 0.5}],
        "release": {
            "model": "plume", "q_kg_s": 1.0, "height_m": 0, "wind_speed_m_s": 3.0,
            "stability": "D", "sigma": "briggs_rural"
        }
    });
    let Request::ThreatZone(threat) = Request::from_json(&threat_json)? else {
        anyhow::bail!("the threat-zone request did not read as one");
    };
    let model_plan = plan;
    let one = [()];
    let chlorine = "chlorine 1 kg/s, D, 3 m/s, AEGL-1/2/3";
    results.push(measure(
        "threat zone (threat_zone::run)",
        chlorine,
        Some(TARGET_THREAT_MS),
        model_plan,
        &one,
        None,
        |_| Ok(threat_zone::run(&threat)?.zones.len()),
    )?);
    results.push(measure("threat zone (run_json)", chlorine, Some(TARGET_THREAT_MS), model_plan, &one, None, |_| {
        Ok(yingji_model::run_json(&threat_json)?["zones"].as_array().map_or(0, Vec::len))
    })?);
    let network = yingji_model::fixtures::synthetic_network(5000, 5000);
    let network_label = format!("{} reaches, {} receptors", network.reaches.len(), network.receptors.len());
    let network_json = serde_json::to_value(Request::RiverNetwork(network.clone()))?;
    results.push(measure(
        "river network (river_network::run)",
        &network_label,
        Some(TARGET_NETWORK_MS),
        model_plan,
        &one,
        None,
        |_| Ok(river_network::run(&network)?.receptors.len()),
    )?);
    results.push(measure(
        "river network (run_json)",
        &network_label,
        Some(TARGET_NETWORK_MS),
        model_plan,
        &one,
        None,
        |_| Ok(yingji_model::run_json(&network_json)?["receptors"].as_array().map_or(0, Vec::len)),
    )?);

    // The demo province run: a spill from the demo risk source (next to a river) with the most
    // intakes downstream, snapped, routed and reported at every intake and control work.
    let demo_console = Console::open(&demo_path).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let spill_at = |lat: f64, lon: f64| yingji_api::RiverSpillRequest {
        lat,
        lon,
        mass_kg: 20_000.0,
        threshold_mg_l: 0.01, // benzene, GB 3838-2002 Table 3
        decay_per_s: 0.0,
        duration_s: None,
    };
    let page = demo_console
        .list_resources(&yingji_api::ResourceQuery {
            kind: yingji_api::ResourceKind::RiskSource,
            text: None,
            region_code: None,
            subtype: None,
            offset: 0,
            limit: 500,
        })
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let mut best: Option<(usize, String, yingji_api::RiverSpillRequest)> = None;
    for r in page.items.iter().filter(|r| r.lat.is_some() && r.lon.is_some()) {
        let request = spill_at(r.lat.unwrap_or_default(), r.lon.unwrap_or_default());
        if let Ok(result) = demo_console.river_spill(&request) {
            let n = result.affected_intakes.len() + result.intakes_below_threshold.len();
            if best.as_ref().is_none_or(|b| n > b.0) {
                best = Some((n, r.name.clone(), request));
            }
        }
    }
    let (intakes, source_name, demo_spill) = best.context("no demo risk source lies next to a river")?;
    results.push(measure(
        "demo province spill (Console::river_spill)",
        &format!("20 t from {source_name}, {intakes} intakes downstream"),
        Some(TARGET_DEMO_SPILL_MS),
        model_plan,
        &one,
        None,
        |_| {
            let r = demo_console.river_spill(&demo_spill)?;
            Ok(r.affected_intakes.len() + r.intakes_below_threshold.len())
        },
    )?);
    drop(demo_console);

    // ---- tile serving: the packaged base map through the same resolver the window's tiles:// uses
    let tiles_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../offline-tiles");
    let maps = yingji_api::Maps::open(&tiles_dir, &std::env::temp_dir().join("yingji-bench-packs"));
    let base = yingji_tiles::TileArchive::open(tiles_dir.join(yingji_api::BASE_ARCHIVE))?;
    let coords = base.sample_coords(1000, 7)?;
    let paths: Vec<String> = coords.iter().map(|c| format!("/base/{}/{}/{}.pbf", c.z, c.x, c.y)).collect();
    results.push(measure(
        "tile from the base map (tiles:// resolve)",
        "offline-tiles/jiangsu.pmtiles",
        Some(TARGET_TILE_MS),
        plan,
        &paths,
        None,
        |p| {
            let r = maps.resolve(p);
            anyhow::ensure!(r.status == 200, "{p}: status {}", r.status);
            Ok(r.body.len())
        },
    )?);

    // ---- report --------------------------------------------------------------------------------
    let peak_rss_kb = peak_rss_kb();
    let total_s = total.elapsed().as_secs_f64();
    if args.json {
        let lines: Vec<Value> = results
            .iter()
            .map(|m| {
                json!({
                    "name": m.name, "dataset": m.dataset, "count": m.count(), "planned": m.planned,
                    "cut_short_by_budget": m.cut_short(),
                    "median_ms": m.median(), "p90_ms": m.p90(), "min_ms": m.min(), "max_ms": m.max(),
                    "mean_results": m.mean_results, "target_ms": m.target_ms, "meets_target": m.meets_target(),
                })
            })
            .collect();
        let queries: Vec<Value> = per_query
            .iter()
            .flat_map(|(what, m)| {
                m.per_input.iter().map(move |(q, median, hits)| {
                    json!({"where": what, "line": m.name, "query": q, "median_ms": median, "mean_results": hits})
                })
            })
            .collect();
        let report = json!({
            "build": if release { "release" } else { "debug" },
            "quick": args.quick,
            "samples": samples,
            "warmup": plan.warmup,
            "pragmas": args.pragma,
            "budget_s_per_line": plan.budget.map(|b| b.as_secs_f64()),
            "results": lines,
            "text_queries": queries,
            "nearest_by_radius": rings.iter().map(|(label, rs)| json!({
                "dataset": label,
                "rings": rs.iter().map(|r| json!({"radius_km": r.radius_km, "count": r.count, "median_ms": r.median_ms})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "demo": {"path": demo_path, "build_s": demo_build_s},
            "synthetic": {
                "path": synth_path, "records": records, "bytes": synth_bytes, "reused": reused,
                "build": synth_build,
            },
            "peak_rss_kb": peak_rss_kb,
            "total_s": total_s,
        });
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }

    println!();
    println!(
        "Yingji benchmark — {} build, {samples} samples per line after {} warm-up calls; times per call",
        if release { "release" } else { "debug" },
        plan.warmup
    );
    if !pragmas.is_empty() {
        println!("With PRAGMAs on the benchmark connections: {}", args.pragma.join(", "));
    }
    println!();
    print_table(&results, release);
    println!();
    println!("results: mean hits (receptors, zones) per call; status compares the median with the target.");
    if results.iter().any(Measurement::cut_short) {
        println!(
            "*: stopped by the time budget of {} s per line (with at least {} samples); --budget-s 0 takes them all.",
            args.budget_s,
            stats::MIN_SAMPLES_IN_BUDGET
        );
    }
    println!();
    println!("Nearest 10 teams (query::nearest) by the radius its search stopped at (2 km, ×4 each step):");
    for (label, rs) in &rings {
        let parts: Vec<String> = rs
            .iter()
            .map(|r| format!("≤{} km: {} of {}, median {}", r.radius_km, r.count, r.total, fmt_ms(r.median_ms)))
            .collect();
        println!("  {label}: {}", parts.join(" · "));
    }
    println!();
    println!("Text search per query (median; Console::search, limit 20), slowest first:");
    for (what, m) in &per_query {
        let mut rows = m.per_input.clone();
        rows.sort_by(|a, b| b.1.total_cmp(&a.1));
        let line: Vec<String> = rows.iter().map(|(q, ms, hits)| format!("{q} {} ({hits:.0})", fmt_ms(*ms))).collect();
        println!("  {what}, {}:", m.name.trim_start_matches("text search ").trim_end_matches(" (Console::search)"));
        for chunk in line.chunks(6) {
            println!("    {}", chunk.join(" · "));
        }
    }
    println!();
    println!("Demo database: built in {demo_build_s:.2} s ({}).", demo_path.display());
    match &synth_build {
        Some(v) => println!(
            "Synthetic database: built in {:.1} s — {} located records + {} chemicals, {} ({}); build process peak RSS {}.",
            v["build_s"].as_f64().unwrap_or(f64::NAN),
            human_count(records),
            v["chemicals"],
            fmt_bytes(synth_bytes),
            synth_path.display(),
            fmt_kb(v["peak_rss_kb"].as_u64())
        ),
        None => println!(
            "Synthetic database: re-used {} ({} located records, {}); --rebuild to rebuild and time it.",
            synth_path.display(),
            human_count(records),
            fmt_bytes(synth_bytes)
        ),
    }
    println!("Peak RSS of this process (VmHWM, both databases open, all measurements): {}.", fmt_kb(peak_rss_kb));
    println!("Total time: {total_s:.1} s.");
    Ok(())
}

/// Samples of a nearest-N line that stopped at one search radius.
struct Ring {
    radius_km: f64,
    count: usize,
    total: usize,
    median_ms: f64,
}

/// Splits a nearest line's samples by the radius at which `query::nearest` stopped growing its
/// search (2 km, then ×4 up to the maximum): the first radius that holds the N-th hit, or the
/// maximum when fewer than N were found. The calls are repeated, untimed, to learn the distance.
fn by_ring(
    m: &Measurement,
    points: &[LatLon],
    nearest: impl Fn(&LatLon) -> rusqlite::Result<Vec<query::NearHit>>,
) -> anyhow::Result<Vec<Ring>> {
    let max_m = yingji_api::MAX_RADIUS_KM * 1000.0;
    let mut radii = vec![2_000.0];
    while *radii.last().unwrap_or(&max_m) < max_m {
        let next: f64 = radii.last().copied().unwrap_or(max_m) * 4.0;
        radii.push(next.min(max_m));
    }
    let mut groups: Vec<Vec<f64>> = vec![Vec::new(); radii.len()];
    for (i, ms) in m.samples_ms.iter().enumerate() {
        let hits = nearest(&points[i % points.len()])?;
        let ring = match hits.last() {
            Some(h) if hits.len() >= 10 => radii.iter().position(|r| h.distance_m <= *r).unwrap_or(radii.len() - 1),
            _ => radii.len() - 1,
        };
        groups[ring].push(*ms);
    }
    Ok(radii
        .iter()
        .zip(groups)
        .filter(|(_, g)| !g.is_empty())
        .map(|(r, mut g)| {
            g.sort_by(f64::total_cmp);
            Ring { radius_km: r / 1000.0, count: g.len(), total: m.count(), median_ms: stats::percentile(&g, 0.5) }
        })
        .collect())
}

/// The child process of `--build-only`: builds, then reports as JSON on stdout.
fn build_child(path: &Path, records: usize, seed: u64, row_by_row: bool) -> anyhow::Result<()> {
    let loading = if row_by_row { synth::Loading::RowByRow } else { synth::Loading::Staged };
    let built = synth::build(path, records, seed, loading)?;
    let report = json!({
        "located": built.located,
        "chemicals": built.chemicals,
        "build_s": built.elapsed.as_secs_f64(),
        "peak_rss_kb": peak_rss_kb(),
        "loading": format!("{loading:?}"),
    });
    println!("{report}");
    // The store is closed; make sure it opens as the app opens it.
    drop(Store::open(path)?);
    Ok(())
}

fn print_table(results: &[Measurement], release: bool) {
    let name_w = results.iter().map(|m| m.name.chars().count()).max().unwrap_or(10);
    let data_w = results.iter().map(|m| m.dataset.chars().count()).max().unwrap_or(7);
    println!(
        "{:<name_w$}  {:<data_w$}  {:>5}  {:>9}  {:>9}  {:>9}  {:>9}  {:>8}  {:>9}  status",
        "benchmark", "dataset", "count", "median", "p90", "min", "max", "results", "target"
    );
    println!("{}", "-".repeat(name_w + data_w + 5 + 9 * 5 + 8 + 2 * 8 + 6));
    let mut last = String::new();
    for m in results {
        if !last.is_empty() && m.dataset != last {
            println!();
        }
        last.clone_from(&m.dataset);
        let status = match (m.meets_target(), release) {
            (None, _) => "-",
            (Some(_), false) => "(debug)",
            (Some(true), true) => "ok",
            (Some(false), true) => "MISS",
        };
        println!(
            "{:<name_w$}  {:<data_w$}  {:>5}  {:>9}  {:>9}  {:>9}  {:>9}  {:>8}  {:>9}  {status}",
            m.name,
            m.dataset,
            if m.cut_short() { format!("{}*", m.count()) } else { m.count().to_string() },
            fmt_ms(m.median()),
            fmt_ms(m.p90()),
            fmt_ms(m.min()),
            fmt_ms(m.max()),
            if m.mean_results >= 100.0 { format!("{:.0}", m.mean_results) } else { format!("{:.1}", m.mean_results) },
            m.target_ms.map(|t| format!("< {}", fmt_ms(t))).unwrap_or_default(),
        );
    }
}

/// Peak resident set size of this process, kB (`VmHWM` of /proc/self/status; Linux only).
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn fmt_kb(kb: Option<u64>) -> String {
    match kb {
        Some(kb) => fmt_bytes(kb * 1024),
        None => "unknown (no /proc/self/status)".to_owned(),
    }
}

fn fmt_bytes(b: u64) -> String {
    let mib = b as f64 / (1024.0 * 1024.0);
    if mib >= 1024.0 {
        format!("{:.2} GiB", mib / 1024.0)
    } else {
        format!("{mib:.1} MiB")
    }
}

/// 1000000 → "1,000,000".
fn human_count(n: usize) -> String {
    let digits: Vec<char> = n.to_string().chars().collect();
    let groups: Vec<String> = digits.rchunks(3).rev().map(|g| g.iter().collect()).collect();
    groups.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_sizes() {
        assert_eq!(human_count(1_000_000), "1,000,000");
        assert_eq!(human_count(999), "999");
        assert_eq!(fmt_bytes(3 * 1024 * 1024), "3.0 MiB");
    }

    #[test]
    fn flags_parse() {
        let a = Args::try_parse_from(["yingji-bench", "--quick", "--records", "500", "--json"]).unwrap();
        assert!(a.quick && a.json);
        assert_eq!(a.records, Some(500));
    }
}
