//! Operations endpoints and layers: `/health`, Prometheus `/metrics`, the OpenAPI
//! document, request ids and JSON request logs.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use serde_json::{json, Value};

use crate::state::AppState;

/// The ops routes; `doc` is the generated OpenAPI document.
pub fn router(doc: Value) -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics_text))
        .route(
            "/api/v1/openapi.json",
            get(move || async move { Json(doc.clone()) }),
        )
}

/// Middleware every request passes: a metrics sample and a structured log line.
pub async fn track(req: Request, next: Next) -> Response {
    use tracing::Instrument;
    let start = Instant::now();
    let method = req.method().to_string();
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let ip = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default();
    // The span carries the seed's log fields; authentication fills in user_id.
    let span = tracing::info_span!("request", service = "sync-server", %method, %path, %ip, user_id = tracing::field::Empty);
    let resp = next.run(req).instrument(span.clone()).await;
    let status = resp.status().as_u16();
    let secs = start.elapsed().as_secs_f64();
    metrics::counter!("http_requests_total", "method" => method.clone(), "path" => path.clone(), "status" => status.to_string()).increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method.clone(), "path" => path.clone()).record(secs);
    span.in_scope(|| {
        tracing::info!(
            service = "sync-server",
            method,
            path,
            ip,
            status,
            duration_ms = secs * 1e3,
            "request"
        )
    });
    resp
}

fn prometheus() -> &'static Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE.get_or_init(|| PrometheusBuilder::new().install_recorder().ok())
}

/// Installs the metrics recorder (once per process).
pub fn init_metrics() {
    let _ = prometheus();
}

async fn metrics_text(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    use secrecy::ExposeSecret;
    let token = state
        .config
        .metrics_token
        .as_ref()
        .map(|t| t.expose_secret());
    let Some(token) = token.filter(|t| !t.trim().is_empty()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    // Compared as hashes: equal length, so the comparison's time says nothing of the token.
    let hash = |t: &str| crate::auth::tokens::hash_token(t);
    if given.map(hash) != Some(hash(token)) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    match prometheus() {
        Some(h) => ([("content-type", "text/plain; version=0.0.4")], h.render()).into_response(),
        None => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// Checks PostgreSQL and Redis; 503 with which one is down.
async fn health(State(state): State<AppState>) -> Response {
    let pg = sqlx::query_scalar::<_, i32>("SELECT 1")
        .fetch_one(&state.db)
        .await
        .is_ok();
    // Bounded: a Redis that is away can keep the connection manager reconnecting for
    // longer than a load balancer waits for its health answer.
    let mut redis = state.redis.clone();
    let cmd = redis::cmd("PING");
    let ping = cmd.query_async::<String>(&mut redis);
    let rd = matches!(
        tokio::time::timeout(std::time::Duration::from_secs(2), ping).await,
        Ok(Ok(_))
    );
    let status = if pg && rd {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let word = |ok: bool| if ok { "up" } else { "down" };
    (
        status,
        Json(json!({"status": word(pg && rd), "postgres": word(pg), "redis": word(rd)})),
    )
        .into_response()
}

/// Sets up logging: JSON with timestamp, level, service, message (production) or
/// pretty text; level from `RUST_LOG` (default info).
pub fn init_logging(format: &str) {
    use tracing_subscriber::{fmt, EnvFilter};
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    if format == "json" {
        let _ = fmt()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_env_filter(filter)
            .try_init();
    } else {
        let _ = fmt().with_env_filter(filter).try_init();
    }
}
