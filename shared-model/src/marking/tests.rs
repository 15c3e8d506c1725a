use proptest::prelude::*;

use super::*;
use crate::keyboard::RU_TO_US;

/// A perfume code as printed (GTIN 04601234567893, 13-character serial, key, 44-char tail).
const PERFUME: &str = "010460123456789321ABC!%&'()*+,-\u{1d}91EE06\u{1d}92kHzl2TFSuIWWc0PkK9WBsRXgA0eq3+hYD1SUhaHq/Os=";

fn problem(raw: &str) -> MarkingProblem {
    match MarkingCode::parse(raw) {
        Err(ModelError::InvalidMarkingCode { problem, .. }) => problem,
        other => panic!("{raw:?} gave {other:?}"),
    }
}

/// What a scanner on the Russian layout types for `s`.
fn typed_in_russian(s: &str) -> String {
    s.chars()
        .map(|c| {
            RU_TO_US
                .iter()
                .find(|(_, us)| *us == c)
                .map_or(c, |(ru, _)| *ru)
        })
        .collect()
}

#[test]
fn a_code_as_scanners_send_it_reads_as_the_same_code() {
    let clean = MarkingCode::parse(PERFUME).expect("perfume");
    assert_eq!(clean.gtin(), "04601234567893");
    assert_eq!(clean.serial(), "ABC!%&'()*+,-");
    assert!(
        matches!(clean.crypto(), Crypto::Long { key, tail } if key == "EE06" && tail.len() == 44)
    );
    let no_gs = PERFUME.replace(GS, "");
    for sent in [
        no_gs.clone(),
        format!("]d2{PERFUME}"),
        format!("{GS}{PERFUME}"),
        PERFUME.replace(GS, "<GS>"),
        typed_in_russian(&no_gs),
        format!("]d2{}", typed_in_russian(PERFUME)),
        format!("  {PERFUME}\r\n"),
    ] {
        assert_eq!(MarkingCode::parse(&sent).expect(&sent), clean, "{sent:?}");
    }
    assert_eq!(clean.to_gs1(), PERFUME);
    assert_eq!(clean.identity(), "010460123456789321ABC!%&'()*+,-");
    assert_eq!(
        clean.to_string(),
        "(01)04601234567893(21)ABC!%&'()*+,-(91)EE06(92)kHzl…"
    );
}

#[test]
fn short_codes_and_codes_without_a_tail() {
    let short = MarkingCode::parse("0104601234567893215Kc7rPLMbAmQe\u{1d}93dGVz").expect("short");
    assert_eq!(short.serial(), "5Kc7rPLMbAmQe");
    assert_eq!(
        short.crypto(),
        &Crypto::Short {
            tail: "dGVz".into()
        }
    );
    // Without its separator the 13-character serial wins over a 19-character one.
    let joined = MarkingCode::parse("0104601234567893215Kc7rPLMbAmQe93dGVz").expect("joined");
    assert_eq!(joined, short);
    let bare = MarkingCode::parse("010460123456789321ABCDEF").expect("bare");
    assert_eq!((bare.serial(), bare.crypto()), ("ABCDEF", &Crypto::None));
}

