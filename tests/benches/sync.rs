//! Sync benchmarks against real PostgreSQL and Redis:
//! 1. server ingest of sale events (3 lines) beside a plain multi-row INSERT of the same
//!    rows into the same tables, in the same run;
//! 2. first sync of a 100 000-product catalog to a fresh till, end to end;
//! 3. time from a price change on the server to an online till having it.
//!
//! Run: `cargo bench -p sync-server --bench sync` (`-- --quick` for a short run).

use std::time::{Duration, Instant};

use chrono::Utc;
use secrecy::SecretString;
use shared_model::chain::{link, ReceiptBody, GENESIS_HASH};
use shared_model::events::{
    ChainedReceipt, EventEnvelope, EventPayload, PaymentDoc, SaleDoc, SaleLineDoc,
};
use shared_model::sync::PushRequest;
use shared_model::{Currency, Money, Quantity, Tender, Unit, VatRate};
use sync_server::config::Config;
use sync_server::device::Device;
use sync_server::AppState;
use uuid::Uuid;

#[path = "../../sync-server/benches/common/mod.rs"]
mod common;
use common::fresh_db;

const BATCH: usize = 500;

fn config(db: &str) -> Config {
    Config {
        bind: "127.0.0.1:0".parse().unwrap_or_else(|_| unreachable!()),
        database_url: SecretString::from(db.to_owned()),
        redis_url: SecretString::from("redis://127.0.0.1:6379".to_owned()),
        redis_prefix: format!("alaroma-bench:{}:", Uuid::new_v4().simple()),
        jwt_secret: SecretString::from("bench-secret-bench-secret-bench-secret-01".to_owned()),
        access_ttl_secs: 900,
        refresh_ttl_secs: 3600,
        cookie_secure: false,
        allowed_origins: vec![],
        trust_proxy: vec![],
        login_limit_account: 5,
        login_limit_ip: 50,
        login_window_secs: 60,
        block_negative_warehouse_stock: true,
        log_format: "pretty".into(),
        db_max_connections: 10,
        change_retention_days: 90,
        reports_database_url: None,
        admin_dir: None,
        updates_dir: None,
        metrics_token: None,
    }
}

/// A terminal at a new store, straight in the database.
async fn terminal(state: &AppState) -> Device {
    let (loc, term) = (Uuid::now_v7(), Uuid::now_v7());
    sqlx::query(
        "INSERT INTO locations (id, code, name, kind) VALUES ($1, $2, 'Bench store', 'store')",
    )
    .bind(loc)
    .bind(loc.to_string())
    .execute(&state.db)
    .await
    .expect("location");
    sqlx::query("INSERT INTO terminals (id, location_id, name, status, epoch) VALUES ($1, $2, 'Bench', 'active', 1)")
        .bind(term)
        .bind(loc)
        .execute(&state.db)
        .await
        .expect("terminal");
    Device {
        terminal_id: term,
        location_id: loc,
        epoch: 1,
    }
}

/// `n` chained 3-line sale events of `terminal`.
fn sales(terminal: Uuid, products: &[Uuid], n: usize) -> Vec<EventEnvelope> {
    let mut prev = GENESIS_HASH.to_owned();
    (0..n)
        .map(|i| {
            let lines: Vec<SaleLineDoc> = (0..3)
                .map(|l| SaleLineDoc {
                    line_no: l + 1,
                    product_id: products[l as usize],
                    sku: format!("SKU-{l}"),
                    name: "Bench product".into(),
                    unit: Unit::Piece,
                    qty: Quantity::from_milli(1000),
                    unit_price: Money::rub(10_000),
                    vat_rate: VatRate::Vat22,
                    gross: Money::rub(10_000),
                    discount: Money::rub(0),
                    total: Money::rub(10_000),
                    vat: Money::rub(1_667),
                    certificate: None,
                    mark: None,
                })
                .collect();
            let doc = SaleDoc {
                sale_id: Uuid::now_v7(),
                shift_id: Uuid::nil(),
                cashier_id: Uuid::nil(),
                completed_at: Utc::now(),
                currency: Currency::RUB,
                lines,
                payments: vec![PaymentDoc {
                    tender: Tender::Cash,
                    amount: Money::rub(30_000),
                    approval_code: None,
                    certificate: None,
                }],
                gross: Money::rub(30_000),
                discount: Money::rub(0),
                total: Money::rub(30_000),
                change: Money::rub(0),
                vat: vec![],
                catalog_version: None,
                promotions: vec![],
                customer_id: None,
            };
            let l = link(i as u64 + 1, &prev, ReceiptBody::Sale(&doc));
            prev = l.hash.clone();
            EventEnvelope {
                schema_version: 1,
                event_id: Uuid::now_v7(),
                terminal_id: terminal,
                seq: i as u64 + 1,
                occurred_at: Utc::now(),
                payload: EventPayload::SaleCompleted(ChainedReceipt { doc, link: l }),
            }
        })
        .collect()
}

