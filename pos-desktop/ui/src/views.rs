//! Pieces of the screens that only show: the status bar, the cart, reports.

use shared_model::shift::counters::RegisterCheck;
use shared_model::shift::ShiftReport;
use shared_model::{Locale, Money, VatRate};
use yew::prelude::*;

use crate::api::{Cart, RegisterView, Status};
use crate::i18n::t;

fn m(v: Money, l: Locale) -> String {
    v.format(l)
}

/// The register's part of the status bar: ready, its shift's time to Z, the ОФД backlog,
/// or what is wrong (paper, cover, no answer).
fn register_part(r: Option<&RegisterView>, l: Locale) -> Html {
    let Some(r) = r else { return html! {} };
    if !r.fiscal {
        return html! { <span data-testid="status-register">{ t(l, "non_fiscal") }</span> };
    }
    if r.outage {
        let text = format!(
            "{} · {} {}",
            t(l, "register_outage"),
            t(l, "corrections_due"),
            r.deferred
        );
        return html! { <span data-testid="status-register" class="warn">{ text }</span> };
    }
    let (text, warn) = match (&r.status, &r.health) {
        (Some(s), Some(h)) => {
            let mut parts = vec![format!(
                "{} · {} {}",
                t(l, "register"),
                t(l, "shift"),
                s.shift_no
            )];
            for w in &h.warnings {
                parts.push(match w.kind.as_str() {
                    "z_due" => format!(
                        "{} {} {}",
                        t(l, "z_in"),
                        w.minutes_left.unwrap_or(0),
                        t(l, "min")
                    ),
                    "ofd_backlog" => format!(
                        "{} {} {}",
                        t(l, "ofd_backlog"),
                        w.days.unwrap_or(0),
                        t(l, "days")
                    ),
                    k => t(l, k),
                });
            }
            // The 24 hours count down all shift long; within the last hour the warning says it.
            let z_warned = h.warnings.iter().any(|w| w.kind == "z_due");
            if let (Some(left), false) = (r.shift_minutes_left.filter(|m| *m > 0), z_warned) {
                parts.push(format!(
                    "{} {} {} {} {}",
                    t(l, "z_in"),
                    left / 60,
                    t(l, "hours_short"),
                    left % 60,
                    t(l, "min")
                ));
            }
            if h.warnings.is_empty() {
                parts.push(t(l, "register_ready"));
            }
            if s.unsent > 0 {
                parts.push(format!("{} {}", t(l, "ofd_unsent"), s.unsent));
            }
            (
                parts.join(" · "),
                !h.warnings.is_empty() || h.block.is_some(),
            )
        }
        _ => (
            format!("{} · {}", t(l, "register"), t(l, "no_answer")),
            true,
        ),
    };
    html! { <span data-testid="status-register" class={ if warn { "warn" } else { "ok" } }>{ text }</span> }
}

/// The always-visible bar: store, cashier, shift, sync state, the register.
pub fn status_bar(s: &Status, register: Option<&RegisterView>) -> Html {
    let l = s.locale;
    let sync = match (&s.sync.server, s.sync.online) {
        (None, _) => t(l, "standalone"),
        (Some(_), true) => t(l, "online"),
        (Some(_), false) => t(l, "offline"),
    };
    html! {
        <footer class="status" data-testid="status-bar">
            <span data-testid="status-store">{ &s.store }</span>
            <span data-testid="status-cashier">{ s.cashier.as_ref().map(|c| format!("{} ({})", c.name, c.role)).unwrap_or_default() }</span>
            <span data-testid="status-shift">{ match &s.shift {
                Some(sh) => format!("{} {}", t(l, "shift"), sh.shift_no),
                None => t(l, "no_shift"),
            } }</span>
            <span data-testid="status-sync" class={ if s.sync.online || s.sync.server.is_none() { "ok" } else { "warn" } }>
                { format!("{sync} · {} {}", s.sync.pending, t(l, "waiting")) }
                { s.sync.last_push_at.as_deref().map(|a| format!(" · {}", a.get(11..16).unwrap_or(a))).unwrap_or_default() }
            </span>
            { register_part(register, l) }
            if let Some(v) = &s.update_ready {
                <span data-testid="status-update" class="warn">{ format!("{} {v}", t(l, "update_ready")) }</span>
            }
            <span class="keys">{ "F2 F3 F4 F5 F6 F7 F8 F9 F10 F12 Esc" }</span>
        </footer>
    }
}

