use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;
use crate::pricing::{price_cart, LineInput};
use crate::{Currency, VatRate};

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn line(product: u128, price: i64, pieces: i64) -> PromoLine {
    PromoLine {
        product_id: id(product),
        category_id: Some(id(1000 + product % 2)),
        unit_price: Money::rub(price),
        qty: Quantity::from_milli(pieces * 1000),
        amount: Money::rub(price * pieces),
        floor: Money::rub(0),
    }
}

fn promo(n: u128, kind: PromoKind) -> Promotion {
    Promotion {
        id: id(n),
        version: 1,
        name: format!("P{n}"),
        priority: 0,
        exclusive: false,
        target: Target::All,
        kind,
        conditions: Conditions::default(),
    }
}

fn monday_noon() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 23)
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .unwrap()
}

fn ctx(lines: &[PromoLine]) -> PromoContext<'_> {
    PromoContext {
        lines,
        store: Some(id(77)),
        now: monday_noon(),
        coupons: &[],
        customer_group: None,
    }
}

fn given(a: &[AppliedPromotion]) -> i64 {
    total(a)
}

fn pct(p: u32) -> Percent {
    Percent::from_bp(p * 100).unwrap()
}

#[test]
fn percent_and_amount_off() {
    let lines = [line(1, 10_000, 2), line(2, 5_000, 1)];
    let r = evaluate(
        &ctx(&lines),
        &[promo(1, PromoKind::PercentOff { percent: pct(10) })],
    );
    assert_eq!(r[0].line_discounts, vec![(0, 2_000), (1, 500)]);
    let r = evaluate(
        &ctx(&lines),
        &[promo(
            1,
            PromoKind::AmountOff {
                amount: Money::rub(1_001),
            },
        )],
    );
    assert_eq!(given(&r), 1_001);
}

#[test]
fn buy_two_get_one_free_takes_the_cheapest() {
    let lines = [line(1, 30_000, 1), line(2, 10_000, 2), line(3, 20_000, 3)];
    let r = evaluate(
        &ctx(&lines),
        &[promo(
            1,
            PromoKind::BuyXGetY {
                buy: 2,
                get: 1,
                percent: Percent::FULL,
            },
        )],
    );
    // 6 pieces → 2 free: the two 100-rouble ones.
    assert_eq!(r[0].line_discounts, vec![(1, 20_000)]);
}

#[test]
fn bundles_of_three_for_a_price() {
    let lines = [line(1, 1_000, 4), line(2, 2_000, 2)];
    let r = evaluate(
        &ctx(&lines),
        &[promo(
            1,
            PromoKind::Bundle {
                qty: 3,
                price: Money::rub(3_000),
            },
        )],
    );
    // Six pieces, two bundles: (2000, 2000, 1000) → 3000 and (1000, 1000, 1000) → 3000 (no saving).
    assert_eq!(given(&r), 2_000);
}

#[test]
fn spend_threshold_needs_the_threshold() {
    let lines = [line(1, 4_000, 1)];
    let p = promo(
        1,
        PromoKind::SpendThreshold {
            min: Money::rub(5_000),
            off: Discount::Amount(Money::rub(500)),
        },
    );
    assert!(evaluate(&ctx(&lines), std::slice::from_ref(&p)).is_empty());
    let lines = [line(1, 4_000, 1), line(2, 1_000, 1)];
    assert_eq!(given(&evaluate(&ctx(&lines), &[p])), 500);
}

#[test]
fn conditions_gate_promotions() {
    let lines = [line(1, 10_000, 1)];
    let base = promo(1, PromoKind::PercentOff { percent: pct(10) });
    let with = |f: &dyn Fn(&mut Conditions)| {
        let mut p = base.clone();
        f(&mut p.conditions);
        !evaluate(&ctx(&lines), &[p]).is_empty()
    };
    assert!(with(&|_| {}));
    assert!(!with(&|c| c.weekdays = vec![6, 7]));
    assert!(with(&|c| c.weekdays = vec![1]));
    assert!(!with(&|c| c.hours = Some((18, 22))));
    assert!(with(&|c| c.hours = Some((22, 13)))); // across midnight
    assert!(!with(&|c| c.stores = vec![id(5)]));
    assert!(!with(
        &|c| c.from = Some(monday_noon() + chrono::Duration::minutes(1))
    ));
    assert!(!with(&|c| c.until = Some(monday_noon())));
    assert!(!with(&|c| c.coupon = Some("WELCOME".into())));
    assert!(!with(&|c| c.customer_groups = vec!["vip".into()]));
    assert!(!with(&|c| c.min_qty = Some(Quantity::from_milli(2000))));
    assert!(!with(&|c| c.min_amount = Some(Money::rub(10_001))));
    assert!(!with(&|c| {
        c.usage_limit = Some(5);
        c.used = 5;
    }));
    let coupons = ["welcome ".to_owned()];
    let mut p = base.clone();
    p.conditions.coupon = Some("WELCOME".into());
    let c = PromoContext {
        coupons: &coupons,
        customer_group: Some("vip"),
        ..ctx(&lines)
    };
    assert!(!evaluate(&c, &[p]).is_empty());
}

