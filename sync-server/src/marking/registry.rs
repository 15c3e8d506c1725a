//! The registry of marked units: one row per unit a till sold with its code, written with
//! the sale's rows in the same transaction, and marked returned by the return that took
//! it back (in whichever store that was).

use shared_model::events::{ReturnDoc, SaleDoc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::device::Device;
use crate::error::ApiResult;

/// A batch's marked units as column arrays, for one multi-row INSERT.
#[derive(Default)]
pub struct MarkRows {
    sale: Vec<Uuid>,
    line: Vec<i32>,
    identity: Vec<String>,
    code: Vec<String>,
    product: Vec<Uuid>,
    at: Vec<chrono::DateTime<chrono::Utc>>,
    outcome: Vec<String>,
    source: Vec<Option<String>>,
    req_id: Vec<Option<String>>,
    req_ts: Vec<Option<i64>>,
}

impl MarkRows {
    /// The sale's marked lines.
    pub fn add(&mut self, s: &SaleDoc) {
        for l in &s.lines {
            let Some(m) = &l.mark else { continue };
            self.sale.push(s.sale_id);
            self.line.push(l.line_no as i32);
            self.identity.push(m.code.identity());
            self.code.push(m.code.to_gs1());
            self.product.push(l.product_id);
            self.at.push(s.completed_at);
            self.outcome.push(m.check.outcome.code().to_owned());
            self.source
                .push(m.check.source.map(|s| s.code().to_owned()));
            self.req_id.push(m.check.req_id.clone());
            self.req_ts.push(m.check.req_timestamp);
        }
    }

    /// Writes them for `device`'s store and till.
    pub async fn flush(&self, conn: &mut PgConnection, device: &Device) -> ApiResult<()> {
        if self.sale.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO marked_units (sale_id, line_no, identity, code, product_id, sold_at, outcome, source,
                req_id, req_timestamp, location_id, terminal_id)
             SELECT u.*, $11, $12 FROM UNNEST($1::uuid[], $2::int[], $3::text[], $4::text[], $5::uuid[],
                $6::timestamptz[], $7::text[], $8::text[], $9::text[], $10::bigint[]) AS u",
        )
        .bind(&self.sale)
        .bind(&self.line)
        .bind(&self.identity)
        .bind(&self.code)
        .bind(&self.product)
        .bind(&self.at)
        .bind(&self.outcome)
        .bind(&self.source)
        .bind(&self.req_id)
        .bind(&self.req_ts)
        .bind(device.location_id)
        .bind(device.terminal_id)
        .execute(conn)
        .await?;
        Ok(())
    }
}

/// Marks the units a return took back (the facts check made sure they are the sale's).
pub async fn returned(conn: &mut PgConnection, device: &Device, r: &ReturnDoc) -> ApiResult<()> {
    let lines: Vec<i32> = r
        .lines
        .iter()
        .filter(|l| l.mark.is_some())
        .map(|l| l.sale_line_no as i32)
        .collect();
    if lines.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "UPDATE marked_units SET return_id = $3, returned_at = $4, return_location = $5
         WHERE sale_id = $1 AND line_no = ANY($2)",
    )
    .bind(r.sale_id)
    .bind(&lines)
    .bind(r.return_id)
    .bind(r.completed_at)
    .bind(device.location_id)
    .execute(conn)
    .await?;
    Ok(())
}
