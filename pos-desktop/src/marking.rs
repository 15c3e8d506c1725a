//! Marked goods on the till: head office's marking groups, the checkers a till asks, and
//! what a scanned code must pass before its unit joins the sale — one code per unit, never
//! twice in a sale, never one this till sold and did not take back, and the permit check
//! with its group's rule when no checker answers.

pub mod checker;

use std::time::Duration;

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction};
use serde::Serialize;
use shared_model::marking::permit::{decide, MarkCheck, MarkingGroup, NoAnswer, SoldMark};
use shared_model::marking::MarkingCode;
use shared_model::Capability;

use crate::catalog::Product;
use crate::{db, error::Result, Till, TillError};
use checker::{first_verdict, Local, MarkChecker, Online};

/// How long one checker may take by default before the next is asked (ms).
const DEFAULT_TIMEOUT_MS: u64 = 1500;

/// Stores a group as head office sent it.
pub(crate) fn apply_group(tx: &Transaction<'_>, g: &MarkingGroup) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO marking_groups (code, name, code_from, permit_from, no_answer) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, code_from = excluded.code_from,
            permit_from = excluded.permit_from, no_answer = excluded.no_answer",
    )?
    .execute((
        &g.code,
        &g.name,
        g.code_from.to_string(),
        g.permit_from.map(|d| d.to_string()),
        g.no_answer.code(),
    ))?;
    Ok(())
}

fn date(s: &str) -> Result<NaiveDate> {
    s.parse()
        .map_err(|_| TillError::Data(format!("bad date {s:?}")))
}

