//! The editor's form model: what the manager types, checked and built into a
//! definition (and back), with the field at fault named.

use chrono::{NaiveDate, NaiveDateTime};
use shared_model::pricing::{Discount, Percent};
use shared_model::promotions::{check_definition, Conditions, PromoKind, Target};
use shared_model::{Currency, Money, Quantity};
use uuid::Uuid;

use crate::types::{Product, PromotionDef};

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

/// The i18n key (and form code) of a promotion's kind.
pub(super) fn kind_key(k: &PromoKind) -> &'static str {
    match k {
        PromoKind::PercentOff { .. } => "percent_off",
        PromoKind::AmountOff { .. } => "amount_off",
        PromoKind::BuyXGetY { .. } => "buy_x_get_y",
        PromoKind::Bundle { .. } => "bundle",
        PromoKind::SpendThreshold { .. } => "spend_threshold",
    }
}
