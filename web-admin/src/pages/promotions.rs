//! Promotions: the list, and an editor for every kind the engine knows with a live
//! preview on a sample cart, priced in the browser by the tills' own function
//! (`shared_model::pricing::price_sale` compiled to wasm) as the manager types.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use shared_model::pricing::{price_sale, Discount, Floor, Occasion, Percent, SaleLine};
use shared_model::promotions::{check_definition, Conditions, PromoKind, Target};
use shared_model::{Currency, Money, Quantity, Unit, VatRate};
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::lines::{find_product, Line, Lines};
use crate::types::{Category, LocationPrice, Page, Product, PromotionDef, PromotionView};
use crate::widgets::{
    event_checked, location_options, setter, spawn, use_ctx, use_fetch, ErrorBanner, Field, Select,
};

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

fn kind_key(k: &PromoKind) -> &'static str {
    match k {
        PromoKind::PercentOff { .. } => "percent_off",
        PromoKind::AmountOff { .. } => "amount_off",
        PromoKind::BuyXGetY { .. } => "buy_x_get_y",
        PromoKind::Bundle { .. } => "bundle",
        PromoKind::SpendThreshold { .. } => "spend_threshold",
    }
}

/// The editor's fields, as typed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Form {
    /// Name.
    pub name: String,
    /// Priority.
    pub priority: String,
    /// Exclusive.
    pub exclusive: bool,
    /// Runs.
    pub active: bool,
    /// Kind code.
    pub kind: String,
    /// Percent (percent off, buy x get y, threshold in percent).
    pub percent: String,
    /// Amount (amount off, bundle price, threshold's amount off).
    pub amount: String,
    /// Buy / bundle size.
    pub n1: String,
    /// Get.
    pub n2: String,
    /// Threshold minimum.
    pub min: String,
    /// Target code: all, products, categories.
    pub target: String,
    /// Target products.
    pub products: Vec<Product>,
    /// Target categories.
    pub categories: Vec<Uuid>,
    /// From (datetime-local).
    pub from: String,
    /// Until.
    pub until: String,
    /// Weekdays 1–7.
    pub weekdays: Vec<u8>,
    /// Hour from.
    pub hour_from: String,
    /// Hour to.
    pub hour_to: String,
    /// Stores.
    pub stores: Vec<Uuid>,
    /// Minimum quantity.
    pub min_qty: String,
    /// Minimum amount.
    pub min_amount: String,
    /// Coupon.
    pub coupon: String,
    /// Customer groups, comma-separated.
    pub groups: String,
    /// Usage limit.
    pub usage_limit: String,
}

fn money_s(m: Money) -> String {
    m.to_decimal_string()
}

fn pct_s(p: Percent) -> String {
    p.to_string().trim_end_matches('%').to_owned()
}

impl Form {
    /// A form showing a stored promotion (products are loaded by id separately).
    pub fn of(d: &PromotionDef) -> Form {
        let mut f = Form {
            name: d.name.clone(),
            priority: d.priority.to_string(),
            exclusive: d.exclusive,
            active: d.active,
            kind: kind_key(&d.kind).to_owned(),
            ..Form::default()
        };
        match &d.kind {
            PromoKind::PercentOff { percent } => f.percent = pct_s(*percent),
            PromoKind::AmountOff { amount } => f.amount = money_s(*amount),
            PromoKind::BuyXGetY { buy, get, percent } => {
                (f.n1, f.n2, f.percent) = (buy.to_string(), get.to_string(), pct_s(*percent))
            }
            PromoKind::Bundle { qty, price } => {
                (f.n1, f.amount) = (qty.to_string(), money_s(*price))
            }
            PromoKind::SpendThreshold { min, off } => {
                f.min = money_s(*min);
                match off {
                    Discount::Percent(p) => f.percent = pct_s(*p),
                    Discount::Amount(a) => f.amount = money_s(*a),
                }
            }
        }
        match &d.target {
            Target::All => f.target = "all".into(),
            Target::Products(_) => f.target = "products".into(),
            Target::Categories(ids) => {
                (f.target, f.categories) = ("categories".into(), ids.clone())
            }
        }
        let c = &d.conditions;
        let dt = |t: &Option<NaiveDateTime>| {
            t.map(|t| t.format("%Y-%m-%dT%H:%M").to_string())
                .unwrap_or_default()
        };
        (f.from, f.until) = (dt(&c.from), dt(&c.until));
        f.weekdays = c.weekdays.clone();
        if let Some((a, b)) = c.hours {
            (f.hour_from, f.hour_to) = (a.to_string(), b.to_string());
        }
        f.stores = c.stores.clone();
        f.min_qty = c.min_qty.map(|q| q.to_string()).unwrap_or_default();
        f.min_amount = c.min_amount.map(money_s).unwrap_or_default();
        f.coupon = c.coupon.clone().unwrap_or_default();
        f.groups = c.customer_groups.join(", ");
        f.usage_limit = c.usage_limit.map(|n| n.to_string()).unwrap_or_default();
        f
    }

