//! Returns against a receipt: never more than was sold and not yet returned; refunds
//! to cash or back to the original tenders.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use shared_model::chain::{ReceiptBody, ReceiptLink};
use shared_model::events::{
    ChainedReceipt, EventPayload, PaymentDoc, ReturnDoc, ReturnLineDoc, SaleDoc, SaleLineDoc,
};
use shared_model::pricing::return_share;
use shared_model::tender::refund_to_original;
use shared_model::{Capability, Currency, Money, Quantity, Tender, VatRate};
use uuid::Uuid;

use crate::{db, error::Result, ledger, outbox, sale, shift, Till, TillError};

/// Where refund money goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundTo {
    /// All in cash from the drawer.
    Cash,
    /// Back to the tenders the sale was paid with: cards first, then cash.
    Original,
}

/// A completed return with its receipt link.
#[derive(Debug, Clone, Serialize)]
pub struct CompletedReturn {
    /// The return.
    pub doc: ReturnDoc,
    /// Receipt number and hash chain link.
    pub link: ReceiptLink,
    /// Its fiscal receipt (`sellReturn`): signed, awaited, or none (a non-fiscal till).
    pub fiscal: crate::fiscal::FiscalState,
}

/// Per sale line: (quantity, amount, VAT) already returned.
fn returned_so_far(conn: &Connection, sale_id: &str) -> Result<HashMap<u32, (i64, i64, i64)>> {
    let mut st = conn.prepare_cached(
        "SELECT sale_line_no, SUM(qty_milli), SUM(amount_minor), SUM(vat_minor) FROM return_lines
         WHERE sale_id = ?1 GROUP BY sale_line_no",
    )?;
    let rows = st.query_map([sale_id], |r| {
        Ok((r.get::<_, u32>(0)?, (r.get(1)?, r.get(2)?, r.get(3)?)))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Per tender (and certificate): what the sale took (net of change) minus what was
/// refunded to it.
fn refundable_by_tender(
    conn: &Connection,
    sale: &sale::CompletedSale,
) -> Result<Vec<(Tender, Option<String>, i64)>> {
    let mut out: Vec<(Tender, Option<String>, i64)> = Vec::new();
    for p in &sale.doc.payments {
        match out
            .iter_mut()
            .find(|(t, c, _)| *t == p.tender && *c == p.certificate)
        {
            Some(e) => e.2 += p.amount.minor,
            None => out.push((p.tender, p.certificate.clone(), p.amount.minor)),
        }
    }
    if let Some(cash) = out.iter_mut().find(|(t, _, _)| *t == Tender::Cash) {
        cash.2 -= sale.doc.change.minor;
    }
    let mut st = conn.prepare_cached(
        "SELECT f.tender, f.certificate, SUM(f.amount_minor) FROM return_refunds f JOIN returns r ON r.id = f.return_id
         WHERE r.sale_id = ?1 GROUP BY f.tender, f.certificate",
    )?;
    let rows = st.query_map([sale.doc.sale_id.to_string()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    for row in rows {
        let (t, cert, amount) = row?;
        let t = Tender::parse(&t)?;
        if let Some(e) = out.iter_mut().find(|(x, c, _)| *x == t && *c == cert) {
            e.2 -= amount;
        }
    }
    Ok(out)
}

/// Rebuilds a return document from its rows.
pub(crate) fn load_return(
    conn: &Connection,
    return_id: &str,
    currency: Currency,
) -> Result<CompletedReturn> {
    let m = |v: i64| Money::new(v, currency);
    type Head = (
        db::Id,
        i64,
        db::Id,
        db::Id,
        String,
        i64,
        Option<String>,
        i64,
        String,
        String,
    );
    let head: Head = conn
        .prepare_cached(
            "SELECT r.sale_id, s.receipt_no, r.shift_id, r.cashier_id, r.completed_at, r.total_minor, r.reason,
                    rc.receipt_no, rc.prev_hash, rc.hash
             FROM returns r JOIN sales s ON s.id = r.sale_id JOIN receipts rc ON rc.receipt_no = r.receipt_no
             WHERE r.id = ?1",
        )?
        .query_row([return_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?))
        })
        .optional()?
        .ok_or_else(|| TillError::Data(format!("return {return_id} not found")))?;
    let (sale_id, sale_no, shift_id, cashier, at, total, reason, no, prev, hash) = head;
    let mut lines = Vec::new();
    let mut st = conn.prepare_cached(
        "SELECT sale_line_no, product_id, sku, name, qty_milli, amount_minor, vat, vat_minor, mark
         FROM return_lines WHERE return_id = ?1 ORDER BY sale_line_no",
    )?;
    let mut rows = st.query([return_id])?;
    while let Some(r) = rows.next()? {
        lines.push(ReturnLineDoc {
            sale_line_no: r.get(0)?,
            product_id: r.get::<_, db::Id>(1)?.0,
            sku: r.get(2)?,
            name: r.get(3)?,
            qty: Quantity::from_milli(r.get(4)?),
            amount: m(r.get(5)?),
            vat_rate: VatRate::from_code(&r.get::<_, String>(6)?)?,
            vat: m(r.get(7)?),
            mark: r
                .get::<_, Option<String>>(8)?
                .map(|c| shared_model::marking::MarkingCode::parse(&c))
                .transpose()?,
        });
    }
    let refunds = sale::load_tenders(
        conn,
        "SELECT tender, amount_minor, approval_code, certificate FROM return_refunds WHERE return_id = ?1 ORDER BY pos",
        return_id,
        currency,
    )?;
    let doc = ReturnDoc {
        return_id: db::parse_uuid(return_id)?,
        sale_id: sale_id.0,
        sale_receipt_no: sale_no as u64,
        shift_id: shift_id.0,
        cashier_id: cashier.0,
        completed_at: db::parse_ts(&at)?,
        currency,
        lines,
        refunds,
        total: m(total),
        reason,
    };
    let fiscal = crate::fiscal::state_of(conn, doc.return_id)?;
    Ok(CompletedReturn {
        fiscal,
        doc,
        link: ReceiptLink {
            receipt_no: no as u64,
            prev_hash: prev,
            hash,
        },
    })
}

/// A sold line, what was returned of it before `(qty, amount, vat)`, and what is left.
type LineLeft<'a> = (&'a SaleLineDoc, (i64, i64, i64), Quantity);

/// Line `no` of the sale with what earlier returns took of it.
fn left_of<'a>(
    sale: &'a SaleDoc,
    before: &HashMap<u32, (i64, i64, i64)>,
    no: u32,
) -> Result<LineLeft<'a>> {
    let l = sale
        .lines
        .iter()
        .find(|l| l.line_no == no)
        .ok_or(TillError::NoSuchLine(no as usize))?;
    let b = before.get(&no).copied().unwrap_or_default();
    Ok((l, b, Quantity::from_milli(l.qty.milli() - b.0)))
}

