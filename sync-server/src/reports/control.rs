//! The reports head office checks on rather than sells by: discounts (by promotion, and
//! manual ones by who gave them), returns and voids with reasons, gift certificates,
//! and the tills' sync health. Stock reports are in `stock`.

use sqlx::PgPool;

use super::filter::{bind_filter, predicate, Filter};
use super::table::{Cell, Table};
use crate::error::ApiResult;

fn text(s: Option<String>) -> Cell {
    s.map_or(Cell::Null, Cell::Text)
}

/// Discounts given in the period: each promotion's, then each cashier's manual ones
/// (a sale's discounts less what its promotions gave).
pub async fn discounts(db: &PgPool, f: &Filter) -> ApiResult<Table> {
    let sql = format!(
        "WITH s AS (SELECT s.id, s.cashier_id, s.discount_minor FROM sales s WHERE {}),
              p AS (SELECT sp.promotion_id, sp.name, sp.sale_id, sp.amount_minor
                    FROM sale_promotions sp JOIN s ON s.id = sp.sale_id),
              m AS (SELECT s.id, s.cashier_id,
                           s.discount_minor - COALESCE((SELECT sum(amount_minor) FROM p WHERE p.sale_id = s.id), 0) AS amount
                    FROM s)
         SELECT 'promotion' AS kind, promotion_id::text AS key, max(name) AS name,
                count(DISTINCT sale_id) AS receipts, sum(amount_minor)::bigint AS amount
         FROM p GROUP BY promotion_id
         UNION ALL
         SELECT 'manual', cashier_id::text, (SELECT full_name FROM users WHERE id = m.cashier_id),
                count(*) FILTER (WHERE amount <> 0), sum(amount)::bigint
         FROM m GROUP BY cashier_id HAVING sum(amount) <> 0
         ORDER BY 1 DESC, 5 DESC",
        predicate(
            "s.local_day",
            "s.location_id",
            Some(("s.terminal_id", "s.cashier_id"))
        )
    );
    let q = sqlx::query_as::<_, (String, String, Option<String>, i64, i64)>(&sql);
    let rows = bind_filter!(q, f).fetch_all(db).await?;
    let mut t = Table::new(&["kind", "key", "name", "receipts", "amount"]);
    for (kind, key, name, receipts, amount) in rows {
        t.rows.push(vec![
            Cell::Text(kind),
            Cell::Text(key),
            text(name),
            Cell::Int(receipts),
            Cell::Money(amount),
        ]);
    }
    Ok(t)
}

/// Every return and void of the period with its reason, by store-local day.
pub async fn returns(db: &PgPool, f: &Filter) -> ApiResult<Table> {
    let void_day = "((v.doc->>'voided_at')::timestamptz AT TIME ZONE l.timezone)::date";
    let sql = format!(
        "SELECT 'return' AS kind, x.local_day AS day, l.name, t.name, x.cashier_id::text, x.receipt_no,
                x.total_minor, x.reason
         FROM sale_returns x JOIN locations l ON l.id = x.location_id JOIN terminals t ON t.id = x.terminal_id
         WHERE {}
         UNION ALL
         SELECT 'void', {void_day}, l.name, t.name, v.doc->>'cashier_id', NULL,
                (v.doc->'total'->>'minor')::bigint, v.doc->>'reason'
         FROM sale_voids v JOIN terminals t ON t.id = v.terminal_id JOIN locations l ON l.id = t.location_id
         WHERE {}
         ORDER BY 2, 3, 4, 1",
        predicate(
            "x.local_day",
            "x.location_id",
            Some(("x.terminal_id", "x.cashier_id"))
        ),
        predicate(
            void_day,
            "t.location_id",
            Some(("v.terminal_id", "(v.doc->>'cashier_id')::uuid"))
        ),
    );
    type Row = (
        String,
        chrono::NaiveDate,
        String,
        String,
        Option<String>,
        Option<i64>,
        Option<i64>,
        Option<String>,
    );
    let q = sqlx::query_as::<_, Row>(&sql);
    let rows = bind_filter!(q, f).fetch_all(db).await?;
    let mut t = Table::new(&[
        "kind",
        "day",
        "store",
        "terminal",
        "cashier_id",
        "receipt_no",
        "amount",
        "reason",
    ]);
    for (kind, day, store, term, cashier, no, amount, reason) in rows {
        t.rows.push(vec![
            Cell::Text(kind),
            Cell::Date(day),
            Cell::Text(store),
            Cell::Text(term),
            text(cashier),
            no.map_or(Cell::Null, Cell::Int),
            amount.map_or(Cell::Null, Cell::Money),
            text(reason),
        ]);
    }
    Ok(t)
}

