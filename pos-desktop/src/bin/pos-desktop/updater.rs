//! Auto-update through the Tauri updater plugin, from head office's update feed. A newer
//! release is downloaded and its signature verified as soon as it is found, but installed
//! only while the till's shift is closed; then the app restarts on the new version. The
//! local database and outbox are untouched (the package's upgrade check guards them).

use std::time::Duration;

use pos_desktop::updates::UpdateFeed;
use tauri::{AppHandle, Manager};
use tauri_plugin_updater::UpdaterExt;

use crate::commands::App;

/// How often an enrolled till asks head office for a release.
const CHECK_EVERY: Duration = Duration::from_secs(6 * 3600);
/// How often a downloaded release looks for a closed shift.
const WAIT_FOR_CLOSED_SHIFT: Duration = Duration::from_secs(60);

/// The key releases must be signed with: the provisioning file's, else the one this build
/// was made with (`ALAROMA_UPDATE_PUBKEY` at compile time).
pub fn pubkey(from_config: Option<String>) -> Option<String> {
    from_config
        .or_else(|| option_env!("ALAROMA_UPDATE_PUBKEY").map(str::to_owned))
        .filter(|k| !k.trim().is_empty())
}

/// Starts the background updater (a no-op loop round while the till is not enrolled).
pub fn spawn(handle: AppHandle, pubkey: String) {
    tauri::async_runtime::spawn(async move {
        loop {
            if let Err(e) = round(&handle, &pubkey).await {
                eprintln!("update: {e}");
            }
            tokio::time::sleep(CHECK_EVERY).await;
        }
    });
}

/// Runs `f` on the till off the async workers; `None` when there is no till yet.
async fn on_till<T: Send + 'static>(
    handle: &AppHandle,
    f: impl FnOnce(&pos_desktop::Till) -> Result<T, String> + Send + 'static,
) -> Result<Option<T>, String> {
    let h = handle.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let app = h.state::<App>();
        let till = app
            .till
            .lock()
            .map_err(|_| "the till is unavailable".to_owned())?;
        till.as_ref().map(f).transpose()
    })
    .await
    .map_err(|e| e.to_string())?
}

async fn round(handle: &AppHandle, pubkey: &str) -> Result<(), String> {
    let feed: Option<UpdateFeed> = on_till(handle, |t| t.update_feed().map_err(|e| e.to_string()))
        .await?
        .flatten();
    let Some(feed) = feed else {
        return Ok(());
    };
    let endpoint = feed.endpoint.parse().map_err(|e| format!("{e}"))?;
    let updater = handle
        .updater_builder()
        .endpoints(vec![endpoint])
        .and_then(|b| b.header("Authorization", format!("Bearer {}", feed.token)))
        .map_err(|e| e.to_string())?
        .pubkey(pubkey)
        .build()
        .map_err(|e| e.to_string())?;
    let Some(update) = updater.check().await.map_err(|e| e.to_string())? else {
        return Ok(());
    };
    // Downloading verifies the signature; a bad package never waits to be installed.
    let bytes = update
        .download(|_, _| {}, || {})
        .await
        .map_err(|e| e.to_string())?;
    eprintln!(
        "update: {} downloaded; it installs when the shift is closed",
        update.version
    );
    set_pending(handle, Some(update.version.clone()));
    loop {
        // Checked and installed under the till's lock, so no shift opens in between.
        let (u, b) = (update.clone(), bytes.clone());
        let installed = on_till(handle, move |t| {
            if !t.may_update().map_err(|e| e.to_string())? {
                return Ok(false);
            }
            u.install(&b).map_err(|e| e.to_string())?;
            Ok(true)
        })
        .await?;
        if installed == Some(true) {
            handle.restart();
        }
        tokio::time::sleep(WAIT_FOR_CLOSED_SHIFT).await;
    }
}

fn set_pending(handle: &AppHandle, version: Option<String>) {
    if let Ok(mut p) = handle.state::<App>().update_ready.lock() {
        *p = version;
    }
}
