//! The checks the driver documents for each JSON task, made before the device is
//! touched: required fields, enumerations, sums with at most two decimals that add up,
//! payments that cover the total, the 32 KB task limit. Each refusal names the field.
//! This table is the emulator's own reading of the driver's rules, written apart from
//! the till's client so that the client is tested against it rather than against itself.

use serde_json::Value;

/// Driver error codes (libfptr10's `LIBFPTR_ERROR_*`) the emulator answers with.
pub mod code {
    /// A required parameter is missing.
    pub const NO_REQUIRED_PARAM: u32 = 8;
    /// A parameter has a value the driver does not take.
    pub const INVALID_PARAM: u32 = 13;
    /// A sum is out of range or has more than two decimals.
    pub const INVALID_SUM: u32 = 16;
    /// A quantity is out of range.
    pub const INVALID_QUANTITY: u32 = 17;
    /// The task is longer than the driver takes.
    pub const INVALID_COMMAND_LENGTH: u32 = 27;
    /// No paper.
    pub const NO_PAPER: u32 = 44;
    /// The cover is open.
    pub const COVER_OPENED: u32 = 45;
    /// Non-cash payments exceed the total.
    pub const NONCASH_PAYMENTS_TOO_MUCH: u32 = 52;
    /// The device is busy with another task.
    pub const BUSY: u32 = 55;
    /// Payments below the total.
    pub const NOT_FULLY_PAID: u32 = 66;
    /// The shift is over 24 hours old.
    pub const SHIFT_EXPIRED: u32 = 68;
    /// Not allowed with the shift closed.
    pub const DENIED_IN_CLOSED_SHIFT: u32 = 73;
    /// Not enough cash in the drawer.
    pub const NO_CASH: u32 = 80;
    /// Not allowed with the shift open.
    pub const DENIED_IN_OPENED_SHIFT: u32 = 83;
    /// The fiscal storage's term is over.
    pub const FN_EXPIRED: u32 = 120;
    /// The fiscal storage holds documents the ОФД has not confirmed for too long.
    pub const FN_HAS_NOT_SEND_DOCUMENTS: u32 = 139;
    /// Unknown taxation system.
    pub const INVALID_TAXATION_TYPE: u32 = 143;
    /// Unknown (or no longer lawful) tax type.
    pub const INVALID_TAX_TYPE: u32 = 144;
    /// The total is not the sum of the positions.
    pub const INVALID_TOTAL: u32 = 227;
    /// A marked position whose code the register was not asked to check and accept.
    pub const MARKING_CODE_NOT_CHECKED: u32 = 401;
    /// A marking code check was asked for while another one is open.
    pub const MARKING_CHECK_IN_PROGRESS: u32 = 402;
    /// No marking code check is open.
    pub const NO_MARKING_CHECK: u32 = 403;
}

/// Longest task the driver takes, in bytes of JSON.
pub const MAX_TASK_BYTES: usize = 32_768;

/// Why a task was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskError {
    /// Driver error code.
    pub code: u32,
    /// What was wrong, naming the field.
    pub description: String,
}

fn err(code: u32, description: impl Into<String>) -> TaskError {
    TaskError {
        code,
        description: description.into(),
    }
}

/// A receipt position, as far as the device's counters care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// Amount in kopecks.
    pub amount: i64,
    /// Tax type.
    pub tax: String,
    /// A marked unit's code (decoded from `imcParams.imc`).
    pub imc: Option<String>,
}

/// A receipt that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// `sell`, `sellReturn`, `sellCorrection` or `sellReturnCorrection`.
    pub kind: String,
    /// Positions (text lines left out).
    pub positions: Vec<Position>,
    /// Payments by type, kopecks.
    pub payments: Vec<(String, i64)>,
    /// Total, kopecks.
    pub total: i64,
}

