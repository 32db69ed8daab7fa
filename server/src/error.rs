//! Failures of HTTP requests, as the JSON body every client can rely on:
//! `{"error": "readable sentence", "fields": {"price": "..."}}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::store::StoreError;
use app::domain::{FieldErrors, Invalid};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: Invalid,
}

impl ApiError {
    pub fn bad_request(body: Invalid) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            body,
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::NOT_FOUND,
            body: Invalid::new(what),
        }
    }
}

impl From<Invalid> for ApiError {
    fn from(body: Invalid) -> Self {
        ApiError::bad_request(body)
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        let sentence = error.to_string();
        match error {
            StoreError::NotFound(_) => ApiError::not_found(sentence),
            StoreError::DuplicateCode(_) => ApiError {
                status: StatusCode::CONFLICT,
                body: Invalid::fields(
                    sentence,
                    FieldErrors::from([("code".into(), "ya lo usa otro producto".into())]),
                ),
            },
            StoreError::Io(e) => {
                tracing::error!(error = %e, "storage failure");
                ApiError {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    body: Invalid::new("No se pudo guardar el cambio; intentá de nuevo"),
                }
            }
        }
    }
}

impl From<StoreError> for Invalid {
    /// The same sentence and fields a socket client gets in its error frame.
    fn from(error: StoreError) -> Self {
        ApiError::from(error).body
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}
