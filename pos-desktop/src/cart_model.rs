//! The sale in progress as data: lines with the prices they were rung up at, tenders
//! taken, and the priced totals. A leaf: the cart's operations (`cart`), pricing
//! (`promos`), completion (`sale`) and the window all read it; it depends on nothing of
//! the till's own.

use serde::Serialize;
use shared_model::events::CustomerDoc;
use shared_model::marking::permit::SoldMark;
use shared_model::pricing::PricedCart;
use shared_model::{Discount, Money, Quantity, Tender, Unit, VatRate};
use uuid::Uuid;

/// A line in the cart, with the price it was rung up at.
#[derive(Debug, Clone, Serialize)]
pub struct CartLine {
    /// 1-based line number as shown to the cashier.
    pub line_no: usize,
    /// Storage position (stable while lines are removed).
    #[serde(skip)]
    pub(crate) pos: i64,
    /// Product.
    pub product_id: Uuid,
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: Unit,
    /// Price per unit when scanned.
    pub unit_price: Money,
    /// VAT rate.
    pub vat: VatRate,
    /// Quantity.
    pub qty: Quantity,
    /// Manual line discount.
    pub discount: Option<Discount>,
    /// The gift certificate this line sells, if it is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    /// A marked unit's code and its permit check (the line is that one piece).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mark: Option<SoldMark>,
}

/// A tender taken on the cart.
#[derive(Debug, Clone, Serialize)]
pub struct CartPayment {
    /// How.
    pub tender: Tender,
    /// How much (cash: as handed over).
    pub amount: Money,
    /// Card approval code.
    pub approval_code: Option<String>,
    /// Gift certificate code, for certificate tenders.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    /// Checked and reserved with head office (certificates), rather than offline.
    pub online: bool,
}

/// The cart with its prices worked out.
#[derive(Debug, Clone, Serialize)]
pub struct Cart {
    /// Cart id (becomes the sale id on completion).
    pub id: Uuid,
    /// Lines.
    pub lines: Vec<CartLine>,
    /// The customer on the sale.
    pub customer: Option<CustomerDoc>,
    /// Sale-level manual discount.
    pub sale_discount: Option<Discount>,
    /// Tenders taken so far.
    pub payments: Vec<CartPayment>,
    /// Prices, discounts, VAT.
    pub priced: PricedCart,
    /// Sum of tenders.
    pub paid: Money,
    /// Still to pay (zero when paid in full).
    pub due: Money,
    /// Change to give if completed now.
    pub change: Money,
    /// Where the electronic receipt goes (an e-mail or phone the customer gave).
    pub receipt_to: Option<String>,
}

/// A parked sale.
#[derive(Debug, Clone, Serialize)]
pub struct ParkedCart {
    /// Id to resume it by.
    pub id: Uuid,
    /// When it was parked.
    pub parked_at: String,
    /// The cashier's note.
    pub note: Option<String>,
    /// Number of lines.
    pub lines: u64,
}
