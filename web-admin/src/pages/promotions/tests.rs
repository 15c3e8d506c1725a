//! The editor's form model and the preview's pricing, without a browser.

use chrono::{NaiveDate, NaiveDateTime};
use shared_model::pricing::Percent;
use shared_model::promotions::PromoKind;
use shared_model::{Money, Quantity};
use uuid::Uuid;

use super::{price_sample, Form};
use crate::types::Product;

fn product(price: &str, cost: &str) -> Product {
    Product {
        id: Uuid::from_u128(7),
        sku: "CH-50".into(),
        name: "Chanel".into(),
        category_id: None,
        unit: "pcs".into(),
        vat: "vat22".into(),
        cost: cost.into(),
        default_price: price.into(),
        barcodes: vec![],
        active: true,
        marking_group: None,
    }
}

fn form(kind: &str) -> Form {
    Form {
        name: "Autumn".into(),
        kind: kind.into(),
        target: "all".into(),
        active: true,
        ..Form::default()
    }
}

fn now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 25)
        .unwrap()
        .and_hms_opt(12, 0, 0)
        .unwrap()
}

#[test]
fn the_form_round_trips_through_a_definition() {
    let mut f = form("buy_x_get_y");
    (f.n1, f.n2, f.percent, f.coupon, f.weekdays) = (
        "2".into(),
        "1".into(),
        "100".into(),
        "AUTUMN".into(),
        vec![1, 5],
    );
    (f.hour_from, f.hour_to, f.min_amount) = ("10".into(), "12".into(), "500.00".into());
    let def = f.build().unwrap();
    assert_eq!(
        def.kind,
        PromoKind::BuyXGetY {
            buy: 2,
            get: 1,
            percent: Percent::FULL
        }
    );
    let again = Form::of(&def);
    assert_eq!(again.build().unwrap(), def);
}

#[test]
fn a_wrong_field_is_named() {
    let mut f = form("percent_off");
    f.percent = "120".into();
    assert_eq!(f.build().unwrap_err().0, "promo-percent");
    f.percent = "10".into();
    f.hour_from = "25".into();
    assert_eq!(f.build().unwrap_err().0, "promo-hours");
    f.hour_from = String::new();
    f.name = " ".into();
    assert_eq!(f.build().unwrap_err().0, "promo-name");
}

#[test]
fn the_sample_cart_is_priced_as_a_till_would() {
    let mut f = form("percent_off");
    f.percent = "10".into();
    let def = f.build().unwrap();
    let p = product("13990.00", "9100.00");
    let cart = [(
        p.clone(),
        Quantity::whole(2).unwrap(),
        Money::rub(1_399_000),
    )];
    let (rows, total) = price_sample(&def, Uuid::nil(), None, &cart, &[], now()).unwrap();
    assert_eq!(total, Money::rub(2_518_200));
    assert_eq!(rows[0].discount, Money::rub(279_800));
    // Never below cost: 50 % off stops at the cost of the goods.
    f.percent = "50".into();
    let half = f.build().unwrap();
    let (_, total) = price_sample(&half, Uuid::nil(), None, &cart, &[], now()).unwrap();
    assert_eq!(total, Money::rub(1_820_000));
    // A coupon promotion gives nothing without its coupon.
    f.coupon = "AUTUMN".into();
    let coupon = f.build().unwrap();
    let (_, total) = price_sample(&coupon, Uuid::nil(), None, &cart, &[], now()).unwrap();
    assert_eq!(total, Money::rub(2_798_000));
    let (_, total) =
        price_sample(&coupon, Uuid::nil(), None, &cart, &["autumn".into()], now()).unwrap();
    assert_eq!(total, Money::rub(1_820_000));
}
