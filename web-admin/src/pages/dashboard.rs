//! Today at a glance: each store's sales for its own today, updating live as tills send
//! them (the server's event stream), the week's trend, the top products, tills that have
//! not been heard from, goods running low, and certificates overdrawn.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::api;
use crate::pages::reports::{bars_of, days_before, today};
use crate::types::Report;
use crate::widgets::{spawn, use_ctx, BarChart, ReportTable};

/// A report fetched once for a card.
#[hook]
fn use_report(path: String) -> Option<Report> {
    let r = use_state(|| None::<Report>);
    {
        let r = r.clone();
        use_effect_with(path, move |path| {
            let path = path.clone();
            spawn(async move {
                if let Ok(v) = api::get::<Report>(&path).await {
                    r.set(Some(v));
                }
            });
        });
    }
    (*r).clone()
}

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
    let (day, week_ago) = (today(), days_before(today(), 6));
    let period = format!("from={week_ago}&to={day}");
    let trend = use_report(format!("/reports/sales-summary?group=day&{period}"));
    let top = use_report(format!("/reports/sales-by/product?limit=5&{period}"));
    let stale = use_report(format!(
        "/reports/control/sync-health?stale_hours=24&from={day}&to={day}"
    ));
    let low = use_report(format!("/reports/stock/low?from={day}&to={day}"));
    let certs = use_report(format!(
        "/reports/control/certificates?from={week_ago}&to={day}"
    ));
    let hide = vec!["location_id", "terminal_id", "product_id", "key", "day"];
    let card = |title: &'static str, id: &'static str, r: &Option<Report>, chart: bool| {
        html! {
            <div class="card">
                <h2>{ ctx.t(title) }</h2>
                { match r {
                    None => html! { <p class="muted">{ "…" }</p> },
                    Some(r) if chart && bars_of(r).len() > 1 => html! { <BarChart bars={bars_of(r)} title={ctx.t(title)} id={id} /> },
                    Some(r) => html! { <ReportTable report={r.clone()} id={id} hide={hide.clone()} /> },
                } }
            </div>
        }
    };
    html! {
        <section>
            <h1>{ ctx.t("nav_dashboard") }</h1>
            <div class="cards">
                { card("today_live", "dash-live", &live, false) }
                { card("week_trend", "dash-trend", &trend, true) }
                { card("top_products", "dash-top", &top, false) }
                { card("tills_unseen", "dash-stale", &stale, false) }
                { card("low_stock", "dash-low", &low, false) }
                { card("certificates_attention", "dash-certs", &certs, false) }
            </div>
        </section>
    }
}
