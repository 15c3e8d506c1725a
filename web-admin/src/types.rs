//! What the server sends and takes: `shared_model::api`, the one definition the server's
//! contract test checks; and how the admin shows a report cell.

use serde_json::Value;

pub use shared_model::api::*;

/// A report cell as text: strings as they are, numbers printed, null empty.
pub fn cell(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(v) => v.to_string(),
    }
}
