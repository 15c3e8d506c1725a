//! The catalog: categories, products with validated unique barcodes, default and
//! per-location prices. Prices are decimal strings ("12.50"), never floats.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared_model::catalog_file;
use shared_model::{Barcode, Currency, Money, Unit, VatRate};
use sqlx::PgConnection;
use tracing::instrument;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult};
use crate::pagination::{Listing, Page, PageParams};
use crate::rbac::{cap, AuthUser, Authorized, Scope};
use crate::{audit, notify, AppState};

pub mod csv_io;

/// A category.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct Category {
    /// Id.
    pub id: Uuid,
    /// Name (unique, case-insensitive).
    pub name: String,
    /// Parent category.
    pub parent_id: Option<Uuid>,
}

/// A new category.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCategory {
    /// Name.
    pub name: String,
    /// Parent.
    pub parent_id: Option<Uuid>,
}

/// A product.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Product {
    /// Id.
    pub id: Uuid,
    /// SKU (unique).
    pub sku: String,
    /// Name.
    pub name: String,
    /// Category.
    pub category_id: Option<Uuid>,
    /// `pcs`, `ml` or `g`.
    pub unit: String,
    /// `vat22`, `vat10`, `vat7`, `vat5`, `vat0` or `no_vat` (or `22`, `none`...).
    pub vat: String,
    /// Cost per unit, for margins ("123.45").
    pub cost: String,
    /// Price everywhere without a location price ("199.00"), VAT included.
    pub default_price: String,
    /// Barcodes (EAN-13, EAN-8, UPC-A).
    pub barcodes: Vec<String>,
    /// Active.
    pub active: bool,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Its marking group (`perfume`…): each unit is sold by its marking code.
    pub marking_group: Option<String>,
}

/// A new product.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProduct {
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Category.
    pub category_id: Option<Uuid>,
    /// `pcs`, `ml` or `g`.
    pub unit: String,
    /// `20`, `10`, `0` or `none` (or the codes).
    pub vat: String,
    /// Cost per unit (default 0).
    pub cost: Option<String>,
    /// Default price per unit, VAT included.
    pub default_price: String,
    /// Barcodes.
    #[serde(default)]
    pub barcodes: Vec<String>,
    /// Marking group code, for goods sold by their marking codes.
    pub marking_group: Option<String>,
}

/// Changes to a product; `barcodes` replaces the list.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductUpdate {
    /// Name.
    pub name: Option<String>,
    /// Category.
    pub category_id: Option<Uuid>,
    /// VAT rate.
    pub vat: Option<String>,
    /// Cost.
    pub cost: Option<String>,
    /// Default price.
    pub default_price: Option<String>,
    /// Barcodes (replaces all).
    pub barcodes: Option<Vec<String>>,
    /// Active.
    pub active: Option<bool>,
    /// Marking group code; `""` takes the product out of marking.
    pub marking_group: Option<String>,
}

/// Product list filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ProductFilter {
    /// Name or SKU contains.
    pub q: Option<String>,
    /// Exact barcode.
    pub barcode: Option<String>,
    /// Category.
    pub category_id: Option<Uuid>,
    /// Active.
    pub active: Option<bool>,
    /// Page.
    pub page: Option<u32>,
    /// Page size.
    pub per_page: Option<u32>,
}

/// A price at a location.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LocationPrice {
    /// Product.
    pub product_id: Uuid,
    /// Location.
    pub location_id: Uuid,
    /// Price ("199.00").
    pub price: String,
}

/// A price to set.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceInput {
    /// Price per unit, VAT included ("199.00").
    pub price: String,
}

/// The catalog routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_categories, create_category))
        .routes(routes!(list_products, create_product))
        .routes(routes!(get_product, update_product))
        .routes(routes!(list_prices))
        .routes(routes!(set_price, delete_price))
        .routes(routes!(export_catalog))
        .routes(routes!(import_catalog))
}

fn money(s: &str, what: &str) -> ApiResult<i64> {
    let m =
        Money::parse(s, Currency::RUB).map_err(|e| ApiError::Validation(format!("{what}: {e}")))?;
    if m.is_negative() {
        return Err(ApiError::Validation(format!("{what} cannot be negative")));
    }
    Ok(m.minor)
}

