//! Fiscal receipts (54-FZ): what the store's fiscal register is asked to sign for a sale
//! or a return, mapped from the till's own documents, and what it answers. Pure: the
//! till's register port (ATOL or none) turns these into its protocol and back.

pub mod health;
#[cfg(test)]
mod tests;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::events::{ReturnDoc, SaleDoc};
use crate::{Locale, ModelError, Money, Quantity, Tender, Unit, VatRate};

/// Longest item name a register takes (tag 1030: 128 characters).
pub const MAX_ITEM_NAME: usize = 128;

/// The store's taxation system (tag 1055), as head office sets it per store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Taxation {
    /// General system (ОСН).
    Osn,
    /// Simplified, on income (УСН доходы).
    UsnIncome,
    /// Simplified, on income less expenses (УСН доходы − расходы).
    UsnIncomeOutcome,
    /// Patent (ПСН).
    Patent,
    /// Unified agricultural tax (ЕСХН).
    Esn,
}

impl Taxation {
    /// Every system, in the order forms list them.
    pub const ALL: [Taxation; 5] = [
        Taxation::Osn,
        Taxation::UsnIncome,
        Taxation::UsnIncomeOutcome,
        Taxation::Patent,
        Taxation::Esn,
    ];

    /// Stable machine code (settings, head office).
    pub fn code(&self) -> &'static str {
        match self {
            Taxation::Osn => "osn",
            Taxation::UsnIncome => "usn_income",
            Taxation::UsnIncomeOutcome => "usn_income_outcome",
            Taxation::Patent => "patent",
            Taxation::Esn => "esn",
        }
    }

    /// Parses [`Taxation::code`].
    pub fn parse(s: &str) -> Result<Self, ModelError> {
        Self::ALL
            .into_iter()
            .find(|t| t.code() == s.trim())
            .ok_or_else(|| ModelError::UnknownTaxation(s.to_owned()))
    }
}

/// Which fiscal document a receipt is (tag 1054, and a correction's kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptKind {
    /// A sale ("приход").
    Sell,
    /// A refund of a sale ("возврат прихода").
    SellReturn,
    /// A sale the register missed, made good afterwards ("чек коррекции прихода").
    SellCorrection,
    /// A refund the register missed ("чек коррекции возврата прихода").
    SellReturnCorrection,
}

/// How a line is paid for (tag 1214).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// Goods handed over and paid in full.
    FullPayment,
    /// Money taken before the goods are chosen (a gift certificate sold).
    Advance,
}

/// What a line is (tag 1212).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// Goods.
    Commodity,
    /// A payment (an advance: a gift certificate sold).
    Payment,
}

/// How the customer paid, as the register counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    /// Notes and coins (the only kind whose sum may exceed the total: change).
    Cash,
    /// A bank card.
    Electronically,
    /// An advance taken earlier offset now (a gift certificate redeemed).
    Prepaid,
}

impl PaymentKind {
    /// Every kind, in the order reports list them.
    pub const ALL: [PaymentKind; 3] = [
        PaymentKind::Cash,
        PaymentKind::Electronically,
        PaymentKind::Prepaid,
    ];

    /// The register's kind for a till tender.
    pub fn of(tender: Tender) -> Self {
        match tender {
            Tender::Cash => PaymentKind::Cash,
            Tender::Card => PaymentKind::Electronically,
            Tender::Certificate => PaymentKind::Prepaid,
        }
    }
}

/// The cashier as the register prints them (tags 1021, 1203).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operator {
    /// Name.
    pub name: String,
    /// Tax id (ИНН), when head office has it.
    pub vatin: Option<String>,
}

/// One fiscal line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiscalLine {
    /// Name, at most [`MAX_ITEM_NAME`] characters.
    pub name: String,
    /// Price per unit, VAT included.
    pub price: Money,
    /// Quantity, in `unit`.
    pub qty: Quantity,
    /// Measure (tag 2108).
    pub unit: Unit,
    /// Amount after every discount: what the customer pays for the line.
    pub amount: Money,
    /// VAT rate it was sold at.
    pub vat: VatRate,
    /// Payment method.
    pub method: PaymentMethod,
    /// What it is.
    pub subject: Subject,
    /// A marked unit's code, its planned status and permit check (tags 2000, 2003, 1265).
    pub mark: Option<FiscalMark>,
}

