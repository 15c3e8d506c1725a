//! Stock: levels per location, and the operations that change them — receiving,
//! transfers (shipped, then received) and counts. Every change is a movement, and a
//! level is the sum of its movements, updated in the same transaction.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared_model::{Quantity, Unit};
use sqlx::PgConnection;
use tracing::instrument;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult};
use crate::ledger::{self, Kind, Moves, Origin, Warehouses};
use crate::pagination::{Listing, Page, PageParams};
use crate::rbac::{cap, AuthUser, Authorized, Scope};
use crate::{audit, AppState};

pub mod thresholds;

/// A product and a quantity ("10", "2.5").
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QtyLine {
    /// Product.
    pub product_id: Uuid,
    /// Quantity, up to 3 decimals (whole for goods sold by the piece).
    pub qty: String,
}

/// Goods received at a location.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// Where.
    pub location_id: Uuid,
    /// What.
    pub lines: Vec<QtyLine>,
    /// Supplier document, note.
    pub reason: Option<String>,
}

/// A transfer to ship.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTransfer {
    /// From.
    pub from_location_id: Uuid,
    /// To.
    pub to_location_id: Uuid,
    /// What.
    pub lines: Vec<QtyLine>,
    /// Note.
    pub note: Option<String>,
}

/// A transfer.
#[derive(Debug, Clone, Serialize, ToSchema)]
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
    /// Shipped at.
    pub created_at: DateTime<Utc>,
    /// Received at.
    pub received_at: Option<DateTime<Utc>>,
}

/// A counted product.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CountLine {
    /// Product.
    pub product_id: Uuid,
    /// Quantity found on the shelf.
    pub counted: String,
}

/// A stock count at a location.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StockCount {
    /// Where.
    pub location_id: Uuid,
    /// Why the levels change (required).
    pub reason: String,
    /// What was counted.
    pub lines: Vec<CountLine>,
}

/// What a count changed, per product.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountResult {
    /// Product.
    pub product_id: Uuid,
    /// Level before.
    pub expected: String,
    /// Counted.
    pub counted: String,
    /// `counted − expected`.
    pub adjustment: String,
}

/// A stock level.
#[derive(Debug, Serialize, sqlx::FromRow, ToSchema)]
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
    /// Quantity on hand (may be negative at stores).
    #[sqlx(skip)]
    pub qty: String,
    #[serde(skip)]
    qty_milli: i64,
}

/// A stock movement.
#[derive(Debug, Serialize, ToSchema)]
pub struct Movement {
    /// Id.
    pub id: Uuid,
    /// Location.
    pub location_id: Uuid,
    /// Product.
    pub product_id: Uuid,
    /// Signed quantity.
    pub qty: String,
    /// receive, transfer_out, transfer_in, count, adjust, sale, return.
    pub kind: String,
    /// Reason.
    pub reason: Option<String>,
    /// Transfer, if any.
    pub transfer_id: Option<Uuid>,
    /// Who.
    pub user_id: Option<Uuid>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Level and movement filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StockFilter {
    /// Location.
    pub location_id: Option<Uuid>,
    /// Product.
    pub product_id: Option<Uuid>,
    /// Page.
    pub page: Option<u32>,
    /// Page size.
    pub per_page: Option<u32>,
}

/// Transfer filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TransferFilter {
    /// `shipped` or `received`.
    pub status: Option<String>,
    /// Either end.
    pub location_id: Option<Uuid>,
    /// Page.
    pub page: Option<u32>,
    /// Page size.
    pub per_page: Option<u32>,
}

/// The inventory routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(levels))
        .routes(routes!(movements))
        .routes(routes!(receive))
        .routes(routes!(list_transfers, ship))
        .routes(routes!(receive_transfer))
        .routes(routes!(count))
        .routes(routes!(thresholds::list, thresholds::set))
}

