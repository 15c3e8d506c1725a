//! Marked goods end to end: head office sets the group and marks a product, a real till
//! (with the register and checker emulators as real processes) sells units by their codes,
//! takes one back, and head office's registry holds exactly the codes on the receipts.

use std::collections::BTreeSet;

use base64::Engine;
use pos_desktop::returns::RefundTo;
use serde_json::{json, Value};
use shared_model::marking::MarkingCode;
use shared_model::Tender;

use crate::emulator::{Checker, Emulator};
use crate::helpers::*;
use crate::sync::{enrolled_till, sync_until, till};

const GS: char = '\u{1d}';

/// A unit of the test product (EAN 4006381333931) with serial `serial`.
fn unit(serial: &str) -> String {
    let tail = "Zx9aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abcde";
    format!("010400638133393121{serial}{GS}91ab12{GS}92{tail}")
}

fn identity(code: &str) -> String {
    MarkingCode::parse(code).expect("code").identity()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_registry_holds_the_codes_of_the_tills_receipts_and_their_returns() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let (store, product, code) = head_office(&api).await;
    let path = format!("/locations/{}", store["id"].as_str().expect("id"));
    assert_eq!(api.patch(&path, json!({"non_fiscal": false})).await.0, 200);
    // Head office: perfume's rule (sell flagged when nobody answers) and the product's group.
    let (st, groups) = api.get("/marking/groups").await;
    assert_eq!(st, 200);
    assert!(groups
        .as_array()
        .expect("groups")
        .iter()
        .any(|g| g["code"] == "perfume"));
    let (st, body) = api
        .put(
            "/marking/groups/perfume",
            json!({"name": "Духи", "code_from": "2020-10-01", "permit_from": "2019-01-01",
                   "no_answer": "sell_flagged"}),
        )
        .await;
    assert_eq!(st, 422, "a permit date before the code date: {body}");
    let (st, _) = api
        .put(
            "/marking/groups/perfume",
            json!({"name": "Духи и туалетная вода", "code_from": "2020-10-01",
                   "permit_from": "2024-11-01", "no_answer": "sell_flagged"}),
        )
        .await;
    assert_eq!(st, 200);
    let p = format!("/products/{}", product["id"].as_str().expect("product"));
    assert_eq!(api.patch(&p, json!({"marking_group": "nope"})).await.0, 422);
    let (st, body) = api.patch(&p, json!({"marking_group": "perfume"})).await;
    assert_eq!(
        (st.as_u16(), &body["marking_group"]),
        (200, &json!("perfume"))
    );

    let (_tmp, dir) = enrolled_till(format!("http://{}", app.addr), code).await;
    let (emu, checker) = tokio::task::block_in_place(|| (Emulator::start(&dir), Checker::start()));
    let (url, check_url) = (emu.url.clone(), checker.url.clone());
    till(dir.clone(), move |t| {
        t.login("999999")?;
        t.set_fiscal_register(Some(&url))?;
        t.set_marking_checkers(Some(&check_url), None, Some(500))
    })
    .await
    .expect("register and checker");
    sync_until(dir.clone(), |t| {
        t.find_product("CH-50")
            .is_ok_and(|p| p.marking_group.as_deref() == Some("perfume"))
    })
    .await;

    // Three units: two checked online, one while the checker is down (sold, flagged).
    let (a, b, c) = (
        unit("AAAAaaaaAAAA1"),
        unit("BBBBbbbbBBBB2"),
        unit("CCCCccccCCCC3"),
    );
    let (a2, b2) = (a.clone(), b.clone());
    let first = till(dir.clone(), move |t| {
        t.login("654321")?;
        t.open_shift("0")?;
        assert_eq!(
            t.add_item("4006381333931", None)
                .map_err(|e| e.code())
                .err(),
            Some("mark_required")
        );
        t.add_item(&a2, None)?;
        t.add_item(&b2, None)?;
        t.pay(Tender::Cash, "200", None)?;
        Ok(t.complete_sale()?.link.receipt_no)
    })
    .await
    .expect("first sale");
    tokio::task::block_in_place(|| checker.faults(json!({"down": true})));
    let c2 = c.clone();
    till(dir.clone(), move |t| {
        t.add_item(&c2, None)?;
        t.pay(Tender::Cash, "100", None)?;
        t.complete_sale()?;
        Ok(())
    })
    .await
    .expect("a sale with no checker");
    // A unit comes back, scanned without its separators.
    let a_scan = a.replace(GS, "");
    till(dir.clone(), move |t| {
        let line = t.sale_line_of_mark(first, &a_scan)?;
        t.return_goods(first, Some(&[(line, "1")]), RefundTo::Cash, Some("брак"))?;
        t.sync_once()
    })
    .await
    .expect("return and sync");

    // The codes on the register's receipts (sell tasks) are the registry's, one for one.
    let state = tokio::task::block_in_place(|| emu.state());
    let on_receipts: BTreeSet<String> = state["requests"]
        .as_object()
        .expect("requests")
        .values()
        .map(|r| &r["tasks"][0])
        .filter(|t| t["type"] == "sell")
        .flat_map(|t| t["items"].as_array().cloned().unwrap_or_default())
        .filter_map(|i| i["imcParams"]["imc"].as_str().map(str::to_owned))
        .map(|b64| {
            let raw = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .expect("b64");
            identity(&String::from_utf8(raw).expect("utf8"))
        })
        .collect();
    let today = chrono::Utc::now().date_naive();
    let period = format!(
        "from={}&to={}",
        today - chrono::Duration::days(1),
        today + chrono::Duration::days(1)
    );
    let (st, report) = api
        .get(&format!("/reports/control/marked-units?{period}"))
        .await;
    assert_eq!(st, 200, "{report}");
    let rows = report["rows"].as_array().expect("rows").clone();
    let in_registry: BTreeSet<String> = rows
        .iter()
        .map(|r| r["code"].as_str().expect("code").to_owned())
        .collect();
    assert_eq!(on_receipts.len(), 3, "{on_receipts:?}");
    assert_eq!(in_registry, on_receipts);
    let row = |code: &str| -> Value {
        rows.iter()
            .find(|r| r["code"] == identity(code))
            .cloned()
            .expect("row")
    };
    assert_eq!(row(&a)["state"], "returned");
    assert_eq!(row(&a)["returned_in"], "Store");
    assert_eq!(row(&b)["state"], "sold");
    assert_eq!(row(&b)["check"], "permitted");
    assert_eq!(row(&b)["checked_by"], "online");
    assert!(row(&b)["fd_number"].is_number(), "{}", row(&b));
    assert_eq!(row(&c)["check"], "unchecked");
    // Sales made without a successful check, for reconciliation: only the third, as CSV too.
    let (_, flagged) = api
        .get(&format!(
            "/reports/control/marked-units?attention=true&{period}"
        ))
        .await;
    let flagged = flagged["rows"].as_array().expect("rows").clone();
    assert_eq!(flagged.len(), 1);
    assert_eq!(flagged[0]["code"], identity(&c));
    let csv = reqwest::Client::new()
        .get(format!(
            "{}/reports/control/marked-units?format=csv&{period}",
            api.app_url
        ))
        .bearer_auth(&api.token)
        .send()
        .await
        .expect("csv")
        .text()
        .await
        .expect("body");
    assert!(csv.contains(&identity(&b)), "{csv}");
    // Looked up by any scan of the code, from anywhere in the chain: the sale that sold it.
    let (st, found) = api
        .get(&format!(
            "/marking/units?code={}",
            urlencode(&b.replace(GS, ""))
        ))
        .await;
    assert_eq!(st, 200, "{found}");
    assert_eq!(found[0]["sku"], "CH-50");
    assert_eq!(found[0]["receipt_no"], first);
    let (_, per_sale) = api
        .get(&format!(
            "/marking/units?sale_id={}",
            found[0]["sale_id"].as_str().expect("sale")
        ))
        .await;
    assert_eq!(per_sale.as_array().map(Vec::len), Some(2));
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// In the admin: the groups' dates and rule on the catalog page (the admin changes the
/// rule), and a product put in a group from its editor.
#[test]
fn the_admin_sets_a_groups_rule_and_marks_a_product() {
    use crate::admin_browser::{open_admin, shot, sign_in, Admin};
    let Admin {
        rt,
        app: _app,
        api,
        base,
        s,
        _driver,
    } = open_admin("ru");
    let (_store, product, _code) = rt.block_on(head_office(&api));
    sign_in(&s, &base, crate::helpers::ADMIN.0, crate::helpers::ADMIN.1);
    s.click("nav-catalog");
    s.wait_text("marking-groups", |t| {
        t.contains("Духи и туалетная вода") && t.contains("Продать и сообщить в офис")
    });
    s.select("marking-perfume-no-answer", "block");
    s.click("marking-perfume-save");
    let rule = || {
        let (_, g) = rt.block_on(api.get("/marking/groups"));
        g.as_array()
            .and_then(|a| a.iter().find(|g| g["code"] == "perfume").cloned())
            .map(|g| g["no_answer"].clone())
    };
    for _ in 0..50 {
        if rule() == Some(json!("block")) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(rule(), Some(json!("block")));
    s.click("edit-CH-50");
    s.select("product-marking", "perfume");
    s.click("product-save");
    s.find("product-saved");
    shot(&s, "product-marking");
    let (_, p) = rt.block_on(api.get(&format!(
        "/products/{}",
        product["id"].as_str().expect("id")
    )));
    assert_eq!(p["marking_group"], "perfume");
}
