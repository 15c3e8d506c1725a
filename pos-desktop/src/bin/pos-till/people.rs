//! `pos-till` commands about people and the till itself: cashiers, settings, status.

use pos_desktop::{Till, TillError};
use serde_json::json;

use crate::args::*;
use crate::{out, parse_lang, pin_or_stdin, Out};

/// `cashier list|add`.
pub(crate) fn cashier(till: &mut Till, c: CashierCmd) -> Result<Out, TillError> {
    match c {
        CashierCmd::List => {
            let list = till.cashiers()?;
            let text = list
                .iter()
                .map(|c| {
                    format!(
                        "{}  {:<30} {:<17} {}",
                        c.id,
                        c.name,
                        c.role.code(),
                        if c.active { "" } else { "inactive" }
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            out(&list, text)
        }
        CashierCmd::Add { name, role, pin } => {
            let role = shared_model::Role::parse(&role)?;
            let id = till.add_cashier(&name, role, &pin_or_stdin(pin)?)?;
            out(
                &json!({"id": id, "name": name, "role": role}),
                format!("Added {name} ({})", role.code()),
            )
        }
    }
}

/// `settings`: changes what is given, then shows them all.
pub(crate) fn settings(till: &mut Till, a: SettingsArgs) -> Result<Out, TillError> {
    let SettingsArgs {
        lang,
        store,
        printer,
        idle_lock,
        scanner_prefix,
        scanner_suffix,
    } = a;

    if scanner_prefix.is_some() || scanner_suffix.is_some() {
        let now = till.scanner()?;
        let setup = shared_model::keyboard::ScannerSetup::parse(
            scanner_prefix.as_deref().unwrap_or(&now.prefix),
            scanner_suffix.as_deref().unwrap_or(&now.suffix),
        )
        .map_err(TillError::InvalidInput)?;
        till.set_scanner(&setup)?;
    }
    if let Some(p) = printer {
        till.set_printer(&pos_desktop::printer::Printer::parse(&p)?)?;
    }
    if let Some(m) = idle_lock {
        till.set_idle_lock_minutes(m)?;
    }
    if let Some(l) = lang {
        till.set_locale(parse_lang(&l)?)?;
    }
    if let Some(s) = store {
        till.set_store_name(&s)?;
    }
    let (lang, store) = (till.locale().code(), till.store_name()?);
    let (printer, idle) = (till.printer()?, till.idle_lock_minutes()?);
    let scanner = till.scanner()?;
    let (prefix, suffix) = (scanner.prefix, scanner.suffix);
    out(
            &json!({"lang": lang, "store": store, "printer": printer, "idle_lock_minutes": idle,
                    "scanner_prefix": prefix, "scanner_suffix": suffix}),
            format!(
                "Language: {lang}\nStore: {store}\nPrinter: {printer:?}\nIdle lock: {idle} min\nScanner: prefix {prefix:?}, suffix {suffix}"
            ),
        )
}

/// `status`: who, which shift, the sale in progress, sync.
pub(crate) fn status(till: &mut Till) -> Result<Out, TillError> {
    let l = till.locale();
    let session = till.session().ok();
    let shift = till.current_shift()?;
    let cart = till.cart()?;
    let outbox = till.outbox_status()?;
    let sync = till.sync_status()?;
    let text = format!(
            "Terminal: {}\nCashier: {}\nShift: {}\nSale in progress: {}\nEvents waiting to sync: {}\nHead office: {}",
            till.terminal_id(),
            session.as_ref().map_or("nobody logged in".into(), |s| format!("{} ({})", s.name, s.role.code())),
            shift.as_ref().map_or("closed".into(), |s| format!("No. {} since {}", s.shift_no, s.opened_at)),
            cart.as_ref().map_or("none".into(), |c| format!("{} lines, {}", c.lines.len(), c.priced.total.format(l))),
            outbox.pending,
            match (&sync.server, &sync.last_error) {
                (None, _) => "not enrolled (working offline)".to_owned(),
                (Some(s), Some(e)) => format!("{s} — {e}"),
                (Some(s), None) => format!(
                    "{s} — last push {}, last pull {}",
                    sync.last_push_at.as_deref().unwrap_or("never"),
                    sync.last_pull_at.as_deref().unwrap_or("never")
                ),
            }
        );
    out(
        &json!({"terminal_id": till.terminal_id(), "session": session, "shift": shift, "cart": cart, "outbox": outbox, "sync": sync}),
        text,
    )
}
