//! The stock ledger: the one writer of `inventory_movements` and `inventory_levels`.
//!
//! Every path that moves stock — head office's receipts, transfers and counts, and a
//! till's sales, returns and adjustments — gathers [`Movement`]s and writes them with
//! [`Moves::write`]: one statement for the movements, one for the levels, so each
//! movement has its level change and the negative-warehouse rule is checked in one
//! place. Tills are enrolled only in stores, so a till's facts (which already happened
//! and are never refused) cannot meet the warehouse rule.

use chrono::{DateTime, Utc};
use shared_model::Quantity;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// Why stock moved (the `kind` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Goods received.
    Receive,
    /// Sent on a transfer.
    TransferOut,
    /// Arrived on a transfer.
    TransferIn,
    /// A stock count's correction.
    Count,
    /// A till's adjustment (damage, tester, found).
    Adjust,
    /// Sold at a till.
    Sale,
    /// Returned at a till.
    Return,
}

impl Kind {
    fn code(self) -> &'static str {
        match self {
            Kind::Receive => "receive",
            Kind::TransferOut => "transfer_out",
            Kind::TransferIn => "transfer_in",
            Kind::Count => "count",
            Kind::Adjust => "adjust",
            Kind::Sale => "sale",
            Kind::Return => "return",
        }
    }
}

/// One change of one product's stock at one location.
#[derive(Debug, Clone)]
pub struct Movement {
    /// Where.
    pub location: Uuid,
    /// What.
    pub product: Uuid,
    /// By how much, in thousandths (negative: out).
    pub qty_milli: i64,
    /// Why.
    pub kind: Kind,
    /// The reason given, if any.
    pub reason: Option<String>,
    /// Who moved it: a head-office user, or the till's event.
    pub by: Origin,
}

/// Who moved stock, and when.
#[derive(Debug, Clone, Copy)]
pub enum Origin {
    /// A person at head office, now; on a transfer, that transfer.
    Office {
        /// The user.
        user: Uuid,
        /// The transfer moved, if any.
        transfer: Option<Uuid>,
    },
    /// A till's event, dated when the till made it (a week-late batch moves stock on
    /// the days it happened, as the movements report shows).
    Till {
        /// The event.
        event: Uuid,
        /// When it happened.
        at: DateTime<Utc>,
    },
}

/// Movements gathered to be written together.
#[derive(Debug, Default)]
pub struct Moves {
    id: Vec<Uuid>,
    location: Vec<Uuid>,
    product: Vec<Uuid>,
    qty: Vec<i64>,
    kind: Vec<&'static str>,
    reason: Vec<Option<String>>,
    transfer: Vec<Option<Uuid>>,
    user: Vec<Option<Uuid>>,
    event: Vec<Option<Uuid>>,
    at: Vec<Option<DateTime<Utc>>>,
}

/// Whether a movement may take a warehouse below zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Warehouses {
    /// Refused (the chain's setting `block_negative_warehouse_stock`).
    NeverNegative,
    /// Allowed (the setting off).
    MayGoNegative,
}

impl Warehouses {
    /// The rule for a till's facts: they already happened, so head office records them
    /// and never refuses them (a refusal would jam the till's queue); tills are enrolled
    /// only in stores, so they never move a warehouse's stock anyway.
    pub const TILL_FACTS: Warehouses = Warehouses::MayGoNegative;

    /// The rule as the chain's configuration sets it.
    pub fn from_config(c: &crate::config::Config) -> Self {
        if c.block_negative_warehouse_stock {
            Warehouses::NeverNegative
        } else {
            Warehouses::MayGoNegative
        }
    }
}

impl Moves {
    /// Adds a movement; a zero one moves nothing and is left out.
    pub fn push(&mut self, m: Movement) {
        if m.qty_milli == 0 {
            return;
        }
        let (transfer, user, event, at) = match m.by {
            Origin::Office { user, transfer } => (transfer, Some(user), None, None),
            Origin::Till { event, at } => (None, None, Some(event), Some(at)),
        };
        self.id.push(Uuid::now_v7());
        self.location.push(m.location);
        self.product.push(m.product);
        self.qty.push(m.qty_milli);
        self.kind.push(m.kind.code());
        self.reason.push(m.reason);
        self.transfer.push(transfer);
        self.user.push(user);
        self.event.push(event);
        self.at.push(at);
    }

    /// Writes the movements and moves each level by their sum, in the caller's
    /// transaction; refuses (and so rolls back) a change that takes a warehouse below
    /// zero when `rule` says so.
    pub async fn write(&self, conn: &mut PgConnection, rule: Warehouses) -> ApiResult<()> {
        if self.id.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO inventory_movements
                (id, location_id, product_id, qty_milli, kind, reason, transfer_id, user_id, source_event, created_at)
             SELECT m.id, m.loc, m.prod, m.qty, m.kind, m.reason, m.transfer, m.usr, m.event, COALESCE(m.at, now())
             FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::bigint[], $5::text[], $6::text[],
                         $7::uuid[], $8::uuid[], $9::uuid[], $10::timestamptz[])
                  AS m(id, loc, prod, qty, kind, reason, transfer, usr, event, at)",
        )
        .bind(&self.id)
        .bind(&self.location)
        .bind(&self.product)
        .bind(&self.qty)
        .bind(&self.kind)
        .bind(&self.reason)
        .bind(&self.transfer)
        .bind(&self.user)
        .bind(&self.event)
        .bind(&self.at)
        .execute(&mut *conn)
        .await?;
        // Levels in a fixed order, so two batches touching the same products cannot
        // deadlock; the warehouse kind read with the new level.
        let short: Vec<(Uuid, i64)> = sqlx::query_as(
            "WITH moved AS (
                SELECT m.loc, m.prod, SUM(m.qty)::bigint AS qty
                FROM UNNEST($1::uuid[], $2::uuid[], $3::bigint[]) AS m(loc, prod, qty)
                GROUP BY m.loc, m.prod ORDER BY m.loc, m.prod),
             up AS (
                INSERT INTO inventory_levels (location_id, product_id, qty_milli)
                SELECT loc, prod, qty FROM moved
                ON CONFLICT (location_id, product_id)
                DO UPDATE SET qty_milli = inventory_levels.qty_milli + EXCLUDED.qty_milli, updated_at = now()
                RETURNING location_id, product_id, qty_milli)
             SELECT up.product_id, up.qty_milli FROM up
             JOIN moved ON moved.loc = up.location_id AND moved.prod = up.product_id
             JOIN locations l ON l.id = up.location_id
             WHERE $4 AND moved.qty < 0 AND up.qty_milli < 0 AND l.kind = 'warehouse'
             ORDER BY up.product_id LIMIT 1",
        )
        .bind(&self.location)
        .bind(&self.product)
        .bind(&self.qty)
        .bind(rule == Warehouses::NeverNegative)
        .fetch_all(&mut *conn)
        .await?;
        match short.first() {
            None => Ok(()),
            Some((product, level)) => Err(ApiError::Conflict(format!(
                "not enough stock of product {product} at the warehouse: {} short",
                Quantity::from_milli(-level)
            ))),
        }
    }
}
