//! What the server benches share: a fresh database of their own.

use sqlx::{Connection, PgConnection};
use uuid::Uuid;

/// Creates an empty database on the test PostgreSQL and returns its URL.
pub async fn fresh_db() -> String {
    let admin = std::env::var("ALAROMA_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("alaroma_bench_{}", Uuid::new_v4().simple());
    let mut c = PgConnection::connect(&admin).await.expect("PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut c)
        .await
        .expect("create db");
    format!(
        "{}/{name}",
        admin.rsplit_once('/').map_or(admin.as_str(), |p| p.0)
    )
}
