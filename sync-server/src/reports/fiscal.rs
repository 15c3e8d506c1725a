//! Fiscal reports: each sale with its fiscal receipt (or the lack of one, in a store that
//! sells fiscally), and each fiscal till's register by health, judged by the same rule
//! the till stops sales by (`shared_model::fiscal::health::assess`).

use chrono::{DateTime, Utc};
use shared_model::fiscal::health::{self, Block, RegisterStatus, Warning};
use sqlx::PgPool;

use super::filter::{bind_filter, predicate, Filter};
use super::table::{Cell, Table};
use crate::error::ApiResult;

fn text(s: Option<String>) -> Cell {
    s.map_or(Cell::Null, Cell::Text)
}

/// Each sale of the period with its fiscal receipt: `signed`, `correction` (signed later,
/// the register having been out of order), `missing`, or `not_required` (a store head
/// office marks non-fiscal). With `attention`, only the missing ones.
pub async fn receipts(db: &PgPool, f: &Filter) -> ApiResult<Table> {
    let sql = format!(
        "SELECT s.local_day, l.name, t.name, s.receipt_no,
                to_char(s.completed_at AT TIME ZONE l.timezone, 'YYYY-MM-DD HH24:MI'), s.total_minor, l.non_fiscal,
                fd.number, fd.sign, fd.fn_serial, fd.correction
         FROM sales s JOIN locations l ON l.id = s.location_id JOIN terminals t ON t.id = s.terminal_id
         LEFT JOIN fiscal_documents fd ON fd.doc_id = s.id AND fd.kind = 'sale'
         WHERE {} AND ($8::bool IS NOT TRUE OR (fd.doc_id IS NULL AND NOT l.non_fiscal))
         ORDER BY s.completed_at, l.name, t.name",
        predicate(
            "s.local_day",
            "s.location_id",
            Some(("s.terminal_id", "s.cashier_id"))
        ),
    );
    type Row = (
        chrono::NaiveDate,
        String,
        String,
        i64,
        String,
        i64,
        bool,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<bool>,
    );
    let q = sqlx::query_as::<_, Row>(&sql);
    let rows = bind_filter!(q, f).bind(f.attention).fetch_all(db).await?;
    let mut t = Table::new(&[
        "day",
        "store",
        "terminal",
        "receipt_no",
        "completed_at",
        "total",
        "fiscal",
        "fd_number",
        "fiscal_sign",
        "fn_serial",
    ]);
    for (day, store, term, no, at, total, non_fiscal, fd, sign, fn_serial, corr) in rows {
        let state = match (fd, corr, non_fiscal) {
            (Some(_), Some(true), _) => "correction",
            (Some(_), _, _) => "signed",
            (None, _, true) => "not_required",
            (None, _, false) => "missing",
        };
        t.rows.push(vec![
            Cell::Date(day),
            Cell::Text(store),
            Cell::Text(term),
            Cell::Int(no),
            Cell::Text(at),
            Cell::Money(total),
            Cell::Text(state.into()),
            fd.map_or(Cell::Null, Cell::Int),
            text(sign),
            text(fn_serial),
        ]);
    }
    Ok(t)
}

/// How a register stands, as head office sorts them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Verdict {
    /// `ok`, `warning`, `blocked` (sales stopped), `no_answer` or `outage`.
    health: &'static str,
    /// What is wrong, in stable codes.
    problems: Vec<String>,
}

/// Judges a till's last register report at `now` (the register's clock moved on by the
/// time since the report).
fn judge(
    status: Option<&RegisterStatus>,
    reported_at: DateTime<Utc>,
    now: DateTime<Utc>,
    pending: i32,
    outage: bool,
) -> Verdict {
    let mut problems = Vec::new();
    if pending > 0 {
        problems.push(format!("pending_receipts:{pending}"));
    }
    if outage {
        problems.insert(0, "declared_out_of_order".into());
        return Verdict {
            health: "outage",
            problems,
        };
    }
    let Some(s) = status else {
        problems.insert(0, "no_answer".into());
        return Verdict {
            health: "no_answer",
            problems,
        };
    };
    let at = s.clock.map_or(now, |c| c + (now - reported_at));
    let h = health::assess(s, at);
    for w in &h.warnings {
        problems.push(match w {
            Warning::PaperOut => "paper_out".into(),
            Warning::CoverOpen => "cover_open".into(),
            Warning::ZDue { minutes_left } => format!("z_due:{minutes_left}min"),
            Warning::ShiftExpired => "shift_expired".into(),
            Warning::OfdBacklog { unsent, days, .. } => format!("ofd_backlog:{unsent}/{days}d"),
            Warning::FnExpiring { days_left } => format!("fn_expiring:{days_left}d"),
        });
    }
    let health = match (&h.block, problems.is_empty()) {
        (Some(b), _) => {
            problems.insert(
                0,
                match b {
                    Block::NotReady => "blocked:not_ready",
                    Block::ZRequired => "blocked:z_required",
                    Block::OfdLock { .. } => "blocked:ofd_lock",
                    Block::FnExpired => "blocked:fn_expired",
                }
                .into(),
            );
            "blocked"
        }
        (None, false) => "warning",
        (None, true) => "ok",
    };
    Verdict { health, problems }
}

