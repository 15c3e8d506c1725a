//! Completing and voiding sales. Completion is one transaction: sale, lines,
//! payments, stock movements, receipt number, chain link and outbox event.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use shared_model::chain::{ReceiptBody, ReceiptLink};
use shared_model::events::{
    ChainedReceipt, EventPayload, FiscalFor, PaymentDoc, SaleDoc, SaleLineDoc, SalePromotion,
    VoidDoc,
};
use shared_model::fiscal::{sale_receipt, ReceiptContext};
use shared_model::pricing::VatSummary;
use shared_model::tender::change_due;
use shared_model::{Capability, Currency, Money, Quantity, Tender, Unit, VatRate};
use uuid::Uuid;

use crate::{cart, certificates, db, error::Result, ledger, outbox, promos, Till, TillError};

/// A completed sale with its receipt link.
#[derive(Debug, Clone, Serialize)]
pub struct CompletedSale {
    /// The sale.
    pub doc: SaleDoc,
    /// Receipt number and hash chain link.
    pub link: ReceiptLink,
    /// Its fiscal receipt: signed, awaited, or none (a non-fiscal till).
    pub fiscal: crate::fiscal::FiscalState,
}

/// VAT per rate from lines, in [`VatRate::ALL`] order, only rates present.
pub(crate) fn vat_summary<I: Iterator<Item = (VatRate, i64, i64)> + Clone>(
    lines: I,
    currency: Currency,
) -> Vec<VatSummary> {
    VatRate::ALL
        .into_iter()
        .filter(|r| lines.clone().any(|(lr, _, _)| lr == *r))
        .map(|r| {
            let of = lines.clone().filter(|(lr, _, _)| *lr == r);
            VatSummary {
                rate: r,
                base: Money::new(of.clone().map(|l| l.1).sum(), currency),
                vat: Money::new(of.map(|l| l.2).sum(), currency),
            }
        })
        .collect()
}

/// Loads tenders (payments or refunds) with `sql`, which selects tender, amount,
/// approval code and certificate for one document id.
pub(crate) fn load_tenders(
    conn: &Connection,
    sql: &str,
    id: &str,
    currency: Currency,
) -> Result<Vec<PaymentDoc>> {
    let mut out = Vec::new();
    let mut st = conn.prepare_cached(sql)?;
    let mut rows = st.query([id])?;
    while let Some(r) = rows.next()? {
        out.push(PaymentDoc {
            tender: Tender::parse(&r.get::<_, String>(0)?)?,
            amount: Money::new(r.get(1)?, currency),
            approval_code: r.get(2)?,
            certificate: r.get(3)?,
        });
    }
    Ok(out)
}

