//! What a keyboard-wedge scanner typed: telling a scan from a person by its timing, and
//! undoing the Russian layout a store PC usually runs with.
//!
//! A scanner "types" a code as key presses a few milliseconds apart, ending in a suffix
//! key (Enter or Tab). With the Russian (ЙЦУКЕН) layout active, the keys it presses for
//! `P0001` arrive as `З0001`; the code it meant is found again by key position.

use std::borrow::Cow;

/// Key positions of the Russian layout and the Latin character at the same position
/// (US layout), unshifted and shifted.
pub(crate) const RU_TO_US: &[(char, char)] = &[
    ('й', 'q'),
    ('ц', 'w'),
    ('у', 'e'),
    ('к', 'r'),
    ('е', 't'),
    ('н', 'y'),
    ('г', 'u'),
    ('ш', 'i'),
    ('щ', 'o'),
    ('з', 'p'),
    ('х', '['),
    ('ъ', ']'),
    ('ф', 'a'),
    ('ы', 's'),
    ('в', 'd'),
    ('а', 'f'),
    ('п', 'g'),
    ('р', 'h'),
    ('о', 'j'),
    ('л', 'k'),
    ('д', 'l'),
    ('ж', ';'),
    ('э', '\''),
    ('я', 'z'),
    ('ч', 'x'),
    ('с', 'c'),
    ('м', 'v'),
    ('и', 'b'),
    ('т', 'n'),
    ('ь', 'm'),
    ('б', ','),
    ('ю', '.'),
    ('ё', '`'),
    ('Й', 'Q'),
    ('Ц', 'W'),
    ('У', 'E'),
    ('К', 'R'),
    ('Е', 'T'),
    ('Н', 'Y'),
    ('Г', 'U'),
    ('Ш', 'I'),
    ('Щ', 'O'),
    ('З', 'P'),
    ('Х', '{'),
    ('Ъ', '}'),
    ('Ф', 'A'),
    ('Ы', 'S'),
    ('В', 'D'),
    ('А', 'F'),
    ('П', 'G'),
    ('Р', 'H'),
    ('О', 'J'),
    ('Л', 'K'),
    ('Д', 'L'),
    ('Ж', ':'),
    ('Э', '"'),
    ('Я', 'Z'),
    ('Ч', 'X'),
    ('С', 'C'),
    ('М', 'V'),
    ('И', 'B'),
    ('Т', 'N'),
    ('Ь', 'M'),
    ('Б', '<'),
    ('Ю', '>'),
    ('Ё', '~'),
    // Keys whose character differs between the layouts without being a letter.
    ('.', '/'),
    (',', '?'),
    ('"', '@'),
    ('№', '#'),
    (';', '$'),
    (':', '^'),
    ('?', '&'),
];

/// What the scanner meant, when what arrived was typed with the Russian layout active.
/// A burst with no Cyrillic letter was typed with a Latin layout and is returned as it
/// is (digits sit on the same keys in both layouts).
pub fn from_russian_layout(typed: &str) -> Cow<'_, str> {
    let cyrillic = typed
        .chars()
        .any(|c| ('а'..='я').contains(&c) || ('А'..='Я').contains(&c) || c == 'ё' || c == 'Ё');
    if !cyrillic {
        return Cow::Borrowed(typed);
    }
    Cow::Owned(
        typed
            .chars()
            .map(|c| {
                RU_TO_US
                    .iter()
                    .find(|(ru, _)| *ru == c)
                    .map_or(c, |(_, us)| *us)
            })
            .collect(),
    )
}

/// Keys that only modify others.
const MODIFIERS: [&str; 6] = ["Shift", "Control", "Alt", "AltGraph", "Meta", "CapsLock"];

/// How the store's scanners are set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannerSetup {
    /// Characters the scanner sends before each code (often none).
    pub prefix: String,
    /// The key that ends a code: `Enter` or `Tab` (browser key names).
    pub suffix: String,
    /// The longest average gap between the keys of one scan, in milliseconds (a busy
    /// machine may delay one key; the burst as a whole is still fast).
    pub max_gap_ms: u32,
    /// A pause longer than this (ms) ends any burst: what follows is new.
    pub max_pause_ms: u32,
    /// The fewest characters a scan has (shorter bursts are a person).
    pub min_len: usize,
}

