//! The head-office API's records as its clients read them (the web admin): one
//! definition for the browser and for the server's contract test, which reads every one of
//! them from the real server (`sync-server/tests/it/admin_contract.rs`). Dates are the
//! RFC 3339 strings the server sends.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::promotions::{Conditions, PromoKind, Promotion, Target};
use crate::Role;

/// A page of a list, as every list endpoint answers.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Page<T> {
    /// This page's items.
    pub items: Vec<T>,
    /// 1-based page number.
    pub page: u32,
    /// Page size.
    pub per_page: u32,
    /// Items in all pages.
    pub total: i64,
}

/// The signed-in user.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Me {
    /// Id.
    pub id: Uuid,
    /// Login name.
    pub login: String,
    /// Role.
    pub role: Role,
    /// Locations they work at (empty for an admin: all).
    pub locations: Vec<Uuid>,
}

/// The login answer (the cookies carry the session).
#[derive(Debug, Clone, Deserialize)]
pub struct LoginAnswer {
    /// Who logged in.
    pub user: Me,
}

/// A store or warehouse.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Location {
    /// Id.
    pub id: Uuid,
    /// Short code.
    pub code: String,
    /// Name.
    pub name: String,
    /// `store` or `warehouse`.
    pub kind: String,
    /// Address.
    pub address: Option<String>,
    /// IANA time zone.
    pub timezone: String,
    /// Open.
    pub active: bool,
    /// Its tills may sell without a fiscal register.
    #[serde(default)]
    pub non_fiscal: bool,
    /// Taxation system code (`osn`…).
    #[serde(default)]
    pub taxation: String,
}

/// A category.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Category {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
}

/// A product.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Product {
    /// Id.
    pub id: Uuid,
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Category.
    pub category_id: Option<Uuid>,
    /// `pcs`, `ml` or `g`.
    pub unit: String,
    /// VAT code (`vat20`...).
    pub vat: String,
    /// Cost per unit.
    pub cost: String,
    /// Price without a store price.
    pub default_price: String,
    /// Barcodes.
    pub barcodes: Vec<String>,
    /// Sold.
    pub active: bool,
    /// Marking group, for goods sold by their marking codes.
    #[serde(default)]
    pub marking_group: Option<String>,
}

/// A store's own price.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LocationPrice {
    /// Store.
    pub location_id: Uuid,
    /// Price.
    pub price: String,
}

/// A stock level.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Level {
    /// Location.
    pub location_id: Uuid,
    /// Product.
    pub product_id: Uuid,
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// On hand.
    pub qty: String,
}

/// A product and quantity on a stock document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QtyLine {
    /// Product.
    pub product_id: Uuid,
    /// Quantity.
    pub qty: String,
}

/// A transfer between locations.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Transfer {
    /// Id.
    pub id: Uuid,
    /// From.
    pub from_location_id: Uuid,
    /// To.
    pub to_location_id: Uuid,
    /// `shipped` or `received`.
    pub status: String,
    /// Note.
    pub note: Option<String>,
    /// Lines.
    pub lines: Vec<QtyLine>,
    /// Shipped.
    pub created_at: String,
}

/// A stock count's outcome for one product.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CountResult {
    /// Product.
    pub product_id: Uuid,
    /// Expected.
    pub expected: String,
    /// Counted.
    pub counted: String,
    /// The adjustment made.
    pub adjustment: String,
}

/// A promotion's definition (what the editor edits).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromotionDef {
    /// Name on receipts.
    pub name: String,
    /// Higher applies first.
    pub priority: i32,
    /// Does not combine.
    pub exclusive: bool,
    /// Which lines.
    pub target: Target,
    /// What it gives.
    pub kind: PromoKind,
    /// When.
    pub conditions: Conditions,
    /// Runs.
    pub active: bool,
}

impl PromotionDef {
    /// The promotion the engine runs for this definition, stored under `id` at `version`.
    pub fn promotion(&self, id: Uuid, version: u32) -> Promotion {
        Promotion {
            id,
            version,
            name: self.name.clone(),
            priority: self.priority,
            exclusive: self.exclusive,
            target: self.target.clone(),
            kind: self.kind.clone(),
            conditions: self.conditions.clone(),
        }
    }
}

/// A stored promotion.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PromotionView {
    /// Id.
    pub id: Uuid,
    /// Version.
    pub version: i32,
    /// Definition.
    #[serde(flatten)]
    pub def: PromotionDef,
}

/// A till.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Terminal {
    /// Id.
    pub id: Uuid,
    /// Store.
    pub location_id: Uuid,
    /// Name.
    pub name: String,
    /// `pending`, `active` or `disabled`.
    pub status: String,
    /// Until when the code works.
    pub enrollment_expires_at: Option<String>,
    /// Enrolled.
    pub enrolled_at: Option<String>,
    /// Last push.
    pub last_push_at: Option<String>,
    /// Last pull.
    pub last_pull_at: Option<String>,
    /// Events it still holds.
    pub events_waiting: Option<i64>,
}

