//! The promotions engine: pure and deterministic, so a till offline for a week and the
//! server compute the same discounts for the same cart.
//!
//! Combining rules (the contract):
//! 1. Manual line discounts come first: the engine prices what is left after them.
//! 2. Only promotions whose conditions hold take part (dates, weekdays, hours, stores,
//!    minimum quantity/amount, coupon, customer group, usage limit).
//! 3. Stackable promotions apply one after another in priority order (higher first, then
//!    id), each on what the previous ones left.
//! 4. Each exclusive promotion is evaluated alone; the customer gets whichever is larger:
//!    the best exclusive one, or all stackable ones together (ties go to the stackable set,
//!    then to the higher priority).
//! 5. No line ever goes below its floor (e.g. its cost) or below zero.
//! 6. The sale-level manual discount is applied after promotions (see [`crate::pricing`]);
//!    a role's manual-discount limit bounds manual discounts only.

use chrono::{Datelike, NaiveDateTime, Timelike};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::pricing::{AppliedPromotion, Discount, Percent};
use crate::quantity::QTY_SCALE;
use crate::rounding::allocate;
use crate::{Money, Quantity};

mod check;
pub use check::check_definition;

/// Which lines a promotion looks at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "ids", rename_all = "snake_case")]
pub enum Target {
    /// Every line.
    All,
    /// Lines of these products.
    Products(Vec<Uuid>),
    /// Lines of products in these categories.
    Categories(Vec<Uuid>),
}

/// What a promotion gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PromoKind {
    /// A percentage off each qualifying line.
    PercentOff {
        /// How much.
        percent: Percent,
    },
    /// A fixed amount off the qualifying lines together.
    AmountOff {
        /// How much.
        amount: Money,
    },
    /// For every `buy + get` qualifying pieces, the cheapest `get` are `percent` off
    /// (100 % = free).
    BuyXGetY {
        /// Pieces to buy.
        buy: u32,
        /// Pieces discounted.
        get: u32,
        /// Discount on those.
        percent: Percent,
    },
    /// Every `qty` qualifying pieces cost `price` together (most expensive first).
    Bundle {
        /// Pieces in a bundle.
        qty: u32,
        /// Price of a bundle.
        price: Money,
    },
    /// When the qualifying lines come to at least `min`, `off` comes off them.
    SpendThreshold {
        /// Threshold.
        min: Money,
        /// Discount then.
        off: Discount,
    },
}

/// When a promotion applies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conditions {
    /// Not before (store-local time).
    pub from: Option<NaiveDateTime>,
    /// Not from this moment on (store-local time).
    pub until: Option<NaiveDateTime>,
    /// ISO weekdays (1 = Monday … 7 = Sunday); empty: every day.
    #[serde(default)]
    pub weekdays: Vec<u8>,
    /// Store-local hours `[start, end)`, e.g. `(10, 12)`; `None`: all day.
    pub hours: Option<(u8, u8)>,
    /// Stores it runs in; empty: all.
    #[serde(default)]
    pub stores: Vec<Uuid>,
    /// Minimum quantity of qualifying goods.
    pub min_qty: Option<Quantity>,
    /// Minimum amount of qualifying goods.
    pub min_amount: Option<Money>,
    /// A coupon code the customer must present.
    pub coupon: Option<String>,
    /// Customer groups it is for (discount cards); empty: everyone.
    #[serde(default)]
    pub customer_groups: Vec<String>,
    /// How many times it may be used in all; `None`: no limit.
    pub usage_limit: Option<u32>,
    /// Times used so far (as last synced).
    #[serde(default)]
    pub used: u32,
}

/// A promotion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promotion {
    /// Id.
    pub id: Uuid,
    /// Version (bumped on every change; sales record it).
    pub version: u32,
    /// Name on the receipt.
    pub name: String,
    /// Higher goes first.
    pub priority: i32,
    /// Does not combine with other promotions.
    pub exclusive: bool,
    /// Which lines qualify.
    pub target: Target,
    /// What it gives.
    pub kind: PromoKind,
    /// When it applies.
    pub conditions: Conditions,
}

/// A cart line as the engine sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromoLine {
    /// Product.
    pub product_id: Uuid,
    /// Its category.
    pub category_id: Option<Uuid>,
    /// Price of one unit.
    pub unit_price: Money,
    /// Quantity.
    pub qty: Quantity,
    /// Line amount after manual line discounts.
    pub amount: Money,
    /// The least the line may be sold for (e.g. cost × quantity); zero for no floor.
    pub floor: Money,
}

/// The cart and its circumstances.
#[derive(Debug, Clone)]
pub struct PromoContext<'a> {
    /// Lines.
    pub lines: &'a [PromoLine],
    /// The store; `None` on a till not yet enrolled in one (store-limited promotions
    /// then do not apply).
    pub store: Option<Uuid>,
    /// Store-local time of the sale.
    pub now: NaiveDateTime,
    /// Coupon codes presented (case-insensitive).
    pub coupons: &'a [String],
    /// The customer's group, if a customer is on the sale.
    pub customer_group: Option<&'a str>,
}

