//! Fiscal receipts on the store's register, exactly once. A document that needs one is
//! written with its task (state *pending*) in the transaction that completes it; then
//! [`Till::settle_fiscal`] works through the pending tasks in order, each time asking the
//! register about the task's uuid before sending anything, so a timeout, a lost answer
//! or a crash at any point ends with one fiscal document per sale, never two, and no
//! sale is marked fiscalised without the register's answer. While one is pending, no
//! new sale starts.

pub mod atol;
pub mod outage;
pub mod port;
mod report;

use std::time::Duration;

use rusqlite::{OptionalExtension, Transaction};
use serde::Serialize;
use shared_model::events::{EventPayload, FiscalFor, FiscalRecord};
use shared_model::fiscal::health::{self, Block, Health, RegisterStatus};
use shared_model::fiscal::{FiscalDoc, FiscalReceipt, Operator, Taxation};
use shared_model::shift::counters::{self, Figure, RegisterCheck};
use shared_model::shift::ShiftReport;
use shared_model::Capability;
use uuid::Uuid;

pub use port::{CashOp, FiscalRegister, Lookup, NoRegister, RegisterError, RegisterTotals};

use crate::{db, error::Result, outbox, Till, TillError};

/// Why a till may not be (or sell) without a register.
const NON_FISCAL_ONLY: &str =
    "only a demo till or a store head office marks non-fiscal may sell without a fiscal register";

/// How long one call to the register waits by default.
const DEFAULT_TIMEOUT_MS: u64 = 5_000;

/// What became of a document's fiscal receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum FiscalState {
    /// The till has no register (a demo till, or a store head office marks non-fiscal).
    NonFiscal,
    /// Signed by the register.
    Done {
        /// The fiscal document.
        doc: FiscalDoc,
    },
    /// Awaiting its fiscal receipt; the cashier retries once the reason is fixed.
    Pending {
        /// Why it is not signed yet.
        reason: String,
    },
    /// Made while the register was declared out of order: a correction receipt follows
    /// once it is repaired.
    Deferred,
}

/// What the window shows of the fiscal queue (read locally: no call to the register).
#[derive(Debug, Clone, Default, Serialize)]
pub struct FiscalSummary {
    /// Whether the till has a register.
    pub fiscal: bool,
    /// Documents awaiting their fiscal receipt.
    pub pending: u32,
    /// Why the oldest of them is not signed yet (a [`RegisterError::code`]).
    pub code: Option<String>,
    /// The same in words.
    pub reason: Option<String>,
    /// Documents waiting for the register's repair (correction receipts to come).
    pub deferred: u32,
    /// The register's declared outage, if any.
    pub outage: Option<outage::Outage>,
}

/// The register as the status bar shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RegisterView {
    /// Whether the till has a register at all.
    pub fiscal: bool,
    /// What it says of itself (absent when it did not answer).
    pub status: Option<RegisterStatus>,
    /// Warnings and what stops sales.
    pub health: Option<Health>,
    /// Why it did not answer.
    pub error: Option<String>,
    /// Documents awaiting their fiscal receipt.
    pub pending: u32,
    /// The register's declared outage (then it is not asked at all).
    pub outage: Option<outage::Outage>,
    /// Documents waiting for the register's repair.
    pub deferred: u32,
    /// Minutes left in the register's shift (by its clock), for the countdown to Z.
    pub shift_minutes_left: Option<i64>,
}

/// Queues a fiscal task in the transaction that records its document.
/// The task's uuid is the document's own id, except a shift's closing (the shift's id
/// is its opening's): that one gets its own.
pub(crate) fn queue(
    tx: &Transaction<'_>,
    doc_id: Uuid,
    kind: FiscalFor,
    receipt: Option<&FiscalReceipt>,
) -> Result<()> {
    let receipt = receipt.map(serde_json::to_string).transpose()?;
    let task = match kind {
        FiscalFor::ShiftClose => Uuid::new_v4(),
        _ => doc_id,
    };
    let (state, correction) = outage::new_task_state(tx, kind)?;
    tx.execute(
        "INSERT INTO fiscal_tasks (doc_id, kind, task_id, state, receipt, created_at, correction)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        (
            doc_id.to_string(),
            kind.code(),
            task.to_string(),
            state,
            receipt,
            db::ts(db::now()),
            correction,
        ),
    )?;
    Ok(())
}

