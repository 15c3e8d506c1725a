use chrono::{NaiveDate, TimeZone, Utc};
use uuid::Uuid;

use super::health::*;
use super::*;
use crate::events::{PaymentDoc, ReturnLineDoc, SaleLineDoc, SalePromotion};

fn line(
    no: u32,
    name: &str,
    unit: Unit,
    qty: i64,
    price: i64,
    total: i64,
    vat: VatRate,
) -> SaleLineDoc {
    SaleLineDoc {
        line_no: no,
        product_id: Uuid::nil(),
        sku: format!("S{no}"),
        name: name.into(),
        unit,
        qty: Quantity::from_milli(qty),
        unit_price: Money::rub(price),
        vat_rate: vat,
        gross: Money::rub(price * qty / 1000),
        discount: Money::rub(price * qty / 1000 - total),
        total: Money::rub(total),
        vat: Money::rub(vat.extract(total)),
        certificate: None,
        mark: None,
    }
}

fn pay(tender: Tender, amount: i64, certificate: Option<&str>) -> PaymentDoc {
    PaymentDoc {
        tender,
        amount: Money::rub(amount),
        approval_code: None,
        certificate: certificate.map(str::to_owned),
    }
}

fn ctx<'a>(original: Option<&'a SaleDoc>) -> ReceiptContext<'a> {
    ReceiptContext {
        taxation: Taxation::UsnIncome,
        operator: Operator {
            name: "Мария Иванова".into(),
            vatin: Some("500100732259".into()),
        },
        client: Some("buyer@example.com".into()),
        locale: Locale::Ru,
        correction: None,
        original,
    }
}

/// Two bottles, 2.5 ml of a decant with a discount, a certificate sold; paid by card,
/// a certificate and cash with change.
fn sale() -> SaleDoc {
    let mut cert = line(
        3,
        "Подарочный сертификат",
        Unit::Piece,
        1000,
        300_000,
        300_000,
        VatRate::NoVat,
    );
    cert.certificate = Some("GC-7H2K-9QX4".into());
    let lines = vec![
        line(
            1,
            &"Chanel No 5 EDP 50 мл ".repeat(10),
            Unit::Piece,
            2000,
            1_439_000,
            2_878_000,
            VatRate::Vat22,
        ),
        line(
            2,
            "Распив Chanel",
            Unit::Ml,
            2500,
            19_000,
            42_750,
            VatRate::Vat22,
        ),
        cert,
    ];
    let total = 2_878_000 + 42_750 + 300_000;
    SaleDoc {
        sale_id: Uuid::nil(),
        shift_id: Uuid::nil(),
        cashier_id: Uuid::nil(),
        completed_at: Utc
            .with_ymd_and_hms(2026, 12, 7, 10, 0, 0)
            .single()
            .expect("t"),
        currency: crate::Currency::RUB,
        gross: Money::rub(total + 4_750),
        discount: Money::rub(4_750),
        total: Money::rub(total),
        change: Money::rub(9_250),
        vat: Vec::new(),
        catalog_version: None,
        promotions: vec![SalePromotion {
            promotion_id: Uuid::nil(),
            version: 1,
            name: "Распив −10%".into(),
            amount: Money::rub(4_750),
        }],
        customer_id: None,
        payments: vec![
            pay(Tender::Card, 2_000_000, None),
            pay(Tender::Certificate, 500_000, Some("GC-AAAA-1234")),
            pay(Tender::Cash, 500_000, None),
            pay(Tender::Cash, 230_000, None),
        ],
        lines,
    }
}

#[test]
fn a_sale_maps_line_by_line_and_payments_by_kind() {
    let doc = sale();
    let r = sale_receipt(&doc, &ctx(None));
    assert_eq!(r.kind, ReceiptKind::Sell);
    assert_eq!(r.total, doc.total);
    assert_eq!(
        r.lines.iter().map(|l| l.amount.minor).sum::<i64>(),
        r.total.minor
    );
    assert_eq!(r.lines[0].name.chars().count(), MAX_ITEM_NAME);
    assert_eq!((r.lines[1].unit, r.lines[1].qty.milli()), (Unit::Ml, 2500));
    assert_eq!(
        (r.lines[0].method, r.lines[0].subject),
        (PaymentMethod::FullPayment, Subject::Commodity)
    );
    // A certificate sold is an advance, its subject a payment.
    assert_eq!(
        (r.lines[2].method, r.lines[2].subject),
        (PaymentMethod::Advance, Subject::Payment)
    );
    // Cash summed (change included), card electronically, a certificate prepaid.
    let pays: Vec<(PaymentKind, i64)> = r.payments.iter().map(|p| (p.kind, p.sum.minor)).collect();
    assert_eq!(
        pays,
        [
            (PaymentKind::Electronically, 2_000_000),
            (PaymentKind::Prepaid, 500_000),
            (PaymentKind::Cash, 730_000)
        ]
    );
    // The till's own lines: the promotion, and the certificate by its last four only.
    assert_eq!(r.notes[0], "Распив −10%: −47,50 ₽");
    assert!(r.notes[1].contains("****1234"), "{:?}", r.notes);
    assert!(!r.notes.iter().any(|n| n.contains("GC-AAAA")));
    assert_eq!(r.client.as_deref(), Some("buyer@example.com"));
}