fn qualifies(target: &Target, l: &PromoLine) -> bool {
    match target {
        Target::All => true,
        Target::Products(ids) => ids.contains(&l.product_id),
        Target::Categories(ids) => l.category_id.is_some_and(|c| ids.contains(&c)),
    }
}

/// Whether a promotion's conditions hold for this cart.
pub fn eligible(p: &Promotion, ctx: &PromoContext<'_>) -> bool {
    let c = &p.conditions;
    let qualifying: Vec<&PromoLine> = ctx
        .lines
        .iter()
        .filter(|l| qualifies(&p.target, l))
        .collect();
    let qty: i64 = qualifying.iter().map(|l| l.qty.milli()).sum();
    let amount: i64 = qualifying.iter().map(|l| l.amount.minor).sum();
    let weekday = ctx.now.weekday().number_from_monday() as u8;
    let hour = ctx.now.hour() as u8;
    !qualifying.is_empty()
        && c.from.is_none_or(|f| ctx.now >= f)
        && c.until.is_none_or(|u| ctx.now < u)
        && (c.weekdays.is_empty() || c.weekdays.contains(&weekday))
        && c.hours.is_none_or(|(s, e)| {
            if s <= e {
                hour >= s && hour < e
            } else {
                hour >= s || hour < e
            }
        })
        && (c.stores.is_empty() || ctx.store.is_some_and(|s| c.stores.contains(&s)))
        && c.min_qty.is_none_or(|m| qty >= m.milli())
        && c.min_amount.is_none_or(|m| amount >= m.minor)
        && c.coupon.as_ref().is_none_or(|code| {
            ctx.coupons
                .iter()
                .any(|k| k.trim().eq_ignore_ascii_case(code.trim()))
        })
        && (c.customer_groups.is_empty()
            || ctx
                .customer_group
                .is_some_and(|g| c.customer_groups.iter().any(|x| x == g)))
        && c.usage_limit.is_none_or(|limit| c.used < limit)
}

/// Whole pieces of qualifying lines, as (line index, unit price), for piece-based kinds.
fn units(p: &Promotion, lines: &[PromoLine]) -> Vec<(usize, i64)> {
    let mut out = Vec::new();
    for (i, l) in lines
        .iter()
        .enumerate()
        .filter(|(_, l)| qualifies(&p.target, l))
    {
        for _ in 0..(l.qty.milli() / QTY_SCALE).max(0) {
            out.push((i, l.unit_price.minor));
        }
    }
    out
}

/// The discount `p` gives on each line, given what each line can still give (`room`).
fn discounts(p: &Promotion, lines: &[PromoLine], room: &[i64]) -> Vec<i64> {
    let n = lines.len();
    let mut out = vec![0i64; n];
    let q: Vec<usize> = (0..n)
        .filter(|i| qualifies(&p.target, &lines[*i]))
        .collect();
    let spread = |total: i64, out: &mut Vec<i64>| {
        let weights: Vec<i64> = q.iter().map(|i| room[*i]).collect();
        let total = total.clamp(0, weights.iter().sum());
        for (k, share) in allocate(total, &weights).into_iter().enumerate() {
            out[q[k]] += share;
        }
    };
    match &p.kind {
        PromoKind::PercentOff { percent } => {
            for i in &q {
                out[*i] = percent.of(lines[*i].amount.minor);
            }
        }
        PromoKind::AmountOff { amount } => spread(amount.minor, &mut out),
        PromoKind::SpendThreshold { min, off } => {
            let total: i64 = q.iter().map(|i| lines[*i].amount.minor).sum();
            if total >= min.minor {
                spread(off.amount_off(total), &mut out);
            }
        }
        PromoKind::BuyXGetY { buy, get, percent } => {
            let mut u = units(p, lines);
            let group = (*buy + *get) as usize;
            if group > 0 && *get > 0 {
                // The cheapest pieces are the discounted ones.
                u.sort_by_key(|(i, price)| (*price, *i));
                let free = (u.len() / group) * *get as usize;
                for (i, price) in u.into_iter().take(free) {
                    out[i] += percent.of(price);
                }
            }
        }
        PromoKind::Bundle { qty, price } => {
            let mut u = units(p, lines);
            let size = *qty as usize;
            if size > 0 {
                // Bundles take the most expensive pieces: the best deal for the customer.
                u.sort_by_key(|(i, price)| (std::cmp::Reverse(*price), *i));
                for chunk in u.chunks(size).filter(|c| c.len() == size) {
                    let gross: i64 = chunk.iter().map(|(_, p)| p).sum();
                    let off = (gross - price.minor).max(0);
                    let weights: Vec<i64> = chunk.iter().map(|(_, p)| *p).collect();
                    for ((i, _), share) in chunk.iter().zip(allocate(off, &weights)) {
                        out[*i] += share;
                    }
                }
            }
        }
    }
    if matches!(
        p.kind,
        PromoKind::BuyXGetY { .. } | PromoKind::Bundle { .. }
    ) {
        settle(&mut out, room, &q);
    }
    for (d, r) in out.iter_mut().zip(room) {
        *d = (*d).clamp(0, (*r).max(0));
    }
    out
}

