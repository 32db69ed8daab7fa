//! `/api/products`: list, read, create, partially update and delete products. Changes need
//! staff rights when `STAFF_PASSWORD` is set ([`Editor`]).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use super::rights::Editor;
use crate::error::ApiError;
use crate::params::{json_body, limit, number, text, Body, Params, ProductIdPath};
use crate::state::AppState;
use crate::store::StoreError;
use app::domain::search::Query;
use app::domain::{NewProduct, Product, ProductChanges};
use app::protocol::paging::{SEQ_HEADER, TOTAL_COUNT_HEADER};

/// `GET /api/products?limit=N&after=ID&q=TEXT`: ascending by id, only ids above `after`, only
/// products whose title, code or category contain `q` (accents and case ignored), the first N
/// of them; `X-Total-Count` says how many match `q` in all, and `X-Catalog-Seq` the change
/// the page was read at (so the live page knows which socket events are newer).
pub async fn list(
    State(state): State<AppState>,
    params: Params,
) -> Result<([(&'static str, String); 2], Json<Vec<Product>>), ApiError> {
    let limit = limit(&params)?;
    let after = number(&params, "after")?.unwrap_or(0);
    let query = Query::new(&text(&params, "q").unwrap_or_default());
    let catalog = state.catalog.current();
    let (total, page) = catalog.page(&query, after, limit);
    let headers = [
        (TOTAL_COUNT_HEADER, total.to_string()),
        (SEQ_HEADER, catalog.seq().to_string()),
    ];
    Ok((headers, Json(page)))
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
    editor: Editor,
    State(state): State<AppState>,
    body: Body,
) -> Result<(StatusCode, Json<Product>), ApiError> {
    let new = NewProduct::from_json(&json_body(&body)?)?;
    let product = state.catalog.create(new, editor.actor).await?;
    Ok((StatusCode::CREATED, Json(product)))
}

pub async fn update(
    editor: Editor,
    State(state): State<AppState>,
    ProductIdPath(id): ProductIdPath,
    body: Body,
) -> Result<Json<Product>, ApiError> {
    let changes = ProductChanges::from_json(&json_body(&body)?)?;
    Ok(Json(
        state
            .catalog
            .update(id, changes, None, editor.actor)
            .await?,
    ))
}

pub async fn remove(
    editor: Editor,
    State(state): State<AppState>,
    ProductIdPath(id): ProductIdPath,
) -> Result<Json<Product>, ApiError> {
    Ok(Json(state.catalog.remove(id, editor.actor).await?))
}
