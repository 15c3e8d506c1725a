//! The engine API against real SQLite files.

use pos_desktop::returns::RefundTo;
use pos_desktop::settings::SettingsForm;
use pos_desktop::{Till, TillError};
use shared_model::{Discount, ModelError, Money, Percent, Tender};

use crate::support::*;

fn rub(s: &str) -> Money {
    Money::parse(s, shared_model::Currency::RUB).expect("amount")
}

#[test]
fn a_day_at_the_till_adds_up() {
    let (dir, mut till) = open_till();
    // Piece goods and perfume by the ml, cash with change.
    till.add_item(&barcode(&till, "P0002"), None).unwrap(); // 14 390,00
    let cart = till.add_item("D0004", Some("2.5")).unwrap(); // 190,00/ml × 2.5 = 475,00
    assert_eq!(cart.priced.total, rub("14865.00"));
    till.pay(Tender::Cash, "15000", None).unwrap();
    let s1 = till.complete_sale().unwrap();
    assert_eq!((s1.link.receipt_no, s1.doc.change), (1, rub("135.00")));
    // Split payment: card then cash.
    till.add_item("C0161", Some("3")).unwrap();
    let total = till.cart().unwrap().unwrap().priced.total;
    till.pay(Tender::Card, "1000", Some("77AB12")).unwrap();
    let rest = total.checked_sub(rub("1000")).unwrap();
    till.pay(Tender::Cash, &rest.to_decimal_string(), None)
        .unwrap();
    let s2 = till.complete_sale().unwrap();
    assert_eq!(s2.doc.change, rub("0"));
    // Return one ml of the decant in cash, and part of the split sale to the card.
    let r1 = till
        .return_goods(1, Some(&[(2, "1")]), RefundTo::Cash, Some("аллергия"))
        .unwrap();
    assert_eq!(r1.doc.total, rub("190.00"));
    let r2 = till
        .return_goods(2, Some(&[(1, "1")]), RefundTo::Original, None)
        .unwrap();
    assert_eq!(r2.doc.refunds.len(), 1);
    assert_eq!(r2.doc.refunds[0].tender, Tender::Card);
    till.cash_move(shared_model::events::CashDirection::In, "500", "размен")
        .unwrap();
    till.cash_move(
        shared_model::events::CashDirection::Out,
        "1000",
        "инкассация",
    )
    .unwrap();

    let x = till.x_report().unwrap();
    let sales = s1.doc.total.checked_add(s2.doc.total).unwrap();
    let returns = r1.doc.total.checked_add(r2.doc.total).unwrap();
    assert_eq!(x.sales, sales);
    assert_eq!(x.returns, returns);
    assert_eq!(x.net_sales, sales.checked_sub(returns).unwrap());
    let cash_sales = rub("15000")
        .checked_sub(rub("135"))
        .unwrap()
        .checked_add(rest)
        .unwrap();
    assert_eq!(x.cash_sales, cash_sales);
    assert_eq!(x.card_refunds, r2.doc.total);
    let expected = rub("5000").minor + cash_sales.minor - r1.doc.total.minor + 50_000 - 100_000;
    assert_eq!(x.expected_cash.minor, expected);
    assert_eq!(
        x.vat.iter().map(|v| v.base.minor).sum::<i64>(),
        x.net_sales.minor
    );

    let z = till
        .close_shift(&Money::rub(expected - 1_000).to_decimal_string())
        .unwrap();
    assert_eq!(z.difference, Some(Money::rub(-1_000)));
    assert!(till.verify().unwrap().ok);
    // Stock is the sum of movements: 12 opening − 1 sold.
    let p = till.find_product("P0002").unwrap();
    assert_eq!(till.stock_of(p.id).unwrap().milli(), 11_000);
    drop(till);
    assert!(Till::open(dir.path()).unwrap().verify().unwrap().ok);
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let (dir, mut till) = open_till();
    till.add_item("P0001", None).unwrap();
    let before = snapshot(dir.path());
    let refused: Vec<(&str, TillError)> = vec![
        (
            "unknown barcode",
            till.add_item("4607123999998", None).unwrap_err(),
        ),
        (
            "bad check digit",
            till.add_item("4607123000015", None).unwrap_err(),
        ),
        ("unknown sku", till.add_item("NOPE", None).unwrap_err()),
        ("zero qty", till.add_item("D0004", Some("0")).unwrap_err()),
        (
            "negative qty",
            till.add_item("D0004", Some("-1")).unwrap_err(),
        ),
        (
            "4 decimals",
            till.add_item("D0004", Some("1.2345")).unwrap_err(),
        ),
        (
            "half a bottle",
            till.add_item("P0001", Some("0.5")).unwrap_err(),
        ),
        ("no such line", till.set_quantity(9, "1").unwrap_err()),
        (
            "cashier discount",
            till.discount_line(1, Some(Discount::Percent(Percent::parse("5").unwrap())))
                .unwrap_err(),
        ),
        (
            "card without approval",
            till.pay(Tender::Card, "1", None).unwrap_err(),
        ),
        (
            "card over total",
            till.pay(Tender::Card, "999999", Some("1")).unwrap_err(),
        ),
        (
            "3 decimals money",
            till.pay(Tender::Cash, "1.001", None).unwrap_err(),
        ),
        (
            "no receipt",
            till.return_goods(42, None, RefundTo::Cash, None)
                .unwrap_err(),
        ),
        ("void without reason", till.void_sale("  ").unwrap_err()),
    ];
    for (what, e) in &refused {
        assert!(!e.to_string().is_empty(), "{what}");
        assert_ne!(e.exit_code(), 0);
    }
    assert!(matches!(refused[0].1, TillError::UnknownProduct(_)));
    assert!(matches!(
        refused[1].1,
        TillError::Model(ModelError::BadCheckDigit { .. })
    ));
    assert!(matches!(refused[8].1, TillError::Forbidden { .. }));
    assert_eq!(
        snapshot(dir.path()),
        before,
        "a refused operation changed the database"
    );

    // Paying less than the total, then trying to complete, changes nothing either.
    till.pay(Tender::Cash, "100", None).unwrap();
    let before = snapshot(dir.path());
    assert!(matches!(
        till.complete_sale().unwrap_err(),
        TillError::Model(ModelError::Underpaid { .. })
    ));
    assert!(matches!(
        till.add_item("P0002", None).unwrap_err(),
        TillError::CartHasPayments
    ));
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn nothing_sells_without_an_open_shift() {
    let (dir, mut till) = demo_till();
    let before = snapshot(dir.path());
    assert!(matches!(
        till.add_item("P0001", None).unwrap_err(),
        TillError::NoOpenShift
    ));
    assert!(matches!(
        till.x_report().unwrap_err(),
        TillError::NoOpenShift
    ));
    assert!(matches!(
        till.close_shift("0").unwrap_err(),
        TillError::NoOpenShift
    ));
    assert!(matches!(
        till.return_goods(1, None, RefundTo::Cash, None)
            .unwrap_err(),
        TillError::NoOpenShift
    ));
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn discounts_follow_the_role_limit_and_allocate_exactly() {
    let (_dir, mut till) = open_till();
    till.login("222222").unwrap(); // salesperson: 10 %
    till.add_item("P0001", None).unwrap();
    till.add_item("D0004", Some("3.333")).unwrap();
    till.add_item("C0161", Some("7")).unwrap();
    let ten = Discount::Percent(Percent::parse("10").unwrap());
    let over = Discount::Percent(Percent::parse("10.01").unwrap());
    assert!(matches!(
        till.discount_line(1, Some(over)).unwrap_err(),
        TillError::Model(ModelError::DiscountOverLimit { .. })
    ));
    till.discount_line(1, Some(ten)).unwrap();
    // A sale discount on top would exceed 10 % of the whole sale.
    assert!(till
        .discount_sale(Some(Discount::Amount(Money::rub(60_000))))
        .is_err());
    till.discount_line(1, None).unwrap();
    let cart = till
        .discount_sale(Some(Discount::Amount(Money::rub(1_001))))
        .unwrap();
    let shares: i64 = cart
        .priced
        .lines
        .iter()
        .map(|l| l.sale_discount.minor)
        .sum();
    assert_eq!(shares, 1_001);
    assert_eq!(
        cart.priced.total.minor,
        cart.priced.lines.iter().map(|l| l.total.minor).sum::<i64>()
    );
    till.pay(Tender::Cash, &cart.priced.total.to_decimal_string(), None)
        .unwrap();
    let sale = till.complete_sale().unwrap();
    assert_eq!(sale.doc.discount, Money::rub(1_001));
    assert_eq!(
        sale.doc.total.minor,
        sale.doc.lines.iter().map(|l| l.total.minor).sum::<i64>()
    );
    // The manager's 30 % is enough where the salesperson's is not.
    till.login("999999").unwrap();
    till.add_item("P0001", None).unwrap();
    till.discount_sale(Some(Discount::Percent(Percent::parse("30").unwrap())))
        .unwrap();
}

#[test]
fn partial_returns_never_exceed_the_sale_and_add_up() {
    let (_dir, mut till) = open_till();
    till.add_item("D0004", Some("3")).unwrap();
    till.login("222222").unwrap();
    let cart = till
        .discount_sale(Some(Discount::Amount(Money::rub(1))))
        .unwrap(); // 569,99 for 3 ml
    till.pay(Tender::Cash, "1000", None).unwrap();
    let sale = till.complete_sale().unwrap();
    let mut refunded = 0;
    for q in ["1", "1"] {
        refunded += till
            .return_goods(1, Some(&[(1, q)]), RefundTo::Cash, None)
            .unwrap()
            .doc
            .total
            .minor;
    }
    assert!(matches!(
        till.return_goods(1, Some(&[(1, "1.001")]), RefundTo::Cash, None)
            .unwrap_err(),
        TillError::ReturnExceedsSold { .. }
    ));
    refunded += till
        .return_goods(1, None, RefundTo::Cash, None)
        .unwrap()
        .doc
        .total
        .minor;
    assert_eq!(refunded, sale.doc.total.minor);
    assert_eq!(cart.priced.total, sale.doc.total);
    assert!(matches!(
        till.return_goods(1, None, RefundTo::Cash, None)
            .unwrap_err(),
        TillError::NothingToReturn(1)
    ));
    // A return receipt is not a sale to return against.
    assert!(matches!(
        till.return_goods(2, None, RefundTo::Cash, None)
            .unwrap_err(),
        TillError::NoSuchReceipt(2)
    ));
    assert!(till.verify().unwrap().ok);
}

#[test]
fn the_cart_survives_a_restart_and_parks() {
    let (dir, mut till) = open_till();
    till.add_item("P0001", None).unwrap();
    till.add_item("D0004", Some("1.5")).unwrap();
    drop(till);
    let mut till = Till::open(dir.path()).unwrap();
    let cart = till.cart().unwrap().unwrap();
    assert_eq!(cart.lines.len(), 2);
    let parked = till.park(Some("customer went to the ATM")).unwrap();
    assert!(till.cart().unwrap().is_none());
    till.add_item("P0002", None).unwrap();
    assert!(matches!(
        till.resume(&parked.to_string()).unwrap_err(),
        TillError::SaleInProgress
    ));
    till.void_sale("changed mind").unwrap();
    let resumed = till.resume(&parked.to_string()[..13]).unwrap();
    assert_eq!(resumed.id, parked);
    assert_eq!(resumed.lines.len(), 2);
    assert!(matches!(
        till.close_shift("5000").unwrap_err(),
        TillError::SaleInProgress
    ));
    assert_eq!(till.x_report().unwrap().voids_count, 1);
}

#[test]
fn repeat_scans_add_to_the_line() {
    let (_dir, mut till) = open_till();
    let code = barcode(&till, "P0001");
    till.add_item(&code, None).unwrap();
    let cart = till.add_item(&code, None).unwrap();
    assert_eq!(cart.lines.len(), 1);
    assert_eq!(cart.lines[0].qty.milli(), 2_000);
    // The second barcode of the same product finds it too.
    let other = till.find_product("P0001").unwrap().barcodes[1].clone();
    assert_eq!(
        till.add_item(&other, None).unwrap().lines[0].qty.milli(),
        3_000
    );
}

#[test]
fn the_outbox_holds_every_fact_in_gapless_order() {
    let (_dir, mut till) = open_till();
    till.add_item("P0001", None).unwrap();
    till.pay(Tender::Card, "10090", Some("OK1")).unwrap();
    till.complete_sale().unwrap();
    till.return_goods(1, None, RefundTo::Original, None)
        .unwrap();
    till.close_shift("5000").unwrap();
    let events = till.pending_events(100).unwrap();
    let kinds: Vec<_> = events.iter().map(|e| e.payload.kind()).collect();
    assert_eq!(
        kinds,
        [
            "shift_opened",
            "sale_completed",
            "return_completed",
            "shift_closed"
        ]
    );
    assert!(events
        .iter()
        .enumerate()
        .all(|(i, e)| e.seq == i as u64 + 1 && e.terminal_id == till.terminal_id()));
    assert!(events.iter().all(|e| e.event_id.get_version_num() == 7));
    assert_eq!(till.ack_events(2).unwrap(), 2);
    assert_eq!(till.outbox_status().unwrap().pending, 2);
    // Acknowledged events stay on disk (a restored server can be re-fed): numbering holds.
    assert!(till.verify().unwrap().ok);
}

#[test]
fn tampering_is_detected() {
    let (dir, mut till) = open_till();
    for _ in 0..3 {
        till.add_item("P0001", None).unwrap();
        till.pay(Tender::Cash, "20000", None).unwrap();
        till.complete_sale().unwrap();
    }
    drop(till);
    let c = rusqlite::Connection::open(dir.path().join(pos_desktop::DB_FILE)).unwrap();
    c.execute("UPDATE sale_lines SET total_minor = total_minor - 100 WHERE sale_id = (SELECT id FROM sales WHERE receipt_no = 2)", []).unwrap();
    let v = Till::open(dir.path()).unwrap().verify().unwrap();
    assert!(!v.ok);
    assert!(
        v.problems
            .iter()
            .any(|p| p.contains("receipt 2 was altered")),
        "{:?}",
        v.problems
    );
}

#[test]
fn imports_csv_all_or_nothing() {
    let (dir, mut till) = open_till();
    let before = snapshot(dir.path());
    let bad = "sku,name,barcodes,default_price,vat,unit,category\nX1,Good,4006381333931,10.00,22,pcs,Test\nX2,Bad,4006381333932,10.00,22,pcs,Test\n";
    assert!(matches!(
        till.import_csv(bad.as_bytes()).unwrap_err(),
        TillError::Forbidden { .. }
    ));
    till.login("999999").unwrap();
    let before_login = snapshot(dir.path());
    let e = till.import_csv(bad.as_bytes()).unwrap_err();
    assert!(matches!(e, TillError::Import { line: 3, .. }), "{e}");
    assert_eq!(snapshot(dir.path()), before_login);
    assert_ne!(before, before_login); // only the session changed
    let good = "sku,name,barcodes,default_price,vat,unit,category\nX1,Good,4006381333931,10.00,22,pcs,Test\nP0001,Renamed,,1.00,10,pcs,\n";
    let r = till.import_csv(good.as_bytes()).unwrap();
    assert_eq!((r.created, r.updated), (1, 1));
    assert_eq!(till.find_product("4006381333931").unwrap().sku, "X1");
    assert_eq!(till.find_product("P0001").unwrap().name, "Renamed");
}

#[test]
fn a_locked_database_is_reported_not_waited_on_forever() {
    let (dir, mut till) = open_till();
    let c = rusqlite::Connection::open(dir.path().join(pos_desktop::DB_FILE)).unwrap();
    c.execute_batch("BEGIN EXCLUSIVE").unwrap();
    assert!(matches!(
        till.add_item("P0001", None).unwrap_err(),
        TillError::Locked
    ));
    c.execute_batch("ROLLBACK").unwrap();
    till.add_item("P0001", None).unwrap();
}

/// The settings screen with this printer and idle lock and the scanner keys left default.
fn form<'a>(printer: &'a str, idle_lock_minutes: &'a str) -> SettingsForm<'a> {
    SettingsForm {
        printer,
        idle_lock_minutes,
        scanner_prefix: "",
        scanner_suffix: "Enter",
    }
}

#[test]
fn settings_are_a_managers_and_a_typo_changes_nothing() {
    let (dir, mut till) = demo_till();
    let before = till.settings().unwrap();
    assert_eq!(
        (before.printer.as_str(), before.idle_lock_minutes),
        ("files", 5)
    );
    // The demo cashier may look but not change.
    let refused = till.save_settings(form("files", "10")).unwrap_err();
    assert_eq!(refused.code(), "forbidden");
    till.login("999999").unwrap();
    let snap = snapshot(dir.path());
    // A bad printer or idle lock: refused, and the valid half is not written either.
    for (printer, minutes) in [("lp0", "10"), ("files", "0"), ("tcp:host", "ten")] {
        let e = till.save_settings(form(printer, minutes)).unwrap_err();
        assert_eq!(e.code(), "invalid_input", "{printer} {minutes}");
    }
    // So is a scanner suffix no scanner sends, or a prefix with a space in it.
    for (prefix, suffix) in [("", "Space"), ("] d", "Enter")] {
        let bad = SettingsForm {
            scanner_prefix: prefix,
            scanner_suffix: suffix,
            ..form("files", "10")
        };
        assert_eq!(till.save_settings(bad).unwrap_err().code(), "invalid_input");
    }
    assert_eq!(snapshot(dir.path()), snap);
    // Saved together; a test page goes where receipts will.
    let out = dir.path().join("prints");
    let saved = till
        .save_settings(SettingsForm {
            scanner_prefix: "]d2",
            scanner_suffix: "tab",
            ..form(&format!("files:{}", out.display()), " 15 ")
        })
        .unwrap();
    assert_eq!(saved.idle_lock_minutes, 15);
    assert_eq!(
        (saved.scanner_prefix.as_str(), saved.scanner_suffix.as_str()),
        ("]d2", "Tab")
    );
    assert_eq!(till.scanner().unwrap().suffix, "Tab");
    assert_eq!(till.settings().unwrap(), saved);
    let page = till.print_test_page().unwrap();
    assert_eq!(page.to, out.join("test-page.txt").display().to_string());
    let text = std::fs::read_to_string(out.join("test-page.txt")).unwrap();
    assert!(text.contains("ТЕСТ ПЕЧАТИ") && text.contains(&till.store_name().unwrap()));
    // A printer that is not there is a fault in words, not a hang or a crash.
    till.save_settings(form("device:/nonexistent/lp0", "15"))
        .unwrap();
    let fault = till.print_test_page().unwrap_err();
    assert_eq!(fault.code(), "printer");
    assert!(fault.to_string().contains("/nonexistent/lp0"));
}

#[test]
fn updates_wait_for_the_shift_to_close() {
    let (_dir, mut till) = demo_till();
    assert!(till.may_update().unwrap());
    // A standalone till has no update feed: it is updated by hand.
    assert!(till.update_feed().unwrap().is_none());
    till.open_shift("0").unwrap();
    assert!(!till.may_update().unwrap());
    till.add_item("P0001", None).unwrap();
    till.void_sale("customer left").unwrap();
    assert!(!till.may_update().unwrap());
    till.close_shift("0").unwrap();
    assert!(till.may_update().unwrap());
}

#[test]
fn wrong_pins_make_the_till_wait_longer_each_time_even_across_a_restart() {
    let (dir, mut till) = demo_till();
    till.logout().unwrap();
    for _ in 0..4 {
        assert!(matches!(till.login("0000"), Err(TillError::WrongPin)));
    }
    // The fifth wrong PIN starts a 30-second wait; the right PIN is refused during it.
    assert!(matches!(
        till.login("0000"),
        Err(TillError::PinLocked { seconds: 30 })
    ));
    assert!(matches!(
        till.login("111111"),
        Err(TillError::PinLocked { .. })
    ));
    drop(till);
    let mut till = Till::open(dir.path()).unwrap();
    let err = till.login("111111").unwrap_err();
    assert!(
        matches!(err, TillError::PinLocked { seconds } if seconds <= 30),
        "{err:?}"
    );
    assert_eq!(err.code(), "pin_locked");
    // Let the wait pass (as the clock would): one more wrong PIN waits twice as long.
    let db = rusqlite::Connection::open(dir.path().join(pos_desktop::DB_FILE)).unwrap();
    let past =
        "UPDATE settings SET value = '2020-01-01T00:00:00+00:00' WHERE key = 'pin_locked_until'";
    assert_eq!(db.execute(past, []).unwrap(), 1);
    assert!(matches!(
        till.login("0000"),
        Err(TillError::PinLocked { seconds: 60 })
    ));
    db.execute(past, []).unwrap();
    // The right PIN after the wait logs in and clears the count.
    assert_eq!(
        till.login("111111").unwrap().role,
        shared_model::Role::Cashier
    );
    assert!(matches!(till.login("0000"), Err(TillError::WrongPin)));
}

#[test]
fn a_pin_two_people_share_logs_in_nobody() {
    let (dir, mut till) = demo_till();
    // As a feed from a careless head office could leave it: two cashiers, one PIN.
    let db = rusqlite::Connection::open(dir.path().join(pos_desktop::DB_FILE)).unwrap();
    db.execute(
        "INSERT INTO cashiers (id, name, role, pin_hash) VALUES (?1, 'Двойник', 'cashier', ?2)",
        (
            uuid::Uuid::now_v7().to_string(),
            pos_desktop::auth::hash_pin("111111").unwrap(),
        ),
    )
    .unwrap();
    till.logout().unwrap();
    let err = till.login("111111").unwrap_err();
    assert!(matches!(err, TillError::PinShared), "{err:?}");
    assert!(matches!(till.session(), Err(TillError::NotLoggedIn)));
    assert_eq!(
        till.login("222222").unwrap().role,
        shared_model::Role::Salesperson
    );
}
