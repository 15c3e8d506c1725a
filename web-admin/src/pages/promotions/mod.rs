//! Promotions: the list, and an editor for every kind the engine knows with a live
//! preview on a sample cart, priced in the browser by the tills' own function
//! (`shared_model::sale_pricing::price_sale` compiled to wasm) as the manager types.

use yew::prelude::*;

use crate::api::ApiError;
use crate::types::{Page, PromotionView};
use crate::widgets::{use_ctx, use_fetch, ErrorBanner};

mod editor;
mod form;
mod preview;
#[cfg(test)]
mod tests;

pub use editor::Editor;
use form::kind_key;
pub use form::Form;
pub use preview::{price_sample, Preview, PricedRow};

/// The promotions page: list and editor.
#[function_component(Promotions)]
pub fn promotions() -> Html {
    let ctx = use_ctx();
    let editing = use_state(|| None::<Option<PromotionView>>);
    let error = use_state(|| None::<ApiError>);
    let reload = use_state(|| 0u32);
    let (fetched, load_error) =
        use_fetch::<Page<PromotionView>>("/promotions?per_page=200".into(), *reload);
    let list = fetched.map(|p| p.items).unwrap_or_default();
    let new = {
        let e = editing.clone();
        Callback::from(move |_| e.set(Some(None)))
    };
    let saved = {
        let (e, r) = (editing.clone(), reload.clone());
        Callback::from(move |p: PromotionView| {
            e.set(Some(Some(p)));
            r.set(*r + 1);
        })
    };
    html! {
        <section>
            <h1>{ ctx.t("nav_promotions") }</h1>
            <button class="primary" onclick={new} data-testid="promo-new">{ ctx.t("new_promotion") }</button>
            <ErrorBanner error={(*error).clone().or(load_error)} />
            if let Some(p) = &*editing {
                <Editor key={p.as_ref().map(|x| format!("{}-{}", x.id, x.version)).unwrap_or_default()}
                    promotion={p.clone()} on_saved={saved} on_close={{ let e = editing.clone(); Callback::from(move |_| e.set(None)) }} />
            }
            <table data-testid="promotions">
                <thead><tr><th scope="col">{ ctx.t("name") }</th><th scope="col">{ ctx.t("kind") }</th><th scope="col">{ ctx.t("priority") }</th>
                    <th scope="col">{ ctx.t("coupon") }</th><th scope="col">{ ctx.t("status") }</th><th></th></tr></thead>
                <tbody>{ for list.iter().map(|p| {
                    let edit = { let (e, p) = (editing.clone(), p.clone()); Callback::from(move |_| e.set(Some(Some(p.clone())))) };
                    html! { <tr>
                        <td>{ &p.def.name }</td><td>{ ctx.t(kind_key(&p.def.kind)) }</td><td>{ p.def.priority }</td>
                        <td>{ p.def.conditions.coupon.clone().unwrap_or_default() }</td>
                        <td>{ ctx.t(if p.def.active { "active" } else { "inactive" }) }</td>
                        <td><button onclick={edit}>{ ctx.t("edit") }</button></td>
                    </tr> }
                }) }</tbody>
            </table>
        </section>
    }
}
