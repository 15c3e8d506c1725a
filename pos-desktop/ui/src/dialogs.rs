//! The dialogs over the sale screen: payment, receipt, reports, returns, parked sales,
//! search results and the small one-field forms.

use serde_json::json;
use shared_model::shift::ShiftReport;
use shared_model::Locale;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::api::{Cart, Parked, Printed, Product, TillSettings};
use crate::i18n::t;
use crate::views;

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
    let Ctx {
        run,
        dialog,
        locale,
        fields: [f1, f2, f3, f4],
        scan,
    } = c.clone();
    let run =
        move |cmd: &'static str, args: serde_json::Value, done: Callback<serde_json::Value>| {
            run.emit((cmd, args, done))
        };
    let noop = Callback::from(|_: serde_json::Value| ());
    let to = |d: Dialog| {
        let dialog = dialog.clone();
        Callback::from(move |_: serde_json::Value| dialog.set(d.clone()))
    };
    match (*dialog).clone() {
        Dialog::None => html! {},
        Dialog::Pay => {
            let due = cart
                .as_ref()
                .map(|c| c.due.to_decimal_string())
                .unwrap_or_default();
            let paid_in_full = cart
                .as_ref()
                .is_some_and(|c| !c.payments.is_empty() && c.due.is_zero());
            let complete = {
                let run = run.clone();
                let dialog = dialog.clone();
                Callback::from(move |_| {
                    let dialog = dialog.clone();
                    run("complete", json!({}), show(&dialog, Dialog::Receipt));
                })
            };
            let pay = |tender: &'static str| {
                let run = run.clone();
                let (f1, f2, f3) = (f1.clone(), f2.clone(), f3.clone());
                let noop = noop.clone();
                let complete = complete.clone();
                Callback::from(move |e: SubmitEvent| {
                    e.prevent_default();
                    let amount = value(&f1);
                    // Paid in full (nothing more can be taken): Enter completes the sale.
                    if tender == "cash" && paid_in_full {
                        complete.emit(());
                        return;
                    }
                    let extra = value(&f2);
                    let args = match tender {
                        "card" => json!({"tender": "card", "amount": amount, "approval": extra}),
                        "certificate" => {
                            json!({"tender": "certificate", "amount": amount, "certificate": value(&f3)})
                        }
                        _ => json!({"tender": "cash", "amount": amount}),
                    };
                    run("pay", args, noop.clone());
                    clear(&f1);
                })
            };
            let unpay = {
                let run = run.clone();
                let noop = noop.clone();
                Callback::from(move |_| run("unpay", json!({}), noop.clone()))
            };
            // The customer's e-mail or phone: the register sends the receipt there too.
            let receipt_to = cart.as_ref().and_then(|c| c.receipt_to.clone());
            let send_to = {
                let run = run.clone();
                let noop = noop.clone();
                let f4 = f4.clone();
                Callback::from(move |e: SubmitEvent| {
                    e.prevent_default();
                    run(
                        "send_receipt_to",
                        json!({"contact": value(&f4)}),
                        noop.clone(),
                    );
                })
            };
            html! {
                <section class="dialog pay" data-testid="pay-dialog">
                    <h2>{ t(locale, "pay") }</h2>
                    <form onsubmit={ pay("cash") }>
                        <label>{ t(locale, "amount") }</label>
                        <input ref={ f1.clone() } inputmode="decimal" data-initial={ due } autofocus=true data-testid="pay-amount" />
                        <button type="submit" data-testid="pay-cash">{ format!("{} (Enter)", t(locale, "cash")) }</button>
                    </form>
                    <form onsubmit={ pay("card") }>
                        <input ref={ f2.clone() } placeholder={ t(locale, "approval") } data-testid="pay-approval" data-code="1" />
                        <button type="submit" data-testid="pay-card">{ t(locale, "card") }</button>
                    </form>
                    <form onsubmit={ pay("certificate") }>
                        <input ref={ f3.clone() } placeholder={ t(locale, "cert_code") } data-testid="pay-certificate-code" data-code="1" />
                        <button type="submit" data-testid="pay-certificate">{ t(locale, "certificate") }</button>
                    </form>
                    <form onsubmit={ send_to }>
                        <input ref={ f4.clone() } placeholder={ t(locale, "receipt_to") } data-testid="receipt-to" />
                        <button type="submit" data-testid="send-receipt-to">{ t(locale, "send_receipt") }</button>
                    </form>
                    if let Some(to) = receipt_to {
                        <p data-testid="receipt-to-shown">{ format!("{} {to}", t(locale, "receipt_goes_to")) }</p>
                    }
                    <div class="actions">
                        <button onclick={ unpay } data-testid="unpay">{ format!("{} ", t(locale, "back")) }</button>
                        <button class="primary" disabled={ !paid_in_full } onclick={ complete.reform(|_| ()) } data-testid="complete">{ t(locale, "complete") }</button>
                    </div>
                </section>
            }
        }
        Dialog::Receipt(p) => {
            let reprint = {
                let dialog = dialog.clone();
                let run = run.clone();
                let no = p.receipt_no;
                let change = p.change;
                Callback::from(move |_| {
                    let dialog = dialog.clone();
                    run(
                        "reprint",
                        json!({"receiptNo": no}),
                        show(&dialog, move |p: Printed| {
                            Dialog::Receipt(Printed { change, ..p })
                        }),
                    );
                })
            };
            let done = {
                let dialog = dialog.clone();
                let scan = scan.clone();
                Callback::from(move |_| {
                    dialog.set(Dialog::None);
                    focus(&scan);
                })
            };
            html! {
                <section class="dialog receipt" data-testid="receipt-dialog">
                    if let Some(c) = p.change { if !c.is_zero() {
                        <div class="change" data-testid="receipt-change">{ format!("{}: {}", t(locale, "change"), c.format(locale)) }</div>
                    } }
                    <pre data-testid="receipt-text">{ &p.text }</pre>
                    if let Some(to) = &p.printed_to {
                        <div class="printed" data-testid="printed-to">{ format!("{}: {to}", t(locale, "printed_to")) }</div>
                    }
                    if let Some(e) = &p.printer_error {
                        <div class="error" data-testid="printer-error">{ format!("{}: {e}", t(locale, "printer_error")) }</div>
                    }
                    <button onclick={ reprint } data-testid="reprint">{ t(locale, "reprint") }</button>
                    <button class="primary" autofocus=true onclick={ done } data-testid="new-sale">{ t(locale, "new_sale") }</button>
                </section>
            }
        }
        Dialog::Report(r, z) => {
            let close = {
                let dialog = dialog.clone();
                Callback::from(move |_| dialog.set(Dialog::CloseShift))
            };
            html! {
                <section class="dialog" data-testid="report-dialog">
                    { views::report(&r, z, locale) }
                    <button onclick={ close } autofocus=true data-testid="to-close-shift">{ t(locale, "close_shift") }</button>
                </section>
            }
        }
        Dialog::CloseShift => {
            let onsubmit = {
                let run = run.clone();
                let f1 = f1.clone();
                let dialog = dialog.clone();
                Callback::from(move |e: SubmitEvent| {
                    e.prevent_default();
                    let dialog = dialog.clone();
                    run(
                        "close_shift",
                        json!({"counted": value(&f1)}),
                        show(&dialog, |r| Dialog::Report(Box::new(r), true)),
                    );
                })
            };
            html! {
                <section class="dialog" data-testid="close-shift-dialog">
                    <form onsubmit={ onsubmit }>
                        <label>{ t(locale, "counted") }</label>
                        <input ref={ f1.clone() } inputmode="decimal" autofocus=true data-testid="counted" />
                        <button type="submit" data-testid="close-shift">{ t(locale, "close_shift") }</button>
                    </form>
                </section>
            }
        }
        Dialog::Return => {
            let onsubmit = {
                let run = run.clone();
                let (f1, f2, f3) = (f1.clone(), f2.clone(), f3.clone());
                let dialog = dialog.clone();
                Callback::from(move |e: SubmitEvent| {
                    e.prevent_default();
                    let no: u64 = value(&f1).trim().parse().unwrap_or(0);
                    // The line's number, or a marked unit's code scanned from its pack.
                    let typed = value(&f2).trim().to_owned();
                    let line: Option<u32> = typed.parse().ok();
                    let mark = Some(typed).filter(|t| line.is_none() && !t.is_empty());
                    let qty = Some(value(&f3)).filter(|q| !q.trim().is_empty());
                    let dialog = dialog.clone();
                    run(
                        "return_all",
                        json!({"receiptNo": no, "line": line, "qty": qty, "mark": mark, "reason": "возврат"}),
                        show(&dialog, Dialog::Receipt),
                    );
                })
            };
            html! {
                <section class="dialog" data-testid="return-dialog">
                    <h2>{ t(locale, "return") }</h2>
                    <form onsubmit={ onsubmit }>
                        <input ref={ f1.clone() } inputmode="numeric" placeholder={ t(locale, "receipt_no") } autofocus=true data-testid="return-receipt" data-code="next" />
                        <input ref={ f2.clone() } placeholder={ t(locale, "line_or_mark") } data-testid="return-line" data-code="submit" />
                        <input ref={ f3.clone() } inputmode="decimal" placeholder={ t(locale, "qty") } data-testid="return-qty" />
                        <button type="submit" data-testid="return-submit">{ t(locale, "return") }</button>
                    </form>
                </section>
            }
        }
        Dialog::Search(found) => html! {
            <section class="dialog" data-testid="search-dialog">
                <h2>{ t(locale, "found") }</h2>
                <ul class="found">
                { for found.iter().enumerate().map(|(i, p)| {
                    let run = run.clone();
                    let sku = p.sku.clone();
                    let to_none = to(Dialog::None);
                    let onclick = Callback::from(move |_| run("add_item", json!({"code": sku}), to_none.clone()));
                    html! {
                        <li><button data-testid={ format!("found-{i}") } onclick={ onclick } autofocus={ i == 0 }>
                            { format!("{} · {} · {}/{}", p.sku, p.name, p.price.format(locale), p.unit.label(locale)) }
                        </button></li>
                    }
                }) }
                </ul>
            </section>
        },
        Dialog::Parked(list) => html! {
            <section class="dialog" data-testid="parked-dialog">
                <h2>{ t(locale, "resume") }</h2>
                <ul>
                { for list.iter().enumerate().map(|(i, p)| {
                    let run = run.clone();
                    let id = p.id.clone();
                    let to_none = to(Dialog::None);
                    let onclick = Callback::from(move |_| run("resume", json!({"id": id}), to_none.clone()));
                    html! {
                        <li><button data-testid={ format!("resume-{i}") } onclick={ onclick }>
                            { format!("{} · {} · {}", p.parked_at.get(11..16).unwrap_or(&p.parked_at), p.lines, p.note.clone().unwrap_or_default()) }
                        </button></li>
                    }
                }) }
                </ul>
            </section>
        },
        Dialog::Settings(current, note) => {
            settings(&c.run, &dialog, locale, [f1, f2, f3], current, note)
        }
        Dialog::Customer
        | Dialog::Coupon
        | Dialog::Discount
        | Dialog::Void
        | Dialog::Cash
        | Dialog::Reprint => {
            let kind = (*dialog).clone();
            let onsubmit = {
                let run = run.clone();
                let (f1, f2) = (f1.clone(), f2.clone());
                let to_none = to(Dialog::None);
                let dialog = dialog.clone();
                Callback::from(move |e: SubmitEvent| {
                    e.prevent_default();
                    let v = value(&f1);
                    if kind == Dialog::Reprint {
                        let dialog = dialog.clone();
                        let no: u64 = v.trim().parse().unwrap_or(0);
                        run(
                            "reprint",
                            json!({"receiptNo": no}),
                            show(&dialog, Dialog::Receipt),
                        );
                        return;
                    }
                    let (cmd, args) = match kind {
                        Dialog::Coupon => ("coupon", json!({"code": v})),
                        Dialog::Customer => ("customer", json!({"query": v})),
                        Dialog::Discount => (
                            "discount",
                            json!({"line": value(&f2).trim().parse::<usize>().ok(), "percent": v}),
                        ),
                        Dialog::Void => ("void", json!({"reason": v})),
                        _ => (
                            "cash",
                            json!({"direction": if v.trim_start().starts_with('-') { "out" } else { "in" },
                                              "amount": v.trim().trim_start_matches('-'), "reason": value(&f2)}),
                        ),
                    };
                    run(cmd, args, to_none.clone());
                })
            };
            let (title, first, second) = match *dialog {
                Dialog::Customer => ("customer", "customer_q", None),
                Dialog::Coupon => ("coupon", "coupon", None),
                Dialog::Discount => ("discount", "discount_hint", Some("line")),
                Dialog::Void => ("void", "reason", None),
                Dialog::Reprint => ("reprint", "receipt_no", None),
                _ => ("cash_in_out", "amount", Some("reason")),
            };
            html! {
                <section class="dialog" data-testid={ format!("{title}-dialog") }>
                    <h2>{ t(locale, title) }</h2>
                    <form onsubmit={ onsubmit }>
                        <input ref={ f1.clone() } placeholder={ t(locale, first) } autofocus=true data-testid={ format!("{title}-input") }
                            data-code={ matches!(title, "customer" | "coupon" | "reprint").then_some("1") } />
                        if let Some(k) = second {
                            <input ref={ f2.clone() } placeholder={ t(locale, k) } data-testid={ format!("{title}-second") } />
                        }
                        <button type="submit" data-testid={ format!("{title}-submit") }>{ t(locale, "take") }</button>
                    </form>
                </section>
            }
        }
    }
}

/// The settings dialog: printer and idle lock, saved together; a test page on demand.
fn settings(
    run: &Callback<Call>,
    dialog: &UseStateHandle<Dialog>,
    locale: Locale,
    [f1, f2, f3]: [NodeRef; 3],
    current: TillSettings,
    note: Option<String>,
) -> Html {
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
