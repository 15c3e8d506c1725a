//! The till window under a real keyboard and a keyboard-wedge scanner: X key events
//! (XTest, through xdotool) land wherever the window's focus is, as a person's or a
//! scanner's do, unlike WebDriver's keys, which are sent to an element. WebDriver only
//! reads back what the screen holds; the engine's database is checked after the window
//! closes. The X server's layout is switched to Russian (`setxkbmap ru`) for part of
//! each test, as store PCs run it.

use std::path::Path;
use std::process::Command;
use std::thread::sleep;
use std::time::Duration;

use shared_model::{Locale, Money};

use crate::ui::{demo_till, engine_z, shots};
use crate::webdriver::*;

/// Key presses into the display's focused window.
struct Keyboard<'a> {
    display: &'a Display,
}

impl Keyboard<'_> {
    fn run(&self, program: &str, args: &[&str]) {
        let st = Command::new(program)
            .args(args)
            .env("DISPLAY", &self.display.name)
            .status()
            .unwrap_or_else(|e| panic!("{program}: {e} (scripts/test.sh installs it)"));
        assert!(st.success(), "{program} {args:?}");
    }

    /// Gives the till window the keyboard focus (as the desktop does when it starts).
    fn focus_window(&self) {
        let args = [
            "search",
            "--sync",
            "--name",
            "Al Aroma POS",
            "windowfocus",
            "--sync",
        ];
        self.run("xdotool", &args);
    }

    /// The X server's keyboard layout from now on: `us` or `ru`.
    fn layout(&self, layout: &str) {
        self.run("setxkbmap", &[layout]);
    }

    /// A person typing: about 90 ms a key.
    fn human(&self, text: &str) {
        self.run("xdotool", &["type", "--delay", "90", text]);
    }

    /// One named key (`Return`, `F9`, `Tab`, `Escape`).
    fn key(&self, name: &str) {
        self.run("xdotool", &["key", name]);
    }

    /// A scanner: the code's keys 5 ms apart, then Enter, after a pause that keeps it
    /// apart from whatever was typed before. Under the Russian layout a scanner's keys
    /// type Cyrillic, so callers pass the characters those key positions give (`З0010`
    /// for the keys of `P0010`); xdotool presses the keys that type them.
    fn scan(&self, keys: &str) {
        sleep(Duration::from_millis(250));
        // Two runs: `type` takes every argument after it as text.
        self.run("xdotool", &["type", "--delay", "5", keys]);
        self.run("xdotool", &["key", "Return"]);
    }
}

/// The `data-testid` of the element that has the focus.
fn focused(s: &Session) -> String {
    s.execute_async(
        "arguments[0](document.activeElement && document.activeElement.getAttribute('data-testid') || '')",
    )
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

/// The till window on a fresh demo till in `dir`, with the keyboard's focus, on the
/// Latin layout.
fn start(dir: &Path) -> (Display, Driver) {
    demo_till(dir).logout().expect("logged out");
    let display = Display::start();
    Keyboard { display: &display }.layout("us");
    let driver = Driver::start_alone(&display, &[("ALAROMA_DATA_DIR", dir)]);
    (display, driver)
}

/// An amount as the screen shows it (`58 645,00 ₽`) as a cashier types it (`58645,00`).
fn as_typed(shown: &str) -> String {
    shown
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == ',')
        .collect()
}

