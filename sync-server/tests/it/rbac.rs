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
            json!({"sku": "P", "name": "P", "unit": "pcs", "vat": "22", "default_price": "1"}),
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
                    json!({"sku": format!("X{i}"), "name": "X", "unit": "pcs", "vat": "22", "default_price": "1"}),
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

/// Who may call a route: the rule every route in the OpenAPI document must have.
#[derive(Clone, Copy, Debug)]
enum Rule {
    /// No credentials needed (health, login, the docs).
    Public,
    /// A till's device token; people's tokens are refused.
    Device,
    /// Any logged-in person.
    Anyone,
    /// These roles of [admin, manager, warehouse_worker, cashier, salesperson]; a
    /// manager's or warehouse worker's access is further limited to their locations
    /// (tested route by route in this file, `security.rs` and the modules' own tests).
    Roles([bool; 5]),
}

/// The role × endpoint matrix: every route the server documents, with its rule.
fn matrix() -> Vec<(&'static str, &'static str, Rule)> {
    const ADMIN: Rule = Rule::Roles([true, false, false, false, false]);
    const MANAGE: Rule = Rule::Roles([true, true, false, false, false]);
    const STOCK: Rule = Rule::Roles([true, true, true, false, false]);
    use Rule::*;
    vec![
        ("GET", "/audit", ADMIN),
        ("POST", "/auth/login", Public),
        ("POST", "/auth/refresh", Public),
        ("POST", "/auth/logout", Public),
        ("GET", "/auth/me", Anyone),
        ("GET", "/categories", STOCK),
        ("POST", "/categories", MANAGE),
        ("GET", "/products", STOCK),
        ("POST", "/products", MANAGE),
        ("GET", "/products/{id}", STOCK),
        ("PATCH", "/products/{id}", MANAGE),
        ("GET", "/products/{id}/prices", STOCK),
        ("PUT", "/products/{id}/prices/{location_id}", MANAGE),
        ("DELETE", "/products/{id}/prices/{location_id}", MANAGE),
        ("GET", "/catalog/export", STOCK),
        ("POST", "/catalog/import", MANAGE),
        ("POST", "/certificates/batches", MANAGE),
        ("GET", "/certificates", MANAGE),
        ("GET", "/certificates/{code}", MANAGE),
        ("POST", "/certificates/{code}/block", MANAGE),
        ("POST", "/certificates/{code}/unblock", ADMIN),
        ("GET", "/certificates/policy", MANAGE),
        ("PUT", "/certificates/policy", MANAGE),
        ("POST", "/sync/certificates/reserve", Device),
        ("POST", "/sync/certificates/sellable", Device),
        ("GET", "/customers/{id}/purchases", MANAGE),
        ("GET", "/customers", MANAGE),
        ("POST", "/customers", MANAGE),
        ("GET", "/customers/{id}", MANAGE),
        ("PATCH", "/customers/{id}", MANAGE),
        ("POST", "/sync/token", Public),
        ("GET", "/inventory/levels", STOCK),
        ("GET", "/inventory/movements", STOCK),
        ("POST", "/inventory/receipts", STOCK),
        ("GET", "/inventory/transfers", STOCK),
        ("POST", "/inventory/transfers", STOCK),
        ("POST", "/inventory/transfers/{id}/receive", STOCK),
        ("POST", "/inventory/counts", STOCK),
        ("GET", "/inventory/thresholds", STOCK),
        ("PUT", "/inventory/thresholds", STOCK),
        ("GET", "/locations", STOCK),
        ("POST", "/locations", ADMIN),
        ("GET", "/locations/{id}", STOCK),
        ("PATCH", "/locations/{id}", ADMIN),
        ("GET", "/marking/groups", STOCK),
        ("PUT", "/marking/groups/{code}", ADMIN),
        ("GET", "/marking/units", MANAGE),
        ("GET", "/sync/events", Device),
        ("GET", "/promotions", MANAGE),
        ("POST", "/promotions", MANAGE),
        ("GET", "/promotions/{id}", MANAGE),
        ("PUT", "/promotions/{id}", MANAGE),
        ("POST", "/promotions/preview", MANAGE),
        ("GET", "/reports/sales-summary", MANAGE),
        ("GET", "/reports/sales-by/{dimension}", MANAGE),
        ("GET", "/reports/payments", MANAGE),
        ("GET", "/reports/vat", MANAGE),
        ("GET", "/reports/cash", MANAGE),
        ("GET", "/reports/live", MANAGE),
        ("GET", "/reports/control/{name}", MANAGE),
        ("GET", "/reports/stock/{name}", STOCK),
        ("GET", "/sales", MANAGE),
        ("POST", "/sync/push", Device),
        ("GET", "/sync/pull", Device),
        ("POST", "/sync/register", Device),
        ("GET", "/terminals/{id}/sync", ADMIN),
        ("GET", "/sync/quarantine", MANAGE),
        ("POST", "/sync/quarantine/{event_id}/accept", ADMIN),
        ("POST", "/sync/quarantine/{event_id}/reject", ADMIN),
        ("GET", "/terminals", ADMIN),
        ("POST", "/terminals", ADMIN),
        ("POST", "/terminals/{id}/disable", ADMIN),
        ("POST", "/terminals/{id}/enrollment-code", ADMIN),
        ("POST", "/terminals/enroll", Public),
        (
            "GET",
            "/sync/update/{target}/{arch}/{current_version}",
            Device,
        ),
        ("GET", "/sync/update/files/{name}", Device),
        ("GET", "/users", MANAGE),
        ("POST", "/users", MANAGE),
        ("GET", "/users/{id}", MANAGE),
        ("PATCH", "/users/{id}", MANAGE),
    ]
}

