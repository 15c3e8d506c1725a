use serde_json::json;

use super::*;

fn sell() -> Value {
    json!({
        "type": "sell",
        "taxationType": "usnIncome",
        "operator": {"name": "Мария Иванова", "vatin": "500100732259"},
        "items": [
            {"type": "position", "name": "Chanel No 5", "price": 14390.0, "quantity": 2.0,
             "amount": 27340.5, "measurementUnit": "piece", "paymentMethod": "fullPayment",
             "paymentObject": "commodity", "tax": {"type": "vat22"}},
            {"type": "position", "name": "Распив", "price": 190.0, "quantity": 2.5,
             "amount": 475.0, "measurementUnit": "milliliter", "paymentMethod": "fullPayment",
             "paymentObject": "commodity", "tax": {"type": "vat22"}},
            {"type": "text", "text": "Акция −5%"}
        ],
        "payments": [{"type": "electronically", "sum": 20000.0}, {"type": "cash", "sum": 8000.0}],
        "total": 27815.5
    })
}

fn refused(t: &Value) -> (u32, String) {
    match check(t) {
        Err(e) => (e.code, e.description),
        Ok(task) => panic!("accepted {task:?}"),
    }
}

#[test]
fn a_good_sale_passes_with_its_sums_in_kopecks() {
    let Ok(Task::Receipt(r)) = check(&sell()) else {
        panic!("refused");
    };
    assert_eq!(r.total, 2_781_550);
    assert_eq!(r.positions.len(), 2);
    assert_eq!(
        r.payments,
        [
            ("electronically".into(), 2_000_000),
            ("cash".into(), 800_000)
        ]
    );
}

#[test]
fn each_bad_field_is_named() {
    type Spoil = fn(&mut Value);
    let cases: Vec<(Spoil, u32, &str)> = vec![
        (
            |t| t["taxationType"] = json!("simple"),
            code::INVALID_TAXATION_TYPE,
            "taxationType",
        ),
        (
            |t| t["operator"] = Value::Null,
            code::NO_REQUIRED_PARAM,
            "operator",
        ),
        (
            |t| t["items"][1]["tax"]["type"] = json!("vat20"),
            code::INVALID_TAX_TYPE,
            "items[1].tax.type",
        ),
        (
            |t| t["items"][0]["measurementUnit"] = json!("bottle"),
            code::INVALID_PARAM,
            "items[0].measurementUnit",
        ),
        (
            |t| t["items"][0]["price"] = json!(10.001),
            code::INVALID_SUM,
            "items[0].price",
        ),
        (
            |t| t["items"][0]["amount"] = json!(30000.0),
            code::INVALID_SUM,
            "items[0].amount",
        ),
        (
            |t| t["items"][1]["quantity"] = json!(0),
            code::INVALID_QUANTITY,
            "items[1].quantity",
        ),
        (
            |t| t["items"][0]["name"] = json!("x".repeat(129)),
            code::INVALID_PARAM,
            "items[0].name",
        ),
        (
            |t| t["total"] = json!(27815.51),
            code::INVALID_TOTAL,
            "total",
        ),
        (
            |t| t["payments"][1]["sum"] = json!(7000.0),
            code::NOT_FULLY_PAID,
            "payments",
        ),
        (
            |t| t["payments"][0]["sum"] = json!(28000.0),
            code::NONCASH_PAYMENTS_TOO_MUCH,
            "non-cash",
        ),
        (
            |t| t["payments"][0]["type"] = json!("bitcoin"),
            code::INVALID_PARAM,
            "payments[0].type",
        ),
        (
            |t| t["items"][0]["paymentMethod"] = json!("advance"),
            code::INVALID_TAX_TYPE,
            "items[0].tax.type",
        ),
        (
            |t| t["clientInfo"] = json!({"emailOrPhone": "nobody"}),
            code::INVALID_PARAM,
            "clientInfo",
        ),
    ];
    for (spoil, want, field) in cases {
        let mut t = sell();
        spoil(&mut t);
        let (got, description) = refused(&t);
        assert_eq!(got, want, "{description}");
        assert!(
            description.contains(field),
            "{description:?} should name {field}"
        );
    }
}

#[test]
fn the_size_limit_and_refund_rules() {
    let mut t = sell();
    t["items"][2]["text"] = json!("x".repeat(200));
    let many: Vec<Value> = (0..200).map(|_| t["items"][2].clone()).collect();
    t["items"] = Value::Array(
        [t["items"][0].clone(), t["items"][1].clone()]
            .into_iter()
            .chain(many)
            .collect(),
    );
    assert_eq!(refused(&t).0, code::INVALID_COMMAND_LENGTH);
    let mut r = sell();
    r["type"] = json!("sellReturn");
    assert_eq!(refused(&r).0, code::INVALID_SUM);
    r["payments"] = json!([{"type": "cash", "sum": 27815.5}]);
    assert!(check(&r).is_ok());
    let mut c = sell();
    c["type"] = json!("sellCorrection");
    c["correctionType"] = json!("self");
    assert_eq!(refused(&c).0, code::NO_REQUIRED_PARAM);
    c["correctionBaseDate"] = json!("2026.12.01");
    c["correctionBaseNumber"] = json!("17");
    assert!(check(&c).is_ok());
}

#[test]
fn a_marked_position_is_one_piece_of_commodity_with_marking_and_a_code() {
    use base64::Engine;
    let code = "0104607123000199".to_owned() + "21AbCdEfGhIjKlM\u{1d}93ab12";
    let imc = base64::engine::general_purpose::STANDARD.encode(&code);
    let marked = |object: &str, qty: f64, imc: &str| {
        let mut t = sell();
        t["items"][0]["paymentObject"] = json!(object);
        t["items"][0]["quantity"] = json!(qty);
        t["items"][0]["amount"] = json!(14390.0 * qty);
        t["items"][0]["imcParams"] = json!({"imcType": "auto", "imc": imc,
            "itemEstimatedStatus": "itemPieceSold", "imcModeProcessing": 0});
        t["total"] = json!(14390.0 * qty + 475.0);
        t["payments"] = json!([{"type": "cash", "sum": 40000.0}]);
        t
    };
    let Ok(Task::Receipt(r)) = check(&marked("commodityWithMarking", 1.0, &imc)) else {
        panic!("refused a good marked position");
    };
    assert_eq!(r.positions[0].imc.as_deref(), Some(code.as_str()));
    assert_eq!(r.positions[1].imc, None);
    let (c, d) = refused(&marked("commodity", 1.0, &imc));
    assert_eq!(
        (c, d.contains("items[0].paymentObject")),
        (code::INVALID_PARAM, true)
    );
    let (c, _) = refused(&marked("commodityWithMarking", 2.0, &imc));
    assert_eq!(c, code::INVALID_QUANTITY);
    let (_, d) = refused(&marked("commodityWithMarking", 1.0, "not base64!"));
    assert!(d.contains("items[0].imcParams.imc"), "{d}");
    let mut bare = sell();
    bare["items"][0]["paymentObject"] = json!("commodityWithMarking");
    let (c, _) = refused(&bare);
    assert_eq!(c, code::NO_REQUIRED_PARAM);
}
