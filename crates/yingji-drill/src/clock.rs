//! The drill clock: drill time = the scenario's start + speed × real time elapsed while running,
//! kept as append-only `drill_events`. Each clock event stores the real time it happened, the
//! drill time then, the speed from then on and whether the clock runs; the clock now follows
//! from the latest event alone, so a crash loses nothing and every console reading the same
//! events (one laptop, or several synced through a drill hub) shows the same time.

use std::{path::Path, sync::Arc, sync::Mutex};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use time::{format_description::FormatItem, macros::format_description, Duration, UtcOffset};
use yingji_store::{Clock, Timestamp};

use crate::{parse_time, DrillError, Result};

/// The slowest and fastest drill clock: real time up to one drill hour per real minute
/// (the "×1 to ×60").
pub const MIN_SPEED: u8 = 1;
pub const MAX_SPEED: u8 = 60;

/// Clock-event kinds (every kind of `drill_events` but `inject`).
pub const CLOCK_KINDS: &str = "('start', 'pause', 'resume', 'speed', 'end')";

/// Real and drill times of events are stored with a fixed 6-digit fraction, so their text order
/// is their time order.
const MICROS: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// A time as `drill_events` stores it.
pub fn fmt_micros(t: Timestamp) -> String {
    t.to_offset(UtcOffset::UTC).format(MICROS).expect("every UTC time formats")
}

/// The state of the clock after one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockState {
    /// Real (wall) time of the event.
    pub real_at: Timestamp,
    /// Drill time at the event.
    pub drill_at: Timestamp,
    /// Drill seconds per real second from then on.
    pub speed: u8,
    pub running: bool,
    /// Drill time at which the clock stops for good (the scenario's end).
    pub end_at: Timestamp,
}

impl ClockState {
    /// Drill time at real time `real_now`: frozen while paused, never before `drill_at` (a wall
    /// clock set back does not run the drill backwards), never past the end.
    pub fn drill_time(&self, real_now: Timestamp) -> Timestamp {
        if !self.running {
            return self.drill_at.min(self.end_at);
        }
        let elapsed = (real_now - self.real_at).max(Duration::ZERO);
        (self.drill_at + elapsed * i32::from(self.speed)).min(self.end_at)
    }

    /// The state after pausing at `real_now`.
    pub fn paused(&self, real_now: Timestamp) -> ClockState {
        ClockState { real_at: real_now, drill_at: self.drill_time(real_now), running: false, ..*self }
    }

    /// The state after resuming at `real_now`.
    pub fn resumed(&self, real_now: Timestamp) -> ClockState {
        ClockState { real_at: real_now, drill_at: self.drill_time(real_now), running: true, ..*self }
    }

    /// The state after a speed change at `real_now`.
    pub fn with_speed(&self, real_now: Timestamp, speed: u8) -> Result<ClockState> {
        check_speed(speed)?;
        Ok(ClockState { real_at: real_now, drill_at: self.drill_time(real_now), speed, ..*self })
    }

    /// Whether the drill time has reached the end.
    pub fn ended(&self, real_now: Timestamp) -> bool {
        self.drill_time(real_now) >= self.end_at
    }
}

pub fn check_speed(speed: u8) -> Result<()> {
    if !(MIN_SPEED..=MAX_SPEED).contains(&speed) {
        return Err(crate::invalid(
            "speed",
            format!("演练速度须在 ×{MIN_SPEED} 到 ×{MAX_SPEED} 之间"),
            format!("the drill speed must be ×{MIN_SPEED} to ×{MAX_SPEED}"),
        ));
    }
    Ok(())
}

/// The latest clock event of a drill, with the scenario's end.
pub fn latest(conn: &Connection, drill_id: &str) -> Result<Option<ClockState>> {
    let row: Option<(String, String, u8, bool, String, String, String)> = conn
        .query_row(
            &format!(
                "SELECT e.real_at, e.drill_at, e.speed, e.running, d.drill_start_at, d.scenario_json, e.kind
                 FROM drill_events e JOIN drills d ON d.id = e.drill_id
                 WHERE e.drill_id = ?1 AND e.kind IN {CLOCK_KINDS}
                 ORDER BY e.real_at DESC, e.rowid DESC LIMIT 1"
            ),
            params![drill_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
        )
        .optional()?;
    let Some((real_at, drill_at, speed, running, start, scenario, kind)) = row else { return Ok(None) };
    let duration_min = serde_json::from_str::<serde_json::Value>(&scenario)
        .ok()
        .and_then(|v| v.get("duration_min").and_then(|d| d.as_i64()))
        .unwrap_or(0);
    let drill_at = parse_time("drill_at", &drill_at)?;
    // An `end` event (the facilitator ended early, or the time ran out) is the end.
    let end_at =
        if kind == "end" { drill_at } else { parse_time("drill_start_at", &start)? + Duration::minutes(duration_min) };
    Ok(Some(ClockState { real_at: parse_time("real_at", &real_at)?, drill_at, speed, running, end_at }))
}

/// The drill clock as a [`Clock`]: what `Console::open` uses on a drill database, so every
/// incident action is stamped in drill time (whole seconds). It reads the latest clock event
/// through a connection of its own, so a pause made by another console is seen at once.
pub struct DrillClock {
    conn: Mutex<Connection>,
    drill_id: String,
    real: Arc<dyn Clock>,
    last: Mutex<Option<ClockState>>,
}

impl DrillClock {
    /// The clock of the drill in the database at `path`.
    pub fn open(path: &Path, drill_id: &str, real: Arc<dyn Clock>) -> Result<DrillClock> {
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(|e| DrillError::File { path: path.display().to_string(), message: e.to_string() })?;
        conn.busy_timeout(yingji_store::BUSY_TIMEOUT)?;
        let state = latest(&conn, drill_id)?;
        Ok(DrillClock { conn: Mutex::new(conn), drill_id: drill_id.to_owned(), real, last: Mutex::new(state) })
    }

    /// The clock's state now (the latest event as last read).
    pub fn state(&self) -> Option<ClockState> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if let Ok(Some(s)) = latest(&conn, &self.drill_id) {
            *last = Some(s);
        }
        *last
    }

    pub fn real(&self) -> &Arc<dyn Clock> {
        &self.real
    }
}

