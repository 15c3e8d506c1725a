//! Security across till and head office: a manager's stores only, and no spendable
//! certificate code in a till's files.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

/// A till of store `code` (a new store, its terminal, Anna working there too), enrolled.
async fn till_in_new_store(
    app: &TestApp,
    api: &Api,
    code: &str,
) -> (Value, tempfile::TempDir, std::path::PathBuf) {
    let s = new_store(api, code).await;
    let (_, users) = api.get("/users?q=anna").await;
    let anna = &users["items"][0];
    let mut locations = anna["locations"].as_array().unwrap().clone();
    locations.push(s["id"].clone());
    let id = anna["id"].as_str().unwrap();
    assert_eq!(
        api.patch(&format!("/users/{id}"), json!({"locations": locations}))
            .await
            .0,
        StatusCode::OK
    );
    let t = api
        .ok_post(
            "/terminals",
            json!({"location_id": s["id"], "name": "Касса"}),
        )
        .await;
    let enrollment = t["enrollment_code"].as_str().unwrap().to_owned();
    let (tmp, dir) = crate::sync::enrolled_till(format!("http://{}", app.addr), enrollment).await;
    (s, tmp, dir)
}

/// Sells one CH-50 to the customer with card VIP-0001 (not yet synced).
async fn sell_to_vip(dir: &std::path::Path) {
    crate::sync::sync_until(dir.to_path_buf(), move |t| {
        t.login("654321").is_ok() && t.find_customer("VIP-0001").is_ok()
    })
    .await;
    let r = crate::sync::till(dir.to_path_buf(), |t| {
        t.login("654321")?;
        t.open_shift("0")?;
        t.add_item("CH-50", None)?;
        t.set_customer("VIP-0001")?;
        t.pay(shared_model::Tender::Cash, "100", None)?;
        t.complete_sale()?;
        Ok(())
    })
    .await;
    r.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_sees_and_acts_on_their_own_stores_only() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let (a, _product, code) = head_office(&api).await;
    let customer = api
        .ok_post(
            "/customers",
            json!({"name": "Мария", "card_no": "VIP-0001"}),
        )
        .await;
    let codes = batch(&api, 100_000, 2).await;
    let (_tmp_a, dir_a) = crate::sync::enrolled_till(format!("http://{}", app.addr), code).await;
    let (b, _tmp_b, dir_b) = till_in_new_store(&app, &api, "B").await;
    for (dir, cert) in [(&dir_a, &codes[0]), (&dir_b, &codes[1])] {
        sell_to_vip(dir).await;
        let c = cert.clone();
        crate::sync::till(dir.clone(), move |t| {
            t.sell_certificate(&c, None)?;
            t.pay(shared_model::Tender::Cash, "1000", None)?;
            t.complete_sale()?;
            t.sync_once()
        })
        .await
        .unwrap();
    }
    let only_b = api
        .ok_post(
            "/promotions",
            json!({"name": "Только B", "target": {"type": "all"},
        "kind": {"type": "percent_off", "percent": 500}, "conditions": {"stores": [b["id"]]}}),
        )
        .await;
    api.ok_post(
        "/promotions",
        json!({"name": "Для всех", "target": {"type": "all"},
        "kind": {"type": "percent_off", "percent": 100}, "conditions": {}}),
    )
    .await;
    api.ok_post(
        "/users",
        json!({"login": "mila", "full_name": "Мила", "role": "manager",
        "password": "password-123", "locations": [a["id"]]}),
    )
    .await;
    let mgr = app.login("mila", "password-123").await;
    // The customer's purchases: the admin sees both stores', the manager store A's.
    let cid = customer["id"].as_str().unwrap();
    assert_eq!(
        api.get(&format!("/customers/{cid}/purchases")).await.1["total"],
        2
    );
    let (_, mine) = mgr.get(&format!("/customers/{cid}/purchases")).await;
    assert_eq!(mine["total"], 1, "{mine}");
    assert_eq!(mine["items"][0]["location_id"], a["id"]);
    // Certificates: only the one sold in store A.
    let (_, certs) = mgr.get("/certificates").await;
    assert_eq!(certs["total"], 1, "{certs}");
    assert_eq!(certs["items"][0]["code"], json!(codes[0]));
    assert_error(
        &mgr.get(&format!("/certificates/{}", codes[1])).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let why = json!({"reason": "lost"});
    let r = mgr
        .post(&format!("/certificates/{}/block", codes[1]), why.clone())
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    let r = mgr
        .post(&format!("/certificates/{}/block", codes[0]), why.clone())
        .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    // Releasing it is head office's.
    let r = mgr
        .post(&format!("/certificates/{}/unblock", codes[0]), why.clone())
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = api
        .post(&format!("/certificates/{}/unblock", codes[0]), why)
        .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    // Promotions: chain-wide ones and store A's, not store B's.
    let (_, promos) = mgr.get("/promotions").await;
    let names: Vec<&str> = promos["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Для всех"], "{promos}");
    assert_eq!(promos["total"], 1);
    let id = only_b["id"].as_str().unwrap();
    assert_error(
        &mgr.get(&format!("/promotions/{id}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_eq!(api.get("/promotions").await.1["total"], 2);
}

/// Every byte of a till's database (with its write-ahead log).
fn till_bytes(dir: &std::path::Path) -> Vec<u8> {
    let mut all = Vec::new();
    for f in ["till.db", "till.db-wal"] {
        all.extend(std::fs::read(dir.join(f)).unwrap_or_default());
    }
    all
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_till_holds_no_certificate_code_anyone_could_spend() {
    use crate::certificates::{set_server, DEAD};
    let app = spawn_app().await;
    let api = app.admin().await;
    let (_a, _product, code) = head_office(&api).await;
    let server = format!("http://{}", app.addr);
    let (_tmp_a, dir_a) = crate::sync::enrolled_till(server.clone(), code).await;
    let (_b, _tmp_b, dir_b) = till_in_new_store(&app, &api, "B").await;
    let codes = batch(&api, 100_000, 3).await;
    // Store A sells the first (head office says its face value).
    crate::sync::sync_until(dir_a.clone(), |t| t.login("654321").is_ok()).await;
    let c = codes[0].clone();
    crate::sync::till(dir_a.clone(), move |t| {
        t.login("654321")?;
        t.open_shift("0")?;
        t.sell_certificate(&c, None)?;
        t.pay(shared_model::Tender::Cash, "1000", None)?;
        t.complete_sale()?;
        t.sync_once()
    })
    .await
    .unwrap();
    // Store B learns of the sold one, by key only.
    let c = codes[0].clone();
    crate::sync::sync_until(dir_b.clone(), move |t| {
        t.login("654321").is_ok() && t.certificate(&c).is_ok_and(|v| v.status.code() == "active")
    })
    .await;
    let bytes = till_bytes(&dir_b);
    for code in &codes {
        let plain = code.replace('-', "");
        assert!(
            !holds(&bytes, &plain) && !holds(&bytes, code),
            "{code} is in store B's till.db"
        );
    }
    // Offline, store B still redeems it (looked up by the key of what the cashier typed)…
    set_server(&dir_b, DEAD);
    let (c0, c1) = (codes[0].clone(), codes[1].clone());
    let offline = crate::sync::till(dir_b.clone(), move |t| {
        t.login("654321")?;
        t.open_shift("0")?;
        t.add_item("CH-50", None)?;
        t.pay_certificate(&c0, "100")?;
        t.complete_sale()?;
        // …and sells another only with the face value typed from the card (here wrongly).
        let asked = t.sell_certificate(&c1, None).unwrap_err().to_string();
        t.sell_certificate(&c1, Some("999"))?;
        t.pay(shared_model::Tender::Cash, "999", None)?;
        t.complete_sale()?;
        Ok(asked)
    })
    .await
    .unwrap();
    assert!(offline.contains("face value"), "{offline}");
    set_server(&dir_b, &server);
    let r = crate::sync::till(dir_b.clone(), |t| t.sync_once())
        .await
        .unwrap();
    assert_eq!(r.pending, 0);
    // Head office took the redemption, and holds the wrongly priced sale for a person.
    assert_eq!(
        api.get(&format!("/certificates/{}", codes[0])).await.1["balance_minor"],
        90_000
    );
    let (_, held) = api.get("/sync/quarantine").await;
    assert_eq!(held["total"], 1, "{held}");
    assert_eq!(
        held["items"][0]["problems"],
        json!(["certificate_not_at_face_value"])
    );
    assert_eq!(
        api.get(&format!("/certificates/{}", codes[1])).await.1["status"],
        "issued"
    );
    // The unsold third reached no till at all.
    for dir in [&dir_a, &dir_b] {
        let plain = codes[2].replace('-', "");
        assert!(!holds(&till_bytes(dir), &plain));
    }
}
