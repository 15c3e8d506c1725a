//! The register in the till window: its status in the status bar, and a sale that waits
//! for paper, with the retry that prints it. The emulator runs as a real process.

use std::path::Path;

use pos_desktop::fiscal::FiscalState;
use serde_json::json;
use shared_model::Tender;

use crate::emulator::Emulator;
use crate::ui::{demo_till, shots};
use crate::webdriver::*;

#[test]
fn the_register_in_the_status_bar_and_a_sale_waiting_for_paper() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("till");
    let mut till = demo_till(&dir);
    let emu = Emulator::start(tmp.path());
    till.login("999999").expect("manager");
    till.set_fiscal_register(Some(&emu.url)).expect("register");
    till.set_fiscal_timeout_ms(2_000).expect("timeout");
    till.login("222222").expect("salesperson");
    till.open_shift("5000").expect("shift");
    // The paper runs out just as a sale completes: it is kept, awaiting its receipt.
    emu.faults(json!({"paper_runs_out": true}));
    till.add_item("P0001", None).expect("add");
    till.pay(Tender::Cash, "20000", None).expect("pay");
    let sale = till.complete_sale().expect("complete");
    assert!(matches!(sale.fiscal, FiscalState::Pending { .. }));
    drop(till);

    let display = Display::start();
    let driver = Driver::start(&display, &[("ALAROMA_DATA_DIR", &dir)]);
    let s = Session::open(&driver, Path::new(env!("CARGO_BIN_EXE_pos-desktop")));
    s.wait_text("fiscal-pending", |t| t.contains("нет бумаги"));
    s.wait_text("status-register", |t| t.contains("нет бумаги"));
    s.screenshot(&shots().join("ru-register-paper-out.png"));
    // Nothing new starts while it waits.
    s.type_into("scan", &format!("P0002{ENTER}"));
    s.wait_text("error", |t| t.contains("Чек не пробит"));
    assert_eq!(emu.documents("sell").len(), 0);
    // Paper loaded, Retry: printed once, the bar says the register is ready.
    emu.faults(json!({}));
    s.click("fiscal-retry");
    s.wait_gone("fiscal-pending");
    // Ready, and the register's 24 hours counting down to the Z.
    s.wait_text("status-register", |t| {
        t.contains("готова") && t.contains("Смена 1") && t.contains("до Z 23 ч")
    });
    s.screenshot(&shots().join("ru-register-ready.png"));
    assert_eq!(emu.documents("sell").len(), 1);

    // A customer wants the receipt by e-mail: typed in the payment dialog, it goes to
    // the register with the sale.
    s.type_into("scan", &format!("P0002{ENTER}"));
    s.wait_text("cart-total", |t| !t.is_empty());
    s.type_into("scan", F9);
    s.fill("receipt-to", "Anna@Mail.ru");
    s.type_into("receipt-to", ENTER);
    s.wait_text("receipt-to-shown", |t| t.contains("anna@mail.ru"));
    s.type_into("pay-amount", ENTER);
    s.wait_enabled("complete");
    s.click("complete");
    s.click("new-sale");
    let sells = emu.documents("sell");
    assert_eq!(sells.len(), 2);
    let with_contact = emu.state()["requests"]
        .as_object()
        .expect("requests")
        .values()
        .filter(|r| r["tasks"][0]["clientInfo"]["emailOrPhone"] == "anna@mail.ru")
        .count();
    assert_eq!(with_contact, 1);

    // F10: the X report, the register's counters beside the till's, agreeing.
    s.type_into("scan", F10);
    s.wait_text("register-verdict", |t| t.contains("Совпадают"));
    let cash = s.text("register-fig-cash");
    assert!(cash.contains(&s.text("report-cash-sales")), "{cash}");
    // A sale rung up on the register alone: the Z shows the difference, in red.
    emu.sell_aside(10_000);
    let expected: String = s
        .text("report-expected-cash")
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == ',')
        .collect();
    s.click("to-close-shift");
    s.fill("counted", &expected);
    s.type_into("counted", ENTER);
    s.wait_text("register-verdict", |t| t.contains("расхождения"));
    s.screenshot(&shots().join("ru-z-register-check.png"));
    // What the screen shows is what the engine's Z holds: the register's 100 ₽ more.
    let check = crate::ui::engine_z(&dir)
        .register
        .expect("the Z's register check");
    let cash = check.figure("cash").expect("cash");
    assert_eq!(cash.register.minor - cash.till.minor, 10_000);
    let row = s.text("register-fig-cash");
    assert!(
        row.contains(&cash.till.format(shared_model::Locale::Ru))
            && row.contains(&cash.register.format(shared_model::Locale::Ru)),
        "{row}"
    );
}

