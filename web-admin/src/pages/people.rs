//! People and places: users with their role, locations, till PIN and discount limit;
//! stores and warehouses.

use serde_json::json;
use uuid::Uuid;
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::ctx::role_key;
use crate::types::{Location, Page, User};
use crate::widgets::{
    event_checked, setter, spawn, use_ctx, use_fetch, ErrorBanner, Field, Select,
};

const ROLES: [&str; 5] = [
    "admin",
    "manager",
    "cashier",
    "salesperson",
    "warehouse_worker",
];

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

/// Props of [`UserEditor`].
#[derive(Properties, PartialEq)]
pub struct UserEditorProps {
    /// The user, or `None` for a new one.
    pub user: Option<User>,
    /// Saved or closed.
    pub on_done: Callback<()>,
}

/// Creating or changing a user.
#[function_component(UserEditor)]
pub fn user_editor(p: &UserEditorProps) -> Html {
    let ctx = use_ctx();
    let u = p.user.clone();
    let login = use_state(|| u.as_ref().map(|u| u.login.clone()).unwrap_or_default());
    let full_name = use_state(|| u.as_ref().map(|u| u.full_name.clone()).unwrap_or_default());
    let role = use_state(|| {
        u.as_ref()
            .map(|u| u.role.clone())
            .unwrap_or_else(|| "cashier".into())
    });
    let password = use_state(String::new);
    let pin = use_state(String::new);
    let limit = use_state(|| {
        u.as_ref()
            .map(|u| u.discount_limit.clone())
            .unwrap_or_default()
    });
    let locations = use_state(|| u.as_ref().map(|u| u.locations.clone()).unwrap_or_default());
    let vatin = use_state(|| u.as_ref().and_then(|u| u.vatin.clone()).unwrap_or_default());
    // The same check digits the server verifies.
    let vatin_err = (!vatin.trim().is_empty()
        && shared_model::customer::person_vatin(&vatin).is_err())
    .then(|| ctx.t("bad_vatin").to_owned());
    let active = use_state(|| u.as_ref().is_none_or(|u| u.active));
    let error = use_state(|| None::<ApiError>);
    let tried = use_state(|| false);
    let is_new = p.user.is_none();
    // The same rule the server applies: 6 digits for roles that discount, refund or configure.
    let pin_role = shared_model::Role::parse(&role).unwrap_or(shared_model::Role::Cashier);
    let pin_ok = pin.is_empty() || pin_role.check_pin(&pin).is_ok();
    let pin_err = (!pin_ok).then(|| {
        ctx.t(if pin_role.min_pin_len() > 4 {
            "bad_pin_6"
        } else {
            "bad_pin"
        })
        .to_owned()
    });
    let pw_err = ((*tried && is_new && password.is_empty())
        || (!password.is_empty() && password.chars().count() < 10))
        .then(|| ctx.t("bad_password").to_owned());
    let login_err = (*tried && login.trim().is_empty()).then(|| ctx.t("required").to_owned());
    let save = {
        let (login, full_name, role, password, pin, limit, locations, active, error, tried) = (
            login.clone(),
            full_name.clone(),
            role.clone(),
            password.clone(),
            pin.clone(),
            limit.clone(),
            locations.clone(),
            active.clone(),
            error.clone(),
            tried.clone(),
        );
        let (on_done, id, ok) = (
            p.on_done.clone(),
            p.user.as_ref().map(|u| u.id),
            pin_err.is_none() && vatin_err.is_none(),
        );
        let vatin = vatin.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            tried.set(true);
            let pw_ok = if id.is_none() {
                password.chars().count() >= 10
            } else {
                password.is_empty() || password.chars().count() >= 10
            };
            if !ok || !pw_ok || login.trim().is_empty() {
                return;
            }
            let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
            let body = match id {
                None => {
                    json!({"login": login.trim(), "full_name": full_name.trim(), "role": *role, "password": *password,
                    "pin": opt(&pin), "discount_limit": opt(&limit), "locations": *locations, "vatin": opt(&vatin)})
                }
                Some(_) => {
                    json!({"full_name": full_name.trim(), "role": *role, "active": *active, "password": opt(&password),
                    "pin": opt(&pin), "discount_limit": opt(&limit), "locations": *locations, "vatin": vatin.trim()})
                }
            };
            let (error, on_done) = (error.clone(), on_done.clone());
            spawn(async move {
                let r = match id {
                    None => api::post::<_, User>("/users", &body).await,
                    Some(id) => api::patch::<_, User>(&format!("/users/{id}"), &body).await,
                };
                match r {
                    Ok(_) => on_done.emit(()),
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let roles = ROLES
        .iter()
        .filter_map(|r| shared_model::Role::parse(r).ok())
        .map(|r| (r.code().to_owned(), ctx.t(role_key(r)).to_owned()))
        .collect::<Vec<_>>();
    let toggle = |id: Uuid| {
        let l = locations.clone();
        Callback::from(move |e: Event| {
            let mut v = (*l).clone();
            v.retain(|x| *x != id);
            if event_checked(&e) {
                v.push(id);
            }
            l.set(v);
        })
    };
    html! {
           <form class="panel" onsubmit={save} novalidate=true data-testid="user-editor">
               <h2>{ ctx.t(if is_new { "new_user" } else { "edit_user" }) }</h2>
               <div class="grid">
                   if is_new {
                       <Field id="user-login" label={ctx.t("login_name")} value={(*login).clone()} oninput={setter(&login)} error={login_err} required=true />
                   }
                   <Field id="user-name" label={ctx.t("full_name")} value={(*full_name).clone()} oninput={setter(&full_name)} />
                   <Select id="user-role" label={ctx.t("role")} value={(*role).clone()} options={roles} onchange={setter(&role)} />
                   <Field id="user-password" label={ctx.t(if is_new { "password" } else { "new_password" })} kind="password" value={(*password).clone()} oninput={setter(&password)} error={pw_err} />
    <Field id="user-vatin" label={ctx.t("vatin")} value={(*vatin).clone()} oninput={setter(&vatin)} error={vatin_err} placeholder="12" />
                   <Field id="user-pin" label={ctx.t("pin")} kind="password" value={(*pin).clone()} oninput={setter(&pin)} error={pin_err} placeholder={if pin_role.min_pin_len() > 4 { "6–8" } else { "4–8" }} />
                   <Field id="user-limit" label={ctx.t("discount_limit")} value={(*limit).clone()} oninput={setter(&limit)} placeholder="%" />
               </div>
               <fieldset><legend>{ ctx.t("locations") }</legend>
               { for ctx.locations.iter().map(|l| html! {
                   <label class="check"><input type="checkbox" checked={locations.contains(&l.id)} onchange={toggle(l.id)} data-testid={format!("user-loc-{}", l.code)} />{ format!("{} · {}", l.code, l.name) }</label>
               }) }
               </fieldset>
               if !is_new {
                   <label class="check"><input type="checkbox" checked={*active} onchange={{ let a = active.clone(); Callback::from(move |e: Event| a.set(event_checked(&e))) }} />{ ctx.t("active") }</label>
               }
               <ErrorBanner error={(*error).clone()} />
               <div class="actions">
                   <button type="submit" class="primary" data-testid="user-save">{ ctx.t("save") }</button>
                   <button type="button" onclick={p.on_done.reform(|_: MouseEvent| ())}>{ ctx.t("close") }</button>
               </div>
           </form>
       }
}

/// Stores and warehouses.
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

#[function_component(Locations)]
pub fn locations() -> Html {
    let ctx = use_ctx();
    let code = use_state(String::new);
    let name = use_state(String::new);
    let kind = use_state(|| "store".to_owned());
    let address = use_state(String::new);
    let tz = use_state(|| "Europe/Moscow".to_owned());
    let fiscal = use_state(|| "register".to_owned());
    let taxation = use_state(|| "osn".to_owned());
    let error = use_state(|| None::<ApiError>);
    let reload = use_state(|| 0u32);
    let tried = use_state(|| false);
    let (fetched, load_error) =
        use_fetch::<Page<Location>>("/locations?per_page=200".into(), *reload);
    let list = fetched.map(|p| p.items).unwrap_or_default();
    let create = {
        let (code, name, kind, address, tz, error, reload, tried) = (
            code.clone(),
            name.clone(),
            kind.clone(),
            address.clone(),
            tz.clone(),
            error.clone(),
            reload.clone(),
            tried.clone(),
        );
        let (fiscal, taxation) = (fiscal.clone(), taxation.clone());
        let reload_locations = ctx.reload_locations.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            tried.set(true);
            if code.trim().is_empty() || name.trim().is_empty() {
                return;
            }
            let addr = (!address.trim().is_empty()).then(|| address.trim().to_owned());
            let body = json!({"code": code.trim(), "name": name.trim(), "kind": *kind, "address": addr, "timezone": tz.trim(),
                              "non_fiscal": *fiscal == "non_fiscal", "taxation": *taxation});
            let (code, name, error, reload, tried, reload_locations) = (
                code.clone(),
                name.clone(),
                error.clone(),
                reload.clone(),
                tried.clone(),
                reload_locations.clone(),
            );
            spawn(async move {
                match api::post::<_, Location>("/locations", &body).await {
                    Ok(_) => {
                        code.set(String::new());
                        name.set(String::new());
                        tried.set(false);
                        error.set(None);
                        reload.set(*reload + 1);
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
    let taxations: Vec<(String, String)> = shared_model::fiscal::Taxation::ALL
        .iter()
        .map(|t| (t.code().to_owned(), ctx.t(tax_key(t.code())).to_owned()))
        .collect();
    let tax_name = |code: &str| ctx.t(tax_key(code)).to_owned();
    html! {
        <section>
            <h1>{ ctx.t("nav_locations") }</h1>
            if is_admin {
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
                            options={taxations.clone()} onchange={setter(&taxation)} />
                    </div>
                    <button type="submit" class="primary" data-testid="location-create">{ ctx.t("add") }</button>
                </form>
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
