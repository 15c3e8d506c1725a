//! A fresh till's first sync, end to end (enroll, the paged snapshot, apply), over growing
//! catalogs with barcodes and store prices: the time per 1 000 products must stay flat. The
//! server's part alone (every snapshot page read in-process: no HTTP, no till) is timed
//! beside it, which is where the square growth was (see `sync_server::sync::feed`).

use std::time::{Duration, Instant};

use shared_model::sync::{Change, PROTOCOL_VERSION};
use sqlx::{Connection, PgConnection};
use sync_server::device::Device;
use sync_server::AppState;
use uuid::Uuid;

use crate::common::fresh_db;
use crate::ingest::terminal;

/// Changes per pull page, as the till asks.
const PAGE: i64 = 5000;

/// A chain-like catalog of `n` products at `loc`'s chain: 40 categories, a barcode for
/// every product and a second for every tenth, the store's own price for every third.
async fn catalog(state: &AppState, loc: Uuid, n: i64) -> Duration {
    let t = Instant::now();
    let run = |sql: &'static str| sqlx::query(sql);
    run("INSERT INTO categories (id, name) SELECT gen_random_uuid(), 'Категория ' || g FROM generate_series(1, 40) g")
        .execute(&state.db)
        .await
        .expect("categories");
    run("INSERT INTO products (id, sku, name, unit, vat, default_price_minor, cost_minor, category_id)
         SELECT gen_random_uuid(), 'BULK-' || g, 'Товар ' || g, 'pcs', 'vat22', 10000 + g % 10000, 5000 + g % 5000,
                cats.a[1 + g % 40]
         FROM generate_series(1, $1) g, (SELECT array_agg(id ORDER BY name) AS a FROM categories) cats")
        .bind(n)
        .execute(&state.db)
        .await
        .expect("products");
    run("INSERT INTO barcodes (code, product_id)
         SELECT '2' || lpad(rn::text, 12, '0'), id FROM (SELECT id, row_number() OVER () AS rn FROM products) x
         UNION ALL
         SELECT '3' || lpad(rn::text, 12, '0'), id FROM (SELECT id, row_number() OVER () AS rn FROM products) x
         WHERE rn % 10 = 0")
        .execute(&state.db)
        .await
        .expect("barcodes");
    run("INSERT INTO prices (product_id, location_id, price_minor)
         SELECT id, $1, default_price_minor - 100
         FROM (SELECT id, default_price_minor, row_number() OVER () AS rn FROM products) x WHERE rn % 3 = 0")
        .bind(loc)
        .execute(&state.db)
        .await
        .expect("prices");
    sqlx::query("ANALYZE")
        .execute(&state.db)
        .await
        .expect("analyze");
    t.elapsed()
}

/// Every snapshot page head office gives a till of `device`'s store, read in-process:
/// the time and the products in them.
async fn server_pages(state: &AppState, device: &Device) -> (Duration, usize) {
    let t = Instant::now();
    let (mut cursor, mut products) = (None::<String>, 0);
    loop {
        let page =
            sync_server::sync::page(state, device, PROTOCOL_VERSION, cursor.as_deref(), PAGE)
                .await
                .expect("page");
        products += page
            .changes
            .iter()
            .filter(|c| matches!(c, Change::Product(_)))
            .count();
        cursor = Some(page.cursor);
        if !page.more {
            return (t.elapsed(), products);
        }
    }
}

/// A fresh till enrolled at `loc` through a server on port 0 and synced once: the time from
/// `Till::init` to the last page applied, the products it then holds, and its directory.
async fn till_first_sync(state: &AppState, loc: Uuid) -> (Duration, u64, tempfile::TempDir) {
    let (term, code) = (Uuid::now_v7(), "BENCHCODE1234");
    sqlx::query(
        "INSERT INTO terminals (id, location_id, name, enrollment_code_hash, enrollment_expires_at)
         VALUES ($1, $2, 'Fresh', $3, now() + interval '1 hour')",
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
    (elapsed, count, dir)
}

/// Drops a bench database once its pool is closed (a million products take a few GB).
async fn drop_db(state: AppState, url: &str) {
    state.db.close().await;
    let (admin, name) = url.rsplit_once('/').expect("database URL");
    let mut c = PgConnection::connect(&format!("{admin}/postgres"))
        .await
        .expect("PostgreSQL");
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut c)
        .await
        .expect("drop");
}

/// The first sync at each catalog size, each in a database of its own, and the price-change
/// latency on the second catalog; prints a row per size.
pub async fn run(sizes: &[i64]) {
    let mut smallest_per_1000 = None;
    for (i, &n) in sizes.iter().enumerate() {
        let url = fresh_db().await;
        let state = AppState::connect(crate::config(&url))
            .await
            .expect("connect");
        let device = terminal(&state).await;
        let made = catalog(&state, device.location_id, n).await;
        eprintln!("catalog of {n} made in {:.1} s", made.as_secs_f64());
        let (server, served) = server_pages(&state, &device).await;
        let (e2e, count, dir) = till_first_sync(&state, device.location_id).await;
        assert_eq!(
            (served as u64, count),
            (n as u64, n as u64),
            "every product reached the till"
        );
        let per_1000 = e2e.as_secs_f64() * 1e3 / (n as f64 / 1000.0);
        let base = *smallest_per_1000.get_or_insert(per_1000);
        println!(
            "| first sync of a fresh till, {n} products with barcodes and store prices (enroll + snapshot + apply) | {:.2} s = {per_1000:.1} ms per 1 000 | server's pages alone {:.2} s | per 1 000 ÷ {}'s: {:.2} |",
            e2e.as_secs_f64(),
            server.as_secs_f64(),
            sizes[0],
            per_1000 / base
        );
        if i == 1 || sizes.len() == 1 {
            crate::latency::price_change_latency(
                &state,
                dir.path().to_path_buf(),
                device.location_id,
            )
            .await;
        }
        drop(dir);
        drop_db(state, &url).await;
    }
}
