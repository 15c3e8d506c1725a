//! Fiscal receipts against the ATOL emulator as a real process: what the register is
//! asked for a sale, and exactly one fiscal document per sale through paper out, lost
//! answers and a register that dies mid-task.

use pos_desktop::fiscal::FiscalState;
use pos_desktop::returns::RefundTo;
use pos_desktop::{Till, TillError};
use serde_json::{json, Value};
use shared_model::certificates::{CertificateCode, CODE_BODY_LEN};
use shared_model::{Discount, Percent, Tender};

use crate::emulator::Emulator;
use crate::support::{barcode, demo_till};

/// A demo till wired to an emulator, with the shift (and so the register's) open.
pub(crate) fn fiscal_till(timeout_ms: u64) -> (tempfile::TempDir, Till, Emulator) {
    let (dir, mut till) = demo_till();
    let emu = Emulator::start(dir.path());
    till.login("999999").expect("manager");
    till.set_fiscal_register(Some(&emu.url)).expect("register");
    till.set_fiscal_timeout_ms(timeout_ms).expect("timeout");
    till.login("222222").expect("salesperson");
    till.open_shift("5000").expect("shift");
    (dir, till, emu)
}

/// Sells one bottle for cash; returns the sale's fiscal state.
fn sell_one(till: &mut Till) -> FiscalState {
    let code = barcode(till, "P0001");
    till.add_item(&code, None).expect("add");
    till.pay(Tender::Cash, "20000", None).expect("pay");
    till.complete_sale().expect("complete").fiscal
}

fn the_task(emu: &Emulator, uuid: &str) -> Value {
    emu.state()["requests"][uuid]["tasks"][0].clone()
}

#[test]
fn a_sale_becomes_one_sell_task_with_every_field() {
    let (_dir, mut till, emu) = fiscal_till(3_000);
    assert_eq!(
        emu.documents("openShift").len(),
        1,
        "the register's shift opened with the till's"
    );
    // Two bottles, 2.5 ml of a decant at 10 % off, a gift certificate sold; card + cash.
    till.add_item(&barcode(&till, "P0002"), Some("2"))
        .expect("bottles");
    till.add_item(&barcode(&till, "D0004"), Some("2.5"))
        .expect("decant");
    let ten = Discount::Percent(Percent::parse("10").expect("10 %"));
    till.discount_line(2, Some(ten)).expect("discount");
    let cert = CertificateCode::from_random(&[7; CODE_BODY_LEN]);
    till.sell_certificate(cert.as_str(), Some("3000"))
        .expect("certificate");
    let due = till.cart().expect("cart").expect("open").priced.total;
    till.pay(Tender::Card, "20000", Some("123456"))
        .expect("card");
    till.pay(Tender::Cash, "20000", None).expect("cash");
    // The customer wants the receipt by e-mail as well; nonsense is refused, unchanged.
    assert!(till.send_receipt_to(Some("anna@")).is_err());
    let cart = till
        .send_receipt_to(Some(" Anna@Mail.ru "))
        .expect("contact");
    assert_eq!(cart.receipt_to.as_deref(), Some("anna@mail.ru"));
    let sale = till.complete_sale().expect("complete");
    let FiscalState::Done { doc } = &sale.fiscal else {
        panic!("not fiscalised: {:?}", sale.fiscal);
    };
    assert_eq!(doc.fn_serial, "9999078900001234");
    assert_eq!(doc.receipt_no, 1);
    let sells = emu.documents("sell");
    assert_eq!(sells.len(), 1);
    assert_eq!(
        sells[0]["fiscalParams"]["fiscalDocumentSign"],
        json!(doc.sign)
    );

    // The task went under the sale's own id, and says what item 2 of the issue says.
    let t = the_task(&emu, &sale.doc.sale_id.to_string());
    assert_eq!(t["type"], "sell");
    assert_eq!(t["taxationType"], "osn");
    assert_eq!(t["operator"]["name"], "Мария Продавцова");
    assert_eq!(t["clientInfo"], json!({"emailOrPhone": "anna@mail.ru"}));
    let items = t["items"].as_array().expect("items");
    let (bottles, decant, certificate) = (&items[0], &items[1], &items[2]);
    assert_eq!(
        (
            bottles["quantity"].clone(),
            bottles["measurementUnit"].clone()
        ),
        (json!(2.0), json!("piece"))
    );
    assert_eq!(bottles["tax"]["type"], "vat22");
    assert_eq!(
        (
            decant["quantity"].clone(),
            decant["measurementUnit"].clone()
        ),
        (json!(2.5), json!("milliliter"))
    );
    // 2.5 ml × 190 ₽ = 475 ₽, 10 % off: 427.50 ₽ on the line.
    assert_eq!(
        (decant["price"].clone(), decant["amount"].clone()),
        (json!(190.0), json!(427.5))
    );
    assert_eq!(
        (
            certificate["paymentMethod"].clone(),
            certificate["paymentObject"].clone(),
            certificate["tax"]["type"].clone()
        ),
        (json!("advance"), json!("payment"), json!("none"))
    );
    assert_eq!(bottles["paymentMethod"], "fullPayment");
    assert_eq!(t["total"], json!(due.minor as f64 / 100.0));
    assert_eq!(
        t["payments"],
        json!([{"type": "electronically", "sum": 20000.0}, {"type": "cash", "sum": 20000.0}])
    );

    // The certificate redeemed in the next sale is a prepaid tender.
    till.add_item(&barcode(&till, "P0001"), None).expect("add");
    till.pay_certificate(cert.as_str(), "3000")
        .expect("certificate pays");
    till.pay(Tender::Cash, "10000", None).expect("cash");
    let second = till.complete_sale().expect("complete");
    let t = the_task(&emu, &second.doc.sale_id.to_string());
    assert_eq!(t["payments"][0], json!({"type": "prepaid", "sum": 3000.0}));
    assert!(
        t.get("clientInfo").is_none(),
        "no contact given: printed only"
    );
    assert!(matches!(second.fiscal, FiscalState::Done { .. }));
    assert_eq!(
        till.fiscal_documents().expect("docs").len(),
        3,
        "shift opening and two sales"
    );
}

