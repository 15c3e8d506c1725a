//! Authentication: login, token refresh with rotation and reuse detection, logout.

pub mod password;
pub mod tokens;

use axum::extract::{FromRef, FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared_model::Role;
use tracing::instrument;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::error::{ApiError, ApiJson, ApiResult};
use crate::rbac::{check_csrf, client_ip, AuthUser, Authenticated};
use crate::state::AppState;
use crate::{audit, ratelimit};

/// Cookie carrying the access token for the browser.
pub const ACCESS_COOKIE: &str = "alaroma_access";
/// Cookie carrying the refresh token; sent only to the auth endpoints.
pub const REFRESH_COOKIE: &str = "alaroma_refresh";

/// Login request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Login name.
    pub login: String,
    /// Password.
    pub password: String,
}

/// A successful login or refresh. The refresh token travels only in its cookie.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// JWT for the `Authorization: Bearer` header.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Who logged in.
    pub user: Me,
}

/// The logged-in user.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// Id.
    pub id: Uuid,
    /// Login.
    pub login: String,
    /// Role.
    #[schema(value_type = String)]
    pub role: Role,
    /// Locations in scope (empty for admins, who see all).
    pub locations: Vec<Uuid>,
}

/// The request's client IP, as an extractor.
pub struct ClientIp(pub Option<String>);

impl<S> FromRequestParts<S> for ClientIp
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Ok(ClientIp(client_ip(parts, &AppState::from_ref(state))))
    }
}

/// Passes the CSRF check for cookie-carrying auth writes (a Bearer request carries
/// its credential explicitly and cannot be forged cross-site).
pub struct SameSiteWrite;

impl<S> FromRequestParts<S> for SameSiteWrite
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        if !parts
            .headers
            .contains_key(axum::http::header::AUTHORIZATION)
        {
            check_csrf(parts, &AppState::from_ref(state))?;
        }
        Ok(SameSiteWrite)
    }
}

/// The auth routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(me))
}

fn cookies(state: &AppState, jar: CookieJar, access: &str, refresh: Option<&str>) -> CookieJar {
    let secure = state.config.cookie_secure;
    let mut a = Cookie::new(ACCESS_COOKIE, access.to_owned());
    a.set_http_only(true);
    a.set_secure(secure);
    a.set_same_site(SameSite::Strict);
    a.set_path("/");
    a.set_max_age(time_secs(state.config.access_ttl_secs));
    let jar = jar.add(a);
    match refresh {
        None => jar,
        Some(r) => {
            let mut c = Cookie::new(REFRESH_COOKIE, r.to_owned());
            c.set_http_only(true);
            c.set_secure(secure);
            c.set_same_site(SameSite::Strict);
            c.set_path("/api/v1/auth");
            c.set_max_age(time_secs(state.config.refresh_ttl_secs));
            jar.add(c)
        }
    }
}

fn time_secs(s: i64) -> time::Duration {
    time::Duration::seconds(s)
}

async fn me_of(state: &AppState, user: &AuthUser) -> ApiResult<Me> {
    let locations: Vec<Uuid> =
        sqlx::query_scalar("SELECT location_id FROM user_locations WHERE user_id = $1 ORDER BY 1")
            .bind(user.id)
            .fetch_all(&state.db)
            .await?;
    Ok(Me {
        id: user.id,
        login: user.login.clone(),
        role: user.role,
        locations,
    })
}

/// Stores a new refresh token in `family` and returns it.
async fn issue_refresh(state: &AppState, user: Uuid, family: Uuid) -> ApiResult<String> {
    let (token, hash) = tokens::new_refresh_token();
    sqlx::query("INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(Uuid::now_v7())
        .bind(family)
        .bind(user)
        .bind(hash)
        .bind(tokens::refresh_expiry(state))
        .execute(&state.db)
        .await?;
    Ok(token)
}

/// Checks a login and password, rate limited per account and per IP (in Redis).
#[instrument(skip_all, err, fields(ip = ip.as_deref().unwrap_or("-")))]
pub async fn authenticate_password(
    state: &AppState,
    req: &LoginRequest,
    ip: Option<String>,
) -> ApiResult<AuthUser> {
    let c = &state.config;
    let mut redis = state.redis.clone();
    let login_key = format!(
        "{}rl:login:account:{}",
        c.redis_prefix,
        req.login.trim().to_lowercase()
    );
    let ip_key = format!(
        "{}rl:login:ip:{}",
        c.redis_prefix,
        ip.as_deref().unwrap_or("unknown")
    );
    ratelimit::hit(&mut redis, &ip_key, c.login_limit_ip, c.login_window_secs).await?;
    ratelimit::hit(
        &mut redis,
        &login_key,
        c.login_limit_account,
        c.login_window_secs,
    )
    .await?;
    let row: Option<(Uuid, String, String, String, bool)> = sqlx::query_as(
        "SELECT id, login, role, password_hash, active FROM users WHERE lower(login) = lower($1)",
    )
    .bind(req.login.trim())
    .fetch_optional(&state.db)
    .await?;
    let hash = row.as_ref().filter(|r| r.4).map(|r| r.3.clone());
    if !password::verify(req.password.clone(), hash).await? {
        return Err(ApiError::Unauthorized("wrong login or password".into()));
    }
    let (id, login, role, _, _) =
        row.ok_or_else(|| ApiError::Unauthorized("wrong login or password".into()))?;
    ratelimit::reset(&mut redis, &login_key).await?;
    Ok(AuthUser {
        id,
        login,
        role: Role::parse(&role).map_err(ApiError::internal)?,
        ip,
    })
}

/// Log in with login and password.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), (status = 401), (status = 429)))]
#[instrument(skip_all, err)]
async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    let user = authenticate_password(&state, &req, ip).await?;
    let session = Uuid::now_v7();
    let mut conn = state.db.acquire().await?;
    audit::record(&mut conn, &user, "login", "user", user.id, None, None).await?;
    tracing::info!(user_id = %user.id, "user logged in");
    session_response(&state, jar, &user, session).await
}

