//! Integration tests of the head-office server against real PostgreSQL and Redis:
//! a fresh database per test, the real router on port 0, a real HTTP client.

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used)]

mod admin_assets;
mod admin_contract;
mod admin_ui;
mod auth;
mod bad_input;
mod catalog_csv;
mod certificates;
mod deploy;
mod faults;
mod fiscal;
mod flow;
mod helpers;
mod installer;
mod load;
mod marking;
mod nginx;
mod offline;
mod process;
mod promotions;
mod quarantine;
mod rbac;
mod reports;
mod security;
mod sync;
mod sync_protocol;
mod updates;
// The till tests' WebDriver client; here it drives headless Chromium.
// The till tests' ATOL emulator process, for a till with a fiscal register.
#[path = "../../../pos-desktop/tests/it/emulator.rs"]
#[allow(dead_code)]
mod emulator;
#[path = "../../../pos-desktop/tests/it/webdriver.rs"]
#[allow(dead_code)]
mod webdriver;
