//! The right to change the catalog, as an extractor whose rejection is already the API's
//! error (401 with the JSON body).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::error::ApiError;
use crate::state::AppState;

/// A request that may change the catalog (see `auth`).
pub struct Editor;

impl FromRequestParts<AppState> for Editor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if state.access.access(&parts.headers).can_edit() {
            Ok(Editor)
        } else {
            Err(ApiError::staff_only())
        }
    }
}