#[tokio::test]
async fn every_documented_route_has_a_rule_and_keeps_it_for_every_role() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = world(&admin).await;
    let who = sessions(&app, &admin, &w).await;
    let (_, doc) = admin.get("/openapi.json").await;
    let table = matrix();
    let mut missing = Vec::new();
    let mut routes = Vec::new();
    for (full, item) in doc["paths"].as_object().expect("paths") {
        let path = full.strip_prefix("/api/v1").unwrap_or(full);
        for method in item.as_object().expect("methods").keys() {
            let m = method.to_uppercase();
            match table.iter().find(|(tm, tp, _)| *tm == m && *tp == path) {
                Some((_, _, rule)) => routes.push((m, path.to_owned(), *rule)),
                None => missing.push(format!("(\"{m}\", \"{path}\", ?)")),
            }
        }
    }
    assert!(
        missing.is_empty(),
        "routes without a rule:\n{}",
        missing.join("\n")
    );
    let stale: Vec<_> = table
        .iter()
        .filter(|(m, p, _)| !routes.iter().any(|(rm, rp, _)| rm == m && rp == p))
        .collect();
    assert!(
        stale.is_empty(),
        "rules for routes that are gone: {stale:?}"
    );
    for (method, path, rule) in routes {
        // Public routes need no credentials (and logout would end the session under test).
        if matches!(rule, Rule::Public) {
            continue;
        }
        // Path parameters filled with values that exist nowhere: the rule must hold
        // before anything is looked up.
        let url = path
            .split('/')
            .map(|seg| match seg {
                s if s.starts_with('{') && s.contains("code") => "ABCD-EFGH-JKLM-N".to_owned(),
                s if s.starts_with('{') && (s.contains("name") || s.contains("dimension")) => {
                    "nothing".to_owned()
                }
                s if s.starts_with('{')
                    && (s.contains("target") || s.contains("arch") || s.contains("version")) =>
                {
                    "x".to_owned()
                }
                s if s.starts_with('{') => uuid::Uuid::nil().to_string(),
                s => s.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("/");
        for (i, api) in who.iter().enumerate() {
            let (status, v) = match method.as_str() {
                // An event stream never ends: its status (and error body) is all there is.
                "GET" if path == "/reports/live" => {
                    let r = api
                        .client
                        .get(format!("{}{url}", api.app_url))
                        .bearer_auth(&api.token)
                        .send()
                        .await
                        .unwrap();
                    if r.status().is_success() {
                        (r.status(), Value::Null)
                    } else {
                        split(r).await
                    }
                }
                "GET" => api.get(&url).await,
                "POST" => api.post(&url, json!({})).await,
                "PATCH" => api.patch(&url, json!({})).await,
                "PUT" => api.put(&url, json!({})).await,
                other => {
                    let r = api
                        .client
                        .request(other.parse().unwrap(), format!("{}{url}", api.app_url))
                        .bearer_auth(&api.token)
                        .send()
                        .await
                        .unwrap();
                    split(r).await
                }
            };
            let role_refused = status == StatusCode::FORBIDDEN
                && v["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("your role"));
            let what = format!("{} {method} {path}: {status} {v}", ROLES[i]);
            match rule {
                Rule::Public | Rule::Anyone => {
                    assert!(
                        status != StatusCode::UNAUTHORIZED && !role_refused,
                        "{what}"
                    )
                }
                Rule::Device => assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}"),
                Rule::Roles(allowed) if allowed[i] => {
                    assert!(
                        status != StatusCode::UNAUTHORIZED && !role_refused,
                        "{what}"
                    )
                }
                Rule::Roles(_) => assert!(role_refused, "{what}"),
            }
        }
    }
}
