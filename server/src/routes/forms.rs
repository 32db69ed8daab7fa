//! Plain HTML form posts from `/realtimeproducts`, for browsers without JavaScript (or before
//! the WASM has loaded). Each does what the socket request would, then redirects back to the
//! page (303, so a reload does not post again) with the outcome in the query string. Without
//! staff rights (see `auth`) they change nothing and say why. The outcome travels as a code
//! the page says in its own words (`app::domain::notices`), never as a sentence in the link.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::response::Redirect;
use serde::Deserialize;

use super::rights::Editor;
use crate::error::ApiError;
use crate::params::ProductIdPath;
use crate::state::AppState;
use crate::store::StoreError;
use app::domain::notices::{Outcome, FIELDS, PRODUCT};
use app::domain::product_form::ProductForm;
use app::domain::{Invalid, Product, ProductChanges, ProductId};
use app::paths;

pub async fn add_product(
    editor: Result<Editor, ApiError>,
    State(state): State<AppState>,
    form: Result<Form<ProductForm>, FormRejection>,
) -> Redirect {
    let Ok(Editor { actor }) = editor else {
        return back(Outcome::StaffOnly, &[]);
    };
    let Ok(Form(form)) = form else {
        return back(Outcome::Incomplete, &[]);
    };
    match form.parse() {
        Ok(new) => match state.catalog.create(new, actor).await {
            Ok(product) => back(Outcome::Added, &about(product.id)),
            Err(refused) => {
                let mut query = fields_of(&refused);
                query.extend(holder(&state, &refused));
                back(failure(&refused), &query)
            }
        },
        Err(invalid) => back(Outcome::Invalid, &fields(&invalid)),
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
    let Ok(Editor { actor }) = editor else {
        return back(Outcome::StaffOnly, &[]);
    };
    let Ok(Form(form)) = form else {
        return back(Outcome::Incomplete, &[]);
    };
    let expected = serde_json::from_str::<Product>(&form.original).ok();
    // A refusal opens the form again, with what is stored now.
    let again = ("edit", id.to_string());
    match form.fields.parse() {
        Ok(all) => match state
            .catalog
            .update(id, ProductChanges::from(all), expected, actor)
            .await
        {
            Ok(product) => back(Outcome::Updated, &about(product.id)),
            Err(refused) => {
                let mut query = fields_of(&refused);
                query.extend(holder(&state, &refused));
                query.push(again);
                back(failure(&refused), &query)
            }
        },
        Err(invalid) => {
            let mut query = fields(&invalid);
            query.push(again);
            back(Outcome::Invalid, &query)
        }
    }
}

pub async fn remove_product(
    editor: Result<Editor, ApiError>,
    State(state): State<AppState>,
    ProductIdPath(id): ProductIdPath,
) -> Redirect {
    let Ok(Editor { actor }) = editor else {
        return back(Outcome::StaffOnly, &[]);
    };
    match state.catalog.remove(id, actor).await {
        Ok(_) => back(Outcome::Removed, &[]),
        Err(refused) => back(failure(&refused), &[]),
    }
}

/// What a refusal of the store is called in the link back.
fn failure(refused: &StoreError) -> Outcome {
    match refused {
        StoreError::NotFound(_)
        | StoreError::UnknownChange(..)
        | StoreError::MessageNotFound(_) => Outcome::NotFound,
        StoreError::DuplicateCode(_) => Outcome::DuplicateCode,
        StoreError::ChangedMeanwhile(_) => Outcome::ChangedMeanwhile,
        // Not a catalog form's refusal: said as a failure to reach the store.
        StoreError::Unavailable(_) | StoreError::Banned(_) | StoreError::Reserved => {
            Outcome::Unavailable
        }
    }
}

/// The fields a refusal of the store is about.
fn fields_of(refused: &StoreError) -> Vec<(&'static str, String)> {
    fields(&Invalid::from(refused.clone()))
}

/// The names of the fields at fault, for the link back.
fn fields(invalid: &Invalid) -> Vec<(&'static str, String)> {
    if invalid.fields.is_empty() {
        return Vec::new();
    }
    let names: Vec<&str> = invalid.fields.keys().map(String::as_str).collect();
    vec![(FIELDS, names.join(","))]
}

/// For a code already taken, the product that holds it, so the page can name it (a refused
/// form post is rare and staff-only: a scan of the catalog is fine here).
fn holder(state: &AppState, refused: &StoreError) -> Vec<(&'static str, String)> {
    let StoreError::DuplicateCode(code) = refused else {
        return Vec::new();
    };
    let products = state.catalog.products();
    products
        .iter()
        .find(|product| product.code == *code)
        .map_or_else(Vec::new, |product| about(product.id))
}

/// The product an outcome is about, for the link back.
fn about(id: ProductId) -> Vec<(&'static str, String)> {
    vec![(PRODUCT, id.to_string())]
}

/// Back to the live page, with `outcome`'s code and `more`.
fn back(outcome: Outcome, more: &[(&str, String)]) -> Redirect {
    let mut query = vec![(outcome.parameter(), outcome.code().to_string())];
    query.extend(more.iter().map(|(name, value)| (*name, value.clone())));
    let query = serde_urlencoded::to_string(query).unwrap_or_default();
    Redirect::to(&format!("{}?{query}", paths::REALTIME))
}
