//! Building blocks every page uses: labelled fields with their error beside them, selects,
//! an error banner, a pager, a report table and a bar chart.

use shared_model::{Currency, Locale, Money};
use yew::prelude::*;

use crate::api::ApiError;
use crate::ctx::Ctx;
use crate::types::{cell, Report};

/// The page's context (always provided inside the shell).
#[hook]
pub fn use_ctx() -> Ctx {
    use_context::<Ctx>().unwrap_or_else(|| panic!("pages render inside the app shell"))
}

/// Runs a future on the browser's event loop.
pub fn spawn(f: impl std::future::Future<Output = ()> + 'static) {
    wasm_bindgen_futures::spawn_local(f);
}

/// The value of the input or select an event came from.
pub fn event_value(e: &Event) -> String {
    use wasm_bindgen::JsCast;
    let Some(t) = e.target() else {
        return String::new();
    };
    if let Some(i) = t.dyn_ref::<web_sys::HtmlInputElement>() {
        i.value()
    } else if let Some(s) = t.dyn_ref::<web_sys::HtmlSelectElement>() {
        s.value()
    } else if let Some(a) = t.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        a.value()
    } else {
        String::new()
    }
}

/// Whether the checkbox an event came from is ticked.
pub fn event_checked(e: &Event) -> bool {
    use wasm_bindgen::JsCast;
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .is_some_and(|i| i.checked())
}

/// A callback that changes one text field of a form held in one state.
pub fn edit_with<F: Clone + 'static>(
    form: &UseStateHandle<F>,
    change: fn(&mut F, String),
) -> Callback<String> {
    let form = form.clone();
    Callback::from(move |v: String| {
        let mut f = (*form).clone();
        change(&mut f, v);
        form.set(f);
    })
}

/// A state setter as an input callback.
pub fn setter(s: &UseStateHandle<String>) -> Callback<String> {
    let s = s.clone();
    Callback::from(move |v: String| s.set(v))
}

/// Props of [`Field`].
#[derive(Properties, PartialEq)]
pub struct FieldProps {
    /// Element id and test id.
    pub id: AttrValue,
    /// Label text.
    pub label: AttrValue,
    /// Current value.
    pub value: AttrValue,
    /// New value as typed.
    pub oninput: Callback<String>,
    /// What is wrong with it, shown beside it.
    #[prop_or_default]
    pub error: Option<String>,
    /// Input type.
    #[prop_or(AttrValue::Static("text"))]
    pub kind: AttrValue,
    /// Must be filled in.
    #[prop_or_default]
    pub required: bool,
    /// Hint inside the empty field.
    #[prop_or_default]
    pub placeholder: AttrValue,
}

/// A labelled input with its error next to it.
#[function_component(Field)]
pub fn field(p: &FieldProps) -> Html {
    let oninput = {
        let cb = p.oninput.clone();
        Callback::from(move |e: InputEvent| cb.emit(event_value(&e)))
    };
    let err_id = format!("{}-error", p.id);
    html! {
        <div class={classes!("field", p.error.is_some().then_some("invalid"))}>
            <label for={p.id.clone()}>{ p.label.clone() }</label>
            <input id={p.id.clone()} data-testid={p.id.clone()} type={p.kind.clone()}
                value={p.value.clone()} {oninput} required={p.required}
                placeholder={p.placeholder.clone()}
                aria-invalid={p.error.is_some().then_some("true")}
                aria-describedby={p.error.is_some().then_some(err_id.clone())} />
            if let Some(e) = &p.error {
                <span class="error" id={err_id} data-testid={format!("{}-error", p.id)}>{ e.clone() }</span>
            }
        </div>
    }
}

/// Props of [`Select`].
#[derive(Properties, PartialEq)]
pub struct SelectProps {
    /// Element id and test id.
    pub id: AttrValue,
    /// Label text.
    pub label: AttrValue,
    /// Selected value.
    pub value: AttrValue,
    /// `(value, text)` pairs.
    pub options: Vec<(String, String)>,
    /// New value.
    pub onchange: Callback<String>,
}

/// A labelled select.
#[function_component(Select)]
pub fn select(p: &SelectProps) -> Html {
    let onchange = {
        let cb = p.onchange.clone();
        Callback::from(move |e: Event| cb.emit(event_value(&e)))
    };
    html! {
        <div class="field">
            <label for={p.id.clone()}>{ p.label.clone() }</label>
            <select id={p.id.clone()} data-testid={p.id.clone()} {onchange}>
                { for p.options.iter().map(|(v, t)| html! {
                    <option value={v.clone()} selected={*v == *p.value}>{ t.clone() }</option>
                }) }
            </select>
        </div>
    }
}

