//! Gift certificates on the till: selling (activating) them, taking them as payment —
//! checked and reserved with head office when it answers, within the offline allowance
//! when it does not — and refunds back onto them.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use shared_model::certificates::{
    check_amount, check_sellable, check_usable, offline_allowance, CertificateCode,
    CertificateEntry, CertificateRefusal, CertificateState, CertificateStatus, OfflinePolicy,
};
use shared_model::sync::ReserveRequest;
use shared_model::tender::accept_tender;
use shared_model::{Capability, Currency, Money, Tender};
use uuid::Uuid;

use crate::cart_model::Cart;
use crate::{db, error::Result, Till, TillError};

/// The product certificate lines are sold as (inactive: never scanned, no stock).
pub const CERTIFICATE_PRODUCT: Uuid = Uuid::from_u128(0x0000_0000_0000_7000_8000_0000_0000_00c1);

/// A certificate as the cashier sees it.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateView {
    /// Code, grouped for reading.
    pub code: String,
    /// Status as head office last said.
    pub status: CertificateStatus,
    /// Face value.
    pub nominal: Money,
    /// Balance as head office last said.
    pub balance: Money,
    /// Taken (or refunded, negative) here and not yet in head office's balance.
    pub pending: Money,
    /// What is left: `balance − pending`.
    pub available: Money,
    /// Last day it may be used.
    pub expires_on: NaiveDate,
    /// Sold by this store (which holds its balance as an offline lease).
    pub home_store: bool,
}

/// Store-local date (the daily cap and expiry are by the store's calendar).
pub(crate) fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// The certificate as head office last sent it, found by the key of the typed code.
pub(crate) fn load(
    conn: &Connection,
    code: &CertificateCode,
    currency: Currency,
) -> Result<Option<CertificateState>> {
    type Row = (i64, i64, String, String, Option<db::Id>);
    let row: Option<Row> = conn
        .prepare_cached(
            "SELECT nominal_minor, balance_minor, status, expires_on, home_store FROM certificates WHERE key = ?1",
        )?
        .query_row([code.lookup_key()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    let Some((nominal, balance, status, expires, home)) = row else {
        return Ok(None);
    };
    Ok(Some(CertificateState {
        code: code.clone(),
        nominal: Money::new(nominal, currency),
        balance: Money::new(balance, currency),
        status: CertificateStatus::from_code(&status)
            .ok_or_else(|| TillError::Data(format!("certificate status {status:?}")))?,
        expires_on: expires
            .parse()
            .map_err(|e| TillError::Data(format!("certificate expiry {expires:?}: {e}")))?,
        home_store: home.map(|h| h.0),
    }))
}

fn upsert(conn: &Connection, c: &CertificateEntry) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO certificates (key, nominal_minor, balance_minor, status, expires_on, home_store)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (key) DO UPDATE SET nominal_minor = excluded.nominal_minor, balance_minor = excluded.balance_minor,
            status = excluded.status, expires_on = excluded.expires_on, home_store = excluded.home_store",
    )?
    .execute((
        &c.key,
        c.nominal.minor,
        c.balance.minor,
        c.status.code(),
        c.expires_on.to_string(),
        c.home_store.map(|h| h.to_string()),
    ))?;
    Ok(())
}

/// Stores head office's view of a certificate (one that is not sold, it forgets). Local
/// uses whose event head office has acknowledged are in that balance now, so they stop
/// counting as pending.
pub(crate) fn apply_entry(conn: &Connection, c: &CertificateEntry) -> Result<()> {
    if c.status == CertificateStatus::Issued {
        conn.prepare_cached("DELETE FROM certificates WHERE key = ?1 AND status <> 'issued'")?
            .execute([&c.key])?;
    } else {
        upsert(conn, c)?;
    }
    conn.prepare_cached(
        "UPDATE certificate_uses SET settled = 1 WHERE key = ?1 AND settled = 0
           AND doc_id IN (SELECT doc_id FROM outbox WHERE acked_at IS NOT NULL)",
    )?
    .execute([&c.key])?;
    Ok(())
}

/// Stores head office's answer about a certificate the cashier named.
pub(crate) fn apply_state(conn: &Connection, c: &CertificateState) -> Result<()> {
    apply_entry(conn, &CertificateEntry::of(c))
}

/// The chain's offline policy as head office last sent it (a safe default before).
pub(crate) fn policy(conn: &Connection) -> Result<OfflinePolicy> {
    Ok(db::setting(conn, "certificate_policy")?
        .map(|p| serde_json::from_str(&p))
        .transpose()?
        .unwrap_or_else(OfflinePolicy::default_rub))
}

