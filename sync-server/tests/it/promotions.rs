//! Promotions: CRUD with store scope, and a preview priced by the shared engine.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

#[tokio::test]
async fn promotions_price_a_preview_cart_as_the_tills_will() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let s1 = api
        .ok_post(
            "/locations",
            json!({"code": "S1", "name": "S1", "kind": "store", "non_fiscal": true}),
        )
        .await;
    let s2 = api
        .ok_post(
            "/locations",
            json!({"code": "S2", "name": "S2", "kind": "store", "non_fiscal": true}),
        )
        .await;
    let cat = api
        .ok_post("/categories", json!({"name": "Парфюмерия"}))
        .await;
    let p = api
        .ok_post("/products", json!({"sku": "P", "name": "P", "unit": "pcs", "vat": "22", "default_price": "100", "category_id": cat["id"]}))
        .await;
    let promo = api
        .ok_post("/promotions", json!({"name": "−10% на парфюмерию", "target": {"type": "categories", "ids": [cat["id"]]},
            "kind": {"type": "percent_off", "percent": 1000}, "conditions": {"stores": [s1["id"]]}}))
        .await;
    assert_eq!(promo["version"], 1);
    let preview = |store: &Value, coupons: Value| json!({"store_id": store["id"], "lines": [{"product_id": p["id"], "qty": "2"}], "coupons": coupons});
    let r = api
        .ok_post("/promotions/preview", preview(&s1, json!([])))
        .await;
    assert_eq!(
        (r["discount"].as_str(), r["total"].as_str()),
        (Some("20.00"), Some("180.00"))
    );
    assert_eq!(r["promotions"][0]["name"], "−10% на парфюмерию");
    let r = api
        .ok_post("/promotions/preview", preview(&s2, json!([])))
        .await;
    assert_eq!(r["discount"], "0.00", "not in this store");
    // A change bumps the version.
    let id = promo["id"].as_str().unwrap();
    let (s, v2) = api
        .put(&format!("/promotions/{id}"), json!({"name": "−20%", "target": {"type": "all"},
            "kind": {"type": "percent_off", "percent": 2000}, "conditions": {"stores": [s1["id"]]}}))
        .await;
    assert_eq!((s, v2["version"].as_i64()), (StatusCode::OK, Some(2)));
    // A coupon promotion stacks on top when the coupon is presented.
    api.ok_post("/promotions", json!({"name": "SPRING", "target": {"type": "all"},
        "kind": {"type": "amount_off", "amount": {"minor": 500, "currency": "RUB"}}, "conditions": {"coupon": "SPRING"}}))
        .await;
    let r = api
        .ok_post("/promotions/preview", preview(&s1, json!([])))
        .await;
    assert_eq!(r["discount"], "40.00");
    let r = api
        .ok_post("/promotions/preview", preview(&s1, json!(["spring"])))
        .await;
    assert_eq!(r["discount"], "45.00");
    assert_eq!(r["promotions"].as_array().unwrap().len(), 2);
    let (_, list) = api.get("/promotions").await;
    assert_eq!(list["total"], 2);
}