/// Issues a refresh token in `session` and an access token, as cookies and body.
async fn session_response(
    state: &AppState,
    jar: CookieJar,
    user: &AuthUser,
    session: Uuid,
) -> ApiResult<Response> {
    let refresh = issue_refresh(state, user.id, session).await?;
    let access = tokens::access_token(state, user.id, session)?;
    let body = TokenResponse {
        access_token: access.clone(),
        token_type: "Bearer",
        expires_in: state.config.access_ttl_secs,
        user: me_of(state, user).await?,
    };
    Ok((
        cookies(state, jar, &access, Some(&refresh)),
        axum::Json(body),
    )
        .into_response())
}

#[derive(sqlx::FromRow)]
struct RefreshRow {
    id: Uuid,
    family_id: Uuid,
    user_id: Uuid,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

/// Rotates the refresh token (from its cookie) and issues a new access token. A
/// refresh token used twice means it was stolen: the whole login family is revoked.
#[utoipa::path(post, path = "/auth/refresh", tag = "auth",
    responses((status = 200, body = TokenResponse), (status = 401)))]
#[instrument(skip_all, err)]
async fn refresh(
    State(state): State<AppState>,
    _csrf: SameSiteWrite,
    jar: CookieJar,
) -> ApiResult<Response> {
    let presented = jar
        .get(REFRESH_COOKIE)
        .map(|c| c.value().to_owned())
        .ok_or_else(|| ApiError::Unauthorized("no refresh token".into()))?;
    let mut tx = state.db.begin().await?;
    let row: Option<RefreshRow> = sqlx::query_as(
        "SELECT id, family_id, user_id, expires_at, used_at, revoked_at FROM refresh_tokens
         WHERE token_hash = $1 FOR UPDATE",
    )
    .bind(tokens::hash_token(&presented))
    .fetch_optional(&mut *tx)
    .await?;
    let RefreshRow {
        id,
        family_id: family,
        user_id,
        expires_at: expires,
        used_at: used,
        revoked_at: revoked,
    } = row.ok_or_else(|| ApiError::Unauthorized("invalid refresh token".into()))?;
    if used.is_some() || revoked.is_some() {
        sqlx::query("UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL")
            .bind(family)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tokens::revoke_session(&state, family).await?;
        tracing::warn!(user_id = %user_id, "refresh token reuse: session family revoked");
        return Err(ApiError::Unauthorized(
            "refresh token already used; please log in again".into(),
        ));
    }
    if expires < Utc::now() {
        return Err(ApiError::Unauthorized("refresh token expired".into()));
    }
    sqlx::query("UPDATE refresh_tokens SET used_at = now() WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let active: Option<(String, String, bool)> =
        sqlx::query_as("SELECT login, role, active FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
    let (login, role, _) = active
        .filter(|a| a.2)
        .ok_or_else(|| ApiError::Unauthorized("account disabled".into()))?;
    tx.commit().await?;
    let user = AuthUser {
        id: user_id,
        login,
        role: Role::parse(&role).map_err(ApiError::internal)?,
        ip: None,
    };
    session_response(&state, jar, &user, family).await
}

/// Logs out: revokes the session's refresh-token family and clears the cookies.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", responses((status = 204)))]
#[instrument(skip_all, err)]
async fn logout(
    State(state): State<AppState>,
    _csrf: SameSiteWrite,
    headers: axum::http::HeaderMap,
    jar: CookieJar,
) -> ApiResult<Response> {
    let mut sessions = Vec::new();
    if let Some(c) = jar.get(REFRESH_COOKIE) {
        let family: Option<Uuid> =
            sqlx::query_scalar("SELECT family_id FROM refresh_tokens WHERE token_hash = $1")
                .bind(tokens::hash_token(c.value()))
                .fetch_optional(&state.db)
                .await?;
        sessions.extend(family);
    }
    let bearer = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let access = bearer.or_else(|| jar.get(ACCESS_COOKIE).map(|c| c.value().to_owned()));
    if let Some(claims) = access.and_then(|t| tokens::verify_access(&state, &t).ok()) {
        sessions.push(claims.sid);
    }
    for family in sessions {
        sqlx::query("UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL")
            .bind(family)
            .execute(&state.db)
            .await?;
        tokens::revoke_session(&state, family).await?;
    }
    let jar = jar
        .remove(Cookie::build(ACCESS_COOKIE).path("/"))
        .remove(Cookie::build(REFRESH_COOKIE).path("/api/v1/auth"));
    Ok((jar, axum::http::StatusCode::NO_CONTENT).into_response())
}

/// The logged-in user.
#[utoipa::path(get, path = "/auth/me", tag = "auth", responses((status = 200, body = Me), (status = 401)))]
#[instrument(skip_all, err)]
async fn me(State(state): State<AppState>, auth: Authenticated) -> ApiResult<axum::Json<Me>> {
    Ok(axum::Json(me_of(&state, &auth.user).await?))
}
