//! The web admin in real headless Chromium against the real server, PostgreSQL and Redis:
//! an admin sets up a store from nothing (location, product with a barcode, its store
//! price, stock, a promotion checked on a sample cart, a cashier, a till and its
//! enrollment code), a real till enrolls with that code and sells, and the store's sales
//! report shows the sale and exports it as CSV. A cashier's account reaches none of it.
//! Screenshots of the main pages land in `docs/screenshots/admin-*.png`.

use serde_json::json;

use crate::admin_browser::*;
use crate::helpers::*;

#[test]
fn an_ended_session_asks_to_sign_in_again_over_the_page_and_keeps_what_was_typed() {
    let Admin {
        rt,
        app: _app,
        api,
        base,
        s,
        _driver,
    } = open_admin("en");
    sign_in(&s, &base, ADMIN.0, ADMIN.1);
    s.click("nav-catalog");
    s.click("product-new");
    s.fill("product-sku", "DIOR-S-100");
    s.fill("product-name", "Dior Sauvage 100 ml");
    s.fill("product-price", "11990.00");
    // The access token gone (expired): the refresh cookie, sent only to /api/v1/auth and so
    // not the page's to delete, renews it silently and the save goes through.
    s.delete_cookies();
    s.click("product-save");
    s.find("product-saved");
    let (_, found) = rt.block_on(api.get("/products?q=DIOR-S-100"));
    assert_eq!(found["items"][0]["default_price"], "11990.00");

    // Both tokens gone (the session revoked, or older than a week): the login opens over
    // the page and what was typed there survives it.
    s.fill("product-name", "Dior Sauvage EDT 100 ml");
    s.cdp("Network.clearBrowserCookies", json!({}));
    s.click("product-save");
    s.find("expired");
    shot(&s, "session-expired");
    s.fill("login-name", ADMIN.0);
    s.fill("login-password", ADMIN.1);
    s.click("login-submit");
    s.wait_gone("expired");
    assert_eq!(s.value("product-name"), "Dior Sauvage EDT 100 ml");
    s.click("product-save");
    s.find("product-saved");
    let (_, found) = rt.block_on(api.get("/products?q=DIOR-S-100"));
    assert_eq!(found["items"][0]["name"], "Dior Sauvage EDT 100 ml");
}

#[test]
fn stock_moves_and_the_catalog_file_are_handled_from_their_pages() {
    let Admin {
        rt,
        app: _app,
        api,
        base,
        s,
        _driver,
    } = open_admin("ru");
    let (store, _product, _code) = rt.block_on(head_office(&api));
    let wh = rt.block_on(api.ok_post(
        "/locations",
        json!({"code": "WH-01", "name": "Центральный склад", "kind": "warehouse"}),
    ));
    let (sid, wid) = (store["id"].as_str().unwrap(), wh["id"].as_str().unwrap());
    sign_in(&s, &base, ADMIN.0, ADMIN.1);

    // Every page opens on its main table, with no error.
    for (nav, main) in [
        ("catalog", "products"),
        ("promotions", "promotions"),
        ("certificates", "certificates"),
        ("customers", "customers"),
        ("people", "users"),
        ("locations", "locations"),
        ("devices", "terminals"),
        ("reports", "report"),
        ("audit", "audit"),
        ("stock", "levels"),
    ] {
        s.click(&format!("nav-{nav}"));
        s.find(main);
        assert!(!s.has("error"), "{nav} shows an error");
    }

    // Receive 6 at the warehouse, ship 4 to the store, receive them there.
    s.click("tab-receive");
    s.select("receive-location", wid);
    s.fill("receive-code", "CH-50");
    s.fill("receive-qty", "6");
    s.click("receive-add");
    // The line shows once the product is looked up; until then the next button is disabled.
    s.wait_text("receive-lines", |t| t.contains("CH-50"));
    s.click("receive-submit");
    s.find("receive-done");
    s.click("tab-transfers");
    s.select("transfer-from", wid);
    s.select("transfer-to", sid);
    s.fill("transfer-code", "4006381333931");
    s.fill("transfer-qty", "4");
    s.click("transfer-add");
    // The line shows once the product is looked up; until then the next button is disabled.
    s.wait_text("transfer-lines", |t| t.contains("CH-50"));
    s.click("transfer-ship");
    s.click("transfer-receive");
    s.wait_text("transfers", |t| t.contains("принято"));
    // A count at the store finds 3: the adjustment is −1, with its reason.
    s.click("tab-stock_count");
    s.select("count-location", sid);
    s.fill("count-code", "CH-50");
    s.fill("count-qty", "3");
    s.click("count-add");
    // The line shows once the product is looked up; until then the next button is disabled.
    s.wait_text("count-lines", |t| t.contains("CH-50"));
    s.click("count-submit");
    s.wait_text("count-reason-error", |t| !t.is_empty());
    s.fill("count-reason", "пересчёт");
    s.click("count-submit");
    s.wait_text("count-result", |t| t.contains("-1"));
    shot(&s, "stock");
    let (_, levels) = rt.block_on(api.get(&format!("/inventory/levels?location_id={sid}")));
    assert_eq!(levels["items"][0]["qty"], "3");
    let (_, levels) = rt.block_on(api.get(&format!("/inventory/levels?location_id={wid}")));
    assert_eq!(levels["items"][0]["qty"], "2");

    // A catalog file with a bad price is previewed with the line and column, and not applied.
    s.click("nav-catalog");
    s.click_css("[data-testid=csv] summary");
    s.fill(
        "csv-text",
        "sku,name,category,unit,vat,cost,default_price,barcodes\nNEW-1,Новый,,pcs,22,0,abc,\n",
    );
    s.click("csv-preview");
    s.wait_text("csv-errors", |t| t.contains("default_price"));
    s.wait_enabled("csv-preview");
    let (_, none) = rt.block_on(api.get("/products?q=NEW-1"));
    assert_eq!(none["total"], 0);
    s.fill(
        "csv-text",
        "sku,name,category,unit,vat,cost,default_price,barcodes\nNEW-1,Новый,,pcs,22,0,10.00,\n",
    );
    s.click("csv-preview");
    s.wait_text("csv-summary", |t| t.contains("1") && !s.has("csv-errors"));
    s.click("csv-apply");
    s.wait_text("products", |t| t.contains("NEW-1"));
}
