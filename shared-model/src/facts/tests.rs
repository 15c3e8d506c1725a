use chrono::DateTime;
use uuid::Uuid;

use super::*;
use crate::events::{PaymentDoc, ReturnLineDoc, SaleLineDoc};
use crate::{Currency, Unit, VatRate};

fn line(no: u32, price: i64, milli: i64, discount: i64) -> SaleLineDoc {
    let gross = line_amount(Money::rub(price), Quantity::from_milli(milli)).unwrap();
    SaleLineDoc {
        line_no: no,
        product_id: Uuid::from_u128(no as u128),
        sku: format!("P{no}"),
        name: "Goods".into(),
        unit: Unit::Ml,
        qty: Quantity::from_milli(milli),
        unit_price: Money::rub(price),
        vat_rate: VatRate::Vat22,
        gross,
        discount: Money::rub(discount),
        total: Money::rub(gross.minor - discount),
        vat: Money::rub((gross.minor - discount) / 6),
        certificate: None,
        mark: None,
    }
}

fn pay(tender: Tender, minor: i64, certificate: Option<&str>) -> PaymentDoc {
    PaymentDoc {
        tender,
        amount: Money::rub(minor),
        approval_code: None,
        certificate: certificate.map(str::to_owned),
    }
}

/// 2.5 ml at 1 000.00 less 50.00 (2 450.00) and one piece at 300.00: 2 750.00 due.
fn sale(payments: Vec<PaymentDoc>, change: i64) -> SaleDoc {
    let lines = vec![line(1, 100_000, 2_500, 5_000), line(2, 30_000, 1_000, 0)];
    SaleDoc {
        sale_id: Uuid::from_u128(7),
        shift_id: Uuid::nil(),
        cashier_id: Uuid::nil(),
        completed_at: DateTime::from_timestamp_millis(1_764_000_000_000).unwrap(),
        currency: Currency::RUB,
        gross: Money::rub(lines.iter().map(|l| l.gross.minor).sum()),
        discount: Money::rub(5_000),
        total: Money::rub(275_000),
        change: Money::rub(change),
        lines,
        payments,
        vat: vec![],
        catalog_version: None,
        promotions: vec![],
        customer_id: None,
    }
}

fn codes(p: &Problems) -> Vec<&'static str> {
    p.iter().map(|p| p.code()).collect()
}

fn no_certificates(_: &str) -> Option<Money> {
    None
}

#[test]
fn an_honest_split_sale_passes() {
    let s = sale(
        vec![
            pay(Tender::Card, 100_000, None),
            pay(Tender::Certificate, 50_000, Some("CODE")),
            pay(Tender::Cash, 200_000, None),
        ],
        75_000,
    );
    assert!(check_sale(&s, no_certificates).is_empty());
}

#[test]
fn a_cash_raise_paid_by_a_negative_certificate_is_caught() {
    // The attack of the outbox edit: +1 000 000 ₽ cash, −1 000 000 ₽ on a certificate.
    let s = sale(
        vec![
            pay(Tender::Cash, 300_000 + 100_000_000, None),
            pay(Tender::Certificate, -100_000_000, Some("CODE")),
        ],
        25_000,
    );
    let found = check_sale(&s, no_certificates);
    assert!(codes(&found).contains(&"non_positive_tender"), "{found:?}");
    assert!(!found.acceptable());
}

#[test]
fn change_only_from_cash_and_only_up_to_it() {
    let s = sale(vec![pay(Tender::Card, 300_000, None)], 25_000);
    let found = codes(&check_sale(&s, no_certificates));
    assert!(found.contains(&"non_cash_overpays"), "{found:?}");
    assert!(found.contains(&"change_exceeds_cash"), "{found:?}");
    let s = sale(
        vec![
            pay(Tender::Cash, 10_000, None),
            pay(Tender::Card, 275_000, None),
        ],
        10_000,
    );
    assert!(check_sale(&s, no_certificates).is_empty());
}

