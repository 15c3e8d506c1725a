//! Sales as the tills recorded them, for head office: filterable, with lines and payments.

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared_model::Money;
use tracing::instrument;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::error::{ApiQuery, ApiResult};
use crate::pagination::{Listing, Page, PageParams};
use crate::rbac::{cap, Authorized};
use crate::AppState;

/// A sale line.
#[derive(Debug, Serialize, ToSchema)]
pub struct SaleLine {
    /// Line number on the receipt.
    pub line_no: i32,
    /// Product.
    pub product_id: Uuid,
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Quantity.
    pub qty: String,
    /// Unit price.
    pub unit_price: String,
    /// Discount.
    pub discount: String,
    /// Line total.
    pub total: String,
    /// VAT code.
    pub vat: String,
}

/// A payment.
#[derive(Debug, Serialize, ToSchema)]
pub struct SalePayment {
    /// cash or card.
    pub tender: String,
    /// Amount.
    pub amount: String,
    /// Card approval code.
    pub approval_code: Option<String>,
    /// Gift certificate code, for certificate payments.
    pub certificate: Option<String>,
}

/// A promotion that priced a sale, with what it gave.
#[derive(Debug, Serialize, ToSchema)]
pub struct SalePromotion {
    /// Promotion.
    pub promotion_id: Uuid,
    /// The version of its rules the till used.
    pub version: i32,
    /// Name on the receipt.
    pub name: String,
    /// Discount it gave.
    pub amount: String,
}

/// The fiscal register's document for a sale (54-FZ).
#[derive(Debug, Serialize, ToSchema)]
pub struct SaleFiscal {
    /// Fiscal document number.
    pub number: i64,
    /// Fiscal sign.
    pub sign: String,
    /// When the register signed it.
    pub at: DateTime<Utc>,
    /// Fiscal storage serial.
    pub fn_serial: String,
    /// Register shift.
    pub shift_no: i32,
    /// Receipt number in that shift.
    pub receipt_no: i32,
    /// A correction receipt, made after the sale (the register was out of order then).
    pub correction: bool,
}

/// A sale.
#[derive(Debug, Serialize, ToSchema)]
pub struct Sale {
    /// Id.
    pub id: Uuid,
    /// Terminal.
    pub terminal_id: Uuid,
    /// Store.
    pub location_id: Uuid,
    /// Shift.
    pub shift_id: Uuid,
    /// Cashier.
    pub cashier_id: Uuid,
    /// Receipt number on its terminal.
    pub receipt_no: i64,
    /// When.
    pub completed_at: DateTime<Utc>,
    /// Gross.
    pub gross: String,
    /// Discounts.
    pub discount: String,
    /// Total.
    pub total: String,
    /// Change given.
    pub change: String,
    /// Things head office should look at (unknown_product, price_mismatch, chain_break…).
    pub flags: Vec<String>,
    /// The head-office data version (sync cursor) the till's prices came from.
    pub catalog_version: Option<String>,
    /// Lines.
    pub lines: Vec<SaleLine>,
    /// Payments.
    pub payments: Vec<SalePayment>,
    /// Promotions applied, for attributing discounts.
    pub promotions: Vec<SalePromotion>,
    /// The customer (discount card) on the sale.
    pub customer_id: Option<Uuid>,
    /// Its fiscal receipt, once the till's register signed it and the till said so.
    pub fiscal: Option<SaleFiscal>,
}

/// Sales filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SaleFilter {
    /// Store.
    pub location_id: Option<Uuid>,
    /// Terminal.
    pub terminal_id: Option<Uuid>,
    /// Shift.
    pub shift_id: Option<Uuid>,
    /// From (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// To (exclusive).
    pub to: Option<DateTime<Utc>>,
    /// Only sales with no fiscal receipt yet (`true`), or only those with one (`false`).
    pub unfiscalised: Option<bool>,
    /// Page.
    pub page: Option<u32>,
    /// Page size.
    pub per_page: Option<u32>,
}

