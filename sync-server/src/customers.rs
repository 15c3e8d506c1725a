//! Customers: name, phone, discount card, group (for customer-group promotions).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tracing::instrument;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use shared_model::customer::{normalize_card, normalize_phone};

use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult};
use crate::pagination::{Listing, Page, PageParams};
use crate::rbac::{cap, AuthUser, Authorized};
use crate::{audit, AppState};

/// A customer.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct Customer {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Phone, normalised to `+` and digits (unique).
    pub phone: Option<String>,
    /// Discount card number (unique).
    pub card_no: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Customer group code (e.g. `vip`).
    pub group_code: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

/// A new customer, or changes to one (absent fields stay).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    /// Name (required on create).
    pub name: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Discount card number.
    pub card_no: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Group code.
    pub group_code: Option<String>,
}

/// Customer search.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CustomerFilter {
    /// Name, phone or card contains.
    pub q: Option<String>,
    /// Page.
    pub page: Option<u32>,
    /// Page size.
    pub per_page: Option<u32>,
}

/// The customers routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update))
        .routes(routes!(purchases))
}

/// One purchase in a customer's history.
#[derive(Debug, Serialize, sqlx::FromRow, ToSchema)]
pub struct Purchase {
    /// Sale id.
    pub sale_id: Uuid,
    /// Store.
    pub location_id: Uuid,
    /// Receipt number on its till.
    pub receipt_no: i64,
    /// When.
    pub completed_at: DateTime<Utc>,
    /// Before discounts.
    pub gross_minor: i64,
    /// All discounts.
    pub discount_minor: i64,
    /// Paid.
    pub total_minor: i64,
    /// Returned since.
    pub returned_minor: i64,
}