#[test]
fn a_whole_shift_with_the_keyboard_only_in_both_layouts() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("till");
    let (display, driver) = start(&dir);
    let s = Session::open(&driver, Path::new(env!("CARGO_BIN_EXE_pos-desktop")));
    let kb = Keyboard { display: &display };
    let ru = |m: i64| Money::rub(m).format(Locale::Ru);
    s.find("pin");
    kb.focus_window();

    // Мария, a salesperson (she may give up to 10 %), logs in and opens the shift: each
    // screen puts the focus on its field by itself, the float's suggested 0 selected.
    kb.human("222222");
    kb.key("Return");
    s.find("float");
    assert_eq!(focused(&s), "float");
    kb.human("5000");
    kb.key("Return");
    s.find("scan");
    assert_eq!(focused(&s), "scan");
    // Two bottles scanned, then 2.5 ml of a decant: the quantity typed, the code scanned.
    kb.scan("4607123000014");
    s.wait_text("line-1-total", |t| !t.is_empty());
    kb.scan("4607123000021");
    s.wait_text("line-2-total", |t| !t.is_empty());
    kb.human("2.5*");
    kb.scan("D0004");
    s.wait_text("line-3-qty", |t| t.starts_with("2,5"));
    // The PC switched to the Russian layout: the scanner's letters now arrive in Cyrillic.
    kb.layout("ru");
    kb.scan("4607123000038");
    s.wait_text("line-4-total", |t| !t.is_empty());
    kb.scan("З0010");
    s.wait_text("line-5-total", |t| t.contains("16 790"));
    s.wait_text("cart-total", |t| t == ru(6_373_500));
    s.screenshot(&shots().join("ru-sale.png"));

    // F8: 5 % off the sale, typed on the Russian layout.
    kb.key("F8");
    s.find("discount-input");
    assert_eq!(focused(&s), "discount-input");
    kb.human("5%");
    kb.key("Return");
    s.wait_gone("discount-dialog");
    let total = s.wait_text("cart-total", |t| t == ru(6_054_825));
    // F9: the amount due is offered; a scan now is held, never typed into the amount.
    kb.key("F9");
    s.find("pay-amount");
    assert_eq!(focused(&s), "pay-amount");
    let due = s.value("pay-amount");
    kb.scan("З0002");
    s.wait_text("error", |t| t.contains("Сначала завершите оплату"));
    assert_eq!(s.value("pay-amount"), due);
    // 70 000 in cash typed over the offered amount: the change shows, Enter completes.
    kb.human("70000");
    // The window refreshes its status every 5 s: what is being typed stays typed.
    sleep(Duration::from_millis(5_500));
    assert_eq!(s.value("pay-amount"), "70000");
    kb.key("Return");
    s.wait_text("cart-change", |t| t == ru(7_000_000 - 6_054_825));
    s.screenshot(&shots().join("ru-payment.png"));
    kb.key("Return");
    s.find("new-sale");
    assert_eq!(focused(&s), "new-sale");
    assert_eq!(
        s.text("receipt-change"),
        format!("Сдача: {}", ru(7_000_000 - 6_054_825))
    );
    assert!(s.text("receipt-text").contains(&total));
    // Enter: a new sale, which gets the item scanned while paying.
    kb.key("Return");
    s.wait_gone("receipt-dialog");
    s.wait_text("line-1-total", |t| !t.is_empty());
    assert_eq!(focused(&s), "scan");

    // F6: the first bottle of receipt 1 comes back; Tab between receipt, line, quantity.
    kb.key("F6");
    s.find("return-receipt");
    assert_eq!(focused(&s), "return-receipt");
    for (typed, next) in [("1", "Tab"), ("1", "Tab"), ("1", "Return")] {
        kb.human(typed);
        kb.key(next);
    }
    s.wait_text("receipt-text", |t| t.contains("ЧЕК ВОЗВРАТА"));
    assert_eq!(focused(&s), "new-sale");
    kb.key("Return");
    s.wait_gone("receipt-dialog");
    // The held item's sale, paid exactly: F9, Enter pays what is due, Enter completes,
    // Enter starts the next.
    kb.key("F9");
    s.find("pay-amount");
    kb.key("Return");
    s.wait_enabled("complete");
    kb.key("Return");
    s.find("new-sale");
    kb.key("Return");
    s.wait_gone("receipt-dialog");

    // Back on the Latin layout. F10: the X report; Enter goes on to closing the shift,
    // where the counted cash is typed as the report shows it.
    kb.layout("us");
    kb.key("F10");
    let expected = s.wait_text("report-expected-cash", |t| !t.is_empty());
    assert_eq!(focused(&s), "to-close-shift");
    kb.key("Return");
    s.find("counted");
    assert_eq!(focused(&s), "counted");
    kb.human(&as_typed(&expected));
    kb.key("Return");
    s.wait_text("report-difference", |t| t == ru(0));
    s.screenshot(&shots().join("ru-z-report.png"));
    let shown = [
        s.text("report-sales"),
        s.text("report-returns"),
        s.text("report-expected-cash"),
    ];
    drop(s);
    drop(driver);

    // The screen and the engine agree, to the kopeck.
    let z = engine_z(&dir);
    let till = pos_desktop::Till::open(&dir).unwrap();
    let held = till.find_product("P0002").unwrap().price;
    assert_eq!(z.sales, Money::rub(6_054_825 + held.minor));
    assert_eq!(
        shown,
        [z.sales, z.returns, z.expected_cash].map(|m| m.format(Locale::Ru))
    );
    assert_eq!(
        z.expected_cash.minor,
        500_000 + z.sales.minor - z.returns.minor
    );
    assert!(z.returns.minor > 0);
    assert_eq!(z.difference, Some(Money::rub(0)));
}

