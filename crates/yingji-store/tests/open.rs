//! Opening databases: what is refused, with which error, and that refused files are untouched.

use std::{fs, path::Path};

use yingji_store::{Store, StoreError, LATEST_SCHEMA_VERSION};

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), fs::read(&p).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn create_then_open_applies_every_migration() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    drop(Store::create(&path).unwrap());
    let store = Store::open(&path).unwrap();
    assert_eq!(yingji_store::schema_version(store.conn()).unwrap(), LATEST_SCHEMA_VERSION);
    let mode: String = store.conn().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = store.conn().query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
    assert_eq!(fk, 1);
}

#[test]
fn create_refuses_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    fs::write(&path, b"keep me").unwrap();
    assert!(matches!(Store::create(&path), Err(StoreError::AlreadyExists { .. })));
    assert_eq!(fs::read(&path).unwrap(), b"keep me");
}

#[test]
fn missing_file_is_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("none.db");
    let err = Store::open(&path).err().unwrap();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
    assert!(err.to_string().contains("yingji init"), "{err}");
    assert!(!path.exists());
}

#[test]
fn non_sqlite_files_are_refused_and_left_untouched() {
    for content in [&b"name,phone\nteam,123\n"[..], b"", &[0u8; 4096][..], b"SQLite format 2\0 and more bytes here"] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        fs::write(&path, content).unwrap();
        let before = snapshot(dir.path());
        let err = Store::open(&path).err().unwrap();
        assert!(matches!(err, StoreError::NotSqlite { .. }), "{err}");
        assert!(err.to_string().contains("untouched"));
        assert_eq!(snapshot(dir.path()), before, "the folder changed");
    }
}

#[test]
fn damaged_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.db");
    {
        let mut s = Store::create(&path).unwrap();
        let tx = s.transaction().unwrap();
        tx.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").ok();
        tx.commit().unwrap();
        s.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;").unwrap();
    }
    // Keep the header, scramble the rest of the first page (the schema table).
    let mut bytes = fs::read(&path).unwrap();
    for b in bytes.iter_mut().take(4096).skip(100) {
        *b = 0xA5;
    }
    fs::write(&path, &bytes).unwrap();
    let before = snapshot(dir.path());
    let err = Store::open(&path).err().expect("a damaged file must be refused");
    assert!(matches!(err, StoreError::Damaged { .. } | StoreError::NotSqlite { .. }), "{err}");
    assert_eq!(snapshot(dir.path()), before, "the folder changed");
}

#[test]
fn a_database_of_another_program_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    rusqlite::Connection::open(&path).unwrap().execute_batch("CREATE TABLE notes(x);").unwrap();
    let before = snapshot(dir.path());
    assert!(matches!(Store::open(&path), Err(StoreError::NotYingji { .. })));
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn a_database_from_a_newer_yingji_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    drop(Store::create(&path).unwrap());
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            "INSERT INTO schema_migrations(version, name) VALUES (?1, 'from_the_future')",
            [LATEST_SCHEMA_VERSION + 1],
        )
        .unwrap();
    let err = Store::open(&path).err().unwrap();
    assert!(matches!(err, StoreError::TooNew { db_version, .. } if db_version == LATEST_SCHEMA_VERSION + 1), "{err}");
    assert!(err.to_string().contains("update Yingji"));
}

#[test]
fn a_lock_held_elsewhere_is_a_clear_error_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.db");
    drop(Store::create(&path).unwrap());
    // Another program holds the database exclusively (as `sqlite3` with locking_mode=EXCLUSIVE would).
    let other = rusqlite::Connection::open(&path).unwrap();
    other
        .execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; INSERT INTO meta VALUES ('x', 'y');")
        .unwrap();
    let started = std::time::Instant::now();
    let err = Store::open(&path).err().expect("locked");
    assert!(matches!(err, StoreError::Locked { .. }), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "waited {:?}", started.elapsed());
    other.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn a_writer_elsewhere_blocks_writes_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    drop(Store::create(&path).unwrap());
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE; INSERT INTO meta VALUES ('x', 'y');").unwrap();
    // Readers are not blocked in WAL mode …
    let mut store = Store::open(&path).unwrap();
    // … but a write waits at most the busy timeout and then says why.
    assert!(matches!(store.transaction(), Err(StoreError::Locked { .. })));
    other.execute_batch("ROLLBACK").unwrap();
    assert!(store.transaction().is_ok());
}