/// Parses quantities against each product's unit; unknown products are refused.
async fn parse_lines(
    conn: &mut PgConnection,
    lines: &[(Uuid, &str)],
    allow_zero: bool,
) -> ApiResult<Vec<(Uuid, Quantity)>> {
    if lines.is_empty() {
        return Err(ApiError::Validation("at least one line is required".into()));
    }
    let ids: Vec<Uuid> = lines.iter().map(|l| l.0).collect();
    let units: HashMap<Uuid, String> =
        sqlx::query_as::<_, (Uuid, String)>("SELECT id, unit FROM products WHERE id = ANY($1)")
            .bind(&ids)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
    let mut out: Vec<(Uuid, Quantity)> = Vec::new();
    for (id, q) in lines {
        let unit = Unit::parse(
            units
                .get(id)
                .ok_or_else(|| ApiError::Validation(format!("no product {id}")))?,
        )?;
        let qty = Quantity::parse(q)?;
        if !(allow_zero && qty == Quantity::ZERO) {
            qty.validate_for(unit)?;
        }
        if out.iter().any(|(p, _)| p == id) {
            return Err(ApiError::Validation(format!(
                "product {id} is listed twice"
            )));
        }
        out.push((*id, qty));
    }
    Ok(out)
}

/// A movement made at head office by `actor`.
fn office(
    actor: &AuthUser,
    (location, product, qty_milli): (Uuid, Uuid, i64),
    kind: Kind,
    reason: Option<&str>,
    transfer: Option<Uuid>,
) -> ledger::Movement {
    ledger::Movement {
        location,
        product,
        qty_milli,
        kind,
        reason: reason.map(str::to_owned),
        by: Origin::Office {
            user: actor.id,
            transfer,
        },
    }
}

/// Opens a stock change's transaction at an active `location` and parses its lines
/// (product, quantity as typed) against each product's unit.
async fn begin_at(
    state: &AppState,
    location: Uuid,
    lines: &[(Uuid, &str)],
    allow_zero: bool,
) -> ApiResult<(
    sqlx::Transaction<'static, sqlx::Postgres>,
    Vec<(Uuid, Quantity)>,
)> {
    let mut tx = state.db.begin().await?;
    check_location(&mut tx, location).await?;
    let parsed = parse_lines(&mut tx, lines, allow_zero).await?;
    Ok((tx, parsed))
}

/// The (product, quantity) pairs of request lines.
fn qty_pairs(lines: &[QtyLine]) -> Vec<(Uuid, &str)> {
    lines
        .iter()
        .map(|l| (l.product_id, l.qty.as_str()))
        .collect()
}

async fn check_location(conn: &mut PgConnection, id: Uuid) -> ApiResult<()> {
    let active: Option<bool> = sqlx::query_scalar("SELECT active FROM locations WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    match active {
        Some(true) => Ok(()),
        Some(false) => Err(ApiError::Validation("that location is inactive".into())),
        None => Err(ApiError::Validation(format!("no location {id}"))),
    }
}

/// Receives goods at a location.
#[instrument(skip_all, err)]
pub async fn receive_svc(
    state: &AppState,
    actor: &AuthUser,
    scope: &Scope,
    req: Receipt,
) -> ApiResult<Vec<Level>> {
    scope.check(req.location_id)?;
    let (mut tx, lines) = begin_at(state, req.location_id, &qty_pairs(&req.lines), false).await?;
    let mut moves = Moves::default();
    for (product, qty) in &lines {
        moves.push(office(
            actor,
            (req.location_id, *product, qty.milli()),
            Kind::Receive,
            req.reason.as_deref(),
            None,
        ));
    }
    moves
        .write(&mut tx, Warehouses::from_config(&state.config))
        .await?;
    audit::record(
        &mut tx,
        actor,
        "receive",
        "stock",
        req.location_id,
        None,
        audit::snapshot(&req.lines),
    )
    .await?;
    let out = levels_of(
        &mut tx,
        req.location_id,
        &lines.iter().map(|l| l.0).collect::<Vec<_>>(),
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

async fn levels_of(
    conn: &mut PgConnection,
    location: Uuid,
    products: &[Uuid],
) -> ApiResult<Vec<Level>> {
    let rows: Vec<Level> = sqlx::query_as(
        "SELECT l.location_id, l.product_id, p.sku, p.name, p.unit, l.qty_milli FROM inventory_levels l
         JOIN products p ON p.id = l.product_id WHERE l.location_id = $1 AND l.product_id = ANY($2) ORDER BY p.sku",
    )
    .bind(location)
    .bind(products)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Level::finish).collect())
}

