//! Gift certificates: the code format, what may be redeemed, and the offline allowance.
//!
//! The rule that keeps offline redemption safe (see `docs/certificates.md`):
//! - online, the server checks and reserves every redemption first;
//! - offline, the store that sold a certificate holds its whole balance as a lease;
//!   any other store may take at most `per_redemption` at once and `per_day` a day per
//!   certificate; or, with [`OfflineMode::OnlineOnly`], nothing at all;
//! - the server applies redemptions in arrival order; one that overdraws is kept, the
//!   overdraw recorded and the certificate frozen (through the feed) for head office.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Money;

/// The 32 symbols codes use: no 0/O, 1/I to misread.
const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Symbols before the check symbol.
pub const CODE_BODY_LEN: usize = 12;

/// Why a certificate cannot be used as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateRefusal {
    /// Not a certificate code at all (wrong length, symbol or check symbol).
    #[error("{0:?} is not a gift certificate code (mistyped?)")]
    Malformed(String),
    /// A well-formed code head office never issued.
    #[error("unknown gift certificate {0}")]
    Unknown(String),
    /// Issued but never sold: it holds no money yet.
    #[error("gift certificate {0} has not been sold yet")]
    NotSold(String),
    /// Sold already: it cannot be sold twice.
    #[error("gift certificate {0} has already been sold")]
    AlreadySold(String),
    /// Past its expiry date.
    #[error("gift certificate {code} expired on {on}")]
    Expired { code: String, on: NaiveDate },
    /// Blocked by head office.
    #[error("gift certificate {0} is blocked")]
    Blocked(String),
    /// Frozen after an overdraw, until head office looks at it.
    #[error("gift certificate {0} is frozen after an overdraw; ask head office")]
    Frozen(String),
    /// Nothing left on it.
    #[error("gift certificate {0} has no balance left")]
    Exhausted(String),
    /// Less on it than asked.
    #[error("gift certificate {code} holds only {available}")]
    Insufficient { code: String, available: Money },
    /// Offline, this store may take at most this much now.
    #[error("offline, at most {allowed} may be taken from gift certificate {code} here")]
    OverOfflineAllowance { code: String, allowed: Money },
    /// Offline redemption is switched off.
    #[error("gift certificates can only be redeemed online; head office cannot be reached")]
    OnlineOnly,
}

/// Every code [`CertificateRefusal::code`] gives (a till maps head office's answer back).
pub const REFUSAL_CODES: [&str; 7] = [
    "certificate_unknown",
    "certificate_not_sold",
    "certificate_already_sold",
    "certificate_expired",
    "certificate_blocked",
    "certificate_exhausted",
    "certificate_offline_limit",
];

impl CertificateRefusal {
    /// A stable machine code for the reason.
    pub fn code(&self) -> &'static str {
        use CertificateRefusal::*;
        match self {
            Malformed(_) | Unknown(_) => "certificate_unknown",
            NotSold(_) => "certificate_not_sold",
            AlreadySold(_) => "certificate_already_sold",
            Expired { .. } => "certificate_expired",
            Blocked(_) | Frozen(_) => "certificate_blocked",
            Exhausted(_) | Insufficient { .. } => "certificate_exhausted",
            OverOfflineAllowance { .. } | OnlineOnly => "certificate_offline_limit",
        }
    }
}

/// A validated certificate code: 12 symbols and a Luhn mod 32 check symbol.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CertificateCode(String);

fn index(c: u8) -> Option<usize> {
    ALPHABET.iter().position(|a| *a == c)
}

/// Luhn mod N over `body` (symbol indexes): catches every single-symbol error and
/// most swaps of neighbours.
fn check_symbol(body: &[usize]) -> u8 {
    let n = ALPHABET.len();
    let mut factor = 2;
    let mut sum = 0;
    for &i in body.iter().rev() {
        let a = factor * i;
        sum += a / n + a % n;
        factor = if factor == 2 { 1 } else { 2 };
    }
    ALPHABET[(n - sum % n) % n]
}

impl CertificateCode {
    /// Parses a code as typed or scanned: case, spaces and dashes do not matter.
    pub fn parse(s: &str) -> Result<Self, CertificateRefusal> {
        let bad = || CertificateRefusal::Malformed(s.trim().chars().take(40).collect());
        let clean: Vec<u8> = s
            .bytes()
            .filter(|b| !matches!(b, b' ' | b'-'))
            .map(|b| b.to_ascii_uppercase())
            .collect();
        if clean.len() != CODE_BODY_LEN + 1 {
            return Err(bad());
        }
        let body: Vec<usize> = clean[..CODE_BODY_LEN]
            .iter()
            .map(|c| index(*c))
            .collect::<Option<_>>()
            .ok_or_else(bad)?;
        if check_symbol(&body) != clean[CODE_BODY_LEN] {
            return Err(bad());
        }
        Ok(CertificateCode(
            String::from_utf8_lossy(&clean).into_owned(),
        ))
    }

