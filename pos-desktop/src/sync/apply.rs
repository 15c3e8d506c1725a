//! Applying head office's changes to the till's reference data. Statements are cached and
//! a product takes as few as it can: a first sync applies this a million times.

use std::collections::HashMap;

use rusqlite::{Connection, Transaction};
use shared_model::sync::{Change, ProductData, PullResponse};
use uuid::Uuid;

use crate::{db, error::Result};

/// Applies a group of pages in one transaction with the cursor after them (`cursor` is the
/// one before them), and returns that cursor.
///
/// Foreign keys are not checked while it runs (on this connection only; a sale on another
/// connection is checked as ever): checking them doubled a first sync's time, and nothing
/// here can break one. Reference data is never deleted or re-keyed — products, cashiers and
/// promotions are deactivated, categories only added — and a parent is written before its
/// children (a product's category before the product, the product before its barcodes).
/// `Till::verify` checks every key.
pub(super) fn group(
    conn: &mut Connection,
    pages: &[PullResponse],
    mut cursor: Option<String>,
) -> Result<Option<String>> {
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let applied = in_one_transaction(conn, pages, &mut cursor);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    applied.map(|()| cursor)
}

fn in_one_transaction(
    conn: &mut Connection,
    pages: &[PullResponse],
    cursor: &mut Option<String>,
) -> Result<()> {
    let tx = conn.transaction()?;
    let mut apply = Applier::new(&tx);
    for page in pages {
        // Only the first page of a snapshot starts from no cursor or a feed cursor;
        // later pages carry snapshot cursors (products s:, customers c:, certificates g:).
        if page.snapshot && cursor.as_deref().is_none_or(|c| c.starts_with("f:")) {
            fresh_snapshot(&tx)?;
        }
        for ch in &page.changes {
            apply.change(ch)?;
        }
        *cursor = Some(page.cursor.clone());
    }
    if let Some(c) = cursor.as_deref() {
        db::set_setting(&tx, "pull_cursor", c)?;
    }
    db::set_setting(&tx, "last_pull_at", &db::ts(db::now()))?;
    tx.commit()?;
    Ok(())
}

/// A fresh snapshot: head office's view replaces what the till holds. Customers and
/// certificates are upserted in full by the snapshot.
fn fresh_snapshot(tx: &Transaction<'_>) -> Result<()> {
    tx.execute("UPDATE products SET active = 0", [])?;
    tx.execute("UPDATE cashiers SET active = 0", [])?;
    tx.execute("UPDATE promotions SET active = 0", [])?;
    Ok(())
}

/// Applies changes inside one transaction, remembering the category ids it has looked up.
struct Applier<'a> {
    tx: &'a Transaction<'a>,
    categories: HashMap<String, String>,
}

impl<'a> Applier<'a> {
    fn new(tx: &'a Transaction<'a>) -> Self {
        Self {
            tx,
            categories: HashMap::new(),
        }
    }

    /// The till's id of the category named `name`, made when it has none.
    fn category(&mut self, name: &str) -> Result<String> {
        if let Some(id) = self.categories.get(name) {
            return Ok(id.clone());
        }
        self.tx
            .prepare_cached(
                "INSERT INTO categories (id, name) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
            )?
            .execute((Uuid::now_v7().to_string(), name))?;
        let id: String = self
            .tx
            .prepare_cached("SELECT id FROM categories WHERE name = ?1")?
            .query_row([name], |r| r.get(0))?;
        self.categories.insert(name.to_owned(), id.clone());
        Ok(id)
    }

