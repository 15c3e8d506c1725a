//! The register's shift counters beside the till's own X/Z report: any difference by
//! payment type or VAT rate means a sale or refund the register did not sign (or signed
//! differently), which the shift's closing must show.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ShiftReport;
use crate::fiscal::{PaymentKind, ReceiptKind};
use crate::{Money, VatRate};

/// What the register counted in its shift.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterTotals {
    /// Shift number.
    pub shift_no: u32,
    /// Money by receipt kind and payment kind, kopecks (cash net of change).
    pub payments: BTreeMap<(ReceiptKind, PaymentKind), i64>,
    /// Position amounts by receipt kind and VAT rate, kopecks.
    pub taxes: BTreeMap<(ReceiptKind, VatRate), i64>,
    /// Receipts by kind.
    pub receipts: BTreeMap<ReceiptKind, u32>,
}

impl RegisterTotals {
    /// Sales less refunds of one payment kind.
    fn net_payment(&self, kind: PaymentKind) -> i64 {
        let of = |k| self.payments.get(&(k, kind)).copied().unwrap_or(0);
        of(ReceiptKind::Sell) + of(ReceiptKind::SellCorrection)
            - of(ReceiptKind::SellReturn)
            - of(ReceiptKind::SellReturnCorrection)
    }

    /// Sales less refunds at one VAT rate.
    fn net_tax(&self, rate: VatRate) -> i64 {
        let of = |k| self.taxes.get(&(k, rate)).copied().unwrap_or(0);
        of(ReceiptKind::Sell) + of(ReceiptKind::SellCorrection)
            - of(ReceiptKind::SellReturn)
            - of(ReceiptKind::SellReturnCorrection)
    }
}

/// One figure as the till and the register have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figure {
    /// What: `cash`, `electronically`, `prepaid`, or a VAT code (`vat22`…).
    pub what: String,
    /// The till's figure.
    pub till: Money,
    /// The register's.
    pub register: Money,
}

impl Figure {
    /// Whether the two agree.
    pub fn agrees(&self) -> bool {
        self.till == self.register
    }
}

/// The register's counters checked against a till report, as the X and Z screens show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterCheck {
    /// Every figure either side has, by payment type then VAT rate.
    pub figures: Vec<Figure>,
    /// Why the register's counters could not be read (then `figures` is empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl RegisterCheck {
    /// The figures of a report beside the register's counters.
    pub fn of(report: &ShiftReport, register: &RegisterTotals) -> Self {
        RegisterCheck {
            figures: side_by_side(report, register),
            error: None,
        }
    }

    /// The register could not be read.
    pub fn unreadable(error: String) -> Self {
        RegisterCheck {
            figures: Vec::new(),
            error: Some(error),
        }
    }

    /// The figure for `what` (`cash`, `electronically`, `prepaid`, `vat22`…), if either side has one.
    pub fn figure(&self, what: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.what == what)
    }

    /// Whether every figure agrees (and the register could be read).
    pub fn agrees(&self) -> bool {
        self.error.is_none() && self.figures.iter().all(Figure::agrees)
    }
}

/// The figures the till and the register disagree on.
pub fn compare(report: &ShiftReport, register: &RegisterTotals) -> Vec<Figure> {
    side_by_side(report, register)
        .into_iter()
        .filter(|f| !f.agrees())
        .collect()
}

/// Every figure either side has (non-zero on at least one), till beside register.
pub fn side_by_side(report: &ShiftReport, register: &RegisterTotals) -> Vec<Figure> {
    let currency = report.sales.currency;
    let m = |minor| Money::new(minor, currency);
    let opt = |o: Option<Money>| o.map_or(0, |x| x.minor);
    let till_payments = [
        (
            PaymentKind::Cash,
            report.cash_sales.minor - report.cash_refunds.minor,
        ),
        (
            PaymentKind::Electronically,
            report.card_sales.minor - report.card_refunds.minor,
        ),
        (
            PaymentKind::Prepaid,
            opt(report.certificate_sales) - opt(report.certificate_refunds),
        ),
    ];
    let mut out = Vec::new();
    for (kind, till) in till_payments {
        let reg = register.net_payment(kind);
        if reg != 0 || till != 0 {
            out.push(Figure {
                what: format!("{kind:?}").to_lowercase(),
                till: m(till),
                register: m(reg),
            });
        }
    }
    for rate in VatRate::ALL {
        let till = report
            .vat
            .iter()
            .filter(|v| v.rate == rate)
            .map(|v| v.base.minor)
            .sum::<i64>();
        let reg = register.net_tax(rate);
        if reg != 0 || till != 0 {
            out.push(Figure {
                what: rate.code().to_owned(),
                till: m(till),
                register: m(reg),
            });
        }
    }
    out
}
