//! A believable chain's history, for report tests, benchmarks and demos: stores in
//! several time zones, a catalog with categories, VAT rates, goods by the ml and a cost
//! history, and tills selling (discounts, cash with change, cards, returns). Sales go
//! in through the real ingest (`sync::push`), so the rollups are kept exactly as in
//! production. Deterministic for a seed; events are made lazily, a terminal at a time.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use shared_model::chain::{link, ReceiptBody, GENESIS_HASH};
use shared_model::events::{
    ChainedReceipt, EventEnvelope, EventPayload, PaymentDoc, ReturnDoc, ReturnLineDoc, SaleDoc,
    SaleLineDoc,
};
use shared_model::sync::PushRequest;
use shared_model::{Currency, Money, Quantity, Tender, Unit, VatRate};
use uuid::Uuid;

use crate::device::Device;
use crate::error::ApiResult;
use crate::AppState;

/// How big a chain to make.
#[derive(Debug, Clone)]
pub struct Spec {
    pub stores: usize,
    pub terminals_per_store: usize,
    pub products: usize,
    pub days: u32,
    pub receipts_per_terminal_day: u32,
    pub first_day: NaiveDate,
    pub seed: u64,
}

/// Zones with fixed offsets (Russia has kept no summer time since 2014), so a test can
/// work out local days without a time-zone database.
pub const ZONES: [(&str, i64); 4] = [
    ("Europe/Moscow", 3),
    ("Asia/Vladivostok", 10),
    ("Europe/Kaliningrad", 2),
    ("Asia/Yekaterinburg", 5),
];

/// A store with its tills and cashiers.
#[derive(Debug, Clone)]
pub struct Store {
    pub id: Uuid,
    pub zone: usize,
    pub terminals: Vec<Uuid>,
    pub cashiers: Vec<Uuid>,
}

/// A product with its cost history (oldest first; the first applies from the start).
#[derive(Debug, Clone)]
pub struct Product {
    pub id: Uuid,
    pub sku: String,
    pub category: Uuid,
    pub vat: VatRate,
    pub unit: Unit,
    pub price: i64,
    pub costs: Vec<(DateTime<Utc>, i64)>,
}

impl Product {
    /// Unit cost in force at `at`.
    pub fn cost_at(&self, at: DateTime<Utc>) -> i64 {
        self.costs
            .iter()
            .rev()
            .find(|(from, _)| *from <= at)
            .or(self.costs.first())
            .map_or(0, |c| c.1)
    }
}

/// The chain's master data.
#[derive(Debug, Clone)]
pub struct Chain {
    pub spec: Spec,
    /// `(id, parent)`: two top categories, each with a subcategory.
    pub categories: Vec<(Uuid, Option<Uuid>)>,
    pub products: Vec<Product>,
    pub stores: Vec<Store>,
}

/// SplitMix64: small, fast, and the same everywhere.
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// A version-4-shaped id from the stream (reproducible, unlike `new_v4`).
    pub fn uuid(&mut self) -> Uuid {
        uuid::Builder::from_random_bytes(
            ((u128::from(self.next_u64()) << 64) | u128::from(self.next_u64())).to_be_bytes(),
        )
        .into_uuid()
    }
}

/// Plans the master data for `spec` (nothing is written).
pub fn plan(spec: &Spec) -> Chain {
    let mut rng = Rng::new(spec.seed);
    let tops: Vec<Uuid> = (0..2).map(|_| rng.uuid()).collect();
    let mut categories: Vec<(Uuid, Option<Uuid>)> = tops.iter().map(|t| (*t, None)).collect();
    for t in &tops {
        categories.push((rng.uuid(), Some(*t)));
    }
    let start = spec
        .first_day
        .and_hms_opt(0, 0, 0)
        .map_or_else(Utc::now, |d| d.and_utc());
    let products = (0..spec.products)
        .map(|i| {
            let unit = if i % 5 == 4 { Unit::Ml } else { Unit::Piece };
            let price = match unit {
                Unit::Ml => 5_000 + rng.below(400) as i64 * 100,
                _ => 50_000 + rng.below(150) as i64 * 10_000,
            };
            let cost = price * (40 + rng.below(30) as i64) / 100;
            // A third of the catalog changes cost half way through.
            let mut costs = vec![(DateTime::<Utc>::MIN_UTC, cost)];
            if i % 3 == 0 {
                let mid = start + Duration::days(i64::from(spec.days / 2));
                costs.push((mid, cost * 11 / 10));
            }
            Product {
                id: rng.uuid(),
                sku: format!("GEN-{i:05}"),
                category: categories[i % categories.len()].0,
                vat: [
                    VatRate::Vat22,
                    VatRate::Vat22,
                    VatRate::Vat10,
                    VatRate::NoVat,
                ][i % 4],
                unit,
                price,
                costs,
            }
        })
        .collect();
    let stores = (0..spec.stores)
        .map(|s| Store {
            id: rng.uuid(),
            zone: s % ZONES.len(),
            terminals: (0..spec.terminals_per_store).map(|_| rng.uuid()).collect(),
            cashiers: (0..spec.terminals_per_store + 1)
                .map(|_| rng.uuid())
                .collect(),
        })
        .collect();
    Chain {
        spec: spec.clone(),
        categories,
        products,
        stores,
    }
}

