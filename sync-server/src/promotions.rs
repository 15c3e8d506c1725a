//! Promotions: head office defines them (managers for their own stores), and a preview
//! prices a cart with the same engine the tills run.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared_model::pricing::{price_cart, LineInput};
use shared_model::promotions::{
    evaluate, Conditions, PromoContext, PromoKind, PromoLine, Promotion, Target,
};
use shared_model::{Currency, Money, Quantity, Unit, VatRate};
use tracing::instrument;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult};
use crate::pagination::{Page, PageParams};
use crate::rbac::{cap, AuthUser, Authorized, Scope};
use crate::{audit, AppState};

/// A promotion definition as head office writes it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PromotionInput {
    /// Name on receipts.
    pub name: String,
    /// Higher applies first.
    #[serde(default)]
    pub priority: i32,
    /// Does not combine with others (the better for the customer wins).
    #[serde(default)]
    pub exclusive: bool,
    /// `{"type": "all"}`, `{"type": "products", "ids": [...]}` or `{"type": "categories", "ids": [...]}`.
    #[schema(value_type = Object)]
    pub target: Target,
    /// `percent_off`, `amount_off`, `buy_x_get_y`, `bundle` or `spend_threshold`, with its figures.
    #[schema(value_type = Object)]
    pub kind: PromoKind,
    /// Dates, weekdays, hours, stores, minimums, coupon, customer groups, usage limit.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub conditions: Conditions,
    /// Whether it runs.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// A stored promotion.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PromotionView {
    /// Id.
    pub id: Uuid,
    /// Version (bumped on every change).
    pub version: i32,
    /// The definition.
    #[serde(flatten)]
    pub def: PromotionInput,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

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
    /// Store-local moment (default: now, UTC).
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

/// The promotions routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update))
        .routes(routes!(preview))
}

/// The promotions that run in a manager's stores: chain-wide ones and those naming one of
/// them (`$3`: the scope's location ids, NULL for all).
const RUNS_IN: &str = "($3::uuid[] IS NULL OR jsonb_array_length(COALESCE(conditions->'stores', '[]')) = 0
    OR EXISTS (SELECT 1 FROM jsonb_array_elements_text(conditions->'stores') s(id) WHERE s.id::uuid = ANY($3)))";

/// Managers may only run promotions in their own stores, and must say which.
fn check_scope(scope: &Scope, def: &PromotionInput) -> ApiResult<()> {
    match scope {
        Scope::All => Ok(()),
        Scope::Locations(_) if def.conditions.stores.is_empty() => Err(ApiError::Forbidden(
            "list the stores this promotion runs in (your stores only)".into(),
        )),
        Scope::Locations(_) => def
            .conditions
            .stores
            .iter()
            .try_for_each(|s| scope.check(*s)),
    }
}

fn validate(def: &PromotionInput) -> ApiResult<()> {
    let n = def.name.trim().chars().count();
    if n == 0 || n > 200 {
        return Err(ApiError::Validation(
            "name must be 1 to 200 characters".into(),
        ));
    }
    shared_model::promotions::check_definition(&def.target, &def.kind, &def.conditions)
        .map_err(ApiError::Validation)
}

/// The products or categories a promotion targets must exist.
async fn check_targets(conn: &mut sqlx::PgConnection, target: &Target) -> ApiResult<()> {
    let (table, ids) = match target {
        Target::All => return Ok(()),
        Target::Products(ids) => ("products", ids),
        Target::Categories(ids) => ("categories", ids),
    };
    let found: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(DISTINCT id) FROM {table} WHERE id = ANY($1)"
    ))
    .bind(ids)
    .fetch_one(conn)
    .await?;
    let wanted = ids.iter().collect::<std::collections::BTreeSet<_>>().len() as i64;
    if found == wanted {
        Ok(())
    } else {
        Err(ApiError::Validation(format!(
            "{} of the targeted {table} do not exist",
            wanted - found
        )))
    }
}

type Row = (
    Uuid,
    i32,
    String,
    i32,
    bool,
    serde_json::Value,
    serde_json::Value,
    serde_json::Value,
    bool,
    DateTime<Utc>,
);
const COLS: &str =
    "id, version, name, priority, exclusive, target, kind, conditions, active, updated_at";

