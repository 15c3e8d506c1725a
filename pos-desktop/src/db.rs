//! Opening the SQLite file: durability pragmas, embedded migrations, small helpers.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ValueRef};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction};
use uuid::Uuid;

use crate::error::{Result, TillError};

/// Migrations, applied in order; `PRAGMA user_version` records how many have run.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_init.sql"),
    include_str!("migrations/002_sync.sql"),
    include_str!("migrations/003_promotions.sql"),
    include_str!("migrations/004_customers_certificates.sql"),
    include_str!("migrations/005_promotion_rev.sql"),
    include_str!("migrations/006_certificate_keys.sql"),
    include_str!("migrations/007_vat_2026.sql"),
    include_str!("migrations/008_fiscal.sql"),
    include_str!("migrations/009_register_outage.sql"),
    include_str!("migrations/010_receipt_contact.sql"),
    include_str!("migrations/011_cashier_vatin.sql"),
    include_str!("migrations/012_marking.sql"),
];

/// How long a write waits for another process before reporting "locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(3);

/// Opens (or with `create`, creates) the till database and brings its schema up to date.
pub fn open(path: &Path, create: bool) -> Result<Connection> {
    let exists = path.exists();
    if !exists && !create {
        return Err(TillError::NotInitialised(path.display().to_string()));
    }
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let mut conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // WAL + FULL: a committed sale survives power loss; foreign keys keep sales whole.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    // A 64 MiB page cache (SQLite's default is 2 MiB): a catalog's indexes stay in memory, so
    // a first sync of a large catalog does not re-read index pages for every product.
    conn.pragma_update(None, "cache_size", -65_536)?;
    // Before any migration: a database an older version left with events this one cannot
    // send stays as it was, for that version to send them.
    crate::upgrade::refuse_stranded(&conn, shared_model::events::MIN_EVENT_SCHEMA_VERSION)?;
    // Migrations run with foreign keys off (a table rebuilt to change a CHECK must not
    // cascade its old copy's deletion); they are checked before the migration commits.
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    migrate(&mut conn)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

/// A data migration (schema 6): rewrites the codes of this till's own certificate uses as lookup keys (upgrading a
/// till from before keys: no code stays in its database).
fn rekey_certificate_uses(conn: &Connection) -> Result<()> {
    let rows: Vec<(String, String)> = conn
        .prepare("SELECT id, key FROM certificate_uses")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, code) in rows {
        if let Ok(code) = shared_model::certificates::CertificateCode::parse(&code) {
            conn.execute(
                "UPDATE certificate_uses SET key = ?2 WHERE id = ?1",
                (&id, code.lookup_key()),
            )?;
        }
    }
    Ok(())
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let version: usize = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > MIGRATIONS.len() {
        return Err(TillError::Corrupt(format!(
            "schema version {version} is newer than this program ({}); upgrade the till",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i + 1)?;
    }
    if version < 6 {
        rekey_certificate_uses(&tx)?;
    }
    let broken: Option<String> = tx
        .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
        .optional()?;
    if let Some(table) = broken {
        return Err(TillError::Corrupt(format!(
            "a migration left {table} pointing at rows that are gone"
        )));
    }
    tx.commit()?;
    Ok(())
}

/// Now, truncated to milliseconds so it round-trips through storage exactly.
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap_or_default()
}

/// The storage form of a timestamp.
pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parses a stored timestamp.
pub fn parse_ts(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| TillError::Data(format!("timestamp {s:?}: {e}")))
}

/// A UUID as the till stores it, read straight from a row: `row.get::<_, Id>(i)?.0`.
/// The till's files keep UUIDs as canonical text (readable in `sqlite3`, compared with the
/// text ids head office sends); rusqlite's own `uuid` support reads 16-byte BLOBs only, and
/// moving every table to BLOBs would change the files of every till in the shops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Id(pub Uuid);

impl FromSql for Id {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        Uuid::parse_str(v.as_str()?)
            .map(Id)
            .map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

/// Parses a UUID the till holds as text (an id passed in, a setting).
pub fn parse_uuid(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| TillError::Data(format!("uuid {s:?}: {e}")))
}

/// Takes the next value of a gapless counter inside `tx`.
pub fn next_counter(tx: &Transaction<'_>, name: &str) -> Result<u64> {
    let v: i64 = tx.query_row(
        "UPDATE counters SET value = value + 1 WHERE name = ?1 RETURNING value",
        [name],
        |r| r.get(0),
    )?;
    Ok(v as u64)
}

/// Reads a setting.
pub fn setting(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Writes a setting.
pub fn set_setting(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}

/// Removes a setting.
pub fn clear_setting(conn: &Connection, key: &str) -> Result<()> {
    conn.execute("DELETE FROM settings WHERE key = ?1", [key])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A till of the version before 2026's VAT (six migrations) with goods at 20 %, opened
    /// by this version: the goods are at 22 %, their barcodes still point at them, and a
    /// deleted product still takes its barcodes with it (the rebuilt table is the one
    /// other tables refer to).
    #[test]
    fn goods_at_20_percent_move_to_22_and_keep_their_references() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("till.db");
        {
            let conn = Connection::open(&path).expect("open");
            for sql in &MIGRATIONS[..6] {
                conn.execute_batch(sql).expect("old migration");
            }
            conn.pragma_update(None, "user_version", 6)
                .expect("version");
            conn.execute_batch(
                "INSERT INTO categories VALUES ('c', 'Парфюмерия');
                 INSERT INTO products (id, sku, name, name_lc, category_id, unit, price_minor, vat, cost_minor)
                 VALUES ('p1', 'P1', 'Духи', 'духи', 'c', 'pcs', 1000000, 'vat20', 500000),
                        ('p2', 'P2', 'Крем', 'крем', 'c', 'pcs', 29000, 'vat10', 0);
                 INSERT INTO barcodes VALUES ('4607123000014', 'p1'), ('46002372', 'p2');",
            )
            .expect("old goods");
        }
        let conn = open(&path, false).expect("upgraded");
        let goods: Vec<(String, String, i64)> = conn
            .prepare("SELECT sku, vat, cost_minor FROM products WHERE sku LIKE 'P%' ORDER BY sku")
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .expect("goods");
        assert_eq!(
            goods,
            [
                ("P1".to_owned(), "vat22".to_owned(), 500_000),
                ("P2".to_owned(), "vat10".to_owned(), 0)
            ]
        );
        let retired = conn.execute("UPDATE products SET vat = 'vat20' WHERE sku = 'P2'", []);
        assert!(retired.is_err(), "20 % is refused for goods now");
        conn.execute("DELETE FROM products WHERE id = 'p1'", [])
            .expect("delete");
        let codes: i64 = conn
            .query_row("SELECT count(*) FROM barcodes", [], |r| r.get(0))
            .expect("count");
        assert_eq!(codes, 1);
        let fk: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .expect("pragma");
        assert_eq!(fk, 1);
    }
}
