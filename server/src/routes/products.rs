//! `/api/products`: list, read, create, partially update and delete products. Changes need
//! staff rights when `STAFF_PASSWORD` is set ([`Editor`]).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use super::editor::Editor;
use super::query::{json_body, limit, number, text, Body, Params, ProductIdPath};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::StoreError;
use app::domain::search::Query;
use app::domain::{NewProduct, Product, ProductChanges};

/// The header that says how many products match, whatever page was asked for.
const TOTAL_COUNT: &str = "x-total-count";

/// `GET /api/products?limit=N&after=ID&q=TEXT`: ascending by id, only ids above `after`, only
/// products whose title, code or category contain `q` (accents and case ignored), the first N
/// of them; `X-Total-Count` says how many match `q` in all.
pub async fn list(
    State(state): State<AppState>,
    params: Params,
) -> Result<([(&'static str, String); 1], Json<Vec<Product>>), ApiError> {
    let limit = limit(&params)?;
    let after = number(&params, "after")?.unwrap_or(0);
    let query = Query::new(&text(&params, "q").unwrap_or_default());
    let (total, page) = state.catalog.current().page(&query, after, limit);
    Ok(([(TOTAL_COUNT, total.to_string())], Json(page)))
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
