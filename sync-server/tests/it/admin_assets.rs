//! The web admin's files served by the server: files, precompressed siblings, the
//! `index.html` fallback for client-side routes, and the API's JSON 404s kept.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn the_server_serves_the_admin_and_falls_back_to_its_index() {
    let tmp = tempfile::tempdir().expect("dir");
    let dir = tmp.path().join("admin");
    std::fs::create_dir(&dir).expect("admin dir");
    let index = "<!doctype html><title>Al Aroma</title><script type=module src=/admin.js></script>";
    std::fs::write(dir.join("index.html"), index).expect("index");
    std::fs::write(dir.join("admin.js"), "console.log('plain')").expect("js");
    // A stand-in for the build's precompressed copy: served as is when gzip is accepted.
    std::fs::write(dir.join("admin.js.gz"), b"\x1f\x8bgzipped").expect("gz");
    std::fs::write(tmp.path().join("outside.txt"), "secret").expect("outside");
    let root = dir.clone();
    let app = spawn_app_with(move |c| c.admin_dir = Some(root)).await;
    let base = format!("http://{}", app.addr);
    let http = reqwest::Client::builder()
        .no_gzip()
        .build()
        .expect("client");

    let get = |path: &str, gzip: bool| {
        let mut r = http.get(format!("{base}{path}"));
        if gzip {
            r = r.header("accept-encoding", "gzip");
        }
        r.send()
    };
    for path in [
        "/",
        "/catalog/products/42",
        "/reports/sales?from=2026-01-01",
    ] {
        let resp = get(path, false).await.expect("page");
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        let csp = resp.headers()["content-security-policy"]
            .to_str()
            .expect("csp");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
        assert_eq!(resp.text().await.expect("body"), index, "{path}");
    }
    let resp = get("/admin.js", false).await.expect("js");
    assert!(resp.headers()["content-type"]
        .to_str()
        .expect("type")
        .contains("javascript"));
    assert_eq!(resp.text().await.expect("body"), "console.log('plain')");
    let resp = get("/admin.js", true).await.expect("js.gz");
    assert_eq!(resp.headers()["content-encoding"], "gzip");
    assert_eq!(
        resp.bytes().await.expect("body").as_ref(),
        b"\x1f\x8bgzipped"
    );
    // A file's Last-Modified lets the browser revalidate for a 304.
    let modified = get("/admin.js", false).await.expect("js").headers()["last-modified"].clone();
    let resp = http
        .get(format!("{base}/admin.js"))
        .header("if-modified-since", modified)
        .send()
        .await
        .expect("conditional");
    assert_eq!(resp.status(), StatusCode::NOT_MODIFIED);
    // Nothing outside the directory, whatever the path says.
    let resp = get("/../outside.txt", false).await.expect("traversal");
    assert_ne!(resp.text().await.expect("body"), "secret");
    let resp = get("/%2e%2e/outside.txt", false).await.expect("traversal");
    assert_ne!(resp.text().await.expect("body"), "secret");

    // The API keeps its JSON errors; only reads fall back to the admin.
    let resp = split(get("/api/v1/no-such-thing", false).await.expect("api")).await;
    assert_error(&resp, StatusCode::NOT_FOUND, "not_found");
    let resp = split(
        http.post(format!("{base}/catalog"))
            .send()
            .await
            .expect("post"),
    )
    .await;
    assert_error(&resp, StatusCode::NOT_FOUND, "not_found");
    let resp = get("/health", false).await.expect("health");
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn without_an_admin_dir_the_server_answers_the_api_only() {
    let app = spawn_app().await;
    let resp = reqwest::get(format!("http://{}/", app.addr))
        .await
        .expect("root");
    let resp = split(resp).await;
    assert_error(&resp, StatusCode::NOT_FOUND, "not_found");
}