#[test]
fn paper_out_holds_the_next_sale_until_the_register_prints() {
    let (_dir, mut till, emu) = fiscal_till(2_000);
    // With no paper the till does not even complete the sale…
    emu.faults(json!({"paper_out": true}));
    let code = barcode(&till, "P0001");
    till.add_item(&code, None).expect("add");
    till.pay(Tender::Cash, "20000", None).expect("pay");
    let e = till.complete_sale().unwrap_err();
    assert!(matches!(e, TillError::RegisterBlocked(_)), "{e}");
    // …but the roll can end while the receipt prints: the sale is kept, and waits.
    emu.faults(json!({"paper_runs_out": true}));
    let FiscalState::Pending { reason } = till.complete_sale().expect("complete").fiscal else {
        panic!("fiscalised without paper");
    };
    assert!(reason.contains("paper"), "{reason}");
    // No new sale while it waits; the window says why.
    let code = barcode(&till, "P0001");
    let refused = till.add_item(&code, None).unwrap_err();
    assert!(
        matches!(refused, TillError::FiscalPending { .. }),
        "{refused}"
    );
    assert!(till
        .cart()
        .expect("cart")
        .is_none_or(|c| c.lines.is_empty()));
    // Paper loaded: the next scan settles the waiting sale first, then sells.
    emu.faults(json!({}));
    till.add_item(&code, None).expect("add after paper");
    assert_eq!(emu.documents("sell").len(), 1);
    assert_eq!(till.fiscal_pending().expect("pending"), 0);
}

