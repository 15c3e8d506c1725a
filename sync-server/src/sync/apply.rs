//! Applying a pushed batch: one PostgreSQL transaction, idempotent on event id and on
//! (terminal, epoch, sequence), gap-refusing, fork-detecting, chain-verifying.

use std::collections::HashMap;

use serde_json::json;
use sha2::{Digest, Sha256};
use shared_model::chain::{receipt_hash, ReceiptBody, ReceiptLink, GENESIS_HASH};
use shared_model::events::{EventEnvelope, EventPayload, SaleDoc, EVENT_SCHEMA_VERSION};
use shared_model::sync::PushRequest;
use shared_model::sync::PushResponse;
use sqlx::PgConnection;
use tracing::instrument;
use uuid::Uuid;

use crate::device::{check_protocol, Device};
use crate::error::{ApiError, ApiResult};
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

/// Refuses what cannot be a genuine fact: foreign identity, bad sequence order,
/// unknown schema versions, sales whose totals do not add up.
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
        if e.schema_version == 0 || e.schema_version > EVENT_SCHEMA_VERSION {
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
        if let EventPayload::SaleCompleted(s) = &e.payload {
            check_sale(&s.doc)?;
        }
    }
    Ok(())
}

fn check_sale(s: &SaleDoc) -> ApiResult<()> {
    let lines: i64 = s.lines.iter().map(|l| l.total.minor).sum();
    let paid: i64 = s.payments.iter().map(|p| p.amount.minor).sum();
    let ok = !s.lines.is_empty()
        && s.lines
            .iter()
            .all(|l| l.qty.is_positive() && l.total.minor >= 0 && l.unit_price.minor >= 0)
        && s.total.minor == lines
        && s.change.minor >= 0
        && paid - s.change.minor == s.total.minor;
    if ok {
        Ok(())
    } else {
        Err(ApiError::Validation(format!(
            "sale {} has impossible figures",
            s.sale_id
        )))
    }
}

/// Rows of the batch's sales, written with one multi-row INSERT per table: sales are
/// nearly all of what tills send, and per-row round trips would cap ingest far below
/// what PostgreSQL can take.
#[derive(Default)]
struct SaleRows {
    id: Vec<Uuid>,
    shift: Vec<Uuid>,
    cashier: Vec<Uuid>,
    receipt_no: Vec<i64>,
    hash: Vec<String>,
    prev: Vec<String>,
    at: Vec<chrono::DateTime<chrono::Utc>>,
    money: [Vec<i64>; 4], // gross, discount, total, change
    flags: Vec<String>,
    catalog_version: Vec<Option<String>>,
    l_sale: Vec<Uuid>,
    l_no: Vec<i32>,
    l_product: Vec<Uuid>,
    l_sku: Vec<String>,
    l_name: Vec<String>,
    l_unit: Vec<String>,
    l_vat: Vec<String>,
    l_amounts: [Vec<i64>; 6], // qty, unit price, gross, discount, total, vat
    l_event: Vec<Uuid>,
    p_sale: Vec<Uuid>,
    p_pos: Vec<i32>,
    p_tender: Vec<String>,
    p_amount: Vec<i64>,
    p_code: Vec<Option<String>>,
}

impl SaleRows {
    fn add(
        &mut self,
        e: &EventEnvelope,
        r: &shared_model::events::ChainedReceipt<SaleDoc>,
        flags: Vec<String>,
    ) {
        let s = &r.doc;
        self.id.push(s.sale_id);
        self.shift.push(s.shift_id);
        self.cashier.push(s.cashier_id);
        self.receipt_no.push(r.link.receipt_no as i64);
        self.hash.push(r.link.hash.clone());
        self.prev.push(r.link.prev_hash.clone());
        self.at.push(s.completed_at);
        for (v, m) in self
            .money
            .iter_mut()
            .zip([s.gross, s.discount, s.total, s.change])
        {
            v.push(m.minor);
        }
        self.flags.push(flags.join(","));
        self.catalog_version.push(s.catalog_version.clone());
        for l in &s.lines {
            self.l_sale.push(s.sale_id);
            self.l_no.push(l.line_no as i32);
            self.l_product.push(l.product_id);
            self.l_sku.push(l.sku.clone());
            self.l_name.push(l.name.clone());
            self.l_unit.push(l.unit.code().to_owned());
            self.l_vat.push(l.vat_rate.code().to_owned());
            let amounts = [
                l.qty.milli(),
                l.unit_price.minor,
                l.gross.minor,
                l.discount.minor,
                l.total.minor,
                l.vat.minor,
            ];
            for (v, a) in self.l_amounts.iter_mut().zip(amounts) {
                v.push(a);
            }
            self.l_event.push(e.event_id);
        }
        for (i, p) in s.payments.iter().enumerate() {
            self.p_sale.push(s.sale_id);
            self.p_pos.push(i as i32 + 1);
            self.p_tender.push(p.tender.code().to_owned());
            self.p_amount.push(p.amount.minor);
            self.p_code.push(p.approval_code.clone());
        }
    }

