//! `pos-till`: the till engine from the command line, for scripts, tests, demos and support.

mod args;
mod human;

use std::io::{BufRead, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use args::*;
use clap::Parser;
use pos_desktop::returns::RefundTo;
use pos_desktop::{provision, upgrade, InitOptions, Till, TillError};
use serde::Serialize;
use serde_json::json;
use shared_model::events::CashDirection;
use shared_model::{Discount, Locale, Money, Percent, Tender};

/// What a command prints: a JSON value for `--json`, text for people.
struct Out {
    json: serde_json::Value,
    text: String,
}

fn out<T: Serialize>(value: &T, text: impl Into<String>) -> Result<Out, TillError> {
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
fn parse_lang(l: &str) -> Result<Locale, TillError> {
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

fn pin_or_stdin(pin: Option<String>) -> Result<String, TillError> {
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
        Command::Cashier(CashierCmd::List) => {
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
        Command::Cashier(CashierCmd::Add { name, role, pin }) => {
            let role = shared_model::Role::parse(&role)?;
            let id = till.add_cashier(&name, role, &pin_or_stdin(pin)?)?;
            out(
                &json!({"id": id, "name": name, "role": role}),
                format!("Added {name} ({})", role.code()),
            )
        }
        Command::Settings {
            lang,
            store,
            printer,
            idle_lock,
            scanner_prefix,
            scanner_suffix,
        } => {
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
        Command::Logout => {
            till.logout()?;
            out(&json!({"logged_out": true}), "Logged out")
        }
        Command::Status => {
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
        Command::Catalog(CatalogCmd::Search { text, limit }) => {
            let found = till.search(&text.join(" "), limit)?;
            out(&found, human::products(&found, l))
        }
        Command::Catalog(CatalogCmd::Show { code }) => {
            let p = till.find_product(&code)?;
            let view = pos_desktop::catalog::ProductView {
                stock: till.stock_of(p.id)?,
                product: p,
            };
            out(&view, human::products(std::slice::from_ref(&view), l))
        }
        Command::Catalog(CatalogCmd::Import { file }) => {
            let r = till.import_csv(std::fs::File::open(&file)?)?;
            out(
                &r,
                format!("Imported: {} new, {} updated", r.created, r.updated),
            )
        }
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
        Command::Return(a) => {
            let refund = match a.refund {
                Refund::Cash => RefundTo::Cash,
                Refund::Original => RefundTo::Original,
            };
            let qtys: Vec<String> = if a.qty.is_empty() {
                Vec::new()
            } else {
                a.qty.clone()
            };
            if !qtys.is_empty() && qtys.len() != a.line.len() {
                return Err(TillError::InvalidInput(
                    "give one --qty for each --line".into(),
                ));
            }
            let r = if !a.mark.is_empty() {
                if !a.line.is_empty() {
                    return Err(TillError::InvalidInput(
                        "give the marked units by --mark or the lines by --line, not both".into(),
                    ));
                }
                let lines = a
                    .mark
                    .iter()
                    .map(|m| till.sale_line_of_mark(a.receipt_no, m))
                    .collect::<Result<Vec<u32>, _>>()?;
                let sel: Vec<(u32, &str)> = lines.iter().map(|n| (*n, "1")).collect();
                till.return_goods(a.receipt_no, Some(&sel), refund, a.reason.as_deref())?
            } else if a.line.is_empty() {
                till.return_goods(a.receipt_no, None, refund, a.reason.as_deref())?
            } else if qtys.is_empty() {
                // What is left of each named line.
                till.return_rest(a.receipt_no, &a.line, refund, a.reason.as_deref())?
            } else {
                let sel: Vec<(u32, &str)> = a
                    .line
                    .iter()
                    .copied()
                    .zip(qtys.iter().map(String::as_str))
                    .collect();
                till.return_goods(a.receipt_no, Some(&sel), refund, a.reason.as_deref())?
            };
            let text = format!(
                "Return receipt {} — refund {}\n\n{}",
                r.link.receipt_no,
                r.doc.total.format(l),
                till.return_receipt_text(&r)?
            );
            out(&r, text)
        }
        Command::Receipt { receipt_no, escpos } => {
            let text = till.receipt_text(receipt_no)?;
            if let Some(path) = escpos {
                std::fs::OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(true)
                    .open(path)?
                    .write_all(&pos_desktop::receipt::escpos(&text))?;
            }
            out(
                &json!({"receipt_no": receipt_no, "text": text}),
                text.clone(),
            )
        }
        Command::Report(ReportCmd::X) => {
            let x = till.x_report_with_register()?;
            out(&x, human::report("X report", &x, l))
        }
        Command::Stock(StockCmd::Show { code }) => {
            let p = till.find_product(&code)?;
            let q = till.stock_of(p.id)?;
            out(
                &json!({"sku": p.sku, "stock": q}),
                format!("{} {}: {} {}", p.sku, p.name, q.format(l), p.unit.label(l)),
            )
        }
        Command::Stock(StockCmd::Adjust { code, qty, reason }) => {
            let m = till.adjust_stock(&code, &qty, &reason)?;
            out(
                &m,
                format!("Stock of {} changed by {}", m.sku, m.qty.format(l)),
            )
        }
        Command::Enroll {
            server,
            code,
            insecure_http,
        } => {
            if insecure_http {
                eprintln!(
                    "warning: plain http allowed: the till's secret crosses the network in clear"
                );
            }
            let e = till.enroll_with(&server, &code, insecure_http)?;
            out(
                &json!({"terminal_id": e.terminal_id, "location_id": e.location_id, "epoch": e.epoch}),
                format!(
                    "Enrolled as terminal {} of store {}",
                    e.terminal_id, e.location_id
                ),
            )
        }
        Command::Sync { watch: true } => {
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
        Command::Customer(CustomerCmd::Find { phone_or_card }) => {
            let c = till.find_customer(&phone_or_card)?;
            let text = customer_line(&c);
            out(&c, text)
        }
        Command::Customer(CustomerCmd::Add {
            name,
            phone,
            card,
            group,
        }) => {
            let c =
                till.register_customer(&name, phone.as_deref(), card.as_deref(), group.as_deref())?;
            let text = format!("Registered {}", customer_line(&c));
            out(&c, text)
        }
        Command::Register(RegisterCmd::Set {
            url,
            timeout_ms,
            taxation,
        }) => {
            let url = Some(url.as_str()).filter(|u| *u != "none");
            till.set_fiscal_register(url)?;
            if let Some(ms) = timeout_ms {
                till.set_fiscal_timeout_ms(ms)?;
            }
            if let Some(t) = taxation {
                till.set_taxation(shared_model::fiscal::Taxation::parse(&t)?)?;
            }
            let v = till.register_view()?;
            out(&v, human::register(&v))
        }
        Command::Register(RegisterCmd::Status) => {
            let v = till.register_view()?;
            out(&v, human::register(&v))
        }
        Command::Register(RegisterCmd::Retry) => {
            till.settle_fiscal()?;
            let v = till.register_view()?;
            out(&v, human::register(&v))
        }
        Command::Register(RegisterCmd::Outage { reason }) => {
            let o = till.declare_register_outage(&reason)?;
            let text = format!(
                "Register declared out of order by {} ({}); sales go on and get correction receipts once it is repaired",
                o.declared_by, o.reason
            );
            out(&o, text)
        }
        Command::Marking(MarkingCmd::Groups) => {
            let g = till.marking_groups()?;
            let text = g
                .iter()
                .map(|g| {
                    format!(
                        "{} ({}): codes from {}, permit check {}, no answer: {}",
                        g.name,
                        g.code,
                        g.code_from,
                        g.permit_from
                            .map_or("not set".to_owned(), |d| format!("from {d}")),
                        g.no_answer.code()
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            out(&g, text)
        }
        Command::Marking(MarkingCmd::Checkers {
            online,
            local,
            timeout_ms,
        }) => {
            let keep = till.marking_checkers()?;
            let pick = |new: Option<String>, old: Option<String>| match new.as_deref() {
                Some("none") => None,
                Some(_) => new,
                None => old,
            };
            let online = pick(online, keep.online);
            let local = pick(local, keep.local);
            till.set_marking_checkers(online.as_deref(), local.as_deref(), timeout_ms)?;
            let s = till.marking_checkers()?;
            let text = format!(
                "Online: {}\nLocal module: {}\nTime box: {} ms each",
                s.online.as_deref().unwrap_or("none"),
                s.local.as_deref().unwrap_or("none"),
                s.timeout_ms
            );
            out(&s, text)
        }
        Command::Register(RegisterCmd::Restored) => {
            let n = till.end_register_outage()?;
            let v = till.register_view()?;
            let text = format!(
                "{n} deferred document(s) sent to the register\n{}",
                human::register(&v)
            );
            out(&json!({"settled": n, "register": v}), text)
        }
        Command::Register(RegisterCmd::Compare) => {
            let d = till.register_comparison()?;
            let text = match &d {
                None => "No fiscal register on this till".to_owned(),
                Some(d) if d.is_empty() => {
                    "The register's counters equal the till's figures".to_owned()
                }
                Some(d) => d
                    .iter()
                    .map(|x| {
                        format!(
                            "{}: till {}, register {}",
                            x.what,
                            x.till.format(l),
                            x.register.format(l)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
            };
            out(&d, text)
        }
        Command::Certificate { code } => {
            let c = till.certificate(&code)?;
            let text = format!(
                "Gift certificate {}: {}, {} left of {} (head office: {}, pending here: {}), valid until {}",
                c.code,
                c.status.code(),
                c.available.format(l),
                c.nominal.format(l),
                c.balance.format(l),
                c.pending.format(l),
                c.expires_on.format("%d.%m.%Y")
            );
            out(&c, text)
        }
        Command::Outbox => {
            let s = till.outbox_status()?;
            out(
                &s,
                format!(
                    "{} events waiting to sync (last sequence number {})",
                    s.pending, s.last_seq
                ),
            )
        }
        Command::Verify => {
            let v = till.verify()?;
            let text = if v.ok {
                format!("OK: {} receipts, {} events; integrity, whole sales, gapless numbers and hash chain verified", v.receipts, v.events)
            } else {
                format!("PROBLEMS FOUND:\n{}", v.problems.join("\n"))
            };
            if v.ok {
                out(&v, text)
            } else {
                Err(TillError::Corrupt(text))
            }
        }
    }
}

fn customer_line(c: &shared_model::events::CustomerDoc) -> String {
    format!(
        "{} — phone {}, card {}, group {}",
        c.name,
        c.phone.as_deref().unwrap_or("-"),
        c.card_no.as_deref().unwrap_or("-"),
        c.group.as_deref().unwrap_or("-")
    )
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
