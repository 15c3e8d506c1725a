//! The audit writer: every write records who changed what, when, from where, with the
//! before and after, in the write's own transaction. Reading the log is the
//! `audit_log` module's route.

use serde::Serialize;
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::ApiResult;

/// Who made a change, as the log keeps it (the authenticated user implements it).
pub trait Actor {
    /// The user's id (nil for the command line, stored as no user).
    fn user_id(&self) -> Uuid;
    /// The client's address.
    fn ip(&self) -> Option<&str>;
}

/// Records one write. Call inside the write's transaction so both commit together.
pub async fn record(
    conn: &mut PgConnection,
    actor: &impl Actor,
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
    .bind(Some(actor.user_id()).filter(|id| !id.is_nil()))
    .bind(actor.ip())
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
