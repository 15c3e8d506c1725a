//! One product's editor: its fields as typed (barcodes checked as they are typed, by the
//! tills' own `Barcode::parse`), what is sent, and where the server's refusal belongs.

use serde_json::{json, Value};
use shared_model::marking::permit::MarkingGroup;
use shared_model::{Barcode, VatRate};
use uuid::Uuid;
use yew::prelude::*;

use super::prices::{money_error, StorePrices};
use crate::api::{self, ApiError};
use crate::ctx::Ctx;
use crate::types::{Category, Product};
use crate::widgets::{
    edit_with, event_checked, setter, spawn, use_ctx, use_fetch, ErrorBanner, Field, Select,
};

/// Every barcode problem in a comma- or space-separated list, or the parsed codes.
pub fn parse_barcodes(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for b in s
        .split([',', ' ', ';', '\n'])
        .filter(|b| !b.trim().is_empty())
    {
        match Barcode::parse(b.trim()) {
            Ok(code) => out.push(code.as_str().to_owned()),
            Err(_) => bad.push(b.trim().to_owned()),
        }
    }
    if bad.is_empty() {
        Ok(out)
    } else {
        Err(bad.join(", "))
    }
}

/// The editor's fields, as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductForm {
    pub sku: String,
    pub name: String,
    /// Category id, or empty for none.
    pub category: String,
    pub unit: String,
    pub vat: String,
    pub price: String,
    pub cost: String,
    /// Barcodes, separated by commas or spaces.
    pub barcodes: String,
    pub active: bool,
    /// Marking group code, or empty for unmarked goods.
    pub marking: String,
}

/// What is wrong with the form, field by field: the word to show (an i18n key), and for
/// barcodes the codes that are not barcodes.
#[derive(Debug, Default, PartialEq)]
pub struct Problems {
    pub sku: Option<&'static str>,
    pub name: Option<&'static str>,
    pub price: Option<&'static str>,
    pub cost: Option<&'static str>,
    pub barcodes: Option<String>,
}

impl ProductForm {
    /// The fields of `product`, or a new product's defaults (pieces, 22 % VAT, sold).
    pub fn of(product: Option<&Product>) -> Self {
        match product {
            Some(p) => Self {
                sku: p.sku.clone(),
                name: p.name.clone(),
                category: p.category_id.map(|c| c.to_string()).unwrap_or_default(),
                unit: p.unit.clone(),
                vat: p.vat.clone(),
                price: p.default_price.clone(),
                cost: p.cost.clone(),
                barcodes: p.barcodes.join(", "),
                active: p.active,
                marking: p.marking_group.clone().unwrap_or_default(),
            },
            None => Self {
                sku: String::new(),
                name: String::new(),
                category: String::new(),
                unit: "pcs".into(),
                vat: "vat22".into(),
                price: String::new(),
                cost: String::new(),
                barcodes: String::new(),
                active: true,
                marking: String::new(),
            },
        }
    }

    /// What is wrong; required fields count once saving was `tried`.
    pub fn problems(&self, tried: bool) -> Problems {
        let required = |s: &str| (tried && s.trim().is_empty()).then_some("required");
        Problems {
            sku: required(&self.sku),
            name: required(&self.name),
            price: money_error(&self.price, tried, "bad_money"),
            cost: money_error(&self.cost, false, "bad_money"),
            barcodes: parse_barcodes(&self.barcodes).err(),
        }
    }

    /// Whether the form may be sent: nothing wrong once saving is tried.
    pub fn is_valid(&self) -> bool {
        self.problems(true) == Problems::default()
    }

    /// The body to send: a new product's (SKU and unit are set once), or an edit's.
    pub fn body(&self, is_new: bool) -> Value {
        let codes = parse_barcodes(&self.barcodes).unwrap_or_default();
        let cat = Uuid::parse_str(&self.category).ok();
        let cost = if self.cost.trim().is_empty() {
            "0"
        } else {
            self.cost.trim()
        };
        let (name, price) = (self.name.trim(), self.price.trim());
        if is_new {
            let group = Some(self.marking.clone()).filter(|g| !g.is_empty());
            json!({"sku": self.sku.trim(), "name": name, "category_id": cat, "unit": self.unit,
                   "vat": self.vat, "cost": cost, "default_price": price, "barcodes": codes,
                   "marking_group": group})
        } else {
            // An empty group takes the product out of marking.
            json!({"name": name, "category_id": cat, "vat": self.vat, "cost": cost,
                   "default_price": price, "barcodes": codes, "active": self.active,
                   "marking_group": self.marking})
        }
    }
}

