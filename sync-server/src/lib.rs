//! Al Aroma head-office server: the admin API (users, locations, terminals, catalog,
//! prices, customers, stock, promotions, gift certificates, marking, reports), till
//! enrollment and sync (push of till facts, checked before they take effect; the feed of
//! head office's changes), and the web admin it serves.

pub mod admin;
pub mod audit;
pub mod audit_log;
pub mod auth;
pub mod catalog;
pub mod certificates;
pub mod config;
pub mod customers;
pub mod datagen;
pub mod device;
pub mod error;
pub mod inventory;
pub mod ledger;
pub mod locations;
pub mod marking;
pub mod notify;
pub mod ops;
pub mod pagination;
pub mod promotions;
pub mod ratelimit;
pub mod rbac;
pub mod reports;
pub mod sales;
pub mod state;
pub mod sync;
pub mod terminals;
pub mod updates;
pub mod users;

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

pub use state::AppState;

#[derive(OpenApi)]
#[openapi(info(title = "Al Aroma POS head-office API", version = "1"))]
struct ApiDoc;

/// The whole application: every module's router under `/api/v1`, plus health,
/// metrics and the OpenAPI document generated from the same routes.
pub fn app(state: AppState) -> Router {
    let api = OpenApiRouter::new()
        .merge(auth::router())
        .merge(users::router())
        .merge(locations::router())
        .merge(terminals::router())
        .merge(catalog::router())
        .merge(marking::router())
        .merge(inventory::router())
        .merge(customers::router())
        .merge(audit_log::router())
        .merge(sync::router())
        .merge(sales::router())
        .merge(promotions::router())
        .merge(certificates::router())
        .merge(reports::router())
        .merge(updates::router());
    let (api, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", api)
        .split_for_parts();
    doc.info.description = Some("Money is in decimal strings of roubles (\"12.50\"); quantities in decimal strings with up to 3 decimals.".into());
    let doc_json = serde_json::to_value(&doc).unwrap_or_default();
    api.merge(ops::router(doc_json))
        .fallback(admin::fallback)
        .method_not_allowed_fallback(|| async {
            (
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                axum::Json(serde_json::json!(
                {"error": {"code": "method_not_allowed", "message": "method not allowed"}})),
            )
        })
        // Tills send gzip batches and accept gzip pages.
        .layer(tower_http::decompression::RequestDecompressionLayer::new())
        // The fastest gzip: a till's first sync is tens of megabytes of JSON, and on two
        // cores level 6 cost more than the network it saved.
        .layer(
            tower_http::compression::CompressionLayer::new()
                .quality(tower_http::CompressionLevel::Fastest),
        )
        .layer(axum::middleware::from_fn(ops::track))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(RequestBodyLimitLayer::new(2 * 1024 * 1024))
        .with_state(state)
}

/// Serves `app` on `listener` until ctrl-c or SIGTERM, then finishes in-flight requests.
pub async fn serve(state: AppState, listener: TcpListener) -> std::io::Result<()> {
    // PostgreSQL's change notifications, relayed to the feed and sales channels.
    notify::spawn_relay(state.clone());
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