/// The baseline: the same rows into the same tables, one multi-row INSERT per table per batch.
async fn baseline(state: &AppState, d: &Device, events: &[EventEnvelope]) -> Duration {
    let start = Instant::now();
    for batch in events.chunks(BATCH) {
        let mut tx = state.db.begin().await.expect("tx");
        let docs: Vec<(&EventEnvelope, &ChainedReceipt<SaleDoc>)> = batch
            .iter()
            .filter_map(|e| match &e.payload {
                EventPayload::SaleCompleted(r) => Some((e, r)),
                _ => None,
            })
            .collect();
        let ids: Vec<Uuid> = docs.iter().map(|(e, _)| e.event_id).collect();
        let seqs: Vec<i64> = docs.iter().map(|(e, _)| e.seq as i64).collect();
        let payloads: Vec<serde_json::Value> = docs
            .iter()
            .map(|(e, _)| serde_json::to_value(&e.payload).unwrap_or_default())
            .collect();
        let at: Vec<chrono::DateTime<Utc>> = docs.iter().map(|(e, _)| e.occurred_at).collect();
        sqlx::query(
            "INSERT INTO till_events (event_id, terminal_id, epoch, seq, kind, content_hash, payload, occurred_at)
             SELECT u.id, $2, 1, u.seq, 'sale_completed', 'x', u.p, u.at FROM UNNEST($1::uuid[], $3::bigint[], $4::jsonb[], $5::timestamptz[]) AS u(id, seq, p, at)",
        )
        .bind(&ids).bind(d.terminal_id).bind(&seqs).bind(&payloads).bind(&at)
        .execute(&mut *tx).await.expect("events");
        let sale_ids: Vec<Uuid> = docs.iter().map(|(_, r)| r.doc.sale_id).collect();
        let nos: Vec<i64> = docs.iter().map(|(_, r)| r.link.receipt_no as i64).collect();
        let hashes: Vec<String> = docs.iter().map(|(_, r)| r.link.hash.clone()).collect();
        let prevs: Vec<String> = docs.iter().map(|(_, r)| r.link.prev_hash.clone()).collect();
        sqlx::query(
            "INSERT INTO sales (id, terminal_id, location_id, shift_id, cashier_id, receipt_no, receipt_hash, prev_hash,
                completed_at, gross_minor, discount_minor, total_minor, change_minor, local_day, local_hour)
             SELECT u.id, $2, $3, $4, $4, u.no, u.h, u.p, now(), 30000, 0, 30000, 0, current_date, 12
             FROM UNNEST($1::uuid[], $5::bigint[], $6::text[], $7::text[]) AS u(id, no, h, p)",
        )
        .bind(&sale_ids).bind(d.terminal_id).bind(d.location_id).bind(Uuid::nil()).bind(&nos).bind(&hashes).bind(&prevs)
        .execute(&mut *tx).await.expect("sales");
        let mut l_sale = Vec::new();
        let mut l_no = Vec::new();
        let mut l_prod = Vec::new();
        for (_, r) in &docs {
            for l in &r.doc.lines {
                l_sale.push(r.doc.sale_id);
                l_no.push(l.line_no as i32);
                l_prod.push(l.product_id);
            }
        }
        sqlx::query(
            "INSERT INTO sale_lines (sale_id, line_no, product_id, sku, name, unit, qty_milli, unit_price_minor, vat,
                gross_minor, discount_minor, total_minor, vat_minor, local_day)
             SELECT u.s, u.n, u.p, 'SKU', 'Bench product', 'pcs', 1000, 10000, 'vat22', 10000, 0, 10000, 1667, current_date
             FROM UNNEST($1::uuid[], $2::int[], $3::uuid[]) AS u(s, n, p)",
        )
        .bind(&l_sale).bind(&l_no).bind(&l_prod)
        .execute(&mut *tx).await.expect("lines");
        sqlx::query(
            "INSERT INTO sale_payments (sale_id, pos, tender, amount_minor) SELECT u.s, 1, 'cash', 30000 FROM UNNEST($1::uuid[]) AS u(s)",
        )
        .bind(&sale_ids)
        .execute(&mut *tx).await.expect("payments");
        let mv_ids: Vec<Uuid> = (0..l_sale.len()).map(|_| Uuid::now_v7()).collect();
        sqlx::query(
            "INSERT INTO inventory_movements (id, location_id, product_id, qty_milli, kind) SELECT u.id, $2, u.p, -1000, 'sale'
             FROM UNNEST($1::uuid[], $3::uuid[]) AS u(id, p)",
        )
        .bind(&mv_ids).bind(d.location_id).bind(&l_prod)
        .execute(&mut *tx).await.expect("movements");
        sqlx::query(
            "INSERT INTO inventory_levels (location_id, product_id, qty_milli)
             SELECT $1, u.p, SUM(-1000) FROM UNNEST($2::uuid[]) AS u(p) GROUP BY u.p
             ON CONFLICT (location_id, product_id) DO UPDATE SET qty_milli = inventory_levels.qty_milli + EXCLUDED.qty_milli",
        )
        .bind(d.location_id).bind(&l_prod)
        .execute(&mut *tx).await.expect("levels");
        tx.commit().await.expect("commit");
    }
    start.elapsed()
}

