//! What head office hears of the till's register: its status, warnings' sources and the
//! receipts waiting, sent with a sync round (at most once a minute unless it changed).

use chrono::Duration;
use shared_model::sync::{RegisterReport, PROTOCOL_VERSION};

use crate::{db, error::Result, Till};

/// An unchanged report is sent again this often (head office's "last heard").
const RESEND_AFTER: Duration = Duration::seconds(60);

impl Till {
    /// The register's report for head office when one is due: `None` for a till with no
    /// register, or when the same was sent less than a minute ago.
    pub(crate) fn register_report_due(&self) -> Result<Option<RegisterReport>> {
        // Sync rounds come with sales and once a minute: asking the register each time
        // costs one local status call, less than the sale's own receipt.
        let view = self.register_view()?;
        if !view.fiscal {
            return Ok(None);
        }
        // The register's clock ticks on in every status: leave it out of "unchanged".
        let mut same = view.status.clone();
        if let Some(s) = same.as_mut() {
            s.clock = None;
        }
        let fingerprint = serde_json::to_string(&(
            &same,
            &view.error,
            view.pending,
            view.deferred,
            view.outage.as_ref().map(|o| &o.reason),
        ))?;
        let last_at = db::setting(&self.conn, "register_report_at")?
            .map(|t| db::parse_ts(&t))
            .transpose()?;
        let unchanged =
            db::setting(&self.conn, "register_report")?.as_deref() == Some(fingerprint.as_str());
        if unchanged && last_at.is_some_and(|t| db::now() - t < RESEND_AFTER) {
            return Ok(None);
        }
        db::set_setting(&self.conn, "register_report_pending", &fingerprint)?;
        Ok(Some(RegisterReport {
            protocol: PROTOCOL_VERSION,
            status: view.status,
            error: view.error.map(|e| e.chars().take(500).collect()),
            pending: view.pending,
            deferred: view.deferred,
            outage: view.outage.map(|o| o.reason),
        }))
    }

    /// Head office took the report [`Till::register_report_due`] gave.
    pub(crate) fn register_report_sent(&self) -> Result<()> {
        if let Some(f) = db::setting(&self.conn, "register_report_pending")? {
            db::set_setting(&self.conn, "register_report", &f)?;
        }
        db::set_setting(&self.conn, "register_report_at", &db::ts(db::now()))
    }
}
