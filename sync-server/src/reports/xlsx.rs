//! A report as an Excel workbook: one sheet, a bold frozen header, money with two decimals,
//! quantities with three, dates as dates, so the figures sum and sort as numbers.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};
use shared_model::{Money, Quantity};

use super::table::{Cell, Table};
use crate::error::{ApiError, ApiResult};

/// The workbook's bytes.
pub fn to_xlsx(t: &Table) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let qty = Format::new().set_num_format("#,##0.###");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let sheet = book.add_worksheet();
    for (c, name) in t.columns.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (r, row) in t.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            // A spreadsheet holds numbers as doubles; the exact decimal string is parsed,
            // so the file carries the shortest double that prints back as those digits.
            match cell {
                Cell::Text(s) => {
                    sheet.write_string(r, c, s)?;
                }
                Cell::Int(n) => {
                    sheet.write_number(r, c, *n as f64)?;
                }
                Cell::Money(m) => {
                    let v = number(&Money::rub(*m).to_decimal_string());
                    sheet.write_number_with_format(r, c, v, &money)?;
                }
                Cell::Qty(q) => {
                    let v = number(&Quantity::from_milli(*q).to_string());
                    sheet.write_number_with_format(r, c, v, &qty)?;
                }
                Cell::Date(d) => {
                    let day =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                    sheet.write_with_format(r, c, &day, &date)?;
                }
                Cell::Null => {}
            }
        }
    }
    sheet.autofit();
    book.save_to_buffer()
}

fn number(decimal: &str) -> f64 {
    decimal.parse().unwrap_or(f64::NAN)
}

/// The workbook as a download named `name.xlsx`, its length known up front.
pub fn response(t: &Table, name: &str) -> ApiResult<Response> {
    let body = to_xlsx(t).map_err(ApiError::internal)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.xlsx\""),
            ),
            (header::CONTENT_LENGTH, body.len().to_string()),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use chrono::NaiveDate;

    use super::*;

    fn part(book: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(book)).expect("a zip");
        let mut out = String::new();
        zip.by_name(name)
            .expect(name)
            .read_to_string(&mut out)
            .expect("utf-8");
        out
    }

    #[test]
    fn a_workbook_carries_numbers_as_numbers_and_text_as_text() {
        let mut t = Table::new(&["day", "name", "sales", "qty", "receipts", "avg"]);
        t.rows.push(vec![
            Cell::Date(NaiveDate::from_ymd_opt(2026, 1, 2).expect("date")),
            Cell::Text("Chanel, 50 мл".into()),
            Cell::Money(-1055),
            Cell::Qty(2500),
            Cell::Int(7),
            Cell::Null,
        ]);
        let book = to_xlsx(&t).expect("workbook");
        let sheet = part(&book, "xl/worksheets/sheet1.xml");
        // 2026-01-02 is day 46024 of Excel's calendar.
        for v in ["<v>46024</v>", "<v>-10.55</v>", "<v>2.5</v>", "<v>7</v>"] {
            assert!(sheet.contains(v), "{v} in {sheet}");
        }
        assert_eq!(sheet.matches("<row ").count(), 2, "a header and one row");
        let strings = part(&book, "xl/sharedStrings.xml");
        assert!(strings.contains("Chanel, 50 мл") && strings.contains("receipts"));
    }
}
