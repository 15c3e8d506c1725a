//! The ATOL Web Server client (`/api/v2/requests`): a task goes out under its uuid and
//! the answer is polled for; a uuid the server already has (409) is polled, never sent
//! anew, so a retry after a timeout or a crash cannot print a second receipt.

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Value};
use shared_model::fiscal::health::{RegisterStatus, ShiftState};
use shared_model::fiscal::{
    FiscalDoc, FiscalReceipt, Operator, PaymentKind, PaymentMethod, ReceiptKind, Subject, Taxation,
};
use shared_model::{Money, Quantity, Unit, VatRate};
use uuid::Uuid;

use super::port::{CashOp, FiscalRegister, Lookup, RegisterError, RegisterTotals};

mod marks;

/// A register behind ATOL's Web Server.
pub struct Atol {
    base: String,
    http: reqwest::blocking::Client,
    /// How long one call polls for an answer before saying it is still in progress.
    wait: Duration,
}

impl Atol {
    /// A client for the web server at `base` (`http://127.0.0.1:16732`); each HTTP call
    /// gives up after `timeout`.
    pub fn new(base: &str, timeout: Duration) -> Atol {
        let http = reqwest::blocking::Client::builder()
            .timeout(timeout)
            .build()
            .unwrap_or_else(|_| reqwest::blocking::Client::new());
        Atol {
            base: base.trim_end_matches('/').to_owned(),
            http,
            wait: timeout * 3,
        }
    }

    /// Sends one task under `uuid` (or finds it there already) and waits for its result.
    fn run(&self, uuid: Uuid, task: Value) -> Result<Value, RegisterError> {
        let body = json!({"uuid": uuid.to_string(), "request": [task]});
        let sent = self
            .http
            .post(format!("{}/api/v2/requests", self.base))
            .json(&body)
            .send();
        match sent {
            Ok(r) if r.status().is_success() || r.status().as_u16() == 409 => {}
            Ok(r) => {
                let status = r.status();
                let text = r.text().unwrap_or_default();
                return Err(RegisterError::Refused {
                    code: u32::from(status.as_u16()),
                    description: text,
                });
            }
            // It may have arrived: the lookup below (or a later one) tells.
            Err(e) => return self.settle(uuid, Some(e.to_string())),
        }
        self.settle(uuid, None)
    }

    /// Polls a task until it is done, failed or the wait is over.
    fn settle(&self, uuid: Uuid, sent_error: Option<String>) -> Result<Value, RegisterError> {
        let started = Instant::now();
        loop {
            match self.lookup(uuid)? {
                (Lookup::Done(_), Some(result)) => return Ok(result),
                (Lookup::Failed(e), _) => return Err(e),
                (Lookup::Unknown, _) => {
                    return Err(RegisterError::NoAnswer(
                        sent_error.unwrap_or_else(|| "the task was not received".into()),
                    ))
                }
                _ if started.elapsed() >= self.wait => return Err(RegisterError::InProgress),
                _ => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// The task's state, with its raw result when done.
    fn lookup(&self, uuid: Uuid) -> Result<(Lookup, Option<Value>), RegisterError> {
        let r = self
            .http
            .get(format!("{}/api/v2/requests/{uuid}", self.base))
            .send()
            .map_err(|e| RegisterError::NoAnswer(e.to_string()))?;
        if r.status().as_u16() == 404 {
            return Ok((Lookup::Unknown, None));
        }
        let v: Value = r
            .json()
            .map_err(|e| RegisterError::NoAnswer(format!("unreadable answer: {e}")))?;
        let first = &v["results"][0];
        Ok(match first["status"].as_str().unwrap_or_default() {
            "ready" => {
                let result = first["result"].clone();
                (Lookup::Done(fiscal_params(&result)), Some(result))
            }
            "error" => {
                let code = first["errorCode"].as_u64().unwrap_or_default() as u32;
                let text = first["errorDescription"].as_str().unwrap_or_default();
                (Lookup::Failed(error_of(code, text)), None)
            }
            _ => (Lookup::InProgress, None),
        })
    }
}

/// The register's error code in the till's terms (libfptr10's `LIBFPTR_ERROR_*`).
fn error_of(code: u32, description: &str) -> RegisterError {
    match code {
        44 => RegisterError::PaperOut,
        45 => RegisterError::CoverOpen,
        55 => RegisterError::InProgress,
        68 | 141 => RegisterError::ShiftExpired,
        73 => RegisterError::ShiftClosed,
        80 => RegisterError::NoCash,
        83 => RegisterError::ShiftOpen,
        120 => RegisterError::FnExpired,
        139 => RegisterError::OfdLock,
        _ => RegisterError::Refused {
            code,
            description: description.to_owned(),
        },
    }
}

/// A sum as the protocol's JSON number (rubles). f64 holds every kopeck amount a till
/// can reach exactly enough to round back; this and [`from_rubles`] are the only places
/// money is a float, at the wire.
fn rubles(m: Money) -> f64 {
    m.minor as f64 / 100.0
}

/// A protocol number back to kopecks.
fn from_rubles(v: &Value) -> i64 {
    v.as_f64().map_or(0, |x| (x * 100.0).round() as i64)
}

/// A quantity as the protocol's JSON number.
fn quantity(q: Quantity) -> f64 {
    q.milli() as f64 / 1000.0
}

fn unit(u: Unit) -> &'static str {
    match u {
        Unit::Piece => "piece",
        Unit::Ml => "milliliter",
        Unit::Gram => "gram",
    }
}

fn taxation(t: Taxation) -> &'static str {
    match t {
        Taxation::Osn => "osn",
        Taxation::UsnIncome => "usnIncome",
        Taxation::UsnIncomeOutcome => "usnIncomeOutcome",
        Taxation::Patent => "patent",
        Taxation::Esn => "esn",
    }
}

fn kind(k: ReceiptKind) -> &'static str {
    match k {
        ReceiptKind::Sell => "sell",
        ReceiptKind::SellReturn => "sellReturn",
        ReceiptKind::SellCorrection => "sellCorrection",
        ReceiptKind::SellReturnCorrection => "sellReturnCorrection",
    }
}

