//! Reports for head office: sales over time, rankings, payments, VAT and cash
//! reconciliation, as JSON tables or CSV downloads. Managers see their stores, admins
//! all. Figures come from rollups the sync ingest keeps current (see `rollup`), read
//! from the reports pool (a read replica when configured).

mod control;
mod filter;
mod fiscal;
mod live;
mod marking;
pub mod rollup;
mod sales;
mod stock;
mod table;
mod tenders;
mod xlsx;

use std::convert::Infallible;

use axum::extract::State;
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::Stream;
use tracing::instrument;
use utoipa_axum::{router::OpenApiRouter, routes};

pub use filter::{Format, Grouping, Order, ReportQuery};
pub use sales::Dimension;
pub(crate) use table::csv_field;
pub use table::{Cell, Table};

use crate::error::{ApiPath, ApiQuery, ApiResult};
use crate::rbac::{cap, Authorized, Scope};
use crate::AppState;

/// Which report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    /// Sales over time.
    Summary,
    /// Sales ranked or spread by a dimension.
    By(Dimension),
    /// Payments by tender.
    Payments,
    /// VAT by rate.
    Vat,
    /// Cash reconciliation per shift.
    Cash,
    /// Discounts by promotion and manual ones by cashier.
    Discounts,
    /// Returns and voids with reasons.
    Returns,
    /// Stock levels and value.
    Stock,
    /// Goods below their low-stock threshold.
    LowStock,
    /// The stock movements ledger.
    Movements,
    /// Gift certificates sold, redeemed, outstanding.
    Certificates,
    /// Tills' last contact and chain alerts.
    SyncHealth,
    /// Each sale with its fiscal receipt (or without one).
    FiscalReceipts,
    /// Each fiscal till's register by health.
    Registers,
    /// Marked units sold, from the registry (with `attention`: sold unchecked).
    MarkedUnits,
}

/// Runs a report for a caller with `scope` (the one service function the handlers call).
pub async fn run(
    db: &sqlx::PgPool,
    report: Report,
    q: &ReportQuery,
    scope: &Scope,
) -> ApiResult<Table> {
    let f = filter::Filter::new(q, scope)?;
    match report {
        Report::Summary => sales::summary(db, &f).await,
        Report::By(dim) => sales::by(db, &f, dim).await,
        Report::Payments => tenders::payments(db, &f).await,
        Report::Vat => tenders::vat(db, &f).await,
        Report::Cash => tenders::cash(db, &f).await,
        Report::Discounts => control::discounts(db, &f).await,
        Report::Returns => control::returns(db, &f).await,
        Report::Stock => stock::levels(db, &f).await,
        Report::LowStock => stock::low(db, &f).await,
        Report::Movements => stock::movements(db, &f).await,
        Report::Certificates => control::certificates(db, &f).await,
        Report::SyncHealth => control::sync_health(db, &f).await,
        Report::FiscalReceipts => fiscal::receipts(db, &f).await,
        Report::Registers => fiscal::registers(db, &f).await,
        Report::MarkedUnits => marking::units(db, &f).await,
    }
}

/// The reports routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sales_summary))
        .routes(routes!(sales_by))
        .routes(routes!(payments))
        .routes(routes!(vat))
        .routes(routes!(cash))
        .routes(routes!(live_totals))
        .routes(routes!(control_report))
        .routes(routes!(stock_report))
}

/// The table as JSON, or as a CSV or Excel download named `name`.
fn respond(t: Table, q: &ReportQuery, name: &str) -> ApiResult<Response> {
    Ok(match q.format.unwrap_or_default() {
        Format::Json => Json(t.to_json()).into_response(),
        Format::Csv => t.csv_response(name),
        Format::Xlsx => xlsx::response(&t, name)?,
    })
}

/// Sales over time: receipts, items, gross, discounts, returns, net, average receipt,
/// cost and margin per day, week or month.
#[utoipa::path(get, path = "/reports/sales-summary", tag = "reports", params(ReportQuery),
    responses((status = 200, description = "`{columns, rows}` or CSV")))]
#[instrument(skip_all, err)]
async fn sales_summary(
    State(state): State<AppState>,
    auth: Authorized<cap::ReadSales>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<Response> {
    let t = run(&state.reports_db, Report::Summary, &q, &auth.scope).await?;
    respond(t, &q, "sales-summary")
}

/// Sales ranked by store, terminal, cashier, product or category (`order=top|bottom`,
/// `limit`), or spread over the hours of the day.
#[utoipa::path(get, path = "/reports/sales-by/{dimension}", tag = "reports",
    params(("dimension" = inline(Dimension), Path), ReportQuery),
    responses((status = 200, description = "`{columns, rows}` or CSV")))]
