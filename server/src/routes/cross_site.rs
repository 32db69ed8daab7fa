//! What another site's page may not make a visitor's browser do, refused from the headers
//! before any body is read (and the connection closed after the answer):
//! - log in or out (wrong passwords would lock the staff out; a logout would end a session);
//! - post to the chat: `POST /api/messages` needs `Content-Type: application/json`, which a
//!   page of another site cannot send without asking first (CORS), else 415; with a foreign
//!   `Origin`, 403;
//! - open a chat socket (403 on the upgrade).
//!
//! Requests without `Origin` (API clients, same-site forms in older browsers) are served as
//! before.

use axum::extract::Request;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::{origin, Origin};
use crate::error::ApiError;
use crate::guard::body::closing;
use app::domain::Invalid;
use app::paths;

/// Why a request is refused, if it is one another site's page must not make.
fn refusal(method: &Method, path: &str, headers: &HeaderMap) -> Option<ApiError> {
    let foreign = origin(headers) == Origin::Foreign;
    let post = *method == Method::POST;
    let signs_in_or_out = post && (path == paths::LOGIN || path == paths::LOGOUT);
    let chat_socket = *method == Method::GET && path == paths::CHAT_SOCKET;
    let chat_post = post && path == paths::MESSAGES_API;
    if foreign && (signs_in_or_out || chat_socket || chat_post) {
        return Some(ApiError::generic(StatusCode::FORBIDDEN));
    }
    if chat_post && !is_json(headers) {
        return Some(ApiError {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            body: Invalid::new("Un mensaje se envía como JSON (Content-Type: application/json)"),
        });
    }
    None
}

/// Whether the body is announced as JSON (`application/json`, parameters allowed).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// Middleware: see the module's note.
pub async fn refuse_cross_site(request: Request, next: Next) -> Response {
    match refusal(request.method(), request.uri().path(), request.headers()) {
        Some(refused) => closing(refused.into_response()),
        None => next.run(request).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_static(value));
        }
        headers
    }

    fn status(method: Method, path: &str, pairs: &[(&'static str, &'static str)]) -> Option<u16> {
        refusal(&method, path, &headers(pairs)).map(|refused| refused.status.as_u16())
    }

    #[test]
    fn another_sites_page_may_not_sign_in_post_to_the_chat_or_open_its_socket() {
        let evil = ("origin", "https://evil.example");
        let json = ("content-type", "application/json; charset=utf-8");
        let host = ("host", "shop.example");
        assert_eq!(status(Method::POST, paths::LOGIN, &[evil, host]), Some(403));
        assert_eq!(
            status(Method::POST, paths::LOGOUT, &[evil, host]),
            Some(403)
        );
        assert_eq!(
            status(Method::POST, paths::MESSAGES_API, &[evil, json, host]),
            Some(403)
        );
        assert_eq!(
            status(Method::GET, paths::CHAT_SOCKET, &[evil, host]),
            Some(403)
        );
        // A page of another site reads as anyone may.
        assert_eq!(
            status(Method::GET, paths::MESSAGES_API, &[evil, host]),
            None
        );
    }

    #[test]
    fn a_chat_post_is_json_and_api_clients_without_origin_are_served() {
        let host = ("host", "shop.example");
        let plain = ("content-type", "text/plain");
        assert_eq!(
            status(Method::POST, paths::MESSAGES_API, &[plain, host]),
            Some(415)
        );
        assert_eq!(
            status(Method::POST, paths::MESSAGES_API, &[host]),
            Some(415)
        );
        let json = ("content-type", "Application/JSON");
        assert_eq!(
            status(Method::POST, paths::MESSAGES_API, &[json, host]),
            None
        );
        let own = ("origin", "http://shop.example");
        assert_eq!(
            status(Method::POST, paths::MESSAGES_API, &[own, json, host]),
            None
        );
        assert_eq!(status(Method::GET, paths::CHAT_SOCKET, &[own, host]), None);
        assert_eq!(status(Method::POST, paths::LOGIN, &[host]), None);
    }
}
