//! The promotion editor: every kind the engine knows, its target and conditions, beside
//! the live preview.

use shared_model::promotions::Target;
use uuid::Uuid;
use yew::prelude::*;

use super::form::Form;
use super::preview::Preview;
use crate::api::{self, ApiError};
use crate::lines::find_product;
use crate::types::{Category, Product, PromotionView};
use crate::widgets::{
    edit_with, event_checked, setter, spawn, use_ctx, ErrorBanner, Field, Select,
};

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
    let built = form.build();
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
    let f = (*form).clone();
    html! {
        <div class="panel two" data-testid="promo-editor">
            <form onsubmit={save} novalidate=true>
                <h2>{ if id.is_some() { ctx.t("edit_promotion") } else { ctx.t("new_promotion") } }</h2>
                <KindFields form={form.clone()} problem={built.as_ref().err().cloned()} tried={*tried} />
                if let Some((_, m)) = built.as_ref().err().filter(|(f, _)| *f == "promo-kind") {
                    <p class="banner error" role="alert" data-testid="promo-check">{ m.clone() }</p>
                }
                <TargetFields form={form.clone()} categories={(*categories).clone()} error={error.clone()} />
                <ConditionsFields form={form.clone()} problem={built.as_ref().err().cloned()} />
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

/// Adds `id` to (checked) or takes it from (unchecked) one of the form's id lists.
fn toggle_in(
    form: &UseStateHandle<Form>,
    get: fn(&mut Form) -> &mut Vec<Uuid>,
    id: Uuid,
) -> Callback<Event> {
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
}

/// Props of [`ConditionsFields`].
#[derive(Properties, PartialEq)]
pub struct ConditionsProps {
    /// The form being edited.
    pub form: UseStateHandle<Form>,
    /// The field at fault and why, if the form does not build.
    pub problem: Option<(&'static str, String)>,
}

/// When a promotion applies: dates, hours, minimums, coupon, groups, usage limit,
/// weekdays and stores.
#[function_component(ConditionsFields)]
pub fn conditions_fields(p: &ConditionsProps) -> Html {
    let ctx = use_ctx();
    let form = p.form.clone();
    let f = (*form).clone();
    let edit = |change: fn(&mut Form, String)| edit_with(&form, change);
    let toggle = |get: fn(&mut Form) -> &mut Vec<Uuid>, id: Uuid| toggle_in(&form, get, id);
    let err_for = |field: &str| {
        p.problem
            .as_ref()
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| m.clone())
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
    html! {
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
    }
}

/// Props of [`KindFields`].
#[derive(Properties, PartialEq)]
pub struct KindProps {
    /// The form being edited.
    pub form: UseStateHandle<Form>,
    /// The field at fault and why, if the form does not build.
    pub problem: Option<(&'static str, String)>,
    /// Whether saving was tried (an empty name is pointed out only then).
    pub tried: bool,
}

/// Name, priority, what the promotion gives (the figures its kind needs) and its target.
#[function_component(KindFields)]
pub fn kind_fields(p: &KindProps) -> Html {
    let ctx = use_ctx();
    let form = p.form.clone();
    let f = (*form).clone();
    let edit = |change: fn(&mut Form, String)| edit_with(&form, change);
    let err_for = |field: &str| {
        p.problem
            .as_ref()
            .filter(|(f, _)| *f == field && (p.tried || *f != "promo-name"))
            .map(|(_, m)| m.clone())
    };
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
    let kind = f.kind.as_str();
    html! {
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
    }
}

/// Props of [`TargetFields`].
#[derive(Properties, PartialEq)]
pub struct TargetProps {
    /// The form being edited.
    pub form: UseStateHandle<Form>,
    /// The categories to choose from.
    pub categories: Vec<Category>,
    /// Where a failed product look-up is told.
    pub error: UseStateHandle<Option<ApiError>>,
}

/// The products (added by code) or categories a promotion targets.
#[function_component(TargetFields)]
pub fn target_fields(p: &TargetProps) -> Html {
    let ctx = use_ctx();
    let form = p.form.clone();
    let f = (*form).clone();
    let product_code = use_state(String::new);
    let error = p.error.clone();
    let toggle = |get: fn(&mut Form) -> &mut Vec<Uuid>, id: Uuid| toggle_in(&form, get, id);
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
    let categories = &p.categories;
    html! { <>
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
    </> }
}
