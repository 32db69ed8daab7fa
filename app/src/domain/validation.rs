//! The building blocks of validation: per-field error maps and the text checks every
//! domain type uses. Limits are counted in characters (Unicode scalar values), never bytes,
//! so "ñandú" is five characters long, as a person would count it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Field name to a readable problem with it, e.g. `{"price": "debe ser un número mayor o igual a 0"}`.
/// A `BTreeMap` keeps the JSON output in a stable order.
pub type FieldErrors = BTreeMap<String, String>;

/// Input that was rejected, with a sentence for people and, when it is a field's fault,
/// what is wrong with each field. This is the shape of both the HTTP error body and the
/// socket error frame, so the browser shows them the same way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invalid {
    pub error: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: FieldErrors,
    /// For a file of many rows (a CSV import): the rows at fault, by line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<RowFault>,
}

/// One line of an imported file and what is wrong with its fields (the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowFault {
    pub line: u64,
    pub fields: FieldErrors,
}

impl Invalid {
    /// A rejection that is not about any field in particular.
    pub fn new(error: impl Into<String>) -> Self {
        Invalid {
            error: error.into(),
            fields: FieldErrors::new(),
            rows: Vec::new(),
        }
    }

    /// A rejection of the given fields, summarised by `error`.
    pub fn fields(error: impl Into<String>, fields: FieldErrors) -> Self {
        Invalid {
            error: error.into(),
            fields,
            rows: Vec::new(),
        }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.error)?;
        for (field, problem) in &self.fields {
            write!(f, "; {field}: {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Invalid {}

/// Trims `raw` and checks that something is left and that it is at most `max` characters.
/// Returns the trimmed text, which is what gets stored.
pub fn required_text(raw: &str, max: usize) -> Result<String, String> {
    no_nul(raw)?;
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err("es obligatorio".to_string());
    }
    let length = trimmed.chars().count();
    if length > max {
        return Err(format!(
            "debe tener como máximo {max} caracteres (tiene {length})"
        ));
    }
    Ok(trimmed.to_string())
}

/// Refuses U+0000: no store keeps it the same way (PostgreSQL refuses it in text), and no
/// person types it.
pub fn no_nul(raw: &str) -> Result<(), String> {
    if raw.contains('\0') {
        Err("no puede contener el carácter nulo (U+0000)".to_string())
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nul_character_is_refused() {
        assert!(required_text("a\u{0}b", 10).is_err());
        assert!(no_nul("ab").is_ok());
    }

    #[test]
    fn required_text_trims_and_counts_characters() {
        assert_eq!(required_text("  hola  ", 4), Ok("hola".to_string()));
        assert!(required_text("   ", 4).is_err());
        assert!(required_text("", 4).is_err());
        // Four characters but eight bytes: still within a limit of four.
        assert_eq!(required_text("ñañá", 4), Ok("ñañá".to_string()));
        assert!(required_text("ñañáa", 4).is_err());
    }

    #[test]
    fn invalid_serializes_fields_only_when_present() {
        let plain = serde_json::to_value(Invalid::new("mal")).unwrap();
        assert_eq!(plain, serde_json::json!({"error": "mal"}));
        let mut fields = FieldErrors::new();
        fields.insert("price".into(), "no".into());
        let with = serde_json::to_value(Invalid::fields("mal", fields)).unwrap();
        assert_eq!(
            with,
            serde_json::json!({"error": "mal", "fields": {"price": "no"}})
        );
    }
}
