//! Customers on the till: looked up by phone or card offline (head office sends them),
//! registered here (an event takes them to head office), and put on the sale so their
//! group's promotions apply.

use rusqlite::{Connection, OptionalExtension};
use shared_model::customer::{normalize_card, normalize_phone};
use shared_model::events::{CustomerDoc, EventPayload};
use shared_model::Capability;
use uuid::Uuid;

use crate::cart_model::Cart;
use crate::{db, error::Result, outbox, Till, TillError};

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

/// The customer with this id, if the till knows them.
pub(crate) fn by_id(conn: &Connection, id: &str) -> Result<Option<CustomerDoc>> {
    conn.prepare_cached("SELECT id, name, phone, card_no, group_code FROM customers WHERE id = ?1")?
        .query_row([id], row)
        .optional()?
        .map(doc)
        .transpose()
}

type Row = (
    db::Id,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn doc((id, name, phone, card_no, group): Row) -> Result<CustomerDoc> {
    Ok(CustomerDoc {
        customer_id: id.0,
        name,
        phone,
        card_no,
        group,
    })
}

fn find(conn: &Connection, query: &str) -> Result<Option<CustomerDoc>> {
    let phone = normalize_phone(query).ok();
    let card = normalize_card(query).ok();
    let found = conn
        .prepare_cached(
            "SELECT id, name, phone, card_no, group_code FROM customers
             WHERE phone = ?1 OR card_no = ?2 ORDER BY phone = ?1 DESC LIMIT 1",
        )?
        .query_row((phone, card), row)
        .optional()?;
    found.map(doc).transpose()
}

/// Stores a customer as head office has them. Head office wins a phone or card clash
/// with a customer registered here that it has not merged yet.
pub(crate) fn apply(conn: &Connection, c: &CustomerDoc) -> Result<()> {
    let id = c.customer_id.to_string();
    conn.prepare_cached("UPDATE customers SET phone = NULL WHERE phone = ?1 AND id <> ?2")?
        .execute((&c.phone, &id))?;
    conn.prepare_cached("UPDATE customers SET card_no = NULL WHERE card_no = ?1 AND id <> ?2")?
        .execute((&c.card_no, &id))?;
    conn.prepare_cached(
        "INSERT INTO customers (id, name, phone, card_no, group_code) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, phone = excluded.phone,
            card_no = excluded.card_no, group_code = excluded.group_code",
    )?
    .execute((&id, &c.name, &c.phone, &c.card_no, &c.group))?;
    Ok(())
}

impl Till {
    /// Finds a customer by phone (any common spelling) or discount card number.
    pub fn find_customer(&self, query: &str) -> Result<CustomerDoc> {
        self.grant(Capability::Sell)?;
        find(&self.conn, query)?.ok_or_else(|| TillError::UnknownCustomer(query.trim().into()))
    }

    /// Registers a customer at the till. Only managers may put a customer in a group,
    /// since groups carry discounts.
    pub fn register_customer(
        &mut self,
        name: &str,
        phone: Option<&str>,
        card: Option<&str>,
        group: Option<&str>,
    ) -> Result<CustomerDoc> {
        self.grant(Capability::Sell)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(TillError::NameRequired);
        }
        let phone = phone.map(normalize_phone).transpose()?;
        let card_no = card.map(normalize_card).transpose()?;
        if phone.is_none() && card_no.is_none() {
            return Err(TillError::InvalidInput(
                "a customer needs a phone or a card number to be found again".into(),
            ));
        }
        let group = group.map(str::trim).filter(|g| !g.is_empty());
        if group.is_some() {
            self.grant(Capability::Configure)?;
        }
        for (what, value) in [("phone", &phone), ("card", &card_no)] {
            if let Some(v) = value {
                if find(&self.conn, v)?.is_some() {
                    return Err(TillError::CustomerExists(what));
                }
            }
        }
        let doc = CustomerDoc {
            customer_id: Uuid::now_v7(),
            name: name.to_owned(),
            phone,
            card_no,
            group: group.map(str::to_owned),
        };
        let tx = self.conn.transaction()?;
        apply(&tx, &doc)?;
        outbox::append(
            &tx,
            self.terminal_id,
            doc.customer_id,
            EventPayload::CustomerRegistered(doc.clone()),
        )?;
        tx.commit()?;
        Ok(doc)
    }

    /// Puts the customer with this phone or card on the sale (their group's promotions
    /// apply at once), starting a sale if none is open.
    pub fn set_customer(&mut self, query: &str) -> Result<Cart> {
        let grant = self.grant(Capability::Sell)?;
        let customer = find(&self.conn, query)?
            .ok_or_else(|| TillError::UnknownCustomer(query.trim().into()))?;
        if self.cart()?.is_some_and(|c| !c.payments.is_empty()) {
            return Err(TillError::CartHasPayments);
        }
        let cart_id = self.open_cart_id(grant.session.cashier_id)?;
        self.conn.execute(
            "UPDATE carts SET customer_id = ?2 WHERE id = ?1",
            (cart_id.to_string(), customer.customer_id.to_string()),
        )?;
        self.cart()?.ok_or(TillError::EmptyCart)
    }
}
