//! Catalog CSV: export, an import previewed with every row's problems, refused whole
//! while any row is wrong, applied whole when right, and a round trip that changes nothing.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

async fn product(api: &Api, sku: &str) -> Value {
    let (_, page) = api.get(&format!("/products?q={sku}")).await;
    page["items"]
        .as_array()
        .and_then(|items| items.iter().find(|p| p["sku"] == sku).cloned())
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn a_catalog_file_is_previewed_refused_whole_or_applied_whole() {
    let app = spawn_app().await;
    let api = app.admin().await;
    api.ok_post("/categories", json!({"name": "Парфюмерия"}))
        .await;
    api.ok_post(
        "/products",
        json!({"sku": "CH-50", "name": "Chanel No 5 EDP 50 мл", "unit": "pcs", "vat": "22",
               "default_price": "14390.00", "cost": "9100.00", "barcodes": ["4600000000015"]}),
    )
    .await;
    api.ok_post(
        "/products",
        json!({"sku": "DIOR-100", "name": "Dior Sauvage 100 мл", "unit": "pcs", "vat": "22",
               "default_price": "12000", "barcodes": ["4600000000022"]}),
    )
    .await;

    // The export, as a manager's spreadsheet would get it.
    let csv = catalog_export(&api).await;
    let mut lines = csv.trim_start_matches('\u{feff}').lines();
    assert_eq!(
        lines.next(),
        Some("sku,name,category,unit,vat,cost,default_price,barcodes")
    );
    assert_eq!(
        lines.next(),
        Some("CH-50,Chanel No 5 EDP 50 мл,,pcs,22,9100.00,14390.00,4600000000015")
    );
    // Importing the export back changes nothing.
    let (status, r) = catalog_import(&api, &csv, true).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(
        (
            r["unchanged"].clone(),
            r["created"].clone(),
            r["updated"].clone()
        ),
        (json!(2), json!(0), json!(0))
    );

    // A file with good and bad rows: every problem named by line and column.
    let file = "name,sku,unit,vat,cost,default_price,barcodes,category\n\
        Chanel No 5 EDP 50 мл,CH-50,pcs,22,9100,13990.00,4600000000015,Парфюмерия\n\
        Распив Chanel,CH-ML,ml,22%,30,150.00,4600000000039,парфюмерия\n\
        Bad VAT,X-1,pcs,20,1,10,,\n\
        No such category,X-2,pcs,22,1,10,,Косметика\n\
        Stolen barcode,X-3,pcs,22,1,10,4600000000022,\n\
        Twice,CH-ML,ml,22,1,10,,\n\
        \"=HYPERLINK(\"\"x\"\")\",X-4,pcs,22,-5,abc,123,\n";
    let (status, r) = catalog_import(&api, file, false).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let errs: Vec<(u64, String)> = r["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().expect("line"),
                e["column"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        errs,
        [
            (4, "vat".into()),
            (5, "category".into()),
            (6, "barcodes".into()),
            (7, "sku".into()),
            (8, "cost".into()),
            (8, "default_price".into()),
            (8, "barcodes".into()),
        ],
        "{r}"
    );
    // 20 % is history since 2026-01-01: a file still giving it is told so.
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("no longer in force")),
        "{r}"
    );
    assert_eq!(
        (r["rows"].clone(), r["committed"].clone()),
        (json!(7), json!(false))
    );
    // Committing a file with problems is refused whole: nothing changes.
    let (status, r) = catalog_import(&api, file, true).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert_eq!(product(&api, "CH-50").await["default_price"], "14390.00");
    assert!(product(&api, "CH-ML").await.is_null());

    // The good rows alone, with a barcode moving between two listed products: applied.
    let file = "sku,name,category,unit,vat,cost,default_price,barcodes\r\n\
        CH-50,Chanel No 5 EDP 50 мл,Парфюмерия,pcs,22,9100,13990.00,4600000000022\r\n\
        DIOR-100,Dior Sauvage 100 мл,,pcs,22,0,12000,4600000000015\r\n\
        CH-ML,Распив Chanel,парфюмерия,ml,22%,30,150.00,4600000000039\r\n";
    let (status, r) = catalog_import(&api, file, true).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(
        (
            r["created"].clone(),
            r["updated"].clone(),
            r["committed"].clone()
        ),
        (json!(1), json!(2), json!(true))
    );
    let ch = product(&api, "CH-50").await;
    assert_eq!(
        (ch["default_price"].clone(), ch["barcodes"].clone()),
        (json!("13990.00"), json!(["4600000000022"]))
    );
    let ml = product(&api, "CH-ML").await;
    assert_eq!(
        (ml["unit"].clone(), ml["vat"].clone()),
        (json!("ml"), json!("vat22"))
    );
    // A unit never changes through an import.
    let (_, r) = catalog_import(
        &api,
        "sku,name,category,unit,vat,cost,default_price,barcodes\nCH-ML,Распив,,g,22,0,150,\n",
        false,
    )
    .await;
    assert_eq!(r["errors"][0]["column"], "unit", "{r}");
    // Only catalog writers import; a cashier reads nothing here.
    let store = api
        .ok_post(
            "/locations",
            json!({"code": "S1", "name": "Тверская", "kind": "store"}),
        )
        .await;
    api.ok_post(
        "/users",
        json!({"login": "kassa", "full_name": "Касса", "role": "cashier", "password": "password-123",
               "pin": "135791", "locations": [store["id"]]}),
    )
    .await;
    let kassa = app.login("kassa", "password-123").await;
    assert_eq!(
        catalog_import(&kassa, file, true).await.0,
        StatusCode::FORBIDDEN
    );
    let resp = kassa.get("/catalog/export").await;
    assert_eq!(resp.0, StatusCode::FORBIDDEN);
}
