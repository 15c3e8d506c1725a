//! Server ingest of sale events (3 lines each) beside a plain multi-row INSERT of the same
//! rows into the same tables, in the same run.

use std::time::{Duration, Instant};

use chrono::Utc;
use shared_model::chain::{link, ReceiptBody, GENESIS_HASH};
use shared_model::events::{
    ChainedReceipt, EventEnvelope, EventPayload, PaymentDoc, SaleDoc, SaleLineDoc,
};
use shared_model::sync::PushRequest;
use shared_model::{Currency, Money, Quantity, Tender, Unit, VatRate};
use sync_server::device::Device;
use sync_server::AppState;
use uuid::Uuid;

const BATCH: usize = 500;

/// A terminal at a new store, straight in the database.
pub async fn terminal(state: &AppState) -> Device {
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

/// A text field for `COPY … (FORMAT csv)`: quoted, quotes doubled.
fn csv(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// `COPY` of `rows` (CSV lines) into `table (columns)` inside `tx`.
async fn copy(tx: &mut sqlx::PgConnection, table: &str, rows: &str) {
    let mut c = tx
        .copy_in_raw(&format!("COPY {table} FROM STDIN (FORMAT csv)"))
        .await
        .expect("copy in");
    c.send(rows.as_bytes()).await.expect("copy rows");
    c.finish().await.expect("copy finish");
}

/// The `COPY` baseline: the same rows as [`baseline`] into the same tables, sent by `COPY`
/// (what PostgreSQL takes fastest), the levels by the same set-based upsert; nothing else.
async fn copy_baseline(state: &AppState, d: &Device, events: &[EventEnvelope]) -> Duration {
    use std::fmt::Write;
    let start = Instant::now();
    let today = Utc::now().date_naive();
    for batch in events.chunks(BATCH) {
        let mut tx = state.db.begin().await.expect("tx");
        let (mut ev, mut sales, mut lines, mut pays, mut moves) = (
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        );
        let mut products = Vec::new();
        for e in batch {
            let EventPayload::SaleCompleted(r) = &e.payload else {
                continue;
            };
            let payload = serde_json::to_string(&e.payload).unwrap_or_default();
            let (t, at) = (d.terminal_id, e.occurred_at.to_rfc3339());
            let _ = writeln!(
                ev,
                "{},{t},1,{},sale_completed,x,{},{at}",
                e.event_id,
                e.seq,
                csv(&payload)
            );
            let (id, l) = (r.doc.sale_id, &r.link);
            let _ = writeln!(
                sales,
                "{id},{t},{},{},{},{},{},{},{at},30000,0,30000,0,{today},12",
                d.location_id,
                Uuid::nil(),
                Uuid::nil(),
                l.receipt_no,
                l.hash,
                l.prev_hash
            );
            for line in &r.doc.lines {
                let p = line.product_id;
                let _ = writeln!(
                    lines,
                    "{id},{},{p},SKU,Bench product,pcs,1000,10000,vat22,10000,0,10000,1667,{today}",
                    line.line_no
                );
                let _ = writeln!(moves, "{},{},{p},-1000,sale", Uuid::now_v7(), d.location_id);
                products.push(p);
            }
            let _ = writeln!(pays, "{id},1,cash,30000");
        }
        copy(&mut tx, "till_events (event_id, terminal_id, epoch, seq, kind, content_hash, payload, occurred_at)", &ev).await;
        copy(&mut tx, "sales (id, terminal_id, location_id, shift_id, cashier_id, receipt_no, receipt_hash, prev_hash,
                completed_at, gross_minor, discount_minor, total_minor, change_minor, local_day, local_hour)", &sales).await;
        copy(&mut tx, "sale_lines (sale_id, line_no, product_id, sku, name, unit, qty_milli, unit_price_minor, vat,
                gross_minor, discount_minor, total_minor, vat_minor, local_day)", &lines).await;
        copy(
            &mut tx,
            "sale_payments (sale_id, pos, tender, amount_minor)",
            &pays,
        )
        .await;
        copy(
            &mut tx,
            "inventory_movements (id, location_id, product_id, qty_milli, kind)",
            &moves,
        )
        .await;
        sqlx::query(
            "INSERT INTO inventory_levels (location_id, product_id, qty_milli)
             SELECT $1, u.p, SUM(-1000) FROM UNNEST($2::uuid[]) AS u(p) GROUP BY u.p
             ON CONFLICT (location_id, product_id) DO UPDATE SET qty_milli = inventory_levels.qty_milli + EXCLUDED.qty_milli",
        )
        .bind(d.location_id)
        .bind(&products)
        .execute(&mut *tx)
        .await
        .expect("levels");
        tx.commit().await.expect("commit");
    }
    start.elapsed()
}

/// Runs both sides on `n` events each and prints the row.
pub async fn ingest(state: &AppState, n: usize) {
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
    let d3 = terminal(state).await;
    let e3 = sales(d3.terminal_id, &products, n);
    let copied = copy_baseline(state, &d3, &e3).await;
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
    println!("| server ingest, sale events with 3 lines ({n} events, batches of {BATCH}) | {:.0} events/s | {:.0} events/s (INSERT … UNNEST) | {:.2} |", rate(ours), rate(base), rate(ours) / rate(base));
    println!("| the same ingest beside COPY of the same rows | {:.0} events/s | {:.0} events/s (COPY) | {:.2} |", rate(ours), rate(copied), rate(ours) / rate(copied));
}