#[test]
fn a_lost_answer_or_a_crash_after_executing_never_prints_twice() {
    let (_dir, mut till, mut emu) = fiscal_till(500);
    // The register prints, but its answer never arrives.
    emu.faults(json!({"lose_answers": 1}));
    assert!(matches!(sell_one(&mut till), FiscalState::Pending { .. }));
    assert_eq!(emu.documents("sell").len(), 1, "it did print");
    // Asking again by the sale's uuid finds what it printed: no second receipt.
    till.settle_fiscal().expect("settled");
    assert_eq!(emu.documents("sell").len(), 1);

    // The register dies right after it executed and stored the task.
    emu.faults(json!({"crash": "after"}));
    assert!(matches!(sell_one(&mut till), FiscalState::Pending { .. }));
    assert!(emu.has_exited());
    emu.restart();
    till.settle_fiscal().expect("settled after restart");
    assert_eq!(emu.documents("sell").len(), 2);

    // …and dies before it took the task at all: sent again, printed once.
    emu.faults(json!({"crash": "before"}));
    assert!(matches!(sell_one(&mut till), FiscalState::Pending { .. }));
    emu.restart();
    emu.faults(json!({}));
    till.settle_fiscal().expect("settled after restart");
    assert_eq!(emu.documents("sell").len(), 3);
    let docs = till.fiscal_documents().expect("docs");
    assert_eq!(
        docs.len(),
        4,
        "the shift's opening and three sales, each once"
    );
}

#[test]
fn the_register_s_health_on_its_own_clock() {
    let (_dir, till, emu) = fiscal_till(2_000);
    let warnings = |till: &Till| {
        let v = till.register_view().expect("view");
        serde_json::to_value(v.health.expect("health")).expect("json")
    };
    assert_eq!(warnings(&till)["warnings"], json!([]));
    emu.advance(23 * 3600 + 30 * 60);
    let h = warnings(&till);
    assert_eq!(h["warnings"][0]["kind"], "z_due", "{h}");
    emu.advance(31 * 60);
    let h = warnings(&till);
    assert_eq!(
        (h["warnings"][0]["kind"].clone(), h["block"]["kind"].clone()),
        (json!("shift_expired"), json!("z_required"))
    );
}

#[test]
fn a_return_is_a_sell_return_with_the_original_lines_and_the_slip_says_so() {
    let (_dir, mut till, emu) = fiscal_till(3_000);
    till.add_item(&barcode(&till, "D0004"), Some("3"))
        .expect("decant");
    till.pay(Tender::Cash, "1000", None).expect("cash");
    let sale = till.complete_sale().expect("sale");
    let slip = till.sale_receipt_text(&sale).expect("slip");
    assert!(
        slip.contains("ФП ") && slip.contains("ФН 9999078900001234"),
        "{slip}"
    );
    let ret = till
        .return_goods(
            sale.link.receipt_no,
            Some(&[(1, "1.5")]),
            RefundTo::Cash,
            Some("не подошёл"),
        )
        .expect("return");
    assert!(
        matches!(ret.fiscal, FiscalState::Done { .. }),
        "{:?}",
        ret.fiscal
    );
    let t = the_task(&emu, &ret.doc.return_id.to_string());
    assert_eq!(t["type"], "sellReturn");
    let line = &t["items"][0];
    assert_eq!(
        (
            line["price"].clone(),
            line["quantity"].clone(),
            line["measurementUnit"].clone(),
            line["amount"].clone()
        ),
        (json!(190.0), json!(1.5), json!("milliliter"), json!(285.0))
    );
    assert_eq!(t["payments"], json!([{"type": "cash", "sum": 285.0}]));
    assert_eq!(emu.documents("sellReturn").len(), 1);
    // Counters net of the refund still equal the till's figures.
    assert_eq!(till.register_comparison().expect("compare"), Some(vec![]));
}

#[test]
fn a_till_without_a_register_says_its_slips_are_not_fiscal() {
    let (_dir, mut till) = crate::support::open_till();
    assert!(matches!(sell_one(&mut till), FiscalState::NonFiscal));
    let text = till.receipt_text(1).expect("slip");
    assert!(text.contains("НЕ ЯВЛЯЕТСЯ ФИСКАЛЬНЫМ ДОКУМЕНТОМ"), "{text}");
    // Only a demo till (or a store head office marks non-fiscal) may be without one.
    till.login("999999").expect("manager");
    till.set_fiscal_register(None).expect("a demo till may");
    assert!(till.set_fiscal_register(Some("ftp://x")).is_err());
}