/// Rebuilds a sale document from its stored rows (used by reprint, returns and verify,
/// so tampering with any row shows up as a hash mismatch).
pub(crate) fn load_sale(
    conn: &Connection,
    sale_id: &str,
    currency: Currency,
) -> Result<CompletedSale> {
    let m = |v: i64| Money::new(v, currency);
    let head = conn
        .prepare_cached(
            "SELECT s.shift_id, s.cashier_id, s.completed_at, s.gross_minor, s.discount_minor, s.total_minor,
                    s.change_minor, r.receipt_no, r.prev_hash, r.hash, s.catalog_version, s.customer_id
             FROM sales s JOIN receipts r ON r.receipt_no = s.receipt_no WHERE s.id = ?1",
        )?
        .query_row([sale_id], |r| {
            Ok((
                r.get::<_, db::Id>(0)?,
                r.get::<_, db::Id>(1)?,
                r.get::<_, String>(2)?,
                [r.get::<_, i64>(3)?, r.get(4)?, r.get(5)?, r.get(6)?],
                (r.get::<_, i64>(7)?, r.get::<_, String>(8)?, r.get::<_, String>(9)?),
                r.get::<_, Option<String>>(10)?,
                r.get::<_, Option<db::Id>>(11)?,
            ))
        })
        .optional()?
        .ok_or_else(|| TillError::Data(format!("sale {sale_id} not found")))?;
    let (
        shift,
        cashier,
        at,
        [gross, discount, total, change],
        (no, prev, hash),
        catalog_version,
        customer_id,
    ) = head;
    let mut lines = Vec::new();
    let mut st = conn.prepare_cached(
        "SELECT line_no, product_id, sku, name, unit, qty_milli, unit_price_minor, vat, gross_minor,
                discount_minor, total_minor, vat_minor, certificate, mark
         FROM sale_lines WHERE sale_id = ?1 ORDER BY line_no",
    )?;
    let mut rows = st.query([sale_id])?;
    while let Some(r) = rows.next()? {
        lines.push(SaleLineDoc {
            line_no: r.get(0)?,
            product_id: r.get::<_, db::Id>(1)?.0,
            sku: r.get(2)?,
            name: r.get(3)?,
            unit: Unit::parse(&r.get::<_, String>(4)?)?,
            qty: Quantity::from_milli(r.get(5)?),
            unit_price: m(r.get(6)?),
            vat_rate: VatRate::from_code(&r.get::<_, String>(7)?)?,
            gross: m(r.get(8)?),
            discount: m(r.get(9)?),
            total: m(r.get(10)?),
            vat: m(r.get(11)?),
            certificate: r.get(12)?,
            mark: r
                .get::<_, Option<String>>(13)?
                .map(|s| serde_json::from_str(&s))
                .transpose()?,
        });
    }
    let mut promotions = Vec::new();
    let mut st = conn.prepare_cached(
        "SELECT promotion_id, version, name, amount_minor FROM sale_promotions WHERE sale_id = ?1 ORDER BY pos",
    )?;
    let mut rows = st.query([sale_id])?;
    while let Some(r) = rows.next()? {
        promotions.push(SalePromotion {
            promotion_id: r.get::<_, db::Id>(0)?.0,
            version: r.get(1)?,
            name: r.get(2)?,
            amount: m(r.get(3)?),
        });
    }
    let payments = load_tenders(
        conn,
        "SELECT tender, amount_minor, approval_code, certificate FROM sale_payments WHERE sale_id = ?1 ORDER BY pos",
        sale_id,
        currency,
    )?;
    let vat = vat_summary(
        lines
            .iter()
            .map(|l| (l.vat_rate, l.total.minor, l.vat.minor)),
        currency,
    );
    let sale_uuid = db::parse_uuid(sale_id)?;
    let doc = SaleDoc {
        sale_id: sale_uuid,
        shift_id: shift.0,
        cashier_id: cashier.0,
        completed_at: db::parse_ts(&at)?,
        currency,
        lines,
        payments,
        gross: m(gross),
        discount: m(discount),
        total: m(total),
        change: m(change),
        vat,
        catalog_version,
        promotions,
        customer_id: customer_id.map(|c| c.0),
    };
    let fiscal = crate::fiscal::state_of(conn, sale_uuid)?;
    Ok(CompletedSale {
        fiscal,
        doc,
        link: ReceiptLink {
            receipt_no: no as u64,
            prev_hash: prev,
            hash,
        },
    })
}

/// The sale's document, as the receipt, the fiscal register and head office see it:
/// each cart line with its priced amounts, the tenders and the promotions given.
fn sale_doc(
    cart: &cart::Cart,
    shift_id: Uuid,
    cashier_id: Uuid,
    change: Money,
    catalog_version: Option<String>,
) -> SaleDoc {
    let currency = cart.priced.total.currency;
    let lines: Vec<SaleLineDoc> = cart
        .lines
        .iter()
        .zip(&cart.priced.lines)
        .map(|(l, p)| SaleLineDoc {
            line_no: l.line_no as u32,
            product_id: l.product_id,
            sku: l.sku.clone(),
            name: l.name.clone(),
            unit: l.unit,
            qty: l.qty,
            unit_price: l.unit_price,
            vat_rate: l.vat,
            gross: p.gross,
            discount: p.discount(),
            total: p.total,
            vat: p.vat,
            certificate: l.certificate.clone(),
            mark: l.mark.clone(),
        })
        .collect();
    SaleDoc {
        sale_id: cart.id,
        shift_id,
        cashier_id,
        completed_at: db::now(),
        currency,
        payments: cart
            .payments
            .iter()
            .map(|p| PaymentDoc {
                tender: p.tender,
                amount: p.amount,
                approval_code: p.approval_code.clone(),
                certificate: p.certificate.clone(),
            })
            .collect(),
        gross: cart.priced.gross,
        discount: cart.priced.discount,
        total: cart.priced.total,
        change,
        vat: cart.priced.vat.clone(),
        catalog_version,
        lines,
        promotions: cart
            .priced
            .promotions
            .iter()
            .map(|(a, amount)| SalePromotion {
                promotion_id: a.promotion_id,
                version: a.version,
                name: a.name.clone(),
                amount: *amount,
            })
            .collect(),
        customer_id: cart.customer.as_ref().map(|c| c.customer_id),
    }
}

