//! Customers: search by name, phone or card; add one.

use serde_json::json;
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::types::{Customer, Page};
use crate::widgets::{setter, spawn, use_ctx, use_fetch, ErrorBanner, Field, Pager};

/// The customers page.
#[function_component(Customers)]
pub fn customers() -> Html {
    let ctx = use_ctx();
    let q = use_state(String::new);
    let page = use_state(|| 1u32);
    let error = use_state(|| None::<ApiError>);
    let reload = use_state(|| 0u32);
    let name = use_state(String::new);
    let phone = use_state(String::new);
    let card = use_state(String::new);
    let group = use_state(String::new);
    let path = format!(
        "/customers{}",
        api::query(&[
            ("q", q.trim().to_owned()),
            ("page", page.to_string()),
            ("per_page", "25".into()),
        ])
    );
    let (list, load_error) = use_fetch::<Page<Customer>>(path, *reload);
    let add = {
        let (name, phone, card, group, error, reload) = (
            name.clone(),
            phone.clone(),
            card.clone(),
            group.clone(),
            error.clone(),
            reload.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
            let body = json!({"name": opt(&name), "phone": opt(&phone), "card_no": opt(&card), "group_code": opt(&group)});
            let (name, phone, card, error, reload) = (
                name.clone(),
                phone.clone(),
                card.clone(),
                error.clone(),
                reload.clone(),
            );
            spawn(async move {
                match api::post::<_, Customer>("/customers", &body).await {
                    Ok(_) => {
                        name.set(String::new());
                        phone.set(String::new());
                        card.set(String::new());
                        error.set(None);
                        reload.set(*reload + 1);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let onpage = {
        let p = page.clone();
        Callback::from(move |n| p.set(n))
    };
    html! {
        <section>
            <h1>{ ctx.t("nav_customers") }</h1>
            <form class="panel inline" onsubmit={add} novalidate=true>
                <Field id="customer-name" label={ctx.t("name")} value={(*name).clone()} oninput={setter(&name)} />
                <Field id="customer-phone" label={ctx.t("phone")} kind="tel" value={(*phone).clone()} oninput={setter(&phone)} />
                <Field id="customer-card" label={ctx.t("card_no")} value={(*card).clone()} oninput={setter(&card)} />
                <Field id="customer-group" label={ctx.t("group")} value={(*group).clone()} oninput={setter(&group)} />
                <button type="submit" class="primary">{ ctx.t("add") }</button>
            </form>
            <ErrorBanner error={(*error).clone().or(load_error)} />
            <Field id="customer-search" label={ctx.t("search")} value={(*q).clone()}
                oninput={{ let (q, p) = (q.clone(), page.clone()); Callback::from(move |v| { q.set(v); p.set(1); }) }} />
            if let Some(l) = &list {
                <table data-testid="customers">
                    <thead><tr><th scope="col">{ ctx.t("name") }</th><th scope="col">{ ctx.t("phone") }</th><th scope="col">{ ctx.t("card_no") }</th>
                        <th scope="col">{ ctx.t("group") }</th></tr></thead>
                    <tbody>{ for l.items.iter().map(|c| html! { <tr><td>{ &c.name }</td><td>{ c.phone.clone().unwrap_or_default() }</td>
                        <td>{ c.card_no.clone().unwrap_or_default() }</td><td>{ c.group_code.clone().unwrap_or_default() }</td></tr> }) }</tbody>
                </table>
                <Pager page={l.page} per_page={l.per_page} total={l.total} {onpage} />
            }
        </section>
    }
}
