//! The audit log: who changed what and when, filtered by what was changed.

use yew::prelude::*;

use crate::api;
use crate::types::{AuditEntry, Page, User};
use crate::widgets::{
    moment, setter, spawn, use_ctx, use_fetch, ErrorBanner, Field, Pager, Select,
};

/// The audit page.
#[function_component(Audit)]
pub fn audit() -> Html {
    let ctx = use_ctx();
    let entity = use_state(String::new);
    let entity_id = use_state(String::new);
    let user = use_state(String::new);
    let users = use_state(Vec::<User>::new);
    {
        let users = users.clone();
        use_effect_with((), move |_| {
            spawn(async move {
                if let Ok(p) = api::get::<Page<User>>("/users?per_page=200").await {
                    users.set(p.items);
                }
            });
        });
    }
    let page = use_state(|| 1u32);
    let path = format!(
        "/audit{}",
        api::query(&[
            ("entity", entity.trim().to_owned()),
            ("entity_id", entity_id.trim().to_owned()),
            ("user_id", (*user).clone()),
            ("page", page.to_string()),
            ("per_page", "50".into()),
        ])
    );
    let (list, error) = use_fetch::<Page<AuditEntry>>(path, 0);
    let onpage = {
        let p = page.clone();
        Callback::from(move |n| p.set(n))
    };
    html! {
        <section>
            <h1>{ ctx.t("nav_audit") }</h1>
            <div class="toolbar">
                <Field id="audit-entity" label={ctx.t("entity")} value={(*entity).clone()} oninput={setter(&entity)} placeholder="product" />
                <Field id="audit-entity-id" label={ctx.t("entity_id")} value={(*entity_id).clone()} oninput={setter(&entity_id)} />
                <Select id="audit-user" label={ctx.t("user")} value={(*user).clone()} onchange={setter(&user)}
                    options={std::iter::once((String::new(), ctx.t("all").to_owned()))
                        .chain(users.iter().map(|u| (u.id.to_string(), u.login.clone()))).collect::<Vec<_>>()} />
            </div>
            <ErrorBanner error={error} />
            if let Some(l) = &list {
                <table data-testid="audit">
                    <thead><tr><th scope="col">{ ctx.t("when") }</th><th scope="col">{ ctx.t("user") }</th><th scope="col">{ ctx.t("action") }</th>
                        <th scope="col">{ ctx.t("entity") }</th><th scope="col">{ ctx.t("entity_id") }</th><th scope="col">{ "IP" }</th></tr></thead>
                    <tbody>{ for l.items.iter().map(|a| html! { <tr>
                        <td>{ moment(&a.at, ctx.lang) }</td>
                        <td>{ a.user_id.map(|id| users.iter().find(|u| u.id == id).map(|u| u.login.clone()).unwrap_or_else(|| id.to_string())).unwrap_or_default() }</td>
                        <td>{ &a.action }</td><td>{ &a.entity }</td><td>{ a.entity_id.clone().unwrap_or_default() }</td>
                        <td>{ a.ip.clone().unwrap_or_default() }</td></tr> }) }</tbody>
                </table>
                <Pager page={l.page} per_page={l.per_page} total={l.total} {onpage} />
            }
        </section>
    }
}
