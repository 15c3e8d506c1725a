//! Gift certificates at head office: batches, look-up with the full movement history,
//! blocking, the offline policy, and the online hold a till takes before redeeming.
//! Redemptions that arrive from tills are reconciled in `sync::apply` (see
//! [`reconcile_sale`]); the rules themselves live in `shared_model::certificates`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use shared_model::certificates::{
    check_amount, check_sellable, check_usable, CertificateCode, CertificateEntry,
    CertificateRefusal, CertificateState, CertificateStatus, OfflineMode, OfflinePolicy,
};
use shared_model::sync::{ReserveRequest, ReserveResponse, SellableRequest};
use shared_model::Money;
use sqlx::PgConnection;
use tracing::instrument;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::device::Device;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult};
use crate::pagination::{Listing, Page, PageParams};
use crate::rbac::{cap, AuthUser, Authorized, Scope};
use crate::{audit, AppState};

mod reconcile;
pub use reconcile::{reconcile_refunds, reconcile_sale};

/// How long an online hold waits for its sale to arrive.
const HOLD_MINUTES: i32 = 30;

/// The certificates routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_batch))
        .routes(routes!(list))
        .routes(routes!(get_one))
        .routes(routes!(block))
        .routes(routes!(unblock))
        .routes(routes!(get_policy, put_policy))
        .routes(routes!(reserve))
        .routes(routes!(sellable))
}

/// A new batch of certificates.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchInput {
    /// Name, e.g. "New Year 2027".
    pub name: String,
    /// Face value, minor units.
    pub nominal_minor: i64,
    /// How many (1–10 000).
    pub quantity: u32,
    /// Last day they may be used.
    pub expires_on: NaiveDate,
}

/// A created batch with its codes.
#[derive(Debug, Serialize, ToSchema)]
pub struct Batch {
    /// Batch id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// The codes, to print.
    pub codes: Vec<String>,
}

/// A certificate as head office sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateView {
    /// Code.
    pub code: String,
    /// Status: issued, active, blocked, frozen.
    pub status: String,
    /// Face value.
    pub nominal_minor: i64,
    /// Balance.
    pub balance_minor: i64,
    /// Total taken beyond the balance by offline redemptions.
    pub overdraw_minor: i64,
    /// Last day of use.
    pub expires_on: NaiveDate,
    /// The store that sold it.
    pub home_location_id: Option<Uuid>,
    /// Movements, oldest first (only on the single-certificate view).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ledger: Vec<serde_json::Value>,
}

/// Certificate list filter.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CertificateFilter {
    /// Only this status.
    pub status: Option<String>,
    /// Only certificates with an overdraw to look at.
    pub overdrawn: Option<bool>,
    /// Only this batch.
    pub batch_id: Option<Uuid>,
    /// Page.
    pub page: Option<u32>,
    /// Page size.
    pub per_page: Option<u32>,
}

/// Why a certificate is blocked or unblocked.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlockInput {
    /// Reason, for the history.
    pub reason: String,
}

/// The offline policy as the API shows it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyView {
    /// `allowance` or `online_only`.
    pub mode: String,
    /// Most one offline redemption may take at a store that did not sell the certificate.
    pub per_redemption_minor: i64,
    /// Most a certificate may give a day offline at such a store.
    pub per_day_minor: i64,
}

type Row = (Uuid, String, String, i64, i64, i64, NaiveDate, Option<Uuid>);
const COLS: &str =
    "id, code, status, nominal_minor, balance_minor, overdraw_minor, expires_on, home_location_id";

fn view(r: Row) -> CertificateView {
    let code = CertificateCode::parse(&r.1).map_or(r.1, |c| c.to_string());
    CertificateView {
        code,
        status: r.2,
        nominal_minor: r.3,
        balance_minor: r.4,
        overdraw_minor: r.5,
        expires_on: r.6,
        home_location_id: r.7,
        ledger: Vec::new(),
    }
}

