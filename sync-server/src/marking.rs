//! Marked goods (Честный ЗНАК) at head office: the marking groups and their dates, which
//! tills receive with the catalog, and the registry of every unit sold by its code —
//! looked up by code from any store (a return elsewhere finds its sale).

pub mod registry;

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use shared_model::marking::permit::{MarkingGroup, NoAnswer};
use shared_model::marking::MarkingCode;
use sqlx::PgConnection;
use tracing::instrument;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult};
use crate::rbac::{cap, AuthUser, Authorized};
use crate::{audit, notify, AppState};

/// A marking group as head office sets it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupInput {
    /// Name for people.
    pub name: String,
    /// From this day each unit is sold by its code (YYYY-MM-DD).
    pub code_from: NaiveDate,
    /// From this day each code is checked before sale (none: not yet).
    pub permit_from: Option<NaiveDate>,
    /// When no checker answers: `block` or `sell_flagged`.
    pub no_answer: String,
}

/// A marked unit in the registry.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct MarkedUnit {
    /// The unit ((01) GTIN + (21) serial).
    pub identity: String,
    /// Product.
    pub product_id: Uuid,
    /// Its SKU.
    pub sku: String,
    /// The sale that sold it.
    pub sale_id: Uuid,
    /// Its line.
    pub line_no: i32,
    /// The sale's receipt number on its till.
    pub receipt_no: i64,
    /// Store.
    pub location_id: Uuid,
    /// Till.
    pub terminal_id: Uuid,
    /// When.
    pub sold_at: DateTime<Utc>,
    /// `permitted`, `not_required` or `unchecked`.
    pub outcome: String,
    /// Who answered the check (`online`, `local`).
    pub source: Option<String>,
    /// The check's request id.
    pub req_id: Option<String>,
    /// The sale's fiscal document number.
    pub fd_number: Option<i64>,
    /// The return that took it back.
    pub return_id: Option<Uuid>,
    /// When.
    pub returned_at: Option<DateTime<Utc>>,
    /// Where.
    pub return_location: Option<Uuid>,
}

/// Registry look-up: by a scanned code, or a sale's units.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UnitQuery {
    /// A marking code in any form a scanner sends.
    pub code: Option<String>,
    /// A sale.
    pub sale_id: Option<Uuid>,
}

/// The marking routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_groups))
        .routes(routes!(put_group))
        .routes(routes!(find_units))
}

/// Every group, by code.
pub async fn groups(conn: &mut PgConnection) -> ApiResult<Vec<MarkingGroup>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        code: String,
        name: String,
        code_from: NaiveDate,
        permit_from: Option<NaiveDate>,
        no_answer: String,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT code, name, code_from, permit_from, no_answer FROM marking_groups ORDER BY code",
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(MarkingGroup {
                no_answer: NoAnswer::parse(&r.no_answer)
                    .ok_or_else(|| ApiError::Internal(format!("no_answer {:?}", r.no_answer)))?,
                code: r.code,
                name: r.name,
                code_from: r.code_from,
                permit_from: r.permit_from,
            })
        })
        .collect()
}

/// Creates or changes a group; tills get it with their next pull.
#[instrument(skip_all, err)]
pub async fn put_group_svc(
    state: &AppState,
    actor: &AuthUser,
    code: &str,
    g: GroupInput,
) -> ApiResult<MarkingGroup> {
    let code = code.trim();
    let ok_code = (2..=32).contains(&code.len())
        && code.starts_with(|c: char| c.is_ascii_lowercase())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok_code {
        return Err(ApiError::Validation(
            "a group code is 2 to 32 lower-case letters, digits or _".into(),
        ));
    }
    let name = g.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::Validation(
            "name must be 1 to 100 characters".into(),
        ));
    }
    let no_answer = NoAnswer::parse(&g.no_answer)
        .ok_or_else(|| ApiError::Validation("no_answer is block or sell_flagged".into()))?;
    if g.permit_from.is_some_and(|p| p < g.code_from) {
        return Err(ApiError::Validation(
            "the permit check cannot start before codes are required".into(),
        ));
    }
    let mut tx = state.db.begin().await?;
    let before = groups(&mut tx).await?.into_iter().find(|x| x.code == code);
    sqlx::query(
        "INSERT INTO marking_groups (code, name, code_from, permit_from, no_answer) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, code_from = EXCLUDED.code_from,
            permit_from = EXCLUDED.permit_from, no_answer = EXCLUDED.no_answer, updated_at = now()",
    )
    .bind(code)
    .bind(name)
    .bind(g.code_from)
    .bind(g.permit_from)
    .bind(no_answer.code())
    .execute(&mut *tx)
    .await?;
    let after = MarkingGroup {
        code: code.to_owned(),
        name: name.to_owned(),
        code_from: g.code_from,
        permit_from: g.permit_from,
        no_answer,
    };
    let id: Uuid = sqlx::query_scalar("SELECT id FROM marking_groups WHERE code = $1")
        .bind(code)
        .fetch_one(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        actor,
        if before.is_some() { "update" } else { "create" },
        "marking_group",
        id,
        before.as_ref().and_then(audit::snapshot),
        audit::snapshot(&after),
    )
    .await?;
    tx.commit().await?;
    notify::changed(state, None).await;
    Ok(after)
}