    /// A product as head office has it now, with its barcodes.
    fn product(&mut self, p: &ProductData) -> Result<()> {
        let id = p.id.to_string();
        let category = p
            .category
            .as_deref()
            .map(|c| self.category(c))
            .transpose()?;
        let upsert = || {
            self.tx
                .prepare_cached(
                    "INSERT INTO products (id, sku, name, name_lc, category_id, unit, price_minor, vat, active,
                                           cost_minor, marking_group)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9, ?10)
                     ON CONFLICT (id) DO UPDATE SET sku = excluded.sku, name = excluded.name,
                        name_lc = excluded.name_lc, category_id = excluded.category_id, unit = excluded.unit,
                        price_minor = excluded.price_minor, vat = excluded.vat, active = 1,
                        cost_minor = excluded.cost_minor, marking_group = excluded.marking_group",
                )?
                .execute(rusqlite::params![
                    &id,
                    &p.sku,
                    &p.name,
                    p.name.to_lowercase(),
                    category,
                    &p.unit,
                    p.price_minor,
                    &p.vat,
                    p.cost_minor.max(0),
                    &p.marking_group
                ])
        };
        match upsert() {
            // Another product holds the SKU (e.g. one from the demo catalog): it steps aside.
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
            {
                self.tx
                    .prepare_cached(
                        "UPDATE products SET sku = sku || '~' || substr(id, 1, 8), active = 0 WHERE sku = ?1 AND id <> ?2",
                    )?
                    .execute((&p.sku, &id))?;
                upsert()?;
            }
            r => {
                r?;
            }
        }
        self.tx
            .prepare_cached("DELETE FROM barcodes WHERE product_id = ?1")?
            .execute([&id])?;
        for code in &p.barcodes {
            // Head office is authoritative: a code moves to the product it now names.
            self.tx
                .prepare_cached(
                    "INSERT INTO barcodes (code, product_id) VALUES (?1, ?2)
                     ON CONFLICT (code) DO UPDATE SET product_id = excluded.product_id",
                )?
                .execute((code, &id))?;
        }
        Ok(())
    }

    /// Applies one change.
    fn change(&mut self, ch: &Change) -> Result<()> {
        match ch {
            Change::Product(p) => self.product(p)?,
            Change::ProductRemoved { id } => {
                self.tx
                    .prepare_cached("UPDATE products SET active = 0 WHERE id = ?1")?
                    .execute([id.to_string()])?;
            }
            Change::Category { id, name } => {
                self.tx
                    .prepare_cached(
                        "INSERT INTO categories (id, name) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                    )?
                    .execute((id.to_string(), name))?;
            }
            Change::Cashier(c) => {
                self.tx.prepare_cached(
                    "INSERT INTO cashiers (id, name, role, pin_hash, active, discount_limit_bp, vatin) VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6)
                     ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role, pin_hash = excluded.pin_hash,
                        active = 1, discount_limit_bp = excluded.discount_limit_bp, vatin = excluded.vatin",
                )?
                .execute((c.id.to_string(), &c.name, &c.role, &c.pin_hash, c.discount_limit_bp, &c.vatin))?;
            }
            Change::Promotion(p) => {
                self.tx.prepare_cached(
                    "INSERT INTO promotions (id, version, definition, active) VALUES (?1, ?2, ?3, 1)
                     ON CONFLICT (id) DO UPDATE SET version = excluded.version, definition = excluded.definition, active = 1",
                )?
                .execute((p.id.to_string(), p.version, serde_json::to_string(p)?))?;
            }
            Change::PromotionRemoved { id } => {
                self.tx
                    .prepare_cached("UPDATE promotions SET active = 0 WHERE id = ?1")?
                    .execute([id.to_string()])?;
            }
            Change::Store {
                name,
                non_fiscal,
                taxation,
                ..
            } => {
                db::set_setting(self.tx, "store_name", name)?;
                db::set_setting(
                    self.tx,
                    "store_non_fiscal",
                    if *non_fiscal { "1" } else { "0" },
                )?;
                if let Some(t) = taxation {
                    db::set_setting(self.tx, "taxation", t.code())?;
                }
            }
            Change::CashierRemoved { id } => {
                self.tx
                    .prepare_cached("UPDATE cashiers SET active = 0 WHERE id = ?1")?
                    .execute([id.to_string()])?;
            }
            Change::Customer(c) => crate::customers::apply(self.tx, c)?,
            // Protocol 1's certificates by code: never sent to this till's protocol.
            Change::Certificate(_) => {}
            Change::CertificateKeyed(c) => crate::certificates::apply_entry(self.tx, c)?,
            Change::CertificatePolicy(p) => {
                db::set_setting(self.tx, "certificate_policy", &serde_json::to_string(p)?)?;
            }
            Change::MarkingGroup(g) => crate::marking::apply_group(self.tx, g)?,
        }
        Ok(())
    }
}
