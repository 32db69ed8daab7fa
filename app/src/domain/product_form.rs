//! The product form as a person fills it in, in the browser or (without JavaScript) posted to
//! the server: every field is text until checked, then the same checks as any other input.

use serde::{Deserialize, Serialize};

use super::product::{field, NewProduct, INVALID_PRODUCT, STOCK_PROBLEM};
use super::validation::{FieldErrors, Invalid};

/// Used by the browser before it sends anything, and by the server for plain HTML form posts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProductForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub price: String,
    /// A checkbox: present (any value) means active. Absent means inactive.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub stock: String,
    #[serde(default)]
    pub category: String,
    /// One address per line (commas separate too).
    #[serde(default)]
    pub thumbnails: String,
}

/// The form's name for each product field, as people read it: beside the inputs, and in the
/// sentence a form post without JavaScript gets back.
pub fn field_label(field: &str) -> Option<&'static str> {
    Some(match field {
        "title" => "Título",
        "description" => "Descripción",
        "code" => "Código",
        "price" => "Precio",
        "stock" => "Stock",
        "category" => "Categoría",
        "thumbnails" => "Imágenes",
        "status" => "Activo",
        _ => return None,
    })
}

impl ProductForm {
    /// Turns the typed-in text into a checked product, with a problem per field.
    pub fn parse(&self) -> Result<NewProduct, Invalid> {
        let mut errors = FieldErrors::new();
        let mut check = |name: &str, result: Result<String, String>| match result {
            Ok(value) => value,
            Err(problem) => {
                errors.insert(name.to_string(), problem);
                String::new()
            }
        };
        let title = check("title", field::title(&self.title));
        let description = check("description", field::description(&self.description));
        let code = check("code", field::code(&self.code));
        let category = check("category", field::category(&self.category));
        let price = parse_price(&self.price)
            .and_then(field::price)
            .unwrap_or_else(|problem| {
                errors.insert("price".into(), problem);
                0.0
            });
        let stock = self.stock.trim().parse::<u64>().unwrap_or_else(|_| {
            errors.insert("stock".into(), STOCK_PROBLEM.into());
            0
        });
        let thumbnails = field::thumbnails(
            self.thumbnails
                .split(['\n', ','])
                .map(str::to_string)
                .collect(),
        )
        .unwrap_or_else(|problem| {
            errors.insert("thumbnails".into(), problem);
            Vec::new()
        });
        if !errors.is_empty() {
            return Err(Invalid::fields(INVALID_PRODUCT, errors));
        }
        Ok(NewProduct {
            title,
            description,
            code,
            price,
            status: self.status.is_some(),
            stock,
            category,
            thumbnails,
        })
    }
}

/// Accepts "12.5" and the Spanish "12,5"; anything else is not a price.
fn parse_price(raw: &str) -> Result<f64, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("es obligatorio".to_string());
    }
    raw.replace(',', ".")
        .parse::<f64>()
        .map_err(|_| "debe ser un número mayor o igual a 0".to_string())
}