/// The keys a scanner may end a code with.
pub const SUFFIXES: [&str; 2] = ["Enter", "Tab"];

impl ScannerSetup {
    /// The store's scanner keys as typed in the till's settings: a prefix of up to 8
    /// visible characters (empty: none) and a suffix of `Enter` or `Tab`. The timing
    /// stays the default's.
    pub fn parse(prefix: &str, suffix: &str) -> Result<ScannerSetup, String> {
        let prefix = prefix.trim();
        if prefix.chars().count() > 8 || prefix.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err("the scanner prefix is up to 8 visible characters".into());
        }
        let suffix = SUFFIXES
            .iter()
            .find(|s| s.eq_ignore_ascii_case(suffix.trim()))
            .ok_or("the scanner suffix is Enter or Tab")?;
        Ok(ScannerSetup {
            prefix: prefix.to_owned(),
            suffix: (*suffix).to_owned(),
            ..ScannerSetup::default()
        })
    }
}

impl Default for ScannerSetup {
    fn default() -> Self {
        ScannerSetup {
            prefix: String::new(),
            suffix: "Enter".into(),
            max_gap_ms: 35,
            max_pause_ms: 150,
            min_len: 4,
        }
    }
}

/// Tells scans from typing, key by key. Feed it every key press with its time; it says
/// when a burst that ended with the suffix was a scan, and what code it carried.
#[derive(Debug, Clone, Default)]
pub struct ScanDetector {
    setup: ScannerSetup,
    burst: String,
    started_ms: f64,
    last_ms: Option<f64>,
}

/// What a key press turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyVerdict {
    /// Part of a burst that may still be a scan (or a person typing).
    Pending,
    /// The suffix of a fast burst: a scan of this code (prefix removed, layout undone).
    Scan(String),
    /// The suffix after a slow burst: a person pressed it.
    Typed,
}

impl ScanDetector {
    /// A detector for the store's scanners.
    pub fn new(setup: ScannerSetup) -> Self {
        ScanDetector {
            setup,
            burst: String::new(),
            started_ms: 0.0,
            last_ms: None,
        }
    }

    /// The setup it listens with.
    pub fn setup(&self) -> &ScannerSetup {
        &self.setup
    }

    /// Whether a key pressed at `at_ms` would start a new burst.
    pub fn is_idle(&self, at_ms: f64) -> bool {
        self.burst.is_empty()
            || self
                .last_ms
                .is_none_or(|t| at_ms - t > f64::from(self.setup.max_pause_ms))
    }

    /// One key press (`key` as the browser names it: a character, or `Enter`, `Tab`…).
    pub fn key(&mut self, key: &str, at_ms: f64) -> KeyVerdict {
        // A scanner holds Shift for capitals: modifiers are neither part of a code nor a
        // break in it.
        if MODIFIERS.contains(&key) {
            return KeyVerdict::Pending;
        }
        let paused = self
            .last_ms
            .is_some_and(|t| at_ms - t > f64::from(self.setup.max_pause_ms));
        self.last_ms = Some(at_ms);
        if paused {
            self.burst.clear();
        }
        if key == self.setup.suffix {
            let burst = std::mem::take(&mut self.burst);
            let keys = burst.chars().count();
            // A configured prefix is what makes a burst a scan: without it, it is typing.
            let Some(code) = burst.strip_prefix(self.setup.prefix.as_str()) else {
                return KeyVerdict::Typed;
            };
            // Fast on average, from the burst's first key to the suffix.
            let average = (at_ms - self.started_ms) / keys.max(1) as f64;
            let fast = !paused
                && code.chars().count() >= self.setup.min_len
                && average <= f64::from(self.setup.max_gap_ms);
            return if fast {
                KeyVerdict::Scan(from_russian_layout(code).into_owned())
            } else {
                KeyVerdict::Typed
            };
        }
        let mut chars = key.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            if self.burst.is_empty() {
                self.started_ms = at_ms;
            }
            self.burst.push(c);
        } else {
            // Shift, arrows, F-keys: not part of any code.
            self.burst.clear();
        }
        KeyVerdict::Pending
    }
}

#[cfg(test)]
mod tests;
