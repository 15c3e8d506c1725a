//! The till window (Yew, compiled to wasm). It shows the engine's state and sends the
//! cashier's actions to the Tauri shell; it holds no rules of its own.

mod api;
mod app;
mod dialogs;
mod focus;
mod i18n;
mod setup;
mod views;

use wasm_bindgen::prelude::*;

/// Mounts the window.
#[wasm_bindgen(start)]
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}
