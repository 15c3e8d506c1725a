//! The catalog: products with search, filters and paging; a product's editor with
//! barcodes checked as they are typed (the tills' own `Barcode::parse`), its prices per
//! store; and bulk CSV export and import with a preview of every row's problems.

use serde_json::json;
use shared_model::{Barcode, Currency, Money, VatRate};
use uuid::Uuid;
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::types::{Category, ImportReport, LocationPrice, Page, Product};
use crate::widgets::{
    rub_text, setter, spawn, use_ctx, use_fetch, ErrorBanner, Field, Pager, Select,
};

const PER_PAGE: u32 = 25;

/// The catalog page.
#[function_component(Catalog)]
pub fn catalog() -> Html {
    let ctx = use_ctx();
    let q = use_state(String::new);
    let category = use_state(String::new);
    let active = use_state(|| "true".to_owned());
    let page = use_state(|| 1u32);
    let categories = use_state(Vec::<Category>::new);
    let editing = use_state(|| None::<Option<Product>>);
    let reload = use_state(|| 0u32);
    {
        let categories = categories.clone();
        use_effect_with(*reload, move |_| {
            spawn(async move {
                if let Ok(v) = api::get::<Vec<Category>>("/categories").await {
                    categories.set(v);
                }
            });
        });
    }
    let path = format!(
        "/products{}",
        api::query(&[
            ("q", q.trim().to_owned()),
            ("category_id", (*category).clone()),
            ("active", (*active).clone()),
            ("page", page.to_string()),
            ("per_page", PER_PAGE.to_string()),
        ])
    );
    let (list, error) = use_fetch::<Page<Product>>(path, *reload);
    let cat_name = |id: Option<Uuid>| {
        id.and_then(|id| categories.iter().find(|c| c.id == id))
            .map(|c| c.name.clone())
            .unwrap_or_default()
    };
    let mut cat_opts = vec![(String::new(), ctx.t("all").to_owned())];
    cat_opts.extend(
        categories
            .iter()
            .map(|c| (c.id.to_string(), c.name.clone())),
    );
    let new_product = {
        let editing = editing.clone();
        Callback::from(move |_| editing.set(Some(None)))
    };
    let on_saved = {
        let (editing, reload) = (editing.clone(), reload.clone());
        Callback::from(move |p: Product| {
            editing.set(Some(Some(p)));
            reload.set(*reload + 1);
        })
    };
    let on_close = {
        let editing = editing.clone();
        Callback::from(move |_| editing.set(None))
    };
    let on_search = {
        let (q, page) = (q.clone(), page.clone());
        Callback::from(move |v: String| {
            q.set(v);
            page.set(1);
        })
    };
    let onpage = {
        let page = page.clone();
        Callback::from(move |n| page.set(n))
    };
    html! {
        <section>
            <h1>{ ctx.t("nav_catalog") }</h1>
            <div class="toolbar">
                <Field id="product-search" label={ctx.t("search")} value={(*q).clone()} oninput={on_search} placeholder={ctx.t("search_hint")} />
                <Select id="product-category" label={ctx.t("category")} value={(*category).clone()} options={cat_opts}
                    onchange={{ let (c, p) = (category.clone(), page.clone()); Callback::from(move |v| { c.set(v); p.set(1); }) }} />
                <Select id="product-active" label={ctx.t("status")} value={(*active).clone()}
                    options={vec![("true".into(), ctx.t("active").into()), ("false".into(), ctx.t("inactive").into()), (String::new(), ctx.t("all").into())]}
                    onchange={{ let (a, p) = (active.clone(), page.clone()); Callback::from(move |v| { a.set(v); p.set(1); }) }} />
                <button class="primary" onclick={new_product} data-testid="product-new">{ ctx.t("new_product") }</button>
            </div>
            <ErrorBanner error={error} />
            if let Some(e) = &*editing {
                <ProductEditor product={e.clone()} categories={(*categories).clone()} on_saved={on_saved} on_close={on_close}
                    on_category={{ let r = reload.clone(); Callback::from(move |_| r.set(*r + 1)) }} />
            }
            if let Some(l) = &list {
                <div class="scroll">
                <table data-testid="products">
                    <thead><tr>
                        <th scope="col">{ ctx.t("sku") }</th><th scope="col">{ ctx.t("name") }</th>
                        <th scope="col">{ ctx.t("category") }</th><th scope="col">{ ctx.t("barcodes") }</th>
                        <th scope="col" class="num">{ ctx.t("price") }</th><th scope="col" class="num">{ ctx.t("cost") }</th>
                        <th scope="col">{ ctx.t("unit") }</th><th></th>
                    </tr></thead>
                    <tbody>
                    { for l.items.iter().map(|p| {
                        let edit = { let (e, p) = (editing.clone(), p.clone()); Callback::from(move |_| e.set(Some(Some(p.clone())))) };
                        html! { <tr data-testid={format!("product-{}", p.sku)}>
                            <td>{ &p.sku }</td><td>{ &p.name }</td><td>{ cat_name(p.category_id) }</td>
                            <td>{ p.barcodes.join(", ") }</td><td class="num">{ rub_text(&p.default_price, ctx.lang) }</td>
                            <td class="num">{ rub_text(&p.cost, ctx.lang) }</td><td>{ &p.unit }</td>
                            <td><button onclick={edit} data-testid={format!("edit-{}", p.sku)}>{ ctx.t("edit") }</button></td>
                        </tr> }
                    }) }
                    </tbody>
                </table>
                </div>
                <Pager page={l.page} per_page={l.per_page} total={l.total} {onpage} />
            }
            <CsvImport on_done={{ let r = reload.clone(); Callback::from(move |_| r.set(*r + 1)) }} />
            <super::marking::MarkingGroups />
        </section>
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

fn money_error(s: &str, required: bool, msg: &str) -> Option<String> {
    if s.trim().is_empty() {
        return required.then(|| msg.to_owned());
    }
    match Money::parse(s.trim(), Currency::RUB) {
        Ok(m) if !m.is_negative() => None,
        _ => Some(msg.to_owned()),
    }
}

/// Creating or editing one product, and its store prices.
#[function_component(ProductEditor)]
pub fn product_editor(p: &EditorProps) -> Html {
    let ctx = use_ctx();
    let init = p.product.clone();
    let sku = use_state(|| init.as_ref().map(|x| x.sku.clone()).unwrap_or_default());
    let name = use_state(|| init.as_ref().map(|x| x.name.clone()).unwrap_or_default());
    let category = use_state(|| {
        init.as_ref()
            .and_then(|x| x.category_id)
            .map(|c| c.to_string())
            .unwrap_or_default()
    });
    let unit = use_state(|| {
        init.as_ref()
            .map(|x| x.unit.clone())
            .unwrap_or_else(|| "pcs".into())
    });
    let vat = use_state(|| {
        init.as_ref()
            .map(|x| x.vat.clone())
            .unwrap_or_else(|| "vat22".into())
    });
    let price = use_state(|| {
        init.as_ref()
            .map(|x| x.default_price.clone())
            .unwrap_or_default()
    });
    let cost = use_state(|| init.as_ref().map(|x| x.cost.clone()).unwrap_or_default());
    let barcodes = use_state(|| {
        init.as_ref()
            .map(|x| x.barcodes.join(", "))
            .unwrap_or_default()
    });
    let active = use_state(|| init.as_ref().is_none_or(|x| x.active));
    let marking = use_state(|| {
        init.as_ref()
            .and_then(|x| x.marking_group.clone())
            .unwrap_or_default()
    });
    let (groups, _) =
        use_fetch::<Vec<shared_model::marking::permit::MarkingGroup>>("/marking/groups".into(), 0);
    let new_cat = use_state(String::new);
    let error = use_state(|| None::<ApiError>);
    let tried = use_state(|| false);
    let saved = use_state(|| false);

    let barcode_err = parse_barcodes(&barcodes)
        .err()
        .map(|bad| format!("{}: {bad}", ctx.t("bad_barcode")));
    let sku_err = (*tried && sku.trim().is_empty()).then(|| ctx.t("required").to_owned());
    let name_err = (*tried && name.trim().is_empty()).then(|| ctx.t("required").to_owned());
    let price_err = money_error(&price, *tried, ctx.t("bad_money"));
    let cost_err = money_error(&cost, false, ctx.t("bad_money"));
    // The server's conflicts name the field they are about.
    let server_field = |f: &str| {
        error
            .as_ref()
            .filter(|e| e.status == 409 || e.status == 422)
            .filter(|e| e.message.to_lowercase().contains(f))
            .map(|e| e.message.clone())
    };
    let valid = barcode_err.is_none()
        && !sku.trim().is_empty()
        && !name.trim().is_empty()
        && price_err.is_none()
        && money_error(&price, true, "").is_none()
        && cost_err.is_none();

    let onsave = {
        let marking = marking.clone();
        let (sku, name, category, unit, vat, price, cost, barcodes, active) = (
            sku.clone(),
            name.clone(),
            category.clone(),
            unit.clone(),
            vat.clone(),
            price.clone(),
            cost.clone(),
            barcodes.clone(),
            active.clone(),
        );
        let (error, tried, saved, on_saved) = (
            error.clone(),
            tried.clone(),
            saved.clone(),
            p.on_saved.clone(),
        );
        let id = p.product.as_ref().map(|x| x.id);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            tried.set(true);
            saved.set(false);
            if !valid {
                return;
            }
            let codes = parse_barcodes(&barcodes).unwrap_or_default();
            let cat = Uuid::parse_str(&category).ok();
            let cost_v = if cost.trim().is_empty() {
                "0".to_owned()
            } else {
                cost.trim().to_owned()
            };
            let (error, saved, on_saved) = (error.clone(), saved.clone(), on_saved.clone());
            let body = match id {
                None => {
                    let group = Some((*marking).clone()).filter(|g| !g.is_empty());
                    json!({"sku": sku.trim(), "name": name.trim(), "category_id": cat, "unit": *unit,
                    "vat": *vat, "cost": cost_v, "default_price": price.trim(), "barcodes": codes,
                    "marking_group": group})
                }
                Some(_) => {
                    json!({"name": name.trim(), "category_id": cat, "vat": *vat, "cost": cost_v,
                    "default_price": price.trim(), "barcodes": codes, "active": *active,
                    "marking_group": *marking})
                }
            };
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
    let add_category = {
        let (new_cat, category, error, on_category) = (
            new_cat.clone(),
            category.clone(),
            error.clone(),
            p.on_category.clone(),
        );
        Callback::from(move |_| {
            let n = new_cat.trim().to_owned();
            if n.is_empty() {
                return;
            }
            let (new_cat, category, error, on_category) = (
                new_cat.clone(),
                category.clone(),
                error.clone(),
                on_category.clone(),
            );
            spawn(async move {
                match api::post::<_, Category>("/categories", &json!({"name": n})).await {
                    Ok(c) => {
                        category.set(c.id.to_string());
                        new_cat.set(String::new());
                        on_category.emit(());
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let mut cat_opts = vec![(String::new(), "—".to_owned())];
    cat_opts.extend(
        p.categories
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
    marking_opts.extend(
        groups
            .iter()
            .flatten()
            .map(|g| (g.code.clone(), g.name.clone())),
    );
    let close = p.on_close.reform(|_: MouseEvent| ());
    let is_new = p.product.is_none();
    html! {
        <div class="panel" data-testid="product-editor">
            <form onsubmit={onsave} novalidate=true>
                <h2>{ if is_new { ctx.t("new_product") } else { ctx.t("edit_product") } }</h2>
                <div class="grid">
                    if is_new {
                        <Field id="product-sku" label={ctx.t("sku")} value={(*sku).clone()} oninput={setter(&sku)} required=true error={sku_err.or_else(|| server_field("sku"))} />
                    } else {
                        <div class="field"><span class="label">{ ctx.t("sku") }</span><strong>{ &*sku }</strong></div>
                    }
                    <Field id="product-name" label={ctx.t("name")} value={(*name).clone()} oninput={setter(&name)} required=true error={name_err} />
                    <Field id="product-barcodes" label={ctx.t("barcodes")} value={(*barcodes).clone()} oninput={setter(&barcodes)}
                        placeholder="4006381333931" error={barcode_err.or_else(|| server_field("barcode"))} />
                    <Field id="product-price" label={ctx.t("default_price")} value={(*price).clone()} oninput={setter(&price)} required=true error={price_err} placeholder="0.00" />
                    <Field id="product-cost" label={ctx.t("cost")} value={(*cost).clone()} oninput={setter(&cost)} error={cost_err} placeholder="0.00" />
                    <Select id="product-vat" label={ctx.t("vat")} value={(*vat).clone()} options={vat_opts} onchange={setter(&vat)} />
                    if is_new {
                        <Select id="product-unit" label={ctx.t("unit")} value={(*unit).clone()} options={unit_opts} onchange={setter(&unit)} />
                    }
                    <Select id="product-marking" label={ctx.t("marking_group")} value={(*marking).clone()} options={marking_opts} onchange={setter(&marking)} />
                    <Select id="product-category-edit" label={ctx.t("category")} value={(*category).clone()} options={cat_opts} onchange={setter(&category)} />
                    <div class="field inline">
                        <Field id="category-new" label={ctx.t("new_category")} value={(*new_cat).clone()} oninput={setter(&new_cat)} />
                        <button type="button" onclick={add_category} data-testid="category-add">{ ctx.t("add") }</button>
                    </div>
                    if !is_new {
                        <label class="check"><input type="checkbox" checked={*active} data-testid="product-active-edit"
                            onchange={{ let a = active.clone(); Callback::from(move |e: Event| a.set(crate::widgets::event_checked(&e))) }} />
                            { ctx.t("active") }</label>
                    }
                </div>
                <ErrorBanner error={(*error).clone()} />
                if *saved { <p class="banner ok" role="status" data-testid="product-saved">{ ctx.t("saved") }</p> }
                <div class="actions">
                    <button type="submit" class="primary" data-testid="product-save">{ ctx.t("save") }</button>
                    <button type="button" onclick={close}>{ ctx.t("close") }</button>
                </div>
            </form>
            if let Some(prod) = &p.product {
                <StorePrices product={prod.clone()} />
            }
        </div>
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
    let price_err = money_error(&price, false, ctx.t("bad_money"));
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

/// Props of [`CsvImport`].
#[derive(Properties, PartialEq)]
pub struct CsvProps {
    /// The catalog changed.
    pub on_done: Callback<()>,
}

/// CSV export (a download) and import: preview first, then apply when nothing is wrong.
#[function_component(CsvImport)]
pub fn csv_import(p: &CsvProps) -> Html {
    let ctx = use_ctx();
    let text = use_state(String::new);
    let report = use_state(|| None::<ImportReport>);
    let error = use_state(|| None::<ApiError>);
    let run = |commit: bool| {
        let (text, report, error, done) = (
            text.clone(),
            report.clone(),
            error.clone(),
            p.on_done.clone(),
        );
        Callback::from(move |_| {
            let body = (*text).clone();
            let (report, error, done) = (report.clone(), error.clone(), done.clone());
            let path = if commit {
                "/catalog/import?commit=true"
            } else {
                "/catalog/import"
            };
            spawn(async move {
                match api::post_text::<ImportReport>(path, "text/csv", &body).await {
                    Ok(r) => {
                        if r.committed {
                            done.emit(());
                        }
                        report.set(Some(r));
                        error.set(None);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let onfile = {
        let text = text.clone();
        Callback::from(move |e: Event| {
            use wasm_bindgen::JsCast;
            let file = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                .and_then(|i| i.files())
                .and_then(|f| f.get(0));
            if let Some(f) = file {
                let text = text.clone();
                spawn(async move {
                    if let Ok(v) = wasm_bindgen_futures::JsFuture::from(f.text()).await {
                        text.set(v.as_string().unwrap_or_default());
                    }
                });
            }
        })
    };
    let can_apply = report
        .as_ref()
        .is_some_and(|r| r.errors.is_empty() && !r.committed);
    html! {
        <details class="subpanel" data-testid="csv">
            <summary>{ ctx.t("csv_title") }</summary>
            <p><a href={format!("{}/catalog/export", api::BASE)} download="catalog.csv" data-testid="csv-export">{ ctx.t("csv_export") }</a></p>
            <div class="field">
                <label for="csv-file">{ ctx.t("csv_file") }</label>
                <input id="csv-file" type="file" accept=".csv,text/csv" onchange={onfile} />
            </div>
            <div class="field">
                <label for="csv-text">{ ctx.t("csv_text") }</label>
                <textarea id="csv-text" data-testid="csv-text" rows="6" value={(*text).clone()}
                    oninput={{ let t = text.clone(); Callback::from(move |e: InputEvent| t.set(crate::widgets::event_value(&e))) }} />
            </div>
            <div class="actions">
                <button onclick={run(false)} data-testid="csv-preview">{ ctx.t("preview") }</button>
                <button class="primary" onclick={run(true)} disabled={!can_apply} data-testid="csv-apply">{ ctx.t("apply") }</button>
            </div>
            <ErrorBanner error={(*error).clone()} />
            if let Some(r) = &*report {
                <p data-testid="csv-summary">{ format!("{}: {} · {}: {} · {}: {} · {}: {}{}", ctx.t("rows"), r.rows, ctx.t("created"), r.created,
                    ctx.t("updated"), r.updated, ctx.t("unchanged"), r.unchanged, if r.committed { format!(" · {}", ctx.t("applied")) } else { String::new() }) }</p>
                if !r.errors.is_empty() {
                    <table data-testid="csv-errors"><thead><tr><th scope="col">{ ctx.t("line") }</th><th scope="col">{ ctx.t("column") }</th><th scope="col">{ ctx.t("problem") }</th></tr></thead>
                    <tbody>{ for r.errors.iter().map(|e| html! { <tr><td>{ e.line }</td><td>{ e.column.clone().unwrap_or_default() }</td><td>{ &e.message }</td></tr> }) }</tbody></table>
                }
            }
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::parse_barcodes;

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
