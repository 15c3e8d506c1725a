//! Shift figures (X and Z reports) and the cash reconciliation rule.

pub mod counters;

use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::pricing::VatSummary;

/// The figures of a shift. The X report shows them mid-shift; the Z report closes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftReport {
    /// Shift number.
    pub shift_no: u64,
    /// Number of sales.
    pub sales_count: u64,
    /// Number of returns.
    pub returns_count: u64,
    /// Sales before discounts.
    pub gross_sales: Money,
    /// Discounts given.
    pub discounts: Money,
    /// Sales after discounts.
    pub sales: Money,
    /// Refunds on returns.
    pub returns: Money,
    /// `sales − returns`.
    pub net_sales: Money,
    /// Sales taken in cash, net of change.
    pub cash_sales: Money,
    /// Sales taken by card.
    pub card_sales: Money,
    /// Refunds paid in cash.
    pub cash_refunds: Money,
    /// Refunds paid to cards.
    pub card_refunds: Money,
    /// Sales paid with gift certificates (absent in reports from older tills).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_sales: Option<Money>,
    /// Refunds put back onto gift certificates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_refunds: Option<Money>,
    /// Opening float.
    pub float: Money,
    /// Cash put in during the shift.
    pub cash_in: Money,
    /// Cash taken out during the shift.
    pub cash_out: Money,
    /// What the drawer should hold: float + cash sales − cash refunds + in − out.
    pub expected_cash: Money,
    /// What was counted at close (Z only).
    pub counted_cash: Option<Money>,
    /// `counted − expected` (Z only): negative is a shortage.
    pub difference: Option<Money>,
    /// Net VAT per rate (sales minus returns).
    pub vat: Vec<VatSummary>,
    /// Sales voided during the shift.
    pub voids_count: u64,
    /// The fiscal register's counters beside these figures (fiscal tills only; for a Z,
    /// read just before the register's own Z).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub register: Option<counters::RegisterCheck>,
}

/// The cash that should be in the drawer.
pub fn expected_cash(
    float: Money,
    cash_sales: Money,
    cash_refunds: Money,
    cash_in: Money,
    cash_out: Money,
) -> Result<Money, crate::ModelError> {
    float
        .checked_add(cash_sales)?
        .checked_sub(cash_refunds)?
        .checked_add(cash_in)?
        .checked_sub(cash_out)
}
