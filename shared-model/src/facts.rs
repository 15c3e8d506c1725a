//! Money checks head office runs on every sale and return a till sends.
//!
//! A till is a device in a shop, not a trusted party: its outbox can be edited. Head
//! office stores every fact (a till's queue never jams) but gives a fact effect on
//! certificate balances, stock and reports only when these checks pass; otherwise the
//! fact is quarantined with the problems found here until a person resolves it.
//! Every sum of till input uses checked arithmetic: an overflow is a problem, not a panic.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::events::{ReturnDoc, SaleDoc};
use crate::pricing::line_amount;
use crate::quantity::MAX_LINE_QTY;
use crate::{Money, Quantity, Tender};

/// The largest unit price or single amount a till may report (10 million roubles).
pub const MAX_AMOUNT_MINOR: i64 = 1_000_000_000;

/// Something wrong with a fact's money or its place in the till's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// A sale or return with no lines.
    NoLines,
    /// A quantity at or below zero, or beyond any real line.
    QuantityOutOfBounds,
    /// A unit price or amount below zero or beyond any real one.
    AmountOutOfBounds,
    /// A line's gross, discount, total or VAT does not follow from its price and quantity.
    LineDoesNotAddUp,
    /// The document's totals are not the sums of its lines, or of its tenders less change.
    TotalsDoNotAddUp,
    /// A tender of zero or less.
    NonPositiveTender,
    /// A card or certificate paid more than was due (only cash gives change).
    NonCashOverpays,
    /// Change larger than the cash handed over.
    ChangeExceedsCash,
    /// A certificate tender or refund without a certificate code.
    CertificateCodeMissing,
    /// A certificate sold for other than its face value.
    CertificateNotAtFaceValue,
    /// Amounts in a currency other than the document's.
    CurrencyMismatch,
    /// A sum that leaves the range of the type.
    Overflow,
    /// The receipt's content does not match its own hash (edited after it was made).
    HashMismatch,
    /// The receipt does not link to the terminal's previous receipt.
    ChainBreak,
    /// A return of a sale head office does not hold with effect (unknown or quarantined).
    UnknownSale,
    /// A return of a line the sale does not have, or more than is left of it.
    ReturnExceedsSold,
    /// A refund onto a certificate beyond what that certificate paid on the sale.
    CertificateRefundExceedsPaid,
    /// A marked line of other than one piece, or one code on two lines.
    MarkedLineNotOneUnit,
    /// A returned marked unit whose code is not the one the sale line sold.
    MarkNotSold,
}

impl Problem {
    /// Stable machine code, as stored and shown.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::NoLines => "no_lines",
            Problem::QuantityOutOfBounds => "quantity_out_of_bounds",
            Problem::AmountOutOfBounds => "amount_out_of_bounds",
            Problem::LineDoesNotAddUp => "line_does_not_add_up",
            Problem::TotalsDoNotAddUp => "totals_do_not_add_up",
            Problem::NonPositiveTender => "non_positive_tender",
            Problem::NonCashOverpays => "non_cash_overpays",
            Problem::ChangeExceedsCash => "change_exceeds_cash",
            Problem::CertificateCodeMissing => "certificate_code_missing",
            Problem::CertificateNotAtFaceValue => "certificate_not_at_face_value",
            Problem::CurrencyMismatch => "currency_mismatch",
            Problem::Overflow => "overflow",
            Problem::HashMismatch => "hash_mismatch",
            Problem::ChainBreak => "chain_break",
            Problem::UnknownSale => "unknown_sale",
            Problem::ReturnExceedsSold => "return_exceeds_sold",
            Problem::CertificateRefundExceedsPaid => "certificate_refund_exceeds_paid",
            Problem::MarkedLineNotOneUnit => "marked_line_not_one_unit",
            Problem::MarkNotSold => "mark_not_sold",
        }
    }

    /// Whether head office may still accept a fact with this problem. Impossible
    /// figures cannot be given effect (they would corrupt balances); a broken chain
    /// (e.g. a till restored from an old backup) or an unknown sale can, by a person.
    pub fn acceptable(&self) -> bool {
        matches!(
            self,
            Problem::HashMismatch
                | Problem::ChainBreak
                | Problem::UnknownSale
                | Problem::CertificateNotAtFaceValue
        )
    }
}

