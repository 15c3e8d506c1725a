//! Pricing a 50-line cart against 500 active promotions (the till runs this on every
//! scan). Baseline in the same run: pricing the same cart with no promotions (what
//! every scan costs anyway).
//!
//! Run: `cargo bench -p shared-model --bench promotions` (`-- --quick` for a short run).

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use shared_model::pricing::{price_cart, LineInput};
use shared_model::promotions::{
    evaluate, Conditions, PromoContext, PromoKind, PromoLine, Promotion, Target,
};
use shared_model::{Currency, Discount, Money, Percent, Quantity, VatRate};
use uuid::Uuid;

fn id(n: u64) -> Uuid {
    Uuid::from_u64_pair(0xA1, n)
}

/// A mix like a chain's: mostly product and category deals, some cart-wide, some for
/// other stores, behind coupons or outside their dates (they must be checked and skipped).
fn promotions(n: u64) -> Vec<Promotion> {
    let now = NaiveDate::from_ymd_opt(2026, 11, 25).and_then(|d| d.and_hms_opt(12, 0, 0));
    (0..n)
        .map(|i| {
            let pct = |p: u32| Percent::from_bp(p * 100).unwrap_or(Percent::ZERO);
            let kind = match i % 5 {
                0 => PromoKind::PercentOff {
                    percent: pct(5 + (i % 20) as u32),
                },
                1 => PromoKind::AmountOff {
                    amount: Money::rub(10_000),
                },
                2 => PromoKind::BuyXGetY {
                    buy: 2,
                    get: 1,
                    percent: pct(100),
                },
                3 => PromoKind::Bundle {
                    qty: 3,
                    price: Money::rub(500_000),
                },
                _ => PromoKind::SpendThreshold {
                    min: Money::rub(1_000_000),
                    off: Discount::Percent(pct(10)),
                },
            };
            let target = match i % 10 {
                0 => Target::All,
                1..=3 => Target::Categories(vec![id(10_000 + i % 20)]),
                _ => Target::Products((0..3).map(|k| id((i * 7 + k * 131) % 1000)).collect()),
            };
            let mut conditions = Conditions::default();
            match i % 7 {
                0 => conditions.coupon = Some(format!("C{i}")),
                1 => conditions.stores = vec![id(99_999)],
                2 => conditions.until = now.map(|t| t - chrono::Duration::days(1)),
                _ => {}
            }
            Promotion {
                id: id(i),
                version: 1,
                name: format!("Акция {i}"),
                priority: (i % 4) as i32,
                exclusive: i % 11 == 0,
                target,
                kind,
                conditions,
            }
        })
        .collect()
}

fn lines(n: u64) -> Vec<PromoLine> {
    (0..n)
        .map(|i| {
            let price = 50_000 + (i as i64 * 3_917) % 900_000;
            let qty = 1 + (i as i64 % 3);
            PromoLine {
                product_id: id((i * 37) % 1000),
                category_id: Some(id(10_000 + i % 20)),
                unit_price: Money::rub(price),
                qty: Quantity::from_milli(qty * 1000),
                amount: Money::rub(price * qty),
                floor: Money::rub(price * qty / 2),
            }
        })
        .collect()
}

fn stats(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    let at = |q: f64| v[((v.len() as f64 * q) as usize).min(v.len() - 1)];
    (at(0.5), at(0.99))
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let runs = if quick { 200 } else { 2_000 };
    let promos = promotions(500);
    let lines = lines(50);
    let inputs: Vec<LineInput> = lines
        .iter()
        .map(|l| LineInput {
            unit_price: l.unit_price,
            qty: l.qty,
            vat: VatRate::Vat22,
            discount: None,
        })
        .collect();
    let ctx = PromoContext {
        lines: &lines,
        store: Some(id(1)),
        now: NaiveDate::from_ymd_opt(2026, 11, 25)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .unwrap_or_default(),
        coupons: &[],
        customer_group: None,
    };
    let (mut ours, mut base) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
    let mut applied_count = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let applied = evaluate(black_box(&ctx), black_box(&promos));
        let priced = price_cart(Currency::RUB, &inputs, &applied, None);
        ours.push(t.elapsed());
        applied_count = priced.map(|p| p.promotions.len()).unwrap_or_default();
        let t = Instant::now();
        let priced = price_cart(Currency::RUB, black_box(&inputs), &[], None);
        base.push(t.elapsed());
        black_box(priced.ok());
    }
    let ((om, op), (bm, bp)) = (stats(ours), stats(base));
    println!("| what | median | p99 | baseline median | baseline p99 | median ratio |");
    println!("|---|---|---|---|---|---|");
    println!(
        "| 50 lines × 500 promotions ({applied_count} applied), evaluate + price ({runs} runs) | {} | {} | {} | {} | {:.1}× |",
        ms(om),
        ms(op),
        ms(bm),
        ms(bp),
        om.as_secs_f64() / bm.as_secs_f64()
    );
}