impl Clock for DrillClock {
    fn now(&self) -> Timestamp {
        let real = self.real.now();
        match self.state() {
            Some(s) => whole_seconds(s.drill_time(real)),
            // A drill copy without its drill row yet (a console waiting for its first sync).
            None => whole_seconds(real),
        }
    }
}

/// Drops the fraction of a second: drill-time stamps are whole seconds, so their text order is
/// their time order.
pub fn whole_seconds(t: Timestamp) -> Timestamp {
    t.replace_nanosecond(0).expect("0 ns is valid")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::datetime;

    use super::*;

    fn start() -> ClockState {
        ClockState {
            real_at: datetime!(2026-11-29 09:00 UTC),
            drill_at: datetime!(2027-01-14 18:00 UTC),
            speed: 1,
            running: true,
            end_at: datetime!(2027-01-14 21:00 UTC),
        }
    }

    #[test]
    fn pause_speed_and_resume_add_up() {
        let s = start();
        let r0 = s.real_at;
        // 10 real minutes at ×1 → 10 drill minutes.
        assert_eq!(s.drill_time(r0 + Duration::minutes(10)), datetime!(2027-01-14 18:10 UTC));
        // ×60 from then: 1 real minute later → 70 drill minutes in.
        let fast = s.with_speed(r0 + Duration::minutes(10), 60).unwrap();
        assert_eq!(fast.drill_time(r0 + Duration::minutes(11)), datetime!(2027-01-14 19:10 UTC));
        // Paused for an hour of real time: the drill time stands still.
        let p = fast.paused(r0 + Duration::minutes(11));
        assert_eq!(p.drill_time(r0 + Duration::minutes(71)), datetime!(2027-01-14 19:10 UTC));
        // Resumed (still ×60): 30 real seconds → 30 drill minutes.
        let r = p.resumed(r0 + Duration::minutes(71));
        assert_eq!(r.drill_time(r0 + Duration::minutes(71) + Duration::seconds(30)), datetime!(2027-01-14 19:40 UTC));
        // It stops at the end, however long it runs.
        assert_eq!(r.drill_time(r0 + Duration::hours(10)), s.end_at);
        assert!(r.ended(r0 + Duration::hours(10)));
        // A wall clock set back does not run the drill backwards.
        assert_eq!(r.drill_time(r0), r.drill_at);
        assert!(s.with_speed(r0, 61).is_err() && s.with_speed(r0, 0).is_err());
    }

    /// A clock operation at a real-time offset (s) from the previous one.
    #[derive(Debug, Clone)]
    enum Op {
        Pause(u16),
        Resume(u16),
        Speed(u16, u8),
        Wait(u16),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0u16..600).prop_map(Op::Pause),
            (0u16..600).prop_map(Op::Resume),
            (0u16..600, 1u8..=60).prop_map(|(d, s)| Op::Speed(d, s)),
            (0u16..600).prop_map(Op::Wait),
        ]
    }

    proptest! {
        /// Invariant: whatever the facilitator does, drill time never goes backwards as real
        /// time goes forward, never moves while paused, and never runs faster than ×60.
        #[test]
        fn the_clock_is_monotone_and_stands_still_while_paused(ops in proptest::collection::vec(op(), 1..40)) {
            let mut state = ClockState { end_at: datetime!(2027-01-20 00:00 UTC), ..start() };
            let mut real = state.real_at;
            let mut shown = state.drill_time(real);
            for op in ops {
                let (dt, next) = match op {
                    Op::Pause(d) => (d, Some(state.paused(real + Duration::seconds(d.into())))),
                    Op::Resume(d) => (d, Some(state.resumed(real + Duration::seconds(d.into())))),
                    Op::Speed(d, s) => (d, Some(state.with_speed(real + Duration::seconds(d.into()), s).unwrap())),
                    Op::Wait(d) => (d, None),
                };
                let before_real = real;
                real += Duration::seconds(dt.into());
                let before = state.drill_time(real);
                if let Some(n) = next { state = n; }
                let now = state.drill_time(real);
                prop_assert_eq!(now, before, "an event does not move the clock");
                prop_assert!(now >= shown, "monotone");
                prop_assert!(now - shown <= (real - before_real) * 60, "at most ×60");
                if !state.running {
                    prop_assert_eq!(state.drill_time(real + Duration::hours(5)), now, "paused stands still");
                }
                shown = now;
            }
        }
    }
}
