//! The catalog: products, barcodes, categories; lookup by scan, search, CSV import.

use std::io::Read;

use rusqlite::{OptionalExtension, Row};
use serde::Serialize;
use shared_model::catalog_file::{self, CatalogRow};
use shared_model::{Barcode, Money, Quantity, Unit, VatRate};
use uuid::Uuid;

use crate::{db, error::Result, Till, TillError};

/// A product as the till sells it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Product {
    /// Id.
    pub id: Uuid,
    /// Stock-keeping unit.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Category name.
    pub category: Option<String>,
    /// Unit it is sold in.
    pub unit: Unit,
    /// VAT-inclusive price per unit.
    pub price: Money,
    /// VAT rate.
    pub vat: VatRate,
    /// Barcodes.
    pub barcodes: Vec<String>,
    /// Marking group code, when each unit is sold by its marking code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marking_group: Option<String>,
}

/// A product with its stock on this till, for search results.
#[derive(Debug, Clone, Serialize)]
pub struct ProductView {
    /// The product.
    #[serde(flatten)]
    pub product: Product,
    /// Stock on hand (may be negative: sales never block on stock).
    pub stock: Quantity,
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    /// New products.
    pub created: u64,
    /// Existing products updated (matched by SKU).
    pub updated: u64,
}

const PRODUCT_COLS: &str = "p.id, p.sku, p.name, c.name, p.unit, p.price_minor, p.vat,
    (SELECT group_concat(code, ' ') FROM barcodes b WHERE b.product_id = p.id), p.marking_group";

impl Till {
    fn product_from_row(&self, r: &Row<'_>) -> rusqlite::Result<Result<Product>> {
        let id: db::Id = r.get(0)?;
        let unit: String = r.get(4)?;
        let vat: String = r.get(6)?;
        let codes: Option<String> = r.get(7)?;
        let marking_group: Option<String> = r.get(8)?;
        let (sku, name, category, price): (String, String, Option<String>, i64) =
            (r.get(1)?, r.get(2)?, r.get(3)?, r.get(5)?);
        Ok((|| {
            Ok(Product {
                id: id.0,
                sku,
                name,
                category,
                unit: Unit::parse(&unit)?,
                price: Money::new(price, self.currency),
                vat: VatRate::from_code(&vat)?,
                barcodes: codes
                    .map(|c| c.split(' ').map(str::to_owned).collect())
                    .unwrap_or_default(),
                marking_group,
            })
        })())
    }

    /// Finds an active product by a scanned barcode or a typed SKU.
    ///
    /// Anything that looks like a barcode (8, 12 or 13 digits) must pass its check
    /// digit: a misread scan is refused rather than matched to a SKU by accident.
    pub fn find_product(&self, code: &str) -> Result<Product> {
        let code = code.trim();
        let looks_like_barcode =
            matches!(code.len(), 8 | 12 | 13) && code.bytes().all(|b| b.is_ascii_digit());
        let sql_by_barcode = format!(
            "SELECT {PRODUCT_COLS} FROM barcodes bc JOIN products p ON p.id = bc.product_id
             LEFT JOIN categories c ON c.id = p.category_id WHERE bc.code = ?1 AND p.active = 1"
        );
        let sql_by_sku = format!(
            "SELECT {PRODUCT_COLS} FROM products p LEFT JOIN categories c ON c.id = p.category_id
             WHERE p.sku = ?1 AND p.active = 1"
        );
        let (sql, key) = if looks_like_barcode {
            let bc = Barcode::parse(code)?;
            (sql_by_barcode, bc.lookup_key())
        } else {
            (sql_by_sku, code.to_owned())
        };
        let found = self
            .conn
            .prepare_cached(&sql)?
            .query_row([&key], |r| self.product_from_row(r))
            .optional()?;
        match found {
            Some(p) => p,
            None => Err(TillError::UnknownProduct(code.to_owned())),
        }
    }

