//! Locations: stores (with tills) and warehouses.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tracing::instrument;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult};
use crate::pagination::{Listing, Page, PageParams};
use crate::rbac::{cap, AuthUser, Authorized, Scope};
use crate::{audit, AppState};

/// A store or warehouse.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct Location {
    /// Id.
    pub id: Uuid,
    /// Short unique code (e.g. `MSK-01`).
    pub code: String,
    /// Name.
    pub name: String,
    /// `store` or `warehouse`.
    pub kind: String,
    /// Address.
    pub address: Option<String>,
    /// IANA time zone for reports.
    pub timezone: String,
    /// Active.
    pub active: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// A store whose tills may sell without a fiscal register (their slips say they
    /// are not fiscal documents); false: every sale needs its fiscal receipt.
    pub non_fiscal: bool,
    /// The store's taxation system, printed on every fiscal receipt (`osn`, `usn_income`,
    /// `usn_income_outcome`, `patent`, `esn`).
    pub taxation: String,
}

/// A new location.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLocation {
    /// Unique code.
    pub code: String,
    /// Name.
    pub name: String,
    /// `store` or `warehouse`.
    pub kind: String,
    /// Address.
    pub address: Option<String>,
    /// IANA time zone (default Europe/Moscow).
    pub timezone: Option<String>,
    /// Sells without a fiscal register (default false).
    pub non_fiscal: Option<bool>,
    /// Taxation system (default `osn`).
    pub taxation: Option<String>,
}

/// Changes to a location.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationUpdate {
    /// Name.
    pub name: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Time zone.
    pub timezone: Option<String>,
    /// Active.
    pub active: Option<bool>,
    /// Sells without a fiscal register.
    pub non_fiscal: Option<bool>,
    /// Taxation system.
    pub taxation: Option<String>,
}

/// Location list filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LocationFilter {
    /// `store` or `warehouse`.
    pub kind: Option<String>,
    /// Page.
    pub page: Option<u32>,
    /// Page size.
    pub per_page: Option<u32>,
}

/// The locations routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update))
}

fn check_kind(kind: &str) -> ApiResult<()> {
    if matches!(kind, "store" | "warehouse") {
        Ok(())
    } else {
        Err(ApiError::Validation("kind is store or warehouse".into()))
    }
}

/// What a location row is read as.
const COLUMNS: &str =
    "id, code, name, kind, address, timezone, active, created_at, non_fiscal, taxation";

fn check_taxation(t: Option<&str>) -> ApiResult<()> {
    match t.map(shared_model::fiscal::Taxation::parse) {
        Some(Err(e)) => Err(ApiError::Validation(e.to_string())),
        _ => Ok(()),
    }
}

fn check_text(what: &str, v: &str, max: usize) -> ApiResult<()> {
    let n = v.trim().chars().count();
    if n == 0 || n > max {
        return Err(ApiError::Validation(format!(
            "{what} must be 1 to {max} characters"
        )));
    }
    Ok(())
}

/// A time zone must be one PostgreSQL knows: reports, promotion previews and local days
/// are computed with `AT TIME ZONE`, which a misspelt zone would break for good.
async fn check_timezone(conn: &mut sqlx::PgConnection, tz: Option<&str>) -> ApiResult<()> {
    let Some(tz) = tz else { return Ok(()) };
    let known: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1)")
            .bind(tz)
            .fetch_one(conn)
            .await?;
    if known {
        Ok(())
    } else {
        Err(ApiError::Validation(format!(
            "unknown time zone {tz:?} (an IANA name such as Europe/Moscow)"
        )))
    }
}

/// Loads a location (any scope).
pub async fn load(db: &sqlx::PgPool, id: Uuid) -> ApiResult<Location> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM locations WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or_else(|| ApiError::NotFound("location".into()))
}

