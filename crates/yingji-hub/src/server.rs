//! The HTTP face of the hub (axum). Every refusal is a JSON [`ErrorBody`] in Chinese and English.

use std::{net::SocketAddr, sync::Arc};

use axum::{
    body::Bytes,
    extract::{rejection::BytesRejection, DefaultBodyLimit, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde::Deserialize;
use yingji_store::{Clock, LATEST_SCHEMA_VERSION};
use yingji_sync::proto::{
    ErrorBody, Hello, PushRequest, BATCH_SIZE, HEADER_PROTOCOL, HEADER_SCHEMA, MAX_BODY_BYTES, PROTOCOL_VERSION,
};

use crate::{
    storage::{Device, HubStorage},
    HubError,
};

#[derive(Clone)]
struct AppState {
    storage: Arc<dyn HubStorage>,
    clock: Arc<dyn Clock>,
}

impl IntoResponse for HubError {
    fn into_response(self) -> Response {
        if self.status() == 500 {
            tracing::error!("hub error: {self}");
        }
        let body = ErrorBody { code: self.code().into(), message_zh: self.message_zh(), message_en: self.to_string() };
        (StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), Json(body)).into_response()
    }
}

/// The router, for serving and for tests.
pub fn router(storage: Arc<dyn HubStorage>, clock: Arc<dyn Clock>) -> Router {
    Router::new()
        .route("/v1/hello", get(hello))
        .route("/v1/push", post(push))
        .route("/v1/pull", get(pull))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(AppState { storage, clock })
}

/// Checks versions and the token (tokens are never logged).
async fn authorise(state: &AppState, headers: &HeaderMap) -> Result<Device, HubError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u32>().ok());
    let (protocol, schema) = (header(HEADER_PROTOCOL), header(HEADER_SCHEMA));
    if protocol != Some(PROTOCOL_VERSION) || schema != Some(LATEST_SCHEMA_VERSION) {
        return Err(HubError::VersionMismatch(format!(
            "hub protocol {PROTOCOL_VERSION} schema {LATEST_SCHEMA_VERSION}, client protocol {} schema {}",
            protocol.map_or("?".into(), |p| p.to_string()),
            schema.map_or("?".into(), |s| s.to_string())
        )));
    }
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(HubError::Unauthorized)?
        .to_owned();
    let storage = state.storage.clone();
    blocking(move || storage.device(&token)).await
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, HubError> + Send + 'static) -> Result<T, HubError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| HubError::Config(format!("hub task failed: {e}")))?
}

async fn hello(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Hello>, HubError> {
    let device = authorise(&state, &headers).await?;
    let storage = state.storage.clone();
    let (baseline, baseline_seq, drill) = blocking(move || {
        let (b, s) = storage.baseline()?;
        Ok((b, s, storage.is_drill()?))
    })
    .await?;
    Ok(Json(Hello {
        protocol: PROTOCOL_VERSION,
        schema: LATEST_SCHEMA_VERSION,
        baseline,
        baseline_seq,
        region_code: device.region_code,
        role: device.role,
        drill,
    }))
}

async fn push(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, HubError> {
    let device = authorise(&state, &headers).await?;
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            HubError::TooLarge(MAX_BODY_BYTES)
        } else {
            HubError::BadRequest(e.body_text())
        }
    })?;
    let batch: PushRequest = serde_json::from_slice(&body).map_err(|e| HubError::BadRequest(e.to_string()))?;
    if batch.changes.len() > BATCH_SIZE * 10 {
        return Err(HubError::TooLarge(MAX_BODY_BYTES));
    }
    let (storage, clock) = (state.storage.clone(), state.clock.clone());
    let answer = blocking(move || storage.push(&device, &batch, clock.as_ref())).await?;
    Ok(Json(answer).into_response())
}

#[derive(Deserialize)]
struct PullQuery {
    after: i64,
    limit: Option<usize>,
}

async fn pull(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, HubError> {
    let device = authorise(&state, &headers).await?;
    let Query(q) = query.map_err(|e| HubError::BadRequest(e.body_text()))?;
    let limit = q.limit.unwrap_or(BATCH_SIZE).clamp(1, BATCH_SIZE * 5);
    let storage = state.storage.clone();
    let page = blocking(move || storage.pull(&device, q.after, limit)).await?;
    Ok(Json(page).into_response())
}

/// The hub's certificate chain and private key (PEM files), for HTTPS.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: std::path::PathBuf,
    pub key: std::path::PathBuf,
}

/// A rustls server configuration (ring provider, TLS 1.2 and 1.3) from PEM files.
fn tls_config(files: &TlsFiles) -> Result<Arc<rustls::ServerConfig>, HubError> {
    use rustls::pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer};
    let bad = |what: &str, path: &std::path::Path, e: &dyn std::fmt::Display| {
        HubError::Config(format!("TLS {what} {}: {e}", path.display()))
    };
    let certs = CertificateDer::pem_file_iter(&files.cert)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| bad("certificate", &files.cert, &e))?;
    if certs.is_empty() {
        return Err(bad("certificate", &files.cert, &"no CERTIFICATE block in the file"));
    }
    let key = PrivateKeyDer::from_pem_file(&files.key).map_err(|e| bad("private key", &files.key, &e))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_no_client_auth().with_single_cert(certs, key))
        .map_err(|e| bad("certificate/key pair", &files.cert, &e))?;
    Ok(Arc::new(config))
}

/// Serves until the process ends: HTTPS (rustls) when `tls` is given, else plain HTTP, which is
/// allowed only on a loopback address.
pub fn serve(
    storage: Arc<dyn HubStorage>,
    clock: Arc<dyn Clock>,
    listen: &str,
    tls: Option<&TlsFiles>,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<(), HubError> {
    let addr: SocketAddr = listen.parse().map_err(|e| HubError::Config(format!("listen address {listen:?}: {e}")))?;
    if tls.is_none() && !addr.ip().is_loopback() {
        return Err(HubError::Config(format!(
            "refusing to serve plain HTTP on non-loopback address {addr}: give --cert and --key for HTTPS, or listen on 127.0.0.1"
        )));
    }
    let tls = tls.map(tls_config).transpose()?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        on_ready(listener.local_addr()?);
        let app = router(storage, clock);
        match tls {
            None => axum::serve(listener, app).await?,
            Some(config) => serve_tls(listener, app, config).await?,
        }
        Ok(())
    })
}

/// HTTPS: each connection's TLS handshake and HTTP/1.1 exchange run in a task of their own, so a
/// slow or failing handshake never holds up other replicas.
async fn serve_tls(
    listener: tokio::net::TcpListener,
    app: Router,
    config: Arc<rustls::ServerConfig>,
) -> std::io::Result<()> {
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!("accept failed: {e}");
                continue;
            }
        };
        let (acceptor, app) = (acceptor.clone(), app.clone());
        tokio::spawn(async move {
            let handshake = tokio::time::timeout(std::time::Duration::from_secs(15), acceptor.accept(tcp)).await;
            let stream = match handshake {
                Ok(Ok(s)) => s,
                Ok(Err(e)) => return tracing::debug!("TLS handshake with {peer} failed: {e}"),
                Err(_) => return tracing::debug!("TLS handshake with {peer} timed out"),
            };
            let service = hyper_util::service::TowerToHyperService::new(app);
            if let Err(e) = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await
            {
                tracing::debug!("connection with {peer} ended: {e}");
            }
        });
    }
}