/// The registry's units by code or sale, in the caller's stores.
#[instrument(skip_all, err)]
pub async fn find_units_svc(
    db: &sqlx::PgPool,
    scope: Option<Vec<Uuid>>,
    q: UnitQuery,
) -> ApiResult<Vec<MarkedUnit>> {
    let identity = q
        .code
        .as_deref()
        .map(MarkingCode::parse)
        .transpose()
        .map_err(|e| ApiError::Validation(e.to_string()))?
        .map(|c| c.identity());
    if identity.is_none() && q.sale_id.is_none() {
        return Err(ApiError::Validation("give a code or a sale_id".into()));
    }
    let units = sqlx::query_as(
        "SELECT m.identity, m.product_id, p.sku, m.sale_id, m.line_no, s.receipt_no, m.location_id, m.terminal_id,
                m.sold_at, m.outcome, m.source, m.req_id, fd.number AS fd_number, m.return_id, m.returned_at,
                m.return_location
         FROM marked_units m JOIN sales s ON s.id = m.sale_id JOIN products p ON p.id = m.product_id
         LEFT JOIN fiscal_documents fd ON fd.doc_id = m.sale_id AND fd.kind = 'sale'
         WHERE ($1::text IS NULL OR m.identity = $1) AND ($2::uuid IS NULL OR m.sale_id = $2)
           AND ($3::uuid[] IS NULL OR m.location_id = ANY($3) OR m.return_location = ANY($3))
         ORDER BY m.sold_at DESC, m.line_no LIMIT 200",
    )
    .bind(identity)
    .bind(q.sale_id)
    .bind(scope)
    .fetch_all(db)
    .await?;
    Ok(units)
}

/// The marking groups with their dates.
#[utoipa::path(get, path = "/marking/groups", tag = "marking",
    responses((status = 200, body = Vec<GroupInput>)))]
#[instrument(skip_all, err)]
async fn list_groups(
    State(state): State<AppState>,
    _auth: Authorized<cap::ReadCatalog>,
) -> ApiResult<Json<Vec<MarkingGroup>>> {
    let mut conn = state.db.acquire().await?;
    Ok(Json(groups(&mut conn).await?))
}

/// Creates or changes a marking group (admin: the dates follow the law for the chain).
#[utoipa::path(put, path = "/marking/groups/{code}", tag = "marking",
    params(("code" = String, Path)), request_body = GroupInput,
    responses((status = 200, body = GroupInput), (status = 422)))]
#[instrument(skip_all, err)]
async fn put_group(
    State(state): State<AppState>,
    auth: Authorized<cap::ManageMarking>,
    ApiPath(code): ApiPath<String>,
    ApiJson(g): ApiJson<GroupInput>,
) -> ApiResult<Json<MarkingGroup>> {
    Ok(Json(put_group_svc(&state, &auth.user, &code, g).await?))
}

/// Marked units by code (where and when a unit was sold, its check, its return) or a
/// sale's units.
#[utoipa::path(get, path = "/marking/units", tag = "marking", params(UnitQuery),
    responses((status = 200, body = Vec<MarkedUnit>), (status = 422)))]
#[instrument(skip_all, err)]
async fn find_units(
    State(state): State<AppState>,
    auth: Authorized<cap::ReadSales>,
    ApiQuery(q): ApiQuery<UnitQuery>,
) -> ApiResult<Json<Vec<MarkedUnit>>> {
    Ok(Json(find_units_svc(&state.db, auth.scope.ids(), q).await?))
}
