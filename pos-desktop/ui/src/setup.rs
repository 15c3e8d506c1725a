//! The first start's screen: head office's address and this till's enrollment code
//! (or the demo catalog). Shown while the shell has no till; the shell does the work.

use serde::Deserialize;
use serde_json::json;
use shared_model::Locale;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{call, ApiError};
use crate::dialogs::value;
use crate::i18n::{error, t};

/// What the shell knows before there is a till.
#[derive(Debug, Clone, PartialEq, Deserialize)]
struct SetupInfo {
    data_dir: String,
    server: Option<String>,
    error: Option<ApiError>,
}

/// The setup screen's inputs.
#[derive(Properties, PartialEq)]
pub struct Props {
    /// Called once a till exists.
    pub on_done: Callback<()>,
}

/// The setup screen.
#[function_component(Setup)]
pub fn setup(props: &Props) -> Html {
    let locale = use_state(|| Locale::Ru);
    let info = use_state(|| None::<SetupInfo>);
    let failure = use_state(|| None::<ApiError>);
    let busy = use_state(|| false);
    let (server, code) = (use_node_ref(), use_node_ref());
    {
        // The address given on the command line or in the provisioning file is typed in
        // once; the field is the user's from then on (a bound value would reset it on
        // every render).
        let (info, failure, field) = (info.clone(), failure.clone(), server.clone());
        use_effect_with((), move |_| {
            spawn_local(async move {
                if let Ok(i) = call::<SetupInfo>("setup_info", json!({})).await {
                    if let (Some(s), Some(input)) =
                        (&i.server, field.cast::<web_sys::HtmlInputElement>())
                    {
                        input.set_value(s);
                    }
                    failure.set(i.error.clone());
                    info.set(Some(i));
                }
            });
        });
    }
    // Runs one setup command; a failure stays on screen, success hands over to the till.
    let run = {
        let (failure, busy, on_done) = (failure.clone(), busy.clone(), props.on_done.clone());
        move |cmd: &'static str, args: serde_json::Value| {
            let (failure, busy, on_done) = (failure.clone(), busy.clone(), on_done.clone());
            busy.set(true);
            spawn_local(async move {
                let r = call::<()>(cmd, args).await;
                busy.set(false);
                match r {
                    Ok(()) => on_done.emit(()),
                    Err(e) => failure.set(Some(e)),
                }
            });
        }
    };
    let onsubmit = {
        let (run, server, code) = (run.clone(), server.clone(), code.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            run(
                "enroll",
                json!({"server": value(&server).trim(), "code": value(&code).trim()}),
            );
        })
    };
    let demo = Callback::from(move |_| run("start_demo", json!({})));
    let toggle = {
        let locale = locale.clone();
        Callback::from(move |_| {
            locale.set(if *locale == Locale::Ru {
                Locale::En
            } else {
                Locale::Ru
            })
        })
    };
    let l = *locale;
    let i = (*info).clone();
    html! {
        <main class="login setup" data-testid="setup">
            <h1>{ t(l, "setup_title") }</h1>
            <form onsubmit={ onsubmit }>
                <label for="setup-server">{ t(l, "server") }</label>
                <input ref={ server } id="setup-server" type="url" autofocus=true
                    placeholder="https://pos.example.ru" data-testid="setup-server" />
                <label for="setup-code">{ t(l, "enrollment_code") }</label>
                <input ref={ code } id="setup-code" autocomplete="off" autocapitalize="characters"
                    data-testid="setup-code" />
                <small>{ t(l, "setup_hint") }</small>
                <button type="submit" disabled={ *busy } data-testid="setup-enroll">
                    { if *busy { t(l, "enrolling") } else { t(l, "enroll") } }
                </button>
            </form>
            if let Some(e) = &*failure {
                <div class="error" role="alert" data-testid="error">{ error(l, &e.code, &e.message) }</div>
            }
            <button onclick={ demo } disabled={ *busy } data-testid="setup-demo">{ t(l, "demo") }</button>
            <button class="lang" data-testid="lang" onclick={ toggle }>{ t(l, "lang") }</button>
            if let Some(i) = &i {
                <footer class="status"><span>{ t(l, "data_dir") }{ ": " }{ &i.data_dir }</span></footer>
            }
        </main>
    }
}
