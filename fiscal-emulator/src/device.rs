//! The register itself: fiscal storage serial, document counter, shift and its 24 hours
//! on an injectable clock, counters by payment type and tax, the ОФД backlog and its
//! 30-day lock, and the faults a test asks for. Kept whole in one JSON file, written
//! (atomically) after every change, so a killed emulator comes back as it was.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::rules::{code, Receipt, Task, TaskError};

mod marks;

/// Faults a test switches on through the control endpoint.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// The paper has run out.
    pub paper_out: bool,
    /// The cover is open.
    pub cover_open: bool,
    /// Every task waits this long before it runs (the answer shows `inProgress`).
    pub slow_ms: u64,
    /// This many of the next answers about executed tasks are lost (the request hangs
    /// until the client gives up).
    pub lose_answers: u32,
    /// The process dies at the next task: `before` it runs, or `after` it ran and was
    /// stored but before anyone heard.
    pub crash: Option<String>,
    /// The ОФД is unreachable: documents pile up unsent.
    pub ofd_offline: bool,
    /// The roll ends during the next printed document (it fails; no paper after).
    pub paper_runs_out: bool,
    /// Codes (or their beginnings) the register's own check finds wrong.
    pub bad_marks: Vec<String>,
}

impl Faults {
    /// Whether a fault aimed at documents (`lose_answers`, `crash`) applies to these
    /// tasks: status queries pass untouched, as the tests mean the receipt.
    pub fn aims_at(tasks: &[Value]) -> bool {
        tasks.iter().any(|t| {
            let kind = t["type"].as_str().unwrap_or_default();
            kind.starts_with("sell") || kind == "openShift" || kind == "closeShift"
        })
    }
}

/// Totals of one receipt type within a shift.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Totals {
    /// Receipts.
    pub count: u32,
    /// Their totals, kopecks.
    pub sum: i64,
    /// Money by payment type, kopecks (cash net of change).
    pub payments: BTreeMap<String, i64>,
    /// Position amounts by tax type, kopecks.
    pub taxes: BTreeMap<String, i64>,
}

/// The open (or last) shift.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Shift {
    /// Number.
    pub number: u32,
    /// When it opened; `None` when closed.
    pub opened_at: Option<DateTime<Utc>>,
    /// Receipts in it.
    pub receipts: u32,
    /// Totals by receipt type.
    pub totals: BTreeMap<String, Totals>,
    /// Cash put in and taken out, kopecks.
    pub cash_in: i64,
    /// Cash taken out, kopecks.
    pub cash_out: i64,
}

/// One request as the web server keeps it: its tasks' answers by position.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Request {
    /// The tasks as sent.
    pub tasks: Vec<Value>,
    /// Answers of the tasks run so far.
    pub results: Vec<Value>,
}

/// Everything the register knows.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Device {
    /// Fiscal storage serial.
    pub fn_serial: String,
    /// Registration number.
    pub registration: String,
    /// Last day the fiscal storage signs.
    pub fn_valid_until: NaiveDate,
    /// Fiscal documents made so far.
    pub documents: u64,
    /// The shift.
    pub shift: Shift,
    /// Cash in the drawer, kopecks.
    pub drawer: i64,
    /// Documents the ОФД has not confirmed: number and time.
    pub unsent: Vec<(u64, DateTime<Utc>)>,
    /// Seconds the clock runs ahead of the host's.
    pub clock_offset_secs: i64,
    /// Faults.
    pub faults: Faults,
    /// Every request by uuid.
    pub requests: BTreeMap<String, Request>,
    /// Every fiscal document made, in order (for tests to count).
    pub journal: Vec<Value>,
    /// The marking code check in progress: the code and whether it passed.
    #[serde(default)]
    pub mark_check: Option<(String, bool)>,
    /// Codes checked and accepted for the next receipt.
    #[serde(default)]
    pub accepted_marks: Vec<String>,
}

impl Device {
    /// A new register, fiscalised, shift closed.
    pub fn new(fn_serial: &str, now: DateTime<Utc>) -> Device {
        Device {
            fn_serial: fn_serial.to_owned(),
            registration: "0000000001002292".into(),
            fn_valid_until: (now + Duration::days(456)).date_naive(),
            documents: 1, // the registration report
            shift: Shift::default(),
            drawer: 0,
            unsent: Vec::new(),
            clock_offset_secs: 0,
            faults: Faults::default(),
            requests: BTreeMap::new(),
            journal: Vec::new(),
            mark_check: None,
            accepted_marks: Vec::new(),
        }
    }

