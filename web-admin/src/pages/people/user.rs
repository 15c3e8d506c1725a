//! Creating or changing a user: the form as typed, checked by the server's own rules
//! (PIN length by role, password length, VATIN check digits), and what is sent.

use serde_json::{json, Value};
use shared_model::Role;
use uuid::Uuid;
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::ctx::role_key;
use crate::types::User;
use crate::widgets::{edit_with, event_checked, spawn, use_ctx, ErrorBanner, Field, Select};

/// The roles offered, in this order.
const ROLES: [Role; 5] = [
    Role::Admin,
    Role::Manager,
    Role::Cashier,
    Role::Salesperson,
    Role::WarehouseWorker,
];

/// A password's least length (the server's rule).
const PASSWORD_MIN: usize = 10;

/// The editor's fields, as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct UserForm {
    pub login: String,
    pub full_name: String,
    /// Role code.
    pub role: String,
    /// A new password (empty: unchanged, for a user who exists).
    pub password: String,
    /// A new till PIN (empty: unchanged or none).
    pub pin: String,
    /// Manual discount limit, percent (empty: the role's default).
    pub limit: String,
    pub locations: Vec<Uuid>,
    pub vatin: String,
    pub active: bool,
}

/// What is wrong with the form, field by field: the word to show (an i18n key).
#[derive(Debug, Default, PartialEq)]
pub struct Problems {
    pub login: Option<&'static str>,
    pub password: Option<&'static str>,
    pub pin: Option<&'static str>,
    pub vatin: Option<&'static str>,
}

impl UserForm {
    /// The fields of `user`, or a new cashier's.
    pub fn of(user: Option<&User>) -> Self {
        Self {
            login: user.map(|u| u.login.clone()).unwrap_or_default(),
            full_name: user.map(|u| u.full_name.clone()).unwrap_or_default(),
            role: user.map_or_else(|| "cashier".into(), |u| u.role.clone()),
            password: String::new(),
            pin: String::new(),
            limit: user.map(|u| u.discount_limit.clone()).unwrap_or_default(),
            locations: user.map(|u| u.locations.clone()).unwrap_or_default(),
            vatin: user.and_then(|u| u.vatin.clone()).unwrap_or_default(),
            active: user.is_none_or(|u| u.active),
        }
    }

