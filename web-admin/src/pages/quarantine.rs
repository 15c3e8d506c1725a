//! Receipts held back by head office's money checks: what each claims, what the checks
//! found, and accept (its effects apply now) or reject, with a reason for the audit log.

use serde_json::json;
use shared_model::Money;
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::types::{HeldReceipt, Page};
use crate::widgets::{setter, spawn, use_ctx, use_fetch, ErrorBanner, Field};

/// The held receipts of the admin's tills, oldest first.
#[function_component(HeldReceipts)]
pub fn held_receipts() -> Html {
    let ctx = use_ctx();
    let reload = use_state(|| 0u32);
    let note = use_state(String::new);
    let error = use_state(|| None::<ApiError>);
    let (fetched, load_error) =
        use_fetch::<Page<HeldReceipt>>("/sync/quarantine?per_page=200".into(), *reload);
    let held = fetched.map(|p| p.items).unwrap_or_default();
    if held.is_empty() {
        return html! {};
    }
    let act = |h: &HeldReceipt, what: &'static str| {
        let (id, note, error, reload) = (h.event_id, note.clone(), error.clone(), reload.clone());
        Callback::from(move |_| {
            let (note, error, reload) = (note.clone(), error.clone(), reload.clone());
            spawn(async move {
                let path = format!("/sync/quarantine/{id}/{what}");
                let body = json!({"note": note.trim()});
                match api::post::<_, serde_json::Value>(&path, &body).await {
                    Ok(_) => {
                        note.set(String::new());
                        error.set(None);
                        reload.set(*reload + 1);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let words = |codes: &[String]| {
        codes
            .iter()
            .map(|c| crate::i18n::value(ctx.lang, c.clone()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    html! {
        <section class="panel" data-testid="held-receipts">
            <h2>{ format!("{}: {}", ctx.t("held_receipts"), held.len()) }</h2>
            <p class="muted">{ ctx.t("held_explained") }</p>
            <ErrorBanner error={(*error).clone().or(load_error)} />
            <Field id="held-note" label={ctx.t("resolution_note")} value={(*note).clone()} oninput={setter(&note)} required=true />
            <table>
                <thead><tr><th scope="col">{ ctx.t("store") }</th><th scope="col">{ ctx.t("kind") }</th>
                    <th scope="col" class="num">{ ctx.t("receipt_number") }</th><th scope="col" class="num">{ ctx.t("amount_claimed") }</th>
                    <th scope="col">{ ctx.t("problems") }</th><th></th></tr></thead>
                <tbody>{ for held.iter().map(|h| html! {
                    <tr data-testid={format!("held-{}", h.receipt_no)}>
                        <td>{ ctx.location_name(h.location_id) }</td>
                        <td>{ crate::i18n::value(ctx.lang, h.kind.clone()) }</td>
                        <td class="num">{ h.receipt_no }</td>
                        <td class="num">{ Money::rub(h.total_minor).format(ctx.lang) }</td>
                        <td>{ words(&h.problems) }</td>
                        <td>
                            if h.acceptable {
                                <button data-testid={format!("held-accept-{}", h.receipt_no)} onclick={act(h, "accept")}>{ ctx.t("accept_held") }</button>
                            }
                            <button class="danger" data-testid={format!("held-reject-{}", h.receipt_no)} onclick={act(h, "reject")}>{ ctx.t("reject_held") }</button>
                        </td>
                    </tr>
                }) }</tbody>
            </table>
        </section>
    }
}