/// A customer's purchase history, newest first.
#[utoipa::path(get, path = "/customers/{id}/purchases", params(("id" = Uuid, Path, description = "Id"), PageParams), tag = "customers", responses((status = 200, body = Page<Purchase>)))]
#[instrument(skip_all, err)]
async fn purchases(
    State(state): State<AppState>,
    auth: Authorized<cap::ManageCustomers>,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<Purchase>>> {
    // A manager sees what the customer bought in their own stores only.
    let scope = auth.scope.ids();
    let page = Listing::new(
        "FROM sales s WHERE s.customer_id = $1 AND ($2::uuid[] IS NULL OR s.location_id = ANY($2))",
    )
    .bind(id)?
    .bind(scope)?
    .page(
        &state.db,
        "s.id AS sale_id, s.location_id, s.receipt_no, s.completed_at, s.gross_minor, s.discount_minor,
         s.total_minor, COALESCE((SELECT SUM(r.total_minor) FROM sale_returns r WHERE r.sale_id = s.id), 0)::bigint AS returned_minor",
        "s.completed_at DESC, s.id",
        p,
    )
    .await?;
    Ok(Json(page))
}

const COLS: &str = "id, name, phone, card_no, email, group_code, created_at";

fn clean(input: CustomerInput) -> ApiResult<CustomerInput> {
    let trim = |s: Option<String>| s.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let email = trim(input.email);
    if email.as_deref().is_some_and(|e| !e.contains('@')) {
        return Err(ApiError::Validation("not an e-mail address".into()));
    }
    Ok(CustomerInput {
        name: trim(input.name),
        phone: trim(input.phone).map(|p| normalize_phone(&p)).transpose()?,
        card_no: trim(input.card_no)
            .map(|c| normalize_card(&c))
            .transpose()?,
        email,
        group_code: trim(input.group_code),
    })
}

/// Creates or updates a customer.
#[instrument(skip_all, err)]
pub async fn save(
    state: &AppState,
    actor: &AuthUser,
    id: Option<Uuid>,
    input: CustomerInput,
) -> ApiResult<Customer> {
    let c = clean(input)?;
    let mut tx = state.db.begin().await?;
    let (before, after): (Option<Customer>, Customer) = match id {
        None => {
            let name = c
                .name
                .ok_or_else(|| ApiError::Validation("name is required".into()))?;
            let after = sqlx::query_as(&format!(
                "INSERT INTO customers (id, name, phone, card_no, email, group_code) VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLS}"
            ))
            .bind(Uuid::now_v7())
            .bind(name)
            .bind(&c.phone)
            .bind(&c.card_no)
            .bind(&c.email)
            .bind(&c.group_code)
            .fetch_one(&mut *tx)
            .await?;
            (None, after)
        }
        Some(id) => {
            let before: Customer = sqlx::query_as(&format!(
                "SELECT {COLS} FROM customers WHERE id = $1 FOR UPDATE"
            ))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| ApiError::NotFound("customer".into()))?;
            let after = sqlx::query_as(&format!(
                "UPDATE customers SET name = COALESCE($2, name), phone = COALESCE($3, phone), card_no = COALESCE($4, card_no),
                    email = COALESCE($5, email), group_code = COALESCE($6, group_code), updated_at = now()
                 WHERE id = $1 RETURNING {COLS}"
            ))
            .bind(id)
            .bind(&c.name)
            .bind(&c.phone)
            .bind(&c.card_no)
            .bind(&c.email)
            .bind(&c.group_code)
            .fetch_one(&mut *tx)
            .await?;
            (Some(before), after)
        }
    };
    let action = if before.is_some() { "update" } else { "create" };
    audit::record(
        &mut tx,
        actor,
        action,
        "customer",
        after.id,
        before.as_ref().and_then(audit::snapshot),
        audit::snapshot(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Search customers.
#[utoipa::path(get, path = "/customers", tag = "customers", params(CustomerFilter), responses((status = 200, body = Page<Customer>)))]
#[instrument(skip_all, err)]
async fn list(
    State(state): State<AppState>,
    _auth: Authorized<cap::ManageCustomers>,
    ApiQuery(f): ApiQuery<CustomerFilter>,
) -> ApiResult<Json<Page<Customer>>> {
    let p = PageParams {
        page: f.page,
        per_page: f.per_page,
    };
    let page = Listing::new("FROM customers WHERE ($1::text IS NULL OR name ILIKE '%' || $1 || '%' OR phone LIKE '%' || $1 || '%' OR card_no = $1)")
    .bind(f.q)?
    .page(&state.db, COLS, "name", p)
    .await?;
    Ok(Json(page))
}

/// Create a customer.
#[utoipa::path(post, path = "/customers", tag = "customers", request_body = CustomerInput, responses((status = 201, body = Customer)))]
#[instrument(skip_all, err)]
async fn create(
    State(state): State<AppState>,
    auth: Authorized<cap::ManageCustomers>,
    ApiJson(req): ApiJson<CustomerInput>,
) -> ApiResult<(StatusCode, Json<Customer>)> {
    Ok((
        StatusCode::CREATED,
        Json(save(&state, &auth.user, None, req).await?),
    ))
}

/// One customer.
#[utoipa::path(get, path = "/customers/{id}", params(("id" = Uuid, Path, description = "Id")), tag = "customers", responses((status = 200, body = Customer)))]
#[instrument(skip_all, err)]
async fn get_one(
    State(state): State<AppState>,
    _auth: Authorized<cap::ManageCustomers>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Customer>> {
    let c = sqlx::query_as(&format!("SELECT {COLS} FROM customers WHERE id = $1"))
        .bind(id)
        .fetch_optional(&state.db)
        .await?;
    c.map(Json)
        .ok_or_else(|| ApiError::NotFound("customer".into()))
}

/// Update a customer.
#[utoipa::path(patch, path = "/customers/{id}", params(("id" = Uuid, Path, description = "Id")), tag = "customers", request_body = CustomerInput, responses((status = 200, body = Customer)))]
#[instrument(skip_all, err)]
async fn update(
    State(state): State<AppState>,
    auth: Authorized<cap::ManageCustomers>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<CustomerInput>,
) -> ApiResult<Json<Customer>> {
    Ok(Json(save(&state, &auth.user, Some(id), req).await?))
}