/// A till receipt held back by head office's money checks (`/sync/quarantine`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct HeldReceipt {
    /// The till event.
    pub event_id: Uuid,
    /// The till.
    pub terminal_id: Uuid,
    /// Its store.
    pub location_id: Uuid,
    /// `sale_completed` or `return_completed`.
    pub kind: String,
    /// The till's receipt number.
    pub receipt_no: i64,
    /// What the receipt claims, in kopecks.
    pub total_minor: i64,
    /// What the checks found (`crate::facts::Problem` codes).
    pub problems: Vec<String>,
    /// Whether it may be accepted (impossible figures may only be rejected).
    pub acceptable: bool,
    /// `pending`, `accepted` or `rejected`.
    pub status: String,
    /// When it arrived.
    pub at: String,
}

/// A new till and its one-time enrollment code.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TerminalWithCode {
    /// The till.
    pub terminal: Terminal,
    /// Shown once.
    pub enrollment_code: String,
}

/// A user.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct User {
    /// Id.
    pub id: Uuid,
    /// Login.
    pub login: String,
    /// Full name.
    pub full_name: String,
    /// Role code.
    pub role: String,
    /// Can log in.
    pub active: bool,
    /// Has a till PIN.
    pub has_pin: bool,
    /// Manual discount limit, percent.
    pub discount_limit: String,
    /// Locations.
    pub locations: Vec<Uuid>,
    /// Tax id (ИНН).
    #[serde(default)]
    pub vatin: Option<String>,
}

/// A customer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Customer {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Phone.
    pub phone: Option<String>,
    /// Discount card.
    pub card_no: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Group (for promotions).
    pub group_code: Option<String>,
}

/// A gift certificate with its history.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Certificate {
    /// Code.
    pub code: String,
    /// Status.
    pub status: String,
    /// Face value, kopecks.
    pub nominal_minor: i64,
    /// Balance, kopecks.
    pub balance_minor: i64,
    /// Overdrawn by, kopecks.
    pub overdraw_minor: i64,
    /// Valid until.
    pub expires_on: String,
    /// History (newest last).
    #[serde(default)]
    pub ledger: Vec<Value>,
}

/// A batch of new certificates.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Batch {
    /// Name.
    pub name: String,
    /// Their codes.
    pub codes: Vec<String>,
}

/// An audit log entry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AuditEntry {
    /// Id.
    pub id: i64,
    /// When.
    pub at: String,
    /// Who.
    pub user_id: Option<Uuid>,
    /// From where.
    pub ip: Option<String>,
    /// What.
    pub action: String,
    /// On what.
    pub entity: String,
    /// Which.
    pub entity_id: Option<String>,
}

/// Any report: named columns and rows of values.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Report {
    /// Column names.
    pub columns: Vec<String>,
    /// What each column holds (money, a date…), to show it per locale.
    #[serde(default)]
    pub kinds: crate::display::ColumnKinds,
    /// Rows by column name.
    pub rows: Vec<Map<String, Value>>,
}

impl Report {
    /// What column `c` holds (text when the server did not say).
    pub fn kind(&self, c: &str) -> crate::display::ColumnKind {
        self.kinds.get(c).copied().unwrap_or_default()
    }
}

/// One problem in an imported CSV.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RowError {
    /// Line in the file.
    pub line: u64,
    /// Column, when one is to blame.
    pub column: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// A catalog import's preview or outcome.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ImportReport {
    /// Rows read.
    pub rows: usize,
    /// New products.
    pub created: usize,
    /// Changed products.
    pub updated: usize,
    /// Untouched.
    pub unchanged: usize,
    /// Problems.
    pub errors: Vec<RowError>,
    /// Applied.
    pub committed: bool,
}

/// The reports the web admin offers: `(path, its word in the admin, takes a period)`.
pub const REPORTS: &[(&str, &str, bool)] = &[
    ("/reports/sales-summary?group=day", "r_sales_summary", true),
    ("/reports/sales-by/store", "r_by_store", true),
    ("/reports/sales-by/product?limit=100", "r_by_product", true),
    ("/reports/sales-by/category", "r_by_category", true),
    ("/reports/sales-by/cashier", "r_by_cashier", true),
    ("/reports/sales-by/terminal", "r_by_terminal", true),
    ("/reports/sales-by/hour", "r_by_hour", true),
    ("/reports/payments", "r_payments", true),
    ("/reports/vat", "r_vat", true),
    ("/reports/cash", "r_cash", true),
    ("/reports/control/discounts", "r_discounts", true),
    ("/reports/control/returns", "r_returns", true),
    ("/reports/control/certificates", "r_certificates", true),
    ("/reports/control/sync-health", "r_sync_health", false),
    (
        "/reports/control/fiscal-receipts",
        "r_fiscal_receipts",
        true,
    ),
    ("/reports/control/registers", "r_registers", false),
    ("/reports/control/marked-units", "r_marked_units", true),
    ("/reports/stock/levels", "r_stock_levels", false),
    ("/reports/stock/low", "r_stock_low", false),
    ("/reports/stock/movements", "r_stock_movements", true),
];