/// Writes the master data: categories, products with their cost history, stores,
/// active terminals (epoch 1) and cashiers.
pub async fn write_master(state: &AppState, chain: &Chain) -> ApiResult<()> {
    let mut tx = state.db.begin().await?;
    for (i, (id, parent)) in chain.categories.iter().enumerate() {
        sqlx::query("INSERT INTO categories (id, name, parent_id) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(format!("Категория {i}"))
            .bind(parent)
            .execute(&mut *tx)
            .await?;
    }
    for p in &chain.products {
        sqlx::query(
            "INSERT INTO products (id, sku, name, category_id, unit, vat, cost_minor, default_price_minor)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(p.id)
        .bind(&p.sku)
        .bind(format!("Товар {}", p.sku))
        .bind(p.category)
        .bind(p.unit.code())
        .bind(p.vat.code())
        .bind(p.costs.last().map_or(0, |c| c.1))
        .bind(p.price)
        .execute(&mut *tx)
        .await?;
        // The history as it would have been recorded (the insert trigger wrote today's).
        sqlx::query("DELETE FROM product_costs WHERE product_id = $1")
            .bind(p.id)
            .execute(&mut *tx)
            .await?;
        for (i, (from, cost)) in p.costs.iter().enumerate() {
            sqlx::query(
                "INSERT INTO product_costs (product_id, valid_from, cost_minor)
                 VALUES ($1, CASE WHEN $4 THEN '-infinity'::timestamptz ELSE $2 END, $3)",
            )
            .bind(p.id)
            .bind((i > 0).then_some(*from))
            .bind(cost)
            .bind(i == 0)
            .execute(&mut *tx)
            .await?;
        }
    }
    for (i, s) in chain.stores.iter().enumerate() {
        sqlx::query("INSERT INTO locations (id, code, name, kind, timezone) VALUES ($1, $2, $3, 'store', $4)")
            .bind(s.id)
            .bind(format!("GEN{i:03}"))
            .bind(format!("Магазин {i}"))
            .bind(ZONES[s.zone].0)
            .execute(&mut *tx)
            .await?;
        for (t, term) in s.terminals.iter().enumerate() {
            sqlx::query("INSERT INTO terminals (id, location_id, name, status, epoch) VALUES ($1, $2, $3, 'active', 1)")
                .bind(term)
                .bind(s.id)
                .bind(format!("Касса {}", t + 1))
                .execute(&mut *tx)
                .await?;
        }
        for (c, cashier) in s.cashiers.iter().enumerate() {
            sqlx::query("INSERT INTO users (id, login, full_name, role, password_hash) VALUES ($1, $2, $3, 'cashier', '!')")
                .bind(cashier)
                .bind(format!("gen-{i}-{c}"))
                .bind(format!("Кассир {i}-{c}"))
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Everything terminal `term` of store `store` recorded, oldest first: each day's
/// sales between 08:00 and 22:00 on the store's clock, and a return now and then.
pub fn terminal_events(chain: &Chain, store: usize, term: usize) -> Vec<EventEnvelope> {
    let spec = &chain.spec;
    let s = &chain.stores[store];
    let terminal = s.terminals[term];
    let offset = ZONES[s.zone].1;
    let mut rng = Rng::new(spec.seed ^ (store as u64) << 20 ^ (term as u64) << 8 ^ 0xA5);
    let mut out = Vec::new();
    let mut prev = GENESIS_HASH.to_owned();
    let (mut seq, mut receipt_no) = (0u64, 0u64);
    let mut push = |payload: EventPayload, at: DateTime<Utc>, rng: &mut Rng| {
        seq += 1;
        out.push(EventEnvelope {
            schema_version: 1,
            event_id: rng.uuid(),
            terminal_id: terminal,
            seq,
            occurred_at: at,
            payload,
        });
    };
    for d in 0..spec.days {
        let day = spec.first_day + Duration::days(i64::from(d));
        let Some(local_open) = day.and_hms_opt(8, 0, 0) else {
            continue;
        };
        let open = local_open.and_utc() - Duration::hours(offset);
        let shift = rng.uuid();
        let cashier = s.cashiers[(term + d as usize) % s.cashiers.len()];
        let n = spec.receipts_per_terminal_day;
        let mut times: Vec<i64> = (0..n).map(|_| rng.below(14 * 3600) as i64).collect();
        times.sort_unstable();
        for secs in times {
            let at = open + Duration::seconds(secs);
            let doc = sale(chain, &mut rng, shift, cashier, at);
            receipt_no += 1;
            let l = link(receipt_no, &prev, ReceiptBody::Sale(&doc));
            prev = l.hash.clone();
            let ret = (rng.below(25) == 0).then(|| refund(&doc, receipt_no, &mut rng));
            push(
                EventPayload::SaleCompleted(ChainedReceipt { doc, link: l }),
                at,
                &mut rng,
            );
            if let Some(r) = ret {
                receipt_no += 1;
                let l = link(receipt_no, &prev, ReceiptBody::Return(&r));
                prev = l.hash.clone();
                let at = r.completed_at;
                push(
                    EventPayload::ReturnCompleted(ChainedReceipt { doc: r, link: l }),
                    at,
                    &mut rng,
                );
            }
        }
    }
    out
}

/// A sale of 1–4 lines: pieces or millilitres, a manual discount on some lines, paid
/// in cash (rounded up, with change), by card, or split.
fn sale(chain: &Chain, rng: &mut Rng, shift: Uuid, cashier: Uuid, at: DateTime<Utc>) -> SaleDoc {
    let n = 1 + rng.below(4) as u32;
    let lines: Vec<SaleLineDoc> = (1..=n)
        .map(|line_no| {
            let p = &chain.products[rng.below(chain.products.len() as u64) as usize];
            let qty = match p.unit {
                Unit::Piece => 1000 * (1 + rng.below(2) as i64),
                _ => 500 * (1 + rng.below(60) as i64),
            };
            let gross = p.price * qty / 1000;
            let discount = match rng.below(5) {
                0 => gross / 10,
                1 => gross / 20,
                _ => 0,
            };
            let total = gross - discount;
            SaleLineDoc {
                line_no,
                product_id: p.id,
                sku: p.sku.clone(),
                name: format!("Товар {}", p.sku),
                unit: p.unit,
                qty: Quantity::from_milli(qty),
                unit_price: Money::rub(p.price),
                vat_rate: p.vat,
                gross: Money::rub(gross),
                discount: Money::rub(discount),
                total: Money::rub(total),
                vat: Money::rub(p.vat.extract(total)),
                certificate: None,
                mark: None,
            }
        })
        .collect();
    let sum = |f: fn(&SaleLineDoc) -> i64| lines.iter().map(f).sum::<i64>();
    let (gross, discount, total) = (
        sum(|l| l.gross.minor),
        sum(|l| l.discount.minor),
        sum(|l| l.total.minor),
    );
    let pay = |tender, amount| PaymentDoc {
        tender,
        amount: Money::rub(amount),
        approval_code: (tender == Tender::Card).then(|| "A1B2C3".to_owned()),
        certificate: None,
    };
    let (payments, change) = match rng.below(10) {
        0..=5 => {
            let cash = (total + 9_999) / 10_000 * 10_000;
            (vec![pay(Tender::Cash, cash)], cash - total)
        }
        6..=8 => (vec![pay(Tender::Card, total)], 0),
        _ => {
            let card = total / 2;
            (
                vec![pay(Tender::Card, card), pay(Tender::Cash, total - card)],
                0,
            )
        }
    };
    SaleDoc {
        sale_id: rng.uuid(),
        shift_id: shift,
        cashier_id: cashier,
        completed_at: at,
        currency: Currency::RUB,
        lines,
        payments,
        gross: Money::rub(gross),
        discount: Money::rub(discount),
        total: Money::rub(total),
        change: Money::rub(change),
        vat: vec![],
        catalog_version: None,
        promotions: vec![],
        customer_id: None,
    }
}

/// The first line of `s` brought back a few minutes later, refunded the way it was paid.
fn refund(s: &SaleDoc, receipt_no: u64, rng: &mut Rng) -> ReturnDoc {
    let l = &s.lines[0];
    let tender = s.payments[0].tender;
    ReturnDoc {
        return_id: rng.uuid(),
        sale_id: s.sale_id,
        sale_receipt_no: receipt_no,
        shift_id: s.shift_id,
        cashier_id: s.cashier_id,
        completed_at: s.completed_at + Duration::minutes(5),
        currency: Currency::RUB,
        lines: vec![ReturnLineDoc {
            sale_line_no: l.line_no,
            product_id: l.product_id,
            sku: l.sku.clone(),
            name: l.name.clone(),
            qty: l.qty,
            amount: l.total,
            vat_rate: l.vat_rate,
            vat: l.vat,
            mark: None,
        }],
        refunds: vec![PaymentDoc {
            tender,
            amount: l.total,
            approval_code: None,
            certificate: None,
        }],
        total: l.total,
        reason: Some("не подошёл аромат".into()),
    }
}

/// Pushes `events` of a terminal through the real ingest in batches of `batch`.
pub async fn push(
    state: &AppState,
    chain: &Chain,
    store: usize,
    term: usize,
    events: &[EventEnvelope],
    batch: usize,
) -> ApiResult<()> {
    let s = &chain.stores[store];
    let device = Device {
        terminal_id: s.terminals[term],
        location_id: s.id,
        epoch: 1,
    };
    for b in events.chunks(batch.max(1)) {
        let req = PushRequest {
            protocol: 1,
            terminal_id: device.terminal_id,
            epoch: 1,
            events: b.to_vec(),
            newest_seq: events.last().map(|e| e.seq),
        };
        crate::sync::push(state, &device, req).await?;
    }
    Ok(())
}

/// What [`run`] wrote.
#[derive(Debug, Default, Clone, Copy)]
pub struct Written {
    pub sales: u64,
    pub lines: u64,
    pub returns: u64,
}

/// Writes the whole chain: master data, then every terminal's events through the real
/// ingest, `jobs` terminals at a time; `progress` hears after each terminal.
pub async fn run(
    state: &AppState,
    chain: Chain,
    jobs: usize,
    progress: impl Fn(Written, usize, usize) + Send + Sync + 'static,
) -> ApiResult<Written> {
    write_master(state, &chain).await?;
    let last = chain.spec.first_day + chrono::Days::new(u64::from(chain.spec.days));
    crate::reports::rollup::ensure_partitions(&state.db, chain.spec.first_day, last).await?;
    let chain = std::sync::Arc::new(chain);
    let progress = std::sync::Arc::new(progress);
    // Interleave stores so concurrent jobs rarely write the same store's rows (a deadlock
    // costs PostgreSQL a second to notice).
    let stores = chain.stores.len();
    let work: Vec<(usize, usize)> = (0..chain.spec.terminals_per_store)
        .flat_map(|t| (0..stores).map(move |s| (s, t)))
        .rev()
        .collect();
    let total = work.len();
    let queue = std::sync::Arc::new(std::sync::Mutex::new(work));
    let done = std::sync::Arc::new(std::sync::Mutex::new((Written::default(), 0usize)));
    let mut tasks: tokio::task::JoinSet<ApiResult<()>> = tokio::task::JoinSet::new();
    for _ in 0..jobs.max(1) {
        let (state, chain, queue, done, progress) = (
            state.clone(),
            chain.clone(),
            queue.clone(),
            done.clone(),
            progress.clone(),
        );
        tasks.spawn(async move {
            loop {
                let next = queue
                    .lock()
                    .map_err(crate::error::ApiError::internal)?
                    .pop();
                let Some((s, t)) = next else { return Ok(()) };
                let events = terminal_events(&chain, s, t);
                let mut w = Written::default();
                for e in &events {
                    match &e.payload {
                        EventPayload::SaleCompleted(r) => {
                            w.sales += 1;
                            w.lines += r.doc.lines.len() as u64;
                        }
                        EventPayload::ReturnCompleted(_) => w.returns += 1,
                        _ => {}
                    }
                }
                push(&state, &chain, s, t, &events, 500).await?;
                let mut d = done.lock().map_err(crate::error::ApiError::internal)?;
                d.0.sales += w.sales;
                d.0.lines += w.lines;
                d.0.returns += w.returns;
                d.1 += 1;
                progress(d.0, d.1, total);
            }
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.map_err(crate::error::ApiError::internal)??;
    }
    let d = done.lock().map_err(crate::error::ApiError::internal)?;
    Ok(d.0)
}