fn barcodes(list: &[String]) -> ApiResult<Vec<String>> {
    let mut keys = Vec::new();
    for b in list {
        let key = Barcode::parse(b)
            .map_err(|e| ApiError::Validation(e.to_string()))?
            .lookup_key();
        if keys.contains(&key) {
            return Err(ApiError::Validation(format!("barcode {b} is listed twice")));
        }
        keys.push(key);
    }
    Ok(keys)
}

fn text(what: &str, v: &str, max: usize) -> ApiResult<String> {
    let t = v.trim();
    if t.is_empty() || t.chars().count() > max {
        return Err(ApiError::Validation(format!(
            "{what} must be 1 to {max} characters"
        )));
    }
    Ok(t.to_owned())
}

#[derive(sqlx::FromRow)]
struct ProductRow {
    id: Uuid,
    sku: String,
    name: String,
    category_id: Option<Uuid>,
    unit: String,
    vat: String,
    cost_minor: i64,
    default_price_minor: i64,
    barcodes: Vec<String>,
    active: bool,
    updated_at: DateTime<Utc>,
    marking_group: Option<String>,
}

impl From<ProductRow> for Product {
    fn from(r: ProductRow) -> Self {
        Product {
            id: r.id,
            sku: r.sku,
            name: r.name,
            category_id: r.category_id,
            unit: r.unit,
            vat: r.vat,
            cost: Money::rub(r.cost_minor).to_decimal_string(),
            default_price: Money::rub(r.default_price_minor).to_decimal_string(),
            barcodes: r.barcodes,
            active: r.active,
            updated_at: r.updated_at,
            marking_group: r.marking_group,
        }
    }
}

const PRODUCT_COLUMNS: &str = "p.id, p.sku, p.name, p.category_id, p.unit, p.vat, p.cost_minor, p.default_price_minor,
    COALESCE((SELECT array_agg(b.code ORDER BY b.code) FROM barcodes b WHERE b.product_id = p.id), '{}') AS barcodes,
    p.active, p.updated_at, p.marking_group";