fn group(conn: &Connection, code: &str) -> Result<Option<MarkingGroup>> {
    type Row = (String, String, Option<String>, String);
    let row: Option<Row> = conn
        .prepare_cached(
            "SELECT name, code_from, permit_from, no_answer FROM marking_groups WHERE code = ?1",
        )?
        .query_row([code], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    let Some((name, from, permit, no_answer)) = row else {
        return Ok(None);
    };
    Ok(Some(MarkingGroup {
        code: code.to_owned(),
        name,
        code_from: date(&from)?,
        permit_from: permit.as_deref().map(date).transpose()?,
        no_answer: NoAnswer::parse(&no_answer)
            .ok_or_else(|| TillError::Data(format!("bad no_answer {no_answer:?}")))?,
    }))
}

/// Whether this till sold the unit and did not take it back.
pub(crate) fn sold_here(conn: &Connection, code: &MarkingCode) -> Result<bool> {
    let id = code.identity();
    let n: i64 = conn
        .prepare_cached(
            "SELECT (SELECT COUNT(*) FROM sale_lines WHERE mark_id = ?1)
                  - (SELECT COUNT(*) FROM return_lines WHERE mark_id = ?1)",
        )?
        .query_row([&id], |r| r.get(0))?;
    Ok(n > 0)
}

/// Whether a scan is meant as a marking code (a DataMatrix), not a barcode or SKU.
pub(crate) fn looks_like_mark(scan: &str) -> bool {
    let s = scan.trim();
    let body = s
        .trim_start_matches("]d2")
        .trim_start_matches("]D2")
        .trim_start_matches(shared_model::marking::GS);
    body.chars().count() >= 20 && body.starts_with("01")
}

/// The checkers as configured (online first, then the local module).
#[derive(Debug, Clone, Default, Serialize)]
pub struct CheckerSettings {
    /// The certified module's address (Честный ЗНАК online).
    pub online: Option<String>,
    /// The local module's address (ЛМ ЧЗ).
    pub local: Option<String>,
    /// How long each may take, ms.
    pub timeout_ms: u64,
}

impl Till {
    /// The marking groups head office sent, by code.
    pub fn marking_groups(&self) -> Result<Vec<MarkingGroup>> {
        let codes: Vec<String> = self
            .conn
            .prepare("SELECT code FROM marking_groups ORDER BY code")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        codes
            .iter()
            .filter_map(|c| group(&self.conn, c).transpose())
            .collect()
    }

    /// Where the till asks whether a unit may be sold.
    pub fn marking_checkers(&self) -> Result<CheckerSettings> {
        let timeout_ms = db::setting(&self.conn, "marking_timeout_ms")?
            .and_then(|t| t.parse().ok())
            .unwrap_or(DEFAULT_TIMEOUT_MS);
        Ok(CheckerSettings {
            online: db::setting(&self.conn, "marking_online_url")?,
            local: db::setting(&self.conn, "marking_local_url")?,
            timeout_ms,
        })
    }

    /// Sets the checkers' addresses (`None` removes one) and their time box.
    pub fn set_marking_checkers(
        &mut self,
        online: Option<&str>,
        local: Option<&str>,
        timeout_ms: Option<u64>,
    ) -> Result<()> {
        self.grant(Capability::Configure)?;
        for (key, url) in [("marking_online_url", online), ("marking_local_url", local)] {
            match url.map(str::trim).filter(|u| !u.is_empty()) {
                Some(u) if reqwest::Url::parse(u).is_err() => {
                    return Err(TillError::InvalidInput(format!("{u:?} is not an address")))
                }
                Some(u) => db::set_setting(&self.conn, key, u)?,
                None => {
                    self.conn
                        .execute("DELETE FROM settings WHERE key = ?1", [key])?;
                }
            }
        }
        if let Some(ms) = timeout_ms {
            if !(100..=10_000).contains(&ms) {
                return Err(TillError::InvalidInput(
                    "the check's time box is 100 to 10000 ms".into(),
                ));
            }
            db::set_setting(&self.conn, "marking_timeout_ms", &ms.to_string())?;
        }
        Ok(())
    }

    fn checkers(&self) -> Result<Vec<Box<dyn MarkChecker>>> {
        let s = self.marking_checkers()?;
        let t = Duration::from_millis(s.timeout_ms);
        let mut out: Vec<Box<dyn MarkChecker>> = Vec::new();
        if let Some(u) = s.online {
            out.push(Box::new(Online::new(&u, t)));
        }
        if let Some(u) = s.local {
            out.push(Box::new(Local::new(&u, t)));
        }
        Ok(out)
    }

    /// A product scanned by its barcode or SKU whose group is sold by code today: the
    /// cashier is asked for the unit's DataMatrix instead.
    pub(crate) fn require_no_mark(&self, product: &Product) -> Result<()> {
        let Some(code) = &product.marking_group else {
            return Ok(());
        };
        let today = chrono::Local::now().date_naive();
        if group(&self.conn, code)?.is_some_and(|g| g.code_required(today)) {
            return Err(TillError::MarkRequired(product.name.clone()));
        }
        Ok(())
    }

    /// What a scanned unit must pass to join the sale: not in the sale already, not sold
    /// here and not taken back, and its permit check (or its group's rule without one).
    pub(crate) fn admit_mark(&self, product: &Product, code: &MarkingCode) -> Result<SoldMark> {
        let in_cart: bool = self
            .conn
            .prepare_cached(
                // In this sale or in a parked one: the unit is in one of them.
                "SELECT EXISTS (SELECT 1 FROM cart_lines WHERE mark_id = ?1)",
            )?
            .query_row([code.identity()], |r| r.get(0))?;
        if in_cart {
            return Err(TillError::MarkRepeated(product.name.clone()));
        }
        if sold_here(&self.conn, code)? {
            return Err(TillError::MarkSoldHere(product.name.clone()));
        }
        let today = chrono::Local::now().date_naive();
        let group = match &product.marking_group {
            Some(g) => group(&self.conn, g)?,
            None => None,
        };
        let check = match group {
            // A unit with a code whose product head office has not put in a group: its
            // code goes on the receipt, with no check to make.
            None => MarkCheck::not_required(),
            Some(g) if !g.permit_required(today) => MarkCheck::not_required(),
            Some(g) => {
                // Why each checker gave no verdict is not the cashier's business: the
                // group's rule decides, and the line shows it was sold unchecked.
                let (verdict, _why) = first_verdict(&self.checkers()?, code);
                decide(&g, today, verdict.as_ref()).map_err(|r| TillError::MarkRefused {
                    product: product.name.clone(),
                    refusal: r,
                })?
            }
        };
        Ok(SoldMark {
            code: code.clone(),
            check,
        })
    }

    /// The line of sale `receipt_no` that sold the unit with this code, not yet returned.
    pub fn sale_line_of_mark(&self, receipt_no: u64, scan: &str) -> Result<u32> {
        let code = MarkingCode::parse(scan)?;
        let line: Option<u32> = self
            .conn
            .prepare_cached(
                "SELECT l.line_no FROM sale_lines l JOIN sales s ON s.id = l.sale_id
                 WHERE s.receipt_no = ?1 AND l.mark_id = ?2
                   AND NOT EXISTS (SELECT 1 FROM return_lines r WHERE r.sale_id = l.sale_id
                                   AND r.sale_line_no = l.line_no)",
            )?
            .query_row((receipt_no as i64, code.identity()), |r| r.get(0))
            .optional()?;
        line.ok_or(TillError::MarkNotInSale(receipt_no))
    }
}
