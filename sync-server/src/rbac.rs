//! Authorisation: one table says which role may do what; handlers receive an
//! [`Authorized`] capability (with the user's location scope) instead of checking roles.
//! Who the user is comes from [`crate::auth::identity`].

use std::marker::PhantomData;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use shared_model::Role;

pub use crate::auth::identity::{check_csrf, client_ip, AuthUser, Authenticated, Scope};
use crate::error::ApiError;
use crate::state::AppState;

/// Something a user may be allowed to do through the admin API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// Create and edit users (managers: staff of their locations only).
    ManageUsers,
    /// Create and edit locations.
    ManageLocations,
    /// See locations.
    ReadLocations,
    /// Create, disable and re-key terminals.
    ManageTerminals,
    /// See the catalog.
    ReadCatalog,
    /// Edit products, barcodes, categories and default prices.
    WriteCatalog,
    /// Set per-location prices.
    WritePrices,
    /// See and edit customers.
    ManageCustomers,
    /// See stock levels and movements.
    ReadStock,
    /// Receive, transfer and count stock.
    WriteStock,
    /// Read the audit log.
    ReadAudit,
    /// Read sales recorded by tills.
    ReadSales,
    /// Create and change promotions (managers: for their stores only).
    ManagePromotions,
    /// Issue, look up and block gift certificates; set the offline policy (admin).
    ManageCertificates,
    /// Accept or reject till receipts held back by the money checks (admin).
    ResolveQuarantine,
    /// Unblock a certificate or release a frozen one (admin).
    ReleaseCertificates,
    /// Set the marking groups' dates and rules (admin: they follow the law, chain-wide).
    ManageMarking,
}

/// The seed's role table: admin everything; manager runs their locations; the
/// warehouse worker does stock; cashiers and salespeople work on the till only.
pub fn allows(role: Role, cap: Capability) -> bool {
    use Capability::*;
    match role {
        Role::Admin => true,
        Role::Manager => !matches!(
            cap,
            ManageLocations
                | ManageTerminals
                | ReadAudit
                | ResolveQuarantine
                | ReleaseCertificates
                | ManageMarking
        ),
        Role::WarehouseWorker => {
            matches!(cap, ReadLocations | ReadCatalog | ReadStock | WriteStock)
        }
        Role::Cashier | Role::Salesperson => false,
    }
}

/// A capability marker type.
pub trait Cap: Send + Sync + 'static {
    /// The capability it stands for.
    const CAP: Capability;
}

macro_rules! caps {
    ($($name:ident),* $(,)?) => {
        /// Capability marker types for [`Authorized`].
        pub mod cap {
            $(
                #[doc = concat!("Marker for [`Capability::", stringify!($name), "`](super::Capability).")]
                pub struct $name;
                impl super::Cap for $name {
                    const CAP: super::Capability = super::Capability::$name;
                }
            )*
        }
    };
}
caps!(
    ManageCertificates,
    ManageUsers,
    ManageLocations,
    ReadLocations,
    ManageTerminals,
    ReadCatalog,
    WriteCatalog,
    WritePrices,
    ManageCustomers,
    ReadStock,
    WriteStock,
    ReadAudit,
    ReadSales,
    ManagePromotions,
    ResolveQuarantine,
    ReleaseCertificates,
    ManageMarking,
);

/// Proof that the request's user may exercise capability `C`, with their scope.
pub struct Authorized<C> {
    /// Who.
    pub user: AuthUser,
    /// Where.
    pub scope: Scope,
    _cap: PhantomData<C>,
}

impl<S, C: Cap> FromRequestParts<S> for Authorized<C>
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // Who first (authentication), then whether their role may (authorisation).
        let Authenticated { user, scope } = Authenticated::from_request_parts(parts, state).await?;
        if !allows(user.role, C::CAP) {
            return Err(ApiError::Forbidden(format!(
                "your role ({}) may not do this",
                user.role.code()
            )));
        }
        Ok(Authorized {
            user,
            scope,
            _cap: PhantomData,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn till_roles_get_nothing_on_the_admin_api() {
        for cap in [
            Capability::ReadCatalog,
            Capability::ReadStock,
            Capability::ManageUsers,
        ] {
            assert!(!allows(Role::Cashier, cap));
            assert!(!allows(Role::Salesperson, cap));
        }
        assert!(allows(Role::WarehouseWorker, Capability::WriteStock));
        assert!(!allows(Role::WarehouseWorker, Capability::WriteCatalog));
        assert!(!allows(Role::Manager, Capability::ManageTerminals));
    }
}
