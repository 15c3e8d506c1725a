//! Happy paths through the admin API, including the "done when" walk.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

/// Store, warehouse, product with barcode and price; receive 10 at the warehouse,
/// transfer 4 to the store, count 3 there: levels 6 and 3.
pub async fn done_when_walk(api: &Api) -> (Value, Value, Value) {
    let store = api
        .ok_post(
            "/locations",
            json!({"code": "MSK-01", "name": "Магазин на Тверской", "kind": "store"}),
        )
        .await;
    let wh = api
        .ok_post(
            "/locations",
            json!({"code": "WH-01", "name": "Центральный склад", "kind": "warehouse"}),
        )
        .await;
    let product = api
        .ok_post(
            "/products",
            json!({"sku": "CH-N5-50", "name": "Chanel No 5 EDP 50 мл", "unit": "pcs", "vat": "22",
                   "default_price": "14390.00", "cost": "9100.00", "barcodes": ["4006381333931"]}),
        )
        .await;
    let pid = product["id"].as_str().unwrap().to_owned();
    let (s, price) = api
        .put(
            &format!("/products/{pid}/prices/{}", store["id"].as_str().unwrap()),
            json!({"price": "13990.00"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{price}");
    api.ok_post("/inventory/receipts", json!({"location_id": wh["id"], "lines": [{"product_id": pid, "qty": "10"}], "reason": "ТН-1"})).await;
    let t = api
        .ok_post("/inventory/transfers", json!({"from_location_id": wh["id"], "to_location_id": store["id"], "lines": [{"product_id": pid, "qty": "4"}]}))
        .await;
    let received = api
        .ok_post(
            &format!("/inventory/transfers/{}/receive", t["id"].as_str().unwrap()),
            json!({}),
        )
        .await;
    assert_eq!(received["status"], "received");
    let counted = api
        .ok_post("/inventory/counts", json!({"location_id": store["id"], "reason": "пересчёт", "lines": [{"product_id": pid, "counted": "3"}]}))
        .await;
    assert_eq!(counted[0]["expected"], "4");
    assert_eq!(counted[0]["adjustment"], "-1");
    (store, wh, product)
}

#[tokio::test]
async fn the_done_when_walk_gives_levels_6_and_3() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let (store, wh, product) = done_when_walk(&api).await;
    assert_eq!(level(&api, &wh, &product).await, "6");
    assert_eq!(level(&api, &store, &product).await, "3");
    // Every level is the sum of its movements.
    let (_, moves) = api
        .get(&format!(
            "/inventory/movements?product_id={}",
            product["id"].as_str().unwrap()
        ))
        .await;
    let kinds: Vec<&str> = moves["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["count", "transfer_in", "transfer_out", "receive"]);
    let sums: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT SUM(qty_milli) FROM inventory_levels)::bigint, (SELECT SUM(qty_milli) FROM inventory_movements)::bigint",
    )
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(sums.0, sums.1);
    // Every write is in the audit log with who and what.
    let (_, audit) = api.get("/audit?entity=product").await;
    assert_eq!(audit["items"][0]["action"], "create");
    assert_eq!(audit["items"][0]["after"]["sku"], "CH-N5-50");
    let (_, audit) = api.get("/audit").await;
    assert!(audit["total"].as_i64().unwrap() >= 8);
}

#[tokio::test]
async fn catalog_users_customers_and_terminals_round_trip() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let store = api
        .ok_post(
            "/locations",
            json!({"code": "S1", "name": "Store", "kind": "store"}),
        )
        .await;
    let cat = api
        .ok_post("/categories", json!({"name": "Парфюмерия"}))
        .await;
    let p = api
        .ok_post("/products", json!({"sku": "D-1", "name": "Decant", "unit": "ml", "vat": "vat22", "default_price": "190", "category_id": cat["id"]}))
        .await;
    assert_eq!(p["default_price"], "190.00");
    let pid = p["id"].as_str().unwrap();
    let (s, upd) = api
        .patch(
            &format!("/products/{pid}"),
            json!({"barcodes": ["036000291452"], "default_price": "199.50"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{upd}");
    assert_eq!(upd["barcodes"], json!(["0036000291452"]));
    let (_, found) = api.get("/products?barcode=036000291452").await;
    assert_eq!(found["total"], 1);
    let (_, found) = api.get("/products?q=deca&per_page=1").await;
    assert_eq!(found["items"][0]["sku"], "D-1");
    let (_, prices) = api.get(&format!("/products/{pid}/prices")).await;
    assert_eq!(prices, json!([]));
    // Users with PIN and discount limit.
    let u = api
        .ok_post("/users", json!({"login": "masha", "full_name": "Мария", "role": "salesperson", "password": "long enough pw",
                                  "pin": "222222", "locations": [store["id"]]}))
        .await;
    assert_eq!(
        (u["has_pin"].as_bool(), u["discount_limit"].as_str()),
        (Some(true), Some("10"))
    );
    let (s, u2) = api
        .patch(
            &format!("/users/{}", u["id"].as_str().unwrap()),
            json!({"discount_limit": "12.5"}),
        )
        .await;
    assert_eq!(
        (s, u2["discount_limit"].as_str()),
        (StatusCode::OK, Some("12.5"))
    );
    let (_, list) = api.get("/users?role=salesperson").await;
    assert_eq!(list["total"], 1);
    // Customers.
    let c = api
        .ok_post(
            "/customers",
            json!({"name": "Ирина", "phone": "8 (916) 123-45-67", "card_no": "AA-1"}),
        )
        .await;
    assert_eq!(c["phone"], "+79161234567");
    let (_, cs) = api.get("/customers?q=916").await;
    assert_eq!(cs["total"], 1);
    // Terminals: a code for a store, exchanged once.
    let t = api
        .ok_post(
            "/terminals",
            json!({"location_id": store["id"], "name": "Касса 1"}),
        )
        .await;
    let code = t["enrollment_code"].as_str().unwrap();
    assert_eq!(code.len(), 14);
    let c = reqwest::Client::new();
    let e: Value = c
        .post(app.url("/terminals/enroll"))
        .json(&json!({"code": code.to_lowercase()}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(e["terminal_id"], t["terminal"]["id"]);
    assert_eq!(e["location_id"], store["id"]);
    assert_eq!(e["device_secret"].as_str().unwrap().len(), 64);
    let (_, ts) = api.get("/terminals").await;
    assert_eq!(ts["items"][0]["status"], "active");
}

#[tokio::test]
async fn health_metrics_and_openapi() {
    let app = spawn_app_with(|c| {
        c.metrics_token = Some(secrecy::SecretString::from("scrape-token-0123".to_owned()));
    })
    .await;
    let c = reqwest::Client::new();
    let h: Value = c
        .get(format!("http://{}/health", app.addr))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(h, json!({"status": "up", "postgres": "up", "redis": "up"}));
    let doc: Value = c
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/api/v1/auth/login",
        "/api/v1/products",
        "/api/v1/inventory/transfers/{id}/receive",
        "/api/v1/users/{id}",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from OpenAPI"
        );
    }
    // Metrics only for the scraper's token.
    let metrics = |token: Option<&'static str>| {
        let mut r = c.get(format!("http://{}/metrics", app.addr));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        async move { r.send().await.unwrap().status() }
    };
    assert_eq!(metrics(Some("scrape-token-0123")).await, StatusCode::OK);
    assert_eq!(metrics(None).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        metrics(Some("scrape-token-0124")).await,
        StatusCode::UNAUTHORIZED
    );
    // Without a token configured the app port serves none.
    let plain = spawn_app().await;
    let r = c
        .get(format!("http://{}/metrics", plain.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn health_says_which_dependency_is_down() {
    let app = spawn_app().await;
    app.state.db.close().await;
    let r = reqwest::Client::new()
        .get(format!("http://{}/health", app.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let h: Value = r.json().await.unwrap();
    assert_eq!(
        (h["postgres"].as_str(), h["redis"].as_str()),
        (Some("down"), Some("up"))
    );
}

#[tokio::test]
async fn the_remaining_endpoints_round_trip_and_a_cashier_gets_403_on_the_walk() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let (store, wh, product) = done_when_walk(&api).await;
    let (sid, pid) = (
        store["id"].as_str().unwrap(),
        product["id"].as_str().unwrap(),
    );
    assert_eq!(
        api.get(&format!("/locations/{sid}")).await.1["code"],
        "MSK-01"
    );
    let (s, l) = api
        .patch(
            &format!("/locations/{sid}"),
            json!({"name": "Тверская, 1", "timezone": "Europe/Samara"}),
        )
        .await;
    assert_eq!(
        (s, l["timezone"].as_str()),
        (StatusCode::OK, Some("Europe/Samara"))
    );
    assert_eq!(
        api.get(&format!("/products/{pid}")).await.1["sku"],
        "CH-N5-50"
    );
    let (_, prices) = api.get(&format!("/products/{pid}/prices")).await;
    assert_eq!(prices[0]["price"], "13990.00");
    let del = api
        .client
        .delete(app.url(&format!("/products/{pid}/prices/{sid}")))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        api.get(&format!("/products/{pid}/prices")).await.1,
        json!([])
    );
    let (_, transfers) = api
        .get(&format!(
            "/inventory/transfers?location_id={}&status=received",
            wh["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(transfers["items"][0]["lines"][0]["qty"], "4");
    let cust = api
        .ok_post("/customers", json!({"name": "Анна", "card_no": "DC-77"}))
        .await;
    let cid = cust["id"].as_str().unwrap();
    let (s, c2) = api
        .patch(
            &format!("/customers/{cid}"),
            json!({"group_code": "vip", "email": "anna@example.ru"}),
        )
        .await;
    assert_eq!(
        (s, c2["group_code"].as_str()),
        (StatusCode::OK, Some("vip"))
    );
    assert_eq!(
        api.get(&format!("/customers/{cid}")).await.1["card_no"],
        "DC77",
        "card numbers are stored normalised, as tills look them up"
    );
    let cashier = api
        .ok_post("/users", json!({"login": "kassa", "full_name": "Касса", "role": "cashier", "password": "password-123", "pin": "111111", "locations": [sid]}))
        .await;
    assert_eq!(
        api.get(&format!("/users/{}", cashier["id"].as_str().unwrap()))
            .await
            .1["login"],
        "kassa"
    );
    // The cashier: 403 on every call of the walk.
    let c = app.login("kassa", "password-123").await;
    let walk: Vec<(StatusCode, serde_json::Value)> = vec![
        c.post("/locations", json!({"code": "X", "name": "X", "kind": "store"})).await,
        c.post("/products", json!({"sku": "X", "name": "X", "unit": "pcs", "vat": "22", "default_price": "1"})).await,
        c.put(&format!("/products/{pid}/prices/{sid}"), json!({"price": "1"})).await,
        c.post("/inventory/receipts", json!({"location_id": wh["id"], "lines": [{"product_id": pid, "qty": "1"}]})).await,
        c.post("/inventory/transfers", json!({"from_location_id": wh["id"], "to_location_id": sid, "lines": [{"product_id": pid, "qty": "1"}]})).await,
        c.post(&format!("/inventory/transfers/{}/receive", transfers["items"][0]["id"].as_str().unwrap()), json!({})).await,
        c.post("/inventory/counts", json!({"location_id": sid, "reason": "x", "lines": [{"product_id": pid, "counted": "1"}]})).await,
        c.get("/inventory/levels").await,
        c.get("/products").await,
        c.get("/locations").await,
    ];
    for r in &walk {
        assert_error(r, StatusCode::FORBIDDEN, "forbidden");
    }
    assert_eq!(level(&api, &store, &product).await, "3");
}
