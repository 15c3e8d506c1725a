//! Helpers shared by the till tests.

use std::path::Path;

use pos_desktop::{InitOptions, Till};
use rusqlite::Connection;
use tempfile::TempDir;

/// A demo till in a temp dir, demo cashier logged in, shift not yet open.
pub fn demo_till() -> (TempDir, Till) {
    let dir = tempfile::tempdir().expect("temp dir");
    let till = Till::init(
        dir.path(),
        &InitOptions {
            demo: true,
            ..Default::default()
        },
    )
    .expect("init demo till");
    (dir, till)
}

/// A demo till with a shift open on a 5 000 ₽ float.
pub fn open_till() -> (TempDir, Till) {
    let (dir, mut till) = demo_till();
    till.open_shift("5000.00").expect("open shift");
    (dir, till)
}

/// Every row of every table, in a stable order: equal snapshots mean nothing changed.
pub fn snapshot(dir: &Path) -> String {
    let c = Connection::open(dir.join(pos_desktop::DB_FILE)).expect("open db");
    let tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("tables");
    let mut out = String::new();
    for t in tables {
        let mut st = c
            .prepare(&format!("SELECT * FROM \"{t}\" ORDER BY 1, 2"))
            .expect("select");
        let n = st.column_count();
        let rows: Vec<String> = st
            .query_map([], |r| {
                Ok((0..n)
                    .map(|i| format!("{:?}", r.get_ref(i).map(|v| format!("{v:?}"))))
                    .collect::<Vec<_>>()
                    .join("|"))
            })
            .and_then(|rows| rows.collect())
            .expect("rows");
        out.push_str(&format!("## {t}\n{}\n", rows.join("\n")));
    }
    out
}

/// Barcode of a demo product by SKU.
pub fn barcode(till: &Till, sku: &str) -> String {
    till.find_product(sku).expect("demo product").barcodes[0].clone()
}
