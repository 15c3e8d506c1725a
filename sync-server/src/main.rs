//! `sync-server`: serve the head-office API, migrate the database, create the first admin.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sync_server::config::Config;
use sync_server::{ops, state, AppState};

#[derive(Debug, Parser)]
#[command(name = "sync-server", version, about = "Al Aroma head-office server")]
struct Cli {
    /// Optional TOML configuration file (environment variables override it).
    #[arg(long, global = true, env = "ALAROMA_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve {
        /// Address to listen on (default 127.0.0.1:3000, or ALAROMA_BIND).
        #[arg(long)]
        bind: Option<SocketAddr>,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Delete change-feed history older than N days (tills behind it take a snapshot).
    PruneChanges {
        #[arg(long, default_value_t = 90)]
        keep_days: u32,
    },
    /// Create an administrator; the password is read from standard input.
    CreateAdmin {
        #[arg(long)]
        login: String,
        /// Read the password from standard input (required: never on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
        #[arg(long, default_value = "Administrator")]
        name: String,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    ops::init_logging(&config.log_format);
    let result = match cli.command.unwrap_or(Command::Serve { bind: None }) {
        Command::Serve { bind } => {
            if let Some(b) = bind {
                config.bind = b;
            }
            serve(config).await
        }
        Command::Migrate => migrate(config).await,
        Command::PruneChanges { keep_days } => prune(config, keep_days).await,
        Command::CreateAdmin { login, name, .. } => create_admin(config, login, name).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "failed");
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> Result<(), String> {
    ops::init_metrics();
    let bind = config.bind;
    let retention = config.change_retention_days;
    let state = AppState::connect(config).await.map_err(|e| e.to_string())?;
    // Hourly: prune change-feed history past its retention.
    let db = state.db.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every.tick().await;
            match sync_server::sync::prune(&db, retention).await {
                Ok(n) if n > 0 => tracing::info!(rows = n, "pruned change feed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not prune the change feed"),
            }
        }
    });
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| format!("bind {bind}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(%addr, "listening");
    println!("listening on http://{addr}");
    sync_server::serve(state, listener)
        .await
        .map_err(|e| e.to_string())
}

async fn migrate(config: Config) -> Result<(), String> {
    let db = state::connect_db(&config)
        .await
        .map_err(|e| e.to_string())?;
    state::migrate(&db).await.map_err(|e| e.to_string())?;
    println!("database is up to date");
    Ok(())
}

async fn prune(config: Config, keep_days: u32) -> Result<(), String> {
    let db = state::connect_db(&config)
        .await
        .map_err(|e| e.to_string())?;
    state::migrate(&db).await.map_err(|e| e.to_string())?;
    let n = sync_server::sync::prune(&db, keep_days)
        .await
        .map_err(|e| e.to_string())?;
    println!("pruned {n} change-feed rows older than {keep_days} days");
    Ok(())
}

async fn create_admin(config: Config, login: String, name: String) -> Result<(), String> {
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .map_err(|e| e.to_string())?;
    let password = password.trim_end_matches(['\n', '\r']).to_owned();
    let state = AppState::connect(config).await.map_err(|e| e.to_string())?;
    let id = sync_server::users::create_admin(&state, &login, &name, password)
        .await
        .map_err(|e| e.to_string())?;
    println!("admin {login} created ({id})");
    Ok(())
}
