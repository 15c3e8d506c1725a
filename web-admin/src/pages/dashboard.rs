//! Today at a glance: each store's sales for its own today, updating live as tills send
//! them (the server's event stream), the week's trend, the top products, tills that have
//! not been heard from, goods running low, and certificates overdrawn.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::api;
use crate::pages::reports::days_before;
use crate::types::{cell, Report};
use crate::widgets::{minor, use_ctx, use_fetch, BarChart, ReportTable};

/// The dashboard.
#[function_component(Dashboard)]
pub fn dashboard() -> Html {
    let ctx = use_ctx();
    let live = use_state(|| None::<Report>);
    {
        // Server-sent events: totals now, and again whenever a till's batch lands.
        let live = live.clone();
        use_effect_with((), move |_| {
            let source = web_sys::EventSource::new(&format!("{}/reports/live", api::BASE)).ok();
            let cb =
                Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                    if let Some(Ok(r)) = e
                        .data()
                        .as_string()
                        .map(|s| serde_json::from_str::<Report>(&s))
                    {
                        live.set(Some(r));
                    }
                });
            if let Some(s) = &source {
                let _ = s.add_event_listener_with_callback("totals", cb.as_ref().unchecked_ref());
            }
            move || {
                if let Some(s) = source {
                    s.close();
                }
                drop(cb);
            }
        });
    }
    let day = crate::clock::stores_today(&ctx.locations);
    let week_ago = days_before(day, 6);
    let period = format!("from={week_ago}&to={day}");
    let trend = use_fetch::<Report>(format!("/reports/sales-summary?group=day&{period}"), 0).0;
    let top = use_fetch::<Report>(format!("/reports/sales-by/product?limit=5&{period}"), 0).0;
    let stale = use_fetch::<Report>(
        format!("/reports/control/sync-health?stale_hours=24&from={day}&to={day}"),
        0,
    )
    .0;
    let low = use_fetch::<Report>(format!("/reports/stock/low?from={day}&to={day}"), 0).0;
    let certs = use_fetch::<Report>(
        format!("/reports/control/certificates?from={week_ago}&to={day}"),
        0,
    )
    .0;
    let registers = use_fetch::<Report>(
        format!("/reports/control/registers?attention=true&from={day}&to={day}"),
        0,
    )
    .0;
    let unfiscalised = use_fetch::<Report>(
        format!("/reports/control/fiscal-receipts?attention=true&{period}"),
        0,
    )
    .0;
    let unchecked = use_fetch::<Report>(
        format!("/reports/control/marked-units?attention=true&{period}"),
        0,
    )
    .0;
    let card =
        |title: &'static str, id: &'static str, r: &Option<Report>, only: Vec<&'static str>| {
            html! {
                <div class="card">
                    <h2>{ ctx.t(title) }</h2>
                    { match r {
                        None => html! { <p class="muted">{ "…" }</p> },
                        Some(r) => html! { <ReportTable report={r.clone()} id={id} only={only} /> },
                    } }
                </div>
            }
        };
    // Every day of the week, a day without sales as an empty bar.
    let week: Vec<(String, i64)> = (0..7u64)
        .rev()
        .map(|n| {
            let date = days_before(day, n);
            let d = date.to_string();
            let net = trend
                .as_ref()
                .and_then(|r| r.rows.iter().find(|row| cell(row.get("period")) == d))
                .map(|row| minor(row.get("net")))
                .unwrap_or(0);
            (shared_model::display::date(date, ctx.lang), net)
        })
        .collect();
    html! {
        <section>
            <h1>{ ctx.t("nav_dashboard") }</h1>
            <div class="cards">
                { card("today_live", "dash-live", &live, vec!["store", "receipts", "sales", "returned", "net"]) }
                <div class="card">
                    <h2>{ ctx.t("week_trend") }</h2>
                    <BarChart bars={week} title={ctx.t("week_trend")} id="dash-trend" />
                </div>
                { card("top_products", "dash-top", &top, vec!["name", "qty", "net"]) }
                { card("tills_unseen", "dash-stale", &stale, vec!["store", "terminal", "hours_unseen", "events_waiting", "chain_alerts"]) }
                { card("registers_attention", "dash-registers", &registers, vec!["store", "terminal", "health", "problems", "fn_days_left"]) }
                { card("unfiscalised_week", "dash-unfiscalised", &unfiscalised, vec!["store", "terminal", "receipt_no", "completed_at", "total"]) }
                { card("unchecked_marks_week", "dash-unchecked-marks", &unchecked, vec!["store", "receipt_no", "sold_at", "product", "code"]) }
                { card("low_stock", "dash-low", &low, vec!["store", "name", "qty", "min_qty"]) }
                { card("certificates_attention", "dash-certs", &certs, vec!["what", "certificates", "amount", "overdraw"]) }
            </div>
        </section>
    }
}
