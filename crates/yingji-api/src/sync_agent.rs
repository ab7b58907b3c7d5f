//! Background sync for the window: one agent per open replica that runs a sync round when
//! asked (a timer or the user), remembers whether the hub answered, and reports its state. It
//! opens its own connection for each round (see [`sync_once`]), so the window's reads and
//! writes never wait on the network.

use std::{
    path::PathBuf,
    sync::{Arc, Mutex},
};

use serde::Serialize;
use ts_rs::TS;
use yingji_store::{Clock, SystemClock};

use crate::{sync_once, ApiError, ErrorCode, SyncProgress, SyncSummary};

/// What the window shows about the link to the hub.
#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct SyncAgentState {
    /// A hub is configured (`--hub` / `YINGJI_HUB` with a token).
    pub configured: bool,
    pub hub_url: Option<String>,
    /// `None` until the first round has ended; then whether the hub answered it.
    pub online: Option<bool>,
    /// A round is running now.
    pub running: bool,
    /// RFC 3339, UTC: when the last round ended, and when the last one succeeded.
    pub last_attempt: Option<String>,
    pub last_success: Option<String>,
    /// Why the last round failed, if it did.
    pub last_error: Option<ApiError>,
    /// What the last successful round did.
    pub last_summary: Option<SyncSummary>,
    /// During a pull: changes still to come.
    #[ts(type = "number | null")]
    pub remaining: Option<i64>,
}

/// Runs sync rounds for one replica and keeps their outcome.
pub struct SyncAgent {
    db: PathBuf,
    hub: Option<(String, String)>,
    clock: Arc<dyn Clock>,
    state: Mutex<SyncAgentState>,
    /// Held for the length of a round, so rounds never overlap.
    round: Mutex<()>,
}

impl SyncAgent {
    /// An agent for the replica at `db`; without a hub URL and token it only reports that sync is
    /// not configured.
    pub fn new(db: PathBuf, hub_url: Option<String>, token: Option<String>) -> SyncAgent {
        let hub = hub_url.zip(token).filter(|(u, t)| !u.trim().is_empty() && !t.trim().is_empty());
        let state = SyncAgentState {
            configured: hub.is_some(),
            hub_url: hub.as_ref().map(|(u, _)| u.clone()),
            ..SyncAgentState::default()
        };
        SyncAgent { db, hub, clock: Arc::new(SystemClock), state: Mutex::new(state), round: Mutex::new(()) }
    }

    pub fn state(&self) -> SyncAgentState {
        self.state.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// One round (push, then pull) if a hub is configured and no round is running; the outcome
    /// is kept in the state. An unreachable hub is the normal offline case, not a failure of
    /// the replica: nothing is lost, the changes wait for the next round.
    pub fn run_round(&self) -> Result<Option<SyncSummary>, ApiError> {
        let Some((url, token)) = &self.hub else { return Ok(None) };
        let Ok(_round) = self.round.try_lock() else { return Ok(None) };
        self.update(|s| {
            s.running = true;
            s.remaining = None;
        });
        let result = sync_once(&self.db, url, token, Some(self.clock.clone()), &mut |p| {
            if let SyncProgress::Pulled { remaining, .. } = p {
                self.update(|s| s.remaining = Some(remaining));
            }
        });
        let now = self.clock.now_rfc3339();
        self.update(|s| {
            s.running = false;
            s.remaining = None;
            s.last_attempt = Some(now.clone());
            match &result {
                Ok(summary) => {
                    s.online = Some(true);
                    s.last_success = Some(now.clone());
                    s.last_error = None;
                    s.last_summary = Some(summary.clone());
                }
                Err(e) => {
                    // Only refusals and version mismatches come from a hub that answered; a
                    // refused connection, a reset keep-alive or a timeout all mean offline.
                    s.online = Some(matches!(e.code, ErrorCode::SyncRefused | ErrorCode::SyncVersionMismatch));
                    s.last_error = Some(e.clone());
                }
            }
        });
        result.map(Some)
    }

    fn update(&self, f: impl FnOnce(&mut SyncAgentState)) {
        if let Ok(mut s) = self.state.lock() {
            f(&mut s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unconfigured_agent_reports_so_and_runs_nothing() {
        let agent = SyncAgent::new(PathBuf::from("/nonexistent.db"), Some("http://127.0.0.1:9".into()), None);
        assert!(!agent.state().configured);
        assert!(agent.run_round().unwrap().is_none());
        assert_eq!(agent.state().online, None);
    }

    #[test]
    fn an_unreachable_hub_is_offline_and_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::init(&dir.path().join("r.db"), false, 1).unwrap();
        // Port 9 (discard) on loopback: nothing listens in a test sandbox.
        let agent = SyncAgent::new(db, Some("http://127.0.0.1:9".into()), Some("t".into()));
        assert!(agent.run_round().is_err());
        let s = agent.state();
        assert_eq!(s.online, Some(false));
        assert!(!s.running);
        assert_eq!(s.last_error.map(|e| e.code), Some(ErrorCode::SyncUnreachable));
        assert!(s.last_attempt.is_some() && s.last_success.is_none());
    }
}
