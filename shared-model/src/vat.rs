//! VAT rates and extraction of VAT from VAT-inclusive amounts.

use serde::{Deserialize, Serialize};

use crate::{rounding::div_round_half_up, ModelError};

/// The VAT rates a Russian retailer prints on a receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VatRate {
    /// 20 %.
    Vat20,
    /// 10 % (reduced rate).
    Vat10,
    /// 0 % (taxed at zero; still reported).
    Vat0,
    /// Not subject to VAT ("без НДС").
    NoVat,
}

impl VatRate {
    /// All rates, in the order receipts list them.
    pub const ALL: [VatRate; 4] = [
        VatRate::Vat20,
        VatRate::Vat10,
        VatRate::Vat0,
        VatRate::NoVat,
    ];

    /// Parses `20`, `20%`, `vat20`, `10`, `0`, `none`/`no_vat`/`без ндс`.
    pub fn parse(s: &str) -> Result<Self, ModelError> {
        let t = s.trim().to_lowercase();
        match t.trim_end_matches('%').trim_start_matches("vat") {
            "20" => Ok(VatRate::Vat20),
            "10" => Ok(VatRate::Vat10),
            "0" => Ok(VatRate::Vat0),
            "none" | "no_vat" | "novat" | "-" | "без ндс" => Ok(VatRate::NoVat),
            _ => Err(ModelError::UnknownVatRate(s.to_owned())),
        }
    }

    /// Stable machine code, as stored in databases, CSV and events.
    pub fn code(&self) -> &'static str {
        match self {
            VatRate::Vat20 => "vat20",
            VatRate::Vat10 => "vat10",
            VatRate::Vat0 => "vat0",
            VatRate::NoVat => "no_vat",
        }
    }

    /// Parses the machine code written by [`VatRate::code`].
    pub fn from_code(s: &str) -> Result<Self, ModelError> {
        Self::ALL
            .into_iter()
            .find(|r| r.code() == s)
            .ok_or_else(|| ModelError::UnknownVatRate(s.to_owned()))
    }

    /// The rate in percent; `None` for goods not subject to VAT.
    pub fn percent(&self) -> Option<i64> {
        match self {
            VatRate::Vat20 => Some(20),
            VatRate::Vat10 => Some(10),
            VatRate::Vat0 => Some(0),
            VatRate::NoVat => None,
        }
    }

    /// The VAT contained in a VAT-inclusive amount, rounded half-up to the minor unit:
    /// `amount × rate / (100 + rate)`.
    pub fn extract(&self, inclusive_minor: i64) -> i64 {
        match self.percent() {
            None | Some(0) => 0,
            Some(p) => {
                div_round_half_up(inclusive_minor as i128 * p as i128, 100 + p as i128) as i64
            }
        }
    }

    /// Label for receipts: `НДС 20%` / `VAT 20%`, `Без НДС` / `No VAT`.
    pub fn label(&self, locale: crate::Locale) -> String {
        match (self.percent(), locale) {
            (Some(p), crate::Locale::Ru) => format!("НДС {p}%"),
            (Some(p), crate::Locale::En) => format!("VAT {p}%"),
            (None, crate::Locale::Ru) => "Без НДС".to_owned(),
            (None, crate::Locale::En) => "No VAT".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_inclusive_vat_half_up() {
        // 120.00 incl. 20% → 20.00 VAT
        assert_eq!(VatRate::Vat20.extract(12_000), 2_000);
        // 1.00 incl. 20% → 0.1666.. → 0.17
        assert_eq!(VatRate::Vat20.extract(100), 17);
        // 110.00 incl. 10% → 10.00
        assert_eq!(VatRate::Vat10.extract(11_000), 1_000);
        // 0.33 incl. 10% → 0.03
        assert_eq!(VatRate::Vat10.extract(33), 3);
        assert_eq!(VatRate::Vat0.extract(12_345), 0);
        assert_eq!(VatRate::NoVat.extract(12_345), 0);
    }

    #[test]
    fn parses_people_and_machine_forms() {
        assert_eq!(VatRate::parse("20%"), Ok(VatRate::Vat20));
        assert_eq!(VatRate::parse("vat10"), Ok(VatRate::Vat10));
        assert_eq!(VatRate::parse("none"), Ok(VatRate::NoVat));
        assert!(VatRate::parse("18").is_err());
        for r in VatRate::ALL {
            assert_eq!(VatRate::from_code(r.code()), Ok(r));
        }
    }
}
