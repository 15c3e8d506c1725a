//! Access tokens (HS256 JWT, 15 minutes), opaque refresh tokens (rotated) and the login
//! sessions they belong to (7 days from login at most, kept in PostgreSQL).

use argon2::password_hash::rand_core::{OsRng, RngCore};
use chrono::{Duration, Utc};
use jsonwebtoken::{decode, encode, Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The only algorithm we sign with and accept.
const ALG: Algorithm = Algorithm::HS256;

/// What an access token says.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// User id.
    pub sub: Uuid,
    /// Issued at (unix seconds).
    pub iat: i64,
    /// Expires at (unix seconds).
    pub exp: i64,
    /// Token id.
    pub jti: Uuid,
    /// Always `access`, so no other token kind can be passed off as one.
    pub typ: String,
    /// The login session (refresh-token family) it belongs to; logout revokes it.
    pub sid: Uuid,
}

/// Signs an access token for `user`.
pub fn access_token(state: &AppState, user: Uuid, session: Uuid) -> ApiResult<String> {
    let now = Utc::now().timestamp();
    let claims = Claims {
        sub: user,
        iat: now,
        exp: now + state.config.access_ttl_secs,
        jti: Uuid::now_v7(),
        typ: "access".into(),
        sid: session,
    };
    encode(&Header::new(ALG), &claims, &state.keys.encoding).map_err(ApiError::internal)
}

/// Verifies an access token: signature, algorithm, expiry (no leeway) and kind.
pub fn verify_access(state: &AppState, token: &str) -> ApiResult<Claims> {
    let mut v = Validation::new(ALG);
    v.algorithms = vec![ALG];
    v.leeway = 0;
    v.set_required_spec_claims(&["exp", "sub", "iat"]);
    let data = decode::<Claims>(token, &state.keys.decoding, &v)
        .map_err(|_| ApiError::Unauthorized("invalid or expired token".into()))?;
    if data.claims.typ != "access" {
        return Err(ApiError::Unauthorized("invalid or expired token".into()));
    }
    Ok(data.claims)
}

/// A new random refresh token (64 hex characters) and the hash we store of it.
pub fn new_refresh_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

/// SHA-256 of a token; tokens are random, so no salt or slow hash is needed.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// When a refresh token issued now expires.
pub fn refresh_expiry(state: &AppState) -> chrono::DateTime<Utc> {
    Utc::now() + Duration::seconds(state.config.refresh_ttl_secs)
}

/// Starts a login session for `user`: it lives `refresh_ttl_secs` from now at most,
/// however often it is refreshed.
pub async fn start_session(
    conn: &mut PgConnection,
    state: &AppState,
    user: Uuid,
) -> ApiResult<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO sessions (id, user_id, expires_at) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(user)
        .bind(refresh_expiry(state))
        .execute(conn)
        .await?;
    Ok(id)
}

/// Ends one login session and its refresh tokens: its access tokens stop working at
/// once on every replica (each request checks its session in PostgreSQL).
pub async fn end_session(conn: &mut PgConnection, session: Uuid) -> ApiResult<()> {
    sqlx::query("UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL")
        .bind(session)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL",
    )
    .bind(session)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Ends every session of a user (password change or reset, role change, deactivation).
pub async fn end_all_sessions(conn: &mut PgConnection, user: Uuid) -> ApiResult<()> {
    sqlx::query("UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL")
        .bind(user)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
    )
    .bind(user)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Whether a login session is still live (not ended, not past its 7 days).
pub async fn session_live(db: &sqlx::PgPool, session: Uuid) -> ApiResult<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sessions WHERE id = $1 AND revoked_at IS NULL AND expires_at > now())",
    )
    .bind(session)
    .fetch_one(db)
    .await?)
}

/// Resolves once `session` has ended (checked every few seconds): long-lived answers
/// such as event streams end with it.
pub async fn session_ended(db: sqlx::PgPool, session: Option<Uuid>) {
    let Some(session) = session else {
        return std::future::pending().await;
    };
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
        // A failed check is not an ended session: the stream stays until it knows.
        if let Ok(false) = session_live(&db, session).await {
            return;
        }
    }
}
