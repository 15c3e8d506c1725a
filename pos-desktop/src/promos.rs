//! Promotions on the till: the shared engine run over the cart on every change, coupons
//! checked against what head office sent, and usage counted for limited promotions.

use std::sync::{Arc, Mutex};

use chrono::NaiveDateTime;
use rusqlite::{Connection, OptionalExtension};
use shared_model::pricing::{Discount, PricedCart};
use shared_model::promotions::Promotion;
use shared_model::sale_pricing::{price_sale, Floor, Occasion, SaleLine};
use shared_model::Money;
use uuid::Uuid;

use crate::cart_model::{Cart, CartLine};
use crate::{db, error::Result, Till, TillError};

/// The parsed promotions of this till's last read, with the revision they were read at:
/// parsing 500 definitions on every scan would cost milliseconds; the revision (bumped
/// by triggers on every change) says when to read them again. Owned by the [`Till`].
#[derive(Debug, Default)]
pub(crate) struct PromoCache(Mutex<Option<(i64, Arc<Vec<Promotion>>)>>);

/// The active promotions head office sent.
fn active(conn: &Connection, cache: &PromoCache) -> Result<Arc<Vec<Promotion>>> {
    let rev: i64 = conn
        .prepare_cached("SELECT value FROM counters WHERE name = 'promotions_rev'")?
        .query_row([], |r| r.get(0))?;
    if let Ok(cached) = cache.0.lock() {
        if let Some((r, p)) = cached.as_ref() {
            if *r == rev {
                return Ok(p.clone());
            }
        }
    }
    let defs: Vec<String> = conn
        .prepare_cached("SELECT definition FROM promotions WHERE active = 1 ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let promos: Arc<Vec<Promotion>> = Arc::new(
        defs.iter()
            .map(|d| serde_json::from_str(d))
            .collect::<Result<_, _>>()?,
    );
    if let Ok(mut cached) = cache.0.lock() {
        *cached = Some((rev, promos.clone()));
    }
    Ok(promos)
}

/// The moment promotions are evaluated at: frozen when payment starts (so a window
/// closing mid-payment cannot change what is due), else now; store-local time (the
/// till's clock is its store's).
fn pricing_moment(priced_at: Option<String>) -> Result<NaiveDateTime> {
    match priced_at {
        Some(t) => Ok(db::parse_ts(&t)?
            .with_timezone(&chrono::Local)
            .naive_local()),
        None => Ok(chrono::Local::now().naive_local()),
    }
}

/// What a cart is priced with: its lines as pricing sees them, the promotions head
/// office sent, and the sale's store, moment, coupons and customer group.
pub(crate) struct Pricing {
    lines: Vec<SaleLine>,
    promos: Arc<Vec<Promotion>>,
    store: Option<Uuid>,
    now: NaiveDateTime,
    coupons: Vec<String>,
    group: Option<String>,
}

