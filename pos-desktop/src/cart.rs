//! The sale in progress: persisted line by line, so a crash or restart loses nothing.

use rusqlite::{Connection, OptionalExtension};
use shared_model::pricing::check_manual_discount_limit;
use shared_model::tender::accept_tender;
use shared_model::{Capability, Discount, Money, Quantity, Tender, Unit, VatRate};
use uuid::Uuid;

pub use crate::cart_model::{Cart, CartLine, CartPayment, ParkedCart};
use crate::catalog::Product;
use crate::promos::{Pricing, PromoCache};
use crate::{db, error::Result, Till, TillError};
use shared_model::events::CustomerDoc;
use shared_model::marking::permit::SoldMark;
use shared_model::marking::MarkingCode;

fn validate_approval(code: &str) -> Result<String> {
    let c = code.trim();
    if c.is_empty() || c.len() > 12 || !c.chars().all(|ch| ch.is_ascii_alphanumeric()) {
        return Err(TillError::InvalidApprovalCode);
    }
    Ok(c.to_owned())
}

fn face_value() -> TillError {
    TillError::InvalidInput("gift certificates are sold at face value, without discounts".into())
}

fn discount_json(d: &Option<Discount>) -> Result<Option<String>> {
    Ok(d.as_ref().map(serde_json::to_string).transpose()?)
}

fn parse_discount(s: Option<String>) -> Result<Option<Discount>> {
    Ok(s.map(|s| serde_json::from_str(&s)).transpose()?)
}

