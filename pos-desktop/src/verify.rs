//! Self-check of the till database: SQLite integrity, whole sales and returns,
//! gapless numbering and the receipt hash chain.

use rusqlite::Connection;
use serde::Serialize;
use shared_model::chain::{
    receipt_hash, verify_chain, ChainBreak, ReceiptBody, ReceiptLink, GENESIS_HASH,
};

use crate::{error::Result, returns, sale, Till};

/// What `verify` found.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// True when nothing is wrong.
    pub ok: bool,
    /// Receipts checked.
    pub receipts: u64,
    /// Events in the outbox (sent or not).
    pub events: u64,
    /// Everything found wrong, in words.
    pub problems: Vec<String>,
}

impl Till {
    /// Checks everything that must hold for the till's records to be trusted.
    pub fn verify(&self) -> Result<VerifyReport> {
        let c = &self.conn;
        let mut problems = storage(c)?;
        let receipts = self.check_chain(&mut problems)?;
        problems.extend(whole_documents(c)?);
        let events = check_numbering(c, &mut problems)?;
        Ok(VerifyReport {
            ok: problems.is_empty(),
            receipts,
            events,
            problems,
        })
    }

    /// The chain: rebuilds every receipt from its rows, recomputes its hash, and checks the
    /// links, the head and the receipt counter. Returns how many receipts there are.
    fn check_chain(&self, problems: &mut Vec<String>) -> Result<u64> {
        let c = &self.conn;
        let mut links: Vec<(ReceiptLink, String)> = Vec::new();
        let mut st = c.prepare("SELECT kind, doc_id FROM receipts ORDER BY receipt_no")?;
        let rows: Vec<(String, String)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (kind, id) in &rows {
            let (link, hash) = if kind == "sale" {
                let s = sale::load_sale(c, id, self.currency)?;
                let h = receipt_hash(
                    s.link.receipt_no,
                    &s.link.prev_hash,
                    ReceiptBody::Sale(&s.doc),
                );
                (s.link, h)
            } else {
                let r = returns::load_return(c, id, self.currency)?;
                let h = receipt_hash(
                    r.link.receipt_no,
                    &r.link.prev_hash,
                    ReceiptBody::Return(&r.doc),
                );
                (r.link, h)
            };
            links.push((link, hash));
        }
        problems.extend(
            verify_chain(links.iter().map(|(l, h)| (l, h.clone())))
                .into_iter()
                .map(in_words),
        );
        let head = crate::db::setting(c, "chain_head")?.unwrap_or_default();
        let last = links
            .last()
            .map(|(l, _)| l.hash.clone())
            .unwrap_or_else(|| GENESIS_HASH.into());
        if head != last {
            problems.push("the chain head does not match the last receipt".into());
        }
        if counter(c, "receipt_no")? != links.len() as i64 {
            problems.push("the receipt counter does not match the receipts issued".into());
        }
        Ok(links.len() as u64)
    }
}

/// A break in the receipt chain, in words.
fn in_words(b: ChainBreak) -> String {
    match b {
        ChainBreak::Gap { expected, found } => {
            format!("receipt number gap: expected {expected}, found {found}")
        }
        ChainBreak::BrokenLink { receipt_no } => {
            format!("receipt {receipt_no} does not link to the one before")
        }
        ChainBreak::Tampered { receipt_no } => {
            format!("receipt {receipt_no} was altered after it was issued")
        }
    }
}

/// SQLite's own integrity and foreign-key checks.
fn storage(c: &Connection) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let integrity: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if integrity != "ok" {
        problems.push(format!("SQLite integrity check: {integrity}"));
    }
    let fk: i64 = c.query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
        r.get(0)
    })?;
    if fk > 0 {
        problems.push(format!("{fk} rows break foreign keys"));
    }
    Ok(problems)
}

/// A counter's value.
fn counter(c: &Connection, name: &str) -> Result<i64> {
    Ok(
        c.query_row("SELECT value FROM counters WHERE name = ?1", [name], |r| {
            r.get(0)
        })?,
    )
}

/// Every sale and return whole: lines, payments, movements and its event; no sale rows
/// without their sale.
fn whole_documents(c: &Connection) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let broken_sales: Vec<(i64, String)> = c
        .prepare(
            "SELECT s.receipt_no, 'sale' FROM sales s WHERE
               s.line_count <> (SELECT COUNT(*) FROM sale_lines l WHERE l.sale_id = s.id)
            OR s.line_count <> (SELECT COUNT(*) FROM stock_movements m WHERE m.sale_id = s.id)
            OR s.total_minor <> (SELECT COALESCE(SUM(total_minor), 0) FROM sale_lines l WHERE l.sale_id = s.id)
            OR s.total_minor + s.change_minor <> (SELECT COALESCE(SUM(amount_minor), 0) FROM sale_payments p WHERE p.sale_id = s.id)
            OR NOT EXISTS (SELECT 1 FROM outbox o WHERE o.doc_id = s.id AND o.kind = 'sale_completed')
            UNION ALL
            SELECT r.receipt_no, 'return' FROM returns r WHERE
               (SELECT COUNT(*) FROM return_lines l WHERE l.return_id = r.id) = 0
            OR (SELECT COUNT(*) FROM return_lines l WHERE l.return_id = r.id)
               <> (SELECT COUNT(*) FROM stock_movements m WHERE m.return_id = r.id)
            OR r.total_minor <> (SELECT COALESCE(SUM(amount_minor), 0) FROM return_lines l WHERE l.return_id = r.id)
            OR r.total_minor <> (SELECT COALESCE(SUM(amount_minor), 0) FROM return_refunds f WHERE f.return_id = r.id)
            OR NOT EXISTS (SELECT 1 FROM outbox o WHERE o.doc_id = r.id AND o.kind = 'return_completed')",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (no, kind) in broken_sales {
        problems.push(format!("{kind} receipt {no} is incomplete"));
    }
    let orphans: i64 = c.query_row(
        "SELECT (SELECT COUNT(*) FROM sale_lines WHERE sale_id NOT IN (SELECT id FROM sales))
              + (SELECT COUNT(*) FROM sale_payments WHERE sale_id NOT IN (SELECT id FROM sales))
              + (SELECT COUNT(*) FROM outbox WHERE kind = 'sale_completed' AND doc_id NOT IN (SELECT id FROM sales))",
        [],
        |r| r.get(0),
    )?;
    if orphans > 0 {
        problems.push(format!("{orphans} sale rows belong to no sale"));
    }
    Ok(problems)
}

/// Gapless event sequence and shift numbers. Returns how many events there are.
fn check_numbering(c: &Connection, problems: &mut Vec<String>) -> Result<u64> {
    let (events, max_seq): (i64, i64) = c.query_row(
        "SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM outbox",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if events != max_seq || counter(c, "event_seq")? != max_seq {
        problems.push(format!(
            "event sequence has gaps: {events} events, highest {max_seq}"
        ));
    }
    let (shifts, max_shift): (i64, i64) = c.query_row(
        "SELECT COUNT(*), COALESCE(MAX(shift_no), 0) FROM shifts",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if shifts != max_shift {
        problems.push("shift numbers have gaps".into());
    }
    Ok(events as u64)
}
