//! Customer identifiers as cashiers type them: phones and discount card numbers.

use crate::ModelError;

/// Normalises a phone number to `+` and digits. Russian habits are understood:
/// `8 (912) 345-67-89`, `+7 912 345 67 89` and `9123456789` are the same number.
pub fn normalize_phone(s: &str) -> Result<String, ModelError> {
    let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
    let allowed = |c: char| c.is_ascii_digit() || " +-()".contains(c);
    if !s.chars().all(allowed) || !(10..=15).contains(&digits.len()) {
        return Err(ModelError::InvalidPhone(
            s.trim().chars().take(30).collect(),
        ));
    }
    let full = match (digits.len(), digits.as_bytes()[0]) {
        (10, b'9') => format!("7{digits}"),
        (11, b'8') => format!("7{}", &digits[1..]),
        _ => digits,
    };
    Ok(format!("+{full}"))
}

/// Normalises a discount card number: 3–32 letters or digits, upper case, no spaces.
pub fn normalize_card(s: &str) -> Result<String, ModelError> {
    let c: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_uppercase();
    if !(3..=32).contains(&c.len()) || !c.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(ModelError::InvalidCard(s.trim().chars().take(40).collect()));
    }
    Ok(c)
}

/// A person's tax id (ИНН, 12 digits) with its two check digits verified: the cashier's,
/// printed on fiscal receipts as the operator's (tag 1203).
pub fn person_vatin(s: &str) -> Result<String, ModelError> {
    let s = s.trim();
    let bad = || ModelError::InvalidVatin(s.chars().take(20).collect());
    let d: Vec<u32> = s
        .chars()
        .map(|c| c.to_digit(10))
        .collect::<Option<_>>()
        .ok_or_else(bad)?;
    if d.len() != 12 {
        return Err(bad());
    }
    let check = |w: &[u32]| w.iter().zip(&d).map(|(w, d)| w * d).sum::<u32>() % 11 % 10;
    let (c11, c12) = (
        check(&[7, 2, 4, 10, 3, 5, 9, 4, 6, 8]),
        check(&[3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]),
    );
    if c11 != d[10] || c12 != d[11] {
        return Err(bad());
    }
    Ok(s.to_owned())
}

/// Where an electronic receipt goes (tag 1008): an e-mail address as typed (trimmed,
/// lower-cased, at most 64 characters) or a phone, normalised as [`normalize_phone`] does.
pub fn receipt_contact(s: &str) -> Result<String, ModelError> {
    let s = s.trim();
    if !s.contains('@') {
        return normalize_phone(s);
    }
    let bad = || ModelError::InvalidContact(s.chars().take(70).collect());
    let (local, domain) = s.split_once('@').ok_or_else(bad)?;
    let plain = |p: &str| {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._%+-".contains(c))
    };
    let domain_ok = plain(domain)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..");
    if s.len() > 64 || !plain(local) || !domain_ok {
        return Err(bad());
    }
    Ok(s.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cashier_s_tax_id_has_its_check_digits() {
        assert_eq!(person_vatin(" 500100732259 ").unwrap(), "500100732259");
        for bad in [
            "500100732258",
            "50010073225",
            "5001007322599",
            "50010073225x",
            "",
        ] {
            assert!(person_vatin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_electronic_receipt_goes_to_an_email_or_a_phone() {
        assert_eq!(
            receipt_contact(" Anna.K@Mail.RU ").unwrap(),
            "anna.k@mail.ru"
        );
        assert_eq!(receipt_contact("8 912 345-67-89").unwrap(), "+79123456789");
        for bad in [
            "",
            "anna@",
            "@mail.ru",
            "anna@mail",
            "an na@mail.ru",
            "a@b@c.ru",
            "anna@mail..ru",
            &format!("{}@mail.ru", "a".repeat(60)),
        ] {
            assert!(receipt_contact(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phones_in_every_local_habit_are_one_number() {
        for p in [
            "8 (912) 345-67-89",
            "+7 912 345 67 89",
            "9123456789",
            "79123456789",
        ] {
            assert_eq!(normalize_phone(p).unwrap(), "+79123456789", "{p}");
        }
        assert_eq!(
            normalize_phone("+44 20 7946 0958").unwrap(),
            "+442079460958"
        );
        for bad in ["", "12345", "phone", "+7 912 345 67 89 ext 5"] {
            assert!(normalize_phone(bad).is_err(), "{bad}");
        }
        assert_eq!(normalize_card(" ab-12 34 ").unwrap(), "AB1234");
        assert!(normalize_card("ab").is_err());
        assert!(normalize_card("карта1234").is_err());
    }
}
