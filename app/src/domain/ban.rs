//! Chat bans (the contract's "Chat moderation"): who may not post, until when, and what a
//! moderator asks for. One rule for the API and the page's "Bloquear".

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::staff::account_email;
use super::validation::{FieldErrors, Invalid};

/// How long a ban lasts when the request does not say, in minutes.
pub const DEFAULT_MINUTES: u64 = 60;
/// The longest ban, in minutes (30 days).
pub const MAX_MINUTES: u64 = 43_200;

/// A ban in force, as `GET /api/chat/bans` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ban {
    pub email: String,
    pub until: DateTime<Utc>,
    /// The moderator who banned (`null` while staff access is off).
    pub by: Option<String>,
}

/// A moderator's ban, checked: the email as bans keep it (lower case), for how long, and
/// whether every stored message of that email goes too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BanRequest {
    pub email: String,
    pub minutes: u64,
    pub purge: bool,
}

impl BanRequest {
    /// From the JSON body `{"email", "minutes"?, "purge"?}`, naming each field at fault.
    pub fn from_json(body: &serde_json::Value) -> Result<BanRequest, Invalid> {
        let mut fields = FieldErrors::new();
        let email = account_email(body["email"].as_str().unwrap_or_default())
            .map_err(|problem| fields.insert("email".into(), problem))
            .ok();
        let minutes = match &body["minutes"] {
            serde_json::Value::Null => Some(DEFAULT_MINUTES),
            value => value
                .as_u64()
                .filter(|m| (1..=MAX_MINUTES).contains(m))
                .or_else(|| {
                    fields.insert(
                        "minutes".into(),
                        format!("debe ser un número entero de 1 a {MAX_MINUTES}"),
                    );
                    None
                }),
        };
        let purge = match &body["purge"] {
            serde_json::Value::Null => Some(false),
            value => value.as_bool().or_else(|| {
                fields.insert("purge".into(), "debe ser true o false".into());
                None
            }),
        };
        match (email, minutes, purge) {
            (Some(email), Some(minutes), Some(purge)) => Ok(BanRequest {
                email,
                minutes,
                purge,
            }),
            _ => Err(Invalid::fields("El bloqueo no es válido", fields)),
        }
    }
}

/// What a banned sender is told.
pub fn banned_until(until: DateTime<Utc>) -> String {
    format!(
        "Este email está bloqueado en el chat hasta el {}",
        until.format("%d/%m/%Y %H:%M UTC")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_ban_has_an_email_a_duration_within_bounds_and_maybe_a_purge() {
        let ban = BanRequest::from_json(&json!({ "email": "Spam@X.com" })).unwrap();
        assert_eq!(
            ban,
            BanRequest {
                email: "spam@x.com".into(),
                minutes: DEFAULT_MINUTES,
                purge: false
            }
        );
        let ban =
            BanRequest::from_json(&json!({ "email": "a@b.co", "minutes": 43200, "purge": true }));
        assert!(ban.unwrap().purge);
        let refused = BanRequest::from_json(&json!({ "email": "x", "minutes": 0, "purge": "sí" }))
            .unwrap_err();
        let named: Vec<&str> = refused.fields.keys().map(String::as_str).collect();
        assert_eq!(named, ["email", "minutes", "purge"]);
        assert!(BanRequest::from_json(&json!({ "email": "a@b.co", "minutes": 43201 })).is_err());
    }
}
