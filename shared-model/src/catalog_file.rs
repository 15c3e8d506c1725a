//! The catalog file: one CSV format for goods, written by head office's export and read
//! by both head office's import and a till's `catalog import`, with the same columns,
//! separators and limits on both sides (so an export imports anywhere unchanged).
//!
//! Columns (any order; the header names them, case-insensitive):
//! `sku` (1–64 characters), `name` (1–300), `category` (a name, 0–200), `unit`
//! (`pcs`, `ml`, `g`), `vat` (`22`, `10`, `0`, `none` or `vat22`…), `cost` (per unit,
//! optional, `0` when empty), `default_price` (VAT-inclusive per unit, e.g. `12.50`),
//! `barcodes` (optional; separated by spaces, `;` or `|`). A field that starts like a
//! spreadsheet formula is written with a leading `'`, which reading takes off again.

use crate::{Barcode, Currency, Money, Unit, VatRate};

/// The columns, in the export's order.
pub const COLUMNS: [&str; 8] = [
    "sku",
    "name",
    "category",
    "unit",
    "vat",
    "cost",
    "default_price",
    "barcodes",
];

/// Columns a file must have; the others may be left out.
pub const REQUIRED: [&str; 5] = ["sku", "name", "unit", "vat", "default_price"];

/// Longest SKU.
pub const SKU_MAX: usize = 64;
/// Longest product name.
pub const NAME_MAX: usize = 300;
/// Longest category name.
pub const CATEGORY_MAX: usize = 200;
/// What may separate barcodes in their field.
pub const BARCODE_SEPARATORS: [char; 3] = [' ', ';', '|'];

/// One product as the file gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogRow {
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Category name, if any.
    pub category: Option<String>,
    /// Unit of sale.
    pub unit: Unit,
    /// VAT rate.
    pub vat: VatRate,
    /// Cost per unit.
    pub cost: Money,
    /// VAT-inclusive price per unit.
    pub price: Money,
    /// Barcodes, each listed once.
    pub barcodes: Vec<Barcode>,
}

/// What is wrong with one field of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The column.
    pub column: &'static str,
    /// What is wrong.
    pub message: String,
}

/// The required columns a header lacks.
pub fn missing_columns<'a>(header: impl IntoIterator<Item = &'a str> + Clone) -> Vec<&'static str> {
    REQUIRED
        .iter()
        .copied()
        .filter(|c| {
            !header
                .clone()
                .into_iter()
                .any(|h| h.trim().eq_ignore_ascii_case(c))
        })
        .collect()
}

/// Undoes the export's formula defusing (`'=…` back to `=…`).
fn undefuse(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => s,
    }
}

fn text(column: &'static str, v: &str, min: usize, max: usize) -> Result<String, FieldError> {
    let t = v.trim();
    let n = t.chars().count();
    if n < min || n > max {
        return Err(FieldError {
            column,
            message: format!("{column} must be {min} to {max} characters"),
        });
    }
    Ok(t.to_owned())
}

fn amount(column: &'static str, v: &str, currency: Currency) -> Result<Money, FieldError> {
    let bad = |message: String| FieldError { column, message };
    let m = Money::parse(v, currency).map_err(|e| bad(format!("{column}: {e}")))?;
    if m.is_negative() {
        return Err(bad(format!("{column} cannot be negative")));
    }
    Ok(m)
}

fn barcodes(v: &str) -> Result<Vec<Barcode>, FieldError> {
    let bad = |message: String| FieldError {
        column: "barcodes",
        message,
    };
    let mut out: Vec<Barcode> = Vec::new();
    for b in v.split(BARCODE_SEPARATORS).filter(|b| !b.is_empty()) {
        let code = Barcode::parse(b).map_err(|e| bad(e.to_string()))?;
        if out.iter().any(|c| c.lookup_key() == code.lookup_key()) {
            return Err(bad(format!("barcode {b} is listed twice")));
        }
        out.push(code);
    }
    Ok(out)
}

