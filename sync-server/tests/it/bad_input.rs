//! Bad input: a 4xx with the JSON error body, and nothing changed.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::flow::done_when_walk;
use crate::helpers::*;

/// Row counts of every table: equal before and after means nothing changed.
async fn fingerprint(app: &TestApp) -> Vec<(String, i64)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'alaroma' AND table_name NOT LIKE '\\_sqlx%' ORDER BY 1",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    let mut out = Vec::new();
    for t in tables {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM alaroma.{t}"))
            .fetch_one(&app.state.db)
            .await
            .unwrap();
        out.push((t, n));
    }
    let levels: i64 =
        sqlx::query_scalar("SELECT COALESCE(SUM(qty_milli), 0)::bigint FROM inventory_levels")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    out.push(("levels".into(), levels));
    out
}

#[tokio::test]
async fn bad_input_gets_a_4xx_and_changes_nothing() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let (store, wh, product) = done_when_walk(&api).await;
    let pid = product["id"].as_str().unwrap();
    let before = fingerprint(&app).await;
    let raw = |body: &'static str| {
        let c = reqwest::Client::new();
        let url = app.url("/products");
        let token = api.token.clone();
        async move {
            split(
                c.post(url)
                    .bearer_auth(token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    assert_error(
        &raw("{\"sku\": ").await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    );
    let no_type = split(
        reqwest::Client::new()
            .post(app.url("/products"))
            .bearer_auth(&api.token)
            .body("{}")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(&no_type, StatusCode::BAD_REQUEST, "bad_request");
    let cases: Vec<(&str, Value, StatusCode, &str)> = vec![
        (
            "wrong type",
            json!({"sku": 5, "name": "X", "unit": "pcs", "vat": "22", "default_price": "1"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        ),
        (
            "unknown field",
            json!({"sku": "N1", "name": "X", "unit": "pcs", "vat": "22", "default_price": "1", "colour": "red"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        ),
        (
            "missing field",
            json!({"sku": "N1", "name": "X", "unit": "pcs", "vat": "22"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        ),
        (
            "bad barcode",
            json!({"sku": "N1", "name": "X", "unit": "pcs", "vat": "22", "default_price": "1", "barcodes": ["4006381333932"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        ),
        (
            "duplicate sku",
            json!({"sku": "CH-N5-50", "name": "X", "unit": "pcs", "vat": "22", "default_price": "1"}),
            StatusCode::CONFLICT,
            "conflict",
        ),
        (
            "duplicate barcode",
            json!({"sku": "N2", "name": "X", "unit": "pcs", "vat": "22", "default_price": "1", "barcodes": ["4006381333931"]}),
            StatusCode::CONFLICT,
            "conflict",
        ),
        (
            "negative price",
            json!({"sku": "N3", "name": "X", "unit": "pcs", "vat": "22", "default_price": "-1.00"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        ),
        (
            "float price",
            json!({"sku": "N4", "name": "X", "unit": "pcs", "vat": "22", "default_price": "1.005"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        ),
        (
            "bad unit",
            json!({"sku": "N5", "name": "X", "unit": "kg", "vat": "22", "default_price": "1"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        ),
        (
            "bad category",
            json!({"sku": "N6", "name": "X", "unit": "pcs", "vat": "22", "default_price": "1", "category_id": uuid::Uuid::nil()}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        ),
    ];
    for (what, body, status, code) in cases {
        let r = api.post("/products", body).await;
        assert_eq!(r.0, status, "{what}: {}", r.1);
        assert_eq!(r.1["error"]["code"], code, "{what}");
    }
    let stock_cases: Vec<(&str, &str, Value, StatusCode)> = vec![
        (
            "more than the warehouse holds",
            "/inventory/transfers",
            json!({"from_location_id": wh["id"], "to_location_id": store["id"], "lines": [{"product_id": pid, "qty": "7"}]}),
            StatusCode::CONFLICT,
        ),
        (
            "fractional pieces",
            "/inventory/receipts",
            json!({"location_id": wh["id"], "lines": [{"product_id": pid, "qty": "1.5"}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "zero",
            "/inventory/receipts",
            json!({"location_id": wh["id"], "lines": [{"product_id": pid, "qty": "0"}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "no lines",
            "/inventory/receipts",
            json!({"location_id": wh["id"], "lines": []}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "unknown product",
            "/inventory/receipts",
            json!({"location_id": wh["id"], "lines": [{"product_id": uuid::Uuid::nil(), "qty": "1"}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "unknown location",
            "/inventory/receipts",
            json!({"location_id": uuid::Uuid::nil(), "lines": [{"product_id": pid, "qty": "1"}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "count without reason",
            "/inventory/counts",
            json!({"location_id": store["id"], "reason": " ", "lines": [{"product_id": pid, "counted": "1"}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "same location",
            "/inventory/transfers",
            json!({"from_location_id": wh["id"], "to_location_id": wh["id"], "lines": [{"product_id": pid, "qty": "1"}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "terminal at a warehouse",
            "/terminals",
            json!({"location_id": wh["id"], "name": "T"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "short password",
            "/users",
            json!({"login": "u", "full_name": "U", "role": "cashier", "password": "short", "locations": [store["id"]]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "bad pin",
            "/users",
            json!({"login": "u", "full_name": "U", "role": "cashier", "password": "long enough!", "pin": "12a4", "locations": [store["id"]]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "bad location kind",
            "/locations",
            json!({"code": "Z", "name": "Z", "kind": "kiosk"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "duplicate location code",
            "/locations",
            json!({"code": "WH-01", "name": "Z", "kind": "store"}),
            StatusCode::CONFLICT,
        ),
        (
            "bad phone",
            "/customers",
            json!({"name": "A", "phone": "call me"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (what, path, body, status) in stock_cases {
        let r = api.post(path, body).await;
        assert_eq!(r.0, status, "{what}: {}", r.1);
        assert!(
            r.1["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{what}"
        );
    }
    assert_error(
        &api.get("/no-such-thing").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let r = split(
        api.client
            .delete(app.url("/products"))
            .bearer_auth(&api.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(&r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    let (s, _) = api.get("/products/not-a-uuid").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = api.get("/products?page=abc").await;
    assert_error(&(s, v), StatusCode::BAD_REQUEST, "bad_request");
    assert_eq!(
        fingerprint(&app).await,
        before,
        "a refused request changed the database"
    );
    assert_eq!(level(&api, &wh, &product).await, "6");
}

#[tokio::test]
async fn enrollment_codes_are_one_time_expiring_and_die_with_the_terminal() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let store = api
        .ok_post(
            "/locations",
            json!({"code": "S", "name": "S", "kind": "store"}),
        )
        .await;
    let c = reqwest::Client::new();
    let enroll = |code: String| {
        let c = c.clone();
        let url = app.url("/terminals/enroll");
        async move {
            split(
                c.post(url)
                    .json(&json!({"code": code}))
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    let t1 = api
        .ok_post(
            "/terminals",
            json!({"location_id": store["id"], "name": "T1"}),
        )
        .await;
    let code1 = t1["enrollment_code"].as_str().unwrap().to_owned();
    assert_eq!(enroll(code1.clone()).await.0, StatusCode::OK);
    assert_error(
        &enroll(code1).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    // Expired.
    let t2 = api
        .ok_post(
            "/terminals",
            json!({"location_id": store["id"], "name": "T2"}),
        )
        .await;
    sqlx::query(
        "UPDATE terminals SET enrollment_expires_at = now() - interval '1 minute' WHERE id = $1",
    )
    .bind(uuid::Uuid::parse_str(t2["terminal"]["id"].as_str().unwrap()).unwrap())
    .execute(&app.state.db)
    .await
    .unwrap();
    assert_error(
        &enroll(t2["enrollment_code"].as_str().unwrap().into()).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    // Disabled before use: the code dies.
    let t3 = api
        .ok_post(
            "/terminals",
            json!({"location_id": store["id"], "name": "T3"}),
        )
        .await;
    let id3 = t3["terminal"]["id"].as_str().unwrap();
    assert_eq!(
        api.post(&format!("/terminals/{id3}/disable"), json!({}))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        enroll(t3["enrollment_code"].as_str().unwrap().into())
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    // A new code re-enrolls.
    let fresh = api
        .ok_post(&format!("/terminals/{id3}/enrollment-code"), json!({}))
        .await;
    assert_eq!(
        enroll(fresh["enrollment_code"].as_str().unwrap().into())
            .await
            .0,
        StatusCode::OK
    );
    assert_error(
        &enroll("NOPE-NOPE-NOPE".into()).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
}
