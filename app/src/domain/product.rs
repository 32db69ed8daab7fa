//! The product of the catalog, and the two shapes of input that create or change one.
//!
//! Input arrives as JSON from API clients and sockets, and as text fields from the HTML form.
//! Both end in the same checks below, so a rule changes in one place for the server and for
//! the browser alike.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::validation::{no_nul, required_text, FieldErrors, Invalid};

/// Server-given product identifier: positive, never reused, never changed.
pub type ProductId = u64;

/// Longest `title`, `code` and `category`, in characters.
pub const SHORT_TEXT_MAX: usize = 200;
/// Longest `description`, in characters.
pub const DESCRIPTION_MAX: usize = 2000;
/// How many picture addresses a product may have, and how long each may be.
pub const THUMBNAILS_MAX: usize = 10;
pub const THUMBNAIL_MAX: usize = 2048;

/// A product as stored, listed and broadcast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Product {
    pub id: ProductId,
    pub title: String,
    pub description: String,
    pub code: String,
    pub price: f64,
    pub status: bool,
    pub stock: u64,
    pub category: String,
    pub thumbnails: Vec<String>,
}

/// Everything a product has but its id: what a client sends to create one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewProduct {
    pub title: String,
    pub description: String,
    pub code: String,
    pub price: f64,
    #[serde(default = "default_status")]
    pub status: bool,
    pub stock: u64,
    pub category: String,
    #[serde(default)]
    pub thumbnails: Vec<String>,
}

fn default_status() -> bool {
    true
}

/// A partial update: each field that is `Some` replaces the product's value. The id is not
/// here on purpose: it cannot change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProductChanges {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnails: Option<Vec<String>>,
}

pub(super) const INVALID_PRODUCT: &str = "El producto no es válido: revisá los campos marcados";

/// The check for each field, shared by JSON and form input. Each returns the value to store.
pub mod field {
    use super::*;

    pub fn title(raw: &str) -> Result<String, String> {
        required_text(raw, SHORT_TEXT_MAX)
    }
    pub fn code(raw: &str) -> Result<String, String> {
        required_text(raw, SHORT_TEXT_MAX)
    }
    pub fn category(raw: &str) -> Result<String, String> {
        required_text(raw, SHORT_TEXT_MAX)
    }
    pub fn description(raw: &str) -> Result<String, String> {
        required_text(raw, DESCRIPTION_MAX)
    }
    pub fn price(value: f64) -> Result<f64, String> {
        if value.is_finite() && value >= 0.0 {
            Ok(value)
        } else {
            Err("debe ser un número mayor o igual a 0".to_string())
        }
    }
    /// Thumbnails are kept as given, minus surrounding blanks; blank entries are dropped. At
    /// most [`THUMBNAILS_MAX`] of at most [`THUMBNAIL_MAX`] characters each.
    pub fn thumbnails(list: Vec<String>) -> Result<Vec<String>, String> {
        let list: Vec<String> = list
            .into_iter()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        if list.len() > THUMBNAILS_MAX {
            return Err(format!(
                "puede tener como máximo {THUMBNAILS_MAX} imágenes (tiene {})",
                list.len()
            ));
        }
        for thumbnail in &list {
            no_nul(thumbnail)?;
            let length = thumbnail.chars().count();
            if length > THUMBNAIL_MAX {
                return Err(format!(
                    "cada dirección debe tener como máximo {THUMBNAIL_MAX} caracteres (una tiene {length})"
                ));
            }
        }
        Ok(list)
    }
}

pub(super) const STOCK_PROBLEM: &str = "debe ser un número entero mayor o igual a 0";

/// Reads one field of a JSON object with its check, recording a problem in `errors`.
/// `Ok(None)` means the field is absent.
struct JsonFields<'a> {
    object: &'a Map<String, Value>,
    errors: FieldErrors,
}

impl<'a> JsonFields<'a> {
    fn new(value: &'a Value) -> Result<Self, Invalid> {
        match value.as_object() {
            Some(object) => Ok(JsonFields {
                object,
                errors: FieldErrors::new(),
            }),
            None => Err(Invalid::new(
                "Se esperaba un objeto JSON con los campos del producto",
            )),
        }
    }

    fn fail<T>(&mut self, name: &str, problem: impl Into<String>) -> Option<T> {
        self.errors.insert(name.to_string(), problem.into());
        None
    }

    fn text(&mut self, name: &str, check: fn(&str) -> Result<String, String>) -> Option<String> {
        match self.object.get(name)? {
            Value::String(raw) => match check(raw) {
                Ok(value) => Some(value),
                Err(problem) => self.fail(name, problem),
            },
            _ => self.fail(name, "debe ser un texto"),
        }
    }

    fn price(&mut self) -> Option<f64> {
        match self.object.get("price")?.as_f64().map(field::price) {
            Some(Ok(price)) => Some(price),
            Some(Err(problem)) => self.fail("price", problem),
            None => self.fail("price", "debe ser un número mayor o igual a 0"),
        }
    }

