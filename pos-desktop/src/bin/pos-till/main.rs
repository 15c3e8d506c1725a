//! `pos-till`: the till engine from the command line, for scripts, tests, demos and support.

mod args;
mod devices;
mod goods;
mod human;
mod people;

use std::io::{BufRead, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use args::*;
use clap::Parser;
use pos_desktop::{provision, upgrade, InitOptions, Till, TillError};
use serde::Serialize;
use serde_json::json;
use shared_model::events::CashDirection;
use shared_model::{Discount, Locale, Money, Percent, Tender};

/// What a command prints: a JSON value for `--json`, text for people.
pub(crate) struct Out {
    json: serde_json::Value,
    text: String,
}

pub(crate) fn out<T: Serialize>(value: &T, text: impl Into<String>) -> Result<Out, TillError> {
    Ok(Out {
        json: serde_json::to_value(value)?,
        text: text.into(),
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let dir = match data_dir(cli.data_dir.clone()) {
        Ok(d) => d,
        Err(e) => return finish(Err(e), cli.json),
    };
    let result = match cli.command {
        Command::Init { demo, store, lang } => init(&dir, demo, store, &lang),
        Command::Provision {
            server,
            code,
            insecure_http,
        } => provision(&dir, &server, &code, insecure_http),
        Command::UpgradeCheck { oldest_schema } => upgrade_check(&dir, oldest_schema),
        Command::Shell => Till::open(&dir).and_then(|mut t| shell(&mut t, &dir, cli.json)),
        cmd => Till::open(&dir).and_then(|mut t| run(&mut t, cmd)),
    };
    finish(result, cli.json)
}

/// The data directory: given (flag or environment), else the provisioning file's, else
/// the default the till app uses too.
fn data_dir(given: Option<PathBuf>) -> Result<PathBuf, TillError> {
    if let Some(d) = given {
        return Ok(d);
    }
    let config = provision::TillConfig::load(&provision::default_config_file())?;
    Ok(config.data_dir.unwrap_or_else(provision::default_data_dir))
}

fn provision(
    dir: &std::path::Path,
    server: &str,
    code: &str,
    insecure_http: bool,
) -> Result<Out, TillError> {
    if insecure_http {
        eprintln!("warning: plain http allowed: the till's secret crosses the network in clear");
    }
    let till = provision::provision(dir, server, code, insecure_http)?;
    let sync = till.sync_status()?;
    let text = match &sync.last_error {
        None => format!("Till {} enrolled and synced", till.terminal_id()),
        Some(e) => format!(
            "Till {} enrolled; the first sync failed and will be retried: {e}",
            till.terminal_id()
        ),
    };
    out(
        &json!({"terminal_id": till.terminal_id(), "sync": sync}),
        text,
    )
}

fn upgrade_check(dir: &std::path::Path, oldest_schema: u16) -> Result<Out, TillError> {
    let c = upgrade::check(dir, oldest_schema)?;
    if let (true, Some(oldest)) = (c.stranded > 0, c.oldest_pending_schema) {
        return Err(TillError::StrandedEvents {
            count: c.stranded,
            oldest,
            min: oldest_schema,
        });
    }
    let text = format!(
        "{} events waiting for head office; none older than schema {oldest_schema}: safe to upgrade",
        c.pending
    );
    out(&c, text)
}

fn finish(result: Result<Out, TillError>, json: bool) -> ExitCode {
    match result {
        Ok(o) => {
            if json {
                println!("{}", o.json);
            } else if !o.text.is_empty() {
                println!("{}", o.text);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            if json {
                println!(
                    "{}",
                    json!({"error": {"code": e.code(), "message": e.to_string()}})
                );
            } else {
                eprintln!("error: {e}");
            }
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

/// A `--lang` value; a misspelt one is refused rather than silently Russian.
pub(crate) fn parse_lang(l: &str) -> Result<Locale, TillError> {
    Locale::parse(l)
        .ok_or_else(|| TillError::InvalidInput(format!("unknown language {l:?}; use ru or en")))
}

fn init(dir: &std::path::Path, demo: bool, store: String, lang: &str) -> Result<Out, TillError> {
    let locale = parse_lang(lang)?;
    let till = Till::init(
        dir,
        &InitOptions {
            store_name: store,
            demo,
            locale,
        },
    )?;
    let mut text = format!("Till {} created in {}", till.terminal_id(), dir.display());
    if demo {
        text.push_str(&format!(
            "\nDemo catalog: {} products. Demo PINs: {}.\nLogged in as {}.",
            till.product_count()?,
            pos_desktop::demo::CASHIERS
                .iter()
                .map(|(n, r, p)| format!("{n} ({}) {p}", r.code()))
                .collect::<Vec<_>>()
                .join(", "),
            pos_desktop::demo::CASHIERS[0].0
        ));
    }
    out(
        &json!({"terminal_id": till.terminal_id(), "data_dir": dir, "demo": demo}),
        text,
    )
}

pub(crate) fn pin_or_stdin(pin: Option<String>) -> Result<String, TillError> {
    match pin {
        Some(p) => Ok(p),
        None => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s)?;
            Ok(s.trim().to_owned())
        }
    }
}

fn discount(a: &DiscountArgs, till: &Till) -> Result<Option<Discount>, TillError> {
    match (&a.percent, &a.amount, a.clear) {
        (Some(p), None, false) => Ok(Some(Discount::Percent(Percent::parse(p)?))),
        (None, Some(m), false) => Ok(Some(Discount::Amount(Money::parse(m, till.currency())?))),
        (None, None, true) => Ok(None),
        _ => Err(TillError::InvalidInput(
            "say which discount: one of --percent, --amount or --clear".into(),
        )),
    }
}

fn run(till: &mut Till, cmd: Command) -> Result<Out, TillError> {
    let l = till.locale();
    let cart_out = |c: pos_desktop::cart::Cart| out(&c, human::cart(&c, l));
    match cmd {
        Command::Init { .. } => Err(TillError::AlreadyInitialised(
            till.dir().display().to_string(),
        )),
        Command::Shell => Err(TillError::InvalidInput("already in the shell".into())),
        Command::Provision { .. } | Command::UpgradeCheck { .. } => Err(TillError::InvalidInput(
            "provision and upgrade-check run on their own, not on an open till".into(),
        )),
        Command::Login { pin } => {
            let s = till.login(&pin_or_stdin(pin)?)?;
            out(&s, format!("Logged in: {} ({})", s.name, s.role.code()))
        }
        Command::Cashier(c) => people::cashier(till, c),
        Command::Settings(a) => people::settings(till, a),
        Command::Logout => {
            till.logout()?;
            out(&json!({"logged_out": true}), "Logged out")
        }
        Command::Status => people::status(till),
        Command::Catalog(c) => goods::catalog(till, c),
        Command::Shift(ShiftCmd::Open { float }) => {
            let s = till.open_shift(&float)?;
            out(
                &s,
                format!(
                    "Shift {} opened with float {}",
                    s.shift_no,
                    s.float.format(l)
                ),
            )
        }
        Command::Shift(ShiftCmd::Close { counted }) => {
            let z = till.close_shift(&counted)?;
            out(&z, human::report("Z report", &z, l))
        }
        Command::Cash(c) => {
            let (dir, amount, reason) = match c {
                CashCmd::In { amount, reason } => (CashDirection::In, amount, reason),
                CashCmd::Out { amount, reason } => (CashDirection::Out, amount, reason),
            };
            let m = till.cash_move(dir, &amount, &reason)?;
            out(
                &m,
                format!("Cash {:?}: {}", m.direction, m.amount.format(l)).to_lowercase(),
            )
        }
        Command::Sale(s) => sale(till, s, l, cart_out),
        Command::Return(a) => goods::return_goods(till, a),
        Command::Receipt { receipt_no, escpos } => goods::receipt(till, receipt_no, escpos),
        Command::Report(ReportCmd::X) => {
            let x = till.x_report_with_register()?;
            out(&x, human::report("X report", &x, l))
        }
        Command::Stock(c) => goods::stock(till, c),
        Command::Enroll {
            server,
            code,
            insecure_http,
        } => devices::enroll(till, &server, &code, insecure_http),
        Command::Sync { watch: true } => sync_watch(till),
        Command::Sync { watch: false } => {
            let r = till.sync_once()?;
            out(
                &r,
                format!(
                    "Sent {} events, received {} changes; {} waiting",
                    r.pushed, r.pulled, r.pending
                ),
            )
        }
        Command::Customer(c) => goods::customer(till, c),
        Command::Register(c) => devices::register(till, c),
        Command::Marking(c) => devices::marking(till, c),
        Command::Certificate { code } => goods::certificate(till, &code),
        Command::Outbox => devices::outbox(till),
        Command::Verify => devices::verify(till),
    }
}

/// `sync --watch`: syncs in the foreground until stopped, one line per round.
fn sync_watch(till: &Till) -> ! {
    let lp = pos_desktop::sync_loop::SyncLoop::start(
        till.dir().to_path_buf(),
        Default::default(),
        |r| match r {
            Ok(r) => println!(
                "{} synced: sent {}, received {}, {} waiting",
                chrono::Local::now().format("%H:%M:%S"),
                r.pushed,
                r.pulled,
                r.pending
            ),
            Err(e) => eprintln!("{} {e}", chrono::Local::now().format("%H:%M:%S")),
        },
    );
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3600));
        lp.wake();
    }
}

fn sale(
    till: &mut Till,
    cmd: SaleCmd,
    l: Locale,
    cart_out: impl Fn(pos_desktop::cart::Cart) -> Result<Out, TillError>,
) -> Result<Out, TillError> {
    match cmd {
        SaleCmd::Add { code, qty } => cart_out(till.add_item(&code, qty.as_deref())?),
        SaleCmd::Show => match till.cart()? {
            Some(c) => cart_out(c),
            None => out(&json!(null), "No sale in progress"),
        },
        SaleCmd::Qty { line, qty } => cart_out(till.set_quantity(line, &qty)?),
        SaleCmd::Remove { line } => cart_out(till.remove_line(line)?),
        SaleCmd::Discount(a) => {
            let d = discount(&a, till)?;
            cart_out(match a.line {
                Some(n) => till.discount_line(n, d)?,
                None => till.discount_sale(d)?,
            })
        }
        SaleCmd::Pay {
            tender,
            amount,
            approval,
            code,
        } => cart_out(match (Tender::parse(&tender)?, code) {
            (Tender::Certificate, Some(code)) => till.pay_certificate(&code, &amount)?,
            (t, _) => till.pay(t, &amount, approval.as_deref())?,
        }),
        SaleCmd::Customer { phone_or_card } => cart_out(till.set_customer(&phone_or_card)?),
        SaleCmd::ReceiptTo { contact } => cart_out(till.send_receipt_to(Some(&contact))?),
        SaleCmd::SellCertificate { code, nominal } => {
            cart_out(till.sell_certificate(&code, nominal.as_deref())?)
        }
        SaleCmd::Unpay => cart_out(till.unpay()?),
        SaleCmd::Coupon { code } => cart_out(till.add_coupon(&code)?),
        SaleCmd::Complete => {
            let s = till.complete_sale()?;
            let text = format!(
                "Receipt {} — total {}, change {}\n\n{}",
                s.link.receipt_no,
                s.doc.total.format(l),
                s.doc.change.format(l),
                till.sale_receipt_text(&s)?
            );
            out(&s, text)
        }
        SaleCmd::Park { note } => {
            let id = till.park(note.as_deref())?;
            out(&json!({"parked": id}), format!("Parked as {id}"))
        }
        SaleCmd::Parked => {
            let p = till.parked()?;
            let text = p
                .iter()
                .map(|c| {
                    format!(
                        "{}  {}  {} lines  {}",
                        c.id,
                        c.parked_at,
                        c.lines,
                        c.note.as_deref().unwrap_or("")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            out(
                &p,
                if text.is_empty() {
                    "No parked sales".into()
                } else {
                    text
                },
            )
        }
        SaleCmd::Resume { id } => cart_out(till.resume(&id)?),
        SaleCmd::Void { reason } => {
            let v = till.void_sale(&reason)?;
            out(&v, format!("Sale voided ({})", v.total.format(l)))
        }
    }
}

/// Splits a shell line into words, honouring "double" and 'single' quotes.
fn split_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut has = false;
    for ch in line.chars() {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(ch);
                has = true;
            }
            (None, c) if c.is_whitespace() => {
                if has || !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if has || !cur.is_empty() {
        words.push(cur);
    }
    words
}

fn shell(till: &mut Till, dir: &std::path::Path, json: bool) -> Result<Out, TillError> {
    println!("Al Aroma till — {}. Type commands without `pos-till` (e.g. `sale add 4607123000014`), `help`, or `exit`.", dir.display());
    let stdin = std::io::stdin();
    loop {
        print!("pos> ");
        std::io::stdout().flush()?;
        let mut line = String::new();
        if stdin.lock().read_line(&mut line)? == 0 {
            break;
        }
        let words = split_words(&line);
        match words.first().map(String::as_str) {
            None => continue,
            Some("exit" | "quit") => break,
            _ => {}
        }
        let argv = std::iter::once("pos-till".to_owned()).chain(words);
        match Cli::try_parse_from(argv) {
            Ok(cli) => {
                let _ = finish(run(till, cli.command), json || cli.json);
            }
            Err(e) => {
                let _ = e.print();
            }
        }
    }
    out(&json!({"bye": true}), "")
}
