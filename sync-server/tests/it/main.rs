//! Integration tests of the head-office server against real PostgreSQL and Redis:
//! a fresh database per test, the real router on port 0, a real HTTP client, and the web
//! admin in headless Chromium. Tests that also run a till, the installer, the deployment
//! or nginx are in the workspace's `tests/` crate.

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used)]

mod admin_assets;
mod admin_browser;
mod admin_contract;
mod admin_ui;
mod auth;
mod bad_input;
mod catalog_csv;
mod certificates_api;
mod flow;
mod helpers;
mod process;
mod promotions;
mod rbac;
mod reports;
mod security;
// The till tests' WebDriver client; here it drives headless Chromium.
#[path = "../../../pos-desktop/tests/it/webdriver.rs"]
#[allow(dead_code)]
mod webdriver;
