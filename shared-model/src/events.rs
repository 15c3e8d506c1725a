//! The facts a till records and syncs to head office: immutable, versioned events.
//!
//! Each event has a UUIDv7 id, the terminal id and a gapless per-terminal sequence
//! number (1, 2, 3, …). Corrections are new events, never edits.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    money::{Currency, Money},
    pricing::VatSummary,
    quantity::{Quantity, Unit},
    tender::Tender,
    vat::VatRate,
};

/// The version of the event schema this build writes. Readers accept this and older.
/// 2 (2026-12): `fiscal_document`, the register's answer for a sale, return or shift.
pub const EVENT_SCHEMA_VERSION: u16 = 2;

/// The oldest event schema this build can still send. A till holding unsent events older
/// than this must send them before it is upgraded, or they would be stranded.
pub const MIN_EVENT_SCHEMA_VERSION: u16 = 1;

/// One event as it sits in the outbox and travels to the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventEnvelope {
    /// Schema version of `payload`.
    pub schema_version: u16,
    /// UUIDv7: unique and time-ordered.
    pub event_id: Uuid,
    /// The till that recorded it.
    pub terminal_id: Uuid,
    /// Gapless per-terminal sequence number, from 1.
    pub seq: u64,
    /// When it happened, by the till's clock.
    pub occurred_at: DateTime<Utc>,
    /// What happened.
    pub payload: EventPayload,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum EventPayload {
    /// A sale was paid and completed.
    SaleCompleted(ChainedReceipt<SaleDoc>),
    /// Goods from an earlier sale were returned and refunded.
    ReturnCompleted(ChainedReceipt<ReturnDoc>),
    /// An open sale was abandoned with a reason.
    SaleVoided(VoidDoc),
    /// A shift was opened with a cash float.
    ShiftOpened(ShiftOpened),
    /// A shift was closed with counted cash.
    ShiftClosed(ShiftClosed),
    /// Cash was put into or taken out of the drawer.
    CashMoved(CashMovement),
    /// Stock changed for a reason other than a sale or return.
    StockMoved(StockMovement),
    /// A customer was registered at the till.
    CustomerRegistered(CustomerDoc),
    /// The fiscal register signed a document for one of the till's (schema 2).
    FiscalDocument(FiscalRecord),
}

impl EventPayload {
    /// Stable name of the event type, as stored in the outbox.
    pub fn kind(&self) -> &'static str {
        match self {
            EventPayload::SaleCompleted(_) => "sale_completed",
            EventPayload::ReturnCompleted(_) => "return_completed",
            EventPayload::SaleVoided(_) => "sale_voided",
            EventPayload::ShiftOpened(_) => "shift_opened",
            EventPayload::ShiftClosed(_) => "shift_closed",
            EventPayload::CashMoved(_) => "cash_moved",
            EventPayload::StockMoved(_) => "stock_moved",
            EventPayload::CustomerRegistered(_) => "customer_registered",
            EventPayload::FiscalDocument(_) => "fiscal_document",
        }
    }
}

/// Which of the till's documents a fiscal document is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FiscalFor {
    /// A sale.
    Sale,
    /// A return.
    Return,
    /// The opening of a shift.
    ShiftOpen,
    /// The closing of a shift (the Z report).
    ShiftClose,
}

impl FiscalFor {
    /// Every kind.
    pub const ALL: [FiscalFor; 4] = [
        FiscalFor::Sale,
        FiscalFor::Return,
        FiscalFor::ShiftOpen,
        FiscalFor::ShiftClose,
    ];

    /// Stable machine code, as stored.
    pub fn code(self) -> &'static str {
        match self {
            FiscalFor::Sale => "sale",
            FiscalFor::Return => "return",
            FiscalFor::ShiftOpen => "shift_open",
            FiscalFor::ShiftClose => "shift_close",
        }
    }

    /// Parses [`FiscalFor::code`].
    pub fn from_code(s: &str) -> Option<FiscalFor> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// The register's answer for one of the till's documents. It follows the document's own
/// event (which the till writes when the sale completes, before the register is asked),
/// so a sale is never held back from head office by a register that is slow to answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiscalRecord {
    /// The sale, return or shift.
    pub doc_id: Uuid,
    /// What it is.
    pub kind: FiscalFor,
    /// The register task's uuid.
    pub task_id: Uuid,
    /// The fiscal document.
    pub fiscal: crate::fiscal::FiscalDoc,
    /// Made as a correction receipt, after the register was out of order at the sale.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub correction: bool,
}

