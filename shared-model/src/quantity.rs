//! Quantities in fixed point (thousandths) and the units goods are sold in.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{locale::Locale, ModelError};

/// Thousandths in one whole unit.
pub const QTY_SCALE: i64 = 1000;

/// The most of anything one line may hold (a million pieces, litres of ml, kilos of g):
/// beyond it a quantity is a typo or a scanner fault, not a sale.
pub const MAX_LINE_QTY: Quantity = Quantity(1_000_000 * QTY_SCALE);

/// How a product is counted: by the piece, by the millilitre or by the gram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Whole pieces only (a bottle, a box).
    Piece,
    /// Millilitres, e.g. perfume poured from a tester into a decant.
    Ml,
    /// Grams, e.g. solid perfume or bath salts.
    Gram,
}

impl Unit {
    /// Parses `pcs`/`piece`/`шт`, `ml`/`мл`, `g`/`gram`/`г`.
    pub fn parse(s: &str) -> Result<Self, ModelError> {
        match s.trim().to_lowercase().as_str() {
            "pcs" | "pc" | "piece" | "шт" => Ok(Unit::Piece),
            "ml" | "мл" => Ok(Unit::Ml),
            "g" | "gram" | "г" => Ok(Unit::Gram),
            _ => Err(ModelError::UnknownUnit(s.to_owned())),
        }
    }

    /// Stable machine code, as stored in databases and CSV.
    pub fn code(&self) -> &'static str {
        match self {
            Unit::Piece => "pcs",
            Unit::Ml => "ml",
            Unit::Gram => "g",
        }
    }

    /// Short label for receipts and screens.
    pub fn label(&self, locale: Locale) -> &'static str {
        match (self, locale) {
            (Unit::Piece, Locale::Ru) => "шт",
            (Unit::Ml, Locale::Ru) => "мл",
            (Unit::Gram, Locale::Ru) => "г",
            (Unit::Piece, Locale::En) => "pcs",
            (Unit::Ml, Locale::En) => "ml",
            (Unit::Gram, Locale::En) => "g",
        }
    }

    /// Whether fractional quantities make sense for this unit.
    pub fn is_fractional(&self) -> bool {
        !matches!(self, Unit::Piece)
    }
}

/// A quantity in thousandths of a unit: `2.5 ml` is `Quantity(2500)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Quantity(i64);

impl Quantity {
    /// Zero.
    pub const ZERO: Quantity = Quantity(0);
    /// One whole unit.
    pub const ONE: Quantity = Quantity(QTY_SCALE);

    /// From thousandths.
    pub const fn from_milli(milli: i64) -> Self {
        Quantity(milli)
    }

    /// From whole units.
    pub fn whole(n: i64) -> Result<Self, ModelError> {
        n.checked_mul(QTY_SCALE)
            .map(Quantity)
            .ok_or(ModelError::Overflow)
    }

    /// Thousandths.
    pub const fn milli(&self) -> i64 {
        self.0
    }

    /// True when above zero.
    pub fn is_positive(&self) -> bool {
        self.0 > 0
    }

    /// True when there is no fractional part.
    pub fn is_whole(&self) -> bool {
        self.0 % QTY_SCALE == 0
    }

    /// `self + other`, refusing overflow.
    pub fn checked_add(self, other: Quantity) -> Result<Quantity, ModelError> {
        self.0
            .checked_add(other.0)
            .map(Quantity)
            .ok_or(ModelError::Overflow)
    }

    /// `self - other`, refusing overflow.
    pub fn checked_sub(self, other: Quantity) -> Result<Quantity, ModelError> {
        self.0
            .checked_sub(other.0)
            .map(Quantity)
            .ok_or(ModelError::Overflow)
    }

