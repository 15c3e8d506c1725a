//! Till updates: head office hands its tills the release IT placed in `updates_dir` (the
//! Tauri bundler's `latest.json` and the signed packages), so a till that reaches only
//! head office can update. Tills verify each package's signature against the key built
//! into them; this module only decides "newer or not" and serves files.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;
use tower::ServiceExt;
use tower_http::services::ServeFile;
use tracing::instrument;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::device::Device;
use crate::error::{ApiError, ApiPath, ApiResult};
use crate::AppState;

/// The update routes (device-authenticated).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(manifest))
        .routes(routes!(file))
}

/// A release number `major.minor.patch`, compared numerically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Release(u64, u64, u64);

impl Release {
    /// Parses `1.2.3` (a leading `v` allowed); anything else is refused.
    pub fn parse(s: &str) -> Option<Release> {
        let mut parts = s.strip_prefix('v').unwrap_or(s).split('.');
        let mut next = || parts.next()?.parse::<u64>().ok();
        let r = Release(next()?, next()?, next()?);
        parts.next().is_none().then_some(r)
    }
}

/// The published release for `target-arch` if it is newer than `current`, else `None`
/// (nothing published, nothing for this platform, or the till is up to date).
pub fn offer(manifest: &Value, platform: &str, current: Release) -> Option<Value> {
    let latest = Release::parse(manifest["version"].as_str()?)?;
    let platforms = manifest["platforms"].as_object()?;
    let prefix = format!("{platform}-");
    let has = platforms
        .keys()
        .any(|k| k == platform || k.starts_with(&prefix));
    (has && latest > current).then(|| manifest.clone())
}

fn updates_dir(state: &AppState) -> ApiResult<&Path> {
    state
        .config
        .updates_dir
        .as_deref()
        .ok_or_else(|| ApiError::NotFound("published update".into()))
}

/// The newest release for this till's platform, or 204 when it already runs it.
#[utoipa::path(get, path = "/sync/update/{target}/{arch}/{current_version}", tag = "sync",
    params(("target" = String, Path, description = "linux, windows or darwin"),
        ("arch" = String, Path, description = "x86_64, aarch64…"),
        ("current_version" = String, Path, description = "The till's release, e.g. 0.1.0")),
    responses((status = 200, description = "The Tauri updater manifest"), (status = 204), (status = 401), (status = 422)))]
#[instrument(skip_all, err, fields(terminal_id = %device.terminal_id))]
async fn manifest(
    State(state): State<AppState>,
    device: Device,
    ApiPath((target, arch, current)): ApiPath<(String, String, String)>,
) -> ApiResult<Response> {
    let current = Release::parse(&current)
        .ok_or_else(|| ApiError::Validation(format!("{current:?} is not a release number")))?;
    let Ok(dir) = updates_dir(&state) else {
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    let text = match tokio::fs::read_to_string(dir.join("latest.json")).await {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(StatusCode::NO_CONTENT.into_response())
        }
        Err(e) => return Err(ApiError::Internal(format!("reading latest.json: {e}"))),
    };
    let manifest: Value = serde_json::from_str(&text)
        .map_err(|e| ApiError::Internal(format!("latest.json is not JSON: {e}")))?;
    Ok(
        match offer(&manifest, &format!("{target}-{arch}"), current) {
            Some(m) => Json(m).into_response(),
            None => StatusCode::NO_CONTENT.into_response(),
        },
    )
}

/// A package file named by the manifest.
#[utoipa::path(get, path = "/sync/update/files/{name}", tag = "sync",
    params(("name" = String, Path, description = "A file name from the manifest")),
    responses((status = 200, description = "The package"), (status = 401), (status = 404)))]
#[instrument(skip_all, err, fields(terminal_id = %device.terminal_id))]
async fn file(
    State(state): State<AppState>,
    device: Device,
    ApiPath(name): ApiPath<String>,
    req: Request,
) -> ApiResult<Response> {
    // A plain file name: no directories, no hidden files.
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-+ ".contains(c));
    let path: PathBuf = updates_dir(&state)?.join(&name);
    if !plain || !path.is_file() {
        return Err(ApiError::NotFound(format!("update file {name:?}")));
    }
    let resp = ServeFile::new(path)
        .oneshot(req.map(|_| Body::empty()))
        .await
        .map_err(|e| ApiError::Internal(format!("serving an update file: {e}")))?;
    Ok(resp.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_release_is_offered_only_when_newer_and_built_for_the_platform() {
        let m = json!({"version": "0.2.0", "platforms": {
            "linux-x86_64-deb": {"url": "https://ho/x.deb", "signature": "s"},
            "windows-x86_64-nsis": {"url": "https://ho/x.exe", "signature": "s"}}});
        let v = |s| Release::parse(s).unwrap();
        assert!(offer(&m, "linux-x86_64", v("0.1.9")).is_some());
        assert!(offer(&m, "windows-x86_64", v("v0.1.0")).is_some());
        assert!(offer(&m, "linux-x86_64", v("0.2.0")).is_none());
        assert!(offer(&m, "linux-x86_64", v("0.10.0")).is_none());
        assert!(offer(&m, "darwin-aarch64", v("0.1.0")).is_none());
        assert!(offer(&json!({"version": "next"}), "linux-x86_64", v("0.1.0")).is_none());
        assert_eq!(Release::parse("1.2"), None);
        assert_eq!(Release::parse("1.2.3.4"), None);
        assert_eq!(Release::parse("1.x.3"), None);
    }
}
