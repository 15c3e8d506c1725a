//! Al Aroma's web admin: head office's catalog, stock, promotions, certificates, people,
//! devices and reports, as a Yew single-page app served by `sync-server`.

pub mod api;
pub mod app;
pub mod clock;
pub mod ctx;
pub mod i18n;
pub mod lines;
pub mod pages;
pub mod routes;
pub mod types;
pub mod widgets;

/// Starts the app in the page's body.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}
