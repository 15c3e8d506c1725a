//! Issue 5's "done when": a head-office promotion prices an offline till's sale and the
//! synced sale carries it; gift certificates sold in one store and redeemed in another,
//! online and offline, with overdraws recorded exactly; customers both ways.

use std::path::{Path, PathBuf};

use pos_desktop::returns::RefundTo;
use pos_desktop::{Till, TillError};
use reqwest::StatusCode;
use serde_json::{json, Value};
use shared_model::Tender;

use crate::helpers::*;
use crate::sync::{enrolled_till, sync_until, till};

/// Points the till's credential at `server`: a dead address makes head office
/// unreachable exactly as a cut cable would (connection refused).
pub fn set_server(dir: &Path, server: &str) {
    let path = dir.join(pos_desktop::sync::CREDENTIAL_FILE);
    let mut cred: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    cred["server"] = json!(server);
    std::fs::write(&path, cred.to_string()).unwrap();
}

pub const DEAD: &str = "http://127.0.0.1:9";

async fn sync(dir: &Path) -> Result<u64, TillError> {
    till(dir.to_path_buf(), |t| Ok(t.sync_once()?.pushed)).await
}

/// A second store with its own terminal and a till enrolled there (cashier PIN 654321
/// works in both stores).
async fn second_store(api: &Api, server: &str) -> (Value, tempfile::TempDir, PathBuf) {
    let store = api
        .ok_post(
            "/locations",
            json!({"code": "S2", "name": "Store 2", "kind": "store", "non_fiscal": true}),
        )
        .await;
    let (_, users) = api.get("/users?q=anna").await;
    assert_eq!(users["total"], 1);
    let anna = &users["items"][0];
    let (s, _) = api
        .patch(
            &format!("/users/{}", anna["id"].as_str().unwrap()),
            json!({"locations": [anna["locations"][0], store["id"]]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let t = api
        .ok_post(
            "/terminals",
            json!({"location_id": store["id"], "name": "Касса 2"}),
        )
        .await;
    let code = t["enrollment_code"].as_str().unwrap().to_owned();
    let (tmp, dir) = enrolled_till(server.to_owned(), code).await;
    (store, tmp, dir)
}

async fn certificate(api: &Api, code: &str) -> Value {
    api.get(&format!("/certificates/{code}")).await.1
}

/// Syncs until the till knows the certificate in the given status (head office's
/// cashier logs in: the first pull replaces the demo users).
async fn until_status(dir: &Path, code: &str, status: &'static str) {
    let code = code.to_owned();
    sync_until(dir.to_path_buf(), move |t| {
        t.login("654321").is_ok()
            && t.certificate(&code)
                .is_ok_and(|c| c.status.code() == status)
    })
    .await;
}

/// Sells `pieces` of the 100 ₽ product, all paid from certificate `code`.
fn redeem(t: &mut Till, code: &str, pieces: u32) -> Result<u64, TillError> {
    t.add_item("CH-50", Some(&pieces.to_string()))?;
    t.pay_certificate(code, &(pieces * 100).to_string())?;
    Ok(t.complete_sale()?.link.receipt_no)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_office_promotion_prices_an_offline_sale_and_the_synced_sale_carries_it() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let (store, product, code) = head_office(&api).await;
    let now = chrono::Local::now().naive_local();
    let promo = api
        .ok_post("/promotions", json!({"name": "Второй парфюм −50%", "target": {"type": "products", "ids": [product["id"]]},
            "kind": {"type": "buy_x_get_y", "buy": 1, "get": 1, "percent": 5000},
            "conditions": {"stores": [store["id"]], "from": now - chrono::Duration::hours(1), "until": now + chrono::Duration::days(2)}}))
        .await;
    let server = format!("http://{}", app.addr);
    let (_tmp, dir) = enrolled_till(server.clone(), code).await;
    sync_until(dir.clone(), |t| {
        t.sync_status().is_ok_and(|s| s.last_pull_at.is_some())
    })
    .await;
    set_server(&dir, DEAD);
    let (discount, receipt) = till(dir.clone(), |t| {
        t.login("654321")?;
        t.open_shift("0")?;
        t.add_item("CH-50", Some("2"))?;
        let cart = t.pay(Tender::Cash, "150", None)?;
        let sale = t.complete_sale()?;
        let receipt = t.sale_receipt_text(&sale)?;
        Ok((cart.priced.discount.minor, receipt))
    })
    .await
    .unwrap();
    assert_eq!(discount, 5_000, "the second bottle at half price, offline");
    assert!(receipt.contains("Второй парфюм −50%"), "{receipt}");
    assert!(matches!(sync(&dir).await, Err(TillError::Network(_))));
    set_server(&dir, &server);
    sync(&dir).await.unwrap();
    let (_, sales) = api.get("/sales").await;
    let sale = &sales["items"][0];
    assert_eq!(
        (sale["discount"].as_str(), sale["total"].as_str()),
        (Some("50.00"), Some("150.00"))
    );
    assert_eq!(sale["promotions"][0]["promotion_id"], promo["id"]);
    assert_eq!(sale["promotions"][0]["version"], 1);
    assert_eq!(sale["promotions"][0]["amount"], "50.00");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_sold_in_one_store_is_redeemed_online_in_another_and_refunded_back() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let (store1, _, code1) = head_office(&api).await;
    let server = format!("http://{}", app.addr);
    let (_t1, till1) = enrolled_till(server.clone(), code1).await;
    let (store2, _t2, till2) = second_store(&api, &server).await;
    let codes = batch(&api, 300_000, 2).await;
    let cert = codes[0].clone();
    // Tills hold no unsold certificates: selling one asks head office for it.
    sync_until(till1.clone(), |t| t.login("654321").is_ok()).await;
    // Store 1 sells it for cash.
    let c = cert.clone();
    let receipt = till(till1.clone(), move |t| {
        t.login("654321")?;
        t.open_shift("0")?;
        t.sell_certificate(&c, None)?;
        assert!(matches!(t.add_coupon("X"), Err(TillError::Coupon(_))));
        t.pay(Tender::Cash, "3000", None)?;
        let s = t.complete_sale()?;
        t.sale_receipt_text(&s)
    })
    .await
    .unwrap();
    assert!(
        !receipt.contains(&cert),
        "a receipt never shows the whole code"
    );
    sync(&till1).await.unwrap();
    let c = certificate(&api, &cert).await;
    assert_eq!(
        (c["status"].as_str(), c["balance_minor"].as_i64()),
        (Some("active"), Some(300_000))
    );
    assert_eq!(c["home_location_id"], store1["id"]);
    // Store 2 takes 100 of it online: head office holds it, then the sale arrives.
    until_status(&till2, &cert, "active").await;
    let c2 = cert.clone();
    let no = till(till2.clone(), move |t| {
        t.login("654321")?;
        t.open_shift("0")?;
        let r = redeem(t, &c2, 1)?;
        assert_eq!(
            t.sale_by_receipt(r)?.doc.payments[0].tender,
            Tender::Certificate
        );
        Ok(r)
    })
    .await
    .unwrap();
    sync(&till2).await.unwrap();
    let c = certificate(&api, &cert).await;
    assert_eq!(c["balance_minor"], 290_000);
    let redeemed = &c["ledger"][1];
    assert_eq!(
        (redeemed["kind"].as_str(), redeemed["online"].as_bool()),
        (Some("redeem"), Some(true))
    );
    assert_eq!(redeemed["location_id"], store2["id"]);
    // A return of that sale puts the money back on the certificate, not in cash.
    let refunds = till(till2.clone(), move |t| {
        Ok(
            t.return_goods(no, None, RefundTo::Cash, Some("не подошёл"))?
                .doc
                .refunds,
        )
    })
    .await
    .unwrap();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].tender, Tender::Certificate);
    sync(&till2).await.unwrap();
    assert_eq!(certificate(&api, &cert).await["balance_minor"], 300_000);
    // The other certificate was never sold: it cannot pay; a mistyped code is caught offline.
    let other = codes[1].clone();
    let err = till(till2.clone(), move |t| {
        t.add_item("CH-50", None)?;
        let e1 = t.pay_certificate(&other, "10").unwrap_err();
        let e2 = t.pay_certificate("ABCD-EFGH-JKLM-N", "10").unwrap_err();
        Ok((e1.to_string(), e2.code()))
    })
    .await
    .unwrap();
    assert!(err.0.contains("not been sold"), "{}", err.0);
    assert_eq!(err.1, "certificate_unknown");
    // The certificates report: sold 3 000, 100 redeemed and refunded back; the one sold
    // is outstanding in full, the unsold one is no liability.
    let today = chrono::Utc::now().date_naive();
    let (from, to) = (
        today - chrono::Duration::days(1),
        today + chrono::Duration::days(1),
    );
    let (_, t) = api
        .get(&format!(
            "/reports/control/certificates?from={from}&to={to}"
        ))
        .await;
    let rows: Vec<(String, i64, String, String)> = t["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["what"].as_str().unwrap_or("").to_owned(),
                r["certificates"].as_i64().unwrap_or(-1),
                r["amount"].as_str().unwrap_or("").to_owned(),
                r["overdraw"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let row = |w: &str, n: i64, a: &str| (w.to_owned(), n, a.to_owned(), "0.00".to_owned());
    assert_eq!(
        rows,
        [
            row("activate", 1, "3000.00"),
            row("outstanding", 1, "3000.00"),
            row("redeem", 1, "100.00"),
            row("refund", 1, "100.00"),
        ],
        "{t}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stores_spend_one_certificate_offline_and_head_office_sees_the_exact_overdraw() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let (_, _, code1) = head_office(&api).await;
    let server = format!("http://{}", app.addr);
    let (_t1, till1) = enrolled_till(server.clone(), code1).await;
    let (_, _t2, till2) = second_store(&api, &server).await;
    let cert = batch(&api, 500_000, 1).await.remove(0);
    sync_until(till1.clone(), |t| t.login("654321").is_ok()).await;
    let c = cert.clone();
    till(till1.clone(), move |t| {
        t.login("654321")?;
        t.open_shift("0")?;
        t.sell_certificate(&c, None)?;
        t.pay(Tender::Card, "5000", Some("A1"))?;
        t.complete_sale()
    })
    .await
    .unwrap();
    sync(&till1).await.unwrap();
    until_status(&till2, &cert, "active").await;
    // Both stores lose head office.
    set_server(&till1, DEAD);
    set_server(&till2, DEAD);
    // The selling store holds the whole balance as its lease: 4 000 ₽ offline is fine.
    let c = cert.clone();
    till(till1.clone(), move |t| redeem(t, &c, 40))
        .await
        .unwrap();
    // The other store may take 3 000 ₽ at once offline (the default cap), not 3 500 ₽.
    let c = cert.clone();
    let (refused, taken) = till(till2.clone(), move |t| {
        t.login("654321")?;
        t.open_shift("0")?;
        t.add_item("CH-50", Some("40"))?;
        let refused = t.pay_certificate(&c, "3500").unwrap_err().code();
        t.void_sale("test")?;
        Ok((refused, redeem(t, &c, 20)?))
    })
    .await
    .unwrap();
    assert_eq!(refused, "certificate_offline_limit");
    assert!(taken > 0);
    // Both come back and sync: head office applies them in arrival order.
    set_server(&till1, &server);
    set_server(&till2, &server);
    sync(&till1).await.unwrap();
    sync(&till2).await.unwrap();
    let c = certificate(&api, &cert).await;
    assert_eq!(c["balance_minor"], 0, "{c}");
    assert_eq!(
        c["overdraw_minor"], 100_000,
        "6 000 taken from 5 000: 1 000 over, exactly"
    );
    assert_eq!(c["status"], "frozen");
    let (_, overdrawn) = api.get("/certificates?overdrawn=true").await;
    assert_eq!(overdrawn["total"], 1);
    // The freeze reaches the tills, which refuse the certificate from then on.
    until_status(&till1, &cert, "frozen").await;
    let c = cert.clone();
    let code = till(till1.clone(), move |t| {
        t.add_item("CH-50", None)?;
        Ok(t.pay_certificate(&c, "1").unwrap_err().code())
    })
    .await
    .unwrap();
    assert_eq!(code, "certificate_blocked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_reach_tills_get_their_group_discount_and_tills_register_new_ones() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let (_, product, code) = head_office(&api).await;
    api.ok_post("/customers", json!({"name": "Мария", "phone": "8 (912) 345-67-89", "card_no": "VIP-0001", "group_code": "vip"}))
        .await;
    api.ok_post("/promotions", json!({"name": "VIP −10%", "target": {"type": "products", "ids": [product["id"]]},
        "kind": {"type": "percent_off", "percent": 1000}, "conditions": {"customer_groups": ["vip"]}}))
        .await;
    let (_tmp, dir) = enrolled_till(format!("http://{}", app.addr), code).await;
    sync_until(dir.clone(), |t| {
        t.login("654321").is_ok() && t.find_customer("+7 912 345 67 89").is_ok()
    })
    .await;
    let (discount, unknown) = till(dir.clone(), |t| {
        t.login("654321")?;
        t.open_shift("0")?;
        t.add_item("CH-50", None)?;
        let cart = t.set_customer("vip0001")?;
        t.pay(Tender::Cash, "90", None)?;
        t.complete_sale()?;
        let unknown = t.set_customer("+7 000 000 00 00").unwrap_err().code();
        t.register_customer("Пётр", Some("+7 903 111 22 33"), None, None)?;
        let dup = t.register_customer("Пётр 2", Some("89031112233"), None, None);
        assert!(matches!(dup, Err(TillError::CustomerExists("phone"))));
        Ok((cart.priced.discount.minor, unknown))
    })
    .await
    .unwrap();
    assert_eq!(discount, 1_000);
    assert_eq!(unknown, "unknown_customer");
    sync(&dir).await.unwrap();
    let (_, found) = api.get("/customers?q=903").await;
    assert_eq!(found["items"][0]["name"], "Пётр");
    let (_, maria) = api.get("/customers?q=VIP0001").await;
    let id = maria["items"][0]["id"].as_str().unwrap();
    let (_, history) = api.get(&format!("/customers/{id}/purchases")).await;
    assert_eq!(history["total"], 1);
    assert_eq!(history["items"][0]["discount_minor"], 1_000);
}
