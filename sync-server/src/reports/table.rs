//! A report is a table: named columns and typed cells. One shape for every report keeps
//! JSON and CSV the same figures, and lets the web admin draw any of them.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde_json::{Map, Value};
use shared_model::{Money, Quantity};

/// A cell of a report.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text (names, codes, ids).
    Text(String),
    /// A count.
    Int(i64),
    /// Money in minor units (roubles and kopecks when shown).
    Money(i64),
    /// A quantity in thousandths.
    Qty(i64),
    /// A store-local date.
    Date(NaiveDate),
    /// Nothing (e.g. an average of no receipts).
    Null,
}

impl Cell {
    /// What kind of value it is, for a client to format (`null` for nothing).
    fn kind(&self) -> Option<&'static str> {
        Some(match self {
            Cell::Text(_) => "text",
            Cell::Int(_) => "int",
            Cell::Money(_) => "money",
            Cell::Qty(_) => "qty",
            Cell::Date(_) => "date",
            Cell::Null => return None,
        })
    }

    fn to_json(&self) -> Value {
        match self {
            Cell::Text(s) => Value::String(s.clone()),
            Cell::Int(n) => Value::from(*n),
            Cell::Money(m) => Value::String(Money::rub(*m).to_decimal_string()),
            Cell::Qty(q) => Value::String(Quantity::from_milli(*q).to_string()),
            Cell::Date(d) => Value::String(d.to_string()),
            Cell::Null => Value::Null,
        }
    }

    fn to_csv(&self) -> String {
        match self.to_json() {
            Value::String(s) => csv_field(&s),
            Value::Null => String::new(),
            v => v.to_string(),
        }
    }
}

/// Quotes a CSV field when it needs it (RFC 4180); a leading `=`, `+`, `-` or `@` on
/// text is neutralised so a spreadsheet never runs a product name as a formula.
pub(crate) fn csv_field(s: &str) -> String {
    let risky = s.starts_with(['=', '+', '@']) || (s.starts_with('-') && s.parse::<f64>().is_err());
    let s = if risky { format!("'{s}") } else { s.to_owned() };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// A report's rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Column names (snake_case, stable: clients and CSV headers use them).
    pub columns: Vec<&'static str>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// An empty table with these columns.
    pub fn new(columns: &[&'static str]) -> Table {
        Table {
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    /// `{"columns": [...], "kinds": {column: kind}, "rows": [{column: value}]}`; money
    /// and quantities as exact decimal strings, and each column's kind (`money`, `qty`,
    /// `int`, `date`, `text`) so a client formats a figure for its reader without
    /// guessing from the string.
    pub fn to_json(&self) -> Value {
        let kinds: Map<String, Value> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let kind = self
                    .rows
                    .iter()
                    .find_map(|r| r.get(i).and_then(Cell::kind))
                    .unwrap_or("text");
                ((*c).to_owned(), Value::from(kind))
            })
            .collect();
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|r| {
                let m: Map<String, Value> = self
                    .columns
                    .iter()
                    .zip(r)
                    .map(|(c, v)| ((*c).to_owned(), v.to_json()))
                    .collect();
                Value::Object(m)
            })
            .collect();
        serde_json::json!({"columns": self.columns, "kinds": kinds, "rows": rows})
    }

    /// CSV with a header line, CRLF line ends, UTF-8 with a BOM (Excel reads Cyrillic).
    pub fn to_csv(&self) -> String {
        let mut out = String::from("\u{feff}");
        out.push_str(&self.columns.join(","));
        out.push_str("\r\n");
        for r in &self.rows {
            let line: Vec<String> = r.iter().map(Cell::to_csv).collect();
            out.push_str(&line.join(","));
            out.push_str("\r\n");
        }
        out
    }

    /// The CSV as a download named `name.csv`, with its length known up front so a
    /// browser shows download progress.
    pub fn csv_response(&self, name: &str) -> Response {
        let body = self.to_csv();
        (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}.csv\""),
                ),
                (header::CONTENT_LENGTH, body.len().to_string()),
            ],
            body,
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn csv_quotes_what_it_must_and_defuses_formulas() {
        assert_eq!(csv_field("Chanel, 50 мл"), "\"Chanel, 50 мл\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_field("-12.50"), "-12.50");
        let mut t = Table::new(&["day", "sales", "qty"]);
        t.rows.push(vec![
            Cell::Date(NaiveDate::from_ymd_opt(2026, 1, 2).expect("date")),
            Cell::Money(-1050),
            Cell::Qty(2500),
        ]);
        assert_eq!(
            t.to_csv(),
            "\u{feff}day,sales,qty\r\n2026-01-02,-10.50,2.5\r\n"
        );
        assert_eq!(t.to_json()["rows"][0]["sales"], "-10.50");
        let kinds = &t.to_json()["kinds"];
        assert_eq!(
            (&kinds["day"], &kinds["sales"], &kinds["qty"]),
            (&json!("date"), &json!("money"), &json!("qty"))
        );
    }
}
