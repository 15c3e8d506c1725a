//! Marking codes (Честный ЗНАК): the GS1 DataMatrix printed on each marked unit, as a
//! scanner delivers it. Perfume and cosmetics carry `01` GTIN-14, `21` serial, then either
//! `91` key id + `92` crypto tail (the long form) or `93` short crypto tail.
//!
//! What arrives is seldom clean: the AIM prefix `]d2` or a leading FNC1 (sent as GS), the GS
//! separators dropped by a keyboard-wedge scanner or sent as a key combination (`<GS>`,
//! `^]`), and Cyrillic letters when the Russian layout was active. [`MarkingCode::parse`]
//! undoes all of that; where the separators are missing they are found again from the AI
//! grammar (the tails' lengths are fixed; a serial is at most 20 characters, and when two
//! splits fit, the standard 13-character serial of perfume and cosmetics wins).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ModelError;

#[path = "marking/permit.rs"]
pub mod permit;

/// The GS1 group separator (FNC1 inside a code).
pub const GS: char = '\u{1d}';
/// Longest serial (AI 21) GS1 allows.
const MAX_SERIAL: usize = 20;
/// The serial length of perfume, cosmetics and household chemicals.
const USUAL_SERIAL: usize = 13;
/// AI 91 (verification key id) length.
const KEY_LEN: usize = 4;
/// AI 92 (crypto tail) lengths in use.
const CRYPTO_LENS: [usize; 2] = [44, 88];
/// AI 93 (short crypto tail) length.
const SHORT_LEN: usize = 4;

/// Why a scan is not a marking code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarkingProblem {
    /// Nothing was scanned.
    #[error("nothing was scanned")]
    Empty,
    /// It does not begin with AI 01 and 14 digits.
    #[error("it does not start with (01) and a 14-digit GTIN")]
    NoGtin,
    /// The GTIN's check digit is wrong.
    #[error("the GTIN's check digit should be {expected}")]
    GtinCheckDigit {
        /// The right one.
        expected: u8,
    },
    /// No AI 21 after the GTIN.
    #[error("no serial number (21) after the GTIN")]
    NoSerial,
    /// A character outside GS1's character set.
    #[error("{0:?} cannot be part of a marking code")]
    BadCharacter(char),
    /// What follows the serial is none of the tails a marking code has.
    #[error("what follows the serial is not (91)+(92) or (93): {0:?}")]
    BadTail(String),
    /// Without separators, more than one reading fits.
    #[error("the code's separators are missing and it reads more than one way")]
    Ambiguous,
}

/// The crypto part of a code: long (`91` + `92`) or short (`93`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "form", rename_all = "snake_case")]
pub enum Crypto {
    /// Only the GTIN and serial (some groups, and codes as printed for people).
    None,
    /// `91` verification key id and `92` crypto tail.
    Long {
        /// AI 91.
        key: String,
        /// AI 92.
        tail: String,
    },
    /// `93` short crypto tail.
    Short {
        /// AI 93.
        tail: String,
    },
}

/// A parsed marking code. Construct with [`MarkingCode::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MarkingCode {
    gtin: String,
    serial: String,
    crypto: Crypto,
}

/// GS1's character set 82 (what AIs 21, 91, 92 and 93 may hold).
fn gs1_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!\"%&'()*+,-./:;<=>?_".contains(c)
}

/// The scan with its prefix, key-combination separators and Russian layout undone.
fn clean(raw: &str) -> Result<String, MarkingProblem> {
    let mut s = raw
        .trim_matches(|c: char| c.is_whitespace() && c != GS)
        .to_owned();
    for gs in ["<GS>", "<gs>", "^]", "\\x1d", "\\x1D", "\\u001d"] {
        s = s.replace(gs, &GS.to_string());
    }
    let s = crate::keyboard::from_russian_layout(&s).into_owned();
    let s = s
        .strip_prefix("]d2")
        .or_else(|| s.strip_prefix("]D2"))
        .unwrap_or(&s);
    let s = s.trim_start_matches(GS);
    if s.is_empty() {
        return Err(MarkingProblem::Empty);
    }
    if let Some(c) = s.chars().find(|c| *c != GS && !gs1_char(*c)) {
        return Err(MarkingProblem::BadCharacter(c));
    }
    Ok(s.to_owned())
}

/// A tail (after the serial and its separator, if any) read as one of the code's forms.
fn tail(t: &str) -> Option<Crypto> {
    if t.is_empty() {
        return Some(Crypto::None);
    }
    if let Some(rest) = t.strip_prefix("93") {
        return (rest.len() == SHORT_LEN && !rest.contains(GS)).then(|| Crypto::Short {
            tail: rest.to_owned(),
        });
    }
    let rest = t.strip_prefix("91")?;
    let key = rest.get(..KEY_LEN)?;
    if key.contains(GS) {
        return None;
    }
    let rest = &rest[KEY_LEN..];
    let rest = rest.strip_prefix(GS).unwrap_or(rest).strip_prefix("92")?;
    (CRYPTO_LENS.contains(&rest.len()) && !rest.contains(GS)).then(|| Crypto::Long {
        key: key.to_owned(),
        tail: rest.to_owned(),
    })
}

