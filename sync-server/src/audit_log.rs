//! The audit log's route: what [`crate::audit`] recorded, newest first, for admins.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tracing::instrument;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::error::{ApiQuery, ApiResult};
use crate::pagination::{Listing, Page, PageParams};
use crate::rbac::{cap, Authorized};
use crate::AppState;

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