/// The sale's rows in the till's own tables: the sale, its lines and the stock they
/// take (certificates are not stock), its payments and its promotions.
fn store_rows(tx: &Connection, doc: &SaleDoc, receipt_no: u64, shift_id: Uuid) -> Result<()> {
    let sale_id = doc.sale_id.to_string();
    let at = db::ts(doc.completed_at);
    tx.execute(
            "INSERT INTO sales (id, receipt_no, shift_id, cashier_id, completed_at, currency, gross_minor,
                                discount_minor, total_minor, change_minor, line_count, catalog_version, customer_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            (
                &sale_id,
                receipt_no as i64,
                shift_id.to_string(),
                doc.cashier_id.to_string(),
                &at,
                doc.currency.code(),
                doc.gross.minor,
                doc.discount.minor,
                doc.total.minor,
                doc.change.minor,
                doc.lines.len() as i64,
                &doc.catalog_version,
                doc.customer_id.map(|c| c.to_string()),
            ),
        )?;
    {
        let mut ins_line = tx.prepare_cached(
                "INSERT INTO sale_lines (sale_id, line_no, product_id, sku, name, unit, qty_milli, unit_price_minor,
                                         vat, gross_minor, discount_minor, total_minor, vat_minor, certificate, mark, mark_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            )?;
        let mut ins_move = tx.prepare_cached(
            "INSERT INTO stock_movements (id, product_id, qty_milli, reason, sale_id, at)
                 VALUES (?1, ?2, ?3, 'sale', ?4, ?5)",
        )?;
        for l in &doc.lines {
            let product_id = l.product_id.to_string();
            ins_line.execute(rusqlite::params![
                &sale_id,
                l.line_no,
                &product_id,
                &l.sku,
                &l.name,
                l.unit.code(),
                l.qty.milli(),
                l.unit_price.minor,
                l.vat_rate.code(),
                l.gross.minor,
                l.discount.minor,
                l.total.minor,
                l.vat.minor,
                &l.certificate,
                l.mark.as_ref().map(serde_json::to_string).transpose()?,
                l.mark.as_ref().map(|m| m.code.identity()),
            ])?;
            if l.certificate.is_some() {
                continue; // a certificate is not stock
            }
            ins_move.execute((
                Uuid::now_v7().to_string(),
                &product_id,
                -l.qty.milli(),
                &sale_id,
                &at,
            ))?;
        }
        let mut ins_pay = tx.prepare_cached(
                "INSERT INTO sale_payments (sale_id, pos, tender, amount_minor, approval_code, certificate)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
        for (i, p) in doc.payments.iter().enumerate() {
            ins_pay.execute((
                &sale_id,
                i as i64 + 1,
                p.tender.code(),
                p.amount.minor,
                &p.approval_code,
                &p.certificate,
            ))?;
        }
        let mut ins_promo = tx.prepare_cached(
            "INSERT INTO sale_promotions (sale_id, pos, promotion_id, version, name, amount_minor)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for (i, p) in doc.promotions.iter().enumerate() {
            ins_promo.execute((
                &sale_id,
                i as i64 + 1,
                p.promotion_id.to_string(),
                p.version,
                &p.name,
                p.amount.minor,
            ))?;
        }
    }
    Ok(())
}

impl Till {
    /// Completes the sale in progress: checks it is paid, then records everything in
    /// one transaction. Returns the receipt.
    pub fn complete_sale(&mut self) -> Result<CompletedSale> {
        let grant = self.grant(Capability::Sell)?;
        let shift = self.require_shift()?;
        let fiscal_ctx = self.begin_fiscal_document()?;
        let currency = self.currency;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let cart = cart::load_open(&tx, currency, &self.promos)?
            .filter(|c| !c.lines.is_empty())
            .ok_or(TillError::EmptyCart)?;
        let cash_paid = Money::sum(
            currency,
            cart.payments
                .iter()
                .filter(|p| p.tender == Tender::Cash)
                .map(|p| p.amount),
        )?;
        let change = change_due(cart.priced.total, cart.paid, cash_paid)?;
        let doc = sale_doc(
            &cart,
            shift.id,
            grant.session.cashier_id,
            change,
            db::setting(&tx, "pull_cursor")?,
        );
        // A parked sale may have held the same unit: the first to complete sells it.
        for l in doc
            .lines
            .iter()
            .filter_map(|l| l.mark.as_ref().map(|m| (l, m)))
        {
            if crate::marking::sold_here(&tx, &l.1.code)? {
                return Err(TillError::MarkSoldHere(l.0.name.clone()));
            }
        }
        let link = ledger::issue(&tx, doc.sale_id, ReceiptBody::Sale(&doc))?;
        if let Some((operator, taxation)) = fiscal_ctx {
            let ctx = ReceiptContext {
                taxation,
                operator,
                client: cart.receipt_to.clone(),
                locale: self.locale,
                correction: None,
                original: None,
            };
            let receipt = sale_receipt(&doc, &ctx);
            crate::fiscal::queue(&tx, doc.sale_id, FiscalFor::Sale, Some(&receipt))?;
        }
        store_rows(&tx, &doc, link.receipt_no, shift.id)?;
        let event = ChainedReceipt {
            doc: doc.clone(),
            link: link.clone(),
        };
        outbox::append(
            &tx,
            self.terminal_id,
            doc.sale_id,
            EventPayload::SaleCompleted(event),
        )?;
        let uses: Vec<(String, i64, bool)> = cart
            .payments
            .iter()
            .filter_map(|p| Some((p.certificate.clone()?, p.amount.minor, p.online)))
            .collect();
        let sold: Vec<(String, i64)> = doc
            .lines
            .iter()
            .filter_map(|l| Some((l.certificate.clone()?, l.total.minor)))
            .collect();
        certificates::record(&tx, doc.sale_id, &uses, &sold)?;
        let promo_ids: Vec<Uuid> = doc.promotions.iter().map(|p| p.promotion_id).collect();
        promos::count_uses(&tx, &promo_ids)?;
        tx.execute("DELETE FROM carts WHERE id = ?1", [doc.sale_id.to_string()])?;
        tx.commit()?;
        let fiscal = self.settle_after(doc.sale_id)?;
        Ok(CompletedSale { doc, link, fiscal })
    }

    /// Abandons the sale in progress, recording who, when, why and what was in it.
    pub fn void_sale(&mut self, reason: &str) -> Result<VoidDoc> {
        let grant = self.grant(Capability::Sell)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(TillError::ReasonRequired);
        }
        let shift = self.current_shift()?;
        let tx = self.conn.transaction()?;
        let cart = cart::load_open(&tx, self.currency, &self.promos)?
            .filter(|c| !c.lines.is_empty())
            .ok_or(TillError::EmptyCart)?;
        if !cart.payments.is_empty() {
            return Err(TillError::CartHasPayments);
        }
        let doc = VoidDoc {
            cart_id: cart.id,
            shift_id: shift.map(|s| s.id),
            cashier_id: grant.session.cashier_id,
            voided_at: db::now(),
            reason: reason.to_owned(),
            lines: cart.lines.iter().map(|l| (l.sku.clone(), l.qty)).collect(),
            total: cart.priced.total,
        };
        tx.execute(
            "INSERT INTO voids (id, shift_id, cashier_id, voided_at, reason, total_minor) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            (
                cart.id.to_string(),
                doc.shift_id.map(|s| s.to_string()),
                doc.cashier_id.to_string(),
                db::ts(doc.voided_at),
                &doc.reason,
                doc.total.minor,
            ),
        )?;
        outbox::append(
            &tx,
            self.terminal_id,
            cart.id,
            EventPayload::SaleVoided(doc.clone()),
        )?;
        tx.execute("DELETE FROM carts WHERE id = ?1", [cart.id.to_string()])?;
        tx.commit()?;
        Ok(doc)
    }

    /// A completed sale by its receipt number.
    pub fn sale_by_receipt(&self, receipt_no: u64) -> Result<CompletedSale> {
        let id: Option<String> = self
            .conn
            .query_row(
                "SELECT id FROM sales WHERE receipt_no = ?1",
                [receipt_no as i64],
                |r| r.get(0),
            )
            .optional()?;
        let id = id.ok_or(TillError::NoSuchReceipt(receipt_no))?;
        load_sale(&self.conn, &id, self.currency)
    }
}
