//! Marked goods against the emulators as real processes: the register (`atol-emulator`,
//! with its own code check) and the checker (`marking-emulator`, online and local module).
//! What the till refuses, what the cart and the receipt carry, and returns by code.

use base64::Engine;
use pos_desktop::returns::RefundTo;
use pos_desktop::{Till, TillError};
use serde_json::{json, Value};
use shared_model::marking::permit::{CheckSource, Outcome};
use shared_model::Tender;

use crate::emulator::{Checker, Emulator};
use crate::fiscal::fiscal_till;
use crate::support::barcode;

const GS: char = '\u{1d}';

/// A unit's DataMatrix for the demo's marked perfume, as GS1 sends it (with GS).
fn datamatrix(till: &Till, serial: &str) -> String {
    let ean = barcode(till, pos_desktop::demo::MARKED_SKU);
    let key = "ab12";
    let tail = "Zx9aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abcde";
    format!("010{ean}21{serial}{GS}91{key}{GS}92{tail}")
}

/// What a keyboard-wedge scanner types with the Russian layout on (letters only).
fn russian(s: &str) -> String {
    let us = "qwertyuiopasdfghjklzxcvbnmQWERTYUIOPASDFGHJKLZXCVBNM";
    let ru = "йцукенгшщзфывапролдячсмитьЙЦУКЕНГШЩЗФЫВАПРОЛДЯЧСМИТЬ";
    s.chars()
        .map(|c| us.find(c).map_or(c, |i| ru.chars().nth(i).unwrap_or(c)))
        .collect()
}

/// A fiscal till with both checkers configured (online, then the local module).
fn marked_till(online: &Checker, local: &Checker) -> (tempfile::TempDir, Till, Emulator) {
    let (dir, mut till, emu) = fiscal_till(3_000);
    till.login("999999").expect("manager");
    till.set_marking_checkers(Some(&online.url), Some(&local.url), Some(500))
        .expect("checkers");
    till.login("222222").expect("salesperson");
    (dir, till, emu)
}

fn code_of(e: &TillError) -> &'static str {
    e.code()
}

#[test]
fn codes_as_scanners_send_them_are_one_code_and_the_ean_asks_for_the_mark() {
    let (online, local) = (Checker::start(), Checker::start());
    let (_dir, mut till, _emu) = marked_till(&online, &local);
    let ean = barcode(&till, pos_desktop::demo::MARKED_SKU);
    let e = till
        .add_item(&ean, None)
        .expect_err("the EAN of a marked unit");
    assert_eq!(code_of(&e), "mark_required");
    assert!(e.to_string().contains("J'adore"), "{e}");
    assert!(till
        .cart()
        .expect("cart")
        .is_none_or(|c| c.lines.is_empty()));

    let gs1 = datamatrix(&till, "AbCdEfGhIjKlM");
    let cart = till.add_item(&gs1, None).expect("with GS");
    let line = &cart.lines[0];
    assert_eq!(line.sku, pos_desktop::demo::MARKED_SKU);
    assert_eq!(line.qty.to_string(), "1");
    let mark = line.mark.as_ref().expect("the line holds its code");
    assert_eq!(mark.check.outcome, Outcome::Permitted);
    assert_eq!(mark.check.source, Some(CheckSource::Online));
    // The same unit as other scanners send it: each is the same code, refused as a repeat.
    for same in [
        gs1.replace(GS, ""),
        russian(&gs1.replace(GS, "")),
        format!("]d2{gs1}"),
        gs1.replace(GS, "<GS>"),
    ] {
        let e = till
            .add_item(&same, Some("1"))
            .expect_err("one piece per code");
        assert_eq!(code_of(&e), "mark_one_piece");
        let e = till.add_item(&same, None).expect_err("the same unit twice");
        assert_eq!(code_of(&e), "mark_repeated", "{same:?}");
    }
    // A code whose GTIN does not check is refused with the reason, not looked up.
    let e = till
        .add_item(&gs1.replacen("0104", "0105", 1), None)
        .expect_err("bad GTIN");
    assert!(e.to_string().contains("check digit"), "{e}");
    let n = till.cart().expect("cart").expect("open").lines.len();
    assert_eq!(n, 1);
    let e = till
        .set_quantity(1, "2")
        .expect_err("a marked line stays one piece");
    assert_eq!(code_of(&e), "mark_one_piece");
}