/// The sales routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

fn rub(m: i64) -> String {
    Money::rub(m).to_decimal_string()
}

/// A sale's own row.
#[derive(sqlx::FromRow)]
struct Head {
    id: Uuid,
    terminal_id: Uuid,
    location_id: Uuid,
    shift_id: Uuid,
    cashier_id: Uuid,
    receipt_no: i64,
    completed_at: DateTime<Utc>,
    gross_minor: i64,
    discount_minor: i64,
    total_minor: i64,
    change_minor: i64,
    flags: Vec<String>,
    catalog_version: Option<String>,
    customer_id: Option<Uuid>,
}

/// One line of a sale.
#[derive(sqlx::FromRow)]
struct LineRow {
    sale_id: Uuid,
    line_no: i32,
    product_id: Uuid,
    sku: String,
    name: String,
    qty_milli: i64,
    unit_price_minor: i64,
    discount_minor: i64,
    total_minor: i64,
    vat: String,
}

/// One payment of a sale.
#[derive(sqlx::FromRow)]
struct PayRow {
    sale_id: Uuid,
    tender: String,
    amount_minor: i64,
    approval_code: Option<String>,
    certificate: Option<String>,
}

/// One promotion applied to a sale.
#[derive(sqlx::FromRow)]
struct PromoRow {
    sale_id: Uuid,
    promotion_id: Uuid,
    version: i32,
    name: String,
    amount_minor: i64,
}

/// A sale's fiscal receipt.
#[derive(sqlx::FromRow)]
struct FiscalRow {
    doc_id: Uuid,
    number: i64,
    sign: String,
    fiscal_at: DateTime<Utc>,
    fn_serial: String,
    shift_no: i32,
    receipt_no: i32,
    correction: bool,
}

/// Sales in scope, newest first, with totals over the whole filter.
#[utoipa::path(get, path = "/sales", tag = "sales", params(SaleFilter), responses((status = 200, body = Page<Sale>)))]
#[instrument(skip_all, err)]
async fn list(
    State(state): State<AppState>,
    auth: Authorized<cap::ReadSales>,
    ApiQuery(f): ApiQuery<SaleFilter>,
) -> ApiResult<Json<Page<Sale>>> {
    let p = PageParams {
        page: f.page,
        per_page: f.per_page,
    };
    let page: Page<Head> = Listing::new(
        "FROM sales WHERE ($1::uuid IS NULL OR location_id = $1) AND ($2::uuid IS NULL OR terminal_id = $2)
           AND ($3::uuid IS NULL OR shift_id = $3) AND ($4::timestamptz IS NULL OR completed_at >= $4)
           AND ($5::timestamptz IS NULL OR completed_at < $5) AND ($6::uuid[] IS NULL OR location_id = ANY($6))
           AND ($7::bool IS NULL OR $7 <> EXISTS (SELECT 1 FROM fiscal_documents fd
                                                  WHERE fd.terminal_id = sales.terminal_id AND fd.doc_id = sales.id))",
    )
    .bind(f.location_id)?
    .bind(f.terminal_id)?
    .bind(f.shift_id)?
    .bind(f.from)?
    .bind(f.to)?
    .bind(auth.scope.ids())?
    .bind(f.unfiscalised)?
    .page(
        &state.db,
        "id, terminal_id, location_id, shift_id, cashier_id, receipt_no, completed_at, gross_minor, discount_minor,
         total_minor, change_minor, flags, catalog_version, customer_id",
        "completed_at DESC, id",
        p,
    )
    .await?;
    let total = page.total;
    let items = with_their_parts(&state.db, page.items).await?;
    Ok(Json(Page::new(items, p, total)))
}

