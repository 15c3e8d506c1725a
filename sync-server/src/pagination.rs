//! Paginated lists: `?page=1&per_page=50` in, `{items, page, per_page, total}` out.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

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
}
