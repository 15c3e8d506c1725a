//! The permit check port: who says whether a marked unit may be sold. Two routes, tried in
//! order: Честный ЗНАК online through the certified module (`codes/check`), then the
//! shop's local module (ЛМ ЧЗ, `127.0.0.1:5995`), which answers only when its own status is
//! `ready`. Each call is time-boxed: a customer is waiting.

use std::time::Duration;

use serde_json::{json, Value};
use shared_model::marking::permit::{CheckSource, Refusal, Verdict};
use shared_model::marking::MarkingCode;

/// Why a checker gave no verdict.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckerError {
    /// No answer in time, or no connection.
    #[error("no answer: {0}")]
    NoAnswer(String),
    /// The local module is not ready (initialising, syncing, stale).
    #[error("the local module is not ready: {0}")]
    NotReady(String),
    /// An answer that does not say anything about the code.
    #[error("unreadable answer: {0}")]
    Unreadable(String),
}

/// Something that answers whether a unit may be sold.
pub trait MarkChecker {
    /// The verdict on one code.
    fn check(&self, code: &MarkingCode) -> Result<Verdict, CheckerError>;
}

fn client(timeout: Duration) -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(timeout)
        .build()
        .unwrap_or_else(|_| reqwest::blocking::Client::new())
}

fn post(
    http: &reqwest::blocking::Client,
    url: String,
    body: &Value,
) -> Result<Value, CheckerError> {
    let r = http
        .post(url)
        .json(body)
        .send()
        .map_err(|e| CheckerError::NoAnswer(e.to_string()))?;
    if !r.status().is_success() {
        return Err(CheckerError::NoAnswer(format!("HTTP {}", r.status())));
    }
    r.json()
        .map_err(|e| CheckerError::Unreadable(e.to_string()))
}

/// Reads a `codes/check`-style answer (both routes answer alike) for `code`.
pub fn verdict_of(
    body: &Value,
    code: &MarkingCode,
    source: CheckSource,
    now_ms: i64,
) -> Result<Verdict, CheckerError> {
    if body["code"].as_i64().unwrap_or(0) != 0 {
        return Err(CheckerError::Unreadable(
            body["description"].as_str().unwrap_or("error").to_owned(),
        ));
    }
    let identity = code.identity();
    let entry = body["codes"]
        .as_array()
        .and_then(|list| {
            list.iter().find(|e| {
                e["cis"]
                    .as_str()
                    .and_then(|c| MarkingCode::parse(c).ok())
                    .is_some_and(|c| c.identity() == identity)
            })
        })
        .ok_or_else(|| CheckerError::Unreadable("the answer does not name the code".into()))?;
    let flag = |k: &str, default: bool| entry[k].as_bool().unwrap_or(default);
    let expired = entry["expireDate"]
        .as_str()
        .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
        .is_some_and(|d| d.timestamp_millis() < now_ms);
    let refusal = if !flag("found", true) || !flag("valid", true) || !flag("verified", true) {
        Some(Refusal::NotFound)
    } else if flag("isBlocked", false) {
        Some(Refusal::Blocked)
    } else if flag("sold", false) {
        Some(Refusal::AlreadySold)
    } else if !flag("utilised", true) || !flag("realizable", true) {
        Some(Refusal::Withdrawn)
    } else if expired {
        Some(Refusal::Expired)
    } else {
        None
    };
    let req_id = body["reqId"]
        .as_str()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| CheckerError::Unreadable("no reqId".into()))?;
    Ok(Verdict {
        refusal,
        req_id: req_id.to_owned(),
        req_timestamp: body["reqTimestamp"].as_i64().unwrap_or(now_ms),
        source,
    })
}

/// Честный ЗНАК online, through the certified module at `base`.
pub struct Online {
    base: String,
    http: reqwest::blocking::Client,
}

impl Online {
    /// A client that gives up after `timeout`.
    pub fn new(base: &str, timeout: Duration) -> Online {
        Online {
            base: base.trim_end_matches('/').to_owned(),
            http: client(timeout),
        }
    }
}

impl MarkChecker for Online {
    fn check(&self, code: &MarkingCode) -> Result<Verdict, CheckerError> {
        let url = format!("{}/api/v4/true-api/codes/check", self.base);
        let body = post(&self.http, url, &json!({"codes": [code.to_gs1()]}))?;
        verdict_of(&body, code, CheckSource::Online, now_ms())
    }
}

/// The local module (ЛМ ЧЗ) at `base`.
pub struct Local {
    base: String,
    http: reqwest::blocking::Client,
}

impl Local {
    /// A client that gives up after `timeout`.
    pub fn new(base: &str, timeout: Duration) -> Local {
        Local {
            base: base.trim_end_matches('/').to_owned(),
            http: client(timeout),
        }
    }
}

impl MarkChecker for Local {
    fn check(&self, code: &MarkingCode) -> Result<Verdict, CheckerError> {
        let status: Value = self
            .http
            .get(format!("{}/api/v1/status", self.base))
            .send()
            .and_then(|r| r.error_for_status())
            .map_err(|e| CheckerError::NoAnswer(e.to_string()))?
            .json()
            .map_err(|e| CheckerError::Unreadable(e.to_string()))?;
        let st = status["status"].as_str().unwrap_or_default();
        if st != "ready" {
            return Err(CheckerError::NotReady(st.to_owned()));
        }
        let url = format!("{}/api/v1/cis/outCheck", self.base);
        let body = post(&self.http, url, &json!({"cis_list": [code.to_gs1()]}))?;
        verdict_of(&body, code, CheckSource::Local, now_ms())
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The first verdict of `checkers`, in order, with why each before it gave none.
pub fn first_verdict(
    checkers: &[Box<dyn MarkChecker>],
    code: &MarkingCode,
) -> (Option<Verdict>, Vec<CheckerError>) {
    let mut errors = Vec::new();
    for c in checkers {
        match c.check(code) {
            Ok(v) => return (Some(v), errors),
            Err(e) => errors.push(e),
        }
    }
    (None, errors)
}
