//! A price change on the server until an online till (its background loop, polling off)
//! has it: the notification through Redis, the pull, the apply.

use std::time::{Duration, Instant};

use sync_server::AppState;
use uuid::Uuid;

/// A price change on the server until an online till (background loop, polling off)
/// has it: notification, pull, apply.
pub async fn price_change_latency(state: &AppState, dir: std::path::PathBuf, loc: Uuid) {
    use pos_desktop::sync_loop::{LoopOptions, SyncLoop};
    let product: Uuid = sqlx::query_scalar("SELECT id FROM products WHERE sku = 'BULK-1'")
        .fetch_one(&state.db)
        .await
        .expect("product");
    let lp = SyncLoop::start(
        dir.clone(),
        LoopOptions {
            poll: Duration::from_secs(3600),
            ..Default::default()
        },
        |_| {},
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let actor = sync_server::rbac::AuthUser {
        id: Uuid::nil(),
        login: "bench".into(),
        role: shared_model::Role::Admin,
        ip: None,
        session: None,
    };
    let mut times = Vec::new();
    for i in 0..20 {
        let price = 500 + i;
        let start = Instant::now();
        sync_server::catalog::set_price_svc(
            state,
            &actor,
            &sync_server::rbac::Scope::All,
            product,
            loc,
            Some(&format!("{price}.00")),
        )
        .await
        .expect("price");
        let d = dir.clone();
        tokio::task::spawn_blocking(move || {
            let till = pos_desktop::Till::open(&d).expect("open");
            while till
                .find_product("BULK-1")
                .map(|p| p.price.minor)
                .unwrap_or(0)
                != price as i64 * 100
            {
                std::thread::sleep(Duration::from_millis(2));
            }
        })
        .await
        .expect("poll");
        times.push(start.elapsed());
    }
    tokio::task::spawn_blocking(move || lp.stop())
        .await
        .expect("stop");
    times.sort();
    println!(
        "| price change on the server → online till has it (20 changes) | median {:.0} ms, max {:.0} ms | | |",
        times[10].as_secs_f64() * 1e3,
        times[19].as_secs_f64() * 1e3
    );
}
