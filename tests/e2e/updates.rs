//! The till update feed: an enrolled till, asking with its device token exactly as its
//! updater plugin will, is offered a release only when one newer than its own is
//! published for its platform, and downloads the package through head office.

use pos_desktop::Till;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::sync::enrolled_till;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tills_are_offered_newer_releases_for_their_platform_and_download_them() {
    let releases = tempfile::tempdir().unwrap();
    let dir = releases.path().to_path_buf();
    let app = spawn_app_with(|c| c.updates_dir = Some(dir)).await;
    let api = app.admin().await;
    let (_store, _product, code) = head_office(&api).await;
    let (_tmp, till_dir) = enrolled_till(format!("http://{}", app.addr), code).await;
    let feed = tokio::task::spawn_blocking(move || {
        Till::open(&till_dir)
            .and_then(|t| t.update_feed())
            .expect("the feed")
            .expect("an enrolled till has one")
    })
    .await
    .unwrap();
    // The plugin fills in the placeholders.
    let url = |target: &str, version: &str| {
        feed.endpoint
            .replace("{{target}}", target)
            .replace("{{arch}}", "x86_64")
            .replace("{{current_version}}", version)
    };
    let http = reqwest::Client::new();
    let get = |u: String, token: Option<&str>| {
        let mut r = http.get(u);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        async move { r.send().await.unwrap() }
    };
    let token = Some(feed.token.as_str());

    // Nothing published yet.
    assert_eq!(
        get(url("linux", "0.1.0"), token).await.status(),
        StatusCode::NO_CONTENT
    );
    let package = b"not really a package, but bytes to carry".to_vec();
    std::fs::write(
        releases.path().join("al-aroma-pos_0.2.0_amd64.deb"),
        &package,
    )
    .unwrap();
    let manifest = json!({"version": "0.2.0", "notes": "Faster receipts", "platforms": {
        "linux-x86_64-deb": {"signature": "c2lnbmF0dXJl",
            "url": format!("http://{}/api/v1/sync/update/files/al-aroma-pos_0.2.0_amd64.deb", app.addr)}}});
    std::fs::write(releases.path().join("latest.json"), manifest.to_string()).unwrap();

    let r = get(url("linux", "0.1.0"), token).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap(), manifest);
    for (target, version) in [("linux", "0.2.0"), ("linux", "0.3.1"), ("windows", "0.1.0")] {
        assert_eq!(
            get(url(target, version), token).await.status(),
            StatusCode::NO_CONTENT,
            "{target} {version}"
        );
    }
    assert_error(
        &split(get(url("linux", "latest"), token).await).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    );
    assert_eq!(
        get(url("linux", "0.1.0"), None).await.status(),
        StatusCode::UNAUTHORIZED
    );

    // The package, through head office, to tills only; nothing outside the releases.
    let file = |name: &str| format!("http://{}/api/v1/sync/update/files/{name}", app.addr);
    let r = get(file("al-aroma-pos_0.2.0_amd64.deb"), token).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().to_vec(), package);
    assert_eq!(
        get(file("al-aroma-pos_0.2.0_amd64.deb"), None)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    for name in [
        "..%2Flatest.json",
        ".hidden",
        "missing.deb",
        "%2Fetc%2Fpasswd",
    ] {
        assert_eq!(
            get(file(name), token).await.status(),
            StatusCode::NOT_FOUND,
            "{name}"
        );
    }
}
