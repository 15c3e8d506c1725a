//! `pos-till` as a user runs it: separate processes sharing a data dir.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn pos_till(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pos-till"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("ALAROMA_DATA_DIR")
        .output()
        .expect("run pos-till")
}

/// Runs with `--json`, asserts success, returns the parsed output.
fn ok(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let o = pos_till(dir, &all);
    assert!(
        o.status.success(),
        "{args:?} failed: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("json output")
}

/// Runs with `--json`, asserts failure with `code`, returns the exit code.
fn refused(dir: &Path, args: &[&str], code: &str) -> i32 {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let o = pos_till(dir, &all);
    assert!(!o.status.success(), "{args:?} should fail");
    let v: Value = serde_json::from_slice(&o.stdout).expect("json error");
    assert_eq!(v["error"]["code"], code, "{v}");
    assert!(!v["error"]["message"].as_str().unwrap_or("").is_empty());
    o.status.code().unwrap_or(-1)
}

fn minor(v: &Value) -> i64 {
    v["minor"].as_i64().expect("money")
}

#[test]
fn scripted_session_figures_add_up() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    ok(d, &["init", "--demo"]);
    let found = ok(d, &["catalog", "search", "chanel", "no", "5"]);
    assert!(found
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["sku"] == "D0004" && p["unit"] == "ml"));
    ok(d, &["shift", "open", "--float", "5000.00"]);
    // Sale 1: a bottle by barcode and 2.5 ml of a decant, cash with change.
    ok(d, &["sale", "add", "4607123000021"]);
    ok(d, &["sale", "add", "D0004", "--qty", "2.5"]);
    ok(d, &["sale", "pay", "cash", "20000"]);
    let s1 = ok(d, &["sale", "complete"]);
    assert_eq!(s1["link"]["receipt_no"], 1);
    assert_eq!(minor(&s1["doc"]["total"]), 1_439_000 + 47_500);
    assert_eq!(minor(&s1["doc"]["change"]), 2_000_000 - 1_486_500);
    // Sale 2: by card.
    ok(d, &["sale", "add", "P0001", "--qty", "2"]);
    ok(d, &["sale", "pay", "card", "20180", "--approval", "123456"]);
    let s2 = ok(d, &["sale", "complete"]);
    // Return one ml to cash.
    let r = ok(
        d,
        &[
            "return", "1", "--line", "2", "--qty", "1", "--refund", "cash",
        ],
    );
    assert_eq!(minor(&r["doc"]["total"]), 19_000);
    ok(d, &["cash", "in", "1000", "--reason", "размен"]);
    ok(d, &["cash", "out", "300", "--reason", "инкассация"]);
    let x = ok(d, &["report", "x"]);
    let sales = minor(&s1["doc"]["total"]) + minor(&s2["doc"]["total"]);
    assert_eq!(minor(&x["sales"]), sales);
    assert_eq!(minor(&x["returns"]), 19_000);
    assert_eq!(minor(&x["net_sales"]), sales - 19_000);
    let cash_sales = minor(&s1["doc"]["total"]);
    assert_eq!(minor(&x["cash_sales"]), cash_sales);
    let expected = 500_000 + cash_sales - 19_000 + 100_000 - 30_000;
    assert_eq!(minor(&x["expected_cash"]), expected);
    let z = ok(
        d,
        &[
            "shift",
            "close",
            "--counted",
            &shared_model::Money::rub(expected).to_decimal_string(),
        ],
    );
    assert_eq!(minor(&z["difference"]), 0);
    assert_eq!(minor(&z["net_sales"]), minor(&x["net_sales"]));
    let v = ok(d, &["verify"]);
    assert_eq!(v["ok"], true);
    assert_eq!(v["receipts"], 3);
    // Receipts reprint, in text and ESC/POS.
    let esc = d.join("receipt.bin");
    let rc = ok(d, &["receipt", "1", "--escpos", esc.to_str().unwrap()]);
    assert!(rc["text"].as_str().unwrap().contains("КАССОВЫЙ ЧЕК"));
    assert!(rc["text"]
        .as_str()
        .unwrap()
        .lines()
        .all(|l| l.chars().count() <= 48));
    assert!(std::fs::read(&esc).unwrap().starts_with(&[0x1B, b'@']));
    // shift opened, 2 sales, return, cash in, cash out, shift closed
    assert_eq!(ok(d, &["outbox"])["pending"], 7);
}

