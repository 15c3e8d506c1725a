//! The role × endpoint matrix, table-driven, and location scope.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

const ROLES: [&str; 5] = [
    "admin",
    "manager",
    "warehouse_worker",
    "cashier",
    "salesperson",
];

struct World {
    store: String,
    wh: String,
    other: String,
    product: String,
}

async fn world(admin: &Api) -> World {
    let id = |v: Value| v["id"].as_str().unwrap().to_owned();
    let store = id(admin
        .ok_post(
            "/locations",
            json!({"code": "S", "name": "S", "kind": "store"}),
        )
        .await);
    let wh = id(admin
        .ok_post(
            "/locations",
            json!({"code": "W", "name": "W", "kind": "warehouse"}),
        )
        .await);
    let other = id(admin
        .ok_post(
            "/locations",
            json!({"code": "O", "name": "O", "kind": "store"}),
        )
        .await);
    let product = id(admin
        .ok_post(
            "/products",
            json!({"sku": "P", "name": "P", "unit": "pcs", "vat": "20", "default_price": "1"}),
        )
        .await);
    World {
        store,
        wh,
        other,
        product,
    }
}

async fn sessions(app: &TestApp, admin: &Api, w: &World) -> Vec<Api> {
    let mut out = Vec::new();
    for role in ROLES {
        if role == "admin" {
            out.push(app.login(ADMIN.0, ADMIN.1).await);
            continue;
        }
        admin
            .ok_post(
                "/users",
                json!({"login": role, "full_name": role, "role": role, "password": "password-123",
                                      "locations": [w.store, w.wh]}),
            )
            .await;
        out.push(app.login(role, "password-123").await);
    }
    out
}

#[tokio::test]
async fn each_role_is_allowed_exactly_what_the_seed_allows() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = world(&admin).await;
    let who = sessions(&app, &admin, &w).await;
    let (a, m, ww) = (true, true, true);
    let (n, c, s) = (false, false, false);
    // (method, path, body, allowed for [admin, manager, warehouse_worker, cashier, salesperson])
    type Case = (&'static str, String, Option<Value>, [bool; 5]);
    let cases = |i: usize| -> Vec<Case> {
        vec![
            ("GET", "/users".into(), None, [a, m, n, c, s]),
            (
                "POST",
                "/users".into(),
                Some(
                    json!({"login": format!("new{i}"), "full_name": "N", "role": "cashier", "password": "password-123", "locations": [w.store]}),
                ),
                [a, m, n, c, s],
            ),
            ("GET", "/locations".into(), None, [a, m, ww, c, s]),
            (
                "POST",
                "/locations".into(),
                Some(json!({"code": format!("L{i}"), "name": "L", "kind": "store"})),
                [a, n, n, c, s],
            ),
            ("GET", "/terminals".into(), None, [a, n, n, c, s]),
            (
                "POST",
                "/terminals".into(),
                Some(json!({"location_id": w.store, "name": format!("T{i}")})),
                [a, n, n, c, s],
            ),
            ("GET", "/categories".into(), None, [a, m, ww, c, s]),
            (
                "POST",
                "/categories".into(),
                Some(json!({"name": format!("C{i}")})),
                [a, m, n, c, s],
            ),
            ("GET", "/products".into(), None, [a, m, ww, c, s]),
            (
                "POST",
                "/products".into(),
                Some(
                    json!({"sku": format!("X{i}"), "name": "X", "unit": "pcs", "vat": "20", "default_price": "1"}),
                ),
                [a, m, n, c, s],
            ),
            (
                "PATCH",
                format!("/products/{}", w.product),
                Some(json!({"name": format!("P{i}")})),
                [a, m, n, c, s],
            ),
            (
                "PUT",
                format!("/products/{}/prices/{}", w.product, w.store),
                Some(json!({"price": "2"})),
                [a, m, n, c, s],
            ),
            ("GET", "/customers".into(), None, [a, m, n, c, s]),
            (
                "POST",
                "/customers".into(),
                Some(json!({"name": "Cust"})),
                [a, m, n, c, s],
            ),
            ("GET", "/inventory/levels".into(), None, [a, m, ww, c, s]),
            ("GET", "/inventory/movements".into(), None, [a, m, ww, c, s]),
            ("GET", "/inventory/transfers".into(), None, [a, m, ww, c, s]),
            (
                "POST",
                "/inventory/receipts".into(),
                Some(
                    json!({"location_id": w.wh, "lines": [{"product_id": w.product, "qty": "5"}]}),
                ),
                [a, m, ww, c, s],
            ),
            (
                "POST",
                "/inventory/transfers".into(),
                Some(
                    json!({"from_location_id": w.wh, "to_location_id": w.store, "lines": [{"product_id": w.product, "qty": "1"}]}),
                ),
                [a, m, ww, c, s],
            ),
            (
                "POST",
                "/inventory/counts".into(),
                Some(
                    json!({"location_id": w.store, "reason": "count", "lines": [{"product_id": w.product, "counted": "1"}]}),
                ),
                [a, m, ww, c, s],
            ),
            ("GET", "/audit".into(), None, [a, n, n, c, s]),
            ("GET", "/auth/me".into(), None, [a, m, ww, true, true]),
        ]
    };
    for (i, api) in who.iter().enumerate() {
        for (method, path, body, allowed) in cases(i) {
            let (status, v) = match method {
                "GET" => api.get(&path).await,
                "POST" => api.post(&path, body.unwrap_or(Value::Null)).await,
                "PATCH" => api.patch(&path, body.unwrap_or(Value::Null)).await,
                _ => api.put(&path, body.unwrap_or(Value::Null)).await,
            };
            if allowed[i] {
                assert!(
                    status.is_success(),
                    "{} {method} {path}: {status} {v}",
                    ROLES[i]
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{} {method} {path}: {v}",
                    ROLES[i]
                );
                assert_eq!(v["error"]["code"], "forbidden");
            }
        }
    }
}

