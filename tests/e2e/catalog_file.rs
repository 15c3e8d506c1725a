//! One catalog file: head office's export imports on a till as the same goods.

use serde_json::json;

use crate::helpers::*;

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
    let file = catalog_export(&api).await;
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
    let (_, body) = catalog_import(&api, &long, false).await;
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
