//! Terminals (tills): created per store with a one-time enrollment code valid 24 h,
//! exchanged once by the till for its identity and a device secret; can be disabled.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use tracing::instrument;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::auth::tokens::hash_token;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult};
use crate::pagination::{Listing, Page, PageParams};
use crate::rbac::{cap, AuthUser, Authorized};
use crate::{audit, locations, AppState};

/// How long an enrollment code is valid.
const CODE_TTL_HOURS: i64 = 24;
/// Letters and digits that cannot be misread for one another.
const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A terminal.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct Terminal {
    /// Id (the till's terminal id once enrolled).
    pub id: Uuid,
    /// Store it belongs to.
    pub location_id: Uuid,
    /// Name (e.g. "Касса 1").
    pub name: String,
    /// `pending` (not enrolled), `active` or `disabled`.
    pub status: String,
    /// When the current enrollment code expires.
    pub enrollment_expires_at: Option<DateTime<Utc>>,
    /// When it enrolled.
    pub enrolled_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Its last push of events (never: `null`).
    pub last_push_at: Option<DateTime<Utc>>,
    /// Its last pull of the catalog.
    pub last_pull_at: Option<DateTime<Utc>>,
    /// Events it said it holds that head office has not got (as of its last push).
    pub events_waiting: Option<i64>,
}

/// A terminal with its one-time enrollment code (shown once).
#[derive(Debug, Serialize, ToSchema)]
pub struct TerminalWithCode {
    /// The terminal.
    pub terminal: Terminal,
    /// Enrollment code to type on the till, e.g. `K7QF-9XMA-2BPD`.
    pub enrollment_code: String,
}

/// A new terminal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTerminal {
    /// The store.
    pub location_id: Uuid,
    /// Name.
    pub name: String,
}

/// Enrollment request from a till.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrollRequest {
    /// Protocol version of the till (current if absent).
    pub protocol: Option<u16>,
    /// The one-time code.
    pub code: String,
}

/// What an enrolled till receives.
#[derive(Debug, Serialize, ToSchema)]
pub struct Enrollment {
    /// Terminal id.
    pub terminal_id: Uuid,
    /// Store id.
    pub location_id: Uuid,
    /// Device secret: the till keeps it (file mode 0600) to obtain device tokens.
    pub device_secret: String,
    /// Enrollment epoch: each enrollment starts a new one, so a till restored from a
    /// backup never reuses a sequence number the server already holds.
    pub epoch: u32,
}

/// Terminal list filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TerminalFilter {
    /// Store.
    pub location_id: Option<Uuid>,
    /// Status.
    pub status: Option<String>,
    /// Page.
    pub page: Option<u32>,
    /// Page size.
    pub per_page: Option<u32>,
}

/// The terminals routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(disable))
        .routes(routes!(new_code_handler))
        .routes(routes!(enroll))
}

