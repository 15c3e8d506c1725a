//! The audit log: who changed what, when, from where, with the before and after.

use serde::Serialize;
use serde_json::Value;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ApiResult;
use crate::rbac::AuthUser;

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
    .bind(actor.id)
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
