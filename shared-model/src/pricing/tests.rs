use super::*;
use proptest::prelude::*;

fn line(price: i64, qty_milli: i64, vat: VatRate, discount: Option<Discount>) -> LineInput {
    LineInput {
        unit_price: Money::rub(price),
        qty: Quantity::from_milli(qty_milli),
        vat,
        discount,
    }
}

#[test]
fn line_amount_rounds_half_up() {
    // 12.34 ₽/ml × 2.5 ml = 30.85
    assert_eq!(
        line_amount(Money::rub(1234), Quantity::from_milli(2500)).map(|m| m.minor),
        Ok(3085)
    );
    // 0.33 × 1.5 = 0.495 → 0.50
    assert_eq!(
        line_amount(Money::rub(33), Quantity::from_milli(1500)).map(|m| m.minor),
        Ok(50)
    );
    // 0.33 × 1.499 = 0.49467 → 0.49
    assert_eq!(
        line_amount(Money::rub(33), Quantity::from_milli(1499)).map(|m| m.minor),
        Ok(49)
    );
}

#[test]
fn prices_a_mixed_cart_exactly() {
    let lines = [
        line(450_000, 1000, VatRate::Vat22, None),
        line(
            1_250,
            12_500,
            VatRate::Vat22,
            Some(Discount::Percent(Percent::from_bp(1000).unwrap())),
        ),
        line(9_999, 3000, VatRate::Vat10, None),
        line(50_000, 1000, VatRate::NoVat, None),
    ];
    let sale = Some(Discount::Amount(Money::rub(1_001)));
    let c = price_cart(Currency::RUB, &lines, &[], sale).unwrap();
    assert_eq!(c.gross.minor, 450_000 + 15_625 + 29_997 + 50_000);
    assert_eq!(c.lines[1].line_discount.minor, 1_563);
    assert_eq!(
        c.lines.iter().map(|l| l.sale_discount.minor).sum::<i64>(),
        1_001
    );
    assert_eq!(c.total.minor, c.gross.minor - 1_563 - 1_001);
    assert_eq!(c.vat.len(), 3);
    assert_eq!(
        c.vat.iter().map(|v| v.base.minor).sum::<i64>(),
        c.total.minor
    );
    assert_eq!(
        c.vat
            .iter()
            .find(|v| v.rate == VatRate::NoVat)
            .unwrap()
            .vat
            .minor,
        0
    );
}

#[test]
fn promotions_are_capped_at_what_is_left() {
    let lines = [line(
        1_000,
        1000,
        VatRate::Vat22,
        Some(Discount::Amount(Money::rub(900))),
    )];
    let promo = AppliedPromotion {
        promotion_id: Uuid::nil(),
        version: 1,
        name: "-50%".into(),
        line_discounts: vec![(0, 500)],
    };
    let c = price_cart(Currency::RUB, &lines, std::slice::from_ref(&promo), None).unwrap();
    assert_eq!(c.lines[0].promo_discount.minor, 100);
    assert_eq!(c.total.minor, 0);
    assert_eq!(c.promotions, vec![(promo, Money::rub(100))]);
    let bad = AppliedPromotion {
        line_discounts: vec![(3, 1)],
        ..c.promotions[0].0.clone()
    };
    assert_eq!(
        price_cart(Currency::RUB, &lines, &[bad], None),
        Err(ModelError::NoSuchLine(3))
    );
}

#[test]
fn role_limit_applies_per_line_and_in_total() {
    let ten = Percent::from_bp(1000).unwrap();
    let lines = [line(
        10_000,
        1000,
        VatRate::Vat22,
        Some(Discount::Percent(ten)),
    )];
    let c = price_cart(Currency::RUB, &lines, &[], None).unwrap();
    assert_eq!(check_manual_discount_limit(&c, ten), Ok(()));
    assert!(check_manual_discount_limit(&c, Percent::from_bp(999).unwrap()).is_err());
    let c = price_cart(
        Currency::RUB,
        &lines,
        &[],
        Some(Discount::Amount(Money::rub(1))),
    )
    .unwrap();
    assert_eq!(
        check_manual_discount_limit(&c, ten),
        Err(ModelError::DiscountOverLimit {
            line: None,
            limit: ten
        })
    );
}

