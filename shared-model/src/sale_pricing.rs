//! Pricing a sale as a till does: the active promotions evaluated over the lines after
//! their manual discounts, no line below its cost, then the sale-level discount.
//!
//! The till, head office's preview and the admin's live preview all call
//! [`price_sale`], so a promotion cannot give one amount at the till and another on the
//! manager's screen.

use chrono::NaiveDateTime;
use uuid::Uuid;

use crate::pricing::{line_amount, price_cart, Discount, LineInput, PricedCart};
use crate::promotions::{evaluate, PromoContext, PromoLine, Promotion};
use crate::{Currency, ModelError, Money, Quantity, VatRate};

/// One line of a sale with what pricing and the promotions engine need to know of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleLine {
    /// Product.
    pub product_id: Uuid,
    /// The product's category (category promotions).
    pub category_id: Option<Uuid>,
    /// VAT-inclusive price of one unit.
    pub unit_price: Money,
    /// Quantity.
    pub qty: Quantity,
    /// VAT rate.
    pub vat: VatRate,
    /// Manual line discount.
    pub discount: Option<Discount>,
    /// How promotions may treat the line.
    pub floor: Floor,
}

/// The least a line may be sold for after promotions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Floor {
    /// Cost of one unit: no promotion takes the line below cost × quantity.
    Cost(Money),
    /// The line takes no promotions at all (a gift certificate is sold at face value).
    NoPromotions,
}

/// When, where and for whom a sale is priced.
#[derive(Debug, Clone, Copy)]
pub struct Occasion<'a> {
    /// The store; `None` on a till not yet enrolled in one (store-limited promotions
    /// then do not apply).
    pub store: Option<Uuid>,
    /// The store's local time (dates, weekdays and hours of promotions).
    pub now: NaiveDateTime,
    /// Coupon codes presented.
    pub coupons: &'a [String],
    /// The customer's group, if a customer is on the sale.
    pub customer_group: Option<&'a str>,
}

/// Prices a sale: promotions first (on what manual line discounts left), then the
/// sale-level discount, VAT per line and per rate. An empty sale prices to zero.
pub fn price_sale(
    currency: Currency,
    lines: &[SaleLine],
    promotions: &[Promotion],
    at: &Occasion<'_>,
    sale_discount: Option<Discount>,
) -> Result<PricedCart, ModelError> {
    let inputs: Vec<LineInput> = lines
        .iter()
        .map(|l| LineInput {
            unit_price: l.unit_price,
            qty: l.qty,
            vat: l.vat,
            discount: l.discount,
        })
        .collect();
    let applied = if promotions.is_empty() || lines.is_empty() {
        Vec::new()
    } else {
        let promo_lines = lines
            .iter()
            .map(promo_line)
            .collect::<Result<Vec<_>, _>>()?;
        evaluate(
            &PromoContext {
                lines: &promo_lines,
                store: at.store,
                now: at.now,
                coupons: at.coupons,
                customer_group: at.customer_group,
            },
            promotions,
        )
    };
    price_cart(currency, &inputs, &applied, sale_discount)
}

/// The line as the promotions engine sees it: its amount after the manual discount and
/// its floor in money.
fn promo_line(l: &SaleLine) -> Result<PromoLine, ModelError> {
    let gross = line_amount(l.unit_price, l.qty)?;
    let manual = l.discount.map_or(0, |d| d.amount_off(gross.minor));
    let amount = Money::new(gross.minor - manual, gross.currency);
    let floor = match l.floor {
        Floor::Cost(cost) => line_amount(cost, l.qty)?,
        Floor::NoPromotions => amount,
    };
    Ok(PromoLine {
        product_id: l.product_id,
        category_id: l.category_id,
        unit_price: l.unit_price,
        qty: l.qty,
        amount,
        floor,
    })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::promotions::{Conditions, PromoKind, Target};
    use crate::Percent;

    fn line(price: i64, cost: i64, discount: Option<Discount>) -> SaleLine {
        SaleLine {
            product_id: Uuid::from_u128(1),
            category_id: None,
            unit_price: Money::rub(price),
            qty: Quantity::from_milli(2000),
            vat: VatRate::Vat22,
            discount,
            floor: Floor::Cost(Money::rub(cost)),
        }
    }

    fn half_off(stores: Vec<Uuid>) -> Promotion {
        Promotion {
            id: Uuid::from_u128(9),
            version: 1,
            name: "−50%".into(),
            priority: 0,
            exclusive: false,
            target: Target::All,
            kind: PromoKind::PercentOff {
                percent: Percent::from_bp(5000).unwrap(),
            },
            conditions: Conditions {
                stores,
                ..Default::default()
            },
        }
    }

    fn at(store: Option<Uuid>) -> Occasion<'static> {
        Occasion {
            store,
            now: NaiveDate::from_ymd_opt(2026, 12, 7)
                .and_then(|d| d.and_hms_opt(12, 0, 0))
                .unwrap(),
            coupons: &[],
            customer_group: None,
        }
    }

    #[test]
    fn promotions_take_what_manual_discounts_left_down_to_cost() {
        let ten = Some(Discount::Percent(Percent::from_bp(1000).unwrap()));
        let lines = [line(10_000, 8_000, ten), line(10_000, 0, None)];
        let p = price_sale(Currency::RUB, &lines, &[half_off(vec![])], &at(None), None).unwrap();
        // 200 − 20 manual = 180; half off would be 90, the cost floor is 160.
        assert_eq!(p.lines[0].promo_discount, Money::rub(2_000));
        assert_eq!(p.lines[1].promo_discount, Money::rub(10_000));
        assert_eq!(p.total, Money::rub(16_000 + 10_000));
    }

    #[test]
    fn a_certificate_takes_no_promotion_and_an_unenrolled_till_no_store_promotion() {
        let mut cert = line(100_000, 0, None);
        cert.floor = Floor::NoPromotions;
        let p = price_sale(Currency::RUB, &[cert], &[half_off(vec![])], &at(None), None).unwrap();
        assert_eq!(p.discount, Money::rub(0));
        let store = Uuid::from_u128(5);
        let only_there = [half_off(vec![store])];
        let lines = [line(10_000, 0, None)];
        let off =
            |s| price_sale(Currency::RUB, &lines, &only_there, &at(s), None).map(|p| p.discount);
        assert_eq!(off(None), Ok(Money::rub(0)));
        assert_eq!(off(Some(Uuid::from_u128(6))), Ok(Money::rub(0)));
        assert_eq!(off(Some(store)), Ok(Money::rub(10_000)));
    }
}
