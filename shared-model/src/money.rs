//! Money: integer minor units tagged with an ISO 4217 currency. No floats anywhere.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{locale::Locale, ModelError};

/// An ISO 4217 currency code with the number of minor-unit digits it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency {
    code: [u8; 3],
}

impl Currency {
    /// Russian rouble, the chain's home currency.
    pub const RUB: Currency = Currency { code: *b"RUB" };
    /// US dollar.
    pub const USD: Currency = Currency { code: *b"USD" };
    /// Euro.
    pub const EUR: Currency = Currency { code: *b"EUR" };

    /// Parses a three-letter upper-case ISO code we know the minor units of.
    pub fn parse(s: &str) -> Result<Self, ModelError> {
        match s {
            "RUB" => Ok(Self::RUB),
            "USD" => Ok(Self::USD),
            "EUR" => Ok(Self::EUR),
            _ => Err(ModelError::UnknownCurrency(s.to_owned())),
        }
    }

    /// The ISO code, e.g. `"RUB"`.
    pub fn code(&self) -> &str {
        // The constructor only admits ASCII codes.
        std::str::from_utf8(&self.code).unwrap_or("???")
    }

    /// Digits after the decimal point (2 for all currencies we accept).
    pub fn minor_digits(&self) -> u32 {
        2
    }

    /// The symbol shown on receipts and screens.
    pub fn symbol(&self) -> &'static str {
        match &self.code {
            b"RUB" => "₽",
            b"USD" => "$",
            b"EUR" => "€",
            _ => "¤",
        }
    }

    fn scale(&self) -> i64 {
        10i64.pow(self.minor_digits())
    }
}

impl TryFrom<String> for Currency {
    type Error = ModelError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Currency::parse(&s)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.code().to_owned()
    }
}

/// An amount of money: signed minor units (kopecks) in one currency.
///
/// Arithmetic is checked and refuses to mix currencies: a silent overflow or a
/// rouble added to a dollar is a bug we want to see, not a wrong receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// Minor units (kopecks for RUB).
    pub minor: i64,
    /// Currency of the amount.
    pub currency: Currency,
}

impl Money {
    /// An amount from minor units.
    pub const fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Roubles from kopecks; the common case on the till.
    pub const fn rub(minor: i64) -> Self {
        Self::new(minor, Currency::RUB)
    }

    /// Zero in a currency.
    pub const fn zero(currency: Currency) -> Self {
        Self::new(0, currency)
    }

    /// True when the amount is zero.
    pub fn is_zero(&self) -> bool {
        self.minor == 0
    }

    /// True when the amount is below zero.
    pub fn is_negative(&self) -> bool {
        self.minor < 0
    }

