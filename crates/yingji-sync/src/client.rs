//! The client: one push-then-pull round with the hub over HTTP(S) (ureq, rustls). The store is
//! never inside a write transaction while a request is on the wire.

use std::{path::Path, sync::Arc, time::Duration};

use serde::Serialize;
use yingji_store::{Clock, Store, LATEST_SCHEMA_VERSION};

use crate::{
    proto::{
        ErrorBody, Hello, PullResponse, PushRequest, PushResponse, BATCH_SIZE, HEADER_PROTOCOL, HEADER_SCHEMA,
        PROTOCOL_VERSION,
    },
    replica::{self, meta_get, meta_set},
    SyncError,
};

/// What one sync did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub pushed_changes: u64,
    pub push_batches: u64,
    pub pulled_changes: u64,
    pub applied_changes: u64,
    pub conflicts_found: u64,
    pub over_allocations_found: u64,
    pub cursor: i64,
}

/// Progress reports while syncing.
#[derive(Debug, Clone, Serialize)]
pub enum Progress {
    Pushed { changes: u64 },
    Pulled { changes: u64, remaining: i64 },
}

pub struct Client {
    hub: String,
    token: String,
    agent: ureq::Agent,
}

impl Client {
    /// A client trusting the usual public roots (webpki-roots) for an `https://` hub.
    pub fn new(hub_url: &str, token: &str) -> Client {
        Client::with_agent(hub_url, token, Client::agent_builder().build())
    }

