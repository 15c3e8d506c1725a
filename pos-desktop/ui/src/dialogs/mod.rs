//! The dialogs over the sale screen: payment, receipt, reports, returns, parked sales,
//! search results and the small one-field forms.

mod forms;
mod sale;
mod settings;

use shared_model::shift::ShiftReport;
use shared_model::Locale;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::api::{Cart, Parked, Printed, Product, TillSettings};

/// An engine call: command, arguments, and what to do with the answer.
pub type Call = (&'static str, serde_json::Value, Callback<serde_json::Value>);

/// What the dialogs need from the window.
#[derive(Clone)]
pub struct Ctx {
    /// Runs an engine call (errors show in the window's error line).
    pub run: Callback<Call>,
    /// The dialog shown.
    pub dialog: UseStateHandle<Dialog>,
    /// Language.
    pub locale: Locale,
    /// Up to four input fields of the dialog shown.
    pub fields: [NodeRef; 4],
    /// The scan field (focus returns to it).
    pub scan: NodeRef,
}

impl Ctx {
    /// Runs an engine call; `done` gets its answer.
    fn call(&self, cmd: &'static str, args: serde_json::Value, done: Callback<serde_json::Value>) {
        self.run.emit((cmd, args, done));
    }

    /// Runs an engine call whose answer the state reload shows.
    fn act(&self, cmd: &'static str, args: serde_json::Value) {
        self.call(cmd, args, Callback::from(|_: serde_json::Value| ()));
    }

    /// A callback that opens `d`, whatever the answer.
    fn to(&self, d: Dialog) -> Callback<serde_json::Value> {
        let dialog = self.dialog.clone();
        Callback::from(move |_: serde_json::Value| dialog.set(d.clone()))
    }
}

/// A dialog over the sale screen.
#[derive(Clone, PartialEq)]
pub enum Dialog {
    None,
    Pay,
    Receipt(Printed),
    Report(Box<ShiftReport>, bool),
    CloseShift,
    Return,
    Parked(Vec<Parked>),
    Search(Vec<Product>),
    Customer,
    Coupon,
    Discount,
    Void,
    Cash,
    Reprint,
    /// The till's settings, with a note of what the last action did.
    Settings(TillSettings, Option<String>),
}

pub fn value(r: &NodeRef) -> String {
    r.cast::<HtmlInputElement>()
        .map(|i| i.value())
        .unwrap_or_default()
}

pub fn clear(r: &NodeRef) {
    if let Some(i) = r.cast::<HtmlInputElement>() {
        i.set_value("");
    }
}

pub fn focus(r: &NodeRef) {
    if let Some(i) = r.cast::<HtmlInputElement>() {
        let _ = i.focus();
    }
}

/// A callback that shows the engine's answer in a dialog (`make` builds it).
pub fn show<T: serde::de::DeserializeOwned + 'static>(
    dialog: &UseStateHandle<Dialog>,
    make: impl Fn(T) -> Dialog + 'static,
) -> Callback<serde_json::Value> {
    let dialog = dialog.clone();
    Callback::from(move |v: serde_json::Value| {
        if let Ok(answer) = serde_json::from_value(v) {
            dialog.set(make(answer));
        }
    })
}

/// The dialog shown now, if any.
pub fn render(c: &Ctx, cart: Option<&Cart>) -> Html {
    match (*c.dialog).clone() {
        Dialog::None => html! {},
        Dialog::Pay => sale::pay(c, cart),
        Dialog::Receipt(p) => sale::receipt(c, p),
        Dialog::Search(found) => sale::search(c, &found),
        Dialog::Parked(list) => sale::parked(c, &list),
        Dialog::Report(r, z) => forms::report(c, &r, z),
        Dialog::CloseShift => forms::close_shift(c),
        Dialog::Return => forms::return_goods(c),
        Dialog::Settings(current, note) => settings::settings(c, current, note),
        kind @ (Dialog::Customer
        | Dialog::Coupon
        | Dialog::Discount
        | Dialog::Void
        | Dialog::Cash
        | Dialog::Reprint) => forms::one_field(c, kind),
    }
}
