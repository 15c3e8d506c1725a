//! Cashiers, PIN login and role checks. PINs are stored only as argon2id hashes.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use rusqlite::OptionalExtension;
use serde::Serialize;
use shared_model::{Capability, Percent, Role};
use uuid::Uuid;

use crate::{db, error::Result, Till, TillError};

/// The cashier logged in on this till, with what their role allows.
#[derive(Debug, Clone, Serialize)]
pub struct Session {
    /// Cashier id.
    pub cashier_id: Uuid,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Manual-discount limit of the role.
    pub discount_limit: Percent,
}

/// Proof that the logged-in cashier may do one thing; engine operations take it
/// instead of checking a flag themselves.
#[derive(Debug, Clone)]
pub struct Grant {
    /// Who.
    pub session: Session,
    /// What.
    pub capability: Capability,
}

/// A cashier as listed to managers (no hash).
#[derive(Debug, Clone, Serialize)]
pub struct CashierInfo {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Whether they may log in.
    pub active: bool,
}

fn validate_pin(pin: &str) -> Result<()> {
    if (4..=8).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(TillError::InvalidPin)
    }
}

/// Hashes a PIN with argon2id (OWASP parameters: 19 MiB, 2 passes, 1 lane).
pub fn hash_pin(pin: &str) -> Result<String> {
    validate_pin(pin)?;
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| TillError::Data(format!("hashing PIN: {e}")))
}

fn pin_matches(pin: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(pin.as_bytes(), &h)
            .is_ok()
    })
}

/// Wrong PINs allowed before the till makes the next one wait.
pub const PIN_TRIES: u32 = 5;

/// Wrong PINs in a row and until when the next try must wait.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct PinThrottle {
    failures: u32,
    until: Option<chrono::DateTime<chrono::Utc>>,
}

impl PinThrottle {
    fn load(conn: &rusqlite::Connection) -> Result<Self> {
        let failures = db::setting(conn, "pin_failures")?
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let until = db::setting(conn, "pin_locked_until")?
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(&s).ok())
            .map(|t| t.with_timezone(&chrono::Utc));
        Ok(PinThrottle { failures, until })
    }

    fn save(&self, conn: &rusqlite::Connection) -> Result<()> {
        db::set_setting(conn, "pin_failures", &self.failures.to_string())?;
        match self.until {
            Some(t) => db::set_setting(conn, "pin_locked_until", &t.to_rfc3339()),
            None => db::clear_setting(conn, "pin_locked_until"),
        }
    }

    /// Whole seconds still to wait, if any.
    fn wait(&self, now: chrono::DateTime<chrono::Utc>) -> Option<u64> {
        let left = (self.until? - now).num_milliseconds();
        (left > 0).then(|| (left as u64).div_ceil(1000))
    }

    /// One more wrong PIN: from the fifth on, 30 s, then 1, 2, 4… minutes (at most an hour).
    fn failed(self, now: chrono::DateTime<chrono::Utc>) -> Self {
        let failures = self.failures.saturating_add(1);
        let until = (failures >= PIN_TRIES).then(|| {
            let steps = (failures - PIN_TRIES).min(7);
            let secs = (30i64 << steps).min(3600);
            now + chrono::Duration::seconds(secs)
        });
        PinThrottle { failures, until }
    }
}

impl Till {
    /// Adds a cashier (needs the Configure capability). On a till with no cashiers at
    /// all, the first one may be added without a login, and must be an admin or a
    /// manager, so that a till installed without a server can be bootstrapped.
    pub fn add_cashier(&mut self, name: &str, role: Role, pin: &str) -> Result<Uuid> {
        let count: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM cashiers", [], |r| r.get(0))?;
        if count > 0 {
            self.grant(Capability::Configure)?;
        } else if !matches!(role, Role::Admin | Role::Manager) {
            return Err(TillError::Forbidden {
                role: role.code().to_owned(),
                action: "be the first user of a till (add an admin or a manager first)".into(),
            });
        }
        self.insert_cashier(name, role, pin)
    }