/// A task that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Task {
    /// A receipt of any kind.
    Receipt(Receipt),
    /// `openShift`.
    OpenShift,
    /// `closeShift` (the Z report).
    CloseShift,
    /// `reportX`.
    ReportX,
    /// `cashIn` / `cashOut`, kopecks.
    Cash {
        /// Out of the drawer.
        out: bool,
        /// Sum.
        sum: i64,
    },
    /// `getShiftStatus`.
    ShiftStatus,
    /// `getDeviceStatus`.
    DeviceStatus,
    /// `ofdExchangeStatus`.
    OfdStatus,
    /// `getFnInfo`.
    FnInfo,
    /// `getShiftTotals`.
    ShiftTotals,
    /// `beginMarkingCodeValidation`: the code and its planned status.
    BeginMarkCheck {
        /// The code (GS1, separators included).
        imc: String,
        /// `itemPieceSold`, `itemPieceReturn`…
        status: String,
    },
    /// `getMarkingCodeValidationStatus`.
    MarkCheckStatus,
    /// `acceptMarkingCode` (true) or `declineMarkingCode`.
    EndMarkCheck {
        /// Accepted for the next receipt.
        accept: bool,
    },
}

const RECEIPTS: [&str; 4] = [
    "sell",
    "sellReturn",
    "sellCorrection",
    "sellReturnCorrection",
];
const TAXATION: [&str; 5] = ["osn", "usnIncome", "usnIncomeOutcome", "esn", "patent"];
/// Tax types in force from 2026-01-01 (20 % and 20/120 are refused, as updated firmware does).
const TAXES: [&str; 10] = [
    "none", "vat0", "vat5", "vat7", "vat10", "vat22", "vat105", "vat107", "vat110", "vat122",
];
const ADVANCE_TAXES: [&str; 6] = ["none", "vat0", "vat105", "vat107", "vat110", "vat122"];
const UNITS: [&str; 13] = [
    "piece",
    "gram",
    "kilogram",
    "ton",
    "centimeter",
    "decimeter",
    "meter",
    "milliliter",
    "liter",
    "cubicMeter",
    "squareMeter",
    "otherUnits",
    "squareCentimeter",
];
const METHODS: [&str; 7] = [
    "fullPrepayment",
    "prepayment",
    "advance",
    "fullPayment",
    "partialPayment",
    "credit",
    "creditPayment",
];
const OBJECTS: [&str; 8] = [
    "commodity",
    "excise",
    "job",
    "service",
    "payment",
    "another",
    "commodityWithMarking",
    "composite",
];
const PAYMENTS: [&str; 5] = ["cash", "electronically", "prepaid", "credit", "other"];

/// A JSON number as kopecks: at most two decimals, never negative.
pub fn kopecks(v: &Value, field: &str) -> Result<i64, TaskError> {
    scaled(v, 100, field, code::INVALID_SUM)
}

/// A number scaled to an integer (`scale` = 100 for sums, 1 000 000 for quantities),
/// refused when it has more decimals than that or is negative. JSON numbers are what
/// the driver's protocol carries; they are turned into integers here, once.
fn scaled(v: &Value, scale: i64, field: &str, code: u32) -> Result<i64, TaskError> {
    let Some(x) = v.as_f64() else {
        return Err(match v {
            Value::Null => err(code::NO_REQUIRED_PARAM, format!("{field} is required")),
            _ => err(code::INVALID_PARAM, format!("{field} must be a number")),
        });
    };
    let s = x * scale as f64;
    let r = s.round();
    if !(0.0..9.0e15).contains(&r) || (s - r).abs() > 1e-6 * scale as f64 / 100.0 {
        return Err(err(
            code,
            format!("{field} = {x} is out of range or too precise"),
        ));
    }
    Ok(r as i64)
}

fn text<'a>(t: &'a Value, field: &str, path: &str, max: usize) -> Result<&'a str, TaskError> {
    match &t[field] {
        Value::Null => Err(err(
            code::NO_REQUIRED_PARAM,
            format!("{path}{field} is required"),
        )),
        Value::String(s) if s.trim().is_empty() => Err(err(
            code::NO_REQUIRED_PARAM,
            format!("{path}{field} is empty"),
        )),
        Value::String(s) if s.chars().count() > max => Err(err(
            code::INVALID_PARAM,
            format!("{path}{field} is longer than {max} characters"),
        )),
        Value::String(s) => Ok(s),
        _ => Err(err(
            code::INVALID_PARAM,
            format!("{path}{field} must be a string"),
        )),
    }
}

