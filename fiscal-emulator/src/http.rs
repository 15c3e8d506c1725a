//! The web server's HTTP face: `POST /api/v2/requests` queues tasks under a uuid (a
//! uuid already known is refused with 409, so a retry never prints twice), `GET
//! /api/v2/requests/{uuid}` answers each task's state and result; `/control/*` is the
//! tests' own door (faults, clock, state).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::device::{Device, Faults, Request};
use crate::rules;

/// The register and where it is kept.
pub struct Emulator {
    /// State.
    pub device: Device,
    /// State file.
    pub path: PathBuf,
}

/// Shared handle.
pub type Shared = Arc<Mutex<Emulator>>;

fn lock(s: &Shared) -> MutexGuard<'_, Emulator> {
    s.lock().unwrap_or_else(|e| e.into_inner())
}

/// The answer when the state file cannot be written (the disk is full, say).
fn unsaved(e: std::io::Error) -> Response {
    fail(
        StatusCode::INTERNAL_SERVER_ERROR,
        "state",
        format!("state file: {e}"),
    )
}

/// No content, or the state file's error.
fn saved(r: std::io::Result<()>) -> Response {
    r.map_or_else(unsaved, |()| StatusCode::NO_CONTENT.into_response())
}

fn fail(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    let body = json!({"error": {"code": code, "message": message.into()}});
    (status, Json(body)).into_response()
}

impl Emulator {
    fn save(&self) -> std::io::Result<()> {
        self.device.save(&self.path)
    }

    /// Runs the tasks of a request not yet run; after an error the rest are canceled.
    fn execute(&mut self, uuid: &str) {
        let Some(req) = self.device.requests.get(uuid).cloned() else {
            return;
        };
        let mut results = req.results.clone();
        let mut failed = results.iter().any(|r| r["status"] == "error");
        for task in req.tasks.iter().skip(results.len()) {
            let answer = if failed {
                json!({"status": "canceled", "errorCode": 0, "errorDescription": ""})
            } else {
                match rules::check(task).and_then(|t| self.device.run(t)) {
                    Ok(result) => json!({"status": "ready", "errorCode": 0,
                        "errorDescription": "Ошибок нет", "result": result}),
                    Err(e) => {
                        failed = true;
                        json!({"status": "error", "errorCode": e.code,
                            "errorDescription": e.description})
                    }
                }
            };
            results.push(answer);
        }
        if let Some(r) = self.device.requests.get_mut(uuid) {
            r.results = results;
        }
    }
}

/// The body of a request.
#[derive(Deserialize)]
struct NewRequest {
    uuid: String,
    request: Value,
}

async fn post_request(State(s): State<Shared>, body: Option<Json<NewRequest>>) -> Response {
    let Some(Json(body)) = body else {
        return fail(
            StatusCode::BAD_REQUEST,
            "format",
            "expected {\"uuid\": …, \"request\": [tasks]}",
        );
    };
    let tasks = match body.request {
        Value::Array(t) if !t.is_empty() => t,
        Value::Object(_) => vec![body.request],
        _ => return fail(StatusCode::BAD_REQUEST, "format", "request must hold tasks"),
    };
    if uuid::Uuid::parse_str(&body.uuid).is_err() {
        return fail(StatusCode::BAD_REQUEST, "format", "uuid is not a UUID");
    }
    let slow = {
        let mut e = lock(&s);
        if e.device.faults.crash.as_deref() == Some("before") && Faults::aims_at(&tasks) {
            std::process::exit(3);
        }
        if e.device.requests.contains_key(&body.uuid) {
            return fail(
                StatusCode::CONFLICT,
                "exists",
                "a request with this uuid exists",
            );
        }
        let request = Request {
            tasks,
            results: Vec::new(),
        };
        e.device.requests.insert(body.uuid.clone(), request);
        if let Err(err) = e.save() {
            return unsaved(err);
        }
        e.device.faults.slow_ms
    };
    let run = move |s: Shared, uuid: String| {
        let mut e = lock(&s);
        e.execute(&uuid);
        let aimed = e
            .device
            .requests
            .get(&uuid)
            .is_some_and(|r| Faults::aims_at(&r.tasks));
        let crash = aimed && e.device.faults.crash.as_deref() == Some("after");
        if crash {
            e.device.faults.crash = None;
        }
        let saved = e.save();
        if crash {
            std::process::exit(3);
        }
        saved
    };
    if slow > 0 {
        let (s, uuid) = (s.clone(), body.uuid.clone());
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(slow)).await;
            let _ = run(s, uuid);
        });
    } else if let Err(err) = run(s, body.uuid) {
        return unsaved(err);
    }
    StatusCode::CREATED.into_response()
}

async fn get_request(State(s): State<Shared>, Path(uuid): Path<String>) -> Response {
    let (answer, lose) = {
        let mut e = lock(&s);
        let Some(req) = e.device.requests.get(&uuid) else {
            return fail(
                StatusCode::NOT_FOUND,
                "not_found",
                "no request with this uuid",
            );
        };
        let done = req.results.len() == req.tasks.len();
        let results: Vec<Value> = (0..req.tasks.len())
            .map(|i| {
                req.results.get(i).cloned().unwrap_or_else(
                    || json!({"status": if i == req.results.len() { "inProgress" } else { "wait" }}),
                )
            })
            .collect();
        let lose = done && e.device.faults.lose_answers > 0 && Faults::aims_at(&req.tasks);
        if lose {
            e.device.faults.lose_answers -= 1;
            if let Err(err) = e.save() {
                return unsaved(err);
            }
        }
        (json!({"results": results}), lose)
    };
    if lose {
        // The answer never arrives: the client's timeout is all it gets.
        std::future::pending::<()>().await;
    }
    Json(answer).into_response()
}

async fn set_faults(State(s): State<Shared>, Json(f): Json<Faults>) -> Response {
    let mut e = lock(&s);
    if !f.ofd_offline {
        e.device.unsent.clear(); // back online: the backlog goes out
    }
    e.device.faults = f;
    saved(e.save())
}

/// A clock change.
#[derive(Deserialize)]
struct Clock {
    advance_secs: i64,
}

async fn set_clock(State(s): State<Shared>, Json(c): Json<Clock>) -> Response {
    let mut e = lock(&s);
    e.device.clock_offset_secs += c.advance_secs;
    saved(e.save())
}

/// A fiscal storage change.
#[derive(Deserialize)]
struct FnTerm {
    valid_until: chrono::NaiveDate,
}

async fn set_fn(State(s): State<Shared>, Json(f): Json<FnTerm>) -> Response {
    let mut e = lock(&s);
    e.device.fn_valid_until = f.valid_until;
    saved(e.save())
}

async fn state(State(s): State<Shared>) -> Response {
    let e = lock(&s);
    Json(json!(e.device)).into_response()
}

/// Every route.
pub fn router(s: Shared) -> Router {
    Router::new()
        .route("/api/v2/requests", post(post_request))
        .route("/api/v2/requests/{uuid}", get(get_request))
        .route("/control/faults", post(set_faults))
        .route("/control/clock", post(set_clock))
        .route("/control/fn", post(set_fn))
        .route("/control/state", get(state))
        .with_state(s)
}
