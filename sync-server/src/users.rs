//! Users of the admin API and the tills: roles, locations, passwords, till PINs and
//! manual-discount limits. Managers manage the staff of their own locations only.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared_model::{Percent, Role};
use sqlx::PgConnection;
use tracing::instrument;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::auth::password;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult};
use crate::pagination::{Listing, Page, PageParams};
use crate::rbac::{cap, AuthUser, Authorized, Scope};
use crate::{audit, notify, AppState};

/// A user as the API shows it (never a hash).
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct User {
    /// Id.
    pub id: Uuid,
    /// Login.
    pub login: String,
    /// Full name.
    pub full_name: String,
    /// Role code.
    pub role: String,
    /// Whether the user may log in.
    pub active: bool,
    /// Whether a till PIN is set.
    pub has_pin: bool,
    /// Manual-discount limit in percent (e.g. "10").
    pub discount_limit: String,
    /// Locations the user belongs to.
    pub locations: Vec<Uuid>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Tax id (ИНН), printed with the name on the fiscal receipts they make.
    pub vatin: Option<String>,
}

/// A new user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// Login (unique, case-insensitive).
    pub login: String,
    /// Full name.
    pub full_name: String,
    /// admin, manager, cashier, salesperson or warehouse_worker.
    pub role: String,
    /// Password, 10–128 characters.
    pub password: String,
    /// Till PIN: 6–8 digits for roles that discount, refund or configure, else 4–8.
    pub pin: Option<String>,
    /// Manual-discount limit in percent; default by role.
    pub discount_limit: Option<String>,
    /// Locations (required for every role but admin).
    #[serde(default)]
    pub locations: Vec<Uuid>,
    /// Tax id (ИНН, 12 digits).
    pub vatin: Option<String>,
}

/// Changes to a user; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    /// Full name.
    pub full_name: Option<String>,
    /// Role.
    pub role: Option<String>,
    /// Active.
    pub active: Option<bool>,
    /// New password.
    pub password: Option<String>,
    /// The current password: required to change your own.
    pub current_password: Option<String>,
    /// New till PIN.
    pub pin: Option<String>,
    /// Manual-discount limit in percent.
    pub discount_limit: Option<String>,
    /// Replaces the user's locations.
    pub locations: Option<Vec<Uuid>>,
    /// Tax id (ИНН, 12 digits); an empty one removes it.
    pub vatin: Option<String>,
}

/// List filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UserFilter {
    /// Role code.
    pub role: Option<String>,
    /// Users of this location.
    pub location_id: Option<Uuid>,
    /// Login or name contains.
    pub q: Option<String>,
    /// Active or not.
    pub active: Option<bool>,
    /// Page.
    pub page: Option<u32>,
    /// Page size.
    pub per_page: Option<u32>,
}

/// The users routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update))
}

const COLUMNS: &str = "u.id, u.login, u.full_name, u.role, u.active, u.pin_hash IS NOT NULL AS has_pin,
    (u.discount_limit_bp / 100.0)::text AS discount_limit_raw, u.created_at, u.vatin,
    COALESCE(array_agg(ul.location_id ORDER BY ul.location_id) FILTER (WHERE ul.location_id IS NOT NULL), '{}') AS locations";
const FROM: &str = "FROM users u LEFT JOIN user_locations ul ON ul.user_id = u.id";

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    login: String,
    full_name: String,
    role: String,
    active: bool,
    has_pin: bool,
    discount_limit_raw: String,
    created_at: DateTime<Utc>,
    vatin: Option<String>,
    locations: Vec<Uuid>,
}

impl From<Row> for User {
    fn from(r: Row) -> User {
        let limit = r
            .discount_limit_raw
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned();
        User {
            id: r.id,
            login: r.login,
            full_name: r.full_name,
            role: r.role,
            active: r.active,
            has_pin: r.has_pin,
            discount_limit: if limit.is_empty() { "0".into() } else { limit },
            locations: r.locations,
            created_at: r.created_at,
            vatin: r.vatin,
        }
    }
}

async fn load(conn: &mut PgConnection, id: Uuid) -> ApiResult<User> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} {FROM} WHERE u.id = $1 GROUP BY u.id"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(User::from)
        .ok_or_else(|| ApiError::NotFound("user".into()))
}

/// What a manager may hand out: staff roles, at their own locations.
fn check_assignable(
    actor: &AuthUser,
    scope: &Scope,
    role: Role,
    locations: &[Uuid],
) -> ApiResult<()> {
    if actor.role != Role::Admin && matches!(role, Role::Admin | Role::Manager) {
        return Err(ApiError::Forbidden(
            "only an admin may create or promote admins and managers".into(),
        ));
    }
    if role != Role::Admin && locations.is_empty() {
        return Err(ApiError::Validation(
            "a user other than an admin needs at least one location".into(),
        ));
    }
    locations.iter().try_for_each(|l| scope.check(*l))
}