/// The engine's view of a certificate row.
pub(crate) fn state_of(r: &Row) -> ApiResult<CertificateState> {
    Ok(CertificateState {
        code: CertificateCode::parse(&r.1).map_err(ApiError::internal)?,
        nominal: Money::rub(r.3),
        balance: Money::rub(r.4),
        status: CertificateStatus::from_code(&r.2)
            .ok_or_else(|| ApiError::internal(format!("certificate status {}", r.2)))?,
        expires_on: r.6,
        home_store: r.7,
    })
}

/// Loads a certificate by code (locking it for the transaction when `lock`).
/// A manager's certificates: those sold, or redeemed or refunded onto, in their stores
/// (`$6`: the scope's location ids, NULL for all).
const IN_SCOPE: &str = "($6::uuid[] IS NULL OR home_location_id = ANY($6) OR EXISTS
    (SELECT 1 FROM certificate_ledger l WHERE l.certificate_id = gift_certificates.id AND l.location_id = ANY($6)))";

/// Whether a certificate is within a manager's stores (see [`IN_SCOPE`]); else 404.
async fn check_visible(conn: &mut PgConnection, scope: &Scope, id: Uuid) -> ApiResult<()> {
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM gift_certificates WHERE id = $1 AND {})",
        IN_SCOPE.replace("$6", "$2")
    );
    let visible: bool = sqlx::query_scalar(&sql)
        .bind(id)
        .bind(scope.ids())
        .fetch_one(conn)
        .await?;
    if visible {
        Ok(())
    } else {
        Err(ApiError::NotFound("gift certificate".into()))
    }
}

pub(crate) async fn load(
    conn: &mut PgConnection,
    code: &CertificateCode,
    lock: bool,
) -> ApiResult<Option<Row>> {
    let sql = format!(
        "SELECT {COLS} FROM gift_certificates WHERE code = $1{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    Ok(sqlx::query_as(&sql)
        .bind(code.as_str())
        .fetch_optional(conn)
        .await?)
}

