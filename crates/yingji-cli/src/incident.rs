//! `yingji incident …`: incident command from the command line, JSON out. Every subcommand is
//! one façade call, as the window makes it.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use yingji_api::{
    ApiError, Console, ErrorCode, MaterialRequestDto, NewIncidentDto, NewWarningDto, PollutantDto, ReportDraftDto,
    SeverityFactsDto,
};

use crate::print_json;

#[derive(Args)]
pub struct IncidentArgs {
    /// The replica.
    #[arg(long, env = "YINGJI_DB", global = true)]
    db: Option<PathBuf>,
    /// Who is at the console (the log's author).
    #[arg(long, env = "YINGJI_AUTHOR", global = true)]
    author: Option<String>,
    #[command(subcommand)]
    command: IncidentCommand,
}

#[derive(Subcommand)]
enum IncidentCommand {
    /// Receive an alarm: a new incident.
    New {
        #[arg(long)]
        name: String,
        /// water | air | soil | transport | fire_water | marine | other
        #[arg(long = "type")]
        incident_type: String,
        #[arg(long, allow_hyphen_values = true)]
        lat: f64,
        #[arg(long, allow_hyphen_values = true)]
        lon: f64,
        /// County code (found from the position when left out).
        #[arg(long)]
        region: Option<String>,
        #[arg(long)]
        risk_source: Option<String>,
        /// What leaked and how.
        #[arg(long, default_value = "")]
        source: String,
        /// RFC 3339, e.g. 2026-11-29T13:40:00+08:00 (now when left out).
        #[arg(long)]
        occurred_at: Option<String>,
        #[arg(long)]
        reported_by: String,
        /// A drill: warnings say Exercise, reports say 演练.
        #[arg(long)]
        exercise: bool,
        /// NAME[:CAS[:KG]] (repeatable), e.g. 苯:71-43-2:5000
        #[arg(long)]
        pollutant: Vec<String>,
    },
    /// All incidents, newest first.
    List,
    /// Everything about one incident (log, deadlines, orders, calls, materials, reports, warnings).
    Show { id: String },
    /// Add a decision, call, arrival or note to the log; or correct an entry with --corrects.
    Log {
        id: String,
        /// decision | call | arrival | note
        #[arg(long, default_value = "note")]
        kind: String,
        #[arg(long)]
        body: String,
        /// The id of the entry this one corrects.
        #[arg(long)]
        corrects: Option<String>,
    },
    /// Suggest the tier from the facts (with the criteria met); --confirm TIER records it.
    Tier {
        /// An incident id (needed with --confirm).
        id: Option<String>,
        #[arg(long, default_value_t = 0)]
        deaths: u32,
        #[arg(long, default_value_t = 0)]
        poisoned: u32,
        #[arg(long, default_value_t = 0)]
        evacuated: u32,
        #[arg(long, default_value_t = 0.0)]
        loss_yuan: f64,
        /// township | county | city
        #[arg(long)]
        intake: Option<String>,
        /// county | city | province | national
        #[arg(long)]
        boundary: Option<String>,
        /// general | larger | major | especially_major
        #[arg(long)]
        confirm: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Reporting deadlines (for the confirmed tier, or --tier).
    Deadlines {
        id: String,
        #[arg(long)]
        tier: Option<String>,
    },
    /// Order a team to a task; or change an order's status with --order and --status.
    Order {
        id: Option<String>,
        #[arg(long)]
        team: Option<String>,
        #[arg(long)]
        task: Option<String>,
        #[arg(long)]
        order: Option<String>,
        /// acknowledged | en_route | on_scene | completed | cancelled
        #[arg(long)]
        status: Option<String>,
    },
    /// Teams or experts ranked by specialty match, then distance.
    Support {
        id: String,
        /// team | expert
        #[arg(long, default_value = "team")]
        kind: String,
        #[arg(long, default_value_t = 10)]
        limit: u32,
    },
    /// Record a call to a team or expert and the answer.
    Call {
        id: String,
        /// team | expert
        #[arg(long)]
        kind: String,
        #[arg(long)]
        target: String,
        /// accepted | declined | no_answer
        #[arg(long)]
        answer: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Request materials: allocated nearest first from one or more warehouses. Without
    /// --quantity, only lists the stock nearest first with travel times.
    Dispatch {
        id: String,
        #[arg(long)]
        item: String,
        #[arg(long)]
        quantity: Option<f64>,
        #[arg(long, default_value = "")]
        unit: String,
        #[arg(long)]
        unit_cost_yuan: Option<f64>,
    },
    /// Record that an allocation arrived.
    Arrive { allocation: String },
    /// Reports: draft | save | mark | export.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Issue a warning (a polygon or a radius around the incident); --cap FILE writes CAP 1.2 XML.
    Warn {
        id: String,
        /// blue | yellow | orange | red
        #[arg(long)]
        level: String,
        #[arg(long)]
        headline: String,
        #[arg(long, default_value = "")]
        description: String,
        #[arg(long, default_value = "")]
        instruction: String,
        #[arg(long, default_value = "")]
        area_desc: String,
        /// "lat,lon lat,lon …"
        #[arg(long)]
        polygon: Option<String>,
        #[arg(long)]
        radius_m: Option<f64>,
        #[arg(long)]
        cap: Option<PathBuf>,
        /// The CAP sender id.
        #[arg(long, default_value = "yingji@console")]
        sender: String,
    },
    /// Enter a cost (yuan) for the direct loss estimate.
    Cost {
        id: String,
        #[arg(long)]
        description: String,
        #[arg(long)]
        amount_yuan: f64,
    },
    /// The closing summary; with --summary, close the incident.
    Close {
        id: String,
        #[arg(long)]
        summary: Option<String>,
    },
    /// Record that a control work (sluice, gate, ship lock, pump station) was closed.
    Gate {
        id: String,
        /// The control work's id or exact name, e.g. 淮安水利枢纽.
        #[arg(long)]
        work: String,
        #[arg(long, default_value = "")]
        note: String,
    },
}

#[derive(Subcommand)]
enum ReportCommand {
    /// Print the drafted text of a report (not saved).
    Draft {
        id: String,
        /// initial | follow_up | result
        #[arg(long)]
        kind: String,
    },
    /// Save a new version: the draft, or --title/--body-file.
    Save {
        id: String,
        #[arg(long)]
        kind: String,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        body_file: Option<PathBuf>,
    },
    /// Mark a report version sent | received | acknowledged.
    Mark {
        report: String,
        #[arg(long)]
        status: String,
    },
    /// Write a report version as DOCX or PDF (Chinese font embedded in the PDF).
    Export {
        report: String,
        /// docx | pdf
        #[arg(long)]
        format: String,
        #[arg(long)]
        out: PathBuf,
    },
}

fn need<T>(v: Option<T>, field: &str, zh: &str) -> Result<T, ApiError> {
    v.ok_or_else(|| {
        ApiError::invalid(
            field,
            format!("请给出 --{}（{zh}）", field.replace('_', "-")),
            format!("--{} is required", field.replace('_', "-")),
        )
    })
}

fn pollutant(s: &str) -> Result<PollutantDto, ApiError> {
    let mut parts = s.splitn(3, ':');
    let name_zh = parts.next().unwrap_or_default().trim().to_owned();
    let cas = parts.next().unwrap_or_default().trim().to_owned();
    let estimated_quantity_kg = match parts.next() {
        Some(q) => Some(q.trim().parse::<f64>().map_err(|_| {
            ApiError::invalid(
                "pollutant",
                format!("污染物「{s}」的数量不是数字"),
                format!("the quantity of pollutant {s:?} is not a number"),
            )
        })?),
        None => None,
    };
    Ok(PollutantDto { name_zh, cas, estimated_quantity_kg })
}

fn polygon(s: &str) -> Result<Vec<(f64, f64)>, ApiError> {
    s.split_whitespace()
        .map(|pair| {
            let (a, b) = pair.split_once(',').unwrap_or((pair, ""));
            match (a.parse::<f64>(), b.parse::<f64>()) {
                (Ok(lat), Ok(lon)) => Ok((lat, lon)),
                _ => Err(ApiError::invalid(
                    "polygon",
                    format!("「{pair}」不是“纬度,经度”"),
                    format!("{pair:?} is not \"lat,lon\""),
                )),
            }
        })
        .collect()
}

fn io_err(path: &std::path::Path, e: std::io::Error) -> ApiError {
    ApiError::new(
        ErrorCode::Internal,
        format!("无法读写 {}：{e}", path.display()),
        format!("cannot read or write {}: {e}", path.display()),
    )
}

pub fn run(args: IncidentArgs) -> Result<(), ApiError> {
    let db = need(args.db, "db", "数据库文件")?;
    let author = || need(args.author.clone(), "author", "记录人");
    let mut console = Console::open(&db)?;
    match args.command {
        IncidentCommand::New {
            name,
            incident_type,
            lat,
            lon,
            region,
            risk_source,
            source,
            occurred_at,
            reported_by,
            exercise,
            pollutant: ps,
        } => {
            let pollutants = ps.iter().map(|p| pollutant(p)).collect::<Result<Vec<_>, _>>()?;
            print_json(&console.create_incident(&NewIncidentDto {
                name,
                incident_type,
                lat,
                lon,
                region_code: region,
                risk_source_id: risk_source,
                source_description: source,
                occurred_at,
                reported_by,
                exercise,
                pollutants,
            })?)
        }
        IncidentCommand::List => print_json(&console.list_incidents()?),
        IncidentCommand::Show { id } => print_json(&console.incident_detail(&id)?),
        IncidentCommand::Log { id, kind, body, corrects } => match corrects {
            Some(c) => print_json(&console.correct_log_entry(&id, &c, &author()?, &body)?),
            None => print_json(&console.add_log_entry(&id, &kind, &author()?, &body)?),
        },
        IncidentCommand::Tier { id, deaths, poisoned, evacuated, loss_yuan, intake, boundary, confirm, note } => {
            let suggestion = yingji_api::suggest_tier(&SeverityFactsDto {
                deaths,
                poisoned_or_injured: poisoned,
                evacuated,
                direct_loss_yuan: loss_yuan,
                intake_interrupted: intake,
                cross_boundary: boundary,
            })?;
            match confirm {
                Some(tier) => {
                    let id = need(id, "id", "事件编号")?;
                    let entry = console.confirm_tier(&id, &tier, &author()?, &note)?;
                    let deadlines = console.incident_deadlines(&id, None)?;
                    print_json(
                        &serde_json::json!({ "suggestion": suggestion, "confirmed": entry, "deadlines": deadlines }),
                    )
                }
                None => print_json(&suggestion),
            }
        }
        IncidentCommand::Deadlines { id, tier } => print_json(&console.incident_deadlines(&id, tier.as_deref())?),
        IncidentCommand::Order { id, team, task, order, status } => match (order, status) {
            (Some(order), Some(status)) => print_json(&console.set_order_status(&order, &status, &author()?)?),
            _ => print_json(&console.order_team(
                &need(id, "id", "事件编号")?,
                &need(team, "team", "队伍编号")?,
                &need(task, "task", "任务")?,
                &author()?,
            )?),
        },
        IncidentCommand::Support { id, kind, limit } => print_json(&console.rank_support(&id, &kind, limit)?),
        IncidentCommand::Call { id, kind, target, answer, note } => {
            print_json(&console.record_support_call(&id, &kind, &target, &answer, &note, &author()?)?)
        }
        IncidentCommand::Dispatch { id, item, quantity, unit, unit_cost_yuan } => match quantity {
            Some(quantity) => print_json(&console.request_materials(
                &id,
                &MaterialRequestDto { item, quantity, unit, unit_cost_yuan },
                &author()?,
            )?),
            None => print_json(&console.dispatch_candidates(&id, &item)?),
        },
        IncidentCommand::Arrive { allocation } => {
            console.record_arrival(&allocation, &author()?)?;
            print_json(&serde_json::json!({ "arrived": allocation }))
        }
        IncidentCommand::Report { command } => match command {
            ReportCommand::Draft { id, kind } => print_json(&console.draft_report(&id, &kind)?),
            ReportCommand::Save { id, kind, title, body_file } => {
                let text = match body_file {
                    Some(path) => {
                        let body = std::fs::read_to_string(&path).map_err(|e| io_err(&path, e))?;
                        let title = match title {
                            Some(t) => t,
                            None => console.draft_report(&id, &kind)?.title,
                        };
                        Some(ReportDraftDto { title, body })
                    }
                    None => None,
                };
                print_json(&console.save_report(&id, &kind, text, &author()?)?)
            }
            ReportCommand::Mark { report, status } => print_json(&console.mark_report(&report, &status, &author()?)?),
            ReportCommand::Export { report, format, out } => {
                console.export_report(&report, &format, &out)?;
                print_json(&serde_json::json!({ "report": report, "format": format, "path": out }))
            }
        },
        IncidentCommand::Warn {
            id,
            level,
            headline,
            description,
            instruction,
            area_desc,
            polygon: poly,
            radius_m,
            cap,
            sender,
        } => {
            let polygon = poly.as_deref().map(polygon).transpose()?;
            let w = console.issue_warning(
                &id,
                &NewWarningDto { level, headline, description, instruction, area_desc, polygon, radius_m },
                &author()?,
            )?;
            if let Some(path) = cap {
                let xml = console.warning_cap_xml(&w.id, &sender)?;
                std::fs::write(&path, xml).map_err(|e| io_err(&path, e))?;
            }
            print_json(&w)
        }
        IncidentCommand::Cost { id, description, amount_yuan } => {
            console.add_incident_cost(&id, &description, amount_yuan, &author()?)?;
            print_json(&console.closing_summary(&id)?)
        }
        IncidentCommand::Close { id, summary } => match summary {
            Some(s) => print_json(&console.close_incident(&id, &s, &author()?)?),
            None => print_json(&console.closing_summary(&id)?),
        },
        IncidentCommand::Gate { id, work, note } => {
            print_json(&console.close_control_work(&id, &work, &author()?, &note)?)
        }
    }
}