    /// The role the PIN is checked for (an unknown code as the least demanding one).
    pub fn pin_role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Cashier)
    }

    fn password_ok(&self, is_new: bool) -> bool {
        let n = self.password.chars().count();
        n >= PASSWORD_MIN || (!is_new && n == 0)
    }

    fn pin_ok(&self) -> bool {
        self.pin.is_empty() || self.pin_role().check_pin(&self.pin).is_ok()
    }

    fn vatin_ok(&self) -> bool {
        // The same check digits the server verifies.
        self.vatin.trim().is_empty() || shared_model::customer::person_vatin(&self.vatin).is_ok()
    }

    /// What is wrong; a new user's required fields count once saving was `tried`.
    pub fn problems(&self, is_new: bool, tried: bool) -> Problems {
        let pin_word = if self.pin_role().min_pin_len() > 4 {
            "bad_pin_6"
        } else {
            "bad_pin"
        };
        let pw_bad = if self.password.is_empty() {
            tried && is_new
        } else {
            !self.password_ok(is_new)
        };
        Problems {
            // Only a new user's login is typed (an edit shows it, fixed).
            login: (tried && is_new && self.login.trim().is_empty()).then_some("required"),
            password: pw_bad.then_some("bad_password"),
            pin: (!self.pin_ok()).then_some(pin_word),
            vatin: (!self.vatin_ok()).then_some("bad_vatin"),
        }
    }

    /// Whether the form may be sent: nothing wrong once saving is tried.
    pub fn is_valid(&self, is_new: bool) -> bool {
        self.problems(is_new, true) == Problems::default()
    }

    /// The body to send: a new user's (with login and password), or an edit's (an empty
    /// VATIN clears it; an empty password or PIN leaves it as it is).
    pub fn body(&self, is_new: bool) -> Value {
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        if is_new {
            json!({"login": self.login.trim(), "full_name": self.full_name.trim(), "role": self.role,
                   "password": self.password, "pin": opt(&self.pin), "discount_limit": opt(&self.limit),
                   "locations": self.locations, "vatin": opt(&self.vatin)})
        } else {
            json!({"full_name": self.full_name.trim(), "role": self.role, "active": self.active,
                   "password": opt(&self.password), "pin": opt(&self.pin),
                   "discount_limit": opt(&self.limit), "locations": self.locations,
                   "vatin": self.vatin.trim()})
        }
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
    let form = use_state(|| UserForm::of(p.user.as_ref()));
    let error = use_state(|| None::<ApiError>);
    let tried = use_state(|| false);
    let is_new = p.user.is_none();
    let bad = form.problems(is_new, *tried);
    let word = |key: Option<&'static str>| key.map(|k| ctx.t(k).to_owned());
    let save = {
        let (form, error, tried) = (form.clone(), error.clone(), tried.clone());
        let (on_done, id) = (p.on_done.clone(), p.user.as_ref().map(|u| u.id));
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            tried.set(true);
            if !form.is_valid(id.is_none()) {
                return;
            }
            let body = form.body(id.is_none());
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
        .map(|r| (r.code().to_owned(), ctx.t(role_key(*r)).to_owned()))
        .collect::<Vec<_>>();
    let edit = |change: fn(&mut UserForm, String)| edit_with(&form, change);
    let checked = |change: fn(&mut UserForm, bool)| {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut f = (*form).clone();
            change(&mut f, event_checked(&e));
            form.set(f);
        })
    };
    let toggle = |id: Uuid| {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut f = (*form).clone();
            f.locations.retain(|x| *x != id);
            if event_checked(&e) {
                f.locations.push(id);
            }
            form.set(f);
        })
    };
    let f = &*form;
    let pin_hint = if f.pin_role().min_pin_len() > 4 {
        "6–8"
    } else {
        "4–8"
    };
    html! {
        <form class="panel" onsubmit={save} novalidate=true data-testid="user-editor">
            <h2>{ ctx.t(if is_new { "new_user" } else { "edit_user" }) }</h2>
            <div class="grid">
                if is_new {
                    <Field id="user-login" label={ctx.t("login_name")} value={f.login.clone()} oninput={edit(|f, v| f.login = v)} error={word(bad.login)} required=true />
                }
                <Field id="user-name" label={ctx.t("full_name")} value={f.full_name.clone()} oninput={edit(|f, v| f.full_name = v)} />
                <Select id="user-role" label={ctx.t("role")} value={f.role.clone()} options={roles} onchange={edit(|f, v| f.role = v)} />
                <Field id="user-password" label={ctx.t(if is_new { "password" } else { "new_password" })} kind="password" value={f.password.clone()} oninput={edit(|f, v| f.password = v)} error={word(bad.password)} />
                <Field id="user-vatin" label={ctx.t("vatin")} value={f.vatin.clone()} oninput={edit(|f, v| f.vatin = v)} error={word(bad.vatin)} placeholder="12" />
                <Field id="user-pin" label={ctx.t("pin")} kind="password" value={f.pin.clone()} oninput={edit(|f, v| f.pin = v)} error={word(bad.pin)} placeholder={pin_hint} />
                <Field id="user-limit" label={ctx.t("discount_limit")} value={f.limit.clone()} oninput={edit(|f, v| f.limit = v)} placeholder="%" />
            </div>
            <fieldset><legend>{ ctx.t("locations") }</legend>
            { for ctx.locations.iter().map(|l| html! {
                <label class="check"><input type="checkbox" checked={f.locations.contains(&l.id)} onchange={toggle(l.id)} data-testid={format!("user-loc-{}", l.code)} />{ format!("{} · {}", l.code, l.name) }</label>
            }) }
            </fieldset>
            if !is_new {
                <label class="check"><input type="checkbox" checked={f.active} onchange={checked(|f, v| f.active = v)} />{ ctx.t("active") }</label>
            }
            <ErrorBanner error={(*error).clone()} />
            <div class="actions">
                <button type="submit" class="primary" data-testid="user-save">{ ctx.t("save") }</button>
                <button type="button" onclick={p.on_done.reform(|_: MouseEvent| ())}>{ ctx.t("close") }</button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::UserForm;

    #[test]
    fn a_new_user_needs_a_login_and_a_long_password_an_edit_neither() {
        let mut f = UserForm::of(None);
        assert_eq!(f.role, "cashier");
        f.login = "anna".into();
        f.password = "short".into();
        assert!(
            !f.is_valid(true),
            "a short password is refused before sending"
        );
        f.password = "password-123".into();
        assert!(f.is_valid(true));
        let body = f.body(true);
        assert_eq!(body["login"], "anna");
        assert_eq!(
            body["pin"],
            serde_json::Value::Null,
            "no PIN typed: none sent"
        );
        f.password.clear();
        assert!(
            f.is_valid(false),
            "an edit keeps the password when none is typed"
        );
        assert_eq!(f.body(false)["password"], serde_json::Value::Null);
        assert!(f.body(false).get("login").is_none());
    }

    #[test]
    fn the_pin_is_checked_for_the_role_chosen() {
        let mut f = UserForm::of(None);
        f.login = "boss".into();
        f.password = "password-123".into();
        f.role = "warehouse_worker".into();
        f.pin = "1234".into();
        assert!(f.is_valid(true), "a warehouse worker's PIN may be 4 digits");
        f.role = "cashier".into();
        assert!(!f.is_valid(true), "a cashier refunds: 6 digits");
        f.pin = "123456".into();
        assert!(f.is_valid(true));
    }
}
