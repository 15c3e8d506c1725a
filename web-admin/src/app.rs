//! The shell: who is signed in, the language, the locations everyone picks from, and the
//! navigation their role allows (the pages themselves: `routes`).

use std::rc::Rc;

use shared_model::Locale;
use yew::prelude::*;

use crate::api;
pub use crate::ctx::{role_key, Ctx};
use crate::pages;
pub use crate::routes::Route;
use crate::routes::{page, use_route};
use crate::types::{Location, LoginAnswer, Me, Page};

fn saved_lang() -> Locale {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item("lang").ok().flatten())
        .and_then(|l| Locale::parse(&l))
        .unwrap_or(Locale::Ru)
}

fn save_lang(l: Locale) {
    if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = s.set_item("lang", l.code());
    }
}

/// Who is signed in (`None` until known or after sign-out), whether the session check has
/// answered, and whether the session expired while signed in.
#[hook]
fn use_session() -> (
    UseStateHandle<Option<Me>>,
    UseStateHandle<bool>,
    UseStateHandle<bool>,
) {
    let me = use_state(|| None::<Me>);
    let checked = use_state(|| false);
    let expired = use_state(|| false);
    {
        // Re-registered whenever who is signed in changes: before a sign-in a 401 is no news.
        let expired = expired.clone();
        use_effect_with(me.as_ref().map(|m| m.id), move |id| {
            let signed_in = id.is_some();
            api::on_session_expired(Callback::from(move |_| {
                if signed_in {
                    expired.set(true);
                }
            }));
        });
    }
    {
        // Resume a session the cookies still hold.
        let (me, checked) = (me.clone(), checked.clone());
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(m) = api::get::<Me>("/auth/me").await {
                    me.set(Some(m));
                }
                checked.set(true);
            });
        });
    }
    (me, checked, expired)
}

/// The locations the signed-in user sees, loaded on sign-in and on each reload asked for.
#[hook]
fn use_locations(user: Option<uuid::Uuid>) -> (Rc<Vec<Location>>, Callback<()>) {
    let locations = use_state(|| Rc::new(Vec::<Location>::new()));
    let version = use_state(|| 0u32);
    {
        let locations = locations.clone();
        use_effect_with((user, *version), move |(id, _)| {
            if id.is_some() {
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(p) = api::get::<Page<Location>>("/locations?per_page=200").await {
                        locations.set(Rc::new(p.items));
                    }
                });
            }
        });
    }
    let reload = Callback::from(move |_| version.set(*version + 1));
    ((*locations).clone(), reload)
}

/// The menu: the pages the role may open, the current one marked.
fn nav(ctx: &Ctx, route: Route, go: &Callback<Route>) -> Html {
    Route::ALL
        .into_iter()
        .filter(|r| r.allowed(ctx.me.role))
        .map(|r| {
            let go = go.clone();
            let onclick = Callback::from(move |e: MouseEvent| {
                e.prevent_default();
                go.emit(r);
            });
            let current = (route == r).then_some("page");
            html! {
                <a href={r.path()} {onclick} aria-current={current}
                   data-testid={format!("nav-{}", r.key().trim_start_matches("nav_"))}>{ ctx.t(r.key()) }</a>
            }
        })
        .collect()
}

/// The whole app.
#[function_component(App)]
pub fn app() -> Html {
    let lang = use_state(saved_lang);
    let (me, checked, expired) = use_session();
    let (route, go) = use_route();
    let (locations, reload_locations) = use_locations(me.as_ref().map(|m| m.id));
    let on_login = {
        let (me, expired) = (me.clone(), expired.clone());
        Callback::from(move |a: LoginAnswer| {
            expired.set(false);
            me.set(Some(a.user));
        })
    };
    let toggle_lang = {
        let lang = lang.clone();
        Callback::from(move |_| {
            let l = if *lang == Locale::Ru {
                Locale::En
            } else {
                Locale::Ru
            };
            save_lang(l);
            lang.set(l);
        })
    };

    if !*checked {
        return html! { <div class="loading" aria-busy="true">{ "…" }</div> };
    }
    let Some(user) = (*me).clone() else {
        return html! { <pages::login::Login lang={*lang} on_login={on_login} on_lang={toggle_lang} expired=false /> };
    };
    let logout = {
        let me = me.clone();
        Callback::from(move |_| {
            let me = me.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let _: Result<serde_json::Value, _> =
                    api::post("/auth/logout", &serde_json::json!({})).await;
                me.set(None);
            });
        })
    };
    let ctx = Ctx {
        me: user.clone(),
        lang: *lang,
        locations,
        reload_locations,
    };
    let shown = if route.allowed(user.role) {
        page(*route)
    } else {
        html! { <p class="denied" role="alert" data-testid="no-access">{ ctx.t("no_access") }</p> }
    };
    html! {
        <ContextProvider<Ctx> context={ctx.clone()}>
            <header class="top">
                <span class="brand">{ "Al Aroma" }</span>
                <nav aria-label={ctx.t("menu")}>{ nav(&ctx, *route, &go) }</nav>
                <span class="who" data-testid="who">{ format!("{} · {}", user.login, ctx.t(role_key(user.role))) }</span>
                <button class="link" onclick={toggle_lang.reform(|_: MouseEvent| ())} data-testid="lang">{ ctx.t("other_lang") }</button>
                <button class="link" onclick={logout} data-testid="logout">{ ctx.t("logout") }</button>
            </header>
            <main>{ shown }</main>
            if *expired {
                <div class="overlay" role="dialog" aria-modal="true">
                    <pages::login::Login lang={*lang} on_login={on_login} on_lang={toggle_lang} expired=true />
                </div>
            }
        </ContextProvider<Ctx>>
    }
}