    /// The definition, or the field that is wrong and why.
    pub fn build(&self) -> Result<PromotionDef, (&'static str, String)> {
        let money = |s: &str, f: &'static str| {
            Money::parse(s.trim(), Currency::RUB).map_err(|e| (f, e.to_string()))
        };
        let pct = |s: &str| Percent::parse(s).map_err(|e| ("promo-percent", e.to_string()));
        let int = |s: &str, f: &'static str| {
            s.trim()
                .parse::<u32>()
                .map_err(|_| (f, "a whole number".to_owned()))
        };
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        if self.name.trim().is_empty() {
            return Err(("promo-name", "required".into()));
        }
        let kind = match self.kind.as_str() {
            "amount_off" => PromoKind::AmountOff {
                amount: money(&self.amount, "promo-amount")?,
            },
            "buy_x_get_y" => PromoKind::BuyXGetY {
                buy: int(&self.n1, "promo-n1")?,
                get: int(&self.n2, "promo-n2")?,
                percent: pct(&self.percent)?,
            },
            "bundle" => PromoKind::Bundle {
                qty: int(&self.n1, "promo-n1")?,
                price: money(&self.amount, "promo-amount")?,
            },
            "spend_threshold" => PromoKind::SpendThreshold {
                min: money(&self.min, "promo-min")?,
                off: if self.amount.trim().is_empty() {
                    Discount::Percent(pct(&self.percent)?)
                } else {
                    Discount::Amount(money(&self.amount, "promo-amount")?)
                },
            },
            _ => PromoKind::PercentOff {
                percent: pct(&self.percent)?,
            },
        };
        let target = match self.target.as_str() {
            "products" => Target::Products(self.products.iter().map(|p| p.id).collect()),
            "categories" => Target::Categories(self.categories.clone()),
            _ => Target::All,
        };
        let dt =
            |s: &str, f: &'static str| -> Result<Option<NaiveDateTime>, (&'static str, String)> {
                match opt(s) {
                    None => Ok(None),
                    Some(s) => NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M")
                        .or_else(|_| {
                            NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                                .map(|d| d.and_time(chrono::NaiveTime::MIN))
                        })
                        .map(Some)
                        .map_err(|_| (f, "YYYY-MM-DD HH:MM".to_owned())),
                }
            };
        let hours = match (opt(&self.hour_from), opt(&self.hour_to)) {
            (None, None) => None,
            (a, b) => {
                let h = |s: Option<String>| {
                    s.and_then(|s| s.parse::<u8>().ok())
                        .filter(|h| *h <= 24)
                        .ok_or(("promo-hours", "0–24".to_owned()))
                };
                Some((h(a)?, h(b)?))
            }
        };
        let conditions = Conditions {
            from: dt(&self.from, "promo-from")?,
            until: dt(&self.until, "promo-until")?,
            weekdays: self.weekdays.clone(),
            hours,
            stores: self.stores.clone(),
            min_qty: opt(&self.min_qty)
                .map(|s| Quantity::parse(&s))
                .transpose()
                .map_err(|e| ("promo-min-qty", e.to_string()))?,
            min_amount: opt(&self.min_amount)
                .map(|s| money(&s, "promo-min-amount"))
                .transpose()?,
            coupon: opt(&self.coupon),
            customer_groups: self
                .groups
                .split(',')
                .map(|g| g.trim().to_owned())
                .filter(|g| !g.is_empty())
                .collect(),
            usage_limit: opt(&self.usage_limit)
                .map(|s| int(&s, "promo-usage"))
                .transpose()?,
            used: 0,
        };
        check_definition(&target, &kind, &conditions).map_err(|e| ("promo-kind", e))?;
        Ok(PromotionDef {
            name: self.name.trim().to_owned(),
            priority: self.priority.trim().parse().unwrap_or(0),
            exclusive: self.exclusive,
            target,
            kind,
            conditions,
            active: self.active,
        })
    }
}

