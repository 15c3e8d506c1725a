//! Where the next keystroke goes. The HTML `autofocus` attribute works only at page load,
//! and a till's screens and dialogs come and go without one, so focus is set in code: the
//! element last rendered with `autofocus` (a dialog's first field follows the scan field
//! in the page) takes it whenever the screen or the dialog changes, and a key that reaches
//! no field at all is handed to that element instead of being lost.

use std::cell::RefCell;

use shared_model::keyboard::{KeyVerdict, ScanDetector, ScannerSetup};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement, KeyboardEvent, KeyboardEventInit};
use yew::Callback;

thread_local! {
    /// Every key press of the page goes past it (capture phase, before any field).
    static DETECTOR: RefCell<ScanDetector> = RefCell::new(ScanDetector::new(ScannerSetup::default()));
    /// The field a burst began in, as it was then (to undo a burst typed into it).
    static BURST_START: RefCell<Option<(HtmlInputElement, Before)>> = const { RefCell::new(None) };
}

/// Listens for the store's scanner keys from now on (the till's settings).
pub fn set_scanner(setup: ScannerSetup) {
    DETECTOR.with(|d| {
        if *d.borrow().setup() != setup {
            *d.borrow_mut() = ScanDetector::new(setup);
        }
    });
}

/// A field's text and selection before a burst typed over it.
#[derive(Clone, Default)]
struct Before {
    /// The text, as UTF-16 (the unit of the selection's offsets).
    text: Vec<u16>,
    /// The selection (or the caret: an empty one).
    start: u32,
    end: u32,
}

impl Before {
    fn of(field: &HtmlInputElement) -> Before {
        let text: Vec<u16> = field.value().encode_utf16().collect();
        let len = text.len() as u32;
        let start = field
            .selection_start()
            .ok()
            .flatten()
            .unwrap_or(len)
            .min(len);
        let end = field
            .selection_end()
            .ok()
            .flatten()
            .unwrap_or(len)
            .clamp(start, len);
        Before { text, start, end }
    }

    /// The text with `code` typed over the selection, as the scanner meant it.
    fn with(&self, code: &str) -> String {
        let (start, end) = (self.start as usize, self.end as usize);
        let mut out = String::from_utf16_lossy(&self.text[..start]);
        out.push_str(code);
        out.push_str(&String::from_utf16_lossy(&self.text[end..]));
        out
    }

    /// Puts the field back as it was: text and selection (the amount due stays selected,
    /// so what the cashier types next still replaces it).
    fn restore(&self, field: &HtmlInputElement) {
        field.set_value(&String::from_utf16_lossy(&self.text));
        let _ = field.set_selection_range(self.start, self.end);
    }
}

fn focused_input() -> Option<HtmlInputElement> {
    web_sys::window()?
        .document()?
        .active_element()?
        .dyn_into()
        .ok()
}

/// Whether a dialog is over the sale screen.
fn dialog_open() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(".dialog").ok().flatten())
        .is_some()
}

/// What a scanned code field does once it holds the code: submit its form (a customer
/// card, a certificate), or, marked `data-code="next"`, go on to the next field (a
/// receipt number: which lines come back is still to be said).
fn after_code(field: &HtmlInputElement) {
    let Some(form) = field.form() else { return };
    if field.get_attribute("data-code").as_deref() != Some("next") {
        let _ = form.request_submit();
        return;
    }
    let Ok(inputs) = form.query_selector_all("input") else {
        return;
    };
    let next = (0..inputs.length())
        .filter_map(|i| inputs.item(i)?.dyn_into::<HtmlInputElement>().ok())
        .skip_while(|i| i != field)
        .nth(1);
    if let Some(next) = next {
        let _ = next.focus();
    }
}

