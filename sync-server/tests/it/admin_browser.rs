//! The web admin in a real browser: the admin built once per run, a server serving it,
//! its admin signed in through the API, and headless Chromium on the page.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::helpers::*;
use crate::webdriver::{Driver, Session};

/// Builds the admin once per test run (incremental: seconds when nothing changed) and
/// returns its dist dir.
fn built_admin() -> PathBuf {
    static DIST: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIST.get_or_init(build_admin).clone()
}

fn build_admin() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("target"));
    let status = Command::new(root.join("scripts/build-admin.sh"))
        .env("ALAROMA_UI_TARGET_DIR", target.join("ui"))
        .status()
        .expect("scripts/build-admin.sh");
    assert!(status.success(), "building the web admin failed");
    root.join("web-admin/dist")
}

pub fn shot(s: &Session, name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshots dir");
    s.screenshot(&dir.join(format!("admin-{name}.png")));
}

pub fn sign_in(s: &Session, base: &str, login: &str, password: &str) {
    s.navigate(base);
    s.fill("login-name", login);
    s.fill("login-password", password);
    s.click("login-submit");
    s.find("logout");
}

/// A running server with the built admin, its admin's API session, and a browser in `lang`.
pub struct Admin {
    pub rt: tokio::runtime::Runtime,
    pub app: TestApp,
    pub api: Api,
    pub base: String,
    // Dropped after the session (fields drop in order).
    pub s: Session,
    pub _driver: Driver,
}

pub fn open_admin(lang: &str) -> Admin {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dist = built_admin();
    let app = rt.block_on(spawn_app_with(|c| c.admin_dir = Some(dist)));
    let api = rt.block_on(app.admin());
    let base = format!("http://{}", app.addr);
    let driver = Driver::chromedriver();
    let s = Session::chromium(&driver, lang);
    Admin {
        rt,
        app,
        api,
        base,
        s,
        _driver: driver,
    }
}
