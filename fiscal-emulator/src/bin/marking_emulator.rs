//! `marking-emulator [--listen ADDR]`: a marking code checker (Честный ЗНАК online and the
//! local module ЛМ ЧЗ) for tests and demos. Prints `listening on http://ADDR` once it
//! takes requests (with port 0, the port the system gave).

use std::sync::{Arc, Mutex};

use clap::Parser;
use fiscal_emulator::checker::{router, Checker};

/// Command line.
#[derive(Parser)]
#[command(
    version,
    about = "A marking code checker emulator (Честный ЗНАК and ЛМ ЧЗ) with scripted verdicts"
)]
struct Args {
    /// Address to listen on (the local module's default is 127.0.0.1:5995).
    #[arg(long, env = "ALAROMA_MARKING_LISTEN", default_value = "127.0.0.1:5995")]
    listen: String,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let shared = Arc::new(Mutex::new(Checker::default()));
    let listener = tokio::net::TcpListener::bind(&args.listen).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, router(shared))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
