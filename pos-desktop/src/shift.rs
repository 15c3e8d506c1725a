//! Shifts: open with a float, cash in/out, X report, close with counted cash (Z report).

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use shared_model::events::{
    CashDirection, CashMovement, EventPayload, FiscalFor, ShiftClosed, ShiftOpened,
};
use shared_model::pricing::VatSummary;
use shared_model::shift::{expected_cash, ShiftReport};
use shared_model::{Capability, Currency, Money, VatRate};
use uuid::Uuid;

use crate::{db, error::Result, outbox, Till, TillError};

/// The open shift.
#[derive(Debug, Clone, Serialize)]
pub struct Shift {
    /// Id.
    pub id: Uuid,
    /// Gapless shift number.
    pub shift_no: u64,
    /// When it opened.
    pub opened_at: String,
    /// Opening float.
    pub float: Money,
}

pub(crate) fn current(conn: &Connection, currency: Currency) -> Result<Option<Shift>> {
    let row: Option<(db::Id, i64, String, i64)> = conn
        .prepare_cached(
            "SELECT id, shift_no, opened_at, float_minor FROM shifts WHERE closed_at IS NULL",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    row.map(|(id, no, at, float)| {
        Ok(Shift {
            id: id.0,
            shift_no: no as u64,
            opened_at: at,
            float: Money::new(float, currency),
        })
    })
    .transpose()
}

/// Computes a shift's figures from what was recorded in it.
pub(crate) fn report(conn: &Connection, shift: &Shift, currency: Currency) -> Result<ShiftReport> {
    let id = shift.id.to_string();
    let m = |v: i64| Money::new(v, currency);
    let one =
        |sql: &str| -> Result<i64> { Ok(conn.query_row(sql, [&id], |r| r.get::<_, i64>(0))?) };
    let (sales_count, gross, discounts, sales): (i64, i64, i64, i64) = conn.query_row(
        "SELECT COUNT(*), COALESCE(SUM(gross_minor), 0), COALESCE(SUM(discount_minor), 0), COALESCE(SUM(total_minor), 0)
         FROM sales WHERE shift_id = ?1",
        [&id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    let change = one("SELECT COALESCE(SUM(change_minor), 0) FROM sales WHERE shift_id = ?1")?;
    let tendered = |tender: &str| -> Result<i64> {
        Ok(conn.query_row(
            "SELECT COALESCE(SUM(p.amount_minor), 0) FROM sale_payments p JOIN sales s ON s.id = p.sale_id
             WHERE s.shift_id = ?1 AND p.tender = ?2",
            [id.as_str(), tender],
            |r| r.get(0),
        )?)
    };
    let cash_tendered = tendered("cash")?;
    let card_sales = tendered("card")?;
    let (returns_count, returns): (i64, i64) = conn.query_row(
        "SELECT COUNT(*), COALESCE(SUM(total_minor), 0) FROM returns WHERE shift_id = ?1",
        [&id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let refunds = |tender: &str| -> Result<i64> {
        Ok(conn.query_row(
            "SELECT COALESCE(SUM(f.amount_minor), 0) FROM return_refunds f JOIN returns r ON r.id = f.return_id
             WHERE r.shift_id = ?1 AND f.tender = ?2",
            [id.as_str(), tender],
            |r| r.get(0),
        )?)
    };
    let moved = |dir: &str| -> Result<i64> {
        Ok(conn.query_row(
            "SELECT COALESCE(SUM(amount_minor), 0) FROM cash_movements WHERE shift_id = ?1 AND direction = ?2",
            [id.as_str(), dir],
            |r| r.get(0),
        )?)
    };
    let voids = one("SELECT COUNT(*) FROM voids WHERE shift_id = ?1")?;
    let mut vat = Vec::new();
    for rate in VatRate::ALL {
        let (base, tax): (i64, i64) = conn.query_row(
            "SELECT
               (SELECT COALESCE(SUM(l.total_minor), 0) FROM sale_lines l JOIN sales s ON s.id = l.sale_id
                 WHERE s.shift_id = ?1 AND l.vat = ?2)
             - (SELECT COALESCE(SUM(l.amount_minor), 0) FROM return_lines l JOIN returns r ON r.id = l.return_id
                 WHERE r.shift_id = ?1 AND l.vat = ?2),
               (SELECT COALESCE(SUM(l.vat_minor), 0) FROM sale_lines l JOIN sales s ON s.id = l.sale_id
                 WHERE s.shift_id = ?1 AND l.vat = ?2)
             - (SELECT COALESCE(SUM(l.vat_minor), 0) FROM return_lines l JOIN returns r ON r.id = l.return_id
                 WHERE r.shift_id = ?1 AND l.vat = ?2)",
            [id.as_str(), rate.code()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if base != 0 || tax != 0 {
            vat.push(VatSummary {
                rate,
                base: m(base),
                vat: m(tax),
            });
        }
    }
    let (cash_refunds, cash_in, cash_out) =
        (m(refunds("cash")?), m(moved("in")?), m(moved("out")?));
    let cash_sales = m(cash_tendered - change);
    Ok(ShiftReport {
        shift_no: shift.shift_no,
        sales_count: sales_count as u64,
        returns_count: returns_count as u64,
        gross_sales: m(gross),
        discounts: m(discounts),
        sales: m(sales),
        returns: m(returns),
        net_sales: m(sales).checked_sub(m(returns))?,
        cash_sales,
        card_sales: m(card_sales),
        cash_refunds,
        card_refunds: m(refunds("card")?),
        certificate_sales: Some(m(tendered("certificate")?)),
        certificate_refunds: Some(m(refunds("certificate")?)),
        float: shift.float,
        cash_in,
        cash_out,
        expected_cash: expected_cash(shift.float, cash_sales, cash_refunds, cash_in, cash_out)?,
        counted_cash: None,
        difference: None,
        vat,
        voids_count: voids as u64,
        register: None,
    })
}

impl Till {
    /// The open shift, if any.
    pub fn current_shift(&self) -> Result<Option<Shift>> {
        current(&self.conn, self.currency)
    }

    pub(crate) fn require_shift(&self) -> Result<Shift> {
        self.current_shift()?.ok_or(TillError::NoOpenShift)
    }

    /// Opens a shift with the cash float in the drawer.
    pub fn open_shift(&mut self, float: &str) -> Result<Shift> {
        let grant = self.grant(Capability::ManageShift)?;
        let float = Money::parse(float, self.currency)?;
        if float.is_negative() {
            return Err(TillError::NonPositiveAmount);
        }
        if let Some(s) = self.current_shift()? {
            return Err(TillError::ShiftAlreadyOpen(s.shift_no));
        }
        let fiscal = self.fiscal_register_url()?.is_some();
        let tx = self.conn.transaction()?;
        let shift_no = db::next_counter(&tx, "shift_no")?;
        let id = Uuid::now_v7();
        let at = db::now();
        tx.execute(
            "INSERT INTO shifts (id, shift_no, opened_by, opened_at, float_minor) VALUES (?1, ?2, ?3, ?4, ?5)",
            (id.to_string(), shift_no as i64, grant.session.cashier_id.to_string(), db::ts(at), float.minor),
        )?;
        let ev = ShiftOpened {
            shift_id: id,
            shift_no,
            cashier_id: grant.session.cashier_id,
            opened_at: at,
            float,
        };
        outbox::append(&tx, self.terminal_id, id, EventPayload::ShiftOpened(ev))?;
        if fiscal {
            crate::fiscal::queue(&tx, id, FiscalFor::ShiftOpen, None)?;
        }
        tx.commit()?;
        if fiscal {
            // The register's shift opens with the till's; if the register cannot now, the
            // first sale settles it first (tasks go in order) and says why. The float goes
            // into its drawer count as a cash-in, once the shift is open there.
            let working = self.register_outage()?.is_none();
            if working && self.settle_fiscal().is_ok() && float.minor > 0 {
                let reg = self.register()?;
                let _ = reg.cash(Uuid::new_v4(), crate::fiscal::CashOp::In(float));
            }
        }
        self.require_shift()
    }

    /// Puts cash into or takes cash out of the drawer, with a reason.
    pub fn cash_move(
        &mut self,
        direction: CashDirection,
        amount: &str,
        reason: &str,
    ) -> Result<CashMovement> {
        let grant = self.grant(Capability::ManageShift)?;
        let shift = self.require_shift()?;
        let amount = Money::parse(amount, self.currency)?;
        if amount.minor <= 0 {
            return Err(TillError::NonPositiveAmount);
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(TillError::ReasonRequired);
        }
        if direction == CashDirection::Out {
            let expected = report(&self.conn, &shift, self.currency)?.expected_cash;
            if amount.minor > expected.minor {
                return Err(TillError::NotEnoughCash(expected));
            }
        }
        let movement_id = Uuid::now_v7();
        // The register counts the drawer too: it is told first (under the movement's id,
        // so a retry cannot count twice), and a refusal records nothing here either.
        // (A register declared out of order is not asked: its count is off until repaired,
        // and the X/Z comparison then says so.)
        let reg = self.register()?;
        if reg.is_fiscal() && self.register_outage()?.is_none() {
            let op = match direction {
                CashDirection::In => crate::fiscal::CashOp::In(amount),
                CashDirection::Out => crate::fiscal::CashOp::Out(amount),
            };
            reg.cash(movement_id, op)?;
        }
        let mv = CashMovement {
            movement_id,
            shift_id: shift.id,
            cashier_id: grant.session.cashier_id,
            at: db::now(),
            direction,
            amount,
            reason: reason.to_owned(),
        };
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO cash_movements (id, shift_id, cashier_id, direction, amount_minor, reason, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            (
                mv.movement_id.to_string(),
                shift.id.to_string(),
                mv.cashier_id.to_string(),
                if direction == CashDirection::In { "in" } else { "out" },
                amount.minor,
                &mv.reason,
                db::ts(mv.at),
            ),
        )?;
        outbox::append(
            &tx,
            self.terminal_id,
            mv.movement_id,
            EventPayload::CashMoved(mv.clone()),
        )?;
        tx.commit()?;
        Ok(mv)
    }

    /// The X report: the open shift's figures so far; changes nothing.
    pub fn x_report(&self) -> Result<ShiftReport> {
        self.grant(Capability::ManageShift)?;
        let shift = self.require_shift()?;
        report(&self.conn, &shift, self.currency)
    }

    /// The X report as the cashier asks for it: on a fiscal till the register prints its
    /// own X report too, and its counters stand beside the till's figures.
    pub fn x_report_with_register(&self) -> Result<ShiftReport> {
        let mut x = self.x_report()?;
        x.register = self.register_check(&x, true)?;
        Ok(x)
    }

    /// Closes the shift with the cash counted in the drawer; returns the Z report.
    pub fn close_shift(&mut self, counted: &str) -> Result<ShiftReport> {
        let grant = self.grant(Capability::ManageShift)?;
        let shift = self.require_shift()?;
        let counted = Money::parse(counted, self.currency)?;
        if counted.is_negative() {
            return Err(TillError::NonPositiveAmount);
        }
        if self.cart()?.is_some_and(|c| !c.lines.is_empty()) {
            return Err(TillError::SaleInProgress);
        }
        // Every sale of the shift has its fiscal receipt before the register's Z, and the
        // register's counters are read before its Z resets them.
        let fiscal = self.fiscal_register_url()?.is_some();
        if fiscal && self.fiscal_pending()? > 0 {
            self.settle_fiscal()?;
        }
        let mut z = report(&self.conn, &shift, self.currency)?;
        z.register = self.register_check(&z, false)?;
        let tx = self.conn.transaction()?;
        z.counted_cash = Some(counted);
        z.difference = Some(counted.checked_sub(z.expected_cash)?);
        let at = db::now();
        tx.execute(
            "UPDATE shifts SET closed_by = ?2, closed_at = ?3, counted_minor = ?4, z_report = ?5 WHERE id = ?1",
            (
                shift.id.to_string(),
                grant.session.cashier_id.to_string(),
                db::ts(at),
                counted.minor,
                serde_json::to_string(&z)?,
            ),
        )?;
        let ev = ShiftClosed {
            shift_id: shift.id,
            shift_no: shift.shift_no,
            cashier_id: grant.session.cashier_id,
            closed_at: at,
            report: z.clone(),
        };
        outbox::append(
            &tx,
            self.terminal_id,
            shift.id,
            EventPayload::ShiftClosed(ev),
        )?;
        if fiscal {
            crate::fiscal::queue(&tx, shift.id, FiscalFor::ShiftClose, None)?;
        }
        tx.commit()?;
        if fiscal {
            // A register that cannot close now does it before the next shift's first
            // document (tasks go in order); the till's Z stands either way.
            let _ = self.settle_fiscal();
        }
        Ok(z)
    }
}