impl Level {
    fn finish(mut self) -> Self {
        self.qty = Quantity::from_milli(self.qty_milli).to_string();
        self
    }
}

async fn load_transfer(conn: &mut PgConnection, id: Uuid) -> ApiResult<Transfer> {
    type Head = (
        Uuid,
        Uuid,
        Uuid,
        String,
        Option<String>,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
    );
    let head: Option<Head> = sqlx::query_as(
        "SELECT id, from_location_id, to_location_id, status, note, created_at, received_at FROM transfers WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let (id, from, to, status, note, created_at, received_at) =
        head.ok_or_else(|| ApiError::NotFound("transfer".into()))?;
    let lines: Vec<(Uuid, i64)> =
        sqlx::query_as("SELECT product_id, qty_milli FROM transfer_lines WHERE transfer_id = $1 ORDER BY product_id")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(Transfer {
        id,
        from_location_id: from,
        to_location_id: to,
        status,
        note,
        lines: lines
            .into_iter()
            .map(|(p, q)| QtyLine {
                product_id: p,
                qty: Quantity::from_milli(q).to_string(),
            })
            .collect(),
        created_at,
        received_at,
    })
}

/// Ships a transfer: stock leaves the source now and arrives when received.
#[instrument(skip_all, err)]
pub async fn ship_svc(
    state: &AppState,
    actor: &AuthUser,
    scope: &Scope,
    req: NewTransfer,
) -> ApiResult<Transfer> {
    scope.check(req.from_location_id)?;
    if req.from_location_id == req.to_location_id {
        return Err(ApiError::Validation(
            "a transfer needs two different locations".into(),
        ));
    }
    let mut tx = state.db.begin().await?;
    check_location(&mut tx, req.from_location_id).await?;
    check_location(&mut tx, req.to_location_id).await?;
    let lines = parse_lines(&mut tx, &qty_pairs(&req.lines), false).await?;
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO transfers (id, from_location_id, to_location_id, status, note, created_by) VALUES ($1, $2, $3, 'shipped', $4, $5)",
    )
    .bind(id)
    .bind(req.from_location_id)
    .bind(req.to_location_id)
    .bind(&req.note)
    .bind(actor.id)
    .execute(&mut *tx)
    .await?;
    let mut moves = Moves::default();
    for (product, qty) in &lines {
        sqlx::query(
            "INSERT INTO transfer_lines (transfer_id, product_id, qty_milli) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(product)
        .bind(qty.milli())
        .execute(&mut *tx)
        .await?;
        moves.push(office(
            actor,
            (req.from_location_id, *product, -qty.milli()),
            Kind::TransferOut,
            req.note.as_deref(),
            Some(id),
        ));
    }
    moves
        .write(&mut tx, Warehouses::from_config(&state.config))
        .await?;
    let t = load_transfer(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor,
        "ship",
        "transfer",
        id,
        None,
        audit::snapshot(&t),
    )
    .await?;
    tx.commit().await?;
    Ok(t)
}

/// Receives a shipped transfer at its destination.
#[instrument(skip_all, err)]
pub async fn receive_transfer_svc(
    state: &AppState,
    actor: &AuthUser,
    scope: &Scope,
    id: Uuid,
) -> ApiResult<Transfer> {
    let mut tx = state.db.begin().await?;
    let status: Option<(String, Uuid)> =
        sqlx::query_as("SELECT status, to_location_id FROM transfers WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let (status, to) = status.ok_or_else(|| ApiError::NotFound("transfer".into()))?;
    scope.check(to)?;
    if status != "shipped" {
        return Err(ApiError::Conflict(
            "this transfer was already received".into(),
        ));
    }
    let before = load_transfer(&mut tx, id).await?;
    let mut moves = Moves::default();
    for line in &before.lines {
        let qty = Quantity::parse(&line.qty)?;
        moves.push(office(
            actor,
            (to, line.product_id, qty.milli()),
            Kind::TransferIn,
            before.note.as_deref(),
            Some(id),
        ));
    }
    moves
        .write(&mut tx, Warehouses::from_config(&state.config))
        .await?;
    sqlx::query("UPDATE transfers SET status = 'received', received_by = $2, received_at = now() WHERE id = $1")
        .bind(id)
        .bind(actor.id)
        .execute(&mut *tx)
        .await?;
    let after = load_transfer(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor,
        "receive",
        "transfer",
        id,
        audit::snapshot(&before),
        audit::snapshot(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Records a count: each counted product's level becomes what was found, through
/// one `count` movement of the difference, with the reason.
#[instrument(skip_all, err)]
pub async fn count_svc(
    state: &AppState,
    actor: &AuthUser,
    scope: &Scope,
    req: StockCount,
) -> ApiResult<Vec<CountResult>> {
    scope.check(req.location_id)?;
    let reason = req.reason.trim();
    if reason.is_empty() {
        return Err(ApiError::Validation("a count needs a reason".into()));
    }
    let raw: Vec<(Uuid, &str)> = req
        .lines
        .iter()
        .map(|l| (l.product_id, l.counted.as_str()))
        .collect();
    let (mut tx, lines) = begin_at(state, req.location_id, &raw, true).await?;
    let mut out = Vec::new();
    let mut moves = Moves::default();
    for (product, counted) in &lines {
        let expected: i64 = sqlx::query_scalar(
            "SELECT COALESCE((SELECT qty_milli FROM inventory_levels WHERE location_id = $1 AND product_id = $2 FOR UPDATE), 0)",
        )
        .bind(req.location_id)
        .bind(product)
        .fetch_one(&mut *tx)
        .await?;
        let delta = counted.milli() - expected;
        moves.push(office(
            actor,
            (req.location_id, *product, delta),
            Kind::Count,
            Some(reason),
            None,
        ));
        out.push(CountResult {
            product_id: *product,
            expected: Quantity::from_milli(expected).to_string(),
            counted: counted.to_string(),
            adjustment: Quantity::from_milli(delta).to_string(),
        });
    }
    moves
        .write(&mut tx, Warehouses::from_config(&state.config))
        .await?;
    audit::record(
        &mut tx,
        actor,
        "count",
        "stock",
        req.location_id,
        None,
        audit::snapshot(&out),
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

/// Stock levels in scope.
#[utoipa::path(get, path = "/inventory/levels", tag = "inventory", params(StockFilter), responses((status = 200, body = Page<Level>)))]
#[instrument(skip_all, err)]
async fn levels(
    State(state): State<AppState>,
    auth: Authorized<cap::ReadStock>,
    ApiQuery(f): ApiQuery<StockFilter>,
) -> ApiResult<Json<Page<Level>>> {
    let p = PageParams {
        page: f.page,
        per_page: f.per_page,
    };
    let page: Page<Level> = Listing::new(
        "FROM inventory_levels l JOIN products p ON p.id = l.product_id
         WHERE ($1::uuid IS NULL OR l.location_id = $1) AND ($2::uuid IS NULL OR l.product_id = $2)
           AND ($3::uuid[] IS NULL OR l.location_id = ANY($3))",
    )
    .bind(f.location_id)?
    .bind(f.product_id)?
    .bind(auth.scope.ids())?
    .page(
        &state.db,
        "l.location_id, l.product_id, p.sku, p.name, p.unit, l.qty_milli",
        "l.location_id, p.sku",
        p,
    )
    .await?;
    Ok(Json(page.map(Level::finish)))
}

/// Stock movements in scope, newest first.
#[utoipa::path(get, path = "/inventory/movements", tag = "inventory", params(StockFilter), responses((status = 200, body = Page<Movement>)))]
#[instrument(skip_all, err)]
async fn movements(
    State(state): State<AppState>,
    auth: Authorized<cap::ReadStock>,
    ApiQuery(f): ApiQuery<StockFilter>,
) -> ApiResult<Json<Page<Movement>>> {
    let p = PageParams {
        page: f.page,
        per_page: f.per_page,
    };
    type Row = (
        Uuid,
        Uuid,
        Uuid,
        i64,
        String,
        Option<String>,
        Option<Uuid>,
        Option<Uuid>,
        DateTime<Utc>,
    );
    let page: Page<Row> = Listing::new(
        "FROM inventory_movements
         WHERE ($1::uuid IS NULL OR location_id = $1) AND ($2::uuid IS NULL OR product_id = $2)
           AND ($3::uuid[] IS NULL OR location_id = ANY($3))",
    )
    .bind(f.location_id)?
    .bind(f.product_id)?
    .bind(auth.scope.ids())?
    .page(
        &state.db,
        "id, location_id, product_id, qty_milli, kind, reason, transfer_id, user_id, created_at",
        "created_at DESC, id DESC",
        p,
    )
    .await?;
    Ok(Json(page.map(
        |(id, location_id, product_id, q, kind, reason, transfer_id, user_id, created_at)| {
            Movement {
                id,
                location_id,
                product_id,
                qty: Quantity::from_milli(q).to_string(),
                kind,
                reason,
                transfer_id,
                user_id,
                created_at,
            }
        },
    )))
}

/// Receive goods at a location.
#[utoipa::path(post, path = "/inventory/receipts", tag = "inventory", request_body = Receipt, responses((status = 201, body = Vec<Level>)))]
#[instrument(skip_all, err)]
async fn receive(
    State(state): State<AppState>,
    auth: Authorized<cap::WriteStock>,
    ApiJson(req): ApiJson<Receipt>,
) -> ApiResult<(StatusCode, Json<Vec<Level>>)> {
    Ok((
        StatusCode::CREATED,
        Json(receive_svc(&state, &auth.user, &auth.scope, req).await?),
    ))
}

/// Transfers touching the caller's locations.
#[utoipa::path(get, path = "/inventory/transfers", tag = "inventory", params(TransferFilter), responses((status = 200, body = Page<Transfer>)))]
#[instrument(skip_all, err)]
async fn list_transfers(
    State(state): State<AppState>,
    auth: Authorized<cap::ReadStock>,
    ApiQuery(f): ApiQuery<TransferFilter>,
) -> ApiResult<Json<Page<Transfer>>> {
    let p = PageParams {
        page: f.page,
        per_page: f.per_page,
    };
    let ids: Page<(Uuid,)> = Listing::new(
        "FROM transfers WHERE ($1::text IS NULL OR status = $1)
           AND ($2::uuid IS NULL OR from_location_id = $2 OR to_location_id = $2)
           AND ($3::uuid[] IS NULL OR from_location_id = ANY($3) OR to_location_id = ANY($3))",
    )
    .bind(f.status)?
    .bind(f.location_id)?
    .bind(auth.scope.ids())?
    .page(&state.db, "id", "created_at DESC", p)
    .await?;
    let mut conn = state.db.acquire().await?;
    let mut items = Vec::with_capacity(ids.items.len());
    for (id,) in &ids.items {
        items.push(load_transfer(&mut conn, *id).await?);
    }
    Ok(Json(Page::new(items, p, ids.total)))
}

/// Ship a transfer.
#[utoipa::path(post, path = "/inventory/transfers", tag = "inventory", request_body = NewTransfer, responses((status = 201, body = Transfer)))]
#[instrument(skip_all, err)]
async fn ship(
    State(state): State<AppState>,
    auth: Authorized<cap::WriteStock>,
    ApiJson(req): ApiJson<NewTransfer>,
) -> ApiResult<(StatusCode, Json<Transfer>)> {
    Ok((
        StatusCode::CREATED,
        Json(ship_svc(&state, &auth.user, &auth.scope, req).await?),
    ))
}

/// Receive a shipped transfer at its destination.
#[utoipa::path(post, path = "/inventory/transfers/{id}/receive", params(("id" = Uuid, Path, description = "Id")), tag = "inventory", responses((status = 200, body = Transfer)))]
#[instrument(skip_all, err)]
async fn receive_transfer(
    State(state): State<AppState>,
    auth: Authorized<cap::WriteStock>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Transfer>> {
    Ok(Json(
        receive_transfer_svc(&state, &auth.user, &auth.scope, id).await?,
    ))
}

/// Record a stock count; levels are adjusted to what was counted.
#[utoipa::path(post, path = "/inventory/counts", tag = "inventory", request_body = StockCount, responses((status = 201, body = Vec<CountResult>)))]
#[instrument(skip_all, err)]
async fn count(
    State(state): State<AppState>,
    auth: Authorized<cap::WriteStock>,
    ApiJson(req): ApiJson<StockCount>,
) -> ApiResult<(StatusCode, Json<Vec<CountResult>>)> {
    Ok((
        StatusCode::CREATED,
        Json(count_svc(&state, &auth.user, &auth.scope, req).await?),
    ))
}