/// Location choices for a select, with an optional "all"/"choose" first entry.
pub fn location_options(
    ctx: &Ctx,
    first: Option<&'static str>,
    stores_only: bool,
) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = first
        .map(|k| vec![(String::new(), ctx.t(k).to_owned())])
        .unwrap_or_default();
    v.extend(
        ctx.locations
            .iter()
            .filter(|l| !stores_only || l.kind == "store")
            .map(|l| (l.id.to_string(), format!("{} · {}", l.code, l.name))),
    );
    v
}

/// Props of [`ErrorBanner`].
#[derive(Properties, PartialEq)]
pub struct ErrorProps {
    /// The error, if any.
    pub error: Option<ApiError>,
}

/// A failed call, worded for people (the server's message; a network failure as such).
#[function_component(ErrorBanner)]
pub fn error_banner(p: &ErrorProps) -> Html {
    let ctx = use_ctx();
    match &p.error {
        None => html! {},
        Some(e) => {
            let text = match e.status {
                0 => ctx.t("network_error").to_owned(),
                403 => ctx.t("forbidden").to_owned(),
                _ => e.message.clone(),
            };
            html! { <p class="banner error" role="alert" data-testid="error">{ text }</p> }
        }
    }
}

/// Props of [`Pager`].
#[derive(Properties, PartialEq)]
pub struct PagerProps {
    /// Current page (1-based).
    pub page: u32,
    /// Page size.
    pub per_page: u32,
    /// Items in all.
    pub total: i64,
    /// Go to a page.
    pub onpage: Callback<u32>,
}

/// Previous / next with "page n of m".
#[function_component(Pager)]
pub fn pager(p: &PagerProps) -> Html {
    let ctx = use_ctx();
    let pages = ((p.total.max(0) as u32).div_ceil(p.per_page.max(1))).max(1);
    let prev = {
        let (cb, n) = (p.onpage.clone(), p.page);
        Callback::from(move |_| cb.emit(n.saturating_sub(1).max(1)))
    };
    let next = {
        let (cb, n) = (p.onpage.clone(), p.page);
        Callback::from(move |_| cb.emit(n + 1))
    };
    html! {
        <div class="pager">
            <button onclick={prev} disabled={p.page <= 1}>{ "‹" }</button>
            <span>{ format!("{} {} / {} · {} {}", ctx.t("page"), p.page, pages, p.total, ctx.t("items")) }</span>
            <button onclick={next} disabled={p.page >= pages}>{ "›" }</button>
        </div>
    }
}

/// Props of [`ReportTable`].
#[derive(Properties, PartialEq)]
pub struct ReportProps {
    /// The report.
    pub report: Report,
    /// Test id.
    #[prop_or(AttrValue::Static("report"))]
    pub id: AttrValue,
    /// Columns not to show (ids).
    #[prop_or_default]
    pub hide: Vec<&'static str>,
    /// When not empty: only these columns, in this order.
    #[prop_or_default]
    pub only: Vec<&'static str>,
}

/// Any report as a table; numbers right-aligned.
#[function_component(ReportTable)]
pub fn report_table(p: &ReportProps) -> Html {
    let ctx = use_ctx();
    let cols: Vec<&String> = if p.only.is_empty() {
        p.report
            .columns
            .iter()
            .filter(|c| !p.hide.contains(&c.as_str()))
            .collect()
    } else {
        p.only
            .iter()
            .filter_map(|o| p.report.columns.iter().find(|c| c == o))
            .collect()
    };
    if p.report.rows.is_empty() {
        return html! { <p class="empty" data-testid={p.id.clone()}>{ ctx.t("no_rows") }</p> };
    }
    html! {
        <div class="scroll">
        <table data-testid={p.id.clone()}>
            <thead><tr>{ for cols.iter().map(|c| {
                let num = p.report.kind(c).is_figure();
                html! { <th scope="col" class={classes!(num.then_some("num"))}>{ crate::i18n::column(ctx.lang, c) }</th> }
            }) }</tr></thead>
            <tbody>
            { for p.report.rows.iter().map(|r| html! {
                <tr>{ for cols.iter().map(|c| {
                    let v = r.get(c.as_str());
                    let kind = p.report.kind(c);
                    let num = kind.is_figure();
                    let text = if matches!(c.as_str(), "what" | "tender" | "status" | "kind" | "health" | "fiscal" | "check" | "checked_by" | "state") {
                        crate::i18n::value(ctx.lang, cell(v))
                    } else if c.as_str() == "problems" {
                        crate::i18n::problems(ctx.lang, &cell(v))
                    } else {
                        kind.show(v, ctx.lang)
                    };
                    html! { <td class={classes!(num.then_some("num"))}>{ text }</td> }
                }) }</tr>
            }) }
            </tbody>
        </table>
        </div>
    }
}

