//! `/api/products`: list, read, create, partially update and delete products. Changes need
//! staff rights when `STAFF_PASSWORD` is set ([`Editor`]).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use super::editor::Editor;
use super::query::{json_body, number, Body, Params, ProductIdPath};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::StoreError;
use app::domain::{NewProduct, Product, ProductChanges};

/// `GET /api/products?limit=N`: ascending by id, the first N when `limit` is given.
pub async fn list(
    State(state): State<AppState>,
    params: Params,
) -> Result<Json<Vec<Product>>, ApiError> {
    let limit = number(&params, "limit")?;
    let products = state.catalog.products();
    let take = limit.map_or(products.len(), |n| (n as usize).min(products.len()));
    Ok(Json(products[..take].to_vec()))
}

pub async fn show(
    State(state): State<AppState>,
    ProductIdPath(id): ProductIdPath,
) -> Result<Json<Product>, ApiError> {
    state
        .catalog
        .get(id)
        .map(Json)
        .ok_or_else(|| StoreError::NotFound(id).into())
}

pub async fn create(
    _: Editor,
    State(state): State<AppState>,
    body: Body,
) -> Result<(StatusCode, Json<Product>), ApiError> {
    let new = NewProduct::from_json(&json_body(&body)?)?;
    let product = state.catalog.create(new).await?;
    Ok((StatusCode::CREATED, Json(product)))
}

pub async fn update(
    _: Editor,
    State(state): State<AppState>,
    ProductIdPath(id): ProductIdPath,
    body: Body,
) -> Result<Json<Product>, ApiError> {
    let changes = ProductChanges::from_json(&json_body(&body)?)?;
    Ok(Json(state.catalog.update(id, changes, None).await?))
}

pub async fn remove(
    _: Editor,
    State(state): State<AppState>,
    ProductIdPath(id): ProductIdPath,
) -> Result<Json<Product>, ApiError> {
    Ok(Json(state.catalog.remove(id).await?))
}
