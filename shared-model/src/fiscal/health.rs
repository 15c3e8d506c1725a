//! The register's health, as the till shows it and head office reports it: what is
//! only a warning and what stops sales before the register itself would.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A register shift lasts at most this long (54-FZ); then receipts are refused.
pub const SHIFT_HOURS: i64 = 24;
/// The till asks for a Z report this long before the register's shift expires.
pub const Z_DUE_BEFORE: Duration = Duration::hours(1);
/// No new sale starts this close to the shift's expiry (it must finish before).
pub const SALES_STOP_BEFORE: Duration = Duration::minutes(10);
/// Documents the ОФД has not confirmed for this long are warned about.
pub const OFD_WARN_AFTER: Duration = Duration::days(3);
/// The fiscal storage stops signing after this long without the ОФД (54-FZ art. 4.1).
pub const OFD_LOCK_AFTER: Duration = Duration::days(30);
/// Sales stop this long before that lock, with a message saying why, rather than
/// failing mid-sale on the register's own refusal.
pub const OFD_STOP_BEFORE: Duration = Duration::days(1);
/// The fiscal storage's expiry is warned about this long ahead.
pub const FN_WARN_BEFORE: Duration = Duration::days(30);

/// The register's shift (a closed one is opened by the till before its next receipt).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShiftState {
    /// No shift open.
    Closed,
    /// Open and within its 24 hours.
    Opened,
    /// Open past its 24 hours: only a Z report is accepted.
    Expired,
}

/// What the register says of itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterStatus {
    /// Register model, as it reports it (`none` for a non-fiscal till).
    pub model: String,
    /// Shift state.
    pub shift: ShiftState,
    /// Shift number (the last one, when closed).
    pub shift_no: u32,
    /// When the open shift expires.
    pub shift_expires_at: Option<DateTime<Utc>>,
    /// Paper loaded.
    pub paper: bool,
    /// Cover open.
    pub cover_open: bool,
    /// Documents not yet confirmed by the ОФД.
    pub unsent: u32,
    /// When the oldest of them was made.
    pub oldest_unsent_at: Option<DateTime<Utc>>,
    /// Fiscal storage serial.
    pub fn_serial: String,
    /// Last day the fiscal storage signs.
    pub fn_valid_until: Option<NaiveDate>,
    /// The register's own clock (its shift expires by it, not by the till's).
    pub clock: Option<DateTime<Utc>>,
}

/// One thing to tell the cashier (or head office) about the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Warning {
    /// No paper.
    PaperOut,
    /// Cover open.
    CoverOpen,
    /// The shift expires soon: take the Z report.
    ZDue {
        /// Minutes left.
        minutes_left: i64,
    },
    /// The shift is past 24 hours: only a Z report will do.
    ShiftExpired,
    /// Documents waiting for the ОФД for days.
    OfdBacklog {
        /// How many.
        unsent: u32,
        /// Whole days the oldest has waited.
        days: i64,
        /// Whole days until the fiscal storage locks.
        days_to_lock: i64,
    },
    /// The fiscal storage expires soon (or has).
    FnExpiring {
        /// Days left (negative: expired).
        days_left: i64,
    },
}

/// Why no sale may start now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// Paper out or cover open: the register cannot print.
    NotReady,
    /// The shift expires (or has): take the Z report first.
    ZRequired,
    /// The ОФД has not confirmed documents for too long: connect the register.
    OfdLock {
        /// Whole days the oldest has waited.
        days: i64,
    },
    /// The fiscal storage has expired: it must be replaced.
    FnExpired,
}

/// The register's health at `now`: every warning, and what (if anything) stops sales.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// Warnings, most urgent first.
    pub warnings: Vec<Warning>,
    /// What stops a new sale, if anything.
    pub block: Option<Block>,
}

/// Judges a register's status at `now`.
pub fn assess(s: &RegisterStatus, now: DateTime<Utc>) -> Health {
    let mut warnings = Vec::new();
    let mut block = None;
    if s.shift == ShiftState::Expired || s.shift_expires_at.is_some_and(|e| e <= now) {
        warnings.push(Warning::ShiftExpired);
        block = Some(Block::ZRequired);
    } else if let Some(expires) = s.shift_expires_at {
        let left = expires - now;
        if left <= Z_DUE_BEFORE {
            warnings.push(Warning::ZDue {
                minutes_left: left.num_minutes(),
            });
        }
        if left <= SALES_STOP_BEFORE {
            block = Some(Block::ZRequired);
        }
    }
    if let Some(oldest) = s.oldest_unsent_at.filter(|_| s.unsent > 0) {
        let waited = now - oldest;
        if waited >= OFD_WARN_AFTER {
            warnings.push(Warning::OfdBacklog {
                unsent: s.unsent,
                days: waited.num_days(),
                days_to_lock: (OFD_LOCK_AFTER - waited).num_days().max(0),
            });
        }
        if waited >= OFD_LOCK_AFTER - OFD_STOP_BEFORE {
            block = block.or(Some(Block::OfdLock {
                days: waited.num_days(),
            }));
        }
    }
    if let Some(until) = s.fn_valid_until {
        let days_left = (until - now.date_naive()).num_days();
        if days_left <= FN_WARN_BEFORE.num_days() {
            warnings.push(Warning::FnExpiring { days_left });
        }
        if days_left < 0 {
            block = Some(Block::FnExpired);
        }
    }
    if s.cover_open {
        warnings.insert(0, Warning::CoverOpen);
    }
    if !s.paper {
        warnings.insert(0, Warning::PaperOut);
    }
    if !s.paper || s.cover_open {
        block = block.or(Some(Block::NotReady));
    }
    Health { warnings, block }
}
