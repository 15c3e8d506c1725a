//! The sale screen: the scan field, the quick keys, the cart, the till keys (F2–F12) and
//! the dialog over it.

use serde_json::json;
use web_sys::KeyboardEvent;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::Window;
use crate::api::{call, ApiError, Product};
use crate::dialogs::{self, clear, focus, show, value, Ctx, Dialog};
use crate::i18n::{error, t};
use crate::views;

/// `2.5*D0004` → (Some("2.5"), "D0004"): the usual till way to key a quantity.
fn split_qty(input: &str) -> (Option<String>, String) {
    match input.split_once('*') {
        Some((q, code)) => (Some(q.trim().replace(',', ".")), code.trim().to_owned()),
        None => (None, input.trim().to_owned()),
    }
}

/// The sale screen with its dialog.
pub(super) fn screen(w: &Window, popular: &[Product]) -> Html {
    let cart = w.s.cart.as_ref();
    let has_lines = cart.is_some_and(|c| !c.lines.is_empty());
    let [f1, f2, f3, f4] = w.fields.clone();
    let ctx = Ctx {
        run: w.run.clone(),
        dialog: w.dialog.clone(),
        locale: w.locale,
        fields: [f1, f2, f3, f4],
        scan: w.scan.clone(),
    };
    html! {
        <main class="sale" onkeydown={ on_key(w, has_lines) } onclick={ w.touched.reform(|_| ()) }>
            <header>
                <form class="scan" onsubmit={ on_scan(w) }>
                    <input ref={ w.scan.clone() } placeholder={ t(w.locale, "scan") } autofocus=true autocomplete="off" data-testid="scan" />
                </form>
                { w.lang_button() }
            </header>
            <nav class="quick" data-testid="quick-keys">
            { for popular.iter().enumerate().map(|(i, p)| {
                let (w, sku) = (w.clone(), p.sku.clone());
                let onclick = Callback::from(move |_| w.act("add_item", json!({"code": sku})));
                html! { <button data-testid={ format!("quick-{i}") } onclick={ onclick }>{ &p.name }</button> }
            }) }
            </nav>
            { fiscal_banner(w) }
            { w.error_box() }
            { views::cart(cart, w.locale) }
            { dialogs::render(&ctx, cart) }
            { keys(w, has_lines) }
            { w.status_bar() }
        </main>
    }
}

/// The scan field's Enter: a scanner types the code and Enter, like a keyboard. Not a
/// barcode or SKU but words: search by name and offer what matches.
fn on_scan(w: &Window) -> Callback<SubmitEvent> {
    let w = w.clone();
    Callback::from(move |e: SubmitEvent| {
        e.prevent_default();
        let (qty, code) = split_qty(&value(&w.scan));
        clear(&w.scan);
        if code.is_empty() {
            return;
        }
        let w = w.clone();
        spawn_local(async move {
            let failed = |c: &str, m: &str| w.message.set(Some(error(w.locale, c, m)));
            match call::<serde_json::Value>("add_item", json!({"code": code, "qty": qty})).await {
                Ok(_) => w.message.set(None),
                Err(ApiError {
                    code: c,
                    message: m,
                }) if c == "unknown_product" => {
                    match call::<Vec<Product>>("search", json!({"text": code})).await {
                        Ok(found) if !found.is_empty() => {
                            w.message.set(None);
                            w.dialog.set(Dialog::Search(found));
                        }
                        _ => failed(&c, &m),
                    }
                }
                Err(ApiError {
                    code: c,
                    message: m,
                }) => failed(&c, &m),
            }
            w.refresh.emit(());
        });
    })
}

/// Keyboard: the usual till keys, Esc backs out (twice when typed input would be lost).
fn on_key(w: &Window, has_lines: bool) -> Callback<KeyboardEvent> {
    let w = w.clone();
    Callback::from(move |e: KeyboardEvent| {
        w.touched.emit(());
        let key = e.key();
        // An Esc asking "again to drop it" only counts when the next key is Esc.
        if key != "Escape" && *w.armed_esc {
            w.armed_esc.set(false);
        }
        let open = |d: Dialog| w.dialog.set(d);
        let handled = match key.as_str() {
            "F2" => {
                open(Dialog::None);
                focus(&w.scan);
                true
            }
            "F3" => {
                open(Dialog::Customer);
                true
            }
            "F4" if has_lines => {
                w.act("park", json!({}));
                true
            }
            "F5" => {
                w.call("parked", json!({}), show(&w.dialog, Dialog::Parked));
                true
            }
            "F6" => {
                open(Dialog::Return);
                true
            }
            "F7" => {
                open(Dialog::Cash);
                true
            }
            "F8" if has_lines => {
                open(Dialog::Discount);
                true
            }
            "F9" if has_lines => {
                open(Dialog::Pay);
                true
            }
            "Enter" if e.ctrl_key() && has_lines => {
                open(Dialog::Pay);
                true
            }
            "F10" => {
                let report = |r| Dialog::Report(Box::new(r), false);
                w.call("x_report", json!({}), show(&w.dialog, report));
                true
            }
            "F12" => {
                let settings = |s| Dialog::Settings(s, None);
                w.call("settings", json!({}), show(&w.dialog, settings));
                true
            }
            "Escape" => {
                escape(&w);
                true
            }
            _ => false,
        };
        if handled {
            e.prevent_default();
        }
    })
}

