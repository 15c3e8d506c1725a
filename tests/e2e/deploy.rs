//! The deployment as IT runs it: the compose files validate (Debian's `docker-compose
//! config`, no engine needed) with only nginx published, and a server restored from last
//! night's backup (`deploy/backup/backup.sh` → wipe → `restore.sh`, real PostgreSQL) ends
//! with exact totals once its till resends what the backup lacked.

use std::path::{Path, PathBuf};
use std::process::Command;

use secrecy::ExposeSecret;
use serde_json::{json, Value};
use sqlx::{Connection, PgConnection};

use crate::helpers::*;
use crate::support::succeeded;
use crate::sync::{enrolled_till, sell, till};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `docker-compose config` of the given files as JSON (through python3's yaml, which
/// docker-compose itself depends on).
fn compose_config(files: &[&str]) -> Value {
    let mut cmd = Command::new("docker-compose");
    for f in files {
        cmd.arg("-f").arg(root().join(f));
    }
    let out = cmd
        .args(["--env-file", ".env.example", "config"])
        .current_dir(root())
        .env("POSTGRES_PASSWORD", "test-password")
        .env(
            "ALAROMA_JWT_SECRET",
            "a-secret-of-at-least-thirty-two-characters",
        )
        .output()
        .expect("docker-compose (apt install docker-compose; scripts/test.sh installs it)");
    assert!(
        out.status.success(),
        "docker-compose config: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = Command::new("python3")
        .args([
            "-c",
            "import sys, yaml, json; print(json.dumps(yaml.safe_load(sys.stdin)))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut p| {
            use std::io::Write;
            p.stdin.take().unwrap().write_all(&out.stdout)?;
            p.wait_with_output()
        })
        .unwrap();
    serde_json::from_slice(&json.stdout).unwrap()
}

#[test]
fn the_compose_files_validate_and_publish_only_nginx() {
    let base = compose_config(&["docker-compose.yml"]);
    let prod = compose_config(&["docker-compose.yml", "docker-compose.prod.yml"]);
    for cfg in [&base, &prod] {
        let services = cfg["services"].as_object().unwrap();
        for (name, s) in services {
            let published = s.get("ports").is_some();
            assert_eq!(published, name == "nginx", "{name} publishes ports: {s}");
            assert_eq!(s["logging"]["driver"], "json-file", "{name}");
            assert_eq!(s["logging"]["options"]["max-size"], "10m", "{name}");
            assert_eq!(s["logging"]["options"]["max-file"], "5", "{name}");
            let nets: Vec<&String> = s["networks"].as_object().unwrap().keys().collect();
            assert!(nets.iter().any(|n| *n == "internal"), "{name}: {nets:?}");
        }
        assert_eq!(cfg["networks"]["internal"]["internal"], true);
        let redis = services["redis"]["command"].to_string();
        assert!(
            redis.contains("noeviction") && redis.contains("appendonly"),
            "{redis}"
        );
    }
    let prod = prod["services"].as_object().unwrap();
    assert_eq!(prod["sync-server"]["deploy"]["replicas"], 2);
    for (name, s) in prod {
        assert!(
            s["deploy"]["resources"]["limits"]["memory"].is_string(),
            "{name} has no memory limit"
        );
    }
}

fn pg_env(cmd: &mut Command, db_url: &str) {
    // postgres://user@host:port/db → the PG* variables the scripts read.
    let rest = db_url.trim_start_matches("postgres://");
    let (auth, rest) = rest.split_once('@').unwrap();
    let (hostport, db) = rest.split_once('/').unwrap();
    let (host, port) = hostport.split_once(':').unwrap_or((hostport, "5432"));
    cmd.env("PGUSER", auth.split(':').next().unwrap())
        .env("PGHOST", host)
        .env("PGPORT", port)
        .env("PGDATABASE", db);
}

fn run_script(script: &str, args: &[&Path], db_url: &str, backups: &Path) -> String {
    let mut cmd = Command::new("sh");
    cmd.arg(root().join("deploy/backup").join(script))
        .args(args)
        .env("BACKUP_DIR", backups)
        .env("BACKUP_KEEP_DAYS", "7");
    pg_env(&mut cmd, db_url);
    succeeded(cmd.output().unwrap(), script)
}

async fn net_sales(api: &Api) -> Value {
    let today = chrono::Utc::now().date_naive();
    let (from, to) = (today - chrono::Days::new(2), today + chrono::Days::new(2));
    let (s, r) = api
        .get(&format!("/reports/sales-by/store?from={from}&to={to}"))
        .await;
    assert!(s.is_success(), "{r}");
    json!([r["rows"][0]["receipts"], r["rows"][0]["net"]])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_restored_from_last_nights_backup_gets_the_gap_back_from_its_till() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let (_store, _product, code) = head_office(&api).await;
    let server = format!("http://{}", app.addr);
    let (_tmp, dir) = enrolled_till(server, code).await;
    till(dir.clone(), |t| t.sync_once()).await.unwrap();
    till(dir.clone(), sell(2)).await.unwrap();
    assert_eq!(net_sales(&api).await, json!([2, "200.00"]));

    // Last night's backup, then a day of trading the backup does not have.
    let backups = tempfile::tempdir().unwrap();
    let db_url = app.state.config.database_url.expose_secret().to_owned();
    let out = run_script("backup.sh", &[], &db_url, backups.path());
    assert!(out.contains("written"), "{out}");
    let dump = std::fs::read_dir(backups.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "dump"))
        .expect("a dump");
    till(dir.clone(), sell(3)).await.unwrap();
    assert_eq!(net_sales(&api).await, json!([5, "500.00"]));

    // The database is lost (its connections cut); IT recreates it empty and restores.
    let name = db_url.rsplit('/').next().unwrap().to_owned();
    let mut admin = PgConnection::connect(&admin_url()).await.unwrap();
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let out = run_script("restore.sh", &[dump.as_path()], &db_url, backups.path());
    assert!(out.contains("2 sales"), "{out}");
    // Restoring over a database that has data is refused.
    let mut again = Command::new("sh");
    again
        .arg(root().join("deploy/backup/restore.sh"))
        .arg(&dump);
    pg_env(&mut again, &db_url);
    assert!(!again.output().unwrap().status.success());

    // The server reconnects to the restored database: it knows last night's two sales.
    let api = app.login(ADMIN.0, ADMIN.1).await;
    assert_eq!(net_sales(&api).await, json!([2, "200.00"]));

    // The till's next sale finds head office behind, resends the three it lacks with it,
    // and every total is exact again: no sale lost, none twice.
    let r = till(dir.clone(), sell(1)).await.unwrap();
    assert_eq!(r.pending, 0);
    assert_eq!(net_sales(&api).await, json!([6, "600.00"]));
    let (_, sales) = api.get("/sales?per_page=200").await;
    assert_eq!(sales["total"], 6);
}