/// `(unsettled, taken today)` by this till from `code`, in minor units.
fn local_uses(conn: &Connection, code: &CertificateCode) -> Result<(i64, i64)> {
    Ok(conn
        .prepare_cached(
            "SELECT COALESCE(SUM(amount_minor) FILTER (WHERE settled = 0), 0),
                    COALESCE(SUM(amount_minor) FILTER (WHERE day = ?2 AND amount_minor > 0), 0)
             FROM certificate_uses WHERE key = ?1",
        )?
        .query_row((code.lookup_key(), today().to_string()), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?)
}

/// Records what a completed sale or return took from or put back on certificates, and
/// activates certificates it sold (this store now holds their lease).
pub(crate) fn record(
    conn: &Connection,
    doc_id: Uuid,
    uses: &[(String, i64, bool)],
    sold: &[(String, i64)],
) -> Result<()> {
    for (code, amount, online) in uses {
        let key = CertificateCode::parse(code).map_or_else(|_| code.clone(), |c| c.lookup_key());
        conn.prepare_cached(
            "INSERT INTO certificate_uses (id, key, doc_id, amount_minor, day, online) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute((
            Uuid::now_v7().to_string(),
            key,
            doc_id.to_string(),
            amount,
            today().to_string(),
            *online,
        ))?;
    }
    let store = db::setting(conn, "location_id")?;
    for (code, nominal) in sold {
        let key = CertificateCode::parse(code).map_or_else(|_| code.clone(), |c| c.lookup_key());
        conn.prepare_cached(
            "INSERT INTO certificates (key, nominal_minor, balance_minor, status, expires_on, home_store)
             VALUES (?1, ?2, ?2, 'active', '9999-12-31', ?3)
             ON CONFLICT (key) DO UPDATE SET status = 'active', balance_minor = ?2, home_store = ?3",
        )?
        .execute((key, nominal, &store))?;
    }
    Ok(())
}

/// Head office's refusal of a certificate, under its stable code.
fn refused(code: &str, message: String) -> TillError {
    TillError::CertificateRefused {
        code: shared_model::certificates::REFUSAL_CODES
            .into_iter()
            .find(|c| *c == code)
            .unwrap_or("certificate_refused"),
        message,
    }
}

impl Till {
    fn certificate_state(&self, code: &CertificateCode) -> Result<CertificateState> {
        load(&self.conn, code, self.currency)?
            .ok_or_else(|| CertificateRefusal::Unknown(code.to_string()).into())
    }

    /// A certificate's balance and status as this till knows them.
    pub fn certificate(&self, code: &str) -> Result<CertificateView> {
        self.grant(Capability::Sell)?;
        let code = CertificateCode::parse(code)?;
        let c = self.certificate_state(&code)?;
        let (pending, _) = local_uses(&self.conn, &code)?;
        let store = db::setting(&self.conn, "location_id")?;
        Ok(CertificateView {
            code: code.to_string(),
            status: c.status,
            nominal: c.nominal,
            balance: c.balance,
            pending: Money::new(pending, self.currency),
            available: Money::new((c.balance.minor - pending).max(0), self.currency),
            expires_on: c.expires_on,
            home_store: c.home_store.map(|h| h.to_string()) == store,
        })
    }

