//! Store-local time in the browser: promotion hours and report days are the stores'
//! local time (as at their tills and in head office's rollups), not the browser's.

use chrono::{NaiveDate, NaiveDateTime};
use wasm_bindgen::{JsCast, JsValue};

use crate::types::Location;

/// Now in a store's time zone (promotion hours and report days are the store's, as at
/// its tills); the browser's own clock when the zone is unknown to the browser.
pub fn local_now(timezone: Option<&str>) -> NaiveDateTime {
    let date = js_sys::Date::new_0();
    let local = || {
        NaiveDate::from_ymd_opt(
            date.get_full_year() as i32,
            date.get_month() + 1,
            date.get_date(),
        )
        .and_then(|day| day.and_hms_opt(date.get_hours(), date.get_minutes(), 0))
        .unwrap_or_default()
    };
    let Some(tz) = timezone else {
        return local();
    };
    // Swedish dates are ISO-shaped ("2026-12-07 23:15:00"); `Reflect::apply` catches
    // the RangeError a zone name the browser does not know throws.
    let options = js_sys::Object::new();
    let set = |k: &str, v: &str| {
        js_sys::Reflect::set(&options, &JsValue::from_str(k), &JsValue::from_str(v))
    };
    let formatted: Option<String> = set("timeZone", tz)
        .and_then(|_| set("hourCycle", "h23"))
        .and_then(|_| js_sys::Reflect::get(&date, &JsValue::from_str("toLocaleString")))
        .and_then(|f| {
            let args = js_sys::Array::of2(&JsValue::from_str("sv-SE"), &options);
            js_sys::Reflect::apply(f.unchecked_ref::<js_sys::Function>(), &date, &args)
        })
        .ok()
        .and_then(|v: JsValue| v.as_string());
    formatted
        .and_then(|s| NaiveDateTime::parse_from_str(&s, "%Y-%m-%d %H:%M:%S").ok())
        .unwrap_or_else(local)
}

/// Today as the stores see it: the latest local date among them (a store east of the
/// manager may already be in tomorrow), or the browser's date with no stores.
pub fn stores_today(locations: &[Location]) -> NaiveDate {
    locations
        .iter()
        .filter(|l| l.kind == "store")
        .map(|l| local_now(Some(&l.timezone)).date())
        .max()
        .unwrap_or_else(|| local_now(None).date())
}