#[tokio::test]
async fn managers_and_warehouse_workers_stay_in_their_locations() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = world(&admin).await;
    let who = sessions(&app, &admin, &w).await;
    let (manager, ww) = (&who[1], &who[2]);
    let forbidden = |r: (StatusCode, Value)| assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let line = json!([{"product_id": w.product, "qty": "1"}]);
    forbidden(
        manager
            .post(
                "/inventory/receipts",
                json!({"location_id": w.other, "lines": line}),
            )
            .await,
    );
    forbidden(
        ww.post(
            "/inventory/receipts",
            json!({"location_id": w.other, "lines": line}),
        )
        .await,
    );
    forbidden(
        manager
            .put(
                &format!("/products/{}/prices/{}", w.product, w.other),
                json!({"price": "1"}),
            )
            .await,
    );
    forbidden(manager.post("/users", json!({"login": "x1", "full_name": "X", "role": "cashier", "password": "password-123", "locations": [w.other]})).await);
    forbidden(manager.post("/users", json!({"login": "x2", "full_name": "X", "role": "manager", "password": "password-123", "locations": [w.store]})).await);
    forbidden(
        manager
            .post(
                "/inventory/transfers",
                json!({"from_location_id": w.other, "to_location_id": w.store, "lines": line}),
            )
            .await,
    );
    // Lists only show what is in scope.
    let (_, locs) = manager.get("/locations").await;
    assert_eq!(locs["total"], 2);
    let (_, users) = manager.get("/users").await;
    assert!(users["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["login"] != "root"));
    let (s, _) = manager.get(&format!("/locations/{}", w.other)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // A manager cannot touch the admin.
    let (_, root) = admin.get("/auth/me").await;
    let (s, _) = manager
        .patch(
            &format!("/users/{}", root["id"].as_str().unwrap()),
            json!({"active": false}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Disabling a user cuts their session at once.
    let (_, cashier) = who[3].get("/auth/me").await;
    let (s, _) = manager
        .patch(
            &format!("/users/{}", cashier["id"].as_str().unwrap()),
            json!({"active": false}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_error(
        &who[3].get("/auth/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
}
