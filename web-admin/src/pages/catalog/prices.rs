//! A product's price in each store.

use serde_json::json;
use shared_model::{Currency, Money};
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::types::{LocationPrice, Product};
use crate::widgets::{rub_text, setter, spawn, use_ctx, ErrorBanner, Field, Select};

/// `msg` when `s` is not an amount of roubles of zero or more (or is empty and `required`).
pub fn money_error<'a>(s: &str, required: bool, msg: &'a str) -> Option<&'a str> {
    if s.trim().is_empty() {
        return required.then_some(msg);
    }
    match Money::parse(s.trim(), Currency::RUB) {
        Ok(m) if !m.is_negative() => None,
        _ => Some(msg),
    }
}

/// Props of [`StorePrices`].
#[derive(Properties, PartialEq)]
pub struct PricesProps {
    /// The product.
    pub product: Product,
}

/// A product's price in each store: its own, or the default when none is set.
#[function_component(StorePrices)]
pub fn store_prices(p: &PricesProps) -> Html {
    let ctx = use_ctx();
    let prices = use_state(Vec::<LocationPrice>::new);
    let store = use_state(String::new);
    let price = use_state(String::new);
    let error = use_state(|| None::<ApiError>);
    let reload = use_state(|| 0u32);
    let id = p.product.id;
    {
        let prices = prices.clone();
        use_effect_with((id, *reload), move |(id, _)| {
            let path = format!("/products/{id}/prices");
            spawn(async move {
                if let Ok(v) = api::get::<Vec<LocationPrice>>(&path).await {
                    prices.set(v);
                }
            });
        });
    }
    let price_err = money_error(&price, false, ctx.t("bad_money")).map(str::to_owned);
    let set = {
        let (store, price, error, reload) =
            (store.clone(), price.clone(), error.clone(), reload.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (s, v) = ((*store).clone(), price.trim().to_owned());
            if s.is_empty() || money_error(&v, true, "x").is_some() {
                return;
            }
            let (error, reload, price) = (error.clone(), reload.clone(), price.clone());
            spawn(async move {
                match api::put::<_, LocationPrice>(
                    &format!("/products/{id}/prices/{s}"),
                    &json!({"price": v}),
                )
                .await
                {
                    Ok(_) => {
                        error.set(None);
                        price.set(String::new());
                        reload.set(*reload + 1);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let stores = crate::widgets::location_options(&ctx, Some("choose_store"), true);
    html! {
        <div class="subpanel">
            <h3>{ ctx.t("store_prices") }</h3>
            <table data-testid="store-prices">
                <thead><tr><th scope="col">{ ctx.t("store") }</th><th scope="col" class="num">{ ctx.t("price") }</th><th></th></tr></thead>
                <tbody>
                { for ctx.stores().iter().map(|s| {
                    let own = prices.iter().find(|x| x.location_id == s.id);
                    let remove = {
                        let (sid, reload, error) = (s.id, reload.clone(), error.clone());
                        Callback::from(move |_| {
                            let (reload, error) = (reload.clone(), error.clone());
                            spawn(async move {
                                match api::delete(&format!("/products/{id}/prices/{sid}")).await {
                                    Ok(()) => reload.set(*reload + 1),
                                    Err(e) => error.set(Some(e)),
                                }
                            });
                        })
                    };
                    html! { <tr data-testid={format!("price-{}", s.code)}>
                        <td>{ format!("{} · {}", s.code, s.name) }</td>
                        <td class="num">{ own.map(|x| rub_text(&x.price, ctx.lang)).unwrap_or_else(|| format!("{} ({})", rub_text(&p.product.default_price, ctx.lang), ctx.t("default"))) }</td>
                        <td>if own.is_some() { <button onclick={remove}>{ ctx.t("use_default") }</button> }</td>
                    </tr> }
                }) }
                </tbody>
            </table>
            <form class="inline" onsubmit={set} novalidate=true>
                <Select id="price-store" label={ctx.t("store")} value={(*store).clone()} options={stores} onchange={setter(&store)} />
                <Field id="price-value" label={ctx.t("price")} value={(*price).clone()} oninput={setter(&price)} error={price_err} placeholder="0.00" />
                <button type="submit" data-testid="price-set">{ ctx.t("set_price") }</button>
            </form>
            <ErrorBanner error={(*error).clone()} />
        </div>
    }
}
