//! Promotions: head office defines them (managers for their own stores), and a preview
//! prices a cart with the same engine the tills run.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared_model::api::PromotionDef;
use shared_model::promotions::{Conditions, PromoKind, Promotion, Target};
use sqlx::types::Json as Jsonb;
use tracing::instrument;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult};
use crate::pagination::{Listing, Page, PageParams};
use crate::rbac::{cap, AuthUser, Authorized, Scope};
use crate::{audit, AppState};

mod preview;
pub use preview::{preview_cart, PreviewRequest, PreviewResponse};

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

impl From<PromotionInput> for PromotionDef {
    fn from(d: PromotionInput) -> Self {
        PromotionDef {
            name: d.name,
            priority: d.priority,
            exclusive: d.exclusive,
            target: d.target,
            kind: d.kind,
            conditions: d.conditions,
            active: d.active,
        }
    }
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

/// The promotions routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update))
        .routes(routes!(preview::preview))
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

/// A promotion as stored.
#[derive(sqlx::FromRow)]
struct Stored {
    id: Uuid,
    version: i32,
    name: String,
    priority: i32,
    exclusive: bool,
    target: Jsonb<Target>,
    kind: Jsonb<PromoKind>,
    conditions: Jsonb<Conditions>,
    active: bool,
    updated_at: DateTime<Utc>,
}
const COLS: &str =
    "id, version, name, priority, exclusive, target, kind, conditions, active, updated_at";

impl Stored {
    fn view(self) -> PromotionView {
        PromotionView {
            id: self.id,
            version: self.version,
            def: PromotionInput {
                name: self.name,
                priority: self.priority,
                exclusive: self.exclusive,
                target: self.target.0,
                kind: self.kind.0,
                conditions: self.conditions.0,
                active: self.active,
            },
            updated_at: self.updated_at,
        }
    }

    /// The promotion the engine runs (through the one conversion in `shared_model`).
    fn promotion(self) -> Promotion {
        let (id, version) = (self.id, self.version as u32);
        PromotionDef::from(self.view().def).promotion(id, version)
    }
}

/// The active promotions, as tills run them: those among `ids`, or all when `None`.
pub(crate) async fn running(
    conn: &mut sqlx::PgConnection,
    ids: Option<&[Uuid]>,
) -> ApiResult<Vec<Promotion>> {
    let rows: Vec<Stored> = sqlx::query_as(&format!(
        "SELECT {COLS} FROM promotions WHERE active AND ($1::uuid[] IS NULL OR id = ANY($1)) ORDER BY id"
    ))
    .bind(ids)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Stored::promotion).collect())
}

async fn load(db: &sqlx::PgPool, id: Uuid) -> ApiResult<PromotionView> {
    let row: Option<Stored> =
        sqlx::query_as(&format!("SELECT {COLS} FROM promotions WHERE id = $1"))
            .bind(id)
            .fetch_optional(db)
            .await?;
    Ok(row
        .ok_or_else(|| ApiError::NotFound("promotion".into()))?
        .view())
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
    let row: Stored = sqlx::query_as(&format!(
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
    let after = row.view();
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
    let from = format!("FROM promotions WHERE {}", RUNS_IN.replace("$3", "$1"));
    let page: Page<Stored> = Listing::new(&from)
        .bind(auth.scope.ids())?
        .page(&state.db, COLS, "priority DESC, id", p)
        .await?;
    Ok(Json(page.map(Stored::view)))
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
