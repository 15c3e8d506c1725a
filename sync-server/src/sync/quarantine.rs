//! Quarantine: receipts a till sent that failed the money checks. They are stored (the
//! till's queue never jams) and raised as alerts, with no effect on certificates, stock,
//! rollups or reports until head office accepts (the effects then apply) or rejects them.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared_model::events::EventPayload;
use shared_model::facts::{Problem, Problems};
use sqlx::PgConnection;
use tracing::instrument;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::effects;
use super::sale_rows::SaleRows;
use crate::audit;
use crate::device::Device;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult};
use crate::pagination::{Listing, Page, PageParams};
use crate::rbac::{cap, Authorized};
use crate::AppState;

/// A receipt held back, as the quarantine row stores it.
pub(super) struct Held {
    /// The till event.
    pub event_id: Uuid,
    /// `sale_completed` or `return_completed`.
    pub kind: &'static str,
    /// Sale or return id.
    pub document_id: Uuid,
    /// The till's receipt number.
    pub receipt_no: u64,
    /// The amount the receipt claims.
    pub total_minor: i64,
    /// What the checks found.
    pub problems: Problems,
}

/// Stores a held receipt and raises it as an alert for head office.
pub(super) async fn hold(conn: &mut PgConnection, device: &Device, h: &Held) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO quarantine (event_id, terminal_id, location_id, kind, document_id, receipt_no, total_minor,
            problems, acceptable)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(h.event_id)
    .bind(device.terminal_id)
    .bind(device.location_id)
    .bind(h.kind)
    .bind(h.document_id)
    .bind(h.receipt_no as i64)
    .bind(h.total_minor)
    .bind(h.problems.codes())
    .bind(h.problems.acceptable())
    .execute(&mut *conn)
    .await?;
    let detail = json!({"event_id": h.event_id, "kind": h.kind, "document_id": h.document_id,
        "receipt_no": h.receipt_no, "problems": h.problems.codes()});
    sqlx::query(
        "INSERT INTO sync_alerts (terminal_id, kind, detail) VALUES ($1, 'quarantined', $2)",
    )
    .bind(device.terminal_id)
    .bind(detail)
    .execute(&mut *conn)
    .await?;
    tracing::warn!(terminal_id = %device.terminal_id, event_id = %h.event_id, problems = ?h.problems.codes(),
        "till receipt quarantined");
    Ok(())
}

/// The quarantine routes (head office).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(accept))
        .routes(routes!(reject))
}

/// One held receipt, as the API shows it.
#[derive(Debug, Serialize, sqlx::FromRow, ToSchema)]
pub struct QuarantinedReceipt {
    /// The till event.
    pub event_id: Uuid,
    /// Terminal.
    pub terminal_id: Uuid,
    /// Store.
    pub location_id: Uuid,
    /// `sale_completed` or `return_completed`.
    pub kind: String,
    /// Sale or return id.
    pub document_id: Uuid,
    /// Receipt number on the till.
    pub receipt_no: i64,
    /// The amount the receipt claims, in kopecks.
    pub total_minor: i64,
    /// What the checks found (`non_positive_tender`, `hash_mismatch`…).
    pub problems: Vec<String>,
    /// Whether it may be accepted (impossible figures may only be rejected).
    pub acceptable: bool,
    /// pending, accepted or rejected.
    pub status: String,
    /// When it arrived.
    pub at: chrono::DateTime<chrono::Utc>,
    /// When a person resolved it.
    pub resolved_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Who.
    pub resolved_by: Option<Uuid>,
    /// Why, in their words.
    pub note: Option<String>,
    /// The receipt as the till sent it.
    pub payload: serde_json::Value,
}

/// Quarantine filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct QuarantineFilter {
    /// pending (default), accepted, rejected or all.
    pub status: Option<String>,
    /// Page (from 1).
    pub page: Option<u32>,
    /// Page size.
    pub per_page: Option<u32>,
}

