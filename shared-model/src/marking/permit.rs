//! Marking groups and the permit check ("разрешительный режим"): when a group's goods need
//! their code, when the code must be checked before sale, and what the till does with the
//! checker's answer — or with no answer, when the customer cannot wait.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::MarkingCode;

/// What the till does when no checker answers in time (a group's rule, set by head office).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoAnswer {
    /// The unit is not sold.
    Block,
    /// The unit is sold and the sale flagged for head office.
    SellFlagged,
}

impl NoAnswer {
    /// Stable machine code, as stored.
    pub fn code(self) -> &'static str {
        match self {
            NoAnswer::Block => "block",
            NoAnswer::SellFlagged => "sell_flagged",
        }
    }

    /// Parses [`NoAnswer::code`].
    pub fn parse(s: &str) -> Option<NoAnswer> {
        [NoAnswer::Block, NoAnswer::SellFlagged]
            .into_iter()
            .find(|n| n.code() == s)
    }
}

/// A marking group (perfume, cosmetics…) with its dates, as head office sets them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkingGroup {
    /// Machine code (`perfume`, `cosmetics`, `household`…).
    pub code: String,
    /// Name for people.
    pub name: String,
    /// From this day each unit is sold by its code.
    pub code_from: NaiveDate,
    /// From this day each code is checked before sale (none: not yet decided).
    pub permit_from: Option<NaiveDate>,
    /// What happens when no checker answers.
    pub no_answer: NoAnswer,
}

impl MarkingGroup {
    /// Each unit must be sold by its code on `day`.
    pub fn code_required(&self, day: NaiveDate) -> bool {
        day >= self.code_from
    }

    /// Each code must be checked before sale on `day`.
    pub fn permit_required(&self, day: NaiveDate) -> bool {
        self.code_required(day) && self.permit_from.is_some_and(|d| day >= d)
    }
}

/// The groups a new chain starts with (the dates of the decrees; head office changes them).
pub fn default_groups() -> Vec<MarkingGroup> {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
    vec![
        MarkingGroup {
            code: "perfume".into(),
            name: "Духи и туалетная вода".into(),
            code_from: d(2020, 10, 1),
            permit_from: Some(d(2024, 11, 1)),
            no_answer: NoAnswer::SellFlagged,
        },
        MarkingGroup {
            code: "cosmetics".into(),
            name: "Косметика и бытовая химия".into(),
            code_from: d(2025, 10, 1),
            permit_from: None,
            no_answer: NoAnswer::SellFlagged,
        },
    ]
}

/// Which checker answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckSource {
    /// Честный ЗНАК online, through the certified module.
    Online,
    /// The local module (ЛМ ЧЗ) in the shop.
    Local,
}

impl CheckSource {
    /// Stable machine code, as stored.
    pub fn code(self) -> &'static str {
        match self {
            CheckSource::Online => "online",
            CheckSource::Local => "local",
        }
    }
}

/// Why a unit may not be sold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// The code is not in Честный ЗНАК.
    NotFound,
    /// The unit was sold already.
    AlreadySold,
    /// The unit was withdrawn from circulation.
    Withdrawn,
    /// Its shelf life is over.
    Expired,
    /// Blocked by an authority's decision.
    Blocked,
    /// No checker answered in time and the group blocks then.
    NoAnswer,
}

impl Refusal {
    /// Stable machine code (the UI translates it).
    pub fn code(self) -> &'static str {
        match self {
            Refusal::NotFound => "not_found",
            Refusal::AlreadySold => "already_sold",
            Refusal::Withdrawn => "withdrawn",
            Refusal::Expired => "expired",
            Refusal::Blocked => "blocked",
            Refusal::NoAnswer => "no_answer",
        }
    }

    /// For the cashier, in Russian (the till's error text; the UI has both languages).
    pub fn text_ru(self) -> &'static str {
        match self {
            Refusal::NotFound => "код не найден в Честном ЗНАКе",
            Refusal::AlreadySold => "товар с этим кодом уже продан",
            Refusal::Withdrawn => "товар выведен из оборота",
            Refusal::Expired => "истёк срок годности",
            Refusal::Blocked => "продажа заблокирована",
            Refusal::NoAnswer => "проверка кода не ответила, а группа товара её требует",
        }
    }
}

/// One checker's answer for one code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// Why not, or none: may be sold.
    pub refusal: Option<Refusal>,
    /// The check's request id (goes into the receipt, tag 1265).
    pub req_id: String,
    /// The check's timestamp, milliseconds since the epoch (tag 1265).
    pub req_timestamp: i64,
    /// Who answered.
    pub source: CheckSource,
}

/// How a sold unit passed the permit check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A checker said it may be sold.
    Permitted,
    /// Its group needs no check yet.
    NotRequired,
    /// No checker answered; the group's rule let it be sold, flagged for head office.
    Unchecked,
}

impl Outcome {
    /// Stable machine code, as stored and reported.
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Permitted => "permitted",
            Outcome::NotRequired => "not_required",
            Outcome::Unchecked => "unchecked",
        }
    }
}

/// The permit check a sold unit carries to the receipt and to head office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkCheck {
    /// How it passed.
    pub outcome: Outcome,
    /// Who answered (when someone did).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<CheckSource>,
    /// The answer's request id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub req_id: Option<String>,
    /// The answer's timestamp, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub req_timestamp: Option<i64>,
}

impl MarkCheck {
    /// A check that did not happen because the group does not need it.
    pub fn not_required() -> MarkCheck {
        MarkCheck {
            outcome: Outcome::NotRequired,
            source: None,
            req_id: None,
            req_timestamp: None,
        }
    }

    /// The unit was sold without a checker's yes while its group needs one.
    pub fn unchecked(&self) -> bool {
        self.outcome == Outcome::Unchecked
    }
}

/// A unit sold with its code: what a sale line carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SoldMark {
    /// The unit's code.
    pub code: MarkingCode,
    /// Its permit check.
    pub check: MarkCheck,
}

/// What the till does with a scanned code of `group` on `day`, given the first answer it
/// had (none: no checker answered in time).
pub fn decide(
    group: &MarkingGroup,
    day: NaiveDate,
    answer: Option<&Verdict>,
) -> Result<MarkCheck, Refusal> {
    if !group.permit_required(day) {
        // An answer that came anyway still refuses a unit it knows is not sellable.
        if let Some(r) = answer.and_then(|a| a.refusal) {
            return Err(r);
        }
        return Ok(MarkCheck::not_required());
    }
    match answer {
        Some(v) => match v.refusal {
            Some(r) => Err(r),
            None => Ok(MarkCheck {
                outcome: Outcome::Permitted,
                source: Some(v.source),
                req_id: Some(v.req_id.clone()),
                req_timestamp: Some(v.req_timestamp),
            }),
        },
        None => match group.no_answer {
            NoAnswer::Block => Err(Refusal::NoAnswer),
            NoAnswer::SellFlagged => Ok(MarkCheck {
                outcome: Outcome::Unchecked,
                source: None,
                req_id: None,
                req_timestamp: None,
            }),
        },
    }
}
