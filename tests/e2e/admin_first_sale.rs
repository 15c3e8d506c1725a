//! A new store set up in the web admin (headless Chromium) and its first sale, made on a
//! real till, on the dashboard; then an edited receipt held in quarantine.

use serde_json::{json, Value};
use shared_model::{Locale, Money, Tender};

use crate::admin_browser::*;
use crate::helpers::*;
use crate::webdriver::Session;

/// The dashboard as laid out now: no card scrolls sideways, no chart word is under
/// 11 px, and every figure column is right-aligned, the sale's total shown as `total`.
fn reads_like_a_business_tool(s: &Session, total: &str) {
    let found = s.execute_async(
        "const done = arguments[0];
         const cards = [...document.querySelectorAll('.card')];
         const scrolls = cards.filter(c => [c, ...c.querySelectorAll('*')]
             .some(e => e.scrollWidth > e.clientWidth + 1
                 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX)))
           .map(c => c.querySelector('h2').textContent);
         const words = [...document.querySelectorAll('[data-testid=dash-trend] *')]
           .filter(e => e.children.length === 0 && e.textContent.trim() !== '');
         const smallest = Math.min(...words.map(e => parseFloat(getComputedStyle(e).fontSize)));
         const figures = [...document.querySelectorAll('.card td.num, .card th.num')];
         const left = figures.filter(e => getComputedStyle(e).textAlign !== 'right').length;
         const cells = figures.map(e => e.textContent);
         done({scrolls, words: words.length, smallest, figures: figures.length, left, cells});",
    );
    assert_eq!(found["scrolls"], json!([]), "cards that scroll sideways");
    assert!(found["words"].as_u64() >= Some(14), "{found}");
    assert!(found["smallest"].as_f64() >= Some(11.0), "{found}");
    assert!(found["figures"].as_u64() >= Some(8), "{found}");
    assert_eq!(found["left"], json!(0), "{found}");
    assert!(
        found["cells"]
            .as_array()
            .is_some_and(|c| c.contains(&json!(total))),
        "{found}"
    );
}