/// What comes back, one entry a line: everything not yet returned (`None`), or the
/// lines and quantities asked, each within what is left of it (a line named twice
/// adds up). Certificates sold are not goods.
fn wanted_lines(
    sale: &SaleDoc,
    before: &HashMap<u32, (i64, i64, i64)>,
    lines: Option<&[(u32, &str)]>,
    receipt_no: u64,
) -> Result<Vec<(u32, Quantity)>> {
    let mut wanted: Vec<(u32, Quantity)> = Vec::new();
    match lines {
        None => {
            for l in sale.lines.iter().filter(|l| l.certificate.is_none()) {
                let (_, _, left) = left_of(sale, before, l.line_no)?;
                if left.is_positive() {
                    wanted.push((l.line_no, left));
                }
            }
            if wanted.is_empty() {
                return Err(TillError::NothingToReturn(receipt_no));
            }
        }
        Some(sel) => {
            for (no, qty) in sel {
                let (l, _, left) = left_of(sale, before, *no)?;
                if l.certificate.is_some() {
                    return Err(TillError::InvalidInput(
                            "a sold gift certificate is not returned as goods; head office can block it"
                                .into(),
                        ));
                }
                let qty = Quantity::parse_for_sale(qty, l.unit)?;
                let asked = wanted
                    .iter()
                    .filter(|w| w.0 == *no)
                    .map(|w| w.1.milli())
                    .sum::<i64>()
                    + qty.milli();
                if asked > left.milli() {
                    return Err(TillError::ReturnExceedsSold { line: *no, left });
                }
                wanted.push((*no, qty));
            }
            if wanted.is_empty() {
                return Err(TillError::NothingToReturn(receipt_no));
            }
        }
    }
    // Merge repeated line numbers, then price each by cumulative share.
    wanted.sort_by_key(|w| w.0);
    let mut merged: Vec<(u32, Quantity)> = Vec::new();
    for (no, q) in wanted {
        match merged.last_mut() {
            Some(last) if last.0 == no => last.1 = last.1.checked_add(q)?,
            _ => merged.push((no, q)),
        }
    }
    Ok(merged)
}

