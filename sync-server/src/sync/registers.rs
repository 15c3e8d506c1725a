//! Fiscal tills tell head office how their register is (`POST /sync/register`): the
//! latest word of each is kept, for the report of registers by health.

use axum::extract::State;
use axum::http::StatusCode;
use shared_model::sync::RegisterReport;
use tracing::instrument;

use crate::device::{check_protocol, Device};
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::AppState;

/// A till's word is stored as sent, but its texts are bounded.
const MAX_TEXT: usize = 500;

/// Report the till's fiscal register (latest wins).
#[utoipa::path(post, path = "/sync/register", tag = "sync", responses((status = 204), (status = 422)))]
#[instrument(skip_all, err, fields(terminal_id = %device.terminal_id))]
pub(super) async fn report_handler(
    State(state): State<AppState>,
    device: Device,
    ApiJson(req): ApiJson<RegisterReport>,
) -> ApiResult<StatusCode> {
    record(&state, &device, req).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stores a till's register report in place of its previous one.
#[instrument(skip_all, err)]
pub async fn record(state: &AppState, device: &Device, r: RegisterReport) -> ApiResult<()> {
    check_protocol(r.protocol)?;
    let too_long = |s: &Option<String>| s.as_ref().is_some_and(|s| s.chars().count() > MAX_TEXT);
    if too_long(&r.error) || too_long(&r.outage) {
        return Err(ApiError::Validation(format!(
            "error and outage are at most {MAX_TEXT} characters"
        )));
    }
    let count = |n: u32| {
        i32::try_from(n).map_err(|_| ApiError::Validation("a count is out of range".into()))
    };
    let (pending, deferred) = (count(r.pending)?, count(r.deferred)?);
    sqlx::query(
        "INSERT INTO register_reports (terminal_id, reported_at, status, error, pending, deferred, outage)
         VALUES ($1, now(), $2, $3, $4, $5, $6)
         ON CONFLICT (terminal_id) DO UPDATE SET reported_at = now(), status = excluded.status,
             error = excluded.error, pending = excluded.pending, deferred = excluded.deferred,
             outage = excluded.outage",
    )
    .bind(device.terminal_id)
    .bind(r.status.as_ref().map(sqlx::types::Json))
    .bind(&r.error)
    .bind(pending)
    .bind(deferred)
    .bind(&r.outage)
    .execute(&state.db)
    .await?;
    Ok(())
}
