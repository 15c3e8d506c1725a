//! The fiscal register port: what the till asks of a register, whatever its make.
//! [`super::atol::Atol`] speaks ATOL's Web Server protocol; [`NoRegister`] is the
//! non-fiscal mode of a demo till or a store head office marks non-fiscal.

use chrono::{DateTime, Utc};
use shared_model::fiscal::health::{RegisterStatus, ShiftState};
use shared_model::fiscal::{FiscalDoc, FiscalReceipt, Operator};
pub use shared_model::shift::counters::RegisterTotals;
use shared_model::Money;
use uuid::Uuid;

pub use crate::error::RegisterError;

/// A non-fiscal operation on the register's drawer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CashOp {
    /// Cash put in.
    In(Money),
    /// Cash taken out.
    Out(Money),
}

/// What a task's uuid shows on the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Never received: safe to send.
    Unknown,
    /// Received, not finished.
    InProgress,
    /// Done: the fiscal document (none for a non-fiscal operation).
    Done(Option<FiscalDoc>),
    /// Refused (nothing was printed or signed).
    Failed(RegisterError),
}

/// A fiscal register, seen from the till. Every call that makes a document takes the
/// task's uuid: sending one uuid twice never makes a second document.
pub trait FiscalRegister {
    /// Whether this register makes fiscal documents at all.
    fn is_fiscal(&self) -> bool;
    /// Status, shift and fiscal storage.
    fn status(&self) -> Result<RegisterStatus, RegisterError>;
    /// Opens the register's shift.
    fn open_shift(
        &self,
        task: Uuid,
        operator: &Operator,
    ) -> Result<Option<FiscalDoc>, RegisterError>;
    /// Closes it (the Z report).
    fn close_shift(
        &self,
        task: Uuid,
        operator: &Operator,
    ) -> Result<Option<FiscalDoc>, RegisterError>;
    /// Prints an X report.
    fn report_x(&self, task: Uuid) -> Result<(), RegisterError>;
    /// Cash in or out.
    fn cash(&self, task: Uuid, op: CashOp) -> Result<(), RegisterError>;
    /// A receipt of any kind (sale, return, correction).
    fn receipt(
        &self,
        task: Uuid,
        receipt: &FiscalReceipt,
    ) -> Result<Option<FiscalDoc>, RegisterError>;
    /// What became of a task sent earlier.
    fn find(&self, task: Uuid) -> Result<Lookup, RegisterError>;
    /// The register's counters for the open shift.
    fn totals(&self) -> Result<RegisterTotals, RegisterError>;
}

/// No register: the till prints its own slips, each saying it is not a fiscal document.
pub struct NoRegister;

impl FiscalRegister for NoRegister {
    fn is_fiscal(&self) -> bool {
        false
    }
    fn status(&self) -> Result<RegisterStatus, RegisterError> {
        Ok(RegisterStatus {
            model: "none".into(),
            shift: ShiftState::Closed,
            shift_no: 0,
            shift_expires_at: None::<DateTime<Utc>>,
            paper: true,
            cover_open: false,
            unsent: 0,
            oldest_unsent_at: None,
            fn_serial: String::new(),
            fn_valid_until: None,
            clock: None,
        })
    }
    fn open_shift(&self, _: Uuid, _: &Operator) -> Result<Option<FiscalDoc>, RegisterError> {
        Ok(None)
    }
    fn close_shift(&self, _: Uuid, _: &Operator) -> Result<Option<FiscalDoc>, RegisterError> {
        Ok(None)
    }
    fn report_x(&self, _: Uuid) -> Result<(), RegisterError> {
        Ok(())
    }
    fn cash(&self, _: Uuid, _: CashOp) -> Result<(), RegisterError> {
        Ok(())
    }
    fn receipt(&self, _: Uuid, _: &FiscalReceipt) -> Result<Option<FiscalDoc>, RegisterError> {
        Ok(None)
    }
    fn find(&self, _: Uuid) -> Result<Lookup, RegisterError> {
        Ok(Lookup::Done(None))
    }
    fn totals(&self) -> Result<RegisterTotals, RegisterError> {
        Ok(RegisterTotals::default())
    }
}
