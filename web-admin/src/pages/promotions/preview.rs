//! The live preview: a sample cart priced in the browser with only the promotion being
//! edited, by the function tills price with, at the chosen store's local time.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use shared_model::sale_pricing::{price_sale, Floor, Occasion, SaleLine};
use shared_model::{Currency, Money, Quantity, Unit, VatRate};
use uuid::Uuid;
use yew::prelude::*;

use crate::api;
use crate::lines::{Line, Lines};
use crate::types::{LocationPrice, Product, PromotionDef};
use crate::widgets::{location_options, setter, spawn, use_ctx, Field, Select};

/// Props of [`Preview`].
#[derive(Properties, PartialEq)]
pub struct PreviewProps {
    /// The promotion as typed, when it is valid.
    pub draft: Option<(Uuid, PromotionDef)>,
}

/// A cart's line as the preview prices it.
#[derive(Debug, Clone, PartialEq)]
pub struct PricedRow {
    /// Product name.
    pub name: String,
    /// Before discounts.
    pub gross: Money,
    /// Discount from the promotion.
    pub discount: Money,
    /// To pay.
    pub total: Money,
}

/// Prices the sample cart with only this promotion, by the function tills price with.
pub fn price_sample(
    def: &PromotionDef,
    id: Uuid,
    store: Option<Uuid>,
    lines: &[(Product, Quantity, Money)],
    coupons: &[String],
    now: NaiveDateTime,
) -> Result<(Vec<PricedRow>, Money), String> {
    let sale_lines = lines
        .iter()
        .map(|(p, qty, price)| {
            Ok(SaleLine {
                product_id: p.id,
                category_id: p.category_id,
                unit_price: *price,
                qty: *qty,
                vat: VatRate::from_code(&p.vat)?,
                discount: None,
                floor: Floor::Cost(Money::parse(&p.cost, Currency::RUB)?),
            })
        })
        .collect::<Result<Vec<_>, shared_model::ModelError>>()
        .map_err(|e| e.to_string())?;
    let at = Occasion {
        store,
        now,
        coupons,
        customer_group: None,
    };
    let promo = def.promotion(id, 0);
    let priced = price_sale(
        Currency::RUB,
        &sale_lines,
        std::slice::from_ref(&promo),
        &at,
        None,
    )
    .map_err(|e| e.to_string())?;
    let rows = lines
        .iter()
        .zip(&priced.lines)
        .map(|((p, _, _), l)| PricedRow {
            name: p.name.clone(),
            gross: l.gross,
            discount: l.discount(),
            total: l.total,
        })
        .collect();
    Ok((rows, priced.total))
}

/// The sample cart and what the promotion does to it.
#[function_component(Preview)]
pub fn preview(p: &PreviewProps) -> Html {
    let ctx = use_ctx();
    let store = use_state(|| {
        ctx.stores()
            .first()
            .map(|s| s.id.to_string())
            .unwrap_or_default()
    });
    let lines = use_state(Vec::<Line>::new);
    let coupon = use_state(String::new);
    let prices = use_state(HashMap::<(Uuid, Uuid), Money>::new);
    {
        let prices = prices.clone();
        let ids: Vec<Uuid> = lines.iter().map(|l| l.product.id).collect();
        use_effect_with(ids, move |ids| {
            let ids = ids.clone();
            spawn(async move {
                let mut m = HashMap::new();
                for id in ids {
                    if let Ok(v) =
                        api::get::<Vec<LocationPrice>>(&format!("/products/{id}/prices")).await
                    {
                        for lp in v {
                            if let Ok(price) = Money::parse(&lp.price, Currency::RUB) {
                                m.insert((id, lp.location_id), price);
                            }
                        }
                    }
                }
                prices.set(m);
            });
        });
    }
    let store_id = Uuid::parse_str(&store).ok();
    let timezone = ctx
        .stores()
        .into_iter()
        .find(|s| Some(s.id) == store_id)
        .map(|s| s.timezone);
    let cart: Vec<(Product, Quantity, Money)> = lines
        .iter()
        .filter_map(|l| {
            let unit = Unit::parse(&l.product.unit).ok()?;
            let qty = Quantity::parse_for_sale(&l.qty, unit).ok()?;
            let price = store_id
                .and_then(|s| prices.get(&(l.product.id, s)).copied())
                .or_else(|| Money::parse(&l.product.default_price, Currency::RUB).ok())?;
            Some((l.product.clone(), qty, price))
        })
        .collect();
    let coupons: Vec<String> = (!coupon.trim().is_empty())
        .then(|| coupon.trim().to_owned())
        .into_iter()
        .collect();
    let result = p.draft.as_ref().map(|(id, d)| {
        price_sample(
            d,
            *id,
            store_id,
            &cart,
            &coupons,
            crate::clock::local_now(timezone.as_deref()),
        )
    });
    html! {
        <aside class="preview" data-testid="promo-preview" aria-live="polite">
            <h3>{ ctx.t("preview_title") }</h3>
            <Select id="preview-store" label={ctx.t("store")} value={(*store).clone()} options={location_options(&ctx, None, true)} onchange={setter(&store)} />
            <Field id="preview-coupon" label={ctx.t("coupon")} value={(*coupon).clone()} oninput={setter(&coupon)} />
            <Lines id="preview" lines={(*lines).clone()} onchange={{ let l = lines.clone(); Callback::from(move |v| l.set(v)) }} />
            { match result {
                None => html! { <p class="muted">{ ctx.t("preview_fix_form") }</p> },
                Some(Err(e)) => html! { <p class="banner error">{ e }</p> },
                Some(Ok((_, _))) if cart.is_empty() => html! { <p class="muted">{ ctx.t("preview_add_goods") }</p> },
                Some(Ok((rows, total))) => html! {
                    <table data-testid="preview-lines">
                        <thead><tr><th scope="col">{ ctx.t("product") }</th><th scope="col" class="num">{ ctx.t("gross") }</th>
                            <th scope="col" class="num">{ ctx.t("discount") }</th><th scope="col" class="num">{ ctx.t("to_pay") }</th></tr></thead>
                        <tbody>{ for rows.iter().map(|r| html! { <tr><td>{ &r.name }</td>
                            <td class="num">{ r.gross.format(ctx.lang) }</td><td class="num">{ r.discount.format(ctx.lang) }</td>
                            <td class="num">{ r.total.format(ctx.lang) }</td></tr> }) }</tbody>
                        <tfoot><tr><th scope="row" colspan="3">{ ctx.t("total") }</th><td class="num" data-testid="preview-total">{ total.format(ctx.lang) }</td></tr></tfoot>
                    </table>
                },
            } }
        </aside>
    }
}
