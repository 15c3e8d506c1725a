//! The "done when": two tills of one store sell while the server is stopped;
//! when it is back, every sale is on the server once and totals equal the Z reports.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};

use serde_json::json;
use shared_model::Tender;

use crate::helpers::*;
use crate::sync::{enrolled_till, sync_until, till};

/// The real `sync-server` binary on a fixed port.
pub struct ServerProcess {
    child: Child,
    pub base: String,
}

fn command(db: &str, prefix: &str) -> Command {
    let mut c = Command::new(crate::emulator::built("sync-server", "sync-server"));
    c.env("DATABASE_URL", db)
        .env(
            "REDIS_URL",
            std::env::var("ALAROMA_PROCESS_REDIS_URL").unwrap_or_else(|_| redis_url()),
        )
        .env(
            "ALAROMA_JWT_SECRET",
            "offline-test-secret-offline-test-secret-01",
        )
        .env("ALAROMA_COOKIE_SECURE", "false")
        .env("ALAROMA_REDIS_PREFIX", prefix)
        .env("ALAROMA_LOG_FORMAT", "json")
        .env("RUST_LOG", "warn");
    c
}

impl ServerProcess {
    /// Starts the server on `port` and waits until it listens.
    pub fn start(db: &str, prefix: &str, port: u16) -> Self {
        Self::start_with(db, prefix, port, &redis_url())
    }