    fn stock(&mut self) -> Option<u64> {
        match self.object.get("stock")?.as_u64() {
            Some(stock) => Some(stock),
            None => self.fail("stock", STOCK_PROBLEM),
        }
    }

    fn status(&mut self) -> Option<bool> {
        match self.object.get("status")? {
            Value::Bool(status) => Some(*status),
            _ => self.fail("status", "debe ser true o false"),
        }
    }

    fn thumbnails(&mut self) -> Option<Vec<String>> {
        let list = match self.object.get("thumbnails")? {
            Value::Array(items) => items
                .iter()
                .map(|item| item.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>(),
            _ => None,
        };
        match list.map(field::thumbnails) {
            Some(Ok(list)) => Some(list),
            Some(Err(problem)) => self.fail("thumbnails", problem),
            None => self.fail("thumbnails", "debe ser una lista de textos"),
        }
    }

    fn require<T>(&mut self, name: &str, value: Option<T>) -> Option<T> {
        if value.is_none() && !self.errors.contains_key(name) {
            self.errors
                .insert(name.to_string(), "es obligatorio".to_string());
        }
        value
    }

    fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, Invalid> {
        if self.errors.is_empty() {
            Ok(value())
        } else {
            Err(Invalid::fields(INVALID_PRODUCT, self.errors))
        }
    }
}

impl NewProduct {
    /// Checks a JSON object from a client, field by field, and reports every problem at once.
    /// Unknown fields (including an `id`, which the server gives) are ignored.
    pub fn from_json(value: &Value) -> Result<NewProduct, Invalid> {
        let mut json = JsonFields::new(value)?;
        let title = json.text("title", field::title);
        let title = json.require("title", title);
        let description = json.text("description", field::description);
        let description = json.require("description", description);
        let code = json.text("code", field::code);
        let code = json.require("code", code);
        let price = json.price();
        let price = json.require("price", price);
        let stock = json.stock();
        let stock = json.require("stock", stock);
        let category = json.text("category", field::category);
        let category = json.require("category", category);
        let status = json.status().unwrap_or(true);
        let thumbnails = json.thumbnails().unwrap_or_default();
        json.finish(|| NewProduct {
            title: title.unwrap_or_default(),
            description: description.unwrap_or_default(),
            code: code.unwrap_or_default(),
            price: price.unwrap_or_default(),
            status,
            stock: stock.unwrap_or_default(),
            category: category.unwrap_or_default(),
            thumbnails,
        })
    }

    /// Runs the same checks on an already typed value (from the browser's form, say), and
    /// returns it normalised (trimmed) the way the server stores it.
    pub fn validated(self) -> Result<NewProduct, Invalid> {
        let value = serde_json::to_value(&self).expect("a NewProduct always serializes");
        NewProduct::from_json(&value)
    }

    /// The product this becomes once the server gives it an id.
    pub fn with_id(self, id: ProductId) -> Product {
        Product {
            id,
            title: self.title,
            description: self.description,
            code: self.code,
            price: self.price,
            status: self.status,
            stock: self.stock,
            category: self.category,
            thumbnails: self.thumbnails,
        }
    }
}

impl From<NewProduct> for ProductChanges {
    /// Every field: what an edit form sends.
    fn from(all: NewProduct) -> Self {
        ProductChanges {
            title: Some(all.title),
            description: Some(all.description),
            code: Some(all.code),
            price: Some(all.price),
            status: Some(all.status),
            stock: Some(all.stock),
            category: Some(all.category),
            thumbnails: Some(all.thumbnails),
        }
    }
}

impl ProductChanges {
    /// Checks a partial update: only the fields present are checked and changed. An `id` in the
    /// body is ignored: the product is named by the request, and its id never changes.
    pub fn from_json(value: &Value) -> Result<ProductChanges, Invalid> {
        let mut json = JsonFields::new(value)?;
        let changes = ProductChanges {
            title: json.text("title", field::title),
            description: json.text("description", field::description),
            code: json.text("code", field::code),
            price: json.price(),
            status: json.status(),
            stock: json.stock(),
            category: json.text("category", field::category),
            thumbnails: json.thumbnails(),
        };
        json.finish(|| changes)
    }

    /// Writes the present fields over `product`.
    pub fn apply_to(self, product: &mut Product) {
        let ProductChanges {
            title,
            description,
            code,
            price,
            status,
            stock,
            category,
            thumbnails,
        } = self;
        if let Some(v) = title {
            product.title = v;
        }
        if let Some(v) = description {
            product.description = v;
        }
        if let Some(v) = code {
            product.code = v;
        }
        if let Some(v) = price {
            product.price = v;
        }
        if let Some(v) = status {
            product.status = v;
        }
        if let Some(v) = stock {
            product.stock = v;
        }
        if let Some(v) = category {
            product.category = v;
        }
        if let Some(v) = thumbnails {
            product.thumbnails = v;
        }
    }
}
