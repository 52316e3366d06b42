//! Random bearer tokens (sessions, anonymous carts, drafts, visitors): a 256-bit token for the
//! client, and its SHA-256 for the database, so a leaked table cannot be replayed.
use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// A new token (for the cookie) and its hash (for the database).
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bits_and_never_repeat() {
        let (a, hash_a) = new_token();
        let (b, _) = new_token();
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).map(|v| v.len()).ok(), Some(32));
        assert_ne!(a, b);
        assert_eq!(hash_a, token_hash(&a));
        assert_ne!(hash_a, a, "the database never sees the token itself");
    }
}
