//! Refusing promotion settings that contradict themselves or can never apply, with the
//! reason in words (the admin shows it as is).

use super::{Conditions, PromoKind, Target};

/// Checks a promotion's settings. `Err` says what is wrong.
pub fn check_definition(target: &Target, kind: &PromoKind, c: &Conditions) -> Result<(), String> {
    match target {
        Target::Products(ids) | Target::Categories(ids) if ids.is_empty() => {
            return Err("the promotion targets no products or categories".into())
        }
        _ => {}
    }
    match kind {
        PromoKind::PercentOff { percent } if percent.bp() == 0 => {
            return Err("a 0 % discount gives nothing".into())
        }
        PromoKind::AmountOff { amount } if amount.minor <= 0 => {
            return Err("the amount off must be above zero".into())
        }
        PromoKind::BuyXGetY { buy, get, percent }
            if *buy == 0 || *get == 0 || percent.bp() == 0 =>
        {
            return Err("buy X get Y needs X ≥ 1, Y ≥ 1 and a discount above 0 %".into())
        }
        PromoKind::Bundle { qty, price } if *qty < 2 || price.is_negative() => {
            return Err("a bundle is at least 2 pieces at a price of zero or more".into())
        }
        PromoKind::SpendThreshold { min, off }
            if min.minor <= 0 || off.amount_off(i64::MAX / 2) == 0 =>
        {
            return Err("a spend threshold needs a minimum above zero and a discount".into())
        }
        _ => {}
    }
    if let (Some(from), Some(until)) = (c.from, c.until) {
        if from >= until {
            return Err("the promotion ends before it starts".into());
        }
    }
    if c.weekdays.iter().any(|d| !(1..=7).contains(d)) {
        return Err("weekdays are 1 (Monday) to 7 (Sunday)".into());
    }
    if let Some((start, end)) = c.hours {
        if start > 23 || end > 24 || start == end {
            return Err(
                "hours are [start, end) with 0 ≤ start ≤ 23, end ≤ 24 and start ≠ end".into(),
            );
        }
    }
    if c.min_qty.is_some_and(|q| !q.is_positive()) || c.min_amount.is_some_and(|m| m.minor <= 0) {
        return Err("a minimum quantity or amount must be above zero".into());
    }
    if let Some(code) = &c.coupon {
        let code = code.trim();
        if code.is_empty()
            || code.len() > 40
            || !code
                .chars()
                .all(|ch| ch.is_alphanumeric() || ch == '-' || ch == '_')
        {
            return Err("a coupon code is 1 to 40 letters, digits, dashes or underscores".into());
        }
    }
    if c.customer_groups.iter().any(|g| g.trim().is_empty()) {
        return Err("a customer group cannot be empty".into());
    }
    if c.usage_limit == Some(0) {
        return Err("a usage limit of 0 means the promotion never applies".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Discount, Money, Percent, Quantity};
    use chrono::NaiveDate;

    #[test]
    fn contradictions_are_refused_with_the_reason() {
        let ok = PromoKind::PercentOff {
            percent: Percent::from_bp(1000).unwrap(),
        };
        let c = Conditions::default;
        assert_eq!(check_definition(&Target::All, &ok, &c()), Ok(()));
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).and_then(|x| x.and_hms_opt(0, 0, 0));
        let cases: Vec<(Target, PromoKind, Conditions, &str)> = vec![
            (Target::Products(vec![]), ok.clone(), c(), "targets no"),
            (
                Target::All,
                PromoKind::PercentOff {
                    percent: Percent::ZERO,
                },
                c(),
                "0 %",
            ),
            (
                Target::All,
                PromoKind::AmountOff {
                    amount: Money::rub(0),
                },
                c(),
                "above zero",
            ),
            (
                Target::All,
                PromoKind::BuyXGetY {
                    buy: 2,
                    get: 0,
                    percent: Percent::FULL,
                },
                c(),
                "buy X",
            ),
            (
                Target::All,
                PromoKind::Bundle {
                    qty: 1,
                    price: Money::rub(1),
                },
                c(),
                "bundle",
            ),
            (
                Target::All,
                PromoKind::SpendThreshold {
                    min: Money::rub(100),
                    off: Discount::Amount(Money::rub(0)),
                },
                c(),
                "threshold",
            ),
            (
                Target::All,
                ok.clone(),
                Conditions {
                    from: day(5),
                    until: day(1),
                    ..c()
                },
                "ends before",
            ),
            (
                Target::All,
                ok.clone(),
                Conditions {
                    hours: Some((10, 10)),
                    ..c()
                },
                "hours",
            ),
            (
                Target::All,
                ok.clone(),
                Conditions {
                    weekdays: vec![0],
                    ..c()
                },
                "weekdays",
            ),
            (
                Target::All,
                ok.clone(),
                Conditions {
                    min_qty: Some(Quantity::from_milli(0)),
                    ..c()
                },
                "minimum",
            ),
            (
                Target::All,
                ok.clone(),
                Conditions {
                    coupon: Some("two words".into()),
                    ..c()
                },
                "coupon",
            ),
            (
                Target::All,
                ok.clone(),
                Conditions {
                    customer_groups: vec![" ".into()],
                    ..c()
                },
                "group",
            ),
            (
                Target::All,
                ok.clone(),
                Conditions {
                    usage_limit: Some(0),
                    ..c()
                },
                "never applies",
            ),
        ];
        for (t, k, cond, want) in cases {
            let e = check_definition(&t, &k, &cond).unwrap_err();
            assert!(e.contains(want), "{e} (wanted {want})");
        }
    }
}
