//! Receipts: plain text for 80 mm paper (48 columns) and ESC/POS bytes (CP866 Cyrillic).

use chrono::{DateTime, Local, Utc};
use shared_model::certificates::CertificateCode;
use shared_model::chain::ReceiptLink;
use shared_model::events::{PaymentDoc, ReturnDoc, SaleDoc};
use shared_model::{Locale, Money, Tender};

use crate::{error::Result, returns::CompletedReturn, sale::CompletedSale, Till};

/// Characters per line on 80 mm paper with the standard font.
pub const WIDTH: usize = 48;

/// The receipt's words: key, Russian, English.
const WORDS: &[(&str, &str, &str)] = &[
    ("sale", "КАССОВЫЙ ЧЕК", "SALE RECEIPT"),
    ("return", "ЧЕК ВОЗВРАТА", "RETURN RECEIPT"),
    ("no", "№", "No."),
    ("for_receipt", "к чеку №", "for receipt No."),
    ("cashier", "Кассир", "Cashier"),
    ("terminal", "Касса", "Till"),
    ("discount", "Скидка", "Discount"),
    ("total", "ИТОГО", "TOTAL"),
    ("refund", "К ВОЗВРАТУ", "REFUND"),
    ("cash", "Наличные", "Cash"),
    ("card", "Карта", "Card"),
    ("certificate", "Сертификат", "Gift certificate"),
    ("promotions", "в т.ч. по акциям:", "of which promotions:"),
    ("approval", "код авт.", "approval"),
    ("change", "Сдача", "Change"),
    ("incl", "в т.ч.", "incl."),
    ("reason", "Причина", "Reason"),
    ("thanks", "Спасибо за покупку!", "Thank you!"),
];

/// A receipt word in the till's language (an unknown key prints nothing).
fn t(locale: Locale, key: &str) -> &'static str {
    WORDS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map_or("", |(_, ru, en)| if locale == Locale::Ru { ru } else { en })
}

/// Who and where, for the receipt header.
#[derive(Debug, Clone)]
pub struct ReceiptHeader {
    /// Store name.
    pub store: String,
    /// Terminal id (short form printed).
    pub terminal: String,
    /// Cashier's name.
    pub cashier: String,
    /// What the slip says of the fiscal receipt: not a fiscal document (no register),
    /// the register's document number and sign, or that it is still awaited.
    pub fiscal: Option<crate::fiscal::FiscalState>,
}

/// The slip's fiscal line(s).
fn fiscal_lines(out: &mut String, fiscal: &crate::fiscal::FiscalState, locale: Locale) {
    use crate::fiscal::FiscalState;
    let ru = locale == Locale::Ru;
    match fiscal {
        FiscalState::NonFiscal => center(
            out,
            if ru {
                "НЕ ЯВЛЯЕТСЯ ФИСКАЛЬНЫМ ДОКУМЕНТОМ"
            } else {
                "NOT A FISCAL DOCUMENT"
            },
        ),
        FiscalState::Done { doc } => {
            two_cols(
                out,
                &format!("{} {}", if ru { "ФД" } else { "FD" }, doc.number),
                &format!("{} {}", if ru { "ФП" } else { "FS" }, doc.sign),
            );
            two_cols(
                out,
                &format!("{} {}", if ru { "ФН" } else { "FN" }, doc.fn_serial),
                &format!(
                    "{} {}/{}",
                    if ru {
                        "Смена/чек"
                    } else {
                        "Shift/receipt"
                    },
                    doc.shift_no,
                    doc.receipt_no
                ),
            );
        }
        FiscalState::Pending { .. } => center(
            out,
            if ru {
                "ФИСКАЛЬНЫЙ ЧЕК ОЖИДАЕТСЯ"
            } else {
                "FISCAL RECEIPT PENDING"
            },
        ),
        FiscalState::Deferred => {
            center(
                out,
                if ru {
                    "НЕ ЯВЛЯЕТСЯ ФИСКАЛЬНЫМ ДОКУМЕНТОМ"
                } else {
                    "NOT A FISCAL DOCUMENT"
                },
            );
            center(
                out,
                if ru {
                    "ККТ неисправна: будет чек коррекции"
                } else {
                    "Register out of order: correction to follow"
                },
            );
        }
    }
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// `left` and `right` on one line, padded apart; a long left side wraps above.
fn two_cols(out: &mut String, left: &str, right: &str) {
    let (l, r) = (width(left), width(right));
    if l + r < WIDTH {
        out.push_str(&format!("{left}{}{right}\n", " ".repeat(WIDTH - l - r)));
    } else {
        wrap(out, left, "");
        out.push_str(&format!("{}{right}\n", " ".repeat(WIDTH.saturating_sub(r))));
    }
}

fn wrap(out: &mut String, text: &str, indent: &str) {
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && width(&line) + 1 + width(word) > WIDTH {
            out.push_str(&line);
            out.push('\n');
            line = indent.to_owned();
        } else if !line.is_empty() && line != indent {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(&line);
        out.push('\n');
    }
}

fn center(out: &mut String, text: &str) {
    let pad = WIDTH.saturating_sub(width(text)) / 2;
    out.push_str(&format!("{}{text}\n", " ".repeat(pad)));
}

fn rule(out: &mut String) {
    out.push_str(&"-".repeat(WIDTH));
    out.push('\n');
}

fn local_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%d.%m.%Y %H:%M").to_string()
}