    /// A code from random bytes (the caller supplies the randomness).
    pub fn from_random(random: &[u8; CODE_BODY_LEN]) -> Self {
        let body: Vec<usize> = random
            .iter()
            .map(|b| *b as usize % ALPHABET.len())
            .collect();
        let mut s: String = body.iter().map(|i| ALPHABET[*i] as char).collect();
        s.push(check_symbol(&body) as char);
        CertificateCode(s)
    }

    /// Only the last four symbols, for paper: a dropped receipt cannot spend it.
    pub fn masked(&self) -> String {
        format!("****{}", &self.0[self.0.len() - 4..])
    }

    /// The canonical form (13 symbols, no dashes).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What tills know a certificate by: a slow hash of the code, so a copied till
    /// database holds no code anyone could spend. Stretched ([`KEY_ROUNDS`] rounds of
    /// SHA-256) because codes carry 60 bits: a brute force costs years, a look-up a
    /// millisecond.
    pub fn lookup_key(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h: [u8; 32] = Sha256::digest(format!("alaroma-certificate-v1:{}", self.0)).into();
        for _ in 0..KEY_ROUNDS {
            let mut d = Sha256::new();
            d.update(h);
            d.update(self.0.as_bytes());
            h = d.finalize().into();
        }
        hex::encode(h)
    }
}

/// Rounds of [`CertificateCode::lookup_key`]'s hash.
pub const KEY_ROUNDS: u32 = 4096;

impl TryFrom<String> for CertificateCode {
    type Error = CertificateRefusal;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        CertificateCode::parse(&s)
    }
}

impl From<CertificateCode> for String {
    fn from(c: CertificateCode) -> String {
        c.0
    }
}

impl std::fmt::Display for CertificateCode {
    /// Printed in groups of four for people: `ABCD-EFGH-JKLM-N`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let groups: Vec<&str> = self
            .0
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect();
        f.write_str(&groups.join("-"))
    }
}

/// Where a certificate stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    /// Printed, not sold: holds nothing.
    Issued,
    /// Sold: may be redeemed while it has a balance and has not expired.
    Active,
    /// Blocked by head office (lost, stolen, fraud).
    Blocked,
    /// Frozen automatically after an overdraw.
    Frozen,
}

impl CertificateStatus {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            CertificateStatus::Issued => "issued",
            CertificateStatus::Active => "active",
            CertificateStatus::Blocked => "blocked",
            CertificateStatus::Frozen => "frozen",
        }
    }

    /// From its code.
    pub fn from_code(s: &str) -> Option<Self> {
        [Self::Issued, Self::Active, Self::Blocked, Self::Frozen]
            .into_iter()
            .find(|c| c.code() == s)
    }
}

/// A certificate as head office last told the till (or as the server holds it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateState {
    /// Code.
    pub code: CertificateCode,
    /// Face value.
    pub nominal: Money,
    /// What is left.
    pub balance: Money,
    /// Status.
    pub status: CertificateStatus,
    /// Last day it may be used.
    pub expires_on: NaiveDate,
    /// The store that sold it (holds its balance as an offline lease).
    pub home_store: Option<Uuid>,
}

/// A sold certificate as tills hold it: by its [`CertificateCode::lookup_key`], never
/// by its code (protocol 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateEntry {
    /// The code's lookup key.
    pub key: String,
    /// Face value.
    pub nominal: Money,
    /// What is left.
    pub balance: Money,
    /// Status (`issued` tells a till to forget it: it holds no money).
    pub status: CertificateStatus,
    /// Last day it may be used.
    pub expires_on: NaiveDate,
    /// The store that sold it (holds its balance as an offline lease).
    pub home_store: Option<Uuid>,
}

impl CertificateEntry {
    /// The entry for a certificate's state.
    pub fn of(c: &CertificateState) -> Self {
        CertificateEntry {
            key: c.code.lookup_key(),
            nominal: c.nominal,
            balance: c.balance,
            status: c.status,
            expires_on: c.expires_on,
            home_store: c.home_store,
        }
    }

