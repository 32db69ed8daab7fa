//! Plain HTML form posts from `/realtimeproducts`, for browsers without JavaScript (or before
//! the WASM has loaded). Each does what the socket request would, then redirects back to the
//! page (303, so a reload does not post again) with the outcome in the query string. Without
//! staff rights (see `auth`) they change nothing and say why.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::response::Redirect;
use serde::Deserialize;

use super::editor::Editor;
use crate::error::ApiError;
use crate::params::ProductIdPath;
use crate::state::AppState;
use app::domain::access::STAFF_ONLY;
use app::domain::notices;
use app::domain::product_form::{field_label, ProductForm};
use app::domain::{Invalid, Product, ProductChanges};
use app::paths;

pub async fn add_product(
    editor: Result<Editor, ApiError>,
    State(state): State<AppState>,
    form: Result<Form<ProductForm>, FormRejection>,
) -> Redirect {
    if editor.is_err() {
        return back(&[("error", STAFF_ONLY.into())]);
    }
    let Ok(Form(form)) = form else {
        return back(&[("error", "El formulario llegó incompleto".into())]);
    };
    let created = match form.parse() {
        Ok(new) => state.catalog.create(new).await.map_err(Invalid::from),
        Err(invalid) => Err(invalid),
    };
    match created {
        Ok(product) => back(&[("ok", notices::added(&product.title))]),
        Err(invalid) => back(&[("error", explain(&invalid))]),
    }
}

/// The edit form: every field, plus the product as the form showed it (`original`, JSON), so
/// that a change someone else made meanwhile is reported instead of overwritten.
#[derive(Deserialize)]
pub struct EditForm {
    #[serde(flatten)]
    fields: ProductForm,
    #[serde(default)]
    original: String,
}

pub async fn edit_product(
    editor: Result<Editor, ApiError>,
    State(state): State<AppState>,
    ProductIdPath(id): ProductIdPath,
    form: Result<Form<EditForm>, FormRejection>,
) -> Redirect {
    if editor.is_err() {
        return back(&[("error", STAFF_ONLY.into())]);
    }
    let Ok(Form(form)) = form else {
        return back(&[("error", "El formulario llegó incompleto".into())]);
    };
    let expected = serde_json::from_str::<Product>(&form.original).ok();
    let updated = match form.fields.parse() {
        Ok(all) => state
            .catalog
            .update(id, ProductChanges::from(all), expected)
            .await
            .map_err(Invalid::from),
        Err(invalid) => Err(invalid),
    };
    match updated {
        Ok(product) => back(&[("ok", notices::updated(&product.title))]),
        // The form opens again, with what is stored now.
        Err(invalid) => back(&[("error", explain(&invalid)), ("edit", id.to_string())]),
    }
}

pub async fn remove_product(
    editor: Result<Editor, ApiError>,
    State(state): State<AppState>,
    ProductIdPath(id): ProductIdPath,
) -> Redirect {
    if editor.is_err() {
        return back(&[("error", STAFF_ONLY.into())]);
    }
    match state.catalog.remove(id).await.map_err(Invalid::from) {
        Ok(product) => back(&[("ok", notices::removed(&product.title))]),
        Err(invalid) => back(&[("error", explain(&invalid))]),
    }
}

/// The error sentence followed by each field's problem under the form's own label.
fn explain(invalid: &Invalid) -> String {
    let mut text = invalid.error.clone();
    for (field, problem) in &invalid.fields {
        let label = field_label(field).unwrap_or(field.as_str());
        text.push_str(&format!(". {label}: {problem}"));
    }
    text
}

fn back(query: &[(&str, String)]) -> Redirect {
    let query = serde_urlencoded::to_string(query).unwrap_or_default();
    Redirect::to(&format!("{}?{query}", paths::REALTIME))
}
