//! Calls into the Tauri shell, and the shapes of what it answers.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use shared_model::events::CustomerDoc;
use shared_model::pricing::PricedCart;
use shared_model::{Locale, Money, Quantity, Tender, Unit};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], catch)]
    async fn invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;
}

/// An error from the engine: a stable code (worded by the UI) and the engine's message.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ApiError {
    /// Stable code, e.g. `wrong_pin`.
    pub code: String,
    /// The engine's words (English), shown when the UI has none of its own.
    pub message: String,
}

/// Calls a command; `args` keys are camelCase, as Tauri expects.
pub async fn call<T: DeserializeOwned>(cmd: &str, args: serde_json::Value) -> Result<T, ApiError> {
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    let args = args.serialize(&ser).unwrap_or(JsValue::NULL);
    match invoke(cmd, args).await {
        Ok(v) => serde_wasm_bindgen::from_value(v).map_err(|e| ApiError {
            code: "internal".into(),
            message: e.to_string(),
        }),
        Err(e) => Err(
            serde_wasm_bindgen::from_value(e.clone()).unwrap_or(ApiError {
                code: "internal".into(),
                message: e
                    .as_string()
                    .unwrap_or_else(|| "the till did not answer".into()),
            }),
        ),
    }
}

/// The logged-in cashier.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Cashier {
    /// Name.
    pub name: String,
    /// Role code.
    pub role: String,
}

/// The open shift.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Shift {
    /// Number.
    pub shift_no: u64,
    /// Opening float.
    pub float: Money,
}

/// A cart line.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Line {
    /// Number shown.
    pub line_no: usize,
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: Unit,
    /// Price per unit.
    pub unit_price: Money,
    /// Quantity.
    pub qty: Quantity,
    /// A marked unit's code and permit check.
    #[serde(default)]
    pub mark: Option<shared_model::marking::permit::SoldMark>,
}

/// A tender taken.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Payment {
    /// How.
    pub tender: Tender,
    /// How much.
    pub amount: Money,
}

/// The sale in progress, priced by the engine.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Cart {
    /// Lines.
    pub lines: Vec<Line>,
    /// Customer on the sale.
    pub customer: Option<CustomerDoc>,
    /// Tenders.
    pub payments: Vec<Payment>,
    /// Prices, discounts, promotions, VAT.
    pub priced: PricedCart,
    /// Paid so far.
    pub paid: Money,
    /// Still due.
    pub due: Money,
    /// Change if completed now.
    pub change: Money,
    /// Where the electronic receipt goes, if the customer asked.
    #[serde(default)]
    pub receipt_to: Option<String>,
}

/// Sync state.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Sync {
    /// Head office, when enrolled.
    pub server: Option<String>,
    /// Whether the last attempt reached it.
    pub online: bool,
    /// Events waiting.
    pub pending: u64,
    /// Last push.
    pub last_push_at: Option<String>,
}

/// The fiscal queue (read locally by the engine).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Fiscal {
    /// Whether the till has a register.
    pub fiscal: bool,
    /// Documents awaiting their fiscal receipt.
    pub pending: u32,
    /// Why the oldest is not signed yet (`paper_out`, `no_answer`…).
    pub code: Option<String>,
}

/// What the register says of itself.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RegisterStatus {
    /// `opened`, `closed` or `expired`.
    pub shift: String,
    /// Shift number.
    pub shift_no: u32,
    /// When its shift expires (RFC 3339).
    pub shift_expires_at: Option<String>,
    /// Documents the ОФД has not confirmed.
    pub unsent: u32,
}

/// One warning or block, by its kind.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Kind {
    /// `paper_out`, `z_due`, `ofd_backlog`…
    pub kind: String,
    /// Minutes left (`z_due`).
    #[serde(default)]
    pub minutes_left: Option<i64>,
    /// Days (`ofd_backlog`).
    #[serde(default)]
    pub days: Option<i64>,
}

/// The register's health.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Health {
    /// Warnings, most urgent first.
    pub warnings: Vec<Kind>,
    /// What stops sales.
    pub block: Option<Kind>,
}

/// The register as the status bar shows it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RegisterView {
    /// Whether the till has a register.
    pub fiscal: bool,
    /// Its status, when it answered.
    pub status: Option<RegisterStatus>,
    /// Its health, when it answered.
    pub health: Option<Health>,
    /// Why it did not answer.
    pub error: Option<String>,
    /// Declared out of order by a manager.
    #[serde(default, deserialize_with = "present")]
    pub outage: bool,
    /// Documents waiting for its repair (correction receipts to come).
    #[serde(default)]
    pub deferred: u32,
    /// Minutes left in its shift, for the countdown to Z.
    #[serde(default)]
    pub shift_minutes_left: Option<i64>,
}

/// Whether an optional object is there (the window needs no more of it).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(Option::<serde::de::IgnoredAny>::deserialize(d)?.is_some())
}

/// Everything the screens are chosen by.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Status {
    /// Store name.
    pub store: String,
    /// Language.
    pub locale: Locale,
    /// Who is logged in.
    pub cashier: Option<Cashier>,
    /// Open shift.
    pub shift: Option<Shift>,
    /// Sale in progress.
    pub cart: Option<Cart>,
    /// Sync.
    pub sync: Sync,
    /// Idle minutes before the window locks back to the PIN screen.
    pub idle_lock_minutes: u32,
    /// How the store's scanners send codes.
    pub scanner: Scanner,
    /// A downloaded release that installs once the shift is closed.
    #[serde(default)]
    pub update_ready: Option<String>,
    /// Documents awaiting their fiscal receipt.
    #[serde(default)]
    pub fiscal: Fiscal,
}

/// A product (quick keys, search results).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Product {
    /// SKU (what the window adds it by).
    pub sku: String,
    /// Name.
    pub name: String,
    /// Price per unit.
    pub price: Money,
    /// Unit.
    pub unit: Unit,
}

/// A printed receipt.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Printed {
    /// Receipt number.
    pub receipt_no: u64,
    /// Text for 80 mm paper.
    pub text: String,
    /// Change to give (sales).
    pub change: Option<Money>,
    /// Where it was printed.
    pub printed_to: Option<String>,
    /// Why it was not (the sale stands; reprint).
    pub printer_error: Option<String>,
}

/// A parked sale.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Parked {
    /// Id.
    pub id: String,
    /// When.
    pub parked_at: String,
    /// Note.
    pub note: Option<String>,
    /// Lines.
    pub lines: u64,
}

/// The till's own settings (a manager may change them).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TillSettings {
    /// The receipt printer: `files[:DIR]`, `device:PATH` or `tcp:HOST:PORT`.
    pub printer: String,
    /// Minutes without input before the window locks.
    pub idle_lock_minutes: u32,
    /// What the scanners send before a code.
    pub scanner_prefix: String,
    /// The key that ends a scanned code.
    pub scanner_suffix: String,
}

/// The scanner keys the window listens for.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Scanner {
    /// Sent before each code (empty: nothing).
    pub prefix: String,
    /// Ends each code: `Enter` or `Tab`.
    pub suffix: String,
}