/// Loads and prices the open cart, if any.
pub(crate) fn load_open(
    conn: &Connection,
    currency: shared_model::Currency,
    promos: &PromoCache,
) -> Result<Option<Cart>> {
    type Head = (String, Option<String>, Option<String>, Option<String>);
    let row: Option<Head> = conn
        .prepare_cached(
            "SELECT id, sale_discount, customer_id, receipt_contact FROM carts WHERE status = 'open'",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    let Some((id, sale_discount, customer_id, receipt_to)) = row else {
        return Ok(None);
    };
    let customer = customer_id
        .map(|c| crate::customers::by_id(conn, &c))
        .transpose()?
        .flatten();
    let mut lines = Vec::new();
    let mut st = conn.prepare_cached(
        "SELECT pos, product_id, sku, name, unit, unit_price_minor, vat, qty_milli, discount, certificate, mark
         FROM cart_lines WHERE cart_id = ?1 ORDER BY pos",
    )?;
    let mut rows = st.query([&id])?;
    while let Some(r) = rows.next()? {
        lines.push(CartLine {
            line_no: lines.len() + 1,
            pos: r.get(0)?,
            product_id: r.get::<_, db::Id>(1)?.0,
            sku: r.get(2)?,
            name: r.get(3)?,
            unit: Unit::parse(&r.get::<_, String>(4)?)?,
            unit_price: Money::new(r.get(5)?, currency),
            vat: VatRate::from_code(&r.get::<_, String>(6)?)?,
            qty: Quantity::from_milli(r.get(7)?),
            discount: parse_discount(r.get(8)?)?,
            certificate: r.get(9)?,
            mark: r
                .get::<_, Option<String>>(10)?
                .map(|m| serde_json::from_str(&m))
                .transpose()?,
        });
    }
    let mut payments = Vec::new();
    let mut st = conn.prepare_cached(
        "SELECT tender, amount_minor, approval_code, certificate, online FROM cart_payments WHERE cart_id = ?1 ORDER BY pos",
    )?;
    let mut rows = st.query([&id])?;
    while let Some(r) = rows.next()? {
        payments.push(CartPayment {
            tender: Tender::parse(&r.get::<_, String>(0)?)?,
            amount: Money::new(r.get(1)?, currency),
            approval_code: r.get(2)?,
            certificate: r.get(3)?,
            online: r.get(4)?,
        });
    }
    let id = db::parse_uuid(&id)?;
    let pricing = Pricing::load(conn, promos, id, &lines)?;
    let mut cart = build(
        id,
        lines,
        customer,
        parse_discount(sale_discount)?,
        payments,
        currency,
        &pricing,
    )?;
    cart.receipt_to = receipt_to;
    Ok(Some(cart))
}

/// Prices lines and payments into a [`Cart`].
fn build(
    id: Uuid,
    lines: Vec<CartLine>,
    customer: Option<CustomerDoc>,
    sale_discount: Option<Discount>,
    payments: Vec<CartPayment>,
    currency: shared_model::Currency,
    pricing: &Pricing,
) -> Result<Cart> {
    let priced = pricing.price(currency, sale_discount)?;
    let paid = Money::sum(currency, payments.iter().map(|p| p.amount))?;
    let due = Money::new((priced.total.minor - paid.minor).max(0), currency);
    let change = Money::new((paid.minor - priced.total.minor).max(0), currency);
    Ok(Cart {
        id,
        lines,
        customer,
        sale_discount,
        payments,
        priced,
        paid,
        due,
        change,
        receipt_to: None,
    })
}

impl Till {
    /// The open cart, if a sale is in progress.
    pub fn cart(&self) -> Result<Option<Cart>> {
        load_open(&self.conn, self.currency, &self.promos)
    }

    pub(crate) fn open_cart_id(&self, cashier: Uuid) -> Result<Uuid> {
        if let Some(id) = self
            .conn
            .query_row("SELECT id FROM carts WHERE status = 'open'", [], |r| {
                r.get::<_, db::Id>(0)
            })
            .optional()?
        {
            return Ok(id.0);
        }
        let id = Uuid::now_v7();
        self.conn.execute(
            "INSERT INTO carts (id, status, cashier_id, created_at) VALUES (?1, 'open', ?2, ?3)",
            (id.to_string(), cashier.to_string(), db::ts(db::now())),
        )?;
        Ok(id)
    }

    pub(crate) fn editable_cart(&self) -> Result<Cart> {
        let cart = self
            .cart()?
            .filter(|c| !c.lines.is_empty())
            .ok_or(TillError::EmptyCart)?;
        if !cart.payments.is_empty() {
            return Err(TillError::CartHasPayments);
        }
        Ok(cart)
    }

    fn line(cart: &Cart, line_no: usize) -> Result<&CartLine> {
        line_no
            .checked_sub(1)
            .and_then(|i| cart.lines.get(i))
            .ok_or(TillError::NoSuchLine(line_no))
    }

    /// Adds goods by barcode or SKU. A repeat scan of the same product adds to its line.
    pub fn add_item(&mut self, code: &str, qty: Option<&str>) -> Result<Cart> {
        let grant = self.grant(Capability::Sell)?;
        self.current_shift()?.ok_or(TillError::NoOpenShift)?;
        // No new sale while an earlier one awaits its fiscal receipt: a scan retries it.
        if self.fiscal_pending()? > 0 {
            self.settle_fiscal()?;
        }
        // A till with no register in a store that sells fiscally stops at the first scan,
        // before any money is taken.
        if self.fiscal_register_url()?.is_none() {
            self.require_non_fiscal_allowed()?;
        }
        // A cheap check: loading the cart would price it (promotions included) just to ask this.
        let has_payments: bool = self.conn.prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM cart_payments p JOIN carts c ON c.id = p.cart_id WHERE c.status = 'open')",
        )?
        .query_row([], |r| r.get(0))?;
        if has_payments {
            return Err(TillError::CartHasPayments);
        }
        // A DataMatrix is one marked unit: found by its GTIN, checked, a line of its own.
        if crate::marking::looks_like_mark(code) {
            let mark = MarkingCode::parse(code)?;
            if qty.is_some() {
                return Err(TillError::MarkOnePiece);
            }
            let product = self.find_product(mark.barcode_key())?;
            let sold = self.admit_mark(&product, &mark)?;
            return self.add_marked(grant.session.cashier_id, &product, &sold);
        }
        let product = self.find_product(code)?;
        self.require_no_mark(&product)?;
        let qty = match qty {
            Some(q) => Quantity::parse_for_sale(q, product.unit)?,
            None => Quantity::ONE,
        };
        let tx = self.conn.unchecked_transaction()?;
        let cart_id = self.open_cart_id(grant.session.cashier_id)?.to_string();
        let merged = tx.execute(
            "UPDATE cart_lines SET qty_milli = qty_milli + ?3
             WHERE cart_id = ?1 AND product_id = ?2 AND unit_price_minor = ?4 AND discount IS NULL
               AND mark IS NULL AND pos = (SELECT MAX(pos) FROM cart_lines WHERE cart_id = ?1)",
            (
                &cart_id,
                product.id.to_string(),
                qty.milli(),
                product.price.minor,
            ),
        )?;
        if merged == 0 {
            tx.execute(
                "INSERT INTO cart_lines (cart_id, pos, product_id, sku, name, unit, unit_price_minor, vat, qty_milli)
                 VALUES (?1, (SELECT COALESCE(MAX(pos), 0) + 1 FROM cart_lines WHERE cart_id = ?1),
                         ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                (
                    &cart_id,
                    product.id.to_string(),
                    &product.sku,
                    &product.name,
                    product.unit.code(),
                    product.price.minor,
                    product.vat.code(),
                    qty.milli(),
                ),
            )?;
        }
        let cart = load_open(&tx, self.currency, &self.promos)?.ok_or(TillError::EmptyCart)?;
        tx.commit()?;
        Ok(cart)
    }

    /// One marked unit as a line of its own, with its code and check.
    fn add_marked(&mut self, cashier: Uuid, product: &Product, sold: &SoldMark) -> Result<Cart> {
        let tx = self.conn.unchecked_transaction()?;
        let cart_id = self.open_cart_id(cashier)?.to_string();
        tx.execute(
            "INSERT INTO cart_lines (cart_id, pos, product_id, sku, name, unit, unit_price_minor, vat, qty_milli, mark, mark_id)
             VALUES (?1, (SELECT COALESCE(MAX(pos), 0) + 1 FROM cart_lines WHERE cart_id = ?1),
                     ?2, ?3, ?4, 'pcs', ?5, ?6, 1000, ?7, ?8)",
            (
                &cart_id,
                product.id.to_string(),
                &product.sku,
                &product.name,
                product.price.minor,
                product.vat.code(),
                serde_json::to_string(sold)?,
                sold.code.identity(),
            ),
        )?;
        let cart = load_open(&tx, self.currency, &self.promos)?.ok_or(TillError::EmptyCart)?;
        tx.commit()?;
        Ok(cart)
    }

    /// Sets a line's quantity.
    pub fn set_quantity(&mut self, line_no: usize, qty: &str) -> Result<Cart> {
        self.grant(Capability::Sell)?;
        let cart = self.editable_cart()?;
        let line = Self::line(&cart, line_no)?;
        if line.mark.is_some() {
            return Err(TillError::MarkOnePiece);
        }
        if line.certificate.is_some() {
            return Err(TillError::InvalidInput(
                "a gift certificate line is one certificate; sell another one instead".into(),
            ));
        }
        let qty = Quantity::parse_for_sale(qty, line.unit)?;
        self.conn.execute(
            "UPDATE cart_lines SET qty_milli = ?3 WHERE cart_id = ?1 AND pos = ?2",
            (cart.id.to_string(), line.pos, qty.milli()),
        )?;
        self.cart()?.ok_or(TillError::EmptyCart)
    }

    /// Removes a line.
    pub fn remove_line(&mut self, line_no: usize) -> Result<Cart> {
        self.grant(Capability::Sell)?;
        let cart = self.editable_cart()?;
        let line = Self::line(&cart, line_no)?;
        self.conn.execute(
            "DELETE FROM cart_lines WHERE cart_id = ?1 AND pos = ?2",
            (cart.id.to_string(), line.pos),
        )?;
        self.cart()?.ok_or(TillError::EmptyCart)
    }

    /// Sets or clears a manual discount on a line, within the cashier's role limit.
    pub fn discount_line(&mut self, line_no: usize, discount: Option<Discount>) -> Result<Cart> {
        let grant = self.grant(if discount.is_some() {
            Capability::Discount
        } else {
            Capability::Sell
        })?;
        let mut cart = self.editable_cart()?;
        let idx = Self::line(&cart, line_no)?.line_no - 1;
        if discount.is_some() && cart.lines[idx].certificate.is_some() {
            return Err(face_value());
        }
        cart.lines[idx].discount = discount;
        // Promotions are recomputed for the new line discount: they apply to what is left.
        let pricing = Pricing::load(&self.conn, &self.promos, cart.id, &cart.lines)?;
        let candidate = build(
            cart.id,
            cart.lines.clone(),
            cart.customer.clone(),
            cart.sale_discount,
            vec![],
            self.currency,
            &pricing,
        )?;
        check_manual_discount_limit(&candidate.priced, grant.session.discount_limit)?;
        self.conn.execute(
            "UPDATE cart_lines SET discount = ?3 WHERE cart_id = ?1 AND pos = ?2",
            (
                cart.id.to_string(),
                cart.lines[idx].pos,
                discount_json(&discount)?,
            ),
        )?;
        Ok(candidate)
    }

    /// Sets or clears a discount on the whole sale, within the cashier's role limit.
    /// It is spread over the lines by largest remainder.
    pub fn discount_sale(&mut self, discount: Option<Discount>) -> Result<Cart> {
        let grant = self.grant(if discount.is_some() {
            Capability::Discount
        } else {
            Capability::Sell
        })?;
        let cart = self.editable_cart()?;
        if discount.is_some() && cart.lines.iter().any(|l| l.certificate.is_some()) {
            return Err(face_value());
        }
        let pricing = Pricing::load(&self.conn, &self.promos, cart.id, &cart.lines)?;
        let candidate = build(
            cart.id,
            cart.lines,
            cart.customer,
            discount,
            vec![],
            self.currency,
            &pricing,
        )?;
        check_manual_discount_limit(&candidate.priced, grant.session.discount_limit)?;
        self.conn.execute(
            "UPDATE carts SET sale_discount = ?2 WHERE id = ?1",
            (cart.id.to_string(), discount_json(&discount)?),
        )?;
        Ok(candidate)
    }

    /// Takes a tender. Cash may exceed what is due (change); a card needs the
    /// approval code from the external card terminal and may not exceed what is due.
    pub fn pay(
        &mut self,
        tender: Tender,
        amount: &str,
        approval_code: Option<&str>,
    ) -> Result<Cart> {
        self.grant(Capability::Sell)?;
        self.current_shift()?.ok_or(TillError::NoOpenShift)?;
        let amount = Money::parse(amount, self.currency)?;
        let approval = match (tender, approval_code) {
            (Tender::Card, None) => return Err(TillError::ApprovalCodeRequired),
            (_, Some(c)) => Some(validate_approval(c)?),
            (Tender::Cash, None) => None,
            (Tender::Certificate, _) => {
                return Err(TillError::InvalidInput(
                    "a certificate payment needs the certificate's code (sale pay-certificate)"
                        .into(),
                ))
            }
        };
        let cart = self
            .cart()?
            .filter(|c| !c.lines.is_empty())
            .ok_or(TillError::EmptyCart)?;
        accept_tender(cart.priced.total, cart.paid, tender, amount)?;
        self.conn.execute(
            "INSERT INTO cart_payments (cart_id, pos, tender, amount_minor, approval_code)
             VALUES (?1, (SELECT COALESCE(MAX(pos), 0) + 1 FROM cart_payments WHERE cart_id = ?1), ?2, ?3, ?4)",
            (cart.id.to_string(), tender.code(), amount.minor, approval),
        )?;
        self.freeze_pricing(cart.id)?;
        self.cart()?.ok_or(TillError::EmptyCart)
    }

    /// Removes all tenders from the cart (card payments must be reversed on the card
    /// terminal; certificate holds at head office lapse on their own). Promotions are
    /// priced at the current moment again.
    pub fn unpay(&mut self) -> Result<Cart> {
        self.grant(Capability::Sell)?;
        let cart = self.cart()?.ok_or(TillError::EmptyCart)?;
        let tx = self.conn.unchecked_transaction()?;
        tx.execute(
            "DELETE FROM cart_payments WHERE cart_id = ?1",
            [cart.id.to_string()],
        )?;
        tx.execute(
            "UPDATE carts SET priced_at = NULL WHERE id = ?1",
            [cart.id.to_string()],
        )?;
        tx.commit()?;
        self.cart()?.ok_or(TillError::EmptyCart)
    }

    /// Sends the sale's fiscal receipt to the customer's e-mail or phone too (through the
    /// register and the OFD), or with `None` prints it only. A demo till without a register
    /// keeps it for nothing but the record.
    pub fn send_receipt_to(&mut self, contact: Option<&str>) -> Result<Cart> {
        self.grant(Capability::Sell)?;
        let cart = self.cart()?.ok_or(TillError::EmptyCart)?;
        let contact = contact
            .filter(|c| !c.trim().is_empty())
            .map(shared_model::customer::receipt_contact)
            .transpose()?;
        self.conn.execute(
            "UPDATE carts SET receipt_contact = ?2 WHERE id = ?1",
            (cart.id.to_string(), contact),
        )?;
        self.cart()?.ok_or(TillError::EmptyCart)
    }

    /// Parks the sale in progress to serve someone else.
    pub fn park(&mut self, note: Option<&str>) -> Result<Uuid> {
        self.grant(Capability::Sell)?;
        let cart = self.editable_cart()?;
        self.conn.execute(
            "UPDATE carts SET status = 'parked', parked_at = ?2, note = ?3 WHERE id = ?1",
            (
                cart.id.to_string(),
                db::ts(db::now()),
                note.map(str::trim).filter(|n| !n.is_empty()),
            ),
        )?;
        Ok(cart.id)
    }

    /// Parked sales, oldest first.
    pub fn parked(&self) -> Result<Vec<ParkedCart>> {
        let mut st = self.conn.prepare(
            "SELECT c.id, c.parked_at, c.note, (SELECT COUNT(*) FROM cart_lines l WHERE l.cart_id = c.id)
             FROM carts c WHERE c.status = 'parked' ORDER BY c.parked_at",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, db::Id>(0)?,
                r.get::<_, String>(1)?,
                r.get(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        rows.map(|row| {
            let (id, parked_at, note, lines) = row?;
            Ok(ParkedCart {
                id: id.0,
                parked_at,
                note,
                lines: lines as u64,
            })
        })
        .collect()
    }

    /// Resumes a parked sale (by id or a unique id prefix). The current sale must be empty.
    pub fn resume(&mut self, id_prefix: &str) -> Result<Cart> {
        self.grant(Capability::Sell)?;
        if self.cart()?.is_some_and(|c| !c.lines.is_empty()) {
            return Err(TillError::SaleInProgress);
        }
        let prefix = id_prefix.trim().to_lowercase();
        let ids: Vec<String> = self
            .parked()?
            .into_iter()
            .map(|p| p.id.to_string())
            .filter(|id| !prefix.is_empty() && id.starts_with(&prefix))
            .collect();
        let [id] = ids.as_slice() else {
            return Err(TillError::NoSuchParkedSale(id_prefix.to_owned()));
        };
        let tx = self.conn.unchecked_transaction()?;
        tx.execute("DELETE FROM carts WHERE status = 'open'", [])?;
        tx.execute(
            "UPDATE carts SET status = 'open', parked_at = NULL WHERE id = ?1",
            [id],
        )?;
        tx.commit()?;
        self.cart()?.ok_or(TillError::EmptyCart)
    }
}