fn view(r: Row) -> ApiResult<PromotionView> {
    let (id, version, name, priority, exclusive, target, kind, conditions, active, updated_at) = r;
    fn parse<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> ApiResult<T> {
        serde_json::from_value(v).map_err(ApiError::internal)
    }
    Ok(PromotionView {
        id,
        version,
        def: PromotionInput {
            name,
            priority,
            exclusive,
            target: parse(target)?,
            kind: parse(kind)?,
            conditions: parse(conditions)?,
            active,
        },
        updated_at,
    })
}

async fn load(db: &sqlx::PgPool, id: Uuid) -> ApiResult<PromotionView> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLS} FROM promotions WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    view(row.ok_or_else(|| ApiError::NotFound("promotion".into()))?)
}

/// Creates (`id = None`) or replaces a promotion, bumping its version.
#[instrument(skip_all, err)]
pub async fn save(
    state: &AppState,
    actor: &AuthUser,
    scope: &Scope,
    id: Option<Uuid>,
    def: PromotionInput,
) -> ApiResult<PromotionView> {
    validate(&def)?;
    check_scope(scope, &def)?;
    let before = match id {
        Some(id) => {
            let b = load(&state.db, id).await?;
            check_scope(scope, &b.def)?;
            Some(b)
        }
        None => None,
    };
    let mut tx = state.db.begin().await?;
    check_targets(&mut tx, &def.target).await?;
    let row: Row = sqlx::query_as(&format!(
        "INSERT INTO promotions (id, name, priority, exclusive, target, kind, conditions, active, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, jsonb_set($7, '{{used}}', '0'), $8, $9)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, priority = EXCLUDED.priority, exclusive = EXCLUDED.exclusive,
            target = EXCLUDED.target, kind = EXCLUDED.kind, active = EXCLUDED.active,
            -- the use count is head office's tally of synced sales, not an editable setting
            conditions = jsonb_set(EXCLUDED.conditions, '{{used}}', COALESCE(promotions.conditions->'used', '0')),
            version = promotions.version + 1, updated_at = now()
         RETURNING {COLS}"
    ))
    .bind(id.unwrap_or_else(Uuid::now_v7))
    .bind(def.name.trim())
    .bind(def.priority)
    .bind(def.exclusive)
    .bind(json(&def.target)?)
    .bind(json(&def.kind)?)
    .bind(json(&def.conditions)?)
    .bind(def.active)
    .bind(Some(actor.id).filter(|i| !i.is_nil()))
    .fetch_one(&mut *tx)
    .await?;
    let after = view(row)?;
    let action = if before.is_some() { "update" } else { "create" };
    audit::record(
        &mut tx,
        actor,
        action,
        "promotion",
        after.id,
        before.as_ref().and_then(audit::snapshot),
        audit::snapshot(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The engine's types as JSON for JSONB columns.
fn json<T: Serialize>(v: &T) -> ApiResult<serde_json::Value> {
    serde_json::to_value(v).map_err(ApiError::internal)
}

/// List promotions.
#[utoipa::path(get, path = "/promotions", tag = "promotions", params(PageParams), responses((status = 200, body = Page<PromotionView>)))]
#[instrument(skip_all, err)]
async fn list(
    State(state): State<AppState>,
    auth: Authorized<cap::ManagePromotions>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<PromotionView>>> {
    let (limit, offset) = p.limit_offset();
    let scope = auth.scope.ids();
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLS} FROM promotions WHERE {RUNS_IN} ORDER BY priority DESC, id LIMIT $1 OFFSET $2"
    ))
    .bind(limit)
    .bind(offset)
    .bind(&scope)
    .fetch_all(&state.db)
    .await?;
    let total = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM promotions WHERE {}",
        RUNS_IN.replace("$3", "$1")
    ))
    .bind(&scope)
    .fetch_one(&state.db)
    .await?;
    Ok(Json(Page::new(
        rows.into_iter().map(view).collect::<ApiResult<_>>()?,
        p,
        total,
    )))
}

/// Create a promotion.
#[utoipa::path(post, path = "/promotions", tag = "promotions", request_body = PromotionInput, responses((status = 201, body = PromotionView)))]
#[instrument(skip_all, err)]
async fn create(
    State(state): State<AppState>,
    auth: Authorized<cap::ManagePromotions>,
    ApiJson(def): ApiJson<PromotionInput>,
) -> ApiResult<(StatusCode, Json<PromotionView>)> {
    Ok((
        StatusCode::CREATED,
        Json(save(&state, &auth.user, &auth.scope, None, def).await?),
    ))
}

