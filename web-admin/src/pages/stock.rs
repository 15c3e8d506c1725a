//! Stock: levels per location, receiving goods, transfers (ship, then receive at the other
//! end), counts that adjust to what was found (with a reason), and the movement history.

use serde_json::json;
use shared_model::display::decimal;
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::lines::{Line, Lines};
use crate::types::{CountResult, Level, Page, Transfer};
use crate::widgets::{
    location_options, moment, setter, spawn, use_ctx, use_fetch, ErrorBanner, Field, Pager, Select,
};

#[derive(Clone, Copy, PartialEq)]
enum Tab {
    Levels,
    Receive,
    Transfers,
    Count,
    Movements,
}

/// The stock page.
#[function_component(Stock)]
pub fn stock() -> Html {
    let ctx = use_ctx();
    let tab = use_state(|| Tab::Levels);
    let tabs = [
        (Tab::Levels, "levels"),
        (Tab::Receive, "receive"),
        (Tab::Transfers, "transfers"),
        (Tab::Count, "stock_count"),
        (Tab::Movements, "movements"),
    ];
    html! {
        <section>
            <h1>{ ctx.t("nav_stock") }</h1>
            <div class="tabs" role="tablist">
            { for tabs.iter().map(|(t, k)| {
                let (tab2, t) = (tab.clone(), *t);
                html! { <button role="tab" aria-selected={(*tab == t).to_string()} data-testid={format!("tab-{k}")}
                    onclick={Callback::from(move |_| tab2.set(t))}>{ ctx.t(k) }</button> }
            }) }
            </div>
            { match *tab {
                Tab::Levels => html! { <Levels /> },
                Tab::Receive => html! { <Receive /> },
                Tab::Transfers => html! { <Transfers /> },
                Tab::Count => html! { <Count /> },
                Tab::Movements => html! { <crate::pages::reports::ReportView path="/reports/stock/movements" with_period=true id="movements" /> },
            } }
        </section>
    }
}

#[function_component(Levels)]
fn levels() -> Html {
    let ctx = use_ctx();
    let location = use_state(String::new);
    let page = use_state(|| 1u32);
    let path = format!(
        "/inventory/levels{}",
        api::query(&[
            ("location_id", (*location).clone()),
            ("page", page.to_string()),
            ("per_page", "50".into()),
        ])
    );
    let (list, error) = use_fetch::<Page<Level>>(path, 0);
    let onpage = {
        let page = page.clone();
        Callback::from(move |n| page.set(n))
    };
    html! {
        <div>
            <Select id="levels-location" label={ctx.t("location")} value={(*location).clone()}
                options={location_options(&ctx, Some("all"), false)}
                onchange={{ let (l, p) = (location.clone(), page.clone()); Callback::from(move |v| { l.set(v); p.set(1); }) }} />
            <ErrorBanner error={error} />
            if let Some(l) = &list {
                <table data-testid="levels">
                    <thead><tr><th scope="col">{ ctx.t("location") }</th><th scope="col">{ ctx.t("sku") }</th>
                        <th scope="col">{ ctx.t("name") }</th><th scope="col" class="num">{ ctx.t("on_hand") }</th></tr></thead>
                    <tbody>{ for l.items.iter().map(|x| html! {
                        <tr class={classes!(x.qty.starts_with('-').then_some("negative"))}>
                            <td>{ ctx.location_name(x.location_id) }</td><td>{ &x.sku }</td><td>{ &x.name }</td>
                            <td class="num">{ format!("{} {}", decimal(&x.qty.to_string(), ctx.lang), x.unit) }</td></tr>
                    }) }</tbody>
                </table>
                <Pager page={l.page} per_page={l.per_page} total={l.total} {onpage} />
            }
        </div>
    }
}

fn qty_lines(lines: &[Line], key: &str) -> serde_json::Value {
    lines
        .iter()
        .map(|l| json!({"product_id": l.product.id, key: l.qty.trim()}))
        .collect()
}

