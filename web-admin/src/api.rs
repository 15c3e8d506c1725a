//! Talking to the server: same-origin `fetch` with the httpOnly session cookies the login
//! set. An expired access token is refreshed once, silently; when the refresh is refused
//! too the app is told (it shows the login over the page, so nothing typed is lost).

use std::cell::RefCell;

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Where the API lives (the admin is served by the same server).
pub const BASE: &str = "/api/v1";

/// What went wrong with a call, as the server said it (`{"error": {"code", "message"}}`).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status (0: the network failed).
    pub status: u16,
    /// Stable code (`validation`, `conflict`, `forbidden`, ...).
    pub code: String,
    /// The server's words.
    pub message: String,
}

impl ApiError {
    fn network(e: impl std::fmt::Display) -> ApiError {
        ApiError {
            status: 0,
            code: "network".into(),
            message: e.to_string(),
        }
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorInner,
}

#[derive(Deserialize)]
struct ErrorInner {
    code: String,
    message: String,
}

pub use shared_model::api::Page;

thread_local! {
    static ON_EXPIRED: RefCell<Option<yew::Callback<()>>> = const { RefCell::new(None) };
}

/// Registers what to do when the session is gone for good (the app shows the login).
pub fn on_session_expired(cb: yew::Callback<()>) {
    ON_EXPIRED.with(|c| *c.borrow_mut() = Some(cb));
}

fn url(path: &str) -> String {
    format!("{BASE}{path}")
}

async fn read_error(resp: Response) -> ApiError {
    let status = resp.status();
    match resp.json::<ErrorBody>().await {
        Ok(b) => ApiError {
            status,
            code: b.error.code,
            message: b.error.message,
        },
        Err(_) => ApiError {
            status,
            code: "http".into(),
            message: format!("HTTP {status}"),
        },
    }
}

/// Sends a request built by `make`, refreshing the session once on a 401.
async fn send(make: impl Fn() -> Result<Request, ApiError>) -> Result<Response, ApiError> {
    let resp = make()?.send().await.map_err(ApiError::network)?;
    if resp.status() != 401 {
        return Ok(resp);
    }
    let refreshed = Request::post(&url("/auth/refresh"))
        .send()
        .await
        .map(|r| r.ok())
        .unwrap_or(false);
    if refreshed {
        let again = make()?.send().await.map_err(ApiError::network)?;
        if again.status() != 401 {
            return Ok(again);
        }
    }
    ON_EXPIRED.with(|c| {
        if let Some(cb) = c.borrow().as_ref() {
            cb.emit(());
        }
    });
    Err(read_error(resp).await)
}

async fn json_of<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    if !resp.ok() {
        return Err(read_error(resp).await);
    }
    resp.json::<T>().await.map_err(ApiError::network)
}

fn with_json<B: Serialize>(b: RequestBuilder, body: &B) -> Result<Request, ApiError> {
    b.json(body).map_err(ApiError::network)
}

/// `GET path` as JSON.
pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    let u = url(path);
    json_of(send(|| Request::get(&u).build().map_err(ApiError::network)).await?).await
}

/// `POST path` with a JSON body.
pub async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    let u = url(path);
    json_of(send(|| with_json(Request::post(&u), body)).await?).await
}

/// `PUT path` with a JSON body.
pub async fn put<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    let u = url(path);
    json_of(send(|| with_json(Request::put(&u), body)).await?).await
}

/// `PATCH path` with a JSON body.
pub async fn patch<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    let u = url(path);
    json_of(send(|| with_json(Request::patch(&u), body)).await?).await
}

/// `DELETE path`, ignoring any body.
pub async fn delete(path: &str) -> Result<(), ApiError> {
    let u = url(path);
    let resp = send(|| Request::delete(&u).build().map_err(ApiError::network)).await?;
    if resp.ok() {
        Ok(())
    } else {
        Err(read_error(resp).await)
    }
}

/// `POST path` with a text body (CSV), answered with JSON.
pub async fn post_text<T: DeserializeOwned>(
    path: &str,
    content_type: &str,
    body: &str,
) -> Result<T, ApiError> {
    let u = url(path);
    let resp = send(|| {
        Request::post(&u)
            .header("content-type", content_type)
            .body(body.to_owned())
            .map_err(ApiError::network)
    })
    .await?;
    json_of(resp).await
}

/// Percent-encodes a query value.
pub fn enc(s: &str) -> String {
    js_sys::encode_uri_component(s).into()
}

/// `?a=1&b=2` from the pairs whose value is not empty.
pub fn query(pairs: &[(&str, String)]) -> String {
    let q: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect();
    if q.is_empty() {
        String::new()
    } else {
        format!("?{}", q.join("&"))
    }
}

/// Signs in (no refresh dance: a 401 here means a wrong password).
pub async fn login(login: &str, password: &str) -> Result<crate::types::LoginAnswer, ApiError> {
    let body = serde_json::json!({"login": login, "password": password});
    let req = with_json(Request::post(&url("/auth/login")), &body)?;
    json_of(req.send().await.map_err(ApiError::network)?).await
}
