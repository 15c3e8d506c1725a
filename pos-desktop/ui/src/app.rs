//! The till window: which screen shows, the keyboard, and the calls behind each action.
//! The screen follows the engine's state (no cashier → PIN, no shift → open shift),
//! the rest is the sale screen and the dialogs over it.

use serde_json::json;
use shared_model::keyboard::ScannerSetup;
use shared_model::Locale;
use web_sys::KeyboardEvent;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{call, ApiError, Cart, Product, RegisterView, Status};
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

/// The till window.
#[function_component(App)]
pub fn app() -> Html {
    let status = use_state(|| None::<Status>);
    // The shell has no till yet: the first start's setup screen shows instead.
    let unset = use_state_eq(|| false);
    let dialog = use_state(|| Dialog::None);
    let message = use_state(|| None::<String>);
    let armed_esc = use_state(|| false);
    let popular = use_state(Vec::<Product>::new);
    // The register's own status, asked every 15 s (a call to the register, unlike `status`).
    let register = use_state(|| None::<RegisterView>);
    let last_input = use_mut_ref(js_sys::Date::now);
    // The idle limit while someone is logged in, read by the timer (a state handle captured
    // by the timer would only ever see the first render's value).
    let idle_limit = use_mut_ref(|| None::<u32>);
    *idle_limit.borrow_mut() = status
        .as_ref()
        .filter(|s| s.cashier.is_some())
        .map(|s| s.idle_lock_minutes);
    let scan = NodeRef::default();
    let scan = use_memo((), move |_| scan).as_ref().clone();
    let field = use_memo((), |_| {
        (
            NodeRef::default(),
            NodeRef::default(),
            NodeRef::default(),
            NodeRef::default(),
        )
    });
    let (f1, f2, f3, f4) = (
        field.0.clone(),
        field.1.clone(),
        field.2.clone(),
        field.3.clone(),
    );
    let locale = status.as_ref().map(|s| s.locale).unwrap_or_default();

    // Reloads the engine's state; every action ends with it.
    let refresh = {
        let (status, unset) = (status.clone(), unset.clone());
        Callback::from(move |_: ()| {
            let (status, unset) = (status.clone(), unset.clone());
            spawn_local(async move {
                match call::<Status>("status", json!({})).await {
                    Ok(s) => {
                        unset.set(false);
                        status.set(Some(s));
                    }
                    Err(e) if e.code == "not_set_up" => unset.set(true),
                    Err(_) => {}
                }
            });
        })
    };
    {
        // First load, then every few seconds: a status refresh (sync state, live prices)
        // and the idle lock back to the PIN screen.
        let refresh = refresh.clone();
        let idle_limit = idle_limit.clone();
        let last_input = last_input.clone();
        use_effect_with((), move |_| {
            refresh.emit(());
            let timer = gloo_timers::callback::Interval::new(5_000, move || {
                let idle_ms = js_sys::Date::now() - *last_input.borrow();
                let limit = *idle_limit.borrow();
                if limit.is_some_and(|m| idle_ms > f64::from(m) * 60_000.0) {
                    let refresh = refresh.clone();
                    spawn_local(async move {
                        let _ = call::<()>("logout", json!({})).await;
                        refresh.emit(());
                    });
                } else {
                    refresh.emit(());
                }
            });
            move || drop(timer)
        });
    }
    let refresh_register = {
        let register = register.clone();
        Callback::from(move |_: ()| {
            let register = register.clone();
            spawn_local(async move {
                if let Ok(r) = call::<RegisterView>("register_status", json!({})).await {
                    register.set(Some(r));
                }
            });
        })
    };
    {
        let refresh_register = refresh_register.clone();
        let pending = status.as_ref().map(|s| s.fiscal.pending);
        use_effect_with(pending, move |_| {
            refresh_register.emit(());
            let again = refresh_register.clone();
            let timer = gloo_timers::callback::Interval::new(15_000, move || again.emit(()));
            move || drop(timer)
        });
    }
    {
        // Quick keys: the goods this till sells most, loaded when the shift opens.
        let popular = popular.clone();
        let shift_open = status.as_ref().is_some_and(|s| s.shift.is_some());
        use_effect_with(shift_open, move |open| {
            if *open {
                spawn_local(async move {
                    if let Ok(p) = call::<Vec<Product>>("popular", json!({})).await {
                        popular.set(p);
                    }
                });
            }
        });
    }
    // Keys that land on no field go to the one they were meant for, and every new screen
    // or dialog puts the focus on its first field (`autofocus` works only at page load).
    let held = use_mut_ref(Vec::<String>::new);
    // What the page-level handler (installed once) needs to know of the render shown.
    let shown = use_mut_ref(|| (Locale::default(), Dialog::None));
    *shown.borrow_mut() = (locale, (*dialog).clone());
    // Adds the held scans to the sale, saying what could not be added.
    let add_held = {
        let (held, message, refresh) = (held.clone(), message.clone(), refresh.clone());
        let shown = shown.clone();
        Callback::from(move |_: ()| {
            let codes: Vec<String> = held.borrow_mut().drain(..).collect();
            if codes.is_empty() {
                return;
            }
            let (message, refresh, locale) = (message.clone(), refresh.clone(), shown.borrow().0);
            spawn_local(async move {
                message.set(None);
                for code in codes {
                    if let Err(ApiError {
                        code: c,
                        message: m,
                    }) = call::<serde_json::Value>("add_item", json!({"code": code})).await
                    {
                        message.set(Some(error(locale, &c, &m)));
                    }
                }
                refresh.emit(());
            });
        })
    };
    {
        let (held, message, dialog) = (held.clone(), message.clone(), dialog.clone());
        let (shown, add_held) = (shown.clone(), add_held.clone());
        use_effect_with((), move |_| {
            let on_held = Callback::from(move |code: String| {
                held.borrow_mut().push(code);
                let (locale, open) = shown.borrow().clone();
                match open {
                    Dialog::None => add_held.emit(()),
                    // A scan over the last receipt starts the next sale.
                    Dialog::Receipt(_) => dialog.set(Dialog::None),
                    Dialog::Pay => message.set(Some(t(locale, "scan_held"))),
                    _ => message.set(Some(t(locale, "scan_held_dialog"))),
                }
            });
            let rescuer = crate::focus::Rescuer::install(on_held);
            move || drop(rescuer)
        });
    }
    {
        // Scans held while a dialog was open go on the sale once it closes.
        let open = !matches!(*dialog, Dialog::None);
        use_effect_with(open, move |open| {
            if !*open {
                add_held.emit(());
            }
        });
    }
    let screen = status
        .as_ref()
        .map(|s| (s.cashier.is_some(), s.shift.is_some()));
    // After every render, before the focus moves: fields take their initial values.
    use_effect(crate::focus::preset);
    use_effect_with((screen, std::mem::discriminant(&*dialog), *unset), |_| {
        crate::focus::settle()
    });
    let touched = {
        let last_input = last_input.clone();
        Callback::from(move |_: ()| *last_input.borrow_mut() = js_sys::Date::now())
    };
    // Runs an engine call; on success `done` gets its answer, on failure the message shows.
    let run = {
        let message = message.clone();
        let refresh = refresh.clone();
        move |cmd: &'static str, args: serde_json::Value, done: Callback<serde_json::Value>| {
            let message = message.clone();
            let refresh = refresh.clone();
            spawn_local(async move {
                match call::<serde_json::Value>(cmd, args).await {
                    Ok(v) => {
                        message.set(None);
                        done.emit(v);
                    }
                    Err(ApiError { code, message: m }) => {
                        message.set(Some(error(locale, &code, &m)))
                    }
                }
                refresh.emit(());
            });
        }
    };
    let noop = Callback::from(|_: serde_json::Value| ());

    if *unset {
        return html! { <crate::setup::Setup on_done={ refresh.clone() } /> };
    }
    let Some(s) = (*status).clone() else {
        return html! { <main class="loading">{ "Al Aroma POS" }</main> };
    };
    crate::focus::set_scanner(
        ScannerSetup::parse(&s.scanner.prefix, &s.scanner.suffix).unwrap_or_default(),
    );
    let error_box = html! {
        if let Some(m) = &*message {
            <div class="error" role="alert" data-testid="error">{ m }</div>
        }
    };
    let toggle_lang = {
        let run = run.clone();
        let noop = noop.clone();
        Callback::from(move |_| {
            let lang = if locale == Locale::Ru { "en" } else { "ru" };
            run("set_locale", json!({"lang": lang}), noop.clone());
        })
    };
    let lang_button = html! {
        <button class="lang" data-testid="lang" onclick={ toggle_lang }>{ t(locale, "lang") }</button>
    };

    // PIN login.
    if s.cashier.is_none() {
        let onsubmit = {
            let run = run.clone();
            let f1 = f1.clone();
            let noop = noop.clone();
            Callback::from(move |e: SubmitEvent| {
                e.prevent_default();
                run("login", json!({"pin": value(&f1)}), noop.clone());
                clear(&f1);
            })
        };
        return html! {
            <main class="login">
                <h1>{ &s.store }</h1>
                <form onsubmit={ onsubmit }>
                    <label>{ t(locale, "pin") }</label>
                    <input ref={ f1 } type="password" inputmode="numeric" autofocus=true data-testid="pin" />
                    <button type="submit" data-testid="login">{ t(locale, "login") }</button>
                </form>
                { error_box }
                { lang_button }
                { views::status_bar(&s, register.as_ref()) }
            </main>
        };
    }

    // Shift open (or the Z report of the shift just closed).
    if s.shift.is_none() {
        let onsubmit = {
            let run = run.clone();
            let f1 = f1.clone();
            let noop = noop.clone();
            let dialog = dialog.clone();
            Callback::from(move |e: SubmitEvent| {
                e.prevent_default();
                dialog.set(Dialog::None);
                run("open_shift", json!({"float": value(&f1)}), noop.clone());
            })
        };
        let logout = {
            let run = run.clone();
            let noop = noop.clone();
            Callback::from(move |_| run("logout", json!({}), noop.clone()))
        };
        return html! {
            <main class="shift">
                if let Dialog::Report(r, true) = &*dialog { { views::report(r, true, locale) } }
                <form onsubmit={ onsubmit }>
                    <label>{ t(locale, "float") }</label>
                    <input ref={ f1 } inputmode="decimal" value="0" autofocus=true data-testid="float" />
                    <button type="submit" data-testid="open-shift">{ t(locale, "open_shift") }</button>
                </form>
                <button onclick={ logout } data-testid="logout">{ t(locale, "logout") }</button>
                { error_box }
                { lang_button }
                { views::status_bar(&s, register.as_ref()) }
            </main>
        };
    }

    let cart: Option<Cart> = s.cart.clone();
    let has_lines = cart.as_ref().is_some_and(|c| !c.lines.is_empty());

    // The scan field: a scanner types the code and Enter, like a keyboard.
    // Not a barcode or SKU but words: search by name and offer what matches.
    let on_scan = {
        let scan = scan.clone();
        let dialog = dialog.clone();
        let message = message.clone();
        let refresh = refresh.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (qty, code) = split_qty(&value(&scan));
            clear(&scan);
            if code.is_empty() {
                return;
            }
            let (dialog, message, refresh) = (dialog.clone(), message.clone(), refresh.clone());
            spawn_local(async move {
                match call::<serde_json::Value>("add_item", json!({"code": code, "qty": qty})).await
                {
                    Ok(_) => message.set(None),
                    Err(ApiError {
                        code: c,
                        message: m,
                    }) if c == "unknown_product" => {
                        match call::<Vec<Product>>("search", json!({"text": code})).await {
                            Ok(found) if !found.is_empty() => {
                                message.set(None);
                                dialog.set(Dialog::Search(found));
                            }
                            _ => message.set(Some(error(locale, &c, &m))),
                        }
                    }
                    Err(ApiError {
                        code: c,
                        message: m,
                    }) => message.set(Some(error(locale, &c, &m))),
                }
                refresh.emit(());
            });
        })
    };

    // Keyboard: the usual till keys, Esc backs out (twice when typed input would be lost).
    let onkeydown = {
        let dialog = dialog.clone();
        let run = run.clone();
        let scan = scan.clone();
        let armed_esc = armed_esc.clone();
        let message = message.clone();
        let (f1, f2) = (f1.clone(), f2.clone());
        let noop = noop.clone();
        let touched = touched.clone();
        Callback::from(move |e: KeyboardEvent| {
            touched.emit(());
            let key = e.key();
            // An Esc asking "again to drop it" only counts when the next key is Esc.
            if key != "Escape" && *armed_esc {
                armed_esc.set(false);
            }
            let handled = match key.as_str() {
                "F2" => {
                    dialog.set(Dialog::None);
                    focus(&scan);
                    true
                }
                "F3" => {
                    dialog.set(Dialog::Customer);
                    true
                }
                "F4" if has_lines => {
                    run("park", json!({}), noop.clone());
                    true
                }
                "F5" => {
                    run("parked", json!({}), show(&dialog, Dialog::Parked));
                    true
                }
                "F6" => {
                    dialog.set(Dialog::Return);
                    true
                }
                "F7" => {
                    dialog.set(Dialog::Cash);
                    true
                }
                "F8" if has_lines => {
                    dialog.set(Dialog::Discount);
                    true
                }
                "F9" if has_lines => {
                    dialog.set(Dialog::Pay);
                    true
                }
                "Enter" if e.ctrl_key() && has_lines => {
                    dialog.set(Dialog::Pay);
                    true
                }
                "F10" => {
                    let report = |r| Dialog::Report(Box::new(r), false);
                    run("x_report", json!({}), show(&dialog, report));
                    true
                }
                "F12" => {
                    let settings = |s| Dialog::Settings(s, None);
                    run("settings", json!({}), show(&dialog, settings));
                    true
                }
                "Escape" => {
                    let typed = !value(&f1).is_empty()
                        || !value(&f2).is_empty()
                        || !value(&scan).is_empty();
                    if typed && !*armed_esc {
                        armed_esc.set(true);
                        message.set(Some(t(locale, "confirm_lose")));
                    } else {
                        armed_esc.set(false);
                        message.set(None);
                        clear(&scan);
                        dialog.set(Dialog::None);
                        focus(&scan);
                    }
                    true
                }
                _ => false,
            };
            if handled {
                e.prevent_default();
            }
        })
    };

    let ctx = Ctx {
        run: {
            let run = run.clone();
            Callback::from(move |(cmd, args, done)| run(cmd, args, done))
        },
        dialog: dialog.clone(),
        locale,
        fields: [f1.clone(), f2.clone(), f3.clone(), f4.clone()],
        scan: scan.clone(),
    };
    let dialog_html = dialogs::render(&ctx, cart.as_ref());
    let button = |key: &str, label: &str, testid: &str, d: Dialog| {
        let dialog = dialog.clone();
        let onclick = Callback::from(move |_| dialog.set(d.clone()));
        html! {
            <button data-testid={ testid.to_owned() } onclick={ onclick }>
                if !key.is_empty() { <kbd>{ key }</kbd> }
                { t(locale, label) }
            </button>
        }
    };
    let park = {
        let run = run.clone();
        let noop = noop.clone();
        Callback::from(move |_| run("park", json!({}), noop.clone()))
    };
    let open_settings = {
        let run = run.clone();
        let dialog = dialog.clone();
        Callback::from(move |_| {
            let settings = |s| Dialog::Settings(s, None);
            run("settings", json!({}), show(&dialog, settings))
        })
    };
    let parked = {
        let run = run.clone();
        let dialog = dialog.clone();
        Callback::from(move |_| run("parked", json!({}), show(&dialog, Dialog::Parked)))
    };
    // A sale awaits its fiscal receipt: say why, offer the retry (nothing new starts).
    let fiscal_banner = if s.fiscal.pending > 0 {
        let retry = {
            let run = run.clone();
            let refresh_register = refresh_register.clone();
            Callback::from(move |_| {
                let refresh_register = refresh_register.clone();
                run(
                    "retry_fiscal",
                    json!({}),
                    Callback::from(move |_| refresh_register.emit(())),
                )
            })
        };
        let why = s
            .fiscal
            .code
            .as_deref()
            .map(|c| t(locale, c))
            .unwrap_or_default();
        html! {
            <div class="fiscal-pending" data-testid="fiscal-pending">
                <span>{ format!("{}: {why}", t(locale, "fiscal_pending")) }</span>
                <button data-testid="fiscal-retry" onclick={ retry }>{ t(locale, "retry") }</button>
            </div>
        }
    } else {
        html! {}
    };
    html! {
        <main class="sale" onkeydown={ onkeydown } onclick={ touched.reform(|_| ()) }>
            <header>
                <form class="scan" onsubmit={ on_scan }>
                    <input ref={ scan.clone() } placeholder={ t(locale, "scan") } autofocus=true autocomplete="off" data-testid="scan" />
                </form>
                { lang_button }
            </header>
            <nav class="quick" data-testid="quick-keys">
            { for popular.iter().enumerate().map(|(i, p)| {
                let run = run.clone();
                let sku = p.sku.clone();
                let noop = noop.clone();
                let onclick = Callback::from(move |_| run("add_item", json!({"code": sku}), noop.clone()));
                html! { <button data-testid={ format!("quick-{i}") } onclick={ onclick }>{ &p.name }</button> }
            }) }
            </nav>
            { fiscal_banner }
            { error_box }
            { views::cart(cart.as_ref(), locale) }
            { dialog_html }
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
            { views::status_bar(&s, register.as_ref()) }
        </main>
    }
}
