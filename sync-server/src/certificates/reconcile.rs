//! Certificate movements arriving from tills, applied in arrival order. Nothing a till
//! did is refused or lost: an overdraw (two stores spending the same balance offline)
//! is recorded, the certificate frozen through the feed and an alert raised.

use std::collections::BTreeMap;

use serde_json::json;
use shared_model::certificates::{reconcile, CertificateCode};
use shared_model::events::{ReturnDoc, SaleDoc};
use shared_model::Money;
use sqlx::PgConnection;
use uuid::Uuid;

use super::load;
use crate::device::Device;
use crate::error::ApiResult;

async fn alert(
    conn: &mut PgConnection,
    device: &Device,
    kind: &str,
    detail: serde_json::Value,
) -> ApiResult<()> {
    sqlx::query("INSERT INTO sync_alerts (terminal_id, kind, detail) VALUES ($1, $2, $3)")
        .bind(device.terminal_id)
        .bind(kind)
        .bind(detail)
        .execute(conn)
        .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn ledger(
    conn: &mut PgConnection,
    certificate: Uuid,
    kind: &str,
    amount: i64,
    balance_after: i64,
    overdraw: i64,
    device: &Device,
    document: Uuid,
    online: Option<bool>,
) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO certificate_ledger (certificate_id, kind, amount_minor, balance_after, overdraw_minor,
            location_id, terminal_id, document_id, online)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(certificate)
    .bind(kind)
    .bind(amount)
    .bind(balance_after)
    .bind(overdraw)
    .bind(device.location_id)
    .bind(device.terminal_id)
    .bind(document)
    .bind(online)
    .execute(conn)
    .await?;
    Ok(())
}

/// Per certificate code: the sum of `amounts` (a sale may take one certificate twice).
fn by_code<'a>(items: impl Iterator<Item = (&'a str, i64)>) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for (code, amount) in items {
        *out.entry(code.to_owned()).or_insert(0) += amount;
    }
    out
}

/// Activates the certificates a sale sold and takes the redemptions it paid with.
pub async fn reconcile_sale(
    conn: &mut PgConnection,
    device: &Device,
    s: &SaleDoc,
) -> ApiResult<()> {
    for l in s.lines.iter().filter(|l| l.certificate.is_some()) {
        let code = l.certificate.as_deref().unwrap_or_default();
        let activated: Option<(Uuid, i64)> = sqlx::query_as(
            "UPDATE gift_certificates SET status = 'active', balance_minor = nominal_minor, home_location_id = $2,
                sold_at = $3, updated_at = now()
             WHERE code = $1 AND status = 'issued' RETURNING id, balance_minor",
        )
        .bind(code)
        .bind(device.location_id)
        .bind(s.completed_at)
        .fetch_optional(&mut *conn)
        .await?;
        match activated {
            Some((id, balance)) => {
                ledger(
                    conn,
                    id,
                    "activate",
                    l.total.minor,
                    balance,
                    0,
                    device,
                    s.sale_id,
                    None,
                )
                .await?
            }
            None => {
                let detail = json!({"sale_id": s.sale_id, "code": code, "problem": "sold but not in the issued state"});
                alert(conn, device, "certificate_sale_refused", detail).await?
            }
        }
    }
    let paid = by_code(
        s.payments
            .iter()
            .filter_map(|p| Some((p.certificate.as_deref()?, p.amount.minor))),
    );
    for (code, amount) in paid {
        let row = match CertificateCode::parse(&code) {
            Ok(c) => load(conn, &c, true).await?,
            Err(_) => None,
        };
        let Some(row) = row else {
            let detail = json!({"sale_id": s.sale_id, "code": code, "amount_minor": amount});
            alert(conn, device, "unknown_certificate", detail).await?;
            continue;
        };
        let (balance, overdraw) = reconcile(Money::rub(row.4), Money::rub(amount));
        let online: bool = sqlx::query_scalar(
            "WITH gone AS (DELETE FROM certificate_holds WHERE certificate_id = $1 AND sale_id = $2 RETURNING 1)
             SELECT EXISTS (SELECT 1 FROM gone)",
        )
        .bind(row.0)
        .bind(s.sale_id)
        .fetch_one(&mut *conn)
        .await?;
        sqlx::query(
            "UPDATE gift_certificates SET balance_minor = $2, overdraw_minor = overdraw_minor + $3,
                status = CASE WHEN $3 > 0 AND status = 'active' THEN 'frozen' ELSE status END, updated_at = now()
             WHERE id = $1",
        )
        .bind(row.0)
        .bind(balance.minor)
        .bind(overdraw.minor)
        .execute(&mut *conn)
        .await?;
        ledger(
            conn,
            row.0,
            "redeem",
            -amount,
            balance.minor,
            overdraw.minor,
            device,
            s.sale_id,
            Some(online),
        )
        .await?;
        if overdraw.minor > 0 {
            tracing::warn!(sale_id = %s.sale_id, overdraw = overdraw.minor, "gift certificate overdrawn; frozen");
            let detail = json!({"sale_id": s.sale_id, "code": code, "amount_minor": amount, "overdraw_minor": overdraw.minor});
            alert(conn, device, "certificate_overdraw", detail).await?;
        }
    }
    Ok(())
}

/// Puts refunds to certificates back onto them.
pub async fn reconcile_refunds(
    conn: &mut PgConnection,
    device: &Device,
    r: &ReturnDoc,
) -> ApiResult<()> {
    let refunded = by_code(
        r.refunds
            .iter()
            .filter_map(|p| Some((p.certificate.as_deref()?, p.amount.minor))),
    );
    for (code, amount) in refunded {
        let updated: Option<(Uuid, i64)> = sqlx::query_as(
            "UPDATE gift_certificates SET balance_minor = balance_minor + $2, updated_at = now()
             WHERE code = $1 RETURNING id, balance_minor",
        )
        .bind(&code)
        .bind(amount)
        .fetch_optional(&mut *conn)
        .await?;
        match updated {
            Some((id, balance)) => {
                ledger(
                    conn,
                    id,
                    "refund",
                    amount,
                    balance,
                    0,
                    device,
                    r.return_id,
                    None,
                )
                .await?
            }
            None => {
                let detail =
                    json!({"return_id": r.return_id, "code": code, "amount_minor": amount});
                alert(conn, device, "unknown_certificate", detail).await?
            }
        }
    }
    Ok(())
}
