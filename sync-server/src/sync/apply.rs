//! Applying a pushed batch: one PostgreSQL transaction, idempotent on event id and on
//! (terminal, epoch, sequence), gap-refusing, fork-detecting, chain-verifying.

use std::collections::HashMap;

use serde_json::json;
use sha2::{Digest, Sha256};
use shared_model::chain::{receipt_hash, ReceiptBody, ReceiptLink, GENESIS_HASH};
use shared_model::events::{
    EventEnvelope, EventPayload, EVENT_SCHEMA_VERSION, MIN_EVENT_SCHEMA_VERSION,
};
use shared_model::facts::{check_return, check_sale, Problem, Problems};
use shared_model::sync::PushRequest;
use shared_model::sync::PushResponse;
use shared_model::Money;
use sqlx::PgConnection;
use tracing::instrument;
use uuid::Uuid;

use super::effects;
use super::quarantine::{self, Held};
use super::sale_rows::SaleRows;
use crate::device::{check_protocol, Device};
use crate::error::{ApiError, ApiResult};
use crate::ledger::{Kind, Movement, Moves, Origin, Warehouses};
use crate::AppState;

/// Where the terminal's receipt chain stands while a batch is applied.
struct Chain {
    last_no: i64,
    last_hash: Option<String>,
    alerts: Vec<(&'static str, serde_json::Value)>,
}

impl Chain {
    /// Checks a receipt's own hash, its number and its link; breaks are flagged, never dropped.
    fn check(&mut self, link: &ReceiptLink, body: ReceiptBody<'_>) -> Vec<String> {
        let mut flags = Vec::new();
        if receipt_hash(link.receipt_no, &link.prev_hash, body) != link.hash {
            flags.push("hash_mismatch".to_owned());
            self.alerts.push(("chain_break", json!({"receipt_no": link.receipt_no, "problem": "content does not match its hash"})));
        }
        let anchored = self.last_hash.is_some() || link.receipt_no == 1;
        if anchored {
            let expected_prev = self
                .last_hash
                .clone()
                .unwrap_or_else(|| GENESIS_HASH.to_owned());
            if link.receipt_no as i64 != self.last_no + 1 {
                flags.push("receipt_gap".to_owned());
                self.alerts.push((
                    "receipt_gap",
                    json!({"expected": self.last_no + 1, "found": link.receipt_no}),
                ));
            }
            if link.prev_hash != expected_prev {
                flags.push("chain_break".to_owned());
                self.alerts.push(("chain_break", json!({"receipt_no": link.receipt_no, "problem": "does not link to the previous receipt"})));
            }
        }
        self.last_no = link.receipt_no as i64;
        self.last_hash = Some(link.hash.clone());
        flags
    }
}

fn content_hash(e: &EventEnvelope) -> ApiResult<String> {
    let bytes = serde_json::to_vec(e).map_err(ApiError::internal)?;
    Ok(hex::encode(Sha256::digest(bytes)))
}

/// Refuses what cannot be a batch of this till's: foreign identity, bad sequence order,
/// unknown schema versions. (Receipts with impossible figures are stored and held.)
fn validate(device: &Device, req: &PushRequest) -> ApiResult<()> {
    check_protocol(req.protocol)?;
    if req.terminal_id != device.terminal_id {
        return Err(ApiError::Forbidden(
            "this batch names another terminal".into(),
        ));
    }
    if req.epoch != device.epoch {
        return Err(ApiError::Conflict(
            "this enrollment has ended; enroll the till again".into(),
        ));
    }
    let mut prev = 0u64;
    for e in &req.events {
        if e.terminal_id != device.terminal_id {
            return Err(ApiError::Forbidden(format!(
                "event {} belongs to another terminal",
                e.event_id
            )));
        }
        if !(MIN_EVENT_SCHEMA_VERSION..=EVENT_SCHEMA_VERSION).contains(&e.schema_version) {
            return Err(ApiError::Validation(format!(
                "event schema version {} is not supported",
                e.schema_version
            )));
        }
        if e.seq == 0 || e.seq <= prev {
            return Err(ApiError::Validation(
                "events must be in increasing sequence order".into(),
            ));
        }
        prev = e.seq;
    }
    Ok(())
}

/// Applies a batch in one transaction and answers the highest contiguous sequence held.
#[instrument(skip_all, err)]
pub async fn push(state: &AppState, device: &Device, req: PushRequest) -> ApiResult<PushResponse> {
    validate(device, &req)?;
    // Tills of one store add to the same stock and report rows. Bulk writes take those
    // rows in key order, but a return applied before a batch's bulk sales can still
    // meet a neighbour till's batch the other way round; PostgreSQL then aborts one of
    // them (a deadlock). The loser waits a little and tries again, for up to 20 s (the
    // till waits 30 s for an answer) before the till is told to come back later.
    let start = std::time::Instant::now();
    let mut pause = 10u64;
    let sells = req.events.iter().any(|e| {
        matches!(
            e.payload,
            EventPayload::SaleCompleted(_) | EventPayload::ReturnCompleted(_)
        )
    });
    loop {
        match apply(state, device, &req).await {
            Ok(r) if sells && r.applied > 0 => {
                crate::notify::sales_changed(state, device.location_id).await;
                return Ok(r);
            }
            // A deadlock lost, or no connection free within the pool's wait (every till of
            // a chain pushing at once): both pass, so the push waits and tries again.
            Err(ApiError::Busy | ApiError::Unavailable(_))
                if start.elapsed() < std::time::Duration::from_secs(20) =>
            {
                let jitter = (Uuid::new_v4().as_u128() % u128::from(pause)) as u64;
                tokio::time::sleep(std::time::Duration::from_millis(pause + jitter)).await;
                pause = (pause * 2).min(200);
            }
            r => return r,
        }
    }
}

/// One attempt at applying a batch.
async fn apply(state: &AppState, device: &Device, req: &PushRequest) -> ApiResult<PushResponse> {
    let mut tx = state.db.begin().await?;
    let (mut acked, last_no, last_hash) = open_epoch(&mut tx, device, req).await?;
    let known = Known::load(&mut tx, device, req).await?;
    let (stored, prices, faces) = (&known.stored, &known.prices, &known.faces);
    let mut chain = Chain {
        last_no,
        last_hash,
        alerts: Vec::new(),
    };
    let (mut applied, mut duplicates) = (0u32, 0u32);
    let mut sales = SaleRows::default();
    let mut held: Vec<Held> = Vec::new();
    let mut fresh: Vec<(&EventEnvelope, String)> = Vec::new();
    // Receipts whose checks pass: sales (stored in bulk) and returns (checked against
    // their sales once the batch's sales are stored), in arrival order.
    let mut receipts: Vec<&EventEnvelope> = Vec::new();
    let mut return_chain: HashMap<Uuid, Problems> = HashMap::new();
    for e in &req.events {
        let hash = content_hash(e)?;
        let seq = e.seq as i64;
        match stored.get(&e.event_id) {
            Some(h) if *h == hash => {
                duplicates += 1;
                // A resent event (possibly from before a re-enrollment) still counts as held.
                if seq == acked + 1 {
                    acked = seq;
                }
                continue;
            }
            Some(_) => return fork(state, tx, device, e, "same event id, different content").await,
            None => {}
        }
        if seq <= acked {
            return fork(
                state,
                tx,
                device,
                e,
                "sequence number reused by a different event",
            )
            .await;
        }
        if seq != acked + 1 {
            return Err(ApiError::SequenceGap((acked + 1) as u64));
        }
        match &e.payload {
            EventPayload::SaleCompleted(r) => {
                let mut flags = chain.check(&r.link, ReceiptBody::Sale(&r.doc));
                let mut problems = check_sale(&r.doc, |c| faces.get(c).map(|m| Money::rub(*m)));
                chain_problems(&flags, &mut problems);
                for l in r.doc.lines.iter().filter(|l| l.certificate.is_none()) {
                    let flag = match prices.get(&l.product_id) {
                        None => "unknown_product",
                        Some(p) if *p != l.unit_price.minor => "price_mismatch",
                        Some(_) => continue,
                    };
                    if !flags.iter().any(|f| f == flag) {
                        flags.push(flag.to_owned());
                    }
                }
                if problems.is_empty() {
                    sales.add(e.event_id, r, flags);
                    receipts.push(e);
                } else {
                    held.push(Held {
                        event_id: e.event_id,
                        kind: "sale_completed",
                        document_id: r.doc.sale_id,
                        receipt_no: r.link.receipt_no,
                        total_minor: r.doc.total.minor,
                        problems,
                    });
                }
            }
            EventPayload::ReturnCompleted(r) => {
                let mut problems = Problems::default();
                chain_problems(
                    &chain.check(&r.link, ReceiptBody::Return(&r.doc)),
                    &mut problems,
                );
                return_chain.insert(e.event_id, problems);
                receipts.push(e);
            }
            _ => apply_fact(&mut tx, device, e).await?,
        }
        fresh.push((e, hash));
        acked = seq;
        applied += 1;
    }
    store_events(&mut tx, device, &fresh).await?;
    sales.flush(&mut tx, device).await?;
    let returns = give_effect(&mut tx, device, &receipts, return_chain, &mut held).await?;
    for h in &held {
        quarantine::hold(&mut tx, device, h).await?;
    }
    crate::reports::rollup::add_batch(&mut tx, sales.ids(), &returns).await?;
    close_batch(&mut tx, device, acked, &chain, req.newest_seq).await?;
    tx.commit().await?;
    Ok(PushResponse {
        acked_seq: acked.max(0) as u64,
        applied,
        duplicates,
    })
}

/// Opens (or continues) the till's epoch and locks its row: returns the last event
/// acknowledged and the receipt chain's end. A new epoch starts where the till's
/// unacknowledged outbox starts, and inherits the receipt chain from the previous one.
async fn open_epoch(
    tx: &mut PgConnection,
    device: &Device,
    req: &PushRequest,
) -> ApiResult<(i64, i64, Option<String>)> {
    let first = req.events.first().map_or(1, |e| e.seq as i64);
    sqlx::query(
        "INSERT INTO terminal_sync (terminal_id, epoch, first_seq, acked_seq, last_receipt_no, last_hash)
         SELECT $1, $2, $3, $3 - 1,
                COALESCE((SELECT last_receipt_no FROM terminal_sync WHERE terminal_id = $1 ORDER BY epoch DESC LIMIT 1), 0),
                (SELECT last_hash FROM terminal_sync WHERE terminal_id = $1 ORDER BY epoch DESC LIMIT 1)
         ON CONFLICT (terminal_id, epoch) DO NOTHING",
    )
    .bind(device.terminal_id)
    .bind(device.epoch as i32)
    .bind(first)
    .execute(&mut *tx)
    .await?;
    let row: (i64, i64, Option<String>) = sqlx::query_as(
        "SELECT acked_seq, last_receipt_no, last_hash FROM terminal_sync WHERE terminal_id = $1 AND epoch = $2 FOR UPDATE",
    )
    .bind(device.terminal_id)
    .bind(device.epoch as i32)
    .fetch_one(&mut *tx)
    .await?;
    Ok(row)
}

/// What head office already knows that a batch is checked against: the events it holds
/// (by content hash), this store's prices of the goods sold, certificates' face values.
struct Known {
    stored: HashMap<Uuid, String>,
    prices: HashMap<Uuid, i64>,
    faces: HashMap<String, i64>,
}

impl Known {
    async fn load(tx: &mut PgConnection, device: &Device, req: &PushRequest) -> ApiResult<Self> {
        let ids: Vec<Uuid> = req.events.iter().map(|e| e.event_id).collect();
        let stored: HashMap<Uuid, String> = sqlx::query_as::<_, (Uuid, String)>(
            "SELECT event_id, content_hash FROM till_events WHERE event_id = ANY($1)",
        )
        .bind(&ids)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
        let products: Vec<Uuid> = req
            .events
            .iter()
            .filter_map(|e| match &e.payload {
                EventPayload::SaleCompleted(r) => Some(r.doc.lines.iter().map(|l| l.product_id)),
                _ => None,
            })
            .flatten()
            .collect();
        let prices: HashMap<Uuid, i64> = sqlx::query_as::<_, (Uuid, i64)>(
            "SELECT p.id, COALESCE(pr.price_minor, p.default_price_minor) FROM products p
         LEFT JOIN prices pr ON pr.product_id = p.id AND pr.location_id = $2 WHERE p.id = ANY($1)",
        )
        .bind(&products)
        .bind(device.location_id)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
        let faces: HashMap<String, i64> = sqlx::query_as::<_, (String, i64)>(
            "SELECT code, nominal_minor FROM gift_certificates WHERE code = ANY($1)",
        )
        .bind(
            req.events
                .iter()
                .filter_map(|e| match &e.payload {
                    EventPayload::SaleCompleted(r) => {
                        Some(r.doc.lines.iter().filter_map(|l| l.certificate.clone()))
                    }
                    _ => None,
                })
                .flatten()
                .collect::<Vec<_>>(),
        )
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
        Ok(Known {
            stored,
            prices,
            faces,
        })
    }
}

/// Stores every new event as received (the till's facts are kept whatever their checks).
async fn store_events(
    tx: &mut PgConnection,
    device: &Device,
    fresh: &[(&EventEnvelope, String)],
) -> ApiResult<()> {
    if !fresh.is_empty() {
        let payloads: Vec<serde_json::Value> = fresh
            .iter()
            .map(|(e, _)| serde_json::to_value(&e.payload).map_err(ApiError::internal))
            .collect::<ApiResult<_>>()?;
        sqlx::query(
            "INSERT INTO till_events (event_id, terminal_id, epoch, seq, kind, content_hash, payload, occurred_at)
             SELECT u.id, $1, $2, u.seq, u.kind, u.h, u.p, u.at
             FROM UNNEST($3::uuid[], $4::bigint[], $5::text[], $6::text[], $7::jsonb[], $8::timestamptz[]) AS u(id, seq, kind, h, p, at)",
        )
        .bind(device.terminal_id)
        .bind(device.epoch as i32)
        .bind(fresh.iter().map(|(e, _)| e.event_id).collect::<Vec<_>>())
        .bind(fresh.iter().map(|(e, _)| e.seq as i64).collect::<Vec<_>>())
        .bind(fresh.iter().map(|(e, _)| e.payload.kind()).collect::<Vec<_>>())
        .bind(fresh.iter().map(|(_, h)| h.as_str()).collect::<Vec<_>>())
        .bind(&payloads)
        .bind(fresh.iter().map(|(e, _)| e.occurred_at).collect::<Vec<_>>())
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// Gives the batch's passing receipts effect in arrival order: certificate movements of
/// sales, and returns checked against their sales (stored just before, so a return finds
/// its sale and its line costs); a return that fails is held. Returns the returns applied.
async fn give_effect(
    tx: &mut PgConnection,
    device: &Device,
    receipts: &[&EventEnvelope],
    mut return_chain: HashMap<Uuid, Problems>,
    held: &mut Vec<Held>,
) -> ApiResult<Vec<Uuid>> {
    let mut returns = Vec::new();
    for e in receipts.iter().copied() {
        match &e.payload {
            EventPayload::SaleCompleted(r) => {
                effects::sale_certificates(&mut *tx, device, &r.doc).await?
            }
            EventPayload::ReturnCompleted(r) => {
                let d = &r.doc;
                let mut problems = return_chain.remove(&e.event_id).unwrap_or_default();
                let sold = effects::sold_sale(&mut *tx, d.sale_id).await?;
                let found = match &sold {
                    Some((s, earlier)) => check_return(d, Some(s), earlier),
                    None => check_return(d, None, &[]),
                };
                for p in found.iter() {
                    problems.add(p);
                }
                if problems.is_empty() {
                    effects::apply_return(&mut *tx, device, e.event_id, r.link.receipt_no, d)
                        .await?;
                    returns.push(d.return_id);
                } else {
                    held.push(Held {
                        event_id: e.event_id,
                        kind: "return_completed",
                        document_id: d.return_id,
                        receipt_no: r.link.receipt_no,
                        total_minor: d.total.minor,
                        problems,
                    });
                }
            }
            _ => {}
        }
    }
    Ok(returns)
}

/// Acknowledges the batch: the last event held, the chain's end, and the alerts raised.
async fn close_batch(
    tx: &mut PgConnection,
    device: &Device,
    acked: i64,
    chain: &Chain,
    newest_seq: Option<u64>,
) -> ApiResult<()> {
    sqlx::query(
        "UPDATE terminal_sync SET acked_seq = $3, last_receipt_no = $4, last_hash = $5, last_push_at = now(),
                till_newest_seq = COALESCE($6, till_newest_seq)
         WHERE terminal_id = $1 AND epoch = $2",
    )
    .bind(device.terminal_id)
    .bind(device.epoch as i32)
    .bind(acked)
    .bind(chain.last_no)
    .bind(&chain.last_hash)
    .bind(newest_seq.map(|s| s as i64))
    .execute(&mut *tx)
    .await?;
    for (kind, detail) in &chain.alerts {
        sqlx::query("INSERT INTO sync_alerts (terminal_id, kind, detail) VALUES ($1, $2, $3)")
            .bind(device.terminal_id)
            .bind(kind)
            .bind(detail)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// A receipt that does not match its hash, or does not link to the one before, is held.
fn chain_problems(flags: &[String], problems: &mut Problems) {
    for f in flags {
        match f.as_str() {
            "hash_mismatch" => problems.add(Problem::HashMismatch),
            "chain_break" => problems.add(Problem::ChainBreak),
            _ => {}
        }
    }
}

/// Refuses the batch (nothing applied) and records the fork for head office.
async fn fork(
    state: &AppState,
    tx: sqlx::Transaction<'_, sqlx::Postgres>,
    device: &Device,
    e: &EventEnvelope,
    why: &str,
) -> ApiResult<PushResponse> {
    tx.rollback().await?;
    sqlx::query(
        "INSERT INTO sync_alerts (terminal_id, kind, detail) VALUES ($1, 'forked_history', $2)",
    )
    .bind(device.terminal_id)
    .bind(json!({"event_id": e.event_id, "seq": e.seq, "epoch": device.epoch, "problem": why}))
    .execute(&state.db)
    .await?;
    tracing::warn!(terminal_id = %device.terminal_id, seq = e.seq, why, "forked till history refused");
    Err(ApiError::ForkedHistory(format!(
        "event {} (sequence {}): {why}; head office has been alerted",
        e.event_id, e.seq
    )))
}

/// A fact other than a receipt: shifts, cash, voids, stock adjustments, customers.
async fn apply_fact(conn: &mut PgConnection, device: &Device, e: &EventEnvelope) -> ApiResult<()> {
    let (term, loc) = (device.terminal_id, device.location_id);
    match &e.payload {
        // Receipts are checked and applied apart.
        EventPayload::SaleCompleted(_) | EventPayload::ReturnCompleted(_) => {}
        EventPayload::SaleVoided(v) => {
            sqlx::query("INSERT INTO sale_voids (id, terminal_id, doc) VALUES ($1, $2, $3)")
                .bind(v.cart_id)
                .bind(term)
                .bind(serde_json::to_value(v).map_err(ApiError::internal)?)
                .execute(&mut *conn)
                .await?;
        }
        EventPayload::ShiftOpened(s) => {
            sqlx::query(
                "INSERT INTO shifts (id, terminal_id, location_id, shift_no, cashier_id, opened_at, float_minor)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(s.shift_id)
            .bind(term)
            .bind(loc)
            .bind(s.shift_no as i64)
            .bind(s.cashier_id)
            .bind(s.opened_at)
            .bind(s.float.minor)
            .execute(&mut *conn)
            .await?;
        }
        EventPayload::ShiftClosed(s) => {
            sqlx::query("UPDATE shifts SET closed_at = $2, z_report = $3 WHERE id = $1 AND terminal_id = $4")
                .bind(s.shift_id)
                .bind(s.closed_at)
                .bind(serde_json::to_value(&s.report).map_err(ApiError::internal)?)
                .bind(term)
                .execute(&mut *conn)
                .await?;
        }
        EventPayload::CashMoved(m) => {
            sqlx::query(
                "INSERT INTO cash_movements (id, terminal_id, shift_id, direction, amount_minor, reason, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(m.movement_id)
            .bind(term)
            .bind(m.shift_id)
            .bind(if m.direction == shared_model::events::CashDirection::In { "in" } else { "out" })
            .bind(m.amount.minor)
            .bind(&m.reason)
            .bind(m.at)
            .execute(&mut *conn)
            .await?;
        }
        EventPayload::CustomerRegistered(c) => register_customer(conn, device, c).await?,
        EventPayload::FiscalDocument(f) => {
            // A repeat of the register's answer (a resent batch) changes nothing.
            sqlx::query(
                "INSERT INTO fiscal_documents (terminal_id, doc_id, kind, task_id, number, sign, fiscal_at,
                                               fn_serial, registration, shift_no, receipt_no, correction)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                 ON CONFLICT (terminal_id, doc_id) DO NOTHING",
            )
            .bind(term)
            .bind(f.doc_id)
            .bind(f.kind.code())
            .bind(f.task_id)
            .bind(f.fiscal.number as i64)
            .bind(&f.fiscal.sign)
            .bind(f.fiscal.at)
            .bind(&f.fiscal.fn_serial)
            .bind(&f.fiscal.registration)
            .bind(f.fiscal.shift_no as i32)
            .bind(f.fiscal.receipt_no as i32)
            .bind(f.correction)
            .execute(&mut *conn)
            .await?;
        }
        EventPayload::StockMoved(m) => {
            let mut moves = Moves::default();
            moves.push(Movement {
                location: loc,
                product: m.product_id,
                qty_milli: m.qty.milli(),
                kind: Kind::Adjust,
                reason: Some(m.reason.clone()),
                by: Origin::Till {
                    event: e.event_id,
                    at: e.occurred_at,
                },
            });
            moves.write(conn, Warehouses::TILL_FACTS).await?;
        }
    }
    Ok(())
}

/// A customer registered at a till. A phone or card head office already gives to
/// someone else is left off (and flagged for head office) rather than refusing the fact.
async fn register_customer(
    conn: &mut PgConnection,
    device: &Device,
    c: &shared_model::events::CustomerDoc,
) -> ApiResult<()> {
    let taken: Vec<(Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT phone, card_no FROM customers WHERE id <> $1 AND (phone = $2 OR card_no = $3)",
    )
    .bind(c.customer_id)
    .bind(&c.phone)
    .bind(&c.card_no)
    .fetch_all(&mut *conn)
    .await?;
    let phone_taken = taken.iter().any(|t| t.0.is_some() && t.0 == c.phone);
    let card_taken = taken.iter().any(|t| t.1.is_some() && t.1 == c.card_no);
    if phone_taken || card_taken {
        sqlx::query("INSERT INTO sync_alerts (terminal_id, kind, detail) VALUES ($1, 'customer_conflict', $2)")
            .bind(device.terminal_id)
            .bind(json!({"customer_id": c.customer_id, "phone_taken": phone_taken, "card_taken": card_taken}))
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query(
        "INSERT INTO customers (id, name, phone, card_no, group_code) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(c.customer_id)
    .bind(&c.name)
    .bind(c.phone.as_ref().filter(|_| !phone_taken))
    .bind(c.card_no.as_ref().filter(|_| !card_taken))
    .bind(&c.group)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
