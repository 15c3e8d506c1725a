//! Head office's promotions on real tills: priced exactly as the server's preview, frozen
//! once payment starts, and the same on random carts.

use serde_json::{json, Value};
use shared_model::Tender;

use crate::helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_till_applies_head_office_promotions_exactly_as_the_preview() {
    use crate::sync::{enrolled_till, sync_until, till};
    let app = spawn_app().await;
    let api = app.admin().await;
    let (store, product, code) = head_office(&api).await;
    api.ok_post(
        "/promotions",
        json!({"name": "2+1", "target": {"type": "products", "ids": [product["id"]]},
        "kind": {"type": "buy_x_get_y", "buy": 2, "get": 1, "percent": 10000}}),
    )
    .await;
    api.ok_post("/promotions", json!({"name": "SPRING −5", "target": {"type": "all"},
        "kind": {"type": "amount_off", "amount": {"minor": 500, "currency": "RUB"}}, "conditions": {"coupon": "SPRING"}}))
        .await;
    let preview = api
        .ok_post("/promotions/preview", json!({"store_id": store["id"], "lines": [{"product_id": product["id"], "qty": "3"}], "coupons": ["SPRING"]}))
        .await;
    assert_eq!(preview["discount"], "105.00");
    let (_tmp, dir) = enrolled_till(format!("http://{}", app.addr), code).await;
    sync_until(dir.clone(), |t| {
        t.sync_status().is_ok_and(|s| s.last_pull_at.is_some())
    })
    .await;
    let (before, after, names) = till(dir.clone(), |t| {
        t.login("654321")?;
        t.open_shift("0")?;
        let before = t.add_item("CH-50", Some("3"))?.priced.discount.minor;
        let cart = t.add_coupon("spring")?;
        let names: Vec<String> = cart
            .priced
            .promotions
            .iter()
            .map(|(p, _)| p.name.clone())
            .collect();
        Ok((before, cart.priced.discount.minor, names))
    })
    .await
    .unwrap();
    assert_eq!(before, 10_000, "one of three free");
    assert_eq!(
        after, 10_500,
        "the till gives what the server's preview gives"
    );
    assert_eq!(names, ["2+1", "SPRING −5"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promotions_are_frozen_once_payment_starts() {
    use crate::sync::{enrolled_till, sync_until, till};
    let app = spawn_app().await;
    let api = app.admin().await;
    let (_, _, code) = head_office(&api).await;
    let ends = chrono::Local::now().naive_local() + chrono::Duration::seconds(8);
    api.ok_post(
        "/promotions",
        json!({"name": "Happy hour −10%", "target": {"type": "all"},
        "kind": {"type": "percent_off", "percent": 1000}, "conditions": {"until": ends}}),
    )
    .await;
    let (_tmp, dir) = enrolled_till(format!("http://{}", app.addr), code).await;
    sync_until(dir.clone(), |t| {
        t.sync_status().is_ok_and(|s| s.last_pull_at.is_some())
    })
    .await;
    let during = till(dir.clone(), |t| {
        t.login("654321")?;
        t.open_shift("0")?;
        t.add_item("CH-50", None)?;
        Ok(t.pay(Tender::Card, "50", Some("A1"))?.priced.discount.minor)
    })
    .await
    .unwrap();
    assert_eq!(during, 1_000);
    // The window closes while the customer is still paying.
    let left = ends - chrono::Local::now().naive_local();
    tokio::time::sleep(std::time::Duration::from_millis(
        left.num_milliseconds().max(0) as u64 + 500,
    ))
    .await;
    let (frozen, sale_total, after_unpay) = till(dir.clone(), |t| {
        let frozen = t.cart()?.map(|c| c.priced.discount.minor);
        let cart = t.pay(Tender::Cash, "40", None)?;
        let total = t.complete_sale()?.doc.total.minor;
        assert!(cart.due.is_zero());
        t.add_item("CH-50", None)?;
        t.pay(Tender::Card, "10", Some("A2"))?;
        let after_unpay = t.unpay()?.priced.discount.minor;
        Ok((frozen, total, after_unpay))
    })
    .await
    .unwrap();
    assert_eq!(
        frozen,
        Some(1_000),
        "the price the customer started paying holds"
    );
    assert_eq!(sale_total, 9_000);
    assert_eq!(after_unpay, 0, "a new sale gets today's prices");
}

/// Random carts priced by the server's preview and by a synced till, through the real
/// code of both, must agree to the kopeck (costs as floors, every kind, exclusives).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_carts_price_the_same_on_the_till_and_the_server() {
    use crate::sync::{enrolled_till, sync_until, till};
    let app = spawn_app().await;
    let api = app.admin().await;
    let (store, _, code) = head_office(&api).await;
    let cat = api.ok_post("/categories", json!({"name": "Уход"})).await;
    let mut skus = vec!["CH-50".to_owned()];
    let mut ids = Vec::new();
    for (i, (price, cost)) in [
        ("250.00", "200.00"),
        ("99.90", "10.00"),
        ("1234.50", "0"),
        ("15.00", "14.00"),
    ]
    .iter()
    .enumerate()
    {
        let p = api
            .ok_post("/products", json!({"sku": format!("R{i}"), "name": format!("Товар {i}"), "unit": "pcs", "vat": "22",
                "default_price": price, "cost": cost, "category_id": cat["id"]}))
            .await;
        skus.push(format!("R{i}"));
        ids.push(p["id"].clone());
    }
    let (_, all) = api.get("/products?q=CH-50").await;
    ids.insert(0, all["items"][0]["id"].clone());
    for p in [
        json!({"name": "−15% уход", "target": {"type": "categories", "ids": [cat["id"]]}, "kind": {"type": "percent_off", "percent": 1500}}),
        json!({"name": "2+1", "target": {"type": "products", "ids": [ids[0], ids[1]]}, "kind": {"type": "buy_x_get_y", "buy": 2, "get": 1, "percent": 10000}}),
        json!({"name": "3 за 300", "target": {"type": "products", "ids": [ids[2], ids[4]]}, "kind": {"type": "bundle", "qty": 3, "price": {"minor": 30000, "currency": "RUB"}}}),
        json!({"name": "от 1000 −7%", "target": {"type": "all"}, "kind": {"type": "spend_threshold", "min": {"minor": 100000, "currency": "RUB"}, "off": {"kind": "percent", "value": 700}}}),
        json!({"name": "−33.33", "target": {"type": "all"}, "priority": 5, "kind": {"type": "amount_off", "amount": {"minor": 3333, "currency": "RUB"}}}),
        json!({"name": "−40% эксклюзив", "target": {"type": "products", "ids": [ids[3]]}, "exclusive": true, "kind": {"type": "percent_off", "percent": 4000}}),
    ] {
        api.ok_post("/promotions", p).await;
    }
    let (_tmp, dir) = enrolled_till(format!("http://{}", app.addr), code).await;
    sync_until(dir.clone(), |t| {
        t.login("654321").is_ok() && t.find_product("R3").is_ok()
    })
    .await;
    till(dir.clone(), |t| t.open_shift("0").map(|_| ()))
        .await
        .unwrap();
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move |n: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % n
    };
    for round in 0..25 {
        let lines: Vec<(usize, u64)> = (0..1 + next(6))
            .map(|_| (next(ids.len() as u64) as usize, 1 + next(5)))
            .collect();
        let scanned: Vec<(String, String)> = lines
            .iter()
            .map(|(i, q)| (skus[*i].clone(), q.to_string()))
            .collect();
        // The till merges a repeated scan into its line; the server prices the lines the
        // till ended up with: the same cart.
        let (cart_lines, discount, total) = till(dir.clone(), move |t| {
            for (sku, q) in &scanned {
                t.add_item(sku, Some(q))?;
            }
            let c = t.cart()?.expect("cart");
            t.void_sale("сравнение")?;
            let lines: Vec<Value> = c
                .lines
                .iter()
                .map(|l| json!({"product_id": l.product_id, "qty": l.qty.to_string()}))
                .collect();
            Ok((
                lines,
                c.priced.discount.to_decimal_string(),
                c.priced.total.to_decimal_string(),
            ))
        })
        .await
        .unwrap();
        let body = json!({"store_id": store["id"], "at": chrono::Local::now().naive_local(), "lines": cart_lines});
        let server = api.ok_post("/promotions/preview", body).await;
        assert_eq!(
            (
                server["discount"].as_str().unwrap(),
                server["total"].as_str().unwrap()
            ),
            (discount.as_str(), total.as_str()),
            "round {round}: {lines:?}"
        );
    }
}