/// The lookup keys of `codes` (thousands of hash rounds each: off the async threads).
async fn lookup_keys(codes: Vec<String>) -> ApiResult<Vec<String>> {
    tokio::task::spawn_blocking(move || {
        codes
            .iter()
            .map(|c| CertificateCode::parse(c).map(|c| c.lookup_key()))
            .collect::<Result<Vec<_>, _>>()
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)
}

/// Gives certificates issued before lookup keys existed their key (run at start).
pub async fn backfill_keys(db: &sqlx::PgPool) -> ApiResult<u64> {
    let mut done = 0;
    loop {
        let rows: Vec<(Uuid, String)> = sqlx::query_as(
            "SELECT id, code FROM gift_certificates WHERE lookup_key IS NULL ORDER BY id LIMIT 1000",
        )
        .fetch_all(db)
        .await?;
        if rows.is_empty() {
            return Ok(done);
        }
        let (ids, codes): (Vec<Uuid>, Vec<String>) = rows.into_iter().unzip();
        let keys = lookup_keys(codes).await?;
        done += sqlx::query(
            "UPDATE gift_certificates g SET lookup_key = u.k FROM UNNEST($1::uuid[], $2::text[]) AS u(id, k) WHERE g.id = u.id",
        )
        .bind(&ids)
        .bind(&keys)
        .execute(db)
        .await?
        .rows_affected();
    }
}

/// Sold certificates (any but `issued`) as tills hold them, by lookup key, ordered by
/// id after `after`; or, with `ids`, exactly those (an `issued` one tells a till to
/// forget it, e.g. after a block of an unsold one is lifted).
pub(crate) async fn entries(
    conn: &mut PgConnection,
    ids: Option<&[Uuid]>,
    after: Uuid,
    limit: i64,
) -> ApiResult<Vec<(Uuid, CertificateEntry)>> {
    type KeyRow = (Uuid, String, String, i64, i64, NaiveDate, Option<Uuid>);
    let rows: Vec<KeyRow> = sqlx::query_as(
        "SELECT id, lookup_key, status, nominal_minor, balance_minor, expires_on, home_location_id
         FROM gift_certificates
         WHERE lookup_key IS NOT NULL
           AND (($1::uuid[] IS NULL AND id > $2 AND status <> 'issued') OR id = ANY($1))
         ORDER BY id LIMIT $3",
    )
    .bind(ids)
    .bind(after)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(
            |(id, key, status, nominal, balance, expires_on, home_store)| {
                let status = CertificateStatus::from_code(&status)
                    .ok_or_else(|| ApiError::internal(format!("certificate status {status}")))?;
                Ok((
                    id,
                    CertificateEntry {
                        key,
                        nominal: Money::rub(nominal),
                        balance: Money::rub(balance),
                        status,
                        expires_on,
                        home_store,
                    },
                ))
            },
        )
        .collect()
}

/// The chain's offline policy.
pub(crate) async fn policy(conn: &mut PgConnection) -> ApiResult<OfflinePolicy> {
    let (mode, per_redemption, per_day): (String, i64, i64) =
        sqlx::query_as("SELECT mode, per_redemption_minor, per_day_minor FROM certificate_policy")
            .fetch_one(conn)
            .await?;
    Ok(OfflinePolicy {
        mode: if mode == "online_only" {
            OfflineMode::OnlineOnly
        } else {
            OfflineMode::Allowance
        },
        per_redemption: Money::rub(per_redemption),
        per_day: Money::rub(per_day),
    })
}

fn parse_code(code: &str) -> ApiResult<CertificateCode> {
    Ok(CertificateCode::parse(code)?)
}

/// Issue a batch of certificates (codes are random, with a check symbol).
#[utoipa::path(post, path = "/certificates/batches", tag = "certificates", request_body = BatchInput, responses((status = 201, body = Batch), (status = 422)))]
#[instrument(skip_all, err)]
async fn create_batch(
    State(state): State<AppState>,
    auth: Authorized<cap::ManageCertificates>,
    ApiJson(b): ApiJson<BatchInput>,
) -> ApiResult<(StatusCode, Json<Batch>)> {
    let name = b.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::Validation("a batch needs a name".into()));
    }
    if b.nominal_minor <= 0 || b.nominal_minor > 100_000_000 {
        return Err(ApiError::Validation(
            "the face value must be between 0.01 and 1 000 000".into(),
        ));
    }
    if !(1..=10_000).contains(&b.quantity) {
        return Err(ApiError::Validation(
            "a batch holds 1 to 10 000 certificates".into(),
        ));
    }
    if b.expires_on <= chrono::Utc::now().date_naive() {
        return Err(ApiError::Validation(
            "the expiry date must be in the future".into(),
        ));
    }
    let id = Uuid::now_v7();
    let codes: Vec<String> = (0..b.quantity)
        .map(|_| {
            const N: usize = shared_model::certificates::CODE_BODY_LEN;
            let mut body = [0u8; N];
            body.copy_from_slice(&Uuid::new_v4().as_bytes()[..N]);
            CertificateCode::from_random(&body).as_str().to_owned()
        })
        .collect();
    let ids: Vec<Uuid> = codes.iter().map(|_| Uuid::now_v7()).collect();
    let keys = lookup_keys(codes.clone()).await?;
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "INSERT INTO certificate_batches (id, name, nominal_minor, quantity, expires_on, created_by) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(name)
    .bind(b.nominal_minor)
    .bind(b.quantity as i32)
    .bind(b.expires_on)
    .bind(Some(auth.user.id).filter(|i| !i.is_nil()))
    .execute(&mut *tx)
    .await?;
    // 60 random bits per code: a clash is all but impossible, and the unique index
    // refuses the batch (nothing written) if one ever happens.
    sqlx::query(
        "INSERT INTO gift_certificates (id, code, batch_id, nominal_minor, balance_minor, status, expires_on, lookup_key)
         SELECT u.id, u.code, $1, $2, 0, 'issued', $3, u.k FROM UNNEST($4::uuid[], $5::text[], $6::text[]) AS u(id, code, k)",
    )
    .bind(id)
    .bind(b.nominal_minor)
    .bind(b.expires_on)
    .bind(&ids)
    .bind(&codes)
    .bind(&keys)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        &auth.user,
        "create",
        "certificate_batch",
        id,
        None,
        Some(serde_json::json!({"name": name, "nominal_minor": b.nominal_minor, "quantity": b.quantity, "expires_on": b.expires_on})),
    )
    .await?;
    tx.commit().await?;
    let codes = codes
        .iter()
        .filter_map(|c| CertificateCode::parse(c).ok())
        .map(|c| c.to_string())
        .collect();
    Ok((
        StatusCode::CREATED,
        Json(Batch {
            id,
            name: name.to_owned(),
            codes,
        }),
    ))
}

