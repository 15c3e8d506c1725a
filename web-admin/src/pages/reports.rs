//! Reports: any report of the reports API as a table, with a bar chart where a money
//! column has a name to go with it, a period and store filter, and the same figures as
//! CSV (the server's export, so the file and the screen cannot differ).

use chrono::{Days, NaiveDate};
use shared_model::Locale;
use yew::prelude::*;

use crate::api;
use crate::types::{Report, REPORTS};
use crate::widgets::{
    location_options, minor, setter, use_ctx, use_fetch, BarChart, ErrorBanner, Field, ReportTable,
    Select,
};

/// `days` before `d`.
pub fn days_before(d: NaiveDate, days: u64) -> NaiveDate {
    d.checked_sub_days(Days::new(days)).unwrap_or(d)
}

/// The bars a report suggests: its name column against its first money column.
pub fn bars_of(r: &Report, lang: Locale) -> Vec<(String, i64)> {
    let label = ["name", "store", "period", "tender", "vat", "what", "day"]
        .into_iter()
        .find(|c| r.columns.iter().any(|x| x == c));
    let value = ["net", "sales", "amount", "value"]
        .into_iter()
        .find(|c| r.columns.iter().any(|x| x == c));
    match (label, value) {
        (Some(l), Some(v)) => r
            .rows
            .iter()
            .take(30)
            .map(|row| (r.kind(l).show(row.get(l), lang), minor(row.get(v))))
            .collect(),
        _ => Vec::new(),
    }
}

/// Props of [`ReportView`].
#[derive(Properties, PartialEq)]
pub struct ReportViewProps {
    /// The report's path (may carry fixed parameters).
    pub path: AttrValue,
    /// It takes a period.
    #[prop_or(true)]
    pub with_period: bool,
    /// Test id prefix.
    #[prop_or(AttrValue::Static("report"))]
    pub id: AttrValue,
}

/// One report with its filters, chart, table and CSV link.
#[function_component(ReportView)]
pub fn report_view(p: &ReportViewProps) -> Html {
    let ctx = use_ctx();
    let today = crate::clock::stores_today(&ctx.locations);
    let to = use_state(|| today.to_string());
    let from = use_state(|| days_before(today, 6).to_string());
    let location = use_state(String::new);
    let from_err = NaiveDate::parse_from_str(&from, "%Y-%m-%d")
        .is_err()
        .then(|| ctx.t("bad_date").to_owned());
    let to_err = NaiveDate::parse_from_str(&to, "%Y-%m-%d")
        .is_err()
        .then(|| ctx.t("bad_date").to_owned());
    let params = api::query(&[
        ("from", (*from).clone()),
        ("to", (*to).clone()),
        ("location_id", (*location).clone()),
    ]);
    let sep = if p.path.contains('?') { "&" } else { "?" };
    let full = format!("{}{}{}", p.path, sep, params.trim_start_matches('?'));
    let ok = from_err.is_none() && to_err.is_none();
    let (report, error) = use_fetch::<Report>(if ok { full.clone() } else { String::new() }, 0);
    let csv = format!("{}{}&format=csv", api::BASE, full);
    let id = p.id.clone();
    html! {
        <div class="report">
            <div class="toolbar">
                if p.with_period {
                    <Field id={format!("{id}-from")} label={ctx.t("from_date")} kind="date" value={(*from).clone()} oninput={setter(&from)} error={from_err} />
                    <Field id={format!("{id}-to")} label={ctx.t("to_date")} kind="date" value={(*to).clone()} oninput={setter(&to)} error={to_err} />
                }
                <Select id={format!("{id}-location")} label={ctx.t("location")} value={(*location).clone()}
                    options={location_options(&ctx, Some("all"), false)} onchange={setter(&location)} />
                <a class="button" href={csv} download="report.csv" data-testid={format!("{id}-csv")}>{ ctx.t("export_csv") }</a>
            </div>
            <ErrorBanner error={error} />
            if let Some(r) = &report {
                if bars_of(r, ctx.lang).len() > 1 {
                    <BarChart bars={bars_of(r, ctx.lang)} title={ctx.t("chart")} id={format!("{id}-chart")} />
                }
                <ReportTable report={r.clone()} id={id.clone()} hide={vec!["location_id", "terminal_id", "shift_id", "cashier_id", "product_id", "key"]} />
            }
        </div>
    }
}

/// The reports page: pick a report, read it.
#[function_component(Reports)]
pub fn reports() -> Html {
    let ctx = use_ctx();
    let chosen = use_state(|| 0usize);
    let (path, _, period) = REPORTS[(*chosen).min(REPORTS.len() - 1)];
    let options = REPORTS
        .iter()
        .enumerate()
        .map(|(i, (_, k, _))| (i.to_string(), ctx.t(k).to_owned()))
        .collect::<Vec<_>>();
    let onchange = {
        let chosen = chosen.clone();
        Callback::from(move |v: String| chosen.set(v.parse().unwrap_or(0)))
    };
    html! {
        <section>
            <h1>{ ctx.t("nav_reports") }</h1>
            <Select id="report-kind" label={ctx.t("report")} value={chosen.to_string()} {options} {onchange} />
            <ReportView key={path} path={path} with_period={period} />
        </section>
    }
}
