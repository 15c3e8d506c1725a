//! Stock reports, for managers and warehouse workers alike: levels and their value,
//! what has fallen below its low-stock threshold, and a movements ledger (opening, what
//! came in and went out by kind, closing) over store-local days.

use sqlx::PgPool;

use super::filter::Filter;
use super::table::{Cell, Table};
use crate::error::ApiResult;

/// Categories under `$N` (inclusive), for goods filters.
fn cats(n: u8) -> String {
    format!(
        "WITH RECURSIVE cats AS (
             SELECT id FROM categories WHERE id = ${n}
             UNION ALL SELECT k.id FROM categories k JOIN cats ON k.parent_id = cats.id)"
    )
}

/// Stock now per location and product, valued at today's cost; negative levels flagged
/// (sales never wait for stock, so head office sees where counts went wrong).
pub async fn levels(db: &PgPool, f: &Filter) -> ApiResult<Table> {
    let sql = format!(
        "{}
         SELECT l.name AS store, p.sku, p.name, il.qty_milli AS qty, p.cost_minor AS cost,
                round(il.qty_milli::numeric * p.cost_minor / 1000)::bigint AS value
         FROM inventory_levels il JOIN locations l ON l.id = il.location_id JOIN products p ON p.id = il.product_id
         WHERE ($1::uuid IS NULL OR il.location_id = $1) AND ($2::uuid[] IS NULL OR il.location_id = ANY($2))
           AND ($3::uuid IS NULL OR il.product_id = $3) AND ($6::uuid IS NULL OR p.category_id IN (SELECT id FROM cats))
           AND ($4::bool IS NOT TRUE OR il.qty_milli < 0) AND il.qty_milli <> 0
         ORDER BY l.name, p.sku LIMIT $5",
        cats(6)
    );
    #[derive(sqlx::FromRow)]
    struct Row {
        store: String,
        sku: String,
        name: String,
        qty: i64,
        cost: i64,
        value: i64,
    }
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(f.location)
        .bind(f.scope.clone())
        .bind(f.product)
        .bind(f.negative_only)
        .bind(f.limit)
        .bind(f.category)
        .fetch_all(db)
        .await?;
    let mut t = Table::new(&[
        "store",
        "sku",
        "name",
        "qty",
        "unit_cost",
        "value",
        "negative",
    ]);
    for r in rows {
        t.rows.push(vec![
            Cell::Text(r.store),
            Cell::Text(r.sku),
            Cell::Text(r.name),
            Cell::Qty(r.qty),
            Cell::Money(r.cost),
            Cell::Money(r.value),
            Cell::Text(if r.qty < 0 { "yes" } else { "no" }.into()),
        ]);
    }
    Ok(t)
}

/// Goods below their location's low-stock threshold now, most short first (by the share
/// of the minimum missing), with what it would cost to fill up to the minimum.
pub async fn low(db: &PgPool, f: &Filter) -> ApiResult<Table> {
    let sql = format!(
        "{}
         SELECT l.name AS store, p.sku, p.name, COALESCE(il.qty_milli, 0) AS qty,
                t.min_qty_milli AS min, t.min_qty_milli - COALESCE(il.qty_milli, 0) AS short,
                round((t.min_qty_milli - COALESCE(il.qty_milli, 0))::numeric * p.cost_minor / 1000)::bigint AS cost
         FROM stock_thresholds t JOIN locations l ON l.id = t.location_id JOIN products p ON p.id = t.product_id
         LEFT JOIN inventory_levels il ON il.location_id = t.location_id AND il.product_id = t.product_id
         WHERE ($1::uuid IS NULL OR t.location_id = $1) AND ($2::uuid[] IS NULL OR t.location_id = ANY($2))
           AND ($3::uuid IS NULL OR t.product_id = $3) AND ($5::uuid IS NULL OR p.category_id IN (SELECT id FROM cats))
           AND COALESCE(il.qty_milli, 0) < t.min_qty_milli
         ORDER BY (t.min_qty_milli - COALESCE(il.qty_milli, 0))::numeric / t.min_qty_milli DESC, l.name, p.sku
         LIMIT $4",
        cats(5)
    );
    #[derive(sqlx::FromRow)]
    struct Row {
        store: String,
        sku: String,
        name: String,
        qty: i64,
        min: i64,
        short: i64,
        cost: i64,
    }
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(f.location)
        .bind(f.scope.clone())
        .bind(f.product)
        .bind(f.limit)
        .bind(f.category)
        .fetch_all(db)
        .await?;
    let mut t = Table::new(&[
        "store",
        "sku",
        "name",
        "qty",
        "min_qty",
        "short",
        "refill_cost",
    ]);
    for r in rows {
        t.rows.push(vec![
            Cell::Text(r.store),
            Cell::Text(r.sku),
            Cell::Text(r.name),
            Cell::Qty(r.qty),
            Cell::Qty(r.min),
            Cell::Qty(r.short),
            Cell::Money(r.cost),
        ]);
    }
    Ok(t)
}

