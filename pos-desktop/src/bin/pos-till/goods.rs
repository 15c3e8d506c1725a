//! `pos-till` commands about goods: the catalog, stock, returns and customers.

use pos_desktop::returns::RefundTo;
use pos_desktop::{Till, TillError};
use serde_json::json;

use crate::args::*;
use crate::{human, out, Out};

/// `catalog search|show|import`.
pub(crate) fn catalog(till: &mut Till, c: CatalogCmd) -> Result<Out, TillError> {
    let l = till.locale();
    match c {
        CatalogCmd::Search { text, limit } => {
            let found = till.search(&text.join(" "), limit)?;
            out(&found, human::products(&found, l))
        }
        CatalogCmd::Show { code } => {
            let p = till.find_product(&code)?;
            let view = pos_desktop::catalog::ProductView {
                stock: till.stock_of(p.id)?,
                product: p,
            };
            out(&view, human::products(std::slice::from_ref(&view), l))
        }
        CatalogCmd::Import { file } => {
            let r = till.import_csv(std::fs::File::open(&file)?)?;
            out(
                &r,
                format!("Imported: {} new, {} updated", r.created, r.updated),
            )
        }
    }
}

/// `stock show|adjust`.
pub(crate) fn stock(till: &mut Till, c: StockCmd) -> Result<Out, TillError> {
    let l = till.locale();
    match c {
        StockCmd::Show { code } => {
            let p = till.find_product(&code)?;
            let q = till.stock_of(p.id)?;
            out(
                &json!({"sku": p.sku, "stock": q}),
                format!("{} {}: {} {}", p.sku, p.name, q.format(l), p.unit.label(l)),
            )
        }
        StockCmd::Adjust { code, qty, reason } => {
            let m = till.adjust_stock(&code, &qty, &reason)?;
            out(
                &m,
                format!("Stock of {} changed by {}", m.sku, m.qty.format(l)),
            )
        }
    }
}

/// `customer find|add`.
pub(crate) fn customer(till: &mut Till, c: CustomerCmd) -> Result<Out, TillError> {
    match c {
        CustomerCmd::Find { phone_or_card } => {
            let c = till.find_customer(&phone_or_card)?;
            let text = customer_line(&c);
            out(&c, text)
        }
        CustomerCmd::Add {
            name,
            phone,
            card,
            group,
        } => {
            let c =
                till.register_customer(&name, phone.as_deref(), card.as_deref(), group.as_deref())?;
            let text = format!("Registered {}", customer_line(&c));
            out(&c, text)
        }
    }
}

/// `return N`: the whole receipt, named lines (or what is left of them), or marked units.
pub(crate) fn return_goods(till: &mut Till, a: ReturnArgs) -> Result<Out, TillError> {
    let l = till.locale();
    let refund = match a.refund {
        Refund::Cash => RefundTo::Cash,
        Refund::Original => RefundTo::Original,
    };
    let qtys: Vec<String> = if a.qty.is_empty() {
        Vec::new()
    } else {
        a.qty.clone()
    };
    if !qtys.is_empty() && qtys.len() != a.line.len() {
        return Err(TillError::InvalidInput(
            "give one --qty for each --line".into(),
        ));
    }
    let r = if !a.mark.is_empty() {
        if !a.line.is_empty() {
            return Err(TillError::InvalidInput(
                "give the marked units by --mark or the lines by --line, not both".into(),
            ));
        }
        let lines = a
            .mark
            .iter()
            .map(|m| till.sale_line_of_mark(a.receipt_no, m))
            .collect::<Result<Vec<u32>, _>>()?;
        let sel: Vec<(u32, &str)> = lines.iter().map(|n| (*n, "1")).collect();
        till.return_goods(a.receipt_no, Some(&sel), refund, a.reason.as_deref())?
    } else if a.line.is_empty() {
        till.return_goods(a.receipt_no, None, refund, a.reason.as_deref())?
    } else if qtys.is_empty() {
        // What is left of each named line.
        till.return_rest(a.receipt_no, &a.line, refund, a.reason.as_deref())?
    } else {
        let sel: Vec<(u32, &str)> = a
            .line
            .iter()
            .copied()
            .zip(qtys.iter().map(String::as_str))
            .collect();
        till.return_goods(a.receipt_no, Some(&sel), refund, a.reason.as_deref())?
    };
    let text = format!(
        "Return receipt {} — refund {}\n\n{}",
        r.link.receipt_no,
        r.doc.total.format(l),
        till.return_receipt_text(&r)?
    );
    out(&r, text)
}

/// One customer on one line.
fn customer_line(c: &shared_model::events::CustomerDoc) -> String {
    format!(
        "{} — phone {}, card {}, group {}",
        c.name,
        c.phone.as_deref().unwrap_or("-"),
        c.card_no.as_deref().unwrap_or("-"),
        c.group.as_deref().unwrap_or("-")
    )
}

/// `receipt N`: a receipt's text, and its ESC/POS bytes to a file or device if asked.
pub(crate) fn receipt(
    till: &mut Till,
    receipt_no: u64,
    escpos: Option<std::path::PathBuf>,
) -> Result<Out, TillError> {
    use std::io::Write;
    let text = till.receipt_text(receipt_no)?;
    if let Some(path) = escpos {
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)?
            .write_all(&pos_desktop::receipt::escpos(&text))?;
    }
    out(
        &json!({"receipt_no": receipt_no, "text": text}),
        text.clone(),
    )
}

/// `certificate CODE`: what a gift certificate holds, here and at head office.
pub(crate) fn certificate(till: &mut Till, code: &str) -> Result<Out, TillError> {
    let l = till.locale();
    let c = till.certificate(code)?;
    let text = format!(
                "Gift certificate {}: {}, {} left of {} (head office: {}, pending here: {}), valid until {}",
                c.code,
                c.status.code(),
                c.available.format(l),
                c.nominal.format(l),
                c.balance.format(l),
                c.pending.format(l),
                c.expires_on.format("%d.%m.%Y")
            );
    out(&c, text)
}