#[test]
fn exclusive_competes_with_the_stack_and_the_customer_wins() {
    let lines = [line(1, 10_000, 1)];
    let a = promo(1, PromoKind::PercentOff { percent: pct(10) });
    let b = promo(
        2,
        PromoKind::AmountOff {
            amount: Money::rub(500),
        },
    );
    let mut big = promo(3, PromoKind::PercentOff { percent: pct(20) });
    big.exclusive = true;
    let r = evaluate(&ctx(&lines), &[a.clone(), b.clone(), big.clone()]);
    assert_eq!((r.len(), r[0].promotion_id), (1, id(3)));
    let mut small = big.clone();
    small.kind = PromoKind::PercentOff { percent: pct(12) };
    let r = evaluate(&ctx(&lines), &[a, b, small]);
    // 10 % then 5 rouble off the rest = 1 500 > 12 % = 1 200: the stack wins.
    assert_eq!(given(&r), 1_500);
    assert_eq!(r.len(), 2);
}

#[test]
fn never_below_the_floor() {
    let mut l = line(1, 10_000, 1);
    l.floor = Money::rub(9_000);
    let r = evaluate(
        &ctx(std::slice::from_ref(&l)),
        &[promo(1, PromoKind::PercentOff { percent: pct(50) })],
    );
    assert_eq!(given(&r), 1_000);
}

fn arb_kind() -> impl Strategy<Value = PromoKind> {
    prop_oneof![
        (0u32..=100).prop_map(|p| PromoKind::PercentOff { percent: pct(p) }),
        (0i64..100_000).prop_map(|a| PromoKind::AmountOff {
            amount: Money::rub(a)
        }),
        (1u32..4, 1u32..3, 1u32..=100).prop_map(|(b, g, p)| PromoKind::BuyXGetY {
            buy: b,
            get: g,
            percent: pct(p)
        }),
        (1u32..5, 0i64..50_000).prop_map(|(q, p)| PromoKind::Bundle {
            qty: q,
            price: Money::rub(p)
        }),
        (0i64..100_000, 0u32..=100).prop_map(|(m, p)| PromoKind::SpendThreshold {
            min: Money::rub(m),
            off: Discount::Percent(pct(p))
        }),
    ]
}

proptest! {
    #[test]
    fn promotions_never_push_a_line_below_its_floor_and_add_up(
        raw in prop::collection::vec((0u128..6, 1i64..50_000, 1i64..6, 0i64..=100), 1..8),
        kinds in prop::collection::vec((arb_kind(), any::<bool>(), -3i32..3), 0..6),
    ) {
        let lines: Vec<PromoLine> = raw.iter().map(|(p, price, n, floor_pct)| {
            let mut l = line(*p, *price, *n);
            l.floor = Money::rub(l.amount.minor * floor_pct / 100);
            l
        }).collect();
        let promos: Vec<Promotion> = kinds.into_iter().enumerate().map(|(i, (k, excl, prio))| {
            let mut p = promo(i as u128 + 1, k);
            p.exclusive = excl;
            p.priority = prio;
            p
        }).collect();
        let applied = evaluate(&ctx(&lines), &promos);
        prop_assert_eq!(&applied, &evaluate(&ctx(&lines), &promos), "deterministic");
        let mut per_line = vec![0i64; lines.len()];
        for a in &applied {
            for (i, d) in &a.line_discounts {
                prop_assert!(*d > 0);
                per_line[*i] += d;
            }
        }
        for (l, d) in lines.iter().zip(&per_line) {
            prop_assert!(l.amount.minor - d >= l.floor.minor, "below floor");
        }
        // Neither the order of the lines nor that of the promotions changes anything:
        // each line (by content) gets the same discount from each promotion.
        let mut rev_lines = lines.clone();
        rev_lines.reverse();
        let mut rev_promos = promos.clone();
        rev_promos.reverse();
        let again = evaluate(&ctx(&rev_lines), &rev_promos);
        let by_content = |ls: &[PromoLine], a: &[AppliedPromotion]| {
            let mut v: Vec<_> = a.iter().flat_map(|p| p.line_discounts.iter().map(|(i, d)| {
                (p.promotion_id, line_key(&ls[*i]), *d)
            })).collect();
            v.sort();
            v
        };
        prop_assert_eq!(by_content(&lines, &applied), by_content(&rev_lines, &again));
        // Priced through the cart, every promotion counts to the kopeck.
        let inputs: Vec<LineInput> = lines.iter().map(|l| LineInput {
            unit_price: l.unit_price, qty: l.qty, vat: VatRate::Vat22, discount: None,
        }).collect();
        let priced = price_cart(Currency::RUB, &inputs, &applied, None).unwrap();
        prop_assert_eq!(priced.discount.minor, per_line.iter().sum::<i64>());
    }
}

