//! Authentication: who is making this request. A bearer token or the access cookie
//! (with its CSRF check), verified, and the user and session read afresh from the
//! database, so a role change, deactivation or ended session applies at once. What the
//! user may do is the `rbac` module's business.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::Method;
use axum_extra::extract::CookieJar;
use shared_model::Role;
use uuid::Uuid;

use super::{tokens, ACCESS_COOKIE};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Which locations a user's rights reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every location (admin).
    All,
    /// Only these.
    Locations(Vec<Uuid>),
}

impl Scope {
    /// Refuses a location outside the scope.
    pub fn check(&self, location: Uuid) -> ApiResult<()> {
        match self {
            Scope::All => Ok(()),
            Scope::Locations(l) if l.contains(&location) => Ok(()),
            Scope::Locations(_) => Err(ApiError::Forbidden(
                "that location is outside your scope".into(),
            )),
        }
    }

    /// The location ids for SQL filters; `None` means no filter.
    pub fn ids(&self) -> Option<Vec<Uuid>> {
        match self {
            Scope::All => None,
            Scope::Locations(l) => Some(l.clone()),
        }
    }
}

/// The authenticated user.
#[derive(Debug, Clone)]
pub struct AuthUser {
    /// Id.
    pub id: Uuid,
    /// Login.
    pub login: String,
    /// Role (read from the database on every request, so changes apply at once).
    pub role: Role,
    /// Client IP, for the audit log.
    pub ip: Option<String>,
    /// The login session the request belongs to (none for the command line).
    pub session: Option<Uuid>,
}

impl crate::audit::Actor for AuthUser {
    fn user_id(&self) -> Uuid {
        self.id
    }
    fn ip(&self) -> Option<&str> {
        self.ip.as_deref()
    }
}

/// The client's IP: the socket peer, unless the peer is one of our `trust_proxy`
/// proxies; then the right-most `X-Forwarded-For` address that is not (the entries to its
/// left were written by whoever sent the request, and are not believed).
pub fn client_ip(parts: &Parts, state: &AppState) -> Option<String> {
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())?;
    let trusted = &state.trusted_proxies;
    let is_trusted = |ip: &std::net::IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer.to_string());
    }
    let forwarded: Vec<std::net::IpAddr> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map_while(|a| a.trim().parse().ok())
        .collect();
    let client = forwarded
        .iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .or(forwarded.first())
        .copied()
        .unwrap_or(peer);
    Some(client.to_string())
}

/// Any logged-in user, whatever their role.
pub struct Authenticated {
    /// Who.
    pub user: AuthUser,
    /// Where.
    pub scope: Scope,
}

/// Rejects cookie-authenticated writes from other sites (CSRF): the browser's
/// `Sec-Fetch-Site`, or failing that `Origin`, must show the request is same-origin
/// or from an allowed origin.
pub fn check_csrf(parts: &Parts, state: &AppState) -> ApiResult<()> {
    if matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let header = |n: &str| parts.headers.get(n).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        if site == "same-origin" || site == "none" {
            return Ok(());
        }
    }
    if let Some(origin) = header("origin") {
        let host = header("host").unwrap_or_default();
        let same = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"))
            == Some(host);
        if same || state.config.allowed_origins.iter().any(|o| o == origin) {
            return Ok(());
        }
    }
    Err(ApiError::Forbidden("cross-site request refused".into()))
}

/// The request's user and their location scope.
async fn authenticate(parts: &Parts, state: &AppState) -> ApiResult<(AuthUser, Scope)> {
    let bearer = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let token = match bearer {
        Some(t) => t.trim().to_owned(),
        None => {
            let jar = CookieJar::from_headers(&parts.headers);
            let t = jar
                .get(ACCESS_COOKIE)
                .map(|c| c.value().to_owned())
                .ok_or_else(|| ApiError::Unauthorized("log in first".into()))?;
            check_csrf(parts, state)?;
            t
        }
    };
    let claims = tokens::verify_access(state, &token)?;
    // The user and their session in one look-up: a role change, deactivation or ended
    // session applies to the very next request on every replica.
    /// The user as they are now, and whether this session is still live.
    #[derive(sqlx::FromRow)]
    struct Now {
        login: String,
        role: String,
        active: bool,
        live: bool,
        locations: Vec<Uuid>,
    }
    let row: Option<Now> = sqlx::query_as(
        "SELECT u.login, u.role, u.active,
                EXISTS (SELECT 1 FROM sessions s WHERE s.id = $2 AND s.user_id = u.id
                          AND s.revoked_at IS NULL AND s.expires_at > now()) AS live,
                COALESCE(array_agg(ul.location_id) FILTER (WHERE ul.location_id IS NOT NULL), '{}') AS locations
         FROM users u LEFT JOIN user_locations ul ON ul.user_id = u.id
         WHERE u.id = $1 GROUP BY u.id",
    )
    .bind(claims.sub)
    .bind(claims.sid)
    .fetch_optional(&state.db)
    .await?;
    let Now {
        login,
        role,
        active,
        live,
        locations,
    } = row.ok_or_else(|| ApiError::Unauthorized("account disabled or removed".into()))?;
    if !active {
        return Err(ApiError::Unauthorized("account disabled or removed".into()));
    }
    if !live {
        return Err(ApiError::Unauthorized(
            "this session has ended; log in again".into(),
        ));
    }
    let role = Role::parse(&role).map_err(ApiError::internal)?;
    let scope = if role == Role::Admin {
        Scope::All
    } else {
        Scope::Locations(locations)
    };
    tracing::Span::current().record("user_id", tracing::field::display(claims.sub));
    Ok((
        AuthUser {
            id: claims.sub,
            login,
            role,
            ip: client_ip(parts, state),
            session: Some(claims.sid),
        },
        scope,
    ))
}

impl<S> FromRequestParts<S> for Authenticated
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let (user, scope) = authenticate(parts, &state).await?;
        Ok(Authenticated { user, scope })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_limits_locations() {
        let a = Uuid::now_v7();
        let s = Scope::Locations(vec![a]);
        assert!(s.check(a).is_ok());
        assert!(s.check(Uuid::now_v7()).is_err());
        assert!(Scope::All.check(a).is_ok());
    }
}
