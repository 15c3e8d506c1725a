//! Till ↔ server sync through the real engine (real SQLite data dirs) and the real server.

use std::path::PathBuf;

use pos_desktop::{InitOptions, Till, TillError};
use reqwest::StatusCode;
use serde_json::{json, Value};
use shared_model::Tender;

use crate::helpers::*;

/// Runs `f` on the till in `dir` off the async runtime (the till's HTTP client blocks).
pub async fn till<T: Send + 'static>(
    dir: PathBuf,
    f: impl FnOnce(&mut Till) -> Result<T, TillError> + Send + 'static,
) -> Result<T, TillError> {
    tokio::task::spawn_blocking(move || {
        let mut t = Till::open(&dir)?;
        f(&mut t)
    })
    .await
    .unwrap()
}

/// Syncs until `done` holds on the till: the feed delivers a change once every
/// transaction older than it has finished, which other work on the cluster can delay.
pub async fn sync_until(
    dir: PathBuf,
    done: impl Fn(&mut Till) -> bool + Send + Sync + Clone + 'static,
) {
    for _ in 0..100 {
        let d = done.clone();
        if till(dir.clone(), move |t| {
            t.sync_once()?;
            Ok(d(t))
        })
        .await
        .unwrap()
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the change never reached the till");
}

/// A demo till, enrolled with `code` at `server` (logged in as the demo manager).
pub async fn enrolled_till(server: String, code: String) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let d = dir.clone();
    tokio::task::spawn_blocking(move || {
        let mut t = Till::init(
            &d,
            &InitOptions {
                demo: true,
                ..Default::default()
            },
        )
        .unwrap();
        t.login("999999").unwrap();
        t.enroll(&server, &code).unwrap();
    })
    .await
    .unwrap();
    (tmp, dir)
}

