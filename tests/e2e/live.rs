//! An enrolled till's window against a real head office (the sync server in-process over
//! a fresh PostgreSQL database): IT enrolls it on the first start's setup screen, the
//! background sync loop inside the app brings a price change to the screen and sends the
//! sale back, with the status bar saying so.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sqlx::{Connection, PgConnection};

use crate::webdriver::*;

/// A head office on port 0 with its own database; dropped with the runtime.
struct HeadOffice {
    rt: tokio::runtime::Runtime,
    state: sync_server::AppState,
    url: String,
    token: String,
}

impl HeadOffice {
    fn start(tmp: &Path) -> HeadOffice {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        let admin_db = std::env::var("ALAROMA_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let name = format!("alaroma_test_{}", uuid::Uuid::new_v4().simple());
        let (base, _) = admin_db.rsplit_once('/').expect("database URL");
        let config = tmp.join("server.toml");
        std::fs::write(
            &config,
            format!(
                "database_url = \"{base}/{name}\"\njwt_secret = \"{}\"\nredis_prefix = \"alaroma-test:{name}:\"\ncookie_secure = false\nlog_format = \"pretty\"\ndb_max_connections = 5\n",
                "window-test-secret-".repeat(3)
            ),
        )
        .expect("config");
        let (state, addr) = rt.block_on(async {
            let mut c = PgConnection::connect(&admin_db)
                .await
                .expect("connect to PostgreSQL (is it running?)");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut c)
                .await
                .expect("create database");
            let cfg = sync_server::config::Config::load(Some(&config)).expect("config");
            let state = sync_server::AppState::connect(cfg).await.expect("server");
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let addr = listener.local_addr().expect("addr");
            tokio::spawn(sync_server::serve(state.clone(), listener));
            sync_server::users::create_admin(
                &state,
                "root",
                "Root",
                "correct horse battery".into(),
            )
            .await
            .expect("admin");
            (state, addr)
        });
        let url = format!("http://{addr}");
        let login: Value = reqwest::blocking::Client::new()
            .post(format!("{url}/api/v1/auth/login"))
            .json(&json!({"login": "root", "password": "correct horse battery"}))
            .send()
            .and_then(|r| r.error_for_status())
            .and_then(|r| r.json())
            .expect("admin login");
        let token = login["access_token"].as_str().expect("token").to_owned();
        HeadOffice {
            rt,
            state,
            url,
            token,
        }
    }

    /// An admin API call that must succeed.
    fn call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        reqwest::blocking::Client::new()
            .request(method, format!("{}/api/v1{path}", self.url))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .and_then(|r| r.error_for_status())
            .and_then(|r| r.json())
            .unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// Sales the server has stored.
    fn sales(&self) -> i64 {
        self.rt
            .block_on(sqlx::query_scalar("SELECT COUNT(*) FROM sales").fetch_one(&self.state.db))
            .expect("count sales")
    }
}

#[test]
fn an_enrolled_till_shows_head_office_price_changes_live_and_sends_its_sales() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let ho = HeadOffice::start(tmp.path());
    let post = |path: &str, body: Value| ho.call(reqwest::Method::POST, path, body);
    let store = post(
        "/locations",
        json!({"code": "S1", "name": "ТЦ Аврора", "kind": "store", "non_fiscal": true}),
    );
    let product = post(
        "/products",
        json!({"sku": "CH-50", "name": "Chanel Allure 50 мл", "unit": "pcs", "vat": "22",
               "default_price": "100.00", "barcodes": ["4006381333931"]}),
    );
    post(
        "/users",
        json!({"login": "anna", "full_name": "Анна", "role": "cashier", "password": "password-123",
               "pin": "654321", "locations": [store["id"]]}),
    );
    let terminal = post(
        "/terminals",
        json!({"location_id": store["id"], "name": "Касса 1"}),
    );
    let code = terminal["enrollment_code"].as_str().expect("code");

    // First start: no till yet, so the window asks for head office and the code. A wrong
    // code is refused on screen and leaves nothing behind; the right one enrolls.
    let dir = tmp.path().join("till");
    let display = Display::start();
    let driver = Driver::start(&display, &[("ALAROMA_DATA_DIR", &dir)]);
    let s = Session::open(
        &driver,
        &crate::emulator::built("pos-desktop", "pos-desktop"),
    );
    s.wait_text("setup", |t| t.contains("Подключение кассы"));
    s.fill("setup-server", &ho.url);
    s.fill("setup-code", "WRONG-CODE");
    s.click("setup-enroll");
    s.wait_text("error", |t| t.starts_with("Сервер отказал"));
    assert!(
        !dir.join(pos_desktop::DB_FILE).exists(),
        "a refused enrollment left a till"
    );
    s.fill("setup-code", code);
    s.click("setup-enroll");
    s.type_into("pin", &format!("654321{ENTER}"));
    s.type_into("float", ENTER);
    s.wait_text("status-sync", |t| t.starts_with("В сети"));
    s.type_into("scan", &format!("4006381333931{ENTER}"));
    s.wait_text("cart-total", |t| t.starts_with("100,00"));

    // Head office changes the store's price; the next scan rings up the new one.
    let url = format!(
        "/products/{}/prices/{}",
        product["id"].as_str().expect("id"),
        store["id"].as_str().expect("id")
    );
    ho.call(reqwest::Method::PUT, &url, json!({"price": "88.00"}));
    let start = Instant::now();
    loop {
        s.type_into("scan", &format!("allure{ENTER}"));
        let hit = s.wait_text("found-0", |t| t.contains("CH-50"));
        if hit.contains("88,00") {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(15), "still {hit}");
        s.type_into("found-0", ESCAPE);
        std::thread::sleep(Duration::from_millis(300));
    }
    s.type_into("found-0", ENTER);
    s.wait_text("line-2-total", |t| t.starts_with("88,00"));
    // The line already rung up keeps the price the customer was shown.
    assert!(s.text("line-1-total").starts_with("100,00"));
    s.wait_text("cart-total", |t| t.starts_with("188,00"));
    s.type_into("scan", F9);
    s.type_into("pay-amount", ENTER);
    s.wait_enabled("complete");
    s.click("complete");
    s.click("new-sale");
    // The loop sends the sale at once; the status bar counts down to nothing waiting.
    s.wait_text("status-sync", |t| t.contains("· 0 к отправке"));
    let start = Instant::now();
    while ho.sales() == 0 {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "the sale never arrived"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(ho.sales(), 1);
}
