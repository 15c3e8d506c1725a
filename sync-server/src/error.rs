//! The server's one error type, mapped to HTTP once with the JSON body
//! `{"error": {"code": "...", "message": "..."}}`. 500s are logged and opaque.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed (bad JSON, wrong content type).
    #[error("{0}")]
    BadRequest(String),
    /// The request is well-formed but its content is invalid.
    #[error("{0}")]
    Validation(String),
    /// No valid credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// Valid credentials, not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// Nothing there (or not visible to this user).
    #[error("{0} not found")]
    NotFound(String),
    /// Conflicts with existing data (duplicate, wrong state).
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts; retry after this many seconds.
    #[error("too many attempts; try again in {0} s")]
    TooManyRequests(u64),
    /// A push skipped sequence numbers: the server expects this one next.
    #[error("events are missing before this batch; expected sequence {0}")]
    SequenceGap(u64),
    /// The same sequence or event id with different content: a forked history.
    #[error("{0}")]
    ForkedHistory(String),
    /// A protocol version the server does not speak.
    #[error("protocol version {0} is not supported; update the till")]
    UnsupportedProtocol(u16),
    /// A gift certificate cannot be used as asked (a 422 with the reason's own code).
    #[error("{0}")]
    Certificate(#[from] shared_model::certificates::CertificateRefusal),
    /// A dependency is down.
    #[error("{0} is unavailable")]
    Unavailable(String),
    /// PostgreSQL broke a deadlock or a serialization conflict by aborting this
    /// transaction; nothing was written and the same request may simply be retried.
    #[error("the database was busy; try again")]
    Busy,
    /// A bug or an unexpected failure; details go to the log only.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::Validation(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation"),
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::TooManyRequests(_) => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            ApiError::SequenceGap(_) => (StatusCode::CONFLICT, "sequence_gap"),
            ApiError::ForkedHistory(_) => (StatusCode::CONFLICT, "forked_history"),
            ApiError::UnsupportedProtocol(_) => (StatusCode::BAD_REQUEST, "unsupported_protocol"),
            ApiError::Certificate(r) => (StatusCode::UNPROCESSABLE_ENTITY, r.code()),
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            ApiError::Busy => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }

    /// An internal error from anything displayable.
    pub fn internal(e: impl std::fmt::Display) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let ApiError::Internal(detail) = &self {
            tracing::error!(error = %detail, "internal error");
        }
        let mut body = json!({"error": {"code": code, "message": self.to_string()}});
        if let ApiError::SequenceGap(expected) = self {
            body["error"]["expected_seq"] = json!(expected);
        }
        let mut resp = (status, axum::Json(body)).into_response();
        if let ApiError::TooManyRequests(secs) = self {
            if let Ok(v) = secs.to_string().parse() {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => ApiError::NotFound("record".into()),
            sqlx::Error::Database(db) => match db.code().as_deref() {
                Some("23505") => ApiError::Conflict(match db.constraint() {
                    Some(c) => format!("already exists ({c})"),
                    None => "already exists".into(),
                }),
                Some("23503") => {
                    ApiError::Validation("refers to something that does not exist".into())
                }
                // Other integrity (23…) and data (22…) errors: a value PostgreSQL will not store,
                // e.g. out of range, a NUL character, a failed CHECK.
                Some(c) if c.starts_with("23") || c.starts_with("22") => {
                    ApiError::Validation("a value is invalid or out of its allowed range".into())
                }
                Some("40P01" | "40001") => ApiError::Busy,
                _ => ApiError::Internal(e.to_string()),
            },
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) => {
                ApiError::Unavailable("the database".into())
            }
            _ => ApiError::Internal(e.to_string()),
        }
    }
}

impl From<redis::RedisError> for ApiError {
    fn from(e: redis::RedisError) -> Self {
        tracing::error!(error = %e, "redis");
        ApiError::Unavailable("redis".into())
    }
}

impl From<shared_model::ModelError> for ApiError {
    fn from(e: shared_model::ModelError) -> Self {
        ApiError::Validation(e.to_string())
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::JsonDataError(e) => ApiError::Validation(e.body_text()),
            other => ApiError::BadRequest(other.body_text()),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::BadRequest(r.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        ApiError::NotFound(format!("path ({})", r.body_text()))
    }
}

/// `Json` whose rejections are [`ApiError`]s.
#[derive(Debug, axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// `Query` whose rejections are [`ApiError`]s.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// `Path` whose rejections are [`ApiError`]s.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// Result with [`ApiError`].
pub type ApiResult<T> = Result<T, ApiError>;
