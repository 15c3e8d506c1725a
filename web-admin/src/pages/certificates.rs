//! Gift certificates: issue a batch, look one up with its history, block or unblock it,
//! and the list by status.

use chrono::NaiveDate;
use serde_json::json;
use shared_model::{Currency, Money};
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::types::{Batch, Certificate, Page};
use crate::widgets::{setter, spawn, use_ctx, use_fetch, ErrorBanner, Field, Pager, Select};

/// The certificates page.
#[function_component(Certificates)]
pub fn certificates() -> Html {
    let ctx = use_ctx();
    let status = use_state(String::new);
    let page = use_state(|| 1u32);
    let reload = use_state(|| 0u32);
    let path = format!(
        "/certificates{}",
        api::query(&[
            ("status", (*status).clone()),
            ("page", page.to_string()),
            ("per_page", "25".into()),
        ])
    );
    let (list, load_error) = use_fetch::<Page<Certificate>>(path, *reload);
    let changed = {
        let reload = reload.clone();
        Callback::from(move |_| reload.set(*reload + 1))
    };
    let rub = |m: i64| Money::rub(m).format(ctx.lang);
    let onpage = {
        let p = page.clone();
        Callback::from(move |n| p.set(n))
    };
    let statuses = ["", "issued", "active", "redeemed", "blocked", "expired"]
        .iter()
        .map(|s| {
            let word = if s.is_empty() { ctx.t("all") } else { s };
            ((*s).to_owned(), word.to_owned())
        })
        .collect::<Vec<_>>();
    html! {
        <section>
            <h1>{ ctx.t("nav_certificates") }</h1>
            <div class="panel two">
                <IssueBatch on_issued={changed.clone()} />
                <Lookup on_changed={changed} />
            </div>
            <ErrorBanner error={load_error} />
            <Select id="cert-status" label={ctx.t("status")} value={(*status).clone()} options={statuses}
                onchange={{ let (s, p) = (status.clone(), page.clone()); Callback::from(move |v| { s.set(v); p.set(1); }) }} />
            if let Some(l) = &list {
                <table data-testid="certificates">
                    <thead><tr><th scope="col">{ ctx.t("cert_code") }</th><th scope="col">{ ctx.t("status") }</th><th scope="col" class="num">{ ctx.t("nominal") }</th>
                        <th scope="col" class="num">{ ctx.t("balance") }</th><th scope="col">{ ctx.t("expires") }</th></tr></thead>
                    <tbody>{ for l.items.iter().map(|c| html! { <tr><td>{ &c.code }</td><td>{ &c.status }</td>
                        <td class="num">{ rub(c.nominal_minor) }</td><td class="num">{ rub(c.balance_minor) }</td><td>{ shared_model::display::date_str(&c.expires_on, ctx.lang) }</td></tr> }) }</tbody>
                </table>
                <Pager page={l.page} per_page={l.per_page} total={l.total} {onpage} />
            }
        </section>
    }
}

/// Props of [`IssueBatch`].
#[derive(Properties, PartialEq)]
pub struct IssueProps {
    /// Certificates were issued.
    pub on_issued: Callback<()>,
}

