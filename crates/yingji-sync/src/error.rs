use yingji_store::StoreError;

/// What can go wrong while syncing, worded for the person at the console.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("database error during sync: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("cannot reach the hub at {url}: {reason}. Check the network and the address; your changes stay queued.")]
    Unreachable { url: String, reason: String },
    #[error("the hub at {url} presented a TLS certificate this console does not trust ({reason}). If the hub uses its own certificate, pass it with --ca (or YINGJI_HUB_CA); nothing was sent.")]
    UntrustedHub { url: String, reason: String },
    #[error("cannot use the CA certificate {path}: {reason}")]
    BadCa { path: String, reason: String },
    #[error("cannot store or read the device token: {0}")]
    TokenStore(String),
    #[error("the hub refused the request ({status} {code}): {message_en}")]
    Refused { status: u16, code: String, message_zh: String, message_en: String },
    #[error("version mismatch: this console speaks protocol {ours_protocol} with schema {ours_schema}, the hub {hub_protocol} with schema {hub_schema}. Update the older side.")]
    VersionMismatch { ours_protocol: u32, ours_schema: u32, hub_protocol: u32, hub_schema: u32 },
    #[error("the hub sent something this console cannot read: {0}")]
    BadAnswer(String),
    #[error("a change names table {0}, which this console does not sync")]
    UnknownTable(String),
    #[error("{}", if *.replica_is_drill { "this is a drill database and the hub is a real one: a drill syncs only with a drill hub (`yingji hub init --drill`); nothing was sent" } else { "the hub is a drill hub and this is a real database: real data never syncs with a drill; nothing was sent" })]
    DrillMismatch { replica_is_drill: bool },
}