#[instrument(skip_all, err)]
async fn sales_by(
    State(state): State<AppState>,
    auth: Authorized<cap::ReadSales>,
    ApiPath(dim): ApiPath<Dimension>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<Response> {
    let t = run(&state.reports_db, Report::By(dim), &q, &auth.scope).await?;
    respond(t, &q, "sales-by")
}

/// Payments by tender per period (cash net of change), with refunds.
#[utoipa::path(get, path = "/reports/payments", tag = "reports", params(ReportQuery),
    responses((status = 200, description = "`{columns, rows}` or CSV")))]
#[instrument(skip_all, err)]
async fn payments(
    State(state): State<AppState>,
    auth: Authorized<cap::ReadSales>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<Response> {
    let t = run(&state.reports_db, Report::Payments, &q, &auth.scope).await?;
    respond(t, &q, "payments")
}

/// VAT by rate per period, sales and returns.
#[utoipa::path(get, path = "/reports/vat", tag = "reports", params(ReportQuery),
    responses((status = 200, description = "`{columns, rows}` or CSV")))]
#[instrument(skip_all, err)]
async fn vat(
    State(state): State<AppState>,
    auth: Authorized<cap::ReadSales>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<Response> {
    let t = run(&state.reports_db, Report::Vat, &q, &auth.scope).await?;
    respond(t, &q, "vat")
}

/// Cash reconciliation per closed shift: expected, counted, difference.
#[utoipa::path(get, path = "/reports/cash", tag = "reports", params(ReportQuery),
    responses((status = 200, description = "`{columns, rows}` or CSV")))]
#[instrument(skip_all, err)]
async fn cash(
    State(state): State<AppState>,
    auth: Authorized<cap::ReadSales>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<Response> {
    let t = run(&state.reports_db, Report::Cash, &q, &auth.scope).await?;
    respond(t, &q, "cash")
}

/// Today's totals per store as server-sent events (`totals`, a `{columns, rows}` table):
/// all stores on connect, then each store again as its tills' sales arrive.
#[utoipa::path(get, path = "/reports/live", tag = "reports",
    responses((status = 200, description = "text/event-stream")))]
async fn live_totals(
    State(state): State<AppState>,
    auth: Authorized<cap::ReadSales>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    live::stream(state, auth.scope, auth.user.session)
}

/// A control report by name: `discounts`, `returns` (with voids), `certificates`, `sync-health`
/// (`stale_hours=N` for tills not seen that long), `fiscal-receipts` (each sale's fiscal
/// receipt; `attention=true`: those still without one) and `registers` (fiscal registers by
/// health; `attention=true`: those that need someone) and `marked-units` (every marked unit
/// sold, with its code, permit check and return; `attention=true`: those sold unchecked).
#[utoipa::path(get, path = "/reports/control/{name}", tag = "reports",
    params(("name" = String, Path), ReportQuery),
    responses((status = 200, description = "`{columns, rows}` or CSV"), (status = 404)))]
#[instrument(skip_all, err)]
async fn control_report(
    State(state): State<AppState>,
    auth: Authorized<cap::ReadSales>,
    ApiPath(name): ApiPath<String>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<Response> {
    let report = match name.as_str() {
        "discounts" => Report::Discounts,
        "returns" => Report::Returns,
        "certificates" => Report::Certificates,
        "sync-health" => Report::SyncHealth,
        "fiscal-receipts" => Report::FiscalReceipts,
        "registers" => Report::Registers,
        "marked-units" => Report::MarkedUnits,
        _ => return Err(crate::error::ApiError::NotFound(format!("report {name:?}"))),
    };
    let t = run(&state.reports_db, report, &q, &auth.scope).await?;
    respond(t, &q, &name)
}

/// A stock report by name, for managers and warehouse workers: `levels` (now, valued at
/// cost; `negative=true` for negative levels only), `low` (below the low-stock
/// thresholds), `movements` (the ledger over the period's store-local days).
#[utoipa::path(get, path = "/reports/stock/{name}", tag = "reports",
    params(("name" = String, Path), ReportQuery),
    responses((status = 200, description = "`{columns, rows}` or CSV"), (status = 404)))]
#[instrument(skip_all, err)]
async fn stock_report(
    State(state): State<AppState>,
    auth: Authorized<cap::ReadStock>,
    ApiPath(name): ApiPath<String>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<Response> {
    let report = match name.as_str() {
        "levels" => Report::Stock,
        "low" => Report::LowStock,
        "movements" => Report::Movements,
        _ => return Err(crate::error::ApiError::NotFound(format!("report {name:?}"))),
    };
    let t = run(&state.reports_db, report, &q, &auth.scope).await?;
    respond(t, &q, &format!("stock-{name}"))
}
