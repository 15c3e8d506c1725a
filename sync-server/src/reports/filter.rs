//! What every report is filtered by, checked once at the edge. Days are store-local:
//! a sale belongs to the day on the store's clock when it was made.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::rbac::Scope;

/// The longest period one report covers (three years and a day or so).
const MAX_DAYS: i64 = 1_100;

/// How rows are grouped in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Grouping {
    /// One row per day.
    Day,
    /// One row per ISO week (starting Monday).
    Week,
    /// One row per calendar month.
    Month,
    /// One row for the whole period.
    #[default]
    Total,
}

impl Grouping {
    /// The SQL code the queries switch on.
    pub fn code(self) -> &'static str {
        match self {
            Grouping::Day => "day",
            Grouping::Week => "week",
            Grouping::Month => "month",
            Grouping::Total => "total",
        }
    }
}

/// JSON (default) or a CSV download.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// `{"columns", "rows"}`.
    #[default]
    Json,
    /// CSV with a header line.
    Csv,
    /// An Excel workbook (one sheet, numbers as numbers).
    Xlsx,
}

/// Query parameters of the reports.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// First day (store-local, inclusive).
    pub from: NaiveDate,
    /// Last day (store-local, inclusive).
    pub to: NaiveDate,
    /// One store.
    pub location_id: Option<Uuid>,
    /// One till.
    pub terminal_id: Option<Uuid>,
    /// One cashier.
    pub cashier_id: Option<Uuid>,
    /// One category (goods figures only).
    pub category_id: Option<Uuid>,
    /// One product (goods figures only).
    pub product_id: Option<Uuid>,
    /// Rows per day, week, month or one for the period.
    #[param(inline)]
    pub group: Option<Grouping>,
    /// `json`, `csv` or `xlsx`.
    #[param(inline)]
    pub format: Option<Format>,
    /// Rankings: `top` (best first, the default) or `bottom`.
    #[param(inline)]
    pub order: Option<Order>,
    /// Rankings: how many rows (default all).
    pub limit: Option<u32>,
    /// Stock: only negative levels.
    pub negative: Option<bool>,
    /// Sync health: only tills not seen for this many hours (or never).
    pub stale_hours: Option<u32>,
    /// Fiscal receipts: only sales still without one (in stores that sell fiscally);
    /// registers: only those that need someone.
    pub attention: Option<bool>,
}

/// Best or worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    /// Highest net sales first.
    #[default]
    Top,
    /// Lowest first.
    Bottom,
}

/// A checked report filter with the caller's scope applied.
#[derive(Debug, Clone)]
pub struct Filter {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub location: Option<Uuid>,
    /// The caller's stores (`None`: all).
    pub scope: Option<Vec<Uuid>>,
    pub terminal: Option<Uuid>,
    pub cashier: Option<Uuid>,
    pub category: Option<Uuid>,
    pub product: Option<Uuid>,
    pub group: Grouping,
    pub order: Order,
    pub limit: Option<i64>,
    pub negative_only: bool,
    pub stale_hours: Option<i64>,
    pub attention: bool,
}

impl Filter {
    /// Checks the period and the store against the caller's scope.
    pub fn new(q: &ReportQuery, scope: &Scope) -> ApiResult<Filter> {
        if q.to < q.from {
            return Err(ApiError::Validation("`to` is before `from`".into()));
        }
        if (q.to - q.from).num_days() > MAX_DAYS {
            return Err(ApiError::Validation(format!(
                "a report covers at most {MAX_DAYS} days"
            )));
        }
        if let Some(l) = q.location_id {
            scope.check(l)?;
        }
        Ok(Filter {
            from: q.from,
            to: q.to,
            location: q.location_id,
            scope: scope.ids(),
            terminal: q.terminal_id,
            cashier: q.cashier_id,
            category: q.category_id,
            product: q.product_id,
            group: q.group.unwrap_or_default(),
            order: q.order.unwrap_or_default(),
            limit: q.limit.map(i64::from),
            negative_only: q.negative.unwrap_or(false),
            stale_hours: q.stale_hours.map(i64::from),
            attention: q.attention.unwrap_or(false),
        })
    }

    /// Whether the filter names goods (then receipt-level rollups cannot answer).
    pub fn on_goods(&self) -> bool {
        self.category.is_some() || self.product.is_some()
    }

    /// Whether the filter names a till or a cashier.
    pub fn on_people(&self) -> bool {
        self.terminal.is_some() || self.cashier.is_some()
    }
}

/// The common predicate over a table with `day`, `location_id`, and (when `people`)
/// `terminal_id` and `cashier_id` columns, with parameters `$1`–`$6` as [`bind`] binds.
pub fn predicate(day: &str, loc: &str, people: Option<(&str, &str)>) -> String {
    let mut p = format!(
        "{day} BETWEEN $1 AND $2 AND ($3::uuid IS NULL OR {loc} = $3) AND ($4::uuid[] IS NULL OR {loc} = ANY($4))"
    );
    if let Some((t, c)) = people {
        p.push_str(&format!(
            " AND ($5::uuid IS NULL OR {t} = $5) AND ($6::uuid IS NULL OR {c} = $6)"
        ));
    } else {
        p.push_str(" AND ($5::uuid IS NULL OR TRUE) AND ($6::uuid IS NULL OR TRUE)");
    }
    p
}

/// The SQL bucket of a store-local day `day` for the grouping in parameter `$7`.
pub fn bucket(day: &str) -> String {
    format!(
        "CASE $7 WHEN 'day' THEN {day} WHEN 'week' THEN date_trunc('week', {day})::date
                 WHEN 'month' THEN date_trunc('month', {day})::date ELSE $1 END"
    )
}

/// Binds `$1`–`$7` of [`predicate`] and [`bucket`].
macro_rules! bind_filter {
    ($q:expr, $f:expr) => {
        $q.bind($f.from)
            .bind($f.to)
            .bind($f.location)
            .bind($f.scope.clone())
            .bind($f.terminal)
            .bind($f.cashier)
            .bind($f.group.code())
    };
}
pub(crate) use bind_filter;