fn keep<T>(errors: &mut Vec<FieldError>, r: Result<T, FieldError>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

/// Reads one row; `get` gives a column's field ("" when the column or field is absent).
/// Every field at fault is named, not only the first.
pub fn parse_row<'a>(
    get: impl Fn(&str) -> &'a str,
    currency: Currency,
) -> Result<CatalogRow, Vec<FieldError>> {
    let field = |c: &str| undefuse(get(c).trim());
    let mut errors = Vec::new();
    let sku = keep(&mut errors, text("sku", field("sku"), 1, SKU_MAX));
    let name = keep(&mut errors, text("name", field("name"), 1, NAME_MAX));
    let category = keep(
        &mut errors,
        text("category", field("category"), 0, CATEGORY_MAX),
    );
    let unit = keep(
        &mut errors,
        Unit::parse(field("unit")).map_err(|e| FieldError {
            column: "unit",
            message: e.to_string(),
        }),
    );
    let vat = keep(
        &mut errors,
        VatRate::for_goods(field("vat")).map_err(|e| FieldError {
            column: "vat",
            message: e.to_string(),
        }),
    );
    let cost = keep(
        &mut errors,
        match field("cost") {
            "" => Ok(Money::new(0, currency)),
            c => amount("cost", c, currency),
        },
    );
    let price = keep(
        &mut errors,
        amount("default_price", field("default_price"), currency),
    );
    let codes = keep(&mut errors, barcodes(field("barcodes")));
    match (sku, name, category, unit, vat, cost, price, codes) {
        (
            Some(sku),
            Some(name),
            Some(category),
            Some(unit),
            Some(vat),
            Some(cost),
            Some(price),
            Some(barcodes),
        ) if errors.is_empty() => Ok(CatalogRow {
            sku,
            name,
            category: Some(category).filter(|c| !c.is_empty()),
            unit,
            vat,
            cost,
            price,
            barcodes,
        }),
        _ => Err(errors),
    }
}

/// A product as the export writes it.
#[derive(Debug, Clone, Copy)]
pub struct ExportRow<'a> {
    /// SKU.
    pub sku: &'a str,
    /// Name.
    pub name: &'a str,
    /// Category name.
    pub category: Option<&'a str>,
    /// Unit.
    pub unit: Unit,
    /// VAT rate.
    pub vat: VatRate,
    /// Cost per unit.
    pub cost: Money,
    /// Price per unit.
    pub price: Money,
    /// Barcodes.
    pub barcodes: &'a [String],
}

impl ExportRow<'_> {
    /// The fields in [`COLUMNS`] order (not yet CSV-quoted).
    pub fn fields(&self) -> [String; 8] {
        [
            self.sku.to_owned(),
            self.name.to_owned(),
            self.category.unwrap_or_default().to_owned(),
            self.unit.code().to_owned(),
            self.vat
                .percent()
                .map_or_else(|| "none".to_owned(), |p| p.to_string()),
            self.cost.to_decimal_string(),
            self.price.to_decimal_string(),
            self.barcodes.join(" "),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row<'a>(pairs: &'a [(&'a str, &'a str)]) -> Result<CatalogRow, Vec<FieldError>> {
        parse_row(
            |c| pairs.iter().find(|(k, _)| *k == c).map_or("", |(_, v)| *v),
            Currency::RUB,
        )
    }

    #[test]
    fn an_exported_row_reads_back_as_the_same_product() {
        let codes = ["4006381333931".to_owned(), "4607123000014".to_owned()];
        let fields = ExportRow {
            sku: "CH-50",
            name: "=Chanel, \"No 5\"",
            category: Some("Парфюмерия"),
            unit: Unit::Ml,
            vat: VatRate::NoVat,
            cost: Money::rub(9_100),
            price: Money::rub(1_250),
            barcodes: &codes,
        }
        .fields();
        let pairs: Vec<(&str, &str)> = COLUMNS
            .iter()
            .copied()
            .zip(fields.iter().map(String::as_str))
            .collect();
        let r = row(&pairs).unwrap();
        assert_eq!(
            (r.sku.as_str(), r.name.as_str()),
            ("CH-50", "=Chanel, \"No 5\"")
        );
        assert_eq!(
            (r.unit, r.vat, r.cost, r.price),
            (
                Unit::Ml,
                VatRate::NoVat,
                Money::rub(9_100),
                Money::rub(1_250)
            )
        );
        assert_eq!(r.barcodes.len(), 2);
        assert_eq!(r.category.as_deref(), Some("Парфюмерия"));
    }

    #[test]
    fn every_bad_field_is_named_and_limits_hold() {
        let long = "x".repeat(SKU_MAX + 1);
        let e = row(&[
            ("sku", &long),
            ("name", ""),
            ("unit", "kg"),
            ("vat", "18"),
            ("default_price", "-1"),
            ("barcodes", "123 123"),
        ])
        .unwrap_err();
        let cols: Vec<&str> = e.iter().map(|e| e.column).collect();
        assert_eq!(
            cols,
            ["sku", "name", "unit", "vat", "default_price", "barcodes"]
        );
        let ok = row(&[
            ("sku", "A"),
            ("name", "B"),
            ("unit", "pcs"),
            ("vat", "22"),
            ("default_price", "1"),
            ("barcodes", "4006381333931;4607123000014|4607123002520"),
        ])
        .unwrap();
        assert_eq!(
            (ok.cost, ok.barcodes.len(), ok.category),
            (Money::rub(0), 3, None)
        );
        assert_eq!(
            missing_columns(["SKU", "name", "price", "unit"]),
            ["vat", "default_price"]
        );
    }
}
