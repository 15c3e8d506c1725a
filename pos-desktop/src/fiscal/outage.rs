//! A register out of order. The law still wants a fiscal document for every sale, so a
//! manager declares the outage (with its reason) rather than the shop closing: sales go
//! on, each one's fiscal task waits as *deferred* (holding up nothing), and the slips say
//! they are not fiscal documents. Once the register is back, every deferred sale or
//! return it never signed gets a correction receipt made on the store's own initiative
//! (54-FZ art. 4.3), naming the till's receipt number and the day of the sale. A task
//! whose first try may have reached the register is looked up by its uuid first, as
//! always, so a sale the register did sign is never corrected a second time.

use chrono::{DateTime, Local, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use shared_model::events::FiscalFor;
use shared_model::fiscal::Correction;
use shared_model::Capability;

use crate::{db, error::Result, Till, TillError};

const KEY: &str = "register_outage";

/// A declared outage of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outage {
    /// When it was declared.
    pub since: DateTime<Utc>,
    /// Why (for the correction's paperwork and head office).
    pub reason: String,
    /// Who declared it.
    pub declared_by: String,
}

/// The outage in force, if any.
pub(crate) fn current(conn: &Connection) -> Result<Option<Outage>> {
    db::setting(conn, KEY)?
        .map(|s| serde_json::from_str(&s).map_err(Into::into))
        .transpose()
}

/// What a correction receipt for a till document names: its receipt number and the day
/// it was made, in the store's time.
pub(crate) fn base(conn: &Connection, doc_id: &str, kind: FiscalFor) -> Result<Correction> {
    let table = match kind {
        FiscalFor::Sale => "sales",
        FiscalFor::Return => "returns",
        _ => return Err(TillError::Data(format!("no correction for {kind:?}"))),
    };
    let (no, at): (i64, String) = conn
        .query_row(
            &format!("SELECT receipt_no, completed_at FROM {table} WHERE id = ?1"),
            [doc_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or_else(|| TillError::Data(format!("fiscal task for a missing document {doc_id}")))?;
    Ok(Correction {
        base_date: db::parse_ts(&at)?.with_timezone(&Local).date_naive(),
        base_number: no.to_string(),
    })
}

impl Till {
    /// The register outage in force, if any.
    pub fn register_outage(&self) -> Result<Option<Outage>> {
        current(&self.conn)
    }

    /// Documents whose fiscal receipt waits for the register to be repaired.
    pub fn fiscal_deferred(&self) -> Result<u32> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM fiscal_tasks WHERE state = 'deferred'",
            [],
            |r| r.get(0),
        )?)
    }

    /// Declares the register out of order (a manager: the Configure capability), so sales
    /// go on and are corrected later. What waits for the register now waits for its repair.
    pub fn declare_register_outage(&mut self, reason: &str) -> Result<Outage> {
        let grant = self.grant(Capability::Configure)?;
        if self.fiscal_register_url()?.is_none() {
            return Err(TillError::InvalidInput(
                "this till has no fiscal register".into(),
            ));
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(TillError::ReasonRequired);
        }
        if let Some(o) = current(&self.conn)? {
            return Err(TillError::InvalidInput(format!(
                "the register has been declared out of order since {}",
                o.since
            )));
        }
        let outage = Outage {
            since: db::now(),
            reason: reason.chars().take(200).collect(),
            declared_by: grant.session.name.clone(),
        };
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE fiscal_tasks SET state = 'deferred',
                    correction = CASE WHEN kind IN ('sale', 'return') THEN 1 ELSE 0 END
             WHERE state = 'pending'",
            [],
        )?;
        db::set_setting(&tx, KEY, &serde_json::to_string(&outage)?)?;
        tx.commit()?;
        Ok(outage)
    }

    /// The register is back (a manager): what was deferred goes to it in order — shifts
    /// as the till kept them, sales and returns it never signed as correction receipts.
    /// Returns how many documents were settled; any that cannot be now waits as pending
    /// (and holds up new sales) like any other, with its reason.
    pub fn end_register_outage(&mut self) -> Result<u32> {
        self.grant(Capability::Configure)?;
        if current(&self.conn)?.is_none() {
            return Err(TillError::InvalidInput(
                "the register has not been declared out of order".into(),
            ));
        }
        let tx = self.conn.transaction()?;
        let waiting: u32 = tx.execute(
            "UPDATE fiscal_tasks SET state = 'pending' WHERE state = 'deferred'",
            [],
        )? as u32;
        tx.execute("DELETE FROM settings WHERE key = ?1", [KEY])?;
        tx.commit()?;
        self.settle_fiscal()?;
        Ok(waiting)
    }
}

/// A new task's state: deferred during an outage (a sale's or return's then needs a
/// correction), pending otherwise.
pub(crate) fn new_task_state(conn: &Connection, kind: FiscalFor) -> Result<(&'static str, bool)> {
    Ok(match current(conn)? {
        Some(_) => (
            "deferred",
            matches!(kind, FiscalFor::Sale | FiscalFor::Return),
        ),
        None => ("pending", false),
    })
}
