//! The admin's pages: their addresses, menu words, who may open them, and the browser's
//! history (`history.pushState`; the server answers `index.html` for any of them so a
//! reload stays on the page).

use shared_model::Role;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::pages;

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

/// The page's component.
pub fn page(route: Route) -> Html {
    match route {
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
}

pub fn current_path() -> String {
    web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_else(|| "/".into())
}

/// The page shown (following the browser's back and forward) and the way to another.
#[hook]
pub fn use_route() -> (UseStateHandle<Route>, Callback<Route>) {
    let route = use_state(|| Route::parse(&current_path()));
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
    (route, go)
}