/// The movements ledger of each location and product moved in the period (store-local
/// days): opening + received + transferred in − transferred out − sold + returned +
/// adjusted (counts and write-offs) = closing. Closing is today's level less what moved
/// after the period, so the ledger always meets the level.
pub async fn movements(db: &PgPool, f: &Filter) -> ApiResult<Table> {
    let sql = format!(
        "{},
         mv AS (
             SELECT m.location_id, m.product_id, m.kind, m.qty_milli,
                    (m.created_at AT TIME ZONE loc.timezone)::date AS day
             FROM inventory_movements m JOIN locations loc ON loc.id = m.location_id
             LEFT JOIN products p ON p.id = m.product_id
             -- a day's margin either side covers every time zone
             WHERE m.created_at >= $1::date - interval '1 day'
               AND ($3::uuid IS NULL OR m.location_id = $3) AND ($4::uuid[] IS NULL OR m.location_id = ANY($4))
               AND ($5::uuid IS NULL OR m.product_id = $5) AND ($6::uuid IS NULL OR p.category_id IN (SELECT id FROM cats))),
         g AS (
             SELECT location_id, product_id,
                    COALESCE(sum(qty_milli) FILTER (WHERE day > $2), 0)::bigint AS after,
                    COALESCE(sum(qty_milli) FILTER (WHERE day <= $2), 0)::bigint AS moved,
                    COALESCE(sum(qty_milli) FILTER (WHERE day <= $2 AND kind = 'receive'), 0)::bigint AS received,
                    COALESCE(sum(qty_milli) FILTER (WHERE day <= $2 AND kind = 'transfer_in'), 0)::bigint AS t_in,
                    COALESCE(-sum(qty_milli) FILTER (WHERE day <= $2 AND kind = 'transfer_out'), 0)::bigint AS t_out,
                    COALESCE(-sum(qty_milli) FILTER (WHERE day <= $2 AND kind = 'sale'), 0)::bigint AS sold,
                    COALESCE(sum(qty_milli) FILTER (WHERE day <= $2 AND kind = 'return'), 0)::bigint AS returned,
                    COALESCE(sum(qty_milli) FILTER (WHERE day <= $2 AND kind IN ('count', 'adjust')), 0)::bigint AS adjusted
             FROM mv WHERE day >= $1
             GROUP BY 1, 2
             HAVING count(*) FILTER (WHERE day <= $2) > 0)
         SELECT loc.name, COALESCE(p.sku, g.product_id::text), COALESCE(p.name, ''),
                COALESCE(il.qty_milli, 0) - g.after - g.moved, g.received, g.t_in, g.t_out, g.sold, g.returned,
                g.adjusted, COALESCE(il.qty_milli, 0) - g.after
         FROM g JOIN locations loc ON loc.id = g.location_id LEFT JOIN products p ON p.id = g.product_id
         LEFT JOIN inventory_levels il ON il.location_id = g.location_id AND il.product_id = g.product_id
         ORDER BY loc.name, 2 LIMIT $7",
        cats(6)
    );
    type Row = (
        String,
        String,
        String,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
    );
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(f.from)
        .bind(f.to)
        .bind(f.location)
        .bind(f.scope.clone())
        .bind(f.product)
        .bind(f.category)
        .bind(f.limit)
        .fetch_all(db)
        .await?;
    let mut t = Table::new(&[
        "store",
        "sku",
        "name",
        "opening",
        "received",
        "transferred_in",
        "transferred_out",
        "sold",
        "returned",
        "adjusted",
        "closing",
    ]);
    for (store, sku, name, opening, received, t_in, t_out, sold, returned, adjusted, closing) in
        rows
    {
        t.rows.push(vec![
            Cell::Text(store),
            Cell::Text(sku),
            Cell::Text(name),
            Cell::Qty(opening),
            Cell::Qty(received),
            Cell::Qty(t_in),
            Cell::Qty(t_out),
            Cell::Qty(sold),
            Cell::Qty(returned),
            Cell::Qty(adjusted),
            Cell::Qty(closing),
        ]);
    }
    Ok(t)
}