    /// Reads the state file, or starts a new register there.
    pub fn load_or_new(path: &Path, fn_serial: &str) -> std::io::Result<Device> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let d = Device::new(fn_serial, Utc::now());
                d.save(path)?;
                Ok(d)
            }
            Err(e) => Err(e),
        }
    }

    /// Writes the state file whole: a new file, synced, then renamed over the old one.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let tmp: PathBuf = path.with_extension("tmp");
        let bytes = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, path)
    }

    /// The register's clock.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::seconds(self.clock_offset_secs)
    }

    fn local(&self, t: DateTime<Utc>) -> String {
        let msk = FixedOffset::east_opt(3 * 3600)
            .unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC"));
        t.with_timezone(&msk)
            .format("%Y-%m-%dT%H:%M:%S%:z")
            .to_string()
    }

    fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.shift.opened_at.map(|t| t + Duration::hours(24))
    }

    fn shift_state(&self) -> &'static str {
        match self.expires_at() {
            None => "closed",
            Some(e) if self.now() >= e => "expired",
            Some(_) => "opened",
        }
    }

    /// Refuses what the hardware cannot do now: print, sign, or work in this shift.
    fn ready(&mut self, prints: bool, needs_shift: Option<bool>) -> Result<(), TaskError> {
        let fail = |code, d: &str| {
            Err(TaskError {
                code,
                description: d.into(),
            })
        };
        if prints && self.faults.paper_runs_out {
            self.faults.paper_runs_out = false;
            self.faults.paper_out = true;
            return fail(code::NO_PAPER, "the paper ran out while printing");
        }
        if prints && self.faults.paper_out {
            return fail(code::NO_PAPER, "no paper");
        }
        if prints && self.faults.cover_open {
            return fail(code::COVER_OPENED, "the cover is open");
        }
        if self.now().date_naive() > self.fn_valid_until {
            return fail(code::FN_EXPIRED, "the fiscal storage's term is over");
        }
        if self
            .unsent
            .first()
            .is_some_and(|(_, t)| self.now() - *t >= Duration::days(30))
        {
            return fail(
                code::FN_HAS_NOT_SEND_DOCUMENTS,
                "documents unconfirmed by the OFD for 30 days: the fiscal storage is locked",
            );
        }
        match (needs_shift, self.shift_state()) {
            (Some(true), "closed") => fail(code::DENIED_IN_CLOSED_SHIFT, "the shift is closed"),
            (Some(true), "expired") => fail(code::SHIFT_EXPIRED, "the shift is over 24 hours old"),
            (Some(false), "opened" | "expired") => {
                fail(code::DENIED_IN_OPENED_SHIFT, "a shift is open")
            }
            _ => Ok(()),
        }
    }

    /// A new fiscal document: numbered, signed, queued for the ОФД, journalled.
    fn document(&mut self, kind: &str, total: i64) -> Value {
        self.documents += 1;
        let now = self.now();
        let mut h = Sha256::new();
        h.update(format!(
            "{}|{}|{}|{}",
            self.fn_serial,
            self.documents,
            total,
            now.timestamp()
        ));
        let digest = h.finalize();
        let sign = u64::from_be_bytes(digest[..8].try_into().unwrap_or([0; 8])) % 10_000_000_000;
        if self.faults.ofd_offline {
            self.unsent.push((self.documents, now));
        }
        let params = json!({
            "fiscalDocumentNumber": self.documents,
            "fiscalDocumentSign": format!("{sign:010}"),
            "fiscalDocumentDateTime": self.local(now),
            "fnNumber": self.fn_serial,
            "registrationNumber": self.registration,
            "shiftNumber": self.shift.number,
        });
        self.journal
            .push(json!({"kind": kind, "total": total, "fiscalParams": params}));
        params
    }

    /// Runs a checked task.
    pub fn run(&mut self, task: Task) -> Result<Value, TaskError> {
        match task {
            Task::Receipt(r) => self.receipt(r),
            Task::BeginMarkCheck { imc, status } => self.begin_mark_check(imc, &status),
            Task::MarkCheckStatus => self.mark_check_status(),
            Task::EndMarkCheck { accept } => self.end_mark_check(accept),
            Task::OpenShift => {
                self.ready(true, Some(false))?;
                self.shift = Shift {
                    number: self.shift.number + 1,
                    opened_at: Some(self.now()),
                    ..Shift::default()
                };
                Ok(json!({"fiscalParams": self.document("openShift", 0)}))
            }
            Task::CloseShift => {
                self.ready(true, None)?;
                if self.shift.opened_at.is_none() {
                    return Err(TaskError {
                        code: code::DENIED_IN_CLOSED_SHIFT,
                        description: "the shift is closed".into(),
                    });
                }
                let params = self.document("closeShift", 0);
                self.shift.opened_at = None;
                Ok(json!({"fiscalParams": params}))
            }
            Task::ReportX => {
                self.ready(true, None)?;
                Ok(json!({}))
            }
            Task::Cash { out, sum } => {
                self.ready(true, Some(true))?;
                if out && sum > self.drawer {
                    return Err(TaskError {
                        code: code::NO_CASH,
                        description: format!("only {} kopecks in the drawer", self.drawer),
                    });
                }
                if out {
                    self.drawer -= sum;
                    self.shift.cash_out += sum;
                } else {
                    self.drawer += sum;
                    self.shift.cash_in += sum;
                }
                Ok(json!({}))
            }
            Task::ShiftStatus => Ok(json!({"shiftStatus": {
                "state": self.shift_state(),
                "number": self.shift.number,
                "expiredTime": self.expires_at().map(|e| self.local(e)),
            }})),
            Task::DeviceStatus => Ok(json!({"deviceStatus": {
                "model": "ATOL emulator",
                "paperPresent": !self.faults.paper_out,
                "coverOpened": self.faults.cover_open,
                "fiscal": true,
                "fnFiscal": true,
                "currentDateTime": self.local(self.now()),
            }})),
            Task::OfdStatus => Ok(json!({"status": {
                "notSentCount": self.unsent.len(),
                "notSentFirstDocNumber": self.unsent.first().map(|u| u.0),
                "notSentFirstDocDateTime": self.unsent.first().map(|u| self.local(u.1)),
            }})),
            Task::FnInfo => Ok(json!({"fnInfo": {
                "serial": self.fn_serial,
                "validityDate": self.fn_valid_until.format("%Y-%m-%d").to_string(),
            }})),
            Task::ShiftTotals => {
                // The protocol's sums are rubles; the counters are kept in kopecks.
                let rub = |k: i64| k as f64 / 100.0;
                let by = |m: &BTreeMap<String, i64>| -> Value {
                    m.iter().map(|(k, v)| (k.clone(), json!(rub(*v)))).collect()
                };
                let receipts: serde_json::Map<String, Value> = self
                    .shift
                    .totals
                    .iter()
                    .map(|(kind, t)| {
                        let v = json!({"count": t.count, "sum": rub(t.sum),
                            "payments": by(&t.payments), "taxes": by(&t.taxes)});
                        (kind.clone(), v)
                    })
                    .collect();
                Ok(json!({"shiftTotals": {
                    "shiftNumber": self.shift.number,
                    "receipts": receipts,
                    "income": {"sum": rub(self.shift.cash_in)},
                    "outcome": {"sum": rub(self.shift.cash_out)},
                    "cash": {"sum": rub(self.drawer)},
                }}))
            }
        }
    }

    fn receipt(&mut self, r: Receipt) -> Result<Value, TaskError> {
        self.ready(true, Some(true))?;
        self.take_marks(&r)?;
        let refund = r.kind.starts_with("sellReturn");
        let paid: i64 = r.payments.iter().map(|p| p.1).sum();
        let change = paid - r.total;
        let cash: i64 = r
            .payments
            .iter()
            .filter(|p| p.0 == "cash")
            .map(|p| p.1)
            .sum::<i64>();
        if refund && cash > self.drawer {
            return Err(TaskError {
                code: code::NO_CASH,
                description: format!("only {} kopecks in the drawer", self.drawer),
            });
        }
        self.drawer += if refund { -cash } else { cash - change };
        let t = self.shift.totals.entry(r.kind.clone()).or_default();
        t.count += 1;
        t.sum += r.total;
        for (kind, sum) in &r.payments {
            let net = if kind == "cash" { sum - change } else { *sum };
            *t.payments.entry(kind.clone()).or_default() += net;
        }
        for p in &r.positions {
            *t.taxes.entry(p.tax.clone()).or_default() += p.amount;
        }
        self.shift.receipts += 1;
        let mut params = self.document(&r.kind, r.total);
        params["fiscalReceiptNumber"] = json!(self.shift.receipts);
        params["total"] = json!(r.total as f64 / 100.0);
        params["fnsUrl"] = json!("www.nalog.gov.ru");
        if let Some(j) = self.journal.last_mut() {
            j["fiscalParams"] = params.clone();
        }
        Ok(json!({"fiscalParams": params, "warnings": null}))
    }
}
