//! Sales figures: the summary over time and rankings by store, till, cashier, product,
//! category and hour. Each is answered from the rollups when they hold the filter's
//! dimensions, and from the raw sales rows otherwise; both give the same figures.

use serde::Deserialize;
use sqlx::PgPool;
use utoipa::ToSchema;

use super::filter::{bind_filter, bucket, predicate, Filter, Order};
use super::table::{Cell, Table};
use crate::error::ApiResult;

/// What a ranking groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Store.
    Store,
    /// Till.
    Terminal,
    /// Cashier.
    Cashier,
    /// Product (goods only).
    Product,
    /// Category (goods only; products with none under "—").
    Category,
    /// Hour of the store's day (sales only: traffic).
    Hour,
}

impl Dimension {
    fn on_goods(self) -> bool {
        matches!(self, Dimension::Product | Dimension::Category)
    }

    /// The key over sales rows `s` / lines `l` / products `p`, and over returns `x` / `rl`.
    fn raw_keys(self) -> (&'static str, &'static str) {
        match self {
            Dimension::Store => ("s.location_id::text", "x.location_id::text"),
            Dimension::Terminal => ("s.terminal_id::text", "x.terminal_id::text"),
            Dimension::Cashier => ("s.cashier_id::text", "x.cashier_id::text"),
            Dimension::Product => ("l.product_id::text", "rl.product_id::text"),
            Dimension::Category => ("p.category_id::text", "p.category_id::text"),
            Dimension::Hour => ("s.local_hour::text", "NULL::text"),
        }
    }

    /// A readable name for key `a.key`.
    fn name_sql(self) -> &'static str {
        match self {
            Dimension::Store => "(SELECT name FROM locations WHERE id = a.key::uuid)",
            Dimension::Terminal => "(SELECT name FROM terminals WHERE id = a.key::uuid)",
            Dimension::Cashier => "(SELECT full_name FROM users WHERE id = a.key::uuid)",
            Dimension::Product => {
                "(SELECT sku || ' ' || name FROM products WHERE id = a.key::uuid)"
            }
            Dimension::Category => {
                "COALESCE((SELECT name FROM categories WHERE id = a.key::uuid), '—')"
            }
            Dimension::Hour => "lpad(a.key, 2, '0') || ':00'",
        }
    }
}

/// One group's figures, as both paths return them (money in kopecks).
#[derive(Debug, Default, sqlx::FromRow)]
struct Figures {
    key: Option<String>,
    #[sqlx(default)]
    name: Option<String>,
    receipts: i64,
    lines: i64,
    items: i64,
    gross: i64,
    discount: i64,
    sales: i64,
    certificates: i64,
    cost: i64,
    returns: i64,
    returned_qty: i64,
    returned: i64,
    returned_cost: i64,
}

/// Aggregates over the rollups or the raw rows, all cast to bigint.
const SUMS: &str = "COALESCE(sum(receipts), 0)::bigint AS receipts, COALESCE(sum(lines), 0)::bigint AS lines,
    COALESCE(sum(items), 0)::bigint AS items, COALESCE(sum(gross), 0)::bigint AS gross,
    COALESCE(sum(discount), 0)::bigint AS discount, COALESCE(sum(sales), 0)::bigint AS sales,
    COALESCE(sum(certificates), 0)::bigint AS certificates, COALESCE(sum(cost), 0)::bigint AS cost,
    COALESCE(sum(returns), 0)::bigint AS returns, COALESCE(sum(returned_qty), 0)::bigint AS returned_qty,
    COALESCE(sum(returned), 0)::bigint AS returned, COALESCE(sum(returned_cost), 0)::bigint AS returned_cost";

