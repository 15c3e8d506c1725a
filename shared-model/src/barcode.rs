//! Retail barcodes (EAN-13, EAN-8, UPC-A) with check-digit validation.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// Which symbology a barcode is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Symbology {
    /// 13 digits.
    Ean13,
    /// 8 digits.
    Ean8,
    /// 12 digits (North American).
    UpcA,
}

/// A validated barcode. Construct with [`Barcode::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Barcode {
    digits: String,
    symbology: Symbology,
}

impl Barcode {
    /// Parses and checks a barcode of 8, 12 or 13 digits (surrounding blanks ignored).
    pub fn parse(s: &str) -> Result<Self, ModelError> {
        let t = s.trim();
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ModelError::InvalidBarcode(s.to_owned()));
        }
        let symbology = match t.len() {
            13 => Symbology::Ean13,
            8 => Symbology::Ean8,
            12 => Symbology::UpcA,
            _ => return Err(ModelError::InvalidBarcode(s.to_owned())),
        };
        let (body, check) = t.split_at(t.len() - 1);
        let expected = check_digit(body);
        if check.as_bytes()[0] - b'0' != expected {
            return Err(ModelError::BadCheckDigit {
                code: s.to_owned(),
                expected,
            });
        }
        Ok(Barcode {
            digits: t.to_owned(),
            symbology,
        })
    }

    /// Builds a valid barcode from its digits without the check digit (7, 11 or 12 digits).
    pub fn with_check_digit(body: &str) -> Result<Self, ModelError> {
        if !body.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ModelError::InvalidBarcode(body.to_owned()));
        }
        Barcode::parse(&format!("{body}{}", check_digit(body)))
    }

    /// The symbology.
    pub fn symbology(&self) -> Symbology {
        self.symbology
    }

    /// The digits as scanned.
    pub fn as_str(&self) -> &str {
        &self.digits
    }

    /// The key a catalog is looked up by: a UPC-A is the EAN-13 with a leading zero,
    /// so a scanner that sends either form finds the same product.
    pub fn lookup_key(&self) -> String {
        match self.symbology {
            Symbology::UpcA => format!("0{}", self.digits),
            _ => self.digits.clone(),
        }
    }
}

/// GS1 mod-10 check digit: weights 3,1,3,… from the rightmost body digit.
pub(crate) fn check_digit(body: &str) -> u8 {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| (b - b'0') as u32 * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

impl fmt::Display for Barcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.digits)
    }
}

impl TryFrom<String> for Barcode {
    type Error = ModelError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Barcode::parse(&s)
    }
}

impl From<Barcode> for String {
    fn from(b: Barcode) -> String {
        b.digits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_codes() {
        // Real products' codes from their packaging.
        assert_eq!(
            Barcode::parse("4006381333931").map(|b| b.symbology()),
            Ok(Symbology::Ean13)
        );
        assert_eq!(
            Barcode::parse("96385074").map(|b| b.symbology()),
            Ok(Symbology::Ean8)
        );
        assert_eq!(
            Barcode::parse("036000291452").map(|b| b.symbology()),
            Ok(Symbology::UpcA)
        );
        assert_eq!(
            Barcode::parse(" 4006381333931 ").map(|b| b.to_string()),
            Ok("4006381333931".into())
        );
    }

    #[test]
    fn refuses_bad_check_digits_and_shapes() {
        assert_eq!(
            Barcode::parse("4006381333932"),
            Err(ModelError::BadCheckDigit {
                code: "4006381333932".into(),
                expected: 1
            })
        );
        assert!(Barcode::parse("96385075").is_err());
        assert!(Barcode::parse("036000291453").is_err());
        for junk in [
            "",
            "12345",
            "40063813339311",
            "40063813339a1",
            "-4006381333931",
        ] {
            assert!(Barcode::parse(junk).is_err(), "{junk:?}");
        }
    }

    #[test]
    fn upc_a_and_its_ean13_form_share_a_lookup_key() {
        let upc = Barcode::parse("036000291452").unwrap();
        let ean = Barcode::parse("0036000291452").unwrap();
        assert_eq!(upc.lookup_key(), ean.lookup_key());
    }

    #[test]
    fn computes_check_digits() {
        assert_eq!(
            Barcode::with_check_digit("400638133393").map(|b| b.to_string()),
            Ok("4006381333931".into())
        );
        assert_eq!(
            Barcode::with_check_digit("9638507").map(|b| b.to_string()),
            Ok("96385074".into())
        );
    }
}
