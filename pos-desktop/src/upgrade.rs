//! Upgrade safety: a new version of the till must not strand events an older one wrote
//! and has not yet sent. The package's pre-install step asks the installed (old) version
//! with [`check`]; the new version refuses to open such a database as a second guard.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use crate::{Result, TillError, DB_FILE};

/// What a till database holds that an upgrade must respect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpgradeCheck {
    /// Schema version of the database (migrations applied).
    pub db_schema: u32,
    /// Events not yet acknowledged by head office.
    pub pending: u64,
    /// The oldest event schema among them.
    pub oldest_pending_schema: Option<u16>,
    /// Pending events a build sending only `oldest_sendable` and newer could not send.
    pub stranded: u64,
}

/// Reads the till database in `dir` without migrating or writing it and counts the
/// unsent events older than `oldest_sendable`.
pub fn check(dir: &Path, oldest_sendable: u16) -> Result<UpgradeCheck> {
    let path = dir.join(DB_FILE);
    if !path.exists() {
        return Err(TillError::NotInitialised(path.display().to_string()));
    }
    // Read-write without creating: a read-only open of a WAL database fails when its
    // shared-memory file is missing; nothing here writes.
    let conn = Connection::open_with_flags(
        &path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(3))?;
    inspect(&conn, oldest_sendable)
}

/// The same count over an open connection (before its migrations run).
pub(crate) fn inspect(conn: &Connection, oldest_sendable: u16) -> Result<UpgradeCheck> {
    let db_schema: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if db_schema == 0 {
        return Ok(UpgradeCheck {
            db_schema,
            pending: 0,
            oldest_pending_schema: None,
            stranded: 0,
        });
    }
    let (pending, oldest, stranded): (u64, Option<u16>, u64) = conn.query_row(
        "SELECT COUNT(*),
                MIN(json_extract(payload, '$.schema_version')),
                COALESCE(SUM(json_extract(payload, '$.schema_version') < ?1), 0)
           FROM outbox WHERE acked_at IS NULL",
        [oldest_sendable],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    Ok(UpgradeCheck {
        db_schema,
        pending,
        oldest_pending_schema: oldest,
        stranded,
    })
}

/// Refuses a database holding unsent events this build cannot send.
pub(crate) fn refuse_stranded(conn: &Connection, oldest_sendable: u16) -> Result<()> {
    let c = inspect(conn, oldest_sendable)?;
    match c.oldest_pending_schema {
        Some(oldest) if c.stranded > 0 => Err(TillError::StrandedEvents {
            count: c.stranded,
            oldest,
            min: oldest_sendable,
        }),
        _ => Ok(()),
    }
}