/// The raw rows' figures keyed by `sale_key`/`return_key`: sales lines and returned
/// lines of the period, with the goods filter (`$8` product, `$9` category with its
/// subcategories). Gift certificates sold count as money taken, not as goods.
fn raw_sql(sale_key: &str, return_key: &str, goods_only: bool) -> String {
    let ps = predicate(
        "s.local_day",
        "s.location_id",
        Some(("s.terminal_id", "s.cashier_id")),
    );
    let px = predicate(
        "x.local_day",
        "x.location_id",
        Some(("x.terminal_id", "x.cashier_id")),
    );
    let goods = "($8::uuid IS NULL OR l.product_id = $8) AND ($9::uuid IS NULL OR p.category_id IN (SELECT id FROM cats))";
    let rgoods = goods.replace("l.product_id", "rl.product_id");
    let certs = if goods_only {
        " AND l.certificate IS NULL"
    } else {
        ""
    };
    format!(
        "WITH RECURSIVE cats AS (
             SELECT id FROM categories WHERE id = $9
             UNION ALL SELECT k.id FROM categories k JOIN cats ON k.parent_id = cats.id),
         sl AS (
             SELECT {sale_key} AS key, s.id AS sale_id, l.certificate IS NOT NULL AS cert, l.qty_milli,
                    l.gross_minor, l.discount_minor, l.total_minor, l.cost_minor
             FROM sales s JOIN sale_lines l ON l.sale_id = s.id AND l.local_day = s.local_day
             LEFT JOIN products p ON p.id = l.product_id
             WHERE {ps} AND l.local_day BETWEEN $1 AND $2 AND {goods}{certs}),
         rs AS (
             SELECT {return_key} AS key, x.id AS return_id, rl.qty_milli, rl.amount_minor, rl.cost_minor
             FROM sale_returns x JOIN sale_return_lines rl ON rl.return_id = x.id
             LEFT JOIN products p ON p.id = rl.product_id
             WHERE {px} AND {rgoods}),
         g AS (
             SELECT key, count(DISTINCT sale_id) AS receipts, count(*) FILTER (WHERE NOT cert) AS lines,
                    COALESCE(sum(qty_milli) FILTER (WHERE NOT cert), 0) AS items, sum(gross_minor) AS gross,
                    sum(discount_minor) AS discount, sum(total_minor) AS sales,
                    COALESCE(sum(total_minor) FILTER (WHERE cert), 0) AS certificates, sum(cost_minor) AS cost,
                    0 AS returns, 0 AS returned_qty, 0 AS returned, 0 AS returned_cost
             FROM sl GROUP BY key
             UNION ALL
             SELECT key, 0, 0, 0, 0, 0, 0, 0, 0, count(DISTINCT return_id), sum(qty_milli), sum(amount_minor),
                    sum(cost_minor)
             FROM rs GROUP BY key)
         SELECT key, {SUMS} FROM g GROUP BY key"
    )
}

/// Goods figures for the whole chain over `$1`–`$2`: whole months from the monthly
/// rollup, the ragged days at either end from the daily one (same columns as
/// `report_daily_product`, aliased `d`).
fn chain_goods() -> String {
    // The first whole month's start and the end (exclusive) of the last whole month;
    // with none inside the period both are the day after it. Plain expressions of the
    // parameters, so each side is an index range.
    let fm0 = "(CASE WHEN extract(day FROM $1::date) = 1 THEN $1::date
                     ELSE (date_trunc('month', $1::date) + interval '1 month')::date END)";
    let lm0 = "date_trunc('month', $2::date + 1)::date";
    let fm = format!("(CASE WHEN {lm0} > {fm0} THEN {fm0} ELSE $2::date + 1 END)");
    let lm = format!("(CASE WHEN {lm0} > {fm0} THEN {lm0} ELSE $2::date + 1 END)");
    format!(
        "(SELECT m.product_id, m.lines, m.qty_milli, m.gross, m.discount, m.sales, m.cost, m.returned_qty,
                 m.returned, m.returned_cost
          FROM report_monthly_product m WHERE m.month >= {fm} AND m.month < {lm}
          UNION ALL
          SELECT e.product_id, e.lines, e.qty_milli, e.gross, e.discount, e.sales, e.cost, e.returned_qty,
                 e.returned, e.returned_cost
          FROM report_daily_product e
          WHERE (e.day >= $1 AND e.day < {fm}) OR (e.day >= {lm} AND e.day <= $2)) d"
    )
}

