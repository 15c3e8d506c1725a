//! Authentication: login, token refresh with rotation and reuse detection, logout.

pub mod identity;
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
use sqlx::PgConnection;
use tracing::instrument;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::error::{ApiError, ApiJson, ApiResult};
use crate::state::AppState;
use crate::{audit, ratelimit};
use identity::{check_csrf, client_ip, AuthUser, Authenticated};

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

/// Stores a new refresh token in `session`, expiring no later than the session.
async fn issue_refresh(
    conn: &mut PgConnection,
    state: &AppState,
    user: Uuid,
    session: Uuid,
) -> ApiResult<String> {
    let (token, hash) = tokens::new_refresh_token();
    sqlx::query(
        "INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, expires_at)
         SELECT $1, $2, $3, $4, LEAST($5, s.expires_at) FROM sessions s WHERE s.id = $2",
    )
    .bind(Uuid::now_v7())
    .bind(session)
    .bind(user)
    .bind(hash)
    .bind(tokens::refresh_expiry(state))
    .execute(conn)
    .await?;
    Ok(token)
}

/// Longest login name; a longer one is refused before any Redis or database work.
const MAX_LOGIN_CHARS: usize = 64;

/// Checks a login and password. Only failures count (in Redis, across replicas): per
/// client IP, per account from that IP (both refuse with 429 for a while), and per
/// account from anywhere, which slows every try down instead of locking the account, so
/// nobody can lock someone else out by failing their login on purpose.
#[instrument(skip_all, err, fields(ip = ip.as_deref().unwrap_or("-")))]
pub async fn authenticate_password(
    state: &AppState,
    req: &LoginRequest,
    ip: Option<String>,
) -> ApiResult<AuthUser> {
    let c = &state.config;
    let login = req.login.trim();
    if login.is_empty() || login.chars().count() > MAX_LOGIN_CHARS || req.password.len() > 1024 {
        return Err(ApiError::Validation(format!(
            "a login is 1 to {MAX_LOGIN_CHARS} characters"
        )));
    }
    let account = login.to_lowercase();
    let client = ip.as_deref().unwrap_or("unknown");
    let ip_key = format!("{}rl:login:ip:{client}", c.redis_prefix);
    let pair_key = format!("{}rl:login:pair:{client}:{account}", c.redis_prefix);
    let account_key = format!("{}rl:login:account:{account}", c.redis_prefix);
    let mut redis = state.redis.clone();
    for (key, limit) in [
        (&ip_key, c.login_limit_ip),
        (&pair_key, c.login_limit_account),
    ] {
        let (n, ttl) = ratelimit::failures(&mut redis, key).await?;
        if n >= u64::from(limit) {
            return Err(ApiError::TooManyRequests(ttl.max(1) as u64));
        }
    }
    let (n, _) = ratelimit::failures(&mut redis, &account_key).await?;
    let ceiling = u64::from(c.login_limit_account) * 4;
    if n >= ceiling {
        // Failing from many places: one try per couple of seconds, for the owner too.
        let secs = (n - ceiling + 1).min(5);
        tokio::time::sleep(std::time::Duration::from_secs(secs)).await;
    }
    /// Who is signing in, as stored.
    #[derive(sqlx::FromRow)]
    struct Account {
        id: Uuid,
        login: String,
        role: String,
        password_hash: String,
        active: bool,
    }
    let row: Option<Account> = sqlx::query_as(
        "SELECT id, login, role, password_hash, active FROM users WHERE lower(login) = lower($1)",
    )
    .bind(login)
    .fetch_optional(&state.db)
    .await?;
    // A disabled account is checked like a wrong password: the same time, the same answer.
    let hash = row
        .as_ref()
        .filter(|r| r.active)
        .map(|r| r.password_hash.clone());
    let ok = password::verify(req.password.clone(), hash).await?;
    let Some(Account {
        id, login, role, ..
    }) = row.filter(|_| ok)
    else {
        ratelimit::fail(
            &mut redis,
            &[&ip_key, &pair_key, &account_key],
            c.login_window_secs,
        )
        .await?;
        return Err(ApiError::Unauthorized("wrong login or password".into()));
    };
    ratelimit::reset(&mut redis, &pair_key).await?;
    Ok(AuthUser {
        id,
        login,
        role: Role::parse(&role).map_err(ApiError::internal)?,
        ip,
        session: None,
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
    let mut tx = state.db.begin().await?;
    let session = tokens::start_session(&mut tx, &state, user.id).await?;
    audit::record(&mut tx, &user, "login", "user", user.id, None, None).await?;
    let refresh = issue_refresh(&mut tx, &state, user.id, session).await?;
    tx.commit().await?;
    tracing::info!(user_id = %user.id, "user logged in");
    session_response(&state, jar, &user, session, &refresh).await
}

/// Answers a login or refresh: an access token in `session` and the refresh token, as
/// cookies and body.
async fn session_response(
    state: &AppState,
    jar: CookieJar,
    user: &AuthUser,
    session: Uuid,
    refresh: &str,
) -> ApiResult<Response> {
    let access = tokens::access_token(state, user.id, session)?;
    let body = TokenResponse {
        access_token: access.clone(),
        token_type: "Bearer",
        expires_in: state.config.access_ttl_secs,
        user: me_of(state, user).await?,
    };
    Ok((
        cookies(state, jar, &access, Some(refresh)),
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
    // The session row is locked first, so concurrent refreshes of one family take turns:
    // the second sees the token used, ends the session, and no successor stays live.
    let row: Option<RefreshRow> = sqlx::query_as(
        "SELECT r.id, r.family_id, r.user_id, r.expires_at,
                COALESCE(r.revoked_at, s.revoked_at, CASE WHEN s.expires_at <= now() THEN s.expires_at END) AS revoked_at
         FROM refresh_tokens r JOIN sessions s ON s.id = r.family_id
         WHERE r.token_hash = $1 FOR UPDATE OF s",
    )
    .bind(tokens::hash_token(&presented))
    .fetch_optional(&mut *tx)
    .await?;
    let RefreshRow {
        id,
        family_id: family,
        user_id,
        expires_at: expires,
        revoked_at: revoked,
        ..
    } = row.ok_or_else(|| ApiError::Unauthorized("invalid refresh token".into()))?;
    // Read again now the session is locked: a refresh that held the lock may have used it.
    let (used, token_revoked): (Option<DateTime<Utc>>, Option<DateTime<Utc>>) =
        sqlx::query_as("SELECT used_at, revoked_at FROM refresh_tokens WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
    if revoked.or(token_revoked).is_some() && used.is_none() {
        return Err(ApiError::Unauthorized(
            "this session has ended; please log in again".into(),
        ));
    }
    if used.is_some() {
        tokens::end_session(&mut tx, family).await?;
        tx.commit().await?;
        tracing::warn!(user_id = %user_id, "refresh token reuse: session ended");
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
    let refresh = issue_refresh(&mut tx, &state, user_id, family).await?;
    tx.commit().await?;
    let user = AuthUser {
        id: user_id,
        login,
        role: Role::parse(&role).map_err(ApiError::internal)?,
        ip: None,
        session: Some(family),
    };
    session_response(&state, jar, &user, family, &refresh).await
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
    let mut conn = state.db.acquire().await?;
    for session in sessions {
        tokens::end_session(&mut conn, session).await?;
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
