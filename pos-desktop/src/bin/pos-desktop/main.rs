//! The till's desktop app: a Tauri 2 window over the till engine. The window (a Yew UI
//! in `pos-desktop/ui`) only shows and asks; every rule runs in the engine.
//!
//! Data directory: `--data-dir`/`ALAROMA_DATA_DIR`, else the provisioning file's, else
//! `~/.local/share/alaroma-pos`. A first start enrolls with the server and code given on
//! the command line or in the provisioning file, or asks for them in the window (which
//! also offers the demo catalog); `--demo` starts on the demo with no server at all.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod setup;
mod updater;

use std::sync::Mutex;

use clap::Parser;

fn main() {
    let (till, setup) = match setup::start(setup::Args::parse()) {
        Ok(started) => started,
        Err(e) => {
            eprintln!("Cannot start the till: {e}");
            std::process::exit(e.exit_code());
        }
    };
    let pubkey = setup.update_pubkey.clone();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_updater::Builder::new().build())
        .setup(move |app| {
            match pubkey {
                Some(key) => updater::spawn(app.handle().clone(), key),
                None => eprintln!("Updates are off: no release signing key is configured"),
            }
            Ok(())
        })
        .manage(commands::App {
            till: Mutex::new(till),
            update_ready: Mutex::new(None),
        })
        .manage(setup)
        .invoke_handler(tauri::generate_handler![
            setup::setup_info,
            setup::enroll,
            setup::start_demo,
            commands::status,
            commands::register_status,
            commands::retry_fiscal,
            commands::login,
            commands::logout,
            commands::set_locale,
            commands::open_shift,
            commands::x_report,
            commands::send_receipt_to,
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