/// Promotion hours are the store's local time, as at its tills: happy hours that are
/// now in a store at UTC+10 apply there, and not in a UTC store, ten hours off.
#[tokio::test]
async fn a_previews_hours_are_the_stores_local_time() {
    use chrono::Timelike;
    let app = spawn_app().await;
    let api = app.admin().await;
    let (status, body) = api
        .post(
            "/locations",
            json!({"code": "X", "name": "X", "kind": "store", "timezone": "Europe/Moskow"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("unknown time zone")));
    let store = |code: &str, tz: &str| json!({"code": code, "name": code, "kind": "store", "timezone": tz, "non_fiscal": true});
    // Vladivostok has kept UTC+10 all year since 2014.
    let far = api
        .ok_post("/locations", store("VVO", "Asia/Vladivostok"))
        .await;
    let utc = api.ok_post("/locations", store("UTC", "UTC")).await;
    let p = api
        .ok_post(
            "/products",
            json!({"sku": "P", "name": "P", "unit": "pcs", "vat": "22", "default_price": "100"}),
        )
        .await;
    let there = (chrono::Utc::now().hour() + 10) % 24;
    api.ok_post(
        "/promotions",
        json!({"name": "Happy hours", "target": {"type": "all"}, "kind": {"type": "percent_off", "percent": 1000},
            "conditions": {"hours": [there, (there + 2) % 24]}}),
    )
    .await;
    let preview =
        |s: &Value| json!({"store_id": s["id"], "lines": [{"product_id": p["id"], "qty": "1"}]});
    let r = api.ok_post("/promotions/preview", preview(&far)).await;
    assert_eq!(r["discount"], "10.00", "happy hours now in Vladivostok");
    let r = api.ok_post("/promotions/preview", preview(&utc)).await;
    assert_eq!(r["discount"], "0.00", "ten hours earlier in the UTC store");
    // An explicit moment is the store's local time too.
    let mut at = preview(&utc);
    at["at"] = json!(format!("2026-12-07T{:02}:30:00", there));
    let r = api.ok_post("/promotions/preview", at).await;
    assert_eq!(r["discount"], "10.00");
}

#[tokio::test]
async fn promotions_refuse_bad_input_and_foreign_stores() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let s1 = api
        .ok_post(
            "/locations",
            json!({"code": "S1", "name": "S1", "kind": "store", "non_fiscal": true}),
        )
        .await;
    let s2 = api
        .ok_post(
            "/locations",
            json!({"code": "S2", "name": "S2", "kind": "store", "non_fiscal": true}),
        )
        .await;
    let bad = [
        json!({"name": "X", "target": {"type": "all"}, "kind": {"type": "teleport"}}),
        json!({"name": "X", "target": {"type": "all"}, "kind": {"type": "amount_off", "amount": {"minor": -1, "currency": "RUB"}}}),
        json!({"name": "X", "target": {"type": "all"}, "kind": {"type": "bundle", "qty": 1, "price": {"minor": 1, "currency": "RUB"}}}),
        json!({"name": "", "target": {"type": "all"}, "kind": {"type": "percent_off", "percent": 1000}}),
        json!({"name": "X", "target": {"type": "all"}, "kind": {"type": "percent_off", "percent": 10001}}),
        json!({"name": "X", "target": {"type": "all"}, "kind": {"type": "percent_off", "percent": 1000},
               "conditions": {"from": "2026-12-31T00:00:00", "until": "2026-12-01T00:00:00"}}),
        json!({"name": "X", "target": {"type": "products", "ids": ["00000000-0000-7000-8000-000000000001"]},
               "kind": {"type": "percent_off", "percent": 1000}}),
        json!({"name": "X", "target": {"type": "all"}, "kind": {"type": "percent_off", "percent": 1000},
               "conditions": {"usage_limit": 0}}),
    ];
    for b in bad {
        let r = api.post("/promotions", b.clone()).await;
        assert_eq!(r.0, StatusCode::UNPROCESSABLE_ENTITY, "{b}: {}", r.1);
    }
    let r = api.post("/promotions", json!({"name": "X", "target": {"type": "all"}, "kind": {"type": "percent_off", "percent": 1000},
        "conditions": {"from": "2026-12-31T00:00:00", "until": "2026-12-01T00:00:00"}})).await;
    assert_eq!(
        r.1["error"]["message"],
        "the promotion ends before it starts"
    );
    let (_, list) = api.get("/promotions").await;
    assert_eq!(list["total"], 0, "nothing was written");
    api.ok_post("/users", json!({"login": "m", "full_name": "M", "role": "manager", "password": "password-123", "locations": [s1["id"]]}))
        .await;
    api.ok_post("/users", json!({"login": "c", "full_name": "C", "role": "cashier", "password": "password-123", "locations": [s1["id"]]}))
        .await;
    let m = app.login("m", "password-123").await;
    let def = |stores: Value| json!({"name": "M", "target": {"type": "all"}, "kind": {"type": "percent_off", "percent": 500}, "conditions": {"stores": stores}});
    assert_error(
        &m.post("/promotions", def(json!([]))).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_error(
        &m.post("/promotions", def(json!([s2["id"]]))).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_eq!(
        m.post("/promotions", def(json!([s1["id"]]))).await.0,
        StatusCode::CREATED
    );
    let c = app.login("c", "password-123").await;
    assert_error(
        &c.get("/promotions").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
}
