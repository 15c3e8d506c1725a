//! Fixed-window failure counters in Redis, so a limit holds across server replicas.

use redis::aio::ConnectionManager;

use crate::error::{ApiError, ApiResult};

/// How long a Redis call may take before the request fails as "unavailable" instead of hanging.
pub const REDIS_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// Forgets the attempts against `key` (after a successful login).
pub async fn reset(redis: &mut ConnectionManager, key: &str) -> ApiResult<()> {
    let mut del = redis::cmd("DEL");
    del.arg(key);
    tokio::time::timeout(REDIS_TIMEOUT, del.query_async::<()>(redis))
        .await
        .map_err(|_| ApiError::Unavailable("redis".into()))??;
    Ok(())
}

/// Failures counted against `key` in its window, and the seconds left of it.
pub async fn failures(redis: &mut ConnectionManager, key: &str) -> ApiResult<(u64, i64)> {
    let mut pipe = redis::pipe();
    pipe.cmd("GET").arg(key).cmd("TTL").arg(key);
    let query = pipe.query_async::<(Option<u64>, i64)>(redis);
    let (count, ttl) = tokio::time::timeout(REDIS_TIMEOUT, query)
        .await
        .map_err(|_| ApiError::Unavailable("redis".into()))??;
    Ok((count.unwrap_or(0), ttl))
}

/// Counts one failure against each of `keys` (a window starts with the first).
pub async fn fail(redis: &mut ConnectionManager, keys: &[&str], window_secs: u64) -> ApiResult<()> {
    let mut pipe = redis::pipe();
    pipe.atomic();
    for key in keys {
        pipe.cmd("INCR")
            .arg(*key)
            .ignore()
            .cmd("EXPIRE")
            .arg(*key)
            .arg(window_secs)
            .arg("NX")
            .ignore();
    }
    let query = pipe.query_async::<()>(redis);
    tokio::time::timeout(REDIS_TIMEOUT, query)
        .await
        .map_err(|_| ApiError::Unavailable("redis".into()))??;
    Ok(())
}
