//! Reports fed by a real till: the live totals a sale reaches within seconds, and cash
//! reconciliation as the till counted each shift.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

/// Reads server-sent events until a `totals` event satisfies `ok`; returns its rows.
async fn next_totals(
    resp: &mut reqwest::Response,
    buf: &mut String,
    ok: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let data: String = block
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(str::trim)
                .collect();
            if block.lines().any(|l| l.trim() == "event: totals") {
                let v: Value = serde_json::from_str(&data).expect("totals json");
                let rows = v["rows"].as_array().expect("rows").clone();
                if ok(&rows) {
                    return rows;
                }
            }
        }
        let chunk = tokio::time::timeout_at(deadline, resp.chunk())
            .await
            .expect("no live update within 15 s")
            .expect("stream")
            .expect("stream ended");
        buf.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sale_synced_from_a_till_shows_in_the_live_totals_within_seconds() {
    use crate::sync::{enrolled_till, till};
    let app = spawn_app().await;
    let api = app.admin().await;
    let (store, _product, code) = head_office(&api).await;
    let mut live = api
        .client
        .get(format!("{}/reports/live", api.app_url))
        .bearer_auth(&api.token)
        .send()
        .await
        .expect("live");
    assert_eq!(live.status(), StatusCode::OK);
    let mut buf = String::new();
    let rows = next_totals(&mut live, &mut buf, |_| true).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (&rows[0]["location_id"], &rows[0]["receipts"]),
        (&store["id"], &json!(0))
    );

    let (_tmp, dir) = enrolled_till(format!("http://{}", app.addr), code).await;
    let start = std::time::Instant::now();
    till(dir, |t| {
        t.sync_once()?;
        t.login("654321")?;
        t.open_shift("0")?;
        t.add_item("CH-50", Some("2"))?;
        t.pay(shared_model::Tender::Cash, "200", None)?;
        t.complete_sale()?;
        t.sync_once()
    })
    .await
    .expect("till");
    let rows = next_totals(&mut live, &mut buf, |r| r[0]["receipts"] == 1).await;
    assert_eq!(rows[0]["sales"], "200.00");
    assert_eq!(rows[0]["net"], "200.00");
    println!("sale to live totals: {:?}", start.elapsed());
}

/// The cash report against a real till: a shift opened with a float, a cash sale with
/// change, a count short by 9.50 — the report shows each figure as the till's Z report.
#[tokio::test]
async fn cash_reconciliation_shows_each_closed_shift_as_its_till_counted_it() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let (_store, _product, code) = head_office(&api).await;
    let (_tmp, dir) = crate::sync::enrolled_till(format!("http://{}", app.addr), code).await;
    crate::sync::sync_until(dir.clone(), |t| {
        t.sync_status().is_ok_and(|s| s.last_pull_at.is_some())
    })
    .await;
    crate::sync::till(dir.clone(), |t| {
        t.login("654321")?;
        t.open_shift("1000")?;
        t.add_item("CH-50", Some("2"))?;
        t.pay(shared_model::Tender::Cash, "500", None)?;
        t.complete_sale()?;
        t.close_shift("1190.50")?;
        t.sync_once()
    })
    .await
    .expect("a shift on the till");
    let today = chrono::Utc::now().date_naive();
    let (from, to) = (today - Duration::days(1), today + Duration::days(1));
    let rows = report(&api, &format!("/reports/cash?from={from}&to={to}")).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    // Expected: the float plus the cash taken net of change (two bottles at 100.00).
    assert_eq!(rows[0]["expected_cash"], "1200.00");
    assert_eq!(rows[0]["counted_cash"], "1190.50");
    assert_eq!(rows[0]["difference"], "-9.50");
    assert_eq!(rows[0]["terminal"], "Касса 1");
}