/// Presses Escape until `dialog` is gone (twice when a field held typing: the first
/// one asks).
fn close(kb: &Keyboard, s: &Session, dialog: &str) {
    for _ in 0..2 {
        kb.key("Escape");
        sleep(Duration::from_millis(300));
        if !s.has(dialog) {
            return;
        }
    }
    s.wait_gone(dialog);
}

#[test]
fn a_scan_during_any_dialog_ends_where_it_belongs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("till");
    let (display, driver) = start(&dir);
    let s = Session::open(&driver, Path::new(env!("CARGO_BIN_EXE_pos-desktop")));
    let kb = Keyboard { display: &display };
    s.find("pin");
    kb.focus_window();
    // The manager, who may open every dialog; the shift opened with the float offered.
    kb.human("999999");
    kb.key("Return");
    s.find("float");
    kb.key("Return");
    s.find("scan");
    kb.scan("P0010");
    s.wait_text("line-1-total", |t| !t.is_empty());
    // Focus lost (a click on the page itself, then on a button): the next keys still
    // reach the scan field.
    s.execute_async("document.activeElement.blur(); arguments[0]()");
    kb.scan("P0010");
    s.wait_text("line-1-qty", |t| t.starts_with('2'));
    s.execute_async("document.querySelector('[data-testid=key-parked]').focus(); arguments[0]()");
    kb.scan("P0010");
    s.wait_text("line-1-qty", |t| t.starts_with('3'));
    // A person typing a code slowly on the Russian layout is not a scan: left as typed.
    kb.human("З0002");
    kb.key("Return");
    s.wait_text("error", |t| !t.is_empty());
    assert!(!s.has("line-2-total"));

    // Dialogs with no code field: the scan is taken out of the field it landed in, held,
    // and said so; it goes on the sale when the dialog closes.
    let mut held = 0;
    let mut hold = |open: &dyn Fn(), dialog: &str, field: &str, says: &str| {
        open();
        s.find(dialog);
        assert_eq!(focused(&s), field, "{dialog}");
        let input = !matches!(field, "found-0" | "to-close-shift");
        let before = if input { s.value(field) } else { String::new() };
        kb.scan("P0001");
        s.wait_text("error", |t| t.contains(says));
        if input {
            assert_eq!(
                s.value(field),
                before,
                "{dialog}: nothing typed into {field}"
            );
        }
        close(&kb, &s, dialog);
        held += 1;
        s.wait_text("line-2-qty", |t| t.starts_with(&held.to_string()));
        // Said while it was held; gone once it is on the sale.
        s.wait_gone("error");
    };
    let (kbr, sr) = (&kb, &s);
    let key = |k: &'static str| move || kbr.key(k);
    let click = |id: &'static str| move || sr.click(id);
    let pay = "Сначала завершите оплату";
    let other = "Сначала закройте это окно";
    hold(&key("F9"), "pay-dialog", "pay-amount", pay);
    hold(&key("F8"), "discount-dialog", "discount-input", other);
    hold(&key("F7"), "cash_in_out-dialog", "cash_in_out-input", other);
    hold(&key("F12"), "settings-dialog", "settings-printer", other);
    hold(&click("key-void"), "void-dialog", "void-input", other);
    hold(&key("F10"), "report-dialog", "to-close-shift", other);
    hold(&key("F5"), "parked-dialog", "scan", other);
    let close_shift = || {
        kb.key("F10");
        s.find("to-close-shift");
        kb.key("Return");
    };
    hold(&close_shift, "close-shift-dialog", "counted", other);
    let search = || {
        kb.human("Chanel");
        kb.key("Return");
    };
    hold(&search, "search-dialog", "found-0", other);

    // Code fields: the code stays there, its Russian-layout letters read back.
    kb.layout("ru");
    let coded = |open: &dyn Fn(), dialog: &str, field: &str, keys: &str, code: &str| {
        open();
        s.find(dialog);
        if focused(&s) != field {
            let js =
                format!("document.querySelector('[data-testid={field}]').focus(); arguments[0]()");
            s.execute_async(&js);
        }
        kb.scan(keys);
        s.wait_text(field, |_| s.value(field) == code);
        close(&kb, &s, dialog);
    };
    coded(
        &key("F3"),
        "customer-dialog",
        "customer-input",
        "СФКВ777",
        "CARD777",
    );
    coded(
        &click("key-coupon"),
        "coupon-dialog",
        "coupon-input",
        "ЫФМУ10",
        "SAVE10",
    );
    coded(
        &click("key-reprint"),
        "reprint-dialog",
        "reprint-input",
        "0042",
        "0042",
    );
    coded(
        &key("F9"),
        "pay-dialog",
        "pay-certificate-code",
        "СУКЕ1234",
        "CERT1234",
    );
    // A receipt number: the code is kept and the lines to return are asked next.
    kb.key("F6");
    s.find("return-receipt");
    kb.scan("0042");
    s.wait_text("return-receipt", |_| focused(&s) == "return-line");
    assert_eq!(s.value("return-receipt"), "0042");
    close(&kb, &s, "return-dialog");

    // Over the last receipt, a scan starts the next sale with it.
    kb.key("F9");
    s.find("pay-amount");
    kb.key("Return");
    s.wait_enabled("complete");
    kb.key("Return");
    s.find("new-sale");
    kb.scan("З0003");
    s.wait_gone("receipt-dialog");
    s.wait_text("line-1-total", |t| !t.is_empty());
    drop(s);
    drop(driver);

    let till = pos_desktop::Till::open(&dir).unwrap();
    let cart = till.cart().unwrap().expect("the next sale's cart");
    let skus: Vec<&str> = cart.lines.iter().map(|l| l.sku.as_str()).collect();
    assert_eq!(skus, ["P0003"]);
    assert_eq!(
        till.outbox_status().unwrap().last_seq,
        2,
        "shift and one sale"
    );
}

