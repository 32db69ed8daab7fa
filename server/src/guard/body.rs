//! Request bodies arrive whole within [`BODY_TIMEOUT`] of their headers, or the request gets
//! `408` and the connection is closed: a client cannot hold a connection (and a task) by
//! sending a body slowly. Bodies are read here, once, within their size limit (`413`
//! otherwise), and handed on whole.

use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{body_limit_for, ApiError};
use app::domain::Invalid;

/// How long a body may take to arrive after its headers.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn read_body_in_time(request: Request, next: Next) -> Response {
    let has_body = request.headers().contains_key(header::TRANSFER_ENCODING)
        || request
            .headers()
            .get(header::CONTENT_LENGTH)
            .is_some_and(|length| length != "0");
    if !has_body {
        return next.run(request).await;
    }
    let limit = body_limit_for(request.uri().path());
    let (parts, body) = request.into_parts();
    match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, limit)).await {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Ok(Err(_)) => ApiError::generic(StatusCode::PAYLOAD_TOO_LARGE).into_response(),
        Err(_) => {
            let mut response = ApiError {
                status: StatusCode::REQUEST_TIMEOUT,
                body: Invalid::new(format!(
                    "El cuerpo de la solicitud no llegó en {} s",
                    BODY_TIMEOUT.as_secs()
                )),
            }
            .into_response();
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            response
        }
    }
}