#[test]
fn a_return_takes_the_originals_lines_and_a_correction_says_so() {
    let doc = sale();
    let ret = ReturnDoc {
        return_id: Uuid::nil(),
        sale_id: doc.sale_id,
        sale_receipt_no: 1,
        shift_id: Uuid::nil(),
        cashier_id: Uuid::nil(),
        completed_at: Utc
            .with_ymd_and_hms(2026, 12, 7, 10, 0, 0)
            .single()
            .expect("t"),
        currency: crate::Currency::RUB,
        lines: vec![ReturnLineDoc {
            sale_line_no: 2,
            product_id: Uuid::nil(),
            sku: "S2".into(),
            name: "Распив Chanel".into(),
            qty: Quantity::from_milli(1000),
            amount: Money::rub(17_100),
            vat_rate: VatRate::Vat22,
            vat: Money::rub(VatRate::Vat22.extract(17_100)),
            mark: None,
        }],
        refunds: vec![pay(Tender::Cash, 17_100, None)],
        total: Money::rub(17_100),
        reason: None,
    };
    assert_eq!(
        return_receipt(&ret, &ctx(None)),
        Err(ModelError::ReturnWithoutSale)
    );
    let r = return_receipt(&ret, &ctx(Some(&doc))).expect("receipt");
    assert_eq!(r.kind, ReceiptKind::SellReturn);
    assert_eq!(
        (r.lines[0].unit, r.lines[0].price.minor),
        (Unit::Ml, 19_000)
    );
    assert_eq!(
        r.payments,
        [FiscalPayment {
            kind: PaymentKind::Cash,
            sum: Money::rub(17_100)
        }]
    );
    let mut c = ctx(Some(&doc));
    c.correction = Some(Correction {
        base_date: NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"),
        base_number: "12".into(),
    });
    assert_eq!(
        return_receipt(&ret, &c).map(|r| r.kind),
        Ok(ReceiptKind::SellReturnCorrection)
    );
    assert_eq!(sale_receipt(&doc, &c).kind, ReceiptKind::SellCorrection);
}

fn status() -> RegisterStatus {
    RegisterStatus {
        model: "ATOL".into(),
        shift: ShiftState::Opened,
        shift_no: 7,
        shift_expires_at: Some(
            Utc.with_ymd_and_hms(2026, 12, 8, 9, 0, 0)
                .single()
                .expect("t"),
        ),
        paper: true,
        cover_open: false,
        unsent: 0,
        oldest_unsent_at: None,
        fn_serial: "9999078900001234".into(),
        fn_valid_until: NaiveDate::from_ymd_opt(2027, 12, 31),
        clock: None,
    }
}

#[test]
fn the_shift_asks_for_z_before_the_register_refuses() {
    let at = |h, m| {
        Utc.with_ymd_and_hms(2026, 12, 8, h, m, 0)
            .single()
            .expect("t")
    };
    let s = status();
    assert_eq!(
        assess(&s, at(7, 0)),
        Health {
            warnings: vec![],
            block: None
        }
    );
    let h = assess(&s, at(8, 15));
    assert_eq!(
        (h.warnings, h.block),
        (vec![Warning::ZDue { minutes_left: 45 }], None)
    );
    assert_eq!(assess(&s, at(8, 55)).block, Some(Block::ZRequired));
    assert_eq!(assess(&s, at(9, 0)).warnings, [Warning::ShiftExpired]);
}

#[test]
fn the_ofd_backlog_warns_from_day_3_and_stops_sales_a_day_before_the_lock() {
    let made = Utc
        .with_ymd_and_hms(2026, 11, 1, 12, 0, 0)
        .single()
        .expect("t");
    let s = RegisterStatus {
        shift_expires_at: None,
        unsent: 40,
        oldest_unsent_at: Some(made),
        ..status()
    };
    let after = |d: i64| made + chrono::Duration::days(d);
    assert_eq!(assess(&s, after(2)).warnings, []);
    assert_eq!(
        assess(&s, after(3)).warnings,
        [Warning::OfdBacklog {
            unsent: 40,
            days: 3,
            days_to_lock: 27
        }]
    );
    assert_eq!(assess(&s, after(28)).block, None);
    assert_eq!(
        assess(&s, after(29)).block,
        Some(Block::OfdLock { days: 29 })
    );
}

#[test]
fn paper_cover_and_fn_expiry() {
    let now = Utc
        .with_ymd_and_hms(2026, 12, 7, 12, 0, 0)
        .single()
        .expect("t");
    let s = RegisterStatus {
        paper: false,
        cover_open: true,
        shift_expires_at: None,
        ..status()
    };
    let h = assess(&s, now);
    assert_eq!(h.warnings, [Warning::PaperOut, Warning::CoverOpen]);
    assert_eq!(h.block, Some(Block::NotReady));
    let s = RegisterStatus {
        fn_valid_until: NaiveDate::from_ymd_opt(2026, 12, 27),
        shift_expires_at: None,
        ..status()
    };
    assert_eq!(
        assess(&s, now).warnings,
        [Warning::FnExpiring { days_left: 20 }]
    );
    let s = RegisterStatus {
        fn_valid_until: NaiveDate::from_ymd_opt(2026, 12, 6),
        shift_expires_at: None,
        ..status()
    };
    assert_eq!(assess(&s, now).block, Some(Block::FnExpired));
}
