//! Finding products by what people type: "calculadora", "CAL-002", "electronica" all find the
//! Calculadora científica of category "electrónica". Accents and case never matter.

use super::Product;

/// `text` without accents (the combining marks of its canonical decomposition: á → a, ñ → n,
/// ü → u) and in lower case, for comparing.
pub fn normalize(text: &str) -> String {
    // Most codes and titles are plain ASCII: no accents to strip, and a search through a
    // large catalog normalizes three fields of every product.
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    decomposed(text)
        .chars()
        .filter(|c| !is_accent(*c))
        .flat_map(char::to_lowercase)
        .collect()
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

/// Canonical decomposition (NFD). The browser asks its own JavaScript engine, which has the
/// Unicode tables already: compiling them into the WASM would add 127 KB to every page load.
#[cfg(feature = "hydrate")]
fn decomposed(text: &str) -> String {
    js_sys::JsString::from(text).normalize("NFD").into()
}

#[cfg(not(feature = "hydrate"))]
fn decomposed(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfd().collect()
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
                .any(|field| normalize(field).contains(&self.0))
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