fn generate_code() -> String {
    let mut bytes = [0u8; 12];
    OsRng.fill_bytes(&mut bytes);
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Normalises a typed code: upper case, no dashes or spaces.
fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A terminal's columns, with its sync state (waiting events: of its current enrollment).
const COLS: &str = "id, location_id, name, status, enrollment_expires_at, enrolled_at, created_at,
    (SELECT max(c.last_push_at) FROM terminal_sync c WHERE c.terminal_id = terminals.id) AS last_push_at,
    (SELECT max(c.last_pull_at) FROM terminal_sync c WHERE c.terminal_id = terminals.id) AS last_pull_at,
    (SELECT GREATEST(c.till_newest_seq - c.acked_seq, 0) FROM terminal_sync c
      WHERE c.terminal_id = terminals.id ORDER BY c.epoch DESC LIMIT 1) AS events_waiting";

/// Creates a terminal in a store and its first enrollment code.
#[instrument(skip_all, err)]
pub async fn create_terminal(
    state: &AppState,
    actor: &AuthUser,
    req: NewTerminal,
) -> ApiResult<TerminalWithCode> {
    let loc = locations::load(&state.db, req.location_id)
        .await
        .map_err(|_| ApiError::Validation("no such location".into()))?;
    if loc.kind != "store" {
        return Err(ApiError::Validation(
            "terminals belong to stores, not warehouses".into(),
        ));
    }
    if req.name.trim().is_empty() {
        return Err(ApiError::Validation("name is required".into()));
    }
    let code = generate_code();
    let mut tx = state.db.begin().await?;
    let t: Terminal = sqlx::query_as(&format!(
        "INSERT INTO terminals (id, location_id, name, enrollment_code_hash, enrollment_expires_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING {COLS}"
    ))
    .bind(Uuid::now_v7())
    .bind(req.location_id)
    .bind(req.name.trim())
    .bind(hash_token(&normalise(&code)))
    .bind(Utc::now() + Duration::hours(CODE_TTL_HOURS))
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        "create",
        "terminal",
        t.id,
        None,
        audit::snapshot(&t),
    )
    .await?;
    tx.commit().await?;
    Ok(TerminalWithCode {
        terminal: t,
        enrollment_code: code,
    })
}

/// List terminals.
#[utoipa::path(get, path = "/terminals", tag = "terminals", params(TerminalFilter), responses((status = 200, body = Page<Terminal>)))]
#[instrument(skip_all, err)]
async fn list(
    State(state): State<AppState>,
    _auth: Authorized<cap::ManageTerminals>,
    ApiQuery(f): ApiQuery<TerminalFilter>,
) -> ApiResult<Json<Page<Terminal>>> {
    let p = PageParams {
        page: f.page,
        per_page: f.per_page,
    };
    let page = Listing::new(
        "FROM terminals WHERE ($1::uuid IS NULL OR location_id = $1) AND ($2::text IS NULL OR status = $2)",
    )
    .bind(f.location_id)?
    .bind(f.status)?
    .page(&state.db, COLS, "created_at", p)
    .await?;
    Ok(Json(page))
}

/// Create a terminal; the response holds its one-time enrollment code (valid 24 h).
#[utoipa::path(post, path = "/terminals", tag = "terminals", request_body = NewTerminal, responses((status = 201, body = TerminalWithCode)))]
#[instrument(skip_all, err)]
async fn create(
    State(state): State<AppState>,
    auth: Authorized<cap::ManageTerminals>,
    ApiJson(req): ApiJson<NewTerminal>,
) -> ApiResult<(StatusCode, Json<TerminalWithCode>)> {
    Ok((
        StatusCode::CREATED,
        Json(create_terminal(&state, &auth.user, req).await?),
    ))
}