    /// Starts the server with its own Redis.
    pub fn start_with(db: &str, prefix: &str, port: u16, redis: &str) -> Self {
        let mut child = command(db, prefix)
            .env("REDIS_URL", redis)
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        while !line.starts_with("listening on ") {
            line.clear();
            assert!(
                out.read_line(&mut line).unwrap() > 0,
                "server exited before listening"
            );
        }
        ServerProcess {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    /// Stops it with SIGTERM and waits.
    pub fn stop(mut self) {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        self.child.wait().unwrap();
    }

    /// Kills it hard (SIGKILL), as a crash would.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

/// Creates the first admin with the binary.
pub fn create_admin(db: &str, prefix: &str) {
    let mut c = command(db, prefix)
        .args(["create-admin", "--login", "root", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    c.stdin
        .take()
        .unwrap()
        .write_all(ADMIN.1.as_bytes())
        .unwrap();
    assert!(c.wait().unwrap().success());
}

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Logs in over HTTP.
pub async fn login(base: &str) -> Api {
    let v: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"login": ADMIN.0, "password": ADMIN.1}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    Api {
        app_url: format!("{base}/api/v1"),
        token: v["access_token"].as_str().unwrap().into(),
        client: reqwest::Client::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_tills_sell_offline_and_every_sale_arrives_once() {
    let db = fresh_database().await;
    let prefix = format!("alaroma-test:{}:", uuid::Uuid::new_v4().simple());
    let port = free_port();
    create_admin(&db, &prefix);
    let server = ServerProcess::start(&db, &prefix, port);
    let api = login(&server.base).await;
    let (store, product, code1) = head_office(&api).await;
    let t2 = api
        .ok_post(
            "/terminals",
            json!({"location_id": store["id"], "name": "Касса 2"}),
        )
        .await;
    let code2 = t2["enrollment_code"].as_str().unwrap().to_owned();
    let (_a, till_a) = enrolled_till(server.base.clone(), code1).await;
    let (_b, till_b) = enrolled_till(server.base.clone(), code2).await;
    for dir in [&till_a, &till_b] {
        till(dir.clone(), |t| t.sync_once()).await.unwrap();
    }

    server.stop();
    let mut z = Vec::new();
    for (i, dir) in [&till_a, &till_b].into_iter().enumerate() {
        let report = till(dir.clone(), move |t| {
            t.login("654321")?;
            t.open_shift("1000")?;
            for n in 0..(3 + i) {
                t.add_item("CH-50", Some(&(n + 1).to_string()))?;
                if n % 2 == 0 {
                    t.pay(Tender::Cash, "1000", None)?;
                } else {
                    t.pay(
                        Tender::Card,
                        &t.cart()?
                            .map(|c| c.due.to_decimal_string())
                            .unwrap_or_default(),
                        Some("OK"),
                    )?;
                }
                t.complete_sale()?;
            }
            let offline = t.sync_once();
            assert!(
                matches!(offline, Err(pos_desktop::TillError::Network(_))),
                "{offline:?}"
            );
            assert!(t.sync_status()?.last_error.is_some());
            let z = t.close_shift("0")?;
            Ok(z)
        })
        .await
        .unwrap();
        z.push(report);
    }

    let server = ServerProcess::start(&db, &prefix, port);
    for dir in [&till_a, &till_b] {
        let r = till(dir.clone(), |t| t.sync_once()).await.unwrap();
        assert_eq!(r.pending, 0);
    }
    let api = login(&server.base).await;
    let (_, sales) = api.get("/sales?per_page=200").await;
    assert_eq!(sales["total"], 7);
    let mut ids: Vec<&str> = sales["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 7, "every sale once");
    // Each sale says which head-office data version its prices came from.
    assert!(sales["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["catalog_version"]
            .as_str()
            .is_some_and(|v| v.starts_with("f:"))));
    let server_total: i64 = sales["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            shared_model::Money::parse(s["total"].as_str().unwrap(), shared_model::Currency::RUB)
                .unwrap()
                .minor
        })
        .sum();
    assert_eq!(
        server_total,
        z.iter().map(|r| r.net_sales.minor).sum::<i64>()
    );

    // Payments and stock agree too.
    let pool = sqlx::PgPool::connect(&db).await.unwrap();
    let (cash, card): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COALESCE(SUM(amount_minor), 0) FROM alaroma.sale_payments WHERE tender = 'cash')::bigint
                - (SELECT COALESCE(SUM(change_minor), 0) FROM alaroma.sales)::bigint,
                (SELECT COALESCE(SUM(amount_minor), 0) FROM alaroma.sale_payments WHERE tender = 'card')::bigint",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(cash, z.iter().map(|r| r.cash_sales.minor).sum::<i64>());
    assert_eq!(card, z.iter().map(|r| r.card_sales.minor).sum::<i64>());
    let mut till_stock = 0;
    for dir in [&till_a, &till_b] {
        till_stock += till(dir.clone(), |t| {
            let p = t.find_product("CH-50")?;
            t.stock_of(p.id)
        })
        .await
        .unwrap()
        .milli();
    }
    let server_stock: i64 = sqlx::query_scalar("SELECT qty_milli FROM alaroma.inventory_levels")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(server_stock, till_stock);

    // A price change reaches an online till within seconds.
    let started = std::time::Instant::now();
    api.put(
        &format!(
            "/products/{}/prices/{}",
            product["id"].as_str().unwrap(),
            store["id"].as_str().unwrap()
        ),
        json!({"price": "123.00"}),
    )
    .await;
    sync_until(till_a.clone(), |t| {
        t.find_product("CH-50")
            .is_ok_and(|p| p.price.minor == 12_300)
    })
    .await;
    assert!(started.elapsed().as_secs() < 10);
    server.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_keeps_working_while_redis_is_down() {
    // A private Redis we can stop.
    let rport = free_port();
    let mut redis = Command::new("redis-server")
        .args([
            "--port",
            &rport.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server (scripts/test.sh installs it)");
    while std::net::TcpStream::connect(("127.0.0.1", rport)).is_err() {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let db = fresh_database().await;
    let prefix = format!("alaroma-test:{}:", uuid::Uuid::new_v4().simple());
    create_admin(&db, &prefix);
    let server = ServerProcess::start_with(
        &db,
        &prefix,
        free_port(),
        &format!("redis://127.0.0.1:{rport}"),
    );
    let api = login(&server.base).await;
    let (_store, product, code) = head_office(&api).await;
    let (_tmp, dir) = enrolled_till(server.base.clone(), code).await;
    till(dir.clone(), |t| t.sync_once()).await.unwrap();

    redis.kill().unwrap();
    redis.wait().unwrap();
    // Sales still go up, and a price change still comes down (by polling).
    let r = till(dir.clone(), |t| {
        t.login("654321")?;
        t.open_shift("0")?;
        t.add_item("CH-50", None)?;
        t.pay(Tender::Cash, "100", None)?;
        t.complete_sale()?;
        t.sync_once()
    })
    .await
    .unwrap();
    assert_eq!(r.pending, 0);
    let pool = sqlx::PgPool::connect(&db).await.unwrap();
    sqlx::query("UPDATE alaroma.products SET default_price_minor = 7700 WHERE id = $1")
        .bind(uuid::Uuid::parse_str(product["id"].as_str().unwrap()).unwrap())
        .execute(&pool)
        .await
        .unwrap();
    sync_until(dir.clone(), |t| {
        t.find_product("CH-50")
            .is_ok_and(|p| p.price.minor == 7_700)
    })
    .await;
    // Health says which dependency is down.
    let h = reqwest::get(format!("{}/health", server.base))
        .await
        .unwrap();
    assert_eq!(h.status(), reqwest::StatusCode::SERVICE_UNAVAILABLE);
    let h: serde_json::Value = h.json().await.unwrap();
    assert_eq!(
        (h["postgres"].as_str(), h["redis"].as_str()),
        (Some("up"), Some("down"))
    );
    server.kill();
}
