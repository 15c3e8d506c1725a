//! Stock adjustments made on the till (damage, testers, found goods). Sales and
//! returns write their own movements in their transactions.

use shared_model::events::{EventPayload, StockMovement};
use shared_model::{Capability, Quantity};
use uuid::Uuid;

use crate::{db, error::Result, outbox, Till, TillError};

impl Till {
    /// Adds (positive) or removes (negative) stock of a product, with a reason.
    pub fn adjust_stock(&mut self, code: &str, qty: &str, reason: &str) -> Result<StockMovement> {
        let grant = self.grant(Capability::AdjustStock)?;
        let product = self.find_product(code)?;
        let qty = Quantity::parse(qty)?;
        if qty == Quantity::ZERO {
            return Err(shared_model::ModelError::NonPositiveQuantity(qty.to_string()).into());
        }
        if !product.unit.is_fractional() && !qty.is_whole() {
            return Err(shared_model::ModelError::FractionalPieces(qty.to_string()).into());
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(TillError::ReasonRequired);
        }
        let mv = StockMovement {
            movement_id: Uuid::now_v7(),
            product_id: product.id,
            sku: product.sku,
            qty,
            reason: reason.to_owned(),
            cashier_id: grant.session.cashier_id,
            at: db::now(),
        };
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO stock_movements (id, product_id, qty_milli, reason, at) VALUES (?1, ?2, ?3, ?4, ?5)",
            (mv.movement_id.to_string(), mv.product_id.to_string(), qty.milli(), &mv.reason, db::ts(mv.at)),
        )?;
        outbox::append(
            &tx,
            self.terminal_id,
            mv.movement_id,
            EventPayload::StockMoved(mv.clone()),
        )?;
        tx.commit()?;
        Ok(mv)
    }
}
