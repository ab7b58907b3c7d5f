//! `yingji drill …`: tabletop drills from the command line, JSON out. Every subcommand is one
//! façade call, as the window makes it.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use yingji_api::{ApiError, Console, ErrorCode, StartDrillDto};

use crate::print_json;

#[derive(Args)]
pub struct DrillArgs {
    /// The drill database.
    #[arg(long, env = "YINGJI_DB", global = true)]
    db: Option<PathBuf>,
    /// Who acts (the facilitator).
    #[arg(long, env = "YINGJI_AUTHOR", global = true)]
    by: Option<String>,
    #[command(subcommand)]
    command: DrillCommand,
}

#[derive(Subcommand)]
enum DrillCommand {
    /// Start a drill: copy REPLICA to a new drill database (--db), create the scenario's incident
    /// (an exercise) and start the clock.
    Start {
        /// A scenario file, or `builtin:NAME.json` for a ready one (`yingji drill scenarios`).
        scenario: PathBuf,
        /// The replica to copy (never written).
        #[arg(long)]
        from: PathBuf,
        /// Drill seconds per real second, 1–60.
        #[arg(long, default_value_t = 1)]
        speed: u8,
        /// Start with the clock paused.
        #[arg(long)]
        paused: bool,
    },
    /// Show the clock, or change it: pause | resume | speed N | end.
    Clock { action: Option<String>, speed: Option<u8> },
    /// The drill: clock, injects (delivers those due).
    Status,
    /// The evaluation (as of now in drill time, or --as-of); --pdf writes it as PDF.
    Evaluate {
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long)]
        pdf: Option<PathBuf>,
    },
    /// The incident as it stood at drill time --at (RFC 3339).
    Replay {
        #[arg(long)]
        at: String,
    },
    /// The scenario files in a folder (default: the ready scenarios built into the program,
    /// which `drill start builtin:NAME.json` starts).
    Scenarios { dir: Option<PathBuf> },
}

fn db(args: &DrillArgs) -> Result<PathBuf, ApiError> {
    args.db.clone().ok_or_else(|| {
        ApiError::invalid(
            "db",
            "请用 --db 或 YINGJI_DB 指定演练数据库",
            "give the drill database with --db or YINGJI_DB",
        )
    })
}

fn by(args: &DrillArgs) -> Result<String, ApiError> {
    args.by.clone().ok_or_else(|| {
        ApiError::invalid("by", "请用 --by 或 YINGJI_AUTHOR 写明导调人", "say who acts with --by or YINGJI_AUTHOR")
    })
}

pub fn run(args: DrillArgs) -> Result<(), ApiError> {
    match &args.command {
        DrillCommand::Start { scenario, from, speed, paused } => {
            let start = StartDrillDto {
                scenario_path: scenario.display().to_string(),
                speed: *speed,
                paused: *paused,
                started_by: by(&args)?,
            };
            print_json(&yingji_api::start_drill(from, &db(&args)?, &start)?)
        }
        DrillCommand::Clock { action, speed } => {
            let mut console = Console::open(&db(&args)?)?;
            match action {
                None => print_json(&console.drill_status()?.clock),
                Some(a) => print_json(&console.drill_clock(a, *speed, &by(&args)?)?),
            }
        }
        DrillCommand::Status => print_json(&Console::open(&db(&args)?)?.drill_status()?),
        DrillCommand::Evaluate { as_of, pdf } => {
            let mut console = Console::open(&db(&args)?)?;
            console.drill_status()?; // deliver what fell due before evaluating
            if let Some(path) = pdf {
                console.export_drill_evaluation(as_of.as_deref(), path)?;
            }
            print_json(&console.drill_evaluation(as_of.as_deref())?)
        }
        DrillCommand::Replay { at } => print_json(&Console::open(&db(&args)?)?.drill_replay(at)?),
        DrillCommand::Scenarios { dir: None } => print_json(&yingji_api::list_builtin_scenarios()),
        DrillCommand::Scenarios { dir: Some(dir) } => {
            if !dir.is_dir() {
                return Err(ApiError::new(
                    ErrorCode::InvalidInput,
                    format!("找不到演练脚本目录 {}", dir.display()),
                    format!("no scenario folder {}", dir.display()),
                ));
            }
            print_json(&yingji_api::list_scenarios(dir)?)
        }
    }
}