/// Props of [`Editor`].
#[derive(Properties, PartialEq)]
pub struct EditorProps {
    /// The stored promotion, or `None` for a new one.
    pub promotion: Option<PromotionView>,
    /// Saved.
    pub on_saved: Callback<PromotionView>,
    /// Closed.
    pub on_close: Callback<()>,
}

/// Edits one promotion beside its live preview.
#[function_component(Editor)]
pub fn editor(p: &EditorProps) -> Html {
    let ctx = use_ctx();
    let form = use_state(|| {
        p.promotion
            .as_ref()
            .map(|v| Form::of(&v.def))
            .unwrap_or(Form {
                kind: "percent_off".into(),
                target: "all".into(),
                active: true,
                priority: "0".into(),
                ..Form::default()
            })
    });
    let categories = use_state(Vec::<Category>::new);
    let error = use_state(|| None::<ApiError>);
    let product_code = use_state(String::new);
    let tried = use_state(|| false);
    {
        let (categories, form) = (categories.clone(), form.clone());
        let ids = match p.promotion.as_ref().map(|v| &v.def.target) {
            Some(Target::Products(ids)) => ids.clone(),
            _ => Vec::new(),
        };
        use_effect_with((), move |_| {
            spawn(async move {
                if let Ok(v) = api::get::<Vec<Category>>("/categories").await {
                    categories.set(v);
                }
                let mut prods = Vec::new();
                for id in ids {
                    if let Ok(p) = api::get::<Product>(&format!("/products/{id}")).await {
                        prods.push(p);
                    }
                }
                if !prods.is_empty() {
                    let mut f = (*form).clone();
                    f.products = prods;
                    form.set(f);
                }
            });
        });
    }
    let edit = |change: fn(&mut Form, String)| {
        let form = form.clone();
        Callback::from(move |v: String| {
            let mut f = (*form).clone();
            change(&mut f, v);
            form.set(f);
        })
    };
    let built = form.build();
    let err_for = |field: &str| match (&built, *tried) {
        (Err((f, m)), true) if *f == field => Some(m.clone()),
        (Err((f, m)), _) if *f == field && *f != "promo-name" => Some(m.clone()),
        _ => None,
    };
    let id = p.promotion.as_ref().map(|v| v.id);
    let save = {
        let (form, error, tried, on_saved) = (
            form.clone(),
            error.clone(),
            tried.clone(),
            p.on_saved.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            tried.set(true);
            let Ok(def) = form.build() else { return };
            let (error, on_saved) = (error.clone(), on_saved.clone());
            spawn(async move {
                let r = match id {
                    None => api::post::<_, PromotionView>("/promotions", &def).await,
                    Some(id) => {
                        api::put::<_, PromotionView>(&format!("/promotions/{id}"), &def).await
                    }
                };
                match r {
                    Ok(v) => on_saved.emit(v),
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let add_product = {
        let (form, code, error) = (form.clone(), product_code.clone(), error.clone());
        let not_found = ctx.t("not_found");
        Callback::from(move |_| {
            let (form, code, error) = (form.clone(), code.clone(), error.clone());
            let c = code.trim().to_owned();
            spawn(async move {
                match find_product(&c).await {
                    Ok(Some(p)) => {
                        let mut f = (*form).clone();
                        if !f.products.iter().any(|x| x.id == p.id) {
                            f.products.push(p);
                        }
                        form.set(f);
                        code.set(String::new());
                    }
                    Ok(None) => error.set(Some(ApiError {
                        status: 404,
                        code: "not_found".into(),
                        message: format!("{not_found}: {c}"),
                    })),
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let f = (*form).clone();
    let kinds = [
        "percent_off",
        "amount_off",
        "buy_x_get_y",
        "bundle",
        "spend_threshold",
    ]
    .iter()
    .map(|k| ((*k).to_owned(), ctx.t(k).to_owned()))
    .collect::<Vec<_>>();
    let targets = [
        ("all", "target_all"),
        ("products", "target_products"),
        ("categories", "target_categories"),
    ]
    .iter()
    .map(|(v, k)| ((*v).to_owned(), ctx.t(k).to_owned()))
    .collect::<Vec<_>>();
    let toggle = |get: fn(&mut Form) -> &mut Vec<Uuid>, id: Uuid| {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut f = (*form).clone();
            let v = get(&mut f);
            v.retain(|x| *x != id);
            if event_checked(&e) {
                v.push(id);
            }
            form.set(f);
        })
    };
    let weekday = |d: u8| {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut f = (*form).clone();
            f.weekdays.retain(|x| *x != d);
            if event_checked(&e) {
                f.weekdays.push(d);
                f.weekdays.sort_unstable();
            }
            form.set(f);
        })
    };
    let kind = f.kind.as_str();
    html! {
        <div class="panel two" data-testid="promo-editor">
            <form onsubmit={save} novalidate=true>
                <h2>{ if id.is_some() { ctx.t("edit_promotion") } else { ctx.t("new_promotion") } }</h2>
                <div class="grid">
                    <Field id="promo-name" label={ctx.t("name")} value={f.name.clone()} oninput={edit(|f, v| f.name = v)} required=true error={err_for("promo-name")} />
                    <Field id="promo-priority" label={ctx.t("priority")} kind="number" value={f.priority.clone()} oninput={edit(|f, v| f.priority = v)} />
                    <Select id="promo-kind" label={ctx.t("kind")} value={f.kind.clone()} options={kinds} onchange={edit(|f, v| f.kind = v)} />
                    if matches!(kind, "percent_off" | "buy_x_get_y" | "spend_threshold") {
                        <Field id="promo-percent" label={ctx.t("percent")} value={f.percent.clone()} oninput={edit(|f, v| f.percent = v)} error={err_for("promo-percent")} />
                    }
                    if matches!(kind, "amount_off" | "bundle" | "spend_threshold") {
                        <Field id="promo-amount" label={ctx.t(if kind == "bundle" { "bundle_price" } else { "amount_off_value" })} value={f.amount.clone()} oninput={edit(|f, v| f.amount = v)} error={err_for("promo-amount")} />
                    }
                    if matches!(kind, "buy_x_get_y" | "bundle") {
                        <Field id="promo-n1" label={ctx.t(if kind == "bundle" { "bundle_qty" } else { "buy" })} kind="number" value={f.n1.clone()} oninput={edit(|f, v| f.n1 = v)} error={err_for("promo-n1")} />
                    }
                    if kind == "buy_x_get_y" {
                        <Field id="promo-n2" label={ctx.t("get")} kind="number" value={f.n2.clone()} oninput={edit(|f, v| f.n2 = v)} error={err_for("promo-n2")} />
                    }
                    if kind == "spend_threshold" {
                        <Field id="promo-min" label={ctx.t("threshold")} value={f.min.clone()} oninput={edit(|f, v| f.min = v)} error={err_for("promo-min")} />
                    }
                    <Select id="promo-target" label={ctx.t("target")} value={f.target.clone()} options={targets} onchange={edit(|f, v| f.target = v)} />
                </div>
                if let Some((_, m)) = built.as_ref().err().filter(|(f, _)| *f == "promo-kind") {
                    <p class="banner error" role="alert" data-testid="promo-check">{ m.clone() }</p>
                }
                if f.target == "products" {
                    <div class="chips">
                        { for f.products.iter().map(|p| {
                            let (form, pid) = (form.clone(), p.id);
                            let rm = Callback::from(move |_| { let mut f = (*form).clone(); f.products.retain(|x| x.id != pid); form.set(f); });
                            html! { <span class="chip">{ format!("{} {}", p.sku, p.name) }<button type="button" onclick={rm} aria-label={ctx.t("remove")}>{ "×" }</button></span> }
                        }) }
                        <Field id="promo-product-code" label={ctx.t("code")} value={(*product_code).clone()} oninput={setter(&product_code)} placeholder={ctx.t("code_hint")} />
                        <button type="button" onclick={add_product} data-testid="promo-product-add">{ ctx.t("add") }</button>
                    </div>
                }
                if f.target == "categories" {
                    <fieldset><legend>{ ctx.t("categories") }</legend>
                    { for categories.iter().map(|c| html! {
                        <label class="check"><input type="checkbox" checked={f.categories.contains(&c.id)} onchange={toggle(|f| &mut f.categories, c.id)} />{ &c.name }</label>
                    }) }
                    </fieldset>
                }
                <details open={!f.coupon.is_empty() || !f.stores.is_empty()}>
                    <summary>{ ctx.t("conditions") }</summary>
                    <div class="grid">
                        <Field id="promo-from" label={ctx.t("from_date")} kind="datetime-local" value={f.from.clone()} oninput={edit(|f, v| f.from = v)} error={err_for("promo-from")} />
                        <Field id="promo-until" label={ctx.t("until")} kind="datetime-local" value={f.until.clone()} oninput={edit(|f, v| f.until = v)} error={err_for("promo-until")} />
                        <Field id="promo-hour-from" label={ctx.t("hour_from")} kind="number" value={f.hour_from.clone()} oninput={edit(|f, v| f.hour_from = v)} error={err_for("promo-hours")} />
                        <Field id="promo-hour-to" label={ctx.t("hour_to")} kind="number" value={f.hour_to.clone()} oninput={edit(|f, v| f.hour_to = v)} />
                        <Field id="promo-min-qty" label={ctx.t("min_qty")} value={f.min_qty.clone()} oninput={edit(|f, v| f.min_qty = v)} error={err_for("promo-min-qty")} />
                        <Field id="promo-min-amount" label={ctx.t("min_amount")} value={f.min_amount.clone()} oninput={edit(|f, v| f.min_amount = v)} error={err_for("promo-min-amount")} />
                        <Field id="promo-coupon" label={ctx.t("coupon")} value={f.coupon.clone()} oninput={edit(|f, v| f.coupon = v)} />
                        <Field id="promo-groups" label={ctx.t("customer_groups")} value={f.groups.clone()} oninput={edit(|f, v| f.groups = v)} />
                        <Field id="promo-usage" label={ctx.t("usage_limit")} kind="number" value={f.usage_limit.clone()} oninput={edit(|f, v| f.usage_limit = v)} error={err_for("promo-usage")} />
                    </div>
                    <fieldset><legend>{ ctx.t("weekdays") }</legend>
                    { for (1u8..=7).map(|d| html! {
                        <label class="check"><input type="checkbox" checked={f.weekdays.contains(&d)} onchange={weekday(d)} />{ ctx.t(crate::i18n::WEEKDAYS[usize::from(d) - 1]) }</label>
                    }) }
                    </fieldset>
                    <fieldset><legend>{ ctx.t("stores_all_if_none") }</legend>
                    { for ctx.stores().iter().map(|s| html! {
                        <label class="check"><input type="checkbox" checked={f.stores.contains(&s.id)} onchange={toggle(|f| &mut f.stores, s.id)} />{ &s.name }</label>
                    }) }
                    </fieldset>
                </details>
                <label class="check"><input type="checkbox" checked={f.exclusive} data-testid="promo-exclusive"
                    onchange={{ let form = form.clone(); Callback::from(move |e: Event| { let mut f = (*form).clone(); f.exclusive = event_checked(&e); form.set(f); }) }} />{ ctx.t("exclusive") }</label>
                <label class="check"><input type="checkbox" checked={f.active}
                    onchange={{ let form = form.clone(); Callback::from(move |e: Event| { let mut f = (*form).clone(); f.active = event_checked(&e); form.set(f); }) }} />{ ctx.t("active") }</label>
                <ErrorBanner error={(*error).clone()} />
                <div class="actions">
                    <button type="submit" class="primary" data-testid="promo-save">{ ctx.t("save") }</button>
                    <button type="button" onclick={p.on_close.reform(|_: MouseEvent| ())}>{ ctx.t("close") }</button>
                </div>
            </form>
            <Preview draft={built.ok().map(|d| (id.unwrap_or(Uuid::nil()), d))} />
        </div>
    }
}

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

/// Now in the store's time zone (promotion hours are the store's, as at its tills);
/// the browser's own clock when the zone is unknown to the browser.
fn store_now(timezone: Option<&str>) -> NaiveDateTime {
    let date = js_sys::Date::new_0();
    let local = || {
        NaiveDate::from_ymd_opt(
            date.get_full_year() as i32,
            date.get_month() + 1,
            date.get_date(),
        )
        .and_then(|day| day.and_hms_opt(date.get_hours(), date.get_minutes(), 0))
        .unwrap_or_default()
    };
    let Some(tz) = timezone else {
        return local();
    };
    // Swedish dates are ISO-shaped ("2026-12-07 23:15:00"); `Reflect::apply` catches
    // the RangeError a zone name the browser does not know throws.
    let options = js_sys::Object::new();
    let set = |k: &str, v: &str| {
        js_sys::Reflect::set(&options, &JsValue::from_str(k), &JsValue::from_str(v))
    };
    let formatted: Option<String> = set("timeZone", tz)
        .and_then(|_| set("hourCycle", "h23"))
        .and_then(|_| js_sys::Reflect::get(&date, &JsValue::from_str("toLocaleString")))
        .and_then(|f| {
            let args = js_sys::Array::of2(&JsValue::from_str("sv-SE"), &options);
            js_sys::Reflect::apply(f.unchecked_ref::<js_sys::Function>(), &date, &args)
        })
        .ok()
        .and_then(|v: JsValue| v.as_string());
    formatted
        .and_then(|s| NaiveDateTime::parse_from_str(&s, "%Y-%m-%d %H:%M:%S").ok())
        .unwrap_or_else(local)
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
            store_now(timezone.as_deref()),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn product(price: &str, cost: &str) -> Product {
        Product {
            id: Uuid::from_u128(7),
            sku: "CH-50".into(),
            name: "Chanel".into(),
            category_id: None,
            unit: "pcs".into(),
            vat: "vat22".into(),
            cost: cost.into(),
            default_price: price.into(),
            barcodes: vec![],
            active: true,
            marking_group: None,
        }
    }

    fn form(kind: &str) -> Form {
        Form {
            name: "Autumn".into(),
            kind: kind.into(),
            target: "all".into(),
            active: true,
            ..Form::default()
        }
    }

    fn now() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 25)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap()
    }

    #[test]
    fn the_form_round_trips_through_a_definition() {
        let mut f = form("buy_x_get_y");
        (f.n1, f.n2, f.percent, f.coupon, f.weekdays) = (
            "2".into(),
            "1".into(),
            "100".into(),
            "AUTUMN".into(),
            vec![1, 5],
        );
        (f.hour_from, f.hour_to, f.min_amount) = ("10".into(), "12".into(), "500.00".into());
        let def = f.build().unwrap();
        assert_eq!(
            def.kind,
            PromoKind::BuyXGetY {
                buy: 2,
                get: 1,
                percent: Percent::FULL
            }
        );
        let again = Form::of(&def);
        assert_eq!(again.build().unwrap(), def);
    }

    #[test]
    fn a_wrong_field_is_named() {
        let mut f = form("percent_off");
        f.percent = "120".into();
        assert_eq!(f.build().unwrap_err().0, "promo-percent");
        f.percent = "10".into();
        f.hour_from = "25".into();
        assert_eq!(f.build().unwrap_err().0, "promo-hours");
        f.hour_from = String::new();
        f.name = " ".into();
        assert_eq!(f.build().unwrap_err().0, "promo-name");
    }

    #[test]
    fn the_sample_cart_is_priced_as_a_till_would() {
        let mut f = form("percent_off");
        f.percent = "10".into();
        let def = f.build().unwrap();
        let p = product("13990.00", "9100.00");
        let cart = [(
            p.clone(),
            Quantity::whole(2).unwrap(),
            Money::rub(1_399_000),
        )];
        let (rows, total) = price_sample(&def, Uuid::nil(), None, &cart, &[], now()).unwrap();
        assert_eq!(total, Money::rub(2_518_200));
        assert_eq!(rows[0].discount, Money::rub(279_800));
        // Never below cost: 50 % off stops at the cost of the goods.
        f.percent = "50".into();
        let half = f.build().unwrap();
        let (_, total) = price_sample(&half, Uuid::nil(), None, &cart, &[], now()).unwrap();
        assert_eq!(total, Money::rub(1_820_000));
        // A coupon promotion gives nothing without its coupon.
        f.coupon = "AUTUMN".into();
        let coupon = f.build().unwrap();
        let (_, total) = price_sample(&coupon, Uuid::nil(), None, &cart, &[], now()).unwrap();
        assert_eq!(total, Money::rub(2_798_000));
        let (_, total) =
            price_sample(&coupon, Uuid::nil(), None, &cart, &["autumn".into()], now()).unwrap();
        assert_eq!(total, Money::rub(1_820_000));
    }
}
