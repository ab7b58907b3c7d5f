//! Test helpers: the demo province as a file, a clock the test moves, a small scenario.

use std::{
    path::PathBuf,
    sync::{Mutex, OnceLock},
};

use time::{macros::datetime, Duration};
use yingji_store::{Clock, Store, Timestamp};

use crate::scenario::Scenario;

/// A fresh folder per call.
pub fn tempdir() -> PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "yingji-drill-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A copy of the demo province in a new folder; returns its path.
pub fn demo_replica() -> PathBuf {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    let bytes = BYTES.get_or_init(|| {
        let dir = tempdir();
        let path = dir.join("demo.db");
        let mut store = Store::create(&path).unwrap();
        yingji_demo::populate(&mut store, yingji_demo::DEFAULT_SEED).unwrap();
        store.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;").unwrap();
        drop(store);
        std::fs::read(&path).unwrap()
    });
    let path = tempdir().join("replica.db");
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Real time as the test says.
pub struct ManualClock(pub Mutex<Timestamp>);

impl ManualClock {
    pub fn new() -> ManualClock {
        ManualClock(Mutex::new(datetime!(2026-11-29 09:00 UTC)))
    }
    pub fn advance(&self, d: Duration) {
        *self.0.lock().unwrap() += d;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap()
    }
}

/// A 60-minute drill on the Grand Canal with three injects.
pub fn scenario() -> Scenario {
    Scenario::parse(include_str!("../../../tests/drills/short-canal.json")).unwrap()
}
