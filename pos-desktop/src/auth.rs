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

    /// Adds a cashier without a permission check: for data that comes with the till
    /// (demo) or, later, from head office.
    pub(crate) fn insert_cashier(&mut self, name: &str, role: Role, pin: &str) -> Result<Uuid> {
        validate_pin(pin)?;
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
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, bool>(3)?,
            ))
        })?;
        rows.map(|row| {
            let (id, name, role, active) = row?;
            Ok(CashierInfo {
                id: db::parse_uuid(&id)?,
                name,
                role: Role::parse(&role)?,
                active,
            })
        })
        .collect()
    }

    fn cashier_by_pin(&self, pin: &str) -> Result<Option<Uuid>> {
        let mut st = self
            .conn
            .prepare("SELECT id, pin_hash FROM cashiers WHERE active = 1")?;
        let rows: Vec<(String, String)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (id, hash) in rows {
            if pin_matches(pin, &hash) {
                return Ok(Some(db::parse_uuid(&id)?));
            }
        }
        Ok(None)
    }

    /// Logs in the cashier whose PIN this is. Works offline against synced hashes.
    pub fn login(&mut self, pin: &str) -> Result<Session> {
        validate_pin(pin).map_err(|_| TillError::WrongPin)?;
        let id = self.cashier_by_pin(pin)?.ok_or(TillError::WrongPin)?;
        db::set_setting(&self.conn, "session_cashier", &id.to_string())?;
        self.session()
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