/// List certificates (e.g. the overdrawn ones head office must look at).
#[utoipa::path(get, path = "/certificates", tag = "certificates", params(CertificateFilter), responses((status = 200, body = Page<CertificateView>)))]
#[instrument(skip_all, err)]
async fn list(
    State(state): State<AppState>,
    auth: Authorized<cap::ManageCertificates>,
    ApiQuery(f): ApiQuery<CertificateFilter>,
) -> ApiResult<Json<Page<CertificateView>>> {
    if f.status
        .as_deref()
        .is_some_and(|s| CertificateStatus::from_code(s).is_none())
    {
        return Err(ApiError::Validation(
            "status is issued, active, blocked or frozen".into(),
        ));
    }
    let p = PageParams {
        page: f.page,
        per_page: f.per_page,
    };
    let from = format!(
        "FROM gift_certificates
         WHERE ($1::text IS NULL OR status = $1) AND (NOT COALESCE($2, false) OR overdraw_minor > 0)
           AND ($3::uuid IS NULL OR batch_id = $3) AND {}",
        IN_SCOPE.replace("$6", "$4")
    );
    let page: Page<Row> = Listing::new(&from)
        .bind(f.status)?
        .bind(f.overdrawn)?
        .bind(f.batch_id)?
        .bind(auth.scope.ids())?
        .page(&state.db, COLS, "updated_at DESC, id", p)
        .await?;
    Ok(Json(page.map(view)))
}

/// One certificate with every movement on it.
#[utoipa::path(get, path = "/certificates/{code}", tag = "certificates", params(("code" = String, Path, description = "Code")), responses((status = 200, body = CertificateView), (status = 404)))]
#[instrument(skip_all, err)]
async fn get_one(
    State(state): State<AppState>,
    auth: Authorized<cap::ManageCertificates>,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<CertificateView>> {
    let code = parse_code(&code)?;
    let mut conn = state.db.acquire().await?;
    let row = load(&mut conn, &code, false)
        .await?
        .ok_or_else(|| ApiError::NotFound("gift certificate".into()))?;
    check_visible(&mut conn, &auth.scope, row.0).await?;
    let ledger = sqlx::query_scalar(
        "SELECT jsonb_build_object('at', at, 'kind', kind, 'amount_minor', amount_minor, 'balance_after', balance_after,
                'overdraw_minor', overdraw_minor, 'location_id', location_id, 'terminal_id', terminal_id,
                'document_id', document_id, 'online', online, 'note', note)
         FROM certificate_ledger WHERE certificate_id = $1 ORDER BY id",
    )
    .bind(row.0)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Json(CertificateView {
        ledger,
        ..view(row)
    }))
}

