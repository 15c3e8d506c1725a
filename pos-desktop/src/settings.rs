//! The settings a manager changes at the till itself: where receipts print, how long
//! an unattended till stays unlocked, and the keys the store's scanners send. Head office owns everything else (catalog, prices,
//! cashiers); those arrive by sync.

use serde::Serialize;
use shared_model::keyboard::ScannerSetup;

use crate::printer::Printer;
use crate::{db, error::Result, Till, TillError};

/// The idle lock a new till starts with, in minutes.
const DEFAULT_IDLE_LOCK: u32 = 5;

/// What the settings screen shows and saves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TillSettings {
    /// The receipt printer as typed: `files[:DIR]`, `device:PATH` or `tcp:HOST:PORT`.
    pub printer: String,
    /// Minutes without input before the window locks back to the PIN screen.
    pub idle_lock_minutes: u32,
    /// What the scanners send before each code (empty: nothing).
    pub scanner_prefix: String,
    /// The key that ends each scanned code: `Enter` or `Tab`.
    pub scanner_suffix: String,
}

/// The settings screen as typed, before any of it is checked.
#[derive(Debug, Clone, Copy)]
pub struct SettingsForm<'a> {
    /// The receipt printer.
    pub printer: &'a str,
    /// The idle lock in minutes.
    pub idle_lock_minutes: &'a str,
    /// The scanners' prefix.
    pub scanner_prefix: &'a str,
    /// The scanners' suffix.
    pub scanner_suffix: &'a str,
}

/// Parses an idle lock typed by a person: whole minutes, 1 to 240.
fn parse_idle_lock(s: &str) -> Result<u32> {
    s.trim()
        .parse::<u32>()
        .ok()
        .filter(|m| (1..=240).contains(m))
        .ok_or_else(|| TillError::InvalidInput("the idle lock is 1 to 240 minutes".into()))
}

impl Till {
    /// Minutes without input after which the till window locks back to the PIN screen.
    pub fn idle_lock_minutes(&self) -> Result<u32> {
        Ok(db::setting(&self.conn, "idle_lock_minutes")?
            .and_then(|m| m.parse().ok())
            .unwrap_or(DEFAULT_IDLE_LOCK))
    }

    /// Sets the idle lock (1–240 minutes; needs the Configure capability).
    pub fn set_idle_lock_minutes(&mut self, minutes: u32) -> Result<()> {
        self.grant(shared_model::Capability::Configure)?;
        let minutes = parse_idle_lock(&minutes.to_string())?;
        db::set_setting(&self.conn, "idle_lock_minutes", &minutes.to_string())
    }

    /// How this store's scanners send codes (the window tells scans from typing by it).
    pub fn scanner(&self) -> Result<ScannerSetup> {
        let prefix = db::setting(&self.conn, "scanner_prefix")?.unwrap_or_default();
        let suffix = db::setting(&self.conn, "scanner_suffix")?;
        // Stored values were checked when saved; a damaged one falls back to the default.
        Ok(ScannerSetup::parse(&prefix, suffix.as_deref().unwrap_or("Enter")).unwrap_or_default())
    }

    /// Sets the scanner keys (needs the Configure capability).
    pub fn set_scanner(&mut self, setup: &ScannerSetup) -> Result<()> {
        self.grant(shared_model::Capability::Configure)?;
        let tx = self.conn.transaction()?;
        db::set_setting(&tx, "scanner_prefix", &setup.prefix)?;
        db::set_setting(&tx, "scanner_suffix", &setup.suffix)?;
        tx.commit()?;
        Ok(())
    }

    /// The till's settings as the settings screen shows them (anyone logged in may look).
    pub fn settings(&self) -> Result<TillSettings> {
        self.session()?;
        let scanner = self.scanner()?;
        Ok(TillSettings {
            printer: self.printer()?.to_string(),
            idle_lock_minutes: self.idle_lock_minutes()?,
            scanner_prefix: scanner.prefix,
            scanner_suffix: scanner.suffix,
        })
    }

    /// Saves the settings screen (needs the Configure capability). Every value is
    /// checked before any is written: a typo changes nothing.
    pub fn save_settings(&mut self, form: SettingsForm<'_>) -> Result<TillSettings> {
        self.grant(shared_model::Capability::Configure)?;
        let printer = Printer::parse(form.printer)?;
        let minutes = parse_idle_lock(form.idle_lock_minutes)?;
        let scanner = ScannerSetup::parse(form.scanner_prefix, form.scanner_suffix)
            .map_err(TillError::InvalidInput)?;
        let tx = self.conn.transaction()?;
        db::set_setting(&tx, "printer", &serde_json::to_string(&printer)?)?;
        db::set_setting(&tx, "idle_lock_minutes", &minutes.to_string())?;
        db::set_setting(&tx, "scanner_prefix", &scanner.prefix)?;
        db::set_setting(&tx, "scanner_suffix", &scanner.suffix)?;
        tx.commit()?;
        self.settings()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_locks_are_whole_minutes_in_range() {
        assert_eq!(parse_idle_lock(" 15 ").unwrap(), 15);
        for bad in ["0", "241", "-1", "5.5", "", "ten"] {
            assert!(parse_idle_lock(bad).is_err(), "{bad}");
        }
    }
}
