//! The till window end to end: the real app under Xvfb, driven through tauri-driver by
//! `data-testid`, keyboard only, offline; what the screen shows is checked against what
//! the engine stored. Screenshots of the main screens go to `docs/screenshots/`.

use std::path::{Path, PathBuf};

use pos_desktop::{InitOptions, Till};
use shared_model::events::EventPayload;
use shared_model::shift::ShiftReport;
use shared_model::{Locale, Money};

use crate::webdriver::*;

pub(crate) fn shots() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots");
    std::fs::create_dir_all(&d).expect("screenshot dir");
    d
}

/// A demo till in `dir`, as the app would create it.
pub(crate) fn demo_till(dir: &Path) -> Till {
    Till::init(
        dir,
        &InitOptions {
            demo: true,
            ..Default::default()
        },
    )
    .expect("demo till")
}

/// The Z report the engine recorded for the last closed shift.
pub(crate) fn engine_z(dir: &Path) -> ShiftReport {
    let till = Till::open(dir).expect("till");
    till.pending_events(10_000)
        .expect("events")
        .into_iter()
        .rev()
        .find_map(|e| match e.payload {
            EventPayload::ShiftClosed(c) => Some(c.report),
            _ => None,
        })
        .expect("a closed shift")
}

#[test]
fn in_english_a_card_payment_park_and_resume_and_plain_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("till");
    demo_till(&dir);
    let display = Display::start();
    let driver = Driver::start(&display, &[("ALAROMA_DATA_DIR", &dir)]);
    let s = Session::open(&driver, Path::new(env!("CARGO_BIN_EXE_pos-desktop")));
    let en = |m: i64| Money::rub(m).format(Locale::En);

    // The demo cashier is logged in on a fresh demo till; switch the language.
    s.click("lang");
    s.wait_text("open-shift", |t| t == "Open shift");
    s.type_into("float", ENTER);
    // Esc with typed input asks first; the second Esc drops it.
    s.type_into("scan", "4607");
    s.type_into("scan", ESCAPE);
    s.wait_text("error", |t| t.contains("Press Esc again"));
    s.type_into("scan", ESCAPE);
    assert!(s.text("cart-empty").contains("Scan"));
    s.type_into("scan", &format!("NOPE{ENTER}"));
    s.wait_text("error", |t| t.contains("no product"));
    s.type_into("scan", &format!("4607123000021{ENTER}"));
    s.wait_text("cart-total", |t| t == en(1_439_000));
    // Park it (F4), serve someone else, resume it (F5).
    s.type_into("scan", F4);
    s.find("cart-empty");
    s.type_into("scan", &format!("P0010{ENTER}"));
    s.wait_text("cart-total", |t| t == en(1_679_000));
    s.screenshot(&shots().join("en-sale.png"));
    // A cashier's role gives no manual discounts: refused in plain words.
    s.type_into("scan", F8);
    s.fill("discount-input", "5%");
    s.type_into("discount-input", ENTER);
    s.wait_text("error", |t| t.contains("may not"));
    s.type_into("discount-input", ESCAPE);
    // Nor may a cashier change the till's settings (F12): shown, saving refused.
    s.type_into("scan", F12);
    assert_eq!(s.value("settings-printer"), "files");
    s.type_into("settings-idle", ENTER);
    s.wait_text("error", |t| t.contains("may not"));
    s.type_into("settings-idle", ESCAPE);
    s.type_into("settings-idle", ESCAPE);
    assert!(!s.has("settings-dialog"));
    // A card needs the terminal's approval code; then it pays exactly what is due.
    s.type_into("scan", F9);
    s.fill("pay-amount", "16790");
    s.type_into("pay-approval", ENTER);
    s.wait_text("error", |t| t.contains("approval code"));
    s.fill("pay-amount", "16790");
    s.type_into("pay-approval", &format!("A1B2C3{ENTER}"));
    s.wait_text("cart-due", |t| t == en(0));
    s.screenshot(&shots().join("en-payment.png"));
    s.click("complete");
    s.wait_text("receipt-text", |t| t.contains("Card (approval A1B2C3)"));
    s.type_into("new-sale", ESCAPE);
    s.type_into("scan", F5);
    s.click("resume-0");
    s.wait_text("cart-total", |t| t == en(1_439_000));
    s.type_into("scan", F9);
    s.type_into("pay-amount", ENTER);
    s.wait_enabled("complete");
    s.click("complete");
    s.click("new-sale");
    s.type_into("scan", F10);
    s.wait_text("report-card-sales", |t| t == en(1_679_000));
    s.click("to-close-shift");
    s.fill("counted", "14390");
    s.type_into("counted", ENTER);
    s.wait_text("report-difference", |t| t == en(0));
    s.screenshot(&shots().join("en-z-report.png"));
    let z = engine_z(&dir);
    assert_eq!(z.sales_count, 2);
    assert_eq!(z.card_sales, Money::rub(1_679_000));
    assert_eq!(z.cash_sales, Money::rub(1_439_000));
}

