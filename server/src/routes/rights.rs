//! Who may make a request is decided from its headers, before any of its body is read: a
//! stranger's 60 MB catalog file is refused as soon as its headers arrive, not after it was
//! taken in whole. The handlers check again (`editor::Editor`); this only answers early.

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::error::ApiError;
use crate::guard::body::closing;
use crate::state::AppState;
use app::domain::notices::Outcome;
use app::paths;

/// Whether `method` on `path` changes the catalog (and so needs staff rights when staff
/// access is on): the API's product changes, the import, and the plain form posts.
pub fn changes_catalog(method: &Method, path: &str) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let under = |prefix: &str| {
        path == prefix
            || path
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('/'))
    };
    under(paths::PRODUCTS_API) || under(paths::ADD_FORM)
}

/// Middleware: a catalog change without staff rights is answered at once (401 with the JSON
/// body; a plain form post goes back to the page saying so), its body unread and the
/// connection closed after the answer.
pub async fn refuse_without_rights(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if !changes_catalog(request.method(), path) || state.access.access(request.headers()).can_edit()
    {
        return next.run(request).await;
    }
    let refusal = if path.starts_with(paths::ADD_FORM) {
        let query = format!(
            "{}={}",
            Outcome::StaffOnly.parameter(),
            Outcome::StaffOnly.code()
        );
        Redirect::to(&format!("{}?{query}", paths::REALTIME)).into_response()
    } else {
        ApiError::staff_only().into_response()
    };
    closing(refusal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogs_changes_are_known_by_method_and_path() {
        for (method, path) in [
            (Method::POST, paths::PRODUCTS_API),
            (Method::PUT, "/api/products/7"),
            (Method::DELETE, "/api/products/7"),
            (Method::POST, paths::PRODUCTS_IMPORT),
            (Method::POST, paths::ADD_FORM),
            (Method::POST, "/realtimeproducts/products/7/delete"),
        ] {
            assert!(changes_catalog(&method, path), "{method} {path}");
        }
        for (method, path) in [
            (Method::GET, paths::PRODUCTS_API),
            (Method::GET, paths::PRODUCTS_CSV),
            (Method::POST, paths::MESSAGES_API),
            (Method::POST, "/api/productsX"),
            (Method::POST, paths::LOGIN),
        ] {
            assert!(!changes_catalog(&method, path), "{method} {path}");
        }
    }
}