/// A receipt's number and its link in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLink {
    /// Gapless per-terminal receipt number, from 1 (sales and returns share it).
    pub receipt_no: u64,
    /// Hash of the previous receipt (the chain's genesis hash for the first).
    pub prev_hash: String,
    /// Hash of this receipt.
    pub hash: String,
}

/// A receipt document with its place in the terminal's hash chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainedReceipt<T> {
    /// The document.
    pub doc: T,
    /// Receipt number and chain link.
    pub link: ReceiptLink,
}

/// A completed sale, exactly as it was priced and paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleDoc {
    /// Sale id.
    pub sale_id: Uuid,
    /// Shift it belongs to.
    pub shift_id: Uuid,
    /// Cashier who completed it.
    pub cashier_id: Uuid,
    /// When it was completed.
    pub completed_at: DateTime<Utc>,
    /// Currency of every amount.
    pub currency: Currency,
    /// The lines.
    pub lines: Vec<SaleLineDoc>,
    /// Tenders, in the order taken.
    pub payments: Vec<PaymentDoc>,
    /// Sum of line gross.
    pub gross: Money,
    /// Sum of line discounts.
    pub discount: Money,
    /// Amount due (sum of line totals).
    pub total: Money,
    /// Cash handed back.
    pub change: Money,
    /// VAT per rate.
    pub vat: Vec<VatSummary>,
    /// The head-office data version (the till's pull cursor) its prices came from;
    /// absent on a till that never synced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog_version: Option<String>,
    /// The promotions that gave a discount, with what each gave (reports attribute
    /// discounts by these).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub promotions: Vec<SalePromotion>,
    /// The customer on the sale (discount card), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<Uuid>,
}

/// A promotion as applied to a completed sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalePromotion {
    /// Promotion id.
    pub promotion_id: Uuid,
    /// The version of its rules that priced the sale.
    pub version: u32,
    /// Name, as printed on the receipt.
    pub name: String,
    /// The discount it gave on this sale.
    pub amount: Money,
}

/// One line of a completed sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleLineDoc {
    /// 1-based line number on the receipt.
    pub line_no: u32,
    /// Product id.
    pub product_id: Uuid,
    /// SKU at the time of sale.
    pub sku: String,
    /// Name at the time of sale.
    pub name: String,
    /// Unit the quantity is in.
    pub unit: Unit,
    /// Quantity sold.
    pub qty: Quantity,
    /// Unit price used.
    pub unit_price: Money,
    /// VAT rate used.
    pub vat_rate: VatRate,
    /// Unit price × quantity.
    pub gross: Money,
    /// All discounts on the line.
    pub discount: Money,
    /// Amount paid for the line.
    pub total: Money,
    /// VAT contained in `total`.
    pub vat: Money,
    /// The gift certificate this line sold (activated), if it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    /// A marked unit's code and permit check (such a line is one piece).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mark: Option<crate::marking::permit::SoldMark>,
}

/// A tender on a sale or a refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentDoc {
    /// How it was paid.
    pub tender: Tender,
    /// Amount tendered (for cash, before change) or refunded.
    pub amount: Money,
    /// Approval code from the card terminal; never a card number.
    pub approval_code: Option<String>,
    /// The gift certificate code, for certificate tenders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
}

/// A return against an earlier receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnDoc {
    /// Return id.
    pub return_id: Uuid,
    /// The original sale.
    pub sale_id: Uuid,
    /// The original sale's receipt number.
    pub sale_receipt_no: u64,
    /// Shift the refund was paid in.
    pub shift_id: Uuid,
    /// Cashier who took the return.
    pub cashier_id: Uuid,
    /// When.
    pub completed_at: DateTime<Utc>,
    /// Currency.
    pub currency: Currency,
    /// Returned lines.
    pub lines: Vec<ReturnLineDoc>,
    /// How the money went back.
    pub refunds: Vec<PaymentDoc>,
    /// Amount refunded (sum of line amounts and of refunds).
    pub total: Money,
    /// Why, if the cashier said.
    pub reason: Option<String>,
}