impl Pricing {
    /// Reads what pricing needs for these lines of this cart.
    pub(crate) fn load(
        conn: &Connection,
        cache: &PromoCache,
        cart_id: Uuid,
        lines: &[CartLine],
    ) -> Result<Self> {
        type Row = (Option<String>, Option<String>, Option<String>);
        let (coupons, group, priced_at): Row = conn
            .prepare_cached(
                "SELECT c.coupons, cu.group_code, c.priced_at FROM carts c
                 LEFT JOIN customers cu ON cu.id = c.customer_id WHERE c.id = ?1",
            )?
            .query_row([cart_id.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
        let store = db::setting(conn, "location_id")?
            .map(|s| db::parse_uuid(&s))
            .transpose()?;
        Ok(Pricing {
            lines: lines
                .iter()
                .map(|l| sale_line(conn, l))
                .collect::<Result<_>>()?,
            promos: active(conn, cache)?,
            store,
            now: pricing_moment(priced_at)?,
            coupons: coupons
                .map(|c| serde_json::from_str(&c))
                .transpose()?
                .unwrap_or_default(),
            group,
        })
    }

    /// The cart priced by the shared rules ([`price_sale`]), with this sale discount.
    pub(crate) fn price(
        &self,
        currency: shared_model::Currency,
        sale_discount: Option<Discount>,
    ) -> Result<PricedCart> {
        let at = Occasion {
            store: self.store,
            now: self.now,
            coupons: &self.coupons,
            customer_group: self.group.as_deref(),
        };
        Ok(price_sale(
            currency,
            &self.lines,
            &self.promos,
            &at,
            sale_discount,
        )?)
    }
}

/// A cart line with its product's category and cost; a certificate line takes no
/// promotions. A line whose product is no longer in the catalog is refused rather
/// than priced with no cost floor.
fn sale_line(conn: &Connection, l: &CartLine) -> Result<SaleLine> {
    let floor_and_category = if l.certificate.is_some() {
        (Floor::NoPromotions, None)
    } else {
        let (category, cost): (Option<db::Id>, i64) = conn
            .prepare_cached("SELECT category_id, cost_minor FROM products WHERE id = ?1")?
            .query_row([l.product_id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .ok_or_else(|| TillError::UnknownProduct(l.sku.clone()))?;
        (
            Floor::Cost(Money::new(cost, l.unit_price.currency)),
            category.map(|c| c.0),
        )
    };
    Ok(SaleLine {
        product_id: l.product_id,
        category_id: floor_and_category.1,
        unit_price: l.unit_price,
        qty: l.qty,
        vat: l.vat,
        discount: l.discount,
        floor: floor_and_category.0,
    })
}

/// Checks a coupon code against the promotions that take it: unknown, not yet valid,
/// expired or used up are refused with the reason.
fn check_coupon(promos: &[Promotion], code: &str, now: NaiveDateTime) -> Result<()> {
    let takes: Vec<&Promotion> = promos
        .iter()
        .filter(|p| {
            p.conditions
                .coupon
                .as_deref()
                .is_some_and(|c| c.trim().eq_ignore_ascii_case(code))
        })
        .collect();
    if takes.is_empty() {
        return Err(TillError::Coupon(format!("unknown coupon {code}")));
    }
    let live: Vec<&&Promotion> = takes
        .iter()
        .filter(|p| p.conditions.until.is_none_or(|u| now < u))
        .collect();
    if live.is_empty() {
        let last = takes.iter().filter_map(|p| p.conditions.until).max();
        return Err(TillError::Coupon(format!(
            "coupon {code} expired{}",
            last.map(|t| format!(" on {}", t.format("%d.%m.%Y %H:%M")))
                .unwrap_or_default()
        )));
    }
    let started: Vec<&&&Promotion> = live
        .iter()
        .filter(|p| p.conditions.from.is_none_or(|f| now >= f))
        .collect();
    if started.is_empty() {
        let first = live.iter().filter_map(|p| p.conditions.from).min();
        return Err(TillError::Coupon(format!(
            "coupon {code} is not valid yet{}",
            first
                .map(|t| format!(" (from {})", t.format("%d.%m.%Y %H:%M")))
                .unwrap_or_default()
        )));
    }
    if started.iter().all(|p| {
        p.conditions
            .usage_limit
            .is_some_and(|l| p.conditions.used >= l)
    }) {
        return Err(TillError::Coupon(format!("coupon {code} has been used up")));
    }
    Ok(())
}

/// Counts a completed sale's use of limited promotions locally, until head office's
/// count (which includes it once pushed) replaces it on the next pull.
pub(crate) fn count_uses(conn: &Connection, promotion_ids: &[Uuid]) -> Result<()> {
    for id in promotion_ids {
        let def: Option<String> = conn
            .prepare_cached("SELECT definition FROM promotions WHERE id = ?1")?
            .query_row([id.to_string()], |r| r.get(0))
            .optional()?;
        let Some(def) = def else { continue };
        let mut p: Promotion = serde_json::from_str(&def)?;
        if p.conditions.usage_limit.is_some() {
            p.conditions.used += 1;
            conn.prepare_cached("UPDATE promotions SET definition = ?2 WHERE id = ?1")?
                .execute((id.to_string(), serde_json::to_string(&p)?))?;
        }
    }
    Ok(())
}

impl Till {
    /// Adds a coupon code the customer presented; promotions that need it apply at once.
    /// Unknown, expired, not-yet-valid and used-up coupons are refused with the reason.
    pub fn add_coupon(&mut self, code: &str) -> Result<Cart> {
        self.grant(shared_model::Capability::Sell)?;
        let code = code.trim().to_uppercase();
        if code.is_empty() || code.len() > 40 {
            return Err(TillError::InvalidInput(
                "a coupon code is 1 to 40 characters".into(),
            ));
        }
        let cart = self.editable_cart()?;
        check_coupon(
            &active(&self.conn, &self.promos)?,
            &code,
            chrono::Local::now().naive_local(),
        )?;
        let mut coupons: Vec<String> = self
            .conn
            .query_row(
                "SELECT coupons FROM carts WHERE id = ?1",
                [cart.id.to_string()],
                |r| r.get::<_, Option<String>>(0),
            )?
            .map(|c| serde_json::from_str(&c))
            .transpose()?
            .unwrap_or_default();
        if !coupons.contains(&code) {
            coupons.push(code);
        }
        self.conn.execute(
            "UPDATE carts SET coupons = ?2 WHERE id = ?1",
            (cart.id.to_string(), serde_json::to_string(&coupons)?),
        )?;
        self.cart()?.ok_or(TillError::EmptyCart)
    }

    /// Fixes the moment promotions are priced at, once the first tender is taken.
    pub(crate) fn freeze_pricing(&self, cart_id: Uuid) -> Result<()> {
        self.conn.execute(
            "UPDATE carts SET priced_at = COALESCE(priced_at, ?2) WHERE id = ?1",
            (cart_id.to_string(), db::ts(db::now())),
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared_model::promotions::{Conditions, PromoKind, Target};
    use shared_model::Percent;

    fn promo(
        coupon: &str,
        from: Option<&str>,
        until: Option<&str>,
        limit: Option<(u32, u32)>,
    ) -> Promotion {
        let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        Promotion {
            id: Uuid::now_v7(),
            version: 1,
            name: "c".into(),
            priority: 0,
            exclusive: false,
            target: Target::All,
            kind: PromoKind::PercentOff {
                percent: Percent::from_bp(1000).unwrap(),
            },
            conditions: Conditions {
                coupon: Some(coupon.into()),
                from: from.map(t),
                until: until.map(t),
                usage_limit: limit.map(|l| l.0),
                used: limit.map_or(0, |l| l.1),
                ..Default::default()
            },
        }
    }

    #[test]
    fn coupons_are_refused_with_the_reason() {
        let now = NaiveDateTime::parse_from_str("2026-11-25 12:00", "%Y-%m-%d %H:%M").unwrap();
        let msg = |ps: &[Promotion], code: &str| {
            check_coupon(ps, code, now)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        let ps = [
            promo("OLD", None, Some("2026-11-01 00:00"), None),
            promo("SOON", Some("2026-12-01 00:00"), None, None),
            promo("GONE", None, None, Some((10, 10))),
            promo("OK", None, None, Some((10, 9))),
        ];
        assert!(msg(&ps, "NOPE").contains("unknown coupon"));
        assert!(msg(&ps, "OLD").contains("expired on 01.11.2026"));
        assert!(msg(&ps, "SOON").contains("not valid yet"));
        assert!(msg(&ps, "GONE").contains("used up"));
        assert_eq!(msg(&ps, "ok"), "");
    }
}
