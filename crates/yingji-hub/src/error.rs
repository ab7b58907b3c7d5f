/// A refusal or failure at the hub; each maps to an HTTP status and a JSON body in Chinese and
/// English, and nothing is written.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error("missing, unknown or revoked device token: ask the hub administrator for a new one")]
    Unauthorized,
    #[error("out of scope: {0}")]
    Forbidden(String),
    #[error("malformed request: {0}")]
    BadRequest(String),
    #[error("request body larger than {0} bytes: push fewer changes per batch")]
    TooLarge(usize),
    #[error("version mismatch: {0}")]
    VersionMismatch(String),
    #[error("hub storage error: {0}")]
    Storage(#[from] rusqlite::Error),
    #[error("hub storage error (PostgreSQL): {0}")]
    Postgres(String),
    #[error(transparent)]
    Store(#[from] yingji_store::StoreError),
    #[error("hub I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Config(String),
}

impl HubError {
    pub fn status(&self) -> u16 {
        match self {
            HubError::Unauthorized => 401,
            HubError::Forbidden(_) => 403,
            HubError::BadRequest(_) => 400,
            HubError::TooLarge(_) => 413,
            HubError::VersionMismatch(_) => 409,
            _ => 500,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            HubError::Unauthorized => "unauthorized",
            HubError::Forbidden(_) => "out_of_scope",
            HubError::BadRequest(_) => "bad_request",
            HubError::TooLarge(_) => "too_large",
            HubError::VersionMismatch(_) => "version_mismatch",
            _ => "internal",
        }
    }

    pub fn message_zh(&self) -> String {
        match self {
            HubError::Unauthorized => "设备令牌缺失、无效或已吊销：请向中心管理员申请新令牌。".to_owned(),
            HubError::Forbidden(w) => format!("超出本设备的权限范围，未写入任何数据：{w}"),
            HubError::BadRequest(w) => format!("请求格式错误，未写入任何数据：{w}"),
            HubError::TooLarge(n) => format!("请求超过 {n} 字节：请分批上传。"),
            HubError::VersionMismatch(w) => format!("版本不一致，请升级较旧的一方：{w}"),
            HubError::Config(w) => format!("枢纽配置有误：{w}"),
            other => format!("中心内部错误：{other}"),
        }
    }
}
