//! The `sync-server` binary as IT staff run it: create-admin, serve, HTTP, SIGTERM.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use reqwest::StatusCode;
use serde_json::json;

use crate::flow::done_when_walk;
use crate::helpers::*;

fn server(database_url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sync-server"));
    c.env("DATABASE_URL", database_url)
        .env("REDIS_URL", redis_url())
        .env(
            "ALAROMA_JWT_SECRET",
            "process-test-secret-process-test-secret-01",
        )
        .env("ALAROMA_COOKIE_SECURE", "false")
        .env(
            "ALAROMA_REDIS_PREFIX",
            format!("alaroma-test:{}:", uuid::Uuid::new_v4().simple()),
        )
        .env("ALAROMA_LOG_FORMAT", "json");
    c
}

#[tokio::test]
async fn the_binary_creates_an_admin_serves_and_shuts_down_gracefully() {
    let db = fresh_database().await;
    let mut admin = server(&db)
        .args(["create-admin", "--login", "boss", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    admin
        .stdin
        .take()
        .unwrap()
        .write_all(b"a very secret password\n")
        .unwrap();
    let out = admin.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Secrets never reach the logs.
    let logs =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(!logs.contains("a very secret password") && !logs.contains("process-test-secret"));

    let mut child = server(&db)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut addr = String::new();
    while !addr.starts_with("listening on ") {
        addr.clear();
        assert!(
            stdout.read_line(&mut addr).unwrap() > 0,
            "server exited before listening"
        );
    }
    let base = addr.trim().trim_start_matches("listening on ").to_owned();
    let c = reqwest::Client::new();
    let resp = c
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"login": "boss", "password": "a very secret password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let token = resp.json::<serde_json::Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let api = Api {
        app_url: format!("{base}/api/v1"),
        token,
        client: c.clone(),
    };
    let (store, wh, product) = done_when_walk(&api).await;
    assert_eq!(level(&api, &wh, &product).await, "6");
    assert_eq!(level(&api, &store, &product).await, "3");
    assert_eq!(
        c.get(format!("{base}/health"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "graceful shutdown exits 0, got {exit}");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    let logs = rest + &err;
    // JSON logs with the seed's fields; never a password or token.
    let line = logs
        .lines()
        .find(|l| l.contains("\"request\"") || l.contains("user logged in"))
        .expect("a request log line");
    let v: serde_json::Value = serde_json::from_str(line).expect("json log");
    assert!(v.get("timestamp").is_some() && v.get("level").is_some());
    assert!(!logs.contains("a very secret password") && !logs.contains(&api.token));
}
