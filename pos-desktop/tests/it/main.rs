//! Integration tests of the till: the engine over real SQLite files in temp dirs,
//! the `pos-till` CLI as a user runs it, and crash safety under SIGKILL.

mod cli;
mod crash;
mod emulator;
mod engine;
mod fiscal;
#[cfg(feature = "app")]
mod fiscal_ui;
#[cfg(feature = "app")]
mod keys;
mod marking;
mod support;
#[cfg(feature = "app")]
mod ui;
// Shared with the server's admin tests and the end-to-end tests (`tests/`).
#[cfg(feature = "app")]
#[allow(dead_code)]
mod webdriver;
