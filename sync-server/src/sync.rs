//! Till sync: exactly-once push of till events, and the never-skipping pull feed.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use shared_model::sync::{PullResponse, PushRequest, PushResponse, MAX_BATCH, PROTOCOL_VERSION};
use tracing::instrument;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::device::{self, check_protocol, Device};
use crate::error::{ApiError, ApiJson, ApiQuery, ApiResult};
use crate::AppState;

mod apply;
mod feed;

pub use apply::push;

/// The sync routes (device-authenticated).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(device::token))
        .routes(routes!(push_handler))
        .routes(routes!(pull_handler))
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
    let page = feed::page(&state, &device, p.cursor.as_deref(), limit).await?;
    Ok(Json(PullResponse {
        protocol: PROTOCOL_VERSION,
        ..page
    }))
}
