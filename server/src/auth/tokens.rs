//! The random tokens of sessions and API tokens, and the digest the store keeps of them.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new token: 256 random bits, URL-safe base64 (43 characters, fit for a cookie and a
/// header).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the store keeps of a token: its SHA-256, in hex. A fast digest is right for a random
/// token (nothing to guess), and it makes a request with a session cost no password hash.
pub fn digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_fresh_and_kept_only_as_digests() {
        let (one, two) = (new_token(), new_token());
        assert_ne!(one, two);
        assert_eq!(one.len(), 43);
        assert_eq!(digest(&one).len(), 64);
        assert_eq!(digest(&one), digest(&one));
        assert_ne!(digest(&one), digest(&two));
    }
}
