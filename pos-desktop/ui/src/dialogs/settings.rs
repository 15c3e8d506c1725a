//! The till's settings dialog.

use serde_json::json;
use yew::prelude::*;

use super::{show, value, Ctx, Dialog};
use crate::api::TillSettings;
use crate::i18n::t;

/// The settings dialog: printer and idle lock, saved together; a test page on demand.
pub(super) fn settings(c: &Ctx, current: TillSettings, note: Option<String>) -> Html {
    let (run, dialog, locale) = (&c.run, &c.dialog, c.locale);
    let [f1, f2, f3, _] = c.fields.clone();
    let suffix = NodeRef::default();
    let onsubmit = {
        let (f1, f2, f3, suffix) = (f1.clone(), f2.clone(), f3.clone(), suffix.clone());
        let done = show(dialog, move |s| {
            Dialog::Settings(s, Some(t(locale, "saved")))
        });
        let run = run.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let suffix = suffix
                .cast::<web_sys::HtmlSelectElement>()
                .map(|s| s.value())
                .unwrap_or_default();
            let args = json!({"printer": value(&f1), "idleLockMinutes": value(&f2),
                              "scannerPrefix": value(&f3), "scannerSuffix": suffix});
            run.emit(("save_settings", args, done.clone()));
        })
    };
    let test_print = {
        let current = current.clone();
        let done = show(dialog, move |to: String| {
            Dialog::Settings(
                current.clone(),
                Some(format!("{}: {to}", t(locale, "printed_to"))),
            )
        });
        let run = run.clone();
        Callback::from(move |_| run.emit(("test_print", json!({}), done.clone())))
    };
    html! {
        <section class="dialog" data-testid="settings-dialog">
            <h2>{ t(locale, "settings") }</h2>
            <form onsubmit={ onsubmit }>
                <label for="settings-printer">{ t(locale, "printer_label") }</label>
                <input id="settings-printer" ref={ f1 } data-initial={ current.printer.clone() } autofocus=true autocomplete="off" data-testid="settings-printer" />
                <small>{ t(locale, "printer_hint") }</small>
                <label for="settings-idle">{ t(locale, "idle_lock") }</label>
                <input id="settings-idle" ref={ f2 } inputmode="numeric" data-initial={ current.idle_lock_minutes.to_string() } data-testid="settings-idle" />
                <label for="settings-prefix">{ t(locale, "scanner_prefix") }</label>
                <input id="settings-prefix" ref={ f3 } data-initial={ current.scanner_prefix.clone() } autocomplete="off" data-testid="settings-scanner-prefix" />
                <label for="settings-suffix">{ t(locale, "scanner_suffix") }</label>
                <select id="settings-suffix" ref={ suffix } data-testid="settings-scanner-suffix">
                    { for shared_model::keyboard::SUFFIXES.iter().map(|k| html! {
                        <option value={ *k } selected={ current.scanner_suffix == *k }>{ *k }</option>
                    }) }
                </select>
                <button type="submit" data-testid="settings-save">{ t(locale, "save") }</button>
            </form>
            <button onclick={ test_print } data-testid="settings-test-print">{ t(locale, "test_print") }</button>
            if let Some(n) = note { <div class="printed" data-testid="settings-note">{ n }</div> }
        </section>
    }
}
