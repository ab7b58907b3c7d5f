//! `yingji hub …`, `yingji sync` and `yingji edit …`: sync with the provincial hub from the
//! command line, through the façade.

use std::{io::Write, path::PathBuf};

use clap::Subcommand;
use yingji_api::{ApiError, Console, StockMovement, SyncProgress};

#[derive(Subcommand)]
pub enum HubCommand {
    /// Create a hub database (SQLite file or postgres:// URL), seeded with the demo province with --demo.
    Init {
        path: PathBuf,
        #[arg(long)]
        demo: bool,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// A drill hub: it syncs only with drill databases (`yingji drill start`), never real ones.
        #[arg(long)]
        drill: bool,
    },
    /// Serve the hub. Prints the bound address on stdout once listening.
    Serve {
        /// Hub database: a SQLite file or a postgres:// URL.
        #[arg(long)]
        db: String,
        /// Address to listen on; plain HTTP only on loopback (e.g. 127.0.0.1:8470, port 0 = any).
        #[arg(long, default_value = "127.0.0.1:8470")]
        listen: String,
        /// Certificate chain (PEM) for HTTPS; needs --key.
        #[arg(long, requires = "key")]
        cert: Option<PathBuf>,
        /// Private key (PEM) of --cert.
        #[arg(long, requires = "cert")]
        key: Option<PathBuf>,
    },
    /// Device tokens.
    Token {
        #[command(subcommand)]
        token: TokenCommand,
    },
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Issue a token for a device of a region (printed once; the hub keeps only its hash).
    Issue {
        #[arg(long)]
        db: String,
        /// 6-digit region code: county (320102), city (320100) or province (320000).
        #[arg(long)]
        region: String,
        /// editor | viewer
        #[arg(long, default_value = "editor")]
        role: String,
    },
    /// Revoke a token by its id.
    Revoke {
        #[arg(long)]
        db: String,
        #[arg(long)]
        id: String,
    },
}

#[derive(Subcommand)]
pub enum EditCommand {
    /// Set one field of a record: VALUE is JSON ("text", 12, 3.5, null).
    Set { table: String, id: String, field: String, value: String },
    /// Delete a record.
    Delete { table: String, id: String },
    /// Add a stock movement (negative for a dispatch).
    Ledger {
        stock_item_id: String,
        quantity_delta: f64,
        #[arg(long, default_value = "dispatch")]
        kind: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Mark a conflict resolved.
    Resolve { conflict_id: String, resolution: String },
}

/// The token: --token-file, else YINGJI_HUB_TOKEN, else the one saved with --save-token.
fn read_token(token_file: Option<PathBuf>, db: &std::path::Path, hub: &str) -> Result<String, ApiError> {
    if let Some(path) = token_file {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if let Ok(meta) = std::fs::metadata(&path) {
                if meta.permissions().mode() & 0o077 != 0 {
                    eprintln!(
                        "警告 / warning: {} 可被其他用户读取，请执行 chmod 600 / is readable by other users, run chmod 600",
                        path.display()
                    );
                }
            }
        }
        return std::fs::read_to_string(&path).map(|t| t.trim().to_owned()).map_err(|e| {
            ApiError::invalid(
                "token_file",
                format!("无法读取令牌文件 {}：{e}", path.display()),
                format!("cannot read token file {}: {e}", path.display()),
            )
        });
    }
    if let Ok(token) = std::env::var("YINGJI_HUB_TOKEN") {
        return Ok(token);
    }
    yingji_api::saved_hub_token(db, hub)?.ok_or_else(|| {
        ApiError::invalid(
            "token",
            "缺少设备令牌：请用 --token-file 指定或设置 YINGJI_HUB_TOKEN（加 --save-token 可保存到系统钥匙串）。",
            "no device token: pass --token-file or set YINGJI_HUB_TOKEN (add --save-token to keep it in the OS keychain)",
        )
    })
}

