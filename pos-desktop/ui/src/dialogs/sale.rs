//! The sale's dialogs: payment, the receipt, search results and parked sales.

use serde_json::json;
use yew::prelude::*;

use super::{clear, focus, show, value, Ctx, Dialog};
use crate::api::{Cart, Parked, Printed, Product};
use crate::i18n::t;

/// Payment: cash (Enter), card with its approval code, a gift certificate; where the
/// receipt is sent; back out of the payments or complete the sale.
pub(super) fn pay(c: &Ctx, cart: Option<&Cart>) -> Html {
    let locale = c.locale;
    let [f1, f2, f3, f4] = c.fields.clone();
    let due = cart.map(|c| c.due.to_decimal_string()).unwrap_or_default();
    let paid_in_full = cart.is_some_and(|c| !c.payments.is_empty() && c.due.is_zero());
    let complete = {
        let c = c.clone();
        Callback::from(move |_| c.call("complete", json!({}), show(&c.dialog, Dialog::Receipt)))
    };
    let pay = |tender: &'static str| {
        let (c, complete) = (c.clone(), complete.clone());
        let (f1, f2, f3) = (f1.clone(), f2.clone(), f3.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let amount = value(&f1);
            // Paid in full (nothing more can be taken): Enter completes the sale.
            if tender == "cash" && paid_in_full {
                complete.emit(());
                return;
            }
            let args = match tender {
                "card" => json!({"tender": "card", "amount": amount, "approval": value(&f2)}),
                "certificate" => {
                    json!({"tender": "certificate", "amount": amount, "certificate": value(&f3)})
                }
                _ => json!({"tender": "cash", "amount": amount}),
            };
            c.act("pay", args);
            clear(&f1);
        })
    };
    let (cash, card, certificate) = (pay("cash"), pay("card"), pay("certificate"));
    let unpay = {
        let c = c.clone();
        Callback::from(move |_| c.act("unpay", json!({})))
    };
    // The customer's e-mail or phone: the register sends the receipt there too.
    let receipt_to = cart.and_then(|c| c.receipt_to.clone());
    let send_to = {
        let (c, f4) = (c.clone(), f4.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            c.act("send_receipt_to", json!({"contact": value(&f4)}));
        })
    };
    html! {
        <section class="dialog pay" data-testid="pay-dialog">
            <h2>{ t(locale, "pay") }</h2>
            <form onsubmit={ cash }>
                <label>{ t(locale, "amount") }</label>
                <input ref={ f1 } inputmode="decimal" data-initial={ due } autofocus=true data-testid="pay-amount" />
                <button type="submit" data-testid="pay-cash">{ format!("{} (Enter)", t(locale, "cash")) }</button>
            </form>
            <form onsubmit={ card }>
                <input ref={ f2 } placeholder={ t(locale, "approval") } data-testid="pay-approval" data-code="1" />
                <button type="submit" data-testid="pay-card">{ t(locale, "card") }</button>
            </form>
            <form onsubmit={ certificate }>
                <input ref={ f3 } placeholder={ t(locale, "cert_code") } data-testid="pay-certificate-code" data-code="1" />
                <button type="submit" data-testid="pay-certificate">{ t(locale, "certificate") }</button>
            </form>
            <form onsubmit={ send_to }>
                <input ref={ f4 } placeholder={ t(locale, "receipt_to") } data-testid="receipt-to" />
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

/// The receipt just printed (with the change to give), a reprint, and the next sale.
pub(super) fn receipt(c: &Ctx, p: Printed) -> Html {
    let locale = c.locale;
    let reprint = {
        let c = c.clone();
        let (no, change) = (p.receipt_no, p.change);
        Callback::from(move |_| {
            let again = show(&c.dialog, move |p: Printed| {
                Dialog::Receipt(Printed { change, ..p })
            });
            c.call("reprint", json!({"receiptNo": no}), again);
        })
    };
    let done = {
        let (dialog, scan) = (c.dialog.clone(), c.scan.clone());
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

/// Goods found by name for words typed in the scan field; a click adds one.
pub(super) fn search(c: &Ctx, found: &[Product]) -> Html {
    let locale = c.locale;
    html! {
        <section class="dialog" data-testid="search-dialog">
            <h2>{ t(locale, "found") }</h2>
            <ul class="found">
            { for found.iter().enumerate().map(|(i, p)| {
                let (c, sku) = (c.clone(), p.sku.clone());
                let onclick = Callback::from(move |_| c.call("add_item", json!({"code": sku}), c.to(Dialog::None)));
                html! {
                    <li><button data-testid={ format!("found-{i}") } onclick={ onclick } autofocus={ i == 0 }>
                        { format!("{} · {} · {}/{}", p.sku, p.name, p.price.format(locale), p.unit.label(locale)) }
                    </button></li>
                }
            }) }
            </ul>
        </section>
    }
}

/// The parked sales; a click resumes one.
pub(super) fn parked(c: &Ctx, list: &[Parked]) -> Html {
    html! {
        <section class="dialog" data-testid="parked-dialog">
            <h2>{ t(c.locale, "resume") }</h2>
            <ul>
            { for list.iter().enumerate().map(|(i, p)| {
                let (c, id) = (c.clone(), p.id.clone());
                let onclick = Callback::from(move |_| c.call("resume", json!({"id": id}), c.to(Dialog::None)));
                html! {
                    <li><button data-testid={ format!("resume-{i}") } onclick={ onclick }>
                        { format!("{} · {} · {}", p.parked_at.get(11..16).unwrap_or(&p.parked_at), p.lines, p.note.clone().unwrap_or_default()) }
                    </button></li>
                }
            }) }
            </ul>
        </section>
    }
}