/// Money sent as an exact decimal (`12591.00`) as its reader expects it (`12 591,00 ₽`).
pub fn rub_text(s: &str, lang: Locale) -> String {
    Money::parse(s, Currency::RUB).map_or_else(|_| s.to_owned(), |m| m.format(lang))
}

/// A moment sent in UTC (RFC 3339) as its reader's local date and minute; anything
/// else as it came.
pub fn moment(ts: &str, lang: Locale) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(ts));
    if d.get_time().is_nan() {
        return ts.to_owned();
    }
    chrono::NaiveDate::from_ymd_opt(d.get_full_year() as i32, d.get_month() + 1, d.get_date())
        .and_then(|day| day.and_hms_opt(d.get_hours(), d.get_minutes(), 0))
        .map_or_else(
            || ts.to_owned(),
            |t| shared_model::display::date_time(t, lang),
        )
}

/// Money in a report cell as kopecks (0 when it is not money).
pub fn minor(v: Option<&serde_json::Value>) -> i64 {
    v.and_then(|v| v.as_str())
        .and_then(|s| Money::parse(s, Currency::RUB).ok())
        .map(|m| m.minor)
        .unwrap_or(0)
}

/// Props of [`BarChart`].
#[derive(Properties, PartialEq)]
pub struct ChartProps {
    /// `(label, value in kopecks)` bars.
    pub bars: Vec<(String, i64)>,
    /// Accessible title.
    pub title: AttrValue,
    /// Test id.
    #[prop_or(AttrValue::Static("chart"))]
    pub id: AttrValue,
}

/// Horizontal bars, each with its label and amount, scaled to the largest. Drawn in HTML,
/// not a scaled SVG, so its words keep the page's type size in a card of any width.
#[function_component(BarChart)]
pub fn bar_chart(p: &ChartProps) -> Html {
    let ctx = use_ctx();
    let max = p.bars.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    html! {
        <figure class="chart" data-testid={p.id.clone()} role="img" aria-label={p.title.clone()}>
            { for p.bars.iter().map(|(label, v)| {
                // Pixel geometry only (tenths of a percent): the amount shown is exact.
                let width = (*v).max(0).saturating_mul(1000) / max;
                html! {
                    <div class="bar-row">
                        <span class="bar-label">{ label.clone() }</span>
                        <span class="bar-track"><span class="bar" style={format!("width: {}.{}%", width / 10, width % 10)}></span></span>
                        <span class="bar-value num">{ Money::rub(*v).format(ctx.lang) }</span>
                    </div>
                }
            }) }
        </figure>
    }
}

/// A flag an effect's cleanup raises when its inputs change, so the answer to an outdated
/// query (typing "pr" after "p") never overwrites the newer one's.
pub fn stale_guard() -> (std::rc::Rc<std::cell::Cell<bool>>, impl FnOnce()) {
    let stale = std::rc::Rc::new(std::cell::Cell::new(false));
    let raise = stale.clone();
    (stale, move || raise.set(true))
}

/// What a GET answered: the value once it came, and the error if it failed. Fetches again
/// when `path` or `reload` change (an empty path: not yet); the answer to an outdated path
/// is dropped.
#[hook]
pub fn use_fetch<T>(path: String, reload: u32) -> (Option<T>, Option<ApiError>)
where
    T: serde::de::DeserializeOwned + Clone + 'static,
{
    let value = use_state(|| None::<T>);
    let error = use_state(|| None::<ApiError>);
    {
        let (value, error) = (value.clone(), error.clone());
        use_effect_with((path, reload), move |(path, _)| {
            let path = path.clone();
            let (stale, cancel) = stale_guard();
            spawn(async move {
                if path.is_empty() {
                    return;
                }
                let r = crate::api::get::<T>(&path).await;
                if stale.get() {
                    return;
                }
                match r {
                    Ok(v) => {
                        value.set(Some(v));
                        error.set(None);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
            cancel
        });
    }
    ((*value).clone(), (*error).clone())
}