    /// Quick keys: the goods this till sold most often in the last 30 days (the first
    /// of the catalog on a new till), so the popular ones are one key away.
    pub fn popular(&self, n: u32) -> Result<Vec<Product>> {
        let since = db::ts(db::now() - chrono::Duration::days(30));
        let sql = format!(
            "SELECT {PRODUCT_COLS} FROM products p LEFT JOIN categories c ON c.id = p.category_id
             LEFT JOIN (SELECT l.product_id, COUNT(*) AS n FROM sale_lines l JOIN sales s ON s.id = l.sale_id
                        WHERE s.completed_at >= ?1 GROUP BY l.product_id) top ON top.product_id = p.id
             WHERE p.active = 1 ORDER BY COALESCE(top.n, 0) DESC, p.sku LIMIT ?2"
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map((since, n.min(50)), |r| self.product_from_row(r))?;
        rows.map(|r| r?).collect()
    }

    /// Searches active products by name words, SKU prefix or barcode; best matches first.
    pub fn search(&self, text: &str, limit: u32) -> Result<Vec<ProductView>> {
        let words: Vec<String> = text.split_whitespace().map(|w| w.to_lowercase()).collect();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        // Each word must appear in the name, or the whole text is a SKU prefix or barcode.
        let like = |w: &String| {
            format!(
                "%{}%",
                w.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            )
        };
        let mut conds = Vec::new();
        let mut params: Vec<String> = Vec::new();
        for w in &words {
            params.push(like(w));
            conds.push(format!("p.name_lc LIKE ?{} ESCAPE '\\'", params.len()));
        }
        let whole = text.trim().to_owned();
        params.push(format!("{}%", whole.replace('%', "")));
        let sku_idx = params.len();
        params.push(
            Barcode::parse(&whole)
                .map(|b| b.lookup_key())
                .unwrap_or_default(),
        );
        let bc_idx = params.len();
        let sql = format!(
            "SELECT {PRODUCT_COLS}, (SELECT COALESCE(SUM(qty_milli), 0) FROM stock_movements s WHERE s.product_id = p.id)
             FROM products p LEFT JOIN categories c ON c.id = p.category_id
             WHERE p.active = 1 AND (({}) OR p.sku LIKE ?{sku_idx}
                 OR p.id IN (SELECT product_id FROM barcodes WHERE code = ?{bc_idx}))
             ORDER BY (p.sku LIKE ?{sku_idx}) DESC, p.name LIMIT {}",
            conds.join(" AND "),
            limit.min(1000)
        );
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(rusqlite::params_from_iter(params.iter()), |r| {
            Ok((self.product_from_row(r)?, r.get::<_, i64>(9)?))
        })?;
        rows.map(|row| {
            let (p, stock) = row?;
            Ok(ProductView {
                product: p?,
                stock: Quantity::from_milli(stock),
            })
        })
        .collect()
    }

    /// Stock on hand of a product: the sum of its movements.
    pub fn stock_of(&self, product_id: Uuid) -> Result<Quantity> {
        let q: i64 = self.conn.query_row(
            "SELECT COALESCE(SUM(qty_milli), 0) FROM stock_movements WHERE product_id = ?1",
            [product_id.to_string()],
            |r| r.get(0),
        )?;
        Ok(Quantity::from_milli(q))
    }

    /// Number of active products.
    pub fn product_count(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM products WHERE active = 1", [], |r| {
                r.get::<_, i64>(0)
            })? as u64)
    }

    /// Imports a catalog file in head office's export format
    /// ([`shared_model::catalog_file`]: `sku,name,category,unit,vat,cost,default_price,barcodes`).
    /// Products are matched by SKU and updated; the whole file imports or nothing does.
    pub fn import_csv<R: Read>(&mut self, input: R) -> Result<ImportReport> {
        self.grant(shared_model::Capability::Configure)?;
        self.import_csv_unchecked(input)
    }

    pub(crate) fn import_csv_unchecked<R: Read>(&mut self, input: R) -> Result<ImportReport> {
        let rows = parse_csv(input, self.currency)?;
        let tx = self.conn.transaction()?;
        let mut report = ImportReport::default();
        for (line, row) in &rows {
            let category_id: Option<String> = match &row.category {
                None => None,
                Some(name) => {
                    tx.execute(
                        "INSERT INTO categories (id, name) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
                        (Uuid::now_v7().to_string(), name),
                    )?;
                    Some(tx.query_row(
                        "SELECT id FROM categories WHERE name = ?1",
                        [name],
                        |r| r.get(0),
                    )?)
                }
            };
            let existing: Option<String> = tx
                .query_row("SELECT id FROM products WHERE sku = ?1", [&row.sku], |r| {
                    r.get(0)
                })
                .optional()?;
            let id = match existing {
                Some(id) => {
                    tx.execute(
                        "UPDATE products SET name = ?2, name_lc = ?3, category_id = ?4, unit = ?5,
                         price_minor = ?6, vat = ?7, cost_minor = ?8, active = 1 WHERE id = ?1",
                        (
                            &id,
                            &row.name,
                            row.name.to_lowercase(),
                            &category_id,
                            row.unit.code(),
                            row.price.minor,
                            row.vat.code(),
                            row.cost.minor,
                        ),
                    )?;
                    tx.execute("DELETE FROM barcodes WHERE product_id = ?1", [&id])?;
                    report.updated += 1;
                    id
                }
                None => {
                    let id = Uuid::now_v7().to_string();
                    tx.execute(
                        "INSERT INTO products (id, sku, name, name_lc, category_id, unit, price_minor, vat, cost_minor)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                        (&id, &row.sku, &row.name, row.name.to_lowercase(), &category_id, row.unit.code(), row.price.minor, row.vat.code(), row.cost.minor),
                    )?;
                    report.created += 1;
                    id
                }
            };
            for bc in &row.barcodes {
                let taken: Option<String> = tx
                    .query_row(
                        "SELECT product_id FROM barcodes WHERE code = ?1",
                        [bc.lookup_key()],
                        |r| r.get(0),
                    )
                    .optional()?;
                if taken.is_some_and(|p| p != id) {
                    return Err(TillError::Import {
                        line: *line,
                        message: format!("barcode {bc} belongs to another product"),
                    });
                }
                tx.execute(
                    "INSERT OR IGNORE INTO barcodes (code, product_id) VALUES (?1, ?2)",
                    (bc.lookup_key(), &id),
                )?;
            }
        }
        tx.commit()?;
        Ok(report)
    }
}