#[test]
fn totals_must_be_the_sums_of_lines_and_tenders() {
    let mut s = sale(vec![pay(Tender::Cash, 275_000, None)], 0);
    s.total = Money::rub(1);
    assert_eq!(
        codes(&check_sale(&s, no_certificates)),
        ["totals_do_not_add_up"]
    );
    let mut s = sale(vec![pay(Tender::Cash, 275_000, None)], 0);
    s.lines[0].gross = Money::rub(1);
    let found = codes(&check_sale(&s, no_certificates));
    assert!(found.contains(&"line_does_not_add_up"), "{found:?}");
}

#[test]
fn bounds_and_overflow_are_problems_not_panics() {
    let mut s = sale(
        vec![
            pay(Tender::Cash, i64::MAX, None),
            pay(Tender::Cash, i64::MAX, None),
        ],
        0,
    );
    s.lines[1].qty = Quantity::from_milli(0);
    s.lines[0].unit_price = Money::rub(MAX_AMOUNT_MINOR + 1);
    let found = codes(&check_sale(&s, no_certificates));
    for p in ["overflow", "quantity_out_of_bounds", "amount_out_of_bounds"] {
        assert!(found.contains(&p), "{p} in {found:?}");
    }
    let mut s = sale(vec![], 0);
    s.lines.clear();
    assert!(codes(&check_sale(&s, no_certificates)).contains(&"no_lines"));
}

#[test]
fn a_certificate_sells_at_its_face_value() {
    let mut s = sale(vec![pay(Tender::Cash, 275_000, None)], 0);
    s.lines[1].certificate = Some("GIFT".into());
    let face = |c: &str| (c == "GIFT").then_some(Money::rub(30_000));
    assert!(check_sale(&s, face).is_empty());
    let face = |c: &str| (c == "GIFT").then_some(Money::rub(500_000));
    let found = check_sale(&s, face);
    assert_eq!(codes(&found), ["certificate_not_at_face_value"]);
    assert!(found.acceptable());
}

fn ret(lines: &[(u32, i64, i64)], refunds: Vec<PaymentDoc>) -> ReturnDoc {
    let lines: Vec<ReturnLineDoc> = lines
        .iter()
        .map(|(no, milli, amount)| ReturnLineDoc {
            sale_line_no: *no,
            product_id: Uuid::from_u128(*no as u128),
            sku: format!("P{no}"),
            name: "Goods".into(),
            qty: Quantity::from_milli(*milli),
            amount: Money::rub(*amount),
            vat_rate: VatRate::Vat22,
            vat: Money::rub(amount / 6),
            mark: None,
        })
        .collect();
    ReturnDoc {
        return_id: Uuid::from_u128(99),
        sale_id: Uuid::from_u128(7),
        sale_receipt_no: 1,
        shift_id: Uuid::nil(),
        cashier_id: Uuid::nil(),
        completed_at: DateTime::from_timestamp_millis(1_764_000_000_000).unwrap(),
        currency: Currency::RUB,
        total: Money::rub(lines.iter().map(|l| l.amount.minor).sum()),
        lines,
        refunds,
        reason: None,
    }
}

fn sold() -> SoldSale {
    SoldSale {
        lines: [
            (1, (Quantity::from_milli(2_500), Money::rub(245_000))),
            (2, (Quantity::from_milli(1_000), Money::rub(30_000))),
        ]
        .into(),
        certificates: [("GIFT".to_owned(), Money::rub(50_000))].into(),
        marks: Default::default(),
    }
}

fn mark(serial: &str) -> crate::marking::permit::SoldMark {
    crate::marking::permit::SoldMark {
        code: crate::marking::MarkingCode::parse(&format!("0104006381333931{serial}"))
            .expect("code"),
        check: crate::marking::permit::MarkCheck::not_required(),
    }
}

#[test]
fn a_marked_line_is_one_piece_with_a_code_of_its_own() {
    let mut s = sale(vec![pay(Tender::Cash, 275_000, None)], 0);
    s.lines[1].unit = Unit::Piece;
    s.lines[1].mark = Some(mark("21AAAAAAAAAAAAA"));
    assert!(check_sale(&s, |_| None).is_empty());
    // The same unit on two lines, or a marked line of 2.5 ml: held, and never acceptable.
    let mut twice = s.clone();
    twice.lines[0].mark = Some(mark("21AAAAAAAAAAAAA"));
    let found = check_sale(&twice, |_| None);
    assert_eq!(codes(&found), ["marked_line_not_one_unit"]);
    assert!(!found.acceptable());
    let mut poured = s.clone();
    poured.lines[0].mark = Some(mark("21BBBBBBBBBBBBB"));
    assert_eq!(
        codes(&check_sale(&poured, |_| None)),
        ["marked_line_not_one_unit"]
    );
}

