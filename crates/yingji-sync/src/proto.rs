//! The wire contract between replicas and the hub (HTTP + JSON). Both sides send their
//! protocol and schema versions and refuse a mismatch.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Bumped when the meaning of these types changes.
pub const PROTOCOL_VERSION: u32 = 1;
/// Request headers carrying the sender's versions.
pub const HEADER_PROTOCOL: &str = "x-yingji-protocol";
pub const HEADER_SCHEMA: &str = "x-yingji-schema";
/// The largest request body the hub reads (bytes).
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// Changes per push batch and per pull page.
pub const BATCH_SIZE: usize = 1000;

/// One change of one row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub tbl: String,
    pub id: String,
    pub region_code: String,
    /// When it was written (HLC text).
    pub hlc: String,
    /// A new row (all columns in `fields`).
    #[serde(default)]
    pub insert: bool,
    /// A tombstone.
    #[serde(default)]
    pub deleted: bool,
    /// Column → new value.
    #[serde(default)]
    pub fields: Map<String, Value>,
    /// Column → the version the writer had seen before writing (absent = baseline).
    #[serde(default)]
    pub base: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hello {
    pub protocol: u32,
    pub schema: u32,
    /// What the hub was seeded with (`demo:<seed>` or `empty`), and the last log sequence of it.
    pub baseline: String,
    pub baseline_seq: i64,
    /// The caller's device as the hub knows it.
    pub region_code: String,
    pub role: String,
    /// A drill hub: it pairs only with drill databases, and a drill database only with it.
    #[serde(default)]
    pub drill: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PushRequest {
    pub batch_id: String,
    pub replica_id: String,
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    pub batch_id: String,
    /// Changes that changed the hub (the others lost to newer writes or were already there).
    pub applied: u32,
    pub conflicts: u32,
    pub over_allocations: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoggedChange {
    pub seq: i64,
    pub change: Change,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PullResponse {
    pub changes: Vec<LoggedChange>,
    /// The cursor to ask from next time.
    pub cursor: i64,
    /// Changes in scope still after `cursor`.
    pub remaining: i64,
}

/// Every refusal from the hub.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message_zh: String,
    pub message_en: String,
}
