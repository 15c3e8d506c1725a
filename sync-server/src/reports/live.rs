//! Today's figures, live: a server-sent event stream that sends each store's totals for
//! its own (store-local) today when a browser connects and again whenever a till's
//! batch with sales or returns for that store is stored (noticed through Redis, so any
//! server replica's ingest reaches every replica's browsers).

use std::convert::Infallible;
use std::time::Duration;

use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::{Stream, StreamExt};
use sqlx::PgPool;
use tokio_stream::wrappers::BroadcastStream;
use uuid::Uuid;

use super::table::{Cell, Table};
use crate::error::ApiResult;
use crate::rbac::Scope;
use crate::AppState;

/// Today's totals per store in `scope` (one store when `only` is given).
pub async fn today(db: &PgPool, scope: &Scope, only: Option<Uuid>) -> ApiResult<Table> {
    type Row = (Uuid, String, chrono::NaiveDate, i64, i64, i64, i64);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT l.id, l.name, (now() AT TIME ZONE l.timezone)::date,
                COALESCE(sum(r.receipts), 0)::bigint, COALESCE(sum(r.sales), 0)::bigint,
                COALESCE(sum(r.returns), 0)::bigint, COALESCE(sum(r.returned), 0)::bigint
         FROM locations l
         LEFT JOIN report_daily r ON r.location_id = l.id AND r.day = (now() AT TIME ZONE l.timezone)::date
         WHERE l.kind = 'store' AND ($1::uuid[] IS NULL OR l.id = ANY($1)) AND ($2::uuid IS NULL OR l.id = $2)
         GROUP BY l.id, l.name, l.timezone ORDER BY l.name",
    )
    .bind(scope.ids())
    .bind(only)
    .fetch_all(db)
    .await?;
    let mut t = Table::new(&[
        "location_id",
        "store",
        "day",
        "receipts",
        "sales",
        "returns",
        "returned",
        "net",
    ]);
    for (id, name, day, receipts, sales, returns, returned) in rows {
        t.rows.push(vec![
            Cell::Text(id.to_string()),
            Cell::Text(name),
            Cell::Date(day),
            Cell::Int(receipts),
            Cell::Money(sales),
            Cell::Int(returns),
            Cell::Money(returned),
            Cell::Money(sales - returned),
        ]);
    }
    Ok(t)
}

fn event(t: ApiResult<Table>) -> Result<Event, Infallible> {
    Ok(match t {
        Ok(t) => Event::default()
            .event("totals")
            .data(t.to_json().to_string()),
        Err(e) => {
            tracing::warn!(error = %e, "live totals");
            Event::default()
                .event("error")
                .data("the figures are unavailable; retrying")
        }
    })
}

/// The stream: every store now, then a store each time its sales change (all stores
/// again if notices were missed).
/// The stream ends when the login session does (logout, password change, expiry).
pub fn stream(
    state: AppState,
    scope: Scope,
    session: Option<Uuid>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = state.sales_notifier.subscribe();
    let ended = Box::pin(crate::auth::tokens::session_ended(
        state.db.clone(),
        session,
    ));
    let (db, db2) = (state.reports_db.clone(), state.reports_db.clone());
    let (s1, s2) = (scope.clone(), scope.clone());
    let first = futures_util::stream::once(async move { event(today(&db, &s1, None).await) });
    let updates = BroadcastStream::new(rx)
        .filter_map(move |m| {
            let scope = s2.clone();
            async move {
                match m {
                    Ok(Some(l)) if scope.check(l).is_ok() => Some(Some(l)),
                    Ok(Some(_)) => None,
                    // Lagged, or "everything changed": send every store again.
                    _ => Some(None),
                }
            }
        })
        .then(move |only| {
            let (db, scope) = (db2.clone(), scope.clone());
            async move { event(today(&db, &scope, only).await) }
        });
    Sse::new(first.chain(updates).take_until(ended))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