/// What happens to a marked unit with this receipt (tag 2003).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkStatus {
    /// A piece sold.
    PieceSold,
    /// A piece returned.
    PieceReturned,
}

/// A marked line's code as the register receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiscalMark {
    /// The code, separators included.
    pub code: crate::marking::MarkingCode,
    /// Sold or returned.
    pub status: MarkStatus,
    /// The permit check (for a sale; a return carries none).
    pub check: Option<crate::marking::permit::MarkCheck>,
}

/// One payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiscalPayment {
    /// Kind.
    pub kind: PaymentKind,
    /// Sum (cash: as handed over, change included).
    pub sum: Money,
}

/// The document a correction makes good (tags 1173, 1178, 1179).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    /// When the missed operation happened.
    pub base_date: NaiveDate,
    /// What it is known by (the till's receipt number).
    pub base_number: String,
}

/// What the register is asked to sign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiscalReceipt {
    /// Sale, return or a correction of either.
    pub kind: ReceiptKind,
    /// The store's taxation system.
    pub taxation: Taxation,
    /// The cashier.
    pub operator: Operator,
    /// The lines.
    pub lines: Vec<FiscalLine>,
    /// The payments (or, for a return, how the money went back).
    pub payments: Vec<FiscalPayment>,
    /// The receipt's total: the sum of its line amounts.
    pub total: Money,
    /// The customer's e-mail or phone for an electronic receipt.
    pub client: Option<String>,
    /// The till's own lines, printed as non-fiscal text (promotions, a certificate's tail).
    pub notes: Vec<String>,
    /// For a correction: what it corrects.
    pub correction: Option<Correction>,
}

impl FiscalReceipt {
    /// The correction receipt for this one, which the register never signed (it was out
    /// of order): a sale's becomes a sale correction, a return's a return correction,
    /// made on the store's own initiative (54-FZ art. 4.3), naming what it corrects.
    pub fn corrected(mut self, base: Correction) -> FiscalReceipt {
        self.kind = match self.kind {
            ReceiptKind::Sell | ReceiptKind::SellCorrection => ReceiptKind::SellCorrection,
            ReceiptKind::SellReturn | ReceiptKind::SellReturnCorrection => {
                ReceiptKind::SellReturnCorrection
            }
        };
        self.correction = Some(base);
        self
    }
}

/// The register's answer to a receipt: what makes it a fiscal document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiscalDoc {
    /// Fiscal document number (tag 1040).
    pub number: u64,
    /// Fiscal sign (tag 1077).
    pub sign: String,
    /// Date and time the register gave it.
    pub at: DateTime<Utc>,
    /// Fiscal storage serial (tag 1041).
    pub fn_serial: String,
    /// Register's registration number (tag 1037).
    pub registration: String,
    /// Register shift number.
    pub shift_no: u32,
    /// Receipt number within that shift.
    pub receipt_no: u32,
}

/// What a receipt needs beyond the till's document.
#[derive(Debug, Clone)]
pub struct ReceiptContext<'a> {
    /// The store's taxation system.
    pub taxation: Taxation,
    /// The cashier.
    pub operator: Operator,
    /// E-mail or phone for an electronic receipt.
    pub client: Option<String>,
    /// Language of the non-fiscal notes.
    pub locale: Locale,
    /// A correction's base, for a receipt the register missed.
    pub correction: Option<Correction>,
    /// The original sale, for a return (its lines' prices and units).
    pub original: Option<&'a SaleDoc>,
}

/// A name as the register takes it: trimmed, at most [`MAX_ITEM_NAME`] characters.
fn item_name(name: &str) -> String {
    name.trim().chars().take(MAX_ITEM_NAME).collect()
}

/// A certificate code as printed: its last four symbols only (the code is bearer money).
pub fn certificate_tail(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    format!("****{tail}")
}

/// A line's payment method and subject: a gift certificate sold is an advance.
fn method_and_subject(certificate: bool) -> (PaymentMethod, Subject) {
    if certificate {
        (PaymentMethod::Advance, Subject::Payment)
    } else {
        (PaymentMethod::FullPayment, Subject::Commodity)
    }
}

