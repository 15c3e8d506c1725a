//! Software updates of the till: where to ask (head office's update feed, with a fresh
//! device token) and when one may be applied (the shift closed, so no sale, payment or
//! cash count is interrupted by the restart).

use crate::{Result, Till};

/// Head office's update feed for this till.
#[derive(Debug, Clone)]
pub struct UpdateFeed {
    /// The endpoint, with the Tauri updater's `{{target}}`, `{{arch}}` and
    /// `{{current_version}}` placeholders.
    pub endpoint: String,
    /// A short-lived device token for the `Authorization` header.
    pub token: String,
}

impl Till {
    /// The update feed of an enrolled till, with a fresh device token; `Ok(None)` when the
    /// till is not enrolled (a standalone till updates by hand).
    pub fn update_feed(&self) -> Result<Option<UpdateFeed>> {
        let Ok(cred) = self.credential() else {
            return Ok(None);
        };
        let token = self.device_token(&crate::sync::client()?, &cred)?;
        Ok(Some(UpdateFeed {
            endpoint: format!(
                "{}/api/v1/sync/update/{{{{target}}}}/{{{{arch}}}}/{{{{current_version}}}}",
                cred.server
            ),
            token: token.token,
        }))
    }

    /// Whether an update may be installed now: only with no shift open (and so no sale in
    /// progress). The caller holds the till while installing, so no shift opens meanwhile.
    pub fn may_update(&self) -> Result<bool> {
        Ok(self.current_shift()?.is_none() && self.cart()?.is_none())
    }
}