/// The return's rows in the till's own tables: the return, its lines and the stock
/// they bring back, and its refunds.
fn store_rows(tx: &Connection, doc: &ReturnDoc, no: u64, sale_id: &str) -> Result<()> {
    let id = doc.return_id.to_string();
    let at = db::ts(doc.completed_at);
    tx.execute(
            "INSERT INTO returns (id, receipt_no, sale_id, shift_id, cashier_id, completed_at, currency, total_minor, reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            (&id, no as i64, &sale_id, doc.shift_id.to_string(), doc.cashier_id.to_string(), &at, doc.currency.code(), doc.total.minor, &doc.reason),
        )?;
    for l in &doc.lines {
        let product_id = l.product_id.to_string();
        tx.execute(
                "INSERT INTO return_lines (return_id, sale_id, sale_line_no, product_id, sku, name, qty_milli, amount_minor, vat, vat_minor,
                                           mark, mark_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                rusqlite::params![&id, &sale_id, l.sale_line_no, &product_id, &l.sku, &l.name, l.qty.milli(), l.amount.minor, l.vat_rate.code(), l.vat.minor,
                    l.mark.as_ref().map(|m| m.to_gs1()), l.mark.as_ref().map(|m| m.identity())],
            )?;
        tx.execute(
                "INSERT INTO stock_movements (id, product_id, qty_milli, reason, return_id, at) VALUES (?1, ?2, ?3, 'return', ?4, ?5)",
                (Uuid::now_v7().to_string(), &product_id, l.qty.milli(), &id, &at),
            )?;
    }
    for (i, r) in doc.refunds.iter().enumerate() {
        tx.execute(
                "INSERT INTO return_refunds (return_id, pos, tender, amount_minor, approval_code, certificate)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                (&id, i as i64 + 1, r.tender.code(), r.amount.minor, &r.approval_code, &r.certificate),
            )?;
    }
    Ok(())
}

impl Till {
    /// Takes back what is left to return of each of `lines` of sale `receipt_no` (after
    /// earlier partial returns, only the rest).
    pub fn return_rest(
        &mut self,
        receipt_no: u64,
        lines: &[u32],
        refund_to: RefundTo,
        reason: Option<&str>,
    ) -> Result<CompletedReturn> {
        let sale = self.sale_by_receipt(receipt_no)?;
        let before = returned_so_far(&self.conn, &sale.doc.sale_id.to_string())?;
        let rest = lines
            .iter()
            .map(|no| {
                let sold = sale
                    .doc
                    .lines
                    .iter()
                    .find(|l| l.line_no == *no)
                    .ok_or(TillError::NoSuchLine(*no as usize))?;
                let left =
                    Quantity::from_milli(sold.qty.milli() - before.get(no).map_or(0, |b| b.0));
                if !left.is_positive() {
                    return Err(TillError::ReturnExceedsSold { line: *no, left });
                }
                Ok((*no, left.to_string()))
            })
            .collect::<Result<Vec<_>>>()?;
        let sel: Vec<(u32, &str)> = rest.iter().map(|(n, q)| (*n, q.as_str())).collect();
        self.return_goods(receipt_no, Some(&sel), refund_to, reason)
    }

    /// Takes back the marked unit a scanned code names, against sale `receipt_no`.
    pub fn return_unit(
        &mut self,
        receipt_no: u64,
        scan: &str,
        refund_to: RefundTo,
        reason: Option<&str>,
    ) -> Result<CompletedReturn> {
        let line = self.sale_line_of_mark(receipt_no, scan)?;
        self.return_goods(receipt_no, Some(&[(line, "1")]), refund_to, reason)
    }

