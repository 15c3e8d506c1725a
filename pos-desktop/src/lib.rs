//! The Al Aroma till engine: everything a till does — selling, returns, shifts, stock,
//! fiscal receipts through the register port, marking checks, sync with head office —
//! over a local SQLite file written first, and no GUI. The `pos-till` CLI and the Tauri
//! window (`src/bin/pos-desktop`, UI in `ui/`) are thin layers over [`Till`].

pub mod auth;
pub mod cart;
mod cart_model;
pub mod catalog;
pub mod certificates;
pub mod customers;
mod db;
pub mod demo;
pub mod error;
pub mod fiscal;
mod ledger;
pub mod marking;
pub mod outbox;
pub mod printer;
mod promos;
pub mod provision;
pub mod receipt;
pub mod returns;
pub mod sale;
pub mod settings;
pub mod shift;
pub mod stock;
pub mod sync;
pub mod sync_loop;
pub mod updates;
pub mod upgrade;
pub mod verify;

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use shared_model::{Currency, Locale, Role};
use uuid::Uuid;

pub use error::{Result, TillError};

/// File name of the till database inside its data directory.
pub const DB_FILE: &str = "till.db";

/// How to set up a new till.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// Store name printed on receipts.
    pub store_name: String,
    /// Load the demo catalog, demo cashiers and opening stock, and log in the demo cashier.
    pub demo: bool,
    /// Receipt and message language.
    pub locale: Locale,
}

impl Default for InitOptions {
    fn default() -> Self {
        Self {
            store_name: "Al Aroma".into(),
            demo: false,
            locale: Locale::Ru,
        }
    }
}

/// An open till: one SQLite database holding catalog, cashiers, carts, sales,
/// shifts and the outbox of events for head office.
pub struct Till {
    conn: Connection,
    terminal_id: Uuid,
    currency: Currency,
    locale: Locale,
    dir: PathBuf,
    /// The promotions last read from this database (see [`promos::PromoCache`]).
    promos: promos::PromoCache,
}

impl Till {
    /// Creates a new till database in `dir` (created if missing).
    pub fn init(dir: &Path, opts: &InitOptions) -> Result<Till> {
        let path = dir.join(DB_FILE);
        if path.exists() {
            return Err(TillError::AlreadyInitialised(path.display().to_string()));
        }
        std::fs::create_dir_all(dir)?;
        let conn = db::open(&path, true)?;
        let terminal_id = Uuid::now_v7();
        {
            let tx = conn.unchecked_transaction()?;
            db::set_setting(&tx, "terminal_id", &terminal_id.to_string())?;
            db::set_setting(&tx, "store_name", &opts.store_name)?;
            db::set_setting(&tx, "currency", Currency::RUB.code())?;
            db::set_setting(&tx, "locale", opts.locale.code())?;
            db::set_setting(&tx, "chain_head", shared_model::chain::GENESIS_HASH)?;
            for role in Role::ALL {
                tx.execute(
                    "INSERT INTO roles (code, max_discount_bp) VALUES (?1, ?2)",
                    (role.code(), role.default_discount_limit().bp()),
                )?;
            }
            tx.commit()?;
        }
        let mut till = Till::from_conn(conn, dir)?;
        if opts.demo {
            demo::install(&mut till)?;
        }
        Ok(till)
    }

    /// Opens the till database in `dir`.
    pub fn open(dir: &Path) -> Result<Till> {
        let conn = db::open(&dir.join(DB_FILE), false)?;
        Till::from_conn(conn, dir)
    }

    fn from_conn(conn: Connection, dir: &Path) -> Result<Till> {
        let missing = |k: &str| TillError::Corrupt(format!("setting {k} is missing"));
        let terminal_id = db::parse_uuid(
            &db::setting(&conn, "terminal_id")?.ok_or_else(|| missing("terminal_id"))?,
        )?;
        let currency =
            Currency::parse(&db::setting(&conn, "currency")?.ok_or_else(|| missing("currency"))?)?;
        let locale = db::setting(&conn, "locale")?
            .and_then(|l| Locale::parse(&l))
            .unwrap_or_default();
        Ok(Till {
            conn,
            terminal_id,
            currency,
            locale,
            dir: dir.to_path_buf(),
            promos: Default::default(),
        })
    }

    /// This till's terminal id.
    pub fn terminal_id(&self) -> Uuid {
        self.terminal_id
    }

    /// The till's currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The receipt language.
    pub fn locale(&self) -> Locale {
        self.locale
    }

    /// Changes the receipt language (a display preference: any logged-in user).
    pub fn set_locale(&mut self, locale: Locale) -> Result<()> {
        self.session()?;
        db::set_setting(&self.conn, "locale", locale.code())?;
        self.locale = locale;
        Ok(())
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The store name printed on receipts.
    pub fn store_name(&self) -> Result<String> {
        Ok(db::setting(&self.conn, "store_name")?.unwrap_or_default())
    }

    /// Renames the store on receipts (needs the Configure capability).
    pub fn set_store_name(&mut self, name: &str) -> Result<()> {
        self.grant(shared_model::Capability::Configure)?;
        let name = name.trim();
        if name.is_empty() {
            return Err(TillError::NameRequired);
        }
        db::set_setting(&self.conn, "store_name", name)
    }
}
