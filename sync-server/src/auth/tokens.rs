//! Access tokens (HS256 JWT, 15 minutes) and opaque refresh tokens (7 days, rotated).

use argon2::password_hash::rand_core::{OsRng, RngCore};
use chrono::{Duration, Utc};
use jsonwebtoken::{decode, encode, Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
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

fn revoked_key(state: &AppState, session: Uuid) -> String {
    format!("{}revoked-session:{session}", state.config.redis_prefix)
}

/// Marks a login session revoked in Redis for as long as its access tokens could live,
/// so every replica refuses them at once.
pub async fn revoke_session(state: &AppState, session: Uuid) -> ApiResult<()> {
    let mut redis = state.redis.clone();
    let mut set = redis::cmd("SET");
    set.arg(revoked_key(state, session))
        .arg(1)
        .arg("EX")
        .arg(state.config.access_ttl_secs.max(1));
    let q = set.query_async::<()>(&mut redis);
    tokio::time::timeout(crate::ratelimit::REDIS_TIMEOUT, q)
        .await
        .map_err(|_| ApiError::Unavailable("redis".into()))??;
    Ok(())
}

/// Whether a login session was revoked.
pub async fn session_revoked(state: &AppState, session: Uuid) -> ApiResult<bool> {
    let mut redis = state.redis.clone();
    Ok(redis::cmd("EXISTS")
        .arg(revoked_key(state, session))
        .query_async::<bool>(&mut redis)
        .await?)
}
