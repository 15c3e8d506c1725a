//! The web admin's contract with the server: every record the admin reads, read from the
//! real server into `shared_model::api` (the types the admin is built on), after a setup
//! that makes each list non-empty. A renamed or retyped field fails here, not in a browser.

use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use shared_model::api::*;

use crate::helpers::*;

async fn read<T: DeserializeOwned>(api: &Api, path: &str) -> T {
    let (status, v) = api.get(path).await;
    assert!(status.is_success(), "GET {path}: {status} {v}");
    parse(path, v)
}

fn parse<T: DeserializeOwned>(what: &str, v: Value) -> T {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{what}: {e}\n{v}"))
}

#[tokio::test]
async fn every_record_the_admin_reads_parses_into_the_shared_types() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let (store, product, _code) = head_office(&api).await;
    let (sid, pid) = (
        store["id"].as_str().unwrap(),
        product["id"].as_str().unwrap(),
    );
    let wh = api
        .ok_post(
            "/locations",
            json!({"code": "WH", "name": "Склад", "kind": "warehouse"}),
        )
        .await;
    let cat = api.ok_post("/categories", json!({"name": "Парфюм"})).await;
    let (s, _) = api
        .patch(
            &format!("/products/{pid}"),
            json!({"category_id": cat["id"]}),
        )
        .await;
    assert!(s.is_success());
    api.put(
        &format!("/products/{pid}/prices/{sid}"),
        json!({"price": "95.00"}),
    )
    .await;
    let line = json!([{"product_id": pid, "qty": "5"}]);
    api.ok_post(
        "/inventory/receipts",
        json!({"location_id": wh["id"], "lines": line}),
    )
    .await;
    api.ok_post(
        "/inventory/transfers",
        json!({"from_location_id": wh["id"], "to_location_id": sid, "lines": line}),
    )
    .await;
    let counted: Vec<CountResult> = parse(
        "count",
        api.ok_post(
            "/inventory/counts",
            json!({"location_id": wh["id"], "reason": "пересчёт", "lines": [{"product_id": pid, "counted": "0"}]}),
        )
        .await,
    );
    assert_eq!(counted[0].counted, "0");
    let def = PromotionDef {
        name: "Осень".into(),
        priority: 1,
        exclusive: false,
        target: shared_model::promotions::Target::All,
        kind: shared_model::promotions::PromoKind::PercentOff {
            percent: shared_model::Percent::parse("10").unwrap(),
        },
        conditions: Default::default(),
        active: true,
    };
    let saved: PromotionView = parse(
        "promotion",
        api.ok_post("/promotions", serde_json::to_value(&def).unwrap())
            .await,
    );
    assert_eq!(
        saved.def, def,
        "a promotion comes back as the admin wrote it"
    );
    let t: TerminalWithCode = parse(
        "terminal",
        api.ok_post("/terminals", json!({"location_id": sid, "name": "Касса 2"}))
            .await,
    );
    let again: TerminalWithCode = parse(
        "new code",
        api.ok_post(
            &format!("/terminals/{}/enrollment-code", t.terminal.id),
            json!({}),
        )
        .await,
    );
    assert_ne!(again.enrollment_code, t.enrollment_code);
    api.ok_post(
        "/customers",
        json!({"name": "Ирина", "phone": "+79001234567"}),
    )
    .await;
    let batch: Batch = parse(
        "batch",
        api.ok_post(
            "/certificates/batches",
            json!({"name": "Новый год", "nominal_minor": 300000, "quantity": 2, "expires_on": "2027-12-31"}),
        )
        .await,
    );

    let me: Me = read(&api, "/auth/me").await;
    assert_eq!(me.role, shared_model::Role::Admin);
    let locs: Page<Location> = read(&api, "/locations?per_page=200").await;
    assert_eq!(locs.total, 2);
    let cats: Vec<Category> = read(&api, "/categories").await;
    assert_eq!(cats[0].name, "Парфюм");
    let prods: Page<Product> = read(&api, "/products?active=true&per_page=25").await;
    assert_eq!(prods.items[0].barcodes, ["4006381333931"]);
    let one: Product = read(&api, &format!("/products/{pid}")).await;
    assert_eq!(one.category_id, Some(cats[0].id));
    let prices: Vec<LocationPrice> = read(&api, &format!("/products/{pid}/prices")).await;
    assert_eq!(prices[0].price, "95.00");
    let levels: Page<Level> = read(&api, "/inventory/levels?per_page=50").await;
    assert!(!levels.items.is_empty());
    let transfers: Page<Transfer> = read(&api, "/inventory/transfers?per_page=50").await;
    assert_eq!(transfers.items[0].status, "shipped");
    let promos: Page<PromotionView> = read(&api, "/promotions?per_page=200").await;
    assert_eq!(promos.items[0].def.name, "Осень");
    let tills: Page<Terminal> = read(&api, "/terminals?per_page=200").await;
    assert_eq!(tills.total, 2);
    let users: Page<User> = read(&api, "/users?per_page=200").await;
    assert!(users
        .items
        .iter()
        .any(|u| u.has_pin && u.locations == [me_store(&locs)]));
    let customers: Page<Customer> = read(&api, "/customers?per_page=25").await;
    assert_eq!(customers.items[0].phone.as_deref(), Some("+79001234567"));
    let certs: Page<Certificate> = read(&api, "/certificates?per_page=25").await;
    assert_eq!(certs.total, 2);
    let cert: Certificate = read(&api, &format!("/certificates/{}", batch.codes[0])).await;
    assert_eq!(cert.nominal_minor, 300000);
    let audit: Page<AuditEntry> = read(&api, "/audit?entity=product&per_page=50").await;
    assert!(audit.items.iter().all(|a| a.entity == "product") && audit.total > 0);
    let (_, preview) = split(
        api.client
            .post(format!("{}/catalog/import", api.app_url))
            .bearer_auth(&api.token)
            .header("content-type", "text/csv")
            .body("sku,name,category,unit,vat,cost,default_price,barcodes\nNEW-1,Новый,,pcs,22,0,abc,\n")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let preview: ImportReport = parse("import", preview);
    assert_eq!(preview.errors[0].column.as_deref(), Some("default_price"));
    for (path, _, _) in REPORTS {
        let sep = if path.contains('?') { '&' } else { '?' };
        let r: Report = read(&api, &format!("{path}{sep}from=2026-01-01&to=2026-12-31")).await;
        assert!(!r.columns.is_empty(), "{path}");
    }
}

fn me_store(locs: &Page<Location>) -> uuid::Uuid {
    locs.items.iter().find(|l| l.kind == "store").unwrap().id
}
