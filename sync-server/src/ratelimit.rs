//! Fixed-window rate limits in Redis, so a limit holds across server replicas.

use redis::aio::ConnectionManager;

use crate::error::{ApiError, ApiResult};

/// Counts one attempt against `key`; refuses once more than `limit` fall in the window.
pub async fn hit(
    redis: &mut ConnectionManager,
    key: &str,
    limit: u32,
    window_secs: u64,
) -> ApiResult<()> {
    let (count, ttl): (u64, i64) = redis::pipe()
        .atomic()
        .cmd("INCR")
        .arg(key)
        .cmd("EXPIRE")
        .arg(key)
        .arg(window_secs)
        .arg("NX")
        .ignore()
        .cmd("TTL")
        .arg(key)
        .query_async(redis)
        .await?;
    if count > limit as u64 {
        return Err(ApiError::TooManyRequests(ttl.max(1) as u64));
    }
    Ok(())
}

/// Forgets the attempts against `key` (after a successful login).
pub async fn reset(redis: &mut ConnectionManager, key: &str) -> ApiResult<()> {
    redis::cmd("DEL").arg(key).query_async::<()>(redis).await?;
    Ok(())
}
