//! Marked lines on ATOL (FFD 1.2): each code is first checked by the register itself
//! (`beginMarkingCodeValidation`, its status, then accepted or declined), and the receipt's
//! position carries the code in base64 (`imcParams`), the register's check result, and the
//! permit check's request id and time as the industry requisite (tag 1265).

use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value};
use shared_model::fiscal::{FiscalMark, FiscalReceipt, MarkStatus};
use uuid::Uuid;

use super::Atol;
use crate::fiscal::port::RegisterError;

/// The permit check's document (Order of the Ministry of Industry and Trade no. 477 of
/// 26.03.2022, ФОИВ 030), named in every permit-mode industry requisite.
const FOIV: &str = "030";
const DOC_DATE: &str = "26.03.2022";
const DOC_NUMBER: &str = "477";

fn status(s: MarkStatus) -> &'static str {
    match s {
        MarkStatus::PieceSold => "itemPieceSold",
        MarkStatus::PieceReturned => "itemPieceReturn",
    }
}

fn imc(m: &FiscalMark) -> String {
    base64::engine::general_purpose::STANDARD.encode(m.code.to_gs1())
}

/// Makes a position a marked one: subject, code, planned status and the permit check.
pub(super) fn mark_item(item: &mut Value, m: &FiscalMark) {
    item["paymentObject"] = json!("commodityWithMarking");
    item["imcParams"] = json!({
        "imcType": "auto",
        "imc": imc(m),
        "itemEstimatedStatus": status(m.status),
        "imcModeProcessing": 0,
    });
    if let Some((id, ts)) = m
        .check
        .as_ref()
        .and_then(|c| Some((c.req_id.as_ref()?, c.req_timestamp?)))
    {
        item["industryInfo"] = json!([{
            "fois": FOIV, "date": DOC_DATE, "number": DOC_NUMBER,
            "industryAttribute": format!("UUID={id}&Time={ts}"),
        }]);
    }
}

/// A register error that names `items[i]` says which line of the receipt it means.
pub(super) fn name_the_line(e: RegisterError, r: &FiscalReceipt) -> RegisterError {
    let RegisterError::Refused { code, description } = e else {
        return e;
    };
    let named = r.lines.iter().enumerate().fold(description, |d, (i, l)| {
        d.replace(
            &format!("items[{i}]"),
            &format!("line {} «{}»", i + 1, l.name),
        )
    });
    RegisterError::Refused {
        code,
        description: named,
    }
}

impl Atol {
    /// Has the register check each marked line's code, and puts its answer in the task's
    /// position. A code the register finds wrong is declined and the line named.
    pub(super) fn check_marks(
        &self,
        r: &FiscalReceipt,
        task: &mut Value,
    ) -> Result<(), RegisterError> {
        for (i, l) in r.lines.iter().enumerate() {
            let Some(m) = &l.mark else { continue };
            let begin = json!({"type": "beginMarkingCodeValidation", "params": {
                "imcType": "auto", "imc": imc(m), "itemEstimatedStatus": status(m.status),
                "imcModeProcessing": 0}});
            let named = |e| name_the_line(e, r);
            self.run(Uuid::new_v4(), begin).map_err(named)?;
            let started = Instant::now();
            let result = loop {
                let s = self.run(
                    Uuid::new_v4(),
                    json!({"type": "getMarkingCodeValidationStatus"}),
                )?;
                if s["ready"].as_bool().unwrap_or(false) {
                    break s["onlineValidation"]["itemInfoCheckResult"].clone();
                }
                if started.elapsed() > self.wait {
                    let _ = self.run(Uuid::new_v4(), json!({"type": "declineMarkingCode"}));
                    return Err(RegisterError::InProgress);
                }
                std::thread::sleep(Duration::from_millis(100));
            };
            let passed = result["imcCheckResult"].as_bool().unwrap_or(false);
            let end = if passed {
                "acceptMarkingCode"
            } else {
                "declineMarkingCode"
            };
            self.run(Uuid::new_v4(), json!({"type": end}))?;
            if !passed {
                return Err(RegisterError::Refused {
                    code: 0,
                    description: format!(
                        "line {} «{}»: the register's marking code check failed",
                        i + 1,
                        l.name
                    ),
                });
            }
            task["items"][i]["imcParams"]["itemInfoCheckResult"] = result;
        }
        Ok(())
    }
}
