//! Preparedness: the work done before any incident.
//!
//! * [`plans`]: emergency plans of enterprises, chemical parks, water sources, counties and
//!   cities, their filing status (编制 / 评审 / 备案) and the revision every plan owes at least
//!   every three years; overdue revisions per region.
//! * [`attach`]: PDF/DOCX (and photo) attachments kept in the replica, checked by size and by
//!   their magic bytes.
//! * [`card`]: the one-page plan card (卡片化) of a risk source, generated from the data — its
//!   chemicals and their hazards, the downstream intakes with travel times from the river
//!   model, the control works to close, the nearest teams, experts and stockpiles, the three
//!   levels of containment — as data and as a PDF.
//! * [`inspect`]: hazard inspections; each finding runs found → rectifying → verified as
//!   append-only events, and is overdue once its deadline has passed by the [`Clock`].
//! * [`cases`]: the library of past incidents (reference data, `assets/cases/cases.json`).
//!
//! Reads take a `&Connection`, writes a `&Transaction` (one user action = one transaction);
//! time comes only from a [`Clock`]. This crate depends on the store and the spill model, not on
//! the façade.

#[macro_use]
extern crate yingji_store;

pub mod attach;
pub mod card;
pub mod cases;
pub mod inspect;
pub mod plans;

use std::path::PathBuf;

use time::{macros::format_description, Date, UtcOffset};
use yingji_store::{Clock, StoreError};

/// Why a preparedness action was refused. Messages say what to do next.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PrepError {
    #[error("no {kind} with id {id}")]
    NotFound { kind: &'static str, id: String },
    #[error("invalid {field}: {message}")]
    Invalid { field: &'static str, message: String, message_zh: String },
    #[error(
        "{file_name} is {size_bytes} bytes; attachments may be at most {max_bytes} bytes (20 MB): compress or split it"
    )]
    TooLarge { file_name: String, size_bytes: u64, max_bytes: u64 },
    #[error("{file_name} is not a {expected} file (its first bytes say: {found}); attach a PDF or DOCX (photos: JPEG or PNG)")]
    WrongType { file_name: String, expected: &'static str, found: String },
    #[error("finding {finding_id} is {from}; it can only move to {allowed}")]
    Transition { finding_id: String, from: inspect::FindingStatus, to: inspect::FindingStatus, allowed: String },
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the plan card's PDF could not be made: {0}")]
    Pdf(#[from] yingji_incident::IncidentError),
    #[error("the river model failed for the plan card: {0}")]
    Spill(#[from] yingji_spill::SpillError),
    #[error("the compiled case library is invalid: {0}")]
    CaseLibrary(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for PrepError {
    fn from(e: rusqlite::Error) -> PrepError {
        PrepError::Store(StoreError::Query(e))
    }
}

pub type Result<T, E = PrepError> = std::result::Result<T, E>;

pub(crate) fn invalid(field: &'static str, zh: impl Into<String>, en: impl Into<String>) -> PrepError {
    PrepError::Invalid { field, message: en.into(), message_zh: zh.into() }
}

/// China Standard Time, UTC+8 (GB/T 7408): deadlines and plan dates are calendar days in Beijing time.
pub const CHINA_UTC_OFFSET_H: i8 = 8;

/// Today's calendar date in China by the clock.
pub fn today(clock: &dyn Clock) -> Date {
    let offset = UtcOffset::from_hms(CHINA_UTC_OFFSET_H, 0, 0).expect("+8 h is a valid offset");
    clock.now().to_offset(offset).date()
}

/// Parses a `YYYY-MM-DD` date, or says which field is wrong and how to write it.
pub fn parse_date(field: &'static str, s: &str) -> Result<Date> {
    Date::parse(s.trim(), format_description!("[year]-[month]-[day]")).map_err(|_| {
        invalid(
            field,
            format!("日期「{s}」格式不对，应为 YYYY-MM-DD（如 2026-03-15）"),
            format!("the date {s:?} is not YYYY-MM-DD (e.g. 2026-03-15)"),
        )
    })
}

/// A date as stored: `YYYY-MM-DD`.
pub fn format_date(d: Date) -> String {
    d.format(format_description!("[year]-[month]-[day]")).expect("every date formats")
}

/// The same calendar day `years` later (29 February becomes 28 February).
pub fn add_years(d: Date, years: i32) -> Date {
    let y = d.year() + years;
    d.replace_year(y).unwrap_or_else(|_| Date::from_calendar_date(y, d.month(), 28).expect("28th exists"))
}

/// Requires a non-empty text.
pub(crate) fn required(field: &'static str, label_zh: &str, value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(invalid(field, format!("请填写{label_zh}"), format!("{field} must not be empty")));
    }
    Ok(v.to_owned())
}

#[cfg(test)]
pub(crate) mod testutil {
    use std::sync::OnceLock;

    use yingji_store::{FixedClock, Store};

    /// The clock of the tests: 2026-11-29 10:00 Beijing time.
    pub fn clock() -> FixedClock {
        FixedClock(time::macros::datetime!(2026-11-29 02:00 UTC))
    }

    /// A copy of the demo province (built once per test binary, copied per test).
    pub fn demo() -> Store {
        static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
        let bytes = BYTES.get_or_init(|| {
            let dir = std::env::temp_dir().join(format!("yingji-prep-test-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join("demo.db");
            let _ = std::fs::remove_file(&path);
            let mut store = Store::create(&path).unwrap();
            yingji_demo::populate(&mut store, yingji_demo::DEFAULT_SEED).unwrap();
            store.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
            drop(store);
            let b = std::fs::read(&path).unwrap();
            let _ = std::fs::remove_dir_all(&dir);
            b
        });
        let dir = tempdir();
        let path = dir.join("demo.db");
        std::fs::write(&path, bytes).unwrap();
        Store::open(&path).unwrap()
    }

    fn tempdir() -> std::path::PathBuf {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "yingji-prep-t{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_format_and_add_years() {
        let d = parse_date("issued_on", "2024-02-29").unwrap();
        assert_eq!(format_date(add_years(d, 3)), "2027-02-28");
        assert_eq!(format_date(add_years(parse_date("x", "2023-11-29").unwrap(), 3)), "2026-11-29");
        let e = parse_date("issued_on", "2024/02/29").unwrap_err();
        assert!(matches!(e, PrepError::Invalid { field: "issued_on", .. }));
    }

    #[test]
    fn today_is_the_beijing_calendar_day() {
        // 2026-11-28 20:00 UTC is already 29 November in Beijing.
        let c = yingji_store::FixedClock(time::macros::datetime!(2026-11-28 20:00 UTC));
        assert_eq!(format_date(today(&c)), "2026-11-29");
    }
}