/// Loads a product.
pub async fn load_product(conn: &mut PgConnection, id: Uuid) -> ApiResult<Product> {
    let row: Option<ProductRow> = sqlx::query_as(&format!(
        "SELECT {PRODUCT_COLUMNS} FROM products p WHERE p.id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(Product::from)
        .ok_or_else(|| ApiError::NotFound("product".into()))
}

/// A marking group head office has (`""` for none).
async fn marking_group(conn: &mut PgConnection, code: &str) -> ApiResult<Option<String>> {
    let code = code.trim();
    if code.is_empty() {
        return Ok(None);
    }
    let known: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM marking_groups WHERE code = $1)")
            .bind(code)
            .fetch_one(conn)
            .await?;
    if !known {
        return Err(ApiError::Validation(format!("no marking group {code:?}")));
    }
    Ok(Some(code.to_owned()))
}

async fn put_barcodes(conn: &mut PgConnection, product: Uuid, keys: &[String]) -> ApiResult<()> {
    sqlx::query("DELETE FROM barcodes WHERE product_id = $1")
        .bind(product)
        .execute(&mut *conn)
        .await?;
    let taken: Option<String> =
        sqlx::query_scalar("SELECT code FROM barcodes WHERE code = ANY($1) LIMIT 1")
            .bind(keys)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(code) = taken {
        return Err(ApiError::Conflict(format!(
            "barcode {code} belongs to another product"
        )));
    }
    sqlx::query("INSERT INTO barcodes (code, product_id) SELECT unnest($1::text[]), $2")
        .bind(keys)
        .bind(product)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Creates a product with its barcodes.
#[instrument(skip_all, err)]
pub async fn create_product_svc(
    state: &AppState,
    actor: &AuthUser,
    req: NewProduct,
) -> ApiResult<Product> {
    let sku = text("sku", &req.sku, catalog_file::SKU_MAX)?;
    let name = text("name", &req.name, catalog_file::NAME_MAX)?;
    let unit = Unit::parse(&req.unit)?;
    let vat = VatRate::for_goods(&req.vat)?;
    let price = money(&req.default_price, "default_price")?;
    let cost = money(req.cost.as_deref().unwrap_or("0"), "cost")?;
    let keys = barcodes(&req.barcodes)?;
    let id = Uuid::now_v7();
    let mut tx = state.db.begin().await?;
    let group = match req.marking_group.as_deref() {
        Some(g) => marking_group(&mut tx, g).await?,
        None => None,
    };
    sqlx::query(
        "INSERT INTO products (id, sku, name, category_id, unit, vat, cost_minor, default_price_minor, marking_group)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(&sku)
    .bind(&name)
    .bind(req.category_id)
    .bind(unit.code())
    .bind(vat.code())
    .bind(cost)
    .bind(price)
    .bind(group)
    .execute(&mut *tx)
    .await
    .map_err(|e| match ApiError::from(e) {
        ApiError::Conflict(_) => ApiError::Conflict(format!("SKU {sku} already exists")),
        other => other,
    })?;
    put_barcodes(&mut tx, id, &keys).await?;
    let p = load_product(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor,
        "create",
        "product",
        id,
        None,
        audit::snapshot(&p),
    )
    .await?;
    tx.commit().await?;
    notify::changed(state, None).await;
    Ok(p)
}

/// Updates a product.
#[instrument(skip_all, err)]
pub async fn update_product_svc(
    state: &AppState,
    actor: &AuthUser,
    id: Uuid,
    req: ProductUpdate,
) -> ApiResult<Product> {
    let name = req
        .name
        .as_deref()
        .map(|n| text("name", n, catalog_file::NAME_MAX))
        .transpose()?;
    let vat = req.vat.as_deref().map(VatRate::for_goods).transpose()?;
    let price = req
        .default_price
        .as_deref()
        .map(|p| money(p, "default_price"))
        .transpose()?;
    let cost = req.cost.as_deref().map(|c| money(c, "cost")).transpose()?;
    let keys = req.barcodes.as_deref().map(barcodes).transpose()?;
    let mut tx = state.db.begin().await?;
    let before = load_product(&mut tx, id).await?;
    let group = match req.marking_group.as_deref() {
        Some(g) => Some(marking_group(&mut tx, g).await?),
        None => None,
    };
    sqlx::query(
        "UPDATE products SET name = COALESCE($2, name), category_id = COALESCE($3, category_id), vat = COALESCE($4, vat),
            cost_minor = COALESCE($5, cost_minor), default_price_minor = COALESCE($6, default_price_minor),
            active = COALESCE($7, active), marking_group = CASE WHEN $8 THEN $9 ELSE marking_group END,
            updated_at = now() WHERE id = $1",
    )
    .bind(id)
    .bind(name)
    .bind(req.category_id)
    .bind(vat.map(|v| v.code()))
    .bind(cost)
    .bind(price)
    .bind(req.active)
    .bind(group.is_some())
    .bind(group.flatten())
    .execute(&mut *tx)
    .await?;
    if let Some(keys) = keys {
        put_barcodes(&mut tx, id, &keys).await?;
    }
    let after = load_product(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor,
        "update",
        "product",
        id,
        audit::snapshot(&before),
        audit::snapshot(&after),
    )
    .await?;
    tx.commit().await?;
    notify::changed(state, None).await;
    Ok(after)
}

/// List categories.
#[utoipa::path(get, path = "/categories", tag = "catalog", responses((status = 200, body = Vec<Category>)))]
#[instrument(skip_all, err)]
async fn list_categories(
    State(state): State<AppState>,
    _auth: Authorized<cap::ReadCatalog>,
) -> ApiResult<Json<Vec<Category>>> {
    Ok(Json(
        sqlx::query_as("SELECT id, name, parent_id FROM categories ORDER BY name")
            .fetch_all(&state.db)
            .await?,
    ))
}

/// Create a category.
#[utoipa::path(post, path = "/categories", tag = "catalog", request_body = NewCategory, responses((status = 201, body = Category)))]
#[instrument(skip_all, err)]
async fn create_category(
    State(state): State<AppState>,
    auth: Authorized<cap::WriteCatalog>,
    ApiJson(req): ApiJson<NewCategory>,
) -> ApiResult<(StatusCode, Json<Category>)> {
    let name = text("name", &req.name, catalog_file::CATEGORY_MAX)?;
    let mut tx = state.db.begin().await?;
    let c: Category = sqlx::query_as("INSERT INTO categories (id, name, parent_id) VALUES ($1, $2, $3) RETURNING id, name, parent_id")
        .bind(Uuid::now_v7())
        .bind(name)
        .bind(req.parent_id)
        .fetch_one(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        &auth.user,
        "create",
        "category",
        c.id,
        None,
        audit::snapshot(&c),
    )
    .await?;
    tx.commit().await?;
    notify::changed(&state, None).await;
    Ok((StatusCode::CREATED, Json(c)))
}

/// List products.
#[utoipa::path(get, path = "/products", tag = "catalog", params(ProductFilter), responses((status = 200, body = Page<Product>)))]
#[instrument(skip_all, err)]
async fn list_products(
    State(state): State<AppState>,
    _auth: Authorized<cap::ReadCatalog>,
    ApiQuery(f): ApiQuery<ProductFilter>,
) -> ApiResult<Json<Page<Product>>> {
    let p = PageParams {
        page: f.page,
        per_page: f.per_page,
    };
    let barcode = f
        .barcode
        .as_deref()
        .map(|b| Barcode::parse(b).map(|b| b.lookup_key()))
        .transpose()?;
    let page: Page<ProductRow> = Listing::new(
        "FROM products p
         WHERE ($1::text IS NULL OR p.name ILIKE '%' || $1 || '%' OR p.sku ILIKE $1 || '%')
           AND ($2::text IS NULL OR p.id = (SELECT product_id FROM barcodes WHERE code = $2))
           AND ($3::uuid IS NULL OR p.category_id = $3) AND ($4::bool IS NULL OR p.active = $4)",
    )
    .bind(f.q)?
    .bind(barcode)?
    .bind(f.category_id)?
    .bind(f.active)?
    .page(&state.db, PRODUCT_COLUMNS, "p.sku", p)
    .await?;
    Ok(Json(page.map(Product::from)))
}

/// Create a product.
#[utoipa::path(post, path = "/products", tag = "catalog", request_body = NewProduct, responses((status = 201, body = Product)))]
#[instrument(skip_all, err)]
async fn create_product(
    State(state): State<AppState>,
    auth: Authorized<cap::WriteCatalog>,
    ApiJson(req): ApiJson<NewProduct>,
) -> ApiResult<(StatusCode, Json<Product>)> {
    Ok((
        StatusCode::CREATED,
        Json(create_product_svc(&state, &auth.user, req).await?),
    ))
}

/// One product.
#[utoipa::path(get, path = "/products/{id}", params(("id" = Uuid, Path, description = "Id")), tag = "catalog", responses((status = 200, body = Product)))]
#[instrument(skip_all, err)]
async fn get_product(
    State(state): State<AppState>,
    _auth: Authorized<cap::ReadCatalog>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Product>> {
    Ok(Json(
        load_product(&mut *state.db.acquire().await?, id).await?,
    ))
}

/// Update a product.
#[utoipa::path(patch, path = "/products/{id}", params(("id" = Uuid, Path, description = "Id")), tag = "catalog", request_body = ProductUpdate, responses((status = 200, body = Product)))]
#[instrument(skip_all, err)]
async fn update_product(
    State(state): State<AppState>,
    auth: Authorized<cap::WriteCatalog>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<ProductUpdate>,
) -> ApiResult<Json<Product>> {
    Ok(Json(update_product_svc(&state, &auth.user, id, req).await?))
}

/// Location prices of a product (those in the caller's scope).
#[utoipa::path(get, path = "/products/{id}/prices", params(("id" = Uuid, Path, description = "Id")), tag = "catalog", responses((status = 200, body = Vec<LocationPrice>)))]
#[instrument(skip_all, err)]
async fn list_prices(
    State(state): State<AppState>,
    auth: Authorized<cap::ReadCatalog>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<LocationPrice>>> {
    let rows: Vec<(Uuid, Uuid, i64)> = sqlx::query_as(
        "SELECT product_id, location_id, price_minor FROM prices WHERE product_id = $1
         AND ($2::uuid[] IS NULL OR location_id = ANY($2)) ORDER BY location_id",
    )
    .bind(id)
    .bind(auth.scope.ids())
    .fetch_all(&state.db)
    .await?;
    Ok(Json(
        rows.into_iter()
            .map(|(p, l, m)| LocationPrice {
                product_id: p,
                location_id: l,
                price: Money::rub(m).to_decimal_string(),
            })
            .collect(),
    ))
}

/// Sets or removes (`price = None`) a product's price at a location.
#[instrument(skip_all, err)]
pub async fn set_price_svc(
    state: &AppState,
    actor: &AuthUser,
    scope: &Scope,
    product: Uuid,
    location: Uuid,
    price: Option<&str>,
) -> ApiResult<Option<LocationPrice>> {
    scope.check(location)?;
    let minor = price.map(|p| money(p, "price")).transpose()?;
    let mut tx = state.db.begin().await?;
    let before: Option<i64> = sqlx::query_scalar(
        "SELECT price_minor FROM prices WHERE product_id = $1 AND location_id = $2 FOR UPDATE",
    )
    .bind(product)
    .bind(location)
    .fetch_optional(&mut *tx)
    .await?;
    match minor {
        Some(m) => {
            sqlx::query(
                "INSERT INTO prices (product_id, location_id, price_minor) VALUES ($1, $2, $3)
                 ON CONFLICT (product_id, location_id) DO UPDATE SET price_minor = EXCLUDED.price_minor, updated_at = now()",
            )
            .bind(product)
            .bind(location)
            .bind(m)
            .execute(&mut *tx)
            .await?;
        }
        None => {
            if before.is_none() {
                return Err(ApiError::NotFound("price".into()));
            }
            sqlx::query("DELETE FROM prices WHERE product_id = $1 AND location_id = $2")
                .bind(product)
                .bind(location)
                .execute(&mut *tx)
                .await?;
        }
    }
    let entity = format!("{product}@{location}");
    let snap =
        |m: Option<i64>| m.map(|m| serde_json::json!({"price": Money::rub(m).to_decimal_string()}));
    audit::record(
        &mut tx,
        actor,
        if minor.is_some() { "set" } else { "delete" },
        "price",
        entity,
        snap(before),
        snap(minor),
    )
    .await?;
    tx.commit().await?;
    notify::changed(state, Some(location)).await;
    Ok(minor.map(|m| LocationPrice {
        product_id: product,
        location_id: location,
        price: Money::rub(m).to_decimal_string(),
    }))
}

/// Set a product's price at a location.
#[utoipa::path(put, path = "/products/{id}/prices/{location_id}", params(("id" = Uuid, Path, description = "Product id"), ("location_id" = Uuid, Path, description = "Location id")), tag = "catalog", request_body = PriceInput, responses((status = 200, body = LocationPrice)))]
#[instrument(skip_all, err)]
async fn set_price(
    State(state): State<AppState>,
    auth: Authorized<cap::WritePrices>,
    ApiPath((product, location)): ApiPath<(Uuid, Uuid)>,
    ApiJson(req): ApiJson<PriceInput>,
) -> ApiResult<Json<LocationPrice>> {
    let p = set_price_svc(
        &state,
        &auth.user,
        &auth.scope,
        product,
        location,
        Some(&req.price),
    )
    .await?;
    p.map(Json)
        .ok_or_else(|| ApiError::internal("price not set"))
}

/// Remove a location price (the default applies again).
#[utoipa::path(delete, path = "/products/{id}/prices/{location_id}", params(("id" = Uuid, Path, description = "Product id"), ("location_id" = Uuid, Path, description = "Location id")), tag = "catalog", responses((status = 204)))]
#[instrument(skip_all, err)]
async fn delete_price(
    State(state): State<AppState>,
    auth: Authorized<cap::WritePrices>,
    ApiPath((product, location)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<StatusCode> {
    set_price_svc(&state, &auth.user, &auth.scope, product, location, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The catalog as a CSV download (every active product).
#[utoipa::path(get, path = "/catalog/export", tag = "catalog",
    responses((status = 200, description = "CSV: sku,name,category,unit,vat,cost,default_price,barcodes")))]
#[instrument(skip_all, err)]
async fn export_catalog(
    State(state): State<AppState>,
    _auth: Authorized<cap::ReadCatalog>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let body = csv_io::export_svc(&state.db).await?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"catalog.csv\"".to_owned(),
            ),
        ],
        body,
    )
        .into_response())
}

/// Whether an import is applied or only previewed.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportParams {
    /// `true` applies the file when no row has a problem; otherwise a preview.
    pub commit: Option<bool>,
}

/// Import products from CSV (the export's columns, any order): a preview with every row's
/// problems, or with `commit=true` and no problems, all applied at once.
#[utoipa::path(post, path = "/catalog/import", tag = "catalog", params(ImportParams),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = csv_io::ImportReport), (status = 422, body = csv_io::ImportReport)))]
#[instrument(skip_all, err)]
async fn import_catalog(
    State(state): State<AppState>,
    auth: Authorized<cap::WriteCatalog>,
    ApiQuery(p): ApiQuery<ImportParams>,
    body: String,
) -> ApiResult<(StatusCode, Json<csv_io::ImportReport>)> {
    let commit = p.commit.unwrap_or(false);
    let report = csv_io::import_svc(&state, &auth.user, &body, commit).await?;
    let status = if commit && !report.committed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Json(report)))
}
