//! The receipt hash chain: each receipt carries the hash of the one before it, so a
//! deleted, inserted or edited receipt breaks every hash after it.

use serde::Serialize;
use sha2::{Digest, Sha256};

pub use crate::events::ReceiptLink;
use crate::events::{ReturnDoc, SaleDoc};

/// The `prev_hash` of a terminal's first receipt.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What a receipt records; the hashed content.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(tag = "kind", content = "doc", rename_all = "snake_case")]
pub enum ReceiptBody<'a> {
    /// A sale receipt.
    Sale(&'a SaleDoc),
    /// A return receipt.
    Return(&'a ReturnDoc),
}

/// SHA-256 (hex) over the receipt number, the previous hash and the document's
/// canonical JSON. Field order is fixed by the types, so every till and the server
/// compute the same bytes.
pub fn receipt_hash(receipt_no: u64, prev_hash: &str, body: ReceiptBody<'_>) -> String {
    let mut h = Sha256::new();
    h.update(receipt_no.to_be_bytes());
    h.update(prev_hash.as_bytes());
    // Serialising our own plain structs cannot fail; an empty body would only
    // make the chain check fail loudly, never pass wrongly.
    h.update(serde_json::to_vec(&body).unwrap_or_default());
    hex::encode(h.finalize())
}

/// Links a receipt onto the chain after `prev_hash`.
pub fn link(receipt_no: u64, prev_hash: &str, body: ReceiptBody<'_>) -> ReceiptLink {
    ReceiptLink {
        receipt_no,
        prev_hash: prev_hash.to_owned(),
        hash: receipt_hash(receipt_no, prev_hash, body),
    }
}

/// A problem found walking a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ChainBreak {
    /// A receipt number is missing or repeated: `expected` was due, `found` came.
    Gap { expected: u64, found: u64 },
    /// A receipt's `prev_hash` is not the previous receipt's hash.
    BrokenLink { receipt_no: u64 },
    /// A receipt's content does not hash to its recorded hash.
    Tampered { receipt_no: u64 },
}

/// Walks receipts in number order (each with its recomputed content hash) and
/// reports every break. Numbers must run 1, 2, 3… with no gap.
pub fn verify_chain<'a, I>(receipts: I) -> Vec<ChainBreak>
where
    I: IntoIterator<Item = (&'a ReceiptLink, String)>,
{
    let mut breaks = Vec::new();
    let mut expected_no = 1;
    let mut prev = GENESIS_HASH.to_owned();
    for (link, recomputed) in receipts {
        if link.receipt_no != expected_no {
            breaks.push(ChainBreak::Gap {
                expected: expected_no,
                found: link.receipt_no,
            });
        }
        if link.prev_hash != prev {
            breaks.push(ChainBreak::BrokenLink {
                receipt_no: link.receipt_no,
            });
        }
        if link.hash != recomputed {
            breaks.push(ChainBreak::Tampered {
                receipt_no: link.receipt_no,
            });
        }
        expected_no = link.receipt_no + 1;
        prev = link.hash.clone();
    }
    breaks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::SaleDoc;
    use crate::{Currency, Money};
    use chrono::DateTime;
    use uuid::Uuid;

    fn sale(total: i64) -> SaleDoc {
        SaleDoc {
            sale_id: Uuid::from_u128(total as u128),
            shift_id: Uuid::nil(),
            cashier_id: Uuid::nil(),
            completed_at: DateTime::from_timestamp_millis(1_764_000_000_000).unwrap(),
            currency: Currency::RUB,
            lines: vec![],
            payments: vec![],
            gross: Money::rub(total),
            discount: Money::rub(0),
            total: Money::rub(total),
            change: Money::rub(0),
            vat: vec![],
            catalog_version: None,
            promotions: vec![],
            customer_id: None,
        }
    }

    fn chain_of(docs: &[SaleDoc]) -> Vec<ReceiptLink> {
        let mut prev = GENESIS_HASH.to_owned();
        docs.iter()
            .enumerate()
            .map(|(i, d)| {
                let l = link(i as u64 + 1, &prev, ReceiptBody::Sale(d));
                prev = l.hash.clone();
                l
            })
            .collect()
    }

    fn check(links: &[ReceiptLink], docs: &[SaleDoc]) -> Vec<ChainBreak> {
        verify_chain(links.iter().zip(docs).map(|(l, d)| {
            (
                l,
                receipt_hash(l.receipt_no, &l.prev_hash, ReceiptBody::Sale(d)),
            )
        }))
    }

    #[test]
    fn an_intact_chain_verifies() {
        let docs: Vec<_> = (1..=5).map(sale).collect();
        assert_eq!(check(&chain_of(&docs), &docs), vec![]);
    }

    #[test]
    fn edits_deletions_and_gaps_break_it() {
        let mut docs: Vec<_> = (1..=5).map(sale).collect();
        let mut links = chain_of(&docs);
        docs[2].total = Money::rub(999);
        assert_eq!(
            check(&links, &docs),
            vec![ChainBreak::Tampered { receipt_no: 3 }]
        );
        docs[2].total = Money::rub(3);
        links.remove(1);
        docs.remove(1);
        let breaks = check(&links, &docs);
        assert!(breaks.contains(&ChainBreak::Gap {
            expected: 2,
            found: 3
        }));
        assert!(breaks.contains(&ChainBreak::BrokenLink { receipt_no: 3 }));
    }
}
