//! `atol-emulator --state FILE [--listen ADDR]`: a fiscal register behind ATOL's Web
//! Server API. Prints `listening on http://ADDR` once it takes requests (with port 0,
//! the port the system gave).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use clap::Parser;
use fiscal_emulator::device::Device;
use fiscal_emulator::http::{router, Emulator};

/// Command line.
#[derive(Parser)]
#[command(
    version,
    about = "An ATOL Web Server emulator (a 54-FZ fiscal register) for tests and demos"
)]
struct Args {
    /// Address to listen on (ATOL's default is 127.0.0.1:16732).
    #[arg(
        long,
        env = "ALAROMA_EMULATOR_LISTEN",
        default_value = "127.0.0.1:16732"
    )]
    listen: String,
    /// The register's state file (created if missing).
    #[arg(long, env = "ALAROMA_EMULATOR_STATE")]
    state: PathBuf,
    /// Fiscal storage serial of a new register.
    #[arg(long, default_value = "9999078900001234")]
    fn_serial: String,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let device = Device::load_or_new(&args.state, &args.fn_serial)?;
    let shared = Arc::new(Mutex::new(Emulator {
        device,
        path: args.state,
    }));
    let listener = tokio::net::TcpListener::bind(&args.listen).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, router(shared))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