/// Props of [`ProductEditor`].
#[derive(Properties, PartialEq)]
pub struct EditorProps {
    /// The product, or `None` for a new one.
    pub product: Option<Product>,
    /// Categories to pick from.
    pub categories: Vec<Category>,
    /// Saved (the stored product).
    pub on_saved: Callback<Product>,
    /// Closed.
    pub on_close: Callback<()>,
    /// A category was added.
    pub on_category: Callback<()>,
}

/// Creating or editing one product, and its store prices.
#[function_component(ProductEditor)]
pub fn product_editor(p: &EditorProps) -> Html {
    let ctx = use_ctx();
    let form = use_state(|| ProductForm::of(p.product.as_ref()));
    let error = use_state(|| None::<ApiError>);
    let (groups, _) = use_fetch::<Vec<MarkingGroup>>("/marking/groups".into(), 0);
    let tried = use_state(|| false);
    let saved = use_state(|| false);
    let bad = form.problems(*tried);
    let word = |key: Option<&'static str>| key.map(|k| ctx.t(k).to_owned());
    let bad_codes = bad
        .barcodes
        .as_ref()
        .map(|codes| format!("{}: {codes}", ctx.t("bad_barcode")));
    // The server's conflicts name the field they are about.
    let server_field = |f: &str| {
        error
            .as_ref()
            .filter(|e| e.status == 409 || e.status == 422)
            .filter(|e| e.message.to_lowercase().contains(f))
            .map(|e| e.message.clone())
    };
    let onsave = {
        let (form, error, tried, saved) =
            (form.clone(), error.clone(), tried.clone(), saved.clone());
        let on_saved = p.on_saved.clone();
        let id = p.product.as_ref().map(|x| x.id);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            tried.set(true);
            saved.set(false);
            if !form.is_valid() {
                return;
            }
            let body = form.body(id.is_none());
            let (error, saved, on_saved) = (error.clone(), saved.clone(), on_saved.clone());
            spawn(async move {
                let r = match id {
                    None => api::post::<_, Product>("/products", &body).await,
                    Some(id) => api::patch::<_, Product>(&format!("/products/{id}"), &body).await,
                };
                match r {
                    Ok(p) => {
                        error.set(None);
                        saved.set(true);
                        on_saved.emit(p);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let edit = |change: fn(&mut ProductForm, String)| edit_with(&form, change);
    let set_active = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            form.set(ProductForm {
                active: event_checked(&e),
                ..(*form).clone()
            })
        })
    };
    let f = &*form;
    let is_new = p.product.is_none();
    html! {
        <div class="panel" data-testid="product-editor">
            <form onsubmit={onsave} novalidate=true>
                <h2>{ if is_new { ctx.t("new_product") } else { ctx.t("edit_product") } }</h2>
                <div class="grid">
                    if is_new {
                        <Field id="product-sku" label={ctx.t("sku")} value={f.sku.clone()} oninput={edit(|f, v| f.sku = v)} required=true error={word(bad.sku).or_else(|| server_field("sku"))} />
                    } else {
                        <div class="field"><span class="label">{ ctx.t("sku") }</span><strong>{ &f.sku }</strong></div>
                    }
                    <Field id="product-name" label={ctx.t("name")} value={f.name.clone()} oninput={edit(|f, v| f.name = v)} required=true error={word(bad.name)} />
                    <Field id="product-barcodes" label={ctx.t("barcodes")} value={f.barcodes.clone()} oninput={edit(|f, v| f.barcodes = v)}
                        placeholder="4006381333931" error={bad_codes.or_else(|| server_field("barcode"))} />
                    <Field id="product-price" label={ctx.t("default_price")} value={f.price.clone()} oninput={edit(|f, v| f.price = v)} required=true error={word(bad.price)} placeholder="0.00" />
                    <Field id="product-cost" label={ctx.t("cost")} value={f.cost.clone()} oninput={edit(|f, v| f.cost = v)} error={word(bad.cost)} placeholder="0.00" />
                    { choices(&ctx, f, is_new, &p.categories, groups.as_deref().unwrap_or_default(), edit) }
                    <NewCategory on_added={{
                        let (form, on_category) = (form.clone(), p.on_category.clone());
                        Callback::from(move |id: Uuid| {
                            form.set(ProductForm { category: id.to_string(), ..(*form).clone() });
                            on_category.emit(());
                        })
                    }} />
                    if !is_new {
                        <label class="check"><input type="checkbox" checked={f.active} data-testid="product-active-edit" onchange={set_active} />
                            { ctx.t("active") }</label>
                    }
                </div>
                <ErrorBanner error={(*error).clone()} />
                if *saved { <p class="banner ok" role="status" data-testid="product-saved">{ ctx.t("saved") }</p> }
                <div class="actions">
                    <button type="submit" class="primary" data-testid="product-save">{ ctx.t("save") }</button>
                    <button type="button" onclick={p.on_close.reform(|_: MouseEvent| ())}>{ ctx.t("close") }</button>
                </div>
            </form>
            if let Some(prod) = &p.product {
                <StorePrices product={prod.clone()} />
            }
        </div>
    }
}

/// The editor's lists: VAT, unit (set once, for a new product), marking group, category.
fn choices(
    ctx: &Ctx,
    f: &ProductForm,
    is_new: bool,
    categories: &[Category],
    groups: &[MarkingGroup],
    edit: impl Fn(fn(&mut ProductForm, String)) -> Callback<String>,
) -> Html {
    let mut cat_opts = vec![(String::new(), "—".to_owned())];
    cat_opts.extend(
        categories
            .iter()
            .map(|c| (c.id.to_string(), c.name.clone())),
    );
    let vat_opts = VatRate::CURRENT
        .iter()
        .map(|v| (v.code().to_owned(), ctx.t(v.code()).to_owned()))
        .collect::<Vec<_>>();
    let unit_opts = ["pcs", "ml", "g"]
        .iter()
        .map(|u| ((*u).to_owned(), ctx.t(u).to_owned()))
        .collect::<Vec<_>>();
    let mut marking_opts = vec![(String::new(), ctx.t("not_marked").to_owned())];
    marking_opts.extend(groups.iter().map(|g| (g.code.clone(), g.name.clone())));
    html! {
        <>
            <Select id="product-vat" label={ctx.t("vat")} value={f.vat.clone()} options={vat_opts} onchange={edit(|f, v| f.vat = v)} />
            if is_new {
                <Select id="product-unit" label={ctx.t("unit")} value={f.unit.clone()} options={unit_opts} onchange={edit(|f, v| f.unit = v)} />
            }
            <Select id="product-marking" label={ctx.t("marking_group")} value={f.marking.clone()} options={marking_opts} onchange={edit(|f, v| f.marking = v)} />
            <Select id="product-category-edit" label={ctx.t("category")} value={f.category.clone()} options={cat_opts} onchange={edit(|f, v| f.category = v)} />
        </>
    }
}

/// Props of [`NewCategory`].
#[derive(Properties, PartialEq)]
pub struct NewCategoryProps {
    /// The category was created (its id).
    pub on_added: Callback<Uuid>,
}

/// Adds a category by name without leaving the product.
#[function_component(NewCategory)]
fn new_category(p: &NewCategoryProps) -> Html {
    let ctx = use_ctx();
    let name = use_state(String::new);
    let error = use_state(|| None::<ApiError>);
    let add = {
        let (name, error, on_added) = (name.clone(), error.clone(), p.on_added.clone());
        Callback::from(move |_| {
            let n = name.trim().to_owned();
            if n.is_empty() {
                return;
            }
            let (name, error, on_added) = (name.clone(), error.clone(), on_added.clone());
            spawn(async move {
                match api::post::<_, Category>("/categories", &json!({"name": n})).await {
                    Ok(c) => {
                        error.set(None);
                        name.set(String::new());
                        on_added.emit(c.id);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    html! {
        <div class="field inline">
            <Field id="category-new" label={ctx.t("new_category")} value={(*name).clone()} oninput={setter(&name)} />
            <button type="button" onclick={add} data-testid="category-add">{ ctx.t("add") }</button>
            <ErrorBanner error={(*error).clone()} />
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_barcodes, ProductForm};
    use serde_json::json;

    #[test]
    fn a_new_product_sets_sku_and_unit_an_edit_does_not() {
        let mut f = ProductForm::of(None);
        assert!(!f.is_valid(), "an empty form is not sent");
        f.sku = " CH-50 ".into();
        f.name = "Chanel".into();
        f.price = "100".into();
        f.barcodes = "4006381333931, 96385074".into();
        assert!(f.is_valid());
        let new = f.body(true);
        assert_eq!(new["sku"], "CH-50");
        assert_eq!(new["unit"], "pcs");
        assert_eq!(new["cost"], "0", "no cost typed is a zero cost");
        assert_eq!(new["marking_group"], json!(null));
        assert_eq!(new["barcodes"], json!(["4006381333931", "96385074"]));
        let edit = f.body(false);
        assert!(edit.get("sku").is_none() && edit.get("unit").is_none());
        assert_eq!(
            edit["marking_group"], "",
            "an edit can take a product out of marking"
        );
        f.cost = "-1".into();
        assert!(!f.is_valid(), "a negative cost is refused before sending");
    }

    #[test]
    fn barcodes_are_checked_one_by_one() {
        assert_eq!(
            parse_barcodes("4006381333931, 96385074").unwrap(),
            vec!["4006381333931", "96385074"]
        );
        assert_eq!(
            parse_barcodes("4006381333932, 96385074").unwrap_err(),
            "4006381333932"
        );
        assert_eq!(parse_barcodes("  ").unwrap(), Vec::<String>::new());
    }
}
