//! Request bodies: each route's size limit, decided here alone, and the time a body may take.
//!
//! A body announced (`Content-Length`) over its route's limit gets the JSON `413` at once,
//! before any of it is read, and the connection is closed; one that turns out larger as it
//! arrives gets the same. A body must arrive whole within [`BODY_TIMEOUT`] of its headers, or
//! the request gets `408` and the connection is closed: a client cannot hold a connection (and
//! a task) by sending a body slowly. Bodies are read here, once, and handed on whole.

use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use app::domain::Invalid;
use app::paths;

/// How long a body may take to arrive after its headers.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);

const MEGABYTE: usize = 1024 * 1024;

/// The largest body taken on `path`, in megabytes: a catalog file may be large, every other
/// body (the JSON API's, the forms') is a product or a message.
pub fn limit_mb(path: &str) -> usize {
    if path == paths::PRODUCTS_IMPORT {
        64
    } else {
        2
    }
}

pub async fn read_body_in_time(request: Request, next: Next) -> Response {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    let has_body = request.headers().contains_key(header::TRANSFER_ENCODING)
        || announced.is_some_and(|length| length > 0);
    if !has_body {
        return next.run(request).await;
    }
    let megabytes = limit_mb(request.uri().path());
    let limit = megabytes * MEGABYTE;
    if announced.is_some_and(|length| length > limit as u64) {
        // The rest of that body is not wanted: no point keeping the connection for it.
        return closing(ApiError::too_large(megabytes).into_response());
    }
    let (parts, body) = request.into_parts();
    match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, limit)).await {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Ok(Err(_)) => closing(ApiError::too_large(megabytes).into_response()),
        Err(_) => closing(
            ApiError {
                status: StatusCode::REQUEST_TIMEOUT,
                body: Invalid::new(format!(
                    "El cuerpo de la solicitud no llegó en {} s",
                    BODY_TIMEOUT.as_secs()
                )),
            }
            .into_response(),
        ),
    }
}

/// `response`, with the connection closed after it (what a refusal before the body was read
/// needs: the unread body must not be taken for the next request).
pub fn closing(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_route_has_its_limit_and_the_refusal_names_it() {
        assert_eq!(limit_mb(paths::PRODUCTS_IMPORT), 64);
        assert_eq!(limit_mb(paths::PRODUCTS_API), 2);
        let refusal = ApiError::too_large(limit_mb(paths::PRODUCTS_IMPORT));
        assert_eq!(refusal.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(
            refusal.body.error.contains("64 MB"),
            "{}",
            refusal.body.error
        );
    }
}
