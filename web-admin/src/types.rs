//! What the server sends and takes: `shared_model::api`, the one definition the server's
//! contract test checks; and how the admin shows a report cell.

pub use shared_model::api::*;

/// A report cell as text: strings as they are, numbers printed, null empty.
pub use shared_model::display::cell_text as cell;
