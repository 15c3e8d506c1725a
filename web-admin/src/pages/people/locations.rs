//! Stores and warehouses: the list (with a store's fiscal mode, switched by an admin) and
//! a new location.

use serde_json::json;
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::types::{Location, Page};
use crate::widgets::{setter, spawn, use_ctx, use_fetch, ErrorBanner, Field, Select};

/// The words for a taxation system's code.
fn tax_key(code: &str) -> &'static str {
    match code {
        "usn_income" => "tax_usn_income",
        "usn_income_outcome" => "tax_usn_income_outcome",
        "patent" => "tax_patent",
        "esn" => "tax_esn",
        _ => "tax_osn",
    }
}

/// Stores and warehouses.
#[function_component(Locations)]
pub fn locations() -> Html {
    let ctx = use_ctx();
    let error = use_state(|| None::<ApiError>);
    let reload = use_state(|| 0u32);
    let (fetched, load_error) =
        use_fetch::<Page<Location>>("/locations?per_page=200".into(), *reload);
    let list = fetched.map(|p| p.items).unwrap_or_default();
    let is_admin = ctx.me.role == shared_model::Role::Admin;
    // Head office says whether a store's tills may sell without a fiscal register.
    let toggle_fiscal = |l: &Location| {
        let (id, to) = (l.id, !l.non_fiscal);
        let (error, reload) = (error.clone(), reload.clone());
        Callback::from(move |_| {
            let (error, reload) = (error.clone(), reload.clone());
            spawn(async move {
                let body = json!({"non_fiscal": to});
                match api::patch::<_, Location>(&format!("/locations/{id}"), &body).await {
                    Ok(_) => reload.set(*reload + 1),
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let tax_name = |code: &str| ctx.t(tax_key(code)).to_owned();
    let created = {
        let reload = reload.clone();
        Callback::from(move |_| reload.set(*reload + 1))
    };
    html! {
        <section>
            <h1>{ ctx.t("nav_locations") }</h1>
            if is_admin {
                <NewLocation on_created={created} />
            }
            <ErrorBanner error={(*error).clone().or(load_error)} />
            <table data-testid="locations">
                <thead><tr><th scope="col">{ ctx.t("code") }</th><th scope="col">{ ctx.t("name") }</th><th scope="col">{ ctx.t("kind") }</th>
                    <th scope="col">{ ctx.t("address") }</th><th scope="col">{ ctx.t("timezone") }</th><th scope="col">{ ctx.t("fiscal_mode") }</th>
                    <th scope="col">{ ctx.t("taxation") }</th><th scope="col">{ ctx.t("status") }</th></tr></thead>
                <tbody>{ for list.iter().map(|l| html! { <tr>
                    <td>{ &l.code }</td><td>{ &l.name }</td><td>{ ctx.t(if l.kind == "store" { "store" } else { "warehouse" }) }</td>
                    <td>{ l.address.clone().unwrap_or_default() }</td><td>{ &l.timezone }</td>
                    <td data-testid={format!("fiscal-mode-{}", l.code)}>
                        if l.kind == "store" {
                            { ctx.t(if l.non_fiscal { "fiscal_none" } else { "fiscal_register" }) }
                            if is_admin {
                                { " " }<button class="link" onclick={toggle_fiscal(l)} data-testid={format!("fiscal-toggle-{}", l.code)}>
                                    { ctx.t(if l.non_fiscal { "make_fiscal" } else { "make_non_fiscal" }) }</button>
                            }
                        }
                    </td>
                    <td>{ if l.kind == "store" { tax_name(&l.taxation) } else { String::new() } }</td>
                    <td>{ ctx.t(if l.active { "active" } else { "inactive" }) }</td></tr> }) }</tbody>
            </table>
        </section>
    }
}

/// Props of [`NewLocation`].
#[derive(Properties, PartialEq)]
pub struct NewLocationProps {
    /// A location was created.
    pub on_created: Callback<()>,
}

/// A new store or warehouse: code, name, kind, address, time zone, fiscal mode, taxation.
#[function_component(NewLocation)]
fn new_location(p: &NewLocationProps) -> Html {
    let ctx = use_ctx();
    let code = use_state(String::new);
    let name = use_state(String::new);
    let kind = use_state(|| "store".to_owned());
    let address = use_state(String::new);
    let tz = use_state(|| "Europe/Moscow".to_owned());
    let fiscal = use_state(|| "register".to_owned());
    let taxation = use_state(|| "osn".to_owned());
    let error = use_state(|| None::<ApiError>);
    let tried = use_state(|| false);
    let create = {
        let (code, name, kind, address, tz) = (
            code.clone(),
            name.clone(),
            kind.clone(),
            address.clone(),
            tz.clone(),
        );
        let (fiscal, taxation, error, tried) = (
            fiscal.clone(),
            taxation.clone(),
            error.clone(),
            tried.clone(),
        );
        let (on_created, reload_locations) = (p.on_created.clone(), ctx.reload_locations.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            tried.set(true);
            if code.trim().is_empty() || name.trim().is_empty() {
                return;
            }
            let addr = (!address.trim().is_empty()).then(|| address.trim().to_owned());
            let body = json!({"code": code.trim(), "name": name.trim(), "kind": *kind, "address": addr, "timezone": tz.trim(),
                              "non_fiscal": *fiscal == "non_fiscal", "taxation": *taxation});
            let (code, name, error, tried) =
                (code.clone(), name.clone(), error.clone(), tried.clone());
            let (on_created, reload_locations) = (on_created.clone(), reload_locations.clone());
            spawn(async move {
                match api::post::<_, Location>("/locations", &body).await {
                    Ok(_) => {
                        code.set(String::new());
                        name.set(String::new());
                        tried.set(false);
                        error.set(None);
                        on_created.emit(());
                        // The rest of the admin picks locations from the shell's list.
                        reload_locations.emit(());
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let req = |s: &UseStateHandle<String>| {
        (*tried && s.trim().is_empty()).then(|| ctx.t("required").to_owned())
    };
    let taxations: Vec<(String, String)> = shared_model::fiscal::Taxation::ALL
        .iter()
        .map(|t| (t.code().to_owned(), ctx.t(tax_key(t.code())).to_owned()))
        .collect();
    html! {
        <form class="panel" onsubmit={create} novalidate=true>
            <h2>{ ctx.t("new_location") }</h2>
            <div class="grid">
                <Field id="location-code" label={ctx.t("code")} value={(*code).clone()} oninput={setter(&code)} error={req(&code)} required=true placeholder="MSK-01" />
                <Field id="location-name" label={ctx.t("name")} value={(*name).clone()} oninput={setter(&name)} error={req(&name)} required=true />
                <Select id="location-kind" label={ctx.t("kind")} value={(*kind).clone()}
                    options={vec![("store".into(), ctx.t("store").into()), ("warehouse".into(), ctx.t("warehouse").into())]} onchange={setter(&kind)} />
                <Field id="location-address" label={ctx.t("address")} value={(*address).clone()} oninput={setter(&address)} />
                <Field id="location-tz" label={ctx.t("timezone")} value={(*tz).clone()} oninput={setter(&tz)} />
                <Select id="location-fiscal" label={ctx.t("fiscal_mode")} value={(*fiscal).clone()}
                    options={vec![("register".into(), ctx.t("fiscal_register").into()), ("non_fiscal".into(), ctx.t("fiscal_none").into())]} onchange={setter(&fiscal)} />
                <Select id="location-taxation" label={ctx.t("taxation")} value={(*taxation).clone()}
                    options={taxations} onchange={setter(&taxation)} />
            </div>
            <button type="submit" class="primary" data-testid="location-create">{ ctx.t("add") }</button>
            <ErrorBanner error={(*error).clone()} />
        </form>
    }
}
