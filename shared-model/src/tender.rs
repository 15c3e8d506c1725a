//! Tenders (how money changes hands) and the rules for change and refunds.

use serde::{Deserialize, Serialize};

use crate::{ModelError, Money};

/// How a customer pays or is refunded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tender {
    /// Notes and coins; the only tender that gives change.
    Cash,
    /// A bank card on the external payment terminal (approval code only).
    Card,
    /// A gift certificate (its code travels with the payment); never gives change.
    Certificate,
}

impl Tender {
    /// Parses `cash`/`нал`, `card`/`карта`.
    pub fn parse(s: &str) -> Result<Self, ModelError> {
        match s.trim().to_lowercase().as_str() {
            "cash" | "нал" | "наличные" => Ok(Tender::Cash),
            "card" | "карта" => Ok(Tender::Card),
            "certificate" | "cert" | "gift" | "сертификат" => Ok(Tender::Certificate),
            _ => Err(ModelError::UnknownTender(s.to_owned())),
        }
    }

    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            Tender::Cash => "cash",
            Tender::Card => "card",
            Tender::Certificate => "certificate",
        }
    }
}

/// Checks a new tender against what is still due, and returns the new amount paid.
///
/// Only cash may exceed what is due (the excess becomes change); a card is charged
/// at most the remaining amount, because it cannot give change.
pub fn accept_tender(
    due: Money,
    paid_so_far: Money,
    tender: Tender,
    amount: Money,
) -> Result<Money, ModelError> {
    if amount.minor <= 0 {
        return Err(ModelError::NonPositiveAmount);
    }
    let remaining = due.checked_sub(paid_so_far)?;
    if remaining.minor <= 0 {
        return Err(ModelError::AlreadyPaid);
    }
    if tender != Tender::Cash && amount.minor > remaining.minor {
        return Err(ModelError::NonCashOverpay { remaining });
    }
    paid_so_far.checked_add(amount)
}

/// Change for a sale: what was paid over the total. Refuses an underpaid sale and
/// change larger than the cash tendered.
pub fn change_due(total: Money, paid: Money, cash_paid: Money) -> Result<Money, ModelError> {
    let change = paid.checked_sub(total)?;
    if change.is_negative() {
        return Err(ModelError::Underpaid {
            due: Money::new(-change.minor, change.currency),
        });
    }
    if change.minor > cash_paid.minor {
        return Err(ModelError::NonCashOverpay {
            remaining: Money::zero(total.currency),
        });
    }
    Ok(change)
}

/// Splits a refund back over the original tenders: cards first, then gift
/// certificates (each back onto itself), each up to what it paid net of earlier
/// refunds, then cash for the rest. `paid` holds, per tender and key (e.g. the
/// certificate code), what the sale took net of change minus what was refunded to it.
pub fn refund_to_original<K: Clone + Default>(
    amount: i64,
    paid: &[(Tender, K, i64)],
) -> Vec<(Tender, K, i64)> {
    let mut left = amount;
    let mut out = Vec::new();
    let mut order: Vec<_> = paid.to_vec();
    order.sort_by_key(|(t, _, _)| match t {
        Tender::Card => 0,
        Tender::Certificate => 1,
        Tender::Cash => 2,
    });
    for (t, key, available) in order {
        if left == 0 {
            break;
        }
        let take = left.min(available.max(0));
        if take > 0 {
            out.push((t, key, take));
            left -= take;
        }
    }
    if left > 0 {
        out.push((Tender::Cash, K::default(), left));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cash_may_overpay_cards_may_not() {
        let r = Money::rub;
        assert_eq!(
            accept_tender(r(1000), r(0), Tender::Cash, r(5000)),
            Ok(r(5000))
        );
        assert_eq!(
            accept_tender(r(1000), r(0), Tender::Card, r(1001)),
            Err(ModelError::NonCashOverpay { remaining: r(1000) })
        );
        assert_eq!(
            accept_tender(r(1000), r(400), Tender::Card, r(600)),
            Ok(r(1000))
        );
        assert_eq!(
            accept_tender(r(1000), r(1000), Tender::Cash, r(1)),
            Err(ModelError::AlreadyPaid)
        );
        assert_eq!(
            accept_tender(r(1000), r(0), Tender::Cash, r(0)),
            Err(ModelError::NonPositiveAmount)
        );
    }

    #[test]
    fn change_is_only_ever_cash() {
        let r = Money::rub;
        assert_eq!(change_due(r(1000), r(5000), r(5000)), Ok(r(4000)));
        assert_eq!(
            change_due(r(1000), r(900), r(900)),
            Err(ModelError::Underpaid { due: r(100) })
        );
        assert_eq!(change_due(r(1000), r(1000), r(0)), Ok(r(0)));
        assert!(change_due(r(1000), r(1500), r(200)).is_err());
    }

    #[test]
    fn refunds_go_back_to_cards_first() {
        let paid = [(Tender::Cash, (), 300), (Tender::Card, (), 700)];
        assert_eq!(
            refund_to_original(500, &paid),
            vec![(Tender::Card, (), 500)]
        );
        assert_eq!(
            refund_to_original(900, &paid),
            vec![(Tender::Card, (), 700), (Tender::Cash, (), 200)]
        );
        let paid = [
            (Tender::Cash, None, 100),
            (Tender::Certificate, Some("A"), 400),
            (Tender::Card, None, 200),
        ];
        assert_eq!(
            refund_to_original(650, &paid),
            vec![
                (Tender::Card, None, 200),
                (Tender::Certificate, Some("A"), 400),
                (Tender::Cash, None, 50)
            ]
        );
    }
}