/// A scan is never lost and never typed into an amount: a burst that ends in the scan
/// field is goods; in a code field (customer card, certificate, receipt number) it
/// stays there, read back from the Russian layout; anywhere else, or in the scan field
/// while a dialog is open, it is taken out again and held. (On the PIN and float
/// screens there is no sale to add to: fast keys are just typing.)
fn route(e: &KeyboardEvent, on_held: &Callback<String>) {
    let key = e.key();
    let first = DETECTOR.with(|d| d.borrow().is_idle(e.time_stamp()));
    if first && key.chars().count() == 1 {
        let start = focused_input().map(|i| {
            let b = Before::of(&i);
            (i, b)
        });
        BURST_START.with(|b| *b.borrow_mut() = start);
    }
    let verdict = DETECTOR.with(|d| d.borrow_mut().key(&key, e.time_stamp()));
    let KeyVerdict::Scan(code) = verdict else {
        return;
    };
    let start = BURST_START.with(|b| b.borrow_mut().take());
    let field = focused_input();
    let testid = field
        .as_ref()
        .and_then(|f| f.get_attribute("data-testid"))
        .unwrap_or_default();
    if matches!(testid.as_str(), "pin" | "float") {
        return;
    }
    // Keys that began in one field and ended in another are a person (or a test
    // driver) typing fast, not one scan.
    let began_here = match (&start, &field) {
        (Some((s, _)), Some(f)) => s == f,
        (None, None) => true,
        _ => false,
    };
    if !began_here {
        return;
    }
    let before = start.map(|(_, b)| b);
    // The suffix key's own effect (Enter submitting, Tab moving on) is replaced by ours.
    e.prevent_default();
    e.stop_propagation();
    match field {
        Some(f) if (testid == "scan" && !dialog_open()) || f.has_attribute("data-code") => {
            f.set_value(&before.unwrap_or_default().with(&code));
            if testid == "scan" {
                let _ = f.form().map(|form| form.request_submit());
            } else {
                after_code(&f);
            }
        }
        field => {
            if let (Some(f), Some(b)) = (field, before) {
                b.restore(&f);
            }
            on_held.emit(code);
        }
    }
}

/// The element the next keystroke belongs to: the last one marked `autofocus`.
fn target() -> Option<HtmlElement> {
    let doc = web_sys::window()?.document()?;
    let all = doc.query_selector_all("[autofocus]").ok()?;
    all.item(all.length().checked_sub(1)?)?.dyn_into().ok()
}

/// Gives each field marked `data-initial` that value when it first appears or the value
/// itself changes (the amount due after a payment), never on any other render. (A Yew
/// `value` attribute is written back on every render, and the till re-renders every few
/// seconds with its status: an amount being typed would be replaced under the cashier's
/// fingers.)
pub fn preset() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(all) = doc.query_selector_all("input[data-initial]") else {
        return;
    };
    let active = doc.active_element();
    for i in 0..all.length() {
        let Some(input) = all
            .item(i)
            .and_then(|n| n.dyn_into::<HtmlInputElement>().ok())
        else {
            continue;
        };
        let initial = input.get_attribute("data-initial").unwrap_or_default();
        if input.get_attribute("data-preset").as_deref() == Some(initial.as_str()) {
            continue;
        }
        input.set_value(&initial);
        let _ = input.set_attribute("data-preset", &initial);
        if active.as_ref() == Some(input.as_ref()) {
            input.select();
        }
    }
}

/// Focuses the element the next keystroke belongs to (after a screen or dialog renders),
/// its text selected, so that typing replaces a suggested value (the amount due, the
/// float) and Enter accepts it.
pub fn settle() {
    if let Some(el) = target() {
        let _ = el.focus();
        if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
            input.select();
        }
    }
}

/// Whether the key would be lost where the focus is: on the page itself, or a
/// character on a button of the sale screen (after a click on it), which types nothing.
fn lost(e: &KeyboardEvent) -> bool {
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    let Some(a) = active else { return true };
    let tag = a.tag_name().to_ascii_lowercase();
    if tag == "body" {
        return true;
    }
    let typed = e.key().chars().count() == 1 && e.key() != " ";
    let field = matches!(tag.as_str(), "input" | "textarea" | "select");
    typed && !field && a.closest(".dialog").ok().flatten().is_none()
}

/// A key that found no field: focus the right one and give it the key, as typing
/// into it would have (a character is added; Enter submits or presses; other keys,
/// such as F9, reach the window's key handling through the field).
fn rescue(e: &KeyboardEvent) {
    if !lost(e) {
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

/// Installs the page-level key handling (scans routed, keys that land nowhere caught);
/// `on_held` gets each scan that could not go on the sale at once. Dropping the guard
/// removes it.
pub struct Rescuer(Option<Closure<dyn Fn(KeyboardEvent)>>);

impl Rescuer {
    /// Listens on the document, before any field (capture phase).
    pub fn install(on_held: Callback<String>) -> Rescuer {
        let cb = Closure::<dyn Fn(KeyboardEvent)>::new(move |e: KeyboardEvent| {
            route(&e, &on_held);
            if !e.default_prevented() {
                rescue(&e);
            }
        });
        let doc = web_sys::window().and_then(|w| w.document());
        match doc {
            Some(d) => {
                let _ = d.add_event_listener_with_callback_and_bool(
                    "keydown",
                    cb.as_ref().unchecked_ref(),
                    true,
                );
                Rescuer(Some(cb))
            }
            None => Rescuer(None),
        }
    }
}

impl Drop for Rescuer {
    fn drop(&mut self) {
        if let (Some(cb), Some(d)) = (self.0.take(), web_sys::window().and_then(|w| w.document())) {
            let _ = d.remove_event_listener_with_callback_and_bool(
                "keydown",
                cb.as_ref().unchecked_ref(),
                true,
            );
        }
    }
}
