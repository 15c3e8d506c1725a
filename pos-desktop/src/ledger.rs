//! The receipt ledger: one gapless numbering and one hash chain for sales and returns.

use rusqlite::Transaction;
use shared_model::chain::{self, ReceiptBody, ReceiptLink};
use uuid::Uuid;

use crate::{db, error::Result};

/// Issues the next receipt for `body` inside `tx`: takes the next number, links it to
/// the chain head, records it in the ledger and moves the head. Rolls back with `tx`.
pub(crate) fn issue(
    tx: &Transaction<'_>,
    doc_id: Uuid,
    body: ReceiptBody<'_>,
) -> Result<ReceiptLink> {
    let receipt_no = db::next_counter(tx, "receipt_no")?;
    let prev = db::setting(tx, "chain_head")?.unwrap_or_else(|| chain::GENESIS_HASH.to_owned());
    let link = chain::link(receipt_no, &prev, body);
    let kind = match body {
        ReceiptBody::Sale(_) => "sale",
        ReceiptBody::Return(_) => "return",
    };
    tx.execute(
        "INSERT INTO receipts (receipt_no, kind, doc_id, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5)",
        (receipt_no as i64, kind, doc_id.to_string(), &link.prev_hash, &link.hash),
    )?;
    db::set_setting(tx, "chain_head", &link.hash)?;
    Ok(link)
}