    /// Parses a decimal with at most three fractional digits (`2`, `2.5`, `0,125`).
    pub fn parse(s: &str) -> Result<Self, ModelError> {
        let bad = || ModelError::InvalidQuantity(s.to_owned());
        let t = s.trim();
        let (neg, body) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let (int_part, frac_part) = body.split_once(['.', ',']).unwrap_or((body, ""));
        let digits = |p: &str| p.chars().all(|c| c.is_ascii_digit());
        if int_part.is_empty() || !digits(int_part) || !digits(frac_part) {
            return Err(bad());
        }
        if frac_part.len() > 3 {
            return Err(ModelError::TooManyDecimals(s.to_owned(), 3));
        }
        let whole: i64 = int_part.parse().map_err(|_| bad())?;
        let frac: i64 = if frac_part.is_empty() {
            0
        } else {
            frac_part.parse().map_err(|_| bad())?
        };
        let frac = frac * 10i64.pow(3 - frac_part.len() as u32);
        let milli = whole
            .checked_mul(QTY_SCALE)
            .and_then(|w| w.checked_add(frac))
            .ok_or(ModelError::Overflow)?;
        Ok(Quantity(if neg { -milli } else { milli }))
    }

    /// Parses a quantity to sell of a product counted in `unit`: above zero, and
    /// whole when the unit is pieces.
    pub fn parse_for_sale(s: &str, unit: Unit) -> Result<Self, ModelError> {
        let q = Self::parse(s)?;
        q.validate_for(unit)?;
        Ok(q)
    }

    /// Checks a quantity is sellable in `unit`.
    pub fn validate_for(self, unit: Unit) -> Result<(), ModelError> {
        if !self.is_positive() {
            return Err(ModelError::NonPositiveQuantity(self.to_string()));
        }
        if !unit.is_fractional() && !self.is_whole() {
            return Err(ModelError::FractionalPieces(self.to_string()));
        }
        if self > MAX_LINE_QTY {
            return Err(ModelError::QuantityTooLarge(self.to_string()));
        }
        Ok(())
    }

    /// Formats for people: trailing zeros dropped, decimal comma in Russian.
    pub fn format(&self, locale: Locale) -> String {
        let s = self.to_string();
        match locale {
            Locale::Ru => s.replace('.', ","),
            Locale::En => s,
        }
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let abs = self.0.unsigned_abs();
        let sign = if self.0 < 0 { "-" } else { "" };
        let whole = abs / QTY_SCALE as u64;
        let frac = abs % QTY_SCALE as u64;
        if frac == 0 {
            write!(f, "{sign}{whole}")
        } else {
            let frac = format!("{frac:03}");
            write!(f, "{sign}{whole}.{}", frac.trim_end_matches('0'))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fixed_point() {
        assert_eq!(Quantity::parse("2.5"), Ok(Quantity(2500)));
        assert_eq!(Quantity::parse("0,125"), Ok(Quantity(125)));
        assert_eq!(Quantity::parse("3"), Ok(Quantity(3000)));
        assert!(matches!(
            Quantity::parse("1.2345"),
            Err(ModelError::TooManyDecimals(..))
        ));
        assert!(Quantity::parse("abc").is_err());
        assert!(Quantity::parse("").is_err());
    }

    #[test]
    fn sale_quantities_are_positive_and_whole_for_pieces() {
        assert!(Quantity::parse_for_sale("0", Unit::Ml).is_err());
        assert!(Quantity::parse_for_sale("-1", Unit::Piece).is_err());
        assert!(matches!(
            Quantity::parse_for_sale("1.5", Unit::Piece),
            Err(ModelError::FractionalPieces(_))
        ));
        assert_eq!(
            Quantity::parse_for_sale("2.5", Unit::Ml),
            Ok(Quantity(2500))
        );
    }

    #[test]
    fn displays_without_trailing_zeros() {
        assert_eq!(Quantity(2500).to_string(), "2.5");
        assert_eq!(Quantity(3000).to_string(), "3");
        assert_eq!(Quantity(125).format(Locale::Ru), "0,125");
        assert_eq!(Quantity(-1500).to_string(), "-1.5");
    }
}