/// The worked examples of `docs/promotions.md`, row by row.
#[test]
fn worked_examples_in_the_docs() {
    let r = |rub: i64| rub * 100;
    let run =
        |lines: &[PromoLine], promos: &[Promotion], coupons: &[String], group: Option<&str>| {
            let c = PromoContext {
                coupons,
                customer_group: group,
                ..ctx(lines)
            };
            given(&evaluate(&c, promos))
        };
    let plain = |lines: &[PromoLine], promos: &[Promotion]| run(lines, promos, &[], None);
    let mut cat = promo(1, PromoKind::PercentOff { percent: pct(10) });
    cat.target = Target::Categories(vec![id(1000)]);
    assert_eq!(plain(&[line(2, r(100), 2)], &[cat]), r(20));
    let mut spring = promo(
        2,
        PromoKind::AmountOff {
            amount: Money::rub(r(5)),
        },
    );
    spring.conditions.coupon = Some("SPRING".into());
    assert_eq!(
        run(
            &[line(1, r(100), 3)],
            std::slice::from_ref(&spring),
            &["spring".into()],
            None
        ),
        r(5)
    );
    assert_eq!(plain(&[line(1, r(100), 3)], &[spring]), 0);
    let b2g1 = promo(
        3,
        PromoKind::BuyXGetY {
            buy: 2,
            get: 1,
            percent: pct(100),
        },
    );
    assert_eq!(
        plain(&[line(1, r(100), 3)], std::slice::from_ref(&b2g1)),
        r(100)
    );
    assert_eq!(
        plain(&[line(1, r(300), 1), line(2, r(100), 2)], &[b2g1]),
        r(100)
    );
    let second = promo(
        4,
        PromoKind::BuyXGetY {
            buy: 1,
            get: 1,
            percent: pct(50),
        },
    );
    assert_eq!(plain(&[line(1, r(100), 2)], &[second]), r(50));
    let bundle = promo(
        5,
        PromoKind::Bundle {
            qty: 3,
            price: Money::rub(r(250)),
        },
    );
    assert_eq!(plain(&[line(1, r(100), 4)], &[bundle]), r(50));
    let spend = promo(
        6,
        PromoKind::SpendThreshold {
            min: Money::rub(r(1000)),
            off: Discount::Percent(pct(10)),
        },
    );
    assert_eq!(
        plain(&[line(1, r(400), 2)], std::slice::from_ref(&spend)),
        0
    );
    assert_eq!(plain(&[line(1, r(400), 3)], &[spend]), r(120));
    let stack = [
        promo(7, PromoKind::PercentOff { percent: pct(10) }),
        promo(
            8,
            PromoKind::AmountOff {
                amount: Money::rub(r(5)),
            },
        ),
    ];
    let mut excl = promo(9, PromoKind::PercentOff { percent: pct(20) });
    excl.exclusive = true;
    let with = |e: &Promotion| [stack[0].clone(), stack[1].clone(), e.clone()];
    assert_eq!(plain(&[line(1, r(100), 1)], &with(&excl)), r(20));
    excl.kind = PromoKind::PercentOff { percent: pct(10) };
    assert_eq!(plain(&[line(1, r(100), 1)], &with(&excl)), r(15));
    let mut costly = line(1, r(100), 1);
    costly.floor = Money::rub(r(80));
    assert_eq!(
        plain(
            &[costly],
            &[promo(10, PromoKind::PercentOff { percent: pct(50) })]
        ),
        r(20)
    );
    let mut vip = promo(11, PromoKind::PercentOff { percent: pct(10) });
    vip.conditions.customer_groups = vec!["vip".into()];
    assert_eq!(
        run(
            &[line(1, r(100), 1)],
            std::slice::from_ref(&vip),
            &[],
            Some("vip")
        ),
        r(10)
    );
    assert_eq!(plain(&[line(1, r(100), 1)], &[vip]), 0);
}

/// Found by the till-vs-server random carts: three lines of the same bottle must get the
/// same "2+1" as one line of all of them, even when an earlier promotion left one line
/// too little room for its free pieces.
#[test]
fn splitting_goods_into_lines_does_not_shrink_a_piece_deal() {
    let b2g1 = promo(
        2,
        PromoKind::BuyXGetY {
            buy: 2,
            get: 1,
            percent: pct(100),
        },
    );
    let mut first = promo(
        1,
        PromoKind::AmountOff {
            amount: Money::rub(3_333),
        },
    );
    first.priority = 5;
    let promos = [first, b2g1];
    let merged = given(&evaluate(&ctx(&[line(1, 10_000, 10)]), &promos));
    let split = given(&evaluate(
        &ctx(&[line(1, 10_000, 4), line(1, 10_000, 3), line(1, 10_000, 3)]),
        &promos,
    ));
    assert_eq!(merged, 3_333 + 30_000);
    assert_eq!(split, merged);
}
