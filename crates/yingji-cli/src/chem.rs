//! `yingji chem …`: the chemical and disposal library, through the façade.

use std::{path::PathBuf, process::ExitCode};

use clap::Subcommand;
use yingji_api::{ApiError, Console};

use crate::{lang, print_json};

#[derive(Subcommand)]
pub enum ChemCommand {
    /// Search the library by any part of the Chinese name, pinyin, English name, CAS or UN number.
    Search {
        text: String,
        #[arg(long, env = "YINGJI_DB")]
        db: PathBuf,
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Everything the library holds on one chemical, as JSON.
    Show {
        cas: String,
        #[arg(long, env = "YINGJI_DB")]
        db: PathBuf,
    },
}

pub fn run(cmd: ChemCommand) -> Result<ExitCode, ApiError> {
    match cmd {
        ChemCommand::Search { text, db, limit, json } => {
            let hits = Console::open(&db)?.chemical_search(&text, limit)?;
            if json {
                print_json(&hits)?;
            } else {
                let en = lang().starts_with("en");
                println!(
                    "{:<12} {:<6} {:>9}  {}",
                    "CAS",
                    "UN",
                    if en { "M g/mol" } else { "摩尔质量" },
                    if en { "name" } else { "名称" }
                );
                for h in &hits {
                    println!(
                        "{:<12} {:<6} {:>9.3}  {} / {}",
                        h.cas, h.un_number, h.molar_mass_g_mol, h.name_zh, h.name_en
                    );
                }
                if hits.is_empty() {
                    eprintln!("{}", if en { "no chemical matches" } else { "没有匹配的化学品" });
                }
            }
        }
        ChemCommand::Show { cas, db } => print_json(&Console::open(&db)?.chemical(&cas)?)?,
    }
    Ok(ExitCode::SUCCESS)
}
