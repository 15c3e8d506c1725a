//! Tills: add one to a store and read its enrollment code (shown once, with a QR code the
//! installer can scan), see when each last synced and what it still holds, issue a new
//! code, disable a lost one.

use qrcode::render::svg;
use qrcode::QrCode;
use serde_json::json;
use shared_model::Locale;
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::ctx::Ctx;
use crate::types::{Page, Terminal, TerminalWithCode};
use crate::widgets::{
    location_options, moment, setter, spawn, use_ctx, use_fetch, ErrorBanner, Field, Select,
};

/// The code as an SVG QR code.
pub fn qr_svg(code: &str) -> Option<String> {
    QrCode::new(code.as_bytes())
        .ok()
        .map(|q| q.render::<svg::Color>().min_dimensions(160, 160).build())
}

fn when(t: &Option<String>, lang: Locale) -> String {
    t.as_deref()
        .map(|s| moment(s, lang))
        .unwrap_or_else(|| "—".into())
}

/// The devices page.
#[function_component(Devices)]
pub fn devices() -> Html {
    let ctx = use_ctx();
    let store = use_state(String::new);
    let name = use_state(String::new);
    let code = use_state(|| None::<(String, String)>);
    let error = use_state(|| None::<ApiError>);
    let reload = use_state(|| 0u32);
    let tried = use_state(|| false);
    let (fetched, load_error) =
        use_fetch::<Page<Terminal>>("/terminals?per_page=200".into(), *reload);
    let list = fetched.map(|p| p.items).unwrap_or_default();
    let name_err = (*tried && name.trim().is_empty()).then(|| ctx.t("required").to_owned());
    let store_err = (*tried && store.is_empty()).then(|| ctx.t("required").to_owned());
    let create = {
        let (store, name, code, error, reload, tried) = (
            store.clone(),
            name.clone(),
            code.clone(),
            error.clone(),
            reload.clone(),
            tried.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            tried.set(true);
            if store.is_empty() || name.trim().is_empty() {
                return;
            }
            let body = json!({"location_id": *store, "name": name.trim()});
            let (name, code, error, reload, tried) = (
                name.clone(),
                code.clone(),
                error.clone(),
                reload.clone(),
                tried.clone(),
            );
            spawn(async move {
                match api::post::<_, TerminalWithCode>("/terminals", &body).await {
                    Ok(t) => {
                        code.set(Some((t.terminal.name, t.enrollment_code)));
                        name.set(String::new());
                        tried.set(false);
                        error.set(None);
                        reload.set(*reload + 1);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let act = |t: &Terminal, what: &'static str| {
        let (id, tname, code, error, reload) = (
            t.id,
            t.name.clone(),
            code.clone(),
            error.clone(),
            reload.clone(),
        );
        Callback::from(move |_| {
            let (tname, code, error, reload) =
                (tname.clone(), code.clone(), error.clone(), reload.clone());
            spawn(async move {
                let path = format!("/terminals/{id}/{what}");
                let r = if what == "enrollment-code" {
                    api::post::<_, TerminalWithCode>(&path, &json!({}))
                        .await
                        .map(|t| code.set(Some((tname, t.enrollment_code))))
                } else {
                    api::post::<_, serde_json::Value>(&path, &json!({}))
                        .await
                        .map(|_| ())
                };
                match r {
                    Ok(()) => reload.set(*reload + 1),
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    html! {
        <section>
            <h1>{ ctx.t("nav_devices") }</h1>
            <form class="panel inline" onsubmit={create} novalidate=true>
                <Select id="terminal-store" label={ctx.t("store")} value={(*store).clone()} options={location_options(&ctx, Some("choose_store"), true)} onchange={setter(&store)} />
                if let Some(e) = store_err { <span class="error">{ e }</span> }
                <Field id="terminal-name" label={ctx.t("till_name")} value={(*name).clone()} oninput={setter(&name)} error={name_err} required=true placeholder={ctx.t("till_hint")} />
                <button type="submit" class="primary" data-testid="terminal-create">{ ctx.t("add_till") }</button>
            </form>
            <ErrorBanner error={(*error).clone().or(load_error)} />
            { enrollment(&ctx, &code) }
            <crate::pages::quarantine::HeldReceipts />
            <table data-testid="terminals">
                <thead><tr><th scope="col">{ ctx.t("till_name") }</th><th scope="col">{ ctx.t("store") }</th><th scope="col">{ ctx.t("status") }</th>
                    <th scope="col">{ ctx.t("last_push") }</th><th scope="col">{ ctx.t("last_pull") }</th><th scope="col" class="num">{ ctx.t("events_waiting") }</th><th></th></tr></thead>
                <tbody>{ for list.iter().map(|t| row(&ctx, t, &act)) }</tbody>
            </table>
        </section>
    }
}

/// A new enrollment code for one till, shown once (with its QR code) until dismissed.
fn enrollment(ctx: &Ctx, code: &UseStateHandle<Option<(String, String)>>) -> Html {
    let Some((tname, c)) = &**code else {
        return html! {};
    };
    let done = {
        let code = code.clone();
        Callback::from(move |_| code.set(None))
    };
    html! {
        <div class="panel code" role="status" data-testid="enrollment">
            <h2>{ format!("{}: {}", ctx.t("enrollment_code"), tname) }</h2>
            <p class="big" data-testid="enrollment-code">{ c.clone() }</p>
            if let Some(s) = qr_svg(c) {
                <div class="qr" data-testid="enrollment-qr">{ Html::from_html_unchecked(AttrValue::from(s)) }</div>
            }
            <p class="muted">{ ctx.t("code_once") }</p>
            <button onclick={done}>{ ctx.t("done") }</button>
        </div>
    }
}

/// One till's row: its store, status, last syncs, what it still holds; a new code or
/// disabling it (`act` makes either call).
fn row(
    ctx: &Ctx,
    t: &Terminal,
    act: &impl Fn(&Terminal, &'static str) -> Callback<MouseEvent>,
) -> Html {
    let status = match t.status.as_str() {
        "active" => "status_active",
        "disabled" => "status_disabled",
        _ => "status_pending",
    };
    html! {
        <tr data-testid={format!("terminal-{}", t.name)}>
            <td>{ &t.name }</td><td>{ ctx.location_name(t.location_id) }</td>
            <td>{ ctx.t(status) }</td>
            <td>{ when(&t.last_push_at, ctx.lang) }</td><td>{ when(&t.last_pull_at, ctx.lang) }</td>
            <td class="num">{ t.events_waiting.map(|n| n.to_string()).unwrap_or_default() }</td>
            <td>
                if t.status != "disabled" {
                    <button onclick={act(t, "enrollment-code")}>{ ctx.t("new_code") }</button>
                    <button class="danger" onclick={act(t, "disable")}>{ ctx.t("disable") }</button>
                }
            </td>
        </tr>
    }
}
