//! `pos-till` commands about devices and head office: the register, marking checkers,
//! enrollment and sync.

use pos_desktop::{Till, TillError};
use serde_json::json;

use crate::args::*;
use crate::{human, out, Out};

/// `register set|status|retry|outage|restored|compare`.
pub(crate) fn register(till: &mut Till, c: RegisterCmd) -> Result<Out, TillError> {
    let l = till.locale();
    match c {
        RegisterCmd::Set {
            url,
            timeout_ms,
            taxation,
        } => {
            let url = Some(url.as_str()).filter(|u| *u != "none");
            till.set_fiscal_register(url)?;
            if let Some(ms) = timeout_ms {
                till.set_fiscal_timeout_ms(ms)?;
            }
            if let Some(t) = taxation {
                till.set_taxation(shared_model::fiscal::Taxation::parse(&t)?)?;
            }
            let v = till.register_view()?;
            out(&v, human::register(&v))
        }
        RegisterCmd::Status => {
            let v = till.register_view()?;
            out(&v, human::register(&v))
        }
        RegisterCmd::Retry => {
            till.settle_fiscal()?;
            let v = till.register_view()?;
            out(&v, human::register(&v))
        }
        RegisterCmd::Outage { reason } => {
            let o = till.declare_register_outage(&reason)?;
            let text = format!(
                "Register declared out of order by {} ({}); sales go on and get correction receipts once it is repaired",
                o.declared_by, o.reason
            );
            out(&o, text)
        }
        RegisterCmd::Restored => {
            let n = till.end_register_outage()?;
            let v = till.register_view()?;
            let text = format!(
                "{n} deferred document(s) sent to the register\n{}",
                human::register(&v)
            );
            out(&json!({"settled": n, "register": v}), text)
        }
        RegisterCmd::Compare => {
            let d = till.register_comparison()?;
            let text = match &d {
                None => "No fiscal register on this till".to_owned(),
                Some(d) if d.is_empty() => {
                    "The register's counters equal the till's figures".to_owned()
                }
                Some(d) => d
                    .iter()
                    .map(|x| {
                        format!(
                            "{}: till {}, register {}",
                            x.what,
                            x.till.format(l),
                            x.register.format(l)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
            };
            out(&d, text)
        }
    }
}

/// `marking groups|checkers`.
pub(crate) fn marking(till: &mut Till, c: MarkingCmd) -> Result<Out, TillError> {
    match c {
        MarkingCmd::Groups => {
            let g = till.marking_groups()?;
            let text = g
                .iter()
                .map(|g| {
                    format!(
                        "{} ({}): codes from {}, permit check {}, no answer: {}",
                        g.name,
                        g.code,
                        g.code_from,
                        g.permit_from
                            .map_or("not set".to_owned(), |d| format!("from {d}")),
                        g.no_answer.code()
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            out(&g, text)
        }
        MarkingCmd::Checkers {
            online,
            local,
            timeout_ms,
        } => {
            let keep = till.marking_checkers()?;
            let pick = |new: Option<String>, old: Option<String>| match new.as_deref() {
                Some("none") => None,
                Some(_) => new,
                None => old,
            };
            let online = pick(online, keep.online);
            let local = pick(local, keep.local);
            till.set_marking_checkers(online.as_deref(), local.as_deref(), timeout_ms)?;
            let s = till.marking_checkers()?;
            let text = format!(
                "Online: {}\nLocal module: {}\nTime box: {} ms each",
                s.online.as_deref().unwrap_or("none"),
                s.local.as_deref().unwrap_or("none"),
                s.timeout_ms
            );
            out(&s, text)
        }
    }
}

/// `enroll`: joins head office with an enrollment code.
pub(crate) fn enroll(
    till: &mut Till,
    server: &str,
    code: &str,
    insecure_http: bool,
) -> Result<Out, TillError> {
    if insecure_http {
        eprintln!("warning: plain http allowed: the till's secret crosses the network in clear");
    }
    let e = till.enroll_with(server, code, insecure_http)?;
    out(
        &json!({"terminal_id": e.terminal_id, "location_id": e.location_id, "epoch": e.epoch}),
        format!(
            "Enrolled as terminal {} of store {}",
            e.terminal_id, e.location_id
        ),
    )
}

/// `outbox`: what waits to go to head office.
pub(crate) fn outbox(till: &mut Till) -> Result<Out, TillError> {
    let s = till.outbox_status()?;
    out(
        &s,
        format!(
            "{} events waiting to sync (last sequence number {})",
            s.pending, s.last_seq
        ),
    )
}

/// `verify`: integrity, whole sales, gapless numbers and the receipt hash chain.
pub(crate) fn verify(till: &mut Till) -> Result<Out, TillError> {
    let v = till.verify()?;
    let text = if v.ok {
        format!("OK: {} receipts, {} events; integrity, whole sales, gapless numbers and hash chain verified", v.receipts, v.events)
    } else {
        format!("PROBLEMS FOUND:\n{}", v.problems.join("\n"))
    };
    if v.ok {
        out(&v, text)
    } else {
        Err(TillError::Corrupt(text))
    }
}