/// A marked perfume under a keyboard-wedge scanner that drops the GS separators: its EAN
/// asks for the DataMatrix, and the DataMatrix is read alike on the Latin layout and, typed
/// as Cyrillic, on the Russian one.
#[test]
fn a_datamatrix_scanned_in_either_layout_is_one_marked_unit() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("till");
    let (display, driver) = start(&dir);
    let ean = {
        let t = pos_desktop::Till::open(&dir).expect("till");
        t.find_product(pos_desktop::demo::MARKED_SKU)
            .expect("marked")
            .barcodes[0]
            .clone()
    };
    let s = Session::open(&driver, Path::new(env!("CARGO_BIN_EXE_pos-desktop")));
    let kb = Keyboard { display: &display };
    s.find("pin");
    kb.focus_window();
    kb.human("222222");
    kb.key("Return");
    s.find("float");
    kb.human("0");
    kb.key("Return");
    s.find("scan");
    let unit = |serial: &str| {
        format!("010{ean}21{serial}91ab1292Zx9aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abcde")
    };
    kb.scan(&ean);
    s.wait_text("error", |t| t.contains("DataMatrix"));
    kb.scan(&unit("LatinLayout12"));
    s.wait_text("line-1-mark", |t| t.contains("LatinLayout12"));
    // The Russian layout: the scanner's letter keys type Cyrillic.
    kb.layout("ru");
    let us = "qwertyuiopasdfghjklzxcvbnmQWERTYUIOPASDFGHJKLZXCVBNM";
    let ru = "йцукенгшщзфывапролдячсмитьЙЦУКЕНГШЩЗФЫВАПРОЛДЯЧСМИТЬ";
    let cyrillic: String = unit("RussianLayout")
        .chars()
        .map(|c| us.find(c).map_or(c, |i| ru.chars().nth(i).unwrap_or(c)))
        .collect();
    kb.scan(&cyrillic);
    s.wait_text("line-2-mark", |t| t.contains("RussianLayout"));
    // The same unit again, in either layout: refused as a repeat.
    kb.scan(&cyrillic);
    s.wait_text("error", |t| t.contains("уже в чеке"));
    kb.layout("us");
    drop(s);
    let t = pos_desktop::Till::open(&dir).expect("till");
    let cart = t.cart().expect("cart").expect("open");
    assert_eq!(cart.lines.len(), 2);
    assert!(cart.lines.iter().all(|l| l.mark.is_some()));
}
