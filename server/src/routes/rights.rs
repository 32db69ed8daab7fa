//! What a request may do, decided from its headers before any of its body is read (a
//! stranger's 60 MB catalog file is refused as soon as its headers arrive), and the rights as
//! extractors whose rejection is already the API's error: `401` without staff credentials,
//! `403` when the member's role does not allow it, `503` when the store could not say.

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::error::ApiError;
use crate::guard::body::closing;
use crate::state::AppState;
use crate::store::StoreError;
use app::domain::history::Actor;
use app::domain::notices::Outcome;
use app::domain::Access;
use app::paths;

/// Who a request acts as, decided once from its headers (`guards::resolve_access`); `None`
/// when the store could not be asked.
#[derive(Clone, Debug)]
pub struct Resolved(pub Option<Access>);

impl Resolved {
    /// The request's access as the pages see it: a visitor when it could not be decided.
    pub fn of_page(parts: &Parts) -> Access {
        parts
            .extensions
            .get::<Resolved>()
            .and_then(|resolved| resolved.0.clone())
            .unwrap_or(Access::Visitor)
    }

    /// The access, if `allowed` lets it through; else the API's refusal.
    fn require(parts: &Parts, allowed: fn(&Access) -> bool) -> Result<Access, ApiError> {
        let resolved = parts.extensions.get::<Resolved>().and_then(|r| r.0.clone());
        match resolved {
            None => Err(StoreError::Unavailable("staff credentials".into()).into()),
            Some(access) if allowed(&access) => Ok(access),
            Some(Access::Staff(_)) => Err(ApiError::not_your_role()),
            Some(_) => Err(ApiError::staff_only()),
        }
    }
}

/// A request that may change the catalog, its history and restores (`admin`, `editor`), and
/// who makes it, for the record of changes.
pub struct Editor {
    pub actor: Actor,
}

impl FromRequestParts<AppState> for Editor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        let access = Resolved::require(parts, Access::can_edit)?;
        Ok(Editor {
            actor: access.actor(),
        })
    }
}

/// A request that may moderate the chat (`admin`, `moderator`), and who makes it.
pub struct Moderator {
    pub actor: Actor,
}

impl FromRequestParts<AppState> for Moderator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        let access = Resolved::require(parts, Access::can_moderate)?;
        Ok(Moderator {
            actor: access.actor(),
        })
    }
}

/// A request of an admin, who may manage the staff accounts.
pub struct Admin;

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        Resolved::require(parts, Access::can_manage_staff).map(|_| Admin)
    }
}

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

/// Middleware: a catalog change without the right to it is answered at once (401 or 403 with
/// the JSON body; a plain form post goes back to the page saying so), its body unread and the
/// connection closed after the answer.
pub async fn refuse_without_rights(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    if !changes_catalog(request.method(), &path) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let refused = match Resolved::require(&parts, Access::can_edit) {
        Ok(_) => return next.run(Request::from_parts(parts, body)).await,
        Err(refused) => refused,
    };
    let refusal = if path.starts_with(paths::ADD_FORM) {
        let query = format!(
            "{}={}",
            Outcome::StaffOnly.parameter(),
            Outcome::StaffOnly.code()
        );
        Redirect::to(&format!("{}?{query}", paths::REALTIME)).into_response()
    } else {
        refused.into_response()
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