/// A user visible to the actor: admins see all; managers see users sharing a location.
fn check_visible(scope: &Scope, user: &User) -> ApiResult<()> {
    match scope {
        Scope::All => Ok(()),
        Scope::Locations(mine) if user.locations.iter().any(|l| mine.contains(l)) => Ok(()),
        Scope::Locations(_) => Err(ApiError::NotFound("user".into())),
    }
}

/// Nobody grants a discount limit above their own (the command-line admin has none).
async fn check_limit(conn: &mut PgConnection, actor: &AuthUser, limit_bp: i32) -> ApiResult<()> {
    let own: Option<i32> = sqlx::query_scalar("SELECT discount_limit_bp FROM users WHERE id = $1")
        .bind(actor.id)
        .fetch_optional(conn)
        .await?;
    match own {
        Some(own) if limit_bp > own => Err(ApiError::Forbidden(format!(
            "you may grant a discount limit of at most your own ({}%)",
            f64::from(own) / 100.0
        ))),
        _ => Ok(()),
    }
}

/// A till logs people in by PIN alone, so two people who work at one store (or an admin,
/// who works at all) may not share one.
async fn check_pin_free(
    conn: &mut PgConnection,
    pin: &str,
    locations: &[Uuid],
    except: Option<Uuid>,
) -> ApiResult<()> {
    let hashes: Vec<String> = sqlx::query_scalar(
        "SELECT u.pin_hash FROM users u
         WHERE u.pin_hash IS NOT NULL AND u.active AND ($2::uuid IS NULL OR u.id <> $2)
           AND (u.role = 'admin' OR $3 OR EXISTS (SELECT 1 FROM user_locations ul
                                WHERE ul.user_id = u.id AND ul.location_id = ANY($1)))",
    )
    .bind(locations)
    .bind(except)
    .bind(locations.is_empty())
    .fetch_all(conn)
    .await?;
    for h in hashes {
        if password::verify(pin.to_owned(), Some(h)).await? {
            return Err(ApiError::Conflict(
                "someone at that store already has this PIN; choose another".into(),
            ));
        }
    }
    Ok(())
}

/// A tax id as given: absent (`None`: unchanged), empty (`Some(None)`: none) or valid.
fn parse_vatin(s: Option<&str>) -> ApiResult<Option<Option<String>>> {
    match s.map(str::trim) {
        None => Ok(None),
        Some("") => Ok(Some(None)),
        Some(v) => Ok(Some(Some(shared_model::customer::person_vatin(v)?))),
    }
}

fn parse_limit(s: Option<&str>, role: Role) -> ApiResult<i32> {
    Ok(match s {
        Some(s) => Percent::parse(s)?.bp() as i32,
        None => role.default_discount_limit().bp() as i32,
    })
}

