//! What a checked receipt does to head office's books: stock, certificate balances and
//! the report rows. Used by a push for facts that pass the checks, and by a person's
//! acceptance of a quarantined one.

use std::collections::BTreeMap;

use shared_model::events::{ReturnDoc, SaleDoc};
use shared_model::facts::SoldSale;
use shared_model::{Money, Quantity};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::certificates::{reconcile_refunds, reconcile_sale};
use crate::device::Device;
use crate::error::{ApiError, ApiResult};
use crate::ledger::{Kind, Movement, Moves, Origin, Warehouses};

/// The certificate movements of a sale whose rows are stored.
pub(super) async fn sale_certificates(
    conn: &mut PgConnection,
    device: &Device,
    d: &SaleDoc,
) -> ApiResult<()> {
    if d.lines.iter().any(|l| l.certificate.is_some())
        || d.payments.iter().any(|p| p.certificate.is_some())
    {
        reconcile_sale(conn, device, d).await?;
    }
    Ok(())
}

/// Stores a return with its effects: the return rows, refunds onto certificates, stock
/// back in and its report rows (the monthly rollups come with the batch's).
pub(super) async fn apply_return(
    conn: &mut PgConnection,
    device: &Device,
    event_id: Uuid,
    receipt_no: u64,
    d: &ReturnDoc,
) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO sale_returns (id, terminal_id, location_id, sale_id, shift_id, receipt_no, completed_at,
            total_minor, reason, doc, cashier_id, local_day)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, ($7 AT TIME ZONE l.timezone)::date
         FROM locations l WHERE l.id = $3",
    )
    .bind(d.return_id)
    .bind(device.terminal_id)
    .bind(device.location_id)
    .bind(d.sale_id)
    .bind(d.shift_id)
    .bind(receipt_no as i64)
    .bind(d.completed_at)
    .bind(d.total.minor)
    .bind(&d.reason)
    .bind(serde_json::to_value(d).map_err(ApiError::internal)?)
    .bind(d.cashier_id)
    .execute(&mut *conn)
    .await?;
    reconcile_refunds(conn, device, d).await?;
    crate::marking::registry::returned(conn, device, d).await?;
    let mut moves = Moves::default();
    for l in &d.lines {
        moves.push(Movement {
            location: device.location_id,
            product: l.product_id,
            qty_milli: l.qty.milli(),
            kind: Kind::Return,
            reason: d.reason.clone(),
            by: Origin::Till {
                event: event_id,
                at: d.completed_at,
            },
        });
    }
    moves.write(conn, Warehouses::TILL_FACTS).await?;
    crate::reports::rollup::add_return_rows(conn, d).await
}

/// What head office holds with effect of a sale, and the returns of it already given
/// effect: what a new return is checked against. `None` when no such sale has effect.
pub(super) async fn sold_sale(
    conn: &mut PgConnection,
    sale_id: Uuid,
) -> ApiResult<Option<(SoldSale, Vec<ReturnDoc>)>> {
    let lines: Vec<(i32, i64, i64)> = sqlx::query_as(
        "SELECT l.line_no, l.qty_milli, l.total_minor FROM sales s
         JOIN sale_lines l ON l.sale_id = s.id AND l.local_day = s.local_day WHERE s.id = $1",
    )
    .bind(sale_id)
    .fetch_all(&mut *conn)
    .await?;
    if lines.is_empty() {
        return Ok(None);
    }
    let paid: Vec<(String, i64)> = sqlx::query_as(
        "SELECT certificate, SUM(amount_minor)::bigint FROM sale_payments
         WHERE sale_id = $1 AND certificate IS NOT NULL GROUP BY certificate",
    )
    .bind(sale_id)
    .fetch_all(&mut *conn)
    .await?;
    let earlier: Vec<serde_json::Value> =
        sqlx::query_scalar("SELECT doc FROM sale_returns WHERE sale_id = $1")
            .bind(sale_id)
            .fetch_all(&mut *conn)
            .await?;
    let earlier = earlier
        .into_iter()
        .map(serde_json::from_value)
        .collect::<Result<Vec<ReturnDoc>, _>>()
        .map_err(ApiError::internal)?;
    let marks: Vec<(i32, String)> =
        sqlx::query_as("SELECT line_no, identity FROM marked_units WHERE sale_id = $1")
            .bind(sale_id)
            .fetch_all(&mut *conn)
            .await?;
    let sold = SoldSale {
        marks: marks.into_iter().map(|(no, id)| (no as u32, id)).collect(),
        lines: lines
            .into_iter()
            .map(|(no, qty, total)| (no as u32, (Quantity::from_milli(qty), Money::rub(total))))
            .collect(),
        certificates: paid
            .into_iter()
            .map(|(code, amount)| (code, Money::rub(amount)))
            .collect::<BTreeMap<_, _>>(),
    };
    Ok(Some((sold, earlier)))
}
