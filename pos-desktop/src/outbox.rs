//! The outbox: events written in the same transaction as the facts they describe,
//! kept until head office acknowledges them.

use rusqlite::{Connection, Transaction};
use serde::Serialize;
use shared_model::events::{EventEnvelope, EventPayload, EVENT_SCHEMA_VERSION};
use uuid::Uuid;

use crate::{db, error::Result, Till};

/// Appends an event with the next gapless sequence number. Must run inside the
/// transaction that records the fact, so the two commit or vanish together.
pub(crate) fn append(
    tx: &Transaction<'_>,
    terminal_id: Uuid,
    doc_id: Uuid,
    payload: EventPayload,
) -> Result<EventEnvelope> {
    let seq = db::next_counter(tx, "event_seq")?;
    let env = EventEnvelope {
        schema_version: EVENT_SCHEMA_VERSION,
        event_id: Uuid::now_v7(),
        terminal_id,
        seq,
        occurred_at: db::now(),
        payload,
    };
    tx.execute(
        "INSERT INTO outbox (seq, event_id, kind, doc_id, payload, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        (
            seq as i64,
            env.event_id.to_string(),
            env.payload.kind(),
            doc_id.to_string(),
            serde_json::to_string(&env)?,
            db::ts(env.occurred_at),
        ),
    )?;
    Ok(env)
}

/// How many events wait for head office, and the sequence range.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxStatus {
    /// Events not yet acknowledged.
    pub pending: u64,
    /// Lowest unacknowledged sequence number.
    pub first_pending_seq: Option<u64>,
    /// Highest sequence number written.
    pub last_seq: u64,
}

impl Till {
    /// The outbox's state.
    pub fn outbox_status(&self) -> Result<OutboxStatus> {
        status(&self.conn)
    }

    /// The sequence number of the newest event recorded (acknowledged or not).
    pub fn newest_seq(&self) -> Result<Option<u64>> {
        let seq: Option<i64> = self
            .conn
            .query_row("SELECT MAX(seq) FROM outbox", [], |r| r.get(0))?;
        Ok(seq.map(|s| s as u64))
    }

    /// Unacknowledged events in sequence order, at most `limit`.
    pub fn pending_events(&self, limit: u32) -> Result<Vec<EventEnvelope>> {
        let mut st = self
            .conn
            .prepare("SELECT payload FROM outbox WHERE acked_at IS NULL ORDER BY seq LIMIT ?1")?;
        let rows = st.query_map([limit], |r| r.get::<_, String>(0))?;
        rows.map(|p| Ok(serde_json::from_str(&p?)?)).collect()
    }

    /// Marks events up to `seq` acknowledged by head office.
    pub fn ack_events(&self, seq: u64) -> Result<u64> {
        let n = self.conn.execute(
            "UPDATE outbox SET acked_at = ?1 WHERE seq <= ?2 AND acked_at IS NULL",
            (db::ts(db::now()), seq as i64),
        )?;
        Ok(n as u64)
    }
}

fn status(conn: &Connection) -> Result<OutboxStatus> {
    let (pending, first): (i64, Option<i64>) = conn.query_row(
        "SELECT COUNT(*), MIN(seq) FROM outbox WHERE acked_at IS NULL",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let last: i64 = conn.query_row(
        "SELECT value FROM counters WHERE name = 'event_seq'",
        [],
        |r| r.get(0),
    )?;
    Ok(OutboxStatus {
        pending: pending as u64,
        first_pending_seq: first.map(|s| s as u64),
        last_seq: last as u64,
    })
}