fn payment(k: PaymentKind) -> &'static str {
    match k {
        PaymentKind::Cash => "cash",
        PaymentKind::Electronically => "electronically",
        PaymentKind::Prepaid => "prepaid",
    }
}

fn operator(o: &Operator) -> Value {
    match &o.vatin {
        Some(v) => json!({"name": o.name, "vatin": v}),
        None => json!({"name": o.name}),
    }
}

/// The `sell`/`sellReturn`/correction task for a receipt.
pub fn receipt_task(r: &FiscalReceipt) -> Value {
    let mut items: Vec<Value> = r
        .lines
        .iter()
        .map(|l| {
            let advance = l.method == PaymentMethod::Advance;
            let mut item = json!({
                "type": "position",
                "name": l.name,
                "price": rubles(l.price),
                "quantity": quantity(l.qty),
                "amount": rubles(l.amount),
                "measurementUnit": unit(l.unit),
                "paymentMethod": if advance { "advance" } else { "fullPayment" },
                "paymentObject": if l.subject == Subject::Payment { "payment" } else { "commodity" },
                "tax": {"type": if advance { l.vat.register_advance_tax() } else { l.vat.register_tax() }},
            });
            if let Some(m) = &l.mark {
                marks::mark_item(&mut item, m);
            }
            item
        })
        .collect();
    items.extend(r.notes.iter().map(|n| json!({"type": "text", "text": n})));
    let payments: Vec<Value> = r
        .payments
        .iter()
        .map(|p| json!({"type": payment(p.kind), "sum": rubles(p.sum)}))
        .collect();
    let mut task = json!({
        "type": kind(r.kind),
        "taxationType": taxation(r.taxation),
        "operator": operator(&r.operator),
        "items": items,
        "payments": payments,
        "total": rubles(r.total),
    });
    if let Some(c) = &r.client {
        task["clientInfo"] = json!({"emailOrPhone": c});
    }
    if let Some(c) = &r.correction {
        task["correctionType"] = json!("self");
        task["correctionBaseDate"] = json!(c.base_date.format("%Y.%m.%d").to_string());
        task["correctionBaseNumber"] = json!(c.base_number);
    }
    task
}

