//! Finding products by what people type: "calculadora", "CAL-002", "electronica" all find the
//! Calculadora científica of category "electrónica". Accents and case never matter.

use super::Product;

/// `text` without accents (the combining marks of its canonical decomposition: á → a, ñ → n,
/// ü → u) and in lower case, for comparing.
pub fn normalize(text: &str) -> String {
    // Most codes and titles are plain ASCII: nothing to decompose. A search through a large
    // catalog normalizes three fields of every product, so the rest goes a character at a time
    // too, decomposing only what is not ASCII.
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            crate::browser::decompose(c, |part| {
                if !is_accent(part) {
                    out.extend(part.to_lowercase());
                }
            });
        }
    }
    out
}

/// The Unicode blocks of combining diacritical marks, where decomposed accents land.
fn is_accent(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

/// Whether `field` contains `query` (already normalized), without copying an ASCII field.
fn contains(field: &str, query: &str) -> bool {
    if field.is_ascii() {
        let (field, query) = (field.as_bytes(), query.as_bytes());
        return query.len() <= field.len()
            && field
                .windows(query.len())
                .any(|window| window.eq_ignore_ascii_case(query));
    }
    normalize(field).contains(query)
}

/// A query, normalized once for matching many products.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query(String);

impl Query {
    pub fn new(text: &str) -> Self {
        Query(normalize(text.trim()))
    }

    /// Whether nothing was typed: everything matches.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the product's title, code or category contains the query.
    pub fn matches(&self, product: &Product) -> bool {
        self.is_empty()
            || [&product.title, &product.code, &product.category]
                .iter()
                .any(|field| contains(field, &self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::NewProduct;

    fn product(title: &str, code: &str, category: &str) -> Product {
        NewProduct {
            title: title.into(),
            description: "la descripción no cuenta".into(),
            code: code.into(),
            price: 1.0,
            status: true,
            stock: 1,
            category: category.into(),
            thumbnails: vec![],
        }
        .with_id(1)
    }

    #[test]
    fn accents_and_case_are_ignored() {
        assert_eq!(normalize("Ñandú ELÉCTRICO Über"), "nandu electrico uber");
        let calculator = product("Calculadora científica", "CAL-002", "electrónica");
        for typed in [
            "calculadora",
            "CIENTIFICA",
            "cal-0",
            "Electronica",
            "  científ  ",
            "",
        ] {
            assert!(Query::new(typed).matches(&calculator), "{typed:?}");
        }
        for typed in ["escuadra", "descripción", "cal 002"] {
            assert!(!Query::new(typed).matches(&calculator), "{typed:?}");
        }
    }
}
