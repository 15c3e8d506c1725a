//! The web admin's first load in headless Chromium: from navigation to the first usable
//! screen (the login form), with a fresh browser profile each time (nothing cached), on
//! loopback and on an emulated store line (10 Mbit/s, 40 ms round trip). Baseline in the
//! same run: the same build served without its precompressed siblings.
//!
//! Run: `cargo bench -p sync-server --bench admin_load` (builds the admin first; needs
//! chromium and chromium-driver, as the tests do).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use secrecy::SecretString;
use serde_json::{json, Value};
use sync_server::config::Config;
use sync_server::AppState;

mod common;
#[path = "../../pos-desktop/tests/it/webdriver.rs"]
#[allow(dead_code, clippy::unwrap_used)]
mod webdriver;

use webdriver::{Driver, Session};

const RUNS: usize = 5;

fn build_admin() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("target"));
    let ok = Command::new(root.join("scripts/build-admin.sh"))
        .env("ALAROMA_UI_TARGET_DIR", target.join("ui"))
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "building the web admin failed");
    root.join("web-admin/dist")
}

/// A copy of `dist` without `.gz`/`.br` files: what a server without them would send.
fn plain_copy(dist: &Path) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    for e in std::fs::read_dir(dist).expect("dist").flatten() {
        let p = e.path();
        let ext = p.extension().and_then(|x| x.to_str()).unwrap_or_default();
        if !matches!(ext, "gz" | "br") {
            std::fs::copy(&p, tmp.path().join(e.file_name())).expect("copy");
        }
    }
    tmp
}

async fn serve(db: &str, dir: &Path) -> String {
    let mut c = Config::load(None).expect("configuration");
    c.database_url = SecretString::from(db.to_owned());
    c.jwt_secret = SecretString::from("bench-secret-bench-secret-bench-secret-01".to_owned());
    c.redis_prefix = format!("alaroma-bench:{}:", uuid::Uuid::new_v4().simple());
    c.admin_dir = Some(dir.to_path_buf());
    c.cookie_secure = false;
    let state = AppState::connect(c).await.expect("connect");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { sync_server::serve(state, listener).await });
    format!("http://{addr}/")
}

/// One cold load: milliseconds to the login form, and bytes over the wire.
fn load(driver: &Driver, url: &str, slow: bool) -> (f64, f64) {
    let s = Session::chromium(driver, "ru");
    if slow {
        s.cdp("Network.enable", json!({}));
        s.cdp(
            "Network.emulateNetworkConditions",
            json!({"offline": false, "latency": 40,
                   "downloadThroughput": 1_250_000, "uploadThroughput": 1_250_000}),
        );
    }
    s.navigate(url);
    let v: Value = s.execute_async(
        "const done = arguments[0];
         (function wait() {
           if (window.alaromaReady === undefined) { setTimeout(wait, 20); return; }
           const bytes = performance.getEntriesByType('navigation')
             .concat(performance.getEntriesByType('resource'))
             .reduce((n, e) => n + e.transferSize, 0);
           done([window.alaromaReady, bytes]);
         })();",
    );
    (
        v[0].as_f64().expect("ready time"),
        v[1].as_f64().unwrap_or(0.0),
    )
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let dist = build_admin();
    let plain = plain_copy(&dist);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (ours, base) = rt.block_on(async {
        let db = common::fresh_db().await;
        (serve(&db, &dist).await, serve(&db, plain.path()).await)
    });
    let driver = Driver::chromedriver();
    std::thread::sleep(Duration::from_millis(300));
    for f in [
        "web_admin_bg.wasm",
        "web_admin.js",
        "style.css",
        "index.html",
    ] {
        let size = |ext: &str| {
            std::fs::metadata(dist.join(format!("{f}{ext}")))
                .map(|m| m.len())
                .unwrap_or(0)
        };
        println!(
            "{f}: {} B raw, {} B gzip, {} B brotli",
            size(""),
            size(".gz"),
            size(".br")
        );
    }
    println!("| network | first usable screen (compressed) | baseline (uncompressed) | ratio | bytes (compressed / uncompressed) |");
    println!("|---|---|---|---|---|");
    for (name, slow) in [("loopback", false), ("10 Mbit/s, 40 ms RTT", true)] {
        let (mut t1, mut t0, mut b1, mut b0) = (vec![], vec![], 0.0, 0.0);
        for _ in 0..RUNS {
            let (t, b) = load(&driver, &ours, slow);
            t1.push(t);
            b1 = b;
            let (t, b) = load(&driver, &base, slow);
            t0.push(t);
            b0 = b;
        }
        let (m1, m0) = (median(t1), median(t0));
        println!(
            "| {name} | {m1:.0} ms | {m0:.0} ms | {:.2} | {:.0} kB / {:.0} kB |",
            m1 / m0,
            b1 / 1000.0,
            b0 / 1000.0
        );
    }
}
