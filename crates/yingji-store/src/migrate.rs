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

    /// A replica made before the R*Tree had a kind dimension keeps every index row, with the
    /// right kind code, and its triggers keep the index in step afterwards.
    #[test]
    fn the_kind_dimension_migration_carries_an_existing_index_over() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::text::register_functions(&conn).unwrap();
        let tx = conn.transaction().unwrap();
        for m in MIGRATIONS.iter().filter(|m| m.version <= 2) {
            tx.execute_batch(m.sql).unwrap();
        }
        tx.execute_batch(
            "INSERT INTO regions(id, code, parent_code, level, region_code, name_zh, name_pinyin, lat, lon,
                                 data_source, created_at, updated_at)
                 VALUES ('320000', '320000', NULL, 'province', '320000', '江苏省', 'Jiangsu Sheng', 32.06, 118.80,
                         't', 't', 't');
             INSERT INTO teams(id, region_code, name, team_type, size, specialties, equipment, base_address,
                               contact_name, contact_phone, lat, lon, data_source, created_at, updated_at)
                 VALUES ('t1', '320000', '测试队', '综合', 5, '', '', '', '', '', 32.1, 118.9, 't', 't', 't');",
        )
        .unwrap();
        tx.commit().unwrap();
        let v3 = MIGRATIONS.iter().find(|m| m.name == "geo_kind").expect("the geo_kind migration");
        conn.execute_batch(v3.sql).unwrap();
        let rows: Vec<(String, f64, f64)> = conn
            .prepare("SELECT item_id, min_kind, max_kind FROM geo_rtree ORDER BY item_id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let (region, team) =
            (crate::query::Kind::Region.index_code() as f64, crate::query::Kind::Team.index_code() as f64);
        assert_eq!(rows, vec![("320000".into(), region, region + 1.0), ("t1".into(), team, team + 1.0)]);
        conn.execute("UPDATE teams SET lat = 33.0 WHERE id = 't1'", []).unwrap();
        let lat: f64 = conn.query_row("SELECT lat FROM geo_rtree WHERE item_id = 't1'", [], |r| r.get(0)).unwrap();
        assert_eq!(lat, 33.0);
        let n: i64 = conn.query_row("SELECT count(*) FROM geo_rtree", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 2);
    }
}