/// Reads a catalog file ([`shared_model::catalog_file`]: head office's export format),
/// refusing the first row at fault with every problem it has.
fn parse_csv<R: Read>(
    mut input: R,
    currency: shared_model::Currency,
) -> Result<Vec<(u64, CatalogRow)>> {
    let err = |line: u64, message: String| TillError::Import { line, message };
    let mut text = String::new();
    input
        .read_to_string(&mut text)
        .map_err(|e| err(0, format!("the file is not UTF-8 text: {e}")))?;
    // Head office's export starts with a byte-order mark, for spreadsheets.
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = rdr.headers().map_err(|e| err(1, e.to_string()))?.clone();
    let missing = catalog_file::missing_columns(headers.iter());
    if !missing.is_empty() {
        return Err(err(
            1,
            format!(
                "missing columns {}; the columns are {}",
                missing.join(", "),
                catalog_file::COLUMNS.join(",")
            ),
        ));
    }
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let mut rows = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| err(e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = rec.position().map_or(0, |p| p.line());
        let row =
            catalog_file::parse_row(|c| col(c).and_then(|i| rec.get(i)).unwrap_or(""), currency)
                .map_err(|bad| {
                    let all: Vec<String> = bad.into_iter().map(|e| e.message).collect();
                    err(line, all.join("; "))
                })?;
        if !seen.insert(row.sku.clone()) {
            return Err(err(line, format!("SKU {} appears twice", row.sku)));
        }
        rows.push((line, row));
    }
    Ok(rows)
}