    fn same_currency(&self, other: &Money) -> Result<(), ModelError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(ModelError::CurrencyMismatch(
                self.currency.code().to_owned(),
                other.currency.code().to_owned(),
            ))
        }
    }

    /// `self + other`, refusing overflow and mixed currencies.
    pub fn checked_add(self, other: Money) -> Result<Money, ModelError> {
        self.same_currency(&other)?;
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or(ModelError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }

    /// `self - other`, refusing overflow and mixed currencies.
    pub fn checked_sub(self, other: Money) -> Result<Money, ModelError> {
        self.same_currency(&other)?;
        let minor = self
            .minor
            .checked_sub(other.minor)
            .ok_or(ModelError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }

    /// `self × n`, refusing overflow.
    pub fn checked_mul(self, n: i64) -> Result<Money, ModelError> {
        let minor = self.minor.checked_mul(n).ok_or(ModelError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }

    /// Sums amounts of one currency; an empty list sums to zero in `currency`.
    pub fn sum<I: IntoIterator<Item = Money>>(
        currency: Currency,
        items: I,
    ) -> Result<Money, ModelError> {
        items
            .into_iter()
            .try_fold(Money::zero(currency), |acc, m| acc.checked_add(m))
    }

    /// Parses a decimal amount typed by a person: `5000`, `5000.5`, `1 234,50`.
    ///
    /// More fractional digits than the currency has is an error, not a rounding.
    pub fn parse(s: &str, currency: Currency) -> Result<Money, ModelError> {
        let bad = || ModelError::InvalidAmount(s.to_owned());
        let cleaned: String = s
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '_'))
            .collect();
        let (neg, body) = match cleaned.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, cleaned.as_str()),
        };
        let (int_part, frac_part) = match body.split_once(['.', ',']) {
            Some((i, f)) => (i, f),
            None => (body, ""),
        };
        let digits = currency.minor_digits() as usize;
        let all_digits = |p: &str| p.chars().all(|c| c.is_ascii_digit());
        if int_part.is_empty() || !all_digits(int_part) || !all_digits(frac_part) {
            return Err(bad());
        }
        if frac_part.len() > digits {
            return Err(ModelError::TooManyDecimals(s.to_owned(), digits as u32));
        }
        let whole: i64 = int_part.parse().map_err(|_| bad())?;
        let mut frac: i64 = if frac_part.is_empty() {
            0
        } else {
            frac_part.parse().map_err(|_| bad())?
        };
        frac *= 10i64.pow((digits - frac_part.len()) as u32);
        let minor = whole
            .checked_mul(currency.scale())
            .and_then(|w| w.checked_add(frac))
            .ok_or(ModelError::Overflow)?;
        Ok(Money::new(if neg { -minor } else { minor }, currency))
    }

    /// Plain decimal with a dot and no grouping, for CSV and machine output: `1234.50`.
    pub fn to_decimal_string(&self) -> String {
        let scale = self.currency.scale().unsigned_abs();
        let abs = self.minor.unsigned_abs();
        let sign = if self.minor < 0 { "-" } else { "" };
        format!(
            "{sign}{}.{:0width$}",
            abs / scale,
            abs % scale,
            width = self.currency.minor_digits() as usize
        )
    }

    /// Formats for people in a locale: Russian `1 234,50 ₽`, English `₽1,234.50`.
    pub fn format(&self, locale: Locale) -> String {
        let scale = self.currency.scale().unsigned_abs();
        let abs = self.minor.unsigned_abs();
        let (group_sep, dec_sep) = match locale {
            Locale::Ru => (' ', ','),
            Locale::En => (',', '.'),
        };
        let whole = group_thousands(abs / scale, group_sep);
        let frac = format!(
            "{:0width$}",
            abs % scale,
            width = self.currency.minor_digits() as usize
        );
        let sign = if self.minor < 0 { "-" } else { "" };
        let symbol = self.currency.symbol();
        match locale {
            Locale::Ru => format!("{sign}{whole}{dec_sep}{frac} {symbol}"),
            Locale::En => format!("{sign}{symbol}{whole}{dec_sep}{frac}"),
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format(Locale::default()))
    }
}

/// `1234567` as `1 234 567` (with `sep` between groups of three).
pub(crate) fn group_thousands(n: u64, sep: char) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_format_is_the_default() {
        assert_eq!(Money::rub(123_450).to_string(), "1 234,50 ₽");
        assert_eq!(Money::rub(5).to_string(), "0,05 ₽");
        assert_eq!(Money::rub(-100_000_000).to_string(), "-1 000 000,00 ₽");
    }

    #[test]
    fn english_format() {
        assert_eq!(Money::rub(123_450).format(Locale::En), "₽1,234.50");
        assert_eq!(Money::new(99, Currency::USD).format(Locale::En), "$0.99");
    }

    #[test]
    fn parse_accepts_people_input_and_refuses_junk() {
        let p = |s| Money::parse(s, Currency::RUB).map(|m| m.minor);
        assert_eq!(p("5000.00"), Ok(500_000));
        assert_eq!(p("5000"), Ok(500_000));
        assert_eq!(p("1 234,5"), Ok(123_450));
        assert_eq!(p("-0.01"), Ok(-1));
        assert!(matches!(p("1.234"), Err(ModelError::TooManyDecimals(..))));
        for junk in ["", "abc", "1.2.3", ".5", "1e3", "--1", "+1"] {
            assert!(p(junk).is_err(), "{junk:?} must be refused");
        }
        assert_eq!(
            p("99999999999999999999"),
            Err(ModelError::InvalidAmount("99999999999999999999".into()))
        );
    }

    #[test]
    fn arithmetic_is_checked() {
        let max = Money::rub(i64::MAX);
        assert_eq!(max.checked_add(Money::rub(1)), Err(ModelError::Overflow));
        let usd = Money::new(1, Currency::USD);
        assert!(matches!(
            Money::rub(1).checked_add(usd),
            Err(ModelError::CurrencyMismatch(..))
        ));
        assert_eq!(Money::rub(250).checked_mul(3).map(|m| m.minor), Ok(750));
    }

    #[test]
    fn decimal_string_round_trips() {
        for minor in [0, 1, 10, 99, 100, 123_456, -5, -12_345] {
            let m = Money::rub(minor);
            assert_eq!(Money::parse(&m.to_decimal_string(), Currency::RUB), Ok(m));
        }
    }
}
