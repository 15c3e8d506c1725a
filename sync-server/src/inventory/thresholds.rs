//! Low-stock thresholds: the least a location should hold of a product. Setting one to
//! zero removes it. The low-stock report lists what has fallen below.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use shared_model::Quantity;
use tracing::instrument;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{begin_at, qty_pairs, QtyLine};
use crate::error::{ApiJson, ApiQuery, ApiResult};
use crate::pagination::{Listing, Page, PageParams};
use crate::rbac::{cap, AuthUser, Authorized, Scope};
use crate::{audit, AppState};

/// Thresholds to set at one location (`qty` "0" removes a product's threshold).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewThresholds {
    /// Where.
    pub location_id: Uuid,
    /// Minimum quantity per product.
    pub lines: Vec<QtyLine>,
}

/// A product's threshold at a location, beside its level.
#[derive(Debug, Serialize, ToSchema)]
pub struct Threshold {
    /// Location.
    pub location_id: Uuid,
    /// Product.
    pub product_id: Uuid,
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// The minimum to hold.
    pub min_qty: String,
    /// On hand now.
    pub qty: String,
    /// Whether the level is below the minimum.
    pub low: bool,
}

/// Threshold filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ThresholdFilter {
    /// Location.
    pub location_id: Option<Uuid>,
    /// Only those below their minimum.
    pub low: Option<bool>,
    /// Page.
    pub page: Option<u32>,
    /// Page size.
    pub per_page: Option<u32>,
}

type Row = (Uuid, Uuid, String, String, i64, i64);

fn finish((location_id, product_id, sku, name, min, qty): Row) -> Threshold {
    Threshold {
        location_id,
        product_id,
        sku,
        name,
        min_qty: Quantity::from_milli(min).to_string(),
        qty: Quantity::from_milli(qty).to_string(),
        low: qty < min,
    }
}

const COLUMNS: &str =
    "t.location_id, t.product_id, p.sku, p.name, t.min_qty_milli, COALESCE(l.qty_milli, 0)";
const FROM: &str = "FROM stock_thresholds t JOIN products p ON p.id = t.product_id
     LEFT JOIN inventory_levels l ON l.location_id = t.location_id AND l.product_id = t.product_id";

/// Sets (or with zero removes) thresholds at a location; all lines or none.
#[instrument(skip_all, err)]
pub async fn set_svc(
    state: &AppState,
    actor: &AuthUser,
    scope: &Scope,
    req: NewThresholds,
) -> ApiResult<Vec<Threshold>> {
    scope.check(req.location_id)?;
    let (mut tx, lines) = begin_at(state, req.location_id, &qty_pairs(&req.lines), true).await?;
    let (gone, set): (Vec<&(Uuid, Quantity)>, Vec<_>) =
        lines.iter().partition(|(_, q)| *q == Quantity::ZERO);
    let gone: Vec<Uuid> = gone.iter().map(|l| l.0).collect();
    sqlx::query("DELETE FROM stock_thresholds WHERE location_id = $1 AND product_id = ANY($2)")
        .bind(req.location_id)
        .bind(&gone)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO stock_thresholds (location_id, product_id, min_qty_milli, updated_by)
         SELECT $1, u.p, u.q, $4 FROM UNNEST($2::uuid[], $3::bigint[]) AS u(p, q) ORDER BY u.p
         ON CONFLICT (location_id, product_id)
         DO UPDATE SET min_qty_milli = EXCLUDED.min_qty_milli, updated_by = EXCLUDED.updated_by, updated_at = now()",
    )
    .bind(req.location_id)
    .bind(set.iter().map(|l| l.0).collect::<Vec<_>>())
    .bind(set.iter().map(|l| l.1.milli()).collect::<Vec<_>>())
    .bind(actor.id)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        "set_thresholds",
        "stock",
        req.location_id,
        None,
        audit::snapshot(&req.lines),
    )
    .await?;
    let ids: Vec<Uuid> = set.iter().map(|l| l.0).collect();
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} {FROM} WHERE t.location_id = $1 AND t.product_id = ANY($2) ORDER BY p.sku"
    ))
    .bind(req.location_id)
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(rows.into_iter().map(finish).collect())
}

/// Thresholds in the caller's scope, with levels.
#[instrument(skip_all, err)]
pub async fn list_svc(
    db: &sqlx::PgPool,
    scope: &Scope,
    f: ThresholdFilter,
) -> ApiResult<Page<Threshold>> {
    let p = PageParams {
        page: f.page,
        per_page: f.per_page,
    };
    let from = format!(
        "{FROM} WHERE ($1::uuid IS NULL OR t.location_id = $1) AND ($2::uuid[] IS NULL OR t.location_id = ANY($2))
           AND ($3::bool IS NOT TRUE OR COALESCE(l.qty_milli, 0) < t.min_qty_milli)"
    );
    let page: Page<Row> = Listing::new(&from)
        .bind(f.location_id)?
        .bind(scope.ids())?
        .bind(f.low)?
        .page(db, COLUMNS, "t.location_id, p.sku", p)
        .await?;
    Ok(page.map(finish))
}

/// Low-stock thresholds in scope, with each level (`low=true`: only those below).
#[utoipa::path(get, path = "/inventory/thresholds", tag = "inventory", params(ThresholdFilter),
    responses((status = 200, body = Page<Threshold>)))]
#[instrument(skip_all, err)]
pub(super) async fn list(
    State(state): State<AppState>,
    auth: Authorized<cap::ReadStock>,
    ApiQuery(f): ApiQuery<ThresholdFilter>,
) -> ApiResult<Json<Page<Threshold>>> {
    Ok(Json(list_svc(&state.db, &auth.scope, f).await?))
}

/// Set low-stock thresholds at a location (`qty` "0" removes one).
#[utoipa::path(put, path = "/inventory/thresholds", tag = "inventory", request_body = NewThresholds,
    responses((status = 200, body = Vec<Threshold>)))]
#[instrument(skip_all, err)]
pub(super) async fn set(
    State(state): State<AppState>,
    auth: Authorized<cap::WriteStock>,
    ApiJson(req): ApiJson<NewThresholds>,
) -> ApiResult<Json<Vec<Threshold>>> {
    Ok(Json(set_svc(&state, &auth.user, &auth.scope, req).await?))
}
