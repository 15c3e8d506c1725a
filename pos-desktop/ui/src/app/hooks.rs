//! The window's state hooks: the engine's status with the idle lock, the register's status,
//! the quick keys, and the scans that arrive while no field has the focus.

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::json;
use shared_model::Locale;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{call, ApiError, Product, RegisterView, Status};
use crate::dialogs::{Call, Dialog};
use crate::i18n::{error, t};

/// The engine's state (`None` until the first answer), whether the till is set up at all,
/// and the reload every action ends with. Reloads every 5 s (sync state, live prices) and
/// logs out after the idle limit while someone is logged in.
#[hook]
pub fn use_status(
    last_input: Rc<RefCell<f64>>,
) -> (
    UseStateHandle<Option<Status>>,
    UseStateHandle<bool>,
    Callback<()>,
) {
    let status = use_state(|| None::<Status>);
    // The shell has no till yet: the first start's setup screen shows instead.
    let unset = use_state_eq(|| false);
    // Read by the timer: a state handle captured by the timer would only ever see the first
    // render's value.
    let idle_limit = use_mut_ref(|| None::<u32>);
    *idle_limit.borrow_mut() = status
        .as_ref()
        .filter(|s| s.cashier.is_some())
        .map(|s| s.idle_lock_minutes);
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
        let refresh = refresh.clone();
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
    (status, unset, refresh)
}

/// The register's own status (a call to the register, unlike the engine's status), asked
/// every 15 s and whenever the count of documents awaiting a receipt changes.
#[hook]
pub fn use_register(pending: Option<u32>) -> (UseStateHandle<Option<RegisterView>>, Callback<()>) {
    let register = use_state(|| None::<RegisterView>);
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
        use_effect_with(pending, move |_| {
            refresh_register.emit(());
            let again = refresh_register.clone();
            let timer = gloo_timers::callback::Interval::new(15_000, move || again.emit(()));
            move || drop(timer)
        });
    }
    (register, refresh_register)
}

/// Quick keys: the goods this till sells most, loaded when the shift opens.
#[hook]
pub fn use_popular(shift_open: bool) -> UseStateHandle<Vec<Product>> {
    let popular = use_state(Vec::<Product>::new);
    {
        let popular = popular.clone();
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
    popular
}

/// Keys that land on no field go to the one they were meant for (`focus::Rescuer`); a scan
/// typed with no field focused is held and goes on the sale once no dialog is open.
#[hook]
pub fn use_held_scans(
    locale: Locale,
    dialog: UseStateHandle<Dialog>,
    message: UseStateHandle<Option<String>>,
    refresh: Callback<()>,
) {
    let held = use_mut_ref(Vec::<String>::new);
    // What the page-level handler (installed once) needs to know of the render shown.
    let shown = use_mut_ref(|| (Locale::default(), Dialog::None));
    *shown.borrow_mut() = (locale, (*dialog).clone());
    // Adds the held scans to the sale, saying what could not be added.
    let add_held = {
        let (held, message, shown) = (held.clone(), message.clone(), shown.clone());
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
    let open = !matches!(*dialog, Dialog::None);
    {
        let add_held = add_held.clone();
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
    // Scans held while a dialog was open go on the sale once it closes.
    use_effect_with(open, move |open| {
        if !*open {
            add_held.emit(());
        }
    });
}

/// Runs an engine call: on success `done` gets its answer, on failure the message shows;
/// the state is reloaded either way.
pub fn runner(
    message: UseStateHandle<Option<String>>,
    refresh: Callback<()>,
    locale: Locale,
) -> Callback<Call> {
    Callback::from(move |(cmd, args, done): Call| {
        let (message, refresh) = (message.clone(), refresh.clone());
        spawn_local(async move {
            match call::<serde_json::Value>(cmd, args).await {
                Ok(v) => {
                    message.set(None);
                    done.emit(v);
                }
                Err(ApiError { code, message: m }) => message.set(Some(error(locale, &code, &m))),
            }
            refresh.emit(());
        });
    })
}
