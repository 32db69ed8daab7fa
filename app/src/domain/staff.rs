//! Staff accounts as the API, the `/staff` page and the command line see them (the contract's
//! "Staff accounts"): one rule for an account's email, role and password, shared by the
//! server's API, its commands and the page's form.

use serde::{Deserialize, Serialize};

use super::access::Role;
use super::message::validate_email;
use super::validation::{FieldErrors, Invalid};

/// Shortest password an account may have, in characters.
pub const PASSWORD_MIN: usize = 12;
/// Longest password, in characters: hashing a password costs the server time and memory, so
/// what a stranger can make it hash is bounded.
pub const PASSWORD_MAX: usize = 256;

/// An account as listed (`GET /api/staff`, `server staff list`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub email: String,
    pub role: Role,
}

/// A new account, checked: the email as it is kept (trimmed, lower case: unique whatever the
/// case), the role, and the first password.
#[derive(Debug, PartialEq, Eq)]
pub struct NewAccount {
    pub email: String,
    pub role: Role,
    pub password: String,
}

impl NewAccount {
    /// Checks all three fields, naming each one at fault.
    pub fn new(email: &str, role: &str, password: &str) -> Result<NewAccount, Invalid> {
        let mut fields = FieldErrors::new();
        let email = account_email(email)
            .map_err(|problem| fields.insert("email".into(), problem))
            .ok();
        let role = Role::from_name(role.trim())
            .ok_or_else(|| {
                fields.insert(
                    "role".into(),
                    "debe ser admin, editor o moderator".to_string(),
                )
            })
            .ok();
        // The password is kept as given: spaces are characters of a password too.
        let password = check_password(password)
            .map(|()| password.to_string())
            .map_err(|problem| fields.insert("password".into(), problem))
            .ok();
        match (email, role, password) {
            (Some(email), Some(role), Some(password)) => Ok(NewAccount {
                email,
                role,
                password,
            }),
            _ => Err(Invalid::fields("La cuenta no es válida", fields)),
        }
    }
}

/// An account's email as it is kept: a valid address, trimmed, in lower case.
pub fn account_email(raw: &str) -> Result<String, String> {
    validate_email(raw).map(|email| email.to_lowercase())
}

/// A password of [`PASSWORD_MIN`] to [`PASSWORD_MAX`] characters.
pub fn check_password(password: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < PASSWORD_MIN {
        Err(format!(
            "debe tener al menos {PASSWORD_MIN} caracteres (tiene {length})"
        ))
    } else if length > PASSWORD_MAX {
        Err(format!("debe tener como máximo {PASSWORD_MAX} caracteres"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_checked_field_by_field() {
        let account = NewAccount::new(" Ana@Tienda.COM ", "editor", "una clave larga").unwrap();
        assert_eq!(
            account.email, "ana@tienda.com",
            "one account whatever the case"
        );
        assert_eq!(account.role, Role::Editor);
        assert_eq!(account.password, "una clave larga");
        let refused = NewAccount::new("ana", "owner", "corta").unwrap_err();
        let named: Vec<&str> = refused.fields.keys().map(String::as_str).collect();
        assert_eq!(named, ["email", "password", "role"]);
    }

    #[test]
    fn passwords_are_counted_in_characters() {
        assert!(
            check_password("ñandúñandúñá").is_ok(),
            "12 characters, more bytes"
        );
        assert!(check_password("ñandúñandúñ").is_err());
        assert!(check_password(&"x".repeat(PASSWORD_MAX + 1)).is_err());
    }
}
