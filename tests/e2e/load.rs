//! Load: 200 tills in 20 stores sync at once against one server: no errors, exact totals.

use std::sync::{Arc, Barrier};

use pos_desktop::{InitOptions, Till};
use serde_json::json;
use shared_model::Tender;

use crate::helpers::*;

const TILLS: usize = 200;
/// Ten tills a store: a big chain's busiest stores (one store's tills write the same
/// stock and report rows, so they queue behind each other; stores do not).
const STORES: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_tills_sync_at_once() {
    let app = spawn_app_with(|c| c.db_max_connections = 20).await;
    let api = app.admin().await;
    let (store, _product, first_code) = head_office(&api).await;
    let mut stores = vec![store["id"].clone()];
    for i in 1..STORES {
        let s = api
            .ok_post(
                "/locations",
                json!({"code": format!("S{}", i + 1), "name": format!("Store {i}"), "kind": "store", "non_fiscal": true}),
            )
            .await;
        stores.push(s["id"].clone());
    }
    // The cashier works in every store.
    let (_, users) = api.get("/users?per_page=200").await;
    let anna = users["items"]
        .as_array()
        .and_then(|u| u.iter().find(|u| u["login"] == "anna"))
        .expect("anna")["id"]
        .clone();
    let (s, v) = api
        .patch(
            &format!("/users/{}", anna.as_str().expect("id")),
            json!({"locations": stores}),
        )
        .await;
    assert!(s.is_success(), "{v}");
    let mut codes = vec![first_code];
    for i in 1..TILLS {
        let t = api
            .ok_post(
                "/terminals",
                json!({"location_id": stores[i % STORES], "name": format!("Касса {i}")}),
            )
            .await;
        codes.push(t["enrollment_code"].as_str().unwrap().to_owned());
    }
    let server = format!("http://{}", app.addr);
    let root = tempfile::tempdir().unwrap();
    // First every till enrolls and sells offline; a till that fails here fails the test
    // with its error (a barrier across this phase would leave the others waiting forever).
    let mut tasks = Vec::new();
    for (i, code) in codes.into_iter().enumerate() {
        let (dir, server) = (root.path().join(format!("till-{i}")), server.clone());
        tasks.push(tokio::task::spawn_blocking(
            move || -> Result<(Till, i64), pos_desktop::TillError> {
                let mut t = Till::init(&dir, &InitOptions::default())?;
                t.enroll(&server, &code)?;
                t.sync_once()?;
                t.login("654321")?;
                t.open_shift("0")?;
                for n in 0..3 {
                    t.add_item("CH-50", Some(&(1 + (i + n) % 4).to_string()))?;
                    let due = t
                        .cart()?
                        .map(|c| c.due.to_decimal_string())
                        .unwrap_or_default();
                    t.pay(
                        if n == 1 { Tender::Card } else { Tender::Cash },
                        &due,
                        Some("OK1"),
                    )?;
                    t.complete_sale()?;
                }
                let total = t.x_report()?.sales.minor;
                Ok((t, total))
            },
        ));
    }
    let mut tills = Vec::new();
    let mut expected = 0;
    for (i, task) in tasks.into_iter().enumerate() {
        let (till, total) = task
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("till {i} failed before the push: {e}"));
        expected += total;
        tills.push(till);
    }
    // Then all 200 push at the same moment.
    let barrier = Arc::new(Barrier::new(TILLS));
    let pushes: Vec<_> = tills
        .into_iter()
        .map(|mut t| {
            let barrier = barrier.clone();
            tokio::task::spawn_blocking(move || {
                barrier.wait();
                t.sync_once()
            })
        })
        .collect();
    for (i, push) in pushes.into_iter().enumerate() {
        let r = push
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("till {i} failed to push: {e}"));
        assert_eq!(r.pending, 0);
    }
    let (sales, total): (i64, i64) =
        sqlx::query_as("SELECT COUNT(*), COALESCE(SUM(total_minor), 0)::bigint FROM sales")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!((sales, total), (3 * TILLS as i64, expected));
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM till_events")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(
        events,
        4 * TILLS as i64,
        "shift opened + 3 sales per till, each once"
    );
    // Each till told head office the newest event it holds; nothing waits now.
    let told: Vec<(Option<i64>, i64)> =
        sqlx::query_as("SELECT till_newest_seq, acked_seq FROM terminal_sync")
            .fetch_all(&app.state.db)
            .await
            .unwrap();
    assert_eq!(told.len(), TILLS);
    assert!(told
        .iter()
        .all(|(newest, acked)| *newest == Some(*acked) && *acked == 4));
}
