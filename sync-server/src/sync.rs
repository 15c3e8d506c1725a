//! Till sync: exactly-once push of till events, and the never-skipping pull feed.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use shared_model::sync::{PullResponse, PushRequest, PushResponse, MAX_BATCH, PROTOCOL_VERSION};
use tracing::instrument;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::device::{self, check_protocol, Device};
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult};
use crate::rbac::{cap, Authorized};
use crate::AppState;

mod apply;
mod effects;
mod events;
mod feed;
mod quarantine;
mod registers;
mod sale_rows;

pub use feed::{page, prune};

pub use apply::push;

/// The sync routes (device-authenticated).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(device::token))
        .routes(routes!(push_handler))
        .routes(routes!(pull_handler))
        .routes(routes!(registers::report_handler))
        .routes(routes!(terminal_status))
        .routes(routes!(events::events))
        .merge(quarantine::router())
}

/// Push a batch of till events; answers the highest contiguous sequence held.
#[utoipa::path(post, path = "/sync/push", tag = "sync", responses((status = 200), (status = 409), (status = 422)))]
#[instrument(skip_all, err, fields(terminal_id = %device.terminal_id))]
async fn push_handler(
    State(state): State<AppState>,
    device: Device,
    ApiJson(req): ApiJson<PushRequest>,
) -> ApiResult<Json<PushResponse>> {
    if req.events.len() > MAX_BATCH {
        return Err(ApiError::Validation(format!(
            "a batch holds at most {MAX_BATCH} events"
        )));
    }
    Ok(Json(push(&state, &device, req).await?))
}

/// Pull parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PullParams {
    /// Protocol version.
    pub protocol: u16,
    /// Cursor from the last page; absent for a first (snapshot) sync.
    pub cursor: Option<String>,
    /// Page size (default 1000, at most 5000).
    pub limit: Option<u32>,
}

/// Pull the next page of head-office changes for this till's store.
#[utoipa::path(get, path = "/sync/pull", tag = "sync", params(PullParams), responses((status = 200)))]
#[instrument(skip_all, err, fields(terminal_id = %device.terminal_id))]
async fn pull_handler(
    State(state): State<AppState>,
    device: Device,
    ApiQuery(p): ApiQuery<PullParams>,
) -> ApiResult<Json<PullResponse>> {
    check_protocol(p.protocol)?;
    let limit = p.limit.unwrap_or(1000).clamp(1, 5000) as i64;
    let page = feed::page(&state, &device, p.protocol, p.cursor.as_deref(), limit).await?;
    Ok(Json(PullResponse {
        protocol: PROTOCOL_VERSION,
        ..page
    }))
}

/// A terminal's sync state, for head office.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TerminalSync {
    /// Terminal.
    pub terminal_id: uuid::Uuid,
    /// Current enrollment epoch.
    pub epoch: i32,
    /// Highest contiguous sequence held in this epoch.
    pub acked_seq: i64,
    /// Last receipt number received.
    pub last_receipt_no: i64,
    /// Last push.
    pub last_push_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Last pull ("last seen").
    pub last_pull_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Alerts (forks, chain breaks, receipt gaps), newest first.
    pub alerts: Vec<serde_json::Value>,
}

/// Sync state of a terminal: last seen, acknowledged sequence, chain alerts.
#[utoipa::path(get, path = "/terminals/{id}/sync", tag = "sync", params(("id" = uuid::Uuid, Path, description = "Terminal id")),
    responses((status = 200, body = TerminalSync)))]
#[instrument(skip_all, err)]
async fn terminal_status(
    State(state): State<AppState>,
    _auth: Authorized<cap::ManageTerminals>,
    ApiPath(id): ApiPath<uuid::Uuid>,
) -> ApiResult<Json<TerminalSync>> {
    let epoch: Option<i32> = sqlx::query_scalar("SELECT epoch FROM terminals WHERE id = $1")
        .bind(id)
        .fetch_optional(&state.db)
        .await?;
    let epoch = epoch.ok_or_else(|| ApiError::NotFound("terminal".into()))?;
    type Row = (
        i64,
        i64,
        Option<chrono::DateTime<chrono::Utc>>,
        Option<chrono::DateTime<chrono::Utc>>,
    );
    let row: Option<Row> = sqlx::query_as(
        "SELECT acked_seq, last_receipt_no, last_push_at, last_pull_at FROM terminal_sync WHERE terminal_id = $1 AND epoch = $2",
    )
    .bind(id)
    .bind(epoch)
    .fetch_optional(&state.db)
    .await?;
    let (acked_seq, last_receipt_no, last_push_at, last_pull_at) =
        row.unwrap_or((0, 0, None, None));
    let alerts: Vec<serde_json::Value> = sqlx::query_scalar(
        "SELECT jsonb_build_object('at', at, 'kind', kind, 'detail', detail) FROM sync_alerts WHERE terminal_id = $1 ORDER BY id DESC LIMIT 50",
    )
    .bind(id)
    .fetch_all(&state.db)
    .await?;
    Ok(Json(TerminalSync {
        terminal_id: id,
        epoch,
        acked_seq,
        last_receipt_no,
        last_push_at,
        last_pull_at,
        alerts,
    }))
}
