//! Lines of products and quantities, keyed in by barcode or SKU (as a scanner would type
//! them): receiving, transfers, counts and the promotion preview's sample cart.

use shared_model::{Barcode, Quantity, Unit};
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::types::{Page, Product};
use crate::widgets::{setter, spawn, use_ctx, Field};

/// A product and the quantity keyed for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The product.
    pub product: Product,
    /// Quantity as keyed ("2", "12.5").
    pub qty: String,
}

/// Finds a product by barcode, or else by exact SKU.
pub async fn find_product(code: &str) -> Result<Option<Product>, ApiError> {
    let code = code.trim();
    if let Ok(b) = Barcode::parse(code) {
        let p: Page<Product> =
            api::get(&format!("/products?barcode={}", api::enc(b.as_str()))).await?;
        if let Some(p) = p.items.into_iter().next() {
            return Ok(Some(p));
        }
    }
    let p: Page<Product> = api::get(&format!("/products?q={}&per_page=50", api::enc(code))).await?;
    Ok(p.items
        .into_iter()
        .find(|p| p.sku.eq_ignore_ascii_case(code)))
}

/// Whether a keyed quantity suits the product's unit (whole pieces; ml and g to 0.001).
pub fn qty_ok(qty: &str, unit: &str, allow_zero: bool) -> bool {
    let Ok(u) = Unit::parse(unit) else {
        return false;
    };
    match Quantity::parse(qty.trim()) {
        Ok(q) if q.milli() == 0 => allow_zero,
        Ok(q) => q.is_positive() && q.validate_for(u).is_ok(),
        Err(_) => false,
    }
}

/// Props of [`Lines`].
#[derive(Properties, PartialEq)]
pub struct LinesProps {
    /// Test id prefix.
    pub id: AttrValue,
    /// The lines so far.
    pub lines: Vec<Line>,
    /// The new list.
    pub onchange: Callback<Vec<Line>>,
    /// Label of the quantity column ("quantity", "counted").
    #[prop_or(AttrValue::Static("qty"))]
    pub qty_label: AttrValue,
    /// Zero is a valid quantity (a count that found none).
    #[prop_or_default]
    pub allow_zero: bool,
}

/// Adds lines by code and quantity, lists them, removes them.
#[function_component(Lines)]
pub fn lines(p: &LinesProps) -> Html {
    let ctx = use_ctx();
    let code = use_state(String::new);
    let qty = use_state(|| "1".to_owned());
    let error = use_state(|| None::<String>);
    let add = {
        let (code, qty, error) = (code.clone(), qty.clone(), error.clone());
        let (lines, onchange, allow_zero) = (p.lines.clone(), p.onchange.clone(), p.allow_zero);
        let (not_found, bad_qty) = (ctx.t("not_found"), ctx.t("bad_qty"));
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (c, q) = (code.trim().to_owned(), qty.trim().to_owned());
            if c.is_empty() {
                return;
            }
            let (code, error, lines, onchange) =
                (code.clone(), error.clone(), lines.clone(), onchange.clone());
            spawn(async move {
                match find_product(&c).await {
                    Ok(Some(prod)) if qty_ok(&q, &prod.unit, allow_zero) => {
                        let mut v = lines;
                        v.push(Line {
                            product: prod,
                            qty: q,
                        });
                        onchange.emit(v);
                        code.set(String::new());
                        error.set(None);
                    }
                    Ok(Some(prod)) => error.set(Some(format!("{bad_qty} ({})", prod.unit))),
                    Ok(None) => error.set(Some(format!("{not_found}: {c}"))),
                    Err(e) => error.set(Some(e.message)),
                }
            });
        })
    };
    let id = p.id.clone();
    html! {
        <div class="lines">
            <form class="inline" onsubmit={add} novalidate=true>
                <Field id={format!("{id}-code")} label={ctx.t("code")} value={(*code).clone()} oninput={setter(&code)}
                    placeholder={ctx.t("code_hint")} error={(*error).clone()} />
                <Field id={format!("{id}-qty")} label={ctx.t(qty_key(&p.qty_label))} value={(*qty).clone()} oninput={setter(&qty)} />
                <button type="submit" data-testid={format!("{id}-add")}>{ ctx.t("add") }</button>
            </form>
            if !p.lines.is_empty() {
                <table data-testid={format!("{id}-lines")}>
                    <thead><tr><th scope="col">{ ctx.t("sku") }</th><th scope="col">{ ctx.t("name") }</th>
                        <th scope="col" class="num">{ ctx.t(qty_key(&p.qty_label)) }</th><th></th></tr></thead>
                    <tbody>
                    { for p.lines.iter().enumerate().map(|(i, l)| {
                        let remove = {
                            let (lines, onchange) = (p.lines.clone(), p.onchange.clone());
                            Callback::from(move |_| { let mut v = lines.clone(); v.remove(i); onchange.emit(v); })
                        };
                        html! { <tr><td>{ &l.product.sku }</td><td>{ &l.product.name }</td>
                            <td class="num">{ format!("{} {}", l.qty, l.product.unit) }</td>
                            <td><button onclick={remove} aria-label={ctx.t("remove")}>{ "×" }</button></td></tr> }
                    }) }
                    </tbody>
                </table>
            }
        </div>
    }
}

fn qty_key(label: &str) -> &'static str {
    if label == "counted" {
        "counted"
    } else {
        "qty"
    }
}