/// The rollups' figures keyed by `key` (a column or the period bucket); goods for the
/// whole chain (no store filter, no store scope) come from [`chain_goods`].
fn rollup_sql(dim: Option<Dimension>, chain_wide: bool) -> String {
    let receipt_level = |key: &str| {
        format!(
            "SELECT {key} AS key, sum(receipts) AS receipts, sum(lines) AS lines, sum(items_milli) AS items,
                    sum(gross) AS gross, sum(discount) AS discount, sum(sales) AS sales,
                    sum(certificates) AS certificates, sum(cost) AS cost, sum(returns) AS returns,
                    0 AS returned_qty, sum(returned) AS returned, sum(returned_cost) AS returned_cost
             FROM report_daily WHERE {} GROUP BY 1",
            predicate("day", "location_id", Some(("terminal_id", "cashier_id")))
        )
    };
    let goods_level = |key: &str, join: &str| {
        let (from, filter) = if chain_wide {
            // $3–$6 are NULL on this path; still named so their types are known.
            (chain_goods(), "$3::uuid IS NULL AND $4::uuid[] IS NULL AND ($5::uuid IS NULL OR TRUE) AND ($6::uuid IS NULL OR TRUE)".to_owned())
        } else {
            (
                "report_daily_product d".to_owned(),
                predicate("d.day", "d.location_id", None),
            )
        };
        format!(
            "SELECT {key} AS key, 0 AS receipts, sum(d.lines) AS lines, sum(d.qty_milli) AS items,
                    sum(d.gross) AS gross, sum(d.discount) AS discount, sum(d.sales) AS sales,
                    0 AS certificates, sum(d.cost) AS cost, 0 AS returns, sum(d.returned_qty) AS returned_qty,
                    sum(d.returned) AS returned, sum(d.returned_cost) AS returned_cost
             FROM {from} {join} WHERE {filter} GROUP BY 1"
        )
    };
    let inner = match dim {
        None => receipt_level(&format!("{}::text", bucket("day"))),
        Some(Dimension::Store) => receipt_level("location_id::text"),
        Some(Dimension::Terminal) => receipt_level("terminal_id::text"),
        Some(Dimension::Cashier) => receipt_level("cashier_id::text"),
        Some(Dimension::Product) => goods_level("d.product_id::text", ""),
        Some(Dimension::Category) => goods_level(
            "p.category_id::text",
            "LEFT JOIN products p ON p.id = d.product_id",
        ),
        Some(Dimension::Hour) => format!(
            "SELECT hour::text AS key, sum(receipts) AS receipts, 0 AS lines, 0 AS items, 0 AS gross,
                    0 AS discount, sum(sales) AS sales, 0 AS certificates, 0 AS cost, 0 AS returns,
                    0 AS returned_qty, 0 AS returned, 0 AS returned_cost
             FROM report_hourly WHERE {} GROUP BY 1",
            predicate("day", "location_id", None)
        ),
    };
    format!("SELECT key, {SUMS} FROM ({inner}) g GROUP BY key")
}

async fn fetch(db: &PgPool, sql: &str, f: &Filter) -> ApiResult<Vec<Figures>> {
    let q = sqlx::query_as::<_, Figures>(sql);
    Ok(bind_filter!(q, f)
        .bind(f.product)
        .bind(f.category)
        .fetch_all(db)
        .await?)
}

/// `a / b` rounded half away from zero; `None` when `b` is zero.
fn ratio(a: i64, b: i64) -> Option<i64> {
    (b != 0).then(|| {
        let (a, b) = (i128::from(a), i128::from(b));
        let q = (2 * a.abs() + b.abs()) / (2 * b.abs());
        (q * a.signum() * b.signum()) as i64
    })
}

/// Sales over time: one row per day, week or month (or the whole period).
pub async fn summary(db: &PgPool, f: &Filter) -> ApiResult<Table> {
    let rows = if f.on_goods() {
        let key = format!("{}::text", bucket("s.local_day"));
        let rkey = format!("{}::text", bucket("x.local_day"));
        fetch(
            db,
            &format!("{} ORDER BY key", raw_sql(&key, &rkey, true)),
            f,
        )
        .await?
    } else {
        fetch(db, &format!("{} ORDER BY key", rollup_sql(None, false)), f).await?
    };
    let mut t = Table::new(&[
        "period",
        "receipts",
        "items",
        "gross",
        "discount",
        "sales",
        "certificates_sold",
        "returns",
        "returned",
        "net",
        "average_receipt",
        "cost",
        "margin",
    ]);
    for r in rows {
        let period = r
            .key
            .as_deref()
            .and_then(|k| k.parse().ok())
            .map_or(Cell::Null, Cell::Date);
        let net = r.sales - r.returned;
        t.rows.push(vec![
            period,
            Cell::Int(r.receipts),
            Cell::Qty(r.items),
            Cell::Money(r.gross),
            Cell::Money(r.discount),
            Cell::Money(r.sales),
            Cell::Money(r.certificates),
            Cell::Int(r.returns),
            Cell::Money(r.returned),
            Cell::Money(net),
            ratio(r.sales, r.receipts).map_or(Cell::Null, Cell::Money),
            Cell::Money(r.cost - r.returned_cost),
            Cell::Money(net - r.certificates - (r.cost - r.returned_cost)),
        ]);
    }
    Ok(t)
}

