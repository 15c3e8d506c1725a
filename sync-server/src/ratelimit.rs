//! Fixed-window rate limits in Redis, so a limit holds across server replicas.

use redis::aio::ConnectionManager;

use crate::error::{ApiError, ApiResult};

/// How long a Redis call may take before the request fails as "unavailable" instead of hanging.
pub const REDIS_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// Counts one attempt against `key`; refuses once more than `limit` fall in the window.
pub async fn hit(
    redis: &mut ConnectionManager,
    key: &str,
    limit: u32,
    window_secs: u64,
) -> ApiResult<()> {
    let mut pipe = redis::pipe();
    pipe.atomic()
        .cmd("INCR")
        .arg(key)
        .cmd("EXPIRE")
        .arg(key)
        .arg(window_secs)
        .arg("NX")
        .ignore()
        .cmd("TTL")
        .arg(key);
    let query = pipe.query_async::<(u64, i64)>(redis);
    let (count, ttl) = tokio::time::timeout(REDIS_TIMEOUT, query)
        .await
        .map_err(|_| ApiError::Unavailable("redis".into()))??;
    if count > limit as u64 {
        return Err(ApiError::TooManyRequests(ttl.max(1) as u64));
    }
    Ok(())
}

/// Forgets the attempts against `key` (after a successful login).
pub async fn reset(redis: &mut ConnectionManager, key: &str) -> ApiResult<()> {
    let mut del = redis::cmd("DEL");
    del.arg(key);
    tokio::time::timeout(REDIS_TIMEOUT, del.query_async::<()>(redis))
        .await
        .map_err(|_| ApiError::Unavailable("redis".into()))??;
    Ok(())
}