    /// Takes goods back against sale receipt `receipt_no`. `lines` lists
    /// `(line number, quantity)`; `None` returns everything not yet returned.
    pub fn return_goods(
        &mut self,
        receipt_no: u64,
        lines: Option<&[(u32, &str)]>,
        refund_to: RefundTo,
        reason: Option<&str>,
    ) -> Result<CompletedReturn> {
        let grant = self.grant(Capability::Return)?;
        let shift = self.require_shift()?;
        let fiscal_ctx = self.begin_fiscal_document()?;
        let currency = self.currency;
        let sale = self.sale_by_receipt(receipt_no)?;
        let sale_id = sale.doc.sale_id.to_string();
        let before = returned_so_far(&self.conn, &sale_id)?;
        let left_of = |no: u32| left_of(&sale.doc, &before, no);
        let merged = wanted_lines(&sale.doc, &before, lines, receipt_no)?;
        let mut doc_lines = Vec::new();
        for (no, qty) in merged {
            let (l, b, _) = left_of(no)?;
            let done = Quantity::from_milli(b.0);
            doc_lines.push(ReturnLineDoc {
                sale_line_no: no,
                product_id: l.product_id,
                sku: l.sku.clone(),
                name: l.name.clone(),
                qty,
                amount: Money::new(return_share(l.total.minor, l.qty, done, qty), currency),
                vat_rate: l.vat_rate,
                vat: Money::new(return_share(l.vat.minor, l.qty, done, qty), currency),
                // A marked unit comes back with its own code (the sale line's).
                mark: l.mark.as_ref().map(|m| m.code.clone()),
            });
        }
        let total = Money::sum(currency, doc_lines.iter().map(|l| l.amount))?;
        let mut refundable = refundable_by_tender(&self.conn, &sale)?;
        if refund_to == RefundTo::Cash {
            // What a certificate paid always goes back onto it: never out as cash.
            refundable.retain(|(t, _, _)| *t == Tender::Certificate);
        }
        let refunds: Vec<PaymentDoc> = refund_to_original(total.minor, &refundable)
            .into_iter()
            .filter(|(_, _, a)| *a > 0)
            .map(|(tender, certificate, a)| PaymentDoc {
                tender,
                amount: Money::new(a, currency),
                approval_code: None,
                certificate,
            })
            .collect();
        let cash_out: i64 = refunds
            .iter()
            .filter(|r| r.tender == Tender::Cash)
            .map(|r| r.amount.minor)
            .sum();
        let in_drawer = shift::report(&self.conn, &shift, currency)?.expected_cash;
        if cash_out > in_drawer.minor {
            return Err(TillError::NotEnoughCash(in_drawer));
        }
        let doc = ReturnDoc {
            return_id: Uuid::now_v7(),
            sale_id: sale.doc.sale_id,
            sale_receipt_no: receipt_no,
            shift_id: shift.id,
            cashier_id: grant.session.cashier_id,
            completed_at: db::now(),
            currency,
            lines: doc_lines,
            refunds,
            total,
            reason: reason
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned),
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let link = ledger::issue(&tx, doc.return_id, ReceiptBody::Return(&doc))?;
        if let Some((operator, taxation)) = fiscal_ctx {
            let ctx = shared_model::fiscal::ReceiptContext {
                taxation,
                operator,
                client: None,
                locale: self.locale,
                correction: None,
                original: Some(&sale.doc),
            };
            let receipt = shared_model::fiscal::return_receipt(&doc, &ctx)?;
            crate::fiscal::queue(
                &tx,
                doc.return_id,
                shared_model::events::FiscalFor::Return,
                Some(&receipt),
            )?;
        }
        store_rows(&tx, &doc, link.receipt_no, &sale_id)?;
        let uses: Vec<(String, i64, bool)> = doc
            .refunds
            .iter()
            .filter_map(|r| Some((r.certificate.clone()?, -r.amount.minor, false)))
            .collect();
        crate::certificates::record(&tx, doc.return_id, &uses, &[])?;
        let event = ChainedReceipt {
            doc: doc.clone(),
            link: link.clone(),
        };
        outbox::append(
            &tx,
            self.terminal_id,
            doc.return_id,
            EventPayload::ReturnCompleted(event),
        )?;
        tx.commit()?;
        let fiscal = self.settle_after(doc.return_id)?;
        Ok(CompletedReturn { doc, link, fiscal })
    }
}