#[function_component(Receive)]
fn receive() -> Html {
    let ctx = use_ctx();
    let location = use_state(String::new);
    let reason = use_state(String::new);
    let lines = use_state(Vec::<Line>::new);
    let error = use_state(|| None::<ApiError>);
    let done = use_state(|| false);
    let submit = {
        let (location, reason, lines, error, done) = (
            location.clone(),
            reason.clone(),
            lines.clone(),
            error.clone(),
            done.clone(),
        );
        Callback::from(move |_| {
            if location.is_empty() || lines.is_empty() {
                return;
            }
            let reason_v = (!reason.trim().is_empty()).then(|| reason.trim().to_owned());
            let body = json!({"location_id": *location, "lines": qty_lines(&lines, "qty"), "reason": reason_v});
            let (lines, error, done) = (lines.clone(), error.clone(), done.clone());
            spawn(async move {
                match api::post::<_, serde_json::Value>("/inventory/receipts", &body).await {
                    Ok(_) => {
                        lines.set(Vec::new());
                        error.set(None);
                        done.set(true);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    html! {
        <div class="panel">
            <h2>{ ctx.t("receive") }</h2>
            <Select id="receive-location" label={ctx.t("location")} value={(*location).clone()}
                options={location_options(&ctx, Some("choose_location"), false)} onchange={setter(&location)} />
            <Field id="receive-reason" label={ctx.t("document")} value={(*reason).clone()} oninput={setter(&reason)} placeholder={ctx.t("document_hint")} />
            <Lines id="receive" lines={(*lines).clone()} onchange={{ let (l, d) = (lines.clone(), done.clone()); Callback::from(move |v| { d.set(false); l.set(v) }) }} />
            <ErrorBanner error={(*error).clone()} />
            if *done { <p class="banner ok" role="status" data-testid="receive-done">{ ctx.t("received") }</p> }
            <button class="primary" onclick={submit} disabled={location.is_empty() || lines.is_empty()} data-testid="receive-submit">{ ctx.t("receive") }</button>
        </div>
    }
}

#[function_component(Transfers)]
fn transfers() -> Html {
    let ctx = use_ctx();
    let from = use_state(String::new);
    let to = use_state(String::new);
    let note = use_state(String::new);
    let lines = use_state(Vec::<Line>::new);
    let list = use_state(|| None::<Page<Transfer>>);
    let error = use_state(|| None::<ApiError>);
    let reload = use_state(|| 0u32);
    {
        let (list, error) = (list.clone(), error.clone());
        use_effect_with(*reload, move |_| {
            spawn(async move {
                match api::get::<Page<Transfer>>("/inventory/transfers?per_page=50").await {
                    Ok(p) => list.set(Some(p)),
                    Err(e) => error.set(Some(e)),
                }
            });
        });
    }
    let ship = {
        let (from, to, note, lines, error, reload) = (
            from.clone(),
            to.clone(),
            note.clone(),
            lines.clone(),
            error.clone(),
            reload.clone(),
        );
        Callback::from(move |_| {
            if from.is_empty() || to.is_empty() || lines.is_empty() {
                return;
            }
            let note_v = (!note.trim().is_empty()).then(|| note.trim().to_owned());
            let body = json!({"from_location_id": *from, "to_location_id": *to, "lines": qty_lines(&lines, "qty"), "note": note_v});
            let (lines, error, reload) = (lines.clone(), error.clone(), reload.clone());
            spawn(async move {
                match api::post::<_, Transfer>("/inventory/transfers", &body).await {
                    Ok(_) => {
                        lines.set(Vec::new());
                        error.set(None);
                        reload.set(*reload + 1);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    html! {
        <div>
            <div class="panel">
                <h2>{ ctx.t("new_transfer") }</h2>
                <div class="grid">
                    <Select id="transfer-from" label={ctx.t("from")} value={(*from).clone()} options={location_options(&ctx, Some("choose_location"), false)} onchange={setter(&from)} />
                    <Select id="transfer-to" label={ctx.t("to")} value={(*to).clone()} options={location_options(&ctx, Some("choose_location"), false)} onchange={setter(&to)} />
                    <Field id="transfer-note" label={ctx.t("note")} value={(*note).clone()} oninput={setter(&note)} />
                </div>
                <Lines id="transfer" lines={(*lines).clone()} onchange={{ let l = lines.clone(); Callback::from(move |v| l.set(v)) }} />
                <button class="primary" onclick={ship} disabled={from.is_empty() || to.is_empty() || lines.is_empty()} data-testid="transfer-ship">{ ctx.t("ship") }</button>
            </div>
            <ErrorBanner error={(*error).clone()} />
            if let Some(l) = &*list {
                <table data-testid="transfers">
                    <thead><tr><th scope="col">{ ctx.t("shipped") }</th><th scope="col">{ ctx.t("from") }</th><th scope="col">{ ctx.t("to") }</th>
                        <th scope="col">{ ctx.t("lines") }</th><th scope="col">{ ctx.t("status") }</th><th></th></tr></thead>
                    <tbody>{ for l.items.iter().map(|t| {
                        let receive = {
                            let (id, error, reload) = (t.id, error.clone(), reload.clone());
                            Callback::from(move |_| {
                                let (error, reload) = (error.clone(), reload.clone());
                                spawn(async move {
                                    match api::post::<_, Transfer>(&format!("/inventory/transfers/{id}/receive"), &json!({})).await {
                                        Ok(_) => reload.set(*reload + 1),
                                        Err(e) => error.set(Some(e)),
                                    }
                                });
                            })
                        };
                        html! { <tr>
                            <td>{ moment(&t.created_at, ctx.lang) }</td>
                            <td>{ ctx.location_name(t.from_location_id) }</td><td>{ ctx.location_name(t.to_location_id) }</td>
                            <td>{ t.lines.len() }</td><td>{ ctx.t(if t.status == "received" { "status_received" } else { "status_in_transit" }) }</td>
                            <td>if t.status != "received" { <button onclick={receive} data-testid="transfer-receive">{ ctx.t("accept") }</button> }</td>
                        </tr> }
                    }) }</tbody>
                </table>
            }
        </div>
    }
}

#[function_component(Count)]
fn count() -> Html {
    let ctx = use_ctx();
    let location = use_state(String::new);
    let reason = use_state(String::new);
    let lines = use_state(Vec::<Line>::new);
    let result = use_state(Vec::<CountResult>::new);
    let error = use_state(|| None::<ApiError>);
    let tried = use_state(|| false);
    let reason_err = (*tried && reason.trim().is_empty()).then(|| ctx.t("required").to_owned());
    let submit = {
        let (location, reason, lines, result, error, tried) = (
            location.clone(),
            reason.clone(),
            lines.clone(),
            result.clone(),
            error.clone(),
            tried.clone(),
        );
        Callback::from(move |_| {
            tried.set(true);
            if location.is_empty() || lines.is_empty() || reason.trim().is_empty() {
                return;
            }
            let body = json!({"location_id": *location, "reason": reason.trim(), "lines": qty_lines(&lines, "counted")});
            let (result, error) = (result.clone(), error.clone());
            spawn(async move {
                match api::post::<_, Vec<CountResult>>("/inventory/counts", &body).await {
                    Ok(r) => {
                        result.set(r);
                        error.set(None);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let names: std::collections::HashMap<uuid::Uuid, String> = lines
        .iter()
        .map(|l| (l.product.id, l.product.name.clone()))
        .collect();
    html! {
        <div class="panel">
            <h2>{ ctx.t("stock_count") }</h2>
            <div class="grid">
                <Select id="count-location" label={ctx.t("location")} value={(*location).clone()} options={location_options(&ctx, Some("choose_location"), false)} onchange={setter(&location)} />
                <Field id="count-reason" label={ctx.t("reason")} value={(*reason).clone()} oninput={setter(&reason)} error={reason_err} required=true />
            </div>
            <Lines id="count" lines={(*lines).clone()} qty_label="counted" allow_zero=true onchange={{ let l = lines.clone(); Callback::from(move |v| l.set(v)) }} />
            <ErrorBanner error={(*error).clone()} />
            <button class="primary" onclick={submit} disabled={location.is_empty() || lines.is_empty()} data-testid="count-submit">{ ctx.t("apply_count") }</button>
            if !result.is_empty() {
                <table data-testid="count-result">
                    <thead><tr><th scope="col">{ ctx.t("product") }</th><th scope="col" class="num">{ ctx.t("expected") }</th>
                        <th scope="col" class="num">{ ctx.t("counted") }</th><th scope="col" class="num">{ ctx.t("adjustment") }</th></tr></thead>
                    <tbody>{ for result.iter().map(|r| html! { <tr>
                        <td>{ names.get(&r.product_id).cloned().unwrap_or_else(|| r.product_id.to_string()) }</td>
                        <td class="num">{ decimal(&r.expected.to_string(), ctx.lang) }</td><td class="num">{ decimal(&r.counted.to_string(), ctx.lang) }</td><td class="num">{ decimal(&r.adjustment.to_string(), ctx.lang) }</td></tr> }) }</tbody>
                </table>
            }
        </div>
    }
}