#[test]
fn errors_have_messages_and_exit_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    assert_eq!(
        refused(d, &["shift", "open", "--float", "1"], "not_initialised"),
        5
    );
    // A misspelt language is refused, not taken for Russian (and creates nothing).
    refused(d, &["init", "--demo", "--lang", "fr"], "invalid_input");
    ok(d, &["init", "--demo"]);
    assert_eq!(refused(d, &["init", "--demo"], "already_initialised"), 5);
    assert_eq!(refused(d, &["sale", "add", "P0001"], "no_open_shift"), 4);
    ok(d, &["shift", "open", "--float", "0"]);
    assert_eq!(
        refused(d, &["sale", "add", "4607123999998"], "unknown_product"),
        3
    );
    assert_eq!(
        refused(d, &["sale", "add", "4607123000015"], "invalid_input"),
        4
    );
    assert_eq!(
        refused(d, &["sale", "add", "D0004", "--qty", "0"], "invalid_input"),
        4
    );
    assert_eq!(
        refused(d, &["sale", "add", "D0004", "--qty", "-2"], "invalid_input"),
        4
    );
    assert_eq!(
        refused(
            d,
            &["sale", "add", "D0004", "--qty", "0.0001"],
            "invalid_input"
        ),
        4
    );
    ok(d, &["sale", "add", "P0001"]);
    assert_eq!(
        refused(d, &["sale", "discount", "--percent", "5"], "forbidden"),
        4
    );
    let o = pos_till(d, &["--json", "sale", "discount"]);
    let v: Value = serde_json::from_slice(&o.stdout).expect("json error");
    assert_eq!(v["error"]["code"], "invalid_input");
    assert!(v["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("say which discount")));
    ok(d, &["sale", "pay", "cash", "100"]);
    assert_eq!(refused(d, &["sale", "complete"], "invalid_input"), 4);
    assert_eq!(
        refused(d, &["return", "7", "--refund", "cash"], "no_such_receipt"),
        3
    );
    assert_eq!(refused(d, &["login", "--pin", "0000"], "wrong_pin"), 4);
    // Human output goes to stderr with a plain message.
    let o = pos_till(d, &["sale", "add", "nonsense"]);
    assert_eq!(o.status.code(), Some(4)); // cart has payments: refused before lookup
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("error: "));
    // Corrupt file.
    let bad = tempfile::tempdir().unwrap();
    std::fs::write(
        bad.path().join(pos_desktop::DB_FILE),
        b"this is not a database at all, just some bytes....",
    )
    .unwrap();
    assert_eq!(refused(bad.path(), &["status"], "corrupt"), 5);
}

#[test]
fn the_shell_runs_commands_in_one_session() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    ok(tmp.path(), &["init", "--demo"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_pos-till"))
        .arg("--data-dir")
        .arg(tmp.path())
        .arg("shell")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let script = "shift open --float 100\nsale add P0001\nsale pay cash 10090\nsale complete\nsale add 'no such'\nexit\n";
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("Receipt 1"), "{out}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("no product with barcode or SKU \"no such\"")
    );
}

