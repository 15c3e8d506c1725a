//! Domain types and pure business rules of Al Aroma POS, shared by the till, the
//! server and the web admin (this crate also compiles to `wasm32-unknown-unknown`).
//!
//! Nothing here does I/O: callers pass in what a rule needs and persist what it returns.

pub mod api;
pub mod barcode;
pub mod catalog_file;
pub mod certificates;
pub mod chain;
pub mod customer;
pub mod display;
pub mod events;
pub mod facts;
pub mod fiscal;
pub mod keyboard;
pub mod locale;
pub mod marking;
pub mod money;
pub mod pricing;
pub mod promotions;
pub mod quantity;
pub mod role;
pub mod rounding;
pub mod sale_pricing;
pub mod shift;
pub mod sync;
pub mod tender;
pub mod vat;

pub use barcode::Barcode;
pub use locale::Locale;
pub use money::{Currency, Money};
pub use pricing::{Discount, Percent};
pub use quantity::{Quantity, Unit};
pub use role::{Capability, Role};
pub use tender::Tender;
pub use vat::VatRate;

/// Everything a domain rule can refuse, in words a cashier or support person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// Arithmetic left the range of the type.
    #[error("amount out of range")]
    Overflow,
    /// Two currencies met in one sum.
    #[error("cannot combine {0} and {1}")]
    CurrencyMismatch(String, String),
    /// A currency code we do not know.
    #[error("unknown currency {0:?}")]
    UnknownCurrency(String),
    /// Not a decimal amount.
    #[error("{0:?} is not an amount")]
    InvalidAmount(String),
    /// More fractional digits than allowed.
    #[error("{0:?} has more than {1} decimals")]
    TooManyDecimals(String, u32),
    /// Not a quantity.
    #[error("{0:?} is not a quantity")]
    InvalidQuantity(String),
    /// A sale quantity must be above zero.
    #[error("quantity must be above zero (got {0})")]
    NonPositiveQuantity(String),
    /// A quantity beyond any real sale.
    #[error("quantity {0} is too large for one line")]
    QuantityTooLarge(String),
    /// A piece product sold in fractions.
    #[error("this product is sold by the piece; {0} is not a whole number")]
    FractionalPieces(String),
    /// An amount must be above zero.
    #[error("amount must be above zero")]
    NonPositiveAmount,
    /// A unit we do not know.
    #[error("unknown unit {0:?} (use pcs, ml or g)")]
    UnknownUnit(String),
    /// A VAT rate we do not know.
    #[error("unknown VAT rate {0:?} (use 22, 10, 7, 5, 0 or none)")]
    UnknownVatRate(String),
    /// A VAT rate no longer in force, given to goods.
    #[error("VAT {0:?} is no longer in force (20 % became 22 % on 2026-01-01)")]
    RetiredVatRate(String),
    /// A taxation system we do not know.
    #[error(
        "unknown taxation system {0:?} (use osn, usn_income, usn_income_outcome, patent or esn)"
    )]
    UnknownTaxation(String),
    /// A return receipt asked for without the sale it returns.
    #[error("a return receipt needs the sale it returns")]
    ReturnWithoutSale,
    /// A PIN of the wrong shape for the role.
    #[error("a PIN for this role is {min} to 8 digits")]
    InvalidPin { min: usize },
    /// A role we do not know.
    #[error("unknown role {0:?}")]
    UnknownRole(String),
    /// A tender we do not know.
    #[error("unknown payment method {0:?} (use cash, card or certificate)")]
    UnknownTender(String),
    /// Not a percentage between 0 and 100.
    #[error("{0:?} is not a percentage between 0 and 100")]
    InvalidPercent(String),
    /// Not a barcode of a known shape.
    #[error("{0:?} is not an EAN-13, EAN-8 or UPC-A barcode")]
    InvalidBarcode(String),
    /// The check digit is wrong: a misread or a typo.
    #[error("barcode {code} has a wrong check digit (expected {expected})")]
    BadCheckDigit { code: String, expected: u8 },
    /// A discount refers to a line that does not exist.
    #[error("no line {0}")]
    NoSuchLine(usize),
    /// A manual discount over what the cashier's role allows.
    #[error("discount exceeds your limit of {limit}{}", line.map(|l| format!(" on line {}", l + 1)).unwrap_or_default())]
    DiscountOverLimit { line: Option<usize>, limit: Percent },
    /// The sale is already fully paid.
    #[error("the sale is already paid in full")]
    AlreadyPaid,
    /// A non-cash tender over the amount due.
    #[error(
        "a non-cash payment cannot exceed the amount due ({remaining}); only cash gives change"
    )]
    NonCashOverpay { remaining: Money },
    /// Not a phone number.
    #[error("{0:?} is not a phone number")]
    InvalidPhone(String),
    /// Not a marking code, and why.
    #[error("{code:?} is not a marking code: {problem}")]
    InvalidMarkingCode {
        /// What was scanned (its start).
        code: String,
        /// Why not.
        problem: marking::MarkingProblem,
    },
    /// Not a person's tax id.
    #[error("{0:?} is not a person's tax id (ИНН: 12 digits with valid check digits)")]
    InvalidVatin(String),
    /// Neither an e-mail address nor a phone number.
    #[error("{0:?} is neither an e-mail address nor a phone number")]
    InvalidContact(String),
    /// Not a discount card number.
    #[error("{0:?} is not a discount card number (3 to 32 letters or digits)")]
    InvalidCard(String),
    /// Paid less than the total.
    #[error("payment is short by {due}")]
    Underpaid { due: Money },
}