/// One returned line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnLineDoc {
    /// Line number on the original receipt.
    pub sale_line_no: u32,
    /// Product id.
    pub product_id: Uuid,
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Quantity returned.
    pub qty: Quantity,
    /// Amount refunded for it.
    pub amount: Money,
    /// VAT rate of the original line.
    pub vat_rate: VatRate,
    /// VAT contained in `amount`.
    pub vat: Money,
    /// The marked unit's code, which came back (the sale line's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mark: Option<crate::marking::MarkingCode>,
}

/// An abandoned sale, kept for loss-prevention reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoidDoc {
    /// The cart that was voided.
    pub cart_id: Uuid,
    /// Open shift at the time, if any.
    pub shift_id: Option<Uuid>,
    /// Who voided it.
    pub cashier_id: Uuid,
    /// When.
    pub voided_at: DateTime<Utc>,
    /// Why.
    pub reason: String,
    /// `(sku, quantity)` of what was in the cart.
    pub lines: Vec<(String, Quantity)>,
    /// What the cart came to.
    pub total: Money,
}

/// A shift opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftOpened {
    /// Shift id.
    pub shift_id: Uuid,
    /// Gapless per-terminal shift number.
    pub shift_no: u64,
    /// Who opened it.
    pub cashier_id: Uuid,
    /// When.
    pub opened_at: DateTime<Utc>,
    /// Cash in the drawer at the start.
    pub float: Money,
}

/// A shift closed, with its Z report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftClosed {
    /// Shift id.
    pub shift_id: Uuid,
    /// Shift number.
    pub shift_no: u64,
    /// Who closed it.
    pub cashier_id: Uuid,
    /// When.
    pub closed_at: DateTime<Utc>,
    /// The Z report figures.
    pub report: crate::shift::ShiftReport,
}

/// Whether cash went into or out of the drawer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CashDirection {
    /// Into the drawer.
    In,
    /// Out of the drawer.
    Out,
}

/// Cash put in or taken out outside a sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashMovement {
    /// Movement id.
    pub movement_id: Uuid,
    /// Shift.
    pub shift_id: Uuid,
    /// Who.
    pub cashier_id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// In or out.
    pub direction: CashDirection,
    /// How much (positive).
    pub amount: Money,
    /// Why.
    pub reason: String,
}

/// A stock change on the till outside sales and returns (which imply their own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockMovement {
    /// Movement id.
    pub movement_id: Uuid,
    /// Product.
    pub product_id: Uuid,
    /// SKU.
    pub sku: String,
    /// Signed change: positive adds stock.
    pub qty: Quantity,
    /// Why.
    pub reason: String,
    /// Who.
    pub cashier_id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
}

/// A customer (discount card holder).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerDoc {
    /// Customer id (UUIDv7 when a till creates it).
    pub customer_id: Uuid,
    /// Name.
    pub name: String,
    /// Phone, normalised to digits with a leading `+`.
    pub phone: Option<String>,
    /// Discount card number.
    pub card_no: Option<String>,
    /// Customer group (the promotions' discount-card condition).
    pub group: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip_with_type_tag_and_version() {
        let env = EventEnvelope {
            schema_version: EVENT_SCHEMA_VERSION,
            event_id: Uuid::from_u128(7),
            terminal_id: Uuid::from_u128(1),
            seq: 42,
            occurred_at: DateTime::from_timestamp_millis(1_764_000_000_123).unwrap_or_default(),
            payload: EventPayload::CashMoved(CashMovement {
                movement_id: Uuid::from_u128(9),
                shift_id: Uuid::from_u128(2),
                cashier_id: Uuid::from_u128(3),
                at: DateTime::from_timestamp_millis(1_764_000_000_123).unwrap_or_default(),
                direction: CashDirection::Out,
                amount: Money::rub(50_000),
                reason: "инкассация".into(),
            }),
        };
        let json = serde_json::to_value(&env).unwrap();
        assert_eq!(json["schema_version"], EVENT_SCHEMA_VERSION);
        assert_eq!(json["payload"]["type"], "cash_moved");
        assert_eq!(json["payload"]["data"]["amount"]["currency"], "RUB");
        assert_eq!(json["payload"]["data"]["amount"]["minor"], 50_000);
        let back: EventEnvelope = serde_json::from_value(json).unwrap();
        assert_eq!(back, env);
        assert_eq!(back.payload.kind(), "cash_moved");
    }
}
