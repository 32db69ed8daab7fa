//! A chat message, and the checks on who sends it and what it says.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::validation::{required_text, FieldErrors, Invalid};

/// Longest email address, in characters (the limit of RFC 5321 paths).
pub const EMAIL_MAX: usize = 254;
/// Longest message text, in characters, after trimming.
pub const TEXT_MAX: usize = 1000;
/// How many of the latest messages a chat socket's `history` frame carries, and the default
/// page of `GET /api/messages`. The browser reads a shorter history as "nothing older".
pub const HISTORY_SIZE: usize = 100;
/// What a sender over the chat's rate is told, over HTTP and on the socket alike.
pub const CHAT_TOO_FAST: &str =
    "Estás enviando mensajes demasiado rápido: esperá un momento y volvé a intentar";

/// A message as stored in `chat.jsonl`, listed and broadcast. `id` and `sent_at` are given by
/// the server; `sent_at` is UTC with millisecond precision, written as RFC 3339
/// (`2026-11-21T23:59:06.123Z`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub id: u64,
    pub email: String,
    pub text: String,
    #[serde(with = "rfc3339_millis")]
    pub sent_at: DateTime<Utc>,
    /// Sent by a member of the staff, logged in (the page marks it "equipo"). Absent from the
    /// JSON when false, as it always was.
    #[serde(default, skip_serializing_if = "is_false")]
    pub staff: bool,
}

fn is_false(value: &bool) -> bool {
    !value
}

/// What a sender supplies: the checked, trimmed email and text of a message to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageDraft {
    pub email: String,
    pub text: String,
    /// Sent with a staff session (see [`MessageDraft::by_staff`]).
    #[serde(default)]
    pub staff: bool,
}

impl MessageDraft {
    /// Checks both fields and reports every problem at once.
    pub fn new(email: &str, text: &str) -> Result<MessageDraft, Invalid> {
        let mut fields = FieldErrors::new();
        let email = validate_email(email)
            .map_err(|p| fields.insert("email".into(), p))
            .ok();
        let text = validate_text(text)
            .map_err(|p| fields.insert("text".into(), p))
            .ok();
        match (email, text) {
            (Some(email), Some(text)) => Ok(MessageDraft {
                email,
                text,
                staff: false,
            }),
            _ => Err(Invalid::fields("El mensaje no es válido", fields)),
        }
    }

    /// The draft as a member of the staff sends it: marked, and under the account's email
    /// (`account`; the shared password has none and keeps the email given).
    pub fn by_staff(self, account: Option<&str>) -> MessageDraft {
        MessageDraft {
            email: account.map_or(self.email, str::to_string),
            staff: true,
            ..self
        }
    }
}

/// Checks an address of the form `local@domain.tld` and returns it trimmed.
///
/// Deliberately simple, as a person would judge an address: one `@`, a local part without
/// blanks, and a domain of dot-separated labels (letters, digits, hyphens) ending in a
/// top-level domain of two or more letters. `a@b` is refused: it has no top-level domain.
pub fn validate_email(raw: &str) -> Result<String, String> {
    const PROBLEM: &str = "debe ser un email válido, como nombre@dominio.com";
    no_direction_controls(raw)?;
    let email = raw.trim();
    if email.is_empty() {
        return Err("es obligatorio".to_string());
    }
    let length = email.chars().count();
    if length > EMAIL_MAX {
        return Err(format!(
            "debe tener como máximo {EMAIL_MAX} caracteres (tiene {length})"
        ));
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err(PROBLEM.to_string());
    };
    let local_ok = !local.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |label: &&str| {
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    let tld = labels.last().copied().unwrap_or_default();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(label_ok)
        && tld.chars().count() >= 2
        && tld.chars().all(char::is_alphabetic);
    if local_ok && domain_ok {
        Ok(email.to_string())
    } else {
        Err(PROBLEM.to_string())
    }
}

/// Checks a message text (1 to 1000 characters after trimming, something visible among them,
/// no direction controls) and returns it trimmed.
pub fn validate_text(raw: &str) -> Result<String, String> {
    no_direction_controls(raw)?;
    let text = required_text(raw, TEXT_MAX).map_err(|problem| {
        if raw.trim().is_empty() {
            "no puede estar vacío".to_string()
        } else {
            problem
        }
    })?;
    if !text.chars().any(is_visible) {
        return Err("debe tener algo visible: no solo espacios o caracteres invisibles".into());
    }
    Ok(text)
}

/// Refuses the bidirectional embedding, override and isolate controls (U+202A–U+202E,
/// U+2066–U+2069): they make a line read backwards ("moc.elpmaxe" as "example.com") and let
/// a message pose as something else.
fn no_direction_controls(raw: &str) -> Result<(), String> {
    let control = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if raw.chars().any(control) {
        Err("no puede contener caracteres de control de dirección del texto".to_string())
    } else {
        Ok(())
    }
}

/// Whether `c` shows something: not a space, a control, or one of the characters that take
/// no room (zero-width spaces and joiners, format marks, variation selectors, fillers that
/// render blank, tags).
fn is_visible(c: char) -> bool {
    let invisible = c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{E0000}'..='\u{E007F}'
        );
    !invisible
}

impl ChatMessage {
    /// The server's clock, cut to the millisecond so that what is stored, sent and read back
    /// are the same instant.
    pub fn now() -> DateTime<Utc> {
        let now = Utc::now();
        DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now)
    }
}

/// `sent_at` as RFC 3339 in UTC with milliseconds and a `Z`, the form the contract shows.
mod rfc3339_millis {
    use super::*;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&at.to_rfc3339_opts(SecondsFormat::Millis, true))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|at| at.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_needs_something_visible_and_no_direction_controls() {
        assert_eq!(validate_text("  hola  "), Ok("hola".to_string()));
        assert_eq!(validate_text("👍"), Ok("👍".to_string()));
        assert_eq!(
            validate_text("مرحبا"),
            Ok("مرحبا".to_string()),
            "right-to-left script"
        );
        for invisible in [
            "\u{200B}\u{200B}",
            "\u{200D}",
            "\u{FEFF} \u{2060}",
            "\u{3164}",
        ] {
            assert!(validate_text(invisible).is_err(), "{invisible:?}");
        }
        for reversed in ["gnp.\u{202E}exe", "a\u{2066}b\u{2069}", "\u{202A}x"] {
            let problem = validate_text(reversed).unwrap_err();
            assert!(problem.contains("dirección"), "{reversed:?}: {problem}");
        }
        assert!(validate_email("ventas\u{202E}@mitienda.com").is_err());
        let refused = MessageDraft::new("a@b.co", "\u{200B}").unwrap_err();
        assert!(refused.fields.contains_key("text"));
    }
}
