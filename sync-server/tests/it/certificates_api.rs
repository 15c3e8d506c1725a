//! Gift certificates through head office's API alone: bad batches, unknown and blocked codes,
//! the redemption policy.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificates_refuse_bad_input_and_blocked_codes() {
    let app = spawn_app().await;
    let api = app.admin().await;
    for bad in [
        json!({"name": "", "nominal_minor": 100, "quantity": 1, "expires_on": "2099-01-01"}),
        json!({"name": "x", "nominal_minor": 0, "quantity": 1, "expires_on": "2099-01-01"}),
        json!({"name": "x", "nominal_minor": 100, "quantity": 0, "expires_on": "2099-01-01"}),
        json!({"name": "x", "nominal_minor": 100, "quantity": 1, "expires_on": "2000-01-01"}),
    ] {
        let r = api.post("/certificates/batches", bad).await;
        assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation");
    }
    let (_, list) = api.get("/certificates").await;
    assert_eq!(list["total"], 0, "nothing partial was written");
    let r = api.get("/certificates/NOT-A-CODE").await;
    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "certificate_unknown");
    let code = batch(&api, 100_000, 1).await.remove(0);
    let r = api
        .post(
            &format!("/certificates/{code}/block"),
            json!({"reason": "утерян"}),
        )
        .await;
    assert_eq!(
        (r.0, r.1["status"].as_str()),
        (StatusCode::OK, Some("blocked"))
    );
    let r = api
        .post(
            &format!("/certificates/{code}/block"),
            json!({"reason": "ещё раз"}),
        )
        .await;
    assert_error(&r, StatusCode::CONFLICT, "conflict");
    let (_, policy) = api.get("/certificates/policy").await;
    assert_eq!(policy["mode"], "allowance");
    let (s, _) = api
        .put(
            "/certificates/policy",
            json!({"mode": "sometimes", "per_redemption_minor": 1, "per_day_minor": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}
