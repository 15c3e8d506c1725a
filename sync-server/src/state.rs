//! Shared application state: the database pool, Redis, configuration and JWT keys.

use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::{DecodingKey, EncodingKey};
use redis::aio::ConnectionManager;
use secrecy::ExposeSecret;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;

use crate::config::Config;

/// Everything a handler may need; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// PostgreSQL pool (search_path = alaroma).
    pub db: PgPool,
    /// The pool reports read from: a read replica when configured, else the primary.
    pub reports_db: PgPool,
    /// Redis connection (reconnects by itself).
    pub redis: ConnectionManager,
    /// Configuration.
    pub config: Arc<Config>,
    /// JWT keys.
    pub keys: Arc<Keys>,
    /// Fan-out of change notifications to the tills connected to this instance.
    pub notifier: tokio::sync::broadcast::Sender<Option<uuid::Uuid>>,
    /// Fan-out of "a store's sales changed" to the live reports open on this instance.
    pub sales_notifier: tokio::sync::broadcast::Sender<Option<uuid::Uuid>>,
    /// `config.trust_proxy`, parsed.
    pub trusted_proxies: Arc<Vec<ipnet::IpNet>>,
}

/// HS256 signing and verification keys.
pub struct Keys {
    /// Signs access tokens.
    pub encoding: EncodingKey,
    /// Verifies access tokens.
    pub decoding: DecodingKey,
}

/// A failure to start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// PostgreSQL unreachable or migration failed.
    #[error("database: {0}")]
    Db(String),
    /// Redis unreachable.
    #[error("redis: {0}")]
    Redis(String),
    /// Bad configuration.
    #[error("{0}")]
    Config(String),
}

/// Connects to PostgreSQL with every session on the `alaroma` schema.
pub async fn connect_db(config: &Config) -> Result<PgPool, StartError> {
    connect_url(config.database_url.expose_secret(), config).await
}

async fn connect_url(url: &str, config: &Config) -> Result<PgPool, StartError> {
    let opts: PgConnectOptions = url
        .parse()
        .map_err(|e: sqlx::Error| StartError::Db(e.to_string()))?;
    let opts = opts.options([("search_path", "alaroma"), ("timezone", "UTC")]);
    PgPoolOptions::new()
        .max_connections(config.db_max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(opts)
        .await
        .map_err(|e| StartError::Db(e.to_string()))
}

/// Creates the schema if needed and applies the migrations in `migrations/`.
pub async fn migrate(db: &PgPool) -> Result<(), StartError> {
    sqlx::query("CREATE SCHEMA IF NOT EXISTS alaroma")
        .execute(db)
        .await
        .map_err(|e| StartError::Db(e.to_string()))?;
    sqlx::migrate!("../migrations")
        .run(db)
        .await
        .map_err(|e| StartError::Db(e.to_string()))
}

/// Notifications a slow listener may fall behind by before it is told it lagged (and
/// re-reads the feed from its cursor).
const NOTIFY_BACKLOG: usize = 256;

impl AppState {
    /// Connects everything and migrates the database.
    pub async fn connect(config: Config) -> Result<AppState, StartError> {
        let secret = config.jwt_secret.expose_secret();
        if secret.len() < 32 {
            return Err(StartError::Config(
                "jwt_secret (ALAROMA_JWT_SECRET) must be set to at least 32 characters".into(),
            ));
        }
        let keys = Keys {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
        };
        let trusted_proxies = config
            .trusted_proxies()
            .map_err(|e| StartError::Config(e.to_string()))?;
        let db = connect_db(&config).await?;
        migrate(&db).await?;
        let reports_db = match &config.reports_database_url {
            Some(url) => connect_url(url.expose_secret(), &config).await?,
            None => db.clone(),
        };
        let client = redis::Client::open(config.redis_url.expose_secret())
            .map_err(|e| StartError::Redis(e.to_string()))?;
        // Fail fast when Redis is away: callers degrade (sync never needs Redis).
        let cfg = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Duration::from_secs(1))
            .set_response_timeout(Duration::from_secs(2))
            .set_number_of_retries(2);
        let redis = ConnectionManager::new_with_config(client, cfg)
            .await
            .map_err(|e| StartError::Redis(e.to_string()))?;
        let state = AppState {
            db,
            reports_db,
            redis,
            config: Arc::new(config),
            keys: Arc::new(keys),
            trusted_proxies: Arc::new(trusted_proxies),
            notifier: tokio::sync::broadcast::channel(NOTIFY_BACKLOG).0,
            sales_notifier: tokio::sync::broadcast::channel(NOTIFY_BACKLOG).0,
        };
        Ok(state)
    }
}
