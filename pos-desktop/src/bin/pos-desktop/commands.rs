//! The app's commands: each parses what the window sent, calls one engine operation and
//! maps the result. They are `async` so Tauri runs them off the window's thread: a slow
//! printer or a head-office hold (certificates) never freezes the screen. Every rule stays in the engine; errors reach the window as
//! `{code, message}` (the window words them in the cashier's language by `code`).

use std::sync::Mutex;

use pos_desktop::cart::Cart;
use pos_desktop::catalog::ProductView;
use pos_desktop::returns::RefundTo;
use pos_desktop::settings::TillSettings;
use pos_desktop::{Till, TillError};
use serde::Serialize;
use shared_model::events::CashDirection;
use shared_model::shift::ShiftReport;
use shared_model::{Discount, Locale, Percent, Tender};
use tauri::State;

/// The one till, shared by the commands; `None` until a first start is set up.
pub struct App {
    /// The engine (one SQLite connection: commands take turns).
    pub till: Mutex<Option<Till>>,
    /// A downloaded release waiting for the shift to close.
    pub update_ready: Mutex<Option<String>>,
}

/// An error as the window sees it.
#[derive(Debug, Clone, Serialize)]
pub struct UiError {
    pub code: &'static str,
    pub message: String,
}

impl From<TillError> for UiError {
    fn from(e: TillError) -> Self {
        UiError {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

type Res<T> = Result<T, UiError>;

/// Runs one engine operation. The engine blocks (SQLite, and HTTP to head office or the
/// fiscal register through reqwest's blocking client, which must not run on an async
/// worker as it is): the worker is handed over to blocking work for the call.
fn with<T>(app: &State<'_, App>, f: impl FnOnce(&mut Till) -> Result<T, TillError>) -> Res<T> {
    tokio::task::block_in_place(|| with_till(app, f))
}

fn with_till<T>(app: &State<'_, App>, f: impl FnOnce(&mut Till) -> Result<T, TillError>) -> Res<T> {
    let mut till = app.till.lock().map_err(|_| UiError {
        code: "internal",
        message: "the till is busy after an earlier failure; restart the app".into(),
    })?;
    let till = till.as_mut().ok_or_else(|| UiError {
        code: "not_set_up",
        message: "this till is not set up yet".into(),
    })?;
    Ok(f(till)?)
}

/// Everything the status bar and the screens need to decide what to show.
#[derive(Debug, Serialize)]
pub struct Status {
    store: String,
    locale: Locale,
    cashier: Option<pos_desktop::auth::Session>,
    shift: Option<pos_desktop::shift::Shift>,
    cart: Option<Cart>,
    sync: pos_desktop::sync::SyncStatus,
    idle_lock_minutes: u32,
    /// How the store's scanners send codes: `{prefix, suffix}`.
    scanner: Scanner,
    update_ready: Option<String>,
    /// Documents awaiting their fiscal receipt (read locally).
    fiscal: pos_desktop::fiscal::FiscalSummary,
}

/// The scanner keys the window listens for.
#[derive(Debug, Serialize)]
pub struct Scanner {
    prefix: String,
    suffix: String,
}

#[tauri::command]
pub async fn status(app: State<'_, App>) -> Res<Status> {
    let update_ready = app.update_ready.lock().ok().and_then(|u| u.clone());
    with(&app, |t| {
        Ok(Status {
            store: t.store_name()?,
            locale: t.locale(),
            cashier: t.session().ok(),
            shift: t.current_shift()?,
            cart: t.cart()?,
            sync: t.sync_status()?,
            idle_lock_minutes: t.idle_lock_minutes()?,
            scanner: t.scanner().map(|s| Scanner {
                prefix: s.prefix,
                suffix: s.suffix,
            })?,
            update_ready,
            fiscal: t.fiscal_summary()?,
        })
    })
}

/// The register's own status (a call to it: the window asks now and then, not every tick).
#[tauri::command]
pub async fn register_status(app: State<'_, App>) -> Res<pos_desktop::fiscal::RegisterView> {
    with(&app, |t| t.register_view())
}

/// Sends what awaits its fiscal receipt again (after paper is loaded, say).
#[tauri::command]
pub async fn retry_fiscal(app: State<'_, App>) -> Res<pos_desktop::fiscal::FiscalSummary> {
    with(&app, |t| {
        let settled = t.settle_fiscal();
        let summary = t.fiscal_summary()?;
        settled.map(|()| summary)
    })
}

#[tauri::command]
pub async fn login(app: State<'_, App>, pin: String) -> Res<pos_desktop::auth::Session> {
    with(&app, |t| t.login(&pin))
}

#[tauri::command]
pub async fn logout(app: State<'_, App>) -> Res<()> {
    with(&app, |t| t.logout())
}

#[tauri::command]
pub async fn set_locale(app: State<'_, App>, lang: String) -> Res<()> {
    let locale = Locale::parse(&lang).ok_or(UiError {
        code: "invalid_input",
        message: format!("unknown language {lang:?}"),
    })?;
    with(&app, |t| t.set_locale(locale))
}

#[tauri::command]
pub async fn open_shift(app: State<'_, App>, float: String) -> Res<pos_desktop::shift::Shift> {
    with(&app, |t| t.open_shift(&float))
}

#[tauri::command]
pub async fn x_report(app: State<'_, App>) -> Res<ShiftReport> {
    with(&app, |t| t.x_report_with_register())
}

#[tauri::command]
pub async fn close_shift(app: State<'_, App>, counted: String) -> Res<ShiftReport> {
    with(&app, |t| t.close_shift(&counted))
}

#[tauri::command]
pub async fn cash(
    app: State<'_, App>,
    direction: String,
    amount: String,
    reason: String,
) -> Res<()> {
    let direction = match direction.as_str() {
        "in" => CashDirection::In,
        "out" => CashDirection::Out,
        other => {
            return Err(UiError {
                code: "invalid_input",
                message: format!("cash goes in or out, not {other:?}"),
            })
        }
    };
    with(&app, |t| {
        t.cash_move(direction, &amount, &reason).map(|_| ())
    })
}

#[tauri::command]
pub async fn search(app: State<'_, App>, text: String) -> Res<Vec<ProductView>> {
    with(&app, |t| t.search(&text, 30))
}

#[tauri::command]
pub async fn popular(app: State<'_, App>) -> Res<Vec<pos_desktop::catalog::Product>> {
    with(&app, |t| t.popular(8))
}

#[tauri::command]
pub async fn add_item(app: State<'_, App>, code: String, qty: Option<String>) -> Res<Cart> {
    with(&app, |t| t.add_item(&code, qty.as_deref()))
}

#[tauri::command]
pub async fn set_qty(app: State<'_, App>, line: usize, qty: String) -> Res<Cart> {
    with(&app, |t| t.set_quantity(line, &qty))
}

#[tauri::command]
pub async fn remove_line(app: State<'_, App>, line: usize) -> Res<Cart> {
    with(&app, |t| t.remove_line(line))
}

#[tauri::command]
pub async fn discount(app: State<'_, App>, line: Option<usize>, percent: String) -> Res<Cart> {
    // `10` or `10%` is a percentage; `500₽` (or `500р`) an amount; empty clears it.
    let d = match percent.trim() {
        "" | "0" => None,
        p if p.ends_with('₽') || p.ends_with('р') => Some(Discount::Amount(
            shared_model::Money::parse(
                p.trim_end_matches(['₽', 'р']).trim(),
                shared_model::Currency::RUB,
            )
            .map_err(TillError::from)?,
        )),
        p => Some(Discount::Percent(
            Percent::parse(p).map_err(TillError::from)?,
        )),
    };
    with(&app, |t| match line {
        Some(n) => t.discount_line(n, d),
        None => t.discount_sale(d),
    })
}

#[tauri::command]
pub async fn coupon(app: State<'_, App>, code: String) -> Res<Cart> {
    with(&app, |t| t.add_coupon(&code))
}

#[tauri::command]
pub async fn customer(app: State<'_, App>, query: String) -> Res<Cart> {
    with(&app, |t| t.set_customer(&query))
}

#[tauri::command]
pub async fn send_receipt_to(app: State<'_, App>, contact: String) -> Res<Cart> {
    with(&app, |t| t.send_receipt_to(Some(&contact)))
}

#[tauri::command]
pub async fn pay(
    app: State<'_, App>,
    tender: String,
    amount: String,
    approval: Option<String>,
    certificate: Option<String>,
) -> Res<Cart> {
    let tender = Tender::parse(&tender).map_err(TillError::from)?;
    with(&app, |t| match (tender, certificate) {
        (Tender::Certificate, Some(code)) => t.pay_certificate(&code, &amount),
        (tender, _) => t.pay(tender, &amount, approval.as_deref()),
    })
}

#[tauri::command]
pub async fn unpay(app: State<'_, App>) -> Res<Cart> {
    with(&app, |t| t.unpay())
}

/// A completed sale or return as the receipt preview shows it, and what printing did:
/// a printer fault never undoes the sale, the window offers a reprint instead.
#[derive(Debug, Serialize)]
pub struct Printed {
    receipt_no: u64,
    text: String,
    change: Option<shared_model::Money>,
    printed_to: Option<String>,
    printer_error: Option<String>,
}

fn printed(
    t: &Till,
    receipt_no: u64,
    change: Option<shared_model::Money>,
) -> Result<Printed, TillError> {
    let (printed_to, printer_error) = match t.print_receipt(receipt_no) {
        Ok(p) => (Some(p.to), None),
        Err(e) => (None, Some(e.to_string())),
    };
    Ok(Printed {
        receipt_no,
        text: t.receipt_text(receipt_no)?,
        change,
        printed_to,
        printer_error,
    })
}

#[tauri::command]
pub async fn complete(app: State<'_, App>) -> Res<Printed> {
    with(&app, |t| {
        let s = t.complete_sale()?;
        printed(t, s.link.receipt_no, Some(s.doc.change))
    })
}

#[tauri::command]
pub async fn reprint(app: State<'_, App>, receipt_no: u64) -> Res<Printed> {
    with(&app, |t| printed(t, receipt_no, None))
}

#[tauri::command]
pub async fn void(app: State<'_, App>, reason: String) -> Res<()> {
    with(&app, |t| t.void_sale(&reason).map(|_| ()))
}

#[tauri::command]
pub async fn park(app: State<'_, App>, note: Option<String>) -> Res<()> {
    with(&app, |t| t.park(note.as_deref()).map(|_| ()))
}

#[tauri::command]
pub async fn parked(app: State<'_, App>) -> Res<Vec<pos_desktop::cart::ParkedCart>> {
    with(&app, |t| t.parked())
}

#[tauri::command]
pub async fn resume(app: State<'_, App>, id: String) -> Res<Cart> {
    with(&app, |t| t.resume(&id))
}

#[tauri::command]
pub async fn return_all(
    app: State<'_, App>,
    receipt_no: u64,
    line: Option<u32>,
    qty: Option<String>,
    mark: Option<String>,
    reason: String,
) -> Res<Printed> {
    with(&app, |t| {
        if let Some(m) = mark.as_deref() {
            let r = t.return_unit(receipt_no, m, RefundTo::Original, Some(&reason))?;
            return printed(t, r.link.receipt_no, None);
        }
        let r = match (line, qty.as_deref()) {
            (Some(l), Some(q)) => t.return_goods(
                receipt_no,
                Some(&[(l, q)]),
                RefundTo::Original,
                Some(&reason),
            )?,
            // A line without a quantity: what is left of it, not the whole receipt.
            (Some(l), None) => {
                t.return_rest(receipt_no, &[l], RefundTo::Original, Some(&reason))?
            }
            (None, _) => t.return_goods(receipt_no, None, RefundTo::Original, Some(&reason))?,
        };
        printed(t, r.link.receipt_no, None)
    })
}

#[tauri::command]
pub async fn settings(app: State<'_, App>) -> Res<TillSettings> {
    with(&app, |t| t.settings())
}

#[tauri::command]
pub async fn save_settings(
    app: State<'_, App>,
    printer: String,
    idle_lock_minutes: String,
    scanner_prefix: String,
    scanner_suffix: String,
) -> Res<TillSettings> {
    let form = pos_desktop::settings::SettingsForm {
        printer: &printer,
        idle_lock_minutes: &idle_lock_minutes,
        scanner_prefix: &scanner_prefix,
        scanner_suffix: &scanner_suffix,
    };
    with(&app, |t| t.save_settings(form))
}

#[tauri::command]
pub async fn test_print(app: State<'_, App>) -> Res<String> {
    with(&app, |t| t.print_test_page().map(|p| p.to))
}