    /// The state it stands for, given the code the cashier typed.
    pub fn state(&self, code: CertificateCode) -> CertificateState {
        CertificateState {
            code,
            nominal: self.nominal,
            balance: self.balance,
            status: self.status,
            expires_on: self.expires_on,
            home_store: self.home_store,
        }
    }
}

/// Whether tills may redeem certificates without asking head office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfflineMode {
    /// The home store's lease and other stores' caps apply.
    Allowance,
    /// Never: an offline till refuses certificates.
    OnlineOnly,
}

/// The chain's offline redemption policy (head office sets it; the feed carries it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflinePolicy {
    /// Allowance or online only.
    pub mode: OfflineMode,
    /// At a store other than the home store: most one redemption may take.
    pub per_redemption: Money,
    /// At a store other than the home store: most a certificate may give a day there.
    pub per_day: Money,
}

impl OfflinePolicy {
    /// The default: allowances, 3 000 ₽ a redemption and 5 000 ₽ a day elsewhere.
    pub fn default_rub() -> Self {
        OfflinePolicy {
            mode: OfflineMode::Allowance,
            per_redemption: Money::rub(300_000),
            per_day: Money::rub(500_000),
        }
    }
}

/// Checks that a certificate can pay at all (`today` in store-local time).
pub fn check_usable(c: &CertificateState, today: NaiveDate) -> Result<(), CertificateRefusal> {
    let code = c.code.to_string();
    match c.status {
        CertificateStatus::Issued => return Err(CertificateRefusal::NotSold(code)),
        CertificateStatus::Blocked => return Err(CertificateRefusal::Blocked(code)),
        CertificateStatus::Frozen => return Err(CertificateRefusal::Frozen(code)),
        CertificateStatus::Active => {}
    }
    if today > c.expires_on {
        return Err(CertificateRefusal::Expired {
            code,
            on: c.expires_on,
        });
    }
    if c.balance.minor <= 0 {
        return Err(CertificateRefusal::Exhausted(code));
    }
    Ok(())
}

/// Checks that an issued certificate may be sold now.
pub fn check_sellable(c: &CertificateState, today: NaiveDate) -> Result<(), CertificateRefusal> {
    let code = c.code.to_string();
    match c.status {
        CertificateStatus::Issued if today <= c.expires_on => Ok(()),
        CertificateStatus::Issued => Err(CertificateRefusal::Expired {
            code,
            on: c.expires_on,
        }),
        CertificateStatus::Blocked => Err(CertificateRefusal::Blocked(code)),
        _ => Err(CertificateRefusal::AlreadySold(code)),
    }
}

/// What a till may take from `c` offline at `store` now: the local balance for the
/// home store (the lease), else the caps net of what this store already took today.
/// `taken_locally` is what this till took since head office last sent the balance;
/// `taken_today_here` what it took today (both not yet reflected in `c.balance`
/// or, for the daily cap, counted regardless).
pub fn offline_allowance(
    c: &CertificateState,
    policy: &OfflinePolicy,
    store: Uuid,
    taken_locally: Money,
    taken_today_here: Money,
) -> Result<Money, CertificateRefusal> {
    if policy.mode == OfflineMode::OnlineOnly {
        return Err(CertificateRefusal::OnlineOnly);
    }
    let left = (c.balance.minor - taken_locally.minor).max(0);
    let allowed = if c.home_store == Some(store) {
        left
    } else {
        let day_left = (policy.per_day.minor - taken_today_here.minor).max(0);
        left.min(policy.per_redemption.minor).min(day_left)
    };
    Ok(Money::new(allowed, c.balance.currency))
}

/// Checks a redemption of `amount` against what may be taken (`available`).
pub fn check_amount(
    c: &CertificateState,
    amount: Money,
    available: Money,
    offline: bool,
) -> Result<(), CertificateRefusal> {
    if amount.minor <= available.minor {
        return Ok(());
    }
    let code = c.code.to_string();
    if offline && available.minor < c.balance.minor {
        return Err(CertificateRefusal::OverOfflineAllowance {
            code,
            allowed: available,
        });
    }
    if available.minor <= 0 {
        return Err(CertificateRefusal::Exhausted(code));
    }
    Err(CertificateRefusal::Insufficient { code, available })
}

/// The server's reconciliation of one redemption, in arrival order: the new balance
/// and the overdraw (what was taken beyond the balance; never lost, always recorded).
pub fn reconcile(balance: Money, amount: Money) -> (Money, Money) {
    let left = balance.minor - amount.minor;
    (
        Money::new(left.max(0), balance.currency),
        Money::new((-left).max(0), balance.currency),
    )
}

#[cfg(test)]
mod tests;