async fn set_locations(conn: &mut PgConnection, user: Uuid, locations: &[Uuid]) -> ApiResult<()> {
    sqlx::query("DELETE FROM user_locations WHERE user_id = $1")
        .bind(user)
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO user_locations (user_id, location_id) SELECT $1, unnest($2::uuid[])")
        .bind(user)
        .bind(locations)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Creates a user.
#[instrument(skip_all, err)]
pub async fn create_user(
    state: &AppState,
    actor: &AuthUser,
    scope: &Scope,
    req: NewUser,
) -> ApiResult<User> {
    let role = Role::parse(&req.role)?;
    check_assignable(actor, scope, role, &req.locations)?;
    let login = req.login.trim();
    if login.is_empty() || login.len() > 64 || req.full_name.trim().is_empty() {
        return Err(ApiError::Validation(
            "login (up to 64 characters) and full name are required".into(),
        ));
    }
    password::validate_password(&req.password)?;
    if let Some(p) = &req.pin {
        role.check_pin(p)?;
    }
    let limit = parse_limit(req.discount_limit.as_deref(), role)?;
    let vatin = parse_vatin(req.vatin.as_deref())?.flatten();
    let mut tx = state.db.begin().await?;
    // One PIN per store is checked under this lock, so two creations cannot race past it.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('user_pins'))")
        .execute(&mut *tx)
        .await?;
    check_limit(&mut tx, actor, limit).await?;
    if let Some(p) = &req.pin {
        check_pin_free(&mut tx, p, &req.locations, None).await?;
    }
    let hash = password::hash(req.password).await?;
    let pin_hash = match req.pin {
        Some(p) => Some(password::hash(p).await?),
        None => None,
    };
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO users (id, login, full_name, role, password_hash, pin_hash, discount_limit_bp, vatin)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(login)
    .bind(req.full_name.trim())
    .bind(role.code())
    .bind(hash)
    .bind(pin_hash)
    .bind(limit)
    .bind(vatin)
    .execute(&mut *tx)
    .await?;
    set_locations(&mut tx, id, &req.locations).await?;
    let user = load(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor,
        "create",
        "user",
        id,
        None,
        audit::snapshot(&user),
    )
    .await?;
    tx.commit().await?;
    notify::changed(state, None).await;
    Ok(user)
}

/// Creates an admin from the command line (`sync-server create-admin`).
pub async fn create_admin(
    state: &AppState,
    login: &str,
    name: &str,
    password: String,
) -> ApiResult<Uuid> {
    let system = AuthUser {
        id: Uuid::nil(),
        login: "system".into(),
        role: Role::Admin,
        ip: None,
        session: None,
    };
    let req = NewUser {
        login: login.into(),
        full_name: name.into(),
        role: Role::Admin.code().into(),
        password,
        pin: None,
        discount_limit: None,
        locations: vec![],
        vatin: None,
    };
    let user = create_user(state, &system, &Scope::All, req).await?;
    Ok(user.id)
}

/// List users in scope.
#[utoipa::path(get, path = "/users", tag = "users", params(UserFilter), responses((status = 200, body = Page<User>)))]
#[instrument(skip_all, err)]
async fn list(
    State(state): State<AppState>,
    auth: Authorized<cap::ManageUsers>,
    ApiQuery(f): ApiQuery<UserFilter>,
) -> ApiResult<Json<Page<User>>> {
    let p = PageParams {
        page: f.page,
        per_page: f.per_page,
    };
    let from = format!(
        "{FROM} WHERE ($1::text IS NULL OR u.role = $1)
           AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM user_locations x WHERE x.user_id = u.id AND x.location_id = $2))
           AND ($3::text IS NULL OR u.login ILIKE '%' || $3 || '%' OR u.full_name ILIKE '%' || $3 || '%')
           AND ($4::bool IS NULL OR u.active = $4)
           AND ($5::uuid[] IS NULL OR EXISTS (SELECT 1 FROM user_locations x WHERE x.user_id = u.id AND x.location_id = ANY($5)))
         GROUP BY u.id"
    );
    let page: Page<Row> = Listing::new(&from)
        .bind(f.role)?
        .bind(f.location_id)?
        .bind(f.q)?
        .bind(f.active)?
        .bind(auth.scope.ids())?
        .page(&state.db, COLUMNS, "u.login", p)
        .await?;
    Ok(Json(page.map(User::from)))
}

/// Create a user.
#[utoipa::path(post, path = "/users", tag = "users", request_body = NewUser, responses((status = 201, body = User)))]
#[instrument(skip_all, err)]
async fn create(
    State(state): State<AppState>,
    auth: Authorized<cap::ManageUsers>,
    ApiJson(req): ApiJson<NewUser>,
) -> ApiResult<(StatusCode, Json<User>)> {
    Ok((
        StatusCode::CREATED,
        Json(create_user(&state, &auth.user, &auth.scope, req).await?),
    ))
}