async fn ingest(state: &AppState, n: usize) {
    let products: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
    for (i, p) in products.iter().enumerate() {
        sqlx::query("INSERT INTO products (id, sku, name, unit, vat, default_price_minor) VALUES ($1, $2, 'Bench product', 'pcs', 'vat22', 10000)")
            .bind(p)
            .bind(format!("SKU-{i}"))
            .execute(&state.db)
            .await
            .expect("product");
    }
    // Alternate runs so neither side always meets a warmer cache.
    let (d1, d2) = (terminal(state).await, terminal(state).await);
    let (e1, e2) = (
        sales(d1.terminal_id, &products, n),
        sales(d2.terminal_id, &products, n),
    );
    let base = baseline(state, &d2, &e2).await;
    let start = Instant::now();
    for batch in e1.chunks(BATCH) {
        let req = PushRequest {
            protocol: 1,
            terminal_id: d1.terminal_id,
            epoch: 1,
            events: batch.to_vec(),
            newest_seq: None,
        };
        sync_server::sync::push(state, &d1, req)
            .await
            .expect("push");
    }
    let ours = start.elapsed();
    let rate = |d: Duration| n as f64 / d.as_secs_f64();
    println!("| server ingest, sale events with 3 lines ({n} events, batches of {BATCH}) | {:.0} events/s | {:.0} events/s | {:.2} |", rate(ours), rate(base), rate(ours) / rate(base));
}

