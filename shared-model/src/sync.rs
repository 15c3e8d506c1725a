//! The till ↔ head-office sync protocol: the messages both sides exchange.
//!
//! Push: the till sends its outbox in sequence order; the server answers with the
//! highest contiguous sequence it holds, and the till forgets nothing it has not seen
//! acknowledged. Pull: the server's change feed, read with an opaque cursor that never
//! passes a change committed later.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::events::EventEnvelope;

/// The protocol version this build speaks. 2: certificates travel to tills by lookup
/// key ([`crate::certificates::CertificateEntry`]), never by code. 3: marking groups
/// ([`Change::MarkingGroup`]) and products' groups.
pub const PROTOCOL_VERSION: u16 = 3;
/// The oldest version a server still accepts (each older feature is left out of what it
/// is sent).
pub const MIN_PROTOCOL_VERSION: u16 = 1;
/// Most events in one push batch.
pub const MAX_BATCH: usize = 500;

/// Exchange of a one-time enrollment code.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollRequest {
    /// Protocol version of the till.
    #[serde(default = "current_protocol")]
    pub protocol: u16,
    /// The code from head office.
    pub code: String,
}

fn current_protocol() -> u16 {
    PROTOCOL_VERSION
}

/// What an enrolled till receives.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Enrollment {
    /// Terminal id (the till's identity from now on).
    pub terminal_id: Uuid,
    /// The store.
    pub location_id: Uuid,
    /// Device secret for [`DeviceTokenRequest`].
    pub device_secret: String,
    /// Enrollment epoch: sequence numbers are unique within (terminal, epoch).
    pub epoch: u32,
}

/// A till asks for a short-lived device token.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceTokenRequest {
    /// Protocol version.
    pub protocol: u16,
    /// Terminal id.
    pub terminal_id: Uuid,
    /// Device secret.
    pub secret: String,
}

/// A device token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeviceToken {
    /// Bearer token for sync calls.
    pub token: String,
    /// Seconds until it expires.
    pub expires_in: i64,
}

/// A batch of outbox events.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// Protocol version.
    pub protocol: u16,
    /// The pushing terminal (must match the device token).
    pub terminal_id: Uuid,
    /// Its enrollment epoch.
    pub epoch: u32,
    /// Events in sequence order.
    pub events: Vec<EventEnvelope>,
    /// The newest event the till holds, so head office can show how many still wait
    /// (absent from tills older than this field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newest_seq: Option<u64>,
}

/// The till's fiscal register as the till last saw it, for head office's report of
/// registers by health (`POST /sync/register`; only a till with a register sends it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterReport {
    /// Protocol version.
    pub protocol: u16,
    /// What the register said of itself (absent when it did not answer).
    pub status: Option<crate::fiscal::health::RegisterStatus>,
    /// Why it did not answer.
    pub error: Option<String>,
    /// Documents awaiting their fiscal receipt.
    pub pending: u32,
    /// Documents waiting for the register's repair (correction receipts to come).
    pub deferred: u32,
    /// The reason of a declared outage, if one is in force.
    pub outage: Option<String>,
}

/// The server's answer to a push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// Highest contiguous sequence the server holds for this terminal and epoch.
    pub acked_seq: u64,
    /// Events applied now.
    pub applied: u32,
    /// Events already held (resent), skipped.
    pub duplicates: u32,
}

/// One change from head office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    /// A product as it is now (price already resolved for the till's store).
    Product(ProductData),
    /// A product removed or deactivated (tombstone).
    ProductRemoved {
        /// Product id.
        id: Uuid,
    },
    /// A category.
    Category {
        /// Id.
        id: Uuid,
        /// Name.
        name: String,
    },
    /// A till user as they are now.
    Cashier(CashierData),
    /// The till's store: its settings as head office has them.
    Store {
        /// Store id.
        id: Uuid,
        /// Name printed on receipts.
        name: String,
        /// IANA time zone.
        timezone: String,
        /// Its tills may sell without a fiscal register (absent from older servers: no).
        #[serde(default)]
        non_fiscal: bool,
        /// Its taxation system, printed on every fiscal receipt (absent from older
        /// servers: the till keeps its own setting).
        #[serde(default)]
        taxation: Option<crate::fiscal::Taxation>,
    },
    /// A promotion as it is now.
    Promotion(crate::promotions::Promotion),
    /// A promotion withdrawn (tombstone).
    PromotionRemoved {
        /// Promotion id.
        id: Uuid,
    },
    /// A till user who may no longer log in at this store (tombstone).
    CashierRemoved {
        /// User id.
        id: Uuid,
    },
    /// A customer as they are now (looked up by phone or card on the till).
    Customer(crate::events::CustomerDoc),
    /// A gift certificate with its code (protocol 1; no longer sent: a till's copy of
    /// the feed must hold no code anyone could spend).
    Certificate(crate::certificates::CertificateState),
    /// A sold gift certificate as head office holds it now, by lookup key (protocol 2).
    CertificateKeyed(crate::certificates::CertificateEntry),
    /// The chain's offline certificate redemption policy.
    CertificatePolicy(crate::certificates::OfflinePolicy),
    /// A marking group as head office sets it (its dates and its no-answer rule).
    MarkingGroup(crate::marking::permit::MarkingGroup),
}

/// A till asks head office for a certificate it is about to sell (online): its face value.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SellableRequest {
    /// The certificate.
    pub code: crate::certificates::CertificateCode,
}

/// A till asks head office to check and hold a certificate redemption (online only).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReserveRequest {
    /// The certificate.
    pub code: crate::certificates::CertificateCode,
    /// How much to take.
    pub amount: crate::Money,
    /// The sale (cart id) it will pay; the hold is used up when that sale arrives.
    pub sale_id: Uuid,
}

/// Head office's answer to a reservation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReserveResponse {
    /// The certificate as it stands, before this redemption.
    pub certificate: crate::certificates::CertificateState,
    /// What is held for the sale now.
    pub reserved: crate::Money,
}

/// A product for the till.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductData {
    /// Id.
    pub id: Uuid,
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Category name.
    pub category: Option<String>,
    /// `pcs`, `ml`, `g`.
    pub unit: String,
    /// VAT code.
    pub vat: String,
    /// Price at the till's store (store price, else default), minor units.
    pub price_minor: i64,
    /// Barcode lookup keys.
    pub barcodes: Vec<String>,
    /// Cost price, minor units: the floor promotions never go below.
    #[serde(default)]
    pub cost_minor: i64,
    /// Its marking group's code, when its units are sold by their marking codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marking_group: Option<String>,
}

/// A till user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashierData {
    /// User id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Role code.
    pub role: String,
    /// Argon2id PHC hash of the PIN.
    pub pin_hash: String,
    /// Manual-discount limit, basis points.
    pub discount_limit_bp: u32,
    /// Tax id (ИНН), printed on fiscal receipts with the name (absent from older servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vatin: Option<String>,
}

/// A page of the change feed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PullResponse {
    /// Protocol version.
    pub protocol: u16,
    /// Cursor to send next time (opaque).
    pub cursor: String,
    /// More pages are ready now.
    pub more: bool,
    /// This page is (part of) a full snapshot: the till replaces what it holds.
    pub snapshot: bool,
    /// The changes.
    pub changes: Vec<Change>,
}
