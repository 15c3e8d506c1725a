//! Till benchmarks: scanning into the cart with 100k products in the catalog, and
//! completing a 3-line sale with fsync. Each is measured beside a baseline in the
//! same run: a bare SQLite transaction (same pragmas) inserting the same rows.
//!
//! Run: `cargo bench -p pos-desktop --bench till` (add `-- --quick` for a short run).

use std::path::Path;
use std::time::{Duration, Instant};

use pos_desktop::{InitOptions, Till};
use rusqlite::Connection;
use shared_model::{Barcode, Tender};

const PRODUCTS: usize = 100_000;

struct Stats {
    median: Duration,
    p99: Duration,
}

fn stats(mut v: Vec<Duration>) -> Stats {
    v.sort();
    let at = |q: f64| v[((v.len() as f64 * q) as usize).min(v.len() - 1)];
    Stats {
        median: at(0.5),
        p99: at(0.99),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn row(name: &str, s: &Stats, base: &Stats) {
    println!(
        "| {name} | {} | {} | {} | {} | {:.1}× | {:.1}× |",
        ms(s.median),
        ms(s.p99),
        ms(base.median),
        ms(base.p99),
        s.median.as_secs_f64() / base.median.as_secs_f64(),
        s.p99.as_secs_f64() / base.p99.as_secs_f64()
    );
}

fn barcode(i: usize) -> String {
    Barcode::with_check_digit(&format!("2{:011}", i))
        .map(|b| b.to_string())
        .unwrap_or_default()
}

fn big_catalog(dir: &Path) -> Till {
    let mut till = Till::init(
        dir,
        &InitOptions {
            demo: true,
            ..Default::default()
        },
    )
    .expect("init");
    let mut csv = String::from("sku,name,barcodes,default_price,vat,unit,category\n");
    for i in 0..PRODUCTS {
        let unit = if i % 10 == 0 { "ml" } else { "pcs" };
        csv.push_str(&format!(
            "S{i:06},Товар номер {i} парфюм {},{},{}.{:02},20,{unit},Категория {}\n",
            i % 97,
            barcode(i),
            100 + i % 20_000,
            i % 100,
            i % 50
        ));
    }
    till.login("999999").expect("manager");
    let t = Instant::now();
    till.import_csv(csv.as_bytes()).expect("import");
    eprintln!(
        "imported {PRODUCTS} products in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    till.open_shift("0").expect("shift");
    till
}

/// Voids the sale in progress, if any, so the next section starts with an empty cart.
fn void_open_sale(till: &mut Till) {
    if till
        .cart()
        .expect("cart")
        .is_some_and(|c| !c.lines.is_empty())
    {
        till.void_sale("bench").expect("void");
    }
}

/// Puts `n` promotions in the till as the feed would: product and category deals on
/// the first 1 000 products, some cart-wide, some for other stores or behind coupons.
fn install_promotions(db: &Path, n: u64) -> Connection {
    use shared_model::promotions::{Conditions, PromoKind, Promotion, Target};
    use shared_model::{Money, Percent};
    let c = Connection::open(db).expect("till db");
    let ids = |sql: &str| -> Vec<uuid::Uuid> {
        let mut st = c.prepare(sql).expect("prepare");
        st.query_map([], |r| r.get::<_, String>(0))
            .expect("query")
            .filter_map(|s| s.ok().and_then(|s| uuid::Uuid::parse_str(&s).ok()))
            .collect()
    };
    let products = ids("SELECT id FROM products WHERE sku LIKE 'S%' ORDER BY sku LIMIT 1000");
    let categories = ids("SELECT id FROM categories ORDER BY id");
    for i in 0..n {
        let pct = Percent::from_bp(500 + (i % 20) as u32 * 100).expect("percent");
        let kind = match i % 4 {
            0 => PromoKind::PercentOff { percent: pct },
            1 => PromoKind::AmountOff {
                amount: Money::rub(10_000),
            },
            2 => PromoKind::BuyXGetY {
                buy: 2,
                get: 1,
                percent: Percent::FULL,
            },
            _ => PromoKind::Bundle {
                qty: 3,
                price: Money::rub(50_000),
            },
        };
        let pick = |k: u64| products[((i * 7 + k * 131) as usize) % products.len()];
        let target = match i % 10 {
            0 => Target::All,
            1..=3 => Target::Categories(vec![categories[i as usize % categories.len()]]),
            _ => Target::Products((0..3).map(pick).collect()),
        };
        let mut conditions = Conditions::default();
        match i % 7 {
            0 => conditions.coupon = Some(format!("C{i}")),
            1 => conditions.stores = vec![uuid::Uuid::from_u128(99)],
            _ => {}
        }
        let p = Promotion {
            id: uuid::Uuid::now_v7(),
            version: 1,
            name: format!("Акция {i}"),
            priority: (i % 4) as i32,
            exclusive: i % 11 == 0,
            target,
            kind,
            conditions,
        };
        c.execute(
            "INSERT INTO promotions (id, version, definition, active) VALUES (?1, 1, ?2, 1)",
            (p.id.to_string(), serde_json::to_string(&p).expect("json")),
        )
        .expect("promotion");
    }
    c
}

/// The bare baseline database: the same pragmas, tables shaped like the till's.
fn baseline_db(path: &Path) -> Connection {
    let c = Connection::open(path).expect("baseline db");
    c.pragma_update(None, "journal_mode", "WAL").expect("wal");
    c.pragma_update(None, "synchronous", "FULL").expect("sync");
    c.execute_batch(
        "CREATE TABLE line (cart TEXT, pos INTEGER, product TEXT, sku TEXT, name TEXT, unit TEXT, price INTEGER, vat TEXT, qty INTEGER);
         CREATE TABLE sale (id TEXT PRIMARY KEY, no INTEGER, shift TEXT, cashier TEXT, at TEXT, cur TEXT, g INTEGER, d INTEGER, t INTEGER, c INTEGER, n INTEGER);
         CREATE TABLE sale_line (sale TEXT, no INTEGER, product TEXT, sku TEXT, name TEXT, unit TEXT, qty INTEGER, price INTEGER, vat TEXT, g INTEGER, d INTEGER, t INTEGER, v INTEGER);
         CREATE TABLE pay (sale TEXT, pos INTEGER, tender TEXT, amount INTEGER, code TEXT);
         CREATE TABLE mv (id TEXT, product TEXT, qty INTEGER, reason TEXT, sale TEXT, at TEXT);
         CREATE TABLE rc (no INTEGER, kind TEXT, doc TEXT, prev TEXT, hash TEXT);
         CREATE TABLE ob (seq INTEGER, id TEXT, kind TEXT, doc TEXT, payload TEXT, at TEXT);",
    )
    .expect("schema");
    c
}

/// The baseline's sale: the same rows written by plain inserts in one transaction.
fn baseline_sale(base: &Connection, n: usize) {
    let tx = base.unchecked_transaction().expect("tx");
    let id = format!("sale-{n:032}");
    let at = "2026-11-25T10:00:00.000Z";
    tx.execute(
        "INSERT INTO rc VALUES (?1, 'sale', ?2, ?3, ?4)",
        (n as i64, &id, "0".repeat(64), "f".repeat(64)),
    )
    .expect("rc");
    tx.execute(
        "INSERT INTO sale VALUES (?1, ?2, 'shift', 'cashier', ?3, 'RUB', 30000, 0, 30000, 70000, 3)",
        (&id, n as i64, at),
    )
    .expect("sale");
    for l in 0..3 {
        tx.execute(
            "INSERT INTO sale_line VALUES (?1, ?2, 'product', 'S000001', 'Товар', 'pcs', 1000, 10000, 'vat22', 10000, 0, 10000, 1667)",
            (&id, l),
        )
        .expect("line");
        tx.execute(
            "INSERT INTO mv VALUES (?1, 'product', -1000, 'sale', ?2, ?3)",
            (format!("{id}{l}"), &id, at),
        )
        .expect("mv");
    }
    tx.execute(
        "INSERT INTO pay VALUES (?1, 1, 'cash', 100000, NULL)",
        [&id],
    )
    .expect("pay");
    tx.execute(
        "INSERT INTO ob VALUES (?1, ?2, 'sale_completed', ?2, ?3, ?4)",
        (n as i64, &id, "x".repeat(2_000), at),
    )
    .expect("ob");
    tx.commit().expect("commit");
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (scans, sales) = if quick { (500, 100) } else { (5_000, 1_000) };
    let tmp = tempfile::tempdir().expect("tmp");
    let mut till = big_catalog(&tmp.path().join("till"));
    let base = baseline_db(&tmp.path().join("baseline.db"));

    // Scan: look up a random barcode among 100k and put it in the persisted cart.
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng as usize % PRODUCTS
    };
    let mut scan_t = Vec::with_capacity(scans);
    let mut scan_b = Vec::with_capacity(scans);
    for i in 0..scans {
        let i_code = next();
        let code = barcode(i_code);
        let t = Instant::now();
        till.add_item(&code, None).expect("scan");
        scan_t.push(t.elapsed());
        let t = Instant::now();
        base.execute(
            "INSERT INTO line VALUES ('cart', ?1, 'product-id-0000000000000000000000', ?2, 'Товар номер парфюм', 'pcs', 12345, 'vat22', 1000)",
            (i as i64, format!("S{i_code:06}")),
        )
        .expect("baseline scan");
        scan_b.push(t.elapsed());
        if i % 20 == 19 {
            till.void_sale("bench").expect("void");
        }
    }
    void_open_sale(&mut till);

    // Scan again with 500 active promotions on the till, carts of up to 50 lines.
    let promo_db = install_promotions(&tmp.path().join("till").join(pos_desktop::DB_FILE), 500);
    let mut promo_t = Vec::with_capacity(scans);
    for i in 0..scans {
        let code = barcode(next() % 1_000);
        let t = Instant::now();
        till.add_item(&code, None).expect("scan with promotions");
        promo_t.push(t.elapsed());
        if i % 50 == 49 {
            till.void_sale("bench").expect("void");
        }
    }
    void_open_sale(&mut till);
    let promo_b = scan_b.clone();
    // The sale benchmark below measures completion alone, as before.
    promo_db
        .execute("UPDATE promotions SET active = 0", [])
        .expect("promotions off");

    // Complete a 3-line sale (untimed: ringing it up and paying).
    let mut sale_t = Vec::with_capacity(sales);
    let mut sale_b = Vec::with_capacity(sales);
    for n in 0..sales {
        for _ in 0..3 {
            till.add_item(&barcode(next()), None).expect("add");
        }
        till.pay(Tender::Cash, "100000", None).expect("pay");
        let t = Instant::now();
        till.complete_sale().expect("complete");
        sale_t.push(t.elapsed());

        let t = Instant::now();
        baseline_sale(&base, n);
        sale_b.push(t.elapsed());
    }
    assert!(till.verify().expect("verify").ok);

    println!(
        "| operation | median | p99 | baseline median | baseline p99 | median ratio | p99 ratio |"
    );
    println!("|---|---|---|---|---|---|---|");
    row(
        &format!("scan into cart, {PRODUCTS} products ({scans} scans)"),
        &stats(scan_t),
        &stats(scan_b),
    );
    row(
        &format!("scan into a cart of up to 50 lines, 500 active promotions ({scans} scans)"),
        &stats(promo_t),
        &stats(promo_b),
    );
    row(
        &format!("complete 3-line sale, fsync ({sales} sales)"),
        &stats(sale_t),
        &stats(sale_b),
    );
}
