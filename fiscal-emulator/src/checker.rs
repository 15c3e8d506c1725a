//! A marking code checker for tests and the demo, speaking both routes a till uses: the
//! online check (Честный ЗНАК's `codes/check`, as the certified module relays it) and the
//! shop's local module (ЛМ ЧЗ: `/api/v1/status`, `/api/v1/cis/outCheck`). Verdicts are
//! scripted per code (by its beginning); `/control/*` also makes it slow, down, or a local
//! module that is not `ready`, and lists what it was asked.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

/// Faults a test switches on.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CheckerFaults {
    /// Every check waits this long before it answers.
    pub slow_ms: u64,
    /// Every check is answered 503.
    pub down: bool,
    /// The local module's own status (`ready` unless set: `initialization`, `sync`…).
    pub status: Option<String>,
}

/// The checker's state.
#[derive(Debug, Default)]
pub struct Checker {
    /// Verdict by the beginning of a code: `ok`, `not_found`, `already_sold`, `withdrawn`,
    /// `expired`, `blocked`. Codes matching none may be sold.
    pub verdicts: BTreeMap<String, String>,
    /// Faults.
    pub faults: CheckerFaults,
    /// Every code asked about, in order.
    pub asked: Vec<String>,
    /// Checks answered so far (request ids are numbered by it).
    pub answered: u64,
}

/// Shared handle.
pub type SharedChecker = Arc<Mutex<Checker>>;

fn lock(s: &SharedChecker) -> MutexGuard<'_, Checker> {
    s.lock().unwrap_or_else(|e| e.into_inner())
}

impl Checker {
    fn verdict(&self, code: &str) -> &str {
        self.verdicts
            .iter()
            .filter(|(k, _)| code.starts_with(k.as_str()))
            .max_by_key(|(k, _)| k.len())
            .map_or("ok", |(_, v)| v.as_str())
    }

    /// One code's entry in the answer, as Честный ЗНАК words it.
    fn entry(&self, code: &str) -> Value {
        let v = self.verdict(code);
        let past = "2020-01-01T00:00:00.000Z";
        let future = "2099-12-31T00:00:00.000Z";
        json!({
            "cis": code,
            "valid": true,
            "verified": true,
            "found": v != "not_found",
            "utilised": v != "withdrawn",
            "realizable": !matches!(v, "withdrawn" | "already_sold"),
            "sold": v == "already_sold",
            "isBlocked": v == "blocked",
            "expireDate": if v == "expired" { past } else { future },
            "errorCode": 0,
        })
    }
}

#[derive(Deserialize)]
struct OnlineBody {
    codes: Vec<String>,
}

#[derive(Deserialize)]
struct LocalBody {
    cis_list: Vec<String>,
}

async fn answer(s: SharedChecker, codes: Vec<String>) -> Response {
    let (slow, down) = {
        let c = lock(&s);
        (c.faults.slow_ms, c.faults.down)
    };
    if slow > 0 {
        tokio::time::sleep(Duration::from_millis(slow)).await;
    }
    if down {
        return (StatusCode::SERVICE_UNAVAILABLE, "unavailable").into_response();
    }
    let mut c = lock(&s);
    c.asked.extend(codes.iter().cloned());
    c.answered += 1;
    let body = json!({
        "code": 0,
        "description": "ok",
        "codes": codes.iter().map(|code| c.entry(code)).collect::<Vec<_>>(),
        "reqId": format!("00000000-0000-4000-8000-{:012}", c.answered),
        "reqTimestamp": chrono::Utc::now().timestamp_millis(),
    });
    Json(body).into_response()
}

async fn online(State(s): State<SharedChecker>, Json(b): Json<OnlineBody>) -> Response {
    answer(s, b.codes).await
}

async fn local(State(s): State<SharedChecker>, Json(b): Json<LocalBody>) -> Response {
    answer(s, b.cis_list).await
}

async fn status(State(s): State<SharedChecker>) -> Response {
    let c = lock(&s);
    if c.faults.down {
        return (StatusCode::SERVICE_UNAVAILABLE, "unavailable").into_response();
    }
    let st = c.faults.status.clone().unwrap_or_else(|| "ready".into());
    Json(json!({"status": st, "lastSync": chrono::Utc::now().timestamp_millis()})).into_response()
}

async fn set_verdicts(
    State(s): State<SharedChecker>,
    Json(v): Json<BTreeMap<String, String>>,
) -> StatusCode {
    lock(&s).verdicts.extend(v);
    StatusCode::NO_CONTENT
}

async fn set_faults(State(s): State<SharedChecker>, Json(f): Json<CheckerFaults>) -> StatusCode {
    lock(&s).faults = f;
    StatusCode::NO_CONTENT
}

async fn asked(State(s): State<SharedChecker>) -> Json<Vec<String>> {
    Json(lock(&s).asked.clone())
}

/// The checker's routes.
pub fn router(s: SharedChecker) -> Router {
    Router::new()
        .route("/api/v4/true-api/codes/check", post(online))
        .route("/api/v1/status", get(status))
        .route("/api/v1/cis/outCheck", post(local))
        .route("/control/verdicts", post(set_verdicts))
        .route("/control/faults", post(set_faults))
        .route("/control/asked", get(asked))
        .with_state(s)
}