async fn set_blocked(
    state: &AppState,
    user: &AuthUser,
    scope: &Scope,
    code: &str,
    reason: &str,
    block: bool,
) -> ApiResult<CertificateView> {
    let code = parse_code(code)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ApiError::Validation("a reason is required".into()));
    }
    let mut tx = state.db.begin().await?;
    let row = load(&mut tx, &code, true)
        .await?
        .ok_or_else(|| ApiError::NotFound("gift certificate".into()))?;
    check_visible(&mut tx, scope, row.0).await?;
    let to = match (block, row.2.as_str(), row.7) {
        (true, "blocked", _) => return Err(ApiError::Conflict("already blocked".into())),
        (true, _, _) => "blocked",
        (false, "blocked" | "frozen", Some(_)) => "active",
        (false, "blocked" | "frozen", None) => "issued",
        (false, _, _) => return Err(ApiError::Conflict("not blocked or frozen".into())),
    };
    let after: Row = sqlx::query_as(&format!(
        "UPDATE gift_certificates SET status = $2, updated_at = now() WHERE id = $1 RETURNING {COLS}"
    ))
    .bind(row.0)
    .bind(to)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO certificate_ledger (certificate_id, kind, amount_minor, balance_after, user_id, note)
         VALUES ($1, $2, 0, $3, $4, $5)",
    )
    .bind(row.0)
    .bind(if block { "block" } else { "unblock" })
    .bind(after.4)
    .bind(Some(user.id).filter(|i| !i.is_nil()))
    .bind(reason)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        user,
        if block { "block" } else { "unblock" },
        "gift_certificate",
        row.0,
        Some(serde_json::json!({"status": row.2})),
        Some(serde_json::json!({"status": to, "reason": reason})),
    )
    .await?;
    tx.commit().await?;
    Ok(view(after))
}

/// Block a certificate (lost, stolen, fraud): tills refuse it once they pull.
#[utoipa::path(post, path = "/certificates/{code}/block", tag = "certificates", params(("code" = String, Path, description = "Code")), request_body = BlockInput, responses((status = 200, body = CertificateView)))]
#[instrument(skip_all, err)]
async fn block(
    State(state): State<AppState>,
    auth: Authorized<cap::ManageCertificates>,
    ApiPath(code): ApiPath<String>,
    ApiJson(b): ApiJson<BlockInput>,
) -> ApiResult<Json<CertificateView>> {
    Ok(Json(
        set_blocked(&state, &auth.user, &auth.scope, &code, &b.reason, true).await?,
    ))
}

/// Unblock a blocked certificate, or release one frozen after an overdraw (head office:
/// a store manager may block, not release).
#[utoipa::path(post, path = "/certificates/{code}/unblock", tag = "certificates", params(("code" = String, Path, description = "Code")), request_body = BlockInput, responses((status = 200, body = CertificateView)))]
#[instrument(skip_all, err)]
async fn unblock(
    State(state): State<AppState>,
    auth: Authorized<cap::ReleaseCertificates>,
    ApiPath(code): ApiPath<String>,
    ApiJson(b): ApiJson<BlockInput>,
) -> ApiResult<Json<CertificateView>> {
    Ok(Json(
        set_blocked(&state, &auth.user, &auth.scope, &code, &b.reason, false).await?,
    ))
}

/// The offline redemption policy.
#[utoipa::path(get, path = "/certificates/policy", tag = "certificates", responses((status = 200, body = PolicyView)))]
#[instrument(skip_all, err)]
async fn get_policy(
    State(state): State<AppState>,
    _auth: Authorized<cap::ManageCertificates>,
) -> ApiResult<Json<PolicyView>> {
    let p = policy(&mut *state.db.acquire().await?).await?;
    Ok(Json(PolicyView {
        mode: if p.mode == OfflineMode::OnlineOnly {
            "online_only"
        } else {
            "allowance"
        }
        .into(),
        per_redemption_minor: p.per_redemption.minor,
        per_day_minor: p.per_day.minor,
    }))
}