/// Creates a location.
#[instrument(skip_all, err)]
pub async fn create_location(
    state: &AppState,
    actor: &AuthUser,
    req: NewLocation,
) -> ApiResult<Location> {
    check_kind(&req.kind)?;
    check_text("code", &req.code, 32)?;
    check_text("name", &req.name, 200)?;
    check_taxation(req.taxation.as_deref())?;
    let mut tx = state.db.begin().await?;
    check_timezone(&mut tx, req.timezone.as_deref()).await?;
    let loc: Location = sqlx::query_as(&format!(
        "INSERT INTO locations (id, code, name, kind, address, timezone, non_fiscal, taxation)
         VALUES ($1, $2, $3, $4, $5, COALESCE($6, 'Europe/Moscow'), COALESCE($7, false), COALESCE($8, 'osn'))
         RETURNING {COLUMNS}"
    ))
    .bind(Uuid::now_v7())
    .bind(req.code.trim())
    .bind(req.name.trim())
    .bind(&req.kind)
    .bind(&req.address)
    .bind(&req.timezone)
    .bind(req.non_fiscal)
    .bind(req.taxation.as_deref().map(str::trim))
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        "create",
        "location",
        loc.id,
        None,
        audit::snapshot(&loc),
    )
    .await?;
    tx.commit().await?;
    Ok(loc)
}

/// List locations in scope.
#[utoipa::path(get, path = "/locations", tag = "locations", params(LocationFilter), responses((status = 200, body = Page<Location>)))]
#[instrument(skip_all, err)]
async fn list(
    State(state): State<AppState>,
    auth: Authorized<cap::ReadLocations>,
    ApiQuery(f): ApiQuery<LocationFilter>,
) -> ApiResult<Json<Page<Location>>> {
    let p = PageParams {
        page: f.page,
        per_page: f.per_page,
    };
    let page: Page<Location> = Listing::new("FROM locations WHERE ($1::text IS NULL OR kind = $1) AND ($2::uuid[] IS NULL OR id = ANY($2))")
    .bind(f.kind)?
    .bind(auth.scope.ids())?
    .page(&state.db, COLUMNS, "code", p)
    .await?;
    Ok(Json(page))
}

/// Create a location (admin).
#[utoipa::path(post, path = "/locations", tag = "locations", request_body = NewLocation, responses((status = 201, body = Location)))]
#[instrument(skip_all, err)]
async fn create(
    State(state): State<AppState>,
    auth: Authorized<cap::ManageLocations>,
    ApiJson(req): ApiJson<NewLocation>,
) -> ApiResult<(StatusCode, Json<Location>)> {
    Ok((
        StatusCode::CREATED,
        Json(create_location(&state, &auth.user, req).await?),
    ))
}

/// One location.
#[utoipa::path(get, path = "/locations/{id}", params(("id" = Uuid, Path, description = "Id")), tag = "locations", responses((status = 200, body = Location)))]
#[instrument(skip_all, err)]
async fn get_one(
    State(state): State<AppState>,
    auth: Authorized<cap::ReadLocations>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Location>> {
    if auth.scope.check(id).is_err() {
        return Err(ApiError::NotFound("location".into()));
    }
    Ok(Json(load(&state.db, id).await?))
}

/// Updates a location.
#[instrument(skip_all, err)]
pub async fn update_location(
    state: &AppState,
    actor: &AuthUser,
    scope: &Scope,
    id: Uuid,
    req: LocationUpdate,
) -> ApiResult<Location> {
    scope.check(id)?;
    if let Some(n) = &req.name {
        check_text("name", n, 200)?;
    }
    let mut tx = state.db.begin().await?;
    let before = load(&state.db, id).await?;
    check_taxation(req.taxation.as_deref())?;
    check_timezone(&mut tx, req.timezone.as_deref()).await?;
    let after: Location = sqlx::query_as(&format!(
        "UPDATE locations SET name = COALESCE($2, name), address = COALESCE($3, address),
            timezone = COALESCE($4, timezone), active = COALESCE($5, active),
            non_fiscal = COALESCE($6, non_fiscal), taxation = COALESCE($7, taxation), updated_at = now()
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(req.name.as_deref().map(str::trim))
    .bind(&req.address)
    .bind(&req.timezone)
    .bind(req.active)
    .bind(req.non_fiscal)
    .bind(req.taxation.as_deref().map(str::trim))
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        "update",
        "location",
        id,
        audit::snapshot(&before),
        audit::snapshot(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Update a location (admin).
#[utoipa::path(patch, path = "/locations/{id}", params(("id" = Uuid, Path, description = "Id")), tag = "locations", request_body = LocationUpdate, responses((status = 200, body = Location)))]
#[instrument(skip_all, err)]
async fn update(
    State(state): State<AppState>,
    auth: Authorized<cap::ManageLocations>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<LocationUpdate>,
) -> ApiResult<Json<Location>> {
    Ok(Json(
        update_location(&state, &auth.user, &auth.scope, id, req).await?,
    ))
}
