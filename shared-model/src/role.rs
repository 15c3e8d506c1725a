//! The seed's roles and what each may do.

use serde::{Deserialize, Serialize};

use crate::{ModelError, Percent};

/// A user role, as in the architecture document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, all locations.
    Admin,
    /// Runs their stores: catalog, prices, stock, reports, users.
    Manager,
    /// Sales only.
    Cashier,
    /// Sales and manual discounts within a limit.
    Salesperson,
    /// Receiving, transfers, counts and adjustments.
    WarehouseWorker,
}

/// Something a role may be allowed to do on a till.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// Ring up and take payment for sales, park, resume, void an open sale.
    Sell,
    /// Take returns and pay refunds.
    Return,
    /// Open and close shifts, cash in/out, X report.
    ManageShift,
    /// Give manual discounts (bounded by the role's limit).
    Discount,
    /// Adjust stock with a reason.
    AdjustStock,
    /// Import the catalog and change till settings.
    Configure,
}

impl Role {
    /// All roles.
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Manager,
        Role::Cashier,
        Role::Salesperson,
        Role::WarehouseWorker,
    ];

    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Cashier => "cashier",
            Role::Salesperson => "salesperson",
            Role::WarehouseWorker => "warehouse_worker",
        }
    }

    /// Parses a machine code.
    pub fn parse(s: &str) -> Result<Self, ModelError> {
        Self::ALL
            .into_iter()
            .find(|r| r.code() == s.trim())
            .ok_or_else(|| ModelError::UnknownRole(s.to_owned()))
    }

    /// Whether the role may do `cap` at all.
    pub fn allows(&self, cap: Capability) -> bool {
        use Capability::*;
        match self {
            Role::Admin | Role::Manager => true,
            Role::Cashier => matches!(cap, Sell | Return | ManageShift),
            Role::Salesperson => matches!(cap, Sell | Return | ManageShift | Discount),
            Role::WarehouseWorker => matches!(cap, AdjustStock),
        }
    }

    /// The shortest PIN the role may have: 6 digits for roles that can discount, refund or
    /// configure a till (a 4-digit PIN falls to guessing in minutes), 4 for the others.
    pub fn min_pin_len(&self) -> usize {
        use Capability::*;
        if [Discount, Return, Configure]
            .iter()
            .any(|c| self.allows(*c))
        {
            6
        } else {
            4
        }
    }

    /// Checks a till PIN for this role: digits only, [`Role::min_pin_len`] to 8 of them.
    pub fn check_pin(&self, pin: &str) -> Result<(), ModelError> {
        let len = pin.len();
        if (self.min_pin_len()..=8).contains(&len) && pin.bytes().all(|b| b.is_ascii_digit()) {
            Ok(())
        } else {
            Err(ModelError::InvalidPin {
                min: self.min_pin_len(),
            })
        }
    }

    /// The manual-discount limit a new till starts with (head office may change it).
    pub fn default_discount_limit(&self) -> Percent {
        let bp = match self {
            Role::Admin => 10_000,
            Role::Manager => 3_000,
            Role::Salesperson => 1_000,
            Role::Cashier | Role::WarehouseWorker => 0,
        };
        Percent::from_bp(bp).unwrap_or(Percent::ZERO)
    }
}

#[cfg(test)]
mod pin_tests {
    use super::*;

    #[test]
    fn roles_that_discount_refund_or_configure_need_six_digits() {
        for r in [Role::Admin, Role::Manager, Role::Cashier, Role::Salesperson] {
            assert_eq!(r.min_pin_len(), 6, "{r:?}");
            assert!(r.check_pin("4321").is_err());
            assert!(r.check_pin("654321").is_ok());
        }
        assert!(Role::WarehouseWorker.check_pin("4321").is_ok());
        for bad in ["123", "123456789", "12a456", ""] {
            assert!(Role::WarehouseWorker.check_pin(bad).is_err(), "{bad}");
        }
    }
}