/// The register's sell task and the validations before it.
fn sell_task(emu: &Emulator) -> Value {
    let state = emu.state();
    state["requests"]
        .as_object()
        .expect("requests")
        .values()
        .map(|r| r["tasks"][0].clone())
        .find(|t| t["type"] == "sell")
        .expect("a sell task")
}

#[test]
fn a_permitted_unit_goes_to_the_register_with_its_code_and_check() {
    let (online, local) = (Checker::start(), Checker::start());
    let (_dir, mut till, emu) = marked_till(&online, &local);
    let gs1 = datamatrix(&till, "QwErTyUiOpAsD");
    till.add_item(&gs1, None).expect("marked");
    till.add_item(&barcode(&till, "P0001"), None)
        .expect("unmarked");
    till.pay(Tender::Cash, "60000", None).expect("pay");
    let sale = till.complete_sale().expect("complete");
    assert!(
        matches!(sale.fiscal, pos_desktop::fiscal::FiscalState::Done { .. }),
        "{:?}",
        sale.fiscal
    );
    assert_eq!(online.asked(), vec![gs1.clone()], "asked once, GS kept");
    assert!(local.asked().is_empty(), "online answered: no fallback");
    let task = sell_task(&emu);
    let item = &task["items"][0];
    assert_eq!(item["paymentObject"], "commodityWithMarking");
    let imc = base64::engine::general_purpose::STANDARD
        .decode(item["imcParams"]["imc"].as_str().expect("imc"))
        .expect("base64");
    assert_eq!(String::from_utf8(imc).expect("text"), gs1);
    assert_eq!(item["imcParams"]["itemEstimatedStatus"], "itemPieceSold");
    assert_eq!(
        item["imcParams"]["itemInfoCheckResult"]["imcCheckResult"], true,
        "the register's own check went into the position"
    );
    let attr = item["industryInfo"][0]["industryAttribute"]
        .as_str()
        .expect("permit check requisite");
    let req = sale.doc.lines[0].mark.as_ref().expect("mark").check.clone();
    assert_eq!(
        attr,
        format!(
            "UUID={}&Time={}",
            req.req_id.expect("id"),
            req.req_timestamp.expect("ts")
        )
    );
    assert_eq!(task["items"][1]["paymentObject"], "commodity");
    assert!(task["items"][1].get("imcParams").is_none());

    // Sold here and not taken back: refused on this till even where checkers would allow.
    let e = till.add_item(&gs1, None).expect_err("sold here");
    assert_eq!(code_of(&e), "mark_sold_here");
}

#[test]
fn refusals_of_the_checker_name_the_reason_and_add_nothing() {
    let (online, local) = (Checker::start(), Checker::start());
    let (_dir, mut till, _emu) = marked_till(&online, &local);
    for (serial, verdict, code) in [
        ("SOLDsoldSOLD1", "already_sold", "mark_already_sold"),
        ("BLOCKblock123", "blocked", "mark_blocked"),
        ("GONEgonegone1", "withdrawn", "mark_withdrawn"),
        ("OLDoldOLDold1", "expired", "mark_expired"),
        ("NONEnonenone1", "not_found", "mark_not_found"),
    ] {
        let gs1 = datamatrix(&till, serial);
        online.verdicts(json!({ gs1.clone(): verdict }));
        let e = till.add_item(&gs1, None).expect_err(verdict);
        assert_eq!(code_of(&e), code, "{verdict}");
    }
    assert!(till
        .cart()
        .expect("cart")
        .is_none_or(|c| c.lines.is_empty()));
}

