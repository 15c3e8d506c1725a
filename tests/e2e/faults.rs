//! Fault injection: a TCP proxy between tills and the server drops requests, drops
//! responses after the server committed, delays and duplicates requests, while the
//! server process is killed and restarted mid-batch. Every till event must end up on
//! the server exactly once.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use shared_model::Tender;
use sqlx::Connection;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::helpers::*;
use crate::offline::{create_admin, free_port, login, ServerProcess};
use crate::sync::{enrolled_till, till};

/// Counts of what the proxy did, for the test's report.
#[derive(Default)]
struct Faults {
    passed: AtomicU64,
    dropped_requests: AtomicU64,
    dropped_responses: AtomicU64,
    duplicated: AtomicU64,
    delayed: AtomicU64,
}

struct Rng(AtomicU64);
impl Rng {
    fn below(&self, n: u64) -> u64 {
        let mut x = self.0.load(Ordering::Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0.store(x, Ordering::Relaxed);
        x % n
    }
}

/// Reads one HTTP/1.1 request (headers and a Content-Length body).
async fn read_request(c: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        let n = c.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap_or(0))
        })
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = c.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(with_connection_close(&buf))
}

/// Rewrites a request or response so the connection closes after it.
fn with_connection_close(msg: &[u8]) -> Vec<u8> {
    let Some(end) = msg.windows(4).position(|w| w == b"\r\n\r\n") else {
        return msg.to_vec();
    };
    let head = String::from_utf8_lossy(&msg[..end]);
    let mut out: Vec<String> = head
        .split("\r\n")
        .filter(|l| !l.to_lowercase().starts_with("connection:"))
        .map(str::to_owned)
        .collect();
    out.push("connection: close".into());
    let mut bytes = out.join("\r\n").into_bytes();
    bytes.extend_from_slice(&msg[end..]);
    bytes
}

async fn forward(req: &[u8], upstream: SocketAddr) -> Option<Vec<u8>> {
    let mut u = TcpStream::connect(upstream).await.ok()?;
    u.write_all(req).await.ok()?;
    let mut resp = Vec::new();
    u.read_to_end(&mut resp).await.ok()?;
    (!resp.is_empty()).then(|| with_connection_close(&resp))
}

async fn handle(mut c: TcpStream, upstream: SocketAddr, rng: Arc<Rng>, f: Arc<Faults>) {
    let Some(req) = read_request(&mut c).await else {
        return;
    };
    match rng.below(100) {
        0..=9 => {
            f.dropped_requests.fetch_add(1, Ordering::Relaxed);
        }
        10..=24 => {
            f.dropped_responses.fetch_add(1, Ordering::Relaxed);
            let _ = forward(&req, upstream).await;
        }
        25..=39 => {
            f.duplicated.fetch_add(1, Ordering::Relaxed);
            let (a, b) = tokio::join!(forward(&req, upstream), forward(&req, upstream));
            if let Some(resp) = a.or(b) {
                let _ = c.write_all(&resp).await;
            }
        }
        40..=49 => {
            f.delayed.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(50 + rng.below(250))).await;
            if let Some(resp) = forward(&req, upstream).await {
                let _ = c.write_all(&resp).await;
            }
        }
        _ => {
            f.passed.fetch_add(1, Ordering::Relaxed);
            if let Some(resp) = forward(&req, upstream).await {
                let _ = c.write_all(&resp).await;
            }
        }
    }
}

