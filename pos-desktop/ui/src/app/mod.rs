//! The till window: which screen shows, the keyboard, and the calls behind each action.
//! The screen follows the engine's state (no cashier → PIN, no shift → open shift),
//! the rest is the sale screen and the dialogs over it.

mod hooks;
mod sale;

use serde_json::json;
use shared_model::keyboard::ScannerSetup;
use shared_model::Locale;
use yew::prelude::*;

use crate::api::{RegisterView, Status};
use crate::dialogs::{clear, value, Call, Dialog};
use crate::i18n::t;
use crate::views;

/// What every screen of the window works with: the engine's state shown and the handles to
/// change it.
#[derive(Clone)]
struct Window {
    /// The engine's state this render shows.
    s: Status,
    locale: Locale,
    dialog: UseStateHandle<Dialog>,
    /// The error line.
    message: UseStateHandle<Option<String>>,
    /// An Esc said "again to drop what is typed".
    armed_esc: UseStateHandle<bool>,
    register: Option<RegisterView>,
    /// Reloads the engine's state.
    refresh: Callback<()>,
    refresh_register: Callback<()>,
    /// Runs an engine call (see `hooks::runner`).
    run: Callback<Call>,
    /// Up to four input fields of the screen or dialog shown.
    fields: [NodeRef; 4],
    /// The sale screen's scan field.
    scan: NodeRef,
    /// Someone used the window (the idle lock's clock restarts).
    touched: Callback<()>,
}

impl Window {
    /// Runs an engine call; `done` gets its answer.
    fn call(&self, cmd: &'static str, args: serde_json::Value, done: Callback<serde_json::Value>) {
        self.run.emit((cmd, args, done));
    }

    /// Runs an engine call whose answer the state reload shows.
    fn act(&self, cmd: &'static str, args: serde_json::Value) {
        self.call(cmd, args, Callback::from(|_: serde_json::Value| ()));
    }

    /// The error line, when there is an error.
    fn error_box(&self) -> Html {
        html! {
            if let Some(m) = &*self.message {
                <div class="error" role="alert" data-testid="error">{ m }</div>
            }
        }
    }

    /// Switches Russian ↔ English.
    fn lang_button(&self) -> Html {
        let w = self.clone();
        let toggle = Callback::from(move |_| {
            let lang = if w.locale == Locale::Ru { "en" } else { "ru" };
            w.act("set_locale", json!({"lang": lang}));
        });
        html! {
            <button class="lang" data-testid="lang" onclick={ toggle }>{ t(self.locale, "lang") }</button>
        }
    }

    fn status_bar(&self) -> Html {
        views::status_bar(&self.s, self.register.as_ref())
    }
}

/// The till window.
#[function_component(App)]
pub fn app() -> Html {
    let last_input = use_mut_ref(js_sys::Date::now);
    let (status, unset, refresh) = hooks::use_status(last_input.clone());
    let dialog = use_state(|| Dialog::None);
    let message = use_state(|| None::<String>);
    let armed_esc = use_state(|| false);
    let (register, refresh_register) =
        hooks::use_register(status.as_ref().map(|s| s.fiscal.pending));
    let popular = hooks::use_popular(status.as_ref().is_some_and(|s| s.shift.is_some()));
    let scan = use_memo((), |_| NodeRef::default()).as_ref().clone();
    let fields = use_memo((), |_| <[NodeRef; 4]>::default()).as_ref().clone();
    let locale = status.as_ref().map(|s| s.locale).unwrap_or_default();
    hooks::use_held_scans(locale, dialog.clone(), message.clone(), refresh.clone());
    let screen = status
        .as_ref()
        .map(|s| (s.cashier.is_some(), s.shift.is_some()));
    // After every render, before the focus moves: fields take their initial values; every
    // new screen or dialog puts the focus on its first field (`autofocus` works only at
    // page load).
    use_effect(crate::focus::preset);
    use_effect_with((screen, std::mem::discriminant(&*dialog), *unset), |_| {
        crate::focus::settle()
    });

    if *unset {
        return html! { <crate::setup::Setup on_done={ refresh.clone() } /> };
    }
    let Some(s) = (*status).clone() else {
        return html! { <main class="loading">{ "Al Aroma POS" }</main> };
    };
    crate::focus::set_scanner(
        ScannerSetup::parse(&s.scanner.prefix, &s.scanner.suffix).unwrap_or_default(),
    );
    let w = Window {
        s,
        locale,
        dialog,
        run: hooks::runner(message.clone(), refresh.clone(), locale),
        refresh,
        message,
        armed_esc,
        register: (*register).clone(),
        refresh_register,
        fields,
        scan,
        touched: Callback::from(move |_: ()| *last_input.borrow_mut() = js_sys::Date::now()),
    };
    if w.s.cashier.is_none() {
        login(&w)
    } else if w.s.shift.is_none() {
        open_shift(&w)
    } else {
        sale::screen(&w, &popular)
    }
}

/// The PIN screen.
fn login(w: &Window) -> Html {
    let f1 = w.fields[0].clone();
    let onsubmit = {
        let (w, f1) = (w.clone(), f1.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            w.act("login", json!({"pin": value(&f1)}));
            clear(&f1);
        })
    };
    html! {
        <main class="login">
            <h1>{ &w.s.store }</h1>
            <form onsubmit={ onsubmit }>
                <label>{ t(w.locale, "pin") }</label>
                <input ref={ f1 } type="password" inputmode="numeric" autofocus=true data-testid="pin" />
                <button type="submit" data-testid="login">{ t(w.locale, "login") }</button>
            </form>
            { w.error_box() }
            { w.lang_button() }
            { w.status_bar() }
        </main>
    }
}

/// Shift open (under the Z report of the shift just closed, when there is one).
fn open_shift(w: &Window) -> Html {
    let f1 = w.fields[0].clone();
    let onsubmit = {
        let (w, f1) = (w.clone(), f1.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            w.dialog.set(Dialog::None);
            w.act("open_shift", json!({"float": value(&f1)}));
        })
    };
    let logout = {
        let w = w.clone();
        Callback::from(move |_| w.act("logout", json!({})))
    };
    html! {
        <main class="shift">
            if let Dialog::Report(r, true) = &*w.dialog { { views::report(r, true, w.locale) } }
            <form onsubmit={ onsubmit }>
                <label>{ t(w.locale, "float") }</label>
                <input ref={ f1 } inputmode="decimal" value="0" autofocus=true data-testid="float" />
                <button type="submit" data-testid="open-shift">{ t(w.locale, "open_shift") }</button>
            </form>
            <button onclick={ logout } data-testid="logout">{ t(w.locale, "logout") }</button>
            { w.error_box() }
            { w.lang_button() }
            { w.status_bar() }
        </main>
    }
}