fn tender_label(p: &PaymentDoc, locale: Locale) -> String {
    match (p.tender, &p.approval_code) {
        (Tender::Card, Some(code)) => {
            format!("{} ({} {code})", t(locale, "card"), t(locale, "approval"))
        }
        (Tender::Card, None) => t(locale, "card").to_owned(),
        (Tender::Cash, _) => t(locale, "cash").to_owned(),
        (Tender::Certificate, _) => format!(
            "{} {}",
            t(locale, "certificate"),
            p.certificate
                .as_deref()
                .and_then(|c| CertificateCode::parse(c).ok())
                .map(|c| c.masked())
                .unwrap_or_default()
        ),
    }
}

fn header(
    out: &mut String,
    h: &ReceiptHeader,
    title: &str,
    link: &ReceiptLink,
    at: DateTime<Utc>,
    locale: Locale,
) {
    center(out, &h.store);
    center(out, title);
    two_cols(
        out,
        &format!("{} {}", t(locale, "no"), link.receipt_no),
        &local_time(at),
    );
    two_cols(
        out,
        &format!("{}: {}", t(locale, "cashier"), h.cashier),
        &format!("{} {}", t(locale, "terminal"), &h.terminal),
    );
    rule(out);
}

fn footer(out: &mut String, link: &ReceiptLink, h: &ReceiptHeader, locale: Locale) {
    rule(out);
    if let Some(f) = &h.fiscal {
        fiscal_lines(out, f, locale);
    }
    out.push_str(&format!("# {}\n", &link.hash[..16.min(link.hash.len())]));
    center(out, t(locale, "thanks"));
}

/// Renders a sale receipt as text.
pub fn sale_text(sale: &SaleDoc, link: &ReceiptLink, h: &ReceiptHeader, locale: Locale) -> String {
    let f = |m: Money| m.format(locale);
    let mut out = String::new();
    header(
        &mut out,
        h,
        t(locale, "sale"),
        link,
        sale.completed_at,
        locale,
    );
    for l in &sale.lines {
        wrap(&mut out, &format!("{}. {}", l.line_no, l.name), "   ");
        let qty = format!(
            "   {} {} × {}",
            l.qty.format(locale),
            l.unit.label(locale),
            f(l.unit_price)
        );
        two_cols(&mut out, &qty, &f(l.gross));
        if !l.discount.is_zero() {
            two_cols(
                &mut out,
                &format!("   {}", t(locale, "discount")),
                &format!("-{}", f(l.discount)),
            );
        }
    }
    rule(&mut out);
    if !sale.discount.is_zero() {
        two_cols(
            &mut out,
            t(locale, "discount"),
            &format!("-{}", f(sale.discount)),
        );
        if !sale.promotions.is_empty() {
            out.push_str(&format!("   {}\n", t(locale, "promotions")));
        }
        for p in &sale.promotions {
            two_cols(
                &mut out,
                &format!("   {}", p.name),
                &format!("-{}", f(p.amount)),
            );
        }
    }
    two_cols(&mut out, t(locale, "total"), &f(sale.total));
    for p in &sale.payments {
        two_cols(&mut out, &tender_label(p, locale), &f(p.amount));
    }
    if !sale.change.is_zero() {
        two_cols(&mut out, t(locale, "change"), &f(sale.change));
    }
    for v in &sale.vat {
        two_cols(
            &mut out,
            &format!("{} {}", t(locale, "incl"), v.rate.label(locale)),
            &f(v.vat),
        );
    }
    footer(&mut out, link, h, locale);
    out
}

