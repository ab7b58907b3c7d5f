use rusqlite::{Connection, OptionalExtension};

pub(crate) struct Migration {
    pub version: u32,
    pub name: &'static str,
    pub sql: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// The schema version this program writes: the number of the last file in `migrations/`.
pub const LATEST_SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// The schema version of an open database (0 for an empty one).
pub fn schema_version(conn: &Connection) -> rusqlite::Result<u32> {
    let exists: Option<String> = conn
        .query_row("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'", [], |r| {
            r.get(0)
        })
        .optional()?;
    if exists.is_none() {
        return Ok(0);
    }
    conn.query_row("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", [], |r| r.get(0))
}

/// Applies every pending migration, in order, inside one transaction: either all of them are
/// recorded in `schema_migrations` or none is.
pub(crate) fn apply_pending(conn: &mut Connection) -> rusqlite::Result<()> {
    let current = schema_version(conn)?;
    if current >= LATEST_SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY,
            name    TEXT NOT NULL
        ) STRICT;",
    )?;
    for m in MIGRATIONS.iter().filter(|m| m.version > current) {
        tx.execute_batch(m.sql)?;
        tx.execute("INSERT INTO schema_migrations(version, name) VALUES (?1, ?2)", (m.version, m.name))?;
    }
    tx.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_from_one_without_gaps() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1, "{}", m.name);
        }
        const { assert!(LATEST_SCHEMA_VERSION >= 2) };
    }
}
