//! Paginated lists: `?page=1&per_page=50` in, `{items, page, per_page, total}` out.

use serde::{Deserialize, Serialize};
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::{Arguments, Postgres};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiResult};

/// Page selection.
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    /// 1-based page number (default 1).
    pub page: Option<u32>,
    /// Items per page, 1–200 (default 50).
    pub per_page: Option<u32>,
}

impl PageParams {
    /// `(limit, offset)` for SQL.
    pub fn limit_offset(&self) -> (i64, i64) {
        let per = self.per_page.unwrap_or(50).clamp(1, 200) as i64;
        let page = self.page.unwrap_or(1).max(1) as i64;
        (per, (page - 1) * per)
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// This page's number.
    pub page: u32,
    /// Page size.
    pub per_page: u32,
    /// Items in the whole list.
    pub total: i64,
}

impl<T> Page<T> {
    /// Wraps items fetched with `p`'s limit and offset.
    pub fn new(items: Vec<T>, p: PageParams, total: i64) -> Self {
        let (per, _) = p.limit_offset();
        Page {
            items,
            page: p.page.unwrap_or(1).max(1),
            per_page: per as u32,
            total,
        }
    }

    /// The same page with each item converted.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            page: self.page,
            per_page: self.per_page,
            total: self.total,
        }
    }
}

/// A filtered list to page through: its `FROM … WHERE …` and the filter's arguments,
/// bound once and used by both the page's query and its count.
pub struct Listing<'a> {
    from: &'a str,
    args: PgArguments,
}

impl<'a> Listing<'a> {
    /// A list of the rows `from` (`FROM … WHERE … [GROUP BY …]`, arguments `$1`, `$2`, …
    /// in order).
    pub fn new(from: &'a str) -> Self {
        Listing {
            from,
            args: PgArguments::default(),
        }
    }

    /// Binds the filter's next argument.
    pub fn bind<T>(mut self, value: T) -> ApiResult<Self>
    where
        T: for<'q> sqlx::Encode<'q, Postgres> + sqlx::Type<Postgres>,
    {
        self.args.add(value).map_err(ApiError::internal)?;
        Ok(self)
    }

    /// The page `p` of `SELECT columns FROM … ORDER BY order`, and how many rows the
    /// filter finds in all.
    pub async fn page<T>(
        self,
        db: &sqlx::PgPool,
        columns: &str,
        order: &str,
        p: PageParams,
    ) -> ApiResult<Page<T>>
    where
        T: for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
    {
        let (limit, offset) = p.limit_offset();
        let n = self.args.len();
        let mut page_args = self.args.clone();
        page_args.add(limit).map_err(ApiError::internal)?;
        page_args.add(offset).map_err(ApiError::internal)?;
        let sql = format!(
            "SELECT {columns} {} ORDER BY {order} LIMIT ${} OFFSET ${}",
            self.from,
            n + 1,
            n + 2
        );
        let items: Vec<T> = sqlx::query_as_with(&sql, page_args).fetch_all(db).await?;
        // Counted over the rows themselves, so a `GROUP BY` in `from` counts groups.
        let count = format!("SELECT COUNT(*) FROM (SELECT 1 {}) AS listed", self.from);
        let total: i64 = sqlx::query_scalar_with(&count, self.args)
            .fetch_one(db)
            .await?;
        Ok(Page::new(items, p, total))
    }
}
