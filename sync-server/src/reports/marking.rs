//! Marked units sold over the period, from the registry: each unit's code, its permit
//! check and fiscal document, and its return if it came back. With `attention`, only the
//! units sold without a checker's yes (no checker answered and the group's rule let the
//! sale go on): what head office reconciles with Честный ЗНАК.

use sqlx::PgPool;

use super::filter::{bind_filter, predicate, Filter};
use super::table::{Cell, Table};
use crate::error::ApiResult;

fn text(s: Option<String>) -> Cell {
    s.map_or(Cell::Null, Cell::Text)
}

/// The registry's rows for the period and scope.
pub async fn units(db: &PgPool, f: &Filter) -> ApiResult<Table> {
    let sql = format!(
        "SELECT s.local_day, l.name, t.name, s.receipt_no,
                to_char(m.sold_at AT TIME ZONE l.timezone, 'YYYY-MM-DD HH24:MI'), p.sku, p.name, m.identity,
                m.outcome, m.source, m.req_id, fd.number, m.return_id IS NOT NULL,
                to_char(m.returned_at AT TIME ZONE l.timezone, 'YYYY-MM-DD HH24:MI'), rl.name
         FROM marked_units m JOIN sales s ON s.id = m.sale_id
         JOIN locations l ON l.id = s.location_id JOIN terminals t ON t.id = s.terminal_id
         JOIN products p ON p.id = m.product_id
         LEFT JOIN locations rl ON rl.id = m.return_location
         LEFT JOIN fiscal_documents fd ON fd.doc_id = s.id AND fd.kind = 'sale'
         WHERE {} AND ($8::bool IS NOT TRUE OR m.outcome = 'unchecked')
         ORDER BY m.sold_at, m.sale_id, m.line_no",
        predicate(
            "s.local_day",
            "s.location_id",
            Some(("s.terminal_id", "s.cashier_id"))
        ),
    );
    type Row = (
        chrono::NaiveDate,
        String,
        String,
        i64,
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<i64>,
        bool,
        Option<String>,
        Option<String>,
    );
    let q = sqlx::query_as::<_, Row>(&sql);
    let rows = bind_filter!(q, f).bind(f.attention).fetch_all(db).await?;
    let mut t = Table::new(&[
        "day",
        "store",
        "terminal",
        "receipt_no",
        "sold_at",
        "sku",
        "product",
        "code",
        "check",
        "checked_by",
        "check_request",
        "fd_number",
        "state",
        "returned_at",
        "returned_in",
    ]);
    for r in rows {
        let (day, store, term, no, at, sku, name, code, outcome, source, req, fd, back, when, wh) =
            r;
        t.rows.push(vec![
            Cell::Date(day),
            Cell::Text(store),
            Cell::Text(term),
            Cell::Int(no),
            Cell::Text(at),
            Cell::Text(sku),
            Cell::Text(name),
            Cell::Text(code),
            Cell::Text(outcome),
            text(source),
            text(req),
            fd.map_or(Cell::Null, Cell::Int),
            Cell::Text(if back { "returned" } else { "sold" }.into()),
            text(when),
            text(wh),
        ]);
    }
    Ok(t)
}
