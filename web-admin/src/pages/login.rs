//! Signing in. Shown alone at first, and over the current page when a session ends, so
//! whatever was typed there is still there after signing in again.

use shared_model::Locale;
use yew::prelude::*;

use crate::api;
use crate::i18n::tr;
use crate::types::LoginAnswer;
use crate::widgets::{setter, spawn, Field};

/// Props of [`Login`].
#[derive(Properties, PartialEq)]
pub struct LoginProps {
    /// Language.
    pub lang: Locale,
    /// Signed in.
    pub on_login: Callback<LoginAnswer>,
    /// Switch the language.
    pub on_lang: Callback<()>,
    /// The session ended (say so).
    pub expired: bool,
}

/// The login form.
#[function_component(Login)]
pub fn login(p: &LoginProps) -> Html {
    let t = |k| tr(p.lang, k);
    let name = use_state(String::new);
    let password = use_state(String::new);
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let onsubmit = {
        let (name, password, error, busy) =
            (name.clone(), password.clone(), error.clone(), busy.clone());
        let on_login = p.on_login.clone();
        let lang = p.lang;
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if name.trim().is_empty() || password.is_empty() {
                error.set(Some(tr(lang, "login_required").to_owned()));
                return;
            }
            let (n, pw) = ((*name).clone(), (*password).clone());
            let (error, busy, on_login) = (error.clone(), busy.clone(), on_login.clone());
            busy.set(true);
            spawn(async move {
                match api::login(n.trim(), &pw).await {
                    Ok(a) => {
                        error.set(None);
                        on_login.emit(a);
                    }
                    Err(e) => error.set(Some(
                        match e.status {
                            401 => tr(lang, "bad_login"),
                            429 => tr(lang, "too_many_logins"),
                            0 => tr(lang, "network_error"),
                            _ => tr(lang, "login_failed"),
                        }
                        .to_owned(),
                    )),
                }
                busy.set(false);
            });
        })
    };
    let on_lang = p.on_lang.reform(|_: MouseEvent| ());
    html! {
        <div class="login">
            <form {onsubmit} aria-labelledby="login-title" novalidate=true>
                <h1 id="login-title">{ "Al Aroma" }</h1>
                if p.expired {
                    <p class="banner" role="status" data-testid="expired">{ t("session_expired") }</p>
                }
                <Field id="login-name" label={t("login_name")} value={(*name).clone()} oninput={setter(&name)} required=true />
                <Field id="login-password" label={t("password")} kind="password" value={(*password).clone()} oninput={setter(&password)} required=true />
                if let Some(e) = &*error {
                    <p class="banner error" role="alert" data-testid="login-error">{ e.clone() }</p>
                }
                <button type="submit" class="primary" disabled={*busy} data-testid="login-submit">{ t("sign_in") }</button>
                <button type="button" class="link" onclick={on_lang}>{ t("other_lang") }</button>
            </form>
        </div>
    }
}