/// In the open settings dialog: saves `printer`, prints a test page, waits for `testid`
/// to say `says`, and closes the dialog (Esc twice: the fields hold typed input).
fn set_printer(s: &Session, printer: &str, testid: &str, says: &str) {
    s.fill("settings-printer", printer);
    s.type_into("settings-printer", ENTER);
    s.wait_text("settings-note", |t| t == "Сохранено");
    s.click("settings-test-print");
    s.wait_text(testid, |t| t.contains(says));
    s.type_into("settings-printer", ESCAPE);
    s.type_into("settings-printer", ESCAPE);
}

#[test]
fn search_by_name_quick_keys_printing_to_files_and_reprint() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("till");
    let mut till = demo_till(&dir);
    till.login("999999").unwrap();
    till.open_shift("0").unwrap();
    drop(till);
    let display = Display::start();
    let driver = Driver::start(&display, &[("ALAROMA_DATA_DIR", &dir)]);
    let s = Session::open(&driver, Path::new(env!("CARGO_BIN_EXE_pos-desktop")));
    // Words in the scan field search by name; Enter on the first hit adds it.
    s.type_into("scan", &format!("chance 100{ENTER}"));
    s.wait_text("found-0", |t| t.contains("Chanel Chance EDP 100"));
    s.type_into("found-0", ENTER);
    s.wait_text("line-1-total", |t| t.contains("16 790"));
    // A quick key adds a popular product with one touch.
    let quick = s.text("quick-0");
    s.click("quick-0");
    s.wait_text("line-2-total", |t| !t.is_empty());
    assert!(s.text("line-2").contains(&quick), "{quick}");
    s.type_into("scan", F9);
    s.type_into("pay-amount", ENTER);
    s.wait_enabled("complete");
    s.click("complete");
    // No printer is set: the receipt goes to a text file, and a reprint writes it again.
    let to = s.wait_text("printed-to", |t| t.contains("receipt-000001.txt"));
    let file = dir.join("receipts").join("receipt-000001.txt");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("Chanel Chance EDP 100"), "{to}");
    std::fs::remove_file(&file).unwrap();
    s.click("reprint");
    s.wait_text("printed-to", |t| t.contains("receipt-000001.txt"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);

    // A manager points the till at a printer in the settings (F12); a test page shows
    // at once that it is not there.
    s.click("new-sale");
    s.type_into("scan", F12);
    assert_eq!(s.value("settings-idle"), "5");
    set_printer(&s, "device:/nonexistent/lp0", "error", "Ошибка принтера");
    assert_eq!(
        Till::open(&dir).unwrap().printer().unwrap(),
        pos_desktop::printer::Printer::Device("/nonexistent/lp0".into())
    );
    // A printer fault is said in words; the sale stands and can be reprinted later.
    s.type_into("scan", &format!("P0002{ENTER}"));
    s.wait_text("line-1-total", |t| t.contains("14 390"));
    s.type_into("scan", F9);
    s.type_into("pay-amount", ENTER);
    s.wait_enabled("complete");
    s.click("complete");
    s.wait_text("printer-error", |t| t.contains("/nonexistent/lp0"));
    assert!(s.text("receipt-text").contains("14 390"));
    let sale = Till::open(&dir).unwrap().sale_by_receipt(2).unwrap();
    assert_eq!(sale.doc.total, Money::rub(1_439_000));
    // Any receipt can be reprinted by its number once the printer is back.
    s.click("new-sale");
    s.click("key-settings");
    set_printer(&s, "files", "settings-note", "test-page.txt");
    s.click("key-reprint");
    s.fill("reprint-input", "1");
    s.type_into("reprint-input", ENTER);
    s.wait_text("receipt-text", |t| t.contains("Chanel Chance EDP 100"));
    s.wait_text("printed-to", |t| t.contains("receipt-000001.txt"));

    // The window may call the app's own commands and nothing of Tauri's core.
    let core = s.execute_async(
        "const done = arguments[0]; window.__TAURI__.core.invoke('plugin:app|version')
           .then(v => done('allowed: ' + v), e => done(String(e)));",
    );
    let core = core.as_str().unwrap_or_default();
    assert!(core.contains("not allowed"), "{core}");
}

