//! The right to change the catalog, as an extractor whose rejection is already the API's
//! error (401 with the JSON body).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::error::ApiError;
use crate::state::AppState;
use app::domain::history::Actor;

/// A request that may change the catalog (see `auth`), and who makes it, for the record of
/// changes.
pub struct Editor {
    pub actor: Actor,
}

impl FromRequestParts<AppState> for Editor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let access = state.access.access(&parts.headers);
        if access.can_edit() {
            Ok(Editor {
                actor: access.actor(),
            })
        } else {
            Err(ApiError::staff_only())
        }
    }
}
