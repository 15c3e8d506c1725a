//! The audit log: who changed what, when, from where, with the before and after.

use serde::Serialize;
use serde_json::Value;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use tracing::instrument;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::{ApiQuery, ApiResult};
use crate::pagination::{Listing, Page, PageParams};
use crate::rbac::{cap, AuthUser, Authorized};
use crate::AppState;

/// Records one write. Call inside the write's transaction so both commit together.
pub async fn record(
    conn: &mut PgConnection,
    actor: &AuthUser,
    action: &str,
    entity: &str,
    entity_id: impl ToString,
    before: Option<Value>,
    after: Option<Value>,
) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (user_id, ip, action, entity, entity_id, before, after)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(Some(actor.id).filter(|id| !id.is_nil()))
    .bind(&actor.ip)
    .bind(action)
    .bind(entity)
    .bind(entity_id.to_string())
    .bind(before)
    .bind(after)
    .execute(conn)
    .await?;
    Ok(())
}

/// JSON of anything serialisable, for before/after snapshots.
pub fn snapshot<T: Serialize>(v: &T) -> Option<Value> {
    serde_json::to_value(v).ok()
}

/// One audit entry as the API shows it.
#[derive(Debug, Serialize, sqlx::FromRow, ToSchema)]
pub struct AuditEntry {
    /// Sequence.
    pub id: i64,
    /// When.
    pub at: chrono::DateTime<chrono::Utc>,
    /// Who.
    pub user_id: Option<Uuid>,
    /// From where.
    pub ip: Option<String>,
    /// What (create, update, login…).
    pub action: String,
    /// Kind of record.
    pub entity: String,
    /// Its id.
    pub entity_id: Option<String>,
    /// Before the change.
    pub before: Option<Value>,
    /// After the change.
    pub after: Option<Value>,
}

/// Audit log filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditFilter {
    /// Who.
    pub user_id: Option<Uuid>,
    /// Kind of record.
    pub entity: Option<String>,
    /// Record id.
    pub entity_id: Option<String>,
    /// Page.
    pub page: Option<u32>,
    /// Page size.
    pub per_page: Option<u32>,
}

/// The audit routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

/// The audit log, newest first (admin).
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditFilter), responses((status = 200, body = Page<AuditEntry>)))]
#[instrument(skip_all, err)]
async fn list(
    State(state): State<AppState>,
    _auth: Authorized<cap::ReadAudit>,
    ApiQuery(f): ApiQuery<AuditFilter>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    let p = PageParams {
        page: f.page,
        per_page: f.per_page,
    };
    let page = Listing::new(
        "FROM audit_log WHERE ($1::uuid IS NULL OR user_id = $1) AND ($2::text IS NULL OR entity = $2)
           AND ($3::text IS NULL OR entity_id = $3)",
    )
    .bind(f.user_id)?
    .bind(f.entity)?
    .bind(f.entity_id)?
    .page(
        &state.db,
        "id, at, user_id, ip, action, entity, entity_id, before, after",
        "id DESC",
        p,
    )
    .await?;
    Ok(Json(page))
}
