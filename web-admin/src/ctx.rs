//! What every page reads: the signed-in user, the language and the locations, with the
//! words of the interface. The app provides it; pages and widgets read it.

use std::rc::Rc;

use shared_model::{Locale, Role};
use uuid::Uuid;
use yew::prelude::*;

use crate::i18n::tr;
use crate::types::{Location, Me};

/// What every page can read.
#[derive(Clone, PartialEq)]
pub struct Ctx {
    /// The signed-in user.
    pub me: Me,
    /// The language.
    pub lang: Locale,
    /// Locations the user can see.
    pub locations: Rc<Vec<Location>>,
    /// Reads the locations again (after one was added).
    pub reload_locations: Callback<()>,
}

impl Ctx {
    /// A word in the current language.
    pub fn t(&self, key: &'static str) -> &'static str {
        tr(self.lang, key)
    }

    /// A location's name, or the id when unknown.
    pub fn location_name(&self, id: Uuid) -> String {
        self.locations
            .iter()
            .find(|l| l.id == id)
            .map(|l| l.name.clone())
            .unwrap_or_else(|| id.to_string())
    }

    /// Stores only.
    pub fn stores(&self) -> Vec<Location> {
        self.locations
            .iter()
            .filter(|l| l.kind == "store")
            .cloned()
            .collect()
    }
}

/// The i18n key of a role's name.
pub fn role_key(r: Role) -> &'static str {
    match r {
        Role::Admin => "role_admin",
        Role::Manager => "role_manager",
        Role::Cashier => "role_cashier",
        Role::Salesperson => "role_salesperson",
        Role::WarehouseWorker => "role_warehouse_worker",
    }
}
