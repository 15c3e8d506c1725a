//! Sync benchmarks against real PostgreSQL and Redis:
//! 1. server ingest of sale events (3 lines) beside a plain multi-row INSERT of the same
//!    rows into the same tables, in the same run (`ingest`);
//! 2. first sync of a fresh till, end to end, at 10 000, 100 000 and 300 000 products
//!    (1 000 000 with `--million`), with time per 1 000 products (`first_sync`);
//! 3. time from a price change on the server to an online till having it.
//!
//! Run: `cargo bench -p alaroma-e2e --bench sync` (`-- --quick` for a short run,
//! `-- --first-sync` or `-- --ingest` for one part, `-- --million` adds the 1 M catalog).

use secrecy::SecretString;
use sync_server::config::Config;
use uuid::Uuid;

#[path = "../../../sync-server/benches/common/mod.rs"]
mod common;
mod first_sync;
mod ingest;
mod latency;

/// The server's configuration for a bench database.
pub fn config(db: &str) -> Config {
    Config {
        bind: "127.0.0.1:0".parse().unwrap_or_else(|_| unreachable!()),
        database_url: SecretString::from(db.to_owned()),
        redis_url: SecretString::from("redis://127.0.0.1:6379".to_owned()),
        redis_prefix: format!("alaroma-bench:{}:", Uuid::new_v4().simple()),
        jwt_secret: SecretString::from("bench-secret-bench-secret-bench-secret-01".to_owned()),
        access_ttl_secs: 900,
        refresh_ttl_secs: 3600,
        cookie_secure: false,
        allowed_origins: vec![],
        trust_proxy: vec![],
        login_limit_account: 5,
        login_limit_ip: 50,
        login_window_secs: 60,
        block_negative_warehouse_stock: true,
        log_format: "pretty".into(),
        db_max_connections: 10,
        change_retention_days: 90,
        reports_database_url: None,
        admin_dir: None,
        updates_dir: None,
        metrics_token: None,
    }
}

#[tokio::main]
async fn main() {
    let has = |flag: &str| std::env::args().any(|a| a == flag);
    let quick = has("--quick");
    let (only_ingest, only_first_sync) = (has("--ingest"), has("--first-sync"));
    println!("| what | ours | baseline | ratio |");
    println!("|---|---|---|---|");
    if !only_first_sync {
        let db = common::fresh_db().await;
        let state = sync_server::AppState::connect(config(&db))
            .await
            .expect("connect");
        ingest::ingest(&state, if quick { 2_000 } else { 20_000 }).await;
    }
    if !only_ingest {
        let mut sizes = if quick {
            vec![10_000, 30_000]
        } else {
            vec![10_000, 100_000, 300_000]
        };
        if has("--million") {
            sizes.push(1_000_000);
        }
        // `--size N`: that catalog alone (for a profile).
        let args: Vec<String> = std::env::args().collect();
        if let Some(n) = args
            .iter()
            .position(|a| a == "--size")
            .and_then(|i| args.get(i + 1)?.parse().ok())
        {
            sizes = vec![n];
        }
        first_sync::run(&sizes).await;
    }
}