fn time(v: &Value) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(v.as_str()?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The fiscal document in a result, if it made one.
fn fiscal_params(result: &Value) -> Option<FiscalDoc> {
    let p = result.get("fiscalParams")?;
    Some(FiscalDoc {
        number: p["fiscalDocumentNumber"].as_u64()?,
        sign: p["fiscalDocumentSign"].as_str()?.to_owned(),
        at: time(&p["fiscalDocumentDateTime"])?,
        fn_serial: p["fnNumber"].as_str().unwrap_or_default().to_owned(),
        registration: p["registrationNumber"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        shift_no: p["shiftNumber"].as_u64().unwrap_or_default() as u32,
        receipt_no: p["fiscalReceiptNumber"].as_u64().unwrap_or_default() as u32,
    })
}

impl FiscalRegister for Atol {
    fn is_fiscal(&self) -> bool {
        true
    }

    fn status(&self) -> Result<RegisterStatus, RegisterError> {
        let ask = |t: &str| self.run(Uuid::new_v4(), json!({"type": t}));
        let device = ask("getDeviceStatus")?;
        let shift = ask("getShiftStatus")?;
        let ofd = ask("ofdExchangeStatus")?;
        let fn_info = ask("getFnInfo")?;
        let (d, s, o, f) = (
            &device["deviceStatus"],
            &shift["shiftStatus"],
            &ofd["status"],
            &fn_info["fnInfo"],
        );
        Ok(RegisterStatus {
            model: d["model"].as_str().unwrap_or("ATOL").to_owned(),
            shift: match s["state"].as_str() {
                Some("opened") => ShiftState::Opened,
                Some("expired") => ShiftState::Expired,
                _ => ShiftState::Closed,
            },
            shift_no: s["number"].as_u64().unwrap_or_default() as u32,
            shift_expires_at: time(&s["expiredTime"]),
            paper: d["paperPresent"].as_bool().unwrap_or(true),
            cover_open: d["coverOpened"].as_bool().unwrap_or(false),
            unsent: o["notSentCount"].as_u64().unwrap_or_default() as u32,
            oldest_unsent_at: time(&o["notSentFirstDocDateTime"]),
            fn_serial: f["serial"].as_str().unwrap_or_default().to_owned(),
            fn_valid_until: f["validityDate"]
                .as_str()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
            clock: time(&d["currentDateTime"]),
        })
    }

    fn open_shift(&self, task: Uuid, op: &Operator) -> Result<Option<FiscalDoc>, RegisterError> {
        let r = self.run(task, json!({"type": "openShift", "operator": operator(op)}))?;
        Ok(fiscal_params(&r))
    }

    fn close_shift(&self, task: Uuid, op: &Operator) -> Result<Option<FiscalDoc>, RegisterError> {
        let r = self.run(
            task,
            json!({"type": "closeShift", "operator": operator(op)}),
        )?;
        Ok(fiscal_params(&r))
    }

    fn report_x(&self, task: Uuid) -> Result<(), RegisterError> {
        self.run(task, json!({"type": "reportX"})).map(|_| ())
    }

    fn cash(&self, task: Uuid, op: CashOp) -> Result<(), RegisterError> {
        let (t, sum) = match op {
            CashOp::In(m) => ("cashIn", m),
            CashOp::Out(m) => ("cashOut", m),
        };
        self.run(task, json!({"type": t, "cashSum": rubles(sum)}))
            .map(|_| ())
    }

    fn receipt(
        &self,
        task: Uuid,
        receipt: &FiscalReceipt,
    ) -> Result<Option<FiscalDoc>, RegisterError> {
        let mut t = receipt_task(receipt);
        self.check_marks(receipt, &mut t)?;
        let r = self
            .run(task, t)
            .map_err(|e| marks::name_the_line(e, receipt))?;
        fiscal_params(&r).map(Some).ok_or_else(|| {
            RegisterError::NoAnswer("the receipt's answer has no fiscal data".into())
        })
    }

    fn find(&self, task: Uuid) -> Result<Lookup, RegisterError> {
        self.lookup(task).map(|(l, _)| l)
    }

    fn totals(&self) -> Result<RegisterTotals, RegisterError> {
        let r = self.run(Uuid::new_v4(), json!({"type": "getShiftTotals"}))?;
        let t = &r["shiftTotals"];
        let mut out = RegisterTotals {
            shift_no: t["shiftNumber"].as_u64().unwrap_or_default() as u32,
            ..RegisterTotals::default()
        };
        let kinds = [
            ReceiptKind::Sell,
            ReceiptKind::SellReturn,
            ReceiptKind::SellCorrection,
            ReceiptKind::SellReturnCorrection,
        ];
        for k in kinds {
            let of = &t["receipts"][kind(k)];
            if of.is_null() {
                continue;
            }
            out.receipts
                .insert(k, of["count"].as_u64().unwrap_or_default() as u32);
            for p in PaymentKind::ALL {
                if let Some(v) = of["payments"].get(payment(p)) {
                    out.payments.insert((k, p), from_rubles(v));
                }
            }
            if let Some(taxes) = of["taxes"].as_object() {
                for (tax, v) in taxes {
                    let rate = VatRate::from_register_tax(tax).or_else(|| {
                        VatRate::ALL
                            .into_iter()
                            .find(|r| r.register_advance_tax() == tax)
                    });
                    if let Some(rate) = rate {
                        *out.taxes.entry((k, rate)).or_default() += from_rubles(v);
                    }
                }
            }
        }
        Ok(out)
    }
}
