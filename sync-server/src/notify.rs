//! "New data is waiting" notifications for online tills, and "a store's sales changed"
//! for live reports. Writers publish to a Redis channel after commit; every server
//! instance subscribes and fans out to the tills and browsers connected to it over
//! server-sent events. Redis down only delays notifications: tills still poll.

use std::time::Duration;

use futures_util::StreamExt;
use secrecy::ExposeSecret;
use uuid::Uuid;

use crate::AppState;

/// Channel name (under the configured prefix).
fn channel(state: &AppState) -> String {
    format!("{}changes", state.config.redis_prefix)
}

/// The channel of sales notices.
fn sales_channel(state: &AppState) -> String {
    format!("{}sales", state.config.redis_prefix)
}

/// Publishes `location` (or "all") on `channel`; failures are logged, never returned:
/// what the notice is about is already committed.
async fn publish(state: &AppState, channel: String, location: Option<Uuid>) {
    let mut redis = state.redis.clone();
    let payload = location.map(|l| l.to_string()).unwrap_or_default();
    let r: redis::RedisResult<i64> = redis::cmd("PUBLISH")
        .arg(channel)
        .arg(payload)
        .query_async(&mut redis)
        .await;
    if let Err(e) = r {
        tracing::warn!(error = %e, "could not publish a notification");
    }
}

/// Tells tills that head-office data changed (for one store, or `None` for all).
pub async fn changed(state: &AppState, location: Option<Uuid>) {
    publish(state, channel(state), location).await;
}

/// Tells live reports that a store's sales figures changed.
pub async fn sales_changed(state: &AppState, location: Uuid) {
    publish(state, sales_channel(state), Some(location)).await;
}

/// Subscribes to the Redis channel for the life of the process, re-subscribing with
/// backoff when Redis goes away, and relays every message to this instance's tills.
pub fn spawn_relay(state: AppState) {
    tokio::spawn(async move {
        let mut delay = Duration::from_millis(200);
        loop {
            match relay_once(&state).await {
                Ok(()) => delay = Duration::from_millis(200),
                Err(e) => tracing::warn!(error = %e, "change notifications unavailable; retrying"),
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(10));
        }
    });
}

async fn relay_once(state: &AppState) -> redis::RedisResult<()> {
    let client = redis::Client::open(state.config.redis_url.expose_secret())?;
    let mut pubsub = client.get_async_pubsub().await?;
    let (changes, sales) = (channel(state), sales_channel(state));
    pubsub.subscribe(&changes).await?;
    pubsub.subscribe(&sales).await?;
    let mut messages = pubsub.on_message();
    while let Some(msg) = messages.next().await {
        let payload: String = msg.get_payload().unwrap_or_default();
        let to = if msg.get_channel_name() == sales {
            &state.sales_notifier
        } else {
            &state.notifier
        };
        let _ = to.send(Uuid::parse_str(&payload).ok());
    }
    Ok(())
}
