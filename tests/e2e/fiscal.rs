//! Head office sees the fiscal register's answer for each sale a till sends, and which
//! sales still have none: a real till with the ATOL emulator as a real process.

use serde_json::json;

use crate::emulator::Emulator;
use crate::helpers::*;
use crate::sync::{enrolled_till, sell, till};

/// A control report's rows for today, as objects by column.
async fn report(api: &crate::helpers::Api, name_and_query: &str) -> Vec<serde_json::Value> {
    let today = chrono::Utc::now().date_naive();
    let sep = if name_and_query.contains('?') {
        '&'
    } else {
        '?'
    };
    let path = format!(
        "/reports/control/{name_and_query}{sep}from={}&to={}",
        today - chrono::Duration::days(1),
        today + chrono::Duration::days(1)
    );
    let (st, body) = api.get(&path).await;
    assert_eq!(st, 200, "{path}: {body}");
    body["rows"].as_array().expect("rows").clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_office_sees_each_sales_fiscal_receipt_and_lists_those_without() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let (store, _product, code) = head_office(&api).await;
    // This store sells fiscally (its till has a register).
    let path = format!("/locations/{}", store["id"].as_str().expect("id"));
    assert_eq!(api.patch(&path, json!({"non_fiscal": false})).await.0, 200);
    api.ok_post(
        "/users",
        json!({"login": "olga", "full_name": "Ольга", "role": "manager", "password": "password-123",
               "pin": "777777", "locations": [store["id"]]}),
    )
    .await;
    // The cashier's tax id goes on her receipts; a mistyped one is refused.
    let (_, users) = api.get("/users?q=anna").await;
    let anna = format!("/users/{}", users["items"][0]["id"].as_str().expect("anna"));
    let (st, _) = api.patch(&anna, json!({"vatin": "500100732258"})).await;
    assert_eq!(st, 422, "a wrong check digit");
    let (st, body) = api.patch(&anna, json!({"vatin": "500100732259"})).await;
    assert_eq!((st.as_u16(), &body["vatin"]), (200, &json!("500100732259")));
    let (_tmp, dir) = enrolled_till(format!("http://{}", app.addr), code).await;
    let emu = tokio::task::block_in_place(|| Emulator::start(&dir));
    let url = emu.url.clone();
    till(dir.clone(), move |t| {
        t.login("999999")?;
        t.set_fiscal_register(Some(&url))?;
        t.set_fiscal_timeout_ms(2_000)?;
        t.sync_once()
    })
    .await
    .expect("register set, first sync");

    // One sale signed; then the paper runs out and the next waits for its receipt.
    till(dir.clone(), sell(1)).await.expect("a fiscal sale");
    tokio::task::block_in_place(|| emu.faults(json!({"paper_runs_out": true})));
    till(dir.clone(), sell(1))
        .await
        .expect("a sale kept without its receipt");
    let (_, sales) = api.get("/sales").await;
    let items = sales["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "{sales}");
    let signed: Vec<_> = items.iter().filter(|s| !s["fiscal"].is_null()).collect();
    assert_eq!(signed.len(), 1, "{sales}");
    assert_eq!(signed[0]["fiscal"]["fn_serial"], "9999078900001234");
    assert_eq!(signed[0]["fiscal"]["receipt_no"], 1);
    let sale_id = signed[0]["id"].as_str().expect("sale id").to_owned();
    let task =
        tokio::task::block_in_place(|| emu.state())["requests"][&sale_id]["tasks"][0].clone();
    assert_eq!(
        task["operator"],
        json!({"name": "Анна", "vatin": "500100732259"})
    );
    let (_, waiting) = api.get("/sales?unfiscalised=true").await;
    assert_eq!(waiting["total"], 1, "{waiting}");
    assert!(waiting["items"][0]["fiscal"].is_null());
    // The reports say the same, and which register needs someone, and why.
    let missing = report(&api, "fiscal-receipts?attention=true").await;
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert_eq!(missing[0]["fiscal"], "missing");
    let all = report(&api, "fiscal-receipts").await;
    assert_eq!(all.len(), 2);
    assert!(all
        .iter()
        .any(|r| r["fiscal"] == "signed" && r["fn_serial"] == "9999078900001234"));
    let regs = report(&api, "registers?attention=true").await;
    assert_eq!(regs.len(), 1, "{regs:?}");
    assert_eq!(regs[0]["health"], "blocked", "{regs:?}");
    let problems = regs[0]["problems"].as_str().expect("problems");
    assert!(
        problems.contains("paper_out") && problems.contains("pending_receipts:1"),
        "{problems}"
    );
    assert_eq!(regs[0]["fn_serial"], "9999078900001234");

    // Paper loaded: the till settles it and says so; none is left without one.
    tokio::task::block_in_place(|| emu.faults(json!({})));
    till(dir.clone(), |t| {
        t.settle_fiscal()?;
        t.sync_once()
    })
    .await
    .expect("settled and synced");
    let (_, waiting) = api.get("/sales?unfiscalised=true").await;
    assert_eq!(waiting["total"], 0, "{waiting}");
    let (_, done) = api.get("/sales?unfiscalised=false").await;
    assert_eq!(done["total"], 2, "{done}");
    assert!(report(&api, "fiscal-receipts?attention=true")
        .await
        .is_empty());
    assert!(report(&api, "registers?attention=true").await.is_empty());
    assert_eq!(report(&api, "registers").await[0]["health"], "ok");

    // The register out of order: a sale made meanwhile is fiscalised by a correction
    // receipt once it is back, and head office sees which.
    till(dir.clone(), |t| {
        t.login("777777")?;
        t.declare_register_outage("не включается").map(|_| ())
    })
    .await
    .expect("outage declared");
    till(dir.clone(), sell(1))
        .await
        .expect("a sale in the outage");
    let (_, waiting) = api.get("/sales?unfiscalised=true").await;
    assert_eq!(waiting["total"], 1, "{waiting}");
    till(dir.clone(), |t| {
        t.login("777777")?;
        t.end_register_outage()?;
        t.sync_once()
    })
    .await
    .expect("restored and synced");
    let (_, done) = api.get("/sales?unfiscalised=false").await;
    assert_eq!(done["total"], 3, "{done}");
    let corrections = done["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|s| s["fiscal"]["correction"] == true)
        .count();
    assert_eq!(corrections, 1, "{done}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_till_without_a_register_sells_only_where_head_office_marks_the_store_non_fiscal() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let (store, _product, code) = head_office(&api).await;
    let path = format!("/locations/{}", store["id"].as_str().expect("id"));
    // The store sells fiscally, on the simplified system.
    let (st, body) = api
        .patch(
            &path,
            json!({"non_fiscal": false, "taxation": "usn_income"}),
        )
        .await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["non_fiscal"], false);
    let (st, _) = api.patch(&path, json!({"taxation": "flat_tax"})).await;
    assert_eq!(st, 422, "an unknown taxation system is refused");
    let (_tmp, dir) = enrolled_till(format!("http://{}", app.addr), code).await;
    till(dir.clone(), |t| t.sync_once())
        .await
        .expect("first sync");
    let refused = till(dir.clone(), sell(1)).await.unwrap_err();
    assert!(
        matches!(refused, pos_desktop::TillError::RegisterBlocked(_)),
        "{refused}"
    );
    let taxation = till(dir.clone(), |t| t.taxation()).await.expect("taxation");
    assert_eq!(taxation, shared_model::fiscal::Taxation::UsnIncome);
    let (_, sales) = api.get("/sales").await;
    assert_eq!(sales["total"], 0, "nothing was sold");

    // Head office marks it non-fiscal: the till sells, its slips say they are not fiscal.
    let (st, _) = api.patch(&path, json!({"non_fiscal": true})).await;
    assert_eq!(st, 200);
    till(dir.clone(), |t| t.sync_once()).await.expect("sync");
    till(dir.clone(), sell(1)).await.expect("a non-fiscal sale");
    let slip = till(dir.clone(), |t| t.receipt_text(1))
        .await
        .expect("slip");
    assert!(slip.contains("НЕ ЯВЛЯЕТСЯ ФИСКАЛЬНЫМ ДОКУМЕНТОМ"), "{slip}");
}

#[test]
fn the_dashboard_raises_registers_that_need_someone_and_sales_without_a_receipt() {
    use crate::admin_browser::{open_admin, shot, sign_in, Admin};
    let Admin {
        rt,
        app,
        api,
        base,
        s,
        _driver,
    } = open_admin("ru");
    let (store, _product, code) = rt.block_on(head_office(&api));
    let path = format!("/locations/{}", store["id"].as_str().expect("id"));
    assert_eq!(
        rt.block_on(api.patch(&path, json!({"non_fiscal": false})))
            .0,
        200
    );
    let (_tmp, dir) = rt.block_on(enrolled_till(format!("http://{}", app.addr), code));
    let emu = Emulator::start(&dir);
    let url = emu.url.clone();
    rt.block_on(till(dir.clone(), move |t| {
        t.login("999999")?;
        t.set_fiscal_register(Some(&url))?;
        t.set_fiscal_timeout_ms(2_000)?;
        t.sync_once()
    }))
    .expect("register set");
    rt.block_on(till(dir.clone(), sell(1)))
        .expect("a fiscal sale");
    // The roll ends mid-receipt: the sale waits, the register cannot print.
    emu.faults(json!({"paper_runs_out": true}));
    rt.block_on(till(dir.clone(), sell(1)))
        .expect("a sale awaiting its receipt");

    sign_in(&s, &base, crate::helpers::ADMIN.0, crate::helpers::ADMIN.1);
    let regs = s.wait_text("dash-registers", |t| t.contains("продажи остановлены"));
    assert!(
        regs.contains("нет бумаги") && regs.contains("чеков ждут 1") && regs.contains("Касса 1"),
        "{regs}"
    );
    let waiting = s.wait_text("dash-unfiscalised", |t| t.contains("Касса 1"));
    assert!(waiting.contains("100,00"), "{waiting}");
    s.execute_async(
        "document.querySelector('[data-testid=dash-registers]').scrollIntoView(); arguments[0]()",
    );
    shot(&s, "fiscal-dashboard");
}