/// Gift certificates: what moved in the period (sold, redeemed, refunded back, and the
/// overdraws offline redemptions caused), and the liability outstanding now.
pub async fn certificates(db: &PgPool, f: &Filter) -> ApiResult<Table> {
    let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT kind, count(*), COALESCE(sum(abs(amount_minor)), 0)::bigint, COALESCE(sum(overdraw_minor), 0)::bigint
         FROM certificate_ledger
         WHERE at::date BETWEEN $1 AND $2 AND kind IN ('activate', 'redeem', 'refund')
           AND ($3::uuid IS NULL OR location_id = $3) AND ($4::uuid[] IS NULL OR location_id = ANY($4))
         GROUP BY kind
         UNION ALL
         SELECT 'outstanding', count(*), COALESCE(sum(balance_minor), 0)::bigint, COALESCE(sum(overdraw_minor), 0)::bigint
         FROM gift_certificates
         WHERE status IN ('active', 'frozen') AND expires_on >= current_date
           AND ($4::uuid[] IS NULL OR home_location_id = ANY($4))
         ORDER BY 1",
    )
    .bind(f.from)
    .bind(f.to)
    .bind(f.location)
    .bind(f.scope.clone())
    .fetch_all(db)
    .await?;
    let mut t = Table::new(&["what", "certificates", "amount", "overdraw"]);
    for (what, n, amount, overdraw) in rows {
        t.rows.push(vec![
            Cell::Text(what),
            Cell::Int(n),
            Cell::Money(amount),
            Cell::Money(overdraw),
        ]);
    }
    Ok(t)
}

/// Each till: when it last pushed and pulled, hours since it was seen, and the chain
/// breaks, receipt gaps and forks flagged in the period. `stale_hours` keeps only tills
/// not seen for that long (or never).
pub async fn sync_health(db: &PgPool, f: &Filter) -> ApiResult<Table> {
    type Row = (
        String,
        String,
        String,
        String,
        Option<chrono::DateTime<chrono::Utc>>,
        Option<chrono::DateTime<chrono::Utc>>,
        Option<i64>,
        Option<i64>,
        i64,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT t.id::text, l.name, t.name, t.status, max(ts.last_push_at), max(ts.last_pull_at),
                (extract(epoch FROM now() - GREATEST(max(ts.last_push_at), max(ts.last_pull_at))) / 3600)::bigint AS hours,
                (SELECT GREATEST(c.till_newest_seq - c.acked_seq, 0) FROM terminal_sync c
                  WHERE c.terminal_id = t.id ORDER BY c.epoch DESC LIMIT 1),
                (SELECT count(*) FROM sync_alerts a WHERE a.terminal_id = t.id
                   AND a.kind IN ('chain_break', 'receipt_gap', 'forked_history') AND a.at::date BETWEEN $1 AND $2)
         FROM terminals t JOIN locations l ON l.id = t.location_id
         LEFT JOIN terminal_sync ts ON ts.terminal_id = t.id
         WHERE ($3::uuid IS NULL OR t.location_id = $3) AND ($4::uuid[] IS NULL OR t.location_id = ANY($4))
         GROUP BY t.id, l.name, t.name, t.status
         HAVING $5::bigint IS NULL
             OR GREATEST(max(ts.last_push_at), max(ts.last_pull_at)) IS NULL
             OR now() - GREATEST(max(ts.last_push_at), max(ts.last_pull_at)) > make_interval(hours => $5::int)
         ORDER BY hours DESC NULLS FIRST, l.name, t.name",
    )
    .bind(f.from)
    .bind(f.to)
    .bind(f.location)
    .bind(f.scope.clone())
    .bind(f.stale_hours)
    .fetch_all(db)
    .await?;
    let mut t = Table::new(&[
        "terminal_id",
        "store",
        "terminal",
        "status",
        "last_push_at",
        "last_pull_at",
        "hours_unseen",
        "events_waiting",
        "chain_alerts",
    ]);
    let at = |d: Option<chrono::DateTime<chrono::Utc>>| {
        d.map_or(Cell::Null, |d| Cell::Text(d.to_rfc3339()))
    };
    for (id, store, name, status, push, pull, hours, waiting, alerts) in rows {
        t.rows.push(vec![
            Cell::Text(id),
            Cell::Text(store),
            Cell::Text(name),
            Cell::Text(status),
            at(push),
            at(pull),
            hours.map_or(Cell::Null, Cell::Int),
            waiting.map_or(Cell::Null, Cell::Int),
            Cell::Int(alerts),
        ]);
    }
    Ok(t)
}
