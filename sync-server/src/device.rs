//! Device authentication for tills: a device secret (from enrollment) buys a
//! short-lived device token, which every sync call carries as a Bearer token.

use axum::extract::{FromRef, FromRequestParts, State};
use axum::http::request::Parts;
use axum::Json;
use chrono::Utc;
use jsonwebtoken::{decode, encode, Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};
use shared_model::sync::{DeviceToken, DeviceTokenRequest, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION};
use tracing::instrument;
use uuid::Uuid;

use crate::auth::tokens::hash_token;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::AppState;

/// Device tokens live this long; tills fetch a new one when it lapses.
const DEVICE_TTL_SECS: i64 = 900;

#[derive(Debug, Serialize, Deserialize)]
struct DeviceClaims {
    sub: Uuid,
    loc: Uuid,
    epoch: u32,
    iat: i64,
    exp: i64,
    typ: String,
}

/// An authenticated, active terminal.
#[derive(Debug, Clone)]
pub struct Device {
    /// Terminal id.
    pub terminal_id: Uuid,
    /// Its store.
    pub location_id: Uuid,
    /// Its current enrollment epoch.
    pub epoch: u32,
}

/// Refuses protocol versions other than the current and the previous one.
pub fn check_protocol(v: u16) -> ApiResult<()> {
    if (MIN_PROTOCOL_VERSION..=PROTOCOL_VERSION).contains(&v) {
        Ok(())
    } else {
        Err(ApiError::UnsupportedProtocol(v))
    }
}

/// Issues a device token for a terminal that proves its secret.
#[instrument(skip_all, err)]
pub async fn issue(state: &AppState, req: &DeviceTokenRequest) -> ApiResult<DeviceToken> {
    check_protocol(req.protocol)?;
    let row: Option<(Uuid, String, Option<String>, i32)> = sqlx::query_as(
        "SELECT location_id, status, device_secret_hash, epoch FROM terminals WHERE id = $1",
    )
    .bind(req.terminal_id)
    .fetch_optional(&state.db)
    .await?;
    let (loc, status, hash, epoch) =
        row.ok_or_else(|| ApiError::Unauthorized("unknown terminal".into()))?;
    if status == "disabled" {
        return Err(ApiError::Forbidden("this terminal is disabled".into()));
    }
    if hash.as_deref() != Some(hash_token(&req.secret).as_str()) {
        return Err(ApiError::Unauthorized(
            "invalid device credential; enroll the till again".into(),
        ));
    }
    let now = Utc::now().timestamp();
    let claims = DeviceClaims {
        sub: req.terminal_id,
        loc,
        epoch: epoch as u32,
        iat: now,
        exp: now + DEVICE_TTL_SECS,
        typ: "device".into(),
    };
    let token = encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &state.keys.encoding,
    )
    .map_err(ApiError::internal)?;
    Ok(DeviceToken {
        token,
        expires_in: DEVICE_TTL_SECS,
    })
}

/// Get a device token with the device secret.
#[utoipa::path(post, path = "/sync/token", tag = "sync", responses((status = 200), (status = 401), (status = 403)))]
#[instrument(skip_all, err)]
pub async fn token(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<DeviceTokenRequest>,
) -> ApiResult<Json<DeviceToken>> {
    Ok(Json(issue(&state, &req).await?))
}

impl<S> FromRequestParts<S> for Device
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let state = AppState::from_ref(state);
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| ApiError::Unauthorized("a device token is required".into()))?;
        let mut v = Validation::new(Algorithm::HS256);
        v.algorithms = vec![Algorithm::HS256];
        v.leeway = 0;
        let claims = decode::<DeviceClaims>(token, &state.keys.decoding, &v)
            .map_err(|_| ApiError::Unauthorized("invalid or expired device token".into()))?
            .claims;
        if claims.typ != "device" {
            return Err(ApiError::Unauthorized(
                "invalid or expired device token".into(),
            ));
        }
        // The terminal must still be active and on the same enrollment.
        let row: Option<(String, i32)> =
            sqlx::query_as("SELECT status, epoch FROM terminals WHERE id = $1")
                .bind(claims.sub)
                .fetch_optional(&state.db)
                .await?;
        match row {
            Some((s, e)) if s == "active" && e as u32 == claims.epoch => Ok(Device {
                terminal_id: claims.sub,
                location_id: claims.loc,
                epoch: claims.epoch,
            }),
            Some((s, _)) if s == "disabled" => {
                Err(ApiError::Forbidden("this terminal is disabled".into()))
            }
            _ => Err(ApiError::Unauthorized(
                "this enrollment is no longer valid; enroll the till again".into(),
            )),
        }
    }
}