/// The cart with its priced lines, promotions and totals.
pub fn cart(c: Option<&Cart>, l: Locale) -> Html {
    let Some(c) = c.filter(|c| !c.lines.is_empty()) else {
        return html! { <div class="cart empty" data-testid="cart-empty">{ t(l, "empty") }</div> };
    };
    html! {
        <div class="cart">
            if let Some(cu) = &c.customer {
                <div class="customer" data-testid="cart-customer">{ format!("{}: {}", t(l, "customer"), cu.name) }</div>
            }
            <table data-testid="cart">
                <tbody>
                { for c.lines.iter().zip(&c.priced.lines).map(|(line, p)| html! {
                    <tr data-testid={ format!("line-{}", line.line_no) }>
                        <td class="no">{ line.line_no }</td>
                        <td class="name">{ &line.name }<small>{ format!(" {}", line.sku) }</small>
                            if let Some(mark) = &line.mark {
                                <small class={ if mark.check.unchecked() { "mark unchecked" } else { "mark" } }
                                       data-testid={ format!("line-{}-mark", line.line_no) }>
                                    { format!(" {} {}", t(l, mark_word(mark.check.outcome)), mark.code.serial()) }
                                </small>
                            }
                        </td>
                        <td class="qty" data-testid={ format!("line-{}-qty", line.line_no) }>
                            { format!("{} {}", line.qty.format(l), line.unit.label(l)) }
                        </td>
                        <td class="price">{ m(line.unit_price, l) }</td>
                        <td class="disc">{ if p.discount().is_zero() { String::new() } else { format!("−{}", m(p.discount(), l)) } }</td>
                        <td class="sum" data-testid={ format!("line-{}-total", line.line_no) }>{ m(p.total, l) }</td>
                    </tr>
                }) }
                </tbody>
            </table>
            if !c.priced.promotions.is_empty() {
                <ul class="promos" data-testid="promotions">
                { for c.priced.promotions.iter().map(|(p, saving)| html! {
                    <li>{ format!("{}: −{}", p.name, m(*saving, l)) }</li>
                }) }
                </ul>
            }
            <div class="totals">
                if !c.priced.discount.is_zero() {
                    <div>{ t(l, "discount") }<b data-testid="cart-discount">{ m(c.priced.discount, l) }</b></div>
                }
                <div class="total">{ t(l, "total") }<b data-testid="cart-total">{ m(c.priced.total, l) }</b></div>
                if !c.payments.is_empty() {
                    <div>{ t(l, "paid") }<b data-testid="cart-paid">{ m(c.paid, l) }</b></div>
                    <div>{ t(l, "due") }<b data-testid="cart-due">{ m(c.due, l) }</b></div>
                    <div>{ t(l, "change") }<b data-testid="cart-change">{ m(c.change, l) }</b></div>
                }
            </div>
        </div>
    }
}

/// An X or Z report.
pub fn report(r: &ShiftReport, z: bool, l: Locale) -> Html {
    let row = |key: &str, v: Money, id: &str| {
        html! {
            <tr><td>{ t(l, key) }</td><td data-testid={ id.to_owned() }>{ m(v, l) }</td></tr>
        }
    };
    html! {
        <div class="report" data-testid={ if z { "z-report" } else { "x-report" } }>
            <h2>{ format!("{} · {} {}", t(l, if z { "z_report" } else { "x_report" }), t(l, "shift"), r.shift_no) }</h2>
            <table>
                { row("sales", r.sales, "report-sales") }
                { row("returns", r.returns, "report-returns") }
                { row("cash_sales", r.cash_sales, "report-cash-sales") }
                { row("card_sales", r.card_sales, "report-card-sales") }
                { row("expected_cash", r.expected_cash, "report-expected-cash") }
                if let Some(c) = r.counted_cash { { row("counted", c, "report-counted") } }
                if let Some(d) = r.difference { { row("difference", d, "report-difference") } }
            </table>
            if let Some(check) = &r.register { { register_check(check, l) } }
        </div>
    }
}

/// The register's counters beside the till's figures: each row marked agreeing or not.
fn register_check(c: &RegisterCheck, l: Locale) -> Html {
    let name = |what: &str| match VatRate::ALL.iter().find(|v| v.code() == what) {
        Some(v) => v.label(l),
        None => t(l, &format!("fig_{what}")),
    };
    let verdict = if c.agrees() {
        "register_agrees"
    } else {
        "register_differs"
    };
    html! {
        <div class="register-check" data-testid="register-check" data-agrees={ c.agrees().to_string() }>
            <h3>{ t(l, "register_counters") }</h3>
            <p class={ classes!("verdict", (!c.agrees()).then_some("bad")) } data-testid="register-verdict">{ t(l, verdict) }</p>
            if let Some(e) = &c.error { <p class="bad" data-testid="register-check-error">{ e.clone() }</p> }
            if !c.figures.is_empty() {
                <table>
                    <tr><th></th><th>{ t(l, "till_side") }</th><th>{ t(l, "register_side") }</th></tr>
                    { for c.figures.iter().map(|f| html! {
                        <tr class={ classes!((!f.agrees()).then_some("bad")) } data-testid={ format!("register-fig-{}", f.what) }>
                            <td>{ name(&f.what) }</td>
                            <td>{ m(f.till, l) }</td>
                            <td>{ m(f.register, l) }</td>
                        </tr>
                    }) }
                </table>
            }
        </div>
    }
}

/// How a marked line passed its permit check, as the cashier reads it.
fn mark_word(o: shared_model::marking::permit::Outcome) -> &'static str {
    use shared_model::marking::permit::Outcome;
    match o {
        Outcome::Permitted => "mark_permitted",
        Outcome::NotRequired => "mark_code",
        Outcome::Unchecked => "mark_unchecked",
    }
}
