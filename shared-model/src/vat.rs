//! VAT rates and extraction of VAT from VAT-inclusive amounts.

use serde::{Deserialize, Serialize};

use crate::{rounding::div_round_half_up, ModelError};

/// The VAT rates a Russian retailer prints on a receipt. Since 2026-01-01 the standard
/// rate is 22 %; 20 % is kept only so that sales made before then read back as sold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VatRate {
    /// 22 % (the standard rate from 2026-01-01).
    Vat22,
    /// 10 % (reduced rate: children's goods, some food, medicines).
    Vat10,
    /// 7 % (simplified-tax payers with income up to 450 M ₽ a year).
    Vat7,
    /// 5 % (simplified-tax payers with income up to 250 M ₽ a year).
    Vat5,
    /// 0 % (taxed at zero; still reported).
    Vat0,
    /// Not subject to VAT ("без НДС").
    NoVat,
    /// 20 %: the standard rate until 2025-12-31. Old sales keep it; no goods take it now.
    Vat20,
}

impl VatRate {
    /// Every rate a sale may carry, in the order receipts and reports list them.
    pub const ALL: [VatRate; 7] = [
        VatRate::Vat22,
        VatRate::Vat20,
        VatRate::Vat10,
        VatRate::Vat7,
        VatRate::Vat5,
        VatRate::Vat0,
        VatRate::NoVat,
    ];

    /// The rates goods can be given today (what catalogs and forms offer).
    pub const CURRENT: [VatRate; 6] = [
        VatRate::Vat22,
        VatRate::Vat10,
        VatRate::Vat7,
        VatRate::Vat5,
        VatRate::Vat0,
        VatRate::NoVat,
    ];

    /// Parses `22`, `22%`, `vat22`, `10`, `7`, `5`, `0`, `none`/`no_vat`/`без ндс`, and
    /// the retired `20` (for history; [`VatRate::for_goods`] refuses it).
    pub fn parse(s: &str) -> Result<Self, ModelError> {
        let t = s.trim().to_lowercase();
        let t = t.trim_end_matches('%').trim();
        let t = t.trim_start_matches("vat").trim_start_matches("ндс").trim();
        match t {
            "22" => Ok(VatRate::Vat22),
            "20" => Ok(VatRate::Vat20),
            "10" => Ok(VatRate::Vat10),
            "7" => Ok(VatRate::Vat7),
            "5" => Ok(VatRate::Vat5),
            "0" => Ok(VatRate::Vat0),
            "none" | "no_vat" | "novat" | "-" | "без ндс" => Ok(VatRate::NoVat),
            _ => Err(ModelError::UnknownVatRate(s.to_owned())),
        }
    }

    /// Parses a rate given to goods (a product form, a catalog file): [`VatRate::parse`]
    /// or the machine code, refusing a rate no longer in force.
    pub fn for_goods(s: &str) -> Result<Self, ModelError> {
        let rate = VatRate::parse(s).or_else(|_| VatRate::from_code(s.trim()))?;
        if !rate.is_current() {
            return Err(ModelError::RetiredVatRate(s.to_owned()));
        }
        Ok(rate)
    }

    /// Whether goods may be given this rate today.
    pub fn is_current(&self) -> bool {
        Self::CURRENT.contains(self)
    }

    /// Stable machine code, as stored in databases, CSV and events.
    pub fn code(&self) -> &'static str {
        match self {
            VatRate::Vat22 => "vat22",
            VatRate::Vat20 => "vat20",
            VatRate::Vat10 => "vat10",
            VatRate::Vat7 => "vat7",
            VatRate::Vat5 => "vat5",
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
            VatRate::Vat22 => Some(22),
            VatRate::Vat20 => Some(20),
            VatRate::Vat10 => Some(10),
            VatRate::Vat7 => Some(7),
            VatRate::Vat5 => Some(5),
            VatRate::Vat0 => Some(0),
            VatRate::NoVat => None,
        }
    }

    /// The register's tax type for a receipt line (ATOL's `tax.type`). An advance (a gift
    /// certificate sold) takes the computed rate instead: [`VatRate::register_advance_tax`].
    pub fn register_tax(&self) -> &'static str {
        match self {
            VatRate::NoVat => "none",
            r => r.code(),
        }
    }

    /// The computed rate of an advance at this rate (22/122, 10/110, 5/105, 7/107), as the
    /// register names it; zero and no VAT stay as they are.
    pub fn register_advance_tax(&self) -> &'static str {
        match self {
            VatRate::Vat22 => "vat122",
            VatRate::Vat20 => "vat120",
            VatRate::Vat10 => "vat110",
            VatRate::Vat7 => "vat107",
            VatRate::Vat5 => "vat105",
            VatRate::Vat0 => "vat0",
            VatRate::NoVat => "none",
        }
    }

    /// The rate a register tax type names (the inverse of [`VatRate::register_tax`]).
    pub fn from_register_tax(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.register_tax() == s)
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
    fn extracts_the_2026_rates() {
        // 122.00 incl. 22% → 22.00; 1.00 incl. 22% → 0.1803.. → 0.18
        assert_eq!(VatRate::Vat22.extract(12_200), 2_200);
        assert_eq!(VatRate::Vat22.extract(100), 18);
        // 107.00 incl. 7% → 7.00; 105.00 incl. 5% → 5.00
        assert_eq!(VatRate::Vat7.extract(10_700), 700);
        assert_eq!(VatRate::Vat5.extract(10_500), 500);
        // 100.00 incl. 22% → 18.032.. → 18.03
        assert_eq!(VatRate::Vat22.extract(10_000), 1_803);
    }

    #[test]
    fn goods_take_only_rates_in_force() {
        assert_eq!(VatRate::for_goods("22"), Ok(VatRate::Vat22));
        assert_eq!(VatRate::for_goods("vat7"), Ok(VatRate::Vat7));
        assert_eq!(VatRate::for_goods("НДС 5%"), Ok(VatRate::Vat5));
        assert_eq!(
            VatRate::for_goods("20"),
            Err(ModelError::RetiredVatRate("20".into()))
        );
        assert!(VatRate::for_goods("vat20").is_err());
        // ...yet a sale made at 20 % still reads back as sold.
        assert_eq!(VatRate::from_code("vat20"), Ok(VatRate::Vat20));
        assert!(VatRate::CURRENT.iter().all(VatRate::is_current));
    }

    #[test]
    fn register_tax_types() {
        let types: Vec<_> = VatRate::CURRENT.iter().map(|r| r.register_tax()).collect();
        assert_eq!(types, ["vat22", "vat10", "vat7", "vat5", "vat0", "none"]);
        assert_eq!(VatRate::Vat22.register_advance_tax(), "vat122");
        assert_eq!(VatRate::Vat10.register_advance_tax(), "vat110");
        for r in VatRate::ALL {
            assert_eq!(VatRate::from_register_tax(r.register_tax()), Some(r));
        }
    }

    #[test]
    fn parses_people_and_machine_forms() {
        assert_eq!(VatRate::parse("22%"), Ok(VatRate::Vat22));
        assert_eq!(VatRate::parse("20%"), Ok(VatRate::Vat20));
        assert_eq!(VatRate::parse("vat10"), Ok(VatRate::Vat10));
        assert_eq!(VatRate::parse("none"), Ok(VatRate::NoVat));
        assert!(VatRate::parse("18").is_err());
        for r in VatRate::ALL {
            assert_eq!(VatRate::from_code(r.code()), Ok(r));
        }
    }
}