/// Esc: closes the dialog and clears the scan field, asking first when typed input would
/// be lost.
fn escape(w: &Window) {
    let [f1, f2, ..] = &w.fields;
    let typed = !value(f1).is_empty() || !value(f2).is_empty() || !value(&w.scan).is_empty();
    if typed && !*w.armed_esc {
        w.armed_esc.set(true);
        w.message.set(Some(t(w.locale, "confirm_lose")));
    } else {
        w.armed_esc.set(false);
        w.message.set(None);
        clear(&w.scan);
        w.dialog.set(Dialog::None);
        focus(&w.scan);
    }
}

/// A sale awaits its fiscal receipt: say why, offer the retry (nothing new starts).
fn fiscal_banner(w: &Window) -> Html {
    if w.s.fiscal.pending == 0 {
        return html! {};
    }
    let retry = {
        let w = w.clone();
        Callback::from(move |_| {
            let refresh_register = w.refresh_register.clone();
            w.call(
                "retry_fiscal",
                json!({}),
                Callback::from(move |_| refresh_register.emit(())),
            )
        })
    };
    let why =
        w.s.fiscal
            .code
            .as_deref()
            .map(|c| t(w.locale, c))
            .unwrap_or_default();
    html! {
        <div class="fiscal-pending" data-testid="fiscal-pending">
            <span>{ format!("{}: {why}", t(w.locale, "fiscal_pending")) }</span>
            <button data-testid="fiscal-retry" onclick={ retry }>{ t(w.locale, "retry") }</button>
        </div>
    }
}

/// The row of till keys under the cart.
fn keys(w: &Window, has_lines: bool) -> Html {
    let locale = w.locale;
    let button = |key: &str, label: &str, testid: &str, d: Dialog| {
        let dialog = w.dialog.clone();
        let onclick = Callback::from(move |_| dialog.set(d.clone()));
        html! {
            <button data-testid={ testid.to_owned() } onclick={ onclick }>
                if !key.is_empty() { <kbd>{ key }</kbd> }
                { t(locale, label) }
            </button>
        }
    };
    let park = {
        let w = w.clone();
        Callback::from(move |_| w.act("park", json!({})))
    };
    let open_settings = {
        let w = w.clone();
        Callback::from(move |_| {
            let settings = |s| Dialog::Settings(s, None);
            w.call("settings", json!({}), show(&w.dialog, settings))
        })
    };
    let parked = {
        let w = w.clone();
        Callback::from(move |_| w.call("parked", json!({}), show(&w.dialog, Dialog::Parked)))
    };
    html! {
        <nav class="keys">
            { button("F3", "customer", "key-customer", Dialog::Customer) }
            <button data-testid="key-park" disabled={ !has_lines } onclick={ park }><kbd>{ "F4" }</kbd>{ t(locale, "park") }</button>
            <button data-testid="key-parked" onclick={ parked }><kbd>{ "F5" }</kbd>{ t(locale, "resume") }</button>
            { button("", "coupon", "key-coupon", Dialog::Coupon) }
            { button("F6", "return", "key-return", Dialog::Return) }
            { button("F7", "cash_in_out", "key-cash", Dialog::Cash) }
            { button("F8", "discount", "key-discount", Dialog::Discount) }
            { button("F9", "pay", "key-pay", Dialog::Pay) }
            { button("", "void", "key-void", Dialog::Void) }
            { button("", "reprint", "key-reprint", Dialog::Reprint) }
            { button("", "close_shift", "key-close-shift", Dialog::CloseShift) }
            <button data-testid="key-settings" onclick={ open_settings }><kbd>{ "F12" }</kbd>{ t(locale, "settings") }</button>
        </nav>
    }
}
