//! Account passwords: Argon2id with the crate's recommended parameters (19 MiB, 2 passes), in
//! PHC form with a salt of its own. A hash costs tens of milliseconds and 19 MiB on purpose,
//! so it runs off the async threads and only [`AT_ONCE`] at a time: a flood of logins waits
//! its turn instead of taking the server's memory.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use rand::RngCore;
use tokio::sync::Semaphore;

/// Hashes computed at once, at most.
const AT_ONCE: usize = 2;

/// Hashes and checks passwords, [`AT_ONCE`] at a time.
#[derive(Clone)]
pub struct Passwords {
    turns: Arc<Semaphore>,
    /// The hash an unknown email's password is checked against, so that a login for an
    /// unknown email takes as long as one for a known one (no list of accounts by timing).
    decoy: Arc<str>,
}

impl Default for Passwords {
    fn default() -> Self {
        Passwords {
            turns: Arc::new(Semaphore::new(AT_ONCE)),
            decoy: hash_now("una contraseña que nadie tiene").into(),
        }
    }
}

impl Passwords {
    /// The PHC string to keep for `password`.
    pub async fn hash(&self, password: &str) -> String {
        let password = password.to_string();
        self.in_turn(move || hash_now(&password)).await
    }

    /// Whether `password` is the one `stored` was made from; with no stored hash (an unknown
    /// email), `false` after the same work.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> bool {
        let known = stored.is_some();
        let stored = stored.map_or_else(|| self.decoy.to_string(), str::to_string);
        let password = password.to_string();
        let matches = self
            .in_turn(move || {
                PasswordHash::new(&stored).is_ok_and(|parsed| {
                    Argon2::default()
                        .verify_password(password.as_bytes(), &parsed)
                        .is_ok()
                })
            })
            .await;
        known && matches
    }

    async fn in_turn<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> T {
        // The semaphore is never closed.
        let _turn = self.turns.acquire().await;
        tokio::task::spawn_blocking(work)
            .await
            .expect("hashing a password does not panic")
    }
}

/// Argon2id of `password` with a fresh random salt, in PHC form.
pub fn hash_now(password: &str) -> String {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).expect("16 bytes make a valid salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("Argon2id with its default parameters hashes any password")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_password_matches_its_own_hash_only() {
        let passwords = Passwords::default();
        let stored = passwords.hash("una clave larga").await;
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert!(!stored.contains("una clave larga"));
        assert!(passwords.verify("una clave larga", Some(&stored)).await);
        assert!(!passwords.verify("una clave larga!", Some(&stored)).await);
        assert!(
            !passwords
                .verify("una contraseña que nadie tiene", None)
                .await
        );
        assert_ne!(stored, passwords.hash("una clave larga").await, "salted");
    }
}