/// Each fiscal till's register as its till last reported it: health, what is wrong, the
/// fiscal storage's term, documents unsent to the ОФД, hours left in its shift, receipts
/// waiting. With `attention`, only those not `ok`.
pub async fn registers(db: &PgPool, f: &Filter) -> ApiResult<Table> {
    type Row = (
        String,
        String,
        String,
        DateTime<Utc>,
        Option<sqlx::types::Json<RegisterStatus>>,
        Option<String>,
        i32,
        i32,
        Option<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT t.id::text, l.name, t.name, r.reported_at, r.status, r.error, r.pending, r.deferred, r.outage
         FROM register_reports r JOIN terminals t ON t.id = r.terminal_id JOIN locations l ON l.id = t.location_id
         WHERE ($1::uuid IS NULL OR t.location_id = $1) AND ($2::uuid[] IS NULL OR t.location_id = ANY($2))
         ORDER BY l.name, t.name",
    )
    .bind(f.location)
    .bind(f.scope.clone())
    .fetch_all(db)
    .await?;
    let now = Utc::now();
    let mut t = Table::new(&[
        "terminal_id",
        "store",
        "terminal",
        "reported_at",
        "health",
        "problems",
        "fn_serial",
        "fn_days_left",
        "unsent",
        "ofd_days",
        "shift_hours_left",
        "pending",
        "deferred",
        "error",
    ]);
    for (id, store, term, reported_at, status, error, pending, deferred, outage) in rows {
        let status = status.map(|j| j.0);
        let v = judge(status.as_ref(), reported_at, now, pending, outage.is_some());
        if f.attention && v.health == "ok" {
            continue;
        }
        let at = status
            .as_ref()
            .and_then(|s| s.clock)
            .map_or(now, |c| c + (now - reported_at));
        let int = |o: Option<i64>| o.map_or(Cell::Null, Cell::Int);
        t.rows.push(vec![
            Cell::Text(id),
            Cell::Text(store),
            Cell::Text(term),
            Cell::Text(reported_at.to_rfc3339()),
            Cell::Text(v.health.into()),
            Cell::Text(v.problems.join(", ")),
            text(status.as_ref().map(|s| s.fn_serial.clone())),
            int(status
                .as_ref()
                .and_then(|s| s.fn_valid_until)
                .map(|d| (d - at.date_naive()).num_days())),
            int(status.as_ref().map(|s| i64::from(s.unsent))),
            int(status
                .as_ref()
                .and_then(|s| s.oldest_unsent_at.filter(|_| s.unsent > 0))
                .map(|o| (at - o).num_days())),
            int(status
                .as_ref()
                .and_then(|s| s.shift_expires_at)
                .map(|e| (e - at).num_hours())),
            Cell::Int(i64::from(pending)),
            Cell::Int(i64::from(deferred)),
            text(error.or(outage)),
        ]);
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use shared_model::fiscal::health::ShiftState;

    fn status(now: DateTime<Utc>) -> RegisterStatus {
        RegisterStatus {
            model: "ATOL".into(),
            shift: ShiftState::Opened,
            shift_no: 3,
            shift_expires_at: Some(now + Duration::hours(24)),
            paper: true,
            cover_open: false,
            unsent: 0,
            oldest_unsent_at: None,
            fn_serial: "9999078900001234".into(),
            fn_valid_until: Some((now + Duration::days(300)).date_naive()),
            clock: Some(now),
        }
    }

    #[test]
    fn a_register_is_judged_at_its_own_clock_moved_on_since_the_report() {
        let then = Utc::now() - Duration::hours(23) - Duration::minutes(30);
        let now = Utc::now();
        let s = status(then);
        // Fine when reported; 23½ hours later its shift has half an hour left.
        assert_eq!(judge(Some(&s), then, then, 0, false).health, "ok");
        let later = judge(Some(&s), then, now, 0, false);
        assert_eq!(later.health, "warning", "{later:?}");
        assert!(later.problems[0].starts_with("z_due:"), "{later:?}");
        // Past its 24 hours: sales stop until the Z.
        let day = judge(Some(&s), then, now + Duration::hours(1), 0, false);
        assert_eq!(day.health, "blocked");
        assert_eq!(day.problems[0], "blocked:z_required");
    }

    #[test]
    fn silence_outages_and_waiting_receipts_need_someone() {
        let now = Utc::now();
        assert_eq!(judge(None, now, now, 0, false).health, "no_answer");
        let out = judge(Some(&status(now)), now, now, 2, true);
        assert_eq!(out.health, "outage");
        assert_eq!(
            out.problems,
            vec!["declared_out_of_order", "pending_receipts:2"]
        );
        let waiting = judge(Some(&status(now)), now, now, 1, false);
        assert_eq!(waiting.health, "warning");
        let mut old = status(now);
        old.unsent = 4;
        old.oldest_unsent_at = Some(now - Duration::days(5));
        let v = judge(Some(&old), now, now, 0, false);
        assert_eq!(
            (v.health, v.problems[0].as_str()),
            ("warning", "ofd_backlog:4/5d")
        );
    }
}
