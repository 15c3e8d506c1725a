//! The web admin's built files, served by the sync server itself (one deployable): from
//! the configured `admin_dir`, precompressed `.br`/`.gz` siblings preferred when the
//! browser accepts them, and `index.html` for any other path so the admin's client-side
//! routes survive a reload. Paths under `/api/` stay JSON 404s.

use std::path::Path;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::error::ApiError;
use crate::AppState;

/// What the admin's pages may load: its own scripts (and compile its wasm), styles,
/// images, and calls to this server; no framing.
const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

fn files(dir: &Path) -> ServeDir<ServeFile> {
    ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(
            ServeFile::new(dir.join("index.html"))
                .precompressed_br()
                .precompressed_gzip(),
        )
}

/// The router's fallback: an admin file or page, else the API's JSON 404.
pub async fn fallback(State(state): State<AppState>, req: Request) -> Response {
    let path = req.uri().path();
    let api = path == "/api" || path.starts_with("/api/");
    let readable = req.method() == Method::GET || req.method() == Method::HEAD;
    let Some(dir) = state
        .config
        .admin_dir
        .as_deref()
        .filter(|_| readable && !api)
    else {
        return ApiError::NotFound("route".into()).into_response();
    };
    let mut resp = files(dir).oneshot(req).await.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    // The bundle's file names carry no content hash, so browsers revalidate (cheap: the
    // server answers 304 by Last-Modified); nginx may cache harder in front.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}