/// Issuing a batch: name, nominal, how many, until when; the new codes are shown.
#[function_component(IssueBatch)]
fn issue_batch(p: &IssueProps) -> Html {
    let ctx = use_ctx();
    let name = use_state(String::new);
    let nominal = use_state(String::new);
    let qty = use_state(|| "10".to_owned());
    let expires = use_state(String::new);
    let issued = use_state(|| None::<Batch>);
    let error = use_state(|| None::<ApiError>);
    let nominal_ok = Money::parse(nominal.trim(), Currency::RUB)
        .ok()
        .filter(|m| m.minor > 0);
    let expires_ok = NaiveDate::parse_from_str(&expires, "%Y-%m-%d").ok();
    let issue = {
        let (name, qty, issued, error) = (name.clone(), qty.clone(), issued.clone(), error.clone());
        let on_issued = p.on_issued.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (Some(m), Some(d), Ok(n)) = (nominal_ok, expires_ok, qty.trim().parse::<u32>())
            else {
                return;
            };
            let body = json!({"name": name.trim(), "nominal_minor": m.minor, "quantity": n, "expires_on": d});
            let (issued, error, on_issued) = (issued.clone(), error.clone(), on_issued.clone());
            spawn(async move {
                match api::post::<_, Batch>("/certificates/batches", &body).await {
                    Ok(b) => {
                        issued.set(Some(b));
                        error.set(None);
                        on_issued.emit(());
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    html! {
        <form onsubmit={issue} novalidate=true>
            <h2>{ ctx.t("new_batch") }</h2>
            <Field id="batch-name" label={ctx.t("name")} value={(*name).clone()} oninput={setter(&name)} />
            <Field id="batch-nominal" label={ctx.t("nominal")} value={(*nominal).clone()} oninput={setter(&nominal)}
                error={(!nominal.is_empty() && nominal_ok.is_none()).then(|| ctx.t("bad_money").to_owned())} />
            <Field id="batch-qty" label={ctx.t("quantity")} kind="number" value={(*qty).clone()} oninput={setter(&qty)} />
            <Field id="batch-expires" label={ctx.t("expires")} kind="date" value={(*expires).clone()} oninput={setter(&expires)} />
            <button type="submit" class="primary" data-testid="batch-issue">{ ctx.t("issue") }</button>
            if let Some(b) = &*issued {
                <p data-testid="batch-codes">{ format!("{}: {}", b.name, b.codes.join(", ")) }</p>
            }
            <ErrorBanner error={(*error).clone()} />
        </form>
    }
}

/// Props of [`Lookup`].
#[derive(Properties, PartialEq)]
pub struct LookupProps {
    /// A certificate was blocked or unblocked.
    pub on_changed: Callback<()>,
}

/// One certificate by its code: status, balance, history, and blocking it (with a reason).
#[function_component(Lookup)]
fn lookup(p: &LookupProps) -> Html {
    let ctx = use_ctx();
    let code = use_state(String::new);
    let reason = use_state(String::new);
    let found = use_state(|| None::<Certificate>);
    let error = use_state(|| None::<ApiError>);
    let find = {
        let (code, found, error) = (code.clone(), found.clone(), error.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let c = code.trim().to_owned();
            let (found, error) = (found.clone(), error.clone());
            spawn(async move {
                match api::get::<Certificate>(&format!("/certificates/{}", api::enc(&c))).await {
                    Ok(v) => {
                        found.set(Some(v));
                        error.set(None);
                    }
                    Err(e) => {
                        found.set(None);
                        error.set(Some(e));
                    }
                }
            });
        })
    };
    let block = |what: &'static str| {
        let (found, reason, error) = (found.clone(), reason.clone(), error.clone());
        let on_changed = p.on_changed.clone();
        Callback::from(move |_| {
            let Some(c) = (*found).clone() else { return };
            let body = json!({"reason": reason.trim()});
            let (found, error, on_changed) = (found.clone(), error.clone(), on_changed.clone());
            spawn(async move {
                let path = format!("/certificates/{}/{what}", api::enc(&c.code));
                match api::post::<_, Certificate>(&path, &body).await {
                    Ok(v) => {
                        found.set(Some(v));
                        error.set(None);
                        on_changed.emit(());
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let rub = |m: i64| Money::rub(m).format(ctx.lang);
    html! {
        <form onsubmit={find} novalidate=true>
            <h2>{ ctx.t("lookup") }</h2>
            <Field id="cert-code" label={ctx.t("cert_code")} value={(*code).clone()} oninput={setter(&code)} />
            <button type="submit">{ ctx.t("find") }</button>
            if let Some(c) = &*found {
                <dl data-testid="cert-found">
                    <dt>{ ctx.t("status") }</dt><dd>{ &c.status }</dd>
                    <dt>{ ctx.t("nominal") }</dt><dd>{ rub(c.nominal_minor) }</dd>
                    <dt>{ ctx.t("balance") }</dt><dd>{ rub(c.balance_minor) }</dd>
                    <dt>{ ctx.t("expires") }</dt><dd>{ shared_model::display::date_str(&c.expires_on, ctx.lang) }</dd>
                </dl>
                <h3>{ ctx.t("history") }</h3>
                <ul>{ for c.ledger.iter().map(|l| html! { <li>{ format!("{} · {} · {}",
                    crate::types::cell(l.get("at")), crate::types::cell(l.get("kind")), crate::types::cell(l.get("amount_minor"))) }</li> }) }</ul>
                <Field id="cert-reason" label={ctx.t("reason")} value={(*reason).clone()} oninput={setter(&reason)} />
                if c.status == "blocked" {
                    <button type="button" onclick={block("unblock")}>{ ctx.t("unblock") }</button>
                } else {
                    <button type="button" class="danger" onclick={block("block")}>{ ctx.t("block") }</button>
                }
            }
            <ErrorBanner error={(*error).clone()} />
        </form>
    }
}