/// Set the offline redemption policy (chain-wide: admins only).
#[utoipa::path(put, path = "/certificates/policy", tag = "certificates", request_body = PolicyView, responses((status = 200, body = PolicyView)))]
#[instrument(skip_all, err)]
async fn put_policy(
    State(state): State<AppState>,
    auth: Authorized<cap::ManageCertificates>,
    ApiJson(p): ApiJson<PolicyView>,
) -> ApiResult<Json<PolicyView>> {
    if auth.scope != Scope::All {
        return Err(ApiError::Forbidden(
            "the certificate policy is chain-wide; only an administrator may change it".into(),
        ));
    }
    if !matches!(p.mode.as_str(), "allowance" | "online_only")
        || p.per_redemption_minor < 0
        || p.per_day_minor < 0
    {
        return Err(ApiError::Validation(
            "mode is allowance or online_only; caps are not negative".into(),
        ));
    }
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "UPDATE certificate_policy SET mode = $1, per_redemption_minor = $2, per_day_minor = $3, updated_at = now()",
    )
    .bind(&p.mode)
    .bind(p.per_redemption_minor)
    .bind(p.per_day_minor)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        &auth.user,
        "update",
        "certificate_policy",
        "chain",
        None,
        audit::snapshot(&p),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(p))
}

/// A till about to sell a certificate asks for its face value (tills hold no list of
/// unsold ones); refused when it cannot be sold.
#[utoipa::path(post, path = "/sync/certificates/sellable", tag = "sync", request_body = Object,
    responses((status = 200), (status = 404), (status = 422)))]
#[instrument(skip_all, err, fields(terminal_id = %device.terminal_id))]
async fn sellable(
    State(state): State<AppState>,
    device: Device,
    ApiJson(req): ApiJson<SellableRequest>,
) -> ApiResult<Json<CertificateState>> {
    let mut conn = state.db.acquire().await?;
    let row = load(&mut conn, &req.code, false)
        .await?
        .ok_or_else(|| CertificateRefusal::Unknown(req.code.to_string()))?;
    let c = state_of(&row)?;
    check_sellable(&c, chrono::Utc::now().date_naive())?;
    Ok(Json(c))
}

/// A till checks and holds a redemption before taking the certificate as payment.
#[utoipa::path(post, path = "/sync/certificates/reserve", tag = "sync", responses((status = 200), (status = 422)))]
#[instrument(skip_all, err, fields(terminal_id = %device.terminal_id))]
async fn reserve(
    State(state): State<AppState>,
    device: Device,
    ApiJson(req): ApiJson<ReserveRequest>,
) -> ApiResult<Json<ReserveResponse>> {
    let mut tx = state.db.begin().await?;
    let row = load(&mut tx, &req.code, true)
        .await?
        .ok_or_else(|| CertificateRefusal::Unknown(req.code.to_string()))?;
    let c = state_of(&row)?;
    check_usable(&c, chrono::Utc::now().date_naive())?;
    let held: i64 = sqlx::query_scalar(
        "SELECT COALESCE(SUM(amount_minor), 0)::bigint FROM certificate_holds
         WHERE certificate_id = $1 AND sale_id <> $2 AND expires_at > now()",
    )
    .bind(row.0)
    .bind(req.sale_id)
    .fetch_one(&mut *tx)
    .await?;
    let available = Money::rub((c.balance.minor - held).max(0));
    check_amount(&c, req.amount, available, false)?;
    sqlx::query(
        "INSERT INTO certificate_holds (certificate_id, sale_id, terminal_id, amount_minor, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(mins => $5))
         ON CONFLICT (certificate_id, sale_id) DO UPDATE SET amount_minor = EXCLUDED.amount_minor, expires_at = EXCLUDED.expires_at",
    )
    .bind(row.0)
    .bind(req.sale_id)
    .bind(device.terminal_id)
    .bind(req.amount.minor)
    .bind(HOLD_MINUTES)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM certificate_holds WHERE certificate_id = $1 AND expires_at <= now()")
        .bind(row.0)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Json(ReserveResponse {
        certificate: CertificateState {
            balance: available,
            ..c
        },
        reserved: req.amount,
    }))
}