/// Adds problems without repeats, in a stable order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Problems(std::collections::BTreeSet<Problem>);

impl Problems {
    /// Records a problem.
    pub fn add(&mut self, p: Problem) {
        self.0.insert(p);
    }

    /// Records `p` when `bad` holds.
    pub fn flag(&mut self, bad: bool, p: Problem) {
        if bad {
            self.add(p);
        }
    }

    /// True when nothing was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The problems found.
    pub fn iter(&self) -> impl Iterator<Item = Problem> + '_ {
        self.0.iter().copied()
    }

    /// Their codes, for storage.
    pub fn codes(&self) -> Vec<String> {
        self.iter().map(|p| p.code().to_owned()).collect()
    }

    /// Whether a person may accept the fact as it is.
    pub fn acceptable(&self) -> bool {
        self.iter().all(|p| p.acceptable())
    }
}

fn in_bounds(m: Money) -> bool {
    (0..=MAX_AMOUNT_MINOR).contains(&m.minor)
}

fn qty_in_bounds(q: Quantity) -> bool {
    q.is_positive() && q <= MAX_LINE_QTY
}

/// Sums amounts, recording overflow or a foreign currency as a problem.
fn sum(found: &mut Problems, currency: crate::Currency, items: impl Iterator<Item = Money>) -> i64 {
    let items: Vec<Money> = items.collect();
    if items.iter().any(|m| m.currency != currency) {
        found.add(Problem::CurrencyMismatch);
        return 0;
    }
    match Money::sum(currency, items) {
        Ok(m) => m.minor,
        Err(_) => {
            found.add(Problem::Overflow);
            0
        }
    }
}

/// Checks a completed sale's figures. `face_value` tells a certificate's face value by
/// its code (None when head office does not know the code: that is reported apart).
pub fn check_sale(s: &SaleDoc, face_value: impl Fn(&str) -> Option<Money>) -> Problems {
    let mut found = Problems::default();
    let cur = s.currency;
    found.flag(s.lines.is_empty(), Problem::NoLines);
    for l in &s.lines {
        found.flag(!qty_in_bounds(l.qty), Problem::QuantityOutOfBounds);
        let amounts = [l.unit_price, l.gross, l.discount, l.total, l.vat];
        found.flag(
            !amounts.iter().all(|m| in_bounds(*m)),
            Problem::AmountOutOfBounds,
        );
        let gross_ok = line_amount(l.unit_price, l.qty).is_ok_and(|g| g.minor == l.gross.minor);
        let rest_ok = l.gross.minor.checked_sub(l.discount.minor) == Some(l.total.minor)
            && l.vat.minor <= l.total.minor;
        found.flag(!(gross_ok && rest_ok), Problem::LineDoesNotAddUp);
        if let Some(code) = &l.certificate {
            if let Some(face) = face_value(code) {
                found.flag(
                    face.minor != l.total.minor,
                    Problem::CertificateNotAtFaceValue,
                );
            }
        }
    }
    let marks: Vec<String> = s
        .lines
        .iter()
        .filter_map(|l| l.mark.as_ref().map(|m| m.code.identity()))
        .collect();
    let distinct: std::collections::BTreeSet<&String> = marks.iter().collect();
    found.flag(
        distinct.len() != marks.len()
            || s.lines.iter().any(|l| {
                l.mark.is_some() && (l.qty != Quantity::ONE || l.unit != crate::Unit::Piece)
            }),
        Problem::MarkedLineNotOneUnit,
    );
    let gross = sum(&mut found, cur, s.lines.iter().map(|l| l.gross));
    let discount = sum(&mut found, cur, s.lines.iter().map(|l| l.discount));
    let total = sum(&mut found, cur, s.lines.iter().map(|l| l.total));
    let paid = sum(&mut found, cur, s.payments.iter().map(|p| p.amount));
    let cash = sum(
        &mut found,
        cur,
        s.payments
            .iter()
            .filter(|p| p.tender == Tender::Cash)
            .map(|p| p.amount),
    );
    found.flag(
        !in_bounds(s.change)
            || [s.gross, s.discount, s.total]
                .iter()
                .any(|m| m.currency != cur),
        Problem::AmountOutOfBounds,
    );
    found.flag(
        s.payments.iter().any(|p| p.amount.minor <= 0),
        Problem::NonPositiveTender,
    );
    found.flag(
        s.payments
            .iter()
            .any(|p| p.tender == Tender::Certificate && p.certificate.is_none()),
        Problem::CertificateCodeMissing,
    );
    let adds_up = s.gross.minor == gross
        && s.discount.minor == discount
        && s.total.minor == total
        && paid.checked_sub(s.change.minor) == Some(total);
    found.flag(!adds_up, Problem::TotalsDoNotAddUp);
    found.flag(s.change.minor > cash, Problem::ChangeExceedsCash);
    found.flag(paid - cash > total, Problem::NonCashOverpays);
    found
}

