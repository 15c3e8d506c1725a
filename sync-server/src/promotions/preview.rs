//! The preview: a cart priced with a store's prices and promotions by the very function
//! tills price with ([`price_sale`]), at the store's local time.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use shared_model::sale_pricing::{price_sale, Floor, Occasion, SaleLine};
use shared_model::{Currency, Money, Quantity, Unit, VatRate};
use tracing::instrument;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ApiError, ApiJson, ApiResult};
use crate::rbac::{cap, Authorized, Scope};
use crate::AppState;

/// A cart to price.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    /// The store (its prices and promotions).
    pub store_id: Uuid,
    /// Lines: product and quantity.
    pub lines: Vec<PreviewLine>,
    /// Coupon codes presented.
    #[serde(default)]
    pub coupons: Vec<String>,
    /// The customer's group, if any.
    pub customer_group: Option<String>,
    /// The store's local time to price at (default: now in the store's time zone).
    pub at: Option<chrono::NaiveDateTime>,
}

/// A line to price.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewLine {
    /// Product.
    pub product_id: Uuid,
    /// Quantity ("2", "2.5").
    pub qty: String,
}

/// A priced cart.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewResponse {
    /// Per line: gross, discount, total (decimal strings).
    pub lines: Vec<PreviewLineOut>,
    /// Promotions that applied, with what each gave.
    pub promotions: Vec<AppliedOut>,
    /// Before discounts.
    pub gross: String,
    /// All discounts.
    pub discount: String,
    /// To pay.
    pub total: String,
}

/// A priced line.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewLineOut {
    /// Product.
    pub product_id: Uuid,
    /// Unit price × quantity.
    pub gross: String,
    /// Promotion discounts.
    pub discount: String,
    /// To pay for the line.
    pub total: String,
}

/// An applied promotion.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppliedOut {
    /// Promotion.
    pub promotion_id: Uuid,
    /// Its name.
    pub name: String,
    /// The saving.
    pub saving: String,
}

/// A product as the preview prices it in one store.
#[derive(sqlx::FromRow)]
struct Priced {
    unit: String,
    vat: String,
    price_minor: i64,
    category_id: Option<Uuid>,
    cost_minor: i64,
}

/// Prices a cart in a store with its prices and active promotions, as a till would.
#[instrument(skip_all, err)]
pub async fn preview_cart(
    state: &AppState,
    scope: &Scope,
    req: PreviewRequest,
) -> ApiResult<PreviewResponse> {
    scope.check(req.store_id)?;
    if req.lines.is_empty() {
        return Err(ApiError::Validation("at least one line is required".into()));
    }
    let mut conn = state.db.acquire().await?;
    // Promotions' dates, weekdays and hours are the store's local time, as at its tills.
    let store_now: Option<chrono::NaiveDateTime> =
        sqlx::query_scalar("SELECT now() AT TIME ZONE timezone FROM locations WHERE id = $1")
            .bind(req.store_id)
            .fetch_optional(&mut *conn)
            .await?;
    let store_now = store_now.ok_or_else(|| ApiError::NotFound("store".into()))?;
    let mut lines = Vec::with_capacity(req.lines.len());
    for l in &req.lines {
        let p: Option<Priced> = sqlx::query_as(
            "SELECT p.unit, p.vat, COALESCE(pr.price_minor, p.default_price_minor) AS price_minor,
                    p.category_id, p.cost_minor
             FROM products p LEFT JOIN prices pr ON pr.product_id = p.id AND pr.location_id = $2
             WHERE p.id = $1 AND p.active",
        )
        .bind(l.product_id)
        .bind(req.store_id)
        .fetch_optional(&mut *conn)
        .await?;
        let p = p.ok_or_else(|| ApiError::Validation(format!("no product {}", l.product_id)))?;
        lines.push(SaleLine {
            product_id: l.product_id,
            category_id: p.category_id,
            unit_price: Money::rub(p.price_minor),
            qty: Quantity::parse_for_sale(&l.qty, Unit::parse(&p.unit)?)?,
            vat: VatRate::from_code(&p.vat)?,
            discount: None,
            floor: Floor::Cost(Money::rub(p.cost_minor)),
        });
    }
    let promos = super::running(&mut conn, None).await?;
    let at = Occasion {
        store: Some(req.store_id),
        now: req.at.unwrap_or(store_now),
        coupons: &req.coupons,
        customer_group: req.customer_group.as_deref(),
    };
    let priced = price_sale(Currency::RUB, &lines, &promos, &at, None)?;
    let s = |m: Money| m.to_decimal_string();
    Ok(PreviewResponse {
        lines: lines
            .iter()
            .zip(&priced.lines)
            .map(|(l, p)| PreviewLineOut {
                product_id: l.product_id,
                gross: s(p.gross),
                discount: s(p.discount()),
                total: s(p.total),
            })
            .collect(),
        promotions: priced
            .promotions
            .iter()
            .map(|(a, saving)| AppliedOut {
                promotion_id: a.promotion_id,
                name: a.name.clone(),
                saving: s(*saving),
            })
            .collect(),
        gross: s(priced.gross),
        discount: s(priced.discount),
        total: s(priced.total),
    })
}

/// Preview: price a cart with the store's prices and promotions.
#[utoipa::path(post, path = "/promotions/preview", tag = "promotions", request_body = PreviewRequest, responses((status = 200, body = PreviewResponse)))]
#[instrument(skip_all, err)]
pub(super) async fn preview(
    State(state): State<AppState>,
    auth: Authorized<cap::ManagePromotions>,
    ApiJson(req): ApiJson<PreviewRequest>,
) -> ApiResult<Json<PreviewResponse>> {
    Ok(Json(preview_cart(&state, &auth.scope, req).await?))
}