#[test]
fn a_new_store_is_set_up_in_the_browser_and_its_first_sale_reported() {
    let Admin {
        rt,
        app: _app,
        api,
        base,
        s,
        _driver,
    } = open_admin("ru");

    // Wrong password first: the form says so and nothing else happens.
    s.navigate(&base);
    s.fill("login-name", ADMIN.0);
    s.fill("login-password", "not the password");
    s.click("login-submit");
    s.wait_text("login-error", |t| t.contains("Неверный"));
    shot(&s, "login");
    sign_in(&s, &base, ADMIN.0, ADMIN.1);

    // A store.
    s.click("nav-locations");
    s.fill("location-code", "MSK-01");
    s.fill("location-name", "Магазин на Тверской");
    // Its till will have no fiscal register yet: head office allows that, for this store.
    s.select("location-fiscal", "non_fiscal");
    s.select("location-taxation", "usn_income");
    s.click("location-create");
    s.wait_text("locations", |t| t.contains("Магазин на Тверской"));
    s.wait_text("fiscal-mode-MSK-01", |t| t.contains("Без ККТ"));
    let (_, locs) = rt.block_on(api.get("/locations"));
    let store = locs["items"][0]["id"].as_str().expect("store").to_owned();
    assert_eq!(
        (
            &locs["items"][0]["non_fiscal"],
            &locs["items"][0]["taxation"]
        ),
        (&json!(true), &json!("usn_income"))
    );

    // A product: a mistyped barcode is flagged as typed and blocks saving.
    s.click("nav-catalog");
    s.click("product-new");
    s.fill("product-sku", "CH-N5-50");
    s.fill("product-name", "Chanel No 5 EDP 50 мл");
    s.fill("product-barcodes", "4006381333932");
    s.wait_text("product-barcodes-error", |t| t.contains("4006381333932"));
    s.fill("product-price", "14390.00");
    s.fill("product-cost", "9100.00");
    s.click("product-save");
    let (_, none) = rt.block_on(api.get("/products?q=CH-N5"));
    assert_eq!(none["total"], 0, "an invalid form was saved");
    s.fill("product-barcodes", "4006381333931");
    assert!(!s.has("product-barcodes-error"));
    s.click("product-save");
    s.find("product-saved");
    // Its price in the new store.
    s.select("price-store", &store);
    s.fill("price-value", "13990.00");
    s.click("price-set");
    s.wait_text("store-prices", |t| t.contains("13 990,00 ₽"));
    s.wait_text("products", |t| t.contains("CH-N5-50"));
    shot(&s, "catalog");
    let (_, found) = rt.block_on(api.get("/products?barcode=4006381333931"));
    let product = found["items"][0].clone();
    assert_eq!(
        (&product["sku"], &product["default_price"], &product["cost"]),
        (&json!("CH-N5-50"), &json!("14390.00"), &json!("9100.00"))
    );
    let (_, prices) = rt.block_on(api.get(&format!(
        "/products/{}/prices",
        product["id"].as_str().unwrap()
    )));
    assert_eq!(prices[0]["price"], "13990.00");

    // Ten bottles received into the store, scanned by barcode.
    s.click("nav-stock");
    s.click("tab-receive");
    s.select("receive-location", &store);
    s.fill("receive-reason", "ТН-1207");
    s.fill("receive-code", "4006381333931");
    s.fill("receive-qty", "10");
    s.click("receive-add");
    s.wait_text("receive-lines", |t| t.contains("CH-N5-50"));
    s.click("receive-submit");
    s.find("receive-done");
    let (_, levels) = rt.block_on(api.get(&format!("/inventory/levels?location_id={store}")));
    assert_eq!(levels["items"][0]["qty"], "10");

    // A promotion, priced on a sample cart in the browser as it is typed.
    s.click("nav-promotions");
    s.click("promo-new");
    s.fill("promo-name", "Осень −10%");
    s.fill("promo-percent", "10");
    s.fill("preview-code", "CH-N5-50");
    s.fill("preview-qty", "2");
    s.click("preview-add");
    let want = Money::rub(2 * 1_399_000 * 9 / 10).format(Locale::Ru);
    s.wait_text("preview-total", |t| t == want);
    s.fill("promo-percent", "15");
    let want15 = Money::rub(2 * 1_399_000 * 85 / 100).format(Locale::Ru);
    s.wait_text("preview-total", |t| t == want15);
    s.fill("promo-percent", "10");
    s.wait_text("preview-total", |t| t == want);
    shot(&s, "promotion");
    s.click("promo-save");
    s.wait_text("promotions", |t| t.contains("Осень −10%"));
    let (_, promos) = rt.block_on(api.get("/promotions"));
    assert_eq!(
        promos["items"][0]["kind"],
        json!({"type": "percent_off", "percent": 1000})
    );
    // The server's own preview agrees with what the browser showed.
    let (_, server) = rt.block_on(api.post(
        "/promotions/preview",
        json!({"store_id": store, "lines": [{"product_id": product["id"], "qty": "2"}]}),
    ));
    assert_eq!(server["total"], "25182.00");

    // A cashier for the store, with a till PIN.
    s.click("nav-people");
    s.click("user-new");
    s.fill("user-login", "anna");
    s.fill("user-name", "Анна Петрова");
    s.select("user-role", "cashier");
    s.fill("user-password", "anna-password-1");
    s.fill("user-pin", "12");
    s.wait_text("user-pin-error", |t| !t.is_empty());
    s.fill("user-pin", "654321");
    s.click("user-loc-MSK-01");
    s.click("user-save");
    s.wait_text("users", |t| t.contains("anna"));

    // A till and its enrollment code, shown once with a QR code.
    s.click("nav-devices");
    s.select("terminal-store", &store);
    s.fill("terminal-name", "Касса 1");
    s.click("terminal-create");
    let code = s.wait_text("enrollment-code", |t| !t.is_empty());
    s.find("enrollment-qr");
    shot(&s, "devices");

    // The till enrolls with that code and sells one bottle with the promotion.
    let (_tmp, dir) = rt.block_on(crate::sync::enrolled_till(base.clone(), code));
    let sold = rt
        .block_on(crate::sync::till(dir.clone(), |t| {
            t.sync_once()?;
            t.login("654321")?;
            t.open_shift("0")?;
            t.add_item("CH-N5-50", Some("1"))?;
            t.pay(Tender::Cash, "12591", None)?;
            t.complete_sale()?;
            t.sync_once()?;
            Ok(())
        }))
        .map(|_| ());
    assert!(sold.is_ok(), "till: {sold:?}");

    // The store's sales report shows it; its CSV is the same figures.
    s.click("nav-reports");
    s.select("report-kind", "1");
    s.wait_text("report", |t| {
        t.contains("Магазин на Тверской") && t.contains("12 591,00 ₽")
    });
    shot(&s, "reports");
    let csv = s.execute_async(
        "const done = arguments[0];
         fetch(document.querySelector('[data-testid=report-csv]').href)
           .then(r => r.text()).then(done, e => done(String(e)));",
    );
    let csv = csv.as_str().unwrap_or_default();
    assert!(
        csv.contains("Магазин на Тверской") && csv.contains("12591.00"),
        "{csv}"
    );

    // The audit log holds what was done, filtered by what it was done to.
    s.click("nav-audit");
    s.fill("audit-entity", "product");
    s.wait_text("audit", |t| {
        t.contains("product") && !t.contains("location")
    });
    shot(&s, "audit");

    // The dashboard, in English too, and on a tablet.
    s.resize(820, 1180);
    s.click("nav-dashboard");
    s.wait_text("dash-live", |t| t.contains("12 591,00 ₽"));
    shot(&s, "dashboard-tablet");
    s.resize(1366, 768);
    s.click("nav-dashboard");
    s.wait_text("dash-live", |t| t.contains("12 591,00 ₽"));
    s.wait_text("dash-trend", |t| t.contains("12 591,00 ₽"));
    reads_like_a_business_tool(&s, "12 591,00 ₽");
    shot(&s, "dashboard-ru");
    s.click("lang");
    s.wait_text("nav-catalog", |t| t == "Catalog");
    s.wait_text("dash-live", |t| t.contains("₽12,591.00"));
    reads_like_a_business_tool(&s, "₽12,591.00");
    shot(&s, "dashboard-en");
    s.click("lang");

    // A receipt edited on the till (more cash, as much more change: it still adds up, but
    // no longer matches its hash) is held on the Tills page until someone accepts it.
    let edited = rt
        .block_on(crate::sync::till(dir.clone(), |t| {
            t.add_item("CH-N5-50", Some("1"))?;
            t.pay(Tender::Cash, "12591", None)?;
            t.complete_sale()?;
            Ok(())
        }))
        .map(|_| ());
    assert!(edited.is_ok(), "till: {edited:?}");
    crate::quarantine::edit_outbox(&dir, "sale_completed", |doc| {
        let paid = doc["payments"][0]["amount"]["minor"].as_i64().unwrap();
        doc["payments"][0]["amount"]["minor"] = json!(paid + 10_000);
        doc["change"]["minor"] = json!(doc["change"]["minor"].as_i64().unwrap() + 10_000);
    });
    let pushed = rt.block_on(crate::sync::till(dir.clone(), |t| t.sync_once()));
    assert_eq!(pushed.map(|r| r.pending).ok(), Some(0));
    s.click("nav-devices");
    s.wait_text("held-receipts", |t| t.contains("изменён после пробития"));
    shot(&s, "held-receipt");
    s.fill("held-note", "чек проверен: сдача выдана верно");
    s.click("held-accept-2");
    s.wait_gone("held-receipts");
    let sales: Value = s.execute_async(
        "const done = arguments[0];
         fetch('/api/v1/sales').then(r => r.json()).then(b => done(b.total), e => done(String(e)));",
    );
    assert_eq!(sales, json!(2), "the accepted receipt counts now");
    s.click("logout");
    s.find("login-submit");

    // The cashier's account: no menu, no page, and the API refuses it too.
    sign_in(&s, &base, "anna", "anna-password-1");
    s.find("no-access");
    assert!(!s.has("nav-catalog"));
    s.navigate(&format!("{base}/catalog"));
    s.find("no-access");
    for path in [
        "/products",
        "/terminals",
        "/reports/sales-by/store?from=2026-01-01&to=2026-12-31",
    ] {
        let status: Value = s.execute_async(&format!(
            "const done = arguments[0]; fetch('/api/v1{path}').then(r => done(r.status), e => done(String(e)));"
        ));
        assert_eq!(status, json!(403), "{path}");
    }
    shot(&s, "cashier");
}