/// A ranking by `dim`: best (or worst) net sales first; hours in clock order.
pub async fn by(db: &PgPool, f: &Filter, dim: Dimension) -> ApiResult<Table> {
    let use_raw = match dim {
        Dimension::Store | Dimension::Terminal | Dimension::Cashier => f.on_goods(),
        Dimension::Product | Dimension::Category => f.on_people(),
        Dimension::Hour => f.on_goods() || f.on_people(),
    };
    let inner = if use_raw {
        let (sk, rk) = dim.raw_keys();
        raw_sql(sk, rk, dim.on_goods() || f.on_goods())
    } else {
        rollup_sql(Some(dim), f.location.is_none() && f.scope.is_none())
    };
    let order = match (dim, f.order) {
        (Dimension::Hour, _) => "a.key::int",
        (_, Order::Top) => "a.sales - a.returned DESC, a.key",
        (_, Order::Bottom) => "a.sales - a.returned ASC, a.key",
    };
    // Names are looked up for the rows kept only.
    let sql = format!(
        "SELECT a.*, {} AS name FROM (
             SELECT a.* FROM ({inner}) a WHERE a.key IS NOT NULL OR {} ORDER BY {order} LIMIT $10) a
         ORDER BY {order}",
        dim.name_sql(),
        dim == Dimension::Category
    );
    let q = sqlx::query_as::<_, Figures>(&sql);
    let rows = bind_filter!(q, f)
        .bind(f.product)
        .bind(f.category)
        .bind(f.limit)
        .fetch_all(db)
        .await?;
    let goods = dim.on_goods();
    let mut cols = vec!["key", "name"];
    cols.extend(if goods {
        &[
            "lines",
            "qty",
            "gross",
            "discount",
            "sales",
            "returned_qty",
            "returned",
        ][..]
    } else {
        &[
            "receipts", "items", "gross", "discount", "sales", "returns", "returned",
        ][..]
    });
    cols.extend(["net", "cost", "margin"]);
    if !goods {
        cols.push("average_receipt");
    }
    let mut t = Table::new(&cols);
    for r in rows {
        let net = r.sales - r.returned;
        let cost = r.cost - r.returned_cost;
        let mut row = vec![
            r.key.map_or(Cell::Null, Cell::Text),
            r.name.map_or(Cell::Null, Cell::Text),
        ];
        row.extend(if goods {
            [
                Cell::Int(r.lines),
                Cell::Qty(r.items),
                Cell::Money(r.gross),
                Cell::Money(r.discount),
                Cell::Money(r.sales),
                Cell::Qty(r.returned_qty),
                Cell::Money(r.returned),
            ]
        } else {
            [
                Cell::Int(r.receipts),
                Cell::Qty(r.items),
                Cell::Money(r.gross),
                Cell::Money(r.discount),
                Cell::Money(r.sales),
                Cell::Int(r.returns),
                Cell::Money(r.returned),
            ]
        });
        row.extend([
            Cell::Money(net),
            Cell::Money(cost),
            Cell::Money(net - r.certificates - cost),
        ]);
        if !goods {
            row.push(ratio(r.sales, r.receipts).map_or(Cell::Null, Cell::Money));
        }
        t.rows.push(row);
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::ratio;

    #[test]
    fn averages_round_half_away_from_zero() {
        assert_eq!(ratio(10, 4), Some(3));
        assert_eq!(ratio(9, 4), Some(2));
        assert_eq!(ratio(-10, 4), Some(-3));
        assert_eq!(ratio(5, 0), None);
    }
}
