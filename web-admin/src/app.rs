//! The shell: who is signed in, the language, the locations everyone picks from, the
//! navigation their role allows, and client-side routes (`history.pushState`; the server
//! answers `index.html` for any of them so a reload stays on the page).

use std::rc::Rc;

use shared_model::{Locale, Role};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::api;
pub use crate::ctx::{role_key, Ctx};
use crate::pages;
use crate::types::{Location, LoginAnswer, Me, Page};

/// A page of the admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Today at a glance.
    Dashboard,
    /// Products, prices, CSV.
    Catalog,
    /// Levels, receiving, transfers, counts, movements.
    Stock,
    /// Promotions and coupons.
    Promotions,
    /// Gift certificates.
    Certificates,
    /// Customers.
    Customers,
    /// Users and roles.
    People,
    /// Stores and warehouses.
    Locations,
    /// Tills.
    Devices,
    /// Reports.
    Reports,
    /// The audit log.
    Audit,
}

impl Route {
    /// Every page, in menu order.
    pub const ALL: [Route; 11] = [
        Route::Dashboard,
        Route::Catalog,
        Route::Stock,
        Route::Promotions,
        Route::Certificates,
        Route::Customers,
        Route::Reports,
        Route::People,
        Route::Locations,
        Route::Devices,
        Route::Audit,
    ];

    /// Its address.
    pub fn path(self) -> &'static str {
        match self {
            Route::Dashboard => "/",
            Route::Catalog => "/catalog",
            Route::Stock => "/stock",
            Route::Promotions => "/promotions",
            Route::Certificates => "/certificates",
            Route::Customers => "/customers",
            Route::People => "/people",
            Route::Locations => "/locations",
            Route::Devices => "/devices",
            Route::Reports => "/reports",
            Route::Audit => "/audit",
        }
    }

    /// The page at an address (unknown ones go to the dashboard).
    pub fn parse(path: &str) -> Route {
        Route::ALL
            .into_iter()
            .find(|r| r.path() == path.trim_end_matches('/') && r.path() != "/")
            .unwrap_or(Route::Dashboard)
    }

    /// Its menu word.
    pub fn key(self) -> &'static str {
        match self {
            Route::Dashboard => "nav_dashboard",
            Route::Catalog => "nav_catalog",
            Route::Stock => "nav_stock",
            Route::Promotions => "nav_promotions",
            Route::Certificates => "nav_certificates",
            Route::Customers => "nav_customers",
            Route::People => "nav_people",
            Route::Locations => "nav_locations",
            Route::Devices => "nav_devices",
            Route::Reports => "nav_reports",
            Route::Audit => "nav_audit",
        }
    }

    /// Whether a role may open it (the server enforces the same; this hides what would 403).
    pub fn allowed(self, role: Role) -> bool {
        match role {
            Role::Admin => true,
            Role::Manager => !matches!(self, Route::Devices | Route::Audit),
            Role::WarehouseWorker => {
                matches!(self, Route::Dashboard | Route::Catalog | Route::Stock)
            }
            Role::Cashier | Role::Salesperson => false,
        }
    }
}

fn current_path() -> String {
    web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_else(|| "/".into())
}

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

/// The whole app.
#[function_component(App)]
pub fn app() -> Html {
    let lang = use_state(saved_lang);
    let me = use_state(|| None::<Me>);
    let checked = use_state(|| false);
    let expired = use_state(|| false);
    let locations = use_state(|| Rc::new(Vec::<Location>::new()));
    let route = use_state(|| Route::parse(&current_path()));
    let loc_version = use_state(|| 0u32);

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
        let route = route.clone();
        use_effect_with((), move |_| {
            let cb = Closure::<dyn Fn()>::new(move || route.set(Route::parse(&current_path())));
            if let Some(w) = web_sys::window() {
                let _ = w.add_event_listener_with_callback("popstate", cb.as_ref().unchecked_ref());
            }
            cb.forget();
        });
    }
    {
        // Resume a session the cookies still hold.
        let me = me.clone();
        let checked = checked.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(m) = api::get::<Me>("/auth/me").await {
                    me.set(Some(m));
                }
                checked.set(true);
            });
        });
    }
    {
        let locations = locations.clone();
        use_effect_with((me.as_ref().map(|m| m.id), *loc_version), move |(id, _)| {
            if id.is_some() {
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(p) = api::get::<Page<Location>>("/locations?per_page=200").await {
                        locations.set(Rc::new(p.items));
                    }
                });
            }
        });
    }

    let on_login = {
        let me = me.clone();
        let expired = expired.clone();
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
        locations: (*locations).clone(),
        reload_locations: {
            let v = loc_version.clone();
            Callback::from(move |_| v.set(*v + 1))
        },
    };
    let go = {
        let route = route.clone();
        Callback::from(move |r: Route| {
            if let Some(w) = web_sys::window() {
                if let Ok(h) = w.history() {
                    let _ = h.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(r.path()));
                }
            }
            route.set(r);
        })
    };
    let nav: Html = Route::ALL
        .into_iter()
        .filter(|r| r.allowed(user.role))
        .map(|r| {
            let go = go.clone();
            let onclick = Callback::from(move |e: MouseEvent| {
                e.prevent_default();
                go.emit(r);
            });
            let current = (*route == r).then_some("page");
            html! {
                <a href={r.path()} {onclick} aria-current={current}
                   data-testid={format!("nav-{}", r.key().trim_start_matches("nav_"))}>{ ctx.t(r.key()) }</a>
            }
        })
        .collect();
    let page = if !route.allowed(user.role) {
        html! { <p class="denied" role="alert" data-testid="no-access">{ ctx.t("no_access") }</p> }
    } else {
        match *route {
            Route::Dashboard => html! { <pages::dashboard::Dashboard /> },
            Route::Catalog => html! { <pages::catalog::Catalog /> },
            Route::Stock => html! { <pages::stock::Stock /> },
            Route::Promotions => html! { <pages::promotions::Promotions /> },
            Route::Certificates => html! { <pages::certificates::Certificates /> },
            Route::Customers => html! { <pages::customers::Customers /> },
            Route::People => html! { <pages::people::People /> },
            Route::Locations => html! { <pages::people::Locations /> },
            Route::Devices => html! { <pages::devices::Devices /> },
            Route::Reports => html! { <pages::reports::Reports /> },
            Route::Audit => html! { <pages::audit::Audit /> },
        }
    };
    html! {
        <ContextProvider<Ctx> context={ctx.clone()}>
            <header class="top">
                <span class="brand">{ "Al Aroma" }</span>
                <nav aria-label={ctx.t("menu")}>{ nav }</nav>
                <span class="who" data-testid="who">{ format!("{} · {}", user.login, ctx.t(role_key(user.role))) }</span>
                <button class="link" onclick={toggle_lang.reform(|_: MouseEvent| ())} data-testid="lang">{ ctx.t("other_lang") }</button>
                <button class="link" onclick={logout} data-testid="logout">{ ctx.t("logout") }</button>
            </header>
            <main>{ page }</main>
            if *expired {
                <div class="overlay" role="dialog" aria-modal="true">
                    <pages::login::Login lang={*lang} on_login={on_login} on_lang={toggle_lang} expired=true />
                </div>
            }
        </ContextProvider<Ctx>>
    }
}
