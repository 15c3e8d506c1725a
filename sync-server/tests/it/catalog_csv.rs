//! Catalog CSV: export, an import previewed with every row's problems, refused whole
//! while any row is wrong, applied whole when right, and a round trip that changes nothing.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

async fn import(api: &Api, csv: &str, commit: bool) -> (StatusCode, Value) {
    let resp = api
        .client
        .post(format!("{}/catalog/import?commit={commit}", api.app_url))
        .bearer_auth(&api.token)
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .expect("import");
    split(resp).await
}

async fn export(api: &Api) -> String {
    let resp = api
        .client
        .get(format!("{}/catalog/export", api.app_url))
        .bearer_auth(&api.token)
        .send()
        .await
        .expect("export");
    assert_eq!(resp.status(), StatusCode::OK);
    resp.text().await.expect("csv")
}

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
    let csv = export(&api).await;
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
    let (status, r) = import(&api, &csv, true).await;
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
    let (status, r) = import(&api, file, false).await;
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
    let (status, r) = import(&api, file, true).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert_eq!(product(&api, "CH-50").await["default_price"], "14390.00");
    assert!(product(&api, "CH-ML").await.is_null());

    // The good rows alone, with a barcode moving between two listed products: applied.
    let file = "sku,name,category,unit,vat,cost,default_price,barcodes\r\n\
        CH-50,Chanel No 5 EDP 50 мл,Парфюмерия,pcs,22,9100,13990.00,4600000000022\r\n\
        DIOR-100,Dior Sauvage 100 мл,,pcs,22,0,12000,4600000000015\r\n\
        CH-ML,Распив Chanel,парфюмерия,ml,22%,30,150.00,4600000000039\r\n";
    let (status, r) = import(&api, file, true).await;
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
    let (_, r) = import(
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
    assert_eq!(import(&kassa, file, true).await.0, StatusCode::FORBIDDEN);
    let resp = kassa.get("/catalog/export").await;
    assert_eq!(resp.0, StatusCode::FORBIDDEN);
}

/// One product as either side stores it: sku, name, category, unit, VAT code, price,
/// cost and barcodes (sorted).
type Goods = (
    String,
    String,
    Option<String>,
    String,
    String,
    i64,
    i64,
    String,
);

/// Head office's export, imported on a fresh till, gives the till the same goods at the
/// same prices and costs; the till refuses what head office refuses (limits alike).
#[tokio::test]
async fn head_offices_export_imports_on_a_till_as_the_same_goods() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let cat = api
        .ok_post("/categories", json!({"name": "Парфюмерия"}))
        .await;
    for p in [
        json!({"sku": "CH-50", "name": "Chanel \"No 5\", EDP 50 мл", "unit": "pcs", "vat": "22", "category_id": cat["id"],
               "default_price": "14390.00", "cost": "9100.00", "barcodes": ["4600000000015", "4006381333931"]}),
        json!({"sku": "ROSE-ML", "name": "=Розовая вода на разлив", "unit": "ml", "vat": "none",
               "default_price": "12.34", "barcodes": []}),
        json!({"sku": "SALT-G", "name": "Соль для ванн", "unit": "g", "vat": "10",
               "default_price": "0.55", "cost": "0.20", "barcodes": ["46000002"]}),
    ] {
        api.ok_post("/products", p).await;
    }
    let file = export(&api).await;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_owned();
    let report = tokio::task::spawn_blocking({
        let (dir, file) = (dir.clone(), file.clone());
        move || {
            // IT staff set a till up as its first user, an administrator.
            let mut till = pos_desktop::Till::init(&dir, &Default::default())?;
            till.add_cashier("Админ", shared_model::Role::Admin, "13572468")?;
            till.login("13572468")?;
            till.import_csv(file.as_bytes())
        }
    })
    .await
    .unwrap()
    .expect("the till imports head office's export");
    assert_eq!((report.created, report.updated), (3, 0));

    let office: Vec<Goods> = sqlx::query_as(
        "SELECT p.sku, p.name, c.name, p.unit, p.vat, p.default_price_minor, p.cost_minor,
                COALESCE((SELECT string_agg(b.code, ' ' ORDER BY b.code) FROM barcodes b WHERE b.product_id = p.id), '')
         FROM products p LEFT JOIN categories c ON c.id = p.category_id ORDER BY p.sku",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    let db = rusqlite::Connection::open(dir.join(pos_desktop::DB_FILE)).unwrap();
    let till: Vec<Goods> = db
        .prepare(
            "SELECT p.sku, p.name, c.name, p.unit, p.vat, p.price_minor, p.cost_minor,
                    COALESCE((SELECT group_concat(code, ' ') FROM (SELECT code FROM barcodes b
                              WHERE b.product_id = p.id ORDER BY code)), '')
             FROM products p LEFT JOIN categories c ON c.id = p.category_id
             WHERE p.sku <> 'GIFT-CERTIFICATE' ORDER BY p.sku",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(till, office);
    assert_eq!(office[0].2.as_deref(), Some("Парфюмерия"));
    assert_eq!(office[0].6, 910_000, "cost travels too");

    // A row head office refuses, the till refuses: a name over the limit.
    let long = format!(
        "sku,name,category,unit,vat,cost,default_price,barcodes\nLONG,{},,pcs,22,,1.00,\n",
        "я".repeat(shared_model::catalog_file::NAME_MAX + 1)
    );
    let (_, body) = import(&api, &long, false).await;
    assert_eq!(
        body["errors"][0]["message"],
        "name must be 1 to 300 characters"
    );
    let refused = tokio::task::spawn_blocking(move || {
        let mut till = pos_desktop::Till::open(&dir)?;
        till.login("13572468")?;
        till.import_csv(long.as_bytes())
    })
    .await
    .unwrap();
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.to_string().contains("name must be 1 to 300")),
        "{:?}",
        refused.map(|r| r.created)
    );
}
