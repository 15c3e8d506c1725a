//! The settings a manager changes at the till itself: where receipts print and how long
//! an unattended till stays unlocked. Head office owns everything else (catalog, prices,
//! cashiers); those arrive by sync.

use serde::Serialize;

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

    /// The till's settings as the settings screen shows them (anyone logged in may look).
    pub fn settings(&self) -> Result<TillSettings> {
        self.session()?;
        Ok(TillSettings {
            printer: self.printer()?.to_string(),
            idle_lock_minutes: self.idle_lock_minutes()?,
        })
    }

    /// Saves the settings screen (needs the Configure capability). Both values are
    /// checked before either is written: a typo changes nothing.
    pub fn save_settings(
        &mut self,
        printer: &str,
        idle_lock_minutes: &str,
    ) -> Result<TillSettings> {
        self.grant(shared_model::Capability::Configure)?;
        let printer = Printer::parse(printer)?;
        let minutes = parse_idle_lock(idle_lock_minutes)?;
        let tx = self.conn.transaction()?;
        db::set_setting(&tx, "printer", &serde_json::to_string(&printer)?)?;
        db::set_setting(&tx, "idle_lock_minutes", &minutes.to_string())?;
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
