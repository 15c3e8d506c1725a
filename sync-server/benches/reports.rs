//! Report benchmarks on a generated chain (fill it first with `sync-server generate`):
//! each report through the reports service (rollups) beside the same figures computed
//! straight from the raw sales tables, in the same run, on the same data.
//!
//! Run: `ALAROMA_BENCH_DATABASE_URL=postgres://…/alaroma_bench cargo bench -p sync-server --bench reports`

use std::time::{Duration, Instant};

use chrono::{Datelike, Months, NaiveDate};
use secrecy::SecretString;
use sync_server::config::Config;
use sync_server::rbac::Scope;
use sync_server::reports::{self, Dimension, Report, ReportQuery};
use sync_server::AppState;

const RUNS: usize = 7;

/// The server's own defaults (and any `ALAROMA_*` settings), pointed at `db`.
fn config(db: &str) -> Config {
    let mut c = Config::load(None).expect("configuration");
    c.database_url = SecretString::from(db.to_owned());
    c.jwt_secret = SecretString::from("bench-secret-bench-secret-bench-secret-01".to_owned());
    c.redis_prefix = "alaroma-bench:".into();
    c.db_max_connections = 4;
    c
}

fn query(from: NaiveDate, to: NaiveDate, limit: Option<u32>) -> ReportQuery {
    ReportQuery {
        from,
        to,
        location_id: None,
        terminal_id: None,
        cashier_id: None,
        category_id: None,
        product_id: None,
        group: None,
        format: None,
        order: None,
        limit,
        negative: None,
        stale_hours: None,
        attention: None,
    }
}

/// The median of `RUNS` timings of `f` (after one warm-up run), and its last answer.
async fn median<T, F: std::future::Future<Output = T>>(mut f: impl FnMut() -> F) -> (Duration, T) {
    let mut last = f().await;
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t = Instant::now();
        last = f().await;
        times.push(t.elapsed());
    }
    times.sort();
    (times[RUNS / 2], last)
}

/// Net sales (kopecks) over a report's rows, to show both sides computed the same thing.
fn net_of(t: &reports::Table) -> i64 {
    let col = t.columns.iter().position(|c| *c == "net").unwrap_or(0);
    t.rows
        .iter()
        .map(|r| match &r[col] {
            reports::Cell::Money(m) => *m,
            _ => 0,
        })
        .sum()
}

/// The raw side: the same groups' net sales from `sales`/`sale_lines`/`sale_returns`.
const RAW_BY_STORE: &str = "
    WITH s AS (SELECT location_id AS key, count(*) AS receipts, sum(gross_minor) AS gross,
                      sum(discount_minor) AS discount, sum(total_minor) AS sales
               FROM sales WHERE local_day BETWEEN $1 AND $2 GROUP BY 1),
         c AS (SELECT s.location_id AS key, sum(l.qty_milli) AS items, sum(l.cost_minor) AS cost
               FROM sales s JOIN sale_lines l ON l.sale_id = s.id AND l.local_day = s.local_day
               WHERE s.local_day BETWEEN $1 AND $2 AND l.local_day BETWEEN $1 AND $2 GROUP BY 1),
         r AS (SELECT location_id AS key, count(*) AS returns, sum(total_minor) AS returned
               FROM sale_returns WHERE local_day BETWEEN $1 AND $2 GROUP BY 1)
    SELECT s.key::text, (s.sales - COALESCE(r.returned, 0))::bigint AS net
    FROM s JOIN c USING (key) LEFT JOIN r USING (key) ORDER BY net DESC LIMIT $3";