/// Renders a return receipt as text.
pub fn return_text(
    ret: &ReturnDoc,
    link: &ReceiptLink,
    h: &ReceiptHeader,
    locale: Locale,
) -> String {
    let f = |m: Money| m.format(locale);
    let mut out = String::new();
    header(
        &mut out,
        h,
        t(locale, "return"),
        link,
        ret.completed_at,
        locale,
    );
    out.push_str(&format!(
        "{} {}\n",
        t(locale, "for_receipt"),
        ret.sale_receipt_no
    ));
    for l in &ret.lines {
        wrap(&mut out, &format!("{}. {}", l.sale_line_no, l.name), "   ");
        two_cols(
            &mut out,
            &format!("   {}", l.qty.format(locale)),
            &f(l.amount),
        );
    }
    rule(&mut out);
    two_cols(&mut out, t(locale, "refund"), &f(ret.total));
    for p in &ret.refunds {
        two_cols(&mut out, &tender_label(p, locale), &f(p.amount));
    }
    if let Some(r) = &ret.reason {
        wrap(&mut out, &format!("{}: {r}", t(locale, "reason")), "");
    }
    footer(&mut out, link, h, locale);
    out
}

/// Encodes text for an ESC/POS printer: initialise, select code page CP866 (n = 17),
/// the text, feed and a partial cut. `₽` is not in CP866 and prints as `р.`.
pub fn escpos(text: &str) -> Vec<u8> {
    let mut out = vec![0x1B, b'@', 0x1B, b't', 17];
    for ch in text.replace('₽', "р.").replace('×', "x").chars() {
        out.push(cp866(ch));
    }
    out.extend_from_slice(&[0x1B, b'd', 4, 0x1D, b'V', 66, 0]);
    out
}

fn cp866(ch: char) -> u8 {
    let c = ch as u32;
    match c {
        0x00..=0x7F => c as u8,
        0x410..=0x42F => (c - 0x410 + 0x80) as u8, // А–Я
        0x430..=0x43F => (c - 0x430 + 0xA0) as u8, // а–п
        0x440..=0x44F => (c - 0x440 + 0xE0) as u8, // р–я
        0x401 => 0xF0,                             // Ё
        0x451 => 0xF1,                             // ё
        0x2116 => 0xFC,                            // №
        0xA0 => b' ',
        _ => b'?',
    }
}

impl Till {
    fn receipt_header(&self, cashier_id: uuid::Uuid, doc_id: uuid::Uuid) -> Result<ReceiptHeader> {
        let cashier: String = self
            .conn
            .query_row(
                "SELECT name FROM cashiers WHERE id = ?1",
                [cashier_id.to_string()],
                |r| r.get(0),
            )
            .unwrap_or_default();
        Ok(ReceiptHeader {
            store: self.store_name()?,
            terminal: self.terminal_id.to_string()[..8].to_owned(),
            cashier,
            fiscal: Some(self.fiscal_state(doc_id)?),
        })
    }

    /// The text of a completed sale's receipt.
    pub fn sale_receipt_text(&self, sale: &CompletedSale) -> Result<String> {
        Ok(sale_text(
            &sale.doc,
            &sale.link,
            &self.receipt_header(sale.doc.cashier_id, sale.doc.sale_id)?,
            self.locale,
        ))
    }

    /// The text of a return receipt.
    pub fn return_receipt_text(&self, ret: &CompletedReturn) -> Result<String> {
        Ok(return_text(
            &ret.doc,
            &ret.link,
            &self.receipt_header(ret.doc.cashier_id, ret.doc.return_id)?,
            self.locale,
        ))
    }

    /// The text of any receipt (sale or return) by number, for reprints.
    pub fn receipt_text(&self, receipt_no: u64) -> Result<String> {
        let row: Option<(String, String)> =
            rusqlite::OptionalExtension::optional(self.conn.query_row(
                "SELECT kind, doc_id FROM receipts WHERE receipt_no = ?1",
                [receipt_no as i64],
                |r| Ok((r.get(0)?, r.get(1)?)),
            ))?;
        match row {
            Some((kind, id)) if kind == "sale" => {
                self.sale_receipt_text(&crate::sale::load_sale(&self.conn, &id, self.currency)?)
            }
            Some((_, id)) => self.return_receipt_text(&crate::returns::load_return(
                &self.conn,
                &id,
                self.currency,
            )?),
            None => Err(crate::TillError::NoSuchReceipt(receipt_no)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cp866_maps_cyrillic() {
        assert_eq!(cp866('А'), 0x80);
        assert_eq!(cp866('я'), 0xEF);
        assert_eq!(cp866('ё'), 0xF1);
        let bytes = escpos("Итого 1 ₽");
        assert!(bytes.starts_with(&[0x1B, b'@', 0x1B, b't', 17]));
        assert!(
            bytes.windows(2).any(|w| w == [b'\xE0', b'.']),
            "rouble sign printed as р."
        );
    }

    #[test]
    fn two_columns_fill_the_width() {
        let mut s = String::new();
        two_cols(&mut s, "ИТОГО", "1 234,50 ₽");
        assert_eq!(width(s.trim_end_matches('\n')), WIDTH);
    }
}
