//! Login, tokens, refresh rotation, reuse detection, logout, CSRF and rate limits.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn login_gives_a_bearer_token_and_cookies() {
    let app = spawn_app().await;
    app.create_admin().await;
    let c = app.client();
    let resp = c
        .post(app.url("/auth/login"))
        .json(&json!({"login": "ROOT", "password": ADMIN.1}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let cookies: Vec<String> = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(cookies.iter().any(|c| c.starts_with("alaroma_access=")
        && c.contains("HttpOnly")
        && c.contains("SameSite=Strict")));
    assert!(cookies
        .iter()
        .any(|c| c.starts_with("alaroma_refresh=") && c.contains("Path=/api/v1/auth")));
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["user"]["role"], "admin");
    assert!(
        body.get("refresh_token").is_none(),
        "the refresh token stays in its cookie"
    );
    // The cookie authenticates GETs; the Bearer token authenticates API clients.
    assert_eq!(
        c.get(app.url("/auth/me")).send().await.unwrap().status(),
        StatusCode::OK
    );
    let api = Api {
        app_url: app.url(""),
        token: body["access_token"].as_str().unwrap().into(),
        client: reqwest::Client::new(),
    };
    assert_eq!(api.get("/auth/me").await.1["login"], "root");
}

#[tokio::test]
async fn wrong_passwords_and_forged_tokens_are_refused() {
    let app = spawn_app().await;
    app.create_admin().await;
    let c = app.client();
    let r = split(
        c.post(app.url("/auth/login"))
            .json(&json!({"login": "root", "password": "nope nope nope"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    let r = split(
        c.post(app.url("/auth/login"))
            .json(&json!({"login": "ghost", "password": "nope nope nope"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    let api = app.login(ADMIN.0, ADMIN.1).await;
    // Tamper with the payload, or sign with another key, or use alg "none".
    let parts: Vec<&str> = api.token.split('.').collect();
    let forged = [
        format!("{}.{}x.{}", parts[0], parts[1], parts[2]),
        jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &json!({"sub": uuid::Uuid::nil(), "iat": 0, "exp": 4_000_000_000u64, "jti": uuid::Uuid::nil(), "typ": "access", "sid": uuid::Uuid::nil()}),
            &jsonwebtoken::EncodingKey::from_secret(b"another secret"),
        )
        .unwrap(),
        format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.", parts[1]),
    ];
    for f in forged {
        let bad = Api {
            token: f,
            ..api_clone(&api)
        };
        assert_error(
            &bad.get("/auth/me").await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        );
    }
    let none = Api {
        token: String::new(),
        ..api_clone(&api)
    };
    assert_error(
        &none.get("/users").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
}

fn api_clone(a: &Api) -> Api {
    Api {
        app_url: a.app_url.clone(),
        token: a.token.clone(),
        client: reqwest::Client::new(),
    }
}

#[tokio::test]
async fn access_tokens_expire() {
    let app = spawn_app_with(|c| c.access_ttl_secs = 1).await;
    let api = app.admin().await;
    assert_eq!(api.get("/auth/me").await.0, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_error(
        &api.get("/auth/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let app = spawn_app().await;
    app.create_admin().await;
    let c = app.client();
    c.post(app.url("/auth/login"))
        .json(&json!({"login": "root", "password": ADMIN.1}))
        .send()
        .await
        .unwrap();
    // Capture the first refresh token, as a thief would.
    let first = app.client();
    let r1 = c
        .post(app.url("/auth/refresh"))
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(r1.status(), StatusCode::OK);
    let stolen: String =
        sqlx::query_scalar("SELECT token_hash FROM refresh_tokens WHERE used_at IS NOT NULL")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(stolen.len(), 64);
    // Second rotation works with the new cookie.
    let r2 = c
        .post(app.url("/auth/refresh"))
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(r2.status(), StatusCode::OK);
    // Presenting a used token (we cannot recover it from its hash, so replay the
    // cookie a client would have kept) revokes the whole family.
    let old_cookie = r1
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("alaroma_refresh="))
        .unwrap();
    let value = old_cookie.split(';').next().unwrap().to_owned();
    let replay = first
        .post(app.url("/auth/refresh"))
        .header("cookie", &value)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
    // The legitimate holder's current token is now dead too.
    let r3 = c
        .post(app.url("/auth/refresh"))
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(r3.status(), StatusCode::UNAUTHORIZED);
    let live: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM refresh_tokens WHERE revoked_at IS NULL")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(live, 0);
}

#[tokio::test]
async fn logout_revokes_the_session() {
    let app = spawn_app().await;
    app.create_admin().await;
    let c = app.client();
    c.post(app.url("/auth/login"))
        .json(&json!({"login": "root", "password": ADMIN.1}))
        .send()
        .await
        .unwrap();
    let api = app.login(ADMIN.0, ADMIN.1).await;
    let out = c
        .post(app.url("/auth/logout"))
        .header("origin", format!("http://{}", app.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    // Another session of the same user is untouched; its own logout kills its token at once.
    assert_eq!(api.get("/auth/me").await.0, StatusCode::OK);
    let out = api
        .client
        .post(app.url("/auth/logout"))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert_error(
        &api.get("/auth/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert_eq!(
        c.get(app.url("/auth/me")).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let r = c
        .post(app.url("/auth/refresh"))
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn cookie_writes_need_a_same_site_origin() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let c = app.client();
    c.post(app.url("/auth/login"))
        .json(&json!({"login": "root", "password": ADMIN.1}))
        .send()
        .await
        .unwrap();
    let body = json!({"code": "S1", "name": "Store", "kind": "store"});
    let evil = c
        .post(app.url("/locations"))
        .header("origin", "https://evil.example")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_error(&split(evil).await, StatusCode::FORBIDDEN, "forbidden");
    let bare = c
        .post(app.url("/locations"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), StatusCode::FORBIDDEN);
    let allowed = c
        .post(app.url("/locations"))
        .header("origin", "http://admin.example")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), StatusCode::CREATED);
    // Bearer clients are not subject to the CSRF check.
    let (s, _) = api
        .post(
            "/locations",
            json!({"code": "S2", "name": "Store 2", "kind": "store"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
}

#[tokio::test]
async fn login_is_rate_limited_per_account_across_instances() {
    let app = spawn_app().await;
    app.create_admin().await;
    // A second server instance sharing the database and Redis prefix.
    let second = {
        let mut cfg = (*app.state.config).clone();
        cfg.bind = "127.0.0.1:0".parse().unwrap();
        let state = sync_server::AppState::connect(cfg).await.unwrap();
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move { sync_server::serve(state, l).await });
        addr
    };
    let c = reqwest::Client::new();
    let bad = json!({"login": "root", "password": "wrong password!"});
    for i in 0..5 {
        let host = if i % 2 == 0 { app.addr } else { second };
        let r = c
            .post(format!("http://{host}/api/v1/auth/login"))
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = c
        .post(format!("http://{second}/api/v1/auth/login"))
        .json(&json!({"login": "root", "password": ADMIN.1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().get("retry-after").is_some());
    assert_error(
        &split(r).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    );
}
