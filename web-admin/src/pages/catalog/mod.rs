//! The catalog: products with search, filters and paging; a product's editor (`product`)
//! with its prices per store (`prices`); and bulk CSV export and import with a preview of
//! every row's problems.

mod prices;
mod product;

use product::ProductEditor;
use uuid::Uuid;
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::types::{Category, ImportReport, Page, Product};
use crate::widgets::{rub_text, spawn, use_ctx, use_fetch, ErrorBanner, Field, Pager, Select};

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
