//! Figures as a reader of each language expects them: dates, times, counts, quantities
//! and report cells. Pure, so the web admin (wasm) and the server's tests share them.
//! Money has its own [`crate::Money::format`].

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::Deserialize;
use serde_json::Value;

use crate::{Currency, Locale, Money};

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `20.11.2026` in Russian, `Nov 20, 2026` in English.
pub fn date(d: NaiveDate, locale: Locale) -> String {
    match locale {
        Locale::Ru => d.format("%d.%m.%Y").to_string(),
        Locale::En => format!(
            "{} {}, {}",
            MONTHS_EN[d.month0() as usize],
            d.day(),
            d.year()
        ),
    }
}

/// A date and minute: `20.11.2026 14:05`, `Nov 20, 2026, 14:05`.
pub fn date_time(t: NaiveDateTime, locale: Locale) -> String {
    let hm = t.format("%H:%M");
    match locale {
        Locale::Ru => format!("{} {hm}", date(t.date(), locale)),
        Locale::En => format!("{}, {hm}", date(t.date(), locale)),
    }
}

/// A date sent as `YYYY-MM-DD` (a longer timestamp: its date part), shown per locale;
/// anything else is shown as it came.
pub fn date_str(s: &str, locale: Locale) -> String {
    s.get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .map_or_else(|| s.to_owned(), |d| date(d, locale))
}

/// A decimal sent as `-1234.5` (counts, quantities): thousands grouped and the decimal
/// mark per locale (`-1 234,5`, `-1,234.5`). Anything not a plain decimal is returned as is.
pub fn decimal(s: &str, locale: Locale) -> String {
    let (sign, body) = s.strip_prefix('-').map_or(("", s), |b| ("-", b));
    let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
    let plain = |p: &str| p.chars().all(|c| c.is_ascii_digit());
    let Some(n) = whole
        .parse::<u64>()
        .ok()
        .filter(|_| plain(whole) && plain(frac))
    else {
        return s.to_owned();
    };
    let (sep, mark) = match locale {
        Locale::Ru => (' ', ','),
        Locale::En => (',', '.'),
    };
    let mut out = format!("{sign}{}", crate::money::group_thousands(n, sep));
    if !frac.is_empty() {
        out.push(mark);
        out.push_str(frac);
    }
    out
}

/// What a report column holds (the server says, per column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    /// Names, codes, ids.
    #[default]
    Text,
    /// A count.
    Int,
    /// Roubles and kopecks as an exact decimal string.
    Money,
    /// A quantity as an exact decimal string.
    Qty,
    /// A `YYYY-MM-DD` date.
    Date,
}

impl ColumnKind {
    /// Whether the column is a figure (right-aligned, so digits line up).
    pub fn is_figure(self) -> bool {
        matches!(self, ColumnKind::Int | ColumnKind::Money | ColumnKind::Qty)
    }

    /// A cell of this kind as its reader expects it.
    pub fn show(self, v: Option<&Value>, locale: Locale) -> String {
        let raw = cell_text(v);
        if raw.is_empty() {
            return raw;
        }
        match self {
            ColumnKind::Text => raw,
            ColumnKind::Int | ColumnKind::Qty => decimal(&raw, locale),
            ColumnKind::Money => {
                Money::parse(&raw, Currency::RUB).map_or(raw, |m| m.format(locale))
            }
            ColumnKind::Date => date_str(&raw, locale),
        }
    }
}

/// A report cell as sent: strings as they are, numbers printed, null empty.
pub fn cell_text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(v) => v.to_string(),
    }
}

/// Each column's kind, by column name (a column not named is text).
pub type ColumnKinds = BTreeMap<String, ColumnKind>;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dates_and_times_per_locale() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 2).expect("date");
        assert_eq!(date(d, Locale::Ru), "02.11.2026");
        assert_eq!(date(d, Locale::En), "Nov 2, 2026");
        let t = d.and_hms_opt(9, 5, 59).expect("time");
        assert_eq!(date_time(t, Locale::Ru), "02.11.2026 09:05");
        assert_eq!(date_time(t, Locale::En), "Nov 2, 2026, 09:05");
        assert_eq!(date_str("2026-11-02T09:05:00Z", Locale::Ru), "02.11.2026");
        assert_eq!(date_str("soon", Locale::En), "soon");
    }

    #[test]
    fn decimals_group_thousands_and_use_the_readers_mark() {
        assert_eq!(decimal("1234567.5", Locale::Ru), "1 234 567,5");
        assert_eq!(decimal("-1234.25", Locale::En), "-1,234.25");
        assert_eq!(decimal("999", Locale::Ru), "999");
        for odd in ["", "-", "1e5", "12.3.4", "abc", "1 000"] {
            assert_eq!(decimal(odd, Locale::Ru), odd);
        }
    }

    #[test]
    fn report_cells_are_shown_by_their_columns_kind() {
        let money = json!("12591.00");
        assert_eq!(
            ColumnKind::Money.show(Some(&money), Locale::Ru),
            "12 591,00 ₽"
        );
        assert_eq!(
            ColumnKind::Money.show(Some(&money), Locale::En),
            "₽12,591.00"
        );
        assert_eq!(ColumnKind::Qty.show(Some(&json!("2.5")), Locale::Ru), "2,5");
        assert_eq!(
            ColumnKind::Int.show(Some(&json!(12000)), Locale::En),
            "12,000"
        );
        assert_eq!(
            ColumnKind::Date.show(Some(&json!("2026-11-20")), Locale::Ru),
            "20.11.2026"
        );
        assert_eq!(
            ColumnKind::Text.show(Some(&json!("1000")), Locale::Ru),
            "1000"
        );
        assert_eq!(ColumnKind::Money.show(Some(&Value::Null), Locale::Ru), "");
        assert!(ColumnKind::Money.is_figure() && !ColumnKind::Date.is_figure());
    }
}