    /// Adds a cashier without a permission check: for the demo's cashiers, which come
    /// with the till (head office's cashiers arrive through the feed instead).
    pub(crate) fn insert_cashier(&mut self, name: &str, role: Role, pin: &str) -> Result<Uuid> {
        validate_pin(pin)?;
        role.check_pin(pin)?;
        if name.trim().is_empty() {
            return Err(TillError::NameRequired);
        }
        if self.cashier_by_pin(pin)?.is_some() {
            return Err(TillError::PinInUse);
        }
        let id = Uuid::now_v7();
        self.conn.execute(
            "INSERT INTO cashiers (id, name, role, pin_hash) VALUES (?1, ?2, ?3, ?4)",
            (id.to_string(), name.trim(), role.code(), hash_pin(pin)?),
        )?;
        Ok(id)
    }

    /// Whether the till has any active user.
    pub fn has_cashiers(&self) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM cashiers WHERE active = 1)",
            [],
            |r| r.get(0),
        )?)
    }

    /// Cashiers known to the till.
    pub fn cashiers(&self) -> Result<Vec<CashierInfo>> {
        let mut st = self
            .conn
            .prepare("SELECT id, name, role, active FROM cashiers ORDER BY name")?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, db::Id>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, bool>(3)?,
            ))
        })?;
        rows.map(|row| {
            let (id, name, role, active) = row?;
            Ok(CashierInfo {
                id: id.0,
                name,
                role: Role::parse(&role)?,
                active,
            })
        })
        .collect()
    }

    /// Every active cashier whose PIN this is (normally one at most).
    fn cashiers_by_pin(&self, pin: &str) -> Result<Vec<Uuid>> {
        let mut st = self
            .conn
            .prepare("SELECT id, pin_hash FROM cashiers WHERE active = 1")?;
        let rows: Vec<(db::Id, String)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows
            .into_iter()
            .filter(|(_, hash)| pin_matches(pin, hash))
            .map(|(id, _)| id.0)
            .collect())
    }

    fn cashier_by_pin(&self, pin: &str) -> Result<Option<Uuid>> {
        Ok(self.cashiers_by_pin(pin)?.first().copied())
    }

    /// Logs in the cashier whose PIN this is. Works offline against synced hashes.
    /// After [`PIN_TRIES`] wrong PINs the till waits, longer each time (kept in SQLite,
    /// so a restart does not reset it); a PIN two people share logs in nobody.
    pub fn login(&mut self, pin: &str) -> Result<Session> {
        let now = db::now();
        let throttle = PinThrottle::load(&self.conn)?;
        if let Some(seconds) = throttle.wait(now) {
            return Err(TillError::PinLocked { seconds });
        }
        let found = match validate_pin(pin) {
            Ok(()) => self.cashiers_by_pin(pin)?,
            Err(_) => Vec::new(),
        };
        match found.as_slice() {
            [id] => {
                PinThrottle::default().save(&self.conn)?;
                db::set_setting(&self.conn, "session_cashier", &id.to_string())?;
                self.session()
            }
            [] => {
                let t = throttle.failed(now);
                t.save(&self.conn)?;
                match t.wait(now) {
                    Some(seconds) => Err(TillError::PinLocked { seconds }),
                    None => Err(TillError::WrongPin),
                }
            }
            _ => Err(TillError::PinShared),
        }
    }

    /// Logs out.
    pub fn logout(&mut self) -> Result<()> {
        db::clear_setting(&self.conn, "session_cashier")
    }

    /// The logged-in cashier.
    pub fn session(&self) -> Result<Session> {
        let id = db::setting(&self.conn, "session_cashier")?.ok_or(TillError::NotLoggedIn)?;
        let row: Option<(String, String, i64)> = self
            .conn
            .query_row(
                "SELECT c.name, c.role, COALESCE(c.discount_limit_bp, r.max_discount_bp) FROM cashiers c JOIN roles r ON r.code = c.role
                 WHERE c.id = ?1 AND c.active = 1",
                [&id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let (name, role, bp) = row.ok_or(TillError::NotLoggedIn)?;
        Ok(Session {
            cashier_id: db::parse_uuid(&id)?,
            name,
            role: Role::parse(&role)?,
            discount_limit: Percent::from_bp(bp.clamp(0, 10_000) as u32)?,
        })
    }

    /// The logged-in cashier's permission to do `cap`, or why not.
    pub fn grant(&self, cap: Capability) -> Result<Grant> {
        let session = self.session()?;
        if !session.role.allows(cap) {
            return Err(TillError::Forbidden {
                role: session.role.code().to_owned(),
                action: format!("{cap:?}").to_lowercase(),
            });
        }
        Ok(Grant {
            session,
            capability: cap,
        })
    }
}
