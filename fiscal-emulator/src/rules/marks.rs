//! The driver's rules for marked goods (FFD 1.2): a position with `imcParams` carries the
//! unit's code in base64 (`imc`), its planned status and the check results, is of
//! subject `commodityWithMarking` and is one piece; `industryInfo` entries carry the permit
//! check's request id and time. The code check itself is a task of its own
//! (`beginMarkingCodeValidation`), answered before the receipt.

use base64::Engine;
use serde_json::Value;

use super::{code, err, one_of, text, Task, TaskError};

/// Planned statuses of a unit (tag 2003).
const STATUSES: [&str; 6] = [
    "itemPieceSold",
    "itemDryForSale",
    "itemPieceReturn",
    "itemDryReturn",
    "itemWeightSold",
    "itemWeightReturn",
];

/// `imc` as the driver takes it: base64 of the GS1 code, which starts with (01) and 14 digits.
fn decode(v: &Value, field: &str) -> Result<String, TaskError> {
    let b64 = v
        .as_str()
        .ok_or_else(|| err(code::NO_REQUIRED_PARAM, format!("{field} is required")))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|_| err(code::INVALID_PARAM, format!("{field} is not base64")))?;
    let imc = String::from_utf8(bytes)
        .map_err(|_| err(code::INVALID_PARAM, format!("{field} is not text")))?;
    let gtin_ok = imc.len() > 16
        && imc.starts_with("01")
        && imc.as_bytes()[2..16].iter().all(u8::is_ascii_digit);
    if !gtin_ok {
        return Err(err(
            code::INVALID_PARAM,
            format!("{field} is not a marking code"),
        ));
    }
    Ok(imc)
}

/// `beginMarkingCodeValidation`.
pub(super) fn begin(t: &Value) -> Result<Task, TaskError> {
    let p = &t["params"];
    let imc = decode(&p["imc"], "params.imc")?;
    let status = one_of(
        p,
        "itemEstimatedStatus",
        "params.",
        &STATUSES,
        code::INVALID_PARAM,
    )?;
    Ok(Task::BeginMarkCheck {
        imc,
        status: status.to_owned(),
    })
}

/// A position's marking code, if it has one, checked against its subject and quantity
/// (`qty` in millionths).
pub(super) fn position_mark(
    item: &Value,
    path: &str,
    object: &str,
    qty: i64,
) -> Result<Option<String>, TaskError> {
    let Some(p) = item.get("imcParams") else {
        if object == "commodityWithMarking" {
            return Err(err(
                code::NO_REQUIRED_PARAM,
                format!("{path}imcParams are required for commodityWithMarking"),
            ));
        }
        return Ok(None);
    };
    let ppath = format!("{path}imcParams.");
    let imc = decode(&p["imc"], &format!("{ppath}imc"))?;
    one_of(
        p,
        "itemEstimatedStatus",
        &ppath,
        &STATUSES,
        code::INVALID_PARAM,
    )?;
    if object != "commodityWithMarking" {
        return Err(err(
            code::INVALID_PARAM,
            format!("{path}paymentObject must be commodityWithMarking with imcParams"),
        ));
    }
    if qty != 1_000_000 {
        return Err(err(
            code::INVALID_QUANTITY,
            format!("{path}quantity of a marked piece must be 1"),
        ));
    }
    if let Some(info) = item.get("industryInfo") {
        let list = info
            .as_array()
            .ok_or_else(|| err(code::INVALID_PARAM, format!("{path}industryInfo is a list")))?;
        for (i, e) in list.iter().enumerate() {
            let ipath = format!("{path}industryInfo[{i}].");
            text(e, "fois", &ipath, 3)?;
            text(e, "date", &ipath, 10)?;
            text(e, "number", &ipath, 32)?;
            text(e, "industryAttribute", &ipath, 256)?;
        }
    }
    Ok(Some(imc))
}