/// A piece-based deal is one deal over the pieces that took part: what a line cannot
/// take (its floor, or earlier promotions, left too little room) moves to the other
/// qualifying lines, so how the same goods are split into lines does not shrink it.
fn settle(out: &mut [i64], room: &[i64], q: &[usize]) {
    let mut excess = 0;
    for &i in q {
        let r = room[i].max(0);
        if out[i] > r {
            excess += out[i] - r;
            out[i] = r;
        }
    }
    if excess > 0 {
        let weights: Vec<i64> = q.iter().map(|&i| room[i].max(0) - out[i]).collect();
        let total = excess.min(weights.iter().sum());
        for (k, share) in allocate(total, &weights).into_iter().enumerate() {
            out[q[k]] += share;
        }
    }
}

fn apply(p: &Promotion, lines: &[PromoLine], room: &mut [i64]) -> Option<AppliedPromotion> {
    let d = discounts(p, lines, room);
    let line_discounts: Vec<(usize, i64)> = d
        .iter()
        .enumerate()
        .filter(|(_, a)| **a > 0)
        .map(|(i, a)| (i, *a))
        .collect();
    if line_discounts.is_empty() {
        return None;
    }
    for (r, a) in room.iter_mut().zip(&d) {
        *r -= a;
    }
    Some(AppliedPromotion {
        promotion_id: p.id,
        version: p.version,
        name: p.name.clone(),
        line_discounts,
    })
}

fn total(applied: &[AppliedPromotion]) -> i64 {
    applied
        .iter()
        .flat_map(|a| a.line_discounts.iter().map(|(_, d)| d))
        .sum()
}

/// What orders lines before evaluation: their content, so the result does not depend
/// on the order the cashier scanned them in.
fn line_key(l: &PromoLine) -> (Uuid, i64, i64, i64, i64, Option<Uuid>) {
    (
        l.product_id,
        l.unit_price.minor,
        l.qty.milli(),
        l.amount.minor,
        l.floor.minor,
        l.category_id,
    )
}

/// Applies the promotions to a cart by the combining rules above. Deterministic: the same
/// inputs give the same output on every till and on the server, whatever the order of
/// the lines or of the promotions (lines are evaluated in a canonical order and the
/// result mapped back; identical lines are interchangeable).
pub fn evaluate(ctx: &PromoContext<'_>, promotions: &[Promotion]) -> Vec<AppliedPromotion> {
    let mut order: Vec<usize> = (0..ctx.lines.len()).collect();
    order.sort_by(|a, b| {
        line_key(&ctx.lines[*a])
            .cmp(&line_key(&ctx.lines[*b]))
            .then(a.cmp(b))
    });
    let lines: Vec<PromoLine> = order.iter().map(|i| ctx.lines[*i].clone()).collect();
    let canonical = PromoContext {
        lines: &lines,
        ..ctx.clone()
    };
    evaluate_canonical(&canonical, promotions)
        .into_iter()
        .map(|mut a| {
            for (i, _) in a.line_discounts.iter_mut() {
                *i = order[*i];
            }
            a.line_discounts.sort_unstable();
            a
        })
        .collect()
}

fn evaluate_canonical(ctx: &PromoContext<'_>, promotions: &[Promotion]) -> Vec<AppliedPromotion> {
    let room0: Vec<i64> = ctx
        .lines
        .iter()
        .map(|l| (l.amount.minor - l.floor.minor.max(0)).max(0))
        .collect();
    let mut eligible: Vec<&Promotion> = promotions.iter().filter(|p| eligible(p, ctx)).collect();
    eligible.sort_by(|a, b| b.priority.cmp(&a.priority).then(a.id.cmp(&b.id)));
    let mut room = room0.clone();
    let stacked: Vec<AppliedPromotion> = eligible
        .iter()
        .filter(|p| !p.exclusive)
        .filter_map(|p| apply(p, ctx.lines, &mut room))
        .collect();
    let best_exclusive = eligible
        .iter()
        .filter(|p| p.exclusive)
        .filter_map(|p| apply(p, ctx.lines, &mut room0.clone()))
        .max_by(|a, b| {
            total(std::slice::from_ref(a))
                .cmp(&total(std::slice::from_ref(b)))
                .then(std::cmp::Ordering::Greater)
        });
    match best_exclusive {
        Some(e) if total(std::slice::from_ref(&e)) > total(&stacked) => vec![e],
        _ => stacked,
    }
}

#[cfg(test)]
mod tests;