async fn first_sync(state: &AppState, n: i64) {
    let loc: Uuid = sqlx::query_scalar("SELECT id FROM locations LIMIT 1")
        .fetch_one(&state.db)
        .await
        .expect("loc");
    let t = Instant::now();
    sqlx::query(
        "INSERT INTO products (id, sku, name, unit, vat, default_price_minor)
         SELECT gen_random_uuid(), 'BULK-' || g, 'Товар ' || g, 'pcs', 'vat22', 100 + g % 10000 FROM generate_series(1, $1) g",
    )
    .bind(n)
    .execute(&state.db)
    .await
    .expect("products");
    sqlx::query("INSERT INTO barcodes (code, product_id) SELECT '2' || lpad((row_number() OVER ())::text, 12, '0'), id FROM products WHERE sku LIKE 'BULK-%'")
        .execute(&state.db)
        .await
        .expect("barcodes");
    eprintln!("catalog of {n} made in {:.1} s", t.elapsed().as_secs_f64());
    let (term, code) = (Uuid::now_v7(), "BENCHCODE1234");
    sqlx::query(
        "INSERT INTO terminals (id, location_id, name, enrollment_code_hash, enrollment_expires_at) VALUES ($1, $2, 'Fresh', $3, now() + interval '1 hour')",
    )
    .bind(term)
    .bind(loc)
    .bind(sync_server::auth::tokens::hash_token(code))
    .execute(&state.db)
    .await
    .expect("terminal");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(sync_server::serve(state.clone(), listener));
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().to_path_buf();
    let (elapsed, count) = tokio::task::spawn_blocking(move || {
        let start = Instant::now();
        let mut till = pos_desktop::Till::init(&path, &Default::default()).expect("init");
        till.enroll(&format!("http://{addr}"), code)
            .expect("enroll");
        till.sync_once().expect("sync");
        (start.elapsed(), till.product_count().expect("count"))
    })
    .await
    .expect("till");
    println!("| first sync of a fresh till, {count} products (enroll + snapshot + apply) | {:.2} s | target < 10 s | |", elapsed.as_secs_f64());
    price_change_latency(state, dir.path().to_path_buf(), loc).await;
}

/// A price change on the server until an online till (background loop, polling off)
/// has it: notification, pull, apply.
async fn price_change_latency(state: &AppState, dir: std::path::PathBuf, loc: Uuid) {
    use pos_desktop::sync_loop::{LoopOptions, SyncLoop};
    let product: Uuid = sqlx::query_scalar("SELECT id FROM products WHERE sku = 'BULK-1'")
        .fetch_one(&state.db)
        .await
        .expect("product");
    let lp = SyncLoop::start(
        dir.clone(),
        LoopOptions {
            poll: Duration::from_secs(3600),
            ..Default::default()
        },
        |_| {},
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let actor = sync_server::rbac::AuthUser {
        id: Uuid::nil(),
        login: "bench".into(),
        role: shared_model::Role::Admin,
        ip: None,
        session: None,
    };
    let mut times = Vec::new();
    for i in 0..20 {
        let price = 500 + i;
        let start = Instant::now();
        sync_server::catalog::set_price_svc(
            state,
            &actor,
            &sync_server::rbac::Scope::All,
            product,
            loc,
            Some(&format!("{price}.00")),
        )
        .await
        .expect("price");
        let d = dir.clone();
        tokio::task::spawn_blocking(move || {
            let till = pos_desktop::Till::open(&d).expect("open");
            while till
                .find_product("BULK-1")
                .map(|p| p.price.minor)
                .unwrap_or(0)
                != price as i64 * 100
            {
                std::thread::sleep(Duration::from_millis(2));
            }
        })
        .await
        .expect("poll");
        times.push(start.elapsed());
    }
    tokio::task::spawn_blocking(move || lp.stop())
        .await
        .expect("stop");
    times.sort();
    println!(
        "| price change on the server → online till has it (20 changes) | median {:.0} ms, max {:.0} ms | | |",
        times[10].as_secs_f64() * 1e3,
        times[19].as_secs_f64() * 1e3
    );
}

#[tokio::main]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let db = fresh_db().await;
    let state = AppState::connect(config(&db)).await.expect("connect");
    println!("| what | ours | baseline | ratio |");
    println!("|---|---|---|---|");
    ingest(&state, if quick { 2_000 } else { 20_000 }).await;
    first_sync(&state, if quick { 10_000 } else { 100_000 }).await;
}
