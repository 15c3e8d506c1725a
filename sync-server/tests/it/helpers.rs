//! `spawn_app()`: a fresh migrated database, the server on port 0, an HTTP client.

use std::net::SocketAddr;

use reqwest::{Client, Response, StatusCode};
use secrecy::SecretString;
use serde_json::{json, Value};
use sqlx::{Connection, PgConnection};
use sync_server::config::Config;
use sync_server::AppState;
use uuid::Uuid;

/// The PostgreSQL server tests create their databases on.
pub fn admin_url() -> String {
    std::env::var("ALAROMA_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Redis for tests.
pub fn redis_url() -> String {
    std::env::var("ALAROMA_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// A running server with its own database.
pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
}

/// A test configuration pointing at `database_url`, with its own Redis key prefix.
pub fn test_config(database_url: &str) -> Config {
    Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        database_url: SecretString::from(database_url.to_owned()),
        redis_url: SecretString::from(redis_url()),
        redis_prefix: format!("alaroma-test:{}:", Uuid::new_v4().simple()),
        jwt_secret: SecretString::from("test-secret-test-secret-test-secret-0123456789".to_owned()),
        access_ttl_secs: 900,
        refresh_ttl_secs: 7 * 24 * 3600,
        cookie_secure: false,
        allowed_origins: vec!["http://admin.example".into()],
        trust_proxy: vec![],
        login_limit_account: 5,
        login_limit_ip: 50,
        login_window_secs: 60,
        block_negative_warehouse_stock: true,
        log_format: "pretty".into(),
        db_max_connections: 5,
        change_retention_days: 90,
        reports_database_url: None,
        admin_dir: None,
        updates_dir: None,
        metrics_token: None,
    }
}

/// Creates an empty database and returns its URL.
pub async fn fresh_database() -> String {
    let admin = admin_url();
    let name = format!("alaroma_test_{}", Uuid::new_v4().simple());
    let mut conn = PgConnection::connect(&admin)
        .await
        .expect("connect to PostgreSQL (is it running?)");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create database");
    let base = admin
        .rsplit_once('/')
        .map(|(b, _)| b.to_owned())
        .unwrap_or(admin);
    format!("{base}/{name}")
}

/// Starts the app with `tweak` applied to the test configuration.
pub async fn spawn_app_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    let database_url = fresh_database().await;
    let mut config = test_config(&database_url);
    tweak(&mut config);
    let state = AppState::connect(config).await.expect("connect app");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let s = state.clone();
    tokio::spawn(async move { sync_server::serve(s, listener).await });
    TestApp { addr, state }
}

/// Starts the app with the default test configuration.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// The admin every test app gets.
pub const ADMIN: (&str, &str) = ("root", "correct horse battery");

impl TestApp {
    /// `http://addr/api/v1{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}/api/v1{path}", self.addr)
    }

    /// A client with a cookie jar, like a browser (without the browser's headers).
    pub fn client(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .build()
            .expect("client")
    }

    /// Creates the admin account directly (as `sync-server create-admin` does).
    pub async fn create_admin(&self) {
        sync_server::users::create_admin(&self.state, ADMIN.0, "Root", ADMIN.1.into())
            .await
            .expect("admin");
    }

    /// Logs in and returns an API session using the Bearer token.
    pub async fn login(&self, login: &str, password: &str) -> Api {
        let resp = self
            .client()
            .post(self.url("/auth/login"))
            .json(&json!({"login": login, "password": password}))
            .send()
            .await
            .expect("login request");
        assert_eq!(
            resp.status(),
            StatusCode::OK,
            "login {login}: {}",
            resp.text().await.unwrap_or_default()
        );
        let body: Value = resp.json().await.expect("json");
        Api {
            app_url: self.url(""),
            token: body["access_token"].as_str().expect("token").to_owned(),
            client: Client::new(),
        }
    }

    /// The admin's API session.
    pub async fn admin(&self) -> Api {
        self.create_admin().await;
        self.login(ADMIN.0, ADMIN.1).await
    }
}

/// An authenticated API client (Bearer).
pub struct Api {
    pub app_url: String,
    pub token: String,
    pub client: Client,
}

impl Api {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Response {
        let mut r = self
            .client
            .request(method, format!("{}{path}", self.app_url))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        r.send().await.expect("request")
    }

