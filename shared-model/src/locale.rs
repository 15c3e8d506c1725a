//! The languages the product speaks.

use serde::{Deserialize, Serialize};

/// A UI and receipt language. Russian is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Locale {
    /// Russian (default).
    #[default]
    Ru,
    /// English.
    En,
}

impl Locale {
    /// Parses `ru`, `en` (and `ru-RU`, `en_US`…).
    pub fn parse(s: &str) -> Option<Self> {
        let lang = s.trim().to_lowercase();
        match lang.get(..2) {
            Some("ru") => Some(Locale::Ru),
            Some("en") => Some(Locale::En),
            _ => None,
        }
    }

    /// The code, `ru` or `en`.
    pub fn code(&self) -> &'static str {
        match self {
            Locale::Ru => "ru",
            Locale::En => "en",
        }
    }
}
