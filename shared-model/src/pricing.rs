//! Pricing a cart: line amounts, discounts in a fixed order, VAT per line and per rate.
//!
//! The order is the contract every till and the server share:
//! 1. line gross = unit price × quantity, rounded half-up to the minor unit;
//! 2. the manual line discount (percent or amount), capped at the line gross;
//! 3. promotions ([`AppliedPromotion`]s computed by the promotions engine, `promotions::evaluate`,
//!    each already allocated to lines), capped at what is left;
//! 4. the sale-level manual discount, spread over what is left by largest remainder;
//! 5. VAT extracted from each line's net amount and summed per rate.
//!
//! Every total is the sum of its lines, to the kopeck.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    money::{Currency, Money},
    quantity::{Quantity, QTY_SCALE},
    rounding::{allocate, div_round_half_up},
    vat::VatRate,
    ModelError,
};

/// A percentage in basis points (1/100 of a percent): `12.5 %` is `Percent(1250)`.
/// Deserialising checks the range too, so no input can carry more than 100 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Percent(u32);

impl TryFrom<u32> for Percent {
    type Error = ModelError;
    fn try_from(bp: u32) -> Result<Self, ModelError> {
        Percent::from_bp(bp)
    }
}

impl From<Percent> for u32 {
    fn from(p: Percent) -> u32 {
        p.0
    }
}

impl Percent {
    /// 100 %.
    pub const FULL: Percent = Percent(10_000);
    /// 0 %.
    pub const ZERO: Percent = Percent(0);

    /// From basis points; at most 100 %.
    pub fn from_bp(bp: u32) -> Result<Self, ModelError> {
        if bp > 10_000 {
            return Err(ModelError::InvalidPercent(format!("{bp}bp")));
        }
        Ok(Percent(bp))
    }

    /// Basis points.
    pub fn bp(&self) -> u32 {
        self.0
    }

    /// Parses `5`, `12.5`, `12,5%` (at most two decimals, 0–100).
    pub fn parse(s: &str) -> Result<Self, ModelError> {
        let t = s.trim().trim_end_matches('%');
        let m =
            Money::parse(t, Currency::RUB).map_err(|_| ModelError::InvalidPercent(s.to_owned()))?;
        if m.minor < 0 || m.minor > 10_000 {
            return Err(ModelError::InvalidPercent(s.to_owned()));
        }
        Ok(Percent(m.minor as u32))
    }

    /// `amount × self`, rounded half-up to the minor unit.
    pub fn of(&self, amount_minor: i64) -> i64 {
        div_round_half_up(amount_minor as i128 * self.0 as i128, 10_000) as i64
    }
}

impl std::fmt::Display for Percent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_multiple_of(100) {
            write!(f, "{}%", self.0 / 100)
        } else {
            write!(f, "{}.{:02}%", self.0 / 100, self.0 % 100)
        }
    }
}

/// A manual discount as the cashier keys it in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Discount {
    /// A percentage of the amount it applies to.
    Percent(Percent),
    /// A fixed amount off.
    Amount(Money),
}

impl Discount {
    /// The amount off `base_minor`, never more than the base and never negative.
    pub fn amount_off(&self, base_minor: i64) -> i64 {
        let raw = match self {
            Discount::Percent(p) => p.of(base_minor),
            Discount::Amount(m) => m.minor,
        };
        raw.clamp(0, base_minor.max(0))
    }
}

/// `unit price × quantity`, rounded half-up to the minor unit.
pub fn line_amount(unit_price: Money, qty: Quantity) -> Result<Money, ModelError> {
    let exact = unit_price.minor as i128 * qty.milli() as i128;
    let minor = div_round_half_up(exact, QTY_SCALE as i128);
    let minor = i64::try_from(minor).map_err(|_| ModelError::Overflow)?;
    Ok(Money::new(minor, unit_price.currency))
}

/// One cart line as pricing needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineInput {
    /// VAT-inclusive price of one unit (one piece, one ml, one gram).
    pub unit_price: Money,
    /// Quantity sold.
    pub qty: Quantity,
    /// VAT rate of the product.
    pub vat: VatRate,
    /// Manual discount on this line, if any.
    pub discount: Option<Discount>,
}

/// A promotion's discount, already allocated to lines by the promotions engine.
///
/// The promotions engine computes these from the sale and the active promotions;
/// pricing applies them after manual line discounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedPromotion {
    /// The promotion's id.
    pub promotion_id: Uuid,
    /// The promotion's version (sales record which rules priced them).
    #[serde(default)]
    pub version: u32,
    /// Its name, as printed on the receipt.
    pub name: String,
    /// `(line index, discount in minor units)` pairs.
    pub line_discounts: Vec<(usize, i64)>,
}

/// A priced line: every component in minor units of the cart's currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedLine {
    /// Unit price × quantity.
    pub gross: Money,
    /// The manual line discount.
    pub line_discount: Money,
    /// The sum of promotion discounts on this line.
    pub promo_discount: Money,
    /// This line's share of the sale-level discount.
    pub sale_discount: Money,
    /// What the customer pays for the line: gross − all discounts.
    pub total: Money,
    /// VAT contained in `total`.
    pub vat: Money,
    /// The line's VAT rate.
    pub vat_rate: VatRate,
}

impl PricedLine {
    /// All discounts on the line.
    pub fn discount(&self) -> Money {
        Money::new(
            self.line_discount.minor + self.promo_discount.minor + self.sale_discount.minor,
            self.total.currency,
        )
    }
}