#[test]
fn a_marked_return_brings_back_the_code_the_line_sold() {
    let mut sold = sold();
    sold.marks
        .insert(2, mark("21AAAAAAAAAAAAA").code.identity());
    let mut r = ret(&[(2, 1_000, 30_000)], vec![pay(Tender::Cash, 30_000, None)]);
    r.lines[0].mark = Some(mark("21AAAAAAAAAAAAA").code);
    assert!(check_return(&r, Some(&sold), &[]).is_empty());
    r.lines[0].mark = Some(mark("21ZZZZZZZZZZZZZ").code);
    assert_eq!(
        codes(&check_return(&r, Some(&sold), &[])),
        ["mark_not_sold"]
    );
    r.lines[0].mark = None;
    assert_eq!(
        codes(&check_return(&r, Some(&sold), &[])),
        ["mark_not_sold"]
    );
}

#[test]
fn returns_stay_within_what_was_sold_across_partial_returns() {
    let first = ret(&[(1, 1_000, 98_000)], vec![pay(Tender::Cash, 98_000, None)]);
    assert!(check_return(&first, Some(&sold()), &[]).is_empty());
    let rest = ret(
        &[(1, 1_500, 147_000)],
        vec![pay(Tender::Cash, 147_000, None)],
    );
    assert!(check_return(&rest, Some(&sold()), std::slice::from_ref(&first)).is_empty());
    let again = ret(&[(1, 1_000, 98_000)], vec![pay(Tender::Cash, 98_000, None)]);
    let found = check_return(&again, Some(&sold()), &[first, rest]);
    assert_eq!(codes(&found), ["return_exceeds_sold"]);
    let no_line = ret(&[(9, 1_000, 1)], vec![pay(Tender::Cash, 1, None)]);
    assert_eq!(
        codes(&check_return(&no_line, Some(&sold()), &[])),
        ["return_exceeds_sold"]
    );
}

#[test]
fn a_certificate_gets_back_at_most_what_it_paid() {
    let ok = ret(
        &[(2, 1_000, 30_000)],
        vec![pay(Tender::Certificate, 30_000, Some("GIFT"))],
    );
    assert!(check_return(&ok, Some(&sold()), &[]).is_empty());
    let more = ret(
        &[(1, 1_000, 98_000)],
        vec![pay(Tender::Certificate, 98_000, Some("GIFT"))],
    );
    assert_eq!(
        codes(&check_return(&more, Some(&sold()), &[])),
        ["certificate_refund_exceeds_paid"]
    );
    let other = ret(
        &[(2, 1_000, 30_000)],
        vec![pay(Tender::Certificate, 30_000, Some("OTHER"))],
    );
    assert_eq!(
        codes(&check_return(&other, Some(&sold()), &[])),
        ["certificate_refund_exceeds_paid"]
    );
    // 30.00 and then 29.40 onto a certificate that paid 50.00.
    let second = ret(
        &[(1, 300, 29_400)],
        vec![pay(Tender::Certificate, 29_400, Some("GIFT"))],
    );
    assert_eq!(
        codes(&check_return(
            &second,
            Some(&sold()),
            std::slice::from_ref(&ok)
        )),
        ["certificate_refund_exceeds_paid"]
    );
}

#[test]
fn a_return_of_an_unknown_sale_or_with_negative_refunds_is_caught() {
    let r = ret(&[(1, 1_000, 98_000)], vec![pay(Tender::Cash, 98_000, None)]);
    let found = check_return(&r, None, &[]);
    assert_eq!(codes(&found), ["unknown_sale"]);
    assert!(found.acceptable());
    let r = ret(
        &[(1, 1_000, 98_000)],
        vec![
            pay(Tender::Cash, 198_000, None),
            pay(Tender::Certificate, -100_000, Some("GIFT")),
        ],
    );
    let found = codes(&check_return(&r, Some(&sold()), &[]));
    assert!(found.contains(&"non_positive_tender"), "{found:?}");
}
