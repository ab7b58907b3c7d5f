//! `yingji`: the scriptable face of the core. Every command calls `yingji-api`, as the window
//! does, so the two never disagree. Machine-readable output is JSON on stdout; errors go to
//! stderr in the user's language (Chinese when `LANG`/`YINGJI_LANG` starts with `zh`).
#![allow(clippy::print_stdout)] // a command-line program prints its answers

mod chem;
mod drill;
mod incident;
mod model_runs;
mod prep;
mod sync;

use std::{io::Read, path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};
use yingji_api::{ApiError, Console, ErrorCode, NearQuery, StockQuery};

#[derive(Parser)]
#[command(name = "yingji", version, about = "应急 Yingji — offline environmental emergency console (command line)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new replica database (empty, or the demo province of Jiangsu with --demo).
    Init {
        path: PathBuf,
        /// Fill it with the demo province (fictitious records on real geography).
        #[arg(long)]
        demo: bool,
        /// Seed of the demo data: the same seed gives the same database.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Rows per table.
    Stats {
        path: PathBuf,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Import a county spreadsheet (CSV or XLSX); see docs/import.md for the columns.
    Import {
        file: PathBuf,
        /// The replica to import into.
        #[arg(long, env = "YINGJI_DB")]
        db: PathBuf,
        /// teams | experts | warehouses | stock | risk_sources (detected from the headers if left out).
        #[arg(long)]
        kind: Option<String>,
        /// Import the good rows and report the bad ones, instead of importing nothing.
        #[arg(long)]
        skip_bad: bool,
    },
    /// Queries over the replica; JSON out.
    Query {
        #[command(subcommand)]
        query: QueryCommand,
    },
    /// The chemical and disposal library.
    Chem {
        #[command(subcommand)]
        chem: chem::ChemCommand,
    },
    /// The spill and dispersion models (docs/model-api.md).
    Model {
        #[command(subcommand)]
        model: ModelCommand,
    },
    /// The provincial hub: init, serve, device tokens.
    Hub {
        #[command(subcommand)]
        hub: sync::HubCommand,
    },
    /// One full sync (push, then pull) with the hub; progress on stderr, JSON summary on stdout.
    Sync {
        #[arg(long, env = "YINGJI_DB")]
        db: PathBuf,
        #[arg(long)]
        hub: String,
        /// File holding the device token (0600); else YINGJI_HUB_TOKEN.
        #[arg(long)]
        token_file: Option<PathBuf>,
        /// PEM certificate to trust for an https:// hub with its own (self-signed) certificate.
        #[arg(long, env = "YINGJI_HUB_CA")]
        ca: Option<PathBuf>,
        /// After a successful sync, keep the token in the OS keychain (else a 0600 file, with a
        /// warning) so later syncs need neither --token-file nor YINGJI_HUB_TOKEN.
        #[arg(long)]
        save_token: bool,
    },
    /// Sync status, conflicts and over-allocations of a replica (JSON).
    SyncStatus {
        #[arg(long, env = "YINGJI_DB")]
        db: PathBuf,
    },
    /// Ordinary edits through the store (captured for sync).
    Edit {
        #[arg(long, env = "YINGJI_DB")]
        db: PathBuf,
        #[command(subcommand)]
        edit: sync::EditCommand,
    },
    /// Incident command: alarm, log, tier, deadlines, orders, support, dispatch, reports, warnings, closing.
    Incident(incident::IncidentArgs),
    /// Emergency plans: list, add, step (review/file/revise), attach, export, overdue.
    Plan {
        #[command(subcommand)]
        plan: prep::PlanCommand,
    },
    /// The one-page plan card of a risk source: JSON, or a PDF with --pdf.
    Card(prep::CardArgs),
    /// Hazard inspections: record, findings, show, advance, attach, dashboard.
    Inspect {
        #[command(subcommand)]
        inspect: prep::InspectCommand,
    },
    /// The case library of past incidents: list, show, like (an incident).
    Case {
        #[command(subcommand)]
        case: prep::CaseCommand,
    },
    /// Tabletop drills: start one on a copy of a replica, run its clock, evaluate and replay it.
    Drill(drill::DrillArgs),
}

#[derive(Subcommand)]
enum QueryCommand {
    /// Everything within a radius of a point, grouped by kind and sorted by distance.
    Near {
        #[arg(long, env = "YINGJI_DB")]
        db: PathBuf,
        #[arg(long, allow_hyphen_values = true)]
        lat: f64,
        #[arg(long, allow_hyphen_values = true)]
        lon: f64,
        #[arg(long, default_value_t = 10.0)]
        radius_km: f64,
        /// Only these kinds (repeatable): team, expert, warehouse, stock_item, risk_source, target, control_work, reach, region.
        #[arg(long)]
        kind: Vec<String>,
        /// Only the N nearest.
        #[arg(long)]
        nearest: Option<u32>,
        /// Without --nearest: list at most N of each kind (the counts stay exact); all by default.
        #[arg(long)]
        per_kind: Option<u32>,
        /// The N nearest warehouses holding this item (any part of its name, e.g. 活性炭); needs --nearest.
        #[arg(long, requires = "nearest")]
        holding: Option<String>,
    },
    /// Search names (any part), pinyin, CAS and UN numbers.
    Search {
        text: String,
        #[arg(long, env = "YINGJI_DB")]
        db: PathBuf,
        /// Only within this region code (a city includes its counties).
        #[arg(long)]
        region: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
}

#[derive(Subcommand)]
enum ModelCommand {
    /// Run one JSON request (a file, or - for stdin) and print the JSON answer.
    Run { file: String },
    /// A spill into the replica's river network: affected intakes and sluices to close, JSON out.
    Spill {
        #[arg(long, env = "YINGJI_DB")]
        db: PathBuf,
        #[arg(long, allow_hyphen_values = true)]
        lat: f64,
        #[arg(long, allow_hyphen_values = true)]
        lon: f64,
        /// Mass reaching the water, kg.
        #[arg(long)]
        mass_kg: f64,
        /// Concentration that counts as affected, mg/L (e.g. the GB 3838-2002 limit).
        #[arg(long)]
        threshold_mg_l: f64,
        /// First-order loss rate, 1/s.
        #[arg(long, default_value_t = 0.0)]
        decay_per_s: f64,
    },
    /// The saved model runs (from the map's model panel), newest first.
    Runs {
        #[arg(long, env = "YINGJI_DB")]
        db: PathBuf,
        /// Print JSON instead of one line per run.
        #[arg(long)]
        json: bool,
    },
}

fn lang() -> String {
    std::env::var("YINGJI_LANG").or_else(|_| std::env::var("LANG")).unwrap_or_default()
}

fn print_json(value: &impl serde::Serialize) -> Result<(), ApiError> {
    let text = serde_json::to_string_pretty(value).map_err(|e| {
        ApiError::new(ErrorCode::Internal, format!("输出 JSON 失败：{e}"), format!("cannot write JSON: {e}"))
    })?;
    // A closed pipe (`yingji … | head`) is the reader's choice, not an error: stop quietly.
    use std::io::Write;
    match writeln!(std::io::stdout().lock(), "{text}") {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => {
            Err(ApiError::new(ErrorCode::Internal, format!("输出失败：{e}"), format!("cannot write the output: {e}")))
        }
        Ok(()) => Ok(()),
    }
}

fn run(cli: Cli) -> Result<ExitCode, ApiError> {
    match cli.command {
        Command::Init { path, demo, seed } => {
            yingji_api::init(&path, demo, seed)?;
            let console = Console::open(&path)?;
            let total: u64 = console.stats()?.iter().map(|t| t.count).sum();
            eprintln!("{} ({} rows{})", path.display(), total, if demo { ", demo province" } else { "" });
        }
        Command::Stats { path, json } => {
            let stats = Console::open(&path)?.stats()?;
            if json {
                let map: serde_json::Map<String, serde_json::Value> =
                    stats.into_iter().map(|t| (t.table, t.count.into())).collect();
                print_json(&map)?;
            } else {
                for t in stats {
                    println!("{:<24}{:>10}", t.table, t.count);
                }
            }
        }
        Command::Import { file, db, kind, skip_bad } => {
            let mut console = Console::open(&db)?;
            let summary = console.import_file(&file, kind.as_deref(), skip_bad)?;
            print_json(&summary)?;
        }
        Command::Query { query: QueryCommand::Near { db, lat, lon, radius_km, kind, nearest, per_kind, holding } } => {
            let console = Console::open(&db)?;
            match (holding, nearest) {
                (Some(item), Some(n)) => {
                    print_json(&console.nearest_stock(&StockQuery { lat, lon, item, nearest: n })?)?
                }
                _ => print_json(&console.near(&NearQuery { lat, lon, radius_km, kinds: kind, nearest, per_kind })?)?,
            }
        }
        Command::Query { query: QueryCommand::Search { text, db, region, limit } } => {
            let hits = Console::open(&db)?.search(&text, region.as_deref(), limit)?;
            print_json(&hits)?;
        }
        Command::Hub { hub } => sync::hub(hub)?,
        Command::Sync { db, hub, token_file, ca, save_token } => sync::sync(db, hub, token_file, ca, save_token)?,
        Command::SyncStatus { db } => sync::status(db)?,
        Command::Edit { db, edit } => sync::edit(db, edit)?,
        Command::Chem { chem } => return chem::run(chem),
        Command::Incident(args) => incident::run(args)?,
        Command::Plan { plan } => prep::plan(plan)?,
        Command::Card(args) => prep::card(args)?,
        Command::Inspect { inspect } => prep::inspect(inspect)?,
        Command::Case { case } => prep::case(case)?,
        Command::Drill(args) => drill::run(args)?,
        Command::Model { model: ModelCommand::Run { file } } => return Ok(model_run(&file)),
        Command::Model { model: ModelCommand::Runs { db, json } } => model_runs::list(&db, json, &lang())?,
        Command::Model { model: ModelCommand::Spill { db, lat, lon, mass_kg, threshold_mg_l, decay_per_s } } => {
            let console = Console::open(&db)?;
            let request =
                yingji_api::RiverSpillRequest { lat, lon, mass_kg, threshold_mg_l, decay_per_s, duration_s: None };
            match console.river_spill(&request) {
                Ok(result) => print_json(&result)?,
                Err(e) => {
                    let field = match &e {
                        yingji_api::SpillError::Invalid { field, .. } => *field,
                        yingji_api::SpillError::NoWaterway { .. } => "lat",
                        _ => "",
                    };
                    println!("{}", serde_json::json!({ "error": { "field": field, "message": e.to_string() } }));
                    return Ok(ExitCode::from(2));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `yingji model run`: exit 0 with the answer, or exit 2 with `{"error": {"field", "message"}}`.
fn model_run(file: &str) -> ExitCode {
    let fail = |field: &str, message: String| {
        let body = serde_json::json!({ "error": { "field": field, "message": message } });
        println!("{body}");
        ExitCode::from(2)
    };
    let mut text = String::new();
    let read = if file == "-" {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(file).map(|t| text = t)
    };
    if let Err(e) = read {
        return fail("", format!("cannot read {file}: {e}"));
    }
    let request: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => return fail("", format!("the request is not valid JSON: {e}")),
    };
    match yingji_api::run_model_json(&request) {
        Ok(answer) => {
            println!("{answer}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(e.field(), e.message()),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("yingji: {}", e.message(&lang()));
            match e.code {
                ErrorCode::InvalidInput
                | ErrorCode::SyncRefused
                | ErrorCode::ImportBadRows
                | ErrorCode::ImportUnreadable => ExitCode::from(2),
                _ => ExitCode::from(1),
            }
        }
    }
}