/// VAT summed for one rate on a receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatSummary {
    /// The rate.
    pub rate: VatRate,
    /// Sum of line totals at this rate.
    pub base: Money,
    /// Sum of line VAT at this rate.
    pub vat: Money,
}

/// A priced cart. Every total is the sum of the corresponding line fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedCart {
    /// Priced lines, in cart order.
    pub lines: Vec<PricedLine>,
    /// Promotions that gave a discount, with the amount each gave.
    pub promotions: Vec<(AppliedPromotion, Money)>,
    /// Sum of line gross amounts.
    pub gross: Money,
    /// Sum of all discounts.
    pub discount: Money,
    /// Sum of manual discounts (line and sale level): what the role limit bounds.
    pub manual_discount: Money,
    /// Amount to pay.
    pub total: Money,
    /// VAT per rate, only rates present in the cart, in [`VatRate::ALL`] order.
    pub vat: Vec<VatSummary>,
}

/// Prices a cart. An empty cart prices to zero in `currency`.
pub fn price_cart(
    currency: Currency,
    lines: &[LineInput],
    promotions: &[AppliedPromotion],
    sale_discount: Option<Discount>,
) -> Result<PricedCart, ModelError> {
    let mut gross = Vec::with_capacity(lines.len());
    let mut manual = Vec::with_capacity(lines.len());
    for l in lines {
        if l.unit_price.currency != currency {
            return Err(ModelError::CurrencyMismatch(
                currency.code().to_owned(),
                l.unit_price.currency.code().to_owned(),
            ));
        }
        if l.unit_price.is_negative() || !l.qty.is_positive() {
            return Err(ModelError::NonPositiveQuantity(l.qty.to_string()));
        }
        let g = line_amount(l.unit_price, l.qty)?.minor;
        manual.push(l.discount.map_or(0, |d| d.amount_off(g)));
        gross.push(g);
    }
    // Every other sum is bounded by the gross sum, so checking it keeps all of them in range.
    gross
        .iter()
        .try_fold(0i64, |acc, g| acc.checked_add(*g))
        .ok_or(ModelError::Overflow)?;
    let mut left: Vec<i64> = gross.iter().zip(&manual).map(|(g, d)| g - d).collect();

    let mut promo = vec![0i64; lines.len()];
    let mut applied = Vec::new();
    for p in promotions {
        let mut given = 0i64;
        for &(idx, amount) in &p.line_discounts {
            let slot = left.get_mut(idx).ok_or(ModelError::NoSuchLine(idx))?;
            let take = amount.clamp(0, *slot);
            *slot -= take;
            promo[idx] += take;
            given += take;
        }
        if given > 0 {
            applied.push((p.clone(), Money::new(given, currency)));
        }
    }

    let subtotal: i64 = left.iter().sum();
    let sale_off = sale_discount.map_or(0, |d| d.amount_off(subtotal));
    let sale_shares = allocate(sale_off, &left);

    let mut priced = Vec::with_capacity(lines.len());
    for (i, l) in lines.iter().enumerate() {
        let total = left[i] - sale_shares[i];
        priced.push(PricedLine {
            gross: Money::new(gross[i], currency),
            line_discount: Money::new(manual[i], currency),
            promo_discount: Money::new(promo[i], currency),
            sale_discount: Money::new(sale_shares[i], currency),
            total: Money::new(total, currency),
            vat: Money::new(l.vat.extract(total), currency),
            vat_rate: l.vat,
        });
    }
    let sum = |f: &dyn Fn(&PricedLine) -> i64| Money::new(priced.iter().map(f).sum(), currency);
    let vat = VatRate::ALL
        .iter()
        .filter(|r| priced.iter().any(|l| l.vat_rate == **r))
        .map(|r| VatSummary {
            rate: *r,
            base: sum(&|l| if l.vat_rate == *r { l.total.minor } else { 0 }),
            vat: sum(&|l| if l.vat_rate == *r { l.vat.minor } else { 0 }),
        })
        .collect();
    Ok(PricedCart {
        gross: sum(&|l| l.gross.minor),
        discount: sum(&|l| l.discount().minor),
        manual_discount: sum(&|l| l.line_discount.minor + l.sale_discount.minor),
        total: sum(&|l| l.total.minor),
        lines: priced,
        promotions: applied,
        vat,
    })
}

/// Checks manual discounts against a role's limit: each line's manual discount, and
/// all manual discounts together, may be at most `limit` of the gross they apply to.
pub fn check_manual_discount_limit(cart: &PricedCart, limit: Percent) -> Result<(), ModelError> {
    for (i, l) in cart.lines.iter().enumerate() {
        if l.line_discount.minor > limit.of(l.gross.minor) {
            return Err(ModelError::DiscountOverLimit {
                line: Some(i),
                limit,
            });
        }
    }
    if cart.manual_discount.minor > limit.of(cart.gross.minor) {
        return Err(ModelError::DiscountOverLimit { line: None, limit });
    }
    Ok(())
}

/// The part of a line's amount that returning `qty_now` more refunds, after
/// `returned_before` of `qty_sold` came back earlier.
///
/// Computed as the difference of cumulative proportional shares, so partial
/// returns of a whole line always add up to exactly what was paid for it.
pub fn return_share(
    amount: i64,
    qty_sold: Quantity,
    returned_before: Quantity,
    qty_now: Quantity,
) -> i64 {
    let sold = qty_sold.milli().max(1) as i128;
    let at = |q: i64| div_round_half_up(amount as i128 * q as i128, sold) as i64;
    at(returned_before.milli() + qty_now.milli()) - at(returned_before.milli())
}

#[cfg(test)]
mod tests;