impl MarkingCode {
    /// Reads a scan as a marking code, whatever the scanner did to it; says why when it is not.
    pub fn parse(raw: &str) -> Result<MarkingCode, ModelError> {
        Self::read(raw).map_err(|p| ModelError::InvalidMarkingCode {
            code: raw.chars().take(40).filter(|c| *c != GS).collect(),
            problem: p,
        })
    }

    fn read(raw: &str) -> Result<MarkingCode, MarkingProblem> {
        let s = clean(raw)?;
        let rest = s.strip_prefix("01").ok_or(MarkingProblem::NoGtin)?;
        let gtin = rest.get(..14).ok_or(MarkingProblem::NoGtin)?;
        if !gtin.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MarkingProblem::NoGtin);
        }
        let expected = crate::barcode::check_digit(&gtin[..13]);
        if gtin.as_bytes()[13] - b'0' != expected {
            return Err(MarkingProblem::GtinCheckDigit { expected });
        }
        let rest = rest[14..].strip_prefix(GS).unwrap_or(&rest[14..]);
        let rest = rest.strip_prefix("21").ok_or(MarkingProblem::NoSerial)?;
        // A separator after the serial fixes its end; without one, every split that
        // leaves a valid tail is a reading.
        let readings: Vec<(usize, Crypto)> = match rest.find(GS) {
            Some(end) => {
                let crypto = tail(&rest[end + 1..])
                    .ok_or_else(|| MarkingProblem::BadTail(rest[end + 1..].replace(GS, "")))?;
                vec![(end, crypto)]
            }
            None => (1..=rest.len().min(MAX_SERIAL))
                .filter_map(|len| Some((len, tail(rest.get(len..)?)?)))
                .collect(),
        };
        let (len, crypto) = match readings.as_slice() {
            [] if rest.len() > MAX_SERIAL => {
                return Err(MarkingProblem::BadTail(rest[MAX_SERIAL..].to_owned()))
            }
            [] => return Err(MarkingProblem::NoSerial),
            [one] => one.clone(),
            many => many
                .iter()
                .find(|(len, _)| *len == USUAL_SERIAL)
                .cloned()
                .ok_or(MarkingProblem::Ambiguous)?,
        };
        if len == 0 || len > MAX_SERIAL {
            return Err(MarkingProblem::NoSerial);
        }
        Ok(MarkingCode {
            gtin: gtin.to_owned(),
            serial: rest[..len].to_owned(),
            crypto,
        })
    }

    /// The GTIN-14.
    pub fn gtin(&self) -> &str {
        &self.gtin
    }

    /// The unit's serial number.
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// The crypto part.
    pub fn crypto(&self) -> &Crypto {
        &self.crypto
    }

    /// What identifies the unit (GTIN and serial): one code per unit, whatever its tail.
    pub fn identity(&self) -> String {
        format!("01{}21{}", self.gtin, self.serial)
    }

    /// The product's barcode lookup key (an EAN-13 GTIN loses its leading zero), as the
    /// catalog stores barcodes: a DataMatrix finds its product by it.
    pub fn barcode_key(&self) -> &str {
        self.gtin.strip_prefix('0').unwrap_or(&self.gtin)
    }

    /// The code as GS1 transmits it, separators included: what the register and the
    /// permit check are sent.
    pub fn to_gs1(&self) -> String {
        match &self.crypto {
            Crypto::None => self.identity(),
            Crypto::Long { key, tail } => format!("{}{GS}91{key}{GS}92{tail}", self.identity()),
            Crypto::Short { tail } => format!("{}{GS}93{tail}", self.identity()),
        }
    }
}

/// For people: `(01)…(21)…` with the crypto tail shortened.
impl fmt::Display for MarkingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "(01){}(21){}", self.gtin, self.serial)?;
        match &self.crypto {
            Crypto::None => Ok(()),
            Crypto::Long { key, tail } => write!(f, "(91){key}(92){}…", &tail[..4]),
            Crypto::Short { tail } => write!(f, "(93){tail}"),
        }
    }
}

impl TryFrom<String> for MarkingCode {
    type Error = ModelError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        MarkingCode::parse(&s)
    }
}

impl From<MarkingCode> for String {
    fn from(c: MarkingCode) -> String {
        c.to_gs1()
    }
}

#[cfg(test)]
#[path = "marking/tests.rs"]
mod tests;
