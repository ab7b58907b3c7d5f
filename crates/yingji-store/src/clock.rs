use time::{format_description::well_known::Rfc3339, OffsetDateTime};

/// A point in time, UTC, as stored (RFC 3339).
pub type Timestamp = OffsetDateTime;

/// The one place time comes from. Business logic receives a clock; it never reads the system
/// time itself (clippy.toml forbids it outside this module).
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;

    /// `now()` as stored in the database.
    fn now_rfc3339(&self) -> String {
        format_rfc3339(self.now())
    }
}

/// Formats a timestamp as the database stores it: RFC 3339, UTC, whole seconds or finer.
pub fn format_rfc3339(t: Timestamp) -> String {
    t.to_offset(time::UtcOffset::UTC).format(&Rfc3339).expect("RFC 3339 formats every UTC time")
}

/// The computer's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one sanctioned read of the system clock
    fn now(&self) -> Timestamp {
        OffsetDateTime::now_utc()
    }
}

/// A clock that always says the same time: demo data and tests.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}