pub fn hub(command: HubCommand) -> Result<(), ApiError> {
    match command {
        HubCommand::Init { path, demo, seed, drill } => {
            let n = yingji_api::hub_init_with(&path, demo.then_some(seed), drill)?;
            eprintln!("{} ({n} baseline changes)", path.display());
        }
        HubCommand::Serve { db, listen, cert, key } => {
            let tls = cert.as_deref().zip(key.as_deref());
            let scheme = if tls.is_some() { "https" } else { "http" };
            yingji_api::hub_serve(&db, &listen, tls, |addr| {
                println!("{addr}");
                let _ = std::io::stdout().flush();
                eprintln!("yingji hub: listening on {scheme}://{addr}");
            })?;
        }
        HubCommand::Token { token: TokenCommand::Issue { db, region, role } } => {
            crate::print_json(&yingji_api::hub_token_issue(&db, &region, &role)?)?;
        }
        HubCommand::Token { token: TokenCommand::Revoke { db, id } } => {
            if !yingji_api::hub_token_revoke(&db, &id)? {
                return Err(ApiError::invalid(
                    "id",
                    format!("没有编号为 {id} 的令牌"),
                    format!("no token with id {id}"),
                ));
            }
            eprintln!("revoked {id}");
        }
    }
    Ok(())
}

pub fn sync(
    db: PathBuf,
    hub: String,
    token_file: Option<PathBuf>,
    ca: Option<PathBuf>,
    save_token: bool,
) -> Result<(), ApiError> {
    let token = read_token(token_file, &db, &hub)?;
    let summary = yingji_api::sync_once_with_ca(&db, &hub, &token, ca.as_deref(), None, &mut |p| match p {
        SyncProgress::Pushed { changes } => eprintln!("push: {changes}"),
        SyncProgress::Pulled { changes, remaining } => eprintln!("pull: {changes} (remaining {remaining})"),
    })?;
    if save_token {
        // Only a token the hub has just accepted is kept.
        match yingji_api::save_hub_token(&db, &hub, &token)? {
            yingji_api::TokenSaved::Keychain => eprintln!("令牌已保存到系统钥匙串 / token saved in the OS keychain"),
            yingji_api::TokenSaved::File { path, keychain_error } => eprintln!(
                "警告：没有可用的系统钥匙串（{keychain_error}），令牌已保存到仅本用户可读的文件 {path}；\
                 请保护好该文件。\nwarning: no OS keychain is available ({keychain_error}); the token was saved \
                 in {path}, readable only by you (0600). Protect that file."
            ),
        }
    }
    crate::print_json(&summary)
}

pub fn edit(db: PathBuf, command: EditCommand) -> Result<(), ApiError> {
    let mut console = Console::open(&db)?;
    match command {
        EditCommand::Set { table, id, field, value } => {
            let value: serde_json::Value = serde_json::from_str(&value).map_err(|e| {
                ApiError::invalid(
                    "value",
                    format!("值必须是 JSON（文字要加引号）：{e}"),
                    format!("VALUE must be JSON (quote text): {e}"),
                )
            })?;
            console.update_field(&table, &id, &field, &value)?;
        }
        EditCommand::Delete { table, id } => console.delete_record(&table, &id)?,
        EditCommand::Ledger { stock_item_id, quantity_delta, kind, note } => {
            let id =
                console.add_ledger_entry(&StockMovement { stock_item_id, entry_kind: kind, quantity_delta, note })?;
            crate::print_json(&serde_json::json!({ "id": id }))?;
        }
        EditCommand::Resolve { conflict_id, resolution } => console.resolve_conflict(&conflict_id, &resolution)?,
    }
    Ok(())
}

pub fn status(db: PathBuf) -> Result<(), ApiError> {
    let console = Console::open(&db)?;
    crate::print_json(&serde_json::json!({
        "status": console.sync_status()?,
        "conflicts": console.conflicts()?,
        "over_allocations": console.over_allocations()?,
    }))
}