#[test]
fn with_no_answer_in_time_the_local_module_then_the_group_rule_decides() {
    let (online, local) = (Checker::start(), Checker::start());
    let (dir, mut till, emu) = marked_till(&online, &local);
    // The online route hangs past the time box: the local module answers.
    online.faults(json!({"slow_ms": 3000}));
    let cart = till
        .add_item(&datamatrix(&till, "LoCaLlOcAl123"), None)
        .expect("local module");
    let check = &cart.lines[0].mark.as_ref().expect("mark").check;
    assert_eq!(check.source, Some(CheckSource::Local));
    // The local module is not ready (syncing): nobody answers, and perfume's rule sells
    // the unit flagged for head office.
    local.faults(json!({"status": "sync"}));
    let cart = till
        .add_item(&datamatrix(&till, "NoAnSwEr12345"), None)
        .expect("sold unchecked");
    let check = &cart.lines[1].mark.as_ref().expect("mark").check;
    assert_eq!(check.outcome, Outcome::Unchecked);
    assert!(check.req_id.is_none());
    // Head office sets perfume to block when nobody answers: the unit is refused.
    let db = rusqlite::Connection::open(dir.path().join(pos_desktop::DB_FILE)).expect("db");
    db.execute(
        "UPDATE marking_groups SET no_answer = 'block' WHERE code = 'perfume'",
        [],
    )
    .expect("rule");
    let e = till
        .add_item(&datamatrix(&till, "BlOcKeD123456"), None)
        .expect_err("blocked without an answer");
    assert_eq!(code_of(&e), "mark_no_answer");
    // The unchecked unit's sale completes and its receipt carries no permit requisite.
    till.pay(Tender::Cash, "90000", None).expect("pay");
    let sale = till.complete_sale().expect("complete");
    let unchecked = sale.doc.lines[1].mark.as_ref().expect("mark");
    assert!(unchecked.check.unchecked());
    // On the register: both units with their codes; only the checked one with the permit
    // check's requisite.
    let task = sell_task(&emu);
    let items = task["items"].as_array().expect("items");
    assert!(items[..2].iter().all(|i| i["imcParams"]["imc"].is_string()));
    assert!(items[0]["industryInfo"][0]["industryAttribute"].is_string());
    assert!(items[1].get("industryInfo").is_none(), "{}", items[1]);
}

#[test]
fn a_marked_return_takes_back_the_same_code_and_fiscalises_it_returned() {
    let (online, local) = (Checker::start(), Checker::start());
    let (_dir, mut till, emu) = marked_till(&online, &local);
    let (a, b) = (
        datamatrix(&till, "ReTuRnMe12345"),
        datamatrix(&till, "KeEpMe1234567"),
    );
    till.add_item(&a, None).expect("a");
    till.add_item(&b, None).expect("b");
    till.pay(Tender::Cash, "90000", None).expect("pay");
    let sale = till.complete_sale().expect("sale");
    let no = sale.link.receipt_no;
    // A code the sale did not sell is refused; the right one finds its line.
    let other = datamatrix(&till, "NeVeRsOlD1234");
    let e = till
        .sale_line_of_mark(no, &other)
        .expect_err("not this sale's");
    assert_eq!(code_of(&e), "mark_not_in_sale");
    let line = till
        .sale_line_of_mark(no, &a.replace(GS, ""))
        .expect("scanned without GS");
    assert_eq!(line, 1);
    let r = till
        .return_goods(no, Some(&[(line, "1")]), RefundTo::Cash, Some("не подошёл"))
        .expect("return");
    assert_eq!(
        r.doc.lines[0].mark.as_ref().map(|m| m.to_gs1()),
        Some(a.clone())
    );
    let e = till.sale_line_of_mark(no, &a).expect_err("already back");
    assert_eq!(code_of(&e), "mark_not_in_sale");
    let ret = emu.state()["requests"]
        .as_object()
        .expect("requests")
        .values()
        .map(|r| r["tasks"][0].clone())
        .find(|t| t["type"] == "sellReturn")
        .expect("sellReturn");
    assert_eq!(
        ret["items"][0]["imcParams"]["itemEstimatedStatus"],
        "itemPieceReturn"
    );
    assert_eq!(ret["items"].as_array().map(Vec::len), Some(1));
    // Taken back, the unit may be sold again.
    till.add_item(&a, None)
        .expect("sold again after its return");
}

#[test]
fn a_code_the_register_refuses_names_the_line() {
    let (online, local) = (Checker::start(), Checker::start());
    let (_dir, mut till, emu) = marked_till(&online, &local);
    let gs1 = datamatrix(&till, "RegisterNo123");
    emu.faults(json!({"bad_marks": [gs1.clone()]}));
    till.add_item(&barcode(&till, "P0001"), None)
        .expect("unmarked");
    till.add_item(&gs1, None).expect("the checker allows it");
    till.pay(Tender::Cash, "60000", None).expect("pay");
    let sale = till.complete_sale().expect("the sale stands");
    let pos_desktop::fiscal::FiscalState::Pending { reason: error } = &sale.fiscal else {
        panic!("{:?}", sale.fiscal);
    };
    assert!(
        error.contains("line 2") && error.contains("J'adore"),
        "{error}"
    );
    assert!(emu.documents("sell").is_empty(), "nothing was signed");
}