/// What head office holds of a sold sale, for checking a return against it.
#[derive(Debug, Clone, Default)]
pub struct SoldSale {
    /// Per line number: quantity sold and amount paid.
    pub lines: BTreeMap<u32, (Quantity, Money)>,
    /// Per certificate code: what that certificate paid on the sale.
    pub certificates: BTreeMap<String, Money>,
    /// Per line number: the marked unit's code identity (marked lines only).
    pub marks: BTreeMap<u32, String>,
}

/// Checks a return's figures against its sale (`None`: head office holds no such sale
/// with effect) and the returns of that sale already given effect.
pub fn check_return(r: &ReturnDoc, sale: Option<&SoldSale>, earlier: &[ReturnDoc]) -> Problems {
    let mut found = Problems::default();
    let cur = r.currency;
    found.flag(r.lines.is_empty(), Problem::NoLines);
    for l in &r.lines {
        found.flag(!qty_in_bounds(l.qty), Problem::QuantityOutOfBounds);
        found.flag(!in_bounds(l.amount), Problem::AmountOutOfBounds);
    }
    found.flag(
        r.refunds.iter().any(|p| p.amount.minor <= 0),
        Problem::NonPositiveTender,
    );
    found.flag(
        r.refunds
            .iter()
            .any(|p| p.tender == Tender::Certificate && p.certificate.is_none()),
        Problem::CertificateCodeMissing,
    );
    let lines = sum(&mut found, cur, r.lines.iter().map(|l| l.amount));
    let refunds = sum(&mut found, cur, r.refunds.iter().map(|p| p.amount));
    found.flag(
        r.total.minor != lines || r.total.minor != refunds,
        Problem::TotalsDoNotAddUp,
    );
    let Some(sale) = sale else {
        found.add(Problem::UnknownSale);
        return found;
    };
    // A marked line comes back with its own code, and an unmarked one with none.
    found.flag(
        r.lines.iter().any(|l| {
            sale.marks.get(&l.sale_line_no) != l.mark.as_ref().map(|m| m.identity()).as_ref()
        }),
        Problem::MarkNotSold,
    );
    let all: Vec<&ReturnDoc> = earlier.iter().chain(std::iter::once(r)).collect();
    let mut returned: BTreeMap<u32, (i64, i64)> = BTreeMap::new();
    for l in all.iter().flat_map(|d| &d.lines) {
        let e = returned.entry(l.sale_line_no).or_default();
        e.0 = e.0.saturating_add(l.qty.milli());
        e.1 = e.1.saturating_add(l.amount.minor);
    }
    for (no, (qty, amount)) in &returned {
        let over = match sale.lines.get(no) {
            Some((sold, paid)) => *qty > sold.milli() || *amount > paid.minor,
            None => true,
        };
        found.flag(over, Problem::ReturnExceedsSold);
    }
    let mut refunded: BTreeMap<&str, i64> = BTreeMap::new();
    for p in all.iter().flat_map(|d| &d.refunds) {
        if let Some(code) = p.certificate.as_deref() {
            let e = refunded.entry(code).or_default();
            *e = e.saturating_add(p.amount.minor);
        }
    }
    for (code, amount) in refunded {
        let paid = sale.certificates.get(code).map_or(0, |m| m.minor);
        found.flag(amount > paid, Problem::CertificateRefundExceedsPaid);
    }
    found
}

#[cfg(test)]
mod tests;
