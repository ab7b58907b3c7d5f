//! `yingji plan …`, `yingji card …`, `yingji inspect …`, `yingji case …`: preparedness through
//! the façade. Changes print the changed record as JSON; lists print a table, or JSON with --json.

use std::{
    io::Read,
    path::{Path, PathBuf},
};

use clap::{Args, Subcommand};
use yingji_api::{
    ApiError, Console, ErrorCode, FindingFilterDto, NewInspectionDto, NewPlanDto, PlanFilterDto, PlanStepDto,
};

use crate::{lang, print_json};

fn en() -> bool {
    lang().starts_with("en")
}

#[derive(Subcommand)]
pub enum PlanCommand {
    /// Emergency plans, the most overdue revisions first.
    List {
        #[arg(long, env = "YINGJI_DB")]
        db: PathBuf,
        /// Only this region (a city includes its counties).
        #[arg(long)]
        region: Option<String>,
        /// Only the plans of this risk source, intake or region code.
        #[arg(long)]
        subject: Option<String>,
        /// enterprise | chemical_park | water_source | county | city
        #[arg(long)]
        kind: Option<String>,
        /// Only plans whose 3-yearly revision is overdue.
        #[arg(long)]
        overdue: bool,
        #[arg(long)]
        json: bool,
    },
    /// Add a plan; prints it as JSON.
    Add {
        #[arg(long, env = "YINGJI_DB")]
        db: PathBuf,
        /// enterprise | chemical_park | water_source | county | city
        #[arg(long)]
        subject_kind: String,
        /// The risk source id, the intake id, or the county/city code.
        #[arg(long)]
        subject_id: String,
        #[arg(long)]
        title: String,
        /// drafting | under_review | filed
        #[arg(long, default_value = "drafting")]
        status: String,
        /// YYYY-MM-DD the current version was issued.
        #[arg(long)]
        issued_on: Option<String>,
        /// YYYY-MM-DD it was filed.
        #[arg(long)]
        filed_on: Option<String>,
        #[arg(long, default_value = "")]
        filing_number: String,
        #[arg(long, default_value = "")]
        owner_org: String,
        #[arg(long, default_value = "")]
        contact_name: String,
        #[arg(long, default_value = "")]
        contact_phone: String,
    },
    /// Move a plan on: review (提交评审), file (备案: needs --issued-on and --filed-on), revise (开始修订).
    Step {
        #[arg(long, env = "YINGJI_DB")]
        db: PathBuf,
        plan_id: String,
        step: String,
        #[arg(long)]
        issued_on: Option<String>,
        #[arg(long)]
        filed_on: Option<String>,
        #[arg(long)]
        filing_number: Option<String>,
    },
    /// Keep a PDF or DOCX file (at most 20 MB) with a plan.
    Attach {
        #[arg(long, env = "YINGJI_DB")]
        db: PathBuf,
        plan_id: String,
        file: PathBuf,
        /// Who adds it.
        #[arg(long, default_value = "")]
        by: String,
    },
    /// Write a kept attachment (of a plan or a finding) to a file.
    Export {
        #[arg(long, env = "YINGJI_DB")]
        db: PathBuf,
        attachment_id: String,
        out: PathBuf,
    },
    /// Overdue revisions per region, then the overdue plans.
    Overdue {
        #[arg(long, env = "YINGJI_DB")]
        db: PathBuf,
        #[arg(long)]
        region: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
pub struct CardArgs {
    /// The risk source's id.
    risk_source_id: String,
    #[arg(long, env = "YINGJI_DB")]
    db: PathBuf,
    /// Write the one-page PDF here (else the card is printed as JSON).
    #[arg(long)]
    pdf: Option<PathBuf>,
    /// The PDF's language: zh (Chinese, the default) or en (English).
    #[arg(long, default_value = "zh")]
    lang: String,
}

#[derive(Subcommand)]
pub enum InspectCommand {
    /// Record an inspection and its findings from a JSON file ('-' for stdin):
    /// {"risk_source_id", "inspected_on", "inspectors", "summary", "findings": [{"description",
    /// "severity": "general|major", "deadline_on", "owner", "evidence"}]}
    Record {
        #[arg(long, env = "YINGJI_DB")]
        db: PathBuf,
        file: String,
        #[arg(long)]
        author: String,
    },
    /// Findings: overdue first.
    Findings {
        #[arg(long, env = "YINGJI_DB")]
        db: PathBuf,
        #[arg(long)]
        region: Option<String>,
        #[arg(long)]
        source: Option<String>,
        /// Only findings not yet verified.
        #[arg(long)]
        open: bool,
        #[arg(long)]
        overdue: bool,
        #[arg(long)]
        json: bool,
    },
    /// One finding with its events, as JSON.
    Show {
        #[arg(long, env = "YINGJI_DB")]
        db: PathBuf,
        finding_id: String,
    },
    /// Move a finding on: rectifying (整改中), then verified (验收销号, needs --note or --evidence).
    Advance {
        #[arg(long, env = "YINGJI_DB")]
        db: PathBuf,
        finding_id: String,
        status: String,
        #[arg(long)]
        author: String,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long, default_value = "")]
        evidence: String,
    },
    /// Keep a photo (JPEG/PNG) or document (PDF/DOCX) as evidence of a finding.
    Attach {
        #[arg(long, env = "YINGJI_DB")]
        db: PathBuf,
        finding_id: String,
        file: PathBuf,
        #[arg(long, default_value = "")]
        by: String,
    },
    /// Open and overdue findings per region.
    Dashboard {
        #[arg(long, env = "YINGJI_DB")]
        db: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum CaseCommand {
    /// The case library, newest first.
    List {
        #[arg(long, env = "YINGJI_DB")]
        db: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// One case in full, as JSON.
    Show {
        #[arg(long, env = "YINGJI_DB")]
        db: PathBuf,
        id: String,
    },
    /// Cases like a recorded incident (same pollutant, then same kind), as JSON.
    Like {
        #[arg(long, env = "YINGJI_DB")]
        db: PathBuf,
        incident_id: String,
    },
}

fn read_json<T: serde::de::DeserializeOwned>(file: &str) -> Result<T, ApiError> {
    let mut text = String::new();
    let read = if file == "-" {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(file).map(|t| text = t)
    };
    read.map_err(|e| {
        ApiError::new(ErrorCode::InvalidInput, format!("无法读取 {file}：{e}"), format!("cannot read {file}: {e}"))
    })?;
    serde_json::from_str(&text).map_err(|e| {
        ApiError::invalid(
            "file",
            format!("{file} 不是有效的检查记录 JSON：{e}"),
            format!("{file} is not a valid inspection JSON: {e}"),
        )
    })
}

fn days(d: Option<i64>) -> String {
    match d {
        Some(d) if d > 0 => {
            if en() {
                format!("{d} d overdue")
            } else {
                format!("逾期 {d} 天")
            }
        }
        Some(d) => {
            if en() {
                format!("{} d left", -d)
            } else {
                format!("剩 {} 天", -d)
            }
        }
        None => "—".to_owned(),
    }
}

pub fn plan(cmd: PlanCommand) -> Result<(), ApiError> {
    match cmd {
        PlanCommand::List { db, region, subject, kind, overdue, json } => {
            let plans = Console::open(&db)?.plans(&PlanFilterDto {
                region_code: region,
                subject_id: subject,
                subject_kind: kind,
                overdue_only: overdue,
            })?;
            if json {
                return print_json(&plans);
            }
            for p in &plans {
                println!(
                    "{}  {:<10} {:<12} {:<14} {}  {}",
                    p.id,
                    p.region_name,
                    p.status,
                    p.revision_due_on.as_deref().unwrap_or("—"),
                    days(p.days_overdue),
                    p.title
                );
            }
            eprintln!("{}", if en() { format!("{} plans", plans.len()) } else { format!("共 {} 个预案", plans.len()) });
        }
        PlanCommand::Add {
            db,
            subject_kind,
            subject_id,
            title,
            status,
            issued_on,
            filed_on,
            filing_number,
            owner_org,
            contact_name,
            contact_phone,
        } => {
            let p = Console::open(&db)?.add_plan(&NewPlanDto {
                subject_kind,
                subject_id,
                title,
                status,
                issued_on,
                filed_on,
                filing_number,
                owner_org,
                contact_name,
                contact_phone,
            })?;
            print_json(&p)?;
        }
        PlanCommand::Step { db, plan_id, step, issued_on, filed_on, filing_number } => {
            let p = Console::open(&db)?
                .advance_plan(&plan_id, &PlanStepDto { step, issued_on, filed_on, filing_number })?;
            print_json(&p)?;
        }
        PlanCommand::Attach { db, plan_id, file, by } => {
            print_json(&Console::open(&db)?.attach_plan_file(&plan_id, &file, &by)?)?;
        }
        PlanCommand::Export { db, attachment_id, out } => {
            let name = Console::open(&db)?.save_attachment(&attachment_id, &out)?;
            eprintln!("{name} → {}", out.display());
        }
        PlanCommand::Overdue { db, region, json } => {
            let console = Console::open(&db)?;
            let by_region = console.plans_by_region()?;
            let plans =
                console.plans(&PlanFilterDto { region_code: region, overdue_only: true, ..Default::default() })?;
            if json {
                return print_json(&serde_json::json!({ "regions": by_region, "plans": plans }));
            }
            println!(
                "{:<8} {:<10} {:>6} {:>6} {:>6}",
                if en() { "code" } else { "代码" },
                if en() { "region" } else { "行政区" },
                if en() { "plans" } else { "预案" },
                if en() { "overdue" } else { "逾期" },
                if en() { "soon" } else { "将到期" }
            );
            for r in by_region.iter().filter(|r| r.overdue > 0 || r.due_soon > 0) {
                println!(
                    "{:<8} {:<10} {:>6} {:>6} {:>6}",
                    r.region_code, r.region_name, r.total, r.overdue, r.due_soon
                );
            }
            println!();
            for p in &plans {
                println!("{}  {:<10} {}  {}", p.id, p.region_name, days(p.days_overdue), p.title);
            }
        }
    }
    Ok(())
}

pub fn card(args: CardArgs) -> Result<(), ApiError> {
    let console = Console::open(&args.db)?;
    match args.pdf {
        Some(path) => {
            console.plan_card_pdf(&args.risk_source_id, &path, &args.lang)?;
            eprintln!("{}", path.display());
            Ok(())
        }
        None => print_json(&console.plan_card(&args.risk_source_id)?),
    }
}

pub fn inspect(cmd: InspectCommand) -> Result<(), ApiError> {
    match cmd {
        InspectCommand::Record { db, file, author } => {
            let new: NewInspectionDto = read_json(&file)?;
            print_json(&Console::open(&db)?.record_inspection(&new, &author)?)?;
        }
        InspectCommand::Findings { db, region, source, open, overdue, json } => {
            let list = Console::open(&db)?.findings(&FindingFilterDto {
                region_code: region,
                risk_source_id: source,
                open_only: open,
                overdue_only: overdue,
            })?;
            if json {
                return print_json(&list);
            }
            for f in &list {
                println!(
                    "{}  {:<8} {:<10} {:<10} {}  {}  {}",
                    f.id,
                    f.severity,
                    f.status,
                    f.deadline_on,
                    days(f.days_overdue),
                    f.risk_source_name,
                    f.description
                );
            }
            eprintln!(
                "{}",
                if en() { format!("{} findings", list.len()) } else { format!("共 {} 项隐患", list.len()) }
            );
        }
        InspectCommand::Show { db, finding_id } => print_json(&Console::open(&db)?.finding(&finding_id)?)?,
        InspectCommand::Advance { db, finding_id, status, author, note, evidence } => {
            print_json(&Console::open(&db)?.advance_finding(&finding_id, &status, &author, &note, &evidence)?)?;
        }
        InspectCommand::Attach { db, finding_id, file, by } => {
            print_json(&Console::open(&db)?.attach_finding_file(&finding_id, Path::new(&file), &by)?)?;
        }
        InspectCommand::Dashboard { db, json } => {
            let rows = Console::open(&db)?.findings_by_region()?;
            if json {
                return print_json(&rows);
            }
            for r in &rows {
                println!(
                    "{:<8} {:<10} {:>5} {:>5} {:>5}",
                    r.region_code, r.region_name, r.open, r.overdue, r.major_overdue
                );
            }
        }
    }
    Ok(())
}

pub fn case(cmd: CaseCommand) -> Result<(), ApiError> {
    match cmd {
        CaseCommand::List { db, json } => {
            let cases = Console::open(&db)?.cases()?;
            if json {
                return print_json(&cases);
            }
            for c in &cases {
                println!("{}  {:<30} {}", c.occurred_on, c.id, if en() { &c.title_en } else { &c.title_zh });
            }
        }
        CaseCommand::Show { db, id } => print_json(&Console::open(&db)?.case(&id)?)?,
        CaseCommand::Like { db, incident_id } => print_json(&Console::open(&db)?.cases_like_incident(&incident_id)?)?,
    }
    Ok(())
}