/// The sales of these heads with their lines, payments, promotions and fiscal receipts,
/// each read for the whole page at once.
async fn with_their_parts(db: &sqlx::PgPool, heads: Vec<Head>) -> ApiResult<Vec<Sale>> {
    let ids: Vec<Uuid> = heads.iter().map(|h| h.id).collect();
    let lines: Vec<LineRow> = sqlx::query_as(
        "SELECT sale_id, line_no, product_id, sku, name, qty_milli, unit_price_minor, discount_minor, total_minor, vat
         FROM sale_lines WHERE (sale_id, local_day) IN (SELECT id, local_day FROM sales WHERE id = ANY($1))
         ORDER BY sale_id, line_no",
    )
    .bind(&ids)
    .fetch_all(db)
    .await?;
    let pays: Vec<PayRow> = sqlx::query_as(
        "SELECT sale_id, tender, amount_minor, approval_code, certificate FROM sale_payments
         WHERE sale_id = ANY($1) ORDER BY sale_id, pos",
    )
    .bind(&ids)
    .fetch_all(db)
    .await?;
    let promos: Vec<PromoRow> = sqlx::query_as(
        "SELECT sale_id, promotion_id, version, name, amount_minor FROM sale_promotions
         WHERE sale_id = ANY($1) ORDER BY sale_id, pos",
    )
    .bind(&ids)
    .fetch_all(db)
    .await?;
    let fiscal: Vec<FiscalRow> = sqlx::query_as(
        "SELECT doc_id, number, sign, fiscal_at, fn_serial, shift_no, receipt_no, correction FROM fiscal_documents
         WHERE doc_id = ANY($1) AND kind = 'sale'",
    )
    .bind(&ids)
    .fetch_all(db)
    .await?;
    let of = |id: Uuid| {
        let lines = lines
            .iter()
            .filter(move |l| l.sale_id == id)
            .map(|l| SaleLine {
                line_no: l.line_no,
                product_id: l.product_id,
                sku: l.sku.clone(),
                name: l.name.clone(),
                qty: shared_model::Quantity::from_milli(l.qty_milli).to_string(),
                unit_price: rub(l.unit_price_minor),
                discount: rub(l.discount_minor),
                total: rub(l.total_minor),
                vat: l.vat.clone(),
            });
        let payments = pays
            .iter()
            .filter(move |p| p.sale_id == id)
            .map(|p| SalePayment {
                tender: p.tender.clone(),
                amount: rub(p.amount_minor),
                approval_code: p.approval_code.clone(),
                certificate: p.certificate.clone(),
            });
        let promotions = promos
            .iter()
            .filter(move |p| p.sale_id == id)
            .map(|p| SalePromotion {
                promotion_id: p.promotion_id,
                version: p.version,
                name: p.name.clone(),
                amount: rub(p.amount_minor),
            });
        let fiscal = fiscal.iter().find(|x| x.doc_id == id).map(|x| SaleFiscal {
            number: x.number,
            sign: x.sign.clone(),
            at: x.fiscal_at,
            fn_serial: x.fn_serial.clone(),
            shift_no: x.shift_no,
            receipt_no: x.receipt_no,
            correction: x.correction,
        });
        (
            lines.collect(),
            payments.collect(),
            promotions.collect(),
            fiscal,
        )
    };
    Ok(heads
        .into_iter()
        .map(|h| {
            let (lines, payments, promotions, fiscal) = of(h.id);
            Sale {
                id: h.id,
                terminal_id: h.terminal_id,
                location_id: h.location_id,
                shift_id: h.shift_id,
                cashier_id: h.cashier_id,
                receipt_no: h.receipt_no,
                completed_at: h.completed_at,
                gross: rub(h.gross_minor),
                discount: rub(h.discount_minor),
                total: rub(h.total_minor),
                change: rub(h.change_minor),
                flags: h.flags,
                catalog_version: h.catalog_version,
                lines,
                payments,
                promotions,
                customer_id: h.customer_id,
                fiscal,
            }
        })
        .collect())
}