#[test]
fn the_register_stops_sales_before_it_would_refuse_them() {
    let (_dir, mut till, emu) = fiscal_till(2_000);
    let code = barcode(&till, "P0001");
    let try_sale = |till: &mut Till| {
        till.add_item(&code, None).expect("add");
        till.pay(Tender::Cash, "20000", None).expect("pay");
        till.complete_sale()
    };
    // Five minutes before the register's 24 hours: take the Z report first.
    emu.advance(24 * 3600 - 5 * 60);
    let e = try_sale(&mut till).unwrap_err();
    assert!(
        matches!(e, TillError::RegisterBlocked(_)) && e.to_string().contains("Z report"),
        "{e}"
    );
    till.unpay().expect("payment back");
    till.void_sale("Z first").expect("void");
    till.close_shift("25000").expect("Z");
    till.open_shift("0")
        .expect("a new shift, a new register shift");
    assert!(matches!(sell_one(&mut till), FiscalState::Done { .. }));

    // The ОФД unreachable for 29 days: sales stop a day before the fiscal storage locks.
    emu.faults(json!({"ofd_offline": true}));
    assert!(matches!(sell_one(&mut till), FiscalState::Done { .. }));
    till.close_shift("0").expect("Z");
    emu.advance(29 * 24 * 3600);
    till.open_shift("0").expect("shift");
    let view = till.register_view().expect("view");
    let health = serde_json::to_value(view.health.expect("health")).expect("json");
    assert_eq!(health["block"]["kind"], "ofd_lock", "{health}");
    let e = try_sale(&mut till).unwrap_err();
    assert!(e.to_string().contains("OFD"), "{e}");
    // Back online, the backlog goes out and sales go on.
    emu.faults(json!({}));
    till.complete_sale()
        .expect("sold once the OFD has the documents");
}

#[test]
fn cash_in_and_out_are_counted_by_the_register_too() {
    use shared_model::events::CashDirection;
    let (_dir, mut till, emu) = fiscal_till(2_000);
    till.cash_move(CashDirection::In, "1500", "размен")
        .expect("in");
    till.cash_move(CashDirection::Out, "500", "инкассация")
        .expect("out");
    let drawer = emu.state()["drawer"].clone();
    assert_eq!(
        drawer,
        json!(600_000),
        "the 5 000 float, 1 500 in, 500 out, in kopecks"
    );
    // Neither takes out more than the drawer holds, and a refusal records nothing.
    let e = till
        .cash_move(CashDirection::Out, "7000", "инкассация")
        .unwrap_err();
    assert!(matches!(e, TillError::NotEnoughCash(_)), "{e}");
    assert_eq!(emu.state()["drawer"], json!(600_000));
    assert_eq!(till.x_report().expect("x").cash_out.minor, 50_000);
}

/// How many tasks of a type the register was sent (non-fiscal ones included).
fn tasks_of(emu: &Emulator, kind: &str) -> usize {
    emu.state()["requests"]
        .as_object()
        .expect("requests")
        .values()
        .filter(|r| r["tasks"][0]["type"] == kind)
        .count()
}

#[test]
fn x_and_z_reports_show_the_register_s_counters_beside_the_till_s() {
    let (_dir, mut till, emu) = fiscal_till(2_000);
    sell_one(&mut till);
    let x = till.x_report_with_register().expect("x");
    let check = x
        .register
        .expect("a fiscal till's X has the register's side");
    assert!(check.agrees(), "{check:?}");
    let cash = check.figure("cash").expect("cash");
    assert_eq!((cash.till, cash.register), (x.cash_sales, x.cash_sales));
    assert!(check.figure("vat22").is_some(), "{check:?}");
    assert_eq!(tasks_of(&emu, "reportX"), 1, "the register printed its X");
    // Someone rings up a sale on the register itself, behind the till's back.
    emu.sell_aside(10_000);
    let z = till.close_shift("20000").expect("z");
    let check = z.register.expect("the Z has the register's side");
    assert!(!check.agrees(), "{check:?}");
    for what in ["cash", "vat22"] {
        let f = check.figure(what).expect(what);
        assert_eq!(f.register.minor - f.till.minor, 10_000, "{check:?}");
    }
    // Read before the register's own Z (which resets its counters), then the Z ran.
    assert_eq!(emu.documents("closeShift").len(), 1);
}

