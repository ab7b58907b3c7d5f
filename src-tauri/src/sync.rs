//! Sync in the window: a background thread runs the façade's `SyncAgent` every 20 s and when
//! the user asks; commands report its state and the replica's sync lists. Configured by
//! `--hub URL` (or `YINGJI_HUB`) and a device token from `YINGJI_HUB_TOKEN` or the file named by
//! `--hub-token-file` / `YINGJI_HUB_TOKEN_FILE`.

use std::{
    path::PathBuf,
    sync::{mpsc, Arc, Mutex},
    time::Duration,
};

use tauri::State;
use yingji_api::{ApiError, Conflict, OverAllocation, SyncAgent, SyncAgentState, SyncStatus};

use crate::{arg_value, with, AppState};

/// How often the window tries the hub on its own.
const ROUND_EVERY: Duration = Duration::from_secs(20);

pub struct SyncState {
    agent: Arc<SyncAgent>,
    poke: Mutex<mpsc::Sender<()>>,
}

/// Starts the background rounds for the replica at `db`.
pub fn start(db: PathBuf) -> SyncState {
    let hub = arg_value("--hub").map(|p| p.to_string_lossy().into_owned()).or_else(|| std::env::var("YINGJI_HUB").ok());
    let token = std::env::var("YINGJI_HUB_TOKEN").ok().or_else(|| {
        let file =
            arg_value("--hub-token-file").or_else(|| std::env::var_os("YINGJI_HUB_TOKEN_FILE").map(PathBuf::from))?;
        match std::fs::read_to_string(&file) {
            Ok(t) => Some(t.trim().to_owned()),
            Err(e) => {
                tracing::error!("cannot read the hub token file {}: {e}", file.display());
                None
            }
        }
    });
    let agent = Arc::new(SyncAgent::new(db, hub, token));
    let (tx, rx) = mpsc::channel::<()>();
    let background = agent.clone();
    std::thread::spawn(move || loop {
        if let Err(e) = background.run_round() {
            tracing::info!(code = ?e.code, "sync round: {}", e.message_en);
        }
        match rx.recv_timeout(ROUND_EVERY) {
            Ok(()) | Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    });
    SyncState { agent, poke: Mutex::new(tx) }
}

#[tauri::command]
pub async fn sync_agent_state(sync: State<'_, SyncState>) -> Result<SyncAgentState, ApiError> {
    Ok(sync.agent.state())
}

/// Asks for a round now; the state shows when it has run.
#[tauri::command]
pub async fn sync_now(sync: State<'_, SyncState>) -> Result<(), ApiError> {
    if let Ok(tx) = sync.poke.lock() {
        let _ = tx.send(());
    }
    Ok(())
}

#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>) -> Result<SyncStatus, ApiError> {
    with(&state, |c| c.sync_status())
}

#[tauri::command]
pub async fn sync_conflicts(state: State<'_, AppState>) -> Result<Vec<Conflict>, ApiError> {
    with(&state, |c| c.conflicts())
}

#[tauri::command]
pub async fn sync_over_allocations(state: State<'_, AppState>) -> Result<Vec<OverAllocation>, ApiError> {
    with(&state, |c| c.over_allocations())
}

#[tauri::command]
pub async fn resolve_conflict(state: State<'_, AppState>, id: String, resolution: String) -> Result<(), ApiError> {
    with(&state, |c| c.resolve_conflict(&id, &resolution))
}

/// What sync does while a drill is open (`None` on a real replica): the footer says it plainly.
#[tauri::command]
pub async fn sync_drill_mode(
    sync: State<'_, SyncState>,
    state: State<'_, AppState>,
) -> Result<Option<yingji_api::DrillSyncDto>, ApiError> {
    let (path, drill) = with(&state, |c| Ok((c.store().path().map(std::path::Path::to_path_buf), c.is_drill()?)))?;
    Ok(path.and_then(|p| sync.agent.during_drill(&p, drill)))
}
