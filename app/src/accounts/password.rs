//! Password hashing: argon2id with the OWASP minimum (19 MiB, 2 passes, 1 lane), run on the
//! blocking pool so that a login never stalls the pages rendering beside it.
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::AppError;

/// OWASP's recommended minimum for argon2id: m = 19 MiB, t = 2, p = 1.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

fn hasher() -> Result<Argon2<'static>, AppError> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).map_err(|e| {
        tracing::error!(error = %e, "argon2 parameters");
        AppError::Internal
    })?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) for `password`, with a fresh salt.
pub fn hash_blocking(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    hasher()?.hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| {
        tracing::error!(error = %e, "argon2 hashing");
        AppError::Internal
    })
}

/// Whether `password` matches `phc`. The parameters come from the stored string, so hashes made
/// with older parameters still verify.
pub fn verify_blocking(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(e) => {
            tracing::error!(error = %e, "stored password hash does not parse");
            false
        }
    }
}

pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await.map_err(|e| {
        tracing::error!(error = %e, "hashing task");
        AppError::Internal
    })?
}

pub async fn verify(password: String, phc: String) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || verify_blocking(&password, &phc)).await.map_err(|e| {
        tracing::error!(error = %e, "verification task");
        AppError::Internal
    })
}

/// A hash of a password nobody has, verified when the email is unknown so that the answer takes
/// as long as for a real account and timing does not tell the two apart.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_blocking("decoy password, never valid").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_and_no_other() {
        let phc = hash_blocking("chè xanh 2026").expect("hash");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_blocking("chè xanh 2026", &phc));
        assert!(!verify_blocking("che xanh 2026", &phc));
    }

    #[test]
    fn the_same_password_gets_a_different_salt_each_time() {
        let a = hash_blocking("same").expect("hash");
        let b = hash_blocking("same").expect("hash");
        assert_ne!(a, b);
    }

    #[test]
    fn a_malformed_stored_hash_never_verifies() {
        assert!(!verify_blocking("anything", "not a phc string"));
    }
}