#[test]
fn a_till_without_a_server_is_bootstrapped_by_its_first_admin() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    ok(d, &["init", "--store", "Al Aroma, ТЦ Европейский"]);
    assert_eq!(
        ok(d, &["catalog", "search", "chanel"])
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    refused(d, &["login", "--pin", "111111"], "wrong_pin");
    // The first user must be able to run the till.
    refused(
        d,
        &[
            "cashier",
            "add",
            "--name",
            "Кассир",
            "--role",
            "cashier",
            "--pin",
            "111111",
        ],
        "forbidden",
    );
    ok(
        d,
        &[
            "cashier",
            "add",
            "--name",
            "Админ",
            "--role",
            "admin",
            "--pin",
            "808080",
        ],
    );
    // From then on adding users needs a login with the right.
    refused(
        d,
        &[
            "cashier",
            "add",
            "--name",
            "Кассир",
            "--role",
            "cashier",
            "--pin",
            "111111",
        ],
        "not_logged_in",
    );
    ok(d, &["login", "--pin", "808080"]);
    ok(
        d,
        &[
            "cashier",
            "add",
            "--name",
            "Кассир",
            "--role",
            "cashier",
            "--pin",
            "111111",
        ],
    );
    refused(
        d,
        &[
            "cashier",
            "add",
            "--name",
            "Двойник",
            "--role",
            "cashier",
            "--pin",
            "111111",
        ],
        "pin_in_use",
    );
    refused(
        d,
        &[
            "cashier", "add", "--name", "X", "--role", "boss", "--pin", "1212",
        ],
        "invalid_input",
    );
    assert_eq!(
        ok(d, &["cashier", "list"]).as_array().map(Vec::len),
        Some(2)
    );
    let csv = d.join("goods.csv");
    std::fs::write(&csv, "sku,name,barcodes,default_price,vat,unit,category\nX1,Rose water,4006381333931,12.30,22,ml,Water\n").unwrap();
    ok(d, &["catalog", "import", csv.to_str().unwrap()]);
    // With no head office to mark the store non-fiscal, the till sells through a register.
    let emu = crate::emulator::Emulator::start(d);
    ok(d, &["register", "set", &emu.url]);
    ok(d, &["settings", "--lang", "en"]);
    refused(d, &["settings", "--lang", "fr"], "invalid_input");
    ok(d, &["login", "--pin", "111111"]);
    refused(d, &["settings", "--store", "Mine now"], "forbidden");
    ok(d, &["shift", "open", "--float", "0"]);
    ok(d, &["sale", "add", "4006381333931", "--qty", "10"]);
    ok(d, &["sale", "pay", "cash", "200"]);
    let s = ok(d, &["sale", "complete"]);
    assert_eq!(minor(&s["doc"]["change"]), 20_000 - 12_300);
    let text = ok(d, &["receipt", "1"])["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        text.contains("SALE RECEIPT")
            && text.contains("₽123.00")
            && text.contains("Al Aroma, ТЦ Европейский"),
        "{text}"
    );
}

#[test]
fn customers_coupons_and_certificates_from_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    ok(d, &["init", "--demo"]);
    ok(d, &["shift", "open", "--float", "0"]);
    // A customer registered here is found by any spelling of the phone, offline.
    let c = ok(
        d,
        &[
            "customer",
            "add",
            "--name",
            "Мария",
            "--phone",
            "8 (912) 345-67-89",
            "--card",
            "ac-0042",
        ],
    );
    assert_eq!(
        (c["phone"].as_str(), c["card_no"].as_str()),
        (Some("+79123456789"), Some("AC0042"))
    );
    assert_eq!(
        ok(d, &["customer", "find", "+7 912 345 67 89"])["name"],
        "Мария"
    );
    refused(
        d,
        &["customer", "add", "--name", "Ещё", "--phone", "9123456789"],
        "customer_exists",
    );
    // The demo cashier may not put customers in discount groups.
    refused(
        d,
        &[
            "customer", "add", "--name", "VIP", "--card", "V100", "--group", "vip",
        ],
        "forbidden",
    );
    ok(d, &["sale", "add", "P0001"]);
    let cart = ok(d, &["sale", "customer", "ac 0042"]);
    assert_eq!(cart["customer"]["name"], "Мария");
    refused(
        d,
        &["sale", "customer", "+7 000 000 00 00"],
        "unknown_customer",
    );
    // Coupons and certificates are checked before anything is written.
    refused(d, &["sale", "coupon", "NOSUCH"], "coupon_refused");
    refused(
        d,
        &["certificate", "ABCD-EFGH-JKLM-N"],
        "certificate_unknown",
    );
    refused(
        d,
        &["sale", "sell-certificate", "2345"],
        "certificate_unknown",
    );
    refused(
        d,
        &["sale", "pay", "certificate", "10", "--code", "2345"],
        "certificate_unknown",
    );
    refused(d, &["sale", "pay", "certificate", "10"], "invalid_input");
    assert!(ok(d, &["sale", "show"])["payments"]
        .as_array()
        .unwrap()
        .is_empty());
    // The event for head office waits in the outbox with the sale's.
    let s = ok(d, &["outbox"]);
    assert!(s["pending"].as_u64().unwrap() >= 2, "{s}");
}

