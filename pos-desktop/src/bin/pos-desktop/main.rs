//! The till's desktop app: a Tauri 2 window over the till engine. The window (a Yew UI
//! in `pos-desktop/ui`) only shows and asks; every rule runs in the engine.
//!
//! Data directory: `ALAROMA_DATA_DIR`, else `$HOME/.local/share/alaroma-pos`. A first
//! start with no till there creates one on the demo catalog (demo cashier logged in),
//! so the app works with no server at all.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;

use std::path::PathBuf;
use std::sync::Mutex;

use pos_desktop::{InitOptions, Till, TillError, DB_FILE};

fn data_dir() -> PathBuf {
    std::env::var_os("ALAROMA_DATA_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share/alaroma-pos"))
        })
        .unwrap_or_else(|| PathBuf::from("alaroma-pos"))
}

fn open_till(dir: &std::path::Path) -> Result<Till, TillError> {
    if dir.join(DB_FILE).exists() {
        Till::open(dir)
    } else {
        eprintln!(
            "No till in {}: creating one on the demo catalog",
            dir.display()
        );
        Till::init(
            dir,
            &InitOptions {
                demo: true,
                ..Default::default()
            },
        )
    }
}

fn main() {
    let dir = data_dir();
    let till = match open_till(&dir) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("Cannot open the till in {}: {e}", dir.display());
            std::process::exit(e.exit_code());
        }
    };
    // An enrolled till keeps syncing in the background (its own connection); prices and
    // promotions from head office appear in the next cart refresh.
    let _sync = till
        .sync_status()
        .ok()
        .filter(|s| s.server.is_some())
        .map(|_| {
            pos_desktop::sync_loop::SyncLoop::start(dir.clone(), Default::default(), |r| {
                if let Err(e) = r {
                    eprintln!("sync: {e}");
                }
            })
        });
    let result = tauri::Builder::default()
        .manage(commands::App {
            till: Mutex::new(till),
        })
        .invoke_handler(tauri::generate_handler![
            commands::status,
            commands::login,
            commands::logout,
            commands::set_locale,
            commands::open_shift,
            commands::x_report,
            commands::close_shift,
            commands::cash,
            commands::search,
            commands::popular,
            commands::add_item,
            commands::set_qty,
            commands::remove_line,
            commands::discount,
            commands::coupon,
            commands::customer,
            commands::pay,
            commands::unpay,
            commands::complete,
            commands::reprint,
            commands::void,
            commands::park,
            commands::parked,
            commands::resume,
            commands::return_all,
            commands::settings,
            commands::save_settings,
            commands::test_print,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("The till window failed: {e}");
        std::process::exit(1);
    }
}
