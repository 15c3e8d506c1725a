//! Facts are stored, effects are earned: receipts edited in a till's outbox reach head
//! office (the till's queue never jams) but move no certificate balance, stock or report
//! until a person accepts them; impossible figures can only be rejected.

use std::path::Path;

use pos_desktop::returns::RefundTo;
use reqwest::StatusCode;
use serde_json::{json, Value};
use shared_model::Tender;

use crate::helpers::*;
use crate::sync::{enrolled_till, sync_until, till};

/// Rewrites the unsent outbox event of `kind` in the till's SQLite file, as someone
/// holding the file could, without touching its receipt hash.
pub fn edit_outbox(dir: &Path, kind: &str, edit: impl FnOnce(&mut Value)) {
    let db = rusqlite::Connection::open(dir.join("till.db")).unwrap();
    let (seq, payload): (i64, String) = db
        .query_row(
            "SELECT seq, payload FROM outbox WHERE kind = ?1 AND acked_at IS NULL ORDER BY seq DESC LIMIT 1",
            [kind],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let mut env: Value = serde_json::from_str(&payload).unwrap();
    edit(&mut env["payload"]["data"]["doc"]);
    db.execute(
        "UPDATE outbox SET payload = ?1 WHERE seq = ?2",
        (env.to_string(), seq),
    )
    .unwrap();
}

/// One certificate head office issued and nobody bought.
async fn unsold_certificate(api: &Api) -> String {
    batch(api, 500_000, 1).await.remove(0)
}

async fn quarantine(api: &Api, status: &str) -> Value {
    let (s, v) = api.get(&format!("/sync/quarantine?status={status}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

async fn books(api: &Api, store: &Value, product: &Value, code: &str) -> (Value, String, Value) {
    let today = chrono::Utc::now().date_naive();
    let (from, to) = (
        today - chrono::Duration::days(1),
        today + chrono::Duration::days(1),
    );
    let (_, cert) = api.get(&format!("/certificates/{code}")).await;
    let (_, report) = api
        .get(&format!("/reports/sales-summary?from={from}&to={to}"))
        .await;
    (
        cert,
        level(api, store, product).await,
        report["rows"].clone(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_outbox_sale_is_held_and_moves_no_money_or_stock() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let (store, product, code) = head_office(&api).await;
    let gift = unsold_certificate(&api).await;
    let (_tmp, dir) = enrolled_till(format!("http://{}", app.addr), code).await;
    sync_until(dir.clone(), |t| t.login("654321").is_ok()).await;
    let before = books(&api, &store, &product, &gift).await;
    till(dir.clone(), |t| {
        t.login("654321")?;
        t.open_shift("0")?;
        t.add_item("CH-50", None)?;
        t.pay(Tender::Cash, "100", None)?;
        t.complete_sale()
    })
    .await
    .unwrap();
    // The attack: 1 000 000 ₽ more cash, balanced by −1 000 000 ₽ "paid" from a certificate
    // nobody bought; the sale still adds up.
    edit_outbox(&dir, "sale_completed", |doc| {
        let mut cert = doc["payments"][0].clone();
        doc["payments"][0]["amount"]["minor"] = json!(10_000 + 100_000_000);
        cert["tender"] = json!("certificate");
        cert["amount"]["minor"] = json!(-100_000_000);
        cert["certificate"] = json!(gift);
        doc["payments"].as_array_mut().unwrap().push(cert);
    });
    let report = till(dir.clone(), |t| t.sync_once()).await.unwrap();
    assert_eq!(report.pending, 0, "the till's queue is not jammed");
    assert_eq!(
        books(&api, &store, &product, &gift).await,
        before,
        "no effect"
    );
    let (_, sales) = api.get("/sales").await;
    assert_eq!(sales["total"], 0);
    let held = quarantine(&api, "pending").await;
    assert_eq!(held["total"], 1, "{held}");
    // The admin's record of it (shared_model::api) reads what the server sends.
    let typed: shared_model::api::Page<shared_model::api::HeldReceipt> =
        serde_json::from_value(held.clone()).unwrap();
    assert_eq!(typed.items[0].total_minor, 10_000);
    let h = &held["items"][0];
    let problems: Vec<&str> = h["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(problems.contains(&"non_positive_tender"), "{problems:?}");
    assert!(problems.contains(&"hash_mismatch"), "{problems:?}");
    assert_eq!(h["acceptable"], false);
    assert_eq!(h["kind"], "sale_completed");
    assert_eq!(
        h["payload"]["data"]["doc"]["payments"][1]["certificate"],
        json!(gift)
    );
    let event = h["event_id"].as_str().unwrap().to_owned();
    let tid = h["terminal_id"].as_str().unwrap().to_owned();
    let (_, status) = api.get(&format!("/terminals/{tid}/sync")).await;
    assert!(
        status["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "quarantined"),
        "{status}"
    );
    // A store manager sees it but may not resolve it; impossible figures are not accepted.
    api.ok_post(
        "/users",
        json!({"login": "mila", "full_name": "Мила", "role": "manager",
        "password": "password-123", "pin": "775533", "locations": [store["id"]]}),
    )
    .await;
    let manager = app.login("mila", "password-123").await;
    assert_eq!(quarantine(&manager, "pending").await["total"], 1);
    let why = json!({"note": "edited on the till"});
    let r = manager
        .post(&format!("/sync/quarantine/{event}/reject"), why.clone())
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = api
        .post(&format!("/sync/quarantine/{event}/accept"), why.clone())
        .await;
    assert_error(&r, StatusCode::CONFLICT, "conflict");
    let r = api
        .post(
            &format!("/sync/quarantine/{event}/reject"),
            json!({"note": " "}),
        )
        .await;
    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let r = api
        .post(&format!("/sync/quarantine/{event}/reject"), why.clone())
        .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    let r = api
        .post(&format!("/sync/quarantine/{event}/reject"), why)
        .await;
    assert_error(&r, StatusCode::CONFLICT, "conflict");
    assert_eq!(quarantine(&api, "pending").await["total"], 0);
    let all = quarantine(&api, "all").await;
    assert_eq!(all["items"][0]["status"], "rejected");
    assert_eq!(all["items"][0]["note"], "edited on the till");
    let (_, audit) = api.get("/audit?entity=quarantine").await;
    assert_eq!(audit["items"][0]["action"], "rejected", "{audit}");
    assert_eq!(
        books(&api, &store, &product, &gift).await,
        before,
        "still no effect"
    );
    // The till goes on: its next, honest sale links to the held one and takes effect.
    let r = till(dir.clone(), |t| {
        t.add_item("CH-50", None)?;
        t.pay(Tender::Cash, "100", None)?;
        t.complete_sale()?;
        t.sync_once()
    })
    .await
    .unwrap();
    assert_eq!(r.pending, 0);
    let (_, sales) = api.get("/sales").await;
    assert_eq!(sales["total"], 1);
    assert!(
        sales["items"][0]["flags"].as_array().unwrap().is_empty(),
        "{sales}"
    );
    assert_eq!(level(&api, &store, &product).await, "-1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn returns_are_checked_against_their_sale_and_held_when_they_refund_too_much() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let (store, product, code) = head_office(&api).await;
    let gift = unsold_certificate(&api).await;
    let (_tmp, dir) = enrolled_till(format!("http://{}", app.addr), code).await;
    sync_until(dir.clone(), |t| t.login("654321").is_ok()).await;
    till(dir.clone(), |t| {
        t.login("654321")?;
        t.open_shift("0")?;
        for _ in 0..2 {
            t.add_item("CH-50", None)?;
            t.pay(Tender::Cash, "100", None)?;
            t.complete_sale()?;
        }
        t.return_goods(1, None, RefundTo::Cash, Some("changed mind"))?;
        t.sync_once()
    })
    .await
    .unwrap();
    assert_eq!(
        level(&api, &store, &product).await,
        "-1",
        "an honest return applies"
    );
    let before = books(&api, &store, &product, &gift).await;
    // The second sale's return, edited to put the cash refund onto a certificate that
    // paid nothing on that sale.
    till(dir.clone(), |t| {
        t.return_goods(2, None, RefundTo::Cash, None)?;
        Ok(())
    })
    .await
    .unwrap();
    edit_outbox(&dir, "return_completed", |doc| {
        doc["refunds"][0]["tender"] = json!("certificate");
        doc["refunds"][0]["certificate"] = json!(gift);
    });
    let r = till(dir.clone(), |t| t.sync_once()).await.unwrap();
    assert_eq!(r.pending, 0);
    assert_eq!(
        books(&api, &store, &product, &gift).await,
        before,
        "no effect"
    );
    let held = quarantine(&api, "pending").await;
    assert_eq!(held["total"], 1, "{held}");
    let h = &held["items"][0];
    assert_eq!(h["kind"], "return_completed");
    let problems: Vec<&str> = h["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(
        problems.contains(&"certificate_refund_exceeds_paid"),
        "{problems:?}"
    );
    let event = h["event_id"].as_str().unwrap();
    let r = api
        .post(
            &format!("/sync/quarantine/{event}/accept"),
            json!({"note": "checked"}),
        )
        .await;
    assert_error(&r, StatusCode::CONFLICT, "conflict");
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sale_returns")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(n, 1, "only the honest return is on the books");
}