#[test]
fn a_failed_provisioning_leaves_nothing_and_upgrades_never_strand_unsent_events() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // Nobody listens on port 9: the enrollment fails and no till is left to trip over.
    let code = refused(
        d,
        &[
            "provision",
            "--server",
            "http://127.0.0.1:9",
            "--code",
            "AB12-CD34",
        ],
        "offline",
    );
    assert_eq!(code, 6);
    assert!(!d.join(pos_desktop::DB_FILE).exists());
    refused(
        d,
        &["provision", "--server", "ftp://x", "--code", "AB12"],
        "invalid_input",
    );
    assert!(!d.join(pos_desktop::DB_FILE).exists());
    // Plain http to another machine would send the device secret in clear: refused
    // before anything is sent, unless asked for in so many words.
    let o = pos_till(
        d,
        &[
            "--json",
            "provision",
            "--server",
            "http://pos.example.invalid",
            "--code",
            "AB12",
        ],
    );
    assert_eq!(o.status.code(), Some(4));
    let v: Value = serde_json::from_slice(&o.stdout).expect("json error");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("https://"),
        "{v}"
    );
    assert!(!d.join(pos_desktop::DB_FILE).exists());

    // A till with a sale not yet sent (schema 2): safe for a version that still sends
    // it, refused (exit 7) for one that sends only schema 3 and newer.
    ok(d, &["init", "--demo"]);
    ok(d, &["shift", "open", "--float", "0"]);
    let cart = ok(d, &["sale", "add", "D0004", "--qty", "2.5"]);
    let due = cart["due"]["minor"].as_i64().unwrap();
    ok(d, &["sale", "pay", "cash", &format!("{}", due / 100 + 1)]);
    ok(d, &["sale", "complete"]);
    let c = ok(d, &["upgrade-check"]);
    assert_eq!(c["stranded"], 0, "{c}");
    let pending = c["pending"].as_u64().unwrap();
    assert!(pending >= 2, "{c}");
    assert_eq!(
        refused(
            d,
            &["upgrade-check", "--oldest-schema", "3"],
            "stranded_events"
        ),
        7
    );

    // An event an older version wrote in a schema this one no longer sends: the till
    // refuses to open (and to migrate) the database, which stays exactly as it was.
    let db = d.join(pos_desktop::DB_FILE);
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute(
            "UPDATE outbox SET payload = json_set(payload, '$.schema_version', 0)
              WHERE seq = (SELECT MIN(seq) FROM outbox WHERE acked_at IS NULL)",
            [],
        )
        .unwrap();
    }
    let before = std::fs::read(&db).unwrap();
    assert_eq!(refused(d, &["status"], "stranded_events"), 7);
    assert!(matches!(
        pos_desktop::Till::open(d),
        Err(pos_desktop::TillError::StrandedEvents {
            count: 1,
            oldest: 0,
            min: 1
        })
    ));
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

/// `return N --line L` after a partial return of that line takes back what is left (it was
/// refused as more than sold), and once nothing is left says so.
#[test]
fn the_rest_of_a_partly_returned_line_comes_back() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    ok(d, &["init", "--demo"]);
    ok(d, &["shift", "open", "--float", "5000.00"]);
    ok(d, &["sale", "add", "D0004", "--qty", "10"]);
    ok(d, &["sale", "pay", "cash", "1900"]);
    ok(d, &["sale", "complete"]);
    let first = ok(
        d,
        &[
            "return", "1", "--line", "1", "--qty", "2.5", "--refund", "cash",
        ],
    );
    assert_eq!(minor(&first["doc"]["total"]), 47_500);
    let rest = ok(d, &["return", "1", "--line", "1", "--refund", "cash"]);
    assert_eq!(rest["doc"]["lines"][0]["qty"], 7_500, "thousandths");
    assert_eq!(minor(&rest["doc"]["total"]), 190_000 - 47_500);
    refused(
        d,
        &["return", "1", "--line", "1", "--refund", "cash"],
        "return_exceeds_sold",
    );
}