#[test]
fn garbage_is_refused_with_its_reason() {
    assert_eq!(problem("   "), MarkingProblem::Empty);
    assert_eq!(problem("4601234567893"), MarkingProblem::NoGtin);
    assert_eq!(problem("0104601234567X9321AB"), MarkingProblem::NoGtin);
    assert_eq!(
        problem("010460123456789421ABC"),
        MarkingProblem::GtinCheckDigit { expected: 3 }
    );
    assert_eq!(problem("01046012345678931ABC"), MarkingProblem::NoSerial);
    assert_eq!(
        problem("010460123456789321AB C"),
        MarkingProblem::BadCharacter(' ')
    );
    assert_eq!(
        problem("010460123456789321ABñ"),
        MarkingProblem::BadCharacter('ñ')
    );
    assert!(matches!(
        problem("010460123456789321ABC\u{1d}91EE06\u{1d}92short"),
        MarkingProblem::BadTail(_)
    ));
    assert!(matches!(
        problem("010460123456789321ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        MarkingProblem::BadTail(_)
    ));
}

/// GS1 characters a serial, key or tail may hold.
fn gs1_text(len: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = String> {
    let chars: Vec<char> = ('!'..='z').filter(|c| super::gs1_char(*c)).collect();
    proptest::collection::vec(proptest::sample::select(chars), len)
        .prop_map(|v| v.into_iter().collect())
}

fn any_code() -> impl Strategy<Value = MarkingCode> {
    let gtin = "[0-9]{13}".prop_map(|b| format!("{b}{}", crate::barcode::check_digit(&b)));
    let crypto = prop_oneof![
        Just(Crypto::None),
        (gs1_text(4..=4), gs1_text(44..=44)).prop_map(|(key, tail)| Crypto::Long { key, tail }),
        (gs1_text(4..=4), gs1_text(88..=88)).prop_map(|(key, tail)| Crypto::Long { key, tail }),
        gs1_text(4..=4).prop_map(|tail| Crypto::Short { tail }),
    ];
    (gtin, gs1_text(13..=13), crypto).prop_map(|(gtin, serial, crypto)| MarkingCode {
        gtin,
        serial,
        crypto,
    })
}

proptest! {
    #[test]
    fn printing_and_parsing_round_trip_however_it_was_sent(code in any_code()) {
        let gs1 = code.to_gs1();
        prop_assert_eq!(&MarkingCode::parse(&gs1).expect("gs1"), &code);
        // Separators dropped, or typed on the Russian layout, or the AIM prefix: the same code
        // (a code with no tail keeps its whole serial only when it has its 13 characters).
        prop_assert_eq!(&MarkingCode::parse(&gs1.replace(GS, "")).expect("no gs"), &code);
        // (A scan with no letter at all looks the same in both layouts but for its symbols,
        // and is read as Latin.)
        let ru = typed_in_russian(&gs1);
        if ru.chars().any(|c| c.is_alphabetic() && !c.is_ascii()) {
            prop_assert_eq!(&MarkingCode::parse(&ru).expect("ru"), &code);
        }
        prop_assert_eq!(&MarkingCode::parse(&format!("]d2{gs1}")).expect("aim"), &code);
        let json = serde_json::to_string(&code).expect("json");
        prop_assert_eq!(serde_json::from_str::<MarkingCode>(&json).expect("back"), code);
    }

    #[test]
    fn anything_else_is_refused_not_misread(s in "\\PC{0,80}") {
        if let Ok(code) = MarkingCode::parse(&s) {
            // Whatever parses is a code whose GTIN checks and which prints back as GS1.
            prop_assert_eq!(MarkingCode::parse(&code.to_gs1()).expect("reparse"), code);
        }
    }
}

mod permit_rules {
    use super::super::permit::*;
    use chrono::NaiveDate;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    fn perfume(no_answer: NoAnswer) -> MarkingGroup {
        MarkingGroup {
            no_answer,
            ..default_groups().remove(0)
        }
    }

    fn verdict(refusal: Option<Refusal>) -> Verdict {
        Verdict {
            refusal,
            req_id: "req-1".into(),
            req_timestamp: 1_765_000_000_000,
            source: CheckSource::Local,
        }
    }

    #[test]
    fn a_permitted_unit_carries_the_answer_to_the_receipt() {
        let g = perfume(NoAnswer::Block);
        let check = decide(&g, day(2026, 12, 7), Some(&verdict(None))).expect("sell");
        assert_eq!(check.outcome, Outcome::Permitted);
        assert_eq!(check.req_id.as_deref(), Some("req-1"));
        assert_eq!(check.source, Some(CheckSource::Local));
    }

    #[test]
    fn a_refusal_is_final_whatever_the_group() {
        for no_answer in [NoAnswer::Block, NoAnswer::SellFlagged] {
            let g = perfume(no_answer);
            for r in [Refusal::AlreadySold, Refusal::Blocked, Refusal::Expired] {
                assert_eq!(
                    decide(&g, day(2026, 12, 7), Some(&verdict(Some(r)))),
                    Err(r)
                );
            }
        }
    }

    #[test]
    fn no_answer_follows_the_group_rule() {
        let today = day(2026, 12, 7);
        assert_eq!(
            decide(&perfume(NoAnswer::Block), today, None),
            Err(Refusal::NoAnswer)
        );
        let sold = decide(&perfume(NoAnswer::SellFlagged), today, None).expect("sold");
        assert!(sold.unchecked());
    }

    #[test]
    fn before_the_permit_date_no_check_is_needed_but_a_known_refusal_still_counts() {
        let g = perfume(NoAnswer::Block);
        let before = day(2024, 10, 31);
        assert!(g.code_required(before) && !g.permit_required(before));
        assert_eq!(decide(&g, before, None), Ok(MarkCheck::not_required()));
        assert_eq!(
            decide(&g, before, Some(&verdict(Some(Refusal::Blocked)))),
            Err(Refusal::Blocked)
        );
        let cosmetics = &default_groups()[1];
        assert!(!cosmetics.permit_required(day(2030, 1, 1)));
        assert!(!cosmetics.code_required(day(2025, 9, 30)));
    }
}