/// What became of a document's fiscal receipt.
pub(crate) fn state_of(conn: &rusqlite::Connection, doc_id: Uuid) -> Result<FiscalState> {
    let row: Option<(String, Option<String>, Option<String>)> = conn
        .query_row(
            "SELECT state, fiscal, last_error FROM fiscal_tasks WHERE doc_id = ?1 AND kind IN ('sale', 'return')",
            [doc_id.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    Ok(match row {
        None => FiscalState::NonFiscal,
        Some((state, Some(doc), _)) if state == "done" => FiscalState::Done {
            doc: serde_json::from_str(&doc)?,
        },
        Some((state, _, _)) if state == "deferred" => FiscalState::Deferred,
        Some((_, _, reason)) => FiscalState::Pending {
            reason: reason.unwrap_or_else(|| "not yet sent to the register".into()),
        },
    })
}

impl Till {
    /// The register's address, or `None` for a till with no register.
    pub fn fiscal_register_url(&self) -> Result<Option<String>> {
        db::setting(&self.conn, "fiscal_url")
    }

    /// Connects the till to its register's web server (`http://127.0.0.1:16732`), or with
    /// `None` leaves it non-fiscal: allowed only for a demo till or a store head office
    /// marks non-fiscal. Needs the Configure capability.
    pub fn set_fiscal_register(&mut self, url: Option<&str>) -> Result<()> {
        self.grant(Capability::Configure)?;
        match url.map(str::trim) {
            Some(u) if u.starts_with("http://") || u.starts_with("https://") => {
                db::set_setting(&self.conn, "fiscal_url", u)
            }
            Some(u) => Err(TillError::InvalidInput(format!(
                "the register's address {u:?} must start with http:// or https://"
            ))),
            None => {
                if !self.may_sell_non_fiscally()? {
                    return Err(TillError::InvalidInput(NON_FISCAL_ONLY.into()));
                }
                self.conn
                    .execute("DELETE FROM settings WHERE key = 'fiscal_url'", [])?;
                Ok(())
            }
        }
    }

    /// Whether this till may sell without a register: a demo till, or one whose store
    /// head office marks non-fiscal.
    fn may_sell_non_fiscally(&self) -> Result<bool> {
        let demo = db::setting(&self.conn, "demo")?.as_deref() == Some("1");
        let non_fiscal = db::setting(&self.conn, "store_non_fiscal")?.as_deref() == Some("1");
        Ok(demo || non_fiscal)
    }

    /// Refuses a sale or return on a till with no register in a store that sells fiscally.
    pub(crate) fn require_non_fiscal_allowed(&self) -> Result<()> {
        if self.may_sell_non_fiscally()? {
            Ok(())
        } else {
            Err(TillError::RegisterBlocked(format!(
                "{NON_FISCAL_ONLY}: connect this till to its register (pos-till register set URL)"
            )))
        }
    }

    /// How long one call to the register may take before the till treats its answer as
    /// lost (100 ms to 60 s; needs the Configure capability).
    pub fn set_fiscal_timeout_ms(&mut self, ms: u64) -> Result<()> {
        self.grant(Capability::Configure)?;
        if !(100..=60_000).contains(&ms) {
            return Err(TillError::InvalidInput(
                "the register timeout is 100 ms to 60 s".into(),
            ));
        }
        db::set_setting(&self.conn, "fiscal_timeout_ms", &ms.to_string())
    }

    /// The store's taxation system (printed on every receipt).
    pub fn taxation(&self) -> Result<Taxation> {
        match db::setting(&self.conn, "taxation")? {
            Some(t) => Ok(Taxation::parse(&t)?),
            None => Ok(Taxation::Osn),
        }
    }

    /// Sets the store's taxation system (needs the Configure capability).
    pub fn set_taxation(&mut self, taxation: Taxation) -> Result<()> {
        self.grant(Capability::Configure)?;
        db::set_setting(&self.conn, "taxation", taxation.code())
    }

    /// The register this till uses now.
    pub(crate) fn register(&self) -> Result<Box<dyn FiscalRegister>> {
        let Some(url) = self.fiscal_register_url()? else {
            return Ok(Box::new(NoRegister));
        };
        let timeout = db::setting(&self.conn, "fiscal_timeout_ms")?
            .and_then(|t| t.parse().ok())
            .unwrap_or(DEFAULT_TIMEOUT_MS);
        Ok(Box::new(atol::Atol::new(
            &url,
            Duration::from_millis(timeout),
        )))
    }

    /// The cashier as the register prints them.
    pub(crate) fn operator(&self) -> Result<Operator> {
        let s = self.session()?;
        let vatin: Option<String> = self
            .conn
            .query_row(
                "SELECT vatin FROM cashiers WHERE id = ?1",
                [s.cashier_id.to_string()],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        Ok(Operator {
            name: s.name,
            vatin,
        })
    }

    /// The fiscal queue as the window shows it.
    pub fn fiscal_summary(&self) -> Result<FiscalSummary> {
        let oldest: Option<(Option<String>, Option<String>)> = self
            .conn
            .query_row(
                "SELECT last_code, last_error FROM fiscal_tasks WHERE state = 'pending'
                 ORDER BY created_at, rowid LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (code, reason) = oldest.unwrap_or_default();
        Ok(FiscalSummary {
            fiscal: self.fiscal_register_url()?.is_some(),
            pending: self.fiscal_pending()?,
            code,
            reason,
            deferred: self.fiscal_deferred()?,
            outage: self.register_outage()?,
        })
    }

    /// Documents awaiting their fiscal receipt.
    pub fn fiscal_pending(&self) -> Result<u32> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM fiscal_tasks WHERE state = 'pending'",
            [],
            |r| r.get(0),
        )?)
    }

    /// What became of a document's fiscal receipt.
    pub fn fiscal_state(&self, doc_id: Uuid) -> Result<FiscalState> {
        state_of(&self.conn, doc_id)
    }

    /// Every fiscal document the register signed for this till, oldest first.
    pub fn fiscal_documents(&self) -> Result<Vec<(Uuid, FiscalDoc)>> {
        let mut st = self.conn.prepare(
            "SELECT doc_id, fiscal FROM fiscal_tasks WHERE state = 'done' AND fiscal IS NOT NULL ORDER BY done_at, rowid",
        )?;
        let rows = st.query_map([], |r| Ok((r.get::<_, db::Id>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, doc) = row?;
            out.push((id.0, serde_json::from_str(&doc)?));
        }
        Ok(out)
    }

    /// The register's status and health, for the status bar.
    pub fn register_view(&self) -> Result<RegisterView> {
        let reg = self.register()?;
        let mut view = RegisterView {
            fiscal: reg.is_fiscal(),
            status: None,
            health: None,
            error: None,
            pending: self.fiscal_pending()?,
            outage: self.register_outage()?,
            deferred: self.fiscal_deferred()?,
            shift_minutes_left: None,
        };
        if !view.fiscal || view.outage.is_some() {
            return Ok(view);
        }
        match reg.status() {
            Ok(s) => {
                let now = s.clock.unwrap_or_else(db::now);
                view.shift_minutes_left = s.shift_expires_at.map(|e| (e - now).num_minutes());
                view.health = Some(health::assess(&s, now));
                view.status = Some(s);
            }
            Err(e) => view.error = Some(e.to_string()),
        }
        Ok(view)
    }

    /// The open shift's figures beside the register's counters: each difference by
    /// payment type and VAT rate (`None` for a till with no register).
    pub fn register_comparison(&self) -> Result<Option<Vec<Figure>>> {
        let reg = self.register()?;
        if !reg.is_fiscal() {
            return Ok(None);
        }
        let report = self.x_report()?;
        let totals = reg.totals()?;
        Ok(Some(counters::compare(&report, &totals)))
    }

    /// A report's figures checked against the register's counters (`None` for a till
    /// with no register). With `print`, the register prints its X report first. A register
    /// that cannot answer does not stop the report: the check says why it is missing.
    pub(crate) fn register_check(
        &self,
        report: &ShiftReport,
        print: bool,
    ) -> Result<Option<RegisterCheck>> {
        let reg = self.register()?;
        if !reg.is_fiscal() {
            return Ok(None);
        }
        if let Some(o) = self.register_outage()? {
            return Ok(Some(RegisterCheck::unreadable(format!(
                "the register is out of order since {}: {}",
                o.since
                    .with_timezone(&chrono::Local)
                    .format("%d.%m.%Y %H:%M"),
                o.reason
            ))));
        }
        let printed = if print {
            reg.report_x(Uuid::new_v4())
        } else {
            Ok(())
        };
        let mut check = match reg.totals() {
            Ok(totals) => RegisterCheck::of(report, &totals),
            Err(e) => RegisterCheck::unreadable(e.to_string()),
        };
        if let (Err(e), None) = (printed, &check.error) {
            check.error = Some(format!("the register's X report was not printed: {e}"));
        }
        Ok(Some(check))
    }

    /// Before a new sale or return: what waits for its fiscal receipt is settled first
    /// (or nothing new starts), the register must be able to sign, and the receipt's
    /// operator and taxation are read. `None` for a till with no register.
    pub(crate) fn begin_fiscal_document(&mut self) -> Result<Option<(Operator, Taxation)>> {
        if self.fiscal_pending()? > 0 {
            self.settle_fiscal()?;
        }
        if self.fiscal_register_url()?.is_none() {
            self.require_non_fiscal_allowed()?;
            return Ok(None);
        }
        if self.register_outage()?.is_none() {
            self.require_register_ready()?;
        }
        Ok(Some((self.operator()?, self.taxation()?)))
    }

    /// Refuses a new fiscal document when the register's health stops sales: a shift about
    /// to pass its 24 hours (take the Z report), the ОФД lock near, the ФН expired, no
    /// paper. A register that does not answer stops nothing here: the document then waits
    /// for its receipt like any other.
    fn require_register_ready(&self) -> Result<()> {
        let reg = self.register()?;
        if !reg.is_fiscal() {
            return Ok(());
        }
        let Ok(status) = reg.status() else {
            return Ok(());
        };
        let now = status.clock.unwrap_or_else(db::now);
        match health::assess(&status, now).block {
            None => Ok(()),
            Some(b) => Err(TillError::RegisterBlocked(match b {
                Block::NotReady => "the register cannot print (paper or cover)".into(),
                Block::ZRequired => {
                    "the register's shift ends within minutes: close the shift (Z report) first".into()
                }
                Block::OfdLock { days } => format!(
                    "documents have not reached the OFD for {days} days; connect the register to the internet before it locks"
                ),
                Block::FnExpired => "the fiscal storage has expired and must be replaced".into(),
            })),
        }
    }

    /// Settles right after a document committed. The document is done whatever the
    /// register says now: if it cannot sign, its receipt is awaited, and that is the answer.
    pub(crate) fn settle_after(&mut self, doc_id: Uuid) -> Result<FiscalState> {
        match self.settle_fiscal() {
            Ok(()) => self.fiscal_state(doc_id),
            Err(TillError::FiscalPending { reason }) => Ok(FiscalState::Pending { reason }),
            Err(other) => Ok(FiscalState::Pending {
                reason: other.to_string(),
            }),
        }
    }

    /// Works through the documents awaiting their fiscal receipt, oldest first. Each
    /// task's uuid is looked up on the register before anything is sent; only a definite
    /// refusal (nothing printed) gives the next try a new uuid. Stops at the first that
    /// cannot be settled now, saying why.
    pub fn settle_fiscal(&mut self) -> Result<()> {
        // Declared out of order: nothing goes to it until a manager says it is back.
        if self.register_outage()?.is_some() {
            return Ok(());
        }
        let reg = self.register()?;
        loop {
            type Next = (i64, String, String, db::Id, Option<String>, bool);
            let next: Option<Next> = self
                .conn
                .query_row(
                    "SELECT rowid, doc_id, kind, task_id, receipt, correction FROM fiscal_tasks
                     WHERE state = 'pending' ORDER BY created_at, rowid LIMIT 1",
                    [],
                    |r| {
                        Ok((
                            r.get(0)?,
                            r.get(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            r.get(4)?,
                            r.get(5)?,
                        ))
                    },
                )
                .optional()?;
            let Some((row, doc_id, kind, task_id, mut receipt, correction)) = next else {
                return Ok(());
            };
            let kind = FiscalFor::from_code(&kind)
                .ok_or_else(|| TillError::Data(format!("fiscal task kind {kind:?}")))?;
            let mut task = task_id.0;
            self.conn.execute(
                "UPDATE fiscal_tasks SET attempts = attempts + 1 WHERE rowid = ?1",
                [row],
            )?;
            let outcome = match reg.find(task) {
                Ok(Lookup::Done(Some(doc))) => Ok(doc),
                Ok(Lookup::Done(None)) => Err(RegisterError::NoAnswer(
                    "the register's answer has no fiscal data".into(),
                )),
                Ok(Lookup::InProgress) => Err(RegisterError::InProgress),
                Ok(Lookup::Failed(_)) => {
                    // Refused earlier and nothing printed: a new uuid, sent now.
                    task = Uuid::new_v4();
                    self.conn.execute(
                        "UPDATE fiscal_tasks SET task_id = ?2 WHERE rowid = ?1",
                        (row, task.to_string()),
                    )?;
                    receipt = self.to_send(row, &doc_id, kind, correction, receipt)?;
                    self.send(&*reg, kind, task, receipt.as_deref())
                }
                Ok(Lookup::Unknown) => {
                    receipt = self.to_send(row, &doc_id, kind, correction, receipt)?;
                    self.send(&*reg, kind, task, receipt.as_deref())
                }
                Err(e) => Err(e),
            };
            match outcome {
                Ok(doc) => {
                    // Whatever the uuid executed is the receipt stored last under it.
                    let corrected = receipt
                        .as_deref()
                        .and_then(|r| serde_json::from_str::<FiscalReceipt>(r).ok())
                        .is_some_and(|r| r.correction.is_some());
                    self.record_fiscal(row, &doc_id, kind, task, Some(&doc), corrected)?
                }
                // The register's shift was already as the till wants it (opened or closed
                // at the register itself): nothing to sign, nothing left to do.
                Err(RegisterError::ShiftOpen) if kind == FiscalFor::ShiftOpen => {
                    self.record_fiscal(row, &doc_id, kind, task, None, false)?
                }
                Err(RegisterError::ShiftClosed) if kind == FiscalFor::ShiftClose => {
                    self.record_fiscal(row, &doc_id, kind, task, None, false)?
                }
                Err(e) => {
                    if !e.outcome_unknown() {
                        // Definitely not executed: the retry goes under a new uuid.
                        self.conn.execute(
                            "UPDATE fiscal_tasks SET task_id = ?2 WHERE rowid = ?1",
                            (row, Uuid::new_v4().to_string()),
                        )?;
                    }
                    let reason = e.to_string();
                    self.conn.execute(
                        "UPDATE fiscal_tasks SET last_error = ?2, last_code = ?3 WHERE rowid = ?1",
                        (row, &reason, e.code()),
                    )?;
                    return Err(TillError::FiscalPending { reason });
                }
            }
        }
    }

    /// The receipt about to be sent for a task: a document the register never signed
    /// while it was out of order goes as its correction receipt, stored before it is sent
    /// (so what its uuid executed is always known).
    fn to_send(
        &self,
        row: i64,
        doc_id: &str,
        kind: FiscalFor,
        correction: bool,
        receipt: Option<String>,
    ) -> Result<Option<String>> {
        let Some(stored) = receipt.as_deref() else {
            return Ok(receipt);
        };
        let r: FiscalReceipt = serde_json::from_str(stored)?;
        if !correction || r.correction.is_some() {
            return Ok(receipt);
        }
        let corrected =
            serde_json::to_string(&r.corrected(outage::base(&self.conn, doc_id, kind)?))?;
        self.conn.execute(
            "UPDATE fiscal_tasks SET receipt = ?2 WHERE rowid = ?1",
            (row, &corrected),
        )?;
        Ok(Some(corrected))
    }

    fn send(
        &self,
        reg: &dyn FiscalRegister,
        kind: FiscalFor,
        task: Uuid,
        receipt: Option<&str>,
    ) -> std::result::Result<FiscalDoc, RegisterError> {
        let answer = match kind {
            FiscalFor::Sale | FiscalFor::Return => {
                let parsed: Option<FiscalReceipt> =
                    receipt.and_then(|r| serde_json::from_str(r).ok());
                let Some(r) = parsed else {
                    return Err(RegisterError::Refused {
                        code: 0,
                        description: "the stored receipt is unreadable".into(),
                    });
                };
                reg.receipt(task, &r)
            }
            FiscalFor::ShiftOpen | FiscalFor::ShiftClose => {
                let op = self.operator().map_err(|e| RegisterError::Refused {
                    code: 0,
                    description: e.to_string(),
                })?;
                if kind == FiscalFor::ShiftOpen {
                    reg.open_shift(task, &op)
                } else {
                    reg.close_shift(task, &op)
                }
            }
        }?;
        answer.ok_or_else(|| {
            RegisterError::NoAnswer("the register's answer has no fiscal data".into())
        })
    }

    /// Stores the register's answer with its document and tells head office.
    fn record_fiscal(
        &mut self,
        row: i64,
        doc_id: &str,
        kind: FiscalFor,
        task: Uuid,
        doc: Option<&FiscalDoc>,
        correction: bool,
    ) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE fiscal_tasks SET state = 'done', fiscal = ?2, done_at = ?3, last_error = NULL
             WHERE rowid = ?1 AND state = 'pending'",
            (
                row,
                doc.map(serde_json::to_string).transpose()?,
                db::ts(db::now()),
            ),
        )?;
        let Some(doc) = doc else {
            return Ok(tx.commit()?);
        };
        let id = db::parse_uuid(doc_id)?;
        let record = FiscalRecord {
            doc_id: id,
            kind,
            task_id: task,
            fiscal: doc.clone(),
            correction,
        };
        outbox::append(
            &tx,
            self.terminal_id,
            id,
            EventPayload::FiscalDocument(record),
        )?;
        tx.commit()?;
        Ok(())
    }
}