    /// GET, returning status and JSON.
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        split(self.send(reqwest::Method::GET, path, None).await).await
    }

    /// POST JSON.
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        split(self.send(reqwest::Method::POST, path, Some(body)).await).await
    }

    /// PATCH JSON.
    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        split(self.send(reqwest::Method::PATCH, path, Some(body)).await).await
    }

    /// PUT JSON.
    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        split(self.send(reqwest::Method::PUT, path, Some(body)).await).await
    }

    /// POST JSON expecting success; returns the body.
    pub async fn ok_post(&self, path: &str, body: Value) -> Value {
        let (s, v) = self.post(path, body).await;
        assert!(s.is_success(), "POST {path}: {s} {v}");
        v
    }
}

/// Status and JSON body (Null when the body is empty).
pub async fn split(r: Response) -> (StatusCode, Value) {
    let s = r.status();
    let text = r.text().await.unwrap_or_default();
    (s, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Asserts an error response with the documented body.
pub fn assert_error(resp: &(StatusCode, Value), status: StatusCode, code: &str) {
    assert_eq!(resp.0, status, "{}", resp.1);
    assert_eq!(resp.1["error"]["code"], code, "{}", resp.1);
    assert!(resp.1["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
}

/// Store, product with barcode, a cashier with PIN 654321, and a terminal code.
pub async fn head_office(api: &Api) -> (Value, Value, String) {
    let store = api
        .ok_post(
            "/locations",
            json!({"code": "S1", "name": "Store", "kind": "store", "non_fiscal": true}),
        )
        .await;
    let product = api
        .ok_post(
            "/products",
            json!({"sku": "CH-50", "name": "Chanel 50 мл", "unit": "pcs", "vat": "22",
                                     "default_price": "100.00", "barcodes": ["4006381333931"]}),
        )
        .await;
    api.ok_post(
        "/users",
        json!({"login": "anna", "full_name": "Анна", "role": "cashier", "password": "password-123",
                                 "pin": "654321", "locations": [store["id"]]}),
    )
    .await;
    let t = api
        .ok_post(
            "/terminals",
            json!({"location_id": store["id"], "name": "Касса 1"}),
        )
        .await;
    (
        store,
        product,
        t["enrollment_code"].as_str().unwrap().to_owned(),
    )
}

pub async fn level(api: &Api, location: &Value, product: &Value) -> String {
    let (s, v) = api
        .get(&format!(
            "/inventory/levels?location_id={}&product_id={}",
            location["id"].as_str().unwrap(),
            product["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["items"][0]["qty"].as_str().unwrap_or("none").to_owned()
}

/// Issues a batch of certificates and returns their codes.
pub async fn batch(api: &Api, nominal_minor: i64, quantity: u32) -> Vec<String> {
    let b = api
        .ok_post(
            "/certificates/batches",
            json!({"name": "Новый год", "nominal_minor": nominal_minor, "quantity": quantity,
                   "expires_on": "2099-12-31"}),
        )
        .await;
    b["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect()
}

/// The catalog file head office exports.
pub async fn catalog_export(api: &Api) -> String {
    let resp = api
        .client
        .get(format!("{}/catalog/export", api.app_url))
        .bearer_auth(&api.token)
        .send()
        .await
        .expect("export");
    assert_eq!(resp.status(), StatusCode::OK);
    resp.text().await.expect("csv")
}

/// A report's rows (the call must succeed).
pub async fn report(api: &Api, path: &str) -> Vec<Value> {
    let (s, v) = api.get(path).await;
    assert_eq!(s, StatusCode::OK, "{path}: {v}");
    v["rows"].as_array().expect("rows").clone()
}

/// A new non-fiscal store with the given code.
pub async fn new_store(api: &Api, code: &str) -> Value {
    api.ok_post(
        "/locations",
        json!({"code": code, "name": format!("Store {code}"), "kind": "store", "non_fiscal": true}),
    )
    .await
}

/// Sends a catalog file: a preview, or applied with `commit`.
pub async fn catalog_import(api: &Api, csv: &str, commit: bool) -> (StatusCode, Value) {
    let resp = api
        .client
        .post(format!("{}/catalog/import?commit={commit}", api.app_url))
        .bearer_auth(&api.token)
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .expect("import");
    split(resp).await
}
