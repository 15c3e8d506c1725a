//! End-to-end tests across the products: real tills (the engine over SQLite files, the
//! `pos-till` CLI, the window) against a real head office (the server over PostgreSQL and
//! Redis, in-process or as its binary), the ATOL emulator, the installer package, the
//! docker-compose deployment and nginx in front of the server.

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used)]

mod admin_first_sale;
mod catalog_file;
mod certificates;
mod deploy;
mod faults;
mod fiscal;
mod installer;
mod live;
mod load;
mod marking;
mod nginx;
mod offline;
mod promotions;
mod quarantine;
mod reports;
mod security;
mod support;
mod sync;
mod sync_protocol;
mod updates;

// The head-office test harness (`spawn_app`, the API client) and its browser half.
#[path = "../../sync-server/tests/it/admin_browser.rs"]
#[allow(dead_code)]
mod admin_browser;
#[path = "../../sync-server/tests/it/helpers.rs"]
#[allow(dead_code)]
mod helpers;
// The till tests' ATOL emulator process (and the workspace binaries beside this test's).
#[path = "../../pos-desktop/tests/it/emulator.rs"]
#[allow(dead_code)]
mod emulator;
// The till tests' WebDriver client: the window through tauri-driver, the admin in Chromium.
#[path = "../../pos-desktop/tests/it/webdriver.rs"]
#[allow(dead_code)]
mod webdriver;