/// Tenders summed by the register's payment kind, in the order first taken.
fn payments_of(tenders: &[crate::events::PaymentDoc]) -> Vec<FiscalPayment> {
    let mut payments: Vec<FiscalPayment> = Vec::new();
    for p in tenders {
        let kind = PaymentKind::of(p.tender);
        match payments.iter_mut().find(|x| x.kind == kind) {
            Some(x) => x.sum = Money::new(x.sum.minor + p.amount.minor, x.sum.currency),
            None => payments.push(FiscalPayment {
                kind,
                sum: p.amount,
            }),
        }
    }
    payments
}

/// The sale receipt (or, with a correction, its correction receipt) for a completed sale.
pub fn sale_receipt(doc: &SaleDoc, ctx: &ReceiptContext) -> FiscalReceipt {
    let lines = doc
        .lines
        .iter()
        .map(|l| {
            let (method, subject) = method_and_subject(l.certificate.is_some());
            FiscalLine {
                name: item_name(&l.name),
                price: l.unit_price,
                qty: l.qty,
                unit: l.unit,
                amount: l.total,
                vat: l.vat_rate,
                method,
                subject,
                mark: l.mark.as_ref().map(|m| FiscalMark {
                    code: m.code.clone(),
                    status: MarkStatus::PieceSold,
                    check: Some(m.check.clone()),
                }),
            }
        })
        .collect();
    let ru = ctx.locale == Locale::Ru;
    let mut notes: Vec<String> = doc
        .promotions
        .iter()
        .map(|p| format!("{}: −{}", p.name, p.amount.format(ctx.locale)))
        .collect();
    for p in doc.payments.iter().filter(|p| p.certificate.is_some()) {
        let tail = certificate_tail(p.certificate.as_deref().unwrap_or_default());
        notes.push(if ru {
            format!(
                "Оплата сертификатом {tail}: {}",
                p.amount.format(ctx.locale)
            )
        } else {
            format!(
                "Paid by certificate {tail}: {}",
                p.amount.format(ctx.locale)
            )
        });
    }
    let kind = match ctx.correction {
        Some(_) => ReceiptKind::SellCorrection,
        None => ReceiptKind::Sell,
    };
    ctx.receipt(kind, lines, payments_of(&doc.payments), doc.total, notes)
}

impl ReceiptContext<'_> {
    /// A receipt with this context's taxation, operator, client and correction.
    fn receipt(
        &self,
        kind: ReceiptKind,
        lines: Vec<FiscalLine>,
        payments: Vec<FiscalPayment>,
        total: Money,
        notes: Vec<String>,
    ) -> FiscalReceipt {
        FiscalReceipt {
            kind,
            taxation: self.taxation,
            operator: self.operator.clone(),
            lines,
            payments,
            total,
            client: self.client.clone(),
            notes,
            correction: self.correction.clone(),
        }
    }
}

/// The return receipt for a refund: the original's lines (name, price, unit, VAT), the
/// returned quantities and amounts, and how the money went back.
pub fn return_receipt(doc: &ReturnDoc, ctx: &ReceiptContext) -> Result<FiscalReceipt, ModelError> {
    let original = ctx.original.ok_or(ModelError::ReturnWithoutSale)?;
    let lines = doc
        .lines
        .iter()
        .map(|r| {
            let l = original
                .lines
                .iter()
                .find(|l| l.line_no == r.sale_line_no)
                .ok_or(ModelError::NoSuchLine(r.sale_line_no as usize))?;
            let (method, subject) = method_and_subject(l.certificate.is_some());
            Ok(FiscalLine {
                name: item_name(&l.name),
                price: l.unit_price,
                qty: r.qty,
                unit: l.unit,
                amount: r.amount,
                vat: r.vat_rate,
                method,
                subject,
                mark: r.mark.clone().map(|code| FiscalMark {
                    code,
                    status: MarkStatus::PieceReturned,
                    check: None,
                }),
            })
        })
        .collect::<Result<Vec<_>, ModelError>>()?;
    let kind = match ctx.correction {
        Some(_) => ReceiptKind::SellReturnCorrection,
        None => ReceiptKind::SellReturn,
    };
    let payments = payments_of(&doc.refunds);
    Ok(ctx.receipt(kind, lines, payments, doc.total, Vec::new()))
}
