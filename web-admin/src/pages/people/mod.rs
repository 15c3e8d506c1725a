//! People and places: users with their role, locations, till PIN and discount limit
//! (the editor: `user`); stores and warehouses (`locations`).

mod locations;
mod user;

pub use locations::Locations;
use user::UserEditor;
use yew::prelude::*;

use crate::api::ApiError;
use crate::ctx::role_key;
use crate::types::{Page, User};
use crate::widgets::{use_ctx, use_fetch, ErrorBanner};

/// Users and roles.
#[function_component(People)]
pub fn people() -> Html {
    let ctx = use_ctx();
    let editing = use_state(|| None::<Option<User>>);
    let error = use_state(|| None::<ApiError>);
    let reload = use_state(|| 0u32);
    let (fetched, load_error) = use_fetch::<Page<User>>("/users?per_page=200".into(), *reload);
    let list = fetched.map(|p| p.items).unwrap_or_default();
    let role_name = |r: &str| {
        shared_model::Role::parse(r)
            .map(|r| ctx.t(role_key(r)))
            .unwrap_or("?")
    };
    html! {
        <section>
            <h1>{ ctx.t("nav_people") }</h1>
            <button class="primary" onclick={{ let e = editing.clone(); Callback::from(move |_| e.set(Some(None))) }} data-testid="user-new">{ ctx.t("new_user") }</button>
            <ErrorBanner error={(*error).clone().or(load_error)} />
            if let Some(u) = &*editing {
                <UserEditor key={u.as_ref().map(|u| u.id.to_string()).unwrap_or_default()} user={u.clone()}
                    on_done={{ let (e, r) = (editing.clone(), reload.clone()); Callback::from(move |_| { e.set(None); r.set(*r + 1); }) }} />
            }
            <table data-testid="users">
                <thead><tr><th scope="col">{ ctx.t("login_name") }</th><th scope="col">{ ctx.t("full_name") }</th><th scope="col">{ ctx.t("role") }</th>
                    <th scope="col">{ ctx.t("locations") }</th><th scope="col">{ ctx.t("pin") }</th><th scope="col" class="num">{ ctx.t("discount_limit") }</th>
                    <th scope="col">{ ctx.t("status") }</th><th></th></tr></thead>
                <tbody>{ for list.iter().map(|u| {
                    let edit = { let (e, u) = (editing.clone(), u.clone()); Callback::from(move |_| e.set(Some(Some(u.clone())))) };
                    html! { <tr>
                        <td>{ &u.login }</td><td>{ &u.full_name }</td><td>{ role_name(&u.role) }</td>
                        <td>{ u.locations.iter().map(|l| ctx.location_name(*l)).collect::<Vec<_>>().join(", ") }</td>
                        <td>{ if u.has_pin { "✓" } else { "" } }</td><td class="num">{ format!("{}%", u.discount_limit) }</td>
                        <td>{ ctx.t(if u.active { "active" } else { "inactive" }) }</td>
                        <td><button onclick={edit}>{ ctx.t("edit") }</button></td>
                    </tr> }
                }) }</tbody>
            </table>
        </section>
    }
}
