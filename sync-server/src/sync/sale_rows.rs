//! A batch's sales as column arrays, written with one multi-row INSERT per table.

use shared_model::events::SaleDoc;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::device::Device;
use crate::error::{ApiError, ApiResult};
use crate::ledger::{Kind, Movement, Moves, Origin, Warehouses};

/// Rows of the batch's sales, written with one multi-row INSERT per table: sales are
/// nearly all of what tills send, and per-row round trips would cap ingest far below
/// what PostgreSQL can take.
#[derive(Default)]
pub(super) struct SaleRows {
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
    customer: Vec<Option<Uuid>>,
    l_sale: Vec<Uuid>,
    l_no: Vec<i32>,
    l_product: Vec<Uuid>,
    l_sku: Vec<String>,
    l_name: Vec<String>,
    l_unit: Vec<String>,
    l_vat: Vec<String>,
    l_amounts: [Vec<i64>; 6], // qty, unit price, gross, discount, total, vat
    l_event: Vec<Uuid>,
    l_certificate: Vec<Option<String>>,
    p_sale: Vec<Uuid>,
    p_pos: Vec<i32>,
    p_tender: Vec<String>,
    p_amount: Vec<i64>,
    p_code: Vec<Option<String>>,
    p_certificate: Vec<Option<String>>,
    pr_sale: Vec<Uuid>,
    pr_pos: Vec<i32>,
    pr_id: Vec<Uuid>,
    pr_version: Vec<i32>,
    pr_name: Vec<String>,
    pr_amount: Vec<i64>,
    marks: crate::marking::registry::MarkRows,
}

impl SaleRows {
    pub(super) fn add(
        &mut self,
        event_id: Uuid,
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
        self.customer.push(s.customer_id);
        for (i, p) in s.promotions.iter().enumerate() {
            self.pr_sale.push(s.sale_id);
            self.pr_pos.push(i as i32 + 1);
            self.pr_id.push(p.promotion_id);
            self.pr_version.push(p.version as i32);
            self.pr_name.push(p.name.clone());
            self.pr_amount.push(p.amount.minor);
        }
        self.marks.add(s);
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
            self.l_event.push(event_id);
            self.l_certificate.push(l.certificate.clone());
        }
        for (i, p) in s.payments.iter().enumerate() {
            self.p_sale.push(s.sale_id);
            self.p_pos.push(i as i32 + 1);
            self.p_tender.push(p.tender.code().to_owned());
            self.p_amount.push(p.amount.minor);
            self.p_code.push(p.approval_code.clone());
            self.p_certificate.push(p.certificate.clone());
        }
    }

    /// The ids of the sales gathered.
    pub(super) fn ids(&self) -> &[Uuid] {
        &self.id
    }

    pub(super) async fn flush(&self, conn: &mut PgConnection, device: &Device) -> ApiResult<()> {
        if self.id.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO sales (id, terminal_id, location_id, shift_id, cashier_id, receipt_no, receipt_hash, prev_hash,
                completed_at, gross_minor, discount_minor, total_minor, change_minor, flags, catalog_version, customer_id,
                local_day, local_hour)
             SELECT u.id, $1, $2, u.shift, u.cashier, u.no, u.h, u.p, u.at, u.g, u.d, u.t, u.c,
                    string_to_array(u.f, ','), u.cv, u.cu,
                    (u.at AT TIME ZONE l.timezone)::date, extract(hour FROM u.at AT TIME ZONE l.timezone)::smallint
             FROM locations l, UNNEST($3::uuid[], $4::uuid[], $5::uuid[], $6::bigint[], $7::text[], $8::text[], $9::timestamptz[],
                         $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::text[], $15::text[], $16::uuid[])
                  AS u(id, shift, cashier, no, h, p, at, g, d, t, c, f, cv, cu)
             WHERE l.id = $2",
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
        .bind(&self.customer)
        .execute(&mut *conn)
        .await?;
        let a = &self.l_amounts;
        sqlx::query(
            "INSERT INTO sale_lines (sale_id, line_no, product_id, sku, name, unit, qty_milli, unit_price_minor, vat,
                gross_minor, discount_minor, total_minor, vat_minor, certificate, cost_minor, local_day)
             SELECT u.*, CASE WHEN u.cert IS NULL THEN cost_at(u.product, s.completed_at, u.qty) ELSE 0 END, s.local_day
             FROM UNNEST($1::uuid[], $2::int[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::bigint[],
                         $8::bigint[], $9::text[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[],
                         $14::text[]) AS u(sale, no, product, sku, name, unit, qty, price, vat, g, d, t, v, cert)
             JOIN sales s ON s.id = u.sale",
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
        .bind(&self.l_certificate)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO sale_payments (sale_id, pos, tender, amount_minor, approval_code, certificate)
             SELECT * FROM UNNEST($1::uuid[], $2::int[], $3::text[], $4::bigint[], $5::text[], $6::text[])",
        )
        .bind(&self.p_sale)
        .bind(&self.p_pos)
        .bind(&self.p_tender)
        .bind(&self.p_amount)
        .bind(&self.p_code)
        .bind(&self.p_certificate)
        .execute(&mut *conn)
        .await?;
        self.flush_promotions(conn).await?;
        self.marks.flush(conn, device).await?;
        // Certificates sold are not stock.
        let goods: Vec<usize> = (0..self.l_sale.len())
            .filter(|i| self.l_certificate[*i].is_none())
            .collect();
        let at: std::collections::HashMap<Uuid, _> = self
            .id
            .iter()
            .copied()
            .zip(self.at.iter().copied())
            .collect();
        let mut moves = Moves::default();
        for i in goods {
            let sale = self.l_sale[i];
            moves.push(Movement {
                location: device.location_id,
                product: self.l_product[i],
                qty_milli: -a[0][i],
                kind: Kind::Sale,
                reason: None,
                by: Origin::Till {
                    event: self.l_event[i],
                    at: at.get(&sale).copied().ok_or_else(|| {
                        ApiError::internal(format!("line of sale {sale} without its sale"))
                    })?,
                },
            });
        }
        moves.write(conn, Warehouses::TILL_FACTS).await?;
        Ok(())
    }

    /// Each sale's promotions, and the use counts of limited promotions (tills learn the
    /// new counts through the feed).
    async fn flush_promotions(&self, conn: &mut PgConnection) -> ApiResult<()> {
        if self.pr_sale.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO sale_promotions (sale_id, pos, promotion_id, version, name, amount_minor)
             SELECT * FROM UNNEST($1::uuid[], $2::int[], $3::uuid[], $4::int[], $5::text[], $6::bigint[])",
        )
        .bind(&self.pr_sale)
        .bind(&self.pr_pos)
        .bind(&self.pr_id)
        .bind(&self.pr_version)
        .bind(&self.pr_name)
        .bind(&self.pr_amount)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "UPDATE promotions p SET conditions = jsonb_set(p.conditions, '{used}',
                    to_jsonb(COALESCE((p.conditions->>'used')::int, 0) + u.n))
             FROM (SELECT id, COUNT(*)::int AS n FROM UNNEST($1::uuid[]) AS t(id) GROUP BY id) u
             WHERE p.id = u.id AND p.conditions->>'usage_limit' IS NOT NULL",
        )
        .bind(&self.pr_id)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}
