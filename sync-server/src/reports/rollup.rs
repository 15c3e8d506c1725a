//! Keeping the report rollups current: called by the sync ingest inside its transaction,
//! so a sale is in the reports exactly when it is in the sales tables. The rollup rules
//! themselves are SQL functions (migration `…_reports.sql`), shared with the backfill.

use shared_model::events::ReturnDoc;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::ApiResult;

/// Adds a batch's sales and returns, just stored, to the rollups. Called last in the
/// push transaction: the chain-wide monthly rows, which every till shares, are taken in
/// one statement in key order right before the commit, so concurrent pushes queue on
/// them briefly instead of deadlocking.
pub async fn add_batch(conn: &mut PgConnection, sales: &[Uuid], returns: &[Uuid]) -> ApiResult<()> {
    if !sales.is_empty() {
        sqlx::query("SELECT report_add_sales($1)")
            .bind(sales)
            .execute(&mut *conn)
            .await?;
    }
    if !returns.is_empty() {
        sqlx::query("SELECT report_add_returns($1)")
            .bind(returns)
            .execute(&mut *conn)
            .await?;
    }
    if !sales.is_empty() || !returns.is_empty() {
        sqlx::query("SELECT report_add_monthly($1, $2)")
            .bind(sales)
            .bind(returns)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Stores a return's lines and refunds as rows (the rollups follow in [`add_batch`]).
/// A returned line costs its share of the original line's cost (the cost in force when
/// it was sold), or today's cost when the original sale is not on the server.
pub async fn add_return_rows(conn: &mut PgConnection, d: &ReturnDoc) -> ApiResult<()> {
    let pos: Vec<i32> = (1..=d.lines.len() as i32).collect();
    sqlx::query(
        "INSERT INTO sale_return_lines (return_id, pos, sale_line_no, product_id, qty_milli, amount_minor, vat, vat_minor, cost_minor)
         SELECT $1, u.pos, u.no, u.product, u.qty, u.amount, u.vat, u.v,
                COALESCE(round(sl.cost_minor::numeric * u.qty / NULLIF(sl.qty_milli, 0))::bigint,
                         cost_at(u.product, $2, u.qty))
         FROM UNNEST($3::int[], $4::int[], $5::uuid[], $6::bigint[], $7::bigint[], $8::text[], $9::bigint[])
              AS u(pos, no, product, qty, amount, vat, v)
         LEFT JOIN sale_lines sl ON sl.sale_id = $10 AND sl.line_no = u.no
              AND sl.local_day = (SELECT local_day FROM sales WHERE id = $10)",
    )
    .bind(d.return_id)
    .bind(d.completed_at)
    .bind(&pos)
    .bind(d.lines.iter().map(|l| l.sale_line_no as i32).collect::<Vec<_>>())
    .bind(d.lines.iter().map(|l| l.product_id).collect::<Vec<_>>())
    .bind(d.lines.iter().map(|l| l.qty.milli()).collect::<Vec<_>>())
    .bind(d.lines.iter().map(|l| l.amount.minor).collect::<Vec<_>>())
    .bind(d.lines.iter().map(|l| l.vat_rate.code()).collect::<Vec<_>>())
    .bind(d.lines.iter().map(|l| l.vat.minor).collect::<Vec<_>>())
    .bind(d.sale_id)
    .execute(&mut *conn)
    .await?;
    let pos: Vec<i32> = (1..=d.refunds.len() as i32).collect();
    sqlx::query(
        "INSERT INTO sale_return_refunds (return_id, pos, tender, amount_minor)
         SELECT $1, u.pos, u.tender, u.amount FROM UNNEST($2::int[], $3::text[], $4::bigint[]) AS u(pos, tender, amount)",
    )
    .bind(d.return_id)
    .bind(&pos)
    .bind(d.refunds.iter().map(|r| r.tender.code()).collect::<Vec<_>>())
    .bind(d.refunds.iter().map(|r| r.amount.minor).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Makes sure sale lines have monthly partitions from `from` to `to` (and for any month
/// that strayed into the default partition). Returns how many it added.
pub async fn ensure_partitions(
    db: &sqlx::PgPool,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> ApiResult<i32> {
    let added: i32 = sqlx::query_scalar("SELECT sale_lines_ensure_partitions($1, $2)")
        .bind(from)
        .bind(to)
        .fetch_one(db)
        .await?;
    Ok(added)
}

/// The partitions a running server keeps ahead: last month to three months on, so a
/// week-late batch and the coming quarter never land in the default partition.
pub async fn ensure_current_partitions(db: &sqlx::PgPool) -> ApiResult<i32> {
    let today = chrono::Utc::now().date_naive();
    ensure_partitions(
        db,
        today - chrono::Days::new(31),
        today + chrono::Days::new(92),
    )
    .await
}