/// Starts the faulty proxy in front of `upstream`; returns its address.
async fn faulty_proxy(upstream: SocketAddr, seed: u64, faults: Arc<Faults>) -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let rng = Arc::new(Rng(AtomicU64::new(seed | 1)));
    tokio::spawn(async move {
        while let Ok((c, _)) = l.accept().await {
            tokio::spawn(handle(c, upstream, rng.clone(), faults.clone()));
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_arrives_exactly_once_through_faults_and_crashes() {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    println!("fault seed {seed}");
    let db = fresh_database().await;
    let prefix = format!("alaroma-test:{}:", uuid::Uuid::new_v4().simple());
    let port = free_port();
    create_admin(&db, &prefix);
    let mut server = Some(ServerProcess::start(&db, &prefix, port));
    let api = login(&format!("http://127.0.0.1:{port}")).await;
    let (store, _product, code1) = head_office(&api).await;
    let t2 = api
        .ok_post(
            "/terminals",
            serde_json::json!({"location_id": store["id"], "name": "T2"}),
        )
        .await;
    let code2 = t2["enrollment_code"].as_str().unwrap().to_owned();
    let faults = Arc::new(Faults::default());
    let proxy = faulty_proxy(
        format!("127.0.0.1:{port}").parse().unwrap(),
        seed,
        faults.clone(),
    )
    .await;
    // Enroll directly, then sync through the faulty proxy only.
    let direct = format!("http://127.0.0.1:{port}");
    let (_a, a) = enrolled_till(direct.clone(), code1).await;
    let (_b, b) = enrolled_till(direct, code2).await;
    for dir in [&a, &b] {
        // First sync straight to the server: head office's catalog and cashiers.
        till(dir.clone(), |t| {
            t.sync_once()?;
            t.login("654321")?;
            t.open_shift("0")
        })
        .await
        .unwrap();
        let p = proxy;
        till(dir.clone(), move |t| {
            let path = t.dir().join("device.json");
            let text = std::fs::read_to_string(&path)?;
            let mut v: serde_json::Value = serde_json::from_str(&text)?;
            v["server"] = serde_json::json!(format!("http://{p}"));
            std::fs::write(&path, v.to_string())?;
            Ok(())
        })
        .await
        .unwrap();
    }
    let rng = Rng(AtomicU64::new(seed.rotate_left(17) | 1));
    let rounds = 300;
    let (mut ok, mut failed, mut kills, mut pg_cuts) = (0, 0, 0, 0);
    for round in 0..rounds {
        // Now and then the server crashes (SIGKILL) in the middle of this round's sync,
        // and comes back a few rounds later.
        let mut killer = None;
        if server.is_some() && rng.below(30) == 0 {
            let s = server.take();
            let delay = Duration::from_millis(rng.below(40));
            killer = Some(tokio::task::spawn_blocking(move || {
                std::thread::sleep(delay);
                if let Some(s) = s {
                    s.kill();
                }
            }));
            kills += 1;
        } else if server.is_none() && rng.below(3) == 0 {
            server = Some(ServerProcess::start(&db, &prefix, port));
        } else if rng.below(30) == 0 {
            // A PostgreSQL restart as the server sees it: every connection to its database
            // is cut mid-transaction.
            let (db_name, delay) = (
                db.rsplit('/').next().unwrap_or_default().to_owned(),
                rng.below(40),
            );
            killer = Some(tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(delay)).await;
                let mut c = sqlx::PgConnection::connect(&admin_url()).await.unwrap();
                sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()")
                    .bind(db_name)
                    .execute(&mut c)
                    .await
                    .unwrap();
            }));
            pg_cuts += 1;
        }
        let dir = if round % 2 == 0 { a.clone() } else { b.clone() };
        let n = 1 + rng.below(3) as usize;
        till(dir.clone(), move |t| {
            for _ in 0..n {
                t.add_item("CH-50", None)?;
                t.pay(Tender::Cash, "100", None)?;
                t.complete_sale()?;
            }
            Ok(())
        })
        .await
        .unwrap();
        match till(dir, |t| t.sync_once()).await {
            Ok(_) => ok += 1,
            Err(pos_desktop::TillError::Network(_)) => failed += 1,
            Err(e) => panic!("only network failures are expected, got {e}"),
        }
        if let Some(k) = killer {
            k.await.unwrap();
        }
    }
    if server.is_none() {
        server = Some(ServerProcess::start(&db, &prefix, port));
    }
    // Settle: keep syncing until both tills have nothing waiting.
    for dir in [&a, &b] {
        let mut done = false;
        for _ in 0..200 {
            if till(dir.clone(), |t| t.sync_once())
                .await
                .is_ok_and(|r| r.pending == 0)
            {
                done = true;
                break;
            }
        }
        assert!(done, "a till never drained its outbox");
    }
    // The invariant: each till's events are on the server exactly once.
    let pool = sqlx::PgPool::connect(&db).await.unwrap();
    for dir in [&a, &b] {
        let (terminal, events, sales_total, receipts) = till(dir.clone(), |t| {
            let ev = t.pending_events(0)?; // none pending now
            assert!(ev.is_empty());
            let v = t.verify()?;
            assert!(v.ok, "{:?}", v.problems);
            let x = t.x_report()?;
            Ok((
                t.terminal_id(),
                v.events as i64,
                x.sales.minor,
                v.receipts as i64,
            ))
        })
        .await
        .unwrap();
        let (held, distinct): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COUNT(DISTINCT seq) FROM alaroma.till_events WHERE terminal_id = $1",
        )
        .bind(terminal)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(
            (held, distinct),
            (events, events),
            "events on the server for {terminal}"
        );
        let (sales, total): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(total_minor), 0)::bigint FROM alaroma.sales WHERE terminal_id = $1",
        )
        .bind(terminal)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!((sales, total), (receipts, sales_total));
    }
    let alerts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM alaroma.sync_alerts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(alerts, 0, "no forks or chain breaks from faults");
    println!(
        "{rounds} rounds ({ok} synced, {failed} failed, {kills} server crashes, {pg_cuts} database connection cuts): passed {}, dropped requests {}, dropped responses {}, duplicated {}, delayed {}",
        faults.passed.load(Ordering::Relaxed),
        faults.dropped_requests.load(Ordering::Relaxed),
        faults.dropped_responses.load(Ordering::Relaxed),
        faults.duplicated.load(Ordering::Relaxed),
        faults.delayed.load(Ordering::Relaxed)
    );
    if let Some(s) = server {
        s.kill();
    }
}