    /// A client that trusts only the CA (or self-signed hub) certificate in the PEM file `ca`.
    pub fn with_ca(hub_url: &str, token: &str, ca: &Path) -> Result<Client, SyncError> {
        use rustls::pki_types::{pem::PemObject, CertificateDer};
        let bad = |reason: String| SyncError::BadCa { path: ca.display().to_string(), reason };
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(ca).map_err(|e| bad(e.to_string()))? {
            roots.add(cert.map_err(|e| bad(e.to_string()))?).map_err(|e| bad(e.to_string()))?;
        }
        if roots.is_empty() {
            return Err(bad("no CERTIFICATE block in the file".into()));
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| bad(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Client::with_agent(hub_url, token, Client::agent_builder().tls_config(Arc::new(config)).build()))
    }

    fn agent_builder() -> ureq::AgentBuilder {
        ureq::AgentBuilder::new().timeout_connect(Duration::from_secs(10)).timeout(Duration::from_secs(120))
    }

    fn with_agent(hub_url: &str, token: &str, agent: ureq::Agent) -> Client {
        Client { hub: hub_url.trim_end_matches('/').to_owned(), token: token.trim().to_owned(), agent }
    }

    fn request(&self, method: &str, path: &str) -> ureq::Request {
        self.agent
            .request(method, &format!("{}{path}", self.hub))
            .set("authorization", &format!("Bearer {}", self.token))
            .set(HEADER_PROTOCOL, &PROTOCOL_VERSION.to_string())
            .set(HEADER_SCHEMA, &LATEST_SCHEMA_VERSION.to_string())
    }

    fn answer<T: serde::de::DeserializeOwned>(
        &self,
        result: Result<ureq::Response, ureq::Error>,
    ) -> Result<T, SyncError> {
        match result {
            Ok(resp) => resp.into_json().map_err(|e| SyncError::BadAnswer(e.to_string())),
            Err(ureq::Error::Status(status, resp)) => {
                let body: ErrorBody = resp.into_json().map_err(|e| SyncError::BadAnswer(e.to_string()))?;
                Err(SyncError::Refused {
                    status,
                    code: body.code,
                    message_zh: body.message_zh,
                    message_en: body.message_en,
                })
            }
            Err(e) => {
                let reason = e.to_string();
                // rustls reports an unknown issuer, a wrong name or an expired certificate as an
                // invalid peer certificate; say so plainly instead of "cannot reach".
                if reason.contains("invalid peer certificate") {
                    Err(SyncError::UntrustedHub { url: self.hub.clone(), reason })
                } else {
                    Err(SyncError::Unreachable { url: self.hub.clone(), reason })
                }
            }
        }
    }

    pub fn hello(&self) -> Result<Hello, SyncError> {
        let hello: Hello = self.answer(self.request("GET", "/v1/hello").call())?;
        if hello.protocol != PROTOCOL_VERSION || hello.schema != LATEST_SCHEMA_VERSION {
            return Err(SyncError::VersionMismatch {
                ours_protocol: PROTOCOL_VERSION,
                ours_schema: LATEST_SCHEMA_VERSION,
                hub_protocol: hello.protocol,
                hub_schema: hello.schema,
            });
        }
        Ok(hello)
    }

    pub fn push(&self, batch: &PushRequest) -> Result<PushResponse, SyncError> {
        let body = serde_json::to_vec(batch).map_err(|e| SyncError::BadAnswer(e.to_string()))?;
        self.answer(self.request("POST", "/v1/push").set("content-type", "application/json").send_bytes(&body))
    }

    pub fn pull(&self, after: i64) -> Result<PullResponse, SyncError> {
        self.answer(self.request("GET", &format!("/v1/pull?after={after}&limit={BATCH_SIZE}")).call())
    }

    /// One full round: push everything queued, then pull until nothing remains.
    pub fn sync_once(
        &self,
        db: &Path,
        clock: Arc<dyn Clock>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Summary, SyncError> {
        let mut store = Store::open(db)?;
        store.set_capture_clock(clock.clone())?;
        self.sync_store(&mut store, clock, progress)
    }

    pub fn sync_store(
        &self,
        store: &mut Store,
        clock: Arc<dyn Clock>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Summary, SyncError> {
        let hello = self.hello()?;
        // A drill never mixes with real data: a drill database (marked `drill.id` in `meta` by
        // yingji-drill) pairs only with a drill hub, and a real one never with a drill hub.
        let replica_is_drill = meta_get(store.conn(), "drill.id")?.is_some();
        if replica_is_drill != hello.drill {
            return Err(SyncError::DrillMismatch { replica_is_drill });
        }
        let mut summary = Summary::default();
        meta_set(store.conn(), replica::META_REGION, &hello.region_code)?;
        meta_set(store.conn(), replica::META_ROLE, &hello.role)?;
        if meta_get(store.conn(), replica::META_CURSOR)?.is_none() {
            let ours = meta_get(store.conn(), replica::META_BASELINE)?;
            let start = if ours.as_deref() == Some(hello.baseline.as_str()) { hello.baseline_seq } else { 0 };
            meta_set(store.conn(), replica::META_CURSOR, &start.to_string())?;
        }
        while let Some(batch) = replica::next_batch(store)? {
            let answer = self.push(&batch)?;
            replica::ack_batch(store, &answer.batch_id)?;
            summary.push_batches += 1;
            summary.pushed_changes += batch.changes.len() as u64;
            summary.conflicts_found += u64::from(answer.conflicts);
            summary.over_allocations_found += u64::from(answer.over_allocations);
            progress(Progress::Pushed { changes: summary.pushed_changes });
        }
        loop {
            let after: i64 = meta_get(store.conn(), replica::META_CURSOR)?.and_then(|c| c.parse().ok()).unwrap_or(0);
            let page = self.pull(after)?;
            summary.pulled_changes += page.changes.len() as u64;
            summary.applied_changes += replica::apply_page(store, &page)? as u64;
            summary.cursor = page.cursor;
            test_pause_after_page();
            progress(Progress::Pulled { changes: summary.pulled_changes, remaining: page.remaining });
            if page.remaining <= 0 || page.changes.is_empty() {
                break;
            }
        }
        let tx = store.transaction()?;
        meta_set(&tx, replica::META_LAST_SYNC, &clock.now_rfc3339())?;
        meta_set(&tx, replica::META_HUB, &self.hub)?;
        tx.commit()?;
        Ok(summary)
    }
}

/// Test hook: `YINGJI_SYNC_TEST_PAUSE_AFTER_PAGE=MS:MARKER` makes the client create MARKER and
/// wait MS milliseconds after each applied page, so a test can kill it between pages.
fn test_pause_after_page() {
    if let Some((ms, marker)) =
        std::env::var("YINGJI_SYNC_TEST_PAUSE_AFTER_PAGE").ok().as_deref().and_then(|v| v.split_once(':'))
    {
        let _ = std::fs::write(marker, b"paused");
        std::thread::sleep(Duration::from_millis(ms.parse().unwrap_or(0)));
    }
}
