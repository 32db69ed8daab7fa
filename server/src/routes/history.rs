//! The record of changes over HTTP: a product's history, the products removed, and a restore
//! (the contract's "The record of changes"). Reading the record needs the right to change the
//! catalog too ([`Editor`]): it names who did what.

use axum::extract::State;
use axum::Json;

use super::rights::Editor;
use crate::error::ApiError;
use crate::params::{json_body, limit, Body, Params, ProductIdPath};
use crate::state::AppState;
use app::domain::history::{HistoryEntry, RemovedProduct, RestoreRequest};
use app::domain::{FieldErrors, Invalid, Product};

/// How many entries a history or the removed list answers when `limit` is not given.
const DEFAULT_LIMIT: u64 = 100;

/// `GET /api/products/{id}/history?limit=N`: newest first.
pub async fn history(
    _: Editor,
    State(state): State<AppState>,
    ProductIdPath(id): ProductIdPath,
    params: Params,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    let limit = limit(&params)?.unwrap_or(DEFAULT_LIMIT) as usize;
    Ok(Json(state.catalog.history(id, limit).await?))
}

/// `GET /api/products/removed?limit=N`: newest removal first.
pub async fn removed(
    _: Editor,
    State(state): State<AppState>,
    params: Params,
) -> Result<Json<Vec<RemovedProduct>>, ApiError> {
    let limit = limit(&params)?.unwrap_or(DEFAULT_LIMIT) as usize;
    Ok(Json(state.catalog.removed(limit).await?))
}

/// `POST /api/products/{id}/restore` with `{"seq": N}`: the product as it now is.
pub async fn restore(
    editor: Editor,
    State(state): State<AppState>,
    ProductIdPath(id): ProductIdPath,
    body: Body,
) -> Result<Json<Product>, ApiError> {
    let request: RestoreRequest = serde_json::from_value(json_body(&body)?).map_err(|_| {
        ApiError::bad_request(Invalid::fields(
            "Indicá qué cambio restaurar: {\"seq\": N}",
            FieldErrors::from([(
                "seq".to_string(),
                "debe ser el número de un cambio del historial".to_string(),
            )]),
        ))
    })?;
    let product = state.catalog.restore(id, request.seq, editor.actor).await?;
    Ok(Json(product))
}