/// Receipts held back by the money checks, oldest first; managers see their stores'.
#[utoipa::path(get, path = "/sync/quarantine", tag = "sync", params(QuarantineFilter),
    responses((status = 200, body = Page<QuarantinedReceipt>)))]
#[instrument(skip_all, err)]
async fn list(
    State(state): State<AppState>,
    auth: Authorized<cap::ReadSales>,
    ApiQuery(f): ApiQuery<QuarantineFilter>,
) -> ApiResult<Json<Page<QuarantinedReceipt>>> {
    let status = f.status.unwrap_or_else(|| "pending".into());
    if !["pending", "accepted", "rejected", "all"].contains(&status.as_str()) {
        return Err(ApiError::Validation(
            "status is pending, accepted, rejected or all".into(),
        ));
    }
    let page = PageParams {
        page: f.page,
        per_page: f.per_page,
    };
    let page = Listing::new(
        "FROM quarantine q JOIN till_events e ON e.event_id = q.event_id
         WHERE ($1 = 'all' OR q.status = $1) AND ($2::uuid[] IS NULL OR q.location_id = ANY($2))",
    )
    .bind(status)?
    .bind(auth.scope.ids())?
    .page(
        &state.db,
        "q.event_id, q.terminal_id, q.location_id, q.kind, q.document_id, q.receipt_no, q.total_minor,
         q.problems, q.acceptable, q.status, q.at, q.resolved_at, q.resolved_by, q.note, e.payload",
        "q.at, q.event_id",
        page,
    )
    .await?;
    Ok(Json(page))
}

/// A person's decision on a held receipt.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Resolution {
    /// Why (kept in the audit log); required.
    pub note: String,
}

fn note(r: &Resolution) -> ApiResult<&str> {
    let n = r.note.trim();
    if n.is_empty() || n.chars().count() > 500 {
        return Err(ApiError::Validation(
            "say why, in at most 500 characters".into(),
        ));
    }
    Ok(n)
}

#[derive(sqlx::FromRow)]
struct PendingRow {
    terminal_id: Uuid,
    location_id: Uuid,
    epoch: i32,
    status: String,
    acceptable: bool,
    problems: Vec<String>,
    payload: serde_json::Value,
}

/// The pending row, locked, with the event as sent and the device that sent it.
async fn pending(
    conn: &mut PgConnection,
    event_id: Uuid,
) -> ApiResult<(Device, bool, Vec<String>, EventPayload)> {
    let row: Option<PendingRow> = sqlx::query_as(
        "SELECT q.terminal_id, q.location_id, e.epoch, q.status, q.acceptable, q.problems, e.payload
         FROM quarantine q JOIN till_events e ON e.event_id = q.event_id WHERE q.event_id = $1 FOR UPDATE OF q",
    )
    .bind(event_id)
    .fetch_optional(&mut *conn)
    .await?;
    let PendingRow {
        terminal_id,
        location_id,
        epoch,
        status,
        acceptable,
        problems,
        payload,
    } = row.ok_or_else(|| ApiError::NotFound("quarantined receipt".into()))?;
    if status != "pending" {
        return Err(ApiError::Conflict(format!(
            "this receipt was already {status}"
        )));
    }
    let payload = serde_json::from_value(payload).map_err(ApiError::internal)?;
    let device = Device {
        terminal_id,
        location_id,
        epoch: epoch as u32,
    };
    Ok((device, acceptable, problems, payload))
}

async fn resolve(
    conn: &mut PgConnection,
    auth: &Authorized<cap::ResolveQuarantine>,
    event_id: Uuid,
    status: &str,
    note: &str,
) -> ApiResult<()> {
    sqlx::query(
        "UPDATE quarantine SET status = $2, resolved_at = now(), resolved_by = $3, note = $4 WHERE event_id = $1",
    )
    .bind(event_id)
    .bind(status)
    .bind(Some(auth.user.id).filter(|id| !id.is_nil()))
    .bind(note)
    .execute(&mut *conn)
    .await?;
    let after = json!({"status": status, "note": note});
    audit::record(
        conn,
        &auth.user,
        status,
        "quarantine",
        event_id,
        None,
        Some(after),
    )
    .await
}

