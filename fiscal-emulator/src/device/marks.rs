//! The register's own marking code check (FFD 1.2): one code at a time is checked
//! (`beginMarkingCodeValidation`, then its status), then accepted for the next receipt or
//! declined. A receipt may carry only accepted codes, each once; the check fails for codes
//! a test named in `bad_marks`.

use serde_json::{json, Value};

use super::Device;
use crate::rules::{code, Receipt, TaskError};

fn refuse(code: u32, description: String) -> TaskError {
    TaskError { code, description }
}

impl Device {
    pub(super) fn begin_mark_check(
        &mut self,
        imc: String,
        _status: &str,
    ) -> Result<Value, TaskError> {
        if self.mark_check.is_some() {
            return Err(refuse(
                code::MARKING_CHECK_IN_PROGRESS,
                "another marking code check is open".into(),
            ));
        }
        let ok = !self
            .faults
            .bad_marks
            .iter()
            .any(|b| imc.starts_with(b.as_str()));
        self.mark_check = Some((imc, ok));
        Ok(json!({}))
    }

    pub(super) fn mark_check_status(&mut self) -> Result<Value, TaskError> {
        let Some((_, ok)) = &self.mark_check else {
            return Err(refuse(
                code::NO_MARKING_CHECK,
                "no marking code check is open".into(),
            ));
        };
        Ok(
            json!({"ready": true, "sentImcRequest": true, "onlineValidation": {
            "itemInfoCheckResult": {
                "imcCheckFlag": true, "imcCheckResult": ok, "imcStatusInfo": true,
                "imcEstimatedStatusCorrect": ok, "ecrStandAloneFlag": false},
            "markOperatorItemStatus": if *ok { "itemEstimatedStatusCorrect" } else { "itemEstimatedStatusIncorrect" },
            "markOperatorResponseResult": "correct"}}),
        )
    }

    pub(super) fn end_mark_check(&mut self, accept: bool) -> Result<Value, TaskError> {
        let (imc, _) = self.mark_check.take().ok_or_else(|| {
            refuse(
                code::NO_MARKING_CHECK,
                "no marking code check is open".into(),
            )
        })?;
        if accept && !self.accepted_marks.contains(&imc) {
            self.accepted_marks.push(imc);
        }
        Ok(json!({}))
    }

    /// The receipt's marked positions, each checked, accepted and passed; used up by it.
    pub(super) fn take_marks(&mut self, r: &Receipt) -> Result<(), TaskError> {
        for (i, p) in r.positions.iter().enumerate() {
            let Some(imc) = &p.imc else { continue };
            if !self.accepted_marks.contains(imc) {
                return Err(refuse(
                    code::MARKING_CODE_NOT_CHECKED,
                    format!("items[{i}]: the marking code was not checked and accepted"),
                ));
            }
            if self
                .faults
                .bad_marks
                .iter()
                .any(|b| imc.starts_with(b.as_str()))
            {
                return Err(refuse(
                    code::MARKING_CODE_NOT_CHECKED,
                    format!("items[{i}]: the marking code did not pass the register's check"),
                ));
            }
        }
        let used: Vec<&String> = r.positions.iter().filter_map(|p| p.imc.as_ref()).collect();
        self.accepted_marks.retain(|m| !used.contains(&m));
        Ok(())
    }
}