const RAW_BY_PRODUCT: &str = "
    WITH s AS (SELECT l.product_id AS key, sum(l.qty_milli) AS qty, sum(l.total_minor) AS sales,
                      sum(l.cost_minor) AS cost
               FROM sales s JOIN sale_lines l ON l.sale_id = s.id AND l.local_day = s.local_day
               WHERE s.local_day BETWEEN $1 AND $2 AND l.local_day BETWEEN $1 AND $2 AND l.certificate IS NULL GROUP BY 1),
         r AS (SELECT rl.product_id AS key, sum(rl.amount_minor) AS returned
               FROM sale_returns x JOIN sale_return_lines rl ON rl.return_id = x.id
               WHERE x.local_day BETWEEN $1 AND $2 GROUP BY 1)
    SELECT s.key::text, (s.sales - COALESCE(r.returned, 0))::bigint AS net
    FROM s LEFT JOIN r USING (key) ORDER BY net DESC, s.key LIMIT $3";

const RAW_BY_CATEGORY: &str = "
    WITH s AS (SELECT p.category_id AS key, sum(l.total_minor) AS sales, sum(l.cost_minor) AS cost
               FROM sales s JOIN sale_lines l ON l.sale_id = s.id AND l.local_day = s.local_day
               LEFT JOIN products p ON p.id = l.product_id
               WHERE s.local_day BETWEEN $1 AND $2 AND l.local_day BETWEEN $1 AND $2 AND l.certificate IS NULL GROUP BY 1),
         r AS (SELECT p.category_id AS key, sum(rl.amount_minor) AS returned, sum(rl.cost_minor) AS rcost
               FROM sale_returns x JOIN sale_return_lines rl ON rl.return_id = x.id
               LEFT JOIN products p ON p.id = rl.product_id
               WHERE x.local_day BETWEEN $1 AND $2 GROUP BY 1)
    SELECT s.key::text, (s.sales - COALESCE(r.returned, 0))::bigint AS net
    FROM s LEFT JOIN r USING (key) ORDER BY net DESC LIMIT $3";

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let db = std::env::var("ALAROMA_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/alaroma_bench".into());
    let state = AppState::connect(config(&db)).await.expect("connect");
    let (lines, last): (i64, Option<NaiveDate>) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM sale_lines), (SELECT max(local_day) FROM sales)",
    )
    .fetch_one(&state.db)
    .await
    .expect("count");
    let Some(last) = last else {
        eprintln!(
            "No sales in {db}: fill it first with `sync-server generate` (see BENCHMARKS.md)."
        );
        std::process::exit(2);
    };
    // The last whole month, quarter and year of the data.
    let month_end = last.with_day(1).expect("day") - chrono::Duration::days(1);
    let month = month_end.with_day(1).expect("day");
    let quarter = month - Months::new(2);
    let year = month - Months::new(11);
    println!("Data: {lines} sale lines up to {last}.\n");
    println!("| report | rollups (service) | raw tables | raw / rollups | same figures |");
    println!("|---|---|---|---|---|");
    let cases = [
        (
            "one month by store",
            Report::By(Dimension::Store),
            month,
            None,
            RAW_BY_STORE,
        ),
        (
            "top 100 products, a quarter",
            Report::By(Dimension::Product),
            quarter,
            Some(100),
            RAW_BY_PRODUCT,
        ),
        (
            "margin by category, a year",
            Report::By(Dimension::Category),
            year,
            None,
            RAW_BY_CATEGORY,
        ),
    ];
    for (name, report, from, limit, raw) in cases {
        let q = query(from, month_end, limit);
        let (ours, table) =
            median(|| reports::run(&state.reports_db, report, &q, &Scope::All)).await;
        let table = table.expect("report");
        let (theirs, rows) = median(|| {
            sqlx::query_as::<_, (String, i64)>(raw)
                .bind(from)
                .bind(month_end)
                .bind(limit.map(i64::from))
                .fetch_all(&state.db)
        })
        .await;
        let raw_net: i64 = rows.expect("raw").iter().map(|r| r.1).sum();
        let same = if net_of(&table) == raw_net {
            "yes"
        } else {
            "NO"
        };
        println!(
            "| {name} ({from} – {month_end}) | {:.1} ms | {:.1} ms | {:.1}× | {same} |",
            ours.as_secs_f64() * 1e3,
            theirs.as_secs_f64() * 1e3,
            theirs.as_secs_f64() / ours.as_secs_f64()
        );
    }
}