/// Accepts a held receipt: its effects on stock, certificates and reports apply now.
/// Impossible figures cannot be accepted; a return needs its sale accepted first.
#[utoipa::path(post, path = "/sync/quarantine/{event_id}/accept", tag = "sync",
    params(("event_id" = Uuid, Path, description = "Till event id")), request_body = Resolution,
    responses((status = 200), (status = 404), (status = 409)))]
#[instrument(skip_all, err)]
async fn accept(
    State(state): State<AppState>,
    auth: Authorized<cap::ResolveQuarantine>,
    ApiPath(event_id): ApiPath<Uuid>,
    ApiJson(r): ApiJson<Resolution>,
) -> ApiResult<Json<serde_json::Value>> {
    let note = note(&r)?;
    let mut tx = state.db.begin().await?;
    let (device, acceptable, problems, payload) = pending(&mut tx, event_id).await?;
    if !acceptable {
        return Err(ApiError::Conflict(
            "its figures are impossible (e.g. a negative payment); it can only be rejected".into(),
        ));
    }
    let (mut sales, mut returns) = (Vec::new(), Vec::new());
    match &payload {
        EventPayload::SaleCompleted(s) => {
            let mut rows = SaleRows::default();
            let mut flags = problems.clone();
            flags.push("accepted".into());
            rows.add(event_id, s, flags);
            rows.flush(&mut tx, &device).await?;
            effects::sale_certificates(&mut tx, &device, &s.doc).await?;
            sales.push(s.doc.sale_id);
        }
        EventPayload::ReturnCompleted(x) => {
            let Some((sold, earlier)) = effects::sold_sale(&mut tx, x.doc.sale_id).await? else {
                return Err(ApiError::Conflict(
                    "head office holds its sale with no effect yet: accept the sale first".into(),
                ));
            };
            let found = shared_model::facts::check_return(&x.doc, Some(&sold), &earlier);
            if found
                .iter()
                .any(|p| p != Problem::UnknownSale && !p.acceptable())
            {
                return Err(ApiError::Conflict(format!(
                    "against its sale it returns too much ({}); it can only be rejected",
                    found.codes().join(", ")
                )));
            }
            effects::apply_return(&mut tx, &device, event_id, x.link.receipt_no, &x.doc).await?;
            returns.push(x.doc.return_id);
        }
        _ => return Err(ApiError::internal("quarantine holds only receipts")),
    }
    crate::reports::rollup::add_batch(&mut tx, &sales, &returns).await?;
    resolve(&mut tx, &auth, event_id, "accepted", note).await?;
    tx.commit().await?;
    crate::notify::sales_changed(&state, device.location_id).await;
    Ok(Json(json!({"event_id": event_id, "status": "accepted"})))
}

/// Rejects a held receipt: it stays on record and never takes effect.
#[utoipa::path(post, path = "/sync/quarantine/{event_id}/reject", tag = "sync",
    params(("event_id" = Uuid, Path, description = "Till event id")), request_body = Resolution,
    responses((status = 200), (status = 404), (status = 409)))]
#[instrument(skip_all, err)]
async fn reject(
    State(state): State<AppState>,
    auth: Authorized<cap::ResolveQuarantine>,
    ApiPath(event_id): ApiPath<Uuid>,
    ApiJson(r): ApiJson<Resolution>,
) -> ApiResult<Json<serde_json::Value>> {
    let note = note(&r)?;
    let mut tx = state.db.begin().await?;
    pending(&mut tx, event_id).await?;
    resolve(&mut tx, &auth, event_id, "rejected", note).await?;
    tx.commit().await?;
    Ok(Json(json!({"event_id": event_id, "status": "rejected"})))
}