    async fn flush(&self, conn: &mut PgConnection, device: &Device) -> ApiResult<()> {
        if self.id.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO sales (id, terminal_id, location_id, shift_id, cashier_id, receipt_no, receipt_hash, prev_hash,
                completed_at, gross_minor, discount_minor, total_minor, change_minor, flags, catalog_version)
             SELECT u.id, $1, $2, u.shift, u.cashier, u.no, u.h, u.p, u.at, u.g, u.d, u.t, u.c,
                    string_to_array(u.f, ','), u.cv
             FROM UNNEST($3::uuid[], $4::uuid[], $5::uuid[], $6::bigint[], $7::text[], $8::text[], $9::timestamptz[],
                         $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::text[], $15::text[])
                  AS u(id, shift, cashier, no, h, p, at, g, d, t, c, f, cv)",
        )
        .bind(device.terminal_id)
        .bind(device.location_id)
        .bind(&self.id)
        .bind(&self.shift)
        .bind(&self.cashier)
        .bind(&self.receipt_no)
        .bind(&self.hash)
        .bind(&self.prev)
        .bind(&self.at)
        .bind(&self.money[0])
        .bind(&self.money[1])
        .bind(&self.money[2])
        .bind(&self.money[3])
        .bind(&self.flags)
        .bind(&self.catalog_version)
        .execute(&mut *conn)
        .await?;
        let a = &self.l_amounts;
        sqlx::query(
            "INSERT INTO sale_lines (sale_id, line_no, product_id, sku, name, unit, qty_milli, unit_price_minor, vat,
                gross_minor, discount_minor, total_minor, vat_minor)
             SELECT * FROM UNNEST($1::uuid[], $2::int[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::bigint[],
                                  $8::bigint[], $9::text[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[])",
        )
        .bind(&self.l_sale)
        .bind(&self.l_no)
        .bind(&self.l_product)
        .bind(&self.l_sku)
        .bind(&self.l_name)
        .bind(&self.l_unit)
        .bind(&a[0])
        .bind(&a[1])
        .bind(&self.l_vat)
        .bind(&a[2])
        .bind(&a[3])
        .bind(&a[4])
        .bind(&a[5])
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO sale_payments (sale_id, pos, tender, amount_minor, approval_code)
             SELECT * FROM UNNEST($1::uuid[], $2::int[], $3::text[], $4::bigint[], $5::text[])",
        )
        .bind(&self.p_sale)
        .bind(&self.p_pos)
        .bind(&self.p_tender)
        .bind(&self.p_amount)
        .bind(&self.p_code)
        .execute(&mut *conn)
        .await?;
        let negated: Vec<i64> = a[0].iter().map(|q| -q).collect();
        let ids: Vec<Uuid> = (0..negated.len()).map(|_| Uuid::now_v7()).collect();
        sqlx::query(
            "INSERT INTO inventory_movements (id, location_id, product_id, qty_milli, kind, source_event)
             SELECT u.id, $1, u.p, u.q, 'sale', u.e FROM UNNEST($2::uuid[], $3::uuid[], $4::bigint[], $5::uuid[]) AS u(id, p, q, e)",
        )
        .bind(device.location_id)
        .bind(&ids)
        .bind(&self.l_product)
        .bind(&negated)
        .bind(&self.l_event)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO inventory_levels (location_id, product_id, qty_milli)
             SELECT $1, u.p, SUM(u.q) FROM UNNEST($2::uuid[], $3::bigint[]) AS u(p, q) GROUP BY u.p
             ON CONFLICT (location_id, product_id)
             DO UPDATE SET qty_milli = inventory_levels.qty_milli + EXCLUDED.qty_milli, updated_at = now()",
        )
        .bind(device.location_id)
        .bind(&self.l_product)
        .bind(&negated)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}

