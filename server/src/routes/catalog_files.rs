//! `GET /api/products.csv` and `POST /api/products/import`: the catalog as a spreadsheet file
//! (see `catalog_csv` for the format and the checks).

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;

use super::rights::Editor;
use crate::catalog_csv;
use crate::error::ApiError;
use crate::params::Body;
use crate::state::AppState;
use crate::store::Imported;

/// Every product, ascending by id.
pub async fn export(State(state): State<AppState>) -> impl IntoResponse {
    let catalog = state.catalog.current();
    let file = catalog_csv::write(catalog.iter());
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"productos.csv\"",
            ),
        ],
        file,
    )
}

/// Checks every row, then creates and updates them all in one change, or changes nothing.
pub async fn import(
    editor: Editor,
    State(state): State<AppState>,
    body: Body,
) -> Result<Json<Imported>, ApiError> {
    let body = body.map_err(|rejection| ApiError::generic(rejection.status()))?;
    let rows = catalog_csv::read(&body)?;
    Ok(Json(state.catalog.import(rows, editor.actor).await?))
}