/// The cashier (PIN 654321) sells `n` bottles of CH-50 for cash, opening a shift if none is
/// open, then the till syncs.
pub fn sell(
    n: usize,
) -> impl FnOnce(&mut Till) -> Result<pos_desktop::sync::SyncReport, TillError> + Send + 'static {
    move |t: &mut Till| {
        t.login("654321")?;
        if t.current_shift()?.is_none() {
            t.open_shift("0")?;
        }
        for _ in 0..n {
            t.add_item("CH-50", None)?;
            t.pay(Tender::Cash, "100", None)?;
            t.complete_sale()?;
        }
        t.sync_once()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_till_enrolls_pulls_sells_and_pushes_exactly_once() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let (store, product, code) = head_office(&api).await;
    let server = format!("http://{}", app.addr);
    let (_tmp, dir) = enrolled_till(server, code).await;

    // First sync: the server's catalog and cashiers replace the demo ones.
    let r = till(dir.clone(), |t| t.sync_once()).await.unwrap();
    assert!(r.pulled >= 2, "{r:?}");
    let (price, demo_pin) = till(dir.clone(), |t| {
        let p = t.find_product("4006381333931")?;
        Ok((p.price.minor, t.login("999999").is_err()))
    })
    .await
    .unwrap();
    assert_eq!(price, 10_000);
    assert!(demo_pin, "demo cashiers are gone after the first sync");
    // The store's settings came too: its name is on the receipts.
    let name = till(dir.clone(), |t| t.store_name()).await.unwrap();
    assert_eq!(name, "Store");

    // Sell, return, close the shift, all offline-first; then push.
    let z = till(dir.clone(), |t| {
        t.login("654321")?;
        t.open_shift("1000")?;
        t.add_item("4006381333931", Some("3"))?;
        t.pay(Tender::Cash, "500", None)?;
        t.complete_sale()?;
        t.add_item("CH-50", None)?;
        t.pay(Tender::Card, "100", Some("A1"))?;
        t.complete_sale()?;
        t.return_goods(
            1,
            Some(&[(1, "1")]),
            pos_desktop::returns::RefundTo::Cash,
            None,
        )?;
        t.close_shift("1200")
    })
    .await
    .unwrap();
    let r = till(dir.clone(), |t| t.sync_once()).await.unwrap();
    assert_eq!((r.pushed, r.pending), (5, 0), "{r:?}");
    // A second round sends nothing and changes nothing.
    let r = till(dir.clone(), |t| t.sync_once()).await.unwrap();
    assert_eq!(r.pushed, 0);

    let db = &app.state.db;
    let (sales, total): (i64, i64) =
        sqlx::query_as("SELECT COUNT(*), COALESCE(SUM(total_minor), 0)::bigint FROM sales")
            .fetch_one(db)
            .await
            .unwrap();
    assert_eq!((sales, total), (2, z.sales.minor));
    let returns: i64 =
        sqlx::query_scalar("SELECT COALESCE(SUM(total_minor), 0)::bigint FROM sale_returns")
            .fetch_one(db)
            .await
            .unwrap();
    assert_eq!(returns, z.returns.minor);
    let z_server: Value = sqlx::query_scalar("SELECT z_report FROM shifts")
        .fetch_one(db)
        .await
        .unwrap();
    assert_eq!(z_server["net_sales"]["minor"], z.net_sales.minor);
    let alerts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sync_alerts")
        .fetch_one(db)
        .await
        .unwrap();
    assert_eq!(alerts, 0, "an intact chain raises no alert");
    // Stock at the store: −3 −1 +1.
    let (_, levels) = api
        .get(&format!(
            "/inventory/levels?location_id={}",
            store["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(levels["items"][0]["qty"], "-3");

    // A price change reaches the till on its next pull.
    let (s, _) = api
        .put(
            &format!(
                "/products/{}/prices/{}",
                product["id"].as_str().unwrap(),
                store["id"].as_str().unwrap()
            ),
            json!({"price": "150.00"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    sync_until(dir.clone(), |t| {
        t.find_product("CH-50")
            .is_ok_and(|p| p.price.minor == 15_000)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_loop_brings_price_changes_in_seconds_and_sends_sales_at_once() {
    use pos_desktop::sync_loop::{LoopOptions, SyncLoop};
    use std::time::{Duration, Instant};
    let app = spawn_app().await;
    let api = app.admin().await;
    let (store, product, code) = head_office(&api).await;
    let (_tmp, dir) = enrolled_till(format!("http://{}", app.addr), code).await;
    // Polling is off (an hour): only notifications and local events drive the loop.
    let opts = LoopOptions {
        poll: Duration::from_secs(3600),
        ..Default::default()
    };
    let lp = SyncLoop::start(dir.clone(), opts, |_| {});
    let wait_for = |what: &'static str, f: Box<dyn Fn(&Till) -> bool + Send + Sync>| {
        let dir = dir.clone();
        async move {
            let start = Instant::now();
            let f = std::sync::Arc::new(f);
            while start.elapsed() < Duration::from_secs(10) {
                let f = f.clone();
                if till(dir.clone(), move |t| Ok(f(t))).await.unwrap() {
                    return start.elapsed();
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            panic!("{what} did not happen within 10 s");
        }
    };
    wait_for("first sync", Box::new(|t| t.find_product("CH-50").is_ok())).await;
    let url = format!(
        "/products/{}/prices/{}",
        product["id"].as_str().unwrap(),
        store["id"].as_str().unwrap()
    );
    let (s, _) = api.put(&url, json!({"price": "88.00"})).await;
    assert_eq!(s, StatusCode::OK);
    let took = wait_for(
        "price change",
        Box::new(|t| {
            t.find_product("CH-50")
                .is_ok_and(|p| p.price.minor == 8_800)
        }),
    )
    .await;
    println!("price change reached the till in {took:?}");
    till(dir.clone(), |t| {
        t.login("654321")?;
        t.open_shift("0")?;
        t.add_item("CH-50", None)?;
        t.pay(Tender::Cash, "88", None)?;
        t.complete_sale()
    })
    .await
    .unwrap();
    let start = Instant::now();
    loop {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sales")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
        if n == 1 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the sale was not sent"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::task::spawn_blocking(move || lp.stop())
        .await
        .unwrap();
}