async fn set_status(
    state: &AppState,
    actor: &AuthUser,
    id: Uuid,
    action: &str,
    code: Option<&str>,
) -> ApiResult<Terminal> {
    let mut tx = state.db.begin().await?;
    let before: Terminal = sqlx::query_as(&format!(
        "SELECT {COLS} FROM terminals WHERE id = $1 FOR UPDATE"
    ))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| ApiError::NotFound("terminal".into()))?;
    let after: Terminal = match code {
        None => {
            sqlx::query_as(&format!(
                "UPDATE terminals SET status = 'disabled', enrollment_code_hash = NULL, device_secret_hash = NULL,
                    updated_at = now() WHERE id = $1 RETURNING {COLS}"
            ))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?
        }
        Some(code) => {
            // A new code re-enrolls the till (e.g. after a reinstall); its old secret dies.
            sqlx::query_as(&format!(
                "UPDATE terminals SET status = 'pending', enrollment_code_hash = $2, enrollment_expires_at = $3,
                    device_secret_hash = NULL, updated_at = now() WHERE id = $1 RETURNING {COLS}"
            ))
            .bind(id)
            .bind(hash_token(&normalise(code)))
            .bind(Utc::now() + Duration::hours(CODE_TTL_HOURS))
            .fetch_one(&mut *tx)
            .await?
        }
    };
    audit::record(
        &mut tx,
        actor,
        action,
        "terminal",
        id,
        audit::snapshot(&before),
        audit::snapshot(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Disable a terminal: its credential stops working at once.
#[utoipa::path(post, path = "/terminals/{id}/disable", params(("id" = Uuid, Path, description = "Id")), tag = "terminals", responses((status = 200, body = Terminal)))]
#[instrument(skip_all, err)]
async fn disable(
    State(state): State<AppState>,
    auth: Authorized<cap::ManageTerminals>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Terminal>> {
    Ok(Json(
        set_status(&state, &auth.user, id, "disable", None).await?,
    ))
}

/// Issue a new enrollment code (re-enrollment).
#[utoipa::path(post, path = "/terminals/{id}/enrollment-code", params(("id" = Uuid, Path, description = "Id")), tag = "terminals", responses((status = 200, body = TerminalWithCode)))]
#[instrument(skip_all, err)]
async fn new_code_handler(
    State(state): State<AppState>,
    auth: Authorized<cap::ManageTerminals>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<TerminalWithCode>> {
    let code = generate_code();
    let terminal = set_status(&state, &auth.user, id, "new_enrollment_code", Some(&code)).await?;
    Ok(Json(TerminalWithCode {
        terminal,
        enrollment_code: code,
    }))
}

/// Exchanges a one-time code for the terminal's identity and a device secret.
#[instrument(skip_all, err)]
pub async fn enroll_terminal(state: &AppState, code: &str) -> ApiResult<Enrollment> {
    let mut tx = state.db.begin().await?;
    let row: Option<(Uuid, Uuid, String, Option<DateTime<Utc>>)> = sqlx::query_as(
        "SELECT id, location_id, status, enrollment_expires_at FROM terminals WHERE enrollment_code_hash = $1 FOR UPDATE",
    )
    .bind(hash_token(&normalise(code)))
    .fetch_optional(&mut *tx)
    .await?;
    let (id, location_id, status, expires) = row
        .ok_or_else(|| ApiError::Unauthorized("unknown or already used enrollment code".into()))?;
    if status == "disabled" {
        return Err(ApiError::Forbidden("this terminal is disabled".into()));
    }
    if expires.is_none_or(|e| e < Utc::now()) {
        return Err(ApiError::Unauthorized(
            "the enrollment code has expired; ask head office for a new one".into(),
        ));
    }
    let mut secret = [0u8; 32];
    OsRng.fill_bytes(&mut secret);
    let secret = hex::encode(secret);
    let epoch: i32 = sqlx::query_scalar(
        "UPDATE terminals SET status = 'active', enrollment_code_hash = NULL, enrollment_expires_at = NULL,
            enrolled_at = now(), device_secret_hash = $2, epoch = epoch + 1, updated_at = now()
         WHERE id = $1 RETURNING epoch",
    )
    .bind(id)
    .bind(hash_token(&secret))
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO audit_log (action, entity, entity_id) VALUES ('enroll', 'terminal', $1)",
    )
    .bind(id.to_string())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Enrollment {
        terminal_id: id,
        location_id,
        device_secret: secret,
        epoch: epoch as u32,
    })
}

/// A till exchanges its one-time enrollment code (no login; the code is the credential).
#[utoipa::path(post, path = "/terminals/enroll", tag = "terminals", request_body = EnrollRequest,
    responses((status = 200, body = Enrollment), (status = 401), (status = 403)))]
#[instrument(skip_all, err)]
async fn enroll(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<EnrollRequest>,
) -> ApiResult<Json<Enrollment>> {
    crate::device::check_protocol(req.protocol.unwrap_or(shared_model::sync::PROTOCOL_VERSION))?;
    Ok(Json(enroll_terminal(&state, &req.code).await?))
}
