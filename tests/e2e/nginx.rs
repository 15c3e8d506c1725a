//! The production nginx configuration (`deploy/nginx/alaroma.conf.template`), rendered as
//! the nginx image renders it and run by Debian's nginx in front of a real server: `nginx -t`,
//! TLS with a generated certificate over HTTP/2, the security headers on every answer, the
//! web admin's files (gzip siblings, revalidation, client-side routes), the API and its
//! server-sent events proxied, the login rate limit answered with 429 in the API's error
//! shape, and a WebSocket upgrade passed through to the upstream.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::helpers::*;

/// A running nginx on the rendered template, stopped on drop.
struct Nginx {
    child: Child,
    https: u16,
    http: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Nginx {
    /// SIGQUIT: the master stops its workers (a SIGKILL would orphan them).
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-QUIT", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap()
}

fn wait_port(port: u16) {
    let t = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "nginx did not listen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Renders the template with `upstream` (`host:port`) and starts nginx on it.
fn start_nginx(upstream: &str) -> Nginx {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
    // A certificate of our own, as IT would get one (or let an ACME client replace it).
    let ok = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
        ])
        .arg("-keyout")
        .arg(d.join("tls.key"))
        .arg("-out")
        .arg(d.join("tls.crt"))
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(ok.success(), "openssl");
    // The admin's files: an index and a wasm file with its gzip sibling.
    let admin = d.join("admin");
    std::fs::create_dir(&admin).unwrap();
    std::fs::write(
        admin.join("index.html"),
        "<!doctype html><title>Al Aroma</title>",
    )
    .unwrap();
    let wasm = vec![0u8; 4096];
    std::fs::write(admin.join("web_admin_bg.wasm"), &wasm).unwrap();
    let gz = Command::new("gzip")
        .args(["-9", "-k"])
        .arg(admin.join("web_admin_bg.wasm"))
        .status()
        .unwrap();
    assert!(gz.success());
    for f in std::fs::read_dir(&admin).unwrap() {
        let p = f.unwrap().path();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    std::fs::set_permissions(&admin, std::fs::Permissions::from_mode(0o755)).unwrap();

    let (https, http) = (free_port(), free_port());
    let template = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/nginx/alaroma.conf.template"),
    )
    .unwrap();
    let vars = [
        ("UPSTREAM_SERVERS", format!("server {upstream};")),
        ("SERVER_NAME", "localhost".into()),
        ("HTTP_PORT", http.to_string()),
        ("HTTPS_PORT", https.to_string()),
        ("TLS_CERT", d.join("tls.crt").display().to_string()),
        ("TLS_KEY", d.join("tls.key").display().to_string()),
        ("ADMIN_DIR", admin.display().to_string()),
        ("ACCESS_LOG", d.join("access.log").display().to_string()),
        ("LOGIN_RATE", "10r/m".into()),
        ("LOGIN_BURST", "3".into()),
        ("API_RATE", "50r/s".into()),
        ("API_BURST", "100".into()),
    ];
    let mut conf = template;
    for (k, v) in &vars {
        conf = conf.replace(&format!("${{{k}}}"), v);
    }
    assert!(
        !conf.contains("${"),
        "a variable the test does not set: {conf}"
    );
    std::fs::write(d.join("alaroma.conf"), conf).unwrap();
    let p = d.display();
    std::fs::write(
        d.join("nginx.conf"),
        format!(
            "worker_processes 1;\npid {p}/nginx.pid;\nerror_log {p}/error.log warn;\n\
             events {{ worker_connections 256; }}\nhttp {{\n  include /etc/nginx/mime.types;\n\
             default_type application/octet-stream;\n  client_body_temp_path {p}/body;\n\
             proxy_temp_path {p}/proxy;\n  fastcgi_temp_path {p}/fastcgi;\n\
             uwsgi_temp_path {p}/uwsgi;\n  scgi_temp_path {p}/scgi;\n  include {p}/alaroma.conf;\n}}\n"
        ),
    )
    .unwrap();
    let nginx = std::env::var("NGINX").unwrap_or_else(|_| "/usr/sbin/nginx".into());
    let conf = d.join("nginx.conf");
    let check = Command::new(&nginx)
        .arg("-t")
        .arg("-p")
        .arg(d)
        .arg("-c")
        .arg(&conf)
        .output()
        .expect("nginx (apt install nginx; scripts/test.sh installs it)");
    assert!(
        check.status.success(),
        "nginx -t: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    let child = Command::new(&nginx)
        .arg("-p")
        .arg(d)
        .arg("-c")
        .arg(&conf)
        .args(["-g", "daemon off;"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_port(https);
    Nginx {
        child,
        https,
        http,
        _dir: dir,
    }
}

/// `curl -k` with `args`; returns the response head and body as text.
fn curl(args: &[&str]) -> (String, String) {
    let out = Command::new("curl")
        .args(["-k", "-sS", "-D", "-", "--max-time", "5"])
        .args(args)
        .output()
        .expect("curl");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    match text.split_once("\r\n\r\n") {
        Some((head, body)) => (head.to_lowercase(), body.to_owned()),
        None => (text.to_lowercase(), String::new()),
    }
}

fn assert_security_headers(head: &str) {
    for h in [
        "strict-transport-security: max-age=31536000",
        "x-content-type-options: nosniff",
        "x-frame-options: deny",
        "content-security-policy: default-src 'self'; script-src 'self' 'wasm-unsafe-eval'",
    ] {
        assert!(head.contains(h), "missing {h} in\n{head}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_serves_the_admin_and_proxies_the_api_over_tls_with_limits_and_headers() {
    let app = spawn_app().await;
    app.create_admin().await;
    let ng = tokio::task::spawn_blocking({
        let up = app.addr.to_string();
        move || start_nginx(&up)
    })
    .await
    .unwrap();
    let base = format!("https://localhost:{}", ng.https);
    let resolve = format!("localhost:{}:127.0.0.1", ng.https);
    let c = |args: Vec<String>| {
        let mut a = vec!["--resolve".to_owned(), resolve.clone()];
        a.extend(args);
        tokio::task::spawn_blocking(move || curl(&a.iter().map(String::as_str).collect::<Vec<_>>()))
    };

    // Plain HTTP goes to HTTPS.
    let (head, _) = c(vec![format!("http://127.0.0.1:{}/catalog", ng.http)])
        .await
        .unwrap();
    assert!(head.starts_with("http/1.1 301"), "{head}");
    assert!(
        head.contains("location: https://127.0.0.1/catalog"),
        "{head}"
    );

    // HTTP/2 over TLS to the server's health check, with every security header.
    let (head, body) = c(vec!["--http2".into(), format!("{base}/health")])
        .await
        .unwrap();
    assert!(head.starts_with("http/2 200"), "{head}");
    assert_security_headers(&head);
    let health: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(health["status"], "up", "{body}");

    // The admin: a client-side route answers index.html, the wasm comes gzipped from its
    // sibling as application/wasm, and a second visit revalidates to 304.
    let (head, body) = c(vec![format!("{base}/reports")]).await.unwrap();
    assert!(
        head.starts_with("http/2 200") && body.contains("Al Aroma"),
        "{head}{body}"
    );
    assert!(head.contains("cache-control: no-cache"), "{head}");
    assert_security_headers(&head);
    let (head, _) = c(vec![
        "-H".into(),
        "accept-encoding: gzip".into(),
        format!("{base}/web_admin_bg.wasm"),
    ])
    .await
    .unwrap();
    assert!(
        head.contains("content-encoding: gzip") && head.contains("content-type: application/wasm"),
        "{head}"
    );
    let etag = head
        .lines()
        .find_map(|l| l.strip_prefix("etag: "))
        .unwrap()
        .trim()
        .to_owned();
    let (head, _) = c(vec![
        "-H".into(),
        "accept-encoding: gzip".into(),
        "-H".into(),
        format!("if-none-match: {etag}"),
        format!("{base}/web_admin_bg.wasm"),
    ])
    .await
    .unwrap();
    assert!(head.starts_with("http/2 304"), "{head}");

    // The API through nginx: a login, then live totals as server-sent events, unbuffered.
    let (head, body) = c(vec![
        "-H".into(),
        "content-type: application/json".into(),
        "--data".into(),
        format!(r#"{{"login":"{}","password":"{}"}}"#, ADMIN.0, ADMIN.1),
        format!("{base}/api/v1/auth/login"),
    ])
    .await
    .unwrap();
    assert!(head.starts_with("http/2 200"), "{head}{body}");
    assert_security_headers(&head);
    let token = serde_json::from_str::<Value>(&body).unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (head, body) = c(vec![
        "-N".into(),
        "--max-time".into(),
        "2".into(),
        "-H".into(),
        format!("authorization: Bearer {token}"),
        format!("{base}/api/v1/reports/live"),
    ])
    .await
    .unwrap();
    assert!(head.contains("content-type: text/event-stream"), "{head}");
    assert!(body.contains("event: totals"), "{body}");

    // Password guessing from one address: after the burst nginx answers 429 itself, in
    // the API's error shape, before the server sees the guesses.
    let mut limited = 0;
    for i in 0..8 {
        let (head, body) = c(vec![
            "-H".into(),
            "content-type: application/json".into(),
            "--data".into(),
            format!(r#"{{"login":"guess{i}","password":"wrong password"}}"#),
            format!("{base}/api/v1/auth/login"),
        ])
        .await
        .unwrap();
        if head.starts_with("http/2 429") {
            let v: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(v["error"]["code"], "rate_limited");
            assert_security_headers(&head);
            limited += 1;
        } else {
            assert!(head.starts_with("http/2 401"), "{head}");
        }
    }
    assert!(
        limited >= 4,
        "only {limited} of 8 rapid guesses were limited"
    );
    drop(ng);
}

/// An upstream that answers a WebSocket handshake and reports the headers it was sent.
fn fake_ws_upstream() -> (String, std::sync::mpsc::Receiver<String>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { return };
            let mut head = String::new();
            let mut r = BufReader::new(s.try_clone().unwrap());
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                head.push_str(&line.to_lowercase());
            }
            let _ = s.write_all(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                  Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
            );
            let _ = tx.send(head);
        }
    });
    (addr, rx)
}

#[test]
fn nginx_passes_a_websocket_upgrade_and_the_real_client_address_through() {
    let (up, seen) = fake_ws_upstream();
    let ng = start_nginx(&up);
    let (head, _) = curl(&[
        "--http1.1",
        "--max-time",
        "2",
        "--resolve",
        &format!("localhost:{}:127.0.0.1", ng.https),
        "-H",
        "Connection: Upgrade",
        "-H",
        "Upgrade: websocket",
        "-H",
        "Sec-WebSocket-Version: 13",
        "-H",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        // A client forging where it comes from: nginx writes what it saw instead.
        "-H",
        "X-Forwarded-For: 6.6.6.6",
        "-H",
        "X-Real-IP: 6.6.6.6",
        &format!("https://localhost:{}/api/v1/notifications", ng.https),
    ]);
    assert!(head.starts_with("http/1.1 101"), "{head}");
    let upstream = seen.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(upstream.contains("upgrade: websocket"), "{upstream}");
    assert!(upstream.contains("connection: upgrade"), "{upstream}");
    assert!(upstream.contains("x-forwarded-proto: https"), "{upstream}");
    assert!(
        upstream.contains("x-forwarded-for: 127.0.0.1\r\n"),
        "{upstream}"
    );
    assert!(upstream.contains("x-real-ip: 127.0.0.1\r\n"), "{upstream}");
    assert!(!upstream.contains("6.6.6.6"), "{upstream}");
}
