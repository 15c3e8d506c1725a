//! The demo till: a believable perfume-shop catalog, demo cashiers and opening stock,
//! so the till can be tried with no server.

use shared_model::{Quantity, Role, Unit};
use uuid::Uuid;

use crate::{db, error::Result, Till};

/// The shipped demo catalog (CSV in the import format).
pub const CATALOG_CSV: &str = include_str!("../demo/catalog.csv");

/// The demo product sold by its marking code (Dior J'adore EDP 100 мл).
pub const MARKED_SKU: &str = "P0019";

/// Demo cashiers: `(name, role, PIN)`. The first is logged in after `init --demo`.
pub const CASHIERS: [(&str, Role, &str); 4] = [
    ("Анна Кассирова", Role::Cashier, "111111"),
    ("Мария Продавцова", Role::Salesperson, "222222"),
    ("Ольга Управляющая", Role::Manager, "999999"),
    ("Иван Кладовщиков", Role::WarehouseWorker, "333333"),
];

/// Loads the demo data into a fresh till.
pub(crate) fn install(till: &mut Till) -> Result<()> {
    till.import_csv_unchecked(CATALOG_CSV.as_bytes())?;
    for (name, role, pin) in CASHIERS {
        till.insert_cashier(name, role, pin)?;
    }
    // Opening stock: a local snapshot, as a fresh till would get from head office,
    // so it is not an event of this till.
    let tx = till.conn.transaction()?;
    {
        let mut products = tx.prepare("SELECT id, unit FROM products")?;
        let rows: Vec<(String, String)> = products
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let at = db::ts(db::now());
        for (id, unit) in rows {
            let qty = match Unit::parse(&unit)? {
                Unit::Piece => Quantity::from_milli(12_000),
                Unit::Ml => Quantity::from_milli(500_000),
                Unit::Gram => Quantity::from_milli(2_000_000),
            };
            tx.execute(
                "INSERT INTO stock_movements (id, product_id, qty_milli, reason, at) VALUES (?1, ?2, ?3, 'opening', ?4)",
                (Uuid::now_v7().to_string(), id, qty.milli(), &at),
            )?;
        }
    }
    // Marked goods: the chain's default groups, and one perfume sold by its DataMatrix
    // (the demo's others by barcode, so trying the till needs no marking codes).
    for g in shared_model::marking::permit::default_groups() {
        crate::marking::apply_group(&tx, &g)?;
    }
    tx.execute(
        "UPDATE products SET marking_group = 'perfume' WHERE sku = ?1",
        [MARKED_SKU],
    )?;
    db::set_setting(&tx, "demo", "1")?;
    tx.commit()?;
    till.login(CASHIERS[0].2)?;
    Ok(())
}