/// One user.
#[utoipa::path(get, path = "/users/{id}", params(("id" = Uuid, Path, description = "Id")), tag = "users", responses((status = 200, body = User)))]
#[instrument(skip_all, err)]
async fn get_one(
    State(state): State<AppState>,
    auth: Authorized<cap::ManageUsers>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<User>> {
    let user = load(&mut *state.db.acquire().await?, id).await?;
    check_visible(&auth.scope, &user)?;
    Ok(Json(user))
}

/// What an update changes, checked against the user as they are.
struct Change {
    old_role: Role,
    role: Role,
    /// The user's stores after the update.
    locations: Vec<Uuid>,
    /// A new discount limit, in basis points.
    limit: Option<i32>,
    /// A new VATIN (`Some(None)` clears it).
    vatin: Option<Option<String>>,
}

impl Change {
    /// Checks what needs no database: who may assign which role, one's own account,
    /// password and PIN rules, names and numbers.
    fn check(actor: &AuthUser, scope: &Scope, before: &User, req: &UserUpdate) -> ApiResult<Self> {
        let old_role = Role::parse(&before.role)?;
        let role = match &req.role {
            Some(r) => Role::parse(r)?,
            None => old_role,
        };
        let locations = req
            .locations
            .clone()
            .unwrap_or_else(|| before.locations.clone());
        // A manager may neither touch admins and managers nor promote anyone to them.
        check_assignable(actor, scope, old_role, &before.locations)
            .and_then(|_| check_assignable(actor, scope, role, &locations))?;
        if before.id == actor.id && (req.active == Some(false) || role != old_role) {
            return Err(ApiError::Conflict(
                "you cannot disable yourself or change your own role".into(),
            ));
        }
        if let Some(p) = &req.password {
            password::validate_password(p)?;
        }
        if let Some(p) = &req.pin {
            role.check_pin(p)?;
        } else if before.has_pin && role.min_pin_len() > old_role.min_pin_len() {
            // The PIN they have may be too short for the new role (only its hash is kept).
            return Err(ApiError::Validation(format!(
                "a {} needs a new PIN of {} to 8 digits: give one with the role",
                role.code(),
                role.min_pin_len()
            )));
        }
        if req
            .full_name
            .as_deref()
            .is_some_and(|n| n.trim().is_empty())
        {
            return Err(ApiError::Validation("full name cannot be empty".into()));
        }
        let limit = match &req.discount_limit {
            Some(l) => Some(parse_limit(Some(l), role)?),
            None => None,
        };
        Ok(Self {
            old_role,
            role,
            locations,
            limit,
            vatin: parse_vatin(req.vatin.as_deref())?,
        })
    }

    /// A new password, another role or deactivation ends every session of the user.
    fn ends_sessions(&self, req: &UserUpdate) -> bool {
        req.password.is_some() || self.role != self.old_role || req.active == Some(false)
    }
}

/// Changing one's own password takes the current one.
async fn check_own_password(
    conn: &mut PgConnection,
    actor: &AuthUser,
    id: Uuid,
    req: &UserUpdate,
) -> ApiResult<()> {
    if req.password.is_none() || id != actor.id {
        return Ok(());
    }
    let current: Option<String> =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    let given = req.current_password.clone().unwrap_or_default();
    if password::verify(given, current).await? {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "to change your own password, give your current one".into(),
        ))
    }
}

/// Hashes what is given of a password or PIN.
async fn hash_given(secret: Option<String>) -> ApiResult<Option<String>> {
    Ok(match secret {
        Some(p) => Some(password::hash(p).await?),
        None => None,
    })
}

/// Updates a user.
#[instrument(skip_all, err)]
pub async fn update_user(
    state: &AppState,
    actor: &AuthUser,
    scope: &Scope,
    id: Uuid,
    req: UserUpdate,
) -> ApiResult<User> {
    let mut tx = state.db.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('user_pins'))")
        .execute(&mut *tx)
        .await?;
    let before = load(&mut tx, id).await?;
    check_visible(scope, &before)?;
    let change = Change::check(actor, scope, &before, &req)?;
    if let Some(l) = change.limit {
        check_limit(&mut tx, actor, l).await?;
    }
    if let Some(p) = &req.pin {
        check_pin_free(&mut tx, p, &change.locations, Some(id)).await?;
    }
    check_own_password(&mut tx, actor, id, &req).await?;
    let end_sessions = change.ends_sessions(&req);
    let full_name = req.full_name.as_deref().map(str::trim);
    sqlx::query(
        "UPDATE users SET full_name = COALESCE($2, full_name), role = $3, active = COALESCE($4, active),
            password_hash = COALESCE($5, password_hash), pin_hash = COALESCE($6, pin_hash),
            discount_limit_bp = COALESCE($7, discount_limit_bp),
            vatin = CASE WHEN $8 THEN $9 ELSE vatin END, updated_at = now()
         WHERE id = $1",
    )
    .bind(id)
    .bind(full_name)
    .bind(change.role.code())
    .bind(req.active)
    .bind(hash_given(req.password.clone()).await?)
    .bind(hash_given(req.pin.clone()).await?)
    .bind(change.limit)
    .bind(change.vatin.is_some())
    .bind(change.vatin.flatten())
    .execute(&mut *tx)
    .await?;
    if req.locations.is_some() {
        set_locations(&mut tx, id, &change.locations).await?;
    }
    if end_sessions {
        crate::auth::tokens::end_all_sessions(&mut tx, id).await?;
    }
    let after = load(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor,
        "update",
        "user",
        id,
        audit::snapshot(&before),
        audit::snapshot(&after),
    )
    .await?;
    tx.commit().await?;
    notify::changed(state, None).await;
    Ok(after)
}

/// Update a user.
#[utoipa::path(patch, path = "/users/{id}", params(("id" = Uuid, Path, description = "Id")), tag = "users", request_body = UserUpdate, responses((status = 200, body = User)))]
#[instrument(skip_all, err)]
async fn update(
    State(state): State<AppState>,
    auth: Authorized<cap::ManageUsers>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<UserUpdate>,
) -> ApiResult<Json<User>> {
    Ok(Json(
        update_user(&state, &auth.user, &auth.scope, id, req).await?,
    ))
}
