//! Password and PIN hashing with argon2id (OWASP parameters), off the async runtime.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

use crate::error::{ApiError, ApiResult};

use std::sync::OnceLock;

/// A hash to verify against when the login does not exist, so that a missing
/// account takes as long to refuse as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(b"no such account", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// Hashes a secret (password or PIN).
pub async fn hash(secret: String) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(secret.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)
}

/// Verifies a secret against a stored hash (or the dummy when there is none).
pub async fn verify(secret: String, hash: Option<String>) -> ApiResult<bool> {
    tokio::task::spawn_blocking(move || {
        let stored = match &hash {
            Some(h) => h.as_str(),
            None => dummy_hash(),
        };
        let ok = PasswordHash::new(stored)
            .map(|h| {
                Argon2::default()
                    .verify_password(secret.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false);
        ok && hash.is_some()
    })
    .await
    .map_err(ApiError::internal)
}

/// Checks a new password is acceptable: 10 to 128 characters.
pub fn validate_password(p: &str) -> ApiResult<()> {
    let n = p.chars().count();
    if !(10..=128).contains(&n) {
        return Err(ApiError::Validation(
            "a password is 10 to 128 characters".into(),
        ));
    }
    Ok(())
}
