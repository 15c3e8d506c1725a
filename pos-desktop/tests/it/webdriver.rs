//! Just enough of the W3C WebDriver protocol to drive the till window through
//! tauri-driver (WebKitWebDriver underneath), and the web admin through chromedriver
//! (headless Chromium; sync-server's tests include this file): sessions, elements by
//! `data-testid`, typing, clicking, text and screenshots. Blocking, over reqwest.

use std::io::Read;
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Keys as WebDriver spells them.
pub const ENTER: &str = "\u{E007}";
pub const ESCAPE: &str = "\u{E00C}";
pub const F4: &str = "\u{E034}";
pub const F5: &str = "\u{E035}";
pub const F6: &str = "\u{E036}";
pub const F8: &str = "\u{E038}";
pub const F9: &str = "\u{E039}";
pub const F10: &str = "\u{E03A}";
pub const F12: &str = "\u{E03C}";

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A running X server for the window (Xvfb), unless one is given in `DISPLAY`.
pub struct Display {
    child: Option<Child>,
    /// The `DISPLAY` value.
    pub name: String,
}

impl Display {
    /// Starts Xvfb on a free display number.
    pub fn start() -> Display {
        if let Ok(d) = std::env::var("DISPLAY") {
            return Display {
                child: None,
                name: d,
            };
        }
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = 90
            + (std::process::id() % 50) * 4
            + NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!(":{n}");
        let child = Command::new("Xvfb")
            .args([
                name.as_str(),
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb (apt install xvfb; scripts/test.sh installs it)");
        std::thread::sleep(Duration::from_millis(500));
        Display {
            child: Some(child),
            name,
        }
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        if let Some(c) = &mut self.child {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// tauri-driver on a free port, stopped with SIGTERM (a SIGKILL would leave
/// WebKitWebDriver holding its port).
pub struct Driver {
    child: Child,
    port: u16,
    /// Held for the driver's life (released after its Drop stops the child).
    _turn: Turn,
}

/// Window tests share two cores. A test whose meaning lies in key timing (a scanner's
/// 5 ms keys told from a person's 90 ms ones) runs with no other window or heavy test
/// beside it: a starved X server hands a queue of a person's keys to the window at once,
/// and they read as a scan.
static WINDOWS: RwLock<()> = RwLock::new(());

/// A test's turn on the machine: shared with other windows, or alone.
pub enum Turn {
    /// Other windows may run beside it.
    Shared(#[allow(dead_code)] RwLockReadGuard<'static, ()>),
    /// Nothing heavy runs beside it.
    Alone(#[allow(dead_code)] RwLockWriteGuard<'static, ()>),
}

/// Waits for a turn (a panicked test's turn is over all the same).
pub fn turn(alone: bool) -> Turn {
    if alone {
        Turn::Alone(WINDOWS.write().unwrap_or_else(|e| e.into_inner()))
    } else {
        Turn::Shared(WINDOWS.read().unwrap_or_else(|e| e.into_inner()))
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Driver {
    /// Starts tauri-driver for an app that sees `env`, beside other windows.
    pub fn start(display: &Display, env: &[(&str, &Path)]) -> Driver {
        Driver::start_in(display, env, turn(false))
    }

    /// Starts tauri-driver for an app that sees `env`, with no other window beside it.
    pub fn start_alone(display: &Display, env: &[(&str, &Path)]) -> Driver {
        Driver::start_in(display, env, turn(true))
    }

    fn start_in(display: &Display, env: &[(&str, &Path)], turn: Turn) -> Driver {
        let port = free_port();
        let native = free_port();
        let mut cmd =
            Command::new(std::env::var("TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".into()));
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .env("DISPLAY", &display.name)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd
            .spawn()
            .expect("tauri-driver (cargo install tauri-driver; scripts/test.sh installs it)");
        let t = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                t.elapsed() < Duration::from_secs(20),
                "tauri-driver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver {
            child,
            port,
            _turn: turn,
        }
    }

    /// Starts chromedriver (Debian's `chromium-driver`) for headless Chromium.
    pub fn chromedriver() -> Driver {
        let port = free_port();
        let child = Command::new(
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()),
        )
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect(
            "chromedriver (apt install chromium chromium-driver; scripts/test.sh installs them)",
        );
        let t = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                t.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver {
            child,
            port,
            _turn: turn(false),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// A WebDriver session on the app window.
pub struct Session {
    http: reqwest::blocking::Client,
    base: String,
}

impl Session {
    /// Launches the app at `app` and opens a session on its window.
    pub fn open(driver: &Driver, app: &Path) -> Session {
        Session::open_with(driver, app, &[])
    }

    /// Launches the app at `app` with command-line `args` and opens a session on its window.
    pub fn open_with(driver: &Driver, app: &Path, args: &[&str]) -> Session {
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "wry",
            "tauri:options": {"application": app, "args": args}}}});
        Session::with(driver, caps)
    }

    /// Opens headless Chromium (flags from the machine notes: without the networking
    /// ones it keeps trying hosts it cannot reach), in `lang`, 1366×900.
    pub fn chromium(driver: &Driver, lang: &str) -> Session {
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome",
            "goog:chromeOptions": {
                "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--window-size=1366,900", format!("--lang={lang}")]}}}});
        Session::with(driver, caps)
    }

    fn with(driver: &Driver, caps: Value) -> Session {
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("client");
        let root = format!("http://127.0.0.1:{}", driver.port);
        // tauri-driver listens before WebKitWebDriver behind it does: retry briefly.
        let t = Instant::now();
        let v: Value = loop {
            match http
                .post(format!("{root}/session"))
                .json(&caps)
                .send()
                .and_then(|r| r.json())
            {
                Ok(v) => break v,
                Err(e) if t.elapsed() < Duration::from_secs(20) => {
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(300));
                }
                Err(e) => panic!("new session: {e}"),
            }
        };
        let id = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {v}"))
            .to_owned();
        Session {
            http,
            base: format!("{root}/session/{id}"),
        }
    }

    fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let mut text = String::new();
        req.send()
            .expect("webdriver call")
            .read_to_string(&mut text)
            .expect("webdriver answer");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// The element with this `data-testid`, waiting up to 30 s for it to appear (a loaded
    /// 2-core machine runs the crash test beside this).
    pub fn find(&self, testid: &str) -> String {
        self.find_css(&format!("[data-testid=\"{testid}\"]"))
    }

    /// The element a CSS selector picks, waiting up to 30 s for it to appear.
    pub fn find_css(&self, css: &str) -> String {
        let t = Instant::now();
        loop {
            let v = self.send(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            );
            if let Some(id) = v["value"][ELEMENT].as_str() {
                return id.to_owned();
            }
            assert!(
                t.elapsed() < Duration::from_secs(30),
                "no element {css} on screen: {v}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Whether an element with this `data-testid` is on screen now.
    pub fn has(&self, testid: &str) -> bool {
        let v = self.send(
            reqwest::Method::POST,
            "/elements",
            Some(json!({"using": "css selector", "value": format!("[data-testid=\"{testid}\"]")})),
        );
        v["value"].as_array().is_some_and(|a| !a.is_empty())
    }

    /// Waits up to 30 s until no element with this `data-testid` is on screen.
    pub fn wait_gone(&self, testid: &str) {
        let t = Instant::now();
        while self.has(testid) {
            assert!(t.elapsed() < Duration::from_secs(30), "{testid} stayed");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Types into an element (keys included, e.g. [`ENTER`]).
    pub fn type_into(&self, testid: &str, text: &str) {
        // WebDriver types at machine speed; a person's Enter after a filled field comes a
        // moment later, so the till window does not take field and Enter for a scan.
        if text == ENTER {
            std::thread::sleep(Duration::from_millis(200));
        }
        // A screen that re-renders between finding the field and typing makes the element
        // stale and the keys go nowhere; find it again rather than lose them silently.
        let t = Instant::now();
        loop {
            let e = self.find(testid);
            let v = self.send(
                reqwest::Method::POST,
                &format!("/element/{e}/value"),
                Some(json!({"text": text})),
            );
            let Some(error) = v["value"]["error"].as_str() else {
                return;
            };
            assert!(
                t.elapsed() < Duration::from_secs(30),
                "could not type into {testid}: {v}"
            );
            assert!(
                matches!(
                    error,
                    "stale element reference" | "element not interactable"
                ),
                "typing into {testid}: {v}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Replaces an input's text.
    pub fn fill(&self, testid: &str, text: &str) {
        let e = self.find(testid);
        self.send(
            reqwest::Method::POST,
            &format!("/element/{e}/clear"),
            Some(json!({})),
        );
        self.send(
            reqwest::Method::POST,
            &format!("/element/{e}/value"),
            Some(json!({"text": text})),
        );
    }

    /// Clicks an element.
    pub fn click(&self, testid: &str) {
        self.click_css(&format!("[data-testid=\"{testid}\"]"));
    }

    /// Clicks the element a CSS selector picks.
    pub fn click_css(&self, css: &str) {
        let e = self.find_css(css);
        self.send(
            reqwest::Method::POST,
            &format!("/element/{e}/click"),
            Some(json!({})),
        );
    }

    /// Picks the option with `value` in the select with this `data-testid`.
    pub fn select(&self, testid: &str, value: &str) {
        self.click_css(&format!(
            "[data-testid=\"{testid}\"] option[value=\"{value}\"]"
        ));
    }

    /// Sends a Chrome DevTools Protocol command (chromedriver only).
    pub fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.send(
            reqwest::Method::POST,
            "/goog/cdp/execute",
            Some(json!({"cmd": cmd, "params": params})),
        )
    }

    /// Resizes the window (a tablet, a laptop).
    pub fn resize(&self, width: u32, height: u32) {
        self.send(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        );
    }

    /// Forgets every cookie (a session that ended elsewhere).
    pub fn delete_cookies(&self) {
        self.send(reqwest::Method::DELETE, "/cookie", None);
    }

    /// Opens a URL in the session's window.
    pub fn navigate(&self, url: &str) {
        self.send(reqwest::Method::POST, "/url", Some(json!({"url": url})));
    }

    /// An element's visible text.
    pub fn text(&self, testid: &str) -> String {
        let e = self.find(testid);
        self.send(reqwest::Method::GET, &format!("/element/{e}/text"), None)["value"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Waits until a control is enabled (an engine call behind it has answered).
    pub fn wait_enabled(&self, testid: &str) {
        let t = Instant::now();
        loop {
            let e = self.find(testid);
            let v = self.send(reqwest::Method::GET, &format!("/element/{e}/enabled"), None);
            if v["value"] == Value::Bool(true) {
                return;
            }
            assert!(
                t.elapsed() < Duration::from_secs(30),
                "{testid} stayed disabled"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// An input's current value.
    pub fn value(&self, testid: &str) -> String {
        let e = self.find(testid);
        self.send(
            reqwest::Method::GET,
            &format!("/element/{e}/property/value"),
            None,
        )["value"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Waits until an element's text satisfies `ok`, and returns it.
    pub fn wait_text(&self, testid: &str, ok: impl Fn(&str) -> bool) -> String {
        let t = Instant::now();
        loop {
            let s = self.text(testid);
            if ok(&s) {
                return s;
            }
            assert!(
                t.elapsed() < Duration::from_secs(30),
                "{testid} shows {s:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Runs an async script in the window (`arguments[0]` is its callback) and returns
    /// what it passed back.
    pub fn execute_async(&self, script: &str) -> Value {
        self.send(
            reqwest::Method::POST,
            "/execute/async",
            Some(json!({"script": script, "args": []})),
        )["value"]
            .clone()
    }

    /// Saves a PNG of the window.
    pub fn screenshot(&self, path: &Path) {
        // Let WebKit paint what the DOM already holds.
        std::thread::sleep(Duration::from_millis(700));
        let v = self.send(reqwest::Method::GET, "/screenshot", None);
        let b64 = v["value"].as_str().unwrap_or_default();
        std::fs::write(path, decode_base64(b64)).expect("screenshot file");
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.http.delete(&self.base).send();
    }
}

fn decode_base64(s: &str) -> Vec<u8> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for v in s.bytes().filter_map(val) {
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}