    /// Sells (activates) a certificate head office issued: a line at its face value,
    /// with no promotions, no discounts and no stock. The till holds no list of unsold
    /// certificates: head office says the face value when it answers; offline the cashier
    /// types the one printed on it (`nominal`), and head office checks it on sync.
    pub fn sell_certificate(&mut self, code: &str, nominal: Option<&str>) -> Result<Cart> {
        let grant = self.grant(Capability::Sell)?;
        self.require_shift()?;
        let code = CertificateCode::parse(code)?;
        let typed = nominal
            .map(|n| Money::parse(n, self.currency))
            .transpose()?;
        if typed.is_some_and(|n| n.minor <= 0) {
            return Err(TillError::NonPositiveAmount);
        }
        if let Some(known) = load(&self.conn, &code, self.currency)? {
            check_sellable(&known, today())?;
        }
        let c = match self.certificate_sellable(&code) {
            Ok(Some(c)) => {
                check_sellable(&c, today())?;
                if typed.is_some_and(|n| n != c.nominal) {
                    return Err(TillError::InvalidInput(format!(
                        "head office says this certificate's face value is {}",
                        c.nominal.to_decimal_string()
                    )));
                }
                // Kept (by key, as not yet sold) so the sale activates it with its expiry.
                upsert(&self.conn, &CertificateEntry::of(&c))?;
                c
            }
            Ok(None) | Err(TillError::Network(_)) => CertificateState {
                code: code.clone(),
                nominal: typed.ok_or_else(|| {
                    TillError::InvalidInput(
                        "head office cannot be reached: type the face value printed on the certificate".into(),
                    )
                })?,
                balance: Money::zero(self.currency),
                status: CertificateStatus::Issued,
                expires_on: NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX),
                home_store: None,
            },
            Err(TillError::SyncRefused { code, message, .. }) if code.starts_with("certificate_") => {
                return Err(refused(&code, message))
            }
            Err(e) => return Err(e),
        };
        if let Some(cart) = self.cart()? {
            if !cart.payments.is_empty() {
                return Err(TillError::CartHasPayments);
            }
            if cart.sale_discount.is_some() {
                return Err(TillError::InvalidInput(
                    "remove the sale discount first: certificates are sold at face value".into(),
                ));
            }
            if cart
                .lines
                .iter()
                .any(|l| l.certificate.as_deref() == Some(code.as_str()))
            {
                return Err(CertificateRefusal::AlreadySold(code.to_string()).into());
            }
        }
        let tx = self.conn.unchecked_transaction()?;
        let cart_id = self.open_cart_id(grant.session.cashier_id)?;
        tx.execute(
            "INSERT INTO cart_lines (cart_id, pos, product_id, sku, name, unit, unit_price_minor, vat, qty_milli, certificate)
             VALUES (?1, (SELECT COALESCE(MAX(pos), 0) + 1 FROM cart_lines WHERE cart_id = ?1),
                     ?2, 'GIFT-CERTIFICATE', ?3, 'pcs', ?4, 'no_vat', 1000, ?5)",
            (
                cart_id.to_string(),
                CERTIFICATE_PRODUCT.to_string(),
                format!("Подарочный сертификат {}", code.masked()),
                c.nominal.minor,
                code.as_str(),
            ),
        )?;
        tx.commit()?;
        self.cart()?.ok_or(TillError::EmptyCart)
    }

    /// Takes `amount` from a certificate as payment. Head office checks and reserves it
    /// when it answers; offline, the store's allowance bounds it (see
    /// [`shared_model::certificates`]).
    pub fn pay_certificate(&mut self, code: &str, amount: &str) -> Result<Cart> {
        self.grant(Capability::Sell)?;
        self.require_shift()?;
        let amount = Money::parse(amount, self.currency)?;
        let code = CertificateCode::parse(code)?;
        let cart = self
            .cart()?
            .filter(|c| !c.lines.is_empty())
            .ok_or(TillError::EmptyCart)?;
        accept_tender(cart.priced.total, cart.paid, Tender::Certificate, amount)?;
        // Earlier payments from the same certificate on this sale count too.
        let on_cart: i64 = cart
            .payments
            .iter()
            .filter(|p| p.certificate.as_deref() == Some(code.as_str()))
            .map(|p| p.amount.minor)
            .sum();
        let req = ReserveRequest {
            code: code.clone(),
            amount: Money::new(on_cart + amount.minor, self.currency),
            sale_id: cart.id,
        };
        let online = match self.reserve_certificate(&req) {
            Ok(Some(resp)) => {
                apply_state(&self.conn, &resp.certificate)?;
                true
            }
            Ok(None) | Err(TillError::Network(_)) => {
                let c = self.certificate_state(&code)?;
                check_usable(&c, today())?;
                let (pending, today_here) = local_uses(&self.conn, &code)?;
                let allowed = offline_allowance(
                    &c,
                    &policy(&self.conn)?,
                    self.store_id()?,
                    Money::new(pending + on_cart, self.currency),
                    Money::new(today_here + on_cart, self.currency),
                )?;
                check_amount(&c, amount, allowed, true)?;
                false
            }
            Err(TillError::SyncRefused { code, message, .. })
                if code.starts_with("certificate_") =>
            {
                return Err(refused(&code, message))
            }
            Err(e) => return Err(e),
        };
        self.conn.execute(
            "INSERT INTO cart_payments (cart_id, pos, tender, amount_minor, certificate, online)
             VALUES (?1, (SELECT COALESCE(MAX(pos), 0) + 1 FROM cart_payments WHERE cart_id = ?1), 'certificate', ?2, ?3, ?4)",
            (cart.id.to_string(), amount.minor, code.as_str(), online),
        )?;
        self.freeze_pricing(cart.id)?;
        self.cart()?.ok_or(TillError::EmptyCart)
    }

    /// This till's store (nil before enrollment).
    pub(crate) fn store_id(&self) -> Result<Uuid> {
        Ok(db::setting(&self.conn, "location_id")?
            .and_then(|s| Uuid::parse_str(&s).ok())
            .unwrap_or_default())
    }
}