/// One promotion.
#[utoipa::path(get, path = "/promotions/{id}", tag = "promotions", params(("id" = Uuid, Path, description = "Id")), responses((status = 200, body = PromotionView)))]
#[instrument(skip_all, err)]
async fn get_one(
    State(state): State<AppState>,
    auth: Authorized<cap::ManagePromotions>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<PromotionView>> {
    let p = load(&state.db, id).await?;
    let runs_here = match &auth.scope {
        Scope::All => true,
        Scope::Locations(mine) => {
            p.def.conditions.stores.is_empty()
                || p.def.conditions.stores.iter().any(|s| mine.contains(s))
        }
    };
    if !runs_here {
        return Err(ApiError::NotFound("promotion".into()));
    }
    Ok(Json(p))
}

/// Replace a promotion's definition (its version goes up).
#[utoipa::path(put, path = "/promotions/{id}", tag = "promotions", params(("id" = Uuid, Path, description = "Id")), request_body = PromotionInput, responses((status = 200, body = PromotionView)))]
#[instrument(skip_all, err)]
async fn update(
    State(state): State<AppState>,
    auth: Authorized<cap::ManagePromotions>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(def): ApiJson<PromotionInput>,
) -> ApiResult<Json<PromotionView>> {
    Ok(Json(
        save(&state, &auth.user, &auth.scope, Some(id), def).await?,
    ))
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
    let mut lines = Vec::new();
    let mut inputs = Vec::new();
    for l in &req.lines {
        type P = (String, String, i64, Option<Uuid>, i64);
        let p: Option<P> = sqlx::query_as(
            "SELECT p.unit, p.vat, COALESCE(pr.price_minor, p.default_price_minor), p.category_id, p.cost_minor FROM products p
             LEFT JOIN prices pr ON pr.product_id = p.id AND pr.location_id = $2 WHERE p.id = $1 AND p.active",
        )
        .bind(l.product_id)
        .bind(req.store_id)
        .fetch_optional(&state.db)
        .await?;
        let (unit, vat, price, category, cost) =
            p.ok_or_else(|| ApiError::Validation(format!("no product {}", l.product_id)))?;
        let qty = Quantity::parse_for_sale(&l.qty, Unit::parse(&unit)?)?;
        let price = Money::rub(price);
        let amount = shared_model::pricing::line_amount(price, qty)?;
        lines.push(PromoLine {
            product_id: l.product_id,
            category_id: category,
            unit_price: price,
            qty,
            amount,
            // Never below cost, exactly as the till computes it.
            floor: shared_model::pricing::line_amount(Money::rub(cost), qty)?,
        });
        inputs.push(LineInput {
            unit_price: price,
            qty,
            vat: VatRate::from_code(&vat)?,
            discount: None,
        });
    }
    let rows: Vec<Row> = sqlx::query_as(&format!("SELECT {COLS} FROM promotions WHERE active"))
        .fetch_all(&state.db)
        .await?;
    let promos: Vec<Promotion> = rows
        .into_iter()
        .map(view)
        .collect::<ApiResult<Vec<_>>>()?
        .into_iter()
        .map(|v| Promotion {
            id: v.id,
            version: v.version as u32,
            name: v.def.name,
            priority: v.def.priority,
            exclusive: v.def.exclusive,
            target: v.def.target,
            kind: v.def.kind,
            conditions: v.def.conditions,
        })
        .collect();
    let ctx = PromoContext {
        lines: &lines,
        store: req.store_id,
        now: req.at.unwrap_or_else(|| Utc::now().naive_utc()),
        coupons: &req.coupons,
        customer_group: req.customer_group.as_deref(),
    };
    let applied = evaluate(&ctx, &promos);
    let priced = price_cart(Currency::RUB, &inputs, &applied, None)?;
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
async fn preview(
    State(state): State<AppState>,
    auth: Authorized<cap::ManagePromotions>,
    ApiJson(req): ApiJson<PreviewRequest>,
) -> ApiResult<Json<PreviewResponse>> {
    Ok(Json(preview_cart(&state, &auth.scope, req).await?))
}