#[test]
fn percent_parses_and_displays() {
    assert_eq!(Percent::parse("12.5").map(|p| p.bp()), Ok(1250));
    assert_eq!(Percent::parse("5%").map(|p| p.to_string()), Ok("5%".into()));
    assert!(Percent::parse("100.01").is_err());
    assert!(Percent::parse("-1").is_err());
}

fn arb_line() -> impl Strategy<Value = LineInput> {
    (
        0i64..5_000_000,
        1i64..50_000,
        prop::sample::select(VatRate::ALL.to_vec()),
        prop::option::of(prop_oneof![
            (0u32..=10_000).prop_map(|bp| Discount::Percent(Percent::from_bp(bp).unwrap())),
            (0i64..10_000_000).prop_map(|m| Discount::Amount(Money::rub(m))),
        ]),
    )
        .prop_map(|(p, q, v, d)| line(p, q, v, d))
}

proptest! {
    #[test]
    fn totals_equal_the_sum_of_their_parts(
        lines in prop::collection::vec(arb_line(), 1..12),
        promo in prop::collection::vec((0usize..12, 0i64..1_000_000), 0..6),
        sale in prop::option::of(prop_oneof![
            (0u32..=10_000).prop_map(|bp| Discount::Percent(Percent::from_bp(bp).unwrap())),
            (0i64..100_000_000).prop_map(|m| Discount::Amount(Money::rub(m))),
        ]),
    ) {
        let promo: Vec<_> = promo.into_iter().filter(|(i, _)| *i < lines.len()).collect();
        let promos = [AppliedPromotion { promotion_id: Uuid::nil(), version: 1, name: "p".into(), line_discounts: promo }];
        let c = price_cart(Currency::RUB, &lines, &promos, sale).unwrap();
        let s = |f: fn(&PricedLine) -> i64| c.lines.iter().map(f).sum::<i64>();
        prop_assert_eq!(c.total.minor, s(|l| l.total.minor));
        prop_assert_eq!(c.gross.minor, s(|l| l.gross.minor));
        prop_assert_eq!(c.discount.minor, s(|l| l.discount().minor));
        prop_assert_eq!(c.gross.minor - c.discount.minor, c.total.minor);
        prop_assert_eq!(c.vat.iter().map(|v| v.base.minor).sum::<i64>(), c.total.minor);
        prop_assert_eq!(c.vat.iter().map(|v| v.vat.minor).sum::<i64>(), s(|l| l.vat.minor));
        prop_assert_eq!(c.promotions.iter().map(|p| p.1.minor).sum::<i64>(), s(|l| l.promo_discount.minor));
        for l in &c.lines {
            prop_assert!(l.total.minor >= 0, "line below zero");
            prop_assert!(l.line_discount.minor >= 0 && l.promo_discount.minor >= 0 && l.sale_discount.minor >= 0);
            prop_assert!(l.vat.minor >= 0 && l.vat.minor <= l.total.minor);
            prop_assert_eq!(l.gross.minor - l.discount().minor, l.total.minor);
        }
    }
}

proptest! {
    #[test]
    fn partial_returns_add_up_to_the_line(amount in 0i64..10_000_000, sold in 1i64..100_000, cuts in prop::collection::vec(1i64..100_000, 1..8)) {
        let mut before = 0;
        let mut refunded = 0;
        for c in cuts {
            let now = c.min(sold - before);
            if now == 0 { break; }
            let r = return_share(amount, Quantity::from_milli(sold), Quantity::from_milli(before), Quantity::from_milli(now));
            prop_assert!(r >= 0);
            refunded += r;
            before += now;
        }
        let rest = sold - before;
        if rest > 0 {
            refunded += return_share(amount, Quantity::from_milli(sold), Quantity::from_milli(before), Quantity::from_milli(rest));
        }
        prop_assert_eq!(refunded, amount);
    }
}

#[test]
fn a_cart_too_big_to_sum_is_refused_not_wrapped() {
    let huge = line(i64::MAX / 2, 1000, VatRate::Vat22, None);
    let lines = [huge.clone(), huge.clone(), huge];
    assert_eq!(
        price_cart(Currency::RUB, &lines, &[], None),
        Err(ModelError::Overflow)
    );
}
