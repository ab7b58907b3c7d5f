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

/// What the window's sync does while a drill is open, in words for the footer.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct DrillSyncDto {
    /// `local_only`: the drill database is never synced (it was copied in this window, or no
    /// hub is configured); `drill_hub`: it syncs with the configured hub, a drill hub;
    /// `paused`: the hub refused it (not a drill hub), nothing was sent.
    pub mode: String,
    /// The real replica keeps syncing with the real hub in the background meanwhile.
    pub replica_syncing: bool,
    pub message_zh: String,
    pub message_en: String,
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

    /// The replica this agent syncs (the database the window was started on).
    pub fn db(&self) -> &std::path::Path {
        &self.db
    }

    /// What sync does while the window has `open_db` open, when that is a drill database
    /// (`None` otherwise). The agent syncs only the database the window was started on, so a
    /// drill copied in the window is never sent anywhere and the real replica goes on syncing
    /// with the real hub; a window started on a drill database syncs it only with a drill hub
    /// (the hub's hello says which it is, and a mismatch is refused before anything is sent).
    pub fn during_drill(&self, open_db: &std::path::Path, open_is_drill: bool) -> Option<DrillSyncDto> {
        if !open_is_drill {
            return None;
        }
        let same = |a: &std::path::Path, b: &std::path::Path| {
            a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
        };
        let state = self.state();
        let configured = self.hub.is_some();
        let dto = |mode: &str, zh: String, en: String, replica_syncing: bool| DrillSyncDto {
            mode: mode.into(),
            replica_syncing,
            message_zh: zh,
            message_en: en,
        };
        if !same(open_db, &self.db) {
            return Some(if configured {
                dto(
                    "local_only",
                    "演练中：演练数据不同步（仅在本机）；真实数据库继续与中心同步".into(),
                    "Drill: drill data is not synced (this computer only); the real database keeps syncing with the hub"
                        .into(),
                    true,
                )
            } else {
                dto(
                    "local_only",
                    "演练中：演练数据不同步（仅在本机）".into(),
                    "Drill: drill data is not synced (this computer only)".into(),
                    false,
                )
            });
        }
        let url = state.hub_url.clone().unwrap_or_default();
        Some(if !configured {
            dto(
                "local_only",
                "演练中：未配置演练中心，演练数据仅在本机".into(),
                "Drill: no drill hub configured, drill data stays on this computer".into(),
                false,
            )
        } else if state.last_error.as_ref().is_some_and(|e| e.code == ErrorCode::SyncRefused) {
            dto(
                "paused",
                format!("演练中：同步已暂停（{url} 拒绝了演练数据库，可能不是演练中心；未发送任何数据）"),
                format!(
                    "Drill: sync paused ({url} refused the drill database, likely not a drill hub; nothing was sent)"
                ),
                false,
            )
        } else {
            dto(
                "drill_hub",
                format!("演练中：同步至演练中心 {url}"),
                format!("Drill: syncing with the drill hub {url}"),
                false,
            )
        })
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
    fn a_drill_copied_in_the_window_is_never_synced_and_the_replica_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::init(&dir.path().join("r.db"), false, 1).unwrap();
        let drill = dir.path().join("drills").join("drill-1.db");
        let agent = SyncAgent::new(db.clone(), Some("http://127.0.0.1:9".into()), Some("t".into()));
        assert_eq!(agent.during_drill(&db, false), None);
        let d = agent.during_drill(&drill, true).unwrap();
        assert_eq!((d.mode.as_str(), d.replica_syncing), ("local_only", true));
        assert!(d.message_zh.contains("演练数据不同步"), "{}", d.message_zh);
        assert_eq!(agent.db(), db.as_path(), "the agent still syncs the real replica, nothing else");
        let alone = SyncAgent::new(db.clone(), None, None);
        assert!(!alone.during_drill(&drill, true).unwrap().replica_syncing);
        // Started on a drill database: it syncs with the hub, a drill hub, or is paused.
        let on_drill = SyncAgent::new(drill.clone(), Some("http://127.0.0.1:9".into()), Some("t".into()));
        let d = on_drill.during_drill(&drill, true).unwrap();
        assert_eq!(d.mode, "drill_hub");
        assert!(d.message_zh.starts_with("演练中：同步至演练中心"));
        on_drill.update(|s| s.last_error = Some(ApiError::new(ErrorCode::SyncRefused, "拒绝", "refused")));
        let d = on_drill.during_drill(&drill, true).unwrap();
        assert_eq!(d.mode, "paused");
        assert!(d.message_zh.contains("已暂停"));
        let unconfigured = SyncAgent::new(drill.clone(), None, None);
        assert_eq!(unconfigured.during_drill(&drill, true).unwrap().mode, "local_only");
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
