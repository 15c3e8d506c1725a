//! Trust boundaries tried as an attacker would, against the real server: nobody grants
//! more than they hold, PINs are unique per store, sessions end when they must, login
//! limits cannot be turned on the user, and forwarded client addresses are not believed.

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

/// The test app behind a "proxy" on 127.0.0.1, so a test can speak for clients at other
/// addresses with `X-Forwarded-For`, as our nginx does.
async fn behind_proxy() -> TestApp {
    spawn_app_with(|c| {
        c.trust_proxy = vec!["127.0.0.1".into()];
    })
    .await
}

async fn login_from(app: &TestApp, ip: &str, login: &str, password: &str) -> (StatusCode, Value) {
    split(
        Client::new()
            .post(app.url("/auth/login"))
            .header("x-forwarded-for", ip)
            .json(&json!({"login": login, "password": password}))
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn nobody_grants_a_discount_limit_above_their_own() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let s = new_store(&api, "A").await;
    api.ok_post(
        "/users",
        json!({"login": "mgr", "full_name": "Manager", "role": "manager",
        "password": "password-123", "locations": [s["id"]]}),
    )
    .await;
    let mgr = app.login("mgr", "password-123").await;
    let person = |limit: &str| {
        json!({"login": format!("sp{}", limit.len()), "full_name": "Sales",
        "role": "salesperson", "password": "password-123", "discount_limit": limit, "locations": [s["id"]]})
    };
    assert_error(
        &mgr.post("/users", person("100")).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let ok = mgr.ok_post("/users", person("30")).await;
    let id = ok["id"].as_str().unwrap();
    let r = mgr
        .patch(&format!("/users/{id}"), json!({"discount_limit": "31"}))
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(
        api.get(&format!("/users/{id}")).await.1["discount_limit"],
        "30"
    );
    // The admin's own limit is 100 %.
    let r = api
        .patch(&format!("/users/{id}"), json!({"discount_limit": "100"}))
        .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
}

#[tokio::test]
async fn a_pin_is_unique_among_the_people_of_a_store() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let (a, b) = (new_store(&api, "A").await, new_store(&api, "B").await);
    let person = |login: &str, pin: &str, at: &Value| {
        json!({"login": login, "full_name": login,
        "role": "cashier", "password": "password-123", "pin": pin, "locations": [at["id"]]})
    };
    api.ok_post("/users", person("anna", "482916", &a)).await;
    assert_error(
        &api.post("/users", person("olga", "482916", &a)).await,
        StatusCode::CONFLICT,
        "conflict",
    );
    // Another store's cashier may have it: no till holds both.
    let ivan = api.ok_post("/users", person("ivan", "482916", &b)).await;
    let other = api.ok_post("/users", person("petr", "111999", &a)).await;
    let id = other["id"].as_str().unwrap();
    let r = api
        .patch(&format!("/users/{id}"), json!({"pin": "482916"}))
        .await;
    assert_error(&r, StatusCode::CONFLICT, "conflict");
    // Ivan joining store A with his PIN would clash there too.
    let ivan_id = ivan["id"].as_str().unwrap();
    let r = api
        .patch(
            &format!("/users/{ivan_id}"),
            json!({"pin": "482916", "locations": [a["id"], b["id"]]}),
        )
        .await;
    assert_error(&r, StatusCode::CONFLICT, "conflict");
}

/// The refresh cookie a browser would hold after logging in as `login`.
async fn browser(app: &TestApp, login: &str, password: &str) -> (Client, String) {
    let c = app.client();
    let r = c
        .post(app.url("/auth/login"))
        .json(&json!({"login": login, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    (c, body["access_token"].as_str().unwrap().to_owned())
}

async fn refresh(app: &TestApp, c: &Client) -> StatusCode {
    c.post(app.url("/auth/refresh"))
        .header("origin", format!("http://{}", app.addr))
        .send()
        .await
        .unwrap()
        .status()
}

async fn me(app: &TestApp, token: &str) -> StatusCode {
    Client::new()
        .get(app.url("/auth/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn a_password_reset_or_role_change_ends_every_session_at_once() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let s = new_store(&api, "A").await;
    let u = api
        .ok_post(
            "/users",
            json!({"login": "mila", "full_name": "Мила", "role": "manager",
        "password": "password-123", "locations": [s["id"]]}),
        )
        .await;
    let id = u["id"].as_str().unwrap().to_owned();
    let (c, token) = browser(&app, "mila", "password-123").await;
    assert_eq!(me(&app, &token).await, StatusCode::OK);
    let r = api
        .patch(
            &format!("/users/{id}"),
            json!({"password": "another-password-1"}),
        )
        .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    assert_eq!(
        me(&app, &token).await,
        StatusCode::UNAUTHORIZED,
        "the access token died at once"
    );
    assert_eq!(
        refresh(&app, &c).await,
        StatusCode::UNAUTHORIZED,
        "and the refresh cookie"
    );
    // A role change ends the new session too.
    let (c, token) = browser(&app, "mila", "another-password-1").await;
    let r = api
        .patch(&format!("/users/{id}"), json!({"role": "warehouse_worker"}))
        .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    assert_eq!(me(&app, &token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(refresh(&app, &c).await, StatusCode::UNAUTHORIZED);
    // Changing one's own password needs the current one.
    let me_id = api.get("/auth/me").await.1["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = api
        .patch(
            &format!("/users/{me_id}"),
            json!({"password": "new-root-password"}),
        )
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = api
        .patch(
            &format!("/users/{me_id}"),
            json!({"password": "new-root-password", "current_password": ADMIN.1}),
        )
        .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    assert_eq!(me(&app, &api.token).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn one_refresh_token_used_twice_at_once_leaves_no_live_session() {
    let app = spawn_app().await;
    app.create_admin().await;
    let (c, token) = browser(&app, ADMIN.0, ADMIN.1).await;
    // The same cookie, sent twice at the same moment (a stolen copy racing the owner).
    let (a, b) = tokio::join!(refresh(&app, &c), refresh(&app, &c));
    let statuses = [a, b];
    assert!(statuses.contains(&StatusCode::UNAUTHORIZED), "{statuses:?}");
    // Whatever won, reuse ended the session: the successor and the access token are dead.
    assert_eq!(refresh(&app, &c).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&app, &token).await, StatusCode::UNAUTHORIZED);
    let live: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM refresh_tokens WHERE revoked_at IS NULL AND used_at IS NULL",
    )
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(live, 0, "no live token in an ended session");
}

#[tokio::test]
async fn a_session_lives_seven_days_from_login_however_often_it_is_refreshed() {
    let app = spawn_app().await;
    app.create_admin().await;
    let (c, token) = browser(&app, ADMIN.0, ADMIN.1).await;
    assert_eq!(refresh(&app, &c).await, StatusCode::OK);
    let ends: chrono::DateTime<chrono::Utc> = sqlx::query_scalar("SELECT expires_at FROM sessions")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    let week = chrono::Utc::now() + chrono::Duration::days(7);
    assert!((week - ends).num_seconds().abs() < 60, "{ends}");
    // Seven days later (the clock moved by hand), refreshing no longer helps.
    sqlx::query("UPDATE sessions SET expires_at = now() - interval '1 second'")
        .execute(&app.state.db)
        .await
        .unwrap();
    assert_eq!(refresh(&app, &c).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&app, &token).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn failing_someone_elses_login_does_not_lock_them_out() {
    let app = behind_proxy().await;
    app.create_admin().await;
    // An attacker at one address fails the admin's login 8 times: refused after 5.
    let mut seen = Vec::new();
    for _ in 0..8 {
        seen.push(
            login_from(&app, "203.0.113.66", ADMIN.0, "guess-guess-guess")
                .await
                .0,
        );
    }
    assert_eq!(seen[..5], [StatusCode::UNAUTHORIZED; 5]);
    assert!(
        seen[5..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{seen:?}"
    );
    // The admin, at their own address, still logs in.
    let r = login_from(&app, "198.51.100.7", ADMIN.0, ADMIN.1).await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    // Successes are not counted: many logins in a row from one address all work.
    for _ in 0..8 {
        assert_eq!(
            login_from(&app, "198.51.100.7", ADMIN.0, ADMIN.1).await.0,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn an_overlong_login_name_is_refused_before_it_reaches_redis() {
    let app = spawn_app().await;
    app.create_admin().await;
    let long = "x".repeat(1 << 20);
    let r = split(
        Client::new()
            .post(app.url("/auth/login"))
            .json(&json!({"login": long, "password": "whatever"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let mut redis = app.state.redis.clone();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{}*", app.state.config.redis_prefix))
        .query_async(&mut redis)
        .await
        .unwrap();
    assert!(keys.is_empty(), "{keys:?}");
}

#[tokio::test]
async fn a_forged_forwarded_for_does_not_change_the_client_address() {
    let app = behind_proxy().await;
    app.create_admin().await;
    // The client wrote 6.6.6.6; our proxy appended the address it saw (203.0.113.9).
    let r = login_from(&app, "6.6.6.6, 203.0.113.9", ADMIN.0, ADMIN.1).await;
    assert_eq!(r.0, StatusCode::OK);
    let api = app.login(ADMIN.0, ADMIN.1).await;
    let (_, audit) = api.get("/audit?entity=user").await;
    let ips: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "login")
        .filter_map(|e| e["ip"].as_str())
        .collect();
    assert!(ips.contains(&"203.0.113.9"), "{ips:?}");
    assert!(!ips.contains(&"6.6.6.6"), "{ips:?}");
    // Without a trusted proxy in front, the header is ignored altogether.
    let plain = spawn_app().await;
    plain.create_admin().await;
    let r = login_from(&plain, "6.6.6.6", ADMIN.0, ADMIN.1).await;
    assert_eq!(r.0, StatusCode::OK);
    let api = plain.login(ADMIN.0, ADMIN.1).await;
    let (_, audit) = api.get("/audit?entity=user").await;
    assert!(!audit.to_string().contains("6.6.6.6"), "{audit}");
}

#[tokio::test]
async fn a_live_report_stream_ends_with_its_session() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let mut live = Client::new()
        .get(app.url("/reports/live"))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), StatusCode::OK);
    let first = live.chunk().await.unwrap().expect("the first totals");
    assert!(String::from_utf8_lossy(&first).contains("totals"));
    let r = Client::new()
        .post(app.url("/auth/logout"))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    // The stream closes by itself within a few seconds (keep-alives aside).
    let ended = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        loop {
            match live.chunk().await {
                Ok(Some(_)) => continue,
                _ => return,
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream outlived the session");
}
