//! Human-readable output of results.

use pos_desktop::cart::Cart;
use pos_desktop::catalog::ProductView;
use shared_model::shift::ShiftReport;
use shared_model::{Locale, Money};

fn f(m: Money, l: Locale) -> String {
    m.format(l)
}

pub fn cart(c: &Cart, l: Locale) -> String {
    let mut out = String::new();
    if let Some(cu) = &c.customer {
        out.push_str(&format!(
            "Customer: {}{}\n",
            cu.name,
            cu.group
                .as_deref()
                .map(|g| format!(" ({g})"))
                .unwrap_or_default()
        ));
    }
    for (line, p) in c.lines.iter().zip(&c.priced.lines) {
        out.push_str(&format!(
            "{:>2}. {:<40} {:>8} {} × {:>12} = {:>14}",
            line.line_no,
            line.name,
            line.qty.format(l),
            line.unit.label(l),
            f(line.unit_price, l),
            f(p.total, l)
        ));
        if !p.discount().is_zero() {
            out.push_str(&format!("  (−{})", f(p.discount(), l)));
        }
        if let Some(m) = &line.mark {
            use shared_model::marking::permit::Outcome;
            let check = match m.check.outcome {
                Outcome::Permitted => "permit check passed",
                Outcome::NotRequired => "no check needed",
                Outcome::Unchecked => "UNCHECKED: no checker answered, head office is told",
            };
            out.push_str(&format!("\n    marked {}: {check}", m.code));
        }
        out.push('\n');
    }
    for (p, saving) in &c.priced.promotions {
        out.push_str(&format!("    {}: −{}\n", p.name, f(*saving, l)));
    }
    out.push_str(&format!("Total: {}", f(c.priced.total, l)));
    if !c.priced.discount.is_zero() {
        out.push_str(&format!("  (discount {})", f(c.priced.discount, l)));
    }
    if !c.payments.is_empty() {
        out.push_str(&format!(
            "\nPaid: {}  Due: {}  Change: {}",
            f(c.paid, l),
            f(c.due, l),
            f(c.change, l)
        ));
    }
    out
}

pub fn products(items: &[ProductView], l: Locale) -> String {
    if items.is_empty() {
        return "no products found".into();
    }
    items
        .iter()
        .map(|v| {
            let p = &v.product;
            format!(
                "{:<8} {:<15} {:<48} {:>12}/{:<3} stock {}",
                p.sku,
                if p.barcodes.is_empty() {
                    "-".to_owned()
                } else {
                    p.barcodes.join(",")
                },
                p.name,
                f(p.price, l),
                p.unit.label(l),
                v.stock.format(l)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn report(title: &str, r: &ShiftReport, l: Locale) -> String {
    let mut rows = vec![
        (format!("{title}, shift {}", r.shift_no), String::new()),
        (
            "Sales".into(),
            format!("{} ({} receipts)", f(r.sales, l), r.sales_count),
        ),
        ("  gross before discounts".into(), f(r.gross_sales, l)),
        ("  discounts".into(), f(r.discounts, l)),
        (
            "Returns".into(),
            format!("{} ({} receipts)", f(r.returns, l), r.returns_count),
        ),
        ("Net sales".into(), f(r.net_sales, l)),
        ("  cash sales".into(), f(r.cash_sales, l)),
        ("  card sales".into(), f(r.card_sales, l)),
        ("  cash refunds".into(), f(r.cash_refunds, l)),
        ("  card refunds".into(), f(r.card_refunds, l)),
        (
            "  certificate sales".into(),
            r.certificate_sales.map(|m| f(m, l)).unwrap_or_default(),
        ),
        (
            "  certificate refunds".into(),
            r.certificate_refunds.map(|m| f(m, l)).unwrap_or_default(),
        ),
        ("Float".into(), f(r.float, l)),
        ("Cash in".into(), f(r.cash_in, l)),
        ("Cash out".into(), f(r.cash_out, l)),
        ("Expected cash".into(), f(r.expected_cash, l)),
    ];
    if let (Some(c), Some(d)) = (r.counted_cash, r.difference) {
        rows.push(("Counted cash".into(), f(c, l)));
        rows.push(("Difference".into(), f(d, l)));
    }
    for v in &r.vat {
        rows.push((
            format!("{} on {}", v.rate.label(l), f(v.base, l)),
            f(v.vat, l),
        ));
    }
    rows.push(("Voided sales".into(), r.voids_count.to_string()));
    if let Some(check) = &r.register {
        rows.push(("Fiscal register".into(), String::new()));
        if let Some(e) = &check.error {
            rows.push((format!("  {e}"), String::new()));
        }
        for fig in &check.figures {
            let mark = if fig.agrees() { "=" } else { "≠" };
            rows.push((
                format!("  {} (till {mark} register)", fig.what),
                format!("{} / {}", f(fig.till, l), f(fig.register, l)),
            ));
        }
    }
    rows.iter()
        .map(|(k, v)| format!("{k:<32}{v:>20}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The register's status line(s).
pub fn register(v: &pos_desktop::fiscal::RegisterView) -> String {
    if !v.fiscal {
        return "No fiscal register: receipts are not fiscal documents (demo or non-fiscal store)"
            .into();
    }
    if let Some(o) = &v.outage {
        return format!(
            "Register declared out of order since {} by {}: {}\n{} document(s) await correction receipts",
            o.since, o.declared_by, o.reason, v.deferred
        );
    }
    let mut out = match (&v.status, &v.error) {
        (Some(s), _) => format!(
            "Register {} · shift {} ({:?}) · FN {} · {} unsent to the OFD",
            s.model, s.shift_no, s.shift, s.fn_serial, s.unsent
        ),
        (None, Some(e)) => format!("Register: {e}"),
        (None, None) => "Register: no answer".into(),
    };
    if let Some(m) = v.shift_minutes_left.filter(|m| *m > 0) {
        out.push_str(&format!(" · Z due in {} h {} min", m / 60, m % 60));
    }
    if let Some(h) = &v.health {
        for w in &h.warnings {
            out.push_str(&format!("\nwarning: {w:?}"));
        }
        if let Some(b) = &h.block {
            out.push_str(&format!("\nsales stopped: {b:?}"));
        }
    }
    if v.pending > 0 {
        out.push_str(&format!(
            "\n{} document(s) await their fiscal receipt",
            v.pending
        ));
    }
    out
}