/// Applies a batch in one transaction and answers the highest contiguous sequence held.
#[instrument(skip_all, err)]
pub async fn push(state: &AppState, device: &Device, req: PushRequest) -> ApiResult<PushResponse> {
    validate(device, &req)?;
    let mut tx = state.db.begin().await?;
    let first = req.events.first().map_or(1, |e| e.seq as i64);
    // A new epoch starts where the till's unacknowledged outbox starts, and inherits
    // the receipt chain from the terminal's previous epoch.
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
    let (mut acked, last_no, last_hash): (i64, i64, Option<String>) = sqlx::query_as(
        "SELECT acked_seq, last_receipt_no, last_hash FROM terminal_sync WHERE terminal_id = $1 AND epoch = $2 FOR UPDATE",
    )
    .bind(device.terminal_id)
    .bind(device.epoch as i32)
    .fetch_one(&mut *tx)
    .await?;
    let ids: Vec<Uuid> = req.events.iter().map(|e| e.event_id).collect();
    let held: HashMap<Uuid, String> = sqlx::query_as::<_, (Uuid, String)>(
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
    let mut chain = Chain {
        last_no,
        last_hash,
        alerts: Vec::new(),
    };
    let (mut applied, mut duplicates) = (0u32, 0u32);
    let mut sales = SaleRows::default();
    let mut fresh: Vec<(&EventEnvelope, String)> = Vec::new();
    for e in &req.events {
        let hash = content_hash(e)?;
        let seq = e.seq as i64;
        match held.get(&e.event_id) {
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
                for l in &r.doc.lines {
                    let flag = match prices.get(&l.product_id) {
                        None => "unknown_product",
                        Some(p) if *p != l.unit_price.minor => "price_mismatch",
                        Some(_) => continue,
                    };
                    if !flags.iter().any(|f| f == flag) {
                        flags.push(flag.to_owned());
                    }
                }
                sales.add(e, r, flags);
            }
            _ => apply_fact(&mut tx, device, e, &mut chain).await?,
        }
        fresh.push((e, hash));
        acked = seq;
        applied += 1;
    }
    if !fresh.is_empty() {
        let payloads: Vec<serde_json::Value> = fresh
            .iter()
            .map(|(e, _)| serde_json::to_value(&e.payload).unwrap_or_default())
            .collect();
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
    sales.flush(&mut tx, device).await?;
    sqlx::query(
        "UPDATE terminal_sync SET acked_seq = $3, last_receipt_no = $4, last_hash = $5, last_push_at = now()
         WHERE terminal_id = $1 AND epoch = $2",
    )
    .bind(device.terminal_id)
    .bind(device.epoch as i32)
    .bind(acked)
    .bind(chain.last_no)
    .bind(&chain.last_hash)
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
    tx.commit().await?;
    Ok(PushResponse {
        acked_seq: acked.max(0) as u64,
        applied,
        duplicates,
    })
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

async fn move_stock(
    conn: &mut PgConnection,
    location: Uuid,
    product: Uuid,
    delta: i64,
    kind: &str,
    reason: Option<&str>,
    source: Uuid,
) -> ApiResult<()> {
    if delta == 0 {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO inventory_movements (id, location_id, product_id, qty_milli, kind, reason, source_event)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(Uuid::now_v7())
    .bind(location)
    .bind(product)
    .bind(delta)
    .bind(kind)
    .bind(reason)
    .bind(source)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO inventory_levels (location_id, product_id, qty_milli) VALUES ($1, $2, $3)
         ON CONFLICT (location_id, product_id)
         DO UPDATE SET qty_milli = inventory_levels.qty_milli + EXCLUDED.qty_milli, updated_at = now()",
    )
    .bind(location)
    .bind(product)
    .bind(delta)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn apply_fact(
    conn: &mut PgConnection,
    device: &Device,
    e: &EventEnvelope,
    chain: &mut Chain,
) -> ApiResult<()> {
    let (term, loc) = (device.terminal_id, device.location_id);
    match &e.payload {
        // Sales go through SaleRows in bulk; nothing to do here.
        EventPayload::SaleCompleted(_) => {}
        EventPayload::ReturnCompleted(r) => {
            let d = &r.doc;
            chain.check(&r.link, ReceiptBody::Return(d));
            sqlx::query(
                "INSERT INTO sale_returns (id, terminal_id, location_id, sale_id, shift_id, receipt_no, completed_at, total_minor, reason, doc)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(d.return_id)
            .bind(term)
            .bind(loc)
            .bind(d.sale_id)
            .bind(d.shift_id)
            .bind(r.link.receipt_no as i64)
            .bind(d.completed_at)
            .bind(d.total.minor)
            .bind(&d.reason)
            .bind(serde_json::to_value(d).map_err(ApiError::internal)?)
            .execute(&mut *conn)
            .await?;
            for l in &d.lines {
                move_stock(
                    conn,
                    loc,
                    l.product_id,
                    l.qty.milli(),
                    "return",
                    d.reason.as_deref(),
                    e.event_id,
                )
                .await?;
            }
        }
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
        EventPayload::StockMoved(m) => {
            move_stock(
                conn,
                loc,
                m.product_id,
                m.qty.milli(),
                "adjust",
                Some(&m.reason),
                e.event_id,
            )
            .await?;
        }
    }
    Ok(())
}
