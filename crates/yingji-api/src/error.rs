//! The error the UI and the CLI receive: a closed code the UI can match on, and a message in
//! each UI language that says what to do next.

use serde::Serialize;
use ts_rs::TS;
use yingji_import::ImportError;
use yingji_store::StoreError;

/// What went wrong, as a closed set the UI may branch on (never on message text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    DatabaseNotFound,
    DatabaseExists,
    NotADatabase,
    DatabaseDamaged,
    NotYingjiDatabase,
    DatabaseTooNew,
    DatabaseLocked,
    RecordNotFound,
    InvalidInput,
    ImportUnreadable,
    ImportBadRows,
    SyncUnreachable,
    SyncRefused,
    SyncVersionMismatch,
    /// A drill action on a database that is not a drill (or has no drill yet).
    NotADrill,
    Internal,
}

/// An error as the UI shows it.
#[derive(Debug, Clone, Serialize, TS, thiserror::Error)]
#[error("{message_en}")]
#[ts(export)]
pub struct ApiError {
    pub code: ErrorCode,
    /// 中文说明（默认界面语言）。
    pub message_zh: String,
    /// English message.
    pub message_en: String,
    /// The field at fault, for input errors.
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(code: ErrorCode, zh: impl Into<String>, en: impl Into<String>) -> ApiError {
        ApiError { code, message_zh: zh.into(), message_en: en.into(), field: None }
    }

    pub fn invalid(field: &str, zh: impl Into<String>, en: impl Into<String>) -> ApiError {
        ApiError { field: Some(field.to_owned()), ..ApiError::new(ErrorCode::InvalidInput, zh, en) }
    }

    /// The message in the language the user reads: Chinese unless `lang` starts with "en".
    pub fn message(&self, lang: &str) -> &str {
        if lang.starts_with("en") {
            &self.message_en
        } else {
            &self.message_zh
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        let en = e.to_string();
        match &e {
            StoreError::NotFound { path } => ApiError::new(
                ErrorCode::DatabaseNotFound,
                format!("数据库文件 {} 不存在。请用 `yingji init --demo {}` 创建演示库，或检查路径。", path.display(), path.display()),
                en,
            ),
            StoreError::AlreadyExists { path } => ApiError::new(
                ErrorCode::DatabaseExists,
                format!("{} 已存在。请换一个路径，或先移走该文件。", path.display()),
                en,
            ),
            StoreError::NotSqlite { path } => ApiError::new(
                ErrorCode::NotADatabase,
                format!("{} 不是 SQLite 数据库（或文件头已损坏），文件未被改动。请检查路径或从备份恢复。", path.display()),
                en,
            ),
            StoreError::Damaged { path, .. } => ApiError::new(
                ErrorCode::DatabaseDamaged,
                format!("{} 已损坏，文件未被改动。请从备份或省级枢纽恢复。", path.display()),
                en,
            ),
            StoreError::NotYingji { path } => ApiError::new(
                ErrorCode::NotYingjiDatabase,
                format!("{} 是 SQLite 数据库，但不是应急指挥台的数据库，文件未被改动。", path.display()),
                en,
            ),
            StoreError::TooNew { path, db_version, app_version } => ApiError::new(
                ErrorCode::DatabaseTooNew,
                format!(
                    "{} 由更新版本的应急指挥台创建（结构版本 {db_version}，本程序最高支持 {app_version}）。请升级后再打开。",
                    path.display()
                ),
                en,
            ),
            StoreError::Locked { path } => ApiError::new(
                ErrorCode::DatabaseLocked,
                format!("{} 正被另一个程序占用。请关闭使用它的其他窗口或命令后重试。", path.display()),
                en,
            ),
            StoreError::RecordNotFound { kind, id } => {
                ApiError::new(ErrorCode::RecordNotFound, format!("找不到记录（{kind} {id}），它可能已被删除。"), en)
            }
            StoreError::Invalid { field, message } => ApiError {
                field: Some(field.clone()),
                ..ApiError::new(ErrorCode::InvalidInput, format!("输入有误（{field}）：{message}"), en)
            },
            _ => ApiError::new(ErrorCode::Internal, format!("数据库操作失败：{e}"), en),
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> ApiError {
        StoreError::Query(e).into()
    }
}

impl From<ImportError> for ApiError {
    fn from(e: ImportError) -> ApiError {
        let en = e.to_string();
        match e {
            ImportError::Store(s) => s.into(),
            ImportError::BadRows { rows } => {
                let lines: Vec<String> = rows
                    .iter()
                    .map(|r| match &r.column {
                        Some(c) => format!("  第 {} 行，{c} 列：{}", r.row, r.message_zh),
                        None => format!("  第 {} 行：{}", r.row, r.message_zh),
                    })
                    .collect();
                ApiError::new(
                    ErrorCode::ImportBadRows,
                    format!(
                        "有 {} 行数据有误，未导入任何记录（改正后重试，或加 --skip-bad 只导入正确的行）：\n{}",
                        rows.len(),
                        lines.join("\n")
                    ),
                    en,
                )
            }
            ImportError::MissingColumn { column, column_zh, .. } => ApiError::new(
                ErrorCode::ImportUnreadable,
                format!("文件缺少必需的列「{column_zh}」（{column}），列格式见 docs/import.md。"),
                en,
            ),
            ImportError::UnknownKind { .. } => ApiError::new(
                ErrorCode::ImportUnreadable,
                "无法从表头判断文件内容，请用 --kind 指定 teams|experts|warehouses|stock|risk_sources。",
                en,
            ),
            ImportError::Empty { .. } => ApiError::new(ErrorCode::ImportUnreadable, "文件表头下没有数据行。", en),
            ImportError::Read { path, message } => {
                ApiError::new(ErrorCode::ImportUnreadable, format!("无法读取 {path}：{message}"), en)
            }
        }
    }
}