fn one_of<'a>(
    t: &'a Value,
    field: &str,
    path: &str,
    allowed: &[&str],
    bad: u32,
) -> Result<&'a str, TaskError> {
    let s = text(t, field, path, 64)?;
    if allowed.contains(&s) {
        Ok(s)
    } else {
        Err(err(
            bad,
            format!("{path}{field} = {s:?} is not one of {allowed:?}"),
        ))
    }
}

fn operator(t: &Value) -> Result<(), TaskError> {
    let op = &t["operator"];
    if op.is_null() {
        return Err(err(code::NO_REQUIRED_PARAM, "operator is required"));
    }
    text(op, "name", "operator.", 64)?;
    if let Some(v) = op.get("vatin") {
        let ok = v
            .as_str()
            .is_some_and(|s| matches!(s.len(), 10 | 12) && s.bytes().all(|b| b.is_ascii_digit()));
        if !ok {
            return Err(err(
                code::INVALID_PARAM,
                "operator.vatin must be 10 or 12 digits",
            ));
        }
    }
    Ok(())
}

/// Checks one task and says what it is.
pub fn check(t: &Value) -> Result<Task, TaskError> {
    if serde_json::to_vec(t).map_or(usize::MAX, |b| b.len()) > MAX_TASK_BYTES {
        return Err(err(
            code::INVALID_COMMAND_LENGTH,
            format!("the task is longer than {MAX_TASK_BYTES} bytes"),
        ));
    }
    let kind = text(t, "type", "", 64)?;
    match kind {
        k if RECEIPTS.contains(&k) => receipt(t, k).map(Task::Receipt),
        "openShift" => operator(t).map(|()| Task::OpenShift),
        "closeShift" => operator(t).map(|()| Task::CloseShift),
        "reportX" => Ok(Task::ReportX),
        "cashIn" | "cashOut" => {
            let sum = kopecks(&t["cashSum"], "cashSum")?;
            if sum == 0 {
                return Err(err(code::INVALID_SUM, "cashSum must be above zero"));
            }
            Ok(Task::Cash {
                out: kind == "cashOut",
                sum,
            })
        }
        "getShiftStatus" => Ok(Task::ShiftStatus),
        "getDeviceStatus" => Ok(Task::DeviceStatus),
        "ofdExchangeStatus" => Ok(Task::OfdStatus),
        "getFnInfo" => Ok(Task::FnInfo),
        "getShiftTotals" => Ok(Task::ShiftTotals),
        "beginMarkingCodeValidation" => marks::begin(t),
        "getMarkingCodeValidationStatus" => Ok(Task::MarkCheckStatus),
        "acceptMarkingCode" => Ok(Task::EndMarkCheck { accept: true }),
        "declineMarkingCode" => Ok(Task::EndMarkCheck { accept: false }),
        other => Err(err(
            code::INVALID_PARAM,
            format!("type = {other:?} is not a task"),
        )),
    }
}