/// Marked goods in the window: the EAN asks for the DataMatrix, a permitted unit shows
/// its check, a blocked one is refused with the reason, and one sold while no checker
/// answered is marked so.
#[test]
fn a_marked_product_asks_for_its_code_and_the_line_shows_its_check() {
    use crate::emulator::Checker;
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("till");
    let mut till = demo_till(&dir);
    let checker = Checker::start();
    till.login("999999").expect("manager");
    till.set_marking_checkers(Some(&checker.url), None, Some(500))
        .expect("checker");
    till.login("222222").expect("salesperson");
    till.open_shift("5000").expect("shift");
    let ean = till
        .find_product(pos_desktop::demo::MARKED_SKU)
        .expect("marked")
        .barcodes[0]
        .clone();
    drop(till);
    // As a keyboard-wedge scanner without GS sends it.
    let unit = |serial: &str| {
        format!("010{ean}21{serial}91ab1292Zx9aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abcde")
    };
    // Verdicts are keyed by the code's beginning: GTIN and serial (the till sends GS1).
    checker.verdicts(json!({ format!("010{ean}21BLOCKblock123"): "blocked",
                             format!("010{ean}21SoldSoldSold1"): "already_sold" }));

    let display = Display::start();
    let driver = Driver::start(&display, &[("ALAROMA_DATA_DIR", &dir)]);
    let s = Session::open(&driver, Path::new(env!("CARGO_BIN_EXE_pos-desktop")));
    s.type_into("scan", &format!("{ean}{ENTER}"));
    s.wait_text("error", |t| {
        t.contains("отсканируйте код DataMatrix") && t.contains("J'adore")
    });
    s.type_into("scan", &format!("{}{ENTER}", unit("PeRmItTeD1234")));
    s.wait_text("line-1-mark", |t| {
        t.contains("ЧЗ ✓") && t.contains("PeRmItTeD1234")
    });
    s.type_into("scan", &format!("{}{ENTER}", unit("BLOCKblock123")));
    s.wait_text("error", |t| t.contains("заблокирована"));
    s.type_into("scan", &format!("{}{ENTER}", unit("SoldSoldSold1")));
    s.wait_text("error", |t| t.contains("уже продан"));
    checker.faults(json!({"down": true}));
    s.type_into("scan", &format!("{}{ENTER}", unit("NoAnSwEr12345")));
    s.wait_text("line-2-mark", |t| t.contains("без проверки"));
    s.screenshot(&shots().join("ru-marked-goods.png"));
    let till = pos_desktop::Till::open(&dir).expect("till");
    let cart = till.cart().expect("cart").expect("open");
    assert_eq!(cart.lines.len(), 2, "the blocked unit was not added");
    drop(till);
    // Paid and completed; then the first unit comes back, its code scanned in the
    // return dialog's line field.
    s.type_into("scan", F9);
    s.type_into("pay-amount", ENTER);
    s.wait_enabled("complete");
    s.click("complete");
    s.click("new-sale");
    s.type_into("scan", F6);
    s.fill("return-receipt", "1");
    s.type_into("return-line", &format!("{}{ENTER}", unit("PeRmItTeD1234")));
    s.find("receipt-dialog");
    let db = rusqlite::Connection::open(dir.join(pos_desktop::DB_FILE)).expect("db");
    let back: Vec<(u32, String)> = db
        .prepare("SELECT sale_line_no, mark_id FROM return_lines")
        .and_then(|mut st| st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .expect("return lines");
    assert_eq!(back, [(1, format!("010{ean}21PeRmItTeD1234"))]);
}
