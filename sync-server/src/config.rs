//! Configuration: defaults, then an optional TOML file, then `ALAROMA_*` environment
//! variables (plus the conventional `DATABASE_URL` and `REDIS_URL`).

use std::net::SocketAddr;
use std::path::Path;

use secrecy::SecretString;
use serde::Deserialize;

/// Everything the server reads at start. Secrets are [`SecretString`]: their `Debug`
/// prints `[REDACTED]`, so logging the config never leaks them.
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    /// Address to listen on.
    pub bind: SocketAddr,
    /// PostgreSQL connection URL.
    pub database_url: SecretString,
    /// Redis connection URL.
    pub redis_url: SecretString,
    /// Prefix of every Redis key, so several deployments (or tests) can share a Redis.
    pub redis_prefix: String,
    /// HMAC key for access tokens (HS256). Every replica must share it.
    pub jwt_secret: SecretString,
    /// Access-token lifetime in seconds (seed: 15 minutes).
    pub access_ttl_secs: i64,
    /// Refresh-token lifetime in seconds (seed: 7 days).
    pub refresh_ttl_secs: i64,
    /// Mark cookies `Secure` (turn off only for local plain-http development).
    pub cookie_secure: bool,
    /// Origins allowed to make cookie-authenticated writes besides the server's own.
    pub allowed_origins: Vec<String>,
    /// The proxies (addresses or CIDR ranges, e.g. our nginx's network) whose
    /// `X-Forwarded-For` is believed: the client IP is its right-most address not among
    /// them. Empty: the socket peer is the client.
    pub trust_proxy: Vec<String>,
    /// Login attempts allowed per account per window.
    pub login_limit_account: u32,
    /// Login attempts allowed per client IP per window.
    pub login_limit_ip: u32,
    /// Rate-limit window in seconds.
    pub login_window_secs: u64,
    /// Refuse stock operations that would take a warehouse below zero.
    pub block_negative_warehouse_stock: bool,
    /// `json` (production) or `pretty` logs.
    pub log_format: String,
    /// Largest connection pool.
    pub db_max_connections: u32,
    /// Days of change-feed history kept; tills away longer take a fresh snapshot.
    pub change_retention_days: u32,
    /// A PostgreSQL read replica for reports (`None`: reports read the primary).
    #[serde(default)]
    pub reports_database_url: Option<SecretString>,
    /// The web admin's built files (`None`: the server answers the API only).
    #[serde(default)]
    pub admin_dir: Option<std::path::PathBuf>,
    /// Bearer token Prometheus must send for `/metrics` (`None`: the app port serves no
    /// metrics: they name routes, rates and errors an outsider should not see).
    #[serde(default)]
    pub metrics_token: Option<SecretString>,
    /// Till releases for the updater: `latest.json` and the signed packages (`None`:
    /// tills are told there is nothing new).
    #[serde(default)]
    pub updates_dir: Option<std::path::PathBuf>,
}

/// A configuration problem found at start.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

impl Config {
    /// Loads the configuration; `file` is optional and may be missing.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let err = |e: config::ConfigError| ConfigError(e.to_string());
        let mut b = config::Config::builder()
            .set_default("bind", "127.0.0.1:3000")
            .and_then(|b| {
                b.set_default("database_url", "postgres://postgres@127.0.0.1:5432/alaroma")
            })
            .and_then(|b| b.set_default("redis_url", "redis://127.0.0.1:6379"))
            .and_then(|b| b.set_default("redis_prefix", "alaroma:"))
            .and_then(|b| b.set_default("jwt_secret", ""))
            .and_then(|b| b.set_default("access_ttl_secs", 900))
            .and_then(|b| b.set_default("refresh_ttl_secs", 7 * 24 * 3600))
            .and_then(|b| b.set_default("cookie_secure", true))
            .and_then(|b| b.set_default("allowed_origins", Vec::<String>::new()))
            .and_then(|b| b.set_default("trust_proxy", Vec::<String>::new()))
            .and_then(|b| b.set_default("login_limit_account", 5))
            .and_then(|b| b.set_default("login_limit_ip", 30))
            .and_then(|b| b.set_default("login_window_secs", 900))
            .and_then(|b| b.set_default("block_negative_warehouse_stock", true))
            .and_then(|b| b.set_default("log_format", "json"))
            .and_then(|b| b.set_default("db_max_connections", 20))
            .and_then(|b| b.set_default("change_retention_days", 90))
            .map_err(err)?;
        if let Some(f) = file {
            b = b.add_source(config::File::from(f).required(true));
        }
        b = b.add_source(
            config::Environment::with_prefix("ALAROMA")
                .try_parsing(true)
                .list_separator(",")
                .with_list_parse_key("allowed_origins")
                .with_list_parse_key("trust_proxy"),
        );
        for (env, key) in [("DATABASE_URL", "database_url"), ("REDIS_URL", "redis_url")] {
            if let Ok(v) = std::env::var(env) {
                b = b.set_override(key, v).map_err(err)?;
            }
        }
        let cfg: Config = b.build().and_then(|c| c.try_deserialize()).map_err(err)?;
        cfg.trusted_proxies()?;
        Ok(cfg)
    }

    /// `trust_proxy` parsed; a bad entry is refused at start, not guessed at.
    pub fn trusted_proxies(&self) -> Result<Vec<ipnet::IpNet>, ConfigError> {
        self.trust_proxy
            .iter()
            .map(|p| {
                let p = p.trim();
                p.parse::<ipnet::IpNet>()
                    .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        ConfigError(format!("trust_proxy: {p:?} is not an address or range"))
                    })
            })
            .collect()
    }
}
