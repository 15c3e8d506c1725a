//! The push protocol at the HTTP level: replay, overlap, gaps, forks, identity,
//! versions and impossible input; and the pull cursor under out-of-order commits.

use reqwest::StatusCode;
use serde_json::{json, Value};
use shared_model::Tender;

use crate::helpers::*;
use crate::sync::{enrolled_till, sell, sync_until, till};

struct Device {
    base: String,
    token: String,
    terminal: Value,
    epoch: u32,
    events: Vec<Value>,
}

/// An enrolled till with `n` completed sales (plus its shift-opened event), and a device token.
async fn device(app: &TestApp, api: &Api, n: usize) -> (Device, tempfile::TempDir) {
    let (_store, _p, code) = head_office(api).await;
    let base = format!("http://{}", app.addr);
    let (tmp, dir) = enrolled_till(base.clone(), code).await;
    let events = till(dir.clone(), move |t| {
        // The first pull tells the till its store sells without a register.
        t.sync_once()?;
        t.login("654321")?;
        t.open_shift("0")?;
        for _ in 0..n {
            t.add_item("CH-50", None)?;
            t.pay(Tender::Cash, "200", None)?;
            t.complete_sale()?;
        }
        t.pending_events(1000)
    })
    .await
    .unwrap();
    let cred: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("device.json")).unwrap()).unwrap();
    let tok: Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/sync/token"))
        .json(&json!({"protocol": 1, "terminal_id": cred["terminal_id"], "secret": cred["secret"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let events = events
        .iter()
        .map(|e| serde_json::to_value(e).unwrap())
        .collect();
    let d = Device {
        base,
        token: tok["token"].as_str().unwrap().into(),
        terminal: cred["terminal_id"].clone(),
        epoch: cred["epoch"].as_u64().unwrap() as u32,
        events,
    };
    (d, tmp)
}

impl Device {
    async fn push(&self, events: &[Value]) -> (StatusCode, Value) {
        self.push_raw(json!({"protocol": 1, "terminal_id": self.terminal, "epoch": self.epoch, "events": events})).await
    }
    async fn push_raw(&self, body: Value) -> (StatusCode, Value) {
        split(
            reqwest::Client::new()
                .post(format!("{}/api/v1/sync/push", self.base))
                .bearer_auth(&self.token)
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await
    }
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_is_idempotent_refuses_gaps_and_forks() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let (d, _tmp) = device(&app, &api, 4).await; // events 1..5
    let e = &d.events;
    let first = d.push(&e[0..3]).await;
    assert_eq!(first.0, StatusCode::OK, "{}", first.1);
    assert_eq!(
        first.1,
        json!({"acked_seq": 3, "applied": 3, "duplicates": 0})
    );
    // A replayed request gets the same answer and changes nothing.
    let again = d.push(&e[0..3]).await;
    assert_eq!(
        again.1,
        json!({"acked_seq": 3, "applied": 0, "duplicates": 3})
    );
    // Overlap is accepted.
    let overlap = d.push(&e[1..4]).await;
    assert_eq!(
        overlap.1,
        json!({"acked_seq": 4, "applied": 1, "duplicates": 2})
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sales").await, 3);
    // A gap is refused with the sequence expected.
    let mut skipped = e[4].clone();
    skipped["seq"] = json!(7);
    let gap = d.push(&[skipped]).await;
    assert_error(&gap, StatusCode::CONFLICT, "sequence_gap");
    assert_eq!(gap.1["error"]["expected_seq"], 5);
    // Same event id, different content: a forked history, refused and raised.
    let mut forged = e[2].clone();
    forged["payload"]["data"]["doc"]["lines"][0]["name"] = json!("Something else");
    assert_error(
        &d.push(&[forged]).await,
        StatusCode::CONFLICT,
        "forked_history",
    );
    // Same sequence, another event: also a fork.
    let mut other = e[3].clone();
    other["event_id"] = json!(uuid::Uuid::now_v7());
    assert_error(
        &d.push(&[other]).await,
        StatusCode::CONFLICT,
        "forked_history",
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM sync_alerts WHERE kind = 'forked_history'"
        )
        .await,
        2
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM till_events").await, 4);
    let last = d.push(&e[4..5]).await;
    assert_eq!(last.1["acked_seq"], 5);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sales").await, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_cannot_be_a_genuine_fact_is_refused_whole() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let (d, _tmp) = device(&app, &api, 2).await;
    let e = &d.events;
    let bad = |body: Value| async { d.push_raw(body).await };
    let cases: Vec<(&str, Value, StatusCode, &str)> = vec![
        (
            "another terminal's batch",
            json!({"protocol": 1, "terminal_id": uuid::Uuid::now_v7(), "epoch": d.epoch, "events": e}),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            "unsupported protocol",
            json!({"protocol": 99, "terminal_id": d.terminal, "epoch": d.epoch, "events": e}),
            StatusCode::BAD_REQUEST,
            "unsupported_protocol",
        ),
        (
            "closed epoch",
            json!({"protocol": 1, "terminal_id": d.terminal, "epoch": d.epoch + 1, "events": e}),
            StatusCode::CONFLICT,
            "conflict",
        ),
        (
            "unknown event type",
            json!({"protocol": 1, "terminal_id": d.terminal, "epoch": d.epoch,
            "events": [{"schema_version": 1, "event_id": uuid::Uuid::now_v7(), "terminal_id": d.terminal, "seq": 1,
                        "occurred_at": "2026-11-25T10:00:00Z", "payload": {"type": "teleported", "data": {}}}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        ),
        (
            "garbage",
            json!({"protocol": 1, "hello": true}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        ),
    ];
    for (what, body, status, code) in cases {
        let r = bad(body).await;
        assert_eq!(r.0, status, "{what}: {}", r.1);
        assert_eq!(r.1["error"]["code"], code, "{what}");
    }
    let mut foreign = e.clone();
    foreign[1]["terminal_id"] = json!(uuid::Uuid::now_v7());
    assert_error(&d.push(&foreign).await, StatusCode::FORBIDDEN, "forbidden");
    let too_many: Vec<Value> = (0..501).map(|_| e[0].clone()).collect();
    assert_error(
        &d.push(&too_many).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    );
    let forged = reqwest::Client::new()
        .post(format!("{}/api/v1/sync/push", d.base))
        .bearer_auth(format!("{}x", d.token))
        .json(&json!({"protocol": 1, "terminal_id": d.terminal, "epoch": d.epoch, "events": e}))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    // An undecodable (not gzip) compressed batch.
    let garbled = reqwest::Client::new()
        .post(format!("{}/api/v1/sync/push", d.base))
        .bearer_auth(&d.token)
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body("certainly not gzip")
        .send()
        .await
        .unwrap();
    assert!(garbled.status().is_client_error(), "{}", garbled.status());
    // An admin's user token is not a device token.
    let r = split(
        reqwest::Client::new()
            .post(format!("{}/api/v1/sync/push", d.base))
            .bearer_auth(&api.token)
            .json(&json!({"protocol": 1, "terminal_id": d.terminal, "epoch": d.epoch, "events": e}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM till_events").await,
        0,
        "nothing applied"
    );
    // A disabled terminal is refused at once, token or not.
    let tid = d.terminal.as_str().unwrap();
    assert_eq!(
        api.post(&format!("/terminals/{tid}/disable"), json!({}))
            .await
            .0,
        StatusCode::OK
    );
    assert_error(&d.push(e).await, StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_receipts_are_stored_and_held_until_head_office_accepts_them() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let (d, _tmp) = device(&app, &api, 4).await;
    let mut e = d.events.clone();
    // Alter sale 2 consistently (totals still add up) without re-hashing it, and give
    // sale 3 impossible figures: both are stored and acknowledged, neither takes effect.
    let doc = &mut e[2]["payload"]["data"]["doc"];
    doc["lines"][0]["total"]["minor"] = json!(9_000);
    doc["lines"][0]["gross"]["minor"] = json!(9_000);
    doc["lines"][0]["unit_price"]["minor"] = json!(9_000);
    doc["gross"]["minor"] = json!(9_000);
    doc["total"]["minor"] = json!(9_000);
    doc["change"]["minor"] = json!(11_000);
    e[3]["payload"]["data"]["doc"]["total"]["minor"] = json!(-5);
    let r = d.push(&e).await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    assert_eq!(r.1["acked_seq"], 5);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM till_events").await, 5);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sales").await, 2);
    let (_, held) = api.get("/sync/quarantine").await;
    assert_eq!(held["total"], 2, "{held}");
    assert_eq!(held["items"][0]["problems"], json!(["hash_mismatch"]));
    assert_eq!(held["items"][0]["acceptable"], true);
    assert_eq!(
        held["items"][1]["problems"],
        json!(["totals_do_not_add_up", "hash_mismatch"])
    );
    assert_eq!(held["items"][1]["acceptable"], false);
    let (_, status) = api
        .get(&format!("/terminals/{}/sync", d.terminal.as_str().unwrap()))
        .await;
    let kinds: Vec<&str> = status["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"chain_break") && kinds.contains(&"quarantined"),
        "{kinds:?}"
    );
    // Head office looks and accepts the first: it takes effect, flagged.
    let event = held["items"][0]["event_id"].as_str().unwrap();
    let r = api
        .post(
            &format!("/sync/quarantine/{event}/accept"),
            json!({"note": "price typed by hand, checked"}),
        )
        .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sales").await, 3);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM sales WHERE flags @> ARRAY['hash_mismatch', 'accepted']"
        )
        .await,
        1
    );
    assert_eq!(
        count(&app, "SELECT COALESCE(SUM(-qty_milli), 0)::bigint FROM inventory_movements WHERE kind = 'sale'").await,
        3_000
    );
    // The sales API shows them, with lines, payments and flags.
    let (_, sales) = api.get("/sales").await;
    assert_eq!(sales["total"], 3);
    assert_eq!(sales["items"][0]["lines"][0]["sku"], "CH-50");
    assert_eq!(sales["items"][0]["payments"][0]["tender"], "cash");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_never_skips_a_change_that_commits_late() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let (store, p1, code) = head_office(&api).await;
    let p2 = api.ok_post("/products", json!({"sku": "P2", "name": "Second", "unit": "pcs", "vat": "22", "default_price": "5"})).await;
    let (_tmp, dir) = enrolled_till(format!("http://{}", app.addr), code).await;
    till(dir.clone(), |t| t.sync_once()).await.unwrap();
    // Writer A takes a lower change number but commits after writer B.
    let mut a = app.state.db.begin().await.unwrap();
    sqlx::query("UPDATE products SET default_price_minor = 777 WHERE id = $1")
        .bind(uuid::Uuid::parse_str(p1["id"].as_str().unwrap()).unwrap())
        .execute(&mut *a)
        .await
        .unwrap();
    let (s, _) = api
        .patch(
            &format!("/products/{}", p2["id"].as_str().unwrap()),
            json!({"default_price": "9.99"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    till(dir.clone(), |t| t.sync_once()).await.unwrap();
    a.commit().await.unwrap();
    sync_until(dir.clone(), |t| {
        let price = |code: &str| t.find_product(code).map(|p| p.price.minor).unwrap_or(0);
        (price("CH-50"), price("P2")) == (777, 999)
    })
    .await;
    let _ = store;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_till_behind_pruned_history_takes_a_fresh_snapshot() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let (_store, product, code) = head_office(&api).await;
    let (_tmp, dir) = enrolled_till(format!("http://{}", app.addr), code).await;
    till(dir.clone(), |t| {
        t.sync_once()?;
        // Something recorded offline must survive the snapshot.
        t.login("654321")?;
        t.open_shift("0")
    })
    .await
    .unwrap();
    // While the till is away: the product is withdrawn, and the history is pruned.
    let (s, _) = api
        .patch(
            &format!("/products/{}", product["id"].as_str().unwrap()),
            json!({"active": false}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let extra = api
        .ok_post(
            "/products",
            json!({"sku": "NEW", "name": "New", "unit": "pcs", "vat": "22", "default_price": "1"}),
        )
        .await;
    assert!(extra["id"].is_string());
    // Wait for the writes to fall below the feed horizon, then prune everything.
    let mut pruned = 0;
    for _ in 0..50 {
        pruned += sync_server::sync::prune(&app.state.db, 0).await.unwrap();
        if count(&app, "SELECT COUNT(*) FROM change_log").await == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(pruned > 0);
    sync_until(dir.clone(), |t| {
        t.find_product("NEW").is_ok() && t.find_product("CH-50").is_err()
    })
    .await;
    let (pending, verified) = till(dir.clone(), |t| {
        Ok((t.outbox_status()?.pending, t.verify()?.ok))
    })
    .await
    .unwrap();
    assert_eq!(
        (pending, verified),
        (0, true),
        "the outbox was pushed, not touched by the snapshot"
    );
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_till_restored_from_a_backup_re_enrolls_in_a_new_epoch() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let (store, _product, code) = head_office(&api).await;
    api.ok_post(
        "/users",
        json!({"login": "olga", "full_name": "Ольга", "role": "manager", "password": "password-123",
                                 "pin": "555555", "locations": [store["id"]]}),
    )
    .await;
    let (_tmp, dir) = enrolled_till(format!("http://{}", app.addr), code).await;
    till(dir.clone(), |t| t.sync_once()).await.unwrap();
    till(dir.clone(), sell(2)).await.unwrap(); // events 1..3 on the server
    let backup = tempfile::tempdir().unwrap();
    copy_dir(&dir, backup.path());
    till(dir.clone(), sell(2)).await.unwrap(); // events 4..5: lost with the disk
                                               // The restored till's next events reuse sequence numbers 4, 5 with other content:
                                               // under its old enrollment they are a forked history, refused and raised.
    let restored = backup.path().to_path_buf();
    let refused = till(restored.clone(), sell(1)).await;
    assert!(
        matches!(refused, Err(pos_desktop::TillError::SyncRefused { ref code, .. }) if code == "forked_history"),
        "{refused:?}"
    );
    // IT issues a new code; re-enrolled, the till is in a new epoch and everything goes through.
    let tid = till(restored.clone(), |t| Ok(t.terminal_id()))
        .await
        .unwrap();
    let fresh = api
        .ok_post(&format!("/terminals/{tid}/enrollment-code"), json!({}))
        .await;
    let code = fresh["enrollment_code"].as_str().unwrap().to_owned();
    let server = format!("http://{}", app.addr);
    let r = till(restored.clone(), move |t| {
        t.login("555555")?;
        t.enroll(&server, &code)?;
        t.sync_once()
    })
    .await
    .unwrap();
    assert_eq!(r.pending, 0);
    let r = till(restored.clone(), sell(1)).await.unwrap();
    assert_eq!(r.pending, 0);
    let epochs: Vec<(i32, i64, i64)> = sqlx::query_as(
        "SELECT epoch, MIN(seq), MAX(seq) FROM till_events GROUP BY epoch ORDER BY epoch",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    assert_eq!(epochs, vec![(1, 1, 5), (2, 4, 5)]);
    // 4 sales before the disaster + 2 after: all stored; the one whose receipt does not
    // link to head office's last is held until a person accepts it (after the restore,
    // it is genuine), then counts, flagged with the reused receipt number.
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sales").await, 5);
    let (_, held) = api.get("/sync/quarantine").await;
    assert_eq!(held["total"], 1, "{held}");
    assert!(held["items"][0]["problems"]
        .as_array()
        .unwrap()
        .contains(&json!("chain_break")));
    let event = held["items"][0]["event_id"].as_str().unwrap();
    let r = api
        .post(
            &format!("/sync/quarantine/{event}/accept"),
            json!({"note": "till restored from backup"}),
        )
        .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sales").await, 6);
    assert!(
        count(
            &app,
            "SELECT COUNT(*) FROM sales WHERE cardinality(flags) > 0"
        )
        .await
            >= 1
    );
    assert!(
        count(
            &app,
            "SELECT COUNT(*) FROM sync_alerts WHERE kind = 'forked_history'"
        )
        .await
            >= 1
    );
    assert!(
        count(
            &app,
            "SELECT COUNT(*) FROM sync_alerts WHERE kind IN ('receipt_gap', 'chain_break')"
        )
        .await
            >= 1
    );
}

/// Every change of a full pull at `protocol`, following the cursor to the end.
async fn full_pull(d: &Device, protocol: u16) -> Vec<Value> {
    let mut changes = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{}/api/v1/sync/pull?protocol={protocol}&limit=1000", d.base);
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page: Value = reqwest::Client::new()
            .get(url)
            .bearer_auth(&d.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        changes.extend(page["changes"].as_array().unwrap().iter().cloned());
        cursor = page["cursor"].as_str().map(str::to_owned);
        if page["more"] != true {
            return changes;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificates_reach_tills_by_key_only_and_protocol_1_tills_get_none() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let (d, _tmp) = device(&app, &api, 1).await;
    let batch = api
        .ok_post("/certificates/batches", json!({"name": "G", "nominal_minor": 50_000, "quantity": 2, "expires_on": "2099-12-31"}))
        .await;
    let sold = batch["codes"][0].as_str().unwrap().to_owned();
    let r = api
        .post(
            &format!("/certificates/{sold}/block"),
            json!({"reason": "lost"}),
        )
        .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    let kinds = |changes: &[Value], kind: &str| -> Vec<Value> {
        changes
            .iter()
            .filter(|c| c["type"] == kind)
            .cloned()
            .collect()
    };
    let v2 = full_pull(&d, 2).await;
    let keyed = kinds(&v2, "certificate_keyed");
    assert_eq!(keyed.len(), 1, "only the one no longer issued: {keyed:?}");
    let code = shared_model::certificates::CertificateCode::parse(&sold).unwrap();
    assert_eq!(keyed[0]["key"], json!(code.lookup_key()));
    assert!(kinds(&v2, "certificate").is_empty());
    let text = serde_json::to_string(&v2).unwrap();
    for c in batch["codes"].as_array().unwrap() {
        assert!(
            !text.contains(&c.as_str().unwrap().replace('-', "")),
            "{c} in the feed"
        );
    }
    let v1 = full_pull(&d, 1).await;
    assert!(kinds(&v1, "certificate_keyed").is_empty() && kinds(&v1, "certificate").is_empty());
    assert!(
        !kinds(&v1, "product").is_empty(),
        "protocol 1 still gets the catalog"
    );
    // Marking groups are protocol 3's: a till of 2 would fail to read the page.
    assert!(kinds(&v2, "marking_group").is_empty());
    let v3 = full_pull(&d, 3).await;
    let groups = kinds(&v3, "marking_group");
    assert!(groups.iter().any(|g| g["code"] == "perfume"), "{groups:?}");
}