fn receipt(t: &Value, kind: &str) -> Result<Receipt, TaskError> {
    one_of(
        t,
        "taxationType",
        "",
        &TAXATION,
        code::INVALID_TAXATION_TYPE,
    )?;
    operator(t)?;
    if kind.ends_with("Correction") {
        let types = ["self", "instruction"];
        one_of(t, "correctionType", "", &types, code::INVALID_PARAM)?;
        let date = text(t, "correctionBaseDate", "", 10)?;
        if chrono::NaiveDate::parse_from_str(date, "%Y.%m.%d").is_err() {
            return Err(err(
                code::INVALID_PARAM,
                "correctionBaseDate must be YYYY.MM.DD",
            ));
        }
        text(t, "correctionBaseNumber", "", 32)?;
    }
    if let Some(c) = t.get("clientInfo") {
        let contact = text(c, "emailOrPhone", "clientInfo.", 64)?;
        let phone = contact.starts_with('+') && contact[1..].bytes().all(|b| b.is_ascii_digit());
        if !phone && !contact.contains('@') {
            return Err(err(
                code::INVALID_PARAM,
                "clientInfo.emailOrPhone is neither",
            ));
        }
    }
    let Some(items) = t["items"].as_array().filter(|i| !i.is_empty()) else {
        return Err(err(code::NO_REQUIRED_PARAM, "items are required"));
    };
    let mut positions = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("items[{i}].");
        match text(item, "type", &path, 32)? {
            "text" => {
                text(item, "text", &path, 256)?;
            }
            "position" => positions.push(position(item, &path)?),
            other => {
                return Err(err(code::INVALID_PARAM, format!("{path}type = {other:?}")));
            }
        }
    }
    if positions.is_empty() {
        return Err(err(
            code::NO_REQUIRED_PARAM,
            "a receipt needs at least one position",
        ));
    }
    let Some(pays) = t["payments"].as_array().filter(|p| !p.is_empty()) else {
        return Err(err(code::NO_REQUIRED_PARAM, "payments are required"));
    };
    let mut payments = Vec::new();
    for (i, p) in pays.iter().enumerate() {
        let path = format!("payments[{i}].");
        let kind = one_of(p, "type", &path, &PAYMENTS, code::INVALID_PARAM)?;
        let sum = kopecks(&p["sum"], &format!("{path}sum"))?;
        payments.push((kind.to_owned(), sum));
    }
    let sum: i64 = positions.iter().map(|p| p.amount).sum();
    let total = match t.get("total") {
        Some(v) => kopecks(v, "total")?,
        None => sum,
    };
    if total != sum {
        return Err(err(
            code::INVALID_TOTAL,
            format!("total {total} is not the positions' sum {sum} (kopecks)"),
        ));
    }
    let paid: i64 = payments.iter().map(|p| p.1).sum();
    let non_cash: i64 = payments.iter().filter(|p| p.0 != "cash").map(|p| p.1).sum();
    if paid < total {
        return Err(err(
            code::NOT_FULLY_PAID,
            format!("payments {paid} below total {total}"),
        ));
    }
    if non_cash > total {
        return Err(err(
            code::NONCASH_PAYMENTS_TOO_MUCH,
            "non-cash payments exceed the total",
        ));
    }
    if kind.starts_with("sellReturn") && paid != total {
        return Err(err(
            code::INVALID_SUM,
            "a refund gives no change: payments must equal the total",
        ));
    }
    Ok(Receipt {
        kind: kind.to_owned(),
        positions,
        payments,
        total,
    })
}

fn position(item: &Value, path: &str) -> Result<Position, TaskError> {
    text(item, "name", path, 128)?;
    let price = kopecks(&item["price"], &format!("{path}price"))?;
    let qty = scaled(
        &item["quantity"],
        1_000_000,
        &format!("{path}quantity"),
        code::INVALID_QUANTITY,
    )?;
    if qty == 0 {
        return Err(err(
            code::INVALID_QUANTITY,
            format!("{path}quantity must be above zero"),
        ));
    }
    let amount = kopecks(&item["amount"], &format!("{path}amount"))?;
    // price × quantity, half up to the kopeck: a discount may lower it, nothing raises it.
    let full = (i128::from(price) * i128::from(qty) + 500_000) / 1_000_000;
    if i128::from(amount) > full {
        return Err(err(
            code::INVALID_SUM,
            format!("{path}amount {amount} is above price × quantity {full} (kopecks)"),
        ));
    }
    one_of(item, "measurementUnit", path, &UNITS, code::INVALID_PARAM)?;
    let method = one_of(item, "paymentMethod", path, &METHODS, code::INVALID_PARAM)?;
    let object = one_of(item, "paymentObject", path, &OBJECTS, code::INVALID_PARAM)?;
    let imc = marks::position_mark(item, path, object, qty)?;
    let tax_path = format!("{path}tax.");
    let tax = one_of(
        &item["tax"],
        "type",
        &tax_path,
        &TAXES,
        code::INVALID_TAX_TYPE,
    )?;
    let advance = matches!(method, "advance" | "prepayment" | "fullPrepayment");
    if advance != ADVANCE_TAXES.contains(&tax) && !matches!(tax, "none" | "vat0") {
        return Err(err(
            code::INVALID_TAX_TYPE,
            format!("{tax_path}type = {tax:?} does not go with paymentMethod {method:?}"),
        ));
    }
    Ok(Position {
        amount,
        tax: tax.to_owned(),
        imc,
    })
}

mod marks;
#[cfg(test)]
mod tests;
