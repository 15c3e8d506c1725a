//! The catalog as CSV: an export of every product, and an import that creates or updates
//! products by SKU. An import is first a preview listing every row's problems; with
//! `commit=true` and no problems it is applied in one transaction (a file with any bad
//! row changes nothing).

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use shared_model::catalog_file::{self, ExportRow};
use shared_model::{Currency, Money, Unit, VatRate};
use tracing::instrument;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::rbac::AuthUser;
use crate::reports::csv_field;
use crate::{audit, notify, AppState};

/// The most rows one import takes.
const MAX_ROWS: usize = 50_000;

/// A problem with one row (line numbers count the header as line 1).
#[derive(Debug, Serialize, ToSchema)]
pub struct RowError {
    /// Line in the file.
    pub line: u64,
    /// The column at fault, if one.
    pub column: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// What an import would do (or did, when `committed`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    /// Data rows read.
    pub rows: usize,
    /// New SKUs.
    pub created: usize,
    /// Existing SKUs that change.
    pub updated: usize,
    /// Existing SKUs already as in the file.
    pub unchanged: usize,
    /// Every row's problems; nothing is applied while there are any.
    pub errors: Vec<RowError>,
    /// Whether the import was applied.
    pub committed: bool,
}

/// A product as the file and the database both describe it.
#[derive(Debug, Clone, PartialEq)]
struct Item {
    sku: String,
    name: String,
    category: Option<Uuid>,
    unit: &'static str,
    vat: &'static str,
    cost: i64,
    price: i64,
    barcodes: Vec<String>,
}