#[test]
fn an_idle_till_locks_back_to_the_pin_screen() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("till");
    let mut t = demo_till(&dir);
    t.login("999999").unwrap();
    t.set_idle_lock_minutes(1).unwrap();
    t.login("111111").unwrap();
    t.open_shift("0").unwrap();
    drop(t);
    let display = Display::start();
    let driver = Driver::start(&display, &[("ALAROMA_DATA_DIR", &dir)]);
    let s = Session::open(&driver, Path::new(env!("CARGO_BIN_EXE_pos-desktop")));
    s.find("scan");
    let start = std::time::Instant::now();
    while !s.has("pin") {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(90),
            "still unlocked after 90 s"
        );
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
    assert!(
        start.elapsed() >= std::time::Duration::from_secs(50),
        "locked before the minute was up"
    );
    assert!(
        Till::open(&dir).unwrap().session().is_err(),
        "the engine logged out too"
    );
}

#[test]
fn a_first_start_asks_for_head_office_and_offers_the_demo() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("till");
    // A provisioning file naming only the server: the window asks for the code.
    let config = tmp.path().join("till.toml");
    std::fs::write(&config, "server = \"https://pos.example.ru\"\n").unwrap();
    let display = Display::start();
    let driver = Driver::start(
        &display,
        &[("ALAROMA_DATA_DIR", &dir), ("ALAROMA_TILL_CONFIG", &config)],
    );
    let s = Session::open(&driver, Path::new(env!("CARGO_BIN_EXE_pos-desktop")));
    s.wait_text("setup", |t| {
        t.contains("Подключение кассы к головному офису")
    });
    s.screenshot(&shots().join("till-setup.png"));
    s.click("lang");
    s.wait_text("setup", |t| t.contains("Connect this till to head office"));
    let t = std::time::Instant::now();
    while s.value("setup-server").is_empty() && t.elapsed().as_secs() < 10 {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(s.value("setup-server"), "https://pos.example.ru");
    // Half the answer is refused with the reason; nothing is created.
    s.click("setup-enroll");
    s.wait_text("error", |t| t.contains("enrollment code"));
    assert!(!dir.join(pos_desktop::DB_FILE).exists());
    // The demo starts with its demo cashier logged in, at the shift's opening.
    s.click("setup-demo");
    s.find("float");
    let till = Till::open(&dir).expect("the demo till");
    assert!(till.product_count().unwrap() > 0);
}

#[test]
fn wrong_pins_make_the_window_show_the_wait_even_after_a_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("till");
    demo_till(&dir).logout().unwrap();
    let display = Display::start();
    {
        let driver = Driver::start(&display, &[("ALAROMA_DATA_DIR", &dir)]);
        let s = Session::open(&driver, Path::new(env!("CARGO_BIN_EXE_pos-desktop")));
        // Each wrong PIN lands in the engine before the next is typed.
        let failures = || -> u32 {
            let db = rusqlite::Connection::open(dir.join(pos_desktop::DB_FILE)).unwrap();
            db.query_row(
                "SELECT value FROM settings WHERE key = 'pin_failures'",
                [],
                |r| r.get::<_, String>(0),
            )
            .map_or(0, |v| v.parse().unwrap_or(0))
        };
        for n in 1..=4 {
            s.type_into("pin", &format!("0000{ENTER}"));
            s.wait_text("error", |t| t.contains("Неверный PIN"));
            let t = std::time::Instant::now();
            while failures() < n {
                assert!(
                    t.elapsed().as_secs() < 30,
                    "wrong PIN {n} never reached the engine"
                );
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        }
        s.type_into("pin", &format!("0000{ENTER}"));
        s.wait_text("error", |t| t.contains("Подождите") && t.contains("30"));
    }
    // The app restarted: the right PIN still waits, and the screen says how long.
    let driver = Driver::start(&display, &[("ALAROMA_DATA_DIR", &dir)]);
    let s = Session::open(&driver, Path::new(env!("CARGO_BIN_EXE_pos-desktop")));
    s.type_into("pin", &format!("111111{ENTER}"));
    let said = s.wait_text("error", |t| t.contains("Подождите"));
    let secs: u32 = said
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&secs), "{said}");
    assert!(s.has("pin"), "still on the PIN screen");
}
