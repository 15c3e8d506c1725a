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
    /// Fill the database with a generated chain's history (for trying reports and for
    /// the benchmarks): stores, catalog, tills and their sales through the real ingest.
    Generate {
        #[arg(long, default_value_t = 50)]
        stores: usize,
        #[arg(long, default_value_t = 2)]
        terminals_per_store: usize,
        #[arg(long, default_value_t = 5000)]
        products: usize,
        /// Days of history, ending yesterday unless --from is given.
        #[arg(long, default_value_t = 730)]
        days: u32,
        /// Receipts per till per day (about 2.5 lines each).
        #[arg(long, default_value_t = 55)]
        receipts: u32,
        /// First day (YYYY-MM-DD).
        #[arg(long)]
        from: Option<chrono::NaiveDate>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Tills pushed at once.
        #[arg(long, default_value_t = 2)]
        jobs: usize,
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
        Command::Generate {
            stores,
            terminals_per_store,
            products,
            days,
            receipts,
            from,
            seed,
            jobs,
        } => {
            let today = chrono::Utc::now().date_naive();
            let spec = sync_server::datagen::Spec {
                stores,
                terminals_per_store,
                products,
                days,
                receipts_per_terminal_day: receipts,
                first_day: from.unwrap_or(today - chrono::Duration::days(i64::from(days))),
                seed,
            };
            generate(config, spec, jobs).await
        }
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
    // Certificates stored before lookup keys existed get theirs before anyone looks.
    sync_server::certificates::backfill_keys(&state.db)
        .await
        .map_err(|e| format!("certificate lookup keys: {e}"))?;
    // Hourly: prune change-feed history past its retention and keep the coming months'
    // sale-line partitions in place.
    let db = state.db.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every.tick().await;
            match sync_server::reports::rollup::ensure_current_partitions(&db).await {
                Ok(n) if n > 0 => tracing::info!(partitions = n, "added sale-line partitions"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not add sale-line partitions"),
            }
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

async fn generate(
    config: Config,
    spec: sync_server::datagen::Spec,
    jobs: usize,
) -> Result<(), String> {
    let state = AppState::connect(config).await.map_err(|e| e.to_string())?;
    println!(
        "Generating {} stores × {} tills, {} products, {} days from {}",
        spec.stores, spec.terminals_per_store, spec.products, spec.days, spec.first_day
    );
    let start = std::time::Instant::now();
    let chain = sync_server::datagen::plan(&spec);
    let w = sync_server::datagen::run(&state, chain, jobs, move |w, done, total| {
        let secs = start.elapsed().as_secs_f64().max(0.001);
        println!(
            "{done}/{total} tills: {} sales, {} lines, {} returns ({:.0} lines/s)",
            w.sales,
            w.lines,
            w.returns,
            w.lines as f64 / secs
        );
    })
    .await
    .map_err(|e| format!("{e:?}"))?;
    println!(
        "done in {:.0} s: {} sales, {} lines, {} returns",
        start.elapsed().as_secs_f64(),
        w.sales,
        w.lines,
        w.returns
    );
    Ok(())
}
