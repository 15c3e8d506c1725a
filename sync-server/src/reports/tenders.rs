//! Money by how it was taken: payments by tender, VAT by rate, and each shift's cash
//! reconciliation (expected against counted).

use sqlx::PgPool;

use super::filter::{bind_filter, bucket, predicate, Filter};
use super::table::{Cell, Table};
use crate::error::ApiResult;

fn period(key: Option<chrono::NaiveDate>) -> Cell {
    key.map_or(Cell::Null, Cell::Date)
}

/// Payments by tender per period: cash net of change, refunds by the tender they went to.
pub async fn payments(db: &PgPool, f: &Filter) -> ApiResult<Table> {
    let sql = format!(
        "SELECT {} AS period, tender, sum(payments)::bigint, sum(sales)::bigint, sum(refunds)::bigint
         FROM report_daily_tender WHERE {} GROUP BY 1, 2 ORDER BY 1, 2",
        bucket("day"),
        predicate("day", "location_id", Some(("terminal_id", "cashier_id")))
    );
    let q = sqlx::query_as::<_, (Option<chrono::NaiveDate>, String, i64, i64, i64)>(&sql);
    let rows = bind_filter!(q, f).fetch_all(db).await?;
    let mut t = Table::new(&["period", "tender", "payments", "sales", "refunds", "net"]);
    for (p, tender, n, sales, refunds) in rows {
        t.rows.push(vec![
            period(p),
            Cell::Text(tender),
            Cell::Int(n),
            Cell::Money(sales),
            Cell::Money(refunds),
            Cell::Money(sales - refunds),
        ]);
    }
    Ok(t)
}

/// VAT by rate per period: what was sold and returned at each rate and the VAT in it.
pub async fn vat(db: &PgPool, f: &Filter) -> ApiResult<Table> {
    let sql = format!(
        "SELECT {} AS period, vat, sum(sales)::bigint, sum(sales_vat)::bigint, sum(returned)::bigint,
                sum(returned_vat)::bigint
         FROM report_daily_vat WHERE {} GROUP BY 1, 2 ORDER BY 1, 2",
        bucket("day"),
        predicate("day", "location_id", Some(("terminal_id", "cashier_id")))
    );
    let q = sqlx::query_as::<_, (Option<chrono::NaiveDate>, String, i64, i64, i64, i64)>(&sql);
    let rows = bind_filter!(q, f).fetch_all(db).await?;
    let mut t = Table::new(&[
        "period",
        "vat",
        "sales",
        "sales_vat",
        "returned",
        "returned_vat",
        "net",
        "net_vat",
    ]);
    for (p, rate, sales, sales_vat, returned, returned_vat) in rows {
        t.rows.push(vec![
            period(p),
            Cell::Text(rate),
            Cell::Money(sales),
            Cell::Money(sales_vat),
            Cell::Money(returned),
            Cell::Money(returned_vat),
            Cell::Money(sales - returned),
            Cell::Money(sales_vat - returned_vat),
        ]);
    }
    Ok(t)
}

/// Each closed shift of the period (by the store-local day it opened): the cash the
/// till expected, what the cashier counted, and the difference, from the Z report.
pub async fn cash(db: &PgPool, f: &Filter) -> ApiResult<Table> {
    let sql = format!(
        "SELECT sh.id::text, (sh.opened_at AT TIME ZONE l.timezone)::date AS day, l.name, t.name, sh.shift_no,
                sh.cashier_id::text, (sh.z_report->'expected_cash'->>'minor')::bigint,
                (sh.z_report->'counted_cash'->>'minor')::bigint, (sh.z_report->'difference'->>'minor')::bigint
         FROM shifts sh JOIN locations l ON l.id = sh.location_id JOIN terminals t ON t.id = sh.terminal_id
         WHERE sh.closed_at IS NOT NULL AND {} AND {}
         ORDER BY 2, 3, 4, 5",
        predicate(
            "(sh.opened_at AT TIME ZONE l.timezone)::date",
            "sh.location_id",
            Some(("sh.terminal_id", "sh.cashier_id"))
        ),
        // $7 (the grouping) is not used by this report; keep its type known.
        "($7::text IS NOT NULL)"
    );
    type Row = (
        String,
        chrono::NaiveDate,
        String,
        String,
        i64,
        String,
        Option<i64>,
        Option<i64>,
        Option<i64>,
    );
    let q = sqlx::query_as::<_, Row>(&sql);
    let rows = bind_filter!(q, f).fetch_all(db).await?;
    let mut t = Table::new(&[
        "shift_id",
        "day",
        "store",
        "terminal",
        "shift_no",
        "cashier_id",
        "expected_cash",
        "counted_cash",
        "difference",
    ]);
    let money = |m: Option<i64>| m.map_or(Cell::Null, Cell::Money);
    for (id, day, store, term, no, cashier, expected, counted, diff) in rows {
        t.rows.push(vec![
            Cell::Text(id),
            Cell::Date(day),
            Cell::Text(store),
            Cell::Text(term),
            Cell::Int(no),
            Cell::Text(cashier),
            money(expected),
            money(counted),
            money(diff),
        ]);
    }
    Ok(t)
}
