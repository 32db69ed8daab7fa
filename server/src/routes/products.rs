//! `/api/products`: list, read, create, partially update and delete products.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

use super::query::{json_body, number, product_id, Body, Params};
use crate::error::ApiError;
use crate::state::AppState;
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
    Path(id): Path<String>,
) -> Result<Json<Product>, ApiError> {
    let id = product_id(&id)?;
    state
        .catalog
        .get(id)
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("No existe un producto con id {id}")))
}

pub async fn create(
    State(state): State<AppState>,
    body: Body,
) -> Result<(StatusCode, Json<Product>), ApiError> {
    let new = NewProduct::from_json(&json_body(&body)?)?;
    let product = state.catalog.create(new).await?;
    Ok((StatusCode::CREATED, Json(product)))
}

pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<Product>, ApiError> {
    let id = product_id(&id)?;
    let changes = ProductChanges::from_json(&json_body(&body)?)?;
    Ok(Json(state.catalog.update(id, changes).await?))
}

pub async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Product>, ApiError> {
    let id = product_id(&id)?;
    Ok(Json(state.catalog.remove(id).await?))
}
