//! Where the next keystroke goes. The HTML `autofocus` attribute works only at page load,
//! and a till's screens and dialogs come and go without one, so focus is set in code: the
//! element last rendered with `autofocus` (a dialog's first field follows the scan field
//! in the page) takes it whenever the screen or the dialog changes, and a key that reaches
//! no field at all is handed to that element instead of being lost.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement, KeyboardEvent, KeyboardEventInit};

/// The element the next keystroke belongs to: the last one marked `autofocus`.
fn target() -> Option<HtmlElement> {
    let doc = web_sys::window()?.document()?;
    let all = doc.query_selector_all("[autofocus]").ok()?;
    all.item(all.length().checked_sub(1)?)?.dyn_into().ok()
}

/// Focuses the element the next keystroke belongs to (after a screen or dialog renders).
pub fn settle() {
    if let Some(el) = target() {
        let _ = el.focus();
    }
}

/// Whether no field holds the focus (it sits on the page itself).
fn nowhere() -> bool {
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    active.is_none_or(|a| a.tag_name().eq_ignore_ascii_case("body"))
}

/// A key that found no field: focus the right one and give it the key, as typing
/// into it would have (a character is added; Enter submits or presses; other keys,
/// such as F9, reach the window's key handling through the field).
fn rescue(e: &KeyboardEvent) {
    if !nowhere() {
        return;
    }
    let Some(el) = target() else { return };
    let _ = el.focus();
    let key = e.key();
    let printable = key.chars().count() == 1 && !e.ctrl_key() && !e.alt_key() && !e.meta_key();
    if printable {
        if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
            input.set_value(&format!("{}{key}", input.value()));
        }
    } else if key == "Enter" && !e.ctrl_key() {
        match el.dyn_ref::<HtmlInputElement>().and_then(|i| i.form()) {
            Some(form) => {
                let _ = form.request_submit();
            }
            None => el.click(),
        }
    } else {
        let init = KeyboardEventInit::new();
        init.set_key(&key);
        init.set_bubbles(true);
        init.set_cancelable(true);
        init.set_ctrl_key(e.ctrl_key());
        init.set_shift_key(e.shift_key());
        if let Ok(again) = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init) {
            let _ = el.dispatch_event(&again);
        }
    }
    e.prevent_default();
}

/// Installs the page-level catch for keys that reach no field; dropping the guard
/// removes it.
pub struct Rescuer(Option<Closure<dyn Fn(KeyboardEvent)>>);

impl Rescuer {
    /// Listens on the document for keys that land nowhere.
    pub fn install() -> Rescuer {
        let cb = Closure::<dyn Fn(KeyboardEvent)>::new(|e: KeyboardEvent| rescue(&e));
        let doc = web_sys::window().and_then(|w| w.document());
        match doc {
            Some(d) => {
                let _ = d.add_event_listener_with_callback("keydown", cb.as_ref().unchecked_ref());
                Rescuer(Some(cb))
            }
            None => Rescuer(None),
        }
    }
}

impl Drop for Rescuer {
    fn drop(&mut self) {
        if let (Some(cb), Some(d)) = (self.0.take(), web_sys::window().and_then(|w| w.document())) {
            let _ = d.remove_event_listener_with_callback("keydown", cb.as_ref().unchecked_ref());
        }
    }
}
