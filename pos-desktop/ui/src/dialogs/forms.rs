//! The shift's and the small forms' dialogs: the X/Z report, closing the shift, a return,
//! and the one-field forms (customer, coupon, discount, void, cash in/out, reprint).

use serde_json::json;
use shared_model::shift::ShiftReport;
use yew::prelude::*;

use super::{show, value, Ctx, Dialog};
use crate::i18n::t;
use crate::views;

/// The X report (or the Z report of the shift just closed) and the way to close the shift.
pub(super) fn report(c: &Ctx, r: &ShiftReport, z: bool) -> Html {
    let close = {
        let dialog = c.dialog.clone();
        Callback::from(move |_| dialog.set(Dialog::CloseShift))
    };
    html! {
        <section class="dialog" data-testid="report-dialog">
            { views::report(r, z, c.locale) }
            <button onclick={ close } autofocus=true data-testid="to-close-shift">{ t(c.locale, "close_shift") }</button>
        </section>
    }
}

/// Closing the shift: the cash counted in the drawer; the Z report follows.
pub(super) fn close_shift(c: &Ctx) -> Html {
    let f1 = c.fields[0].clone();
    let onsubmit = {
        let (c, f1) = (c.clone(), f1.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let z = show(&c.dialog, |r| Dialog::Report(Box::new(r), true));
            c.call("close_shift", json!({"counted": value(&f1)}), z);
        })
    };
    html! {
        <section class="dialog" data-testid="close-shift-dialog">
            <form onsubmit={ onsubmit }>
                <label>{ t(c.locale, "counted") }</label>
                <input ref={ f1 } inputmode="decimal" autofocus=true data-testid="counted" />
                <button type="submit" data-testid="close-shift">{ t(c.locale, "close_shift") }</button>
            </form>
        </section>
    }
}

/// A return by receipt number: the whole sale, one line (or what is left of it), a
/// quantity of it, or one marked unit by the code scanned from its pack.
pub(super) fn return_goods(c: &Ctx) -> Html {
    let locale = c.locale;
    let [f1, f2, f3, _] = c.fields.clone();
    let onsubmit = {
        let c = c.clone();
        let (f1, f2, f3) = (f1.clone(), f2.clone(), f3.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let no: u64 = value(&f1).trim().parse().unwrap_or(0);
            // The line's number, or a marked unit's code scanned from its pack.
            let typed = value(&f2).trim().to_owned();
            let line: Option<u32> = typed.parse().ok();
            let mark = Some(typed).filter(|t| line.is_none() && !t.is_empty());
            let qty = Some(value(&f3)).filter(|q| !q.trim().is_empty());
            c.call(
                "return_all",
                json!({"receiptNo": no, "line": line, "qty": qty, "mark": mark, "reason": "возврат"}),
                show(&c.dialog, Dialog::Receipt),
            );
        })
    };
    html! {
        <section class="dialog" data-testid="return-dialog">
            <h2>{ t(locale, "return") }</h2>
            <form onsubmit={ onsubmit }>
                <input ref={ f1 } inputmode="numeric" placeholder={ t(locale, "receipt_no") } autofocus=true data-testid="return-receipt" data-code="next" />
                <input ref={ f2 } placeholder={ t(locale, "line_or_mark") } data-testid="return-line" data-code="submit" />
                <input ref={ f3 } inputmode="decimal" placeholder={ t(locale, "qty") } data-testid="return-qty" />
                <button type="submit" data-testid="return-submit">{ t(locale, "return") }</button>
            </form>
        </section>
    }
}

/// The engine call a one-field form makes of what was typed (`first`, and `second` where
/// the form has a second field). A reprint is not here: it opens the receipt.
fn one_field_call(
    kind: &Dialog,
    first: String,
    second: String,
) -> (&'static str, serde_json::Value) {
    match kind {
        Dialog::Coupon => ("coupon", json!({"code": first})),
        Dialog::Customer => ("customer", json!({"query": first})),
        Dialog::Discount => (
            "discount",
            json!({"line": second.trim().parse::<usize>().ok(), "percent": first}),
        ),
        Dialog::Void => ("void", json!({"reason": first})),
        _ => (
            "cash",
            json!({"direction": if first.trim_start().starts_with('-') { "out" } else { "in" },
                   "amount": first.trim().trim_start_matches('-'), "reason": second}),
        ),
    }
}

/// The small forms: customer, coupon, discount (with its line), void, cash in/out (with
/// its reason) and reprint by receipt number.
pub(super) fn one_field(c: &Ctx, kind: Dialog) -> Html {
    let locale = c.locale;
    let [f1, f2, ..] = c.fields.clone();
    let (title, first, second) = match kind {
        Dialog::Customer => ("customer", "customer_q", None),
        Dialog::Coupon => ("coupon", "coupon", None),
        Dialog::Discount => ("discount", "discount_hint", Some("line")),
        Dialog::Void => ("void", "reason", None),
        Dialog::Reprint => ("reprint", "receipt_no", None),
        _ => ("cash_in_out", "amount", Some("reason")),
    };
    let onsubmit = {
        let c = c.clone();
        let (f1, f2) = (f1.clone(), f2.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let v = value(&f1);
            if kind == Dialog::Reprint {
                let no: u64 = v.trim().parse().unwrap_or(0);
                c.call(
                    "reprint",
                    json!({"receiptNo": no}),
                    show(&c.dialog, Dialog::Receipt),
                );
                return;
            }
            let (cmd, args) = one_field_call(&kind, v, value(&f2));
            c.call(cmd, args, c.to(Dialog::None));
        })
    };
    html! {
        <section class="dialog" data-testid={ format!("{title}-dialog") }>
            <h2>{ t(locale, title) }</h2>
            <form onsubmit={ onsubmit }>
                <input ref={ f1 } placeholder={ t(locale, first) } autofocus=true data-testid={ format!("{title}-input") }
                    data-code={ matches!(title, "customer" | "coupon" | "reprint").then_some("1") } />
                if let Some(k) = second {
                    <input ref={ f2 } placeholder={ t(locale, k) } data-testid={ format!("{title}-second") } />
                }
                <button type="submit" data-testid={ format!("{title}-submit") }>{ t(locale, "take") }</button>
            </form>
        </section>
    }
}