/// The export: every active product in the catalog file format
/// ([`shared_model::catalog_file`]); UTF-8 with a BOM and CRLF like the reports, text
/// that starts like a formula defused with `'`.
#[instrument(skip_all, err)]
pub async fn export_svc(db: &sqlx::PgPool) -> ApiResult<String> {
    #[derive(sqlx::FromRow)]
    struct Exported {
        sku: String,
        name: String,
        category: Option<String>,
        unit: String,
        vat: String,
        cost_minor: i64,
        default_price_minor: i64,
        barcodes: Vec<String>,
    }
    let rows: Vec<Exported> = sqlx::query_as(
        "SELECT p.sku, p.name, c.name AS category, p.unit, p.vat, p.cost_minor, p.default_price_minor,
                COALESCE((SELECT array_agg(b.code ORDER BY b.code) FROM barcodes b WHERE b.product_id = p.id), '{}') AS barcodes
         FROM products p LEFT JOIN categories c ON c.id = p.category_id
         WHERE p.active ORDER BY p.sku",
    )
    .fetch_all(db)
    .await?;
    let mut out = String::from("\u{feff}");
    out.push_str(&catalog_file::COLUMNS.join(","));
    out.push_str("\r\n");
    for r in rows {
        let fields = ExportRow {
            sku: &r.sku,
            name: &r.name,
            category: r.category.as_deref(),
            unit: Unit::parse(&r.unit)?,
            vat: VatRate::from_code(&r.vat)?,
            cost: Money::rub(r.cost_minor),
            price: Money::rub(r.default_price_minor),
            barcodes: &r.barcodes,
        }
        .fields();
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    Ok(out)
}

/// Reads and checks every row; returns the rows that parsed and the problems found.
async fn read(db: &sqlx::PgPool, csv_text: &str) -> ApiResult<(Vec<Item>, Vec<RowError>)> {
    let mut r = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = r
        .headers()
        .map_err(|e| ApiError::Validation(format!("the header line: {e}")))?
        .iter()
        .map(|h| h.to_lowercase())
        .collect();
    let col = |name: &str| header.iter().position(|h| h.trim() == name);
    let missing = catalog_file::missing_columns(header.iter().map(String::as_str));
    if !missing.is_empty() {
        return Err(ApiError::Validation(format!(
            "the header lacks the columns {}",
            missing.join(", ")
        )));
    }
    let categories: HashMap<String, Uuid> =
        sqlx::query_as::<_, (String, Uuid)>("SELECT lower(name), id FROM categories")
            .fetch_all(db)
            .await?
            .into_iter()
            .collect();
    let (mut items, mut errors) = (Vec::new(), Vec::new());
    for (n, rec) in r.records().enumerate() {
        if n >= MAX_ROWS {
            return Err(ApiError::Validation(format!(
                "an import takes at most {MAX_ROWS} rows"
            )));
        }
        let rec = match rec {
            Ok(rec) => rec,
            Err(e) => {
                let line = e.position().map_or(n as u64 + 2, |p| p.line());
                errors.push(RowError {
                    line,
                    column: None,
                    message: e.to_string(),
                });
                continue;
            }
        };
        let line = rec.position().map_or(n as u64 + 2, |p| p.line());
        let get = |c: &str| col(c).and_then(|i| rec.get(i)).unwrap_or("");
        let row = match catalog_file::parse_row(get, Currency::RUB) {
            Ok(row) => row,
            Err(bad) => {
                errors.extend(bad.into_iter().map(|e| RowError {
                    line,
                    column: Some(e.column.to_owned()),
                    message: e.message,
                }));
                continue;
            }
        };
        let category = match &row.category {
            None => None,
            Some(c) => match categories.get(&c.to_lowercase()) {
                Some(id) => Some(*id),
                None => {
                    errors.push(RowError {
                        line,
                        column: Some("category".into()),
                        message: format!("no category {c:?}"),
                    });
                    continue;
                }
            },
        };
        items.push((
            line,
            Item {
                sku: row.sku,
                name: row.name,
                category,
                unit: row.unit.code(),
                vat: row.vat.code(),
                cost: row.cost.minor,
                price: row.price.minor,
                barcodes: row.barcodes.iter().map(|b| b.lookup_key()).collect(),
            },
        ));
    }
    check_across(db, &mut items, &mut errors).await?;
    errors.sort_by_key(|e| e.line);
    Ok((items.into_iter().map(|(_, i)| i).collect(), errors))
}

/// Checks what no single row shows: SKUs or barcodes listed twice, barcodes of products
/// the file does not name, and units of existing products (a unit never changes).
async fn check_across(
    db: &sqlx::PgPool,
    items: &mut Vec<(u64, Item)>,
    errors: &mut Vec<RowError>,
) -> ApiResult<()> {
    let skus: Vec<String> = items.iter().map(|(_, i)| i.sku.clone()).collect();
    let codes: Vec<String> = items.iter().flat_map(|(_, i)| i.barcodes.clone()).collect();
    let owners: HashMap<String, String> = sqlx::query_as::<_, (String, String)>(
        "SELECT b.code, p.sku FROM barcodes b JOIN products p ON p.id = b.product_id WHERE b.code = ANY($1)",
    )
    .bind(&codes)
    .fetch_all(db)
    .await?
    .into_iter()
    .collect();
    let units: HashMap<String, String> =
        sqlx::query_as::<_, (String, String)>("SELECT sku, unit FROM products WHERE sku = ANY($1)")
            .bind(&skus)
            .fetch_all(db)
            .await?
            .into_iter()
            .collect();
    let in_file: HashSet<&String> = skus.iter().collect();
    let (mut seen_sku, mut seen_code) = (HashMap::new(), HashMap::new());
    let mut bad_lines = HashSet::new();
    for (line, i) in items.iter() {
        let mut bad = |column: &str, message: String| {
            errors.push(RowError {
                line: *line,
                column: Some(column.into()),
                message,
            });
            bad_lines.insert(*line);
        };
        if let Some(first) = seen_sku.insert(i.sku.clone(), *line) {
            bad("sku", format!("SKU {} is also on line {first}", i.sku));
        }
        if units.get(&i.sku).is_some_and(|u| u != i.unit) {
            bad(
                "unit",
                format!(
                    "{} is sold by {}; a unit cannot change",
                    i.sku, units[&i.sku]
                ),
            );
        }
        for code in &i.barcodes {
            if let Some(first) = seen_code.insert(code.clone(), *line) {
                bad(
                    "barcodes",
                    format!("barcode {code} is also on line {first}"),
                );
            }
            match owners.get(code) {
                Some(owner) if *owner != i.sku && !in_file.contains(owner) => {
                    bad("barcodes", format!("barcode {code} belongs to {owner}"))
                }
                _ => {}
            }
        }
    }
    items.retain(|(line, _)| !bad_lines.contains(line));
    Ok(())
}

/// Previews an import, or applies it when `commit` and nothing is wrong.
#[instrument(skip_all, err)]
pub async fn import_svc(
    state: &AppState,
    actor: &AuthUser,
    csv_text: &str,
    commit: bool,
) -> ApiResult<ImportReport> {
    let (items, errors) = read(&state.db, csv_text).await?;
    type Current = (
        String,
        Uuid,
        String,
        Option<Uuid>,
        String,
        String,
        i64,
        i64,
        Vec<String>,
    );
    let skus: Vec<String> = items.iter().map(|i| i.sku.clone()).collect();
    let current: HashMap<String, (Uuid, Item)> = sqlx::query_as::<_, Current>(
        "SELECT p.sku, p.id, p.name, p.category_id, p.unit, p.vat, p.cost_minor, p.default_price_minor,
                COALESCE((SELECT array_agg(b.code ORDER BY b.code) FROM barcodes b WHERE b.product_id = p.id), '{}')
         FROM products p WHERE p.sku = ANY($1)",
    )
    .bind(&skus)
    .fetch_all(&state.db)
    .await?
    .into_iter()
    .map(|(sku, id, name, category, unit, vat, cost, price, codes)| {
        let unit = Unit::parse(&unit).map_or("pcs", |u| u.code());
        let vat = VatRate::from_code(&vat).map_or("vat22", |v| v.code());
        (sku.clone(), (id, Item { sku, name, category, unit, vat, cost, price, barcodes: codes }))
    })
    .collect();
    let sorted = |i: &Item| {
        let mut i = i.clone();
        i.barcodes.sort();
        i
    };
    let changes: Vec<(Option<Uuid>, &Item)> = items
        .iter()
        .filter_map(|i| match current.get(&i.sku) {
            None => Some((None, i)),
            Some((id, now)) if sorted(now) != sorted(i) => Some((Some(*id), i)),
            Some(_) => None,
        })
        .collect();
    let created = changes.iter().filter(|(id, _)| id.is_none()).count();
    let mut report = ImportReport {
        rows: items.len() + errors.iter().map(|e| e.line).collect::<HashSet<_>>().len(),
        created,
        updated: changes.len() - created,
        unchanged: items.len() - changes.len(),
        errors,
        committed: false,
    };
    if !commit || !report.errors.is_empty() || changes.is_empty() {
        report.committed = commit && report.errors.is_empty();
        return Ok(report);
    }
    apply(state, actor, &changes, &report).await?;
    report.committed = true;
    Ok(report)
}

/// Writes the changes in one transaction: products first, then every barcode of the
/// products touched (so a barcode may move from one listed product to another).
async fn apply(
    state: &AppState,
    actor: &AuthUser,
    changes: &[(Option<Uuid>, &Item)],
    report: &ImportReport,
) -> ApiResult<()> {
    let mut tx = state.db.begin().await?;
    let mut ids = Vec::new();
    for (id, i) in changes {
        let id = id.unwrap_or_else(Uuid::now_v7);
        sqlx::query(
            "INSERT INTO products (id, sku, name, category_id, unit, vat, cost_minor, default_price_minor)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, category_id = EXCLUDED.category_id,
                 vat = EXCLUDED.vat, cost_minor = EXCLUDED.cost_minor,
                 default_price_minor = EXCLUDED.default_price_minor, updated_at = now()",
        )
        .bind(id)
        .bind(&i.sku)
        .bind(&i.name)
        .bind(i.category)
        .bind(i.unit)
        .bind(i.vat)
        .bind(i.cost)
        .bind(i.price)
        .execute(&mut *tx)
        .await?;
        ids.push(id);
    }
    sqlx::query("DELETE FROM barcodes WHERE product_id = ANY($1)")
        .bind(&ids)
        .execute(&mut *tx)
        .await?;
    let (codes, owners): (Vec<&String>, Vec<Uuid>) = changes
        .iter()
        .zip(&ids)
        .flat_map(|((_, i), id)| i.barcodes.iter().map(move |c| (c, *id)))
        .unzip();
    sqlx::query(
        "INSERT INTO barcodes (code, product_id) SELECT * FROM UNNEST($1::text[], $2::uuid[])",
    )
    .bind(&codes)
    .bind(&owners)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        "import",
        "catalog",
        actor.id,
        None,
        Some(serde_json::json!({"created": report.created, "updated": report.updated})),
    )
    .await?;
    tx.commit().await?;
    notify::changed(state, None).await;
    Ok(())
}