#[test]
fn a_register_out_of_order_lets_sales_go_on_and_each_gets_one_correction_receipt() {
    let (_dir, mut till, mut emu) = fiscal_till(500);
    // Sale A: the register prints it, the answer is lost, then the register dies.
    emu.faults(json!({"lose_answers": 1}));
    let a = {
        let code = barcode(&till, "P0001");
        till.add_item(&code, None).expect("add");
        till.pay(Tender::Cash, "20000", None).expect("pay");
        till.complete_sale().expect("sale a")
    };
    assert!(matches!(a.fiscal, FiscalState::Pending { .. }));
    emu.kill();
    let code = barcode(&till, "P0001");
    let stuck = till.add_item(&code, None).unwrap_err();
    assert!(matches!(stuck, TillError::FiscalPending { .. }), "{stuck}");
    // A cashier cannot wave the register away; a manager declares it out of order.
    assert!(till.declare_register_outage("не включается").is_err());
    till.login("999999").expect("manager");
    assert!(
        till.declare_register_outage("  ").is_err(),
        "a reason is required"
    );
    till.declare_register_outage("не включается, вызван мастер")
        .expect("outage");
    till.login("222222").expect("salesperson");
    // Sales and returns go on; their slips say what they are.
    let b = {
        let code = barcode(&till, "P0001");
        till.add_item(&code, None).expect("add during the outage");
        till.pay(Tender::Cash, "20000", None).expect("pay");
        till.complete_sale().expect("sale b")
    };
    assert_eq!(b.fiscal, FiscalState::Deferred);
    let slip = till.sale_receipt_text(&b).expect("slip");
    assert!(
        slip.contains("НЕ ЯВЛЯЕТСЯ ФИСКАЛЬНЫМ ДОКУМЕНТОМ") && slip.contains("чек коррекции"),
        "{slip}"
    );
    let r = till
        .return_goods(a.link.receipt_no, None, RefundTo::Cash, Some("не подошёл"))
        .expect("a return during the outage");
    assert_eq!(r.fiscal, FiscalState::Deferred);
    assert_eq!(till.fiscal_pending().expect("pending"), 0);
    assert_eq!(till.fiscal_deferred().expect("deferred"), 3);
    let x = till.x_report_with_register().expect("x");
    let check = x.register.expect("check");
    assert!(check.error.is_some_and(|e| e.contains("out of order")));

    // Repaired. The register is asked about A first: it did print it, so A is recorded,
    // not corrected; B and the return never reached it, so they are corrected.
    emu.restart();
    emu.faults(json!({}));
    assert!(till.end_register_outage().is_err(), "a cashier cannot");
    till.login("999999").expect("manager");
    assert_eq!(till.end_register_outage().expect("restored"), 3);
    assert_eq!(
        emu.documents("sell").len(),
        1,
        "A printed once, never again"
    );
    assert_eq!(emu.documents("sellCorrection").len(), 1);
    assert_eq!(emu.documents("sellReturnCorrection").len(), 1);
    let t = the_task(&emu, &b.doc.sale_id.to_string());
    assert_eq!(t["type"], "sellCorrection");
    assert_eq!(t["correctionType"], "self");
    assert_eq!(t["correctionBaseNumber"], b.link.receipt_no.to_string());
    let today = chrono::Local::now().format("%Y.%m.%d").to_string();
    assert_eq!(t["correctionBaseDate"], today);
    let t = the_task(&emu, &r.doc.return_id.to_string());
    assert_eq!(t["type"], "sellReturnCorrection");
    for id in [a.doc.sale_id, b.doc.sale_id, r.doc.return_id] {
        assert!(
            matches!(
                till.fiscal_state(id).expect("state"),
                FiscalState::Done { .. }
            ),
            "{id}"
        );
    }
    assert_eq!(till.fiscal_deferred().expect("deferred"), 0);
    // The register's counters, corrections included, equal the till's figures.
    assert_eq!(till.register_comparison().expect("compare"), Some(vec![]));
}
